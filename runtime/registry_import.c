/*
 * registry_import.c -- the import writer: writes a checked catalog model
 * (catalog_model.h) into the registry in one transaction, its removals
 * first. It never parses YAML nor resolves references (catalog.c does both,
 * in the check it hands cx__registry_import, under the write lock).
 */
#include "registry_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

#define PROGRESS_EVERY 10000
/* ---------------------------------------------------------------- import */

/* The statements of one import, prepared once, indexed by these names. An
 * entity that can own lists has two: X_NEW inserts it when its id is new
 * (ON CONFLICT DO NOTHING, so sqlite3_changes() says whether it existed)
 * and X, the upsert, runs only for an id that existed, followed by the
 * deletes that replace its lists. A fresh import thus runs no DELETE. */
enum {
    S_JURISDICTION,
    S_GROUP_NEW,
    S_GROUP,
    S_MEMBERS_DEL,
    S_MEMBER,
    S_PROVIDER,
    S_FRAMEWORK,
    S_COMPETENCY,
    S_CREDENTIAL_NEW,
    S_CREDENTIAL,
    S_CRED_COMPETENCIES_DEL,
    S_CRED_TAGS_DEL,
    S_CRED_CODES_DEL,
    S_CRED_ATTRS_DEL,
    S_CRED_GRADES_DEL,
    S_CRED_COMPETENCY,
    S_CRED_TAG,
    S_CRED_CODE,
    S_CRED_ATTR,
    S_CRED_GRADE,
    S_HOLDER_NEW,
    S_HOLDER,
    S_HOLDER_ATTRS_DEL,
    S_HOLDER_AWARD_IDS,
    S_HOLDER_AWARDS_DEL,
    S_HOLDER_ATTR,
    S_AWARD_NEW,
    S_AWARD,
    S_AWARD_ROW_NEW,
    S_AWARD_RESULTS_DEL,
    S_AWARD_RESULT,
    S_SOURCE_RESULTS_DEL,
    S_SOURCE_DEL,
    S_EXCEPTION,
    S_BUMP,
    S_COUNT
};

static const char *const import_sql[S_COUNT] = {
    [S_JURISDICTION] = "INSERT INTO jurisdiction(id, name, kind) VALUES (?1, ?2, ?3)"
                       " ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind",
    [S_GROUP_NEW] = GROUP_VALUES " ON CONFLICT(id) DO NOTHING",
    [S_GROUP] = GROUP_VALUES " ON CONFLICT(id) DO UPDATE SET name = excluded.name",
    [S_MEMBERS_DEL] = "DELETE FROM jgroup_member WHERE group_id = ?1",
    [S_MEMBER] = "INSERT INTO jgroup_member(group_id, jurisdiction_id, from_date, until_date,"
                 " status) VALUES (?1, ?2, ?3, ?4, ?5)",
    [S_PROVIDER] = "INSERT INTO provider(id, name, jurisdiction_id) VALUES (?1, ?2, ?3)"
                   " ON CONFLICT(id) DO UPDATE SET name = excluded.name,"
                   " jurisdiction_id = excluded.jurisdiction_id",
    [S_FRAMEWORK] = "INSERT INTO framework(id, name) VALUES (?1, ?2)"
                    " ON CONFLICT(id) DO UPDATE SET name = excluded.name",
    [S_COMPETENCY] = "INSERT INTO competency(id, framework_id, text, parent_id)"
                     " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(id) DO UPDATE SET"
                     " framework_id = excluded.framework_id, text = excluded.text,"
                     " parent_id = excluded.parent_id",
    [S_CREDENTIAL_NEW] = CREDENTIAL_VALUES " ON CONFLICT(id) DO NOTHING",
    [S_CREDENTIAL] = CREDENTIAL_VALUES " ON CONFLICT(id) DO UPDATE SET name = excluded.name,"
                                       " type = excluded.type, provider_id = excluded.provider_id,"
                                       " jurisdiction_id = excluded.jurisdiction_id,"
                                       " hours = excluded.hours, valid_for = excluded.valid_for,"
                                       " version = excluded.version,"
                                       " effective_from = excluded.effective_from,"
                                       " effective_until = excluded.effective_until",
    [S_CRED_COMPETENCIES_DEL] = "DELETE FROM credential_competency WHERE credential_id = ?1",
    [S_CRED_TAGS_DEL] = "DELETE FROM credential_tag WHERE credential_id = ?1",
    [S_CRED_CODES_DEL] = "DELETE FROM credential_code WHERE credential_id = ?1",
    [S_CRED_ATTRS_DEL] = "DELETE FROM credential_attr WHERE credential_id = ?1",
    [S_CRED_GRADES_DEL] = "DELETE FROM credential_grade WHERE credential_id = ?1",
    [S_CRED_COMPETENCY] = "INSERT INTO credential_competency(credential_id, competency_id)"
                          " VALUES (?1, ?2) ON CONFLICT DO NOTHING",
    [S_CRED_TAG] = "INSERT INTO credential_tag(credential_id, tag) VALUES (?1, ?2)"
                   " ON CONFLICT DO NOTHING",
    [S_CRED_CODE] = "INSERT INTO credential_code(credential_id, scheme, code)"
                    " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    [S_CRED_ATTR] = "INSERT INTO credential_attr(credential_id, key, value) VALUES (?1, ?2, ?3)"
                    " ON CONFLICT(credential_id, key) DO UPDATE SET value = excluded.value",
    [S_CRED_GRADE] = "INSERT INTO credential_grade(credential_id, rank, grade)"
                     " VALUES (?1, ?2, ?3)",
    [S_HOLDER_NEW] = HOLDER_VALUES " ON CONFLICT(id) DO NOTHING",
    [S_HOLDER] =
        HOLDER_VALUES " ON CONFLICT(id) DO UPDATE SET jurisdiction_id = excluded.jurisdiction_id",
    [S_HOLDER_ATTRS_DEL] = "DELETE FROM holder_attr WHERE holder_id = ?1",
    [S_HOLDER_AWARD_IDS] = "SELECT id FROM award WHERE holder_id = ?1",
    [S_HOLDER_AWARDS_DEL] = "DELETE FROM award WHERE holder_id = ?1",
    [S_HOLDER_ATTR] = "INSERT INTO holder_attr(holder_id, key, value) VALUES (?1, ?2, ?3)"
                      " ON CONFLICT(holder_id, key) DO UPDATE SET value = excluded.value",
    [S_AWARD_NEW] = AWARD_VALUES " ON CONFLICT(id) DO NOTHING",
    [S_AWARD] =
        AWARD_VALUES " ON CONFLICT(id) DO UPDATE SET holder_id = excluded.holder_id,"
                     " credential_id = excluded.credential_id, issued = excluded.issued,"
                     " expires = excluded.expires,"
                     " jurisdiction_id = excluded.jurisdiction_id,"
                     " hours = excluded.hours, status = excluded.status,"
                     " grade = excluded.grade, evidence = excluded.evidence,"
                     " prov_format = excluded.prov_format,"
                     " prov_source_id = excluded.prov_source_id,"
                     " prov_issuer = excluded.prov_issuer, prov_proof = excluded.prov_proof,"
                     " prov_verification = excluded.prov_verification,"
                     " prov_note = excluded.prov_note,"
                     " prov_status_checked = excluded.prov_status_checked",
    [S_AWARD_ROW_NEW] =
        "INSERT INTO award(id, holder_id, credential_id, issued, expires, jurisdiction_id, hours,"
        " status, grade, evidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, coalesce(?8, 'active'), ?9,"
        " ?10) ON CONFLICT(id) DO NOTHING",
    [S_AWARD_RESULTS_DEL] = "DELETE FROM award_result WHERE award_id = ?1",
    [S_AWARD_RESULT] = "INSERT INTO award_result(award_id, key, value) VALUES (?1, ?2, ?3)"
                       " ON CONFLICT(award_id, key) DO UPDATE SET value = excluded.value",
    [S_SOURCE_RESULTS_DEL] = "DELETE FROM award_result WHERE award_id ="
                             " (SELECT id FROM award WHERE prov_source_id = ?1 AND id <> ?2)",
    [S_SOURCE_DEL] = "DELETE FROM award WHERE prov_source_id = ?1 AND id <> ?2",
    [S_EXCEPTION] = "INSERT INTO exception(holder_id, stack, waive, substitute_for,"
                    " substitute_use, \"by\", reason, file, line)"
                    " VALUES (?1, ?2, coalesce(?3, ''), coalesce(?4, ''), ?5, ?6, ?7, ?8, ?9)"
                    " ON CONFLICT(holder_id, stack, waive, substitute_for) DO UPDATE SET"
                    " substitute_use = excluded.substitute_use, \"by\" = excluded.\"by\","
                    " reason = excluded.reason, file = excluded.file, line = excluded.line",
    [S_BUMP] = "UPDATE meta SET value = CAST(value AS INTEGER) + 1"
               " WHERE key = 'content_version'",
};

