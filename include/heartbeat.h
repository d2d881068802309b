/*
 * heartbeat.h - the box's identity in the database: its row in
 * absence.box_status (its pid, when it started, its bearerbox connection and
 * texts in flight, refreshed every plan interval, which absencectl status
 * and monitoring read), and the lock that keeps its id its own.
 */
#ifndef ABSENCE_HEARTBEAT_H
#define ABSENCE_HEARTBEAT_H

#include "db.h"

typedef struct Heartbeat {
    Octstr *box_id;
    Octstr *started_at; /* the database's clock when the box started */
    int connected;      /* to bearerbox */
    Octstr *bearerbox;  /* "host:port" */
    long in_flight;     /* texts awaiting bearerbox's ack */
} Heartbeat;

/* Record BEAT for this process. Returns 0, or -1 with *error. */
int heartbeat_record(PGconn *conn, const Heartbeat *beat, Octstr **error);

/* Record how BOX_ID's planning run went: PLAN_ERROR NULL when it worked.
 * Returns 0, or -1 with *error. */
int heartbeat_record_plan(PGconn *conn, Octstr *box_id, Octstr *plan_error, Octstr **error);

/*
 * Take BOX_ID for this connection (a session advisory lock), so that two
 * boxes running with one id, which would share its delivery reports at
 * random, are refused. Returns 0, or -1 with *error: another box holds the
 * id (the line names its pid), or the database failed.
 */
int heartbeat_claim_id(PGconn *conn, Octstr *box_id, Octstr **error);

#endif
