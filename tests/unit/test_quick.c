/*
 * test_quick.c -- the status plans (quick.c) are exact: for random
 * registries (seeded, fixed seeds) and stacks of every shape, the status
 * cx_audit_all gives with render NULL equals the status of the full
 * decision cx_audit gives, for every holder and stack; and which stacks
 * get a plan, and why the others do not; and what the audit visitor
 * (cx_audit_each) hands over. The CSV rows the plans write (issued,
 * expires, missing) are byte-identical to the full decisions' rows.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credex.h"
#include "quick.h"
#include "render.h"
#include "test.h"

/* ------------------------------------------------------ random catalogs */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n) /* 0 .. n-1, xorshift64* */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * UINT64_C(2685821657736338717)) >> 33) % n;
}

static void put(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
}

static const char *const juris[] = {"US-A", "US-B", "US-C"};

static void random_date(char out[16], int from_year, int years)
{
    unsigned y = (unsigned)from_year + rnd((uint32_t)years), m = 1 + rnd(12), d = 1 + rnd(28);
    snprintf(out, 16, "%04u-%02u-%02u", y % 10000, m % 100, d % 100);
}

/* A catalog: credentials C1..C10 and the stack credentials S1..S15 in
 * three jurisdictions, nholders holders with random awards (some revoked,
 * suspended, expired, issued elsewhere or after the as-of date, some of
 * a stack credential itself, a third with provenance, verified or not),
 * and holder exceptions. */
static void write_catalog(const char *path, int nholders)
{
    FILE *f = fopen(path, "w");
    char d[16], e[16];
    if (!f) return;
    put(f, "version: 1\njurisdictions:\n");
    for (int j = 0; j < 3; j++) put(f, "  - { id: %s, name: J%d }\n", juris[j], j);
    put(f, "groups:\n  - id: G\n    members:\n");
    put(f, "      - { jurisdiction: US-A, from: 2020-01-01 }\n");
    put(f, "      - { jurisdiction: US-B, from: 2025-03-01 }\n");
    put(f, "credentials:\n");
    for (int c = 1; c <= 10; c++) {
        put(f, "  - { id: C%d, name: Module %d, type: micro-credential, jurisdiction: %s", c, c,
            juris[rnd(2)]);
        if (rnd(5)) put(f, ", hours: %d", 10 + (int)rnd(40));
        if (c == 3 || c == 6 || rnd(3) == 0) put(f, ", valid_for: P%dY", 2 + (int)rnd(3));
        if (rnd(8) == 0) put(f, ", effective_from: 2021-01-01");
        if (rnd(10) == 0) put(f, ", effective_until: 2025-12-31");
        put(f, ", tags: [%s], attributes: { points: %d, field: f%d }", rnd(2) ? "x" : "y",
            1 + (int)rnd(6), (int)rnd(2));
        put(f, ", grade_scale: [C, B, A] }\n");
    }
    for (int s = 1; s <= 15; s++)
        put(f, "  - { id: S%d, name: Stack %d, type: certificate, jurisdiction: US-A }\n", s, s);
    put(f, "holders:\n");
    for (int h = 0; h < nholders; h++) {
        int k = (int)rnd(9);
        put(f, "  - id: h-%04d\n    attributes: { years: %d }\n", h, (int)rnd(5));
        put(f, k ? "    awards:\n" : "    awards: []\n");
        for (int i = 0; i < k; i++) {
            int c = 1 + (int)rnd(10);
            random_date(d, 2017, 11);
            if (rnd(25) == 0)
                put(f, "      - { credential: S%d, issued: %s", 1 + (int)rnd(3), d);
            else
                put(f, "      - { credential: C%d, issued: %s", c, d);
            if (rnd(6) == 0) {
                random_date(e, 2022, 6);
                if (strcmp(e, d) >= 0) put(f, ", expires: %s", e);
            }
            if (rnd(5) == 0) put(f, ", jurisdiction: %s", juris[rnd(3)]);
            if (rnd(12) == 0) put(f, ", status: %s", rnd(2) ? "revoked" : "suspended");
            if (rnd(10) == 0) put(f, ", hours: %d", (int)rnd(60));
            if (rnd(6) == 0) put(f, ", grade: %s", rnd(2) ? "A" : "C");
            if (rnd(3) == 0)
                put(f, ", provenance: { format: ob3, verification: %s }",
                    rnd(2) ? "verified" : "unverified");
            put(f, " }\n");
        }
    }
    put(f, "exceptions:\n  - { holder: h-0000, stack: S1, waive: hours, by: dean, reason: r }\n");
    for (int h = 1; h < nholders; h++) {
        if (rnd(6)) continue;
        int s = 1 + (int)rnd(3);
        if (rnd(3) == 0)
            put(f, "  - { holder: h-%04d, stack: S%d, waive: %s, by: dean, reason: r }\n", h, s,
                rnd(2) ? "hours" : "nolabel");
        else
            put(f,
                "  - { holder: h-%04d, stack: S%d, substitute: { for: C%d, use: C%d }, by: dean, "
                "reason: r }\n",
                h, s, 1 + (int)rnd(6), 7 + (int)rnd(4));
    }
    fclose(f);
}

/* Stacks of every shape. S1-S3 and S7 have status plans; S2 uses S1's
 * derived award; S3 is in force only from 2025-01-01; the others have
 * none (an equivalence, a repeated slot, other requirement kinds, a span
 * window, a slot option, verified = true on a slot or a total). S14 and
 * the recognize rule "v" accept only verified awards; S15's sum is over selected
 * credentials. */
