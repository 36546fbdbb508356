/*
 * test_compile.c -- the rule language's load-time checks: every
 * constructor and option misused, each reported at the pack's file:line
 * with what was expected; what good packs compile to; what the compiler
 * records of what each rule reads (against the walks the analyses made);
 * and that rule equality notices a changed field.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "credex.h"
#include "test.h"

static const char catalog[] =
    "jurisdictions:\n"
    "  - { id: US-TX, name: Texas }\n"
    "  - { id: US-CA, name: California }\n"
    "groups:\n"
    "  - { id: EVC, members: [ { jurisdiction: US-TX, from: 2024-01-01 } ] }\n"
    "providers:\n"
    "  - { id: austin-cc, name: Austin Community College, jurisdiction: US-TX }\n"
    "frameworks:\n"
    "  - id: ev\n"
    "    name: EV\n"
    "    competencies: [ { id: ev.hv-safety, text: HV safety } ]\n"
    "credentials:\n"
    "  - { id: TX-EVS-101, name: S, type: micro-credential, jurisdiction: US-TX, provider: "
    "austin-cc, tags: [ev], competencies: [ev.hv-safety] }\n"
    "  - { id: CA-EVS-101, name: S, type: course, jurisdiction: US-CA, tags: [ev] }\n"
    "  - { id: CA-EVB-201, name: B, type: course, jurisdiction: US-CA, tags: [ev] }\n"
    "  - { id: CA-EV-TECH, name: T, type: certificate, jurisdiction: US-CA }\n"
    "  - { id: CA-EV-MASTER, name: M, type: certificate, jurisdiction: US-CA }\n";

static cx_registry *registry;

static const char *tmp_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", getenv("TEST_TMP") ? getenv("TEST_TMP") : "/tmp", name);
    return path;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

static void setup(void)
{
    cx_error err;
    const char *path = tmp_path("compile-catalog.yaml");
    write_file(path, catalog);
    if (cx_registry_open(NULL, CX_OPEN_MEMORY | CX_OPEN_CREATE, &registry, &err) != CX_OK ||
        cx_catalog_import(registry, &path, 1, NULL, NULL, NULL, &err) != CX_OK) {
        fprintf(stderr, "setup failed: %s\n", err.message);
        exit(1);
    }
}

/* Loads source as a pack; returns the rc and fills diags. */
static int load(const char *source, cx_rules **rules, cx_diagnostics *diags)
{
    static int n;
    char name[64];
    cx_error err;
    snprintf(name, sizeof name, "pack-%d.lua", n++);
    const char *path = tmp_path(name);
    write_file(path, source);
    cx_diagnostics_init(diags);
    return cx_rules_load(registry, &path, 1, rules, diags, &err);
}

/* A pack that must fail: the first error is at line with message. A field is
 * located at the line of the constructor (or table) that holds it: Lua keeps
 * no line per field. */
typedef struct bad_case {
    const char *what;
    const char *source;
    int line;
    const char *message;
} bad_case;

