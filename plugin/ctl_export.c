/*
 * ctl_export.c - absencectl export-pastoral --since T [--until T]
 * [--what pastoral-log|communication-log] [--format csv|xml]: the pastoral
 * log, or the communication log, for the MIS. Times are the college's, ISO
 * 8601 with their UTC offset. The XML is written with libxml2:
 *
 *   <pastoral-log xmlns="urn:absencebox:pastoral-log:1" since="…" until="…" count="N">
 *     <entry id="…" notification="…">
 *       <logged-at>2026-06-15T10:21:03+01:00</logged-at>
 *       <student>STE04049635</student> <guardian>101</guardian> <lesson>1001</lesson>
 *       <category>Absence text</category> <text>…</text>
 *     </entry> …
 *   </pastoral-log>
 *
 *   <communication-log xmlns="urn:absencebox:communication-log:1" since="…" until="…"
 *                      count="N">
 *     <contact id="…">
 *       <occurred-at>…</occurred-at> <student>…</student> <guardian>101</guardian>
 *       <concern>7</concern> <notification>12</notification> <reply/>
 *       <method>sms</method> <direction>out</direction> <outcome>delivered</outcome>
 *       <recorded-by>absencebox</recorded-by> <note/>
 *     </contact> …
 *   </communication-log>
 *
 * An empty element is a value the row does not have (no guardian, no note).
 */
#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include "ctl_commands.h"

/* $1 since, $2 until, $3 the college's time zone: the CSV's columns. */
static const char pastoral_sql[] =
    "select p.pastoral_log_id as id, p.notification_id as notification,"
    "       absence.iso_local(p.logged_at, $3) as logged_at,"
    "       p.student_id as student, p.guardian_id as guardian, p.lesson_id as lesson,"
    "       p.category, p.entry as text"
    "  from absence.pastoral_log p"
    " where p.logged_at >= $1::timestamptz and p.logged_at < $2::timestamptz"
    " order by p.logged_at, p.pastoral_log_id";

/* The same for the communication log. */
static const char communication_sql[] =
    "select * from absence.communication_export($1::timestamptz, $2::timestamptz, $3)";

/* The XML root's since and until, as ISO 8601 at the college. */
static const char window_sql[] = "select absence.iso_local($1::timestamptz, $3) as since,"
                                 "       absence.iso_local($2::timestamptz, $3) as until";

/* What one export writes: its SQL, the XML's root, namespace and row
 * element, the columns that are attributes and those that are elements. */
typedef struct Export {
    const char *sql;
    const char *root, *namespace, *row;
    const char *const *attributes; /* {name, column}... NULL */
    const char *const *elements;   /* {name, column}... NULL */
} Export;

static const char *const pastoral_attributes[] = {"id", "id", "notification", "notification", NULL};
static const char *const pastoral_elements[] = {
    "logged-at", "logged_at", "student",  "student", "guardian", "guardian", "lesson",
    "lesson",    "category",  "category", "text",    "text",     NULL};
static const char *const communication_attributes[] = {"id", "id", NULL};
static const char *const communication_elements[] = {
    "occurred-at", "occurred_at", "student",      "student",      "guardian", "guardian",
    "concern",     "concern",     "notification", "notification", "reply",    "reply",
    "method",      "method",      "direction",    "direction",    "outcome",  "outcome",
    "recorded-by", "recorded_by", "note",         "note",         NULL};

static const Export pastoral_log = {
    pastoral_sql, "pastoral-log",      "urn:absencebox:pastoral-log:1",
    "entry",      pastoral_attributes, pastoral_elements};
static const Export communication_log = {
    communication_sql, "communication-log",      "urn:absencebox:communication-log:1",
    "contact",         communication_attributes, communication_elements};

static void add_row(xmlNodePtr root, const Export *export, PGresult *rows, int row)
{
    xmlNodePtr entry = xmlNewChild(root, NULL, BAD_CAST export->row, NULL);
    int i;

    for (i = 0; export->attributes[i] != NULL; i += 2)
        xmlNewProp(entry, BAD_CAST export->attributes[i],
                   BAD_CAST db_value(rows, row, export->attributes[i + 1]));
    for (i = 0; export->elements[i] != NULL; i += 2)
        xmlNewTextChild(entry, NULL, BAD_CAST export->elements[i],
                        BAD_CAST db_value(rows, row, export->elements[i + 1]));
}

static void print_xml(const Export *export, PGresult *rows, PGresult *window)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = xmlNewNode(NULL, BAD_CAST export->root);
    xmlChar *text;
    char count[24];
    int row, size;

    xmlDocSetRootElement(doc, root);
    xmlSetNs(root, xmlNewNs(root, BAD_CAST export->namespace, NULL));
    snprintf(count, sizeof(count), "%d", PQntuples(rows));
    xmlNewProp(root, BAD_CAST "since", BAD_CAST db_value(window, 0, "since"));
    xmlNewProp(root, BAD_CAST "until", BAD_CAST db_value(window, 0, "until"));
    xmlNewProp(root, BAD_CAST "count", BAD_CAST count);
    for (row = 0; row < PQntuples(rows); row++)
        add_row(root, export, rows, row);
    xmlDocDumpFormatMemoryEnc(doc, &text, &size, "UTF-8", 1);
    fwrite(text, 1, size, stdout);
    xmlFree(text);
    xmlFreeDoc(doc);
}

/* The export --what names, or NULL after an error line. */
static const Export *chosen_export(Octstr *what, int *status)
{
    if (what == NULL || octstr_str_compare(what, "pastoral-log") == 0)
        return &pastoral_log;
    if (octstr_str_compare(what, "communication-log") == 0)
        return &communication_log;
    *status = ctl_fail(EXIT_USER, "--what '%s' is neither pastoral-log nor communication-log",
                       octstr_get_cstr(what));
    return NULL;
}

int ctl_export_pastoral(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    int status = 0;
    const Export *export = chosen_export(ctl_arg(args, "--what"), &status);
    Octstr *since = NULL, *until = NULL;
    const char *values[3];
    PGresult *rows = NULL, *window = NULL;

    if (export != NULL)
        since = ctl_instant(ctl, ctl_arg(args, "--since"), "--since", &status);
    if (since != NULL)
        until = ctl_instant(ctl, ctl_arg(args, "--until"), "--until", &status);
    if (until != NULL) {
        values[0] = octstr_get_cstr(since);
        values[1] = octstr_get_cstr(until);
        values[2] = octstr_get_cstr(ctl->config->box.timezone);
        rows = ctl_query(ctl, export->sql, 3, values, &status);
    }
    if (rows != NULL && format == FORMAT_XML)
        window = ctl_query(ctl, window_sql, 3, values, &status);
    if (window != NULL)
        print_xml(export, rows, window);
    else if (rows != NULL && format == FORMAT_CSV)
        output_rows(stdout, rows, FORMAT_CSV);
    PQclear(rows);
    PQclear(window);
    octstr_destroy(since);
    octstr_destroy(until);
    return status;
}
