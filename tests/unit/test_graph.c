/*
 * test_graph.c -- cx_graph_dot and cx_graph_svg through the public API
 * (docs/graph.md): what only a library caller can ask (no options at all,
 * a holder without a date), the errors, and SVG laid out on two threads at
 * once (each with its own cx_rules) coming out the same as on one: the
 * layout lock in graph_svg.c serialises Graphviz, whose state is global.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credex.h"
#include "test.h"

#define EV TEST_SRC "/examples/ev-mechanic"

/* Graphviz's dot layout keeps buffers for the life of the process
 * (tests/cli/graphviz.supp): LeakSanitizer's suppressions for this
 * executable only, by Graphviz's library name. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libgvc.so\n";
}

static const char *const ev_rules[] = {EV "/rules"};

static int ev_load(cx_registry **r, cx_rules **rules)
{
    cx_error err;
    const char *paths[] = {EV "/catalog.yaml"};
    cx_error_clear(&err);
    *r = NULL;
    *rules = NULL;
    if (cx_registry_open(NULL, CX_OPEN_MEMORY, r, &err) ||
        cx_catalog_import(*r, paths, 1, NULL, NULL, NULL, &err) ||
        cx_rules_load(*r, ev_rules, 1, rules, NULL, &err)) {
        fprintf(stderr, "  cannot load the EV example: %s\n", err.message);
        cx_registry_close(*r);
        return -1;
    }
    return 0;
}

TEST(every_stack_without_options)
{
    cx_registry *r;
    cx_rules *rules;
    cx_error err;
    char *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    if (ev_load(&r, &rules)) {
        CHECK(0);
        return;
    }
    CHECK_INT(cx_graph_dot(rules, NULL, &a, &na, &err), CX_OK);
    CHECK_INT(na, a ? strlen(a) : 0);
    CHECK_CONTAINS(a, "label=\"credex pathway map: every stack\"");
    CHECK_CONTAINS(a, "subgraph \"cluster_stack:CA-EV-TECH\"");
    CHECK(a && !strstr(a, "as of"));
    CHECK_INT(cx_graph_dot(rules, NULL, &b, &nb, &err), CX_OK);
    CHECK(a && b && na == nb && memcmp(a, b, na) == 0); /* the same bytes */
    free(a);
    free(b);
    cx_rules_free(rules);
    cx_registry_close(r);
}

TEST(errors_a_caller_can_make)
{
    cx_registry *r;
    cx_rules *rules;
    cx_error err;
    char *out = (char *)"untouched";
    size_t n = 7;
    if (ev_load(&r, &rules)) {
        CHECK(0);
        return;
    }
    cx_graph_options holder = {.holder = "h-tx-0001"};
    CHECK_INT(cx_graph_dot(rules, &holder, &out, &n, &err), CX_EUSAGE);
    CHECK_STR(err.message, "a holder's map needs an as-of date");
    CHECK(out == NULL && n == 0);
    cx_graph_options two = {.stack = "CA-EV-TECH", .credential = "CA-EVS-101"};
    CHECK_INT(cx_graph_svg(rules, &two, &out, &n, &err), CX_EUSAGE);
    CHECK_STR(err.message, "give at most one of --stack, --credential and --jurisdiction");
    cx_graph_options cred = {.credential = "CA-EVS-10"};
    CHECK_INT(cx_graph_dot(rules, &cred, &out, &n, &err), CX_EUSAGE);
    CHECK_STR(
        err.message,
        "--credential: no credential 'CA-EVS-10' in the registry; did you mean 'CA-EVS-101'?");
    cx_graph_options date = {.as_of = "2026-02-30"};
    CHECK_INT(cx_graph_dot(rules, &date, &out, &n, &err), CX_EUSAGE);
    CHECK_CONTAINS(err.message, "invalid --as-of date '2026-02-30'");
    cx_rules_free(rules);
    cx_registry_close(r);
}

typedef struct layout {
    cx_rules *rules;
    char *svg;
    size_t n;
    int rc;
} layout;

static void *lay_out(void *ud)
{
    layout *l = ud;
    cx_error err;
    cx_graph_options opt = {.stack = "CA-EV-TECH", .holder = "h-ca-0003", .as_of = "2026-06-01"};
    l->rc = cx_graph_svg(l->rules, &opt, &l->svg, &l->n, &err);
    return NULL;
}

TEST(svg_on_two_threads_at_once)
{
    cx_registry *r[3];
    layout l[3];
    pthread_t t[2];
    memset(l, 0, sizeof l);
    for (int i = 0; i < 3; i++)
        if (ev_load(&r[i], &l[i].rules)) {
            CHECK(0);
            return;
        }
    lay_out(&l[2]); /* alone */
    for (int i = 0; i < 2; i++) CHECK_INT(pthread_create(&t[i], NULL, lay_out, &l[i]), 0);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < 3; i++) {
        CHECK_INT(l[i].rc, CX_OK);
        CHECK_CONTAINS(l[i].svg, "<svg ");
        CHECK_CONTAINS(l[i].svg, "<title>credential:CA&#45;EV&#45;TECH</title>");
        CHECK(l[i].n == l[2].n && l[i].svg && l[2].svg && memcmp(l[i].svg, l[2].svg, l[2].n) == 0);
        free(l[i].svg);
        cx_rules_free(l[i].rules);
        cx_registry_close(r[i]);
    }
}

static const test_case cases[] = {
    {"every_stack_without_options", every_stack_without_options},
    {"errors_a_caller_can_make", errors_a_caller_can_make},
    {"svg_on_two_threads_at_once", svg_on_two_threads_at_once},
    {NULL, NULL},
};

TEST_MAIN(cases)
