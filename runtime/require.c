/*
 * require.c -- requirement trees against counted awards (docs/design.md §4
 * "Requirements", "No double counting", "Progress"): the allocation of
 * awards to slots is an assignment problem solved exactly by search with
 * backtracking (never first-fit), bounded by a count of steps; what is
 * missing is the smallest completion's. Shared by stacks and by the
 * `requires` of recognitions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "gaps.h"
#include "sandbox.h"
#include "util.h"

typedef struct search {
    ectx *e;
    const cx_req *root;
    const cx_counted *awards;
    size_t n;
    const cx_snap_holder *holder;
    cx_sym jurisdiction;
    int reuse;
    const cx_req_opts *opts;
    size_t nreqs;         /* requirement nodes (by index) */
    const cx_req **reqs;  /* by index */
    uint8_t *fills;       /* nreqs x n: 0 no, 1 directly, 2 through an equivalence */
    const cx_rule **via;  /* nreqs x n: the equivalence rule when fills is 2 */
    int8_t *alone;        /* per requirement needing no award: -1 unknown, 0, 1 */
    int8_t *possible;     /* per requirement: -1 unknown, 0 cannot hold whatever the
                             allocation, 1 might (see possible()) */
    uint8_t *checks;      /* per requirement: a check is in it (possible() never skips it) */
    uint8_t *used;        /* per award: slots it fills now */
    uint8_t *unverified;  /* nreqs x n: 1 when verified = true kept the award out of the slot */
    int *assign;          /* per requirement: the award filling a slot, HOLDS for a
                             requirement needing no award that the allocation
                             found holding, or -1 */
    size_t *order;        /* n: the awards adding to a total, in issue order (tally) */
    const cx_tnode **why; /* per check that returned false: its reason (sandbox-owned
                             until the decision ends), or NULL */
    const cx_req **stack; /* goal lists of the search, used as a stack */
    size_t top, cap;
    uint64_t steps;
    int failed; /* 1: search limit; 2: a rule error (err) */
    cx_error err;
} search;

/* ------------------------------------------------------------- indexing */

static void index_tree(search *s, const cx_req *q)
{
    if ((size_t)q->index >= s->nreqs) s->nreqs = (size_t)q->index + 1;
    for (size_t i = 0; i < q->nparts; i++) index_tree(s, q->parts[i]);
}

static void fill_index(search *s, const cx_req *q)
{
    s->reqs[q->index] = q;
    for (size_t i = 0; i < q->nparts; i++) fill_index(s, q->parts[i]);
}

/* s->checks: 1 for each requirement with a check in it. */
static int mark_checks(search *s, const cx_req *q)
{
    int any = q->kind == CX_REQ_CHECK;
    for (size_t i = 0; i < q->nparts; i++) any |= mark_checks(s, q->parts[i]);
    s->checks[q->index] = (uint8_t)any;
    return any;
}

#define HOLDS (-2) /* assign[]: holds in the allocation found, with no award */

static int is_slot(const cx_req *q)
{
    return q->kind <= CX_REQ_COMPETENCY;
}

/* ----------------------------------------------------------- slot fills */

static int grade_ok(const search *s, const cx_req *q, const cx_counted *a)
{
    if (!q->min_grade) return 1;
    if (!a->award || a->award->grade_rank < 0) return 0;
    const cx_snap_credential *c = &s->e->snap->credentials[a->credential];
    for (uint32_t i = 0; i < c->ngrades; i++)
        if (strcmp(c->grades[i], q->min_grade) == 0) return a->award->grade_rank >= (int)i;
    return 0; /* the minimum is not on this credential's scale */
}

static int results_ok(const search *s, const cx_req *q, const cx_counted *a)
{
    if (!q->nmin_results) return 1;
    if (!a->award) return 0;
    uint32_t n;
    const cx_snap_result *r = cx__snapshot_results(s->e->snap, a->award, &n);
    for (size_t k = 0; k < q->nmin_results; k++) {
        uint32_t i = 0;
        while (i < n && strcmp(r[i].key, q->min_results[k].key) != 0) i++;
        if (i == n || r[i].value == CX_NO_NUMBER || r[i].value < q->min_results[k].value) return 0;
    }
    return 1;
}

/* Whether award a can fill slot q, and how (the matrix is filled once). */
static void compute_fill(search *s, const cx_req *q, size_t i)
{
    const cx_counted *a = &s->awards[i];
    size_t at = (size_t)q->index * s->n + i;
    const cx_rule *via = NULL;
    int how = 0;
    if (q->kind == CX_REQ_CREDENTIAL) {
        for (size_t k = 0; s->opts && k < s->opts->nsubs && !how; k++)
            if (s->opts->subs[k]->substitute_for == q->credential &&
                s->opts->subs[k]->substitute_use == a->credential)
                how = 3; /* a holder exception: `use` fills slots of `for` */
        if (how)
            ;
        else if (a->credential == q->credential)
            how = 1;
        else if (cx__eval_equivalent(s->e, a->credential, q->credential, s->jurisdiction, a->issued,
                                     NULL, &via) == CX_EQUIVALENT)
            how = 2;
    } else if (q->fills[a->credential / 64] >> (a->credential % 64) & 1) {
        how = 1;
    }
    if (how && (!grade_ok(s, q, a) || !results_ok(s, q, a))) how = 0;
    if (how && q->verified && !cx__eval_verified(a)) {
        how = 0;
        s->unverified[at] = 1;
    }
    s->fills[at] = (uint8_t)how;
    s->via[at] = via;
}

/* ------------------------------------------- requirements needing no award */

static int compare_attr(const cx_snap_attr *attr, const cx_req *q)
{
    /* numeric when both sides are catalog numbers, else byte-wise */
    int64_t want = cx__parse_number(q->value);
    int cmp = attr->number != CX_NO_NUMBER && want != CX_NO_NUMBER
                  ? (attr->number < want ? -1 : attr->number > want)
                  : strcmp(attr->value, q->value);
    switch (q->op) {
    case CX_OP_EQ:
        return cmp == 0;
    case CX_OP_NE:
        return cmp != 0;
    case CX_OP_LT:
        return cmp < 0;
    case CX_OP_LE:
        return cmp <= 0;
    case CX_OP_GT:
        return cmp > 0;
    case CX_OP_GE:
        return cmp >= 0;
    }
    return 0;
}

/* Calls check(function(ctx)) with ctx.holder, ctx.holder_attributes,
 * ctx.as_of and ctx.awards (each {id, credential, issued, expires,
 * jurisdiction}): docs/rules.md, "check". */
