-- contacts.sql: parents' contacts from the MIS's Common Transfer File by
-- the college's rules (README, "Contacts from the MIS"). absencectl
-- import-contacts reads the file (plugin/ctf_reader.c) into the session's
-- table ctf_contact, then absence.import_contacts() applies every rule in
-- one statement sequence of the caller's transaction: a dry run is the
-- same work rolled back.

-- A name as the import compares names: lower case, letters and digits only
-- ("O'Brien-Smith " and "obriensmith" are the same).
create function absence.name_key(p_name text)
returns text
language sql immutable
as $$
    select lower(regexp_replace(coalesce(p_name, ''), '[^[:alnum:]]', '', 'g'))
$$;

-- The contact's mobile among its phones: the first TelephoneType M that is
-- a mobile number; else the first M as typed (the audit shows it); else none.
create function absence.contact_mobile(p_phones jsonb, p_allow_international boolean)
returns text
language sql immutable
as $$
    select p.value ->> 'number'
    from jsonb_array_elements(coalesce(p_phones, '[]')) with ordinality p(value, position)
    where upper(p.value ->> 'type') = 'M'
    order by absence.normalise_mobile(p.value ->> 'number', p_allow_international) is null,
             p.position
    limit 1
$$;

-- The session's table the reader fills: one row per Contact, and one with
-- no contact for a Pupil that has none (its imported links are left).
create function absence.open_contact_staging()
returns void
language plpgsql
as $$
begin
    -- The import's working tables are a few times the file: kept in memory
    -- they are several times faster. PostgreSQL allows this only before the
    -- session's first temporary table; a later call keeps what it has.
    begin
        perform set_config('temp_buffers', '256MB', false);
    exception when others then
        null;
    end;
    drop table if exists pg_temp.ctf_contact;
    create temp table ctf_contact (
        pupil_seq      integer not null,
        upn            text not null,
        pupil_line     integer not null,
        contact_seq    integer,
        line           integer,
        ord            integer,
        title          text,
        forename       text,
        surname        text,
        relationship   text,
        responsibility boolean,
        opt_out        boolean,
        email          text,
        phones         jsonb
    ) on commit drop;
end
$$;

-- What the import will do with each contact of a known pupil, decided
-- against the database as it stands (pg_temp.contact_plan): the guardian it
-- is recognised as, why it is skipped, the guardian it is linked to.
create function absence.plan_contacts(p_cfg absence.policy_config)
returns void
language plpgsql
as $$
begin
    drop table if exists pg_temp.contact_plan;
    -- Known pupils' contacts, with the keys the rules compare, and the
    -- imported guardian this pupil already has under the same name.
    create temp table contact_plan on commit drop as
    with contact as (
        select c.contact_seq as seq, c.line, s.student_id, c.ord, c.title, c.forename,
               c.surname, c.email, c.opt_out, c.phones,
               absence.name_key(c.forename) as fkey, absence.name_key(c.surname) as skey,
               absence.contact_mobile(c.phones, (p_cfg).allow_international) as mobile
        from pg_temp.ctf_contact c
        join absence.student s on s.upn = c.upn
        where c.contact_seq is not null
    )
    select contact.*,
           absence.normalise_mobile(contact.mobile, (p_cfg).allow_international) as number,
           row_number() over (partition by contact.student_id, contact.fkey, contact.skey
                              order by contact.seq) as name_rank,
           null::bigint as own_gid, own.guardian_id as named_gid,
           null::text as reason, null::bigint as gid
    from contact
    left join (
        select k.student_id, k.forename_key, k.surname_key, k.guardian_id
        from absence.imported_contact k
        join absence.guardian_student gs on gs.guardian_id = k.guardian_id
                                        and gs.student_id = k.student_id
                                        and gs.source = 'import'
        join absence.guardian g on g.guardian_id = k.guardian_id and g.source = 'import'
    ) own on own.student_id = contact.student_id and own.forename_key = contact.fkey
         and own.surname_key = contact.skey;
    update pg_temp.contact_plan set own_gid = named_gid
    where name_rank = 1 and named_gid is not null;
    create index on pg_temp.contact_plan (student_id);
    create unique index on pg_temp.contact_plan (seq);
    analyze pg_temp.contact_plan;

    -- Each pupil's guardians as they stand, with their numbers; the
    -- imported links no contact of the file recognises will be suspended,
    -- so they do not count as "already linked".
    drop table if exists pg_temp.linked_now;
    create temp table linked_now on commit drop as
    select gs.student_id, gs.guardian_id, gs.link_status, gs.prime, gs.priority, gs.source,
           g.source as guardian_source,
           absence.normalise_mobile(g.mobile, (p_cfg).allow_international) as number,
           gs.source = 'import' and g.source = 'import' and not exists (
               select from pg_temp.contact_plan p
               where p.student_id = gs.student_id and p.own_gid = gs.guardian_id) as vanishing
    from absence.guardian_student gs
    join absence.guardian g on g.guardian_id = gs.guardian_id
    where gs.student_id in (select s.student_id from pg_temp.ctf_contact c
                            join absence.student s on s.upn = c.upn);
    create index on pg_temp.linked_now (student_id);
    analyze pg_temp.linked_now;

    -- The rules, the first that applies giving the reason (only the
    -- refused contacts are written: most pass).
    update pg_temp.contact_plan p set reason = r.reason
    from (select c.seq, case
              when c.name_rank > 1 then 'already-linked'
              when c.opt_out then 'opted-out'
              when c.ord >= 2 and not (p_cfg).import_lower_priority then 'lower-priority'
              when c.ord = 1 and exists (
                  select from pg_temp.linked_now l
                  where l.student_id = c.student_id and l.prime and l.link_status = 'active'
                    and l.source in ('web', 'manual')) then 'prime-exists'
              when c.number is not null and exists (
                  select from pg_temp.linked_now l
                  where l.student_id = c.student_id and l.number = c.number and not l.vanishing
                    and l.guardian_id is distinct from c.own_gid) then 'already-linked'
          end as reason
          from pg_temp.contact_plan c) r
    where r.seq = p.seq and r.reason is not null;
    -- Two new contacts of one pupil with one number: the first, by priority.
    update pg_temp.contact_plan p set reason = 'already-linked'
    from (select seq, row_number() over (partition by student_id, number order by ord, seq) as n
          from pg_temp.contact_plan
          where reason is null and number is not null) r
    where r.seq = p.seq and r.n > 1;

    perform absence.choose_guardians();
    perform absence.fill_places(p_cfg);
