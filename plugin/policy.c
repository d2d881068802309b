/*
 * policy.c - configuration to policy SQL parameters (see policy.h).
 */
#include "policy.h"

void policy_params_init(PolicyParams *params, const AbsenceConfig *config)
{
    const BoxSettings *box = &config->box;
    int i;

    params->text[0] = octstr_duplicate(box->timezone);
    params->text[1] = octstr_format("%ld", box->send_delay_s);
    params->text[2] = octstr_format("%ld", box->max_lateness_s);
    params->text[3] = octstr_format("%02ld:%02ld", box->latest_send_minute / 60,
                                    box->latest_send_minute % 60);
    params->text[4] = db_array(config->absent_marks);
    params->text[5] = octstr_duplicate(box->student_status_pattern);
    params->text[6] = octstr_duplicate(box->message_template);
    params->text[7] = box->report_link ? octstr_duplicate(box->report_link) : octstr_create("");
    params->text[8] = octstr_create(box->allow_international ? "true" : "false");
    params->text[9] = octstr_format("%ld", config->max_septets);
    params->text[10] = octstr_format("%ld", config->max_ucs2_chars);
    for (i = 0; i < POLICY_PARAM_COUNT; i++)
        params->values[i] = octstr_get_cstr(params->text[i]);
}

void policy_params_destroy(PolicyParams *params)
{
    int i;

    for (i = 0; i < POLICY_PARAM_COUNT; i++)
        octstr_destroy(params->text[i]);
}

int policy_plan(PGconn *conn, const AbsenceConfig *config, const char *at, Octstr *box_id,
                PlanResult *result, Octstr **error)
{
    static const char sql[] = "select * from absence.plan(" POLICY_SETTINGS_SQL
                              ", $12::timestamptz, $13::text)";
    PolicyParams params;
    PGresult *rows;

    policy_params_init(&params, config);
    params.values[POLICY_PARAM_COUNT] = at;
    params.values[POLICY_PARAM_COUNT + 1] = box_id ? octstr_get_cstr(box_id) : NULL;
    rows = db_query(conn, sql, POLICY_PARAM_COUNT + 2, params.values, error);
    policy_params_destroy(&params);
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
