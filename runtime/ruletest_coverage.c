/*
 * ruletest_coverage.c -- `credex test --coverage`: which rules and
 * requirement leaves the decisions of a run's expectations exercised
 * (docs/rule-tests.md, "Coverage"). It observes the evaluators through
 * the rules' cx_coverage hook and reads decisions' traces; it decides
 * nothing and prints nothing.
 */
#define _XOPEN_SOURCE 700 /* realpath */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "ruletest.h"
#include "util.h"

/* A rule or a requirement leaf, counted once per pack file over the run. */
typedef struct entry {
    const char *file;        /* the pack file as first loaded (cov's arena) */
    int line;                /* the rule's or the requirement's */
    const char *rule;        /* the rule's id */
    const char *kind;        /* the rule's kind */
    const char *requirement; /* NULL for a rule; else the leaf's path in its tree */
    size_t rule_entry;       /* a leaf's rule */
    int exercised;
} entry;

/* A leaf of the current case's rules: its plan and its entries. */
typedef struct leaf_ref {
    const cx_req *q;
    size_t leaf, rule; /* entry indices */
} leaf_ref;

struct cx__coverage {
    cx_arena arena;   /* keys and the strings of entries */
    cx_strmap keys;   /* "FILE\x1fID[\x1fINDEX]" -> entry index + 1 */
    entry *v;         /* every entry, in the order first met */
    size_t n, cap;    /* entries, allocated */
    int oom;          /* memory ran out on the way */
    cx_coverage hook; /* what the evaluators call */

    /* the case being run: its rules' ids and leaves, what they reported */
    cx_strmap ids;    /* rule id (the rules' own string) -> entry index + 1 */
    cx_strmap files;  /* pack path as loaded -> its real path (arena) */
    leaf_ref *leaves; /* sorted by plan address */
    size_t nleaves, capleaves;
    uint8_t *pending; /* per entry: a leaf that held since the expectation began */
    size_t *held;     /* those leaves */
    size_t nheld;
};

/* ------------------------------------------------------------- entries */

static void *grow(cx__coverage *cov, void *v, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return v;
    size_t c = *cap ? *cap * 2 : 64;
    while (c < need) c *= 2;
    void *p = realloc(v, c * size);
    if (!p) {
        cov->oom = 1;
        return NULL;
    }
    *cap = c;
    return p;
}

/* The entry under key, made from proto when new; SIZE_MAX on OOM. */
static size_t intern(cx__coverage *cov, const char *key, const entry *proto)
{
    void *found = cx__strmap_get(&cov->keys, key);
    if (found) return (size_t)(uintptr_t)found - 1;
    entry *v = grow(cov, cov->v, &cov->cap, cov->n + 1, sizeof *v);
    const char *k = cx__arena_strdup(&cov->arena, key);
    if (!v || !k) {
        cov->oom = 1;
        return SIZE_MAX;
    }
    cov->v = v;
    if (cx__strmap_put(&cov->keys, k, (void *)(uintptr_t)(cov->n + 1), NULL) < 0) {
        cov->oom = 1;
        return SIZE_MAX;
    }
    v[cov->n] = *proto;
    return cov->n++;
}

/* A pack path made comparable across test files: its real path. */
static const char *canonical(cx__coverage *cov, const char *file)
{
    const char *c = cx__strmap_get(&cov->files, file);
    if (c) return c;
    char *real = realpath(file, NULL);
    c = cx__arena_strdup(&cov->arena, real ? real : file);
    free(real);
    const char *k = cx__arena_strdup(&cov->arena, file); /* the rules go, the map stays */
    if (!c || !k || cx__strmap_put(&cov->files, k, (void *)c, NULL) < 0) {
        cov->oom = 1;
        return NULL;
    }
    return c;
}

static const char *kind_name(cx_rule_kind k)
{
    static const char *const names[] = {"stack",     "counts_as", "equivalent", "equivalence",
                                        "recognize", "deny",      "renews"};
    return (size_t)k < CX_COUNT(names) ? names[k] : "rule";
}

static int is_structure(const cx_req *q)
{
    return q->kind == CX_REQ_ALL || q->kind == CX_REQ_ANY || q->kind == CX_REQ_AT_LEAST;
}

/* One step of a leaf's path: a structure by its head, `at_least(2) { ... }`,
 * a leaf by its whole text; a label after it, in brackets. */
static void add_step(cx_buf *b, const cx_req *q)
{
    const char *brace = is_structure(q) ? strchr(q->text, '{') : NULL;
    if (brace)
        cx__buf_printf(b, "%.*s{ ... }", (int)(brace - q->text), q->text);
    else
        cx__buf_puts(b, q->text);
    if (q->label) cx__buf_printf(b, " [%s]", q->label);
}

/* ------------------------------------------------------ a case's rules */

typedef struct walk {
    cx__coverage *cov;
    const cx_rule *r;
    const char *canon; /* the rule's real file */
    size_t rule;       /* its entry */
    const cx_req *path[40];
    size_t depth;
} walk;

