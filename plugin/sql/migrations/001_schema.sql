-- 001_schema.sql: the tables other systems depend on (README, "The contract")
--
-- Inputs (student, lesson, attendance_mark, guardian, guardian_student) are
-- written by the MIS and the Communications Portal; outputs (notification,
-- pastoral_log) are written by absencebox and read by the MIS and staff.
-- Output tables carry student, guardian and lesson ids without foreign keys
-- to the inputs on purpose: the MIS owns its rows' lifecycle, and the record
-- of what was texted must outlive a deleted student or guardian.

-- ---- inputs -------------------------------------------------------------

create table absence.student (
    student_id  text primary key,
    status_code text not null,
    forename    text,
    surname     text
);
comment on table absence.student is
    'Students, written by the MIS. status_code like C__ = active 16-19.';

create table absence.lesson (
    lesson_id          bigint primary key,
    starts_at          timestamptz not null,
    ends_at            timestamptz not null,
    title              text,
    register_marked_at timestamptz,
    constraint lesson_ends_after_it_starts check (ends_at > starts_at)
);
comment on table absence.lesson is
    'One register event, written by the MIS; register_marked_at null = not taken yet.';
-- The planner finds lessons whose texts may be due by their end time, and a
-- student's lessons of one day by their start time.
create index lesson_ends_at_idx on absence.lesson (ends_at);
create index lesson_starts_at_idx on absence.lesson (starts_at);

create table absence.attendance_mark (
    lesson_id  bigint not null references absence.lesson,
    student_id text not null references absence.student,
    mark       text not null,
    primary key (lesson_id, student_id)
);
comment on table absence.attendance_mark is
    'The current register mark; the MIS updates it in place when corrected. O = absent.';
-- Finding a student's earliest absent lesson of a day reads only their marks.
create index attendance_mark_student_idx on absence.attendance_mark (student_id, mark);

create table absence.guardian (
    guardian_id    bigint primary key,
    name           text,
    mobile         text,
    email          text,
    account_status text not null,
    constraint guardian_account_status_known
        check (account_status in ('active', 'suspended', 'unregistered'))
);
comment on column absence.guardian.mobile is
    'As typed on the portal; may be null, blank or malformed. Never rewritten.';

create table absence.guardian_student (
    guardian_id     bigint not null references absence.guardian,
    student_id      text not null references absence.student,
    link_status     text not null,
    hide_attendance boolean not null default false,
    prime           boolean not null default false,
    priority        integer,
    source          text not null default 'web',
    primary key (guardian_id, student_id),
    constraint guardian_student_link_status_known
        check (link_status in ('active', 'suspended')),
    constraint guardian_student_source_known
        check (source in ('web', 'import', 'manual'))
);
create index guardian_student_student_idx on absence.guardian_student (student_id);

-- ---- outputs --------------------------------------------------------------

-- One row per student and school day that the planner has decided: the day
-- is settled and gets no further texts, whatever changes later.
create table absence.student_day (
    student_id text not null,
    school_day date not null,
    lesson_id  bigint not null,
    outcome    text not null,
    settled_at timestamptz not null default now(),
    box_id     text,
    primary key (student_id, school_day),
    constraint student_day_outcome_known
        check (outcome in ('planned', 'expired', 'message-too-long'))
);
comment on table absence.student_day is
    'The trigger lesson the planner acted on per student and day: planned (texts made), '
    'expired (found too late to send) or message-too-long (the text would not fit).';

create table absence.notification (
    notification_id   bigint generated always as identity primary key,
    student_id        text not null,
    guardian_id       bigint not null,
    lesson_id         bigint not null,
    school_day        date not null,
    recipient         text not null,
    body              text not null,
    status            text not null default 'pending',
    created_at        timestamptz not null default now(),
    submitted_at      timestamptz,
    delivered_at      timestamptz,
    -- what the box needs beyond the contract
    due_at            timestamptz not null,
    expires_at        timestamptz not null,
    token             uuid not null default gen_random_uuid(),
    box_id            text,
    message_id        uuid,
    attempts          integer not null default 0,
    sent_at           timestamptz,
    failed_at         timestamptz,
    failure_reason    text,
    status_changed_at timestamptz not null default now(),
    smsc_id           text,
    foreign_id        text,
    constraint notification_once_per_number_and_day unique (student_id, school_day, recipient),
    constraint notification_token_unique unique (token),
    constraint notification_status_known check (status in
        ('pending', 'submitted', 'sent', 'delivered', 'failed', 'expired', 'unconfirmed')),
    constraint notification_recipient_e164 check (recipient ~ '^\+[1-9][0-9]{7,14}$')
);
comment on table absence.notification is
    'One planned text: the delivery report. token travels in the DLR URL so a report '
    'finds its row; message_id is the Kannel message id of the current submission.';
-- The box claims due pending texts oldest first and tracks its in-flight ones.
create index notification_pending_idx on absence.notification (due_at)
    where status = 'pending';
create index notification_in_flight_idx on absence.notification (box_id, status)
    where status in ('submitted', 'sent');
create index notification_school_day_idx on absence.notification (school_day, student_id);

create table absence.guardian_skip (
    student_id  text not null,
    school_day  date not null,
    guardian_id bigint not null,
    lesson_id   bigint not null,
    reason      text not null,
    recipient   text,
    created_at  timestamptz not null default now(),
    primary key (student_id, school_day, guardian_id),
    constraint guardian_skip_reason_known check (reason in
        ('account-not-active', 'link-not-active', 'attendance-hidden',
         'no-mobile', 'invalid-mobile', 'duplicate-number'))
);
comment on table absence.guardian_skip is
    'A guardian linked to a student with a planned absence text who was not texted, and why.';

-- Every delivery report bearerbox sent, known token or not, duplicates too.
create table absence.delivery_report (
    delivery_report_id bigint generated always as identity primary key,
    report_id          uuid,
    notification_id    bigint references absence.notification,
    token              text,
    dlr_type           integer not null,
    smsc_id            text,
    foreign_id         text,
    reply              text,
    box_id             text,
    received_at        timestamptz not null default now(),
    constraint delivery_report_once unique (report_id)
);
comment on table absence.delivery_report is
    'Delivery report history. dlr_type: 1 delivered, 2 failed, 4 buffered, '
    '8 accepted by the SMSC, 16 rejected by the SMSC. notification_id null = unknown token.';
create index delivery_report_notification_idx on absence.delivery_report (notification_id);
create index delivery_report_received_at_idx on absence.delivery_report (received_at);

create table absence.pastoral_log (
    pastoral_log_id bigint generated always as identity primary key,
    notification_id bigint not null unique references absence.notification,
    student_id      text not null,
    guardian_id     bigint not null,
    lesson_id       bigint not null,
    logged_at       timestamptz not null default now(),
    category        text not null,
    entry           text not null
);
comment on table absence.pastoral_log is
    'One entry per delivered text, written in the transaction that marks it delivered.';
create index pastoral_log_logged_at_idx on absence.pastoral_log (logged_at);
