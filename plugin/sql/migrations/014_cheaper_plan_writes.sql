-- 014_cheaper_plan_writes.sql: a morning's first plan reads fewer rows and
-- writes cheaper index entries (README, "Throughput").
--
-- Counted in instructions (scripts/bench --instructions) on the first plan
-- of a 60,000-student morning, these together cut the run by 14%; each
-- keeps what it replaces true, and no name changes.
--
-- The planner reads every absent mark of the window's lessons. By the
-- primary key (lesson_id, student_id) it read all of a lesson's marks,
-- present ones too, from the table, to keep the few absent ones (3 in 22);
-- by (lesson_id, mark) with the student in the index it reads only those,
-- and from the index alone once the pages are all-visible (7% of the run).
create index attendance_mark_lesson_mark_idx on absence.attendance_mark (lesson_id, mark)
    include (student_id);

-- An E.164 number: "+", a digit 1-9, then 7 to 14 digits. The bounded
-- repetition {7,14} made PostgreSQL's regular expression engine do about
-- 16,000 instructions a row, on every insert and on every update of a text
-- (four on its way out); the same rule as an unbounded match and a length
-- costs a third of that (3% of a plan).
alter table absence.notification
    drop constraint notification_recipient_e164,
    add constraint notification_recipient_e164
        check (length(recipient) between 9 and 16 and recipient ~ '^\+[1-9][0-9]*$');
alter table absence.opt_out
    drop constraint opt_out_recipient_e164,
    add constraint opt_out_recipient_e164
        check (length(recipient) between 9 and 16 and recipient ~ '^\+[1-9][0-9]*$');
alter table absence.confirmation_text
    drop constraint confirmation_recipient_e164,
    add constraint confirmation_recipient_e164
        check (length(recipient) between 9 and 16 and recipient ~ '^\+[1-9][0-9]*$');

-- A day's texts (absencectl status and report, the check for texts without
-- a report) are found by school_day. Texts are written in the order of
-- their days, so a block-range (BRIN) index finds a day's blocks as the
-- B-tree did, and costs next to nothing to keep: a B-tree entry a text was
-- 3% of a plan. Ranges filled since the last vacuum are summarised by
-- autovacuum (autosummarize); until then a scan reads them whole, which is
-- today's texts anyway.
drop index absence.notification_school_day_idx;
create index notification_school_day_idx on absence.notification using brin (school_day)
    with (autosummarize = on);

-- Reply matching and the contacts audit look a number's texts up by
-- equality only: a hash index answers that, and an entry costs less to
-- write than a B-tree's descent (2% of a plan).
drop index absence.notification_recipient_idx;
create index notification_recipient_idx on absence.notification using hash (recipient);
