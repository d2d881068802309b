-- 009_replies.sql: parents' replies to the college's number (README,
-- "8. Replies from parents").
--
-- Every text bearerbox routes to the box is a row of absence.reply, stored
-- before the box acknowledges it to bearerbox; the Kannel message id makes a
-- redelivered copy a no-op. A reply is matched to the latest text sent to
-- its number within reply-window; other students texted to that number in
-- the window are its candidates, for staff. A stop word puts the number on
-- absence.opt_out, a start word takes it off; each change is kept in
-- absence.opt_out_change, and a change made by a reply is confirmed by one
-- text (absence.confirmation_text), which goes out through the same claim,
-- ack and report steps as the absence texts.

create table absence.reply (
    reply_id        bigint generated always as identity primary key,
    received_at     timestamptz not null,
    sender          text not null,
    receiver        text not null,
    body            text not null,
    notification_id bigint references absence.notification,
    student_id      text,
    guardian_id     bigint,
    -- what the box needs beyond the contract
    message_id      uuid not null,
    sender_as_sent  text not null,
    coding          integer not null,
    raw             bytea not null,
    keyword         text,
    smsc_id         text,
    box_id          text not null,
    stored_at       timestamptz not null default now(),
    constraint reply_message_once unique (message_id),
    constraint reply_keyword_known check (keyword in ('stop', 'start'))
);
comment on table absence.reply is
    'Every text parents sent to the college''s number, as bearerbox passed it to the box; '
    'student, guardian and notification are set when it matched a text sent to that number '
    'within reply-window. sender is E.164 when it is a number, else as sent.';
comment on column absence.reply.keyword is
    'stop or start when the body was one of stop-words or start-words.';
create index reply_received_at_idx on absence.reply (received_at);
create index reply_student_idx on absence.reply (student_id, received_at)
    where student_id is not null;

-- The other students whose texts reached the number within the window: a
-- parent of two may be writing about either.
create table absence.reply_candidate (
    reply_id        bigint not null references absence.reply,
    student_id      text not null,
    guardian_id     bigint not null,
    notification_id bigint not null references absence.notification,
    primary key (reply_id, student_id)
);
comment on table absence.reply_candidate is
    'For a reply from a number texted about several students: each student not matched, with '
    'the latest text about them, for staff to decide.';

-- Matching reads a number's texts, newest first.
create index notification_recipient_idx on absence.notification (recipient, submitted_at)
    where submitted_at is not null;

create table absence.opt_out (
    recipient    text primary key,
    opted_out_at timestamptz not null,
    via          text not null,
    reply_id     bigint references absence.reply,
    recorded_by  text not null,
    reason       text,
    constraint opt_out_recipient_e164 check (recipient ~ '^\+[1-9][0-9]{7,14}$'),
    constraint opt_out_via_known check (via in ('reply', 'staff')),
    constraint opt_out_staff_reason check (via = 'reply' or btrim(reason) <> '')
);
comment on table absence.opt_out is
    'Numbers that asked for no more texts: by replying with a stop word, or through staff '
    '(absencectl opt-out). Guardians on them are skipped with reason opted-out.';

create table absence.opt_out_change (
    change_id   bigint generated always as identity primary key,
    recipient   text not null,
    action      text not null,
    changed_at  timestamptz not null,
    via         text not null,
    reply_id    bigint references absence.reply,
    recorded_by text not null,
    reason      text,
    constraint opt_out_change_action_known check (action in ('out', 'in')),
    constraint opt_out_change_via_known check (via in ('reply', 'staff'))
);
comment on table absence.opt_out_change is
    'Every opt-out and opt-in of a number, by reply or by staff, oldest first: the history '
    'absence.opt_out keeps only the present of.';
create index opt_out_change_recipient_idx on absence.opt_out_change (recipient, changed_at);

-- The text that confirms a stop or start word, one per reply that changed
-- the number's opt-out. Its columns and statuses are those of
-- absence.notification that the box's steps read and write.
create table absence.confirmation_text (
    confirmation_id   bigint generated always as identity primary key,
    reply_id          bigint not null references absence.reply,
    kind              text not null,
    recipient         text not null,
    body              text not null,
    status            text not null default 'pending' references absence.notification_status,
    created_at        timestamptz not null default now(),
    due_at            timestamptz not null,
    expires_at        timestamptz not null,
    token             uuid not null default gen_random_uuid(),
    box_id            text,
    message_id        uuid,
    attempts          integer not null default 0,
    submitted_at      timestamptz,
    sent_at           timestamptz,
    delivered_at      timestamptz,
    failed_at         timestamptz,
    failure_reason    text,
    status_changed_at timestamptz not null default now(),
    smsc_id           text,
    foreign_id        text,
    constraint confirmation_once_per_reply unique (reply_id),
    constraint confirmation_token_unique unique (token),
    constraint confirmation_kind_known check (kind in ('stop', 'start')),
    constraint confirmation_recipient_e164 check (recipient ~ '^\+[1-9][0-9]{7,14}$')
);
comment on table absence.confirmation_text is
    'The text confirming a number''s opt-out (kind stop) or opt-in (kind start) made by reply.';
create index confirmation_text_message_id_idx on absence.confirmation_text (message_id)
    where message_id is not null;
create index confirmation_text_open_idx on absence.confirmation_text (status, due_at)
    where status in ('pending', 'submitted', 'sent');

-- Reports for confirmation texts are kept beside the absence texts' ones.
alter table absence.delivery_report
    add column confirmation_id bigint references absence.confirmation_text;

alter table absence.communication_log
    add constraint communication_log_reply foreign key (reply_id) references absence.reply;

-- opted-out is checked after the number is known good, before two
-- guardians on one number are made one.
update absence.skip_reason set position = 7 where reason = 'duplicate-number';
insert into absence.skip_reason (reason, position, meaning) values
    ('opted-out', 6, 'the number asked for no more texts (a stop word, or staff)');

-- Each box's count of replies, beside its reports.
alter table absence.box_status
    add column replies_received bigint not null default 0,
    add column last_reply_at timestamptz;