static int call_check(search *s, const cx_req *q)
{
    ectx *e = s->e;
    size_t n = s->n;
    cx_tnode *nodes = calloc(n * 6 + 8, sizeof *nodes);
    cx_tfield *fields = calloc(n * 5 + 4, sizeof *fields);
    const cx_tnode **items = calloc(n + 1, sizeof *items);
    char(*dates)[2][11] = calloc(n + 1, sizeof *dates);
    int result = -1;
    if (!nodes || !fields || !items || !dates) {
        e->oom = 1;
        goto done;
    }
    static const char *const keys[5] = {"credential", "expires", "id", "issued", "jurisdiction"};
    for (size_t i = 0; i < n; i++) {
        const cx_counted *a = &s->awards[i];
        cx__date_format(a->issued, dates[i][0]);
        if (a->expires == CX_DATE_NEVER)
            strcpy(dates[i][1], "never");
        else
            cx__date_format(a->expires, dates[i][1]);
        const char *vals[5] = {cx__eval_id(e, CX_KIND_CREDENTIAL, a->credential), dates[i][1],
                               a->id ? a->id : "", dates[i][0],
                               cx__eval_id(e, CX_KIND_JURISDICTION, a->jurisdiction)};
        for (size_t k = 0; k < 5; k++) {
            cx_tnode *v = &nodes[i * 6 + k];
            v->kind = CX_TSTRING;
            v->as.string.bytes = vals[k];
            v->as.string.len = strlen(vals[k]);
            fields[i * 5 + k] = (cx_tfield){keys[k], strlen(keys[k]), v};
        }
        cx_tnode *m = &nodes[i * 6 + 5];
        m->kind = CX_TMAP;
        m->as.table.fields = &fields[i * 5];
        m->as.table.nfields = 5;
        items[i] = m;
    }
    cx_tnode *list = &nodes[n * 6], *asof = &nodes[n * 6 + 1], *holder = &nodes[n * 6 + 2],
             *ctx = &nodes[n * 6 + 3];
    list->kind = CX_TLIST;
    list->as.table.items = items;
    list->as.table.nitems = n;
    asof->kind = CX_TSTRING;
    asof->as.string.bytes = e->as_of_text;
    asof->as.string.len = 10;
    size_t nf = 0;
    cx_tfield *cf = &fields[n * 5];
    cf[nf++] = (cx_tfield){"as_of", 5, asof};
    cf[nf++] = (cx_tfield){"awards", 6, list};
    if (s->holder) {
        holder->kind = CX_TSTRING;
        holder->as.string.bytes = s->holder->id;
        holder->as.string.len = strlen(s->holder->id);
        cf[nf++] = (cx_tfield){"holder", 6, holder};
    }
    const cx_tnode *attrs = cx__eval_holder_attributes(e, s->holder);
    if (attrs) cf[nf++] = (cx_tfield){"holder_attributes", 17, attrs};
    ctx->kind = CX_TMAP;
    ctx->as.table.fields = cf;
    ctx->as.table.nfields = nf;
    const cx_tnode *args[1] = {ctx}, *res = NULL;
    if (cx__eval_call(e, q->pack, q->fn, args, 1, &res, &s->err) != CX_OK) {
        s->failed = 2;
        goto done;
    }
    const cx_tnode *first = res && res->as.table.nitems ? res->as.table.items[0] : NULL;
    if (first && first->kind == CX_TBOOL) {
        result = first->as.boolean;
        if (!result && res->as.table.nitems > 1 && res->as.table.items[1]->kind == CX_TSTRING)
            s->why[q->index] = res->as.table.items[1];
    } else {
        cx__error(&s->err, CX_EINPUT, q->src.file, q->src.line, 0,
                  "check must return true, or false and a reason");
        s->failed = 2;
    }
done:
    free(nodes);
    free(fields);
    free(items);
    free(dates);
    return result;
}

/* ---------------------------------------------------------------- totals */

/* Whether counted award i adds anything to total q: not derived (derived
 * awards add nothing to totals), selected, and carrying what q adds up --
 * hours, or for sum the attribute as a number (and the group_by attribute
 * when there is one). */
static int adds_to_any(const search *s, const cx_req *q, size_t i)
{
    const cx_counted *a = &s->awards[i];
    if (a->derived || (q->selector && !cx__eval_selects(q->selector, a->credential, a->issued)))
        return 0;
    if (q->kind == CX_REQ_HOURS) return a->hours != CX_NO_NUMBER && a->hours > 0;
    const cx_snap_credential *c = &s->e->snap->credentials[a->credential];
    const cx_snap_attr *v = cx__snapshot_attr(c->attrs, c->nattrs, q->attr);
    return v && v->number != CX_NO_NUMBER && v->number > 0 &&
           (!q->group_by || cx__snapshot_attr(c->attrs, c->nattrs, q->group_by));
}

/* adds_to_any, and verified when q says verified = true. */
static int adds_to(const search *s, const cx_req *q, size_t i)
{
    if (q->verified && !cx__eval_verified(&s->awards[i])) return 0;
    return adds_to_any(s, q, i);
}

/* The group_by value of award i's credential (for an award that adds_to q). */
static const char *group_of(const search *s, const cx_req *q, size_t i)
{
    const cx_snap_credential *c = &s->e->snap->credentials[s->awards[i].credential];
    return cx__snapshot_attr(c->attrs, c->nattrs, q->group_by)->value;
}

/* Issue order: by issue date, then award id (derived awards add nothing). */
static int before(const cx_counted *a, const cx_counted *b)
{
    if (a->issued != b->issued) return a->issued < b->issued;
    return a->id && b->id && strcmp(a->id, b->id) < 0;
}

/* What award i adds to total q within group (NULL: every group): its hours;
 * for sum its credential's attribute, counted once per credential (on the
 * credential's first award in issue order that adds to q). */
static int64_t amount(const search *s, const cx_req *q, size_t i, const char *group)
{
    if (!adds_to(s, q, i)) return 0;
    if (q->kind == CX_REQ_HOURS) return s->awards[i].hours;
    if (group && strcmp(group_of(s, q, i), group) != 0) return 0;
    for (size_t k = 0; k < s->n; k++)
        if (k != i && s->awards[k].credential == s->awards[i].credential && adds_to(s, q, k) &&
            before(&s->awards[k], &s->awards[i]))
            return 0;
    const cx_snap_credential *c = &s->e->snap->credentials[s->awards[i].credential];
    return cx__snapshot_attr(c->attrs, c->nattrs, q->attr)->number;
}

/* Adds up total q within group (NULL: every group). The awards that add to
 * it go to s->order in issue order; *ncomp is how many of them reached the
 * threshold (all of them when it is not reached): the total's components,
 * so a total is complete on the day its threshold was first reached. */
static int64_t tally(search *s, const cx_req *q, const char *group, size_t *ncomp)
{
    size_t m = 0, j = 0;
    int64_t sum = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (amount(s, q, i, group) <= 0) continue;
        size_t at = m++; /* insertion sort: few awards per holder */
        while (at > 0 && before(&s->awards[i], &s->awards[s->order[at - 1]])) {
            s->order[at] = s->order[at - 1];
            at--;
        }
        s->order[at] = i;
    }
    while (j < m && sum < q->threshold) sum += amount(s, q, s->order[j++], group);
    *ncomp = j;
    for (size_t k = j; k < m; k++) sum += amount(s, q, s->order[k], group);
    return sum;
}

