/*
 * migrate.c - versioned, transactional schema migrations (see migrate.h).
 */
#include "migrate.h"

/* Serialises concurrent migrate runs, e.g. two boxes starting together. */
static const char lock_sql[] = "select pg_advisory_xact_lock(hashtext('absence.migrate'))";

static const char schema_sql[] = "create schema if not exists absence";

static const char version_table_sql[] =
    "create table if not exists absence.schema_migration ("
    "  version integer primary key,"
    "  name text not null,"
    "  applied_at timestamptz not null default now())";

static const char version_sql[] =
    "select coalesce(max(version), 0) as version from absence.schema_migration";

static const char record_sql[] =
    "insert into absence.schema_migration (version, name) values ($1::integer, $2)";

static int current_version(PGconn *conn, Octstr **error)
{
    PGresult *result = db_query(conn, version_sql, 0, NULL, error);
    int version;

    if (result == NULL)
        return -1;
    version = (int)db_long(result, 0, "version");
    PQclear(result);
    return version;
}

static int apply_one(PGconn *conn, const Migration *migration, Octstr **error)
{
    PGresult *result = PQexec(conn, migration->sql);
    char version[16];
    const char *values[2] = {version, migration->name};

    if (PQresultStatus(result) != PGRES_COMMAND_OK && PQresultStatus(result) != PGRES_TUPLES_OK) {
        Octstr *why = db_error(conn, result);
        *error = octstr_format("migration %s failed, nothing was changed: %S", migration->name,
                               why);
        octstr_destroy(why);
        PQclear(result);
        return -1;
    }
    PQclear(result);
    snprintf(version, sizeof(version), "%d", migration->version);
    return db_command(conn, record_sql, 2, values, error);
}

/* Inside the transaction: apply what is newer than the database. */
static int apply_pending(PGconn *conn, const Migration *list, int count, Octstr **error)
{
    int version, applied = 0, i;

    if (db_command(conn, lock_sql, 0, NULL, error) < 0 ||
        db_command(conn, schema_sql, 0, NULL, error) < 0 ||
        db_command(conn, version_table_sql, 0, NULL, error) < 0)
        return -1;
    version = current_version(conn, error);
    if (version < 0)
        return -1;
    if (count > 0 && version > list[count - 1].version) {
        *error = octstr_format("the database's schema is at version %d, newer than this "
                               "program knows (%d): upgrade absencebox",
                               version, list[count - 1].version);
        return -1;
    }
    for (i = 0; i < count; i++) {
        if (list[i].version <= version)
            continue;
        if (apply_one(conn, &list[i], error) < 0)
            return -1;
        applied++;
    }
    return applied;
}

int migrate_apply(PGconn *conn, const Migration *list, int count, Octstr **error)
{
    int applied;

    if (db_command(conn, "begin", 0, NULL, error) < 0)
        return -1;
    applied = apply_pending(conn, list, count, error);
    if (applied < 0) {
        PQclear(PQexec(conn, "rollback"));
        return -1;
    }
    if (db_command(conn, "commit", 0, NULL, error) < 0)
        return -1;
    return applied;
}

int migrate_version(PGconn *conn, Octstr **error)
{
    static const char exists_sql[] =
        "select to_regclass('absence.schema_migration') is not null as present";
    PGresult *result = db_query(conn, exists_sql, 0, NULL, error);
    int present;

    if (result == NULL)
        return -1;
    present = strcmp(PQgetvalue(result, 0, 0), "t") == 0;
    PQclear(result);
    return present ? current_version(conn, error) : 0;
}
