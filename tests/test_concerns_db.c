/*
 * test_concerns_db.c - attendance concerns (README, "7. Attendance
 * concerns"): which days count, each rule and its boundaries, the concern
 * text, the communication log, what staff do, and a replay over three
 * weeks that gives the same concerns and texts every time.
 *
 * The calendar is June 2026 at the college (Europe/London): Monday 15,
 * Tuesday 16, ... Friday 19, the weekend, Monday 22 ... Friday 26, Monday 29.
 * Term 1 runs from Monday 1 June to Friday 17 July.
 */
#include "fixture.h"
#include "template.h"

#define DAY(d, hhmm) "2026-06-" d " " hhmm " Europe/London"
#define CONCERN_TEXT(id, days)                                                                     \
    "Attendance concern: student " id " has been absent on " days " days this term. Please "       \
    "contact the college to discuss: https://tinyurl.com/runabs"

static PGconn *db;
static long next_lesson = 1000;

static int group_setup(void **state)
{
    *state = db = fixture_open_migrated("absence_test_concerns");
    return db == NULL ? -1 : 0;
}

static int begin_with_term(void **state)
{
    fixture_begin(state);
    test_db_exec(db, "insert into absence.term values (1, 'Summer', '2026-06-01', '2026-07-17')",
                 SQL_END);
    return 0;
}

/* A student of status C01 with parent 101 (on 07700 900101 + N). */
static void student(const char *student_id, long parent)
{
    char mobile[32];

    fx_student(db, student_id, "C01");
    snprintf(mobile, sizeof(mobile), "07700 900%03ld", parent % 1000);
    fx_parent(db, parent, student_id, mobile);
}

/* A lesson of STUDENT on June DAY from HOUR for an hour, register taken on
 * time, with MARK. */
static void lesson_at(const char *student_id, const char *day, int hour, const char *mark)
{
    char starts[64], ends[64], taken[64];

    snprintf(starts, sizeof(starts), "2026-06-%s %02d:00 Europe/London", day, hour);
    snprintf(ends, sizeof(ends), "2026-06-%s %02d:00 Europe/London", day, hour + 1);
    snprintf(taken, sizeof(taken), "2026-06-%s %02d:05 Europe/London", day, hour);
    fx_lesson(db, ++next_lesson, starts, ends, taken);
    fx_mark(db, next_lesson, student_id, mark);
}

/* STUDENT's one lesson on each of DAYS (space-separated June dates), each
 * with the mark at the same place in MARKS ("O" absent, "/" present). */
static void days(const char *student_id, const char *days, const char *marks)
{
    char day[3] = {0}, mark[2] = {0};
    size_t i;

    for (i = 0; days[3 * i] != '\0' && marks[i] != '\0'; i++) {
        memcpy(day, days + 3 * i, 2);
        mark[0] = marks[i];
        lesson_at(student_id, day, 9, mark);
        if (days[3 * i + 2] == '\0')
            break;
    }
}

/* MORE appended to TO, and destroyed. */
static void append_destroying(Octstr *to, Octstr *more)
{
    octstr_append(to, more);
    octstr_destroy(more);
}

/* Plan at AT: "concerns opened|concern texts planned|concern texts expired". */
static Octstr *plan_at(const char *at)
{
    Octstr *rows = test_db_rows(db,
                                "select concerns_opened, concern_texts_planned, "
                                "concern_texts_expired from absence.plan("
                                "absence.policy_settings(), $1::timestamptz, 'test-box')",
                                at, SQL_END);

    octstr_delete(rows, octstr_len(rows) - 1, 1);
    return rows;
}

/* Every concern: "student|rule|days|state|term absence days" per row. */
static Octstr *concerns(void)
{
    return test_db_rows(db,
                        "select student_id, rule, absence_days, state, term_absence_days"
                        "  from absence.attendance_concern order by student_id, rule",
                        SQL_END);
}

/* Every concern text: "student|guardian|status|school day|due|expires" with
 * times at the college. */
static Octstr *concern_texts(void)
{
    return test_db_rows(
        db,
        "select student_id, guardian_id, status, school_day,"
        "       to_char(due_at at time zone 'Europe/London', 'Dy DD HH24:MI'),"
        "       to_char(expires_at at time zone 'Europe/London', 'Dy DD HH24:MI')"
        "  from absence.notification where kind = 'concern' order by student_id, guardian_id",
        SQL_END);
}

/* The bodies of the concern texts, one per line. */
static Octstr *concern_bodies(void)
{
    return test_db_rows(db,
                        "select body from absence.notification where kind = 'concern'"
                        " order by student_id, guardian_id",
                        SQL_END);
}

/* ---- the consecutive rule -------------------------------------------- */

