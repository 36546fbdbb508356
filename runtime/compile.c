/*
 * compile.c -- the compiler proper: the rule tree (docs/rule-tree.md,
 * handed over by the sandbox) into plans (compile.h), rule by rule: rule
 * ids assigned and checked for duplicates, stack dependencies ordered and
 * checked for cycles, rules that never apply warned about, the indexes the
 * evaluator uses. Requirements and selectors are compile_req.c's, field and
 * id checks compile_tree.c's. It reads the neutral tree only: no Lua
 * stack, no SQL. Errors are collected, not fatal, so `credex check`
 * reports them all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile_int.h"

/* ------------------------------------------------------------------ rules */

static const struct rule_spec {
    const char *kind;
    cx_rule_kind rule;
    const char *const keys[11];
    int list_ok; /* items allowed: equivalent, renews */
} rule_specs[] = {
    {"stack",
     CX_RULE_STACK,
     {"id", "name", "jurisdiction", "requires", "window", "award", "reuse_awards", "effective",
      "cite", NULL},
     0},
    {"counts_as",
     CX_RULE_COUNTS_AS,
     {"id", "from", "to", "within", "issued_between", "effective", "cite", NULL},
     0},
    {"equivalent", CX_RULE_EQUIVALENT, {"id", "within", "effective", "cite", NULL}, 1},
    {"equivalence",
     CX_RULE_EQUIVALENCE,
     {"id", "from", "to", "when", "within", "transitive", "issued_between", "effective", "cite",
      NULL},
     0},
    {"recognize",
     CX_RULE_RECOGNIZE,
     {"id", "into", "from", "credentials", "requires", "verified", "effective", "cite", NULL},
     0},
    {"deny",
     CX_RULE_DENY,
     {"id", "into", "from", "credentials", "reason", "effective", "cite", NULL},
     0},
    {"renews", CX_RULE_RENEWS, {"id", "renewer", "effective", "cite", NULL}, 1},
};

/* The text of a string node, or "?" (for ids made from content; the
 * fields themselves are checked, and reported, elsewhere). */
static const char *raw_string(const cx_tnode *n)
{
    return n && n->kind == CX_TSTRING ? n->as.string.bytes : "?";
}

/* A rule id: the given one, or one made from the content (counts_as:A>B,
 * equivalent:A=B, renews:X), with #2, #3 for repeats. */
static const char *rule_id(compiler *c, const cx_tnode *v, const struct rule_spec *spec,
                           const char *given)
{
    cx_buf b;
    if (given) return dup(c, given);
    cx__buf_init(&b);
    cx__buf_printf(&b, "%s:", spec->kind);
    if (spec->rule == CX_RULE_COUNTS_AS) {
        cx__buf_printf(&b, "%s>%s", raw_string(field(v, "from")), raw_string(field(v, "to")));
    } else if (spec->rule == CX_RULE_RENEWS) {
        cx__buf_puts(&b, raw_string(field(v, "renewer")));
    } else {
        for (size_t i = 0; i < nitems(v); i++) {
            const cx_tnode *m = item(v, i);
            if (i) cx__buf_puts(&b, "=");
            cx__buf_puts(&b, m->kind == CX_TSTRING ? m->as.string.bytes : "?");
        }
    }
    const char *base = dup(c, b.oom ? "?" : b.data);
    cx__buf_free(&b);
    if (!base) return NULL;
    int *seen = cx__strmap_get(&c->content_ids, base);
    if (!seen) { /* the first rule with this content keeps the plain id */
        if ((seen = alloc(c, sizeof *seen))) *seen = 1;
        if (!seen || cx__strmap_put(&c->content_ids, base, seen, NULL) < 0) return NULL;
        return base;
    }
    cx__buf_init(&b);
    cx__buf_printf(&b, "%s#%d", base, ++*seen);
    const char *id = dup(c, b.oom ? "?" : b.data);
    cx__buf_free(&b);
    return id;
}

/* Records a rule id; a second definition, in one pack or across packs, is
 * an error naming both places. */
