-- plan.sql: settling student-days (README, "The rules"): what the box runs
-- every plan-interval and absencectl plan runs at an instant.

-- The window of lessons the planner looks at from p_at: everything that can
-- be due or newly expired, and a day back so that texts a stopped box never
-- planned are still recorded as expired.
create function absence.plan_window_from(p_cfg absence.policy_config, p_at timestamptz)
returns timestamptz
language sql immutable
as $$
    select p_at - make_interval(secs => (p_cfg).max_lateness) - interval '1 day'
$$;

-- Settle every student-day whose trigger is due (or has expired unplanned)
-- at p_at (default: the database's clock): record it in student_day, insert
-- a pending notification per recipient (expired ones as 'expired') and a
-- guardian_skip per guardian not texted. Idempotent and safe to run from
-- several boxes at once: a student-day is settled by exactly one of them.
-- p_at in the past replays the registers as they stand (how a college
-- rebuilds history); in the future it may settle nothing, because a mark
-- corrected before the text is due must still stop it: it raises instead.
-- While sending is paused (absence.sending_pause) it settles nothing, so
-- that registers corrected during the pause count once it is over.
-- It then looks for attendance concerns among the days over at p_at and
-- plans the concern texts due then (concerns.sql), at the same instant;
-- never ahead of the database's clock, where a day is not over yet.
create function absence.plan(
    p_cfg absence.policy_config,
    p_at timestamptz default null,
    p_box_id text default null)
returns table (
    student_days integer, texts_planned integer, texts_expired integer,
    guardians_skipped integer, days_too_long integer, concerns_opened integer,
    concern_texts_planned integer, concern_texts_expired integer)
language plpgsql
as $$
#variable_conflict use_column
declare
    v_at timestamptz := coalesce(p_at, now());
    v_done record;
    v_opened integer;
    v_concern record;
begin
    if exists (select 1 from absence.sending_paused()) then
        return query select 0, 0, 0, 0, 0, 0, 0, 0;
        return;
    end if;
    with trig as (
        select t.*
        from absence.policy_triggers(p_cfg, v_at, absence.plan_window_from(p_cfg, v_at),
                                     v_at - make_interval(secs => (p_cfg).send_delay),
                                     null, true) t
        where t.state in ('due', 'expired', 'message-too-long')
    ), settled as (
        insert into absence.student_day as d
            (student_id, school_day, lesson_id, outcome, box_id, trigger_mark, evaluated_at)
        select t.student_id, t.school_day, t.lesson_id,
               case t.state when 'due' then 'planned' else t.state::text end, p_box_id,
               t.mark, v_at
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
             due_at, expires_at, status_changed_at)
        select o.student_id, o.guardian_id, o.lesson_id, o.school_day, o.recipient, o.body,
               case o.outcome when 'planned' then 'pending' else 'expired' end,
               o.due_at, o.expires_at, v_at
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
    select (select count(*) from settled)::integer as days,
           (select count(*) from texts where status = 'pending')::integer as planned,
           (select count(*) from texts where status = 'expired')::integer as expired,
           (select count(*) from skips)::integer as skipped,
           (select count(*) from settled where outcome = 'message-too-long')::integer as too_long
      into v_done;
    if v_at > now() and v_done.days > 0 then
        raise exception 'planning at % would settle % student-days ahead of the database''s '
                        'clock (%): a register corrected before then could no longer stop a text',
                        v_at, v_done.days, now()
            using hint = 'absencectl preview --at shows what would be planned then, writing nothing';
    end if;
    -- concerns only count days that are over by the database's clock too
    if v_at > now() then
        return query select v_done.days, v_done.planned, v_done.expired, v_done.skipped,
                            v_done.too_long, 0, 0, 0;
        return;
    end if;
    v_opened := absence.detect_concerns(p_cfg, v_at, p_box_id);
    select * into v_concern from absence.plan_concern_texts(p_cfg, v_at);
    return query select v_done.days, v_done.planned, v_done.expired, v_done.skipped,
                        v_done.too_long, v_opened, v_concern.planned, v_concern.expired;
end
$$;