/* Total q over its best group: with group_by, of the groups that reach the
 * threshold the one that reached it first (then the least group value in
 * byte order); when none does, the largest total. *group gets the group
 * (NULL without group_by), s->order and *ncomp its components (tally). */
static int64_t total(search *s, const cx_req *q, const char **group, size_t *ncomp)
{
    int64_t best = -1;
    cx_date best_done = CX_DATE_NEVER;
    *group = NULL;
    if (q->kind == CX_REQ_HOURS || !q->group_by) return tally(s, q, NULL, ncomp);
    for (size_t g = 0; g < s->n; g++) { /* each group of an award that adds, once */
        if (!adds_to(s, q, g)) continue;
        const char *gv = group_of(s, q, g);
        size_t k = 0;
        while (k < g && !(adds_to(s, q, k) && strcmp(group_of(s, q, k), gv) == 0)) k++;
        if (k < g) continue;
        int64_t sum = tally(s, q, gv, ncomp);
        int met = sum >= q->threshold, best_met = best >= q->threshold;
        cx_date done = met && *ncomp ? s->awards[s->order[*ncomp - 1]].issued : INT32_MIN;
        int better = best < 0 || (met && !best_met);
        if (!better && met == best_met) {
            if (met ? done != best_done : sum != best)
                better = met ? done < best_done : sum > best;
            else
                better = strcmp(gv, *group) < 0;
        }
        if (better) {
            best = sum;
            best_done = done;
            *group = gv;
        }
    }
    if (best < 0) {
        *ncomp = 0;
        return 0;
    }
    return tally(s, q, *group, ncomp); /* the best group's components in s->order */
}

/* Requirements that need no award hold or not whatever the allocation:
 * computed once. -1 on error (s->failed). */
static int waived(const search *s, const cx_req *q)
{
    return s->opts && s->opts->waived && (size_t)q->index < s->opts->nwaived &&
           s->opts->waived[q->index];
}

static int alone(search *s, const cx_req *q)
{
    if (s->alone[q->index] >= 0) return s->alone[q->index];
    const char *group;
    size_t ncomp;
    int r = 0;
    switch (q->kind) {
    case CX_REQ_HOURS:
    case CX_REQ_SUM:
        r = total(s, q, &group, &ncomp) >= q->threshold;
        break;
    case CX_REQ_HOLDER_ATTR: {
        const cx_snap_attr *a =
            s->holder ? cx__snapshot_attr(s->holder->attrs, s->holder->nattrs, q->key) : NULL;
        r = a && compare_attr(a, q);
        break;
    }
    case CX_REQ_CHECK:
        r = call_check(s, q);
        break;
    default:
        break;
    }
    if (r < 0) return -1;
    s->alone[q->index] = (int8_t)r;
    return r;
}

/* ------------------------------------------------------------ the search */

/* A goal list of n entries from the search's stack (no malloc in the hot
 * path), or from the heap when the stack is full; release in LIFO order. */
static const cx_req **goals_take(search *s, size_t n)
{
    if (s->top + n <= s->cap) {
        const cx_req **p = s->stack + s->top;
        s->top += n;
        return p;
    }
    const cx_req **p = malloc((n + 1) * sizeof *p);
    if (!p) s->e->oom = 1;
    return p;
}

static void goals_give(search *s, const cx_req **p, size_t n)
{
    if (p >= s->stack && p < s->stack + s->cap)
        s->top -= n;
    else
        free(p);
}

/* Whether q could hold if every award were free to fill every slot: a
 * necessary condition, memoized, that lets the search skip at once what
 * no allocation can meet (a slot nothing fills, a choice with too few
 * such parts). A requirement with a check in it is always possible: the
 * search must call the checks it called before pruning, so that their
 * reasons, errors and coverage do not depend on what it skips. Skipping a
 * goal without checks skips none: the unpruned search would fail inside
 * it before reaching the goals after it. -1 on error. */
static int possible(search *s, const cx_req *q)
{
    int8_t *m = &s->possible[q->index];
    int r = 0;
    if (s->checks[q->index]) return 1;
    if (*m >= 0) return *m;
    if (waived(s, q)) {
        r = 1;
    } else if (is_slot(q)) {
        for (size_t i = 0; i < s->n && !r; i++) r = s->fills[(size_t)q->index * s->n + i] != 0;
    } else if (q->kind == CX_REQ_ALL || q->kind == CX_REQ_ANY || q->kind == CX_REQ_AT_LEAST) {
        size_t k = 0;
        for (size_t i = 0; i < q->nparts; i++) {
            int p = possible(s, q->parts[i]);
            if (p < 0) return -1;
            k += (size_t)p;
        }
        r = k >= q->need;
    } else if ((r = alone(s, q)) < 0) {
        return -1;
    }
    *m = (int8_t)r;
    return r;
}

/* Satisfies every goal with distinct awards: 1 yes, 0 no, -1 stopped. */
static int solve(search *s, const cx_req **goals, size_t ngoals);

static int choose(search *s, const cx_req *q, size_t start, const cx_req **chosen, size_t k,
                  const cx_req **rest, size_t nrest)
{
    if (k == q->need) {
        const cx_req **goals = goals_take(s, k + nrest);
        if (!goals) return -1;
        memcpy(goals, chosen, k * sizeof *goals);
        if (nrest) memcpy(goals + k, rest, nrest * sizeof *goals);
        int r = solve(s, goals, k + nrest);
        goals_give(s, goals, k + nrest);
        return r;
    }
    for (size_t i = start; i + (q->need - k) <= q->nparts; i++) {
        /* with a check among the parts, every combination is tried: an
         * earlier part's check runs before a later part fails */
        int p = s->checks[q->index] ? 1 : possible(s, q->parts[i]);
        if (p <= 0) {
            if (p < 0) return -1;
            continue;
        }
        chosen[k] = q->parts[i];
        int r = choose(s, q, i + 1, chosen, k + 1, rest, nrest);
        if (r != 0) return r;
    }
    return 0;
}

