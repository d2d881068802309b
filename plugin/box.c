/*
 * box.c - absencebox's work loop (see box.h).
 */
#include "admin_http.h"
#include "box.h"
#include "box_status.h"
#include "delivery.h"
#include "heartbeat.h"
#include "held_acks.h"
#include "message.h"
#include "migrate.h"
#include "notification.h"
#include "pause.h"
#include "plan_wake.h"
#include "phone.h"
#include "plan_shares.h"
#include "policy.h"
#include "reply.h"

/* Database back-off doubles from 1 s to this: a few seconds, so that the box
 * is back at work soon after PostgreSQL (or a promoted standby) returns;
 * each retry is one connection attempt per host, bounded by connect-timeout. */
#define DB_BACKOFF_MAX_S 4

/* Once bearerbox's messages start coming, the box gathers them this long
 * (or until it has max-pending of them) before it writes them to the
 * database: each batch costs the database a fixed amount on top of its
 * texts, and at a gateway's pace, a step per message made batches of a few
 * texts (0.8 ms of database CPU a text with sqlite3 DLRs, 0.5 ms gathered). */
#define GATHER_S 0.05

/* bearerbox's ack that it took a text waits this long for the text's
 * delivery report, to be written with it (see held_acks.h). Every held ack
 * is written before the sweep (whose timeouts count from submission) and at
 * shutdown. A box killed meanwhile leaves those texts submitted: their
 * reports still settle them. */
#define ACK_HOLD_S 0.25

/* A text written to bearerbox and not yet acknowledged. */
typedef struct InFlight {
    char label[48]; /* "notification 12" or "confirmation text 3", for the log */
    char token[40]; /* its dlr-url, which its delivery reports carry */
    long session;   /* the bearerbox session it was written in */
} InFlight;

struct Box {
    const AbsenceConfig *config;
    PGconn *db;
    time_t db_paused_until; /* no database work before this, after a failure */
    long db_backoff_s;
    BearerboxLink *link;
    List *inbox;     /* Msg * from bearerbox, produced by the link */
    Dict *in_flight; /* message id text -> InFlight * */
    long in_flight_count;
    long in_flight_session; /* the bearerbox session of the texts in in_flight */
    HeldAcks *acks;         /* acks not yet applied */
    List *reports;          /* report Msg * not yet committed (nor acknowledged) */
    List *replies;          /* parents' texts (MO Msg *) not yet stored (nor acknowledged) */
    List *unwritten;        /* message ids (Octstr *) claimed, surely never written, not yet
                               released: sent again once the database takes the release */
    Octstr *started_at;     /* the database's clock when the box started */
    time_t next_tick;       /* next expire/sweep/heartbeat, and a plan whatever is due */
    double next_plan_at;    /* next planning run (plan_wake_clock()): a text falls due */
    int plan_wanted;        /* the MIS changed something: plan at the next step */
    int backlog;            /* the last claim filled its batch: more may be due */
    BoxStatus status;       /* what the admin interface shows, published after each step */
    BoxStatus summarised;   /* status at the last summary line in the log */
    BoxStatusBoard *board;
    AdminHttp *admin;
    int id_lost; /* another box took this box's id: stop */
};

static void free_item(void *item)
{
    gw_free(item);
}

Box *box_create(const AbsenceConfig *config)
{
    Box *box = gw_malloc(sizeof(*box));

    memset(box, 0, sizeof(*box));
    box->config = config;
    box->inbox = gwlist_create();
    box->in_flight = dict_create(config->box.max_pending * 2 + 16, free_item);
    box->acks = held_acks_create(ACK_HOLD_S);
    box->reports = gwlist_create();
    box->replies = gwlist_create();
    box->unwritten = gwlist_create();
    box->db_backoff_s = 1;
    box->board = box_status_board_create();
    box->status.started = time(NULL);
    box->status.oldest_pending_s = -1;
    return box;
}

