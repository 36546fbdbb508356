/*
 * registry_copy.c -- the in-memory copies what-if works on (docs/design.md §9)
 * and the removals' deletions, shared with the import writer. What-if's
 * removals refuse any registry that is not in memory.
 */
#include "registry_int.h"

#include <stdlib.h>

#include "util.h"

/* ------------------------------------------------ what-if: copies, removals */

/* What-if (docs/design.md §9, docs/whatif.md) works on in-memory copies of the
 * registry, never on the registry itself: the removals below refuse any
 * registry that is not in memory. */

/* A new in-memory registry holding everything r holds: sqlite3_backup of
 * the whole database, pages as they are (decision log included). *out is
 * owned by the caller: cx_registry_close. */
int cx__registry_copy_to_memory(cx_registry *r, cx_registry **out, cx_error *err)
{
    cx_registry *m = NULL;
    int rc = cx_registry_open(NULL, CX_OPEN_MEMORY, &m, err);
    if (rc) return rc;
    sqlite3_backup *b = sqlite3_backup_init(m->db, "main", r->db, "main");
    if (!b) {
        rc = cx__reg_error(m, err, "cannot copy the registry into memory");
    } else {
        int step = sqlite3_backup_step(b, -1);
        if (sqlite3_backup_finish(b) != SQLITE_OK || step != SQLITE_DONE)
            rc = cx__reg_error(m, err, "cannot copy the registry into memory");
    }
    if (rc) {
        cx_registry_close(m);
        return rc;
    }
    *out = m;
    return CX_OK;
}

/* One table copied row by row: a SELECT on the source (for holder data,
 * one holder's rows, the holder id bound to ?1) and the INSERT of the same
 * columns, in the same order, into the copy. */
typedef struct copy_sql {
    const char *select;
    const char *insert;
} copy_sql;

/* Everything but holder data and the decision log (rule_pack, decision_log, decision_pack). */
static const copy_sql copy_facts[] = {
    {"SELECT key, value FROM meta", "INSERT INTO meta(key, value) VALUES (?1, ?2)"
                                    " ON CONFLICT(key) DO UPDATE SET value = excluded.value"},
    {"SELECT id, name, kind FROM jurisdiction",
     "INSERT INTO jurisdiction(id, name, kind) VALUES (?1, ?2, ?3)"},
    {"SELECT id, name FROM jgroup", "INSERT INTO jgroup(id, name) VALUES (?1, ?2)"},
    {"SELECT group_id, jurisdiction_id, from_date, until_date, status FROM jgroup_member",
     "INSERT INTO jgroup_member(group_id, jurisdiction_id, from_date, until_date, status)"
     " VALUES (?1, ?2, ?3, ?4, ?5)"},
    {"SELECT id, name, jurisdiction_id FROM provider",
     "INSERT INTO provider(id, name, jurisdiction_id) VALUES (?1, ?2, ?3)"},
    {"SELECT id, name FROM framework", "INSERT INTO framework(id, name) VALUES (?1, ?2)"},
    {"SELECT id, framework_id, text, parent_id FROM competency",
     "INSERT INTO competency(id, framework_id, text, parent_id) VALUES (?1, ?2, ?3, ?4)"},
    {"SELECT id, name, type, provider_id, jurisdiction_id, hours, valid_for, version,"
     " effective_from, effective_until FROM credential",
     CREDENTIAL_VALUES},
    {"SELECT credential_id, competency_id FROM credential_competency",
     "INSERT INTO credential_competency(credential_id, competency_id) VALUES (?1, ?2)"},
    {"SELECT credential_id, tag FROM credential_tag",
     "INSERT INTO credential_tag(credential_id, tag) VALUES (?1, ?2)"},
    {"SELECT credential_id, scheme, code FROM credential_code",
     "INSERT INTO credential_code(credential_id, scheme, code) VALUES (?1, ?2, ?3)"},
    {"SELECT credential_id, key, value FROM credential_attr",
     "INSERT INTO credential_attr(credential_id, key, value) VALUES (?1, ?2, ?3)"},
    {"SELECT credential_id, rank, grade FROM credential_grade",
     "INSERT INTO credential_grade(credential_id, rank, grade) VALUES (?1, ?2, ?3)"},
};

