/*
 * snapshot.c -- builds the read-only in-memory snapshot of the registry
 * (snapshot.h) from registry_read.c's bulk reads, in one pass per read, and
 * answers look-ups on it; grafts changed facts onto one (what-if). Never
 * includes sqlite3.h nor builds SQL; never changes a snapshot after
 * cx__snapshot_load returns (no lazy caches).
 */
#define _DEFAULT_SOURCE /* madvise */
#include "snapshot.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "registry.h"

#define POOL_CHUNK   (256 * 1024) /* string pool chunk, carved without alignment */
#define SMALL_SORT   16           /* slices up to this size are insertion-sorted */
#define PARALLEL_MIN 20000        /* holders below which awards are read by one thread */
#define RELEASE_STEP (8u << 20)   /* bytes of a part's awards given back at a time */
#define LAYOUT_PIECE (1u << 18)   /* awards of a layout job, about: its default (builder) */

_Static_assert(sizeof(cx_snap_award) == 48, "an award is 48 bytes plus its id");

/* An id -> symbol hash of one table: open addressing, linear probing. */
struct cx_snap_symtab {
    uint32_t *slots; /* a symbol, or CX_NOSYM when empty; NULL when the table is empty */
    uint32_t mask;   /* number of slots - 1 (a power of two) */
};

/* A growable array of fixed-size elements (malloc'd; moved into the arena
 * by vec_finish). */
typedef struct vec {
    char *data;
    size_t n, cap, size; /* elements used, allocated; bytes per element */
} vec;

/* Strings packed without alignment into chunks of an arena. */
typedef struct pool {
    cx_arena *arena; /* owner of the chunks */
    char *next;      /* free space in the current chunk */
    size_t left;     /* bytes of it */
} pool;

/* An award result while results are read. */
typedef struct pending_result {
    uint32_t award; /* award symbol (final position) */
    cx_snap_result result;
} pending_result;

/* The state of one load. The snapshot's arrays are const for readers; the
 * builder keeps mutable pointers to the same memory while it fills them. */
typedef struct builder {
    cx_snapshot *s;
    cx_error *err;
    int threads;           /* most threads to read awards with; 0: one per core */
    uint32_t piece;        /* awards of a layout job, about (add_part_jobs) */
    vec v;                 /* the rows of the scan under way */
    vec aux;               /* a second array for some scans */
    pool strings;          /* into s->arena */
    cx_strmap interned;    /* text -> its one pooled copy */
    cx_strmap grade_index; /* grade text -> its index in s->grades + 1 */
    const char *prev_id;   /* id of the previous row (order check) */
    cx_sym owner;          /* owner of the previous child row, or CX_NOSYM */
    uint32_t id_cursor;    /* results: position in awards_by_id */
    cx_sym last_place;     /* holders: the last jurisdiction one named, or CX_NOSYM */
    cx_snap_jurisdiction *jurisdictions;
    cx_snap_group *groups;
    cx_snap_provider *providers;
    cx_snap_framework *frameworks;
    cx_snap_competency *competencies;
    cx_snap_credential *credentials;
    cx_snap_holder *holders;
    cx_snap_award *awards;
    uint32_t *awards_by_id;
} builder;

/* ------------------------------------------------------------ errors */

static int nomem(cx_error *err)
{
    return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory loading the registry snapshot");
}

/* Data the schema should have refused (an assertion, reported). */
static int corrupt(cx_error *err, const char *fmt, ...) CX_PRINTF(2, 3);
static int corrupt(cx_error *err, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cx__error(err, CX_EREGISTRY, NULL, 0, 0, "registry data is inconsistent: %s", msg);
}

/* ------------------------------------------------------------ memory */

static void pool_init(pool *p, cx_arena *arena)
{
    p->arena = arena;
    p->next = NULL;
    p->left = 0;
}

/* size bytes of the pool (uninitialised), or NULL on OOM. */
static char *pool_take(pool *p, size_t size)
{
    if (size > POOL_CHUNK / 4) return cx__arena_alloc(p->arena, size);
    if (size > p->left) {
        if (!(p->next = cx__arena_alloc(p->arena, POOL_CHUNK))) return NULL;
        p->left = POOL_CHUNK;
    }
    char *at = p->next;
    p->next += size;
    p->left -= size;
    return at;
}

/* A pooled copy of text (len bytes, NUL added), or NULL on OOM. */
static const char *pool_copy(pool *p, const char *text, size_t len)
{
    char *copy = pool_take(p, len + 1);
    if (!copy) return NULL;
    memcpy(copy, text, len);
    copy[len] = '\0';
    return copy;
}

/* Copies text, a NUL, then tail and its NUL, as one string whose tail a
 * reader finds past the first NUL (cx__snap_award_note). */
static const char *pool_copy_tail(pool *p, const char *text, size_t len, const char *tail,
                                  size_t tail_len)
{
    char *copy = pool_take(p, len + 1 + tail_len + 1);
    if (!copy) return NULL;
    memcpy(copy, text, len);
    copy[len] = '\0';
    memcpy(copy + len + 1, tail, tail_len);
    copy[len + 1 + tail_len] = '\0';
    return copy;
}

/* Copies column c (NULL stays NULL); sets *out. Returns 0 or CX_ENOMEM. */
static int copy_col(builder *b, const cx_col *c, const char **out)
{
    *out = NULL;
    if (!c->text) return CX_OK;
    if (!(*out = pool_copy(&b->strings, c->text, c->len))) return nomem(b->err);
    return CX_OK;
}

/* The one pooled copy of column c's text (NULL stays NULL): repeated
 * strings (types, keys, grades, statuses) are stored once. */
static int intern_col(builder *b, const cx_col *c, const char **out)
{
    *out = NULL;
    if (!c->text) return CX_OK;
    const char *have = cx__strmap_get(&b->interned, c->text);
    if (have) {
        *out = have;
        return CX_OK;
    }
    const char *copy = pool_copy(&b->strings, c->text, c->len);
    if (!copy || cx__strmap_put(&b->interned, copy, (void *)copy, NULL) < 0) return nomem(b->err);
    *out = copy;
    return CX_OK;
}

static void vec_init(vec *v, size_t size)
{
    v->data = NULL;
    v->n = v->cap = 0;
    v->size = size;
}

/* A new zeroed element at the end of v, or NULL on OOM. */
static void *vec_push(vec *v)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 64;
        char *p = realloc(v->data, cap * v->size);
        if (!p) return NULL;
        v->data = p;
        v->cap = cap;
    }
    void *e = v->data + v->n++ * v->size;
    memset(e, 0, v->size);
    return e;
}

/* Hands v's elements to the arena (their array cut to size, not copied:
 * a million holders' is 60 MB) and empties v. Sets *out (NULL when v is
 * empty). Returns 0 or CX_ENOMEM. */
static int vec_finish(builder *b, vec *v, void **out)
{
    size_t bytes = v->n * v->size;
    char *p = v->n ? realloc(v->data, bytes) : NULL; /* smaller: else kept uncut */
    *out = NULL;
    if (p) v->data = p;
    if (v->n && cx__arena_adopt(&b->s->arena, v->data, bytes)) return nomem(b->err);
    if (v->n)
        *out = v->data;
    else
        free(v->data);
    vec_init(v, v->size);
    return CX_OK;
}

/* ------------------------------------------------------------ values */

/* Parses date column c of entity (what, id) into *out; if_null when NULL. */
static int date_col(cx_error *err, const cx_col *c, cx_date if_null, cx_date *out, const char *what,
                    const char *id)
{
    const char *why;
    *out = if_null;
    if (!c->text) return CX_OK;
    if (cx__date_parse(c->text, out, &why) != 0)
        return corrupt(err, "%s '%s' has the date '%s': %s", what, id, c->text, why);
    return CX_OK;
}

static int attr_from(builder *b, const cx_col *key, const cx_col *value, cx_snap_attr *a)
{
    int rc = intern_col(b, key, &a->key);
    if (!rc) rc = copy_col(b, value, &a->value);
    a->number = value->text ? cx__parse_number(value->text) : CX_NO_NUMBER;
    return rc;
}

/* ------------------------------------------------------------ symbols */

static const char *const table_names[CX_SNAP_NTABLES] = {"jurisdiction", "group",      "provider",
                                                         "framework",    "competency", "credential",
                                                         "holder",       "award",      "tag"};

const char *cx__snapshot_id(const cx_snapshot *s, int table, cx_sym sym)
{
    if (table < 0 || table >= CX_SNAP_NTABLES || sym >= s->count[table]) return NULL;
    switch (table) {
    case CX_KIND_JURISDICTION:
        return s->jurisdictions[sym].id;
    case CX_KIND_GROUP:
        return s->groups[sym].id;
    case CX_KIND_PROVIDER:
        return s->providers[sym].id;
    case CX_KIND_FRAMEWORK:
        return s->frameworks[sym].id;
    case CX_KIND_COMPETENCY:
        return s->competencies[sym].id;
    case CX_KIND_CREDENTIAL:
        return s->credentials[sym].id;
    case CX_KIND_HOLDER:
        return s->holders[sym].id;
    case CX_KIND_AWARD:
        return s->awards[sym].id;
    default:
        return s->tags[sym];
    }
}

uint32_t cx__snapshot_count(const cx_snapshot *s, int table)
{
    return table < 0 || table >= CX_SNAP_NTABLES ? 0 : s->count[table];
}

static uint32_t hash_id(const char *id)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *id; id++) h = (h ^ (unsigned char)*id) * 16777619u;
    return h;
}

/* Builds the hash of table (its entities already in s): 0, or -1 on OOM. */
static int index_table(cx_snapshot *s, int table)
{
    cx_snap_symtab *t = &s->symtabs[table];
    uint32_t n = s->count[table], cap = 8;
    if (n == 0 || table == CX_KIND_AWARD || table == CX_KIND_HOLDER)
        return 0; /* binary search: cx__snapshot_find */
    while (cap < 2 * (uint64_t)n) cap *= 2;
    if (!(t->slots = cx__arena_alloc(&s->arena, cap * sizeof *t->slots))) return -1;
    memset(t->slots, 0xff, cap * sizeof *t->slots); /* CX_NOSYM everywhere */
    t->mask = cap - 1;
    for (cx_sym sym = 0; sym < n; sym++) {
        uint32_t i = hash_id(cx__snapshot_id(s, table, sym)) & t->mask;
        while (t->slots[i] != CX_NOSYM) i = (i + 1) & t->mask;
        t->slots[i] = sym;
    }
    return 0;
}

int cx__snapshot_index(cx_snapshot *s)
{
    if (!s->symtabs) {
        s->symtabs = cx__arena_alloc(&s->arena, CX_SNAP_NTABLES * sizeof *s->symtabs);
        if (!s->symtabs) return -1;
        memset(s->symtabs, 0, CX_SNAP_NTABLES * sizeof *s->symtabs);
    }
    for (int table = 0; table < CX_SNAP_NTABLES; table++)
        if (index_table(s, table)) return -1;
    return 0;
}

