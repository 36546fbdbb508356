/*
 * next.c -- `credex next` (docs/rules.md, "Next steps"): a holder's unmet
 * stacks ranked by their cheapest completion, the fewest credentials and
 * then the fewest hours whose hypothetical awards make the stack's audit
 * met. Every trial is an ordinary audit (audit.c, over require.c's
 * allocation search); this file only chooses which credentials to try,
 * and must not decide a requirement itself.
 */
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "util.h"

/* The search for one stack's cheapest completion. */
typedef struct completion {
    ectx *e;
    cx_sym holder;
    const cx_rule *stack;
    cx_sym *candidates; /* credentials worth trying, by hours then id (the search's order) */
    size_t ncandidates;
    int64_t *before;    /* before[i]: the hours of candidates[0..i) added up */
    size_t *pick;       /* the set being built: indices into candidates */
    size_t *best;       /* the cheapest set found so far */
    size_t nbest;       /* its size; 0: none found */
    int64_t best_hours; /* its hours (hundredths) */
    cx_counted *trial;  /* the hypothetical awards of the set tried */
    uint64_t tried;     /* sets considered, against CX_NEXT_TRIALS */
} completion;

static int64_t hours_of(const ectx *e, cx_sym c)
{
    int64_t h = e->snap->credentials[c].hours;
    return h == CX_NO_NUMBER ? 0 : h;
}

/* Whether credential c could help complete stack r: it could fill one of
 * r's slots or add to one of its totals, the holder does not hold it
 * already (has; with a window, an award held may fall outside it, so it
 * may be earned again), and an award of it issued on the as-of date would
 * count. */
static int worth_trying(const ectx *e, const cx_rule *r, cx_sym c, const uint8_t *has)
{
    const cx_reads *rd = &r->reads;
    const cx_snap_credential *cr = &e->snap->credentials[c];
    if (c == r->credential || (has[c] && !r->window_kind)) return 0;
    if (e->as_of < cr->effective_from || e->as_of > cr->effective_until) return 0;
    return (rd->slots && rd->slots[c / 64] >> (c % 64) & 1) ||
           (rd->totals && rd->totals[c / 64] >> (c % 64) & 1) || rd->totals_every;
}

/* A candidate in the search's order: fewer hours first, then byte order
 * of id (the order of symbols). */
typedef struct ranked {
    int64_t hours;
    cx_sym credential;
} ranked;

static int by_hours(const void *x, const void *y)
{
    const ranked *a = x, *b = y;
    if (a->hours != b->hours) return a->hours < b->hours ? -1 : 1;
    return a->credential < b->credential ? -1 : a->credential > b->credential;
}

/* A lower bound on the credentials requirement q still needs, whatever is
 * earned: a slot that no credential the holder has (has) could fill
 * needs 1; all, any and at_least their cheapest parts' together; the rest
 * (totals, holder_attr, check, and a credential slot an equivalence may
 * fill) 0. Set sizes below the root's are never tried. */
static size_t lower_bound(const ectx *e, const cx_req *q, const uint8_t *has)
{
    uint32_t nc = cx__snapshot_count(e->snap, CX_KIND_CREDENTIAL);
    size_t local[32], *parts = q->nparts <= 32 ? local : calloc(q->nparts, sizeof *parts), sum = 0;
    switch (q->kind) {
    case CX_REQ_CREDENTIAL:
        return q->nfillers || has[q->credential] ? 0 : 1;
    case CX_REQ_MATCHING:
    case CX_REQ_TAGGED:
    case CX_REQ_COMPETENCY:
        for (cx_sym c = 0; c < nc; c++)
            if (has[c] && q->fills[c / 64] >> (c % 64) & 1) return 0;
        return 1;
    case CX_REQ_ALL:
    case CX_REQ_ANY:
    case CX_REQ_AT_LEAST:
        break;
    default:
        return 0;
    }
    if (!parts) return 0; /* out of memory: no bound, the search tries every size */
    for (size_t i = 0; i < q->nparts; i++) { /* insertion sort: parts are few */
        size_t v = lower_bound(e, q->parts[i], has), j = i;
        for (; j > 0 && parts[j - 1] > v; j--) parts[j] = parts[j - 1];
        parts[j] = v;
    }
    for (size_t i = 0; i < q->need && i < q->nparts; i++) sum += parts[i];
    if (parts != local) free(parts);
    return sum;
}

/* Whether the set pick[0..k) makes the stack met: its audit with the
 * set's hypothetical awards, each issued in its credential's jurisdiction. */
