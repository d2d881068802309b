-- texts.sql: what the box does with a text after it is planned (README,
-- "How it works"), as functions the box calls with whole batches so that
-- each step is one round trip and one transaction.
--
--   claim_texts        pending -> submitted (FOR UPDATE SKIP LOCKED)
--   apply_acks         bearerbox's acks: -> sent, back to pending, or failed
--   apply_reports      delivery reports: history, -> delivered + pastoral log,
--                      -> failed; unknown tokens kept too
--   settle_gateway     a batch's acks and reports together, as the box sends them
--   expire_texts       pending past expiry -> expired
--   mark_unconfirmed   submitted with no word from bearerbox, or sent with no
--                      final report in time -> unconfirmed
--   release_texts      claimed but never written -> pending
--   box_heartbeat      the box's liveness row in box_status
--   texts_today        today's texts by status, for the box's admin interface
--
-- A confirmation of a stop or start word (absence.confirmation_text, see
-- replies.sql) goes through the same steps, by the same rules.

-- The uuid in a token as the box sent it, or null when it is not one.
-- (Hex groups split by four hyphens at the uuid's places: half the cost of
-- one expression with counted repetitions, and this runs twice a report.)
create function absence.token_uuid(p_token text)
returns uuid
language sql immutable
as $$
    select case when length(p_token) = 36
                     and p_token ~ '^[0-9a-fA-F]+-[0-9a-fA-F]+-[0-9a-fA-F]+-[0-9a-fA-F]+-[0-9a-fA-F]+$'
                     and substr(p_token, 9, 1) = '-' and substr(p_token, 14, 1) = '-'
                     and substr(p_token, 19, 1) = '-' and substr(p_token, 24, 1) = '-'
                then p_token::uuid end
$$;

-- Claim up to p_limit due texts for p_box_id: confirmations of a stop or
-- start word first (the parent is waiting for them), then absence and
-- concern texts, never one to a number that has opted out. Each gets a
-- fresh Kannel message id; texts past expiry are left for expire_texts().
-- Nothing is claimed while sending is paused.
create function absence.claim_texts(p_box_id text, p_limit integer)
returns table (notification_id bigint, token uuid, message_id uuid, recipient text, body text,
               expires_epoch bigint, confirmation_id bigint)
language plpgsql
as $$
#variable_conflict use_column
declare
    v_claimed integer;
begin
    if exists (select 1 from absence.sending_paused()) then
        return;
    end if;
    return query
        update absence.confirmation_text t
           set status = 'submitted', box_id = p_box_id, message_id = gen_random_uuid(),
               submitted_at = now(), attempts = t.attempts + 1, status_changed_at = now()
         where t.confirmation_id = any (array(
                select c.confirmation_id
                  from absence.confirmation_text c
                 where c.status = 'pending' and c.due_at <= now() and c.expires_at >= now()
                 order by c.due_at, c.confirmation_id
                 limit p_limit
                   for update skip locked))
        returning null::bigint, t.token, t.message_id, t.recipient, t.body,
                  extract(epoch from t.expires_at)::bigint, t.confirmation_id;
    get diagnostics v_claimed = row_count;
    return query
        update absence.notification n
           set status = 'submitted', box_id = p_box_id, message_id = gen_random_uuid(),
               submitted_at = now(), attempts = n.attempts + 1, status_changed_at = now()
         -- the claimed ids as an array, so that each is fetched by its key: as
         -- a join, a day's table (all texts just planned, a batch of 250) was
         -- read whole for each claim. The queue alone gives them, in its key's
         -- order, and its rows are locked, so that two boxes skip each other's;
         -- each text's status is checked again as it is changed, so that a
         -- text another box claimed meanwhile is never claimed twice.
         where n.notification_id = any (array(
                select q.notification_id
                  from absence.text_queue q
                 where q.due_at <= now() and q.expires_at >= now()
                   and not exists (select 1 from absence.opt_out o where o.recipient = q.recipient)
                 order by q.due_at, q.notification_id
                 limit p_limit - v_claimed
                   for update skip locked))
           and n.status = 'pending'
        returning n.notification_id, n.token, n.message_id, n.recipient, n.body,
                  extract(epoch from n.expires_at)::bigint, null::bigint;
