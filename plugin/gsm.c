/*
 * gsm.c - GSM 03.38 septet counting over UTF-8 text (see gsm.h).
 */
#include "gsm.h"

/* The basic set, as Unicode code points (ESC 0x1B excluded: never text). */
static const long basic_set[] = {
    '@',   0xA3, '$',  0xA5,  0xE8, 0xE9,  0xF9,  0xEC,  0xF2,  0xC7,  '\n',  0xD8,  0xF8,
    '\r',  0xC5, 0xE5, 0x394, '_',  0x3A6, 0x393, 0x39B, 0x3A9, 0x3A0, 0x3A8, 0x3A3, 0x398,
    0x39E, 0xC6, 0xE6, 0xDF,  0xC9, ' ',   '!',   '"',   '#',   0xA4,  '%',   '&',   '\'',
    '(',   ')',  '*',  '+',   ',',  '-',   '.',   '/',   ':',   ';',   '<',   '=',   '>',
    '?',   0xA1, 0xC4, 0xD6,  0xD1, 0xDC,  0xA7,  0xBF,  0xE4,  0xF6,  0xF1,  0xFC,  0xE0,
};

/* The extension table: each takes an escape septet plus its own. */
static const long extension_set[] = {'\f', '^', '{', '}', '\\', '[', '~', ']', '|', 0x20AC};

static int in_set(long c, const long *set, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (set[i] == c)
            return 1;
    return 0;
}

static long septets_of(long c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return 1;
    if (in_set(c, basic_set, sizeof(basic_set) / sizeof(basic_set[0])))
        return 1;
    if (in_set(c, extension_set, sizeof(extension_set) / sizeof(extension_set[0])))
        return 2;
    return -1;
}

/*
 * Decode the code point at *pos and advance past it; -1 on malformed
 * UTF-8 (bad lead byte, missing continuation, overlong or surrogate).
 */
static long next_code_point(Octstr *s, long *pos)
{
    int lead = octstr_get_char(s, *pos);
    long c, min;
    int extra, i;

    if (lead < 0x80) {
        (*pos)++;
        return lead;
    }
    if ((lead & 0xE0) == 0xC0) {
        extra = 1, c = lead & 0x1F, min = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        extra = 2, c = lead & 0x0F, min = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        extra = 3, c = lead & 0x07, min = 0x10000;
    } else {
        return -1;
    }
    for (i = 1; i <= extra; i++) {
        int next = octstr_get_char(s, *pos + i);
        if (next < 0 || (next & 0xC0) != 0x80)
            return -1;
        c = (c << 6) | (next & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return -1;
    *pos += extra + 1;
    return c;
}

long gsm_septet_count(Octstr *utf8)
{
    long pos = 0, total = 0;

    while (pos < octstr_len(utf8)) {
        long c = next_code_point(utf8, &pos);
        long n = c < 0 ? -1 : septets_of(c);
        if (n < 0)
            return -1;
        total += n;
    }
    return total;
}

long gsm_ucs2_units(Octstr *utf8)
{
    long pos = 0, total = 0;

    while (pos < octstr_len(utf8)) {
        long c = next_code_point(utf8, &pos);
        if (c < 0)
            return -1;
        total += c > 0xFFFF ? 2 : 1;
    }
    return total;
}

long gsm_septet_budget(long segments)
{
    return segments <= 1 ? GSM_SINGLE_SEPTETS : segments * GSM_PART_SEPTETS;
}

long gsm_ucs2_budget(long segments)
{
    return segments <= 1 ? UCS2_SINGLE_UNITS : segments * UCS2_PART_UNITS;
}
