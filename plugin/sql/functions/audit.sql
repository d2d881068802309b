-- audit.sql: the contact data the office should tidy (absencectl
-- contacts-audit; README, "Contacts from the MIS"): one finding per row,
-- about the active links of students the box texts about.

-- A person's name as the audit compares names: no title, lower case,
-- letters and digits only ("Mrs Ann O'Neil" and "ann oneil" are one).
create function absence.person_key(p_name text)
returns text
language sql immutable
as $$
    select absence.name_key(regexp_replace(coalesce(p_name, ''),
                                           '^\s*(mr|mrs|ms|miss|mx|dr|prof|rev)\.?\s+', '', 'i'))
$$;

-- The finding kinds, in the order the audit lists them, with what to do.
create function absence.audit_kinds()
returns table (kind text, listed integer, action text)
language sql immutable
as $$
    values ('invalid-mobile', 1, 'correct the mobile number in the MIS: it cannot receive a text'),
           ('landline-as-mobile', 2, 'a landline is in the mobile field: move it to the home '
                                     'phone and ask the family for a mobile'),
           ('mobile-in-other-field', 3, 'a mobile is typed as a home or work phone: move it to '
                                        'the mobile field if it is theirs'),
           ('shared-number', 4, 'guardians with different names have this number: check whose '
                                'it is'),
           ('duplicate-guardian', 5, 'the same name and number are on another guardian: merge '
                                     'the two records'),
           ('dead-number', 6, 'the last two texts to this number failed: ask the family for '
                              'their current number'),
           ('unreachable-student', 7, 'no guardian of this student can be texted: add or '
                                      'correct a contact'),
           ('too-many-adults', 8, 'more adults are linked than max-linked-adults: remove the '
                                  'links that should not be there')
$$;

create function absence.contacts_audit(p_cfg absence.policy_config)
returns table (kind text, student_id text, guardian_id bigint, guardian text, number text,
               action text)
language plpgsql stable
set jit = off
as $$
#variable_conflict use_column
begin
    -- PL/pgSQL plans with the settings' values (the status pattern), which
    -- lets PostgreSQL see how many students and links there are
    return query
    with student as (
        select s.student_id
        from absence.student s
        where s.status_code like (p_cfg).student_status_pattern
    ), link as (
        select gs.student_id, g.guardian_id, g.name, g.mobile,
               absence.normalise_mobile(g.mobile, (p_cfg).allow_international) as number,
               absence.person_key(g.name) as person
        from absence.guardian_student gs
        join student using (student_id)
        join absence.guardian g on g.guardian_id = gs.guardian_id
        where gs.link_status = 'active'
    ), numbered as (
        select distinct guardian_id, number, person from link where number is not null
    ), shared as materialized (      -- numbers on more than one guardian
        select number, count(distinct person) as persons
        from numbered
        group by number
        having count(*) > 1
    ), twice as materialized (  -- one person and number on more than one guardian
        select number, person
        from numbered
        group by number, person
        having count(*) > 1
    ), dead as materialized (
        select recipient
        from (select n.recipient, n.status,
                     row_number() over (partition by n.recipient
                                        order by n.created_at desc, n.notification_id desc) as k
              from absence.notification n
              where n.recipient in (select number from numbered)) recent
        where k <= 2
        group by recipient
        having count(*) = 2 and bool_and(status = 'failed')
    ), finding as (
        select 'invalid-mobile' as kind, l.student_id, l.guardian_id, l.name, btrim(l.mobile)
                   as shown, null::text as detail
        from link l
        where l.mobile ~ '\S' and l.number is null and not absence.is_uk_landline(l.mobile)
        union all
        select 'landline-as-mobile', l.student_id, l.guardian_id, l.name, btrim(l.mobile), null
        from link l
        where absence.is_uk_landline(l.mobile)
        union all
        select 'mobile-in-other-field', l.student_id, l.guardian_id, l.name,
               absence.normalise_mobile(p.number, (p_cfg).allow_international),
               format('typed as %s phone', coalesce(nullif(p.telephone_type, ''), 'an untyped'))
        from link l
        join absence.guardian g on g.guardian_id = l.guardian_id and g.source = 'import'
        join absence.guardian_phone p on p.guardian_id = l.guardian_id
        where upper(p.telephone_type) <> 'M'
          and absence.normalise_mobile(p.number, (p_cfg).allow_international)
              is distinct from l.number
          and absence.normalise_mobile(p.number, (p_cfg).allow_international) is not null
        union all
        select 'shared-number', l.student_id, l.guardian_id, l.name, l.number,
               format('also on guardian %s', (
                   select string_agg(o.guardian_id::text, ', ' order by o.guardian_id)
                   from numbered o
                   where o.number = l.number and o.person <> l.person))
        from link l
        join shared using (number)
        where shared.persons > 1
        union all
        select 'duplicate-guardian', l.student_id, l.guardian_id, l.name, l.number,
               format('same as guardian %s', (
                   select string_agg(o.guardian_id::text, ', ' order by o.guardian_id)
                   from numbered o
                   where o.number = l.number and o.person = l.person
                     and o.guardian_id <> l.guardian_id))
        from link l
        join twice using (number, person)
        union all
        select 'dead-number', l.student_id, l.guardian_id, l.name, l.number, null
        from link l
        join dead d on d.recipient = l.number
        union all
        select 'unreachable-student', s.student_id, null, null, null, null
        from student s
        where s.student_id not in (
                select c.student_id
                from absence.guardian_checks(p_cfg, array(select student_id from student)) c
                where c.skip_reason is null)
        union all
        select 'too-many-adults', l.student_id, null, null, null,
               format('%s adults linked, at most %s', count(*), (p_cfg).max_linked_adults)
        from link l
        group by l.student_id
        having count(*) > (p_cfg).max_linked_adults
    )
    select f.kind, f.student_id, f.guardian_id, f.name, absence.mask_mobile(f.shown),
           coalesce(f.detail || ': ', '') || k.action
    from finding f
    join absence.audit_kinds() k using (kind)
    order by k.listed, f.student_id, f.guardian_id;
end
$$;