static int build_symtab(builder *b, int table)
{
    return index_table(b->s, table) ? nomem(b->err) : CX_OK;
}

static cx_sym find_award(const cx_snapshot *s, const char *id)
{
    uint32_t lo = 0, hi = s->count[CX_KIND_AWARD];
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->awards[s->awards_by_id[mid]].id, id);
        if (c == 0) return s->awards_by_id[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return CX_NOSYM;
}

/* Holders are in byte order of id (on_holder checks it): a million of
 * them need no table, built on every load, for the few lookups by id. */
static cx_sym find_holder(const cx_snapshot *s, const char *id)
{
    uint32_t lo = 0, hi = s->count[CX_KIND_HOLDER];
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->holders[mid].id, id);
        if (c == 0) return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return CX_NOSYM;
}

cx_sym cx__snapshot_find(const cx_snapshot *s, int table, const char *id)
{
    if (table < 0 || table >= CX_SNAP_NTABLES || !id) return CX_NOSYM;
    if (table == CX_KIND_AWARD) return find_award(s, id);
    if (table == CX_KIND_HOLDER) return find_holder(s, id);
    const cx_snap_symtab *t = &s->symtabs[table];
    if (!t->slots) return CX_NOSYM;
    for (uint32_t i = hash_id(id) & t->mask; t->slots[i] != CX_NOSYM; i = (i + 1) & t->mask)
        if (strcmp(cx__snapshot_id(s, table, t->slots[i]), id) == 0) return t->slots[i];
    return CX_NOSYM;
}

/* The symbol of reference column c (to table), CX_NOSYM when NULL; an
 * unknown id is an error naming the referring entity (what, id). */
static int ref_col(const cx_snapshot *s, cx_error *err, const cx_col *c, int table, cx_sym *out,
                   const char *what, const char *id)
{
    *out = CX_NOSYM;
    if (!c->text) return CX_OK;
    *out = cx__snapshot_find(s, table, c->text);
    if (*out == CX_NOSYM)
        return corrupt(err, "%s '%s' refers to %s '%s', which does not exist", what, id,
                       table_names[table], c->text);
    return CX_OK;
}

/* A reference column that must not be NULL. */
static int required_ref(const cx_snapshot *s, cx_error *err, const cx_col *c, int table,
                        cx_sym *out, const char *what, const char *id)
{
    if (!c->text) return corrupt(err, "%s '%s' has no %s", what, id, table_names[table]);
    return ref_col(s, err, c, table, out, what, id);
}

/* Checks that the ids of a table's rows come in strictly increasing byte
 * order (symbols must compare as ids do); *prev is the previous row's. */
static int check_order(cx_error *err, const char **prev, const char *id, int table)
{
    if (*prev && strcmp(*prev, id) >= 0)
        return corrupt(err, "%s ids out of byte order ('%s' after '%s')", table_names[table], id,
                       *prev);
    *prev = id;
    return CX_OK;
}

/* The owner (in table) of a child row whose owner id is column c: owners
 * must come in order, each owner's rows together. */
static int child_owner(builder *b, const cx_col *c, int table, const char *what, cx_sym *out)
{
    const cx_snapshot *s = b->s;
    if (!c->text) return corrupt(b->err, "a %s row has no %s", what, table_names[table]);
    if (b->owner != CX_NOSYM && strcmp(cx__snapshot_id(s, table, b->owner), c->text) == 0) {
        *out = b->owner;
        return CX_OK;
    }
    *out = cx__snapshot_find(s, table, c->text);
    if (*out == CX_NOSYM)
        return corrupt(b->err, "a %s row refers to %s '%s', which does not exist", what,
                       table_names[table], c->text);
    if (b->owner != CX_NOSYM && *out < b->owner)
        return corrupt(b->err, "%s rows out of order at %s '%s'", what, table_names[table],
                       c->text);
    b->owner = *out;
    return CX_OK;
}

/* ------------------------------------------------------------ scans */

/* Runs scan what with fn over builder b, resetting the per-scan state. */
static int scan(cx_registry *r, builder *b, cx_scan what, cx_row_fn fn)
{
    b->prev_id = NULL;
    b->owner = CX_NOSYM;
    return cx__registry_scan(r, what, fn, b, b->err);
}

static int on_jurisdiction(void *ud, const cx_col *c, size_t n)
{
    builder *b = ud;
    cx_snap_jurisdiction *j = vec_push(&b->v);
    (void)n;
    if (!j) return nomem(b->err);
    int rc = copy_col(b, &c[0], &j->id);
    if (!rc) rc = copy_col(b, &c[1], &j->name);
    if (!rc) rc = intern_col(b, &c[2], &j->kind);
    if (!rc) rc = check_order(b->err, &b->prev_id, j->id, CX_KIND_JURISDICTION);
    return rc;
}

static int on_group(void *ud, const cx_col *c, size_t n)
{
    builder *b = ud;
    cx_snap_group *g = vec_push(&b->v);
    (void)n;
    if (!g) return nomem(b->err);
    int rc = copy_col(b, &c[0], &g->id);
    if (!rc) rc = copy_col(b, &c[1], &g->name);
    if (!rc) rc = check_order(b->err, &b->prev_id, g->id, CX_KIND_GROUP);
    return rc;
}

static int on_membership(void *ud, const cx_col *c, size_t n)
{
    builder *b = ud;
    cx_sym group = CX_NOSYM;
    cx_snap_membership *m = vec_push(&b->v);
    (void)n;
    if (!m) return nomem(b->err);
    int rc = child_owner(b, &c[0], CX_KIND_GROUP, "membership", &group);
    const char *gid = rc ? "" : b->s->groups[group].id;
    if (!rc)
        rc =
            required_ref(b->s, b->err, &c[1], CX_KIND_JURISDICTION, &m->jurisdiction, "group", gid);
    if (!rc) rc = date_col(b->err, &c[2], CX_DATE_DAWN, &m->from, "membership of group", gid);
    if (!rc) rc = date_col(b->err, &c[3], CX_DATE_NEVER, &m->until, "membership of group", gid);
    if (!rc) rc = intern_col(b, &c[4], &m->status);
    if (!rc) b->groups[group].nmemberships++;
    return rc;
}

static int on_provider(void *ud, const cx_col *c, size_t n)
{
    builder *b = ud;
    cx_snap_provider *p = vec_push(&b->v);
    (void)n;
    if (!p) return nomem(b->err);
    int rc = copy_col(b, &c[0], &p->id);
    if (!rc) rc = copy_col(b, &c[1], &p->name);
    if (!rc)
        rc =
            ref_col(b->s, b->err, &c[2], CX_KIND_JURISDICTION, &p->jurisdiction, "provider", p->id);
    if (!rc) rc = check_order(b->err, &b->prev_id, p->id, CX_KIND_PROVIDER);
    return rc;
}

static int on_framework(void *ud, const cx_col *c, size_t n)
{
    builder *b = ud;
    cx_snap_framework *f = vec_push(&b->v);
    (void)n;
    if (!f) return nomem(b->err);
    int rc = copy_col(b, &c[0], &f->id);
    if (!rc) rc = copy_col(b, &c[1], &f->name);
    if (!rc) rc = check_order(b->err, &b->prev_id, f->id, CX_KIND_FRAMEWORK);
    return rc;
}

/* A competency; its parent (a competency perhaps not read yet) is kept as
 * text in b->aux and resolved after the scan. */
static int on_competency(void *ud, const cx_col *c, size_t n)
{
    builder *b = ud;
    cx_snap_competency *k = vec_push(&b->v);
    const char **parent = vec_push(&b->aux);
    (void)n;
    if (!k || !parent) return nomem(b->err);
    int rc = copy_col(b, &c[0], &k->id);
    if (!rc)
        rc = required_ref(b->s, b->err, &c[1], CX_KIND_FRAMEWORK, &k->framework, "competency",
                          k->id);
    if (!rc) rc = copy_col(b, &c[2], &k->text);
    if (!rc) rc = copy_col(b, &c[3], parent);
    if (!rc) rc = check_order(b->err, &b->prev_id, k->id, CX_KIND_COMPETENCY);
    return rc;
}

static int on_tag(void *ud, const cx_col *c, size_t n)
{
    builder *b = ud;
    const char **tag = vec_push(&b->v);
    (void)n;
    if (!tag) return nomem(b->err);
    int rc = copy_col(b, &c[0], tag);
    if (!rc) rc = check_order(b->err, &b->prev_id, *tag, CX_SNAP_TAG);
    return rc;
}

static int valid_for_col(builder *b, const cx_col *c, cx_snap_credential *cr)
{
    const char *why;
    int rc = copy_col(b, c, &cr->valid_for);
    if (rc || !cr->valid_for) return rc;
    if (cx__duration_parse(cr->valid_for, &cr->duration, &why) != 0)
        return corrupt(b->err, "credential '%s' has valid_for '%s': %s", cr->id, cr->valid_for,
                       why);
    return CX_OK;
}

static int on_credential(void *ud, const cx_col *c, size_t n)
{
    builder *b = ud;
    cx_snap_credential *cr = vec_push(&b->v);
    (void)n;
    if (!cr) return nomem(b->err);
    int rc = copy_col(b, &c[0], &cr->id);
    if (!rc) rc = check_order(b->err, &b->prev_id, cr->id, CX_KIND_CREDENTIAL);
    if (!rc) rc = copy_col(b, &c[1], &cr->name);
    if (!rc) rc = intern_col(b, &c[2], &cr->type);
    if (!rc)
        rc = ref_col(b->s, b->err, &c[3], CX_KIND_PROVIDER, &cr->provider, "credential", cr->id);
    if (!rc)
        rc = required_ref(b->s, b->err, &c[4], CX_KIND_JURISDICTION, &cr->jurisdiction,
                          "credential", cr->id);
    cr->hours = c[5].text ? c[5].integer : CX_NO_NUMBER;
    if (!rc) rc = valid_for_col(b, &c[6], cr);
    if (!rc) rc = copy_col(b, &c[7], &cr->version);
    if (!rc) rc = date_col(b->err, &c[8], CX_DATE_DAWN, &cr->effective_from, "credential", cr->id);
    if (!rc)
        rc = date_col(b->err, &c[9], CX_DATE_NEVER, &cr->effective_until, "credential", cr->id);
    return rc;
}

/* The credential owning a credential_* row, its list counter bumped. */
static int credential_child(builder *b, const cx_col *c, cx_snap_credential **out)
{
    cx_sym sym = CX_NOSYM;
    int rc = child_owner(b, c, CX_KIND_CREDENTIAL, "credential list", &sym);
    *out = rc ? NULL : &b->credentials[sym];
    return rc;
}

