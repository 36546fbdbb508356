/*
 * registry.h -- internal entry points of the registry family (registry.c,
 * registry_import.c, registry_read.c, registry_log.c, registry_copy.c, registry_fsck.c,
 * registry_backup.c: the only files that include sqlite3.h) for the other modules of libcredex.
 */
#ifndef CX_REGISTRY_H
#define CX_REGISTRY_H

#include "catalog_model.h"
#include "credex.h"

/* One thread at a time (credex.h, "Threads"): every public function that
 * takes a registry enters it for the whole call. The thread inside may
 * enter again (a callback that reads the registry, a call made by
 * another); any other thread is refused with CX_EUSAGE until it leaves.
 * A decision-log batch holds the registry from cx_log_begin to
 * cx_log_end. */
int cx__registry_enter(cx_registry *r, cx_error *err);
void cx__registry_leave(cx_registry *r);

/* Leaves r and returns rc: the second half of CX__REGISTRY_CALL. */
int cx__registry_leave_rc(cx_registry *r, int rc);

/* The int a public function returns, with r entered around call (which
 * is evaluated only once r is entered, and before r is left). */
#define CX__REGISTRY_CALL(r, err, call)                                                            \
    (cx__registry_enter((r), (err)) ? CX_EUSAGE : cx__registry_leave_rc((r), (call)))

/* Checks a catalog model inside the import's write transaction, before
 * anything is written but the holders of a one-file YAML import that a
 * thread wrote while the file was read (cx__registry_import_ahead, whose
 * rows a look-up of the registry then sees): what it reads of the registry
 * cannot change until COMMIT. It may still change the model (skipped
 * awards dropped). */
typedef int (*cx__import_check_fn)(void *ud, cx_error *err);

/* Writes a catalog model into r in one transaction (docs/design.md §2, §3):
 * check(check_ud) first, under the write lock, then upserts with ON
 * CONFLICT DO UPDATE, a re-imported holder's attributes and awards
 * replaced, a re-imported credential's competencies, tags, codes,
 * attributes and grade scale replaced, the content version bumped. On any
 * failure the transaction is rolled back and nothing changes. */
int cx__registry_import(cx_registry *r, const cx_catalog *cat, cx__import_check_fn check,
                        void *check_ud, cx_progress_fn progress, void *progress_ud, cx_error *err);

/* An import whose holders are written while its only file is still read
 * (docs/performance.md, "Issue 16: the streaming import"): a thread
 * writes each holder handed to it inside the import's transaction, begun
 * at once. Only for a model with holders_first set, whose holders are
 * all handed over, in order, and changed no more. Speculative: anything
 * that fails on the way rolls it back and the import runs again as
 * cx__registry_import does, so that it reports what that reports. */
typedef struct cx__import_ahead cx__import_ahead;

/* Begins the import's write transaction and starts the writer; NULL
 * (nothing begun) when the registry is read-only, its write lock is not
 * free at once, or anything else fails. r is the writer's until the
 * import ends: no other call may use it meanwhile. */
cx__import_ahead *cx__registry_import_ahead(cx_registry *r);

/* Hands holder h to the writer: the struct is copied, what it points to
 * must stay put and unchanged. Waits while AHEAD_QUEUE holders are
 * queued. -1 once the writer has failed (hand no more). */
int cx__import_ahead_holder(cx__import_ahead *a, const cx_cat_holder *h);

/* Rolls the transaction back and frees a (NULL is fine). */
void cx__import_ahead_abandon(cx__import_ahead *a);

/* cx__registry_import for the model whose holders a wrote: the checks
 * and the other entities in the same transaction, then COMMIT. Frees a.
 * On any failure the import runs again from the start without it. */
int cx__registry_import_after(cx__import_ahead *a, const cx_catalog *cat, cx__import_check_fn check,
                              void *check_ud, cx_progress_fn progress, void *progress_ud,
                              cx_error *err);

