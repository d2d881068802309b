/*
 * test_template.c - the message template: validation and rendering.
 */
#include "support.h"
#include "template.h"

#define SEED_TEMPLATE                                                                              \
    "Student {student_id} did not attend their lesson today at {lesson_time}. If this is a "       \
    "genuine absence, please notify us here: {link}"

static Octstr *render(const char *template, const char *id)
{
    return template_render(octstr_imm(template), octstr_imm(id), octstr_imm("10:10"),
                           octstr_imm("https://tinyurl.com/runabs"));
}

#define CONCERN_TEMPLATE                                                                           \
    "Attendance concern: student {student_id} has been absent on {days} days this term. Please "   \
    "contact the college to discuss: {link}"

/* The error template_check() gives for TEMPLATE of KIND, or "ok". */
static Octstr *check_kind(const char *template, TemplateKind kind)
{
    Octstr *error = NULL;

    if (template_check(octstr_imm(template), kind, &error) == 0)
        return octstr_create("ok");
    return error;
}

static Octstr *check(const char *template)
{
    return check_kind(template, TEMPLATE_ABSENCE);
}

static void test_default_template_renders_the_seed_sample(void **state)
{
    (void)state;
    assert_octstr_equal(render(SEED_TEMPLATE, "STE04049635"),
                        "Student STE04049635 did not attend their lesson today at 10:10. If this "
                        "is a genuine absence, please notify us here: https://tinyurl.com/runabs");
}

static void test_student_id_is_carried_verbatim(void **state)
{
    (void)state;
    assert_octstr_equal(render("[{student_id}]", "O'Brien \"%\\_01"), "[O'Brien \"%\\_01]");
}

static void test_placeholder_text_in_a_value_is_not_expanded(void **state)
{
    (void)state;
    assert_octstr_equal(render("{student_id} at {lesson_time}", "{link}{lesson_time}"),
                        "{link}{lesson_time} at 10:10");
}

static void test_placeholder_may_repeat(void **state)
{
    (void)state;
    assert_octstr_equal(render("{student_id} {student_id} {lesson_time}", "S1"), "S1 S1 10:10");
}

static void test_default_template_is_valid(void **state)
{
    (void)state;
    assert_octstr_equal(check(SEED_TEMPLATE), "ok");
    assert_true(template_uses_link(octstr_imm(SEED_TEMPLATE), TEMPLATE_ABSENCE));
}

static void test_template_without_link_is_valid(void **state)
{
    (void)state;
    assert_octstr_equal(check("{student_id} missed {lesson_time}"), "ok");
    assert_false(
        template_uses_link(octstr_imm("{student_id} missed {lesson_time}"), TEMPLATE_ABSENCE));
}

static void test_unknown_placeholder_is_rejected(void **state)
{
    (void)state;
    assert_octstr_equal(check("Dear {name}, {student_id} missed {lesson_time}"),
                        "unknown placeholder {name}: use {student_id}, {lesson_time} or {link}");
}

static void test_unclosed_brace_is_rejected(void **state)
{
    (void)state;
    assert_octstr_equal(check("{student_id} missed {lesson_time"),
                        "the '{' at character 21 is never closed");
}

static void test_stray_closing_brace_is_rejected(void **state)
{
    (void)state;
    assert_octstr_equal(check("{student_id} missed} {lesson_time}"),
                        "a '}' at character 20 closes no placeholder");
}

static void test_nested_braces_are_an_unknown_placeholder(void **state)
{
    (void)state;
    assert_octstr_equal(check("{stud{link}ent_id} {lesson_time}"),
                        "unknown placeholder {stud{link}: use {student_id}, {lesson_time} or "
                        "{link}");
}

static void test_template_must_name_student_and_lesson(void **state)
{
    (void)state;
    assert_octstr_equal(check("Your child missed a lesson at {lesson_time}"),
                        "the text must name the student and the lesson: put {student_id} and "
                        "{lesson_time} in it");
    assert_octstr_equal(check("{student_id} missed a lesson"),
                        "the text must name the student and the lesson: put {student_id} and "
                        "{lesson_time} in it");
}

static void test_concern_template_renders_the_policy_text(void **state)
{
    Octstr *text = template_render_concern(octstr_imm(CONCERN_TEMPLATE), octstr_imm("STE04049635"),
                                           7, octstr_imm("https://tinyurl.com/runabs"));

    (void)state;
    assert_octstr_equal(text, "Attendance concern: student STE04049635 has been absent on 7 days "
                              "this term. Please contact the college to discuss: "
                              "https://tinyurl.com/runabs");
    assert_octstr_equal(check_kind(CONCERN_TEMPLATE, TEMPLATE_CONCERN), "ok");
    assert_true(template_uses_link(octstr_imm(CONCERN_TEMPLATE), TEMPLATE_CONCERN));
}

/* Each kind has its own placeholders: a lesson time means nothing in a
 * concern text, a number of days nothing in an absence text. */
static void test_each_kind_takes_only_its_placeholders(void **state)
{
    (void)state;
    assert_octstr_equal(
        check_kind("{student_id} missed {days} days at {lesson_time}", TEMPLATE_CONCERN),
        "unknown placeholder {lesson_time}: use {student_id}, {days} or {link}");
    assert_octstr_equal(check("{student_id} missed {lesson_time} on {days} days"),
                        "unknown placeholder {days}: use {student_id}, {lesson_time} or {link}");
    assert_octstr_equal(check_kind("Student {student_id} has been absent a lot", TEMPLATE_CONCERN),
                        "the text must name the student and the number of days: put "
                        "{student_id} and {days} in it");
    assert_octstr_equal(check_kind("A student has been absent on {days} days", TEMPLATE_CONCERN),
                        "the text must name the student and the number of days: put "
                        "{student_id} and {days} in it");
}

int main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_template_renders_the_seed_sample),
        cmocka_unit_test(test_student_id_is_carried_verbatim),
        cmocka_unit_test(test_placeholder_text_in_a_value_is_not_expanded),
        cmocka_unit_test(test_placeholder_may_repeat),
        cmocka_unit_test(test_default_template_is_valid),
        cmocka_unit_test(test_template_without_link_is_valid),
        cmocka_unit_test(test_unknown_placeholder_is_rejected),
        cmocka_unit_test(test_unclosed_brace_is_rejected),
        cmocka_unit_test(test_stray_closing_brace_is_rejected),
        cmocka_unit_test(test_nested_braces_are_an_unknown_placeholder),
        cmocka_unit_test(test_template_must_name_student_and_lesson),
        cmocka_unit_test(test_concern_template_renders_the_policy_text),
        cmocka_unit_test(test_each_kind_takes_only_its_placeholders),
    };

    test_gwlib_init();
    return cmocka_run_group_tests_name("template", tests, NULL, NULL);
}