static int on_cred_competency(void *ud, const cx_col *c, size_t n)
{
    builder *b = ud;
    cx_snap_credential *cr;
    cx_sym *k = vec_push(&b->v);
    (void)n;
    if (!k) return nomem(b->err);
    int rc = credential_child(b, &c[0], &cr);
    if (!rc) rc = required_ref(b->s, b->err, &c[1], CX_KIND_COMPETENCY, k, "credential", cr->id);
    if (!rc) cr->ncompetencies++;
    return rc;
}

static int on_cred_tag(void *ud, const cx_col *c, size_t n)
{
    builder *b = ud;
    cx_snap_credential *cr;
    cx_sym *t = vec_push(&b->v);
    (void)n;
    if (!t) return nomem(b->err);
    int rc = credential_child(b, &c[0], &cr);
    if (!rc) rc = required_ref(b->s, b->err, &c[1], CX_SNAP_TAG, t, "credential", cr->id);
    if (!rc) cr->ntags++;
    return rc;
}

static int on_cred_code(void *ud, const cx_col *c, size_t n)
{
    builder *b = ud;
    cx_snap_credential *cr;
    cx_snap_code *code = vec_push(&b->v);
    (void)n;
    if (!code) return nomem(b->err);
    int rc = credential_child(b, &c[0], &cr);
    if (!rc) rc = intern_col(b, &c[1], &code->scheme);
    if (!rc) rc = copy_col(b, &c[2], &code->code);
    if (!rc) cr->ncodes++;
    return rc;
}

static int on_cred_attr(void *ud, const cx_col *c, size_t n)
{
    builder *b = ud;
    cx_snap_credential *cr;
    cx_snap_attr *a = vec_push(&b->v);
    (void)n;
    if (!a) return nomem(b->err);
    int rc = credential_child(b, &c[0], &cr);
    if (!rc) rc = attr_from(b, &c[1], &c[2], a);
    if (!rc) cr->nattrs++;
    return rc;
}

static int on_cred_grade(void *ud, const cx_col *c, size_t n)
{
    builder *b = ud;
    cx_snap_credential *cr;
    const char **g = vec_push(&b->v);
    (void)n;
    if (!g) return nomem(b->err);
    int rc = credential_child(b, &c[0], &cr);
    if (!rc && c[1].integer != cr->ngrades)
        rc = corrupt(b->err, "credential '%s' has a gap in its grade scale", cr->id);
    if (!rc) rc = intern_col(b, &c[2], g);
    if (!rc) cr->ngrades++;
    return rc;
}

static int on_holder(void *ud, const cx_col *c, size_t n)
{
    builder *b = ud;
    cx_snap_holder *h = vec_push(&b->v);
    (void)n;
    if (!h) return nomem(b->err);
    int rc = copy_col(b, &c[0], &h->id);
    cx_sym last = b->last_place; /* holders name few places, run after run */
    if (!rc && last != CX_NOSYM && c[1].text && strcmp(b->jurisdictions[last].id, c[1].text) == 0)
        h->jurisdiction = last;
    else if (!rc)
        rc = ref_col(b->s, b->err, &c[1], CX_KIND_JURISDICTION, &h->jurisdiction, "holder", h->id);
    if (!rc && h->jurisdiction != CX_NOSYM) b->last_place = h->jurisdiction;
    if (!rc) rc = check_order(b->err, &b->prev_id, h->id, CX_KIND_HOLDER);
    return rc;
}

static int on_holder_attr(void *ud, const cx_col *c, size_t n)
{
    builder *b = ud;
    cx_sym holder = CX_NOSYM;
    cx_snap_attr *a = vec_push(&b->v);
    (void)n;
    if (!a) return nomem(b->err);
    int rc = child_owner(b, &c[0], CX_KIND_HOLDER, "holder attribute", &holder);
    if (!rc) rc = attr_from(b, &c[1], &c[2], a);
    if (!rc) b->holders[holder].nattrs++;
    return rc;
}

/* ------------------------------------------------------------ awards */

/* Credential look-ups from award rows, direct-mapped on a hash of the id:
 * awards name few credentials, over and over, and a hit costs one memcmp
 * of known length. */
#define CRED_CACHE 256
typedef struct cred_cache {
    const char *id[CRED_CACHE]; /* the credential's id, or NULL */
    size_t len[CRED_CACHE];
    cx_sym sym[CRED_CACHE];
} cred_cache;

/* Default expiries by the month of issue: for a credential and a month,
 * cx__expiry_default(day d of the month) is first + min(d, last) - 1 (the
 * years and months of valid_for move the day to a month that may be
 * shorter; weeks and days then add to it), so two calls for the month's
 * first and last days give every day's. Awards repeat few (credential,
 * month) pairs: direct-mapped, 64 KiB, so it stays in L1/L2 while the
 * scan streams through memory (a memo of single days did not, and missed
 * on most awards). Malloc'd by the part on first use. */
#define EXPIRY_MEMO 4096u
typedef struct expiry_memo {
    cx_sym credential; /* CX_NOSYM: an empty slot */
    int32_t month;     /* year * 12 + month - 1 */
    cx_date first;     /* the expiry of an award of the month's first day */
    int32_t last;      /* days d with expiry first + d - 1 up to last; 0: a month
                          near 9999 whose days are worked out one by one */
} expiry_memo;

/* Awards are read in id ranges, each by its own thread on its own
 * connection when the registry is large (see read_awards). A part only
 * reads the snapshot built so far and writes its own state. */
typedef struct award_part {
    const builder *b;      /* read-only while parts run */
    cx_registry *conn;     /* its connection (the main reader for part 0) */
    const char *from, *to; /* award ids in [from, to); NULL: unbounded */
    pool strings;          /* its award ids, into its arena */
    vec awards;            /* cx_snap_award in id order; grade: index in grades */
    vec grades;            /* const char *: its distinct grade texts */
    cx_strmap grade_index; /* grade text -> index in grades + 1 */
    const char *prev_id;   /* the previous award id (order check) */
    cx_sym last_holder;    /* the previous row's holder */
    cx_sym min_holder;     /* the least holder of its awards (CX_NOSYM: none yet) */
    cx_sym max_holder;     /* the greatest (0: none yet) */
    int unordered;         /* 1: an award of an earlier holder came after a later's */
    uint32_t *grade_map;   /* index in grades -> index in s->grades (merge_grades) */
    cred_cache creds;      /* recent credential look-ups */
    expiry_memo *expiries; /* EXPIRY_MEMO of them, or NULL before the first */
    int64_t version;       /* content version its transaction sees */
    int rc;                /* its outcome */
    cx_error err;
} award_part;

/* The award's holder, in key order where it can: awards come by id, and
 * default ids start with the holder's, so runs of rows share a holder and
 * the next run is mostly the next holder's (a merge join with the holders,
 * which are in id order); any other holder is looked up. */
static int award_holder(award_part *p, const cx_col *c, cx_snap_award *a)
{
    const cx_snapshot *s = p->b->s;
    cx_sym last = p->last_holder;
    if (last != CX_NOSYM && c->text) {
        if (strcmp(s->holders[last].id, c->text) == 0) {
            a->holder = last;
            return CX_OK;
        }
        if (last + 1 < s->count[CX_KIND_HOLDER] && strcmp(s->holders[last + 1].id, c->text) == 0) {
            a->holder = p->last_holder = last + 1;
            if (last + 1 > p->max_holder) p->max_holder = last + 1;
            return CX_OK;
        }
    }
    int rc = required_ref(s, &p->err, c, CX_KIND_HOLDER, &a->holder, "award", a->id);
    if (rc) return rc;
    if (last != CX_NOSYM && a->holder < last) p->unordered = 1;
    p->last_holder = a->holder;
    if (a->holder < p->min_holder) p->min_holder = a->holder;
    if (a->holder > p->max_holder) p->max_holder = a->holder;
    return CX_OK;
}

/* The award's credential, through the part's cache. */
static int award_credential(award_part *p, const cx_col *c, cx_snap_award *a)
{
    cred_cache *cc = &p->creds;
    size_t len = c->len, i = 0;
    if (c->text) {
        uint32_t h = 2166136261u; /* FNV-1a */
        for (size_t k = 0; k < len; k++) h = (h ^ (unsigned char)c->text[k]) * 16777619u;
        i = (h ^ h >> 16) % CRED_CACHE;
        if (cc->id[i] && cc->len[i] == len && memcmp(cc->id[i], c->text, len) == 0) {
            a->credential = cc->sym[i];
            return CX_OK;
        }
    }
    int rc = required_ref(p->b->s, &p->err, c, CX_KIND_CREDENTIAL, &a->credential, "award", a->id);
    if (rc) return rc;
    cc->id[i] = p->b->credentials[a->credential].id;
    cc->len[i] = len;
    cc->sym[i] = a->credential;
    return CX_OK;
}

static int award_status(award_part *p, const cx_col *c, cx_snap_award *a)
{
    if (c->text && strcmp(c->text, "active") == 0)
        a->status = CX_AWARD_ACTIVE;
    else if (c->text && strcmp(c->text, "revoked") == 0)
        a->status = CX_AWARD_REVOKED;
    else if (c->text && strcmp(c->text, "suspended") == 0)
        a->status = CX_AWARD_SUSPENDED;
    else
        return corrupt(&p->err, "award '%s' has the status '%s'", a->id,
                       c->text ? c->text : "NULL");
    return CX_OK;
}

/* The award's grade: its index among the part's distinct grades (made
 * global by merge_grades) and its rank on the credential's scale. */
static int award_grade(award_part *p, const cx_col *c, const cx_snap_credential *cr,
                       cx_snap_award *a)
{
    a->grade = CX_NOSYM;
    a->grade_rank = -1;
    if (!c->text) return CX_OK;
    uintptr_t index = (uintptr_t)cx__strmap_get(&p->grade_index, c->text); /* + 1, or 0 */
    if (!index) {
        const char **slot = vec_push(&p->grades);
        if (!slot || !(*slot = pool_copy(&p->strings, c->text, c->len))) return nomem(&p->err);
        index = p->grades.n;
        if (cx__strmap_put(&p->grade_index, *slot, (void *)index, NULL) < 0) return nomem(&p->err);
    }
    a->grade = (uint32_t)(index - 1);
    for (uint32_t k = 0; k < cr->ngrades && k <= INT16_MAX; k++) {
        if (strcmp(cr->grades[k], c->text) != 0) continue;
        a->grade_rank = (int16_t)k;
        break;
    }
    return CX_OK;
}

/* A validated "YYYY-MM-DD"'s number of n digits at s. */
static int date_digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) v = v * 10 + (s[i] - '0');
    return v;
}

/* a's default expiry (cx__expiry_default for its credential cr) from
 * issued, its date as text (already parsed into a->issued), through the
 * part's memo. 0, or CX_ENOMEM. */