static const bad_case bad[] = {
    {"misspelt stack field",
     "stack \"CA-EV-TECH\" {\n  requires = \"CA-EVS-101\",\n  windw = {},\n}", 1,
     "unknown field 'windw' in stack (did you mean 'window'?); expected one of: id, name, "
     "jurisdiction, requires, window, award, reuse_awards, effective, cite"},
    {"unknown credential", "stack \"CA-EV-TECH\" { requires = all { \"CA-EVS-110\" } }", 1,
     "unknown credential 'CA-EVS-110'; did you mean 'CA-EVS-101'?"},
    {"stack confers nothing", "stack \"CA-EV-TECHNIK\" { requires = \"CA-EVS-101\" }", 1,
     "a stack's id is the credential it confers, and the registry has no credential "
     "'CA-EV-TECHNIK'; did you mean 'CA-EV-TECH'?"},
    {"stack without requires", "stack \"CA-EV-TECH\" { name = \"x\" }", 1,
     "stack: 'requires' is required"},
    {"unknown constructor", "stack \"CA-EV-TECH\" {\n  requires = al { \"CA-EVS-101\" } }", 2,
     "undefined global 'al'"},
    {"at_least too many", "stack \"CA-EV-TECH\" { requires = at_least(3) { \"CA-EVS-101\" } }", 1,
     "at_least: n must be a whole number from 0 to 1 (the parts)"},
    {"at_least not a number", "stack \"CA-EV-TECH\" { requires = at_least(\"2\") { \"A\" } }", 1,
     "at_least: expected a whole number, as in at_least(2) { ... }, got the string \"2\""},
    {"hours without selector", "stack \"CA-EV-TECH\" {\n requires = hours(120) }", 2,
     "hours: expected a selector after the number"},
    {"hours with three decimals",
     "stack \"CA-EV-TECH\" { requires = hours(1.234, any_credential) }", 1,
     "hours: expected a number with at most two decimals"},
    {"bad window duration",
     "stack \"CA-EV-TECH\" { requires = \"CA-EVS-101\", window = { span = \"5 years\" } }", 1,
     "window: invalid duration '5 years'"},
    {"window with both",
     "stack \"CA-EV-TECH\" { requires = \"CA-EVS-101\", window = { span = \"P5Y\", recent = "
     "\"P5Y\" } }",
     1, "window: give exactly one of span"},
    {"award issued policy",
     "stack \"CA-EV-TECH\" { requires = \"CA-EVS-101\", award = { issued = \"latest\" } }", 1,
     "award: issued must be \"last_component\" or \"first_component\""},
    {"bad effective date",
     "counts_as { from = \"TX-EVS-101\", to = \"CA-EVS-101\",\n effective = { from = "
     "\"2023-02-30\" } }",
     1, "effective: invalid date '2023-02-30': no such day in that month"},
    {"unknown jurisdiction",
     "counts_as { from = \"TX-EVS-101\", to = \"CA-EVS-101\", within = \"US-CX\" }", 1,
     "unknown jurisdiction 'US-CX'; did you mean 'US-CA'?"},
    {"counts_as from a list", "counts_as { from = { \"TX-EVS-101\" }, to = \"CA-EVS-101\" }", 1,
     "counts_as: 'from' must be one credential id"},
    {"equivalent of one", "equivalent { \"TX-EVS-101\" }", 1,
     "equivalent: needs at least 2 credential ids"},
    {"bad regex",
     "equivalence \"e\" { from = matching \"(TX\", to = \"CA-EVS-101\", when = coverage \"80%\" }",
     1, "bad regex at offset 3: missing closing parenthesis"},
    {"coverage over 100",
     "equivalence \"e\" { from = \"TX-EVS-101\", to = \"CA-EVS-101\", when = coverage \"180%\" }",
     1, "coverage: expected a percentage such as \"80%\", got the string \"180%\""},
    {"equivalence without when", "equivalence \"e\" { from = \"TX-EVS-101\", to = \"CA-EVS-101\" }",
     1, "equivalence 'e': 'from', 'to' and 'when' are required"},
    {"unknown group", "recognize \"r\" { into = member_of \"EVX\" }", 1,
     "unknown group 'EVX'; did you mean 'EVC'?"},
    {"member_of option", "recognize \"r\" { into = member_of \"EVC\" { staus = \"full\" } }", 1,
     "unknown field 'staus' in member_of (did you mean 'status'?)"},
    {"unknown provider", "deny \"d\" { credentials = from_provider \"austin\" }", 1,
     "unknown provider 'austin'"},
    {"selector of the wrong kind", "deny \"d\" { credentials = holder_attr(\"x\", \"=\", 1) }", 1,
     "expected a credential selector"},
    {"requirement of the wrong kind", "stack \"CA-EV-TECH\" { requires = type_is \"course\" }", 1,
     "expected a requirement"},
    {"holder_attr operator",
     "stack \"CA-EV-TECH\" { requires = holder_attr(\"years\", \"==\", 2) }", 1,
     "holder_attr: expected one of =, ~=, <, <=, >, >= as the operator"},
    {"check without a function", "stack \"CA-EV-TECH\" { requires = check(true) }", 1,
     "check: expected a function(ctx) ... end, got a boolean"},
    {"slot option misspelt",
     "stack \"CA-EV-TECH\" { requires = credential \"CA-EVS-101\" { min_grad = \"C\" } }", 1,
     "unknown field 'min_grad' in credential (did you mean 'min_grade'?)"},
    {"min_results not numbers",
     "stack \"CA-EV-TECH\" { requires = tagged \"ev\" { min_results = { english = \"high\" } } }",
     1, "min_results: expected a number with at most two decimals"},
    {"option given twice",
     "stack \"CA-EV-TECH\" { requires = credential \"CA-EVS-101\" { id = \"X\" } }", 1,
     "credential: 'id' is given twice"},
    {"duplicate rule id", "recognize \"r\" { }\nrecognize \"r\" { }", 2,
     "rule id 'r' is defined twice (first at "},
    {"renews unknown", "renews \"ASE-L9\" { \"TX-EVS-101\" }", 1, "unknown credential 'ASE-L9'"},
    {
        "stack cycle",
        "stack \"CA-EV-TECH\" { requires = \"CA-EV-MASTER\" }\nstack \"CA-EV-MASTER\" { requires = "
        "\"CA-EV-TECH\" }",
        2,
        "stacks depend on each other in a cycle: CA-EV-MASTER (",
    },
    {"pack declared twice", "pack \"a\" { }\npack \"b\" { }", 2, "a pack declares itself once"},
    {"rule made at decision time? no: constructor outside", "stack \"CA-EV-TECH\" \"x\"", 1,
     "stack: expected a table after stack \"CA-EV-TECH\", got the string \"x\""},
    {"runaway pack", "while true do end", 1, "instruction limit"},
    {"syntax error", "stack \"CA-EV-TECH\" { requires = }", 1, "unexpected symbol"},
};

