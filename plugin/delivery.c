/*
 * delivery.c - applying delivery reports (see delivery.h).
 */
#include "delivery.h"
#include "message.h"
#include "policy.h"

/* The six columns of a report batch, as parallel arrays. */
enum { REPORT_ID, TOKEN, DLR_TYPE, SMSC_ID, FOREIGN_ID, REPLY, REPORT_COLUMNS };

static void add_report(List **columns, Msg *report)
{
    gwlist_append(columns[REPORT_ID], message_id_text(report));
    gwlist_append(columns[TOKEN], db_text_or_null(report->sms.dlr_url));
    gwlist_append(columns[DLR_TYPE], octstr_format("%ld", report->sms.dlr_mask));
    gwlist_append(columns[SMSC_ID], db_text_or_null(report->sms.smsc_id));
    gwlist_append(columns[FOREIGN_ID], db_text_or_null(report->sms.foreign_id));
    gwlist_append(columns[REPLY], db_text_or_null(report->sms.msgdata));
}

int delivery_apply_reports(PGconn *conn, const AbsenceConfig *config, List *reports,
                           ReportCounts *counts, Octstr **error)
{
    static const char sql[] =
        "select * from absence.apply_reports(" POLICY_SETTINGS_SQL ", $2, $3::uuid[], "
        "$4::text[], $5::integer[], $6::text[], $7::text[], $8::text[])";
    List *columns[REPORT_COLUMNS];
    const char *fixed[2] = {octstr_get_cstr(config->policy_settings),
                            octstr_get_cstr(config->box.id)};
    PGresult *rows;
    long i;

    for (i = 0; i < REPORT_COLUMNS; i++)
        columns[i] = gwlist_create();
    for (i = 0; i < gwlist_len(reports); i++)
        add_report(columns, gwlist_get(reports, i));
    rows = db_query_columns(conn, sql, 2, fixed, columns, REPORT_COLUMNS, error);
    if (rows == NULL)
        return -1;
    counts->reports = db_long(rows, 0, "reports");
    counts->duplicates = db_long(rows, 0, "duplicates");
    counts->unknown = db_long(rows, 0, "unknown");
    counts->delivered = db_long(rows, 0, "delivered");
    counts->failed = db_long(rows, 0, "failed");
    counts->unknown_tokens = db_text(rows, 0, "unknown_tokens");
    PQclear(rows);
    return 0;
}
