-- 013_sending_sets.sql: the texts waiting to be claimed and the texts in
-- flight, each in a small table of its own (README, "Throughput").
--
-- Version 12 made bearerbox's ack a heap-only (HOT) update, one that writes
-- no index entry. The claim and the final report still were not: each moves
-- a text into or out of a set that an index of absence.notification selected
-- on (claimable, in_flight, and the message id the ack is found by), so each
-- wrote a new entry in every index of the table: 7 at the claim, 6 at the
-- report, with a uniqueness check in three of them. Without them, the
-- database's work to send and settle a text fell by about a quarter,
-- measured side by side.
--
-- Now no index of absence.notification names a column that changes on a
-- text's way out: the pending texts, in the claim's order, are the rows of
-- absence.text_queue, and the texts in flight, with the message id their ack
-- is found by, the rows of absence.text_in_flight. Statement triggers keep
-- both from every statement on absence.notification (functions/
-- sending_sets.sql), so that no writer of a text's status can forget them.
-- A claim, an ack and a report are all heap-only updates of the text; the
-- claim and the final report also move one small row between the sets. A claim
-- locks the queue's rows, not the texts': it reads the queue alone, in its
-- key's order, and locks only what it takes.

create table absence.text_queue (
    due_at          timestamptz not null,
    notification_id bigint not null,
    expires_at      timestamptz not null,
    recipient       text not null,
    primary key (due_at, notification_id)
);
comment on table absence.text_queue is
    'The pending texts (status pending), in the order the box claims them, with what the claim '
    'checks (expiry, the number''s opt-out): kept by triggers on absence.notification; read it, '
    'never write it.';

create table absence.text_in_flight (
    notification_id bigint primary key,
    message_id      uuid unique,
    box_id          text
);
comment on table absence.text_in_flight is
    'The texts submitted or sent (on their way, without a final report), with the Kannel message '
    'id their ack is found by and the box that claimed them: kept by triggers on '
    'absence.notification; read it, never write it.';

insert into absence.text_queue (due_at, notification_id, expires_at, recipient)
select due_at, notification_id, expires_at, recipient from absence.notification
 where status = 'pending';
insert into absence.text_in_flight (notification_id, message_id, box_id)
select notification_id, message_id, box_id from absence.notification
 where status in ('submitted', 'sent');

drop index absence.notification_pending_idx;
drop index absence.notification_in_flight_idx;
drop index absence.notification_message_id_idx;
alter table absence.notification drop column claimable, drop column in_flight;
