/*
 * test_migrate_db.c - absencectl migrate: the contract's schema, created
 * once, upgraded in one transaction from every earlier version, its
 * functions re-applied exactly when they change, repeatable, refusing what
 * it cannot do. Each test starts from a new, empty database.
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

#define NEWEST 14 /* the newest migration's version */

/* Migrate to SCHEMA; "applied|functions replaced|version". */
static Octstr *migrate_to(const Schema *schema)
{
    Octstr *error = NULL;
    MigrateResult result;

    if (migrate_apply(db, schema, &result, &error) < 0)
        test_fail("migrate failed: %s", octstr_get_cstr(error));
    return octstr_format("%d|%d|%d", result.applied, result.functions_replaced, result.version);
}

static void migrate_ok(int expected_applied)
{
    Octstr *error = NULL;
    MigrateResult result;

    if (migrate_apply(db, &absence_schema, &result, &error) < 0)
        test_fail("migrate failed: %s", octstr_get_cstr(error));
    assert_int_equal(result.applied, expected_applied);
    assert_int_equal(result.version, NEWEST);
}

/* "table|column|type|nullable|default (~ for none)" of schema absence's
 * columns that CONDITION (SQL on table_name and column_name) picks. */
static Octstr *columns_where(const char *condition)
{
    Octstr *sql = octstr_format("select table_name, column_name, data_type, is_nullable,"
                                "       coalesce(column_default, '~')"
                                "  from information_schema.columns"
                                " where table_schema = 'absence' and (%s)"
                                " order by table_name, ordinal_position",
                                condition);
    Octstr *rows = test_db_rows(db, octstr_get_cstr(sql), SQL_END);

    octstr_destroy(sql);
    return rows;
}