static const char pack_text[] =
    "pack \"q\" { authority = \"test\", version = \"1\" }\n"
    "stack \"S1\" { jurisdiction = \"US-A\", window = { recent = \"P5Y\" },\n"
    "  requires = all { \"C1\", \"C2\", at_least(2) { \"C3\", \"C4\", \"C5\", \"C6\" },\n"
    "    hours(60, { \"C1\", \"C2\", \"C3\", \"C4\", \"C5\", \"C6\" }) { label = \"hours\" } } }\n"
    "stack \"S2\" { jurisdiction = \"US-A\",\n"
    "  requires = any { all { \"C7\", \"S1\" }, at_least(1) { label = \"alt\", \"C8\", \"C9\" },\n"
    "    hours(80, issued_between { \"2020-01-01\", \"2024-12-31\" }) } }\n"
    "stack \"S3\" { jurisdiction = \"US-B\", effective = { from = \"2025-01-01\" },\n"
    "  requires = all { \"C3\", any { \"C4\", \"C10\" }, hours(30, any_credential) } }\n"
    "stack \"S7\" { requires = at_least(2) { \"C1\", \"C5\", \"C9\", \"S2\" } }\n"
    "stack \"S4\" { jurisdiction = \"US-B\", requires = all { \"C1\", \"C9\" } }\n"
    "stack \"S5\" { jurisdiction = \"US-A\", requires = all { \"C1\", any { \"C1\", \"C2\" } } }\n"
    "stack \"S6\" { jurisdiction = \"US-A\", requires = all { matching \"^C[12]$\", \"C3\" } }\n"
    "stack \"S8\" { jurisdiction = \"US-A\", requires = all { \"C1\", tagged \"x\" } }\n"
    "stack \"S9\" { jurisdiction = \"US-A\", requires = any { \"C2\", sum(\"points\", 6) { "
    "group_by = \"field\" } } }\n"
    "stack \"S10\" { jurisdiction = \"US-A\", requires = all { \"C3\", holder_attr(\"years\", "
    "\">=\", 2) } }\n"
    "stack \"S11\" { jurisdiction = \"US-A\", window = { span = \"P2Y\" }, requires = all { "
    "\"C1\", \"C2\" } }\n"
    "stack \"S12\" { jurisdiction = \"US-A\", requires = all { credential \"C4\" { min_grade = "
    "\"B\" }, check(function(ctx) return #ctx.awards > 2, \"few\" end) } }\n"
    "stack \"S13\" { jurisdiction = \"US-A\", requires = all { credential \"C1\" { verified = "
    "true }, \"C2\", at_least(1) { \"C3\", \"C4\" } } }\n"
    "stack \"S14\" { jurisdiction = \"US-C\", requires = all { \"C5\", hours(40, { \"C1\", "
    "\"C2\", \"C3\", \"C4\", \"C5\" }) { verified = true } } }\n"
    "stack \"S15\" { jurisdiction = \"US-A\", requires = any { \"C8\", sum(\"points\", 5, { "
    "\"C1\", \"C3\", \"C5\" }) } }\n"
    "counts_as { from = \"C10\", to = \"C9\", within = \"US-B\" }\n"
    "renews \"C5\" { \"C3\", \"C6\" }\n"
    "recognize \"v\" { into = \"US-C\", from = \"US-A\", credentials = { \"C1\", \"C2\", "
    "\"C3\", \"C4\", \"C5\" }, verified = true }\n"
    "recognize \"g\" { into = member_of \"G\", from = member_of \"G\", credentials = { \"C1\", "
    "\"C2\", \"C3\", \"C7\" } }\n";

/* Only stacks with plans: the whole-registry run goes through them (a
 * recognize rule with verified = true into S3's jurisdiction: awards from
 * elsewhere go to the full evaluator). */
static const char eligible_text[] =
    "pack \"e\" { authority = \"test\", version = \"1\" }\n"
    "stack \"S1\" { jurisdiction = \"US-A\", window = { recent = \"P4Y\" },\n"
    "  requires = all { \"C1\", \"C2\", at_least(2) { \"C3\", \"C4\", \"C5\", \"C6\" },\n"
    "    hours(60, { \"C1\", \"C2\", \"C3\", \"C4\", \"C5\", \"C6\" }) { label = \"hours\" } } }\n"
    "stack \"S2\" { jurisdiction = \"US-A\", requires = any { all { \"C7\", \"S1\" }, "
    "at_least(1) { label = \"alt\", \"C8\", \"C9\" } } }\n"
    "stack \"S3\" { jurisdiction = \"US-B\", requires = all { \"C3\", hours(50, any_credential) "
    "} }\n"
    "stack \"S4\" { requires = at_least(3) { \"C1\", \"C2\", \"C5\", \"C9\", \"S3\" } }\n"
    "renews \"C5\" { \"C3\", \"C6\" }\n"
    "recognize \"v\" { into = \"US-B\", from = \"US-A\", credentials = { \"C3\", \"C4\" }, "
    "verified = true }\n";

static const char *tmp_path(const char *name)
{
    static char path[4][1024];
    static int k;
    const char *dir = getenv("TEST_TMP");
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/quick-%s", dir && *dir ? dir : "/tmp", name);
    return path[k];
}

static int load(int seed, int nholders, const char *text, cx_registry **r, cx_rules **rules)
{
    cx_error err;
    const char *cat = tmp_path("catalog.yaml"), *pack = tmp_path("pack.lua");
    FILE *f = fopen(pack, "w");
    rng_state = 0x9E3779B97F4A7C15u ^ (uint64_t)seed * 7919u;
    write_catalog(cat, nholders);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    *r = NULL;
    *rules = NULL;
    if (cx_registry_open(NULL, CX_OPEN_MEMORY, r, &err) ||
        cx_catalog_import(*r, &cat, 1, NULL, NULL, NULL, &err) ||
        cx_rules_load(*r, &pack, 1, rules, NULL, &err)) {
        fprintf(stderr, "  seed %d: %s:%d: %s\n", seed, err.file, err.line, err.message);
        return -1;
    }
    return 0;
}

/* --------------------------------------------------- the differential */

typedef struct statuses {
    cx_status *v;
    size_t n, cap;
    int texts; /* outputs given a text (should be none) */
} statuses;

static int collect(void *ud, const char *text, cx_status status)
{
    statuses *s = ud;
    if (text) s->texts++;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 1024;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (!s->v) return CX_ENOMEM;
    }
    s->v[s->n++] = status;
    return CX_OK;
}

/* Compares cx_audit_all(render NULL) with cx_audit holder by holder;
 * *mismatches and *decided counted. */
static void differential(cx_rules *rules, int nholders, const char *stack, const char *as_of,
                         int jobs, long *decided, long *mismatches, long count[CX_ERROR + 1])
{
    statuses s = {0};
    cx_error err;
    size_t at = 0;
    CHECK_INT(cx_audit_all(rules, stack, as_of, jobs, NULL, collect, &s, NULL, NULL, &err), CX_OK);
    CHECK_INT(s.texts, 0);
    for (int h = 0; h < nholders; h++) {
        char id[16];
        cx_decision **v = NULL;
        size_t n = 0;
        snprintf(id, sizeof id, "h-%04d", h);
        CHECK_INT(cx_audit(rules, id, stack, as_of, &v, &n, &err), CX_OK);
        for (size_t i = 0; i < n; i++, at++) {
            cx_status got = at < s.n ? s.v[at] : CX_ERROR;
            count[v[i]->status]++;
            (*decided)++;
            if (got == v[i]->status) continue;
            if ((*mismatches)++ < 10)
                fprintf(stderr, "  %s %s as of %s: quick %s, full %s\n", id, v[i]->stack, as_of,
                        cx_status_name(got), cx_status_name(v[i]->status));
        }
        cx_decisions_free(v, n);
    }
    CHECK_INT(s.n, at);
    free(s.v);
}

static const char *const as_ofs[] = {"2024-06-15", "2026-06-01"};