end
$$;

-- A submitted text's status after bearerbox's ack (Kannel ack_status_t).
create function absence.acked_status(p_nack integer)
returns text
language sql immutable
as $$
    select case p_nack when 2 then 'pending' when 1 then 'failed' else 'sent' end
$$;

-- The failure an ack records, if it is one.
create function absence.ack_failure(p_nack integer)
returns text
language sql immutable
as $$
    select case when p_nack = 1 then 'bearerbox refused the text: no route to an SMSC' end
$$;

-- Apply bearerbox's acks (Kannel ack_status_t): 0 success and 3 buffered
-- mean bearerbox took the text; 2 (temporarily failed, not stored) puts it
-- back to pending to be claimed again; 1 (no route) fails it for good.
-- A text taken whose token is in p_reported_tokens (its delivery report
-- came in the same batch: see settle_gateway) is left to that report, and
-- not counted here.
create function absence.apply_acks(p_message_ids uuid[], p_nacks integer[],
                                   p_reported_tokens text[] default null)
returns table (sent integer, retried integer, failed integer)
language plpgsql
as $$
#variable_conflict use_column
begin
    return query
        with ack(message_id, nack) as (
            select * from unnest(p_message_ids, p_nacks)
        ), reported(token) as (
            -- (no nulls: NOT IN a list holding a null is never true)
            select absence.token_uuid(t) from unnest(p_reported_tokens) t
             where absence.token_uuid(t) is not null
        ), taken(notification_id, nack) as (
            -- each ack's text looked up on its own (a lateral subquery
            -- with a limit is not flattened into a join): planned as a
            -- join, from statistics taken while the day's texts were all
            -- pending and had no message id, it read the whole index for
            -- every batch, a tenth of a millisecond an ack
            select n.notification_id, ack.nack
              from ack
             cross join lateral (
                   select n.notification_id, n.token
                     from absence.text_in_flight f
                     join absence.notification n on n.notification_id = f.notification_id
                    where f.message_id = ack.message_id and n.status = 'submitted'
                    limit 1) n
             where ack.nack not in (0, 3) or n.token not in (select token from reported)
        ), changed as (
            update absence.notification n
               set status = absence.acked_status(t.nack),
                   sent_at = case when t.nack in (0, 3) then now() else n.sent_at end,
                   failed_at = case when t.nack = 1 then now() else n.failed_at end,
                   failure_reason = coalesce(absence.ack_failure(t.nack), n.failure_reason),
                   message_id = case when t.nack = 2 then null else n.message_id end,
                   status_changed_at = now()
              from taken t
             where n.notification_id = t.notification_id and n.status = 'submitted'
            returning n.status
        ), confirmed as (
            update absence.confirmation_text t
               set status = absence.acked_status(ack.nack),
                   sent_at = case when ack.nack in (0, 3) then now() else t.sent_at end,
                   failed_at = case when ack.nack = 1 then now() else t.failed_at end,
                   failure_reason = coalesce(absence.ack_failure(ack.nack), t.failure_reason),
                   message_id = case when ack.nack = 2 then null else t.message_id end,
                   status_changed_at = now()
              from ack
             where t.message_id = ack.message_id and t.status = 'submitted'
               and (ack.nack not in (0, 3) or t.token not in (select token from reported))
            returning t.status
        ), both_kinds as (
            select status from changed union all select status from confirmed
        )
        select count(*) filter (where status = 'sent')::integer,
               count(*) filter (where status = 'pending')::integer,
               count(*) filter (where status = 'failed')::integer
          from both_kinds;
end
$$;