end
$$;

-- The guardian each contact to be linked becomes: the one recognised by
-- its pupil and name; else one person across siblings (same number and
-- surname), already imported or new in this file.
create function absence.choose_guardians()
returns void
language plpgsql
as $$
declare
    v_next bigint;
begin
    -- New guardians are numbered after the highest id, which the caller's
    -- lock keeps; one per person (number and surname), or per contact
    -- without a number.
    select coalesce(max(guardian_id), 0) into v_next from absence.guardian;
    update pg_temp.contact_plan p
       set gid = coalesce(p.own_gid, person.gid, imported.gid, v_next + person.rank)
    from (select c.seq, c.number, c.skey,
                 case when c.number is not null
                      then min(c.own_gid) over (partition by c.number, c.skey) end as gid,
                 dense_rank() over (order by coalesce(c.number || '/' || c.skey,
                                                      '#' || c.seq::text)) as rank
          from pg_temp.contact_plan c
          where c.reason is null) person
    left join (select absence.normalise_mobile(g.mobile, true) as number,
                      absence.name_key(g.surname) as skey, min(g.guardian_id) as gid
               from absence.guardian g
               where g.source = 'import'
               group by 1, 2) imported
           on imported.number = person.number and imported.skey = person.skey
    where person.seq = p.seq;
    -- One link per guardian and pupil: a second contact of the pupil that
    -- turns out to be the same person is already linked.
    update pg_temp.contact_plan p set reason = 'already-linked', gid = null
    from (select seq, row_number() over (partition by student_id, gid order by own_gid is null,
                                                                     ord, seq) as n
          from pg_temp.contact_plan
          where reason is null) r
    where r.seq = p.seq and r.n > 1;
end
$$;

-- At most max-linked-adults active links per student, all sources counted:
-- links that stay active keep their place; new and reactivated links fill
-- the free places by priority, the rest are limit-reached.
create function absence.fill_places(p_cfg absence.policy_config)
returns void
language plpgsql
as $$
begin
    with kept as (      -- each pupil's links that stay active
        select l.student_id, count(*) as n
        from pg_temp.linked_now l
        where l.link_status = 'active'
          and (not (l.source = 'import' and l.guardian_source = 'import')
               or exists (select from pg_temp.contact_plan k
                          where k.student_id = l.student_id and k.gid = l.guardian_id
                            and k.reason is null))
        group by l.student_id
    ), needing as (     -- contacts that need a place, by priority
        select c.seq, c.student_id,
               row_number() over (partition by c.student_id order by c.ord, c.seq) as rank
        from pg_temp.contact_plan c
        where c.reason is null and not exists (
            select from pg_temp.linked_now l
            where l.student_id = c.student_id and l.guardian_id = c.gid
              and l.link_status = 'active')
    )
    update pg_temp.contact_plan p set reason = 'limit-reached'
    from needing n
    left join kept k on k.student_id = n.student_id
    where n.seq = p.seq and n.rank > (p_cfg).max_linked_adults - coalesce(k.n, 0);
