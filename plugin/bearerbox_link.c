/*
 * bearerbox_link.c - the connection to bearerbox (see bearerbox_link.h).
 */
#include "gw/shared.h"

#include "bearerbox_link.h"

/* Reconnect back-off: doubles from 1 s, capped so a restarted bearerbox is
 * found again quickly. */
#define BACKOFF_MAX_S 5.0

/* How long the link reads on after bearerbox says it is shutting down. */
#define SHUTDOWN_DRAIN_S 2

struct BearerboxLink {
    Octstr *host;
    long port;
    Octstr *box_id;
    Octstr *address;
    List *inbox;
    long reader;      /* the thread reading INBOX: woken at each message */
    Mutex *lock;      /* guards conn and session against the writer */
    Connection *conn; /* NULL while disconnected */
    long session;     /* current session, 0 while disconnected */
    long sessions;    /* sessions so far */
    volatile int stopping;
    long thread;
};

typedef enum { LINK_BROKEN, LINK_SHUTDOWN, LINK_STOPPED } LinkEnd;

static int identify(BearerboxLink *link, Connection *conn)
{
    Msg *msg = msg_create(admin);

    msg->admin.command = cmd_identify;
    msg->admin.boxc_id = octstr_duplicate(link->box_id);
    if (deliver_to_bearerbox_real(conn, msg) == -1) {
        msg_destroy(msg);
        return -1;
    }
    return 0;
}

static void set_connection(BearerboxLink *link, Connection *conn)
{
    mutex_lock(link->lock);
    link->conn = conn;
    link->session = conn == NULL ? 0 : ++link->sessions;
    mutex_unlock(link->lock);
}

/* Hand MSG to the box: acks and sms (reports, replies); nothing else. */
static void deliver(BearerboxLink *link, Msg *msg)
{
    if (msg_type(msg) == sms || msg_type(msg) == ack) {
        gwlist_produce(link->inbox, msg);
        gwthread_wakeup(link->reader);
    } else {
        msg_destroy(msg);
    }
}

/* bearerbox is shutting down: write nothing more (a text written now would
 * be refused), but read on for a moment, since its answers to texts just
 * written (refused: to be sent again) are on their way; then close, as
 * bearerbox waits for its boxes to go. */
static void drain(BearerboxLink *link, Connection *conn)
{
    time_t until = time(NULL) + SHUTDOWN_DRAIN_S;
    Msg *msg;

    set_connection(link, NULL);
    while (!link->stopping && time(NULL) < until) {
        int ret = read_from_bearerbox_real(conn, &msg, (double)(until - time(NULL)));
        if (ret == -1)
            return;
        if (ret == 0)
            deliver(link, msg);
    }
}

/* Read until the connection ends; say why it ended. */
static LinkEnd read_messages(BearerboxLink *link, Connection *conn)
{
    Msg *msg;
    int ret;

    while (!link->stopping) {
        ret = read_from_bearerbox_real(conn, &msg, 1.0);
        if (ret == -1)
            return link->stopping ? LINK_STOPPED : LINK_BROKEN;
        if (ret == 1)
            continue;
        if (msg_type(msg) == admin) {
            int shutdown = msg->admin.command == cmd_shutdown || msg->admin.command == cmd_restart;
            msg_destroy(msg);
            if (shutdown) {
                drain(link, conn);
                return LINK_SHUTDOWN;
            }
        } else {
            deliver(link, msg);
        }
    }
    return LINK_STOPPED;
}

static void link_thread(void *arg)
{
    BearerboxLink *link = arg;
    double backoff = 1.0;
    Connection *conn;
    LinkEnd end;

    while (!link->stopping) {
        conn = connect_to_bearerbox_real(link->host, (int)link->port, 0, NULL);
        if (conn != NULL && identify(link, conn) == -1) {
            conn_destroy(conn);
            conn = NULL;
        }
        if (conn == NULL) {
            warning(0, "absencebox: cannot reach bearerbox at %s, retrying in %.0f s",
                    octstr_get_cstr(link->address), backoff);
            gwthread_sleep(backoff);
            backoff = backoff * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : backoff * 2;
            continue;
        }
        set_connection(link, conn);
        info(0, "absencebox: connected to bearerbox at %s as box id <%s> (session %ld)",
             octstr_get_cstr(link->address), octstr_get_cstr(link->box_id), link->session);
        backoff = 1.0;
        end = read_messages(link, conn);
        set_connection(link, NULL);
        conn_destroy(conn);
        if (end == LINK_SHUTDOWN) {
            /* bearerbox waits for its boxes to close before it stops */
            info(0, "absencebox: bearerbox is shutting down; reconnecting when it is back");
            gwthread_sleep(backoff);
        } else if (end == LINK_BROKEN) {
            warning(0, "absencebox: lost the connection to bearerbox at %s",
                    octstr_get_cstr(link->address));
        }
    }
}

BearerboxLink *bearerbox_link_start(Octstr *host, long port, Octstr *box_id, List *inbox)
{
    BearerboxLink *link = gw_malloc(sizeof(*link));

    link->reader = gwthread_self();
    link->host = octstr_duplicate(host);
    link->port = port;
    link->box_id = octstr_duplicate(box_id);
    link->address = octstr_format("%S:%ld", host, port);
    link->inbox = inbox;
    link->lock = mutex_create();
    link->conn = NULL;
    link->session = link->sessions = 0;
    link->stopping = 0;
    gwlist_add_producer(inbox);
    link->thread = gwthread_create(link_thread, link);
    return link;
}

void bearerbox_link_stop(BearerboxLink *link)
{
    link->stopping = 1;
    gwthread_wakeup(link->thread);
    gwthread_join(link->thread);
    gwlist_remove_producer(link->inbox);
    mutex_destroy(link->lock);
    octstr_destroy(link->host);
    octstr_destroy(link->box_id);
    octstr_destroy(link->address);
    gw_free(link);
}

long bearerbox_link_send(BearerboxLink *link, Msg *msg)
{
    long session;

    mutex_lock(link->lock);
    session = link->session;
    if (link->conn != NULL && deliver_to_bearerbox_real(link->conn, msg) == -1) {
        msg_destroy(msg);
        session = -1;
    }
    mutex_unlock(link->lock);
    return session;
}

Octstr *bearerbox_link_pack(List *msgs)
{
    Octstr *frames = octstr_create(""), *packed;
    unsigned char length[4];
    long i;

    for (i = 0; i < gwlist_len(msgs); i++) {
        packed = msg_pack(gwlist_get(msgs, i));
        /* the frame conn_write_withlen() would write: length, then the message */
        encode_network_long(length, octstr_len(packed));
        octstr_append_data(frames, (char *)length, sizeof(length));
        octstr_append(frames, packed);
        octstr_destroy(packed);
    }
    return frames;
}

long bearerbox_link_write(BearerboxLink *link, Octstr *frames)
{
    long session;

    mutex_lock(link->lock);
    session = link->session;
    if (link->conn != NULL && conn_write(link->conn, frames) == -1)
        session = -1;
    mutex_unlock(link->lock);
    return session;
}

long bearerbox_link_session(BearerboxLink *link)
{
    long session;

    mutex_lock(link->lock);
    session = link->session;
    mutex_unlock(link->lock);
    return session;
}

Octstr *bearerbox_link_address(BearerboxLink *link)
{
    return link->address;
}
