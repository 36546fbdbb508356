/*
 * credex.h -- the public C API of libcredex, the only installed header.
 * Everything a caller (the credex CLI included) may use is declared here;
 * names with a double underscore (cx__...) and the headers in runtime/ are internal.
 */
#ifndef CREDEX_H
#define CREDEX_H

#include <stddef.h>
#include <stdint.h>

#define CREDEX_VERSION "0.1.0"

/* ----------------------------------------------------------------- threads
 *
 * libcredex needs no set-up and keeps no global state a caller sees: any
 * function may be called on any thread. The threads it starts itself (the
 * `jobs` workers of cx_audit_all, cx_audit_summary, cx_whatif and cx_diff;
 * readers of a large registry file in cx_rules_load) end before the call
 * returns. What may be shared depends on the object:
 *
 * cx_rules -- one call at a time. The rules hold the Lua state that rule
 *   code runs in. cx_equiv, cx_transfer, cx_transfer_holder, cx_audit,
 *   cx_audit_all and cx_audit_summary (and cx_replay, for its current
 *   rules) each use the rules for the whole call; a second such call on
 *   the same cx_rules while one is inside -- from another thread, or from
 *   a callback of the first -- is refused: it returns CX_EUSAGE ("each
 *   thread needs its own cx_rules") and its outputs are left empty. The
 *   same rules serve any thread one call after another. To decide in
 *   parallel, load a cx_rules per thread, or give cx_audit_all jobs (each
 *   worker gets a Lua state of its own). cx_rules_pack_count,
 *   cx_rules_rule_count and cx_log_begin only read what loading fixed and
 *   may run alongside a call; cx_rules_free must not.
 *
 * cx_registry -- one thread at a time, checked like cx_rules. It is one
 *   SQLite connection with cached statements, used by the registry
 *   functions, imports, cx_rules_load, the log, cx_replay, cx_whatif and
 *   cx_diff; each of these holds the registry for the whole call, and a
 *   decision-log batch holds it from cx_log_begin to cx_log_end. A call
 *   from another thread meanwhile is refused with CX_EUSAGE ("each thread
 *   needs its own cx_registry"); the thread inside may call again (a
 *   callback that reads the registry). Open one per thread (several may
 *   open the same file) or serialize the calls. Loaded rules keep their
 *   own copy of the registry's content and never use it again: one thread
 *   may decide with them while another uses (or closes) the registry they
 *   were loaded from. cx_registry_close must not run alongside a call.
 *
 * Results -- cx_decision, cx_holder and the other entities, reports and
 *   replays are plain values owned by the caller: any number of threads may
 *   read and render one at once (cx_decision_json, _text, _csv); only its
 *   owner frees it. A cx_error or cx_diagnostics belongs to one call.
 *
 * cx_test_run builds its own registries and rules: runs on different
 * threads are independent. Callbacks run on the calling thread, except a
 * cx_render_fn, which runs on cx_audit_all's workers.
 */

/* ------------------------------------------------------------------ errors */

/* Error codes; each is also the exit code the CLI uses for it (docs/design.md §6). */
enum {
    CX_OK = 0,
    CX_EUSAGE = 2,    /* bad command line, unknown id on the command line */
    CX_EINPUT = 3,    /* bad catalog, pack, test file or change file */
    CX_EREGISTRY = 4, /* registry missing, unreadable, newer schema, SQL failure */
    CX_ENOMEM = 5,    /* out of memory (not user-caused; reported, never ignored) */
    CX_ELIMIT = 6     /* a counted limit tripped (regex steps, sandbox budgets) */
};

/* A small error value that owns nothing; passed last, filled on failure. */
typedef struct cx_error {
    int code;          /* one of CX_E*; CX_OK when no error */
    int line;          /* 1-based line in file, 0 when not located */
    int column;        /* 1-based column (characters), 0 when unknown */
    char file[512];    /* the input the error is in, "" when none */
    char message[768]; /* what went wrong and what was expected */
} cx_error;

/* Clears err to CX_OK. */
void cx_error_clear(cx_error *err);

/* Writes "file:line:col: message" (the parts that are known) into buf,
 * every control character escaped as cx_escaped does. */
void cx_error_format(const cx_error *err, char *buf, size_t size);

/* s as credex prints user text (docs/security.md, "Escaping"): each C0 or
 * C1 control character, DEL, line or paragraph separator and bidirectional
 * control written as an escape (\n, \t, \r, \x1b, \u009b, \u202e), so that
 * no id or name can move the cursor, recolour, retitle or reorder a
 * terminal's text. Every error credex makes is escaped so already.
 * malloc'd, the caller frees it; NULL when out of memory. */
char *cx_escaped(const char *s);

/* ---------------------------------------------------------------- registry */

typedef struct cx_registry cx_registry;

enum {
    CX_OPEN_READONLY = 1, /* open an existing registry read-only */
    CX_OPEN_CREATE = 2,   /* create the file and schema if missing, migrate if old */
    CX_OPEN_MEMORY = 4    /* a private in-memory registry (path ignored) */
};

/* Opens the registry at path. On success *out is owned by the caller:
 * free it with cx_registry_close. */
int cx_registry_open(const char *path, int flags, cx_registry **out, cx_error *err);
void cx_registry_close(cx_registry *r); /* accepts NULL */

/* How a connection writes (docs/security.md, "Busy registries"). Zeroed:
 * as cx_registry_open. */
typedef struct cx_open_options {
    int busy_timeout; /* seconds a write waits for another process's write lock before
                       * CX_EREGISTRY naming the holder; 0: CX_DEFAULT_BUSY_TIMEOUT;
                       * negative: not at all */
    int sync_full;    /* 1: imports commit with PRAGMA synchronous = FULL (an import
                       * survives power loss; slower); 0: NORMAL (WAL: never corrupt,
                       * the last import may be lost) */
    int no_cache;     /* 1: decisions load the snapshot from the registry, neither reading
                       * nor writing the snapshot cache beside it (docs/registry.md) */
} cx_open_options;

#define CX_DEFAULT_BUSY_TIMEOUT 60

/* cx_registry_open with options (opt may be NULL). */
int cx_registry_open_with(const char *path, int flags, const cx_open_options *opt,
                          cx_registry **out, cx_error *err);

/* The schema version this build writes, and the registry's content
 * version: a counter that changes with every import. */
int cx_registry_schema_version(void);
int cx_registry_content_version(cx_registry *r, int64_t *out, cx_error *err);

/* Kinds of registry entity, for look-ups and suggestions. */
typedef enum cx_kind {
    CX_KIND_JURISDICTION,
    CX_KIND_GROUP,
    CX_KIND_PROVIDER,
    CX_KIND_FRAMEWORK,
    CX_KIND_COMPETENCY,
    CX_KIND_CREDENTIAL,
    CX_KIND_HOLDER,
    CX_KIND_AWARD
} cx_kind;

/* The singular noun for a kind ("credential"). */
const char *cx_kind_name(cx_kind kind);

/* 1 when an entity of kind with id exists, 0 when not, -1 on error. */
int cx_registry_has(cx_registry *r, cx_kind kind, const char *id, cx_error *err);

/* Writes into buf the known id of kind nearest to id (edit distance,
 * ties broken by byte order); buf is "" when the registry has none. */
int cx_registry_nearest(cx_registry *r, cx_kind kind, const char *id, char *buf, size_t size,
                        cx_error *err);

/* A key and its value, both text. */
typedef struct cx_pair {
    char *key;
    char *value;
} cx_pair;

/* A number of the catalog format (^[0-9]+(\.[0-9]{1,2})?$), held exactly as
 * hundredths: 40 hours is 4000. CX_NO_NUMBER when absent. */
#define CX_NO_NUMBER INT64_MIN

typedef struct cx_credential {
    char *id;
    char *name;
    char *type;            /* "micro-credential", "certificate", "license", ... */
    char *provider;        /* provider id or NULL */
    char *jurisdiction;    /* jurisdiction id */
    int64_t hours;         /* hundredths, or CX_NO_NUMBER */
    char *valid_for;       /* ISO 8601 duration, NULL: never expires */
    char *version;         /* free text or NULL */
    char *effective_from;  /* YYYY-MM-DD or NULL */
    char *effective_until; /* YYYY-MM-DD or NULL */
    char **competencies;   /* competency ids, sorted */
    size_t ncompetencies;
    char **tags; /* sorted */
    size_t ntags;
    cx_pair *codes; /* key = scheme (soc, onet, cip, naics, ctid), sorted */
    size_t ncodes;
    cx_pair *attributes; /* sorted by key */
    size_t nattributes;
    char **grade_scale; /* lowest first; ngrade_scale == 0 when none */
    size_t ngrade_scale;
} cx_credential;

/* Where an award from a badge or CLR came from (docs/registry.md). */
typedef struct cx_provenance {
    char *format;         /* "ob3", "clr2", "ob2", "csv" or "yaml" */
    char *source_id;      /* the VC or assertion id, or NULL */
    char *issuer;         /* or NULL */
    char *proof;          /* the proof kind, "none", or NULL */
    char *verification;   /* "verified" or "unverified" */
    char *note;           /* why unverified, or NULL */
    char *status_checked; /* YYYY-MM-DD a status list was checked, or NULL */
} cx_provenance;

typedef struct cx_award {
    char *id;
    char *credential;   /* credential id */
    char *issued;       /* YYYY-MM-DD */
    char *expires;      /* YYYY-MM-DD as stored, or NULL: computed at evaluation */
    char *jurisdiction; /* as stored, else the credential's */
    int64_t hours;      /* hundredths: as stored, else the credential's, or CX_NO_NUMBER */
    char *status;       /* "active", "revoked" or "suspended" */
    char *grade;        /* or NULL */
    char *evidence;     /* or NULL */
    cx_pair *results;   /* sorted by key */
    size_t nresults;
    cx_provenance *provenance; /* or NULL: the award has none (a YAML award) */
} cx_award;

typedef struct cx_holder {
    char *id;
    char *jurisdiction;  /* or NULL */
    cx_pair *attributes; /* sorted by key */
    size_t nattributes;
    cx_award *awards; /* by issue date, then id */
    size_t nawards;
} cx_holder;

typedef struct cx_membership {
    char *jurisdiction;
    char *from;   /* YYYY-MM-DD, inclusive */
    char *until;  /* YYYY-MM-DD, inclusive, or NULL: open-ended */
    char *status; /* free text or NULL */
} cx_membership;

typedef struct cx_group {
    char *id;
    char *name;             /* or NULL */
    cx_membership *members; /* by jurisdiction, then from */
    size_t nmembers;
} cx_group;

/* Reads one entity. Returns CX_OK with *out owned by the caller (free with
 * the matching _free, which accepts NULL), or CX_EUSAGE when no such id
 * exists (err names the nearest id), or CX_EREGISTRY. */
int cx_registry_credential(cx_registry *r, const char *id, cx_credential **out, cx_error *err);
int cx_registry_holder(cx_registry *r, const char *id, cx_holder **out, cx_error *err);
int cx_registry_group(cx_registry *r, const char *id, cx_group **out, cx_error *err);
void cx_credential_free(cx_credential *c);
void cx_holder_free(cx_holder *h);
void cx_group_free(cx_group *g);

