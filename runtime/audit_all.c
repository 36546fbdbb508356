/*
 * audit_all.c -- the one driver of audits over every holder (cx_audit_each,
 * and on it cx_audit_all and cx_audit_summary): workers decide chunks of
 * holders, through the status plans (quick.c) where only statuses are
 * wanted and a plan is sure, else in full (audit.c), and render on their
 * thread; the calling thread visits the decisions in byte order of holder,
 * then stack; the run breaker stops a run in which one rule keeps tripping
 * a counted limit. It decides nothing itself and builds no text.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "quick.h"
#include "util.h"

#define BATCH       4096 /* holders decided between two visits */
#define KEEP_BATCH  512  /* ... when whole decisions live until visited */
#define CHUNK       64   /* holders a worker takes at a time, deciding in full */
#define PLAN_CHUNK  256  /* ... through the status plans */
#define MOST_CHUNKS (BATCH / CHUNK)
#define UNDECIDED   0xff /* a status slot no worker has filled (yet) */

/* One run: set up on the calling thread; while the workers run, each
 * writes only the slots of the chunks it took. The decisions of a batch
 * are in slots (h - base) * nout + k: holder h's k-th stack in id order. */
typedef struct drive {
    cx_rules *rules;
    const cx_audit_options *opt;
    cx_quick *plans;       /* statuses only: the status plans; else NULL */
    cx_sym only;           /* opt->stack's symbol, or CX_NOSYM */
    uint8_t *needed;       /* per stack (dependency order): its decision is needed */
    size_t nout;           /* decisions per holder */
    const char **stacks;   /* the ids of those decisions' stacks, in byte order */
    uint32_t batch, chunk; /* holders per batch, per chunk */
    cx_chunks take;        /* the batch's holders, a chunk at a time */
    uint8_t *status;       /* per slot: the status */
    cx_decision **kept;    /* with opt->decisions: per slot, the decision (owned) */
    size_t *at;            /* with render: per slot, where its text starts in its chunk's */
    cx_buf *texts;         /* with render: per chunk, its NUL-terminated texts */

    /* the run breaker (docs/security.md, "Run breaker") */
    unsigned max_trips; /* decisions in which one rule may trip a limit */
    atomic_uint *trips; /* per rule (cx__rules_by_id): decisions in which it tripped */
    atomic_int stop;    /* 1 once a rule reached max_trips: workers take no more holders */
    cx_breaker why;     /* what stopped the run: written once, by the worker that set stop */
} drive;

typedef struct worker {
    drive *d;
    struct cx_sandbox *sb; /* this worker's own Lua state */
    cx_buf one;            /* where one decision is rendered: small, so the many small
                              writes of a renderer stay in cache; then copied to its chunk */
    int rc;
    cx_error err;
} worker;

/* Renders dec at the end of texts; *at is where it starts. 0, or -1 out
 * of memory. */
static int render_into(worker *w, cx_buf *texts, const cx_decision *dec, size_t *at)
{
    const cx_audit_options *opt = w->d->opt;
    *at = texts->len;
    w->one.len = 0;
    if (w->one.data) w->one.data[0] = '\0'; /* a renderer that writes nothing */
    if (opt->render(opt->render_ud, dec, cx__buf_write, &w->one) || w->one.oom) return -1;
    cx__buf_add(texts, w->one.data ? w->one.data : "", w->one.len + 1); /* and its NUL */
    return texts->oom ? -1 : 0;
}

