/*
 * absencebox.c - the companion box: absencebox [OPTIONS] CONFFILE.
 *
 * Kannel conventions: -v LEVEL, -F LOGFILE, -V LEVEL, --daemonize,
 * --pid-file FILE through gwlib's get_and_set_debugs(); SIGTERM and SIGINT
 * stop it cleanly (exit 0), SIGHUP reopens the log files. The configuration
 * is read and checked before daemonizing, so a mistake is reported on the
 * terminal as one line, with exit status 1.
 */
#include <signal.h>

#include "box.h"
#include "config.h"
#include "migrate.h"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reopen_requested;

static void on_stop(int signum)
{
    (void)signum;
    stop_requested = 1;
}

static void on_hangup(int signum)
{
    (void)signum;
    reopen_requested = 1;
}

static void install_signals(void)
{
    struct sigaction action;

    memset(&action, 0, sizeof(action));
    sigemptyset(&action.sa_mask);
    action.sa_handler = on_stop;
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    action.sa_handler = on_hangup;
    sigaction(SIGHUP, &action, NULL);
    action.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &action, NULL);
}

/* The first argument that is neither an option nor an option's value. */
static const char *config_argument(int argc, char **argv)
{
    static const char *const with_value[] = {
        "-v", "--verbosity",    "-F", "--logfile",  "-V", "--fileverbosity", "-D", "--debug",
        "-X", "--panic-script", "-p", "--pid-file", "-u", "--user"};
    int i;
    size_t j;

    for (i = 1; i < argc; i++) {
        int takes_value = 0;
        if (argv[i][0] != '-')
            return argv[i];
        for (j = 0; j < sizeof(with_value) / sizeof(with_value[0]); j++)
            takes_value |= strcmp(argv[i], with_value[j]) == 0;
        i += takes_value;
    }
    return NULL;
}

static AbsenceConfig *load_config(int argc, char **argv)
{
    const char *path = config_argument(argc, argv);
    Octstr *file, *error = NULL;
    AbsenceConfig *config;

    if (path == NULL) {
        fprintf(stderr, "usage: absencebox [-v LEVEL] [-F LOGFILE] [-V LEVEL] [--daemonize] "
                        "[--pid-file FILE] CONFFILE | --version\n");
        return NULL;
    }
    file = octstr_create(path);
    config = config_load(file, &error);
    octstr_destroy(file);
    if (config == NULL) {
        fprintf(stderr, "absencebox: %s\n", octstr_get_cstr(error));
        octstr_destroy(error);
    }
    return config;
}

/* Parents reply to the sender; a name cannot be replied to. */
static void warn_if_unrepliable(Octstr *sender)
{
    long start = octstr_get_char(sender, 0) == '+' ? 1 : 0;

    if (!octstr_check_range(sender, start, octstr_len(sender) - start, gw_isdigit))
        info(0,
             "absencebox: the sender '%s' is a name: parents cannot reply to it, nor send STOP; "
             "set sender to the college's reply number to receive replies",
             octstr_get_cstr(sender));
}

int main(int argc, char **argv)
{
    AbsenceConfig *config;
    Octstr *problem = NULL;
    Box *box;
    int status = 0;

    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("absencebox %s (schema version %d)\n", ABSENCEBOX_VERSION,
               migrate_newest_version(&absence_schema));
        return 0;
    }
    gwlib_init();
    config = load_config(argc, argv);
    if (config == NULL) {
        log_set_output_level(GW_PANIC); /* the one line said it all */
        gwlib_shutdown();
        return 1;
    }
    get_and_set_debugs(argc, argv, NULL);
    if (config->box.log_file != NULL)
        log_open(octstr_get_cstr(config->box.log_file), (int)config->box.log_level, GW_NON_EXCL);
    install_signals();
    info(0, "absencebox starting as box id <%s> (configuration %s)",
         octstr_get_cstr(config->box.id), octstr_get_cstr(config->path));
    warn_if_unrepliable(config->box.sender);
    box = box_create(config);
    if (box_open_database(box, &stop_requested, &problem) == 0) {
        status = box_run(box, &stop_requested, &reopen_requested) < 0 ? 1 : 0;
    } else if (problem != NULL) {
        error(0, "absencebox: %s", octstr_get_cstr(problem));
        fprintf(stderr, "absencebox: %s\n", octstr_get_cstr(problem));
        octstr_destroy(problem);
        status = 1;
    }
    info(0, "absencebox stopped");
    box_destroy(box);
    config_destroy(config);
    gwlib_shutdown();
    return status;
}
