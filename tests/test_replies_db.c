/*
 * test_replies_db.c - parents' replies (README, "8. Replies from
 * parents"): how a reply's body becomes text, how it is stored once and
 * matched to the latest text sent to its number within reply-window (with
 * the other students as candidates), stop and start words with their one
 * confirmation each, the opted-out skip reason for absence and concern
 * texts, and confirmations going through the claim, ack and report steps.
 *
 * The calendar is June 2026 at the college (Europe/London). Parent 101 is
 * on 07700 900101 (+447700900101).
 */
#include "gw/sms.h"

#include "fixture.h"
#include "reply.h"

#define DAY(d, hhmm) "2026-06-" d " " hhmm " Europe/London"
#define PARENT "+447700900101"
#define STOP_CONFIRMATION                                                                          \
    "You will get no more attendance texts from the college on this number. To get them again, "   \
    "reply START"
#define START_CONFIRMATION                                                                         \
    "You will get attendance texts from the college on this number again. To stop them, reply "    \
    "STOP"

static PGconn *db;

/* ---- the body as text (no database) -------------------------------------- */

static Msg *incoming(const char *data, long len, long coding)
{
    Msg *msg = msg_create(sms);

    msg->sms.sms_type = mo;
    msg->sms.msgdata = octstr_create_from_data(data, len);
    msg->sms.coding = coding;
    return msg;
}

static void assert_body(const char *data, long len, long coding, const char *expected)
{
    Msg *msg = incoming(data, len, coding);

    assert_octstr_equal(reply_body_text(msg), expected);
    msg_destroy(msg);
}

static void test_a_ucs2_body_with_an_emoji_becomes_utf8(void **state)
{
    /* "Hi " then U+1F44D (thumbs up) as a surrogate pair, then "!" */
    static const char ucs2[] = "\0H\0i\0 \xD8\x3D\xDC\x4D\0!";

    (void)state;
    assert_body(ucs2, sizeof(ucs2) - 1, DC_UCS2, "Hi \xF0\x9F\x91\x8D!");
}

static void test_gsm_text_is_already_utf8(void **state)
{
    (void)state;
    assert_body("Caf\xC3\xA9 \xE2\x82\xAC 5", 11, DC_7BIT, "Caf\xC3\xA9 \xE2\x82\xAC 5");
}

static void test_bytes_that_are_not_utf8_are_read_as_latin1(void **state)
{
    (void)state;
    assert_body("Caf\xE9", 4, DC_8BIT, "Caf\xC3\xA9");
    /* an overlong "/" and a lone surrogate are not UTF-8 either */
    assert_body("\xC0\xAF", 2, DC_7BIT, "\xC3\x80\xC2\xAF");
    assert_body("\xED\xA0\x80", 3, DC_7BIT, "\xC3\xAD\xC2\xA0\xC2\x80");
}

static void test_a_nul_becomes_the_replacement_character(void **state)
{
    (void)state;
    assert_body("a\0b", 3, DC_7BIT,
                "a\xEF\xBF\xBD"
                "b");
}

static void test_only_mo_messages_are_replies(void **state)
{
    Msg *msg = incoming("x", 1, DC_7BIT), *report = incoming("x", 1, DC_7BIT);

    (void)state;
    report->sms.sms_type = report_mo;
    assert_true(reply_is_incoming(msg));
    assert_false(reply_is_incoming(report));
    msg_destroy(msg);
    msg_destroy(report);
}

/* ---- storing and matching -------------------------------------------------- */

static int group_setup(void **state)
{
    *state = db = fixture_open_migrated("absence_test_replies");
    return db == NULL ? -1 : 0;
}

/* Replies as bearerbox passes them, one per (AT, FROM, BODY) triple, ending
 * with NULL, each with a new message id; "received|duplicates|matched|
 * unmatched|opted out|opted in". */
