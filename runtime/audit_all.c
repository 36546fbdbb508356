/*
 * audit_all.c -- the one driver of audits over every holder (cx_audit_each,
 * and on it cx_audit_all and cx_audit_summary): one pool of workers for
 * the whole run decides batches of holders a chunk at a time, through the
 * status plans (quick.c) where only statuses or CSV rows are wanted and a
 * plan is sure, else in full (audit.c), and renders on their thread; the
 * calling thread visits batch k in byte order of holder, then stack, while
 * the workers decide batch k+1; the run breaker stops a run in which one
 * rule keeps tripping a counted limit. It decides nothing itself and
 * builds no text but through quick.c (rows and JSON lines of the plans)
 * and decision.c; with opt->direct it writes the texts to a descriptor.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "eval.h"
#include "quick.h"
#include "render.h"
#include "util.h"

#define BATCH             4096 /* holders decided between two visits */
#define KEEP_BATCH        512  /* ... when whole decisions live until visited */
#define CHUNK             64   /* holders a worker takes at a time, deciding in full */
#define PLAN_CHUNK        256  /* ... through the status plans */
#define MOST_CHUNKS       (BATCH / CHUNK)
#define UNDECIDED         0xff /* a status slot no worker has filled (yet) */
#define SLABS             2    /* batches in flight: one visited, the next decided */
#define MOST_JOBS         64
#define MISSING_MEMO_BITS 6                        /* a worker's memo of `missing` CSV fields: */
#define MISSING_MEMO      (1 << MISSING_MEMO_BITS) /* 64 entries */
#define MEMO_TEXT         (16 * 1024) /* ... and of their text, before it starts again */
#define TEXTS             1024        /* texts written by one writev, at most (opt->direct) */

/* One batch in flight. Its decisions are in slots (h - base) * nout + k:
 * holder h's k-th stack in id order; a worker writes only the slots of the
 * chunks it took. The counters are under the drive's lock. */
typedef struct slab {
    long batch;           /* its number in the run, or -1: free */
    uint32_t base, end;   /* its holders */
    uint32_t nchunks;     /* chunks of it */
    uint32_t taken, done; /* chunks handed out; chunks finished */
    uint8_t *status;      /* per slot: the status */
    cx_decision **kept;   /* with opt->decisions: per slot, the decision (owned) */
    size_t *at;           /* with text: per slot, where its text starts in its chunk's */
    cx_buf *texts;        /* with text: per chunk, its NUL-terminated texts */
    atomic_int failed;    /* 1 once deciding it failed: its holders are skipped */
    int rc;               /* the first failure deciding it, and why */
    cx_error err;
} slab;

/* One run: set up on the calling thread, then shared with the workers. */
typedef struct drive {
    cx_rules *rules;
    const cx_audit_options *opt;
    cx_render_fn render; /* what writes a decision's text (CSV: its row), or NULL */
    void *render_ud;
    cx_quick *plans;       /* statuses or CSV rows only: the status plans; else NULL */
    int rows;              /* 1: the text is the CSV row, which the plans may write */
    int lines;             /* 1: the text is the JSON line, which the plans may write */
    cx_sym only;           /* opt->stack's symbol, or CX_NOSYM */
    uint8_t *needed;       /* per stack (dependency order): its decision is needed */
    size_t nout;           /* decisions per holder */
    const char **stacks;   /* the ids of those decisions' stacks, in byte order */
    uint32_t batch, chunk; /* holders per batch, per chunk */
    uint32_t first, end;   /* the holders of the run: a shard's, or all of them */
    slab slabs[SLABS];
    struct iovec texts[TEXTS]; /* opt->direct: the texts visited, not yet written */
    int ntexts;

    pthread_mutex_t lock;    /* the slabs' counters, quit */
    pthread_cond_t work;     /* a batch was published, or quit */
    pthread_cond_t finished; /* a slab's last chunk was finished */
    int quit;                /* 1: workers take no more chunks and end */

    /* the run breaker (docs/security.md, "Run breaker") */
    unsigned max_trips; /* decisions in which one rule may trip a limit */
    atomic_uint *trips; /* per rule (cx__rules_by_id): decisions in which it tripped */
    atomic_int stop;    /* 1 once a rule reached max_trips: workers take no more holders */
    cx_breaker why;     /* what stopped the run: written once, by the worker that set stop */
} drive;

