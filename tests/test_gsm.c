/*
 * test_gsm.c - GSM 03.38 septet counting (every case of
 * tests/septet_cases.tsv, one test each) and segment budgets.
 */
#include "support.h"
#include "gsm.h"

/* One case: field 0 text, 1 expected septets (-1 outside the alphabet). */
static void test_septet_case(void **state)
{
    List *fields = *state;

    assert_int_equal(gsm_septet_count(gwlist_get(fields, 0)),
                     atol(octstr_get_cstr(gwlist_get(fields, 1))));
}

static Octstr *repeat(const char *unit, int times)
{
    Octstr *out = octstr_create("");

    while (times-- > 0)
        octstr_append_cstr(out, unit);
    return out;
}

static void test_160_basic_characters_are_160_septets(void **state)
{
    Octstr *text = repeat("a", 160);

    (void)state;
    assert_int_equal(gsm_septet_count(text), 160);
    octstr_destroy(text);
}

static void test_80_extension_characters_are_160_septets(void **state)
{
    Octstr *text = repeat("{", 80);

    (void)state;
    assert_int_equal(gsm_septet_count(text), 160);
    octstr_destroy(text);
}

static void test_malformed_utf8_is_not_countable(void **state)
{
    (void)state;
    assert_int_equal(gsm_septet_count(octstr_imm("ab\xC3")), -1);
    assert_int_equal(gsm_septet_count(octstr_imm("\xC0\xAF")), -1);     /* overlong '/' */
    assert_int_equal(gsm_septet_count(octstr_imm("\xED\xA0\x80")), -1); /* a surrogate */
    assert_int_equal(gsm_ucs2_units(octstr_imm("\xFF")), -1);
}

static void test_ucs2_units_count_astral_characters_twice(void **state)
{
    (void)state;
    assert_int_equal(gsm_ucs2_units(octstr_imm("Zo\xC3\xAB")), 3);
    assert_int_equal(gsm_ucs2_units(octstr_imm("Hi \xF0\x9F\x98\x80")), 5);
}

static void test_segment_budgets(void **state)
{
    (void)state;
    assert_int_equal(gsm_septet_budget(1), 160);
    assert_int_equal(gsm_septet_budget(2), 306);
    assert_int_equal(gsm_septet_budget(3), 459);
    assert_int_equal(gsm_ucs2_budget(1), 70);
    assert_int_equal(gsm_ucs2_budget(2), 134);
}

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_160_basic_characters_are_160_septets),
        cmocka_unit_test(test_80_extension_characters_are_160_septets),
        cmocka_unit_test(test_malformed_utf8_is_not_countable),
        cmocka_unit_test(test_ucs2_units_count_astral_characters_twice),
        cmocka_unit_test(test_segment_budgets),
    };

    return test_run_case_file("gsm", "septet_cases.tsv", test_septet_case,
                              "septets of \"%S\" = %S (%S)", fixed,
                              sizeof(fixed) / sizeof(fixed[0]));
}