/* The state of one running import. */
typedef struct import_ctx {
    cx_registry *r;
    sqlite3_stmt *st[S_COUNT];
    cx_progress_fn progress; /* or NULL */
    void *progress_ud;
    uint64_t done, total;   /* entities written, and to write */
    cx__digest_delta delta; /* the holder tables' rows as written (registry_fsck.c) */
    cx__row_hasher row;     /* the row being added to delta */
    cx_error *err;
    int holders_done; /* 1: every holder is written (cx__registry_import_ahead) */
} import_ctx;

/* Steps statement which (parameters bound by the caller) and resets it. On
 * failure err names the entity being written (what, id) at its location. */
static int run(import_ctx *ctx, int which, const cx_loc *loc, const char *what, const char *id)
{
    sqlite3_stmt *st = ctx->st[which];
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return CX_OK;
    }
    cx__error(ctx->err, CX_EREGISTRY, loc && loc->file ? loc->file : cx__reg_err_file(ctx->r),
              loc ? loc->line : 0, loc ? loc->column : 0, "cannot write %s '%s': %s", what,
              id ? id : "", sqlite3_errmsg(ctx->r->db));
    sqlite3_reset(st);
    return CX_EREGISTRY;
}

/* Binds id to ?1 of statement which and runs it (the per-id deletes). */
static int run_id(import_ctx *ctx, int which, const cx_loc *loc, const char *what, const char *id)
{
    cx__reg_bind_text(ctx->st[which], 1, id);
    return run(ctx, which, loc, what, id);
}

/* Binds an entity's columns to a statement of its kind. */
typedef void (*bind_fn)(sqlite3_stmt *st, const void *entity);

/* Writes an entity with statement fresh (which + 1 is its upsert): runs
 * the insert-if-new, and when the id existed, the upsert. *old tells the
 * caller whether to replace the entity's lists. */
static int write_entity(import_ctx *ctx, int fresh, bind_fn bind, const void *entity,
                        const cx_loc *loc, const char *what, const char *id, int *old)
{
    bind(ctx->st[fresh], entity);
    int rc = run(ctx, fresh, loc, what, id);
    *old = !rc && sqlite3_changes(ctx->r->db) == 0;
    if (!*old) return rc;
    bind(ctx->st[fresh + 1], entity);
    return run(ctx, fresh + 1, loc, what, id);
}

/* Counts one entity written and reports progress every PROGRESS_EVERY. */
static void tick(import_ctx *ctx)
{
    ctx->done++;
    if (ctx->progress && (ctx->done % PROGRESS_EVERY == 0 || ctx->done == ctx->total))
        ctx->progress(ctx->progress_ud, "writing", ctx->done, ctx->total);
}

static int write_jurisdictions(import_ctx *ctx, const cx_catalog *cat)
{
    sqlite3_stmt *st = ctx->st[S_JURISDICTION];
    for (size_t i = 0; i < cat->jurisdictions.n; i++) {
        const cx_cat_jurisdiction *j = &cat->jurisdictions.v[i];
        cx__reg_bind_text(st, 1, j->id);
        cx__reg_bind_text(st, 2, j->name);
        cx__reg_bind_text(st, 3, j->kind);
        int rc = run(ctx, S_JURISDICTION, &j->loc, "jurisdiction", j->id);
        if (rc) return rc;
        tick(ctx);
    }
    return CX_OK;
}

static void bind_group(sqlite3_stmt *st, const void *entity)
{
    const cx_cat_group *g = entity;
    cx__reg_bind_text(st, 1, g->id);
    cx__reg_bind_text(st, 2, g->name);
}

