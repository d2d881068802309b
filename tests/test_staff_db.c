/*
 * test_staff_db.c - what staff may decide (plugin/sql/functions/staff.sql):
 * resend and cancel a single text, and pause and resume all sending, each
 * refused with one line when it could hurt a family, each recorded. Every
 * test runs in a transaction that is rolled back.
 */
#include "fixture.h"

#define AT(hhmmss) "2026-06-15 " hhmmss " Europe/London"

static PGconn *db;

static int group_setup(void **state)
{
    *state = db = fixture_open_migrated("absence_test_staff");
    return db == NULL ? -1 : 0;
}

/* A text for S1 to guardian 101 in STATUS, due a minute ago; its id. */
static Octstr *text_in(const char *status)
{
    fx_student(db, "S1", "C01");
    fx_lesson(db, 1, AT("09:00"), AT("10:00"), AT("09:05"));
    fx_parent(db, 101, "S1", "07700 900101");
    return test_db_value(db,
                         "insert into absence.notification (student_id, guardian_id, lesson_id, "
                         "school_day, recipient, body, status, due_at, expires_at) values ('S1', "
                         "101, 1, '2026-06-15', '+447700900101', 'x', $1, "
                         "now() - interval '1 minute', now() + interval '1 hour') "
                         "returning notification_id",
                         status, SQL_END);
}

static Octstr *cancel(Octstr *id)
{
    return test_db_value(db, "select absence.cancel_text($1, 'jsmith', 'checked with the tutor')",
                         octstr_get_cstr(id), SQL_END);
}

static Octstr *claimed(void)
{
    return test_db_value(db, "select count(*) from absence.claim_texts('box-a', 10)", SQL_END);
}

static void test_cancelled_pending_text_is_never_sent(void **state)
{
    Octstr *id = text_in("pending");

    (void)state;
    assert_octstr_equal(cancel(id), "pending");
    assert_octstr_equal(claimed(), "0");
    assert_octstr_equal(test_db_rows(db,
                                     "select status, resolution, n.status_changed_at = now(), "
                                     "a.action, a.actor, a.status_before "
                                     "from absence.notification n "
                                     "join absence.notification_action a using "
                                     "(notification_id)",
                                     SQL_END),
                        "expired|cancelled|t|cancel|jsmith|pending\n");
    octstr_destroy(id);
}

static Octstr *resend_refusal(Octstr *id)
{
    return test_db_error(db,
                         "select absence.resend_text($1, 'amy', 'parent asked', "
                         "absence.policy_settings())",
                         octstr_get_cstr(id), SQL_END);
}

static Octstr *cancel_refusal(Octstr *id)
{
    return test_db_error(db, "select absence.cancel_text($1, 'amy', 'again')", octstr_get_cstr(id),
                         SQL_END);
}

/* ACTUAL (destroyed) must be "notification ID " then WHY. */
static void assert_refused(Octstr *actual, Octstr *id, const char *why)
{
    Octstr *expected = octstr_format("notification %S %s", id, why);

    assert_octstr_equal(actual, octstr_get_cstr(expected));
    octstr_destroy(expected);
}

static void test_cancelled_text_cannot_be_resent(void **state)
{
    Octstr *id = text_in("failed");

    (void)state;
    assert_octstr_equal(cancel(id), "failed");
    assert_refused(resend_refusal(id), id, "was cancelled by jsmith: it will never be sent");
    assert_refused(cancel_refusal(id), id, "was cancelled by jsmith: it will never be sent");
    assert_octstr_equal(test_db_value(db, "select status from absence.notification", SQL_END),
                        "failed");
    octstr_destroy(id);
}

static void test_a_text_in_the_wrong_status_is_refused(void **state)
{
    Octstr *id = text_in("submitted");

    (void)state;
    assert_refused(cancel_refusal(id), id,
                   "is submitted: only pending, failed, unconfirmed or expired texts can be "
                   "cancelled (it has already gone to the gateway)");
    test_db_exec(db, "update absence.notification set status = 'pending'", SQL_END);
    assert_refused(resend_refusal(id), id,
                   "is pending: only failed, unconfirmed or expired texts can be resent");
    octstr_destroy(id);
}

static void test_pause_stops_claiming_until_resume(void **state)
{
    Octstr *id = text_in("pending");

    (void)state;
    test_db_exec(db, "select absence.pause_sending('jsmith', 'bad register import')", SQL_END);
    assert_octstr_equal(claimed(), "0");
    assert_octstr_equal(test_db_value(db, "select status from absence.notification", SQL_END),
                        "pending");
    test_db_exec(db, "select absence.resume_sending('jsmith', 'registers fixed')", SQL_END);
    assert_octstr_equal(claimed(), "1");
    assert_octstr_equal(test_db_rows(db,
                                     "select paused_by, reason, resumed_by, resume_reason, "
                                     "resumed_at is not null from absence.sending_pause",
                                     SQL_END),
                        "jsmith|bad register import|jsmith|registers fixed|t\n");
    octstr_destroy(id);
}

static void test_pause_stops_planning(void **state)
{
    (void)state;
    fx_absent_at_nine(db, "S1", "C01");
    test_db_exec(db, "select absence.pause_sending('jsmith', 'bad register import')", SQL_END);
    assert_octstr_equal(fx_plan(db, AT("10:20")), "0|0|0|0|0");
    assert_octstr_equal(test_db_value(db, "select count(*) from absence.student_day", SQL_END),
                        "0");
    test_db_exec(db, "select absence.resume_sending('jsmith', null)", SQL_END);
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|1|0|0|0");
}

static void test_pause_and_resume_refuse_what_makes_no_sense(void **state)
{
    Octstr *message;

    (void)state;
    assert_octstr_equal(test_db_error(db, "select absence.resume_sending('amy', null)", SQL_END),
                        "sending is not paused");
    assert_octstr_equal(test_db_error(db, "select absence.pause_sending('amy', ' ')", SQL_END),
                        "say why with --reason \"...\"; every pause is recorded");
    test_db_exec(db, "select absence.pause_sending('jsmith', 'incident')", SQL_END);
    message = test_db_error(db, "select absence.pause_sending('amy', 'again')", SQL_END);
    if (octstr_search(message, octstr_imm("sending is already paused, since "), 0) != 0 ||
        octstr_search(message, octstr_imm(" by jsmith: incident"), 0) < 0)
        test_fail("unexpected: %s", octstr_get_cstr(message));
    octstr_destroy(message);
    assert_octstr_equal(test_db_value(db, "select count(*) from absence.sending_pause", SQL_END),
                        "1");
}

#define DB_TEST(name) cmocka_unit_test_setup_teardown(name, fixture_begin, fixture_rollback)

int main(void)
{
    static const struct CMUnitTest tests[] = {
        DB_TEST(test_cancelled_pending_text_is_never_sent),
        DB_TEST(test_cancelled_text_cannot_be_resent),
        DB_TEST(test_a_text_in_the_wrong_status_is_refused),
        DB_TEST(test_pause_stops_claiming_until_resume),
        DB_TEST(test_pause_stops_planning),
        DB_TEST(test_pause_and_resume_refuse_what_makes_no_sense),
    };

    return cmocka_run_group_tests_name("staff", tests, group_setup, fixture_close);
}