/* Counts of each kind of entity (indexed by cx_kind). */
int cx_registry_counts(cx_registry *r, int64_t counts[CX_KIND_AWARD + 1], cx_error *err);

/* ----------------------------------------------------------------- catalogs */

/* Called now and then during a long import; what is the phase ("reading",
 * "checking", "writing"), done and total count units of that phase. */
typedef void (*cx_progress_fn)(void *ud, const char *what, uint64_t done, uint64_t total);

/* The formats `credex import` reads, told apart by content (docs/interop.md). */
typedef enum cx_format {
    CX_FORMAT_YAML, /* a version-1 catalog */
    CX_FORMAT_JSON, /* JSON(-LD): read, but no mapping yet */
    CX_FORMAT_JWS,  /* compact JWS/JWT: recognised, not read yet */
    CX_FORMAT_CSV   /* an award list */
} cx_format;
#define CX_FORMAT_COUNT 4

/* "yaml", "json", "jws", "csv". */
const char *cx_format_name(cx_format f);

/* What one import defined, per kind (indexed by cx_kind). */
typedef struct cx_import_stats {
    int64_t count[CX_KIND_AWARD + 1];
    int64_t exceptions;
    int64_t files[CX_FORMAT_COUNT]; /* input files per format (indexed by cx_format) */
    int64_t skipped;                /* awards left out by skip_invalid */
    int64_t removed;   /* credentials, competencies and memberships `remove:` removed */
    int64_t cascaded;  /* what those removals took along (cascade): awards, exceptions,
                        * credentials' competency lists, child competencies' parents */
    int64_t differing; /* values left out where inputs merge by id, each reported
                        * (docs/interop.md, "Several files, one import") */
} cx_import_stats;

/* Imports catalog files (docs/design.md §3) into r as one transaction: references
 * resolve across all the files and the registry; on any error nothing is
 * changed and err names file, line and column. progress and stats may be
 * NULL. The same as cx_import with only the progress options, so it reads
 * CSV award lists too (docs/interop.md). */
int cx_catalog_import(cx_registry *r, const char *const *paths, size_t npaths,
                      cx_progress_fn progress, void *progress_ud, cx_import_stats *stats,
                      cx_error *err);

/* One item an import left out, or a value it set aside, for the import report. */
typedef struct cx_import_issue {
    const char *file;    /* the input file */
    const char *pointer; /* JSON inputs: the item's JSON Pointer; else NULL */
    int line;            /* CSV: the record's line; else 0 */
    const char *key;     /* the key or column at fault, or NULL */
    const char *why;     /* the error, as it would have failed the import */
} cx_import_issue;

/* Receives each issue as it is found; the strings live for the call only. */
typedef void (*cx_import_report_fn)(void *ud, const cx_import_issue *issue);

/* Caps on what one input may hold (docs/security.md). A field at 0 takes
 * its default; an input over a cap is a located error, read no further. */
typedef struct cx_limits {
    uint64_t max_input_bytes;  /* one file, regular or not (device, pipe): 1 GiB */
    uint64_t max_scalar_bytes; /* one scalar, JSON string or CSV field: 1 MiB */
    uint64_t max_list_items;   /* one list, or one CSV file's rows: 100,000,000 */
} cx_limits;

#define CX_DEFAULT_MAX_INPUT_BYTES  (UINT64_C(1) << 30)
#define CX_DEFAULT_MAX_SCALAR_BYTES (UINT64_C(1) << 20)
#define CX_DEFAULT_MAX_LIST_ITEMS   UINT64_C(100000000)

/* How cx_import reads its inputs. Zeroed: as cx_catalog_import. */
typedef struct cx_import_options {
    const char *jurisdiction;   /* CSV holders not in the registry are created in it; or NULL */
    int skip_invalid;           /* 1: a CSV award with an error is left out and reported */
    cx_import_report_fn report; /* called for every issue; or NULL */
    void *report_ud;            /* passed to report */
    cx_progress_fn progress;    /* or NULL */
    void *progress_ud;          /* passed to progress */
    const char *provider;       /* CTDL: the provider of credentials that name none; or NULL */
    const char *lang;           /* CTDL: the language tag language maps are read in (en-US) */
    int allow_provisional;      /* CTDL: 1 imports a provisional graph instead of refusing it */
    const char *id_map;         /* CTDL: a CSV file `iri,id` whose ids replace the IRIs'; or NULL */
    const char *trust;          /* the trust document (docs/interop.md) VC-JWTs and envelopes
                                 * are verified against; NULL: none, every issuer is untrusted */
    int allow_unverified;       /* 1: a badge whose proof credex cannot verify (or that has
                                 * none), or a signature no trust entry vouches for, is imported
                                 * as unverified instead of refused */
    const char *holders;        /* CSV identity,holder naming Open Badges 2.0 recipients; or NULL */
    int cascade;                /* 1: a `remove:` takes along the awards (and exceptions,
                                 * competency links) that refer to what it removes, reporting
                                 * each; 0: such a removal is a located error */
    const cx_limits *limits;    /* caps on each input; NULL: the defaults */
} cx_import_options;

/* Imports files of any format credex reads (YAML catalogs, CSV award
 * lists; the format told by content, docs/interop.md) into r as one
 * transaction, as cx_catalog_import. A JSON or JWS file is refused with a
 * located error until its reader comes. options and stats may be NULL. */
int cx_import(cx_registry *r, const char *const *paths, size_t npaths,
              const cx_import_options *options, cx_import_stats *stats, cx_error *err);

/* The candidate nearest to word by edit distance (ties: the earlier
 * candidate), or NULL when none is close enough to suggest. */
const char *cx_nearest(const char *word, const char *const *candidates, size_t n);

/* ------------------------------------------------------------------ dates */

/* Adds an ISO 8601 duration (P3Y, P18M, P2W, P1Y6M) to a YYYY-MM-DD date
 * as the catalog format does (largest part first, clamped to the month's
 * end), writing YYYY-MM-DD into out. CX_EINPUT when either is malformed,
 * or when the sum is past 9999-12-31. */
int cx_date_add(const char *date, const char *duration, char out[11], cx_error *err);

/* ------------------------------------------------------------- rule packs */

/* One finding of `credex check` or a load: an error (the pack cannot be
 * used) or a warning (it can, but probably does not say what was meant). */
typedef struct cx_diagnostic {
    int warning;       /* 0: error, 1: warning */
    int line;          /* 1-based, 0 when not located */
    char file[512];    /* the pack file */
    char message[768]; /* what is wrong and what was expected */
} cx_diagnostic;

typedef struct cx_diagnostics {
    cx_diagnostic *items; /* in the order found: packs in load order, then by line */
    size_t count, cap;
    size_t errors, warnings;
} cx_diagnostics;

void cx_diagnostics_init(cx_diagnostics *d);
void cx_diagnostics_free(cx_diagnostics *d); /* frees items; d itself is the caller's */

typedef struct cx_rules cx_rules; /* compiled rule packs: immutable plans */

/* Loads the rule packs named by paths (pack files, or directories: every
 * *.lua below them, recursively, in byte order of path) in the sandbox and
 * compiles them against the registry r. Every error and warning found is
 * appended to diags (which may be NULL). Returns CX_OK with *out owned by
 * the caller (cx_rules_free), or CX_EINPUT when any pack has an error
 * (err: the first of them; *out NULL), or another code for registry or
 * file-system failures. */
int cx_rules_load(cx_registry *r, const char *const *paths, size_t npaths, cx_rules **out,
                  cx_diagnostics *diags, cx_error *err);
void cx_rules_free(cx_rules *rules); /* accepts NULL */

/* What `credex check` runs after loading: each rule whose requirements
 * have a `check` is evaluated, as of as_of ("YYYY-MM-DD"), for two probe
 * holders -- one with no awards, one with an award of each credential the
 * rule names -- and a check that trips a counted limit there gets a
 * warning in diags, at the line where its function is written, naming
 * the rule and the limit (docs/security.md, "Run breaker"). CX_OK (with
 * or without warnings), CX_EUSAGE for a bad as_of, CX_ENOMEM. */
int cx_rules_probe(cx_rules *rules, const char *as_of, cx_diagnostics *diags, cx_error *err);

/* Counts for summaries: packs loaded and rules compiled. */
size_t cx_rules_pack_count(const cx_rules *rules);
size_t cx_rules_rule_count(const cx_rules *rules);

/* The holders of the registry as the rules were loaded against it (their
 * snapshot), which cx_audit_all and cx_audit_summary decide: read from
 * memory, unlike cx_registry_counts, which counts every table (at
 * millions of awards, reading most of the file). */
uint64_t cx_rules_holder_count(const cx_rules *rules);

/* -------------------------------------------------------------- decisions */

/* Every decision is a value (docs/design.md §1, §6): a status, the reasons, the
 * awards used, what is missing, and a trace citing the rules.
 * Ownership: the cx_decision itself, every string in it (subject, reasons,
 * used, missing, trace nodes, near misses, gaps) and every array (reasons,
 * used, missing, near_misses, gaps and their options and expired awards,
 * each trace node's children: an array of cx_trace held by value; the
 * explain tree's root) is malloc'd and owned by the decision; any string may be
 * NULL where its comment allows it. cx_decision_free releases all of it,
 * the trace recursively, and the decision. Strings may hold any bytes:
 * the renderers replace invalid UTF-8 with U+FFFD. */

typedef enum cx_decision_kind {
    CX_DECISION_AUDIT,
    CX_DECISION_EQUIV,
    CX_DECISION_TRANSFER
} cx_decision_kind;

typedef enum cx_status {
    /* audit */
    CX_MET,
    CX_IN_PROGRESS,
    CX_NOT_STARTED,
    /* equiv */
    CX_EQUIVALENT,
    CX_PARTIAL,
    CX_NOT_EQUIVALENT,
    /* transfer */
    CX_ACCEPTED,
    CX_CONDITIONAL,
    CX_DENIED,
    CX_NOT_RECOGNIZED,
    /* any */
    CX_ERROR
} cx_status;

/* The status as JSON and text write it: "met", "not_equivalent", ... */
const char *cx_status_name(cx_status status);

typedef struct cx_reason {
    char *code;    /* machine-readable: "expired", "revoked", "deny", "coverage", ... */
    char *message; /* for people */
} cx_reason;

typedef struct cx_used {
    char *award;      /* award id, or NULL for a hypothetical award */
    char *credential; /* the award's credential */
    char *slot;       /* the requirement it filled (label or text), or NULL */
    char *via;        /* "direct", "equivalence:<rule>", "recognition:<rule>", "exception:<...>" */
    const char *verification; /* "verified" or "unverified" (static), or NULL: no provenance */
} cx_used;

typedef struct cx_near_miss {
    char *rule;   /* rule id */
    char *clause; /* "into", "from", "credentials" or "effective" */
    char *detail; /* "US-CT joined EVC on 2025-10-01; as-of is 2025-06-01" */
} cx_near_miss;

