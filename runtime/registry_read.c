/*
 * registry_read.c -- reads of the registry (docs/design.md §2): look-ups and
 * suggestions, entity reads (credential, holder, group) and the fixed bulk
 * scans behind the snapshot. It never writes.
 */
#include "registry_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "util.h"

/* ------------------------------------------------------- kinds and queries */

static const char *const has_sql[CX_KIND_AWARD + 1] = {
    "SELECT 1 FROM jurisdiction WHERE id = ?1", "SELECT 1 FROM jgroup WHERE id = ?1",
    "SELECT 1 FROM provider WHERE id = ?1",     "SELECT 1 FROM framework WHERE id = ?1",
    "SELECT 1 FROM competency WHERE id = ?1",   "SELECT 1 FROM credential WHERE id = ?1",
    "SELECT 1 FROM holder WHERE id = ?1",       "SELECT 1 FROM award WHERE id = ?1"};

static const char *const ids_sql[CX_KIND_AWARD + 1] = {
    "SELECT id FROM jurisdiction ORDER BY id", "SELECT id FROM jgroup ORDER BY id",
    "SELECT id FROM provider ORDER BY id",     "SELECT id FROM framework ORDER BY id",
    "SELECT id FROM competency ORDER BY id",   "SELECT id FROM credential ORDER BY id",
    "SELECT id FROM holder ORDER BY id",       "SELECT id FROM award ORDER BY id"};

static const char *const count_sql[CX_KIND_AWARD + 1] = {
    "SELECT count(*) FROM jurisdiction", "SELECT count(*) FROM jgroup",
    "SELECT count(*) FROM provider",     "SELECT count(*) FROM framework",
    "SELECT count(*) FROM competency",   "SELECT count(*) FROM credential",
    "SELECT count(*) FROM holder",       "SELECT count(*) FROM award"};
/* --------------------------------------------------- look-ups, suggestions */

static int check_kind(cx_kind kind, cx_error *err)
{
    if ((int)kind < 0 || kind > CX_KIND_AWARD)
        return cx__error(err, CX_EUSAGE, NULL, 0, 0, "unknown entity kind %d", (int)kind);
    return CX_OK;
}

static int registry_has(cx_registry *r, cx_kind kind, const char *id, cx_error *err)
{
    if (check_kind(kind, err)) return -1;
    if (!r->has[kind] && cx__reg_prepare(r, has_sql[kind], &r->has[kind], err)) return -1;
    sqlite3_stmt *st = r->has[kind];
    cx__reg_bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    int found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (found < 0) cx__reg_error(r, err, "cannot look up an id");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return found;
}

int cx_registry_has(cx_registry *r, cx_kind kind, const char *id, cx_error *err)
{
    if (cx__registry_enter(r, err)) return -1;
    int found = registry_has(r, kind, id, err);
    cx__registry_leave(r);
    return found;
}

/* ASCII case-insensitive equality: "us-tx" is close to "US-TX". */
static int same_but_case(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z') x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = (unsigned char)(y - 'A' + 'a');
        if (x != y) return 0;
    }
    return *a == *b;
}

/* The largest distance worth suggesting for an id of len bytes: a third of
 * it, at least 2, but always less than the whole id. */
static size_t suggest_limit(size_t len)
{
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    if (limit >= len) limit = len ? len - 1 : 0;
    return limit;
}

static int registry_nearest(cx_registry *r, cx_kind kind, const char *id, char *buf, size_t size,
                            cx_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t limit = suggest_limit(strlen(id)), best = (size_t)-1;
    cx_subdivision sub; /* "TX" names "US-TX" before any edit distance */
    int rc = check_kind(kind, err);
    cx__subdivision_begin(&sub, kind == CX_KIND_JURISDICTION ? id : "");
    if (size) buf[0] = '\0';
    if (rc || (rc = cx__reg_prepare(r, ids_sql[kind], &st, err))) return rc;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) { /* ids in byte order: first wins ties */
        const char *cand = (const char *)sqlite3_column_text(st, 0);
        if (!cand) continue;
        cx__subdivision_see(&sub, cand);
        size_t d =
            same_but_case(id, cand) ? (strcmp(id, cand) != 0) : cx__edit_distance(id, cand, limit);
        if ((d <= limit || d == 1) && d < best) {
            best = d;
            if (size) snprintf(buf, size, "%s", cand);
        }
    }
    if (step != SQLITE_DONE) rc = cx__reg_error(r, err, "cannot list ids");
    if (!rc && cx__subdivision_pick(&sub) && best != 0 && size)
        snprintf(buf, size, "%s", cx__subdivision_pick(&sub));
    sqlite3_finalize(st);
    return rc;
}