TEST(every_misuse_is_located)
{
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cx_rules *rules = NULL;
        cx_diagnostics d;
        int rc = load(bad[i].source, &rules, &d);
        size_t k = 0;
        while (k < d.count && d.items[k].warning) k++;
        int ok = rc == CX_EINPUT && k < d.count && d.items[k].line == bad[i].line &&
                 strstr(d.items[k].message, bad[i].message) != NULL;
        if (!ok) {
            fprintf(stderr, "  case '%s': rc %d, first error %s:%d: %s\n    expected line %d: %s\n",
                    bad[i].what, rc, k < d.count ? d.items[k].file : "-",
                    k < d.count ? d.items[k].line : 0, k < d.count ? d.items[k].message : "(none)",
                    bad[i].line, bad[i].message);
            test_failed_ = 1;
        }
        CHECK(rules == NULL);
        cx_rules_free(rules);
        cx_diagnostics_free(&d);
    }
}

TEST(good_pack_compiles)
{
    static const char pack[] =
        "pack \"ca-ev\" { authority = \"CCC\", version = \"2026.1\", cite = \"Memo 26-03\" }\n"
        "stack \"CA-EV-TECH\" {\n"
        "  jurisdiction = \"US-CA\",\n"
        "  requires = all {\n"
        "    \"CA-EVS-101\",\n"
        "    at_least(1) { label = \"electives\", \"CA-EVB-201\", tagged \"ev\" },\n"
        "    hours(120, tagged \"ev\") { label = \"shop hours\" },\n"
        "  },\n"
        "  window = { recent = \"P5Y\" },\n"
        "}\n"
        "stack \"CA-EV-MASTER\" { requires = all { \"CA-EV-TECH\", competency \"ev.hv-safety\" } "
        "}\n"
        "counts_as { from = \"TX-EVS-101\", to = \"CA-EVS-101\" }\n"
        "counts_as { from = \"TX-EVS-101\", to = \"CA-EVS-101\", within = \"US-CA\" }\n"
        "equivalent { \"TX-EVS-101\", \"CA-EVS-101\" }\n"
        "recognize \"evc\" { into = member_of \"EVC\", credentials = tagged \"ev\", requires = { "
        "\"CA-EVB-201\" } }\n"
        "renews \"CA-EVB-201\" { \"CA-EVS-101\" }\n";
    cx_rules *rules = NULL;
    cx_diagnostics d;
    CHECK_INT(load(pack, &rules, &d), CX_OK);
    CHECK_INT(d.errors, 0);
    CHECK_INT(d.warnings, 0);
    CHECK_INT(cx_rules_pack_count(rules), 1);
    CHECK_INT(cx_rules_rule_count(rules), 7);
    cx_rules_free(rules);
    cx_diagnostics_free(&d);
}

