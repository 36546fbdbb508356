/*
 * eval.h -- what the deciding files share (eval.c: the context, decision
 * building, applicability of rules, requirements; equiv.c: equivalence;
 * transfer.c: portability and counted awards). Internal to libcredex.
 */
#ifndef CX_EVAL_H
#define CX_EVAL_H

#include "compile.h"
#include "credex.h"
#include "snapshot.h"

struct cx_sandbox;
#include "sandbox.h"

/* The state of one decision (or a batch of them on one as-of date). */
typedef struct ectx {
    cx_rules *rs;
    const cx_snapshot *snap;
    struct cx_sandbox *sb;       /* where `when` and `check` functions run */
    const cx_rule *const *rules; /* every rule, by id */
    size_t nrules;
    const cx_rule *const *equivs; /* the equivalence family, by id */
    size_t nequivs;
    const uint64_t *equiv_to; /* what an equivalence can make another credential count as */
    cx_date as_of;
    char as_of_text[11];
    cx_decision *d;    /* the decision being built */
    int oom;           /* set when an allocation failed on the way */
    cx_arena scratch;  /* strings that live as long as the context (cx__eval_end) */
    char subject[600]; /* the decision's subject: seeds its math.random */
    int seeded;        /* the sandbox was started for this decision */

    /* the rules' coverage observer (credex test --coverage), or NULL */
    const cx_coverage *coverage;

    /* audits of one stack: per stack (dependency order), whether deciding
     * it needs that stack's decision (audit.c); NULL: every stack */
    const uint8_t *stacks_needed;

    /* the run breaker (audit_all.c), or NULL: told once per decision when a
     * rule's function (pack, fn) tripped a counted limit (why: CX_ELIMIT) */
    void (*on_trip)(void *ud, int pack, int fn, const cx_error *why);
    void *on_trip_ud;
    int tripped; /* on_trip was told of this decision */

    /* next.c: hypothetical awards the holder's own gain (transfer.c's
     * holder_awards, after renewal), or NULL */
    const struct cx_counted *hypothetical;
    size_t nhypothetical;

    /* cx__eval_holder_attributes: the last holder's attributes as a map */
    const cx_snap_attr *attrs_of; /* whose (the snapshot's array), with nattrs_of */
    uint32_t nattrs_of;
    cx_tnode *attrs_nodes; /* the map, then one string per attribute (malloc'd) */
    cx_tfield *attrs_fields;

    /* require.c: per total a gap was reported for, the credentials it could
     * count, in scratch (a list: a few totals per pack) */
    struct cx_gap_set *gap_sets;

    /* CX_DETAIL_* the audits of this context build (audit.c passes them
     * to a stack's requirements through cx_req_opts) */
    unsigned details;

    /* the holder decided, as a deferred graft shows it (cx__snapshot_holder) */
    cx_snap_view view;
} ectx;

int cx__eval_begin(ectx *e, cx_rules *rs, const char *as_of, cx_error *err);
void cx__eval_end(ectx *e); /* frees the context's scratch memory */
int cx__eval_new(ectx *e, cx_decision_kind kind, const char *root, cx_error *err);
int cx__eval_finish(ectx *e, cx_decision **out, cx_error *err);
int cx__eval_lookup(const ectx *e, int kind, const char *id, cx_sym *out, cx_error *err);
int cx__eval_unknown(const ectx *e, int kind, const char *id, cx_error *err);

/* Decision building: every string is copied (malloc'd, owned by e->d). */
void cx__eval_reason(ectx *e, const char *code, const char *fmt, ...) CX_PRINTF(3, 4);
void cx__eval_missing(ectx *e, const char *what);
void cx__eval_clear(ectx *e); /* drops the reasons and missing found so far */
/* award: the snapshot's award used (its provenance gives the entry's
 * verification), or NULL for a hypothetical or derived one. */
void cx__eval_used(ectx *e, const cx_snap_award *award, const char *id, const char *credential,
                   const char *slot, const char *via);
/* The credentials a total could count (require.c, gaps). */
typedef struct cx_gap_set {
    const struct cx_req *req;
    struct cx_gap_set *next;
    uint64_t set[]; /* a credential set */
} cx_gap_set;

struct cx_counted;
/* A gap for the missing entry requirement (NULL when that entry has one
 * already, or out of memory), then its options (in byte order) and the
 * expired awards that would have counted (a: renewed; renewed_by or NULL). */
