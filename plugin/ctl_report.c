/*
 * ctl_report.c - absencectl report: the delivery report of a school day,
 * one line per text.
 */
#include "ctl_commands.h"

static const char *const statuses[] = {"pending", "submitted", "sent", "delivered",
                                       "failed", "expired", "unconfirmed"};

static const char report_sql[] =
    "select n.notification_id as id, n.student_id as student, n.guardian_id as guardian,"
    "       absence.mask_mobile(n.recipient) as recipient,"
    "       to_char(l.starts_at at time zone $4, 'HH24:MI') as lesson,"
    "       n.status,"
    "       to_char(n.submitted_at at time zone $4, 'HH24:MI:SS') as submitted,"
    "       to_char(n.delivered_at at time zone $4, 'HH24:MI:SS') as delivered,"
    "       coalesce(n.failure_reason, '') ||"
    "       case when n.resolution is null then ''"
    "            else case when n.failure_reason is null then '' else '; ' end"
    "                 || n.resolution || ' by staff' end as why"
    "  from absence.notification n"
    "  left join absence.lesson l on l.lesson_id = n.lesson_id"
    " where n.school_day = $1::date"
    "   and ($2::text is null or n.status = $2)"
    "   and ($3::text is null or n.student_id = $3)"
    " order by n.notification_id";

static int check_status(Octstr *status)
{
    size_t i;

    if (status == NULL)
        return 0;
    for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
        if (octstr_str_compare(status, statuses[i]) == 0)
            return 0;
    return ctl_fail(EXIT_USER, "--status '%s' is not one of pending, submitted, sent, delivered, "
                               "failed, expired, unconfirmed",
                    octstr_get_cstr(status));
}

/* 0 when STUDENT is known (a student row or a text about them), else the
 * exit status after the error line. */
static int check_student(Ctl *ctl, Octstr *student)
{
    static const char sql[] = "select exists (select 1 from absence.student where student_id = $1)"
                              " or exists (select 1 from absence.notification where student_id = $1)"
                              " as known";
    const char *values[1] = {octstr_get_cstr(student)};
    int status = 0, known;
    PGresult *rows = ctl_query(ctl, sql, 1, values, &status);

    if (rows == NULL)
        return status;
    known = PQgetvalue(rows, 0, 0)[0] == 't';
    PQclear(rows);
    if (!known)
        return ctl_fail(EXIT_USER, "there is no student '%s'", octstr_get_cstr(student));
    return 0;
}

/* The table form ends with the totals by status. */
static void print_totals(PGresult *rows)
{
    long counts[sizeof(statuses) / sizeof(statuses[0])] = {0};
    int column = PQfnumber(rows, "status"), row;
    size_t i;
    const char *separator = " (";

    for (row = 0; row < PQntuples(rows); row++)
        for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
            counts[i] += strcmp(PQgetvalue(rows, row, column), statuses[i]) == 0;
    printf("\n%d text%s", PQntuples(rows), PQntuples(rows) == 1 ? "" : "s");
    for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        if (counts[i] == 0)
            continue;
        printf("%s%s %ld", separator, statuses[i], counts[i]);
        separator = ", ";
    }
    puts(PQntuples(rows) > 0 ? ")" : "");
}

static int report(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    int status = 0;
    Octstr *day = ctl_date(ctl, ctl_arg(args, "--date"), "--date", &status);
    Octstr *student = ctl_arg(args, "--student");
    const char *values[4];
    PGresult *rows;

    if (day == NULL)
        return status;
    if ((status = check_status(ctl_arg(args, "--status"))) != 0 ||
        (student != NULL && (status = check_student(ctl, student)) != 0)) {
        octstr_destroy(day);
        return status;
    }
    values[0] = octstr_get_cstr(day);
    values[1] = ctl_arg(args, "--status") ? octstr_get_cstr(ctl_arg(args, "--status")) : NULL;
    values[2] = student ? octstr_get_cstr(student) : NULL;
    values[3] = octstr_get_cstr(ctl->config->box.timezone);
    rows = ctl_query(ctl, report_sql, 4, values, &status);
    if (rows != NULL) {
        if (format == FORMAT_TABLE)
            printf("Delivery report for %s (times in %s)\n\n", octstr_get_cstr(day),
                   octstr_get_cstr(ctl->config->box.timezone));
        output_rows(stdout, rows, format);
        if (format == FORMAT_TABLE)
            print_totals(rows);
        PQclear(rows);
    }
    octstr_destroy(day);
    return status;
}

int ctl_report(Ctl *ctl, int argc, char **argv)
{
    return ctl_run(ctl, argc, argv, "report", "--date,--status,--student,--format", 0,
                   "table,csv,json", FORMAT_TABLE, report);
}
