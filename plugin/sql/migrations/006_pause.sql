-- 006_pause.sql: staff's kill switch, what explain needs to answer "I
-- got a text but my son was there".
--
-- absence.sending_pause: while a row has no resumed_at, no box plans or
-- claims a text (absencectl pause / resume, the box's /suspend and
-- /resume). At most one pause is open; every pause is kept, with who and why.
-- student_day gains the trigger lesson's mark as it was read when the day
-- was settled, and the instant the policy was evaluated at.

create table absence.sending_pause (
    pause_id      bigint generated always as identity primary key,
    paused_at     timestamptz not null default now(),
    paused_by     text not null,
    reason        text not null,
    resumed_at    timestamptz,
    resumed_by    text,
    resume_reason text,
    constraint sending_pause_has_reason check (btrim(reason) <> '')
);
comment on table absence.sending_pause is
    'Pauses of all sending; the open one (resumed_at null) stops planning and claiming.';
create unique index sending_pause_one_open on absence.sending_pause ((true))
    where resumed_at is null;

alter table absence.student_day
    add column trigger_mark text,
    add column evaluated_at timestamptz;
comment on column absence.student_day.trigger_mark is
    'The trigger lesson''s mark as the planner read it (null for days settled before 0.2).';
comment on column absence.student_day.evaluated_at is
    'The instant the policy was evaluated at: now for the box, the replayed instant for plan --at.';