-- The pastoral log entry for a delivered text, as the MIS shows it: about
-- the lesson for an absence text (p_lesson_title, p_lesson_start), about
-- the pattern for a concern text (p_rule, p_days, p_term). A plain
-- expression, so that PostgreSQL inlines it into apply_reports' insert.
create function absence.pastoral_entry(
    p_kind text, p_guardian_name text, p_guardian_id bigint, p_recipient text,
    p_student_id text, p_body text, p_school_day date, p_lesson_title text,
    p_lesson_start timestamptz, p_rule text, p_days date[], p_term bigint, p_timezone text)
returns text
language sql stable
as $$
    select case p_kind
        when 'concern' then format(
            'Attendance concern text delivered to %s (guardian %s) on %s about %s''s %s absence '
            'days (%s) in term %s: "%s"',
            coalesce(p_guardian_name, 'a guardian'), p_guardian_id,
            absence.mask_mobile(p_recipient), p_student_id,
            p_rule, array_to_string(p_days, ', '), p_term, p_body)
        else format('Absence text delivered to %s (guardian %s) on %s about %s''s absence from '
                    '%s at %s on %s: "%s"',
                    coalesce(p_guardian_name, 'a guardian'), p_guardian_id,
                    absence.mask_mobile(p_recipient), p_student_id,
                    coalesce(p_lesson_title, 'the lesson'),
                    to_char(p_lesson_start at time zone p_timezone, 'HH24:MI'),
                    to_char(p_school_day, 'YYYY-MM-DD'), p_body)
        end
$$;

-- The pastoral log's category for a delivered text of p_kind.
create function absence.pastoral_category(p_cfg absence.policy_config, p_kind text)
returns text
language sql immutable
as $$
    select case p_kind when 'concern' then 'Attendance concern' else (p_cfg).pastoral_category end
$$;

-- A text's status after its reports so far: delivered, expired, failed,
-- or for a text the gateway had not confirmed, sent (an SMSC acceptance).
create function absence.reported_status(p_status text, p_delivered boolean, p_expired boolean,
                                        p_failed boolean)
returns text
language sql immutable
as $$
    select case when p_delivered then 'delivered'
                when p_expired then 'expired'
                when p_failed then 'failed'
                when p_status in ('submitted', 'unconfirmed') then 'sent'
                else p_status end
$$;

-- Whether reports change a text in p_status: a delivered text never
-- changes again; a failed or expired one only to delivered.
create function absence.reports_change(p_status text, p_delivered boolean, p_failed boolean)
returns boolean
language sql immutable
as $$
    select p_status <> 'delivered'
       and (p_delivered or (p_failed and p_status not in ('failed', 'expired'))
            or p_status in ('submitted', 'unconfirmed'))
$$;

-- Apply a batch of delivery reports in one statement (so one transaction):
-- every report is kept in delivery_report (a redelivered one, same report
-- id, only once); per text, a final success makes it delivered and writes
-- its pastoral_log row, a final failure or SMSC reject makes it failed with
-- the reason (expired when bearerbox dropped it past its validity), an SMSC
-- acceptance confirms a submitted or unconfirmed text as sent. A delivered
-- text never changes again; a failed one only to delivered. Confirmation
-- texts go through the same changes, without a pastoral log entry. The
-- pastoral log's category and times come from p_cfg.
create function absence.apply_reports(
    p_cfg absence.policy_config, p_box_id text,
    p_report_ids uuid[], p_tokens text[], p_dlr_types integer[], p_smsc_ids text[],
    p_foreign_ids text[], p_replies text[])
returns table (reports integer, duplicates integer, unknown integer, delivered integer,
               failed integer, unknown_tokens text[])
