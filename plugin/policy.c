/*
 * policy.c - calling the policy SQL (see policy.h).
 */
#include "policy.h"

void policy_plan_read(PGresult *rows, PlanResult *result)
{
    result->student_days = db_long(rows, 0, "student_days");
    result->texts_planned = db_long(rows, 0, "texts_planned");
    result->texts_expired = db_long(rows, 0, "texts_expired");
    result->guardians_skipped = db_long(rows, 0, "guardians_skipped");
    result->days_too_long = db_long(rows, 0, "days_too_long");
    result->concerns_opened = db_long(rows, 0, "concerns_opened");
    result->concern_texts = db_long(rows, 0, "concern_texts_planned");
    result->concern_expired = db_long(rows, 0, "concern_texts_expired");
    result->days_quarantined = db_long(rows, 0, "days_quarantined");
}

int policy_plan(PGconn *conn, const AbsenceConfig *config, const char *at, Octstr *box_id,
                PlanResult *result, Octstr **error)
{
    const char *values[4] = {octstr_get_cstr(config->policy_settings), at,
                             box_id ? octstr_get_cstr(box_id) : NULL, box_id ? "true" : "false"};
    PGresult *rows = db_query(conn, POLICY_PLAN_SQL, 4, values, error);

    if (rows == NULL)
        return -1;
    policy_plan_read(rows, result);
    PQclear(rows);
    return 0;
}
