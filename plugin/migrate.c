/*
 * migrate.c - schema migrations and the repeatable functions (see migrate.h).
 */
#include "migrate.h"

/* Serialises concurrent migrate runs, e.g. two boxes starting together. */
static const char lock_sql[] = "select pg_advisory_xact_lock(hashtext('absence.migrate'))";

/* migrate's own records, created before anything else. */
static const char *const bookkeeping_sql[] = {
    "create schema if not exists absence",
    "create table if not exists absence.schema_migration ("
    "  version integer primary key,"
    "  name text not null,"
    "  applied_at timestamptz not null default now())",
    "create table if not exists absence.schema_functions ("
    "  applied_id bigint generated always as identity primary key,"
    "  checksum text not null,"
    "  files text not null,"
    "  applied_at timestamptz not null default now())",
};

static const char version_sql[] =
    "select coalesce(max(version), 0) as version from absence.schema_migration";

static const char checksum_sql[] =
    "select coalesce((select checksum from absence.schema_functions"
    "                  order by applied_id desc limit 1), '') as checksum";

/* Which of migrate's records exist: a database release 0.1.0 migrated has
 * schema_migration only. */
static const char records_sql[] =
    "select to_regclass('absence.schema_migration') is not null as migrations,"
    "       to_regclass('absence.schema_functions') is not null as functions";

static const char record_migration_sql[] =
    "insert into absence.schema_migration (version, name) values ($1::integer, $2)";

static const char record_functions_sql[] =
    "insert into absence.schema_functions (checksum, files) values ($1, $2)";

/*
 * Everything the function files create, dropped before they are applied
 * again: triggers on the schema's tables, views, then functions and
 * procedures, then enums and free-standing composite types. No cascade: should a table ever come to
 * depend on one of them, the drop fails and says so, and nothing changes.
 */
static const char drop_functions_sql[] =
    "do $$\n"
    "declare\n"
    "    v_list text;\n"
    "begin\n"
    "    select string_agg(format('drop trigger %I on %s', t.tgname, t.tgrelid::regclass), '; ')\n"
    "      into v_list from pg_trigger t join pg_class c on c.oid = t.tgrelid\n"
    "     where c.relnamespace = 'absence'::regnamespace and not t.tgisinternal;\n"
    "    if v_list is not null then execute v_list; end if;\n"
    "    select string_agg(c.oid::regclass::text, ', ') into v_list from pg_class c\n"
    "     where c.relnamespace = 'absence'::regnamespace and c.relkind in ('v', 'm');\n"
    "    if v_list is not null then execute 'drop view ' || v_list; end if;\n"
    "    select string_agg(p.oid::regprocedure::text, ', ') into v_list from pg_proc p\n"
    "     where p.pronamespace = 'absence'::regnamespace and p.prokind in ('f', 'p');\n"
    "    if v_list is not null then execute 'drop routine ' || v_list; end if;\n"
    "    select string_agg(t.oid::regtype::text, ', ') into v_list from pg_type t\n"
    "      left join pg_class c on c.oid = t.typrelid\n"
    "     where t.typnamespace = 'absence'::regnamespace\n"
    "       and (t.typtype = 'e' or (t.typtype = 'c' and c.relkind = 'c'));\n"
    "    if v_list is not null then execute 'drop type ' || v_list; end if;\n"
    "end $$";

/* Run one file's SQL (several statements), naming the file on failure. */
static int run_file(PGconn *conn, const char *kind, const SqlFile *file, Octstr **error)
{
    PGresult *result = PQexec(conn, file->sql);
    int ok =
        PQresultStatus(result) == PGRES_COMMAND_OK || PQresultStatus(result) == PGRES_TUPLES_OK;

    if (!ok) {
        Octstr *why = db_error(conn, result);
        *error = octstr_format("%s %s failed, nothing was changed: %S", kind, file->name, why);
        octstr_destroy(why);
    }
    PQclear(result);
    return ok ? 0 : -1;
}

static int apply_migrations(PGconn *conn, const Schema *schema, MigrateResult *result,
                            Octstr **error)
{
    char version[16];
    const char *values[2] = {version, NULL};
    int i;

    for (i = 0; i < schema->migration_count; i++) {
        const SqlFile *migration = &schema->migrations[i];
        if (migration->version <= result->version)
            continue;
        snprintf(version, sizeof(version), "%d", migration->version);
        values[1] = migration->name;
        if (run_file(conn, "migration", migration, error) < 0 ||
            db_command(conn, record_migration_sql, 2, values, error) < 0)
            return -1;
        result->applied++;
        result->version = migration->version;
    }
    return 0;
}

