/*
 * test_box_db.c - the box's database steps (plugin/sql/functions/texts.sql)
 * one transition at a time: claim, acks, reports and the pastoral log,
 * expiry, unconfirmed texts, release, and two boxes claiming at once.
 * Every test runs in a transaction that is rolled back, except the
 * two-box test, which needs two sessions.
 */
#include "fixture.h"

#define AT(hhmmss) "2026-06-15 " hhmmss " Europe/London"

static PGconn *db;

static int group_setup(void **state)
{
    *state = db = fixture_open_migrated("absence_test_box");
    return db == NULL ? -1 : 0;
}

/* N pending texts, due an hour ago and expiring in an hour, for student S1
 * to guardians 101.. on 07700 900101.. */
static void pending_texts(int n)
{
    char count[16];

    snprintf(count, sizeof(count), "%d", n);
    fx_student(db, "S1", "C01");
    fx_lesson(db, 1, AT("09:00"), AT("10:00"), AT("09:05"));
    test_db_exec(db,
                 "insert into absence.guardian (guardian_id, name, mobile, account_status) "
                 "select 100 + g, 'Parent ' || g, '07700 900' || (100 + g), 'active' "
                 "from generate_series(1, $1::integer) g",
                 count, SQL_END);
    test_db_exec(db,
                 "insert into absence.notification (student_id, guardian_id, lesson_id, "
                 "school_day, recipient, body, due_at, expires_at) "
                 "select 'S1', 100 + g, 1, '2026-06-15', '+447700900' || (100 + g), "
                 "'Student S1 did not attend their lesson today at 09:00.', "
                 "now() - interval '1 hour', now() + interval '1 hour' "
                 "from generate_series(1, $1::integer) g",
                 count, SQL_END);
}

static Octstr *statuses(void)
{
    return test_db_rows(db,
                        "select guardian_id, status from absence.notification "
                        "order by guardian_id",
                        SQL_END);
}

/* Claim for BOX (up to LIMIT); "notification_id|recipient" rows. */
static Octstr *claim(const char *box, const char *limit)
{
    return test_db_rows(db,
                        "select notification_id - (select min(notification_id) - 1 "
                        "from absence.notification), recipient "
                        "from absence.claim_texts($1, $2::integer) order by 1",
                        box, limit, SQL_END);
}

static Octstr *message_id_of(long guardian)
{
    char id[16];

    snprintf(id, sizeof(id), "%ld", guardian);
    return test_db_value(db, "select message_id from absence.notification where guardian_id = $1",
                         id, SQL_END);
}

static Octstr *token_of(long guardian)
{
    char id[16];

    snprintf(id, sizeof(id), "%ld", guardian);
    return test_db_value(db, "select token from absence.notification where guardian_id = $1", id,
                         SQL_END);
}

/* Apply one ack (NACK) for GUARDIAN's text; the counts "sent|retried|failed". */
static Octstr *ack(long guardian, const char *nack)
{
    Octstr *id = message_id_of(guardian);
    Octstr *ids = octstr_format("{%S}", id);
    Octstr *nacks = octstr_format("{%s}", nack);
    Octstr *counts = test_db_rows(db,
                                  "select * from absence.apply_acks($1::uuid[], "
                                  "$2::integer[])",
                                  octstr_get_cstr(ids), octstr_get_cstr(nacks), SQL_END);

    octstr_destroy(id);
    octstr_destroy(ids);
    octstr_destroy(nacks);
    return counts;
}

/* Apply one report of TYPE with REPORT_ID for TOKEN; the counts
 * "reports|duplicates|unknown|delivered|failed". */
static Octstr *report(const char *report_id, Octstr *token, const char *type, const char *reply)
{
    Octstr *counts = test_db_rows(
        db,
        "select reports, duplicates, unknown, delivered, failed from absence.apply_reports("
        "absence.policy_settings(), 'box-a', array[$1::uuid], array[$2::text], "
        "array[$3::integer], array['smsc'], array['F1'], array[$4::text])",
        report_id, octstr_get_cstr(token), type, reply, SQL_END);

    octstr_destroy(token);
    return counts;
}

#define REPORT_1 "00000000-0000-0000-0000-000000000001"
#define REPORT_2 "00000000-0000-0000-0000-000000000002"
#define REPORT_3 "00000000-0000-0000-0000-000000000003"

static void test_claim_marks_due_texts_submitted_once(void **state)
{
    (void)state;
    pending_texts(3);
    assert_octstr_equal(claim("box-a", "2"), "1|+447700900101\n2|+447700900102\n");
    assert_octstr_equal(claim("box-a", "5"), "3|+447700900103\n");
    assert_octstr_equal(claim("box-a", "5"), "");
    assert_octstr_equal(test_db_rows(db,
                                     "select count(distinct message_id), min(attempts), "
                                     "max(attempts), min(box_id) from absence.notification "
                                     "where status = 'submitted' and submitted_at is not null",
                                     SQL_END),
                        "3|1|1|box-a\n");
}

