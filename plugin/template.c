/*
 * template.c - message template validation and rendering (see template.h).
 */
#include "template.h"

/* Every placeholder of any template, in the order of the values a render
 * takes; which of them a kind of text may or must use is in kinds[]. */
enum { STUDENT_ID, LESSON_TIME, LINK, DAYS, START_WORD, STOP_WORD, PLACEHOLDER_COUNT };
static const char *const placeholders[PLACEHOLDER_COUNT] = {
    "student_id", "lesson_time", "link", "days", "start_word", "stop_word"};

typedef struct TemplateRules {
    int allowed[PLACEHOLDER_COUNT];
    int required[PLACEHOLDER_COUNT];
    const char *usable;  /* the placeholders it may use, for the error line */
    const char *missing; /* what to say when a required one is missing */
} TemplateRules;

static const TemplateRules kinds[] = {
    [TEMPLATE_ABSENCE] = {{1, 1, 1, 0, 0, 0},
                          {1, 1, 0, 0, 0, 0},
                          "{student_id}, {lesson_time} or {link}",
                          "the text must name the student and the lesson: "
                          "put {student_id} and {lesson_time} in it"},
    [TEMPLATE_CONCERN] = {{1, 0, 1, 1, 0, 0},
                          {1, 0, 0, 1, 0, 0},
                          "{student_id}, {days} or {link}",
                          "the text must name the student and the number of days: "
                          "put {student_id} and {days} in it"},
    [TEMPLATE_STOP_CONFIRMATION] = {{0, 0, 0, 0, 1, 0},
                                    {0, 0, 0, 0, 1, 0},
                                    "{start_word}",
                                    "the text must say how to undo the opt-out: put "
                                    "{start_word} in it"},
    [TEMPLATE_START_CONFIRMATION] = {{0, 0, 0, 0, 0, 1}, {0}, "{stop_word}", ""},
};

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

static int template_walk(Octstr *template, TemplateKind kind, TemplatePiece emit, void *context,
                         Octstr **error)
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
            if (index < 0 || !kinds[kind].allowed[index]) {
                *error =
                    octstr_format("unknown placeholder {%S}: use %s", name, kinds[kind].usable);
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

int template_check(Octstr *template, TemplateKind kind, Octstr **error)
{
    int seen[PLACEHOLDER_COUNT] = {0}, i;

    if (template_walk(template, kind, count_piece, seen, error) < 0)
        return -1;
    for (i = 0; i < PLACEHOLDER_COUNT; i++)
        if (kinds[kind].required[i] && seen[i] == 0) {
            *error = octstr_create(kinds[kind].missing);
            return -1;
        }
    return 0;
}

int template_uses_link(Octstr *template, TemplateKind kind)
{
    int seen[PLACEHOLDER_COUNT] = {0};
    Octstr *error = NULL;

    template_walk(template, kind, count_piece, seen, &error);
    octstr_destroy(error);
    return seen[LINK] > 0;
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

static Octstr *render_template(Octstr *template, TemplateKind kind, RenderContext *render)
{
    Octstr *error = NULL;

    template_walk(template, kind, render_piece, render, &error);
    octstr_destroy(error);
    return render->out;
}

Octstr *template_render(Octstr *template, Octstr *student_id, Octstr *lesson_time, Octstr *link)
{
    RenderContext context = {octstr_create(""), {student_id, lesson_time, link, NULL, NULL, NULL}};

    return render_template(template, TEMPLATE_ABSENCE, &context);
}

Octstr *template_render_concern(Octstr *template, Octstr *student_id, long days, Octstr *link)
{
    Octstr *count = octstr_format("%ld", days), *text;
    RenderContext context = {octstr_create(""), {student_id, NULL, link, count, NULL, NULL}};

    text = render_template(template, TEMPLATE_CONCERN, &context);
    octstr_destroy(count);
    return text;
}

Octstr *template_render_confirmation(Octstr *template, TemplateKind kind, Octstr *word)
{
    RenderContext context = {octstr_create(""), {NULL, NULL, NULL, NULL, word, word}};

    return render_template(template, kind, &context);
}
