/*
 * admin_http.c - the box's admin interface (see admin_http.h).
 */
#include <libxml/tree.h>

#include "admin_http.h"
#include "bounded_http.h"
#include "db.h"
#include "migrate.h"

struct AdminHttp {
    const AbsenceConfig *config;
    BoxStatusBoard *board;
    Octstr *bearerbox;
    BoundedHttp *server;
};

static Octstr *uptime(time_t started)
{
    long s = (long)difftime(time(NULL), started);

    return octstr_format("%ldd %ldh %ldm %lds", s / 86400, s / 3600 % 24, s / 60 % 60, s % 60);
}

/* AT in the college's time, ISO 8601 with its UTC offset (OFFSET_S, as the
 * database last gave it); "" for none. */
static Octstr *clock_text(time_t at, long offset_s)
{
    long offset = offset_s < 0 ? -offset_s : offset_s;
    char text[32];
    struct tm local;

    if (at == 0)
        return octstr_create("");
    local = gw_gmtime(at + offset_s);
    gw_strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &local);
    return octstr_format("%s%c%02ld:%02ld", text, offset_s < 0 ? '-' : '+', offset / 3600,
                         offset % 3600 / 60);
}

static Octstr *render_text(AdminHttp *admin, const BoxStatus *s, int html)
{
    Octstr *up = uptime(s->started), *last = clock_text(s->last_report, s->utc_offset_s), *out;
    Octstr *last_reply = clock_text(s->last_reply, s->utc_offset_s);
    Octstr *wait = s->oldest_pending_s < 0 ? octstr_create("none")
                                           : octstr_format("%ld s", s->oldest_pending_s);
    int i;

    out = octstr_format("%sabsencebox %s, box id %S\nstatus: running, uptime %S\n"
                        "bearerbox: %s %S\ndatabase: %s\n",
                        html ? "<html><head><title>absencebox</title></head><body><pre>\n" : "",
                        ABSENCEBOX_VERSION, admin->config->box.id, up,
                        s->bearerbox_connected ? "connected to" : "not connected to",
                        admin->bearerbox, s->database_up ? "up" : "unreachable");
    if (s->pause.paused)
        octstr_format_append(out, "sending: PAUSED since %s by %s: %s\n", s->pause.since,
                             s->pause.by, s->pause.reason);
    else
        octstr_append_cstr(out, "sending: on\n");
    octstr_append_cstr(out, "texts today:");
    for (i = 0; i < s->statuses; i++)
        octstr_format_append(out, "%s %s %ld", i ? "," : "", s->today[i].status, s->today[i].texts);
    octstr_format_append(out,
                         "\nawaiting bearerbox's ack: %ld\noldest due text waiting: %S\n"
                         "since start: %ld submitted, %ld delivered, %ld failed; "
                         "%ld reports (%ld unknown), last %s\n"
                         "replies today: %ld received, %ld unmatched\n"
                         "replies since start: %ld received, %ld unmatched; %ld numbers opted out, "
                         "%ld opted in, last %s\n%s",
                         s->in_flight, wait, s->submitted, s->delivered, s->failed, s->reports,
                         s->unknown_reports, octstr_len(last) ? octstr_get_cstr(last) : "none",
                         s->replies_today, s->replies_unmatched_today, s->replies,
                         s->replies_unmatched, s->opted_out, s->opted_in,
                         octstr_len(last_reply) ? octstr_get_cstr(last_reply) : "none",
                         html ? "</pre></body></html>\n" : "");
    octstr_destroy(up);
    octstr_destroy(last);
    octstr_destroy(last_reply);
    octstr_destroy(wait);
    return out;
}

static void xml_number(xmlNodePtr parent, const char *name, long value)
{
    char text[32];

    snprintf(text, sizeof(text), "%ld", value);
    xmlNewChild(parent, NULL, BAD_CAST name, BAD_CAST text);
}

