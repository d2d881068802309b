/*
 * ctl_status.c - absencectl status: is the service healthy right now?
 * Texts by status today, the oldest overdue text, texts due in the next
 * hour, each box's heartbeat and bearerbox connection, the last delivery
 * report, and when the queue should drain. Exit status 3 when something
 * needs a person (a box silent for 2 minutes or cut off from bearerbox,
 * sending paused, a text pending 5 minutes past its due time, delivery
 * reports going missing, a failed planning run, student-days set aside
 * because their data cannot be texted), so that it can back a monitoring
 * check.
 */
#include "ctl_commands.h"
#include "json.h"
#include "policy.h"

#define HEARTBEAT_LIMIT_S 120
#define OVERDUE_LIMIT_S 300
/* Lost reports: at least this many recent texts, this share without one. */
#define MISSING_REPORTS_MIN 5
#define MISSING_REPORTS_PERCENT 50

/* $1 the policy's settings, $2 the SMSC's configured texts per second, $3
 * how long past its due time a pending text is overdue, $4 whether the
 * output is for a program (times in ISO 8601). */
static const char summary_sql[] =
    "with s as (select " POLICY_SETTINGS_SQL " as cfg),"
    " counts as ("
    "   select count(*) filter (where status = 'submitted') as submitted"
    "     from s, absence.notification"
    "    where school_day = (now() at time zone (s.cfg).timezone)::date),"
    " overdue as ("
    "   select min(due_at) as oldest_due,"
    "          count(*) filter (where due_at < now() - make_interval(secs => $3::integer)) as late,"
    "          count(*) as waiting"
    "     from absence.text_queue where due_at <= now()),"
    " coming as ("
    "   select count(*) as due_next_hour from ("
    "     select 1 from absence.text_queue"
    "      where due_at > now() and due_at <= now() + interval '1 hour'"
    "     union all"
    "     select 1 from s cross join absence.policy_recipients(s.cfg, now(),"
    "            absence.plan_window_from(s.cfg, now()),"
    "            now() + interval '1 hour' - make_interval(secs => (s.cfg).send_delay)) r"
    "      where r.state = 'not-yet-due' and r.due_at <= now() + interval '1 hour'"
    "        and r.guardian_id is not null and r.skip_reason is null) t),"
    " recent as ("
    "   select count(*) / 300.0 as rate from absence.notification"
    "    where delivered_at > now() - interval '5 minutes'),"
    " last_report as ("
    "   select received_at, dlr_type from absence.delivery_report"
    "    order by delivery_report_id desc limit 1)"
    "select absence.shown_time(now(), (s.cfg).timezone, $4, 'YYYY-MM-DD HH24:MI:SS') as now,"
    "       extract(epoch from now() - overdue.oldest_due)::bigint as oldest_pending_s,"
    "       overdue.late as overdue_texts, coming.due_next_hour,"
    "       overdue.waiting + counts.submitted as queue,"
    "       case when $2::integer > 0 then $2::numeric else round(recent.rate, 2) end as rate,"
    "       case when $2::integer > 0 then 'configured' else 'last 5 minutes' end as rate_source,"
    "       case when coalesce($2::integer, 0) > 0 or recent.rate > 0"
    "            then ceil((overdue.waiting + counts.submitted)"
    "                      / (case when $2::integer > 0 then $2::numeric else recent.rate "
    "end))::bigint"
    "       end as drains_in_s,"
    "       absence.shown_time((select received_at from last_report), (s.cfg).timezone, $4,"
    "                          'YYYY-MM-DD HH24:MI:SS') as last_report_at,"
    "       (select dlr_type from last_report) as last_report_type,"
    "       absence.shown_time(p.paused_at, (s.cfg).timezone, $4, 'YYYY-MM-DD HH24:MI:SS')"
    "           as paused_since,"
    "       p.paused_by, p.reason as pause_reason,"
    "       r.texts as recent_sent, r.without_report"
    "  from s, counts, overdue, coming, recent"
    "  cross join absence.reports_missing() r"
    "  left join absence.sending_paused() p on true";

/* Today's texts by status, every status in the database's order; on each
 * row, today's replies. */
static const char today_sql[] = "select status, texts, replies, replies_unmatched, days_set_aside"
                                "  from absence.texts_today(" POLICY_SETTINGS_SQL ")";

static const char boxes_sql[] =
    "select box_id as box, pid, bearerbox_connected as connected, bearerbox,"
    "       extract(epoch from now() - heartbeat_at)::bigint as heartbeat_age_s,"
    "       texts_in_flight as in_flight, reports_received, plan_failures,"
    "       absence.shown_time(started_at, $1, $2, 'YYYY-MM-DD HH24:MI:SS') as started,"
    "       last_plan_error"
    "  from absence.box_status order by box_id";

