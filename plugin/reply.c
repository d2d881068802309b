/*
 * reply.c - storing parents' replies (see reply.h).
 */
#include "gw/sms.h"

#include "message.h"
#include "policy.h"
#include "reply.h"

int reply_is_incoming(Msg *msg)
{
    return msg_type(msg) == sms && msg->sms.sms_type == mo;
}

/* Length of the valid UTF-8 sequence at S[i] (no overlongs, surrogates or
 * code points past U+10FFFF), or 0 when there is none. */
static long utf8_sequence(const unsigned char *s, long i, long len)
{
    unsigned char c = s[i];
    long need, k;
    unsigned long cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 2, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 3, cp = c & 0x07;
    else
        return 0;
    if (i + need >= len)
        return 0;
    for (k = 1; k <= need; k++) {
        if ((s[i + k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return need + 1;
}

static int is_utf8(Octstr *text)
{
    const unsigned char *s = (const unsigned char *)octstr_get_cstr(text);
    long len = octstr_len(text), i = 0, n;

    while (i < len) {
        n = utf8_sequence(s, i, len);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

/* Replace each NUL with U+FFFD. */
static void replace_nul(Octstr *text)
{
    long at;

    while ((at = octstr_search_char(text, 0, 0)) >= 0) {
        octstr_delete(text, at, 1);
        octstr_insert_data(text, at, "\xEF\xBF\xBD", 3);
    }
}

Octstr *reply_body_text(Msg *msg)
{
    Octstr *body = msg->sms.msgdata ? octstr_duplicate(msg->sms.msgdata) : octstr_create("");

    if (msg->sms.coding == DC_UCS2 && charset_convert(body, "UTF-16BE", "UTF-8") != 0) {
        octstr_destroy(body);
        body = octstr_duplicate(msg->sms.msgdata);
    }
    if (!is_utf8(body))
        charset_convert(body, "ISO-8859-1", "UTF-8");
    replace_nul(body);
    return body;
}

/* The eight columns of a reply batch, as parallel arrays. */
enum { MESSAGE_ID, RECEIVED_AT, SENDER, RECEIVER, BODY, CODING, RAW, SMSC_ID, REPLY_COLUMNS };

static void add_reply(List **columns, Msg *msg)
{
    Octstr *raw = msg->sms.msgdata ? octstr_duplicate(msg->sms.msgdata) : octstr_create("");

    octstr_binary_to_hex(raw, 0);
    gwlist_append(columns[MESSAGE_ID], message_id_text(msg));
    gwlist_append(columns[RECEIVED_AT], octstr_format("%ld", msg->sms.time));
    gwlist_append(columns[SENDER], db_text_or_null(msg->sms.sender));
    gwlist_append(columns[RECEIVER], db_text_or_null(msg->sms.receiver));
    gwlist_append(columns[BODY], reply_body_text(msg));
    gwlist_append(columns[CODING], octstr_format("%ld", msg->sms.coding));
    gwlist_append(columns[RAW], raw);
    gwlist_append(columns[SMSC_ID], db_text_or_null(msg->sms.smsc_id));
}

int reply_store_batch(PGconn *conn, const AbsenceConfig *config, List *replies, ReplyCounts *counts,
                      Octstr **error)
{
    static const char sql[] =
        "select * from absence.receive_replies(" POLICY_SETTINGS_SQL ", $2, $3::uuid[], "
        "$4::bigint[], $5::text[], $6::text[], $7::text[], $8::integer[], $9::text[], "
        "$10::text[])";
    List *columns[REPLY_COLUMNS];
    const char *fixed[2] = {octstr_get_cstr(config->policy_settings),
                            octstr_get_cstr(config->box.id)};
    PGresult *rows;
    long i;

    for (i = 0; i < REPLY_COLUMNS; i++)
        columns[i] = gwlist_create();
    for (i = 0; i < gwlist_len(replies); i++)
        add_reply(columns, gwlist_get(replies, i));
    rows = db_query_columns(conn, sql, 2, fixed, columns, REPLY_COLUMNS, error);
    if (rows == NULL)
        return -1;
    counts->received = db_long(rows, 0, "received");
    counts->duplicates = db_long(rows, 0, "duplicates");
    counts->matched = db_long(rows, 0, "matched");
    counts->unmatched = db_long(rows, 0, "unmatched");
    counts->opted_out = db_long(rows, 0, "opted_out");
    counts->opted_in = db_long(rows, 0, "opted_in");
    PQclear(rows);
    return 0;
}