static Octstr *render_xml(AdminHttp *admin, const BoxStatus *s)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "absencebox"), node;
    Octstr *up = uptime(s->started), *status = octstr_format("running, uptime %S", up);
    Octstr *last = clock_text(s->last_report, s->utc_offset_s), *out;
    xmlChar *text;
    int i, size;

    xmlDocSetRootElement(doc, root);
    xmlNewTextChild(root, NULL, BAD_CAST "version", BAD_CAST ABSENCEBOX_VERSION);
    xmlNewTextChild(root, NULL, BAD_CAST "box-id", BAD_CAST octstr_get_cstr(admin->config->box.id));
    xmlNewTextChild(root, NULL, BAD_CAST "status", BAD_CAST octstr_get_cstr(status));
    node = xmlNewChild(root, NULL, BAD_CAST "bearerbox", NULL);
    xmlNewTextChild(node, NULL, BAD_CAST "address", BAD_CAST octstr_get_cstr(admin->bearerbox));
    xmlNewChild(node, NULL, BAD_CAST "connected",
                BAD_CAST(s->bearerbox_connected ? "true" : "false"));
    node = xmlNewChild(root, NULL, BAD_CAST "database", NULL);
    xmlNewChild(node, NULL, BAD_CAST "up", BAD_CAST(s->database_up ? "true" : "false"));
    node = xmlNewChild(root, NULL, BAD_CAST "sending", NULL);
    xmlNewChild(node, NULL, BAD_CAST "paused", BAD_CAST(s->pause.paused ? "true" : "false"));
    if (s->pause.paused) {
        xmlNewTextChild(node, NULL, BAD_CAST "since", BAD_CAST s->pause.since);
        xmlNewTextChild(node, NULL, BAD_CAST "by", BAD_CAST s->pause.by);
        xmlNewTextChild(node, NULL, BAD_CAST "reason", BAD_CAST s->pause.reason);
    }
    node = xmlNewChild(root, NULL, BAD_CAST "texts-today", NULL);
    for (i = 0; i < s->statuses; i++)
        xml_number(node, s->today[i].status, s->today[i].texts);
    node = xmlNewChild(root, NULL, BAD_CAST "queue", NULL);
    xml_number(node, "in-flight", s->in_flight);
    if (s->oldest_pending_s >= 0)
        xml_number(node, "oldest-pending-seconds", s->oldest_pending_s);
    node = xmlNewChild(root, NULL, BAD_CAST "since-start", NULL);
    xml_number(node, "submitted", s->submitted);
    xml_number(node, "delivered", s->delivered);
    xml_number(node, "failed", s->failed);
    xml_number(node, "reports", s->reports);
    xml_number(node, "unknown-reports", s->unknown_reports);
    if (octstr_len(last) > 0)
        xmlNewTextChild(node, NULL, BAD_CAST "last-report", BAD_CAST octstr_get_cstr(last));
    xml_number(node, "replies", s->replies);
    xml_number(node, "unmatched-replies", s->replies_unmatched);
    xml_number(node, "opted-out", s->opted_out);
    xml_number(node, "opted-in", s->opted_in);
    node = xmlNewChild(root, NULL, BAD_CAST "replies-today", NULL);
    xml_number(node, "received", s->replies_today);
    xml_number(node, "unmatched", s->replies_unmatched_today);
    xmlDocDumpFormatMemoryEnc(doc, &text, &size, "UTF-8", 1);
    out = octstr_create_from_data((char *)text, size);
    xmlFree(text);
    xmlFreeDoc(doc);
    octstr_destroy(up);
    octstr_destroy(status);
    octstr_destroy(last);
    return out;
}

static void metric_header(Octstr *out, const char *name, const char *type, const char *help)
{
    octstr_format_append(out, "# HELP absencebox_%s %s\n# TYPE absencebox_%s %s\n", name, help,
                         name, type);
}

/* A metric with one value for the box. */
static void metric(Octstr *out, Octstr *box, const char *name, const char *type, const char *help,
                   long value)
{
    metric_header(out, name, type, help);
    octstr_format_append(out, "absencebox_%s{box=\"%S\"} %ld\n", name, box, value);
}