static void test_three_days_in_a_row_open_a_concern_once_the_third_is_over(void **state)
{
    (void)state;
    student("S1", 101);
    days("S1", "15 16 17", "OOO");
    assert_octstr_equal(plan_at(DAY("17", "18:59:59")), "0|0|0");
    assert_octstr_equal(concerns(), "");
    assert_octstr_equal(plan_at(DAY("17", "19:00")), "1|0|0");
    assert_octstr_equal(concerns(), "S1|consecutive|{2026-06-15,2026-06-16,2026-06-17}|open|3\n");
    assert_octstr_equal(
        test_db_rows(db,
                     "select detected_at = $1::timestamptz, completed_on,"
                     "       to_char(text_due_at at time zone 'Europe/London', 'Dy DD HH24:MI'),"
                     "       to_char(text_expires_at at time zone 'Europe/London', 'Dy DD HH24:MI')"
                     "  from absence.attendance_concern",
                     DAY("17", "19:00"), SQL_END),
        "t|2026-06-17|Thu 18 09:30|Fri 19 19:00\n");
}

static void test_a_present_day_breaks_the_run(void **state)
{
    (void)state;
    student("S1", 101);
    days("S1", "15 16 17 18", "O/OO");
    assert_octstr_equal(plan_at(DAY("18", "19:00")), "0|0|0");
    days("S1", "19", "O");
    assert_octstr_equal(plan_at(DAY("19", "19:00")), "1|0|0");
    assert_octstr_equal(concerns(), "S1|consecutive|{2026-06-17,2026-06-18,2026-06-19}|open|4\n");
}

/* A day with one absent lesson among present ones is an absence day. */
static void test_one_absent_lesson_makes_an_absence_day(void **state)
{
    (void)state;
    student("S1", 101);
    days("S1", "15 16 17", "OOO");
    lesson_at("S1", "16", 11, "/");
    lesson_at("S1", "16", 13, "/");
    assert_octstr_equal(plan_at(DAY("17", "19:00")), "1|0|0");
}

static void test_a_corrected_mark_breaks_the_run(void **state)
{
    (void)state;
    student("S1", 101);
    days("S1", "15 16 17", "OOO");
    /* Tuesday's register is corrected (a late arrival) before Wednesday is over */
    test_db_exec(db,
                 "update absence.attendance_mark m set mark = 'L' from absence.lesson l"
                 " where l.lesson_id = m.lesson_id and l.starts_at = $1::timestamptz",
                 DAY("16", "09:00"), SQL_END);
    assert_octstr_equal(plan_at(DAY("17", "19:00")), "0|0|0");
    assert_octstr_equal(concerns(), "");
}

static void test_a_weekend_does_not_break_the_run(void **state)
{
    (void)state;
    student("S1", 101);
    days("S1", "18 19 22", "OOO");
    assert_octstr_equal(plan_at(DAY("19", "19:00")), "0|0|0");
    assert_octstr_equal(plan_at(DAY("22", "19:00")), "1|0|0");
    assert_octstr_equal(concerns(), "S1|consecutive|{2026-06-18,2026-06-19,2026-06-22}|open|3\n");
}

static void test_a_day_without_lessons_does_not_break_the_run(void **state)
{
    (void)state;
    student("S1", 101);
    days("S1", "15 17 18", "OOO"); /* no lesson on Tuesday */
    assert_octstr_equal(plan_at(DAY("18", "19:00")), "1|0|0");
    assert_octstr_equal(concerns(), "S1|consecutive|{2026-06-15,2026-06-17,2026-06-18}|open|3\n");
}

/* A part-time student with lessons on Mondays and Wednesdays: a run over
 * their own days, a week apart. */
static void test_a_part_time_students_own_days_make_the_run(void **state)
{
    (void)state;
    student("P1", 102);
    student("S2", 103);
    days("P1", "15 17 22", "OOO");
    days("S2", "15 16 17 22", "O/OO"); /* a full-time student present on Tuesday */
    assert_octstr_equal(plan_at(DAY("22", "19:00")), "1|0|0");
    assert_octstr_equal(concerns(), "P1|consecutive|{2026-06-15,2026-06-17,2026-06-22}|open|3\n");
}

static void test_absences_before_the_term_do_not_count(void **state)
{
    (void)state;
    test_db_exec(db, "update absence.term set starts_on = '2026-06-17'", SQL_END);
    student("S1", 101);
    days("S1", "15 16 17 18", "OOOO");
    assert_octstr_equal(plan_at(DAY("18", "19:00")), "0|0|0");
    days("S1", "19", "O");
    assert_octstr_equal(plan_at(DAY("19", "19:00")), "1|0|0");
    assert_octstr_equal(concerns(), "S1|consecutive|{2026-06-17,2026-06-18,2026-06-19}|open|3\n");
}

static void test_days_outside_every_term_open_nothing(void **state)
{
    (void)state;
    test_db_exec(db, "delete from absence.term", SQL_END);
    student("S1", 101);
    days("S1", "15 16 17 18 19", "OOOOO");
    assert_octstr_equal(plan_at(DAY("19", "19:00")), "0|0|0");
    assert_octstr_equal(concerns(), "");
}