TEST(warnings)
{
    static const char pack[] = "deny \"closed\" { credentials = tagged \"ev\" }\n"
                               "recognize \"r\" { credentials = \"TX-EVS-101\" }\n"
                               "recognize \"r2\" { credentials = matching \"^ZZ-\" }\n";
    cx_rules *rules = NULL;
    cx_diagnostics d;
    CHECK_INT(load(pack, &rules, &d), CX_OK);
    CHECK_INT(d.errors, 0);
    CHECK_INT(d.warnings, 4);
    if (d.count == 4) {
        CHECK_INT(d.items[0].line, 1);
        CHECK_CONTAINS(d.items[0].message, "pack has no version or authority");
        CHECK_INT(d.items[1].line, 2);
        CHECK_CONTAINS(d.items[1].message, "recognize 'r' never applies: deny 'closed'");
        CHECK_INT(d.items[2].line, 3);
        CHECK_CONTAINS(d.items[2].message, "credentials: matching \"^ZZ-\" selects no credential");
    }
    cx_rules_free(rules);
    cx_diagnostics_free(&d);
}

/* ------------------------------------------------- what rules read */

static const cx_rule *rule_by_id(cx_rules *rules, const char *id)
{
    size_t n;
    const cx_rule *const *v = cx__rules_by_id(rules, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i]->id, id) == 0) return v[i];
    return NULL;
}

static cx_sym credential(cx_rules *rules, const char *id)
{
    return cx__snapshot_find(cx__rules_snapshot(rules), CX_KIND_CREDENTIAL, id);
}

static int in_set(const uint64_t *set, cx_sym s)
{
    return set && (int)(set[s / 64] >> (s % 64) & 1);
}

/* The walks the analyses used to make over a requirement tree, kept here
 * as the reference the recorded facts must equal. */
typedef struct derived {
    uint64_t slots[4], totals[4], counting[4]; /* the catalog has five credentials */
    int checks, without_awards, totals_every, verification;
} derived;

static void derive(const cx_req *q, size_t ncred, derived *d)
{
    if (!q) return;
    d->checks |= q->kind == CX_REQ_CHECK;
    d->without_awards |= q->kind == CX_REQ_CHECK || q->kind == CX_REQ_HOLDER_ATTR;
    for (cx_sym s = 0; s < ncred; s++) {
        if (in_set(q->fills, s)) d->slots[s / 64] |= UINT64_C(1) << (s % 64);
        if (q->selector && in_set(q->selector->bits, s))
            d->totals[s / 64] |= UINT64_C(1) << (s % 64);
        int counts = q->kind == CX_REQ_CHECK || in_set(q->fills, s) ||
                     ((q->kind == CX_REQ_HOURS || q->kind == CX_REQ_SUM) &&
                      (!q->selector || in_set(q->selector->bits, s)));
        if (counts) d->counting[s / 64] |= UINT64_C(1) << (s % 64);
    }
    d->totals_every |= q->kind == CX_REQ_SUM && !q->selector;
    d->verification |= q->verified;
    for (size_t i = 0; i < q->nparts; i++) derive(q->parts[i], ncred, d);
}

