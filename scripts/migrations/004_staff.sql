-- 004_staff.sql: what staff do about single texts (absencectl resend and
-- cancel), each action recorded with who, when and why.

alter table absence.notification
    add column resolution text,
    add column resolved_at timestamptz,
    add constraint notification_resolution_known check (resolution in ('resent', 'cancelled'));
comment on column absence.notification.resolution is
    'A person''s last decision about a failed, unconfirmed or expired text: resent or cancelled '
    '(see absence.notification_action).';

create table absence.notification_action (
    action_id       bigint generated always as identity primary key,
    notification_id bigint not null references absence.notification,
    action          text not null,
    actor           text not null,
    reason          text not null,
    status_before   text not null,
    acted_at        timestamptz not null default now(),
    constraint notification_action_known check (action in ('resend', 'cancel')),
    constraint notification_action_has_reason check (btrim(reason) <> '')
);
create index notification_action_notification_idx on absence.notification_action (notification_id);

-- The text to act on, locked, or an error saying why a person may not.
create function absence.text_for_action(p_notification_id bigint, p_reason text, p_verb text)
returns absence.notification
language plpgsql
as $$
declare
    v_text absence.notification;
begin
    if coalesce(btrim(p_reason), '') = '' then
        raise exception 'say why with --reason "..."; every % is recorded', p_verb;
    end if;
    select * into v_text from absence.notification
     where notification_id = p_notification_id for update;
    if not found then
        raise exception 'there is no notification %', p_notification_id;
    end if;
    if v_text.status not in ('failed', 'unconfirmed', 'expired') then
        raise exception '%', format(
            'notification %s is %s: only failed, unconfirmed or expired texts can be %s%s',
            p_notification_id, v_text.status,
            case p_verb when 'resend' then 'resent' else 'cancelled' end,
            case v_text.status when 'delivered'
                then ' (it was delivered: resending would text the parent twice)' else '' end);
    end if;
    return v_text;
end
$$;

-- Send a failed, unconfirmed or expired text again: it goes back to pending,
-- due now, expiring by the policy's rules counted from now. Refused once the
-- school day is over ("today" in the text would be wrong) or past the latest
-- send time. Returns the new expiry.
create function absence.resend_text(p_notification_id bigint, p_actor text, p_reason text,
                                    p_cfg absence.policy_config)
returns timestamptz
language plpgsql
as $$
declare
    v_text absence.notification := absence.text_for_action(p_notification_id, p_reason, 'resend');
    v_today date := (now() at time zone (p_cfg).timezone)::date;
    v_expires timestamptz := least(
        now() + make_interval(secs => (p_cfg).max_lateness_s),
        (v_today + (p_cfg).latest_send_time) at time zone (p_cfg).timezone);
begin
    if v_text.school_day <> v_today then
        raise exception 'notification % is about %: its text says "today", so it can only be resent that day',
            p_notification_id, v_text.school_day;
    end if;
    if v_expires <= now() then
        raise exception 'it is past the latest send time (%) at the college: no text can go out today',
            to_char((p_cfg).latest_send_time, 'HH24:MI');
    end if;
    update absence.notification
       set status = 'pending', due_at = now(), expires_at = v_expires, box_id = null,
           message_id = null, submitted_at = null, failed_at = null, failure_reason = null,
           resolution = 'resent', resolved_at = now(), status_changed_at = now()
     where notification_id = p_notification_id;
    insert into absence.notification_action
        (notification_id, action, actor, reason, status_before)
    values (p_notification_id, 'resend', p_actor, p_reason, v_text.status);
    return v_expires;
end
$$;

-- Close a failed, unconfirmed or expired text without sending it again.
create function absence.cancel_text(p_notification_id bigint, p_actor text, p_reason text)
returns text
language plpgsql
as $$
declare
    v_text absence.notification := absence.text_for_action(p_notification_id, p_reason, 'cancel');
begin
    if v_text.resolution = 'cancelled' then
        raise exception 'notification % was already cancelled', p_notification_id;
    end if;
    update absence.notification
       set resolution = 'cancelled', resolved_at = now()
     where notification_id = p_notification_id;
    insert into absence.notification_action
        (notification_id, action, actor, reason, status_before)
    values (p_notification_id, 'cancel', p_actor, p_reason, v_text.status);
    return v_text.status;
end
$$;

-- An instant as ISO 8601 in the college's time zone, with its UTC offset:
-- 2026-06-15T10:21:03+01:00. For exports other systems read.
create function absence.iso_local(p_at timestamptz, p_timezone text)
returns text
language sql immutable
as $$
    with o(seconds) as (
        select extract(epoch from (p_at at time zone p_timezone) - (p_at at time zone 'UTC'))::int)
    select to_char(p_at at time zone p_timezone, 'YYYY-MM-DD"T"HH24:MI:SS')
           || case when seconds < 0 then '-' else '+' end
           || lpad((abs(seconds) / 3600)::text, 2, '0') || ':'
           || lpad((abs(seconds) % 3600 / 60)::text, 2, '0')
      from o
$$;