void box_destroy(Box *box)
{
    gwlist_destroy(box->inbox, msg_destroy_item);
    held_acks_destroy(box->acks);
    gwlist_destroy(box->reports, msg_destroy_item);
    gwlist_destroy(box->replies, msg_destroy_item);
    gwlist_destroy(box->unwritten, octstr_destroy_item);
    dict_destroy(box->in_flight);
    octstr_destroy(box->started_at);
    PQfinish(box->db);
    box_status_board_destroy(box->board);
    gw_free(box);
}

/* ---- the database ------------------------------------------------------- */

int box_open_database(Box *box, volatile sig_atomic_t *stop, Octstr **problem)
{
    PGresult *rows;

    while (box->db == NULL && !*stop) {
        Octstr *why = NULL;
        box->db = db_connect(&box->config->db, "absencebox", &why);
        if (box->db == NULL) {
            error(0, "absencebox: %s; retrying in 5 s", octstr_get_cstr(why));
            octstr_destroy(why);
            gwthread_sleep(5.0);
        }
    }
    if (box->db == NULL)
        return -1;
    if (migrate_check(box->db, &absence_schema, problem) < 0 ||
        heartbeat_claim_id(box->db, box->config->box.id, problem) < 0 ||
        plan_wake_listen(box->db, problem) < 0)
        return -1;
    rows = db_query(box->db, "select now()::text as now", 0, NULL, problem);
    if (rows == NULL)
        return -1;
    box->started_at = db_text(rows, 0, "now");
    PQclear(rows);
    return 0;
}

/* After a failed step: log it, and pause database work with back-off. */
static void database_failed(Box *box, const char *step, Octstr *problem)
{
    error(0, "absencebox: %s failed, retrying in %ld s: %s", step, box->db_backoff_s,
          octstr_get_cstr(problem));
    octstr_destroy(problem);
    box->db_paused_until = time(NULL) + box->db_backoff_s;
    /* no claim until it is back: the loop waits, rather than spinning to
     * claim at once */
    box->backlog = 0;
    box->db_backoff_s =
        box->db_backoff_s * 2 > DB_BACKOFF_MAX_S ? DB_BACKOFF_MAX_S : box->db_backoff_s * 2;
}

/* 1 when database work may go ahead, reconnecting first if need be; a new
 * connection takes the box id again, and stops the box if another box
 * took it meanwhile. */
static int database_ready(Box *box)
{
    Octstr *problem = NULL;

    if (time(NULL) < box->db_paused_until)
        return 0;
    if (PQstatus(box->db) == CONNECTION_OK)
        return 1;
    PQreset(box->db);
    if (PQstatus(box->db) != CONNECTION_OK) {
        database_failed(box, "reconnecting to PostgreSQL", db_error(box->db, NULL));
        return 0;
    }
    if (heartbeat_claim_id(box->db, box->config->box.id, &problem) < 0) {
        if (PQstatus(box->db) == CONNECTION_OK) {
            error(0, "absencebox: %s; stopping", octstr_get_cstr(problem));
            box->id_lost = 1;
        }
        database_failed(box, "taking the box id", problem);
        return 0;
    }
    if (plan_wake_listen(box->db, &problem) < 0) {
        database_failed(box, "listening for the MIS's changes", problem);
        return 0;
    }
    info(0, "absencebox: reconnected to PostgreSQL");
    /* what changed while the box was away is noted: plan at once */
    box->plan_wanted = 1;
    return 1;
}

static void database_succeeded(Box *box)
{
    box->db_backoff_s = 1;
}

/* ---- what bearerbox sent ------------------------------------------------ */

/* An sms that is neither a report nor a parent's text (an MT bearerbox
 * handed back): nothing to keep. Acknowledge it so bearerbox does not
 * redeliver it forever. */
static void refuse_incoming(Box *box, Msg *msg)
{
    warning(0,
            "absencebox: ignored a message of sms type %ld from bearerbox: it is neither a "
            "parent's text nor a delivery report",
            msg->sms.sms_type);
    bearerbox_link_send(box->link, message_ack_for(msg));
    msg_destroy(msg);
}

