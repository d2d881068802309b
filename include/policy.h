/*
 * policy.h - handing the configuration to the policy SQL.
 *
 * The rules of POLICY.md live in the database (scripts/migrations/
 * 002_policy.sql). The C side only turns the configuration into the
 * parameters of absence.policy_settings(...) and calls the SQL; it decides
 * nothing itself.
 */
#ifndef ABSENCE_POLICY_H
#define ABSENCE_POLICY_H

#include "config.h"
#include "db.h"

/* Parameters $1..$11 of POLICY_SETTINGS_SQL. */
#define POLICY_PARAM_COUNT 11

/* An SQL expression of type absence.policy_config over $1..$11. */
#define POLICY_SETTINGS_SQL                                                                        \
    "absence.policy_settings($1::text, $2::integer, $3::integer, $4::time, $5::text[], "          \
    "$6::text, $7::text, $8::text, $9::boolean, $10::integer, $11::integer)"

typedef struct PolicyParams {
    Octstr *text[POLICY_PARAM_COUNT];
    const char *values[POLICY_PARAM_COUNT + 4]; /* room for a caller's own parameters */
} PolicyParams;

/* Fill PARAMS from CONFIG; free with policy_params_destroy(). */
void policy_params_init(PolicyParams *params, const AbsenceConfig *config);
void policy_params_destroy(PolicyParams *params);

typedef struct PlanResult {
    long student_days;      /* student-days settled by this run */
    long texts_planned;     /* notifications created as pending */
    long texts_expired;     /* notifications created as expired (found too late) */
    long guardians_skipped; /* guardian_skip rows created */
    long days_too_long;     /* student-days whose text would not fit */
} PlanResult;

/*
 * Run absence.plan() at AT ("YYYY-MM-DD HH:MM[:SS][+TZ]"; NULL: the
 * database's clock) for BOX_ID (may be NULL). Returns 0, or -1 with *error.
 */
int policy_plan(PGconn *conn, const AbsenceConfig *config, const char *at, Octstr *box_id,
                PlanResult *result, Octstr **error);

#endif