static void test_claim_skips_texts_not_due_or_expired(void **state)
{
    (void)state;
    pending_texts(3);
    test_db_exec(db,
                 "update absence.notification set due_at = now() + interval '1 minute' "
                 "where guardian_id = 101",
                 SQL_END);
    test_db_exec(db,
                 "update absence.notification set expires_at = now() - interval '1 second' "
                 "where guardian_id = 102",
                 SQL_END);
    assert_octstr_equal(claim("box-a", "5"), "3|+447700900103\n");
}

static void test_ack_success_and_buffered_mean_sent(void **state)
{
    (void)state;
    pending_texts(2);
    octstr_destroy(claim("box-a", "5"));
    assert_octstr_equal(ack(101, "0"), "1|0|0\n");
    assert_octstr_equal(ack(102, "3"), "1|0|0\n");
    assert_octstr_equal(statuses(), "101|sent\n102|sent\n");
}

static void test_temporary_nack_puts_the_text_back(void **state)
{
    (void)state;
    pending_texts(1);
    octstr_destroy(claim("box-a", "5"));
    assert_octstr_equal(ack(101, "2"), "0|1|0\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select status, message_id is null from "
                                     "absence.notification",
                                     SQL_END),
                        "pending|t\n");
    assert_octstr_equal(claim("box-a", "5"), "1|+447700900101\n");
    assert_octstr_equal(test_db_value(db, "select attempts from absence.notification", SQL_END),
                        "2");
}

static void test_permanent_nack_fails_the_text(void **state)
{
    (void)state;
    pending_texts(1);
    octstr_destroy(claim("box-a", "5"));
    assert_octstr_equal(ack(101, "1"), "0|0|1\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select status, failure_reason from "
                                     "absence.notification",
                                     SQL_END),
                        "failed|bearerbox refused the text: no route to an SMSC\n");
}

static void test_ack_for_a_text_no_longer_submitted_changes_nothing(void **state)
{
    (void)state;
    pending_texts(1);
    octstr_destroy(claim("box-a", "5"));
    assert_octstr_equal(report(REPORT_1, token_of(101), "1", ""), "1|0|0|1|0\n");
    assert_octstr_equal(ack(101, "0"), "0|0|0\n");
    assert_octstr_equal(statuses(), "101|delivered\n");
}

/* The table's updates in this transaction since the last call:
 * "updates|heap-only" (PostgreSQL's own counts). */
static Octstr *updates_since_last(void)
{
    Octstr *counts;

    counts =
        test_db_rows(db,
                     "select n_tup_upd - coalesce(s.updates, 0), "
                     "n_tup_hot_upd - coalesce(s.hot, 0) from pg_stat_xact_user_tables, "
                     "lateral (select nullif(current_setting('test.updates', true), '')::bigint "
                     "as updates, nullif(current_setting('test.hot', true), '')::bigint as hot) s "
                     "where relid = 'absence.notification'::regclass",
                     SQL_END);
    test_db_exec(db,
                 "select set_config('test.updates', n_tup_upd::text, true), "
                 "set_config('test.hot', n_tup_hot_upd::text, true) "
                 "from pg_stat_xact_user_tables where relid = 'absence.notification'::regclass",
                 SQL_END);
    return counts;
}

/* No index of absence.notification names a column that a text's way out
 * changes (the pending and in-flight sets are tables of their own), so the
 * claim, bearerbox's ack and the final report are each a heap-only update
 * that writes no index entry: the cheapest change PostgreSQL has, on the
 * box's busiest path. (A few texts, so that their page has room for every
 * version: in one transaction none of them can be pruned.) */
static void test_a_text_on_its_way_writes_no_index_entry(void **state)
{
    (void)state;
    pending_texts(5);
    octstr_destroy(updates_since_last());
    octstr_destroy(claim("box-a", "5"));
    assert_octstr_equal(updates_since_last(), "5|5\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select * from absence.apply_acks((select array_agg("
                                     "message_id) from absence.notification), array_fill(0, "
                                     "array[5]))",
                                     SQL_END),
                        "5|0|0\n");
    assert_octstr_equal(updates_since_last(), "5|5\n");
    assert_octstr_equal(
        test_db_rows(db,
                     "select reports, delivered from absence.apply_reports("
                     "absence.policy_settings(), 'box-a', "
                     "(select array_agg(gen_random_uuid()) from absence.notification), "
                     "(select array_agg(token::text) from absence.notification), "
                     "array_fill(1, array[5]), array_fill('smsc'::text, array[5]), "
                     "array_fill(null::text, array[5]), array_fill('DELIVRD'::text, array[5]))",
                     SQL_END),
        "5|5\n");
    assert_octstr_equal(updates_since_last(), "5|5\n");
}

