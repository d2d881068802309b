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

/* $1 since, $2 until, $3 the college's time zone. */
static const char export_sql[] =
    "select p.pastoral_log_id as id, p.notification_id as notification,"
    "       absence.iso_local(p.logged_at, $3) as logged_at,"
    "       p.student_id as student, p.guardian_id as guardian, p.lesson_id as lesson,"
    "       p.category, p.entry as text,"
    "       absence.iso_local($1::timestamptz, $3) as since,"
    "       absence.iso_local($2::timestamptz, $3) as until"
    "  from absence.pastoral_log p"
    " where p.logged_at >= $1::timestamptz and p.logged_at < $2::timestamptz"
    " order by p.logged_at, p.pastoral_log_id";

static void add_text_child(xmlNodePtr parent, const char *name, const char *value)
{
    xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST value);
}

/* The since and until attributes: the query's, or (with no rows) the
 * instants as given. */
static void print_xml(PGresult *rows, Octstr *since, Octstr *until)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "pastoral-log");
    xmlChar *text;
    char count[24];
    int row, size;

    xmlDocSetRootElement(doc, root);
    xmlSetNs(root, xmlNewNs(root, BAD_CAST NAMESPACE, NULL));
    snprintf(count, sizeof(count), "%d", PQntuples(rows));
    xmlNewProp(root, BAD_CAST "since",
               BAD_CAST(PQntuples(rows) ? PQgetvalue(rows, 0, 8) : octstr_get_cstr(since)));
    xmlNewProp(root, BAD_CAST "until",
               BAD_CAST(PQntuples(rows) ? PQgetvalue(rows, 0, 9) : octstr_get_cstr(until)));
    xmlNewProp(root, BAD_CAST "count", BAD_CAST count);
    for (row = 0; row < PQntuples(rows); row++) {
        xmlNodePtr entry = xmlNewChild(root, NULL, BAD_CAST "entry", NULL);
        xmlNewProp(entry, BAD_CAST "id", BAD_CAST PQgetvalue(rows, row, 0));
        xmlNewProp(entry, BAD_CAST "notification", BAD_CAST PQgetvalue(rows, row, 1));
        add_text_child(entry, "logged-at", PQgetvalue(rows, row, 2));
        add_text_child(entry, "student", PQgetvalue(rows, row, 3));
        add_text_child(entry, "guardian", PQgetvalue(rows, row, 4));
        add_text_child(entry, "lesson", PQgetvalue(rows, row, 5));
        add_text_child(entry, "category", PQgetvalue(rows, row, 6));
        add_text_child(entry, "text", PQgetvalue(rows, row, 7));
    }
    xmlDocDumpFormatMemoryEnc(doc, &text, &size, "UTF-8", 1);
    fwrite(text, 1, size, stdout);
    xmlFree(text);
    xmlFreeDoc(doc);
}

static int export_log(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    int status = 0;
    Octstr *since, *until = NULL;
    const char *values[3];
    PGresult *rows = NULL;

    if (ctl_arg(args, "--since") == NULL)
        return ctl_fail(EXIT_USER, "usage: absencectl export-pastoral --since 'YYYY-MM-DD[ HH:MM]' "
                                   "[--until ...] [--format csv|xml]");
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
        print_xml(rows, since, until);
    else if (rows != NULL)
        output_csv_columns(stdout, rows, 8);
    PQclear(rows);
    octstr_destroy(since);
    octstr_destroy(until);
    return status;
}

int ctl_export_pastoral(Ctl *ctl, int argc, char **argv)
{
    return ctl_run(ctl, argc, argv, "export-pastoral", "--since,--until,--format", 0, "csv,xml",
                   FORMAT_CSV, export_log);
}
