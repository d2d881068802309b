/*
 * test_phone.c - mobile number normalisation (every case of
 * tests/mobile_cases.tsv, one test each) and masking.
 */
#include "support.h"
#include "phone.h"

/* One case: field 0 raw, 1 allow-international, 2 expected or "-". */
static void test_normalise_case(void **state)
{
    List *fields = *state;
    Octstr *raw = gwlist_get(fields, 0);
    int international = octstr_str_compare(gwlist_get(fields, 1), "1") == 0;
    Octstr *expected = gwlist_get(fields, 2);
    Octstr *actual = phone_normalise(raw, international);

    assert_octstr_equal(actual, octstr_str_compare(expected, "-") == 0
                                    ? NULL : octstr_get_cstr(expected));
}

static void test_normalise_null_is_invalid(void **state)
{
    (void)state;
    assert_null(phone_normalise(NULL, 1));
}

static void test_normalise_never_changes_its_input(void **state)
{
    Octstr *raw = octstr_create("+44 (0)7700 900123");

    (void)state;
    octstr_destroy(phone_normalise(raw, 0));
    assert_octstr_equal(raw, "+44 (0)7700 900123");
}

static void test_mask_uk_mobile(void **state)
{
    (void)state;
    assert_octstr_equal(phone_mask(octstr_imm("+447700900123")), "+4477009****23");
}

static void test_mask_hides_length(void **state)
{
    (void)state;
    assert_octstr_equal(phone_mask(octstr_imm("+123456789012345")), "+1234567****45");
}

static void test_mask_short_text_shows_little(void **state)
{
    (void)state;
    assert_octstr_equal(phone_mask(octstr_imm("07700")), "0****");
    assert_octstr_equal(phone_mask(octstr_imm("123456")), "12****56");
}

static void test_mask_nothing(void **state)
{
    (void)state;
    assert_octstr_equal(phone_mask(NULL), "(none)");
    assert_octstr_equal(phone_mask(octstr_imm("")), "(none)");
}

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_normalise_null_is_invalid),
        cmocka_unit_test(test_normalise_never_changes_its_input),
        cmocka_unit_test(test_mask_uk_mobile),
        cmocka_unit_test(test_mask_hides_length),
        cmocka_unit_test(test_mask_short_text_shows_little),
        cmocka_unit_test(test_mask_nothing),
    };
    List *cases;
    int failed;

    test_gwlib_init();
    cases = test_cases_read("mobile_cases.tsv");
    failed = test_run_cases("phone", cases, test_normalise_case, "normalise '%S' (international %S) -> %S", fixed,
                            sizeof(fixed) / sizeof(fixed[0]));
    test_cases_destroy(cases);
    return failed;
}
