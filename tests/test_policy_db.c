/*
 * test_policy_db.c - the rules (README, "The rules") pinned down against
 * the policy SQL, one rule per test, each with a case that passes the rule
 * and one that fails it.
 * Every test runs in a transaction that is rolled back.
 *
 * The day is Monday 15 June 2026 (BST) unless a test says otherwise.
 */
#include <unistd.h>

#include "fixture.h"
#include "config.h"
#include "gsm.h"
#include "policy.h"
#include "template.h"

#define AT(hhmmss) "2026-06-15 " hhmmss " Europe/London"

static PGconn *db;

static int group_setup(void **state)
{
    *state = db = fixture_open_migrated("absence_test_policy");
    return db == NULL ? -1 : 0;
}

static void absent_at_nine(const char *student, const char *status)
{
    fx_absent_at_nine(db, student, status);
}

/* ---- section 1: which absence triggers a text --------------------------- */

static void test_first_absent_lesson_is_the_trigger(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_lesson(db, 2, AT("10:00"), AT("11:00"), AT("10:05"));
    fx_mark(db, 2, "S1", "O");
    assert_octstr_equal(fx_trigger(db, AT("10:20"), "S1"), "due|1");
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|1|0|0|0");
    assert_octstr_equal(fx_texts(db), "S1|101|+447700900101|pending\n");
    assert_octstr_equal(fx_bodies(db, "S1"),
                        "Student S1 did not attend their lesson today at 09:00. If this is a "
                        "genuine absence, please notify us here: https://tinyurl.com/runabs\n");
}

static void test_present_lesson_is_not_the_trigger(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_mark(db, 1, "S1", "/");
    fx_lesson(db, 2, AT("10:00"), AT("11:00"), AT("10:05"));
    fx_mark(db, 2, "S1", "O");
    assert_octstr_equal(fx_trigger(db, AT("11:20"), "S1"), "due|2");
}

static void test_student_present_all_day_gets_nothing(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_mark(db, 1, "S1", "/");
    assert_octstr_equal(fx_trigger(db, AT("10:20"), "S1"), "");
    assert_octstr_equal(fx_plan(db, AT("10:20")), "0|0|0|0|0");
    assert_octstr_equal(fx_texts(db), "");
}

static void test_later_absences_are_ignored(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_lesson(db, 2, AT("10:00"), AT("11:00"), AT("10:05"));
    fx_mark(db, 2, "S1", "O");
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|1|0|0|0");
    assert_octstr_equal(fx_plan(db, AT("11:20")), "0|0|0|0|0");
    assert_octstr_equal(fx_texts(db), "S1|101|+447700900101|pending\n");
    assert_octstr_equal(test_db_value(db, "select lesson_id from absence.notification", SQL_END),
                        "1");
}

static void test_register_marked_late_sends_nothing(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    test_db_exec(db, "update absence.lesson set register_marked_at = $1", AT("10:00:01"), SQL_END);
    assert_octstr_equal(fx_trigger(db, AT("10:20"), "S1"), "register-late|1");
    assert_octstr_equal(fx_plan(db, AT("10:20")), "0|0|0|0|0");
    /* the passing case: marked a minute before the end */
    test_db_exec(db, "update absence.lesson set register_marked_at = $1", AT("09:59"), SQL_END);
    assert_octstr_equal(fx_trigger(db, AT("10:20"), "S1"), "due|1");
}

static void test_register_marked_exactly_at_the_end_is_on_time(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    test_db_exec(db, "update absence.lesson set register_marked_at = $1", AT("10:00:00"), SQL_END);
    assert_octstr_equal(fx_trigger(db, AT("10:20"), "S1"), "due|1");
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|1|0|0|0");
}

static void test_register_not_marked_sends_nothing_until_it_arrives(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    test_db_exec(db, "update absence.lesson set register_marked_at = null", SQL_END);
    assert_octstr_equal(fx_trigger(db, AT("10:20"), "S1"), "register-not-marked|1");
    assert_octstr_equal(fx_plan(db, AT("10:20")), "0|0|0|0|0");
    /* the MIS delivers the register, taken at 09:10, at 10:30: still in time */
    test_db_exec(db, "update absence.lesson set register_marked_at = $1", AT("09:10"), SQL_END);
    assert_octstr_equal(fx_plan(db, AT("10:30")), "1|1|0|0|0");
}

static void test_late_register_on_the_trigger_blocks_the_whole_day(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    test_db_exec(db, "update absence.lesson set register_marked_at = $1", AT("10:30"), SQL_END);
    fx_lesson(db, 2, AT("10:00"), AT("11:00"), AT("10:05"));
    fx_mark(db, 2, "S1", "O");
    assert_octstr_equal(fx_trigger(db, AT("11:20"), "S1"), "register-late|1");
    assert_octstr_equal(fx_plan(db, AT("11:20")), "0|0|0|0|0");
}

static void test_not_due_one_second_before_the_send_delay(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    assert_octstr_equal(fx_trigger(db, AT("10:19:59"), "S1"), "not-yet-due|1");
    assert_octstr_equal(fx_plan(db, AT("10:19:59")), "0|0|0|0|0");
    assert_octstr_equal(fx_trigger(db, AT("10:20:00"), "S1"), "due|1");
    assert_octstr_equal(fx_plan(db, AT("10:20:00")), "1|1|0|0|0");
    assert_octstr_equal(test_db_value(db,
                                      "select due_at = $1::timestamptz from "
                                      "absence.notification",
                                      AT("10:20"), SQL_END),
                        "t");
}

static void test_expired_after_max_lateness(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    assert_octstr_equal(fx_trigger(db, AT("13:00:00"), "S1"), "due|1");
    assert_octstr_equal(fx_trigger(db, AT("13:00:01"), "S1"), "expired|1");
    assert_octstr_equal(fx_plan(db, AT("13:00:01")), "1|0|1|0|0");
    assert_octstr_equal(fx_texts(db), "S1|101|+447700900101|expired\n");
    assert_octstr_equal(
        test_db_rows(db, "select outcome, lesson_id from absence.student_day", SQL_END),
        "expired|1\n");
}

static void test_expired_after_latest_send_time(void **state)
{
    (void)state;
    fx_student(db, "S1", "C01");
    fx_lesson(db, 7, AT("17:30"), AT("18:00"), AT("17:35"));
    fx_mark(db, 7, "S1", "O");
    fx_parent(db, 101, "S1", "07700 900101");
    assert_octstr_equal(fx_trigger(db, AT("19:00:00"), "S1"), "due|7");
    assert_octstr_equal(fx_trigger(db, AT("19:00:01"), "S1"), "expired|7");
    assert_octstr_equal(
        test_db_value(db,
                      "select expires_at = $1::timestamptz from "
                      "absence.policy_triggers(absence.policy_settings(), "
                      "$1::timestamptz, $1::timestamptz - interval '1 day', $1::timestamptz)",
                      AT("19:00"), SQL_END),
        "t");
}

static void test_lesson_due_after_latest_send_time_is_never_sent(void **state)
{
    (void)state;
    fx_student(db, "S1", "C01");
    fx_lesson(db, 8, AT("18:00"), AT("18:45"), AT("18:05"));
    fx_mark(db, 8, "S1", "O");
    fx_parent(db, 101, "S1", "07700 900101");
    assert_octstr_equal(fx_trigger(db, AT("18:50"), "S1"), "expired|8");
    assert_octstr_equal(fx_plan(db, AT("19:05")), "1|0|1|0|0");
    assert_octstr_equal(fx_texts(db), "S1|101|+447700900101|expired\n");
}

static void test_corrected_mark_moves_the_trigger_to_the_next_absence(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_lesson(db, 2, AT("10:00"), AT("11:00"), AT("10:05"));
    fx_mark(db, 2, "S1", "O");
    fx_mark(db, 1, "S1", "L"); /* corrected at 10:15, inside the grace window */
    assert_octstr_equal(fx_trigger(db, AT("10:20"), "S1"), "not-yet-due|2");
    assert_octstr_equal(fx_plan(db, AT("10:20")), "0|0|0|0|0");
    assert_octstr_equal(fx_plan(db, AT("11:20")), "1|1|0|0|0");
    assert_octstr_equal(fx_bodies(db, "S1"),
                        "Student S1 did not attend their lesson today at 10:00. If this is a "
                        "genuine absence, please notify us here: https://tinyurl.com/runabs\n");
}

static void test_corrected_mark_with_no_other_absence_sends_nothing(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_mark(db, 1, "S1", "L");
    assert_octstr_equal(fx_trigger(db, AT("10:20"), "S1"), "");
    assert_octstr_equal(fx_plan(db, AT("10:20")), "0|0|0|0|0");
}

static void test_settled_day_gets_nothing_more(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_lesson(db, 2, AT("10:00"), AT("11:00"), AT("10:05"));
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|1|0|0|0");
    fx_mark(db, 1, "S1", "L"); /* corrected after the text was planned */
    fx_mark(db, 2, "S1", "O");
    assert_octstr_equal(fx_trigger(db, AT("11:20"), "S1"), "settled|2");
    assert_octstr_equal(fx_plan(db, AT("11:20")), "0|0|0|0|0");
    assert_octstr_equal(
        test_db_rows(db, "select lesson_id, status from absence.notification", SQL_END),
        "1|pending\n");
}