static void log_ack(InFlight *text, Msg *ack)
{
    if (ack->ack.nack == ack_failed)
        warning(0, "absencebox: bearerbox refused %s (no route to an SMSC): failed", text->label);
    else if (ack->ack.nack == ack_failed_tmp)
        info(0, "absencebox: bearerbox could not queue %s now; it will be sent again", text->label);
    else
        debug("absence.box", 0, "absencebox: bearerbox took %s", text->label);
}

/* bearerbox answered for a text: the ack is held to be written (see
 * held_acks.h), and counts against max-pending until it is. */
static void take_ack(Box *box, Msg *ack)
{
    Octstr *id = message_id_text(ack);
    InFlight *text = dict_remove(box->in_flight, id);

    held_acks_add(box->acks, ack, text != NULL ? text->token : NULL, plan_wake_clock());
    if (text != NULL) {
        log_ack(text, ack);
        box->in_flight_count--;
        gw_free(text);
    }
    octstr_destroy(id);
}

static void sort_message(Box *box, Msg *msg)
{
    if (msg_type(msg) == ack)
        take_ack(box, msg);
    else if (message_is_report(msg))
        gwlist_append(box->reports, msg);
    else if (reply_is_incoming(msg))
        gwlist_append(box->replies, msg);
    else
        refuse_incoming(box, msg);
}

/* Take everything in the inbox, waiting up to WAIT_S for the first (the
 * link wakes this thread at each message). */
static void collect(Box *box, double wait_s)
{
    double until;
    Msg *msg;

    if (wait_s > 0 && gwlist_len(box->inbox) == 0)
        gwthread_sleep(wait_s);
    /* the link wakes the box at each message: gather a batch */
    until = plan_wake_clock() + GATHER_S;
    while (wait_s > 0 && gwlist_len(box->inbox) > 0 &&
           gwlist_len(box->inbox) < box->config->box.max_pending && plan_wake_clock() < until)
        gwthread_sleep(until - plan_wake_clock());
    msg = gwlist_extract_first(box->inbox);
    while (msg != NULL) {
        sort_message(box, msg);
        msg = gwlist_extract_first(box->inbox);
    }
}

/* Texts written in a session that has ended will get no ack: stop waiting
 * for them. Their rows stay submitted; reports or mark_unconfirmed settle them. */
static void forget_lost_session(Box *box)
{
    long session = bearerbox_link_session(box->link), forgotten = 0;
    Octstr *ids;
    List *keys;
    Octstr *key;

    if (box->in_flight_count == 0 || session == box->in_flight_session)
        return;
    ids = octstr_create("");
    keys = dict_keys(box->in_flight);
    while ((key = gwlist_extract_first(keys)) != NULL) {
        InFlight *text = dict_get(box->in_flight, key);
        if (text != NULL && text->session != session) {
            if (forgotten++ < 10)
                octstr_format_append(ids, "%s%s", forgotten > 1 ? ", " : "", text->label);
            gw_free(dict_remove(box->in_flight, key));
            box->in_flight_count--;
        }
        octstr_destroy(key);
    }
    gwlist_destroy(keys, NULL);
    if (forgotten > 0)
        warning(0,
                "absencebox: %ld texts were written to bearerbox but not acknowledged before "
                "the connection ended (%s%s); waiting for their reports",
                forgotten, octstr_get_cstr(ids), forgotten > 10 ? ", ..." : "");
    octstr_destroy(ids);
    box->in_flight_session = session; /* every text left was written in it */
}

static void log_reports(List *reports, ReportCounts *counts)
{
    long i;

    for (i = 0; i < gwlist_len(reports); i++) {
        Msg *report = gwlist_get(reports, i);
        Octstr *to = phone_mask(report->sms.receiver);
        debug("absence.box", 0, "absencebox: report %ld for token <%s> to %s: %s",
              report->sms.dlr_mask, octstr_get_cstr(report->sms.dlr_url), octstr_get_cstr(to),
              octstr_get_cstr(report->sms.msgdata));
        octstr_destroy(to);
    }
    debug("absence.box", 0,
          "absencebox: %ld delivery reports: %ld texts delivered, %ld failed, "
          "%ld duplicate reports, %ld unknown",
          counts->reports + counts->duplicates, counts->delivered, counts->failed,
          counts->duplicates, counts->unknown);
    if (counts->unknown > 0)
        warning(0, "absencebox: kept %ld delivery reports whose token matches no text: %s",
                counts->unknown, octstr_get_cstr(counts->unknown_tokens));
}

