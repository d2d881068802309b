/*
 * fixture.h - building a small college in the database, and reading back
 * what the policy made of it, for the policy tests. Times are written as
 * PostgreSQL reads them, e.g. "2026-06-15 09:00 Europe/London".
 */
#ifndef ABSENCE_TEST_FIXTURE_H
#define ABSENCE_TEST_FIXTURE_H

#include "support.h"

/*
 * A new database NAME migrated to the newest schema, or NULL (with a
 * message) on failure; for a group's setup. fixture_begin/fixture_rollback
 * wrap each test in a transaction on the group state's connection, and
 * fixture_close ends the group.
 */
PGconn *fixture_open_migrated(const char *name);
int fixture_begin(void **state);
int fixture_rollback(void **state);
int fixture_close(void **state);

/* The absence.policy_config the fx_* readers evaluate with; tests may point
 * it at another SQL expression, fixture_reset() restores the defaults. */
extern const char *fx_settings;
void fixture_reset(void);

void fx_student(PGconn *conn, const char *student_id, const char *status_code);
void fx_lesson(PGconn *conn, long lesson_id, const char *starts_at, const char *ends_at,
               const char *register_marked_at);
void fx_mark(PGconn *conn, long lesson_id, const char *student_id, const char *mark);
void fx_guardian(PGconn *conn, long guardian_id, const char *mobile, const char *account_status);
void fx_link(PGconn *conn, long guardian_id, const char *student_id, const char *link_status,
             int hide_attendance);

/* A guardian with an active account and link, attendance visible. */
void fx_parent(PGconn *conn, long guardian_id, const char *student_id, const char *mobile);

/* STUDENT (of STATUS) absent from lesson 1, 09:00-10:00 on Monday 15 June
 * 2026 (Europe/London), register taken at 09:05, with parent 101 on 07700
 * 900101. */
void fx_absent_at_nine(PGconn *conn, const char *student_id, const char *status);

/* "state|lesson_id" of STUDENT's trigger at AT, or "" when there is none. */
Octstr *fx_trigger(PGconn *conn, const char *at, const char *student_id);

/* Run absence.plan() at AT as the running box would: "settled|planned|expired|skipped|too_long". */
Octstr *fx_plan(PGconn *conn, const char *at);

/* Every notification: "student|guardian|recipient|status" per row, in order. */
Octstr *fx_texts(PGconn *conn);

/* Every guardian_skip: "student|guardian|reason" per row, in order. */
Octstr *fx_skips(PGconn *conn);

/* The body of STUDENT's text(s), one per line. */
Octstr *fx_bodies(PGconn *conn, const char *student_id);

/* The schema's functions this transaction called TIMES times or more, as
 * "name calls, ..." or "none" (with track_functions = 'all': a SQL
 * function PostgreSQL inlines is never called). */
Octstr *fx_functions_called(PGconn *conn, int times);

/* Note TABLE's read counters in this transaction; fx_reads() gives the
 * reads since as "sequentially|fetched by index|index scans". */
void fx_note_reads(PGconn *conn, const char *table);
Octstr *fx_reads(PGconn *conn, const char *table);

#endif
