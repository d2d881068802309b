-- triggers.sql: which absence triggers a text (README, "The rules": the
-- trigger), and the words absencectl explain uses for each state.

-- The states of a student-day's trigger lesson at an instant; the list is
-- here and nowhere else. policy_triggers() gives them, plan() acts on them,
-- trigger_explanation() puts each into words.
create type absence.trigger_state as enum (
    'settled',              -- the planner already decided this day (settled_outcome)
    'status-not-eligible',  -- the student's status_code does not match the pattern
    'register-not-marked',  -- the trigger lesson's register has not been taken
    'register-late',        -- it was taken after the lesson ended: no text that day
    'bad-student-id',       -- the ID cannot be texted (student_id_problem): set aside
    'expired',              -- past ends_at + max-lateness or the latest send time
    'not-yet-due',          -- before ends_at + send-delay
    'message-too-long',     -- the text would not fit max-segments
    'due'                   -- a text is to be planned now
);

-- What makes a student ID unfit to be texted, in words naming the character
-- and its position, or null when it is fit: empty, longer than 64
-- characters, blank at either end, a control or invisible character, or
-- (unless allow-ucs2) a character outside the GSM alphabet. Rows written
-- since migration 010 cannot have the first four (student_id_usable, its
-- twin there); older rows can, and such days are set aside, never sent.
-- (student_id_problem() below answers for most IDs without this.)
create function absence.student_id_problem_found(p_student_id text, p_allow_ucs2 boolean)
returns text
language plpgsql immutable
as $$
declare
    v_at integer;
begin
    if p_student_id = '' then
        return 'the student ID is empty';
    elsif length(p_student_id) > 64 then
        return format('the student ID is %s characters long; an ID may have at most 64',
                      length(p_student_id));
    end if;
    v_at := regexp_instr(p_student_id,
        '[\x01-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]');
    if v_at > 0 then
        return format('the student ID has a control or invisible character (U+%s) at '
                      'position %s', absence.code_point(substr(p_student_id, v_at, 1)), v_at);
    elsif p_student_id <> btrim(p_student_id) then
        return 'the student ID begins or ends with a blank';
    elsif p_allow_ucs2 or absence.gsm_septets(p_student_id) is not null then
        return null;
    end if;
    for v_at in 1 .. length(p_student_id) loop
        if absence.gsm_septets(substr(p_student_id, v_at, 1)) is null then
            return format('the student ID has a character outside the GSM alphabet (U+%s) at '
                          'position %s, and allow-ucs2 is off',
                          absence.code_point(substr(p_student_id, v_at, 1)), v_at);
        end if;
    end loop;
    return null;
end
$$;

-- What student_id_problem_found() says of an ID. An ID of letters, digits
-- and - / . _ alone is fit: one regular expression, inlined where this is
-- called, answers for nearly every ID, and the rules are read out only for
-- the others.
create function absence.student_id_problem(p_student_id text, p_allow_ucs2 boolean)
returns text
language sql immutable
as $$
    -- (no character outside the class: a bounded repetition such as
    -- {1,64} made the expression ten times slower)
    select case when p_student_id <> '' and length(p_student_id) <= 64
                     and p_student_id !~ '[^-0-9A-Za-z/._]' then null
                else absence.student_id_problem_found(p_student_id, p_allow_ucs2) end
$$;

-- A character's Unicode code point as U+ hex digits are written: 0009, 1F600.
create function absence.code_point(p_char text)
returns text
language sql immutable strict
as $$
    select case when ascii(p_char) < 4096 then lpad(upper(to_hex(ascii(p_char))), 4, '0')
                else upper(to_hex(ascii(p_char))) end
$$;

-- Whether P_STUDENT_ID is in share P_SHARE of P_SHARES (0 to P_SHARES - 1),
-- or P_SHARES is null (no split): a large planning run is split over
-- several sessions by student, each student in exactly one share, so that
-- each share settles whole student-days and no two shares write the same
-- row. Not strict, so that it is inlined where it is called.
create function absence.in_share(p_student_id text, p_share integer, p_shares integer)
returns boolean
language sql immutable
as $$
    select p_shares is null or (hashtext(p_student_id) & 2147483647) % p_shares = p_share
$$;

