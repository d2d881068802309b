/*
 * test_migrate_db.c - absencectl migrate: the contract's schema, created
 * once, upgraded in one transaction, repeatable, refusing what it cannot do.
 * Each test starts from a new, empty database.
 */
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"
#include "config.h"
#include "migrate.h"

#define DB_NAME "absence_test_migrate"

static PGconn *db;

static int fresh_database(void **state)
{
    (void)state;
    db = test_db_create(DB_NAME);
    return 0;
}

static int close_database(void **state)
{
    (void)state;
    PQfinish(db);
    return 0;
}

static void migrate_ok(int expected_applied)
{
    Octstr *error = NULL;
    int applied = migrate_apply(db, absence_migrations, absence_migration_count, &error);

    if (applied < 0)
        test_fail("migrate failed: %s", octstr_get_cstr(error));
    assert_int_equal(applied, expected_applied);
}

static void test_migrate_creates_the_contract_columns(void **state)
{
    (void)state;
    migrate_ok(absence_migration_count);
    assert_octstr_equal(
        test_db_rows(db,
                     "select table_name, column_name, data_type, is_nullable,"
                     "       coalesce(column_default, '~')"
                     "  from information_schema.columns"
                     " where table_schema = 'absence'"
                     "   and table_name in ('student', 'lesson', 'attendance_mark', 'guardian',"
                     "                      'guardian_student')"
                     " order by table_name, ordinal_position",
                     SQL_END),
        "attendance_mark|lesson_id|bigint|NO|~\n"
        "attendance_mark|student_id|text|NO|~\n"
        "attendance_mark|mark|text|NO|~\n"
        "guardian|guardian_id|bigint|NO|~\n"
        "guardian|name|text|YES|~\n"
        "guardian|mobile|text|YES|~\n"
        "guardian|email|text|YES|~\n"
        "guardian|account_status|text|NO|~\n"
        "guardian_student|guardian_id|bigint|NO|~\n"
        "guardian_student|student_id|text|NO|~\n"
        "guardian_student|link_status|text|NO|~\n"
        "guardian_student|hide_attendance|boolean|NO|false\n"
        "guardian_student|prime|boolean|NO|false\n"
        "guardian_student|priority|integer|YES|~\n"
        "guardian_student|source|text|NO|'web'::text\n"
        "lesson|lesson_id|bigint|NO|~\n"
        "lesson|starts_at|timestamp with time zone|NO|~\n"
        "lesson|ends_at|timestamp with time zone|NO|~\n"
        "lesson|title|text|YES|~\n"
        "lesson|register_marked_at|timestamp with time zone|YES|~\n"
        "student|student_id|text|NO|~\n"
        "student|status_code|text|NO|~\n"
        "student|forename|text|YES|~\n"
        "student|surname|text|YES|~\n");
    assert_octstr_equal(
        test_db_rows(db,
                     "select table_name, column_name, data_type"
                     "  from information_schema.columns"
                     " where table_schema = 'absence'"
                     "   and (table_name = 'notification' and column_name in ('notification_id',"
                     "        'student_id', 'guardian_id', 'lesson_id', 'school_day', 'recipient',"
                     "        'body', 'status', 'created_at', 'submitted_at', 'delivered_at')"
                     "     or table_name = 'pastoral_log')"
                     " order by table_name, ordinal_position",
                     SQL_END),
        "notification|notification_id|bigint\n"
        "notification|student_id|text\n"
        "notification|guardian_id|bigint\n"
        "notification|lesson_id|bigint\n"
        "notification|school_day|date\n"
        "notification|recipient|text\n"
        "notification|body|text\n"
        "notification|status|text\n"
        "notification|created_at|timestamp with time zone\n"
        "notification|submitted_at|timestamp with time zone\n"
        "notification|delivered_at|timestamp with time zone\n"
        "pastoral_log|pastoral_log_id|bigint\n"
        "pastoral_log|notification_id|bigint\n"
        "pastoral_log|student_id|text\n"
        "pastoral_log|guardian_id|bigint\n"
        "pastoral_log|lesson_id|bigint\n"
        "pastoral_log|logged_at|timestamp with time zone\n"
        "pastoral_log|category|text\n"
        "pastoral_log|entry|text\n");
}

static void test_migrate_creates_the_contract_keys(void **state)
{
    (void)state;
    migrate_ok(absence_migration_count);
    assert_octstr_equal(
        test_db_rows(db,
                     "select conrelid::regclass, contype, pg_get_constraintdef(oid)"
                     "  from pg_constraint"
                     " where connamespace = 'absence'::regnamespace and contype in ('p', 'u')"
                     "   and conrelid::regclass::text in ('absence.attendance_mark',"
                     "       'absence.guardian_student', 'absence.notification',"
                     "       'absence.pastoral_log', 'absence.student', 'absence.lesson',"
                     "       'absence.guardian')"
                     " order by 1, 2, 3",
                     SQL_END),
        "absence.student|p|PRIMARY KEY (student_id)\n"
        "absence.lesson|p|PRIMARY KEY (lesson_id)\n"
        "absence.attendance_mark|p|PRIMARY KEY (lesson_id, student_id)\n"
        "absence.guardian|p|PRIMARY KEY (guardian_id)\n"
        "absence.guardian_student|p|PRIMARY KEY (guardian_id, student_id)\n"
        "absence.notification|p|PRIMARY KEY (notification_id)\n"
        "absence.notification|u|UNIQUE (student_id, school_day, recipient)\n"
        "absence.notification|u|UNIQUE (token)\n"
        "absence.pastoral_log|p|PRIMARY KEY (pastoral_log_id)\n"
        "absence.pastoral_log|u|UNIQUE (notification_id)\n");
}

