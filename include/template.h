/*
 * template.h - the text's wording (README, "The rules": the message).
 *
 * A template holds literal text and the placeholders {student_id},
 * {lesson_time} and {link}. The texts the box sends are rendered by the
 * policy SQL (absence.render_message); this module validates a template at
 * start-up and renders it for the start-up length check and for tests that
 * hold the SQL rendering to the same result.
 */
#ifndef ABSENCE_TEMPLATE_H
#define ABSENCE_TEMPLATE_H

#include "gwlib/gwlib.h"

/* The longest student ID the start-up length check allows for. */
#define TEMPLATE_MAX_STUDENT_ID 20

/*
 * 0 when TEMPLATE is usable: every placeholder known, braces balanced,
 * {student_id} and {lesson_time} present. Otherwise -1 and *error (caller
 * destroys) says what is wrong, e.g. "unknown placeholder {name}".
 */
int template_check(Octstr *template, Octstr **error);

/* 1 when TEMPLATE contains {link}. */
int template_uses_link(Octstr *template);

/*
 * TEMPLATE with each placeholder replaced once, left to right; the values
 * are inserted verbatim and never scanned again. Caller destroys the result.
 */
Octstr *template_render(Octstr *template, Octstr *student_id, Octstr *lesson_time, Octstr *link);

#endif
