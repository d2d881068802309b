/*
 * test_config.c - reading absencebox.conf: defaults, the shipped example,
 * and a one-line error naming file, line, group and key for each mistake.
 */
#include <unistd.h>

#include "support.h"
#include "config.h"
#include "output.h"

/* Lines 1-4: the box group's required keys; extra box keys start on line 5. */
#define BOX_HEAD                                                                                   \
    "group = absencebox\n"                                                                         \
    "pgsql-id = db\n"                                                                              \
    "sender = College\n"                                                                           \
    "report-link = https://x.example/a\n"
#define DB_GROUP "\ngroup = pgsql-connection\nid = db\n"

static Octstr *box_with(const char *extra_box_lines)
{
    return octstr_format("%s%s%s", BOX_HEAD, extra_box_lines, DB_GROUP);
}

/* Load TEXT; the config, or NULL with *error (its path replaced by FILE). */
static AbsenceConfig *load(Octstr *text, Octstr **error)
{
    Octstr *path = test_write_temp(octstr_get_cstr(text));
    AbsenceConfig *config;

    *error = NULL;
    config = config_load(path, error);
    if (*error != NULL)
        octstr_replace(*error, path, octstr_imm("FILE"));
    unlink(octstr_get_cstr(path));
    octstr_destroy(path);
    octstr_destroy(text);
    return config;
}

static Octstr *load_error(Octstr *text)
{
    Octstr *error;
    AbsenceConfig *config = load(text, &error);

    if (config != NULL) {
        config_destroy(config);
        test_fail("the configuration loaded, but an error was expected");
    }
    return error;
}

static AbsenceConfig *load_ok(Octstr *text)
{
    Octstr *error;
    AbsenceConfig *config = load(text, &error);

    if (config == NULL)
        test_fail("configuration rejected: %s", octstr_get_cstr(error));
    return config;
}

static void test_minimal_file_gets_every_default(void **state)
{
    AbsenceConfig *config = load_ok(box_with(""));

    (void)state;
    assert_octstr_equal(octstr_duplicate(config->box.id), "absencebox");
    assert_octstr_equal(octstr_duplicate(config->box.bearerbox_host), "127.0.0.1");
    assert_int_equal(config->box.bearerbox_port, 13001);
    assert_octstr_equal(octstr_duplicate(config->box.timezone), "Europe/London");
    assert_int_equal(config->box.send_delay_s, 1200);
    assert_int_equal(config->box.max_lateness_s, 10800);
    assert_int_equal(config->box.latest_send_minute, 19 * 60);
    assert_int_equal(gwlist_len(config->box.absent_marks), 1);
    assert_octstr_equal(octstr_duplicate(gwlist_get(config->box.absent_marks, 0)), "O");
    assert_octstr_equal(octstr_duplicate(config->box.student_status_pattern), "C__");
    assert_octstr_equal(octstr_duplicate(config->box.message_template),
                        "Student {student_id} did not attend their lesson today at "
                        "{lesson_time}. If this is a genuine absence, please notify us here: "
                        "{link}");
    assert_octstr_equal(octstr_duplicate(config->box.smsc_id), "");
    assert_octstr_equal(octstr_duplicate(config->box.pastoral_category), "Absence text");
    assert_null(config->box.log_file);
    assert_int_equal(config->box.log_level, 0);
    assert_int_equal(config->box.allow_international, 0);
    assert_int_equal(config->box.max_segments, 1);
    assert_int_equal(config->box.allow_ucs2, 0);
    assert_int_equal(config->box.max_pending, 100);
    assert_int_equal(config->box.confirm_timeout_s, 600);
    assert_int_equal(config->box.plan_interval_s, 10);
    assert_int_equal(config->box.shutdown_timeout_s, 10);
    assert_octstr_equal(octstr_duplicate(config->db.host), "");
    assert_octstr_equal(octstr_duplicate(config->db.port), "");
    assert_octstr_equal(octstr_duplicate(config->db.target_session_attrs), "");
    config_destroy(config);
}