static void test_migrate_creates_the_contract_columns(void **state)
{
    (void)state;
    migrate_ok(NEWEST);
    assert_octstr_equal(
        columns_where("table_name in ('student', 'lesson', 'attendance_mark', 'guardian',"
                      "               'guardian_student')"),
        "attendance_mark|lesson_id|bigint|NO|~\n"
        "attendance_mark|student_id|text|NO|~\n"
        "attendance_mark|mark|text|NO|~\n"
        "guardian|guardian_id|bigint|NO|~\n"
        "guardian|name|text|YES|~\n"
        "guardian|mobile|text|YES|~\n"
        "guardian|email|text|YES|~\n"
        "guardian|account_status|text|NO|~\n"
        "guardian|source|text|NO|'web'::text\n"
        "guardian|title|text|YES|~\n"
        "guardian|forename|text|YES|~\n"
        "guardian|surname|text|YES|~\n"
        "guardian|mobile_e164|text|YES|~\n"
        "guardian|mobile_e164_of|text|YES|~\n"
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
        "student|surname|text|YES|~\n"
        "student|upn|text|YES|~\n");
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
    migrate_ok(NEWEST);
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
        "absence.student|u|UNIQUE (upn)\n"
        "absence.lesson|p|PRIMARY KEY (lesson_id)\n"
        "absence.attendance_mark|p|PRIMARY KEY (lesson_id, student_id)\n"
        "absence.guardian|p|PRIMARY KEY (guardian_id)\n"
        "absence.guardian_student|p|PRIMARY KEY (guardian_id, student_id)\n"
        "absence.notification|p|PRIMARY KEY (notification_id)\n"
        "absence.notification|u|UNIQUE (kind, student_id, school_day, recipient)\n"
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

/* The contract's additions for concerns: the term (MIS input), the text's
 * kind, the concern and the communication log with the columns the MIS reads. */
static void test_migrate_creates_the_concern_contract(void **state)
{
    (void)state;
    migrate_ok(NEWEST);
    assert_octstr_equal(
        columns_where("table_name = 'term'"
                      " or table_name = 'notification' and column_name in ('kind', 'due_at')"
                      " or table_name = 'attendance_concern' and column_name in ("
                      "    'concern_id', 'student_id', 'term_id', 'rule', 'absence_days',"
                      "    'detected_at', 'state', 'closed_at', 'note')"
                      " or table_name = 'communication_log' and column_name in ("
                      "    'student_id', 'guardian_id', 'concern_id', 'notification_id',"
                      "    'reply_id', 'method', 'direction', 'occurred_at', 'outcome',"
                      "    'recorded_by', 'note')"),
        "attendance_concern|concern_id|bigint|NO|~\n"
        "attendance_concern|student_id|text|NO|~\n"
        "attendance_concern|term_id|bigint|NO|~\n"
        "attendance_concern|rule|text|NO|~\n"
        "attendance_concern|absence_days|ARRAY|NO|~\n"
        "attendance_concern|detected_at|timestamp with time zone|NO|~\n"
        "attendance_concern|state|text|NO|'open'::text\n"
        "attendance_concern|closed_at|timestamp with time zone|YES|~\n"
        "attendance_concern|note|text|YES|~\n"
        "communication_log|student_id|text|NO|~\n"
        "communication_log|guardian_id|bigint|YES|~\n"
        "communication_log|concern_id|bigint|YES|~\n"
        "communication_log|notification_id|bigint|YES|~\n"
        "communication_log|reply_id|bigint|YES|~\n"
        "communication_log|method|text|NO|~\n"
        "communication_log|direction|text|NO|~\n"
        "communication_log|occurred_at|timestamp with time zone|NO|~\n"
        "communication_log|outcome|text|NO|~\n"
        "communication_log|recorded_by|text|NO|~\n"
        "communication_log|note|text|YES|~\n"
        "notification|due_at|timestamp with time zone|NO|~\n"
        "notification|kind|text|NO|'absence'::text\n"
        "term|term_id|bigint|NO|~\n"
        "term|name|text|YES|~\n"
        "term|starts_on|date|NO|~\n"
        "term|ends_on|date|NO|~\n");
    assert_refused_by("insert into absence.term values (1, 'Autumn', '2026-12-18', '2026-09-01')",
                      "term_ends_after_it_starts");
    assert_refused_by("insert into absence.communication_log (student_id, method, direction, "
                      "occurred_at, outcome, recorded_by) values ('S1', 'fax', 'out', now(), "
                      "'sent', 'me')",
                      "communication_log_method_known");
}

static void test_migrate_creates_the_reply_contract(void **state)
{
    (void)state;
    migrate_ok(NEWEST);
    assert_octstr_equal(
        columns_where("table_name = 'reply' and column_name in ("
                      "    'received_at', 'sender', 'receiver', 'body', 'notification_id',"
                      "    'student_id', 'guardian_id')"
                      " or table_name = 'opt_out' and column_name in ("
                      "    'recipient', 'opted_out_at', 'via')"),
        "opt_out|recipient|text|NO|~\n"
        "opt_out|opted_out_at|timestamp with time zone|NO|~\n"
        "opt_out|via|text|NO|~\n"
        "reply|received_at|timestamp with time zone|NO|~\n"
        "reply|sender|text|NO|~\n"
        "reply|receiver|text|NO|~\n"
        "reply|body|text|NO|~\n"
        "reply|notification_id|bigint|YES|~\n"
        "reply|student_id|text|YES|~\n"
        "reply|guardian_id|bigint|YES|~\n");
    assert_octstr_equal(test_db_value(db,
                                      "select string_agg(reason, ',' order by position) "
                                      "from absence.skip_reason",
                                      SQL_END),
                        "account-not-active,link-not-active,attendance-hidden,no-mobile,"
                        "invalid-mobile,opted-out,duplicate-number");
    assert_refused_by("insert into absence.opt_out (recipient, opted_out_at, via, recorded_by) "
                      "values ('07700900123', now(), 'reply', 'box')",
                      "opt_out_recipient_e164");
    assert_refused_by("insert into absence.opt_out (recipient, opted_out_at, via, recorded_by) "
                      "values ('+447700900123', now(), 'phone', 'box')",
                      "opt_out_via_known");
    assert_refused_by("insert into absence.opt_out (recipient, opted_out_at, via, recorded_by, "
                      "reason) values ('+447700900123', now(), 'staff', 'me', ' ')",
                      "opt_out_staff_reason");
}

/* A number a text goes to, an opted-out number and a confirmation's number
 * are E.164: "+", a digit 1-9, then 7 to 14 digits (9 to 16 characters in
 * all). Version 14 wrote the rule as a length and an unbounded match, which
 * costs less: the same numbers pass and the same are refused. */
static void test_recipients_must_be_e164_numbers(void **state)
{
    static const char *const accepted[] = {"+12345678", "+447700900123", "+123456789012345"};
    static const char *const refused[] = {"+1234567",
                                          "+1234567890123456",
                                          "+0447700900123",
                                          "447700900123",
                                          "+44770090012a",
                                          "+44 7700900123",
                                          "+447700900123\n",
                                          "++447700900123",
                                          "+",
                                          ""};
    Octstr *sql;
    size_t i;

    (void)state;
    migrate_ok(NEWEST);
    for (i = 0; i < sizeof accepted / sizeof *accepted; i++) {
        sql = octstr_format("insert into absence.opt_out (recipient, opted_out_at, via, "
                            "recorded_by) values ('%s', now(), 'reply', 'box')",
                            accepted[i]);
        test_db_exec(db, octstr_get_cstr(sql), SQL_END);
        octstr_destroy(sql);
    }
    for (i = 0; i < sizeof refused / sizeof *refused; i++) {
        sql = octstr_format("insert into absence.opt_out (recipient, opted_out_at, via, "
                            "recorded_by) values (E'%s', now(), 'reply', 'box')",
                            refused[i]);
        assert_refused_by(octstr_get_cstr(sql), "opt_out_recipient_e164");
        octstr_destroy(sql);
    }
    assert_octstr_equal(
        test_db_rows(db, "select recipient from absence.opt_out order by length(recipient)",
                     SQL_END),
        "+12345678\n+447700900123\n+123456789012345\n");
    test_db_exec(db,
                 "insert into absence.notification (student_id, guardian_id, lesson_id, "
                 "school_day, recipient, body, due_at, expires_at) values "
                 "('S1', 1, 1, '2026-06-15', '+123456789012345', 'x', now(), now()), "
                 "('S1', 2, 1, '2026-06-15', '+12345678', 'x', now(), now())",
                 SQL_END);
    assert_refused_by("insert into absence.notification (student_id, guardian_id, lesson_id, "
                      "school_day, recipient, body, due_at, expires_at) values "
                      "('S1', 3, 1, '2026-06-15', '+1234567890123456', 'x', now(), now())",
                      "notification_recipient_e164");
    assert_refused_by("update absence.notification set recipient = '+1234567' "
                      "where guardian_id = 2",
                      "notification_recipient_e164");
    test_db_exec(db,
                 "insert into absence.reply (received_at, sender, sender_as_sent, receiver, body, "
                 "message_id, coding, raw, box_id) values (now(), '+447700900123', "
                 "'+447700900123', '+447700900999', 'STOP', gen_random_uuid(), 0, 'STOP', 'box')",
                 SQL_END);
    assert_refused_by("insert into absence.confirmation_text (reply_id, kind, recipient, body, "
                      "due_at, expires_at) select reply_id, 'stop', '+0447700900123', 'x', "
                      "now(), now() from absence.reply",
                      "confirmation_recipient_e164");
}

static void test_lesson_must_end_after_it_starts(void **state)
{
    (void)state;
    migrate_ok(NEWEST);
    assert_refused_by("insert into absence.lesson (lesson_id, starts_at, ends_at) "
                      "values (1, '2026-06-15 10:00+01', '2026-06-15 10:00+01')",
                      "lesson_ends_after_it_starts");
}

static void test_unknown_account_status_is_refused(void **state)
{
    (void)state;
    migrate_ok(NEWEST);
    assert_refused_by("insert into absence.guardian (guardian_id, account_status) "
                      "values (1, 'Active')",
                      "guardian_account_status_known");
}

static void test_unknown_names_are_refused(void **state)
{
    (void)state;
    migrate_ok(NEWEST);
    assert_refused_by("insert into absence.notification (student_id, guardian_id, lesson_id, "
                      "school_day, recipient, body, status, due_at, expires_at) values ('S1', 1, "
                      "1, '2026-06-15', '+447700900123', 'x', 'sending', now(), now())",
                      "notification_status_known");
    assert_refused_by("insert into absence.guardian_skip (student_id, school_day, guardian_id, "
                      "lesson_id, reason) values ('S1', '2026-06-15', 1, 1, 'no-reason')",
                      "guardian_skip_reason_known");
}

static void test_second_migrate_changes_nothing(void **state)
{
    (void)state;
    migrate_ok(NEWEST);
    migrate_ok(0);
    assert_octstr_equal(test_db_rows(db,
                                     "select version, name from absence.schema_migration "
                                     "order by version",
                                     SQL_END),
                        "1|001_schema.sql\n2|002_encoding.sql\n3|003_box.sql\n4|004_staff.sql\n"
                        "5|005_names.sql\n6|006_pause.sql\n7|007_contacts.sql\n"
                        "8|008_concerns.sql\n9|009_replies.sql\n10|010_bad_rows.sql\n"
                        "11|011_plan_watermark.sql\n12|012_text_hot_updates.sql\n"
                        "13|013_sending_sets.sql\n14|014_cheaper_plan_writes.sql\n");
}

static void test_migrate_keeps_existing_data(void **state)
{
    (void)state;
    migrate_ok(NEWEST);
    test_db_exec(db, "insert into absence.student values ('S1', 'C01', 'Ann', 'Ash')", SQL_END);
    test_db_exec(db,
                 "insert into absence.lesson (lesson_id, starts_at, ends_at) "
                 "values (1, '2026-06-15 09:00+01', '2026-06-15 10:00+01')",
                 SQL_END);
    test_db_exec(db, "insert into absence.attendance_mark values (1, 'S1', 'O')", SQL_END);
    migrate_ok(0);
    assert_octstr_equal(test_db_rows(db,
                                     "select s.student_id, s.forename, m.mark "
                                     "from absence.student s join absence.attendance_mark m "
                                     "using (student_id)",
                                     SQL_END),
                        "S1|Ann|O\n");
}

static const char failing_sql[] = "create table absence.half_done (x integer);\n"
                                  "select 1 / 0;\n";

/* The real schema with FILE added: a migration (VERSION > 0) after the
 * others, or a function file (VERSION 0) and the functions' CHECKSUM. */
static Schema *schema_with(SqlFile file, const char *checksum)
{
    int m = absence_schema.migration_count, f = absence_schema.function_count;
    SqlFile *migrations = gw_malloc(sizeof(SqlFile) * (m + 1));
    SqlFile *functions = gw_malloc(sizeof(SqlFile) * (f + 1));
    Schema *schema = gw_malloc(sizeof(*schema));

    memcpy(migrations, absence_schema.migrations, sizeof(SqlFile) * m);
    memcpy(functions, absence_schema.functions, sizeof(SqlFile) * f);
    *schema = absence_schema;
    if (file.version > 0) {
        migrations[m++] = file;
    } else {
        functions[f++] = file;
        schema->functions_checksum = checksum;
    }
    schema->migrations = migrations;
    schema->migration_count = m;
    schema->functions = functions;
    schema->function_count = f;
    return schema;
}

static void schema_destroy(Schema *schema)
{
    gw_free((void *)schema->migrations);
    gw_free((void *)schema->functions);
    gw_free(schema);
}

/* Migrate to the real schema with FILE added (see schema_with), which must
 * fail: its error line. */
static Octstr *migrate_error_with(SqlFile file, const char *checksum)
{
    Schema *schema = schema_with(file, checksum);
    MigrateResult result;
    Octstr *error = NULL;

    if (migrate_apply(db, schema, &result, &error) != -1)
        test_fail("migrate succeeded, but it should have failed");
    schema_destroy(schema);
    return error;
}

static void test_failed_migration_on_empty_database_leaves_nothing(void **state)
{
    (void)state;
    assert_octstr_equal(migrate_error_with((SqlFile){99, "099_fails.sql", failing_sql}, NULL),
                        "migration 099_fails.sql failed, nothing was changed: division by zero");
    assert_octstr_equal(test_db_value(db,
                                      "select count(*) from pg_namespace "
                                      "where nspname = 'absence'",
                                      SQL_END),
                        "0");
}

static void test_failed_migration_leaves_the_database_as_it_was(void **state)
{
    (void)state;
    migrate_ok(NEWEST);
    test_db_exec(db, "insert into absence.student values ('S1', 'C01', null, null)", SQL_END);
    octstr_destroy(migrate_error_with((SqlFile){99, "099_fails.sql", failing_sql}, NULL));
    assert_octstr_equal(test_db_rows(db,
                                     "select max(version), to_regclass('absence.half_done'), "
                                     "(select count(*) from absence.student) "
                                     "from absence.schema_migration",
                                     SQL_END),
                        "14|~|1\n");
}

static void test_newer_database_is_refused(void **state)
{
    Octstr *error = NULL;
    MigrateResult result;

    (void)state;
    migrate_ok(NEWEST);
    test_db_exec(db, "insert into absence.schema_migration values (99, '099_future.sql')", SQL_END);
    assert_int_equal(migrate_apply(db, &absence_schema, &result, &error), -1);
    assert_octstr_equal(error, "the database's schema is at version 99, newer than this program "
                               "knows (14): upgrade absencebox");
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
            MigrateResult result;
            _exit(migrate_apply(conn, &absence_schema, &result, &error) < 0);
        }
    }
    for (i = 0; i < 3; i++) {
        waitpid(children[i], &status, 0);
        failures += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    }
    assert_int_equal(failures, 0);
    assert_octstr_equal(test_db_rows(db,
                                     "select (select count(*) from absence.schema_migration),"
                                     " (select count(*) from absence.schema_functions)",
                                     SQL_END),
                        "14|1\n");
}