static int default_expiry(award_part *p, const cx_snap_credential *cr, const char *issued,
                          cx_snap_award *a)
{
    if (!cr->valid_for) {
        a->expires = cx__expiry_default(a->issued, NULL);
        return CX_OK;
    }
    if (!p->expiries) {
        if (!(p->expiries = malloc(EXPIRY_MEMO * sizeof *p->expiries))) return nomem(&p->err);
        memset(p->expiries, 0xff, EXPIRY_MEMO * sizeof *p->expiries); /* credential CX_NOSYM */
    }
    int y = date_digits(issued, 4), m = date_digits(issued + 5, 2), d = date_digits(issued + 8, 2);
    int32_t month = y * 12 + m - 1;
    expiry_memo *e = &p->expiries[((uint32_t)month + a->credential * 97u) & (EXPIRY_MEMO - 1)];
    if (e->credential != a->credential || e->month != month) {
        cx_date day1 = cx__date_from_ymd(y, m, 1);
        cx_date next = m == 12 ? cx__date_from_ymd(y + 1, 1, 1) : cx__date_from_ymd(y, m + 1, 1);
        cx_date end = cx__expiry_default(next - 1, &cr->duration);
        e->credential = a->credential;
        e->month = month;
        e->first = cx__expiry_default(day1, &cr->duration);
        e->last = e->first != CX_DATE_NEVER && end != CX_DATE_NEVER ? end - e->first + 1 : 0;
    }
    if (e->first == CX_DATE_NEVER)
        a->expires = CX_DATE_NEVER; /* every day of the month: expiries grow with the day */
    else if (!e->last)
        a->expires = cx__expiry_default(a->issued, &cr->duration);
    else
        a->expires = e->first + (d < e->last ? d : e->last) - 1;
    return CX_OK;
}

/* expires, jurisdiction and hours: stored, else the credential's defaults
 * (expires: issued + the credential's current valid_for, or never). */
static int award_defaults(award_part *p, const cx_col *c, const cx_snap_credential *cr,
                          cx_snap_award *a)
{
    int rc = CX_OK;
    if (c[4].text) {
        a->flags |= CX_AWARD_EXPIRES_STORED;
        rc = date_col(&p->err, &c[4], CX_DATE_NEVER, &a->expires, "award", a->id);
    } else {
        rc = default_expiry(p, cr, c[3].text, a);
    }
    a->jurisdiction = cr->jurisdiction;
    if (!rc && c[5].text) {
        a->flags |= CX_AWARD_JURISDICTION_STORED;
        rc = ref_col(p->b->s, &p->err, &c[5], CX_KIND_JURISDICTION, &a->jurisdiction, "award",
                     a->id);
    }
    a->hours = cr->hours;
    if (c[6].text) {
        a->flags |= CX_AWARD_HOURS_STORED;
        a->hours = c[6].integer;
    }
    return rc;
}

/* The award's id and its verification: an unverified award's note follows
 * its id (cx__snap_award_note). */
static int award_id(award_part *p, const cx_col *c, cx_snap_award *a)
{
    const cx_col *verification = &c[9], *note = &c[10];
    if (verification->text) a->flags |= CX_AWARD_PROVENANCE;
    if (verification->text && strcmp(verification->text, "unverified") == 0) {
        a->flags |= CX_AWARD_UNVERIFIED;
        a->id = pool_copy_tail(&p->strings, c[0].text, c[0].len, note->text ? note->text : "",
                               note->len);
    } else {
        a->id = pool_copy(&p->strings, c[0].text, c[0].len);
    }
    return a->id ? CX_OK : nomem(&p->err);
}

const char *cx__snap_award_note(const cx_snap_award *a)
{
    if (!(a->flags & CX_AWARD_UNVERIFIED)) return NULL;
    return a->id + strlen(a->id) + 1;
}

/* An award row, in id order, into its part. */
static int on_award(void *ud, const cx_col *c, size_t n)
{
    award_part *p = ud;
    cx_snap_award *a = vec_push(&p->awards);
    (void)n;
    if (!a) return nomem(&p->err);
    if (!c[0].text || !c[3].text) return corrupt(&p->err, "an award without an id or issue date");
    int rc = award_id(p, c, a);
    if (!rc) rc = check_order(&p->err, &p->prev_id, a->id, CX_KIND_AWARD);
    if (!rc) rc = award_holder(p, &c[1], a);
    if (!rc) rc = award_credential(p, &c[2], a);
    if (rc) return rc;
    const cx_snap_credential *cr = &p->b->credentials[a->credential];
    rc = date_col(&p->err, &c[3], 0, &a->issued, "award", a->id);
    if (!rc) rc = award_defaults(p, c, cr, a);
    if (!rc) rc = award_status(p, &c[7], a);
    if (!rc) rc = award_grade(p, &c[8], cr, a);
    return rc;
}

/* Reads one part's range. A part on a connection of its own opens its own
 * read transaction and notes the content version it sees. */
static int read_part(award_part *p, int own_transaction)
{
    int began = 0, rc = CX_OK;
    if (own_transaction) {
        rc = cx__registry_read_begin(p->conn, &began, &p->err);
        if (!rc) rc = cx_registry_content_version(p->conn, &p->version, &p->err);
    }
    if (!rc)
        rc = cx__registry_scan_range(p->conn, CX_SCAN_AWARDS, p->from, p->to, on_award, p, &p->err);
    cx__registry_read_end(p->conn, began);
    return rc;
}

static void *part_thread(void *arg)
{
    award_part *p = arg;
    p->rc = read_part(p, 1);
    return NULL;
}

/* How many parts to read awards in: one for a small registry or when the
 * main reader is the registry's own connection (in memory, or inside a
 * transaction), else b->threads or one per core, at most CX_SNAP_MAX_PARTS. */
static int part_count(const builder *b, const cx_registry *registry, const cx_registry *main)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int k = b->threads > 0 ? b->threads : cores > 0 ? (int)cores : 1;
    if (main == registry || b->s->count[CX_KIND_HOLDER] < PARALLEL_MIN) return 1;
    return k > CX_SNAP_MAX_PARTS ? CX_SNAP_MAX_PARTS : k;
}

/* Sets up parts[0..k): ranges split at holder ids (default award ids
 * start with their holder's id), part 0 on the main connection. */
static void parts_init(builder *b, award_part *parts, int k, cx_registry *main)
{
    const cx_snapshot *s = b->s;
    uint64_t nh = s->count[CX_KIND_HOLDER];
    for (int i = 0; i < k; i++) {
        award_part *p = &parts[i];
        memset(p, 0, sizeof *p);
        p->b = b;
        p->conn = i ? NULL : main;
        p->from = i ? s->holders[nh * (uint64_t)i / (uint64_t)k].id : NULL;
        p->to = i + 1 < k ? s->holders[nh * (uint64_t)(i + 1) / (uint64_t)k].id : NULL;
        pool_init(&p->strings, &b->s->part_arenas[i]);
        vec_init(&p->awards, sizeof(cx_snap_award));
        vec_init(&p->grades, sizeof(const char *));
        cx__strmap_init(&p->grade_index);
        p->last_holder = CX_NOSYM;
        p->min_holder = CX_NOSYM;
        p->max_holder = 0;
    }
}

/* Frees what parts[0..k) hold outside the snapshot (connections, arrays;
 * their strings stay in the snapshot's part arenas). */
static void parts_free(cx_registry *registry, award_part *parts, int k)
{
    for (int i = 0; i < k; i++) {
        if (i && parts[i].conn) cx__registry_reader_close(registry, parts[i].conn);
        free(parts[i].awards.data);
        free(parts[i].grades.data);
        free(parts[i].expiries);
        free(parts[i].grade_map);
        cx__strmap_free(&parts[i].grade_index);
    }
}

/* Reads parts 1..k-1 on threads of their own while this thread reads
 * part 0. Returns 1 when a part's transaction saw another content version
 * than the main one (an import committed meanwhile), else 0. */
static int read_parts(cx_registry *registry, award_part *parts, int k)
{
    pthread_t threads[CX_SNAP_MAX_PARTS];
    int started[CX_SNAP_MAX_PARTS] = {0}, stale = 0;
    for (int i = 1; i < k; i++) {
        award_part *p = &parts[i];
        p->rc = cx__registry_reader_open(registry, &p->conn, &p->err);
        if (p->rc) p->conn = NULL;
        if (!p->rc) started[i] = pthread_create(&threads[i], NULL, part_thread, p) == 0;
    }
    parts[0].rc = read_part(&parts[0], 0);
    for (int i = 1; i < k; i++) {
        if (started[i])
            pthread_join(threads[i], NULL);
        else if (parts[i].conn) /* no thread: read it here */
            parts[i].rc = read_part(&parts[i], 1);
        if (!parts[i].rc && parts[i].version != parts[0].b->s->content_version) stale = 1;
    }
    return stale;
}

/* Makes part p's grade indices global: s->grades lists the distinct
 * grades in the order one reader meets them, in b->aux until finished;
 * p->grade_map maps the part's indices to them (applied by the layout). */
static int merge_grades(builder *b, award_part *p)
{
    const char **grades = (const char **)(void *)p->grades.data;
    if (!(p->grade_map = malloc((p->grades.n ? p->grades.n : 1) * sizeof *p->grade_map)))
        return nomem(b->err);
    for (size_t g = 0; g < p->grades.n; g++) {
        uintptr_t index = (uintptr_t)cx__strmap_get(&b->grade_index, grades[g]); /* + 1 */
        if (!index) {
            const char **slot = vec_push(&b->aux);
            index = b->aux.n;
            if (!slot || cx__strmap_put(&b->grade_index, grades[g], (void *)index, NULL) < 0)
                return nomem(b->err);
            *slot = grades[g];
        }
        p->grade_map[g] = (uint32_t)(index - 1);
    }
    return CX_OK;
}

/* Sort key of an award inside its holder: issued, then id order (its
 * position x in the id-ordered scan). Compares as unsigned. */
static uint64_t award_key(cx_date issued, uint32_t x)
{
    return (uint64_t)((uint32_t)issued ^ 0x80000000u) << 32 | x;
}

static int cmp_u64(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return (a > b) - (a < b);
}

static void sort_keys(uint64_t *k, size_t n)
{
    if (n > SMALL_SORT) {
        qsort(k, n, sizeof *k, cmp_u64);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        uint64_t v = k[i];
        size_t j = i;
        for (; j > 0 && k[j - 1] > v; j--) k[j] = k[j - 1];
        k[j] = v;
    }
}

/* One share of the award layout: the awards of parts [first, last) (id
 * positions [base, base + n); with one part, from its index from) are
 * those of holders [lo, hi), which take the final positions [base,
 * base + n). Jobs share no holders and no positions: the threads take
 * them from a queue in any order (layout_queue). */
