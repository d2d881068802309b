/*
 * test_bearerbox_link.c - the frames the box writes a claimed batch in
 * (bearerbox_link_pack): read back through Kannel's own box-protocol
 * reader, each message whole and in order, as bearerbox would read them.
 */
#include <sys/socket.h>
#include <unistd.h>

#include "gw/shared.h"

#include "bearerbox_link.h"
#include "support.h"

static Msg *text_message(const char *receiver, const char *body)
{
    Msg *msg = msg_create(sms);

    msg->sms.sms_type = mt_push;
    msg->sms.sender = octstr_create("447700900000");
    msg->sms.receiver = octstr_create(receiver);
    msg->sms.msgdata = octstr_create(body);
    msg->sms.boxc_id = octstr_create("absencebox");
    uuid_generate(msg->sms.id);
    return msg;
}

/* Write FRAMES into one end of a socket pair; the messages Kannel reads
 * from the other end, until it has COUNT. */
static List *read_back(Octstr *frames, long count)
{
    int ends[2];
    Connection *reader;
    List *msgs = gwlist_create();
    Msg *msg;

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, ends), 0);
    assert_int_equal(write(ends[0], octstr_get_cstr(frames), octstr_len(frames)),
                     octstr_len(frames));
    close(ends[0]);
    reader = conn_wrap_fd(ends[1], 0);
    while (gwlist_len(msgs) < count && read_from_bearerbox_real(reader, &msg, 2.0) == 0)
        gwlist_append(msgs, msg);
    conn_destroy(reader);
    return msgs;
}

static void test_a_batch_reads_back_as_its_messages_in_order(void **state)
{
    List *sent = gwlist_create(), *got;
    Octstr *frames;
    Msg *out, *in;
    long i;

    (void)state;
    gwlist_append(sent, text_message("+447700900101", "Student S1 did not attend"));
    gwlist_append(sent, text_message("+447700900102", "Student S2 did not attend £ €"));
    gwlist_append(sent, text_message("+447700900103", ""));
    frames = bearerbox_link_pack(sent);
    got = read_back(frames, 3);
    assert_int_equal(gwlist_len(got), 3);
    for (i = 0; i < 3; i++) {
        out = gwlist_get(sent, i);
        in = gwlist_get(got, i);
        assert_int_equal(msg_type(in), sms);
        assert_int_equal(uuid_compare(in->sms.id, out->sms.id), 0);
        assert_octstr_equal(octstr_duplicate(in->sms.receiver), octstr_get_cstr(out->sms.receiver));
        assert_octstr_equal(octstr_duplicate(in->sms.msgdata), octstr_get_cstr(out->sms.msgdata));
        assert_octstr_equal(octstr_duplicate(in->sms.boxc_id), "absencebox");
    }
    octstr_destroy(frames);
    gwlist_destroy(sent, msg_destroy_item);
    gwlist_destroy(got, msg_destroy_item);
}

static void test_an_empty_batch_is_no_bytes(void **state)
{
    List *none = gwlist_create();
    Octstr *frames = bearerbox_link_pack(none);

    (void)state;
    assert_int_equal(octstr_len(frames), 0);
    octstr_destroy(frames);
    gwlist_destroy(none, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_batch_reads_back_as_its_messages_in_order),
        cmocka_unit_test(test_an_empty_batch_is_no_bytes),
    };

    test_gwlib_init();
    return cmocka_run_group_tests_name("bearerbox_link", tests, NULL, NULL);
}
