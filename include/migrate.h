/*
 * migrate.h - creating and upgrading schema `absence`.
 *
 * The schema has two parts, both compiled into the programs from
 * plugin/sql/ (embed-sql writes absence_schema):
 *
 *   migrations  tables, indexes, constraints and data, numbered; each is
 *               applied once and recorded in absence.schema_migration;
 *   functions   the policy and the box's steps (functions, types, views),
 *               each defined in exactly one file; whenever their checksum
 *               differs from the one recorded in absence.schema_functions,
 *               every function, view and free-standing type of the schema
 *               is dropped and the files are applied again, so that a rule
 *               changes in its one place and nothing stale survives.
 *
 * migrate_apply() does both in one transaction under an advisory lock:
 * either the database reaches this program's schema or it is as it was.
 * Migrations run first, so they may not call the functions: on a new
 * database there are none yet.
 */
#ifndef ABSENCE_MIGRATE_H
#define ABSENCE_MIGRATE_H

#include "db.h"

typedef struct SqlFile {
    int version;      /* a migration's number; 0 for a function file */
    const char *name; /* the file's name, e.g. "001_schema.sql" */
    const char *sql;
} SqlFile;

typedef struct Schema {
    const SqlFile *migrations; /* in version order */
    int migration_count;
    const SqlFile *functions; /* in the order they are applied */
    int function_count;
    const char *functions_checksum; /* SHA-256 of the function files, hex */
} Schema;

/* The schema compiled into this program. */
extern const Schema absence_schema;

/* The newest migration's version in SCHEMA (0 when it has none). */
int migrate_newest_version(const Schema *schema);

typedef struct MigrateResult {
    int applied;            /* migrations applied by this run */
    int functions_replaced; /* 1 when the function files were (re)applied */
    int version;            /* the schema version now */
} MigrateResult;

/*
 * Bring the database to SCHEMA. Returns 0 and fills *RESULT, or -1 with
 * *error set (nothing changed) when a file failed or the database's schema
 * is newer than SCHEMA.
 */
int migrate_apply(PGconn *conn, const Schema *schema, MigrateResult *result, Octstr **error);

/*
 * 0 when the database holds SCHEMA exactly (version and functions), else
 * -1 with *error saying what to do (run absencectl migrate, or upgrade).
 */
int migrate_check(PGconn *conn, const Schema *schema, Octstr **error);

#endif