static void derive_groups(const cx_jsel *j, uint8_t *named)
{
    if (!j) return;
    if (j->kind == CX_JSEL_MEMBER_OF) named[j->group] = 1;
    for (size_t i = 0; i < j->nparts; i++) derive_groups(j->parts[i], named);
}

/* The equivalence rules quick.c asked of every slot: can they make
 * another credential count as c? */
static int reaches(const cx_rule *e, cx_sym c)
{
    if (e->kind == CX_RULE_EQUIVALENT) {
        for (size_t m = 0; m < e->nmembers; m++)
            if (e->members[m] == c) return 1;
        return 0;
    }
    return !e->to || in_set(e->to->bits, c);
}

/* Each credential slot's fillers are the rules reaches() finds, in id order. */
static void check_fillers(cx_rules *rules, const cx_req *q, long *slots)
{
    size_t ne;
    const uint64_t *to;
    const cx_rule *const *eq = cx__rules_equivalences(rules, &ne, &to);
    if (q->kind == CX_REQ_CREDENTIAL) {
        size_t k = 0;
        for (size_t i = 0; i < ne; i++)
            if (reaches(eq[i], q->credential)) {
                CHECK(k < q->nfillers && q->fillers[k] == eq[i]);
                k++;
            }
        CHECK_INT(q->nfillers, k);
        (*slots)++;
    }
    for (size_t i = 0; i < q->nparts; i++) check_fillers(rules, q->parts[i], slots);
}

static const char reads_pack[] =
    "pack \"reads\" { authority = \"test\", version = \"1\" }\n"
    "stack \"CA-EV-TECH\" { jurisdiction = \"US-CA\", requires = all { \"CA-EVS-101\",\n"
    "  tagged \"ev\", hours(20, { \"CA-EVB-201\" }) { verified = true },\n"
    "  check(function(ctx) return true end) } }\n"
    "stack \"CA-EV-MASTER\" { requires = any { \"CA-EV-TECH\", sum(\"points\", 3),\n"
    "  holder_attr(\"years\", \">=\", 2) } }\n"
    "counts_as { from = \"TX-EVS-101\", to = \"CA-EVS-101\",\n"
    "  within = any_of { member_of \"EVC\", \"US-CA\" } }\n"
    "equivalent { \"CA-EVS-101\", \"CA-EVB-201\" }\n"
    "equivalence \"eq-when\" { from = \"TX-EVS-101\", to = matching \"^CA-EVB\",\n"
    "  when = function(ctx) return true end }\n"
    "equivalence \"eq-cov\" { from = \"TX-EVS-101\", to = \"CA-EV-TECH\", when = coverage \"80%\" "
    "}\n"
    "recognize \"r\" { into = member_of \"EVC\", from = \"US-CA\", credentials = { \"CA-EVS-101\" "
    "},\n"
    "  requires = { \"CA-EVB-201\" }, verified = true }\n"
    "renews \"CA-EVS-101\" { \"CA-EVB-201\" }\n";

