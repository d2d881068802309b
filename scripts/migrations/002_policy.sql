-- 002_policy.sql: POLICY.md as SQL, the one place the rules live.
--
-- The box plans with absence.plan(); absencectl's preview and explain read
-- absence.policy_triggers() and absence.policy_recipients(). All take the
-- instant to evaluate at and the configuration as an absence.policy_config
-- value, built by absence.policy_settings() whose defaults are those of
-- conf/absencebox.conf. Nothing here reads the clock except absence.plan()
-- when it is given no instant.

do $$
begin
    if current_setting('server_encoding') <> 'UTF8' then
        raise exception 'database % uses encoding %, absencebox needs UTF8',
            current_database(), current_setting('server_encoding')
            using hint = 'create the database with ENCODING ''UTF8''';
    end if;
end $$;

-- ---- configuration ------------------------------------------------------

create type absence.policy_config as (
    timezone            text,     -- the college's time zone
    send_delay_s        integer,  -- a text is due this long after the lesson ends
    max_lateness_s      integer,  -- and expires this long after it ends
    latest_send_time    time,     -- or at this local time, whichever is first
    absent_marks        text[],   -- register codes that mean absent
    status_pattern      text,     -- LIKE pattern for eligible student statuses
    message_template    text,
    report_link         text,
    allow_international boolean,  -- accept non-UK E.164 numbers
    max_septets         integer,  -- GSM 7-bit budget of one text
    max_ucs2_chars      integer   -- UCS-2 budget, 0 = UCS-2 not allowed
);

create function absence.policy_settings(
    timezone            text    default 'Europe/London',
    send_delay_s        integer default 1200,
    max_lateness_s      integer default 10800,
    latest_send_time    time    default '19:00',
    absent_marks        text[]  default '{O}',
    status_pattern      text    default 'C__',
    message_template    text    default 'Student {student_id} did not attend their lesson '
        'today at {lesson_time}. If this is a genuine absence, please notify us here: {link}',
    report_link         text    default 'https://tinyurl.com/runabs',
    allow_international boolean default false,
    max_septets         integer default 160,
    max_ucs2_chars      integer default 0)
returns absence.policy_config
language sql immutable
as $$
    select row($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)::absence.policy_config
$$;

-- ---- the text -------------------------------------------------------------

-- GSM 03.38 septets a text takes (extension characters count two), or null
-- when it holds a character outside the alphabet. Twin of gsm.c.
create function absence.gsm_septets(p_text text)
returns integer
language sql immutable strict
as $$
    with alphabet(basic, extension) as (values (
        '@£$¥èéùìòÇ' || chr(10) || 'Øø' || chr(13) || 'ÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&''()*+,-./'
            || '0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿'
            || 'abcdefghijklmnopqrstuvwxyzäöñüà',
        chr(12) || '^{}\[~]|€'))
    select case
        when translate(p_text, basic || extension, '') <> '' then null
        else 2 * length(p_text) - length(translate(p_text, extension, ''))
    end
    from alphabet
$$;

-- UTF-16 code units the text takes as UCS-2 (characters beyond U+FFFF take two).
create function absence.ucs2_units(p_text text)
returns integer
language sql immutable strict
as $$
    select length(p_text) + length(regexp_replace(p_text, '[\u0001-\uffff]', '', 'g'))
$$;

create function absence.message_fits(p_body text, p_cfg absence.policy_config)
returns boolean
language sql immutable
as $$
    select coalesce(absence.gsm_septets(p_body) <= (p_cfg).max_septets, false)
        or (coalesce((p_cfg).max_ucs2_chars, 0) > 0
            and absence.ucs2_units(p_body) <= (p_cfg).max_ucs2_chars)
$$;

-- The template with its placeholders filled. {student_id} goes last so that
-- an ID is carried verbatim and never read as a placeholder; the link holds
-- no braces (the config loader refuses them). Twin of template.c.
create function absence.render_message(p_template text, p_link text, p_student_id text,
                                       p_lesson_time text)