typedef struct layout_job {
    builder *b;
    award_part *parts; /* the parts (their awards, grade maps) */
    int first, last;   /* the parts it lays out */
    cx_sym lo, hi;     /* its holders */
    uint32_t base, n;  /* its first id position and award count */
    uint32_t from;     /* with one part: its first award's index in the part's array */
    int in_place;      /* 1: b->awards is the first part's array (see layout_awards) */
    int rc;            /* 0, or CX_ENOMEM (not reported yet) */
} layout_job;

/* The award at id position x of job j (x in [base, base + n)), its grade
 * made global. */
static cx_snap_award job_award(const layout_job *j, uint32_t x)
{
    const award_part *p = &j->parts[j->first];
    for (x -= j->base; x >= p->awards.n; p++) x -= (uint32_t)p->awards.n;
    cx_snap_award a = ((const cx_snap_award *)(void *)p->awards.data)[x];
    if (a.grade != CX_NOSYM) a.grade = p->grade_map[a.grade];
    return a;
}

/* Lays out job j's awards grouped by holder, each holder's by issued then
 * id, into b->awards, and fills its part of awards_by_id and the holders'
 * counts and slices. */
static void layout_job_run(layout_job *j, uint64_t *keys, uint32_t *next)
{
    builder *b = j->b;
    uint32_t pos = j->base, x = j->base;
    for (int i = j->first; i < j->last; i++) {
        const cx_snap_award *a = (const cx_snap_award *)(void *)j->parts[i].awards.data;
        for (size_t k = 0; k < j->parts[i].awards.n; k++) b->holders[a[k].holder].nawards++;
    }
    for (cx_sym h = j->lo; h < j->hi; h++) {
        next[h - j->lo] = pos - j->base;
        b->holders[h].awards = b->awards + pos;
        pos += b->holders[h].nawards;
    }
    for (int i = j->first; i < j->last; i++) {
        const cx_snap_award *a = (const cx_snap_award *)(void *)j->parts[i].awards.data;
        for (size_t k = 0; k < j->parts[i].awards.n; k++, x++)
            keys[next[a[k].holder - j->lo]++] = award_key(a[k].issued, x);
    }
    for (cx_sym h = j->lo; h < j->hi; h++)
        sort_keys(keys + (b->holders[h].awards - b->awards) - j->base, b->holders[h].nawards);
    for (uint32_t k = 0; k < j->n; k++) {
        uint32_t from = (uint32_t)keys[k];
        b->awards[j->base + k] = job_award(j, from);
        b->awards_by_id[from] = j->base + k;
    }
}

/* Gives the memory of a part's awards [*done, upto) (bytes from data),
 * read for the last time, back to the system in whole pages: the part's
 * array is freed only after the layout, which fills an array as large,
 * and this keeps the two from being resident together. The pages are
 * never read again; the allocator's own bytes lie outside them. */
static void release_read(const char *data, size_t *done, size_t upto)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = ((uintptr_t)data + *done + page - 1) / page * page;
    uintptr_t hi = ((uintptr_t)data + upto) / page * page;
    if (hi > lo) madvise((void *)lo, hi - lo, MADV_DONTNEED);
    *done = upto;
}

/* layout_job_run for a job of one part whose awards come in holder order
 * (default ids): each holder's run of awards is already in place but for
 * its order by issued, so one sequential pass sorts each run (through
 * run) into b->awards, with no key array over all awards. In place
 * (j->in_place: the first part, whose array became b->awards), each run
 * is sorted where it lies; else copied, and the part's memory given back
 * as it goes. 0, or CX_ENOMEM. */
static int layout_job_runs(layout_job *j)
{
    builder *b = j->b;
    award_part *p = &j->parts[j->first];
    cx_snap_award *to = b->awards + j->base, *run = NULL;
    uint64_t *keys = NULL;
    size_t cap = 0, released = (size_t)j->from * sizeof *to;
    cx_sym h = j->lo;
    const cx_snap_award *a =
        j->in_place ? to : (const cx_snap_award *)(void *)p->awards.data + j->from;
    for (uint32_t x = 0, end; x < j->n; x = end) {
        size_t read = (size_t)(j->from + x) * sizeof *a;
        if (!j->in_place && read - released >= RELEASE_STEP)
            release_read(p->awards.data, &released, read);
        for (end = x + 1; end < j->n && a[end].holder == a[x].holder;) end++;
        if (end - x > cap) {
            free(keys);
            free(run);
            cap = 2 * (end - x);
            keys = malloc(cap * sizeof *keys);
            run = malloc(cap * sizeof *run);
            if (!keys || !run) {
                free(keys);
                free(run);
                return CX_ENOMEM;
            }
        }
        for (; h <= a[x].holder; h++) b->holders[h].awards = to + x;
        b->holders[a[x].holder].nawards = end - x;
        for (uint32_t k = x; k < end; k++) keys[k - x] = award_key(a[k].issued, k);
        sort_keys(keys, end - x);
        for (uint32_t k = x; k < end; k++) {
            uint32_t from = (uint32_t)keys[k - x];
            cx_snap_award *r = &run[k - x];
            *r = a[from];
            if (r->grade != CX_NOSYM) r->grade = p->grade_map[r->grade];
            b->awards_by_id[j->base + from] = j->base + k;
        }
        memcpy(to + x, run, (end - x) * sizeof *run);
    }
    for (; h < j->hi; h++) b->holders[h].awards = to + j->n;
    if (!j->in_place) /* the rest of its pages (none that the next job reads) */
        release_read(p->awards.data, &released, (size_t)(j->from + j->n) * sizeof *a);
    free(keys);
    free(run);
    return CX_OK;
}

static void layout_job_do(layout_job *j)
{
    if (j->last == j->first + 1 && !j->parts[j->first].unordered) {
        j->rc = layout_job_runs(j);
        return;
    }
    uint64_t *keys = malloc((j->n ? j->n : 1) * sizeof *keys);
    uint32_t *next = malloc((j->hi - j->lo + 1) * sizeof *next);
    if (keys && next)
        layout_job_run(j, keys, next);
    else
        j->rc = CX_ENOMEM;
    free(keys);
    free(next);
}

/* The layout's jobs, taken in turn by the threads that lay them out. */
typedef struct layout_queue {
    layout_job *jobs;
    int njobs;
    atomic_int next; /* the next job to take */
} layout_queue;

static void *layout_worker(void *arg)
{
    layout_queue *q = arg;
    for (int i; (i = atomic_fetch_add(&q->next, 1)) < q->njobs;) layout_job_do(&q->jobs[i]);
    return NULL;
}

/* Adds part i's jobs (its awards at id positions base on) to q: pieces of
 * about LAYOUT_PIECE awards, each ending between two holders' runs, when
 * the part comes in holder order (so that a part's layout is shared by
 * the threads, whichever finishes first); else the part whole. */
static void add_part_jobs(layout_queue *q, builder *b, award_part *parts, int i, int k,
                          uint32_t base, int in_place)
{
    award_part *p = &parts[i];
    uint64_t nh = b->s->count[CX_KIND_HOLDER];
    const cx_snap_award *a =
        in_place && i == 0 ? b->awards : (const cx_snap_award *)(void *)p->awards.data;
    uint32_t n = (uint32_t)p->awards.n, from = 0;
    do {
        uint32_t end = p->unordered || n - from <= b->piece ? n : from + b->piece;
        while (end < n && a[end].holder == a[end - 1].holder) end++;
        layout_job *j = &q->jobs[q->njobs++];
        memset(j, 0, sizeof *j);
        j->b = b;
        j->parts = parts;
        j->first = i;
        j->last = i + 1;
        j->lo = from ? a[from].holder : (cx_sym)(nh * (uint64_t)i / (uint64_t)k);
        j->hi = end < n ? a[end].holder : (cx_sym)(nh * (uint64_t)(i + 1) / (uint64_t)k);
        j->base = base + from;
        j->n = end - from;
        j->from = from;
        j->in_place = in_place && i == 0;
        from = end;
    } while (from < n);
}

/* Whether part i of k holds only awards of the holders it was split at
 * (parts_init): then each part lays out its own awards. */
static int part_is_local(const builder *b, const award_part *p, int i, int k)
{
    uint64_t nh = b->s->count[CX_KIND_HOLDER];
    if (!p->awards.n) return 1;
    return p->min_holder >= nh * (uint64_t)i / (uint64_t)k &&
           p->max_holder < nh * (uint64_t)(i + 1) / (uint64_t)k;
}

/* Lays the parts' awards (id order, part after part) out by holder into
 * b->awards and fills awards_by_id: when every part is local, jobs of
 * each part (add_part_jobs) that the reading threads take in turn, else
 * one job over all of them. When every
 * part is local and in holder order (default ids), b->awards is the first
 * part's own array grown to hold them all (adopted by the arena), its awards
 * sorted where they lie: the array is not filled afresh, page by page. */
static int layout_awards(builder *b, award_part *parts, int k)
{
    cx_snapshot *s = b->s;
    pthread_t threads[CX_SNAP_MAX_PARTS];
    int started[CX_SNAP_MAX_PARTS] = {0}, local = 1, in_place = 1, rc = CX_OK;
    uint64_t total = 0, nh = s->count[CX_KIND_HOLDER];
    layout_queue q = {.njobs = 0};
    for (int i = 0; i < k; i++) {
        if ((rc = merge_grades(b, &parts[i])) != 0) return rc;
        total += parts[i].awards.n;
        local = local && part_is_local(b, &parts[i], i, k);
    }
    uint32_t n = (uint32_t)total;
    for (int i = 0; i < k; i++) in_place = in_place && local && !parts[i].unordered;
    if (in_place) { /* the first part's array, grown, holds every award */
        size_t bytes = (n ? n : 1) * sizeof *b->awards;
        char *all = realloc(parts[0].awards.data, bytes);
        b->awards = NULL;
        if (all) parts[0].awards.data = all; /* the part's until the arena adopts it */
        if (all && cx__arena_adopt(&s->arena, all, bytes) == 0) {
            parts[0].awards.data = NULL;
            b->awards = (cx_snap_award *)(void *)all;
        }
    } else {
        b->awards = cx__arena_alloc(&s->arena, (n ? n : 1) * sizeof *b->awards);
    }
    b->awards_by_id = cx__arena_alloc(&s->arena, (n ? n : 1) * sizeof *b->awards_by_id);
    q.jobs = malloc((n / b->piece + (size_t)k + 1) * sizeof *q.jobs);
    if (!b->awards || !b->awards_by_id || !q.jobs) {
        free(q.jobs);
        return nomem(b->err);
    }
    atomic_init(&q.next, 0);
    if (local) {
        uint32_t base = 0;
        for (int i = 0; i < k; base += (uint32_t)parts[i++].awards.n)
            add_part_jobs(&q, b, parts, i, k, base, in_place);
    } else { /* one job over every part */
        layout_job *j = &q.jobs[q.njobs++];
        memset(j, 0, sizeof *j);
        j->b = b;
        j->parts = parts;
        j->last = k;
        j->hi = (cx_sym)nh;
        j->n = n;
    }
    for (int i = 1; i < k && i < q.njobs; i++) /* the threads that read the parts */
        started[i] = pthread_create(&threads[i], NULL, layout_worker, &q) == 0;
    layout_worker(&q);
    for (int i = 1; i < k && i < q.njobs; i++)
        if (started[i]) pthread_join(threads[i], NULL);
    for (int i = 0; i < q.njobs && !rc; i++)
        if (q.jobs[i].rc) rc = nomem(b->err);
    free(q.jobs);
    if (rc) return rc;
    s->awards = b->awards;
    s->awards_by_id = b->awards_by_id;
    s->count[CX_KIND_AWARD] = n;
    return CX_OK;
}

