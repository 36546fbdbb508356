/*
 * test_json_writer.c -- the streaming JSON writer (json_writer.c) against
 * its oracle, the jansson path credex wrote decisions with before
 * (cx__decision_json_jansson): the same bytes for every decision of the
 * golden files' scenarios (and those bytes are the golden files'), and for
 * randomised decisions of every kind with hostile strings, NULL members,
 * empty arrays and extreme numbers. Also the writer's pieces by value.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json_writer.h"
#include "test.h"
#include "util.h"

/* Relative to the source tree, which load() makes the working directory:
 * decisions cite pack files as the command line named them. */
#define EV     "examples/ev-mechanic"
#define GAPS   "tests/rules/gaps"
#define GOLDEN "tests/cli/golden/"
#define AS_OF  "2026-06-01"

/* ------------------------------------------------------------- pieces */

static char *quoted(const char *s, size_t n)
{
    cx_buf b;
    cx__buf_init(&b);
    cx__json_quote(&b, s, n);
    return b.data;
}

TEST(strings_escaped_as_jansson)
{
    static const struct {
        const char *in, *out;
    } v[] = {
        {"", "\"\""},
        {"plain / text", "\"plain / text\""},
        {"q\"b\\", "\"q\\\"b\\\\\""},
        {"\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\""},
        {"\x01\x1b\x1f", "\"\\u0001\\u001B\\u001F\""},
        {"del\x7f", "\"del\x7f\""},
        {"\xC2\xA7 \xC2\x9B \xE2\x80\xA8 \xE2\x80\xAE \xF0\x9F\x98\x80",
         "\"\xC2\xA7 \xC2\x9B \xE2\x80\xA8 \xE2\x80\xAE \xF0\x9F\x98\x80\""},
        {"a\xFF"
         "b",
         "\"a\xEF\xBF\xBD"
         "b\""},
        {"\xC0\xAF", "\"\xEF\xBF\xBD\xEF\xBF\xBD\""},
        {"\xED\xA0\x80", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\""},
        {"cut \xE2\x80", "\"cut \xEF\xBF\xBD\""},
    };
    for (size_t i = 0; i < CX_COUNT(v); i++) {
        char *s = quoted(v[i].in, strlen(v[i].in));
        CHECK_STR(s, v[i].out);
        free(s);
    }
    /* each at every offset of a longer string: the writer looks at 8 bytes
     * at a time */
    for (size_t i = 0; i < CX_COUNT(v); i++)
        for (size_t at = 0; at < 18; at++) {
            char in[64], out[96];
            size_t nout = strlen(v[i].out);
            snprintf(in, sizeof in, "%.*s%s0123456789", (int)at, "abcdefghijklmnopqr", v[i].in);
            snprintf(out, sizeof out, "\"%.*s%.*s0123456789\"", (int)at, "abcdefghijklmnopqr",
                     (int)(nout - 2), v[i].out + 1);
            char *s = quoted(in, strlen(in));
            CHECK_STR(s, out);
            free(s);
        }
}

/* Past the writer's 1,024-byte segments: a character on every boundary. */
TEST(long_strings_escaped_as_jansson)
{
    for (size_t at = 1018; at < 1030; at++) {
        cx_buf in, out;
        cx__buf_init(&in);
        cx__buf_init(&out);
        for (size_t k = 0; k < at; k++) cx__buf_add(&in, "a", 1);
        cx__buf_puts(&in, "\xE2\x80\xA8\x01\xF0\x9F\x98\x80\xFF\"");
        for (size_t k = 0; k < 2 * at; k++) cx__buf_add(&in, "b", 1);
        cx__buf_add(&out, "\"", 1);
        cx__buf_add(&out, in.data, at);
        cx__buf_puts(&out, "\xE2\x80\xA8\\u0001\xF0\x9F\x98\x80\xEF\xBF\xBD\\\"");
        cx__buf_add(&out, in.data + in.len - 2 * at, 2 * at);
        cx__buf_add(&out, "\"", 1);
        char *s = quoted(in.data, in.len);
        CHECK_STR(s, out.data);
        free(s);
        cx__buf_free(&in);
        cx__buf_free(&out);
    }
}

static char *numbers(int64_t h, long long i)
{
    cx_buf b;
    cx_jw w;
    cx__buf_init(&b);
    cx__jw_start(&w, &b);
    cx__jw_array(&w);
    cx__jw_hundredths(&w, h);
    cx__jw_int(&w, i);
    cx__jw_array_end(&w);
    return b.data;
}

