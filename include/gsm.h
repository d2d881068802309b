/*
 * gsm.h - how much of an SMS a text takes (README, "The rules": the message).
 *
 * A single SMS holds 160 septets of the GSM 03.38 7-bit alphabet, where the
 * extension characters ^ { } \ [ ] ~ | euro and form feed take two; a text
 * with any other character must go as UCS-2 (70 UTF-16 units). Concatenated
 * texts lose a little to the header in every part. The SQL function
 * absence.gsm_septets() is this module's twin and shares its test cases
 * (tests/septet_cases.tsv).
 */
#ifndef ABSENCE_GSM_H
#define ABSENCE_GSM_H

#include "gwlib/gwlib.h"

#define GSM_SINGLE_SEPTETS 160
#define GSM_PART_SEPTETS 153
#define UCS2_SINGLE_UNITS 70
#define UCS2_PART_UNITS 67

/* Septets UTF8 takes in GSM 03.38, or -1 when it holds a character outside
 * the alphabet or is not valid UTF-8. */
long gsm_septet_count(Octstr *utf8);

/* UTF-16 code units UTF8 takes as UCS-2/UTF-16, or -1 when not valid UTF-8. */
long gsm_ucs2_units(Octstr *utf8);

/* The budget of SEGMENTS concatenated parts: septets, and UTF-16 units. */
long gsm_septet_budget(long segments);
long gsm_ucs2_budget(long segments);

#endif
