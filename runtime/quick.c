/*
 * quick.c -- status plans (issue 6): the status of a holder for an
 * eligible stack from bit masks and integer sums over the snapshot's
 * awards, no malloc and no strings per holder; for a CSV row (issue 16)
 * also the dates of the award a met stack derives and what an unmet one
 * misses, as require.c's allocation and report_missing give them. Pure:
 * it compiles plans and answers for one holder; it starts no thread and
 * never calls the full evaluator (audit_all.c sends every holder a plan
 * is not sure of there).
 */
#include <stdlib.h>
#include <string.h>

#include "quick_int.h"
#include "util.h"

/* ------------------------------------------------------------ eligibility */

static int has_bit(const uint64_t *set, cx_sym s)
{
    return (int)(set[s / 64] >> (s % 64) & 1);
}

/* Could an equivalence rule make another credential fill credential slot
 * q in jurisdiction j on the as-of date? Of the rules the compiler found
 * can fill it (q->fillers), one in force there (cx__eval_equivalent's
 * `applies`, without the source side and issue dates: conservative). */
static int equivalence_reaches(const ectx *e, const cx_req *q, cx_sym j)
{
    for (size_t i = 0; i < q->nfillers; i++) {
        const cx_rule *r = q->fillers[i];
        if (r->within && (j == CX_NOSYM || !cx__eval_jsel(e, r->within, j))) continue;
        if (cx__eval_effective(r, e->as_of)) return 1;
    }
    return 0;
}

typedef struct builder {
    const ectx *e;
    const cx_rule *stack;
    qplan *p;
    cx_arena *arena;
    size_t words;
} builder;

/* Adds q and its parts to the plan in postorder; its node index, or -1
 * with p->refusal set. */
static int add_node(builder *b, const cx_req *q)
{
    qplan *p = b->p;
    qnode node = {.req = q};
    uint16_t kids[MAX_NODES];
    switch (q->kind) {
    case CX_REQ_CREDENTIAL:
        if (q->min_grade || q->nmin_results)
            return p->refusal = "a slot with min_grade or min_results", -1;
        if (p->slot_of[q->credential] >= 0) return p->refusal = "two slots of one credential", -1;
        if (equivalence_reaches(b->e, q, b->stack->jurisdiction))
            return p->refusal = "an equivalence rule can fill a slot", -1;
        {
            int8_t bit = 0;
            for (size_t i = 0; i < p->nnodes; i++) bit += p->nodes[i].kind == Q_SLOT;
            p->slot_of[q->credential] = bit;
            node.kind = Q_SLOT;
            node.index = (uint8_t)bit;
        }
        break;
    case CX_REQ_HOURS:
        if (p->ntotals == MAX_TOTALS) return p->refusal = "too many totals", -1;
        p->totals[p->ntotals] =
            (qtotal){.bits = q->selector ? q->selector->bits : NULL,
                     .any_date = !q->selector || q->selector->any_date,
                     .issued = q->selector ? q->selector->issued : (cx_range){0, 0},
                     .threshold = q->threshold};
        node.kind = Q_HOURS;
        node.index = (uint8_t)p->ntotals++;
        break;
    case CX_REQ_ALL:
    case CX_REQ_ANY:
    case CX_REQ_AT_LEAST:
        if (q->nparts > MAX_NODES) return p->refusal = "more than 64 requirements", -1;
        if (q->need > q->nparts)
            return p->refusal = "a choice that needs more parts than it has", -1;
        for (size_t i = 0; i < q->nparts; i++) {
            int k = add_node(b, q->parts[i]);
            if (k < 0) return -1;
            kids[i] = (uint16_t)k;
        }
        node.kind = Q_STRUCT;
        node.need = (uint16_t)q->need;
        node.nkids = (uint16_t)q->nparts;
        uint16_t *v = cx__arena_alloc(b->arena, (q->nparts + 1) * sizeof *v);
        if (!v) return p->refusal = "out of memory", -1;
        memcpy(v, kids, q->nparts * sizeof *v);
        node.kids = v;
        break;
    case CX_REQ_MATCHING:
    case CX_REQ_TAGGED:
    case CX_REQ_COMPETENCY:
        return p->refusal = "a matching, tagged or competency slot", -1;
    case CX_REQ_SUM:
        return p->refusal = "a sum total", -1;
    case CX_REQ_HOLDER_ATTR:
        return p->refusal = "a holder_attr requirement", -1;
    case CX_REQ_CHECK:
        return p->refusal = "a check requirement", -1;
    }
    if (p->nnodes == MAX_NODES) return p->refusal = "more than 64 requirements", -1;
    p->nodes[p->nnodes] = node;
    return (int)p->nnodes++;
}

