/*
 * whatif.c -- what a change would do (docs/design.md §9, docs/whatif.md): `credex
 * whatif` reads a change file, applies it to an in-memory copy of the part
 * of the registry it can affect (a change to facts only is grafted onto the
 * snapshot before it instead), and compares decisions before and after;
 * `credex diff` compares two sets of packs over one registry. It never
 * writes the registry it is given (registry_copy.c's removals refuse anything
 * but an in-memory copy), holds no SQL and builds no JSON. This file is
 * the run (audits before and after, transitions, the report); the change
 * file is read in whatif_change.c, the scope found in whatif_scope.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "eval.h"
#include "whatif.h"
#include "whatif_int.h"

#define ABSENT (CX_ERROR + 1) /* no such decision on one side */

static const char *status_text(int s)
{
    return s == ABSENT ? "absent" : cx_status_name((cx_status)s);
}

/* The ids in byte order: a malloc'd array of *n pointers into the set. */
static const char **set_sorted(const idset *s, size_t *n)
{
    const char **v = malloc((s->map.count + 1) * sizeof *v);
    *n = 0;
    if (!v) return NULL;
    for (size_t i = 0; i < s->map.cap; i++)
        if (s->map.keys[i]) v[(*n)++] = s->map.keys[i];
    qsort(v, *n, sizeof *v, cx__strcmp_ptr);
    return v;
}

/* --------------------------------------------------------------- packs */

/* Loads packs against reg into s, or (snap not NULL) over snap, which s's
 * rules then own. after: the message says so. */
static int load_side(wctx *w, cx_registry *reg, cx_snapshot *snap, int after, side *s,
                     cx_diagnostics *diags)
{
    const char *const *paths = after ? w->after_paths : w->before_paths;
    const cx_pack_source *sources = after ? w->after_sources : w->before_sources;
    size_t n = after ? w->nafter : w->nbefore;
    int rc = snap      ? cx__rules_load_over(snap, paths, sources, n, w->opt->pack_trust, &s->rules,
                                             diags, w->err)
             : sources ? cx__rules_load_sources(reg, sources, n, &s->rules, diags, w->err)
                       : cx_rules_load_trusted(reg, paths, n, w->opt->pack_trust, &s->rules, diags,
                                               w->err);
    if (rc == CX_EINPUT && after && w->ch) {
        static const char prefix[] = "with the change applied: ";
        size_t p = sizeof prefix - 1, len = strnlen(w->err->message, sizeof w->err->message - 1);
        if (p + len >= sizeof w->err->message) len = sizeof w->err->message - 1 - p;
        memmove(w->err->message + p, w->err->message, len);
        memcpy(w->err->message, prefix, p);
        w->err->message[p + len] = '\0';
    }
    if (rc) return rc;
    s->snap = cx__rules_snapshot(s->rules);
    s->by_id = cx__rules_by_id(s->rules, &s->nrules);
    set_init(&s->expanded, &w->arena);
    return CX_OK;
}

/* ----------------------------------------------------------- transitions */

static cx_transition *new_transition(wctx *w, cx_decision_kind kind, int from, int to)
{
    if (w->ntr == w->captr) {
        size_t cap = w->captr ? w->captr * 2 : 16;
        cx_transition *v = realloc(w->tr, cap * sizeof *v);
        if (!v) return NULL;
        w->tr = v;
        w->captr = cap;
    }
    cx_transition *t = &w->tr[w->ntr++];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    t->from = status_text(from);
    t->to = status_text(to);
    t->count = 1;
    return t;
}

static void transition_clear(cx_transition *t)
{
    char *owned[] = {t->stack,      t->from_credential,   t->to_credential,  t->in,
                     t->credential, t->from_jurisdiction, t->to_jurisdiction};
    for (size_t i = 0; i < CX_COUNT(owned); i++) free(owned[i]);
    for (size_t i = 0; i < t->nexamples; i++) free(t->examples[i]);
}

/* Counts a holder whose audit of stack moved from -> to. */
static int audit_moved(wctx *w, const char *stack, int from, int to, const char *holder)
{
    char key[600];
    snprintf(key, sizeof key, "%s\x1f%d\x1f%d", stack, from, to);
    size_t k = (size_t)(uintptr_t)cx__strmap_get(&w->groups, key);
    cx_transition *t;
    if (k) {
        t = &w->tr[k - 1];
        t->count++;
    } else {
        char *kept = cx__arena_strdup(&w->arena, key);
        if (!kept || !(t = new_transition(w, CX_DECISION_AUDIT, from, to)) ||
            !(t->stack = cx__strdup(stack)) ||
            cx__strmap_put(&w->groups, kept, (void *)(uintptr_t)w->ntr, NULL) < 0)
            return -1;
    }
    if (t->nexamples < CX_COUNT(t->examples)) {
        if (!(t->examples[t->nexamples] = cx__strdup(holder))) return -1;
        t->nexamples++;
    }
    return 0;
}

/* Keeps a holder whose audit of stack moved from -> to (opt->holders). */
static int holder_moved(wctx *w, const char *stack, int from, int to, const char *holder)
{
    if (!w->opt->holders) return 0;
    if (w->nlines == w->caplines) {
        size_t cap = w->caplines ? w->caplines * 2 : 16;
        cx_holder_transition *v = realloc(w->lines, cap * sizeof *v);
        if (!v) return -1;
        w->lines = v;
        w->caplines = cap;
    }
    cx_holder_transition *m = &w->lines[w->nlines++];
    memset(m, 0, sizeof *m);
    m->from = status_text(from);
    m->to = status_text(to);
    return (m->holder = cx__strdup(holder)) && (m->stack = cx__strdup(stack)) ? 0 : -1;
}

static void holder_clear(cx_holder_transition *m)
{
    free(m->holder);
    free(m->stack);
    for (size_t i = 0; i < m->nbecause; i++) free(m->because[i]);
    free(m->because);
}

/* Holder lines by holder, then stack (byte order): the holder-id order of
 * a run, so that shards' lines concatenate into the whole run's. */