/* SQL must fail on the constraint named CONSTRAINT. */
static void assert_refused_by(const char *sql, const char *constraint)
{
    PGresult *result = PQexec(db, sql);

    assert_int_equal(PQresultStatus(result), PGRES_FATAL_ERROR);
    assert_string_equal(PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME), constraint);
    PQclear(result);
}

static void test_lesson_must_end_after_it_starts(void **state)
{
    (void)state;
    migrate_ok(absence_migration_count);
    assert_refused_by("insert into absence.lesson (lesson_id, starts_at, ends_at) "
                      "values (1, '2026-06-15 10:00+01', '2026-06-15 10:00+01')",
                      "lesson_ends_after_it_starts");
}

static void test_unknown_account_status_is_refused(void **state)
{
    (void)state;
    migrate_ok(absence_migration_count);
    assert_refused_by("insert into absence.guardian (guardian_id, account_status) "
                      "values (1, 'Active')",
                      "guardian_account_status_known");
}

static void test_second_migrate_changes_nothing(void **state)
{
    (void)state;
    migrate_ok(absence_migration_count);
    migrate_ok(0);
    assert_octstr_equal(test_db_rows(db, "select version, name from absence.schema_migration "
                                         "order by version",
                                     SQL_END),
                        "1|001_schema.sql\n2|002_policy.sql\n3|003_box.sql\n4|004_staff.sql\n");
}

static void test_migrate_keeps_existing_data(void **state)
{
    (void)state;
    migrate_ok(absence_migration_count);
    test_db_exec(db, "insert into absence.student values ('S1', 'C01', 'Ann', 'Ash')", SQL_END);
    test_db_exec(db, "insert into absence.lesson (lesson_id, starts_at, ends_at) "
                     "values (1, '2026-06-15 09:00+01', '2026-06-15 10:00+01')",
                 SQL_END);
    test_db_exec(db, "insert into absence.attendance_mark values (1, 'S1', 'O')", SQL_END);
    migrate_ok(0);
    assert_octstr_equal(test_db_rows(db, "select s.student_id, s.forename, m.mark "
                                         "from absence.student s join absence.attendance_mark m "
                                         "using (student_id)",
                                     SQL_END),
                        "S1|Ann|O\n");
}

static const char failing_sql[] =
    "create table absence.half_done (x integer);\n"
    "select 1 / 0;\n";

/* The real migrations followed by one that fails half way through. */
static Migration *with_failing_migration(int *count)
{
    Migration *list = gw_malloc(sizeof(*list) * (absence_migration_count + 1));

    memcpy(list, absence_migrations, sizeof(*list) * absence_migration_count);
    list[absence_migration_count] = (Migration){99, "099_fails.sql", failing_sql};
    *count = absence_migration_count + 1;
    return list;
}

static void test_failed_migration_on_empty_database_leaves_nothing(void **state)
{
    Octstr *error = NULL;
    int count;
    Migration *list = with_failing_migration(&count);

    (void)state;
    assert_int_equal(migrate_apply(db, list, count, &error), -1);
    gw_free(list);
    assert_octstr_equal(error, "migration 099_fails.sql failed, nothing was changed: division "
                               "by zero");
    assert_octstr_equal(test_db_value(db, "select count(*) from pg_namespace "
                                          "where nspname = 'absence'",
                                      SQL_END),
                        "0");
}

static void test_failed_migration_leaves_the_database_as_it_was(void **state)
{
    Octstr *error = NULL;
    int count;
    Migration *list = with_failing_migration(&count);

    (void)state;
    migrate_ok(absence_migration_count);
    test_db_exec(db, "insert into absence.student values ('S1', 'C01', null, null)", SQL_END);
    assert_int_equal(migrate_apply(db, list, count, &error), -1);
    gw_free(list);
    octstr_destroy(error);
    assert_octstr_equal(test_db_rows(db, "select max(version), to_regclass('absence.half_done'), "
                                         "(select count(*) from absence.student) "
                                         "from absence.schema_migration",
                                     SQL_END),
                        "4|~|1\n");
}

static void test_newer_database_is_refused(void **state)
{
    Octstr *error = NULL;

    (void)state;
    migrate_ok(absence_migration_count);
    test_db_exec(db, "insert into absence.schema_migration values (99, '099_future.sql')",
                 SQL_END);
    assert_int_equal(migrate_apply(db, absence_migrations, absence_migration_count, &error), -1);
    assert_octstr_equal(error, "the database's schema is at version 99, newer than this program "
                               "knows (4): upgrade absencebox");
}