static int define_rule(compiler *c, cx_rule *r, const cx_tnode *at)
{
    cx_src *where = alloc(c, sizeof *where);
    void *old = NULL;
    if (!where) return 1;
    *where = r->src;
    if (cx__strmap_put(&c->rule_ids, r->id, where, &old) == 1) {
        const cx_src *first = old;
        cx__compile_error(c, at, "rule id '%s' is defined twice (first at %s:%d)", r->id,
                          first->file, first->line);
        return 1;
    }
    return 0;
}

static int common_fields(compiler *c, const cx_tnode *v, cx_rule *r)
{
    const cx_tnode *eff = field(v, "effective");
    r->effective.from = INT32_MIN;
    r->effective.to = CX_DATE_NEVER;
    r->cite = dup(c, cx__compile_string(c, v, "cite", "cite", 0));
    if (!r->cite) r->cite = c->rs->packs[c->pack].cite;
    return eff ? cx__compile_range(c, eff, "effective", 0, &r->effective) : 0;
}

static int window_and_award(compiler *c, const cx_tnode *v, cx_rule *r)
{
    static const char *const window_keys[] = {"span", "recent", NULL};
    static const char *const award_keys[] = {"issued", "expires", NULL};
    const cx_tnode *w = field(v, "window"), *a = field(v, "award"),
                   *reuse = field(v, "reuse_awards");
    int bad = 0;
    if (w && !cx__compile_fields(c, w, "window", window_keys, 0)) {
        const cx_tnode *span = field(w, "span"), *recent = field(w, "recent");
        if (!span == !recent) {
            cx__compile_error(c, w,
                              "window: give exactly one of span = \"P5Y\" or recent = \"P5Y\"");
            bad = 1;
        } else {
            r->window_kind = span ? 1 : 2;
            bad |= cx__compile_duration(c, span ? span : recent, "window", &r->window);
        }
    } else if (w) {
        bad = 1;
    }
    if (a && !cx__compile_fields(c, a, "award", award_keys, 0)) {
        const char *issued = cx__compile_string(c, a, "issued", "award", 0);
        const cx_tnode *expires = field(a, "expires");
        if (issued && strcmp(issued, "last_component") && strcmp(issued, "first_component")) {
            cx__compile_error(c, field(a, "issued"),
                              "award: issued must be \"last_component\" or \"first_component\"");
            bad = 1;
        }
        r->award_issued = issued && strcmp(issued, "first_component") == 0
                              ? CX_ISSUED_FIRST_COMPONENT
                              : CX_ISSUED_LAST_COMPONENT;
        if (expires && expires->kind == CX_TSTRING &&
            strcmp(expires->as.string.bytes, "earliest_component") == 0)
            r->award_expires = CX_EXPIRES_EARLIEST_COMPONENT;
        else if (expires && expires->kind == CX_TSTRING &&
                 strcmp(expires->as.string.bytes, "never") == 0)
            r->award_expires = CX_EXPIRES_NEVER;
        else if (expires) {
            r->award_expires = CX_EXPIRES_DURATION;
            bad |= cx__compile_duration(c, expires,
                                        "award: expires (\"earliest_component\", "
                                        "\"never\" or a duration)",
                                        &r->award_duration);
        }
    } else if (a) {
        bad = 1;
    }
    if (reuse && reuse->kind != CX_TBOOL) {
        cx__compile_error(c, reuse, "reuse_awards must be true or false");
        bad = 1;
    }
    r->reuse_awards = reuse && reuse->kind == CX_TBOOL && reuse->as.boolean;
    return bad;
}

