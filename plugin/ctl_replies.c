/*
 * ctl_replies.c - parents' replies and opt-outs as staff see and make them
 * (README, "8. Replies from parents"):
 *
 *   absencectl replies [--unmatched] [--since DATE]
 *   absencectl opt-out NUMBER --reason TEXT
 *   absencectl opt-in NUMBER --reason TEXT
 *   absencectl opt-outs
 *
 * The rules are in the database (absence.reply_list, staff_opt_out,
 * opt_out_list in reply_lists.sql); numbers are shown masked, and a
 * refusal is one line with exit status 1 that changes nothing.
 */
#include "ctl_commands.h"
#include "policy.h"

/* $1 the settings, $2 --since (null: the last 7 days), $3 --unmatched,
 * $4 for a program. */
static const char list_sql[] =
    "select * from absence.reply_list(" POLICY_SETTINGS_SQL ", $2::date, $3::boolean,"
    " $4::boolean)";

/* $1 the settings, $2 the number as typed, $3 out (true) or in, $4 who,
 * $5 why. */
static const char change_sql[] =
    "select message, changed from absence.staff_opt_out(" POLICY_SETTINGS_SQL ", $2, $3::boolean,"
    " $4, $5)";

/* $1 the settings, $2 for a program. */
static const char opt_outs_sql[] =
    "select * from absence.opt_out_list(" POLICY_SETTINGS_SQL ", $2::boolean)";

static const char *machine(OutputFormat format)
{
    return format == FORMAT_TABLE ? "false" : "true";
}

int ctl_replies(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    Octstr *since = NULL;
    const char *values[4];
    PGresult *rows;
    int status = 0;

    if (ctl_arg(args, "--since") != NULL &&
        (since = ctl_date(ctl, ctl_arg(args, "--since"), "--since", &status)) == NULL)
        return status;
    values[0] = octstr_get_cstr(ctl->config->policy_settings);
    values[1] = since != NULL ? octstr_get_cstr(since) : NULL;
    values[2] = ctl_arg(args, "--unmatched") != NULL ? "true" : "false";
    values[3] = machine(format);
    rows = ctl_query(ctl, list_sql, 4, values, &status);
    if (rows != NULL && format == FORMAT_TABLE && PQntuples(rows) == 0)
        printf("no %sreplies %s%s\n", values[2][0] == 't' ? "unmatched " : "",
               since != NULL ? "since " : "in the last 7 days",
               since != NULL ? octstr_get_cstr(since) : "");
    else if (rows != NULL)
        output_rows(stdout, rows, format);
    PQclear(rows);
    octstr_destroy(since);
    return status;
}

/* opt-out and opt-in: the change, or what already was so (exit 0). */
static int change(Ctl *ctl, CtlArgs *args, int out)
{
    Octstr *actor = ctl_actor();
    const char *values[5];
    PGresult *rows;
    int status = 0;

    values[0] = octstr_get_cstr(ctl->config->policy_settings);
    values[1] = octstr_get_cstr(ctl_word(args, 0));
    values[2] = out ? "true" : "false";
    values[3] = octstr_get_cstr(actor);
    values[4] = octstr_get_cstr(ctl_arg(args, "--reason"));
    rows = ctl_query(ctl, change_sql, 5, values, &status);
    if (rows != NULL)
        printf("%s\n", db_value(rows, 0, "message"));
    PQclear(rows);
    octstr_destroy(actor);
    return status;
}

int ctl_opt_out(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    (void)format;
    return change(ctl, args, 1);
}

int ctl_opt_in(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    (void)format;
    return change(ctl, args, 0);
}

int ctl_opt_outs(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    const char *values[2] = {octstr_get_cstr(ctl->config->policy_settings), machine(format)};
    PGresult *rows;
    int status = 0;

    (void)args;
    rows = ctl_query(ctl, opt_outs_sql, 2, values, &status);
    if (rows != NULL && format == FORMAT_TABLE && PQntuples(rows) == 0)
        printf("no number is opted out\n");
    else if (rows != NULL)
        output_rows(stdout, rows, format);
    PQclear(rows);
    return status;
}
