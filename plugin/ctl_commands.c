/*
 * ctl_commands.c - absencectl's command table and the checks made from it
 * (see ctl_commands.h).
 */
#include <ctype.h>

#include "ctl_commands.h"

static const CtlCommand commands[] = {
    {"migrate", "", "", NULL, 1, "create or upgrade schema absence (safe to repeat)",
     "Applies, in one transaction, the schema migrations the database lacks and, when they\n"
     "changed, the policy's functions. Run it after every upgrade; the box refuses to start\n"
     "on a schema that is not its own.",
     ctl_migrate},
    {"check-config", "", "", NULL, 0, "validate the configuration file and exit",
     "Reads the configuration as the box does and says what is wrong, with the line.",
     ctl_check_config},
    {"report", "", "[--date DATE] [--status STATUS] [--student ID]", "table,csv,json", 1,
     "the delivery report of a day, one line per text",
     "One line per text of DATE (default today at the college), numbers masked, with its\n"
     "status, times and the SMSC's reason for a failure; the table ends with the totals.",
     ctl_report},
    {"explain", "STUDENT_ID", "[--date DATE]", "table,json", 1,
     "why a student's guardians got a text that day, or not",
     "The absent lessons and their registers, the trigger lesson and why it gave a text or\n"
     "not, every linked guardian with each rule passed or failed, and each text's history.",
     ctl_explain},
    {"preview", "", "[--at TIME]", "table,csv,json", 1,
     "the texts the box would plan at that time; writes nothing",
     "A dry run of the planner at TIME (default now) in a read-only transaction: the texts\n"
     "it would plan and the guardians it would skip, with why.",
     ctl_preview},
    {"status", "", "", "table,json", 1, "health now; exit status 3 when something needs attention",
     "Today's texts by status, the oldest overdue text, texts due in the next hour, each box's\n"
     "heartbeat and bearerbox connection, and when the queue should drain.",
     ctl_status},
    {"export-pastoral", "", "--since TIME [--until TIME] [--what pastoral-log|communication-log]",
     "csv,xml", 1, "the pastoral log, or the communication log, for the MIS",
     "The pastoral log entries logged from --since up to --until (default now), or with\n"
     "--what communication-log every contact with a family in that time (texts' outcomes and\n"
     "staff's calls, letters, e-mails and meetings); times in ISO 8601 with the college's\n"
     "UTC offset.",
     ctl_export_pastoral},
    {"resend", "ID", "--reason WHY", NULL, 1, "send a failed, unconfirmed or expired text again",
     "Puts text ID back to pending, due now, recorded with who and why; refused once its\n"
     "school day is over or past the latest send time.",
     ctl_resend},
    {"cancel", "ID", "--reason WHY", NULL, 1,
     "close a pending, failed, unconfirmed or expired text for good",
     "Text ID will never be sent (a pending one becomes expired) and cannot be resent;\n"
     "recorded with who and why.",
     ctl_cancel},
    {"pause", "", "--reason WHY", NULL, 1, "stop all planning and sending, until resume",
     "The kill switch for an incident: no box plans or sends a text until absencectl resume\n"
     "(texts already with the gateway go on). It holds across restarts; status shows it.",
     ctl_pause},
    {"resume", "", "[--reason WHY]", NULL, 1, "end a pause: planning and sending go on",
     "Texts that fell due during the pause are planned with the registers as they stand, if\n"
     "they can still go out in their window; the others expire.",
     ctl_resume},
    {"plan", "", "[--at TIME]", NULL, 1,
     "plan the texts due now, as the box does every plan-interval",
     "Settles the student-days due at TIME (default now): writes their texts and skips.", ctl_plan},
    {"import-contacts", "FILE", "[--dry-run]", "text,json", 1,
     "bring parents' contacts in from the MIS's Common Transfer File",
     "Reads the CTF (XML) and applies the college's rules: priority 1 contacts as prime\n"
     "parents, lower priorities when import-lower-priority = yes, opt-outs left out, portal\n"
     "and staff data never changed, at most max-linked-adults per student. All or nothing:\n"
     "a bad file changes nothing and is named with its line. --dry-run reports the same and\n"
     "changes nothing. Every run is recorded in absence.contact_import.",
     ctl_import_contacts},
    {"contacts-audit", "", "", "text,csv,json", 1, "the contact data the office should tidy",
     "One finding per row (student, guardian, kind, number masked, what to do): invalid or\n"
     "landline mobiles, mobiles in another field, shared numbers, duplicate guardians, numbers\n"
     "whose last two texts failed, students nobody can be texted about, too many adults.",
     ctl_contacts_audit},
    {"concerns", "", "[--all] [--term ID] [--student ID]", "table,csv,json", 1,
     "attendance concerns still open (with --all, closed ones too)",
     "One line per concern: the student, the rule (consecutive or cumulative), the absence\n"
     "days that made it, when it was found, its state (open, notified, meeting, closed), what\n"
     "became of its text and the last note.",
     ctl_concerns},
    {"concern", "meeting|close ID", "--note TEXT", NULL, 1,
     "move a concern to the meeting stage, or close it, with a note",
     "concern meeting ID: a meeting with the family is arranged (from open or notified).\n"
     "concern close ID: the concern is resolved; a closed concern stays closed. Every move\n"
     "is recorded with who made it and the note (absence.concern_action).",
     ctl_concern},
    {"log-contact", "STUDENT_ID",
     "--method M --outcome TEXT [--guardian ID] [--concern ID] [--note TEXT] [--at TIME] "
     "[--direction out|in]",
     NULL, 1, "record a call, letter, e-mail or meeting with a student's family",
     "Adds a row to the communication log: M is phone, email, letter, meeting or sms; the\n"
     "outcome says what came of it (\"spoke to parent\", \"no answer\"); --at when it happened\n"
     "(default now, never in the future); --direction in for a contact the family made.",
     ctl_log_contact},
    {"replies", "", "[--unmatched] [--since DATE]", "text,csv,json", 1,
     "parents' replies, newest first (default: the last 7 days)",
     "One line per reply received on or after DATE (default: in the last 7 days): when, the\n"
     "sender (masked), the number it was sent to, the student, guardian and text it matched,\n"
     "its keyword (stop or start), the other students texted to that number (candidates)\n"
     "and what the parent wrote, control characters escaped in text. --unmatched: only the\n"
     "replies that matched no text.",
     ctl_replies},
    {"opt-out", "NUMBER", "--reason TEXT", NULL, 1,
     "stop all texts to a mobile number, as its owner asked staff",
     "Puts NUMBER (a mobile, as typed) on the opt-out list, recorded with who and why: its\n"
     "guardians are skipped (opted-out) and its pending texts are not sent. No confirmation\n"
     "text is sent. A number already opted out is left as it is.",
     ctl_opt_out},
    {"opt-in", "NUMBER", "--reason TEXT", NULL, 1,
     "take a mobile number off the opt-out list, as its owner asked staff",
     "NUMBER (a mobile, as typed) gets texts again from the next planning, recorded with who\n"
     "and why; whether it opted out by replying or through staff. No confirmation text is\n"
     "sent.",
     ctl_opt_in},
    {"opt-outs", "", "", "text,csv,json", 1, "the numbers opted out now",
     "One line per number opted out (masked), newest first: since when, by reply or by staff,\n"
     "who recorded it (the box, for a reply), the reason staff gave, and the students whose\n"
     "guardians have that number.",
     ctl_opt_outs},
    {"quarantine", "", "[--all]", "text,csv,json", 1,
     "the student-days set aside because their data cannot be texted",
     "One line per student-day the planner set aside instead of planning, newest first: the\n"
     "student ID (control characters escaped in text), the day, the reason naming what to\n"
     "correct in the MIS (an empty or over-long ID, a control or invisible character or one\n"
     "outside the GSM alphabet at a position, or the database's error), when it was first and\n"
     "last set aside and how many planning runs did so. Every other student-day was planned.\n"
     "A day is planned, and its row resolved, at the first run after the data is corrected.\n"
     "--all: resolved days too.",
     ctl_quarantine},
};

