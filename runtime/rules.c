/*
 * rules.c -- the rules object (cx_rules): loading packs (files or sources
 * in memory) into the sandbox and handing each to the compiler, the
 * accessors the evaluator uses, counts, worker sandboxes, freeing; with a
 * pack trust set, each pack's signature is checked (pack_sig.c) before it
 * runs. It compiles nothing itself (compile*.c) and holds no SQL.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compile_int.h"
#include "pack_sig.h"
#include "registry.h"

/* ------------------------------------------------------- pack discovery */

/* The pack files the paths name: a file itself, a directory every *.lua
 * below it, in byte order of path. */
static int pack_paths(const char *const *paths, size_t npaths, cx_strlist *out, cx_error *err)
{
    for (size_t i = 0; i < npaths; i++) {
        struct stat st;
        size_t first = out->n;
        int rc = CX_OK;
        if (stat(paths[i], &st) != 0)
            return cx__error(err, CX_EINPUT, paths[i], 0, 0, "no such rule pack or directory");
        if (S_ISDIR(st.st_mode))
            rc = cx__walk_files(paths[i], ".lua", out, err);
        else if (cx__strlist_add(out, paths[i]) != 0)
            rc = cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory");
        if (rc) return rc;
        qsort(out->v + first, out->n - first, sizeof *out->v, cx__strcmp_ptr);
    }
    return CX_OK;
}

/* Diagnostics read best in file and line order; ties keep the order found. */
typedef struct ordered_diag {
    cx_diagnostic d;
    size_t seq;
} ordered_diag;

