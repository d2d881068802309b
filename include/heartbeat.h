/*
 * heartbeat.h - the box's row in absence.box_status: its pid, when it
 * started, its bearerbox connection and texts in flight, refreshed every
 * plan interval, which absencectl status and monitoring read.
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

#endif