/* ----------------------------------------------------- the search bound */

/* An upper bound on require.c's solve() steps for a goal list q::R in the
 * form I + X * steps(R), with c candidate awards per slot. */
typedef struct ix {
    double i, x;
} ix;

static ix bound_of(const cx_req *q, double c)
{
    if (q->kind == CX_REQ_CREDENTIAL) return (ix){1, c};
    if (q->kind != CX_REQ_ALL && q->kind != CX_REQ_ANY && q->kind != CX_REQ_AT_LEAST)
        return (ix){1, 1};
    double t[MAX_NODES + 1] = {0}, px[MAX_NODES + 1] = {0};
    px[0] = 1;
    for (size_t i = 0; i < q->nparts; i++) { /* every combination of need parts, in order */
        ix b = bound_of(q->parts[i], c);
        for (size_t j = i < q->need ? i + 1 : q->need; j > 0; j--) {
            t[j] += t[j - 1] + px[j - 1] * b.i;
            px[j] += px[j - 1] * b.x;
        }
    }
    return (ix){1 + t[q->need], px[q->need]};
}

/* Every solve() step of one unmet decision, bounded: the search, then
 * report_missing's subsets of forced requirements, open choices and the
 * final allocation, each a goal list of forced requirements and parts of
 * forced choices (with every X >= 1, a list's steps are at most
 * (1 + sum I/X) * prod X, and a choice's X bounds its parts' product). */
static double search_bound(const cx_req *root, double c, size_t *nf_out)
{
    const cx_req *f[MAX_FORCED + 1];
    size_t nf = cx__req_forced(root, f, MAX_FORCED + 1), calls = 1;
    ix whole = bound_of(root, c);
    double sum = 1, prod = 1;
    *nf_out = nf;
    if (nf > MAX_FORCED) return 1e300;
    for (size_t i = 0; i < nf; i++) {
        ix b = bound_of(f[i], c);
        sum += b.i / b.x;
        prod *= b.x;
        if (f[i]->kind != CX_REQ_ANY && f[i]->kind != CX_REQ_AT_LEAST) continue;
        calls += f[i]->nparts;
        for (size_t k = 0; k < f[i]->nparts; k++) {
            ix pb = bound_of(f[i]->parts[k], c);
            sum += pb.i / pb.x;
        }
    }
    calls += ((size_t)1 << nf) - 1;
    return whole.i + whole.x + (double)calls * sum * prod;
}

/* ----------------------------------------------------------- compiling */

/* p->forced: the nodes of the requirements report_missing weighs
 * (cx__req_forced; at most MAX_FORCED, as the search bound made sure). */
static void plan_forced(qplan *p, const cx_req *root)
{
    const cx_req *f[MAX_FORCED + 1];
    size_t nf = cx__req_forced(root, f, MAX_FORCED + 1);
    for (size_t i = 0; i < nf && i < MAX_FORCED; i++)
        for (size_t k = 0; k < p->nnodes; k++)
            if (p->nodes[k].req == f[i]) p->forced[p->nforced++] = (uint16_t)k;
}