int cx_registry_nearest(cx_registry *r, cx_kind kind, const char *id, char *buf, size_t size,
                        cx_error *err)
{
    if (size) buf[0] = '\0'; /* empty, also when the call is refused */
    return CX__REGISTRY_CALL(r, err, registry_nearest(r, kind, id, buf, size, err));
}

static int registry_counts(cx_registry *r, int64_t counts[CX_KIND_AWARD + 1], cx_error *err)
{
    int src = 0;
    for (int k = 0; k <= CX_KIND_AWARD; k++)
        if (cx__reg_query_int(r, count_sql[k], &counts[k], &src))
            return cx__reg_error(r, err, "cannot count the registry");
    return CX_OK;
}

int cx_registry_counts(cx_registry *r, int64_t counts[CX_KIND_AWARD + 1], cx_error *err)
{
    return CX__REGISTRY_CALL(r, err, registry_counts(r, counts, err));
}

static int registry_count(cx_registry *r, cx_kind kind, int64_t *n, cx_error *err)
{
    int src = 0;
    if (check_kind(kind, err)) return err->code;
    if (cx__reg_query_int(r, count_sql[kind], n, &src))
        return cx__reg_error(r, err, "cannot count the registry");
    return CX_OK;
}

int cx__registry_count(cx_registry *r, cx_kind kind, int64_t *n, cx_error *err)
{
    return CX__REGISTRY_CALL(r, err, registry_count(r, kind, n, err));
}

/* "no credential 'X' in the registry; did you mean 'Y'?" as CX_EUSAGE. */
static int not_found(cx_registry *r, cx_kind kind, const char *id, cx_error *err)
{
    char near[256];
    int rc = cx_registry_nearest(r, kind, id, near, sizeof near, err);
    if (rc) return rc;
    if (near[0])
        return cx__error(err, CX_EUSAGE, NULL, 0, 0,
                         "no %s '%s' in the registry; did you mean '%s'?", cx_kind_name(kind), id,
                         near);
    return cx__error(err, CX_EUSAGE, NULL, 0, 0, "no %s '%s' in the registry", cx_kind_name(kind),
                     id);
}

/* ------------------------------------------------------------ entity reads */

/* State of one read: a sticky out-of-memory flag so column copies can be
 * chained and checked once. */
typedef struct reader {
    cx_registry *r;
    int oom;
} reader;

/* A malloc'd copy of column i (caller frees), NULL when the column is NULL. */
static char *col_dup(reader *rd, sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    if (!s) return NULL;
    char *copy = cx__strndup(s, (size_t)sqlite3_column_bytes(st, i));
    if (!copy) rd->oom = 1;
    return copy;
}

static int64_t col_number(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? CX_NO_NUMBER : sqlite3_column_int64(st, i);
}

/* Grows *v (elements of size elem) so that it holds n + 1. */
static int grow(reader *rd, void **v, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap) return 0;
    size_t want = *cap ? *cap * 2 : 8;
    void *p = realloc(*v, want * elem);
    if (!p) {
        rd->oom = 1;
        return -1;
    }
    *v = p;
    *cap = want;
    return 0;
}

/* Reads column 0 of every row of st (bound to id) into a malloc'd array of
 * malloc'd strings; the caller frees both (free_strings). */
static int read_strings(reader *rd, sqlite3_stmt *st, const char *id, char ***out, size_t *n,
                        cx_error *err)
{
    size_t cap = 0;
    int step = SQLITE_DONE;
    cx__reg_bind_text(st, 1, id);
    while (!rd->oom && (step = sqlite3_step(st)) == SQLITE_ROW)
        if (!grow(rd, (void **)out, *n, &cap, sizeof **out)) (*out)[(*n)++] = col_dup(rd, st, 0);
    sqlite3_reset(st);
    if (rd->oom) return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory reading the registry");
    if (step != SQLITE_DONE) return cx__reg_error(rd->r, err, "cannot read the registry");
    return CX_OK;
}

/* Reads columns 0 and 1 of every row of st (bound to id) as pairs; the
 * caller frees them (free_pairs). */
static int read_pairs(reader *rd, sqlite3_stmt *st, const char *id, cx_pair **out, size_t *n,
                      cx_error *err)
{
    size_t cap = 0;
    int step = SQLITE_DONE;
    cx__reg_bind_text(st, 1, id);
    while (!rd->oom && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (grow(rd, (void **)out, *n, &cap, sizeof **out)) break;
        (*out)[*n].key = col_dup(rd, st, 0);
        (*out)[*n].value = col_dup(rd, st, 1);
        (*n)++;
    }
    sqlite3_reset(st);
    if (rd->oom) return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory reading the registry");
    if (step != SQLITE_DONE) return cx__reg_error(rd->r, err, "cannot read the registry");
    return CX_OK;
}