static int solve(search *s, const cx_req **goals, size_t ngoals)
{
    if (s->failed) return -1;
    if (++s->steps > CX_SEARCH_LIMIT) {
        s->failed = 1;
        return -1;
    }
    if (ngoals == 0) return 1;
    const cx_req *q = goals[0], **rest = goals + 1;
    size_t nrest = ngoals - 1;
    if (waived(s, q)) return solve(s, rest, nrest); /* an exception: it holds */
    int p = possible(s, q);
    if (p <= 0) return p;
    if (is_slot(q)) {
        for (size_t i = 0; i < s->n; i++) {
            if ((s->used[i] && !s->reuse) || !s->fills[(size_t)q->index * s->n + i]) continue;
            s->used[i]++;
            s->assign[q->index] = (int)i;
            int r = solve(s, rest, nrest);
            if (r != 0) return r;
            s->used[i]--;
            s->assign[q->index] = -1;
        }
        return 0;
    }
    if (q->kind == CX_REQ_ALL || q->kind == CX_REQ_ANY || q->kind == CX_REQ_AT_LEAST) {
        const cx_req **chosen = goals_take(s, q->nparts);
        if (!chosen) return -1;
        int r = choose(s, q, 0, chosen, 0, rest, nrest);
        goals_give(s, chosen, q->nparts);
        return r;
    }
    int r = alone(s, q);
    if (r <= 0) return r;
    s->assign[q->index] = HOLDS; /* so a met total's awards date the stack */
    r = solve(s, rest, nrest);
    if (r == 0) s->assign[q->index] = -1;
    return r;
}

/* ------------------------------------------------------- what is missing */

static void report_used(search *s);

size_t cx__req_forced(const cx_req *q, const cx_req **out, size_t max)
{
    if (q->kind != CX_REQ_ALL || q->label) {
        if (max) out[0] = q;
        return 1;
    }
    size_t n = 0;
    for (size_t i = 0; i < q->nparts; i++)
        n += cx__req_forced(q->parts[i], out + n, n < max ? max - n : 0);
    return n;
}

/* How many credentials could fill q: a slot's credential set, a
 * structure's parts' together; SIZE_MAX for what competes for no award. */
static size_t fillers(const search *s, const cx_req *q)
{
    size_t n = 0;
    if (is_slot(q)) {
        size_t words = (cx__snapshot_count(s->e->snap, CX_KIND_CREDENTIAL) + 63) / 64;
        for (size_t w = 0; w < words; w++)
            for (uint64_t x = q->fills[w]; x; x &= x - 1) n++;
        return n;
    }
    for (size_t i = 0; i < q->nparts; i++) {
        size_t k = fillers(s, q->parts[i]);
        if (k != SIZE_MAX) n += k;
    }
    return n ? n : SIZE_MAX;
}

/* Whether a is more specific than b: fewer credentials could fill it, then
 * byte order of its label or text. */
static int more_specific(const search *s, const cx_req *a, const cx_req *b)
{
    size_t fa = fillers(s, a), fb = fillers(s, b);
    if (fa != fb) return fa < fb;
    return strcmp(a->label ? a->label : a->text, b->label ? b->label : b->text) < 0;
}

/* Sorts v most specific first (insertion sort: a handful of requirements).
 * When a holder's awards can meet either of two requirements but not both,
 * the more specific one is kept and the more general one reported missing
 * (a networking certification rather than Network+ itself), so that what
 * is missing never depends on the order the parts are listed in. */
static void by_specificity(const search *s, const cx_req **v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        const cx_req *q = v[i];
        size_t j = i;
        for (; j > 0 && more_specific(s, q, v[j - 1]); j--) v[j] = v[j - 1];
        v[j] = q;
    }
}

/* The largest set of forced requirements met together (earlier ones in f
 * first on ties): *keep[i] set for the members. */
static int best_subset(search *s, const cx_req **f, size_t nf, uint8_t *keep)
{
    const cx_req *goals[64];
    int found = 0;
    for (size_t size = nf; size > 0 && !found; size--) {
        /* subsets of this size in lexicographic order of indices */
        size_t idx[64];
        if (size > 64) break;
        for (size_t i = 0; i < size; i++) idx[i] = i;
        for (;;) {
            for (size_t i = 0; i < size; i++) goals[i] = f[idx[i]];
            memset(s->used, 0, s->n);
            int r = solve(s, goals, size);
            if (r < 0) return -1;
            if (r == 1) {
                memset(keep, 0, nf);
                for (size_t i = 0; i < size; i++) keep[idx[i]] = 1;
                found = 1;
                break;
            }
            size_t i = size;
            while (i > 0 && idx[i - 1] == nf - size + i - 1) i--;
            if (i == 0) break;
            idx[i - 1]++;
            for (size_t j = i; j < size; j++) idx[j] = idx[j - 1] + 1;
        }
    }
    if (!found) memset(keep, 0, nf);
    return 0;
}

/* A choice that is still open: the parts that fit beside the requirements
 * applied so far join them (*napplied grows by *took; the most specific
 * parts are tried first), and the rest is described as `at_least(k) { alternatives }`
 * (in the order written), or by the choice's label. Returns the
 * description (malloc'd, the caller frees it) or NULL when out of memory. */
static char *open_choice(search *s, const cx_req *q, const cx_req **applied, size_t *napplied,
                         size_t *took)
{
    const cx_req *local[64];
    const cx_req **parts =
        q->nparts <= 64 ? local : malloc((q->nparts + 1) * sizeof *parts); /* few, nearly always */
    size_t k = 0;
    cx_buf b;
    cx__buf_init(&b);
    if (!parts) goto done;
    memcpy(parts, q->parts, q->nparts * sizeof *parts);
    by_specificity(s, parts, q->nparts);
    for (size_t i = 0; i < q->nparts && k < q->need; i++) { /* parts that fit with the rest */
        applied[*napplied] = parts[i];
        memset(s->used, 0, s->n);
        if (solve(s, applied, *napplied + 1) == 1) {
            k++;
            (*napplied)++;
        }
    }
    *took = k;
    if (q->label) {
        cx__buf_puts(&b, q->label);
        goto done;
    }
    cx__buf_printf(&b, "at_least(%zu) { ", q->need - k);
    size_t listed = 0;
    for (size_t i = 0; i < q->nparts; i++) {
        size_t t = *napplied - k; /* the parts taken are the last k applied */
        while (t < *napplied && applied[t] != q->parts[i]) t++;
        if (t < *napplied) continue;
        if (listed++) cx__buf_puts(&b, ", ");
        cx__buf_puts(&b, q->parts[i]->text);
    }
    cx__buf_puts(&b, " }");
done:
    if (parts != local) free(parts);
    if (!parts || b.oom) {
        s->e->oom = 1;
        cx__buf_free(&b);
        return NULL;
    }
    return b.data; /* the buffer's memory, now the caller's */
}

/* ------------------------------------------------------------------ gaps */

static size_t cred_words(const search *s)
{
    return (cx__snapshot_count(s->e->snap, CX_KIND_CREDENTIAL) + 63) / 64;
}

static int has(const uint64_t *set, cx_sym c)
{
    return set[c / 64] >> (c % 64) & 1;
}

/* The credentials total q could count, whatever the holder holds:
 * selected (as for an award issued on the as-of date) and carrying what
 * it adds up (for a sum with group_by, the group attribute too). Computed
 * once per context and total, in the context's scratch; NULL when out of
 * memory. */
