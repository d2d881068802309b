/*
 * reply.h - parents' replies from bearerbox into the database: each stored
 * once (by its Kannel message id), matched to the latest text sent to its
 * number, and a stop or start word applied, all in one transaction per
 * batch (absence.receive_replies). Replies are acknowledged to bearerbox
 * only after this returns success, so a reply is never lost: until then
 * bearerbox keeps it and sends it again.
 */
#ifndef ABSENCE_REPLY_H
#define ABSENCE_REPLY_H

#include "config.h"
#include "db.h"

typedef struct ReplyCounts {
    long received;   /* stored */
    long duplicates; /* already stored (bearerbox redelivered them) */
    long matched;    /* of the stored, matched to a text sent to their number */
    long unmatched;  /* of the stored, kept for staff */
    long opted_out;  /* numbers a stop word opted out (each confirmed by a text) */
    long opted_in;   /* numbers a start word opted in again (confirmed too) */
} ReplyCounts;

/* 1 when MSG is a text a parent sent (an MO), not a delivery report. */
int reply_is_incoming(Msg *msg);

/*
 * The body of an incoming MSG as valid UTF-8 text: UCS-2 (UTF-16) is
 * converted, GSM text already is UTF-8 (bearerbox converts it), anything
 * else that is not UTF-8 is read as ISO-8859-1; NUL characters become
 * U+FFFD, which PostgreSQL text cannot hold otherwise. Caller destroys.
 */
Octstr *reply_body_text(Msg *msg);

/* Store REPLIES (a List of sms Msg *, left to the caller) for the box of
 * CONFIG. */
int reply_store_batch(PGconn *conn, const AbsenceConfig *config, List *replies, ReplyCounts *counts,
                      Octstr **error);

#endif
