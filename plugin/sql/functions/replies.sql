-- replies.sql: parents' replies (README, "8. Replies from parents"): stored
-- and matched in one statement per batch (receive_replies), the opt-out of
-- a number by stop word or by staff, and what staff read back.

-- A sender as the replies table keeps it: E.164 when it is a phone number
-- (a UK mobile however written, or any number in international form, as
-- SMSCs write them with or without the "+"), else as it was sent (a short
-- code, a name), which then matches no text.
create function absence.reply_sender(p_sent text)
returns text
language sql immutable
as $$
    select coalesce(absence.normalise_mobile(p_sent, true),
                    case when p_sent ~ '^[1-9][0-9]{7,14}$' then '+' || p_sent end,
                    p_sent)
$$;

-- stop or start when the body is one of the stop-words or start-words, case
-- and the spaces around it ignored; else null.
create function absence.reply_keyword(p_cfg absence.policy_config, p_body text)
returns text
language sql immutable
as $$
    select case
        when upper(btrim(p_body, E' \t\r\n')) in (select upper(w) from unnest((p_cfg).stop_words) w)
            then 'stop'
        when upper(btrim(p_body, E' \t\r\n')) in (select upper(w) from unnest((p_cfg).start_words) w)
            then 'start'
    end
$$;

-- The text confirming a change made by a keyword: the template with the
-- first start word (for a stop) or stop word (for a start) put in.
create function absence.render_confirmation(p_cfg absence.policy_config, p_kind text)
returns text
language sql immutable
as $$
    select case p_kind
        when 'stop' then replace((p_cfg).stop_confirmation, '{start_word}',
                                 coalesce((p_cfg).start_words[1], ''))
        else replace((p_cfg).start_confirmation, '{stop_word}',
                     coalesce((p_cfg).stop_words[1], ''))
    end
$$;

-- When a confirmation asked for at p_at may go out, and until when: at
-- once between earliest-confirmation-time and latest-send-time, else at
-- the next earliest-confirmation-time (no text at night); it expires at
-- latest-send-time that day.
create function absence.confirmation_window(p_cfg absence.policy_config, p_at timestamptz,
                                            out due_at timestamptz, out expires_at timestamptz)
language plpgsql stable
as $$
declare
    v_local timestamp := p_at at time zone (p_cfg).timezone;
    v_day date := v_local::date;
begin
    if v_local::time < (p_cfg).earliest_confirmation_time then
        due_at := absence.college_instant(p_cfg, v_day, (p_cfg).earliest_confirmation_time);
    elsif v_local::time >= (p_cfg).latest_send_time then
        v_day := v_day + 1;
        due_at := absence.college_instant(p_cfg, v_day, (p_cfg).earliest_confirmation_time);
    else
        due_at := p_at;
    end if;
    expires_at := absence.college_instant(p_cfg, v_day, (p_cfg).latest_send_time);
end
$$;

-- Put p_recipient on absence.opt_out (p_out) or take it off, at p_at, with
-- its history. changed: whether that changed anything (not when it already
-- was so); texts_stopped: the number's texts not yet sent that it expired.
-- An opt-out expires the number's pending texts, and a change expires any
-- confirmation of the opposite change still waiting, so the last word the
-- number sent is the one that holds.
create function absence.change_opt_out(p_recipient text, p_out boolean, p_at timestamptz,
                                       p_via text, p_reply_id bigint, p_actor text,
                                       p_reason text, out changed boolean,
                                       out texts_stopped integer)
language plpgsql
as $$
declare
    v_texts integer := 0;
    v_confirmations integer;
begin
    if p_out then
        insert into absence.opt_out (recipient, opted_out_at, via, reply_id, recorded_by, reason)
        values (p_recipient, p_at, p_via, p_reply_id, p_actor, p_reason)
        on conflict (recipient) do nothing;
    else
        delete from absence.opt_out where recipient = p_recipient;
    end if;
    changed := found;
    texts_stopped := 0;
    if not changed then
        return;
    end if;
    insert into absence.opt_out_change (recipient, action, changed_at, via, reply_id, recorded_by,
                                        reason)
    values (p_recipient, case when p_out then 'out' else 'in' end, p_at, p_via, p_reply_id,
            p_actor, p_reason);
    if p_out then
        update absence.notification
           set status = 'expired', status_changed_at = p_at,
               failure_reason = format('not sent: the number opted out (%s) before it went out',
                                       case p_via when 'reply' then 'by reply' else 'through staff' end)
         where recipient = p_recipient and status = 'pending';
        get diagnostics v_texts = row_count;
    end if;
    update absence.confirmation_text
       set status = 'expired', status_changed_at = p_at,
           failure_reason = 'not sent: the number changed its mind before it went out'
     where recipient = p_recipient and status = 'pending';
    get diagnostics v_confirmations = row_count;
    texts_stopped := v_texts + v_confirmations;
end
$$;

-- The texts that went to p_number in the p_window before a reply received
-- at p_at, latest first: what a reply may answer. bearerbox stamps a reply
-- in whole seconds, so a text submitted within that second counts as
-- before it.
create function absence.texts_to_number(p_number text, p_at timestamptz, p_window interval)
returns table (notification_id bigint, student_id text, guardian_id bigint,
               submitted_at timestamptz)
