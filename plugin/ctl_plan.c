/*
 * ctl_plan.c - absencectl plan [--at TIME]: plan as the box does every
 * plan-interval, now or at an instant in the past (to replay a day from its
 * registers); an instant in the future is refused if it would settle
 * anything (the rule is absence.plan's).
 */
#include "ctl_commands.h"
#include "policy.h"

int ctl_plan(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    Octstr *at = NULL;
    const char *values[4];
    PlanResult result;
    PGresult *rows;
    int status = 0;

    (void)format;
    if (ctl_arg(args, "--at") != NULL &&
        (at = ctl_instant(ctl, ctl_arg(args, "--at"), "--at", &status)) == NULL)
        return status;
    values[0] = octstr_get_cstr(ctl->config->policy_settings);
    values[1] = at ? octstr_get_cstr(at) : NULL;
    values[2] = octstr_get_cstr(ctl->config->box.id);
    values[3] = "false"; /* a person: the whole window, after any run under way */
    rows = ctl_query(ctl, POLICY_PLAN_SQL, 4, values, &status);
    octstr_destroy(at);
    if (rows == NULL)
        return status;
    policy_plan_read(rows, &result);
    PQclear(rows);
    printf("student-days settled: %ld\ntexts planned: %ld\ntexts expired: %ld\n"
           "guardians skipped: %ld\ndays whose text would not fit: %ld\n"
           "attendance concerns opened: %ld\nconcern texts planned: %ld\n"
           "concern texts expired: %ld\nstudent-days set aside: %ld%s\n",
           result.student_days, result.texts_planned, result.texts_expired,
           result.guardians_skipped, result.days_too_long, result.concerns_opened,
           result.concern_texts, result.concern_expired, result.days_quarantined,
           result.days_quarantined > 0 ? " (absencectl quarantine lists them)" : "");
    return 0;
}
