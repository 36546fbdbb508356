/*
 * test_decision.c -- decision values rendered as JSON and text: golden
 * files for every kind and status (tests/unit/golden/decisions*.{jsonl,txt}),
 * the JSON read back with its members, types and key order, invalid UTF-8
 * and control characters, and cx_decision_free under the sanitizers; and
 * the other renderers: entities (JSON and text, cx_award_expiry), the
 * check and test reports, and JUnit XML.
 *
 * The goldens are checked by eye. After a deliberate change of format, run
 *     CREDEX_UPDATE_GOLDEN=1 ./test_decision
 * to rewrite them, then read `git diff tests/unit/golden` before committing.
 */
#include <jansson.h>
#include <stdint.h>

#include "eval.h"
#include "test.h"
#include "util.h"

#define GOLDEN_DIR TEST_SRC "/tests/unit/golden/"

/* ------------------------------------------------------------- building */

/* Fixtures are built the way the evaluator builds decisions: everything
 * malloc'd, released by cx_decision_free. Allocation failure aborts. */

static void *must(void *p)
{
    if (!p) {
        fprintf(stderr, "out of memory\n");
        abort();
    }
    return p;
}

static char *S(const char *s)
{
    return s ? must(cx__strdup(s)) : NULL;
}

/* Grows the array arr of n elements by one zeroed element and evaluates
 * to a pointer to it. */
#define GROW(arr, n)                                                                               \
    ((arr) = must(realloc((arr), ((n) + 1) * sizeof *(arr))),                                      \
     memset(&(arr)[(n)], 0, sizeof *(arr)), &(arr)[(n)++])

static cx_decision *decision(cx_decision_kind kind, cx_status status, const char *as_of)
{
    cx_decision *d = must(calloc(1, sizeof *d));
    d->kind = kind;
    d->status = status;
    snprintf(d->as_of, sizeof d->as_of, "%s", as_of);
    return d;
}

static void reason(cx_decision *d, const char *code, const char *message)
{
    cx_reason *r = GROW(d->reasons, d->nreasons);
    r->code = S(code);
    r->message = S(message);
}

static void used(cx_decision *d, const char *award, const char *credential, const char *slot,
                 const char *via)
{
    cx_used *u = GROW(d->used, d->nused);
    u->award = S(award);
    u->credential = S(credential);
    u->slot = S(slot);
    u->via = S(via);
}

static void missing(cx_decision *d, const char *what)
{
    char **m = GROW(d->missing, d->nmissing);
    *m = S(what);
}

static void near_miss(cx_decision *d, const char *rule, const char *clause, const char *detail)
{
    cx_near_miss *m = GROW(d->near_misses, d->nnear_misses);
    m->rule = S(rule);
    m->clause = S(clause);
    m->detail = S(detail);
}

static void node(cx_trace *t, const char *rule, const char *status, const char *detail)
{
    t->rule = S(rule);
    t->status = S(status);
    t->detail = S(detail);
}

/* Sets where a node's rule is written and what it cites. */
static void at(cx_trace *t, const char *pack, const char *file, int line, const char *cite)
{
    t->pack = S(pack);
    t->file = S(file);
    t->line = line;
    t->cite = S(cite);
}

/* Adds a child; the pointer is valid until the next child of parent. */
static cx_trace *child(cx_trace *parent, const char *rule, const char *status, const char *detail)
{
    cx_trace *t = GROW(parent->children, parent->nchildren);
    node(t, rule, status, detail);
    return t;
}

/* ------------------------------------------------------------- fixtures */

#define CA_EV_FILE "examples/ev-mechanic/rules/ca-ev-certificate.lua"
#define CA_EV_CITE "Rio Hondo College Catalog 2026-27, EV Technician Certificate (TOP 0948.40)"
#define EVC_FILE   "examples/ev-mechanic/rules/evc-compact.lua"
#define EVC_CITE   "EV Service Compact, Art. IV (mutual recognition)"
#define EVC_CA_CITE                                                                                \
    "Cal. EV Service Compact implementing regulations \xC2\xA7"                                    \
    "4.2 (illustrative)"
#define ART_FILE "examples/ev-mechanic/rules/tx-ca-articulation.lua"
#define ART_CITE "Intersegmental Articulation Agreement 2025-14 (Texas EV modules)"
#define COV_CITE "CTE Policy Memo 26-03, competency-based articulation"

/* The stack rule's node in an audit's trace, cited. */
static cx_trace *stack_node(cx_decision *d, const char *status)
{
    cx_trace *s = child(&d->trace, "CA-EV-TECH", status, NULL);
    at(s, "ca-ev-certificate", CA_EV_FILE, 13, CA_EV_CITE);
    return s;
}

static cx_decision *audit_met(void)
{
    cx_decision *d = decision(CX_DECISION_AUDIT, CX_MET, "2026-06-01");
    d->holder = S("h-ca-0001");
    d->stack = S("CA-EV-TECH");
    used(d, "h-ca-0001/CA-EVS-101/2024-09-06", "CA-EVS-101", "safety", "direct");
    used(d, "h-ca-0001/CA-EVB-201/2025-01-24", "CA-EVB-201", "electives", "direct");
    used(d, "h-ca-0001/CA-EVD-202/2025-05-30", "CA-EVD-202", "electives", "direct");
    snprintf(d->issued, sizeof d->issued, "2025-05-30");
    snprintf(d->expires, sizeof d->expires, "2027-09-06");
    node(&d->trace, "audit h-ca-0001 CA-EV-TECH", "met", NULL);
    cx_trace *s = stack_node(d, "holds");
    child(s, "safety", "holds", "h-ca-0001/CA-EVS-101/2024-09-06, grade A (min C)");
    cx_trace *e = child(s, "electives", "holds", "2 of 3");
    child(e, "CA-EVB-201", "holds", "h-ca-0001/CA-EVB-201/2025-01-24");
    child(e, "CA-EVD-202", "holds", "h-ca-0001/CA-EVD-202/2025-05-30");
    child(e, "CA-EVC-203", "fails", "no counted award");
    child(s, "shop hours", "holds", "136 of 120 hours tagged ev");
    child(s, "window span P5Y", "holds", "2024-09-06..2025-05-30");
    return d;
}