static void test_shipped_example_loads_with_its_documented_values(void **state)
{
    Octstr *error = NULL;
    Octstr *path = octstr_create(TESTS_DIR "/../conf/absencebox.conf");
    AbsenceConfig *config = config_load(path, &error);

    (void)state;
    octstr_destroy(path);
    if (config == NULL)
        test_fail("%s", octstr_get_cstr(error));
    assert_octstr_equal(octstr_duplicate(config->box.pgsql_id), "college-db");
    assert_octstr_equal(octstr_duplicate(config->box.sender), "College");
    assert_octstr_equal(octstr_duplicate(config->box.report_link), "https://tinyurl.com/runabs");
    assert_octstr_equal(octstr_duplicate(config->db.id), "college-db");
    assert_octstr_equal(octstr_duplicate(config->db.database), "college");
    assert_octstr_equal(octstr_duplicate(config->db.port), "5432");
    config_destroy(config);
}

static void test_values_are_read(void **state)
{
    AbsenceConfig *config = load_ok(box_with("send-delay = 600\n"
                                             "latest-send-time = \"18:30\"\n"
                                             "absent-marks = \"O, N,X\"\n"
                                             "allow-international = yes\n"
                                             "max-segments = 2\n"
                                             "timezone = America/New_York\n"));

    (void)state;
    assert_int_equal(config->box.send_delay_s, 600);
    assert_int_equal(config->box.latest_send_minute, 18 * 60 + 30);
    assert_int_equal(gwlist_len(config->box.absent_marks), 3);
    assert_octstr_equal(octstr_duplicate(gwlist_get(config->box.absent_marks, 2)), "X");
    assert_int_equal(config->box.allow_international, 1);
    assert_int_equal(config->box.max_segments, 2);
    assert_octstr_equal(octstr_duplicate(config->box.timezone), "America/New_York");
    config_destroy(config);
}

static void test_unknown_key_is_named_with_its_line(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(box_with("send-delay = 60\nsned-delay = 600\n")),
                        "FILE:6: group 'absencebox' has no key 'sned-delay': check its spelling "
                        "against conf/absencebox.conf");
}

static void test_unknown_key_in_pgsql_group(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(octstr_format("%s%s%s", BOX_HEAD, DB_GROUP, "dbname = x\n")),
                        "FILE:8: group 'pgsql-connection' has no key 'dbname': check its "
                        "spelling against conf/absencebox.conf");
}

static void test_unknown_group_is_named(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(octstr_format("%s%s\ngroup = smsbox\nsendsms-port = 13013\n",
                                                 BOX_HEAD, DB_GROUP)),
                        "FILE:9: group 'smsbox' does not belong in absencebox's configuration "
                        "(groups: absencebox, pgsql-connection)");
    assert_octstr_equal(
        load_error(octstr_format("%s%s\ngroup = absencebx\nid = x\n", BOX_HEAD, DB_GROUP)),
        "FILE:9: group 'absencebx' does not belong in absencebox's "
        "configuration (groups: absencebox, pgsql-connection)");
}

static void test_missing_required_key(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(octstr_create("group = absencebox\npgsql-id = db\n"
                                                 "report-link = x\n" DB_GROUP)),
                        "FILE:1: group 'absencebox', key 'sender': is required and has no "
                        "value: add 'sender = ...'");
}

static void test_missing_box_group(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(octstr_create("group = pgsql-connection\nid = db\n")),
                        "FILE: there is no 'group = absencebox' in this file");
}

static void test_malformed_number(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(box_with("send-delay = 20m\n")),
                        "FILE:5: group 'absencebox', key 'send-delay': '20m' is not a whole "
                        "number from 0 to 86400");
    assert_octstr_equal(load_error(box_with("bearerbox-port = 70000\n")),
                        "FILE:5: group 'absencebox', key 'bearerbox-port': '70000' is not a "
                        "whole number from 1 to 65535");
    assert_octstr_equal(load_error(box_with("max-lateness = -5\n")),
                        "FILE:5: group 'absencebox', key 'max-lateness': '-5' is not a whole "
                        "number from 1 to 172800");
}

