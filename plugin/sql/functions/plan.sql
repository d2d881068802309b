-- plan.sql: settling student-days (README, "The rules"): what the box runs
-- every plan-interval and absencectl plan runs at an instant.

-- The window of lessons the planner looks at from p_at: everything that can
-- be due or newly expired, and a day back so that texts a stopped box never
-- planned are still recorded as expired. Stable, as taking a day from an
-- instant is (it depends on the session's time zone): a SQL function
-- declared more constant than its body is not inlined but called, once a
-- row where its result is compared.
create function absence.plan_window_from(p_cfg absence.policy_config, p_at timestamptz)
returns timestamptz
language sql stable
as $$
    select p_at - make_interval(secs => (p_cfg).max_lateness) - interval '1 day'
$$;

-- The triggers plan() acts on at P_AT, everyone's (P_STUDENT_ID null) or
-- one student's: due, expired unplanned, too long to send, or with an ID
-- that cannot be texted; the days already settled left out. With P_SINCE
-- (a run's watermark) only what can have changed since: see
-- policy_triggers(). With P_SHARES, only share P_SHARE's students
-- (plan_share()); with P_ASIDE_BEFORE, only the days set aside before then.
create function absence.plan_triggers(p_cfg absence.policy_config, p_at timestamptz,
                                      p_student_id text, p_since timestamptz default null,
                                      p_changed_students text[] default null,
                                      p_changed_days date[] default null,
                                      p_share integer default null,
                                      p_shares integer default null,
                                      p_aside_before timestamptz default null)
returns table (student_id text, school_day date, lesson_id bigint, mark text,
               due_at timestamptz, expires_at timestamptz, body text,
               state absence.trigger_state)
language sql stable
as $$
    -- (offset 0: the state is worked out once a row, not once for this
    -- filter and again for the row returned)
    select t.student_id, t.school_day, t.lesson_id, t.mark, t.due_at, t.expires_at, t.body,
           t.state
    from (select * from absence.policy_triggers(
                            p_cfg, p_at, absence.plan_window_from(p_cfg, p_at),
                            p_at - make_interval(secs => (p_cfg).send_delay),
                            p_student_id, true,
                            p_since - make_interval(secs => (p_cfg).send_delay),
                            p_changed_students, p_changed_days, p_share, p_shares,
                            p_aside_before)
          offset 0) t
    where t.state in ('due', 'expired', 'message-too-long', 'bad-student-id')
$$;

-- The settling step of plan() for every due student-day (p_student_id null)
-- or one student's: record each day in student_day, insert a pending
-- notification per recipient (expired ones as 'expired') and a
-- guardian_skip per guardian not texted; a day whose student ID cannot be
-- texted is set aside in plan_quarantine instead (days_quarantined counts
-- the days set aside for the first time). With p_student_id null
-- the students set aside after a planning error are left out: plan() tries
-- them one at a time, so that they cannot fail everyone else's run. With
-- P_SHARES, only share P_SHARE's students (plan_share()); with
-- P_ASIDE_BEFORE, only the days set aside before then.
--
-- The rows are inserted plainly, without ON CONFLICT: its speculative
-- insertion (a check of the key, a lock and a second WAL record a row)
-- cost a tenth of a large run. Nothing is lost by it: a day settled
-- already is not among the triggers, and runs are one at a time (plan()),
-- so a day's texts and skips exist only if its student_day row was
-- deleted by hand. The unique keys then fail the statement, and plan()
-- runs it again with P_KEEP_OUTPUTS, which keeps those rows and skips
-- their numbers: no number gets a second text.
create function absence.plan_days(
    p_cfg absence.policy_config,
    p_at timestamptz,
    p_box_id text,
    p_student_id text,
    p_since timestamptz default null,
    p_changed_students text[] default null,
    p_changed_days date[] default null,
    p_share integer default null,
    p_shares integer default null,
    p_aside_before timestamptz default null,
    p_keep_outputs boolean default false)
returns table (
    student_days integer, texts_planned integer, texts_expired integer,
    guardians_skipped integer, days_too_long integer, days_quarantined integer)
language sql
as $$
    with trig as (
        select t.*
        from absence.plan_triggers(p_cfg, p_at, p_student_id, p_since, p_changed_students,
                                   p_changed_days, p_share, p_shares, p_aside_before) t
        where (p_student_id is not null or not exists (
                select 1 from absence.plan_quarantine q
                 where q.student_key = md5(t.student_id) and q.school_day = t.school_day
                   and q.kind = 'planning-error' and q.resolved_at is null))
    ), set_aside as (
        insert into absence.plan_quarantine as q
            (student_id, student_key, school_day, kind, reason, box_id, first_seen_at,
             last_seen_at)
        select t.student_id, md5(t.student_id), t.school_day, 'bad-student-id',
               absence.student_id_problem(t.student_id, (p_cfg).allow_ucs2), p_box_id,
               clock_timestamp(), clock_timestamp()
        from trig t
        where t.state = 'bad-student-id'
        on conflict (student_key, school_day) do update
            set kind = excluded.kind, reason = excluded.reason, last_seen_at = clock_timestamp(),
                attempts = q.attempts + 1, resolved_at = null, box_id = excluded.box_id
        returning q.attempts
    ), settled as (
        insert into absence.student_day as d
            (student_id, school_day, lesson_id, outcome, box_id, trigger_mark, evaluated_at)
        select t.student_id, t.school_day, t.lesson_id,
               case t.state when 'due' then 'planned' else t.state::text end, p_box_id,
               t.mark, p_at
        from trig t
        where t.state <> 'bad-student-id'
        returning d.student_id, d.school_day, d.outcome
    ), outcome as (
        -- the days settled here are trig's (it leaves out those settled
        -- before, and runs are one at a time: see plan()), so their
        -- outcome comes from trig, not from a join with settled, which the
        -- planner, blind to either's size, made quadratic
        select t.student_id, t.school_day, t.lesson_id, t.due_at, t.expires_at, t.body,
               case t.state when 'due' then 'planned' else 'expired' end as outcome,
               g.guardian_id, g.recipient, g.skip_reason
        from trig t
        join absence.guardian_checks(p_cfg, array(
                 select distinct t.student_id from trig t where t.state in ('due', 'expired'))) g
          on g.student_id = t.student_id
        where t.state in ('due', 'expired')
    ), new_texts as not materialized (
        select o.student_id, o.guardian_id, o.lesson_id, o.school_day, o.recipient, o.body,
               case o.outcome when 'planned' then 'pending' else 'expired' end, o.due_at,
               o.expires_at, p_at
        from outcome o
        where o.skip_reason is null
    ), new_skips as not materialized (
        select o.student_id, o.school_day, o.guardian_id, o.lesson_id, o.skip_reason, o.recipient
        from outcome o
        where o.skip_reason is not null
    ), texts as (
        insert into absence.notification as n
            (student_id, guardian_id, lesson_id, school_day, recipient, body, status,
             due_at, expires_at, status_changed_at)
        select * from new_texts where not p_keep_outputs
        returning n.status
    ), skips as (
        insert into absence.guardian_skip as k
            (student_id, school_day, guardian_id, lesson_id, reason, recipient)
        select * from new_skips where not p_keep_outputs
        returning k.reason
    ), kept_texts as (
        -- the same, beside the texts and skips kept from before
        insert into absence.notification as n
            (student_id, guardian_id, lesson_id, school_day, recipient, body, status,
             due_at, expires_at, status_changed_at)
        select * from new_texts where p_keep_outputs
        on conflict (kind, student_id, school_day, recipient) do nothing
        returning n.status
    ), kept_skips as (
        insert into absence.guardian_skip as k
            (student_id, school_day, guardian_id, lesson_id, reason, recipient)
        select * from new_skips where p_keep_outputs
        on conflict do nothing
        returning k.reason
    )
    select (select count(*) from settled)::integer, t.pending::integer, t.expired::integer,
           ((select count(*) from skips) + (select count(*) from kept_skips))::integer,
           (select count(*) from settled where outcome = 'message-too-long')::integer,
           (select count(*) from set_aside where attempts = 1)::integer
    from (select count(*) filter (where x.status = 'pending') as pending,
                 count(*) filter (where x.status = 'expired') as expired
          from (select status from texts union all select status from kept_texts) x) t
$$;

-- plan_days() for each student in P_STUDENTS alone, each in a
-- subtransaction: a student whose rows make it fail has their due days set
-- aside in plan_quarantine with the database's error, and the others are
-- planned. The counts are the sum over the students that worked. (Each
-- keeps the texts and skips of a day whose student_day row was deleted: a
-- student at a time, what that costs does not count.)
create function absence.plan_each(
    p_cfg absence.policy_config,
    p_at timestamptz,
    p_box_id text,
    p_students text[])
returns table (
    student_days integer, texts_planned integer, texts_expired integer,
    guardians_skipped integer, days_too_long integer, days_quarantined integer)
language plpgsql
as $$
declare
    v_student text;
    v_one record;
    v_error text;
begin
    student_days := 0; texts_planned := 0; texts_expired := 0;
    guardians_skipped := 0; days_too_long := 0; days_quarantined := 0;
    foreach v_student in array coalesce(p_students, '{}') loop
        begin
            select * into v_one
              from absence.plan_days(p_cfg, p_at, p_box_id, v_student, p_keep_outputs => true);
            student_days := student_days + v_one.student_days;
            texts_planned := texts_planned + v_one.texts_planned;
            texts_expired := texts_expired + v_one.texts_expired;
            guardians_skipped := guardians_skipped + v_one.guardians_skipped;
            days_too_long := days_too_long + v_one.days_too_long;
            days_quarantined := days_quarantined + v_one.days_quarantined;
        exception when others then
            get stacked diagnostics v_error = message_text;
            days_quarantined := days_quarantined
                + absence.quarantine_error(p_cfg, p_at, p_box_id, v_student, v_error);
        end;
    end loop;
    return next;
end
$$;

-- Set aside P_STUDENT_ID's due days after planning them failed with
-- P_ERROR; the number of days set aside for the first time.
create function absence.quarantine_error(
    p_cfg absence.policy_config,
    p_at timestamptz,
    p_box_id text,
    p_student_id text,
    p_error text)
returns integer
language sql
as $$
    with days as (
        insert into absence.plan_quarantine as q
            (student_id, student_key, school_day, kind, reason, box_id, first_seen_at,
             last_seen_at)
        select distinct t.student_id, md5(t.student_id), t.school_day, 'planning-error',
               'planning failed: ' || p_error, p_box_id, clock_timestamp(), clock_timestamp()
        from absence.plan_triggers(p_cfg, p_at, p_student_id) t
        on conflict (student_key, school_day) do update
            set kind = excluded.kind, reason = excluded.reason, last_seen_at = clock_timestamp(),
                attempts = q.attempts + 1, resolved_at = null, box_id = excluded.box_id
        returning q.attempts
    )
    select count(*) filter (where attempts = 1)::integer from days
$$;

-- The students whose due days plan() finds at P_AT, each once: whom
-- plan_each() tries when planning them together failed.
create function absence.plan_students(p_cfg absence.policy_config, p_at timestamptz)
returns text[]
language sql stable
as $$
    select array_agg(distinct t.student_id) from absence.plan_triggers(p_cfg, p_at, null) t
$$;

-- The students with days set aside after a planning error that plan()
-- still looks at from P_AT: tried again, one at a time, at every run.
create function absence.quarantined_students(p_cfg absence.policy_config, p_at timestamptz)
returns text[]
language sql stable
as $$
    select array_agg(distinct q.student_id)
    from absence.plan_quarantine q
    where q.resolved_at is null and q.kind = 'planning-error'
      and q.school_day > (absence.plan_window_from(p_cfg, p_at) at time zone (p_cfg).timezone)::date
$$;

-- Days set aside that the run begun at P_RUN did not set aside again (rows
-- are stamped with the clock as they are written), within the window it
-- looked at: planned now, or their trigger is gone (the ID or the mark was
-- corrected). They are resolved, and kept.
create function absence.resolve_quarantine(p_cfg absence.policy_config, p_at timestamptz,
                                           p_run timestamptz)
returns integer
language sql
as $$
    with resolved as (
        update absence.plan_quarantine q
           set resolved_at = now()
         where q.resolved_at is null and q.last_seen_at < p_run
           and q.school_day
               > (absence.plan_window_from(p_cfg, p_at) at time zone (p_cfg).timezone)::date
        returning 1
    )
    select count(*)::integer from resolved
$$;

-- Record that a run covered everything due at P_AT with settings P_CFG
-- (fingerprint P_KEY): the next run starts from here, and the triggers
-- below note changes with these absent marks, zone and look-back.
create function absence.plan_watermark(p_cfg absence.policy_config, p_at timestamptz,
                                       p_key text)
returns void
language sql
as $$
    insert into absence.plan_state as s
        (only_row, planned_through, settings_key, absent_marks, timezone, lookback, updated_at)
    values (true, p_at, p_key, (p_cfg).absent_marks, (p_cfg).timezone,
            p_at - absence.plan_window_from(p_cfg, p_at), now())
    on conflict (only_row) do update
        set planned_through = excluded.planned_through, settings_key = excluded.settings_key,
            absent_marks = excluded.absent_marks, timezone = excluded.timezone,
            lookback = excluded.lookback, updated_at = excluded.updated_at
$$;

-- What the MIS changed, noted for those who look again. A register
-- changed (marks inserted, deleted or changed) notes its students for the
-- next look for concerns (absence.mark_change: see mark_change_bound() in
-- concerns.sql) and its student-days for the planner (absence.plan_change);
-- a lesson's times or register, or a student's status, changed notes
-- student-days for the planner. The planner's note holds the days of marks
-- absent by the last run's settings on lessons still in its window, and
-- nothing before the first run, which looks at everything. Each statement
-- that notes something for the planner wakes the boxes (NOTIFY
-- absence_plan). The functions run as the schema's owner, so the MIS needs
-- no right on the notes to write its registers (nor a change of roles at
-- the upgrade).
create function absence.wake_planner(p_noted integer)
returns void
language sql
as $$
    select case when p_noted > 0 then pg_notify('absence_plan', '') end
$$;

-- The student-day the planner notes for one changed mark, if any.
create function absence.plan_day_of_mark(p_lesson_id bigint, p_student_id text, p_mark text)
returns table (student_id text, school_day date)
language sql stable
as $$
    select p_student_id, (l.starts_at at time zone s.timezone)::date
      from absence.lesson l
      cross join absence.plan_state s
     where l.lesson_id = p_lesson_id and p_mark = any (s.absent_marks)
       and l.ends_at >= s.planned_through - s.lookback
$$;

-- Note changed marks (parallel arrays: lesson, student, mark): their
-- students for concerns, their student-days for the planner; the number of
-- student-days noted for the planner.
create function absence.note_changed_marks(p_lesson_ids bigint[], p_student_ids text[],
                                           p_marks text[])
returns integer
language sql
as $$
    with changed as (
        select * from unnest(p_lesson_ids, p_student_ids, p_marks) c (lesson_id, student_id, mark)
    ), for_concerns as (
        insert into absence.mark_change (student_id)
        select distinct c.student_id
          from changed c
          join absence.lesson l on l.lesson_id = c.lesson_id
         where l.starts_at < absence.mark_change_bound()
    ), for_planner as (
        insert into absence.plan_change (student_id, school_day)
        select distinct d.student_id, d.school_day
          from changed c
         cross join lateral absence.plan_day_of_mark(c.lesson_id, c.student_id, c.mark) d
        returning 1
    )
    select count(*)::integer from for_planner
$$;

-- A register statement's changed marks: the rows inserted or deleted
-- (changed_marks), or those an update changed, before and after.
create function absence.note_marks()
returns trigger
language plpgsql
security definer set search_path = pg_catalog, pg_temp
as $$
declare
    v_lessons bigint[];
    v_students text[];
    v_marks text[];
begin
    if tg_op = 'UPDATE' then
        with changed as (
            (select lesson_id, student_id, mark from new_marks
             except select lesson_id, student_id, mark from old_marks)
            union all
            (select lesson_id, student_id, mark from old_marks
             except select lesson_id, student_id, mark from new_marks)
        )
        select array_agg(lesson_id), array_agg(student_id), array_agg(mark)
          into v_lessons, v_students, v_marks
          from changed;
    else
        select array_agg(lesson_id), array_agg(student_id), array_agg(mark)
          into v_lessons, v_students, v_marks
          from changed_marks;
    end if;
    perform absence.wake_planner(absence.note_changed_marks(v_lessons, v_students, v_marks));
    return null;
end
$$;

create function absence.plan_note_lessons()
returns trigger
language plpgsql
security definer set search_path = pg_catalog, pg_temp
as $$
declare
    v_noted integer;
begin
    -- the day before and after a move: both may have changed
    insert into absence.plan_change (student_id, school_day)
    select distinct m.student_id, (d.starts_at at time zone s.timezone)::date
      from new_lessons n
      join old_lessons o on o.lesson_id = n.lesson_id
      cross join lateral (values (n.starts_at, n.ends_at), (o.starts_at, o.ends_at))
                 d (starts_at, ends_at)
      join absence.attendance_mark m on m.lesson_id = n.lesson_id
      cross join absence.plan_state s
     where (n.starts_at, n.ends_at, n.register_marked_at)
               is distinct from (o.starts_at, o.ends_at, o.register_marked_at)
       and m.mark = any (s.absent_marks) and d.ends_at >= s.planned_through - s.lookback;
    get diagnostics v_noted = row_count;
    perform absence.wake_planner(v_noted);
    return null;
end
$$;

create function absence.plan_note_students()
returns trigger
language plpgsql
security definer set search_path = pg_catalog, pg_temp
as $$
declare
    v_noted integer;
begin
    insert into absence.plan_change (student_id, school_day)
    select distinct m.student_id, (l.starts_at at time zone s.timezone)::date
      from new_students n
      join old_students o on o.student_id = n.student_id
      cross join absence.plan_state s
      join absence.attendance_mark m
        on m.student_id = n.student_id and m.mark = any (s.absent_marks)
      join absence.lesson l on l.lesson_id = m.lesson_id
     where n.status_code is distinct from o.status_code
       and l.ends_at >= s.planned_through - s.lookback;
    get diagnostics v_noted = row_count;
    perform absence.wake_planner(v_noted);
    return null;
end
$$;

create trigger attendance_mark_inserted_noted
    after insert on absence.attendance_mark
    referencing new table as changed_marks
    for each statement execute function absence.note_marks();
create trigger attendance_mark_updated_noted
    after update on absence.attendance_mark
    referencing old table as old_marks new table as new_marks
    for each statement execute function absence.note_marks();
create trigger attendance_mark_deleted_noted
    after delete on absence.attendance_mark
    referencing old table as changed_marks
    for each statement execute function absence.note_marks();
create trigger lesson_updated_for_plan
    after update on absence.lesson
    referencing old table as old_lessons new table as new_lessons
    for each statement execute function absence.plan_note_lessons();
create trigger student_updated_for_plan
    after update on absence.student
    referencing old table as old_students new table as new_students
    for each statement execute function absence.plan_note_students();

-- The next instant after P_AT at which planning has something new to look
-- at: an absent lesson's text falling due, or a planned text (a concern's,
-- say) or a confirmation falling due; null when none is known. The box
-- wakes then, with plan-interval as a fallback and NOTIFY absence_plan for
-- the MIS's changes.
create function absence.next_due(p_cfg absence.policy_config, p_at timestamptz default now())
returns timestamptz
language sql stable
as $$
    select least(
        (select l.ends_at + make_interval(secs => (p_cfg).send_delay)
           from absence.lesson l
          where l.ends_at > p_at - make_interval(secs => (p_cfg).send_delay)
            and exists (select 1 from absence.attendance_mark m
                         where m.lesson_id = l.lesson_id
                           and m.mark = any ((p_cfg).absent_marks))
          order by l.ends_at
          limit 1),
        (select min(q.due_at) from absence.text_queue q where q.due_at > p_at),
        (select min(c.due_at) from absence.confirmation_text c
          where c.status = 'pending' and c.due_at > p_at),
        (select min(a.text_due_at) from absence.attendance_concern a
          where a.text_due_at > p_at and a.texts_planned_at is null))
