/*
 * fuzz_template.c - libFuzzer target for the template renderer
 * (template.c), held to the rules of its SQL twin, which renders every text
 * the box sends (absence.render_template in plugin/sql/functions/text.sql:
 * {link} replaced first, then the text's own placeholder, then
 * {student_id}, each with SQL's replace()).
 *
 * An input is a kind (its first byte, modulo 4: absence, concern, stop or
 * start confirmation) and up to four fields split at NUL bytes: the
 * template, a student ID (the confirmation's word), a value (the lesson
 * time; for a concern the byte's upper bits are the days) and a link. The
 * box passes a lesson time and a link without braces (the config check
 * refuses braces in a link), so they are taken out here too.
 *
 * For every template template_check() accepts, template_render*() must give
 * what the three replace()s give, computed here (fast, no database);
 * tests/fuzz/test_twins_db replays this target's corpus through the real
 * SQL functions as well. For any template, the check gives one error line
 * or none and the renderers do not fail. A broken promise aborts, which
 * libFuzzer reports as a crash.
 */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>

#include "template.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_start();
    return 0;
}

/* The next field of DATA from *AT, up to a NUL or the end; *AT moves past
 * the NUL. */
static Octstr *field(const uint8_t *data, size_t size, size_t *at)
{
    size_t start = *at < size ? *at : size, end = start;

    while (end < size && data[end] != 0)
        end++;
    *at = end + 1;
    return octstr_create_from_data((const char *)data + start, (long)(end - start));
}

/* SQL's replace(TEXT, FROM, TO): every occurrence of FROM, left to right,
 * never scanning what was put in. A new Octstr. */
static Octstr *sql_replace(Octstr *text, const char *from, Octstr *to)
{
    Octstr *pattern = octstr_imm(from), *out = octstr_create("");
    long pos = 0, hit;

    while ((hit = octstr_search(text, pattern, pos)) >= 0) {
        octstr_append_data(out, octstr_get_cstr(text) + pos, hit - pos);
        octstr_append(out, to);
        pos = hit + octstr_len(pattern);
    }
    octstr_append_data(out, octstr_get_cstr(text) + pos, octstr_len(text) - pos);
    return out;
}

/* absence.render_template(TEMPLATE, LINK, STUDENT, NAME, VALUE). */
static Octstr *sql_render(Octstr *template, Octstr *link, Octstr *student, const char *name,
                          Octstr *value)
{
    Octstr *linked = sql_replace(template, "{link}", link);
    Octstr *valued = sql_replace(linked, name, value);
    Octstr *text = sql_replace(valued, "{student_id}", student);

    octstr_destroy(valued);
    octstr_destroy(linked);
    return text;
}

/* An error is one line (a template from a config file is one line: the
 * error quotes what is wrong in it). */
static void check_error_line(Octstr *error, Octstr *template)
{
    check(error != NULL && octstr_len(error) > 0);
    if (octstr_search_char(template, '\n', 0) < 0)
        check(octstr_search_char(error, '\n', 0) < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    TemplateKind kind = size > 0 ? (TemplateKind)(data[0] % 4) : TEMPLATE_ABSENCE;
    long days = size > 0 ? data[0] / 4 : 0;
    size_t at = size > 0 ? 1 : 0;
    Octstr *template = field(data, size, &at), *student = field(data, size, &at);
    Octstr *value = field(data, size, &at), *link = field(data, size, &at);
    Octstr *error = NULL, *text, *twin = NULL, *days_text;
    int valid;

    octstr_delete_matching(link, octstr_imm("{"));
    octstr_delete_matching(link, octstr_imm("}"));
    octstr_delete_matching(value, octstr_imm("{"));
    octstr_delete_matching(value, octstr_imm("}"));
    valid = template_check(template, kind, &error) == 0;
    check(valid == (error == NULL));
    if (!valid)
        check_error_line(error, template);
    check(template_uses_link(template, kind) == 0 || template_uses_link(template, kind) == 1);

    switch (kind) {
    case TEMPLATE_ABSENCE:
        text = template_render(template, student, value, link);
        twin = sql_render(template, link, student, "{lesson_time}", value);
        break;
    case TEMPLATE_CONCERN:
        text = template_render_concern(template, student, days, link);
        days_text = octstr_format("%ld", days);
        twin = sql_render(template, link, student, "{days}", days_text);
        octstr_destroy(days_text);
        break;
    case TEMPLATE_STOP_CONFIRMATION:
        text = template_render_confirmation(template, kind, student);
        twin = sql_replace(template, "{start_word}", student);
        break;
    default:
        text = template_render_confirmation(template, kind, student);
        twin = sql_replace(template, "{stop_word}", student);
        break;
    }
    check(text != NULL);
    if (valid)
        check(octstr_compare(text, twin) == 0);
    octstr_destroy(twin);
    octstr_destroy(text);
    octstr_destroy(error);
    octstr_destroy(link);
    octstr_destroy(value);
    octstr_destroy(student);
    octstr_destroy(template);
    return 0;
}
