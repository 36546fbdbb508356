/*
 * compile.h -- plans: what compile.c makes of the rule tree (docs/
 * rule-tree.md) once every id is resolved against the registry snapshot.
 * Plans are immutable after compilation and shared read-only by worker
 * threads; the evaluator walks them in C and calls back into Lua only for
 * `check` and `when = function` (a (pack, ordinal) function reference).
 * compile.c never touches the Lua stack or SQL.
 */
#ifndef CX_COMPILE_H
#define CX_COMPILE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "credex.h"
#include "date.h"
#include "regex.h"
#include "snapshot.h"

/* Where a plan came from: the pack file and the outermost pack line. */
typedef struct cx_src {
    const char *file; /* the pack's path as loaded */
    int line;         /* 1-based */
} cx_src;

/* A date range, both ends included; open ends are INT32_MIN / CX_DATE_NEVER. */
typedef struct cx_range {
    cx_date from, to;
} cx_range;

/* ---------------------------------------------------------------- selectors */

/* A credential selector, compiled to the set of credential symbols it
 * selects (one bit per credential of the snapshot) plus an optional range
 * of issue dates that restricts the awards (issued_between). */
typedef struct cx_selector {
    const uint64_t *bits; /* credential set: bit s set when symbol s is selected */
    int any_date;         /* 1 when issued restricts nothing */
    cx_range issued;      /* the issue dates accepted when !any_date */
    const char *text;     /* constructor text, for traces and `missing` */
    cx_src src;
} cx_selector;

typedef enum cx_jsel_kind {
    CX_JSEL_ANY,       /* an absent clause: every jurisdiction */
    CX_JSEL_IDS,       /* a jurisdiction id or a list of them */
    CX_JSEL_MEMBER_OF, /* member_of "G" { status = ... } on the as-of date */
    CX_JSEL_ANY_OF,
    CX_JSEL_ALL_OF
} cx_jsel_kind;

/* A jurisdiction selector; member_of depends on the as-of date, so it is
 * evaluated per decision against the snapshot's memberships. */
typedef struct cx_jsel cx_jsel;
struct cx_jsel {
    cx_jsel_kind kind;
    const uint32_t *ids; /* CX_JSEL_IDS: jurisdiction symbols, sorted */
    size_t nids;
    uint32_t group;              /* CX_JSEL_MEMBER_OF */
    const char *status;          /* CX_JSEL_MEMBER_OF: required status, or NULL */
    const cx_jsel *const *parts; /* ANY_OF / ALL_OF */
    size_t nparts;
    const char *text; /* constructor text */
    cx_src src;
};

/* ------------------------------------------------------------- requirements */

typedef enum cx_req_kind {
    CX_REQ_CREDENTIAL, /* slots: each filled by one award */
    CX_REQ_MATCHING,
    CX_REQ_TAGGED,
    CX_REQ_COMPETENCY,
    CX_REQ_HOURS, /* totals over distinct counted awards */
    CX_REQ_SUM,
    CX_REQ_ALL, /* structure */
    CX_REQ_ANY,
    CX_REQ_AT_LEAST,
    CX_REQ_HOLDER_ATTR,
    CX_REQ_CHECK
} cx_req_kind;

typedef enum cx_cmp_op { CX_OP_EQ, CX_OP_NE, CX_OP_LT, CX_OP_LE, CX_OP_GT, CX_OP_GE } cx_cmp_op;

typedef struct cx_min_result {
    const char *key;
    int64_t value; /* hundredths */
} cx_min_result;

typedef struct cx_rule cx_rule;
typedef struct cx_req cx_req;
struct cx_req {
    cx_req_kind kind;
    cx_src src;
    const char *label; /* label = "...", or NULL */
    const char *text;  /* constructor text: `matching "^M[YZ]$"`, `hours(100, any_credential)` */
    int index;         /* preorder number within its stack, for coverage and traces */

    /* slots: which credentials fill it (credential, matching, tagged,
     * competency all compile to a credential set) and the slot's options */
    const uint64_t *fills; /* credential set */
    uint32_t credential;   /* CX_REQ_CREDENTIAL: the symbol (equivalents apply) */
    const char *min_grade; /* or NULL */
    const cx_min_result *min_results;
    size_t nmin_results;
    int verified; /* slots and totals: verified = true, only verified awards count
                     (docs/rules.md, "Verified awards") */

    /* totals */
    int64_t threshold;           /* hundredths */
    const cx_selector *selector; /* which awards count toward it */
    const char *attr;            /* CX_REQ_SUM: the credential attribute summed */
    const char *group_by;        /* CX_REQ_SUM: or NULL */

    /* structure */
    const cx_req *const *parts;
    size_t nparts;
    size_t need; /* parts that must hold: nparts (all), 1 (any), n (at_least) */

    /* holder_attr */
    const char *key;
    cx_cmp_op op;
    const char *value;

    /* check */
    int pack, fn; /* function reference (pack index, ordinal) */