static int trial_met(completion *c, size_t k, int *met, cx_error *err)
{
    ectx *e = c->e;
    cx_decision **v = NULL;
    size_t n = 0;
    for (size_t i = 0; i < k; i++) {
        cx_sym cred = c->candidates[c->pick[i]];
        c->trial[i] = cx__eval_hypothetical(e, cred, e->snap->credentials[cred].jurisdiction);
    }
    e->hypothetical = c->trial;
    e->nhypothetical = k;
    int rc = cx__audit_holder(e, c->holder, c->stack->credential, &v, &n, err);
    e->hypothetical = NULL;
    e->nhypothetical = 0;
    *met = rc == CX_OK && n == 1 && v[0]->status == CX_MET;
    cx_decisions_free(v, n);
    return rc;
}

/* Tries the sets of k candidates that extend pick[0..depth) (whose hours
 * add up to `hours`) with indices from `from` on, in lexicographic order
 * of the search's order, keeping the first with the fewest hours: a branch
 * whose cheapest sets cannot beat the best found is cut. Stops when
 * CX_NEXT_TRIALS sets and branches were considered. */
static int try_sets(completion *c, size_t k, size_t depth, size_t from, int64_t hours,
                    cx_error *err)
{
    if (++c->tried > CX_NEXT_TRIALS) return CX_OK;
    if (depth == k) {
        int met = 0, rc = trial_met(c, k, &met, err);
        if (rc || !met) return rc;
        memcpy(c->best, c->pick, k * sizeof *c->best);
        c->nbest = k;
        c->best_hours = hours;
        return CX_OK;
    }
    for (size_t i = from; i + (k - depth) <= c->ncandidates; i++) {
        int64_t least = hours + c->before[i + k - depth] - c->before[i];
        if (c->nbest && least >= c->best_hours) break; /* later i cost no less */
        c->pick[depth] = i;
        int rc = try_sets(c, k, depth + 1, i + 1, hours + hours_of(c->e, c->candidates[i]), err);
        if (rc || c->tried > CX_NEXT_TRIALS) return rc;
    }
    return CX_OK;
}

/* The credentials the holder already has for stack r: counted in its
 * jurisdiction, or conferred by a stack met now. calloc'd, per credential. */
static uint8_t *held(ectx *e, cx_sym h, const cx_rule *r, cx_decision *const *now, size_t nnow)
{
    uint32_t nc = cx__snapshot_count(e->snap, CX_KIND_CREDENTIAL);
    uint8_t *has = calloc(nc + 1, 1);
    size_t n = 0;
    cx_counted *v = has ? cx__eval_counted(e, &e->snap->holders[h], r->jurisdiction, &n) : NULL;
    if (!v) {
        free(has);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) has[v[i].credential] = 1;
    for (size_t i = 0; i < nnow; i++) {
        cx_sym c = cx__snapshot_find(e->snap, CX_KIND_CREDENTIAL, now[i]->stack);
        if (now[i]->status == CX_MET && c != CX_NOSYM) has[c] = 1;
    }
    free(v);
    return has;
}

/* The smallest set size worth trying for stack r: its lower bound, but 1
 * when the holder has an exception for it (a waiver or a substitution
 * fills what the bound counts). */
static size_t smallest(const ectx *e, cx_sym h, const cx_rule *r, const uint8_t *has)
{
    const cx_snap_holder *hd = &e->snap->holders[h];
    for (uint32_t i = 0; i < hd->nexceptions; i++)
        if (hd->exceptions[i].stack == r->credential) return 1;
    size_t k = lower_bound(e, r->requires, has);
    return k ? k : 1;
}

/* Searches set sizes from the smallest worth trying up: the first size
 * with a set that completes the stack holds its cheapest. Every candidate
 * at once is tried first: when even that leaves the stack unmet, no set
 * completes it. */
static int search(completion *c, size_t kmin, cx_error *err)
{
    int met = 0, rc;
    if (kmin > c->ncandidates) return CX_OK;
    for (size_t i = 0; i < c->ncandidates; i++) c->pick[i] = i;
    if ((rc = trial_met(c, c->ncandidates, &met, err)) || !met) return rc;
    c->tried = 1;
    for (size_t k = kmin; k <= c->ncandidates && !c->nbest; k++)
        if ((rc = try_sets(c, k, 0, 0, 0, err)) || c->tried > CX_NEXT_TRIALS) break;
    if (c->tried > CX_NEXT_TRIALS) c->nbest = 0; /* not known to be the cheapest */
    return rc;
}

