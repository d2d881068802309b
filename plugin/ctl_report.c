/*
 * ctl_report.c - absencectl report: the delivery report of a school day,
 * one line per text.
 */
#include "ctl_commands.h"

static const char report_sql[] =
    "select n.notification_id as id, n.student_id as student, n.guardian_id as guardian,"
    "       absence.mask_mobile(n.recipient) as recipient,"
    "       absence.shown_time(l.starts_at, $4, $5, 'HH24:MI') as lesson,"
    "       n.status,"
    "       absence.shown_time(n.submitted_at, $4, $5, 'HH24:MI:SS') as submitted,"
    "       absence.shown_time(n.delivered_at, $4, $5, 'HH24:MI:SS') as delivered,"
    "       nullif(concat_ws('; ', n.failure_reason, n.resolution || ' by staff'), '') as why"
    "  from absence.notification n"
    "  left join absence.lesson l on l.lesson_id = n.lesson_id"
    " where n.school_day = $1::date"
    "   and ($2::text is null or n.status = $2)"
    "   and ($3::text is null or n.student_id = $3)"
    " order by n.notification_id";

/* 0 when STATUS is NULL or one of STATUSES, else the exit status. */
static int check_status(Octstr *status, List *statuses)
{
    Octstr *names;
    int failed;

    if (status == NULL || gwlist_search(statuses, status, octstr_item_match) != NULL)
        return 0;
    names = output_joined(statuses, ", ");
    failed = ctl_fail(EXIT_USER, "--status '%s' is not one of %s", octstr_get_cstr(status),
                      octstr_get_cstr(names));
    octstr_destroy(names);
    return failed;
}

/* 0 when STUDENT is known (a student row or a text about them), else the
 * exit status after the error line. */
static int check_student(Ctl *ctl, Octstr *student)
{
    static const char sql[] =
        "select exists (select 1 from absence.student where student_id = $1)"
        " or exists (select 1 from absence.notification where student_id = $1)"
        " as known";
    const char *values[1] = {octstr_get_cstr(student)};
    int status = 0, known;
    PGresult *rows = ctl_query(ctl, sql, 1, values, &status);

    if (rows == NULL)
        return status;
    known = db_bool(rows, 0, "known");
    PQclear(rows);
    if (!known)
        return ctl_fail(EXIT_USER, "there is no student '%s'", octstr_get_cstr(student));
    return 0;
}

/* The table form ends with the totals by status, in the statuses' order. */
static void print_totals(PGresult *rows, List *statuses)
{
    const char *separator = " (";
    long i, count;
    int row;

    printf("\n%d text%s", PQntuples(rows), PQntuples(rows) == 1 ? "" : "s");
    for (i = 0; i < gwlist_len(statuses); i++) {
        const char *status = octstr_get_cstr(gwlist_get(statuses, i));
        for (count = 0, row = 0; row < PQntuples(rows); row++)
            count += strcmp(db_value(rows, row, "status"), status) == 0;
        if (count == 0)
            continue;
        printf("%s%s %ld", separator, status, count);
        separator = ", ";
    }
    puts(PQntuples(rows) > 0 ? ")" : "");
}

static void print_report(Ctl *ctl, PGresult *rows, Octstr *day, List *statuses, OutputFormat format)
{
    if (format == FORMAT_TABLE)
        printf("Delivery report for %s (times in %s)\n\n", octstr_get_cstr(day),
               octstr_get_cstr(ctl->config->box.timezone));
    output_rows(stdout, rows, format);
    if (format == FORMAT_TABLE)
        print_totals(rows, statuses);
}

int ctl_report(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    Octstr *wanted = ctl_arg(args, "--status"), *student = ctl_arg(args, "--student");
    Octstr *day = NULL;
    List *statuses;
    const char *values[5];
    PGresult *rows = NULL;
    int status = 0;

    if ((statuses = ctl_text_statuses(ctl, &status)) == NULL)
        return status;
    if ((day = ctl_date(ctl, ctl_arg(args, "--date"), "--date", &status)) != NULL &&
        (status = check_status(wanted, statuses)) == 0 &&
        (student == NULL || (status = check_student(ctl, student)) == 0)) {
        values[0] = octstr_get_cstr(day);
        values[1] = wanted ? octstr_get_cstr(wanted) : NULL;
        values[2] = student ? octstr_get_cstr(student) : NULL;
        values[3] = octstr_get_cstr(ctl->config->box.timezone);
        values[4] = format == FORMAT_TABLE ? "false" : "true";
        rows = ctl_query(ctl, report_sql, 5, values, &status);
    }
    if (rows != NULL)
        print_report(ctl, rows, day, statuses, format);
    PQclear(rows);
    octstr_destroy(day);
    gwlist_destroy(statuses, octstr_destroy_item);
    return status;
}