static void test_student_status_pattern(void **state)
{
    static const char *const statuses[][2] = {
        {"C01", "due|1"},
        {"C1", "status-not-eligible|1"},
        {"C012", "status-not-eligible|1"},
        {"c01", "status-not-eligible|1"},
        {"B01", "status-not-eligible|1"},
    };
    size_t i;

    (void)state;
    fx_lesson(db, 1, AT("09:00"), AT("10:00"), AT("09:05"));
    for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        char guardian[16];
        fx_student(db, statuses[i][0], statuses[i][0]);
        fx_mark(db, 1, statuses[i][0], "O");
        snprintf(guardian, sizeof(guardian), "07700 90020%zu", i);
        fx_parent(db, 200 + (long)i, statuses[i][0], guardian);
        assert_octstr_equal(fx_trigger(db, AT("10:20"), statuses[i][0]), statuses[i][1]);
    }
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|1|0|0|0");
    assert_octstr_equal(fx_texts(db), "C01|200|+447700900200|pending\n");
}

static void test_absent_marks_are_configurable(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_mark(db, 1, "S1", "N");
    assert_octstr_equal(fx_trigger(db, AT("10:20"), "S1"), "");
    fx_settings = "absence.policy_settings('{\"absent-marks\": [\"O\", \"N\"]}')";
    assert_octstr_equal(fx_trigger(db, AT("10:20"), "S1"), "due|1");
}

static void test_timing_is_configurable(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_settings = "absence.policy_settings('{\"send-delay\": 600, \"max-lateness\": 3600, "
                  "\"latest-send-time\": \"10:30\"}')";
    assert_octstr_equal(fx_trigger(db, AT("10:09:59"), "S1"), "not-yet-due|1");
    assert_octstr_equal(fx_trigger(db, AT("10:10"), "S1"), "due|1");
    assert_octstr_equal(fx_trigger(db, AT("10:30:01"), "S1"), "expired|1");
}

/* ---- section 2: who receives it ----------------------------------------- */

static void test_account_must_be_active(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_guardian(db, 102, "07700 900102", "suspended");
    fx_link(db, 102, "S1", "active", 0);
    fx_guardian(db, 103, "07700 900103", "unregistered");
    fx_link(db, 103, "S1", "active", 0);
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|1|0|2|0");
    assert_octstr_equal(fx_texts(db), "S1|101|+447700900101|pending\n");
    assert_octstr_equal(fx_skips(db), "S1|102|account-not-active\nS1|103|account-not-active\n");
}

static void test_link_must_be_active(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_guardian(db, 102, "07700 900102", "active");
    fx_link(db, 102, "S1", "suspended", 0);
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|1|0|1|0");
    assert_octstr_equal(fx_texts(db), "S1|101|+447700900101|pending\n");
    assert_octstr_equal(fx_skips(db), "S1|102|link-not-active\n");
}

static void test_hidden_attendance_is_skipped(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_guardian(db, 102, "07700 900102", "active");
    fx_link(db, 102, "S1", "active", 1);
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|1|0|1|0");
    assert_octstr_equal(fx_texts(db), "S1|101|+447700900101|pending\n");
    assert_octstr_equal(fx_skips(db), "S1|102|attendance-hidden\n");
}

static void test_missing_mobile_is_skipped(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_parent(db, 102, "S1", NULL);
    fx_parent(db, 103, "S1", "   ");
    fx_parent(db, 104, "S1", "");
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|1|0|3|0");
    assert_octstr_equal(fx_texts(db), "S1|101|+447700900101|pending\n");
    assert_octstr_equal(fx_skips(db), "S1|102|no-mobile\nS1|103|no-mobile\nS1|104|no-mobile\n");
}

static void test_invalid_mobile_is_skipped(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_parent(db, 102, "S1", "01632 960102"); /* a landline */
    fx_parent(db, 103, "S1", "ring mum");     /* not a number */
    fx_parent(db, 104, "S1", "07700 90010");  /* a digit short */
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|1|0|3|0");
    assert_octstr_equal(fx_texts(db), "S1|101|+447700900101|pending\n");
    assert_octstr_equal(fx_skips(db), "S1|102|invalid-mobile\nS1|103|invalid-mobile\n"
                                      "S1|104|invalid-mobile\n");
}

/* Each guardian's number is kept worked out beside the mobile; a mobile
 * changed behind the trigger's back (a bulk load with triggers off) is
 * worked out afresh, never texted at the number kept for the old one. */
static void test_a_changed_mobile_is_texted_at_its_new_number(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_parent(db, 102, "S1", "+33 6 12 34 56 78");
    assert_octstr_equal(test_db_rows(db,
                                     "select guardian_id, mobile_e164 from absence.guardian "
                                     "order by 1",
                                     SQL_END),
                        "101|+447700900101\n102|+33612345678\n");
    test_db_exec(db, "update absence.guardian set mobile = '07700 900201' where guardian_id = 101",
                 SQL_END);
    test_db_exec(db, "set local session_replication_role = replica", SQL_END);
    test_db_exec(db, "update absence.guardian set mobile = '07700 900202' where guardian_id = 102",
                 SQL_END);
    test_db_exec(db, "set local session_replication_role = origin", SQL_END);
    assert_octstr_equal(test_db_rows(db,
                                     "select guardian_id, mobile_e164 from absence.guardian "
                                     "order by 1",
                                     SQL_END),
                        "101|+447700900201\n102|+33612345678\n");
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|2|0|0|0");
    assert_octstr_equal(fx_texts(db),
                        "S1|101|+447700900201|pending\nS1|102|+447700900202|pending\n");
}

static void test_international_number_needs_allow_international(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_parent(db, 102, "S1", "+33 6 12 34 56 78");
    assert_octstr_equal(test_db_rows(db,
                                     "select guardian_id, skip_reason from "
                                     "absence.guardian_checks(absence.policy_settings(), "
                                     "array['S1']) order by 1",
                                     SQL_END),
                        "101|~\n102|invalid-mobile\n");
    fx_settings = "absence.policy_settings('{\"allow-international\": true}')";
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|2|0|0|0");
    assert_octstr_equal(fx_texts(db),
                        "S1|101|+447700900101|pending\nS1|102|+33612345678|pending\n");
}

static void test_first_failed_rule_is_the_reason(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_guardian(db, 102, NULL, "suspended");
    fx_link(db, 102, "S1", "suspended", 1);
    fx_guardian(db, 103, "bad", "active");
    fx_link(db, 103, "S1", "suspended", 1);
    fx_guardian(db, 104, NULL, "active");
    fx_link(db, 104, "S1", "active", 1);
    fx_guardian(db, 105, "bad", "active");
    fx_link(db, 105, "S1", "active", 0);
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|1|0|4|0");
    assert_octstr_equal(fx_skips(db), "S1|102|account-not-active\nS1|103|link-not-active\n"
                                      "S1|104|attendance-hidden\nS1|105|invalid-mobile\n");
}

static void test_shared_number_is_texted_once_to_the_lowest_guardian(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_parent(db, 105, "S1", "07700 900105");
    fx_parent(db, 103, "S1", "+44 7700 900105");
    fx_parent(db, 104, "S1", "447700900105");
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|2|0|2|0");
    assert_octstr_equal(fx_texts(db), "S1|101|+447700900101|pending\n"
                                      "S1|103|+447700900105|pending\n");
    assert_octstr_equal(fx_skips(db), "S1|104|duplicate-number\nS1|105|duplicate-number\n");
}

static void test_ineligible_guardian_does_not_take_a_shared_number(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_guardian(db, 100, "07700 900101", "suspended");
    fx_link(db, 100, "S1", "active", 0);
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|1|0|1|0");
    assert_octstr_equal(fx_texts(db), "S1|101|+447700900101|pending\n");
    assert_octstr_equal(fx_skips(db), "S1|100|account-not-active\n");
}

static void test_each_eligible_guardian_gets_a_text(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_parent(db, 102, "S1", "07700 900102");
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|2|0|0|0");
    assert_octstr_equal(fx_texts(db), "S1|101|+447700900101|pending\n"
                                      "S1|102|+447700900102|pending\n");
}

static void test_guardian_of_two_absent_siblings_gets_two_texts(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_student(db, "S2", "C02");
    fx_mark(db, 1, "S2", "O");
    fx_link(db, 101, "S2", "active", 0);
    assert_octstr_equal(fx_plan(db, AT("10:20")), "2|2|0|0|0");
    assert_octstr_equal(fx_texts(db), "S1|101|+447700900101|pending\n"
                                      "S2|101|+447700900101|pending\n");
    assert_octstr_equal(fx_bodies(db, "S2"),
                        "Student S2 did not attend their lesson today at 09:00. If this is a "
                        "genuine absence, please notify us here: https://tinyurl.com/runabs\n");
}

static void test_student_without_guardians_is_settled_with_no_text(void **state)
{
    (void)state;
    fx_student(db, "S1", "C01");
    fx_lesson(db, 1, AT("09:00"), AT("10:00"), AT("09:05"));
    fx_mark(db, 1, "S1", "O");
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|0|0|0|0");
    assert_octstr_equal(
        test_db_rows(db, "select student_id, outcome from absence.student_day", SQL_END),
        "S1|planned\n");
}

/* ---- section 3: the message ---------------------------------------------- */

static void test_summer_lesson_shows_bst_start_time(void **state)
{
    (void)state;
    fx_student(db, "STE04049635", "C01");
    fx_lesson(db, 1, "2026-06-15 09:10:00+00", "2026-06-15 10:10:00+00", "2026-06-15 09:15:00+00");
    fx_mark(db, 1, "STE04049635", "O");
    fx_parent(db, 101, "STE04049635", "07700 900101");
    assert_octstr_equal(fx_plan(db, "2026-06-15 10:30:00+00"), "1|1|0|0|0");
    assert_octstr_equal(
        fx_bodies(db, "STE04049635"),
        "Student STE04049635 did not attend their lesson today at 10:10. If this "
        "is a genuine absence, please notify us here: https://tinyurl.com/runabs\n");
}