static int by_holder_stack(const void *x, const void *y)
{
    const cx_holder_transition *a = x, *b = y;
    int c = strcmp(a->holder, b->holder);
    return c ? c : strcmp(a->stack, b->stack);
}

/* Says why each kept holder moved, then puts them in order. */
static int explain_moves(wctx *w, cx_rules *before, cx_rules *after)
{
    int rc = CX_OK;
    for (size_t i = 0; i < w->nlines && !rc; i++) {
        rc = cx__whatif_because(w, before, after, &w->lines[i]);
        if (i % 64 == 0) progress(w, "why", i, w->nlines);
    }
    if (!rc && w->nlines) qsort(w->lines, w->nlines, sizeof *w->lines, by_holder_stack);
    return rc;
}

/* ---------------------------------------------------------------- audits */

/* One audit before the change: indices into the store's holders and stacks. */
typedef struct arec {
    uint32_t holder, stack;
    uint8_t status;
} arec;

typedef struct astore {
    wctx *w;
    const char **holders; /* in the order audited (byte order): the before side's ids, which
                             live as long as its rules, until the merge is done */
    size_t nholders, capholders;
    const char **stacks; /* interned stack ids, the before side's too */
    size_t nstacks, capstacks;
    cx_strmap stack_index; /* stack id -> index + 1 */
    arec *recs;
    size_t nrecs, caprecs, cursor;
    int oom;
} astore;

static uint32_t intern_stack(astore *a, const char *stack)
{
    size_t k = (size_t)(uintptr_t)cx__strmap_get(&a->stack_index, stack);
    if (k) return (uint32_t)(k - 1);
    if (a->nstacks == a->capstacks) {
        size_t cap = a->capstacks ? a->capstacks * 2 : 16;
        const char **v = realloc(a->stacks, cap * sizeof *v);
        if (!v) return UINT32_MAX;
        a->stacks = v;
        a->capstacks = cap;
    }
    a->stacks[a->nstacks++] = stack;
    if (cx__strmap_put(&a->stack_index, stack, (void *)(uintptr_t)a->nstacks, NULL) < 0)
        return UINT32_MAX;
    return (uint32_t)(a->nstacks - 1);
}

static int keep_holder(astore *a, const char *holder)
{
    if (a->nholders && strcmp(a->holders[a->nholders - 1], holder) == 0) return 0;
    if (a->nholders == a->capholders) {
        size_t cap = a->capholders ? a->capholders * 2 : 1024;
        const char **v = realloc(a->holders, cap * sizeof *v);
        if (!v) return -1;
        a->holders = v;
        a->capholders = cap;
    }
    a->holders[a->nholders++] = holder;
    return 0;
}

/* Before the change: keeps every decision's status. */
static int keep_before(void *ud, const cx_audit_entry *entry)
{
    astore *a = ud;
    uint32_t s = intern_stack(a, entry->stack);
    if (s == UINT32_MAX || keep_holder(a, entry->holder)) return CX_ENOMEM;
    if (a->nrecs == a->caprecs) {
        size_t cap = a->caprecs ? a->caprecs * 2 : 4096;
        arec *v = realloc(a->recs, cap * sizeof *v);
        if (!v) return CX_ENOMEM;
        a->recs = v;
        a->caprecs = cap;
    }
    a->recs[a->nrecs++] = (arec){(uint32_t)(a->nholders - 1), s, (uint8_t)entry->status};
    return CX_OK;
}

/* Orders a kept decision against (holder, stack). */
static int rec_cmp(const astore *a, const arec *r, const char *holder, const char *stack)
{
    int c = strcmp(a->holders[r->holder], holder);
    return c ? c : strcmp(a->stacks[r->stack], stack);
}

/* A kept decision with no counterpart after the change. */
static int gone(astore *a, const arec *r)
{
    const char *stack = a->stacks[r->stack], *holder = a->holders[r->holder];
    a->w->rep->audits++;
    return audit_moved(a->w, stack, r->status, ABSENT, holder) ||
           holder_moved(a->w, stack, r->status, ABSENT, holder);
}

/* After the change: merges with the kept decisions (both in holder, then
 * stack, byte order), counting each holder x stack whose status moved. */
static int merge_after(void *ud, const cx_audit_entry *entry)
{
    astore *a = ud;
    const char *stack = entry->stack, *holder = entry->holder;
    int st = (int)entry->status, c = 1;
    while (a->cursor < a->nrecs && (c = rec_cmp(a, &a->recs[a->cursor], holder, stack)) < 0)
        if (gone(a, &a->recs[a->cursor++])) return CX_ENOMEM;
    int before = ABSENT;
    if (a->cursor < a->nrecs && c == 0) before = a->recs[a->cursor++].status;
    a->w->rep->audits++;
    if (before != st && (audit_moved(a->w, stack, before, st, holder) ||
                         holder_moved(a->w, stack, before, st, holder)))
        return CX_ENOMEM;
    return CX_OK;
}

/* A cx_audit_each progress report, renamed for the side being audited. */
typedef struct phase {
    wctx *w;
    const char *name;
} phase;

static void phase_progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
    phase *p = ud;
    (void)what;
    progress(p->w, p->name, done, total);
}

/* Statuses only: the status plans decide where they are sure. */
static int audit_side(wctx *w, cx_rules *rules, cx_audit_visit_fn visit, astore *a,
                      const char *name)
{
    phase p = {w, name};
    cx_audit_options opt = {.as_of = w->rep->as_of,
                            .jobs = w->opt->jobs < 1 ? 1 : w->opt->jobs,
                            .progress = phase_progress,
                            .progress_ud = &p,
                            .max_trips = w->opt->max_trips};
    return cx__audit_each_between(rules, &opt, w->shard_from, w->shard_to, visit, a, w->err);
}

/* A shard's whole run: the holders audited are those of its range after
 * the change (which has every holder before it, and those it adds). 0. */