static Octstr *render_metrics(AdminHttp *admin, const BoxStatus *s)
{
    Octstr *out = octstr_create(""), *box = admin->config->box.id;
    int i;

    metric_header(out, "build_info", "gauge", "The box's version and schema version.");
    octstr_format_append(out, "absencebox_build_info{box=\"%S\",version=\"%s\",schema=\"%d\"} 1\n",
                         box, ABSENCEBOX_VERSION, migrate_newest_version(&absence_schema));
    /* what the box did is labelled with its id; what the database holds is not */
    metric_header(out, "texts", "gauge",
                  "Today's texts by status, of every box of the database, every plan interval.");
    for (i = 0; i < s->statuses; i++)
        octstr_format_append(out, "absencebox_texts{status=\"%s\"} %ld\n", s->today[i].status,
                             s->today[i].texts);
    metric(out, box, "texts_in_flight", "gauge", "Texts written to bearerbox awaiting its ack.",
           s->in_flight);
    metric(out, box, "texts_submitted_total", "counter", "Texts submitted since the box started.",
           s->submitted);
    metric(out, box, "texts_delivered_total", "counter", "Texts delivered since the box started.",
           s->delivered);
    metric(out, box, "texts_failed_total", "counter", "Texts failed since the box started.",
           s->failed);
    metric(out, box, "reports_received_total", "counter",
           "Delivery reports received since the box started.", s->reports);
    metric(out, box, "replies_received_total", "counter",
           "Parents' texts stored since the box started.", s->replies);
    metric(out, box, "replies_unmatched_total", "counter",
           "Parents' texts stored since the box started that matched no text sent.",
           s->replies_unmatched);
    metric(out, box, "opt_outs_total", "counter",
           "Numbers opted out by a stop word since the box started.", s->opted_out);
    metric(out, box, "opt_ins_total", "counter",
           "Numbers opted in again by a start word since the box started.", s->opted_in);
    metric(out, box, "plan_failures_total", "counter",
           "Planning runs that failed since the box started (texts already planned are still "
           "sent).",
           s->plan_failures);
    metric(out, box, "bearerbox_up", "gauge", "1 while the box is connected to bearerbox.",
           s->bearerbox_connected);
    metric(out, box, "database_up", "gauge", "1 while the box's database answers.", s->database_up);
    metric_header(out, "sending_paused", "gauge",
                  "1 while staff have paused all sending (for every box of the database).");
    octstr_format_append(out, "absencebox_sending_paused %d\n", s->pause.paused);
    metric_header(out, "texts_without_report", "gauge",
                  "Texts sent 10 minutes to 2 hours ago still without a final delivery report "
                  "(for every box of the database).");
    octstr_format_append(out, "absencebox_texts_without_report %ld\n", s->without_report);
    metric_header(out, "queue_oldest_pending_seconds", "gauge",
                  "Seconds the oldest due text of the database has waited to be claimed; 0 when "
                  "none waits.");
    octstr_format_append(out, "absencebox_queue_oldest_pending_seconds %ld\n",
                         s->oldest_pending_s < 0 ? 0 : s->oldest_pending_s);
    metric_header(out, "days_set_aside", "gauge",
                  "Student-days set aside, not planned, because their data cannot be texted "
                  "(absence.plan_quarantine, not resolved; for every box of the database).");
    octstr_format_append(out, "absencebox_days_set_aside %ld\n", s->days_set_aside);
    metric_header(out, "replies_today", "gauge",
                  "Parents' texts received today (for every box of the database), by whether "
                  "they matched a text sent.");
    octstr_format_append(out, "absencebox_replies_today{matched=\"yes\"} %ld\n",
                         s->replies_today - s->replies_unmatched_today);
    octstr_format_append(out, "absencebox_replies_today{matched=\"no\"} %ld\n",
                         s->replies_unmatched_today);
    return out;
}

/* 1 when the request gave the password; the server let in only clients
 * admin-allow-ip allows. */
static int authorised(AdminHttp *admin, List *cgivars)
{
    Octstr *password = http_cgi_variable(cgivars, "password");

    return password != NULL && octstr_compare(password, admin->config->box.admin_password) == 0;
}

static HttpReply reply(int status, const char *type, Octstr *body)
{
    HttpReply out = {status, type, body};

    return out;
}