/* A `missing` field of the plans' CSV rows, quoted: it depends on the
 * stack's plan and which of its requirements hold, of which a run sees
 * few, so each is built and quoted once per worker (missing_field). */
typedef struct missing_memo {
    size_t plan; /* SIZE_MAX: an empty entry */
    uint64_t holds;
    size_t at, len; /* the field in the worker's memo_text */
} missing_memo;

typedef struct worker {
    drive *d;
    struct cx_sandbox *sb; /* this worker's own Lua state */
    ectx e;                /* its evaluation context (begun on the calling thread) */
    int begun;             /* e is begun */
    cx_buf one;            /* where one decision is rendered: small, so the many small
                              writes of a renderer stay in cache; then copied to its chunk */
    missing_memo *memo;    /* MISSING_MEMO entries (on the heap: workers live on a stack) */
    cx_quick_json *lines;  /* with d->lines: its JSON fragments */
    cx_buf memo_text;
    cx_error err;
} worker;

/* Renders dec at the end of texts; *at is where it starts. 0, or -1 out
 * of memory. */
static int render_into(worker *w, cx_buf *texts, const cx_decision *dec, size_t *at)
{
    drive *d = w->d;
    *at = texts->len;
    w->one.len = 0;
    if (w->one.data) w->one.data[0] = '\0'; /* a renderer that writes nothing */
    if (d->render(d->render_ud, dec, cx__buf_write, &w->one) || w->one.oom) return -1;
    cx__buf_add(texts, w->one.data ? w->one.data : "", w->one.len + 1); /* and its NUL */
    return texts->oom ? -1 : 0;
}

/* cx_render_fn of opt->csv: the decision's CSV row. */
static int render_row(void *ud, const cx_decision *d, cx_write_fn write, void *wud)
{
    (void)ud;
    return cx_decision_write_csv(d, write, wud);
}

/* cx_render_fn of opt->json: the decision's JSON line. */
static int render_line(void *ud, const cx_decision *d, cx_write_fn write, void *wud)
{
    (void)ud;
    return cx_decision_write_json(d, write, wud);
}