static Octstr *receive(const char *at, const char *from, const char *body, ...)
{
    Octstr *ats = octstr_create("{"), *froms = octstr_create("{"), *bodies = octstr_create("{");
    Octstr *rows;
    va_list args;

    va_start(args, body);
    while (at != NULL) {
        octstr_format_append(ats, "%s\"%s\"", octstr_len(ats) > 1 ? "," : "", at);
        octstr_format_append(froms, "%s\"%s\"", octstr_len(froms) > 1 ? "," : "", from);
        octstr_format_append(bodies, "%s\"%s\"", octstr_len(bodies) > 1 ? "," : "", body);
        at = va_arg(args, const char *);
        if (at != NULL) {
            from = va_arg(args, const char *);
            body = va_arg(args, const char *);
        }
    }
    va_end(args);
    octstr_append_char(ats, '}');
    octstr_append_char(froms, '}');
    octstr_append_char(bodies, '}');
    rows = test_db_rows(
        db,
        "with r as (select a, f, b, o from unnest($1::timestamptz[], $2::text[], $3::text[])"
        "             with ordinality as u(a, f, b, o))"
        "select * from absence.receive_replies(absence.policy_settings(), 'test-box',"
        "  (select array_agg(gen_random_uuid() order by o) from r),"
        "  (select array_agg(extract(epoch from a)::bigint order by o) from r),"
        "  (select array_agg(f order by o) from r),"
        "  (select array_agg('447700900000'::text) from r),"
        "  (select array_agg(b order by o) from r), (select array_agg(0) from r),"
        "  (select array_agg(encode(convert_to(b, 'UTF8'), 'hex') order by o) from r),"
        "  (select array_agg('smpp'::text) from r))",
        octstr_get_cstr(ats), octstr_get_cstr(froms), octstr_get_cstr(bodies), SQL_END);
    octstr_destroy(ats);
    octstr_destroy(froms);
    octstr_destroy(bodies);
    octstr_delete(rows, octstr_len(rows) - 1, 1);
    return rows;
}

/* Every reply: "sender|body|keyword|student|guardian|notification" in order. */
static Octstr *replies(void)
{
    return test_db_rows(db,
                        "select sender, body, keyword, student_id, guardian_id, notification_id"
                        "  from absence.reply order by reply_id",
                        SQL_END);
}

/* STUDENT (with their parents already linked) absent at nine on June DAY,
 * planned at 10:20 and delivered, each text sent at SENT_AT; the id of the
 * student's latest text. */
static Octstr *texted(const char *student_id, const char *day, const char *sent_at)
{
    static long lesson = 100;
    char starts[64], ends[64], taken[64], at[64];

    snprintf(starts, sizeof(starts), "2026-06-%s 09:00 Europe/London", day);
    snprintf(ends, sizeof(ends), "2026-06-%s 10:00 Europe/London", day);
    snprintf(taken, sizeof(taken), "2026-06-%s 09:05 Europe/London", day);
    snprintf(at, sizeof(at), "2026-06-%s 10:20 Europe/London", day);
    fx_lesson(db, ++lesson, starts, ends, taken);
    fx_mark(db, lesson, student_id, "O");
    octstr_destroy(fx_plan(db, at));
    test_db_exec(db,
                 "update absence.notification set status = 'delivered', submitted_at = $2,"
                 "       sent_at = $2, delivered_at = $2"
                 " where student_id = $1 and status = 'pending'",
                 student_id, sent_at, SQL_END);
    return test_db_value(db,
                         "select max(notification_id) from absence.notification"
                         " where student_id = $1",
                         student_id, SQL_END);
}

/* A student of status C01 with parent GUARDIAN on MOBILE. */
static void student(const char *student_id, long guardian, const char *mobile)
{
    fx_student(db, student_id, "C01");
    fx_parent(db, guardian, student_id, mobile);
}

static void test_a_reply_is_matched_to_the_latest_text_to_its_number(void **state)
{
    char expected[256];
    Octstr *first, *latest;

    (void)state;
    student("S1", 101, "07700 900101");
    first = texted("S1", "15", DAY("15", "10:21"));
    latest = texted("S1", "16", DAY("16", "10:21"));
    assert_octstr_equal(
        receive(DAY("16", "10:40"), "447700900101", "He is ill, back tomorrow", NULL),
        "1|0|1|0|0|0");
    snprintf(expected, sizeof(expected), PARENT "|He is ill, back tomorrow|~|S1|101|%s\n",
             octstr_get_cstr(latest));
    assert_octstr_equal(replies(), expected);
    /* the reply is in the communication log, coming in */
    assert_octstr_equal(
        test_db_rows(db,
                     "select student_id, guardian_id, notification_id = $1::bigint,"
                     "       reply_id is not null, method, direction,"
                     "       occurred_at = $2::timestamptz, outcome, recorded_by, note"
                     "  from absence.communication_log where direction = 'in'",
                     octstr_get_cstr(latest), DAY("16", "10:40"), SQL_END),
        "S1|101|t|t|sms|in|t|reply received|test-box|He is ill, back tomorrow\n");
    octstr_destroy(first);
    octstr_destroy(latest);
}