end
$$;

-- The phones of a guardian as guardian_phone holds them, as JSON to compare.
create function absence.guardian_phones(p_guardian_id bigint)
returns jsonb
language sql stable
as $$
    select coalesce(jsonb_agg(jsonb_build_object('type', telephone_type, 'number', number)
                              order by position), '[]')
    from absence.guardian_phone
    where guardian_id = p_guardian_id
$$;

-- Apply the rules to the staged file; the counts of the report as JSON.
-- Changes only imported guardians and links; deletes nothing.
create function absence.import_contacts(p_cfg absence.policy_config)
returns jsonb
language plpgsql
as $$
declare
    v_counts jsonb;
    v_suspended integer;
begin
    -- one import at a time; new guardian ids are numbered after the highest
    perform pg_advisory_xact_lock(hashtext('absence.import_contacts'));
    -- these statements run once: compiling them would cost more than running
    perform set_config('jit', 'off', true);
    lock table absence.guardian in share row exclusive mode;
    analyze pg_temp.ctf_contact;
    perform absence.plan_contacts(p_cfg);

    -- The outcome of each contact, against the database before any change.
    drop table if exists pg_temp.contact_guardian;
    create temp table contact_guardian on commit drop as
    with person as (    -- each guardian as its first linked contact in the file gives it
        select distinct on (p.gid) p.gid as guardian_id,
               nullif(concat_ws(' ', nullif(p.forename, ''), nullif(p.surname, '')), '') as name,
               p.title, p.forename, p.surname, p.mobile, p.email,
               coalesce(p.phones, '[]') as phones
        from pg_temp.contact_plan p
        where p.reason is null
        order by p.gid, p.seq
    )
    select n.*, g.guardian_id is null as is_new,
           g.guardian_id is not null and (
               (n.name, n.title, n.forename, n.surname, n.mobile, n.email)
                   is distinct from (g.name, g.title, g.forename, g.surname, g.mobile, g.email)
               or n.phones <> absence.guardian_phones(g.guardian_id)) as changed
    from person n
    left join absence.guardian g on g.guardian_id = n.guardian_id;
    drop table if exists pg_temp.contact_outcome;
    create temp table contact_outcome on commit drop as
    select p.seq, case
        when p.reason is not null then
            case when exists (select from pg_temp.linked_now k
                              where k.student_id = p.student_id and k.guardian_id = p.own_gid
                                and k.link_status = 'active')
                 then 'suspended' else p.reason end
        when l.guardian_id is null then 'imported'
        when l.link_status <> 'active' or l.prime <> (p.ord = 1) or c.changed
             or l.priority is distinct from p.ord then 'updated'
        else 'unchanged'
    end as outcome
    from pg_temp.contact_plan p
    left join pg_temp.linked_now l on l.student_id = p.student_id and l.guardian_id = p.gid
    left join pg_temp.contact_guardian c on c.guardian_id = p.gid;

    -- Guardians: new ones, then changed details of imported ones.
    insert into absence.guardian (guardian_id, name, mobile, email, account_status, source,
                                  title, forename, surname)
    select guardian_id, name, mobile, email, (p_cfg).import_account_status, 'import',
           title, forename, surname
    from pg_temp.contact_guardian where is_new;
    update absence.guardian g
       set name = c.name, title = c.title, forename = c.forename, surname = c.surname,
           mobile = c.mobile, email = c.email
    from pg_temp.contact_guardian c
    where c.guardian_id = g.guardian_id and c.changed and g.source = 'import';
    delete from absence.guardian_phone
     where guardian_id in (select guardian_id from pg_temp.contact_guardian
                           where is_new or changed);
    insert into absence.guardian_phone (guardian_id, position, telephone_type, number)
    select c.guardian_id, p.position, coalesce(p.value ->> 'type', ''), p.value ->> 'number'
    from pg_temp.contact_guardian c,
         jsonb_array_elements(c.phones) with ordinality p(value, position)
    where c.is_new or c.changed;

    -- Links: every imported link of a pupil in the file that no linked
    -- contact keeps is suspended; the linked contacts' links made active.
    update absence.guardian_student gs set link_status = 'suspended'
    from (select l.guardian_id, l.student_id
          from pg_temp.linked_now l
          where l.source = 'import' and l.guardian_source = 'import'
            and l.link_status = 'active'
          except
          select p.gid, p.student_id
          from pg_temp.contact_plan p
          where p.reason is null) gone
    where gs.guardian_id = gone.guardian_id and gs.student_id = gone.student_id;
    get diagnostics v_suspended = row_count;
    insert into absence.imported_contact as k (student_id, forename_key, surname_key,
                                               guardian_id)
    select student_id, fkey, skey, gid
    from pg_temp.contact_plan
    where reason is null
    on conflict (student_id, forename_key, surname_key) do update
        set guardian_id = excluded.guardian_id
        where k.guardian_id <> excluded.guardian_id;
    insert into absence.guardian_student as gs (guardian_id, student_id, link_status, prime,
                                                priority, source)
    select gid, student_id, 'active', ord = 1, ord, 'import'
    from pg_temp.contact_plan
    where reason is null
    on conflict (guardian_id, student_id) do update
        set link_status = 'active', prime = excluded.prime, priority = excluded.priority
        where gs.source = 'import'
          and (gs.link_status, gs.prime, gs.priority)
              is distinct from ('active', excluded.prime, excluded.priority);

    -- A first import can multiply these tables: the planner, the box's
    -- included, must not go on planning for the old sizes until autovacuum
    -- comes round.
    analyze absence.guardian, absence.guardian_student, absence.guardian_phone;

    select jsonb_build_object(
        'pupils', (select jsonb_build_object(
                              'matched', count(*) filter (where known),
                              'unknown', count(*) filter (where not known))
                   from (select distinct c.pupil_seq, s.student_id is not null as known
                         from pg_temp.ctf_contact c
                         left join absence.student s on s.upn = c.upn) pupil),
        'contacts', jsonb_build_object(
            'imported', count(*) filter (where outcome = 'imported'),
            'updated', count(*) filter (where outcome = 'updated'),
            'unchanged', count(*) filter (where outcome = 'unchanged'),
            'suspended', v_suspended,
            'skipped', jsonb_build_object(
                'opted-out', count(*) filter (where outcome = 'opted-out'),
                'lower-priority', count(*) filter (where outcome = 'lower-priority'),
                'prime-exists', count(*) filter (where outcome = 'prime-exists'),
                'already-linked', count(*) filter (where outcome = 'already-linked'),
                'limit-reached', count(*) filter (where outcome = 'limit-reached'))))
    into v_counts
    from pg_temp.contact_outcome;
    return v_counts;