static int compile_stack(compiler *c, const cx_tnode *v, cx_rule *r)
{
    const cx_tnode *id = field(v, "id"), *j = field(v, "jurisdiction"), *req = field(v, "requires");
    int bad = 0;
    r->jurisdiction = CX_NOSYM;
    r->name = dup(c, cx__compile_string(c, v, "name", "stack", 0));
    if (id && id->kind == CX_TSTRING &&
        cx__snapshot_find(c->snap, CX_KIND_CREDENTIAL, id->as.string.bytes) == CX_NOSYM) {
        const char *near = cx__compile_nearest(c, CX_KIND_CREDENTIAL, id->as.string.bytes);
        cx__compile_error(c, id,
                          "stack '%s': a stack's id is the credential it confers, and the registry "
                          "has no credential '%s'%s%s%s",
                          id->as.string.bytes, id->as.string.bytes, near ? "; did you mean '" : "",
                          near ? near : "", near ? "'?" : "");
        bad = 1;
    } else if (id && id->kind == CX_TSTRING) {
        r->credential = cx__snapshot_find(c->snap, CX_KIND_CREDENTIAL, id->as.string.bytes);
    }
    if (j &&
        (r->jurisdiction = cx__compile_resolve(c, j, CX_KIND_JURISDICTION, "stack")) == CX_NOSYM)
        bad = 1;
    c->stack_index = 0;
    if (!req) {
        cx__compile_error(c, v, "stack: 'requires' is required");
        bad = 1;
    } else if (!(r->requires = cx__compile_requirement(c, req, 0))) {
        bad = 1;
    }
    return bad | window_and_award(c, v, r);
}

static const cx_selector *one_credential(compiler *c, const cx_tnode *v, const char *what,
                                         const char *key)
{
    const cx_tnode *n = field(v, key);
    if (!n) {
        cx__compile_error(c, v, "%s: '%s' is required", what, key);
        return NULL;
    }
    if (n->kind != CX_TSTRING) {
        cx__compile_error(c, n, "%s: '%s' must be one credential id", what, key);
        return NULL;
    }
    return cx__compile_selector(c, n, what);
}

static int issued_between_field(compiler *c, const cx_tnode *v, cx_rule *r)
{
    const cx_tnode *ib = field(v, "issued_between");
    r->any_date = 1;
    r->issued.from = INT32_MIN;
    r->issued.to = CX_DATE_NEVER;
    if (!ib) return 0;
    r->any_date = 0;
    return cx__compile_range(c, ib, "issued_between", 1, &r->issued);
}

static int within_field(compiler *c, const cx_tnode *v, const char *key, const char *what,
                        const cx_jsel **out)
{
    const cx_tnode *n = field(v, key);
    *out = NULL;
    return n && !(*out = cx__compile_jsel(c, n, what, 0));
}

static int members(compiler *c, const cx_tnode *v, cx_rule *r, const char *what, size_t min)
{
    size_t count = nitems(v);
    uint32_t *m = alloc(c, count * sizeof *m);
    int bad = 0;
    if (!m) return 1;
    if (count < min) {
        cx__compile_error(c, v, "%s: needs at least %zu credential id%s", what, min,
                          min == 1 ? "" : "s");
        return 1;
    }
    for (size_t i = 0; i < count; i++)
        bad |= (m[i] = cx__compile_resolve(c, item(v, i), CX_KIND_CREDENTIAL, what)) == CX_NOSYM;
    r->members = m;
    r->nmembers = count;
    return bad;
}

