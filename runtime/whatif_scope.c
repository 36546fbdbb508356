/*
 * whatif_scope.c -- what a change can reach (docs/whatif.md, "What is
 * re-evaluated"): the rules that differ between the sides, the credentials,
 * stacks and holders they touch. It reads the registry, never writes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "whatif_int.h"

/* --------------------------------------------------------------- packs */

/* The source of a pack file, read once and kept in the arena; NULL when
 * it cannot be read (the rules in it then count as changed). */
static const cx_buf *pack_source(wctx *w, cx_strmap *cache, const char *path)
{
    cx_buf *b = cx__strmap_get(cache, path);
    if (b) return b->oom ? NULL : b;
    FILE *f = fopen(path, "rb");
    char chunk[8192];
    size_t got;
    char *key = cx__arena_strdup(&w->arena, path);
    b = cx__arena_alloc(&w->arena, sizeof *b);
    if (!key || !b) {
        if (f) fclose(f);
        return NULL;
    }
    cx__buf_init(b);
    if (!f) {
        b->oom = 1;
    } else {
        while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) cx__buf_add(b, chunk, got);
        cx__buf_add(b, "", 0);
        b->oom |= ferror(f) != 0;
        fclose(f);
    }
    if (cx__strmap_put(cache, key, b, NULL) < 0) b->oom = 1;
    return b->oom ? NULL : b;
}

/* ------------------------------------------------- credential sets */

static int add_syms(const cx_snapshot *s, const uint32_t *v, size_t n, idset *set)
{
    int grew = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = set_add(set, s->credentials[v[i]].id);
        if (rc < 0) return -1;
        grew |= rc;
    }
    return grew;
}

static int meets_bits(const cx_snapshot *s, const uint64_t *bits, const idset *set)
{
    for (uint32_t i = 0; i < ncredentials(s); i++)
        if ((!bits || bit(bits, i)) && set_has(set, s->credentials[i].id)) return 1;
    return 0;
}

static int meets_syms(const cx_snapshot *s, const uint32_t *v, size_t n, const idset *set)
{
    for (size_t i = 0; i < n; i++)
        if (set_has(set, s->credentials[v[i]].id)) return 1;
    return 0;
}

/* Is rule a (before) the same as rule b (after)? The same plan; and when
 * it calls into Lua (`check`, `when`), which no plan shows, the pack files
 * defining both have the same bytes. */
static int rule_same(wctx *w, cx_strmap *cache, const cx_rule *a, const cx_rule *b)
{
    const side *sb = &w->sides[0], *sa = &w->sides[1];
    if (!cx__rule_same(sb->snap, a, sa->snap, b)) return 0;
    if (!a->reads.calls) return 1;
    const cx_buf *x = pack_source(w, cache, cx__rules_pack(sb->rules, a->pack)->path);
    const cx_buf *y = pack_source(w, cache, cx__rules_pack(sa->rules, b->pack)->path);
    return x && y && x->len == y->len && memcmp(x->data, y->data, x->len) == 0;
}

/* Marks dirty every rule whose id is on one side only or that differs. */
static int find_dirty(wctx *w)
{
    const side *b = &w->sides[0], *a = &w->sides[1];
    cx_strmap cache;
    size_t i = 0, j = 0;
    int rc = CX_OK;
    cx__strmap_init(&cache);
    while ((i < b->nrules || j < a->nrules) && rc == CX_OK) {
        int cmp = i == b->nrules   ? 1
                  : j == a->nrules ? -1
                                   : strcmp(b->by_id[i]->id, a->by_id[j]->id);
        const cx_rule *x = cmp <= 0 ? b->by_id[i] : NULL, *y = cmp >= 0 ? a->by_id[j] : NULL;
        if ((!x || !y || !rule_same(w, &cache, x, y)) && set_add(&w->dirty, x ? x->id : y->id) < 0)
            rc = nomem(w);
        i += cmp <= 0;
        j += cmp >= 0;
    }
    for (size_t k = 0; k < cache.cap; k++)
        if (cache.keys[k]) cx__buf_free(cache.values[k]);
    cx__strmap_free(&cache);
    return rc;
}