/* The distinct grades, collected in b->aux by award_grade. */
static int finish_grades(builder *b)
{
    void *grades;
    b->s->ngrades = (uint32_t)b->aux.n;
    int rc = vec_finish(b, &b->aux, &grades);
    b->s->grades = grades;
    return rc;
}

/* A result row: rows come by award id, as awards_by_id lists awards, so
 * the two are walked together (a merge join, no look-up). */
static int on_result(void *ud, const cx_col *c, size_t n)
{
    builder *b = ud;
    const cx_snapshot *s = b->s;
    pending_result *p = vec_push(&b->v);
    int cmp = -1;
    (void)n;
    if (!p) return nomem(b->err);
    if (!c[0].text) return corrupt(b->err, "an award result has no award");
    while (b->id_cursor < s->count[CX_KIND_AWARD] &&
           (cmp = strcmp(s->awards[s->awards_by_id[b->id_cursor]].id, c[0].text)) < 0)
        b->id_cursor++;
    if (cmp != 0) return corrupt(b->err, "a result of award '%s', which does not exist", c[0].text);
    p->award = s->awards_by_id[b->id_cursor];
    int rc = intern_col(b, &c[1], &p->result.key);
    p->result.value = c[2].text ? cx__parse_number(c[2].text) : CX_NO_NUMBER;
    b->awards[p->award].results++; /* a count until finish_results */
    return rc;
}

/* Lays the results out by award symbol (stable: each award's stay by
 * key) and turns every award's count into the index of its first. */
static int finish_results(builder *b)
{
    cx_snapshot *s = b->s;
    uint32_t n = (uint32_t)b->v.n, start = 0;
    const pending_result *p = (const pending_result *)(void *)b->v.data;
    cx_snap_result *out = cx__arena_alloc(&s->arena, (n ? n : 1) * sizeof *out);
    if (!out) return nomem(b->err);
    for (uint32_t k = 0; n && k < s->count[CX_KIND_AWARD]; k++) { /* no results: all 0 already */
        uint32_t count = b->awards[k].results;
        b->awards[k].results = start;
        start += count;
    }
    /* results counts are now starts; fill, then shift back (a counting sort) */
    for (uint32_t i = 0; i < n; i++) out[b->awards[p[i].award].results++] = p[i].result;
    for (uint32_t k = n ? s->count[CX_KIND_AWARD] : 0; k-- > 0;)
        b->awards[k].results = k ? b->awards[k - 1].results : 0;
    s->results = out;
    s->nresults = n;
    free(b->v.data);
    vec_init(&b->v, b->v.size);
    return CX_OK;
}

static int on_exception(void *ud, const cx_col *c, size_t n)
{
    builder *b = ud;
    cx_snap_exception *e = vec_push(&b->v);
    (void)n;
    if (!e) return nomem(b->err);
    int rc = child_owner(b, &c[0], CX_KIND_HOLDER, "exception", &e->holder);
    if (!rc) rc = copy_col(b, &c[1], &e->stack_id);
    if (!rc && c[2].len) rc = copy_col(b, &c[2], &e->waive); /* '' means none */
    if (!rc && c[3].len) rc = copy_col(b, &c[3], &e->for_id);
    if (!rc && e->for_id) rc = copy_col(b, &c[4], &e->use_id);
    if (!rc) rc = copy_col(b, &c[5], &e->by);
    if (!rc) rc = copy_col(b, &c[6], &e->reason);
    if (!rc) rc = intern_col(b, &c[7], &e->file);
    if (rc) return rc;
    const cx_snapshot *s = b->s;
    e->stack = cx__snapshot_find(s, CX_KIND_CREDENTIAL, e->stack_id);
    e->substitute_for = cx__snapshot_find(s, CX_KIND_CREDENTIAL, e->for_id);
    e->substitute_use = cx__snapshot_find(s, CX_KIND_CREDENTIAL, e->use_id);
    e->line = c[8].text ? (int)c[8].integer : 0;
    b->holders[e->holder].nexceptions++;
    return CX_OK;
}

/* ------------------------------------------------------------ loading */

/* Makes p the array of table, in the snapshot and in the builder. */
static void set_array(builder *b, int table, void *p)
{
    cx_snapshot *s = b->s;
    switch (table) {
    case CX_KIND_JURISDICTION:
        s->jurisdictions = b->jurisdictions = p;
        break;
    case CX_KIND_GROUP:
        s->groups = b->groups = p;
        break;
    case CX_KIND_PROVIDER:
        s->providers = b->providers = p;
        break;
    case CX_KIND_FRAMEWORK:
        s->frameworks = b->frameworks = p;
        break;
    case CX_KIND_COMPETENCY:
        s->competencies = b->competencies = p;
        break;
    case CX_KIND_CREDENTIAL:
        s->credentials = b->credentials = p;
        break;
    case CX_KIND_HOLDER:
        s->holders = b->holders = p;
        break;
    default:
        s->tags = p;
        break; /* CX_SNAP_TAG; awards are laid out by layout_awards */
    }
}

/* Runs one entity scan: its rows become table's array, then its symbols. */
static int load_table(cx_registry *r, builder *b, cx_scan what, cx_row_fn fn, size_t elem,
                      int table)
{
    void *p = NULL;
    vec_init(&b->v, elem);
    int rc = scan(r, b, what, fn);
    b->s->count[table] = (uint32_t)b->v.n;
    if (!rc) rc = vec_finish(b, &b->v, &p);
    if (rc) return rc;
    set_array(b, table, p);
    return build_symtab(b, table);
}

/* Runs a child scan into one array (its owners' counters bumped by fn). */
static int load_children(cx_registry *r, builder *b, cx_scan what, cx_row_fn fn, size_t elem,
                         void **array)
{
    vec_init(&b->v, elem);
    int rc = scan(r, b, what, fn);
    if (!rc) rc = vec_finish(b, &b->v, array);
    return rc;
}

static int load_places(cx_registry *r, builder *b)
{
    cx_snapshot *s = b->s;
    void *p = NULL;
    int rc = load_table(r, b, CX_SCAN_JURISDICTIONS, on_jurisdiction, sizeof *s->jurisdictions,
                        CX_KIND_JURISDICTION);
    if (!rc) rc = load_table(r, b, CX_SCAN_GROUPS, on_group, sizeof *s->groups, CX_KIND_GROUP);
    if (!rc)
        rc = load_children(r, b, CX_SCAN_MEMBERS, on_membership, sizeof(cx_snap_membership), &p);
    for (uint32_t g = 0, at = 0; !rc && g < s->count[CX_KIND_GROUP]; g++) {
        b->groups[g].memberships = b->groups[g].nmemberships ? (cx_snap_membership *)p + at : NULL;
        at += b->groups[g].nmemberships;
    }
    if (!rc)
        rc = load_table(r, b, CX_SCAN_PROVIDERS, on_provider, sizeof *s->providers,
                        CX_KIND_PROVIDER);
    return rc;
}

/* Resolves the competencies' parents kept in b->aux. */
static int resolve_parents(builder *b)
{
    const char **parents = (const char **)(void *)b->aux.data;
    int rc = CX_OK;
    for (uint32_t k = 0; k < b->s->count[CX_KIND_COMPETENCY] && !rc; k++) {
        cx_snap_competency *c = &b->competencies[k];
        c->parent = parents[k] ? cx__snapshot_find(b->s, CX_KIND_COMPETENCY, parents[k]) : CX_NOSYM;
        if (parents[k] && c->parent == CX_NOSYM)
            rc = corrupt(b->err, "competency '%s' has the unknown parent '%s'", c->id, parents[k]);
    }
    free(b->aux.data);
    vec_init(&b->aux, sizeof(const char *));
    return rc;
}

static int load_frameworks(cx_registry *r, builder *b)
{
    cx_snapshot *s = b->s;
    int rc = load_table(r, b, CX_SCAN_FRAMEWORKS, on_framework, sizeof *s->frameworks,
                        CX_KIND_FRAMEWORK);
    vec_init(&b->aux, sizeof(const char *));
    if (!rc)
        rc = load_table(r, b, CX_SCAN_COMPETENCIES, on_competency, sizeof *s->competencies,
                        CX_KIND_COMPETENCY);
    if (!rc) rc = resolve_parents(b);
    if (!rc) rc = load_table(r, b, CX_SCAN_TAGS, on_tag, sizeof(const char *), CX_SNAP_TAG);
    return rc;
}

/* Points each credential's list of one kind into array (count at off_n,
 * pointer at off_p, elements of elem bytes). memcpy, not casts, moves the
 * fields: they have different pointer types. */
static void place_lists(builder *b, void *array, size_t elem, size_t off_n, size_t off_p)
{
    size_t at = 0;
    for (uint32_t i = 0; i < b->s->count[CX_KIND_CREDENTIAL]; i++) {
        char *cr = (char *)&b->credentials[i];
        uint32_t n;
        memcpy(&n, cr + off_n, sizeof n);
        void *list = n ? (char *)array + at * elem : NULL;
        memcpy(cr + off_p, &list, sizeof list);
        at += n;
    }
}

#define CRED_LIST(scan_id, fn, type, count, ptr)                                                   \
    {                                                                                              \
        scan_id, fn, sizeof(type), offsetof(cx_snap_credential, count),                            \
            offsetof(cx_snap_credential, ptr)                                                      \
    }

static int load_credentials(cx_registry *r, builder *b)
{
    static const struct {
        cx_scan what;
        cx_row_fn fn;
        size_t elem, off_n, off_p;
    } lists[] = {
        CRED_LIST(CX_SCAN_CRED_COMPETENCIES, on_cred_competency, cx_sym, ncompetencies,
                  competencies),
        CRED_LIST(CX_SCAN_CRED_TAGS, on_cred_tag, cx_sym, ntags, tags),
        CRED_LIST(CX_SCAN_CRED_CODES, on_cred_code, cx_snap_code, ncodes, codes),
        CRED_LIST(CX_SCAN_CRED_ATTRS, on_cred_attr, cx_snap_attr, nattrs, attrs),
        CRED_LIST(CX_SCAN_CRED_GRADES, on_cred_grade, const char *, ngrades, grades),
    };
    cx_snapshot *s = b->s;
    void *p = NULL;
    int rc = load_table(r, b, CX_SCAN_CREDENTIALS, on_credential, sizeof *s->credentials,
                        CX_KIND_CREDENTIAL);
    for (size_t i = 0; i < CX_COUNT(lists) && !rc; i++) {
        rc = load_children(r, b, lists[i].what, lists[i].fn, lists[i].elem, &p);
        if (!rc) place_lists(b, p, lists[i].elem, lists[i].off_n, lists[i].off_p);
    }
    return rc;
}

