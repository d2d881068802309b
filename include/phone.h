/*
 * phone.h - phone numbers are personal data: logs and staff reports show
 * them masked. Numbers are normalised where the policy uses them, in SQL
 * (absence.normalise_mobile); the SQL twin of phone_mask() is
 * absence.mask_mobile, and both are held to tests/mask_cases.tsv.
 */
#ifndef ABSENCE_PHONE_H
#define ABSENCE_PHONE_H

#include "gwlib/gwlib.h"

/*
 * NUMBER with its middle hidden, for logs and reports: "+447700900123"
 * becomes "+4477009****23" (always four stars, so the length is hidden too).
 * Never NULL; the caller destroys the result.
 */
Octstr *phone_mask(Octstr *number);

#endif