/* ------------------------------------------------------------ the scope */

void cx__whatif_every_holder(wctx *w, const char *fmt, const char *id)
{
    w->all_holders = 1;
    if (!w->why[0]) snprintf(w->why, sizeof w->why, fmt, id);
}

static const cx_rule *stack_of(const side *s, cx_sym credential)
{
    size_t n;
    const cx_rule *const *stacks = cx__rules_stacks(s->rules, &n);
    for (size_t i = 0; i < n; i++)
        if (stacks[i]->credential == credential) return stacks[i];
    return NULL;
}

/* Adds what the awards r's requirement tree reads can be: slot
 * credentials to relevant and targets, the credentials a total counts to
 * relevant (every credential for a total without a selector). For a
 * stack (stack not NULL), a requirement that holds without awards means
 * any holder may progress; a recognition's applies only to awards of the
 * credentials it recognises, whose holders are relevant already. 0, or -1
 * out of memory. */
static int req_effect(wctx *w, const side *s, const cx_rule *r, const char *stack)
{
    const cx_reads *reads = &r->reads;
    if (stack && reads->without_awards)
        cx__whatif_every_holder(w, "stack %s has a requirement that holds without awards", stack);
    if (reads->slots && (add_bits(s->snap, reads->slots, &w->relevant) < 0 ||
                         add_bits(s->snap, reads->slots, &w->targets) < 0))
        return -1;
    if ((reads->totals || reads->totals_every) &&
        add_bits(s->snap, reads->totals_every ? NULL : reads->totals, &w->relevant) < 0)
        return -1;
    return 0;
}

/* A stack some holders' outcome may differ in: the credentials that can
 * fill or count toward it, and those of the stacks it depends on. */
static int expand_stack(wctx *w, side *s, const cx_rule *r)
{
    const char *id = s->snap->credentials[r->credential].id;
    int rc = set_add(&s->expanded, id);
    if (rc <= 0) return rc;
    if (set_add(&w->stacks, id) < 0 || req_effect(w, s, r, id) < 0) return -1;
    for (size_t i = 0; i < r->ndepends; i++) {
        const cx_rule *d = stack_of(s, r->depends[i]);
        if (d && expand_stack(w, s, d) < 0) return -1;
    }
    return 1;
}

/* What a dirty rule touches, on one side. */
static int rule_effect(wctx *w, side *s, const cx_rule *r)
{
    const cx_snapshot *snap = s->snap;
    switch (r->kind) {
    case CX_RULE_STACK:
        return expand_stack(w, s, r);
    case CX_RULE_COUNTS_AS:
    case CX_RULE_EQUIVALENCE:
        return add_bits(snap, r->from->bits, &w->relevant) < 0 ||
                       add_bits(snap, r->to->bits, &w->targets) < 0
                   ? -1
                   : 1;
    case CX_RULE_EQUIVALENT:
        return add_syms(snap, r->members, r->nmembers, &w->relevant) < 0 ||
                       add_syms(snap, r->members, r->nmembers, &w->targets) < 0
                   ? -1
                   : 1;
    case CX_RULE_RECOGNIZE:
    case CX_RULE_DENY:
        w->all_transfers = 1;
        if (add_bits(snap, r->credentials ? r->credentials->bits : NULL, &w->relevant) < 0)
            return -1;
        return req_effect(w, s, r, NULL) < 0 ? -1 : 1;
    case CX_RULE_RENEWS:
        return add_syms(snap, &r->renewer, 1, &w->relevant) < 0 ||
                       add_syms(snap, r->members, r->nmembers, &w->relevant) < 0
                   ? -1
                   : 1;
    }
    return 0;
}

