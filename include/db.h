/*
 * db.h - the PostgreSQL connection, through libpq, parameterised queries
 * only. Error texts are single lines built from the server's message,
 * detail and hint; they never contain the password.
 */
#ifndef ABSENCE_DB_H
#define ABSENCE_DB_H

#include <libpq-fe.h>

#include "config.h"

/*
 * Connect with the settings of a pgsql-connection group; empty values fall
 * back to libpq's defaults and the PG* environment. APPLICATION names the
 * program in pg_stat_activity. Returns NULL and sets *error on failure.
 */
PGconn *db_connect(const PgsqlSettings *settings, const char *application, Octstr **error);

/* One line describing why RESULT (or, when NULL, the connection) failed. */
Octstr *db_error(PGconn *conn, PGresult *result);

/*
 * Run SQL with N text parameters. db_query() returns the result of a
 * statement that returns rows (caller PQclear()s it), db_command() runs one
 * that returns none. On failure both set *error and return NULL / -1.
 */
PGresult *db_query(PGconn *conn, const char *sql, int n, const char *const *values, Octstr **error);
int db_command(PGconn *conn, const char *sql, int n, const char *const *values, Octstr **error);

/* End the open transaction, if any, undoing it; a broken connection is
 * left for the next call to report. */
void db_rollback(PGconn *conn);

/* As db_query(), also giving the SQLSTATE of a failure in SQLSTATE (six
 * bytes, "" when the connection failed). */
PGresult *db_query_state(PGconn *conn, const char *sql, int n, const char *const *values,
                         Octstr **error, char *sqlstate);

/*
 * A PostgreSQL array literal of ITEMS (Octstr *, NULL for an SQL NULL), each
 * element quoted and escaped, for passing a whole batch as one parameter.
 * Caller destroys the result.
 */
Octstr *db_array(List *items);

/* A copy of S, or NULL (an SQL NULL in db_array) when S is missing or empty. */
Octstr *db_text_or_null(Octstr *s);

/*
 * Run SQL with the N_FIXED text parameters FIXED first, then one SQL array
 * parameter per list of COLUMNS (N_COLUMNS lists of Octstr *, parallel: a
 * batch as one array per column). Destroys the lists and their items.
 * The result, or NULL with *error set.
 */
PGresult *db_query_columns(PGconn *conn, const char *sql, int n_fixed, const char *const *fixed,
                           List **columns, int n_columns, Octstr **error);

/*
 * Columns by name: the value of column NAME in row ROW of RESULT. A NAME
 * that RESULT lacks is a programming error, not bad data: it panics,
 * naming the column, instead of reading another one.
 */
const char *db_value(PGresult *result, int row, const char *name); /* "" for SQL NULL */
int db_is_null(PGresult *result, int row, const char *name);
Octstr *db_text(PGresult *result, int row, const char *name); /* new; NULL for SQL NULL */
long db_long(PGresult *result, int row, const char *name);    /* 0 for SQL NULL */
int db_bool(PGresult *result, int row, const char *name);     /* 0 for SQL NULL */

#endif