/* Prepares sql and reads its string column for id (see read_strings). */
static int query_strings(reader *rd, const char *sql, const char *id, char ***out, size_t *n,
                         cx_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = cx__reg_prepare(rd->r, sql, &st, err);
    if (!rc) rc = read_strings(rd, st, id, out, n, err);
    sqlite3_finalize(st);
    return rc;
}

/* Prepares sql and reads its pairs for id (see read_pairs). */
static int query_pairs(reader *rd, const char *sql, const char *id, cx_pair **out, size_t *n,
                       cx_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = cx__reg_prepare(rd->r, sql, &st, err);
    if (!rc) rc = read_pairs(rd, st, id, out, n, err);
    sqlite3_finalize(st);
    return rc;
}

/* Prepares sql, binds id and steps to its single row. Returns CX_OK with
 * *st on the row (caller finalizes), 1 when there is no row, or an error. */
static int query_row(cx_registry *r, const char *sql, const char *id, sqlite3_stmt **st,
                     cx_error *err)
{
    int rc = cx__reg_prepare(r, sql, st, err);
    if (rc) return rc;
    cx__reg_bind_text(*st, 1, id);
    int step = sqlite3_step(*st);
    if (step == SQLITE_ROW) return CX_OK;
    rc = step == SQLITE_DONE ? 1 : cx__reg_error(r, err, "cannot read the registry");
    sqlite3_finalize(*st);
    *st = NULL;
    return rc;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

static void free_pairs(cx_pair *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].key);
        free(v[i].value);
    }
    free(v);
}

void cx_credential_free(cx_credential *c)
{
    if (!c) return;
    free(c->id);
    free(c->name);
    free(c->type);
    free(c->provider);
    free(c->jurisdiction);
    free(c->valid_for);
    free(c->version);
    free(c->effective_from);
    free(c->effective_until);
    free_strings(c->competencies, c->ncompetencies);
    free_strings(c->tags, c->ntags);
    free_pairs(c->codes, c->ncodes);
    free_pairs(c->attributes, c->nattributes);
    free_strings(c->grade_scale, c->ngrade_scale);
    free(c);
}

static void award_clear(cx_award *a)
{
    free(a->id);
    free(a->credential);
    free(a->issued);
    free(a->expires);
    free(a->jurisdiction);
    free(a->status);
    free(a->grade);
    free(a->evidence);
    free_pairs(a->results, a->nresults);
    if (!a->provenance) return;
    free(a->provenance->format);
    free(a->provenance->source_id);
    free(a->provenance->issuer);
    free(a->provenance->proof);
    free(a->provenance->verification);
    free(a->provenance->note);
    free(a->provenance->status_checked);
    free(a->provenance);
}

void cx_holder_free(cx_holder *h)
{
    if (!h) return;
    free(h->id);
    free(h->jurisdiction);
    free_pairs(h->attributes, h->nattributes);
    for (size_t i = 0; i < h->nawards; i++) award_clear(&h->awards[i]);
    free(h->awards);
    free(h);
}

void cx_group_free(cx_group *g)
{
    if (!g) return;
    free(g->id);
    free(g->name);
    for (size_t i = 0; i < g->nmembers; i++) {
        free(g->members[i].jurisdiction);
        free(g->members[i].from);
        free(g->members[i].until);
        free(g->members[i].status);
    }
    free(g->members);
    free(g);
}

/* Reads the lists of credential c (its id already set). */
static int read_credential_lists(reader *rd, cx_credential *c, cx_error *err)
{
    int rc = query_strings(rd,
                           "SELECT competency_id FROM credential_competency"
                           " WHERE credential_id = ?1 ORDER BY competency_id",
                           c->id, &c->competencies, &c->ncompetencies, err);
    if (!rc)
        rc = query_strings(rd,
                           "SELECT tag FROM credential_tag WHERE credential_id = ?1 ORDER BY tag",
                           c->id, &c->tags, &c->ntags, err);
    if (!rc)
        rc = query_pairs(rd,
                         "SELECT scheme, code FROM credential_code WHERE credential_id = ?1"
                         " ORDER BY scheme, code",
                         c->id, &c->codes, &c->ncodes, err);
    if (!rc)
        rc = query_pairs(rd,
                         "SELECT key, value FROM credential_attr WHERE credential_id = ?1"
                         " ORDER BY key",
                         c->id, &c->attributes, &c->nattributes, err);
    if (!rc)
        rc = query_strings(rd,
                           "SELECT grade FROM credential_grade WHERE credential_id = ?1"
                           " ORDER BY rank",
                           c->id, &c->grade_scale, &c->ngrade_scale, err);
    return rc;
}

