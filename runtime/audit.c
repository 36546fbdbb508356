/*
 * audit.c -- stacking audits (docs/design.md §4): for a holder and each stack, the
 * counted awards in the stack's jurisdiction (renewed, issued there or
 * recognised there, and awards derived by stacks evaluated before it),
 * the window, holder exceptions, then the requirement tree; a met stack
 * derives its credential for the stacks after it (dependency order).
 * One holder at a time: audits over every holder are audit_all.c's. Also
 * the probes of `credex check`: each check's requirements on made-up holders.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "sandbox.h"
#include "util.h"

/* The counted awards of one jurisdiction, computed once per holder. */
typedef struct place {
    cx_sym jurisdiction;
    cx_counted *awards;
    size_t n;
} place;

typedef struct holder_run {
    ectx *e;
    const cx_snap_holder *h;
    place *places; /* one per jurisdiction a stack is in, as met */
    size_t nplaces, capplaces;
    cx_counted *derived; /* awards derived by met stacks so far */
    size_t nderived;
    cx_counted *expired; /* with gaps: the holder's expired awards (expired_awards) */
    size_t nexpired;
    int expired_done; /* expired is computed */
} holder_run;

static const place *place_of(holder_run *run, cx_sym j)
{
    for (size_t i = 0; i < run->nplaces; i++)
        if (run->places[i].jurisdiction == j) return &run->places[i];
    if (run->nplaces == run->capplaces) {
        size_t cap = run->capplaces ? 2 * run->capplaces : 4;
        place *v = realloc(run->places, cap * sizeof *v);
        if (!v) return NULL;
        run->places = v;
        run->capplaces = cap;
    }
    place *p = &run->places[run->nplaces++];
    p->jurisdiction = j;
    p->awards = cx__eval_counted(run->e, run->h, j, &p->n);
    return p;
}

/* Finds the requirement labelled label; its index, or -1. */
static int find_label(const cx_req *q, const char *label)
{
    if (q->label && strcmp(q->label, label) == 0) return q->index;
    for (size_t i = 0; i < q->nparts; i++) {
        int k = find_label(q->parts[i], label);
        if (k >= 0) return k;
    }
    return -1;
}

static int max_index(const cx_req *q)
{
    int m = q->index;
    for (size_t i = 0; i < q->nparts; i++) {
        int k = max_index(q->parts[i]);
        if (k > m) m = k;
    }
    return m;
}

/* Applies the holder's exceptions for stack r to opts; 0, or -1 when a
 * waiver names a label the stack lacks (the decision is then an error). */
static int exceptions(ectx *e, const cx_snap_holder *h, const cx_rule *r, cx_req_opts *opts,
                      uint8_t *waived, const cx_snap_exception **subs)
{
    for (uint32_t i = 0; i < h->nexceptions; i++) {
        const cx_snap_exception *x = &h->exceptions[i];
        if (x->stack != r->credential) continue;
        if (x->waive) {
            int k = find_label(r->requires, x->waive);
            if (k < 0) {
                e->d->status = CX_ERROR;
                cx__eval_reason(e, "exception",
                                "%s:%d: the exception waives '%s', but stack %s has no "
                                "requirement labelled so",
                                x->file ? x->file : "catalog", x->line, x->waive, x->stack_id);
                return -1;
            }
            waived[k] = 1;
            cx__eval_reason(e, "exception", "'%s' waived by %s: %s", x->waive,
                            x->by ? x->by : "(not named)", x->reason ? x->reason : "(no reason)");
        } else {
            subs[opts->nsubs++] = x;
        }
    }
    return 0;
}

/* The awards a stack may use: those counted in its jurisdiction plus the
 * derived ones there, less those outside a `recent` window. */