/* One node of a decision's trace: a rule or requirement considered. */
typedef struct cx_trace cx_trace;
struct cx_trace {
    char *rule;   /* rule id or requirement text */
    char *pack;   /* pack id, or NULL */
    char *file;   /* pack file, or NULL */
    int line;     /* 0 when none */
    char *cite;   /* or NULL */
    char *status; /* "holds", "fails", "applies", "skipped", a decision status, ... */
    char *detail; /* or NULL */
    /* a malloc'd array of nchildren nodes, or NULL */
    cx_trace *children;
    size_t nchildren;
};

/* An award that would have counted toward a gap but expired before the
 * as-of date (docs/json.md, "gaps"). */
typedef struct cx_gap_expired {
    char *credential; /* the award's credential */
    char *award;      /* the award's id */
    char expired[11]; /* its last valid day (after renewal), "YYYY-MM-DD" */
    char *renewed_by; /* the credential a `renews` rule in force renews it with, or NULL */
} cx_gap_expired;

/* How far an unmet requirement of an audit is from holding, from the
 * allocation that decided what is missing (docs/json.md, "gaps"). */
typedef struct cx_gap {
    char *requirement; /* the `missing` string it quantifies */
    char *unit;        /* "credentials", "hours", the attribute a sum totals,
                          "requirements" (a choice among totals or structures)
                          or "conditions" (holder_attr, check) */
    int64_t need;      /* the requirement's amount, in hundredths of unit */
    int64_t have;      /* what the allocation counted toward it, in hundredths */
    char **options;    /* credential ids that could still fill it, in byte order */
    size_t noptions;
    cx_gap_expired *expired; /* in issue order */
    size_t nexpired;
} cx_gap;

typedef struct cx_decision {
    cx_decision_kind kind;
    cx_status status;
    char as_of[11];
    /* subject: members that do not apply are NULL */
    char *holder, *stack;     /* audit */
    char *from, *to, *in;     /* equiv: credentials from/to, jurisdiction in */
    char *award, *credential; /* transfer: award id (NULL: hypothetical), credential */
    char *from_jurisdiction, *to_jurisdiction; /* transfer */
    cx_reason *reasons;
    size_t nreasons;
    cx_used *used;
    size_t nused;
    char **missing;
    size_t nmissing;
    /* the root: the decision itself. Its first child with a cite and a
     * status other than "skipped" or "near miss" is the deciding rule, which
     * text shows as "rule:" (none for not_recognized, not_equivalent). */
    cx_trace trace;
    /* by kind */
    char issued[11], expires[11]; /* audit, when met ("" otherwise; expires "" = never) */
    int has_coverage;             /* equiv: a coverage rule applied */
    int64_t covered, total;       /* equiv: competencies */
    cx_near_miss *near_misses;    /* transfer */
    size_t nnear_misses;
    /* audit, not met (with CX_DETAIL_GAPS): one gap per missing entry, in
     * the same order; NULL and 0 otherwise */
    cx_gap *gaps;
    size_t ngaps;
    /* audit (with CX_DETAIL_EXPLAIN): the stack's requirement tree, one
     * node per requirement: rule is its label or text, status "met",
     * "partly", "not" or "waived", detail the amounts and the awards the
     * allocation used in it; NULL otherwise. Text output only. */
    cx_trace *explain;
} cx_decision;

void cx_decision_free(cx_decision *d); /* accepts NULL; frees d too */

/* Where rendered output goes: appends s[0..n); returns 0, or -1 to stop
 * (out of memory). The arguments are in the order of jansson's dump
 * callback. */
typedef int (*cx_write_fn)(const char *s, size_t n, void *ud);

/* One compact JSON object and "\n" (docs/design.md §6, docs/json.md); malloc'd,
 * the caller frees it; NULL when out of memory. */
char *cx_decision_json(const cx_decision *d);
int cx_decision_write_json(const cx_decision *d, cx_write_fn write, void *ud); /* 0 or -1 */

/* Readable text (docs/json.md, "Text output"): a line with the subject
 * and status, then indented lines (reasons, award or coverage, awards
 * used, what is missing, near misses, the deciding rule's citation), and
 * with explain the as-of date and the whole trace as a tree. Every line
 * ends in "\n". malloc'd, the caller frees it; NULL when out of memory. */
char *cx_decision_text(const cx_decision *d, int explain);
int cx_decision_write_text(const cx_decision *d, int explain, cx_write_fn write, void *ud);

/* An audit decision as one CSV row (RFC 4180, CRLF-terminated): holder,
 * stack, status, issued, expires ("never" when met and never expiring),
 * missing joined with ';'. malloc'd. The header row is static. */
char *cx_decision_csv(const cx_decision *d);
int cx_decision_write_csv(const cx_decision *d, cx_write_fn write, void *ud);
const char *cx_decision_csv_header(void);

/* Deciding. Each takes the compiled rules (which hold the registry
 * snapshot they were compiled against) and an as-of date "YYYY-MM-DD".
 * They return CX_OK with *out owned by the caller, whatever the decision's
 * status (a rule that fails makes the decision CX_ERROR, with the message
 * and location in its reasons); CX_EUSAGE when an id is not in the
 * registry (err suggests the nearest) or the date is malformed. */

/* Does credential from count as credential to (in jurisdiction in, or NULL:
 * only rules without `within` apply)? A hypothetical award of from issued
 * on the as-of date. */
int cx_equiv(cx_rules *rules, const char *from, const char *to, const char *in, const char *as_of,
             cx_decision **out, cx_error *err);

/* Is a hypothetical active award of credential, issued in jurisdiction
 * from on the as-of date with no holder, recognised in jurisdiction to? */
int cx_transfer(cx_rules *rules, const char *credential, const char *from, const char *to,
                const char *as_of, cx_decision **out, cx_error *err);

/* Is each of holder's awards (renewed; those issued after the as-of date do
 * not exist yet) recognised in jurisdiction to? *out is an array of *n
 * decisions in byte order of award id; free with cx_decisions_free. */
int cx_transfer_holder(cx_rules *rules, const char *holder, const char *to, const char *as_of,
                       cx_decision ***out, size_t *n, cx_error *err);

/* Stacking progress of holder for each stack (or only stack, when not
 * NULL; the stacks it depends on are evaluated too): *out is an array of
 * *n decisions in byte order of stack id; free with cx_decisions_free. */
int cx_audit(cx_rules *rules, const char *holder, const char *stack, const char *as_of,
             cx_decision ***out, size_t *n, cx_error *err);

/* What an audit decision carries beyond its status, reasons, used and
 * missing (each costs time: ask only for what the output shows). */
#define CX_DETAIL_GAPS    1u /* unmet audits carry gaps (cx_audit always does) */
#define CX_DETAIL_EXPLAIN 2u /* audits carry the requirement tree (explain) */

/* cx_audit with the details asked for (CX_DETAIL_* or'ed; 0: none). */
int cx_audit_with(cx_rules *rules, const char *holder, const char *stack, const char *as_of,
                  unsigned details, cx_decision ***out, size_t *n, cx_error *err);

/* Renders a decision (JSON, text, CSV...) through write (with wud): the
 * cx_decision_write_* functions. Called on worker threads: it must only
 * read ud. 0, or -1 (out of memory). */
typedef int (*cx_render_fn)(void *ud, const cx_decision *d, cx_write_fn write, void *wud);

/* Receives each rendered decision (NUL-terminated), in order, on the
 * calling thread; the text lives until the call returns. A non-zero
 * return stops with that code. */
typedef int (*cx_output_fn)(void *ud, const char *text, cx_status status);

/* Audits every holder of the registry for every stack (or only stack),
 * on jobs worker threads (each with its own Lua state, rendering its own
 * decisions), handing the texts to output in byte order of holder id, then
 * stack id: the output is the same for any jobs. progress (may be NULL) is
 * called after every batch of holders.
 *
 * render NULL asks for statuses only: output(ud, NULL, status) per
 * decision, in the same order, and no decision is built where a stack's
 * status plan decides it exactly (docs/performance.md: eligible stacks;
 * any other holder and stack still goes through the full evaluation).
 * The statuses are those cx_audit gives, for any jobs. It is
 * cx_audit_each (below) handing each text and status to output; the
 * decisions carry no details (CX_DETAIL_*: use cx_audit_each for them). */
int cx_audit_all(cx_rules *rules, const char *stack, const char *as_of, int jobs,
                 cx_render_fn render, cx_output_fn output, void *ud, cx_progress_fn progress,
                 void *progress_ud, cx_error *err);

/* One decision of an audit over every holder, as cx_audit_each hands it
 * to the visitor. Every pointer is valid only during the call. */
typedef struct cx_audit_entry {
    const char *holder;          /* the holder's id */
    const char *stack;           /* the id of the credential the stack confers */
    cx_status status;            /* the decision's status */
    const cx_decision *decision; /* the whole decision with decisions set; else NULL */
    const char *text;            /* what render wrote, NUL-terminated; NULL without render */
    size_t text_len;             /* strlen(text) (0 without render) */
} cx_audit_entry;

/* Receives each decision of cx_audit_each on the calling thread, in byte
 * order of holder id, then stack id (the same for any jobs). A non-zero
 * return stops the audit with that code. */
typedef int (*cx_audit_visit_fn)(void *ud, const cx_audit_entry *entry);

/* The run breaker (docs/security.md, "Run breaker"): a run over every
 * holder (cx_audit_each and the calls built on it, cx_whatif, cx_diff)
 * stops when one rule's Lua function (a check, an equivalence's `when`)
 * has tripped a counted limit (instructions, memory, string length, regex
 * steps) in max_trips decisions of the run. Workers consult the shared
 * count before every holder, so the stop comes within about max_trips
 * trips whatever the jobs. The visitor has then had every decision of
 * the holders before the first one left undecided, and no later one; the
 * call returns CX_EINPUT, err located at the function's first line. */
#define CX_MAX_TRIPS 100 /* the default max_trips */

/* What stopped a run. */
typedef struct cx_breaker {
    char rule[256];  /* the rule's id */
    char file[512];  /* the pack file of the function that tripped */
    int line;        /* where the function is written (its first line) */
    char limit[768]; /* the limit as the sandbox words it ("instruction limit (N) exceeded") */
    uint64_t trips;  /* decisions in which the rule tripped: max_trips */
} cx_breaker;

