/*
 * ctl_explain.c - absencectl explain STUDENT_ID [--date D]: why a student's
 * guardians got a text that day, or did not. Everything comes from the
 * policy SQL the box plans with (absence.policy_triggers and
 * absence.guardian_checks) and from what the box recorded, so the
 * explanation cannot disagree with what the box did.
 */
#include "ctl_commands.h"
#include "policy.h"

/* $1..$11 the policy settings, $12 the student, $13 the day. Every query
 * names all of them (through c, or "$13::date is not null") so that
 * PostgreSQL can type each parameter. */
#define PARAMS POLICY_PARAM_COUNT + 2

static const char student_sql[] =
    "select s.student_id as student, s.status_code as status,"
    "       concat_ws(' ', s.forename, s.surname) as name,"
    "       s.status_code like (" POLICY_SETTINGS_SQL ").status_pattern as eligible,"
    "       (" POLICY_SETTINGS_SQL ").status_pattern as pattern"
    "  from absence.student s where s.student_id = $12 and $13::date is not null";

static const char lessons_sql[] =
    "select l.lesson_id as lesson, to_char(l.starts_at at time zone c.timezone, 'HH24:MI') as starts,"
    "       to_char(l.ends_at at time zone c.timezone, 'HH24:MI') as ends,"
    "       coalesce(l.title, '') as title, m.mark,"
    "       case when l.register_marked_at is null then 'not taken'"
    "            else to_char(l.register_marked_at at time zone c.timezone, 'HH24:MI:SS')"
    "                 || case when l.register_marked_at <= l.ends_at then ' (on time)'"
    "                         else ' (late)' end end as register"
    "  from (select (" POLICY_SETTINGS_SQL ").*) c"
    "  join absence.attendance_mark m on m.student_id = $12"
    "  join absence.lesson l on l.lesson_id = m.lesson_id"
    " where (l.starts_at at time zone c.timezone)::date = $13::date"
    "   and m.mark = any (c.absent_marks)"
    " order by l.starts_at, l.lesson_id";

static const char trigger_sql[] =
    "select t.lesson_id as lesson, t.state,"
    "       to_char(t.lesson_starts_at at time zone c.timezone, 'HH24:MI') as starts,"
    "       to_char(t.lesson_ends_at at time zone c.timezone, 'HH24:MI') as ends,"
    "       to_char(t.register_marked_at at time zone c.timezone, 'HH24:MI') as register,"
    "       to_char(t.due_at at time zone c.timezone, 'HH24:MI') as due,"
    "       to_char(t.expires_at at time zone c.timezone, 'HH24:MI') as expires,"
    "       t.status_code, c.status_pattern, t.settled_outcome,"
    "       to_char(d.settled_at at time zone c.timezone, 'HH24:MI:SS') as settled_at,"
    "       d.lesson_id as settled_lesson, t.body"
    "  from (select (" POLICY_SETTINGS_SQL ").*) c"
    " cross join absence.policy_triggers(" POLICY_SETTINGS_SQL ", now(),"
    "       ($13::date::timestamp at time zone c.timezone),"
    "       (($13::date + 2)::timestamp at time zone c.timezone), $12) t"
    "  left join absence.student_day d on d.student_id = t.student_id"
    "       and d.school_day = t.school_day"
    " where t.school_day = $13::date";

static const char guardians_sql[] =
    "select g.guardian_id as guardian, coalesce(g.guardian_name, '') as name,"
    "       absence.mask_mobile(g.recipient) as number,"
    "       g.account_active as account, g.link_active as link,"
    "       g.attendance_visible as attendance_shown, g.has_mobile as mobile,"
    "       g.mobile_valid as valid_mobile, coalesce(g.first_for_number, false) as first_on_number,"
    "       coalesce('skipped: ' || g.skip_reason, 'gets the text') as outcome"
    "  from absence.guardian_checks(" POLICY_SETTINGS_SQL ", $12) g"
    " where $13::date is not null"
    " order by g.guardian_id";