/* ------------------------------------------------------ snapshot cache */

#define CX_REGISTRY_ID_SIZE     33 /* 32 hex digits and a NUL */
#define CX_REGISTRY_DIGEST_SIZE 65 /* a SHA-256 in hex and a NUL */

/* What a snapshot cache is keyed by besides the content version
 * (docs/registry.md, "The snapshot cache"), read on conn inside the
 * caller's read transaction: the registry id ("" when the registry
 * predates ids and no writer has opened it since) and the digest the last
 * import recorded ("" when none). */
int cx__registry_identity(cx_registry *conn, char id[CX_REGISTRY_ID_SIZE],
                          char digest[CX_REGISTRY_DIGEST_SIZE], cx_error *err);

/* r's file, or NULL for an in-memory registry. */
const char *cx__registry_file(const cx_registry *r);

/* 1 when r was opened with cx_open_options.no_cache. */
int cx__registry_no_cache(const cx_registry *r);

/* The entities of one kind in the registry, as cx_registry_counts counts
 * them, without counting the others (the award table is the largest). */
int cx__registry_count(cx_registry *r, cx_kind kind, int64_t *n, cx_error *err);

/* ------------------------------------------------------------ bulk reads */

/* The fixed set of bulk reads behind the in-memory snapshot (snapshot.c).
 * Each is one prepared SELECT with a deterministic ORDER BY; the columns
 * each delivers are listed after it, in order. Ids come in byte order
 * (SQLite's BINARY collation), so rows of a child table arrive grouped by
 * their owner, owners in byte order of id. Nothing is defaulted here: a
 * column the catalog left out arrives as NULL (an award's expires,
 * jurisdiction_id and hours are the values as stored). */
typedef enum cx_scan {
    CX_SCAN_JURISDICTIONS,     /* id, name, kind                          by id */
    CX_SCAN_GROUPS,            /* id, name                                by id */
    CX_SCAN_MEMBERS,           /* group_id, jurisdiction_id, from_date, until_date, status
                                  by group_id, jurisdiction_id, from_date, until_date, status */
    CX_SCAN_PROVIDERS,         /* id, name, jurisdiction_id               by id */
    CX_SCAN_FRAMEWORKS,        /* id, name                                by id */
    CX_SCAN_COMPETENCIES,      /* id, framework_id, text, parent_id       by id */
    CX_SCAN_CREDENTIALS,       /* id, name, type, provider_id, jurisdiction_id, hours (INTEGER),
                                  valid_for, version, effective_from, effective_until   by id */
    CX_SCAN_CRED_COMPETENCIES, /* credential_id, competency_id          by both */
    CX_SCAN_TAGS,              /* tag: every distinct credential tag      by tag */
    CX_SCAN_CRED_TAGS,         /* credential_id, tag                      by both */
    CX_SCAN_CRED_CODES,        /* credential_id, scheme, code             by all three */
    CX_SCAN_CRED_ATTRS,        /* credential_id, key, value               by credential_id, key */
    CX_SCAN_CRED_GRADES,       /* credential_id, rank (INTEGER), grade    by credential_id, rank */
    CX_SCAN_HOLDERS,           /* id, jurisdiction_id                     by id */
    CX_SCAN_HOLDER_ATTRS,      /* holder_id, key, value                   by holder_id, key */
    CX_SCAN_AWARDS,            /* id, holder_id, credential_id, issued, expires, jurisdiction_id,
                                  hours (INTEGER), status, grade, prov_verification,
                                  prov_note                              by id */
    CX_SCAN_AWARD_RESULTS,     /* award_id, key, value                    by award_id, key */
    CX_SCAN_EXCEPTIONS,        /* holder_id, stack, waive, substitute_for, substitute_use, by,
                                  reason, file, line (INTEGER)
                                  by holder_id, stack, waive, substitute_for */
    CX_SCAN_AWARD_EVIDENCE,    /* id, evidence: awards that have evidence   by id */
    CX_SCAN_AWARD_PROVENANCE,  /* id, format, source_id, issuer, proof, verification, note,
                                  status_checked: awards that have provenance   by id */
    CX_SCAN_COUNT
} cx_scan;