static void test_the_window_bounds_the_match(void **state)
{
    Octstr *text;

    (void)state;
    student("S1", 101, "07700 900101");
    text = texted("S1", "15", DAY("15", "10:21"));
    /* before the text went, and reply-window (7 days) after it, nothing matches */
    assert_octstr_equal(receive(DAY("15", "10:20:59"), PARENT, "early", DAY("22", "10:21"), PARENT,
                                "a week later", DAY("22", "10:20:59"), PARENT, "just in time",
                                NULL),
                        "3|0|1|2|0|0");
    assert_octstr_equal(test_db_rows(db,
                                     "select body, student_id from absence.reply"
                                     " order by reply_id",
                                     SQL_END),
                        "early|~\na week later|~\njust in time|S1\n");
    /* only a matched reply is logged; an unmatched one is kept, never lost */
    assert_octstr_equal(test_db_value(db,
                                      "select count(*) from absence.communication_log"
                                      " where direction = 'in'",
                                      SQL_END),
                        "1");
    octstr_destroy(text);
}

static void test_a_reply_stamped_in_the_texts_second_matches_it(void **state)
{
    (void)state;
    student("S1", 101, "07700 900101");
    octstr_destroy(texted("S1", "15", DAY("15", "10:21:00.4")));
    /* bearerbox's clock has whole seconds */
    assert_octstr_equal(receive(DAY("15", "10:21:00"), PARENT, "ok", NULL), "1|0|1|0|0|0");
}

static void test_the_window_is_a_setting(void **state)
{
    (void)state;
    student("S1", 101, "07700 900101");
    octstr_destroy(texted("S1", "15", DAY("15", "10:21")));
    test_db_exec(db,
                 "select * from absence.receive_replies(absence.policy_settings("
                 "  '{\"reply-window\": 3600}'), 'test-box', array[gen_random_uuid(),"
                 "  gen_random_uuid()], array[extract(epoch from $1::timestamptz)::bigint,"
                 "  extract(epoch from $2::timestamptz)::bigint], array['07700900101',"
                 "  '07700900101'], array['x', 'x'], array['in', 'out'], array[0, 0],"
                 "  array['', ''], array[null, null]::text[])",
                 DAY("15", "11:20"), DAY("15", "11:21"), SQL_END);
    assert_octstr_equal(test_db_rows(db,
                                     "select body, student_id from absence.reply"
                                     " order by reply_id",
                                     SQL_END),
                        "in|S1\nout|~\n");
}

static void test_a_number_texted_about_two_students_lists_the_other_as_candidate(void **state)
{
    Octstr *s1, *s2;
    char expected[128];

    (void)state;
    student("S1", 101, "07700 900101");
    fx_student(db, "S2", "C01");
    fx_link(db, 101, "S2", "active", 0);
    s1 = texted("S1", "15", DAY("15", "10:21"));
    s2 = texted("S2", "16", DAY("16", "10:21"));
    assert_octstr_equal(receive(DAY("16", "12:00"), PARENT, "Which one?", NULL), "1|0|1|0|0|0");
    assert_octstr_equal(test_db_rows(db, "select student_id from absence.reply", SQL_END), "S2\n");
    snprintf(expected, sizeof(expected), "S1|101|%s\n", octstr_get_cstr(s1));
    assert_octstr_equal(test_db_rows(db,
                                     "select student_id, guardian_id, notification_id"
                                     "  from absence.reply_candidate",
                                     SQL_END),
                        expected);
    octstr_destroy(s1);
    octstr_destroy(s2);
}

