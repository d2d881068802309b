/*
 * ctl_status.c - absencectl status: is the service healthy right now?
 * Texts by status today, the oldest overdue text, texts due in the next
 * hour, each box's heartbeat and bearerbox connection, the last delivery
 * report, and when the queue should drain. Exit status 3 when something
 * needs a person (a box silent for 2 minutes, a text overdue by more than 5),
 * so that it can back a monitoring check.
 */
#include "ctl_commands.h"
#include "policy.h"

#define HEARTBEAT_LIMIT_S 120
#define OVERDUE_LIMIT_S 300

/* $1..$11 the policy settings, $12 the SMSC's configured texts per second. */
static const char summary_sql[] =
    "with c as (select (" POLICY_SETTINGS_SQL ").*),"
    " today as (select (now() at time zone c.timezone)::date as day from c),"
    " counts as ("
    "   select count(*) filter (where status = 'pending') as pending,"
    "          count(*) filter (where status = 'submitted') as submitted,"
    "          count(*) filter (where status = 'sent') as sent,"
    "          count(*) filter (where status = 'delivered') as delivered,"
    "          count(*) filter (where status = 'failed') as failed,"
    "          count(*) filter (where status = 'expired') as expired,"
    "          count(*) filter (where status = 'unconfirmed') as unconfirmed"
    "     from absence.notification, today where school_day = today.day),"
    " overdue as ("
    "   select min(due_at) as oldest_due,"
    "          count(*) filter (where due_at < now() - make_interval(secs => $13::integer)) as late,"
    "          count(*) as waiting"
    "     from absence.notification where status = 'pending' and due_at <= now()),"
    " coming as ("
    "   select count(*) as due_next_hour from ("
    "     select 1 from absence.notification"
    "      where status = 'pending' and due_at > now() and due_at <= now() + interval '1 hour'"
    "     union all"
    "     select 1 from c cross join absence.policy_recipients(" POLICY_SETTINGS_SQL ", now(),"
    "            absence.plan_window_from(" POLICY_SETTINGS_SQL ", now()),"
    "            now() + interval '1 hour' - make_interval(secs => c.send_delay_s)) r"
    "      where r.state = 'not-yet-due' and r.due_at <= now() + interval '1 hour'"
    "        and r.guardian_id is not null and r.skip_reason is null) t),"
    " recent as ("
    "   select count(*) / 300.0 as rate from absence.notification"
    "    where delivered_at > now() - interval '5 minutes'),"
    " last_report as ("
    "   select received_at, dlr_type from absence.delivery_report"
    "    order by delivery_report_id desc limit 1)"
    "select to_char(now() at time zone c.timezone, 'YYYY-MM-DD HH24:MI:SS') as now,"
    "       counts.*,"
    "       extract(epoch from now() - overdue.oldest_due)::bigint as oldest_pending_s,"
    "       overdue.late as overdue_texts, coming.due_next_hour,"
    "       overdue.waiting + counts.submitted as queue,"
    "       case when $12::integer > 0 then $12::numeric else round(recent.rate, 2) end as rate,"
    "       case when $12::integer > 0 then 'configured' else 'last 5 minutes' end as rate_source,"
    "       case when coalesce($12::integer, 0) > 0 or recent.rate > 0"
    "            then ceil((overdue.waiting + counts.submitted)"
    "                      / (case when $12::integer > 0 then $12::numeric else recent.rate end))::bigint"
    "       end as drains_in_s,"
    "       to_char((select received_at from last_report) at time zone c.timezone,"
    "               'YYYY-MM-DD HH24:MI:SS') as last_report_at,"
    "       (select dlr_type from last_report) as last_report_type"
    "  from c, counts, overdue, coming, recent";

static const char boxes_sql[] =
    "select box_id as box, pid, bearerbox_connected as connected, bearerbox,"
    "       extract(epoch from now() - heartbeat_at)::bigint as heartbeat_age_s,"
    "       texts_in_flight as in_flight, reports_received,"
    "       to_char(started_at at time zone $1, 'YYYY-MM-DD HH24:MI:SS') as started"
    "  from absence.box_status order by box_id";

#define FIELD(rows, row, name) PQgetvalue((rows), (row), PQfnumber((rows), (name)))

/* The attention lines for RESULT; NULL when all is well. */
static Octstr *attention(PGresult *summary, PGresult *boxes)
{
    Octstr *lines = octstr_create("");
    int row;

    if (PQntuples(boxes) == 0)
        octstr_append_cstr(lines, "no box has ever recorded a heartbeat: is absencebox running?\n");
    for (row = 0; row < PQntuples(boxes); row++) {
        if (atol(FIELD(boxes, row, "heartbeat_age_s")) > HEARTBEAT_LIMIT_S)
            octstr_format_append(lines, "box %s has sent no heartbeat for %s s\n",
                                 FIELD(boxes, row, "box"), FIELD(boxes, row, "heartbeat_age_s"));
        else if (FIELD(boxes, row, "connected")[0] != 't')
            octstr_format_append(lines, "box %s is not connected to bearerbox\n",
                                 FIELD(boxes, row, "box"));
    }
    if (atol(FIELD(summary, 0, "overdue_texts")) > 0)
        octstr_format_append(lines, "%s texts are pending more than %d minutes past their due "
                                    "time (oldest: %s s)\n",
                             FIELD(summary, 0, "overdue_texts"), OVERDUE_LIMIT_S / 60,
                             FIELD(summary, 0, "oldest_pending_s"));
    if (octstr_len(lines) == 0) {
        octstr_destroy(lines);
        return NULL;
    }
    return lines;
}