/* One column of a scanned row. Valid only during the callback. */
typedef struct cx_col {
    const char *text; /* the value as text, NUL-terminated; NULL when SQL NULL; ""
                         for an integer in a column marked INTEGER (read integer) */
    size_t len;       /* bytes of text, without the NUL */
    int64_t integer;  /* the value of a column marked INTEGER above, else 0 */
} cx_col;

/* Called once per row with ncols columns. Returns 0 to go on; any other
 * value stops the scan, which returns it (the callback fills err). */
typedef int (*cx_row_fn)(void *ud, const cx_col *cols, size_t ncols);

/* Runs bulk read what, calling fn for every row in order. Returns CX_OK,
 * the callback's non-zero return, or CX_EREGISTRY. */
int cx__registry_scan(cx_registry *r, cx_scan what, cx_row_fn fn, void *ud, cx_error *err);

/* The rows of CX_SCAN_AWARDS whose id is in [from, to), in id order; from
 * NULL: from the first, to NULL: to the last. Several connections can
 * each read one range in parallel. Other scans are refused. */
int cx__registry_scan_range(cx_registry *r, cx_scan what, const char *from, const char *to,
                            cx_row_fn fn, void *ud, cx_error *err);

/* Opens a read transaction so that several scans see one state of the
 * registry, even while another process imports. *began is set to 1 when
 * a transaction was opened here (0 when the connection was already in
 * one): pass it to cx__registry_read_end, which then ends it. */
int cx__registry_read_begin(cx_registry *r, int *began, cx_error *err);
void cx__registry_read_end(cx_registry *r, int began);

/* A connection for the bulk reads of one thread: for a file registry a
 * new read-only connection to the same file, without SQLite's per-call
 * locking (which otherwise costs as much as the reading); r itself for an
 * in-memory registry, or when r is inside a transaction (whose changes a
 * new connection would not see). Release it with cx__registry_reader_close,
 * which leaves r open. */
int cx__registry_reader_open(cx_registry *r, cx_registry **out, cx_error *err);
void cx__registry_reader_close(cx_registry *r, cx_registry *conn);

/* ---------------------------------------------------------- decision log */

/* The decision log (docs/design.md §8, docs/log.md): rule_pack keeps each
 * pack's source once per sha256; decision_log one row per logged decision
 * in plain columns, decision_pack the packs it was made with, in load
 * order. The decision's JSON is stored as an opaque text (the renderer's);
 * the registry neither builds nor reads JSON. */
typedef struct cx_log_writer cx_log_writer;

/* The plain columns of one logged decision. The subject's members are
 * those of the decision's JSON subject (absent: NULL); for a transfer,
 * from and to are its jurisdictions. */
typedef struct cx_log_record {
    const char *kind;       /* "audit", "equiv" or "transfer" */
    const char *holder;     /* audit, transfer of an award */
    const char *stack;      /* audit */
    const char *award;      /* transfer of an award */
    const char *credential; /* transfer */
    const char *from, *to;  /* equiv: credentials; transfer: jurisdictions */
    const char *in;         /* equiv */
    const char *subject;    /* the members as words: "from=A to=B in=US-CA" */
    const char *as_of;      /* YYYY-MM-DD */
    const char *status;     /* cx_status_name */
    const char *json;       /* the decision as cx_decision_json wrote it, no newline */
} cx_log_record;

/* Opens one write transaction (BEGIN IMMEDIATE) for a command's decisions.
 * A read-only registry is refused. *out is owned by the caller: end it
 * with cx__registry_log_close, which commits or rolls back. */
int cx__registry_log_open(cx_registry *r, cx_log_writer **out, cx_error *err);