TEST(recorded_reads_are_what_the_analyses_derived)
{
    cx_rules *rules = NULL;
    cx_diagnostics d;
    CHECK_INT(load(reads_pack, &rules, &d), CX_OK);
    cx_diagnostics_free(&d);
    if (!rules) return;
    const cx_snapshot *snap = cx__rules_snapshot(rules);
    size_t n, ncred = cx__snapshot_count(snap, CX_KIND_CREDENTIAL), slots = 0;
    uint32_t ngroups = cx__snapshot_count(snap, CX_KIND_GROUP);
    long nslots = 0;
    const cx_rule *const *v = cx__rules_by_id(rules, &n);
    CHECK(ncred <= 256);
    for (size_t i = 0; i < n; i++) {
        const cx_rule *r = v[i];
        derived want = {0};
        uint8_t named[8] = {0};
        derive(r->requires, ncred, &want);
        derive_groups(r->within, named);
        derive_groups(r->into, named);
        derive_groups(r->from_j, named);
        CHECK_INT(r->reads.checks, want.checks);
        CHECK_INT(r->reads.without_awards, want.without_awards);
        CHECK_INT(r->reads.totals_every, want.totals_every);
        CHECK_INT(r->reads.verification, want.verification || r->verified);
        CHECK_INT(r->reads.calls,
                  want.checks || (r->kind == CX_RULE_EQUIVALENCE && r->when_fn >= 0));
        CHECK_INT(!r->reads.slots, !r->requires);
        for (cx_sym s = 0; r->requires && s < ncred; s++) {
            int all = r->reads.checks || r->reads.totals_every;
            CHECK_INT(in_set(r->reads.slots, s), in_set(want.slots, s));
            CHECK_INT(in_set(r->reads.totals, s), in_set(want.totals, s));
            CHECK_INT(all || in_set(r->reads.slots, s) || in_set(r->reads.totals, s),
                      in_set(want.counting, s));
            slots++;
        }
        size_t k = 0;
        for (uint32_t g = 0; g < ngroups && g < sizeof named; g++)
            if (named[g]) {
                CHECK(k < r->reads.ngroups && r->reads.groups[k] == g);
                k++;
            }
        CHECK_INT(r->reads.ngroups, k);
        if (r->requires) check_fillers(rules, r->requires, &nslots);
    }
    CHECK(slots > 0);
    CHECK_INT(nslots, 3); /* CA-EVS-101, CA-EV-TECH, CA-EVB-201 (the recognition's) */

    /* and what a reader of the pack expects */
    const cx_rule *tech = rule_by_id(rules, "CA-EV-TECH"),
                  *master = rule_by_id(rules, "CA-EV-MASTER");
    const cx_rule *counts = rule_by_id(rules, "counts_as:TX-EVS-101>CA-EVS-101");
    const cx_rule *when = rule_by_id(rules, "eq-when"), *cov = rule_by_id(rules, "eq-cov");
    const cx_rule *rec = rule_by_id(rules, "r");
    CHECK(tech && master && counts && when && cov && rec);
    if (!tech || !master || !counts || !when || !cov || !rec) {
        cx_rules_free(rules);
        return;
    }
    CHECK(tech->reads.checks && tech->reads.calls && tech->reads.without_awards);
    CHECK(in_set(tech->reads.slots, credential(rules, "CA-EVS-101")));
    CHECK(in_set(tech->reads.slots, credential(rules, "CA-EVB-201"))); /* tagged "ev" */
    CHECK(!in_set(tech->reads.slots, credential(rules, "CA-EV-MASTER")));
    CHECK(in_set(tech->reads.totals, credential(rules, "CA-EVB-201")));
    CHECK(!in_set(tech->reads.totals, credential(rules, "CA-EVS-101")));
    CHECK(!master->reads.checks && !master->reads.calls && master->reads.without_awards);
    CHECK(master->reads.totals_every);
    CHECK(tech->reads.verification && rec->reads.verification && !master->reads.verification);
    CHECK(when->reads.calls && !cov->reads.calls && !counts->reads.calls);
    CHECK_INT(counts->reads.ngroups, 1);
    CHECK_INT(rec->reads.ngroups, 1);
    if (rec->reads.ngroups) CHECK_STR(snap->groups[rec->reads.groups[0]].id, "EVC");
    /* a slot of CA-EVS-101: the counts_as and the equivalent, not eq-when
     * (to CA-EVB-201 only) */
    const cx_req *slot = tech->requires->parts[0];
    CHECK_INT(slot->nfillers, 2);
    if (slot->nfillers == 2) {
        CHECK_STR(slot->fillers[0]->id, "counts_as:TX-EVS-101>CA-EVS-101");
        CHECK_STR(slot->fillers[1]->id, "equivalent:CA-EVS-101=CA-EVB-201");
    }
    cx_rules_free(rules);
}

/* -------------------------------------------------------------- equality */

