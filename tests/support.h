/*
 * support.h - what every test binary shares: gwlib set-up, the case files
 * shared by the C and SQL twins, and throwaway databases.
 */
#ifndef ABSENCE_TEST_SUPPORT_H
#define ABSENCE_TEST_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include <libpq-fe.h>

#include "gwlib/gwlib.h"

/* Fail the running test with a message; cmocka's own print_error() output
 * does not reach its TAP log, so this writes "# ..." lines to stderr. */
#define test_fail(...)                                                                             \
    do {                                                                                           \
        fputs("# ", stderr);                                                                       \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
        fail();                                                                                    \
    } while (0)

/* Start gwlib once per binary, with its log quiet. */
void test_gwlib_init(void);

/*
 * The rows of tests/NAME: tab-separated fields, lines starting with '#' and
 * blank lines skipped, C escapes (\n \r \f \t \\ \xHH) decoded. A List of
 * Lists of Octstr; destroy with test_cases_destroy().
 */
List *test_cases_read(const char *name);
void test_cases_destroy(List *cases);
Octstr *test_case_field(List *cases, long row, long column);

/*
 * Run group GROUP: one test per row of CASES calling FUNCTION with the row's
 * fields (a List of Octstr) as its state, named by the format NAME over the
 * first three fields ("%S" each, in order), then the FIXED tests.
 * Returns the number of failures.
 */
int test_run_cases(const char *group, List *cases, CMUnitTestFunction function, const char *name,
                   const struct CMUnitTest *fixed, size_t nfixed);

/*
 * A new, empty database named NAME (dropped first if it exists) on the
 * server the PG* environment points at, and a connection to it.
 * Fails the test with a hint when there is no server.
 */
PGconn *test_db_create(const char *name);

/* Ends the parameter list of the test_db_* calls (NULL is an SQL NULL). */
#define SQL_END ((const char *)-1)

/* Run SQL with text parameters ending in SQL_END; fail the test on error. */
void test_db_exec(PGconn *conn, const char *sql, ...);

/* The first column of the first row of SQL as a new Octstr ("" for none,
 * NULL for SQL NULL), parameters as for test_db_exec(). */
Octstr *test_db_value(PGconn *conn, const char *sql, ...);

/*
 * All rows of SQL as one string: columns joined by '|', rows ended by '\n',
 * SQL NULL as "~". Exact expected output in one assertion.
 */
Octstr *test_db_rows(PGconn *conn, const char *sql, ...);

/*
 * Run SQL, which must fail, inside a savepoint (so that a test's
 * transaction goes on): the error's primary message. Fails the test when
 * SQL succeeds.
 */
Octstr *test_db_error(PGconn *conn, const char *sql, ...);

/* Assert that OCTSTR equals EXPECTED, then destroy OCTSTR. */
#define assert_octstr_equal(octstr, expected)                                                      \
    test_assert_octstr_equal((octstr), (expected), __FILE__, __LINE__)
void test_assert_octstr_equal(Octstr *actual, const char *expected, const char *file, int line);

/* Write TEXT to a new temporary file; returns its path (caller destroys
 * the Octstr and may unlink the file). */
Octstr *test_write_temp(const char *text);

#endif