/* One pass of the closure: holders of sources of equivalences into a
 * target, and stacks whose credential (derived) became relevant. 1 when
 * anything grew. */
static int closure_pass(wctx *w, side *s)
{
    int grew = 0, rc;
    for (size_t i = 0; i < s->nrules; i++) {
        const cx_rule *r = s->by_id[i];
        if (r->kind == CX_RULE_STACK) {
            if (!set_has(&w->relevant, s->snap->credentials[r->credential].id)) continue;
            if ((rc = expand_stack(w, s, r)) < 0) return -1;
            grew |= rc;
            continue;
        }
        if (!cx__rule_is_equivalence(r)) continue;
        int eq = r->kind == CX_RULE_EQUIVALENT;
        if (eq ? !meets_syms(s->snap, r->members, r->nmembers, &w->targets)
               : !meets_bits(s->snap, r->to->bits, &w->targets))
            continue;
        idset *into[2] = {&w->relevant, &w->targets};
        for (int k = 0; k < 1 + w->any_transitive; k++) {
            rc = eq ? add_syms(s->snap, r->members, r->nmembers, into[k])
                    : add_bits(s->snap, r->from->bits, into[k]);
            if (rc < 0) return -1;
            grew |= rc;
        }
    }
    return grew;
}

/* The ids of the groups r's jurisdiction selectors name, into set. */
static int rule_groups(const cx_snapshot *s, const cx_rule *r, idset *set)
{
    for (size_t i = 0; i < r->reads.ngroups; i++)
        if (set_add(set, s->groups[r->reads.groups[i]].id) < 0) return -1;
    return 0;
}

/* The memberships of jurisdiction `at` in g (NULL: none), from *i on:
 * how many rows; they are sorted by jurisdiction (symbols compare as ids
 * do), then from. */
static size_t rows_of(const cx_snapshot *s, const cx_snap_group *g, size_t i, const char *at)
{
    size_t k = i;
    while (g && k < g->nmemberships &&
           strcmp(s->jurisdictions[g->memberships[k].jurisdiction].id, at) == 0)
        k++;
    return k - i;
}

static int same_rows(const cx_snap_membership *x, const cx_snap_membership *y, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (x[k].from != y[k].from || x[k].until != y[k].until ||
            strcmp(x[k].status ? x[k].status : "", y[k].status ? y[k].status : "") != 0)
            return 0;
    return 1;
}

/* Adds to w->moved the jurisdictions whose memberships of group id differ
 * between the sides; 1 when there is any, 0 none, -1 out of memory. */
static int moved_members(wctx *w, const char *id)
{
    const cx_snapshot *s[2] = {w->sides[0].snap, w->sides[1].snap};
    const cx_snap_group *g[2];
    size_t n[2], at[2] = {0, 0};
    int any = 0;
    for (int k = 0; k < 2; k++) {
        cx_sym sym = cx__snapshot_find(s[k], CX_KIND_GROUP, id);
        g[k] = sym == CX_NOSYM ? NULL : &s[k]->groups[sym];
        n[k] = g[k] ? g[k]->nmemberships : 0;
    }
    while (at[0] < n[0] || at[1] < n[1]) { /* merge by jurisdiction id */
        const char *j[2];
        for (int k = 0; k < 2; k++)
            j[k] =
                at[k] < n[k] ? s[k]->jurisdictions[g[k]->memberships[at[k]].jurisdiction].id : NULL;
        const char *here = !j[0] ? j[1] : !j[1] || strcmp(j[0], j[1]) <= 0 ? j[0] : j[1];
        size_t r0 = rows_of(s[0], g[0], at[0], here), r1 = rows_of(s[1], g[1], at[1], here);
        if (r0 != r1 || !same_rows(g[0]->memberships + at[0], g[1]->memberships + at[1], r0)) {
            if (set_add(&w->moved, here) < 0) return -1;
            any = 1;
        }
        at[0] += r0;
        at[1] += r1;
    }
    return any;
}

