/*
 * phone.c - mobile number normalisation and masking (see phone.h).
 * The rules mirror absence.normalise_mobile() in the policy migration.
 */
#include <ctype.h>

#include "phone.h"

/* Remove what people type between digits: spaces, dots, dashes, brackets. */
static Octstr *strip_separators(Octstr *raw)
{
    Octstr *out = octstr_create("");
    long i;

    for (i = 0; i < octstr_len(raw); i++) {
        int c = octstr_get_char(raw, i);
        if (isspace(c) || strchr(".-()[]", c) != NULL)
            continue;
        /* U+00A0 no-break space, as spreadsheets paste it (UTF-8 C2 A0) */
        if (c == 0xC2 && octstr_get_char(raw, i + 1) == 0xA0) {
            i++;
            continue;
        }
        octstr_append_char(out, c);
    }
    return out;
}

static int all_digits(Octstr *s)
{
    return octstr_len(s) > 0 && octstr_check_range(s, 0, octstr_len(s), gw_isdigit);
}

static int starts_with(Octstr *s, const char *prefix)
{
    return octstr_ncompare(s, octstr_imm(prefix), strlen(prefix)) == 0;
}

/*
 * Digits with their country code and no '+', or NULL. "+..." and "00..."
 * carry a country code; "44..." is the UK without its '+'; "0..." is a UK
 * national number; ten digits starting with 7 lost their leading zero.
 */
static Octstr *international_digits(Octstr *s)
{
    if (starts_with(s, "+"))
        return octstr_copy(s, 1, octstr_len(s));
    if (starts_with(s, "00"))
        return octstr_copy(s, 2, octstr_len(s));
    if (starts_with(s, "44"))
        return octstr_duplicate(s);
    if (starts_with(s, "0")) {
        Octstr *out = octstr_create("44");
        octstr_append_data(out, octstr_get_cstr(s) + 1, octstr_len(s) - 1);
        return out;
    }
    if (starts_with(s, "7") && octstr_len(s) == 10) {
        Octstr *out = octstr_create("44");
        octstr_append(out, s);
        return out;
    }
    return NULL;
}

/* A UK mobile: national part 7 + nine digits, not 70 (personal) or 76 (pagers). */
static int is_uk_mobile(Octstr *national)
{
    int second;

    if (octstr_len(national) != 10 || octstr_get_char(national, 0) != '7')
        return 0;
    second = octstr_get_char(national, 1);
    return second != '0' && second != '6';
}

Octstr *phone_normalise(Octstr *raw, int allow_international)
{
    Octstr *stripped, *digits, *result = NULL;

    if (raw == NULL)
        return NULL;
    stripped = strip_separators(raw);
    digits = international_digits(stripped);
    octstr_destroy(stripped);
    if (digits == NULL || !all_digits(digits)) {
        octstr_destroy(digits);
        return NULL;
    }
    /* "+44 (0)7..." keeps the trunk zero after the country code: drop it. */
    if (starts_with(digits, "440"))
        octstr_delete(digits, 2, 1);
    if (starts_with(digits, "44")) {
        Octstr *national = octstr_copy(digits, 2, octstr_len(digits));
        if (is_uk_mobile(national))
            result = octstr_format("+%S", digits);
        octstr_destroy(national);
    } else if (allow_international && octstr_get_char(digits, 0) != '0' &&
               octstr_len(digits) >= 8 && octstr_len(digits) <= 15) {
        result = octstr_format("+%S", digits);
    }
    octstr_destroy(digits);
    return result;
}

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