/* The pending set and the in-flight set against the texts:
 * "queued|in flight|t" when each holds exactly the texts its statuses say,
 * with what it copies of them (due instant, expiry, number; message id,
 * box) right. */
static Octstr *sets(void)
{
    return test_db_rows(
        db,
        "select (select count(*) from absence.text_queue), "
        "(select count(*) from absence.text_in_flight), "
        "(select array_agg((q.due_at, q.notification_id, q.expires_at, q.recipient)::text "
        "order by q.notification_id) from absence.text_queue q) is not distinct from "
        "(select array_agg((n.due_at, n.notification_id, n.expires_at, n.recipient)::text "
        "order by n.notification_id) from absence.notification n where n.status = 'pending') "
        "and (select array_agg((f.notification_id, f.message_id, f.box_id)::text "
        "order by f.notification_id) from absence.text_in_flight f) is not distinct from "
        "(select array_agg((n.notification_id, n.message_id, n.box_id)::text "
        "order by n.notification_id) from absence.notification n "
        "where n.status in ('submitted', 'sent'))",
        SQL_END);
}

/* Triggers keep both sets from every statement on the texts, whoever
 * writes it: the claim, each kind of ack, a report, the release of texts
 * never written, the sweep to unconfirmed, expiry, a planner's or staff's
 * change of a pending text's times, a delete and a truncate. */
static void test_the_sending_sets_follow_every_change_of_a_text(void **state)
{
    (void)state;
    pending_texts(6);
    assert_octstr_equal(sets(), "6|0|t\n");
    octstr_destroy(claim("box-a", "4"));
    assert_octstr_equal(sets(), "2|4|t\n");
    assert_octstr_equal(ack(101, "0"), "1|0|0\n");
    assert_octstr_equal(ack(102, "2"), "0|1|0\n");
    assert_octstr_equal(ack(103, "1"), "0|0|1\n");
    assert_octstr_equal(sets(), "3|2|t\n");
    assert_octstr_equal(report(REPORT_1, token_of(101), "1", ""), "1|0|0|1|0\n");
    assert_octstr_equal(sets(), "3|1|t\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select absence.release_texts(array[message_id]) "
                                     "from absence.notification where guardian_id = 104",
                                     SQL_END),
                        "1\n");
    assert_octstr_equal(sets(), "4|0|t\n");
    octstr_destroy(claim("box-b", "1"));
    test_db_exec(db,
                 "update absence.notification set submitted_at = now() - interval '1 hour' "
                 "where status = 'submitted'",
                 SQL_END);
    assert_octstr_equal(test_db_rows(db,
                                     "select * from absence.mark_unconfirmed('box-b', 60, "
                                     "now() - interval '1 hour', 600)",
                                     SQL_END),
                        "1|0\n");
    assert_octstr_equal(sets(), "3|0|t\n");
    test_db_exec(db,
                 "update absence.notification set due_at = due_at - interval '1 minute', "
                 "recipient = '+447700900199' where guardian_id = 105",
                 SQL_END);
    test_db_exec(db,
                 "update absence.notification set expires_at = now() - interval '1 second' "
                 "where guardian_id = 106",
                 SQL_END);
    assert_octstr_equal(sets(), "3|0|t\n");
    assert_octstr_equal(test_db_rows(db, "select absence.expire_texts()", SQL_END), "1\n");
    assert_octstr_equal(sets(), "2|0|t\n");
    assert_octstr_equal(claim("box-a", "1"), "5|+447700900199\n"); /* now due first */
    test_db_exec(db, "delete from absence.notification where status = 'pending'", SQL_END);
    assert_octstr_equal(sets(), "0|1|t\n");
    test_db_exec(db, "truncate absence.notification cascade", SQL_END);
    assert_octstr_equal(sets(), "0|0|t\n");
}

/* Sending calls no function of the schema once per text: each call
 * PostgreSQL cannot inline (a strict SQL function whose body is not, such
 * as mask_mobile() was) costs microseconds a text. 30 texts claimed,
 * acknowledged, then reported delivered, each batch as the box sends it. */
