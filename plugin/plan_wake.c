/*
 * plan_wake.c - when the box plans (see plan_wake.h).
 */
#include <sys/time.h>

#include "plan_wake.h"
#include "policy.h"

int plan_wake_listen(PGconn *conn, Octstr **error)
{
    return db_command(conn, "listen absence_plan", 0, NULL, error);
}

int plan_wake_notified(PGconn *conn)
{
    PGnotify *note;
    int notified = 0;

    if (PQconsumeInput(conn) == 0)
        return -1;
    while ((note = PQnotifies(conn)) != NULL) {
        notified = 1;
        PQfreemem(note);
    }
    return notified;
}

double plan_wake_next_due_in(PGconn *conn, const AbsenceConfig *config, double limit_s,
                             Octstr **error)
{
    /* a wait, not an instant: the box's clock need not agree with the
     * database's */
    static const char sql[] =
        "select extract(epoch from absence.next_due(" POLICY_SETTINGS_SQL ") - now()) as wait_s";
    const char *values[1] = {octstr_get_cstr(config->policy_settings)};
    PGresult *rows = db_query(conn, sql, 1, values, error);
    double wait_s = limit_s;

    if (rows == NULL)
        return -1;
    if (!db_is_null(rows, 0, "wait_s"))
        wait_s = strtod(db_value(rows, 0, "wait_s"), NULL);
    PQclear(rows);
    return wait_s < 0 ? 0 : wait_s > limit_s ? limit_s : wait_s;
}

double plan_wake_clock(void)
{
    struct timeval now;

    gettimeofday(&now, NULL);
    return now.tv_sec + now.tv_usec / 1e6;
}