/* Met through a waiver; the derived award never expires. */
static cx_decision *audit_met_waived(void)
{
    cx_decision *d = decision(CX_DECISION_AUDIT, CX_MET, "2026-06-01");
    d->holder = S("h-ca-0003");
    d->stack = S("CA-EV-TECH");
    reason(d, "exception",
           "shop hours waived by Dean of CTE, Rio Hondo College: US Army 91B training");
    used(d, "h-ca-0003/CA-EVS-101/2025-02-07", "CA-EVS-101", "safety", "direct");
    used(d, "h-ca-0003/CA-EVB-201/2025-06-13", "CA-EVB-201", "electives", "direct");
    used(d, "h-ca-0003/CA-EVC-203/2025-10-03", "CA-EVC-203", "electives", "direct");
    snprintf(d->issued, sizeof d->issued, "2025-10-03");
    node(&d->trace, "audit h-ca-0003 CA-EV-TECH", "met", NULL);
    cx_trace *s = stack_node(d, "holds");
    child(s, "safety", "holds", "h-ca-0003/CA-EVS-101/2025-02-07");
    child(s, "electives", "holds", "2 of 3");
    cx_trace *w = child(s, "shop hours", "waived", "112 of 120 hours; exception");
    at(w, NULL, "examples/ev-mechanic/catalog.yaml", 311, NULL);
    return d;
}

static cx_decision *audit_in_progress(void)
{
    cx_decision *d = decision(CX_DECISION_AUDIT, CX_IN_PROGRESS, "2026-06-01");
    d->holder = S("h-ca-0002");
    d->stack = S("CA-EV-TECH");
    reason(d, "unmet", "electives: 1 of 2; shop hours: 64 of 120");
    used(d, "h-ca-0002/CA-EVS-101/2025-12-12", "CA-EVS-101", "safety", "direct");
    used(d, "h-ca-0002/CA-EVC-203/2026-05-15", "CA-EVC-203", "electives", "direct");
    missing(d, "at_least(1) { \"CA-EVB-201\", \"CA-EVD-202\" }");
    missing(d, "shop hours");
    node(&d->trace, "audit h-ca-0002 CA-EV-TECH", "in_progress", NULL);
    cx_trace *s = stack_node(d, "fails");
    child(s, "safety", "holds", "h-ca-0002/CA-EVS-101/2025-12-12, grade B (min C)");
    cx_trace *e = child(s, "electives", "fails", "1 of 2");
    child(e, "CA-EVB-201", "fails", "no counted award");
    child(e, "CA-EVD-202", "fails", "no counted award");
    child(e, "CA-EVC-203", "holds", "h-ca-0002/CA-EVC-203/2026-05-15");
    child(s, "shop hours", "fails", "64 of 120 hours tagged ev");
    return d;
}

/* Rule text with quotes, a newline, a tab, terminal escapes, DEL, a bidi
 * override and invalid UTF-8: JSON escapes or replaces each, text shows
 * each on the block's one line. */
#define NASTY_MISSING                                                                              \
    "bad \xFF byte, cut \xE2\x82, overlong \xC0\xAF, surrogate \xED\xA0\x80, "                     \
    "beyond \xF4\x90\x80\x80, ok caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x8B"
#define NASTY_REASON "line one\nline two \"quoted\"\ttab \x1B[31mred\x1B[0m back\\slash"

static cx_decision *audit_not_started_nasty(void)
{
    cx_decision *d = decision(CX_DECISION_AUDIT, CX_NOT_STARTED, "2026-06-01");
    d->holder = S("h-\xE9t\xE9");
    d->stack = S("CA-EV-TECH");
    reason(d, "check", NASTY_REASON);
    missing(d, NASTY_MISSING);
    node(&d->trace, "audit h-\xE9t\xE9 CA-EV-TECH", "not_started", NULL);
    cx_trace *c = child(&d->trace, "check", "fails", "del \x7F nul-free, rlo \xE2\x80\xAEgnp.exe");
    at(c, "weird", "rules/weird\npack.lua", 7, "cite with \"quotes\" and \xC2\x85NEL");
    return d;
}

static cx_decision *equiv_coverage(void)
{
    cx_decision *d = decision(CX_DECISION_EQUIV, CX_EQUIVALENT, "2026-06-01");
    d->from = S("TX-EVB-201");
    d->to = S("CA-EVB-201");
    d->in = S("US-CA");
    d->has_coverage = 1;
    d->covered = 4;
    d->total = 5;
    reason(d, "coverage", "TX-EVB-201 covers 4 of CA-EVB-201's 5 competencies (80%)");
    node(&d->trace, "equiv TX-EVB-201 -> CA-EVB-201 in US-CA", "equivalent", NULL);
    cx_trace *r = child(&d->trace, "competency-80", "holds", "coverage 4 of 5 >= 80%");
    at(r, "tx-ca-ev-articulation", ART_FILE, 22, COV_CITE);
    cx_trace *c =
        child(&d->trace, "counts_as:TX-EVB-201>CA-EVB-201", "skipped", "effective from 2025-07-01");
    at(c, "tx-ca-ev-articulation", ART_FILE, 14, ART_CITE);
    return d;
}

static cx_decision *equiv_counts_as(void)
{
    cx_decision *d = decision(CX_DECISION_EQUIV, CX_EQUIVALENT, "2026-06-01");
    d->from = S("TX-EVS-101");
    d->to = S("CA-EVS-101");
    d->in = S("US-CA");
    used(d, "h-tx-0001/TX-EVS-101/2025-03-14", "TX-EVS-101", "CA-EVS-101",
         "equivalence:counts_as:TX-EVS-101>CA-EVS-101");
    node(&d->trace, "equiv TX-EVS-101 -> CA-EVS-101 in US-CA", "equivalent", NULL);
    cx_trace *r = child(&d->trace, "counts_as:TX-EVS-101>CA-EVS-101", "holds", "within US-CA");
    at(r, "tx-ca-ev-articulation", ART_FILE, 13, ART_CITE);
    return d;
}

static cx_decision *equiv_partial(void)
{
    cx_decision *d = decision(CX_DECISION_EQUIV, CX_PARTIAL, "2026-06-01");
    d->from = S("TX-EVD-202");
    d->to = S("CA-EVD-202");
    d->in = S("US-CA");
    d->has_coverage = 1;
    d->covered = 3;
    d->total = 4;
    reason(d, "coverage", "TX-EVD-202 covers 3 of CA-EVD-202's 4 competencies (75%); 80% needed");
    missing(d, "ev.dc-dc");
    node(&d->trace, "equiv TX-EVD-202 -> CA-EVD-202 in US-CA", "partial", NULL);
    cx_trace *r = child(&d->trace, "competency-80", "fails", "coverage 3 of 4 < 80%");
    at(r, "tx-ca-ev-articulation", ART_FILE, 22, COV_CITE);
    return d;
}