static void print_table(PGresult *s, PGresult *boxes, Octstr *problems)
{
    const char *drains = FIELD(s, 0, "drains_in_s");

    printf("absencebox status at %s\n\n", FIELD(s, 0, "now"));
    printf("texts today:       pending %s, submitted %s, sent %s, delivered %s, failed %s, "
           "expired %s, unconfirmed %s\n",
           FIELD(s, 0, "pending"), FIELD(s, 0, "submitted"), FIELD(s, 0, "sent"),
           FIELD(s, 0, "delivered"), FIELD(s, 0, "failed"), FIELD(s, 0, "expired"),
           FIELD(s, 0, "unconfirmed"));
    if (*FIELD(s, 0, "oldest_pending_s"))
        printf("oldest pending:    %s s past its due time\n", FIELD(s, 0, "oldest_pending_s"));
    else
        printf("oldest pending:    none: no due text is waiting\n");
    printf("due in next hour:  %s texts\n", FIELD(s, 0, "due_next_hour"));
    printf("last report:       %s%s%s\n",
           *FIELD(s, 0, "last_report_at") ? FIELD(s, 0, "last_report_at") : "none yet",
           *FIELD(s, 0, "last_report_type") ? ", type " : "", FIELD(s, 0, "last_report_type"));
    printf("queue:             %s texts waiting or awaiting bearerbox; ", FIELD(s, 0, "queue"));
    if (*drains)
        printf("at %s texts/s (%s) it drains in %s s\n", FIELD(s, 0, "rate"),
               FIELD(s, 0, "rate_source"), drains);
    else
        printf("no rate known yet to estimate when it drains\n");
    printf("\nboxes\n");
    output_rows(stdout, boxes, FORMAT_TABLE);
    printf("\n%s%s", problems ? "ATTENTION:\n" : "all well\n",
           problems ? octstr_get_cstr(problems) : "");
}

static void print_json(PGresult *s, PGresult *boxes, Octstr *problems)
{
    Octstr *json = octstr_create("{\"summary\": ");
    List *lines = problems ? octstr_split(problems, octstr_imm("\n")) : gwlist_create();
    int row;
    long i;

    output_json_object(json, s, 0);
    octstr_append_cstr(json, ",\n \"boxes\": [");
    for (row = 0; row < PQntuples(boxes); row++) {
        octstr_append_cstr(json, row > 0 ? ", " : "");
        output_json_object(json, boxes, row);
    }
    octstr_append_cstr(json, "],\n \"attention\": [");
    for (i = 0; i < gwlist_len(lines); i++) {
        octstr_append_cstr(json, i > 0 ? ", " : "");
        output_json_string(json, octstr_get_cstr(gwlist_get(lines, i)));
    }
    octstr_append_cstr(json, "]}\n");
    fwrite(octstr_get_cstr(json), 1, octstr_len(json), stdout);
    gwlist_destroy(lines, octstr_destroy_item);
    octstr_destroy(json);
}

static int status_of(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    PolicyParams params;
    char rate[24], limit[24];
    const char *box_values[1] = {octstr_get_cstr(ctl->config->box.timezone)};
    PGresult *summary, *boxes = NULL;
    Octstr *problems = NULL;
    int status = 0;

    (void)args;
    snprintf(rate, sizeof(rate), "%ld", ctl->config->box.smsc_throughput);
    snprintf(limit, sizeof(limit), "%d", OVERDUE_LIMIT_S);
    policy_params_init(&params, ctl->config);
    params.values[POLICY_PARAM_COUNT] = rate;
    params.values[POLICY_PARAM_COUNT + 1] = limit;
    summary = ctl_query(ctl, summary_sql, POLICY_PARAM_COUNT + 2, params.values, &status);
    if (summary != NULL)
        boxes = ctl_query(ctl, boxes_sql, 1, box_values, &status);
    if (boxes != NULL) {
        problems = attention(summary, boxes);
        if (format == FORMAT_JSON)
            print_json(summary, boxes, problems);
        else
            print_table(summary, boxes, problems);
        status = problems != NULL ? EXIT_ATTENTION : 0;
    }
    octstr_destroy(problems);
    PQclear(summary);
    PQclear(boxes);
    policy_params_destroy(&params);
    return status;
}

int ctl_status(Ctl *ctl, int argc, char **argv)
{
    return ctl_run(ctl, argc, argv, "status", "--format", 0, "table,json", FORMAT_TABLE,
                   status_of);
}