language sql stable
as $$
    select n.notification_id, n.student_id, n.guardian_id, n.submitted_at
      from absence.notification n
     where n.recipient = p_number
       and n.submitted_at is not null
       and n.submitted_at < p_at + interval '1 second'
       and n.submitted_at > p_at - p_window
       and n.status in ('submitted', 'sent', 'delivered', 'unconfirmed')
     order by n.submitted_at desc, n.notification_id desc
$$;

-- Store a batch of replies bearerbox passed to p_box_id, in one transaction,
-- each once (a copy bearerbox redelivers has the same message id and is
-- counted as a duplicate). Each is matched to the latest text that went to
-- its sender within reply-window; the other students texted to that number
-- then are its candidates; a matched reply is written to the
-- communication log. Keywords are applied in the order received: a stop
-- word opts the number out, a start word in, and a change is confirmed by
-- one text. p_raws are the bodies' bytes as sent, in hex.
create function absence.receive_replies(
    p_cfg absence.policy_config, p_box_id text, p_message_ids uuid[], p_received_at bigint[],
    p_senders text[], p_receivers text[], p_bodies text[], p_codings integer[], p_raws text[],
    p_smsc_ids text[])
returns table (received integer, duplicates integer, matched integer, unmatched integer,
               opted_out integer, opted_in integer)
language plpgsql
as $$
declare
    v_ids bigint[];
    v_matched integer;
    v_reply record;
    v_out integer := 0;
    v_in integer := 0;
    v_window interval := make_interval(secs => (p_cfg).reply_window);
begin
    with incoming as (
        select i.*, absence.reply_sender(i.sent) as sender,
               -- bearerbox's clock when it took the reply; now() if it gave none
               case when i.epoch between 1 and 32503680000 then to_timestamp(i.epoch)
                    else now() end as at
          from unnest(p_message_ids, p_received_at, p_senders, p_receivers, p_bodies, p_codings,
                      p_raws, p_smsc_ids)
               with ordinality as i(message_id, epoch, sent, receiver, body, coding, raw, smsc_id,
                                    ord)
    ), stored as (
        insert into absence.reply as r
            (received_at, sender, receiver, body, notification_id, student_id, guardian_id,
             message_id, sender_as_sent, coding, raw, keyword, smsc_id, box_id)
        select i.at, i.sender, coalesce(i.receiver, ''), i.body, m.notification_id,
               m.student_id, m.guardian_id, i.message_id, coalesce(i.sent, ''), i.coding,
               decode(i.raw, 'hex'), absence.reply_keyword(p_cfg, i.body), i.smsc_id, p_box_id
          from incoming i
          left join lateral (
                select t.notification_id, t.student_id, t.guardian_id
                  from absence.texts_to_number(i.sender, i.at, v_window) t
                 limit 1) m on true
         order by i.ord
        on conflict (message_id) do nothing
        returning r.reply_id, r.student_id
    )
    select coalesce(array_agg(reply_id), '{}'), count(*) filter (where student_id is not null)
      into v_ids, v_matched
      from stored;

    insert into absence.reply_candidate (reply_id, student_id, guardian_id, notification_id)
    select distinct on (r.reply_id, t.student_id)
           r.reply_id, t.student_id, t.guardian_id, t.notification_id
      from absence.reply r
     cross join absence.texts_to_number(r.sender, r.received_at, v_window) t
     where r.reply_id = any (v_ids) and r.student_id is not null
       and t.student_id <> r.student_id
     order by r.reply_id, t.student_id, t.submitted_at desc, t.notification_id desc;

    for v_reply in
        select r.reply_id, r.sender, r.received_at, r.keyword
          from absence.reply r
         where r.reply_id = any (v_ids) and r.keyword is not null
           and r.sender ~ '^\+[1-9][0-9]{7,14}$'
         order by r.received_at, r.reply_id
    loop
        if (absence.change_opt_out(v_reply.sender, v_reply.keyword = 'stop', v_reply.received_at,
                                   'reply', v_reply.reply_id, p_box_id, null)).changed then
            if v_reply.keyword = 'stop' then v_out := v_out + 1; else v_in := v_in + 1; end if;
            insert into absence.confirmation_text
                (reply_id, kind, recipient, body, due_at, expires_at)
            select v_reply.reply_id, v_reply.keyword, v_reply.sender,
                   absence.render_confirmation(p_cfg, v_reply.keyword), w.due_at, w.expires_at
              from absence.confirmation_window(p_cfg, now()) w;
        end if;
    end loop;

    insert into absence.communication_log
        (student_id, guardian_id, notification_id, reply_id, method, direction, occurred_at,
         outcome, recorded_by, note)
    select r.student_id, r.guardian_id, r.notification_id, r.reply_id, 'sms', 'in',
           r.received_at,
           case when c.kind = 'stop' then 'opted out by reply'
                when c.kind = 'start' then 'opted in by reply'
                else 'reply received' end,
           p_box_id, r.body
      from absence.reply r
      left join absence.confirmation_text c on c.reply_id = r.reply_id
     where r.reply_id = any (v_ids) and r.student_id is not null
     order by r.received_at, r.reply_id;

    update absence.box_status b
       set replies_received = b.replies_received + cardinality(v_ids), last_reply_at = now()
     where b.box_id = p_box_id and cardinality(v_ids) > 0;

    return query
        select cardinality(v_ids), cardinality(p_message_ids) - cardinality(v_ids), v_matched,
               cardinality(v_ids) - v_matched, v_out, v_in;
end
$$;
