/*
 * conf_file.c - line numbers and syntax checks for Kannel-syntax config
 * files (see conf_file.h). It follows gwlib's cfg rules: a group is a run
 * of non-blank lines, '#' starts a comment only at the start of a line,
 * a value may be wrapped in double quotes, and any line with "include" in
 * it is an include directive.
 */
#include <ctype.h>
#include <errno.h>

#include "conf_file.h"

typedef struct ConfLine {
    long number;
    Octstr *key;
    Octstr *value; /* unquoted */
} ConfLine;

struct ConfFile {
    List *blocks; /* List of List of ConfLine */
};

static void conf_line_destroy(void *item)
{
    ConfLine *line = item;

    octstr_destroy(line->key);
    octstr_destroy(line->value);
    gw_free(line);
}

static void block_destroy(void *item)
{
    gwlist_destroy(item, conf_line_destroy);
}

void conf_file_destroy(ConfFile *file)
{
    if (file == NULL)
        return;
    gwlist_destroy(file->blocks, block_destroy);
    gw_free(file);
}

static Octstr *fail(Octstr *path, long number, const char *what)
{
    return octstr_format("%S:%ld: %s", path, number, what);
}

/* Strip the quotes gwlib's cfg would strip; NULL when a quote is unterminated. */
static Octstr *unquote(Octstr *raw)
{
    long len = octstr_len(raw);

    if (len == 0 || octstr_get_char(raw, 0) != '"')
        return octstr_duplicate(raw);
    if (len < 2 || octstr_get_char(raw, len - 1) != '"')
        return NULL;
    return octstr_copy(raw, 1, len - 2);
}

/* An unquoted value with " #" in it is a comment gwlib would keep as data. */
static int has_inline_comment(Octstr *raw)
{
    long hash;

    if (octstr_len(raw) > 0 && octstr_get_char(raw, 0) == '"')
        return 0;
    hash = octstr_search_char(raw, '#', 0);
    return hash > 0 && isspace(octstr_get_char(raw, hash - 1));
}

static Octstr *block_value(List *block, const char *key)
{
    long i;

    for (i = 0; i < gwlist_len(block); i++) {
        ConfLine *line = gwlist_get(block, i);
        if (octstr_str_compare(line->key, key) == 0)
            return line->value;
    }
    return NULL;
}

static Octstr *parse_line(Octstr *path, Octstr *text, long number, List *block)
{
    long equals = octstr_search_char(text, '=', 0);
    Octstr *key, *raw, *value;
    ConfLine *line;

    if (equals < 0)
        return fail(path, number, "expected 'key = value'");
    key = octstr_copy(text, 0, equals);
    raw = octstr_copy(text, equals + 1, octstr_len(text));
    octstr_strip_blanks(key);
    octstr_strip_blanks(raw);
    value = unquote(raw);
    if (value == NULL || has_inline_comment(raw)) {
        Octstr *error = fail(path, number,
                             value == NULL ? "a value opens a double quote it never closes"
                                           : "a '#' comment must stand on a line of its own "
                                             "(Kannel would read it as part of the value)");
        octstr_destroy(key);
        octstr_destroy(raw);
        octstr_destroy(value);
        return error;
    }
    octstr_destroy(raw);
    if (block_value(block, octstr_get_cstr(key)) != NULL) {
        Octstr *error = octstr_format("%S:%ld: '%S' is set twice in this group "
                                      "(Kannel would silently keep only the last)",
                                      path, number, key);
        octstr_destroy(key);
        octstr_destroy(value);
        return error;
    }
    line = gw_malloc(sizeof(*line));
    line->number = number;
    line->key = key;
    line->value = value;
    gwlist_append(block, line);
    return NULL;
}

static Octstr *close_block(Octstr *path, ConfFile *file, List *block)
{
    ConfLine *first;

    if (gwlist_len(block) == 0) {
        gwlist_destroy(block, NULL);
        return NULL;
    }
    first = gwlist_get(block, 0);
    gwlist_append(file->blocks, block);
    if (block_value(block, "group") == NULL)
        return fail(path, first->number,
                    "this group has no 'group = ...' line (groups are separated by blank lines)");
    return NULL;
}

/* An error when LINE, the NUMBERth, is one Kannel's cfg_read() would take
 * for an include directive: a "key = value" line (not blank, not a
 * comment) in which the letters "include" stand anywhere, even inside a
 * word or a URL. It would then panic, as no file has that name. */