static cx_counted *stack_awards(holder_run *run, const cx_rule *r, size_t *n)
{
    ectx *e = run->e;
    const place *p = place_of(run, r->jurisdiction);
    cx_counted *v = p ? malloc((p->n + run->nderived + 1) * sizeof *v) : NULL;
    cx_date since = r->window_kind == 2 ? cx__date_sub(e->as_of, &r->window) : INT32_MIN;
    *n = 0;
    if (!v) {
        e->oom = 1;
        return NULL;
    }
    for (size_t i = 0; i < p->n; i++)
        if (p->awards[i].issued >= since) v[(*n)++] = p->awards[i];
    for (size_t i = 0; i < run->nderived; i++) {
        const cx_counted *d = &run->derived[i];
        if (d->issued >= since && d->expires >= e->as_of &&
            (r->jurisdiction == CX_NOSYM || d->jurisdiction == r->jurisdiction))
            v[(*n)++] = *d;
    }
    return v;
}

/* The holder's awards that would count on the as-of date but for having
 * expired: active, issued within their credential's effective dates,
 * expired after renewal. Computed once per holder, when a stack first
 * reports gaps; NULL with *n 0 when there are none. */
static const cx_counted *expired_awards(holder_run *run, size_t *n)
{
    ectx *e = run->e;
    if (!run->expired_done) {
        size_t nall = 0;
        cx_counted *all = cx__eval_holder_awards(e, run->h, &nall);
        for (size_t i = 0; all && i < nall; i++) {
            const cx_counted *a = &all[i];
            const cx_snap_credential *c = &e->snap->credentials[a->credential];
            if (a->award->status == CX_AWARD_ACTIVE && a->expires < e->as_of &&
                a->issued >= c->effective_from && a->issued <= c->effective_until)
                all[run->nexpired++] = *a;
        }
        run->expired = all;
        run->expired_done = 1;
    }
    *n = run->nexpired;
    return run->expired;
}

/* Of the holder's expired awards, those stack r would have counted: issued
 * in its jurisdiction (an award from elsewhere would need a recognition,
 * which an expired award never has) and within a `recent` window. Into
 * opts (v: room for them, freed by the caller). */