static int shard_audited(wctx *w, const cx_snapshot *after)
{
    uint32_t first, end;
    if (!w->opt->shards || !w->all_holders) return 0;
    cx__holders_between(after, w->shard_from, w->shard_to, &first, &end);
    w->rep->holders_audited = end - first;
    return 0;
}

/* An import committed since the run began: what it reads no longer agrees. */
static int changed_meanwhile(wctx *w)
{
    return cx__error(w->err, CX_EREGISTRY, NULL, 0, 0,
                     "the registry changed while the comparison ran (an import committed); "
                     "run it again");
}

/* The after side over before's snapshot with the after skeleton's facts
 * grafted on (w->graft): no copy of the registry, no second load. The
 * after side's audits read before's awards where they lie, each holder's
 * that move derived again as it is decided (cx__snapshot_graft_deferred);
 * when a holder's move is to be explained, the explanation reads more
 * than the audits do, from a copy of the awards (cx__snapshot_graft). */
static int load_grafted(wctx *w, const side *before, side *s)
{
    cx_snapshot *snap = NULL;
    progress(w, "grafting", 0, 0);
    if (!cx__snapshot_graftable(before->snap, w->sides[1].snap))
        return changed_meanwhile(w); /* the skeletons' ids were graftable */
    int rc = w->opt->holders
                 ? cx__snapshot_graft(before->snap, w->sides[1].snap, &snap, w->err)
                 : cx__snapshot_graft_deferred(before->snap, w->sides[1].snap, &snap, w->err);
    return rc ? rc : load_side(w, NULL, snap, 1, s, NULL);
}

/* Audits every holder of before and after and counts what moved. The
 * before side is pre's when it is loaded (its rules are then ours). */
static int compare_audits(wctx *w, cx_registry *before, cx_registry *after, side *pre)
{
    astore a = {.w = w};
    side sb = *pre, sa = {0};
    int rc = CX_OK;
    memset(pre, 0, sizeof *pre);
    cx__strmap_init(&a.stack_index);
    if (!(rc = sb.rules ? CX_OK : load_side(w, before, NULL, 0, &sb, NULL)) &&
        !(rc = audit_side(w, sb.rules, keep_before, &a, "before")) &&
        !(rc = w->graft ? load_grafted(w, &sb, &sa) : load_side(w, after, NULL, 1, &sa, NULL)) &&
        !(rc = shard_audited(w, sa.snap)))
        rc = audit_side(w, sa.rules, merge_after, &a, "after");
    while (!rc && a.cursor < a.nrecs)
        if (gone(&a, &a.recs[a.cursor++])) rc = nomem(w);
    if (!rc) rc = explain_moves(w, sb.rules, sa.rules);
    if (rc == CX_ENOMEM && !w->err->message[0]) nomem(w);
    cx_rules_free(sa.rules); /* first: a grafted snapshot borrows sb's */
    cx_rules_free(sb.rules);
    cx__strmap_free(&sb.expanded.map);
    cx__strmap_free(&sa.expanded.map);
    cx__strmap_free(&a.stack_index);
    free(a.holders);
    free(a.stacks);
    free(a.recs);
    return rc;
}

static int status_rank(const char *s)
{
    for (int k = 0; k <= ABSENT; k++)
        if (strcmp(status_text(k), s) == 0) return k;
    return ABSENT + 1;
}

/* Audit groups by stack, then status before, then after. */
static int by_group(const void *x, const void *y)
{
    const cx_transition *a = x, *b = y;
    int c = strcmp(a->stack, b->stack);
    if (c) return c;
    c = status_rank(a->from) - status_rank(b->from);
    return c ? c : status_rank(a->to) - status_rank(b->to);
}

/* ------------------------------------------------- equivalences, transfers */

/* Jurisdiction ids a selector names: its ids, every member ever of a group
 * it names; an absent clause (j NULL) or any_jurisdiction names them all. */
static int jsel_ids(const cx_snapshot *s, const cx_jsel *j, idset *set)
{
    uint32_t n = cx__snapshot_count(s, CX_KIND_JURISDICTION);
    int bad = 0;
    if (!j || j->kind == CX_JSEL_ANY)
        for (uint32_t i = 0; i < n; i++) bad |= set_add(set, s->jurisdictions[i].id) < 0;
    else if (j->kind == CX_JSEL_IDS)
        for (size_t i = 0; i < j->nids; i++)
            bad |= set_add(set, s->jurisdictions[j->ids[i]].id) < 0;
    else if (j->kind == CX_JSEL_MEMBER_OF)
        for (uint32_t i = 0; i < s->groups[j->group].nmemberships; i++)
            bad |=
                set_add(set, s->jurisdictions[s->groups[j->group].memberships[i].jurisdiction].id) <
                0;
    for (size_t i = 0; j && i < j->nparts; i++) bad |= jsel_ids(s, j->parts[i], set) < 0;
    return bad ? -1 : 0;
}

/* Does equivalence rule r's from (which 0) or to (1) select credential c? */
static int rule_selects(const cx_rule *r, int which, cx_sym c)
{
    if (r->kind != CX_RULE_EQUIVALENT) return bit(which ? r->to->bits : r->from->bits, c);
    for (size_t i = 0; i < r->nmembers; i++)
        if (r->members[i] == c) return 1;
    return 0;
}

/* The (from, to) pairs of rule r worth deciding again, as "A\x1fB" keys:
 * all of them when the rule differs between the sides (or memberships
 * changed), else those with a credential the change touches. */
static int rule_pairs(wctx *w, const side *s, const cx_rule *r, idset *pairs)
{
    uint32_t n = ncredentials(s->snap);
    int full = w->all_pairs || set_has(&w->dirty, r->id), bad = 0;
    uint8_t *touched = calloc(n + 1, 1);
    if (!touched) return -1;
    for (uint32_t c = 0; c < n; c++)
        touched[c] = (uint8_t)set_has(&w->changed, s->snap->credentials[c].id);
    for (uint32_t a = 0; a < n && !bad; a++) {
        if (!rule_selects(r, 0, a)) continue;
        for (uint32_t b = 0; b < n && !bad; b++) {
            if (a == b || !(full || touched[a] || touched[b]) || !rule_selects(r, 1, b)) continue;
            char key[600];
            snprintf(key, sizeof key, "%s\x1f%s", s->snap->credentials[a].id,
                     s->snap->credentials[b].id);
            bad = set_add(pairs, key) < 0;
        }
    }
    free(touched);
    return bad ? -1 : 0;
}