static int registry_credential(cx_registry *r, const char *id, cx_credential **out, cx_error *err)
{
    reader rd = {r, 0};
    sqlite3_stmt *st = NULL;
    cx_credential *c = NULL;
    *out = NULL;
    int rc = query_row(r,
                       "SELECT id, name, type, provider_id, jurisdiction_id, hours, valid_for,"
                       " version, effective_from, effective_until FROM credential WHERE id = ?1",
                       id, &st, err);
    if (rc == 1) return not_found(r, CX_KIND_CREDENTIAL, id, err);
    if (rc) return rc;
    if (!(c = calloc(1, sizeof *c))) {
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory reading the registry");
        goto done;
    }
    c->id = col_dup(&rd, st, 0);
    c->name = col_dup(&rd, st, 1);
    c->type = col_dup(&rd, st, 2);
    c->provider = col_dup(&rd, st, 3);
    c->jurisdiction = col_dup(&rd, st, 4);
    c->hours = col_number(st, 5);
    c->valid_for = col_dup(&rd, st, 6);
    c->version = col_dup(&rd, st, 7);
    c->effective_from = col_dup(&rd, st, 8);
    c->effective_until = col_dup(&rd, st, 9);
    if (rd.oom)
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory reading the registry");
    else
        rc = read_credential_lists(&rd, c, err);
done:
    sqlite3_finalize(st);
    if (rc)
        cx_credential_free(c);
    else
        *out = c;
    return rc;
}

int cx_registry_credential(cx_registry *r, const char *id, cx_credential **out, cx_error *err)
{
    *out = NULL; /* also when the call is refused */
    return CX__REGISTRY_CALL(r, err, registry_credential(r, id, out, err));
}

/* Reads the provenance columns from column first on (NULL format: none).
 * Returns 0 when out of memory. */
static int read_provenance(reader *rd, sqlite3_stmt *st, int first, cx_award *a)
{
    if (rd->oom) return 0;
    if (sqlite3_column_type(st, first) == SQLITE_NULL) return 1;
    cx_provenance *p = calloc(1, sizeof *p);
    if (!(a->provenance = p)) {
        rd->oom = 1;
        return 0;
    }
    p->format = col_dup(rd, st, first);
    p->source_id = col_dup(rd, st, first + 1);
    p->issuer = col_dup(rd, st, first + 2);
    p->proof = col_dup(rd, st, first + 3);
    p->verification = col_dup(rd, st, first + 4);
    p->note = col_dup(rd, st, first + 5);
    p->status_checked = col_dup(rd, st, first + 6);
    return !rd->oom;
}

/* Reads holder h's awards (by issue date, then id), each with its results. */
static int read_awards(reader *rd, cx_holder *h, cx_error *err)
{
    sqlite3_stmt *st = NULL, *results = NULL;
    size_t cap = 0;
    int step = SQLITE_DONE;
    int rc = cx__reg_prepare(
        rd->r,
        "SELECT a.id, a.credential_id, a.issued, a.expires,"
        " coalesce(a.jurisdiction_id, c.jurisdiction_id), coalesce(a.hours, c.hours),"
        " a.status, a.grade, a.evidence, a.prov_format, a.prov_source_id, a.prov_issuer,"
        " a.prov_proof, a.prov_verification, a.prov_note, a.prov_status_checked"
        " FROM award a JOIN credential c ON c.id = a.credential_id"
        " WHERE a.holder_id = ?1 ORDER BY a.issued, a.id",
        &st, err);
    if (!rc)
        rc = cx__reg_prepare(rd->r,
                             "SELECT key, value FROM award_result WHERE award_id = ?1 ORDER BY key",
                             &results, err);
    if (rc) goto done;
    cx__reg_bind_text(st, 1, h->id);
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (grow(rd, (void **)&h->awards, h->nawards, &cap, sizeof *h->awards)) break;
        cx_award *a = &h->awards[h->nawards++];
        memset(a, 0, sizeof *a);
        a->id = col_dup(rd, st, 0);
        a->credential = col_dup(rd, st, 1);
        a->issued = col_dup(rd, st, 2);
        a->expires = col_dup(rd, st, 3);
        a->jurisdiction = col_dup(rd, st, 4);
        a->hours = col_number(st, 5);
        a->status = col_dup(rd, st, 6);
        a->grade = col_dup(rd, st, 7);
        a->evidence = col_dup(rd, st, 8);
        if (!read_provenance(rd, st, 9, a)) break;
        rc = read_pairs(rd, results, a->id, &a->results, &a->nresults, err);
    }
    if (!rc && rd->oom)
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory reading the registry");
    else if (!rc && step != SQLITE_DONE)
        rc = cx__reg_error(rd->r, err, "cannot read the registry");
