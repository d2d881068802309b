/*
 * json.h - writing JSON text: the one escaper shared by absencectl's JSON
 * output, the policy settings the programs pass to SQL, and the SQL
 * defaults generated from config.def.
 */
#ifndef ABSENCE_JSON_H
#define ABSENCE_JSON_H

#include "gwlib/gwlib.h"

/* Append TEXT (UTF-8) to OUT as a JSON string literal, quotes included. */
void json_append_string(Octstr *out, const char *text);

/* Append "NAME": to OUT, after a comma unless OUT ends with '{' or '['. */
void json_append_name(Octstr *out, const char *name);

#endif
