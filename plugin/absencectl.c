/*
 * absencectl.c - the admin tool: absencectl [-c CONFFILE] COMMAND [ARGS].
 *
 * Exit status 0 on success, 1 on a user error (one line on stderr saying
 * what to fix), 2 when the database cannot be reached or fails. The
 * commands are the rows of ctl_commands.c.
 */
#include "ctl_commands.h"
#include "migrate.h"
#include "terminal.h"

/* OUT wrapped by terminal_safe(), or OUT itself if that cannot be made. */
static FILE *terminal_safe_or(FILE *out)
{
    FILE *safe = terminal_safe(out);

    return safe != NULL ? safe : out;
}

/* Close *STREAM if it is a terminal_safe() wrapper, flushing it, and put
 * back ORIGINAL. */
static void terminal_safe_close(FILE **stream, FILE *original)
{
    if (*stream != original) {
        fclose(*stream);
        *stream = original;
    }
}

/* 1 when ARGV asks for help anywhere among the command's arguments. */
static int wants_help(int argc, char **argv)
{
    int i;

    for (i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}

static int run_command(const CtlCommand *command, const char *path, CtlArgs *args,
                       OutputFormat format)
{
    Octstr *error = NULL, *file = octstr_create(path);
    Ctl ctl = {NULL, NULL};
    int status;

    ctl.config = config_load(file, &error);
    octstr_destroy(file);
    if (ctl.config == NULL)
        return ctl_fail_octstr(EXIT_USER, error);
    if (command->needs_database) {
        ctl.conn = db_connect(&ctl.config->db, "absencectl", &error);
        if (ctl.conn == NULL) {
            config_destroy(ctl.config);
            return ctl_fail_octstr(EXIT_ENVIRONMENT, error);
        }
    }
    status = command->run(&ctl, args, format);
    PQfinish(ctl.conn);
    config_destroy(ctl.config);
    return status;
}

/* Check the command line, then load the configuration and run. */
static int run(const CtlCommand *command, const char *path, int argc, char **argv)
{
    OutputFormat format;
    CtlArgs args;
    int status = ctl_command_parse(command, argc, argv, &args, &format);

    /* what a person reads gets its control characters escaped; csv and
     * json are for programs, and escape what their format needs */
    if (status == 0 && format == FORMAT_TABLE)
        stdout = terminal_safe_or(stdout);
    if (status == 0)
        status = run_command(command, path, &args, format);
    ctl_args_destroy(&args);
    return status;
}

int main(int argc, char **argv)
{
    const char *path = CONFIG_DEFAULT_PATH;
    FILE *out = stdout, *err = stderr;
    const CtlCommand *command = NULL;
    int i = 1, status = 0;

    gwlib_init();
    log_set_output_level(GW_ERROR);
    stderr = terminal_safe_or(stderr);
    if (argc > 2 && (strcmp(argv[1], "-c") == 0 || strcmp(argv[1], "--config") == 0)) {
        path = argv[2];
        i = 3;
    }
    if (i < argc && (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0))
        ctl_commands_list(stdout);
    else if (i < argc && strcmp(argv[i], "--version") == 0)
        printf("absencectl %s (schema version %d)\n", ABSENCEBOX_VERSION,
               migrate_newest_version(&absence_schema));
    else if (i >= argc)
        status = ctl_fail(EXIT_USER, "no command given (absencectl --help lists them)");
    else if ((command = ctl_command_find(argv[i])) == NULL)
        status =
            ctl_fail(EXIT_USER, "unknown command '%s' (absencectl --help lists them)", argv[i]);
    else if (wants_help(argc - i - 1, argv + i + 1))
        ctl_command_help(command, stdout);
    else
        status = run(command, path, argc - i - 1, argv + i + 1);
    terminal_safe_close(&stdout, out);
    terminal_safe_close(&stderr, err);
    gwlib_shutdown();
    return status;
}