/* Writes a group and replaces its member list. */
static int write_group(import_ctx *ctx, const cx_cat_group *g)
{
    sqlite3_stmt *st = ctx->st[S_MEMBER];
    int old = 0;
    int rc = write_entity(ctx, S_GROUP_NEW, bind_group, g, &g->loc, "group", g->id, &old);
    if (!rc && old) rc = run_id(ctx, S_MEMBERS_DEL, &g->loc, "group", g->id);
    for (size_t i = 0; i < g->nmembers && !rc; i++) {
        const cx_cat_membership *m = &g->members[i];
        cx__reg_bind_text(st, 1, g->id);
        cx__reg_bind_text(st, 2, m->jurisdiction);
        cx__reg_bind_text(st, 3, m->from);
        cx__reg_bind_text(st, 4, m->until);
        cx__reg_bind_text(st, 5, m->status);
        rc = run(ctx, S_MEMBER, &m->loc, "membership of group", g->id);
    }
    return rc;
}

static int write_groups(import_ctx *ctx, const cx_catalog *cat)
{
    for (size_t i = 0; i < cat->groups.n; i++) {
        int rc = write_group(ctx, &cat->groups.v[i]);
        if (rc) return rc;
        tick(ctx);
    }
    return CX_OK;
}

static int write_providers(import_ctx *ctx, const cx_catalog *cat)
{
    sqlite3_stmt *st = ctx->st[S_PROVIDER];
    for (size_t i = 0; i < cat->providers.n; i++) {
        const cx_cat_provider *p = &cat->providers.v[i];
        cx__reg_bind_text(st, 1, p->id);
        cx__reg_bind_text(st, 2, p->name);
        cx__reg_bind_text(st, 3, p->jurisdiction);
        int rc = run(ctx, S_PROVIDER, &p->loc, "provider", p->id);
        if (rc) return rc;
        tick(ctx);
    }
    return CX_OK;
}

static int write_frameworks(import_ctx *ctx, const cx_catalog *cat)
{
    sqlite3_stmt *st = ctx->st[S_FRAMEWORK];
    for (size_t i = 0; i < cat->frameworks.n; i++) {
        const cx_cat_framework *f = &cat->frameworks.v[i];
        cx__reg_bind_text(st, 1, f->id);
        cx__reg_bind_text(st, 2, f->name);
        int rc = run(ctx, S_FRAMEWORK, &f->loc, "framework", f->id);
        if (rc) return rc;
        tick(ctx);
    }
    return CX_OK;
}

static int write_competencies(import_ctx *ctx, const cx_catalog *cat)
{
    sqlite3_stmt *st = ctx->st[S_COMPETENCY];
    for (size_t i = 0; i < cat->competencies.n; i++) {
        const cx_cat_competency *c = &cat->competencies.v[i];
        cx__reg_bind_text(st, 1, c->id);
        cx__reg_bind_text(st, 2, c->framework);
        cx__reg_bind_text(st, 3, c->text);
        cx__reg_bind_text(st, 4, c->parent);
        int rc = run(ctx, S_COMPETENCY, &c->loc, "competency", c->id);
        if (rc) return rc;
        tick(ctx);
    }
    return CX_OK;
}

/* Writes (credential id, value) rows: competencies and tags. */
static int write_cred_list(import_ctx *ctx, int which, const cx_cat_credential *c,
                           const char *const *values, size_t n)
{
    sqlite3_stmt *st = ctx->st[which];
    for (size_t i = 0; i < n; i++) {
        cx__reg_bind_text(st, 1, c->id);
        cx__reg_bind_text(st, 2, values[i]);
        int rc = run(ctx, which, &c->loc, "credential", c->id);
        if (rc) return rc;
    }
    return CX_OK;
}

/* Writes (credential id, key, value) rows: codes and attributes. */
static int write_cred_pairs(import_ctx *ctx, int which, const cx_cat_credential *c,
                            const cx_cat_kv *kv, size_t n)
{
    sqlite3_stmt *st = ctx->st[which];
    for (size_t i = 0; i < n; i++) {
        cx__reg_bind_text(st, 1, c->id);
        cx__reg_bind_text(st, 2, kv[i].key);
        cx__reg_bind_text(st, 3, kv[i].value);
        int rc = run(ctx, which, &c->loc, "credential", c->id);
        if (rc) return rc;
    }
    return CX_OK;
}