static Octstr *include_error(Octstr *path, long number, Octstr *line)
{
    Octstr *text = octstr_duplicate(line), *key, *error = NULL;
    long equals;

    octstr_strip_blanks(text);
    equals = octstr_search_char(text, '=', 0);
    if (equals >= 0 && octstr_get_char(text, 0) != '#' &&
        octstr_search(text, octstr_imm("include"), 0) >= 0) {
        key = octstr_copy(text, 0, equals);
        octstr_strip_blanks(key);
        error = fail(path, number,
                     octstr_str_compare(key, "include") == 0
                         ? "'include' is not supported here: put every group in this file"
                         : "this line contains the letters 'include', and Kannel's configuration "
                           "reader would take it for an include directive and stop: reword it "
                           "(in a URL, %69nclude is the same path)");
        octstr_destroy(key);
    }
    octstr_destroy(text);
    return error;
}

/* Look for includes in LINES as gwlib's cfg reads them (expand_file()): a
 * line ending in '\' goes on with the next, unless it ends in two. */
static Octstr *check_includes(Octstr *path, List *lines)
{
    Octstr *joined = octstr_create(""), *error = NULL;
    long i, first = 1;

    for (i = 0; error == NULL && i < gwlist_len(lines); i++) {
        Octstr *line = octstr_duplicate(gwlist_get(lines, i));
        long len = octstr_len(line);
        int goes_on = len > 0 && octstr_get_char(line, len - 1) == '\\';

        if (goes_on) {
            octstr_delete(line, len - 1, 1);
            goes_on = !(len > 1 && octstr_get_char(line, len - 2) == '\\');
        }
        octstr_append(joined, line);
        octstr_destroy(line);
        if (!goes_on || i == gwlist_len(lines) - 1) {
            error = include_error(path, first, joined);
            octstr_truncate(joined, 0);
            first = i + 2;
        }
    }
    octstr_destroy(joined);
    return error;
}

static Octstr *parse_text(Octstr *path, Octstr *text, ConfFile *file)
{
    List *lines = octstr_split(text, octstr_imm("\n"));
    List *block = gwlist_create();
    Octstr *error = check_includes(path, lines);
    long i;

    for (i = 0; error == NULL && i < gwlist_len(lines); i++) {
        Octstr *line = gwlist_get(lines, i);
        octstr_strip_blanks(line);
        if (octstr_len(line) == 0) {
            error = close_block(path, file, block);
            block = gwlist_create();
        } else if (octstr_get_char(line, 0) != '#') {
            error = parse_line(path, line, i + 1, block);
        }
    }
    if (error == NULL)
        error = close_block(path, file, block);
    else
        block_destroy(block);
    gwlist_destroy(lines, octstr_destroy_item);
    return error;
}

ConfFile *conf_file_read(Octstr *path, Octstr **error)
{
    FILE *probe = fopen(octstr_get_cstr(path), "r");
    Octstr *text;
    ConfFile *file;

    /* Probe first: octstr_read_file() would log its own error line. */
    if (probe == NULL) {
        *error =
            octstr_format("%S: cannot read the configuration file (%s)", path, strerror(errno));
        return NULL;
    }
    fclose(probe);
    text = octstr_read_file(octstr_get_cstr(path));
    if (text == NULL) {
        *error = octstr_format("%S: cannot read the configuration file", path);
        return NULL;
    }
    file = gw_malloc(sizeof(*file));
    file->blocks = gwlist_create();
    *error = parse_text(path, text, file);
    octstr_destroy(text);
    if (*error != NULL) {
        conf_file_destroy(file);
        return NULL;
    }
    return file;
}

static List *find_block(ConfFile *file, const char *group, Octstr *id)
{
    long i;

    for (i = 0; i < gwlist_len(file->blocks); i++) {
        List *block = gwlist_get(file->blocks, i);
        Octstr *name = block_value(block, "group");
        Octstr *block_id = block_value(block, "id");
        if (name == NULL || octstr_str_compare(name, group) != 0)
            continue;
        if (id == NULL || (block_id != NULL && octstr_compare(block_id, id) == 0))
            return block;
    }
    return NULL;
}

long conf_file_line(ConfFile *file, const char *group, Octstr *id, const char *key)
{
    List *block = find_block(file, group, id);
    long i;

    if (block == NULL)
        return 0;
    for (i = 0; i < gwlist_len(block); i++) {
        ConfLine *line = gwlist_get(block, i);
        if (key == NULL || octstr_str_compare(line->key, key) == 0)
            return line->number;
    }
    return 0;
}
