/*
 * db.c - libpq connection and query helpers (see db.h).
 */
#include "db.h"

/* Server notices ("schema already exists, skipping") are not for users. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    debug("absence.db", 0, "PostgreSQL notice: %s", message);
}

/* Append KEY=VALUE to the connection arrays when VALUE is set. */
static void add_param(const char **keys, const char **values, int *n, const char *key,
                      const char *value)
{
    if (value == NULL || value[0] == '\0')
        return;
    keys[*n] = key;
    values[*n] = value;
    (*n)++;
}

static const char *cstr_or_null(Octstr *s)
{
    return s == NULL ? NULL : octstr_get_cstr(s);
}

static Octstr *first_line(const char *text)
{
    Octstr *line = octstr_create(text != NULL ? text : "unknown error");
    long newline = octstr_search_char(line, '\n', 0);

    if (newline >= 0)
        octstr_truncate(line, newline);
    octstr_strip_blanks(line);
    return line;
}

/*
 * Why a connection failed: libpq's first line, or with several hosts each
 * host's first line ("connection to server at ... failed: ..."), joined by
 * "; ", so that the primary's refusal does not hide a standby's
 * "session is read-only".
 */
static Octstr *connect_failure(const char *text)
{
    Octstr *all = octstr_create(text != NULL ? text : "unknown error"), *why;
    List *lines = octstr_split(all, octstr_imm("\n"));
    Octstr *line;

    why = octstr_create("");
    while ((line = gwlist_extract_first(lines)) != NULL) {
        if (octstr_len(why) == 0 ||
            octstr_search(line, octstr_imm("connection to server"), 0) == 0) {
            octstr_strip_blanks(line);
            if (octstr_len(why) > 0)
                octstr_append_cstr(why, "; ");
            octstr_append(why, line);
        }
        octstr_destroy(line);
    }
    gwlist_destroy(lines, NULL);
    octstr_destroy(all);
    return why;
}

/*
 * host and port may be libpq's multi-host lists ("db1,db2", "5432,5433"),
 * passed as they are: PQconnectdbParams takes each as one keyword's value,
 * so no comma or blank needs quoting. With target-session-attrs =
 * read-write libpq tries the hosts in turn and keeps the first that accepts
 * writes, the primary: PQreset after a failover finds the new one.
 */
PGconn *db_connect(const PgsqlSettings *settings, const char *application, Octstr **error)
{
    const char *keys[12], *values[12];
    char timeout[16];
    PGconn *conn;
    int n = 0;

    snprintf(timeout, sizeof(timeout), "%ld", settings->connect_timeout_s);
    add_param(keys, values, &n, "host", cstr_or_null(settings->host));
    add_param(keys, values, &n, "port", cstr_or_null(settings->port));
    add_param(keys, values, &n, "user", cstr_or_null(settings->username));
    add_param(keys, values, &n, "password", cstr_or_null(settings->password));
    add_param(keys, values, &n, "dbname", cstr_or_null(settings->database));
    add_param(keys, values, &n, "connect_timeout", timeout);
    add_param(keys, values, &n, "target_session_attrs",
              cstr_or_null(settings->target_session_attrs));
    add_param(keys, values, &n, "application_name", application);
    add_param(keys, values, &n, "client_encoding", "UTF8");
    /* Our statements are short; from a few hundred thousand students on,
     * PostgreSQL's JIT would compile the planning query on every run and
     * spend a second doing it, longer than the query itself. */
    add_param(keys, values, &n, "options", "-c jit=off");
    keys[n] = values[n] = NULL;
    conn = PQconnectdbParams(keys, values, 0);
    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        Octstr *why = connect_failure(conn ? PQerrorMessage(conn) : "out of memory");
        int hosts = settings->host != NULL && octstr_search_char(settings->host, ',', 0) >= 0;
        *error = octstr_format("cannot connect to PostgreSQL (pgsql-connection '%S', "
                               "database '%s' on '%s'): %S",
                               settings->id, conn ? PQdb(conn) : "?",
                               hosts  ? octstr_get_cstr(settings->host)
                               : conn ? PQhost(conn)
                                      : "?",
                               why);
        octstr_destroy(why);
        PQfinish(conn);
        return NULL;
    }
    PQsetNoticeProcessor(conn, ignore_notice, NULL);
    return conn;
}