static int write_cred_grades(import_ctx *ctx, const cx_cat_credential *c)
{
    sqlite3_stmt *st = ctx->st[S_CRED_GRADE];
    for (size_t i = 0; i < c->ngrade_scale; i++) {
        cx__reg_bind_text(st, 1, c->id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        cx__reg_bind_text(st, 3, c->grade_scale[i]);
        int rc = run(ctx, S_CRED_GRADE, &c->loc, "credential", c->id);
        if (rc) return rc;
    }
    return CX_OK;
}

static void bind_credential(sqlite3_stmt *st, const void *entity)
{
    const cx_cat_credential *c = entity;
    cx__reg_bind_text(st, 1, c->id);
    cx__reg_bind_text(st, 2, c->name);
    cx__reg_bind_text(st, 3, c->type);
    cx__reg_bind_text(st, 4, c->provider);
    cx__reg_bind_text(st, 5, c->jurisdiction);
    cx__reg_bind_number(st, 6, c->hours);
    cx__reg_bind_text(st, 7, c->valid_for);
    cx__reg_bind_text(st, 8, c->version);
    cx__reg_bind_text(st, 9, c->effective_from);
    cx__reg_bind_text(st, 10, c->effective_until);
}

/* Writes a credential and replaces its competencies, tags, codes,
 * attributes and grade scale; its awards are left alone. */
static int write_credential(import_ctx *ctx, const cx_cat_credential *c)
{
    static const int dels[] = {S_CRED_COMPETENCIES_DEL, S_CRED_TAGS_DEL, S_CRED_CODES_DEL,
                               S_CRED_ATTRS_DEL, S_CRED_GRADES_DEL};
    int old = 0;
    int rc =
        write_entity(ctx, S_CREDENTIAL_NEW, bind_credential, c, &c->loc, "credential", c->id, &old);
    for (size_t i = 0; i < CX_COUNT(dels) && !rc && old; i++)
        rc = run_id(ctx, dels[i], &c->loc, "credential", c->id);
    if (!rc) rc = write_cred_list(ctx, S_CRED_COMPETENCY, c, c->competencies, c->ncompetencies);
    if (!rc) rc = write_cred_list(ctx, S_CRED_TAG, c, c->tags, c->ntags);
    if (!rc) rc = write_cred_pairs(ctx, S_CRED_CODE, c, c->codes, c->ncodes);
    if (!rc) rc = write_cred_pairs(ctx, S_CRED_ATTR, c, c->attributes, c->nattributes);
    if (!rc) rc = write_cred_grades(ctx, c);
    return rc;
}

static int write_credentials(import_ctx *ctx, const cx_catalog *cat)
{
    for (size_t i = 0; i < cat->credentials.n; i++) {
        int rc = write_credential(ctx, &cat->credentials.v[i]);
        if (rc) return rc;
        tick(ctx);
    }
    return CX_OK;
}

/* An award with its holder, for bind_award. */
typedef struct held_award {
    const cx_cat_holder *holder;
    const cx_cat_award *award;
} held_award;

/* An award's first ten columns, id to evidence: all a CSV row can give. */
static void bind_award_row(sqlite3_stmt *st, const char *holder, const cx_cat_award *a)
{
    cx__reg_bind_text(st, 1, a->id);
    cx__reg_bind_text(st, 2, holder);
    cx__reg_bind_text(st, 3, a->credential);
    cx__reg_bind_text(st, 4, a->issued);
    cx__reg_bind_text(st, 5, a->expires);
    cx__reg_bind_text(st, 6, a->jurisdiction);
    cx__reg_bind_number(st, 7, a->hours);
    cx__reg_bind_text(st, 8, a->status);
    cx__reg_bind_text(st, 9, a->grade);
    cx__reg_bind_text(st, 10, a->evidence);
}

static void bind_award(sqlite3_stmt *st, const void *entity)
{
    const held_award *ha = entity;
    const cx_cat_award *a = ha->award;
    bind_award_row(st, ha->holder->id, a);
    const cx_cat_provenance *p = a->provenance;
    cx__reg_bind_text(st, 11, p ? p->format : NULL);
    cx__reg_bind_text(st, 12, p ? p->source_id : NULL);
    cx__reg_bind_text(st, 13, p ? p->issuer : NULL);
    cx__reg_bind_text(st, 14, p ? p->proof : NULL);
    cx__reg_bind_text(st, 15, p ? p->verification : NULL);
    cx__reg_bind_text(st, 16, p ? p->note : NULL);
    cx__reg_bind_text(st, 17, p ? p->status_checked : NULL);
}

/* Re-importing a credential replaces its award (docs/registry.md): the
 * award of another id with the same provenance source_id goes, results
 * first. */
static int replace_source(import_ctx *ctx, const cx_cat_award *a)
{
    static const int dels[] = {S_SOURCE_RESULTS_DEL, S_SOURCE_DEL};
    int rc = CX_OK;
    if (!a->provenance || !a->provenance->source_id) return CX_OK;
    for (size_t i = 0; i < CX_COUNT(dels) && !rc; i++) {
        cx__reg_bind_text(ctx->st[dels[i]], 1, a->provenance->source_id);
        cx__reg_bind_text(ctx->st[dels[i]], 2, a->id);
        rc = run(ctx, dels[i], &a->loc, "award", a->id);
    }
    return rc;
}

/* Writes the results of award a (its old ones gone). */
static int write_results(import_ctx *ctx, const cx_cat_award *a)
{
    sqlite3_stmt *st = ctx->st[S_AWARD_RESULT];
    int rc = CX_OK;
    for (size_t i = 0; i < a->nresults && !rc; i++) {
        cx__reg_bind_text(st, 1, a->id);
        cx__reg_bind_text(st, 2, a->results[i].key);
        cx__reg_bind_text(st, 3, a->results[i].value);
        rc = run(ctx, S_AWARD_RESULT, &a->loc, "award", a->id);
    }
    return rc;
}

/* Writes an award and its results. Its holder's old awards are gone by
 * now, so an id that exists belongs to a holder this import does not
 * touch: the award moves to this holder and its old results go. */
static int write_award(import_ctx *ctx, const cx_cat_holder *h, const cx_cat_award *a)
{
    held_award ha = {h, a};
    int old = 0;
    int rc = replace_source(ctx, a);
    if (!rc) rc = write_entity(ctx, S_AWARD_NEW, bind_award, &ha, &a->loc, "award", a->id, &old);
    if (!rc && old) rc = run_id(ctx, S_AWARD_RESULTS_DEL, &a->loc, "award", a->id);
    return rc ? rc : write_results(ctx, a);
}

/* A new holder row (id, jurisdiction_id) into the holder table's digest. */
static void digest_holder(import_ctx *ctx, const cx_cat_holder *h)
{
    cx__row_begin(&ctx->row);
    cx__row_text(&ctx->row, h->id);
    cx__row_text(&ctx->row, h->jurisdiction);
    cx__row_end(&ctx->row, &ctx->delta.added[CX_DIGEST_HOLDER]);
}

/* A new award row of S_AWARD_ROW_NEW into the award table's digest: its
 * columns as stored, in table order (the status defaults to active, the
 * seven provenance columns are NULL). */
static void digest_award_row(import_ctx *ctx, const char *holder, const cx_cat_award *a)
{
    cx__row_hasher *row = &ctx->row;
    cx__row_begin(row);
    cx__row_text(row, a->id);
    cx__row_text(row, holder);
    cx__row_text(row, a->credential);
    cx__row_text(row, a->issued);
    cx__row_text(row, a->expires);
    cx__row_text(row, a->jurisdiction);
    if (a->hours == CX_NO_NUMBER)
        cx__row_text(row, NULL);
    else
        cx__row_int(row, a->hours);
    cx__row_text(row, a->status ? a->status : "active");
    cx__row_text(row, a->grade);
    cx__row_text(row, a->evidence);
    for (int i = 0; i < 7; i++) cx__row_text(row, NULL); /* prov_format .. prov_status_checked */
    cx__row_end(row, &ctx->delta.added[CX_DIGEST_AWARD]);
}

/* An award of a holder this import writes: one without provenance by the
 * ten columns of a CSV row (S_AWARD_ROW_NEW: seven binds and their
 * columns fewer) and into the award digest, an id that exists or a
 * provenance by write_award, whose tables are then hashed again. */
static int write_holder_award(import_ctx *ctx, const cx_cat_holder *h, const cx_cat_award *a)
{
    if (!a->provenance) {
        bind_award_row(ctx->st[S_AWARD_ROW_NEW], h->id, a);
        int rc = run(ctx, S_AWARD_ROW_NEW, &a->loc, "award", a->id);
        if (rc) return rc;
        if (sqlite3_changes(ctx->r->db)) {
            digest_award_row(ctx, h->id, a);
            if (a->nresults) ctx->delta.rescan[CX_DIGEST_AWARD_RESULT] = 1;
            return write_results(ctx, a);
        }
    }
    ctx->delta.rescan[CX_DIGEST_AWARD] = ctx->delta.rescan[CX_DIGEST_AWARD_RESULT] = 1;
    return write_award(ctx, h, a);
}

static void bind_holder(sqlite3_stmt *st, const void *entity)
{
    const cx_cat_holder *h = entity;
    cx__reg_bind_text(st, 1, h->id);
    cx__reg_bind_text(st, 2, h->jurisdiction);
}

/* Deletes the results of holder h's awards, one award at a time ("WHERE
 * award_id IN (SELECT ...)" would build a temporary b-tree per holder). */
static int delete_holder_results(import_ctx *ctx, const cx_cat_holder *h)
{
    sqlite3_stmt *ids = ctx->st[S_HOLDER_AWARD_IDS];
    int rc = CX_OK, step = SQLITE_DONE;
    cx__reg_bind_text(ids, 1, h->id);
    while (!rc && (step = sqlite3_step(ids)) == SQLITE_ROW)
        rc = run_id(ctx, S_AWARD_RESULTS_DEL, &h->loc, "holder",
                    (const char *)sqlite3_column_text(ids, 0));
    if (!rc && step != SQLITE_DONE)
        rc = cx__error(ctx->err, CX_EREGISTRY, h->loc.file, h->loc.line, h->loc.column,
                       "cannot replace the awards of holder '%s': %s", h->id,
                       sqlite3_errmsg(ctx->r->db));
    sqlite3_reset(ids);
    return rc;
}

/* Writes a holder and replaces its attributes and its whole award list;
 * a holder that gains awards (CSV) is only created when new, and keeps
 * what it has. */
static int write_holder(import_ctx *ctx, const cx_cat_holder *h)
{
    sqlite3_stmt *st = ctx->st[S_HOLDER_ATTR];
    int old = 0, rc;
    if (h->add_awards) {
        bind_holder(ctx->st[S_HOLDER_NEW], h);
        rc = run(ctx, S_HOLDER_NEW, &h->loc, "holder", h->id);
        if (!rc && sqlite3_changes(ctx->r->db)) digest_holder(ctx, h);
    } else {
        rc = write_entity(ctx, S_HOLDER_NEW, bind_holder, h, &h->loc, "holder", h->id, &old);
        if (!rc && !old) digest_holder(ctx, h);
    }
    if (old) /* its row, attributes, awards and their results replaced */
        for (int k = 0; k < CX_DIGEST_FOLLOWED; k++) ctx->delta.rescan[k] = 1;
    if (h->nattributes) ctx->delta.rescan[CX_DIGEST_HOLDER_ATTR] = 1;
    if (!rc && old) rc = run_id(ctx, S_HOLDER_ATTRS_DEL, &h->loc, "holder", h->id);
    if (!rc && old) rc = delete_holder_results(ctx, h);
    if (!rc && old) rc = run_id(ctx, S_HOLDER_AWARDS_DEL, &h->loc, "holder", h->id);
    for (size_t i = 0; i < h->nattributes && !rc; i++) {
        cx__reg_bind_text(st, 1, h->id);
        cx__reg_bind_text(st, 2, h->attributes[i].key);
        cx__reg_bind_text(st, 3, h->attributes[i].value);
        rc = run(ctx, S_HOLDER_ATTR, &h->loc, "holder", h->id);
    }
    for (size_t i = 0; i < h->nawards && !rc; i++) {
        rc = write_holder_award(ctx, h, &h->awards[i]);
        if (!rc) tick(ctx);
    }
    return rc;
}

/* Holders that replace their awards first, then those that gain awards,
 * under a 64 MiB cache: a million holders' awards would fill the 256 MiB
 * with pages written once, on top of the model (docs/performance.md,
 * "Issue 16: the streaming import"). */
static int write_holders(import_ctx *ctx, const cx_catalog *cat)
{
    if (ctx->holders_done) return CX_OK;
    if (cat->holders.n) {
        int rc = cx__reg_exec(ctx->r, "PRAGMA cache_size = -65536", ctx->err);
        if (rc) return rc;
    }
    for (size_t i = 0; i < 2 * cat->holders.n; i++) {
        const cx_cat_holder *h = &cat->holders.v[i % cat->holders.n];
        if (h->add_awards != (i >= cat->holders.n)) continue;
        int rc = write_holder(ctx, h);
        if (rc) return rc;
        tick(ctx);
    }
    return CX_OK;
}

/* One award of a stream, written as a model award of a holder that gains
 * awards (the holder itself is written by now): a new id with the columns
 * a CSV row can give (no provenance) and its results; an id that exists,
 * through write_award's upsert. */
static int write_streamed(void *ud, const char *holder, const cx_cat_award *a, cx_error *err)
{
    import_ctx *ctx = ud;
    sqlite3_stmt *st = ctx->st[S_AWARD_ROW_NEW];
    cx_cat_holder h = {.id = holder, .add_awards = 1, .loc = a->loc};
    (void)err; /* ctx->err is the same */
    int rc = a->provenance ? write_award(ctx, &h, a) : CX_OK, fresh = 0;
    if (!a->provenance) {
        bind_award_row(st, holder, a);
        rc = run(ctx, S_AWARD_ROW_NEW, &a->loc, "award", a->id);
        fresh = !rc && sqlite3_changes(ctx->r->db);
        if (fresh) digest_award_row(ctx, holder, a);
        if (!rc) rc = fresh ? write_results(ctx, a) : write_award(ctx, &h, a);
    }
    /* anything but a new row without results: those tables are hashed again */
    if (!fresh) ctx->delta.rescan[CX_DIGEST_AWARD] = ctx->delta.rescan[CX_DIGEST_AWARD_RESULT] = 1;
    if (a->nresults) ctx->delta.rescan[CX_DIGEST_AWARD_RESULT] = 1;
    if (!rc) tick(ctx);
    return rc;
}

/* The awards of every stream (CSV award lists), read as they are written.
 * Their pages are written under SQLite's default cache, not the import's
 * 256 MiB: for millions of rows the large cache costs twice the system
 * time in spills to the log (docs/performance.md, "Issue 12"). */
static int write_streams(import_ctx *ctx, const cx_catalog *cat)
{
    if (cat->streams.n) {
        int rc = cx__reg_exec(ctx->r, "PRAGMA cache_size = -2000", ctx->err);
        if (rc) return rc;
    }
    for (size_t i = 0; i < cat->streams.n; i++) {
        const cx_cat_stream *s = &cat->streams.v[i];
        int rc = s->each(s->stream, write_streamed, ctx, ctx->err);
        if (rc) return rc;
    }
    return CX_OK;
}

static int write_exceptions(import_ctx *ctx, const cx_catalog *cat)
{
    sqlite3_stmt *st = ctx->st[S_EXCEPTION];
    for (size_t i = 0; i < cat->exceptions.n; i++) {
        const cx_cat_exception *e = &cat->exceptions.v[i];
        cx__reg_bind_text(st, 1, e->holder);
        cx__reg_bind_text(st, 2, e->stack);
        cx__reg_bind_text(st, 3, e->waive);
        cx__reg_bind_text(st, 4, e->substitute_for);
        cx__reg_bind_text(st, 5, e->substitute_use);
        cx__reg_bind_text(st, 6, e->by);
        cx__reg_bind_text(st, 7, e->reason);
        cx__reg_bind_text(st, 8, e->loc.file);
        if (e->loc.line > 0)
            sqlite3_bind_int(st, 9, e->loc.line);
        else
            sqlite3_bind_null(st, 9);
        int rc = run(ctx, S_EXCEPTION, &e->loc, "exception for holder", e->holder);
        if (rc) return rc;
        tick(ctx);
    }
    return CX_OK;
}

/* ------------------------------------------------------------- removals */

/* What still refers to what a removal removes, first rows first: kind, id
 * and holder (or NULL). Indexed by CX_CAT_RM_...; a membership has none. */
static const char *const dependents_sql[] = {
    [CX_CAT_RM_CREDENTIAL] = "SELECT 'award', id, holder_id FROM award WHERE credential_id = ?1"
                             " UNION ALL SELECT 'exception', stack, holder_id FROM exception"
                             " WHERE substitute_for = ?1 OR substitute_use = ?1"
                             " ORDER BY 1, 3, 2",
    [CX_CAT_RM_COMPETENCY] = "SELECT 'credential', credential_id, NULL FROM credential_competency"
                             " WHERE competency_id = ?1"
                             " UNION ALL SELECT 'competency', id, NULL FROM competency"
                             " WHERE parent_id = ?1 ORDER BY 1, 2",
    [CX_CAT_RM_MEMBERSHIP] = NULL,
};

static const char *const removal_kind[] = {"credential", "competency", "membership"};

#define DEPENDENTS_NAMED 3

/* Walks rm's dependents: with cascade each goes to cat->cascaded;
 * without, the first ones are named in a located error. */
static int dependents(import_ctx *ctx, const cx_catalog *cat, const cx_cat_removal *rm)
{
    sqlite3_stmt *st = NULL;
    char names[600] = "";
    size_t len = 0;
    int64_t n = 0;
    int step, rc = cx__reg_prepare(ctx->r, dependents_sql[rm->which], &st, ctx->err);
    if (rc) return rc;
    cx__reg_bind_text(st, 1, rm->id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(st, 0);
        const char *id = (const char *)sqlite3_column_text(st, 1);
        const char *holder = (const char *)sqlite3_column_text(st, 2);
        if (cat->cascade && cat->cascaded) cat->cascaded(cat->cascaded_ud, rm, kind, id, holder);
        if (!cat->cascade && n++ < DEPENDENTS_NAMED && len < sizeof names)
            len += (size_t)snprintf(names + len, sizeof names - len, "%s%s '%s'%s%s%s",
                                    len ? ", " : "", kind, id, holder ? " of holder '" : "",
                                    holder ? holder : "", holder ? "'" : "");
    }
    if (step != SQLITE_DONE) rc = cx__reg_error(ctx->r, ctx->err, "cannot read the registry");
    sqlite3_finalize(st);
    if (rc || !n) return rc;
    if (n > DEPENDENTS_NAMED)
        return cx__error(ctx->err, CX_EINPUT, rm->loc.file, rm->loc.line, rm->loc.column,
                         "cannot remove %s '%s': %s and %lld more still refer to it; remove "
                         "them first or import with --cascade",
                         removal_kind[rm->which], rm->id, names, (long long)(n - DEPENDENTS_NAMED));
    return cx__error(ctx->err, CX_EINPUT, rm->loc.file, rm->loc.line, rm->loc.column,
                     "cannot remove %s '%s': %s still refer%s to it; remove %s first or import "
                     "with --cascade",
                     removal_kind[rm->which], rm->id, names, n == 1 ? "s" : "",
                     n == 1 ? "it" : "them");
}

/* Runs every removal of cat, in order, before anything is defined. */
static int remove_all(import_ctx *ctx, const cx_catalog *cat)
{
    int rc = CX_OK;
    for (size_t i = 0; i < cat->removals.n && !rc; i++) {
        const cx_cat_removal *rm = &cat->removals.v[i];
        int64_t counts[CX_REMOVAL_STATEMENTS] = {0};
        if (dependents_sql[rm->which]) rc = dependents(ctx, cat, rm);
        if (!rc)
            rc = cx__registry_delete(ctx->r, rm->which, rm->id, rm->jurisdiction, counts, ctx->err);
        if (!rc && rm->which == CX_CAT_RM_MEMBERSHIP && counts[0] == 0)
            rc = cx__error(ctx->err, CX_EINPUT, rm->loc.file, rm->loc.line, rm->loc.column,
                           "cannot remove the membership of '%s' in group '%s': the registry "
                           "has none",
                           rm->jurisdiction, rm->id);
    }
    return rc;
}

/* Removes what cat removes, then writes every entity, parents before children. */
static int write_all(import_ctx *ctx, const cx_catalog *cat)
{
    int rc = remove_all(ctx, cat);
    if (!rc && cat->holders_first) rc = write_holders(ctx, cat);
    if (!rc) rc = write_jurisdictions(ctx, cat);
    if (!rc) rc = write_groups(ctx, cat);
    if (!rc) rc = write_providers(ctx, cat);
    if (!rc) rc = write_frameworks(ctx, cat);
    if (!rc) rc = write_competencies(ctx, cat);
    if (!rc) rc = write_credentials(ctx, cat);
    if (!rc && !cat->holders_first) rc = write_holders(ctx, cat);
    if (!rc) rc = write_streams(ctx, cat);
    if (!rc) rc = write_exceptions(ctx, cat);
    if (!rc) rc = run(ctx, S_BUMP, NULL, "content version", "");
    return rc;
}

/* Checks the foreign keys of the registry in one pass, inside the import
 * transaction (see cx__registry_import for why not row by row). A dangling
 * reference is one catalog.c should have reported with its location.
 *
 * The award table, the largest by far, is left out when the model was
 * checked (checked: the loader's check ran) and removes nothing: each
 * award's holder, credential and jurisdiction were resolved by the
 * loader's checks under this transaction's write lock,
 * and only a removal can take a parent away (holders and jurisdictions
 * are never removed). Checking it was a tenth of a 5,500,000-row CSV
 * import (docs/performance.md); credex fsck still checks every table. */
static int check_references(import_ctx *ctx, const cx_catalog *cat, int checked)
{
    static const char *const sql[2] = {
        "SELECT f.\"table\", f.parent FROM sqlite_schema AS s, pragma_foreign_key_check(s.name) AS "
        "f"
        " WHERE s.type = 'table' LIMIT 1",
        "SELECT f.\"table\", f.parent FROM sqlite_schema AS s, pragma_foreign_key_check(s.name) AS "
        "f"
        " WHERE s.type = 'table' AND s.name <> 'award' LIMIT 1",
    };
    cx_registry *r = ctx->r;
    sqlite3_stmt *st = NULL;
    int rc = cx__reg_prepare(r, sql[checked && cat->removals.n == 0], &st, ctx->err);
    if (rc) return rc;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const char *table = (const char *)sqlite3_column_text(st, 0);
        const char *parent = (const char *)sqlite3_column_text(st, 1);
        rc = cx__error(ctx->err, CX_EREGISTRY, cx__reg_err_file(r), 0, 0,
                       "cannot commit the import: FOREIGN KEY constraint failed"
                       " (a row of %s refers to a missing %s)",
                       table ? table : "?", parent ? parent : "?");
    } else if (step != SQLITE_DONE) {
        rc = cx__reg_error(r, ctx->err, "cannot check the registry's references");
    }
    sqlite3_finalize(st);
    return rc;
}

