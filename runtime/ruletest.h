/*
 * ruletest.h -- the insides of the rule-test runner (docs/design.md §7): the
 * expectations a test file states, the environment one case runs in, and
 * the one function each kind of expectation plugs in as. ruletest.c reads
 * test files and builds each case's registry and rules; it evaluates no
 * rule itself: deciding is the evaluators' job, reached only through
 * cx__expect_fn.
 */
#ifndef CX_RULETEST_H
#define CX_RULETEST_H

#include <stddef.h>
#include <stdint.h>

#include "credex.h"
#include "regex.h"
#include "util.h"

/* The kinds of expectation, in the order `expected one of` lists them. */
typedef enum cx__expect_kind {
    CX_EXPECT_CHECK,    /* the case's packs load (status ok) or fail to (status error) */
    CX_EXPECT_AUDIT,    /* a stacking decision for the case holder */
    CX_EXPECT_EQUIV,    /* an equivalence decision */
    CX_EXPECT_TRANSFER, /* a portability decision */
    CX_EXPECT_KINDS
} cx__expect_kind;

/* A list of strings from the test file (it lives in the test file's arena). */
typedef struct cx__strlist {
    const char **v;
    size_t n;
} cx__strlist;

/* One expectation, checked and parsed; every string lives as long as the
 * test file. Fields other than the kind's subject and status are optional:
 * NULL (strings), given == 0 (lists) or CX_NO_NUMBER (coverage) when
 * absent, and checked only when given. */
typedef struct cx__expect {
    cx__expect_kind kind;
    int line, column;   /* where the expectation's key is in the test file */
    const char *status; /* required; one of the kind's statuses */

    /* check */
    const cx_regex *message; /* the pattern the first load error must match, or NULL */
    const char *message_text;

    /* audit */
    const char *stack;
    const char *issued, *expires; /* YYYY-MM-DD */
    cx__strlist used;             /* credential ids of the awards used */
    int used_given;
    cx__strlist gaps; /* each gap in words (gaps.h, sep "; ") */
    int gaps_given;

    /* equiv: from, to, in; transfer: credential or award, from, to */
    const char *from, *to, *in;
    int64_t coverage; /* hundredths (0.8 is 80), or CX_NO_NUMBER */
    const char *credential, *award;

    /* audit, equiv, transfer */
    cx__strlist missing;
    int missing_given;
} cx__expect;

/* What one case runs against. */
typedef struct cx__case_env {
    const char *file;            /* the test file */
    const char *name;            /* the case */
    int line;                    /* the case's line in the test file */
    cx_registry *registry;       /* the file's catalogs plus the case's holder */
    cx_rules *rules;             /* the case's packs compiled, or NULL when they failed */
    const cx_diagnostics *diags; /* what loading the packs found (errors and warnings) */
    const cx_error *load_error;  /* when rules is NULL: the load's error */
    const char *holder;          /* the case holder's id, or NULL when the case has none */
    const char *as_of;           /* YYYY-MM-DD */
    struct cx__coverage *cov;    /* with --coverage: where decisions are counted, else NULL */
} cx__case_env;

/* An evaluator for one kind of expectation. Returns CX_OK with *holds set
 * to 1 when the expectation holds, or to 0 with what differed appended to
 * diff (one phrase, no newline: "audit CA-EV-TECH: status in_progress,
 * expected met"). Any other return is an error with err set: CX_EINPUT for
 * an expectation that cannot be evaluated as written (located in the test
 * file: the case then fails and the run exits 3), anything else stops the
 * run. Never called for audit, equiv or transfer when env->rules is NULL. */
typedef int (*cx__expect_fn)(const cx__case_env *env, const cx__expect *e, int *holds, cx_buf *diff,
                             cx_error *err);

/* The evaluators, one per kind: check reads the load's outcome; audit,
 * equiv and transfer ask the engine (cx_audit, cx_equiv, cx_transfer,
 * cx_transfer_holder) and compare its decision with the expectation. */
int cx__expect_check(const cx__case_env *env, const cx__expect *e, int *holds, cx_buf *diff,
                     cx_error *err);
int cx__expect_audit(const cx__case_env *env, const cx__expect *e, int *holds, cx_buf *diff,
                     cx_error *err);
int cx__expect_equiv(const cx__case_env *env, const cx__expect *e, int *holds, cx_buf *diff,
                     cx_error *err);
int cx__expect_transfer(const cx__case_env *env, const cx__expect *e, int *holds, cx_buf *diff,
                        cx_error *err);

/* Helpers for evaluators. */

/* Lists compare as sets (docs/design.md §7). Returns 1 when want and got hold the
 * same strings (each counted once); else 0, appending to diff
 * "FIELD [a, b], expected [a, c] (extra: b; lacking: c)". */
int cx__expect_same_set(const char *field, const cx__strlist *want, const char *const *got,
                        size_t ngot, cx_buf *diff);

/* An expected coverage (hundredths) against covered/total rounded to two
 * decimals, half up: 2/3 is 0.67. 1 when equal; total 0 never matches. */
int cx__expect_coverage_matches(int64_t want, uint64_t covered, uint64_t total);

/* The first load error as `credex check` prints it, "FILE:LINE: error:
 * MESSAGE" (or "FILE: error: MESSAGE" when not located), into buf; ""
 * when the packs loaded. */
void cx__first_load_error(const cx__case_env *env, char *buf, size_t size);

/* Coverage (ruletest_coverage.c; docs/rule-tests.md "Coverage"): which
 * rules and requirement leaves the run's decisions exercised. A rule
 * counts when a decision an expectation checked cites it (in its trace,
 * with a status other than skipped or near miss, or in the `via` of an
 * award used), or when it renewed an award; a leaf counts when it held
 * while its rule, so cited, was evaluated. Every function accepts a NULL
 * cov and then does nothing. */
typedef struct cx__coverage cx__coverage;

/* A new, empty measure (*out NULL when out of memory); free with
 * cx__coverage_free, which accepts NULL. */
int cx__coverage_new(cx__coverage **out, cx_error *err);
void cx__coverage_free(cx__coverage *cov);
/* A case runs with rules: every rule and leaf joins what is counted, and
 * the evaluators report to cov until cx__coverage_case_end. */
void cx__coverage_case_begin(cx__coverage *cov, cx_rules *rules);
void cx__coverage_case_end(cx__coverage *cov, cx_rules *rules);
/* An expectation starts: what the evaluators report from now on belongs
 * to the decision it checks. */
void cx__coverage_expect_begin(cx__coverage *cov);
/* The decision an expectation checked (d may be NULL: none). */
void cx__coverage_decision(cx__coverage *cov, const cx_decision *d);
/* The totals and gaps, sorted, handed to report. CX_ENOMEM (err set) when
 * memory ran out at any point of the measure. */
int cx__coverage_report(cx__coverage *cov, void (*report)(void *, const cx_test_coverage *),
                        void *ud, cx_error *err);

#endif