static void test_a_second_run_in_the_term_opens_nothing(void **state)
{
    (void)state;
    test_db_exec(db, "insert into absence.term values (2, 'Autumn', '2026-06-22', '2026-07-17')",
                 SQL_END);
    test_db_exec(db, "update absence.term set ends_on = '2026-06-19' where term_id = 1", SQL_END);
    student("S1", 101);
    days("S1", "15 16 17 18", "OOO/");
    assert_octstr_equal(plan_at(DAY("18", "19:00")), "1|0|0");
    days("S1", "19", "O"); /* a fourth absence day: cumulative needs five */
    assert_octstr_equal(plan_at(DAY("19", "19:00")), "0|1|0"); /* the concern's text, due 09:30 */
    /* the next term counts afresh */
    days("S1", "22 23 24", "OOO");
    assert_octstr_equal(plan_at(DAY("24", "19:00")), "1|0|0");
    assert_octstr_equal(test_db_rows(db,
                                     "select term_id, rule, absence_days"
                                     "  from absence.attendance_concern order by term_id",
                                     SQL_END),
                        "1|consecutive|{2026-06-15,2026-06-16,2026-06-17}\n"
                        "2|consecutive|{2026-06-22,2026-06-23,2026-06-24}\n");
}

/* ---- the cumulative rule ------------------------------------------------ */

static void test_five_absence_days_in_a_term_open_a_cumulative_concern(void **state)
{
    (void)state;
    student("S1", 101);
    days("S1", "15 16 17 18 19 22 23 24 25", "O/O/O/O/O");
    assert_octstr_equal(plan_at(DAY("24", "19:00")), "0|0|0");
    assert_octstr_equal(plan_at(DAY("25", "19:00")), "1|0|0");
    assert_octstr_equal(
        concerns(),
        "S1|cumulative|{2026-06-15,2026-06-17,2026-06-19,2026-06-23,2026-06-25}|open|5\n");
}

/* Two days early in the term, then three in a row: both rules fire at one
 * evaluation; the family gets one concern text, which notifies both. */
static void test_both_rules_fire_for_one_student_with_one_text(void **state)
{
    (void)state;
    student("S1", 101);
    days("S1", "15 16 17 18 19", "O/OOO");
    lesson_at("S1", "02", 9, "O");
    assert_octstr_equal(plan_at(DAY("19", "19:00")), "2|0|0");
    assert_octstr_equal(
        concerns(),
        "S1|consecutive|{2026-06-17,2026-06-18,2026-06-19}|open|5\n"
        "S1|cumulative|{2026-06-02,2026-06-15,2026-06-17,2026-06-18,2026-06-19}|open|5\n");
    /* Friday's concerns are texted on Monday morning */
    assert_octstr_equal(plan_at(DAY("22", "09:29:59")), "0|0|0");
    assert_octstr_equal(plan_at(DAY("22", "09:30")), "0|1|0");
    assert_octstr_equal(concern_texts(), "S1|101|pending|2026-06-22|Mon 22 09:30|Tue 23 19:00\n");
    assert_octstr_equal(concern_bodies(), CONCERN_TEXT("S1", "5") "\n");
    test_db_exec(db, "update absence.notification set status = 'delivered' where kind = 'concern'",
                 SQL_END);
    assert_octstr_equal(test_db_rows(db,
                                     "select rule, state from absence.attendance_concern"
                                     " order by rule",
                                     SQL_END),
                        "consecutive|notified\ncumulative|notified\n");
}

static void test_ineligible_students_get_no_concern(void **state)
{
    (void)state;
    student("S1", 101);
    test_db_exec(db, "update absence.student set status_code = 'W01'", SQL_END);
    days("S1", "15 16 17", "OOO");
    assert_octstr_equal(plan_at(DAY("17", "19:00")), "0|0|0");
}

static void test_thresholds_come_from_the_settings(void **state)
{
    (void)state;
    student("S1", 101);
    days("S1", "15 16 17 18", "OOOO");
    assert_octstr_equal(
        test_db_value(db,
                      "select concerns_opened from absence.plan(absence.policy_settings("
                      "'{\"concern-consecutive-days\": 4, \"concern-term-days\": 4}'),"
                      " $1::timestamptz)",
                      DAY("18", "19:00"), SQL_END),
        "2");
    assert_octstr_equal(concerns(),
                        "S1|consecutive|{2026-06-15,2026-06-16,2026-06-17,2026-06-18}|open|4\n"
                        "S1|cumulative|{2026-06-15,2026-06-16,2026-06-17,2026-06-18}|open|4\n");
}

/* ---- when it is looked for -------------------------------------------- */

/* Once a day is over its evaluation is done: a later run that day reads
 * nothing again, and a replay of an earlier instant adds nothing. */
