/*
 * registry_int.h -- private to the registry family (registry.c,
 * registry_import.c, registry_read.c, registry_log.c, registry_copy.c, registry_fsck.c,
 * registry_backup.c), as SQLite's btreeInt.h: the connection struct and the helpers they share.
 * Only these files include it, and with it sqlite3.h; nothing else may.
 */
#ifndef CX_REGISTRY_INT_H
#define CX_REGISTRY_INT_H

#include <sqlite3.h>
#include <stdatomic.h>

#include "registry.h"

struct cx_registry {
    sqlite3 *db;                          /* the connection, owned */
    char *path;                           /* as given, or ":memory:"; owned */
    int memory;                           /* a private in-memory registry */
    int readonly;                         /* opened with CX_OPEN_READONLY */
    sqlite3_stmt *has[CX_KIND_AWARD + 1]; /* cached point queries, lazily prepared */
    _Atomic(const void *) owner;          /* the thread inside a call (cx__registry_enter) */
    int depth;                            /* its calls inside one another; owner's alone */
    int busy_timeout;                     /* seconds a write waits for a lock; < 0: none */
    int sync_full;                        /* imports commit with synchronous = FULL */
    char *writer_record;                  /* path of the lock-info record while this
                                           * connection writes (cx__reg_begin_write); owned */
    int no_cache;                         /* opened with no_cache: no snapshot cache */
};

/* A constant query whose rows are handed to a cx_row_fn. */
typedef struct cx__reg_query {
    const char *sql;
    unsigned int_cols; /* bit i: column i is INTEGER */
} cx__reg_query;

/* The inserts of an entity with its columns, shared by the import writer
 * (which adds its ON CONFLICT clause) and the copies. */
#define GROUP_VALUES "INSERT INTO jgroup(id, name) VALUES (?1, ?2)"
#define CREDENTIAL_VALUES                                                                          \
    "INSERT INTO credential(id, name, type, provider_id, jurisdiction_id, hours, valid_for,"       \
    " version, effective_from, effective_until)"                                                   \
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
#define HOLDER_VALUES "INSERT INTO holder(id, jurisdiction_id) VALUES (?1, ?2)"
#define AWARD_VALUES                                                                               \
    "INSERT INTO award(id, holder_id, credential_id, issued, expires, jurisdiction_id, hours,"     \
    " status, grade, evidence, prov_format, prov_source_id, prov_issuer, prov_proof,"              \
    " prov_verification, prov_note, prov_status_checked)"                                          \
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, coalesce(?8, 'active'), ?9, ?10, ?11, ?12, ?13, ?14,"    \
    " ?15, ?16, ?17)"

/* registry_copy.c: the deletions of one removal (which: CX_CAT_RM_...,
 * catalog_model.h) of a (credential, competency, group) and b (the
 * membership's jurisdiction, else NULL), inside the caller's transaction;
 * counts (may be NULL) gets each statement's changed rows. */
#define CX_REMOVAL_STATEMENTS 9
int cx__registry_delete(cx_registry *r, int which, const char *a, const char *b,
                        int64_t counts[CX_REMOVAL_STATEMENTS], cx_error *err);

/* Begins a write transaction (BEGIN IMMEDIATE, waiting up to r's busy
 * timeout for another writer) and, for a file registry, leaves the
 * lock-info record "PATH-writer" (this pid and operation: "import",
 * "--log", "init") that another process's busy error names. Call
 * cx__reg_writer_done before COMMIT or ROLLBACK. */
int cx__reg_begin_write(cx_registry *r, const char *operation, cx_error *err);
void cx__reg_writer_done(cx_registry *r);

/* registry_fsck.c: a table's digest (docs/registry.md, "Tamper
 * evidence"): every row's MurmurHash3_x64_128 (seed 0) over its columns in
 * table order, each encoded as a type byte then an INTEGER's 8 bytes
 * big-endian or a text's length (8 bytes big-endian) and bytes; the rows'
 * h1 summed modulo 2^64, their h2 likewise, and the rows counted. The sum
 * does not depend on the order of the rows, so a writer adds the rows it
 * inserts as it writes them instead of reading the table again. */