static void test_malformed_number_in_pgsql_group(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(octstr_format("%s%s%s", BOX_HEAD, DB_GROUP, "port = abc\n")),
                        "FILE:8: group 'pgsql-connection', key 'port': 'abc' is not a whole "
                        "number from 0 to 65535");
}

/* libpq's multi-host form: several hosts, one port for all or one each. */
static void test_several_hosts_and_ports(void **state)
{
    AbsenceConfig *config;

    (void)state;
    config = load_ok(octstr_format("%s%s%s", BOX_HEAD, DB_GROUP,
                                   "host = \"db1.example, db2.example\"\n"
                                   "port = \"5432, 5433\"\n"
                                   "target-session-attrs = read-write\n"));
    assert_octstr_equal(octstr_duplicate(config->db.host), "db1.example,db2.example");
    assert_octstr_equal(octstr_duplicate(config->db.port), "5432,5433");
    assert_octstr_equal(octstr_duplicate(config->db.target_session_attrs), "read-write");
    config_destroy(config);
    config = load_ok(octstr_format("%s%s%s", BOX_HEAD, DB_GROUP, "host = a,b,c\nport = 6432\n"));
    assert_octstr_equal(octstr_duplicate(config->db.port), "6432");
    config_destroy(config);
    config = load_ok(octstr_format("%s%s%s", BOX_HEAD, DB_GROUP, "port = 0\n"));
    assert_octstr_equal(octstr_duplicate(config->db.port), "");
    config_destroy(config);
    assert_octstr_equal(
        load_error(octstr_format("%s%s%s", BOX_HEAD, DB_GROUP, "host = a,b\nport = 5432,x\n")),
        "FILE:9: group 'pgsql-connection', key 'port': '5432,x': 'x' is not a "
        "whole number from 0 to 65535");
    assert_octstr_equal(
        load_error(octstr_format("%s%s%s", BOX_HEAD, DB_GROUP, "host = a,b\nport = 5432,70000\n")),
        "FILE:9: group 'pgsql-connection', key 'port': '5432,70000': '70000' is "
        "not a whole number from 0 to 65535");
    assert_octstr_equal(
        load_error(octstr_format("%s%s%s", BOX_HEAD, DB_GROUP, "host = a,b,c\nport = 5432,5433\n")),
        "FILE:9: group 'pgsql-connection', key 'port': gives 2 ports for 3 "
        "hosts: give one port for every host, or one per host in the order of "
        "host");
    assert_octstr_equal(load_error(octstr_format("%s%s%s", BOX_HEAD, DB_GROUP,
                                                 "target-session-attrs = primary-only\n")),
                        "FILE:8: group 'pgsql-connection', key 'target-session-attrs': "
                        "'primary-only' is not one of any, read-write, read-only, primary, "
                        "standby, prefer-standby (read-write: connect only to the primary)");
}

static void test_malformed_time(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(box_with("latest-send-time = 7pm\n")),
                        "FILE:5: group 'absencebox', key 'latest-send-time': '7pm' is not a "
                        "time of day as HH:MM (24-hour, e.g. \"19:00\")");
    assert_octstr_equal(load_error(box_with("latest-send-time = 24:00\n")),
                        "FILE:5: group 'absencebox', key 'latest-send-time': '24:00' is not a "
                        "time of day as HH:MM (24-hour, e.g. \"19:00\")");
}

static void test_malformed_boolean(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(box_with("allow-ucs2 = maybe\n")),
                        "FILE:5: group 'absencebox', key 'allow-ucs2': 'maybe' is not true or "
                        "false");
}

static void test_unknown_time_zone(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(box_with("timezone = Europe/Lundon\n")),
                        "FILE:5: group 'absencebox', key 'timezone': 'Europe/Lundon' is not a "
                        "known time zone: use a name such as \"Europe/London\" (see "
                        "/usr/share/zoneinfo)");
    assert_octstr_equal(load_error(box_with("timezone = ../../etc/passwd\n")),
                        "FILE:5: group 'absencebox', key 'timezone': '../../etc/passwd' is not a "
                        "known time zone: use a name such as \"Europe/London\" (see "
                        "/usr/share/zoneinfo)");
}