static void test_senders_are_normalised(void **state)
{
    (void)state;
    student("S1", 101, "07700 900101");
    octstr_destroy(texted("S1", "15", DAY("15", "10:21")));
    assert_octstr_equal(receive(DAY("15", "11:00"), "447700900101", "a", DAY("15", "11:01"),
                                "+447700900101", "b", DAY("15", "11:02"), "07700 900101", "c",
                                DAY("15", "11:03"), "33612345678", "d", DAY("15", "11:04"),
                                "College", "e", NULL),
                        "5|0|3|2|0|0");
    assert_octstr_equal(test_db_rows(db,
                                     "select sender, sender_as_sent, student_id"
                                     "  from absence.reply order by reply_id",
                                     SQL_END),
                        PARENT "|447700900101|S1\n" PARENT "|+447700900101|S1\n" PARENT
                               "|07700 900101|S1\n"
                               "+33612345678|33612345678|~\n"
                               "College|College|~\n");
}

static void test_a_redelivered_reply_is_stored_once(void **state)
{
    static const char sql[] =
        "select received, duplicates from absence.receive_replies(absence.policy_settings(),"
        " 'test-box', array['6f1b2a34-1d2e-4c5f-8a9b-0c1d2e3f4a5b'::uuid], array[0::bigint],"
        " array['447700900101'], array['447700900000'], array['STOP'], array[0],"
        " array['53544f50'], array[null]::text[])";

    (void)state;
    assert_octstr_equal(test_db_rows(db, sql, SQL_END), "1|0\n");
    assert_octstr_equal(test_db_rows(db, sql, SQL_END), "0|1\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select count(*), encode((array_agg(raw))[1], 'escape')"
                                     "  from absence.reply",
                                     SQL_END),
                        "1|STOP\n");
    /* and its stop word was applied, and confirmed, once */
    assert_octstr_equal(test_db_rows(db,
                                     "select (select count(*) from absence.opt_out_change),"
                                     "       (select count(*) from absence.confirmation_text)",
                                     SQL_END),
                        "1|1\n");
}

static void test_a_reply_without_a_usable_time_is_stored_at_now(void **state)
{
    (void)state;
    assert_octstr_equal(
        test_db_rows(db,
                     "select received from absence.receive_replies(absence.policy_settings(),"
                     " 'test-box', array[gen_random_uuid(), gen_random_uuid()],"
                     " array[0, 99999999999999]::bigint[], array['447700900101', '447700900101'],"
                     " array[null, null]::text[], array['a', 'b'], array[0, 0], array['61', '62'],"
                     " array[null, null]::text[])",
                     SQL_END),
        "2\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select body, received_at = now(), receiver"
                                     "  from absence.reply order by reply_id",
                                     SQL_END),
                        "a|t|\nb|t|\n");
}

/* ---- stop and start -------------------------------------------------------------- */

/* Every opt-out now, and every confirmation: "recipient|via|kind|status|body". */
static Octstr *opt_outs(void)
{
    return test_db_rows(db,
                        "select recipient, via, reply_id is not null, recorded_by"
                        "  from absence.opt_out order by recipient",
                        SQL_END);
}

static Octstr *confirmations(void)
{
    return test_db_rows(db,
                        "select recipient, kind, status, body from absence.confirmation_text"
                        " order by confirmation_id",
                        SQL_END);
}

static void test_stop_words_in_any_case_and_spacing_opt_the_number_out(void **state)
{
    (void)state;
    assert_octstr_equal(receive(DAY("15", "11:00"), "07700900101", "  stop ", DAY("15", "11:01"),
                                "07700900102", "Unsubscribe\r\n", DAY("15", "11:02"), "07700900103",
                                "STOP", DAY("15", "11:03"), "07700900104", "stop please",
                                DAY("15", "11:04"), "07700900105", "\tStOp\t", NULL),
                        "5|0|0|5|4|0");
    assert_octstr_equal(
        test_db_rows(db, "select keyword from absence.reply order by reply_id", SQL_END),
        "stop\nstop\nstop\n~\nstop\n");
    assert_octstr_equal(opt_outs(), "+447700900101|reply|t|test-box\n"
                                    "+447700900102|reply|t|test-box\n"
                                    "+447700900103|reply|t|test-box\n"
                                    "+447700900105|reply|t|test-box\n");
    assert_octstr_equal(test_db_value(db,
                                      "select count(*) from absence.confirmation_text"
                                      " where kind = 'stop' and body = $1",
                                      STOP_CONFIRMATION, SQL_END),
                        "4");
}

