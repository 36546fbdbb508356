/*
 * test_shard.c -- shards of a run over every holder (docs/performance.md,
 * "Issue 16: sharding"): cx_shard_range cuts count holders into N
 * contiguous ranges in order, the same for the same (count, K, N);
 * cx__holders_between finds ids' ranges in a snapshot; cx_audit_each and
 * cx_audit_summary_with over shards 1..N give, in order, what the whole
 * run gives, across batches of the pool and for any jobs.
 */
#include <stdint.h>

#include "eval.h"
#include "test.h"

TEST(range_examples)
{
    static const struct {
        uint64_t count;
        unsigned k, n;
        uint64_t first, end;
    } cases[] = {
        {9, 1, 3, 0, 3},
        {9, 2, 3, 3, 6},
        {9, 3, 3, 6, 9},
        {10, 1, 3, 0, 3},
        {10, 2, 3, 3, 6},
        {10, 3, 3, 6, 10},
        {8, 1, 1, 0, 8},
        {2, 1, 5, 0, 0},
        {2, 3, 5, 0, 1},
        {2, 5, 5, 1, 2},
        {0, 1, 4, 0, 0},
        {0, 4, 4, 0, 0},
        {1000000, 7, 7, 857142, 1000000},
        {1000000, 1, 1000000, 0, 1},
    };
    cx_error err;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        uint64_t first = 99, end = 99;
        CHECK_INT(cx_shard_range(cases[i].count, cases[i].k, cases[i].n, &first, &end, &err),
                  CX_OK);
        CHECK_INT(first, cases[i].first);
        CHECK_INT(end, cases[i].end);
    }
}

/* Shards 1..N of every count up to 60 and N up to 13 (and N past the count)
 * cover [0, count) once, in order, and differ in size by at most one. */
TEST(range_partition)
{
    cx_error err;
    for (uint64_t count = 0; count <= 60; count++)
        for (unsigned n = 1; n <= 13; n++) {
            uint64_t at = 0, least = UINT64_MAX, most = 0;
            for (unsigned k = 1; k <= n; k++) {
                uint64_t first, end;
                CHECK_INT(cx_shard_range(count, k, n, &first, &end, &err), CX_OK);
                CHECK_INT(first, at);
                CHECK(end >= first);
                at = end;
                least = end - first < least ? end - first : least;
                most = end - first > most ? end - first : most;
            }
            CHECK_INT(at, count);
            CHECK(most - least <= 1);
        }
}

/* No overflow for any count: the last shard ends at the count. */
TEST(range_large)
{
    cx_error err;
    uint64_t first, end;
    CHECK_INT(cx_shard_range(UINT64_MAX, CX_MAX_SHARDS, CX_MAX_SHARDS, &first, &end, &err), CX_OK);
    CHECK(end == UINT64_MAX);
    CHECK(first == UINT64_MAX - UINT64_MAX / CX_MAX_SHARDS - 1);
    CHECK_INT(cx_shard_range(UINT64_MAX, 1, 2, &first, &end, &err), CX_OK);
    CHECK(end == UINT64_MAX / 2);
}

TEST(range_refused)
{
    static const unsigned bad[][2] = {{0, 3}, {4, 3}, {1, 0}, {0, 0}, {1, CX_MAX_SHARDS + 1}};
    cx_error err;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        uint64_t first = 99, end = 99;
        CHECK_INT(cx_shard_range(10, bad[i][0], bad[i][1], &first, &end, &err), CX_EUSAGE);
        CHECK_CONTAINS(err.message, "1 <= K <= N <= 1000000");
        CHECK_INT(first, 0);
        CHECK_INT(end, 10);
    }
}

/* ------------------------------------------------ runs over a registry */

#define HOLDERS 5000 /* past one batch of the pool (4,096) */

static const char *tmp_path(const char *name)
{
    static char path[2][1024];
    static int k;
    const char *dir = getenv("TEST_TMP");
    k = (k + 1) % 2;
    snprintf(path[k], sizeof path[k], "%s/shard-%s", dir && *dir ? dir : "/tmp", name);
    return path[k];
}