static void add_leaf(walk *w, const cx_req *q)
{
    cx__coverage *cov = w->cov;
    cx_buf key, path;
    cx__buf_init(&key);
    cx__buf_init(&path);
    cx__buf_printf(&key, "%s\x1f%s\x1f%d", w->canon, w->r->id, q->index);
    size_t from =
        w->depth && w->path[0]->kind == CX_REQ_ALL ? 1 : 0; /* the root `all` goes without saying */
    for (size_t i = from; i < w->depth; i++) {
        add_step(&path, w->path[i]);
        cx__buf_puts(&path, " > ");
    }
    add_step(&path, q);
    entry proto = {q->src.file ? q->src.file : w->r->src.file,
                   q->src.line,
                   w->r->id,
                   kind_name(w->r->kind),
                   path.data,
                   w->rule,
                   0};
    size_t at = SIZE_MAX;
    if (!key.oom && !path.oom && !cx__strmap_get(&cov->keys, key.data)) {
        proto.file = cx__arena_strdup(&cov->arena, proto.file);
        proto.rule = cx__arena_strdup(&cov->arena, proto.rule);
        proto.requirement = cx__arena_strdup(&cov->arena, path.data);
        if (proto.file && proto.rule && proto.requirement) at = intern(cov, key.data, &proto);
    } else if (!key.oom && !path.oom) {
        at = intern(cov, key.data, &proto);
    }
    leaf_ref *v = grow(cov, cov->leaves, &cov->capleaves, cov->nleaves + 1, sizeof *v);
    if (v) cov->leaves = v;
    if (at == SIZE_MAX || !v)
        cov->oom = 1;
    else
        v[cov->nleaves++] = (leaf_ref){q, at, w->rule};
    cx__buf_free(&key);
    cx__buf_free(&path);
}

static void walk_tree(walk *w, const cx_req *q)
{
    if (!is_structure(q)) {
        add_leaf(w, q);
        return;
    }
    if (w->depth == CX_COUNT(w->path)) return; /* deeper than the compiler allows */
    w->path[w->depth++] = q;
    for (size_t i = 0; i < q->nparts; i++) walk_tree(w, q->parts[i]);
    w->depth--;
}

/* A rule's entry and its leaves' entries. */
static void add_rule(cx__coverage *cov, const cx_rule *r)
{
    walk w = {cov, r, canonical(cov, r->src.file), 0, {0}, 0};
    cx_buf key;
    if (!w.canon) return;
    cx__buf_init(&key);
    cx__buf_printf(&key, "%s\x1f%s", w.canon, r->id);
    entry proto = {NULL, r->src.line, NULL, kind_name(r->kind), NULL, 0, 0};
    w.rule = SIZE_MAX;
    if (key.oom) {
        cov->oom = 1;
    } else if (cx__strmap_get(&cov->keys, key.data)) {
        w.rule = intern(cov, key.data, &proto);
    } else if ((proto.file = cx__arena_strdup(&cov->arena, r->src.file)) &&
               (proto.rule = cx__arena_strdup(&cov->arena, r->id))) {
        w.rule = intern(cov, key.data, &proto);
    }
    cx__buf_free(&key);
    if (w.rule == SIZE_MAX ||
        cx__strmap_put(&cov->ids, r->id, (void *)(uintptr_t)(w.rule + 1), NULL) < 0) {
        cov->oom = 1;
        return;
    }
    if (r->requires && (r->kind == CX_RULE_STACK || r->kind == CX_RULE_RECOGNIZE))
        walk_tree(&w, r->requires);
}

static int by_plan(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const leaf_ref *)a)->q, y = (uintptr_t)((const leaf_ref *)b)->q;
    return x < y ? -1 : x > y;
}

/* The evaluators' report: a renewal applied, or a requirement that held. */
static void mark(void *ud, const cx_rule *rule, const cx_req *req)
{
    cx__coverage *cov = ud;
    if (rule) {
        void *at = cx__strmap_get(&cov->ids, rule->id);
        if (at) cov->v[(size_t)(uintptr_t)at - 1].exercised = 1;
    }
    if (!req) return;
    leaf_ref key = {req, 0, 0};
    const leaf_ref *f = bsearch(&key, cov->leaves, cov->nleaves, sizeof key, by_plan);
    if (!f || cov->pending[f->leaf]) return;
    cov->pending[f->leaf] = 1;
    cov->held[cov->nheld++] = f->leaf;
}

/* ------------------------------------------------------------------ API */

int cx__coverage_new(cx__coverage **out, cx_error *err)
{
    cx__coverage *cov = calloc(1, sizeof *cov);
    *out = NULL;
    if (!cov) return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    cx__arena_init(&cov->arena);
    cx__strmap_init(&cov->keys);
    cx__strmap_init(&cov->ids);
    cx__strmap_init(&cov->files);
    cov->hook.mark = mark;
    cov->hook.ud = cov;
    *out = cov;
    return CX_OK;
}

void cx__coverage_free(cx__coverage *cov)
{
    if (!cov) return;
    cx__strmap_free(&cov->keys);
    cx__strmap_free(&cov->ids);
    cx__strmap_free(&cov->files);
    cx__arena_free(&cov->arena);
    free(cov->v);
    free(cov->leaves);
    free(cov->pending);
    free(cov->held);
    free(cov);
}