static void test_each_day_is_evaluated_once(void **state)
{
    (void)state;
    student("S1", 101);
    days("S1", "15 16 17", "OOO");
    assert_octstr_equal(plan_at(DAY("16", "19:00")), "0|0|0");
    assert_octstr_equal(plan_at(DAY("17", "12:00")), "0|0|0");
    assert_octstr_equal(test_db_rows(db,
                                     "select school_day, opened from absence.concern_check"
                                     " order by 1",
                                     SQL_END),
                        "2026-06-16|0\n");
    assert_octstr_equal(plan_at(DAY("17", "19:00")), "1|0|0");
    assert_octstr_equal(plan_at(DAY("17", "19:10")), "0|0|0");
    assert_octstr_equal(plan_at(DAY("16", "19:30")), "0|0|0");
    assert_octstr_equal(test_db_rows(db,
                                     "select school_day, opened from absence.concern_check"
                                     " order by 1",
                                     SQL_END),
                        "2026-06-16|0\n2026-06-17|1\n");
}

/* Monday absent, Tuesday present, Wednesday absent: no run. On Friday
 * Tuesday's register is corrected to absent, and Friday the student is
 * present: the next look still counts the corrected days (the correction
 * is noted in absence.mark_change), and only that student's. */
static void test_a_late_correction_counts_at_the_next_look(void **state)
{
    (void)state;
    student("S1", 101);
    student("S2", 102);
    days("S1", "15 16 17 18", "O/O/");
    days("S2", "15 16 17 18", "////");
    assert_octstr_equal(plan_at(DAY("18", "19:00")), "0|0|0");
    days("S1", "19", "/");
    days("S2", "19", "/");
    test_db_exec(db,
                 "update absence.attendance_mark m set mark = 'O' from absence.lesson l"
                 " where l.lesson_id = m.lesson_id and l.starts_at = $1::timestamptz"
                 "   and m.student_id = 'S1'",
                 DAY("16", "09:00"), SQL_END);
    assert_octstr_equal(
        test_db_rows(db, "select distinct student_id from absence.mark_change", SQL_END), "S1\n");
    assert_octstr_equal(plan_at(DAY("19", "19:00")), "1|0|0");
    assert_octstr_equal(concerns(), "S1|consecutive|{2026-06-15,2026-06-16,2026-06-17}|open|3\n");
    assert_octstr_equal(test_db_value(db, "select count(*) from absence.mark_change", SQL_END),
                        "0");
    /* a register of a day looked at loses a mark: its student is noted too */
    test_db_exec(db,
                 "delete from absence.attendance_mark m using absence.lesson l"
                 " where l.lesson_id = m.lesson_id and l.starts_at = $1::timestamptz"
                 "   and m.student_id = 'S2'",
                 DAY("16", "09:00"), SQL_END);
    assert_octstr_equal(test_db_rows(db, "select student_id from absence.mark_change", SQL_END),
                        "S2\n");
}

/* Planning ahead of the database's clock never counts a day as over. */
static void test_planning_ahead_looks_for_no_concern(void **state)
{
    (void)state;
    test_db_exec(db, "update absence.term set ends_on = current_date + 30", SQL_END);
    student("S1", 101);
    test_db_exec(db,
                 "insert into absence.lesson select 5000 + g, d + time '09:00', d + time '10:00',"
                 " d + time '09:05' from generate_series(1, 3) g,"
                 " lateral (select (current_date - 4 + g)::timestamp at time zone"
                 " 'Europe/London' as d) x",
                 SQL_END);
    test_db_exec(db,
                 "insert into absence.attendance_mark select lesson_id, 'S1', 'O'"
                 " from absence.lesson where lesson_id > 5000",
                 SQL_END);
    assert_octstr_equal(
        test_db_value(db,
                      "select concerns_opened from absence.plan(absence.policy_settings(),"
                      " now() + interval '3 days')",
                      SQL_END),
        "0");
    assert_octstr_equal(test_db_value(db, "select count(*) from absence.concern_check", SQL_END),
                        "0");
}

/* ---- the concern text ------------------------------------------------- */

static void test_the_concern_text_goes_to_the_absence_texts_guardians(void **state)
{
    (void)state;
    student("S1", 101);
    fx_parent(db, 102, "S1", "07700 900102");
    fx_parent(db, 103, "S1", "07700 900101"); /* the same number as 101 */
    fx_guardian(db, 104, "07700 900104", "suspended");
    fx_link(db, 104, "S1", "active", 0);
    fx_parent(db, 105, "S1", "01632 960105");
    days("S1", "15 16 17", "OOO");
    assert_octstr_equal(plan_at(DAY("17", "19:00")), "1|0|0");
    assert_octstr_equal(plan_at(DAY("18", "09:30")), "0|2|0");
    assert_octstr_equal(concern_texts(), "S1|101|pending|2026-06-18|Thu 18 09:30|Fri 19 19:00\n"
                                         "S1|102|pending|2026-06-18|Thu 18 09:30|Fri 19 19:00\n");
    assert_octstr_equal(concern_bodies(),
                        CONCERN_TEXT("S1", "3") "\n" CONCERN_TEXT("S1", "3") "\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select guardian_id, reason from absence.concern_skip"
                                     " order by guardian_id",
                                     SQL_END),
                        "103|duplicate-number\n104|account-not-active\n105|invalid-mobile\n");
    /* the texts are planned once */
    assert_octstr_equal(plan_at(DAY("18", "09:40")), "0|0|0");
}