done:
    sqlite3_finalize(st);
    sqlite3_finalize(results);
    return rc;
}

static int registry_holder(cx_registry *r, const char *id, cx_holder **out, cx_error *err)
{
    reader rd = {r, 0};
    sqlite3_stmt *st = NULL;
    cx_holder *h = NULL;
    *out = NULL;
    int rc = query_row(r, "SELECT id, jurisdiction_id FROM holder WHERE id = ?1", id, &st, err);
    if (rc == 1) return not_found(r, CX_KIND_HOLDER, id, err);
    if (rc) return rc;
    if (!(h = calloc(1, sizeof *h))) {
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory reading the registry");
        goto done;
    }
    h->id = col_dup(&rd, st, 0);
    h->jurisdiction = col_dup(&rd, st, 1);
    if (rd.oom) {
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory reading the registry");
        goto done;
    }
    rc = query_pairs(&rd, "SELECT key, value FROM holder_attr WHERE holder_id = ?1 ORDER BY key",
                     h->id, &h->attributes, &h->nattributes, err);
    if (!rc) rc = read_awards(&rd, h, err);
done:
    sqlite3_finalize(st);
    if (rc)
        cx_holder_free(h);
    else
        *out = h;
    return rc;
}

int cx_registry_holder(cx_registry *r, const char *id, cx_holder **out, cx_error *err)
{
    *out = NULL; /* also when the call is refused */
    return CX__REGISTRY_CALL(r, err, registry_holder(r, id, out, err));
}

/* Reads group g's memberships, by jurisdiction then from. */
static int read_members(reader *rd, cx_group *g, cx_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int step = SQLITE_DONE;
    int rc =
        cx__reg_prepare(rd->r,
                        "SELECT jurisdiction_id, from_date, until_date, status FROM jgroup_member"
                        " WHERE group_id = ?1 ORDER BY jurisdiction_id, from_date, until_date,"
                        " status",
                        &st, err);
    if (rc) return rc;
    cx__reg_bind_text(st, 1, g->id);
    while (!rd->oom && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (grow(rd, (void **)&g->members, g->nmembers, &cap, sizeof *g->members)) break;
        cx_membership *m = &g->members[g->nmembers++];
        m->jurisdiction = col_dup(rd, st, 0);
        m->from = col_dup(rd, st, 1);
        m->until = col_dup(rd, st, 2);
        m->status = col_dup(rd, st, 3);
    }
    if (rd->oom)
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory reading the registry");
    else if (step != SQLITE_DONE)
        rc = cx__reg_error(rd->r, err, "cannot read the registry");
    sqlite3_finalize(st);
    return rc;
}

static int registry_group(cx_registry *r, const char *id, cx_group **out, cx_error *err)
{
    reader rd = {r, 0};
    sqlite3_stmt *st = NULL;
    cx_group *g = NULL;
    *out = NULL;
    int rc = query_row(r, "SELECT id, name FROM jgroup WHERE id = ?1", id, &st, err);
    if (rc == 1) return not_found(r, CX_KIND_GROUP, id, err);
    if (rc) return rc;
    if (!(g = calloc(1, sizeof *g))) {
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory reading the registry");
        goto done;
    }
    g->id = col_dup(&rd, st, 0);
    g->name = col_dup(&rd, st, 1);
    if (rd.oom)
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory reading the registry");
    else
        rc = read_members(&rd, g, err);
done:
    sqlite3_finalize(st);
    if (rc)
        cx_group_free(g);
    else
        *out = g;
    return rc;
}

int cx_registry_group(cx_registry *r, const char *id, cx_group **out, cx_error *err)
{
    *out = NULL; /* also when the call is refused */
    return CX__REGISTRY_CALL(r, err, registry_group(r, id, out, err));
}

/* -------------------------------------------------------------- bulk reads */

#define AWARD_COLUMNS                                                                              \
    "SELECT id, holder_id, credential_id, issued, expires, jurisdiction_id, hours, status, grade," \
    " prov_verification, prov_note FROM award"

/* The bulk reads of cx_scan (registry.h lists their columns): constant
 * SQL, each ordered so that it is a plain walk of a table or index (no
 * sort step) where the schema allows. int_cols marks INTEGER columns. */
