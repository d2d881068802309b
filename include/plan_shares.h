/*
 * plan_shares.h - a large planning run split over several PostgreSQL
 * sessions.
 *
 * A box's planning run that looks at plan-split-lessons lessons or more (a
 * first run, a box stopped all morning) is split over plan-sessions
 * sessions: the box's own and plan-sessions - 1 opened for the run alone.
 * Each settles its share of the students (absence.plan_share) at the same
 * instant, at once, on its own core of the database server; then the box's
 * session ends the run with absence.plan, which looks only at what changed
 * meanwhile. Which share a student is in, and what a share may skip, is the
 * database's (plan.sql); this only runs the sessions.
 */
#ifndef ABSENCE_PLAN_SHARES_H
#define ABSENCE_PLAN_SHARES_H

#include "policy.h"

/*
 * Plan as the running box BOX_ID on CONN, split when the run is large (see
 * above), else with policy_plan(). A session that cannot be opened, or a
 * share that does not complete, leaves the whole run to one policy_plan().
 * Sets *SESSIONS to the number of sessions that planned. Returns 0, or -1
 * with *error (CONN's failure, as policy_plan()).
 */
int plan_in_shares(PGconn *conn, const AbsenceConfig *config, Octstr *box_id, PlanResult *result,
                   int *sessions, Octstr **error);

#endif
