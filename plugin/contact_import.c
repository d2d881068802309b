/*
 * contact_import.c - a CTF into absence.import_contacts (see
 * contact_import.h). The file streams through the reader into COPY, one
 * pupil at a time, so memory does not grow with the file; the rules run
 * in SQL beside the rest of the policy.
 */
#include <errno.h>
#include <openssl/evp.h>

#include "contact_import.h"
#include "ctf_reader.h"
#include "json.h"

/* A value for COPY's text format: backslash escapes, \N for NULL. */
static void copy_field(Octstr *row, Octstr *value)
{
    long i;

    if (octstr_len(row) > 0)
        octstr_append_char(row, '\t');
    if (value == NULL) {
        octstr_append_cstr(row, "\\N");
        return;
    }
    for (i = 0; i < octstr_len(value); i++) {
        int c = octstr_get_char(value, i);
        if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
            octstr_append_char(row, '\\');
            c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : c;
        }
        octstr_append_char(row, c);
    }
}

static void copy_long(Octstr *row, long value)
{
    Octstr *text = octstr_format("%ld", value);

    copy_field(row, text);
    octstr_destroy(text);
}

static void copy_bool(Octstr *row, int value)
{
    copy_field(row, value < 0 ? NULL : octstr_imm(value ? "t" : "f"));
}

/* The contact's phones as JSON: [{"type": "M", "number": "07700 900123"}]. */
static Octstr *phones_json(List *phones)
{
    Octstr *json = octstr_create("[");
    long i;

    for (i = 0; i < gwlist_len(phones); i++) {
        CtfPhone *phone = gwlist_get(phones, i);
        if (i > 0)
            octstr_append_cstr(json, ", ");
        octstr_append_cstr(json, "{\"type\": ");
        json_append_string(json, octstr_get_cstr(phone->type));
        octstr_append_cstr(json, ", \"number\": ");
        json_append_string(json, octstr_get_cstr(phone->number));
        octstr_append_char(json, '}');
    }
    octstr_append_char(json, ']');
    return json;
}

typedef struct Staging {
    PGconn *conn;
    long pupils;
    long contacts;
    Octstr *error; /* the database's, when a row could not be sent */
} Staging;

/* The pupil's part of a row: the same for each of its contacts. */
static Octstr *pupil_columns(Staging *staging, const CtfPupil *pupil)
{
    Octstr *row = octstr_create("");

    copy_long(row, staging->pupils);
    copy_field(row, pupil->upn);
    copy_long(row, pupil->line);
    return row;
}

static void contact_columns(Octstr *row, long seq, const CtfContact *contact)
{
    Octstr *phones = phones_json(contact->phones);

    copy_long(row, seq);
    copy_long(row, contact->line);
    copy_long(row, contact->order);
    copy_field(row, contact->title);
    copy_field(row, contact->forename);
    copy_field(row, contact->surname);
    copy_field(row, contact->relationship);
    copy_bool(row, contact->responsibility);
    copy_bool(row, contact->opt_out);
    copy_field(row, contact->email);
    copy_field(row, phones);
    octstr_destroy(phones);
}

static int send_row(Staging *staging, Octstr *row)
{
    octstr_append_char(row, '\n');
    if (PQputCopyData(staging->conn, octstr_get_cstr(row), octstr_len(row)) == 1)
        return 0;
    staging->error = db_error(staging->conn, NULL);
    return IMPORT_FAILED;
}

/* One pupil into COPY: a row per contact, or one row with none. */
static int stage_pupil(const CtfPupil *pupil, void *context)
{
    Staging *staging = context;
    Octstr *prefix, *row;
    long i;
    int status = 0;

    staging->pupils++;
    prefix = pupil_columns(staging, pupil);
    for (i = 0; status == 0 && i < gwlist_len(pupil->contacts); i++) {
        row = octstr_duplicate(prefix);
        contact_columns(row, ++staging->contacts, gwlist_get(pupil->contacts, i));
        status = send_row(staging, row);
        octstr_destroy(row);
    }
    if (status == 0 && gwlist_len(pupil->contacts) == 0) {
        row = octstr_duplicate(prefix);
        octstr_append_cstr(row, "\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N");
        status = send_row(staging, row);
        octstr_destroy(row);
    }
    octstr_destroy(prefix);
    return status;
}

static const char copy_sql[] =
    "copy pg_temp.ctf_contact (pupil_seq, upn, pupil_line, contact_seq, line, ord, title, "
    "forename, surname, relationship, responsibility, opt_out, email, phones) from stdin";

/* End the COPY; ABORT names why it is abandoned (NULL: it is complete). */
static int end_copy(PGconn *conn, const char *abort, Octstr **error)
{
    PGresult *result;
    int ok;

    if (PQputCopyEnd(conn, abort) != 1) {
        *error = db_error(conn, NULL);
        return -1;
    }
    result = PQgetResult(conn);
    ok = PQresultStatus(result) == PGRES_COMMAND_OK;
    if (!ok && abort == NULL)
        *error = db_error(conn, result);
    PQclear(result);
    while ((result = PQgetResult(conn)) != NULL)
        PQclear(result);
    return ok ? 0 : -1;
}

