/*
 * refbox.c - the benchmark's reference: the least a box can do to push
 * texts through bearerbox. It sends N texts (DLR mask 27, like absencebox)
 * keeping at most WINDOW awaiting bearerbox's ack, each time the window has
 * room writing as many as fit in one go (as absencebox writes a claimed
 * batch), acknowledges every report, and stops when every text has its
 * final report. No database: what it measures is bearerbox, its DLR
 * storage and the SMSC, the ceiling absencebox is held to.
 *
 * Usage: refbox HOST PORT N WINDOW; prints the seconds it took.
 */
#include <sys/time.h>

#include "gw/msg.h"
#include "gw/shared.h"
#include "gwlib/gwlib.h"

static double now_s(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return tv.tv_sec + tv.tv_usec / 1e6;
}

static Msg *text(long i)
{
    Msg *msg = msg_create(sms);

    msg->sms.sms_type = mt_push;
    msg->sms.sender = octstr_create("College");
    msg->sms.receiver = octstr_format("+447700900%03ld", i % 1000);
    msg->sms.msgdata = octstr_format("Student REF%08ld did not attend their lesson today at "
                                     "10:10. If this is a genuine absence, please notify us "
                                     "here: https://tinyurl.com/runabs",
                                     i);
    msg->sms.coding = 0;
    msg->sms.time = time(NULL);
    msg->sms.dlr_mask = 27;
    msg->sms.dlr_url = octstr_format("ref-%ld", i);
    msg->sms.boxc_id = octstr_create("refbox");
    uuid_generate(msg->sms.id);
    return msg;
}

int main(int argc, char **argv)
{
    Connection *conn;
    long n, window, sent = 0, acked = 0, final = 0;
    double start;
    Msg *msg;

    if (argc != 5) {
        fprintf(stderr, "usage: refbox HOST PORT N WINDOW\n");
        return 1;
    }
    gwlib_init();
    log_set_output_level(GW_WARNING);
    n = atol(argv[3]);
    window = atol(argv[4]);
    conn = connect_to_bearerbox_real(octstr_imm(argv[1]), atoi(argv[2]), 0, NULL);
    if (conn == NULL)
        return 2;
    msg = msg_create(admin);
    msg->admin.command = cmd_identify;
    msg->admin.boxc_id = octstr_create("refbox");
    deliver_to_bearerbox_real(conn, msg);
    start = now_s();
    while (final < n) {
        if (sent < n && sent - acked < window) {
            Octstr *frames = octstr_create(""), *packed;
            unsigned char length[4];

            /* the frames conn_write_withlen() would write, one after the other */
            while (sent < n && sent - acked < window) {
                msg = text(sent++);
                packed = msg_pack(msg);
                encode_network_long(length, octstr_len(packed));
                octstr_append_data(frames, (char *)length, sizeof(length));
                octstr_append(frames, packed);
                octstr_destroy(packed);
                msg_destroy(msg);
            }
            if (conn_write(conn, frames) == -1)
                return 2;
            octstr_destroy(frames);
        }
        if (read_from_bearerbox_real(conn, &msg, 1.0) != 0)
            continue;
        if (msg_type(msg) == ack) {
            acked++;
        } else if (msg_type(msg) == sms && msg->sms.sms_type == report_mo) {
            Msg *reply = msg_create(ack);
            reply->ack.nack = ack_success;
            reply->ack.time = msg->sms.time;
            uuid_copy(reply->ack.id, msg->sms.id);
            deliver_to_bearerbox_real(conn, reply);
            final += (msg->sms.dlr_mask & 3) != 0;
        }
        msg_destroy(msg);
    }
    printf("%.3f\n", now_s() - start);
    conn_destroy(conn);
    gwlib_shutdown();
    return 0;
}