static void test_sending_calls_no_function_once_a_text(void **state)
{
    (void)state;
    pending_texts(30);
    test_db_exec(db, "set local track_functions = 'all'", SQL_END);
    octstr_destroy(claim("box-a", "30"));
    assert_octstr_equal(
        test_db_rows(db,
                     "select sent, reports from absence.settle_gateway("
                     "absence.policy_settings(), 'box-a', (select array_agg(message_id) "
                     "from absence.notification), array_fill(0, array[30]), '{}', '{}', '{}', "
                     "'{}', '{}', '{}')",
                     SQL_END),
        "30|0\n");
    assert_octstr_equal(
        test_db_rows(db,
                     "select reports, delivered from absence.settle_gateway("
                     "absence.policy_settings(), 'box-a', '{}', '{}', "
                     "(select array_agg(gen_random_uuid()) from absence.notification), "
                     "(select array_agg(token::text) from absence.notification), "
                     "array_fill(1, array[30]), array_fill('smsc'::text, array[30]), "
                     "(select array_agg('F' || guardian_id) from absence.notification), "
                     "array_fill('DELIVRD'::text, array[30]))",
                     SQL_END),
        "30|30\n");
    assert_octstr_equal(fx_functions_called(db, 30), "none\n");
}

/* One batch's acks and reports together (absence.settle_gateway, as the
 * box sends them): text 101 acknowledged and reported delivered in the
 * batch is changed once, by its report, and ends delivered with its sent
 * and delivered times, one pastoral entry and one log entry; text 102,
 * acknowledged only, is sent; text 103, refused (no route), fails. */
static void test_a_batch_changes_a_text_acked_and_reported_in_it_once(void **state)
{
    Octstr *tokens;

    (void)state;
    pending_texts(3);
    octstr_destroy(claim("box-a", "5"));
    octstr_destroy(updates_since_last());
    tokens = test_db_value(db, "select token from absence.notification where guardian_id = 101",
                           SQL_END);
    assert_octstr_equal(
        test_db_rows(db,
                     "select * from absence.settle_gateway(absence.policy_settings(), 'box-a', "
                     "(select array_agg(message_id order by guardian_id) "
                     "from absence.notification), array[0, 3, 1], array[$1::uuid], "
                     "array[$2::text], array[1], array['smsc'], array['F1'], array['DELIVRD'])",
                     REPORT_1, octstr_get_cstr(tokens), SQL_END),
        "1|0|1|1|0|0|1|0|~\n");
    assert_octstr_equal(updates_since_last(), "3|3\n"); /* one heap-only change each */
    assert_octstr_equal(test_db_rows(db,
                                     "select guardian_id, status, sent_at is not null, "
                                     "delivered_at is not null from absence.notification "
                                     "order by guardian_id",
                                     SQL_END),
                        "101|delivered|t|t\n102|sent|t|f\n103|failed|f|f\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select (select count(*) from absence.pastoral_log), "
                                     "(select string_agg(n.guardian_id || ':' || c.outcome, ',' "
                                     "order by n.guardian_id) from absence.communication_log c "
                                     "join absence.notification n using (notification_id))",
                                     SQL_END),
                        "1|101:delivered,103:failed\n");
    octstr_destroy(tokens);
}

/* Acks are looked up one by one by message id, however stale the table's
 * statistics: taken while every text was pending and had none, they made a
 * join read the whole index for each batch. */
static void test_acks_read_only_their_own_texts(void **state)
{
    (void)state;
    pending_texts(300);
    test_db_exec(db, "analyze absence.notification", SQL_END);
    octstr_destroy(claim("box-a", "300"));
    test_db_exec(db,
                 "select set_config('test.fetched', idx_tup_fetch::text, true) "
                 "from pg_stat_xact_user_tables where relid = 'absence.notification'::regclass",
                 SQL_END);
    assert_octstr_equal(test_db_rows(db,
                                     "select * from absence.apply_acks((select array_agg("
                                     "message_id) from absence.notification where guardian_id "
                                     "<= 105), array_fill(0, array[5]))",
                                     SQL_END),
                        "5|0|0\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select idx_tup_fetch - current_setting('test.fetched')"
                                     "::bigint <= 20 from pg_stat_xact_user_tables "
                                     "where relid = 'absence.notification'::regclass",
                                     SQL_END),
                        "t\n"); /* 300 before, with the whole index read */
}

/* Reports find their texts by token, each a look-up: as a join, once the
 * table held a few thousand texts, the planner hashed all of them for
 * every batch. A batch of 250 reports among 3,000 texts claimed: no text
 * read sequentially. */
