-- concerns.sql: attendance concerns (README, "7. Attendance concerns"):
-- which days count, when a pattern opens a concern, when its text goes and
-- to whom, and what staff do with it. absence.plan() calls
-- detect_concerns() and plan_concern_texts() at the instant it evaluates,
-- so a replay with absencectl plan --at rebuilds the same concerns and texts.
--
-- A student's school days are the college dates on which they have a lesson
-- with a mark; an absence day is a school day on which any current mark is
-- absent (absent-marks). A day counts once it is over (its latest-send-time
-- has passed), and only within a term (absence.term).

-- The last college date that is over at p_at.
create function absence.last_day_over(p_cfg absence.policy_config, p_at timestamptz)
returns date
language sql stable
as $$
    select ((p_at at time zone (p_cfg).timezone) - (p_cfg).latest_send_time::interval)::date
$$;

-- The instant p_day's p_time at the college.
create function absence.college_instant(p_cfg absence.policy_config, p_day date, p_time time)
returns timestamptz
language sql stable
as $$
    select (p_day + p_time) at time zone (p_cfg).timezone
$$;

-- The weekdays (Monday to Friday) after p_day, nearest first, a fortnight of them.
create function absence.weekdays_after(p_day date)
returns table (day date)
language sql immutable
as $$
    select d::date from generate_series(p_day + 1, p_day + 20, interval '1 day') d
     where extract(isodow from d) < 6
     order by d
$$;

