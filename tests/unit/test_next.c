/*
 * test_next.c -- cx_next and cx_transfer_award through the public API on
 * tests/rules/next (docs/rules.md, "Next steps"): every field of a step
 * (ranks, statuses, the completion in byte order of id, hours in
 * hundredths, a stack's name from its credential), the limit and filters,
 * the renderers' bytes, the errors a caller can cause, and that every
 * output is left empty when a call fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credex.h"
#include "test.h"

#define NEXT  TEST_SRC "/tests/rules/next"
#define AS_OF "2026-06-01"

static const char *const next_rules[] = {NEXT "/packs", NEXT "/more"};

/* The ranking test catalog in a private in-memory registry, and its rules. */
static int load(cx_registry **r, cx_rules **rules)
{
    cx_error err;
    const char *paths[] = {NEXT "/catalog.yaml"};
    cx_error_clear(&err);
    *r = NULL;
    *rules = NULL;
    if (cx_registry_open(NULL, CX_OPEN_MEMORY, r, &err) ||
        cx_catalog_import(*r, paths, 1, NULL, NULL, NULL, &err) ||
        cx_rules_load(*r, next_rules, 2, rules, NULL, &err)) {
        fprintf(stderr, "  cannot load tests/rules/next: %s\n", err.message);
        cx_registry_close(*r);
        return -1;
    }
    return 0;
}

TEST(steps_hold_the_ranking)
{
    cx_registry *r;
    cx_rules *rules;
    cx_next_step *v = NULL;
    size_t n = 0;
    cx_error err;
    if (load(&r, &rules)) {
        CHECK(0);
        return;
    }
    cx_next_options opt = {.limit = 10};
    CHECK_INT(cx_next(rules, "h-one", &opt, AS_OF, &v, &n, &err), CX_OK);
    CHECK_INT(n, 8); /* S-J: C1 again (P1Y), 10 hours */
    if (n == 8) {
        const char *order[8] = {"S-B", "S-D", "S-E", "S-J", "S-A", "S-F", "S-C", "S-K"};
        for (size_t i = 0; i < n; i++) {
            CHECK_STR(v[i].stack, order[i]);
            CHECK_INT(v[i].rank, i + 1);
            CHECK_STR(v[i].holder, "h-one");
            CHECK_STR(v[i].as_of, AS_OF);
        }
        CHECK_STR(v[0].name, "Stack B"); /* the stack's credential's: the pack gives none */
        CHECK_INT(v[0].status, CX_IN_PROGRESS);
        CHECK_INT(v[0].nadd, 1);
        CHECK_STR(v[0].add[0].id, "C4");
        CHECK_STR(v[0].add[0].name, "Course Four");
        CHECK_INT(v[0].add[0].hours, 500);
        CHECK_INT(v[0].hours, 500);
        CHECK_INT(v[0].nmissing, 1);
        CHECK_STR(v[0].missing[0], "at_least(1) { \"C3\", \"C4\" }");
        CHECK_INT(v[6].status, CX_NOT_STARTED);
        CHECK_INT(v[6].nadd, 2); /* byte order of id, whatever the search's order */
        CHECK_STR(v[6].add[0].id, "C4");
        CHECK_STR(v[6].add[1].id, "C6");
        CHECK_INT(v[6].add[1].hours, CX_NO_NUMBER);
        CHECK_INT(v[6].hours, 500);
        CHECK_INT(v[7].nadd, 6);
        CHECK_INT(v[7].hours, 1100);

        char *json = cx_next_step_json(&v[6]), *text = cx_next_step_text(&v[6]);
        CHECK_STR(json,
                  "{\"kind\":\"next\",\"holder\":\"h-one\",\"stack\":\"S-C\",\"name\":"
                  "\"Stack C\",\"as_of\":\"2026-06-01\",\"rank\":7,\"status\":\"not_started\","
                  "\"credentials\":2,\"hours\":5,\"add\":[{\"credential\":\"C4\",\"name\":"
                  "\"Course Four\",\"hours\":5},{\"credential\":\"C6\",\"name\":\"Course "
                  "Six\"}],\"missing\":[\"at_least(2) { \\\"C4\\\", \\\"C5\\\", \\\"C6\\\" "
                  "}\"]}\n");
        CHECK_STR(text, "7. S-C (Stack C), not_started: 2 credentials, 5 hours\n"
                        "   add C4 (Course Four, 5 hours)\n"
                        "   add C6 (Course Six)\n"
                        "   missing now: at_least(2) { \"C4\", \"C5\", \"C6\" }\n");
        free(json);
        free(text);
    }
    cx_next_steps_free(v, n);

    cx_next_options alpha = {.tag = "alpha"}, soc = {.soc = "11-1111.01", .limit = 1};
    CHECK_INT(cx_next(rules, "h-one", &alpha, AS_OF, &v, &n, &err), CX_OK);
    CHECK_INT(n, 2);
    if (n == 2) CHECK_STR(v[1].stack, "S-C");
    cx_next_steps_free(v, n);
    CHECK_INT(cx_next(rules, "h-one", &soc, AS_OF, &v, &n, &err), CX_OK);
    CHECK_INT(n, 1);
    if (n == 1) CHECK_STR(v[0].stack, "S-B");
    cx_next_steps_free(v, n);
    CHECK_INT(cx_next(rules, "h-one", NULL, AS_OF, &v, &n, &err), CX_OK);
    CHECK_INT(n, CX_NEXT_LIMIT);
    cx_next_steps_free(v, n);
    cx_rules_free(rules);
    cx_registry_close(r);
}

TEST(errors_leave_outputs_empty)
{
    cx_registry *r;
    cx_rules *rules;
    cx_next_step *v = (cx_next_step *)&v;
    cx_decision **d = (cx_decision **)&d;
    size_t n = 7;
    cx_error err;
    if (load(&r, &rules)) {
        CHECK(0);
        return;
    }
    CHECK_INT(cx_next(rules, "h-onr", NULL, AS_OF, &v, &n, &err), CX_EUSAGE);
    CHECK_STR(err.message, "no holder 'h-onr' in the registry; did you mean 'h-one'?");
    CHECK(v == NULL && n == 0);
    CHECK_INT(cx_next(rules, "h-one", NULL, "2026-02-30", &v, &n, &err), CX_EUSAGE);
    CHECK(v == NULL && n == 0);
    n = 7;
    CHECK_INT(cx_transfer_award(rules, "h-one", "C2", "XX", AS_OF, &d, &n, &err), CX_EUSAGE);
    CHECK_STR(err.message, "holder h-one has no award 'C2' (an award id or a credential) issued "
                           "by 2026-06-01; did you mean 'C1'?");
    CHECK(d == NULL && n == 0);
    CHECK_INT(cx_transfer_award(rules, "h-one", "C1", "XX", "2024-06-01", &d, &n, &err),
              CX_EUSAGE); /* issued 2025-01-10: not yet */
    CHECK_INT(cx_transfer_award(rules, "h-one", "h-one/C1/2025-01-10", "XX", AS_OF, &d, &n, &err),
              CX_OK);
    CHECK_INT(n, 1);
    if (n == 1) {
        CHECK_STR(d[0]->credential, "C1");
        CHECK_INT(d[0]->status, CX_ACCEPTED);
    }
    cx_decisions_free(d, n);
    cx_rules_free(rules);
    cx_registry_close(r);
}

static const test_case cases[] = {
    {"steps_hold_the_ranking", steps_hold_the_ranking},
    {"errors_leave_outputs_empty", errors_leave_outputs_empty},
    {NULL, NULL},
};

TEST_MAIN(cases)
