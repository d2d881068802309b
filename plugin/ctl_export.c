/*
 * ctl_export.c - absencectl export-pastoral --since T [--until T]
 * [--format csv|xml]: the pastoral log for the MIS. Times are the college's,
 * ISO 8601 with their UTC offset. The XML is written with libxml2:
 *
 *   <pastoral-log xmlns="urn:absencebox:pastoral-log:1" since="…" until="…" count="N">
 *     <entry id="…" notification="…">
 *       <logged-at>2026-06-15T10:21:03+01:00</logged-at>
 *       <student>STE04049635</student> <guardian>101</guardian> <lesson>1001</lesson>
 *       <category>Absence text</category> <text>…</text>
 *     </entry> …
 *   </pastoral-log>
 */
#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include "ctl_commands.h"

#define NAMESPACE "urn:absencebox:pastoral-log:1"

/* $1 since, $2 until, $3 the college's time zone: the CSV's columns. */
static const char export_sql[] =
    "select p.pastoral_log_id as id, p.notification_id as notification,"
    "       absence.iso_local(p.logged_at, $3) as logged_at,"
    "       p.student_id as student, p.guardian_id as guardian, p.lesson_id as lesson,"
    "       p.category, p.entry as text"
    "  from absence.pastoral_log p"
    " where p.logged_at >= $1::timestamptz and p.logged_at < $2::timestamptz"
    " order by p.logged_at, p.pastoral_log_id";

/* The XML root's since and until, as ISO 8601 at the college. */
static const char window_sql[] = "select absence.iso_local($1::timestamptz, $3) as since,"
                                 "       absence.iso_local($2::timestamptz, $3) as until";

static void add_entry(xmlNodePtr root, PGresult *rows, int row)
{
    static const char *const elements[][2] = {{"logged-at", "logged_at"}, {"student", "student"},
                                              {"guardian", "guardian"},   {"lesson", "lesson"},
                                              {"category", "category"},   {"text", "text"}};
    xmlNodePtr entry = xmlNewChild(root, NULL, BAD_CAST "entry", NULL);
    size_t i;

    xmlNewProp(entry, BAD_CAST "id", BAD_CAST db_value(rows, row, "id"));
    xmlNewProp(entry, BAD_CAST "notification", BAD_CAST db_value(rows, row, "notification"));
    for (i = 0; i < sizeof(elements) / sizeof(elements[0]); i++)
        xmlNewTextChild(entry, NULL, BAD_CAST elements[i][0],
                        BAD_CAST db_value(rows, row, elements[i][1]));
}

static void print_xml(PGresult *rows, PGresult *window)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "pastoral-log");
    xmlChar *text;
    char count[24];
    int row, size;

    xmlDocSetRootElement(doc, root);
    xmlSetNs(root, xmlNewNs(root, BAD_CAST NAMESPACE, NULL));
    snprintf(count, sizeof(count), "%d", PQntuples(rows));
    xmlNewProp(root, BAD_CAST "since", BAD_CAST db_value(window, 0, "since"));
    xmlNewProp(root, BAD_CAST "until", BAD_CAST db_value(window, 0, "until"));
    xmlNewProp(root, BAD_CAST "count", BAD_CAST count);
    for (row = 0; row < PQntuples(rows); row++)
        add_entry(root, rows, row);
    xmlDocDumpFormatMemoryEnc(doc, &text, &size, "UTF-8", 1);
    fwrite(text, 1, size, stdout);
    xmlFree(text);
    xmlFreeDoc(doc);
}

int ctl_export_pastoral(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    int status = 0;
    Octstr *since, *until = NULL;
    const char *values[3];
    PGresult *rows = NULL, *window = NULL;

    since = ctl_instant(ctl, ctl_arg(args, "--since"), "--since", &status);
    if (since != NULL)
        until = ctl_instant(ctl, ctl_arg(args, "--until"), "--until", &status);
    if (until != NULL) {
        values[0] = octstr_get_cstr(since);
        values[1] = octstr_get_cstr(until);
        values[2] = octstr_get_cstr(ctl->config->box.timezone);
        rows = ctl_query(ctl, export_sql, 3, values, &status);
    }
    if (rows != NULL && format == FORMAT_XML)
        window = ctl_query(ctl, window_sql, 3, values, &status);
    if (window != NULL)
        print_xml(rows, window);
    else if (rows != NULL && format == FORMAT_CSV)
        output_rows(stdout, rows, FORMAT_CSV);
    PQclear(rows);
    PQclear(window);
    octstr_destroy(since);
    octstr_destroy(until);
    return status;
}
