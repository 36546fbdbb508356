/*
 * quick_int.h -- the status plans' insides (quick.c), shared with the
 * JSON lines written from them (quick_json.c). Internal to quick*.c.
 */
#ifndef CX_QUICK_INT_H
#define CX_QUICK_INT_H

#include "quick.h"

#define MAX_NODES  64 /* requirement nodes of a plan (slots fit one uint64_t) */
#define MAX_TOTALS 8
#define MAX_FORCED 16 /* report_missing tries every subset of these */
#define MAX_CMAX   64 /* largest awards-per-slot count a plan is bounded for */

enum { Q_SLOT, Q_HOURS, Q_STRUCT };

/* A requirement of a plan; nodes are in postorder (the root last). */
typedef struct qnode {
    const cx_req *req; /* the requirement it plans */
    uint8_t kind;
    uint8_t index;        /* Q_SLOT: its bit; Q_HOURS: its total */
    uint16_t need, nkids; /* Q_STRUCT: parts that must hold, of nkids */
    const uint16_t *kids; /* Q_STRUCT: node indices */
} qnode;

/* An hours total: awards selected (credential set, issue dates) add up. */
typedef struct qtotal {
    const uint64_t *bits; /* NULL: every credential */
    int any_date;
    cx_range issued;
    int64_t threshold; /* hundredths */
} qtotal;

typedef struct qplan {
    const char *refusal; /* NULL: eligible */
    int in_force;        /* the stack's effective dates hold on the as-of date */
    cx_sym jurisdiction; /* or CX_NOSYM */
    cx_date since;       /* recent window: awards issued before do not count */
    int foreign_falls;   /* an award issued elsewhere might be recognised */
    int check_effective; /* some relevant credential has effective dates */
    uint64_t *relevant;  /* credentials of slots and totals */
    uint64_t *renewable; /* credentials a renews rule in force may extend */
    int8_t *slot_of;     /* per credential: its slot bit, or -1 */
    qnode *nodes;
    size_t nnodes;
    qtotal totals[MAX_TOTALS];
    size_t ntotals;
    size_t *producers; /* dep-order indices of stacks conferring a slot's credential */
    size_t nproducers;
    uint32_t cmax; /* most counted awards of one slot credential the search bound allows */
    uint16_t forced[MAX_FORCED]; /* the nodes of cx__req_forced(root), in the order written */
    size_t nforced;
    int expiry_unsure; /* a renewal may move the expiry a met stack's award takes */
} qplan;

struct cx_quick {
    const cx_snapshot *snap;
    size_t ns;
    const cx_rule *const *stacks; /* dependency order */
    qplan *plans;                 /* per stack, dependency order */
    size_t *by_id;                /* dep-order index of the k-th stack by id */
    size_t words;                 /* uint64_t per credential set */
    cx_arena arena;               /* every array above */
};

/* First and last issue date and earliest expiry of a set of awards
 * (require.c's date_award). */
typedef struct qdates {
    cx_date first, last, expiry;
} qdates;

/* A counted award that adds to totals: its credential, and which totals
 * (bit t: total t). */
typedef struct qadd {
    cx_sym credential;
    uint8_t totals;
} qadd;

/* What a row needs of one holder's awards beyond the status: the dates of
 * the award each slot takes (the first of its credential, as the search
 * tries them) and of each total's components (tally: in issue order, those
 * that reached its threshold); for a JSON line also those awards, each
 * total's sum, and (with adds: room for an entry per award of the holder)
 * the awards that add to totals, in the holder's order. */
typedef struct qseen {
    qdates slot[MAX_NODES];
    qdates total[MAX_TOTALS];
    const cx_snap_award *award[MAX_NODES]; /* per slot bit */
    int64_t sum[MAX_TOTALS];               /* hundredths */
    qadd *adds;                            /* NULL: not wanted */
    size_t nadds;
} qseen;

#define CX_QUICK_FALLBACK    (-1) /* a plan is not sure: the full evaluator decides */
#define CX_QUICK_MOST_STACKS 256  /* more stacks than this: every holder to the full evaluator */

/* The status of holder h for plan p of stack r, or CX_QUICK_FALLBACK.
 * st: the statuses of the stacks before it (dependency order). With seen,
 * what a row or a JSON line needs of the awards goes there, and the
 * requirements that hold (by node) to *holds. */
int cx__quick_plan_status(const qplan *p, const cx_rule *r, const cx_snapshot *s,
                          const cx_snap_holder *h, cx_date on, const uint8_t *st, qseen *seen,
                          uint64_t *holds);

/* The statuses of holder h for every stack needed[] marks, into st (room
 * for CX_QUICK_MOST_STACKS) in dependency order; 0, or CX_QUICK_FALLBACK. With seens (per stack,
 * dependency order; their adds the caller's), the facts of the stacks
 * `only` selects (CX_NOSYM: all) go there and what holds to holds[]. */
int cx__quick_statuses(const cx_quick *q, const cx_snapshot *s, cx_date on, const cx_snap_holder *h,
                       const uint8_t *needed, cx_sym only, uint8_t *st, qseen *seens,
                       uint64_t *holds);

/* A met stack's award dates for its row (audit.c's derive), or
 * CX_QUICK_FALLBACK when a renewal may move its expiry. */
int cx__quick_row_of(const qplan *p, const cx_rule *r, size_t plan, int st, uint64_t holds,
                     const qseen *seen, cx_date on, cx_quick_row *row);

/* What forced requirement n misses, appended to b (as the CSV row and
 * the decision's `missing` word it). */
void cx__quick_missing_of(const cx_quick *q, const qplan *p, const qnode *n, uint64_t holds,
                          cx_buf *b);

#endif
