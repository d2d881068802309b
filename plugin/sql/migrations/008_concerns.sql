-- 008_concerns.sql: attendance concerns and the communication log (README,
-- "7. Attendance concerns").
--
-- absence.term is the MIS's input: concerns count absence days within one
-- term. A concern is a pattern of absence days (three in a row, five in a
-- term: the thresholds are settings) that the planner found; it is told to
-- the family once by a text of kind 'concern' and then handled by staff.
-- Every attempt to reach a family, by text or otherwise, is a row of
-- absence.communication_log. Existing texts are all of kind 'absence'.

create table absence.term (
    term_id   bigint primary key,
    name      text,
    starts_on date not null,
    ends_on   date not null,
    constraint term_ends_after_it_starts check (ends_on >= starts_on)
);
comment on table absence.term is
    'The college''s terms, written by the MIS; attendance concerns count within one term.';

-- One text of each kind per number, student and day: an absence text and a
-- concern text may go to a parent on the same day, never two of one kind.
alter table absence.notification
    add column kind text not null default 'absence',
    add column concern_id bigint,
    add constraint notification_kind_known check (kind in ('absence', 'concern')),
    drop constraint notification_once_per_number_and_day,
    add constraint notification_once_per_kind_number_and_day
        unique (kind, student_id, school_day, recipient);
comment on column absence.notification.kind is
    'absence (a missed lesson, texted that day) or concern (an attendance concern, concern_id).';

-- A pattern found in a student's absence days. The contract's columns come
-- first; the rest is what the planner needs to send its text: the day that
-- completed the pattern, the lesson the text is filed under, the term's
-- absence days when it was found ({days} of the text), and when its text is
-- due and expires, all computed from the instant evaluated (detected_at), so
-- that a replay with absencectl plan --at rebuilds them exactly.
create table absence.attendance_concern (
    concern_id        bigint generated always as identity primary key,
    student_id        text not null,
    term_id           bigint not null,
    rule              text not null,
    absence_days      date[] not null,
    detected_at       timestamptz not null,
    state             text not null default 'open',
    closed_at         timestamptz,
    note              text,
    completed_on      date not null,
    lesson_id         bigint not null,
    term_absence_days integer not null,
    text_due_at       timestamptz not null,
    text_expires_at   timestamptz not null,
    texts_planned_at  timestamptz,
    box_id            text,
    constraint attendance_concern_rule_known check (rule in ('consecutive', 'cumulative')),
    constraint attendance_concern_state_known
        check (state in ('open', 'notified', 'meeting', 'closed')),
    constraint attendance_concern_closed_when_closed check ((state = 'closed') = (closed_at is not null)),
    constraint attendance_concern_once_per_rule_and_term unique (student_id, term_id, rule)
);
comment on table absence.attendance_concern is
    'An attendance pattern (consecutive or cumulative absence days in a term), at most one per '
    'rule, student and term; open, notified (its text was delivered), meeting, closed.';
comment on column absence.attendance_concern.texts_planned_at is
    'When the planner planned its texts (the instant evaluated); null: not yet due.';
-- The planner looks for concerns whose texts are due and not yet planned.
create index attendance_concern_unplanned_idx on absence.attendance_concern (text_due_at)
    where texts_planned_at is null;

-- Every change of a concern's state, with who and why.
create table absence.concern_action (
    action_id    bigint generated always as identity primary key,
    concern_id   bigint not null references absence.attendance_concern,
    state_before text not null,
    state_after  text not null,
    actor        text not null,
    note         text not null,
    acted_at     timestamptz not null default now(),
    constraint concern_action_has_note check (btrim(note) <> '')
);
create index concern_action_concern_idx on absence.concern_action (concern_id);

-- A guardian who would have had the concern text and was not texted, and why
-- (the reasons of absence.skip_reason, as for absence texts).
create table absence.concern_skip (
    concern_id  bigint not null references absence.attendance_concern,
    guardian_id bigint not null,
    reason      text not null,
    recipient   text,
    created_at  timestamptz not null default now(),
    primary key (concern_id, guardian_id),
    constraint concern_skip_reason_known foreign key (reason) references absence.skip_reason
);

-- The school days whose end the planner has evaluated for concerns: a
-- planning run at which no further day has ended costs one look-up here.
create table absence.concern_check (
    school_day   date primary key,
    day_ends_at  timestamptz not null, -- midnight after school_day, at the college
    evaluated_at timestamptz not null,
    box_id       text,
    opened       integer not null
);
comment on table absence.concern_check is
    'Each day after whose end (latest-send-time) the planner looked for attendance concerns.';

-- Students whose marks on days already looked at changed since (a
-- register corrected late): written by a trigger on attendance_mark, read
-- and emptied by the next look, which counts their days again.
create table absence.mark_change (
    student_id text not null,
    changed_at timestamptz not null default now()
);
comment on table absence.mark_change is
    'Students whose marks on days already evaluated for concerns changed since; emptied by the '
    'next evaluation.';

create table absence.communication_log (
    communication_id bigint generated always as identity primary key,
    student_id       text not null,
    guardian_id      bigint,
    concern_id       bigint,
    notification_id  bigint references absence.notification,
    reply_id         bigint,
    method           text not null,
    direction        text not null,
    occurred_at      timestamptz not null,
    outcome          text not null,
    recorded_by      text not null,
    note             text,
    recorded_at      timestamptz not null default now(),
    constraint communication_log_method_known
        check (method in ('sms', 'phone', 'email', 'letter', 'meeting')),
    constraint communication_log_direction_known check (direction in ('out', 'in')),
    constraint communication_log_has_outcome check (btrim(outcome) <> ''),
    constraint communication_log_has_recorder check (btrim(recorded_by) <> '')
);
comment on table absence.communication_log is
    'Every attempt to reach a family: each text''s outcome (written with its status change) '
    'and the calls, letters, e-mails and meetings staff record with absencectl log-contact.';
create index communication_log_student_idx on absence.communication_log (student_id, occurred_at);
create index communication_log_occurred_at_idx on absence.communication_log (occurred_at);
create index communication_log_notification_idx on absence.communication_log (notification_id)
    where notification_id is not null;
