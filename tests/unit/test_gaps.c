/*
 * test_gaps.c -- a gap in words (gaps.h) for each unit, amounts in
 * hundredths, and a decision's gaps as JSON and text (decision.c): the
 * member order, renewed_by omitted when none, and cx_decision_free of it all.
 */
#include "gaps.h"
#include "test.h"
#include "util.h"

static char *words(const cx_gap *g, const char *sep)
{
    cx_buf b;
    cx__buf_init(&b);
    cx__gap_words(&b, g, sep);
    return b.data;
}

TEST(numbers)
{
    static const struct {
        int64_t hundredths;
        const char *text;
    } v[] = {{0, "0"},     {12000, "120"}, {1250, "12.5"},
             {25, "0.25"}, {-50, "-0.5"},  {-1250, "-12.5"}};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        cx_buf b;
        cx__buf_init(&b);
        cx__buf_hundredths(&b, v[i].hundredths);
        CHECK_STR(b.data, v[i].text);
        cx__buf_free(&b);
    }
}

TEST(words_by_unit)
{
    char *options[] = {"C3", "C4", "C6"};
    cx_gap_expired expired[] = {{"C1", "h/C1", "2023-04-30", "C1-RENEW"},
                                {"C2", "h/C2", "2024-01-31", NULL}};
    cx_gap choice = {"at_least(1) { ... }", "credentials", 200, 100, options, 3, NULL, 0};
    cx_gap hours = {"shop hours", "hours", 12000, 9500, options, 1, expired, 2};
    cx_gap points = {"points", "points", 1200, 850, NULL, 0, NULL, 0};
    cx_gap none = {"C9", "credentials", 100, 0, NULL, 0, NULL, 0};
    cx_gap cond = {"check(...)", "conditions", 100, 0, NULL, 0, NULL, 0};
    char *s;
    CHECK_STR(s = words(&choice, "\n"), "1 more of: C3, C4, C6");
    free(s);
    CHECK_STR(s = words(&hours, " | "), "hours: 95 of 120, 25 more needed from: C3 | C1 expired "
                                        "2023-04-30; C1-RENEW renews it | C2 expired 2024-01-31");
    free(s);
    CHECK_STR(s = words(&points, "\n"), "points: 8.5 of 12, 3.5 more needed");
    free(s);
    CHECK_STR(s = words(&none, "\n"), "1 more needed; no credential fills it");
    free(s);
    CHECK_STR(s = words(&cond, "\n"), "condition not met");
    free(s);
}

/* A decision owning one gap with an option and two expired awards. */
static cx_decision *unmet(void)
{
    cx_decision *d = calloc(1, sizeof *d);
    memcpy(d->as_of, "2026-06-01", 11);
    d->kind = CX_DECISION_AUDIT;
    d->status = CX_IN_PROGRESS;
    d->holder = strdup("h");
    d->stack = strdup("S");
    d->trace.rule = strdup("audit h S");
    d->missing = calloc(1, sizeof *d->missing);
    d->missing[0] = strdup("shop hours");
    d->nmissing = 1;
    d->gaps = calloc(1, sizeof *d->gaps);
    d->ngaps = 1;
    cx_gap *g = &d->gaps[0];
    *g = (cx_gap){strdup("shop hours"), strdup("hours"), 12000, 9550, NULL, 1, NULL, 2};
    g->options = calloc(1, sizeof *g->options);
    g->options[0] = strdup("C5");
    g->expired = calloc(2, sizeof *g->expired);
    g->expired[0] = (cx_gap_expired){strdup("C1"), strdup("h/C1"), "2023-04-30", strdup("C1-R")};
    g->expired[1] = (cx_gap_expired){strdup("C2"), strdup("h/C2"), "2024-01-31", NULL};
    return d;
}

TEST(decision_json_and_text)
{
    cx_decision *d = unmet();
    char *json = cx_decision_json(d), *text = cx_decision_text(d, 0);
    CHECK_STR(json, "{\"kind\":\"audit\",\"status\":\"in_progress\",\"subject\":{\"holder\":\"h\","
                    "\"stack\":\"S\"},\"as_of\":\"2026-06-01\",\"reasons\":[],\"used\":[],"
                    "\"missing\":[\"shop hours\"],\"trace\":{\"rule\":\"audit h S\","
                    "\"children\":[]},\"gaps\":[{\"requirement\":\"shop hours\",\"need\":120,"
                    "\"have\":95.5,\"unit\":\"hours\",\"options\":[\"C5\"],\"expired\":[{"
                    "\"credential\":\"C1\",\"award\":\"h/C1\",\"expired\":\"2023-04-30\","
                    "\"renewed_by\":\"C1-R\"},{\"credential\":\"C2\",\"award\":\"h/C2\","
                    "\"expired\":\"2024-01-31\"}]}]}\n");
    CHECK_STR(text, "audit S for h: in_progress\n"
                    "  missing: shop hours\n"
                    "    hours: 95.5 of 120, 24.5 more needed from: C5\n"
                    "    C1 expired 2023-04-30; C1-R renews it\n"
                    "    C2 expired 2024-01-31\n");
    free(json);
    free(text);
    d->status = CX_ERROR; /* an error decision says no gaps */
    json = cx_decision_json(d);
    CHECK(json && !strstr(json, "\"gaps\""));
    free(json);
    cx_decision_free(d); /* the gaps too: ASan checks */
}

static const test_case cases[] = {{"numbers", numbers},
                                  {"words_by_unit", words_by_unit},
                                  {"decision_json_and_text", decision_json_and_text},
                                  {NULL, NULL}};

TEST_MAIN(cases)