typedef struct cx_audit_options {
    const char *stack;       /* only this stack (and the stacks it needs), or NULL: every stack */
    const char *as_of;       /* "YYYY-MM-DD" */
    int jobs;                /* worker threads, each with its own Lua state (1..64) */
    int decisions;           /* 1: build every decision in full and hand it to the visitor */
    cx_render_fn render;     /* NULL, or renders each decision on its worker thread */
    void *render_ud;         /* render's first argument; only read on the workers */
    cx_progress_fn progress; /* NULL, or called after every batch of holders */
    void *progress_ud;
    unsigned max_trips;  /* the run breaker's maximum (above); 0: CX_MAX_TRIPS */
    cx_breaker *breaker; /* NULL, or filled when the run breaker stopped the run */
    unsigned details;    /* CX_DETAIL_* for the decisions built (0: none) */
    int csv;             /* 1: each text is the decision's CSV row (cx_decision_write_csv),
                            render unused; no decision is built where a stack's status
                            plan decides the row exactly (unless decisions is set) */
    unsigned shard;      /* with shards: only shard `shard` (1..shards) of the holders is
                            decided, the range cx_shard_range gives over the snapshot's
                            holders in id order; 0 and 0: every holder */
    unsigned shards;     /* how many shards the run is cut into (1..CX_MAX_SHARDS) */
    int json;            /* 1 (without csv): each text is the decision's JSON line
                            (cx_decision_write_json), render unused; with details
                            CX_DETAIL_GAPS, no decision is built where a stack's status
                            plan decides the line exactly (unless decisions is set) */
    int direct;          /* 1 (with texts): each text is also written to file descriptor
                            fd, in order, as its batch is visited (after visit returns),
                            straight from where it was rendered (writev: no copy); a
                            failed write stops the run with CX_EREGISTRY */
    int fd;
} cx_audit_options;

/* Audits every holder of the registry for every stack (or only
 * opt->stack) and hands each decision to visit. With neither render nor
 * decisions only statuses are wanted: no decision is built where a
 * stack's status plan decides exactly (the statuses are those cx_audit
 * gives). Decisions are built, rendered and freed on the worker threads,
 * except with decisions set, where each lives until visit returns. */
int cx_audit_each(cx_rules *rules, const cx_audit_options *opt, cx_audit_visit_fn visit, void *ud,
                  cx_error *err);

/* One stack's statuses over every holder (credex audit --all --summary). */
typedef struct cx_audit_count {
    const char *stack; /* the stack's id; lives as long as the rules */
    uint64_t met, in_progress, not_started, error;
} cx_audit_count;

/* Counts, per stack (or only stack), the statuses cx_audit_all gives with
 * render NULL. *out is an array of *n counts in byte order of stack id,
 * owned by the caller (free()); progress as for cx_audit_all. */
int cx_audit_summary(cx_rules *rules, const char *stack, const char *as_of, int jobs,
                     cx_progress_fn progress, void *progress_ud, cx_audit_count **out, size_t *n,
                     cx_error *err);

/* cx_audit_summary with the options of cx_audit_each (render, decisions,
 * csv, details and the run breaker's settings are not read; a --summary
 * stops at CX_MAX_TRIPS): with opt->shards, the counts of that shard's
 * holders only, so the counts of shards 1..N add up to the whole run's. */
int cx_audit_summary_with(cx_rules *rules, const cx_audit_options *opt, cx_audit_count **out,
                          size_t *n, cx_error *err);

/* Shards: a run over every holder (audit --all, what-if, diff) cut into N
 * parts that separate processes decide, each a contiguous range of the
 * holders in id order, so that the outputs of shards 1..N, concatenated in
 * that order, are the output of the whole run (docs/performance.md, "Issue
 * 16: sharding"). Shard K of N of count holders is [*first, *end) =
 * [floor((K-1) * count / N), floor(K * count / N)): a pure function of the
 * count, K and N; empty when N > count for some K. CX_EUSAGE (and the
 * whole range) unless 1 <= K <= N <= CX_MAX_SHARDS. */
#define CX_MAX_SHARDS 1000000
int cx_shard_range(uint64_t count, unsigned shard, unsigned shards, uint64_t *first, uint64_t *end,
                   cx_error *err);

/* One stack's counts as a JSON line (docs/json.md, kind "audit_summary"),
 * with a trailing newline; malloc'd, the caller frees it; NULL when out of
 * memory. */
char *cx_audit_summary_json(const cx_audit_count *count, const char *as_of);

void cx_decisions_free(cx_decision **v, size_t n); /* accepts NULL */

/* ----------------------------------------------------------- decision log */

/* The decision log (docs/design.md §8, docs/log.md). A batch is one transaction
 * in the registry (which must be open read-write): cx_log_begin stores the
 * source of every pack of the rules once per sha256, each cx_log_add
 * appends a decision with the sha256 of every pack, the registry content
 * version the rules were compiled against and the credex version, and
 * cx_log_end commits all of them or none. */
typedef struct cx_log cx_log;

/* Begins a batch for decisions made with rules (compiled against r).
 * created is when, by the caller's clock ("2026-06-01T09:30:00Z"): the
 * library never reads the clock. *out is owned by the caller: finish it
 * with cx_log_end. */
int cx_log_begin(cx_registry *r, const cx_rules *rules, const char *created, cx_log **out,
                 cx_error *err);

/* Appends a decision made with the batch's rules; *id (may be NULL) is
 * set to its log id. */
int cx_log_add(cx_log *log, const cx_decision *d, int64_t *id, cx_error *err);

/* The same from the decision's JSON as cx_decision_json wrote it (the
 * trailing newline may be left on), for callers that render on workers. */
int cx_log_add_json(cx_log *log, const char *json, int64_t *id, cx_error *err);

/* Commits the batch (commit != 0) or rolls it back, then frees log
 * (accepts NULL). */
int cx_log_end(cx_log *log, int commit, cx_error *err);

/* One logged decision as listed; valid only during the callback. */
typedef struct cx_log_entry {
    int64_t id;          /* the log id, 1, 2, ... in the order logged */
    const char *created; /* as the logging caller gave it */
    const char *kind;    /* "audit", "equiv" or "transfer" */
    const char *subject; /* the subject's members as words: "from=A to=B in=US-CA" */
    const char *as_of;   /* YYYY-MM-DD */
    const char *status;  /* the decision's status: "met", "equivalent", ... */
    const char *json;    /* all of the above as one compact JSON object, no newline */
    /* the subject's members, NULL when the decision's subject has none: */
    const char *holder, *stack, *award, *credential; /* audit; transfer */
    const char *from, *to, *in; /* equiv: credentials, in; transfer: jurisdictions */
} cx_log_entry;

/* One compact JSON object and "\n" for an entry (written by jansson) from
 * its members (json is not read); malloc'd, NULL when out of memory. */
char *cx_log_entry_json(const cx_log_entry *e);

/* Called for each entry; a non-zero return stops the listing with it. */
typedef int (*cx_log_fn)(void *ud, const cx_log_entry *entry);

/* Calls fn for every logged decision, by id. */
int cx_log_list(cx_registry *r, cx_log_fn fn, void *ud, cx_error *err);

/* How many decisions the log holds, and how many pack sources (each kept
 * once, however many decisions name it). */
int cx_log_counts(cx_registry *r, int64_t *decisions, int64_t *packs, cx_error *err);

/* A pack a logged decision was made with. */
typedef struct cx_replay_pack {
    char *id;             /* the pack id */
    char *path;           /* the path it was loaded from */
    char *version;        /* its declared version, or NULL */
    char *sha256;         /* of its source, as logged */
    char *current_sha256; /* of the current pack with this id; NULL when no current rules
                             were given, or they have no pack with this id */

    /* Its signer as logged: the signature's kid (or NULL) and the authority
     * it was verified for (NULL: logged unsigned); whether it still
     * verifies (CX_SIGNATURE_*), and with CX_SIGNATURE_FAILS why not (a
     * located message; else NULL). */
    char *signer_kid, *signer_authority;
    int signature;
    char *signature_error;
} cx_replay_pack;

/* Whether a logged pack's signature still verifies (cx_replay_pack). */
enum {
    CX_SIGNATURE_UNSIGNED = 0,    /* the pack was logged without a verified signature */
    CX_SIGNATURE_NOT_CHECKED = 1, /* signed, but no pack trust set was given to check it */
    CX_SIGNATURE_VERIFIES = 2,    /* it verifies against the pack trust set, over the source */
    CX_SIGNATURE_FAILS = 3        /* it no longer does (a key gone from the trust file...) */
};

/* What changed since a decision was logged (bits of cx_replay_result's
 * changed and explains). */
enum {
    CX_CHANGED_REGISTRY = 1, /* the registry's content version differs */
    CX_CHANGED_ENGINE = 2,   /* the credex version differs */
    CX_CHANGED_PACKS = 4     /* a current pack differs from, or is not among, the logged ones */
};

/* A logged decision made again (docs/log.md, "Replay"). Every string and
 * array is malloc'd and owned by the struct: free with cx_replay_free. */
typedef struct cx_replay_result {
    int64_t id;
    char *created, *kind, *subject, *as_of; /* as listed */
    char *logged_json;                      /* the decision as logged (no newline) */
    char *logged_status;
    /* made again with the logged packs, on the registry as it is now, by
     * this credex: the JSON, or NULL and replayed_error saying why not */
    char *replayed_json, *replayed_status, *replayed_error;
    /* made with the current rules, when given (else all NULL); trace files
     * of a pack with a logged id are named by the logged path */
    char *current_json, *current_status, *current_error;
    int holds; /* 1 when every decision made again is the logged one */
    int64_t logged_content_version, content_version; /* then and now */
    char *logged_credex_version;                     /* now: CREDEX_VERSION */
    cx_replay_pack *packs;                           /* the logged packs, in load order */
    size_t npacks;
    char **new_packs; /* ids of current packs not among the logged, in load order */
    size_t nnew_packs;
    unsigned changed;  /* CX_CHANGED_* bits: what differs since the decision was logged */
    unsigned explains; /* the changed bits that account for a decision no longer holding */
} cx_replay_result;

/* Makes logged decision id again, from its stored packs on the registry
 * as it is now, and also with current (compiled against r; may be NULL).
 * Returns CX_OK with *out owned by the caller whether or not it holds;
 * CX_EUSAGE when the log has no decision id; CX_EREGISTRY. */
int cx_replay(cx_registry *r, int64_t id, cx_rules *current, cx_replay_result **out, cx_error *err);
void cx_replay_free(cx_replay_result *rp); /* accepts NULL */

/* ---------------------------------------------------------------- what-if */

/* What a change would do (docs/design.md §9, docs/whatif.md): every decision the
 * change can affect is made before and after it, and the ones whose status
 * moved are reported, grouped by kind, subject and the two statuses. */

/* One group of transitions. Every string is malloc'd and owned by the
 * report, except from and to, which are static. */
typedef struct cx_transition {
    cx_decision_kind kind; /* audit, equiv or transfer */
    /* the subject; members that do not apply are NULL */
    char *stack;                                            /* audit */
    char *from_credential, *to_credential, *in;             /* equiv (in NULL: everywhere) */
    char *credential, *from_jurisdiction, *to_jurisdiction; /* transfer */
    const char *from, *to; /* the statuses before and after (cx_status_name), or "absent"
                              when that side has no such decision (a new holder or stack, a
                              removed credential) */
    uint64_t count;        /* audit: holders that moved so; equiv, transfer: 1 */
    char *examples[3];     /* audit: the first holders that moved so, in byte order */
    size_t nexamples;
    int has_coverage_before, has_coverage_after; /* equiv: a coverage rule applied */
    int64_t covered_before, total_before;        /* equiv: competencies, when it did */
    int64_t covered_after, total_after;
} cx_transition;

