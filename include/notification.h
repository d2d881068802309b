/*
 * notification.h - the box's database steps for its texts, each one call
 * of a function in plugin/sql/functions/texts.sql with a whole batch, so
 * one round trip and one transaction per step whatever the batch size.
 * On failure each returns -1 (or NULL) and sets *error to one line.
 */
#ifndef ABSENCE_NOTIFICATION_H
#define ABSENCE_NOTIFICATION_H

#include "box_status.h"
#include "config.h"
#include "db.h"
#include "message.h"

/* Claim up to LIMIT due pending texts for BOX_ID, marking them submitted:
 * a List of OutgoingText * (caller destroys), or NULL with *error. Run it
 * in a transaction the caller commits once the texts are ready to write
 * (see claim_and_submit in box.c). */
List *notification_claim_batch(PGconn *conn, Octstr *box_id, long limit, Octstr **error);

/* Put claimed texts that were never written to bearerbox (MESSAGE_IDS,
 * uuid text) back to pending. Returns how many, or -1. */
long notification_release(PGconn *conn, List *message_ids, Octstr **error);

/* Expire pending texts past their expiry. Returns how many, or -1. */
long notification_expire(PGconn *conn, Octstr **error);

typedef struct UnconfirmedCounts {
    long unacknowledged; /* submitted, no word from bearerbox within confirm-timeout */
    long unreported;     /* sent, no final report within report-timeout */
} UnconfirmedCounts;

/* Mark the texts of CONFIG's box unconfirmed that nobody can vouch for:
 * submitted with no word from bearerbox for confirm-timeout since their
 * submission and the box's start (STARTED_AT, the database's clock), or
 * sent with no final report for report-timeout. Returns 0, or -1. */
int notification_mark_unconfirmed(PGconn *conn, const AbsenceConfig *config, Octstr *started_at,
                                  UnconfirmedCounts *counts, Octstr **error);

/* Today's texts by status (every status the database knows, in its order)
 * the oldest due text's wait and the recent texts without a final report,
 * into STATUS. Returns 0, or -1. */
int notification_count_today(PGconn *conn, const AbsenceConfig *config, BoxStatus *status,
                             Octstr **error);

#endif