/* HOLDERS holders h-00000.. with a deterministic mix of awards of C1..C4,
 * and two stacks over them. */
static int load(cx_registry **r, cx_rules **rules)
{
    cx_error err;
    const char *cat = tmp_path("catalog.yaml"), *pack = tmp_path("pack.lua");
    FILE *f = fopen(cat, "w"), *g = fopen(pack, "w");
    *r = NULL;
    *rules = NULL;
    if (!f || !g) {
        if (f) fclose(f);
        if (g) fclose(g);
        return -1;
    }
    fputs("version: 1\njurisdictions:\n  - { id: US-A, name: A }\ncredentials:\n", f);
    for (int c = 1; c <= 4; c++)
        fprintf(f, "  - { id: C%d, name: M, type: module, jurisdiction: US-A }\n", c);
    fputs("  - { id: S1, name: S, type: certificate, jurisdiction: US-A }\n", f);
    fputs("  - { id: S2, name: T, type: certificate, jurisdiction: US-A }\nholders:\n", f);
    for (int h = 0; h < HOLDERS; h++) {
        fprintf(f, "  - id: h-%05d\n    awards:", h);
        if (h % 5 == 0) fputs(" []", f);
        fputs("\n", f);
        for (int c = 1; c <= 4 && h % 5; c++)
            if ((h * 7 + c * 3) % 4 != 0)
                fprintf(f, "      - { credential: C%d, issued: 2024-0%d-1%d }\n", c, c, h % 9);
    }
    fputs("pack \"p\" { authority = \"test\", version = \"1\" }\n"
          "stack \"S1\" { jurisdiction = \"US-A\", requires = all { \"C1\", \"C2\" } }\n"
          "stack \"S2\" { jurisdiction = \"US-A\", requires = at_least(2) { \"C2\", \"C3\", "
          "\"C4\" } }\n",
          g);
    fclose(f);
    fclose(g);
    if (cx_registry_open(NULL, CX_OPEN_MEMORY, r, &err) ||
        cx_catalog_import(*r, &cat, 1, NULL, NULL, NULL, &err) ||
        cx_rules_load(*r, &pack, 1, rules, NULL, &err)) {
        fprintf(stderr, "  %s:%d: %s\n", err.file, err.line, err.message);
        return -1;
    }
    return 0;
}

/* What cx_audit_each visited, as "holder stack status\n" lines. */
static int visit_line(void *ud, const cx_audit_entry *entry)
{
    cx_buf *b = ud;
    cx__buf_printf(b, "%s %s %s\n", entry->holder, entry->stack, cx_status_name(entry->status));
    return b->oom ? CX_ENOMEM : CX_OK;
}

TEST(holders_between)
{
    cx_registry *r;
    cx_rules *rules;
    uint32_t first, end;
    if (load(&r, &rules)) {
        CHECK(0);
        cx_registry_close(r);
        return;
    }
    const cx_snapshot *s = cx__rules_snapshot(rules);
    cx__holders_between(s, NULL, NULL, &first, &end);
    CHECK_INT(first, 0);
    CHECK_INT(end, HOLDERS);
    cx__holders_between(s, "h-00003", "h-00007", &first, &end);
    CHECK_INT(first, 3);
    CHECK_INT(end, 7);
    cx__holders_between(s, "h-000035", "h-00007x", &first, &end); /* between two ids */
    CHECK_INT(first, 4);
    CHECK_INT(end, 8);
    cx__holders_between(s, "a", "b", &first, &end); /* before every id */
    CHECK_INT(first, 0);
    CHECK_INT(end, 0);
    cx__holders_between(s, "h-00009", "h-00002", &first, &end); /* to before from: empty */
    CHECK_INT(end, first);
    cx__holders_between(s, "z", NULL, &first, &end);
    CHECK_INT(first, HOLDERS);
    CHECK_INT(end, HOLDERS);
    cx_rules_free(rules);
    cx_registry_close(r);
}

