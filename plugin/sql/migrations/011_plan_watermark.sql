-- 011_plan_watermark.sql: a planning run that costs what changed since the
-- last one, not what the college holds (README, "How it works").
--
-- A run looks at the lessons that have become due since the instant the
-- last run covered (its watermark, kept here with the settings it ran
-- with), and at the student-days whose marks, register or student changed
-- since, which triggers on the MIS's tables write to absence.plan_change
-- (functions/plan.sql). With other settings, an instant before the
-- watermark, or no watermark yet, a run looks at the whole window as
-- before.

-- The planner's watermark: one row, written by each run that covered
-- everything due at its instant.
create table absence.plan_state (
    only_row        boolean primary key default true check (only_row),
    planned_through timestamptz not null,
    settings_key    text not null,
    absent_marks    text[] not null,
    timezone        text not null,
    lookback        interval not null,
    updated_at      timestamptz not null default now()
);
comment on table absence.plan_state is
    'The instant the last planning run covered, with a fingerprint of its settings; the '
    'absent marks, time zone and look-back the triggers filling plan_change use.';

-- Student-days to look at again: a mark, a register or a student changed.
-- No key: writers never wait on each other; the planner reads and empties
-- it in one statement.
create table absence.plan_change (
    student_id text not null,
    school_day date not null,
    changed_at timestamptz not null default now()
);
comment on table absence.plan_change is
    'Student-days whose marks, register or student status changed since the last planning '
    'run; emptied by the next run, which looks at them again.';