/* The SQL renders the concern text as template.c does (the start-up
 * check's twin), an ID with braces and quotes carried verbatim. */
static void test_the_sql_renders_the_concern_text_as_the_c_does(void **state)
{
    static const char id[] = "O'Brien {days} \"%\\_01";
    Octstr *expected, *template = octstr_imm("Concern: {student_id}, {days} days. {link}");

    (void)state;
    expected = template_render_concern(template, octstr_imm(id), 12,
                                       octstr_imm("https://tinyurl.com/runabs"));
    assert_octstr_equal(test_db_value(db,
                                      "select absence.render_concern($1, "
                                      "'https://tinyurl.com/runabs', $2, 12)",
                                      octstr_get_cstr(template), id, SQL_END),
                        octstr_get_cstr(expected));
    assert_true(octstr_search(expected, octstr_imm(id), 0) > 0);
    octstr_destroy(expected);
}

/* A concern text is one SMS whatever max-segments allows absence texts: a
 * student ID too long for it gets no text, and the concerns list says why. */
static void test_a_concern_text_that_would_not_fit_one_sms_is_not_sent(void **state)
{
    static const char *const id = "STUDENT-ID-OF-FORTY-CHARACTERS-XXXXXXXX";

    (void)state;
    student(id, 101);
    days(id, "15 16 17", "OOO");
    octstr_destroy(plan_at(DAY("17", "19:00")));
    assert_octstr_equal(
        test_db_value(db,
                      "select concern_texts_planned from absence.plan(absence.policy_settings("
                      "'{\"max-segments\": 3}'), $1::timestamptz)",
                      DAY("18", "09:30"), SQL_END),
        "0");
    assert_octstr_equal(concern_texts(), "");
    assert_octstr_equal(test_db_value(db,
                                      "select texts from absence.concern_list("
                                      "absence.policy_settings(), false, null, null)",
                                      SQL_END),
                        "no text: it would not fit one SMS (a long student ID)");
}

/* Completed on a Friday: due on Monday morning, expired after Tuesday. */
static void test_a_concern_found_late_is_expired_never_sent_late(void **state)
{
    (void)state;
    student("S1", 101);
    days("S1", "17 18 19", "OOO");
    assert_octstr_equal(plan_at(DAY("19", "19:00")), "1|0|0");
    assert_octstr_equal(
        test_db_value(db,
                      "select to_char(text_due_at at time zone 'Europe/London', 'Dy DD HH24:MI')"
                      "    || ' ' || to_char(text_expires_at at time zone 'Europe/London',"
                      "                      'Dy DD HH24:MI')"
                      "  from absence.attendance_concern",
                      SQL_END),
        "Mon 22 09:30 Tue 23 19:00");
    /* the box was down until Wednesday */
    assert_octstr_equal(plan_at(DAY("24", "08:00")), "0|0|1");
    assert_octstr_equal(concern_texts(), "S1|101|expired|2026-06-22|Mon 22 09:30|Tue 23 19:00\n");
    assert_octstr_equal(
        test_db_rows(db,
                     "select method, direction, outcome, occurred_at = $1"
                     "  from absence.communication_log"
                     " where notification_id is not null and concern_id is not null",
                     DAY("24", "08:00"), SQL_END),
        "sms|out|expired|t\n");
}

/* Found only days after the pattern (a mark corrected late): the text
 * would go too late, so it is expired; the concern stays open for staff. */
static void test_a_pattern_found_days_later_gets_an_expired_text(void **state)
{
    (void)state;
    student("S1", 101);
    days("S1", "15 16 17 18 19 22", "OO/O//");
    assert_octstr_equal(plan_at(DAY("22", "19:00")), "0|0|0");
    test_db_exec(db,
                 "update absence.attendance_mark m set mark = 'O' from absence.lesson l"
                 " where l.lesson_id = m.lesson_id and l.starts_at = $1::timestamptz",
                 DAY("17", "09:00"), SQL_END);
    assert_octstr_equal(plan_at(DAY("23", "19:00")), "1|0|0");
    assert_octstr_equal(plan_at(DAY("24", "09:30")), "0|0|1");
    assert_octstr_equal(concerns(), "S1|consecutive|{2026-06-15,2026-06-16,2026-06-17}|open|4\n");
}

/* Delivered through the pipeline's report: the log row and the pastoral
 * entry in the same transaction, the concern notified. */