Octstr *db_error(PGconn *conn, PGresult *result)
{
    const char *primary, *detail, *hint;
    Octstr *line;

    if (result == NULL || PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) == NULL)
        return connect_failure(PQerrorMessage(conn));
    primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL);
    hint = PQresultErrorField(result, PG_DIAG_MESSAGE_HINT);
    line = first_line(primary);
    if (detail != NULL)
        octstr_format_append(line, " (%s)", detail);
    if (hint != NULL)
        octstr_format_append(line, " Hint: %s", hint);
    octstr_replace(line, octstr_imm("\n"), octstr_imm(" "));
    return line;
}

PGresult *db_query_state(PGconn *conn, const char *sql, int n, const char *const *values,
                         Octstr **error, char *sqlstate)
{
    PGresult *result = PQexecParams(conn, sql, n, NULL, values, NULL, NULL, 0);
    ExecStatusType status = PQresultStatus(result);
    const char *state;

    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)
        return result;
    *error = db_error(conn, result);
    if (sqlstate != NULL) {
        state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : NULL;
        snprintf(sqlstate, 6, "%s", state ? state : "");
    }
    PQclear(result);
    return NULL;
}

PGresult *db_query(PGconn *conn, const char *sql, int n, const char *const *values, Octstr **error)
{
    return db_query_state(conn, sql, n, values, error, NULL);
}

int db_command(PGconn *conn, const char *sql, int n, const char *const *values, Octstr **error)
{
    PGresult *result = db_query(conn, sql, n, values, error);

    if (result == NULL)
        return -1;
    PQclear(result);
    return 0;
}

void db_rollback(PGconn *conn)
{
    PQclear(PQexec(conn, "rollback"));
}

/* The number of column NAME; panics when RESULT has none of that name. */
static int column(PGresult *result, const char *name)
{
    int number = PQfnumber(result, name);

    if (number < 0)
        panic(0,
              "absence.db: the query's result has no column '%s' (it has %d columns): "
              "the code and its SQL disagree",
              name, PQnfields(result));
    return number;
}

const char *db_value(PGresult *result, int row, const char *name)
{
    return PQgetvalue(result, row, column(result, name));
}

int db_is_null(PGresult *result, int row, const char *name)
{
    return PQgetisnull(result, row, column(result, name));
}

Octstr *db_text(PGresult *result, int row, const char *name)
{
    int number = column(result, name);

    if (PQgetisnull(result, row, number))
        return NULL;
    return octstr_create_from_data(PQgetvalue(result, row, number),
                                   PQgetlength(result, row, number));
}

long db_long(PGresult *result, int row, const char *name)
{
    return strtol(db_value(result, row, name), NULL, 10);
}

int db_bool(PGresult *result, int row, const char *name)
{
    return db_value(result, row, name)[0] == 't';
}

Octstr *db_array(List *items)
{
    Octstr *out = octstr_create("{");
    long i, j;

    for (i = 0; i < gwlist_len(items); i++) {
        Octstr *item = gwlist_get(items, i);
        if (i > 0)
            octstr_append_char(out, ',');
        if (item == NULL) {
            octstr_append_cstr(out, "NULL");
            continue;
        }
        octstr_append_char(out, '"');
        for (j = 0; j < octstr_len(item); j++) {
            int c = octstr_get_char(item, j);
            if (c == '"' || c == '\\')
                octstr_append_char(out, '\\');
            octstr_append_char(out, c);
        }
        octstr_append_char(out, '"');
    }
    octstr_append_char(out, '}');
    return out;
}

Octstr *db_text_or_null(Octstr *s)
{
    return octstr_len(s) > 0 ? octstr_duplicate(s) : NULL;
}

#define DB_MAX_PARAMS 16

PGresult *db_query_columns(PGconn *conn, const char *sql, int n_fixed, const char *const *fixed,
                           List **columns, int n_columns, Octstr **error)
{
    Octstr *arrays[DB_MAX_PARAMS];
    const char *values[DB_MAX_PARAMS];
    PGresult *result;
    int i;

    gw_assert(n_fixed + n_columns <= DB_MAX_PARAMS);
    for (i = 0; i < n_fixed; i++)
        values[i] = fixed[i];
    for (i = 0; i < n_columns; i++) {
        arrays[i] = db_array(columns[i]);
        values[n_fixed + i] = octstr_get_cstr(arrays[i]);
        gwlist_destroy(columns[i], octstr_destroy_item);
    }
    result = db_query(conn, sql, n_fixed + n_columns, values, error);
    for (i = 0; i < n_columns; i++)
        octstr_destroy(arrays[i]);
    return result;
}
