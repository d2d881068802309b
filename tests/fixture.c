/*
 * fixture.c - college fixtures and policy readers for tests (see fixture.h).
 */
#include "fixture.h"
#include "migrate.h"

#define DEFAULT_SETTINGS "absence.policy_settings()"

const char *fx_settings = DEFAULT_SETTINGS;

void fixture_reset(void)
{
    fx_settings = DEFAULT_SETTINGS;
}

PGconn *fixture_open_migrated(const char *name)
{
    Octstr *error = NULL;
    MigrateResult result;
    PGconn *conn;

    test_gwlib_init();
    conn = test_db_create(name);
    if (migrate_apply(conn, &absence_schema, &result, &error) < 0) {
        fprintf(stderr, "# migrate failed: %s\n", octstr_get_cstr(error));
        octstr_destroy(error);
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

int fixture_begin(void **state)
{
    fixture_reset();
    test_db_exec(*state, "begin", SQL_END);
    return 0;
}

int fixture_rollback(void **state)
{
    test_db_exec(*state, "rollback", SQL_END);
    return 0;
}

int fixture_close(void **state)
{
    PQfinish(*state);
    return 0;
}

void fx_student(PGconn *conn, const char *student_id, const char *status_code)
{
    test_db_exec(conn, "insert into absence.student (student_id, status_code) values ($1, $2)",
                 student_id, status_code, SQL_END);
}

void fx_lesson(PGconn *conn, long lesson_id, const char *starts_at, const char *ends_at,
               const char *register_marked_at)
{
    char id[32];

    snprintf(id, sizeof(id), "%ld", lesson_id);
    test_db_exec(conn,
                 "insert into absence.lesson (lesson_id, starts_at, ends_at, "
                 "register_marked_at) values ($1, $2, $3, $4)",
                 id, starts_at, ends_at, register_marked_at, SQL_END);
}

void fx_mark(PGconn *conn, long lesson_id, const char *student_id, const char *mark)
{
    char id[32];

    snprintf(id, sizeof(id), "%ld", lesson_id);
    test_db_exec(conn,
                 "insert into absence.attendance_mark (lesson_id, student_id, mark) "
                 "values ($1, $2, $3) on conflict (lesson_id, student_id) "
                 "do update set mark = excluded.mark",
                 id, student_id, mark, SQL_END);
}

void fx_guardian(PGconn *conn, long guardian_id, const char *mobile, const char *account_status)
{
    char id[32], name[48];

    snprintf(id, sizeof(id), "%ld", guardian_id);
    snprintf(name, sizeof(name), "Guardian %ld", guardian_id);
    test_db_exec(conn,
                 "insert into absence.guardian (guardian_id, name, mobile, account_status) "
                 "values ($1, $2, $3, $4)",
                 id, name, mobile, account_status, SQL_END);
}

void fx_link(PGconn *conn, long guardian_id, const char *student_id, const char *link_status,
             int hide_attendance)
{
    char id[32];

    snprintf(id, sizeof(id), "%ld", guardian_id);
    test_db_exec(conn,
                 "insert into absence.guardian_student (guardian_id, student_id, "
                 "link_status, hide_attendance) values ($1, $2, $3, $4)",
                 id, student_id, link_status, hide_attendance ? "true" : "false", SQL_END);
}

void fx_parent(PGconn *conn, long guardian_id, const char *student_id, const char *mobile)
{
    fx_guardian(conn, guardian_id, mobile, "active");
    fx_link(conn, guardian_id, student_id, "active", 0);
}

Octstr *fx_trigger(PGconn *conn, const char *at, const char *student_id)
{
    Octstr *sql = octstr_format(
        "select state, lesson_id from absence.policy_triggers(%s, $1::timestamptz, "
        "$1::timestamptz - interval '3 days', $1::timestamptz + interval '1 day', $2)",
        fx_settings);
    Octstr *rows = test_db_rows(conn, octstr_get_cstr(sql), at, student_id, SQL_END);

    octstr_destroy(sql);
    if (octstr_len(rows) > 0)
        octstr_delete(rows, octstr_len(rows) - 1, 1); /* the one row's newline */
    return rows;
}

Octstr *fx_plan(PGconn *conn, const char *at)
{
    Octstr *sql = octstr_format("select student_days, texts_planned, texts_expired, "
                                "guardians_skipped, days_too_long "
                                "from absence.plan(%s, $1::timestamptz, 'test-box', true)",
                                fx_settings);
    Octstr *rows = test_db_rows(conn, octstr_get_cstr(sql), at, SQL_END);

    octstr_destroy(sql);
    octstr_delete(rows, octstr_len(rows) - 1, 1);
    return rows;
}

Octstr *fx_texts(PGconn *conn)
{
    return test_db_rows(conn,
                        "select student_id, guardian_id, recipient, status "
                        "from absence.notification order by student_id, guardian_id",
                        SQL_END);
}

Octstr *fx_skips(PGconn *conn)
{
    return test_db_rows(conn,
                        "select student_id, guardian_id, reason from absence.guardian_skip "
                        "order by student_id, guardian_id",
                        SQL_END);
}

Octstr *fx_bodies(PGconn *conn, const char *student_id)
{
    return test_db_rows(conn,
                        "select body from absence.notification where student_id = $1 "
                        "order by guardian_id",
                        student_id, SQL_END);
}

void fx_absent_at_nine(PGconn *conn, const char *student_id, const char *status)
{
    fx_student(conn, student_id, status);
    fx_lesson(conn, 1, "2026-06-15 09:00 Europe/London", "2026-06-15 10:00 Europe/London",
              "2026-06-15 09:05 Europe/London");
    fx_mark(conn, 1, student_id, "O");
    fx_parent(conn, 101, student_id, "07700 900101");
}

Octstr *fx_functions_called(PGconn *conn, int times)
{
    char least[16];

    snprintf(least, sizeof(least), "%d", times);
    return test_db_rows(conn,
                        "select coalesce(string_agg(funcname || ' ' || calls, ', '), 'none') "
                        "from pg_stat_xact_user_functions "
                        "where schemaname = 'absence' and calls >= $1::integer",
                        least, SQL_END);
}

void fx_note_reads(PGconn *conn, const char *table)
{
    test_db_exec(conn,
                 "select set_config('test.reads', seq_tup_read || ' ' || "
                 "coalesce(idx_tup_fetch, 0) || ' ' || coalesce(idx_scan, 0), true) "
                 "from pg_stat_xact_user_tables where relid = $1::regclass",
                 table, SQL_END);
}

Octstr *fx_reads(PGconn *conn, const char *table)
{
    return test_db_rows(conn,
                        "select seq_tup_read - split_part(current_setting('test.reads'), ' ', "
                        "1)::bigint, coalesce(idx_tup_fetch, 0) - split_part(current_setting("
                        "'test.reads'), ' ', 2)::bigint, coalesce(idx_scan, 0) - split_part("
                        "current_setting('test.reads'), ' ', 3)::bigint "
                        "from pg_stat_xact_user_tables where relid = $1::regclass",
                        table, SQL_END);
}
