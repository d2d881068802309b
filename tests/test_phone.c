/*
 * test_phone.c - masking numbers for logs and reports: every case of
 * tests/mask_cases.tsv (which the SQL twin absence.mask_mobile is held to
 * as well), one test each.
 */
#include "support.h"
#include "phone.h"

/* One case: field 0 the number, 1 how it is shown. */
static void test_mask_case(void **state)
{
    List *fields = *state;

    assert_octstr_equal(phone_mask(gwlist_get(fields, 0)), octstr_get_cstr(gwlist_get(fields, 1)));
}

static void test_mask_nothing(void **state)
{
    (void)state;
    assert_octstr_equal(phone_mask(NULL), "(none)");
}

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_mask_nothing),
    };

    return test_run_case_file("phone", "mask_cases.tsv", test_mask_case, "mask '%S' -> %S", fixed,
                              sizeof(fixed) / sizeof(fixed[0]));
}