/* Planning that failed or set student-days aside: a person must have the
 * data corrected; texts already planned are still sent. */
static void planning_attention(Octstr *lines, PGresult *today, PGresult *boxes)
{
    int row;

    for (row = 0; row < PQntuples(boxes); row++)
        if (!db_is_null(boxes, row, "last_plan_error"))
            octstr_format_append(lines,
                                 "box %s's last planning run failed (texts already planned "
                                 "are still sent): %s\n",
                                 db_value(boxes, row, "box"),
                                 db_value(boxes, row, "last_plan_error"));
    if (db_long(today, 0, "days_set_aside") > 0)
        octstr_format_append(lines,
                             "%s student-days are set aside, not planned: their data cannot be "
                             "texted (absencectl quarantine says why)\n",
                             db_value(today, 0, "days_set_aside"));
}

/* The attention lines; NULL when all is well. */
static Octstr *attention(PGresult *summary, PGresult *today, PGresult *boxes)
{
    Octstr *lines = octstr_create("");
    int row;

    if (PQntuples(boxes) == 0)
        octstr_append_cstr(lines, "no box has ever recorded a heartbeat: is absencebox running?\n");
    for (row = 0; row < PQntuples(boxes); row++) {
        if (db_long(boxes, row, "heartbeat_age_s") > HEARTBEAT_LIMIT_S)
            octstr_format_append(lines, "box %s has sent no heartbeat for %s s\n",
                                 db_value(boxes, row, "box"),
                                 db_value(boxes, row, "heartbeat_age_s"));
        else if (!db_bool(boxes, row, "connected"))
            octstr_format_append(lines, "box %s is not connected to bearerbox\n",
                                 db_value(boxes, row, "box"));
    }
    if (!db_is_null(summary, 0, "paused_since"))
        octstr_format_append(lines,
                             "sending is paused since %s by %s: %s (absencectl resume "
                             "ends it)\n",
                             db_value(summary, 0, "paused_since"),
                             db_value(summary, 0, "paused_by"),
                             db_value(summary, 0, "pause_reason"));
    if (db_long(summary, 0, "recent_sent") >= MISSING_REPORTS_MIN &&
        db_long(summary, 0, "without_report") * 100 >=
            db_long(summary, 0, "recent_sent") * MISSING_REPORTS_PERCENT)
        octstr_format_append(lines,
                             "%s of %s texts sent in the last 2 hours have had no final "
                             "delivery report for 10 minutes or more: is bearerbox "
                             "storing its DLRs?\n",
                             db_value(summary, 0, "without_report"),
                             db_value(summary, 0, "recent_sent"));
    if (db_long(summary, 0, "overdue_texts") > 0)
        octstr_format_append(lines,
                             "%s texts are pending more than %d minutes past their due "
                             "time (oldest: %s s)\n",
                             db_value(summary, 0, "overdue_texts"), OVERDUE_LIMIT_S / 60,
                             db_value(summary, 0, "oldest_pending_s"));
    planning_attention(lines, today, boxes);
    if (octstr_len(lines) == 0) {
        octstr_destroy(lines);
        return NULL;
    }
    return lines;
}

typedef struct Health {
    PGresult *summary, *today, *boxes;
    Octstr *problems; /* NULL when all is well */
} Health;

static void print_queue(PGresult *s)
{
    printf("queue:             %s texts waiting or awaiting bearerbox; ", db_value(s, 0, "queue"));
    if (!db_is_null(s, 0, "drains_in_s"))
        printf("at %s texts/s (%s) it drains in %s s\n", db_value(s, 0, "rate"),
               db_value(s, 0, "rate_source"), db_value(s, 0, "drains_in_s"));
    else
        printf("no rate known yet to estimate when it drains\n");
}

