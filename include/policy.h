/*
 * policy.h - calling the policy SQL.
 *
 * The rules live in the database (plugin/sql/functions/); C decides nothing
 * itself. A statement that calls them passes the configuration's policy
 * settings (AbsenceConfig.policy_settings, a JSON object keyed by config
 * key) as its parameter $1 and builds the absence.policy_config that every
 * policy function takes from it once, with POLICY_SETTINGS_SQL.
 */
#ifndef ABSENCE_POLICY_H
#define ABSENCE_POLICY_H

#include "config.h"
#include "db.h"

/* An SQL expression of type absence.policy_config over parameter $1. */
#define POLICY_SETTINGS_SQL "absence.policy_settings($1::jsonb)"

typedef struct PlanResult {
    long student_days;      /* student-days settled by this run */
    long texts_planned;     /* notifications created as pending */
    long texts_expired;     /* notifications created as expired (found too late) */
    long guardians_skipped; /* guardian_skip rows created */
    long days_too_long;     /* student-days whose text would not fit */
    long concerns_opened;   /* attendance concerns found */
    long concern_texts;     /* concern texts created as pending */
    long concern_expired;   /* concern texts created as expired (due too late) */
    long days_quarantined;  /* student-days set aside (absence.plan_quarantine) */
} PlanResult;

/* absence.plan() over $1 the settings, $2 the instant (NULL: the
 * database's clock), $3 the box id, $4 whether the running box plans (its
 * runs look at what changed and give way to a run under way) or a person
 * with absencectl (the whole window, waiting its turn); policy_plan_read()
 * reads its row. */
#define POLICY_PLAN_SQL                                                                            \
    "select * from absence.plan(" POLICY_SETTINGS_SQL ", $2::timestamptz, $3::text, $4::boolean)"
void policy_plan_read(PGresult *rows, PlanResult *result);

/*
 * Run absence.plan() at AT (a timestamptz; NULL: the database's clock) as
 * the running box BOX_ID (NULL: as a person would, over the whole window).
 * Returns 0, or -1 with *error.
 */
int policy_plan(PGconn *conn, const AbsenceConfig *config, const char *at, Octstr *box_id,
                PlanResult *result, Octstr **error);

#endif