static const uint64_t *total_fillers(search *s, const cx_req *q)
{
    ectx *e = s->e;
    for (const cx_gap_set *p = e->gap_sets; p; p = p->next)
        if (p->req == q) return p->set;
    size_t words = cred_words(s);
    uint32_t nc = cx__snapshot_count(e->snap, CX_KIND_CREDENTIAL);
    cx_gap_set *p = cx__arena_alloc(&e->scratch, sizeof *p + words * sizeof(uint64_t));
    if (!p) {
        e->oom = 1;
        return NULL;
    }
    memset(p->set, 0, words * sizeof(uint64_t));
    for (cx_sym c = 0; c < nc; c++) {
        const cx_snap_credential *cr = &e->snap->credentials[c];
        if (q->selector && !cx__eval_selects(q->selector, c, e->as_of)) continue;
        if (q->kind == CX_REQ_HOURS) {
            if (cr->hours == CX_NO_NUMBER || cr->hours <= 0) continue;
        } else {
            const cx_snap_attr *v = cx__snapshot_attr(cr->attrs, cr->nattrs, q->attr);
            if (!v || v->number == CX_NO_NUMBER || v->number <= 0 ||
                (q->group_by && !cx__snapshot_attr(cr->attrs, cr->nattrs, q->group_by)))
                continue;
        }
        p->set[c / 64] |= UINT64_C(1) << (c % 64);
    }
    p->req = q;
    p->next = e->gap_sets;
    e->gap_sets = p;
    return p->set;
}

/* Adds to set the credentials that could count toward q: a slot's fill
 * set; a total's fillers (a sum with group_by: in group, unless NULL); a
 * structure's parts', but those in skip[0..nskip). */
static void could_count(search *s, const cx_req *q, uint64_t *set, const cx_req *const *skip,
                        size_t nskip, const char *group)
{
    size_t words = cred_words(s);
    if (is_slot(q)) {
        for (size_t w = 0; w < words; w++) set[w] |= q->fills[w];
        return;
    }
    if (q->kind == CX_REQ_HOURS || q->kind == CX_REQ_SUM) {
        const uint64_t *f = total_fillers(s, q);
        for (size_t w = 0; f && w < words; w++) {
            uint64_t x = f[w];
            for (cx_sym c = (cx_sym)(w * 64); x; x >>= 1, c++) {
                const cx_snap_credential *cr = &s->e->snap->credentials[c];
                if ((x & 1) &&
                    (!group || strcmp(cx__snapshot_attr(cr->attrs, cr->nattrs, q->group_by)->value,
                                      group) == 0))
                    set[w] |= UINT64_C(1) << (c % 64);
            }
        }
        return;
    }
    for (size_t i = 0; i < q->nparts; i++) {
        size_t k = 0;
        while (k < nskip && skip[k] != q->parts[i]) k++;
        if (k == nskip) could_count(s, q->parts[i], set, NULL, 0, NULL);
    }
}

/* The credential a `renews` rule in force on the as-of date renews
 * credential c with (the least id when several do), or NULL. */
static const char *renewer_of(const search *s, cx_sym c)
{
    const ectx *e = s->e;
    cx_sym best = CX_NOSYM;
    for (size_t k = 0; k < e->nrules; k++) {
        const cx_rule *r = e->rules[k];
        if (r->kind != CX_RULE_RENEWS || !cx__eval_effective(r, e->as_of)) continue;
        for (size_t m = 0; m < r->nmembers; m++)
            if (r->members[m] == c && (best == CX_NOSYM || r->renewer < best)) best = r->renewer;
    }
    return best == CX_NOSYM ? NULL : cx__eval_id(e, CX_KIND_CREDENTIAL, best);
}

/* Gap g's options (the credentials in set but not in drop, in byte order
 * of id, as symbols are) and the expired awards of a credential in set. */
static void gap_fill(search *s, cx_gap *g, const uint64_t *set, const uint64_t *drop)
{
    size_t words = cred_words(s);
    for (size_t w = 0; w < words; w++) {
        uint64_t x = set[w] & ~drop[w];
        for (cx_sym c = (cx_sym)(w * 64); x; x >>= 1, c++)
            if (x & 1) cx__eval_gap_option(s->e, g, cx__eval_id(s->e, CX_KIND_CREDENTIAL, c));
    }
    for (size_t i = 0; i < s->opts->nexpired; i++) {
        const cx_counted *a = &s->opts->expired[i];
        if (has(set, a->credential)) cx__eval_gap_expired(s->e, g, a, renewer_of(s, a->credential));
    }
}

/* The parts of q that fit beside applied[0..napplied) and each other, in
 * the order written: put after applied's end (napplied stays); how many.
 * Their search steps do not count toward the decision's limit, which a
 * gap must not change. */
static size_t parts_fitting(search *s, const cx_req *q, const cx_req **applied, size_t napplied)
{
    uint64_t steps = s->steps;
    int failed = s->failed;
    size_t k = 0;
    for (size_t i = 0; i < q->nparts && !s->failed; i++) {
        applied[napplied + k] = q->parts[i];
        memset(s->used, 0, s->n);
        if (solve(s, applied, napplied + k + 1) == 1) k++;
    }
    s->steps = steps;
    s->failed = failed;
    return k;
}

/* Whether every part of q is a slot: its amounts count credentials. */
static int parts_are_slots(const cx_req *q)
{
    for (size_t i = 0; i < q->nparts; i++)
        if (!is_slot(q->parts[i])) return 0;
    return 1;
}

/* The gap of unmet forced requirement q, missing as what: a total's
 * amount over its best group; a choice's parts taken (taken[0..ntaken),
 * by open_choice), a labelled all's parts that fit beside applied; a slot
 * or a condition as one of one. set: 2 x cred_words scratch. */
static void report_gap(search *s, const cx_req *q, const char *what, const cx_req **applied,
                       size_t napplied, const cx_req *const *taken, size_t ntaken, uint64_t *set)
{
    size_t words = cred_words(s);
    uint64_t *drop = set + words;
    const char *group = NULL;
    cx_gap *g;
    memset(set, 0, 2 * words * sizeof *set);
    if (q->kind == CX_REQ_HOURS || q->kind == CX_REQ_SUM) {
        size_t ncomp;
        int64_t have = total(s, q, &group, &ncomp);
        g = cx__eval_gap(s->e, what, q->kind == CX_REQ_HOURS ? "hours" : q->attr, q->threshold,
                         have);
        could_count(s, q, set, NULL, 0, group);
        for (size_t i = 0; i < s->n; i++) /* what it counts already is no option */
            if (adds_to(s, q, i) && (!group || strcmp(group_of(s, q, i), group) == 0))
                drop[s->awards[i].credential / 64] |= UINT64_C(1) << (s->awards[i].credential % 64);
    } else if (q->kind == CX_REQ_HOLDER_ATTR || q->kind == CX_REQ_CHECK) {
        g = cx__eval_gap(s->e, what, "conditions", 100, 0);
    } else if (q->kind == CX_REQ_ALL || q->kind == CX_REQ_ANY || q->kind == CX_REQ_AT_LEAST) {
        if (q->kind == CX_REQ_ALL) {
            ntaken = parts_fitting(s, q, applied, napplied);
            taken = applied + napplied;
        }
        g = cx__eval_gap(s->e, what, parts_are_slots(q) ? "credentials" : "requirements",
                         (int64_t)q->need * 100, (int64_t)ntaken * 100);
        could_count(s, q, set, taken, ntaken, NULL);
    } else {
        g = cx__eval_gap(s->e, what, "credentials", 100, 0);
        could_count(s, q, set, NULL, 0, NULL);
    }
    if (g) gap_fill(s, g, set, drop);
}

