/*
 * migrate.h - creating and upgrading schema `absence`.
 *
 * The migrations are the SQL files in scripts/migrations/, numbered and
 * compiled into the programs (migrations.c is generated from them by
 * scripts/embed-sql). migrate_apply() brings a database up to the newest
 * version in one transaction under an advisory lock: either every pending
 * migration is applied and recorded in absence.schema_migration, or none is
 * and the database is as it was.
 */
#ifndef ABSENCE_MIGRATE_H
#define ABSENCE_MIGRATE_H

#include "db.h"

typedef struct Migration {
    int version;
    const char *name; /* the file's name, e.g. "001_schema.sql" */
    const char *sql;
} Migration;

/* The migrations compiled in, in version order. */
extern const Migration absence_migrations[];
extern const int absence_migration_count;

/*
 * Apply the migrations of LIST (COUNT of them, in version order) that the
 * database lacks. Returns how many were applied (0: already up to date), or
 * -1 with *error set when one failed or the database is newer than LIST.
 */
int migrate_apply(PGconn *conn, const Migration *list, int count, Octstr **error);

/* The database's schema version: 0 when schema absence was never created,
 * -1 with *error on failure. */
int migrate_version(PGconn *conn, Octstr **error);

#endif
