/*
 * output.c - tables, CSV and JSON from libpq results (see output.h).
 */
#include "json.h"
#include "output.h"

/* PostgreSQL type oids JSON shows unquoted. */
#define OID_BOOL 16
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_NUMERIC 1700

int output_format_parse(Octstr *name, const char *allowed, OutputFormat *format, Octstr **error)
{
    /* "text" and "table" are one format: newer commands say text */
    static const struct {
        const char *name, *synonym;
        OutputFormat format;
    } formats[] = {{"table", "text", FORMAT_TABLE},
                   {"text", "table", FORMAT_TABLE},
                   {"csv", NULL, FORMAT_CSV},
                   {"json", NULL, FORMAT_JSON},
                   {"xml", NULL, FORMAT_XML}};
    List *choices = octstr_split(octstr_imm(allowed), octstr_imm(","));
    int found = 0;
    size_t i;

    for (i = 0; i < sizeof(formats) / sizeof(formats[0]) && !found; i++) {
        if (octstr_str_compare(name, formats[i].name) != 0)
            continue;
        found = gwlist_search(choices, name, octstr_item_match) != NULL ||
                (formats[i].synonym != NULL &&
                 gwlist_search(choices, octstr_imm(formats[i].synonym), octstr_item_match) != NULL);
        *format = formats[i].format;
    }
    gwlist_destroy(choices, octstr_destroy_item);
    if (!found)
        *error = octstr_format("--format '%S' is not one of %s", name, allowed);
    return found ? 0 : -1;
}

/* Display width of a UTF-8 string: its code points. */
static long display_width(const char *text)
{
    long width = 0;

    for (; *text; text++)
        width += ((unsigned char)*text & 0xC0) != 0x80;
    return width;
}

static void print_padded(FILE *out, const char *text, long width, int last)
{
    fputs(text, out);
    if (!last)
        fprintf(out, "%*s", (int)(width - display_width(text) + 2), "");
}

static void output_table(FILE *out, PGresult *rows)
{
    int columns = PQnfields(rows), row, column;
    long *width = gw_malloc(sizeof(long) * (columns > 0 ? columns : 1));

    for (column = 0; column < columns; column++) {
        width[column] = display_width(PQfname(rows, column));
        for (row = 0; row < PQntuples(rows); row++) {
            long w = display_width(PQgetvalue(rows, row, column));
            width[column] = w > width[column] ? w : width[column];
        }
    }
    for (column = 0; column < columns; column++)
        print_padded(out, PQfname(rows, column), width[column], column == columns - 1);
    fputc('\n', out);
    for (column = 0; column < columns; column++) {
        long i;
        for (i = 0; i < width[column]; i++)
            fputc('-', out);
        fputs(column == columns - 1 ? "\n" : "  ", out);
    }
    for (row = 0; row < PQntuples(rows); row++) {
        for (column = 0; column < columns; column++)
            print_padded(out, PQgetisnull(rows, row, column) ? "" : PQgetvalue(rows, row, column),
                         width[column], column == columns - 1);
        fputc('\n', out);
    }
    gw_free(width);
}

static void print_csv_field(FILE *out, const char *text)
{
    if (strpbrk(text, ",\"\r\n") == NULL) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (; *text; text++) {
        if (*text == '"')
            fputc('"', out);
        fputc(*text, out);
    }
    fputc('"', out);
}

static void output_csv(FILE *out, PGresult *rows)
{
    int columns = PQnfields(rows), row, column;

    for (column = 0; column < columns; column++) {
        if (column > 0)
            fputc(',', out);
        print_csv_field(out, PQfname(rows, column));
    }
    fputs("\r\n", out);
    for (row = 0; row < PQntuples(rows); row++) {
        for (column = 0; column < columns; column++) {
            if (column > 0)
                fputc(',', out);
            print_csv_field(out, PQgetvalue(rows, row, column));
        }
        fputs("\r\n", out);
    }
}

static void json_value(Octstr *out, PGresult *rows, int row, int column)
{
    Oid type = PQftype(rows, column);
    const char *value = PQgetvalue(rows, row, column);

    if (PQgetisnull(rows, row, column))
        octstr_append_cstr(out, "null");
    else if (type == OID_BOOL)
        octstr_append_cstr(out, value[0] == 't' ? "true" : "false");
    else if (type == OID_INT2 || type == OID_INT4 || type == OID_INT8 || type == OID_NUMERIC)
        octstr_append_cstr(out, value);
    else
        json_append_string(out, value);
}

void output_json_object(Octstr *out, PGresult *rows, int row)
{
    int column;

    octstr_append_char(out, '{');
    for (column = 0; column < PQnfields(rows); column++) {
        if (column > 0)
            octstr_append_cstr(out, ", ");
        json_append_string(out, PQfname(rows, column));
        octstr_append_cstr(out, ": ");
        json_value(out, rows, row, column);
    }
    octstr_append_char(out, '}');
}

static void output_json(FILE *out, PGresult *rows)
{
    Octstr *text = octstr_create("[");
    int row;

    for (row = 0; row < PQntuples(rows); row++) {
        octstr_append_cstr(text, row > 0 ? ",\n " : "");
        output_json_object(text, rows, row);
    }
    octstr_append_cstr(text, "]\n");
    fwrite(octstr_get_cstr(text), 1, octstr_len(text), out);
    octstr_destroy(text);
}

void output_rows(FILE *out, PGresult *rows, OutputFormat format)
{
    if (format == FORMAT_CSV)
        output_csv(out, rows);
    else if (format == FORMAT_JSON)
        output_json(out, rows);
    else
        output_table(out, rows);
}

Octstr *output_joined(List *words, const char *separator)
{
    Octstr *out = octstr_create("");
    long i;

    for (i = 0; i < gwlist_len(words); i++)
        octstr_format_append(out, "%s%S", i ? separator : "", gwlist_get(words, i));
    return out;
}