static int compile_equivalence(compiler *c, const cx_tnode *v, cx_rule *r)
{
    int bad = issued_between_field(c, v, r) | within_field(c, v, "within", r->id, &r->within);
    const cx_tnode *from = field(v, "from"), *to = field(v, "to"), *when = field(v, "when");
    const cx_tnode *transitive = field(v, "transitive");
    r->when_pack = r->when_fn = -1;
    if (r->kind == CX_RULE_COUNTS_AS) {
        bad |= !(r->from = one_credential(c, v, "counts_as", "from"));
        bad |= !(r->to = one_credential(c, v, "counts_as", "to"));
        return bad;
    }
    if (r->kind == CX_RULE_EQUIVALENT) return bad | members(c, v, r, "equivalent", 2);
    if (!from || !to || !when) {
        cx__compile_error(c, v, "equivalence '%s': 'from', 'to' and 'when' are required", r->id);
        return 1;
    }
    r->from = cx__compile_selector(c, from, "equivalence from"); /* both: both errors said */
    r->to = cx__compile_selector(c, to, "equivalence to");
    bad |= !r->from || !r->to;
    if (transitive && transitive->kind != CX_TBOOL) {
        cx__compile_error(c, transitive, "transitive must be true or false");
        bad = 1;
    }
    r->transitive = transitive && transitive->kind == CX_TBOOL && transitive->as.boolean;
    if (when->kind == CX_TFUNC) {
        r->when_pack = when->as.func.pack;
        r->when_fn = when->as.func.ordinal;
    } else if (ctor_of(when) && strcmp(ctor_of(when), "coverage") == 0) {
        const cx_tnode *pc = field(when, "percent"), *ratio = field(when, "ratio");
        r->coverage_kind = pc ? 1 : 2;
        r->coverage_percent = pc && pc->kind == CX_TINT ? (int)pc->as.integer : 0;
        r->coverage_ratio = ratio && ratio->kind == CX_TFLOAT ? ratio->as.number : 0;
    } else {
        cx__compile_error(c, when,
                          "equivalence '%s': when must be coverage \"80%%\", coverage(0.8) or a "
                          "function(ctx)",
                          r->id);
        bad = 1;
    }
    return bad;
}

static int compile_portability(compiler *c, const cx_tnode *v, cx_rule *r)
{
    const cx_tnode *creds = field(v, "credentials"), *req = field(v, "requires");
    int bad = within_field(c, v, "into", "into", &r->into) |
              within_field(c, v, "from", "from", &r->from_j);
    if (creds && !(r->credentials = cx__compile_selector(c, creds, "credentials"))) bad = 1;
    if (r->kind == CX_RULE_RECOGNIZE &&
        cx__compile_flag(c, v, "verified", "recognize", &r->verified))
        bad = 1;
    if (r->kind == CX_RULE_DENY) {
        r->reason = dup(c, cx__compile_string(c, v, "reason", "deny", 0));
        return bad;
    }
    if (req) {
        c->stack_index = 0;
        /* a plain list of requirements means all of them */
        if (!ctor_of(req) && req->kind != CX_TSTRING) {
            cx_req *all = alloc(c, sizeof *all);
            const cx_req **parts = alloc(c, nitems(req) * sizeof *parts);
            if (!all || !parts) return 1;
            all->kind = CX_REQ_ALL;
            all->src = src_of(c, req);
            all->text = cx__compile_text(c, req);
            all->index = c->stack_index++;
            for (size_t i = 0; i < nitems(req); i++)
                bad |= !(parts[i] = cx__compile_requirement(c, item(req, i), 1));
            all->parts = (const cx_req *const *)parts;
            all->nparts = all->need = nitems(req);
            r->requires = all;
        } else if (!(r->requires = cx__compile_requirement(c, req, 0))) {
            bad = 1;
        }
    }
    return bad;
}

static int compile_renews(compiler *c, const cx_tnode *v, cx_rule *r)
{
    const cx_tnode *x = field(v, "renewer");
    int bad = members(c, v, r, "renews", 1);
    if (!x || (r->renewer = cx__compile_resolve(c, x, CX_KIND_CREDENTIAL, "renews")) == CX_NOSYM)
        bad = 1;
    return bad;
}

static int add_rule(compiler *c, cx_rule *r)
{
    cx_rules *rs = c->rs;
    if (rs->nrules == rs->caprules) {
        size_t cap = rs->caprules ? rs->caprules * 2 : 64;
        cx_rule **v = realloc(rs->rules, cap * sizeof *v);
        if (!v) return 1;
        rs->rules = v;
        rs->caprules = cap;
    }
    rs->rules[rs->nrules++] = r;
    return 0;
}

