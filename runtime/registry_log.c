/*
 * registry_log.c -- storage of the decision log (docs/design.md §8,
 * docs/log.md): rule pack sources by sha256 and one row per decision.
 * It stores what declog.c hands it and never evaluates nor renders.
 */
#include "registry_int.h"

#include <limits.h>
#include <stdlib.h>

#include "util.h"

/* ---------------------------------------------------------- decision log */

enum { L_PACK, L_DECISION, L_DECISION_PACK, L_COUNT };

/* The statements of one logging transaction: every value a bound
 * parameter, the decision's JSON stored as it comes. */
static const char *const log_sql[L_COUNT] = {
    [L_PACK] = "INSERT INTO rule_pack(sha256, id, version, source) VALUES (?1, ?2, ?3, ?4)"
               " ON CONFLICT(sha256) DO NOTHING",
    [L_DECISION] = "INSERT INTO decision_log(created, kind, holder, stack, award, credential,"
                   " from_id, to_id, in_id, subject, as_of, status, decision_json,"
                   " content_version, credex_version)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    [L_DECISION_PACK] = "INSERT INTO decision_pack(decision_id, seq, id, sha256, path, version,"
                        " signer_kid, signer_authority, signature)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
};

/* A pack every later decision of the writer names. */
typedef struct log_pack {
    char *id, *sha256, *path, *version; /* owned; path and version may be NULL */
    char *signer[3];                    /* kid, authority, signature; owned, each may be NULL */
} log_pack;

struct cx_log_writer {
    cx_registry *r;            /* not owned */
    sqlite3_stmt *st[L_COUNT]; /* owned */
    log_pack *packs;           /* the packs so far, in load order; owned */
    size_t npacks;
};

static void log_writer_free(cx_log_writer *w)
{
    for (int i = 0; i < L_COUNT; i++) sqlite3_finalize(w->st[i]);
    for (size_t i = 0; i < w->npacks; i++) {
        free(w->packs[i].id);
        free(w->packs[i].sha256);
        free(w->packs[i].path);
        free(w->packs[i].version);
        for (int k = 0; k < 3; k++) free(w->packs[i].signer[k]);
    }
    free(w->packs);
    free(w);
}

int cx__registry_log_open(cx_registry *r, cx_log_writer **out, cx_error *err)
{
    int rc = CX_OK;
    *out = NULL;
    if (r->readonly)
        return cx__error(err, CX_EREGISTRY, r->path, 0, 0,
                         "registry %s is open read-only; cannot log decisions", r->path);
    if ((rc = cx__registry_enter(r, err))) return rc; /* left by cx__registry_log_close */
    cx_log_writer *w = calloc(1, sizeof *w);
    if (!w) {
        cx__registry_leave(r);
        return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory logging decisions");
    }
    w->r = r;
    for (int i = 0; i < L_COUNT && !rc; i++) rc = cx__reg_prepare(r, log_sql[i], &w->st[i], err);
    if (!rc) rc = cx__reg_begin_write(r, "--log", err);
    if (rc) {
        log_writer_free(w);
        cx__registry_leave(r);
        return rc;
    }
    *out = w;
    return CX_OK;
}

/* Steps a bound statement that returns no row, then resets it. */
static int log_step(cx_log_writer *w, sqlite3_stmt *st, const char *what, cx_error *err)
{
    int step = sqlite3_step(st);
    int rc = step == SQLITE_DONE ? CX_OK : cx__reg_error(w->r, err, what);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* Appends {id, sha256, path, version, signer} to w->packs. */
static int log_pack_ref(cx_log_writer *w, const char *sha256, const char *id, const char *version,
                        const char *path, const char *const signer[3], cx_error *err)
{
    log_pack *packs = realloc(w->packs, (w->npacks + 1) * sizeof *packs);
    if (!packs) return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory logging decisions");
    w->packs = packs;
    log_pack *p = &packs[w->npacks++];
    p->id = cx__strdup(id);
    p->sha256 = cx__strdup(sha256);
    p->path = path ? cx__strdup(path) : NULL;
    p->version = version ? cx__strdup(version) : NULL;
    int oom = !p->id || !p->sha256 || (path && !p->path) || (version && !p->version);
    for (int k = 0; k < 3; k++) {
        p->signer[k] = signer[k] ? cx__strdup(signer[k]) : NULL;
        if (signer[k] && !p->signer[k]) oom = 1;
    }
    if (oom) return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory logging decisions");
    return CX_OK;
}

int cx__registry_log_pack(cx_log_writer *w, const char *sha256, const char *id, const char *version,
                          const char *path, const char *const signer[3], const char *source,
                          size_t len, cx_error *err)
{
    sqlite3_stmt *st = w->st[L_PACK];
    if (len > INT_MAX) return cx__error(err, CX_EINPUT, path, 0, 0, "the pack is too large to log");
    cx__reg_bind_text(st, 1, sha256);
    cx__reg_bind_text(st, 2, id);
    cx__reg_bind_text(st, 3, version);
    sqlite3_bind_text(st, 4, source ? source : "", (int)len, SQLITE_STATIC);
    int rc = log_step(w, st, "cannot store a rule pack", err);
    return rc ? rc : log_pack_ref(w, sha256, id, version, path, signer, err);
}

/* The rows of decision_pack for decision id: every pack of w, in order. */
static int log_decision_packs(cx_log_writer *w, int64_t id, cx_error *err)
{
    sqlite3_stmt *st = w->st[L_DECISION_PACK];
    int rc = CX_OK;
    for (size_t i = 0; i < w->npacks && !rc; i++) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        cx__reg_bind_text(st, 3, w->packs[i].id);
        cx__reg_bind_text(st, 4, w->packs[i].sha256);
        cx__reg_bind_text(st, 5, w->packs[i].path);
        cx__reg_bind_text(st, 6, w->packs[i].version);
        for (int k = 0; k < 3; k++) cx__reg_bind_text(st, 7 + k, w->packs[i].signer[k]);
        rc = log_step(w, st, "cannot record the packs of a decision", err);
    }
    return rc;
}

int cx__registry_log_decision(cx_log_writer *w, const char *created, const cx_log_record *rec,
                              int64_t content_version, const char *credex_version, int64_t *id,
                              cx_error *err)
{
    sqlite3_stmt *st = w->st[L_DECISION];
    if (cx__registry_enter(w->r, err)) return CX_EUSAGE; /* the batch's thread only */
    const char *const values[] = {
        created, rec->kind, rec->holder,  rec->stack, rec->award,  rec->credential, rec->from,
        rec->to, rec->in,   rec->subject, rec->as_of, rec->status, rec->json};
    for (size_t i = 0; i < CX_COUNT(values); i++) cx__reg_bind_text(st, (int)i + 1, values[i]);
    sqlite3_bind_int64(st, 14, content_version);
    cx__reg_bind_text(st, 15, credex_version);
    int rc = log_step(w, st, "cannot log a decision", err);
    int64_t row = rc ? 0 : sqlite3_last_insert_rowid(w->r->db);
    if (!rc) rc = log_decision_packs(w, row, err);
    if (!rc && id) *id = row;
    cx__registry_leave(w->r);
    return rc;
}

int cx__registry_log_close(cx_log_writer *w, int commit, cx_error *err)
{
    int rc = CX_OK;
    if (!w) return CX_OK;
    for (int i = 0; i < L_COUNT; i++) {
        sqlite3_finalize(w->st[i]);
        w->st[i] = NULL;
    }
    cx__reg_writer_done(w->r);
    if (commit && sqlite3_exec(w->r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = cx__reg_error(w->r, err, "cannot commit the logged decisions");
    if (!commit || rc) sqlite3_exec(w->r->db, "ROLLBACK", NULL, NULL, NULL);
    cx__registry_leave(w->r);
    log_writer_free(w);
    return rc;
}

#define LOG_MEMBERS "holder, stack, award, credential, from_id, to_id, in_id"

static const cx__reg_query log_read_sql[] = {
    [CX_LOG_LIST] = {"SELECT id, created, kind, subject, as_of, status, " LOG_MEMBERS
                     " FROM decision_log WHERE ?1 = ?1 ORDER BY id",
                     1u << 0},
    [CX_LOG_DECISION] = {"SELECT id, created, kind, subject, as_of, status, decision_json,"
                         " content_version, credex_version, " LOG_MEMBERS
                         " FROM decision_log WHERE id = ?1",
                         1u << 0 | 1u << 7},
    [CX_LOG_PACKS] = {"SELECT p.id, p.sha256, p.path, p.version, rule_pack.source,"
                      " p.signer_kid, p.signer_authority, p.signature"
                      " FROM decision_pack AS p LEFT JOIN rule_pack ON rule_pack.sha256 = p.sha256"
                      " WHERE p.decision_id = ?1 ORDER BY p.seq",
                      0},
    [CX_LOG_BOUNDS] = {"SELECT count(*), coalesce(min(id), 0), coalesce(max(id), 0),"
                       " (SELECT count(*) FROM rule_pack) FROM decision_log WHERE ?1 = ?1",
                       1u << 0 | 1u << 1 | 1u << 2 | 1u << 3},
};

int cx__registry_log_read(cx_registry *r, cx_log_read what, int64_t id, cx_row_fn fn, void *ud,
                          cx_error *err)
{
    sqlite3_stmt *st = NULL;
    if ((int)what < 0 || (size_t)what >= CX_COUNT(log_read_sql))
        return cx__error(err, CX_EREGISTRY, NULL, 0, 0, "unknown log read %d", (int)what);
    int rc = cx__reg_prepare(r, log_read_sql[what].sql, &st, err);
    if (rc) return rc;
    sqlite3_bind_int64(st, 1, id);
    return cx__reg_scan_rows(r, st, log_read_sql[what].int_cols, fn, ud, err);
}