static void print_table(Health *h)
{
    PGresult *s = h->summary;
    int row;

    printf("absencebox status at %s\n\n", db_value(s, 0, "now"));
    if (db_is_null(s, 0, "paused_since"))
        printf("sending:           on\n");
    else
        printf("sending:           PAUSED since %s by %s: %s\n", db_value(s, 0, "paused_since"),
               db_value(s, 0, "paused_by"), db_value(s, 0, "pause_reason"));
    printf("texts today:      ");
    for (row = 0; row < PQntuples(h->today); row++)
        printf("%s %s %s", row ? "," : "", db_value(h->today, row, "status"),
               db_value(h->today, row, "texts"));
    if (!db_is_null(s, 0, "oldest_pending_s"))
        printf("\noldest pending:    %s s past its due time\n", db_value(s, 0, "oldest_pending_s"));
    else
        printf("\noldest pending:    none: no due text is waiting\n");
    printf("due in next hour:  %s texts\n", db_value(s, 0, "due_next_hour"));
    printf("last report:       %s%s%s\n",
           db_is_null(s, 0, "last_report_at") ? "none yet" : db_value(s, 0, "last_report_at"),
           db_is_null(s, 0, "last_report_type") ? "" : ", type ",
           db_value(s, 0, "last_report_type"));
    print_queue(s);
    printf("replies today:     %s received, %s matched to no text%s\n",
           db_value(h->today, 0, "replies"), db_value(h->today, 0, "replies_unmatched"),
           db_long(h->today, 0, "replies_unmatched") > 0 ? " (absencectl replies --unmatched)"
                                                         : "");
    printf("set aside:         %s student-days whose data cannot be texted%s\n",
           db_value(h->today, 0, "days_set_aside"),
           db_long(h->today, 0, "days_set_aside") > 0 ? " (absencectl quarantine)" : "");
    printf("\nboxes\n");
    output_rows(stdout, h->boxes, FORMAT_TABLE);
    printf("\n%s%s", h->problems ? "ATTENTION:\n" : "all well\n",
           h->problems ? octstr_get_cstr(h->problems) : "");
}

/* The summary object holds a member per status too, as the table shows. */
static void append_summary(Octstr *json, Health *h)
{
    int row;

    output_json_object(json, h->summary, 0);
    octstr_delete(json, octstr_len(json) - 1, 1);
    for (row = 0; row < PQntuples(h->today); row++) {
        json_append_name(json, db_value(h->today, row, "status"));
        octstr_append_cstr(json, db_value(h->today, row, "texts"));
    }
    json_append_name(json, "replies_today");
    octstr_append_cstr(json, db_value(h->today, 0, "replies"));
    json_append_name(json, "unmatched_replies_today");
    octstr_append_cstr(json, db_value(h->today, 0, "replies_unmatched"));
    json_append_name(json, "days_set_aside");
    octstr_append_cstr(json, db_value(h->today, 0, "days_set_aside"));
    octstr_append_char(json, '}');
}

static void print_json(Health *h)
{
    Octstr *json = octstr_create("{\"summary\": ");
    List *lines = h->problems ? octstr_split(h->problems, octstr_imm("\n")) : gwlist_create();
    int row;
    long i;

    append_summary(json, h);
    octstr_append_cstr(json, ",\n \"boxes\": [");
    for (row = 0; row < PQntuples(h->boxes); row++) {
        octstr_append_cstr(json, row > 0 ? ", " : "");
        output_json_object(json, h->boxes, row);
    }
    octstr_append_cstr(json, "],\n \"attention\": [");
    for (i = 0; i < gwlist_len(lines); i++) {
        octstr_append_cstr(json, i > 0 ? ", " : "");
        json_append_string(json, octstr_get_cstr(gwlist_get(lines, i)));
    }
    octstr_append_cstr(json, "]}\n");
    fwrite(octstr_get_cstr(json), 1, octstr_len(json), stdout);
    gwlist_destroy(lines, octstr_destroy_item);
    octstr_destroy(json);
}

static int gather(Ctl *ctl, OutputFormat format, Health *h)
{
    const char *machine = format == FORMAT_TABLE ? "false" : "true";
    char rate[24], limit[24];
    const char *values[4] = {octstr_get_cstr(ctl->config->policy_settings), rate, limit, machine};
    const char *boxes[2] = {octstr_get_cstr(ctl->config->box.timezone), machine};
    int status = 0;

    snprintf(rate, sizeof(rate), "%ld", ctl->config->box.smsc_throughput);
    snprintf(limit, sizeof(limit), "%d", OVERDUE_LIMIT_S);
    if ((h->summary = ctl_query(ctl, summary_sql, 4, values, &status)) &&
        (h->today = ctl_query(ctl, today_sql, 1, values, &status)))
        h->boxes = ctl_query(ctl, boxes_sql, 2, boxes, &status);
    return status;
}

int ctl_status(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    Health h = {NULL, NULL, NULL, NULL};
    int status;

    (void)args;
    status = gather(ctl, format, &h);
    if (status == 0) {
        h.problems = attention(h.summary, h.today, h.boxes);
        if (format == FORMAT_JSON)
            print_json(&h);
        else
            print_table(&h);
        status = h.problems != NULL ? EXIT_ATTENTION : 0;
    }
    octstr_destroy(h.problems);
    PQclear(h.summary);
    PQclear(h.today);
    PQclear(h.boxes);
    return status;
}
