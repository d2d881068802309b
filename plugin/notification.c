/*
 * notification.c - claim, acks, expiry and unconfirmed texts (see
 * notification.h).
 */
#include "notification.h"
#include "policy.h"

static OutgoingText *text_from_row(PGresult *rows, int row)
{
    OutgoingText *text = gw_malloc(sizeof(*text));

    text->notification_id =
        db_is_null(rows, row, "notification_id") ? 0 : db_long(rows, row, "notification_id");
    text->confirmation_id =
        db_is_null(rows, row, "confirmation_id") ? 0 : db_long(rows, row, "confirmation_id");
    text->message_id = db_text(rows, row, "message_id");
    text->token = db_text(rows, row, "token");
    text->recipient = db_text(rows, row, "recipient");
    text->body = db_text(rows, row, "body");
    text->expires_epoch = db_long(rows, row, "expires_epoch");
    return text;
}

List *notification_claim_batch(PGconn *conn, Octstr *box_id, long limit, Octstr **error)
{
    static const char sql[] = "select * from absence.claim_texts($1, $2::integer)";
    char limit_text[24];
    const char *values[2] = {octstr_get_cstr(box_id), limit_text};
    PGresult *rows;
    List *texts;
    int row;

    snprintf(limit_text, sizeof(limit_text), "%ld", limit);
    rows = db_query(conn, sql, 2, values, error);
    if (rows == NULL)
        return NULL;
    texts = gwlist_create();
    for (row = 0; row < PQntuples(rows); row++)
        gwlist_append(texts, text_from_row(rows, row));
    PQclear(rows);
    return texts;
}

/* Column "count" of SQL's one row, or -1. */
static long single_count(PGconn *conn, const char *sql, int n, const char *const *values,
                         Octstr **error)
{
    PGresult *rows = db_query(conn, sql, n, values, error);
    long count;

    if (rows == NULL)
        return -1;
    count = db_long(rows, 0, "count");
    PQclear(rows);
    return count;
}

/* Run SQL whose single parameter is an array of ITEMS; its count, or -1. */
static long call_with_array(PGconn *conn, const char *sql, List *items, Octstr **error)
{
    Octstr *array = db_array(items);
    const char *values[1] = {octstr_get_cstr(array)};
    long count = single_count(conn, sql, 1, values, error);

    octstr_destroy(array);
    return count;
}

long notification_release(PGconn *conn, List *message_ids, Octstr **error)
{
    return call_with_array(conn, "select absence.release_texts($1::uuid[]) as count", message_ids,
                           error);
}

long notification_expire(PGconn *conn, Octstr **error)
{
    return single_count(conn, "select absence.expire_texts() as count", 0, NULL, error);
}

int notification_mark_unconfirmed(PGconn *conn, const AbsenceConfig *config, Octstr *started_at,
                                  UnconfirmedCounts *counts, Octstr **error)
{
    static const char sql[] = "select * from absence.mark_unconfirmed($1, $2::integer, "
                              "$3::timestamptz, $4::integer)";
    char confirm[24], report[24];
    const char *values[4] = {octstr_get_cstr(config->box.id), confirm, octstr_get_cstr(started_at),
                             report};
    PGresult *rows;

    snprintf(confirm, sizeof(confirm), "%ld", config->box.confirm_timeout_s);
    snprintf(report, sizeof(report), "%ld", config->box.report_timeout_s);
    rows = db_query(conn, sql, 4, values, error);
    if (rows == NULL)
        return -1;
    counts->unacknowledged = db_long(rows, 0, "unacknowledged");
    counts->unreported = db_long(rows, 0, "unreported");
    PQclear(rows);
    return 0;
}

int notification_count_today(PGconn *conn, const AbsenceConfig *config, BoxStatus *status,
                             Octstr **error)
{
    static const char sql[] = "select * from absence.texts_today(" POLICY_SETTINGS_SQL ")";
    const char *values[1] = {octstr_get_cstr(config->policy_settings)};
    PGresult *rows = db_query(conn, sql, 1, values, error);
    int row;

    if (rows == NULL)
        return -1;
    if (PQntuples(rows) > BOX_STATUS_MAX)
        panic(0,
              "absencebox: absence.notification_status has %d statuses, more than the %d "
              "the box's status holds",
              PQntuples(rows), BOX_STATUS_MAX);
    status->statuses = PQntuples(rows);
    for (row = 0; row < PQntuples(rows); row++) {
        snprintf(status->today[row].status, sizeof(status->today[row].status), "%s",
                 db_value(rows, row, "status"));
        status->today[row].texts = db_long(rows, row, "texts");
    }
    status->oldest_pending_s =
        db_is_null(rows, 0, "oldest_pending_s") ? -1 : db_long(rows, 0, "oldest_pending_s");
    status->without_report = db_long(rows, 0, "without_report");
    status->utc_offset_s = db_long(rows, 0, "utc_offset_s");
    status->replies_today = db_long(rows, 0, "replies");
    status->replies_unmatched_today = db_long(rows, 0, "replies_unmatched");
    status->days_set_aside = db_long(rows, 0, "days_set_aside");
    PQclear(rows);
    return 0;
}