TEST(quick_equals_full_every_shape)
{
    long decided = 0, mismatches = 0, count[CX_ERROR + 1] = {0};
    static const char *const stacks[] = {"S2", "S3", "S7", "S4", "S13", NULL};
    for (int seed = 1; seed <= 4; seed++) {
        cx_registry *r;
        cx_rules *rules;
        if (load(seed, 120, pack_text, &r, &rules) == 0) {
            const char *as_of = as_ofs[seed % 2];
            differential(rules, 120, NULL, as_of, 1 + seed % 2, &decided, &mismatches, count);
            for (size_t k = 0; stacks[k]; k++)
                differential(rules, 120, stacks[k], as_of, 2, &decided, &mismatches, count);
        } else
            CHECK(0);
        cx_rules_free(rules);
        cx_registry_close(r);
    }
    CHECK_INT(mismatches, 0);
    CHECK_INT(decided, 4 * 120 * (15 + 5));
    CHECK(count[CX_MET] > 0); /* every status occurs */
    CHECK(count[CX_IN_PROGRESS] > 0);
    CHECK(count[CX_NOT_STARTED] > 0);
    CHECK(count[CX_ERROR] > 0); /* waivers of a label the stack lacks */
}

TEST(quick_equals_full_eligible_stacks)
{
    long decided = 0, mismatches = 0, count[CX_ERROR + 1] = {0};
    for (int seed = 11; seed <= 18; seed++) {
        cx_registry *r;
        cx_rules *rules;
        if (load(seed, 300, eligible_text, &r, &rules) == 0)
            differential(rules, 300, NULL, as_ofs[seed % 2], 1 + seed % 3, &decided, &mismatches,
                         count);
        else
            CHECK(0);
        cx_rules_free(rules);
        cx_registry_close(r);
    }
    CHECK_INT(mismatches, 0);
    CHECK_INT(decided, 8 * 300 * 4);
    CHECK(count[CX_MET] > 0);
    CHECK(count[CX_IN_PROGRESS] > 0);
    CHECK(count[CX_NOT_STARTED] > 0);
}

/* ------------------------------------------------------- CSV rows */

/* The texts of cx_audit_each, in order, one after the other. */
typedef struct texts {
    char *v;
    size_t n, cap;
    long entries;
} texts;

static int add_text(void *ud, const cx_audit_entry *e)
{
    texts *t = ud;
    size_t len = e->text ? strlen(e->text) : 0;
    CHECK_INT(e->text_len, len); /* where the text ends, as the visitor is told */
    if (t->n + len + 1 > t->cap) {
        t->cap = 2 * (t->n + len + 1) + 4096;
        t->v = realloc(t->v, t->cap);
        if (!t->v) return CX_ENOMEM;
    }
    memcpy(t->v + t->n, e->text ? e->text : "", len + 1);
    t->n += len;
    t->entries++;
    return CX_OK;
}

/* The first line where a and b differ, to stderr. */
static void first_difference(const char *what, const char *a, const char *b)
{
    size_t i = 0, line = 0;
    while (a[i] && a[i] == b[i]) i++;
    while (i > 0 && a[i - 1] != '\n') i--;
    for (size_t k = 0; k < i; k++) line += a[k] == '\n';
    fprintf(stderr, "  %s, line %zu:\n    rows: %.*s\n    full: %.*s\n", what, line + 1,
            (int)strcspn(a + i, "\r\n"), a + i, (int)strcspn(b + i, "\r\n"), b + i);
}

/* Holds got, what cx_audit_each visited, to what render makes of each
 * decision cx_audit gives holders h-0000.. (stack, as_of), byte for byte;
 * *mismatches counted. Frees got. */
static void against_full(cx_rules *rules, int nholders, const char *stack, const char *as_of,
                         char *(*render)(const cx_decision *), texts *got, long *mismatches)
{
    texts full = {0};
    cx_error err;
    for (int h = 0; h < nholders; h++) {
        char id[16];
        cx_decision **v = NULL;
        size_t n = 0;
        snprintf(id, sizeof id, "h-%04d", h);
        CHECK_INT(cx_audit(rules, id, stack, as_of, &v, &n, &err), CX_OK);
        for (size_t i = 0; i < n; i++) {
            char *text = render(v[i]);
            cx_audit_entry e = {.text = text, .text_len = strlen(text)};
            add_text(&full, &e);
            free(text);
        }
        cx_decisions_free(v, n);
    }
    CHECK_INT(got->entries, full.entries);
    if (got->v && full.v && strcmp(got->v, full.v) != 0 && (*mismatches)++ < 5)
        first_difference(as_of, got->v, full.v);
    free(got->v);
    free(full.v);
}

/* Compares cx_audit_each's CSV rows (opt.csv: from the status plans where
 * they are sure) with cx_decision_csv of each decision cx_audit gives. */
static void csv_differential(cx_rules *rules, int nholders, const char *stack, const char *as_of,
                             int jobs, long *mismatches)
{
    texts rows = {0};
    cx_error err;
    cx_audit_options opt = {.stack = stack, .as_of = as_of, .jobs = jobs, .csv = 1};
    CHECK_INT(cx_audit_each(rules, &opt, add_text, &rows, &err), CX_OK);
    against_full(rules, nholders, stack, as_of, cx_decision_csv, &rows, mismatches);
}

/* The plans of rules as of as_of (its day in *on), every stack needed;
 * NULL when they could not be made or the stacks are more than most
 * (the size of needed, and of the callers' status arrays). */
static cx_quick *compile_plans(cx_rules *rules, const char *as_of, cx_date *on, uint8_t *needed,
                               size_t most)
{
    cx_quick *q = NULL;
    cx_error err;
    const char *why;
    size_t ns;
    cx__rules_stacks(rules, &ns);
    memset(needed, 1, most);
    CHECK_INT(cx__date_parse(as_of, on, &why), 0);
    CHECK_INT(cx__quick_compile(rules, as_of, &q, &err), CX_OK);
    if (q && ns > most) {
        cx__quick_free(q);
        q = NULL;
    }
    return q;
}

/* The rows the plans make themselves (cx__quick_holder_rows), each against
 * the full decision's row; count[status] of those the plans were sure of. */