static int by_place(const void *a, const void *b)
{
    const ordered_diag *x = a, *y = b;
    int f = strcmp(x->d.file, y->d.file);
    if (f) return f;
    if (x->d.line != y->d.line) return x->d.line < y->d.line ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void sort_diagnostics(cx_diagnostics *d, size_t from)
{
    size_t n = d->count - from;
    ordered_diag *v = malloc(n * sizeof *v + 1);
    if (!v) return;
    for (size_t i = 0; i < n; i++) {
        v[i].d = d->items[from + i];
        v[i].seq = i;
    }
    qsort(v, n, sizeof *v, by_place);
    for (size_t i = 0; i < n; i++) d->items[from + i] = v[i].d;
    free(v);
}

/* ------------------------------------------------------------ public API */

const cx_snapshot *cx__rules_snapshot(const cx_rules *rs)
{
    return rs->snapshot;
}

struct cx_sandbox *cx__rules_sandbox(const cx_rules *rs)
{
    return rs->sandbox;
}

const cx_rule *const *cx__rules_by_id(const cx_rules *rs, size_t *n)
{
    *n = rs->nrules;
    return (const cx_rule *const *)rs->by_id;
}

const cx_rule *const *cx__rules_equivalences(const cx_rules *rs, size_t *n,
                                             const uint64_t **targets)
{
    *n = rs->nequivs;
    *targets = rs->equiv_to;
    return (const cx_rule *const *)rs->equivs;
}

const cx_rule *const *cx__rules_stacks(const cx_rules *rs, size_t *n)
{
    *n = rs->nstacks;
    return (const cx_rule *const *)rs->stacks;
}

void cx__rules_set_coverage(cx_rules *rs, const cx_coverage *cov)
{
    rs->coverage = cov;
}

const cx_coverage *cx__rules_coverage(const cx_rules *rs)
{
    return rs->coverage;
}

int cx__rules_enter(cx_rules *rs, cx_error *err)
{
    if (!atomic_exchange_explicit(&rs->in_use, true, memory_order_acquire)) return CX_OK;
    return cx__error(err, CX_EUSAGE, NULL, 0, 0,
                     "these rules are in use by another call (on another thread, or the call "
                     "whose callback this is): each thread needs its own cx_rules "
                     "(cx_rules_load; credex.h, \"Threads\")");
}

void cx__rules_leave(cx_rules *rs)
{
    atomic_store_explicit(&rs->in_use, false, memory_order_release);
}

const cx_pack_info *cx__rules_pack(const cx_rules *rs, int pack)
{
    return pack >= 0 && (size_t)pack < rs->npacks ? &rs->packs[pack] : NULL;
}

int cx__rules_worker(const cx_rules *rs, struct cx_sandbox **out, cx_error *err)
{
    cx_sandbox *sb = NULL;
    int rc = cx__sandbox_new(NULL, NULL, NULL, &sb, err);
    for (size_t i = 0; rc == CX_OK && i < rs->npacks; i++) {
        int pack;
        rc = cx__sandbox_load_buffer(sb, rs->packs[i].path, rs->packs[i].source,
                                     rs->packs[i].source_len, &pack, err);
        if (rc == CX_OK && (size_t)pack != i)
            rc = cx__error(err, CX_EINPUT, rs->packs[i].path, 0, 0,
                           "pack loaded out of order in a worker");
    }
    if (rc) {
        cx__sandbox_free(sb);
        return rc;
    }
    *out = sb;
    return CX_OK;
}

/* A view copies every member: a new one fails this until it is copied. */
_Static_assert(sizeof(void *) != 8 || sizeof(cx_rules) == 152,
               "cx__rules_view copies each member of cx_rules: copy the new one");

cx_rules *cx__rules_view(const cx_rules *rs, struct cx_sandbox *sb)
{
    cx_rules *v = calloc(1, sizeof *v);
    if (!v) return NULL;
    cx__arena_init(&v->arena); /* owns nothing: every pointer below is rs's */
    v->sandbox = sb;
    v->snapshot = rs->snapshot;
    v->packs = rs->packs;
    v->npacks = rs->npacks;
    v->rules = rs->rules;
    v->nrules = rs->nrules;
    v->caprules = rs->caprules;
    v->stacks = rs->stacks;
    v->nstacks = rs->nstacks;
    v->by_id = rs->by_id;
    v->equivs = rs->equivs;
    v->nequivs = rs->nequivs;
    v->equiv_to = rs->equiv_to;
    v->coverage = rs->coverage;
    atomic_init(&v->in_use, false);
    return v;
}

void cx__rules_view_free(cx_rules *view)
{
    free(view);
}

size_t cx_rules_pack_count(const cx_rules *rs)
{
    return rs ? rs->npacks : 0;
}

size_t cx_rules_rule_count(const cx_rules *rs)
{
    return rs ? rs->nrules : 0;
}

uint64_t cx_rules_holder_count(const cx_rules *rs)
{
    return rs && rs->snapshot ? cx__snapshot_count(rs->snapshot, CX_KIND_HOLDER) : 0;
}

void cx_rules_free(cx_rules *rs)
{
    if (!rs) return;
    cx__sandbox_free(rs->sandbox);
    cx__snapshot_free(rs->snapshot);
    free(rs->rules);
    cx__arena_free(&rs->arena);
    free(rs);
}

/* Reads a pack file whole into *data (malloc'd, NUL-terminated; the
 * caller frees it), refusing one larger than the sandbox's memory limit. */
static int read_pack_file(const char *path, char **data, size_t *len, cx_error *err)
{
    FILE *f = fopen(path, "rb");
    cx_buf b;
    char chunk[8192];
    size_t got;
    *data = NULL;
    if (!f)
        return cx__error(err, CX_EINPUT, path, 0, 0, "cannot open the pack: %s", strerror(errno));
    cx__buf_init(&b);
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < CX_SANDBOX_MEMORY)
        cx__buf_add(&b, chunk, got);
    int rc = CX_OK;
    if (ferror(f))
        rc = cx__error(err, CX_EINPUT, path, 0, 0, "cannot read the pack");
    else if (b.len >= CX_SANDBOX_MEMORY)
        rc = cx__error(err, CX_EINPUT, path, 0, 0, "the pack is larger than the memory limit");
    fclose(f);
    cx__buf_add(&b, "", 1); /* the NUL, and a buffer even for an empty file */
    if (rc || b.oom) {
        cx__buf_free(&b);
        return rc ? rc : cx__error(err, CX_ENOMEM, path, 0, 0, "out of memory");
    }
    *data = b.data;
    *len = b.len - 1;
    return CX_OK;
}

/* Loads the pack at path (its bytes from source, else from the file) into the
 * sandbox and keeps the bytes that ran in the rule set's arena. */