/* Whether the writer follows every change cat makes to the holder tables
 * (cx__digest_delta): it removes nothing, so that each holder and award row
 * written is a new one, added to the digest, or one that marks its tables
 * to be hashed again (write_holder, write_holder_award, write_streamed). */
static int follows_rows(const cx_catalog *cat)
{
    return cat->removals.n == 0;
}

static uint64_t entity_total(const cx_catalog *cat)
{
    return cat->jurisdictions.n + cat->groups.n + cat->providers.n + cat->frameworks.n +
           cat->competencies.n + cat->credentials.n + cat->holders.n + cat->nawards +
           cat->exceptions.n;
}

/* Runs the import proper inside the write transaction begun, up to
 * COMMIT: the checks, then the writing; on failure rolls it back. */
static int import_finish(import_ctx *ctx, const cx_catalog *cat, cx__import_check_fn check,
                         void *check_ud)
{
    cx_registry *r = ctx->r;
    int rc = check ? check(check_ud, ctx->err) : CX_OK;
    ctx->total = entity_total(cat);
    ctx->delta.exact = follows_rows(cat);
    if (!rc && ctx->progress) ctx->progress(ctx->progress_ud, "writing", 0, ctx->total);
    if (!rc) rc = write_all(ctx, cat);
    if (!rc) rc = check_references(ctx, cat, check != NULL);
    if (!rc) rc = cx__registry_record_import(r, cat, &ctx->delta, ctx->err); /* tamper evidence */
    cx__reg_writer_done(r);
    if (!rc && sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = cx__reg_error(r, ctx->err, "cannot commit the import");
    if (rc) sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* Runs the import proper inside BEGIN IMMEDIATE ... COMMIT. */
static int import_transaction(import_ctx *ctx, const cx_catalog *cat, cx__import_check_fn check,
                              void *check_ud)
{
    int rc = cx__reg_begin_write(ctx->r, "import", ctx->err);
    return rc ? rc : import_finish(ctx, cat, check, check_ud);
}

/* Per-row foreign-key enforcement is switched off for the import and the
 * whole registry checked once before COMMIT instead: SQLite opens a cursor
 * on every parent table for every row it inserts, which made enforcement
 * most of the cost of a large import; one PRAGMA foreign_key_check pass is
 * several times cheaper and refuses the same imports. (PRAGMA foreign_keys
 * must be set outside a transaction; nothing here relies on cascades.) */
static int import_setup(import_ctx *ctx)
{
    cx_registry *r = ctx->r;
    cx_error *err = ctx->err;
    int rc = cx__reg_exec(r, "PRAGMA foreign_keys = OFF", err);
    for (int i = 0; i < S_COUNT && !rc; i++)
        if (sqlite3_prepare_v3(r->db, import_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &ctx->st[i],
                               NULL) != SQLITE_OK)
            rc = cx__reg_error(r, err, "cannot prepare the import");
    /* WAL + synchronous=NORMAL cannot corrupt the registry; a power cut may
     * only lose the last committed import, which can be run again. FULL
     * (--sync full) syncs the WAL at every commit (docs/security.md). */
    if (!rc && !r->memory)
        rc = cx__reg_exec(
            r, r->sync_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL", err);
    if (!rc) rc = cx__reg_exec(r, "PRAGMA cache_size = -262144", err); /* 256 MiB */
    return rc;
}

/* Undoes import_setup, whether or not it succeeded. */
static void import_teardown(import_ctx *ctx)
{
    sqlite3 *db = ctx->r->db;
    for (int i = 0; i < S_COUNT; i++) sqlite3_finalize(ctx->st[i]);
    sqlite3_exec(db, "PRAGMA cache_size = -2000", NULL, NULL, NULL); /* SQLite's default */
    sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    sqlite3_db_release_memory(db);
}

int cx__registry_import(cx_registry *r, const cx_catalog *cat, cx__import_check_fn check,
                        void *check_ud, cx_progress_fn progress, void *progress_ud, cx_error *err)
{
    import_ctx ctx = {.r = r, .progress = progress, .progress_ud = progress_ud, .err = err};
    if (r->readonly)
        return cx__error(err, CX_EREGISTRY, r->path, 0, 0,
                         "registry %s is open read-only; cannot import", r->path);
    int rc = import_setup(&ctx);
    if (!rc) rc = import_transaction(&ctx, cat, check, check_ud);
    import_teardown(&ctx);
    return rc;
}

/* ------------------------------------------------ holders written ahead */

#define AHEAD_QUEUE 1024 /* holders handed over and not yet written, at most */

/* Holders the thread takes at once: it gives their slots back while the
 * reading thread fills the others. */
#define AHEAD_BATCH 64

/* An import whose holders a thread writes while the catalog is still read
 * (registry.h). The queue is a ring of holder copies; the thread takes
 * up to AHEAD_BATCH queued holders at once and writes them outside the
 * lock (the slots it reads are not reused until it gives them back). */
struct cx__import_ahead {
    import_ctx ctx;                   /* the import; the thread's until joined */
    cx_error err;                     /* the thread's first error */
    pthread_t thread;                 /* the writer */
    int started;                      /* 1: thread runs or is to be joined */
    pthread_mutex_t lock;             /* guards the fields below */
    pthread_cond_t changed;           /* the queue changed, or ended */
    cx_cat_holder queue[AHEAD_QUEUE]; /* ring of the holders handed over */
    size_t head, count;               /* first queued slot; slots queued */
    int ended;                        /* 1: no more holders come */
    int rc;                           /* the thread's first error code, or CX_OK */
    size_t written;                   /* holders written */
};

static void *ahead_writer(void *arg)
{
    cx__import_ahead *a = arg;
    pthread_mutex_lock(&a->lock);
    for (;;) {
        while (!a->count && !a->ended) pthread_cond_wait(&a->changed, &a->lock);
        size_t n = a->count < AHEAD_BATCH ? a->count : AHEAD_BATCH, head = a->head, written = 0;
        int rc = a->rc;
        if (!n) break;
        pthread_mutex_unlock(&a->lock);
        for (size_t i = 0; i < n && !rc; i++) {
            rc = write_holder(&a->ctx, &a->queue[(head + i) % AHEAD_QUEUE]);
            if (!rc) tick(&a->ctx);
            written += !rc;
        }
        pthread_mutex_lock(&a->lock);
        a->head = (head + n) % AHEAD_QUEUE;
        a->count -= n;
        a->written += written;
        if (!a->rc) a->rc = rc;
        pthread_cond_signal(&a->changed);
    }
    pthread_mutex_unlock(&a->lock);
    return NULL;
}

/* Begins the import's transaction if the write lock is free now. */
static int ahead_begin(cx__import_ahead *a)
{
    cx_registry *r = a->ctx.r;
    sqlite3_busy_timeout(r->db, 0);
    int rc = cx__reg_begin_write(r, "import", &a->err);
    sqlite3_busy_timeout(r->db, r->busy_timeout > 0 ? r->busy_timeout * 1000 : 0);
    if (rc) return rc;
    /* write_holders' cache, set before its first row as there */
    rc = cx__reg_exec(r, "PRAGMA cache_size = -65536", &a->err);
    if (rc) {
        cx__reg_writer_done(r);
        sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
    }
    return rc;
}

cx__import_ahead *cx__registry_import_ahead(cx_registry *r)
{
    cx__import_ahead *a = r->readonly ? NULL : calloc(1, sizeof *a);
    if (!a) return NULL;
    a->ctx.r = r;
    a->ctx.err = &a->err;
    a->ctx.holders_done = 1;
    int rc = import_setup(&a->ctx);
    if (rc || (rc = ahead_begin(a))) {
        import_teardown(&a->ctx);
        free(a);
        return NULL;
    }
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->changed, NULL);
    a->started = pthread_create(&a->thread, NULL, ahead_writer, a) == 0;
    if (!a->started) {
        cx__import_ahead_abandon(a);
        return NULL;
    }
    return a;
}

int cx__import_ahead_holder(cx__import_ahead *a, const cx_cat_holder *h)
{
    pthread_mutex_lock(&a->lock);
    while (a->count == AHEAD_QUEUE && !a->rc) pthread_cond_wait(&a->changed, &a->lock);
    int rc = a->rc ? -1 : 0;
    if (!rc) {
        a->queue[(a->head + a->count++) % AHEAD_QUEUE] = *h;
        pthread_cond_signal(&a->changed);
    }
    pthread_mutex_unlock(&a->lock);
    return rc;
}

/* Ends the queue and waits for the thread to write what it holds. */
static void ahead_join(cx__import_ahead *a)
{
    if (!a->started) return;
    pthread_mutex_lock(&a->lock);
    a->ended = 1;
    pthread_cond_signal(&a->changed);
    pthread_mutex_unlock(&a->lock);
    pthread_join(a->thread, NULL);
    a->started = 0;
}

/* Frees a, its thread joined and its transaction ended. */
static void ahead_free(cx__import_ahead *a)
{
    import_teardown(&a->ctx);
    pthread_cond_destroy(&a->changed);
    pthread_mutex_destroy(&a->lock);
    free(a);
}

void cx__import_ahead_abandon(cx__import_ahead *a)
{
    if (!a) return;
    ahead_join(a);
    cx__reg_writer_done(a->ctx.r);
    sqlite3_exec(a->ctx.r->db, "ROLLBACK", NULL, NULL, NULL);
    ahead_free(a);
}

int cx__registry_import_after(cx__import_ahead *a, const cx_catalog *cat, cx__import_check_fn check,
                              void *check_ud, cx_progress_fn progress, void *progress_ud,
                              cx_error *err)
{
    cx_registry *r = a->ctx.r;
    ahead_join(a);
    /* every holder written, as the import would write them: the rest is the
     * import's own, and so is its outcome (the checks, the references, the
     * commit). Else the transaction goes and the import runs the usual way. */
    int written = !a->rc && a->written == cat->holders.n && cat->holders_first, rc = CX_OK;
    if (written) {
        a->ctx.progress = progress;
        a->ctx.progress_ud = progress_ud;
        a->ctx.err = err;
        rc = import_finish(&a->ctx, cat, check, check_ud); /* rolled back on failure */
        a->ctx.err = &a->err;
    }
    if (written) { /* committed, or rolled back by import_finish */
        ahead_free(a);
        return rc;
    }
    cx__import_ahead_abandon(a);
    return cx__registry_import(r, cat, check, check_ud, progress, progress_ud, err);
}