static cx_decision *equiv_not_equivalent(void)
{
    cx_decision *d = decision(CX_DECISION_EQUIV, CX_NOT_EQUIVALENT, "2026-06-01");
    d->from = S("ASE-A1");
    d->to = S("CA-EVS-101");
    reason(d, "no_rule", "no rule that applies everywhere makes ASE-A1 count as CA-EVS-101");
    node(&d->trace, "equiv ASE-A1 -> CA-EVS-101", "not_equivalent", NULL);
    /* a rule that failed decided nothing: no "rule:" line */
    cx_trace *r =
        child(&d->trace, "ase-hybrid", "fails", "check: ASE-A1 is not an EV certification");
    at(r, "ase", "rules/ase.lua", 9, "ASE hybrid/EV crosswalk 2024");
    return d;
}

static cx_decision *equiv_error(void)
{
    cx_decision *d = decision(CX_DECISION_EQUIV, CX_ERROR, "2026-06-01");
    d->from = S("NV-EVB-2");
    d->to = S("CA-EVB-201");
    d->in = S("US-CA");
    reason(d, "limit",
           "rules/nv-battery.lua:14: instruction limit (1000000) reached in when = function");
    node(&d->trace, "equiv NV-EVB-2 -> CA-EVB-201 in US-CA", "error", NULL);
    cx_trace *r = child(&d->trace, "nv-battery-lab", "error", "instruction limit reached");
    at(r, "nv-battery", "rules/nv-battery.lua", 14, NULL);
    return d;
}

static cx_decision *transfer_conditional(void)
{
    cx_decision *d = decision(CX_DECISION_TRANSFER, CX_CONDITIONAL, "2025-08-01");
    d->holder = S("h-tx-0001");
    d->award = S("h-tx-0001/TX-EVS-101/2025-03-14");
    d->credential = S("TX-EVS-101");
    d->from_jurisdiction = S("US-TX");
    d->to_jurisdiction = S("US-CA");
    reason(d, "requires", "evc-california recognises it once CA-EV-ORIENT is held");
    missing(d, "CA-EV-ORIENT");
    node(&d->trace, "transfer h-tx-0001/TX-EVS-101/2025-03-14 into US-CA", "conditional", NULL);
    cx_trace *r = child(&d->trace, "evc-california", "applies", "requires unmet");
    at(r, "evc-compact", EVC_FILE, 22, EVC_CA_CITE);
    child(r, "CA-EV-ORIENT", "fails", "no counted award");
    cx_trace *m = child(&d->trace, "evc-members", "skipped", "into: US-CA not selected");
    at(m, "evc-compact", EVC_FILE, 13, EVC_CITE);
    return d;
}

/* An award whose id does not name its holder: the text says whose. */
static cx_decision *transfer_not_recognized(void)
{
    cx_decision *d = decision(CX_DECISION_TRANSFER, CX_NOT_RECOGNIZED, "2025-06-01");
    d->holder = S("h-ct-0001");
    d->award = S("TX-2024-00417");
    d->credential = S("TX-EVS-101");
    d->from_jurisdiction = S("US-TX");
    d->to_jurisdiction = S("US-CT");
    reason(d, "no_rule", "no recognize rule applies to TX-EVS-101 from US-TX into US-CT");
    near_miss(d, "evc-california", "into", "selects US-CA only");
    near_miss(d, "evc-members", "into", "US-CT joined EVC on 2025-10-01; as-of is 2025-06-01");
    node(&d->trace, "transfer TX-2024-00417 into US-CT", "not_recognized", NULL);
    cx_trace *m = child(&d->trace, "evc-members", "near miss",
                        "into: US-CT joined EVC on 2025-10-01; as-of is 2025-06-01");
    at(m, "evc-compact", EVC_FILE, 13, EVC_CITE);
    cx_trace *c = child(&d->trace, "evc-california", "near miss", "into: selects US-CA only");
    at(c, "evc-compact", EVC_FILE, 22, EVC_CA_CITE);
    return d;
}

static cx_decision *transfer_denied(void)
{
    cx_decision *d = decision(CX_DECISION_TRANSFER, CX_DENIED, "2026-06-01");
    d->holder = S("h-tx-0002");
    d->award = S("h-tx-0002/TX-EVB-201/2024-11-08");
    d->credential = S("TX-EVB-201");
    d->from_jurisdiction = S("US-TX");
    d->to_jurisdiction = S("US-NV");
    reason(d, "revoked", "the award was revoked");
    node(&d->trace, "transfer h-tx-0002/TX-EVB-201/2024-11-08 into US-NV", "denied",
         "award status revoked");
    return d;
}

/* `credex transfer TX-EVS-101 --from US-TX --to US-NV`: no holder, no award. */
static cx_decision *transfer_hypothetical(void)
{
    cx_decision *d = decision(CX_DECISION_TRANSFER, CX_ACCEPTED, "2025-08-01");
    d->credential = S("TX-EVS-101");
    d->from_jurisdiction = S("US-TX");
    d->to_jurisdiction = S("US-NV");
    used(d, NULL, "TX-EVS-101", NULL, "recognition:evc-members");
    node(&d->trace, "transfer TX-EVS-101 from US-TX into US-NV", "accepted", NULL);
    cx_trace *m = child(&d->trace, "evc-members", "applies", NULL);
    at(m, "evc-compact", EVC_FILE, 13, EVC_CITE);
    child(m, "into", "holds", "US-NV is a member of EVC since 2025-01-01 (partial)");
    child(m, "from", "holds", "US-TX is a member of EVC since 2024-01-01");
    child(m, "credentials", "holds", "TX-EVS-101 is tagged ev");
    cx_trace *p = child(&d->trace, "evc-partial-scope", "skipped", "credentials: a safety module");
    at(p, "evc-compact", EVC_FILE, 33, EVC_CITE);
    return d;
}

typedef cx_decision *(*fixture_fn)(void);