static void test_winter_lesson_shows_gmt_start_time(void **state)
{
    (void)state;
    fx_student(db, "STE04049635", "C01");
    fx_lesson(db, 1, "2026-01-15 09:10:00+00", "2026-01-15 10:10:00+00", "2026-01-15 09:15:00+00");
    fx_mark(db, 1, "STE04049635", "O");
    fx_parent(db, 101, "STE04049635", "07700 900101");
    assert_octstr_equal(fx_plan(db, "2026-01-15 10:30:00+00"), "1|1|0|0|0");
    assert_octstr_equal(
        fx_bodies(db, "STE04049635"),
        "Student STE04049635 did not attend their lesson today at 09:10. If this "
        "is a genuine absence, please notify us here: https://tinyurl.com/runabs\n");
}

static void test_school_day_is_the_local_date(void **state)
{
    (void)state;
    fx_student(db, "S1", "C01");
    /* 23:30 UTC on the 15th is 00:30 BST on the 16th */
    fx_lesson(db, 1, "2026-06-15 23:30:00+00", "2026-06-16 00:00:00+00", "2026-06-15 23:35:00+00");
    fx_mark(db, 1, "S1", "O");
    fx_parent(db, 101, "S1", "07700 900101");
    assert_octstr_equal(fx_plan(db, "2026-06-16 00:20:00+00"), "1|1|0|0|0");
    assert_octstr_equal(test_db_rows(db, "select school_day from absence.notification", SQL_END),
                        "2026-06-16\n");
}

static void test_student_id_is_carried_verbatim(void **state)
{
    static const char id[] = "O'Brien \"%\\_01";
    Octstr *expected;

    (void)state;
    absent_at_nine(id, "C01");
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|1|0|0|0");
    expected = template_render(octstr_imm("Student {student_id} did not attend their lesson "
                                          "today at {lesson_time}. If this is a genuine absence, "
                                          "please notify us here: {link}"),
                               octstr_imm(id), octstr_imm("09:00"),
                               octstr_imm("https://tinyurl.com/runabs"));
    octstr_append_char(expected, '\n');
    assert_octstr_equal(fx_bodies(db, id), octstr_get_cstr(expected));
    assert_true(octstr_search(expected, octstr_imm(id), 0) > 0);
    octstr_destroy(expected);
}

static void test_text_that_does_not_fit_is_settled_unsent(void **state)
{
    static const char id[] = "STUDENT-ID-THAT-IS-FAR-TOO-LONG-0000000001";

    (void)state;
    absent_at_nine(id, "C01");
    assert_octstr_equal(fx_trigger(db, AT("10:20"), id), "message-too-long|1");
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|0|0|0|1");
    assert_octstr_equal(fx_texts(db), "");
    assert_octstr_equal(test_db_rows(db, "select outcome from absence.student_day", SQL_END),
                        "message-too-long\n");
    fx_settings = "absence.policy_settings('{\"max-segments\": 2}')";
    test_db_exec(db, "delete from absence.student_day", SQL_END);
    assert_octstr_equal(fx_trigger(db, AT("10:20"), id), "due|1");
}

static void test_recipients_show_texts_and_skips_without_writing(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_guardian(db, 102, "07700 900102", "suspended");
    fx_link(db, 102, "S1", "active", 0);
    fx_student(db, "S2", "C01");
    fx_lesson(db, 3, AT("10:00"), AT("11:00"), AT("10:05"));
    fx_mark(db, 3, "S2", "O");
    assert_octstr_equal(
        test_db_rows(db,
                     "select student_id, school_day, lesson_id, state, guardian_id, "
                     "recipient, skip_reason from absence.policy_recipients("
                     "absence.policy_settings(), $1::timestamptz, "
                     "$1::timestamptz - interval '1 day', $1::timestamptz + interval '1 day') "
                     "order by student_id, guardian_id",
                     AT("10:20"), SQL_END),
        "S1|2026-06-15|1|due|101|+447700900101|~\n"
        "S1|2026-06-15|1|due|102|+447700900102|account-not-active\n"
        "S2|2026-06-15|3|not-yet-due|~|~|~\n");
    assert_octstr_equal(fx_texts(db), "");
    assert_octstr_equal(fx_skips(db), "");
}

/* ---- planning ---------------------------------------------------------- */

static void test_plan_is_idempotent(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_parent(db, 102, "S1", NULL);
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|1|0|1|0");
    assert_octstr_equal(fx_plan(db, AT("10:20")), "0|0|0|0|0");
    assert_octstr_equal(fx_plan(db, AT("10:21")), "0|0|0|0|0");
    assert_octstr_equal(fx_texts(db), "S1|101|+447700900101|pending\n");
    assert_octstr_equal(fx_skips(db), "S1|102|no-mobile\n");
}

/* N students S1.. absent from lesson 1 at 09:00, each with a parent on
 * 07700 900101.. */
static void some_absent_students(int n)
{
    char student[16], mobile[24];

    fx_lesson(db, 1, AT("09:00"), AT("10:00"), AT("09:05"));
    for (int i = 1; i <= n; i++) {
        snprintf(student, sizeof(student), "S%d", i);
        snprintf(mobile, sizeof(mobile), "07700 900%d", 100 + i);
        fx_student(db, student, "C01");
        fx_mark(db, 1, student, "O");
        fx_parent(db, 100 + i, student, mobile);
    }
}

/* Rows of SQL, a format with %s for the policy settings, run at AT. */
static Octstr *rows_at(const char *sql_format, const char *at)
{
    Octstr *sql = octstr_format(sql_format, fx_settings);
    Octstr *rows = test_db_rows(db, octstr_get_cstr(sql), at, SQL_END);

    octstr_destroy(sql);
    return rows;
}

/* A day planned again after its student_day row was deleted by hand (as
 * absencectl plan does, over the whole window) keeps its texts and skips:
 * no number gets a second text and no guardian a second skip, while a
 * guardian linked since gets the text, and nothing is set aside. (The
 * planner inserts without ON CONFLICT; the unique keys stop the first
 * try, and the run is made again keeping those rows.) */
static void test_a_day_planned_again_by_hand_texts_no_number_twice(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_parent(db, 102, "S1", NULL);
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|1|0|1|0");
    test_db_exec(db, "delete from absence.student_day", SQL_END);
    fx_parent(db, 103, "S1", "07700 900103");
    assert_octstr_equal(rows_at("select student_days, texts_planned, texts_expired, "
                                "guardians_skipped, days_too_long, days_quarantined "
                                "from absence.plan(%s, $1::timestamptz, 'absencectl')",
                                AT("10:25")),
                        "1|1|0|0|0|0\n");
    assert_octstr_equal(fx_texts(db), "S1|101|+447700900101|pending\n"
                                      "S1|103|+447700900103|pending\n");
    assert_octstr_equal(fx_skips(db), "S1|102|no-mobile\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select student_id, outcome from absence.student_day "
                                     "union all select student_id, kind from "
                                     "absence.plan_quarantine",
                                     SQL_END),
                        "S1|planned\n");
}

/* some_absent_students(40), each also absent at a lesson on each of 30
 * earlier days (lessons 103..132); the marks' read counters noted. */
static void absent_today_and_on_30_earlier_days(void)
{
    some_absent_students(40);
    test_db_exec(db,
                 "insert into absence.lesson (lesson_id, starts_at, ends_at, register_marked_at) "
                 "select 100 + d, $1::timestamptz - d * interval '1 day', "
                 "$2::timestamptz - d * interval '1 day', $3::timestamptz - d * interval '1 day' "
                 "from generate_series(3, 32) d",
                 AT("09:00"), AT("10:00"), AT("09:05"), SQL_END);
    test_db_exec(db,
                 "insert into absence.attendance_mark (lesson_id, student_id, mark) "
                 "select l.lesson_id, s.student_id, 'O' from absence.lesson l "
                 "cross join absence.student s where l.lesson_id >= 100",
                 SQL_END);
    test_db_exec(db, "analyze absence.attendance_mark", SQL_END);
    fx_note_reads(db, "absence.attendance_mark");
}

/* Planning calls no function of the schema once per text: PostgreSQL
 * inlines a SQL function only if it is not strict or its body is, and
 * each call it cannot inline costs microseconds a text planned (a strict
 * gsm_septets() and segment_budget() were a tenth of planning). */
static void test_planning_calls_no_function_once_a_text(void **state)
{
    (void)state;
    some_absent_students(40);
    test_db_exec(db, "set local track_functions = 'all'", SQL_END);
    assert_octstr_equal(fx_plan(db, AT("10:20")), "40|40|0|0|0");
    assert_octstr_equal(fx_functions_called(db, 40), "none\n");
}

/* What the planner reads for a day does not grow with the marks of other
 * days: 40 students absent today, each also absent at a lesson on each of
 * 30 earlier days, are planned reading today's 40 marks, each lesson's by
 * its key. (As joins, the planner read every mark ever taken, twice: with
 * 20 days of a 60,000-student college's marks, planning a day took three
 * times as long.) */
static void test_planning_reads_no_mark_of_another_day(void **state)
{
    (void)state;
    absent_today_and_on_30_earlier_days();
    assert_octstr_equal(rows_at("select student_days, texts_planned from absence.plan_days(%s, "
                                "$1::timestamptz, 'test-box', null)",
                                AT("10:20")),
                        "40|40\n");
    assert_octstr_equal(fx_reads(db, "absence.attendance_mark"), "0|40|1\n");
}