/* One side's equivalence decision; ABSENT when an id is not on that side. */
static int equiv_on(wctx *w, const side *s, const char *a, const char *b, const char *j,
                    int *status, int *has, int64_t *covered, int64_t *total)
{
    cx_decision *d = NULL;
    *status = ABSENT;
    *has = 0;
    if (cx__snapshot_find(s->snap, CX_KIND_CREDENTIAL, a) == CX_NOSYM ||
        cx__snapshot_find(s->snap, CX_KIND_CREDENTIAL, b) == CX_NOSYM ||
        (j && cx__snapshot_find(s->snap, CX_KIND_JURISDICTION, j) == CX_NOSYM))
        return CX_OK;
    int rc = cx_equiv(s->rules, a, b, j, w->rep->as_of, &d, w->err);
    if (rc) return rc;
    *status = (int)d->status;
    *has = d->has_coverage;
    *covered = d->covered;
    *total = d->total;
    cx_decision_free(d);
    return CX_OK;
}

/* Decides pair "A\x1fB" in j (NULL: no jurisdiction) on both sides. */
static int compare_equiv(wctx *w, const char *key, const char *j)
{
    char a[300];
    const char *sep = strchr(key, '\x1f');
    snprintf(a, sizeof a, "%.*s", (int)(sep - key), key);
    int sb, sa, hb, ha;
    int64_t cb = 0, tb = 0, ca = 0, ta = 0;
    int rc = equiv_on(w, &w->sides[0], a, sep + 1, j, &sb, &hb, &cb, &tb);
    if (!rc) rc = equiv_on(w, &w->sides[1], a, sep + 1, j, &sa, &ha, &ca, &ta);
    if (rc || sb == sa) return rc;
    cx_transition *t = new_transition(w, CX_DECISION_EQUIV, sb, sa);
    if (!t || !(t->from_credential = cx__strdup(a)) || !(t->to_credential = cx__strdup(sep + 1)) ||
        (j && !(t->in = cx__strdup(j))))
        return nomem(w);
    t->has_coverage_before = hb;
    t->covered_before = cb;
    t->total_before = tb;
    t->has_coverage_after = ha;
    t->covered_after = ca;
    t->total_after = ta;
    return CX_OK;
}

/* Equivalences: pairs a rule's from and to select, in no jurisdiction and
 * in each one any rule's `within` names. */
static int compare_equivs(wctx *w)
{
    idset pairs, within;
    set_init(&pairs, &w->arena);
    set_init(&within, &w->arena);
    int rc = CX_OK;
    for (int k = 0; k < 2 && !rc; k++)
        for (size_t i = 0; i < w->sides[k].nrules && !rc; i++) {
            const cx_rule *r = w->sides[k].by_id[i];
            if (!cx__rule_is_equivalence(r)) continue;
            if (rule_pairs(w, &w->sides[k], r, &pairs) < 0 ||
                (r->within && jsel_ids(w->sides[k].snap, r->within, &within) < 0))
                rc = nomem(w);
        }
    size_t np = 0, nj = 0;
    const char **pv = rc ? NULL : set_sorted(&pairs, &np),
               **jv = rc ? NULL : set_sorted(&within, &nj);
    if (!rc && (!pv || !jv)) rc = nomem(w);
    for (size_t i = 0; i < np && !rc; i++) {
        for (size_t k = 0; k <= nj && !rc; k++) {
            rc = compare_equiv(w, pv[i], k ? jv[k - 1] : NULL);
            w->rep->equivs++;
        }
        if (i % 256 == 0) progress(w, "equivalences", i, np);
    }
    free(pv);
    free(jv);
    cx__strmap_free(&pairs.map);
    cx__strmap_free(&within.map);
    return rc;
}

static int transfer_on(wctx *w, const side *s, const char *c, const char *from, const char *to,
                       int *status)
{
    cx_decision *d = NULL;
    *status = ABSENT;
    if (cx__snapshot_find(s->snap, CX_KIND_CREDENTIAL, c) == CX_NOSYM ||
        cx__snapshot_find(s->snap, CX_KIND_JURISDICTION, from) == CX_NOSYM ||
        cx__snapshot_find(s->snap, CX_KIND_JURISDICTION, to) == CX_NOSYM)
        return CX_OK;
    int rc = cx_transfer(s->rules, c, from, to, w->rep->as_of, &d, w->err);
    if (!rc) *status = (int)d->status;
    cx_decision_free(d);
    return rc;
}

/* A hypothetical award of c issued in from, recognised in to? */
static int compare_transfer(wctx *w, const char *c, const char *from, const char *to)
{
    int sb, sa;
    int rc = transfer_on(w, &w->sides[0], c, from, to, &sb);
    if (!rc) rc = transfer_on(w, &w->sides[1], c, from, to, &sa);
    w->rep->transfers++;
    if (rc || sb == sa) return rc;
    cx_transition *t = new_transition(w, CX_DECISION_TRANSFER, sb, sa);
    if (!t || !(t->credential = cx__strdup(c)) || !(t->from_jurisdiction = cx__strdup(from)) ||
        !(t->to_jurisdiction = cx__strdup(to)))
        return nomem(w);
    return CX_OK;
}

/* What recognize and deny rules name: credentials, and jurisdictions in
 * their into and from clauses; plus stacks' jurisdictions. 0 when no such
 * rule exists on either side. */
