/*
 * ruletest_next.c -- the `next` expectation of rule tests
 * (docs/rule-tests.md): cx_next for the case holder, compared stack by
 * stack with the ranking the test file states. It ranks nothing itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "ruletest.h"

/* An id the ranking names that the registry or the packs lack: an error in
 * the test file at that stack's mapping, with the nearest id. */
static int unknown(const cx__case_env *env, const cx__next_want *w, const char *what,
                   const char *id, const char *where, const char *near, cx_error *err)
{
    return cx__error(err, CX_EINPUT, env->file, w->line, w->column,
                     "next: no %s '%s' in the %s%s%s%s", what, id, where,
                     near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
}

/* Every stack the ranking names is a stack of the packs, every credential
 * one of the registry. */
static int check_ids(const cx__case_env *env, const cx__expect *e, cx_error *err)
{
    const cx_snapshot *snap = cx__rules_snapshot(env->rules);
    size_t ns;
    const cx_rule *const *stacks = cx__rules_stacks(env->rules, &ns);
    for (size_t i = 0; i < e->nranking; i++) {
        const cx__next_want *w = &e->ranking[i];
        cx_sym c = cx__snapshot_find(snap, CX_KIND_CREDENTIAL, w->stack);
        size_t k = 0;
        while (c != CX_NOSYM && k < ns && stacks[k]->credential != c) k++;
        if (c == CX_NOSYM || k == ns) {
            const char **ids = calloc(ns + 1, sizeof *ids);
            if (!ids) return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
            for (k = 0; k < ns; k++) ids[k] = snap->credentials[stacks[k]->credential].id;
            int rc = unknown(env, w, "stack", w->stack, "rule packs", cx_nearest(w->stack, ids, ns),
                             err);
            free(ids);
            return rc;
        }
        for (size_t j = 0; j < w->add.n; j++)
            if (cx__snapshot_find(snap, CX_KIND_CREDENTIAL, w->add.v[j]) == CX_NOSYM)
                return unknown(env, w, "credential", w->add.v[j], "registry",
                               cx__snapshot_nearest(snap, CX_KIND_CREDENTIAL, w->add.v[j]), err);
    }
    return CX_OK;
}

/* "rank N: STACK [A, B]" or "rank N: none" for the difference. */
static void describe(cx_buf *diff, size_t rank, const cx_next_step *s)
{
    cx__buf_printf(diff, "rank %zu: ", rank);
    if (!s) {
        cx__buf_puts(diff, "none");
        return;
    }
    cx__buf_printf(diff, "%s [", s->stack);
    for (size_t i = 0; i < s->nadd; i++) cx__buf_printf(diff, "%s%s", i ? ", " : "", s->add[i].id);
    cx__buf_puts(diff, "]");
}

static void differ(cx_buf *diff, const char *subject, int *holds)
{
    cx__buf_printf(diff, *holds ? "%s: " : "; ", subject);
    *holds = 0;
}

/* Compares rank r's step (NULL: none) with w (NULL: none expected). */
static void compare_rank(const char *subject, size_t r, const cx_next_step *s,
                         const cx__next_want *w, int *holds, cx_buf *diff)
{
    if (!w || !s || strcmp(s->stack, w->stack) != 0) {
        differ(diff, subject, holds);
        describe(diff, r, s);
        cx__buf_printf(diff, ", expected %s", w ? w->stack : "none");
        return;
    }
    const char **ids = calloc(s->nadd + 1, sizeof *ids);
    cx_buf part;
    char field[48];
    cx__buf_init(&part);
    for (size_t i = 0; ids && i < s->nadd; i++) ids[i] = s->add[i].id;
    snprintf(field, sizeof field, "rank %zu %s add", r, s->stack);
    if (!ids || !cx__expect_same_set(field, &w->add, ids, s->nadd, &part)) {
        differ(diff, subject, holds);
        cx__buf_puts(diff, part.data ? part.data : "out of memory");
    }
    if (w->hours != CX_NO_NUMBER && w->hours != s->hours) {
        differ(diff, subject, holds);
        cx__buf_printf(diff, "rank %zu %s hours ", r, s->stack);
        cx__buf_hundredths(diff, s->hours);
        cx__buf_puts(diff, ", expected ");
        cx__buf_hundredths(diff, w->hours);
    }
    cx__buf_free(&part);
    free(ids);
}

int cx__expect_next(const cx__case_env *env, const cx__expect *e, int *holds, cx_buf *diff,
                    cx_error *err)
{
    cx_next_options opt = {.soc = e->soc, .tag = e->tag, .limit = e->limit};
    cx_next_step *v = NULL;
    size_t n = 0;
    cx_error derr;
    char subject[600];
    int rc = check_ids(env, e, err);
    if (rc) return rc;
    cx_error_clear(&derr);
    if ((rc = cx_next(env->rules, env->holder, &opt, env->as_of, &v, &n, &derr)) != CX_OK) {
        if (rc != CX_EUSAGE && rc != CX_EINPUT) {
            *err = derr;
            return rc;
        }
        return cx__error(err, CX_EINPUT, env->file, e->line, e->column, "next: %s", derr.message);
    }
    snprintf(subject, sizeof subject, "next for %s", env->holder);
    *holds = 1;
    for (size_t r = 0; r < n || r < e->nranking; r++)
        compare_rank(subject, r + 1, r < n ? &v[r] : NULL, r < e->nranking ? &e->ranking[r] : NULL,
                     holds, diff);
    cx_next_steps_free(v, n);
    return CX_OK;
}