static void test_reports_read_only_their_own_texts(void **state)
{
    Octstr *tokens;

    (void)state;
    pending_texts(3000);
    test_db_exec(db, "analyze absence.notification", SQL_END);
    octstr_destroy(claim("box-a", "3000"));
    tokens = test_db_value(db,
                           "select array_agg(token::text) from absence.notification "
                           "where guardian_id <= 350",
                           SQL_END);
    fx_note_reads(db, "absence.notification");
    assert_octstr_equal(
        test_db_rows(db,
                     "select reports, delivered from absence.apply_reports("
                     "absence.policy_settings(), 'box-a', "
                     "array(select gen_random_uuid() from generate_series(1, 250)), $1::text[], "
                     "array_fill(1, array[250]), array_fill('smsc'::text, array[250]), "
                     "array_fill(null::text, array[250]), array_fill('DELIVRD'::text, array[250]))",
                     octstr_get_cstr(tokens), SQL_END),
        "250|250\n");
    /* each text: by its token, by its key to change it, and by the foreign
     * keys of its delivery report, pastoral entry and log entry */
    assert_octstr_equal(fx_reads(db, "absence.notification"), "0|1250|1250\n");
    octstr_destroy(tokens);
}

/* A claim fetches the texts it takes by their keys: as a join with its
 * batch (250 of a day's 3,000 texts), the whole table was read for each
 * claim. */
static void test_a_claim_reads_no_text_it_does_not_take(void **state)
{
    (void)state;
    pending_texts(3000);
    test_db_exec(db, "analyze absence.notification", SQL_END);
    test_db_exec(db,
                 "select set_config('test.scanned', seq_tup_read::text, true) "
                 "from pg_stat_xact_user_tables where relid = 'absence.notification'::regclass",
                 SQL_END);
    assert_octstr_equal(
        test_db_rows(db, "select count(*) from absence.claim_texts('box-a', 250)", SQL_END),
        "250\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select seq_tup_read - current_setting('test.scanned')"
                                     "::bigint from pg_stat_xact_user_tables "
                                     "where relid = 'absence.notification'::regclass",
                                     SQL_END),
                        "0\n");
}

/* A report's token is a text's only as the uuid the box sent: in either
 * case, and nothing else (never an error for a bearerbox's odd token). */
static void test_a_token_is_read_only_as_a_uuid(void **state)
{
    (void)state;
    assert_octstr_equal(
        test_db_rows(
            db,
            "select t, absence.token_uuid(t) from unnest(array["
            "'0a1b2c3d-4e5f-6789-abcd-ef0123456789', '0A1B2C3D-4E5F-6789-ABCD-EF0123456789', "
            "'0a1b2c3d4-e5f-6789-abcd-ef0123456789', '0a1b2c3d-4e5f-6789-abcd-ef012345678', "
            "'0a1b2c3d-4e5f-6789-abcd-ef0123456789x', '0a1b2c3d-4e5f-6789-abcd-ef012345678g', "
            "'0a1b2c3d-4e5f-6789-abcd--f0123456789', '', null]) t",
            SQL_END),
        "0a1b2c3d-4e5f-6789-abcd-ef0123456789|0a1b2c3d-4e5f-6789-abcd-ef0123456789\n"
        "0A1B2C3D-4E5F-6789-ABCD-EF0123456789|0a1b2c3d-4e5f-6789-abcd-ef0123456789\n"
        "0a1b2c3d4-e5f-6789-abcd-ef0123456789|~\n"
        "0a1b2c3d-4e5f-6789-abcd-ef012345678|~\n"
        "0a1b2c3d-4e5f-6789-abcd-ef0123456789x|~\n"
        "0a1b2c3d-4e5f-6789-abcd-ef012345678g|~\n"
        "0a1b2c3d-4e5f-6789-abcd--f0123456789|~\n"
        "|~\n"
        "~|~\n");
}

/* The status names are checked against the same list as
 * absence.notification_status: a text takes each of them, and no other. */
static void test_a_text_takes_every_named_status_and_no_other(void **state)
{
    Octstr *error;

    (void)state;
    pending_texts(1);
    test_db_exec(db, "create temp table taken (status text) on commit drop", SQL_END);
    test_db_exec(db,
                 "do $$ declare s text; begin "
                 "for s in select status from absence.notification_status order by position loop "
                 "update absence.notification set status = s; "
                 "insert into taken select status from absence.notification; end loop; end $$",
                 SQL_END);
    assert_octstr_equal(test_db_rows(db, "select string_agg(status, ',') from taken", SQL_END),
                        "pending,submitted,sent,delivered,failed,expired,unconfirmed\n");
    error = test_db_error(db, "update absence.notification set status = 'lost'", SQL_END);
    assert_non_null(strstr(octstr_get_cstr(error), "notification_status_known"));
    octstr_destroy(error);
}