cx_gap *cx__eval_gap(ectx *e, const char *requirement, const char *unit, int64_t need,
                     int64_t have);
void cx__eval_gap_option(ectx *e, cx_gap *g, const char *credential);
void cx__eval_gap_expired(ectx *e, cx_gap *g, const struct cx_counted *a, const char *renewed_by);
cx_trace *cx__eval_trace(ectx *e, cx_trace *parent, const cx_rule *r, const char *status,
                         const char *detail);
void cx__eval_error(ectx *e, const cx_error *why); /* a rule failed: status error */

/* Calls a rule's Lua function for the current decision; the sandbox's
 * per-decision budgets and seed start at the decision's first call. */
int cx__eval_call(ectx *e, int pack, int fn, const cx_tnode *const *args, size_t nargs,
                  const cx_tnode **result, cx_error *err);
const char *cx__eval_id(const ectx *e, int kind, cx_sym sym);

/* Applicability on the as-of date. */
int cx__eval_effective(const cx_rule *r, cx_date on);
int cx__eval_selects(const cx_selector *s, cx_sym credential, cx_date issued);
int cx__eval_jsel(const ectx *e, const cx_jsel *j, cx_sym jurisdiction);
void cx__eval_jsel_why(const ectx *e, const cx_jsel *j, cx_sym jurisdiction, char *buf,
                       size_t size);

/* Equivalence of credential a to b within jurisdiction j (CX_NOSYM: only
 * rules without `within`) for a source award issued on `issued`:
 * CX_EQUIVALENT, CX_PARTIAL, CX_NOT_EQUIVALENT or CX_ERROR. When trace is
 * not NULL, the rules considered are added under it; *via gets the id of
 * the rule that made them equivalent (NULL for the same credential). */
cx_status cx__eval_equivalent(ectx *e, cx_sym a, cx_sym b, cx_sym j, cx_date issued,
                              cx_trace *trace, const cx_rule **via);

/* An award that counts for a decision: the holder's own (renewed), a
 * hypothetical one (award NULL), or later a derived one. */
typedef struct cx_counted {
    const cx_snap_award *award; /* NULL: hypothetical or derived */
    const char *id;             /* award id, or NULL */
    cx_sym credential;
    cx_date issued, expires; /* expires after renewal */
    cx_sym jurisdiction;     /* where it was issued */
    int64_t hours;           /* hundredths or CX_NO_NUMBER */
    const char *via;         /* "direct", "recognition:<rule>", ... */
    int derived;             /* adds nothing to totals */
} cx_counted;

/* ctx.holder_attributes of a check (require.c, docs/rules.md): holder h's
 * attributes as a map of strings, built once per holder and owned by e
 * until cx__eval_end; an empty map for h NULL; NULL when out of memory. */
const cx_tnode *cx__eval_holder_attributes(ectx *e, const cx_snap_holder *h);

/* A hypothetical active award of credential, issued in jurisdiction on
 * the as-of date, with the credential's hours and expiry (transfer.c):
 * what `transfer CRED --from J` and `next` ask about. */
cx_counted cx__eval_hypothetical(const ectx *e, cx_sym credential, cx_sym jurisdiction);

/* Whether award a counts where verified = true (docs/rules.md, "Verified
 * awards"): every award but one whose provenance says "unverified" --
 * registry awards without provenance, hypothetical and derived ones count. */
int cx__eval_verified(const cx_counted *a);
/* Adds the reason `unverified` for award a ("award X is unverified: NOTE"),
 * once per award and decision. */
void cx__eval_unverified(ectx *e, const cx_counted *a);

#define CX_SEARCH_LIMIT 100000 /* allocation search steps per decision */

/* How a requirement tree is evaluated for one decision. */
typedef struct cx_req_opts {
    int reuse;             /* one award may fill several slots */
    const uint8_t *waived; /* per requirement index: 1 when waived (it holds), or NULL */
    size_t nwaived;        /* entries in waived */
    const cx_snap_exception *const *subs; /* substitutions: `use` fills slots of `for` */
    size_t nsubs;
    int quiet;        /* write nothing to the decision (trial evaluations) */
    unsigned details; /* CX_DETAIL_*: gaps of what is missing, the explain tree */
    /* with CX_DETAIL_GAPS: the holder's awards that would count here but
     * expired before the as-of date (audit.c: cx__audit_expired) */
    const cx_counted *expired;
    size_t nexpired;
} cx_req_opts;

