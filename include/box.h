/*
 * box.h - absencebox's work loop: one text's life (README, "How it works").
 *
 * One thread owns the database connection and runs the loop: take what
 * bearerbox sent (acks, reports) from the inbox, apply acks and reports in
 * batches (reports are acknowledged to bearerbox only once committed),
 * plan, expire and sweep every plan-interval, and claim and submit texts
 * while fewer than max-pending await bearerbox's ack.
 *
 * The Box struct is the box's whole run state. Only the work loop touches
 * it, except stop and reopen_logs, which signal handlers set.
 */
#ifndef ABSENCE_BOX_H
#define ABSENCE_BOX_H

#include <signal.h>

#include "bearerbox_link.h"
#include "config.h"
#include "db.h"

typedef struct Box Box;

/* Create the run state for CONFIG (not owned); starts nothing. */
Box *box_create(const AbsenceConfig *config);
void box_destroy(Box *box);

/*
 * Connect to the database (retrying until it answers or *STOP is set) and
 * check its schema. Returns 0, or -1: with *error set when the schema is not
 * at the version this box needs, with *error NULL when stopped.
 */
int box_open_database(Box *box, volatile sig_atomic_t *stop, Octstr **error);

/*
 * Run until *STOP becomes non-zero, then stop claiming, wait up to
 * shutdown-timeout for outstanding acks, commit and acknowledge what was
 * received, and return 0. *REOPEN_LOGS asks for log_reopen(). Returns -1,
 * after the same shutdown, when another box took this box's id.
 */
int box_run(Box *box, volatile sig_atomic_t *stop, volatile sig_atomic_t *reopen_logs);

#endif