/* For the explain tree: the parts of each labelled all left unmet that fit
 * beside the completion applied[0..napplied) join it in s->assign (as its
 * gap counts them); `used` stays the completion's. */
static void explain_alls(search *s, const cx_req **f, size_t nf, const cx_req **g,
                         const uint8_t *keep, const cx_req **applied, size_t napplied)
{
    uint64_t steps = s->steps;
    int failed = s->failed;
    size_t n = napplied;
    for (size_t i = 0; i < nf; i++) {
        size_t j = 0;
        while (g[j] != f[i]) j++;
        if (!keep[j] && f[i]->kind == CX_REQ_ALL) n += parts_fitting(s, f[i], applied, n);
    }
    for (int pass = 0; n > napplied && pass < 2; pass++) { /* with them, else without */
        memset(s->used, 0, s->n);
        for (size_t k = 0; k < s->nreqs; k++) s->assign[k] = -1;
        if (solve(s, applied, pass ? napplied : n) == 1 || !napplied) break;
    }
    s->steps = steps;
    s->failed = failed;
}

/* What the smallest completion still needs (docs/design.md §4 Progress), and the
 * awards applied to what is met so far. The forced requirements are
 * weighed most specific first (by_specificity) and reported in the order
 * written. */
static void report_missing(search *s)
{
    const cx_req *f[64], *g[64];
    uint8_t keep[64];
    char *choice[64] = {0};     /* per f[i]: an open choice's description */
    size_t took[64], first[64]; /* per open choice f[i]: its parts taken, from applied[first] */
    int gaps = s->opts && s->opts->details & CX_DETAIL_GAPS;
    uint64_t *set = NULL; /* report_gap's scratch */
    size_t nf = cx__req_forced(s->root, f, 64);
    if (nf > 64) nf = 64;
    memcpy(g, f, nf * sizeof *g);
    by_specificity(s, g, nf);
    if (best_subset(s, g, nf, keep) < 0) return;
    size_t cap = 64, napplied = 0;
    for (size_t i = 0; i < nf; i++) cap += g[i]->nparts;
    const cx_req *local[256];
    const cx_req **applied = cap <= 256 ? local : malloc(cap * sizeof *applied);
    if (!applied) {
        s->e->oom = 1;
        return;
    }
    for (size_t j = 0; j < nf; j++)
        if (keep[j]) applied[napplied++] = g[j];
    for (size_t j = 0; j < nf; j++) { /* open choices, most specific first */
        if (keep[j] || (g[j]->kind != CX_REQ_ANY && g[j]->kind != CX_REQ_AT_LEAST)) continue;
        size_t i = 0;
        while (f[i] != g[j]) i++;
        first[i] = napplied;
        choice[i] = open_choice(s, g[j], applied, &napplied, &took[i]);
    }
    if (gaps && !(set = calloc(2 * cred_words(s) + 1, sizeof *set))) {
        s->e->oom = 1;
        gaps = 0;
    }
    for (size_t i = 0; i < nf; i++) {
        const cx_req *q = f[i];
        size_t j = 0;
        while (g[j] != q) j++;
        if (keep[j]) continue;
        int open = q->kind == CX_REQ_ANY || q->kind == CX_REQ_AT_LEAST;
        const char *what = open       ? choice[i]
                           : q->label ? q->label
                           : q->kind == CX_REQ_CREDENTIAL
                               ? cx__eval_id(s->e, CX_KIND_CREDENTIAL, q->credential)
                               : q->text;
        if (what) cx__eval_missing(s->e, what);
        if (what && gaps)
            report_gap(s, q, what, applied, napplied, open ? applied + first[i] : NULL,
                       open ? took[i] : 0, set);
        free(choice[i]);
    }
    free(set);
    memset(s->used, 0, s->n);
    for (size_t k = 0; k < s->nreqs; k++) s->assign[k] = -1;
    if (napplied && solve(s, applied, napplied) == 1) report_used(s);
    if (s->opts && s->opts->details & CX_DETAIL_EXPLAIN)
        explain_alls(s, f, nf, g, keep, applied, napplied);
    if (applied != local) free(applied);
}

/* --------------------------------------------------------------- explain */

/* "AWARD (CREDENTIAL)" of counted award a. */
static void explain_award(search *s, cx_buf *b, const cx_counted *a)
{
    cx__buf_puts(b, a->id ? a->id : "derived");
    cx__buf_printf(b, " (%s)", cx__eval_id(s->e, CX_KIND_CREDENTIAL, a->credential));
}

/* A total's amounts and the awards that reached them: "hours 95 of 120:
 * a1 (C1), a2 (C2)". Returns its state: 2 met, 1 partly, 0 not. */
static int explain_total(search *s, const cx_req *q, cx_buf *b)
{
    const char *group;
    size_t ncomp;
    int64_t have = total(s, q, &group, &ncomp);
    cx__buf_puts(b, q->kind == CX_REQ_HOURS ? "hours" : q->attr);
    cx__buf_puts(b, " ");
    cx__buf_hundredths(b, have);
    cx__buf_puts(b, " of ");
    cx__buf_hundredths(b, q->threshold);
    if (group) cx__buf_printf(b, " in %s %s", q->group_by, group);
    for (size_t j = 0; j < ncomp; j++) {
        cx__buf_puts(b, j ? ", " : ": ");
        explain_award(s, b, &s->awards[s->order[j]]);
    }
    return have >= q->threshold ? 2 : have > 0;
}

/* Fills t with q under the allocation found (s->assign): its name, its
 * state ("met", "partly", "not" or "waived"), its amounts and the awards
 * used in it, and its parts below it. Returns the state: 2 met (or
 * waived), 1 partly, 0 not. */