static int transfer_subjects(wctx *w, idset *creds, idset *places)
{
    int any = 0;
    for (int k = 0; k < 2; k++) {
        const side *s = &w->sides[k];
        for (size_t i = 0; i < s->nrules; i++) {
            const cx_rule *r = s->by_id[i];
            if (r->kind == CX_RULE_STACK && r->jurisdiction != CX_NOSYM &&
                set_add(places, s->snap->jurisdictions[r->jurisdiction].id) < 0)
                return -1;
            if (r->kind != CX_RULE_RECOGNIZE && r->kind != CX_RULE_DENY) continue;
            any = 1;
            if (add_bits(s->snap, r->credentials ? r->credentials->bits : NULL, creds) < 0 ||
                jsel_ids(s->snap, r->into, places) < 0 || jsel_ids(s->snap, r->from_j, places) < 0)
                return -1;
        }
    }
    return any;
}

/* Recognitions: each credential (the changed ones only, unless rules or
 * memberships changed) from its home jurisdiction on either side into
 * every jurisdiction the rules name. */
static int compare_transfers(wctx *w)
{
    idset creds, places;
    set_init(&creds, &w->arena);
    set_init(&places, &w->arena);
    int any = transfer_subjects(w, &creds, &places), rc = any < 0 ? nomem(w) : CX_OK;
    size_t nc = 0, np = 0;
    const char **cv = any > 0 ? set_sorted(&creds, &nc) : NULL,
               **pv = any > 0 ? set_sorted(&places, &np) : NULL;
    if (any > 0 && (!cv || !pv)) rc = nomem(w);
    for (size_t i = 0; i < nc && !rc; i++) {
        if (!w->all_transfers && !set_has(&w->changed, cv[i])) continue;
        const char *home[2] = {NULL, NULL};
        for (int k = 0; k < 2; k++) {
            const cx_snapshot *s = w->sides[k].snap;
            cx_sym c = cx__snapshot_find(s, CX_KIND_CREDENTIAL, cv[i]);
            if (c != CX_NOSYM) home[k] = s->jurisdictions[s->credentials[c].jurisdiction].id;
        }
        if (home[0] && home[1] && strcmp(home[0], home[1]) == 0) home[1] = NULL;
        if (!home[0] || (home[1] && strcmp(home[1], home[0]) < 0)) { /* in byte order */
            const char *first = home[1];
            home[1] = home[0];
            home[0] = first;
        }
        for (int k = 0; k < 2 && !rc; k++)
            for (size_t j = 0; home[k] && j < np && !rc; j++)
                if (strcmp(pv[j], home[k]) != 0) rc = compare_transfer(w, cv[i], home[k], pv[j]);
        if (i % 64 == 0) progress(w, "recognitions", i, nc);
    }
    free(cv);
    free(pv);
    cx__strmap_free(&creds.map);
    cx__strmap_free(&places.map);
    return rc;
}

/* ------------------------------------------------------------ the run */

static int has_stacks(const wctx *w)
{
    size_t nb = 0, na = 0;
    cx__rules_stacks(w->sides[0].rules, &nb);
    cx__rules_stacks(w->sides[1].rules, &na);
    return nb || na;
}

/* Keeps of the sorted ids v those of the shard's range (with opt->shards). */
static void in_shard(wctx *w, const char **v, size_t *n)
{
    size_t first = 0, end = *n;
    if (!w->opt->shards) return;
    while (w->shard_from && first < end && strcmp(v[first], w->shard_from) < 0) first++;
    while (w->shard_to && end > first && strcmp(v[end - 1], w->shard_to) >= 0) end--;
    memmove(v, v + first, (end - first) * sizeof *v);
    *n = end - first;
    w->rep->holders_audited = *n;
}

/* The registries the audits run on: before, and after with the change
 * applied (after may be before itself, for a diff). Copies are new. */
static int audit_registries(wctx *w, const idset *holders, cx_registry **before,
                            cx_registry **after)
{
    size_t n = 0;
    const char **v = NULL;
    int rc = CX_OK;
    *before = *after = w->r;
    if (!w->all_holders) {
        if (!(v = set_sorted(holders, &n))) return nomem(w);
        in_shard(w, v, &n);
        progress(w, "copying", 0, n);
        rc = cx__registry_copy_holders(w->r, v, n, before, w->err);
        *after = *before;
        free(v);
    }
    if (!rc && w->ch && !w->graft) {
        progress(w, "copying", 0, 0);
        rc = cx__registry_copy_to_memory(*before, after, w->err);
        if (!rc) rc = cx__whatif_apply_change(w, *after);
    }
    return rc;
}

static void close_copies(wctx *w, cx_registry *before, cx_registry *after)
{
    if (after != before && after != w->r) cx_registry_close(after);
    if (before != w->r) cx_registry_close(before);
}

/* Past this many holders in scope, and two fifths of the registry, every
 * holder is audited in place rather than copied (docs/whatif.md, "Cost"). */
#define COPY_MOST 50000

/* The holders in scope: their ids into holders, *n of them (but when
 * every holder is audited, perhaps not their ids). On the grafted path
 * the before side is loaded here into pre when every holder is audited or
 * awards must be read: they are read from its snapshot. */
static int find_holders(wctx *w, int stacks, side *pre, idset *holders, size_t *n)
{
    size_t most = w->rep->holders / 5 * 2 > COPY_MOST ? w->rep->holders / 5 * 2 : COPY_MOST;
    int scan = (stacks && !w->all_holders) || w->removed.map.count, rc = CX_OK;
    *n = 0;
    if (scan) rc = cx__whatif_exception_holders(w, holders);
    if (!rc && w->graft && (w->all_holders || (scan && cx__whatif_scans_awards(w))))
        rc = load_side(w, w->r, NULL, 0, pre, NULL);
    if (!rc && pre->rules && pre->snap->content_version != w->version) rc = changed_meanwhile(w);
    if (rc || !scan) return rc;
    if (pre->rules) return cx__whatif_award_holders_in(w, pre->snap, most, holders, n);
    rc = cx__whatif_award_holders(w, holders);
    *n = holders->map.count;
    return rc;
}

