/*
 * ctl_quarantine.c - absencectl quarantine [--all]: the student-days the
 * planner set aside because their data cannot be texted or would not plan
 * (absence.plan_quarantine), with the reason, so that the data manager can
 * have the MIS correct them. Every other student-day was planned.
 */
#include "ctl_commands.h"
#include "policy.h"

/* $1 the settings, $2 --all, $3 for a program. */
static const char list_sql[] =
    "select student_id, school_day, kind, reason, first_seen, last_seen, runs, resolved"
    "  from absence.quarantine_list(" POLICY_SETTINGS_SQL ", $2::boolean, $3::boolean)";

int ctl_quarantine(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    const char *values[3] = {octstr_get_cstr(ctl->config->policy_settings),
                             ctl_arg(args, "--all") != NULL ? "true" : "false",
                             format == FORMAT_TABLE ? "false" : "true"};
    int status = 0;
    PGresult *rows = ctl_query(ctl, list_sql, 3, values, &status);

    if (rows != NULL && format == FORMAT_TABLE && PQntuples(rows) == 0)
        printf("no student-day is set aside%s: every due day was planned\n",
               values[1][0] == 't' ? ", now or before" : "");
    else if (rows != NULL)
        output_rows(stdout, rows, format);
    PQclear(rows);
    return status;
}