/* Finds stack r's cheapest completion for holder h into c (c->nbest 0:
 * none, or none within CX_NEXT_TRIALS). */
static int complete(ectx *e, cx_sym h, const cx_rule *r, cx_decision *const *now, size_t nnow,
                    completion *c, cx_error *err)
{
    uint32_t nc = cx__snapshot_count(e->snap, CX_KIND_CREDENTIAL);
    uint8_t *has = held(e, h, r, now, nnow), *need = cx__audit_needed(e->rs, r->credential);
    int rc = CX_OK;
    memset(c, 0, sizeof *c);
    c->e = e;
    c->holder = h;
    c->stack = r;
    c->candidates = calloc(nc + 1, sizeof *c->candidates);
    c->before = calloc(nc + 2, sizeof *c->before);
    c->pick = calloc(nc + 1, sizeof *c->pick);
    c->best = calloc(nc + 1, sizeof *c->best);
    c->trial = calloc(nc + 1, sizeof *c->trial);
    ranked *order = calloc(nc + 1, sizeof *order);
    if (!has || !need || !order || !c->candidates || !c->before || !c->pick || !c->best ||
        !c->trial) {
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    for (cx_sym k = 0; k < nc; k++)
        if (worth_trying(e, r, k, has)) order[c->ncandidates++] = (ranked){hours_of(e, k), k};
    qsort(order, c->ncandidates, sizeof *order, by_hours);
    for (size_t i = 0; i < c->ncandidates; i++) {
        c->candidates[i] = order[i].credential;
        c->before[i + 1] = c->before[i] + order[i].hours;
    }
    e->stacks_needed = need;
    rc = search(c, smallest(e, h, r, has), err);
    e->stacks_needed = NULL;
done:
    free(has);
    free(need);
    free(order);
    free(c->before);
    free(c->pick);
    free(c->trial);
    c->before = NULL;
    c->pick = NULL;
    c->trial = NULL;
    return rc;
}

/* ------------------------------------------------------------- filters */

/* A code matches itself, and an O*NET code the SOC code it refines
 * (49-3023.01 is under 49-3023), whichever of the two is asked. */
static int code_matches(const char *code, const char *want)
{
    size_t n = strlen(want), m = strlen(code);
    if (strcmp(code, want) == 0) return 1;
    if (m > n && strncmp(code, want, n) == 0 && code[n] == '.') return 1;
    return n > m && strncmp(want, code, m) == 0 && want[m] == '.';
}

static int selected(const ectx *e, const cx_rule *r, const cx_next_options *opt)
{
    const cx_snap_credential *c = &e->snap->credentials[r->credential];
    int soc = !opt || !opt->soc, tag = !opt || !opt->tag;
    for (uint32_t i = 0; !soc && i < c->ncodes; i++)
        soc = (strcmp(c->codes[i].scheme, "soc") == 0 || strcmp(c->codes[i].scheme, "onet") == 0) &&
              code_matches(c->codes[i].code, opt->soc);
    for (uint32_t i = 0; !tag && i < c->ntags; i++)
        tag = strcmp(e->snap->tags[c->tags[i]], opt->tag) == 0;
    return soc && tag;
}

/* ---------------------------------------------------------------- steps */

/* Frees what one step holds. */
static void step_free(cx_next_step *s)
{
    free(s->holder);
    free(s->stack);
    free(s->name);
    for (size_t k = 0; k < s->nadd; k++) {
        free(s->add[k].id);
        free(s->add[k].name);
    }
    free(s->add);
    for (size_t k = 0; k < s->nmissing; k++) free(s->missing[k]);
    free(s->missing);
}

void cx_next_steps_free(cx_next_step *v, size_t n)
{
    if (!v) return;
    for (size_t i = 0; i < n; i++) step_free(&v[i]);
    free(v);
}

static int by_id(const void *x, const void *y)
{
    return strcmp(((const cx_next_credential *)x)->id, ((const cx_next_credential *)y)->id);
}

static int step_of(const ectx *e, const completion *c, const cx_decision *d, cx_next_step *s)
{
    const cx_rule *r = c->stack;
    memset(s, 0, sizeof *s);
    s->holder = cx__strdup(d->holder);
    s->stack = cx__strdup(d->stack);
    s->name = cx__strdup(r->name ? r->name : e->snap->credentials[r->credential].name);
    memcpy(s->as_of, e->as_of_text, sizeof s->as_of);
    s->status = d->status;
    s->hours = c->best_hours;
    s->add = calloc(c->nbest + 1, sizeof *s->add);
    s->missing = calloc(d->nmissing + 1, sizeof *s->missing);
    if (!s->holder || !s->stack || !s->name || !s->add || !s->missing) return -1;
    s->nadd = c->nbest; /* the entries are NULL until set: step_free frees what is there */
    s->nmissing = d->nmissing;
    for (size_t i = 0; i < c->nbest; i++) {
        const cx_snap_credential *cr = &e->snap->credentials[c->candidates[c->best[i]]];
        s->add[i].id = cx__strdup(cr->id);
        s->add[i].name = cx__strdup(cr->name);
        s->add[i].hours = cr->hours;
        if (!s->add[i].id || !s->add[i].name) return -1;
    }
    qsort(s->add, s->nadd, sizeof *s->add, by_id);
    for (size_t i = 0; i < d->nmissing; i++)
        if (!(s->missing[i] = cx__strdup(d->missing[i]))) return -1;
    return 0;
}

/* Fewest credentials, then fewest hours, then stack id. */
static int by_cost(const void *x, const void *y)
{
    const cx_next_step *a = x, *b = y;
    if (a->nadd != b->nadd) return a->nadd < b->nadd ? -1 : 1;
    if (a->hours != b->hours) return a->hours < b->hours ? -1 : 1;
    return strcmp(a->stack, b->stack);
}

/* The holder's audit of stack r among now (byte order of stack id). */
static const cx_decision *decision_of(const ectx *e, const cx_rule *r, cx_decision *const *now,
                                      size_t nnow)
{
    const char *id = cx__eval_id(e, CX_KIND_CREDENTIAL, r->credential);
    for (size_t i = 0; i < nnow; i++)
        if (strcmp(now[i]->stack, id) == 0) return now[i];
    return NULL;
}

static int stack_error(const cx_decision *d, cx_error *err)
{
    const char *why = d->nreasons ? d->reasons[0].message : "no reason given";
    return cx__error(err, CX_EINPUT, NULL, 0, 0, "the audit of stack %s for %s is an error: %s",
                     d->stack, d->holder, why);
}

static int next(cx_rules *rules, const char *holder, const cx_next_options *opt, const char *as_of,
                cx_next_step **out, size_t *n, cx_error *err)
{
    ectx e;
    cx_sym h;
    cx_decision **now = NULL;
    size_t nnow = 0, ns = 0, limit = opt && opt->limit ? opt->limit : CX_NEXT_LIMIT;
    cx_next_step *v = NULL;
    int rc = cx__eval_begin(&e, rules, as_of, err);
    if (rc || (rc = cx__eval_lookup(&e, CX_KIND_HOLDER, holder, &h, err))) goto done;
    e.coverage = NULL; /* trials are no decision a rule test checks */
    if ((rc = cx__audit_holder(&e, h, CX_NOSYM, &now, &nnow, err))) goto done;
    const cx_rule *const *stacks = cx__rules_stacks(rules, &ns);
    if (!(v = calloc(ns + 1, sizeof *v))) {
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < ns && rc == CX_OK; i++) {
        const cx_decision *d = decision_of(&e, stacks[i], now, nnow);
        completion c;
        if (!d || d->status == CX_MET || !selected(&e, stacks[i], opt)) continue;
        if (d->status == CX_ERROR) {
            rc = stack_error(d, err);
            break;
        }
        if ((rc = complete(&e, h, stacks[i], now, nnow, &c, err)) == CX_OK && c.nbest &&
            step_of(&e, &c, d, &v[(*n)++]) < 0)
            rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        free(c.candidates);
        free(c.best);
    }
    if (rc == CX_OK) {
        qsort(v, *n, sizeof *v, by_cost);
        for (size_t i = 0; i < *n; i++) v[i].rank = i + 1;
        for (; *n > limit; (*n)--) step_free(&v[*n - 1]);
        *out = v;
        v = NULL;
    }
done:
    if (v) cx_next_steps_free(v, *n);
    if (rc) *n = 0;
    cx_decisions_free(now, nnow);
    cx__eval_end(&e);
    return rc;
}

int cx_next(cx_rules *rules, const char *holder, const cx_next_options *opt, const char *as_of,
            cx_next_step **out, size_t *n, cx_error *err)
{
    *out = NULL;
    *n = 0;
    int rc = cx__rules_enter(rules, err);
    if (rc) return rc;
    rc = next(rules, holder, opt, as_of, out, n, err);
    cx__rules_leave(rules);
    return rc;
}