static int load_holders(cx_registry *r, builder *b)
{
    cx_snapshot *s = b->s;
    void *p = NULL;
    int rc = load_table(r, b, CX_SCAN_HOLDERS, on_holder, sizeof *s->holders, CX_KIND_HOLDER);
    if (!rc)
        rc = load_children(r, b, CX_SCAN_HOLDER_ATTRS, on_holder_attr, sizeof(cx_snap_attr), &p);
    for (uint32_t h = 0, at = 0; !rc && h < s->count[CX_KIND_HOLDER]; h++) {
        b->holders[h].attrs = b->holders[h].nattrs ? (cx_snap_attr *)p + at : NULL;
        at += b->holders[h].nattrs;
    }
    return rc;
}

/* Reads the awards (id order) and lays them out: in parallel parts when
 * part_count says so, else in one part on the main connection, which is
 * also the fallback when a part saw a newer import than the main reader. */
static int read_awards(cx_registry *registry, cx_registry *main, builder *b)
{
    award_part parts[CX_SNAP_MAX_PARTS];
    int k = part_count(b, registry, main), rc = CX_OK;
    parts_init(b, parts, k, main);
    if (k > 1 && read_parts(registry, parts, k)) { /* stale: start again, serially */
        parts_free(registry, parts, k);
        for (int i = 0; i < k; i++) cx__arena_free(&b->s->part_arenas[i]);
        k = 1;
        parts_init(b, parts, k, main);
    }
    if (k == 1) parts[0].rc = read_part(&parts[0], 0);
    for (int i = 0; i < k && !rc; i++)
        if ((rc = parts[i].rc) != 0) *b->err = parts[i].err;
    if (!rc) rc = layout_awards(b, parts, k);
    parts_free(registry, parts, k);
    return rc;
}

/* The awards, laid out by holder, their distinct grades and results. */
static int load_awards(cx_registry *registry, cx_registry *r, builder *b)
{
    vec_init(&b->aux, sizeof(const char *));
    int rc = read_awards(registry, r, b);
    if (!rc) rc = finish_grades(b);
    vec_init(&b->v, sizeof(pending_result));
    b->id_cursor = 0;
    if (!rc) rc = scan(r, b, CX_SCAN_AWARD_RESULTS, on_result);
    if (!rc) rc = finish_results(b);
    return rc;
}

static int load_exceptions(cx_registry *r, builder *b)
{
    cx_snapshot *s = b->s;
    void *p = NULL;
    int rc = load_children(r, b, CX_SCAN_EXCEPTIONS, on_exception, sizeof(cx_snap_exception), &p);
    if (rc) return rc;
    s->exceptions = p;
    for (uint32_t h = 0; h < s->count[CX_KIND_HOLDER]; h++) {
        b->holders[h].exceptions =
            b->holders[h].nexceptions ? (cx_snap_exception *)p + s->nexceptions : NULL;
        s->nexceptions += b->holders[h].nexceptions;
    }
    return CX_OK;
}

/* A new empty snapshot: its arenas and symbol tables; NULL on OOM. */
static cx_snapshot *snapshot_new(void)
{
    cx_snapshot *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    cx__arena_init(&s->arena);
    for (int i = 0; i < CX_SNAP_MAX_PARTS; i++) cx__arena_init(&s->part_arenas[i]);
    s->symtabs = cx__arena_alloc(&s->arena, CX_SNAP_NTABLES * sizeof *s->symtabs);
    if (!s->symtabs) {
        cx__snapshot_free(s);
        return NULL;
    }
    memset(s->symtabs, 0, CX_SNAP_NTABLES * sizeof *s->symtabs);
    return s;
}

/* The snapshot in the cache beside registry_file when it matches key and
 * checks out whole, with its symbol tables; else NULL (docs/registry.md,
 * "The snapshot cache": never an error). */
static cx_snapshot *load_cached(const char *registry_file, const cx_snap_key *key)
{
    const char *why;
    cx_snapshot *s = snapshot_new();
    int rc = s ? 0 : -1;
    if (!rc && cx__snapshot_cache_read(s, registry_file, key, &why) != CX_CACHE_FRESH) rc = -1;
    if (!rc) rc = cx__snapshot_index(s);
    if (rc) {
        cx__snapshot_free(s);
        return NULL;
    }
    s->from_cache = 1;
    s->bytes = sizeof *s + s->arena.total + s->map_size;
    return s;
}

/* Whether the load may use the cache: a registry file opened without
 * no_cache, read on a connection of its own (so no transaction of the
 * caller's, with changes the content version does not count yet, is
 * inside it), with a registry id. Fills key. */
static int cacheable(cx_registry *registry, cx_registry *r, int64_t version, cx_snap_key *key)
{
    if (r == registry || cx__registry_no_cache(registry) || !cx__registry_file(registry)) return 0;
    return cx__snapshot_cache_key(r, version, key) == 0 && key->registry_id[0];
}

/* Every scan, in dependency order, inside one read transaction of a
 * reader connection (see cx__registry_reader_open); or, when the snapshot
 * cache matches the content version that transaction sees, the cache
 * (*cached), and no scan. A load from the registry then writes the cache. */
static int load_all(cx_registry *registry, builder *b, cx_snapshot **cached)
{
    cx_registry *r = NULL;
    cx_snap_key key;
    int began = 0, use_cache = 0;
    int rc = cx__registry_reader_open(registry, &r, b->err);
    if (rc) return rc;
    rc = cx__registry_read_begin(r, &began, b->err);
    if (!rc) rc = cx_registry_content_version(r, &b->s->content_version, b->err);
    if (!rc) use_cache = cacheable(registry, r, b->s->content_version, &key);
    if (use_cache && (*cached = load_cached(cx__registry_file(registry), &key))) {
        cx__registry_read_end(r, began);
        cx__registry_reader_close(registry, r);
        return CX_OK;
    }
    if (!rc) rc = load_places(r, b);
    if (!rc) rc = load_frameworks(r, b);
    if (!rc) rc = load_credentials(r, b);
    if (!rc) rc = load_holders(r, b);
    if (!rc) rc = load_awards(registry, r, b);
    if (!rc) rc = load_exceptions(r, b);
    cx__registry_read_end(r, began);
    cx__registry_reader_close(registry, r);
    if (!rc && use_cache) cx__snapshot_cache_write(b->s, cx__registry_file(registry), &key);
    return rc;
}

int cx__snapshot_load_threads(cx_registry *r, int threads, cx_snapshot **out, cx_error *err)
{
    return cx__snapshot_load_pieces(r, threads, 0, out, err);
}

int cx__snapshot_load_pieces(cx_registry *r, int threads, uint32_t piece, cx_snapshot **out,
                             cx_error *err)
{
    builder b;
    memset(&b, 0, sizeof b);
    cx__strmap_init(&b.interned);
    cx__strmap_init(&b.grade_index);
    vec_init(&b.v, 1);
    vec_init(&b.aux, 1);
    b.last_place = CX_NOSYM;
    *out = NULL;
    int rc = CX_OK;
    cx_snapshot *s = snapshot_new(), *cached = NULL;
    if (!s) return nomem(err);
    b.s = s;
    b.err = err;
    b.threads = threads;
    b.piece = piece ? piece : LAYOUT_PIECE;
    pool_init(&b.strings, &s->arena);
    rc = load_all(r, &b, &cached);
    s->bytes = sizeof *s + s->arena.total;
    for (int i = 0; i < CX_SNAP_MAX_PARTS; i++) s->bytes += s->part_arenas[i].total;
    if (cached) { /* the empty snapshot goes; the cached one is the result */
        cx__snapshot_free(s);
        s = cached;
    }
    free(b.v.data);
    free(b.aux.data);
    cx__strmap_free(&b.interned);
    cx__strmap_free(&b.grade_index);
    if (rc)
        cx__snapshot_free(s);
    else
        *out = s;
    return rc;
}

int cx__snapshot_load(cx_registry *r, cx_snapshot **out, cx_error *err)
{
    return cx__snapshot_load_threads(r, 0, out, err);
}

void cx__snapshot_free(cx_snapshot *s)
{
    if (!s) return;
    if (s->map) munmap(s->map, s->map_size);
    cx__arena_free(&s->arena);
    for (int i = 0; i < CX_SNAP_MAX_PARTS; i++) cx__arena_free(&s->part_arenas[i]);
    free(s);
}

/* ------------------------------------------------------------ queries */

const cx_snap_result *cx__snapshot_results(const cx_snapshot *s, const cx_snap_award *a,
                                           uint32_t *n)
{
    /* the next award's first result ends a's: s's last has no next, a
       view's last its sentinel */
    uint32_t na = s->count[CX_KIND_AWARD];
    int last = na && (uintptr_t)a == (uintptr_t)&s->awards[na - 1];
    uint32_t end = last ? s->nresults : a[1].results;
    *n = end - a->results;
    return *n ? s->results + a->results : NULL;
}

const char *cx__snapshot_grade(const cx_snapshot *s, const cx_snap_award *a)
{
    return a->grade < s->ngrades ? s->grades[a->grade] : NULL;
}

