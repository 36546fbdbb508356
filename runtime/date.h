/*
 * date.h -- calendar dates and ISO 8601 durations as the catalog format
 * defines them (docs/design.md §3): YYYY-MM-DD, real days only; P[nY][nM][nW][nD].
 * Dates are day numbers (days since 1970-01-01) so ranges compare as ints.
 */
#ifndef CX_DATE_H
#define CX_DATE_H

#include <stdint.h>

typedef int32_t cx_date; /* days since 1970-01-01; may be negative */

#define CX_DATE_NEVER INT32_MAX /* an expiry that never comes */

typedef struct cx_duration {
    int32_t years, months, weeks, days; /* each >= 0, not all zero */
} cx_duration;

/* Parses exactly "YYYY-MM-DD" (zero-padded, year 0001..9999, a real
 * calendar day). Returns 0 and sets *out, or -1 with a reason in *why. */
int cx__date_parse(const char *s, cx_date *out, const char **why);

/* Writes "YYYY-MM-DD" (11 bytes with the NUL) into buf. */
void cx__date_format(cx_date d, char buf[11]);

/* Days from a civil date, and back. */
cx_date cx__date_from_ymd(int y, int m, int d);
void cx__date_to_ymd(cx_date date, int *y, int *m, int *d);

/* Parses an ISO 8601 duration with Y, M, W, D parts. 0 or -1 (*why). */
int cx__duration_parse(const char *s, cx_duration *out, const char **why);

/* date + dur (or - dur): the largest part first, clamping to the month's
 * last day after years and after months (2024-02-29 + P1Y = 2025-02-28).
 * CX_DATE_NEVER when the sum is past 9999-12-31 (an import refuses such an
 * expiry: catalog.c); before 0001-01-01, that day. */
cx_date cx__date_add(cx_date date, const cx_duration *dur);
cx_date cx__date_sub(cx_date date, const cx_duration *dur);

/* An award's last valid day when none is stored: issued + its credential's
 * valid_for, or CX_DATE_NEVER when valid_for is NULL. The one statement of
 * the rule: the snapshot (what the evaluator reads) and cx_award_expiry
 * (what `credex show` prints) both call it. */
cx_date cx__expiry_default(cx_date issued, const cx_duration *valid_for);

#endif
