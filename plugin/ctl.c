/*
 * ctl.c - absencectl's shared helpers (see ctl.h).
 */
#include <pwd.h>
#include <unistd.h>

#include "ctl.h"

int ctl_fail(int status, const char *fmt, ...)
{
    va_list args;

    fputs("absencectl: ", stderr);
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fputc('\n', stderr);
    return status;
}

int ctl_fail_octstr(int status, Octstr *message)
{
    ctl_fail(status, "%s", octstr_get_cstr(message));
    octstr_destroy(message);
    return status;
}

/* One option at ARGV[*i]; 0 or the exit status. */
static int parse_option(CtlArgs *args, int argc, char **argv, int *i, List *allowed, List *flags)
{
    Octstr *name = octstr_create(argv[*i]), *value = NULL, *names;
    long equals = octstr_search_char(name, '=', 0);
    int flag;

    if (equals >= 0) {
        value = octstr_copy(name, equals + 1, octstr_len(name));
        octstr_truncate(name, equals);
    }
    flag = gwlist_search(flags, name, octstr_item_match) != NULL;
    if (gwlist_search(allowed, name, octstr_item_match) == NULL) {
        names = output_joined(allowed, ",");
        ctl_fail(EXIT_USER, "%s: unknown option '%s' (%s%s)", args->command, octstr_get_cstr(name),
                 octstr_len(names) ? "options: " : "it takes no options", octstr_get_cstr(names));
        octstr_destroy(names);
    } else if (flag && value != NULL) {
        ctl_fail(EXIT_USER, "%s: %s takes no value", args->command, octstr_get_cstr(name));
    } else if (flag) {
        dict_put(args->options, name, octstr_create("yes"));
        octstr_destroy(name);
        return 0;
    } else if (value == NULL && *i + 1 >= argc) {
        ctl_fail(EXIT_USER, "%s: %s needs a value", args->command, octstr_get_cstr(name));
    } else {
        if (value == NULL)
            value = octstr_create(argv[++*i]);
        dict_put(args->options, name, value);
        octstr_destroy(name);
        return 0;
    }
    octstr_destroy(name);
    octstr_destroy(value);
    return EXIT_USER;
}

int ctl_args_parse(CtlArgs *args, const char *command, int argc, char **argv, List *allowed,
                   List *flags)
{
    int i;

    args->command = command;
    args->options = dict_create(16, octstr_destroy_item);
    args->words = gwlist_create();
    for (i = 0; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) == 0) {
            if (parse_option(args, argc, argv, &i, allowed, flags) != 0)
                return EXIT_USER;
        } else {
            gwlist_append(args->words, octstr_create(argv[i]));
        }
    }
    return 0;
}

void ctl_args_destroy(CtlArgs *args)
{
    dict_destroy(args->options);
    gwlist_destroy(args->words, octstr_destroy_item);
}

Octstr *ctl_arg(CtlArgs *args, const char *name)
{
    return dict_get(args->options, octstr_imm(name));
}

Octstr *ctl_word(CtlArgs *args, long i)
{
    gw_assert(i < gwlist_len(args->words));
    return gwlist_get(args->words, i);
}

PGresult *ctl_query(Ctl *ctl, const char *sql, int n, const char *const *values, int *status)
{
    Octstr *error = NULL;
    char sqlstate[6] = "";
    PGresult *rows = db_query_state(ctl->conn, sql, n, values, &error, sqlstate);

    if (rows != NULL)
        return rows;
    /* P0: raised by our functions on purpose; 22: a value the user typed */
    *status = strncmp(sqlstate, "P0", 2) == 0 || strncmp(sqlstate, "22", 2) == 0 ? EXIT_USER
                                                                                 : EXIT_ENVIRONMENT;
    ctl_fail_octstr(*status, error);
    return NULL;
}

/* 1 when TEXT has SHAPE at FROM, to its end when WHOLE: 'N' stands for a
 * digit, 'T' for 'T' or a space (ISO 8601 or as people type it), 'S' for a
 * sign. */
static int shape_at(Octstr *text, long from, const char *shape, int whole)
{
    long len = (long)strlen(shape), i;

    if (octstr_len(text) - from < len || (whole && octstr_len(text) - from != len))
        return 0;
    for (i = 0; shape[i]; i++) {
        int c = octstr_get_char(text, from + i);
        int ok = shape[i] == 'N'   ? gw_isdigit(c)
                 : shape[i] == 'T' ? c == 'T' || c == ' '
                 : shape[i] == 'S' ? c == '+' || c == '-'
                                   : c == shape[i];
        if (!ok)
            return 0;
    }
    return 1;
}