returns text
language sql immutable
as $$
    select replace(replace(replace(p_template,
        '{link}', coalesce(p_link, '')),
        '{lesson_time}', p_lesson_time),
        '{student_id}', p_student_id)
$$;

-- ---- numbers (POLICY.md section 4) ---------------------------------------

-- The E.164 form of a typed mobile number, or null when it cannot receive a
-- text. Twin of phone.c; both are tested against tests/mobile_cases.tsv.
create function absence.normalise_mobile(p_raw text, p_allow_international boolean default false)
returns text
language plpgsql immutable
as $$
declare
    s text;
    d text;
begin
    -- what people type between digits: spaces, dots, dashes, brackets
    s := translate(p_raw, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)
                          || '.-()[]' || chr(160), '');
    d := case
        when s like '+%' then substr(s, 2)
        when s like '00%' then substr(s, 3)
        when s like '44%' then s
        when s like '0%' then '44' || substr(s, 2)
        when s like '7%' and length(s) = 10 then '44' || s   -- a spreadsheet ate the 0
    end;
    if d is null or d !~ '^[0-9]+$' then
        return null;
    end if;
    if d like '440%' then            -- "+44 (0)7..."
        d := '44' || substr(d, 4);
    end if;
    if d like '44%' then             -- UK: mobiles only, not 070 or 076
        return case when substr(d, 3) ~ '^7[1-57-9][0-9]{8}$' then '+' || d end;
    end if;
    return case when p_allow_international and d ~ '^[1-9][0-9]{7,14}$' then '+' || d end;
end
$$;

-- ---- which absence triggers a text (POLICY.md section 1) -----------------

-- For each student and school day with an absent mark on a lesson ending in
-- [p_from, p_to]: the trigger lesson (the earliest absent one of that day),
-- its timing, the rendered text, and its state at p_at:
--   settled              the planner already decided this day (settled_outcome)
--   status-not-eligible  the student's status_code does not match
--   register-not-marked  the trigger lesson's register has not been taken
--   register-late        it was taken after the lesson ended: no text that day
--   not-yet-due          before ends_at + send delay
--   expired              past ends_at + max lateness or the latest send time
--   message-too-long     the text would not fit the configured segments
--   due                  a text is to be planned now
create function absence.policy_triggers(
    p_cfg absence.policy_config,
    p_at timestamptz,
    p_from timestamptz,
    p_to timestamptz,
    p_student_id text default null,
    p_unsettled_only boolean default false)
returns table (
    student_id text, school_day date, lesson_id bigint,
    lesson_starts_at timestamptz, lesson_ends_at timestamptz, register_marked_at timestamptz,
    status_code text, due_at timestamptz, expires_at timestamptz, body text,
    settled_outcome text, state text)
