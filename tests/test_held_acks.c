/*
 * test_held_acks.c - which of bearerbox's acks are written when.
 */
#include "held_acks.h"
#include "support.h"

#define TOKEN_A "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
#define TOKEN_B "1a1b2c3d-4e5f-6789-abcd-ef0123456789"

static Msg *an_ack(long nack)
{
    Msg *msg = msg_create(ack);

    msg->ack.nack = nack;
    uuid_generate(msg->ack.id);
    return msg;
}

static Msg *a_report(const char *token)
{
    Msg *report = msg_create(sms);

    report->sms.sms_type = report_mo;
    report->sms.dlr_url = token != NULL ? octstr_create(token) : NULL;
    return report;
}

/* Acks held 1 s, and the batch's reports (none unless a test adds them). */
typedef struct Fixture {
    HeldAcks *held;
    List *reports;
} Fixture;

static int fixture_create(void **state)
{
    Fixture *f = gw_malloc(sizeof(*f));

    f->held = held_acks_create(1.0);
    f->reports = gwlist_create();
    *state = f;
    return 0;
}

static int fixture_destroy(void **state)
{
    Fixture *f = *state;

    held_acks_destroy(f->held);
    gwlist_destroy(f->reports, msg_destroy_item);
    gw_free(f);
    return 0;
}

/* How many held acks are due at NOW (FLUSH or not); they are destroyed. */
static long due_count(Fixture *f, int flush, double now)
{
    List *due = held_acks_due(f->held, f->reports, flush, now);
    long count = gwlist_len(due);

    gwlist_destroy(due, msg_destroy_item);
    return count;
}

static void test_a_taken_text_waits_for_its_report_until_the_hold_is_over(void **state)
{
    Fixture *f = *state;

    held_acks_add(f->held, an_ack(ack_success), TOKEN_A, 100.0);
    held_acks_add(f->held, an_ack(ack_buffered), TOKEN_B, 100.5);
    assert_int_equal(due_count(f, 0, 100.9), 0);
    assert_true(held_acks_wait(f->held, 100.9) > 0.09 && held_acks_wait(f->held, 100.9) < 0.11);
    assert_int_equal(due_count(f, 0, 101.0), 1);
    assert_int_equal(held_acks_count(f->held), 1);
    assert_int_equal(due_count(f, 0, 101.5), 1);
    assert_int_equal(held_acks_count(f->held), 0);
    assert_true(held_acks_wait(f->held, 101.5) < 0);
}

static void test_an_ack_is_due_with_its_texts_report(void **state)
{
    Fixture *f = *state;

    held_acks_add(f->held, an_ack(ack_success), TOKEN_A, 100.0);
    held_acks_add(f->held, an_ack(ack_success), TOKEN_B, 100.0);
    gwlist_append(f->reports, a_report(TOKEN_B));
    gwlist_append(f->reports, a_report(NULL));
    assert_int_equal(due_count(f, 0, 100.1), 1);
    assert_int_equal(held_acks_count(f->held), 1);
}

static void test_a_refusal_makes_every_held_ack_due(void **state)
{
    Fixture *f = *state;

    held_acks_add(f->held, an_ack(ack_success), TOKEN_A, 100.0);
    held_acks_add(f->held, an_ack(ack_failed_tmp), TOKEN_B, 100.0);
    assert_true(held_acks_wait(f->held, 100.0) == 0);
    assert_int_equal(due_count(f, 0, 100.0), 2);
    held_acks_add(f->held, an_ack(ack_success), TOKEN_A, 100.0);
    assert_int_equal(due_count(f, 0, 100.0), 0); /* the refusal was written */
}

static void test_an_ack_without_a_known_token_is_due_at_once(void **state)
{
    Fixture *f = *state;

    held_acks_add(f->held, an_ack(ack_success), NULL, 100.0);
    held_acks_add(f->held, an_ack(ack_success), TOKEN_B, 100.0);
    assert_int_equal(due_count(f, 0, 100.0), 1);
    assert_int_equal(due_count(f, 1, 100.0), 1); /* flush */
    assert_int_equal(held_acks_count(f->held), 0);
}

static void test_acks_not_written_are_held_again_and_due_at_once(void **state)
{
    Fixture *f = *state;
    List *due;

    held_acks_add(f->held, an_ack(ack_success), TOKEN_A, 100.0);
    due = held_acks_due(f->held, f->reports, 1, 100.0);
    assert_int_equal(gwlist_len(due), 1);
    held_acks_return(f->held, due);
    assert_int_equal(held_acks_count(f->held), 1);
    assert_int_equal(due_count(f, 0, 100.0), 1);
}

#define HELD_TEST(name) cmocka_unit_test_setup_teardown(name, fixture_create, fixture_destroy)

int main(void)
{
    static const struct CMUnitTest tests[] = {
        HELD_TEST(test_a_taken_text_waits_for_its_report_until_the_hold_is_over),
        HELD_TEST(test_an_ack_is_due_with_its_texts_report),
        HELD_TEST(test_a_refusal_makes_every_held_ack_due),
        HELD_TEST(test_an_ack_without_a_known_token_is_due_at_once),
        HELD_TEST(test_acks_not_written_are_held_again_and_due_at_once),
    };

    test_gwlib_init();
    return cmocka_run_group_tests_name("held acks", tests, NULL, NULL);
}