/* The credentials of r's slots and totals, into set; every credential
 * for a check, which sees every counted award, or a total without a
 * selector. */
static int req_credentials(const cx_snapshot *s, const cx_rule *r, idset *set)
{
    const cx_reads *reads = &r->reads;
    if (!reads->slots) return 0;
    if (reads->checks || reads->totals_every) return add_bits(s, NULL, set) < 0 ? -1 : 0;
    return add_bits(s, reads->slots, set) < 0 || add_bits(s, reads->totals, set) < 0 ? -1 : 0;
}

/* Does renewal r name a credential of set (its renewer or one it renews)? */
static int renewal_meets(const cx_snapshot *s, const cx_rule *r, const idset *set)
{
    return (r->renewer != CX_NOSYM && set_has(set, s->credentials[r->renewer].id)) ||
           meets_syms(s, r->members, r->nmembers, set);
}

/* w->counting: what an award must be to count toward some stack, or to
 * change how another award counts, on either side -- a credential a
 * requirement tree's slots or totals name (every credential when Lua
 * decides part of a rule: it may see any award), one a stack confers (a
 * derived award of it), a source of an equivalence into one of those,
 * and the renewer and renewed credentials of a renewal naming one (to a
 * fixpoint, for chains). An award of any other credential is read by no
 * stack: whatever the change does to it, no audit moves. The uses of
 * substitutions are added by find_holders, which scans the exceptions. */
static int counting_credentials(wctx *w)
{
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < w->sides[k].nrules; i++) {
            const cx_rule *r = w->sides[k].by_id[i];
            const cx_snapshot *s = w->sides[k].snap;
            if (r->reads.calls) return add_bits(s, NULL, &w->counting) < 0 ? -1 : 0;
            if (req_credentials(s, r, &w->counting) < 0 ||
                (r->kind == CX_RULE_STACK && add_syms(s, &r->credential, 1, &w->counting) < 0))
                return -1;
        }
    for (int grew = 1; grew;) {
        grew = 0;
        for (int k = 0; k < 2; k++)
            for (size_t i = 0; i < w->sides[k].nrules; i++) {
                const cx_rule *r = w->sides[k].by_id[i];
                const cx_snapshot *s = w->sides[k].snap;
                int rc = 0;
                if (r->kind == CX_RULE_EQUIVALENT &&
                    meets_syms(s, r->members, r->nmembers, &w->counting))
                    rc = add_syms(s, r->members, r->nmembers, &w->counting);
                else if ((r->kind == CX_RULE_COUNTS_AS || r->kind == CX_RULE_EQUIVALENCE) &&
                         meets_bits(s, r->to->bits, &w->counting))
                    rc = add_bits(s, r->from->bits, &w->counting);
                else if (r->kind == CX_RULE_RENEWS && renewal_meets(s, r, &w->counting)) {
                    int x = add_syms(s, r->members, r->nmembers, &w->counting);
                    int y = r->renewer == CX_NOSYM ? 0 : add_syms(s, &r->renewer, 1, &w->counting);
                    rc = x < 0 || y < 0 ? -1 : x | y;
                }
                if (rc < 0) return -1;
                grew |= rc;
            }
    }
    return 0;
}

/* A change of memberships of groups the rules name (member_of) moves the
 * jurisdictions whose rows differ. What can follow (docs/whatif.md): an
 * award issued in one of them may be recognised elsewhere, or no longer,
 * when a recognition or denial that names the group selects its
 * credential -- which matters when the credential can count toward some
 * stack (its holder is audited: find_holders); a stack in one of them may
 * accept awards from elsewhere, or no longer, and equivalences `within`
 * the group may apply to it, or no longer (such stacks and equivalences
 * are treated as differing rules); and every equivalence pair and
 * hypothetical transfer is decided again. */
