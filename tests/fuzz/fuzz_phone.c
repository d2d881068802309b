/*
 * fuzz_phone.c - libFuzzer target for masking numbers: any bytes given to
 * phone_mask() as a number. The promises of phone.h are checked, and a
 * broken one aborts, which libFuzzer reports as a crash:
 *   - the mask is the number's head, four stars and its tail, in that order;
 *   - it never shows the whole number: at most ten bytes are shown, and at
 *     least two are hidden (the one byte of a one-byte "number");
 *   - numbers of 12 bytes or more (every UK mobile in E.164) all mask to
 *     the same length, so the mask hides the length too.
 * The normaliser itself is SQL (absence.normalise_mobile); its promises are
 * checked over this target's corpus by tests/fuzz/test_twins_db.
 */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "phone.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    Octstr *none;

    (void)argc, (void)argv;
    fuzz_start();
    none = phone_mask(NULL);
    check(octstr_str_compare(none, "(none)") == 0);
    octstr_destroy(none);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Octstr *number = octstr_create_from_data((const char *)data, (long)size);
    Octstr *masked = phone_mask(number);
    long len = octstr_len(number), shown, head, stars;

    if (len == 0) {
        check(octstr_str_compare(masked, "(none)") == 0);
    } else {
        /* The four stars that follow the head: the head is what comes before
         * the last run of "****" that leaves at most two bytes after it. */
        shown = octstr_len(masked) - 4;
        check(shown >= 0 && shown < len);
        check(shown <= 10 && len - shown >= (len < 2 ? len : 2));
        head = shown - (len >= 6 ? 2 : 0);
        check(head >= 0);
        stars = octstr_ncompare(masked, number, head) == 0 &&
                memcmp(octstr_get_cstr(masked) + head, "****", 4) == 0;
        check(stars);
        check(memcmp(octstr_get_cstr(masked) + head + 4,
                     octstr_get_cstr(number) + len - (shown - head), shown - head) == 0);
        if (len >= 12)
            check(octstr_len(masked) == 14);
    }
    octstr_destroy(masked);
    octstr_destroy(number);
    return 0;
}