typedef struct cx_req_result {
    int progress;            /* an award fills a slot or counts toward a total, or a
                                requirement needing no award holds */
    cx_date first_issued;    /* when met: the earliest issue date of the awards used */
    cx_date last_issued;     /* ... the latest */
    cx_date earliest_expiry; /* ... the earliest expiry (CX_DATE_NEVER when none expires) */
} cx_req_result;

/* The holder's awards that exist on the as-of date (issued on or before
 * it), every status, with expiry after renewal (transfer.c; docs/design.md
 * §4 Renewal). malloc'd; *n set. */
cx_counted *cx__eval_holder_awards(ectx *e, const cx_snap_holder *h, size_t *n);

/* Evaluates a requirement tree against counted awards (docs/design.md §4): slots
 * filled by distinct awards (unless reuse) found by exhaustive search with
 * backtracking up to CX_SEARCH_LIMIT steps, totals over distinct awards,
 * holder attributes, checks. Returns 1 met (unless quiet, the awards used
 * are added to the decision), 0 not met (unless quiet, what the smallest
 * completion still needs is added to missing), -1 error (the decision's
 * status is error, with the reason). jurisdiction is where credential
 * slots accept equivalent credentials. opts and res may be NULL. */
int cx__eval_requirements(ectx *e, const cx_req *q, const cx_counted *awards, size_t n,
                          const cx_snap_holder *holder, cx_sym jurisdiction,
                          const cx_req_opts *opts, cx_trace *trace, cx_req_result *res);

/* With opts->details (unless quiet), what evaluating also gives an unmet
 * tree: CX_DETAIL_GAPS adds to the decision a gap per missing entry
 * (credex.h cx_gap), from the allocation that decided what is missing;
 * CX_DETAIL_EXPLAIN sets the decision's explain tree, met or not. */

/* The requirements a holder must meet on their own: the root's parts when
 * q is an unlabelled all { ... } (flattened), else q itself. Writes at
 * most max of them to out; returns how many there are. */
size_t cx__req_forced(const cx_req *q, const cx_req **out, size_t max);

/* The holder's awards that count in jurisdiction j on the as-of date
 * (docs/design.md §4): valid, renewed, and issued in j or accepted into j by the
 * portability rules (j CX_NOSYM: every valid award). malloc'd; *n set. */
cx_counted *cx__eval_counted(ectx *e, const cx_snap_holder *h, cx_sym j, size_t *n);

/* audit.c: which stacks deciding stack `only` needs, per stack in dependency order:
 * it; the stacks whose derived awards can count toward it (depends: its
 * slots, and equivalences into them; and any stack whose credential an
 * exception substitutes), transitively; and every stack before one with a
 * check, which sees every counted award, derived ones too. malloc'd (the
 * caller frees it); NULL when out of memory. */
uint8_t *cx__audit_needed(const cx_rules *rs, cx_sym only);

/* The reason `effective` of a decision for stack r, not in force on
 * as_of: "the stack is in force from D; as-of is D" (or "was in force
 * until D"), into buf. */
void cx__audit_not_in_force(const cx_rule *r, cx_date as_of, const char *as_of_text, char *buf,
                            size_t size);

/* audit.c: every stack for holder h, as cx_audit decides them (only: that
 * stack's decision alone), in byte order of stack id. *out is the caller's:
 * cx_decisions_free. */
int cx__audit_holder(ectx *e, cx_sym h, cx_sym only, cx_decision ***out, size_t *n, cx_error *err);

/* audit.c: the symbol of the credential a stack of the loaded packs
 * confers; CX_EUSAGE (with the nearest id) when there is no such stack. */
int cx__audit_find_stack(const ectx *e, const char *stack, cx_sym *out, cx_error *err);

/* audit_all.c: the holders of s whose ids are in [from, to) (NULL: no bound
 * on that side), as the index range [*first, *end). */
void cx__holders_between(const cx_snapshot *s, const char *from, const char *to, uint32_t *first,
                         uint32_t *end);

/* audit_all.c: cx_audit_each over the holders whose ids are in [from, to)
 * only (of opt's shard, when it has one): what-if's shards, whose two sides
 * have different holders. */
int cx__audit_each_between(cx_rules *rules, const cx_audit_options *opt, const char *from,
                           const char *to, cx_audit_visit_fn visit, void *ud, cx_error *err);

#endif