static void plan_rows(cx_rules *rules, int nholders, const char *as_of, long *mismatches,
                      long count[CX_ERROR + 1])
{
    cx_error err;
    cx_date on;
    const cx_snapshot *snap = cx__rules_snapshot(rules);
    uint8_t needed[64], st[64];
    cx_quick_row rows[64];
    cx_quick *q = compile_plans(rules, as_of, &on, needed, sizeof needed);
    for (int h = 0; q && h < nholders; h++) {
        cx_decision **v = NULL;
        size_t n = 0;
        if (cx__quick_holder_rows(q, snap, on, &snap->holders[h], needed, CX_NOSYM, st, rows) != 0)
            continue;
        CHECK_INT(cx_audit(rules, snap->holders[h].id, NULL, as_of, &v, &n, &err), CX_OK);
        for (size_t i = 0; i < n; i++) {
            char issued[11] = "", expires[11] = "never";
            cx_buf row, missing;
            char *want = cx_decision_csv(v[i]);
            cx__buf_init(&row);
            cx__buf_init(&missing);
            if (st[i] == CX_MET) cx__date_format(rows[i].issued, issued);
            if (st[i] == CX_MET && rows[i].expires != CX_DATE_NEVER)
                cx__date_format(rows[i].expires, expires);
            cx__quick_missing(q, &rows[i], &missing);
            cx__csv_audit_row(&row, v[i]->holder, v[i]->stack, cx_status_name(st[i]),
                              st[i] == CX_MET ? issued : NULL, st[i] == CX_MET ? expires : NULL,
                              missing.len ? missing.data : NULL);
            count[st[i]] += missing.len > 0 || st[i] == CX_MET;
            if (strcmp(row.data, want) != 0 && (*mismatches)++ < 5)
                fprintf(stderr, "  plan row %s    full row %s", row.data, want);
            free(want);
            cx__buf_free(&row);
            cx__buf_free(&missing);
        }
        cx_decisions_free(v, n);
    }
    cx__quick_free(q);
}

/* Eligible stacks and no renewal: every met row is the plans' own, dated
 * by slots and by the components of totals, with each award option. */
static const char dated_text[] =
    "pack \"d\" { authority = \"test\", version = \"1\" }\n"
    "stack \"S1\" { jurisdiction = \"US-A\", award = { issued = \"first_component\", expires = "
    "\"P2Y\" },\n"
    "  requires = all { \"C1\", at_least(2) { \"C3\", \"C4\", \"C5\", \"C6\" },\n"
    "    hours(40, { \"C1\", \"C3\", \"C4\", \"C5\", \"C6\" }) } }\n"
    "stack \"S2\" { jurisdiction = \"US-A\", requires = any { all { \"C7\", \"C8\" }, "
    "hours(30, any_credential) } }\n"
    "stack \"S3\" { jurisdiction = \"US-A\", award = { expires = \"never\" },\n"
    "  requires = at_least(2) { \"C3\", hours(20, { \"C4\", \"C5\" }), \"C9\" } }\n"
    "stack \"S4\" { jurisdiction = \"US-A\", requires = all { \"C2\", any { label = \"pick\", "
    "\"C1\", \"C10\" } } }\n";

TEST(csv_rows_from_plans_equal_full_rows)
{
    long mismatches = 0, plan_mismatches = 0, count[CX_ERROR + 1] = {0};
    static const char *const stacks[] = {"S2", "S4", NULL};
    for (int seed = 21; seed <= 32; seed++) {
        cx_registry *r;
        cx_rules *rules;
        const char *as_of = as_ofs[seed % 2];
        const char *text = seed % 3 == 0 ? dated_text : seed % 2 ? eligible_text : pack_text;
        if (load(seed, 300, text, &r, &rules) == 0) {
            csv_differential(rules, 300, NULL, as_of, 1 + seed % 3, &mismatches);
            for (size_t k = 0; stacks[k]; k++)
                csv_differential(rules, 300, stacks[k], as_of, 2, &mismatches);
            plan_rows(rules, 300, as_of, &plan_mismatches, count);
        } else
            CHECK(0);
        cx_rules_free(rules);
        cx_registry_close(r);
    }
    CHECK_INT(mismatches, 0);
    CHECK_INT(plan_mismatches, 0);
    CHECK(count[CX_MET] > 0); /* the plans wrote dates and missing strings themselves */
    CHECK(count[CX_IN_PROGRESS] > 0);
    CHECK(count[CX_NOT_STARTED] > 0);
}

typedef void differential_fn(cx_rules *rules, int nholders, const char *stack, const char *as_of,
                             int jobs, long *mismatches);

/* More holders than one batch (4096): batches decided while the one
 * before is visited, texts from the plans and from full decisions
 * interleaved, in order, for any jobs. */
static void over_several_batches(int seed, const char *text, differential_fn *compare)
{
    long mismatches = 0;
    cx_registry *r;
    cx_rules *rules;
    if (load(seed, 9000, text, &r, &rules) == 0) {
        compare(rules, 9000, NULL, "2026-06-01", 3, &mismatches);
        compare(rules, 9000, NULL, "2026-06-01", 1, &mismatches);
    } else
        CHECK(0);
    CHECK_INT(mismatches, 0);
    cx_rules_free(rules);
    cx_registry_close(r);
}

TEST(csv_rows_over_several_batches)
{
    over_several_batches(31, eligible_text, csv_differential);
}

/* ------------------------------------------------------ JSON lines */

/* Eligible stacks of every shape a JSON line shows: labelled slots and
 * structures, an open choice of structures and totals, a total of every
 * credential, a stack not in force yet (S3) and no longer (S4), a label
 * twice (S5: `missing` and `gaps` keep one), a citation with quotes, a
 * stack without a jurisdiction (S2), one using another's award (S6), and
 * renewals (an expired renewable award goes to the full evaluator). */
static const char lines_text[] =
    "pack \"l\" { authority = \"test\", version = \"1\" }\n"
    "stack \"S1\" { jurisdiction = \"US-A\", window = { recent = \"P6Y\" }, cite = \"Rule "
    "\\\"1\\\"\",\n"
    "  requires = all { credential \"C1\" { label = \"first \\\"one\\\"\" }, any { label = "
    "\"pick\", "
    "\"C2\", \"C10\" },\n"
    "    all { label = \"pair\", \"C3\", \"C4\" }, at_least(2) { \"C5\", all { \"C6\", \"C7\" }, "
    "hours(30, { \"C8\", \"C9\" }) },\n"
    "    hours(70, any_credential) } }\n"
    "stack \"S2\" { requires = at_least(2) { \"C1\", \"C2\", any { \"C3\", \"C4\" } } }\n"
    "stack \"S3\" { jurisdiction = \"US-B\", effective = { from = \"2025-01-01\" },\n"
    "  requires = all { \"C3\", hours(20, issued_between { \"2020-01-01\", \"2030-12-31\" }) } }\n"
    "stack \"S4\" { jurisdiction = \"US-A\", effective = { to = \"2025-01-01\" }, requires = all { "
    "\"C9\" } }\n"
    "stack \"S5\" { jurisdiction = \"US-A\", award = { expires = \"never\" },\n"
    "  requires = all { hours(40, { \"C1\", \"C2\", \"C3\" }) { label = \"hrs\" }, any { label = "
    "\"hrs\", \"C7\", \"C8\" } } }\n"
    "stack \"S6\" { jurisdiction = \"US-A\", requires = all { \"S2\", \"C6\" } }\n"
    "renews \"C5\" { \"C3\", \"C6\" }\n";

/* What opt.direct wrote to f: the texts t the visitor was handed, in
 * order, byte for byte. */