static void test_a_delivered_concern_text_is_logged_and_filed(void **state)
{
    (void)state;
    student("S1", 101);
    days("S1", "15 16 17", "OOO");
    octstr_destroy(plan_at(DAY("17", "19:00")));
    octstr_destroy(plan_at(DAY("18", "09:30")));
    test_db_exec(db,
                 "update absence.notification set status = 'sent', box_id = 'test-box'"
                 " where kind = 'concern'",
                 SQL_END);
    assert_octstr_equal(
        test_db_value(
            db,
            "select delivered from absence.apply_reports(absence.policy_settings(),"
            " 'test-box', array[gen_random_uuid()],"
            " array[(select token::text from absence.notification where kind = 'concern')],"
            " array[1], array['fake'], array['f1'], array[''])",
            SQL_END),
        "1");
    assert_octstr_equal(test_db_rows(db,
                                     "select student_id, guardian_id, method, direction, outcome,"
                                     "       recorded_by, concern_id is not null"
                                     "  from absence.communication_log where outcome = 'delivered'",
                                     SQL_END),
                        "S1|101|sms|out|delivered|test-box|t\n");
    assert_octstr_equal(
        test_db_rows(db, "select category, entry from absence.pastoral_log", SQL_END),
        "Attendance concern|Attendance concern text delivered to Guardian 101 "
        "(guardian 101) on +4477009****01 about S1's consecutive absence days "
        "(2026-06-15, 2026-06-16, 2026-06-17) in term 1: \"" CONCERN_TEXT("S1", "3") "\"\n");
    assert_octstr_equal(test_db_value(db, "select state from absence.attendance_concern", SQL_END),
                        "notified");
}

/* An absence text and a concern text may reach a parent on one day; two
 * of one kind never. */
static void test_one_text_of_each_kind_per_number_and_day(void **state)
{
    (void)state;
    student("S1", 101);
    days("S1", "15 16 17", "OOO");
    octstr_destroy(plan_at(DAY("17", "19:00")));
    lesson_at("S1", "18", 8, "O"); /* absent again on Thursday, 08:00-09:00 */
    assert_octstr_equal(plan_at(DAY("18", "09:30")), "0|1|0");
    assert_octstr_equal(test_db_rows(db,
                                     "select kind, school_day, status from absence.notification"
                                     " where school_day = '2026-06-18' order by kind",
                                     SQL_END),
                        "absence|2026-06-18|pending\nconcern|2026-06-18|pending\n");
    assert_octstr_equal(
        test_db_value(db,
                      "with i as (insert into absence.notification (kind, student_id,"
                      " guardian_id, lesson_id, school_day, recipient, body, due_at, expires_at)"
                      " values ('concern', 'S1', 101, 1, '2026-06-18', '+447700900101', 'x',"
                      " now(), now()) on conflict do nothing returning 1) select count(*) from i",
                      SQL_END),
        "0");
}

/* ---- the communication log ------------------------------------------- */

static void test_every_text_outcome_is_logged_with_its_status_change(void **state)
{
    (void)state;
    fx_absent_at_nine(db, "S1", "C01");
    assert_octstr_equal(fx_plan(db, "2026-06-15 10:20 Europe/London"), "1|1|0|0|0");
    test_db_exec(db, "update absence.notification set status = 'submitted'", SQL_END);
    test_db_exec(db, "update absence.notification set status = 'sent'", SQL_END);
    test_db_exec(db,
                 "update absence.notification set status = 'unconfirmed',"
                 " failure_reason = 'no final delivery report'",
                 SQL_END);
    test_db_exec(db, "update absence.notification set status = 'delivered'", SQL_END);
    test_db_exec(db, "update absence.notification set status = 'delivered'", SQL_END);
    assert_octstr_equal(test_db_rows(db,
                                     "select student_id, guardian_id, method, direction, outcome,"
                                     "       coalesce(note, '-'), concern_id is null"
                                     "  from absence.communication_log order by communication_id",
                                     SQL_END),
                        "S1|101|sms|out|unconfirmed|no final delivery report|t\n"
                        "S1|101|sms|out|delivered|-|t\n");
}

static void test_staff_log_a_contact(void **state)
{
    (void)state;
    student("S1", 101);
    days("S1", "15 16 17", "OOO");
    octstr_destroy(plan_at(DAY("17", "19:00")));
    assert_octstr_equal(
        test_db_value(db,
                      "select absence.log_contact('S1', 'phone', 'spoke to parent: ill', 'jsmith',"
                      " 101, (select concern_id from absence.attendance_concern), 'back Monday',"
                      " $1::timestamptz) is not null",
                      DAY("18", "10:15"), SQL_END),
        "t");
    assert_octstr_equal(test_db_rows(db,
                                     "select at, method, direction, guardian, concern is not "
                                     "null, outcome, recorded_by, note"
                                     "  from absence.communication_day(absence.policy_settings(),"
                                     "  'S1', '2026-06-18') c(id, at, method, direction,"
                                     "  guardian, number, concern, text, outcome, recorded_by,"
                                     "  note) where method = 'phone'",
                                     SQL_END),
                        "10:15:00|phone|out|101|t|spoke to parent: ill|jsmith|back Monday\n");
}

/* SQL must fail, nothing changed, with a message containing EXPECTED. */
static void assert_refused(const char *sql, const char *expected)
{
    Octstr *message = test_db_error(db, sql, SQL_END);

    if (octstr_search(message, octstr_imm(expected), 0) < 0)
        test_fail("expected an error with \"%s\", got: %s", expected, octstr_get_cstr(message));
    octstr_destroy(message);
}

