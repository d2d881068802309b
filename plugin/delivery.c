/*
 * delivery.c - applying delivery reports (see delivery.h).
 */
#include "delivery.h"
#include "message.h"
#include "policy.h"

/* The columns of a batch, as parallel arrays: the acks', then the reports'. */
enum { ACK_ID, NACK, REPORT_ID, TOKEN, DLR_TYPE, SMSC_ID, FOREIGN_ID, REPLY, COLUMNS };

static void add_ack(List **columns, Msg *ack)
{
    gwlist_append(columns[ACK_ID], message_id_text(ack));
    gwlist_append(columns[NACK], octstr_format("%ld", ack->ack.nack));
}

static void add_report(List **columns, Msg *report)
{
    gwlist_append(columns[REPORT_ID], message_id_text(report));
    gwlist_append(columns[TOKEN], db_text_or_null(report->sms.dlr_url));
    gwlist_append(columns[DLR_TYPE], octstr_format("%ld", report->sms.dlr_mask));
    gwlist_append(columns[SMSC_ID], db_text_or_null(report->sms.smsc_id));
    gwlist_append(columns[FOREIGN_ID], db_text_or_null(report->sms.foreign_id));
    gwlist_append(columns[REPLY], db_text_or_null(report->sms.msgdata));
}

int delivery_settle(PGconn *conn, const AbsenceConfig *config, List *acks, List *reports,
                    ReportCounts *counts, Octstr **error)
{
    static const char sql[] =
        "select * from absence.settle_gateway(" POLICY_SETTINGS_SQL ", $2, $3::uuid[], "
        "$4::integer[], $5::uuid[], $6::text[], $7::integer[], $8::text[], $9::text[], "
        "$10::text[])";
    List *columns[COLUMNS];
    const char *fixed[2] = {octstr_get_cstr(config->policy_settings),
                            octstr_get_cstr(config->box.id)};
    PGresult *rows;
    long i;

    for (i = 0; i < COLUMNS; i++)
        columns[i] = gwlist_create();
    for (i = 0; acks != NULL && i < gwlist_len(acks); i++)
        add_ack(columns, gwlist_get(acks, i));
    for (i = 0; i < gwlist_len(reports); i++)
        add_report(columns, gwlist_get(reports, i));
    rows = db_query_columns(conn, sql, 2, fixed, columns, COLUMNS, error);
    if (rows == NULL)
        return -1;
    counts->reports = db_long(rows, 0, "reports");
    counts->duplicates = db_long(rows, 0, "duplicates");
    counts->unknown = db_long(rows, 0, "unknown");
    counts->delivered = db_long(rows, 0, "delivered");
    counts->failed = db_long(rows, 0, "reports_failed");
    counts->unknown_tokens = db_text(rows, 0, "unknown_tokens");
    PQclear(rows);
    return 0;
}
