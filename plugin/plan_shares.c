/*
 * plan_shares.c - a large planning run split over several PostgreSQL
 * sessions (see plan_shares.h).
 */
#include "plan_shares.h"

/* The instant the run plans at, the instant it begins and the lessons it
 * looks at; $2: whether the running box plans. */
#define BACKLOG_SQL                                                                                \
    "select at::text as at, began::text as began, lessons from "                                   \
    "absence.plan_backlog(" POLICY_SETTINGS_SQL ", $2::boolean)"

/* $2 the run's instant, $3 the box, $4 running box, $5 this share, $6 of. */
#define SHARE_SQL                                                                                  \
    "select * from absence.plan_share(" POLICY_SETTINGS_SQL                                        \
    ", $2::timestamptz, $3::text, $4::boolean, $5::integer, $6::integer)"

/* Note the MIS's changes from the run's instant $2 on (no watermark yet). */
#define BEGIN_SQL "select absence.plan_begin_split(" POLICY_SETTINGS_SQL ", $2::timestamptz)"

/* absence.plan() ending the shares begun at $5. */
#define END_SQL                                                                                    \
    "select * from absence.plan(" POLICY_SETTINGS_SQL                                              \
    ", $2::timestamptz, $3::text, $4::boolean, $5::timestamptz)"

#define MAX_SESSIONS 8

/* RUN's counts added to RESULT. */
static void add_plan(const PlanResult *run, PlanResult *result)
{
    result->student_days += run->student_days;
    result->texts_planned += run->texts_planned;
    result->texts_expired += run->texts_expired;
    result->guardians_skipped += run->guardians_skipped;
    result->days_too_long += run->days_too_long;
    result->concerns_opened += run->concerns_opened;
    result->concern_texts += run->concern_texts;
    result->concern_expired += run->concern_expired;
    result->days_quarantined += run->days_quarantined;
}

/* The sessions besides CONN for a split run, up to WANTED in CONNS; the
 * number opened. One that cannot be opened is said, and the run goes on
 * with fewer. */
static int open_sessions(const AbsenceConfig *config, PGconn **conns, int wanted)
{
    Octstr *why = NULL;
    int n;

    for (n = 0; n < wanted; n++) {
        conns[n] = db_connect(&config->db, "absencebox plan share", &why);
        if (conns[n] == NULL) {
            warning(0, "absencebox: planning in one session fewer: %s", octstr_get_cstr(why));
            octstr_destroy(why);
            break;
        }
    }
    return n;
}

/* The last result of the query sent on CONN (NULL if none came). */
static PGresult *share_result(PGconn *conn)
{
    PGresult *last = NULL, *next;

    while ((next = PQgetResult(conn)) != NULL) {
        PQclear(last);
        last = next;
    }
    return last;
}

/*
 * Run share i of N on CONNS[i], all at once at AT, adding what each settled
 * to RESULT. Returns whether every share completed: settled its whole
 * share (a share that failed has written nothing).
 */
static int run_shares(PGconn **conns, int n, const AbsenceConfig *config, Octstr *box_id,
                      const char *at, PlanResult *result)
{
    char share[12], shares[12];
    const char *values[6] = {octstr_get_cstr(config->policy_settings),
                             at,
                             octstr_get_cstr(box_id),
                             "true",
                             share,
                             shares};
    int i, sent[MAX_SESSIONS], complete = 1;
    PGresult *rows;
    PlanResult counts;

    snprintf(shares, sizeof(shares), "%d", n);
    for (i = 0; i < n; i++) {
        snprintf(share, sizeof(share), "%d", i);
        sent[i] = PQsendQueryParams(conns[i], SHARE_SQL, 6, NULL, values, NULL, NULL, 0);
    }
    for (i = 0; i < n; i++) {
        rows = sent[i] ? share_result(conns[i]) : NULL;
        if (PQresultStatus(rows) == PGRES_TUPLES_OK && PQntuples(rows) == 1) {
            policy_plan_read(rows, &counts);
            add_plan(&counts, result);
            complete = complete && db_bool(rows, 0, "complete");
        } else {
            Octstr *why = db_error(conns[i], rows);

            warning(0, "absencebox: share %d of %d of the planning run failed: %s", i, n,
                    octstr_get_cstr(why));
            octstr_destroy(why);
            complete = 0;
        }
        PQclear(rows);
    }
    return complete;
}

/* End the run whose shares began at BEGAN, at AT, on CONN. */
static int end_shares(PGconn *conn, const AbsenceConfig *config, Octstr *box_id, const char *at,
                      const char *began, PlanResult *result, Octstr **error)
{
    const char *values[5] = {octstr_get_cstr(config->policy_settings), at, octstr_get_cstr(box_id),
                             "true", began};
    PGresult *rows = db_query(conn, END_SQL, 5, values, error);
    PlanResult run;

    if (rows == NULL)
        return -1;
    policy_plan_read(rows, &run);
    PQclear(rows);
    add_plan(&run, result);
    return 0;
}

/* The split run, from BACKLOG (plan_backlog()'s row). */
static int split_run(PGconn *conn, const AbsenceConfig *config, Octstr *box_id, PGresult *backlog,
                     PlanResult *result, int *sessions, Octstr **error)
{
    PGconn *conns[MAX_SESSIONS];
    const char *values[2] = {octstr_get_cstr(config->policy_settings), db_value(backlog, 0, "at")};
    int wanted = config->box.plan_sessions, n, i, complete;
    PlanResult rest;

    if (wanted > MAX_SESSIONS)
        wanted = MAX_SESSIONS;
    conns[0] = conn;
    n = 1 + open_sessions(config, conns + 1, wanted - 1);
    if (n == 1)
        return policy_plan(conn, config, NULL, box_id, result, error);
    if (db_command(conn, BEGIN_SQL, 2, values, error) < 0) {
        for (i = 1; i < n; i++)
            PQfinish(conns[i]);
        return -1;
    }
    *sessions = n;
    memset(result, 0, sizeof(*result));
    complete = run_shares(conns, n, config, box_id, db_value(backlog, 0, "at"), result);
    for (i = 1; i < n; i++)
        PQfinish(conns[i]);
    if (complete)
        return end_shares(conn, config, box_id, db_value(backlog, 0, "at"),
                          db_value(backlog, 0, "began"), result, error);
    /* what the shares settled stays settled; one whole run does the rest */
    if (policy_plan(conn, config, NULL, box_id, &rest, error) < 0)
        return -1;
    add_plan(&rest, result);
    return 0;
}

int plan_in_shares(PGconn *conn, const AbsenceConfig *config, Octstr *box_id, PlanResult *result,
                   int *sessions, Octstr **error)
{
    const char *values[2] = {octstr_get_cstr(config->policy_settings), "true"};
    PGresult *backlog;
    int status;

    *sessions = 1;
    if (config->box.plan_sessions < 2)
        return policy_plan(conn, config, NULL, box_id, result, error);
    if ((backlog = db_query(conn, BACKLOG_SQL, 2, values, error)) == NULL)
        return -1;
    if (db_long(backlog, 0, "lessons") < config->box.plan_split_lessons)
        status = policy_plan(conn, config, NULL, box_id, result, error);
    else
        status = split_run(conn, config, box_id, backlog, result, sessions, error);
    PQclear(backlog);
    return status;
}