static int replace_functions(PGconn *conn, const Schema *schema, Octstr **error)
{
    Octstr *files = octstr_create(""), *why = NULL;
    const char *values[2] = {schema->functions_checksum, NULL};
    int i, status = db_command(conn, drop_functions_sql, 0, NULL, &why);

    if (status < 0)
        *error = octstr_format("dropping the old functions failed, nothing was changed: %S", why);
    octstr_destroy(why);

    for (i = 0; status == 0 && i < schema->function_count; i++) {
        status = run_file(conn, "function file", &schema->functions[i], error);
        octstr_format_append(files, "%s%s", i ? " " : "", schema->functions[i].name);
    }
    values[1] = octstr_get_cstr(files);
    if (status == 0)
        status = db_command(conn, record_functions_sql, 2, values, error);
    octstr_destroy(files);
    return status;
}

/* The database's version, or -1 with *error. */
static int read_version(PGconn *conn, Octstr **error)
{
    PGresult *rows = db_query(conn, version_sql, 0, NULL, error);
    int version;

    if (rows == NULL)
        return -1;
    version = (int)db_long(rows, 0, "version");
    PQclear(rows);
    return version;
}

/* The checksum of the functions last applied ("" for none), or NULL. */
static Octstr *read_checksum(PGconn *conn, Octstr **error)
{
    PGresult *rows = db_query(conn, checksum_sql, 0, NULL, error);
    Octstr *checksum;

    if (rows == NULL)
        return NULL;
    checksum = db_text(rows, 0, "checksum");
    PQclear(rows);
    return checksum;
}

int migrate_newest_version(const Schema *schema)
{
    return schema->migration_count > 0 ? schema->migrations[schema->migration_count - 1].version
                                       : 0;
}

/* Inside the transaction: what the database lacks. */
static int apply_pending(PGconn *conn, const Schema *schema, MigrateResult *result, Octstr **error)
{
    Octstr *checksum = NULL;
    size_t i;
    int status;

    if (db_command(conn, lock_sql, 0, NULL, error) < 0)
        return -1;
    for (i = 0; i < sizeof(bookkeeping_sql) / sizeof(bookkeeping_sql[0]); i++)
        if (db_command(conn, bookkeeping_sql[i], 0, NULL, error) < 0)
            return -1;
    if ((result->version = read_version(conn, error)) < 0 ||
        (checksum = read_checksum(conn, error)) == NULL)
        return -1;
    if (result->version > migrate_newest_version(schema)) {
        *error = octstr_format("the database's schema is at version %d, newer than this "
                               "program knows (%d): upgrade absencebox",
                               result->version, migrate_newest_version(schema));
        octstr_destroy(checksum);
        return -1;
    }
    status = apply_migrations(conn, schema, result, error);
    /* new tables can change what the functions compile against: re-apply */
    if (status == 0 &&
        (result->applied > 0 || octstr_str_compare(checksum, schema->functions_checksum) != 0)) {
        status = replace_functions(conn, schema, error);
        result->functions_replaced = status == 0;
    }
    octstr_destroy(checksum);
    return status;
}

int migrate_apply(PGconn *conn, const Schema *schema, MigrateResult *result, Octstr **error)
{
    memset(result, 0, sizeof(*result));
    if (db_command(conn, "begin", 0, NULL, error) < 0)
        return -1;
    if (apply_pending(conn, schema, result, error) < 0) {
        db_rollback(conn);
        return -1;
    }
    return db_command(conn, "commit", 0, NULL, error);
}

int migrate_check(PGconn *conn, const Schema *schema, Octstr **error)
{
    int newest = migrate_newest_version(schema), version = 0, functions, same;
    PGresult *rows = db_query(conn, records_sql, 0, NULL, error);
    Octstr *checksum = NULL;

    if (rows == NULL)
        return -1;
    functions = db_bool(rows, 0, "functions");
    if (db_bool(rows, 0, "migrations"))
        version = read_version(conn, error);
    PQclear(rows);
    if (version < 0 || (functions && (checksum = read_checksum(conn, error)) == NULL))
        return -1;
    same = checksum != NULL && octstr_str_compare(checksum, schema->functions_checksum) == 0;
    octstr_destroy(checksum);
    if (version != newest)
        *error = octstr_format(
            "schema absence is at version %d but this absencebox needs "
            "version %d: %s",
            version, newest, version < newest ? "run 'absencectl migrate'" : "upgrade absencebox");
    else if (!same)
        *error = octstr_format("schema absence's functions are not this absencebox's (they "
                               "changed since the last migrate): run 'absencectl migrate'");
    return version == newest && same ? 0 : -1;
}
