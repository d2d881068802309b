-- recipients.sql: who receives a text (README, "The rules": recipients),
-- each linked guardian with every rule passed or failed. The skip reasons
-- are the rows of absence.skip_reason (migration 005), which
-- guardian_skip's foreign key enforces.

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
    state absence.trigger_state, due_at timestamptz, expires_at timestamptz, body text,
    guardian_id bigint, recipient text, skip_reason text)
language sql stable
as $$
    select t.student_id, t.school_day, t.lesson_id, t.lesson_starts_at, t.state,
           t.due_at, t.expires_at, t.body, g.guardian_id, g.recipient, g.skip_reason
    from absence.policy_triggers(p_cfg, p_at, p_from, p_to, p_student_id) t
    left join lateral absence.guardian_checks(p_cfg, t.student_id) g on true
$$;