/* Decides holder h in full into the slots of sb from slot on. */
static int decide_holder(worker *w, slab *sb, uint32_t h, size_t slot, cx_buf *texts)
{
    drive *d = w->d;
    cx_decision **v = NULL;
    size_t n = 0;
    int rc = cx__audit_holder(&w->e, h, d->only, &v, &n, &w->err);
    for (size_t i = 0; rc == CX_OK && i < n && i < d->nout; i++) {
        sb->status[slot + i] = (uint8_t)v[i]->status;
        if (texts && render_into(w, texts, v[i], &sb->at[slot + i]))
            rc = cx__error(&w->err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        if (sb->kept) { /* the visitor frees it */
            sb->kept[slot + i] = v[i];
            v[i] = NULL;
        }
    }
    cx_decisions_free(v, n);
    return rc;
}

/* The `missing` field of a plans' CSV row for row, quoted as
 * cx__csv_audit_row quotes it, and its length: from the worker's memo,
 * else built (cx__quick_missing) and kept. NULL when out of memory. */
static const char *missing_field(worker *w, const cx_quick_row *row, size_t *len)
{
    missing_memo *m = &w->memo[cx__quick_memo_slot(row->plan, row->holds, MISSING_MEMO_BITS)];
    if (m->plan != row->plan || m->holds != row->holds) {
        if (w->memo_text.len > MEMO_TEXT) { /* many sets: start again */
            for (size_t i = 0; i < MISSING_MEMO; i++) w->memo[i].plan = SIZE_MAX;
            w->memo_text.len = 0;
        }
        w->one.len = 0;
        cx__quick_missing(w->d->plans, row, &w->one);
        m->plan = SIZE_MAX;
        m->at = w->memo_text.len;
        cx__buf_csv_field(&w->memo_text, w->one.len ? w->one.data : NULL);
        if (w->one.oom || w->memo_text.oom) return NULL;
        m->len = w->memo_text.len - m->at;
        m->plan = row->plan;
        m->holds = row->holds;
    }
    *len = m->len;
    return m->len ? w->memo_text.data + m->at : "";
}

/* Decides holder h through the plans into the slots of sb from slot on,
 * with its CSV rows or JSON lines when the text is those. 0, 1 when a
 * plan is not sure of h (the full evaluator must decide it), or -1 out of
 * memory. */
static int plan_holder(worker *w, slab *sb, uint32_t h, size_t slot, cx_buf *texts)
{
    drive *d = w->d;
    const cx_snapshot *s = w->e.snap;
    const cx_snap_holder *ho = cx__snapshot_holder(s, h, &w->e.view);
    cx_quick_row rows[256];
    if (!ho) return -1;
    if (d->lines)
        return cx__quick_json_holder(w->lines, s, w->e.as_of, ho, d->needed, d->only,
                                     sb->status + slot, texts, sb->at + slot);
    if (!d->rows)
        return cx__quick_holder(d->plans, s, w->e.as_of, ho, d->needed, d->only,
                                sb->status + slot) != 0;
    if (d->nout > sizeof rows / sizeof *rows ||
        cx__quick_holder_rows(d->plans, s, w->e.as_of, ho, d->needed, d->only, sb->status + slot,
                              rows) != 0)
        return 1;
    for (size_t k = 0; k < d->nout; k++) {
        cx_status st = (cx_status)sb->status[slot + k];
        char issued[11] = "", expires[11] = "never";
        size_t len = 0;
        const char *missing = rows[k].missing ? missing_field(w, &rows[k], &len) : "";
        if (!missing) return -1;
        if (st == CX_MET) cx__date_format(rows[k].issued, issued);
        if (st == CX_MET && rows[k].expires != CX_DATE_NEVER)
            cx__date_format(rows[k].expires, expires);
        sb->at[slot + k] = texts->len;
        cx__csv_audit_head(texts, s->holders[h].id, d->stacks[k], cx_status_name(st),
                           st == CX_MET ? issued : NULL, st == CX_MET ? expires : NULL);
        cx__buf_add(texts, missing, len);
        cx__buf_add(texts, "\r\n", 3); /* and its NUL */
    }
    return texts->oom ? -1 : 0;
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

/* Decides chunk c of sb, holders [lo, hi): each holder unless the run
 * breaker stopped the run or deciding sb failed (checked before every
 * holder). A failure is sb's, the first one kept. */
static void decide_chunk(worker *w, slab *sb, uint32_t c, uint32_t lo, uint32_t hi)
{
    drive *d = w->d;
    cx_buf *texts = sb->texts ? &sb->texts[c] : NULL;
    int rc = CX_OK;
    if (texts) texts->len = 0;
    for (uint32_t h = lo; h < hi && !stopped(d) && !atomic_load(&sb->failed); h++) {
        size_t slot = (size_t)(h - sb->base) * d->nout;
        int planned = d->plans ? plan_holder(w, sb, h, slot, texts) : 1;
        if (planned < 0)
            rc = cx__error(&w->err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        else if (planned > 0)
            rc = decide_holder(w, sb, h, slot, texts);
        if (rc == CX_OK) continue;
        pthread_mutex_lock(&d->lock);
        if (!sb->rc) {
            sb->rc = rc;
            sb->err = w->err;
        }
        atomic_store(&sb->failed, 1);
        pthread_mutex_unlock(&d->lock);
        break;
    }
}

/* With the lock held: the next chunk to decide, of only (or of the
 * earliest batch with chunks left, when only is NULL); its slab, or NULL
 * when there is none. */
static slab *take_chunk(drive *d, slab *only, uint32_t *c, uint32_t *lo, uint32_t *hi)
{
    slab *sb = only;
    for (int i = 0; !only && i < SLABS; i++) {
        slab *x = &d->slabs[i];
        if (x->batch >= 0 && x->taken < x->nchunks && (!sb || x->batch < sb->batch)) sb = x;
    }
    if (!sb || sb->batch < 0 || sb->taken == sb->nchunks) return NULL;
    *c = sb->taken++;
    *lo = sb->base + *c * d->chunk;
    *hi = sb->end - *lo < d->chunk ? sb->end : *lo + d->chunk;
    return sb;
}

/* With the lock held: decides a chunk of sb (taken), lock released while
 * deciding. */
static void decide_taken(worker *w, slab *sb, uint32_t c, uint32_t lo, uint32_t hi)
{
    drive *d = w->d;
    pthread_mutex_unlock(&d->lock);
    decide_chunk(w, sb, c, lo, hi);
    pthread_mutex_lock(&d->lock);
    if (++sb->done == sb->nchunks) pthread_cond_broadcast(&d->finished);
}

/* A worker thread of the pool: takes chunks of the batches published,
 * earliest batch first, until the run quits; waits (no spinning) while
 * there is none. */
static void *work(void *arg)
{
    worker *w = arg;
    drive *d = w->d;
    slab *sb;
    uint32_t c, lo, hi;
    pthread_mutex_lock(&d->lock);
    while (!d->quit) {
        if ((sb = take_chunk(d, NULL, &c, &lo, &hi)))
            decide_taken(w, sb, c, lo, hi);
        else
            pthread_cond_wait(&d->work, &d->lock);
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

/* On the calling thread (worker w): decides chunks of sb beside the pool
 * until none is left, then waits until every chunk of it is finished. */
static void finish_slab(worker *w, slab *sb)
{
    drive *d = w->d;
    uint32_t c, lo, hi;
    pthread_mutex_lock(&d->lock);
    while (sb->done < sb->nchunks) {
        if (take_chunk(d, sb, &c, &lo, &hi))
            decide_taken(w, sb, c, lo, hi);
        else
            pthread_cond_wait(&d->finished, &d->lock);
    }
    pthread_mutex_unlock(&d->lock);
}

/* Hands to the pool batch k of a run over holders [d->first, nh), into
 * the slab it uses, which the calling thread visited and freed. */
static void publish(drive *d, long k, uint32_t nh)
{
    slab *sb = &d->slabs[k % SLABS];
    uint32_t base = d->first + (uint32_t)k * d->batch;
    pthread_mutex_lock(&d->lock);
    sb->batch = k;
    sb->base = base;
    sb->end = nh - base < d->batch ? nh : base + d->batch;
    sb->nchunks = (sb->end - base + d->chunk - 1) / d->chunk;
    sb->taken = sb->done = 0;
    memset(sb->status, UNDECIDED, (size_t)(sb->end - base) * d->nout);
    pthread_cond_broadcast(&d->work);
    pthread_mutex_unlock(&d->lock);
}

/* The text of holder h's decision in slot of sb, and its length: the
 * texts of a chunk lie one after the other in slot order, each with its
 * NUL, so it ends where the next decided slot's begins (or the chunk's
 * texts end). */
static void text_of(const drive *d, const slab *sb, uint32_t h, size_t slot, cx_audit_entry *entry)
{
    uint32_t c = (h - sb->base) / d->chunk;
    const cx_buf *texts = &sb->texts[c];
    size_t next = slot + 1, end = texts->len;
    uint32_t after = sb->base + (uint32_t)(next / d->nout); /* the holder of the next slot */
    if (after < sb->end && (after - sb->base) / d->chunk == c && sb->status[next] != UNDECIDED)
        end = sb->at[next];
    entry->text = texts->data + sb->at[slot];
    entry->text_len = end - sb->at[slot] - 1;
}

/* opt->direct: writes the texts gathered in d->texts to opt->fd, in order
 * and whole (again after a short count or a signal). CX_OK, or
 * CX_EREGISTRY with why in err. */
static int write_texts(drive *d, cx_error *err)
{
    struct iovec *v = d->texts;
    int n = d->ntexts;
    d->ntexts = 0;
    while (n > 0) {
        ssize_t w = writev(d->opt->fd, v, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0)
            return cx__error(err, CX_EREGISTRY, NULL, 0, 0, "writing the output: %s",
                             strerror(w < 0 ? errno : EIO));
        size_t left = (size_t)w;
        for (; n > 0 && left >= v->iov_len; v++, n--) left -= v->iov_len;
        if (n > 0) {
            v->iov_base = (char *)v->iov_base + left;
            v->iov_len -= left;
        }
    }
    return CX_OK;
}

/* Hands the decided batch of sb to visit, in order, on the calling thread;
 * frees the kept decisions as it goes. After a stop, only the holders
 * before the first one left undecided (*whole 0 then): the output ends
 * with a whole decision. With opt->direct each text is written once
 * its entry was visited. */
static int visit_batch(drive *d, slab *sb, cx_audit_visit_fn visit, void *ud, int *whole,
                       cx_error *err)
{
    const cx_snapshot *s = cx__rules_snapshot(d->rules);
    int rc = CX_OK;
    cx_error unwritten;
    *whole = 1;
    for (uint32_t h = sb->base; h < sb->end; h++) {
        if (d->nout && sb->status[(size_t)(h - sb->base) * d->nout] == UNDECIDED) {
            *whole = 0;
            break;
        }
        for (size_t k = 0; k < d->nout; k++) {
            size_t slot = (size_t)(h - sb->base) * d->nout + k;
            cx_audit_entry entry = {s->holders[h].id,
                                    d->stacks[k],
                                    (cx_status)sb->status[slot],
                                    sb->kept ? sb->kept[slot] : NULL,
                                    NULL,
                                    0};
            if (sb->texts) text_of(d, sb, h, slot, &entry);
            if (rc == CX_OK) rc = visit(ud, &entry);
            if (rc == CX_OK && d->opt->direct && entry.text_len) { /* empty: nothing to write */
                d->texts[d->ntexts++] = (struct iovec){(void *)entry.text, entry.text_len};
                if (d->ntexts == TEXTS) rc = write_texts(d, err);
            }
            if (sb->kept) {
                cx_decision_free(sb->kept[slot]);
                sb->kept[slot] = NULL;
            }
        }
    }
    if (d->ntexts && rc == CX_OK) return write_texts(d, err);
    if (d->ntexts) write_texts(d, &unwritten); /* what was visited before the visitor failed */
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

/* A slab's arrays, for batches of d->batch holders. */
static int slab_alloc(drive *d, slab *sb)
{
    const cx_audit_options *opt = d->opt;
    size_t slots = (size_t)d->batch * d->nout + 1;
    sb->batch = -1;
    atomic_init(&sb->failed, 0);
    sb->status = malloc(slots);
    if (opt->decisions) sb->kept = calloc(slots, sizeof *sb->kept);
    if (d->render) sb->at = malloc(slots * sizeof *sb->at);
    if (d->render) sb->texts = calloc(MOST_CHUNKS, sizeof *sb->texts);
    return !sb->status || (opt->decisions && !sb->kept) || (d->render && (!sb->at || !sb->texts));
}

/* Everything a run needs before the workers start. */
static int prepare(drive *d, cx_error *err)
{
    const cx_audit_options *opt = d->opt;
    int rc = CX_OK;
    d->rows = opt->csv;
    d->lines = !opt->csv && opt->json && opt->details == CX_DETAIL_GAPS;
    int plans = !opt->decisions && (d->rows || d->lines || (!opt->render && !opt->json));
    d->render = opt->csv ? render_row : opt->json ? render_line : opt->render;
    d->render_ud = opt->render_ud;
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
    for (int i = 0; i < SLABS; i++)
        if (slab_alloc(d, &d->slabs[i]))
            return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    return CX_OK;
}

static void drive_free(drive *d)
{
    for (int i = 0; i < SLABS; i++) {
        slab *sb = &d->slabs[i];
        for (size_t c = 0; sb->texts && c < MOST_CHUNKS; c++) cx__buf_free(&sb->texts[c]);
        for (size_t k = 0; sb->kept && k < (size_t)d->batch * d->nout; k++)
            cx_decision_free(sb->kept[k]);
        free(sb->status);
        free(sb->kept);
        free(sb->at);
        free(sb->texts);
    }
    cx__quick_free(d->plans);
    free(d->needed);
    free(d->stacks);
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

/* Visits the batches in turn on the calling thread (ws[0], which decides
 * beside the pool while its batch is not done), each while the pool
 * decides the next. After a stop, the batches already handed out are
 * visited up to the first holder left undecided, and no batch is handed
 * out any more. */
static int run_batches(drive *d, worker *ws, cx_audit_visit_fn visit, void *ud, cx_error *err)
{
    uint32_t nh = d->end;
    long nb = ((long)(nh - d->first) + d->batch - 1) / d->batch, published = 0;
    int rc = CX_OK;
    for (; published < nb && published < SLABS; published++) publish(d, published, nh);
    for (long k = 0; k < nb && rc == CX_OK; k++) {
        slab *sb = &d->slabs[k % SLABS];
        int whole;
        finish_slab(&ws[0], sb);
        if (sb->rc) {
            *err = sb->err;
            return sb->rc;
        }
        rc = visit_batch(d, sb, visit, ud, &whole, err);
        if (rc == CX_OK && stopped(d) && (!whole || k + 1 == published))
            return breaker_error(d, err);
        if (rc == CX_OK && !stopped(d) && d->opt->progress)
            d->opt->progress(d->opt->progress_ud, "auditing", sb->end - d->first, nh - d->first);
        if (rc == CX_OK && !stopped(d) && published < nb) publish(d, published++, nh);
    }
    return rc;
}

/* Starts the pool (ws[1..jobs): ws[0] is the calling thread's), runs the
 * batches, stops and joins the pool. A thread that cannot start leaves
 * its share to the others. */
static int run_pool(drive *d, worker *ws, int jobs, cx_audit_visit_fn visit, void *ud,
                    cx_error *err)
{
    pthread_t tid[MOST_JOBS];
    int threaded[MOST_JOBS] = {0}, rc;
    for (int j = 1; j < jobs; j++) threaded[j] = pthread_create(&tid[j], NULL, work, &ws[j]) == 0;
    rc = run_batches(d, ws, visit, ud, err);
    pthread_mutex_lock(&d->lock);
    d->quit = 1;
    pthread_cond_broadcast(&d->work);
    pthread_mutex_unlock(&d->lock);
    for (int j = 1; j < jobs; j++)
        if (threaded[j]) pthread_join(tid[j], NULL);
    return rc;
}

/* Worker j's Lua state and evaluation context. */
static int worker_begin(drive *d, worker *w, int j, cx_error *err)
{
    int rc;
    w->d = d;
    cx__buf_init(&w->one);
    cx__buf_init(&w->memo_text);
    if (!(w->memo = malloc(MISSING_MEMO * sizeof *w->memo)))
        return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < MISSING_MEMO; i++) w->memo[i].plan = SIZE_MAX;
    rc = j == 0 ? (w->sb = cx__rules_sandbox(d->rules), CX_OK)
                : cx__rules_worker(d->rules, &w->sb, err);
    if (rc == CX_OK) rc = cx__eval_begin(&w->e, d->rules, d->opt->as_of, err);
    if (rc) return rc;
    if (d->plans && d->lines &&
        !(w->lines = cx__quick_json_new(d->plans, d->rules, w->e.as_of, w->e.as_of_text)))
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    w->begun = 1;
    w->e.sb = w->sb;
    w->e.stacks_needed = d->needed; /* the full evaluator decides the same stacks */
    w->e.details = d->opt->details;
    w->e.on_trip = count_trip;
    w->e.on_trip_ud = w;
    return rc;
}

/* The run over holders [first, end) of the snapshot. */
static int audit_each(cx_rules *rules, const cx_audit_options *opt, uint32_t first, uint32_t end,
                      cx_audit_visit_fn visit, void *ud, cx_error *err)
{
    drive d = {.rules = rules, .opt = opt, .only = CX_NOSYM, .first = first, .end = end};
    worker ws[MOST_JOBS];
    int jobs = opt->jobs < 1 ? 1 : opt->jobs > MOST_JOBS ? MOST_JOBS : opt->jobs, started = 0;
    int rc;
    memset(ws, 0, sizeof ws);
    pthread_mutex_init(&d.lock, NULL);
    pthread_cond_init(&d.work, NULL);
    pthread_cond_init(&d.finished, NULL);
    rc = prepare(&d, err);
    for (; started < jobs && rc == CX_OK; started++) /* a Lua state per worker */
        rc = worker_begin(&d, &ws[started], started, err);
    if (rc == CX_OK) rc = run_pool(&d, ws, jobs, visit, ud, err);
    for (int j = 0; j < started; j++) {
        if (ws[j].begun) cx__eval_end(&ws[j].e);
        if (j && ws[j].sb) cx__sandbox_free(ws[j].sb);
        cx__buf_free(&ws[j].one);
        cx__buf_free(&ws[j].memo_text);
        free(ws[j].memo);
        cx__quick_json_free(ws[j].lines);
    }
    drive_free(&d);
    pthread_cond_destroy(&d.finished);
    pthread_cond_destroy(&d.work);
    pthread_mutex_destroy(&d.lock);
    return rc;
}

/* audit_each with the rules entered: one call at a time (credex.h,
 * "Threads"); cx_audit_all and cx_audit_summary enter through here. Over
 * opt's shard of the holders (or all), and of those, the holders whose
 * ids are in [from, to) (NULL: unbounded). */
static int audit_entered(cx_rules *rules, const cx_audit_options *opt, const char *from,
                         const char *to, cx_audit_visit_fn visit, void *ud, cx_error *err)
{
    const cx_snapshot *s = cx__rules_snapshot(rules);
    uint64_t first = 0, end = cx__snapshot_count(s, CX_KIND_HOLDER);
    uint32_t lo, hi;
    int rc = CX_OK;
    if (opt->shard || opt->shards)
        rc = cx_shard_range(end, opt->shard, opt->shards, &first, &end, err);
    if (rc) return rc;
    cx__holders_between(s, from, to, &lo, &hi);
    first = first > lo ? first : lo;
    end = end < hi ? end : hi;
    if (end < first) end = first;
    if ((rc = cx__rules_enter(rules, err))) return rc;
    rc = audit_each(rules, opt, (uint32_t)first, (uint32_t)end, visit, ud, err);
    cx__rules_leave(rules);
    return rc;
}

int cx_audit_each(cx_rules *rules, const cx_audit_options *opt, cx_audit_visit_fn visit, void *ud,
                  cx_error *err)
{
    return audit_entered(rules, opt, NULL, NULL, visit, ud, err);
}

int cx__audit_each_between(cx_rules *rules, const cx_audit_options *opt, const char *from,
                           const char *to, cx_audit_visit_fn visit, void *ud, cx_error *err)
{
    return audit_entered(rules, opt, from, to, visit, ud, err);
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
    cx_audit_options opt = {.stack = stack,
                            .as_of = as_of,
                            .jobs = jobs,
                            .progress = progress,
                            .progress_ud = progress_ud};
    return cx_audit_summary_with(rules, &opt, out, n, err);
}

int cx_audit_summary_with(cx_rules *rules, const cx_audit_options *options, cx_audit_count **out,
                          size_t *n, cx_error *err)
{
    size_t ns;
    const cx_rule *const *stacks = cx__rules_stacks(rules, &ns);
    const cx_snapshot *snap = cx__rules_snapshot(rules);
    const char *stack = options->stack;
    summing s = {calloc(ns + 1, sizeof *s.counts), 0, 0};
    cx_audit_options opt = {.stack = stack,
                            .as_of = options->as_of,
                            .jobs = options->jobs,
                            .progress = options->progress,
                            .progress_ud = options->progress_ud,
                            .shard = options->shard,
                            .shards = options->shards};
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

/* -------------------------------------------------------------- shards */

/* floor(k * count / n) without overflow: count = q * n + r, and k * r < n * n. */
static uint64_t shard_bound(uint64_t count, uint64_t k, uint64_t n)
{
    return k * (count / n) + k * (count % n) / n;
}

int cx_shard_range(uint64_t count, unsigned shard, unsigned shards, uint64_t *first, uint64_t *end,
                   cx_error *err)
{
    *first = 0;
    *end = count;
    if (shards < 1 || shards > CX_MAX_SHARDS || shard < 1 || shard > shards)
        return cx__error(err, CX_EUSAGE, NULL, 0, 0,
                         "shard %u of %u: a shard is K of N, 1 <= K <= N <= %u", shard, shards,
                         CX_MAX_SHARDS);
    *first = shard_bound(count, shard - 1, shards);
    *end = shard_bound(count, shard, shards);
    return CX_OK;
}

/* The first holder of s whose id is not below id (NULL: none is). */
static uint32_t holder_at_or_after(const cx_snapshot *s, const char *id)
{
    uint32_t lo = 0, hi = cx__snapshot_count(s, CX_KIND_HOLDER);
    while (id && lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (strcmp(s->holders[mid].id, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return id ? lo : hi;
}

void cx__holders_between(const cx_snapshot *s, const char *from, const char *to, uint32_t *first,
                         uint32_t *end)
{
    *first = from ? holder_at_or_after(s, from) : 0;
    *end = holder_at_or_after(s, to);
    if (*end < *first) *end = *first;
}