/* ---- the functions: re-applied exactly when they change --------------- */

static const char extra_sql[] =
    "create function absence.extra() returns integer language sql as $$ select 42 $$;\n";

static void test_changed_functions_are_applied_again_and_stale_ones_dropped(void **state)
{
    Schema *changed = schema_with((SqlFile){0, "extra.sql", extra_sql}, "changed");

    (void)state;
    migrate_ok(NEWEST);
    assert_octstr_equal(migrate_to(changed), "0|1|14");
    assert_octstr_equal(test_db_rows(db,
                                     "select absence.extra(), absence.mask_mobile("
                                     "'+447700900123')",
                                     SQL_END),
                        "42|+4477009****23\n");
    /* back to this program's functions: extra() goes, nothing stale survives */
    assert_octstr_equal(migrate_to(&absence_schema), "0|1|14");
    assert_octstr_equal(test_db_rows(db,
                                     "select to_regprocedure('absence.extra()'),"
                                     " to_regprocedure('absence.mask_mobile(text)') is not null",
                                     SQL_END),
                        "~|t\n");
    assert_octstr_equal(migrate_to(&absence_schema), "0|0|14");
    assert_octstr_equal(test_db_rows(db,
                                     "select checksum = $1, files like 'settings.sql "
                                     "settings.sql text.sql %' from absence.schema_functions "
                                     "order by applied_id",
                                     absence_schema.functions_checksum, SQL_END),
                        "t|t\nf|t\nt|t\n");
    schema_destroy(changed);
}