/* /suspend and /resume: like bearerbox's, but for the whole service: the
 * pause is written to the database (a connection of its own, for this
 * request only), where every box reads it. */
static HttpReply suspend_or_resume(AdminHttp *admin, const HttpRequest *request, int pause)
{
    Octstr *reason = http_cgi_variable(request->cgivars, "reason"), *error = NULL, *said = NULL;
    Octstr *actor = octstr_format("admin interface (%S)", request->client_ip);
    PGconn *conn = db_connect(&admin->config->db, "absencebox admin", &error);
    int outcome = PAUSE_FAILED;

    if (conn != NULL) {
        if (pause && reason == NULL)
            reason = octstr_imm("suspended from the admin interface");
        outcome = pause_set(conn, admin->config, pause, actor, reason, &said);
        PQfinish(conn);
    } else {
        said = error;
    }
    octstr_append_char(said, '\n');
    if (outcome == PAUSE_DONE)
        info(0, "absencebox: %s", octstr_get_cstr(said));
    octstr_destroy(actor);
    return reply(outcome == PAUSE_DONE      ? HTTP_OK
                 : outcome == PAUSE_REFUSED ? 409
                                            : HTTP_SERVICE_UNAVAILABLE,
                 "text/plain; charset=UTF-8", said);
}

static HttpReply answer(void *context, const HttpRequest *request)
{
    AdminHttp *admin = context;
    Octstr *url = request->path;
    BoxStatus status;

    if (!authorised(admin, request->cgivars))
        return reply(HTTP_FORBIDDEN, NULL, octstr_create(""));
    if (octstr_str_compare(url, "/suspend") == 0 || octstr_str_compare(url, "/resume") == 0)
        return suspend_or_resume(admin, request, octstr_str_compare(url, "/suspend") == 0);
    box_status_read(admin->board, &status);
    if (octstr_str_compare(url, "/status") == 0 || octstr_str_compare(url, "/") == 0 ||
        octstr_str_compare(url, "/status.txt") == 0)
        return reply(HTTP_OK, "text/plain; charset=UTF-8", render_text(admin, &status, 0));
    if (octstr_str_compare(url, "/status.html") == 0)
        return reply(HTTP_OK, "text/html; charset=UTF-8", render_text(admin, &status, 1));
    if (octstr_str_compare(url, "/status.xml") == 0)
        return reply(HTTP_OK, "text/xml; charset=UTF-8", render_xml(admin, &status));
    if (octstr_str_compare(url, "/metrics") == 0)
        return reply(HTTP_OK, "text/plain; version=0.0.4; charset=UTF-8",
                     render_metrics(admin, &status));
    return reply(HTTP_NOT_FOUND, "text/plain; charset=UTF-8",
                 octstr_create("unknown page: try /status, /status.html, /status.xml, /metrics, "
                               "/suspend or /resume\n"));
}

AdminHttp *admin_http_start(const AbsenceConfig *config, BoxStatusBoard *board, Octstr *bearerbox)
{
    AdminHttp *admin;

    if (config->box.admin_port == 0)
        return NULL;
    admin = gw_malloc(sizeof(*admin));
    admin->config = config;
    admin->board = board;
    admin->bearerbox = octstr_duplicate(bearerbox);
    admin->server = bounded_http_start((int)config->box.admin_port, config->box.admin_interface,
                                       config->box.admin_allow_ip, answer, admin);
    if (admin->server == NULL) {
        error(0, "absencebox: cannot open the admin port %ld on %s", config->box.admin_port,
              octstr_get_cstr(config->box.admin_interface));
        octstr_destroy(admin->bearerbox);
        gw_free(admin);
        return NULL;
    }
    info(0, "absencebox: admin interface on http://%s:%ld/status",
         octstr_get_cstr(config->box.admin_interface), config->box.admin_port);
    return admin;
}

void admin_http_stop(AdminHttp *admin)
{
    if (admin == NULL)
        return;
    bounded_http_stop(admin->server);
    octstr_destroy(admin->bearerbox);
    gw_free(admin);
}
