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

/* cx_audit_all with render NULL: only statuses, through the status plans
 * where they are exact, else the full evaluator; output(ud, NULL, status)
 * per decision, holders in id order, then stacks in id order (only: that
 * stack alone, when not CX_NOSYM). */
int cx__quick_audit_all(cx_rules *rules, cx_sym only, const char *as_of, int jobs,
                        cx_output_fn output, void *ud, cx_progress_fn progress, void *progress_ud,
                        cx_error *err);

/* audit.c: which stacks deciding stack `only` needs, per stack in dependency order:
 * it; the stacks whose derived awards can count toward it (depends: its
 * slots, and equivalences into them; and any stack whose credential an
 * exception substitutes), transitively; and every stack before one with a
 * check, which sees every counted award, derived ones too. malloc'd (the
 * caller frees it); NULL when out of memory. */
uint8_t *cx__audit_needed(const cx_rules *rs, cx_sym only);

/* audit.c: every stack for holder h, as cx_audit decides them (only: that
 * stack's decision alone), in byte order of stack id. *out is the caller's:
 * cx_decisions_free. */
int cx__audit_holder(ectx *e, cx_sym h, cx_sym only, cx_decision ***out, size_t *n, cx_error *err);

#endif