/* So are a skipped guardian's reasons, against absence.skip_reason. */
static void test_a_skip_takes_every_named_reason_and_no_other(void **state)
{
    Octstr *error;

    (void)state;
    assert_octstr_equal(test_db_rows(db,
                                     "with kept as (insert into absence.guardian_skip "
                                     "(student_id, school_day, guardian_id, lesson_id, reason) "
                                     "select 'S1', '2026-06-15', position, 1, reason "
                                     "from absence.skip_reason returning reason) "
                                     "select count(*) from kept",
                                     SQL_END),
                        "7\n");
    error = test_db_error(db,
                          "insert into absence.guardian_skip (student_id, school_day, "
                          "guardian_id, lesson_id, reason) values ('S1', '2026-06-15', 99, 1, "
                          "'no-reason')",
                          SQL_END);
    assert_non_null(strstr(octstr_get_cstr(error), "guardian_skip_reason_known"));
    octstr_destroy(error);
}

static void test_delivered_report_writes_one_pastoral_entry(void **state)
{
    (void)state;
    pending_texts(1);
    octstr_destroy(claim("box-a", "5"));
    octstr_destroy(ack(101, "0"));
    assert_octstr_equal(report(REPORT_1, token_of(101), "8", "ACK/"), "1|0|0|0|0\n");
    assert_octstr_equal(statuses(), "101|sent\n");
    assert_octstr_equal(report(REPORT_2, token_of(101), "1", ""), "1|0|0|1|0\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select n.status, n.delivered_at is not null, "
                                     "p.category, p.entry from absence.notification n "
                                     "join absence.pastoral_log p using (notification_id)",
                                     SQL_END),
                        "delivered|t|Absence text|Absence text delivered to Parent 1 (guardian "
                        "101) on +4477009****01 about S1's absence from the lesson at 09:00 on "
                        "2026-06-15: \"Student S1 did not attend their lesson today at "
                        "09:00.\"\n");
}

static void test_repeated_report_is_kept_once_and_logs_once(void **state)
{
    (void)state;
    pending_texts(1);
    octstr_destroy(claim("box-a", "5"));
    assert_octstr_equal(report(REPORT_1, token_of(101), "1", ""), "1|0|0|1|0\n");
    assert_octstr_equal(report(REPORT_1, token_of(101), "1", ""), "0|1|0|0|0\n");
    assert_octstr_equal(report(REPORT_2, token_of(101), "1", ""), "1|0|0|0|0\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select (select count(*) from absence.pastoral_log), "
                                     "(select count(*) from absence.delivery_report)",
                                     SQL_END),
                        "1|2\n");
}

static void test_failure_report_fails_the_text_with_its_reason(void **state)
{
    (void)state;
    pending_texts(2);
    octstr_destroy(claim("box-a", "5"));
    assert_octstr_equal(report(REPORT_1, token_of(101), "2", "id:1 stat:UNDELIV err:001"),
                        "1|0|0|0|1\n");
    assert_octstr_equal(report(REPORT_2, token_of(102), "16", "NACK/0x0000000b"), "1|0|0|0|1\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select guardian_id, status, failure_reason from "
                                     "absence.notification order by 1",
                                     SQL_END),
                        "101|failed|id:1 stat:UNDELIV err:001\n102|failed|NACK/0x0000000b\n");
    assert_octstr_equal(test_db_value(db, "select count(*) from absence.pastoral_log", SQL_END),
                        "0");
}

static void test_delivered_is_final_and_wins_over_failure(void **state)
{
    (void)state;
    pending_texts(2);
    octstr_destroy(claim("box-a", "5"));
    octstr_destroy(report(REPORT_1, token_of(101), "1", ""));
    assert_octstr_equal(report(REPORT_2, token_of(101), "2", "late failure"), "1|0|0|0|0\n");
    octstr_destroy(report(REPORT_3, token_of(102), "2", "failed first"));
    assert_octstr_equal(report("00000000-0000-0000-0000-000000000004", token_of(102), "1", ""),
                        "1|0|0|1|0\n");
    assert_octstr_equal(statuses(), "101|delivered\n102|delivered\n");
    assert_octstr_equal(test_db_value(db, "select count(*) from absence.pastoral_log", SQL_END),
                        "2");
}

static void test_validity_expired_report_expires_the_text(void **state)
{
    (void)state;
    pending_texts(1);
    octstr_destroy(claim("box-a", "5"));
    assert_octstr_equal(report(REPORT_1, token_of(101), "34", "NACK/validity expired"),
                        "1|0|0|0|0\n");
    assert_octstr_equal(statuses(), "101|expired\n");
}

static void test_report_for_an_unknown_token_is_kept(void **state)
{
    (void)state;
    assert_octstr_equal(report(REPORT_1, octstr_create("not-a-token"), "1", ""), "1|0|1|0|0\n");
    assert_octstr_equal(
        report(REPORT_2, octstr_create("6f1c1c4e-0000-4000-8000-000000000000"), "1", ""),
        "1|0|1|0|0\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select token, notification_id from "
                                     "absence.delivery_report order by token",
                                     SQL_END),
                        "6f1c1c4e-0000-4000-8000-000000000000|~\nnot-a-token|~\n");
}

