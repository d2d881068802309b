-- communication.sql: the communication log (README, "7. Attendance
-- concerns"): every attempt to reach a family. The box's texts are logged
-- by a trigger on absence.notification, so that every way a text reaches
-- an outcome (a report, an ack, the planner, the sweep, staff) writes its
-- row in the same transaction as the status change; staff add their calls,
-- letters, e-mails and meetings with log_contact().

-- The outcomes of a text that the log records.
create function absence.is_text_outcome(p_status text)
returns boolean
language sql immutable
as $$
    select p_status in ('delivered', 'failed', 'expired', 'unconfirmed')
$$;

-- A statement on absence.notification logs the texts it inserted with an
-- outcome or moved to one, in one go from its transition tables, each row
-- at the instant of its change; a delivered concern text also moves its
-- concern (and any other of the student's concerns planned with it) from
-- open to notified. (A trigger for each row cost a call of PL/pgSQL per text
-- on the box's busiest path; the rows gathered into an array and unnested
-- again cost a third of a report's work.)
create function absence.log_statement_outcomes()
returns trigger
language plpgsql
as $$
declare
    -- for an update, only the texts whose status it changed
    v_changed constant text := case when tg_op = 'UPDATE' then
        'join old_texts o on o.notification_id = n.notification_id
                          and o.status is distinct from n.status' end;
begin
    if not exists (select 1 from new_texts n where absence.is_text_outcome(n.status)) then
        return null;
    end if;
    -- planned afresh each time: a plan kept from a statement of one row
    -- would join the two tables of a batch row by row
    execute format($q$
        insert into absence.communication_log
            (student_id, guardian_id, concern_id, notification_id, method, direction,
             occurred_at, outcome, recorded_by, note)
        select n.student_id, n.guardian_id, n.concern_id, n.notification_id, 'sms', 'out',
               n.status_changed_at, n.status, coalesce(n.box_id, 'absencebox'),
               case when n.resolution = 'cancelled' and n.status = 'expired'
                    then 'cancelled by staff'
                    when n.status <> 'delivered' then n.failure_reason end
          from new_texts n %s
         where absence.is_text_outcome(n.status)
         order by n.notification_id$q$, v_changed);
    if exists (select 1 from new_texts n where n.kind = 'concern' and n.status = 'delivered') then
        execute format($q$
            update absence.attendance_concern k
               set state = 'notified'
              from new_texts n %s
              join absence.attendance_concern c on c.concern_id = n.concern_id
             where n.kind = 'concern' and n.status = 'delivered'
               and k.student_id = c.student_id and k.term_id = c.term_id
               and k.texts_planned_at = c.texts_planned_at
               and k.state = 'open'$q$, v_changed);
    end if;
    return null;
end
$$;

create trigger notification_outcome_logged
    after insert on absence.notification
    referencing new table as new_texts
    for each statement execute function absence.log_statement_outcomes();
create trigger notification_outcome_change_logged
    after update on absence.notification
    referencing old table as old_texts new table as new_texts
    for each statement execute function absence.log_statement_outcomes();

-- Record a contact staff made or had with a family (absencectl
-- log-contact). The student must exist; a guardian given must be linked to
-- them, a concern given must be theirs; it cannot be in the future. Returns
-- the new row's id.
create function absence.log_contact(
    p_student_id text, p_method text, p_outcome text, p_actor text,
    p_guardian_id bigint default null, p_concern_id bigint default null,
    p_note text default null, p_at timestamptz default null, p_direction text default 'out')
returns bigint
language plpgsql
as $$
declare
    v_id bigint;
begin
    if not exists (select 1 from absence.student where student_id = p_student_id) then
        raise exception 'there is no student %', p_student_id;
    end if;
    if p_method is null or p_method not in ('phone', 'email', 'letter', 'meeting', 'sms') then
        raise exception 'unknown method "%": use phone, email, letter, meeting or sms', p_method;
    end if;
    if p_direction is null or p_direction not in ('out', 'in') then
        raise exception 'unknown direction "%": use out (the college reached the family) or in',
            p_direction;
    end if;
    if coalesce(btrim(p_outcome), '') = '' then
        raise exception 'say what came of it with --outcome "...", e.g. "spoke to parent"';
    end if;
    if p_guardian_id is not null and not exists (
            select 1 from absence.guardian_student
             where guardian_id = p_guardian_id and student_id = p_student_id) then
        raise exception 'guardian % is not linked to student %', p_guardian_id, p_student_id;
    end if;
    if p_concern_id is not null and not exists (
            select 1 from absence.attendance_concern
             where concern_id = p_concern_id and student_id = p_student_id) then
        raise exception 'student % has no concern %', p_student_id, p_concern_id;
    end if;
    if p_at > now() + interval '1 minute' then
        raise exception 'the contact is dated %, in the future: log a contact once it happened',
            p_at;
    end if;
    insert into absence.communication_log
        (student_id, guardian_id, concern_id, method, direction, occurred_at, outcome,
         recorded_by, note)
    values (p_student_id, p_guardian_id, p_concern_id, p_method, p_direction,
            coalesce(p_at, now()), btrim(p_outcome), p_actor, nullif(btrim(p_note), ''))
    returning communication_id into v_id;
    return v_id;
end
$$;

-- A student's log lines on p_day (college date), as absencectl explain
-- shows them, with the number texted masked.
create function absence.communication_day(p_cfg absence.policy_config, p_student_id text,
                                          p_day date, p_machine boolean default false)
returns table (id bigint, at text, method text, direction text, guardian bigint,
               number text, concern bigint, text bigint, outcome text, recorded_by text,
               note text)
language sql stable
as $$
    select c.communication_id,
           absence.shown_time(c.occurred_at, (p_cfg).timezone, p_machine, 'HH24:MI:SS'),
           c.method, c.direction, c.guardian_id, absence.mask_mobile(n.recipient), c.concern_id,
           c.notification_id, c.outcome, c.recorded_by, coalesce(c.note, '')
      from absence.communication_log c
      left join absence.notification n on n.notification_id = c.notification_id
     where c.student_id = p_student_id
       and c.occurred_at >= absence.college_instant(p_cfg, p_day, '00:00')
       and c.occurred_at < absence.college_instant(p_cfg, p_day + 1, '00:00')
     order by c.occurred_at, c.communication_id
$$;

-- The log from p_since to p_until, oldest first, times ISO 8601 at the
-- college (p_timezone), for the MIS (absencectl export-pastoral --what
-- communication-log).
create function absence.communication_export(p_since timestamptz, p_until timestamptz,
                                             p_timezone text)
returns table (id bigint, occurred_at text, student text, guardian bigint, concern bigint,
               notification bigint, reply bigint, method text, direction text, outcome text,
               recorded_by text, note text)
language sql stable
as $$
    select c.communication_id, absence.iso_local(c.occurred_at, p_timezone),
           c.student_id, c.guardian_id, c.concern_id, c.notification_id, c.reply_id, c.method,
           c.direction, c.outcome, c.recorded_by, c.note
      from absence.communication_log c
     where c.occurred_at >= p_since and c.occurred_at < p_until
     order by c.occurred_at, c.communication_id
$$;
