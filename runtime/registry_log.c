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

enum { L_PACK, L_PACKS_JSON, L_DECISION, L_COUNT };

/* The statements of one logging transaction; the kind, as-of date and
 * subject text of a row come from its decision JSON (SQLite's JSON1), and
 * packs_json is built by json_insert, so every string is escaped by SQLite. */
static const char *const log_sql[L_COUNT] = {
    [L_PACK] = "INSERT INTO rule_pack(sha256, id, version, source) VALUES (?1, ?2, ?3, ?4)"
               " ON CONFLICT(sha256) DO NOTHING",
    [L_PACKS_JSON] = "SELECT json_insert(?1, '$[#]', json_object('id', ?2, 'sha256', ?3,"
                     " 'path', ?4, 'version', ?5))",
    [L_DECISION] = "INSERT INTO decision_log(created, kind, subject, as_of, decision_json,"
                   " packs_json, content_version, credex_version)"
                   " SELECT ?1, json_extract(?2, '$.kind'),"
                   " coalesce((SELECT group_concat(key || '=' || value, ' ')"
                   "  FROM json_each(?2, '$.subject')), ''),"
                   " json_extract(?2, '$.as_of'), ?2, ?3, ?4, ?5"
                   " WHERE json_valid(?2)",
};

struct cx_log_writer {
    cx_registry *r;            /* not owned */
    sqlite3_stmt *st[L_COUNT]; /* owned */
    char *packs_json;          /* the packs so far, a JSON array; owned */
};

int cx__registry_log_open(cx_registry *r, cx_log_writer **out, cx_error *err)
{
    int rc = CX_OK;
    *out = NULL;
    if (r->readonly)
        return cx__error(err, CX_EREGISTRY, r->path, 0, 0,
                         "registry %s is open read-only; cannot log decisions", r->path);
    cx_log_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->packs_json = cx__strdup("[]"))) {
        free(w);
        return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory logging decisions");
    }
    w->r = r;
    for (int i = 0; i < L_COUNT && !rc; i++) rc = cx__reg_prepare(r, log_sql[i], &w->st[i], err);
    if (!rc) rc = cx__reg_exec(r, "BEGIN IMMEDIATE", err);
    if (rc) {
        for (int i = 0; i < L_COUNT; i++) sqlite3_finalize(w->st[i]);
        free(w->packs_json);
        free(w);
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

/* Appends {id, sha256, path, version} to w->packs_json. */
static int log_pack_ref(cx_log_writer *w, const char *sha256, const char *id, const char *version,
                        const char *path, cx_error *err)
{
    sqlite3_stmt *st = w->st[L_PACKS_JSON];
    int rc = CX_OK;
    cx__reg_bind_text(st, 1, w->packs_json);
    cx__reg_bind_text(st, 2, id);
    cx__reg_bind_text(st, 3, sha256);
    cx__reg_bind_text(st, 4, path);
    cx__reg_bind_text(st, 5, version);
    if (sqlite3_step(st) != SQLITE_ROW || !sqlite3_column_text(st, 0)) {
        rc = cx__reg_error(w->r, err, "cannot record the packs of a decision");
    } else {
        char *json = cx__strdup((const char *)sqlite3_column_text(st, 0));
        if (!json) rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory logging decisions");
        if (json) {
            free(w->packs_json);
            w->packs_json = json;
        }
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int cx__registry_log_pack(cx_log_writer *w, const char *sha256, const char *id, const char *version,
                          const char *path, const char *source, size_t len, cx_error *err)
{
    sqlite3_stmt *st = w->st[L_PACK];
    if (len > INT_MAX) return cx__error(err, CX_EINPUT, path, 0, 0, "the pack is too large to log");
    cx__reg_bind_text(st, 1, sha256);
    cx__reg_bind_text(st, 2, id);
    cx__reg_bind_text(st, 3, version);
    sqlite3_bind_text(st, 4, source ? source : "", (int)len, SQLITE_STATIC);
    int rc = log_step(w, st, "cannot store a rule pack", err);
    return rc ? rc : log_pack_ref(w, sha256, id, version, path, err);
}

int cx__registry_log_decision(cx_log_writer *w, const char *created, const char *json,
                              int64_t content_version, const char *credex_version, int64_t *id,
                              cx_error *err)
{
    sqlite3_stmt *st = w->st[L_DECISION];
    cx__reg_bind_text(st, 1, created);
    cx__reg_bind_text(st, 2, json);
    cx__reg_bind_text(st, 3, w->packs_json);
    sqlite3_bind_int64(st, 4, content_version);
    cx__reg_bind_text(st, 5, credex_version);
    int rc = log_step(w, st, "cannot log a decision", err);
    if (!rc && sqlite3_changes(w->r->db) != 1)
        rc = cx__error(err, CX_EINPUT, NULL, 0, 0, "cannot log a decision: malformed JSON");
    if (!rc && id) *id = sqlite3_last_insert_rowid(w->r->db);
    return rc;
}

int cx__registry_log_close(cx_log_writer *w, int commit, cx_error *err)
{
    int rc = CX_OK;
    if (!w) return CX_OK;
    for (int i = 0; i < L_COUNT; i++) sqlite3_finalize(w->st[i]);
    if (commit && sqlite3_exec(w->r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = cx__reg_error(w->r, err, "cannot commit the logged decisions");
    if (!commit || rc) sqlite3_exec(w->r->db, "ROLLBACK", NULL, NULL, NULL);
    free(w->packs_json);
    free(w);
    return rc;
}

static const cx__reg_query log_read_sql[] = {
    [CX_LOG_LIST] = {"SELECT id, created, kind, subject, as_of,"
                     " json_extract(decision_json, '$.status'),"
                     " json_object('id', id, 'created', created, 'kind', kind,"
                     "  'subject', json_extract(decision_json, '$.subject'), 'as_of', as_of,"
                     "  'status', json_extract(decision_json, '$.status'))"
                     " FROM decision_log WHERE ?1 = ?1 ORDER BY id",
                     1u << 0},
    [CX_LOG_DECISION] = {"SELECT id, created, kind, subject, as_of,"
                         " json_extract(decision_json, '$.status'), decision_json,"
                         " content_version, credex_version FROM decision_log WHERE id = ?1",
                         1u << 0 | 1u << 7},
    [CX_LOG_SUBJECT] = {"SELECT s.key, s.value FROM decision_log AS d,"
                        " json_each(d.decision_json, '$.subject') AS s"
                        " WHERE d.id = ?1 ORDER BY s.id",
                        0},
    [CX_LOG_PACKS] = {"SELECT json_extract(p.value, '$.id'), json_extract(p.value, '$.sha256'),"
                      " json_extract(p.value, '$.path'), json_extract(p.value, '$.version'),"
                      " rule_pack.source FROM decision_log AS d, json_each(d.packs_json) AS p"
                      " LEFT JOIN rule_pack ON rule_pack.sha256 = json_extract(p.value, '$.sha256')"
                      " WHERE d.id = ?1 ORDER BY p.key",
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