TEST(numbers_as_jansson)
{
    static const struct {
        int64_t hundredths;
        long long integer;
        const char *out;
    } v[] = {
        {12000, 0, "[120,0]"},
        {1250, -7, "[12.5,-7]"},
        {1205, 42, "[12.05,42]"},
        {-5, LLONG_MAX, "[-0.05,9223372036854775807]"},
        {-1250, LLONG_MIN, "[-12.5,-9223372036854775808]"},
        {999999999999999, 1, "[9999999999999.99,1]"},
        {1000000000000001, 1, "[10000000000000.0,1]"},
        {INT64_MAX, 1, "[9.22337203685478e16,1]"},
    };
    for (size_t i = 0; i < CX_COUNT(v); i++) {
        char *s = numbers(v[i].hundredths, v[i].integer);
        CHECK_STR(s, v[i].out);
        free(s);
    }
}

/* ------------------------------------------- the goldens' scenarios */

/* Compares the writer's line for d with the oracle's, through both entry
 * points; appends the line to all. */
static void same_bytes(const cx_decision *d, cx_buf *all)
{
    char *line = cx_decision_json(d), *oracle = cx__decision_json_jansson(d);
    cx_buf streamed;
    cx__buf_init(&streamed);
    CHECK(cx_decision_write_json(d, cx__buf_write, &streamed) == 0);
    CHECK_STR(line, oracle);
    CHECK_STR(streamed.data, oracle);
    if (line) cx__buf_puts(all, line);
    free(line);
    free(oracle);
    cx__buf_free(&streamed);
}

/* The whole of file, NUL-terminated (the caller frees it), or NULL. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cx_buf b;
    char chunk[4096];
    size_t n;
    cx__buf_init(&b);
    if (!f) return NULL;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) cx__buf_add(&b, chunk, n);
    fclose(f);
    return b.data;
}

static void matches_golden(const cx_buf *all, const char *name)
{
    char path[512], *golden;
    snprintf(path, sizeof path, GOLDEN "%s", name);
    golden = slurp(path);
    CHECK(golden != NULL);
    CHECK_STR(all->data, golden);
    free(golden);
}

static int load(const char *const *catalogs, size_t n, const char *packs, cx_registry **r,
                cx_rules **rules)
{
    cx_error err;
    cx_error_clear(&err);
    *r = NULL;
    *rules = NULL;
    if (chdir(TEST_SRC) != 0) return -1;
    if (cx_registry_open(NULL, CX_OPEN_MEMORY, r, &err) ||
        cx_catalog_import(*r, catalogs, n, NULL, NULL, NULL, &err) ||
        cx_rules_load(*r, &packs, 1, rules, NULL, &err)) {
        fprintf(stderr, "  cannot load %s: %s\n", packs, err.message);
        cx_registry_close(*r);
        return -1;
    }
    return 0;
}

/* Every decision of v through same_bytes; frees v. */
static void all_same(cx_decision **v, size_t n, cx_buf *all)
{
    for (size_t i = 0; i < n; i++) same_bytes(v[i], all);
    cx_decisions_free(v, n);
}

typedef struct audit_run {
    cx_buf all;   /* the lines, in order */
    size_t count; /* decisions seen */
} audit_run;

/* A visitor of cx_audit_each: the text the writer rendered on a worker
 * must be the oracle's line for the decision. */
static int audit_visit(void *ud, const cx_audit_entry *entry)
{
    audit_run *run = ud;
    char *oracle = cx__decision_json_jansson(entry->decision);
    CHECK_STR(entry->text, oracle);
    if (entry->text) cx__buf_puts(&run->all, entry->text);
    run->count++;
    free(oracle);
    return 0;
}

static int render_json(void *ud, const cx_decision *d, cx_write_fn write, void *wud)
{
    (void)ud;
    return cx_decision_write_json(d, write, wud);
}

/* audit --all --format json --jobs 2, as the command runs it, with every
 * decision kept for the oracle. */
static void audit_all(cx_rules *rules, const char *stack, audit_run *run)
{
    cx_error err;
    cx_audit_options opt = {.stack = stack,
                            .as_of = AS_OF,
                            .jobs = 2,
                            .decisions = 1,
                            .render = render_json,
                            .details = CX_DETAIL_GAPS};
    cx__buf_init(&run->all);
    run->count = 0;
    CHECK_INT(cx_audit_each(rules, &opt, audit_visit, run, &err), CX_OK);
}