/* Read the file into the staging table: IMPORT_DONE or another outcome. */
static int stage_file(PGconn *conn, const char *path, Octstr **error)
{
    Staging staging = {conn, 0, 0, NULL};
    PGresult *result;
    int status;

    if (db_command(conn, "select absence.open_contact_staging()", 0, NULL, error) < 0)
        return IMPORT_FAILED;
    result = PQexec(conn, copy_sql);
    if (PQresultStatus(result) != PGRES_COPY_IN) {
        *error = db_error(conn, result);
        PQclear(result);
        return IMPORT_FAILED;
    }
    PQclear(result);
    status = ctf_read_file(path, stage_pupil, &staging, error);
    if (status == 0)
        return end_copy(conn, NULL, error) == 0 ? IMPORT_DONE : IMPORT_FAILED;
    end_copy(conn, "the file was refused", error);
    if (status == IMPORT_FAILED) {
        *error = staging.error;
        return IMPORT_FAILED;
    }
    return IMPORT_BAD_FILE;
}

Octstr *contact_import_sha256(const char *path, Octstr **error)
{
    unsigned char digest[EVP_MAX_MD_SIZE], buffer[65536];
    unsigned int length = 0, i;
    EVP_MD_CTX *context;
    Octstr *hex;
    FILE *file = fopen(path, "rb");
    size_t n;

    if (file == NULL) {
        *error = octstr_format("%s: cannot read: %s", path, strerror(errno));
        return NULL;
    }
    context = EVP_MD_CTX_new();
    EVP_DigestInit_ex(context, EVP_sha256(), NULL);
    while ((n = fread(buffer, 1, sizeof(buffer), file)) > 0)
        EVP_DigestUpdate(context, buffer, n);
    EVP_DigestFinal_ex(context, digest, &length);
    EVP_MD_CTX_free(context);
    if (ferror(file)) {
        *error = octstr_format("%s: cannot read: %s", path, strerror(errno));
        fclose(file);
        return NULL;
    }
    fclose(file);
    hex = octstr_create("");
    for (i = 0; i < length; i++)
        octstr_format_append(hex, "%02x", digest[i]);
    return hex;
}

/* Apply the staged file (rolled back for a dry run) and record the run. */
static int apply(PGconn *conn, Octstr *policy_settings, const char *path, Octstr *sha, int dry_run,
                 Octstr *actor, long *import_id, Octstr **error)
{
    const char *values[5];
    PGresult *counts, *record;

    values[0] = octstr_get_cstr(policy_settings);
    if (db_command(conn, "savepoint before_import", 0, NULL, error) < 0)
        return IMPORT_FAILED;
    counts = db_query(conn, "select absence.import_contacts(absence.policy_settings($1::jsonb))", 1,
                      values, error);
    if (counts == NULL)
        return IMPORT_FAILED;
    if (dry_run && db_command(conn, "rollback to savepoint before_import", 0, NULL, error) < 0) {
        PQclear(counts);
        return IMPORT_FAILED;
    }
    values[0] = path;
    values[1] = octstr_get_cstr(sha);
    values[2] = octstr_get_cstr(actor);
    values[3] = dry_run ? "true" : "false";
    values[4] = PQgetvalue(counts, 0, 0);
    record = db_query(conn,
                      "select absence.record_contact_import($1, $2, $3, $4::boolean, $5::jsonb) "
                      "as import_id",
                      5, values, error);
    PQclear(counts);
    if (record == NULL)
        return IMPORT_FAILED;
    *import_id = db_long(record, 0, "import_id");
    PQclear(record);
    return IMPORT_DONE;
}

/* The transaction the import runs in: its own, or a savepoint of the
 * caller's (a test's, which rolls it back). */
static int open_work(PGconn *conn, int own, Octstr **error)
{
    return db_command(conn, own ? "begin" : "savepoint contact_import", 0, NULL, error);
}

static int close_work(PGconn *conn, int own, int status, Octstr **error)
{
    if (status == IMPORT_DONE &&
        db_command(conn, own ? "commit" : "release savepoint contact_import", 0, NULL, error) < 0)
        status = IMPORT_FAILED;
    if (status != IMPORT_DONE)
        PQclear(PQexec(conn, own ? "rollback" : "rollback to savepoint contact_import"));
    return status;
}

int contact_import(PGconn *conn, Octstr *policy_settings, const char *path, int dry_run,
                   Octstr *actor, long *import_id, Octstr **error)
{
    int own = PQtransactionStatus(conn) == PQTRANS_IDLE;
    Octstr *sha = NULL;
    int status;

    if (open_work(conn, own, error) < 0)
        return IMPORT_FAILED;
    status = stage_file(conn, path, error);
    if (status == IMPORT_DONE && (sha = contact_import_sha256(path, error)) == NULL)
        status = IMPORT_BAD_FILE;
    if (status == IMPORT_DONE)
        status = apply(conn, policy_settings, path, sha, dry_run, actor, import_id, error);
    octstr_destroy(sha);
    return close_work(conn, own, status, error);
}
