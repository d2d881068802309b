-- staff.sql: what staff may decide about a single text (absencectl resend
-- and cancel), each decision recorded in absence.notification_action.

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
        now() + make_interval(secs => (p_cfg).max_lateness),
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
