/*
 * absencectl.c - the admin tool: absencectl [-c CONFFILE] COMMAND [ARGS].
 *
 * Exit status 0 on success, 1 on a user error (one line on stderr saying
 * what to fix), 2 when the database cannot be reached or fails.
 */
#include "config.h"
#include "db.h"
#include "migrate.h"
#include "policy.h"

#define EXIT_USER 1
#define EXIT_ENVIRONMENT 2

typedef struct Ctl {
    AbsenceConfig *config;
    PGconn *conn;
} Ctl;

typedef struct Command {
    const char *name;
    const char *usage;
    int (*run)(Ctl *ctl, int argc, char **argv);
} Command;

static int fail(int status, const char *fmt, ...) PRINTFLIKE(2, 3);

static int fail(int status, const char *fmt, ...)
{
    va_list args;

    fputs("absencectl: ", stderr);
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fputc('\n', stderr);
    return status;
}

static int fail_octstr(int status, Octstr *message)
{
    fail(status, "%s", octstr_get_cstr(message));
    octstr_destroy(message);
    return status;
}

static int run_migrate(Ctl *ctl, int argc, char **argv)
{
    Octstr *error = NULL;
    int applied, version;

    (void)argv;
    if (argc > 0)
        return fail(EXIT_USER, "migrate takes no arguments");
    applied = migrate_apply(ctl->conn, absence_migrations, absence_migration_count, &error);
    if (applied < 0)
        return fail_octstr(EXIT_ENVIRONMENT, error);
    version = migrate_version(ctl->conn, &error);
    if (version < 0)
        return fail_octstr(EXIT_ENVIRONMENT, error);
    if (applied == 0)
        printf("schema absence is up to date at version %d\n", version);
    else
        printf("schema absence: applied %d migration%s, now at version %d\n", applied,
               applied == 1 ? "" : "s", version);
    return 0;
}

static int run_check_config(Ctl *ctl, int argc, char **argv)
{
    (void)argv;
    if (argc > 0)
        return fail(EXIT_USER, "check-config takes no arguments");
    printf("%s: configuration is valid\n", octstr_get_cstr(ctl->config->path));
    return 0;
}

/* Turn a local "YYYY-MM-DD HH:MM" in the college's time zone into an instant. */
static Octstr *local_instant(Ctl *ctl, const char *local, Octstr **error)
{
    static const char sql[] =
        "select (($1::timestamp) at time zone $2)::text as instant";
    const char *values[2] = {local, octstr_get_cstr(ctl->config->box.timezone)};
    PGresult *result = db_query(ctl->conn, sql, 2, values, error);
    Octstr *instant;

    if (result == NULL)
        return NULL;
    instant = db_text(result, 0, "instant");
    PQclear(result);
    return instant;
}

static int run_plan(Ctl *ctl, int argc, char **argv)
{
    Octstr *at = NULL, *error = NULL;
    PlanResult plan;
    int status;

    if (argc == 2 && strcmp(argv[0], "--at") == 0) {
        at = local_instant(ctl, argv[1], &error);
        if (at == NULL) {
            octstr_destroy(error);
            return fail(EXIT_USER, "--at '%s' is not a date and time like '2026-11-23 10:30'",
                        argv[1]);
        }
    } else if (argc != 0) {
        return fail(EXIT_USER, "usage: absencectl plan [--at 'YYYY-MM-DD HH:MM']");
    }
    status = policy_plan(ctl->conn, ctl->config, at ? octstr_get_cstr(at) : NULL,
                         ctl->config->box.id, &plan, &error);
    octstr_destroy(at);
    if (status < 0)
        return fail_octstr(EXIT_ENVIRONMENT, error);
    printf("student-days settled: %ld\ntexts planned: %ld\ntexts expired: %ld\n"
           "guardians skipped: %ld\ndays whose text would not fit: %ld\n",
           plan.student_days, plan.texts_planned, plan.texts_expired, plan.guardians_skipped,
           plan.days_too_long);
    return 0;
}

static const Command commands[] = {
    {"migrate", "create or upgrade schema absence (safe to repeat)", run_migrate},
    {"check-config", "validate the configuration file and exit", run_check_config},
    {"plan", "[--at 'YYYY-MM-DD HH:MM'] plan the texts due now (as the box does)", run_plan},
};
#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
    size_t i;

    fprintf(out, "usage: absencectl [-c CONFFILE] COMMAND [ARGS]\n"
                 "  -c CONFFILE  configuration file (default %s)\ncommands:\n",
            CONFIG_DEFAULT_PATH);
    for (i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-13s %s\n", commands[i].name, commands[i].usage);
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
        return fail_octstr(EXIT_USER, error);
    if (command->run != run_check_config) {
        ctl.conn = db_connect(&ctl.config->db, "absencectl", &error);
        if (ctl.conn == NULL) {
            config_destroy(ctl.config);
            return fail_octstr(EXIT_ENVIRONMENT, error);
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
        return fail(EXIT_USER, "unknown command '%s' (absencectl --help lists them)", argv[i]);
    gwlib_init();
    log_set_output_level(GW_ERROR);
    status = run_command(command, path, argc - i - 1, argv + i + 1);
    gwlib_shutdown();
    return status;
}
