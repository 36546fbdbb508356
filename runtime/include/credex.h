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

/* ------------------------------------------------------------------ errors */

/* Error codes; each is also the exit code the CLI uses for it (DESIGN §6). */
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

/* Writes "file:line:col: message" (the parts that are known) into buf. */
void cx_error_format(const cx_error *err, char *buf, size_t size);

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

/* What one import defined, per kind (indexed by cx_kind). */
typedef struct cx_import_stats {
    int64_t count[CX_KIND_AWARD + 1];
    int64_t exceptions;
} cx_import_stats;

/* Imports catalog files (DESIGN §3) into r as one transaction: references
 * resolve across all the files and the registry; on any error nothing is
 * changed and err names file, line and column. progress and stats may be
 * NULL. */
int cx_catalog_import(cx_registry *r, const char *const *paths, size_t npaths,
                      cx_progress_fn progress, void *progress_ud, cx_import_stats *stats,
                      cx_error *err);

/* The candidate nearest to word by edit distance (ties: the earlier
 * candidate), or NULL when none is close enough to suggest. */
const char *cx_nearest(const char *word, const char *const *candidates, size_t n);

/* ------------------------------------------------------------------ dates */

/* Adds an ISO 8601 duration (P3Y, P18M, P2W, P1Y6M) to a YYYY-MM-DD date
 * as the catalog format does (largest part first, clamped to the month's
 * end), writing YYYY-MM-DD into out. CX_EINPUT when either is malformed. */
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

/* Counts for summaries: packs loaded and rules compiled. */
size_t cx_rules_pack_count(const cx_rules *rules);
size_t cx_rules_rule_count(const cx_rules *rules);

/* ------------------------------------------------------------------- JSON */

/* Renders an entity as one compact JSON object followed by "\n".
 * Returns a malloc'd string the caller frees, or NULL on failure. */
char *cx_credential_json(const cx_credential *c);
char *cx_holder_json(const cx_holder *h);
char *cx_group_json(const cx_group *g);

#endif /* CREDEX_H */