/* Explaining one student reads their absent marks, not the college's: S1
 * has 31 (each read by the candidate look-up and by the trigger's), the
 * 40 students 1,240; and it looks them up by student, not lesson by
 * lesson (20 other lessons today, where S2 was present). */
static void test_explaining_a_student_reads_only_their_marks(void **state)
{
    (void)state;
    absent_today_and_on_30_earlier_days();
    test_db_exec(db,
                 "insert into absence.lesson (lesson_id, starts_at, ends_at, register_marked_at) "
                 "select 200 + g, $1, $2, $3 from generate_series(1, 20) g",
                 AT("09:00"), AT("10:00"), AT("09:05"), SQL_END);
    test_db_exec(db,
                 "insert into absence.attendance_mark (lesson_id, student_id, mark) "
                 "select 200 + g, 'S2', '/' from generate_series(1, 20) g",
                 SQL_END);
    fx_note_reads(db, "absence.attendance_mark");
    assert_octstr_equal(rows_at("select state from absence.policy_triggers(%s, $1::timestamptz, "
                                "$1::timestamptz - interval '1 day', $1::timestamptz, 'S1')",
                                AT("10:20")),
                        "due\n");
    assert_octstr_equal(fx_reads(db, "absence.attendance_mark"), "0|62|2\n");
}

/* A run with nothing new to plan reads no student, whatever the size of
 * the college and of its history: each trigger's student is looked up by
 * key. (As a join, the planner, counting on the rows of the whole window's
 * branch, could hash every student at each run: with 20 days of marks, a
 * 60,000-student college's idle run read all 60,000.) */
static void test_a_run_with_nothing_new_reads_no_student(void **state)
{
    (void)state;
    absent_today_and_on_30_earlier_days();
    test_db_exec(db, "analyze absence.student", SQL_END);
    assert_octstr_equal(fx_plan(db, AT("10:20")), "40|40|0|0|0");
    test_db_exec(db, "analyze absence.student_day", SQL_END);
    fx_note_reads(db, "absence.student");
    assert_octstr_equal(fx_plan(db, AT("10:25")), "0|0|0|0|0");
    assert_octstr_equal(fx_reads(db, "absence.student"), "0|0|0\n");
}

/* A run after the first looks only at what changed: the lessons that fell
 * due since the last run's instant, and the student-days whose marks,
 * register or student the triggers noted (absence.plan_change). */
static void test_a_run_looks_at_what_changed_since_the_last(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_student(db, "S2", "C01");
    fx_mark(db, 1, "S2", "/");
    fx_parent(db, 102, "S2", "07700 900102");
    fx_student(db, "S3", "X01");
    fx_mark(db, 1, "S3", "O");
    fx_parent(db, 103, "S3", "07700 900103");
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|1|0|0|0");
    assert_octstr_equal(test_db_rows(db,
                                     "select planned_through = $1::timestamptz, absent_marks "
                                     "from absence.plan_state",
                                     AT("10:20"), SQL_END),
                        "t|{O}\n");
    /* nothing changed: nothing noted, nothing planned */
    assert_octstr_equal(test_db_value(db, "select count(*) from absence.plan_change", SQL_END),
                        "0");
    assert_octstr_equal(fx_plan(db, AT("10:21")), "0|0|0|0|0");
    /* the register corrected: S2 was absent after all; S3's status now counts */
    fx_mark(db, 1, "S2", "O");
    test_db_exec(db, "update absence.student set status_code = 'C02' where student_id = 'S3'",
                 SQL_END);
    assert_octstr_equal(test_db_rows(db,
                                     "select student_id, school_day from absence.plan_change "
                                     "order by 1",
                                     SQL_END),
                        "S2|2026-06-15\nS3|2026-06-15\n");
    assert_octstr_equal(fx_plan(db, AT("10:22")), "2|2|0|0|0");
    assert_octstr_equal(test_db_value(db, "select count(*) from absence.plan_change", SQL_END),
                        "0");
    /* a lesson ending after the last run falls due by the clock alone */
    fx_student(db, "S4", "C01");
    fx_lesson(db, 2, AT("10:00"), AT("11:00"), AT("10:05"));
    fx_mark(db, 2, "S4", "O");
    fx_parent(db, 104, "S4", "07700 900104");
    test_db_exec(db, "delete from absence.plan_change", SQL_END);
    assert_octstr_equal(fx_plan(db, AT("11:19")), "0|0|0|0|0");
    assert_octstr_equal(fx_plan(db, AT("11:20")), "1|1|0|0|0");
    assert_octstr_equal(fx_texts(db), "S1|101|+447700900101|pending\n"
                                      "S2|102|+447700900102|pending\n"
                                      "S3|103|+447700900103|pending\n"
                                      "S4|104|+447700900104|pending\n");
}

/* The note is what makes a late change count: without it an incremental
 * run does not see the change; a run with other settings, or before the
 * watermark, looks at the whole window and does. */
static void test_other_settings_look_at_the_whole_window(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|1|0|0|0");
    fx_student(db, "S2", "C01");
    fx_mark(db, 1, "S2", "O");
    fx_parent(db, 102, "S2", "07700 900102");
    test_db_exec(db, "delete from absence.plan_change", SQL_END);
    assert_octstr_equal(fx_plan(db, AT("10:21")), "0|0|0|0|0");
    assert_octstr_equal(test_db_rows(db,
                                     "select student_days, texts_planned from absence.plan("
                                     "absence.policy_settings('{\"max-segments\": 2}'), "
                                     "$1::timestamptz, 'test-box', true)",
                                     AT("10:22"), SQL_END),
                        "1|1\n");
    /* a replay before the watermark leaves it where it is */
    assert_octstr_equal(fx_plan(db, AT("10:20")), "0|0|0|0|0");
    assert_octstr_equal(test_db_value(db,
                                      "select planned_through = $1::timestamptz "
                                      "from absence.plan_state",
                                      AT("10:22"), SQL_END),
                        "t");
}

/* The box wakes when the next text falls due: a lesson's end plus
 * send-delay, or a planned text's due time. */
static void test_next_due_is_the_next_text_falling_due(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_lesson(db, 2, AT("10:00"), AT("11:00"), AT("10:05"));
    fx_mark(db, 2, "S1", "/");
    fx_lesson(db, 3, AT("11:00"), AT("12:00"), AT("11:05"));
    fx_mark(db, 3, "S1", "O");
    assert_octstr_equal(test_db_value(db,
                                      "select absence.next_due(absence.policy_settings(), $1) "
                                      "= $2::timestamptz",
                                      AT("10:00"), AT("10:20"), SQL_END),
                        "t");
    /* lesson 2 has no absence: the next is lesson 3's */
    assert_octstr_equal(test_db_value(db,
                                      "select absence.next_due(absence.policy_settings(), $1) "
                                      "= $2::timestamptz",
                                      AT("10:20"), AT("12:20"), SQL_END),
                        "t");
    assert_octstr_equal(test_db_value(db,
                                      "select absence.next_due(absence.policy_settings(), $1) "
                                      "is null",
                                      AT("12:20"), SQL_END),
                        "t");
}

/* One planning run at a time: a box that finds another run under way skips
 * its own at once (that run settles the same days) and goes on to claim;
 * absencectl's run waits its turn. */
static void test_a_box_skips_planning_while_another_run_plans(void **state)
{
    const char *keys[] = {"dbname", NULL}, *values[] = {"absence_test_policy", NULL};
    PGconn *other = PQconnectdbParams(keys, values, 0);
    PGresult *result;

    (void)state;
    absent_at_nine("S1", "C01");
    test_db_exec(other, "begin", SQL_END);
    test_db_exec(other, "select pg_advisory_xact_lock(hashtext('absence.plan'))", SQL_END);
    assert_octstr_equal(fx_plan(db, AT("10:20")), "0|0|0|0|0");
    assert_octstr_equal(fx_texts(db), "");
    test_db_exec(db, "savepoint before_wait", SQL_END);
    test_db_exec(db, "set local lock_timeout = '100ms'", SQL_END);
    result = PQexec(db, "select * from absence.plan(absence.policy_settings(), "
                        "'2026-06-15 10:20+01')");
    assert_int_equal(PQresultStatus(result), PGRES_FATAL_ERROR);
    assert_string_equal(PQresultErrorField(result, PG_DIAG_SQLSTATE), "55P03");
    PQclear(result);
    test_db_exec(db, "rollback to savepoint before_wait", SQL_END);
    test_db_exec(other, "commit", SQL_END);
    PQfinish(other);
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|1|0|0|0");
    assert_octstr_equal(fx_texts(db), "S1|101|+447700900101|pending\n");
}

/* ---- a large run split over several sessions (plan_share) ----------------- */

static void old_student(const char *student_id, long guardian_id);

/* Share SHARE of SHARES at AT as the running box: "days|texts|skips|set
 * aside|complete". */
static Octstr *plan_share(int share, int shares, const char *at)
{
    char share_text[8], shares_text[8];
    Octstr *sql = octstr_format("select student_days, texts_planned, guardians_skipped, "
                                "days_quarantined, complete from absence.plan_share(%s, "
                                "$1::timestamptz, 'test-box', true, $2::integer, $3::integer)",
                                fx_settings);
    Octstr *rows;

    snprintf(share_text, sizeof(share_text), "%d", share);
    snprintf(shares_text, sizeof(shares_text), "%d", shares);
    rows = test_db_rows(db, octstr_get_cstr(sql), at, share_text, shares_text, SQL_END);
    octstr_destroy(sql);
    octstr_delete(rows, octstr_len(rows) - 1, 1);
    return rows;
}

