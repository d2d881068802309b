/*
 * pause.c - pausing and resuming all sending (see pause.h).
 */
#include "pause.h"

/* $1 who, $2 why, $3 the college's time zone. */
static const char pause_sql[] = "select to_char(absence.pause_sending($1, $2) at time zone $3,"
                                " 'YYYY-MM-DD HH24:MI:SS') as at";
static const char resume_sql[] = "select to_char(absence.resume_sending($1, $2) at time zone $3,"
                                 " 'YYYY-MM-DD HH24:MI:SS') as at";
static const char state_sql[] =
    "select absence.iso_local(paused_at, $1) as since, paused_by, reason"
    "  from absence.sending_paused()";

int pause_set(PGconn *conn, const AbsenceConfig *config, int pause, Octstr *actor, Octstr *reason,
              Octstr **said)
{
    const char *values[3] = {octstr_get_cstr(actor), reason ? octstr_get_cstr(reason) : NULL,
                             octstr_get_cstr(config->box.timezone)};
    char sqlstate[6] = "";
    PGresult *rows =
        db_query_state(conn, pause ? pause_sql : resume_sql, 3, values, said, sqlstate);

    if (rows == NULL)
        return strncmp(sqlstate, "P0", 2) == 0 ? PAUSE_REFUSED : PAUSE_FAILED;
    if (pause)
        *said = octstr_format("sending is paused from %s (recorded as paused by %S): no text is "
                              "planned or sent until it is resumed",
                              db_value(rows, 0, "at"), actor);
    else
        *said = octstr_format("sending is resumed; it had been paused since %s (recorded as "
                              "resumed by %S)",
                              db_value(rows, 0, "at"), actor);
    PQclear(rows);
    return PAUSE_DONE;
}

int pause_read(PGconn *conn, const AbsenceConfig *config, PauseState *state, Octstr **error)
{
    const char *values[1] = {octstr_get_cstr(config->box.timezone)};
    PGresult *rows = db_query(conn, state_sql, 1, values, error);

    if (rows == NULL)
        return -1;
    memset(state, 0, sizeof(*state));
    state->paused = PQntuples(rows) > 0;
    if (state->paused) {
        snprintf(state->since, sizeof(state->since), "%s", db_value(rows, 0, "since"));
        snprintf(state->by, sizeof(state->by), "%s", db_value(rows, 0, "paused_by"));
        snprintf(state->reason, sizeof(state->reason), "%s", db_value(rows, 0, "reason"));
    }
    PQclear(rows);
    return 0;
}