language sql stable
as $$
    with candidate as (
        select distinct m.student_id,
               (l.starts_at at time zone (p_cfg).timezone)::date as school_day
        from absence.lesson l
        join absence.attendance_mark m on m.lesson_id = l.lesson_id
        where l.ends_at between p_from and p_to
          and m.mark = any ((p_cfg).absent_marks)
          and (p_student_id is null or m.student_id = p_student_id)
    ), open_candidate as (
        select c.*
        from candidate c
        where not (p_unsettled_only and exists (
            select 1 from absence.student_day d
            where d.student_id = c.student_id and d.school_day = c.school_day))
    ), trigger as (
        select c.student_id, c.school_day, t.*
        from open_candidate c
        cross join lateral (
            select l.lesson_id, l.starts_at, l.ends_at, l.register_marked_at
            from absence.attendance_mark m
            join absence.lesson l on l.lesson_id = m.lesson_id
            where m.student_id = c.student_id
              and m.mark = any ((p_cfg).absent_marks)
              and l.starts_at >= c.school_day::timestamp at time zone (p_cfg).timezone
              and l.starts_at < (c.school_day + 1)::timestamp at time zone (p_cfg).timezone
            order by l.starts_at, l.lesson_id
            limit 1) t
    ), timed as (
        select tr.*, s.status_code,
               tr.ends_at + make_interval(secs => (p_cfg).send_delay_s) as due_at,
               least(tr.ends_at + make_interval(secs => (p_cfg).max_lateness_s),
                     (tr.school_day + (p_cfg).latest_send_time) at time zone (p_cfg).timezone)
                   as expires_at,
               absence.render_message((p_cfg).message_template, (p_cfg).report_link,
                   tr.student_id, to_char(tr.starts_at at time zone (p_cfg).timezone, 'HH24:MI'))
                   as body,
               d.outcome as settled_outcome
        from trigger tr
        join absence.student s on s.student_id = tr.student_id
        left join absence.student_day d
               on d.student_id = tr.student_id and d.school_day = tr.school_day
    )
    select student_id, school_day, lesson_id, starts_at, ends_at, register_marked_at,
           status_code, due_at, expires_at, body, settled_outcome,
           case
               when settled_outcome is not null then 'settled'
               when status_code not like (p_cfg).status_pattern then 'status-not-eligible'
               when register_marked_at is null then 'register-not-marked'
               when register_marked_at > ends_at then 'register-late'
               when p_at > expires_at or due_at > expires_at then 'expired'
               when p_at < due_at then 'not-yet-due'
               when not absence.message_fits(body, p_cfg) then 'message-too-long'
               else 'due'
           end
    from timed
$$;

-- ---- who receives it (POLICY.md section 2) --------------------------------

-- Every guardian linked to the student, each rule passed or failed, and the
-- first failed rule as the skip reason (null: this guardian gets the text).
-- Guardians passing every other rule who share a number are texted once,
-- at the lowest guardian_id.
create function absence.guardian_checks(p_cfg absence.policy_config, p_student_id text)
returns table (
    student_id text, guardian_id bigint, guardian_name text, mobile text, recipient text,
    account_active boolean, link_active boolean, attendance_visible boolean,
    has_mobile boolean, mobile_valid boolean, first_for_number boolean, skip_reason text)
language sql stable
as $$
    with link as (
        select gs.student_id, gs.guardian_id, g.name, g.mobile,
               g.account_status = 'active' as account_active,
               gs.link_status = 'active' as link_active,
               not gs.hide_attendance as attendance_visible,
               coalesce(g.mobile ~ '\S', false) as has_mobile,
               absence.normalise_mobile(g.mobile, (p_cfg).allow_international) as recipient
        from absence.guardian_student gs
        join absence.guardian g on g.guardian_id = gs.guardian_id
        where gs.student_id = p_student_id
    ), ranked as (
        select link.*,
               recipient is not null as mobile_valid,
               account_active and link_active and attendance_visible and recipient is not null
                   as eligible
        from link
    ), deduped as (
        select ranked.*,
               case when eligible then
                   row_number() over (partition by eligible, recipient order by guardian_id) = 1
               end as first_for_number
        from ranked
    )
    select student_id, guardian_id, name, mobile, recipient,
           account_active, link_active, attendance_visible, has_mobile, mobile_valid,
           first_for_number,
           case
               when not account_active then 'account-not-active'
               when not link_active then 'link-not-active'
               when not attendance_visible then 'attendance-hidden'
               when not has_mobile then 'no-mobile'
               when not mobile_valid then 'invalid-mobile'
               when not first_for_number then 'duplicate-number'
           end
    from deduped
$$;

-- Triggers with each linked guardian's outcome: what would be texted or
-- skipped, and why. A trigger with no linked guardian has one row with a
-- null guardian_id.
create function absence.policy_recipients(
    p_cfg absence.policy_config,
    p_at timestamptz,
    p_from timestamptz,
    p_to timestamptz,
    p_student_id text default null)