/* Acknowledge each of MESSAGES (reports or replies, now committed) to
 * bearerbox, emptying the list. With no connection bearerbox redelivers
 * them, and the database keeps each copy once. */
static void ack_each(Box *box, List *messages)
{
    Msg *message;

    while ((message = gwlist_extract_first(messages)) != NULL) {
        Msg *ack = message_ack_for(message);
        if (bearerbox_link_send(box->link, ack) == 0)
            msg_destroy(ack);
        msg_destroy(message);
    }
}

/* The batch's reports are committed: count them, then acknowledge each to
 * bearerbox. */
static void reports_committed(Box *box, ReportCounts *counts)
{
    log_reports(box->reports, counts);
    octstr_destroy(counts->unknown_tokens);
    box->status.delivered += counts->delivered;
    box->status.failed += counts->failed;
    box->status.reports += counts->reports + counts->duplicates;
    box->status.unknown_reports += counts->unknown;
    box->status.last_report = time(NULL);
    ack_each(box, box->reports);
}

/* Commit the batch's reports and the acks due (one transaction), then
 * acknowledge each report to bearerbox. FLUSH writes every held ack. */
static int settle(Box *box, int flush)
{
    Octstr *error = NULL;
    ReportCounts counts;
    List *acks = held_acks_due(box->acks, box->reports, flush, plan_wake_clock());

    if (gwlist_len(acks) == 0 && gwlist_len(box->reports) == 0) {
        gwlist_destroy(acks, NULL);
        return 0;
    }
    if (delivery_settle(box->db, box->config, acks, box->reports, &counts, &error) < 0) {
        held_acks_return(box->acks, acks);
        database_failed(box, "recording bearerbox's acks and delivery reports", error);
        return -1;
    }
    gwlist_destroy(acks, msg_destroy_item);
    if (gwlist_len(box->reports) > 0)
        reports_committed(box, &counts);
    return 0;
}

static void log_replies(List *replies, ReplyCounts *counts)
{
    long i;

    for (i = 0; i < gwlist_len(replies); i++) {
        Msg *reply = gwlist_get(replies, i);
        Octstr *from = phone_mask(reply->sms.sender);
        Octstr *to = phone_mask(reply->sms.receiver);
        debug("absence.box", 0, "absencebox: reply from %s to %s (%ld bytes)",
              octstr_get_cstr(from), octstr_get_cstr(to), octstr_len(reply->sms.msgdata));
        octstr_destroy(from);
        octstr_destroy(to);
    }
    if (counts->received > 0)
        info(0,
             "absencebox: stored %ld replies from parents: %ld matched to a text, %ld unmatched "
             "(absencectl replies --unmatched)",
             counts->received, counts->matched, counts->unmatched);
    if (counts->opted_out + counts->opted_in > 0)
        info(0,
             "absencebox: %ld numbers opted out and %ld opted in again by reply; each gets one "
             "confirmation text",
             counts->opted_out, counts->opted_in);
}

/* Store the parents' texts, then acknowledge each to bearerbox: one not
 * stored is not acknowledged, and bearerbox sends it again. */
static int apply_replies(Box *box)
{
    Octstr *error = NULL;
    ReplyCounts counts;

    if (gwlist_len(box->replies) == 0)
        return 0;
    if (reply_store_batch(box->db, box->config, box->replies, &counts, &error) < 0) {
        database_failed(box, "storing replies", error);
        return -1;
    }
    log_replies(box->replies, &counts);
    box->status.replies += counts.received;
    box->status.replies_unmatched += counts.unmatched;
    box->status.opted_out += counts.opted_out;
    box->status.opted_in += counts.opted_in;
    box->status.last_reply = time(NULL);
    ack_each(box, box->replies);
    return 0;
}

/* ---- the periodic steps --------------------------------------------------- */

