/*
 * ctl_preview.c - absencectl preview [--at TIME]: a dry run of the planner
 * at an instant (default now): the texts it would plan and the guardians it
 * would skip, from the same policy SQL, in a read-only transaction so that
 * nothing is written.
 */
#include "ctl_commands.h"
#include "policy.h"

/* $1 the policy's settings, $2 the instant, $3 whether for a program. */
static const char preview_sql[] =
    "with s as (select " POLICY_SETTINGS_SQL " as cfg)"
    "select r.student_id as student, r.guardian_id as guardian,"
    "       absence.mask_mobile(r.recipient) as recipient,"
    "       absence.shown_time(r.lesson_starts_at, (s.cfg).timezone, $3, 'HH24:MI') as lesson,"
    "       coalesce('skip: ' || r.skip_reason, 'text') as outcome,"
    "       case when r.skip_reason is null then r.body end as body"
    "  from s cross join absence.policy_recipients(s.cfg, $2::timestamptz,"
    "       absence.plan_window_from(s.cfg, $2::timestamptz),"
    "       $2::timestamptz - make_interval(secs => (s.cfg).send_delay)) r"
    " where r.state = 'due' and r.guardian_id is not null"
    " order by r.skip_reason is not null, r.student_id, r.guardian_id";

/* The other student-days of the window, by state, for the table's footer. */
static const char states_sql[] =
    "with s as (select " POLICY_SETTINGS_SQL " as cfg)"
    "select t.state, count(*) as days"
    "  from s cross join absence.policy_triggers(s.cfg, $2::timestamptz,"
    "       absence.plan_window_from(s.cfg, $2::timestamptz), $2::timestamptz) t"
    " where t.state <> 'due' and $3::boolean is not null"
    " group by t.state order by t.state::text";

static void print_footer(PGresult *texts, PGresult *states)
{
    int row, planned = 0;

    for (row = 0; row < PQntuples(texts); row++)
        planned += strcmp(db_value(texts, row, "outcome"), "text") == 0;
    printf("\n%d text%s would be planned, %d guardian%s skipped", planned, planned == 1 ? "" : "s",
           PQntuples(texts) - planned, PQntuples(texts) - planned == 1 ? "" : "s");
    for (row = 0; row < PQntuples(states); row++)
        printf("%s%s %s", row == 0 ? "; other student-days: " : ", ",
               db_value(states, row, "state"), db_value(states, row, "days"));
    puts("");
}

static void print_preview(Ctl *ctl, CtlArgs *args, PGresult *texts, PGresult *states,
                          OutputFormat format)
{
    if (format == FORMAT_TABLE)
        printf("Preview at %s (%s; nothing is written)\n\n",
               ctl_arg(args, "--at") ? octstr_get_cstr(ctl_arg(args, "--at")) : "now",
               octstr_get_cstr(ctl->config->box.timezone));
    output_rows(stdout, texts, format);
    if (format == FORMAT_TABLE)
        print_footer(texts, states);
}

int ctl_preview(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    int status = 0;
    Octstr *at = ctl_instant(ctl, ctl_arg(args, "--at"), "--at", &status);
    const char *values[3];
    PGresult *texts = NULL, *states = NULL;
    Octstr *error = NULL;

    if (at == NULL)
        return status;
    if (db_command(ctl->conn, "begin transaction read only", 0, NULL, &error) < 0) {
        octstr_destroy(at);
        return ctl_fail_octstr(EXIT_ENVIRONMENT, error);
    }
    values[0] = octstr_get_cstr(ctl->config->policy_settings);
    values[1] = octstr_get_cstr(at);
    values[2] = format == FORMAT_TABLE ? "false" : "true";
    texts = ctl_query(ctl, preview_sql, 3, values, &status);
    if (texts != NULL && format == FORMAT_TABLE)
        states = ctl_query(ctl, states_sql, 3, values, &status);
    if (texts != NULL && (format != FORMAT_TABLE || states != NULL))
        print_preview(ctl, args, texts, states, format);
    PQclear(texts);
    PQclear(states);
    db_rollback(ctl->conn);
    octstr_destroy(at);
    return status;
}