static void check_direct(FILE *f, const texts *t)
{
    long size = (fseek(f, 0, SEEK_END), ftell(f));
    char *v = malloc((size_t)size + 1);
    rewind(f);
    CHECK(v && fread(v, 1, (size_t)size, f) == (size_t)size);
    CHECK_INT(size, (long)t->n);
    if (v && size == (long)t->n) CHECK(t->n == 0 || memcmp(v, t->v, t->n) == 0);
    free(v);
}

/* Compares cx_audit_each's JSON lines (opt.json: from the status plans
 * where they are sure) with cx_decision_json of each decision cx_audit
 * gives, byte for byte; *mismatches counted. The lines also go to a file
 * (opt.direct), where they must be the same bytes. */
static void json_differential(cx_rules *rules, int nholders, const char *stack, const char *as_of,
                              int jobs, long *mismatches)
{
    texts lines = {0};
    cx_error err;
    FILE *f = tmpfile();
    cx_audit_options opt = {.stack = stack,
                            .as_of = as_of,
                            .jobs = jobs,
                            .json = 1,
                            .details = CX_DETAIL_GAPS,
                            .direct = 1,
                            .fd = f ? fileno(f) : -1};
    CHECK(f != NULL);
    CHECK_INT(cx_audit_each(rules, &opt, add_text, &lines, &err), CX_OK);
    if (f) {
        check_direct(f, &lines);
        fclose(f);
    }
    against_full(rules, nholders, stack, as_of, cx_decision_json, &lines, mismatches);
}

/* What the plans' own lines showed: by status, and of their parts. */
typedef struct line_counts {
    long status[CX_ERROR + 1];
    long expired, verification, reasons, hours_options;
} line_counts;

/* The lines the plans write themselves (cx__quick_json_holder), each
 * against the full decision's line; what they showed counted. */
static void plan_lines(cx_rules *rules, int nholders, const char *as_of, long *mismatches,
                       line_counts *count)
{
    cx_quick_json *m = NULL;
    cx_error err;
    cx_date on;
    const cx_snapshot *snap = cx__rules_snapshot(rules);
    uint8_t needed[64], st[64];
    size_t at[64];
    cx_buf b;
    cx_quick *q = compile_plans(rules, as_of, &on, needed, sizeof needed);
    cx__buf_init(&b);
    if (q) CHECK((m = cx__quick_json_new(q, rules, on, as_of)) != NULL);
    for (int h = 0; m && h < nholders; h++) {
        cx_decision **v = NULL;
        size_t n = 0;
        b.len = 0;
        if (cx__quick_json_holder(m, snap, on, &snap->holders[h], needed, CX_NOSYM, st, &b, at))
            continue;
        CHECK_INT(cx_audit(rules, snap->holders[h].id, NULL, as_of, &v, &n, &err), CX_OK);
        for (size_t i = 0; i < n; i++) {
            char *want = cx_decision_json(v[i]);
            const char *got = b.data + at[i];
            count->status[st[i]]++;
            count->expired += strstr(got, "\"expired\":[{") != NULL;
            count->verification += strstr(got, "\"verification\":") != NULL;
            count->reasons += strstr(got, "\"reasons\":[{") != NULL;
            count->hours_options += strstr(got, "\"unit\":\"hours\",\"options\":[\"") != NULL;
            if (strcmp(got, want) != 0 && (*mismatches)++ < 5)
                fprintf(stderr, "  plan line %s    full line %s", got, want);
            free(want);
        }
        cx_decisions_free(v, n);
    }
    cx__buf_free(&b);
    cx__quick_json_free(m);
    cx__quick_free(q);
}

TEST(json_lines_from_plans_equal_full_lines)
{
    long mismatches = 0, plan_mismatches = 0;
    line_counts count = {{0}, 0, 0, 0, 0};
    static const char *const stacks[] = {"S2", "S6", "S3", NULL};
    static const char *const texts_[] = {lines_text, eligible_text, dated_text, pack_text};
    for (int seed = 41; seed <= 56; seed++) {
        cx_registry *r;
        cx_rules *rules;
        const char *as_of = seed % 4 < 2 ? as_ofs[seed % 2] : "2025-02-01";
        if (load(seed, 300, texts_[seed % 4], &r, &rules) == 0) {
            json_differential(rules, 300, NULL, as_of, 1 + seed % 3, &mismatches);
            for (size_t k = 0; seed % 4 == 0 && stacks[k]; k++)
                json_differential(rules, 300, stacks[k], as_of, 2, &mismatches);
            plan_lines(rules, 300, as_of, &plan_mismatches, &count);
        } else
            CHECK(0);
        cx_rules_free(rules);
        cx_registry_close(r);
    }
    CHECK_INT(mismatches, 0);
    CHECK_INT(plan_mismatches, 0);
    /* the plans wrote lines of every status and part themselves */
    CHECK(count.status[CX_MET] > 0);
    CHECK(count.status[CX_IN_PROGRESS] > 0);
    CHECK(count.status[CX_NOT_STARTED] > 0);
    CHECK(count.expired > 0);
    CHECK(count.verification > 0);
    CHECK(count.reasons > 0);
    CHECK(count.hours_options > 0);
}

TEST(json_lines_over_several_batches)
{
    over_several_batches(43, lines_text, json_differential);
}

/* ------------------------------------------------ the audit visitor */

/* What cx_audit_each handed over, one entry per decision. */
typedef struct visited {
    struct seen {
        char holder[16], stack[8];
        cx_status status;
        int has_decision, has_text;
        char *json; /* the decision's JSON, or the rendered text */
    } * v;
    size_t n, cap;
    int mismatched; /* a decision whose holder, stack or status is not the entry's */
} visited;

static int render_json(void *ud, const cx_decision *d, cx_write_fn write, void *wud)
{
    (void)ud;
    return cx_decision_write_json(d, write, wud);
}

static int visit(void *ud, const cx_audit_entry *e)
{
    visited *s = ud;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 1024;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (!s->v) return CX_ENOMEM;
    }
    struct seen *x = &s->v[s->n++];
    snprintf(x->holder, sizeof x->holder, "%s", e->holder);
    snprintf(x->stack, sizeof x->stack, "%s", e->stack);
    x->status = e->status;
    x->has_decision = e->decision != NULL;
    x->has_text = e->text != NULL;
    x->json = e->decision ? cx_decision_json(e->decision) : e->text ? strdup(e->text) : NULL;
    if (e->text && e->text_len != strlen(e->text)) s->mismatched++;
    if (e->decision &&
        (strcmp(e->decision->holder, e->holder) != 0 || strcmp(e->decision->stack, e->stack) != 0 ||
         e->decision->status != e->status))
        s->mismatched++;
    return CX_OK;
}