/* Audits the holders in scope before and after the change. */
static int run_audits(wctx *w)
{
    idset holders;
    side pre = {0};
    cx_registry *before = NULL, *after = NULL;
    int stacks = has_stacks(w), rc = CX_OK;
    size_t n = 0;
    set_init(&holders, &w->arena);
    w->graft = stacks && w->ch && cx__whatif_facts_only(w->ch) &&
               cx__snapshot_graftable(w->sides[0].snap, w->sides[1].snap);
    rc = find_holders(w, stacks, &pre, &holders, &n);
    if (!rc && !w->all_holders && n > COPY_MOST && n > w->rep->holders / 5 * 2) {
        /* copying most of a large registry holder by holder costs more
         * than auditing all of it where it is */
        char text[32];
        snprintf(text, sizeof text, "%zu", n);
        cx__whatif_every_holder(w, "the change can move %s holders, more than two fifths of them",
                                text);
    }
    if (!w->all_holders) { /* the before side is a copy of the holders in scope */
        cx_rules_free(pre.rules);
        memset(&pre, 0, sizeof pre);
    }
    if (!rc && stacks && (w->all_holders || n)) {
        w->rep->holders_audited = w->all_holders ? w->rep->holders : n;
        rc = audit_registries(w, &holders, &before, &after);
        if (!rc) rc = compare_audits(w, before, after, &pre);
        close_copies(w, before, after);
        if (!rc && w->ntr) qsort(w->tr, w->ntr, sizeof *w->tr, by_group);
    }
    cx_rules_free(pre.rules);
    cx__strmap_free(&pre.expanded.map);
    cx__strmap_free(&holders.map);
    return rc;
}

/* Every step reads the registry again (copies, the award scan, the
 * packs compiled against it): an import that commits meanwhile would mix
 * two states, so the content version must be the one the run began with. */
static int run(wctx *w)
{
    int64_t version = 0;
    int rc = cx__whatif_find_scope(w);
    if (!rc) rc = run_audits(w);
    if (!rc) rc = compare_equivs(w);
    if (!rc) rc = compare_transfers(w);
    if (!rc) rc = cx_registry_content_version(w->r, &version, w->err);
    if (!rc && version != w->version) rc = changed_meanwhile(w);
    return rc;
}

/* Reading the registry's holders in id order up to a shard's end. */
typedef struct bounds {
    wctx *w;
    uint64_t at; /* the next holder's place in id order */
} bounds;

#define BOUNDS_DONE (-1) /* the scan has passed the last bound it needs */

static int shard_bound_row(void *ud, const cx_col *cols, size_t ncols)
{
    bounds *b = ud;
    wctx *w = b->w;
    const cx_whatif_report *rep = w->rep;
    int from = rep->shard > 1, to = rep->shard < rep->shards;
    (void)ncols;
    if (from && b->at == rep->shard_first &&
        !(w->shard_from = cx__arena_strdup(&w->arena, cols[0].text)))
        return nomem(w);
    if (to && b->at == rep->shard_end && !(w->shard_to = cx__arena_strdup(&w->arena, cols[0].text)))
        return nomem(w);
    b->at++;
    return b->at > (to ? rep->shard_end : rep->shard_first) ? BOUNDS_DONE : CX_OK;
}

/* The ids that bound the shard's holders: shard K of N is the range of
 * cx_shard_range over the registry's holders, [the id of its first holder,
 * the id of the next shard's first), with no lower bound for shard 1 and
 * no upper bound for shard N, so that a holder the change adds belongs to
 * exactly one shard. */
static int shard_bounds(wctx *w)
{
    bounds b = {w, 0};
    cx_whatif_report *rep = w->rep;
    int rc = cx_shard_range(rep->holders, w->opt->shard, w->opt->shards, &rep->shard_first,
                            &rep->shard_end, w->err);
    if (rc) return rc;
    rep->shard = w->opt->shard;
    rep->shards = w->opt->shards;
    if (rep->shards == 1) return CX_OK;
    if (rep->shard > 1 && rep->shard_first == rep->holders) { /* no holder: empty, but shard 1 */
        w->shard_from = w->shard_to = "";
        return CX_OK;
    }
    rc = cx__registry_scan(w->r, CX_SCAN_HOLDERS, shard_bound_row, &b, w->err);
    return rc == BOUNDS_DONE ? CX_OK : rc;
}

static int init_run(wctx *w, cx_registry *r, const cx_whatif_options *opt, cx_error *err)
{
    cx_date d;
    const char *why;
    memset(w, 0, sizeof *w);
    w->r = r;
    w->opt = opt;
    w->err = err;
    cx__arena_init(&w->arena);
    cx__strmap_init(&w->groups);
    idset *sets[] = {&w->changed, &w->relevant, &w->targets, &w->holders, &w->stacks,
                     &w->dirty,   &w->removed,  &w->moved,   &w->carried, &w->counting};
    for (size_t i = 0; i < CX_COUNT(sets); i++) set_init(sets[i], &w->arena);
    if (!opt->as_of || cx__date_parse(opt->as_of, &d, &why) != 0)
        return cx__error(err, CX_EUSAGE, NULL, 0, 0, "as-of date '%s': %s",
                         opt->as_of ? opt->as_of : "", opt->as_of ? why : "missing");
    if (!(w->rep = calloc(1, sizeof *w->rep))) return nomem(w);
    snprintf(w->rep->as_of, sizeof w->rep->as_of, "%s", opt->as_of);
    int64_t holders = 0; /* (not cx_registry_counts: counting 5M awards reads their table) */
    int rc = cx_registry_content_version(r, &w->version, err);
    if (!rc) rc = cx__registry_count(r, CX_KIND_HOLDER, &holders, err);
    if (!rc) w->rep->holders = (uint64_t)holders;
    if (!rc && (opt->shard || opt->shards)) rc = shard_bounds(w);
    return rc;
}

