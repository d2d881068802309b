/*
 * bearerbox_link.h - absencebox's one connection to bearerbox's box port,
 * through Kannel's own box-protocol code (gw/shared.h, gw/msg.h).
 *
 * A thread connects, identifies with the box id (cmd_identify, so that
 * bearerbox routes this box's delivery reports to it), reads every message
 * into an inbox List, and reconnects with back-off when bearerbox goes away
 * or tells boxes to shut down. Each connection is a numbered session: a
 * text sent in a session that has since ended may or may not have reached
 * bearerbox.
 */
#ifndef ABSENCE_BEARERBOX_LINK_H
#define ABSENCE_BEARERBOX_LINK_H

#include "gwlib/gwlib.h"
#include "gw/msg.h"

typedef struct BearerboxLink BearerboxLink;

/*
 * Start keeping a connection to HOST:PORT as BOX_ID. Every Msg read (acks,
 * sms, reports) is produced to INBOX, which the link registers as a
 * producer of; the consumer owns and destroys them. The calling thread
 * consumes them: each message wakes it from gwthread_sleep().
 */
BearerboxLink *bearerbox_link_start(Octstr *host, long port, Octstr *box_id, List *inbox);

/* Stop the thread, close the connection, free the link. */
void bearerbox_link_stop(BearerboxLink *link);

/*
 * Write MSG on the current connection. Returns the session it went out in
 * (MSG consumed), or 0 when there is no connection (MSG left to the caller).
 * Returns -1 when the write failed (MSG consumed, fate unknown).
 */
long bearerbox_link_send(BearerboxLink *link, Msg *msg);

/*
 * The box-protocol frames of MSGS (a List of Msg *, left to the caller),
 * back to back: what bearerbox_link_send() would write for each in turn.
 */
Octstr *bearerbox_link_pack(List *msgs);

/*
 * Write FRAMES (from bearerbox_link_pack(), left to the caller) in one
 * write: the kernel takes as much as its socket buffer holds at once, and
 * the link's reader flushes any rest. Returns the session, 0 when there is
 * no connection (nothing written), or -1 when the write failed (how much
 * bearerbox got is unknown).
 */
long bearerbox_link_write(BearerboxLink *link, Octstr *frames);

/* The current session number, 0 while disconnected. */
long bearerbox_link_session(BearerboxLink *link);

/* "host:port" for status displays; owned by the link. */
Octstr *bearerbox_link_address(BearerboxLink *link);

#endif