static void test_pending_texts_past_expiry_expire(void **state)
{
    (void)state;
    pending_texts(2);
    test_db_exec(db,
                 "update absence.notification set expires_at = now() - interval '1 second' "
                 "where guardian_id = 101",
                 SQL_END);
    assert_octstr_equal(test_db_value(db, "select absence.expire_texts()", SQL_END), "1");
    assert_octstr_equal(statuses(), "101|expired\n102|pending\n");
}

/* absence.mark_unconfirmed for BOX, which started STARTED ago, with the
 * timeouts confirm 600 s and report 14400 s: "unacknowledged|unreported". */
static Octstr *mark_unconfirmed(const char *box, const char *started)
{
    return test_db_rows(db,
                        "select * from absence.mark_unconfirmed($1, 600, "
                        "now() - $2::interval, 14400)",
                        box, started, SQL_END);
}

static void test_unheard_submission_becomes_unconfirmed_after_the_timeout(void **state)
{
    (void)state;
    pending_texts(2);
    octstr_destroy(claim("box-a", "5"));
    test_db_exec(db,
                 "update absence.notification set submitted_at = now() - interval '601 s' "
                 "where guardian_id = 101",
                 SQL_END);
    /* a box that started less than confirm-timeout ago still waits */
    assert_octstr_equal(mark_unconfirmed("box-a", "599 s"), "0|0\n");
    /* another box's texts are not its to judge */
    assert_octstr_equal(mark_unconfirmed("box-b", "1 hour"), "0|0\n");
    assert_octstr_equal(mark_unconfirmed("box-a", "1 hour"), "1|0\n");
    assert_octstr_equal(statuses(), "101|unconfirmed\n102|submitted\n");
    /* a later SMSC acceptance shows it went out after all */
    octstr_destroy(report(REPORT_1, token_of(101), "8", "ACK/"));
    assert_octstr_equal(statuses(), "101|sent\n102|submitted\n");
}

static void test_sent_text_without_a_final_report_becomes_unconfirmed(void **state)
{
    (void)state;
    pending_texts(3);
    octstr_destroy(claim("box-a", "5"));
    test_db_exec(db,
                 "update absence.notification set status = 'sent', school_day = current_date, "
                 "sent_at = now() - "
                 "case guardian_id when 101 then interval '4 hours 1 second' "
                 "when 102 then interval '3 hours' else interval '5 minutes' end",
                 SQL_END);
    /* what status and /metrics watch: sent 10 minutes to 2 hours ago */
    assert_octstr_equal(test_db_rows(db, "select * from absence.reports_missing()", SQL_END),
                        "0|0\n");
    assert_octstr_equal(
        test_db_rows(db, "select * from absence.reports_missing(600, 86400)", SQL_END), "2|2\n");
    assert_octstr_equal(mark_unconfirmed("box-b", "1 hour"), "0|0\n");
    assert_octstr_equal(mark_unconfirmed("box-a", "1 hour"), "0|1\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select guardian_id, status, failure_reason "
                                     "from absence.notification order by guardian_id",
                                     SQL_END),
                        "101|unconfirmed|no final delivery report within 14400 s of being sent: "
                        "the gateway may have lost it\n102|sent|~\n103|sent|~\n");
    /* a late report still settles it */
    assert_octstr_equal(report(REPORT_1, token_of(101), "1", ""), "1|0|0|1|0\n");
    assert_octstr_equal(statuses(), "101|delivered\n102|sent\n103|sent\n");
}

static void test_release_returns_unwritten_texts_to_pending(void **state)
{
    Octstr *id, *ids;

    (void)state;
    pending_texts(1);
    octstr_destroy(claim("box-a", "5"));
    id = message_id_of(101);
    ids = octstr_format("{%S}", id);
    assert_octstr_equal(test_db_value(db, "select absence.release_texts($1::uuid[])",
                                      octstr_get_cstr(ids), SQL_END),
                        "1");
    assert_octstr_equal(test_db_rows(db,
                                     "select status, attempts, box_id, message_id from "
                                     "absence.notification",
                                     SQL_END),
                        "pending|0|~|~\n");
    octstr_destroy(id);
    octstr_destroy(ids);
}

