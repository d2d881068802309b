/*
 * ctl_explain.c - absencectl explain STUDENT_ID [--date D]: why a student's
 * guardians got a text that day, or did not; the student's open attendance
 * concerns, every contact with the family logged that day, and the replies
 * received that day from a number texted about the student. Everything comes from the
 * policy SQL the box plans with (absence.explain_trigger and
 * absence.explain_guardians, over policy_triggers and guardian_checks) and
 * from what the box recorded, so the explanation cannot disagree with what
 * the box did.
 */
#include "ctl_commands.h"
#include "json.h"
#include "policy.h"

/* $1 the policy's settings, $2 the student, $3 the day, $4 whether the
 * output is for a program (times in ISO 8601). Every query names all four,
 * so that PostgreSQL can type each parameter. */
#define SETTINGS "with s as (select " POLICY_SETTINGS_SQL " as cfg)"

static const char student_sql[] =
    SETTINGS "select st.student_id as student, st.status_code as status,"
             "       concat_ws(' ', st.forename, st.surname) as name,"
             "       st.status_code like (s.cfg).student_status_pattern as eligible,"
             "       (s.cfg).student_status_pattern as pattern"
             "  from s, absence.student st where st.student_id = $2 and $3::date is not null"
             "   and $4::boolean is not null";

static const char lessons_sql[] = SETTINGS
    "select l.lesson_id as lesson,"
    "       absence.shown_time(l.starts_at, (s.cfg).timezone, $4, 'HH24:MI') as starts,"
    "       absence.shown_time(l.ends_at, (s.cfg).timezone, $4, 'HH24:MI') as ends,"
    "       l.title, m.mark,"
    "       case when $4 then absence.iso_local(l.register_marked_at, (s.cfg).timezone)"
    "            when l.register_marked_at is null then 'not taken'"
    "            else to_char(l.register_marked_at at time zone (s.cfg).timezone, 'HH24:MI:SS')"
    "                 || case when l.register_marked_at <= l.ends_at then ' (on time)'"
    "                         else ' (late)' end end as register,"
    "       l.register_marked_at <= l.ends_at as register_on_time"
    "  from s"
    "  join absence.attendance_mark m on m.student_id = $2"
    "  join absence.lesson l on l.lesson_id = m.lesson_id"
    " where (l.starts_at at time zone (s.cfg).timezone)::date = $3::date"
    "   and m.mark = any ((s.cfg).absent_marks)"
    " order by l.starts_at, l.lesson_id";

static const char trigger_sql[] = SETTINGS
    "select t.lesson, t.state, t.starts, t.ends, t.register, t.due, t.expires, t.status_code,"
    "       t.status_pattern, t.settled_outcome, t.settled_at, t.planned_mark, t.marks_read_at,"
    "       t.mark_now, t.body, t.explanation"
    "  from s cross join absence.explain_trigger(s.cfg, $2, $3::date, $4) t";

static const char guardians_sql[] =
    SETTINGS "select g.* from s cross join absence.explain_guardians(s.cfg, $2, $3::date) g"
             " where $4::boolean is not null";

/* A student-day's texts, of every kind (the kinds named so that the
 * once-a-number-and-day key, which leads with the kind, finds them: by the
 * day alone the block-range index reads the whole day's texts). */
#define STUDENT_DAY_TEXTS                                                                          \
    "n.kind in ('absence', 'concern') and n.student_id = $2 and n.school_day = $3::date"

static const char texts_sql[] =
    SETTINGS "select n.notification_id as id, n.kind, n.guardian_id as guardian,"
             "       absence.mask_mobile(n.recipient) as recipient, n.status,"
             "       absence.shown_time(n.due_at, (s.cfg).timezone, $4, 'HH24:MI') as due,"
             "       n.failure_reason as reason, n.resolution"
             "  from s, absence.notification n"
             " where " STUDENT_DAY_TEXTS " order by n.notification_id";