static const char texts_sql[] =
    "with c as (select (" POLICY_SETTINGS_SQL ").*)"
    "select n.notification_id as id, n.guardian_id as guardian,"
    "       absence.mask_mobile(n.recipient) as recipient, n.status,"
    "       to_char(n.due_at at time zone c.timezone, 'HH24:MI') as due,"
    "       coalesce(n.failure_reason, '') as reason, coalesce(n.resolution, '') as resolution"
    "  from c, absence.notification n"
    " where n.student_id = $12 and n.school_day = $13::date"
    " order by n.notification_id";

static const char history_sql[] =
    "with c as (select (" POLICY_SETTINGS_SQL ").*)"
    "select n.notification_id as id, t.at, h.event from c, absence.notification n"
    " cross join lateral ("
    "   select n.created_at, 'planned'"
    "   union all select n.submitted_at, 'submitted to bearerbox' where n.submitted_at is not null"
    "   union all select n.sent_at, 'accepted by bearerbox' where n.sent_at is not null"
    "   union all select r.received_at, 'report ' || r.dlr_type || case r.dlr_type"
    "            when 1 then ' (delivered)' when 2 then ' (failed)' when 8 then ' (accepted by the SMSC)'"
    "            when 16 then ' (rejected by the SMSC)' else '' end"
    "            || coalesce(': ' || nullif(r.reply, ''), '')"
    "       from absence.delivery_report r where r.notification_id = n.notification_id"
    "   union all select a.acted_at, a.action || ' by ' || a.actor || ': ' || a.reason"
    "       from absence.notification_action a where a.notification_id = n.notification_id"
    " ) h(at_ts, event)"
    " cross join lateral (select to_char(h.at_ts at time zone c.timezone, 'HH24:MI:SS') as at) t"
    " where n.student_id = $12 and n.school_day = $13::date"
    " order by n.notification_id, h.at_ts";

typedef struct Explanation {
    PGresult *student, *lessons, *trigger, *guardians, *texts, *history;
} Explanation;

static void explanation_clear(Explanation *e)
{
    PQclear(e->student);
    PQclear(e->lessons);
    PQclear(e->trigger);
    PQclear(e->guardians);
    PQclear(e->texts);
    PQclear(e->history);
}

static int gather(Ctl *ctl, Octstr *student, Octstr *day, Explanation *e)
{
    PolicyParams params;
    int status = 0;

    policy_params_init(&params, ctl->config);
    params.values[POLICY_PARAM_COUNT] = octstr_get_cstr(student);
    params.values[POLICY_PARAM_COUNT + 1] = octstr_get_cstr(day);
    if ((e->student = ctl_query(ctl, student_sql, PARAMS, params.values, &status)) &&
        (e->lessons = ctl_query(ctl, lessons_sql, PARAMS, params.values, &status)) &&
        (e->trigger = ctl_query(ctl, trigger_sql, PARAMS, params.values, &status)) &&
        (e->guardians = ctl_query(ctl, guardians_sql, PARAMS, params.values, &status)) &&
        (e->texts = ctl_query(ctl, texts_sql, PARAMS, params.values, &status)))
        e->history = ctl_query(ctl, history_sql, PARAMS, params.values, &status);
    policy_params_destroy(&params);
    return status;
}

#define FIELD(rows, name) PQgetvalue((rows), 0, PQfnumber((rows), (name)))

