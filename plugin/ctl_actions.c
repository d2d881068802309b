/*
 * ctl_actions.c - absencectl resend ID --reason R and cancel ID --reason R:
 * a person's decision about a single text, recorded
 * with who, when and why (absence.notification_action). The rules are in
 * the database (absence.resend_text, absence.cancel_text); a refusal is a
 * one-line error with exit status 1 and changes nothing.
 */
#include "ctl_commands.h"
#include "policy.h"

/* Both take $1 the policy's settings, $2 the text's id, $3 who, $4 why. */
static const char resend_sql[] =
    "select to_char(absence.resend_text($2::bigint, $3, $4, s.cfg) at time zone (s.cfg).timezone,"
    "               'HH24:MI') as expires"
    "  from (select " POLICY_SETTINGS_SQL " as cfg) s";

static const char cancel_sql[] =
    "select absence.cancel_text($2::bigint, $3, $4) as was where $1::jsonb is not null";

/* A staff action: its SQL, the column of its one row the message shows,
 * and the message (the text's id, that column, the actor). */
typedef struct Action {
    const char *sql;
    const char *shown;
    const char *done;
} Action;

static const Action resend = {
    resend_sql, "expires",
    "notification %s is pending again and will be sent at the box's next claim; it expires at "
    "%s if it cannot be sent by then (recorded as resent by %s)\n"};

static const Action cancel = {cancel_sql, "was",
                              "notification %s (%s) is cancelled: it will never be sent "
                              "(recorded as cancelled by %s)\n"};

/* Take ACTION on the text ARGS names, recorded as the user's. */
static int act(Ctl *ctl, CtlArgs *args, const Action *action)
{
    Octstr *id = ctl_word(args, 0), *actor;
    const char *values[4];
    int status = 0;
    PGresult *rows;

    if (octstr_len(id) == 0 || octstr_len(id) > 18 ||
        !octstr_check_range(id, 0, octstr_len(id), gw_isdigit))
        return ctl_fail(EXIT_USER,
                        "'%s' is not a notification id (a number, as absencectl report shows)",
                        octstr_get_cstr(id));
    actor = ctl_actor();
    values[0] = octstr_get_cstr(ctl->config->policy_settings);
    values[1] = octstr_get_cstr(id);
    values[2] = octstr_get_cstr(actor);
    values[3] = octstr_get_cstr(ctl_arg(args, "--reason"));
    rows = ctl_query(ctl, action->sql, 4, values, &status);
    if (rows != NULL)
        printf(action->done, octstr_get_cstr(id), db_value(rows, 0, action->shown),
               octstr_get_cstr(actor));
    PQclear(rows);
    octstr_destroy(actor);
    return status;
}

int ctl_resend(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    (void)format;
    return act(ctl, args, &resend);
}

int ctl_cancel(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    (void)format;
    return act(ctl, args, &cancel);
}
