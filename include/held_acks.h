/*
 * held_acks.h - bearerbox's acks waiting to be written to the database.
 *
 * bearerbox acknowledges each text it takes; from a fast SMSC the text's
 * delivery report follows a moment later. An ack that it took a text is
 * held up to a hold time for that report: written in the same batch (see
 * absence.settle_gateway), the report alone changes the text, and the
 * database is spared the ack's own change. A refusal, an ack whose text's
 * token is unknown, and every ack when the caller flushes, are due at once.
 */
#ifndef ABSENCE_HELD_ACKS_H
#define ABSENCE_HELD_ACKS_H

#include "gwlib/gwlib.h"
#include "gw/msg.h"

typedef struct HeldAcks HeldAcks;

/* Acks held up to HOLD_S seconds. */
HeldAcks *held_acks_create(double hold_s);

/* Destroys the acks still held. */
void held_acks_destroy(HeldAcks *acks);

/* Hold ACK (now owned here), which answers for the text with TOKEN (the
 * text's dlr-url; NULL when the box does not know it), received at NOW. */
void held_acks_add(HeldAcks *acks, Msg *ack, const char *token, double now);

/* The acks to write now (a List of Msg *, the caller's, possibly empty):
 * those whose hold is over at NOW, those whose text has a report among
 * REPORTS (report Msg *), and with FLUSH, or when one is a refusal, all. */
List *held_acks_due(HeldAcks *acks, List *reports, int flush, double now);

/* Hold again ACKS (from held_acks_due()) that could not be written, due at once. */
void held_acks_return(HeldAcks *acks, List *due);

/* How many acks are held. */
long held_acks_count(HeldAcks *acks);

/* Seconds from NOW until the oldest held ack is due (0 if it is), or -1
 * when none is held. */
double held_acks_wait(HeldAcks *acks, double now);

#endif