static const cx__reg_query scan_sql[CX_SCAN_COUNT] = {
    [CX_SCAN_JURISDICTIONS] = {"SELECT id, name, kind FROM jurisdiction ORDER BY id", 0},
    [CX_SCAN_GROUPS] = {"SELECT id, name FROM jgroup ORDER BY id", 0},
    [CX_SCAN_MEMBERS] = {"SELECT group_id, jurisdiction_id, from_date, until_date, status"
                         " FROM jgroup_member ORDER BY group_id, jurisdiction_id, from_date,"
                         " until_date, status",
                         0},
    [CX_SCAN_PROVIDERS] = {"SELECT id, name, jurisdiction_id FROM provider ORDER BY id", 0},
    [CX_SCAN_FRAMEWORKS] = {"SELECT id, name FROM framework ORDER BY id", 0},
    [CX_SCAN_COMPETENCIES] = {"SELECT id, framework_id, text, parent_id FROM competency"
                              " ORDER BY id",
                              0},
    [CX_SCAN_CREDENTIALS] = {"SELECT id, name, type, provider_id, jurisdiction_id, hours,"
                             " valid_for, version, effective_from, effective_until"
                             " FROM credential ORDER BY id",
                             1u << 5},
    [CX_SCAN_CRED_COMPETENCIES] = {"SELECT credential_id, competency_id FROM credential_competency"
                                   " ORDER BY credential_id, competency_id",
                                   0},
    [CX_SCAN_TAGS] = {"SELECT DISTINCT tag FROM credential_tag ORDER BY tag", 0},
    [CX_SCAN_CRED_TAGS] = {"SELECT credential_id, tag FROM credential_tag"
                           " ORDER BY credential_id, tag",
                           0},
    [CX_SCAN_CRED_CODES] = {"SELECT credential_id, scheme, code FROM credential_code"
                            " ORDER BY credential_id, scheme, code",
                            0},
    [CX_SCAN_CRED_ATTRS] = {"SELECT credential_id, key, value FROM credential_attr"
                            " ORDER BY credential_id, key",
                            0},
    [CX_SCAN_CRED_GRADES] = {"SELECT credential_id, rank, grade FROM credential_grade"
                             " ORDER BY credential_id, rank",
                             1u << 1},
    [CX_SCAN_HOLDERS] = {"SELECT id, jurisdiction_id FROM holder ORDER BY id", 0},
    [CX_SCAN_HOLDER_ATTRS] = {"SELECT holder_id, key, value FROM holder_attr"
                              " ORDER BY holder_id, key",
                              0},
    [CX_SCAN_AWARDS] = {AWARD_COLUMNS " ORDER BY id", 1u << 6},
    [CX_SCAN_AWARD_RESULTS] = {"SELECT award_id, key, value FROM award_result"
                               " ORDER BY award_id, key",
                               0},
    [CX_SCAN_EXCEPTIONS] = {"SELECT holder_id, stack, waive, substitute_for, substitute_use,"
                            " \"by\", reason, file, line FROM exception"
                            " ORDER BY holder_id, stack, waive, substitute_for",
                            1u << 8},
    [CX_SCAN_AWARD_EVIDENCE] = {"SELECT id, evidence FROM award WHERE evidence IS NOT NULL"
                                " ORDER BY id",
                                0},
    [CX_SCAN_AWARD_PROVENANCE] = {"SELECT id, prov_format, prov_source_id, prov_issuer,"
                                  " prov_proof, prov_verification, prov_note, prov_status_checked"
                                  " FROM award WHERE prov_format IS NOT NULL ORDER BY id",
                                  0},
};

#define SCAN_MAX_COLS 16

/* Fills cols from the current row of st. One API call a column
 * (sqlite3_column_value; the sqlite3_value_* calls take no lock). An
 * INTEGER column holding an integer is read as one, never converted to
 * text: its text is "" (not NULL), as registry.h says. */
static void scan_columns(sqlite3_stmt *st, unsigned int_cols, cx_col *cols, int n)
{
    for (int i = 0; i < n; i++) {
        cx_col *c = &cols[i];
        sqlite3_value *v = sqlite3_column_value(st, i);
        c->integer = 0;
        if ((int_cols >> i & 1u) && sqlite3_value_type(v) == SQLITE_INTEGER) {
            c->integer = sqlite3_value_int64(v);
            c->text = "";
            c->len = 0;
            continue;
        }
        c->text = (const char *)sqlite3_value_text(v);
        c->len = c->text ? (size_t)sqlite3_value_bytes(v) : 0;
    }
}

/* Steps st (parameters bound) to the end, handing each row to fn.
 * Finalizes st. */
