-- 012_text_hot_updates.sql: a text's status changes as cheap updates
-- (README, "Throughput").
--
-- A text's row changes three times on its way: claimed, acknowledged,
-- reported. PostgreSQL can make such a change a heap-only (HOT) update,
-- writing no index entry, only when no index names a column that changed,
-- in its key or in its WHERE, and the page has room for the new version.
-- Until now status stood in three indexes (the pending texts', the
-- in-flight texts' and, through a foreign key, notification_status's), so
-- every change wrote all eight of the table's indexes.
--
-- The two partial indexes now select on stored generated columns that
-- change only when a text enters or leaves their set: claimable (pending)
-- changes at the claim, in_flight (submitted or sent) at the claim and at
-- the final report. bearerbox's ack, which moves a text from submitted to
-- sent, changes neither, nor any indexed column: it is a HOT update. The
-- status names are checked by a CHECK constraint with the same list as
-- absence.notification_status (a foreign key would check and lock the
-- status row on every change); so are guardian_skip's reasons, with
-- absence.skip_reason's list, for the planner's inserts. Reply matching reads a number's texts by
-- recipient alone, which never changes. Pages are filled to 70% when
-- written, so that a text's next versions fit beside it.

alter table absence.notification
    add column claimable boolean generated always as (status = 'pending') stored,
    add column in_flight boolean generated always as (status in ('submitted', 'sent')) stored,
    drop constraint notification_status_known,
    add constraint notification_status_known check (status in
        ('pending', 'submitted', 'sent', 'delivered', 'failed', 'expired', 'unconfirmed'));
alter table absence.notification set (fillfactor = 70);
comment on column absence.notification.claimable is
    'status = ''pending'': what the claim''s index selects on (a column of its own, so that '
    'other status changes leave the index alone).';
comment on column absence.notification.in_flight is
    'status is submitted or sent: what the in-flight index selects on.';

drop index absence.notification_pending_idx;
-- in the claim's order, so that a claim reads as many texts as it takes
-- (on due_at alone it read, and sorted, every text of the lesson's end)
create index notification_pending_idx on absence.notification (due_at, notification_id)
    where claimable;
drop index absence.notification_in_flight_idx;
create index notification_in_flight_idx on absence.notification (box_id) where in_flight;
drop index absence.notification_recipient_idx;
create index notification_recipient_idx on absence.notification (recipient);

alter table absence.guardian_skip
    drop constraint guardian_skip_reason_known,
    add constraint guardian_skip_reason_known check (reason in
        ('account-not-active', 'link-not-active', 'attendance-hidden', 'no-mobile',
         'invalid-mobile', 'opted-out', 'duplicate-number'));

-- Each guardian's mobile in E.164 form (absence.normalise_mobile with
-- international numbers allowed), with the mobile it was worked out from,
-- kept by a trigger on the MIS's writes (functions/numbers.sql): the
-- planner checks 180,000 guardians for a 500,000-student morning, and
-- working each number out again took a sixth of its time. A row whose
-- mobile_e164_of is not its mobile (written with triggers off, or before
-- this version) is worked out afresh where it is read.
alter table absence.guardian
    add column mobile_e164 text,
    add column mobile_e164_of text;
comment on column absence.guardian.mobile_e164 is
    'absence.normalise_mobile(mobile_e164_of, true), kept by absencebox: read it only through '
    'absence.guardian_mobile().';