static void test_concurrent_migrations_apply_once(void **state)
{
    pid_t children[3];
    int i, status, failures = 0;

    (void)state;
    for (i = 0; i < 3; i++) {
        children[i] = fork();
        if (children[i] == 0) {
            Octstr *error = NULL;
            const char *keys[] = {"dbname", "options", NULL};
            const char *values[] = {DB_NAME, "-c client_min_messages=warning", NULL};
            PGconn *conn = PQconnectdbParams(keys, values, 0);
            _exit(migrate_apply(conn, absence_migrations, absence_migration_count, &error) < 0);
        }
    }
    for (i = 0; i < 3; i++) {
        waitpid(children[i], &status, 0);
        failures += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    }
    assert_int_equal(failures, 0);
    assert_octstr_equal(test_db_value(db, "select count(*) from absence.schema_migration",
                                      SQL_END),
                        "4");
}

/* Run absencectl with ARGS; its stdout and stderr, then "exit N". */
static Octstr *absencectl(const char *args)
{
    Octstr *command = octstr_format("%s/absencectl %s 2>&1; echo \"exit $?\"", BUILD_DIR, args);
    FILE *pipe = popen(octstr_get_cstr(command), "r");
    Octstr *output = octstr_create("");
    char buffer[512];
    size_t n;

    while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0)
        octstr_append_data(output, buffer, n);
    pclose(pipe);
    octstr_destroy(command);
    return output;
}

/* absencectl migrate with CONF_TEXT as its configuration file; its output,
 * the file's path shown as FILE. */
static Octstr *migrate_with(const char *conf_text)
{
    Octstr *conf = test_write_temp(conf_text);
    Octstr *args = octstr_format("-c %S migrate", conf);
    Octstr *output = absencectl(octstr_get_cstr(args));

    octstr_replace(output, conf, octstr_imm("FILE"));
    unlink(octstr_get_cstr(conf));
    octstr_destroy(conf);
    octstr_destroy(args);
    return output;
}

#define BOX_GROUP "group = absencebox\npgsql-id = db\nsender = College\nreport-link = x\n"

static void test_absencectl_migrate_twice(void **state)
{
    static const char conf[] =
        BOX_GROUP "\ngroup = pgsql-connection\nid = db\ndatabase = " DB_NAME "\n";

    (void)state;
    assert_octstr_equal(migrate_with(conf),
                        "schema absence: applied 4 migrations, now at version 4\nexit 0\n");
    assert_octstr_equal(migrate_with(conf), "schema absence is up to date at version 4\nexit 0\n");
}

static void test_absencectl_unreachable_database_exits_2(void **state)
{
    (void)state;
    assert_octstr_equal(migrate_with(BOX_GROUP "\ngroup = pgsql-connection\nid = db\n"
                                               "host = 127.0.0.1\nport = 1\ndatabase = college\n"
                                               "connect-timeout = 2\n"),
                        "absencectl: cannot connect to PostgreSQL (pgsql-connection 'db', "
                        "database 'college' on '127.0.0.1'): connection to server at "
                        "\"127.0.0.1\", port 1 failed: Connection refused\nexit 2\n");
}

static void test_absencectl_bad_config_exits_1(void **state)
{
    (void)state;
    assert_octstr_equal(migrate_with(BOX_GROUP "send-delay = soon\n\n"
                                               "group = pgsql-connection\nid = db\n"),
                        "absencectl: FILE:5: group 'absencebox', key 'send-delay': 'soon' is not "
                        "a whole number from 0 to 86400\nexit 1\n");
    assert_octstr_equal(absencectl("-c /etc/kannel/absencebox.conf frobnicate"),
                        "absencectl: unknown command 'frobnicate' (absencectl --help lists "
                        "them)\nexit 1\n");
}

#define DB_TEST(name) cmocka_unit_test_setup_teardown(name, fresh_database, close_database)

int main(void)
{
    static const struct CMUnitTest tests[] = {
        DB_TEST(test_migrate_creates_the_contract_columns),
        DB_TEST(test_migrate_creates_the_contract_keys),
        DB_TEST(test_lesson_must_end_after_it_starts),
        DB_TEST(test_unknown_account_status_is_refused),
        DB_TEST(test_second_migrate_changes_nothing),
        DB_TEST(test_migrate_keeps_existing_data),
        DB_TEST(test_failed_migration_on_empty_database_leaves_nothing),
        DB_TEST(test_failed_migration_leaves_the_database_as_it_was),
        DB_TEST(test_newer_database_is_refused),
        DB_TEST(test_concurrent_migrations_apply_once),
        DB_TEST(test_absencectl_migrate_twice),
        DB_TEST(test_absencectl_unreachable_database_exits_2),
        DB_TEST(test_absencectl_bad_config_exits_1),
    };

    test_gwlib_init();
    return cmocka_run_group_tests_name("migrate", tests, NULL, NULL);
}