static int load_one(compiler *c, const char *path, const cx_pack_source *source, int *pack,
                    cx_error *err)
{
    char *owned = NULL;
    const char *data = source ? source->data : NULL;
    size_t len = source ? source->len : 0;
    int rc = source ? CX_OK : read_pack_file(path, &owned, &len, err);
    if (!rc && owned) data = owned;
    if (!rc) rc = cx__sandbox_load_buffer(c->rs->sandbox, path, data ? data : "", len, pack, err);
    if (!rc) {
        char *copy = alloc(c, len + 1);
        if (copy) {
            if (len) memcpy(copy, data, len);
            copy[len] = '\0';
        }
        c->rs->packs[*pack].source = copy;
        c->rs->packs[*pack].source_len = len;
        if (!copy) rc = cx__error(err, CX_ENOMEM, path, 0, 0, "out of memory");
    }
    free(owned);
    return rc;
}

/* A pack's error that is not the pack's own code: at lerr's place (a .sig)
 * when sig_at is set, else at the pack file. */
static int pack_failed(compiler *c, const char *path, const cx_error *lerr, int sig_at,
                       cx_error *err)
{
    if (lerr->code == CX_ENOMEM) return cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory");
    cx_tnode where = {.kind = CX_TNIL, .line = lerr->line, .file = sig_at ? lerr->file : path};
    cx__compile_error(c, &where, "%s", lerr->message);
    return CX_OK;
}

/* The verified signer of the pack just compiled, once its header matches
 * what the signature names; kept in the rule set's arena. */
static int pack_signer(compiler *c, cx_pack_info *info, const cx_pack_sig *sig, cx_error *err)
{
    cx_error lerr;
    cx_error_clear(&lerr);
    if (!sig->token) return CX_OK;
    if (cx__pack_sig_matches(sig, info->id, info->version, info->authority, info->source,
                             info->source_len, &lerr) != CX_OK)
        return pack_failed(c, info->path, &lerr, 1, err);
    info->signer_authority = cx__arena_strdup(&c->rs->arena, sig->authority);
    info->signer_kid = sig->kid ? cx__arena_strdup(&c->rs->arena, sig->kid) : NULL;
    info->signature = cx__arena_strdup(&c->rs->arena, sig->token);
    if (!info->signer_authority || !info->signature || (sig->kid && !info->signer_kid))
        return cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory");
    return CX_OK;
}

/* Loads one pack (from source when not NULL) into the sandbox, checking its
 * signature first when trust is given, then compiles it. */
static int load_pack(compiler *c, const char *path, const cx_pack_source *source,
                     const cx_pack_trust *trust, cx_error *err)
{
    cx_rules *rs = c->rs;
    cx_pack_sig sig = {0};
    cx_error lerr;
    int pack, rc = CX_OK, sig_at = 0;
    cx_error_clear(&lerr);
    if (!source && trust) {
        rc = cx__pack_sig_verify(trust, path, &sig, &lerr);
        sig_at = rc != CX_OK && strcmp(lerr.file, path) != 0;
    }
    if (rc == CX_OK) rc = load_one(c, path, source, &pack, &lerr);
    if (rc != CX_OK) {
        cx__pack_sig_clear(&sig);
        return pack_failed(c, path, &lerr, sig_at, err);
    }
    c->pack = pack;
    c->file = cx__sandbox_pack_path(rs->sandbox, pack);
    rs->packs[pack].path = c->file;
    rs->npacks = (size_t)pack + 1;
    cx__compile_pack(c, cx__sandbox_pack_tree(rs->sandbox, pack));
    if (!rs->packs[pack].id) { /* no header: the file's name, without .lua */
        const char *base = strrchr(c->file, '/') ? strrchr(c->file, '/') + 1 : c->file;
        size_t len = strlen(base);
        rs->packs[pack].id = cx__arena_strndup(&rs->arena, base, len > 4 ? len - 4 : len);
    }
    rc = pack_signer(c, &rs->packs[pack], &sig, err);
    cx__pack_sig_clear(&sig);
    return rc;
}

/* Loads every pack into the sandbox (from sources when not NULL, one per
 * path), then compiles each that loaded. */
static int load_all(compiler *c, cx_strlist *paths, const cx_pack_source *sources,
                    const cx_pack_trust *trust, cx_error *err)
{
    cx_rules *rs = c->rs;
    rs->packs = alloc(c, paths->n * sizeof *rs->packs);
    if (!rs->packs && paths->n) return cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory");
    for (size_t i = 0; i < paths->n; i++) {
        int rc = load_pack(c, paths->v[i], sources ? &sources[i] : NULL, trust, err);
        if (rc != CX_OK) return rc;
    }
    return CX_OK;
}

