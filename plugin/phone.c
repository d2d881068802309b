/*
 * phone.c - masking phone numbers (see phone.h).
 */
#include "phone.h"

Octstr *phone_mask(Octstr *number)
{
    long len = number == NULL ? 0 : octstr_len(number);
    long head = len >= 12 ? 8 : len / 3;
    long tail = len >= 6 ? 2 : 0;
    Octstr *out;

    if (len == 0)
        return octstr_create("(none)");
    /* A fixed run of stars hides the number's length as well as its digits. */
    out = octstr_copy(number, 0, head);
    octstr_append_cstr(out, "****");
    octstr_append_data(out, octstr_get_cstr(number) + len - tail, tail);
    return out;
}
