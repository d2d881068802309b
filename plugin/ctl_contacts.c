/*
 * ctl_contacts.c - absencectl import-contacts FILE (parents' contacts from
 * the MIS's Common Transfer File, by the college's rules) and
 * contacts-audit (what the office should tidy in the contact data).
 */
#include "contact_import.h"
#include "ctl_commands.h"

/* The recorded run as the report's JSON object. */
static int print_json_report(Ctl *ctl, long import_id)
{
    Octstr *id = octstr_format("%ld", import_id);
    const char *values[] = {octstr_get_cstr(id), octstr_get_cstr(ctl->config->policy_settings)};
    int status = 0;
    PGresult *rows = ctl_query(
        ctl, "select absence.contact_import_report($1, absence.policy_settings($2::jsonb))", 2,
        values, &status);

    octstr_destroy(id);
    if (rows == NULL)
        return status;
    printf("%s\n", PQgetvalue(rows, 0, 0));
    PQclear(rows);
    return 0;
}

/* The report for people: what was found in the file and what was done. */
static void print_text_report(PGresult *run)
{
    int dry = db_bool(run, 0, "dry_run");

    printf("%s %s (SHA-256 %s)\n", dry ? "Dry run of" : "Imported", db_value(run, 0, "file_name"),
           db_value(run, 0, "sha256"));
    printf("pupils:   %ld matched, %ld unknown (UPN not in absence.student: skipped)\n",
           db_long(run, 0, "pupils_matched"), db_long(run, 0, "pupils_unknown"));
    printf("contacts: %ld imported, %ld updated, %ld unchanged, %ld suspended\n",
           db_long(run, 0, "contacts_imported"), db_long(run, 0, "contacts_updated"),
           db_long(run, 0, "contacts_unchanged"), db_long(run, 0, "contacts_suspended"));
    printf("skipped:  %ld opted-out, %ld lower-priority, %ld prime-exists, %ld already-linked, "
           "%ld limit-reached\n",
           db_long(run, 0, "skipped_opted_out"), db_long(run, 0, "skipped_lower_priority"),
           db_long(run, 0, "skipped_prime_exists"), db_long(run, 0, "skipped_already_linked"),
           db_long(run, 0, "skipped_limit_reached"));
    if (dry)
        printf("Dry run: nothing was changed; an import now would do the above.\n");
}

static int print_report(Ctl *ctl, long import_id, OutputFormat format)
{
    Octstr *id;
    const char *values[1];
    PGresult *run;
    int status = 0;

    if (format == FORMAT_JSON)
        return print_json_report(ctl, import_id);
    id = octstr_format("%ld", import_id);
    values[0] = octstr_get_cstr(id);
    run = ctl_query(ctl, "select * from absence.contact_import where import_id = $1", 1, values,
                    &status);
    octstr_destroy(id);
    if (run == NULL)
        return status;
    print_text_report(run);
    PQclear(run);
    return 0;
}

int ctl_import_contacts(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    Octstr *actor = ctl_actor(), *error = NULL;
    long import_id = 0;
    int outcome =
        contact_import(ctl->conn, ctl->config->policy_settings, octstr_get_cstr(ctl_word(args, 0)),
                       ctl_arg(args, "--dry-run") != NULL, actor, &import_id, &error);

    octstr_destroy(actor);
    if (outcome != IMPORT_DONE) {
        Octstr *line = octstr_format("%S: nothing was imported", error);
        octstr_destroy(error);
        return ctl_fail_octstr(outcome == IMPORT_BAD_FILE ? EXIT_USER : EXIT_ENVIRONMENT, line);
    }
    octstr_destroy(error);
    return print_report(ctl, import_id, format);
}

/* "12 findings: 3 invalid-mobile, 9 unreachable-student": the audit lists
 * its findings kind by kind, so each kind is one run of rows. */
static void print_summary(PGresult *findings)
{
    int rows = PQntuples(findings), i, run = 0;

    printf("%d finding%s", rows, rows == 1 ? "" : "s");
    for (i = 0; i < rows; i++) {
        const char *kind = db_value(findings, i, "kind");
        run++;
        if (i + 1 == rows || strcmp(kind, db_value(findings, i + 1, "kind")) != 0) {
            printf("%s %d %s", i + 1 == run ? ":" : ",", run, kind);
            run = 0;
        }
    }
    printf("\n");
}

int ctl_contacts_audit(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    const char *values[] = {octstr_get_cstr(ctl->config->policy_settings)};
    int status = 0;
    PGresult *findings =
        ctl_query(ctl,
                  "select kind, student_id, guardian_id, guardian, number, action "
                  "from absence.contacts_audit(absence.policy_settings($1::jsonb))",
                  1, values, &status);

    (void)args;
    if (findings == NULL)
        return status;
    if (format != FORMAT_TABLE || PQntuples(findings) > 0)
        output_rows(stdout, findings, format);
    if (format == FORMAT_TABLE)
        print_summary(findings);
    PQclear(findings);
    return 0;
}