/* One holder whose audit of one stack moved (docs/whatif.md, "Every
 * affected holder"). Every string is malloc'd and owned by the report,
 * except from and to, which are static as in cx_transition. */
typedef struct cx_holder_transition {
    char *holder, *stack;
    const char *from, *to; /* the statuses before and after, or "absent" */
    char **because;        /* what moved it, in words: each requirement whose outcome
                              changed, each award that stopped or started counting */
    size_t nbecause;
} cx_holder_transition;

/* A what-if or diff report. Free with cx_whatif_report_free. */
typedef struct cx_whatif_report {
    char as_of[11];
    /* in output order: audits by stack, then equivalences by from, to, in,
     * then recognitions by credential, from, to (byte order); within one
     * subject by the status before, then after (met, in_progress,
     * not_started, ..., error, absent) */
    cx_transition *transitions;
    size_t ntransitions;
    /* what was compared */
    uint64_t holders;         /* in the registry (after the change: holders it adds count) */
    uint64_t holders_audited; /* holders audited before and after: those the change can affect */
    uint64_t audits;          /* holder x stack decisions compared (either side) */
    uint64_t equivs;          /* (from, to, in) equivalences compared */
    uint64_t transfers;       /* (credential, from, to) recognitions compared */
    char *scope; /* why every holder was audited, or NULL when the change limited them */
    /* what the change did (cx_whatif; zero for cx_diff) */
    cx_import_stats defined;      /* entities the change defines (new or replaced) */
    int64_t removed_credentials;  /* listed under remove: */
    int64_t removed_competencies; /* ... */
    int64_t removed_memberships;  /* membership rows, over the (group, jurisdiction) pairs */
    int64_t removed_awards;       /* awards of removed credentials, removed with them */
    int64_t removed_exceptions;   /* exceptions substituting a removed credential */
    int rules_replaced;           /* 1 when the change (or diff) evaluates with other packs */
    size_t packs_before, packs_after;
    /* every holder whose audit of a stack moved, by holder, then stack (byte
     * order); only with cx_whatif_options.holders (holders_listed 1) */
    cx_holder_transition *moved;
    size_t nmoved;
    int holders_listed;
    /* with cx_whatif_options.shards: the shard audited, and its range of the registry's
     * holders in id order, [shard_first, shard_end) (cx_shard_range); else all zero */
    unsigned shard, shards;
    uint64_t shard_first, shard_end;
} cx_whatif_report;

typedef struct cx_whatif_options {
    const char *as_of;        /* YYYY-MM-DD */
    int jobs;                 /* worker threads for the audits (below 1: 1) */
    const char *const *rules; /* cx_whatif: the current packs (files or directories) */
    size_t nrules;
    cx_diagnostics *diags;   /* pack errors and warnings are appended here; may be NULL */
    cx_progress_fn progress; /* called now and then; may be NULL */
    void *progress_ud;
    unsigned max_trips;      /* the run breaker's maximum for each side's audits; 0: CX_MAX_TRIPS */
    const cx_limits *limits; /* caps on the change file (docs/security.md); NULL: defaults */

    /* Pack files' signatures are checked against it (cx_rules_load_trusted);
     * NULL: not checked. */
    const struct cx_pack_trust *pack_trust;
    int holders; /* 1: also list every holder whose audit moved, with why (report->moved) */
    /* With shards: audit only shard `shard` (1..shards) of the holders, the range
     * cx_shard_range gives over the registry's holders in id order (a holder the change
     * adds goes to the shard whose ids it falls between); equivalences and recognitions
     * are compared in every shard. 0 and 0: every holder. */
    unsigned shard, shards;
} cx_whatif_options;

/* Applies the change file at path (a catalog fragment plus `remove:` and
 * `rules:`, docs/whatif.md) to an in-memory copy of the part of r it can
 * affect -- r itself is only read -- and compares decisions made with the
 * current packs on r against decisions made with the change's packs (or
 * the current ones) on the copy. Returns CX_OK with *out owned by the
 * caller; CX_EINPUT for a bad change file (err located at file:line:col)
 * or packs that do not load (before or after the change; errors in
 * opt->diags); CX_EUSAGE for a malformed as-of date; CX_EREGISTRY. */
int cx_whatif(cx_registry *r, const char *path, const cx_whatif_options *opt,
              cx_whatif_report **out, cx_error *err);

/* The same for two sets of packs over one registry: old_rules before,
 * new_rules after (opt->rules is not used). */
int cx_diff(cx_registry *r, const char *const *old_rules, size_t nold, const char *const *new_rules,
            size_t nnew, const cx_whatif_options *opt, cx_whatif_report **out, cx_error *err);

void cx_whatif_report_free(cx_whatif_report *rep); /* accepts NULL */

/* A transition group as one compact JSON object and "\n": {kind, subject,
 * from, to, count, examples[, coverage: {before, after}]} (docs/whatif.md).
 * malloc'd, the caller frees it; NULL when out of memory. */
char *cx_transition_json(const cx_transition *t);

/* The same as one line of text ("audit CA-EV-TECH: met -> in_progress: 1
 * holder (h-ca-0003)"), and as one CSV row (RFC 4180, CRLF-terminated)
 * under the static header: kind, subject, from, to, count, examples
 * (joined with ';'), coverage_before, coverage_after ("4/5"). malloc'd. */
char *cx_transition_text(const cx_transition *t);
char *cx_transition_csv(const cx_transition *t);
const char *cx_transition_csv_header(void);

/* A holder line as one compact JSON object and "\n": {holder, stack, from,
 * to, because: [...]}; as one line of text ("audit CA-EV-TECH for h-1: met
 * -> in_progress because X; Y"); as one CSV row (RFC 4180, CRLF) under the
 * static header holder,stack,from,to,because (joined with ';'). malloc'd,
 * the caller frees it; NULL when out of memory. (render_report.c) */
char *cx_holder_transition_json(const cx_holder_transition *h);
char *cx_holder_transition_text(const cx_holder_transition *h);
char *cx_holder_transition_csv(const cx_holder_transition *h);
const char *cx_holder_transition_csv_header(void);

/* The report as one self-contained XHTML page (inline CSS and SVG, no
 * external resource; every string escaped): title, the summary, a chart
 * of gains and losses per subject, the transitions and, when
 * rep->holders_listed, the affected holders with why. malloc'd; NULL when out of memory. */
char *cx_whatif_report_html(const cx_whatif_report *rep, const char *title);

/* ------------------------------------------------------------- rule tests */

/* The outcome of one test case, or of a test file, catalog or pack that
 * could not be read (which counts as one failed case). */
typedef struct cx_test_result {
    const char *file;       /* the test file */
    int line;               /* the case's line in it; 0 when the test file itself failed */
    const char *name;       /* the case's name; NULL when the test file itself failed */
    int passed;             /* 1 when every expectation held */
    int input_error;        /* 1 when a test file, catalog or pack could not be read */
    const char *difference; /* when failed: what differed, or the located error */
} cx_test_result;

/* What a case runs against, handed to on_case before its expectations. */
typedef struct cx_test_case_info {
    const char *file;      /* the test file */
    int line;              /* the case's line in it */
    const char *name;      /* the case's name */
    cx_registry *registry; /* the file's catalogs plus the case's holder: read, never write */
    const char *holder;    /* the case holder's id, or NULL when the case has none */
    const char *as_of;     /* YYYY-MM-DD */
} cx_test_case_info;

/* A rule, or a requirement leaf (a slot, a total, holder_attr, check) of a
 * stack's or a recognition's `requires`, that no case exercised
 * (docs/rule-tests.md, "Coverage"). */
typedef struct cx_test_gap {
    const char *file;        /* the pack file, as first loaded */
    int line;                /* the rule's line, or the requirement's */
    const char *rule;        /* the rule's id (the tree's rule, for a requirement) */
    const char *rule_kind;   /* "stack", "counts_as", "recognize", "deny", "renews", ... */
    const char *requirement; /* NULL for a rule; for a leaf its path in the tree:
                                `at_least(2) { ... } > "CA-EVC-203"` */
} cx_test_gap;

/* What the cases of a run exercised, over every rule of every pack that
 * loaded during it (each pack file counted once, however often loaded). */
typedef struct cx_test_coverage {
    size_t rules, rules_exercised;
    size_t leaves, leaves_exercised; /* requirement leaves */
    const cx_test_gap *gaps;         /* what was not exercised, by file, then line */
    size_t ngaps;
} cx_test_coverage;

typedef struct cx_test_options {
    /* Called for every case, in order (files in the order run, cases in
     * file order); the result lives only during the call. May be NULL. */
    void (*on_result)(void *ud, const cx_test_result *result);
    /* Called once a case's registry and packs are ready. May be NULL. */
    void (*on_case)(void *ud, const cx_test_case_info *info);
    void *ud; /* passed to all three */
    /* When not NULL, coverage is measured and handed over once, after
     * every file has run; it lives only during the call. */
    void (*on_coverage)(void *ud, const cx_test_coverage *coverage);
    /* Caps on each test file and the catalogs it names (docs/security.md);
     * NULL: the defaults. A file over a cap is an input error of its own. */
    const cx_limits *limits;
    /* Each pack's signature is checked against it, as cx_rules_load_trusted
     * does; NULL: not checked. */
    const struct cx_pack_trust *pack_trust;
} cx_test_options;

typedef struct cx_test_summary {
    size_t passed, failed; /* cases */
    size_t input_errors;   /* of the failed: test files, catalogs or packs that could not be read */
} cx_test_summary;

/* Runs rule tests (docs/design.md §7). paths are test files, or directories: every
 * *.test.yaml below them, recursively, in byte order of path. Each case
 * runs against a private in-memory registry built from its catalogs plus
 * its holder, with its packs compiled against it. Fills *out (which opt
 * may leave unreported). Returns CX_OK once every file has run, whatever
 * the outcomes; or CX_ENOMEM / CX_EREGISTRY with err set, the run stopped. */
int cx_test_run(const char *const *paths, size_t npaths, const cx_test_options *opt,
                cx_test_summary *out, cx_error *err);

/* The exit code for a run: 3 when an input could not be read, else 1 when
 * a case failed, else 0. */
int cx_test_exit_code(const cx_test_summary *summary);

/* ---------------------------------------------------------------- listing */

/* What `credex list` lists (docs/json.md, "credex list"): the registry's
 * credentials, holders, groups and providers (cx_registry_list), and the
 * stacks of a set of rule packs (cx_rules_list_stacks). */
typedef enum cx_list_kind {
    CX_LIST_CREDENTIALS,
    CX_LIST_HOLDERS,
    CX_LIST_GROUPS,
    CX_LIST_STACKS,
    CX_LIST_PROVIDERS
} cx_list_kind;

/* "credentials", "holders", "groups", "stacks", "providers"; "?" else. */
const char *cx_list_kind_name(cx_list_kind kind);

/* The kind named name (one of the above) into *out; -1 when none is. */
int cx_list_kind_parse(const char *name, cx_list_kind *out);

/* Filters: NULL matches every row. Each applies to the kinds
 * cx_list_filters says; giving one to another kind is CX_EUSAGE. */
