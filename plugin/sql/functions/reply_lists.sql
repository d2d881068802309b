-- reply_lists.sql: parents' replies as staff read them (absencectl replies,
-- explain's replies), and the opt-outs staff make and read (absencectl
-- opt-out, opt-in, opt-outs). README, "8. Replies from parents". Nothing
-- here writes but staff_opt_out, through absence.change_opt_out.

-- What parents wrote, safe to print on a terminal: control characters
-- (C0, DEL, C1) and the invisible marks that reorder text (bidirectional
-- overrides and isolates) as escapes: \n, \r, \t, \x1b, \u202e. Everything
-- else as written.
create function absence.shown_body(p_body text)
returns text
language sql immutable strict
as $$
    select case
        when p_body !~ '[\x01-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]' then p_body
        else (select string_agg(
                         case
                             when c = E'\n' then '\n'
                             when c = E'\r' then '\r'
                             when c = E'\t' then '\t'
                             when ascii(c) < 32 or ascii(c) = 127
                                 then '\x' || lpad(to_hex(ascii(c)), 2, '0')
                             when ascii(c) between 128 and 159 or ascii(c) in (8206, 8207)
                                  or ascii(c) between 8234 and 8238
                                  or ascii(c) between 8294 and 8297
                                 then '\u' || lpad(to_hex(ascii(c)), 4, '0')
                             else c
                         end, '' order by o)
                from regexp_split_to_table(p_body, '') with ordinality as t(c, o))
    end
$$;

-- The replies received on or after p_since (a college date; null: in the
-- last 7 days, 168 hours), newest first; only
-- those that matched no text with p_unmatched. Times and bodies as
-- absencectl shows them: for a program (p_machine) ISO 8601 and the body
-- as written, for a person the college's time and the body escaped.
create function absence.reply_list(p_cfg absence.policy_config, p_since date,
                                   p_unmatched boolean, p_machine boolean default false)
returns table (id bigint, received text, "from" text, "to" text, student text,
               guardian bigint, "text" bigint, keyword text, candidates text, body text)
language sql stable
as $$
    select r.reply_id,
           absence.shown_time(r.received_at, (p_cfg).timezone, p_machine, 'YYYY-MM-DD HH24:MI'),
           absence.mask_mobile(r.sender),
           case when p_machine then r.receiver else absence.shown_body(r.receiver) end,
           r.student_id, r.guardian_id, r.notification_id, r.keyword,
           coalesce((select string_agg(c.student_id, ',' order by c.student_id)
                       from absence.reply_candidate c
                      where c.reply_id = r.reply_id), ''),
           case when p_machine then r.body else absence.shown_body(r.body) end
      from absence.reply r
     where r.received_at >= coalesce(absence.college_instant(p_cfg, p_since, '00:00'),
                                     now() - interval '7 days')
       and (not p_unmatched or r.student_id is null)
     order by r.received_at desc, r.reply_id desc
$$;

-- A student's replies received on p_day (a college date), oldest first:
-- those matched to them, and those from a number texted about them that
-- matched another student (as a candidate). For absencectl explain.
create function absence.student_replies(p_cfg absence.policy_config, p_student_id text,
                                        p_day date, p_machine boolean default false)
returns table (id bigint, at text, "from" text, keyword text, match text, "text" bigint,
               body text)
language sql stable
as $$
    with day_replies as (
        select r.*, 'matched'::text as match, r.notification_id as text_id
          from absence.reply r
         where r.student_id = p_student_id
           and r.received_at >= absence.college_instant(p_cfg, p_day, '00:00')
           and r.received_at < absence.college_instant(p_cfg, p_day + 1, '00:00')
        union all
        select r.*, 'candidate (matched ' || r.student_id || ')', c.notification_id
          from absence.reply r
          join absence.reply_candidate c
            on c.reply_id = r.reply_id and c.student_id = p_student_id
         where r.received_at >= absence.college_instant(p_cfg, p_day, '00:00')
           and r.received_at < absence.college_instant(p_cfg, p_day + 1, '00:00')
    )
    select d.reply_id,
           absence.shown_time(d.received_at, (p_cfg).timezone, p_machine, 'HH24:MI:SS'),
           absence.mask_mobile(d.sender), d.keyword, d.match, d.text_id,
           case when p_machine then d.body else absence.shown_body(d.body) end
      from day_replies d
     order by d.received_at, d.reply_id
