/*
 * delivery.h - bearerbox's acks and delivery reports into the database: a
 * text's status after its ack, the report history, the text's final status,
 * and for a delivered text its pastoral log entry, all in one transaction
 * per batch (absence.settle_gateway). Reports are acknowledged to bearerbox
 * only after this returns success.
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

/* Apply ACKS and REPORTS (Lists of ack and report Msg *, left to the
 * caller; either may be empty, ACKS NULL) for the box of CONFIG, whose
 * policy settings name the pastoral log's category and time zone. A text
 * acknowledged and reported in the same batch is changed once, by its
 * report. The caller destroys counts->unknown_tokens. */
int delivery_settle(PGconn *conn, const AbsenceConfig *config, List *acks, List *reports,
                    ReportCounts *counts, Octstr **error);

#endif
