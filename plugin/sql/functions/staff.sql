-- staff.sql: what staff may decide: about a single text (absencectl resend
-- and cancel, each decision recorded in absence.notification_action), and
-- about all sending (pause and resume, recorded in absence.sending_pause).

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
    if v_text.resolution = 'cancelled' then
        raise exception '%', format('notification %s was cancelled by %s: it will never be sent',
            p_notification_id, (select a.actor from absence.notification_action a
                                 where a.notification_id = p_notification_id
                                   and a.action = 'cancel'
                                 order by a.acted_at desc limit 1));
    end if;
    if p_verb = 'resend' and v_text.status not in ('failed', 'unconfirmed', 'expired') then
        raise exception '%', format(
            'notification %s is %s: only failed, unconfirmed or expired texts can be resent%s',
            p_notification_id, v_text.status, case v_text.status when 'delivered'
                then ' (it was delivered: resending would text the parent twice)' else '' end);
    end if;
    if p_verb = 'cancel' and v_text.status not in ('pending', 'failed', 'unconfirmed', 'expired')
    then
        raise exception '%', format(
            'notification %s is %s: only pending, failed, unconfirmed or expired texts can be '
            'cancelled%s', p_notification_id, v_text.status, case
                when v_text.status in ('submitted', 'sent')
                then ' (it has already gone to the gateway)' else '' end);
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

-- Close a text for good: a pending one is never sent (it becomes expired,
-- the status of a text that never left), a failed, unconfirmed or expired
-- one is never sent again. A cancelled text cannot be resent. Returns the
-- status it had.
create function absence.cancel_text(p_notification_id bigint, p_actor text, p_reason text)
returns text
language plpgsql
as $$
declare
    v_text absence.notification := absence.text_for_action(p_notification_id, p_reason, 'cancel');
begin
    update absence.notification
       set resolution = 'cancelled', resolved_at = now(),
           status = case status when 'pending' then 'expired' else status end,
           status_changed_at = case status when 'pending' then now() else status_changed_at end
     where notification_id = p_notification_id;
    insert into absence.notification_action
        (notification_id, action, actor, reason, status_before)
    values (p_notification_id, 'cancel', p_actor, p_reason, v_text.status);
    return v_text.status;
end
$$;

-- The open pause of all sending, if any (no row: sending goes on).
create function absence.sending_paused()
returns setof absence.sending_pause
language sql stable
as $$
    select * from absence.sending_pause where resumed_at is null
$$;

-- Stop all planning and sending, until resume_sending(). Texts already
-- planned stay pending (and expire by their own rules); texts already with
-- the gateway go on.
create function absence.pause_sending(p_actor text, p_reason text)
returns timestamptz
language plpgsql
as $$
declare
    v_open absence.sending_pause;
    v_at timestamptz;
begin
    if coalesce(btrim(p_reason), '') = '' then
        raise exception 'say why with --reason "..."; every pause is recorded';
    end if;
    select * into v_open from absence.sending_paused() for update;
    if found then
        raise exception '%', format('sending is already paused, since %s by %s: %s',
                                    v_open.paused_at, v_open.paused_by, v_open.reason);
    end if;
    insert into absence.sending_pause (paused_by, reason) values (p_actor, p_reason)
    returning paused_at into v_at;
    return v_at;
end
$$;

-- End the open pause. Returns when it had begun.
create function absence.resume_sending(p_actor text, p_reason text)
returns timestamptz
language plpgsql
as $$
declare
    v_since timestamptz;
begin
    update absence.sending_pause
       set resumed_at = now(), resumed_by = p_actor, resume_reason = nullif(btrim(p_reason), '')
     where resumed_at is null
    returning paused_at into v_since;
    if not found then
        raise exception 'sending is not paused';
    end if;
    return v_since;
end
$$;
