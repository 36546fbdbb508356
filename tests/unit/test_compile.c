/*
 * test_compile.c -- the rule language's load-time checks: every
 * constructor and option misused, each reported at the pack's file:line
 * with what was expected; and what good packs compile to.
 */
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

static const test_case cases[] = {{"every_misuse_is_located", every_misuse_is_located},
                                  {"good_pack_compiles", good_pack_compiles},
                                  {"warnings", warnings},
                                  {NULL, NULL}};

int main(void)
{
    setup();
    int rc = test_run_(cases);
    cx_registry_close(registry);
    return rc;
}