static int record_heartbeat(Box *box, int connected)
{
    Heartbeat beat = {box->config->box.id, box->started_at, connected,
                      bearerbox_link_address(box->link), box->in_flight_count};
    Octstr *error = NULL;

    if (heartbeat_record(box->db, &beat, &error) < 0) {
        database_failed(box, "recording the heartbeat", error);
        return -1;
    }
    return 0;
}

/* A planning run that failed on the data (the connection is fine) is
 * counted and recorded for absencectl status, and the step goes on: texts
 * already planned are claimed and sent whatever planning does. */
static int plan_failed(Box *box, Octstr *problem)
{
    Octstr *failure = NULL;

    if (PQstatus(box->db) != CONNECTION_OK) {
        database_failed(box, "planning", problem);
        return -1;
    }
    box->status.plan_failures++;
    error(0,
          "absencebox: planning failed (texts already planned are still sent; planning is "
          "tried again in %ld s): %s",
          box->config->box.plan_interval_s, octstr_get_cstr(problem));
    if (heartbeat_record_plan(box->db, box->config->box.id, problem, &failure) < 0) {
        octstr_destroy(problem);
        database_failed(box, "recording a planning failure", failure);
        return -1;
    }
    octstr_destroy(problem);
    return 0;
}

static int plan(Box *box)
{
    Octstr *error = NULL;
    PlanResult result;
    int sessions;
    double began = plan_wake_clock();

    if (plan_in_shares(box->db, box->config, box->config->box.id, &result, &sessions, &error) < 0)
        return plan_failed(box, error);
    if (heartbeat_record_plan(box->db, box->config->box.id, NULL, &error) < 0) {
        database_failed(box, "recording the planning run", error);
        return -1;
    }
    if (result.days_quarantined > 0)
        warning(0,
                "absencebox: %ld student-days were set aside, not planned: their data cannot "
                "be texted (absencectl quarantine lists them and why)",
                result.days_quarantined);
    if (result.student_days > 0)
        info(0,
             "absencebox: planned %ld texts for %ld student-days (%ld guardians skipped, "
             "%ld texts found too late and expired, %ld days whose text would not fit) "
             "in %.2f s over %d session%s",
             result.texts_planned, result.student_days, result.guardians_skipped,
             result.texts_expired, result.days_too_long, plan_wake_clock() - began, sessions,
             sessions > 1 ? "s" : "");
    if (result.concerns_opened > 0 || result.concern_texts > 0 || result.concern_expired > 0)
        info(0,
             "absencebox: %ld attendance concerns opened; %ld concern texts planned, %ld found "
             "too late and expired",
             result.concerns_opened, result.concern_texts, result.concern_expired);
    if (result.days_too_long > 0)
        warning(0,
                "absencebox: %ld absence texts were not sent because they would not fit "
                "max-segments; see absence.student_day",
                result.days_too_long);
    return 0;
}

static int sweep(Box *box)
{
    Octstr *error = NULL;
    long expired = notification_expire(box->db, &error);
    UnconfirmedCounts unknown;

    if (expired < 0) {
        database_failed(box, "expiring texts", error);
        return -1;
    }
    if (expired > 0)
        warning(0, "absencebox: %ld texts expired before they could be sent", expired);
    if (notification_mark_unconfirmed(box->db, box->config, box->started_at, &unknown, &error) <
        0) {
        database_failed(box, "marking unconfirmed texts", error);
        return -1;
    }
    if (unknown.unacknowledged > 0)
        warning(0,
                "absencebox: %ld texts are unconfirmed: submitted with no word from "
                "bearerbox for %ld s; a person must decide whether to resend them",
                unknown.unacknowledged, box->config->box.confirm_timeout_s);
    if (unknown.unreported > 0)
        warning(0,
                "absencebox: %ld texts are unconfirmed: the gateway took them but no final "
                "delivery report came within %ld s; is bearerbox storing its DLRs?",
                unknown.unreported, box->config->box.report_timeout_s);
    return 0;
}