int cx__reg_scan_rows(cx_registry *r, sqlite3_stmt *st, unsigned int_cols, cx_row_fn fn, void *ud,
                      cx_error *err)
{
    cx_col cols[SCAN_MAX_COLS];
    int n = sqlite3_column_count(st), step, rc = CX_OK;
    if (n > SCAN_MAX_COLS) n = SCAN_MAX_COLS;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        scan_columns(st, int_cols, cols, n);
        if ((rc = fn(ud, cols, (size_t)n)) != 0) break;
    }
    if (!rc && step != SQLITE_DONE) rc = cx__reg_error(r, err, "cannot read the registry");
    sqlite3_finalize(st);
    return rc;
}

int cx__registry_scan(cx_registry *r, cx_scan what, cx_row_fn fn, void *ud, cx_error *err)
{
    sqlite3_stmt *st = NULL;
    if ((int)what < 0 || what >= CX_SCAN_COUNT)
        return cx__error(err, CX_EREGISTRY, NULL, 0, 0, "unknown registry scan %d", (int)what);
    int rc = cx__reg_prepare(r, scan_sql[what].sql, &st, err);
    if (rc) return rc;
    return cx__reg_scan_rows(r, st, scan_sql[what].int_cols, fn, ud, err);
}

/* CX_SCAN_AWARDS from an id on. A range's upper bound is checked by
 * range_row, not in the SQL: SQLite's own check (OP_IdxGE) decodes and
 * compares the row's key on every step, which made the first of two
 * parallel parts at a million holders some 50 ms slower than the last. */
static const char award_from_sql[] = AWARD_COLUMNS " WHERE id >= ?1 ORDER BY id";

typedef struct range_scan {
    const char *to; /* ids below it (byte order, as SQLite compares text) */
    cx_row_fn fn;
    void *ud;
    int past; /* 1: a row at or past to ended the scan */
} range_scan;

static int range_row(void *ud, const cx_col *c, size_t n)
{
    range_scan *rs = ud;
    if (c[0].text && strcmp(c[0].text, rs->to) >= 0) return rs->past = 1;
    return rs->fn(rs->ud, c, n);
}

int cx__registry_scan_range(cx_registry *r, cx_scan what, const char *from, const char *to,
                            cx_row_fn fn, void *ud, cx_error *err)
{
    sqlite3_stmt *st = NULL;
    range_scan rs = {to, fn, ud, 0};
    if (what != CX_SCAN_AWARDS)
        return cx__error(err, CX_EREGISTRY, NULL, 0, 0, "no range scan for registry scan %d",
                         (int)what);
    int rc = cx__reg_prepare(r, award_from_sql, &st, err);
    if (rc) return rc;
    cx__reg_bind_text(st, 1, from ? from : "");
    if (!to) return cx__reg_scan_rows(r, st, scan_sql[what].int_cols, fn, ud, err);
    rc = cx__reg_scan_rows(r, st, scan_sql[what].int_cols, range_row, &rs, err);
    return rs.past ? CX_OK : rc;
}

int cx__registry_read_begin(cx_registry *r, int *began, cx_error *err)
{
    *began = 0;
    if (!sqlite3_get_autocommit(r->db)) return CX_OK; /* already inside a transaction */
    int rc = cx__reg_exec(r, "BEGIN", err);
    if (!rc) *began = 1;
    return rc;
}

void cx__registry_read_end(cx_registry *r, int began)
{
    if (began) sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
}

/* A second connection for bulk reads: read-only and opened with
 * SQLITE_OPEN_NOMUTEX, so SQLite takes no lock per call (a scan of a large
 * award table spends half its time in those locks otherwise). It belongs
 * to the one thread that opened it. */