typedef struct cx_list_filter {
    const char *type;         /* credentials: of this type */
    const char *tag;          /* credentials: with this tag */
    const char *jurisdiction; /* credentials, holders, providers, stacks: of this jurisdiction;
                                 groups: with this jurisdiction among their members (any date) */
    const char *provider;     /* credentials: offered by this provider */
} cx_list_filter;

enum {
    CX_FILTER_TYPE = 1 << 0,
    CX_FILTER_TAG = 1 << 1,
    CX_FILTER_JURISDICTION = 1 << 2,
    CX_FILTER_PROVIDER = 1 << 3
};

/* The CX_FILTER_* bits that apply to kind. */
unsigned cx_list_filters(cx_list_kind kind);

/* One listed row; valid only during the callback. A member the kind does
 * not have, or the registry left empty, is NULL (count: -1). */
typedef struct cx_list_row {
    cx_list_kind kind;
    const char *id;           /* every kind */
    const char *name;         /* credentials, groups, providers, stacks (may be NULL) */
    const char *type;         /* credentials */
    const char *provider;     /* credentials */
    const char *jurisdiction; /* credentials, holders, providers, stacks */
    int64_t count;            /* holders: awards; groups: member jurisdictions; else -1 */
    const char *pack;         /* stacks: the pack's id */
    const char *file;         /* stacks: the pack file that defines it */
    int line;                 /* stacks: its line there (1-based); else 0 */
} cx_list_row;

/* Called for each row; a non-zero return stops the listing with it. */
typedef int (*cx_list_fn)(void *ud, const cx_list_row *row);

/* Calls fn for every entity of kind (not CX_LIST_STACKS) that passes
 * filter (may be NULL), in byte order of id. CX_EUSAGE for a filter that
 * does not apply to kind; CX_EREGISTRY. */
int cx_registry_list(cx_registry *r, cx_list_kind kind, const cx_list_filter *filter, cx_list_fn fn,
                     void *ud, cx_error *err);

/* The same for the stacks of rules (as compiled against the registry),
 * with the pack file and line that define each. */
int cx_rules_list_stacks(const cx_rules *rules, const cx_list_filter *filter, cx_list_fn fn,
                         void *ud, cx_error *err);

/* Rendering of a listing (docs/json.md): JSON Lines with a fixed key order
 * per kind, CSV (RFC 4180, a header first) or aligned text (a header, the
 * columns padded; text needs every row before it writes). */
typedef enum cx_list_format { CX_LIST_TEXT, CX_LIST_JSON, CX_LIST_CSV } cx_list_format;
typedef struct cx_list_writer cx_list_writer;

/* A writer of kind's rows in format through write. *out is owned by the
 * caller: finish with cx_list_writer_end. CX_ENOMEM. */
int cx_list_writer_new(cx_list_kind kind, cx_list_format format, cx_write_fn write, void *ud,
                       cx_list_writer **out);

/* Adds a row (a cx_list_fn: pass the writer as ud). CX_OK; CX_ENOMEM; -1
 * when a write failed. */
int cx_list_writer_row(void *writer, const cx_list_row *row);

/* Writes what is held (text), then frees w (accepts NULL): CX_OK, CX_ENOMEM
 * or -1 when a write failed. */
int cx_list_writer_end(cx_list_writer *w);

/* ----------------------------------------------------------------- export */

/* What `credex export` writes (docs/catalog.md, "Export"): the registry
 * as a version-1 catalog, or its awards as CSV in the import columns. */
typedef enum cx_export_part {
    CX_EXPORT_EVERYTHING, /* every section of the catalog */
    CX_EXPORT_CREDENTIALS,
    CX_EXPORT_HOLDERS, /* every holder, with attributes and awards */
    CX_EXPORT_AWARDS,  /* the holders that have awards (YAML), or one CSV row per award */
    CX_EXPORT_JURISDICTIONS,
    CX_EXPORT_GROUPS,
    CX_EXPORT_PROVIDERS,
    CX_EXPORT_FRAMEWORKS,   /* every framework, with its competencies */
    CX_EXPORT_COMPETENCIES, /* the frameworks that have competencies, with them */
    CX_EXPORT_EXCEPTIONS
} cx_export_part;

/* "credentials", "holders", "awards", "jurisdictions", "groups",
 * "providers", "frameworks", "competencies", "exceptions"; "everything"
 * for CX_EXPORT_EVERYTHING; "?" else. */
const char *cx_export_part_name(cx_export_part part);

/* The part named name (one of the above) into *out; -1 when none is. */
int cx_export_part_parse(const char *name, cx_export_part *out);

typedef enum cx_export_format {
    CX_EXPORT_YAML, /* a version-1 catalog */
    CX_EXPORT_CSV   /* awards: holder,credential,issued,expires,jurisdiction,hours,status,
                       grade,evidence, then result.KEY columns in byte order of KEY */
} cx_export_format;

typedef struct cx_export_options {
    cx_export_part only;     /* CX_EXPORT_EVERYTHING, or one section */
    const char *holder;      /* NULL, or only this holder: its entry (awards included) and
                                its exceptions; only with EVERYTHING, HOLDERS, AWARDS or
                                EXCEPTIONS */
    cx_export_format format; /* CX_EXPORT_CSV only with EVERYTHING or AWARDS (both: awards) */
} cx_export_options;

/* Writes what opt (NULL: everything as YAML) asks for through write, in
 * one consistent read of r. The bytes depend only on the registry's
 * content: sections and keys in a fixed order, ids in byte order, strings
 * quoted only where YAML would read them otherwise, numbers in hundredths
 * form (40, 12.50), defaults left out; importing the catalog into an
 * empty registry and exporting again gives the same bytes. An unknown
 * holder exports no holder. CX_EUSAGE for a combination the options above
 * exclude; CX_EREGISTRY; CX_ENOMEM; -1 when a write failed. */
int cx_export(cx_registry *r, const cx_export_options *opt, cx_write_fn write, void *ud,
              cx_error *err);

/* ------------------------------------------------------------------ draft */

/* Writes through write a Lua rule pack drafted from CTDL files and CLR 2.0
 * credentials (docs/interop.md "Drafting"): stacks from requires and
 * isRequiredFor profiles, pathways, hasPart/isPartOf and CLR parent/child
 * associations; counts_as from TransferValueProfiles and CLR replacedBy;
 * equivalent from CLR exactMatchOf; every id as cx_import gives it. The
 * same paths in any order give the same bytes. Reads no registry.
 * CX_EINPUT names the file (and the JSON Pointer) at fault; CX_ENOMEM; -1
 * when a write failed. */
int cx_draft(const char *const *paths, size_t npaths, cx_write_fn write, void *ud, cx_error *err);

/* ------------------------------------------------------------------- JSON */

/* Renders an entity as one compact JSON object followed by "\n".
 * Returns a malloc'd string the caller frees, or NULL on failure. */
char *cx_credential_json(const cx_credential *c);
char *cx_holder_json(const cx_holder *h);
char *cx_group_json(const cx_group *g);

/* ------------------------------------------- rendering: entities, reports */

/* The last day an award is valid, as the evaluator computes it: its stored
 * expiry (copied as stored), else issued + its credential's valid_for,
 * else none (out is ""). credential is the award's credential (NULL: one
 * without valid_for). CX_EINPUT when a date or duration is malformed. */
int cx_award_expiry(const cx_award *a, const cx_credential *credential, char out[11],
                    cx_error *err);

/* An entity as `credex show` prints it: lines of text, malloc'd (the
 * caller frees it), NULL when out of memory. cx_holder_text reads each
 * award's credential from r for the expiry it shows (r may be NULL: only
 * stored expiries are shown). */
char *cx_credential_text(const cx_credential *c);
char *cx_holder_text(cx_registry *r, const cx_holder *h);
char *cx_group_text(const cx_group *g);

/* `credex check --format json`, JSON Lines (docs/json.md): one object per
 * diagnostic, {kind: "diagnostic", severity, file, line, message}, then
 * one {kind: "check_summary", packs, rules, errors, warnings} (packs and
 * rules are 0 when any pack has an error). malloc'd lines ending in "\n",
 * the caller frees them; NULL when out of memory. */
char *cx_diagnostic_json(const cx_diagnostic *d);
char *cx_check_summary_json(const cx_diagnostics *d, size_t packs, size_t rules);

/* `credex test --format json`: {kind: "test_case", file, line, name,
 * status: "passed"|"failed"|"error", difference} per case (name and
 * difference when present), {kind: "test_coverage", ...} with --coverage,
 * then {kind: "test_summary", passed, failed, input_errors}. */
char *cx_test_result_json(const cx_test_result *r);
char *cx_test_coverage_json(const cx_test_coverage *cov);
char *cx_test_summary_json(const cx_test_summary *s);

/* `credex import --format json`: {kind: "import_summary", registry, files:
 * [...], defined: {jurisdictions: N, ...}, exceptions, content_version}
 * (defined has every kind, in cx_kind order, 0 included); with `formats`
 * ({csv: N, yaml: N, ...}, the formats read, by name) only when an input
 * is not YAML, and `skipped` only when an item was left out. */
/* One line of the import report (JSON Lines, ending in a newline): {file,
 * pointer, key, why}, pointer and key null when absent, and line for CSV. */
char *cx_import_issue_json(const cx_import_issue *issue);

char *cx_import_summary_json(const char *registry, const char *const *files, size_t nfiles,
                             const cx_import_stats *stats, int64_t content_version);

/* -------------------------------------------- integrity, history, backups */

/* One input file of an import, as import_log recorded it. */
typedef struct cx_import_file {
    const char *path;   /* as given to the import */
    const char *sha256; /* of its bytes when recorded; NULL: not a regular file */
    int64_t bytes;      /* its size; -1 when not a regular file */
} cx_import_file;

/* One row of the import history (`credex log --imports`, docs/security.md,
 * "Tamper evidence and fsck"); valid only during the callback. */
typedef struct cx_import_record {
    int64_t id;                       /* 1, 2, ... in the order recorded */
    const char *created;              /* UTC: "2026-06-01T09:30:00Z" */
    const char *kind;                 /* "import", or "baseline" (the migration that
                                       * began the history of an existing registry) */
    const char *user;                 /* the operating-system user; NULL: unknown */
    int64_t content_version;          /* the registry's, after the import */
    int64_t count[CX_KIND_AWARD + 1]; /* what it defined, per kind */
    int64_t exceptions;               /* exceptions it defined */
    int64_t removals;                 /* credentials, competencies, memberships removed */
    int64_t tables_hashed;            /* tables whose digest it recomputed */
    const char *digest;               /* SHA-256 of every table's digest, in order */
    const char *credex_version;       /* the credex that imported */
    const cx_import_file *files;      /* its inputs, in the order given */
    size_t nfiles;
} cx_import_record;

/* Called per record; a non-zero return stops the listing with it. */
typedef int (*cx_import_record_fn)(void *ud, const cx_import_record *rec);

/* Calls fn for every import_log row, by id. */
int cx_import_log_list(cx_registry *r, cx_import_record_fn fn, void *ud, cx_error *err);