static int explain_node(search *s, const cx_req *q, cx_trace *t)
{
    static const char *const states[3] = {"not", "partly", "met"};
    cx_buf b;
    int state = 0;
    cx__buf_init(&b);
    if (waived(s, q)) {
        state = 2;
    } else if (is_slot(q)) {
        if (s->assign[q->index] >= 0) {
            state = 2;
            explain_award(s, &b, &s->awards[s->assign[q->index]]);
        }
    } else if (q->kind == CX_REQ_HOURS || q->kind == CX_REQ_SUM) {
        state = explain_total(s, q, &b);
    } else if (q->kind == CX_REQ_HOLDER_ATTR || q->kind == CX_REQ_CHECK) {
        state = s->alone[q->index] == 1 ? 2 : 0;
        if (s->alone[q->index] < 0) cx__buf_puts(&b, "not evaluated");
    } else {
        size_t met = 0;
        int some = 0;
        if (q->nparts && !(t->children = calloc(q->nparts, sizeof *t->children))) s->e->oom = 1;
        for (size_t i = 0; t->children && i < q->nparts; i++) {
            int k = explain_node(s, q->parts[i], &t->children[i]);
            t->nchildren++;
            met += k == 2;
            some |= k > 0;
        }
        state = met >= q->need ? 2 : some;
        cx__buf_printf(&b, "%zu of %zu", met, q->need);
    }
    t->rule = cx__strdup(q->label ? q->label
                         : q->kind == CX_REQ_CREDENTIAL
                             ? cx__eval_id(s->e, CX_KIND_CREDENTIAL, q->credential)
                             : q->text);
    t->status = cx__strdup(waived(s, q) ? "waived" : states[state]);
    t->detail = b.len ? b.data : NULL;
    if (!b.len) cx__buf_free(&b);
    if (!t->rule || !t->status || b.oom) s->e->oom = 1;
    return state;
}

/* The decision's explain tree (credex.h), from the allocation found. */
static void report_explain(search *s)
{
    cx_trace *t = calloc(1, sizeof *t);
    if (!t) {
        s->e->oom = 1;
        return;
    }
    explain_node(s, s->root, t);
    s->e->d->explain = t;
}

/* ------------------------------------------------------------------ API */

/* A substitution that filled a slot is named in the decision's reasons,
 * with who granted it and why (docs/design.md §4 Holder exceptions), once. */
static void report_substitution(search *s, const cx_req *q, const cx_counted *a)
{
    for (size_t k = 0; k < s->nreqs; k++) { /* once, however many slots it filled */
        const cx_req *p = s->reqs[k];
        if (p == q) break;
        if (p && is_slot(p) && s->assign[k] >= 0 &&
            s->fills[k * s->n + (size_t)s->assign[k]] == 3 && p->credential == q->credential &&
            s->awards[s->assign[k]].credential == a->credential)
            return;
    }
    for (size_t k = 0; k < s->opts->nsubs; k++) {
        const cx_snap_exception *x = s->opts->subs[k];
        if (x->substitute_for != q->credential || x->substitute_use != a->credential) continue;
        cx__eval_reason(s->e, "exception", "%s accepted for %s by %s: %s", x->use_id, x->for_id,
                        x->by ? x->by : "(not named)", x->reason ? x->reason : "(no reason)");
        return;
    }
}

static void report_used(search *s)
{
    for (size_t k = 0; k < s->nreqs; k++) {
        const cx_req *q = s->reqs[k];
        if (!q || !is_slot(q) || s->assign[k] < 0) continue;
        const cx_counted *a = &s->awards[s->assign[k]];
        const cx_rule *via = s->via[(size_t)k * s->n + (size_t)s->assign[k]];
        char buf[300];
        const char *how = buf;
        if (s->fills[(size_t)k * s->n + (size_t)s->assign[k]] == 3) {
            snprintf(buf, sizeof buf, "exception:substitute %s for %s",
                     cx__eval_id(s->e, CX_KIND_CREDENTIAL, a->credential),
                     cx__eval_id(s->e, CX_KIND_CREDENTIAL, q->credential));
            report_substitution(s, q, a);
        } else if (via)
            snprintf(buf, sizeof buf, "equivalence:%s", via->id);
        else
            how = a->via ? a->via : "direct";
        const char *slot = q->label ? q->label
                           : q->kind == CX_REQ_CREDENTIAL
                               ? cx__eval_id(s->e, CX_KIND_CREDENTIAL, q->credential)
                               : q->text;
        cx__eval_used(s->e, a->award, a->id, cx__eval_id(s->e, CX_KIND_CREDENTIAL, a->credential),
                      slot, how);
    }
}

/* Whether verified = true is why q does not hold: a slot no award fills
 * that an unverified award would, or a total short of its threshold that
 * unverified awards would add to. */
static int unverified_kept_out(search *s, const cx_req *q, size_t i)
{
    size_t at = (size_t)q->index * s->n;
    if (is_slot(q)) return s->unverified[at + i];
    return (q->kind == CX_REQ_HOURS || q->kind == CX_REQ_SUM) &&
           !cx__eval_verified(&s->awards[i]) && adds_to_any(s, q, i);
}

/* Why awards did not count: each that verified = true kept out of a slot
 * left empty or a total left short (reason `unverified`, docs/rules.md). */
static void report_unverified(search *s)
{
    for (size_t k = 0; k < s->nreqs; k++) {
        const cx_req *q = s->reqs[k];
        const char *group;
        size_t ncomp, filled = 0;
        if (!q || !q->verified || waived(s, q)) continue;
        for (size_t i = 0; is_slot(q) && i < s->n; i++) filled |= s->fills[k * s->n + i];
        if (filled || (!is_slot(q) && total(s, q, &group, &ncomp) >= q->threshold)) continue;
        for (size_t i = 0; i < s->n; i++)
            if (unverified_kept_out(s, q, i)) cx__eval_unverified(s->e, &s->awards[i]);
    }
}

/* The reasons the checks that failed gave (false, "reason"), each as the
 * decision's reason `check`, named by the check's label or text. */
static void report_checks(search *s)
{
    for (size_t k = 0; k < s->nreqs; k++) {
        const cx_req *q = s->reqs[k];
        const cx_tnode *why = s->why[k];
        if (!q || q->kind != CX_REQ_CHECK || !why || waived(s, q)) continue;
        cx__eval_reason(s->e, "check", "%s: %.*s", q->label ? q->label : q->text,
                        (int)why->as.string.len, why->as.string.bytes);
    }
}

/* Progress (docs/design.md §4): an award fills a slot, or counts toward a total, or
 * a requirement that needs no award holds. */
static int any_progress(search *s)
{
    for (size_t k = 0; k < s->nreqs; k++) {
        const cx_req *q = s->reqs[k];
        if (!q) continue;
        if (is_slot(q)) {
            for (size_t i = 0; i < s->n; i++)
                if (s->fills[k * s->n + i]) return 1;
        } else if (q->kind == CX_REQ_HOURS || q->kind == CX_REQ_SUM) {
            for (size_t i = 0; i < s->n; i++) /* an award counts toward it only if it adds */
                if (adds_to(s, q, i)) return 1;
        } else if ((q->kind == CX_REQ_HOLDER_ATTR || q->kind == CX_REQ_CHECK) && alone(s, q) == 1) {
            return 1;
        }
    }
    return 0;
}