/* cx_audit_each with opt against cx_audit_with the same details, holder by
 * holder: the ids, statuses and (when given) the decision's JSON of every
 * entry, in order. */
static void visitor_against_full(cx_rules *rules, int nholders, const cx_audit_options *opt,
                                 int want_decision, int want_text)
{
    visited s = {0};
    cx_error err;
    size_t at = 0;
    CHECK_INT(cx_audit_each(rules, opt, visit, &s, &err), CX_OK);
    CHECK_INT(s.mismatched, 0);
    for (int h = 0; h < nholders; h++) {
        char id[16];
        cx_decision **v = NULL;
        size_t n = 0;
        snprintf(id, sizeof id, "h-%04d", h);
        CHECK_INT(cx_audit_with(rules, id, opt->stack, opt->as_of, opt->details, &v, &n, &err),
                  CX_OK);
        for (size_t i = 0; i < n && at < s.n; i++, at++) {
            const struct seen *x = &s.v[at];
            char *json = cx_decision_json(v[i]);
            CHECK_STR(x->holder, id);
            CHECK_STR(x->stack, v[i]->stack);
            CHECK_INT(x->status, v[i]->status);
            CHECK_INT(x->has_decision, want_decision);
            CHECK_INT(x->has_text, want_text);
            if (want_decision || want_text) CHECK_STR(x->json, json);
            free(json);
        }
        cx_decisions_free(v, n);
    }
    CHECK_INT(s.n, at);
    for (size_t i = 0; i < s.n; i++) free(s.v[i].json);
    free(s.v);
}

TEST(audit_visitor_gives_ids_statuses_and_decisions)
{
    cx_registry *r;
    cx_rules *rules;
    if (load(5, 60, pack_text, &r, &rules) != 0) {
        CHECK(0);
        cx_rules_free(rules);
        cx_registry_close(r);
        return;
    }
    cx_audit_options plain = {.as_of = "2026-06-01", .jobs = 2};
    visitor_against_full(rules, 60, &plain, 0, 0);
    cx_audit_options decisions = {.as_of = "2026-06-01", .jobs = 3, .decisions = 1};
    visitor_against_full(rules, 60, &decisions, 1, 0);
    cx_audit_options rendered = {.as_of = "2024-06-15", .jobs = 2, .render = render_json};
    visitor_against_full(rules, 60, &rendered, 0, 1);
    cx_audit_options gaps = {
        .as_of = "2026-06-01", .jobs = 2, .decisions = 1, .details = CX_DETAIL_GAPS};
    visitor_against_full(rules, 60, &gaps, 1, 0);
    cx_audit_options only = {.stack = "S7", .as_of = "2026-06-01", .jobs = 1, .decisions = 1};
    visitor_against_full(rules, 60, &only, 1, 0);
    cx_audit_options unknown = {.stack = "S99", .as_of = "2026-06-01", .jobs = 1};
    visited s = {0};
    cx_error err;
    CHECK_INT(cx_audit_each(rules, &unknown, visit, &s, &err), CX_EUSAGE);
    CHECK_INT(s.n, 0);
    free(s.v);
    cx_rules_free(rules);
    cx_registry_close(r);
}

/* A visitor that stops the audit at its `stop_at`-th entry (0: never). */
typedef struct stopper {
    size_t seen, stop_at;
    size_t decisions; /* entries that carried a whole decision */
    char last[16];    /* the last holder visited */
} stopper;

static int stop_visit(void *ud, const cx_audit_entry *e)
{
    stopper *s = ud;
    s->decisions += e->decision != NULL;
    snprintf(s->last, sizeof s->last, "%s", e->holder);
    return ++s->seen == s->stop_at ? 42 : CX_OK;
}

/* A renderer that fails for one holder (ud), as out of memory would. */
static int render_failing(void *ud, const cx_decision *d, cx_write_fn write, void *wud)
{
    if (strcmp(d->holder, (const char *)ud) == 0) return -1;
    return cx_decision_write_json(d, write, wud);
}

/* The driver's ways out before the end, over more than one batch of kept
 * decisions and several workers: a visitor's code comes back unchanged and
 * the visiting stops there; a failing renderer is out of memory, and
 * nothing after its batch is visited. The sanitizer build checks that
 * every kept decision and text is freed on the way out. */
TEST(audit_visitor_stop_and_render_failure)
{
    cx_registry *r;
    cx_rules *rules;
    cx_error err;
    if (load(9, 1100, pack_text, &r, &rules) != 0) {
        CHECK(0);
        cx_rules_free(rules);
        cx_registry_close(r);
        return;
    }
    size_t nstacks = 0;
    cx__rules_stacks(rules, &nstacks);
    for (int jobs = 1; jobs <= 4; jobs += 3) {
        cx_audit_options kept = {.as_of = "2026-06-01", .jobs = jobs, .decisions = 1};
        stopper all = {0};
        CHECK_INT(cx_audit_each(rules, &kept, stop_visit, &all, &err), CX_OK);
        CHECK_INT(all.seen, 1100 * nstacks);
        CHECK_INT(all.decisions, 1100 * nstacks);
        CHECK_STR(all.last, "h-1099");
        /* stops in the second batch (512 holders each) */
        stopper early = {.stop_at = 600 * nstacks + 1};
        CHECK_INT(cx_audit_each(rules, &kept, stop_visit, &early, &err), 42);
        CHECK_INT(early.seen, 600 * nstacks + 1);
        CHECK_STR(early.last, "h-0600");
        cx_audit_options rendered = {.as_of = "2026-06-01", .jobs = jobs, .render = render_json};
        stopper first = {.stop_at = 1};
        CHECK_INT(cx_audit_each(rules, &rendered, stop_visit, &first, &err), 42);
        CHECK_INT(first.seen, 1);
        CHECK_STR(first.last, "h-0000");
        cx_audit_options failing = {.as_of = "2026-06-01",
                                    .jobs = jobs,
                                    .decisions = 1,
                                    .render = render_failing,
                                    .render_ud = "h-0700"};
        stopper failed = {0};
        cx_error_clear(&err);
        CHECK_INT(cx_audit_each(rules, &failing, stop_visit, &failed, &err), CX_ENOMEM);
        CHECK_CONTAINS(err.message, "out of memory");
        CHECK_INT(failed.seen, 512 * nstacks); /* the first batch, whole */
        CHECK_STR(failed.last, "h-0511");
    }
    cx_rules_free(rules);
    cx_registry_close(r);
}

/* A renderer that writes nothing. */
static int render_nothing(void *ud, const cx_decision *d, cx_write_fn write, void *wud)
{
    (void)ud, (void)d, (void)write, (void)wud;
    return 0;
}

/* add_text until the stop_at-th entry, which it refuses (42). */
typedef struct until {
    texts got;
    long stop_at;
} until;

static int add_until(void *ud, const cx_audit_entry *e)
{
    until *u = ud;
    if (u->got.entries + 1 == u->stop_at) return 42;
    return add_text(&u->got, e);
}