static void test_template_with_unknown_placeholder(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(box_with("message-template = \"Dear {name}: {student_id} "
                                            "missed {lesson_time}\"\n")),
                        "FILE:5: group 'absencebox', key 'message-template': unknown placeholder "
                        "{name}: use {student_id}, {lesson_time} or {link}");
}

static void test_template_too_long_for_one_sms(void **state)
{
    Octstr *long_text = octstr_create("message-template = \"{student_id} {lesson_time} ");
    int i;

    (void)state;
    for (i = 0; i < 134; i++)
        octstr_append_char(long_text, 'x');
    octstr_append_cstr(long_text, "\"\n");
    /* 20 + 1 + 5 + 1 + 134 = 161 septets with a 20-character student ID */
    assert_octstr_equal(load_error(box_with(octstr_get_cstr(long_text))),
                        "FILE:5: group 'absencebox', key 'message-template': a text for a "
                        "20-character student ID would take 161 GSM septets, more than 1 SMS "
                        "segment(s) hold: shorten the text or raise max-segments");
    octstr_delete(long_text, octstr_len(long_text) - 3, 1);
    /* one character less: exactly 160 fits */
    config_destroy(load_ok(box_with(octstr_get_cstr(long_text))));
    octstr_destroy(long_text);
}

static void test_template_outside_gsm_needs_ucs2(void **state)
{
    AbsenceConfig *config;

    (void)state;
    assert_octstr_equal(load_error(box_with("message-template = \"{student_id} a manqu\xC3\xA7 "
                                            "{lesson_time}\"\n")),
                        "FILE:5: group 'absencebox', key 'message-template': uses a character "
                        "outside the GSM 7-bit alphabet (it or report-link): use plain "
                        "characters, or set allow-ucs2 = true to send UCS-2 texts");
    config =
        load_ok(box_with("allow-ucs2 = true\nmessage-template = \"{student_id} a manqu\xC3\xA7 "
                         "{lesson_time}\"\n"));
    assert_int_equal(config->box.allow_ucs2, 1);
    config_destroy(config);
}

static void test_link_required_when_template_uses_it(void **state)
{
    (void)state;
    assert_octstr_equal(
        load_error(octstr_create("group = absencebox\npgsql-id = db\n"
                                 "sender = College\nreport-link = \"\"\n" DB_GROUP)),
        "FILE:4: group 'absencebox', key 'report-link': is required because "
        "message-template contains {link}: set it to the college's "
        "record-an-absence link");
}

static void test_link_defaults_to_the_colleges(void **state)
{
    AbsenceConfig *config = load_ok(octstr_create("group = absencebox\npgsql-id = db\n"
                                                  "sender = College\n" DB_GROUP));

    (void)state;
    assert_octstr_equal(octstr_duplicate(config->box.report_link), "https://tinyurl.com/runabs");
    config_destroy(config);
}

static void test_absent_marks_the_database_would_refuse_are_refused(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(box_with("absent-marks = \"O, o\"\n")),
                        "FILE:5: group 'absencebox', key 'absent-marks': 'o' is not a register "
                        "code the database accepts: codes are upper case, without blanks "
                        "(\"O\", not \"o\")");
}

