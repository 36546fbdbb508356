/*
 * quick.h -- status plans (issue 6): for a stack whose requirement tree
 * needs no allocation search, the status of a holder decided straight from
 * the snapshot's award arrays. Internal to libcredex; docs/performance.md.
 */
#ifndef CX_QUICK_H
#define CX_QUICK_H

#include "eval.h"

/* The status plans of every stack of a rule set for one as-of date. */
typedef struct cx_quick cx_quick;

/* Compiles a plan for each stack of rs on as_of (a stack that is not
 * eligible gets a refusal instead). *out is the caller's: cx__quick_free. */
int cx__quick_compile(cx_rules *rs, const char *as_of, cx_quick **out, cx_error *err);
void cx__quick_free(cx_quick *q); /* accepts NULL */

/* Why the stack conferring credential `stack` has no status plan ("a
 * check requirement", ...), or NULL when it has one. */
const char *cx__quick_refusal(const cx_quick *q, cx_sym stack);

/* The statuses of holder h (as s shows it: cx__snapshot_holder) through
 * the plans: those of the stacks in byte order of id (only: that stack's
 * alone, when not CX_NOSYM) into out, deciding the stacks needed[] marks
 * (per stack, dependency order). 0, or -1 when some needed stack has no
 * plan or its plan is not sure of h: the full evaluator
 * (cx__audit_holder) must decide h. */
int cx__quick_holder(const cx_quick *q, const cx_snapshot *s, cx_date on, const cx_snap_holder *h,
                     const uint8_t *needed, cx_sym only, uint8_t *out);

/* What a CSV row of a decision a plan is sure of shows beyond its status
 * (cx_decision_csv): a met stack's award dates, and what an unmet one
 * misses (cx__quick_missing writes it). */
typedef struct cx_quick_row {
    cx_date issued, expires; /* met: the derived award's (expires CX_DATE_NEVER: never) */
    uint64_t holds;          /* the plan's requirements that hold, by node */
    size_t plan;             /* the stack's plan (dependency order) */
    int missing;             /* 1: unmet in force, so something is missing */
} cx_quick_row;

/* cx__quick_holder with, for each status out gets, its row in rows (room
 * for as many). -1 also when a plan is not sure of a met stack's award
 * expiry (a renewal may move it). */
int cx__quick_holder_rows(const cx_quick *q, const cx_snapshot *s, cx_date on,
                          const cx_snap_holder *h, const uint8_t *needed, cx_sym only, uint8_t *out,
                          cx_quick_row *rows);

/* The slot of (plan, holds) in a memo of 2^bits entries: what a stack's
 * unmet requirements make of a CSV row's `missing` (audit_all.c) or of a
 * JSON line's `missing` and `gaps` (quick_json.c) depends on no more. */
static inline size_t cx__quick_memo_slot(size_t plan, uint64_t holds, unsigned bits)
{
    uint64_t key = (holds ^ (uint64_t)plan * 0x9E3779B97F4A7C15u) * 0xFF51AFD7ED558CCDu;
    return (size_t)(key >> (64 - bits));
}

/* Appends to b the decision's `missing` joined with ';', as the CSV row
 * has it (nothing when row->missing is 0). */
void cx__quick_missing(const cx_quick *q, const cx_quick_row *row, cx_buf *b);

/* A worker's JSON lines of the decisions the plans are sure of
 * (quick_json.c): its fragments, quoted once, and its memo. */
typedef struct cx_quick_json cx_quick_json;

/* For plans q of rules rs on the as-of date on (as_of_text: as decisions
 * write it); NULL when out of memory. */
cx_quick_json *cx__quick_json_new(const cx_quick *q, const cx_rules *rs, cx_date on,
                                  const char *as_of_text);
void cx__quick_json_free(cx_quick_json *m); /* accepts NULL */

/* cx__quick_holder with each decision's JSON line (the bytes
 * cx_decision_write_json writes of cx_audit's decision) appended to texts,
 * each with its NUL, the k-th from at[k]. 0; 1 when a plan is not sure of
 * h (texts as it was: the full evaluator decides h); -1 out of memory. */
int cx__quick_json_holder(cx_quick_json *m, const cx_snapshot *s, cx_date on,
                          const cx_snap_holder *h, const uint8_t *needed, cx_sym only, uint8_t *out,
                          cx_buf *texts, size_t *at);

#endif