/* Decides holder h in full into the slots from slot on. */
static int decide_holder(worker *w, ectx *e, uint32_t h, size_t slot, cx_buf *texts)
{
    drive *d = w->d;
    cx_decision **v = NULL;
    size_t n = 0;
    int rc = cx__audit_holder(e, h, d->only, &v, &n, &w->err);
    for (size_t i = 0; rc == CX_OK && i < n && i < d->nout; i++) {
        d->status[slot + i] = (uint8_t)v[i]->status;
        if (texts && render_into(w, texts, v[i], &d->at[slot + i]))
            rc = cx__error(&w->err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        if (d->kept) { /* the visitor frees it */
            d->kept[slot + i] = v[i];
            v[i] = NULL;
        }
    }
    cx_decisions_free(v, n);
    return rc;
}

/* The evaluator's on_trip, on a worker: one more decision in which the
 * rule owning function (pack, fn) tripped a limit. The trip that brings
 * a rule to max_trips stops the run, and the first such says why. */
static void count_trip(void *ud, int pack, int fn, const cx_error *why)
{
    worker *w = ud;
    drive *d = w->d;
    size_t n;
    long owner = cx__rules_function_owner(d->rules, pack, fn);
    int running = 0;
    if (owner < 0 || atomic_fetch_add(&d->trips[owner], 1) + 1 != d->max_trips) return;
    if (!atomic_compare_exchange_strong(&d->stop, &running, 1)) return;
    snprintf(d->why.rule, sizeof d->why.rule, "%s", cx__rules_by_id(d->rules, &n)[owner]->id);
    snprintf(d->why.file, sizeof d->why.file, "%s", cx__rules_pack(d->rules, pack)->path);
    d->why.line = cx__sandbox_function_line(w->sb, pack, fn);
    snprintf(d->why.limit, sizeof d->why.limit, "%s", why->message);
    d->why.trips = d->max_trips;
}

static int stopped(drive *d)
{
    return atomic_load_explicit(&d->stop, memory_order_relaxed);
}

/* Takes chunks of the batch until none is left (or this worker failed, or
 * the run breaker stopped the run: checked before every holder). */
static void *work(void *arg)
{
    worker *w = arg;
    drive *d = w->d;
    ectx e;
    uint32_t lo, hi;
    w->rc = cx__eval_begin(&e, d->rules, d->opt->as_of, &w->err);
    if (w->rc) return NULL;
    e.sb = w->sb;
    e.stacks_needed = d->needed; /* the full evaluator decides the same stacks */
    e.details = d->opt->details;
    e.on_trip = count_trip;
    e.on_trip_ud = w;
    for (long c; w->rc == CX_OK && !stopped(d) && (c = cx__chunks_take(&d->take, &lo, &hi)) >= 0;) {
        cx_buf *texts = d->texts ? &d->texts[c] : NULL;
        if (texts) texts->len = 0;
        for (uint32_t h = lo; h < hi && w->rc == CX_OK && !stopped(d); h++) {
            size_t slot = (size_t)(h - d->take.base) * d->nout;
            if (d->plans && cx__quick_holder(d->plans, e.snap, e.as_of, h, d->needed, d->only,
                                             d->status + slot) == 0)
                continue;
            w->rc = decide_holder(w, &e, h, slot, texts);
        }
    }
    cx__eval_end(&e);
    return NULL;
}

/* Hands the decided batch to visit, in order, on the calling thread; frees
 * the kept decisions as it goes. After a stop, only the holders before the
 * first one left undecided: the output ends with a whole decision. */
static int visit_batch(drive *d, cx_audit_visit_fn visit, void *ud)
{
    const cx_snapshot *s = cx__rules_snapshot(d->rules);
    int rc = CX_OK;
    for (uint32_t h = d->take.base; h < d->take.end; h++) {
        if (d->nout && d->status[(size_t)(h - d->take.base) * d->nout] == UNDECIDED) break;
        for (size_t k = 0; k < d->nout; k++) {
            size_t slot = (size_t)(h - d->take.base) * d->nout + k;
            cx_audit_entry entry = {s->holders[h].id, d->stacks[k], (cx_status)d->status[slot],
                                    d->kept ? d->kept[slot] : NULL, NULL};
            if (d->texts) entry.text = d->texts[(h - d->take.base) / d->chunk].data + d->at[slot];
            if (rc == CX_OK) rc = visit(ud, &entry);
            if (d->kept) {
                cx_decision_free(d->kept[slot]);
                d->kept[slot] = NULL;
            }
        }
    }
    return rc;
}

static int by_symbol(const void *x, const void *y)
{
    const cx_rule *const *a = x, *const *b = y;
    return (*a)->credential < (*b)->credential ? -1 : (*a)->credential > (*b)->credential;
}

/* The stacks decided and those visited (their ids in byte order: symbols
 * compare as ids do). */
static int choose_stacks(drive *d, cx_error *err)
{
    size_t ns;
    const cx_rule *const *stacks = cx__rules_stacks(d->rules, &ns);
    const cx_snapshot *s = cx__rules_snapshot(d->rules);
    const cx_rule **sorted = malloc((ns + 1) * sizeof *sorted);
    uint8_t *needed = d->only == CX_NOSYM ? malloc(ns + 1) : cx__audit_needed(d->rules, d->only);
    d->needed = needed;
    d->stacks = malloc((ns + 1) * sizeof *d->stacks);
    if (!sorted || !needed || !d->stacks) {
        free(sorted);
        return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (d->only == CX_NOSYM) memset(needed, 1, ns);
    memcpy(sorted, stacks, ns * sizeof *sorted);
    qsort(sorted, ns, sizeof *sorted, by_symbol);
    for (size_t i = 0; i < ns; i++)
        if (d->only == CX_NOSYM || sorted[i]->credential == d->only)
            d->stacks[d->nout++] = cx__snapshot_id(s, CX_KIND_CREDENTIAL, sorted[i]->credential);
    free(sorted);
    return CX_OK;
}

/* Everything a run needs before the workers start. */
static int prepare(drive *d, cx_error *err)
{
    const cx_audit_options *opt = d->opt;
    int plans = !opt->render && !opt->decisions, rc = CX_OK;
    if (opt->stack) {
        ectx e;
        rc = cx__eval_begin(&e, d->rules, opt->as_of, err);
        if (rc == CX_OK) rc = cx__audit_find_stack(&e, opt->stack, &d->only, err);
        cx__eval_end(&e);
    }
    if (rc == CX_OK && plans) rc = cx__quick_compile(d->rules, opt->as_of, &d->plans, err);
    if (rc == CX_OK) rc = choose_stacks(d, err);
    if (rc) return rc;
    d->max_trips = opt->max_trips ? opt->max_trips : CX_MAX_TRIPS;
    d->trips = malloc((cx_rules_rule_count(d->rules) + 1) * sizeof *d->trips);
    if (!d->trips) return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < cx_rules_rule_count(d->rules); i++) atomic_init(&d->trips[i], 0);
    atomic_init(&d->stop, 0);
    d->batch = opt->decisions ? KEEP_BATCH : BATCH;
    d->chunk = plans ? PLAN_CHUNK : CHUNK;
    d->status = malloc((size_t)d->batch * d->nout + 1);
    if (opt->decisions) d->kept = calloc((size_t)d->batch * d->nout + 1, sizeof *d->kept);
    if (opt->render) d->at = malloc(((size_t)d->batch * d->nout + 1) * sizeof *d->at);
    if (opt->render) d->texts = calloc(MOST_CHUNKS, sizeof *d->texts);
    if (!d->status || (opt->decisions && !d->kept) || (opt->render && (!d->at || !d->texts)))
        return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    return CX_OK;
}

static void drive_free(drive *d)
{
    for (size_t c = 0; d->texts && c < MOST_CHUNKS; c++) cx__buf_free(&d->texts[c]);
    for (size_t i = 0; d->kept && i < (size_t)d->batch * d->nout; i++) cx_decision_free(d->kept[i]);
    cx__quick_free(d->plans);
    free(d->needed);
    free(d->stacks);
    free(d->status);
    free(d->kept);
    free(d->at);
    free(d->texts);
    free(d->trips);
}

/* The run breaker stopped the run: CX_EINPUT at the function that tripped,
 * and opt->breaker filled. */
static int breaker_error(drive *d, cx_error *err)
{
    if (d->opt->breaker) *d->opt->breaker = d->why;
    return cx__error(err, CX_EINPUT, d->why.file, d->why.line, 0,
                     "run stopped: rule '%s' tripped a counted limit in %u decisions (the run "
                     "breaker's maximum): %s",
                     d->why.rule, d->max_trips, d->why.limit);
}

/* Decides the batches in turn on the workers, visiting each. */
static int run_batches(drive *d, worker *ws, int jobs, cx_audit_visit_fn visit, void *ud,
                       cx_error *err)
{
    uint32_t nh = cx__snapshot_count(cx__rules_snapshot(d->rules), CX_KIND_HOLDER);
    int rc = CX_OK;
    for (uint32_t base = 0; base < nh && rc == CX_OK; base += d->batch) {
        uint32_t end = nh - base < d->batch ? nh : base + d->batch;
        cx__chunks_start(&d->take, base, end, d->chunk);
        memset(d->status, UNDECIDED, (size_t)(end - base) * d->nout);
        for (int j = 0; j < jobs; j++) ws[j].rc = CX_OK;
        cx__run_parallel(ws, sizeof *ws, jobs, work);
        for (int j = 0; j < jobs && rc == CX_OK; j++)
            if (ws[j].rc) {
                rc = ws[j].rc;
                *err = ws[j].err;
            }
        if (rc == CX_OK) rc = visit_batch(d, visit, ud);
        if (rc == CX_OK && stopped(d)) rc = breaker_error(d, err);
        if (rc == CX_OK && d->opt->progress)
            d->opt->progress(d->opt->progress_ud, "auditing", end, nh);
    }
    return rc;
}

static int audit_each(cx_rules *rules, const cx_audit_options *opt, cx_audit_visit_fn visit,
                      void *ud, cx_error *err)
{
    drive d = {.rules = rules, .opt = opt, .only = CX_NOSYM};
    worker ws[64];
    int jobs = opt->jobs < 1 ? 1 : opt->jobs > 64 ? 64 : opt->jobs, started = 0;
    int rc = prepare(&d, err);
    memset(ws, 0, sizeof ws);
    for (int j = 0; j < jobs && rc == CX_OK; j++, started++) { /* a Lua state per worker */
        ws[j].d = &d;
        cx__buf_init(&ws[j].one);
        rc = j == 0 ? (ws[j].sb = cx__rules_sandbox(rules), CX_OK)
                    : cx__rules_worker(rules, &ws[j].sb, err);
    }
    if (rc == CX_OK) rc = run_batches(&d, ws, jobs, visit, ud, err);
    for (int j = 0; j < started; j++) {
        if (j) cx__sandbox_free(ws[j].sb);
        cx__buf_free(&ws[j].one);
    }
    drive_free(&d);
    return rc;
}

/* audit_each with the rules entered: one call at a time (credex.h,
 * "Threads"); cx_audit_all and cx_audit_summary enter through here. */
int cx_audit_each(cx_rules *rules, const cx_audit_options *opt, cx_audit_visit_fn visit, void *ud,
                  cx_error *err)
{
    int rc = cx__rules_enter(rules, err);
    if (rc) return rc;
    rc = audit_each(rules, opt, visit, ud, err);
    cx__rules_leave(rules);
    return rc;
}

/* ------------------------------------------------- cx_audit_all's output */

typedef struct outputs {
    cx_output_fn output;
    void *ud;
} outputs;

static int to_output(void *ud, const cx_audit_entry *entry)
{
    const outputs *o = ud;
    return o->output(o->ud, entry->text, entry->status);
}

int cx_audit_all(cx_rules *rules, const char *stack, const char *as_of, int jobs,
                 cx_render_fn render, cx_output_fn output, void *ud, cx_progress_fn progress,
                 void *progress_ud, cx_error *err)
{
    cx_audit_options opt = {.stack = stack,
                            .as_of = as_of,
                            .jobs = jobs,
                            .render = render,
                            .render_ud = ud,
                            .progress = progress,
                            .progress_ud = progress_ud};
    outputs o = {output, ud};
    return cx_audit_each(rules, &opt, to_output, &o, err);
}

/* ------------------------------------------------------------- summary */

typedef struct summing {
    cx_audit_count *counts; /* per stack of the output, in id order */
    size_t n, at;           /* stacks; the next decision's stack */
} summing;

static int add_status(void *ud, const cx_audit_entry *entry)
{
    summing *s = ud;
    cx_audit_count *c = &s->counts[s->at];
    s->at = (s->at + 1) % s->n;
    c->met += entry->status == CX_MET;
    c->in_progress += entry->status == CX_IN_PROGRESS;
    c->not_started += entry->status == CX_NOT_STARTED;
    c->error += entry->status == CX_ERROR;
    return CX_OK;
}

int cx_audit_summary(cx_rules *rules, const char *stack, const char *as_of, int jobs,
                     cx_progress_fn progress, void *progress_ud, cx_audit_count **out, size_t *n,
                     cx_error *err)
{
    size_t ns;
    const cx_rule *const *stacks = cx__rules_stacks(rules, &ns);
    const cx_snapshot *snap = cx__rules_snapshot(rules);
    summing s = {calloc(ns + 1, sizeof *s.counts), 0, 0};
    cx_audit_options opt = {.stack = stack,
                            .as_of = as_of,
                            .jobs = jobs,
                            .progress = progress,
                            .progress_ud = progress_ud};
    *out = NULL;
    *n = 0;
    if (!s.counts) return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < ns; i++) {
        const char *id = cx__snapshot_id(snap, CX_KIND_CREDENTIAL, stacks[i]->credential);
        if (!stack || strcmp(stack, id) == 0) s.counts[s.n++].stack = id;
    }
    qsort(s.counts, s.n, sizeof *s.counts, cx__strcmp_ptr); /* stack is the first member */
    /* an unknown stack: CX_EUSAGE before any decision */
    int rc = cx_audit_each(rules, &opt, add_status, &s, err);
    if (rc) {
        free(s.counts);
        return rc;
    }
    *out = s.counts;
    *n = s.n;
    return CX_OK;
}