/* The run that ends shares begun at BEGAN, at AT, as fx_plan() gives it. */
static Octstr *plan_end(const char *at, Octstr *began)
{
    Octstr *sql = octstr_format("select student_days, texts_planned, texts_expired, "
                                "guardians_skipped, days_too_long from absence.plan(%s, "
                                "$1::timestamptz, 'test-box', true, $2::timestamptz)",
                                fx_settings);
    Octstr *rows = test_db_rows(db, octstr_get_cstr(sql), at, octstr_get_cstr(began), SQL_END);

    octstr_destroy(sql);
    octstr_delete(rows, octstr_len(rows) - 1, 1);
    return rows;
}

/* Everything a run writes: days, texts (with their words and times), skips,
 * days set aside, the queue and the watermark. */
static Octstr *what_planning_wrote(void)
{
    return test_db_rows(
        db,
        "select 'day', student_id, school_day::text, lesson_id::text, outcome, box_id "
        "  from absence.student_day "
        "union all select 'text', student_id, guardian_id::text, recipient, status, "
        "       body || due_at || expires_at from absence.notification "
        "union all select 'skip', student_id, guardian_id::text, reason, recipient, null "
        "  from absence.guardian_skip "
        "union all select 'aside', left(student_id, 8), school_day::text, kind, attempts::text, "
        "       (resolved_at is null)::text from absence.plan_quarantine "
        "union all select 'queue', count(*)::text, null, null, null, null from absence.text_queue "
        "union all select 'watermark', planned_through::text, (settings_key = "
        "md5(absence.policy_settings()::text))::text, null, null, null from absence.plan_state "
        "order by 1, 2, 3, 4",
        SQL_END);
}

/* 40 students absent with a parent each, S1's second parent with no
 * mobile, and a student whose ID cannot be texted. */
static void a_college_to_split(void)
{
    Octstr *id = octstr_create("");

    some_absent_students(40);
    fx_parent(db, 200, "S1", NULL);
    while (octstr_len(id) < 100)
        octstr_append_cstr(id, "STE04049635");
    fx_guardian(db, 201, "07700 900201", "active");
    old_student(octstr_get_cstr(id), 201);
    octstr_destroy(id);
}

/* What the box splits: a run that looks at many lessons. The backlog is
 * the lessons that fell due since the last run (all those of the window
 * before the first), none while sending is paused. */
static void test_the_backlog_is_the_lessons_a_run_would_look_at(void **state)
{
    const char *backlog = "select lessons from absence.plan_backlog(absence.policy_settings(), "
                          "true)";

    (void)state;
    test_db_exec(db,
                 "insert into absence.lesson (lesson_id, starts_at, ends_at, register_marked_at) "
                 "select m, now() - (m + 60) * interval '1 minute', now() - m * interval "
                 "'1 minute', now() - (m + 55) * interval '1 minute' "
                 "from unnest(array[5, 30, 40, 50]) m",
                 SQL_END);
    /* and one that ended before the window a run looks at */
    test_db_exec(db,
                 "insert into absence.lesson (lesson_id, starts_at, ends_at, register_marked_at) "
                 "select 99, w - interval '70 minutes', w - interval '10 minutes', "
                 "w - interval '65 minutes' "
                 "from absence.plan_window_from(absence.policy_settings(), now()) w",
                 SQL_END);
    /* 30, 40 and 50 minutes ago are due (send-delay 20 minutes), 5 is not */
    assert_octstr_equal(test_db_value(db, backlog, SQL_END), "3");
    test_db_exec(db, "select absence.pause_sending('jsmith', 'bad register import')", SQL_END);
    assert_octstr_equal(test_db_value(db, backlog, SQL_END), "0");
    test_db_exec(db, "select absence.resume_sending('jsmith', 'fixed')", SQL_END);
    assert_octstr_equal(test_db_value(db, backlog, SQL_END), "3");
    test_db_exec(db, "select absence.plan(absence.policy_settings(), null, 'test-box', true)",
                 SQL_END);
    assert_octstr_equal(test_db_value(db, backlog, SQL_END), "0");
}

/* Split over two sessions, a run settles what one run would, row for row:
 * each student in exactly one share, the shares moving nothing the run's
 * end moves (the watermark, the days set aside resolved). */
static void test_a_run_split_in_shares_settles_what_one_run_would(void **state)
{
    Octstr *one_run, *began;

    (void)state;
    a_college_to_split();
    test_db_exec(db, "savepoint before_planning", SQL_END);
    assert_octstr_equal(fx_plan(db, AT("10:20")), "40|40|0|1|0");
    one_run = what_planning_wrote();
    test_db_exec(db, "rollback to savepoint before_planning", SQL_END);
    assert_octstr_equal(what_planning_wrote(), "queue|0|~|~|~|~\n");

    assert_octstr_equal(test_db_value(db,
                                      "select count(*) filter (where absence.in_share("
                                      "student_id, 0, 2)) || '+' || count(*) filter (where "
                                      "absence.in_share(student_id, 1, 2)) from absence.student",
                                      SQL_END),
                        "24+17");
    began = test_db_value(db, "select clock_timestamp()", SQL_END);
    test_db_exec(db, "select absence.plan_begin_split(absence.policy_settings(), $1::timestamptz)",
                 AT("10:20"), SQL_END);
    assert_octstr_equal(plan_share(0, 2, AT("10:20")), "24|24|0|0|t");
    assert_octstr_equal(plan_share(1, 2, AT("10:20")), "16|16|1|1|t");
    assert_octstr_equal(test_db_value(db, "select settings_key from absence.plan_state", SQL_END),
                        "split run");
    assert_octstr_equal(plan_end(AT("10:20"), began), "0|0|0|0|0");
    assert_octstr_equal(what_planning_wrote(), octstr_get_cstr(one_run));
    octstr_destroy(one_run);
    octstr_destroy(began);
}

/* A register corrected while the shares of a first run worked is planned
 * by the run's end, though the shares looked at the whole window. */
static void test_a_split_run_plans_a_register_corrected_meanwhile(void **state)
{
    Octstr *began;

    (void)state;
    some_absent_students(4);
    fx_student(db, "S5", "C01");
    fx_parent(db, 105, "S5", "07700 900105");
    began = test_db_value(db, "select clock_timestamp()", SQL_END);
    test_db_exec(db, "select absence.plan_begin_split(absence.policy_settings(), $1::timestamptz)",
                 AT("10:20"), SQL_END);
    assert_octstr_equal(plan_share(0, 2, AT("10:20")), "1|1|0|0|t");
    assert_octstr_equal(plan_share(1, 2, AT("10:20")), "3|3|0|0|t");
    fx_mark(db, 1, "S5", "O");
    assert_octstr_equal(test_db_rows(db, "select student_id from absence.plan_change", SQL_END),
                        "S5\n");
    assert_octstr_equal(plan_end(AT("10:20"), began), "1|1|0|0|0");
    assert_octstr_equal(test_db_rows(db,
                                     "select planned_through = $1::timestamptz, settings_key = "
                                     "md5(absence.policy_settings()::text) from absence.plan_state",
                                     AT("10:20"), SQL_END),
                        "t|t\n");
    assert_octstr_equal(test_db_value(db, "select count(*) from absence.notification", SQL_END),
                        "5");
    octstr_destroy(began);
}

/* A share that meets a day whose texts were kept from before (its
 * student_day row and the watermark deleted by hand: the run looks at the
 * whole window) writes nothing and is not complete; the whole run the box
 * then makes settles the day again, texting no number twice. */
static void test_a_share_leaves_a_day_with_kept_texts_to_the_whole_run(void **state)
{
    (void)state;
    some_absent_students(4);
    assert_octstr_equal(fx_plan(db, AT("10:20")), "4|4|0|0|0");
    test_db_exec(db, "delete from absence.student_day", SQL_END);
    test_db_exec(db, "delete from absence.plan_state", SQL_END);
    assert_octstr_equal(plan_share(0, 2, AT("10:25")), "0|0|0|0|f");
    assert_octstr_equal(plan_share(1, 2, AT("10:25")), "0|0|0|0|f");
    assert_octstr_equal(test_db_value(db, "select count(*) from absence.student_day", SQL_END),
                        "0");
    assert_octstr_equal(fx_plan(db, AT("10:25")), "4|0|0|0|0");
    assert_octstr_equal(test_db_value(db,
                                      "select count(*) || ' texts to ' || count(distinct "
                                      "recipient) || ' numbers, ' || (select count(*) from "
                                      "absence.student_day) || ' days' from absence.notification",
                                      SQL_END),
                        "4 texts to 4 numbers, 4 days");
}

/* Shares never run beside a whole run, nor beside the same share of
 * another box's split run: a box's share gives way to a run under way (the
 * whole run is then the box's to do). Shares are numbered from 0. */