end
$$;

-- Record a run with the counts absence.import_contacts() gave; its id.
create function absence.record_contact_import(p_file text, p_sha256 text, p_by text,
                                              p_dry_run boolean, p_counts jsonb)
returns bigint
language sql
as $$
    insert into absence.contact_import (
        file_name, sha256, imported_by, dry_run, pupils_matched, pupils_unknown,
        contacts_imported, contacts_updated, contacts_unchanged, contacts_suspended,
        skipped_opted_out, skipped_lower_priority, skipped_prime_exists,
        skipped_already_linked, skipped_limit_reached)
    values (p_file, p_sha256, p_by, p_dry_run,
            (p_counts #>> '{pupils,matched}')::integer,
            (p_counts #>> '{pupils,unknown}')::integer,
            (p_counts #>> '{contacts,imported}')::integer,
            (p_counts #>> '{contacts,updated}')::integer,
            (p_counts #>> '{contacts,unchanged}')::integer,
            (p_counts #>> '{contacts,suspended}')::integer,
            (p_counts #>> '{contacts,skipped,opted-out}')::integer,
            (p_counts #>> '{contacts,skipped,lower-priority}')::integer,
            (p_counts #>> '{contacts,skipped,prime-exists}')::integer,
            (p_counts #>> '{contacts,skipped,already-linked}')::integer,
            (p_counts #>> '{contacts,skipped,limit-reached}')::integer)
    returning import_id
$$;

-- A recorded run as the report's JSON object: file, SHA-256, when, counts.
create function absence.contact_import_report(p_import_id bigint, p_cfg absence.policy_config)
returns jsonb
language sql stable
as $$
    select jsonb_build_object(
        'import_id', import_id, 'file', file_name, 'sha256', sha256,
        'imported_at', absence.iso_local(imported_at, (p_cfg).timezone),
        'imported_by', imported_by, 'dry_run', dry_run,
        'pupils', jsonb_build_object('matched', pupils_matched, 'unknown', pupils_unknown),
        'contacts', jsonb_build_object(
            'imported', contacts_imported, 'updated', contacts_updated,
            'unchanged', contacts_unchanged, 'suspended', contacts_suspended,
            'skipped', jsonb_build_object(
                'opted-out', skipped_opted_out, 'lower-priority', skipped_lower_priority,
                'prime-exists', skipped_prime_exists, 'already-linked', skipped_already_linked,
                'limit-reached', skipped_limit_reached)))
    from absence.contact_import
    where import_id = p_import_id
$$;