/* Frees the run; hands the report to *out on success. */
static int end_run(wctx *w, int rc, cx_whatif_report **out)
{
    for (int k = 0; k < 2; k++) {
        cx_rules_free(w->sides[k].rules);
        cx__strmap_free(&w->sides[k].expanded.map);
    }
    idset *sets[] = {&w->changed, &w->relevant, &w->targets, &w->holders, &w->stacks,
                     &w->dirty,   &w->removed,  &w->moved,   &w->carried, &w->counting};
    for (size_t i = 0; i < CX_COUNT(sets); i++) cx__strmap_free(&sets[i]->map);
    cx__strmap_free(&w->groups);
    if (w->rep) {
        w->rep->transitions = w->tr;
        w->rep->ntransitions = w->ntr;
        w->tr = NULL;
        w->ntr = 0;
        w->rep->holders_listed = w->opt->holders;
        w->rep->moved = w->lines;
        w->rep->nmoved = w->nlines;
        w->lines = NULL;
        w->nlines = 0;
        if (!rc && w->all_holders && w->rep->holders_audited && w->why[0] &&
            !(w->rep->scope = cx__strdup(w->why)))
            rc = nomem(w);
    }
    for (size_t i = 0; i < w->ntr; i++) transition_clear(&w->tr[i]);
    free(w->tr);
    for (size_t i = 0; i < w->nlines; i++) holder_clear(&w->lines[i]);
    free(w->lines);
    cx__arena_free(&w->arena);
    if (rc) {
        cx_whatif_report_free(w->rep);
        return rc;
    }
    *out = w->rep;
    return CX_OK;
}

static void count_packs(wctx *w)
{
    w->rep->packs_before = cx_rules_pack_count(w->sides[0].rules);
    w->rep->packs_after = cx_rules_pack_count(w->sides[1].rules);
}

/* What the change defines, and how many holders it adds. */
static int count_change(wctx *w)
{
    const cx_catalog *cat = w->ch->model ? cx__catalog_loader_model(w->ch->model) : NULL;
    cx_import_stats *s = &w->rep->defined;
    w->rep->removed_credentials = (int64_t)w->ch->nremove[RM_CREDENTIALS];
    w->rep->removed_competencies = (int64_t)w->ch->nremove[RM_COMPETENCIES];
    w->rep->rules_replaced = w->ch->has_rules;
    if (!cat) return CX_OK;
    s->count[CX_KIND_JURISDICTION] = (int64_t)cat->jurisdictions.n;
    s->count[CX_KIND_GROUP] = (int64_t)cat->groups.n;
    s->count[CX_KIND_PROVIDER] = (int64_t)cat->providers.n;
    s->count[CX_KIND_FRAMEWORK] = (int64_t)cat->frameworks.n;
    s->count[CX_KIND_COMPETENCY] = (int64_t)cat->competencies.n;
    s->count[CX_KIND_CREDENTIAL] = (int64_t)cat->credentials.n;
    s->count[CX_KIND_HOLDER] = (int64_t)cat->holders.n;
    s->count[CX_KIND_AWARD] = (int64_t)cat->nawards;
    s->exceptions = (int64_t)cat->exceptions.n;
    for (size_t i = 0; i < cat->holders.n; i++) {
        int has = cx_registry_has(w->r, CX_KIND_HOLDER, cat->holders.v[i].id, w->err);
        if (has < 0) return w->err->code;
        w->rep->holders += !has;
    }
    return CX_OK;
}

/* The registries the packs are first compiled against: every fact but
 * holders (except those the change names), before and after the change. */
static int load_skeletons(wctx *w)
{
    cx_registry *before = NULL, *after = NULL;
    const char **named = NULL;
    size_t n = 0;
    int rc = cx__whatif_named_holders(w) < 0 ? nomem(w) : CX_OK;
    if (!rc && !(named = set_sorted(&w->holders, &n))) rc = nomem(w);
    if (!rc) rc = cx__registry_copy_holders(w->r, named, n, &before, w->err);
    free(named);
    after = before;
    if (!rc && w->ch) rc = cx__registry_copy_to_memory(before, &after, w->err);
    if (!rc && w->ch) rc = cx__whatif_apply_change(w, after);
    if (!rc) rc = load_side(w, before, NULL, 0, &w->sides[0], w->opt->diags);
    if (!rc) rc = load_side(w, after, NULL, 1, &w->sides[1], w->opt->diags);
    if (after != before) cx_registry_close(after);
    cx_registry_close(before);
    return rc;
}

/* The change is the file at path, or (data not NULL) len bytes known as
 * path; the packs are opt->rules, or (packs not NULL) npacks sources. */
static int whatif(cx_registry *r, const char *path, const char *data, size_t len,
                  const cx_pack_source *packs, size_t npacks, const cx_whatif_options *opt,
                  cx_whatif_report **out, cx_error *err)
{
    wctx w;
    change ch;
    memset(&ch, 0, sizeof ch);
    ch.data = data;
    ch.len = len;
    *out = NULL;
    int rc = init_run(&w, r, opt, err);
    w.ch = &ch;
    if (!rc) rc = cx__whatif_read_change(&w, path);
    w.before_paths = opt->rules;
    w.nbefore = packs ? npacks : opt->nrules;
    w.before_sources = packs;
    w.after_paths = ch.has_rules ? (const char *const *)ch.rules.v : opt->rules;
    w.nafter = ch.has_rules ? ch.rules.n : w.nbefore;
    w.after_sources = ch.has_rules ? NULL : packs;
    if (!rc) rc = count_change(&w);
    if (!rc) rc = load_skeletons(&w);
    if (!rc) count_packs(&w);
    if (!rc) rc = run(&w);
    rc = end_run(&w, rc, out);
    cx__whatif_change_free(&ch);
    return rc;
}

int cx_whatif(cx_registry *r, const char *path, const cx_whatif_options *opt,
              cx_whatif_report **out, cx_error *err)
{
    *out = NULL; /* also when the call is refused */
    return CX__REGISTRY_CALL(r, err, whatif(r, path, NULL, 0, NULL, 0, opt, out, err));
}

int cx__whatif_buffer(cx_registry *r, const char *name, const char *data, size_t len,
                      const cx_pack_source *packs, size_t npacks, const cx_whatif_options *opt,
                      cx_whatif_report **out, cx_error *err)
{
    *out = NULL; /* also when the call is refused */
    return CX__REGISTRY_CALL(r, err,
                             whatif(r, name, data ? data : "", len, packs, npacks, opt, out, err));
}

