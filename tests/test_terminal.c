/*
 * test_terminal.c - absencectl's output to a person (terminal.c): control,
 * invisible and bidirectional characters escaped, everything else as it
 * is, even when a character is cut between two writes.
 */
#include <stdio.h>

#include "support.h"
#include "terminal.h"

/* TEXT written through terminal_safe() in pieces of PIECE bytes, as read
 * back from the stream underneath. */
static Octstr *shown(const char *text, size_t piece)
{
    char *buffer = NULL;
    size_t size = 0, at, len = strlen(text);
    FILE *out = open_memstream(&buffer, &size);
    FILE *safe = terminal_safe(out);
    Octstr *result;

    assert_non_null(safe);
    for (at = 0; at < len; at += piece) {
        fwrite(text + at, 1, len - at < piece ? len - at : piece, safe);
        fflush(safe);
    }
    fclose(safe);
    fclose(out);
    result = octstr_create_from_data(buffer, (long)size);
    (free)(buffer); /* open_memstream allocates with libc, not gwlib */
    return result;
}

static void test_plain_text_and_newlines_pass_unchanged(void **state)
{
    (void)state;
    assert_octstr_equal(shown("Student STE04049635 £ é Δ €\n😀 next line\n", 1000),
                        "Student STE04049635 £ é Δ €\n😀 next line\n");
}

static void test_control_characters_are_escaped(void **state)
{
    (void)state;
    assert_octstr_equal(shown("a\tb\rc\x1b[2Jd\x7f"
                              "e\x01\n",
                              1000),
                        "a\\tb\\rc\\x1b[2Jd\\x7fe\\x01\n");
}

static void test_c1_invisible_and_bidi_characters_are_escaped(void **state)
{
    (void)state;
    /* U+009B (CSI), U+200B, U+202E, U+FEFF, U+00AD */
    assert_octstr_equal(shown("A\xc2\x9b"
                              "B\xe2\x80\x8b"
                              "C\xe2\x80\xae"
                              "D\xef\xbb\xbf"
                              "E\xc2\xad"
                              "F",
                              1000),
                        "A\\u009bB\\u200bC\\u202eD\\ufeffE\\u00adF");
}

static void test_a_character_cut_between_writes_is_still_escaped(void **state)
{
    const char *text = "x\xe2\x80\x8by\xc2\x9bz\xf0\x9f\x98\x80\x1b";
    size_t piece;

    (void)state;
    for (piece = 1; piece <= 4; piece++)
        assert_octstr_equal(shown(text, piece), "x\\u200by\\u009bz😀\\x1b");
}

static void test_bytes_that_are_not_utf8_pass_as_they_are(void **state)
{
    (void)state;
    assert_octstr_equal(shown("a\xff"
                              "b\xc3(c\xe2\x80",
                              1000),
                        "a\xff"
                        "b\xc3(c\xe2\x80");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text_and_newlines_pass_unchanged),
        cmocka_unit_test(test_control_characters_are_escaped),
        cmocka_unit_test(test_c1_invisible_and_bidi_characters_are_escaped),
        cmocka_unit_test(test_a_character_cut_between_writes_is_still_escaped),
        cmocka_unit_test(test_bytes_that_are_not_utf8_pass_as_they_are),
    };

    test_gwlib_init();
    return cmocka_run_group_tests_name("terminal", tests, NULL, NULL);
}