static void stack_expired(holder_run *run, const cx_rule *r, cx_counted **v, cx_req_opts *opts)
{
    ectx *e = run->e;
    size_t n;
    const cx_counted *all = expired_awards(run, &n);
    cx_date since = r->window_kind == 2 ? cx__date_sub(e->as_of, &r->window) : INT32_MIN;
    if (!n) return;
    if (!(*v = malloc(n * sizeof **v))) {
        e->oom = 1;
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (all[i].issued >= since &&
            (r->jurisdiction == CX_NOSYM || all[i].jurisdiction == r->jurisdiction))
            (*v)[opts->nexpired++] = all[i];
    opts->expired = *v;
}

/* Issue date, then award id, then credential (derived awards share an id):
 * a total order, so the allocation never depends on how qsort breaks ties. */
static int by_issued(const void *x, const void *y)
{
    const cx_counted *a = x, *b = y;
    if (a->issued != b->issued) return a->issued < b->issued ? -1 : 1;
    int c = strcmp(a->id ? a->id : "", b->id ? b->id : "");
    if (c) return c;
    return a->credential < b->credential ? -1 : a->credential > b->credential;
}

/* window = { span = D }: the awards used were issued within D of each
 * other. Tries each earliest issue date in turn; returns the first window
 * (as a range of the sorted awards) whose awards meet the stack (*met 1).
 * When none does, the range is the awards issued in the D before the
 * as-of date: any completion adds awards issued from now on, so only those
 * can join them, and what is missing is reported against them. -1 on
 * error. */
static int span_window(holder_run *run, const cx_rule *r, cx_counted *v, size_t n,
                       const cx_req_opts *opts, size_t *lo, size_t *hi, int *met)
{
    ectx *e = run->e;
    cx_date since = cx__date_sub(e->as_of, &r->window);
    cx_req_opts quiet = *opts;
    quiet.quiet = 1;
    qsort(v, n, sizeof *v, by_issued);
    *met = 0;
    for (size_t a = 0; a < n; a++) {
        if (a && v[a].issued == v[a - 1].issued) continue;
        cx_date end = cx__date_add(v[a].issued, &r->window);
        size_t b = a;
        while (b < n && v[b].issued <= end) b++;
        int rc = cx__eval_requirements(e, r->requires, v + a, b - a, run->h, r->jurisdiction,
                                       &quiet, NULL, NULL);
        if (rc < 0) return -1;
        if (rc == 1) {
            *lo = a;
            *hi = b;
            *met = 1;
            return 0;
        }
    }
    *lo = 0;
    while (*lo < n && v[*lo].issued < since) (*lo)++;
    *hi = n;
    return 0;
}

/* The derived award of a met stack. */
static void derive(holder_run *run, const cx_rule *r, const cx_req_result *res)
{
    ectx *e = run->e;
    cx_counted *v = realloc(run->derived, (run->nderived + 1) * sizeof *v);
    if (!v) {
        e->oom = 1;
        return;
    }
    run->derived = v;
    cx_counted *d = &v[run->nderived++];
    memset(d, 0, sizeof *d);
    d->credential = r->credential;
    d->issued = r->award_issued == CX_ISSUED_FIRST_COMPONENT ? res->first_issued : res->last_issued;
    if (d->issued == INT32_MIN || d->issued == CX_DATE_NEVER) d->issued = e->as_of;
    d->expires = r->award_expires == CX_EXPIRES_NEVER ? CX_DATE_NEVER
                 : r->award_expires == CX_EXPIRES_DURATION
                     ? cx__date_add(d->issued, &r->award_duration)
                     : res->earliest_expiry;
    d->jurisdiction = r->jurisdiction;
    d->hours = CX_NO_NUMBER;
    d->derived = 1;
    d->id = cx__arena_strdup(&e->scratch, "derived");
    char via[300];
    snprintf(via, sizeof via, "derived:%s", r->id);
    d->via = cx__arena_strdup(&e->scratch, via);
    char date[11];
    cx__date_format(d->issued, date);
    memcpy(e->d->issued, date, sizeof date);
    if (d->expires == CX_DATE_NEVER)
        e->d->expires[0] = '\0';
    else
        cx__date_format(d->expires, e->d->expires);
}

void cx__audit_not_in_force(const cx_rule *r, cx_date as_of, const char *as_of_text, char *buf,
                            size_t size)
{
    char date[11];
    int from = r->effective.from > as_of;
    cx__date_format(from ? r->effective.from : r->effective.to, date);
    snprintf(buf, size, "the stack %s %s; as-of is %s",
             from ? "is in force from" : "was in force until", date, as_of_text);
}

/* A stack outside its `effective` dates confers nothing on the as-of date:
 * the decision is not_started, saying when the stack is in force. */
static void not_in_force(ectx *e, const cx_rule *r)
{
    char why[96];
    e->d->status = CX_NOT_STARTED;
    cx__audit_not_in_force(r, e->as_of, e->as_of_text, why, sizeof why);
    cx__eval_reason(e, "effective", "%s", why);
}

/* Decides one stack for the run's holder into e->d. */
static void decide_stack(holder_run *run, const cx_rule *r)
{
    ectx *e = run->e;
    size_t n = 0, lo = 0, hi = 0;
    int nreq = max_index(r->requires) + 1, met = 0;
    uint8_t *waived = calloc((size_t)nreq, 1);
    const cx_snap_exception **subs = calloc(run->h->nexceptions + 1, sizeof *subs);
    cx_counted *v = stack_awards(run, r, &n), *expired = NULL;
    cx_req_opts opts = {.reuse = r->reuse_awards,
                        .waived = waived,
                        .nwaived = (size_t)nreq,
                        .subs = subs,
                        .details = e->details};
    cx_req_result res = {0};
    cx_trace *t = cx__eval_trace(e, &e->d->trace, r, "considered", NULL);
    if (!waived || !subs || !v || !t) {
        e->oom = 1;
        goto done;
    }
    if (!cx__eval_effective(r, e->as_of)) {
        not_in_force(e, r);
        goto done;
    }
    if (exceptions(e, run->h, r, &opts, waived, subs) < 0) goto done;
    if (e->details & CX_DETAIL_GAPS) stack_expired(run, r, &expired, &opts);
    if (r->window_kind == 1) {
        if (span_window(run, r, v, n, &opts, &lo, &hi, &met) < 0) goto done;
    } else {
        lo = 0;
        hi = n;
    }
    /* the stack's own trace node says how it ended; used and missing say
     * why, slot by slot (a node repeating the requirement tree's text
     * would add nothing, and cost every audit --all line ~250 bytes) */
    int rc = cx__eval_requirements(e, r->requires, v + lo, hi - lo, run->h, r->jurisdiction, &opts,
                                   NULL, &res);
    if (rc < 0) goto done;
    if (rc == 1) {
        e->d->status = CX_MET;
        derive(run, r, &res);
        goto done;
    }
    if (r->window_kind != 1) { /* the awards evaluated were all of them */
        e->d->status = res.progress ? CX_IN_PROGRESS : CX_NOT_STARTED;
        goto done;
    }
    /* with a span window, progress is judged on every counted award, not
     * one window; and a set that meets the stack but not within the span
     * says so */
    cx_req_opts quiet = opts;
    quiet.quiet = 1;
    quiet.details = 0;
    cx_req_result all = {0};
    int whole =
        cx__eval_requirements(e, r->requires, v, n, run->h, r->jurisdiction, &quiet, NULL, &all);
    if (whole < 0) goto done;
    e->d->status = all.progress || res.progress ? CX_IN_PROGRESS : CX_NOT_STARTED;
    if (whole == 1) {
        char span[64];
        int len = snprintf(span, sizeof span, "P");
        const int32_t parts[4] = {r->window.years, r->window.months, r->window.weeks,
                                  r->window.days};
        for (int k = 0; k < 4; k++)
            if (parts[k] && len < (int)sizeof span - 16)
                len += snprintf(span + len, sizeof span - (size_t)len, "%d%c", parts[k], "YMWD"[k]);
        cx__eval_reason(e, "window",
                        "the awards would meet it, but not all issued within %s of each other",
                        span);
    }
done:
    if (t) {
        free(t->status);
        t->status = cx__strdup(cx_status_name(e->d->status));
    }
    free(waived);
    free(subs);
    free(v);
    free(expired);
}

static int by_stack_id(const void *x, const void *y)
{
    const cx_decision *a = *(cx_decision *const *)x, *b = *(cx_decision *const *)y;
    return strcmp(a->stack, b->stack);
}

uint8_t *cx__audit_needed(const cx_rules *rs, cx_sym only)
{
    size_t ns;
    const cx_rule *const *stacks = cx__rules_stacks(rs, &ns);
    const cx_snapshot *snap = cx__rules_snapshot(rs);
    uint32_t ncred = cx__snapshot_count(snap, CX_KIND_CREDENTIAL);
    /* per credential: some exception substitutes it for another (a derived
     * award of it may then fill a slot no rule names it in) */
    uint8_t *need = calloc(ns + 1, 1), *subst = calloc(ncred + 1, 1);
    if (!need || !subst) {
        free(need);
        free(subst);
        return NULL;
    }
    for (uint32_t x = 0; x < snap->nexceptions; x++)
        if (!snap->exceptions[x].waive && snap->exceptions[x].substitute_use < ncred)
            subst[snap->exceptions[x].substitute_use] = 1;
    for (size_t i = ns; i-- > 0;) { /* a stack needs only stacks before it */
        const cx_rule *r = stacks[i];
        if (r->credential == only) need[i] = 1;
        if (!need[i]) continue;
        int all = r->reads.checks;
        for (size_t j = 0; j < i; j++) {
            need[j] |= (uint8_t)(all || subst[stacks[j]->credential]);
            for (size_t d = 0; d < r->ndepends && !need[j]; d++)
                need[j] = stacks[j]->credential == r->depends[d];
        }
    }
    free(subst);
    return need;
}

/* Every stack for one holder (only `only` when it is not CX_NOSYM, and then
 * only the stacks it needs: e->stacks_needed, or all those before it in
 * dependency order), in byte order of stack id. */
int cx__audit_holder(ectx *e, cx_sym h, cx_sym only, cx_decision ***out, size_t *n, cx_error *err)
{
    size_t ns;
    const cx_rule *const *stacks = cx__rules_stacks(e->rs, &ns);
    cx_decision **v = calloc(ns + 1, sizeof *v);
    holder_run run = {.e = e, .h = cx__snapshot_holder(e->snap, h, &e->view)};
    int rc = CX_OK;
    *n = 0;
    if (!v || !run.h) {
        free(v);
        return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (size_t i = 0; i < ns && rc == CX_OK; i++) {
        const cx_rule *r = stacks[i];
        if (only != CX_NOSYM && e->stacks_needed && !e->stacks_needed[i]) continue;
        const char *stack = cx__eval_id(e, CX_KIND_CREDENTIAL, r->credential);
        char subject[600];
        snprintf(subject, sizeof subject, "audit %s %s", run.h->id, stack);
        if ((rc = cx__eval_new(e, CX_DECISION_AUDIT, subject, err))) break;
        e->d->holder = cx__strdup(run.h->id);
        e->d->stack = cx__strdup(stack);
        if (!e->d->holder || !e->d->stack) e->oom = 1; /* cx__eval_finish says so */
        decide_stack(&run, r);
        cx_decision *d;
        if ((rc = cx__eval_finish(e, &d, err))) break;
        if (only == CX_NOSYM || r->credential == only)
            v[(*n)++] = d;
        else
            cx_decision_free(d);
        if (r->credential == only) break;
    }
    for (size_t i = 0; i < run.nplaces; i++) free(run.places[i].awards);
    free(run.places);
    free(run.derived);
    free(run.expired);
    if (rc) {
        cx_decisions_free(v, *n);
        *n = 0;
        return rc;
    }
    qsort(v, *n, sizeof *v, by_stack_id);
    *out = v;
    return CX_OK;
}

int cx__audit_find_stack(const ectx *e, const char *stack, cx_sym *out, cx_error *err)
{
    size_t ns, i = 0;
    const cx_rule *const *stacks = cx__rules_stacks(e->rs, &ns);
    int rc = cx__eval_lookup(e, CX_KIND_CREDENTIAL, stack, out, err);
    if (rc) return rc;
    while (i < ns && stacks[i]->credential != *out) i++;
    if (i == ns)
        return cx__error(err, CX_EUSAGE, NULL, 0, 0,
                         "no stack confers '%s' in the rule packs loaded", stack);
    return CX_OK;
}

static int audit(cx_rules *rules, const char *holder, const char *stack, const char *as_of,
                 unsigned details, cx_decision ***out, size_t *n, cx_error *err)
{
    ectx e;
    cx_sym h, only = CX_NOSYM;
    uint8_t *need = NULL;
    *out = NULL;
    *n = 0;
    int rc = cx__eval_begin(&e, rules, as_of, err);
    if (rc || (rc = cx__eval_lookup(&e, CX_KIND_HOLDER, holder, &h, err))) return rc;
    if (stack && (rc = cx__audit_find_stack(&e, stack, &only, err))) goto done;
    if (stack && !(need = cx__audit_needed(rules, only))) {
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    e.stacks_needed = need;
    e.details = details;
    rc = cx__audit_holder(&e, h, only, out, n, err);
done:
    free(need);
    cx__eval_end(&e);
    return rc;
}

/* audit with the rules entered: one call at a time (credex.h, "Threads"). */
int cx_audit_with(cx_rules *rules, const char *holder, const char *stack, const char *as_of,
                  unsigned details, cx_decision ***out, size_t *n, cx_error *err)
{
    *out = NULL;
    *n = 0;
    int rc = cx__rules_enter(rules, err);
    if (rc) return rc;
    rc = audit(rules, holder, stack, as_of, details, out, n, err);
    cx__rules_leave(rules);
    return rc;
}

int cx_audit(cx_rules *rules, const char *holder, const char *stack, const char *as_of,
             cx_decision ***out, size_t *n, cx_error *err)
{
    return cx_audit_with(rules, holder, stack, as_of, CX_DETAIL_GAPS, out, n, err);
}

/* ------------------------------------------------ probes (credex check) */

/* The first trip of a probe: which function, and the limit. */
typedef struct probe_trip {
    int tripped, pack, fn;
    char limit[768];
} probe_trip;

static void probe_tripped(void *ud, int pack, int fn, const cx_error *why)
{
    probe_trip *t = ud;
    if (t->tripped) return;
    t->tripped = 1;
    t->pack = pack;
    t->fn = fn;
    snprintf(t->limit, sizeof t->limit, "%s", why->message);
}

/* Evaluates r's requirements for a made-up holder: with no awards, or
 * (with_awards) an award, issued on the as-of date, of each credential r's
 * requirements read. The decision made for it is dropped. */
static int probe_rule(ectx *e, const cx_rule *r, int with_awards, cx_error *err)
{
    uint32_t nc = cx__snapshot_count(e->snap, CX_KIND_CREDENTIAL);
    cx_counted *v = calloc(nc + 1, sizeof *v);
    cx_snap_holder holder = {.id = "probe", .jurisdiction = CX_NOSYM};
    cx_req_opts opts = {.reuse = r->reuse_awards, .quiet = 1};
    cx_decision *d = NULL;
    size_t n = 0;
    if (!v) return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    for (cx_sym c = 0; with_awards && c < nc; c++) {
        const cx_reads *rd = &r->reads;
        if (!(rd->slots && rd->slots[c / 64] >> (c % 64) & 1) && !rd->totals_every &&
            !(rd->totals && rd->totals[c / 64] >> (c % 64) & 1))
            continue;
        const cx_snap_credential *cr = &e->snap->credentials[c];
        v[n++] = (cx_counted){.credential = c,
                              .issued = e->as_of,
                              .expires = CX_DATE_NEVER,
                              .jurisdiction = cr->jurisdiction,
                              .hours = cr->hours,
                              .via = "direct"};
    }
    int rc = cx__eval_new(e, CX_DECISION_AUDIT, "probe", err);
    if (rc == CX_OK) {
        cx__eval_requirements(e, r->requires, v, n, &holder, r->jurisdiction, &opts, NULL, NULL);
        rc = cx__eval_finish(e, &d, err);
    }
    cx_decision_free(d);
    free(v);
    return rc;
}

static void probe_warning(cx_diagnostics *diags, const char *file, int line, const char *fmt, ...)
    CX_PRINTF(4, 5);
static void probe_warning(cx_diagnostics *diags, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cx__diagnostics_vadd(diags, 1, file, line, fmt, ap);
    va_end(ap);
}

static int probe(cx_rules *rules, const char *as_of, cx_diagnostics *diags, cx_error *err)
{
    static const char *const holders[2] = {
        "a probe holder with no awards",
        "a probe holder with an award of each credential the rule names"};
    ectx e;
    probe_trip trip;
    int rc = cx__eval_begin(&e, rules, as_of, err);
    e.on_trip = probe_tripped;
    e.on_trip_ud = &trip;
    for (size_t i = 0; rc == CX_OK && i < e.nrules; i++) {
        const cx_rule *r = e.rules[i];
        if (!r->requires || !r->reads.checks) continue;
        for (int with_awards = 0; with_awards < 2 && rc == CX_OK; with_awards++) {
            memset(&trip, 0, sizeof trip);
            rc = probe_rule(&e, r, with_awards, err);
            if (rc != CX_OK || !trip.tripped) continue;
            probe_warning(diags, cx__rules_pack(rules, trip.pack)->path,
                          cx__sandbox_function_line(e.sb, trip.pack, trip.fn),
                          "check of rule '%s' trips a limit on %s: %s; every decision that "
                          "calls it would be an error",
                          r->id, holders[with_awards], trip.limit);
            break; /* one warning per rule */
        }
    }
    cx__eval_end(&e);
    return rc;
}

int cx_rules_probe(cx_rules *rules, const char *as_of, cx_diagnostics *diags, cx_error *err)
{
    int rc = cx__rules_enter(rules, err);
    if (rc) return rc;
    rc = probe(rules, as_of, diags, err);
    cx__rules_leave(rules);
    return rc;
}
