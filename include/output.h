/*
 * output.h - absencectl's result sets for people and for programs: an
 * aligned table, CSV (RFC 4180) or JSON (an array of objects, numbers and
 * booleans typed, SQL NULL as null).
 */
#ifndef ABSENCE_OUTPUT_H
#define ABSENCE_OUTPUT_H

#include <stdio.h>
#include <libpq-fe.h>

#include "gwlib/gwlib.h"

typedef enum { FORMAT_TABLE, FORMAT_CSV, FORMAT_JSON, FORMAT_XML } OutputFormat;

/*
 * NAME as a format, if it is one of ALLOWED (e.g. "table,csv,json").
 * Returns 0, or -1 with *error naming the choices (caller destroys).
 */
int output_format_parse(Octstr *name, const char *allowed, OutputFormat *format, Octstr **error);

/* Print every row of ROWS to OUT in FORMAT (not FORMAT_XML). */
void output_rows(FILE *out, PGresult *rows, OutputFormat format);

/* Append row ROW of ROWS to OUT as a JSON object. */
void output_json_object(Octstr *out, PGresult *rows, int row);

/* WORDS (a List of Octstr) joined by SEPARATOR: a new Octstr. */
Octstr *output_joined(List *words, const char *separator);

#endif
