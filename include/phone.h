/*
 * phone.h - mobile numbers as parents type them (POLICY.md section 4).
 *
 * phone_normalise() is the C twin of the SQL function
 * absence.normalise_mobile(), which is what the policy uses when it plans.
 * Both are tested against the same case list (tests/mobile_cases.tsv), so
 * they cannot drift apart. The C one serves absencectl (numbers typed at
 * the command line) and the tests.
 */
#ifndef ABSENCE_PHONE_H
#define ABSENCE_PHONE_H

#include "gwlib/gwlib.h"

/*
 * The E.164 form ("+447700900123") of RAW, or NULL when RAW is not a number
 * that can receive a text: blank, malformed, a UK landline or special range,
 * the wrong length, or foreign while ALLOW_INTERNATIONAL is false.
 * The caller destroys the result.
 */
Octstr *phone_normalise(Octstr *raw, int allow_international);

/*
 * NUMBER with its middle hidden, for logs and reports: "+447700900123"
 * becomes "+4477009****23" (always four stars, so the length is hidden too).
 * Never NULL; the caller destroys the result.
 */
Octstr *phone_mask(Octstr *number);

#endif