static int has_shape(Octstr *text, const char *shape)
{
    return shape_at(text, 0, shape, 1);
}

/* 1 when TEXT is a date, or a date and time with or without a UTC offset,
 * as people type it or as ISO 8601 writes it (the exports' own form
 * included); *OFFSET says whether it gave an offset. */
static int is_instant(Octstr *text, int *offset)
{
    static const char *const times[] = {"NNNN-NN-NNTNN:NN:NN", "NNNN-NN-NNTNN:NN"};
    static const char *const offsets[] = {"Z", "SNN", "SNNNN", "SNN:NN"};
    size_t i, j;

    *offset = 0;
    if (has_shape(text, "NNNN-NN-NN"))
        return 1;
    for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
        long len = (long)strlen(times[i]);
        if (!shape_at(text, 0, times[i], 0))
            continue;
        if (octstr_len(text) == len)
            return 1;
        for (j = 0; j < sizeof(offsets) / sizeof(offsets[0]); j++)
            if (shape_at(text, len, offsets[j], 1))
                return *offset = 1;
    }
    return 0;
}

/* Run a one-value conversion of TEXT ($1), in the college's time zone ($2)
 * and, when SQL takes it, knowing whether TEXT gave a UTC offset ($3); NULL
 * with *status when PostgreSQL rejects the value itself. */
static Octstr *convert(Ctl *ctl, const char *sql, int n, Octstr *text, int offset,
                       const char *option, const char *example, int *status)
{
    const char *values[3] = {text ? octstr_get_cstr(text) : NULL,
                             octstr_get_cstr(ctl->config->box.timezone), offset ? "true" : "false"};
    Octstr *error = NULL, *value;
    char sqlstate[6] = "";
    PGresult *rows = db_query_state(ctl->conn, sql, n, values, &error, sqlstate);

    if (rows == NULL) {
        if (strncmp(sqlstate, "22", 2) != 0) {
            *status = ctl_fail_octstr(EXIT_ENVIRONMENT, error);
            return NULL;
        }
        octstr_destroy(error);
        *status = ctl_fail(EXIT_USER, "%s '%s' is not a date%s like %s", option,
                           octstr_get_cstr(text), strchr(example, ':') ? " and time" : "", example);
        return NULL;
    }
    value = db_text(rows, 0, "value");
    PQclear(rows);
    return value;
}

Octstr *ctl_date(Ctl *ctl, Octstr *text, const char *option, int *status)
{
    static const char sql[] = "select coalesce($1::date, (now() at time zone $2)::date)::text "
                              "as value";

    if (text != NULL && !has_shape(text, "NNNN-NN-NN")) {
        *status = ctl_fail(EXIT_USER, "%s '%s' is not a date like 2026-11-23", option,
                           octstr_get_cstr(text));
        return NULL;
    }
    return convert(ctl, sql, 2, text, 0, option, "2026-11-23", status);
}

Octstr *ctl_instant(Ctl *ctl, Octstr *text, const char *option, int *status)
{
    static const char sql[] = "select coalesce(case when $3::boolean then $1::timestamptz"
                              "                     else $1::timestamp at time zone $2 end,"
                              "                now())::text as value";
    static const char example[] = "'2026-11-23 10:30' or 2026-11-23T10:30+00:00";
    int offset = 0;

    if (text != NULL && !is_instant(text, &offset)) {
        *status = ctl_fail(EXIT_USER, "%s '%s' is not a date and time like %s", option,
                           octstr_get_cstr(text), example);
        return NULL;
    }
    return convert(ctl, sql, 3, text, offset, option, example, status);
}

List *ctl_text_statuses(Ctl *ctl, int *status)
{
    static const char sql[] = "select status from absence.notification_status order by position";
    PGresult *rows = ctl_query(ctl, sql, 0, NULL, status);
    List *statuses;
    int row;

    if (rows == NULL)
        return NULL;
    statuses = gwlist_create();
    for (row = 0; row < PQntuples(rows); row++)
        gwlist_append(statuses, db_text(rows, row, "status"));
    PQclear(rows);
    return statuses;
}

Octstr *ctl_actor(void)
{
    const char *sudo = getenv("SUDO_USER");
    struct passwd *user = getpwuid(geteuid());

    if (sudo != NULL && *sudo != '\0')
        return octstr_format("%s (via sudo)", sudo);
    return octstr_create(user != NULL ? user->pw_name : "unknown");
}