static void test_a_second_stop_sends_no_second_confirmation(void **state)
{
    (void)state;
    assert_octstr_equal(
        receive(DAY("15", "11:00"), PARENT, "STOP", DAY("15", "11:05"), PARENT, "stop", NULL),
        "2|0|0|2|1|0");
    assert_octstr_equal(receive(DAY("15", "11:10"), PARENT, "UNSUBSCRIBE", NULL), "1|0|0|1|0|0");
    assert_octstr_equal(
        test_db_value(db, "select count(*) from absence.confirmation_text", SQL_END), "1");
    assert_octstr_equal(test_db_rows(db,
                                     "select to_char(opted_out_at at time zone 'Europe/London',"
                                     " 'DD HH24:MI') from absence.opt_out",
                                     SQL_END),
                        "15 11:00\n");
}

static void test_start_opts_the_number_in_again_with_one_confirmation(void **state)
{
    (void)state;
    assert_octstr_equal(receive(DAY("15", "11:00"), PARENT, "start", NULL), "1|0|0|1|0|0");
    assert_octstr_equal(confirmations(), "");
    assert_octstr_equal(receive(DAY("15", "11:01"), PARENT, "Stop", NULL), "1|0|0|1|1|0");
    /* the stop's confirmation is sent, then the number says START */
    test_db_exec(db, "update absence.confirmation_text set status = 'delivered'", SQL_END);
    assert_octstr_equal(receive(DAY("15", "11:30"), PARENT, " START ", NULL), "1|0|0|1|0|1");
    assert_octstr_equal(opt_outs(), "");
    assert_octstr_equal(confirmations(), PARENT "|stop|delivered|" STOP_CONFIRMATION "\n" PARENT
                                                "|start|pending|" START_CONFIRMATION "\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select action, via, to_char(changed_at at time zone"
                                     " 'Europe/London', 'HH24:MI') from absence.opt_out_change"
                                     " order by change_id",
                                     SQL_END),
                        "out|reply|11:01\nin|reply|11:30\n");
}

static void test_the_last_word_holds_when_stop_and_start_cross(void **state)
{
    (void)state;
    assert_octstr_equal(
        receive(DAY("15", "11:00"), PARENT, "STOP", DAY("15", "11:00:30"), PARENT, "START", NULL),
        "2|0|0|2|1|1");
    assert_octstr_equal(opt_outs(), "");
    /* the stop's confirmation had not gone: only the start's goes */
    assert_octstr_equal(test_db_rows(db,
                                     "select kind, status from absence.confirmation_text"
                                     " order by confirmation_id",
                                     SQL_END),
                        "stop|expired\nstart|pending\n");
}

static void test_a_stop_expires_the_numbers_texts_not_yet_sent(void **state)
{
    (void)state;
    fx_absent_at_nine(db, "S1", "C01");
    assert_octstr_equal(fx_plan(db, DAY("15", "10:20")), "1|1|0|0|0");
    assert_octstr_equal(receive(DAY("15", "10:20:30"), PARENT, "STOP", NULL), "1|0|0|1|1|0");
    assert_octstr_equal(
        test_db_rows(db, "select status, failure_reason from absence.notification", SQL_END),
        "expired|not sent: the number opted out (by reply) before it went out\n");
}

static void test_an_opted_out_number_is_skipped_with_its_reason(void **state)
{
    (void)state;
    fx_absent_at_nine(db, "S1", "C01");
    fx_parent(db, 102, "S1", "07700 900102");
    fx_parent(db, 103, "S1", "07700 900101"); /* 101's number */
    octstr_destroy(receive(DAY("14", "20:00"), PARENT, "STOP", NULL));
    assert_octstr_equal(fx_plan(db, DAY("15", "10:20")), "1|1|0|2|0");
    assert_octstr_equal(fx_texts(db), "S1|102|+447700900102|pending\n");
    assert_octstr_equal(fx_skips(db), "S1|101|opted-out\nS1|103|opted-out\n");
    assert_octstr_equal(
        test_db_rows(db,
                     "select guardian, outcome from absence.explain_guardians("
                     "absence.policy_settings(), 'S1', '2026-06-16') order by guardian",
                     SQL_END),
        "101|skipped: opted-out (by reply on 2026-06-14 20:00)\n"
        "102|no text: no absence that day\n"
        "103|skipped: opted-out (by reply on 2026-06-14 20:00)\n");
}

