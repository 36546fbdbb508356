/*
 * registry.h -- internal entry points of registry.c (the only file that
 * includes sqlite3.h) for the other modules of libcredex.
 */
#ifndef CX_REGISTRY_H
#define CX_REGISTRY_H

#include "catalog.h"
#include "credex.h"

/* Writes a checked catalog model into r in one transaction (DESIGN §2, §3):
 * upserts with ON CONFLICT DO UPDATE, a re-imported holder's attributes and
 * awards replaced, a re-imported credential's competencies, tags, codes,
 * attributes and grade scale replaced, the content version bumped. On any
 * failure the transaction is rolled back and nothing changes. */
int cx__registry_import(cx_registry *r, const cx_catalog *cat, cx_progress_fn progress,
                        void *progress_ud, cx_error *err);

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
                                  hours (INTEGER), status, grade          by id */
    CX_SCAN_AWARD_RESULTS,     /* award_id, key, value                    by award_id, key */
    CX_SCAN_EXCEPTIONS,        /* holder_id, stack, waive, substitute_for, substitute_use, by,
                                  reason, file, line (INTEGER)
                                  by holder_id, stack, waive, substitute_for */
    CX_SCAN_COUNT
} cx_scan;

/* One column of a scanned row. Valid only during the callback. */
typedef struct cx_col {
    const char *text; /* the value as text, NUL-terminated; NULL when SQL NULL */
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

#endif