static void compile_rule(compiler *c, const struct rule_spec *spec, const cx_tnode *v)
{
    cx_rule *r = alloc(c, sizeof *r);
    if (!r) return;
    r->kind = spec->rule;
    r->pack = c->pack;
    r->src = src_of(c, v);
    r->credential = r->renewer = r->jurisdiction = CX_NOSYM;
    /* an unknown field is reported, and the rest still checked */
    int bad = cx__compile_fields(c, v, spec->kind, spec->keys, spec->list_ok);
    const char *given = cx__compile_string(c, v, "id", spec->kind, 0);
    r->id = rule_id(c, v, spec, given);
    bad |= !r->id || define_rule(c, r, field(v, "id") ? field(v, "id") : v);
    bad |= common_fields(c, v, r);
    switch (spec->rule) {
    case CX_RULE_STACK:
        bad |= compile_stack(c, v, r);
        break;
    case CX_RULE_COUNTS_AS:
    case CX_RULE_EQUIVALENT:
    case CX_RULE_EQUIVALENCE:
        bad |= compile_equivalence(c, v, r);
        break;
    case CX_RULE_RECOGNIZE:
    case CX_RULE_DENY:
        bad |= compile_portability(c, v, r);
        break;
    case CX_RULE_RENEWS:
        bad |= compile_renews(c, v, r);
        break;
    }
    if (!bad) add_rule(c, r);
}

/* --------------------------------------------------------- stack order */

/* Orders stacks so that each comes after every stack whose derived award
 * can count toward it: one whose credential fills one of its slots, or
 * (softer) one whose credential an equivalence can make count as the
 * credential of one of its credential slots. Ties in byte order of the
 * credential id. A cycle of slots is an error; where equivalences close a
 * cycle, one of its stacks goes first (break_cycle). */
static void collect_depends(const cx_req *q, uint32_t target, const cx_rule *const *stacks,
                            size_t nstacks, uint8_t *dep)
{
    if (!q) return;
    if (q->fills)
        for (size_t i = 0; i < nstacks; i++) {
            uint32_t s = stacks[i]->credential;
            if (s != target && (q->fills[s / 64] >> (s % 64) & 1)) dep[i] = 1;
        }
    for (size_t i = 0; i < q->nparts; i++)
        collect_depends(q->parts[i], target, stacks, nstacks, dep);
}

/* The credentials of q's credential slots (the slots equivalents fill). */
static void credential_slots(const cx_req *q, uint64_t *set)
{
    if (q->kind == CX_REQ_CREDENTIAL) set_add(set, q->credential);
    for (size_t i = 0; i < q->nparts; i++) credential_slots(q->parts[i], set);
}

int cx__rule_is_equivalence(const cx_rule *r)
{
    return r->kind == CX_RULE_COUNTS_AS || r->kind == CX_RULE_EQUIVALENT ||
           r->kind == CX_RULE_EQUIVALENCE;
}

/* One sweep: the sources of the equivalence rules (only the transitive
 * ones, when so) whose targets meet into, added to out. 1 when out grew. */
static int sources_into(compiler *c, const uint64_t *into, int transitive, uint64_t *out)
{
    int grew = 0;
    for (size_t i = 0; i < c->rs->nrules; i++) {
        const cx_rule *r = c->rs->rules[i];
        int meets = 0;
        if (!cx__rule_is_equivalence(r) || (transitive && !r->transitive)) continue;
        if (r->kind == CX_RULE_EQUIVALENT) {
            for (size_t m = 0; m < r->nmembers && !meets; m++) meets = has_bit(into, r->members[m]);
            for (size_t m = 0; meets && m < r->nmembers; m++)
                if (!has_bit(out, r->members[m])) {
                    set_add(out, r->members[m]);
                    grew = 1;
                }
            continue;
        }
        for (size_t w = 0; w < c->words && !meets; w++)
            meets = ((r->to ? r->to->bits[w] : ~UINT64_C(0)) & into[w]) != 0;
        for (size_t w = 0; meets && w < c->words; w++)
            if (r->from->bits[w] & ~out[w]) {
                out[w] |= r->from->bits[w];
                grew = 1;
            }
    }
    return grew;
}

/* Adds to set what can count as a member of it: the sources of every
 * equivalence rule into it, then of transitive rules into those, until
 * nothing grows. */
