/*
 * support.c - shared test helpers (see support.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "support.h"

#ifndef TESTS_DIR
#define TESTS_DIR "tests"
#endif

void test_gwlib_init(void)
{
    static int started;

    if (started)
        return;
    gwlib_init();
    log_set_output_level(GW_PANIC);
    started = 1;
}

static Octstr *decode_escapes(Octstr *raw)
{
    Octstr *out = octstr_create("");
    long i;

    for (i = 0; i < octstr_len(raw); i++) {
        int c = octstr_get_char(raw, i);
        if (c != '\\' || i + 1 >= octstr_len(raw)) {
            octstr_append_char(out, c);
            continue;
        }
        c = octstr_get_char(raw, ++i);
        switch (c) {
        case 'n':
            octstr_append_char(out, '\n');
            break;
        case 'r':
            octstr_append_char(out, '\r');
            break;
        case 'f':
            octstr_append_char(out, '\f');
            break;
        case 't':
            octstr_append_char(out, '\t');
            break;
        case 'x': {
            char hex[3] = {(char)octstr_get_char(raw, i + 1), (char)octstr_get_char(raw, i + 2), 0};
            octstr_append_char(out, (int)strtol(hex, NULL, 16));
            i += 2;
            break;
        }
        default:
            octstr_append_char(out, c);
            break;
        }
    }
    return out;
}

/* Split on tabs keeping empty fields. */
static List *split_fields(Octstr *line)
{
    List *fields = gwlist_create();
    long start = 0, tab;

    while ((tab = octstr_search_char(line, '\t', start)) >= 0) {
        Octstr *raw = octstr_copy(line, start, tab - start);
        gwlist_append(fields, decode_escapes(raw));
        octstr_destroy(raw);
        start = tab + 1;
    }
    {
        Octstr *raw = octstr_copy(line, start, octstr_len(line) - start);
        gwlist_append(fields, decode_escapes(raw));
        octstr_destroy(raw);
    }
    return fields;
}

List *test_cases_read(const char *name)
{
    Octstr *path = octstr_format("%s/%s", TESTS_DIR, name);
    Octstr *text = octstr_read_file(octstr_get_cstr(path));
    List *cases = gwlist_create(), *lines;
    long i;

    if (text == NULL)
        test_fail("cannot read %s", octstr_get_cstr(path));
    lines = octstr_split(text, octstr_imm("\n"));
    for (i = 0; i < gwlist_len(lines); i++) {
        Octstr *line = gwlist_get(lines, i);
        if (octstr_len(line) == 0 || octstr_get_char(line, 0) == '#')
            continue;
        gwlist_append(cases, split_fields(line));
    }
    gwlist_destroy(lines, octstr_destroy_item);
    octstr_destroy(text);
    octstr_destroy(path);
    return cases;
}

static void fields_destroy(void *fields)
{
    gwlist_destroy(fields, octstr_destroy_item);
}

void test_cases_destroy(List *cases)
{
    gwlist_destroy(cases, fields_destroy);
}

Octstr *test_case_field(List *cases, long row, long column)
{
    List *fields = gwlist_get(cases, row);

    if (column >= gwlist_len(fields))
        test_fail("case %ld has no field %ld", row + 1, column + 1);
    return gwlist_get(fields, column);
}

int test_run_cases(const char *group, List *cases, CMUnitTestFunction function, const char *name,
                   const struct CMUnitTest *fixed, size_t nfixed)
{
    long n = gwlist_len(cases), i;
    struct CMUnitTest *tests = gw_malloc(sizeof(*tests) * (n + nfixed));
    int failed;

    for (i = 0; i < n; i++) {
        List *fields = gwlist_get(cases, i);
        Octstr *title = octstr_format(name, gwlist_get(fields, 0), gwlist_get(fields, 1),
                                      gwlist_get(fields, gwlist_len(fields) > 2 ? 2 : 1));
        /* TAP names are one line: show tabs and newlines as escapes */
        octstr_replace(title, octstr_imm("\t"), octstr_imm("\\t"));
        octstr_replace(title, octstr_imm("\n"), octstr_imm("\\n"));
        octstr_replace(title, octstr_imm("\r"), octstr_imm("\\r"));
        octstr_replace(title, octstr_imm("\f"), octstr_imm("\\f"));
        tests[i] =
            (struct CMUnitTest){gw_strdup(octstr_get_cstr(title)), function, NULL, NULL, fields};
        octstr_destroy(title);
    }
    memcpy(tests + n, fixed, sizeof(*fixed) * nfixed);
    failed = _cmocka_run_group_tests(group, tests, n + nfixed, NULL, NULL);
    for (i = 0; i < n; i++)
        gw_free((char *)tests[i].name);
    gw_free(tests);
    return failed;
}

int test_run_case_file(const char *group, const char *file, CMUnitTestFunction function,
                       const char *name, const struct CMUnitTest *fixed, size_t nfixed)
{
    List *cases;
    int failed;

    test_gwlib_init();
    cases = test_cases_read(file);
    failed = test_run_cases(group, cases, function, name, fixed, nfixed);
    test_cases_destroy(cases);
    return failed;
}

