/*
 * delivery.h - delivery reports from bearerbox into the database: the
 * report history, the text's final status, and for a delivered text its
 * pastoral log entry, all in one transaction per batch
 * (absence.apply_reports). Reports are acknowledged to bearerbox only after
 * this returns success.
 */
#ifndef ABSENCE_DELIVERY_H
#define ABSENCE_DELIVERY_H

#include "config.h"
#include "db.h"

typedef struct ReportCounts {
    long reports;           /* stored in delivery_report */
    long duplicates;        /* already stored (bearerbox redelivered them) */
    long unknown;           /* stored, but no text has their token */
    long delivered;         /* texts newly delivered, each with its pastoral log entry */
    long failed;            /* texts newly failed */
    Octstr *unknown_tokens; /* the unknown ones' tokens as an SQL array, "{a,b}", or NULL */
} ReportCounts;

/* Apply REPORTS (a List of report Msg *, left to the caller) for the box
 * of CONFIG, whose policy settings name the pastoral log's category and
 * time zone. The caller destroys counts->unknown_tokens. */
int delivery_apply_reports(PGconn *conn, const AbsenceConfig *config, List *reports,
                           ReportCounts *counts, Octstr **error);

#endif
