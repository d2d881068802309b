/*
 * heartbeat.c - the box's row in absence.box_status (see heartbeat.h).
 */
#include <unistd.h>

#include "heartbeat.h"

int heartbeat_record(PGconn *conn, const Heartbeat *beat, Octstr **error)
{
    static const char sql[] = "select absence.box_heartbeat($1, $2::integer, $3::timestamptz, "
                              "$4::boolean, $5, $6::integer)";
    char pid[24], in_flight[24];
    const char *values[6] = {octstr_get_cstr(beat->box_id),     pid,
                             octstr_get_cstr(beat->started_at), beat->connected ? "true" : "false",
                             octstr_get_cstr(beat->bearerbox),  in_flight};

    snprintf(pid, sizeof(pid), "%ld", (long)getpid());
    snprintf(in_flight, sizeof(in_flight), "%ld", beat->in_flight);
    return db_command(conn, sql, 6, values, error);
}

int heartbeat_record_plan(PGconn *conn, Octstr *box_id, Octstr *plan_error, Octstr **error)
{
    static const char sql[] = "select absence.box_planned($1, $2)";
    const char *values[2] = {octstr_get_cstr(box_id),
                             plan_error ? octstr_get_cstr(plan_error) : NULL};

    return db_command(conn, sql, 2, values, error);
}

int heartbeat_claim_id(PGconn *conn, Octstr *box_id, Octstr **error)
{
    static const char sql[] =
        "select pg_try_advisory_lock(hashtext('absencebox'), hashtext($1)) as taken,"
        "       (select pid from absence.box_status where box_id = $1) as pid";
    const char *values[1] = {octstr_get_cstr(box_id)};
    PGresult *rows = db_query(conn, sql, 1, values, error);
    int taken;

    if (rows == NULL)
        return -1;
    taken = db_bool(rows, 0, "taken");
    if (!taken)
        *error = octstr_format("another absencebox is running with box id '%S' against this "
                               "database (pid %s): bearerbox would share its reports between "
                               "them at random; give each box its own id",
                               box_id,
                               db_is_null(rows, 0, "pid") ? "unknown" : db_value(rows, 0, "pid"));
    PQclear(rows);
    return taken ? 0 : -1;
}
