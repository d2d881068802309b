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
