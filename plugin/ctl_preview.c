/*
 * ctl_preview.c - absencectl preview [--at 'YYYY-MM-DD HH:MM']: a dry run of
 * the planner at an instant (default now): the texts it would plan and the
 * guardians it would skip, from the same policy SQL, in a read-only
 * transaction so that nothing is written.
 */
#include "ctl_commands.h"
#include "policy.h"

/* $1..$11 the policy settings, $12 the instant. */
static const char preview_sql[] =
    "with c as (select (" POLICY_SETTINGS_SQL ").*)"
    "select r.student_id as student, r.guardian_id as guardian,"
    "       absence.mask_mobile(r.recipient) as recipient,"
    "       to_char(r.lesson_starts_at at time zone c.timezone, 'HH24:MI') as lesson,"
    "       coalesce('skip: ' || r.skip_reason, 'text') as outcome,"
    "       case when r.skip_reason is null then r.body else '' end as body"
    "  from c cross join absence.policy_recipients(" POLICY_SETTINGS_SQL ", $12::timestamptz,"
    "       absence.plan_window_from(" POLICY_SETTINGS_SQL ", $12::timestamptz),"
    "       $12::timestamptz - make_interval(secs => c.send_delay_s)) r"
    " where r.state = 'due' and r.guardian_id is not null"
    " order by r.skip_reason is not null, r.student_id, r.guardian_id";

/* The other student-days of the window, by state, for the table's footer. */
static const char states_sql[] =
    "with c as (select (" POLICY_SETTINGS_SQL ").*)"
    "select t.state, count(*) as days"
    "  from c cross join absence.policy_triggers(" POLICY_SETTINGS_SQL ", $12::timestamptz,"
    "       absence.plan_window_from(" POLICY_SETTINGS_SQL ", $12::timestamptz),"
    "       $12::timestamptz) t"
    " where t.state <> 'due' group by t.state order by t.state";

static void print_footer(PGresult *texts, PGresult *states)
{
    int outcome = PQfnumber(texts, "outcome"), row, planned = 0;

    for (row = 0; row < PQntuples(texts); row++)
        planned += strcmp(PQgetvalue(texts, row, outcome), "text") == 0;
    printf("\n%d text%s would be planned, %d guardian%s skipped", planned,
           planned == 1 ? "" : "s", PQntuples(texts) - planned,
           PQntuples(texts) - planned == 1 ? "" : "s");
    for (row = 0; row < PQntuples(states); row++)
        printf("%s%s %s", row == 0 ? "; other student-days: " : ", ",
               PQgetvalue(states, row, 0), PQgetvalue(states, row, 1));
    puts("");
}

static int preview(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    int status = 0;
    Octstr *at = ctl_instant(ctl, ctl_arg(args, "--at"), "--at", &status);
    PolicyParams params;
    PGresult *texts = NULL, *states = NULL;
    Octstr *error = NULL;

    if (at == NULL)
        return status;
    if (db_command(ctl->conn, "begin transaction read only", 0, NULL, &error) < 0) {
        octstr_destroy(at);
        return ctl_fail_octstr(EXIT_ENVIRONMENT, error);
    }
    policy_params_init(&params, ctl->config);
    params.values[POLICY_PARAM_COUNT] = octstr_get_cstr(at);
    texts = ctl_query(ctl, preview_sql, POLICY_PARAM_COUNT + 1, params.values, &status);
    if (texts != NULL && format == FORMAT_TABLE)
        states = ctl_query(ctl, states_sql, POLICY_PARAM_COUNT + 1, params.values, &status);
    if (texts != NULL && (format != FORMAT_TABLE || states != NULL)) {
        if (format == FORMAT_TABLE)
            printf("Preview at %s (%s; nothing is written)\n\n",
                   ctl_arg(args, "--at") ? octstr_get_cstr(ctl_arg(args, "--at")) : "now",
                   octstr_get_cstr(ctl->config->box.timezone));
        output_rows(stdout, texts, format);
        if (format == FORMAT_TABLE)
            print_footer(texts, states);
    }
    PQclear(texts);
    PQclear(states);
    PQclear(PQexec(ctl->conn, "rollback"));
    policy_params_destroy(&params);
    octstr_destroy(at);
    return status;
}

int ctl_preview(Ctl *ctl, int argc, char **argv)
{
    return ctl_run(ctl, argc, argv, "preview", "--at,--format", 0, "table,csv,json", FORMAT_TABLE,
                   preview);
}