static void test_policy_settings_are_passed_by_name(void **state)
{
    AbsenceConfig *config = load_ok(box_with("send-delay = 600\n"
                                             "latest-send-time = \"08:05\"\n"
                                             "concern-send-time = \"07:45\"\n"
                                             "absent-marks = \"O;N \\\"\"\n"
                                             "allow-ucs2 = yes\n"
                                             "pastoral-category = \"Absence \\\"text\\\"\"\n"));

    (void)state;
    assert_octstr_equal(
        octstr_duplicate(config->policy_settings),
        "{\"timezone\": \"Europe/London\", \"send-delay\": 600, \"max-lateness\": 10800, "
        "\"latest-send-time\": \"08:05\", \"absent-marks\": [\"O\", \"N\", \"\\\"\"], "
        "\"student-status-pattern\": \"C__\", \"report-link\": \"https://x.example/a\", "
        "\"message-template\": \"Student {student_id} did not attend their lesson today at "
        "{lesson_time}. If this is a genuine absence, please notify us here: {link}\", "
        "\"max-segments\": 1, \"allow-ucs2\": true, \"allow-international\": false, "
        "\"import-lower-priority\": false, \"import-account-status\": \"unregistered\", "
        "\"max-linked-adults\": 4, \"concern-consecutive-days\": 3, \"concern-term-days\": 5, "
        "\"concern-template\": \"Attendance concern: student {student_id} has been absent on "
        "{days} days this term. Please contact the college to discuss: {link}\", "
        "\"concern-send-time\": \"07:45\", \"reply-window\": 604800, "
        "\"stop-words\": [\"STOP\", \"UNSUBSCRIBE\"], \"start-words\": [\"START\"], "
        "\"stop-confirmation\": \"You will get no more attendance texts from the college on "
        "this number. To get them again, reply {start_word}\", "
        "\"start-confirmation\": \"You will get attendance texts from the college on this "
        "number again. To stop them, reply {stop_word}\", "
        "\"earliest-confirmation-time\": \"08:00\", "
        "\"pastoral-category\": \"Absence \\\"text\\\"\"}");
    config_destroy(config);
}

static void test_link_with_braces_is_rejected(void **state)
{
    (void)state;
    assert_octstr_equal(
        load_error(octstr_create("group = absencebox\npgsql-id = db\n"
                                 "sender = College\n"
                                 "report-link = https://x/{student_id}\n" DB_GROUP)),
        "FILE:4: group 'absencebox', key 'report-link': may not contain spaces "
        "or braces");
}

static void test_unknown_import_account_status_is_rejected(void **state)
{
    (void)state;
    assert_octstr_equal(
        load_error(octstr_create("group = absencebox\npgsql-id = db\n"
                                 "sender = College\n"
                                 "import-account-status = suspended\n" DB_GROUP)),
        "FILE:4: group 'absencebox', key 'import-account-status': 'suspended' is neither "
        "\"unregistered\" (imported parents must still register on the portal) nor \"active\" "
        "(texted straight away)");
}

static void test_sender_too_long(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(octstr_create("group = absencebox\npgsql-id = db\n"
                                                 "sender = \"Runshaw College\"\n"
                                                 "report-link = x\n" DB_GROUP)),
                        "FILE:3: group 'absencebox', key 'sender': 'Runshaw College' has 15 "
                        "characters: a name shown as the sender has at most 11");
}

static void test_lateness_must_exceed_delay(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(box_with("send-delay = 1200\nmax-lateness = 1200\n")),
                        "FILE:6: group 'absencebox', key 'max-lateness': 1200 is not after "
                        "send-delay (1200): no text could ever be sent");
}

static void test_reply_words_and_confirmations_are_checked(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(box_with("stop-words = \"\"\n")),
                        "FILE:5: group 'absencebox', key 'stop-words': lists no word: parents "
                        "must be able to stop the texts (default \"STOP;UNSUBSCRIBE\")");
    assert_octstr_equal(load_error(box_with("start-words = \"Start;stop\"\n")),
                        "FILE:5: group 'absencebox', key 'start-words': 'stop' is a stop word "
                        "too: a word does one thing");
    assert_octstr_equal(load_error(box_with("stop-confirmation = \"You are opted out\"\n")),
                        "FILE:5: group 'absencebox', key 'stop-confirmation': the text must say "
                        "how to undo the opt-out: put {start_word} in it");
    assert_octstr_equal(load_error(box_with("start-confirmation = \"Back on {student_id}\"\n")),
                        "FILE:5: group 'absencebox', key 'start-confirmation': unknown "
                        "placeholder {student_id}: use {stop_word}");
    assert_octstr_equal(
        load_error(box_with("stop-confirmation = \"Opted out. To undo it reply {start_word}. "
                            "0123456789012345678901234567890123456789012345678901234567890123456789"
                            "01234567890123456789012345678901234567890123456789012345\"\n")),
        "FILE:5: group 'absencebox', key 'stop-confirmation': takes 161 GSM septets, more than "
        "one SMS holds: shorten it");
    assert_octstr_equal(load_error(box_with("earliest-confirmation-time = \"19:30\"\n")),
                        "FILE:5: group 'absencebox', key 'earliest-confirmation-time': 19:30 is "
                        "not before latest-send-time (19:00): no confirmation could ever be sent");
}