language plpgsql
as $$
#variable_conflict use_column
begin
    return query
        with report(ord, report_id, token, dlr_type, smsc_id, foreign_id, reply, uuid) as (
            select ord, a, b, c, d, e, f, absence.token_uuid(b)
              from unnest(p_report_ids, p_tokens, p_dlr_types, p_smsc_ids, p_foreign_ids, p_replies)
                   with ordinality as r(a, b, c, d, e, f, ord)
        ), kept as (
            insert into absence.delivery_report as d
                (report_id, notification_id, confirmation_id, token, dlr_type, smsc_id, foreign_id,
                 reply, box_id)
            select r.report_id, n.notification_id, t.confirmation_id, r.token, r.dlr_type,
                   r.smsc_id, r.foreign_id, r.reply, p_box_id
              from report r
              -- each report's text looked up by its token on its own (offset 0
              -- keeps the subquery apart): as a join, the planner hashed every
              -- text of the table for each batch once it held a few thousand
              left join lateral (select n.notification_id from absence.notification n
                                  where n.token = r.uuid offset 0) n on true
              left join lateral (select t.confirmation_id from absence.confirmation_text t
                                  where t.token = r.uuid offset 0) t on true
             order by r.ord
            on conflict (report_id) do nothing
            returning d.delivery_report_id, d.notification_id, d.confirmation_id, d.token,
                      d.dlr_type, d.smsc_id, d.foreign_id, d.reply
        ), outcome as (
            select k.notification_id, k.confirmation_id,
                   bool_or(k.dlr_type & 1 <> 0) as delivered,
                   bool_or(k.dlr_type & 18 <> 0) as failed,
                   bool_or(k.dlr_type & 32 <> 0) as expired,
                   (array_agg(k.reply order by k.delivery_report_id)
                        filter (where k.dlr_type & 18 <> 0))[1] as failure,
                   (array_agg(k.smsc_id order by k.delivery_report_id desc)
                        filter (where k.smsc_id is not null))[1] as smsc_id,
                   (array_agg(k.foreign_id order by k.delivery_report_id desc)
                        filter (where k.foreign_id is not null))[1] as foreign_id
              from kept k
             where k.notification_id is not null or k.confirmation_id is not null
             group by k.notification_id, k.confirmation_id
        ), changed as (
            update absence.notification n
               set status = absence.reported_status(n.status, o.delivered, o.expired, o.failed),
                   delivered_at = case when o.delivered then now() else n.delivered_at end,
                   failed_at = case when not o.delivered and o.failed then now() else n.failed_at end,
                   failure_reason = case when not o.delivered and o.failed
                       then coalesce(nullif(o.failure, ''), 'the SMSC reported a failure')
                       else n.failure_reason end,
                   sent_at = coalesce(n.sent_at, now()),
                   smsc_id = coalesce(o.smsc_id, n.smsc_id),
                   foreign_id = coalesce(o.foreign_id, n.foreign_id),
                   status_changed_at = now()
              from outcome o
             where n.notification_id = o.notification_id
               -- the texts by their keys, as the claim takes them: as a plain
               -- join, a table of a few thousand texts was read whole
               and n.notification_id = any (array(select notification_id from outcome))
               and absence.reports_change(n.status, o.delivered, o.failed)
            returning n.*
        ), confirmed as (
            update absence.confirmation_text t
               set status = absence.reported_status(t.status, o.delivered, o.expired, o.failed),
                   delivered_at = case when o.delivered then now() else t.delivered_at end,
                   failed_at = case when not o.delivered and o.failed then now() else t.failed_at end,
                   failure_reason = case when not o.delivered and o.failed
                       then coalesce(nullif(o.failure, ''), 'the SMSC reported a failure')
                       else t.failure_reason end,
                   sent_at = coalesce(t.sent_at, now()),
                   smsc_id = coalesce(o.smsc_id, t.smsc_id),
                   foreign_id = coalesce(o.foreign_id, t.foreign_id),
                   status_changed_at = now()
              from outcome o
             where t.confirmation_id = o.confirmation_id
               and absence.reports_change(t.status, o.delivered, o.failed)
            returning t.status
        ), logged as (
            insert into absence.pastoral_log
                (notification_id, student_id, guardian_id, lesson_id, logged_at, category, entry)
            select c.notification_id, c.student_id, c.guardian_id, c.lesson_id, now(),
                   absence.pastoral_category(p_cfg, c.kind),
                   absence.pastoral_entry(c.kind, g.name, c.guardian_id, c.recipient, c.student_id,
                                          c.body, c.school_day, l.title, l.starts_at, k.rule,
                                          k.absence_days, k.term_id, (p_cfg).timezone)
              from changed c
              left join absence.guardian g on g.guardian_id = c.guardian_id
              left join absence.lesson l on l.lesson_id = c.lesson_id
              left join absence.attendance_concern k on k.concern_id = c.concern_id
             where c.status = 'delivered'
            on conflict (notification_id) do nothing
            returning 1
        ), heard as (
            update absence.box_status b
               set reports_received = b.reports_received + (select count(*) from kept),
                   last_report_at = now()
             where b.box_id = p_box_id and exists (select 1 from kept)
            returning 1
        )
        select (select count(*) from kept)::integer,
               (cardinality(p_report_ids) - (select count(*) from kept))::integer,
               (select count(*) from kept
                 where notification_id is null and confirmation_id is null)::integer,
               ((select count(*) from logged)
                + (select count(*) from confirmed where status = 'delivered'))::integer,
               ((select count(*) from changed where status = 'failed')
                + (select count(*) from confirmed where status = 'failed'))::integer,
               (select array_agg(coalesce(token, '(none)')) from kept
                 where notification_id is null and confirmation_id is null)
          from (select count(*) from heard) h;
