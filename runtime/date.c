/*
 * date.c -- strict date and duration parsing and calendar arithmetic.
 * Pure functions; no clock is ever read here.
 */
#include "date.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Howard Hinnant's days_from_civil. */
cx_date cx__date_from_ymd(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (cx_date)(era * 146097 + doe - 719468);
}

void cx__date_to_ymd(cx_date date, int *y, int *m, int *d)
{
    int z = date + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int cx__date_parse(const char *s, cx_date *out, const char **why)
{
    const char *shape = "expected a date as YYYY-MM-DD";
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') {
        *why = shape;
        return -1;
    }
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 0 || m < 0 || d < 0) {
        *why = shape;
        return -1;
    }
    if (y < 1) {
        *why = "year must be 0001 or later";
        return -1;
    }
    if (m < 1 || m > 12) {
        *why = "month must be 01 to 12";
        return -1;
    }
    if (d < 1 || d > month_days(y, m)) {
        *why = "no such day in that month";
        return -1;
    }
    *out = cx__date_from_ymd(y, m, d);
    return 0;
}

void cx__date_format(cx_date d, char buf[11])
{
    int y, m, dd;
    if (d == CX_DATE_NEVER) {
        memcpy(buf, "9999-12-31", 11);
        return;
    }
    cx__date_to_ymd(d, &y, &m, &dd);
    y = y < 0 ? 0 : y % 10000;
    buf[0] = (char)('0' + y / 1000);
    buf[1] = (char)('0' + y / 100 % 10);
    buf[2] = (char)('0' + y / 10 % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + m / 10);
    buf[6] = (char)('0' + m % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + dd / 10);
    buf[9] = (char)('0' + dd % 10);
    buf[10] = '\0';
}

int cx__duration_parse(const char *s, cx_duration *out, const char **why)
{
    static const char units[] = "YMWD";
    int32_t *slot[4] = {&out->years, &out->months, &out->weeks, &out->days};
    const char *p = s;
    int next = 0, any = 0, nonzero = 0;

    memset(out, 0, sizeof *out);
    *why = "expected an ISO 8601 duration such as P3Y, P18M, P2W or P1Y6M";
    if (*p++ != 'P' || !*p) return -1;
    while (*p) {
        if (*p < '0' || *p > '9') return -1;
        int64_t v = 0;
        while (*p >= '0' && *p <= '9') {
            v = v * 10 + (*p++ - '0');
            if (v > 100000) {
                *why = "duration is too long";
                return -1;
            }
        }
        const char *u = *p ? strchr(units + next, *p) : NULL;
        if (!u) return -1;
        next = (int)(u - units);
        *slot[next++] = (int32_t)v;
        any = 1;
        nonzero |= v != 0;
        p++;
    }
    if (!any) return -1;
    if (!nonzero) {
        *why = "a duration must not be zero";
        return -1;
    }
    return 0;
}

static cx_date add_months(cx_date date, int64_t months)
{
    int y, m, d;
    cx__date_to_ymd(date, &y, &m, &d);
    int64_t total = (int64_t)y * 12 + (m - 1) + months;
    y = (int)(total / 12);
    m = (int)(total % 12) + 1;
    if (y < 1) return cx__date_from_ymd(1, 1, 1);
    if (y > 9999) return CX_DATE_NEVER;
    if (d > month_days(y, m)) d = month_days(y, m);
    return cx__date_from_ymd(y, m, d);
}

static cx_date shift(cx_date date, const cx_duration *dur, int sign)
{
    if (date == CX_DATE_NEVER) return date;
    date = add_months(date, sign * ((int64_t)dur->years * 12));
    if (date == CX_DATE_NEVER) return date;
    date = add_months(date, sign * (int64_t)dur->months);
    if (date == CX_DATE_NEVER) return date;
    int64_t days = (int64_t)date + sign * ((int64_t)dur->weeks * 7 + dur->days);
    if (days >= cx__date_from_ymd(10000, 1, 1)) return CX_DATE_NEVER;
    return (cx_date)days;
}

cx_date cx__date_add(cx_date date, const cx_duration *dur)
{
    return shift(date, dur, 1);
}

cx_date cx__date_sub(cx_date date, const cx_duration *dur)
{
    return shift(date, dur, -1);
}

cx_date cx__expiry_default(cx_date issued, const cx_duration *valid_for)
{
    return valid_for ? cx__date_add(issued, valid_for) : CX_DATE_NEVER;
}

int cx_award_expiry(const cx_award *a, const cx_credential *credential, char out[11], cx_error *err)
{
    cx_date issued;
    cx_duration dur;
    const char *why;
    const char *valid_for = credential ? credential->valid_for : NULL;
    out[0] = '\0';
    if (a->expires) { /* stored: shown as stored */
        snprintf(out, 11, "%s", a->expires);
        return CX_OK;
    }
    if (cx__date_parse(a->issued, &issued, &why) != 0)
        return cx__error(err, CX_EINPUT, NULL, 0, 0, "invalid date '%s': %s", a->issued, why);
    if (valid_for && cx__duration_parse(valid_for, &dur, &why) != 0)
        return cx__error(err, CX_EINPUT, NULL, 0, 0, "invalid duration '%s': %s", valid_for, why);
    cx_date expires = cx__expiry_default(issued, valid_for ? &dur : NULL);
    if (expires != CX_DATE_NEVER) cx__date_format(expires, out);
    return CX_OK;
}

int cx_date_add(const char *date, const char *duration, char out[11], cx_error *err)
{
    cx_date d;
    cx_duration dur;
    const char *why;
    if (cx__date_parse(date, &d, &why) != 0)
        return cx__error(err, CX_EINPUT, NULL, 0, 0, "invalid date '%s': %s", date, why);
    if (cx__duration_parse(duration, &dur, &why) != 0)
        return cx__error(err, CX_EINPUT, NULL, 0, 0, "invalid duration '%s': %s", duration, why);
    cx_date sum = cx__date_add(d, &dur);
    if (sum == CX_DATE_NEVER) /* past the last date there is: an error, not 9999-12-31 */
        return cx__error(err, CX_EINPUT, NULL, 0, 0,
                         "%s + %s is past 9999-12-31, the last date credex reads", date, duration);
    cx__date_format(sum, out);
    return CX_OK;
}