static void plan_stack(builder *b, size_t at, const cx_quick *q)
{
    const ectx *e = b->e;
    const cx_rule *r = b->stack;
    qplan *p = b->p;
    size_t ncred = cx__snapshot_count(e->snap, CX_KIND_CREDENTIAL), nf = 0;
    p->in_force = cx__eval_effective(r, e->as_of);
    p->jurisdiction = r->jurisdiction;
    p->since = r->window_kind == 2 ? cx__date_sub(e->as_of, &r->window) : INT32_MIN;
    p->relevant = cx__arena_alloc(b->arena, b->words * sizeof(uint64_t));
    p->renewable = cx__arena_alloc(b->arena, b->words * sizeof(uint64_t));
    p->slot_of = cx__arena_alloc(b->arena, ncred + 1);
    p->nodes = cx__arena_alloc(b->arena, MAX_NODES * sizeof *p->nodes);
    p->producers = cx__arena_alloc(b->arena, (q->ns + 1) * sizeof *p->producers);
    if (!p->relevant || !p->renewable || !p->slot_of || !p->nodes || !p->producers) {
        p->refusal = "out of memory";
        return;
    }
    memset(p->relevant, 0, b->words * sizeof(uint64_t));
    memset(p->renewable, 0, b->words * sizeof(uint64_t));
    memset(p->slot_of, -1, ncred + 1);
    if (r->window_kind == 1) {
        p->refusal = "a span window";
        return;
    }
    if (r->reads.verification) { /* the plans count awards without their provenance */
        p->refusal = "verified = true";
        return;
    }
    if (add_node(b, r->requires) < 0) return;
    for (size_t w = 0; w < (ncred + 63) / 64; w++) /* the credentials of slots and totals */
        p->relevant[w] = r->reads.slots[w] | r->reads.totals[w];
    for (uint32_t c = 1; c <= MAX_CMAX && search_bound(r->requires, c, &nf) <= CX_SEARCH_LIMIT; c++)
        p->cmax = c;
    if (p->cmax == 0) {
        p->refusal = nf > MAX_FORCED ? "more than 16 forced requirements"
                                     : "the allocation search could reach its limit";
        return;
    }
    for (size_t i = 0; i < at; i++) /* stacks before it whose derived awards fill its slots */
        if (p->slot_of[q->stacks[i]->credential] >= 0) p->producers[p->nproducers++] = i;
    for (size_t k = 0; k < e->nrules; k++) {
        const cx_rule *x = e->rules[k];
        if (x->kind == CX_RULE_RENEWS && cx__eval_effective(x, e->as_of))
            for (size_t m = 0; m < x->nmembers; m++)
                p->renewable[x->members[m] / 64] |= UINT64_C(1) << (x->members[m] % 64);
        if (x->kind == CX_RULE_RECOGNIZE && cx__eval_effective(x, e->as_of) &&
            r->jurisdiction != CX_NOSYM && cx__eval_jsel(e, x->into, r->jurisdiction))
            p->foreign_falls = 1;
    }
    for (cx_sym c = 0; c < ncred; c++)
        if (has_bit(p->relevant, c) && (e->snap->credentials[c].effective_from != CX_DATE_DAWN ||
                                        e->snap->credentials[c].effective_until != CX_DATE_NEVER))
            p->check_effective = 1;
    for (size_t w = 0; w < b->words; w++)
        if ((p->renewable[w] & p->relevant[w]) && r->award_expires == CX_EXPIRES_EARLIEST_COMPONENT)
            p->expiry_unsure = 1;
    plan_forced(p, r->requires);
}

static int by_credential(const void *x, const void *y)
{
    const cx_rule *const *a = x, *const *b = y;
    return (*a)->credential < (*b)->credential ? -1 : (*a)->credential > (*b)->credential;
}