end
$$;

-- One batch of bearerbox's messages for p_box_id, in one transaction and
-- one round trip: its acks (apply_acks), then its delivery reports
-- (apply_reports). A text both acknowledged and reported in the batch is
-- changed once, by its report, which makes a submitted text sent or final
-- as it does a sent one: the ack's own change would be overwritten a
-- moment later, at the cost of one more row version per text. Empty arrays
-- skip their step.
create function absence.settle_gateway(
    p_cfg absence.policy_config, p_box_id text, p_ack_ids uuid[], p_nacks integer[],
    p_report_ids uuid[], p_tokens text[], p_dlr_types integer[], p_smsc_ids text[],
    p_foreign_ids text[], p_replies text[])
returns table (sent integer, retried integer, failed integer, reports integer,
               duplicates integer, unknown integer, delivered integer, reports_failed integer,
               unknown_tokens text[])
language plpgsql
as $$
declare
    v_sent integer := 0;
    v_retried integer := 0;
    v_failed integer := 0;
    r record;
begin
    if cardinality(p_ack_ids) > 0 then
        select * into v_sent, v_retried, v_failed
          from absence.apply_acks(p_ack_ids, p_nacks, p_tokens);
    end if;
    if cardinality(p_report_ids) > 0 then
        select * into r from absence.apply_reports(p_cfg, p_box_id, p_report_ids, p_tokens,
                                                   p_dlr_types, p_smsc_ids, p_foreign_ids,
                                                   p_replies);
        return query select v_sent, v_retried, v_failed, r.reports, r.duplicates, r.unknown,
                            r.delivered, r.failed, r.unknown_tokens;
    else
        return query select v_sent, v_retried, v_failed, 0, 0, 0, 0, 0, null::text[];
    end if;
end
$$;

-- Texts still pending after their expiry are never sent.
create function absence.expire_texts()
returns integer
language sql
as $$
    with expired as (
        update absence.notification n
           set status = 'expired', status_changed_at = now()
          from absence.text_queue q
         where q.expires_at < now() and n.notification_id = q.notification_id
           and n.status = 'pending'
        returning 1
    ), expired_confirmations as (
        update absence.confirmation_text
           set status = 'expired', status_changed_at = now()
         where status = 'pending' and expires_at < now()
        returning 1
    )
    select ((select count(*) from expired) + (select count(*) from expired_confirmations))::integer
