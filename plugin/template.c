/*
 * template.c - message template validation and rendering (see template.h).
 */
#include "template.h"

static const char *const placeholders[] = {"student_id", "lesson_time", "link"};
#define PLACEHOLDER_COUNT (sizeof(placeholders) / sizeof(placeholders[0]))

/* Index of NAME in placeholders[], or -1. */
static int placeholder_index(Octstr *name)
{
    size_t i;

    for (i = 0; i < PLACEHOLDER_COUNT; i++)
        if (octstr_str_compare(name, placeholders[i]) == 0)
            return (int)i;
    return -1;
}

/*
 * Walk TEMPLATE calling EMIT for each literal run (index -1) and each
 * placeholder (its index). Returns 0, or -1 with *error set.
 */
typedef void (*TemplatePiece)(void *context, Octstr *template, long from, long len, int index);

static int template_walk(Octstr *template, TemplatePiece emit, void *context, Octstr **error)
{
    long pos = 0, open, close;

    while (pos < octstr_len(template)) {
        open = octstr_search_char(template, '{', pos);
        close = octstr_search_char(template, '}', pos);
        if (close >= 0 && (open < 0 || close < open)) {
            *error = octstr_format("a '}' at character %ld closes no placeholder", close + 1);
            return -1;
        }
        if (open < 0) {
            emit(context, template, pos, octstr_len(template) - pos, -1);
            return 0;
        }
        emit(context, template, pos, open - pos, -1);
        if (close < 0) {
            *error = octstr_format("the '{' at character %ld is never closed", open + 1);
            return -1;
        } else {
            Octstr *name = octstr_copy(template, open + 1, close - open - 1);
            int index = placeholder_index(name);
            if (index < 0) {
                *error = octstr_format("unknown placeholder {%S}: use {student_id}, "
                                       "{lesson_time} or {link}",
                                       name);
                octstr_destroy(name);
                return -1;
            }
            octstr_destroy(name);
            emit(context, template, open, close - open + 1, index);
        }
        pos = close + 1;
    }
    return 0;
}

static void count_piece(void *context, Octstr *template, long from, long len, int index)
{
    int *seen = context;

    (void)template, (void)from, (void)len;
    if (index >= 0)
        seen[index]++;
}

int template_check(Octstr *template, Octstr **error)
{
    int seen[PLACEHOLDER_COUNT] = {0};

    if (template_walk(template, count_piece, seen, error) < 0)
        return -1;
    if (seen[0] == 0 || seen[1] == 0) {
        *error = octstr_format("the text must name the student and the lesson: "
                               "put {student_id} and {lesson_time} in it");
        return -1;
    }
    return 0;
}

int template_uses_link(Octstr *template)
{
    int seen[PLACEHOLDER_COUNT] = {0};
    Octstr *error = NULL;

    template_walk(template, count_piece, seen, &error);
    octstr_destroy(error);
    return seen[2] > 0;
}

typedef struct RenderContext {
    Octstr *out;
    Octstr *values[PLACEHOLDER_COUNT];
} RenderContext;

static void render_piece(void *context, Octstr *template, long from, long len, int index)
{
    RenderContext *render = context;

    if (index < 0)
        octstr_append_data(render->out, octstr_get_cstr(template) + from, len);
    else if (render->values[index] != NULL)
        octstr_append(render->out, render->values[index]);
}

Octstr *template_render(Octstr *template, Octstr *student_id, Octstr *lesson_time, Octstr *link)
{
    RenderContext render = {octstr_create(""), {student_id, lesson_time, link}};
    Octstr *error = NULL;

    template_walk(template, render_piece, &render, &error);
    octstr_destroy(error);
    return render.out;
}