static const fixture_fn fixtures[] = {
    audit_met,
    audit_met_waived,
    audit_in_progress,
    audit_not_started_nasty,
    equiv_coverage,
    equiv_counts_as,
    equiv_partial,
    equiv_not_equivalent,
    equiv_error,
    transfer_conditional,
    transfer_not_recognized,
    transfer_denied,
    transfer_hypothetical,
};

/* --------------------------------------------------------------- golden */

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    cx_buf b;
    cx__buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) cx__buf_add(&b, chunk, n);
    fclose(f);
    if (!b.data) return S("");
    return b.data;
}

/* Compares got with the golden file name, byte for byte, reporting the
 * first line that differs; CREDEX_UPDATE_GOLDEN=1 rewrites the file. */
static void check_golden(const char *name, const char *got)
{
    char path[1024];
    snprintf(path, sizeof path, "%s%s", GOLDEN_DIR, name);
    const char *update = getenv("CREDEX_UPDATE_GOLDEN");
    if (update && strcmp(update, "1") == 0) {
        FILE *f = fopen(path, "wb");
        CHECK(f != NULL);
        if (f) {
            fputs(got, f);
            fclose(f);
            fprintf(stderr, "  rewrote %s\n", path);
        }
        return;
    }
    char *want = read_all(path);
    if (!want) {
        fprintf(stderr, "  %s: cannot read (CREDEX_UPDATE_GOLDEN=1 writes it)\n", path);
        test_failed_ = 1;
        return;
    }
    if (strcmp(want, got) != 0) {
        int line = 1;
        const char *w = want, *g = got;
        for (; *w && *w == *g; w++, g++)
            if (*w == '\n') line++;
        const char *wl = w, *gl = g;
        while (wl > want && wl[-1] != '\n') wl--, gl--;
        fprintf(stderr, "  %s:%d differs\n    want: %.*s\n    got:  %.*s\n", path, line,
                (int)strcspn(wl, "\n"), wl, (int)strcspn(gl, "\n"), gl);
        test_failed_ = 1;
    }
    free(want);
}

/* Renders every fixture one way and compares with a golden file. */
static void golden(const char *name, int format /* 0 json, 1 text, 2 explain */)
{
    cx_buf all;
    cx__buf_init(&all);
    for (size_t i = 0; i < CX_COUNT(fixtures); i++) {
        cx_decision *d = fixtures[i]();
        char *out = format == 0 ? cx_decision_json(d) : cx_decision_text(d, format == 2);
        CHECK(out != NULL);
        if (out) cx__buf_puts(&all, out);
        free(out);
        cx_decision_free(d);
    }
    CHECK(!all.oom);
    check_golden(name, all.data);
    cx__buf_free(&all);
}

TEST(golden_json)
{
    golden("decisions.jsonl", 0);
}

TEST(golden_text)
{
    golden("decisions.txt", 1);
}

TEST(golden_text_explain)
{
    golden("decisions_explain.txt", 2);
}

/* ------------------------------------------- one decision after another */

/* audit --all writes a worker's decisions one after another. Each fixture
 * after each other one -- every kind after every kind, met after
 * in_progress, more used and reasons after fewer and back, invalid UTF-8
 * after valid -- must give the bytes it gives alone, through both entry
 * points. */
TEST(json_reuse_same_bytes)
{
    size_t n = CX_COUNT(fixtures);
    char *fresh[CX_COUNT(fixtures)];
    cx_decision *d[CX_COUNT(fixtures)];
    for (size_t i = 0; i < n; i++) {
        d[i] = fixtures[i]();
        fresh[i] = cx_decision_json(d[i]);
        CHECK(fresh[i] != NULL);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            char *first = cx_decision_json(d[i]);
            cx_buf second;
            cx__buf_init(&second);
            CHECK(cx_decision_write_json(d[j], cx__buf_write, &second) == 0);
            CHECK_STR(first, fresh[i]);
            CHECK_STR(second.data, fresh[j]);
            free(first);
            cx__buf_free(&second);
        }
    for (size_t i = 0; i < n; i++) {
        free(fresh[i]);
        cx_decision_free(d[i]);
    }
}

/* ------------------------------------------------------- JSON read back */

/* The object's keys, joined with ",", in the order they appear. */
static void keys_of(const json_t *o, char *buf, size_t size)
{
    buf[0] = '\0';
    for (void *it = json_object_iter((json_t *)o); it;
         it = json_object_iter_next((json_t *)o, it)) {
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, "%s%s", len ? "," : "", json_object_iter_key(it));
    }
}

#define CHECK_KEYS(obj, want)                                                                      \
    do {                                                                                           \
        char keys_[512];                                                                           \
        keys_of((obj), keys_, sizeof keys_);                                                       \
        CHECK_STR(keys_, want);                                                                    \
    } while (0)

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, &e);
    if (!o) fprintf(stderr, "  json_loads: %s at %d:%d in %s", e.text, e.line, e.column, text);
    return o;
}

/* Every trace node: known keys in order, line an integer, children a list. */
static void check_trace(const json_t *t)
{
    static const char *const order[] = {"rule", "pack",   "file",   "line",
                                        "cite", "status", "detail", "children"};
    size_t at_key = 0;
    CHECK(json_is_object(t));
    for (void *it = json_object_iter((json_t *)t); it;
         it = json_object_iter_next((json_t *)t, it)) {
        const char *k = json_object_iter_key(it);
        while (at_key < CX_COUNT(order) && strcmp(order[at_key], k) != 0) at_key++;
        CHECK(at_key < CX_COUNT(order)); /* known, and after the keys before it */
        json_t *v = json_object_iter_value(it);
        if (strcmp(k, "line") == 0)
            CHECK(json_is_integer(v) && json_integer_value(v) > 0);
        else if (strcmp(k, "children") != 0)
            CHECK(json_is_string(v));
    }
    const json_t *kids = json_object_get(t, "children");
    CHECK(json_is_array(kids));
    for (size_t i = 0; i < json_array_size(kids); i++) check_trace(json_array_get(kids, i));
}

/* The top-level keys a decision must have, in order. */
static const char *expected_keys(const cx_decision *d)
{
    const char *common = "kind,status,subject,as_of,reasons,used,missing,trace";
    static char buf[128];
    const char *extra = "";
    if (d->kind == CX_DECISION_AUDIT && d->status == CX_MET) extra = ",award";
    if (d->kind == CX_DECISION_EQUIV && d->has_coverage) extra = ",coverage";
    if (d->kind == CX_DECISION_TRANSFER) extra = ",near_misses";
    snprintf(buf, sizeof buf, "%s%s", common, extra);
    return buf;
}