$$;

-- The numbers opted out now, newest first: masked, since when (as
-- shown_time shows it), how, who recorded it (staff, or the box that took
-- the reply), why (staff), and the students whose guardians have the
-- number, however the office typed it.
create function absence.opt_out_list(p_cfg absence.policy_config, p_machine boolean default false)
returns table (number text, since text, via text, recorded_by text, reason text,
               students text)
language sql stable
as $$
    with numbers as materialized (
        select absence.normalise_mobile(g.mobile, true) as recipient, gs.student_id
          from absence.guardian g
          join absence.guardian_student gs on gs.guardian_id = g.guardian_id
         where exists (select 1 from absence.opt_out)
    )
    select absence.mask_mobile(o.recipient),
           absence.shown_time(o.opted_out_at, (p_cfg).timezone, p_machine, 'YYYY-MM-DD HH24:MI'),
           o.via, o.recorded_by, coalesce(o.reason, ''),
           coalesce((select string_agg(distinct n.student_id, ',')
                       from numbers n where n.recipient = o.recipient), '')
      from absence.opt_out o
     order by o.opted_out_at desc, o.recipient
$$;

-- Staff opt p_number out (p_out) or in, for p_reason, recorded as p_actor:
-- the number as the office would type it, any mobile (UK or international).
-- Refused, changing nothing, for a number that is not a mobile or without a
-- reason. Staff changes send no confirmation text. Returns the line
-- absencectl prints, the number masked, and whether it changed anything:
--   opted out +4477009****23 (2 pending texts stopped)
--   +4477009****23 was already opted out since 2026-11-28 14:03 (by reply)
--   opted in +4477009****23 (opted out since 2026-11-28 14:03 by reply)
--   +4477009****23 was already opted out since 2026-11-28 14:03 (by staff: their reason)
--   +4477009****23 was not opted out
create function absence.staff_opt_out(p_cfg absence.policy_config, p_number text,
                                      p_out boolean, p_actor text, p_reason text)
returns table (message text, changed integer)
language plpgsql
as $$
declare
    v_recipient text := absence.normalise_mobile(p_number, true);
    v_before absence.opt_out;
    v_change record;
    v_masked text;
    v_stopped integer;
    v_since text;
    v_how text;
begin
    if v_recipient is null then
        raise exception '%', format('%s is not a mobile number: only a mobile (a UK one, or '
                                    'another country''s with its +) can be opted %s',
                                    coalesce(absence.mask_mobile(
                                        nullif(regexp_replace(p_number, '\s', '', 'g'), '')),
                                        'an empty number'),
                                    case when p_out then 'out' else 'in' end);
    end if;
    if coalesce(btrim(p_reason, E' \t\r\n'), '') = '' then
        raise exception 'say why with --reason "..."; every opt-out and opt-in by staff is recorded';
    end if;
    v_masked := absence.mask_mobile(v_recipient);
    select * into v_before from absence.opt_out where recipient = v_recipient for update;
    if found then
        v_since := absence.shown_time(v_before.opted_out_at, (p_cfg).timezone, false,
                                      'YYYY-MM-DD HH24:MI');
        v_how := format('by %s%s', v_before.via, ': ' || v_before.reason);
    end if;
    select * into v_change
      from absence.change_opt_out(v_recipient, p_out, now(), 'staff', null, p_actor,
                                  btrim(p_reason, E' \t\r\n'));
    if not v_change.changed then
        return query select case when p_out
                                 then format('%s was already opted out since %s (%s)',
                                             v_masked, v_since, v_how)
                                 else format('%s was not opted out', v_masked) end, 0;
        return;
    end if;
    if not p_out then
        return query select format('opted in %s (opted out since %s %s)', v_masked, v_since,
                                   v_how), 1;
        return;
    end if;
    v_stopped := v_change.texts_stopped;
    return query select format('opted out %s (%s)', v_masked,
                               case v_stopped when 0 then 'no pending texts'
                                              when 1 then '1 pending text stopped'
                                              else v_stopped || ' pending texts stopped' end), 1;
end
$$;
