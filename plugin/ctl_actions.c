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
    "select to_char(absence.resend_text($2::bigint, $3, $4, s.cfg) at time zone (s.cfg).timezone,"
    "               'HH24:MI') as expires"
    "  from (select " POLICY_SETTINGS_SQL " as cfg) s";

static const char cancel_sql[] = "select absence.cancel_text($1::bigint, $2, $3) as was";

/* The notification id argument, checked; NULL after the error line. */
static Octstr *notification_id(CtlArgs *args, int *status)
{
    Octstr *id = ctl_word(args, 0);

    if (octstr_len(id) > 18 || !octstr_check_range(id, 0, octstr_len(id), gw_isdigit) ||
        octstr_len(id) == 0) {
        *status = ctl_fail(EXIT_USER,
                           "'%s' is not a notification id (a number, as absencectl "
                           "report shows)",
                           octstr_get_cstr(id));
        return NULL;
    }
    return id;
}

int ctl_resend(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    int status = 0;
    Octstr *id = notification_id(args, &status);
    Octstr *actor;
    const char *values[4];
    PGresult *rows;

    (void)format;
    if (id == NULL)
        return status;
    actor = ctl_actor();
    values[0] = octstr_get_cstr(ctl->config->policy_settings);
    values[1] = octstr_get_cstr(id);
    values[2] = octstr_get_cstr(actor);
    values[3] = octstr_get_cstr(ctl_arg(args, "--reason"));
    rows = ctl_query(ctl, resend_sql, 4, values, &status);
    if (rows != NULL) {
        printf("notification %s is pending again and will be sent at the box's next claim; it "
               "expires at %s if it cannot be sent by then (recorded as resent by %s)\n",
               octstr_get_cstr(id), db_value(rows, 0, "expires"), octstr_get_cstr(actor));
        PQclear(rows);
    }
    octstr_destroy(actor);
    return status;
}

int ctl_cancel(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    int status = 0;
    Octstr *id = notification_id(args, &status);
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
               octstr_get_cstr(id), db_value(rows, 0, "was"), octstr_get_cstr(actor));
        PQclear(rows);
    }
    octstr_destroy(actor);
    return status;
}