static const char history_sql[] = SETTINGS
    "select n.notification_id as id, t.at, h.event from s, absence.notification n"
    " cross join lateral ("
    "   select n.created_at, 'planned'"
    "   union all select n.submitted_at, 'submitted to bearerbox' where n.submitted_at is not null"
    "   union all select n.sent_at, 'accepted by bearerbox' where n.sent_at is not null"
    "   union all select r.received_at, 'report ' || r.dlr_type || case r.dlr_type"
    "            when 1 then ' (delivered)' when 2 then ' (failed)' when 8 then ' (accepted by the "
    "SMSC)'"
    "            when 16 then ' (rejected by the SMSC)' else '' end"
    "            || coalesce(': ' || nullif(r.reply, ''), '')"
    "       from absence.delivery_report r where r.notification_id = n.notification_id"
    "   union all select a.acted_at, a.action || ' by ' || a.actor || ': ' || a.reason"
    "       from absence.notification_action a where a.notification_id = n.notification_id"
    " ) h(at_ts, event)"
    " cross join lateral (select absence.shown_time(h.at_ts, (s.cfg).timezone, $4,"
    "                                             'HH24:MI:SS') as at) t"
    " where " STUDENT_DAY_TEXTS " order by n.notification_id, h.at_ts";

static const char concerns_sql[] =
    SETTINGS "select c.concern, c.term, c.rule, c.days, c.detected, c.state, c.texts, c.note"
             "  from s cross join absence.concern_list(s.cfg, false, null, $2, $4) c"
             " where $3::date is not null";

static const char contacts_sql[] =
    SETTINGS "select c.* from s cross join absence.communication_day(s.cfg, $2, $3::date, $4) c";

static const char replies_sql[] =
    SETTINGS "select r.* from s cross join absence.student_replies(s.cfg, $2, $3::date, $4) r";

/* The day set aside by the planner (absence.plan_quarantine), if it was. */
static const char set_aside_sql[] =
    SETTINGS "select q.kind, q.reason, q.first_seen, q.last_seen, q.runs, q.resolved"
             "  from s cross join absence.quarantine_list(s.cfg, true, $4) q"
             " where q.student_key = md5($2) and q.school_day = $3::date";

typedef struct Explanation {
    PGresult *student, *lessons, *trigger, *guardians, *texts, *history, *concerns, *contacts,
        *replies, *set_aside;
} Explanation;

static void explanation_clear(Explanation *e)
{
    PQclear(e->student);
    PQclear(e->lessons);
    PQclear(e->trigger);
    PQclear(e->guardians);
    PQclear(e->texts);
    PQclear(e->history);
    PQclear(e->concerns);
    PQclear(e->contacts);
    PQclear(e->replies);
    PQclear(e->set_aside);
}

static int gather(Ctl *ctl, Octstr *student, Octstr *day, OutputFormat format, Explanation *e)
{
    const char *values[4] = {octstr_get_cstr(ctl->config->policy_settings),
                             octstr_get_cstr(student), octstr_get_cstr(day),
                             format == FORMAT_TABLE ? "false" : "true"};
    int status = 0;

    if ((e->student = ctl_query(ctl, student_sql, 4, values, &status)) &&
        (e->lessons = ctl_query(ctl, lessons_sql, 4, values, &status)) &&
        (e->trigger = ctl_query(ctl, trigger_sql, 4, values, &status)) &&
        (e->guardians = ctl_query(ctl, guardians_sql, 4, values, &status)) &&
        (e->texts = ctl_query(ctl, texts_sql, 4, values, &status)) &&
        (e->history = ctl_query(ctl, history_sql, 4, values, &status)) &&
        (e->concerns = ctl_query(ctl, concerns_sql, 4, values, &status)) &&
        (e->contacts = ctl_query(ctl, contacts_sql, 4, values, &status)) &&
        (e->replies = ctl_query(ctl, replies_sql, 4, values, &status)))
        e->set_aside = ctl_query(ctl, set_aside_sql, 4, values, &status);
    return status;
}

