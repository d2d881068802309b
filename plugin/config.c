/*
 * config.c - reading and validating absencebox.conf (see config.h).
 *
 * gwlib's cfg does the parsing, extended with hooks generated from
 * config.def. The hooks accept every key so that cfg_read() never logs
 * errors of its own; they note what config.def does not declare, and
 * config_load() turns the first such note into one clear line with the
 * line number conf_file.c finds for it.
 */
#include <ctype.h>
#include <sys/stat.h>

#include "config.h"
#include "conf_file.h"
#include "gsm.h"
#include "json.h"
#include "template.h"

/*
 * Keys and groups the hooks saw that config.def does not declare. Set only
 * while config_load() runs cfg_read(): start-up, single-threaded.
 */
typedef struct Undeclared {
    Octstr *group;
    Octstr *key; /* NULL when the whole group is unknown */
} Undeclared;

static List *undeclared;
static int hooks_added;

static void note_undeclared(Octstr *group, Octstr *key)
{
    Undeclared *note;
    long i;

    if (undeclared == NULL)
        return;
    for (i = 0; key == NULL && i < gwlist_len(undeclared); i++) {
        note = gwlist_get(undeclared, i);
        if (note->key == NULL && octstr_compare(note->group, group) == 0)
            return;
    }
    note = gw_malloc(sizeof(*note));
    note->group = octstr_duplicate(group);
    note->key = octstr_duplicate(key);
    gwlist_append(undeclared, note);
}

static void undeclared_destroy(void *item)
{
    Undeclared *note = item;

    octstr_destroy(note->group);
    octstr_destroy(note->key);
    gw_free(note);
}

