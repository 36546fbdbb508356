/*
 * test_date.c -- strict dates, ISO durations and calendar arithmetic as
 * docs/design.md §3 defines them.
 */
#include "credex.h"
#include "date.h"
#include "test.h"

static const char *fmt(cx_date d)
{
    static char buf[11];
    cx__date_format(d, buf);
    return buf;
}

static cx_date parse(const char *s)
{
    cx_date d = 0;
    const char *why = NULL;
    CHECK_INT(cx__date_parse(s, &d, &why), 0);
    return d;
}

static const char *refused(const char *s)
{
    cx_date d;
    const char *why = NULL;
    CHECK_INT(cx__date_parse(s, &d, &why), -1);
    return why;
}

TEST(dates_round_trip)
{
    CHECK_INT(parse("1970-01-01"), 0);
    CHECK_INT(parse("1970-01-02"), 1);
    CHECK_INT(parse("1969-12-31"), -1);
    CHECK_STR(fmt(parse("2024-02-29")), "2024-02-29");
    CHECK_STR(fmt(parse("2000-02-29")), "2000-02-29");
    CHECK_STR(fmt(parse("0001-01-01")), "0001-01-01");
    CHECK_STR(fmt(parse("9999-12-31")), "9999-12-31");
    CHECK_INT(parse("2025-06-01") - parse("2025-05-31"), 1);
    CHECK_INT(parse("2025-03-01") - parse("2024-03-01"), 365);
}

TEST(dates_refused)
{
    CHECK_STR(refused("2023-02-30"), "no such day in that month");
    CHECK_STR(refused("1900-02-29"), "no such day in that month");
    CHECK_STR(refused("2023-13-01"), "month must be 01 to 12");
    CHECK_STR(refused("2023-00-10"), "month must be 01 to 12");
    CHECK_STR(refused("2019-11-1"), "expected a date as YYYY-MM-DD");
    CHECK_STR(refused("2019-1-01"), "expected a date as YYYY-MM-DD");
    CHECK_STR(refused("19-11-01"), "expected a date as YYYY-MM-DD");
    CHECK_STR(refused("2019/11/01"), "expected a date as YYYY-MM-DD");
    CHECK_STR(refused("2019-11-01T00:00"), "expected a date as YYYY-MM-DD");
    CHECK_STR(refused(" 2019-11-01"), "expected a date as YYYY-MM-DD");
    CHECK_STR(refused("2019-1a-01"), "expected a date as YYYY-MM-DD");
    CHECK_STR(refused("0000-01-01"), "year must be 0001 or later");
    CHECK_STR(refused(""), "expected a date as YYYY-MM-DD");
}

static cx_duration dur(const char *s)
{
    cx_duration d;
    const char *why = NULL;
    CHECK_INT(cx__duration_parse(s, &d, &why), 0);
    return d;
}

TEST(durations)
{
    cx_duration d = dur("P1Y6M2W3D");
    CHECK_INT(d.years, 1);
    CHECK_INT(d.months, 6);
    CHECK_INT(d.weeks, 2);
    CHECK_INT(d.days, 3);
    d = dur("P18M");
    CHECK_INT(d.years, 0);
    CHECK_INT(d.months, 18);
    d = dur("P0Y3D");
    CHECK_INT(d.days, 3);
    const char *bad[] = {"P",    "P0Y",  "P0D",   "3Y",  "P3",   "PY",         "P1D1Y", "P1Y1Y",
                         "PT5H", "P-1Y", "P1.5Y", "p1y", "P1Y ", "P99999999Y", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *why = NULL;
        int rc = cx__duration_parse(bad[i], &d, &why);
        if (rc != -1) fprintf(stderr, "  accepted bad duration '%s'\n", bad[i]);
        CHECK_INT(rc, -1);
        CHECK(why != NULL);
    }
}

static const char *plus(const char *date, const char *duration)
{
    cx_duration d = dur(duration);
    return fmt(cx__date_add(parse(date), &d));
}

static const char *minus(const char *date, const char *duration)
{
    cx_duration d = dur(duration);
    return fmt(cx__date_sub(parse(date), &d));
}

TEST(arithmetic_clamps_largest_part_first)
{
    CHECK_STR(plus("2024-02-29", "P1Y"), "2025-02-28");
    CHECK_STR(plus("2024-02-29", "P4Y"), "2028-02-29");
    CHECK_STR(plus("2024-06-29", "P3Y"), "2027-06-29");
    CHECK_STR(plus("2025-01-31", "P1M"), "2025-02-28");
    CHECK_STR(plus("2024-01-31", "P1M"), "2024-02-29");
    CHECK_STR(plus("2025-01-31", "P1M1D"), "2025-03-01");
    CHECK_STR(plus("2024-02-29", "P1Y1M"), "2025-03-28");
    CHECK_STR(plus("2025-12-15", "P1M"), "2026-01-15");
    CHECK_STR(plus("2025-12-25", "P2W"), "2026-01-08");
    CHECK_STR(plus("2025-03-14", "P18M"), "2026-09-14");
    CHECK_STR(minus("2026-06-01", "P5Y"), "2021-06-01");
    CHECK_STR(minus("2028-02-29", "P1Y"), "2027-02-28");
    CHECK_STR(minus("2025-03-31", "P1M"), "2025-02-28");
    CHECK_STR(minus("2025-01-05", "P1W"), "2024-12-29");
}

TEST(public_date_add)
{
    char out[11];
    cx_error err;
    CHECK_INT(cx_date_add("2024-02-29", "P1Y", out, &err), CX_OK);
    CHECK_STR(out, "2025-02-28");
    CHECK_INT(cx_date_add("2024-02-30", "P1Y", out, &err), CX_EINPUT);
    CHECK_CONTAINS(err.message, "invalid date '2024-02-30'");
    CHECK_INT(cx_date_add("2024-02-01", "P0Y", out, &err), CX_EINPUT);
    CHECK_CONTAINS(err.message, "must not be zero");
    /* past the last date: an error, not 9999-12-31 */
    CHECK_INT(cx_date_add("9000-01-01", "P999Y", out, &err), CX_OK);
    CHECK_STR(out, "9999-01-01");
    CHECK_INT(cx_date_add("9000-01-01", "P1000Y", out, &err), CX_EINPUT);
    CHECK_STR(err.message, "9000-01-01 + P1000Y is past 9999-12-31, the last date credex reads");
    CHECK_INT(cx_date_add("9999-12-31", "P1D", out, &err), CX_EINPUT);
    CHECK_INT(cx_date_add("9999-12-01", "P1M", out, &err), CX_EINPUT);
}

static const test_case cases[] = {
    {"dates_round_trip", dates_round_trip},
    {"dates_refused", dates_refused},
    {"durations", durations},
    {"arithmetic_clamps_largest_part_first", arithmetic_clamps_largest_part_first},
    {"public_date_add", public_date_add},
    {NULL, NULL}};

TEST_MAIN(cases)
