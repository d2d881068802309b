-- 005_names.sql: the names the database gives a text's status and a skipped
-- guardian's reason, each list held once, here, as rows that the programs
-- read (absencectl report and status, the box's admin interface) and that
-- the tables' foreign keys enforce in place of the check constraints of
-- version 1. A new status or reason is a row added by a later migration.

create table absence.notification_status (
    status   text primary key,
    position integer not null unique,  -- the order reports list them in
    meaning  text not null
);
comment on table absence.notification_status is
    'Every status a text (absence.notification) can be in, in the order staff see them.';
insert into absence.notification_status (status, position, meaning) values
    ('pending', 1, 'planned, waiting to be claimed (it may not be due yet)'),
    ('submitted', 2, 'claimed and written to bearerbox, no ack yet'),
    ('sent', 3, 'bearerbox (or the SMSC) accepted it; waiting for the final report'),
    ('delivered', 4, 'the handset received it (DLR 1); its pastoral log entry was written with it'),
    ('failed', 5, 'no route, or the SMSC reported a failure or rejected it; never retried'),
    ('expired', 6, 'not sent within its window; never sent'),
    ('unconfirmed', 7, 'submitted, but nobody knows whether it went out: a person decides');

create table absence.skip_reason (
    reason   text primary key,
    position integer not null unique,  -- the order the policy checks the rules in
    meaning  text not null
);
comment on table absence.skip_reason is
    'Why a linked guardian was not texted (absence.guardian_skip), one row per rule.';
insert into absence.skip_reason (reason, position, meaning) values
    ('account-not-active', 1, 'the portal account is suspended or not registered'),
    ('link-not-active', 2, 'the link to this student is suspended'),
    ('attendance-hidden', 3, '''Hide Attendance Data'' is set for this student'),
    ('no-mobile', 4, 'there is no mobile number on the portal'),
    ('invalid-mobile', 5, 'the number cannot receive a text (a landline, malformed, foreign)'),
    ('duplicate-number', 6, 'another guardian of the student on the same number gets the text');

alter table absence.notification
    drop constraint notification_status_known,
    add constraint notification_status_known
        foreign key (status) references absence.notification_status;
alter table absence.guardian_skip
    drop constraint guardian_skip_reason_known,
    add constraint guardian_skip_reason_known
        foreign key (reason) references absence.skip_reason;
