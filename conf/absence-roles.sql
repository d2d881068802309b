-- absence-roles.sql - the database roles of a real installation, as a
-- superuser in the college's database, once before the first
-- `absencectl migrate` and once after it (it is safe to repeat):
--
--   psql -d college -f /usr/share/doc/absencebox/examples/absence-roles.sql
--
--   absence_owner   owns schema absence; the role `absencectl migrate` runs as
--   absencebox      the box, and absencectl's staff commands (resend, cancel,
--                   pause, plan, opt-out, opt-in): reads the inputs, writes
--                   the outputs
--   absence_mis     the MIS and the Communications Portal: writes the inputs,
--                   reads everything (the pastoral log, the texts); also the
--                   role absencectl import-contacts runs as (it writes the
--                   guardians and their links, as the MIS would)
--   absence_reader  staff tools that only look: report, explain, status,
--                   preview, export-pastoral
--
-- The roles log in without a password until one is set: \password absencebox
-- (and the others), then the same in each program's pgsql-connection group.

do $$
declare
    v_role text;
begin
    foreach v_role in array array['absence_owner', 'absencebox', 'absence_mis', 'absence_reader']
    loop
        if not exists (select 1 from pg_roles where rolname = v_role) then
            execute format('create role %I login', v_role);
        end if;
    end loop;
    execute format('grant connect on database %I to absencebox, absence_mis, absence_reader',
                   current_database());
    execute format('grant connect, create on database %I to absence_owner', current_database());
end $$;

create schema if not exists absence authorization absence_owner;
grant usage on schema absence to absencebox, absence_mis, absence_reader;

-- What absence_owner creates from now on (each migration's tables).
alter default privileges for role absence_owner
    grant select on tables to absencebox, absence_mis, absence_reader;
alter default privileges for role absence_owner
    grant insert, update on tables to absencebox;
alter default privileges for role absence_owner
    grant usage, select on sequences to absencebox;

-- What exists already (after the first migrate): the same, and the inputs
-- for the MIS.
do $$
begin
    if to_regclass('absence.notification') is not null then
        grant select on all tables in schema absence to absencebox, absence_mis, absence_reader;
        grant insert, update on all tables in schema absence to absencebox;
        grant usage, select on all sequences in schema absence to absencebox;
        grant insert, update, delete on absence.student, absence.lesson,
            absence.attendance_mark, absence.guardian, absence.guardian_student to absence_mis;
        revoke insert, update on absence.student, absence.lesson, absence.attendance_mark,
            absence.guardian, absence.guardian_student, absence.schema_migration,
            absence.schema_functions, absence.notification_status, absence.skip_reason
            from absencebox;
    end if;
    -- contacts from the MIS (absencectl import-contacts, schema version 7)
    if to_regclass('absence.contact_import') is not null then
        grant insert, update, delete on absence.guardian_phone, absence.imported_contact
            to absence_mis;
        grant insert on absence.contact_import to absence_mis;
        grant usage, select on all sequences in schema absence to absence_mis;
        revoke insert, update on absence.guardian_phone, absence.imported_contact,
            absence.contact_import from absencebox;
    end if;
    -- attendance concerns (schema version 8): the MIS writes the terms; its
    -- register corrections are noted for the next look for concerns
    -- (absence.mark_change), which the box empties
    if to_regclass('absence.attendance_concern') is not null then
        grant insert, update, delete on absence.term to absence_mis;
        grant insert on absence.mark_change to absence_mis;
        grant delete on absence.mark_change to absencebox;
        revoke insert, update on absence.term from absencebox;
    end if;
    -- replies from parents (schema version 9): a start word, or staff,
    -- takes a number off the opt-out list
    if to_regclass('absence.opt_out') is not null then
        grant delete on absence.opt_out to absencebox;
    end if;
end $$;
