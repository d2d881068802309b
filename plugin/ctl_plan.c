/*
 * ctl_plan.c - absencectl plan [--at TIME]: plan as the box does every
 * plan-interval, now or at an instant (to replay a day from its registers).
 */
#include "ctl_commands.h"
#include "policy.h"

int ctl_plan(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    Octstr *at = NULL, *error = NULL;
    PlanResult result;
    int status = 0;

    (void)format;
    if (ctl_arg(args, "--at") != NULL &&
        (at = ctl_instant(ctl, ctl_arg(args, "--at"), "--at", &status)) == NULL)
        return status;
    status = policy_plan(ctl->conn, ctl->config, at ? octstr_get_cstr(at) : NULL,
                         ctl->config->box.id, &result, &error);
    octstr_destroy(at);
    if (status < 0)
        return ctl_fail_octstr(EXIT_ENVIRONMENT, error);
    printf("student-days settled: %ld\ntexts planned: %ld\ntexts expired: %ld\n"
           "guardians skipped: %ld\ndays whose text would not fit: %ld\n",
           result.student_days, result.texts_planned, result.texts_expired,
           result.guardians_skipped, result.days_too_long);
    return 0;
}