int cx__snapshot_member(const cx_snapshot *s, cx_sym group, cx_sym jurisdiction, cx_date on,
                        const char *status)
{
    if (group >= s->count[CX_KIND_GROUP] || jurisdiction == CX_NOSYM) return 0;
    const cx_snap_group *g = &s->groups[group];
    uint32_t lo = 0, hi = g->nmemberships;
    while (lo < hi) { /* the first membership of jurisdiction */
        uint32_t mid = lo + (hi - lo) / 2;
        if (g->memberships[mid].jurisdiction < jurisdiction)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (const cx_snap_membership *m = g->memberships + lo;
         m < g->memberships + g->nmemberships && m->jurisdiction == jurisdiction; m++) {
        if (m->from > on || on > m->until) continue;
        if (!status || (m->status && strcmp(m->status, status) == 0)) return 1;
    }
    return 0;
}

const cx_snap_attr *cx__snapshot_attr(const cx_snap_attr *attrs, uint32_t n, const char *key)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = strcmp(attrs[mid].key, key);
        if (c == 0) return &attrs[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *cx__snapshot_nearest(const cx_snapshot *s, int table, const char *id)
{
    uint32_t n = cx__snapshot_count(s, table);
    size_t len = strlen(id), limit = len / 3 > 2 ? len / 3 : 2, best_d = limit + 1;
    const char *best = NULL;
    if (table == CX_KIND_JURISDICTION) { /* "TX" names "US-TX" first */
        cx_subdivision sub;
        uint32_t match = 0;
        cx__subdivision_begin(&sub, id);
        for (uint32_t sym = 0; sub.code && sym < n; sym++)
            if (cx__subdivision_see(&sub, cx__snapshot_id(s, table, sym))) match = sym;
        if (cx__subdivision_pick(&sub)) return cx__snapshot_id(s, table, match);
    }
    for (uint32_t sym = 0; sym < n; sym++) {
        const char *cand = cx__snapshot_id(s, table, sym);
        size_t d = cx__edit_distance(id, cand, limit);
        if (d < best_d) {
            best_d = d;
            best = cand;
        }
    }
    return best;
}

/* ------------------------------------------------------------ grafts */

/* Whether two snapshots hold the same ids, in the same order, in table. */
static int same_ids(const cx_snapshot *a, const cx_snapshot *b, int table)
{
    if (a->count[table] != b->count[table]) return 0;
    for (cx_sym sym = 0; sym < a->count[table]; sym++)
        if (strcmp(cx__snapshot_id(a, table, sym), cx__snapshot_id(b, table, sym)) != 0) return 0;
    return 1;
}

int cx__snapshot_graftable(const cx_snapshot *base, const cx_snapshot *facts)
{
    return same_ids(base, facts, CX_KIND_CREDENTIAL) && same_ids(base, facts, CX_KIND_JURISDICTION);
}

static int same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* A graft's default expiries by (credential, day of issue), direct-mapped:
 * it recomputes only the changed credentials' awards, a few days each. A
 * copying graft has GRAFT_MEMO slots, a view VIEW_MEMO. */
#define GRAFT_MEMO (1u << 15)
#define VIEW_MEMO  (1u << 12)
typedef struct graft_memo {
    cx_sym credential; /* CX_NOSYM: an empty slot */
    cx_date issued;
    cx_date expires;
} graft_memo;

/* Whether an award of credential a defaults anything differently as one
 * of b: its expiry, jurisdiction or hours, or the rank of its grade. */
static int defaults_differ(const cx_snap_credential *a, const cx_snap_credential *b)
{
    if (!same_text(a->valid_for, b->valid_for) || a->jurisdiction != b->jurisdiction ||
        a->hours != b->hours || a->ngrades != b->ngrades)
        return 1;
    for (uint32_t k = 0; k < a->ngrades; k++)
        if (strcmp(a->grades[k], b->grades[k]) != 0) return 1;
    return 0;
}

/* Derives award a of s (the graft: its credentials are after the
 * change) anew, as award_defaults and award_grade would have: what the
 * registry did not store, and the grade's rank. memo: mask + 1 slots of
 * default expiries by (credential, day of issue). */
static void graft_award(const cx_snapshot *s, graft_memo *memo, uint32_t mask, cx_snap_award *a)
{
    const cx_snap_credential *cr = &s->credentials[a->credential];
    if (!(a->flags & CX_AWARD_EXPIRES_STORED) && !cr->valid_for) {
        a->expires = cx__expiry_default(a->issued, NULL);
    } else if (!(a->flags & CX_AWARD_EXPIRES_STORED)) {
        graft_memo *m = &memo[((uint32_t)a->issued + a->credential * 4099u) & mask];
        if (m->credential != a->credential || m->issued != a->issued) {
            m->issued = a->issued;
            m->credential = a->credential;
            m->expires = cx__expiry_default(a->issued, &cr->duration);
        }
        a->expires = m->expires;
    }
    if (!(a->flags & CX_AWARD_JURISDICTION_STORED)) a->jurisdiction = cr->jurisdiction;
    if (!(a->flags & CX_AWARD_HOURS_STORED)) a->hours = cr->hours;
    a->grade_rank = -1;
    for (uint32_t k = 0; a->grade != CX_NOSYM && k < cr->ngrades && k <= INT16_MAX; k++)
        if (strcmp(cr->grades[k], s->grades[a->grade]) == 0) {
            a->grade_rank = (int16_t)k;
            break;
        }
}

/* s's awards and holders: base's own when no credential defaults anything
 * differently in facts (changed: one flag per credential; any: some is
 * set), or when the graft is deferred (s->rederive says which to derive
 * as a holder is read); else copies with the awards of those that do
 * derived again. */
static int graft_awards(cx_snapshot *s, const cx_snapshot *base, const uint8_t *changed, int any,
                        int deferred)
{
    uint32_t na = base->count[CX_KIND_AWARD], nh = base->count[CX_KIND_HOLDER],
             nc = s->count[CX_KIND_CREDENTIAL];
    s->awards = base->awards;
    s->holders = base->holders;
    if (!any || !na) return CX_OK;
    if (deferred) {
        uint8_t *v = cx__arena_alloc(&s->arena, nc);
        if (!v) return CX_ENOMEM;
        memcpy(v, changed, nc);
        s->rederive = v;
        return CX_OK;
    }
    cx_snap_award *awards = cx__arena_alloc(&s->arena, na * sizeof *awards);
    cx_snap_holder *holders = cx__arena_alloc(&s->arena, nh * sizeof *holders);
    graft_memo *memo = malloc(GRAFT_MEMO * sizeof *memo);
    int rc = awards && holders && memo ? CX_OK : CX_ENOMEM;
    if (!rc) {
        memcpy(awards, base->awards, na * sizeof *awards);
        memset(memo, 0xff, GRAFT_MEMO * sizeof *memo); /* credential CX_NOSYM */
        for (uint32_t i = 0; i < na; i++)
            if (changed[awards[i].credential]) graft_award(s, memo, GRAFT_MEMO - 1, &awards[i]);
        for (uint32_t h = 0; h < nh; h++) {
            holders[h] = base->holders[h];
            holders[h].awards =
                base->holders[h].awards ? awards + (base->holders[h].awards - base->awards) : NULL;
        }
        s->awards = awards;
        s->holders = holders;
    }
    free(memo);
    return rc;
}

const cx_snap_holder *cx__snapshot_holder(const cx_snapshot *s, cx_sym h, cx_snap_view *v)
{
    const cx_snap_holder *ho = &s->holders[h];
    uint32_t n = ho->nawards, i = 0;
    if (!s->rederive) return ho;
    if (v->of == s && v->h == h) return &v->holder;
    while (i < n && !s->rederive[ho->awards[i].credential]) i++;
    if (i == n) return ho; /* none of its awards moves */
    /* a memo filled for another graft holds its expiries: forget them */
    if (v->of != s && v->memo) memset(v->memo, 0xff, VIEW_MEMO * sizeof *v->memo);
    v->of = NULL;
    if (n + 1 > v->cap) {
        size_t cap = v->cap ? v->cap : 16;
        while (cap < (size_t)n + 1) cap *= 2;
        cx_snap_award *awards = realloc(v->awards, cap * sizeof *awards);
        if (!awards) return NULL;
        v->awards = awards;
        v->cap = cap;
    }
    if (!v->memo) {
        if (!(v->memo = malloc(VIEW_MEMO * sizeof *v->memo))) return NULL;
        memset(v->memo, 0xff, VIEW_MEMO * sizeof *v->memo); /* credential CX_NOSYM */
    }
    size_t next = (size_t)(ho->awards - s->awards) + n; /* the award after h's last */
    memcpy(v->awards, ho->awards, n * sizeof *v->awards);
    memset(&v->awards[n], 0, sizeof v->awards[n]);
    v->awards[n].results = next < s->count[CX_KIND_AWARD] ? s->awards[next].results : s->nresults;
    for (; i < n; i++)
        if (s->rederive[v->awards[i].credential])
            graft_award(s, v->memo, VIEW_MEMO - 1, &v->awards[i]);
    v->holder = *ho;
    v->holder.awards = v->awards;
    v->of = s;
    v->h = h;
    return &v->holder;
}

void cx__snapshot_view_free(cx_snap_view *v)
{
    free(v->awards);
    free(v->memo);
    memset(v, 0, sizeof *v);
}

/* cx__snapshot_graft, or (deferred) cx__snapshot_graft_deferred. */
static int graft(const cx_snapshot *base, const cx_snapshot *facts, int deferred, cx_snapshot **out,
                 cx_error *err)
{
    static const int from_facts[] = {CX_KIND_JURISDICTION, CX_KIND_GROUP,      CX_KIND_PROVIDER,
                                     CX_KIND_FRAMEWORK,    CX_KIND_COMPETENCY, CX_KIND_CREDENTIAL,
                                     CX_SNAP_TAG};
    uint32_t nc = facts->count[CX_KIND_CREDENTIAL];
    uint8_t *changed = calloc(nc + 1, 1);
    cx_snapshot *s = snapshot_new();
    int any = 0, rc = s && changed ? CX_OK : CX_ENOMEM;
    *out = NULL;
    if (!rc && !cx__snapshot_graftable(base, facts))
        rc = cx__error(err, CX_EINPUT, NULL, 0, 0,
                       "cannot graft: the change adds or removes a credential or jurisdiction");
    if (rc) goto done;
    s->content_version = facts->content_version;
    s->jurisdictions = facts->jurisdictions;
    s->groups = facts->groups;
    s->providers = facts->providers;
    s->frameworks = facts->frameworks;
    s->competencies = facts->competencies;
    s->credentials = facts->credentials;
    s->tags = facts->tags;
    for (int table = 0; table < CX_SNAP_NTABLES; table++) {
        s->count[table] = base->count[table];
        s->symtabs[table] = base->symtabs[table];
    }
    for (size_t i = 0; i < CX_COUNT(from_facts); i++) {
        s->count[from_facts[i]] = facts->count[from_facts[i]];
        s->symtabs[from_facts[i]] = facts->symtabs[from_facts[i]];
    }
    s->awards_by_id = base->awards_by_id;
    s->results = base->results;
    s->exceptions = base->exceptions;
    s->grades = base->grades;
    s->nresults = base->nresults;
    s->nexceptions = base->nexceptions;
    s->ngrades = base->ngrades;
    for (cx_sym c = 0; c < nc; c++) {
        changed[c] = (uint8_t)defaults_differ(&base->credentials[c], &facts->credentials[c]);
        any |= changed[c];
    }
    rc = graft_awards(s, base, changed, any, deferred);
    s->bytes = sizeof *s + s->arena.total;
done:
    free(changed);
    if (rc) {
        cx__snapshot_free(s);
        return rc == CX_ENOMEM ? nomem(err) : rc;
    }
    *out = s;
    return CX_OK;
}

int cx__snapshot_graft(const cx_snapshot *base, const cx_snapshot *facts, cx_snapshot **out,
                       cx_error *err)
{
    return graft(base, facts, 0, out, err);
}

int cx__snapshot_graft_deferred(const cx_snapshot *base, const cx_snapshot *facts,
                                cx_snapshot **out, cx_error *err)
{
    return graft(base, facts, 1, out, err);
}
