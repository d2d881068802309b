/*
 * plan_wake.h - when the box plans: at the next instant a text falls due
 * (absence.next_due), at once when the MIS changed marks, registers or
 * students (NOTIFY absence_plan, from the triggers that note the change),
 * and every plan-interval whatever happens.
 */
#ifndef ABSENCE_PLAN_WAKE_H
#define ABSENCE_PLAN_WAKE_H

#include "config.h"
#include "db.h"

/* Listen for the planner's channel on CONN (again after each reconnect).
 * Returns 0, or -1 with *error. */
int plan_wake_listen(PGconn *conn, Octstr **error);

/* Whether a notification came on CONN since the last call (read without
 * waiting): 1 yes, 0 no, -1 the connection is broken. */
int plan_wake_notified(PGconn *conn);

/* Seconds from now, by the database's clock, until the next text falls due
 * by CONFIG's settings, at most LIMIT_S (also when nothing is due later).
 * Returns -1 with *error when the query fails. */
double plan_wake_next_due_in(PGconn *conn, const AbsenceConfig *config, double limit_s,
                             Octstr **error);

/* The wall clock in seconds, to the microsecond. */
double plan_wake_clock(void);

#endif
