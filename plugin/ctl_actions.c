/*
 * ctl_actions.c - absencectl resend ID --reason R and cancel ID --reason R:
 * a person's decision about a failed, unconfirmed or expired text, recorded
 * with who, when and why (absence.notification_action). The rules are in
 * the database (absence.resend_text, absence.cancel_text); a refusal is a
 * one-line error with exit status 1 and changes nothing.
 */
#include "ctl_commands.h"
#include "policy.h"

static const char resend_sql[] =
    "select to_char(absence.resend_text($12::bigint, $13, $14, " POLICY_SETTINGS_SQL ")"
    "       at time zone $1, 'HH24:MI') as expires";

static const char cancel_sql[] =
    "select absence.cancel_text($1::bigint, $2, $3) as was";

/* The notification id argument, checked; NULL after the error line. */
static Octstr *notification_id(CtlArgs *args, const char *usage, int *status)
{
    Octstr *id = gwlist_get(args->words, 0);

    if (id == NULL || ctl_arg(args, "--reason") == NULL) {
        *status = ctl_fail(EXIT_USER, "usage: %s", usage);
        return NULL;
    }
    if (octstr_len(id) > 18 || !octstr_check_range(id, 0, octstr_len(id), gw_isdigit) ||
        octstr_len(id) == 0) {
        *status = ctl_fail(EXIT_USER, "'%s' is not a notification id (a number, as absencectl "
                                      "report shows)",
                           octstr_get_cstr(id));
        return NULL;
    }
    return id;
}

static int resend(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    int status = 0;
    Octstr *id = notification_id(args, "absencectl resend ID --reason \"why\"", &status);
    Octstr *actor;
    PolicyParams params;
    PGresult *rows;

    (void)format;
    if (id == NULL)
        return status;
    actor = ctl_actor();
    policy_params_init(&params, ctl->config);
    params.values[POLICY_PARAM_COUNT] = octstr_get_cstr(id);
    params.values[POLICY_PARAM_COUNT + 1] = octstr_get_cstr(actor);
    params.values[POLICY_PARAM_COUNT + 2] = octstr_get_cstr(ctl_arg(args, "--reason"));
    rows = ctl_query(ctl, resend_sql, POLICY_PARAM_COUNT + 3, params.values, &status);
    if (rows != NULL) {
        printf("notification %s is pending again and will be sent at the box's next claim; it "
               "expires at %s if it cannot be sent by then (recorded as resent by %s)\n",
               octstr_get_cstr(id), PQgetvalue(rows, 0, 0), octstr_get_cstr(actor));
        PQclear(rows);
    }
    policy_params_destroy(&params);
    octstr_destroy(actor);
    return status;
}

static int cancel(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    int status = 0;
    Octstr *id = notification_id(args, "absencectl cancel ID --reason \"why\"", &status);
    Octstr *actor;
    const char *values[3];
    PGresult *rows;

    (void)format;
    if (id == NULL)
        return status;
    actor = ctl_actor();
    values[0] = octstr_get_cstr(id);
    values[1] = octstr_get_cstr(actor);
    values[2] = octstr_get_cstr(ctl_arg(args, "--reason"));
    rows = ctl_query(ctl, cancel_sql, 3, values, &status);
    if (rows != NULL) {
        printf("notification %s (%s) is cancelled: it will not be sent again (recorded as "
               "cancelled by %s)\n",
               octstr_get_cstr(id), PQgetvalue(rows, 0, 0), octstr_get_cstr(actor));
        PQclear(rows);
    }
    octstr_destroy(actor);
    return status;
}

int ctl_resend(Ctl *ctl, int argc, char **argv)
{
    return ctl_run(ctl, argc, argv, "resend", "--reason", 1, NULL, FORMAT_TABLE, resend);
}

int ctl_cancel(Ctl *ctl, int argc, char **argv)
{
    return ctl_run(ctl, argc, argv, "cancel", "--reason", 1, NULL, FORMAT_TABLE, cancel);
}