static void check_read_back(const cx_decision *d, const json_t *o)
{
    static const char *const kinds[] = {"audit", "equiv", "transfer"};
    CHECK_KEYS(o, expected_keys(d));
    CHECK_STR(json_string_value(json_object_get(o, "kind")), kinds[d->kind]);
    CHECK_STR(json_string_value(json_object_get(o, "status")), cx_status_name(d->status));
    CHECK_STR(json_string_value(json_object_get(o, "as_of")), d->as_of);
    CHECK_INT(json_array_size(json_object_get(o, "reasons")), d->nreasons);
    CHECK_INT(json_array_size(json_object_get(o, "used")), d->nused);
    CHECK_INT(json_array_size(json_object_get(o, "missing")), d->nmissing);
    for (size_t i = 0; i < d->nused; i++) {
        const json_t *u = json_array_get(json_object_get(o, "used"), i);
        CHECK_KEYS(u, d->used[i].award
                          ? (d->used[i].slot ? "award,credential,slot,via" : "award,credential,via")
                          : (d->used[i].slot ? "credential,slot,via" : "credential,via"));
    }
    for (size_t i = 0; i < d->nreasons; i++)
        CHECK_KEYS(json_array_get(json_object_get(o, "reasons"), i), "code,message");
    check_trace(json_object_get(o, "trace"));
    if (d->kind == CX_DECISION_EQUIV && d->has_coverage) {
        const json_t *cov = json_object_get(o, "coverage");
        CHECK_KEYS(cov, "covered,total");
        CHECK(json_is_integer(json_object_get(cov, "covered")));
        CHECK(json_is_integer(json_object_get(cov, "total")));
        CHECK_INT(json_integer_value(json_object_get(cov, "covered")), d->covered);
        CHECK_INT(json_integer_value(json_object_get(cov, "total")), d->total);
    }
    if (d->kind == CX_DECISION_TRANSFER) {
        const json_t *nm = json_object_get(o, "near_misses");
        CHECK_INT(json_array_size(nm), d->nnear_misses);
        for (size_t i = 0; i < d->nnear_misses; i++)
            CHECK_KEYS(json_array_get(nm, i), "rule,clause,detail");
    }
}

TEST(json_reads_back)
{
    for (size_t i = 0; i < CX_COUNT(fixtures); i++) {
        cx_decision *d = fixtures[i]();
        char *text = cx_decision_json(d);
        CHECK(text != NULL);
        if (!text) {
            cx_decision_free(d);
            continue;
        }
        size_t n = strlen(text);
        CHECK(n > 1 && text[n - 1] == '\n' && strchr(text, '\n') == text + n - 1);
        json_t *o = parse(text);
        CHECK(o != NULL);
        if (o) check_read_back(d, o);
        json_decref(o);
        free(text);
        cx_decision_free(d);
    }
}

TEST(json_subjects)
{
    cx_decision *d = audit_met();
    char *text = cx_decision_json(d);
    json_t *o = parse(text);
    CHECK_KEYS(json_object_get(o, "subject"), "holder,stack");
    CHECK_KEYS(json_object_get(o, "award"), "issued,expires");
    CHECK_STR(json_string_value(json_object_get(json_object_get(o, "award"), "expires")),
              "2027-09-06");
    json_decref(o);
    free(text);
    cx_decision_free(d);

    d = audit_met_waived(); /* never expires: expires omitted */
    text = cx_decision_json(d);
    o = parse(text);
    CHECK_KEYS(json_object_get(o, "award"), "issued");
    json_decref(o);
    free(text);
    cx_decision_free(d);

    d = equiv_not_equivalent(); /* without --in */
    text = cx_decision_json(d);
    o = parse(text);
    CHECK_KEYS(json_object_get(o, "subject"), "from,to");
    CHECK(json_object_get(o, "coverage") == NULL);
    json_decref(o);
    free(text);
    cx_decision_free(d);

    d = transfer_not_recognized();
    text = cx_decision_json(d);
    o = parse(text);
    CHECK_KEYS(json_object_get(o, "subject"), "holder,award,credential,from,to");
    CHECK_STR(json_string_value(json_object_get(json_object_get(o, "subject"), "to")), "US-CT");
    json_decref(o);
    free(text);
    cx_decision_free(d);

    d = transfer_hypothetical();
    text = cx_decision_json(d);
    o = parse(text);
    CHECK_KEYS(json_object_get(o, "subject"), "credential,from,to");
    CHECK(json_is_array(json_object_get(o, "near_misses")));
    CHECK_INT(json_array_size(json_object_get(o, "near_misses")), 0);
    json_decref(o);
    free(text);
    cx_decision_free(d);
}

TEST(json_large_coverage_is_an_integer)
{
    cx_decision *d = decision(CX_DECISION_EQUIV, CX_PARTIAL, "2026-06-01");
    d->from = S("A");
    d->to = S("B");
    d->has_coverage = 1;
    d->covered = 4000000000LL;
    d->total = 5000000001LL;
    char *text = cx_decision_json(d);
    CHECK_CONTAINS(text, "\"coverage\":{\"covered\":4000000000,\"total\":5000000001}");
    CHECK_CONTAINS(text, "\"trace\":{\"children\":[]}");
    free(text);
    cx_decision_free(d);
}

/* ----------------------------------------------------------------- UTF-8 */

/* Renders a reason message and returns it as JSON read it back (malloc'd). */
static char *json_round_trip(const char *message)
{
    cx_decision *d = decision(CX_DECISION_EQUIV, CX_ERROR, "2026-06-01");
    reason(d, "x", message);
    char *text = cx_decision_json(d), *back = NULL;
    json_t *o = parse(text);
    const char *m = json_string_value(
        json_object_get(json_array_get(json_object_get(o, "reasons"), 0), "message"));
    back = m ? S(m) : NULL;
    json_decref(o);
    free(text);
    cx_decision_free(d);
    return back;
}

#define FFFD "\xEF\xBF\xBD"