/* credex test --coverage: the requirements that held in this evaluation,
 * waived ones aside: a slot some counted award could fill, a total
 * reached, a holder attribute that compares, a check that returned true
 * (only one the search already called: no extra call into Lua). */
static void mark_coverage(search *s)
{
    const cx_coverage *cov = s->e->coverage;
    for (size_t k = 0; k < s->nreqs; k++) {
        const cx_req *q = s->reqs[k];
        int held = 0;
        if (!q || waived(s, q)) continue;
        if (is_slot(q))
            for (size_t i = 0; i < s->n && !held; i++) held = s->fills[k * s->n + i] != 0;
        else if (q->kind == CX_REQ_HOURS || q->kind == CX_REQ_SUM || q->kind == CX_REQ_HOLDER_ATTR)
            held = alone(s, q) == 1;
        else if (q->kind == CX_REQ_CHECK)
            held = s->alone[k] == 1;
        if (held) cov->mark(cov->ud, NULL, q);
    }
}

static void date_award(const cx_counted *a, cx_req_result *res)
{
    if (a->issued < res->first_issued) res->first_issued = a->issued;
    if (a->issued > res->last_issued) res->last_issued = a->issued;
    if (a->expires < res->earliest_expiry) res->earliest_expiry = a->expires;
}

/* The dates of the awards used by a met tree: those filling its slots, and
 * the components of each total that holds in it (the awards, in issue
 * order, that reached its threshold), so that a stack of totals alone --
 * 12 points in one career field -- is issued on the day it was reached. */
static void used_dates(search *s, cx_req_result *res)
{
    res->first_issued = CX_DATE_NEVER;
    res->last_issued = INT32_MIN;
    res->earliest_expiry = CX_DATE_NEVER;
    for (size_t k = 0; k < s->nreqs; k++) {
        const cx_req *q = s->reqs[k];
        if (!q) continue;
        if (is_slot(q) && s->assign[k] >= 0) date_award(&s->awards[s->assign[k]], res);
        if ((q->kind != CX_REQ_HOURS && q->kind != CX_REQ_SUM) || s->assign[k] != HOLDS) continue;
        const char *group;
        size_t ncomp;
        total(s, q, &group, &ncomp);
        for (size_t j = 0; j < ncomp; j++) date_award(&s->awards[s->order[j]], res);
    }
}

int cx__eval_requirements(ectx *e, const cx_req *q, const cx_counted *awards, size_t n,
                          const cx_snap_holder *holder, cx_sym jurisdiction,
                          const cx_req_opts *opts, cx_trace *trace, cx_req_result *res)
{
    int quiet = opts && opts->quiet, reuse = opts && opts->reuse;
    search s;
    int result = -1;
    memset(&s, 0, sizeof s);
    s.e = e;
    s.root = q;
    s.awards = awards;
    s.n = n;
    s.holder = holder;
    s.jurisdiction = jurisdiction;
    s.reuse = reuse;
    s.opts = opts;
    index_tree(&s, q);

    /* one block for every array of the search: pointers, then ints, then bytes */
    size_t cells = s.nreqs * n + 1;
    s.cap = s.nreqs <= 64 ? 2 * s.nreqs * s.nreqs + 16 : 0;
    size_t bytes = (2 * s.nreqs + cells + s.cap) * sizeof(void *) + (n + 1) * sizeof(size_t) +
                   s.nreqs * sizeof(int) + 2 * cells + 3 * s.nreqs + n + 1;
    /* small trees (nearly all) on the stack: a heap block this size would
     * be a "large" malloc, which makes glibc consolidate its free lists */
    void *local[4096 / sizeof(void *)];
    char *block = bytes <= sizeof local ? memset(local, 0, bytes) : calloc(1, bytes);
    if (!block) {
        e->oom = 1;
        goto done;
    }
    s.reqs = (const cx_req **)(void *)block;
    s.via = (const cx_rule **)(void *)(s.reqs + s.nreqs);
    s.why = (const cx_tnode **)(void *)(s.via + cells);
    s.stack = (const cx_req **)(void *)(s.why + s.nreqs);
    s.order = (size_t *)(void *)(s.stack + s.cap);
    s.assign = (int *)(void *)(s.order + n + 1);
    s.fills = (uint8_t *)(s.assign + s.nreqs);
    s.alone = (int8_t *)(s.fills + cells);
    s.possible = s.alone + s.nreqs;
    s.checks = (uint8_t *)(s.possible + s.nreqs);
    s.used = s.checks + s.nreqs;
    s.unverified = s.used + n + 1; /* cells */
    memset(s.alone, -1, 2 * s.nreqs);
    for (size_t k = 0; k < s.nreqs; k++) s.assign[k] = -1;
    fill_index(&s, q);
    mark_checks(&s, q);
    for (size_t k = 0; k < s.nreqs; k++)
        if (s.reqs[k] && is_slot(s.reqs[k]))
            for (size_t i = 0; i < n; i++) compute_fill(&s, s.reqs[k], i);

    const cx_req *goals[1] = {q};
    int r = solve(&s, goals, 1);
    if (r == 1) {
        if (res) used_dates(&s, res);
        if (!quiet) report_used(&s);
        result = 1;
    } else if (r == 0) {
        for (size_t k = 0; k < s.nreqs; k++) s.assign[k] = -1;
        if (!quiet) {
            report_missing(&s);
            report_checks(&s);
            report_unverified(&s);
        }
        result = s.failed ? -1 : 0;
    }
    if (!quiet && opts && opts->details & CX_DETAIL_EXPLAIN && !s.failed && r >= 0 &&
        !e->d->explain)
        report_explain(&s);
    if (res && !s.failed) res->progress = r == 1 || any_progress(&s);
    if (e->coverage) mark_coverage(&s);
    if (s.failed == 1) {
        cx_error lim;
        cx__error(&lim, CX_ELIMIT, q->src.file, q->src.line, 0,
                  "allocation search limit (%d steps) reached", CX_SEARCH_LIMIT);
        e->d->status = CX_ERROR;
        cx__eval_reason(e, "allocation search limit", "%s:%d: %s", lim.file, lim.line, lim.message);
        result = -1;
    } else if (s.failed == 2) {
        cx__eval_error(e, &s.err);
        result = -1;
    }
    if (trace && !quiet) {
        cx_trace *t = cx__eval_trace(e, trace, NULL,
                                     result == 1   ? "holds"
                                     : result == 0 ? "fails"
                                                   : "error",
                                     NULL);
        if (t) t->rule = cx__strdup(q->label ? q->label : q->text);
    }
done:
    if ((void *)s.reqs != (void *)local) free((void *)s.reqs);
    return result;
}
