/*
 * contact_import.h - absencectl import-contacts: a Common Transfer File
 * read into the session's staging table and applied by the college's rules
 * (absence.import_contacts), all or nothing, each run recorded in
 * absence.contact_import with the file's SHA-256 and the report's counts.
 */
#ifndef ABSENCE_CONTACT_IMPORT_H
#define ABSENCE_CONTACT_IMPORT_H

#include "db.h"

/* The outcomes of contact_import(). */
#define IMPORT_DONE 0
#define IMPORT_BAD_FILE 1 /* the file cannot be read or is not a valid CTF */
#define IMPORT_FAILED 2   /* the database failed */

/*
 * Import the CTF at PATH as ACTOR with the policy's settings (the JSON of
 * config->policy_settings); with DRY_RUN the rules are applied and rolled
 * back, and only the run's record is kept. Returns IMPORT_DONE with
 * *import_id the absence.contact_import row, or another outcome with
 * *error (caller destroys) naming the file, line and problem. Nothing is
 * changed unless the whole file is valid. It commits its own transaction,
 * or, called inside one, a savepoint of it.
 */
int contact_import(PGconn *conn, Octstr *policy_settings, const char *path, int dry_run,
                   Octstr *actor, long *import_id, Octstr **error);

/* The SHA-256 of the file at PATH as 64 hex digits, or NULL with *error. */
Octstr *contact_import_sha256(const char *path, Octstr **error);

#endif