/* Stores a pack's source under its sha256 (kept when already there) and
 * adds {id, sha256, path, version} and its signer (signer: {kid, authority,
 * signature}, each NULL for an unsigned pack) to the packs every later
 * decision names. */
int cx__registry_log_pack(cx_log_writer *w, const char *sha256, const char *id, const char *version,
                          const char *path, const char *const signer[3], const char *source,
                          size_t len, cx_error *err);

/* Appends one decision: rec, created (the caller's clock), the content
 * version of the registry it was decided on and the credex version that
 * decided it, with a row of decision_pack for each pack given so far. *id
 * (may be NULL) is set to the new row's id. */
int cx__registry_log_decision(cx_log_writer *w, const char *created, const cx_log_record *rec,
                              int64_t content_version, const char *credex_version, int64_t *id,
                              cx_error *err);

/* Commits (commit != 0) or rolls back, and frees w (accepts NULL). */
int cx__registry_log_close(cx_log_writer *w, int commit, cx_error *err);

/* The subject members, in the order a read lists them: */
#define CX_LOG_NMEMBERS 7 /* holder, stack, award, credential, from, to, in */

/* Reads of the log, each calling fn once per row with these columns: */
typedef enum cx_log_read {
    CX_LOG_LIST,     /* every decision, by id: id (INTEGER), created, kind, subject, as_of,
                        status, then the CX_LOG_NMEMBERS members */
    CX_LOG_DECISION, /* decision id: id (INTEGER), created, kind, subject, as_of, status,
                        decision_json, content_version (INTEGER), credex_version, then the
                        CX_LOG_NMEMBERS members */
    CX_LOG_PACKS,    /* decision id's packs, in load order: id, sha256, path, version,
                        source (NULL when not stored) */
    CX_LOG_BOUNDS    /* decisions (INTEGER), lowest id (INTEGER), highest id (INTEGER),
                        pack sources stored (INTEGER) */
} cx_log_read;

int cx__registry_log_read(cx_registry *r, cx_log_read what, int64_t id, cx_row_fn fn, void *ud,
                          cx_error *err);

/* ------------------------------------------------ what-if: copies, removals */

/* What-if (docs/design.md §9) works on in-memory copies, never on the registry.
 * Each copy is a new private in-memory registry owned by the caller
 * (cx_registry_close). copy_to_memory copies everything (sqlite3_backup);
 * copy_holders copies every table but holder data and the decision log
 * (rule_pack, decision_log, decision_pack), plus the holders listed (unknown ids skipped) with
 * their attributes, awards, award results and exceptions. */
int cx__registry_copy_to_memory(cx_registry *r, cx_registry **out, cx_error *err);
int cx__registry_copy_holders(cx_registry *r, const char *const *holders, size_t n,
                              cx_registry **out, cx_error *err);

/* Calls fn with (holder_id, credential_id) for every award, in the award
 * table's own order; with where, a third column: the jurisdiction the
 * award was issued in (its own, else its credential's). */
int cx__registry_award_holders(cx_registry *r, int where, cx_row_fn fn, void *ud, cx_error *err);

/* Removals from an in-memory registry (any other is refused), each in one
 * transaction. A credential goes with its awards (and their results) and
 * the exceptions that substitute it or with it: *awards, *exceptions say
 * how many. A competency goes from every credential that listed it
 * (*credentials: how many), its children taking its parent. Every dated
 * membership of jurisdiction in group goes (*removed: how many). */
int cx__registry_remove_credential(cx_registry *r, const char *id, int64_t *awards,
                                   int64_t *exceptions, cx_error *err);
int cx__registry_remove_competency(cx_registry *r, const char *id, int64_t *credentials,
                                   cx_error *err);
int cx__registry_remove_membership(cx_registry *r, const char *group, const char *jurisdiction,
                                   int64_t *removed, cx_error *err);

#endif