static void test_concern_send_time_must_precede_latest_send_time(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(box_with("concern-send-time = \"19:00\"\n")),
                        "FILE:5: group 'absencebox', key 'concern-send-time': 19:00 is not "
                        "before latest-send-time (19:00): no concern text could ever be sent");
}

static void test_concern_template_is_checked_like_the_message_template(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(box_with("concern-template = \"{student_id} missed "
                                            "{lesson_time}\"\n")),
                        "FILE:5: group 'absencebox', key 'concern-template': unknown placeholder "
                        "{lesson_time}: use {student_id}, {days} or {link}");
    /* 140 characters with a 20-character ID and 3 digits: 163, one SMS holds 160 */
    assert_octstr_equal(
        load_error(box_with("concern-template = \"{student_id} {days} "
                            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                            "xxxx\"\nmax-segments = 3\n")),
        "FILE:5: group 'absencebox', key 'concern-template': a text for a 20-character student "
        "ID would take 163 GSM septets, more than 1 SMS segment(s) hold: shorten the text (a "
        "concern text is one SMS)");
}

static void test_pgsql_id_must_match_a_group(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(octstr_create("group = absencebox\npgsql-id = college\n"
                                                 "sender = College\nreport-link = x\n" DB_GROUP)),
                        "FILE:2: group 'absencebox', key 'pgsql-id': no 'group = "
                        "pgsql-connection' has id 'college': add one or correct pgsql-id");
}

static void test_inline_comment_is_rejected(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(box_with("send-delay = 1200   # twenty minutes\n")),
                        "FILE:5: a '#' comment must stand on a line of its own (Kannel would "
                        "read it as part of the value)");
}

static void test_hash_inside_quotes_is_data(void **state)
{
    AbsenceConfig *config = load_ok(box_with("smsc-id = \"link #2\"\n"));

    (void)state;
    assert_octstr_equal(octstr_duplicate(config->box.smsc_id), "link #2");
    config_destroy(config);
}

static void test_key_set_twice_is_rejected(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(box_with("send-delay = 60\nsend-delay = 600\n")),
                        "FILE:6: 'send-delay' is set twice in this group (Kannel would silently "
                        "keep only the last)");
}

static void test_line_without_equals_is_rejected(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(box_with("send-delay 600\n")), "FILE:5: expected 'key = value'");
}

static void test_unterminated_quote_is_rejected(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(box_with("sender2 = \"College\n")),
                        "FILE:5: a value opens a double quote it never closes");
}

static void test_blank_line_splitting_a_group_is_explained(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(octstr_create("group = absencebox\n\npgsql-id = db\n")),
                        "FILE:3: this group has no 'group = ...' line (groups are separated by "
                        "blank lines)");
}

/* Kannel's cfg takes any line with "include" in it for an include directive
 * and panics on it; the file is refused first, naming the line. */
#define INCLUDE_WORD_ERROR                                                                         \
    "this line contains the letters 'include', and Kannel's configuration reader would take it "   \
    "for an include directive and stop: reword it (in a URL, %69nclude is the same path)"

static void test_template_with_the_word_include_is_refused_naming_its_line(void **state)
{
    (void)state;
    assert_octstr_equal(
        load_error(box_with("message-template = \"Student {student_id} missed {lesson_time}; "
                            "please include a note\"\n")),
        "FILE:5: " INCLUDE_WORD_ERROR);
}