-- When a concern found at p_at may be texted: at the next concern-send-time
-- on a weekday (today's, if it is still to come); until latest-send-time
-- on the second weekday after p_completed_on, the day that completed the
-- pattern ("within two school days"). A text due after its expiry is
-- recorded as expired, never sent late.
create function absence.concern_text_due(p_cfg absence.policy_config, p_at timestamptz)
returns timestamptz
language sql stable
as $$
    select min(absence.college_instant(p_cfg, w.day, (p_cfg).concern_send_time))
      from absence.weekdays_after((p_at at time zone (p_cfg).timezone)::date - 1) w
     where absence.college_instant(p_cfg, w.day, (p_cfg).concern_send_time) >= p_at
$$;

create function absence.concern_text_expiry(p_cfg absence.policy_config, p_completed_on date)
returns timestamptz
language sql stable
as $$
    select absence.college_instant(p_cfg, w.day, (p_cfg).latest_send_time)
      from absence.weekdays_after(p_completed_on) w
     order by w.day
     offset 1 limit 1
$$;

-- A concern text (concern-template).
create function absence.render_concern(p_template text, p_link text, p_student_id text,
                                       p_days integer)
returns text
language sql immutable
as $$
    select absence.render_template(p_template, p_link, p_student_id, '{days}', p_days::text)
$$;

-- Every student's absence days in [p_from, p_to] (college dates), with the
-- earliest absent lesson of each, the marks as they stand. Only students
-- whose status the policy texts (student-status-pattern). Read by lesson
-- time; student_absence_days() is the same for one student, read by
-- student: a look finds whom to count with the first and reads their days
-- with the second (tests/e2e/test_concern_replay.sh holds the outcome to
-- the oracle's independent model).
create function absence.absence_days(p_cfg absence.policy_config, p_from date, p_to date)
returns table (student_id text, day date, lesson_id bigint)
language sql stable
as $$
    select m.student_id, (l.starts_at at time zone (p_cfg).timezone)::date,
           (array_agg(l.lesson_id order by l.starts_at, l.lesson_id))[1]
      from absence.lesson l
      join absence.attendance_mark m on m.lesson_id = l.lesson_id
      join absence.student s on s.student_id = m.student_id
     where l.starts_at >= absence.college_instant(p_cfg, p_from, '00:00')
       and l.starts_at < absence.college_instant(p_cfg, p_to + 1, '00:00')
       and m.mark = any ((p_cfg).absent_marks)
       and s.status_code like (p_cfg).student_status_pattern
     group by 1, 2
$$;

create function absence.student_absence_days(p_cfg absence.policy_config, p_student_id text,
                                             p_from date, p_to date)
returns table (day date, lesson_id bigint)
language sql stable
as $$
    select (l.starts_at at time zone (p_cfg).timezone)::date,
           (array_agg(l.lesson_id order by l.starts_at, l.lesson_id))[1]
      from absence.attendance_mark m
      join absence.lesson l on l.lesson_id = m.lesson_id
     where m.student_id = p_student_id
       and m.mark = any ((p_cfg).absent_marks)
       and l.starts_at >= absence.college_instant(p_cfg, p_from, '00:00')
       and l.starts_at < absence.college_instant(p_cfg, p_to + 1, '00:00')
     group by 1
$$;

-- A student's school days in [p_from, p_to]: the dates on which they have
-- a lesson with a mark, whatever the mark.
create function absence.student_school_days(p_cfg absence.policy_config, p_student_id text,
                                            p_from date, p_to date)
returns table (day date)
language sql stable
as $$
    select distinct (l.starts_at at time zone (p_cfg).timezone)::date
      from absence.attendance_mark m
      join absence.lesson l on l.lesson_id = m.lesson_id
     where m.student_id = p_student_id
       and l.starts_at >= absence.college_instant(p_cfg, p_from, '00:00')
       and l.starts_at < absence.college_instant(p_cfg, p_to + 1, '00:00')
$$;

-- The students whose days must be counted at a look at p_last after one at
-- p_since (null: the first look in p_term, which counts every student with
-- an absence day in it): those absent on a day since, and those whose marks
-- changed since (absence.mark_change). A pattern can appear for no one else.
create function absence.concern_students(p_cfg absence.policy_config, p_term absence.term,
                                         p_since date, p_last date)
returns table (student_id text)
language sql stable
as $$
    select a.student_id
      from absence.absence_days(p_cfg, greatest(p_term.starts_on, p_since + 1), p_last) a
    union
    select c.student_id
      from absence.mark_change c
      join absence.student s on s.student_id = c.student_id
     where p_since is not null and s.status_code like (p_cfg).student_status_pattern
$$;

-- The patterns in p_term's days up to p_last that open a concern, for rules
-- not yet opened for the student and term, among the students
-- concern_students() names:
--   consecutive: absence days on concern-consecutive-days of the student's
--     school days in a row (days without lessons do not break a run); the
--     days are the first that many of the earliest such run;
--   cumulative: concern-term-days absence days in the term; the days are the
--     first that many.
-- With each, the lesson of the day that completed it and the term's absence
-- days so far. Planned afresh at each call (once a day), with the settings
-- and the day as values, so that PostgreSQL reads only those students.
create function absence.concern_patterns(p_cfg absence.policy_config, p_term absence.term,
                                         p_since date, p_last date)
returns table (student_id text, rule text, days date[], lesson_id bigint, term_days integer)
language plpgsql stable
as $function$
begin
    return query execute $$
    with students as materialized (
        select * from absence.concern_students($1, $2, $3, $4)
    ), absent as materialized (
        select s.student_id, d.day, d.lesson_id
          from students s
         cross join lateral absence.student_absence_days($1, s.student_id, ($2).starts_on, $4) d
    ), counted as (
        select a.student_id, count(*)::integer as term_days
          from absent a
         group by a.student_id
        having count(*) >= least(($1).concern_consecutive_days, ($1).concern_term_days)
    ), wanted as materialized (
        select c.student_id, c.term_days, r.rule
          from counted c
         cross join (values ('consecutive', ($1).concern_consecutive_days),
                            ('cumulative', ($1).concern_term_days)) r(rule, threshold)
         where c.term_days >= r.threshold
           and not exists (select 1 from absence.attendance_concern k
                            where k.student_id = c.student_id and k.term_id = ($2).term_id
                              and k.rule = r.rule)
    ), school as (
        select w.student_id, d.day, a.lesson_id, a.day is not null as absent
          from wanted w
         cross join lateral absence.student_school_days($1, w.student_id, ($2).starts_on, $4) d
          left join absent a on a.student_id = w.student_id and a.day = d.day
         where w.rule = 'consecutive'
    ), numbered as (
        -- consecutive absence days share (position among all school days -
        -- position among absence days)
        select s.*, row_number() over (partition by s.student_id order by s.day)
                    - row_number() over (partition by s.student_id, s.absent order by s.day)
                    as island
          from school s
    ), runs as (
        select n.student_id, array_agg(n.day order by n.day) as days,
               array_agg(n.lesson_id order by n.day) as lessons
          from numbered n
         where n.absent
         group by n.student_id, n.island
        having count(*) >= ($1).concern_consecutive_days
    ), consecutive as (
        select distinct on (r.student_id) r.student_id, 'consecutive'::text as rule,
               r.days[1:($1).concern_consecutive_days] as days,
               r.lessons[($1).concern_consecutive_days] as lesson_id
          from runs r
         order by r.student_id, r.days[1]
    ), cumulative as (
        select a.student_id, 'cumulative'::text as rule,
               (array_agg(a.day order by a.day))[1:($1).concern_term_days] as days,
               (array_agg(a.lesson_id order by a.day))[($1).concern_term_days] as lesson_id
          from absent a
         where a.student_id in (select w.student_id from wanted w where w.rule = 'cumulative')
         group by a.student_id
    )
    select f.student_id, f.rule, f.days, f.lesson_id, c.term_days
      from (select * from consecutive union all select * from cumulative) f
      join counted c on c.student_id = f.student_id
    $$ using p_cfg, p_term, p_since, p_last;
end
$function$;

-- Look for concerns at p_at, once per day that is over: the first planning
-- run after a day's latest-send-time counts, with the marks as they stand,
-- the days of every student absent since the last look or whose marks
-- changed since (every student, at the first look in a term), in every term
-- that has days since the last look (the term of p_at's last day, the first
-- time); later runs that day cost one look-up. A replay at an instant whose
-- day was already looked at adds nothing. Returns the concerns opened.
create function absence.detect_concerns(p_cfg absence.policy_config, p_at timestamptz,
                                        p_box_id text)
returns integer
language plpgsql
set jit = off
as $$
declare
    v_last constant date := absence.last_day_over(p_cfg, p_at);
    v_previous date;
    v_opened integer := 0;
    v_count integer;
    v_term absence.term;
begin
    select max(school_day) into v_previous from absence.concern_check;
    if v_previous >= v_last then
        return 0;
    end if;
    -- claim the day: another box planning at once waits here, then finds it
    insert into absence.concern_check (school_day, day_ends_at, evaluated_at, box_id, opened)
    values (v_last, absence.college_instant(p_cfg, v_last + 1, '00:00'), p_at, p_box_id, 0)
    on conflict do nothing;
    if not found then
        return 0;
    end if;
    for v_term in
        select * from absence.term t
         where t.starts_on <= v_last and t.ends_on >= coalesce(v_previous, v_last)
         order by t.starts_on, t.term_id
    loop
        with opened as (
            insert into absence.attendance_concern as k
                (student_id, term_id, rule, absence_days, detected_at, completed_on, lesson_id,
                 term_absence_days, text_due_at, text_expires_at, box_id)
            select p.student_id, v_term.term_id, p.rule, p.days, p_at,
                   p.days[cardinality(p.days)], p.lesson_id, p.term_days,
                   absence.concern_text_due(p_cfg, p_at),
                   absence.concern_text_expiry(p_cfg, p.days[cardinality(p.days)]), p_box_id
              from absence.concern_patterns(p_cfg, v_term,
                       case when v_previous >= v_term.starts_on then v_previous end,
                       least(v_term.ends_on, v_last)) p
             -- an ID that cannot be texted is set aside by plan(), not opened here
             where absence.student_id_problem(p.student_id, true) is null
             order by p.student_id, p.rule
            on conflict do nothing
            returning 1
        )
        select count(*) into v_count from opened;
        v_opened := v_opened + v_count;
    end loop;
    delete from absence.mark_change;
    update absence.concern_check set opened = v_opened where school_day = v_last;
    return v_opened;
end
$$;

-- A register changed: its students are remembered (absence.mark_change,
-- written by the triggers on attendance_mark in plan.sql) when the lesson
-- is on a day already looked at for concerns (later days are counted
-- anyway), so that the next look counts their days again. The lessons
-- before this instant are on such days (null: none looked at).
create function absence.mark_change_bound()
returns timestamptz
language sql stable
as $$
    select max(day_ends_at) from absence.concern_check
$$;

-- The text of concern P_CONCERN.
create function absence.concern_body(p_cfg absence.policy_config,
                                     p_concern absence.attendance_concern)
returns text
language sql immutable
as $$
    select absence.render_concern((p_cfg).concern_template, (p_cfg).report_link,
                                  p_concern.student_id, p_concern.term_absence_days)
$$;

-- Plan the texts of concerns due at p_at: one per number as for an absence
-- text, to the guardians the absence text would go to (the others recorded
-- in concern_skip with the reason), as expired when p_at is past the
-- concern's expiry; none when the text would not fit one SMS (a student ID
-- longer than the start-up check allows for). Two concerns of a student
-- planned together give one text a number (one text of a kind per number,
-- student and day). A run with nothing due costs one index look-up.
create function absence.plan_concern_texts(p_cfg absence.policy_config, p_at timestamptz)
returns table (planned integer, expired integer, skipped integer)
language plpgsql
as $$
#variable_conflict use_column
begin
    if not exists (select 1 from absence.attendance_concern k
                    where k.texts_planned_at is null and k.text_due_at <= p_at) then
        return query select 0, 0, 0;
        return;
    end if;
    return query
    with due as (
        update absence.attendance_concern k
           set texts_planned_at = p_at
         where k.texts_planned_at is null and k.text_due_at <= p_at
        returning k.*
    ), outcome as (
        select d.concern_id, d.student_id, d.lesson_id, d.text_due_at, d.text_expires_at,
               absence.concern_body(p_cfg, d::absence.attendance_concern) as body,
               p_at > d.text_expires_at or d.text_due_at > d.text_expires_at as too_late,
               g.guardian_id, g.recipient, g.skip_reason
          from due d
          join absence.guardian_checks(p_cfg, array(select distinct d.student_id from due d)) g
            on g.student_id = d.student_id
    ), texts as (
        insert into absence.notification as n
            (kind, concern_id, student_id, guardian_id, lesson_id, school_day, recipient, body,
             status, due_at, expires_at, status_changed_at)
        select 'concern', o.concern_id, o.student_id, o.guardian_id, o.lesson_id,
               (o.text_due_at at time zone (p_cfg).timezone)::date, o.recipient, o.body,
               case when o.too_late then 'expired' else 'pending' end,
               o.text_due_at, o.text_expires_at, p_at
          from outcome o
         where o.skip_reason is null and absence.concern_fits(o.body, p_cfg)
         order by o.concern_id, o.guardian_id
        on conflict do nothing
        returning n.status
    ), skips as (
        insert into absence.concern_skip as s (concern_id, guardian_id, reason, recipient, created_at)
        select o.concern_id, o.guardian_id, o.skip_reason, o.recipient, p_at
          from outcome o
         where o.skip_reason is not null
        on conflict do nothing
        returning 1
    )
    select (select count(*) from texts where status = 'pending')::integer,
           (select count(*) from texts where status = 'expired')::integer,
           (select count(*) from skips)::integer;
end
$$;

-- ---- what staff do -------------------------------------------------------

-- Move a concern to meeting or closed with a note: meeting from open or
-- notified, closed from any state but closed (closed is final). Every move
-- is kept in concern_action. Returns the concern as it now is.
create function absence.move_concern(p_concern_id bigint, p_state text, p_actor text,
                                     p_note text)
returns absence.attendance_concern
language plpgsql
as $$
declare
    v_concern absence.attendance_concern;
begin
    if coalesce(btrim(p_note), '') = '' then
        raise exception 'say what happened with --note "..."; every step of a concern is recorded';
    end if;
    select * into v_concern from absence.attendance_concern
     where concern_id = p_concern_id for update;
    if not found then
        raise exception 'there is no concern %', p_concern_id;
    end if;
    if v_concern.state = 'closed' then
        raise exception '%', format('concern %s was closed on %s: a closed concern stays closed',
                                    p_concern_id, v_concern.closed_at);
    end if;
    if p_state = 'meeting' and v_concern.state = 'meeting' then
        raise exception 'concern % is already at the meeting stage: close it with its outcome',
            p_concern_id;
    end if;
    if p_state not in ('meeting', 'closed') then
        raise exception 'a concern can be moved to meeting or closed, not %', p_state;
    end if;
    insert into absence.concern_action (concern_id, state_before, state_after, actor, note)
    values (p_concern_id, v_concern.state, p_state, p_actor, p_note);
    update absence.attendance_concern
       set state = p_state, note = p_note,
           closed_at = case when p_state = 'closed' then now() end
     where concern_id = p_concern_id
    returning * into v_concern;
    return v_concern;
end
$$;

-- What became of a concern's texts, in words: "delivered to 2 of 2",
-- "due 09:30 Thu 12 Nov", "expired: ...", "no guardian can be texted".
create function absence.concern_text_summary(p_cfg absence.policy_config,
                                             p_concern absence.attendance_concern)
returns text
language sql stable
as $$
    with texts as (
        select n.status from absence.notification n
         where n.concern_id = p_concern.concern_id
    )
    select case
        when p_concern.texts_planned_at is null then
            'due ' || to_char(p_concern.text_due_at at time zone (p_cfg).timezone,
                              'HH24:MI Dy DD Mon')
        when not absence.concern_fits(absence.concern_body(p_cfg, p_concern), p_cfg) then
            'no text: it would not fit one SMS (a long student ID)'
        when not exists (select 1 from texts) then
            case when exists (select 1 from absence.attendance_concern o
                               join absence.notification n on n.concern_id = o.concern_id
                              where o.student_id = p_concern.student_id
                                and o.term_id = p_concern.term_id
                                and o.texts_planned_at = p_concern.texts_planned_at)
                 then 'sent with the other concern found then'
                 else 'no text: no guardian can be texted' end
        else (select string_agg(format('%s %s', count, status), ', ' order by position)
                from (select t.status, s.position, count(*) as count
                        from texts t join absence.notification_status s on s.status = t.status
                       group by t.status, s.position) c)
    end
$$;

-- Concerns as absencectl concerns lists them: those not closed (p_all:
-- every one), of term p_term_id when given, oldest first; times as
-- absence.shown_time() shows them for p_machine.
create function absence.concern_list(p_cfg absence.policy_config, p_all boolean,
                                     p_term_id bigint, p_student_id text,
                                     p_machine boolean default false)
returns table (concern bigint, student text, term bigint, rule text, days text,
               term_absence_days integer, detected text, state text, texts text, note text)
language sql stable
as $$
    select k.concern_id, k.student_id, k.term_id, k.rule,
           array_to_string(k.absence_days, ' '), k.term_absence_days,
           absence.shown_time(k.detected_at, (p_cfg).timezone, p_machine, 'YYYY-MM-DD HH24:MI'),
           k.state, absence.concern_text_summary(p_cfg, k), coalesce(k.note, '')
      from absence.attendance_concern k
     where (p_all or k.state <> 'closed')
       and (p_term_id is null or k.term_id = p_term_id)
       and (p_student_id is null or k.student_id = p_student_id)
     order by k.detected_at, k.concern_id
$$;