TEST(ev_goldens_same_bytes)
{
    const char *catalog = EV "/catalog.yaml";
    cx_registry *r;
    cx_rules *rules;
    cx_error err;
    cx_decision *d = NULL, **v = NULL;
    size_t n = 0;
    cx_buf all;
    if (load(&catalog, 1, EV "/rules", &r, &rules)) {
        CHECK(!"EV example loaded");
        return;
    }
    cx__buf_init(&all);
    CHECK_INT(cx_equiv(rules, "TX-EVD-202", "CA-EVD-202", "US-CA", AS_OF, &d, &err), CX_OK);
    same_bytes(d, &all);
    cx_decision_free(d);
    matches_golden(&all, "equiv-partial.jsonl");

    cx__buf_free(&all);
    CHECK_INT(cx_transfer_holder(rules, "h-tx-0001", "US-CA", AS_OF, &v, &n, &err), CX_OK);
    CHECK(n > 1);
    all_same(v, n, &all);
    matches_golden(&all, "transfer-holder.jsonl");

    cx__buf_free(&all);
    CHECK_INT(cx_transfer_award(rules, "h-tx-0001", "h-tx-0001/TX-EVD-202/2025-12-12", "US-CA",
                                AS_OF, &v, &n, &err),
              CX_OK);
    all_same(v, n, &all);
    matches_golden(&all, "transfer-award.jsonl");

    cx__buf_free(&all); /* transfer-near-miss.txt's decision, as JSON */
    CHECK_INT(cx_transfer(rules, "TX-EVS-101", "US-TX", "US-CT", "2025-06-01", &d, &err), CX_OK);
    CHECK(d && d->nnear_misses > 0);
    same_bytes(d, &all);
    cx_decision_free(d);

    cx__buf_free(&all); /* audit-miguel.txt's decisions, as JSON */
    CHECK_INT(cx_audit_with(rules, "h-tx-0001", NULL, AS_OF, CX_DETAIL_GAPS | CX_DETAIL_EXPLAIN, &v,
                            &n, &err),
              CX_OK);
    all_same(v, n, &all);
    cx__buf_free(&all);

    audit_run run;
    audit_all(rules, NULL, &run);
    CHECK_INT(run.count, 8);
    matches_golden(&run.all, "audit-all.jsonl");
    cx__buf_free(&run.all);
    cx_rules_free(rules);
    cx_registry_close(r);
}

TEST(gaps_goldens_same_bytes)
{
    const char *catalogs[] = {GAPS "/catalog.yaml", GAPS "/holders.yaml"};
    cx_registry *r;
    cx_rules *rules;
    cx_error err;
    cx_decision **v = NULL;
    size_t n = 0;
    cx_buf all;
    if (load(catalogs, 2, GAPS "/packs", &r, &rules)) {
        CHECK(!"gaps rules loaded");
        return;
    }
    cx__buf_init(&all);
    CHECK_INT(cx_audit_with(rules, "h-gap-1", NULL, AS_OF, CX_DETAIL_GAPS, &v, &n, &err), CX_OK);
    all_same(v, n, &all);
    CHECK_CONTAINS(all.data, "\"gaps\":[");
    matches_golden(&all, "gaps-holder.jsonl");
    cx__buf_free(&all);

    audit_run run; /* every holder and stack, gaps with hours in hundredths */
    audit_all(rules, NULL, &run);
    CHECK_INT(run.count, 32);
    CHECK_CONTAINS(run.all.data, "\"have\":42.5,");
    cx__buf_free(&run.all);
    cx_rules_free(rules);
    cx_registry_close(r);
}

/* ------------------------------------------------ randomised decisions */

static uint64_t seed = 0x9E3779B97F4A7C15ull;