static void test_log_contact_refuses_what_cannot_be_right(void **state)
{
    (void)state;
    student("S1", 101);
    student("S2", 102);
    assert_refused("select absence.log_contact('S9', 'phone', 'x', 'me')",
                   "there is no student S9");
    assert_refused("select absence.log_contact('S1', 'fax', 'x', 'me')",
                   "unknown method \"fax\": use phone, email, letter, meeting or sms");
    assert_refused("select absence.log_contact('S1', 'phone', ' ', 'me')",
                   "say what came of it with --outcome");
    assert_refused("select absence.log_contact('S1', 'phone', 'x', 'me', 102)",
                   "guardian 102 is not linked to student S1");
    assert_refused("select absence.log_contact('S1', 'phone', 'x', 'me', null, 77)",
                   "student S1 has no concern 77");
    assert_refused("select absence.log_contact('S1', 'phone', 'x', 'me', null, null, null,"
                   " now() + interval '1 day')",
                   "in the future");
    assert_octstr_equal(
        test_db_value(db, "select count(*) from absence.communication_log", SQL_END), "0");
}

/* ---- what staff do with a concern -------------------------------------- */

static void test_a_concern_moves_to_meeting_then_closed(void **state)
{
    (void)state;
    student("S1", 101);
    days("S1", "15 16 17", "OOO");
    octstr_destroy(plan_at(DAY("17", "19:00")));
    assert_refused("select absence.move_concern((select concern_id from"
                   " absence.attendance_concern), 'meeting', 'jsmith', ' ')",
                   "say what happened with --note");
    test_db_exec(db,
                 "select absence.move_concern((select concern_id from absence.attendance_concern),"
                 " 'meeting', 'jsmith', 'meeting with mother on Friday')",
                 SQL_END);
    assert_refused("select absence.move_concern((select concern_id from"
                   " absence.attendance_concern), 'meeting', 'jsmith', 'again')",
                   "is already at the meeting stage");
    test_db_exec(db,
                 "select absence.move_concern((select concern_id from absence.attendance_concern),"
                 " 'closed', 'jsmith', 'attendance plan agreed')",
                 SQL_END);
    assert_refused("select absence.move_concern((select concern_id from"
                   " absence.attendance_concern), 'closed', 'jsmith', 'again')",
                   "a closed concern stays closed");
    assert_refused("select absence.move_concern(424242, 'closed', 'jsmith', 'x')",
                   "there is no concern 424242");
    assert_octstr_equal(test_db_rows(db,
                                     "select state, note, closed_at is not null"
                                     "  from absence.attendance_concern",
                                     SQL_END),
                        "closed|attendance plan agreed|t\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select state_before, state_after, actor, note"
                                     "  from absence.concern_action order by action_id",
                                     SQL_END),
                        "open|meeting|jsmith|meeting with mother on Friday\n"
                        "meeting|closed|jsmith|attendance plan agreed\n");
}

/* ---- replay ----------------------------------------------------------- */

/* Three weeks of registers for several students, planned every morning at
 * 09:35 and evening at 19:05 as a box would; what was made. */
static Octstr *three_weeks(void)
{
    static const char *const weekdays[] = {"15", "16", "17", "18", "19", "22",
                                           "23", "24", "25", "26", "29", "30"};
    Octstr *made;
    char at[64];
    size_t i;

    for (i = 0; i < sizeof(weekdays) / sizeof(weekdays[0]); i++) {
        snprintf(at, sizeof(at), "2026-06-%s 09:35 Europe/London", weekdays[i]);
        octstr_destroy(plan_at(at));
        snprintf(at, sizeof(at), "2026-06-%s 19:05 Europe/London", weekdays[i]);
        octstr_destroy(plan_at(at));
    }
    made = test_db_rows(db,
                        "select k.student_id, k.rule, k.absence_days, k.detected_at, k.state,"
                        "       k.text_due_at, k.text_expires_at, k.texts_planned_at,"
                        "       k.term_absence_days"
                        "  from absence.attendance_concern k order by 1, 2",
                        SQL_END);
    append_destroying(made,
                      test_db_rows(db,
                                   "select n.kind, n.student_id, n.guardian_id, n.school_day,"
                                   "       n.recipient, n.body, n.status, n.due_at, n.expires_at,"
                                   "       n.status_changed_at"
                                   "  from absence.notification n order by 1, 2, 3, 4",
                                   SQL_END));
    append_destroying(made, test_db_rows(db,
                                         "select student_id, outcome, occurred_at"
                                         "  from absence.communication_log order by 1, 3, 2",
                                         SQL_END));
    return made;
}