static void test_unchanged_functions_are_left_alone(void **state)
{
    (void)state;
    migrate_ok(NEWEST);
    test_db_exec(db, extra_sql, SQL_END);
    assert_octstr_equal(migrate_to(&absence_schema), "0|0|14");
    assert_octstr_equal(test_db_value(db, "select absence.extra()", SQL_END), "42");
}

static void test_a_failing_function_file_changes_nothing(void **state)
{
    (void)state;
    migrate_ok(NEWEST);
    assert_octstr_equal(migrate_error_with((SqlFile){0, "broken.sql", "select 1 / 0;\n"}, "x"),
                        "function file broken.sql failed, nothing was changed: division by zero");
    assert_octstr_equal(test_db_rows(db,
                                     "select count(*), bool_and(checksum = $1) "
                                     "from absence.schema_functions",
                                     absence_schema.functions_checksum, SQL_END),
                        "1|t\n");
}

static void test_a_table_using_a_function_stops_its_replacement(void **state)
{
    (void)state;
    migrate_ok(NEWEST);
    test_db_exec(db, "create table absence.depends (n text default absence.mask_mobile('1'))",
                 SQL_END);
    assert_octstr_equal(migrate_error_with((SqlFile){0, "extra.sql", extra_sql}, "changed"),
                        "dropping the old functions failed, nothing was changed: cannot "
                        "drop desired object(s) because other objects depend on them "
                        "(default value for column n of table absence.depends depends on "
                        "function absence.mask_mobile(text)) Hint: Use DROP ... CASCADE to "
                        "drop the dependent objects too.");
}

