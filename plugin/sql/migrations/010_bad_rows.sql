-- 010_bad_rows.sql: bad rows from the MIS are refused at the door, and what
-- still makes planning fail for one student-day is set aside with its reason
-- (README, "Bad rows from the MIS").
--
-- The checks are NOT VALID: a row already in the table is not re-checked
-- (the migration must not fail on a college's existing data), but every
-- insert and update from now on is, so the MIS gets the error at once. A
-- row written before the check that still breaks planning lands in
-- absence.plan_quarantine, and every other student-day is planned.

-- A student ID is what the text carries: 1 to 64 characters, no control or
-- invisible character, no blank at either end.
alter table absence.student
    add constraint student_id_usable check (
        length(student_id) between 1 and 64
        and student_id !~ '[\x01-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]'
        and student_id = btrim(student_id)) not valid;

-- A register code as the MIS holds it: 1 to 16 characters, no blank,
-- control or invisible character anywhere, no lower-case letter
-- (absent-marks are upper case, so "o" or " O" would silently not be an
-- absence).
alter table absence.attendance_mark
    add constraint attendance_mark_code_usable check (
        length(mark) between 1 and 16
        and mark !~ '[\x01-\x20\x7f-\xa0\u00ad\u1680\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]'
        and mark = upper(mark)) not valid;

-- A student-day the planner could not settle, and why. Rows are keyed by a
-- hash of the student ID: an ID too long for an index is exactly what lands
-- here. The planner retries each open row at every run; resolved_at is set
-- when one succeeds (or the reason goes away), and the row is kept.
create table absence.plan_quarantine (
    quarantine_id  bigint generated always as identity primary key,
    student_id     text not null,
    student_key    text not null,
    school_day     date not null,
    kind           text not null,
    reason         text not null,
    first_seen_at  timestamptz not null default now(),
    last_seen_at   timestamptz not null default now(),
    attempts       integer not null default 1,
    resolved_at    timestamptz,
    box_id         text,
    constraint plan_quarantine_kind_known
        check (kind in ('bad-student-id', 'planning-error'))
);
create unique index plan_quarantine_day_idx
    on absence.plan_quarantine (student_key, school_day);
create index plan_quarantine_open_idx on absence.plan_quarantine (last_seen_at)
    where resolved_at is null;
comment on table absence.plan_quarantine is
    'Student-days the planner set aside because their data would not plan (reason), while '
    'every other student-day was planned; resolved_at once a later run planned it.';

-- Each box's planning runs: the last one's error (null when it worked),
-- for absencectl status and /metrics.
alter table absence.box_status
    add column plan_failures bigint not null default 0,
    add column last_plan_at timestamptz,
    add column last_plan_error text;