static const char same_pack[] =
    "pack \"same\" { authority = \"test\", version = \"1\" }\n"
    "stack \"CA-EV-TECH\" { jurisdiction = \"US-CA\", window = { recent = \"P5Y\" },\n"
    "  requires = all { \"CA-EVS-101\", at_least(1) { label = \"e\", \"CA-EVB-201\", tagged \"ev\" "
    "},\n"
    "    hours(20, { \"CA-EVB-201\" }) } }\n"
    "counts_as { from = \"TX-EVS-101\", to = \"CA-EVS-101\", within = \"US-CA\" }\n"
    "equivalence \"cov\" { from = \"TX-EVS-101\", to = \"CA-EVB-201\", when = coverage \"80%\" }\n"
    "recognize \"r\" { into = member_of \"EVC\", credentials = { \"CA-EVS-101\" } }\n"
    "renews \"CA-EVS-101\" { \"CA-EVB-201\" }\n";

/* One field changed: the text replaced, and the rule it changes. */
static const struct variant {
    const char *from, *to, *rule;
} variants[] = {
    {"jurisdiction = \"US-CA\", window", "jurisdiction = \"US-TX\", window", "CA-EV-TECH"},
    {"recent = \"P5Y\"", "recent = \"P4Y\"", "CA-EV-TECH"},
    {"recent = \"P5Y\"", "span = \"P5Y\"", "CA-EV-TECH"},
    {"label = \"e\"", "label = \"f\"", "CA-EV-TECH"},
    {"at_least(1)", "at_least(2)", "CA-EV-TECH"},
    {"tagged \"ev\" }", "\"TX-EVS-101\" }", "CA-EV-TECH"},
    {"hours(20,", "hours(21,", "CA-EV-TECH"},
    {"{ \"CA-EVB-201\" }) }", "{ \"CA-EVS-101\" }) }", "CA-EV-TECH"},
    {"\"CA-EVS-101\", at_least", "credential \"CA-EVS-101\" { min_grade = \"B\" }, at_least",
     "CA-EV-TECH"},
    {"requires = all { \"CA", "reuse_awards = true, requires = all { \"CA", "CA-EV-TECH"},
    {"requires = all { \"CA", "effective = { from = \"2020-01-01\" }, requires = all { \"CA",
     "CA-EV-TECH"},
    {"within = \"US-CA\"", "within = member_of \"EVC\"", "counts_as:TX-EVS-101>CA-EVS-101"},
    {"within = \"US-CA\"",
     "within = \"US-CA\", issued_between = { \"2020-01-01\", \"2030-01-01\" }",
     "counts_as:TX-EVS-101>CA-EVS-101"},
    {"coverage \"80%\"", "coverage \"70%\"", "cov"},
    {"to = \"CA-EVB-201\"", "to = \"CA-EVS-101\"", "cov"},
    {"into = member_of \"EVC\"", "into = \"US-CA\"", "r"},
    {"credentials = { \"CA-EVS-101\" }", "credentials = { \"CA-EVB-201\" }", "r"},
    {"credentials = { \"CA-EVS-101\" }", "credentials = { \"CA-EVS-101\" }, verified = true", "r"},
    {"\"CA-EVS-101\", at_least", "credential \"CA-EVS-101\" { verified = true }, at_least",
     "CA-EV-TECH"},
    {"hours(20, { \"CA-EVB-201\" }) }", "hours(20, { \"CA-EVB-201\" }) { verified = true } }",
     "CA-EV-TECH"},
    {"renews \"CA-EVS-101\"", "renews \"TX-EVS-101\"", NULL}, /* a new id: renews:TX-EVS-101 */
    {"{ \"CA-EVB-201\" }\n", "{ \"CA-EVB-201\", \"TX-EVS-101\" }\n", "renews:CA-EVS-101"},
};

/* source with from replaced by to (once); malloc'd. */
static char *replaced(const char *source, const char *from, const char *to)
{
    const char *at = strstr(source, from);
    size_t n = strlen(source) + strlen(to) + 1;
    char *out = malloc(n);
    if (!at || !out) {
        free(out);
        return NULL;
    }
    snprintf(out, n, "%.*s%s%s", (int)(at - source), source, to, at + strlen(from));
    return out;
}

