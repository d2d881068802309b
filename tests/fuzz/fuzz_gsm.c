/*
 * fuzz_gsm.c - libFuzzer target for the GSM counter (gsm.c), held to
 * Kannel's own encoders, what bearerbox does with the text the box sends:
 *   - for every text gsm_septet_count() finds in the GSM 03.38 alphabet,
 *     charset_utf8_to_gsm() gives that many septets (an extension
 *     character is an escape and its code), and converting them back gives
 *     the text again;
 *   - a valid UTF-8 text it finds outside the alphabet (characters up to
 *     U+FFFF, all Kannel's encoder reads) does not come back from Kannel's
 *     encoder unchanged: the box would send it as UCS-2, not lose letters;
 *   - gsm_ucs2_units() is the length of charset_convert()'s UTF-16BE, as
 *     message.c converts it, in 16-bit units;
 *   - the parts Kannel's sms_split() cuts the text into (as an SMSC
 *     connection does, concatenated, 140 octets a part) are as many as
 *     gsm_ucs2_budget() says for UCS-2, and never fewer than
 *     gsm_septet_budget() says for GSM: Kannel does not cut an extension
 *     character's two septets apart, so a text with extension characters
 *     can take a part more than its septets need (see gsm.h's budgets).
 * A disagreement aborts: a text the box thinks fits one SMS would go as
 * two, or be refused.
 */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>

#include "gw/msg.h"
#include "gw/sms.h"

#include "gsm.h"

/* An SMSC connection's part: 140 octets (160 septets). */
#define PART_OCTETS 140

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_start();
    return 0;
}

/* 1 when valid UTF-8 TEXT has a character beyond U+FFFF (4 bytes). */
static int beyond_bmp(Octstr *text)
{
    long i;

    for (i = 0; i < octstr_len(text); i++)
        if ((octstr_get_char(text, i) & 0xF8) == 0xF0)
            return 1;
    return 0;
}

/* How many parts Kannel's sms_split() makes of TEXT sent with CODING. */
static long kannel_parts(Octstr *text, int coding)
{
    Msg *msg = msg_create(sms);
    List *parts;
    long count;

    msg->sms.msgdata = octstr_duplicate(text);
    msg->sms.coding = coding;
    parts = sms_split(msg, NULL, NULL, NULL, NULL, 1, 0, 1000, PART_OCTETS);
    count = gwlist_len(parts);
    gwlist_destroy(parts, msg_destroy_item);
    msg_destroy(msg);
    return count;
}

/* The fewest segments whose BUDGET holds COUNT. */
static long segments_for(long count, long (*budget)(long))
{
    long segments = 1;

    while (budget(segments) < count)
        segments++;
    return segments;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Octstr *text = octstr_create_from_data((const char *)data, (long)size);
    long septets = gsm_septet_count(text), units = gsm_ucs2_units(text);
    Octstr *gsm, *back, *utf16;

    if (units >= 0) {
        utf16 = octstr_duplicate(text);
        check(charset_convert(utf16, "UTF-8", "UTF-16BE") == 0);
        check(octstr_len(utf16) == 2 * units);
        if (units > 0 && septets < 0)
            check(kannel_parts(utf16, DC_UCS2) == segments_for(units, gsm_ucs2_budget));
        octstr_destroy(utf16);
    }
    if (septets >= 0)
        check(units >= 0); /* in the alphabet means valid UTF-8 */
    if (units >= 0 && !beyond_bmp(text)) {
        gsm = octstr_duplicate(text);
        charset_utf8_to_gsm(gsm);
        back = octstr_duplicate(gsm);
        charset_gsm_to_utf8(back);
        if (septets >= 0) {
            check(octstr_len(gsm) == septets);
            check(octstr_compare(back, text) == 0);
            if (septets > 0)
                check(kannel_parts(text, DC_7BIT) >= segments_for(septets, gsm_septet_budget));
            if (septets > 0 && octstr_search_char(gsm, 27, 0) < 0)
                check(kannel_parts(text, DC_7BIT) == segments_for(septets, gsm_septet_budget));
        } else {
            check(octstr_compare(back, text) != 0);
        }
        octstr_destroy(back);
        octstr_destroy(gsm);
    }
    octstr_destroy(text);
    return 0;
}