static void test_the_box_refuses_functions_not_its_own(void **state)
{
    Schema *changed = schema_with((SqlFile){0, "extra.sql", extra_sql}, "changed");
    Octstr *error = NULL;

    (void)state;
    assert_int_equal(migrate_check(db, &absence_schema, &error), -1);
    assert_octstr_equal(error, "schema absence is at version 0 but this absencebox needs version "
                               "14: run 'absencectl migrate'");
    octstr_destroy(migrate_to(changed));
    error = NULL;
    assert_int_equal(migrate_check(db, &absence_schema, &error), -1);
    assert_octstr_equal(error, "schema absence's functions are not this absencebox's (they "
                               "changed since the last migrate): run 'absencectl migrate'");
    octstr_destroy(migrate_to(&absence_schema));
    assert_int_equal(migrate_check(db, &absence_schema, &error), 0);
    schema_destroy(changed);
}

/* ---- upgrades from each version release 0.1.0 left ----------------------- */

/* The schema as one text: columns, constraints, indexes, functions (with
 * their bodies' digests) and types, sorted. */
static Octstr *schema_fingerprint(void)
{
    return test_db_value(
        db,
        "select string_agg(line, E'\\n' order by line) from ("
        " select format('column %s.%s %s %s %s', table_name, column_name, data_type,"
        "               is_nullable, column_default) as line"
        "   from information_schema.columns where table_schema = 'absence'"
        " union all select format('constraint %s %s %s', conrelid::regclass, conname,"
        "               pg_get_constraintdef(oid))"
        "   from pg_constraint where connamespace = 'absence'::regnamespace"
        " union all select 'index ' || indexdef from pg_indexes where schemaname = 'absence'"
        " union all select format('function %s %s', oid::regprocedure, md5(prosrc))"
        "   from pg_proc where pronamespace = 'absence'::regnamespace"
        " union all select 'type ' || oid::regtype from pg_type"
        "  where typnamespace = 'absence'::regnamespace and typtype in ('c', 'e')) s",
        SQL_END);
}