/* Old and new packs: paths (sources NULL) or sources. */
static int diff(cx_registry *r, const char *const *old_rules, const cx_pack_source *old_sources,
                size_t nold, const char *const *new_rules, const cx_pack_source *new_sources,
                size_t nnew, const cx_whatif_options *opt, cx_whatif_report **out, cx_error *err)
{
    wctx w;
    *out = NULL;
    int rc = init_run(&w, r, opt, err);
    w.before_paths = old_rules;
    w.before_sources = old_sources;
    w.nbefore = nold;
    w.after_paths = new_rules;
    w.after_sources = new_sources;
    w.nafter = nnew;
    if (!rc) rc = load_skeletons(&w);
    if (!rc) {
        count_packs(&w);
        w.rep->rules_replaced = 1;
        rc = run(&w);
    }
    return end_run(&w, rc, out);
}

int cx_diff(cx_registry *r, const char *const *old_rules, size_t nold, const char *const *new_rules,
            size_t nnew, const cx_whatif_options *opt, cx_whatif_report **out, cx_error *err)
{
    *out = NULL; /* also when the call is refused */
    return CX__REGISTRY_CALL(r, err,
                             diff(r, old_rules, NULL, nold, new_rules, NULL, nnew, opt, out, err));
}

int cx__diff_sources(cx_registry *r, const cx_pack_source *old_packs, size_t nold,
                     const cx_pack_source *new_packs, size_t nnew, const cx_whatif_options *opt,
                     cx_whatif_report **out, cx_error *err)
{
    *out = NULL; /* also when the call is refused */
    return CX__REGISTRY_CALL(r, err,
                             diff(r, NULL, old_packs, nold, NULL, new_packs, nnew, opt, out, err));
}

void cx_whatif_report_free(cx_whatif_report *rep)
{
    if (!rep) return;
    for (size_t i = 0; i < rep->ntransitions; i++) transition_clear(&rep->transitions[i]);
    free(rep->transitions);
    for (size_t i = 0; i < rep->nmoved; i++) holder_clear(&rep->moved[i]);
    free(rep->moved);
    free(rep->scope);
    free(rep);
}

/* ------------------------------------------------------------ rendering */

/* The subject as text: "CA-EV-TECH", "A -> B in US-CA", "C US-TX -> US-CT". */
static void subject_text(cx_buf *b, const cx_transition *t)
{
    if (t->kind == CX_DECISION_AUDIT) {
        cx__buf_puts(b, t->stack);
    } else if (t->kind == CX_DECISION_EQUIV) {
        cx__buf_printf(b, "%s -> %s", t->from_credential, t->to_credential);
        if (t->in) cx__buf_printf(b, " in %s", t->in);
    } else {
        cx__buf_printf(b, "%s %s -> %s", t->credential, t->from_jurisdiction, t->to_jurisdiction);
    }
}

static void coverage_text(cx_buf *b, int has, int64_t covered, int64_t total)
{
    if (has)
        cx__buf_printf(b, "%lld/%lld", (long long)covered, (long long)total);
    else
        cx__buf_puts(b, "-");
}

static const char *kind_word(cx_decision_kind kind)
{
    return kind == CX_DECISION_AUDIT ? "audit" : kind == CX_DECISION_EQUIV ? "equiv" : "transfer";
}

char *cx_transition_text(const cx_transition *t)
{
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_printf(&b, "%s ", kind_word(t->kind));
    subject_text(&b, t);
    cx__buf_printf(&b, ": %s -> %s", t->from, t->to);
    if (t->kind == CX_DECISION_AUDIT) {
        cx__buf_printf(&b, ": %llu holder%s (", (unsigned long long)t->count,
                       t->count == 1 ? "" : "s");
        for (size_t i = 0; i < t->nexamples; i++)
            cx__buf_printf(&b, "%s%s", i ? ", " : "", t->examples[i]);
        cx__buf_puts(&b, t->count > t->nexamples ? ", ...)" : ")");
    }
    if (t->has_coverage_before || t->has_coverage_after) {
        cx__buf_puts(&b, " (coverage ");
        coverage_text(&b, t->has_coverage_before, t->covered_before, t->total_before);
        cx__buf_puts(&b, " -> ");
        coverage_text(&b, t->has_coverage_after, t->covered_after, t->total_after);
        cx__buf_puts(&b, ")");
    }
    cx__buf_puts(&b, "\n");
    cx__buf_escape_lines(&b); /* a stack's id comes from a pack: no control reaches a terminal */
    if (b.oom) cx__buf_free(&b);
    return b.data;
}

const char *cx_transition_csv_header(void)
{
    return "kind,subject,from,to,count,examples,coverage_before,coverage_after\r\n";
}

char *cx_transition_csv(const cx_transition *t)
{
    cx_buf b, part;
    cx__buf_init(&b);
    cx__buf_init(&part);
    subject_text(&part, t);
    cx__buf_printf(&b, "%s,", kind_word(t->kind));
    cx__buf_csv_field(&b, part.data ? part.data : "");
    cx__buf_printf(&b, ",%s,%s,%llu,", t->from, t->to, (unsigned long long)t->count);
    cx__buf_free(&part);
    cx__buf_init(&part);
    for (size_t i = 0; i < t->nexamples; i++)
        cx__buf_printf(&part, "%s%s", i ? ";" : "", t->examples[i]);
    cx__buf_csv_field(&b, part.data ? part.data : "");
    cx__buf_puts(&b, ",");
    if (t->has_coverage_before) coverage_text(&b, 1, t->covered_before, t->total_before);
    cx__buf_puts(&b, ",");
    if (t->has_coverage_after) coverage_text(&b, 1, t->covered_after, t->total_after);
    cx__buf_puts(&b, "\r\n");
    int oom = part.oom;
    cx__buf_free(&part);
    if (b.oom || oom) cx__buf_free(&b);
    return b.data;
}