int cx__quick_compile(cx_rules *rs, const char *as_of, cx_quick **out, cx_error *err)
{
    ectx e;
    int rc = cx__eval_begin(&e, rs, as_of, err);
    cx_quick *q = calloc(1, sizeof *q);
    *out = NULL;
    if (rc || !q) {
        free(q);
        cx__eval_end(&e);
        return rc ? rc : cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    cx__arena_init(&q->arena);
    q->snap = e.snap;
    q->stacks = cx__rules_stacks(rs, &q->ns);
    q->words = (cx__snapshot_count(e.snap, CX_KIND_CREDENTIAL) + 63) / 64 + 1;
    q->plans = cx__arena_alloc(&q->arena, (q->ns + 1) * sizeof *q->plans);
    q->by_id = cx__arena_alloc(&q->arena, (q->ns + 1) * sizeof *q->by_id);
    const cx_rule **sorted = malloc((q->ns + 1) * sizeof *sorted);
    if (!q->plans || !q->by_id || !sorted) {
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    memset(q->plans, 0, (q->ns + 1) * sizeof *q->plans);
    for (size_t i = 0; i < q->ns; i++) {
        builder b = {.e = &e,
                     .stack = q->stacks[i],
                     .p = &q->plans[i],
                     .arena = &q->arena,
                     .words = q->words};
        plan_stack(&b, i, q);
        if (e.coverage) q->plans[i].refusal = "coverage is being observed";
        sorted[i] = q->stacks[i];
    }
    qsort(sorted, q->ns, sizeof *sorted, by_credential);
    for (size_t k = 0; k < q->ns; k++) {
        size_t i = 0;
        while (q->stacks[i] != sorted[k]) i++;
        q->by_id[k] = i;
    }
done:
    free(sorted);
    cx__eval_end(&e);
    if (rc) {
        cx__quick_free(q);
        return rc;
    }
    *out = q;
    return CX_OK;
}

void cx__quick_free(cx_quick *q)
{
    if (!q) return;
    cx__arena_free(&q->arena);
    free(q);
}

const char *cx__quick_refusal(const cx_quick *q, cx_sym stack)
{
    for (size_t i = 0; i < q->ns; i++)
        if (q->stacks[i]->credential == stack) return q->plans[i].refusal;
    return "no such stack";
}

/* --------------------------------------------------------- per holder */

#define FALLBACK CX_QUICK_FALLBACK

static const qdates no_dates = {CX_DATE_NEVER, INT32_MIN, CX_DATE_NEVER};

static void add_dates(qdates *d, const qdates *x)
{
    if (x->first < d->first) d->first = x->first;
    if (x->last > d->last) d->last = x->last;
    if (x->expiry < d->expiry) d->expiry = x->expiry;
}

/* The dates of the awards the allocation of a met node uses: a choice's
 * first parts that hold, as solve() chooses them. */
static void used_dates(const qplan *p, size_t k, uint64_t holds, const qseen *seen, qdates *out)
{
    const qnode *n = &p->nodes[k];
    if (n->kind == Q_SLOT) {
        add_dates(out, &seen->slot[n->index]);
    } else if (n->kind == Q_HOURS) {
        add_dates(out, &seen->total[n->index]);
    } else {
        for (size_t j = 0, taken = 0; j < n->nkids && taken < n->need; j++)
            if (holds >> n->kids[j] & 1) {
                taken++;
                used_dates(p, n->kids[j], holds, seen, out);
            }
    }
}

int cx__quick_plan_status(const qplan *p, const cx_rule *r, const cx_snapshot *s,
                          const cx_snap_holder *h, cx_date on, const uint8_t *st, qseen *seen,
                          uint64_t *holds_out)
{
    uint32_t count[MAX_NODES];
    int64_t sum[MAX_TOTALS] = {0};
    uint64_t has = 0, holds = 0;
    int touched = 0;
    for (size_t t = 0; seen && t < p->ntotals; t++) seen->total[t] = no_dates;
    if (seen) seen->nadds = 0;
    if (!p->in_force) return CX_NOT_STARTED;
    for (uint32_t i = 0; i < h->nexceptions; i++)
        if (h->exceptions[i].stack == r->credential) return FALLBACK;
    for (size_t i = 0; i < p->nproducers; i++)
        if (st[p->producers[i]] == CX_MET) return FALLBACK;
    for (uint32_t i = 0; i < h->nawards; i++) {
        const cx_snap_award *a = &h->awards[i];
        cx_sym c = a->credential;
        if (a->issued > on) break; /* by issue date: the rest do not exist yet */
        if (!has_bit(p->relevant, c) || a->issued < p->since || a->status != CX_AWARD_ACTIVE)
            continue;
        if (p->check_effective && (a->issued < s->credentials[c].effective_from ||
                                   a->issued > s->credentials[c].effective_until))
            continue;
        if (a->expires < on) {
            if (has_bit(p->renewable, c)) return FALLBACK;
            continue;
        }
        if (p->jurisdiction != CX_NOSYM && a->jurisdiction != p->jurisdiction) {
            if (p->foreign_falls) return FALLBACK;
            continue;
        }
        int8_t bit = p->slot_of[c];
        if (bit >= 0) {
            uint64_t m = UINT64_C(1) << bit;
            if (seen && !(has & m)) {
                seen->slot[bit] = (qdates){a->issued, a->issued, a->expires};
                seen->award[bit] = a;
            }
            count[bit] = has & m ? count[bit] + 1 : 1;
            if (count[bit] > p->cmax) return FALLBACK;
            has |= m;
        }
        if (a->hours == CX_NO_NUMBER || a->hours <= 0) continue;
        uint8_t adds = 0;
        for (size_t t = 0; t < p->ntotals; t++) {
            const qtotal *q = &p->totals[t];
            if ((q->bits && !has_bit(q->bits, c)) ||
                (!q->any_date && (a->issued < q->issued.from || a->issued > q->issued.to)))
                continue;
            if (seen && sum[t] < q->threshold) {
                qdates one = {a->issued, a->issued, a->expires};
                add_dates(&seen->total[t], &one);
            }
            sum[t] += a->hours;
            adds |= (uint8_t)(1u << t);
            touched = 1;
        }
        if (adds && seen && seen->adds) seen->adds[seen->nadds++] = (qadd){c, adds};
    }
    if (seen) memcpy(seen->sum, sum, sizeof sum);
    for (size_t k = 0; k < p->nnodes; k++) { /* postorder: parts before their structure */
        const qnode *n = &p->nodes[k];
        int ok;
        if (n->kind == Q_SLOT)
            ok = (int)(has >> n->index & 1);
        else if (n->kind == Q_HOURS)
            ok = sum[n->index] >= p->totals[n->index].threshold;
        else {
            size_t held = 0;
            for (size_t j = 0; j < n->nkids; j++) held += holds >> n->kids[j] & 1;
            ok = held >= n->need;
        }
        holds |= (uint64_t)ok << k;
    }
    if (holds_out) *holds_out = holds;
    if (holds >> (p->nnodes - 1) & 1) return CX_MET;
    return has || touched ? CX_IN_PROGRESS : CX_NOT_STARTED;
}

/* ------------------------------------------------------- one holder */

int cx__quick_row_of(const qplan *p, const cx_rule *r, size_t plan, int st, uint64_t holds,
                     const qseen *seen, cx_date on, cx_quick_row *row)
{
    qdates used = no_dates;
    memset(row, 0, sizeof *row);
    row->plan = plan;
    row->holds = holds;
    row->missing = p->in_force && st != CX_MET;
    if (st != CX_MET) return 0;
    if (p->expiry_unsure) return FALLBACK;
    used_dates(p, p->nnodes - 1, holds, seen, &used);
    row->issued = r->award_issued == CX_ISSUED_FIRST_COMPONENT ? used.first : used.last;
    if (row->issued == INT32_MIN || row->issued == CX_DATE_NEVER) row->issued = on;
    row->expires = r->award_expires == CX_EXPIRES_NEVER ? CX_DATE_NEVER
                   : r->award_expires == CX_EXPIRES_DURATION
                       ? cx__date_add(row->issued, &r->award_duration)
                       : used.expiry;
    return 0;
}

int cx__quick_statuses(const cx_quick *q, const cx_snapshot *s, cx_date on, const cx_snap_holder *h,
                       const uint8_t *needed, cx_sym only, uint8_t *st, qseen *seens,
                       uint64_t *holds)
{
    if (q->ns > CX_QUICK_MOST_STACKS) return FALLBACK;
    for (size_t i = 0; i < q->ns; i++) {
        int wanted = seens && (only == CX_NOSYM || q->stacks[i]->credential == only);
        if (!needed[i]) continue;
        if (q->plans[i].refusal) return FALLBACK;
        int r = cx__quick_plan_status(&q->plans[i], q->stacks[i], s, h, on, st,
                                      wanted ? &seens[i] : NULL, wanted ? &holds[i] : NULL);
        if (r == FALLBACK) return FALLBACK;
        st[i] = (uint8_t)r;
    }
    return 0;
}

/* cx__quick_holder, with rows (or NULL: statuses only). */
static int holder_plans(const cx_quick *q, const cx_snapshot *s, cx_date on,
                        const cx_snap_holder *h, const uint8_t *needed, cx_sym only, uint8_t *out,
                        cx_quick_row *rows)
{
    uint8_t st[CX_QUICK_MOST_STACKS];
    cx_quick_row all[CX_QUICK_MOST_STACKS];
    qseen seen;
    seen.adds = NULL;
    if (q->ns > sizeof st) return FALLBACK;
    if (!rows && cx__quick_statuses(q, s, on, h, needed, only, st, NULL, NULL)) return FALLBACK;
    for (size_t i = 0; rows && i < q->ns; i++) {
        uint64_t holds = 0;
        if (!needed[i]) continue;
        if (q->plans[i].refusal) return FALLBACK;
        int r = cx__quick_plan_status(&q->plans[i], q->stacks[i], s, h, on, st, &seen, &holds);
        if (r == FALLBACK) return FALLBACK;
        st[i] = (uint8_t)r;
        if ((only == CX_NOSYM || q->stacks[i]->credential == only) &&
            cx__quick_row_of(&q->plans[i], q->stacks[i], i, r, holds, &seen, on, &all[i]))
            return FALLBACK;
    }
    size_t k = 0;
    for (size_t j = 0; j < q->ns; j++) {
        size_t i = q->by_id[j];
        if (only != CX_NOSYM && q->stacks[i]->credential != only) continue;
        if (rows) rows[k] = all[i];
        out[k++] = st[i];
    }
    return 0;
}

int cx__quick_holder(const cx_quick *q, const cx_snapshot *s, cx_date on, const cx_snap_holder *h,
                     const uint8_t *needed, cx_sym only, uint8_t *out)
{
    return holder_plans(q, s, on, h, needed, only, out, NULL);
}

int cx__quick_holder_rows(const cx_quick *q, const cx_snapshot *s, cx_date on,
                          const cx_snap_holder *h, const uint8_t *needed, cx_sym only, uint8_t *out,
                          cx_quick_row *rows)
{
    return holder_plans(q, s, on, h, needed, only, out, rows);
}

/* ------------------------------------------------------ what is missing */

/* require.c's report_missing and open_choice, where every part that holds
 * fits beside the others: an open choice's label, else "at_least(K) {
 * parts that do not hold }"; else the label, a slot's credential id, or
 * the requirement's text. */
void cx__quick_missing_of(const cx_quick *q, const qplan *p, const qnode *n, uint64_t holds,
                          cx_buf *b)
{
    const cx_req *req = n->req;
    if (req->label) {
        cx__buf_puts(b, req->label);
    } else if (req->kind == CX_REQ_ANY || req->kind == CX_REQ_AT_LEAST) {
        size_t held = 0, listed = 0;
        for (size_t j = 0; j < n->nkids; j++) held += holds >> n->kids[j] & 1;
        cx__buf_printf(b, "at_least(%zu) { ", n->need - held);
        for (size_t j = 0; j < n->nkids; j++) {
            if (holds >> n->kids[j] & 1) continue;
            if (listed++) cx__buf_puts(b, ", ");
            cx__buf_puts(b, p->nodes[n->kids[j]].req->text);
        }
        cx__buf_puts(b, " }");
    } else if (req->kind == CX_REQ_CREDENTIAL) {
        cx__buf_puts(b, cx__snapshot_id(q->snap, CX_KIND_CREDENTIAL, req->credential));
    } else {
        cx__buf_puts(b, req->text);
    }
}

void cx__quick_missing(const cx_quick *q, const cx_quick_row *row, cx_buf *b)
{
    const qplan *p = &q->plans[row->plan];
    size_t start[MAX_FORCED], len[MAX_FORCED], n = 0;
    if (!row->missing) return;
    for (size_t i = 0; i < p->nforced; i++) {
        size_t before = b->len, at = b->len + (n > 0), dup = 0;
        if (row->holds >> p->forced[i] & 1) continue;
        if (n) cx__buf_puts(b, ";");
        cx__quick_missing_of(q, p, &p->nodes[p->forced[i]], row->holds, b);
        if (b->oom) return;
        for (size_t j = 0; j < n && !dup; j++) /* cx__eval_missing keeps one of each */
            dup = len[j] == b->len - at && memcmp(b->data + start[j], b->data + at, len[j]) == 0;
        if (dup) {
            b->len = before;
            b->data[before] = '\0';
            continue;
        }
        start[n] = at;
        len[n++] = b->len - at;
    }
}
