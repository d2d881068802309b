/*
 * template.h - the text's wording (README, "The rules": the message).
 *
 * A template holds literal text and placeholders: an absence text's
 * (message-template) {student_id}, {lesson_time} and {link}; an attendance
 * concern's (concern-template) {student_id}, {days} and {link}; the
 * confirmations of a stop word (stop-confirmation, {start_word}) and of a
 * start word (start-confirmation, {stop_word}). The texts
 * the box sends are rendered by the policy SQL (absence.render_message,
 * absence.render_concern); this module validates a template at start-up and
 * renders it for the start-up length check and for tests that hold the SQL
 * rendering to the same result.
 */
#ifndef ABSENCE_TEMPLATE_H
#define ABSENCE_TEMPLATE_H

#include "gwlib/gwlib.h"

/* The longest student ID the start-up length check allows for. */
#define TEMPLATE_MAX_STUDENT_ID 20

/* Which text a template is for. */
typedef enum TemplateKind {
    TEMPLATE_ABSENCE,
    TEMPLATE_CONCERN,
    TEMPLATE_STOP_CONFIRMATION, /* {start_word}, required */
    TEMPLATE_START_CONFIRMATION /* {stop_word} */
} TemplateKind;

/*
 * 0 when TEMPLATE is usable for KIND: every placeholder one of the kind's,
 * braces balanced, {student_id} and {lesson_time} (absence) or {days}
 * (concern) present. Otherwise -1 and *error (caller destroys) says what is
 * wrong, e.g. "unknown placeholder {name}".
 */
int template_check(Octstr *template, TemplateKind kind, Octstr **error);

/* 1 when TEMPLATE contains {link}. */
int template_uses_link(Octstr *template, TemplateKind kind);

/*
 * TEMPLATE with each placeholder replaced once, left to right; the values
 * are inserted verbatim and never scanned again. Caller destroys the result.
 */
Octstr *template_render(Octstr *template, Octstr *student_id, Octstr *lesson_time, Octstr *link);

/* The same for a concern template, {days} as the number DAYS. */
Octstr *template_render_concern(Octstr *template, Octstr *student_id, long days, Octstr *link);

/* A confirmation template of KIND with its word (the first start word for a
 * stop, the first stop word for a start) put in. */
Octstr *template_render_confirmation(Octstr *template, TemplateKind kind, Octstr *word);

#endif