static void equivalence_sources(compiler *c, uint64_t *set, uint64_t *scratch)
{
    memcpy(scratch, set, c->words * sizeof *scratch);
    sources_into(c, scratch, 0, set);      /* one rule, from the slots */
    while (sources_into(c, set, 1, set)) { /* chains of transitive rules */
    }
}

/* Whether stack i has every stack dep (n x n) says it needs placed. */
static int ready(size_t n, const uint8_t *dep, const uint8_t *done, size_t i)
{
    for (size_t j = 0; j < n; j++)
        if (dep[i * n + j] && !done[j]) return 0;
    return 1;
}

/* When no stack is ready: the stack to place next, breaking a cycle that
 * only equivalences close -- the smallest stack, ready by slots alone, of
 * a group of undone stacks that depend (through soft) only on each other
 * and on stacks placed, so that no stack outside a cycle is placed before
 * what it waits for. n when there is none (a cycle of slots). */
static size_t break_cycle(size_t n, const uint8_t *hard, const uint8_t *soft, const uint8_t *done,
                          uint8_t *reach)
{
    /* reach[i * n + k]: undone k is reachable from undone i through soft */
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < n; k++) reach[i * n + k] = !done[i] && !done[k] && soft[i * n + k];
    for (size_t m = 0; m < n; m++)
        for (size_t i = 0; i < n; i++)
            if (reach[i * n + m])
                for (size_t k = 0; k < n; k++) reach[i * n + k] |= reach[m * n + k];
    for (size_t i = 0; i < n; i++) {
        if (done[i] || !reach[i * n + i] || !ready(n, hard, done, i)) continue;
        size_t k = 0;
        while (k < n && (!reach[i * n + k] || reach[k * n + i])) k++;
        if (k == n) return i; /* everything i waits for waits for i */
    }
    return n;
}

/* Kahn's algorithm, smallest credential first, over soft (which includes
 * hard); where only equivalences close a cycle, break_cycle places one of
 * its stacks. How many stacks it placed into order: fewer than n when hard
 * has a cycle (left undone). */
static size_t kahn(cx_rule **stacks, size_t n, const uint8_t *hard, const uint8_t *soft,
                   uint8_t *done, uint8_t *reach, cx_rule **order)
{
    size_t placed = 0;
    memset(done, 0, n);
    while (placed < n) {
        size_t pick = n;
        for (size_t i = 0; i < n && pick == n; i++)
            if (!done[i] && ready(n, soft, done, i)) pick = i;
        if (pick == n) pick = break_cycle(n, hard, soft, done, reach);
        if (pick == n) break;
        done[pick] = 1;
        order[placed++] = stacks[pick];
    }
    return placed;
}

/* The stacks kahn left undone depend on each other through slots. */
static void cycle_error(compiler *c, cx_rule *const *stacks, size_t n, const uint8_t *done)
{
    cx_buf b;
    cx_src at = {NULL, 0};
    cx__buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (done[i]) continue;
        cx__buf_printf(&b, "%s%s (%s:%d)", b.len ? ", " : "",
                       cx__snapshot_id(c->snap, CX_KIND_CREDENTIAL, stacks[i]->credential),
                       stacks[i]->src.file, stacks[i]->src.line);
        if (!at.file) at = stacks[i]->src;
    }
    cx_tnode where = {.kind = CX_TNIL, .line = at.line, .file = at.file};
    cx__compile_error(c, &where, "stacks depend on each other in a cycle: %s",
                      b.data ? b.data : "");
    cx__buf_free(&b);
}

static int by_credential(const void *a, const void *b)
{
    const cx_rule *x = *(const cx_rule *const *)a, *y = *(const cx_rule *const *)b;
    return x->credential < y->credential ? -1 : x->credential > y->credential;
}