    /* CX_REQ_CREDENTIAL: the equivalence rules (by id) that can make
     * another credential count as this one, whatever the date and place
     * (compile_reads.c; an evaluation still checks `within` and dates) */
    const cx_rule *const *fillers;
    size_t nfillers;
};

/* -------------------------------------------------------------------- rules */

typedef enum cx_rule_kind {
    CX_RULE_STACK,
    CX_RULE_COUNTS_AS,
    CX_RULE_EQUIVALENT,
    CX_RULE_EQUIVALENCE,
    CX_RULE_RECOGNIZE,
    CX_RULE_DENY,
    CX_RULE_RENEWS
} cx_rule_kind;

typedef enum cx_award_issued {
    CX_ISSUED_LAST_COMPONENT,
    CX_ISSUED_FIRST_COMPONENT
} cx_award_issued;
typedef enum cx_award_expires {
    CX_EXPIRES_EARLIEST_COMPONENT,
    CX_EXPIRES_NEVER,
    CX_EXPIRES_DURATION
} cx_award_expires;

/* What a rule reads, recorded once by the compiler (compile_reads.c) for
 * the analyses that must agree with the evaluator: the status plans
 * (quick.c), what-if's scope (whatif_scope.c), the stacks an audit of one
 * stack needs (audit.c). */
typedef struct cx_reads {
    const uint64_t *slots;  /* credentials that can fill a slot of its requirement tree
                               (credential, matching, tagged, competency); NULL: no tree */
    const uint64_t *totals; /* credentials a total with a selector counts (hours, sum);
                               NULL: no tree */
    int totals_every;       /* a total without a selector (sum): every credential counts */
    int checks;             /* a check in the tree: Lua sees every counted award */
    int calls;              /* Lua decides part of it: a check, or an equivalence's `when` */
    int without_awards;     /* a requirement that can hold with no award (holder_attr, check) */
    int verification;       /* verified = true on it or a requirement: an award's
                               provenance decides whether it counts */
    const uint32_t *groups; /* groups its jurisdiction selectors (within, into, from)
                               name with member_of, ascending, no repeats */
    size_t ngroups;
} cx_reads;

struct cx_rule {
    cx_rule_kind kind;
    const char *id; /* given, or from content: counts_as:A>B, equivalent:A=B, renews:X (#2...) */
    int pack;       /* index of the pack in load order */
    cx_src src;
    const char *cite;   /* the rule's, else the pack's default, or NULL */
    cx_range effective; /* as-of dates the rule holds on */

    /* stack */
    uint32_t credential;    /* the credential the stack confers (its id) */
    const char *name;       /* or NULL */
    uint32_t jurisdiction;  /* or CX_NOSYM */
    const cx_req *requires; /* stack; recognize (NULL when none) */
    int window_kind;        /* 0 none, 1 span, 2 recent */
    cx_duration window;
    cx_award_issued award_issued;
    cx_award_expires award_expires;
    cx_duration award_duration;
    int reuse_awards;
    const uint32_t *depends; /* stacks (credential symbols) whose derived awards it can use */
    size_t ndepends;

    /* equivalence family: counts_as (from -> to), equivalent (members),
     * equivalence (selectors and a condition) */
    const cx_selector *from, *to;
    const uint32_t *members; /* equivalent; renews: the credentials renewed */
    size_t nmembers;
    const cx_jsel *within; /* NULL: everywhere */
    int transitive;
    int any_date;      /* issued_between absent */
    cx_range issued;   /* issued_between */
    int coverage_kind; /* 0 none, 1 percent (exact integers), 2 ratio (1e-9) */
    int coverage_percent;
    double coverage_ratio;
    int when_pack, when_fn; /* when = function: -1 when none */

    /* portability: recognize and deny */
    const cx_jsel *into, *from_j;   /* NULL: every jurisdiction */
    const cx_selector *credentials; /* NULL: every credential */
    const char *reason;             /* deny */
    int verified;                   /* recognize: only verified awards are recognised */

    /* renews */
    uint32_t renewer;

    cx_reads reads; /* what it reads, for the analyses (compile_reads.c) */
};

/* ------------------------------------------------------------- equality */

/* Plans of two rule sets compared field by field, for what-if
 * (compile_same.c): credentials, jurisdictions and groups by id, since the
 * sets may be compiled against different snapshots (sa, sb). A Lua
 * function compares by its ordinal in its pack only: the caller compares
 * the packs' bytes when reads.calls says Lua decides part of the rule. */

/* Everything about a requirement that can change a decision's status:
 * what fills or counts toward it and every option. */
int cx__req_same(const cx_snapshot *sa, const cx_req *a, const cx_snapshot *sb, const cx_req *b);
/* Every field of two rules (one id) the evaluator reads. */
int cx__rule_same(const cx_snapshot *sa, const cx_rule *a, const cx_snapshot *sb, const cx_rule *b);

/* ------------------------------------------------------------ the rule set */