/* {kind: "import_record", id, created, type, user, content_version,
 * defined: {...}, exceptions, removals, tables_hashed, digest,
 * credex_version, files: [{path, sha256, bytes}]} and "\n" (docs/json.md);
 * malloc'd, NULL when out of memory. */
char *cx_import_record_json(const cx_import_record *rec);

/* What `credex fsck` finds, by the check that found it. */
typedef enum cx_fsck_check {
    CX_FSCK_INTEGRITY,   /* PRAGMA integrity_check: the file is damaged */
    CX_FSCK_FOREIGN_KEY, /* a row refers to one that is missing */
    CX_FSCK_VALUE,       /* a value credex would never have written */
    CX_FSCK_DIGEST,      /* a table's rows differ from the digest the last import recorded */
    CX_FSCK_CACHE /* the snapshot cache beside the file is damaged (cx_registry_cache_check) */
} cx_fsck_check;

/* One problem; valid only during the callback. */
typedef struct cx_fsck_problem {
    cx_fsck_check check;
    const char *table;   /* the table at fault, or NULL (integrity) */
    const char *id;      /* the row's id, or NULL */
    const char *message; /* what is wrong, for a person */
} cx_fsck_problem;

/* Called per problem; a non-zero return stops the check with it. */
typedef int (*cx_fsck_fn)(void *ud, const cx_fsck_problem *p);

/* Checks r (open read-only is enough): the file's integrity, every
 * foreign key, the values (dates, statuses, ids, competency parent
 * cycles, expiry after issue and not past 9999-12-31), and each table
 * against the digest the last import recorded. *problems (may be NULL)
 * counts what fn was given; *tables the tables whose digest was compared.
 * CX_OK when the checks ran, whatever they found. */
int cx_fsck(cx_registry *r, cx_fsck_fn fn, void *ud, int64_t *problems, int64_t *tables,
            cx_error *err);

/* The snapshot cache beside a registry file, R.db.snapshot (docs/registry.md,
 * "The snapshot cache"): what the next decision will make of it. */
typedef enum cx_cache_state {
    CX_CACHE_NONE,   /* no cache (or a registry in memory) */
    CX_CACHE_FRESH,  /* it matches the registry: the next decision loads it */
    CX_CACHE_STALE,  /* another content version, registry or credex: ignored and rebuilt */
    CX_CACHE_CORRUPT /* truncated, edited, damaged or not a regular file: ignored and rebuilt */
} cx_cache_state;

/* Checks r's snapshot cache against r's current content whole (header, size,
 * checksum, every offset and index) and sets *state; why (size bytes, may be
 * NULL) gets the reason for a person ("checksum mismatch"). Changes nothing.
 * CX_OK whatever the cache holds; CX_EREGISTRY when r cannot be read. */
int cx_registry_cache_check(cx_registry *r, cx_cache_state *state, char *why, size_t size,
                            cx_error *err);

/* Copies r into a new registry file dest with SQLite's online backup (one
 * consistent read: other processes may read and write r meanwhile),
 * written beside dest and renamed onto it. An existing dest is refused
 * (CX_EUSAGE) unless replace is 1. */
int cx_registry_backup(cx_registry *r, const char *dest, int replace, cx_error *err);

/* The pack files cx_rules_load would load for paths, in its order: a
 * file as named, a directory as every *.lua below it in byte order. On
 * CX_OK *files is a malloc'd array of nfiles malloc'd paths (free each,
 * then the array); CX_EINPUT names a path that does not exist. */
int cx_rules_pack_files(const char *const *paths, size_t npaths, char ***files, size_t *nfiles,
                        cx_error *err);

/* JUnit XML of a rule-test run, for CI systems: collect each result with
 * cx_junit_add (it copies what it keeps), then cx_junit_xml gives
 * <testsuites> with one <testsuite> per test file and one <testcase> per
 * case (a file that could not be read is one case named after the file),
 * a <failure message=...> for each failed one; counts in attributes, no
 * timestamps or times. */
typedef struct cx_junit cx_junit;
cx_junit *cx_junit_new(void);                           /* NULL when out of memory */
int cx_junit_add(cx_junit *j, const cx_test_result *r); /* 0, or -1 out of memory */
char *cx_junit_xml(const cx_junit *j); /* malloc'd, the caller frees it; NULL: out of memory */
void cx_junit_free(cx_junit *j);       /* accepts NULL */

/* ---------------------------------------------------------------- service */

/* The HTTP service of `credex serve` (docs/serve.md, docs/design.md
 * "Service"), in two parts: a transport-free request handler
 * (cx_service_handle: a request's method, path, query, Authorization and
 * body in, a status and a JSON body out) and the HTTP server that feeds it
 * (cx_server, on libmicrohttpd). Decision bodies are exactly what
 * cx_decision_json writes; entity bodies what cx_credential_json and its
 * siblings write.
 *
 * Threads: cx_service_handle may be called from any number of threads at
 * once. The service loads the snapshot and compiles the packs once (a
 * "generation", shared read-only); each call borrows an evaluator of that
 * generation (its own Lua state and registry connection), made on first
 * need and kept for the next call. cx_service_reload swaps in a new
 * generation atomically: calls already inside finish on the old one, which
 * is freed when the last of them returns. cx_service_free must not run
 * alongside any call. */
typedef struct cx_service cx_service;

/* Receives one line of the service's log (no newline), on any thread. */
typedef void (*cx_log_line_fn)(void *ud, const char *line);

typedef struct cx_service_options {
    const char *db;           /* the registry file, opened read-only */
    const char *const *rules; /* pack files or directories, as cx_rules_load */
    size_t nrules;            /* how many; 0: decisions have no rules */
    const char *tokens;       /* the tokens file (docs/serve.md, "Tokens"), or NULL:
                                 every request has every scope */
    cx_log_line_fn log;       /* why a reload was refused; or NULL */
    void *log_ud;             /* passed to log */
    int log_decisions;        /* 1: record every decision answered in the registry's
                                 decision log (as `--log` does; cx_log_begin), one batch
                                 per request */
    int busy_timeout;         /* how long that log waits for another process's write
                                 lock, as cx_open_options.busy_timeout */
    unsigned max_trips;       /* what-if and diff: the run breaker, as
                                 cx_whatif_options.max_trips (0: CX_MAX_TRIPS) */

    /* Every load and reload checks the packs' signatures against it
     * (cx_rules_load_trusted); NULL: not checked. Must outlive the service. */
    const struct cx_pack_trust *pack_trust;
    /* POST /v1/issue signs its badges with it (it must outlive the service
     * and hold a key); NULL: the endpoint answers 404 */
    const struct cx_issuer *issuer;

    /* The pack trust file (docs/signing.md), read at open and read anew at
     * every reload, so that a key added to it or removed from it counts from
     * the next reload; a file that no longer reads fails the reload as a bad
     * pack does. In place of pack_trust, which must then be NULL (CX_EUSAGE
     * otherwise); NULL: pack_trust. */
    const char *pack_trust_file;
    int require_signed_packs; /* with pack_trust_file: cx_pack_trust_load's require_signed */
    int no_cache;             /* 1: loads and reloads neither read nor write the snapshot
                                 cache, as cx_open_options.no_cache */
} cx_service_options;

/* Opens the service: reads the tokens file, loads the snapshot, compiles
 * the packs. CX_OK with *out owned by the caller (cx_service_free);
 * CX_EINPUT for a bad tokens file, pack trust file or pack (err located,
 * every pack diagnostic also in diags, which may be NULL); CX_EREGISTRY;
 * CX_ENOMEM; CX_EUSAGE for both pack_trust and pack_trust_file. */
int cx_service_open(const cx_service_options *opt, cx_service **out, cx_diagnostics *diags,
                    cx_error *err);

/* Loads registry snapshot and packs anew (and reads pack_trust_file anew)
 * and swaps them in (above). When the packs or the trust file fail to load,
 * the service keeps the old ones and returns the error (also told to the
 * log callback). */
int cx_service_reload(cx_service *s, cx_diagnostics *diags, cx_error *err);

/* 1 when the service was opened with a tokens file. */
int cx_service_has_tokens(const cx_service *s);

/* The registry content version decisions are made on now. */
int64_t cx_service_content_version(cx_service *s);

void cx_service_free(cx_service *s); /* accepts NULL */

/* One HTTP request, as the transport read it. Strings are NUL-terminated
 * and belong to the caller; path is percent-decoded, query is not. */
typedef struct cx_request {
    const char *method;        /* "GET", "POST", ... */
    const char *path;          /* "/v1/credentials/CA-EVC-101", without the query */
    const char *query;         /* what followed '?', or NULL */
    const char *authorization; /* the Authorization header, or NULL */
    const char *content_type;  /* the Content-Type header, or NULL */
    const char *body;          /* body_len bytes, not NUL-terminated; NULL when empty */
    size_t body_len;
    const char *today; /* YYYY-MM-DD: the as_of of a request that gives none */
    const char *now;   /* "2026-06-01T09:30:00Z": when logged decisions were made
                          (log_decisions); NULL: today at midnight */
    uint64_t second;   /* seconds of a monotonic clock: tokens' rates count per second */
} cx_request;

/* The answer. body is malloc'd and owned by the response (cx_response_clear). */
typedef struct cx_response {
    int status;               /* HTTP status: 200, 400, 401, 403, 404, 405, 413, 415, 429, ... */
    char *body;               /* JSON ending in "\n"; a page's bytes (content_type) */
    size_t body_len;          /* bytes of body */
    int64_t content_version;  /* for the Credex-Content-Version header */
    char token[128];          /* the name of the token that authenticated, "" when none */
    const char *content_type; /* static: "application/json", or a page's type */
    char decision_log[512];   /* log_decisions: why this answer's decisions could not be
                                 logged (the answer stands), "" when they were or none */
    uint64_t log_failures;    /* with decision_log: requests whose decisions the log
                                 could not take, this one included, since the service opened */
} cx_response;

/* Frees what out holds and zeroes it. */
void cx_response_clear(cx_response *out);

/* Answers req into *out (docs/serve.md, "Endpoints"): every answer,
 * errors included ({"error": {"code", "message", "pointer"}}), is a
 * response with a JSON body, but the embedded pages (GET /, /pages/...),
 * which have their content type. CX_OK; CX_ENOMEM when no answer could be
 * built (out is then empty). */
int cx_service_handle(cx_service *s, const cx_request *req, cx_response *out);

/* A request's log line: {"time", "method", "path", "status", "us",
 * "token"} (the token's name, never the token), and when res->decision_log
 * says why decisions were not logged, "decision_log" (that) and
 * "log_failures" (the count); compact, no newline.
 * malloc'd, the caller frees it; NULL when out of memory. */
char *cx_service_log_json(const char *time, const cx_request *req, const cx_response *res,
                          uint64_t us);

/* The SHA-256 of a token, as lowercase hex: what a tokens file holds. */
void cx_token_hash(const char *token, char out[65]);

/* ------------------------------------------------------------ next steps */