/* Shards 1..N of cx_audit_each, concatenated, are the whole run, for N
 * past a batch, past the holders, and any jobs; summaries add up. */
TEST(audit_shards)
{
    cx_registry *r;
    cx_rules *rules;
    cx_error err;
    cx_buf whole;
    static const unsigned ns[] = {1, 2, 3, 7, 64};
    cx__buf_init(&whole);
    if (load(&r, &rules)) {
        CHECK(0);
        cx_registry_close(r);
        return;
    }
    cx_audit_options opt = {.as_of = "2026-06-01", .jobs = 2};
    CHECK_INT(cx_audit_each(rules, &opt, visit_line, &whole, &err), CX_OK);
    CHECK(whole.len > 0 && !whole.oom);
    cx_audit_count *all = NULL;
    size_t nall = 0;
    CHECK_INT(cx_audit_summary_with(rules, &opt, &all, &nall, &err), CX_OK);
    CHECK_INT(nall, 2);
    CHECK_INT(cx_rules_holder_count(rules), HOLDERS); /* what the summary line says */
    CHECK_INT(cx_rules_holder_count(NULL), 0);
    for (size_t j = 0; j < nall; j++)
        CHECK_INT(all[j].met + all[j].in_progress + all[j].not_started + all[j].error, HOLDERS);
    for (size_t i = 0; i < sizeof ns / sizeof *ns; i++) {
        cx_buf joined;
        uint64_t met[2] = {0}, in_progress[2] = {0}, not_started[2] = {0};
        cx__buf_init(&joined);
        for (unsigned k = 1; k <= ns[i]; k++) {
            cx_audit_options part = {
                .as_of = "2026-06-01", .jobs = 1 + (int)(k % 3), .shard = k, .shards = ns[i]};
            cx_audit_count *c = NULL;
            size_t n = 0;
            CHECK_INT(cx_audit_each(rules, &part, visit_line, &joined, &err), CX_OK);
            CHECK_INT(cx_audit_summary_with(rules, &part, &c, &n, &err), CX_OK);
            for (size_t j = 0; j < n && j < 2; j++) {
                met[j] += c[j].met;
                in_progress[j] += c[j].in_progress;
                not_started[j] += c[j].not_started;
            }
            free(c);
        }
        CHECK_INT(joined.len, whole.len);
        CHECK(joined.len == whole.len && memcmp(joined.data, whole.data, whole.len) == 0);
        for (size_t j = 0; j < nall; j++) {
            CHECK_INT(met[j], all[j].met);
            CHECK_INT(in_progress[j], all[j].in_progress);
            CHECK_INT(not_started[j], all[j].not_started);
        }
        cx__buf_free(&joined);
    }
    /* a shard's first line is its first holder's */
    cx_buf second;
    cx__buf_init(&second);
    cx_audit_options two = {.as_of = "2026-06-01", .jobs = 2, .shard = 2, .shards = 2};
    CHECK_INT(cx_audit_each(rules, &two, visit_line, &second, &err), CX_OK);
    CHECK(second.data && strncmp(second.data, "h-02500 S1 ", 11) == 0);
    cx__buf_free(&second);
    cx_audit_options bad = {.as_of = "2026-06-01", .jobs = 1, .shard = 3, .shards = 2};
    CHECK_INT(cx_audit_each(rules, &bad, visit_line, &whole, &err), CX_EUSAGE);
    CHECK_CONTAINS(err.message, "shard 3 of 2");
    free(all);
    cx__buf_free(&whole);
    cx_rules_free(rules);
    cx_registry_close(r);
}

static const test_case cases[] = {
    {"range_examples", range_examples},
    {"range_partition", range_partition},
    {"range_large", range_large},
    {"range_refused", range_refused},
    {"holders_between", holders_between},
    {"audit_shards", audit_shards},
    {NULL, NULL},
};

TEST_MAIN(cases)