typedef struct cx_pack_info {
    const char *path;      /* as loaded */
    const char *id;        /* from pack "id" { ... }, or the file name */
    const char *authority; /* or NULL */
    const char *version;   /* or NULL */
    const char *cite;      /* the pack's default citation, or NULL */
    const char *source;    /* the bytes that ran (NUL-terminated too); workers load these */
    size_t source_len;     /* bytes of source */

    /* A verified signature (pack_sig.h): all NULL when the pack is unsigned. */
    const char *signer_kid;       /* the key's kid, or NULL */
    const char *signer_authority; /* the authority the key signs for */
    const char *signature;        /* the compact JWS */
} cx_pack_info;

/* A pack to load from memory: its bytes and the path it is known by. */
typedef struct cx_pack_source {
    const char *path; /* a name for messages, traces and the pack id; never read */
    const char *data; /* the source */
    size_t len;       /* bytes of data */
} cx_pack_source;

/* As cx_rules_load, but the packs are n sources in memory, loaded in the
 * order given (the decision log's replay: the packs exactly as they ran). */
int cx__rules_load_sources(cx_registry *r, const cx_pack_source *sources, size_t n, cx_rules **out,
                           cx_diagnostics *diags, cx_error *err);

/* As cx_rules_load_trusted (paths) or cx__rules_load_sources (sources not
 * NULL), over snap instead of a registry's snapshot: what-if's grafted
 * after side (snapshot.h, cx__snapshot_graft). The rules own snap from the
 * call on, also when it fails. */
int cx__rules_load_over(cx_snapshot *snap, const char *const *paths, const cx_pack_source *sources,
                        size_t n, const cx_pack_trust *trust, cx_rules **out, cx_diagnostics *diags,
                        cx_error *err);

/* Accessors for the evaluator: what a cx_rules holds. */
struct cx_sandbox;
const cx_snapshot *cx__rules_snapshot(const cx_rules *rs);
struct cx_sandbox *cx__rules_sandbox(const cx_rules *rs);
/* Every rule, sorted by id (byte order): the order decisions consider them
 * in, so no result depends on the order packs or rules were listed in. */
const cx_rule *const *cx__rules_by_id(const cx_rules *rs, size_t *n);
/* Whether r is of the equivalence family (counts_as, equivalent,
 * equivalence). */
int cx__rule_is_equivalence(const cx_rule *r);

/* The equivalence family (counts_as, equivalent, equivalence) in id order;
 * *targets: the credentials one of them can make another count as (a
 * credential set; NULL when there are no rules). */
const cx_rule *const *cx__rules_equivalences(const cx_rules *rs, size_t *n,
                                             const uint64_t **targets);

/* The rule that calls Lua function (pack, fn) -- a check in its
 * requirements, or its `when` -- as an index into cx__rules_by_id, or -1
 * (compile_reads.c). */
long cx__rules_function_owner(const cx_rules *rs, int pack, int fn);

/* Appends a diagnostic to d (compile_tree.c): the new one, or NULL when
 * out of memory (it is still counted). */
const cx_diagnostic *cx__diagnostics_vadd(cx_diagnostics *d, int warning, const char *file,
                                          int line, const char *fmt, va_list ap);

/* Stacks in dependency order. */
const cx_rule *const *cx__rules_stacks(const cx_rules *rs, size_t *n);
const cx_pack_info *cx__rules_pack(const cx_rules *rs, int pack);
/* A new sandbox with the same packs loaded in the same order, for a worker
 * thread: function references (pack, ordinal) mean the same in it. The
 * caller frees it (cx__sandbox_free). */
int cx__rules_worker(const cx_rules *rs, struct cx_sandbox **out, cx_error *err);
/* A view of rs for one thread of a long-lived service (service.c): the
 * same snapshot, plans and packs, shared read-only, deciding in sb (from
 * cx__rules_worker) with an in-use flag of its own, so the public deciding
 * calls accept it while other views of rs decide on other threads. rs and
 * sb must outlive it. NULL when out of memory; free with
 * cx__rules_view_free, which frees the view only. */
cx_rules *cx__rules_view(const cx_rules *rs, struct cx_sandbox *sb);
void cx__rules_view_free(cx_rules *view); /* accepts NULL */

/* An observer of evaluation, for `credex test --coverage` (docs/
 * rule-tests.md): the evaluators call mark with a requirement of a tree
 * that held in an evaluation (rule NULL), or with a rule applied outside
 * any trace, a renewal (req NULL). Installed on a cx_rules only while one
 * thread decides with it; NULL (the default) costs one test per tree. */
typedef struct cx_coverage {
    void (*mark)(void *ud, const cx_rule *rule, const cx_req *req);
    void *ud; /* passed to mark */
} cx_coverage;
void cx__rules_set_coverage(cx_rules *rs, const cx_coverage *cov); /* NULL: none */
const cx_coverage *cx__rules_coverage(const cx_rules *rs);

/* One public call at a time on a cx_rules (credex.h, "Threads"): every
 * public function that decides with rs (and so uses its Lua state) enters
 * once before it starts and leaves once when done -- not per holder.
 * CX_EUSAGE, saying each thread needs its own cx_rules, while another call
 * is inside; the second caller must not leave. */
int cx__rules_enter(cx_rules *rs, cx_error *err);
void cx__rules_leave(cx_rules *rs);

#endif