static void test_url_with_an_include_path_is_refused_naming_its_line(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(octstr_create("group = absencebox\npgsql-id = db\n"
                                                 "sender = College\n"
                                                 "report-link = https://x.example/include/a\n"
                                                 "" DB_GROUP)),
                        "FILE:4: " INCLUDE_WORD_ERROR);
}

static void test_include_joined_across_a_continued_line_is_refused(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(box_with("smsc-id = \"incl\\\nude\"\n")),
                        "FILE:5: " INCLUDE_WORD_ERROR);
}

static void test_include_directive_is_not_supported(void **state)
{
    (void)state;
    assert_octstr_equal(load_error(box_with("include = \"/etc/kannel/more.conf\"\n")),
                        "FILE:5: 'include' is not supported here: put every group in this file");
}

static void test_include_in_a_comment_or_capitalised_is_data(void **state)
{
    AbsenceConfig *config = load_ok(box_with("# include nothing: Kannel skips comments\n"
                                             "smsc-id = \"Include\"\n"));

    (void)state;
    assert_octstr_equal(octstr_duplicate(config->box.smsc_id), "Include");
    config_destroy(config);
}

static void test_missing_file(void **state)
{
    Octstr *error = NULL;

    (void)state;
    assert_null(config_load(octstr_imm("/nonexistent/absencebox.conf"), &error));
    assert_octstr_equal(error, "/nonexistent/absencebox.conf: cannot read the configuration "
                               "file (No such file or directory)");
}

/* ---- the shipped example against config.def --------------------------- */

/* Keys the example sets to a college's own values rather than defaults. */
static const char *const example_choices[] = {"log-file", "host",     "port",
                                              "username", "password", "database"};

static int is_example_choice(const char *key)
{
    size_t i;

    for (i = 0; i < sizeof(example_choices) / sizeof(example_choices[0]); i++)
        if (strcmp(example_choices[i], key) == 0)
            return 1;
    return 0;
}

/* Count a problem with KEY: absent from the example's text (neither set
 * nor shown commented out), or loaded with a value other than its default. */
static void check_key(Octstr *text, const char *key, Octstr *value, const char *dflt, int *problems)
{
    Octstr *set = octstr_format("\n%s = ", key), *shown = octstr_format("\n#%s = ", key);

    if (octstr_search(text, set, 0) < 0 && octstr_search(text, shown, 0) < 0) {
        fprintf(stderr, "# conf/absencebox.conf does not show key '%s'\n", key);
        (*problems)++;
    }
    if (dflt != NULL && !is_example_choice(key) &&
        (value == NULL || octstr_str_compare(value, dflt) != 0)) {
        fprintf(stderr, "# conf/absencebox.conf sets '%s' to '%s', config.def's default is '%s'\n",
                key, value ? octstr_get_cstr(value) : "(unset)", dflt);
        (*problems)++;
    }
    octstr_destroy(set);
    octstr_destroy(shown);
}

static Octstr *number_text(long value)
{
    return octstr_format("%ld", value);
}

static Octstr *clock_text(long minutes)
{
    return octstr_format("%02ld:%02ld", minutes / 60, minutes % 60);
}