static void test_an_opted_out_number_gets_no_concern_text(void **state)
{
    static long lesson = 500;
    const char *day[] = {"15", "16", "17"};
    char starts[64], ends[64], taken[64];
    int i;

    (void)state;
    test_db_exec(db, "insert into absence.term values (1, 'Summer', '2026-06-01', '2026-07-17')",
                 SQL_END);
    student("S1", 101, "07700 900101");
    fx_parent(db, 102, "S1", "07700 900102");
    for (i = 0; i < 3; i++) {
        snprintf(starts, sizeof(starts), "2026-06-%s 09:00 Europe/London", day[i]);
        snprintf(ends, sizeof(ends), "2026-06-%s 10:00 Europe/London", day[i]);
        snprintf(taken, sizeof(taken), "2026-06-%s 09:05 Europe/London", day[i]);
        fx_lesson(db, ++lesson, starts, ends, taken);
        fx_mark(db, lesson, "S1", "O");
    }
    octstr_destroy(receive(DAY("14", "20:00"), "07700900102", "stop", NULL));
    test_db_exec(db, "select absence.plan(absence.policy_settings(), $1::timestamptz, 'b')",
                 DAY("17", "19:00"), SQL_END);
    test_db_exec(db, "select absence.plan(absence.policy_settings(), $1::timestamptz, 'b')",
                 DAY("18", "09:30"), SQL_END);
    assert_octstr_equal(test_db_rows(db,
                                     "select guardian_id, recipient from absence.notification"
                                     " where kind = 'concern'",
                                     SQL_END),
                        "101|" PARENT "\n");
    assert_octstr_equal(
        test_db_rows(db, "select guardian_id, reason from absence.concern_skip", SQL_END),
        "102|opted-out\n");
}

/* ---- confirmations go out like every text ------------------------------------------ */

static void test_a_confirmation_waits_for_the_day(void **state)
{
    static const char sql[] =
        "select to_char(due_at at time zone 'Europe/London', 'DD HH24:MI'),"
        "       to_char(expires_at at time zone 'Europe/London', 'DD HH24:MI')"
        "  from absence.confirmation_window(absence.policy_settings(), $1::timestamptz)";

    (void)state;
    assert_octstr_equal(test_db_rows(db, sql, DAY("15", "07:59"), SQL_END), "15 08:00|15 19:00\n");
    assert_octstr_equal(test_db_rows(db, sql, DAY("15", "12:34"), SQL_END), "15 12:34|15 19:00\n");
    assert_octstr_equal(test_db_rows(db, sql, DAY("15", "19:00"), SQL_END), "16 08:00|16 19:00\n");
    assert_octstr_equal(test_db_rows(db, sql, DAY("15", "23:30"), SQL_END), "16 08:00|16 19:00\n");
}

static void test_a_confirmation_is_claimed_acked_and_reported_without_a_pastoral_entry(void **state)
{
    (void)state;
    octstr_destroy(receive(DAY("15", "11:00"), PARENT, "STOP", NULL));
    /* due now whatever the time of this test */
    test_db_exec(db,
                 "update absence.confirmation_text set due_at = now() - interval '1 minute',"
                 " expires_at = now() + interval '1 hour'",
                 SQL_END);
    assert_octstr_equal(test_db_rows(db,
                                     "select notification_id, recipient, body, confirmation_id > 0"
                                     "  from absence.claim_texts('test-box', 10)",
                                     SQL_END),
                        "~|" PARENT "|" STOP_CONFIRMATION "|t\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select * from absence.apply_acks(array(select message_id"
                                     " from absence.confirmation_text), array[0])",
                                     SQL_END),
                        "1|0|0\n");
    assert_octstr_equal(
        test_db_rows(db,
                     "select reports, unknown, delivered from absence.apply_reports("
                     "absence.policy_settings(), 'test-box', array[gen_random_uuid()],"
                     " array(select token::text from absence.confirmation_text),"
                     " array[1], array['smpp'], array['f1'], array['ok'])",
                     SQL_END),
        "1|0|1\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select status, smsc_id, foreign_id,"
                                     " (select count(*) from absence.pastoral_log),"
                                     " (select count(*) from absence.delivery_report"
                                     "   where confirmation_id is not null)"
                                     "  from absence.confirmation_text",
                                     SQL_END),
                        "delivered|smpp|f1|0|1\n");
}