/* The data every version's database holds (tests/upgrade/make-dumps). */
static Octstr *release_data(void)
{
    return test_db_rows(db,
                        "select n.student_id, n.status, n.recipient, p.category, r.dlr_type,"
                        "       k.reason, d.outcome, g.mobile"
                        "  from absence.notification n"
                        "  join absence.pastoral_log p using (notification_id)"
                        "  join absence.delivery_report r using (notification_id)"
                        "  join absence.guardian_skip k on k.student_id = n.student_id"
                        "  join absence.student_day d on d.student_id = n.student_id"
                        "  join absence.guardian g on g.guardian_id = k.guardian_id",
                        SQL_END);
}

static void restore_release(int version)
{
    Octstr *command = octstr_format("pg_restore --no-owner --exit-on-error -d %s "
                                    "%s/upgrade/v%d.dump 2>&1",
                                    DB_NAME, TESTS_DIR, version);

    if (system(octstr_get_cstr(command)) != 0)
        test_fail("%s failed", octstr_get_cstr(command));
    octstr_destroy(command);
}

static void test_every_earlier_version_upgrades_to_the_fresh_schema(void **state)
{
    Octstr *fresh, *expected, *error = NULL;
    int version;

    (void)state;
    migrate_ok(NEWEST);
    fresh = schema_fingerprint();
    for (version = 1; version <= 4; version++) {
        PQfinish(db);
        db = test_db_create(DB_NAME);
        restore_release(version);
        /* the box, not yet upgraded, names the version the database is at */
        expected = octstr_format("schema absence is at version %d but this absencebox needs "
                                 "version %d: run 'absencectl migrate'",
                                 version, NEWEST);
        assert_int_equal(migrate_check(db, &absence_schema, &error), -1);
        assert_octstr_equal(error, octstr_get_cstr(expected));
        octstr_destroy(expected);
        error = NULL;
        expected = octstr_format("%d|1|%d", NEWEST - version, NEWEST);
        assert_octstr_equal(migrate_to(&absence_schema), octstr_get_cstr(expected));
        octstr_destroy(expected);
        assert_octstr_equal(schema_fingerprint(), octstr_get_cstr(fresh));
        assert_octstr_equal(release_data(), "STE001|delivered|+447700900101|Absence text|1|"
                                            "invalid-mobile|planned|01632 960000\n");
        assert_int_equal(migrate_check(db, &absence_schema, &error), 0);
    }
    octstr_destroy(fresh);
}

static void test_an_upgraded_database_plans_with_the_new_functions(void **state)
{
    (void)state;
    restore_release(4);
    migrate_ok(NEWEST - 4);
    test_db_exec(db, "update absence.attendance_mark set mark = 'O' where student_id = 'STE002'",
                 SQL_END);
    test_db_exec(db, "update absence.student set status_code = 'C02' where student_id = 'STE002'",
                 SQL_END);
    test_db_exec(db,
                 "insert into absence.guardian_student values "
                 "(101, 'STE002', 'active', false, false, null, 'web')",
                 SQL_END);
    assert_octstr_equal(test_db_rows(db,
                                     "select * from absence.plan(absence.policy_settings(), "
                                     "'2026-06-15 10:30 Europe/London')",
                                     SQL_END),
                        "1|1|0|0|0|0|0|0|0\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select student_id, status from absence.notification "
                                     "order by notification_id",
                                     SQL_END),
                        "STE001|delivered\nSTE002|pending\n");
}

/* Version 13 moved the pending texts and the texts in flight out of
 * notification's indexes into sets of their own: a college upgrading with
 * texts on their way keeps every one in its set, so that the pending are
 * still claimed, in order, and the in-flight still found by their ack. */
static void test_the_upgrade_to_13_keeps_texts_on_their_way(void **state)
{
    Schema before = absence_schema;

    (void)state;
    before.migration_count = 12;
    before.function_count = 0; /* today's functions need version 13's tables */
    before.functions_checksum = "none";
    assert_octstr_equal(migrate_to(&before), "12|1|12");
    test_db_exec(db,
                 "insert into absence.notification (student_id, guardian_id, lesson_id, "
                 "school_day, recipient, body, status, due_at, expires_at, message_id, box_id) "
                 "select 'S1', g, 1, current_date, '+4477009001' || g, 'x', s, "
                 "now() - make_interval(mins => g::integer), now() + interval '1 hour', "
                 "case when s in ('submitted', 'sent', 'unconfirmed') then gen_random_uuid() end, "
                 "case when s <> 'pending' then 'box-a' end "
                 "from unnest(array['pending', 'submitted', 'sent', 'delivered', 'pending', "
                 "'unconfirmed', 'failed']) with ordinality as t(s, g)",
                 SQL_END);
    assert_octstr_equal(migrate_to(&absence_schema), "2|1|14");
    assert_octstr_equal(test_db_rows(db,
                                     "select n.guardian_id from absence.text_queue q "
                                     "join absence.notification n using (notification_id) "
                                     "order by q.due_at, q.notification_id",
                                     SQL_END),
                        "5\n1\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select n.guardian_id, n.status, f.box_id, "
                                     "f.message_id = n.message_id "
                                     "from absence.text_in_flight f "
                                     "join absence.notification n using (notification_id) "
                                     "order by 1",
                                     SQL_END),
                        "2|submitted|box-a|t\n3|sent|box-a|t\n");
    assert_octstr_equal(
        test_db_rows(db, "select count(*) from absence.claim_texts('box-b', 10)", SQL_END), "2\n");
}