/* Which rules of a differ from b's rule of the same id: their ids, joined. */
static void differing(cx_rules *a, cx_rules *b, char *out, size_t size)
{
    size_t na, nb;
    const cx_rule *const *va = cx__rules_by_id(a, &na);
    out[0] = '\0';
    cx__rules_by_id(b, &nb);
    for (size_t i = 0; i < na; i++) {
        const cx_rule *y = rule_by_id(b, va[i]->id);
        if (y && cx__rule_same(cx__rules_snapshot(a), va[i], cx__rules_snapshot(b), y)) continue;
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s%s", len ? " " : "", va[i]->id);
    }
}

TEST(equality_notices_a_changed_field)
{
    cx_rules *base = NULL, *again = NULL;
    cx_diagnostics d;
    char diff[512];
    CHECK_INT(load(same_pack, &base, &d), CX_OK);
    cx_diagnostics_free(&d);
    CHECK_INT(load(same_pack, &again, &d), CX_OK);
    cx_diagnostics_free(&d);
    if (!base || !again) {
        cx_rules_free(base);
        cx_rules_free(again);
        return;
    }
    differing(base, again, diff, sizeof diff);
    CHECK_STR(diff, ""); /* the same pack compiled twice: every rule the same */
    for (size_t i = 0; i < sizeof variants / sizeof *variants; i++) {
        char *source = replaced(same_pack, variants[i].from, variants[i].to);
        cx_rules *changed = NULL;
        CHECK(source != NULL);
        if (!source) continue;
        if (load(source, &changed, &d) != CX_OK) {
            fprintf(stderr, "  variant %zu does not compile: %s\n", i,
                    d.count ? d.items[0].message : "");
            CHECK(0);
        } else {
            differing(base, changed, diff, sizeof diff);
            CHECK_STR(diff, variants[i].rule ? variants[i].rule : "renews:CA-EVS-101");
        }
        cx_diagnostics_free(&d);
        cx_rules_free(changed);
        free(source);
    }
    /* field by field on one requirement: each change is noticed */
    const cx_rule *tech = rule_by_id(base, "CA-EV-TECH");
    const cx_snapshot *s = cx__rules_snapshot(base);
    if (tech) {
        const cx_req *hours = tech->requires->parts[2];
        cx_req q = *hours;
        CHECK(cx__req_same(s, hours, s, &q));
        q.threshold++;
        CHECK(!cx__req_same(s, hours, s, &q));
        q = *hours;
        q.kind = CX_REQ_SUM;
        CHECK(!cx__req_same(s, hours, s, &q));
        q = *hours;
        q.label = "hours";
        CHECK(!cx__req_same(s, hours, s, &q));
        q = *hours;
        q.attr = "points";
        CHECK(!cx__req_same(s, hours, s, &q));
        q = *hours;
        q.selector = NULL;
        CHECK(!cx__req_same(s, hours, s, &q));
        q = *hours;
        q.fn = 3;
        CHECK(!cx__req_same(s, hours, s, &q));
        q = *hours;
        q.verified = 1;
        CHECK(!cx__req_same(s, hours, s, &q));
        q = *hours;
        q.text = "another text"; /* where it came from: not a change */
        q.index = 99;
        CHECK(cx__req_same(s, hours, s, &q));
    } else {
        CHECK(0);
    }
    cx_rules_free(base);
    cx_rules_free(again);
}

static const test_case cases[] = {
    {"every_misuse_is_located", every_misuse_is_located},
    {"good_pack_compiles", good_pack_compiles},
    {"warnings", warnings},
    {"recorded_reads_are_what_the_analyses_derived", recorded_reads_are_what_the_analyses_derived},
    {"equality_notices_a_changed_field", equality_notices_a_changed_field},
    {NULL, NULL}};

int main(void)
{
    setup();
    int rc = test_run_(cases);
    cx_registry_close(registry);
    return rc;
}
