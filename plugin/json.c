/*
 * json.c - JSON text (see json.h).
 */
#include "json.h"

void json_append_string(Octstr *out, const char *text)
{
    octstr_append_char(out, '"');
    for (; *text; text++) {
        unsigned char c = (unsigned char)*text;
        if (c == '"' || c == '\\')
            octstr_format_append(out, "\\%c", c);
        else if (c == '\n')
            octstr_append_cstr(out, "\\n");
        else if (c == '\r')
            octstr_append_cstr(out, "\\r");
        else if (c == '\t')
            octstr_append_cstr(out, "\\t");
        else if (c < 0x20)
            octstr_format_append(out, "\\u%04x", c);
        else
            octstr_append_char(out, c);
    }
    octstr_append_char(out, '"');
}

void json_append_name(Octstr *out, const char *name)
{
    int last = octstr_len(out) > 0 ? octstr_get_char(out, octstr_len(out) - 1) : -1;

    if (last != '{' && last != '[' && last != -1)
        octstr_append_cstr(out, ", ");
    json_append_string(out, name);
    octstr_append_cstr(out, ": ");
}