static void quiet_notice(void *arg, const char *message)
{
    (void)arg, (void)message;
}

static PGconn *connect_to(const char *dbname)
{
    const char *keys[] = {"dbname", "application_name", NULL};
    const char *values[] = {dbname, "absencebox-tests", NULL};
    PGconn *conn = PQconnectdbParams(keys, values, 0);

    if (PQstatus(conn) != CONNECTION_OK)
        test_fail("no PostgreSQL for the database tests (%s); run them through scripts/test, "
                  "which starts one",
                  PQerrorMessage(conn));
    PQsetNoticeProcessor(conn, quiet_notice, NULL);
    return conn;
}

PGconn *test_db_create(const char *name)
{
    const char *maintenance = getenv("PGDATABASE") ? getenv("PGDATABASE") : "postgres";
    PGconn *admin = connect_to(maintenance);
    Octstr *drop = octstr_format("drop database if exists \"%s\"", name);
    Octstr *create =
        octstr_format("create database \"%s\" encoding 'UTF8' template template0", name);
    PGconn *conn;

    test_db_exec(admin, octstr_get_cstr(drop), SQL_END);
    test_db_exec(admin, octstr_get_cstr(create), SQL_END);
    octstr_destroy(drop);
    octstr_destroy(create);
    PQfinish(admin);
    conn = connect_to(name);
    return conn;
}

/* SQL with the parameters of ARGS, whatever its outcome. */
static PGresult *run_any(PGconn *conn, const char *sql, va_list args)
{
    const char *values[32];
    const char *value;
    int n = 0;

    while ((value = va_arg(args, const char *)) != SQL_END) {
        if (n == 32)
            test_fail("too many parameters for: %s", sql);
        values[n++] = value;
    }
    return PQexecParams(conn, sql, n, NULL, values, NULL, NULL, 0);
}

static int succeeded(PGresult *result)
{
    return PQresultStatus(result) == PGRES_COMMAND_OK || PQresultStatus(result) == PGRES_TUPLES_OK;
}

static PGresult *run(PGconn *conn, const char *sql, va_list args)
{
    PGresult *result = run_any(conn, sql, args);

    if (!succeeded(result))
        test_fail("SQL failed: %s  in: %s", PQresultErrorMessage(result), sql);
    return result;
}

Octstr *test_db_error(PGconn *conn, const char *sql, ...)
{
    va_list args;
    PGresult *result;
    Octstr *message;

    test_db_exec(conn, "savepoint test_db_error", SQL_END);
    va_start(args, sql);
    result = run_any(conn, sql, args);
    va_end(args);
    if (succeeded(result))
        test_fail("SQL succeeded, but it should have failed: %s", sql);
    message = octstr_create(PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY));
    PQclear(result);
    test_db_exec(conn, "rollback to savepoint test_db_error", SQL_END);
    return message;
}

void test_db_exec(PGconn *conn, const char *sql, ...)
{
    va_list args;

    va_start(args, sql);
    PQclear(run(conn, sql, args));
    va_end(args);
}

Octstr *test_db_value(PGconn *conn, const char *sql, ...)
{
    va_list args;
    PGresult *result;
    Octstr *value;

    va_start(args, sql);
    result = run(conn, sql, args);
    va_end(args);
    if (PQntuples(result) == 0)
        value = octstr_create("");
    else if (PQgetisnull(result, 0, 0))
        value = NULL;
    else
        value = octstr_create(PQgetvalue(result, 0, 0));
    PQclear(result);
    return value;
}

Octstr *test_db_rows(PGconn *conn, const char *sql, ...)
{
    va_list args;
    PGresult *result;
    Octstr *rows = octstr_create("");
    int row, column;

    va_start(args, sql);
    result = run(conn, sql, args);
    va_end(args);
    for (row = 0; row < PQntuples(result); row++) {
        for (column = 0; column < PQnfields(result); column++) {
            if (column > 0)
                octstr_append_char(rows, '|');
            octstr_append_cstr(
                rows, PQgetisnull(result, row, column) ? "~" : PQgetvalue(result, row, column));
        }
        octstr_append_char(rows, '\n');
    }
    PQclear(result);
    return rows;
}

void test_assert_octstr_equal(Octstr *actual, const char *expected, const char *file, int line)
{
    const char *text = actual == NULL ? "(null)" : octstr_get_cstr(actual);
    int same = actual == NULL ? expected == NULL : expected != NULL && strcmp(text, expected) == 0;

    if (!same) {
        Octstr *shown = octstr_format("%s:%d: expected:\n%s\nactual:\n%s", file, line,
                                      expected ? expected : "(null)", text);
        octstr_replace(shown, octstr_imm("\n"), octstr_imm("\n# "));
        octstr_destroy(actual);
        test_fail("%s", octstr_get_cstr(shown));
    }
    octstr_destroy(actual);
}

Octstr *test_write_temp(const char *text)
{
    char path[] = "/tmp/absence-test-XXXXXX";
    int fd = mkstemp(path);
    size_t len = strlen(text);

    if (fd < 0 || write(fd, text, len) != (ssize_t)len)
        test_fail("cannot write a temporary file");
    close(fd);
    return octstr_create(path);
}