/* splitmix64: the same sequence on every run. */
static uint64_t next_random(void)
{
    uint64_t z = (seed += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static size_t below(size_t n)
{
    return (size_t)(next_random() % n);
}

/* What random strings are made of: text, what JSON escapes, non-ASCII
 * (controls, separators, bidi, 4-byte) and, rarer, invalid UTF-8. */
static const char *const pieces[] = {
    "a", "Z", "0", " ", "-", "/", ":", "{", "}", "[", "]", ",", "\"", "\\", "\b", "\f", "\n", "\r",
    "\t", "\x01", "\x1b", "\x1f", "\x7f", "\xC2\xA7", "\xC2\x9B", "\xC3\xA9", "\xE2\x80\xA8",
    "\xE2\x80\xA9", "\xE2\x80\xAE", "\xE2\x81\xA6", "\xE4\xB8\xAD", "\xEF\xBF\xBD", "\xEF\xBB\xBF",
    "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF", "\\u0041", "--", "audit h-1 S",
    /* invalid from here on */
    "\xFF", "\x80", "\xC0\xAF", "\xC1", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x80", "\xF0\x9F",
    "\xF5"};
#define VALID_PIECES 38

/* A malloc'd random string of up to max pieces; invalid UTF-8 in about
 * one string of eight. */
static char *random_string(size_t max)
{
    cx_buf b;
    size_t n = below(max + 1), kinds = below(8) == 0 ? CX_COUNT(pieces) : VALID_PIECES;
    cx__buf_init(&b);
    cx__buf_add(&b, "", 0);
    for (size_t i = 0; i < n; i++) cx__buf_puts(&b, pieces[below(kinds)]);
    return b.data; /* "" at least: the empty add allocated it */
}

/* NULL one time in four, else a random string; one in a hundred long
 * (the writer quotes 1,024 bytes at a time). */
static char *maybe(void)
{
    return below(4) == 0 ? NULL : random_string(below(100) == 0 ? 2000 : 12);
}

/* A random fixed field of up to 10 bytes (maybe cut inside a character). */
static void random_date(char out[11])
{
    char *s = below(3) == 0 ? strdup("") : random_string(6);
    snprintf(out, 11, "%s", s);
    free(s);
}

static int64_t random_hundredths(void)
{
    static const int64_t edges[] = {CX_NO_NUMBER,
                                    0,
                                    100,
                                    -100,
                                    1,
                                    -1,
                                    99,
                                    12050,
                                    999999999999999,
                                    -999999999999999,
                                    1000000000000000,
                                    -1000000000000001,
                                    123456789012345678,
                                    INT64_MAX,
                                    INT64_MIN + 1};
    switch (below(3)) {
    case 0:
        return edges[below(CX_COUNT(edges))];
    case 1:
        return (int64_t)below(100000) - 50000;
    default:
        return (int64_t)next_random();
    }
}

static long long random_integer(void)
{
    static const long long edges[] = {0, 1, -1, LLONG_MAX, LLONG_MIN, INT_MAX, INT_MIN};
    return below(2) ? edges[below(CX_COUNT(edges))] : (long long)next_random();
}

static char **random_strings(size_t *n)
{
    *n = below(4);
    char **v = *n ? calloc(*n, sizeof *v) : NULL;
    for (size_t i = 0; i < *n; i++) v[i] = random_string(12);
    return v;
}

static void random_trace(cx_trace *t, int depth)
{
    static const int lines[] = {0, 0, 1, 13, -1, INT_MAX, INT_MIN};
    t->rule = maybe();
    t->pack = maybe();
    t->file = maybe();
    t->line = lines[below(CX_COUNT(lines))];
    t->cite = maybe();
    t->status = maybe();
    t->detail = maybe();
    t->nchildren = depth < 3 ? below(4) : 0;
    t->children = t->nchildren ? calloc(t->nchildren, sizeof *t->children) : NULL;
    for (size_t i = 0; i < t->nchildren; i++) random_trace(&t->children[i], depth + 1);
}

static void random_gaps(cx_decision *d)
{
    d->ngaps = below(4);
    d->gaps = d->ngaps ? calloc(d->ngaps, sizeof *d->gaps) : NULL;
    for (size_t i = 0; i < d->ngaps; i++) {
        cx_gap *g = &d->gaps[i];
        g->requirement = maybe();
        g->unit = maybe();
        g->need = random_hundredths();
        g->have = random_hundredths();
        g->options = random_strings(&g->noptions);
        g->nexpired = below(3);
        g->expired = g->nexpired ? calloc(g->nexpired, sizeof *g->expired) : NULL;
        for (size_t k = 0; k < g->nexpired; k++) {
            g->expired[k].credential = maybe();
            g->expired[k].award = maybe();
            random_date(g->expired[k].expired);
            g->expired[k].renewed_by = maybe();
        }
    }
}

static cx_decision *random_decision(void)
{
    static const char *const verifications[] = {NULL, "verified", "unverified"};
    cx_decision *d = calloc(1, sizeof *d);
    d->kind = (cx_decision_kind)below(3);
    d->status = (cx_status)below(CX_ERROR + 1);
    random_date(d->as_of);
    d->holder = maybe(), d->stack = maybe();
    d->from = maybe(), d->to = maybe(), d->in = maybe();
    d->award = maybe(), d->credential = maybe();
    d->from_jurisdiction = maybe(), d->to_jurisdiction = maybe();
    d->nreasons = below(4);
    d->reasons = d->nreasons ? calloc(d->nreasons, sizeof *d->reasons) : NULL;
    for (size_t i = 0; i < d->nreasons; i++) {
        d->reasons[i].code = maybe();
        d->reasons[i].message = maybe();
    }
    d->nused = below(4);
    d->used = d->nused ? calloc(d->nused, sizeof *d->used) : NULL;
    for (size_t i = 0; i < d->nused; i++) {
        cx_used *u = &d->used[i];
        u->award = maybe(), u->credential = maybe(), u->slot = maybe(), u->via = maybe();
        u->verification = verifications[below(3)];
    }
    d->missing = random_strings(&d->nmissing);
    random_trace(&d->trace, 0);
    random_date(d->issued);
    random_date(d->expires);
    d->has_coverage = (int)below(2);
    d->covered = random_integer();
    d->total = random_integer();
    d->nnear_misses = below(4);
    d->near_misses = d->nnear_misses ? calloc(d->nnear_misses, sizeof *d->near_misses) : NULL;
    for (size_t i = 0; i < d->nnear_misses; i++) {
        d->near_misses[i].rule = maybe();
        d->near_misses[i].clause = maybe();
        d->near_misses[i].detail = maybe();
    }
    random_gaps(d);
    if (below(4) == 0) { /* text only: never in the JSON */
        d->explain = calloc(1, sizeof *d->explain);
        random_trace(d->explain, 2);
    }
    return d;
}

/* 3,000 random decisions: the writer's bytes are the oracle's, and the
 * members the oracle may drop (gaps, award, coverage, near misses) are
 * seen often enough to count. */
TEST(random_decisions_same_bytes)
{
    size_t differ = 0, gaps = 0, reals = 0, replaced = 0, escaped = 0;
    for (int i = 0; i < 3000; i++) {
        cx_decision *d = random_decision();
        char *line = cx_decision_json(d), *oracle = cx__decision_json_jansson(d);
        CHECK(line != NULL && oracle != NULL);
        if (line && oracle && strcmp(line, oracle) != 0 && differ++ < 3)
            fprintf(stderr, "  writer: %s  oracle: %s", line, oracle);
        if (line) {
            gaps += strstr(line, "\"gaps\":[{") != NULL;
            reals += strstr(line, "e1") != NULL || strstr(line, ".5,") != NULL;
            replaced += strstr(line, "\xEF\xBF\xBD") != NULL;
            escaped += strstr(line, "\\u001B") != NULL;
        }
        free(line);
        free(oracle);
        cx_decision_free(d);
    }
    CHECK_INT(differ, 0);
    CHECK(gaps > 100);
    CHECK(reals > 10);
    CHECK(replaced > 100);
    CHECK(escaped > 100);
}

/* A writer that fails, or a buffer out of memory: cx_decision_write_json
 * says so, as the jansson path's dump did. */
static int refuse(const char *s, size_t n, void *ud)
{
    (void)s, (void)n;
    ++*(int *)ud;
    return -1;
}

TEST(failed_write_is_an_error)
{
    cx_decision *d = random_decision();
    int calls = 0;
    CHECK_INT(cx_decision_write_json(d, refuse, &calls), -1);
    CHECK(calls > 0);
    cx_buf spent; /* a buffer out of memory already: -1, as the dump into it was */
    cx__buf_init(&spent);
    spent.oom = 1;
    CHECK_INT(cx_decision_write_json(d, cx__buf_write, &spent), -1);
    CHECK(spent.data == NULL);
    cx_decision_free(d);
}

static const test_case cases[] = {
    {"strings_escaped_as_jansson", strings_escaped_as_jansson},
    {"long_strings_escaped_as_jansson", long_strings_escaped_as_jansson},
    {"numbers_as_jansson", numbers_as_jansson},
    {"ev_goldens_same_bytes", ev_goldens_same_bytes},
    {"gaps_goldens_same_bytes", gaps_goldens_same_bytes},
    {"random_decisions_same_bytes", random_decisions_same_bytes},
    {"failed_write_is_an_error", failed_write_is_an_error},
    {NULL, NULL},
};

TEST_MAIN(cases)