static void test_a_share_gives_way_to_a_run_under_way(void **state)
{
    const char *keys[] = {"dbname", NULL}, *values[] = {"absence_test_policy", NULL};
    PGconn *other = PQconnectdbParams(keys, values, 0);
    Octstr *sql;
    PGresult *result;

    (void)state;
    absent_at_nine("S1", "C01");
    test_db_exec(other, "begin", SQL_END);
    test_db_exec(other, "select pg_advisory_xact_lock(hashtext('absence.plan'))", SQL_END);
    assert_octstr_equal(plan_share(0, 2, AT("10:20")), "0|0|0|0|f");
    assert_octstr_equal(fx_texts(db), "");
    test_db_exec(other, "commit", SQL_END);
    /* nor beside the same share of another box's split run */
    test_db_exec(other, "begin", SQL_END);
    test_db_exec(other, "select pg_advisory_xact_lock_shared(hashtext('absence.plan'))", SQL_END);
    test_db_exec(other, "select pg_advisory_xact_lock(hashtext('absence.plan_share'), 1)", SQL_END);
    assert_octstr_equal(plan_share(1, 2, AT("10:20")), "0|0|0|0|f");
    test_db_exec(other, "commit", SQL_END);
    PQfinish(other);
    assert_octstr_equal(plan_share(0, 2, AT("10:20")), "0|0|0|0|t");
    assert_octstr_equal(plan_share(1, 2, AT("10:20")), "1|1|0|0|t");

    sql = octstr_format("select * from absence.plan_share(%s, '" AT("10:20") "', 'test-box', "
                                                                             "true, 2, 2)",
                        fx_settings);
    test_db_exec(db, "savepoint before_error", SQL_END);
    result = PQexec(db, octstr_get_cstr(sql));
    assert_int_equal(PQresultStatus(result), PGRES_FATAL_ERROR);
    assert_string_equal(PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY),
                        "share 2 of 2 at 2026-06-15 09:20:00+00 is not a share of a run");
    PQclear(result);
    test_db_exec(db, "rollback to savepoint before_error", SQL_END);
    octstr_destroy(sql);
    /* the run's end needs the shares' instant: by its own clock it would
     * pass over what fell due after theirs */
    result = PQexec(db, "select * from absence.plan(absence.policy_settings(), null, 'test-box', "
                        "true, now())");
    assert_int_equal(PQresultStatus(result), PGRES_FATAL_ERROR);
    assert_string_equal(PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY),
                        "a run ending shares needs their instant (p_at)");
    PQclear(result);
    test_db_exec(db, "rollback to savepoint before_error", SQL_END);
}

/* An absence in lesson 1 (tomorrow, 09:00-10:00 by the database's clock,
 * register on time) for S1, whose parent 101 would be texted. */
static void absent_tomorrow(void)
{
    fx_student(db, "S1", "C01");
    test_db_exec(db,
                 "insert into absence.lesson (lesson_id, starts_at, ends_at, register_marked_at) "
                 "select 1, d + interval '9 hours', d + interval '10 hours', "
                 "d + interval '9 hours 5 minutes' from (select date_trunc('day', now()) + "
                 "interval '1 day' as d) t",
                 SQL_END);
    fx_mark(db, 1, "S1", "O");
    fx_parent(db, 101, "S1", "07700 900101");
}

static void test_planning_ahead_of_the_clock_settles_nothing(void **state)
{
    PGresult *result;

    (void)state;
    absent_tomorrow();
    test_db_exec(db, "savepoint before_plan", SQL_END);
    result = PQexec(db, "select * from absence.plan(absence.policy_settings(), "
                        "date_trunc('day', now()) + interval '1 day 10 hours 30 minutes')");
    assert_int_equal(PQresultStatus(result), PGRES_FATAL_ERROR);
    if (strstr(PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY),
               "would settle 1 student-days ahead of the database's clock") == NULL)
        test_fail("unexpected error: %s", PQresultErrorMessage(result));
    PQclear(result);
    test_db_exec(db, "rollback to savepoint before_plan", SQL_END);
    assert_octstr_equal(test_db_value(db, "select count(*) from absence.student_day", SQL_END),
                        "0");
    /* the register is corrected before the text is due: no text, as it must be */
    fx_mark(db, 1, "S1", "L");
    assert_octstr_equal(test_db_rows(db,
                                     "select * from absence.plan(absence.policy_settings(), "
                                     "date_trunc('day', now()) + interval '1 day 10 hours 30 "
                                     "minutes')",
                                     SQL_END),
                        "0|0|0|0|0|0|0|0|0\n");
}

static void test_planning_ahead_that_settles_nothing_is_allowed(void **state)
{
    (void)state;
    absent_tomorrow();
    assert_octstr_equal(test_db_rows(db,
                                     "select * from absence.plan(absence.policy_settings(), "
                                     "date_trunc('day', now()) + interval '1 day 9 hours')",
                                     SQL_END),
                        "0|0|0|0|0|0|0|0|0\n");
}

static void test_plan_takes_its_settings_from_the_config_file(void **state)
{
    Octstr *path = test_write_temp("group = absencebox\n"
                                   "pgsql-id = db\n"
                                   "sender = College\n"
                                   "send-delay = 600\n"
                                   "absent-marks = \"N, O\"\n"
                                   "student-status-pattern = \"B__\"\n"
                                   "message-template = \"{student_id} absent {lesson_time}\"\n"
                                   "\n"
                                   "group = pgsql-connection\n"
                                   "id = db\n");
    Octstr *error = NULL;
    AbsenceConfig *config = config_load(path, &error);
    PlanResult plan;

    (void)state;
    unlink(octstr_get_cstr(path));
    octstr_destroy(path);
    if (config == NULL)
        test_fail("%s", octstr_get_cstr(error));
    absent_at_nine("S1", "B01");
    fx_mark(db, 1, "S1", "N");
    if (policy_plan(db, config, "2026-06-15 10:10:00+01", NULL, &plan, &error) < 0)
        test_fail("%s", octstr_get_cstr(error));
    config_destroy(config);
    assert_int_equal(plan.texts_planned, 1);
    assert_octstr_equal(fx_bodies(db, "S1"), "S1 absent 09:00\n");
}

/* ---- the SQL twins agree with the C ones --------------------------------- */

/*
 * Run SQL (one text parameter, the case's field 0, or two when ARGUMENTS is
 * 2) for every case of tests/FILE and compare its one value, SQL NULL shown
 * as "-", with field EXPECTED. Returns the number of cases, having failed
 * the test naming each that disagrees.
 */
static long sql_agrees_with_cases(const char *file, const char *sql, int arguments, int expected)
{
    List *cases = test_cases_read(file);
    long i, wrong = 0, count = gwlist_len(cases);

    for (i = 0; i < count; i++) {
        Octstr *input = test_case_field(cases, i, 0);
        Octstr *actual = test_db_value(
            db, sql, octstr_get_cstr(input),
            arguments == 2 ? octstr_get_cstr(test_case_field(cases, i, 1)) : SQL_END, SQL_END);
        Octstr *wanted = test_case_field(cases, i, expected);
        if (octstr_str_compare(wanted, actual ? octstr_get_cstr(actual) : "-") != 0) {
            fprintf(stderr, "# %s line %ld ('%s'): SQL gives %s, expected %s\n", file, i + 1,
                    octstr_get_cstr(input), actual ? octstr_get_cstr(actual) : "NULL",
                    octstr_get_cstr(wanted));
            wrong++;
        }
        octstr_destroy(actual);
    }
    test_cases_destroy(cases);
    assert_int_equal(wrong, 0);
    return count;
}

static void test_sql_normalise_mobile_agrees_with_every_case(void **state)
{
    (void)state;
    assert_true(sql_agrees_with_cases("mobile_cases.tsv",
                                      "select absence.normalise_mobile($1, $2::integer <> 0)", 2,
                                      2) >= 30);
}

static void test_sql_septets_agree_with_every_case(void **state)
{
    (void)state;
    assert_true(sql_agrees_with_cases("septet_cases.tsv",
                                      "select coalesce(absence.gsm_septets($1), -1)", 1, 1) >= 20);
}

static void test_sql_mask_agrees_with_every_case(void **state)
{
    (void)state;
    assert_true(sql_agrees_with_cases("mask_cases.tsv", "select absence.mask_mobile($1)", 1, 1) >=
                8);
    assert_null(test_db_value(db, "select absence.mask_mobile(null)", SQL_END));
}

static void test_sql_segment_budgets_agree_with_gsm_c(void **state)
{
    Octstr *expected = octstr_create("");
    long segments;

    (void)state;
    for (segments = 1; segments <= 10; segments++)
        octstr_format_append(expected, "%ld|%ld\n", gsm_septet_budget(segments),
                             gsm_ucs2_budget(segments));
    assert_octstr_equal(test_db_rows(db,
                                     "select absence.segment_budget(n, false), "
                                     "absence.segment_budget(n, true) "
                                     "from generate_series(1, 10) n",
                                     SQL_END),
                        octstr_get_cstr(expected));
    octstr_destroy(expected);
}

/* ---- the settings and the names the policy uses --------------------------- */

static void test_settings_default_to_config_def(void **state)
{
    (void)state;
    assert_octstr_equal(test_db_rows(db,
                                     "select (c).timezone, (c).send_delay, (c).max_lateness,"
                                     " (c).latest_send_time, (c).absent_marks,"
                                     " (c).report_link, (c).max_segments, (c).allow_ucs2,"
                                     " (c).pastoral_category"
                                     " from (select absence.policy_settings() as c) s",
                                     SQL_END),
                        "Europe/London|1200|10800|19:00:00|{O}|https://tinyurl.com/runabs|1|f|"
                        "Absence text\n");
}

static void test_unknown_setting_is_refused_by_name(void **state)
{
    PGresult *result;

    (void)state;
    test_db_exec(db, "savepoint before_error", SQL_END);
    result =
        PQexec(db, "select absence.policy_settings('{\"send-delai\": 5, \"timezone\": \"UTC\"}')");
    assert_int_equal(PQresultStatus(result), PGRES_FATAL_ERROR);
    assert_string_equal(PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY),
                        "unknown policy setting: send-delai");
    PQclear(result);
    test_db_exec(db, "rollback to savepoint before_error", SQL_END);
}