static void test_a_replay_over_three_weeks_gives_the_same_concerns_and_texts(void **state)
{
    Octstr *first, *second;

    (void)state;
    student("A1", 101);
    student("B1", 102);
    student("C1", 103);
    student("P1", 104);
    student("D1", 105);
    days("A1", "15 16 17 18 19 22 23 24 25 26 29 30", "OOO/////////");
    days("B1", "15 16 17 18 19 22 23 24 25 26 29 30", "O//O//O/O/O/");
    days("C1", "15 16 17 18 19 22 23 24 25 26 29 30", "/O/O//OOO///");
    days("P1", "15 17 22 24 29", "O/OOO");
    days("D1", "15 16 17 18 19 22 23 24 25 26 29 30", "////////////");
    first = three_weeks();
    test_db_exec(db,
                 "truncate absence.communication_log, absence.concern_skip, "
                 "absence.concern_action, absence.concern_check, absence.pastoral_log, "
                 "absence.delivery_report, absence.notification_action, absence.guardian_skip, "
                 "absence.student_day, absence.attendance_concern, absence.reply_candidate, "
                 "absence.opt_out, absence.opt_out_change, absence.confirmation_text, "
                 "absence.reply, absence.notification",
                 SQL_END);
    second = three_weeks();
    assert_octstr_equal(second, octstr_get_cstr(first));
    assert_octstr_equal(concerns(),
                        "A1|consecutive|{2026-06-15,2026-06-16,2026-06-17}|open|3\n"
                        "B1|cumulative|{2026-06-15,2026-06-18,2026-06-23,2026-06-25,2026-06-29}"
                        "|open|5\n"
                        "C1|consecutive|{2026-06-23,2026-06-24,2026-06-25}|open|5\n"
                        "C1|cumulative|{2026-06-16,2026-06-18,2026-06-23,2026-06-24,2026-06-25}"
                        "|open|5\n"
                        "P1|consecutive|{2026-06-22,2026-06-24,2026-06-29}|open|4\n");
    assert_octstr_equal(concern_texts(), "A1|101|pending|2026-06-18|Thu 18 09:30|Fri 19 19:00\n"
                                         "B1|102|pending|2026-06-30|Tue 30 09:30|Wed 01 19:00\n"
                                         "C1|103|pending|2026-06-26|Fri 26 09:30|Mon 29 19:00\n"
                                         "P1|104|pending|2026-06-30|Tue 30 09:30|Wed 01 19:00\n");
    octstr_destroy(first);
}

int main(void)
{
    static const struct CMUnitTest tests[] = {
#define CONCERN_TEST(f) cmocka_unit_test_setup_teardown(f, begin_with_term, fixture_rollback)
        CONCERN_TEST(test_three_days_in_a_row_open_a_concern_once_the_third_is_over),
        CONCERN_TEST(test_a_present_day_breaks_the_run),
        CONCERN_TEST(test_one_absent_lesson_makes_an_absence_day),
        CONCERN_TEST(test_a_corrected_mark_breaks_the_run),
        CONCERN_TEST(test_a_weekend_does_not_break_the_run),
        CONCERN_TEST(test_a_day_without_lessons_does_not_break_the_run),
        CONCERN_TEST(test_a_part_time_students_own_days_make_the_run),
        CONCERN_TEST(test_absences_before_the_term_do_not_count),
        CONCERN_TEST(test_days_outside_every_term_open_nothing),
        CONCERN_TEST(test_a_second_run_in_the_term_opens_nothing),
        CONCERN_TEST(test_five_absence_days_in_a_term_open_a_cumulative_concern),
        CONCERN_TEST(test_both_rules_fire_for_one_student_with_one_text),
        CONCERN_TEST(test_ineligible_students_get_no_concern),
        CONCERN_TEST(test_thresholds_come_from_the_settings),
        CONCERN_TEST(test_each_day_is_evaluated_once),
        CONCERN_TEST(test_a_late_correction_counts_at_the_next_look),
        CONCERN_TEST(test_planning_ahead_looks_for_no_concern),
        CONCERN_TEST(test_the_concern_text_goes_to_the_absence_texts_guardians),
        CONCERN_TEST(test_the_sql_renders_the_concern_text_as_the_c_does),
        CONCERN_TEST(test_a_concern_text_that_would_not_fit_one_sms_is_not_sent),
        CONCERN_TEST(test_a_concern_found_late_is_expired_never_sent_late),
        CONCERN_TEST(test_a_pattern_found_days_later_gets_an_expired_text),
        CONCERN_TEST(test_a_delivered_concern_text_is_logged_and_filed),
        CONCERN_TEST(test_one_text_of_each_kind_per_number_and_day),
        CONCERN_TEST(test_every_text_outcome_is_logged_with_its_status_change),
        CONCERN_TEST(test_staff_log_a_contact),
        CONCERN_TEST(test_log_contact_refuses_what_cannot_be_right),
        CONCERN_TEST(test_a_concern_moves_to_meeting_then_closed),
        CONCERN_TEST(test_a_replay_over_three_weeks_gives_the_same_concerns_and_texts),
#undef CONCERN_TEST
    };

    return cmocka_run_group_tests_name("concerns", tests, group_setup, fixture_close);
}