void cx__coverage_case_begin(cx__coverage *cov, cx_rules *rules)
{
    size_t n;
    if (!cov || !rules) return;
    const cx_rule *const *rs = cx__rules_by_id(rules, &n);
    cov->nleaves = cov->nheld = 0;
    for (size_t i = 0; i < n && !cov->oom; i++) add_rule(cov, rs[i]);
    if (cov->nleaves) /* no rules: leaves is NULL, which qsort may not take */
        qsort(cov->leaves, cov->nleaves, sizeof *cov->leaves, by_plan);
    free(cov->pending);
    free(cov->held);
    cov->pending = calloc(cov->n + 1, 1);
    cov->held = calloc(cov->n + 1, sizeof *cov->held);
    if (!cov->pending || !cov->held) cov->oom = 1;
    if (!cov->oom) cx__rules_set_coverage(rules, &cov->hook);
}

void cx__coverage_case_end(cx__coverage *cov, cx_rules *rules)
{
    if (!cov || !rules) return;
    cx__rules_set_coverage(rules, NULL);
    cx__strmap_free(&cov->ids); /* its keys are the rules' strings */
    cx__strmap_init(&cov->ids);
    cov->nleaves = 0;
    cx__coverage_expect_begin(cov);
}

void cx__coverage_expect_begin(cx__coverage *cov)
{
    if (!cov || !cov->pending) return;
    for (size_t i = 0; i < cov->nheld; i++) cov->pending[cov->held[i]] = 0;
    cov->nheld = 0;
}

/* The rules a decision cites: trace nodes naming a rule with a status
 * other than skipped or near miss, at any depth. */
static void cite_trace(cx__coverage *cov, const cx_trace *t, uint8_t *cited)
{
    if (t->file && t->rule && t->status && strcmp(t->status, "skipped") != 0 &&
        strcmp(t->status, "near miss") != 0) {
        void *at = cx__strmap_get(&cov->ids, t->rule);
        if (at) cited[(size_t)(uintptr_t)at - 1] = 1;
    }
    for (size_t i = 0; i < t->nchildren; i++) cite_trace(cov, &t->children[i], cited);
}

/* ... and the rules by which an award used counts: "equivalence:R",
 * "recognition:R", "derived:R". */
static void cite_via(cx__coverage *cov, const char *via, uint8_t *cited)
{
    static const char *const prefixes[] = {"equivalence:", "recognition:", "derived:"};
    for (size_t i = 0; via && i < CX_COUNT(prefixes); i++) {
        size_t k = strlen(prefixes[i]);
        if (strncmp(via, prefixes[i], k) != 0) continue;
        void *at = cx__strmap_get(&cov->ids, via + k);
        if (at) cited[(size_t)(uintptr_t)at - 1] = 1;
    }
}

void cx__coverage_decision(cx__coverage *cov, const cx_decision *d)
{
    if (!cov || !d || cov->oom) return;
    uint8_t *cited = calloc(cov->n + 1, 1);
    if (!cited) {
        cov->oom = 1;
        return;
    }
    cite_trace(cov, &d->trace, cited);
    for (size_t i = 0; i < d->nused; i++) cite_via(cov, d->used[i].via, cited);
    for (size_t i = 0; i < cov->n; i++)
        if (cited[i]) cov->v[i].exercised = 1;
    for (size_t i = 0; i < cov->nheld; i++) {
        entry *leaf = &cov->v[cov->held[i]];
        if (cited[leaf->rule_entry]) leaf->exercised = 1;
    }
    free(cited);
}

/* Gaps by file, then line; a rule before its requirements. */
static int by_place(const void *a, const void *b)
{
    const cx_test_gap *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    if (c) return c;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    if (!x->requirement != !y->requirement) return x->requirement ? 1 : -1;
    c = strcmp(x->rule, y->rule);
    if (c || !x->requirement) return c;
    return strcmp(x->requirement, y->requirement);
}

int cx__coverage_report(cx__coverage *cov, void (*report)(void *, const cx_test_coverage *),
                        void *ud, cx_error *err)
{
    cx_test_coverage out = {0};
    if (!cov) return CX_OK;
    cx_test_gap *gaps = cov->oom ? NULL : calloc(cov->n + 1, sizeof *gaps);
    if (!gaps) return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < cov->n; i++) {
        const entry *x = &cov->v[i];
        int leaf = x->requirement != NULL;
        if (leaf) {
            out.leaves++;
            out.leaves_exercised += (size_t)x->exercised;
        } else {
            out.rules++;
            out.rules_exercised += (size_t)x->exercised;
        }
        if (!x->exercised)
            gaps[out.ngaps++] = (cx_test_gap){x->file, x->line, x->rule, x->kind, x->requirement};
    }
    qsort(gaps, out.ngaps, sizeof *gaps, by_place);
    out.gaps = gaps;
    report(ud, &out);
    free(gaps);
    return CX_OK;
}
