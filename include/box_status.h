/*
 * box_status.h - a snapshot of the box's state for its admin interface,
 * written by the work loop and read by the admin thread under a lock, so
 * that the interface answers without touching the database or the loop.
 */
#ifndef ABSENCE_BOX_STATUS_H
#define ABSENCE_BOX_STATUS_H

#include <time.h>

#include "gwlib/gwlib.h"
#include "pause.h"

/* Room for the statuses of absence.notification_status (seven today). */
#define BOX_STATUS_MAX 16

typedef struct StatusCount {
    char status[32]; /* as absence.notification_status names it */
    long texts;
} StatusCount;

typedef struct BoxStatus {
    time_t started;
    int bearerbox_connected;
    int database_up;
    long in_flight;                    /* texts awaiting bearerbox's ack */
    long submitted, delivered, failed; /* since the box started */
    long reports, unknown_reports;     /* delivery reports received since it started */
    time_t last_report;                /* 0: none yet */
    long replies, replies_unmatched;   /* parents' texts stored since it started */
    long opted_out, opted_in;          /* numbers changed by a stop or start word since then */
    time_t last_reply;                 /* 0: none yet */
    int statuses;                      /* entries of today, in the database's order */
    StatusCount today[BOX_STATUS_MAX]; /* today's texts by status, every plan interval */
    long oldest_pending_s;             /* the oldest due pending text's wait, -1 if none */
    long without_report;               /* recent texts with no final report after 10 min */
    long utc_offset_s;                 /* the college's offset from UTC now */
    long replies_today;                /* parents' texts received today, every box's */
    long replies_unmatched_today;      /* of them, matched to no text */
    long plan_failures;                /* planning runs that failed since it started */
    long days_set_aside;               /* student-days in absence.plan_quarantine, open */
    PauseState pause;                  /* whether staff paused all sending */
} BoxStatus;

typedef struct BoxStatusBoard BoxStatusBoard;

BoxStatusBoard *box_status_board_create(void);
void box_status_board_destroy(BoxStatusBoard *board);

/* Copy the current snapshot into *OUT. */
void box_status_read(BoxStatusBoard *board, BoxStatus *out);

/* Replace the snapshot with *IN. */
void box_status_write(BoxStatusBoard *board, const BoxStatus *in);

#endif