TEST(invalid_utf8_becomes_replacement)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"plain", "plain"},
        {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x8B", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x8B"},
        {"a\xFF"
         "b",
         "a" FFFD "b"}, /* never valid */
        {"a\x80"
         "b",
         "a" FFFD "b"},                            /* stray continuation */
        {"\xC0\xAF", FFFD FFFD},                   /* overlong '/' */
        {"\xC1\xBF", FFFD FFFD},                   /* overlong */
        {"\xE0\x80\xAF", FFFD FFFD FFFD},          /* overlong, 3 bytes */
        {"\xED\xA0\x80", FFFD FFFD FFFD},          /* a surrogate */
        {"\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD}, /* beyond U+10FFFF */
        {"\xF5\x80", FFFD FFFD},                   /* no such lead byte */
        {"cut \xE2\x82", "cut " FFFD},             /* truncated: one U+FFFD */
        {"cut \xE2\x82x", "cut " FFFD "x"},        /* maximal subpart */
        {"\xF0\x9F\x94", FFFD},                    /* truncated 4-byte */
        {"\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF"},  /* U+10FFFF is valid */
        {"\xED\x9F\xBF", "\xED\x9F\xBF"},          /* U+D7FF is valid */
        {"\xE0\xA0\x80", "\xE0\xA0\x80"},          /* U+0800 is valid */
    };
    for (size_t i = 0; i < CX_COUNT(cases); i++) {
        char *back = json_round_trip(cases[i].in);
        CHECK_STR(back, cases[i].out);
        free(back);
    }
}

TEST(control_characters)
{
    char *back = json_round_trip(NASTY_REASON);
    CHECK_STR(back, NASTY_REASON); /* JSON escapes and restores every byte */
    free(back);

    cx_decision *d = audit_not_started_nasty();
    char *json = cx_decision_json(d);
    CHECK_CONTAINS(json, "line one\\nline two \\\"quoted\\\"\\ttab \\u001B[31mred");
    CHECK_CONTAINS(json, "back\\\\slash");
    char *text = cx_decision_text(d, 1);
    CHECK_CONTAINS(text, "  because: line one\\nline two \"quoted\"\\ttab \\x1b[31mred\\x1b[0m "
                         "back\\slash\n");
    CHECK_CONTAINS(text, "rlo \\u202egnp.exe");
    CHECK_CONTAINS(text, "del \\x7f nul-free");
    CHECK_CONTAINS(text, "(rules/weird\\npack.lua:7)");
    CHECK_CONTAINS(text, "\\u0085NEL");
    CHECK_CONTAINS(text, "audit CA-EV-TECH for h-" FFFD "t" FFFD ": not_started\n");
    CHECK(strchr(text, '\x1B') == NULL && strchr(text, '\t') == NULL);
    /* every line is the header or indented: nothing broke the block */
    for (const char *p = strchr(text, '\n'); p && p[1]; p = strchr(p + 1, '\n')) CHECK(p[1] == ' ');
    free(text);
    free(json);
    cx_decision_free(d);
}

/* ------------------------------------------------------------------ text */

TEST(text_lines)
{
    cx_decision *d = equiv_coverage();
    char *text = cx_decision_text(d, 0);
    CHECK_STR(text, "equiv TX-EVB-201 -> CA-EVB-201 in US-CA: equivalent\n"
                    "  because: TX-EVB-201 covers 4 of CA-EVB-201's 5 competencies (80%)\n"
                    "  coverage: 4 of 5 competencies\n"
                    "  rule: competency-80 (" ART_FILE ":22) \xE2\x80\x94 " COV_CITE "\n");
    free(text);
    cx_decision_free(d);

    d = equiv_counts_as();
    text = cx_decision_text(d, 0);
    CHECK_CONTAINS(text, "  used: h-tx-0001/TX-EVS-101/2025-03-14 (TX-EVS-101) for CA-EVS-101 "
                         "via equivalence:counts_as:TX-EVS-101>CA-EVS-101\n");
    free(text);
    cx_decision_free(d);

    d = transfer_not_recognized();
    text = cx_decision_text(d, 0);
    CHECK_CONTAINS(text, "transfer TX-2024-00417 (TX-EVS-101) of h-ct-0001 US-TX -> US-CT: "
                         "not_recognized\n");
    CHECK_CONTAINS(text, "  near miss: evc-members (into): US-CT joined EVC on 2025-10-01; "
                         "as-of is 2025-06-01\n");
    CHECK(strstr(text, "  rule:") == NULL); /* near misses decided nothing */
    free(text);
    cx_decision_free(d);

    d = transfer_conditional(); /* the award id names the holder: not repeated */
    text = cx_decision_text(d, 0);
    CHECK_CONTAINS(text, "transfer h-tx-0001/TX-EVS-101/2025-03-14 (TX-EVS-101) US-TX -> US-CA: "
                         "conditional\n");
    CHECK_CONTAINS(text, "  missing: CA-EV-ORIENT\n");
    CHECK_CONTAINS(text, "  rule: evc-california (" EVC_FILE ":22)");
    free(text);
    cx_decision_free(d);

    d = audit_met_waived();
    text = cx_decision_text(d, 0);
    CHECK_CONTAINS(text, "  award: issued 2025-10-03, never expires\n");
    free(text);
    cx_decision_free(d);
}

TEST(text_explain_adds_trace)
{
    cx_decision *d = transfer_conditional();
    char *brief = cx_decision_text(d, 0), *full = cx_decision_text(d, 1);
    CHECK(brief && full && strncmp(brief, full, strlen(brief)) == 0); /* explain appends */
    CHECK_CONTAINS(full, "  as of: 2025-08-01\n  trace:\n"
                         "    transfer h-tx-0001/TX-EVS-101/2025-03-14 into US-CA [conditional]\n"
                         "      evc-california [applies] requires unmet (" EVC_FILE ":22) "
                         "\xE2\x80\x94 " EVC_CA_CITE "\n"
                         "        CA-EV-ORIENT [fails] no counted award\n");
    free(brief);
    free(full);
    cx_decision_free(d);
}

TEST(rendering_is_deterministic)
{
    for (size_t i = 0; i < CX_COUNT(fixtures); i++) {
        cx_decision *a = fixtures[i](), *b = fixtures[i]();
        char *ja = cx_decision_json(a), *jb = cx_decision_json(b);
        char *ta = cx_decision_text(a, 1), *tb = cx_decision_text(b, 1);
        CHECK(ja && jb && strcmp(ja, jb) == 0);
        CHECK(ta && tb && strcmp(ta, tb) == 0);
        free(ja);
        free(jb);
        free(ta);
        free(tb);
        cx_decision_free(a);
        cx_decision_free(b);
    }
}