/* ---- the roles of a real installation (conf/absence-roles.sql) ------------ */

static void run_roles_script(void)
{
    Octstr *script = octstr_read_file(TESTS_DIR "/../conf/absence-roles.sql");
    PGresult *result = PQexec(db, octstr_get_cstr(script));

    if (PQresultStatus(result) != PGRES_COMMAND_OK)
        test_fail("absence-roles.sql failed: %s", PQresultErrorMessage(result));
    PQclear(result);
    octstr_destroy(script);
}

/* As ROLE, SQL's error ("" when it succeeds), the transaction rolled back. */
static Octstr *as_role(const char *role, const char *sql)
{
    Octstr *set = octstr_format("set local role %s", role), *error;
    PGresult *result;

    test_db_exec(db, "begin", SQL_END);
    test_db_exec(db, octstr_get_cstr(set), SQL_END);
    result = PQexec(db, sql);
    error = octstr_create(PQresultStatus(result) == PGRES_FATAL_ERROR
                              ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)
                              : "");
    PQclear(result);
    PQclear(PQexec(db, "rollback"));
    octstr_destroy(set);
    return error;
}

static const char inputs_sql[] =
    "insert into absence.student values ('S1', 'C01', null, null);"
    "insert into absence.lesson values (1, '2026-06-15 09:00+01', '2026-06-15 10:00+01', null, "
    "  '2026-06-15 09:05+01');"
    "insert into absence.attendance_mark values (1, 'S1', 'O');"
    "insert into absence.guardian values (101, 'P', '07700 900101', null, 'active');"
    "insert into absence.guardian_student values (101, 'S1', 'active', false, false, null, 'web');";

/* absencectl import-contacts' statements, on a staged file of one pupil. */
static const char import_sql[] =
    "reset role; insert into absence.student values ('S1', 'C01', null, null, 'A1');"
    "set local role %s; select absence.open_contact_staging();"
    "insert into ctf_contact values (1, 'A1', 5, 1, 6, 1, 'Mrs', 'Ann', 'Lee', null, null, "
    "  false, null, '[{\"type\": \"M\", \"number\": \"07700 900101\"}]');"
    "select absence.record_contact_import('contacts.xml', repeat('0', 64), 'mis', false, "
    "  absence.import_contacts(absence.policy_settings()));";