/* One line per plan interval while texts move, instead of one per batch. */
static void log_summary(Box *box)
{
    long submitted = box->status.submitted - box->summarised.submitted;
    long delivered = box->status.delivered - box->summarised.delivered;
    long failed = box->status.failed - box->summarised.failed;

    if (submitted + delivered + failed == 0)
        return;
    info(0,
         "absencebox: %ld texts submitted, %ld delivered, %ld failed since the last "
         "summary; %ld awaiting bearerbox's ack",
         submitted, delivered, failed, box->in_flight_count);
    box->summarised = box->status;
}

/* Today's texts by status and the oldest due text's wait, for the admin
 * interface. */
static int count_texts(Box *box)
{
    Octstr *error = NULL;

    if (notification_count_today(box->db, box->config, &box->status, &error) < 0) {
        database_failed(box, "counting texts", error);
        return -1;
    }
    return 0;
}

/* Whether staff paused sending; the change is logged. Planning and claiming
 * stop in the database itself while paused. */
static int read_pause(Box *box)
{
    Octstr *error = NULL;
    PauseState now;

    if (pause_read(box->db, box->config, &now, &error) < 0) {
        database_failed(box, "reading whether sending is paused", error);
        return -1;
    }
    if (now.paused && !box->status.pause.paused)
        warning(0, "absencebox: sending is paused since %s by %s (%s): no text is planned or sent",
                now.since, now.by, now.reason);
    else if (!now.paused && box->status.pause.paused)
        info(0, "absencebox: sending is resumed");
    box->status.pause = now;
    return 0;
}

/* When to plan next: the instant the next text falls due, at most
 * plan-interval from now. */
static int schedule_plan(Box *box)
{
    Octstr *error = NULL;
    double wait_s = plan_wake_next_due_in(box->db, box->config,
                                          (double)box->config->box.plan_interval_s, &error);

    if (wait_s < 0) {
        database_failed(box, "finding when the next text falls due", error);
        return -1;
    }
    box->next_plan_at = plan_wake_clock() + wait_s;
    return 0;
}

/* Plan when a text falls due or the MIS changed something (a run costs
 * what changed); every plan-interval, plan whatever happens and keep house:
 * heartbeat, pause, expiry, unconfirmed texts, today's counts. */
static int periodic(Box *box)
{
    int housekeeping = time(NULL) >= box->next_tick;
    int notified = plan_wake_notified(box->db);

    if (notified < 0) {
        database_failed(box, "reading PostgreSQL's notifications", db_error(box->db, NULL));
        return -1;
    }
    if (notified > 0)
        box->plan_wanted = 1;
    if (!housekeeping && !box->plan_wanted && plan_wake_clock() < box->next_plan_at)
        return 0;
    if (housekeeping) {
        log_summary(box);
        if (record_heartbeat(box, bearerbox_link_session(box->link) > 0) < 0 || read_pause(box) < 0)
            return -1;
    }
    box->plan_wanted = 0;
    if (plan(box) < 0 || schedule_plan(box) < 0)
        return -1;
    if (housekeeping) {
        /* the sweep's timeouts count from submission: no ack held back */
        if (settle(box, 1) < 0 || sweep(box) < 0 || count_texts(box) < 0)
            return -1;
        box->next_tick = time(NULL) + box->config->box.plan_interval_s;
    }
    return 0;
}

/* ---- claim and submit ------------------------------------------------------ */

static void log_submitted(InFlight *flight, OutgoingText *text)
{
    Octstr *to = phone_mask(text->recipient);

    debug("absence.box", 0, "absencebox: submitted %s to %s", flight->label, octstr_get_cstr(to));
    octstr_destroy(to);
}

static void label_text(char *label, size_t size, OutgoingText *text)
{
    if (text->confirmation_id > 0)
        snprintf(label, size, "confirmation text %ld", text->confirmation_id);
    else
        snprintf(label, size, "notification %ld", text->notification_id);
}

/* Track TEXT, written in SESSION (from bearerbox_link_write()); a text
 * that was not written at all (no connection) goes in UNSENT. */