static void order_stacks(compiler *c)
{
    cx_rules *rs = c->rs;
    size_t n = 0;
    for (size_t i = 0; i < rs->nrules; i++) n += rs->rules[i]->kind == CX_RULE_STACK;
    cx_rule **stacks = alloc(c, n * sizeof *stacks), **order = alloc(c, n * sizeof *order);
    uint8_t *dep = alloc(c, n * n), *soft = alloc(c, n * n), *reach = alloc(c, n * n),
            *done = alloc(c, n);
    uint64_t *slots = new_set(c), *scratch = new_set(c);
    if (!stacks || !order || !dep || !soft || !reach || !done || !slots || !scratch) return;
    n = 0;
    for (size_t i = 0; i < rs->nrules; i++)
        if (rs->rules[i]->kind == CX_RULE_STACK) stacks[n++] = rs->rules[i];
    qsort(stacks, n, sizeof *stacks, by_credential);
    for (size_t i = 0; i < n; i++) {
        if (i && stacks[i]->credential == stacks[i - 1]->credential)
            cx__compile_error(c, NULL, "two stacks confer credential '%s' (%s:%d and %s:%d)",
                              cx__snapshot_id(c->snap, CX_KIND_CREDENTIAL, stacks[i]->credential),
                              stacks[i - 1]->src.file, stacks[i - 1]->src.line, stacks[i]->src.file,
                              stacks[i]->src.line);
        collect_depends(stacks[i]->requires, stacks[i]->credential, (const cx_rule *const *)stacks,
                        n, dep + i * n);
        memset(slots, 0, c->words * sizeof *slots);
        if (stacks[i]->requires) credential_slots(stacks[i]->requires, slots);
        equivalence_sources(c, slots, scratch);
        for (size_t j = 0; j < n; j++)
            soft[i * n + j] = dep[i * n + j] || (j != i && has_bit(slots, stacks[j]->credential));
    }
    if (kahn(stacks, n, dep, soft, done, reach, order) < n) {
        cycle_error(c, stacks, n, done);
        return;
    }
    for (size_t i = 0; i < n; i++) { /* which stacks each one can use */
        size_t k = 0;
        uint32_t *deps = alloc(c, n * sizeof *deps);
        for (size_t j = 0; deps && j < n; j++)
            if (soft[i * n + j]) deps[k++] = stacks[j]->credential;
        stacks[i]->depends = deps;
        stacks[i]->ndepends = k;
    }
    rs->stacks = order;
    rs->nstacks = n;
}

/* ------------------------------------------------------------- warnings */

/* A recognize rule that a deny with no narrower clauses always overrides. */
static int set_covers(const compiler *c, const cx_selector *outer, const cx_selector *inner)
{
    if (!outer) return 1;
    if (!inner || !outer->any_date) return 0;
    for (size_t w = 0; w < c->words; w++)
        if (inner->bits[w] & ~outer->bits[w]) return 0;
    return 1;
}

static void warn_shadowed(compiler *c)
{
    cx_rules *rs = c->rs;
    for (size_t i = 0; i < rs->nrules; i++) {
        const cx_rule *d = rs->rules[i];
        if (d->kind != CX_RULE_DENY || d->into || d->from_j || d->effective.from != INT32_MIN ||
            d->effective.to != CX_DATE_NEVER)
            continue;
        for (size_t j = 0; j < rs->nrules; j++) {
            const cx_rule *r = rs->rules[j];
            if (r->kind == CX_RULE_RECOGNIZE && set_covers(c, d->credentials, r->credentials))
                cx__compile_warning(
                    c, &r->src,
                    "recognize '%s' never applies: deny '%s' (%s:%d) overrides it for "
                    "every credential it selects",
                    r->id, d->id, d->src.file, d->src.line);
        }
    }
}

/* --------------------------------------------------------------- packs */

static void pack_header(compiler *c, const cx_tnode *v, cx_pack_info *info)
{
    static const char *const keys[] = {"id", "authority", "version", "cite", NULL};
    if (cx__compile_fields(c, v, "pack", keys, 0)) return;
    info->id = dup(c, cx__compile_string(c, v, "id", "pack", 1));
    info->authority = dup(c, cx__compile_string(c, v, "authority", "pack", 0));
    info->version = dup(c, cx__compile_string(c, v, "version", "pack", 0));
    info->cite = dup(c, cx__compile_string(c, v, "cite", "pack", 0));
}