/* ------------------------------------------------------- names and free */

TEST(status_names)
{
    static const char *const want[] = {
        "met",      "in_progress", "not_started", "equivalent",     "partial", "not_equivalent",
        "accepted", "conditional", "denied",      "not_recognized", "error",
    };
    static const cx_status order[] = {
        CX_MET,     CX_IN_PROGRESS,    CX_NOT_STARTED, CX_EQUIVALENT,
        CX_PARTIAL, CX_NOT_EQUIVALENT, CX_ACCEPTED,    CX_CONDITIONAL,
        CX_DENIED,  CX_NOT_RECOGNIZED, CX_ERROR,
    };
    for (size_t i = 0; i < CX_COUNT(want); i++) CHECK_STR(cx_status_name(order[i]), want[i]);
}

TEST(free_accepts_null_and_empty)
{
    cx_decision_free(NULL);
    cx_decision *d = decision(CX_DECISION_TRANSFER, CX_ERROR, "2026-06-01");
    char *json = cx_decision_json(d), *text = cx_decision_text(d, 1);
    CHECK_STR(json, "{\"kind\":\"transfer\",\"status\":\"error\",\"subject\":{},"
                    "\"as_of\":\"2026-06-01\",\"reasons\":[],\"used\":[],\"missing\":[],"
                    "\"trace\":{\"children\":[]},\"near_misses\":[]}\n");
    CHECK_STR(text, "transfer: error\n  as of: 2026-06-01\n  trace:\n    ?\n");
    free(json);
    free(text);
    cx_decision_free(d);
}

/* A deep trace is freed and rendered whole (leaks show under ASan). */
TEST(deep_trace)
{
    cx_decision *d = decision(CX_DECISION_AUDIT, CX_NOT_STARTED, "2026-06-01");
    node(&d->trace, "root", "not_started", NULL);
    cx_trace *t = &d->trace;
    for (int i = 0; i < 200; i++) t = child(t, "all", "fails", NULL);
    char *json = cx_decision_json(d);
    json_t *o = parse(json);
    CHECK(o != NULL);
    size_t depth = 0;
    for (const json_t *n = json_object_get(o, "trace");
         json_array_size(json_object_get(n, "children"));
         n = json_array_get(json_object_get(n, "children"), 0))
        depth++;
    CHECK_INT(depth, 200);
    json_decref(o);
    free(json);
    cx_decision_free(d);
}

/* ------------------------------------------------- entities and expiry */

/* The expiry shown is the evaluator's: stored, else issued + valid_for
 * (clamped to the month's end), else none. */
TEST(award_expiry)
{
    cx_error err;
    char out[11];
    cx_award a = {.id = "h/C/2024-02-29", .credential = "C", .issued = "2024-02-29"};
    cx_credential c = {.id = "C", .valid_for = "P1Y"};
    cx_error_clear(&err);
    CHECK_INT(cx_award_expiry(&a, &c, out, &err), CX_OK);
    CHECK_STR(out, "2025-02-28");
    CHECK_INT(cx_award_expiry(&a, NULL, out, &err), CX_OK);
    CHECK_STR(out, "");
    a.expires = "2027-06-30";
    CHECK_INT(cx_award_expiry(&a, &c, out, &err), CX_OK);
    CHECK_STR(out, "2027-06-30");
    a.expires = NULL;
    c.valid_for = "P1X";
    CHECK_INT(cx_award_expiry(&a, &c, out, &err), CX_EINPUT);
    CHECK_CONTAINS(err.message, "invalid duration 'P1X'");
}

/* Entity JSON and text from one value: members in order, numbers exact. */
TEST(entity_json_and_text)
{
    char *comps[] = {"c.one", "c.two"}, *tags[] = {"ev"};
    cx_pair codes[] = {{"onet", "1"}, {"soc", "2"}, {"soc", "3"}}, attrs[] = {{"k", "v"}};
    cx_credential c = {.id = "C-1",
                       .name = "Safety",
                       .type = "certificate",
                       .jurisdiction = "US-TX",
                       .hours = 1250,
                       .valid_for = "P2Y",
                       .competencies = comps,
                       .ncompetencies = 2,
                       .tags = tags,
                       .ntags = 1,
                       .codes = codes,
                       .ncodes = 3,
                       .attributes = attrs,
                       .nattributes = 1};
    char *json = cx_credential_json(&c), *text = cx_credential_text(&c);
    CHECK_STR(json, "{\"kind\":\"credential\",\"id\":\"C-1\",\"name\":\"Safety\",\"type\":"
                    "\"certificate\",\"jurisdiction\":\"US-TX\",\"hours\":12.5,\"valid_for\":"
                    "\"P2Y\",\"competencies\":[\"c.one\",\"c.two\"],\"tags\":[\"ev\"],\"codes\":{"
                    "\"onet\":[\"1\"],\"soc\":[\"2\",\"3\"]},\"attributes\":{\"k\":\"v\"},"
                    "\"grade_scale\":[]}\n");
    CHECK_STR(text, "credential C-1: Safety\n"
                    "  type            certificate\n"
                    "  jurisdiction    US-TX\n"
                    "  hours           12.5\n"
                    "  valid for       P2Y\n"
                    "  competencies    c.one, c.two\n"
                    "  tags            ev\n"
                    "  codes           onet 1, soc 2, soc 3\n"
                    "  attributes      k=v\n");
    free(json);
    free(text);
    cx_award aw = {.id = "h-1/C-1/2025-01-02",
                   .credential = "C-1",
                   .issued = "2025-01-02",
                   .expires = "2026-01-01",
                   .jurisdiction = "US-TX",
                   .hours = 4000,
                   .status = "active"};
    cx_holder h = {.id = "h-1", .awards = &aw, .nawards = 1};
    json = cx_holder_json(&h);
    text = cx_holder_text(NULL, &h);
    CHECK_STR(json, "{\"kind\":\"holder\",\"id\":\"h-1\",\"attributes\":{},\"awards\":[{\"id\":"
                    "\"h-1/C-1/2025-01-02\",\"credential\":\"C-1\",\"issued\":\"2025-01-02\","
                    "\"expires\":\"2026-01-01\",\"jurisdiction\":\"US-TX\",\"hours\":40,"
                    "\"status\":\"active\"}]}\n");
    CHECK_STR(text, "holder h-1\n  awards (1)\n"
                    "    issued      credential     status    where    hours  expires\n"
                    "    2025-01-02  C-1            active    US-TX       40  2026-01-01\n");
    free(json);
    free(text);
    cx_membership m = {.jurisdiction = "US-AZ", .from = "2025-03-01", .status = "associate"};
    cx_group g = {.id = "G", .members = &m, .nmembers = 1};
    json = cx_group_json(&g);
    text = cx_group_text(&g);
    CHECK_STR(json, "{\"kind\":\"group\",\"id\":\"G\",\"members\":[{\"jurisdiction\":\"US-AZ\","
                    "\"from\":\"2025-03-01\",\"status\":\"associate\"}]}\n");
    CHECK_STR(text, "group G\n  members (1)\n    US-AZ      from 2025-03-01  status associate\n");
    free(json);
    free(text);
}