/* Why the trigger is in its state, in words. */
static Octstr *trigger_reason(PGresult *t)
{
    const char *state = FIELD(t, "state");

    if (strcmp(state, "settled") == 0)
        return octstr_format("planned at %s: the day is settled (%s); nothing more is sent that "
                             "day, whatever changes",
                             FIELD(t, "settled_at"), FIELD(t, "settled_outcome"));
    if (strcmp(state, "due") == 0)
        return octstr_format("due since %s: the box plans its texts at its next planning run",
                             FIELD(t, "due"));
    if (strcmp(state, "not-yet-due") == 0)
        return octstr_format("not due yet: due at %s, %s after the lesson ended", FIELD(t, "due"),
                             "send-delay");
    if (strcmp(state, "expired") == 0)
        return octstr_format("expired: a text could only go out between %s and %s", FIELD(t, "due"),
                             FIELD(t, "expires"));
    if (strcmp(state, "register-late") == 0)
        return octstr_format("no text: the register was taken at %s, after the lesson ended at %s",
                             FIELD(t, "register"), FIELD(t, "ends"));
    if (strcmp(state, "register-not-marked") == 0)
        return octstr_create("no text yet: the register has not been taken (or not reached the "
                             "database)");
    if (strcmp(state, "status-not-eligible") == 0)
        return octstr_format("no text: status %s does not match student-status-pattern %s",
                             FIELD(t, "status_code"), FIELD(t, "status_pattern"));
    return octstr_format("no text: it would not fit max-segments (%s)", state);
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
           FIELD(e->student, "student"), *FIELD(e->student, "name") ? " " : "",
           FIELD(e->student, "name"), FIELD(e->student, "status"),
           FIELD(e->student, "eligible")[0] == 't' ? "eligible" : "not eligible",
           FIELD(e->student, "pattern"), octstr_get_cstr(day),
           octstr_get_cstr(ctl->config->box.timezone));
    print_section("Absent lessons", e->lessons, "none: no absent mark that day, so no text");
    if (PQntuples(e->trigger) > 0) {
        Octstr *why = trigger_reason(e->trigger);
        printf("\nTrigger: lesson %s at %s (the first absent lesson): %s\n",
               FIELD(e->trigger, "lesson"), FIELD(e->trigger, "starts"), octstr_get_cstr(why));
        octstr_destroy(why);
    }
    print_section("Guardians (each rule: t = passed, f = failed)", e->guardians,
                  "none linked to this student");
    print_section("Texts", e->texts, "none");
    if (PQntuples(e->history) > 0)
        print_section("Delivery history", e->history, "");
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

    output_json_string(json, octstr_get_cstr(day));
    octstr_append_cstr(json, ",\n  \"student\": ");
    output_json_object(json, e->student, 0);
    append_rows(json, "absent_lessons", e->lessons);
    octstr_append_cstr(json, ",\n  \"trigger\": ");
    if (PQntuples(e->trigger) > 0) {
        Octstr *why = trigger_reason(e->trigger);
        output_json_object(json, e->trigger, 0);
        octstr_delete(json, octstr_len(json) - 1, 1);
        octstr_append_cstr(json, ", \"explanation\": ");
        output_json_string(json, octstr_get_cstr(why));
        octstr_append_char(json, '}');
        octstr_destroy(why);
    } else {
        octstr_append_cstr(json, "null");
    }
    append_rows(json, "guardians", e->guardians);
    append_rows(json, "texts", e->texts);
    append_rows(json, "history", e->history);
    octstr_append_cstr(json, "}\n");
    fwrite(octstr_get_cstr(json), 1, octstr_len(json), stdout);
    octstr_destroy(json);
}

static int explain(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    Octstr *student = gwlist_get(args->words, 0), *day;
    Explanation e = {NULL, NULL, NULL, NULL, NULL, NULL};
    int status = 0;

    if (student == NULL)
        return ctl_fail(EXIT_USER, "usage: absencectl explain STUDENT_ID [--date YYYY-MM-DD] "
                                   "[--format table|json]");
    day = ctl_date(ctl, ctl_arg(args, "--date"), "--date", &status);
    if (day == NULL)
        return status;
    status = gather(ctl, student, day, &e);
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

int ctl_explain(Ctl *ctl, int argc, char **argv)
{
    return ctl_run(ctl, argc, argv, "explain", "--date,--format", 1, "table,json", FORMAT_TABLE,
                   explain);
}