$$;

-- Whether the box can no longer vouch for a text (see mark_unconfirmed).
create function absence.is_unconfirmed(p_status text, p_submitted_at timestamptz,
                                       p_sent_at timestamptz, p_started_at timestamptz,
                                       p_confirm_s integer, p_report_s integer)
returns boolean
language sql stable
as $$
    select (p_status = 'submitted'
            and p_submitted_at < now() - make_interval(secs => p_confirm_s)
            and p_started_at < now() - make_interval(secs => p_confirm_s))
        or (p_status = 'sent' and p_sent_at < now() - make_interval(secs => p_report_s))
$$;

-- Why a text in p_status became unconfirmed.
create function absence.unconfirmed_reason(p_status text, p_confirm_s integer,
                                           p_report_s integer)
returns text
language sql immutable
as $$
    select case p_status
        when 'submitted' then 'no acknowledgement or report from bearerbox within '
                              || p_confirm_s || ' s of submission'
        else 'no final delivery report within ' || p_report_s
             || ' s of being sent: the gateway may have lost it' end
$$;

-- Texts p_box_id cannot vouch for become unconfirmed, with the reason, for
-- a person to decide; they are never resent blindly, and a later report
-- still settles them:
--   submitted, with no word from bearerbox (the box or its connection died
--   before the ack) once p_confirm_s has passed since both their submission
--   and the box's start (p_started_at);
--   sent (the gateway took them), with no final delivery report within
--   p_report_s: the gateway may have lost it (bearerbox unable to write its
--   DLR store, say).
create function absence.mark_unconfirmed(p_box_id text, p_confirm_s integer,
                                         p_started_at timestamptz, p_report_s integer)
returns table (unacknowledged integer, unreported integer)
language sql
as $$
    with unknown as (
        update absence.notification n
           set status = 'unconfirmed', status_changed_at = now(),
               failure_reason = absence.unconfirmed_reason(n.status, p_confirm_s, p_report_s)
          from absence.text_in_flight f
         where f.box_id = p_box_id and n.notification_id = f.notification_id
           and absence.is_unconfirmed(n.status, n.submitted_at, n.sent_at, p_started_at,
                                      p_confirm_s, p_report_s)
        returning n.failure_reason like 'no final%' as unreported
    ), unknown_confirmations as (
        update absence.confirmation_text t
           set status = 'unconfirmed', status_changed_at = now(),
               failure_reason = absence.unconfirmed_reason(t.status, p_confirm_s, p_report_s)
         where t.box_id = p_box_id and absence.is_in_flight(t.status)
           and absence.is_unconfirmed(t.status, t.submitted_at, t.sent_at, p_started_at,
                                      p_confirm_s, p_report_s)
        returning t.failure_reason like 'no final%' as unreported
    ), both_kinds as (
        select unreported from unknown union all select unreported from unknown_confirmations
    )
    select count(*) filter (where not unreported)::integer,
           count(*) filter (where unreported)::integer
      from both_kinds
$$;

-- Texts that should have had their final report by now and have not: sent
-- (or unconfirmed) more than p_late_s ago, within the last p_window_s, out
-- of all sent then. What absencectl status and /metrics watch, to catch
-- reports the gateway loses long before report-timeout.
create function absence.reports_missing(p_late_s integer default 600,
                                        p_window_s integer default 7200)
returns table (texts bigint, without_report bigint)
language sql stable
as $$
    select count(*), count(*) filter (where status in ('sent', 'unconfirmed'))
      from absence.notification
     where sent_at between now() - make_interval(secs => p_window_s)
                       and now() - make_interval(secs => p_late_s)
       -- a text goes out on its school day: this reads only the last days' texts
       and school_day >= (now() - make_interval(secs => p_window_s) - interval '1 day')::date