/* opt.direct writes the texts of the entries visited, in order: none for
 * empty texts (no error), and none from the entry a visitor refused on. */
TEST(direct_writes_what_was_visited)
{
    cx_registry *r;
    cx_rules *rules;
    cx_error err;
    FILE *f = tmpfile(), *g = tmpfile();
    CHECK(f && g);
    if (!f || !g || load(9, 1100, pack_text, &r, &rules) != 0) {
        CHECK(0);
        return;
    }
    size_t nstacks = 0;
    cx__rules_stacks(rules, &nstacks);
    cx_audit_options empty = {
        .as_of = "2026-06-01", .jobs = 2, .render = render_nothing, .direct = 1, .fd = fileno(f)};
    stopper all = {0};
    CHECK_INT(cx_audit_each(rules, &empty, stop_visit, &all, &err), CX_OK);
    CHECK_INT(all.seen, 1100 * nstacks);
    CHECK_INT((fseek(f, 0, SEEK_END), ftell(f)), 0);
    cx_audit_options lines = {.as_of = "2026-06-01",
                              .jobs = 2,
                              .json = 1,
                              .details = CX_DETAIL_GAPS,
                              .direct = 1,
                              .fd = fileno(g)};
    until u = {.stop_at = 600 * (long)nstacks + 7}; /* in the second batch of texts */
    CHECK_INT(cx_audit_each(rules, &lines, add_until, &u, &err), 42);
    CHECK_INT(u.got.entries, 600 * (long)nstacks + 6);
    check_direct(g, &u.got);
    free(u.got.v);
    fclose(f);
    fclose(g);
    cx_rules_free(rules);
    cx_registry_close(r);
}

/* ---------------------------------------------------------- eligibility */

static cx_sym sym(cx_rules *rules, const char *id)
{
    return cx__snapshot_find(cx__rules_snapshot(rules), CX_KIND_CREDENTIAL, id);
}