static void test_every_trigger_state_is_explained(void **state)
{
    (void)state;
    assert_octstr_equal(
        test_db_rows(
            db,
            "select s, absence.trigger_explanation(absence.policy_settings(), s,"
            "  $1::timestamptz + interval '1 hour', $1::timestamptz + interval '2 hours',"
            "  $1::timestamptz + interval '80 minutes', $1::timestamptz + interval '4 hours',"
            "  'B01', row('S1', '2026-06-15', 1, 'planned',"
            "             $1::timestamptz + interval '81 minutes', 'box', 'O',"
            "             $1::timestamptz + interval '80 minutes')::absence.student_day,"
            "  'L', E'S\\t1')"
            "  from unnest(enum_range(null::absence.trigger_state)) s order by s",
            AT("09:00"), SQL_END),
        "settled|planned at 10:21:00 on mark O (read at 10:20:00; the mark is now L): the day is "
        "settled (planned); nothing more is sent that day, whatever changes\n"
        "status-not-eligible|no text: status B01 does not match student-status-pattern C__\n"
        "register-not-marked|no text yet: the register has not been taken (or not reached the "
        "database)\n"
        "register-late|no text: the register was taken at 11:00, after the lesson ended at 10:00\n"
        "bad-student-id|no text: the student ID has a control or invisible character (U+0009) at "
        "position 2; the day is set aside in absence.plan_quarantine and planned once the MIS "
        "corrects the ID\n"
        "expired|expired: a text could only go out between 10:20 and 13:00\n"
        "not-yet-due|not due yet: due at 10:20, send-delay after the lesson ended\n"
        "message-too-long|no text: it would not fit max-segments (message-too-long)\n"
        "due|due since 10:20: the box plans its texts at its next planning run\n");
}

/* explain's view of S1's day: "lesson|state|planned mark|read at|mark now" */
static Octstr *explained_trigger(void)
{
    return test_db_rows(db,
                        "select lesson, state, planned_mark, marks_read_at, mark_now "
                        "from absence.explain_trigger(absence.policy_settings(), 'S1', "
                        "'2026-06-15')",
                        SQL_END);
}

static Octstr *explained_guardians(void)
{
    return test_db_rows(db,
                        "select guardian, number, outcome from absence.explain_guardians("
                        "absence.policy_settings(), 'S1', '2026-06-15')",
                        SQL_END);
}

static void test_explain_keeps_the_mark_a_text_was_planned_on(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_lesson(db, 2, AT("10:00"), AT("11:00"), AT("10:05"));
    fx_mark(db, 2, "S1", "O");
    fx_guardian(db, 102, "01632 960123", "active");
    fx_link(db, 102, "S1", "active", 0);
    /* before it is planned, a day in the past can only have expired */
    assert_octstr_equal(explained_guardians(),
                        "101|+4477009****01|expired: a text could only go out between 10:20 and "
                        "13:00\n102|01632 96****23|skipped: invalid-mobile\n");
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|1|0|1|0");
    /* the register is corrected after the text was planned: lesson 1 was attended */
    fx_mark(db, 1, "S1", "/");
    assert_octstr_equal(explained_trigger(), "1|settled|O|10:20:00|/\n");
    assert_octstr_equal(explained_guardians(), "101|+4477009****01|gets the text\n"
                                               "102|01632 96****23|skipped: invalid-mobile\n");
    test_db_exec(db, "update absence.notification set status = 'expired'", SQL_END);
    assert_octstr_equal(explained_guardians(),
                        "101|+4477009****01|expired: a text could only go out between 10:20 and "
                        "13:00\n102|01632 96****23|skipped: invalid-mobile\n");
}

static void test_explain_of_a_day_to_come_says_who_would_be_texted(void **state)
{
    (void)state;
    absent_tomorrow();
    assert_octstr_equal(
        test_db_rows(db,
                     "select state, outcome from absence.explain_trigger("
                     "absence.policy_settings(), 'S1', (now() + interval '1 day')"
                     "::date) t, absence.explain_guardians(absence.policy_settings(),"
                     " 'S1', (now() + interval '1 day')::date) g",
                     SQL_END),
        "not-yet-due|would be texted\n");
}

static void test_explain_of_a_day_without_absence_says_so(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_mark(db, 1, "S1", "/");
    assert_octstr_equal(explained_trigger(), "");
    assert_octstr_equal(explained_guardians(), "101|+4477009****01|no text: no absence that day\n");
}

/* ---- evaluating a window reads only the rows that matter ------------------ */

/* ---- bad rows from the MIS ------------------------------------------------ */

static Octstr *refused_student(const char *student_id)
{
    return test_db_error(db,
                         "insert into absence.student (student_id, status_code) values ($1, 'C01')",
                         student_id, SQL_END);
}

static void test_unusable_student_ids_are_refused_at_the_door(void **state)
{
    const char *refused[] = {"",
                             " S1",
                             "S1 ",
                             "S\t1",
                             "S\x1b[2J1",
                             "S\xe2\x80\x8b"
                             "1",
                             "S\xc2\x9b"
                             "1",
                             "12345678901234567890123456789012345678901234567890123456789012345"};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        assert_octstr_equal(refused_student(refused[i]),
                            "new row for relation \"student\" violates check constraint "
                            "\"student_id_usable\"");
    fx_student(db, "STE04049635", "C01");
    fx_student(db, "1234567890123456789012345678901234567890123456789012345678901234", "C01");
    fx_student(db, "S\xc3\xa9 1", "C01");
    assert_octstr_equal(test_db_value(db, "select count(*) from absence.student", SQL_END), "3");
}

static void test_unusable_marks_are_refused_at_the_door(void **state)
{
    const char *refused[] = {" O", "O ", "o", "", "O\t", "\xc2\xa0O"};
    size_t i;

    (void)state;
    absent_at_nine("S1", "C01");
    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        assert_octstr_equal(
            test_db_error(db, "update absence.attendance_mark set mark = $1", refused[i], SQL_END),
            "new row for relation \"attendance_mark\" violates check constraint "
            "\"attendance_mark_code_usable\"");
    fx_lesson(db, 2, AT("10:00"), AT("11:00"), AT("10:05"));
    fx_mark(db, 2, "S1", "/");
    test_db_exec(db, "update absence.attendance_mark set mark = '\\' where lesson_id = 2", SQL_END);
    assert_octstr_equal(
        test_db_rows(db, "select mark from absence.attendance_mark order by lesson_id", SQL_END),
        "O\n\\\n");
}

/* A student row the MIS wrote before migration 010's checks, which are not
 * applied to rows already there. */
static void old_student(const char *student_id, long guardian_id)
{
    test_db_exec(db, "alter table absence.student drop constraint student_id_usable", SQL_END);
    fx_student(db, student_id, "C01");
    fx_mark(db, 1, student_id, "O");
    fx_link(db, guardian_id, student_id, "active", 0);
}

static Octstr *quarantine(void)
{
    return test_db_rows(db,
                        "select length(student_id), school_day, kind, reason, attempts,"
                        "       resolved_at is not null"
                        "  from absence.plan_quarantine order by quarantine_id",
                        SQL_END);
}

static void test_an_id_too_long_to_index_is_set_aside_and_the_rest_planned(void **state)
{
    Octstr *id = octstr_create("");

    (void)state;
    while (octstr_len(id) < 2684)
        octstr_append_cstr(id, "STE04049635");
    octstr_truncate(id, 2684);
    absent_at_nine("S1", "C01");
    old_student(octstr_get_cstr(id), 101);
    assert_octstr_equal(fx_trigger(db, AT("10:20"), octstr_get_cstr(id)), "bad-student-id|1");
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|1|0|0|0");
    assert_octstr_equal(fx_texts(db), "S1|101|+447700900101|pending\n");
    assert_octstr_equal(quarantine(), "2684|2026-06-15|bad-student-id|the student ID is 2684 "
                                      "characters long; an ID may have at most 64|1|f\n");
    /* set aside again at the next run, never planned; then the MIS corrects it */
    assert_octstr_equal(fx_plan(db, AT("10:21")), "0|0|0|0|0");
    assert_octstr_equal(quarantine(), "2684|2026-06-15|bad-student-id|the student ID is 2684 "
                                      "characters long; an ID may have at most 64|2|f\n");
    test_db_exec(db, "delete from absence.attendance_mark where student_id = $1",
                 octstr_get_cstr(id), SQL_END);
    assert_octstr_equal(fx_plan(db, AT("10:22")), "0|0|0|0|0");
    assert_octstr_equal(quarantine(), "2684|2026-06-15|bad-student-id|the student ID is 2684 "
                                      "characters long; an ID may have at most 64|2|t\n");
    assert_octstr_equal(test_db_value(db, "select count(*) from absence.student_day", SQL_END),
                        "1");
    octstr_destroy(id);
}