returns table (
    student_id text, school_day date, lesson_id bigint, lesson_starts_at timestamptz,
    state text, due_at timestamptz, expires_at timestamptz, body text,
    guardian_id bigint, recipient text, skip_reason text)
language sql stable
as $$
    select t.student_id, t.school_day, t.lesson_id, t.lesson_starts_at, t.state,
           t.due_at, t.expires_at, t.body, g.guardian_id, g.recipient, g.skip_reason
    from absence.policy_triggers(p_cfg, p_at, p_from, p_to, p_student_id) t
    left join lateral absence.guardian_checks(p_cfg, t.student_id) g on true
$$;

-- The window of lessons the planner looks at from p_at: everything that can
-- be due or newly expired, and a day back so that texts a stopped box never
-- planned are still recorded as expired.
create function absence.plan_window_from(p_cfg absence.policy_config, p_at timestamptz)
returns timestamptz
language sql immutable
as $$
    select p_at - make_interval(secs => (p_cfg).max_lateness_s) - interval '1 day'
$$;

-- ---- planning --------------------------------------------------------------

-- Settle every student-day whose trigger is due (or has expired unplanned)
-- at p_at (default: the database's clock): record it in student_day, insert
-- a pending notification per recipient (expired ones as 'expired') and a
-- guardian_skip per guardian not texted. Idempotent and safe to run from
-- several boxes at once: a student-day is settled by exactly one of them.
create function absence.plan(
    p_cfg absence.policy_config,
    p_at timestamptz default null,
    p_box_id text default null)
returns table (
    student_days integer, texts_planned integer, texts_expired integer,
    guardians_skipped integer, days_too_long integer)
language plpgsql
as $$
#variable_conflict use_column
declare
    v_at timestamptz := coalesce(p_at, now());
begin
    return query
    with trig as (
        select t.*
        from absence.policy_triggers(p_cfg, v_at, absence.plan_window_from(p_cfg, v_at),
                                     v_at - make_interval(secs => (p_cfg).send_delay_s),
                                     null, true) t
        where t.state in ('due', 'expired', 'message-too-long')
    ), settled as (
        insert into absence.student_day as d (student_id, school_day, lesson_id, outcome, box_id)
        select t.student_id, t.school_day, t.lesson_id,
               case t.state when 'due' then 'planned' else t.state end, p_box_id
        from trig t
        on conflict do nothing
        returning d.student_id, d.school_day, d.outcome
    ), outcome as (
        select t.student_id, t.school_day, t.lesson_id, t.due_at, t.expires_at, t.body,
               s.outcome, g.guardian_id, g.recipient, g.skip_reason
        from trig t
        join settled s on s.student_id = t.student_id and s.school_day = t.school_day
        cross join lateral absence.guardian_checks(p_cfg, t.student_id) g
        where s.outcome in ('planned', 'expired')
    ), texts as (
        insert into absence.notification as n
            (student_id, guardian_id, lesson_id, school_day, recipient, body, status,
             due_at, expires_at)
        select o.student_id, o.guardian_id, o.lesson_id, o.school_day, o.recipient, o.body,
               case o.outcome when 'planned' then 'pending' else 'expired' end,
               o.due_at, o.expires_at
        from outcome o
        where o.skip_reason is null
        on conflict do nothing
        returning n.status
    ), skips as (
        insert into absence.guardian_skip as k
            (student_id, school_day, guardian_id, lesson_id, reason, recipient)
        select o.student_id, o.school_day, o.guardian_id, o.lesson_id, o.skip_reason, o.recipient
        from outcome o
        where o.skip_reason is not null
        on conflict do nothing
        returning k.reason
    )
    select (select count(*) from settled)::integer,
           (select count(*) from texts where status = 'pending')::integer,
           (select count(*) from texts where status = 'expired')::integer,
           (select count(*) from skips)::integer,
           (select count(*) from settled where outcome = 'message-too-long')::integer;
end
$$;
