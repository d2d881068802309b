/*
 * pause.h - staff's kill switch: pausing and resuming all planning and
 * sending (absence.sending_pause), from absencectl or the box's admin
 * interface, and reading whether sending is paused. The pause lives in the
 * database, so it holds for every box and survives restarts.
 */
#ifndef ABSENCE_PAUSE_H
#define ABSENCE_PAUSE_H

#include "config.h"
#include "db.h"

typedef struct PauseState {
    int paused;
    char since[32];   /* ISO 8601 with the college's UTC offset */
    char by[64];      /* who paused */
    char reason[160]; /* why, cut to fit */
} PauseState;

/* The outcomes of pause_set(). */
#define PAUSE_DONE 0
#define PAUSE_REFUSED 1 /* already paused, not paused, no reason: *said says which */
#define PAUSE_FAILED -1 /* the database failed */

/*
 * Pause (PAUSE 1) or resume (0) all sending as ACTOR for REASON (may be NULL
 * to resume). *said (caller destroys) is one line for a person: what was
 * done, or why not.
 */
int pause_set(PGconn *conn, const AbsenceConfig *config, int pause, Octstr *actor, Octstr *reason,
              Octstr **said);

/* Whether sending is paused now, into *STATE. Returns 0, or -1 with *error. */
int pause_read(PGconn *conn, const AbsenceConfig *config, PauseState *state, Octstr **error);

#endif