/* Compiles the declarations of one loaded pack. */
void cx__compile_pack(compiler *c, const cx_tnode *decls)
{
    cx_pack_info *info = &c->rs->packs[c->pack];
    int headers = 0;
    for (size_t i = 0; i < nitems(decls); i++) { /* the header first: its cite is the default */
        const cx_tnode *d = item(decls, i), *kind = field(d, "kind");
        if (!kind || kind->kind != CX_TSTRING || strcmp(kind->as.string.bytes, "pack") != 0)
            continue;
        if (headers++)
            cx__compile_error(c, field(d, "value"),
                              "a pack declares itself once; pack { ... } again");
        else
            pack_header(c, field(d, "value"), info);
    }
    cx_src at = {info->path, 1};
    if (!info->version || !info->authority)
        cx__compile_warning(
            c, &at, "pack has no %s: say pack \"id\" { authority = \"...\", version = \"...\" }",
            !info->version && !info->authority ? "version or authority"
            : !info->version                   ? "version"
                                               : "authority");
    for (size_t i = 0; i < nitems(decls); i++) {
        const cx_tnode *d = item(decls, i), *kind = field(d, "kind"), *value = field(d, "value");
        if (!kind || kind->kind != CX_TSTRING || !value) continue;
        const char *k = kind->as.string.bytes;
        if (strcmp(k, "pack") == 0) continue;
        size_t s = 0;
        while (s < CX_COUNT(rule_specs) && strcmp(rule_specs[s].kind, k) != 0) s++;
        if (s == CX_COUNT(rule_specs))
            cx__compile_error(c, value, "unknown declaration '%s'", k);
        else
            compile_rule(c, &rule_specs[s], value);
    }
}

/* ------------------------------------------------------------- indexes */

static int by_rule_id(const void *a, const void *b)
{
    return strcmp((*(const cx_rule *const *)a)->id, (*(const cx_rule *const *)b)->id);
}

/* The equivalence family in id order, and the credentials it can make
 * another credential count as (a slot of one of them is the only kind an
 * equivalence can fill): cx__eval_equivalent looks at these alone. */
static void index_equivalences(compiler *c)
{
    cx_rules *rs = c->rs;
    rs->equivs = alloc(c, (rs->nrules + 1) * sizeof *rs->equivs);
    rs->equiv_to = alloc(c, c->words * sizeof *rs->equiv_to);
    if (!rs->equivs || !rs->equiv_to || (rs->nrules && !rs->by_id)) {
        cx__compile_error(c, NULL, "out of memory indexing the equivalence rules");
        return;
    }
    memset(rs->equiv_to, 0, c->words * sizeof *rs->equiv_to);
    for (size_t i = 0; i < rs->nrules; i++) {
        cx_rule *r = rs->by_id[i];
        if (!cx__rule_is_equivalence(r)) continue;
        rs->equivs[rs->nequivs++] = r;
        if (r->kind == CX_RULE_EQUIVALENT)
            for (size_t m = 0; m < r->nmembers; m++)
                rs->equiv_to[r->members[m] / 64] |= UINT64_C(1) << (r->members[m] % 64);
        else
            for (size_t w = 0; w < c->words; w++)
                rs->equiv_to[w] |= r->to ? r->to->bits[w] : ~UINT64_C(0);
    }
}

void cx__compile_link(compiler *c)
{
    cx_rules *rs = c->rs;
    order_stacks(c);
    warn_shadowed(c);
    if (rs->nrules && (rs->by_id = alloc(c, rs->nrules * sizeof *rs->by_id))) {
        memcpy(rs->by_id, rs->rules, rs->nrules * sizeof *rs->by_id);
        qsort(rs->by_id, rs->nrules, sizeof *rs->by_id, by_rule_id);
    }
    index_equivalences(c);
    cx__compile_reads(c);
}