static void record_submitted(Box *box, OutgoingText *text, long session, List *unsent)
{
    InFlight *flight;

    if (session == 0) {
        gwlist_append(unsent, octstr_duplicate(text->message_id));
        return;
    }
    flight = gw_malloc(sizeof(*flight));
    label_text(flight->label, sizeof(flight->label), text);
    snprintf(flight->token, sizeof(flight->token), "%s", octstr_get_cstr(text->token));
    if (session < 0) {
        warning(0, "absencebox: writing %s to bearerbox failed; waiting for its reports",
                flight->label);
        gw_free(flight);
        return;
    }
    flight->session = session;
    dict_put(box->in_flight, text->message_id, flight);
    box->in_flight_count++;
    box->status.submitted++;
    log_submitted(flight, text);
}

/* The messages for TEXTS, whose order they keep. A text that cannot be
 * made a message is taken out of TEXTS into UNSENT (never left). */
static List *messages_for(Box *box, List *texts, List *unsent)
{
    List *msgs = gwlist_create();
    OutgoingText *text;
    Msg *msg;
    long i = 0;

    while (i < gwlist_len(texts)) {
        text = gwlist_get(texts, i);
        msg = message_for_text(text, box->config);
        if (msg == NULL) {
            gwlist_append(unsent, octstr_duplicate(text->message_id));
            gwlist_delete(texts, i, 1);
            outgoing_text_destroy(text);
            continue;
        }
        gwlist_append(msgs, msg);
        i++;
    }
    return msgs;
}

/* Put the texts the box claimed and surely never wrote (box->unwritten)
 * back to pending: those whose batch found no connection to bearerbox,
 * and those whose claim's commit failed with the connection (PostgreSQL,
 * or a standby promoted since, may have committed it). Kept until the
 * database takes the release. */
static int release_unwritten(Box *box)
{
    Octstr *error = NULL;
    long released;

    if (gwlist_len(box->unwritten) == 0)
        return 0;
    released = notification_release(box->db, box->unwritten, &error);
    if (released < 0) {
        database_failed(box, "releasing texts that never left", error);
        return -1;
    }
    if (released > 0)
        info(0, "absencebox: %ld texts claimed but never written to bearerbox are pending again",
             released);
    gwlist_destroy(box->unwritten, octstr_destroy_item);
    box->unwritten = gwlist_create();
    return 0;
}

/* Move TEXTS' message ids to box->unwritten. */
static void remember_unwritten(Box *box, List *texts)
{
    OutgoingText *text;

    while ((text = gwlist_extract_first(texts)) != NULL) {
        gwlist_append(box->unwritten, octstr_duplicate(text->message_id));
        outgoing_text_destroy(text);
    }
}

/* Room for a claim: max-pending less the texts in flight, once it is a
 * quarter of max-pending (bearerbox still holds three quarters to send),
 * so that claims come in batches, not one per ack; else none. */
static long claim_room(Box *box)
{
    /* a held ack's text is still submitted in the database: it counts, so
     * that never more than max-pending texts are submitted at once */
    long room = box->config->box.max_pending - box->in_flight_count - held_acks_count(box->acks);
    long least = box->config->box.max_pending / 4;

    return room > 0 && room >= least ? room : 0;
}

/*
 * Claim a batch and write it to bearerbox. The claim is a transaction
 * committed only once the batch is packed, and the batch is then written
 * in one go: a box killed while PostgreSQL runs the claim, or while the
 * texts are prepared, leaves them pending (the server rolls back what a
 * dead client left open), and the gap between the commit and the write,
 * where a kill would leave texts claimed that no box wrote (unconfirmed,
 * for a person: never resent blindly), is one system call. A commit that
 * fails with the connection may have been committed all the same: its
 * texts, surely not written, are released once the database is back.
 */
