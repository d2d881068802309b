/*
 * ctl_concerns.c - the attendance procedure as staff run it (README,
 * "7. Attendance concerns"):
 *
 *   absencectl concerns [--all] [--term ID] [--student ID]
 *   absencectl concern meeting|close ID --note TEXT
 *   absencectl log-contact STUDENT_ID --method M --outcome TEXT [--guardian ID]
 *       [--concern ID] [--note TEXT] [--at TIME] [--direction out|in]
 *
 * The rules are in the database (absence.concern_list, move_concern,
 * log_contact); a refusal is one line with exit status 1 and changes
 * nothing. Every step is recorded with who took it.
 */
#include "ctl_commands.h"
#include "policy.h"

/* $1 the settings, $2 --all, $3 --term, $4 --student, $5 for a program. */
static const char list_sql[] =
    "select * from absence.concern_list(" POLICY_SETTINGS_SQL ", $2::boolean, $3::bigint, $4,"
    " $5::boolean)";

/* $1 the concern, $2 the state, $3 who, $4 the note. */
static const char move_sql[] = "select state, student_id from absence.move_concern($1::bigint, "
                               "$2, $3, $4)";

static const char log_sql[] =
    "select absence.log_contact($1, $2, $3, $4, $5::bigint, $6::bigint, $7, $8::timestamptz,"
    " coalesce($9, 'out')) as id";

/* VALUE, the WHAT the user gave, as a number; else a one-line error. */
static int check_id(Octstr *value, const char *what)
{
    if (value == NULL)
        return 0;
    if (octstr_len(value) == 0 || octstr_len(value) > 18 ||
        !octstr_check_range(value, 0, octstr_len(value), gw_isdigit))
        return ctl_fail(EXIT_USER, "'%s' is not a %s (a number)", octstr_get_cstr(value), what);
    return 0;
}

static const char *cstr_or_null(Octstr *value)
{
    return value != NULL ? octstr_get_cstr(value) : NULL;
}

int ctl_concerns(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    const char *values[5];
    PGresult *rows;
    int status = check_id(ctl_arg(args, "--term"), "term id");

    if (status != 0)
        return status;
    values[0] = octstr_get_cstr(ctl->config->policy_settings);
    values[1] = ctl_arg(args, "--all") != NULL ? "true" : "false";
    values[2] = cstr_or_null(ctl_arg(args, "--term"));
    values[3] = cstr_or_null(ctl_arg(args, "--student"));
    values[4] = format == FORMAT_TABLE ? "false" : "true";
    rows = ctl_query(ctl, list_sql, 5, values, &status);
    if (rows == NULL)
        return status;
    if (format == FORMAT_TABLE && PQntuples(rows) == 0)
        printf("no %sconcerns\n", values[1][0] == 't' ? "" : "open ");
    else
        output_rows(stdout, rows, format);
    PQclear(rows);
    return 0;
}

int ctl_concern(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    Octstr *action = ctl_word(args, 0), *id = ctl_word(args, 1), *actor;
    const char *values[4], *state;
    PGresult *rows;
    int status;

    (void)format;
    if (octstr_str_compare(action, "meeting") == 0)
        state = "meeting";
    else if (octstr_str_compare(action, "close") == 0)
        state = "closed";
    else
        return ctl_fail(EXIT_USER,
                        "concern: '%s' is neither meeting nor close (absencectl "
                        "concern --help)",
                        octstr_get_cstr(action));
    if ((status = check_id(id, "concern id")) != 0)
        return status;
    actor = ctl_actor();
    values[0] = octstr_get_cstr(id);
    values[1] = state;
    values[2] = octstr_get_cstr(actor);
    values[3] = octstr_get_cstr(ctl_arg(args, "--note"));
    rows = ctl_query(ctl, move_sql, 4, values, &status);
    if (rows != NULL)
        printf("concern %s (student %s) is now %s (recorded by %s)\n", octstr_get_cstr(id),
               db_value(rows, 0, "student_id"), db_value(rows, 0, "state"), octstr_get_cstr(actor));
    PQclear(rows);
    octstr_destroy(actor);
    return status;
}

int ctl_log_contact(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    Octstr *at = NULL, *actor;
    const char *values[9];
    PGresult *rows;
    int status = check_id(ctl_arg(args, "--guardian"), "guardian id");

    (void)format;
    if (status == 0)
        status = check_id(ctl_arg(args, "--concern"), "concern id");
    if (status == 0 && ctl_arg(args, "--at") != NULL)
        at = ctl_instant(ctl, ctl_arg(args, "--at"), "--at", &status);
    if (status != 0)
        return status;
    actor = ctl_actor();
    values[0] = octstr_get_cstr(ctl_word(args, 0));
    values[1] = octstr_get_cstr(ctl_arg(args, "--method"));
    values[2] = octstr_get_cstr(ctl_arg(args, "--outcome"));
    values[3] = octstr_get_cstr(actor);
    values[4] = cstr_or_null(ctl_arg(args, "--guardian"));
    values[5] = cstr_or_null(ctl_arg(args, "--concern"));
    values[6] = cstr_or_null(ctl_arg(args, "--note"));
    values[7] = cstr_or_null(at);
    values[8] = cstr_or_null(ctl_arg(args, "--direction"));
    rows = ctl_query(ctl, log_sql, 9, values, &status);
    if (rows != NULL)
        printf("logged contact %s: %s with the family of %s, %s (recorded by %s)\n",
               db_value(rows, 0, "id"), values[1], values[0], values[2], values[3]);
    PQclear(rows);
    octstr_destroy(actor);
    octstr_destroy(at);
    return status;
}