/* transfer --holder H --award A: cx_transfer_holder for the holder's
 * awards that A names -- the award whose id is A, or every award of
 * credential A -- in byte order of award id. CX_EUSAGE when the holder
 * has none issued by the as-of date (err suggests the nearest of the
 * holder's award ids and credentials). */
int cx_transfer_award(cx_rules *rules, const char *holder, const char *award, const char *to,
                      const char *as_of, cx_decision ***out, size_t *n, cx_error *err);

/* Which stacks cx_next ranks (docs/rules.md, "Next steps"). */
typedef struct cx_next_options {
    const char *soc; /* only stacks whose credential carries this SOC or O*NET code
                        (an O*NET code 49-3023.01 matches SOC 49-3023), or NULL */
    const char *tag; /* only stacks whose credential carries this tag, or NULL */
    size_t limit;    /* at most this many stacks; 0: CX_NEXT_LIMIT */
} cx_next_options;

#define CX_NEXT_LIMIT  5     /* stacks cx_next lists by default */
#define CX_NEXT_TRIALS 20000 /* credential sets a stack's completion may try */

/* A credential to earn, with what the catalog says of it. */
typedef struct cx_next_credential {
    char *id;
    char *name;
    int64_t hours; /* hundredths, or CX_NO_NUMBER when the catalog gives none */
} cx_next_credential;

/* One stack a holder has not met, with its cheapest completion: the
 * credentials that, earned on the as-of date, make its audit met. */
typedef struct cx_next_step {
    char *holder;
    char *stack;             /* the stack's credential id */
    char *name;              /* the stack's name, else its credential's */
    char as_of[11];          /* YYYY-MM-DD */
    size_t rank;             /* 1 for the closest */
    cx_status status;        /* the audit's now: CX_IN_PROGRESS or CX_NOT_STARTED */
    cx_next_credential *add; /* the completion, in byte order of id */
    size_t nadd;
    int64_t hours;  /* hundredths: the completion's hours added up */
    char **missing; /* the audit's missing now (docs/design.md §4 Progress) */
    size_t nmissing;
} cx_next_step;

/* The stacks holder is closest to completing on as_of, among those opt
 * selects (opt may be NULL): each unmet stack whose audit becomes met when
 * some set of credentials is added as hypothetical awards (each issued in
 * its credential's jurisdiction on the as-of date, as cx_transfer's), the
 * set with the fewest credentials, then the fewest hours, then the first
 * when credentials are taken by hours, then id; stacks ranked likewise,
 * then by stack id. Met stacks, stacks no set completes and stacks whose
 * search would consider more than CX_NEXT_TRIALS sets are left out. *out is an array of *n steps
 * (cx_next_steps_free). CX_EUSAGE for an unknown holder (err suggests the nearest) or a bad date;
 * CX_EINPUT when the holder's audit of a stack is an error (err names the stack and the reason). */
int cx_next(cx_rules *rules, const char *holder, const cx_next_options *opt, const char *as_of,
            cx_next_step **out, size_t *n, cx_error *err);
void cx_next_steps_free(cx_next_step *v, size_t n); /* accepts NULL */

/* One step as a JSON Lines object (docs/json.md, "next"), or as text
 * (a line, then one per credential to add), each ending in "\n".
 * malloc'd, the caller frees it; NULL when out of memory. */
char *cx_next_step_json(const cx_next_step *s);
char *cx_next_step_text(const cx_next_step *s);
/* ------------------------------------------------------------ pathway maps */

/* What `credex graph` draws (docs/graph.md): credentials as nodes (shape by
 * type, stacks distinct), each stack's requirement tree (N of M, hour and
 * attribute totals, the pack's labels and citation), equivalences and
 * recognitions as dashed edges labelled with the jurisdictions, renewals
 * dotted, and a legend; with a holder, what they have earned, what has
 * expired and what is missing, coloured. Every pointer may be NULL. */
typedef struct cx_graph_options {
    const char *stack;        /* only this stack and the stacks it builds on */
    const char *credential;   /* only the stacks this credential is part of (or confers) */
    const char *jurisdiction; /* only the stacks of this jurisdiction */
    const char *holder;       /* colour this holder's awards and the audit's outcome */
    const char *as_of;        /* YYYY-MM-DD: only rules in effect that day, and the day is
                               * in the picture; NULL: every rule, no date (a holder needs one) */
} cx_graph_options;

/* The map as Graphviz DOT, written by credex: nodes and edges in byte
 * order of their ids, so the same rules, registry and options give the
 * same bytes. At most one of stack, credential and jurisdiction. On CX_OK
 * *out is malloc'd (the caller frees it), *len its bytes; CX_EUSAGE for an
 * unknown id (the nearest is suggested), a malformed date or a holder
 * without one; CX_ENOMEM. With a holder it decides with the rules (the
 * holder's audit), so it is one call at a time on them, as cx_audit;
 * without one it only reads what loading fixed. */
int cx_graph_dot(cx_rules *rules, const cx_graph_options *opt, char **out, size_t *len,
                 cx_error *err);

/* The same map laid out by Graphviz's library in-process ("dot" layout)
 * as one SVG document; errors as cx_graph_dot, and CX_EINPUT when
 * Graphviz cannot lay it out. One layout runs at a time in a process. */
int cx_graph_svg(cx_rules *rules, const cx_graph_options *opt, char **out, size_t *len,
                 cx_error *err);
/* ----------------------------------------------------------------- signing
 * Keys are JSON Web Keys (docs/signing.md). */

/* Makes a new Ed25519 private key from 32 bytes of getrandom(2) and writes
 * it as a private JWK to a new file at path (mode 0600; an existing file
 * is never replaced: CX_EINPUT naming it), synced to disk. kid NULL: the
 * key's RFC 7638 thumbprint; else 1 to 256 printable ASCII characters
 * without '"' or '\' (CX_EUSAGE otherwise). *public_jwk: the public JWK,
 * one line of JSON for a trust file's keys; malloc'd, the caller frees. */
int cx_keys_new(const char *path, const char *kid, char **public_jwk, cx_error *err);

/* Signed rule packs (docs/signing.md). A pack trust set is a trust file
 * (docs/interop.md, "Verification": issuers with their keys) whose issuer
 * ids are the `authority` packs declare. */
typedef struct cx_pack_trust cx_pack_trust;

/* Reads the trust file at path (CX_EINPUT located in it). require_signed
 * 1: loading through it refuses every pack without a verified signature.
 * *out is owned by the caller (cx_pack_trust_free). */
int cx_pack_trust_load(const char *path, int require_signed, cx_pack_trust **out, cx_error *err);
void cx_pack_trust_free(cx_pack_trust *trust); /* accepts NULL */

/* cx_rules_load, checking each pack's signature (PACK.lua.sig beside it)
 * against trust before the pack runs: a signature that does not verify,
 * is for other bytes (the pack changed since it was signed), for another
 * pack id, version or authority, by a key the trust file does not hold for
 * the pack's authority, or not EdDSA; and with require_signed, a pack with
 * no .sig -- each an error diagnostic at the .sig (or the pack), and
 * CX_EINPUT: nothing is loaded. trust NULL: exactly cx_rules_load. The
 * rules remember each pack's signer (the decision log records it). */
int cx_rules_load_trusted(cx_registry *r, const char *const *paths, size_t npaths,
                          const cx_pack_trust *trust, cx_rules **out, cx_diagnostics *diags,
                          cx_error *err);

/* Signs the pack file at path with the Ed25519 private JWK at key: loads
 * it against r (a pack that does not load is refused, its errors in diags,
 * which may be NULL), then writes path + ".sig" (a temporary file, then a
 * rename): a compact JWS, header {alg: EdDSA, kid, typ: credex-pack+jws},
 * payload {pack, version, authority, sha256} (the SHA-256 of the file's
 * bytes, hex). The same pack and key give the same bytes. CX_EINPUT for a
 * bad key file (located), a pack without authority or version, or a
 * failed write. */
int cx_pack_sign(cx_registry *r, const char *path, const char *key, cx_diagnostics *diags,
                 cx_error *err);

/* cx_replay, also checking each logged pack's signature against trust
 * (cx_replay_pack.signature); trust NULL: exactly cx_replay. */
int cx_replay_trusted(cx_registry *r, int64_t id, cx_rules *current, const cx_pack_trust *trust,
                      cx_replay_result **out, cx_error *err);
/* ------------------------------------------------------------------ issue */

/* Open Badges 3.0 for met stacks (docs/signing.md, "Issuing badges"): a
 * holder who meets a stack gets an OpenBadgeCredential for the stack's
 * credential, signed as a VC-JWT, that `credex import` (with the issuer
 * in its trust file) reads back as a verified award with the same dates. */

/* Who issues: an IRI, a name and an Ed25519 private key (or none: only
 * the unsigned form can be made). Immutable once made: any number of
 * threads may issue with one issuer at once. */
typedef struct cx_issuer cx_issuer;

/* A new issuer, its key read from the private JWK file key_path (may be
 * NULL: no key). CX_EUSAGE when id is not an absolute IRI (a scheme, ':',
 * no white space: https://example.edu/issuers/1, did:web:example.edu) or
 * name is empty; CX_EINPUT, located in the key file, for a key that is
 * malformed, public only, or not Ed25519; CX_ENOMEM. *out is owned by the
 * caller (cx_issuer_free, which wipes the key). */
int cx_issuer_new(const char *id, const char *name, const char *key_path, cx_issuer **out,
                  cx_error *err);
void cx_issuer_free(cx_issuer *issuer); /* accepts NULL */

/* What cx_issue writes. */
typedef enum cx_issue_form {
    CX_ISSUE_JWT, /* the signed VC-JWT (compact JWS, alg EdDSA): needs the issuer's key */
    CX_ISSUE_JSON /* the unsigned credential, compact JSON, for inspection */
} cx_issue_form;

typedef struct cx_issue_options {
    const char *holder; /* the holder's id */
    const char *stack;  /* the id of the credential the stack confers */
    const char *as_of;  /* YYYY-MM-DD: the audit's date */
    cx_issue_form form;
} cx_issue_options;

/* Audits opt->stack for opt->holder as of opt->as_of with rules (compiled
 * against r, which gives the awards' provenance) and, when the stack is
 * met, writes the credential: *out is malloc'd text ending in "\n" (the
 * caller frees it). The same registry, packs, issuer and options give the
 * same bytes: the credential's id (and the JWT's jti) is a UUID derived
 * from its content, and nothing reads a clock. On CX_OK *decision is the
 * audit's decision (the caller frees it, cx_decision_free); when its
 * status is not met, *out is NULL: nothing was issued. CX_EUSAGE for an
 * unknown holder or stack (err suggests the nearest), a bad date, or
 * CX_ISSUE_JWT from an issuer without a key; CX_EREGISTRY; CX_ENOMEM.
 * Threads: it holds rules as cx_audit does and r as a registry read does
 * (above, "threads"). */
int cx_issue(cx_registry *r, cx_rules *rules, const cx_issuer *issuer, const cx_issue_options *opt,
             char **out, cx_decision **decision, cx_error *err);

#endif /* CREDEX_H */
