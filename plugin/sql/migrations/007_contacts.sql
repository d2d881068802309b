-- 007_contacts.sql: parents' contacts brought in from the MIS's Common
-- Transfer File (absencectl import-contacts) and what the office audit reads.
--
-- Existing rows keep their meaning: every guardian already here came from
-- the portal or the MIS, so it is 'web' (the import never changes it);
-- students have no UPN until the MIS writes one.

alter table absence.student add column upn text;
alter table absence.student add constraint student_upn_unique unique (upn);
comment on column absence.student.upn is
    'The pupil''s Unique Pupil Number as the MIS holds it: how a contact file finds the student.';

-- Who created the guardian, as for links: only 'import' guardians are ever
-- changed by an import. Forename and surname are what a contact is
-- recognised by on the next import; the title is kept beside the name.
alter table absence.guardian
    add column source text not null default 'web',
    add column title text,
    add column forename text,
    add column surname text,
    add constraint guardian_source_known check (source in ('web', 'import', 'manual'));
comment on column absence.guardian.source is
    'web (portal), manual (staff) or import (absencectl import-contacts, which changes only these).';

-- A contact's phones as the file gave them, the mobile among them too:
-- the audit reads them for mobiles typed as a home or work number. No
-- foreign key to guardian: the MIS may truncate and reload its guardians
-- (a foreign key would refuse that); only imported guardians' phones are
-- read, and the import replaces a guardian's phones whenever it writes it.
create table absence.guardian_phone (
    guardian_id    bigint not null,
    position       integer not null,
    telephone_type text not null,
    number         text not null,
    primary key (guardian_id, position)
);
comment on table absence.guardian_phone is
    'Every phone of an imported contact, in file order (TelephoneType M, H, W...), as typed.';

-- How the import recognises a contact again: by its pupil and its name as
-- the file gave it under that pupil, whatever name the guardian record
-- carries (one person under several pupils is one guardian, named after
-- their first appearance, and may be written differently under each).
create table absence.imported_contact (
    student_id   text not null,
    forename_key text not null,
    surname_key  text not null,
    guardian_id  bigint not null,
    primary key (student_id, forename_key, surname_key)
);
comment on table absence.imported_contact is
    'Each imported contact''s pupil and name (case, spaces and punctuation removed) and its guardian.';

-- One row per import run, dry or not, with the counts it printed.
create table absence.contact_import (
    import_id                bigint generated always as identity primary key,
    file_name                text not null,
    sha256                   text not null,
    imported_at              timestamptz not null default now(),
    imported_by              text not null,
    dry_run                  boolean not null,
    pupils_matched           integer not null,
    pupils_unknown           integer not null,
    contacts_imported        integer not null,
    contacts_updated         integer not null,
    contacts_unchanged       integer not null,
    contacts_suspended       integer not null,
    skipped_opted_out        integer not null,
    skipped_lower_priority   integer not null,
    skipped_prime_exists     integer not null,
    skipped_already_linked   integer not null,
    skipped_limit_reached    integer not null,
    constraint contact_import_sha256_hex check (sha256 ~ '^[0-9a-f]{64}$')
);
comment on table absence.contact_import is
    'absencectl import-contacts runs: the file, its SHA-256, and the report''s counts.';
