-- recipients.sql: who receives a text (README, "The rules": recipients),
-- each linked guardian with every rule passed or failed. The skip reasons
-- are the rows of absence.skip_reason (migration 005), which
-- guardian_skip's foreign key enforces.

-- Every guardian linked to each of the students, each rule passed or
-- failed, and the first failed rule as the skip reason (null: this
-- guardian gets the text). A number on absence.opt_out (a stop word, or
-- staff) is opted-out. A student's guardians passing every other rule who
-- share a number are texted once, at the lowest guardian_id. For any
-- number of students at once (array[one] for one), as the planner needs
-- them: one query, not one per student.
create function absence.guardian_checks(p_cfg absence.policy_config, p_student_ids text[])
returns table (
    student_id text, guardian_id bigint, guardian_name text, mobile text, recipient text,
    account_active boolean, link_active boolean, attendance_visible boolean,
    has_mobile boolean, mobile_valid boolean, first_for_number boolean, skip_reason text,
    opted_out boolean)
language plpgsql stable
as $$
begin
    -- planned for the students given, each time: a plan kept for any number
    -- of them (PostgreSQL guesses ten) looked 100,000 students up one by one
    return query execute $q$
    with link as (
        select gs.student_id, gs.guardian_id, g.name, g.mobile,
               g.account_status = 'active' as account_active,
               gs.link_status = 'active' as link_active,
               not gs.hide_attendance as attendance_visible,
               absence.guardian_mobile(g.mobile, g.mobile_e164, g.mobile_e164_of,
                                       ($1).allow_international) as recipient
        -- a join, not = any ($2): that searches the array through for
        -- each link
        from unnest($2) s (student_id)
        join absence.guardian_student gs on gs.student_id = s.student_id
        join absence.guardian g on g.guardian_id = gs.guardian_id
    ), ranked as (
        -- (a number to text has a mobile: the regular expression is only
        -- for the others, a few of the links)
        select link.*,
               link.recipient is not null or coalesce(link.mobile ~ '\S', false) as has_mobile,
               link.recipient is not null as mobile_valid,
               o.recipient is not null as opted_out,
               account_active and link_active and attendance_visible and link.recipient is not null
                   and o.recipient is null as eligible
        from link
        left join absence.opt_out o on o.recipient = link.recipient
    ), deduped as (
        select ranked.*,
               case when eligible then
                   row_number() over (partition by student_id, eligible, recipient
                                      order by guardian_id) = 1
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
               when opted_out then 'opted-out'
               when not first_for_number then 'duplicate-number'
           end,
           opted_out
    from deduped
$q$ using p_cfg, p_student_ids;
end
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
    with t as (
        select * from absence.policy_triggers(p_cfg, p_at, p_from, p_to, p_student_id)
    )
    select t.student_id, t.school_day, t.lesson_id, t.lesson_starts_at, t.state,
           t.due_at, t.expires_at, t.body, g.guardian_id, g.recipient, g.skip_reason
    from t
    left join absence.guardian_checks(p_cfg, array(select distinct t.student_id from t)) g
           on g.student_id = t.student_id
$$;

-- How a number came to be opted out, as explain shows it: "(by reply on
-- 2026-11-28 14:03)" or "(by staff on ...: their reason)"; null when it is
-- not opted out.
create function absence.opt_out_said(p_cfg absence.policy_config, p_recipient text)
returns text
language sql stable
as $$
    select format('(by %s on %s%s)', o.via,
                  absence.shown_time(o.opted_out_at, (p_cfg).timezone, false,
                                     'YYYY-MM-DD HH24:MI'),
                  ': ' || o.reason)
      from absence.opt_out o
     where o.recipient = p_recipient
$$;

-- Every guardian linked to the student as absencectl explain shows them for
-- a day: each rule passed or failed, the number (masked; the one typed when
-- it is not a mobile), and the outcome. For a settled day the outcome is
-- what was done: "gets the text" only for a text that was or will be sent,
-- else what became of it, or the skip reason recorded then. For a day not
-- settled, what the policy would do now.
create function absence.explain_guardians(p_cfg absence.policy_config, p_student_id text,
                                          p_day date)
returns table (
    guardian bigint, name text, number text, account boolean, link boolean,
    attendance_shown boolean, mobile boolean, valid_mobile boolean, first_on_number boolean,
    outcome text)
language sql stable
as $$
    with t as (
        select * from absence.explain_trigger(p_cfg, p_student_id, p_day)
    )
    select g.guardian_id, coalesce(g.guardian_name, ''),
           absence.mask_mobile(coalesce(g.recipient, nullif(btrim(g.mobile), ''))),
           g.account_active, g.link_active, g.attendance_visible, g.has_mobile, g.mobile_valid,
           coalesce(g.first_for_number, false),
           case
               when n.resolution = 'cancelled' then 'not texted: cancelled by staff'
               when n.status in ('pending', 'submitted', 'sent', 'delivered') then 'gets the text'
               when n.status = 'failed' then 'texted, but it failed: ' || n.failure_reason
               when n.status = 'unconfirmed' then 'texted, unconfirmed: nobody knows whether '
                                                  'it went out'
               when n.status = 'expired' then absence.missed_window(p_cfg, n.due_at,
                                                                    n.expires_at)
               when k.reason = 'opted-out'
                   then concat_ws(' ', 'skipped: opted-out', absence.opt_out_said(p_cfg, g.recipient))
               when k.reason is not null then 'skipped: ' || k.reason
               when t.state = 'settled' then 'not texted: linked or changed after the day '
                                             'was settled'
               when g.skip_reason = 'opted-out'
                   then concat_ws(' ', 'skipped: opted-out', absence.opt_out_said(p_cfg, g.recipient))
               when g.skip_reason is not null then 'skipped: ' || g.skip_reason
               when t.state is null then 'no text: no absence that day'
               when t.state in ('due', 'not-yet-due', 'register-not-marked')
                   then 'would be texted'
               when t.state = 'expired' then absence.missed_window(p_cfg, t.due_at, t.expires_at)
               else 'no text: see the trigger'
           end
    from absence.guardian_checks(p_cfg, array[p_student_id]) g
    left join t on true
    left join absence.notification n on n.kind = 'absence' and n.student_id = p_student_id
                                    and n.school_day = p_day
                                    and n.guardian_id = g.guardian_id
    left join absence.guardian_skip k on k.student_id = p_student_id and k.school_day = p_day
                                     and k.guardian_id = g.guardian_id
    order by g.guardian_id
$$;