-- policy_triggers()' trigger lessons over the whole window [p_from, p_to]
-- (a box's first run, absencectl plan, a preview): each student-day with
-- an absent lesson ending in it, and that day's first absent lesson (the
-- days settled left out with p_unsettled_only). In one pass over the
-- absent marks of the lessons of the window's days, each lesson's by its
-- key: what it reads does not grow with the marks of other days. With
-- p_shares, only the students of share p_share (absence.in_share).
create function absence.window_trigger_lessons(p_cfg absence.policy_config,
                                               p_from timestamptz, p_to timestamptz,
                                               p_unsettled_only boolean, p_share integer,
                                               p_shares integer)
returns table (student_id text, school_day date, lesson_id bigint, starts_at timestamptz,
               ends_at timestamptz, register_marked_at timestamptz, mark text)
language sql stable
as $$
    with window_days as (
        -- the school days of the lessons ending in the window
        select (min(l.starts_at) at time zone (p_cfg).timezone)::date as first_day,
               (max(l.starts_at) at time zone (p_cfg).timezone)::date as last_day
        from absence.lesson l
        where l.ends_at >= p_from and l.ends_at <= p_to
    ), window_marks as (
        -- every absent mark of those days' lessons, each lesson's through
        -- (lesson_id, mark), in one sort: each student-day's first absent
        -- lesson, and whether one of that day's absent lessons ends in the
        -- window
        select distinct on (m.student_id collate "C", l.school_day)
               m.student_id, l.school_day,
               l.lesson_id, l.starts_at, l.ends_at, l.register_marked_at, m.mark,
               bool_or(l.ends_at >= p_from and l.ends_at <= p_to) over w as in_window
        from window_days wd
        -- (each lesson's day worked out once, not once for each of its
        -- absent marks and again for each use: offset 0 keeps it here)
        join lateral (
            select l.lesson_id, l.starts_at, l.ends_at, l.register_marked_at,
                   (l.starts_at at time zone (p_cfg).timezone)::date as school_day
              from absence.lesson l
             where l.starts_at >= wd.first_day::timestamp at time zone (p_cfg).timezone
               and l.starts_at < (wd.last_day + 1)::timestamp at time zone (p_cfg).timezone
            offset 0) l on true
        cross join lateral (
            select m.student_id, m.mark from absence.attendance_mark m
             where m.lesson_id = l.lesson_id and m.mark = any ((p_cfg).absent_marks)
               and absence.in_share(m.student_id, p_share, p_shares)
            offset 0) m
        -- the days settled left out here, below the sort, which reads all
        -- of this before plan_days() settles a day: above it, each look-up
        -- came after some of the days were written, and read them again
        -- (a run read each day written before it, thousands of times)
        where not exists (
            select 1 from absence.student_day d
            where p_unsettled_only
              and d.student_id = m.student_id
              and d.school_day = l.school_day)
        -- (the order of IDs is byte order: it only groups them, and a
        -- locale's comparison costs more)
        window w as (partition by m.student_id collate "C", l.school_day
                     order by l.starts_at, l.lesson_id
                     rows between unbounded preceding and unbounded following)
        order by m.student_id collate "C", l.school_day, l.starts_at, l.lesson_id
    )
    select w.student_id, w.school_day, w.lesson_id, w.starts_at, w.ends_at,
           w.register_marked_at, w.mark
    from window_marks w
    where w.in_window
$$;

-- window_trigger_lessons() as policy_triggers() calls it: in PL/pgSQL,
-- which PostgreSQL does not inline, so that a run since a watermark, which
-- never calls it, does not pay for planning it at every tick (5 ms at
-- 500,000 students).
create function absence.window_triggers(p_cfg absence.policy_config, p_from timestamptz,
                                        p_to timestamptz, p_unsettled_only boolean,
                                        p_share integer default null,
                                        p_shares integer default null)
returns table (student_id text, school_day date, lesson_id bigint, starts_at timestamptz,
               ends_at timestamptz, register_marked_at timestamptz, mark text)
language plpgsql stable
as $$
begin
    return query select * from absence.window_trigger_lessons(p_cfg, p_from, p_to,
                                                              p_unsettled_only, p_share,
                                                              p_shares);
end
$$;

-- For each student and school day with an absent mark on a lesson ending in
-- [p_from, p_to]: the trigger lesson (the earliest absent one of that day),
-- its timing, the rendered text, and its state at p_at. The first state
-- that applies wins, in the order of the type above. p_unsettled_only
-- leaves out the days already settled (the planner's view).
-- With p_since (the planner's watermark, plan.sql), only the days with an
-- absent lesson ending after p_since, the days in p_changed_students and
-- p_changed_days (pairs: marks, register or student changed since) and the
-- days set aside and still open: everything whose state can have changed
-- since a run that looked at the window up to p_since.
-- What it reads does not grow with the marks of other days (a term's
-- history): the whole window (no p_since, everyone) reads the marks of the
-- lessons of the window's days, each lesson's by its key, in one pass; a
-- run since a watermark, or one student, finds each candidate day's
-- lessons from its student's absent marks. With p_shares, only the
-- students of share p_share (absence.in_share): a large run split over
-- several sessions (plan_share() in plan.sql); with p_aside_before, only
-- the days set aside before then (the run that ends the shares leaves
-- those they set aside again).
create function absence.policy_triggers(
    p_cfg absence.policy_config,
    p_at timestamptz,
    p_from timestamptz,
    p_to timestamptz,
    p_student_id text default null,
    p_unsettled_only boolean default false,
    p_since timestamptz default null,
    p_changed_students text[] default null,
    p_changed_days date[] default null,
    p_share integer default null,
    p_shares integer default null,
    p_aside_before timestamptz default null)
returns table (
    student_id text, school_day date, lesson_id bigint,
    lesson_starts_at timestamptz, lesson_ends_at timestamptz, register_marked_at timestamptz,
    mark text, status_code text, due_at timestamptz, expires_at timestamptz, body text,
    settled_outcome text, state absence.trigger_state)
language sql stable
as $$
    with candidate as (
        -- (a run since a watermark; the whole window is
        -- window_trigger_lessons()') each lesson's absent marks by its
        -- key: as a join, the planner read every mark ever taken once past
        -- days' outnumbered the window's
        select m.student_id, (l.starts_at at time zone (p_cfg).timezone)::date as school_day
        from absence.lesson l
        cross join lateral (
            select m.student_id from absence.attendance_mark m
             where m.lesson_id = l.lesson_id and m.mark = any ((p_cfg).absent_marks)
            offset 0) m
        -- greatest() ignores a null p_since; timestamps count microseconds
        where l.ends_at >= greatest(p_from, p_since + interval '1 microsecond')
          and l.ends_at <= p_to
          and p_since is not null and p_student_id is null
        union
        -- one student's: their absent marks, each one's lesson by its key
        select m.student_id, (l.starts_at at time zone (p_cfg).timezone)::date
        from absence.attendance_mark m
        cross join lateral (
            select l.starts_at from absence.lesson l
             where l.lesson_id = m.lesson_id
               and l.ends_at >= greatest(p_from, p_since + interval '1 microsecond')
               and l.ends_at <= p_to
            offset 0) l
        where p_student_id is not null
          and m.student_id = p_student_id and m.mark = any ((p_cfg).absent_marks)
        union
        select c.student_id, c.school_day
        from unnest(p_changed_students, p_changed_days) c (student_id, school_day)
        where p_since is not null
          and c.school_day >= (p_from at time zone (p_cfg).timezone)::date
          and (p_student_id is null or c.student_id = p_student_id)
        union
        select q.student_id, q.school_day
        from absence.plan_quarantine q
        where p_since is not null and q.resolved_at is null
          and q.school_day >= (p_from at time zone (p_cfg).timezone)::date
          and (p_aside_before is null or q.last_seen_at < p_aside_before)
          and (p_student_id is null or q.student_id = p_student_id)
    ), open_candidate as (
        -- NOT EXISTS at the top, the flag inside: an anti-join, not a
        -- look-up per candidate
        select c.*
        from candidate c
        where absence.in_share(c.student_id, p_share, p_shares)
          and not exists (
            select 1 from absence.student_day d
            where p_unsettled_only
              and d.student_id = c.student_id and d.school_day = c.school_day)
    ), stepwise as (
        -- each candidate day's first absent lesson, from its student's
        -- absent marks and each one's lesson by its key (a tick has few
        -- candidates; as joins, the planner read every absent mark and
        -- every lesson ever taken)
        select distinct on (c.student_id, c.school_day)
               c.student_id, c.school_day, l.lesson_id, l.starts_at, l.ends_at,
               l.register_marked_at, m.mark
        from open_candidate c
        cross join lateral (
            select m.lesson_id, m.mark from absence.attendance_mark m
             where m.student_id = c.student_id and m.mark = any ((p_cfg).absent_marks)
            offset 0) m
        cross join lateral (
            select l.* from absence.lesson l
             where l.lesson_id = m.lesson_id
               and l.starts_at >= c.school_day::timestamp at time zone (p_cfg).timezone
               and l.starts_at < (c.school_day + 1)::timestamp at time zone (p_cfg).timezone
            offset 0) l
        order by c.student_id, c.school_day, l.starts_at, l.lesson_id
    ), trigger as (
        select * from stepwise
        union all
        select w.* from absence.window_triggers(p_cfg, p_from, p_to, p_unsettled_only, p_share,
                                                p_shares) w
        where p_since is null and p_student_id is null
    ), timed as (
        -- (offset 0 keeps this a subquery of its own: each column, the
        -- rendered body above all, is computed once a row, and the state
        -- below reads it as a column, so that message_fits() and what it
        -- calls are inlined rather than called as functions, each call
        -- costing microseconds)
        select tr.*, s.status_code,
               tr.ends_at + make_interval(secs => (p_cfg).send_delay) as due_at,
               least(tr.ends_at + make_interval(secs => (p_cfg).max_lateness),
                     (tr.school_day + (p_cfg).latest_send_time) at time zone (p_cfg).timezone)
                   as expires_at,
               absence.render_message((p_cfg).message_template, (p_cfg).report_link,
                   tr.student_id, to_char(tr.starts_at at time zone (p_cfg).timezone, 'HH24:MI'))
                   as body,
               d.outcome as settled_outcome
        from trigger tr
        -- each day's student by its key: as a join, the planner, counting
        -- on the rows of the whole window's branch, read every student to
        -- hash them at each run, with nothing to plan
        cross join lateral (
            select s.status_code from absence.student s
             where s.student_id = tr.student_id offset 0) s
        -- the planner's view has left out the days settled (a table a
        -- year long): it reads none
        left join absence.student_day d
               on not p_unsettled_only
              and d.student_id = tr.student_id and d.school_day = tr.school_day
        offset 0
    )
    select student_id, school_day, lesson_id, starts_at, ends_at, register_marked_at, mark,
           status_code, due_at, expires_at, body, settled_outcome,
           case
               when settled_outcome is not null then 'settled'::absence.trigger_state
               when status_code not like (p_cfg).student_status_pattern then 'status-not-eligible'
               when register_marked_at is null then 'register-not-marked'
               when register_marked_at > ends_at then 'register-late'
               when absence.student_id_problem(student_id, (p_cfg).allow_ucs2) is not null
                   then 'bad-student-id'
               when p_at > expires_at or due_at > expires_at then 'expired'
               when p_at < due_at then 'not-yet-due'
               when not absence.message_fits(body, p_cfg) then 'message-too-long'
               else 'due'
           end
    from timed
$$;

-- "expired: a text could only go out between 10:20 and 13:00", the window
-- a text missed, in the college's time.
create function absence.missed_window(p_cfg absence.policy_config, p_due_at timestamptz,
                                      p_expires_at timestamptz)
returns text
language sql stable
as $$
    select format('expired: a text could only go out between %s and %s',
                  to_char(p_due_at at time zone (p_cfg).timezone, 'HH24:MI'),
                  to_char(p_expires_at at time zone (p_cfg).timezone, 'HH24:MI'))
$$;

-- Why a trigger is in its state, in words, with times in the college's
-- zone. For a settled day, the mark it was planned on and when it was read,
-- and the mark now when it has changed since. A state without a branch here
-- raises case_not_found: an unknown state is an error, never explained as
-- another.
create function absence.trigger_explanation(
    p_cfg absence.policy_config,
    p_state absence.trigger_state,
    p_lesson_ends_at timestamptz,
    p_register_marked_at timestamptz,
    p_due_at timestamptz,
    p_expires_at timestamptz,
    p_status_code text,
    p_settled absence.student_day,
    p_mark_now text,
    p_student_id text default null)
returns text
language plpgsql stable
as $$
declare
    v_zone constant text := (p_cfg).timezone;
begin
    case p_state
    when 'settled' then
        return format('planned at %s%s: the day is settled (%s); nothing more is sent that day, '
                      'whatever changes',
                      to_char(p_settled.settled_at at time zone v_zone, 'HH24:MI:SS'),
                      case when p_settled.trigger_mark is not null then format(
                          ' on mark %s (read at %s%s)', p_settled.trigger_mark,
                          to_char(p_settled.evaluated_at at time zone v_zone, 'HH24:MI:SS'),
                          case when p_mark_now is distinct from p_settled.trigger_mark
                               then format('; the mark is now %s', coalesce(p_mark_now, 'gone'))
                               else '' end)
                      else '' end,
                      p_settled.outcome);
    when 'due' then
        return format('due since %s: the box plans its texts at its next planning run',
                      to_char(p_due_at at time zone v_zone, 'HH24:MI'));
    when 'not-yet-due' then
        return format('not due yet: due at %s, send-delay after the lesson ended',
                      to_char(p_due_at at time zone v_zone, 'HH24:MI'));
    when 'expired' then
        return absence.missed_window(p_cfg, p_due_at, p_expires_at);
    when 'register-late' then
        return format('no text: the register was taken at %s, after the lesson ended at %s',
                      to_char(p_register_marked_at at time zone v_zone, 'HH24:MI'),
                      to_char(p_lesson_ends_at at time zone v_zone, 'HH24:MI'));
    when 'register-not-marked' then
        return 'no text yet: the register has not been taken (or not reached the database)';
    when 'status-not-eligible' then
        return format('no text: status %s does not match student-status-pattern %s',
                      p_status_code, (p_cfg).student_status_pattern);
    when 'message-too-long' then
        return format('no text: it would not fit max-segments (%s)', p_state);
    when 'bad-student-id' then
        return format('no text: %s; the day is set aside in absence.plan_quarantine and '
                      'planned once the MIS corrects the ID',
                      absence.student_id_problem(p_student_id, (p_cfg).allow_ucs2));
    end case;
end
$$;

-- A student's day as absencectl explain shows it: the trigger lesson (for a
-- settled day, the one it was settled on, even if its mark was corrected
-- since), its state, times, the mark the day was planned on and the mark
-- now, and the explanation; times as absence.shown_time() shows them for
-- p_machine. No row: no absent mark that day and nothing settled.
create function absence.explain_trigger(p_cfg absence.policy_config, p_student_id text,
                                        p_day date, p_machine boolean default false)
returns table (
    lesson bigint, state absence.trigger_state, starts text, ends text, register text,
    due text, expires text, status_code text, status_pattern text, settled_outcome text,
    settled_at text, planned_mark text, marks_read_at text, mark_now text, body text,
    explanation text, due_at timestamptz, expires_at timestamptz)
language sql stable
as $$
    with t as (
        select * from absence.policy_triggers(p_cfg, now(),
            p_day::timestamp at time zone (p_cfg).timezone,
            (p_day + 2)::timestamp at time zone (p_cfg).timezone, p_student_id)
        where school_day = p_day
    ), d as (
        select sd from absence.student_day sd
        where sd.student_id = p_student_id and sd.school_day = p_day
    ), k as (
        select coalesce((d.sd).lesson_id, t.lesson_id) as lesson_id,
               case when (d.sd).student_id is not null then 'settled'::absence.trigger_state
                    else t.state end as state,
               (d.sd).student_id is null or t.lesson_id = (d.sd).lesson_id as same_lesson,
               t.due_at, t.expires_at, t.body, d.sd
        from (select 1) one
        left join d on true
        left join t on true
        where (d.sd).student_id is not null or t.student_id is not null
    ), z as (
        select (p_cfg).timezone as zone
    )
    select k.lesson_id, k.state,
           absence.shown_time(l.starts_at, z.zone, p_machine, 'HH24:MI'),
           absence.shown_time(l.ends_at, z.zone, p_machine, 'HH24:MI'),
           absence.shown_time(l.register_marked_at, z.zone, p_machine, 'HH24:MI'),
           absence.shown_time(case when k.same_lesson then k.due_at end, z.zone, p_machine,
                              'HH24:MI'),
           absence.shown_time(case when k.same_lesson then k.expires_at end, z.zone, p_machine,
                              'HH24:MI'),
           s.status_code, (p_cfg).student_status_pattern, (k.sd).outcome,
           absence.shown_time((k.sd).settled_at, z.zone, p_machine, 'HH24:MI:SS'),
           (k.sd).trigger_mark,
           absence.shown_time((k.sd).evaluated_at, z.zone, p_machine, 'HH24:MI:SS'),
           m.mark, case when k.same_lesson then k.body end,
           absence.trigger_explanation(p_cfg, k.state, l.ends_at, l.register_marked_at,
                                       k.due_at, k.expires_at, s.status_code, k.sd, m.mark,
                                       p_student_id),
           case when k.same_lesson then k.due_at end,
           case when k.same_lesson then k.expires_at end
    from k
    cross join z
    join absence.lesson l on l.lesson_id = k.lesson_id
    left join absence.student s on s.student_id = p_student_id
    left join absence.attendance_mark m on m.lesson_id = k.lesson_id
                                       and m.student_id = p_student_id
$$;