static void test_no_text_is_claimed_for_an_opted_out_number(void **state)
{
    (void)state;
    fx_absent_at_nine(db, "S1", "C01");
    assert_octstr_equal(fx_plan(db, DAY("15", "10:20")), "1|1|0|0|0");
    /* a pending text whose number opted out behind the planner's back */
    test_db_exec(db,
                 "update absence.notification set due_at = now() - interval '1 minute',"
                 " expires_at = now() + interval '1 hour'",
                 SQL_END);
    test_db_exec(db,
                 "insert into absence.opt_out (recipient, opted_out_at, via, recorded_by, reason)"
                 " values ($1, now(), 'staff', 'office', 'asked by phone')",
                 PARENT, SQL_END);
    assert_octstr_equal(
        test_db_value(db, "select count(*) from absence.claim_texts('b', 10)", SQL_END), "0");
    test_db_exec(db, "delete from absence.opt_out", SQL_END);
    assert_octstr_equal(
        test_db_value(db, "select count(*) from absence.claim_texts('b', 10)", SQL_END), "1");
}

static void test_a_body_is_kept_as_sent(void **state)
{
    (void)state;
    assert_octstr_equal(receive(DAY("15", "11:00"), PARENT,
                                "Thanks \xF0\x9F\x91\x8D she's at the dentist, back at 2", NULL),
                        "1|0|0|1|0|0");
    assert_octstr_equal(test_db_rows(db,
                                     "select body, convert_from(raw, 'UTF8') = body, receiver"
                                     "  from absence.reply",
                                     SQL_END),
                        "Thanks \xF0\x9F\x91\x8D she's at the dentist, back at 2|t|447700900000\n");
}

int main(void)
{
#define DB_TEST(f) cmocka_unit_test_setup_teardown(f, fixture_begin, fixture_rollback)
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_ucs2_body_with_an_emoji_becomes_utf8),
        cmocka_unit_test(test_gsm_text_is_already_utf8),
        cmocka_unit_test(test_bytes_that_are_not_utf8_are_read_as_latin1),
        cmocka_unit_test(test_a_nul_becomes_the_replacement_character),
        cmocka_unit_test(test_only_mo_messages_are_replies),
        DB_TEST(test_a_reply_is_matched_to_the_latest_text_to_its_number),
        DB_TEST(test_the_window_bounds_the_match),
        DB_TEST(test_a_reply_stamped_in_the_texts_second_matches_it),
        DB_TEST(test_the_window_is_a_setting),
        DB_TEST(test_a_number_texted_about_two_students_lists_the_other_as_candidate),
        DB_TEST(test_senders_are_normalised),
        DB_TEST(test_a_redelivered_reply_is_stored_once),
        DB_TEST(test_a_reply_without_a_usable_time_is_stored_at_now),
        DB_TEST(test_stop_words_in_any_case_and_spacing_opt_the_number_out),
        DB_TEST(test_a_second_stop_sends_no_second_confirmation),
        DB_TEST(test_start_opts_the_number_in_again_with_one_confirmation),
        DB_TEST(test_the_last_word_holds_when_stop_and_start_cross),
        DB_TEST(test_a_stop_expires_the_numbers_texts_not_yet_sent),
        DB_TEST(test_an_opted_out_number_is_skipped_with_its_reason),
        DB_TEST(test_an_opted_out_number_gets_no_concern_text),
        DB_TEST(test_a_confirmation_waits_for_the_day),
        DB_TEST(test_a_confirmation_is_claimed_acked_and_reported_without_a_pastoral_entry),
        DB_TEST(test_no_text_is_claimed_for_an_opted_out_number),
        DB_TEST(test_a_body_is_kept_as_sent),
    };
#undef DB_TEST

    return cmocka_run_group_tests_name("replies", tests, group_setup, fixture_close);
}