static int group_changes(wctx *w)
{
    idset named, changed;
    int rc = 0;
    set_init(&named, &w->arena);
    set_init(&changed, &w->arena);
    for (int k = 0; k < 2 && rc == 0; k++)
        for (size_t i = 0; i < w->sides[k].nrules && rc == 0; i++) {
            const cx_rule *r = w->sides[k].by_id[i];
            const cx_snapshot *s = w->sides[k].snap;
            if (rule_groups(s, r, &named) < 0) rc = -1;
        }
    for (size_t i = 0; i < named.map.cap && rc == 0; i++) {
        const char *id = named.map.keys[i];
        int moved = id ? moved_members(w, id) : 0;
        if (moved < 0 || (moved && set_add(&changed, id) < 0)) rc = -1;
    }
    if (rc == 0 && changed.map.count) w->all_pairs = w->all_transfers = 1;
    for (int k = 0; k < 2 && rc == 0 && changed.map.count; k++)
        for (size_t i = 0; i < w->sides[k].nrules && rc == 0; i++) {
            const cx_rule *r = w->sides[k].by_id[i];
            const cx_snapshot *s = w->sides[k].snap;
            idset within;
            set_init(&within, &w->arena);
            int hit = r->kind == CX_RULE_STACK && r->jurisdiction != CX_NOSYM &&
                      set_has(&w->moved, s->jurisdictions[r->jurisdiction].id);
            int recognition = r->kind == CX_RULE_RECOGNIZE || r->kind == CX_RULE_DENY;
            if (rule_groups(s, r, &within) < 0)
                rc = -1; /* equivalences' within, recognitions'
                             into and from: no other rule has one */
            int names = 0;
            for (size_t g = 0; g < within.map.cap && !names; g++)
                names = within.map.keys[g] && set_has(&changed, within.map.keys[g]);
            if ((hit || (names && cx__rule_is_equivalence(r))) && set_add(&w->dirty, r->id) < 0)
                rc = -1;
            if (names && recognition &&
                add_bits(s, r->credentials ? r->credentials->bits : NULL, &w->carried) < 0)
                rc = -1;
            cx__strmap_free(&within.map);
        }
    cx__strmap_free(&named.map);
    cx__strmap_free(&changed.map);
    return rc;
}

/* The holders the change names: it defines them or their exceptions. */
int cx__whatif_named_holders(wctx *w)
{
    const cx_catalog *cat = w->ch && w->ch->model ? cx__catalog_loader_model(w->ch->model) : NULL;
    int bad = 0;
    for (size_t i = 0; cat && i < cat->holders.n; i++)
        bad |= set_add(&w->holders, cat->holders.v[i].id) < 0;
    for (size_t i = 0; cat && i < cat->exceptions.n; i++)
        bad |= set_add(&w->holders, cat->exceptions.v[i].holder) < 0;
    return bad ? -1 : 0;
}

/* The credentials whose facts the change touches. */
static int change_facts(wctx *w)
{
    const change *ch = w->ch;
    const cx_catalog *cat = ch && ch->model ? cx__catalog_loader_model(ch->model) : NULL;
    const cx_snapshot *before = w->sides[0].snap;
    int bad = 0;
    for (size_t i = 0; cat && i < cat->credentials.n; i++)
        bad |= set_add(&w->changed, cat->credentials.v[i].id) < 0;
    for (size_t i = 0; ch && i < ch->nremove[RM_CREDENTIALS]; i++)
        bad |= set_add(&w->changed, ch->remove[RM_CREDENTIALS][i].id) < 0 ||
               set_add(&w->removed, ch->remove[RM_CREDENTIALS][i].id) < 0;
    for (uint32_t c = 0; ch && ch->nremove[RM_COMPETENCIES] && c < ncredentials(before); c++) {
        const cx_snap_credential *cr = &before->credentials[c];
        for (uint32_t k = 0; k < cr->ncompetencies; k++)
            if (cx__whatif_removing(ch, RM_COMPETENCIES,
                                    before->competencies[cr->competencies[k]].id))
                bad |= set_add(&w->changed, cr->id) < 0;
    }
    for (size_t i = 0; i < w->changed.map.cap; i++) {
        const char *id = w->changed.map.keys[i];
        if (id) bad |= set_add(&w->relevant, id) < 0 || set_add(&w->targets, id) < 0;
    }
    return bad ? -1 : 0;
}