static void test_each_unusable_id_names_what_to_correct(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    old_student("", 101);
    fx_student(db,
               "STE0\xf0\x9f\x98\x80"
               "1",
               "C01");
    fx_mark(db, 1,
            "STE0\xf0\x9f\x98\x80"
            "1",
            "O");
    fx_link(db, 101,
            "STE0\xf0\x9f\x98\x80"
            "1",
            "active", 0);
    test_db_exec(db, "insert into absence.student values (E'ST\\u200bE1', 'C01', null, null)",
                 SQL_END);
    test_db_exec(db, "insert into absence.attendance_mark values (1, E'ST\\u200bE1', 'O')",
                 SQL_END);
    assert_octstr_equal(fx_plan(db, AT("10:20")), "1|1|0|0|0");
    assert_octstr_equal(
        test_db_rows(db, "select reason from absence.plan_quarantine order by reason", SQL_END),
        "the student ID has a character outside the GSM alphabet (U+1F600) at position 5, and "
        "allow-ucs2 is off\n"
        "the student ID has a control or invisible character (U+200B) at position 3\n"
        "the student ID is empty\n");
    /* nobody got "Student  did not attend" */
    assert_octstr_equal(fx_texts(db), "S1|101|+447700900101|pending\n");
}

static void test_a_planning_error_sets_aside_only_its_student(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    fx_student(db, "S2", "C01");
    fx_mark(db, 1, "S2", "O");
    fx_parent(db, 102, "S2", "07700 900102");
    fx_student(db, "S3", "C01");
    fx_mark(db, 1, "S3", "O");
    fx_parent(db, 103, "S3", "07700 900103");
    test_db_exec(db,
                 "create function pg_temp.refuse_s2() returns trigger language plpgsql as $$"
                 " begin if new.student_id = 'S2' then raise exception 'S2 is refused for the "
                 "test'; end if; return new; end $$",
                 SQL_END);
    test_db_exec(db,
                 "create trigger refuse_s2 before insert on absence.student_day for each row "
                 "execute function pg_temp.refuse_s2()",
                 SQL_END);
    assert_octstr_equal(fx_plan(db, AT("10:20")), "2|2|0|0|0");
    assert_octstr_equal(fx_texts(db), "S1|101|+447700900101|pending\n"
                                      "S3|103|+447700900103|pending\n");
    assert_octstr_equal(quarantine(), "2|2026-06-15|planning-error|planning failed: S2 is refused "
                                      "for the test|1|f\n");
    assert_octstr_equal(fx_plan(db, AT("10:21")), "0|0|0|0|0");
    assert_octstr_equal(quarantine(), "2|2026-06-15|planning-error|planning failed: S2 is refused "
                                      "for the test|2|f\n");
    test_db_exec(db, "drop trigger refuse_s2 on absence.student_day", SQL_END);
    assert_octstr_equal(fx_plan(db, AT("10:22")), "1|1|0|0|0");
    assert_octstr_equal(fx_texts(db), "S1|101|+447700900101|pending\n"
                                      "S2|102|+447700900102|pending\n"
                                      "S3|103|+447700900103|pending\n");
    assert_octstr_equal(quarantine(), "2|2026-06-15|planning-error|planning failed: S2 is refused "
                                      "for the test|2|t\n");
}

/* The planner's queries find their lessons and marks through indexes,
 * never reading a table whole: over the whole window (a box's first run),
 * the window's lessons by their end and each one's absent marks by lesson
 * and mark; since a watermark (every later tick), the lessons since by their
 * end and each candidate's absent marks by student. */
static void assert_uses_indexes(const char *what, const char *sql, const char *index_a,
                                const char *index_b)
{
    Octstr *plan = test_db_rows(db, sql, SQL_END);

    if (octstr_search(plan, octstr_imm(index_a), 0) < 0 ||
        octstr_search(plan, octstr_imm(index_b), 0) < 0 ||
        octstr_search(plan, octstr_imm("Seq Scan"), 0) >= 0)
        test_fail("the planning query %s does not use %s and %s:\n%s", what, index_a, index_b,
                  octstr_get_cstr(plan));
    octstr_destroy(plan);
}

static void test_planning_window_is_found_through_indexes(void **state)
{
    (void)state;
    absent_at_nine("S1", "C01");
    test_db_exec(db, "set local enable_seqscan = off", SQL_END);
    assert_uses_indexes(
        "over the whole window",
        "explain select * from absence.window_trigger_lessons("
        "absence.policy_settings(), now() - interval '1 day', now(), true, null, null)",
        "lesson_ends_at_idx", "attendance_mark_lesson_mark_idx");
    assert_uses_indexes("since a watermark",
                        "explain select * from absence.policy_triggers("
                        "absence.policy_settings(), now(), now() - interval '1 day', now(), "
                        "null, true, now() - interval '1 minute')",
                        "lesson_ends_at_idx", "attendance_mark_student_idx");
}

#define DB_TEST(name) cmocka_unit_test_setup_teardown(name, fixture_begin, fixture_rollback)

int main(void)
{
    static const struct CMUnitTest tests[] = {
        DB_TEST(test_first_absent_lesson_is_the_trigger),
        DB_TEST(test_present_lesson_is_not_the_trigger),
        DB_TEST(test_student_present_all_day_gets_nothing),
        DB_TEST(test_later_absences_are_ignored),
        DB_TEST(test_register_marked_late_sends_nothing),
        DB_TEST(test_register_marked_exactly_at_the_end_is_on_time),
        DB_TEST(test_register_not_marked_sends_nothing_until_it_arrives),
        DB_TEST(test_late_register_on_the_trigger_blocks_the_whole_day),
        DB_TEST(test_not_due_one_second_before_the_send_delay),
        DB_TEST(test_expired_after_max_lateness),
        DB_TEST(test_expired_after_latest_send_time),
        DB_TEST(test_lesson_due_after_latest_send_time_is_never_sent),
        DB_TEST(test_corrected_mark_moves_the_trigger_to_the_next_absence),
        DB_TEST(test_corrected_mark_with_no_other_absence_sends_nothing),
        DB_TEST(test_settled_day_gets_nothing_more),
        DB_TEST(test_student_status_pattern),
        DB_TEST(test_absent_marks_are_configurable),
        DB_TEST(test_timing_is_configurable),
        DB_TEST(test_account_must_be_active),
        DB_TEST(test_link_must_be_active),
        DB_TEST(test_hidden_attendance_is_skipped),
        DB_TEST(test_missing_mobile_is_skipped),
        DB_TEST(test_invalid_mobile_is_skipped),
        DB_TEST(test_a_changed_mobile_is_texted_at_its_new_number),
        DB_TEST(test_international_number_needs_allow_international),
        DB_TEST(test_first_failed_rule_is_the_reason),
        DB_TEST(test_shared_number_is_texted_once_to_the_lowest_guardian),
        DB_TEST(test_ineligible_guardian_does_not_take_a_shared_number),
        DB_TEST(test_each_eligible_guardian_gets_a_text),
        DB_TEST(test_guardian_of_two_absent_siblings_gets_two_texts),
        DB_TEST(test_student_without_guardians_is_settled_with_no_text),
        DB_TEST(test_summer_lesson_shows_bst_start_time),
        DB_TEST(test_winter_lesson_shows_gmt_start_time),
        DB_TEST(test_school_day_is_the_local_date),
        DB_TEST(test_student_id_is_carried_verbatim),
        DB_TEST(test_text_that_does_not_fit_is_settled_unsent),
        DB_TEST(test_recipients_show_texts_and_skips_without_writing),
        DB_TEST(test_plan_is_idempotent),
        DB_TEST(test_a_day_planned_again_by_hand_texts_no_number_twice),
        DB_TEST(test_planning_calls_no_function_once_a_text),
        DB_TEST(test_planning_reads_no_mark_of_another_day),
        DB_TEST(test_explaining_a_student_reads_only_their_marks),
        DB_TEST(test_a_run_with_nothing_new_reads_no_student),
        DB_TEST(test_a_box_skips_planning_while_another_run_plans),
        DB_TEST(test_the_backlog_is_the_lessons_a_run_would_look_at),
        DB_TEST(test_a_run_split_in_shares_settles_what_one_run_would),
        DB_TEST(test_a_split_run_plans_a_register_corrected_meanwhile),
        DB_TEST(test_a_share_gives_way_to_a_run_under_way),
        DB_TEST(test_a_share_leaves_a_day_with_kept_texts_to_the_whole_run),
        DB_TEST(test_a_run_looks_at_what_changed_since_the_last),
        DB_TEST(test_other_settings_look_at_the_whole_window),
        DB_TEST(test_next_due_is_the_next_text_falling_due),
        DB_TEST(test_planning_ahead_of_the_clock_settles_nothing),
        DB_TEST(test_planning_ahead_that_settles_nothing_is_allowed),
        DB_TEST(test_plan_takes_its_settings_from_the_config_file),
        DB_TEST(test_sql_normalise_mobile_agrees_with_every_case),
        DB_TEST(test_sql_septets_agree_with_every_case),
        DB_TEST(test_sql_mask_agrees_with_every_case),
        DB_TEST(test_sql_segment_budgets_agree_with_gsm_c),
        DB_TEST(test_settings_default_to_config_def),
        DB_TEST(test_unknown_setting_is_refused_by_name),
        DB_TEST(test_every_trigger_state_is_explained),
        DB_TEST(test_explain_keeps_the_mark_a_text_was_planned_on),
        DB_TEST(test_explain_of_a_day_to_come_says_who_would_be_texted),
        DB_TEST(test_explain_of_a_day_without_absence_says_so),
        DB_TEST(test_unusable_student_ids_are_refused_at_the_door),
        DB_TEST(test_unusable_marks_are_refused_at_the_door),
        DB_TEST(test_an_id_too_long_to_index_is_set_aside_and_the_rest_planned),
        DB_TEST(test_each_unusable_id_names_what_to_correct),
        DB_TEST(test_a_planning_error_sets_aside_only_its_student),
        DB_TEST(test_planning_window_is_found_through_indexes),
    };

    return cmocka_run_group_tests_name("policy", tests, group_setup, fixture_close);
}