/* The paths of sources, as given: nothing is looked up on disk. */
static int source_paths(const cx_pack_source *sources, size_t n, cx_strlist *out, cx_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (cx__strlist_add(out, sources[i].path) != 0)
            return cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory");
    return CX_OK;
}

/* cx_rules_load from paths, or (sources not NULL) from npaths sources;
 * over snap (owned from here on) when not NULL, else over r's snapshot. */
static int rules_load(cx_registry *r, cx_snapshot *snap, const char *const *paths, size_t npaths,
                      const cx_pack_source *sources, const cx_pack_trust *trust, cx_rules **out,
                      cx_diagnostics *diags, cx_error *err)
{
    cx_diagnostics own;
    cx_strlist list = {0};
    compiler c;
    int rc;
    *out = NULL;
    cx_diagnostics_init(&own);
    memset(&c, 0, sizeof c);
    c.diags = diags ? diags : &own;
    c.first = err;
    c.rs = calloc(1, sizeof *c.rs);
    if (!c.rs) {
        cx__snapshot_free(snap);
        return cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory");
    }
    c.rs->snapshot = snap;
    atomic_init(&c.rs->in_use, false);
    cx__arena_init(&c.rs->arena);
    size_t errors_before = c.diags->errors, first_diag = c.diags->count;
    rc =
        sources ? source_paths(sources, npaths, &list, err) : pack_paths(paths, npaths, &list, err);
    if (rc == CX_EINPUT) { /* a path that names nothing: an error on that path, like a pack's */
        cx_tnode where = {.kind = CX_TNIL, .file = err->file};
        cx__compile_error(&c, &where, "%s", err->message);
    }
    if (rc || (!snap && (rc = cx__snapshot_load(r, &c.rs->snapshot, err))) ||
        (rc = cx__sandbox_new(NULL, NULL, NULL, &c.rs->sandbox, err)))
        goto done;
    c.snap = c.rs->snapshot;
    c.words = (cx__snapshot_count(c.snap, CX_KIND_CREDENTIAL) + 63) / 64;
    if (!c.words) c.words = 1;
    if ((rc = load_all(&c, &list, sources, trust, err))) goto done;
    cx__compile_link(&c);
    sort_diagnostics(c.diags, first_diag);
    rc = c.diags->errors > errors_before ? CX_EINPUT : CX_OK;
done:
    cx__strlist_free(&list);
    cx__strmap_free(&c.rule_ids);
    cx__strmap_free(&c.content_ids);
    cx_diagnostics_free(&own);
    if (rc == CX_OK)
        *out = c.rs;
    else
        cx_rules_free(c.rs);
    return rc;
}

int cx_rules_load(cx_registry *r, const char *const *paths, size_t npaths, cx_rules **out,
                  cx_diagnostics *diags, cx_error *err)
{
    *out = NULL;
    return CX__REGISTRY_CALL(r, err,
                             rules_load(r, NULL, paths, npaths, NULL, NULL, out, diags, err));
}

int cx_rules_load_trusted(cx_registry *r, const char *const *paths, size_t npaths,
                          const cx_pack_trust *trust, cx_rules **out, cx_diagnostics *diags,
                          cx_error *err)
{
    *out = NULL;
    return CX__REGISTRY_CALL(r, err,
                             rules_load(r, NULL, paths, npaths, NULL, trust, out, diags, err));
}

int cx__rules_load_sources(cx_registry *r, const cx_pack_source *sources, size_t n, cx_rules **out,
                           cx_diagnostics *diags, cx_error *err)
{
    return rules_load(r, NULL, NULL, n, sources, NULL, out, diags, err);
}

int cx__rules_load_over(cx_snapshot *snap, const char *const *paths, const cx_pack_source *sources,
                        size_t n, const cx_pack_trust *trust, cx_rules **out, cx_diagnostics *diags,
                        cx_error *err)
{
    *out = NULL;
    return rules_load(NULL, snap, paths, n, sources, sources ? NULL : trust, out, diags, err);
}

int cx_rules_pack_files(const char *const *paths, size_t npaths, char ***files, size_t *nfiles,
                        cx_error *err)
{
    cx_strlist list = {0};
    int rc = pack_paths(paths, npaths, &list, err);
    *files = rc ? NULL : list.v;
    *nfiles = rc ? 0 : list.n;
    if (rc) cx__strlist_free(&list);
    return rc;
}