/* Works out what the change can affect (docs/whatif.md). */
int cx__whatif_find_scope(wctx *w)
{
    int rc = find_dirty(w);
    if (rc) return rc;
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < w->sides[k].nrules; i++)
            w->any_transitive |= w->sides[k].by_id[i]->transitive;
    if (change_facts(w) < 0 || counting_credentials(w) < 0 || group_changes(w) < 0) return nomem(w);
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < w->sides[k].nrules; i++) {
            const cx_rule *r = w->sides[k].by_id[i];
            if (set_has(&w->dirty, r->id) && rule_effect(w, &w->sides[k], r) < 0) return nomem(w);
        }
    for (int grew = 1; grew;) {
        int b = closure_pass(w, &w->sides[0]), a = closure_pass(w, &w->sides[1]);
        if (a < 0 || b < 0) return nomem(w);
        grew = a | b;
    }
    return CX_OK;
}

/* ------------------------------------------------------- the holders */

typedef struct holder_scan {
    wctx *w;
    idset *out;
    int oom;
} holder_scan;

static int award_row(void *ud, const cx_col *cols, size_t ncols)
{
    holder_scan *h = ud;
    if (ncols < 2 || !cols[0].text || !cols[1].text) return 0;
    if (set_has(&h->w->removed, cols[1].text)) h->w->rep->removed_awards++;
    int in_scope =
        (set_has(&h->w->relevant, cols[1].text) && set_has(&h->w->counting, cols[1].text)) ||
        (ncols > 2 && cols[2].text && set_has(&h->w->moved, cols[2].text) &&
         set_has(&h->w->carried, cols[1].text) && set_has(&h->w->counting, cols[1].text));
    if (in_scope && set_add(h->out, cols[0].text) < 0) {
        h->oom = 1;
        return CX_ENOMEM;
    }
    return 0;
}

static int exception_row(void *ud, const cx_col *cols, size_t ncols)
{
    holder_scan *h = ud;
    if (ncols < 5 || !cols[0].text) return 0;
    if ((cols[3].text && set_has(&h->w->removed, cols[3].text)) ||
        (cols[4].text && set_has(&h->w->removed, cols[4].text)))
        h->w->rep->removed_exceptions++;
    /* a substitution lets its `use` fill a slot of any credential: when a
     * changed membership may move the recognition of that credential, the
     * holder may move whatever the stack counts otherwise */
    int in_scope = (cols[1].text && set_has(&h->w->stacks, cols[1].text)) ||
                   (cols[4].text && set_has(&h->w->carried, cols[4].text));
    /* and its `use` counts, wherever the stack's rule does not name it */
    if ((cols[4].text && set_add(&h->w->counting, cols[4].text) < 0) ||
        (in_scope && set_add(h->out, cols[0].text) < 0)) {
        h->oom = 1;
        return CX_ENOMEM;
    }
    return 0;
}

/* Does some relevant credential count (w->counting)? When none does, no
 * award's holder can move, and the awards need no scan. */
static int relevant_counts(const wctx *w)
{
    for (size_t i = 0; i < w->relevant.map.cap; i++)
        if (w->relevant.map.keys[i] && set_has(&w->counting, w->relevant.map.keys[i])) return 1;
    return 0;
}

/* The holders to audit: those the change names, those holding a relevant
 * credential that counts (or one a moved membership may carry), those
 * with an exception for a stack in scope or substituting such a
 * credential. The exceptions come first: their substitutions' uses count. */