/* ------------------------------------------------------------- reports */

/* A diagnostic without a line omits it; the summary counts both kinds. */
TEST(check_report_json)
{
    cx_diagnostic d = {.warning = 1, .line = 0, .file = "p.lua", .message = "no version"};
    char *json = cx_diagnostic_json(&d);
    CHECK_STR(json, "{\"kind\":\"diagnostic\",\"severity\":\"warning\",\"file\":\"p.lua\","
                    "\"message\":\"no version\"}\n");
    free(json);
    cx_diagnostics ds = {.items = &d, .count = 1, .errors = 0, .warnings = 1};
    json = cx_check_summary_json(&ds, 2, 7);
    CHECK_STR(json, "{\"kind\":\"check_summary\",\"packs\":2,\"rules\":7,\"errors\":0,"
                    "\"warnings\":1}\n");
    free(json);
}

/* A case's status and difference; an input error has no name or line. */
TEST(test_report_json)
{
    cx_test_result r = {"t.test.yaml", 4, "a case", 0, 0, "status met, expected denied"};
    char *json = cx_test_result_json(&r);
    CHECK_STR(json, "{\"kind\":\"test_case\",\"file\":\"t.test.yaml\",\"line\":4,\"name\":\"a "
                    "case\",\"status\":\"failed\",\"difference\":\"status met, expected "
                    "denied\"}\n");
    free(json);
    cx_test_result e = {"t.test.yaml", 0, NULL, 0, 1, "t.test.yaml:1:1: bad"};
    json = cx_test_result_json(&e);
    CHECK_STR(json, "{\"kind\":\"test_case\",\"file\":\"t.test.yaml\",\"status\":\"error\","
                    "\"difference\":\"t.test.yaml:1:1: bad\"}\n");
    free(json);
    cx_test_summary sum = {3, 2, 1};
    json = cx_test_summary_json(&sum);
    CHECK_STR(json, "{\"kind\":\"test_summary\",\"passed\":3,\"failed\":2,\"input_errors\":1}\n");
    free(json);
}

/* JUnit: one suite per file, counts, escaping, no bytes XML cannot hold. */
TEST(junit_xml)
{
    cx_junit *j = cx_junit_new();
    cx_test_result a = {"a.test.yaml", 3, "ok", 1, 0, NULL};
    cx_test_result b = {"a.test.yaml", 5, "x<y & \"z\"", 0, 0, "got \x01\xff, expected 'w'"};
    cx_test_result c = {"b.test.yaml", 0, NULL, 0, 1, "b.test.yaml:1:1: bad"};
    CHECK(j != NULL);
    CHECK_INT(cx_junit_add(j, &a), 0);
    CHECK_INT(cx_junit_add(j, &b), 0);
    CHECK_INT(cx_junit_add(j, &c), 0);
    char *xml = cx_junit_xml(j);
    CHECK_STR(xml,
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<testsuites name=\"credex test\" tests=\"3\" failures=\"1\" errors=\"1\">\n"
              "  <testsuite name=\"a.test.yaml\" tests=\"2\" failures=\"1\" errors=\"0\" "
              "skipped=\"0\">\n"
              "    <testcase classname=\"a.test.yaml\" name=\"ok\" file=\"a.test.yaml\" "
              "line=\"3\"/>\n"
              "    <testcase classname=\"a.test.yaml\" name=\"x&lt;y &amp; &quot;z&quot;\" "
              "file=\"a.test.yaml\" line=\"5\">\n"
              "      <failure message=\"got \xEF\xBF\xBD\xEF\xBF\xBD, expected &apos;w&apos;\" "
              "type=\"failure\">a.test.yaml:5: got \xEF\xBF\xBD\xEF\xBF\xBD, expected "
              "&apos;w&apos;</failure>\n"
              "    </testcase>\n"
              "  </testsuite>\n"
              "  <testsuite name=\"b.test.yaml\" tests=\"1\" failures=\"0\" errors=\"1\" "
              "skipped=\"0\">\n"
              "    <testcase classname=\"b.test.yaml\" name=\"b.test.yaml\">\n"
              "      <error message=\"b.test.yaml:1:1: bad\" type=\"error\">b.test.yaml:1:1: "
              "bad</error>\n"
              "    </testcase>\n"
              "  </testsuite>\n"
              "</testsuites>\n");
    free(xml);
    cx_junit_free(j);
    cx_junit_free(NULL);
}

static const test_case cases[] = {
    {"golden_json", golden_json},
    {"golden_text", golden_text},
    {"golden_text_explain", golden_text_explain},
    {"json_reuse_same_bytes", json_reuse_same_bytes},
    {"json_reads_back", json_reads_back},
    {"json_subjects", json_subjects},
    {"json_large_coverage_is_an_integer", json_large_coverage_is_an_integer},
    {"invalid_utf8_becomes_replacement", invalid_utf8_becomes_replacement},
    {"control_characters", control_characters},
    {"text_lines", text_lines},
    {"text_explain_adds_trace", text_explain_adds_trace},
    {"rendering_is_deterministic", rendering_is_deterministic},
    {"status_names", status_names},
    {"free_accepts_null_and_empty", free_accepts_null_and_empty},
    {"deep_trace", deep_trace},
    {"award_expiry", award_expiry},
    {"entity_json_and_text", entity_json_and_text},
    {"check_report_json", check_report_json},
    {"test_report_json", test_report_json},
    {"junit_xml", junit_xml},
    {NULL, NULL},
};

TEST_MAIN(cases)