$$;

-- Record the box's heartbeat; p_started_at null keeps the recorded start.
create function absence.box_heartbeat(p_box_id text, p_pid integer, p_started_at timestamptz,
                                      p_connected boolean, p_bearerbox text,
                                      p_in_flight integer)
returns timestamptz
language sql
as $$
    insert into absence.box_status as b
        (box_id, pid, started_at, heartbeat_at, bearerbox_connected, bearerbox, texts_in_flight)
    values (p_box_id, p_pid, coalesce(p_started_at, now()), now(), p_connected, p_bearerbox,
            p_in_flight)
    on conflict (box_id) do update
       set pid = excluded.pid,
           started_at = coalesce(p_started_at, b.started_at),
           heartbeat_at = now(),
           bearerbox_connected = excluded.bearerbox_connected,
           bearerbox = excluded.bearerbox,
           texts_in_flight = excluded.texts_in_flight
    returning started_at
$$;

-- Record how the box's last planning run went: P_ERROR null when it worked.
-- A failed run is counted; absencectl status shows the error until a run
-- works again. The box's row exists: its heartbeat runs first.
create function absence.box_planned(p_box_id text, p_error text)
returns void
language sql
as $$
    update absence.box_status
       set last_plan_at = now(), last_plan_error = p_error,
           plan_failures = plan_failures + (p_error is not null)::integer
     where box_id = p_box_id
$$;

-- Texts the box claimed but could not write to bearerbox at all (no
-- connection): they never left, so they go back to pending.
create function absence.release_texts(p_message_ids uuid[])
returns integer
language sql
as $$
    with released as (
        update absence.notification n
           set status = 'pending', box_id = null, message_id = null, submitted_at = null,
               attempts = n.attempts - 1, status_changed_at = now()
          from absence.text_in_flight f
         where f.message_id = any (p_message_ids) and n.notification_id = f.notification_id
           and n.status = 'submitted'
        returning 1
    ), released_confirmations as (
        update absence.confirmation_text
           set status = 'pending', box_id = null, message_id = null, submitted_at = null,
               attempts = attempts - 1, status_changed_at = now()
         where message_id = any (p_message_ids) and status = 'submitted'
        returning 1
    )
    select ((select count(*) from released)
            + (select count(*) from released_confirmations))::integer
$$;

-- Today's texts (the college's school day at p_at) by status, every status
-- of absence.notification_status in its order, with zeros; and on every
-- row, how long the oldest due pending text has waited (null: none waits),
-- how many recent texts still lack their final report, the college's
-- offset from UTC (for the times the admin interface shows), and today's
-- replies from parents, all and unmatched.
create function absence.texts_today(p_cfg absence.policy_config, p_at timestamptz default now())
returns table (status text, texts bigint, oldest_pending_s bigint, without_report bigint,
               utc_offset_s integer, replies bigint, replies_unmatched bigint,
               days_set_aside bigint)
language sql stable
as $$
    select s.status, count(n.notification_id),
           (select extract(epoch from p_at - min(q.due_at))::bigint
              from absence.text_queue q
             where q.due_at <= p_at),
           (select r.without_report from absence.reports_missing() r),
           extract(epoch from (p_at at time zone (p_cfg).timezone)
                              - (p_at at time zone 'UTC'))::integer,
           today.replies, today.unmatched,
           (select count(*) from absence.open_quarantine(p_at))
      from absence.notification_status s
     cross join (select count(*) as replies,
                        count(*) filter (where r.student_id is null) as unmatched
                   from absence.reply r
                  where r.received_at >= absence.college_instant(
                            p_cfg, (p_at at time zone (p_cfg).timezone)::date, '00:00')) today
      left join absence.notification n
             on n.status = s.status
            and n.school_day = (p_at at time zone (p_cfg).timezone)::date
     group by s.status, s.position, today.replies, today.unmatched
     order by s.position
$$;