static void test_heartbeat_records_the_box(void **state)
{
    (void)state;
    test_db_exec(db,
                 "select absence.box_heartbeat('box-a', 42, '2026-06-15 08:00+01', true, "
                 "'127.0.0.1:13001', 7)",
                 SQL_END);
    test_db_exec(db,
                 "select absence.box_heartbeat('box-a', 42, '2026-06-15 08:00+01', false, "
                 "'127.0.0.1:13001', 0)",
                 SQL_END);
    assert_octstr_equal(test_db_rows(db,
                                     "select box_id, pid, started_at = '2026-06-15 08:00+01', "
                                     "bearerbox_connected, texts_in_flight from "
                                     "absence.box_status",
                                     SQL_END),
                        "box-a|42|t|f|0\n");
}

/* Two boxes claiming at the same moment never get the same text. */
static void test_two_boxes_never_claim_the_same_text(void **state)
{
    const char *keys[] = {"dbname", NULL}, *values[] = {"absence_test_box", NULL};
    PGconn *other = PQconnectdbParams(keys, values, 0);
    Octstr *mine, *theirs, *overlap;

    (void)state;
    test_db_exec(db, "rollback", SQL_END);
    pending_texts(6);
    test_db_exec(db, "begin", SQL_END);
    test_db_exec(other, "begin", SQL_END);
    mine = test_db_rows(db,
                        "select notification_id from absence.claim_texts('box-a', 4) "
                        "order by 1",
                        SQL_END);
    /* box-b's claim runs while box-a's rows are still locked */
    theirs = test_db_rows(other,
                          "select notification_id from absence.claim_texts('box-b', 4) "
                          "order by 1",
                          SQL_END);
    test_db_exec(db, "commit", SQL_END);
    test_db_exec(other, "commit", SQL_END);
    overlap = test_db_value(db,
                            "select count(*) from absence.notification n1 "
                            "join absence.notification n2 using (message_id) "
                            "where n1.notification_id <> n2.notification_id",
                            SQL_END);
    assert_octstr_equal(test_db_rows(db,
                                     "select box_id, count(*) from absence.notification "
                                     "group by 1 order by 1",
                                     SQL_END),
                        "box-a|4\nbox-b|2\n");
    assert_octstr_equal(overlap, "0");
    octstr_destroy(mine);
    octstr_destroy(theirs);
    test_db_exec(db,
                 "truncate absence.notification, absence.guardian, absence.lesson, "
                 "absence.student cascade",
                 SQL_END);
    test_db_exec(db, "begin", SQL_END);
    PQfinish(other);
}

#define DB_TEST(name) cmocka_unit_test_setup_teardown(name, fixture_begin, fixture_rollback)

int main(void)
{
    static const struct CMUnitTest tests[] = {
        DB_TEST(test_claim_marks_due_texts_submitted_once),
        DB_TEST(test_claim_skips_texts_not_due_or_expired),
        DB_TEST(test_ack_success_and_buffered_mean_sent),
        DB_TEST(test_temporary_nack_puts_the_text_back),
        DB_TEST(test_permanent_nack_fails_the_text),
        DB_TEST(test_ack_for_a_text_no_longer_submitted_changes_nothing),
        DB_TEST(test_a_text_on_its_way_writes_no_index_entry),
        DB_TEST(test_the_sending_sets_follow_every_change_of_a_text),
        DB_TEST(test_sending_calls_no_function_once_a_text),
        DB_TEST(test_a_batch_changes_a_text_acked_and_reported_in_it_once),
        DB_TEST(test_acks_read_only_their_own_texts),
        DB_TEST(test_reports_read_only_their_own_texts),
        DB_TEST(test_a_claim_reads_no_text_it_does_not_take),
        DB_TEST(test_a_token_is_read_only_as_a_uuid),
        DB_TEST(test_a_text_takes_every_named_status_and_no_other),
        DB_TEST(test_a_skip_takes_every_named_reason_and_no_other),
        DB_TEST(test_delivered_report_writes_one_pastoral_entry),
        DB_TEST(test_repeated_report_is_kept_once_and_logs_once),
        DB_TEST(test_failure_report_fails_the_text_with_its_reason),
        DB_TEST(test_delivered_is_final_and_wins_over_failure),
        DB_TEST(test_validity_expired_report_expires_the_text),
        DB_TEST(test_report_for_an_unknown_token_is_kept),
        DB_TEST(test_pending_texts_past_expiry_expire),
        DB_TEST(test_unheard_submission_becomes_unconfirmed_after_the_timeout),
        DB_TEST(test_sent_text_without_a_final_report_becomes_unconfirmed),
        DB_TEST(test_release_returns_unwritten_texts_to_pending),
        DB_TEST(test_heartbeat_records_the_box),
        DB_TEST(test_two_boxes_never_claim_the_same_text),
    };

    return cmocka_run_group_tests_name("box", tests, group_setup, fixture_close);
}