int cx__whatif_exception_holders(wctx *w, idset *out)
{
    holder_scan h = {w, out, 0};
    for (size_t i = 0; i < w->holders.map.cap; i++)
        if (w->holders.map.keys[i] && set_add(out, w->holders.map.keys[i]) < 0) return nomem(w);
    int rc = cx__registry_scan(w->r, CX_SCAN_EXCEPTIONS, exception_row, &h, w->err);
    return h.oom ? nomem(w) : rc;
}

int cx__whatif_scans_awards(const wctx *w)
{
    return relevant_counts(w) || w->removed.map.count || w->moved.map.count;
}

int cx__whatif_award_holders(wctx *w, idset *out)
{
    holder_scan h = {w, out, 0};
    int rc = CX_OK;
    if (cx__whatif_scans_awards(w)) {
        progress(w, "scanning", 0, 1);
        rc = cx__registry_award_holders(w->r, w->moved.map.count > 0, award_row, &h, w->err);
    }
    return h.oom ? nomem(w) : rc;
}

/* What award_row asks of an award's credential, per credential symbol. */
enum { IN_SCOPE = 1, CARRIED = 2, REMOVED = 4 };

/* award_row over the awards of s: marks in[h] for each holder symbol h in
 * scope; *removed: the awards of removed credentials. 0, or -1 on OOM. */
static int mark_award_holders(wctx *w, const cx_snapshot *s, uint8_t *in, int64_t *removed)
{
    uint32_t nc = ncredentials(s), nj = cx__snapshot_count(s, CX_KIND_JURISDICTION);
    uint8_t *cred = calloc(nc + 1, 1), *moved = calloc(nj + 1, 1);
    if (!cred || !moved) {
        free(cred);
        free(moved);
        return -1;
    }
    for (uint32_t c = 0; c < nc; c++) {
        const char *id = s->credentials[c].id;
        int counts = set_has(&w->counting, id);
        cred[c] = (uint8_t)((set_has(&w->relevant, id) && counts ? IN_SCOPE : 0) |
                            (set_has(&w->carried, id) && counts ? CARRIED : 0) |
                            (set_has(&w->removed, id) ? REMOVED : 0));
    }
    for (uint32_t j = 0; j < nj; j++)
        moved[j] = (uint8_t)set_has(&w->moved, s->jurisdictions[j].id);
    for (uint32_t i = 0; i < cx__snapshot_count(s, CX_KIND_AWARD); i++) {
        const cx_snap_award *a = &s->awards[i];
        uint8_t f = cred[a->credential];
        *removed += (f & REMOVED) != 0;
        if ((f & IN_SCOPE) ||
            ((f & CARRIED) && a->jurisdiction != CX_NOSYM && moved[a->jurisdiction]))
            in[a->holder] = 1;
    }
    free(cred);
    free(moved);
    return 0;
}

int cx__whatif_award_holders_in(wctx *w, const cx_snapshot *s, size_t most, idset *out, size_t *n)
{
    uint32_t nh = cx__snapshot_count(s, CX_KIND_HOLDER);
    uint8_t *in = calloc(nh + 1, 1);
    int rc = in ? CX_OK : nomem(w);
    *n = 0;
    if (!rc && cx__whatif_scans_awards(w)) {
        progress(w, "scanning", 0, 1);
        if (mark_award_holders(w, s, in, &w->rep->removed_awards) < 0) rc = nomem(w);
    }
    for (size_t i = 0; !rc && i < out->map.cap; i++) { /* named, or with an exception */
        if (!out->map.keys[i]) continue;
        cx_sym h = cx__snapshot_find(s, CX_KIND_HOLDER, out->map.keys[i]);
        if (h == CX_NOSYM)
            ++*n; /* a holder the change adds */
        else
            in[h] = 1;
    }
    for (uint32_t h = 0; !rc && h < nh; h++) *n += in[h];
    for (uint32_t h = 0; !rc && *n <= most && h < nh; h++)
        if (in[h] && set_add(out, s->holders[h].id) < 0) rc = nomem(w);
    free(in);
    return rc;
}
