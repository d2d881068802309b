/*
 * ctl_commands.h - absencectl's commands as one table: a row per command
 * with its arguments, options, output formats, whether it needs the
 * database, its help, and the function that runs it (one plugin/ctl_*.c
 * each). The usage lines, `absencectl --help`, `COMMAND --help` and the
 * checks of a command line are all made from the table.
 */
#ifndef ABSENCE_CTL_COMMANDS_H
#define ABSENCE_CTL_COMMANDS_H

#include "ctl.h"

/* A command's work, once its command line has passed the table's checks:
 * every argument and required option is there, FORMAT is one it lists. */
typedef int (*CtlRun)(Ctl *ctl, CtlArgs *args, OutputFormat format);

typedef struct CtlCommand {
    const char *name;
    const char *arguments; /* positional, each required: "STUDENT_ID", or "" */
    const char *options;   /* "--name VALUE" each, optional ones in brackets:
                              "--since TIME [--until TIME]" */
    const char *formats;   /* for --format, the first the default: "table,json"; NULL: none */
    int needs_database;
    const char *summary; /* one line, for the list of commands */
    const char *help;    /* what COMMAND --help adds: what it does, in a few lines */
    CtlRun run;
} CtlCommand;

/* The command called NAME, or NULL. */
const CtlCommand *ctl_command_find(const char *name);

/* The list of commands, for absencectl --help. */
void ctl_commands_list(FILE *out);

/* COMMAND's usage line and help, for COMMAND --help. */
void ctl_command_help(const CtlCommand *command, FILE *out);

/*
 * Check ARGV (what follows the command's name) against COMMAND's row, into
 * ARGS (destroy it whatever the result) and FORMAT. Returns 0, or
 * EXIT_USER after one line naming what is missing, unexpected or unknown
 * (with the usage for a missing argument). Needs neither the
 * configuration nor the database.
 */
int ctl_command_parse(const CtlCommand *command, int argc, char **argv, CtlArgs *args,
                      OutputFormat *format);

/* The commands' work, one ctl_*.c each (ctl_migrate.c holds migrate and
 * check-config; ctl_pause.c pause and resume; ctl_actions.c resend and
 * cancel; ctl_contacts.c import-contacts and contacts-audit; ctl_concerns.c
 * concerns, concern and log-contact; ctl_replies.c replies, opt-out, opt-in and
 * opt-outs; ctl_quarantine.c quarantine). */
int ctl_migrate(Ctl *ctl, CtlArgs *args, OutputFormat format);
int ctl_check_config(Ctl *ctl, CtlArgs *args, OutputFormat format);
int ctl_report(Ctl *ctl, CtlArgs *args, OutputFormat format);
int ctl_explain(Ctl *ctl, CtlArgs *args, OutputFormat format);
int ctl_preview(Ctl *ctl, CtlArgs *args, OutputFormat format);
int ctl_status(Ctl *ctl, CtlArgs *args, OutputFormat format);
int ctl_export_pastoral(Ctl *ctl, CtlArgs *args, OutputFormat format);
int ctl_resend(Ctl *ctl, CtlArgs *args, OutputFormat format);
int ctl_cancel(Ctl *ctl, CtlArgs *args, OutputFormat format);
int ctl_pause(Ctl *ctl, CtlArgs *args, OutputFormat format);
int ctl_resume(Ctl *ctl, CtlArgs *args, OutputFormat format);
int ctl_plan(Ctl *ctl, CtlArgs *args, OutputFormat format);
int ctl_import_contacts(Ctl *ctl, CtlArgs *args, OutputFormat format);
int ctl_contacts_audit(Ctl *ctl, CtlArgs *args, OutputFormat format);
int ctl_concerns(Ctl *ctl, CtlArgs *args, OutputFormat format);
int ctl_concern(Ctl *ctl, CtlArgs *args, OutputFormat format);
int ctl_log_contact(Ctl *ctl, CtlArgs *args, OutputFormat format);
int ctl_replies(Ctl *ctl, CtlArgs *args, OutputFormat format);
int ctl_opt_out(Ctl *ctl, CtlArgs *args, OutputFormat format);
int ctl_opt_in(Ctl *ctl, CtlArgs *args, OutputFormat format);
int ctl_opt_outs(Ctl *ctl, CtlArgs *args, OutputFormat format);
int ctl_quarantine(Ctl *ctl, CtlArgs *args, OutputFormat format);

#endif