int cx__registry_reader_open(cx_registry *r, cx_registry **out, cx_error *err)
{
    int rc = CX_OK;
    *out = r;
    if (r->memory || !sqlite3_get_autocommit(r->db)) return CX_OK; /* see registry.h */
    cx_registry *conn = calloc(1, sizeof *conn);
    if (!conn || !(conn->path = cx__strdup(r->path))) {
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory opening the registry");
        goto fail;
    }
    conn->readonly = 1;
    conn->busy_timeout = r->busy_timeout;
    atomic_init(&conn->owner, NULL);
    if (sqlite3_open_v2(r->path, &conn->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        rc = cx__error(err, CX_EREGISTRY, r->path, 0, 0, "cannot open registry %s: %s", r->path,
                       conn->db ? sqlite3_errmsg(conn->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(conn->db, 1);
    sqlite3_busy_timeout(conn->db, r->busy_timeout > 0 ? r->busy_timeout * 1000 : 0);
    *out = conn;
    return CX_OK;
fail:
    cx_registry_close(conn);
    return rc;
}

void cx__registry_reader_close(cx_registry *r, cx_registry *conn)
{
    if (conn != r) cx_registry_close(conn);
}

/* ---------------------------------------------------------------- listings */

/* The listings of cx_registry_list, by cx_list_kind: every filter a bound
 * parameter (?1 type, ?2 tag, ?3 jurisdiction, ?4 provider; NULL matches
 * every row), rows by id. Columns: id, then as list_row reads them. */
static const char *const list_sql[] = {
    [CX_LIST_CREDENTIALS] =
        "SELECT id, name, type, provider_id, jurisdiction_id FROM credential"
        " WHERE (?1 IS NULL OR type = ?1)"
        " AND (?2 IS NULL OR EXISTS (SELECT 1 FROM credential_tag AS t"
        "  WHERE t.credential_id = credential.id AND t.tag = ?2))"
        " AND (?3 IS NULL OR jurisdiction_id = ?3) AND (?4 IS NULL OR provider_id = ?4)"
        " ORDER BY id",
    [CX_LIST_HOLDERS] = "SELECT id, jurisdiction_id,"
                        " (SELECT count(*) FROM award WHERE award.holder_id = holder.id)"
                        " FROM holder WHERE (?3 IS NULL OR jurisdiction_id = ?3) ORDER BY id",
    [CX_LIST_GROUPS] = "SELECT id, name, (SELECT count(DISTINCT jurisdiction_id) FROM jgroup_member"
                       "  WHERE jgroup_member.group_id = jgroup.id)"
                       " FROM jgroup WHERE (?3 IS NULL OR EXISTS (SELECT 1 FROM jgroup_member AS m"
                       "  WHERE m.group_id = jgroup.id AND m.jurisdiction_id = ?3))"
                       " ORDER BY id",
    [CX_LIST_STACKS] = NULL, /* from the rule packs: cx_rules_list_stacks */
    [CX_LIST_PROVIDERS] = "SELECT id, name, jurisdiction_id FROM provider"
                          " WHERE (?3 IS NULL OR jurisdiction_id = ?3) ORDER BY id",
};

/* The text of column i, NULL when SQL NULL. */
static const char *col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* The current row of st as kind's cx_list_row. */
static cx_list_row list_row(sqlite3_stmt *st, cx_list_kind kind)
{
    cx_list_row row = {.kind = kind, .id = col_text(st, 0), .count = -1};
    switch (kind) {
    case CX_LIST_CREDENTIALS:
        row.name = col_text(st, 1);
        row.type = col_text(st, 2);
        row.provider = col_text(st, 3);
        row.jurisdiction = col_text(st, 4);
        break;
    case CX_LIST_HOLDERS:
        row.jurisdiction = col_text(st, 1);
        row.count = sqlite3_column_int64(st, 2);
        break;
    case CX_LIST_GROUPS:
        row.name = col_text(st, 1);
        row.count = sqlite3_column_int64(st, 2);
        break;
    case CX_LIST_PROVIDERS:
        row.name = col_text(st, 1);
        row.jurisdiction = col_text(st, 2);
        break;
    case CX_LIST_STACKS:
        break;
    }
    return row;
}

static int registry_list(cx_registry *r, cx_list_kind kind, const cx_list_filter *filter,
                         cx_list_fn fn, void *ud, cx_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = cx__list_check_filter(kind, filter, err), step = SQLITE_DONE;
    if (rc) return rc;
    if (!list_sql[kind])
        return cx__error(err, CX_EUSAGE, NULL, 0, 0,
                         "%s come from the rule packs, not the registry", cx_list_kind_name(kind));
    if ((rc = cx__reg_prepare(r, list_sql[kind], &st, err))) return rc;
    if (filter) {
        cx__reg_bind_text(st, 1, filter->type);
        cx__reg_bind_text(st, 2, filter->tag);
        cx__reg_bind_text(st, 3, filter->jurisdiction);
        cx__reg_bind_text(st, 4, filter->provider);
    }
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        cx_list_row row = list_row(st, kind);
        rc = fn(ud, &row);
    }
    if (!rc && step != SQLITE_DONE) rc = cx__reg_error(r, err, "cannot list the registry");
    sqlite3_finalize(st);
    return rc;
}

int cx_registry_list(cx_registry *r, cx_list_kind kind, const cx_list_filter *filter, cx_list_fn fn,
                     void *ud, cx_error *err)
{
    return CX__REGISTRY_CALL(r, err, registry_list(r, kind, filter, fn, ud, err));
}
