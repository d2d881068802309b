/*
 * policy.c - calling the policy SQL (see policy.h).
 */
#include "policy.h"

int policy_plan(PGconn *conn, const AbsenceConfig *config, const char *at, Octstr *box_id,
                PlanResult *result, Octstr **error)
{
    static const char sql[] =
        "select * from absence.plan(" POLICY_SETTINGS_SQL ", $2::timestamptz, $3::text)";
    const char *values[3] = {octstr_get_cstr(config->policy_settings), at,
                             box_id ? octstr_get_cstr(box_id) : NULL};
    PGresult *rows = db_query(conn, sql, 3, values, error);

    if (rows == NULL)
        return -1;
    result->student_days = db_long(rows, 0, "student_days");
    result->texts_planned = db_long(rows, 0, "texts_planned");
    result->texts_expired = db_long(rows, 0, "texts_expired");
    result->guardians_skipped = db_long(rows, 0, "guardians_skipped");
    result->days_too_long = db_long(rows, 0, "days_too_long");
    PQclear(rows);
    return 0;
}