#define COMMAND_COUNT ((long)(sizeof(commands) / sizeof(commands[0])))

/* DATE is YYYY-MM-DD, TIME YYYY-MM-DD[ HH:MM[:SS]], in the college's zone. */
static const char values_help[] =
    "DATE is YYYY-MM-DD and TIME YYYY-MM-DD or 'YYYY-MM-DD HH:MM', at the college (timezone).";

const CtlCommand *ctl_command_find(const char *name)
{
    long i;

    for (i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* "explain STUDENT_ID [--date DATE] [--format table|json]" */
static Octstr *usage_line(const CtlCommand *command)
{
    Octstr *line = octstr_create(command->name);

    if (*command->arguments)
        octstr_format_append(line, " %s", command->arguments);
    if (*command->options)
        octstr_format_append(line, " %s", command->options);
    if (command->formats != NULL) {
        Octstr *formats = octstr_create(command->formats);
        octstr_replace(formats, octstr_imm(","), octstr_imm("|"));
        octstr_format_append(line, " [--format %S]", formats);
        octstr_destroy(formats);
    }
    return line;
}

void ctl_commands_list(FILE *out)
{
    long i;

    fprintf(out,
            "usage: absencectl [-c CONFFILE] COMMAND [ARGS]\n"
            "  -c CONFFILE  configuration file (default %s)\n"
            "  COMMAND --help says more about COMMAND; --version says which absencectl\n"
            "commands:\n",
            CONFIG_DEFAULT_PATH);
    for (i = 0; i < COMMAND_COUNT; i++) {
        Octstr *line = usage_line(&commands[i]);
        fprintf(out, "  %s\n      %s\n", octstr_get_cstr(line), commands[i].summary);
        octstr_destroy(line);
    }
}

void ctl_command_help(const CtlCommand *command, FILE *out)
{
    Octstr *line = usage_line(command);

    fprintf(out, "usage: absencectl [-c CONFFILE] %s\n\n%c%s.\n\n%s\n", octstr_get_cstr(line),
            toupper((unsigned char)command->summary[0]), command->summary + 1, command->help);
    if (strstr(octstr_get_cstr(line), "DATE") || strstr(octstr_get_cstr(line), "TIME"))
        fprintf(out, "%s\n", values_help);
    octstr_destroy(line);
}

/* The option names of COMMAND ("--name"), which are required, and which
 * are flags taking no value: an optional one closed at once, "[--all]". */
static void option_names(const CtlCommand *command, List *all, List *required, List *flags)
{
    Octstr *spec = octstr_create(command->options);
    List *words = octstr_split_words(spec);
    Octstr *word;

    while ((word = gwlist_extract_first(words)) != NULL) {
        int optional = octstr_get_char(word, 0) == '[';
        if (optional)
            octstr_delete(word, 0, 1);
        if (optional && octstr_get_char(word, octstr_len(word) - 1) == ']') {
            octstr_delete(word, octstr_len(word) - 1, 1);
            gwlist_append(flags, octstr_duplicate(word));
        }
        if (octstr_ncompare(word, octstr_imm("--"), 2) == 0) {
            gwlist_append(all, octstr_duplicate(word));
            if (!optional)
                gwlist_append(required, octstr_duplicate(word));
        }
        octstr_destroy(word);
    }
    if (command->formats != NULL)
        gwlist_append(all, octstr_create("--format"));
    gwlist_destroy(words, NULL);
    octstr_destroy(spec);
}

static long argument_count(const CtlCommand *command)
{
    List *words = octstr_split_words(octstr_imm(command->arguments));
    long count = gwlist_len(words);

    gwlist_destroy(words, octstr_destroy_item);
    return count;
}

static int usage_error(const CtlCommand *command)
{
    Octstr *line = usage_line(command);
    int status = ctl_fail(EXIT_USER, "usage: absencectl %s", octstr_get_cstr(line));

    octstr_destroy(line);
    return status;
}

/* 0 when ARGS has what COMMAND requires and nothing more, else EXIT_USER. */
static int check_args(const CtlCommand *command, CtlArgs *args, List *required)
{
    long expected = argument_count(command), i;

    if (gwlist_len(args->words) > expected)
        return ctl_fail(EXIT_USER, "%s: unexpected argument '%s' (absencectl %s --help)",
                        command->name, octstr_get_cstr(gwlist_get(args->words, expected)),
                        command->name);
    if (gwlist_len(args->words) < expected)
        return usage_error(command);
    for (i = 0; i < gwlist_len(required); i++)
        if (dict_get(args->options, gwlist_get(required, i)) == NULL)
            return usage_error(command);
    return 0;
}

/* --format's value, or the first of COMMAND's formats; FORMAT_TABLE when
 * the command has none. */
static int read_format(const CtlCommand *command, CtlArgs *args, OutputFormat *format)
{
    Octstr *name = ctl_arg(args, "--format"), *wanted, *error = NULL;
    long comma;
    int status = 0;

    *format = FORMAT_TABLE;
    if (command->formats == NULL)
        return 0;
    wanted = name != NULL ? octstr_duplicate(name) : octstr_create(command->formats);
    if (name == NULL && (comma = octstr_search_char(wanted, ',', 0)) >= 0)
        octstr_truncate(wanted, comma);
    if (output_format_parse(wanted, command->formats, format, &error) < 0)
        status = ctl_fail_octstr(EXIT_USER, error);
    octstr_destroy(wanted);
    return status;
}

int ctl_command_parse(const CtlCommand *command, int argc, char **argv, CtlArgs *args,
                      OutputFormat *format)
{
    List *allowed = gwlist_create(), *required = gwlist_create(), *flags = gwlist_create();
    int status;

    option_names(command, allowed, required, flags);
    status = ctl_args_parse(args, command->name, argc, argv, allowed, flags);
    if (status == 0)
        status = check_args(command, args, required);
    if (status == 0)
        status = read_format(command, args, format);
    gwlist_destroy(allowed, octstr_destroy_item);
    gwlist_destroy(required, octstr_destroy_item);
    gwlist_destroy(flags, octstr_destroy_item);
    return status;
}