#define CHECK(key, value, dflt)                                                                    \
    {                                                                                              \
        Octstr *shown = (value);                                                                   \
        check_key(text, #key, shown, dflt, &problems);                                             \
        octstr_destroy(shown);                                                                     \
    }
#define STRINGIFY(x) #x
#define KEY_TEXT(key, field, dflt) CHECK(key, octstr_duplicate(group->field), dflt)
#define KEY_REQUIRED(key, field) CHECK(key, NULL, NULL)
#define KEY_INT(key, field, dflt, min, max) CHECK(key, number_text(group->field), STRINGIFY(dflt))
#define KEY_BOOL(key, field, dflt)                                                                 \
    CHECK(key, octstr_create(group->field ? "true" : "false"), (dflt) ? "true" : "false")
#define KEY_CLOCK(key, field, dflt) CHECK(key, clock_text(group->field), dflt)
#define KEY_LIST(key, field, dflt) CHECK(key, output_joined(group->field, ";"), dflt)
#define SINGLE_GROUP(name, type, keys)                                                             \
    {                                                                                              \
        type *group = &config->box;                                                                \
        keys                                                                                       \
    }
#define MULTI_GROUP(name, type, keys)                                                              \
    {                                                                                              \
        type *group = &config->db;                                                                 \
        keys                                                                                       \
    }

static void test_example_documents_every_key_with_its_default(void **state)
{
    Octstr *error = NULL;
    Octstr *path = octstr_create(TESTS_DIR "/../conf/absencebox.conf");
    Octstr *text = octstr_read_file(octstr_get_cstr(path));
    AbsenceConfig *config = config_load(path, &error);
    int problems = 0;

    (void)state;
    if (config == NULL || text == NULL)
        test_fail("cannot load the example: %s", error ? octstr_get_cstr(error) : "unreadable");
#include "config.def"
    assert_int_equal(problems, 0);
    config_destroy(config);
    octstr_destroy(text);
    octstr_destroy(path);
}

int main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_file_gets_every_default),
        cmocka_unit_test(test_shipped_example_loads_with_its_documented_values),
        cmocka_unit_test(test_values_are_read),
        cmocka_unit_test(test_unknown_key_is_named_with_its_line),
        cmocka_unit_test(test_unknown_key_in_pgsql_group),
        cmocka_unit_test(test_unknown_group_is_named),
        cmocka_unit_test(test_missing_required_key),
        cmocka_unit_test(test_missing_box_group),
        cmocka_unit_test(test_malformed_number),
        cmocka_unit_test(test_malformed_number_in_pgsql_group),
        cmocka_unit_test(test_several_hosts_and_ports),
        cmocka_unit_test(test_malformed_time),
        cmocka_unit_test(test_malformed_boolean),
        cmocka_unit_test(test_unknown_time_zone),
        cmocka_unit_test(test_template_with_unknown_placeholder),
        cmocka_unit_test(test_template_too_long_for_one_sms),
        cmocka_unit_test(test_template_outside_gsm_needs_ucs2),
        cmocka_unit_test(test_link_required_when_template_uses_it),
        cmocka_unit_test(test_link_defaults_to_the_colleges),
        cmocka_unit_test(test_absent_marks_the_database_would_refuse_are_refused),
        cmocka_unit_test(test_policy_settings_are_passed_by_name),
        cmocka_unit_test(test_example_documents_every_key_with_its_default),
        cmocka_unit_test(test_link_with_braces_is_rejected),
        cmocka_unit_test(test_unknown_import_account_status_is_rejected),
        cmocka_unit_test(test_sender_too_long),
        cmocka_unit_test(test_lateness_must_exceed_delay),
        cmocka_unit_test(test_concern_send_time_must_precede_latest_send_time),
        cmocka_unit_test(test_reply_words_and_confirmations_are_checked),
        cmocka_unit_test(test_concern_template_is_checked_like_the_message_template),
        cmocka_unit_test(test_pgsql_id_must_match_a_group),
        cmocka_unit_test(test_inline_comment_is_rejected),
        cmocka_unit_test(test_hash_inside_quotes_is_data),
        cmocka_unit_test(test_key_set_twice_is_rejected),
        cmocka_unit_test(test_line_without_equals_is_rejected),
        cmocka_unit_test(test_unterminated_quote_is_rejected),
        cmocka_unit_test(test_blank_line_splitting_a_group_is_explained),
        cmocka_unit_test(test_template_with_the_word_include_is_refused_naming_its_line),
        cmocka_unit_test(test_url_with_an_include_path_is_refused_naming_its_line),
        cmocka_unit_test(test_include_joined_across_a_continued_line_is_refused),
        cmocka_unit_test(test_include_directive_is_not_supported),
        cmocka_unit_test(test_include_in_a_comment_or_capitalised_is_data),
        cmocka_unit_test(test_missing_file),
    };

    test_gwlib_init();
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
