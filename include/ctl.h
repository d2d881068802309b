/*
 * ctl.h - what absencectl's commands share: the run state, one-line errors
 * with the exit statuses of the contract, command-line options, and dates
 * and times read in the college's time zone.
 *
 * Every ctl_* function that fails has already printed its one line on
 * stderr and returns the exit status (or NULL with *status set).
 */
#ifndef ABSENCE_CTL_H
#define ABSENCE_CTL_H

#include "config.h"
#include "db.h"
#include "output.h"

#define EXIT_USER 1        /* the command line or its values are wrong */
#define EXIT_ENVIRONMENT 2 /* the database is unreachable or failed */
#define EXIT_ATTENTION 3   /* absencectl status: something needs a person */

typedef struct Ctl {
    AbsenceConfig *config;
    PGconn *conn; /* NULL for commands that need no database */
} Ctl;

typedef struct CtlArgs {
    const char *command;
    Dict *options; /* "--name" -> Octstr value */
    List *words;   /* positional arguments, Octstr */
} CtlArgs;

int ctl_fail(int status, const char *fmt, ...) PRINTFLIKE(2, 3);

/* Print MESSAGE (destroyed) as the one error line; return STATUS. */
int ctl_fail_octstr(int status, Octstr *message);

/*
 * Parse ARGV for COMMAND: the options named in ALLOWED (a List of Octstr
 * "--name") each take a value, as "--date D" or "--date=D", except those
 * also in FLAGS, which take none ("--dry-run"; their value reads "yes");
 * anything else starting with "--" is an error. Returns 0, or the exit
 * status after the error line; ARGS is to be destroyed either way.
 */
int ctl_args_parse(CtlArgs *args, const char *command, int argc, char **argv, List *allowed,
                   List *flags);
void ctl_args_destroy(CtlArgs *args);

/* The value of option NAME, or NULL when absent (owned by ARGS). */
Octstr *ctl_arg(CtlArgs *args, const char *name);

/* Positional argument I, which the command table guarantees is there. */
Octstr *ctl_word(CtlArgs *args, long i);

/*
 * Run SQL; on failure print the error line and set *status: EXIT_USER when
 * the database refused the values themselves (a bad date, an action a
 * person may not take), EXIT_ENVIRONMENT otherwise.
 */
PGresult *ctl_query(Ctl *ctl, const char *sql, int n, const char *const *values, int *status);

/*
 * TEXT ("YYYY-MM-DD"; NULL: today at the college) as a date, checked.
 * OPTION names it in the error. A new Octstr, or NULL with *status set.
 */
Octstr *ctl_date(Ctl *ctl, Octstr *text, const char *option, int *status);

/*
 * TEXT ("YYYY-MM-DD" or "YYYY-MM-DD HH:MM[:SS]", college time; NULL: now)
 * as an instant (timestamptz text). A new Octstr, or NULL with *status set.
 */
Octstr *ctl_instant(Ctl *ctl, Octstr *text, const char *option, int *status);

/*
 * The statuses a text can be in, as the database lists them
 * (absence.notification_status), in order: a List of Octstr the caller
 * destroys, or NULL with *status set.
 */
List *ctl_text_statuses(Ctl *ctl, int *status);

/* Who is running absencectl, for the record of staff actions. */
Octstr *ctl_actor(void);

#endif