static void print_section(const char *title, PGresult *rows, const char *empty)
{
    printf("\n%s\n", title);
    if (PQntuples(rows) == 0)
        printf("  %s\n", empty);
    else
        output_rows(stdout, rows, FORMAT_TABLE);
}

static void print_text(Ctl *ctl, Octstr *day, Explanation *e)
{
    printf("Student %s%s%s, status %s (%s: pattern %s), on %s, times in %s\n",
           db_value(e->student, 0, "student"), *db_value(e->student, 0, "name") ? " " : "",
           db_value(e->student, 0, "name"), db_value(e->student, 0, "status"),
           db_bool(e->student, 0, "eligible") ? "eligible" : "not eligible",
           db_value(e->student, 0, "pattern"), octstr_get_cstr(day),
           octstr_get_cstr(ctl->config->box.timezone));
    print_section("Absent lessons", e->lessons, "none: no absent mark that day, so no text");
    if (PQntuples(e->trigger) > 0)
        printf("\nTrigger: lesson %s at %s (the first absent lesson): %s\n",
               db_value(e->trigger, 0, "lesson"), db_value(e->trigger, 0, "starts"),
               db_value(e->trigger, 0, "explanation"));
    if (PQntuples(e->set_aside) > 0)
        print_section("Set aside by the planner (absencectl quarantine)", e->set_aside, "");
    print_section("Guardians (each rule: t = passed, f = failed)", e->guardians,
                  "none linked to this student");
    print_section("Texts", e->texts, "none");
    if (PQntuples(e->history) > 0)
        print_section("Delivery history", e->history, "");
    print_section("Open attendance concerns", e->concerns, "none");
    print_section("Contacts with the family that day (communication log)", e->contacts, "none");
    print_section("Replies that day (matched to the student, or the student a candidate)",
                  e->replies, "none");
}

static void append_rows(Octstr *json, const char *name, PGresult *rows)
{
    int row;

    octstr_format_append(json, ",\n  \"%s\": [", name);
    for (row = 0; row < PQntuples(rows); row++) {
        octstr_append_cstr(json, row > 0 ? ", " : "");
        output_json_object(json, rows, row);
    }
    octstr_append_char(json, ']');
}

static void print_json(Explanation *e, Octstr *day)
{
    Octstr *json = octstr_create("{\"date\": ");

    json_append_string(json, octstr_get_cstr(day));
    octstr_append_cstr(json, ",\n  \"student\": ");
    output_json_object(json, e->student, 0);
    append_rows(json, "absent_lessons", e->lessons);
    octstr_append_cstr(json, ",\n  \"trigger\": ");
    if (PQntuples(e->trigger) > 0)
        output_json_object(json, e->trigger, 0);
    else
        octstr_append_cstr(json, "null");
    append_rows(json, "guardians", e->guardians);
    append_rows(json, "texts", e->texts);
    append_rows(json, "history", e->history);
    append_rows(json, "concerns", e->concerns);
    append_rows(json, "contacts", e->contacts);
    append_rows(json, "replies", e->replies);
    append_rows(json, "set_aside", e->set_aside);
    octstr_append_cstr(json, "}\n");
    fwrite(octstr_get_cstr(json), 1, octstr_len(json), stdout);
    octstr_destroy(json);
}

int ctl_explain(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    Octstr *student = ctl_word(args, 0), *day;
    Explanation e = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    int status = 0;

    day = ctl_date(ctl, ctl_arg(args, "--date"), "--date", &status);
    if (day == NULL)
        return status;
    status = gather(ctl, student, day, format, &e);
    if (status == 0 && PQntuples(e.student) == 0)
        status = ctl_fail(EXIT_USER, "there is no student '%s'", octstr_get_cstr(student));
    else if (status == 0 && format == FORMAT_JSON)
        print_json(&e, day);
    else if (status == 0)
        print_text(ctl, day, &e);
    explanation_clear(&e);
    octstr_destroy(day);
    return status;
}