static int claim_and_submit(Box *box)
{
    long room = claim_room(box), session;
    List *texts, *msgs;
    OutgoingText *text;
    Octstr *frames, *error = NULL;

    box->backlog = 0;
    if (release_unwritten(box) < 0)
        return -1;
    if (room <= 0 || bearerbox_link_session(box->link) == 0)
        return 0;
    if (db_command(box->db, "begin", 0, NULL, &error) < 0 ||
        (texts = notification_claim_batch(box->db, box->config->box.id, room, &error)) == NULL) {
        db_rollback(box->db);
        database_failed(box, "claiming texts", error);
        return -1;
    }
    box->backlog = gwlist_len(texts) == room;
    msgs = messages_for(box, texts, box->unwritten);
    frames = bearerbox_link_pack(msgs);
    gwlist_destroy(msgs, msg_destroy_item);
    if (db_command(box->db, "commit", 0, NULL, &error) < 0) {
        db_rollback(box->db);
        octstr_destroy(frames);
        remember_unwritten(box, texts);
        gwlist_destroy(texts, NULL);
        database_failed(box, "committing a claim (its texts were not written)", error);
        return -1;
    }
    session = gwlist_len(texts) > 0 ? bearerbox_link_write(box->link, frames) : 0;
    octstr_destroy(frames);
    while ((text = gwlist_extract_first(texts)) != NULL) {
        record_submitted(box, text, session, box->unwritten);
        outgoing_text_destroy(text);
    }
    gwlist_destroy(texts, NULL);
    return release_unwritten(box);
}

/* ---- the loop ---------------------------------------------------------------- */

static void publish_status(Box *box)
{
    box->status.bearerbox_connected = bearerbox_link_session(box->link) > 0;
    box->status.database_up =
        PQstatus(box->db) == CONNECTION_OK && time(NULL) >= box->db_paused_until;
    box->status.in_flight = box->in_flight_count;
    box_status_write(box->board, &box->status);
}

static void step(Box *box, int may_claim)
{
    int busy = may_claim && box->backlog && claim_room(box) > 0;
    double wait_s = box->next_plan_at - plan_wake_clock(), acks_due_s;

    /* idle: until the next plan is due, a second at most (the link wakes
     * the box for bearerbox's messages, the next step reads notifications);
     * while the database is away, a second */
    if (time(NULL) < box->db_paused_until || wait_s > 1.0)
        wait_s = 1.0;
    /* held acks falling due: no later (but no sooner than the database is
     * back, or the box would spin while it is away) */
    acks_due_s = held_acks_wait(box->acks, plan_wake_clock());
    if (time(NULL) >= box->db_paused_until && acks_due_s >= 0 && acks_due_s < wait_s)
        wait_s = acks_due_s;
    collect(box, busy ? 0 : wait_s);
    forget_lost_session(box);
    if (database_ready(box) && settle(box, !may_claim) == 0 && apply_replies(box) == 0 &&
        periodic(box) == 0 && (!may_claim || claim_and_submit(box) == 0))
        database_succeeded(box);
    publish_status(box);
}

int box_run(Box *box, volatile sig_atomic_t *stop, volatile sig_atomic_t *reopen_logs)
{
    time_t deadline;

    box->link =
        bearerbox_link_start(box->config->box.bearerbox_host, box->config->box.bearerbox_port,
                             box->config->box.id, box->inbox);
    box->admin = admin_http_start(box->config, box->board, bearerbox_link_address(box->link));
    while (!*stop && !box->id_lost) {
        if (*reopen_logs) {
            *reopen_logs = 0;
            log_reopen();
            info(0, "absencebox: log files reopened");
        }
        step(box, 1);
    }
    info(0,
         "absencebox: stopping: no more texts will be claimed; waiting up to %ld s for "
         "%ld acks",
         box->config->box.shutdown_timeout_s, box->in_flight_count);
    deadline = time(NULL) + box->config->box.shutdown_timeout_s;
    do {
        step(box, 0);
    } while (box->in_flight_count > 0 && time(NULL) < deadline &&
             bearerbox_link_session(box->link) > 0);
    if (box->in_flight_count > 0)
        warning(0,
                "absencebox: stopped with %ld texts unacknowledged; they will be settled "
                "by their reports or marked unconfirmed",
                box->in_flight_count);
    log_summary(box);
    if (database_ready(box))
        record_heartbeat(box, 0);
    admin_http_stop(box->admin);
    bearerbox_link_stop(box->link);
    box->link = NULL;
    return box->id_lost ? -1 : 0;
}