TEST(which_stacks_get_a_plan)
{
    cx_registry *r;
    cx_rules *rules;
    cx_quick *q = NULL;
    cx_error err;
    if (load(1, 5, pack_text, &r, &rules) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(cx__quick_compile(rules, "2026-06-01", &q, &err), CX_OK);
    if (q) {
        CHECK(cx__quick_refusal(q, sym(rules, "S1")) == NULL);
        CHECK(cx__quick_refusal(q, sym(rules, "S2")) == NULL);
        CHECK(cx__quick_refusal(q, sym(rules, "S3")) == NULL);
        CHECK(cx__quick_refusal(q, sym(rules, "S7")) == NULL);
        CHECK_STR(cx__quick_refusal(q, sym(rules, "S4")), "an equivalence rule can fill a slot");
        CHECK_STR(cx__quick_refusal(q, sym(rules, "S5")), "two slots of one credential");
        CHECK_STR(cx__quick_refusal(q, sym(rules, "S6")), "a matching, tagged or competency slot");
        CHECK_STR(cx__quick_refusal(q, sym(rules, "S8")), "a matching, tagged or competency slot");
        CHECK_STR(cx__quick_refusal(q, sym(rules, "S9")), "a sum total");
        CHECK_STR(cx__quick_refusal(q, sym(rules, "S15")), "a sum total");
        CHECK_STR(cx__quick_refusal(q, sym(rules, "S10")), "a holder_attr requirement");
        CHECK_STR(cx__quick_refusal(q, sym(rules, "S11")), "a span window");
        CHECK_STR(cx__quick_refusal(q, sym(rules, "S12")), "a slot with min_grade or min_results");
        CHECK_STR(cx__quick_refusal(q, sym(rules, "S13")), "verified = true");
        CHECK_STR(cx__quick_refusal(q, sym(rules, "S14")), "verified = true");
    }
    cx__quick_free(q);
    cx_rules_free(rules);
    cx_registry_close(r);
}

TEST(equivalence_outside_its_scope_leaves_a_plan)
{
    /* counts_as C10 -> C9 holds within US-B only: a US-A stack with a C9
     * slot keeps its plan; an equivalence rule not yet effective too */
    static const char text[] =
        "pack \"s\" { authority = \"test\", version = \"1\" }\n"
        "stack \"S1\" { jurisdiction = \"US-A\", requires = all { \"C1\", \"C9\" } }\n"
        "stack \"S2\" { jurisdiction = \"US-A\", requires = all { \"C8\" } }\n"
        "stack \"S3\" { jurisdiction = \"US-A\", requires = all { \"C2\", check(function(ctx) "
        "return true end) } }\n"
        "counts_as { from = \"C10\", to = \"C9\", within = \"US-B\" }\n"
        "equivalent { \"C7\", \"C8\", effective = { from = \"2027-01-01\" } }\n";
    cx_registry *r;
    cx_rules *rules;
    cx_quick *q = NULL;
    cx_error err;
    if (load(2, 5, text, &r, &rules) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(cx__quick_compile(rules, "2026-06-01", &q, &err), CX_OK);
    if (q) {
        CHECK(cx__quick_refusal(q, sym(rules, "S1")) == NULL);
        CHECK(cx__quick_refusal(q, sym(rules, "S2")) == NULL);
        CHECK_STR(cx__quick_refusal(q, sym(rules, "S3")), "a check requirement");
    }
    cx__quick_free(q);
    q = NULL;
    CHECK_INT(cx__quick_compile(rules, "2027-06-01", &q, &err), CX_OK);
    if (q) CHECK_STR(cx__quick_refusal(q, sym(rules, "S2")), "an equivalence rule can fill a slot");
    cx__quick_free(q);
    cx_rules_free(rules);
    cx_registry_close(r);
}

TEST(many_awards_per_slot_same_status)
{
    /* at_least(4) of 8 slots and a ninth nobody has, and 6 awards of each
     * of the 8: the plan is eligible but bounded to fewer awards per slot,
     * so that holder goes to the full evaluator, whose search sees at once
     * that no award can fill C9 (in_progress, not an exhausted search) */
    static const char text[] = "pack \"l\" { authority = \"test\", version = \"1\" }\n"
                               "stack \"S1\" { jurisdiction = \"US-A\", requires = all { "
                               "at_least(4) { \"C1\", \"C2\", \"C3\", \"C4\", \"C5\", "
                               "\"C6\", \"C7\", \"C8\" }, \"C9\" } }\n";
    const char *cat = tmp_path("limit.yaml"), *pack = tmp_path("limit.lua");
    FILE *f = fopen(cat, "w"), *g = fopen(pack, "w");
    cx_registry *r = NULL;
    cx_rules *rules = NULL;
    cx_quick *q = NULL;
    cx_decision **v = NULL;
    size_t n = 0;
    statuses s = {0};
    cx_error err;
    if (!f || !g) {
        CHECK(0);
        return;
    }
    fputs(text, g);
    fclose(g);
    fputs("version: 1\njurisdictions:\n  - { id: US-A, name: A }\ncredentials:\n", f);
    for (int c = 1; c <= 9; c++)
        fprintf(f, "  - { id: C%d, name: M, type: module, jurisdiction: US-A }\n", c);
    fputs("  - { id: S1, name: S, type: certificate, jurisdiction: US-A }\nholders:\n", f);
    fputs("  - id: h-0000\n    awards:\n", f);
    for (int c = 1; c <= 8; c++)
        for (int k = 1; k <= 6; k++)
            fprintf(f, "      - { credential: C%d, issued: 2024-0%d-1%d }\n", c, k, c);
    fputs("  - id: h-0001\n    awards:\n      - { credential: C1, issued: 2024-01-01 }\n", f);
    fclose(f);
    CHECK_INT(cx_registry_open(NULL, CX_OPEN_MEMORY, &r, &err), CX_OK);
    CHECK_INT(cx_catalog_import(r, &cat, 1, NULL, NULL, NULL, &err), CX_OK);
    CHECK_INT(cx_rules_load(r, &pack, 1, &rules, NULL, &err), CX_OK);
    if (!rules) {
        cx_registry_close(r);
        return;
    }
    CHECK_INT(cx__quick_compile(rules, "2026-06-01", &q, &err), CX_OK);
    if (q) CHECK(cx__quick_refusal(q, sym(rules, "S1")) == NULL);
    cx__quick_free(q);
    CHECK_INT(cx_audit(rules, "h-0000", NULL, "2026-06-01", &v, &n, &err), CX_OK);
    CHECK_INT(n, 1);
    if (n) CHECK_INT(v[0]->status, CX_IN_PROGRESS);
    cx_decisions_free(v, n);
    CHECK_INT(cx_audit_all(rules, NULL, "2026-06-01", 1, NULL, collect, &s, NULL, NULL, &err),
              CX_OK);
    CHECK_INT(s.n, 2);
    if (s.n == 2) {
        CHECK_INT(s.v[0], CX_IN_PROGRESS);
        CHECK_INT(s.v[1], CX_IN_PROGRESS);
    }
    free(s.v);
    cx_rules_free(rules);
    cx_registry_close(r);
}

TEST(search_limit_goes_to_the_full_evaluator)
{
    /* nine slots any of eight awards can fill (all tagged "m"): no slot is
     * impossible on its own, so the search tries every way of giving eight
     * awards to nine slots (109,601 steps) and stops at its limit: status
     * error, from the full evaluator, which the status-only path falls back
     * to (tagged slots have no plan) */
    cx_buf text;
    cx__buf_init(&text);
    cx__buf_puts(&text, "pack \"l\" { authority = \"test\", version = \"1\" }\n"
                        "stack \"S1\" { jurisdiction = \"US-A\", requires = all {\n");
    for (int k = 1; k <= 9; k++) cx__buf_printf(&text, "  tagged \"m\" { label = \"m%d\" },\n", k);
    cx__buf_puts(&text, "} }\n");
    const char *cat = tmp_path("limit2.yaml"), *pack = tmp_path("limit2.lua");
    FILE *f = fopen(cat, "w"), *g = fopen(pack, "w");
    cx_registry *r = NULL;
    cx_rules *rules = NULL;
    cx_decision **v = NULL;
    size_t n = 0;
    statuses s = {0};
    cx_error err;
    if (!f || !g || text.oom) {
        CHECK(0);
        if (f) fclose(f);
        if (g) fclose(g);
        cx__buf_free(&text);
        return;
    }
    fputs(text.data, g);
    fclose(g);
    cx__buf_free(&text);
    fputs("version: 1\njurisdictions:\n  - { id: US-A, name: A }\ncredentials:\n", f);
    for (int c = 1; c <= 8; c++)
        fprintf(f, "  - { id: C%d, name: M, type: module, jurisdiction: US-A, tags: [m] }\n", c);
    fputs("  - { id: S1, name: S, type: certificate, jurisdiction: US-A }\nholders:\n", f);
    fputs("  - id: h-0000\n    awards:\n", f);
    for (int c = 1; c <= 8; c++)
        fprintf(f, "      - { credential: C%d, issued: 2024-01-1%d }\n", c, c);
    fclose(f);
    CHECK_INT(cx_registry_open(NULL, CX_OPEN_MEMORY, &r, &err), CX_OK);
    CHECK_INT(cx_catalog_import(r, &cat, 1, NULL, NULL, NULL, &err), CX_OK);
    CHECK_INT(cx_rules_load(r, &pack, 1, &rules, NULL, &err), CX_OK);
    if (!rules) {
        cx_registry_close(r);
        return;
    }
    CHECK_INT(cx_audit(rules, "h-0000", NULL, "2026-06-01", &v, &n, &err), CX_OK);
    CHECK_INT(n, 1);
    if (n) {
        CHECK_INT(v[0]->status, CX_ERROR);
        CHECK(v[0]->nreasons == 1 && strstr(v[0]->reasons[0].message, "allocation search limit"));
    }
    cx_decisions_free(v, n);
    CHECK_INT(cx_audit_all(rules, NULL, "2026-06-01", 1, NULL, collect, &s, NULL, NULL, &err),
              CX_OK);
    CHECK_INT(s.n, 1);
    if (s.n == 1) CHECK_INT(s.v[0], CX_ERROR);
    free(s.v);
    cx_rules_free(rules);
    cx_registry_close(r);
}

static const test_case tests[] = {
    {"quick_equals_full_every_shape", quick_equals_full_every_shape},
    {"quick_equals_full_eligible_stacks", quick_equals_full_eligible_stacks},
    {"which_stacks_get_a_plan", which_stacks_get_a_plan},
    {"equivalence_outside_its_scope_leaves_a_plan", equivalence_outside_its_scope_leaves_a_plan},
    {"many_awards_per_slot_same_status", many_awards_per_slot_same_status},
    {"search_limit_goes_to_the_full_evaluator", search_limit_goes_to_the_full_evaluator},
    {"audit_visitor_stop_and_render_failure", audit_visitor_stop_and_render_failure},
    {"csv_rows_from_plans_equal_full_rows", csv_rows_from_plans_equal_full_rows},
    {"csv_rows_over_several_batches", csv_rows_over_several_batches},
    {"json_lines_from_plans_equal_full_lines", json_lines_from_plans_equal_full_lines},
    {"json_lines_over_several_batches", json_lines_over_several_batches},
    {"direct_writes_what_was_visited", direct_writes_what_was_visited},
    {"audit_visitor_gives_ids_statuses_and_decisions",
     audit_visitor_gives_ids_statuses_and_decisions},
    {NULL, NULL},
};

TEST_MAIN(tests)