#define KEY_MATCH(key)                                                                             \
    if (octstr_str_compare(variable, #key) == 0)                                                   \
        return 1;
#define KEY_TEXT(key, field, dflt) KEY_MATCH(key)
#define KEY_REQUIRED(key, field) KEY_MATCH(key)
#define KEY_INT(key, field, dflt, min, max) KEY_MATCH(key)
#define KEY_BOOL(key, field, dflt) KEY_MATCH(key)
#define KEY_CLOCK(key, field, dflt) KEY_MATCH(key)
#define KEY_LIST(key, field, dflt) KEY_MATCH(key)
#define SINGLE_GROUP(name, type, keys)                                                             \
    if (octstr_str_compare(group, #name) == 0) {                                                   \
        if (octstr_str_compare(variable, "group") == 0)                                            \
            return 1;                                                                              \
        keys note_undeclared(group, variable);                                                     \
        return 1;                                                                                  \
    }
#define MULTI_GROUP SINGLE_GROUP

static int absence_is_allowed_in_group(Octstr *group, Octstr *variable)
{
#include "config.def"
    note_undeclared(group, NULL);
    return 1;
}

#define CONFIG_DEF_SKIP_KEYS
#define SINGLE_GROUP(name, type, keys)                                                             \
    if (octstr_str_compare(query, #name) == 0)                                                     \
        return 1;
#define MULTI_GROUP(name, type, keys)

static int absence_is_single_group(Octstr *query)
{
#include "config.def"
    return 0;
}

/* ---- defaults, from config.def ------------------------------------------ */

/* "HH:MM" as minutes after midnight, or -1. */
static long parse_clock(Octstr *text)
{
    const char *s = octstr_get_cstr(text);
    int hours, minutes;

    if (octstr_len(text) != 5 || !gw_isdigit(s[0]) || !gw_isdigit(s[1]) || s[2] != ':' ||
        !gw_isdigit(s[3]) || !gw_isdigit(s[4]))
        return -1;
    hours = (s[0] - '0') * 10 + (s[1] - '0');
    minutes = (s[3] - '0') * 10 + (s[4] - '0');
    if (hours > 23 || minutes > 59)
        return -1;
    return hours * 60 + minutes;
}

/* The words of TEXT, separated by commas, semicolons or blanks. */
static List *split_list(const char *text)
{
    Octstr *value = octstr_create(text);
    List *words;

    octstr_replace(value, octstr_imm(","), octstr_imm(" "));
    octstr_replace(value, octstr_imm(";"), octstr_imm(" "));
    words = octstr_split_words(value);
    octstr_destroy(value);
    return words;
}

#define KEY_TEXT(key, field, dflt) out->field = (dflt) != NULL ? octstr_create(dflt) : NULL;
#define KEY_REQUIRED(key, field) out->field = NULL;
#define KEY_INT(key, field, dflt, min, max) out->field = (dflt);
#define KEY_BOOL(key, field, dflt) out->field = (dflt);
#define KEY_CLOCK(key, field, dflt) out->field = parse_clock(octstr_imm(dflt));
#define KEY_LIST(key, field, dflt) out->field = split_list(dflt);
#define SINGLE_GROUP(name, type, keys)                                                             \
    static void defaults_##type(type *out)                                                         \
    {                                                                                              \
        keys                                                                                       \
    }
#define MULTI_GROUP SINGLE_GROUP
#include "config.def"

/* ---- typed readers: the file's value, where it gives one, replaces the
 * default ---------------------------------------------------------------- */

typedef struct Reader {
    Octstr *path;
    ConfFile *file;
    CfgGroup *grp;
    const char *group;
    Octstr *group_id; /* for multi groups, to find the right block */
    Octstr *error;
} Reader;

static int reader_fail(Reader *r, const char *key, const char *fmt, ...)
{
    long line = conf_file_line(r->file, r->group, r->group_id, key);
    Octstr *what;
    va_list args;

    if (line == 0)
        line = conf_file_line(r->file, r->group, r->group_id, NULL);
    va_start(args, fmt);
    what = octstr_format_valist(fmt, args);
    va_end(args);
    r->error =
        octstr_format("%S:%ld: group '%s', key '%s': %S", r->path, line, r->group, key, what);
    octstr_destroy(what);
    return -1;
}

static int read_text(Reader *r, const char *key, Octstr **out)
{
    Octstr *value = cfg_get(r->grp, octstr_imm(key));

    if (value != NULL) {
        octstr_destroy(*out);
        *out = value;
    }
    return 0;
}

static int read_required(Reader *r, const char *key, Octstr **out)
{
    *out = cfg_get(r->grp, octstr_imm(key));
    if (*out == NULL || octstr_len(*out) == 0)
        return reader_fail(r, key, "is required and has no value: add '%s = ...'", key);
    return 0;
}

static int read_int(Reader *r, const char *key, long *out, long min, long max)
{
    Octstr *value = cfg_get(r->grp, octstr_imm(key));
    int ok;

    if (value == NULL)
        return 0;
    ok = octstr_len(value) > 0 && octstr_len(value) <= 9 &&
         octstr_check_range(value, 0, octstr_len(value), gw_isdigit);
    if (ok)
        *out = strtol(octstr_get_cstr(value), NULL, 10);
    if (!ok || *out < min || *out > max) {
        reader_fail(r, key, "'%S' is not a whole number from %ld to %ld", value, min, max);
        octstr_destroy(value);
        return -1;
    }
    octstr_destroy(value);
    return 0;
}

static int read_bool(Reader *r, const char *key, int *out)
{
    static const char *const truths[] = {"true", "yes", "on", "1"};
    static const char *const falsehoods[] = {"false", "no", "off", "0"};
    Octstr *value = cfg_get(r->grp, octstr_imm(key));
    int i;

    if (value == NULL)
        return 0;
    for (i = 0; i < 4; i++) {
        if (octstr_str_case_compare(value, truths[i]) == 0)
            *out = 1;
        else if (octstr_str_case_compare(value, falsehoods[i]) == 0)
            *out = 0;
        else
            continue;
        octstr_destroy(value);
        return 0;
    }
    reader_fail(r, key, "'%S' is not true or false", value);
    octstr_destroy(value);
    return -1;
}

static int read_clock(Reader *r, const char *key, long *out)
{
    Octstr *value = cfg_get(r->grp, octstr_imm(key));

    if (value == NULL)
        return 0;
    *out = parse_clock(value);
    if (*out < 0) {
        reader_fail(r, key, "'%S' is not a time of day as HH:MM (24-hour, e.g. \"19:00\")", value);
        octstr_destroy(value);
        return -1;
    }
    octstr_destroy(value);
    return 0;
}

/* An empty list is allowed here, and refused by the checks of the keys
 * that need one. */
static int read_list(Reader *r, const char *key, List **out)
{
    Octstr *value = cfg_get(r->grp, octstr_imm(key));

    if (value != NULL) {
        gwlist_destroy(*out, octstr_destroy_item);
        *out = split_list(octstr_get_cstr(value));
        octstr_destroy(value);
    }
    return 0;
}

/* ---- per-group readers and destructors, from config.def --------------- */

#define READ(call)                                                                                 \
    if (call < 0)                                                                                  \
        return -1;
#define KEY_TEXT(key, field, dflt) READ(read_text(r, #key, &out->field))
#define KEY_REQUIRED(key, field) READ(read_required(r, #key, &out->field))
#define KEY_INT(key, field, dflt, min, max) READ(read_int(r, #key, &out->field, min, max))
#define KEY_BOOL(key, field, dflt) READ(read_bool(r, #key, &out->field))
#define KEY_CLOCK(key, field, dflt) READ(read_clock(r, #key, &out->field))
#define KEY_LIST(key, field, dflt) READ(read_list(r, #key, &out->field))
/* The group's defaults first; what it leaves allocated on a failure, its
 * destroy_ frees. */
#define SINGLE_GROUP(name, type, keys)                                                             \
    static int read_##type(Reader *r, type *out)                                                   \
    {                                                                                              \
        defaults_##type(out);                                                                      \
        keys return 0;                                                                             \
    }
#define MULTI_GROUP SINGLE_GROUP
#include "config.def"
#undef READ

#define KEY_TEXT(key, field, dflt) octstr_destroy(settings->field);
#define KEY_REQUIRED(key, field) octstr_destroy(settings->field);
#define KEY_INT(key, field, dflt, min, max)
#define KEY_BOOL(key, field, dflt)
#define KEY_CLOCK(key, field, dflt)
#define KEY_LIST(key, field, dflt) gwlist_destroy(settings->field, octstr_destroy_item);
#define SINGLE_GROUP(name, type, keys)                                                             \
    static void destroy_##type(type *settings)                                                     \
    {                                                                                              \
        keys memset(settings, 0, sizeof(*settings));                                               \
    }
#define MULTI_GROUP SINGLE_GROUP
#include "config.def"

void config_box_defaults(BoxSettings *box)
{
    defaults_BoxSettings(box);
}

void config_box_destroy(BoxSettings *box)
{
    destroy_BoxSettings(box);
}

/* ---- the policy's settings as JSON ------------------------------------ */

static void json_list(Octstr *json, List *words)
{
    long i;

    octstr_append_char(json, '[');
    for (i = 0; i < gwlist_len(words); i++) {
        if (i > 0)
            octstr_append_cstr(json, ", ");
        json_append_string(json, octstr_get_cstr(gwlist_get(words, i)));
    }
    octstr_append_char(json, ']');
}

/* One member per POLICY_ key of group absencebox, named by its key. */
#define CONFIG_DEF_SKIP_KEYS
#define POLICY_TEXT(key, field, dflt)                                                              \
    json_append_name(json, #key);                                                                  \
    if (box->field == NULL)                                                                        \
        octstr_append_cstr(json, "null");                                                          \
    else                                                                                           \
        json_append_string(json, octstr_get_cstr(box->field));
#define POLICY_INT(key, field, dflt, min, max)                                                     \
    json_append_name(json, #key);                                                                  \
    octstr_format_append(json, "%ld", box->field);
#define POLICY_BOOL(key, field, dflt)                                                              \
    json_append_name(json, #key);                                                                  \
    octstr_append_cstr(json, box->field ? "true" : "false");
#define POLICY_CLOCK(key, field, dflt)                                                             \
    json_append_name(json, #key);                                                                  \
    octstr_format_append(json, "\"%02ld:%02ld\"", box->field / 60, box->field % 60);
#define POLICY_LIST(key, field, dflt)                                                              \
    json_append_name(json, #key);                                                                  \
    json_list(json, box->field);
#define SINGLE_GROUP(name, type, keys) keys
#define MULTI_GROUP(name, type, keys)

Octstr *config_policy_json(const BoxSettings *box)
{
    Octstr *json = octstr_create("{");

#include "config.def"
    octstr_append_char(json, '}');
    return json;
}

void config_destroy(AbsenceConfig *config)
{
    if (config == NULL)
        return;
    octstr_destroy(config->path);
    destroy_BoxSettings(&config->box);
    destroy_PgsqlSettings(&config->db);
    octstr_destroy(config->policy_settings);
    gw_free(config);
}

/* ---- checks on values that need more than a type ---------------------- */

static int timezone_exists(Octstr *zone)
{
    const char *dir = getenv("TZDIR") != NULL ? getenv("TZDIR") : "/usr/share/zoneinfo";
    Octstr *file;
    struct stat st;
    long i;
    int found;

    if (octstr_len(zone) == 0 || octstr_get_char(zone, 0) == '/' ||
        octstr_search(zone, octstr_imm(".."), 0) >= 0)
        return 0;
    for (i = 0; i < octstr_len(zone); i++) {
        int c = octstr_get_char(zone, i);
        if (!isalnum(c) && strchr("/_+-", c) == NULL)
            return 0;
    }
    file = octstr_format("%s/%S", dir, zone);
    found = stat(octstr_get_cstr(file), &st) == 0 && S_ISREG(st.st_mode);
    octstr_destroy(file);
    return found;
}

static int check_timezone(Reader *r, AbsenceConfig *config)
{
    if (timezone_exists(config->box.timezone))
        return 0;
    return reader_fail(r, "timezone",
                       "'%S' is not a known time zone: use a name such as "
                       "\"Europe/London\" (see /usr/share/zoneinfo)",
                       config->box.timezone);
}

/* A mark the database would refuse (blank, lower case: migration 010's
 * attendance_mark_code_usable) could never match a register: refused here. */
static int check_marks(Reader *r, BoxSettings *box)
{
    long i;

    if (gwlist_len(box->absent_marks) == 0)
        return reader_fail(r, "absent-marks",
                           "lists no mark: give the register codes that "
                           "mean absent, separated by commas, e.g. \"O\"");
    for (i = 0; i < gwlist_len(box->absent_marks); i++) {
        Octstr *mark = gwlist_get(box->absent_marks, i), *upper = octstr_duplicate(mark);
        int same;

        octstr_convert_range(upper, 0, octstr_len(upper), toupper);
        same = octstr_compare(mark, upper) == 0;
        octstr_destroy(upper);
        if (!same || octstr_search_char(mark, ' ', 0) >= 0)
            return reader_fail(r, "absent-marks",
                               "'%S' is not a register code the database accepts: codes are "
                               "upper case, without blanks (\"O\", not \"o\")",
                               mark);
    }
    return 0;
}

static int check_sender(Reader *r, Octstr *sender)
{
    long len = octstr_len(sender);
    long start = octstr_get_char(sender, 0) == '+' ? 1 : 0;

    if (len > start && octstr_check_range(sender, start, len - start, gw_isdigit)) {
        if (len - start > 15)
            return reader_fail(r, "sender", "a numeric sender has at most 15 digits");
        return 0;
    }
    if (len > 11)
        return reader_fail(r, "sender",
                           "'%S' has %ld characters: a name shown as the sender "
                           "has at most 11",
                           sender, len);
    for (start = 0; start < len; start++) {
        int c = octstr_get_char(sender, start);
        if (!isalnum(c) && c != ' ')
            return reader_fail(r, "sender", "'%S' may hold only letters, digits and spaces",
                               sender);
    }
    return 0;
}

static int check_link(Reader *r, AbsenceConfig *config)
{
    Octstr *link = config->box.report_link;
    const char *user =
        template_uses_link(config->box.message_template, TEMPLATE_ABSENCE)   ? "message-template"
        : template_uses_link(config->box.concern_template, TEMPLATE_CONCERN) ? "concern-template"
                                                                             : NULL;
    long i;

    if (user == NULL)
        return 0;
    if (link == NULL || octstr_len(link) == 0)
        return reader_fail(r, "report-link",
                           "is required because %s contains "
                           "{link}: set it to the college's record-an-absence link",
                           user);
    for (i = 0; i < octstr_len(link); i++) {
        int c = octstr_get_char(link, i);
        if (isspace(c) || c == '{' || c == '}')
            return reader_fail(r, "report-link", "may not contain spaces or braces");
    }
    return 0;
}

/* A template's text for the longest student ID allowed for (and, for a
 * concern, a three-digit number of days). */
static Octstr *longest_text(AbsenceConfig *config, TemplateKind kind)
{
    Octstr *id = octstr_create(""), *text;
    int i;

    for (i = 0; i < TEMPLATE_MAX_STUDENT_ID; i++)
        octstr_append_char(id, 'X');
    if (kind == TEMPLATE_CONCERN)
        text =
            template_render_concern(config->box.concern_template, id, 999, config->box.report_link);
    else
        text = template_render(config->box.message_template, id, octstr_imm("23:59"),
                               config->box.report_link);
    octstr_destroy(id);
    return text;
}

/* Check a template and hold its longest text to the budget: max-segments
 * for absence texts, one segment for concern texts. */
static int check_template(Reader *r, AbsenceConfig *config, TemplateKind kind)
{
    const char *key = kind == TEMPLATE_CONCERN ? "concern-template" : "message-template";
    Octstr *template =
        kind == TEMPLATE_CONCERN ? config->box.concern_template : config->box.message_template;
    long segments = kind == TEMPLATE_CONCERN ? 1 : config->box.max_segments;
    long septets, units, max_septets, max_units;
    Octstr *text, *error = NULL;

    if (template_check(template, kind, &error) < 0) {
        reader_fail(r, key, "%S", error);
        octstr_destroy(error);
        return -1;
    }
    text = longest_text(config, kind);
    septets = gsm_septet_count(text);
    units = gsm_ucs2_units(text);
    octstr_destroy(text);
    max_septets = gsm_septet_budget(segments);
    max_units = config->box.allow_ucs2 ? gsm_ucs2_budget(segments) : 0;
    if (septets < 0 && !config->box.allow_ucs2)
        return reader_fail(r, key,
                           "uses a character outside the GSM 7-bit "
                           "alphabet (it or report-link): use plain characters, or set "
                           "allow-ucs2 = true to send UCS-2 texts");
    if (septets > max_septets || (septets < 0 && units > max_units))
        return reader_fail(r, key,
                           "a text for a %d-character student ID would "
                           "take %ld %s, more than %ld SMS segment(s) hold: shorten the text%s",
                           TEMPLATE_MAX_STUDENT_ID, septets < 0 ? units : septets,
                           septets < 0 ? "UCS-2 characters" : "GSM septets", segments,
                           kind == TEMPLATE_CONCERN ? " (a concern text is one SMS)"
                                                    : " or raise max-segments");
    return 0;
}

/* 1 when WORD is in LIST, case ignored. */
static int word_listed(List *list, Octstr *word)
{
    long i;

    for (i = 0; i < gwlist_len(list); i++)
        if (octstr_case_compare(gwlist_get(list, i), word) == 0)
            return 1;
    return 0;
}

/* Stop and start words: some of each, none in both lists. */
static int check_reply_words(Reader *r, BoxSettings *box)
{
    long i;

    if (gwlist_len(box->stop_words) == 0)
        return reader_fail(r, "stop-words",
                           "lists no word: parents must be able to stop the texts (default "
                           "\"STOP;UNSUBSCRIBE\")");
    if (gwlist_len(box->start_words) == 0)
        return reader_fail(r, "start-words",
                           "lists no word: the stop confirmation tells parents how to undo it "
                           "(default \"START\")");
    for (i = 0; i < gwlist_len(box->start_words); i++)
        if (word_listed(box->stop_words, gwlist_get(box->start_words, i)))
            return reader_fail(r, "start-words", "'%S' is a stop word too: a word does one thing",
                               gwlist_get(box->start_words, i));
    return 0;
}

/* A confirmation template: its placeholder, and one SMS once its word is in. */
static int check_confirmation(Reader *r, BoxSettings *box, TemplateKind kind)
{
    const char *key =
        kind == TEMPLATE_STOP_CONFIRMATION ? "stop-confirmation" : "start-confirmation";
    Octstr *template =
        kind == TEMPLATE_STOP_CONFIRMATION ? box->stop_confirmation : box->start_confirmation;
    List *words = kind == TEMPLATE_STOP_CONFIRMATION ? box->start_words : box->stop_words;
    Octstr *text, *error = NULL;
    long septets, units;

    if (template_check(template, kind, &error) < 0) {
        reader_fail(r, key, "%S", error);
        octstr_destroy(error);
        return -1;
    }
    text = template_render_confirmation(template, kind, gwlist_get(words, 0));
    septets = gsm_septet_count(text);
    units = gsm_ucs2_units(text);
    octstr_destroy(text);
    if (septets < 0 && !box->allow_ucs2)
        return reader_fail(r, key,
                           "uses a character outside the GSM 7-bit alphabet: use plain "
                           "characters, or set allow-ucs2 = true");
    if (septets > gsm_septet_budget(1) || (septets < 0 && units > gsm_ucs2_budget(1)))
        return reader_fail(r, key, "takes %ld %s, more than one SMS holds: shorten it",
                           septets < 0 ? units : septets,
                           septets < 0 ? "UCS-2 characters" : "GSM septets");
    return 0;
}

static int check_replies(Reader *r, BoxSettings *box)
{
    if (check_reply_words(r, box) < 0)
        return -1;
    if (box->earliest_confirmation_minute >= box->latest_send_minute)
        return reader_fail(r, "earliest-confirmation-time",
                           "%02ld:%02ld is not before latest-send-time (%02ld:%02ld): no "
                           "confirmation could ever be sent",
                           box->earliest_confirmation_minute / 60,
                           box->earliest_confirmation_minute % 60, box->latest_send_minute / 60,
                           box->latest_send_minute % 60);
    return check_confirmation(r, box, TEMPLATE_STOP_CONFIRMATION) < 0 ||
                   check_confirmation(r, box, TEMPLATE_START_CONFIRMATION) < 0
               ? -1
               : 0;
}

static int check_admin(Reader *r, BoxSettings *box)
{
    if (box->admin_port == 0)
        return 0;
    if (box->admin_password == NULL || octstr_len(box->admin_password) == 0)
        return reader_fail(r, "admin-password",
                           "is required when admin-port is set: the admin "
                           "interface answers only requests that give it");
    return 0;
}

static int check_box(Reader *r, AbsenceConfig *config)
{
    BoxSettings *box = &config->box;

    if (check_admin(r, box) < 0)
        return -1;
    if (octstr_len(box->id) == 0)
        return reader_fail(r, "id", "may not be empty: bearerbox routes reports by it");
    if (check_timezone(r, config) < 0 || check_marks(r, box) < 0)
        return -1;
    if (box->max_lateness_s <= box->send_delay_s)
        return reader_fail(r, "max-lateness",
                           "%ld is not after send-delay (%ld): no text "
                           "could ever be sent",
                           box->max_lateness_s, box->send_delay_s);
    if (octstr_len(box->student_status_pattern) == 0)
        return reader_fail(r, "student-status-pattern", "may not be empty (default \"C__\")");
    if (octstr_str_compare(box->import_account_status, "unregistered") != 0 &&
        octstr_str_compare(box->import_account_status, "active") != 0)
        return reader_fail(r, "import-account-status",
                           "'%S' is neither \"unregistered\" (imported parents must still "
                           "register on the portal) nor \"active\" (texted straight away)",
                           box->import_account_status);
    if (box->concern_send_minute >= box->latest_send_minute)
        return reader_fail(r, "concern-send-time",
                           "%02ld:%02ld is not before latest-send-time (%02ld:%02ld): no "
                           "concern text could ever be sent",
                           box->concern_send_minute / 60, box->concern_send_minute % 60,
                           box->latest_send_minute / 60, box->latest_send_minute % 60);
    if (check_template(r, config, TEMPLATE_ABSENCE) < 0 ||
        check_template(r, config, TEMPLATE_CONCERN) < 0 || check_replies(r, box) < 0)
        return -1;
    return check_link(r, config) < 0 || check_sender(r, box->sender) < 0 ? -1 : 0;
}

/* ---- loading ----------------------------------------------------------- */

/* The undeclared note on the earliest line, as an error line; NULL if none. */
static Octstr *undeclared_error(Octstr *path, ConfFile *file)
{
    Undeclared *first = NULL;
    long first_line = 0, i;

    for (i = 0; i < gwlist_len(undeclared); i++) {
        Undeclared *note = gwlist_get(undeclared, i);
        long line = conf_file_line(file, octstr_get_cstr(note->group), NULL,
                                   note->key ? octstr_get_cstr(note->key) : "group");
        if (first == NULL || line < first_line)
            first = note, first_line = line;
    }
    if (first == NULL)
        return NULL;
    if (first->key == NULL)
        return octstr_format("%S:%ld: group '%S' does not belong in absencebox's configuration "
                             "(groups: absencebox, pgsql-connection)",
                             path, first_line, first->group);
    return octstr_format("%S:%ld: group '%S' has no key '%S': check its spelling against "
                         "conf/absencebox.conf",
                         path, first_line, first->group, first->key);
}

/* LIST's comma-separated items, blanks around each removed; none when
 * LIST is empty. */
static List *split_commas(Octstr *list)
{
    List *items = gwlist_create();
    long start = 0, comma;

    if (octstr_len(list) == 0)
        return items;
    do {
        Octstr *item;
        comma = octstr_search_char(list, ',', start);
        item = octstr_copy(list, start, (comma < 0 ? octstr_len(list) : comma) - start);
        octstr_strip_blanks(item);
        gwlist_append(items, item);
        start = comma + 1;
    } while (comma >= 0);
    return items;
}

/* ITEMS joined again by commas, as libpq reads a multi-host list. */
static Octstr *join_commas(List *items)
{
    Octstr *joined = octstr_create("");
    long i;

    for (i = 0; i < gwlist_len(items); i++) {
        if (i > 0)
            octstr_append_char(joined, ',');
        octstr_append(joined, gwlist_get(items, i));
    }
    return joined;
}

static int is_port(Octstr *port)
{
    long len = octstr_len(port);

    return len > 0 && len <= 5 && octstr_check_range(port, 0, len, gw_isdigit) &&
           strtol(octstr_get_cstr(port), NULL, 10) <= 65535;
}

/*
 * host and port in libpq's multi-host form: several hosts separated by
 * commas, and one port for all of them or one per host in the same order.
 * Each list is written back without blanks around its commas; a port 0 (or
 * an empty one in a list) is libpq's default port.
 */
static int check_hosts_and_ports(Reader *r, PgsqlSettings *db)
{
    List *hosts = split_commas(db->host), *ports = split_commas(db->port);
    long n_hosts = gwlist_len(hosts), n_ports = gwlist_len(ports), i;
    int failed = 0;

    for (i = 0; !failed && i < n_ports; i++) {
        Octstr *port = gwlist_get(ports, i);
        if (octstr_len(port) == 0 && n_ports > 1)
            continue;
        if (!is_port(port))
            failed =
                n_ports == 1
                    ? reader_fail(r, "port", "'%S' is not a whole number from 0 to 65535", db->port)
                    : reader_fail(r, "port", "'%S': '%S' is not a whole number from 0 to 65535",
                                  db->port, port);
        else if (strtol(octstr_get_cstr(port), NULL, 10) == 0)
            octstr_truncate(port, 0);
    }
    if (!failed && n_ports > 1 && n_ports != n_hosts)
        failed = reader_fail(r, "port",
                             "gives %ld ports for %ld hosts: give one port for every host, or "
                             "one per host in the order of host",
                             n_ports, n_hosts);
    if (!failed) {
        octstr_destroy(db->host);
        db->host = join_commas(hosts);
        octstr_destroy(db->port);
        db->port = join_commas(ports);
    }
    gwlist_destroy(hosts, octstr_destroy_item);
    gwlist_destroy(ports, octstr_destroy_item);
    return failed;
}

/* target-session-attrs: empty (libpq's default, any) or one of libpq's values. */
static int check_session_attrs(Reader *r, PgsqlSettings *db)
{
    static const char *const known[] = {"any",     "read-write", "read-only",
                                        "primary", "standby",    "prefer-standby"};
    size_t i;

    if (octstr_len(db->target_session_attrs) == 0)
        return 0;
    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (octstr_str_compare(db->target_session_attrs, known[i]) == 0)
            return 0;
    return reader_fail(r, "target-session-attrs",
                       "'%S' is not one of any, read-write, read-only, primary, standby, "
                       "prefer-standby (read-write: connect only to the primary)",
                       db->target_session_attrs);
}

static int check_database(Reader *r, PgsqlSettings *db)
{
    return check_hosts_and_ports(r, db) < 0 || check_session_attrs(r, db) < 0 ? -1 : 0;
}

/* Read the pgsql-connection group whose id is the box's pgsql-id. */
static int read_database(Reader *r, Cfg *cfg, AbsenceConfig *config)
{
    List *groups = cfg_get_multi_group(cfg, octstr_imm("pgsql-connection"));
    Octstr *wanted = config->box.pgsql_id;
    int found = 0, failed = 0;
    long i;

    for (i = 0; !found && !failed && i < gwlist_len(groups); i++) {
        Reader db = {r->path, r->file, gwlist_get(groups, i), "pgsql-connection", NULL, NULL};
        PgsqlSettings settings;
        db.group_id = cfg_get(db.grp, octstr_imm("id"));
        memset(&settings, 0, sizeof(settings));
        failed = read_PgsqlSettings(&db, &settings) < 0 || check_database(&db, &settings) < 0;
        found = !failed && octstr_compare(settings.id, wanted) == 0;
        if (found)
            config->db = settings;
        else
            destroy_PgsqlSettings(&settings);
        octstr_destroy(db.group_id);
        r->error = db.error;
    }
    gwlist_destroy(groups, NULL);
    if (failed)
        return -1;
    if (!found)
        return reader_fail(r, "pgsql-id",
                           "no 'group = pgsql-connection' has id '%S': add one "
                           "or correct pgsql-id",
                           wanted);
    return 0;
}

static int load_groups(Reader *r, Cfg *cfg, AbsenceConfig *config)
{
    r->grp = cfg_get_single_group(cfg, octstr_imm("absencebox"));
    if (r->grp == NULL) {
        r->error = octstr_format("%S: there is no 'group = absencebox' in this file", r->path);
        return -1;
    }
    if (read_BoxSettings(r, &config->box) < 0 || read_database(r, cfg, config) < 0 ||
        check_box(r, config) < 0)
        return -1;
    config->policy_settings = config_policy_json(&config->box);
    return 0;
}

AbsenceConfig *config_load(Octstr *path, Octstr **error)
{
    Reader r = {path, NULL, NULL, "absencebox", NULL, NULL};
    AbsenceConfig *config;
    Cfg *cfg;

    r.file = conf_file_read(path, error);
    if (r.file == NULL)
        return NULL;
    if (!hooks_added) {
        cfg_add_hooks(absence_is_allowed_in_group, absence_is_single_group);
        hooks_added = 1;
    }
    config = gw_malloc(sizeof(*config));
    memset(config, 0, sizeof(*config));
    config->path = octstr_duplicate(path);
    undeclared = gwlist_create();
    cfg = cfg_create(path);
    if (cfg_read(cfg) != 0)
        r.error = octstr_format("%S: Kannel's configuration parser rejected the file", path);
    else if ((r.error = undeclared_error(path, r.file)) == NULL)
        load_groups(&r, cfg, config);
    gwlist_destroy(undeclared, undeclared_destroy);
    undeclared = NULL;
    cfg_destroy(cfg);
    conf_file_destroy(r.file);
    if (r.error != NULL) {
        *error = r.error;
        config_destroy(config);
        return NULL;
    }
    return config;
}