typedef struct cx__row_sum {
    uint64_t h1, h2; /* the sums of the rows' two halves */
    int64_t rows;    /* the rows summed */
} cx__row_sum;

/* One row on its way into a cx__row_sum: cx__row_begin, then per column in
 * table order cx__row_text (NULL: SQL NULL) or cx__row_int, then
 * cx__row_end. Rows of any length; owns nothing. */
typedef struct cx__row_hasher {
    uint64_t h1, h2;         /* MurmurHash3's state after the blocks taken */
    uint64_t len;            /* bytes of the row so far */
    size_t used;             /* bytes waiting in buf */
    unsigned char buf[1024]; /* the row's encoding not yet taken in */
} cx__row_hasher;

void cx__row_begin(cx__row_hasher *rh);
void cx__row_text(cx__row_hasher *rh, const char *text);
void cx__row_int(cx__row_hasher *rh, int64_t v);
void cx__row_end(cx__row_hasher *rh, cx__row_sum *sum);

/* The holder tables an import's writer follows row by row, and how it
 * changed them. With exact set, every change the import makes to these
 * tables is a row in added, or the table is marked rescan: the recorder
 * then adds the rows to the stored digests instead of hashing the tables
 * again (a table neither added to nor marked keeps its digest). Without
 * it, every table the catalog writes is hashed again. */
enum {
    CX_DIGEST_HOLDER,
    CX_DIGEST_HOLDER_ATTR,
    CX_DIGEST_AWARD,
    CX_DIGEST_AWARD_RESULT,
    CX_DIGEST_FOLLOWED
};
typedef struct cx__digest_delta {
    int exact;                             /* 1: the writer followed every change */
    int rescan[CX_DIGEST_FOLLOWED];        /* 1: changed otherwise: hash it again */
    cx__row_sum added[CX_DIGEST_FOLLOWED]; /* the rows inserted, as written */
} cx__digest_delta;

/* registry_fsck.c, inside the import's transaction: brings the stored
 * digest of every table cat wrote (and of any table without one) up to
 * date, from delta (may be NULL) where it is exact, and appends the
 * import_log row (files with their SHA-256, user, content version, counts,
 * digest). Nothing for an in-memory registry. */
int cx__registry_record_import(cx_registry *r, const cx_catalog *cat, const cx__digest_delta *delta,
                               cx_error *err);

/* registry_fsck.c, inside the migration to schema 4: the digest of every
 * table and a "baseline" row of import_log. */
int cx__registry_baseline(cx_registry *r, cx_error *err);

/* The file named in registry errors: the path, or "" for memory. */
const char *cx__reg_err_file(const cx_registry *r);

/* Fills err with "what: <sqlite message>" and returns CX_EREGISTRY. */
int cx__reg_error(cx_registry *r, cx_error *err, const char *what);

/* Prepares sql into *st (NULL on failure; the caller finalizes). */
int cx__reg_prepare(cx_registry *r, const char *sql, sqlite3_stmt **st, cx_error *err);

/* Runs one constant statement (DDL, PRAGMA, BEGIN/COMMIT) without results. */
int cx__reg_exec(cx_registry *r, const char *sql, cx_error *err);

/* Runs a constant query returning one integer (PRAGMA user_version): 0 and
 * *out set, or -1 with SQLite's code in *sqlite_rc. */
int cx__reg_query_int(cx_registry *r, const char *sql, int64_t *out, int *sqlite_rc);

/* Binds s (NULL: SQL NULL) / v (CX_NO_NUMBER: SQL NULL) to parameter i. */
void cx__reg_bind_text(sqlite3_stmt *st, int i, const char *s);
void cx__reg_bind_number(sqlite3_stmt *st, int i, int64_t v);

/* Steps st (parameters bound) to the end, handing each row to fn;
 * int_cols marks INTEGER columns (cx__reg_query). Finalizes st. */
int cx__reg_scan_rows(cx_registry *r, sqlite3_stmt *st, unsigned int_cols, cx_row_fn fn, void *ud,
                      cx_error *err);

#endif
