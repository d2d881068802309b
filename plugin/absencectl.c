/*
 * absencectl.c - the admin tool: absencectl [-c CONFFILE] COMMAND [ARGS].
 *
 * Exit status 0 on success, 1 on a user error (one line on stderr saying
 * what to fix), 2 when the database cannot be reached or fails.
 */
#include "ctl_commands.h"
#include "migrate.h"
#include "policy.h"

typedef struct Command {
    const char *name;
    const char *usage;
    int (*run)(Ctl *ctl, int argc, char **argv);
} Command;

static int migrate(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    Octstr *error = NULL;
    int applied, version;

    (void)args, (void)format;
    applied = migrate_apply(ctl->conn, absence_migrations, absence_migration_count, &error);
    if (applied < 0)
        return ctl_fail_octstr(EXIT_ENVIRONMENT, error);
    version = migrate_version(ctl->conn, &error);
    if (version < 0)
        return ctl_fail_octstr(EXIT_ENVIRONMENT, error);
    if (applied == 0)
        printf("schema absence is up to date at version %d\n", version);
    else
        printf("schema absence: applied %d migration%s, now at version %d\n", applied,
               applied == 1 ? "" : "s", version);
    return 0;
}

static int run_migrate(Ctl *ctl, int argc, char **argv)
{
    return ctl_run(ctl, argc, argv, "migrate", "", 0, NULL, FORMAT_TABLE, migrate);
}

static int check_config(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    (void)args, (void)format;
    printf("%s: configuration is valid\n", octstr_get_cstr(ctl->config->path));
    return 0;
}

static int run_check_config(Ctl *ctl, int argc, char **argv)
{
    return ctl_run(ctl, argc, argv, "check-config", "", 0, NULL, FORMAT_TABLE, check_config);
}

static int plan(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    Octstr *at = NULL, *error = NULL;
    PlanResult result;
    int status = 0;

    (void)format;
    if (ctl_arg(args, "--at") != NULL &&
        (at = ctl_instant(ctl, ctl_arg(args, "--at"), "--at", &status)) == NULL)
        return status;
    status = policy_plan(ctl->conn, ctl->config, at ? octstr_get_cstr(at) : NULL,
                         ctl->config->box.id, &result, &error);
    octstr_destroy(at);
    if (status < 0)
        return ctl_fail_octstr(EXIT_ENVIRONMENT, error);
    printf("student-days settled: %ld\ntexts planned: %ld\ntexts expired: %ld\n"
           "guardians skipped: %ld\ndays whose text would not fit: %ld\n",
           result.student_days, result.texts_planned, result.texts_expired,
           result.guardians_skipped, result.days_too_long);
    return 0;
}

static int run_plan(Ctl *ctl, int argc, char **argv)
{
    return ctl_run(ctl, argc, argv, "plan", "--at", 0, NULL, FORMAT_TABLE, plan);
}

static const Command commands[] = {
    {"migrate", "create or upgrade schema absence (safe to repeat)", run_migrate},
    {"check-config", "validate the configuration file and exit", run_check_config},
    {"report", "[--date D] [--status S] [--student ID] [--format table|csv|json]\n"
               "                the delivery report of a day, one line per text", ctl_report},
    {"explain", "STUDENT_ID [--date D] [--format table|json]\n"
                "                why a student's guardians got a text that day, or not",
     ctl_explain},
    {"preview", "[--at 'YYYY-MM-DD HH:MM'] [--format table|csv|json]\n"
                "                the texts the box would plan at that time; writes nothing",
     ctl_preview},
    {"status", "[--format table|json]\n"
               "                health now; exit status 3 when something needs attention",
     ctl_status},
    {"export-pastoral", "--since T [--until T] [--format csv|xml]\n"
                        "                the pastoral log for the MIS",
     ctl_export_pastoral},
    {"resend", "ID --reason WHY   send a failed, unconfirmed or expired text again", ctl_resend},
    {"cancel", "ID --reason WHY   close a failed, unconfirmed or expired text unsent", ctl_cancel},
    {"plan", "[--at 'YYYY-MM-DD HH:MM']\n"
             "                plan the texts due now, as the box does every plan-interval",
     run_plan},
};
#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
    size_t i;

    fprintf(out, "usage: absencectl [-c CONFFILE] COMMAND [ARGS]\n"
                 "  -c CONFFILE  configuration file (default %s)\ncommands:\n",
            CONFIG_DEFAULT_PATH);
    for (i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-15s %s\n", commands[i].name, commands[i].usage);
}

static const Command *find_command(const char *name)
{
    size_t i;

    for (i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static int run_command(const Command *command, const char *path, int argc, char **argv)
{
    Octstr *error = NULL, *file = octstr_create(path);
    Ctl ctl = {NULL, NULL};
    int status;

    ctl.config = config_load(file, &error);
    octstr_destroy(file);
    if (ctl.config == NULL)
        return ctl_fail_octstr(EXIT_USER, error);
    if (command->run != run_check_config) {
        ctl.conn = db_connect(&ctl.config->db, "absencectl", &error);
        if (ctl.conn == NULL) {
            config_destroy(ctl.config);
            return ctl_fail_octstr(EXIT_ENVIRONMENT, error);
        }
    }
    status = command->run(&ctl, argc, argv);
    PQfinish(ctl.conn);
    config_destroy(ctl.config);
    return status;
}

int main(int argc, char **argv)
{
    const char *path = CONFIG_DEFAULT_PATH;
    const Command *command;
    int i = 1, status;

    if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc > 2 && (strcmp(argv[1], "-c") == 0 || strcmp(argv[1], "--config") == 0)) {
        path = argv[2];
        i = 3;
    }
    if (i >= argc) {
        usage(stderr);
        return EXIT_USER;
    }
    command = find_command(argv[i]);
    if (command == NULL)
        return ctl_fail(EXIT_USER, "unknown command '%s' (absencectl --help lists them)", argv[i]);
    gwlib_init();
    log_set_output_level(GW_ERROR);
    status = run_command(command, path, argc - i - 1, argv + i + 1);
    gwlib_shutdown();
    return status;
}