$$;

-- Where a run at P_AT starts (plan()): a running box's run that moves the
-- watermark, with the settings it was made with, at what changed since the
-- watermark; any other run (null) at the whole window.
create function absence.plan_since(p_cfg absence.policy_config, p_at timestamptz,
                                   p_running_box boolean)
returns timestamptz
language sql stable
as $$
    select s.planned_through from absence.plan_state s
     where p_running_box and p_at <= now() and p_at >= s.planned_through
       and s.settings_key = md5(p_cfg::text)
$$;

-- What a run started now would look at, before it starts: at (the
-- database's clock, the instant to plan at), began (when the run begins,
-- for resolve_quarantine()) and lessons, the lessons ending in the span it
-- looks at (none while sending is paused: the run settles nothing), the
-- span plan_triggers() gives policy_triggers(): from the window's start,
-- or after the watermark less send-delay, to send-delay ago. A box splits
-- a run of many lessons over several sessions (plan_share()).
-- (PL/pgSQL: sending_paused() is defined after this file.)
create function absence.plan_backlog(p_cfg absence.policy_config, p_running_box boolean)
returns table (at timestamptz, began timestamptz, lessons integer)
language plpgsql stable
as $$
begin
    return query
        select now(), clock_timestamp(), (
            select count(*)::integer from absence.lesson l
             -- greatest() ignores the null of a run without a watermark
             where l.ends_at >= greatest(absence.plan_window_from(p_cfg, now()),
                                         absence.plan_since(p_cfg, now(), p_running_box)
                                         - make_interval(secs => (p_cfg).send_delay)
                                         + interval '1 microsecond')
               and l.ends_at <= now() - make_interval(secs => (p_cfg).send_delay)
               and not exists (select 1 from absence.sending_paused()));