/* One holder's rows, each an index walk from the holder id. */
static const copy_sql copy_holder_rows[] = {
    {"SELECT id, jurisdiction_id FROM holder WHERE id = ?1", HOLDER_VALUES},
    {"SELECT holder_id, key, value FROM holder_attr WHERE holder_id = ?1",
     "INSERT INTO holder_attr(holder_id, key, value) VALUES (?1, ?2, ?3)"},
    {"SELECT id, holder_id, credential_id, issued, expires, jurisdiction_id, hours, status,"
     " grade, evidence, prov_format, prov_source_id, prov_issuer, prov_proof, prov_verification,"
     " prov_note, prov_status_checked FROM award WHERE holder_id = ?1",
     AWARD_VALUES},
    {"SELECT r.award_id, r.key, r.value FROM award a JOIN award_result r ON r.award_id = a.id"
     " WHERE a.holder_id = ?1",
     "INSERT INTO award_result(award_id, key, value) VALUES (?1, ?2, ?3)"},
    {"SELECT holder_id, stack, waive, substitute_for, substitute_use, \"by\", reason, file, line"
     " FROM exception WHERE holder_id = ?1",
     "INSERT INTO exception(holder_id, stack, waive, substitute_for, substitute_use, \"by\","
     " reason, file, line) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
};

#define NHOLDER_ROWS (sizeof copy_holder_rows / sizeof copy_holder_rows[0])

/* Whether a table of copy_holder_rows has any row at all: an empty one
 * costs a b-tree seek per holder for nothing. NULL: always copied. */
static const char *const copy_holder_probe[NHOLDER_ROWS] = {
    NULL, "SELECT 1 FROM holder_attr LIMIT 1", NULL, "SELECT 1 FROM award_result LIMIT 1",
    "SELECT 1 FROM exception LIMIT 1"};

/* Steps sel (parameters bound), inserting each row with ins into the copy
 * m; resets both. */
static int copy_rows(cx_registry *r, cx_registry *m, sqlite3_stmt *sel, sqlite3_stmt *ins,
                     cx_error *err)
{
    int step, rc = CX_OK, ncols = sqlite3_column_count(sel);
    while (rc == CX_OK && (step = sqlite3_step(sel)) == SQLITE_ROW) {
        for (int i = 0; i < ncols; i++)
            sqlite3_bind_value(ins, i + 1, sqlite3_column_value(sel, i));
        if (sqlite3_step(ins) != SQLITE_DONE) rc = cx__reg_error(m, err, "cannot write the copy");
        sqlite3_reset(ins);
    }
    if (rc == CX_OK && step != SQLITE_DONE) rc = cx__reg_error(r, err, "cannot read the registry");
    sqlite3_reset(sel);
    return rc;
}

/* Copies one table (rows of every holder, or of the one bound to ?1). */
static int copy_table(cx_registry *r, cx_registry *m, const copy_sql *t, const char *holder,
                      cx_error *err)
{
    sqlite3_stmt *sel = NULL, *ins = NULL;
    int rc = cx__reg_prepare(r, t->select, &sel, err);
    if (!rc) rc = cx__reg_prepare(m, t->insert, &ins, err);
    if (!rc && holder) cx__reg_bind_text(sel, 1, holder);
    if (!rc) rc = copy_rows(r, m, sel, ins, err);
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    return rc;
}

/* The listed holders' rows, each table's statements prepared once. */
static int copy_holders(cx_registry *r, cx_registry *m, const char *const *holders, size_t n,
                        cx_error *err)
{
    sqlite3_stmt *sel[NHOLDER_ROWS] = {0}, *ins[NHOLDER_ROWS] = {0};
    int rc = CX_OK, empty[NHOLDER_ROWS] = {0}, src = 0;
    int64_t one;
    for (size_t t = 0; t < NHOLDER_ROWS && !rc; t++) {
        empty[t] = copy_holder_probe[t] &&
                   cx__reg_query_int(r, copy_holder_probe[t], &one, &src) != 0 &&
                   src == SQLITE_NOTFOUND;
        rc = cx__reg_prepare(r, copy_holder_rows[t].select, &sel[t], err);
        if (!rc) rc = cx__reg_prepare(m, copy_holder_rows[t].insert, &ins[t], err);
    }
    for (size_t i = 0; i < n && !rc; i++)
        for (size_t t = 0; t < NHOLDER_ROWS && !rc; t++) {
            if (empty[t]) continue;
            cx__reg_bind_text(sel[t], 1, holders[i]);
            rc = copy_rows(r, m, sel[t], ins[t], err);
        }
    for (size_t t = 0; t < NHOLDER_ROWS; t++) {
        sqlite3_finalize(sel[t]);
        sqlite3_finalize(ins[t]);
    }
    return rc;
}

/* A new in-memory registry holding everything r holds except holder data
 * (and the rule_pack and decision_log tables), plus the holders listed
 * (ids not in r are skipped) with their attributes, awards, award results
 * and exceptions: the part of a large registry a what-if can affect. Read
 * in one read transaction of r, written in one transaction of the copy.
 * *out is owned by the caller: cx_registry_close. */
int cx__registry_copy_holders(cx_registry *r, const char *const *holders, size_t n,
                              cx_registry **out, cx_error *err)
{
    cx_registry *m = NULL, *src = r;
    int began = 0, rc = cx_registry_open(NULL, CX_OPEN_MEMORY, &m, err);
    if (!rc) rc = cx__registry_reader_open(r, &src, err); /* no per-call locking */
    /* every reference is complete once the copy is: check none row by row */
    if (!rc && !(rc = cx__reg_exec(m, "PRAGMA foreign_keys = OFF", err)) &&
        !(rc = cx__registry_read_begin(src, &began, err)) &&
        !(rc = cx__reg_exec(m, "BEGIN", err))) {
        for (size_t t = 0; t < CX_COUNT(copy_facts) && !rc; t++)
            rc = copy_table(src, m, &copy_facts[t], NULL, err);
        if (!rc) rc = copy_holders(src, m, holders, n, err);
        if (!rc) rc = cx__reg_exec(m, "COMMIT", err);
        if (rc) sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
    }
    if (src) cx__registry_read_end(src, began);
    if (src) cx__registry_reader_close(r, src);
    if (!rc) rc = cx__reg_exec(m, "PRAGMA foreign_keys = ON", err);
    if (rc) {
        cx_registry_close(m);
        return rc;
    }
    *out = m;
    return CX_OK;
}

/* Every award's holder_id and credential_id (columns 0 and 1), in the
 * award table's own order: one walk of the table, for what-if to find the
 * holders of some credentials. */
int cx__registry_award_holders(cx_registry *r, int where, cx_row_fn fn, void *ud, cx_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = cx__reg_prepare(r,
                             where ? "SELECT a.holder_id, a.credential_id, "
                                     "coalesce(a.jurisdiction_id, c.jurisdiction_id) "
                                     "FROM award a JOIN credential c ON c.id = a.credential_id"
                                   : "SELECT holder_id, credential_id FROM award",
                             &st, err);
    if (rc) return rc;
    return cx__reg_scan_rows(r, st, 0, fn, ud, err);
}

/* Runs a statement with text parameters a and b (b may be NULL: unbound);
 * *changes (may be NULL) gets the rows it changed. */
static int exec_bound(cx_registry *r, const char *sql, const char *a, const char *b,
                      int64_t *changes, cx_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = cx__reg_prepare(r, sql, &st, err);
    if (rc) return rc;
    cx__reg_bind_text(st, 1, a);
    if (b) cx__reg_bind_text(st, 2, b);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = cx__reg_error(r, err, "cannot remove from the registry");
    if (!rc && changes) *changes = sqlite3_changes64(r->db);
    sqlite3_finalize(st);
    return rc;
}

/* A credential goes with what would otherwise refer to nothing: its awards
 * (and their results), the exceptions that substitute it or substitute
 * with it, and its competencies, tags, codes, attributes and grade scale. */
static const char *const credential_sql[] = {
    "DELETE FROM award_result WHERE award_id IN (SELECT id FROM award WHERE credential_id = ?1)",
    "DELETE FROM award WHERE credential_id = ?1",
    "DELETE FROM exception WHERE substitute_for = ?1 OR substitute_use = ?1",
    "DELETE FROM credential_competency WHERE credential_id = ?1",
    "DELETE FROM credential_tag WHERE credential_id = ?1",
    "DELETE FROM credential_code WHERE credential_id = ?1",
    "DELETE FROM credential_attr WHERE credential_id = ?1",
    "DELETE FROM credential_grade WHERE credential_id = ?1",
    "DELETE FROM credential WHERE id = ?1",
    NULL};

/* A competency: the credentials that listed it no longer do, and its
 * child competencies take its parent. */
static const char *const competency_sql[] = {
    "DELETE FROM credential_competency WHERE competency_id = ?1",
    "UPDATE competency SET parent_id = (SELECT parent_id FROM competency WHERE id = ?1)"
    " WHERE parent_id = ?1",
    "DELETE FROM competency WHERE id = ?1", NULL};

/* Every membership of jurisdiction ?2 in group ?1 (a jurisdiction may
 * have several, dated). */
static const char *const membership_sql[] = {
    "DELETE FROM jgroup_member WHERE group_id = ?1 AND jurisdiction_id = ?2", NULL};

/* Indexed by CX_CAT_RM_... */
static const char *const *const removal_sql[] = {credential_sql, competency_sql, membership_sql};

int cx__registry_delete(cx_registry *r, int which, const char *a, const char *b,
                        int64_t counts[CX_REMOVAL_STATEMENTS], cx_error *err)
{
    const char *const *sql = removal_sql[which];
    int rc = CX_OK;
    for (size_t i = 0; sql[i] && !rc; i++)
        rc = exec_bound(r, sql[i], a, b, counts ? &counts[i] : NULL, err);
    return rc;
}

/* Runs removal which in one transaction of the in-memory registry r;
 * counts (may be NULL) gets each statement's changed rows. */
static int remove_rows(cx_registry *r, int which, const char *a, const char *b, int64_t *counts,
                       cx_error *err)
{
    if (!r->memory)
        return cx__error(err, CX_EREGISTRY, r->path, 0, 0,
                         "what-if removes only from an in-memory copy of the registry");
    int rc = cx__reg_exec(r, "BEGIN", err);
    if (!rc) rc = cx__registry_delete(r, which, a, b, counts, err);
    if (!rc) rc = cx__reg_exec(r, "COMMIT", err);
    if (rc) sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* Removes credential id from the in-memory registry r (credential_sql).
 * *awards and *exceptions get how many of those went. */
int cx__registry_remove_credential(cx_registry *r, const char *id, int64_t *awards,
                                   int64_t *exceptions, cx_error *err)
{
    int64_t counts[CX_REMOVAL_STATEMENTS] = {0};
    int rc = remove_rows(r, CX_CAT_RM_CREDENTIAL, id, NULL, counts, err);
    *awards = counts[1];
    *exceptions = counts[2];
    return rc;
}

/* Removes competency id from the in-memory registry r (competency_sql);
 * *credentials gets how many credentials listed it. */
int cx__registry_remove_competency(cx_registry *r, const char *id, int64_t *credentials,
                                   cx_error *err)
{
    int64_t counts[CX_REMOVAL_STATEMENTS] = {0};
    int rc = remove_rows(r, CX_CAT_RM_COMPETENCY, id, NULL, counts, err);
    *credentials = counts[0];
    return rc;
}

/* Removes every membership of jurisdiction in group from the in-memory
 * registry r; *removed gets how many. */
int cx__registry_remove_membership(cx_registry *r, const char *group, const char *jurisdiction,
                                   int64_t *removed, cx_error *err)
{
    int64_t counts[CX_REMOVAL_STATEMENTS] = {0};
    int rc = remove_rows(r, CX_CAT_RM_MEMBERSHIP, group, jurisdiction, counts, err);
    *removed = counts[0];
    return rc;
}