static void test_the_roles_of_a_real_installation(void **state)
{
    Octstr *plan, *import;

    (void)state;
    run_roles_script();
    test_db_exec(db, "set role absence_owner", SQL_END);
    migrate_ok(NEWEST);
    test_db_exec(db, "reset role", SQL_END);
    run_roles_script();
    assert_octstr_equal(test_db_value(db,
                                      "select nspowner::regrole from pg_namespace "
                                      "where nspname = 'absence'",
                                      SQL_END),
                        "absence_owner");
    /* the MIS writes the inputs, and only them */
    assert_octstr_equal(as_role("absence_mis", inputs_sql), "");
    assert_octstr_equal(as_role("absence_mis", "update absence.notification set status = 'sent'"),
                        "permission denied for table notification");
    /* the box reads the inputs and writes the outputs: a whole plan */
    plan = octstr_format("%s reset role; set local role absencebox; select * from absence.plan("
                         "absence.policy_settings(), '2026-06-15 10:20 Europe/London');"
                         "select count(*) from absence.claim_texts('box', 5);",
                         inputs_sql);
    assert_octstr_equal(as_role("absence_mis", octstr_get_cstr(plan)), "");
    octstr_destroy(plan);
    /* the MIS's corrections after a run are noted for the next, which
     * empties the note */
    plan = octstr_format("%s reset role; set local role absencebox; select * from absence.plan("
                         "absence.policy_settings(), '2026-06-15 10:20 Europe/London');"
                         "reset role; set local role absence_mis;"
                         "insert into absence.student values ('S2', 'C01', null, null);"
                         "insert into absence.attendance_mark values (1, 'S2', 'O');"
                         "update absence.lesson set register_marked_at = starts_at;"
                         "update absence.student set status_code = 'C02';"
                         "reset role; set local role absencebox; select * from absence.plan("
                         "absence.policy_settings(), '2026-06-15 10:21 Europe/London');",
                         inputs_sql);
    assert_octstr_equal(as_role("absence_mis", octstr_get_cstr(plan)), "");
    octstr_destroy(plan);
    assert_octstr_equal(as_role("absencebox", "delete from absence.guardian"),
                        "permission denied for table guardian");
    /* the terms are the MIS's; a register corrected after the box looked
     * for concerns is noted for its next look, which empties the note */
    assert_octstr_equal(as_role("absence_mis", "insert into absence.term values (1, 'Summer', "
                                               "'2026-06-01', '2026-07-17')"),
                        "");
    assert_octstr_equal(as_role("absencebox", "insert into absence.term values (2, 'Autumn', "
                                              "'2026-09-01', '2026-12-17')"),
                        "permission denied for table term");
    assert_octstr_equal(as_role("absencebox",
                                "select absence.detect_concerns(absence.policy_settings(), "
                                "'2026-06-15 19:30 Europe/London', 'box')"),
                        "");
    /* contacts from the MIS are imported as the MIS, not as the box */
    import = octstr_format(import_sql, "absence_mis");
    assert_octstr_equal(as_role("absence_mis", octstr_get_cstr(import)), "");
    octstr_destroy(import);
    import = octstr_format(import_sql, "absencebox");
    assert_octstr_equal(as_role("absencebox", octstr_get_cstr(import)),
                        "permission denied for table guardian");
    octstr_destroy(import);
    assert_octstr_equal(as_role("absencebox", "insert into absence.schema_migration values "
                                              "(99, 'x')"),
                        "permission denied for table schema_migration");
    /* a stop word (or staff) opts a number out, a start word takes it off */
    assert_octstr_equal(as_role("absencebox",
                                "select * from absence.receive_replies(absence.policy_settings(), "
                                "'box', array[gen_random_uuid(), gen_random_uuid()], "
                                "array[1781510400, 1781510460], "
                                "array['447700900123', '447700900123'], array['1', '1'], "
                                "array['STOP', 'start'], array[0, 0], array['', ''], "
                                "array[null, null]::text[])"),
                        "");
    /* staff tools that only look */
    assert_octstr_equal(as_role("absence_reader", "select count(*) from absence.notification, "
                                                  "absence.pastoral_log, absence.student"),
                        "");
    assert_octstr_equal(as_role("absence_reader", "update absence.notification set status = "
                                                  "'sent'"),
                        "permission denied for table notification");
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
    assert_octstr_equal(migrate_with(conf), "schema absence: applied 14 migrations and the "
                                            "functions, now at version 14\nexit 0\n");
    assert_octstr_equal(migrate_with(conf), "schema absence is up to date at version 14\nexit 0\n");
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
        DB_TEST(test_migrate_creates_the_concern_contract),
        DB_TEST(test_migrate_creates_the_reply_contract),
        DB_TEST(test_migrate_creates_the_contract_keys),
        DB_TEST(test_recipients_must_be_e164_numbers),
        DB_TEST(test_lesson_must_end_after_it_starts),
        DB_TEST(test_unknown_account_status_is_refused),
        DB_TEST(test_unknown_names_are_refused),
        DB_TEST(test_second_migrate_changes_nothing),
        DB_TEST(test_migrate_keeps_existing_data),
        DB_TEST(test_failed_migration_on_empty_database_leaves_nothing),
        DB_TEST(test_failed_migration_leaves_the_database_as_it_was),
        DB_TEST(test_newer_database_is_refused),
        DB_TEST(test_concurrent_migrations_apply_once),
        DB_TEST(test_changed_functions_are_applied_again_and_stale_ones_dropped),
        DB_TEST(test_unchanged_functions_are_left_alone),
        DB_TEST(test_a_failing_function_file_changes_nothing),
        DB_TEST(test_a_table_using_a_function_stops_its_replacement),
        DB_TEST(test_the_box_refuses_functions_not_its_own),
        DB_TEST(test_every_earlier_version_upgrades_to_the_fresh_schema),
        DB_TEST(test_an_upgraded_database_plans_with_the_new_functions),
        DB_TEST(test_the_upgrade_to_13_keeps_texts_on_their_way),
        DB_TEST(test_the_roles_of_a_real_installation),
        DB_TEST(test_absencectl_migrate_twice),
        DB_TEST(test_absencectl_unreachable_database_exits_2),
        DB_TEST(test_absencectl_bad_config_exits_1),
    };

    test_gwlib_init();
    return cmocka_run_group_tests_name("migrate", tests, NULL, NULL);
}