end
$$;

-- Before the shares of a split run at P_AT (plan_share()) that look at the
-- whole window (no watermark a box's run would start from:
-- plan_since()): note the MIS's changes from now on, as the triggers do
-- after a run, so that the run's end sees a register corrected while the
-- shares ran. The note is made by a watermark with a key that no settings
-- have (plan_since() stays null until the run's end moves the watermark).
create function absence.plan_begin_split(p_cfg absence.policy_config, p_at timestamptz)
returns void
language sql
as $$
    select absence.plan_watermark(p_cfg, p_at, 'split run')
     where absence.plan_since(p_cfg, p_at, true) is null
$$;

-- The note of changes (absence.plan_change) as it stands, left in place:
-- what each share of a split run looks at (plan_share()); the run that
-- ends it takes them (take_plan_changes()).
create function absence.peek_plan_changes(out students text[], out days date[])
language sql stable
security definer set search_path = pg_catalog, pg_temp
as $$
    select array_agg(student_id), array_agg(school_day) from absence.plan_change
$$;

-- The note of changes (absence.plan_change) read and emptied in one
-- statement: a change written meanwhile stays for the next run, and a run
-- that fails puts these back. As the owner, like the triggers writing it.
create function absence.take_plan_changes(out students text[], out days date[])
language sql
security definer set search_path = pg_catalog, pg_temp
as $$
    with gone as (delete from absence.plan_change returning student_id, school_day)
    select array_agg(student_id), array_agg(school_day) from gone
$$;

-- Settle every student-day whose trigger is due (or has expired unplanned)
-- at p_at (default: the database's clock), with plan_days(). Idempotent and
-- safe to run from several boxes at once: one run plans at a time. A
-- running box (p_running_box; p_box_id is recorded with what a run
-- settles) that finds another run under way skips its own, since
-- that run settles the same student-days, and goes on to claim instead of
-- waiting behind it; a run from absencectl waits its turn. A run
-- that loses a deadlock (with the MIS's writes, say) leaves its days to the
-- next run. A run costs what changed: it looks at the days that have
-- become due since the watermark of the last run (absence.plan_state) and
-- at those whose marks, register or student changed since
-- (absence.plan_change, emptied as it reads it); with other settings, no
-- watermark, p_at before it, or from absencectl, at the whole
-- window. Only a run at or after the watermark, and not ahead of the
-- clock, moves it. One student's
-- bad rows never stop the others: if
-- planning everyone together fails, each student is planned alone
-- (plan_each) and those that still fail are set aside with the error in
-- absence.plan_quarantine, to be tried again at every run.
-- p_at in the past replays the registers as they stand (how a college
-- rebuilds history); in the future it may settle nothing, because a mark
-- corrected before the text is due must still stop it: it raises instead.
-- While sending is paused (absence.sending_pause) it settles nothing, so
-- that registers corrected during the pause count once it is over.
-- It then looks for attendance concerns among the days over at p_at and
-- plans the concern texts due then (concerns.sql), at the same instant;
-- never ahead of the database's clock, where a day is not over yet.
--
-- A large run is split over several sessions: each runs plan_share() for
-- its share of the students at the same instant, at once, and then one
-- runs plan() with p_shares_began, the instant the shares began
-- (plan_backlog()'s began), and p_at theirs. The window up to p_at is then
-- settled: this run looks only at what changed and at the days set aside,
-- and ends the run as any run does (the watermark, the days set aside,
-- concerns). A share that failed leaves the whole run to plan(), without
-- p_shares_began.
create function absence.plan(
    p_cfg absence.policy_config,
    p_at timestamptz default null,
    p_box_id text default null,
    p_running_box boolean default false,
    p_shares_began timestamptz default null)
returns table (
    student_days integer, texts_planned integer, texts_expired integer,
    guardians_skipped integer, days_too_long integer, concerns_opened integer,
    concern_texts_planned integer, concern_texts_expired integer, days_quarantined integer)
language plpgsql
as $$
#variable_conflict use_column
declare
    v_at timestamptz := coalesce(p_at, now());
    v_run constant timestamptz := coalesce(p_shares_began, clock_timestamp());
    v_retry text[];
    v_done record;
    v_retried record;
    v_opened integer;
    v_concern record;
    v_key constant text := md5(p_cfg::text);
    v_state absence.plan_state;
    v_advances boolean;
    v_planned boolean := true;
    v_since timestamptz;
    v_students text[];
    v_days date[];
begin
    if p_shares_began is not null and p_at is null then
        raise exception 'a run ending shares needs their instant (p_at)';
    end if;
    if exists (select 1 from absence.sending_paused()) then
        return query select 0, 0, 0, 0, 0, 0, 0, 0, 0;
        return;
    end if;
    if not p_running_box then
        perform pg_advisory_xact_lock(hashtext('absence.plan'));
    elsif not pg_try_advisory_xact_lock(hashtext('absence.plan')) then
        return query select 0, 0, 0, 0, 0, 0, 0, 0, 0;
        return;
    end if;
    -- the students set aside after an error before this run: tried alone
    v_retry := absence.quarantined_students(p_cfg, v_at);
    select * into v_state from absence.plan_state;
    v_advances := v_at <= now() and (not found or v_at >= v_state.planned_through);
    -- a box's run looks at what changed; absencectl's (a person replaying
    -- registers, perhaps over outputs emptied since) at the whole window;
    -- one ending shares, at what changed since they began
    v_since := case when p_shares_began is not null then v_at
                    else absence.plan_since(p_cfg, v_at, p_running_box) end;
    begin
        if v_advances then
            select * into v_students, v_days from absence.take_plan_changes();
        end if;
        begin
            select * into v_done
              from absence.plan_days(p_cfg, v_at, p_box_id, null, v_since, v_students, v_days,
                                     null, null, p_shares_began);
        exception when unique_violation then
            -- a day with texts kept from before (see plan_days())
            select * into v_done
              from absence.plan_days(p_cfg, v_at, p_box_id, null, v_since, v_students, v_days,
                                     null, null, p_shares_began, p_keep_outputs => true);
        end;
    exception when deadlock_detected or serialization_failure or lock_not_available then
        -- this run's writes are undone: its days are left to the next run
        v_planned := false;
        select 0 as student_days, 0 as texts_planned, 0 as texts_expired,
               0 as guardians_skipped, 0 as days_too_long, 0 as days_quarantined
          into v_done;
    when others then
        -- each student alone, over the whole window: the watermark may move
        select * into v_done
          from absence.plan_each(p_cfg, v_at, p_box_id, absence.plan_students(p_cfg, v_at));
    end;
    select * into v_retried from absence.plan_each(p_cfg, v_at, p_box_id, v_retry);
    perform absence.resolve_quarantine(p_cfg, v_at, v_run);
    if v_advances and v_planned then
        perform absence.plan_watermark(p_cfg, v_at, v_key);
    end if;
    if v_at > now() and v_done.student_days + v_retried.student_days > 0 then
        raise exception 'planning at % would settle % student-days ahead of the database''s '
                        'clock (%): a register corrected before then could no longer stop a text',
                        v_at, v_done.student_days + v_retried.student_days, now()
            using hint = 'absencectl preview --at shows what would be planned then, writing nothing';
    end if;
    -- concerns only count days that are over by the database's clock too
    if v_at > now() then
        v_opened := 0;
        select 0 as planned, 0 as expired into v_concern;
    else
        v_opened := absence.detect_concerns(p_cfg, v_at, p_box_id);
        select * into v_concern from absence.plan_concern_texts(p_cfg, v_at);
    end if;
    return query select v_done.student_days + v_retried.student_days,
                        v_done.texts_planned + v_retried.texts_planned,
                        v_done.texts_expired + v_retried.texts_expired,
                        v_done.guardians_skipped + v_retried.guardians_skipped,
                        v_done.days_too_long + v_retried.days_too_long,
                        v_opened, v_concern.planned, v_concern.expired,
                        v_done.days_quarantined + v_retried.days_quarantined;
end
$$;

-- Share P_SHARE (0 to P_SHARES - 1) of a run at P_AT split over P_SHARES
-- sessions: plan_days() for the students absence.in_share() puts in it,
-- over what plan() would look at (plan_since()) and the changes noted
-- (left in place). Shares run at once beside each other, never beside a
-- whole run (the same lock, shared) nor beside the same share of another
-- box's split run; a running box's share that finds such a run under way
-- gives way, absencectl's waits. It moves nothing (the
-- watermark, the days set aside, the note of changes): plan() with
-- p_shares_began ends the run. Its counts are plan()'s (a share looks for
-- no concerns: those are 0). complete is false when the share planned
-- nothing because it gave way, sending is paused, or planning its
-- students together failed (its writes undone): plan() must then do the
-- whole run.
create function absence.plan_share(
    p_cfg absence.policy_config,
    p_at timestamptz,
    p_box_id text,
    p_running_box boolean,
    p_share integer,
    p_shares integer)
returns table (
    student_days integer, texts_planned integer, texts_expired integer,
    guardians_skipped integer, days_too_long integer, concerns_opened integer,
    concern_texts_planned integer, concern_texts_expired integer, days_quarantined integer,
    complete boolean)
language plpgsql
as $$
declare
    v_since timestamptz;
    v_students text[];
    v_days date[];
begin
    if p_at is null or p_shares is null or p_shares < 1 or p_share is null or p_share < 0
       or p_share >= p_shares then
        raise exception 'share % of % at % is not a share of a run', p_share, p_shares, p_at
            using hint = 'shares are numbered 0 to p_shares - 1, all at one instant';
    end if;
    if exists (select 1 from absence.sending_paused()) then
        return query select 0, 0, 0, 0, 0, 0, 0, 0, 0, false;
        return;
    end if;
    if not p_running_box then
        perform pg_advisory_xact_lock_shared(hashtext('absence.plan'));
        perform pg_advisory_xact_lock(hashtext('absence.plan_share'), p_share);
    elsif not (pg_try_advisory_xact_lock_shared(hashtext('absence.plan'))
               and pg_try_advisory_xact_lock(hashtext('absence.plan_share'), p_share)) then
        return query select 0, 0, 0, 0, 0, 0, 0, 0, 0, false;
        return;
    end if;
    v_since := absence.plan_since(p_cfg, p_at, p_running_box);
    if v_since is not null then
        select * into v_students, v_days from absence.peek_plan_changes();
    end if;
    begin
        return query
            select d.student_days, d.texts_planned, d.texts_expired, d.guardians_skipped,
                   d.days_too_long, 0, 0, 0, d.days_quarantined, true
              from absence.plan_days(p_cfg, p_at, p_box_id, null, v_since, v_students, v_days,
                                     p_share, p_shares) d;
    exception when others then
        return query select 0, 0, 0, 0, 0, 0, 0, 0, 0, false;
    end;
end
$$;

-- The student-days set aside (absence.plan_quarantine) that still need a
-- person: not resolved, and set aside again by a run of the last day (older
-- ones are out of the planner's window: too late to text).
create function absence.open_quarantine(p_at timestamptz default now())
returns setof absence.plan_quarantine
language sql stable
as $$
    select * from absence.plan_quarantine q
     where q.resolved_at is null and q.last_seen_at > p_at - interval '1 day'
$$;

-- The student-days set aside, newest first, as absencectl quarantine shows
-- them: the open ones (absence.open_quarantine), or with p_all every one
-- kept, resolved ones too. A student ID too long to show is cut, saying so;
-- student_key (md5 of the whole ID) finds one student's rows.
create function absence.quarantine_list(p_cfg absence.policy_config, p_all boolean,
                                        p_machine boolean)
returns table (student_id text, school_day date, kind text, reason text, first_seen text,
               last_seen text, runs integer, resolved text, student_key text)
language sql stable
as $$
    select case when length(q.student_id) > 40
                then left(q.student_id, 32) || format('... (%s characters)', length(q.student_id))
                else q.student_id end,
           q.school_day, q.kind, q.reason,
           absence.shown_time(q.first_seen_at, (p_cfg).timezone, p_machine,
                              'YYYY-MM-DD HH24:MI:SS'),
           absence.shown_time(q.last_seen_at, (p_cfg).timezone, p_machine,
                              'YYYY-MM-DD HH24:MI:SS'),
           q.attempts,
           absence.shown_time(q.resolved_at, (p_cfg).timezone, p_machine,
                              'YYYY-MM-DD HH24:MI:SS'),
           q.student_key
      from absence.plan_quarantine q
     where p_all or q.quarantine_id in (select o.quarantine_id from absence.open_quarantine() o)
     order by q.last_seen_at desc, q.quarantine_id desc
$$;
