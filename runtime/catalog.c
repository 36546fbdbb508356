/*
 * catalog.c -- catalog documents (docs/design.md §3) into a checked model: every
 * key, shape and value rule, one definition per import, references
 * resolved across files and the registry, each error at its file:line:col
 * (or JSON Pointer, or CSV column). It tells input formats apart by content
 * and reads them only through their readers (yaml_reader.h, csv_reader.h,
 * json_reader.h); it writes only through registry.h, never SQL itself.
 */
#include "catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "badges.h"
#include "csv_import.h"
#include "csv_reader.h"
#include "ctdl.h"
#include "date.h"
#include "json_reader.h"
#include "regex.h"
#include "registry.h"

#define MAX_ID_LEN 200
static const char id_pattern[] = "^[A-Za-z0-9][A-Za-z0-9._:+-]*$"; /* docs/design.md §3 */

/* A reference from one entity to another, resolved after every file is read. */
typedef struct ref {
    cx_kind kind;
    const char *id;
    cx_loc loc;
    cx_cat_award *award; /* the award that makes it, when skip_invalid may leave it out */
} ref;

struct cx_catalog_loader {
    cx_registry *registry;                /* where earlier imports live; not owned */
    cx_catalog cat;                       /* the model being built */
    cx_strmap defined[CX_KIND_AWARD + 1]; /* id -> cx_loc* of its definition */
    cx_strmap sources;                    /* provenance source_id -> cx_loc* of its award */
    cx_strmap known[CX_KIND_AWARD + 1];   /* ids resolved in the registry (values unused) */
    ref *refs;                            /* references to resolve */
    size_t nrefs, caprefs;
    cx_ydoc **docs; /* documents read by add_file, owned */
    size_t ndocs;
    const cx_regex *id_re;          /* the id pattern, from the regex cache */
    const cx_import_options *opts;  /* never NULL (no_opts by default); not owned */
    cx_import_options no_opts;      /* all zero */
    int64_t files[CX_FORMAT_COUNT]; /* files read by add_file, per format */
    int64_t skipped;                /* awards left out by skip_invalid (not issues) */
    struct absent {                 /* create_if_absent entities of JSON documents */
        cx_kind kind;               /* CX_KIND_PROVIDER or CX_KIND_JURISDICTION */
        const cx_ynode *node;       /* its mapping, in a document of docs */
        const char *file;           /* its file name (in the arena) */
    } * absent;
    size_t nabsent, capabsent;
    cx_trust *trust;                       /* opts->trust, once a token needs it; owned */
    cx_strmap by_source;                   /* provenance source_id -> cx_cat_award*, once a
                                            * badge's status or signature needs it */
    int by_source_built;                   /* 1: by_source is filled */
    cx_strmap removing[CX_KIND_AWARD + 1]; /* credential and competency ids `remove:` lists
                                            * -> cx_loc* of the id */
    int64_t cascaded;                      /* what the removals took along (--cascade) */
    cx_csv_awards *csv;                    /* the CSV award lists streamed, or NULL */
};

/* Per-document state while checking. */
typedef struct checker {
    cx_catalog_loader *ld;
    const char *file; /* file name for locations (in the arena) */
    cx_error *err;
    int add_awards;  /* 1: a non-YAML document, whose holders gain awards (docs/interop.md) */
    int keep_known;  /* 1: a badge's document: its providers and credentials are created
                      * only when new (docs/interop.md, "Open Badges") */
    int values_only; /* 1: a streamed CSV row (csv_import.c): no reference, no id */
} checker;

/* ---------------------------------------------------------------- helpers */

int cx__catalog_id_ok(const char *id, cx_error *err)
{
    const cx_regex *re;
    size_t len = strlen(id);
    int rc = cx__regex_cached(id_pattern, sizeof id_pattern - 1, &re, err);
    if (rc) return -1;
    return len <= MAX_ID_LEN ? cx__regex_test(re, id, len, err) : 0;
}

static cx_loc loc_of(const checker *c, const cx_ynode *n)
{
    cx_loc l = {c->file, n->line, n->column, n->where};
    return l;
}

static int fail(const checker *c, const cx_ynode *n, const char *fmt, ...) CX_PRINTF(3, 4);
static int fail(const checker *c, const cx_ynode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cx__ynode_verror(c->err, c->file, n, fmt, ap);
    va_end(ap);
    return CX_EINPUT;
}

static int nomem(const checker *c)
{
    return cx__error(c->err, CX_ENOMEM, c->file, 0, 0, "out of memory");
}

static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap) return v;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *p = realloc(v, ncap * size);
    if (p) *cap = ncap;
    return p;
}

/* Appends one zeroed element to a CX_CAT_ARRAY; NULL on OOM. */
#define PUSH(arr)                                                                                  \
    ((arr).n < (arr).cap || ((arr).v = grow((arr).v, &(arr).cap, (arr).n, sizeof *(arr).v))        \
         ? memset(&(arr).v[(arr).n++], 0, sizeof *(arr).v)                                         \
         : NULL)

/* A key list for "expected one of" messages. */
static void key_list(cx_buf *b, const char *const *keys)
{
    for (size_t i = 0; keys[i]; i++) {
        if (i) cx__buf_puts(b, ", ");
        cx__buf_puts(b, keys[i]);
    }
}

/* Checks that node is a mapping whose keys are all in allowed and that
 * every key in required is present. what names the entity in messages. */
static int check_map(const checker *c, const cx_ynode *n, const char *what,
                     const char *const *allowed, const char *const *required)
{
    cx_yschema s = {.what = what, .keys = allowed, .required = required};
    return cx__ycheck_map(c->file, n, &s, c->err);
}

/* The scalar text of node, refusing non-scalars, empty values and nulls. */
static int scalar(const checker *c, const cx_ynode *n, const char *key, const char **out)
{
    return cx__yscalar(c->file, n, key, out, c->err);
}

/* Optional scalar field: *out stays NULL when the key is absent. */
static int opt_text(const checker *c, const cx_ynode *map, const char *key, const char **out)
{
    const cx_ynode *v = cx__ymap_get(map, key);
    *out = NULL;
    return v ? scalar(c, v, key, out) : CX_OK;
}

static int check_id(const checker *c, const cx_ynode *n, const char *key, const char *id)
{
    cx_error rerr;
    size_t len = strlen(id);
    int m = len <= MAX_ID_LEN ? cx__regex_test(c->ld->id_re, id, len, &rerr) : 0;
    if (m < 0) return fail(c, n, "%s", rerr.message);
    if (!m)
        return fail(c, n,
                    "invalid %s '%.*s': expected letters, digits and . _ : + - (starting "
                    "with a letter or digit, at most %d characters)",
                    key, len > 60 ? 60 : (int)len, id, MAX_ID_LEN);
    return CX_OK;
}

/* An id field (the entity's own id or a reference), checked against the
 * id pattern. */
static int opt_id(const checker *c, const cx_ynode *map, const char *key, const char **out)
{
    const cx_ynode *v = cx__ymap_get(map, key);
    *out = NULL;
    if (!v) return CX_OK;
    int rc = scalar(c, v, key, out);
    return rc ? rc : check_id(c, v, key, *out);
}

static int add_ref(const checker *c, cx_kind kind, const char *id, const cx_ynode *at)
{
    cx_catalog_loader *ld = c->ld;
    ref *r = grow(ld->refs, &ld->caprefs, ld->nrefs, sizeof *r);
    if (!r) return nomem(c);
    ld->refs = r;
    ld->refs[ld->nrefs].kind = kind;
    ld->refs[ld->nrefs].id = id;
    ld->refs[ld->nrefs].loc = loc_of(c, at);
    ld->refs[ld->nrefs].award = NULL;
    ld->nrefs++;
    return CX_OK;
}

/* A reference field: an id of another entity, resolved later. */
static int opt_ref(const checker *c, const cx_ynode *map, const char *key, cx_kind kind,
                   const char **out)
{
    int rc = opt_id(c, map, key, out);
    if (rc || !*out) return rc;
    return add_ref(c, kind, *out, cx__ymap_get(map, key));
}

static int opt_date(const checker *c, const cx_ynode *map, const char *key, const char **out)
{
    const char *why;
    cx_date d;
    int rc = opt_text(c, map, key, out);
    if (rc || !*out) return rc;
    if (cx__date_parse(*out, &d, &why) != 0)
        return fail(c, cx__ymap_get(map, key), "invalid date '%s' for '%s': %s", *out, key, why);
    return CX_OK;
}

/* Both dates given: from must not be after until. */
static int date_order(const checker *c, const cx_ynode *map, const char *from_key, const char *from,
                      const char *until_key, const char *until)
{
    cx_date a, b;
    const char *why;
    if (!from || !until) return CX_OK;
    cx__date_parse(from, &a, &why);
    cx__date_parse(until, &b, &why);
    if (b < a)
        return fail(c, cx__ymap_get(map, until_key), "'%s' (%s) is before '%s' (%s)", until_key,
                    until, from_key, from);
    return CX_OK;
}

static int opt_duration(const checker *c, const cx_ynode *map, const char *key, const char **out)
{
    const char *why;
    cx_duration d;
    int rc = opt_text(c, map, key, out);
    if (rc || !*out) return rc;
    if (cx__duration_parse(*out, &d, &why) != 0)
        return fail(c, cx__ymap_get(map, key), "invalid duration '%s' for '%s': %s", *out, key,
                    why);
    return CX_OK;
}

static int number_value(const checker *c, const cx_ynode *n, const char *key, int64_t *out)
{
    const char *t = NULL;
    int rc = scalar(c, n, key, &t);
    if (rc) return rc;
    if ((*out = cx__parse_number(t)) == CX_NO_NUMBER)
        return fail(c, n,
                    "invalid number '%s' for '%s': expected digits with at most two decimals, "
                    "such as 40 or 12.5 (not negative)",
                    t, key);
    return CX_OK;
}

static int opt_number(const checker *c, const cx_ynode *map, const char *key, int64_t *out)
{
    const cx_ynode *v = cx__ymap_get(map, key);
    *out = CX_NO_NUMBER;
    return v ? number_value(c, v, key, out) : CX_OK;
}

/* A list of scalars (a single scalar is refused: the format says list).
 * each is called for every element. */
typedef int (*elem_fn)(const checker *c, const cx_ynode *n, const char *key, const char **out);

static int text_elem(const checker *c, const cx_ynode *n, const char *key, const char **out)
{
    return scalar(c, n, key, out);
}

static int id_elem(const checker *c, const cx_ynode *n, const char *key, const char **out)
{
    int rc = scalar(c, n, key, out);
    return rc ? rc : check_id(c, n, key, *out);
}

static int opt_list(const checker *c, const cx_ynode *map, const char *key, elem_fn each,
                    const char ***out, size_t *count)
{
    const cx_ynode *v = cx__ymap_get(map, key);
    *out = NULL;
    *count = 0;
    if (!v) return CX_OK;
    if (v->kind != CX_YLIST)
        return fail(c, v, "expected a list for '%s', found %s (write [a, b])", key,
                    cx__ynode_kind_name(v->kind));
    const char **items = cx__arena_alloc(&c->ld->cat.arena, (v->count + 1) * sizeof *items);
    if (!items) return nomem(c);
    for (size_t i = 0; i < v->count; i++) {
        int rc = each(c, v->items[i], key, &items[i]);
        if (rc) return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(items[j], items[i]) == 0)
                return fail(c, v->items[i], "'%s' is listed twice in '%s'", items[i], key);
    }
    items[v->count] = NULL; /* lists are NULL-terminated too, for key_list */
    *out = items;
    *count = v->count;
    return CX_OK;
}

static int attr_key_ok(const char *k)
{
    if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') || *k == '_')) return 0;
    for (k++; *k; k++)
        if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') ||
              *k == '_' || *k == '-' || *k == '.'))
            return 0;
    return 1;
}

/* A mapping of free attributes (key -> text), or of results (key -> number)
 * when numeric is set. */
static int opt_kv(const checker *c, const cx_ynode *map, const char *key, int numeric,
                  cx_cat_kv **out, size_t *count)
{
    const cx_ynode *v = cx__ymap_get(map, key);
    *out = NULL;
    *count = 0;
    if (!v) return CX_OK;
    if (v->kind != CX_YMAP)
        return fail(c, v, "expected a mapping for '%s', found %s (write { key: value })", key,
                    cx__ynode_kind_name(v->kind));
    cx_cat_kv *kv = cx__arena_alloc(&c->ld->cat.arena, (v->count + 1) * sizeof *kv);
    if (!kv) return nomem(c);
    for (size_t i = 0; i < v->count; i++) {
        const cx_ynode *k = v->keys[i];
        if (!attr_key_ok(k->text))
            return fail(c, k,
                        "invalid key '%s' in '%s': expected a name of letters, digits, _ . - "
                        "starting with a letter or _",
                        k->text, key);
        kv[i].key = k->text;
        int64_t num;
        int rc = numeric ? number_value(c, v->items[i], k->text, &num)
                         : scalar(c, v->items[i], k->text, &kv[i].value);
        if (rc) return rc;
        if (numeric) kv[i].value = v->items[i]->text;
    }
    *out = kv;
    *count = v->count;
    return CX_OK;
}

/* Records the definition of id (of kind) at n; a second definition in one
 * import is an error naming both places. */
static int define(const checker *c, cx_kind kind, const char *id, const cx_ynode *n)
{
    cx_loc *loc = cx__arena_alloc(&c->ld->cat.arena, sizeof *loc);
    void *old = NULL;
    if (!loc) return nomem(c);
    *loc = loc_of(c, n);
    int rc = cx__strmap_put(&c->ld->defined[kind], id, loc, &old);
    if (rc < 0) return nomem(c);
    if (rc == 1) {
        const cx_loc *first = old;
        char at[600];
        return fail(
            c, n, "%s '%s' is defined twice in this import (first at %s)", cx_kind_name(kind), id,
            cx__yplace(at, sizeof at, first->file, first->line, first->column, first->where));
    }
    return CX_OK;
}

/* The node of a required id key (present: check_map checked it). */
static int own_id(const checker *c, const cx_ynode *map, cx_kind kind, const char **out)
{
    int rc = opt_id(c, map, "id", out);
    return rc ? rc : define(c, kind, *out, cx__ymap_get(map, "id"));
}

/* ---------------------------------------------------------- the entities */

static int jurisdiction(const checker *c, const cx_ynode *n)
{
    static const char *const keys[] = {"id", "name", "kind", NULL};
    static const char *const req[] = {"id", "name", NULL};
    cx_cat_jurisdiction *j;
    int rc = check_map(c, n, "jurisdiction", keys, req);
    if (rc) return rc;
    if (!(j = PUSH(c->ld->cat.jurisdictions))) return nomem(c);
    j->loc = loc_of(c, n);
    if ((rc = own_id(c, n, CX_KIND_JURISDICTION, &j->id)) ||
        (rc = opt_text(c, n, "name", &j->name)) || (rc = opt_text(c, n, "kind", &j->kind)))
        return rc;
    return CX_OK;
}

static int membership(const checker *c, const cx_ynode *n, cx_cat_membership *m)
{
    static const char *const keys[] = {"jurisdiction", "from", "until", "status", NULL};
    static const char *const req[] = {"jurisdiction", "from", NULL};
    int rc = check_map(c, n, "membership", keys, req);
    if (rc) return rc;
    m->loc = loc_of(c, n);
    if ((rc = opt_ref(c, n, "jurisdiction", CX_KIND_JURISDICTION, &m->jurisdiction)) ||
        (rc = opt_date(c, n, "from", &m->from)) || (rc = opt_date(c, n, "until", &m->until)) ||
        (rc = opt_text(c, n, "status", &m->status)) ||
        (rc = date_order(c, n, "from", m->from, "until", m->until)))
        return rc;
    return CX_OK;
}

static int group(const checker *c, const cx_ynode *n)
{
    static const char *const keys[] = {"id", "name", "members", NULL};
    static const char *const req[] = {"id", "members", NULL};
    cx_cat_group *g;
    int rc = check_map(c, n, "group", keys, req);
    if (rc) return rc;
    if (!(g = PUSH(c->ld->cat.groups))) return nomem(c);
    g->loc = loc_of(c, n);
    if ((rc = own_id(c, n, CX_KIND_GROUP, &g->id)) || (rc = opt_text(c, n, "name", &g->name)))
        return rc;
    const cx_ynode *members = cx__ymap_get(n, "members");
    if (members->kind != CX_YLIST)
        return fail(c, members, "expected a list for 'members', found %s",
                    cx__ynode_kind_name(members->kind));
    g->members = cx__arena_alloc(&c->ld->cat.arena, (members->count + 1) * sizeof *g->members);
    if (!g->members) return nomem(c);
    for (size_t i = 0; i < members->count; i++) {
        memset(&g->members[i], 0, sizeof g->members[i]);
        if ((rc = membership(c, members->items[i], &g->members[i]))) return rc;
    }
    g->nmembers = members->count;
    return CX_OK;
}

/* 1 when a badge's definition n (of kind) is not applied: its id is
 * defined in this import or known to the registry already; -1 on a
 * registry error. */
static int kept(const checker *c, cx_kind kind, const cx_ynode *n)
{
    const cx_ynode *id = n->kind == CX_YMAP ? cx__ymap_get(n, "id") : NULL;
    if (!c->keep_known || !id || id->kind != CX_YSCALAR) return 0;
    if (cx__strmap_get(&c->ld->defined[kind], id->text)) return 1;
    return cx_registry_has(c->ld->registry, kind, id->text, c->err);
}

static int provider(const checker *c, const cx_ynode *n)
{
    static const char *const keys[] = {"id", "name", "jurisdiction", NULL};
    static const char *const req[] = {"id", "name", NULL};
    cx_cat_provider *p;
    int rc = kept(c, CX_KIND_PROVIDER, n);
    if (rc) return rc < 0 ? c->err->code : CX_OK;
    if ((rc = check_map(c, n, "provider", keys, req))) return rc;
    if (!(p = PUSH(c->ld->cat.providers))) return nomem(c);
    p->loc = loc_of(c, n);
    if ((rc = own_id(c, n, CX_KIND_PROVIDER, &p->id)) || (rc = opt_text(c, n, "name", &p->name)) ||
        (rc = opt_ref(c, n, "jurisdiction", CX_KIND_JURISDICTION, &p->jurisdiction)))
        return rc;
    return CX_OK;
}

static int competency(const checker *c, const cx_ynode *n, const char *framework)
{
    static const char *const keys[] = {"id", "text", "parent", NULL};
    static const char *const req[] = {"id", "text", NULL};
    cx_cat_competency *k;
    int rc = check_map(c, n, "competency", keys, req);
    if (rc) return rc;
    if (!(k = PUSH(c->ld->cat.competencies))) return nomem(c);
    k->loc = loc_of(c, n);
    k->framework = framework;
    if ((rc = own_id(c, n, CX_KIND_COMPETENCY, &k->id)) ||
        (rc = opt_text(c, n, "text", &k->text)) ||
        (rc = opt_ref(c, n, "parent", CX_KIND_COMPETENCY, &k->parent)))
        return rc;
    if (k->parent && strcmp(k->parent, k->id) == 0)
        return fail(c, cx__ymap_get(n, "parent"), "competency '%s' cannot be its own parent",
                    k->id);
    return CX_OK;
}

static int framework(const checker *c, const cx_ynode *n)
{
    static const char *const keys[] = {"id", "name", "competencies", NULL};
    static const char *const req[] = {"id", "name", NULL};
    cx_cat_framework *f;
    int rc = check_map(c, n, "framework", keys, req);
    if (rc) return rc;
    if (!(f = PUSH(c->ld->cat.frameworks))) return nomem(c);
    f->loc = loc_of(c, n);
    if ((rc = own_id(c, n, CX_KIND_FRAMEWORK, &f->id)) || (rc = opt_text(c, n, "name", &f->name)))
        return rc;
    const char *id = f->id; /* f may move as the array grows */
    const cx_ynode *list = cx__ymap_get(n, "competencies");
    if (!list) return CX_OK;
    if (list->kind != CX_YLIST)
        return fail(c, list, "expected a list for 'competencies', found %s",
                    cx__ynode_kind_name(list->kind));
    for (size_t i = 0; i < list->count; i++)
        if ((rc = competency(c, list->items[i], id))) return rc;
    return CX_OK;
}

/* ------------------------------------------------------------ credentials */

typedef struct code_scheme {
    const char *name;
    const char *pattern;
    const char *example;
} code_scheme;

static const code_scheme schemes[] = {
    {"soc", "^[0-9]{2}-[0-9]{4}$", "NN-NNNN, e.g. 49-3023"},
    {"onet", "^[0-9]{2}-[0-9]{4}\\.[0-9]{2}$", "NN-NNNN.NN, e.g. 49-3023.02"},
    {"cip", "^[0-9]{2}\\.[0-9]{4}$", "NN.NNNN, e.g. 47.0614"},
    {"naics", "^[0-9]{2,6}$", "2 to 6 digits, e.g. 811111"},
    {"ctid", "^(?i)ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
     "ce- and a UUID, e.g. ce-5f1a9c2e-8d4b-4e0f-9a7c-3b2d1e6f8a90"},
};

static int code_value(const checker *c, const code_scheme *s, const cx_ynode *n, const char **out)
{
    const cx_regex *re;
    cx_error rerr;
    int rc = scalar(c, n, s->name, out);
    if (rc) return rc;
    if (cx__regex_cached(s->pattern, strlen(s->pattern), &re, &rerr) != CX_OK)
        return fail(c, n, "%s", rerr.message);
    int m = cx__regex_test(re, *out, strlen(*out), &rerr);
    if (m < 0) return fail(c, n, "%s", rerr.message);
    if (!m) return fail(c, n, "invalid %s code '%s': expected %s", s->name, *out, s->example);
    if (strcmp(s->name, "ctid") == 0) {
        char *lower = cx__arena_strdup(&c->ld->cat.arena, *out);
        if (!lower) return nomem(c);
        for (char *p = lower; *p; p++)
            if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
        *out = lower;
    }
    return CX_OK;
}

static int codes(const checker *c, const cx_ynode *map, cx_cat_credential *cr)
{
    const cx_ynode *v = cx__ymap_get(map, "codes");
    if (!v) return CX_OK;
    if (v->kind != CX_YMAP)
        return fail(c, v, "expected a mapping for 'codes' (scheme: [code, ...]), found %s",
                    cx__ynode_kind_name(v->kind));
    size_t total = 0;
    for (size_t i = 0; i < v->count; i++)
        total += v->items[i]->kind == CX_YLIST ? v->items[i]->count : 1;
    cr->codes = cx__arena_alloc(&c->ld->cat.arena, (total + 1) * sizeof *cr->codes);
    if (!cr->codes) return nomem(c);
    for (size_t i = 0; i < v->count; i++) {
        const code_scheme *s = NULL;
        for (size_t k = 0; k < CX_COUNT(schemes); k++)
            if (strcmp(schemes[k].name, v->keys[i]->text) == 0) s = &schemes[k];
        if (!s)
            return fail(c, v->keys[i],
                        "unknown code scheme '%s'; expected one of: soc, onet, cip, naics, ctid",
                        v->keys[i]->text);
        const cx_ynode *item = v->items[i];
        size_t n = item->kind == CX_YLIST ? item->count : 1;
        if (item->kind == CX_YMAP)
            return fail(c, item, "expected a code or a list of codes for '%s'", s->name);
        for (size_t j = 0; j < n; j++) {
            const cx_ynode *one = item->kind == CX_YLIST ? item->items[j] : item;
            cx_cat_kv *kv = &cr->codes[cr->ncodes];
            int rc = code_value(c, s, one, &kv->value);
            if (rc) return rc;
            kv->key = s->name;
            for (size_t k = 0; k < cr->ncodes; k++)
                if (strcmp(cr->codes[k].key, kv->key) == 0 &&
                    strcmp(cr->codes[k].value, kv->value) == 0)
                    return fail(c, one, "%s code '%s' is listed twice", s->name, kv->value);
            cr->ncodes++;
        }
    }
    return CX_OK;
}

static int credential(const checker *c, const cx_ynode *n)
{
    static const char *const keys[] = {"id",
                                       "name",
                                       "type",
                                       "provider",
                                       "jurisdiction",
                                       "hours",
                                       "valid_for",
                                       "version",
                                       "effective_from",
                                       "effective_until",
                                       "competencies",
                                       "tags",
                                       "codes",
                                       "attributes",
                                       "grade_scale",
                                       NULL};
    static const char *const req[] = {"id", "name", "type", "jurisdiction", NULL};
    cx_cat_credential *cr;
    int rc = kept(c, CX_KIND_CREDENTIAL, n);
    if (rc) return rc < 0 ? c->err->code : CX_OK;
    if ((rc = check_map(c, n, "credential", keys, req))) return rc;
    if (!(cr = PUSH(c->ld->cat.credentials))) return nomem(c);
    cr->loc = loc_of(c, n);
    if ((rc = own_id(c, n, CX_KIND_CREDENTIAL, &cr->id)) ||
        (rc = opt_text(c, n, "name", &cr->name)) || (rc = opt_text(c, n, "type", &cr->type)) ||
        (rc = opt_ref(c, n, "provider", CX_KIND_PROVIDER, &cr->provider)) ||
        (rc = opt_ref(c, n, "jurisdiction", CX_KIND_JURISDICTION, &cr->jurisdiction)) ||
        (rc = opt_number(c, n, "hours", &cr->hours)) ||
        (rc = opt_duration(c, n, "valid_for", &cr->valid_for)) ||
        (rc = opt_text(c, n, "version", &cr->version)) ||
        (rc = opt_date(c, n, "effective_from", &cr->effective_from)) ||
        (rc = opt_date(c, n, "effective_until", &cr->effective_until)) ||
        (rc = date_order(c, n, "effective_from", cr->effective_from, "effective_until",
                         cr->effective_until)) ||
        (rc = opt_list(c, n, "competencies", id_elem, &cr->competencies, &cr->ncompetencies)) ||
        (rc = opt_list(c, n, "tags", id_elem, &cr->tags, &cr->ntags)) || (rc = codes(c, n, cr)) ||
        (rc = opt_kv(c, n, "attributes", 0, &cr->attributes, &cr->nattributes)) ||
        (rc = opt_list(c, n, "grade_scale", text_elem, &cr->grade_scale, &cr->ngrade_scale)))
        return rc;
    const cx_ynode *list = cx__ymap_get(n, "competencies");
    for (size_t i = 0; i < cr->ncompetencies; i++)
        if ((rc = add_ref(c, CX_KIND_COMPETENCY, cr->competencies[i], list->items[i]))) return rc;
    return CX_OK;
}

/* ---------------------------------------------------------------- holders */

/* The default award id: "<holder>/<credential>/<issued>", then "#2", "#3"
 * for repeats within the import. */
static int award_id(const checker *c, const cx_ynode *n, const char *holder, cx_cat_award *a)
{
    cx_strmap *ids = &c->ld->defined[CX_KIND_AWARD];
    if (a->id) return define(c, CX_KIND_AWARD, a->id, cx__ymap_get(n, "id"));
    cx_buf b;
    if (c->add_awards) { /* no #2: a second row for one award is an error */
        cx__buf_init(&b);
        cx__buf_printf(&b, "%s/%s/%s", holder, a->credential, a->issued);
        a->id = b.oom ? NULL : cx__arena_strndup(&c->ld->cat.arena, b.data, b.len);
        cx__buf_free(&b);
        return a->id ? define(c, CX_KIND_AWARD, a->id, n) : nomem(c);
    }
    cx__buf_init(&b);
    cx__buf_printf(&b, "%s/%s/%s", holder, a->credential, a->issued);
    size_t base = b.len;
    for (int k = 2; !b.oom && cx__strmap_get(ids, b.data); k++) {
        b.len = base;
        cx__buf_printf(&b, "#%d", k);
    }
    a->id = b.oom ? NULL : cx__arena_strndup(&c->ld->cat.arena, b.data, b.len);
    cx__buf_free(&b);
    if (!a->id) return nomem(c);
    return define(c, CX_KIND_AWARD, a->id, n);
}

static const char *const statuses[] = {"active", "revoked", "suspended", NULL};
static const char *const formats[] = {"ob3", "clr2", "ob2", "csv", "yaml", NULL};
static const char *const verifications[] = {"verified", "unverified", NULL};

/* An award's optional `provenance:` mapping; one award per source_id. */
static int provenance(const checker *c, const cx_ynode *award, cx_cat_award *a)
{
    static const char *const keys[] = {"format",       "source_id", "issuer",         "proof",
                                       "verification", "note",      "status_checked", NULL};
    static const char *const req[] = {"format", "verification", NULL};
    const cx_ynode *n = cx__ymap_get(award, "provenance");
    if (!n) return CX_OK;
    int rc = check_map(c, n, "provenance", keys, req);
    cx_cat_provenance *p = cx__arena_alloc(&c->ld->cat.arena, sizeof *p);
    if (rc) return rc;
    if (!p) return nomem(c);
    if ((rc = opt_text(c, n, "format", &p->format)) ||
        (rc = opt_text(c, n, "source_id", &p->source_id)) ||
        (rc = opt_text(c, n, "issuer", &p->issuer)) || (rc = opt_text(c, n, "proof", &p->proof)) ||
        (rc = opt_text(c, n, "verification", &p->verification)) ||
        (rc = opt_text(c, n, "note", &p->note)) ||
        (rc = opt_date(c, n, "status_checked", &p->status_checked)))
        return rc;
    if (!cx__listed(formats, p->format))
        return fail(c, cx__ymap_get(n, "format"),
                    "invalid provenance format '%s'; expected one of: ob3, clr2, ob2, csv, yaml",
                    p->format);
    if (!cx__listed(verifications, p->verification))
        return fail(c, cx__ymap_get(n, "verification"),
                    "invalid verification '%s'; expected one of: verified, unverified",
                    p->verification);
    a->provenance = p;
    if (!p->source_id) return CX_OK;
    cx_loc *loc = cx__arena_alloc(&c->ld->cat.arena, sizeof *loc);
    void *old = NULL;
    if (!loc) return nomem(c);
    *loc = loc_of(c, cx__ymap_get(n, "source_id"));
    if ((rc = cx__strmap_put(&c->ld->sources, p->source_id, loc, &old)) < 0) return nomem(c);
    if (rc == 1) {
        const cx_loc *first = old;
        char at[600];
        return fail(
            c, cx__ymap_get(n, "source_id"),
            "source_id '%s' is given twice in this import (first at %s)", p->source_id,
            cx__yplace(at, sizeof at, first->file, first->line, first->column, first->where));
    }
    return CX_OK;
}

static int award(const checker *c, const cx_ynode *n, const char *holder, cx_cat_award *a)
{
    static const char *const keys[] = {"id",           "credential", "issued",     "expires",
                                       "jurisdiction", "hours",      "status",     "grade",
                                       "evidence",     "results",    "provenance", NULL};
    static const char *const req[] = {"credential", "issued", NULL};
    int rc = check_map(c, n, "award", keys, req);
    if (rc) return rc;
    a->loc = loc_of(c, n);
    if ((rc = opt_id(c, n, "id", &a->id)) ||
        (rc = c->values_only ? opt_text(c, n, "credential", &a->credential)
                             : opt_ref(c, n, "credential", CX_KIND_CREDENTIAL, &a->credential)) ||
        (rc = opt_date(c, n, "issued", &a->issued)) ||
        (rc = opt_date(c, n, "expires", &a->expires)) ||
        (rc = date_order(c, n, "issued", a->issued, "expires", a->expires)) ||
        (rc = c->values_only
                  ? opt_id(c, n, "jurisdiction", &a->jurisdiction)
                  : opt_ref(c, n, "jurisdiction", CX_KIND_JURISDICTION, &a->jurisdiction)) ||
        (rc = opt_number(c, n, "hours", &a->hours)) ||
        (rc = opt_text(c, n, "status", &a->status)) || (rc = opt_text(c, n, "grade", &a->grade)) ||
        (rc = opt_text(c, n, "evidence", &a->evidence)) ||
        (rc = opt_kv(c, n, "results", 1, &a->results, &a->nresults)) || (rc = provenance(c, n, a)))
        return rc;
    if (!a->status) a->status = "active";
    if (!cx__listed(statuses, a->status))
        return fail(c, cx__ymap_get(n, "status"),
                    "invalid status '%s'; expected one of: active, revoked, suspended", a->status);
    return c->values_only ? CX_OK : award_id(c, n, holder, a);
}

/* An item's error as an issue of the import report: its column (CSV) or
 * JSON Pointer apart from why. */
static void report_skip(cx_catalog_loader *ld, const cx_error *err)
{
    char where[sizeof err->message];
    int is_column;
    cx_import_issue issue = {err->file, NULL, err->line, NULL, NULL};
    issue.why = cx__yerror_parts(err, where, sizeof where, &is_column);
    if (where[0]) *(is_column ? &issue.key : &issue.pointer) = where;
    if (ld->opts->report) ld->opts->report(ld->opts->report_ud, &issue);
}

/* The awards of list into awards[*count]; with skip_invalid, an award of a
 * holder that gains awards (CSV) with an error is left out and reported. */
static int awards_of(const checker *c, const cx_ynode *list, const char *holder,
                     cx_cat_award *awards, size_t *count)
{
    cx_catalog_loader *ld = c->ld;
    int skip = c->add_awards && ld->opts->skip_invalid;
    *count = 0;
    for (size_t i = 0; i < list->count; i++) {
        size_t mark = ld->nrefs;
        cx_cat_award *a = &awards[*count];
        int rc = award(c, list->items[i], holder, a);
        if (rc == CX_EINPUT && skip) {
            ld->nrefs = mark; /* its references go with it */
            ld->skipped++;
            report_skip(ld, c->err);
            cx_error_clear(c->err);
            memset(a, 0, sizeof *a);
            continue;
        }
        if (rc) return rc;
        for (size_t k = mark; skip && k < ld->nrefs; k++) ld->refs[k].award = a;
        (*count)++;
    }
    return CX_OK;
}

/* One holder mapping; a holder that gains awards is not defined, as
 * several files may give it awards. */
static int holder(const checker *c, const cx_ynode *n, const char *default_id)
{
    static const char *const keys[] = {"id", "jurisdiction", "attributes", "awards", NULL};
    static const char *const req[] = {"id", NULL};
    cx_catalog_loader *ld = c->ld;
    cx_cat_holder *h;
    int rc = check_map(c, n, "holder", keys, default_id ? keys + 4 : req);
    if (rc) return rc;
    if (!(h = PUSH(ld->cat.holders))) return nomem(c);
    h->loc = loc_of(c, n);
    h->add_awards = c->add_awards;
    if (!cx__ymap_get(n, "id")) {
        if (!(h->id = cx__arena_strdup(&ld->cat.arena, default_id))) return nomem(c);
        if ((rc = define(c, CX_KIND_HOLDER, h->id, n))) return rc;
    } else if ((rc = c->add_awards ? opt_id(c, n, "id", &h->id)
                                   : own_id(c, n, CX_KIND_HOLDER, &h->id))) {
        return rc;
    }
    if ((rc = opt_ref(c, n, "jurisdiction", CX_KIND_JURISDICTION, &h->jurisdiction)) ||
        (rc = opt_kv(c, n, "attributes", 0, &h->attributes, &h->nattributes)))
        return rc;
    const char *id = h->id;
    const cx_ynode *list = cx__ymap_get(n, "awards");
    if (!list) return CX_OK;
    if (list->kind != CX_YLIST)
        return fail(c, list, "expected a list for 'awards', found %s",
                    cx__ynode_kind_name(list->kind));
    cx_cat_award *awards = cx__arena_alloc(&ld->cat.arena, (list->count + 1) * sizeof *awards);
    size_t count = 0;
    if (!awards) return nomem(c);
    memset(awards, 0, (list->count + 1) * sizeof *awards);
    if ((rc = awards_of(c, list, id, awards, &count))) return rc;
    h = &ld->cat.holders.v[ld->cat.holders.n - 1];
    h->awards = awards;
    h->nawards = count;
    ld->cat.nawards += count;
    return CX_OK;
}

int cx__catalog_loader_add_holder(cx_catalog_loader *ld, const cx_ynode *n, const char *file,
                                  const char *default_id, cx_error *err)
{
    checker c = {ld, file, err, 0};
    return holder(&c, n, default_id);
}

/* ------------------------------------------------------------- exceptions */

static int exception(const checker *c, const cx_ynode *n)
{
    static const char *const keys[] = {"holder", "stack",  "waive", "substitute",
                                       "by",     "reason", NULL};
    static const char *const req[] = {"holder", "stack", NULL};
    static const char *const sub_keys[] = {"for", "use", NULL};
    cx_cat_exception *e;
    int rc = check_map(c, n, "exception", keys, req);
    if (rc) return rc;
    if (!(e = PUSH(c->ld->cat.exceptions))) return nomem(c);
    e->loc = loc_of(c, n);
    if ((rc = opt_ref(c, n, "holder", CX_KIND_HOLDER, &e->holder)) ||
        (rc = opt_ref(c, n, "stack", CX_KIND_CREDENTIAL, &e->stack)) ||
        (rc = opt_text(c, n, "waive", &e->waive)) || (rc = opt_text(c, n, "by", &e->by)) ||
        (rc = opt_text(c, n, "reason", &e->reason)))
        return rc;
    const cx_ynode *sub = cx__ymap_get(n, "substitute");
    if (!e->waive == !sub)
        return fail(c, n, "an exception needs exactly one of 'waive' or 'substitute'");
    if (!sub) return CX_OK;
    if ((rc = check_map(c, sub, "substitute", sub_keys, sub_keys)) ||
        (rc = opt_ref(c, sub, "for", CX_KIND_CREDENTIAL, &e->substitute_for)) ||
        (rc = opt_ref(c, sub, "use", CX_KIND_CREDENTIAL, &e->substitute_use)))
        return rc;
    return CX_OK;
}

/* --------------------------------------------------------------- document */

/* A JSON mapper's framework_competencies entry: {framework, competencies},
 * competencies of a framework another input or the registry defines. */
static int framework_competencies(const checker *c, const cx_ynode *n)
{
    static const char *const keys[] = {"framework", "competencies", NULL};
    const char *fw;
    int rc = check_map(c, n, "framework_competencies", keys, keys);
    if (rc || (rc = opt_ref(c, n, "framework", CX_KIND_FRAMEWORK, &fw))) return rc;
    const cx_ynode *list = cx__ymap_get(n, "competencies");
    for (size_t i = 0; list->kind == CX_YLIST && i < list->count && !rc; i++)
        rc = competency(c, list->items[i], fw);
    return rc;
}

/* A JSON mapper's create_if_absent: {providers: [...], jurisdictions:
 * [...]}, defined at commit when neither this import nor the registry has
 * their ids (a provider a credential names but no input defines). */
static int remember_absent(const checker *c, const cx_ynode *absent)
{
    static const struct {
        const char *key;
        cx_kind kind;
    } lists[] = {{"providers", CX_KIND_PROVIDER}, {"jurisdictions", CX_KIND_JURISDICTION}};
    cx_catalog_loader *ld = c->ld;
    for (size_t k = 0; absent && k < CX_COUNT(lists); k++) {
        const cx_ynode *list = cx__ymap_get(absent, lists[k].key);
        for (size_t i = 0; list && i < list->count; i++) {
            struct absent *a = grow(ld->absent, &ld->capabsent, ld->nabsent, sizeof *a);
            if (!a) return nomem(c);
            ld->absent = a;
            ld->absent[ld->nabsent++] = (struct absent){lists[k].kind, list->items[i], c->file};
        }
    }
    return CX_OK;
}

/* remove: { credentials: [id...], competencies: [id...], memberships:
 * [{group, jurisdiction}...] } (docs/catalog.md, "Removing"): into the
 * model's removals, each id once. */
static int removal(const checker *c, int which, cx_kind kind, const cx_ynode *n, const char *key,
                   const cx_ynode *jn)
{
    const char *id, *jurisdiction = NULL;
    cx_loc *loc = cx__arena_alloc(&c->ld->cat.arena, sizeof *loc);
    int rc = loc ? scalar(c, n, key, &id) : nomem(c);
    if (!rc) rc = check_id(c, n, key, id);
    if (!rc && jn && !(rc = scalar(c, jn, "jurisdiction", &jurisdiction)))
        rc = check_id(c, jn, "jurisdiction", jurisdiction);
    if (rc) return rc;
    *loc = loc_of(c, n);
    cx_loc at_j = jn ? loc_of(c, jn) : *loc;
    if (which == CX_CAT_RM_MEMBERSHIP) {
        for (size_t i = 0; i < c->ld->cat.removals.n; i++) {
            const cx_cat_removal *o = &c->ld->cat.removals.v[i];
            if (o->which == which && strcmp(o->id, id) == 0 &&
                strcmp(o->jurisdiction, jurisdiction) == 0)
                return CX_OK;
        }
    } else {
        if (cx__strmap_get(&c->ld->removing[kind], id)) return CX_OK;
        if (cx__strmap_put(&c->ld->removing[kind], id, loc, NULL) < 0) return nomem(c);
    }
    cx_cat_removal *rm = PUSH(c->ld->cat.removals);
    if (!rm) return nomem(c);
    *rm = (cx_cat_removal){which, id, jurisdiction, *loc, at_j};
    return CX_OK;
}

static int removals(const checker *c, const cx_ynode *map)
{
    static const char *const keys[] = {"credentials", "competencies", "memberships", NULL};
    static const char *const member_keys[] = {"group", "jurisdiction", NULL};
    static const struct {
        const char *key, *elem;
        int which;
        cx_kind kind;
    } lists[] = {{"credentials", "credential", CX_CAT_RM_CREDENTIAL, CX_KIND_CREDENTIAL},
                 {"competencies", "competency", CX_CAT_RM_COMPETENCY, CX_KIND_COMPETENCY},
                 {"memberships", "group", CX_CAT_RM_MEMBERSHIP, CX_KIND_GROUP}};
    int rc = check_map(c, map, "remove", keys, NULL);
    for (size_t k = 0; k < CX_COUNT(lists) && !rc; k++) {
        const cx_ynode *list = cx__ymap_get(map, lists[k].key);
        if (!list) continue;
        if (list->kind != CX_YLIST)
            return fail(c, list, "expected a list for 'remove: %s', found %s", lists[k].key,
                        cx__ynode_kind_name(list->kind));
        for (size_t i = 0; i < list->count && !rc; i++) {
            const cx_ynode *n = list->items[i], *jn = NULL;
            if (lists[k].which == CX_CAT_RM_MEMBERSHIP) {
                if ((rc = check_map(c, n, "a membership to remove", member_keys, member_keys)))
                    return rc;
                jn = cx__ymap_get(n, "jurisdiction");
                n = cx__ymap_get(n, "group");
            }
            rc = removal(c, lists[k].which, lists[k].kind, n, lists[k].elem, jn);
        }
    }
    return rc;
}

int cx__catalog_loader_add_removals(cx_catalog_loader *ld, const cx_ynode *map, const char *file,
                                    cx_error *err)
{
    checker c = {ld, cx__arena_strdup(&ld->cat.arena, file), err, 0, 0};
    return c.file ? removals(&c, map) : nomem(&c);
}

/* 1 when extra_keys (NULL-terminated or NULL) lists key. */
static int listed(const char *const *extra_keys, const char *key)
{
    for (size_t i = 0; extra_keys && extra_keys[i]; i++)
        if (strcmp(extra_keys[i], key) == 0) return 1;
    return 0;
}

typedef int (*entity_fn)(const checker *c, const cx_ynode *n);

static int holder_entry(const checker *c, const cx_ynode *n)
{
    return holder(c, n, NULL);
}

static const struct section {
    const char *key;
    entity_fn each;
} sections[] = {
    {"jurisdictions", jurisdiction}, {"groups", group},           {"providers", provider},
    {"frameworks", framework},       {"credentials", credential}, {"holders", holder_entry},
    {"exceptions", exception},
};

static int section(const checker *c, const cx_ynode *list, const struct section *s)
{
    if (list->kind != CX_YLIST)
        return fail(c, list, "expected a list for '%s', found %s", s->key,
                    cx__ynode_kind_name(list->kind));
    for (size_t i = 0; i < list->count; i++) {
        int rc = s->each(c, list->items[i]);
        if (rc) return rc;
    }
    return CX_OK;
}

int cx__catalog_loader_add_doc(cx_catalog_loader *ld, const cx_ydoc *doc,
                               const char *const *extra_keys, cx_error *err)
{
    static const char *const keys[] = {
        "version",     "jurisdictions", "groups",     "providers", "frameworks",
        "credentials", "holders",       "exceptions", "remove",    NULL};
    const cx_ynode *root = cx__ydoc_root(doc);
    checker c = {ld, cx__arena_strdup(&ld->cat.arena, cx__ydoc_name(doc)), err,
                 strcmp(cx__ydoc_format(doc), "yaml") != 0,
                 strcmp(cx__ydoc_format(doc), "ob3") == 0};
    if (!c.file) return nomem(&c);
    if (!root)
        return cx__error(err, CX_EINPUT, c.file, 1, 1,
                         "empty catalog; expected a mapping with keys such as version, "
                         "jurisdictions, credentials, holders");
    if (root->kind != CX_YMAP)
        return fail(&c, root, "expected the catalog to be a mapping, found %s",
                    cx__ynode_kind_name(root->kind));
    static const char *const mapped[] = {"create_if_absent", "framework_competencies",
                                         NULL}; /* JSON mappers' */
    cx_yschema top = {.noun = "top-level key",
                      .keys = keys,
                      .extra = extra_keys || !c.add_awards ? extra_keys : mapped};
    int rc = cx__ycheck_map(c.file, root, &top, err);
    if (rc) return rc;
    const cx_ynode *version = cx__ymap_get(root, "version");
    if (version) {
        const char *v;
        if ((rc = scalar(&c, version, "version", &v))) return rc;
        if (strcmp(v, "1") != 0)
            return fail(&c, version,
                        "unsupported catalog version '%s'; this credex reads version 1", v);
    }
    const cx_ynode *rm = listed(extra_keys, "remove") ? NULL : cx__ymap_get(root, "remove");
    if (rm && (rc = removals(&c, rm))) return rc;
    for (size_t i = 0; i < CX_COUNT(sections); i++) {
        const cx_ynode *list = cx__ymap_get(root, sections[i].key);
        if (list && (rc = section(&c, list, &sections[i]))) return rc;
    }
    const cx_ynode *loose = c.add_awards ? cx__ymap_get(root, "framework_competencies") : NULL;
    for (size_t i = 0; loose && i < loose->count && !rc; i++)
        rc = framework_competencies(&c, loose->items[i]);
    if (rc) return rc;
    return c.add_awards ? remember_absent(&c, cx__ymap_get(root, "create_if_absent")) : CX_OK;
}

/* ---------------------------------------------------------------- formats */

/* The JSON formats credex maps into catalog documents. A mapper (CTDL,
 * Open Badges, CLR) recognises its document by the JSON tree and builds a
 * catalog document of the same file name (format "json"), which the
 * loader then checks as any other. A JSON file no mapper recognises is
 * refused. The table ends with an all-NULL entry. */
typedef struct json_mapper {
    const char *name;                        /* what it reads: "ctdl", "ob3", ... */
    int (*recognises)(const cx_ynode *root); /* 1: this mapper reads it */
    int (*map)(const cx_ydoc *json, const cx_import_options *opts, cx_ydoc **out,
               cx_error *err); /* the catalog document */
} json_mapper;

static const json_mapper json_mappers[] = {
    {"ctdl", cx__ctdl_recognises, cx__ctdl_map},
    {"ob3", cx__ob3_recognises, cx__ob3_map},
    {"clr2", cx__clr_recognises, cx__clr_map},
    {"ob2", cx__ob2_recognises, cx__ob2_map},
    {"status-list", cx__status_list_recognises, cx__status_list_map},
    {NULL, NULL, NULL},
};

/* The formats credex reads, for the refusal below. */
#define FORMATS_READ "credex imports YAML catalogs, CSV award lists, CTDL, Open Badges and CLRs"

static int base64url_run(const char *p, const char *end)
{
    const char *q = p;
    while (q < end && ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
                       (*q >= '0' && *q <= '9') || *q == '-' || *q == '_'))
        q++;
    return (int)(q - p);
}

/* Compact JWS: three base64url segments joined by dots, and nothing else
 * but trailing white space; the first two not empty. */
static int is_jws(const char *data, size_t len)
{
    const char *p = data, *end = data + len;
    while (end > p && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    for (int seg = 0; seg < 3; seg++) {
        int n = base64url_run(p, end);
        if (n == 0 && seg < 2) return 0;
        p += n;
        if (seg < 2 && (p == end || *p++ != '.')) return 0;
    }
    return p == end;
}

/* The format of a file by its content (docs/interop.md): JSON when the first
 * byte that is not white space (after an optional BOM) is { or [, JWS,
 * CSV by its header, else YAML. */
static cx_format detect(const char *data, size_t len)
{
    size_t i = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i < len && (data[i] == '{' || data[i] == '[')) return CX_FORMAT_JSON;
    if (is_jws(data, len)) return CX_FORMAT_JWS;
    if (cx__csv_detect(data, len)) return CX_FORMAT_CSV;
    return CX_FORMAT_YAML;
}

/* A JSON file through the mapper that recognises it. */
static int map_json(cx_catalog_loader *ld, const char *path, const char *data, size_t len,
                    cx_ydoc **out, cx_error *err)
{
    cx_ydoc *json = NULL;
    int rc = cx__json_load_buffer(path, data, len, &json, err);
    if (rc) return rc;
    const cx_ynode *root = cx__ydoc_root(json);
    const json_mapper *m = json_mappers;
    while (m->name && !m->recognises(root)) m++;
    if (m->name)
        rc = m->map(json, ld->opts, out, err);
    else
        rc = cx__ynode_error(err, path, root,
                             "a JSON document credex cannot map (not CTDL, an Open Badge, a CLR "
                             "or a status list); " FORMATS_READ);
    cx__ydoc_free(json);
    return rc;
}

/* Reads one file of any format into a catalog document: its bytes are
 * data (len of them, freed here) when read already, else read here. */
static int read_doc(cx_catalog_loader *ld, const char *path, char *data, size_t len, cx_ydoc **out,
                    cx_error *err)
{
    int rc = data ? CX_OK : cx__yread_file(path, &data, &len, err);
    if (rc) return rc;
    cx_format f = detect(data, len);
    ld->files[f]++;
    switch (f) {
    case CX_FORMAT_YAML:
        rc = cx__yaml_load_buffer(path, data, len, out, err);
        break;
    case CX_FORMAT_CSV:
        rc = cx__csv_load_buffer(path, data, len, ld->opts, out, err);
        break;
    case CX_FORMAT_JSON:
        rc = map_json(ld, path, data, len, out, err);
        break;
    case CX_FORMAT_JWS: /* a VC-JWT, verified against --trust */
        if (!ld->trust && ld->opts->trust)
            rc = cx__trust_load_file(ld->opts->trust, &ld->trust, err);
        if (!rc) rc = cx__ob3_map_jwt(path, data, len, ld->trust, ld->opts, out, err);
        break;
    }
    free(data);
    return rc;
}

int cx__catalog_loader_add_file(cx_catalog_loader *ld, const char *path, cx_error *err)
{
    cx_ydoc *doc = NULL;
    char *data = NULL; /* a file that is not regular, read whole by the CSV path */
    size_t len = 0, before = ld->cat.holders.n;
    int taken = 0; /* 1: a CSV award list, streamed (csv_import.c) */
    cx_ydoc **docs = realloc(ld->docs, (ld->ndocs + 1) * sizeof *docs);
    if (!docs) return cx__error(err, CX_ENOMEM, path, 0, 0, "out of memory");
    ld->docs = docs;
    int rc = ld->csv ? CX_OK : cx__csv_awards_new(ld, &ld->csv, err);
    if (!rc) rc = cx__csv_awards_add_file(ld->csv, path, &taken, &data, &len, err);
    if (rc || taken) {
        ld->files[CX_FORMAT_CSV] += taken;
        return rc;
    }
    if ((rc = read_doc(ld, path, data, len, &doc, err))) return rc;
    ld->docs[ld->ndocs++] = doc;
    rc = cx__catalog_loader_add_doc(
        ld, doc, strcmp(cx__ydoc_format(doc), "ob3") == 0 ? cx__badge_extra_keys : NULL, err);
    return rc ? rc : cx__csv_awards_check_ids(ld->csv, before, ld->cat.holders.n, err);
}

const char *cx_format_name(cx_format f)
{
    static const char *const names[] = {"yaml", "json", "jws", "csv"};
    return (unsigned)f < CX_COUNT(names) ? names[f] : "yaml";
}

/* ------------------------------------------------------------- references */

static int resolve(cx_catalog_loader *ld, const ref *r, cx_error *err)
{
    if (cx__strmap_get(&ld->defined[r->kind], r->id) || cx__strmap_get(&ld->known[r->kind], r->id))
        return CX_OK;
    const cx_loc *gone = cx__strmap_get(&ld->removing[r->kind], r->id);
    if (gone) {
        char at[600];
        return cx__yerror(
            err, CX_EINPUT, r->loc.file, r->loc.line, r->loc.column, r->loc.where,
            "%s '%s' is removed by this import (at %s)", cx_kind_name(r->kind), r->id,
            cx__yplace(at, sizeof at, gone->file, gone->line, gone->column, gone->where));
    }
    int has = cx_registry_has(ld->registry, r->kind, r->id, err);
    if (has < 0) return err->code;
    if (has) /* asked once per id: a CSV list names a few credentials a million times */
        return cx__strmap_put(&ld->known[r->kind], r->id, ld, NULL) < 0
                   ? cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory")
                   : CX_OK;

    /* the nearest id among this import's definitions and the registry's */
    char best[MAX_ID_LEN + 1] = "";
    size_t best_d = (size_t)-1;
    const cx_strmap *m = &ld->defined[r->kind];
    size_t limit = strlen(r->id) / 3 > 2 ? strlen(r->id) / 3 : 2;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t d = cx__edit_distance(r->id, m->keys[i], limit);
        if (d <= limit && (d < best_d || (d == best_d && strcmp(m->keys[i], best) < 0))) {
            best_d = d;
            snprintf(best, sizeof best, "%s", m->keys[i]);
        }
    }
    char near[MAX_ID_LEN + 1] = "";
    if (cx_registry_nearest(ld->registry, r->kind, r->id, near, sizeof near, err) != CX_OK)
        return err->code;
    if (near[0]) {
        size_t d = cx__edit_distance(r->id, near, limit);
        if (d < best_d || (d == best_d && strcmp(near, best) < 0))
            snprintf(best, sizeof best, "%s", near);
    }
    if (best[0])
        return cx__yerror(err, CX_EINPUT, r->loc.file, r->loc.line, r->loc.column, r->loc.where,
                          "unknown %s '%s'; did you mean '%s'?", cx_kind_name(r->kind), r->id,
                          best);
    return cx__yerror(err, CX_EINPUT, r->loc.file, r->loc.line, r->loc.column, r->loc.where,
                      "unknown %s '%s'; define it in a catalog first", cx_kind_name(r->kind),
                      r->id);
}

/* 1 when skip_invalid may leave out the awards of holder h. */
static int skippable(const cx_catalog_loader *ld, const cx_cat_holder *h)
{
    return h->add_awards && ld->opts->skip_invalid;
}

/* Leaves award a out for the error in err, reported, and clears err. */
static void skip_award(cx_catalog_loader *ld, cx_cat_award *a, cx_error *err)
{
    a->skip = 1;
    ld->skipped++;
    report_skip(ld, err);
    cx_error_clear(err);
}

/* A holder that gains awards and is in neither this import nor the
 * registry is created in its jurisdiction: its own, else --jurisdiction. */
static int check_new_holders(cx_catalog_loader *ld, cx_error *err)
{
    cx_strmap created;
    int rc = CX_OK;
    cx__strmap_init(&created);
    for (size_t i = 0; i < ld->cat.holders.n && !rc; i++) {
        cx_cat_holder *h = &ld->cat.holders.v[i];
        size_t left = h->rows_kept;
        for (size_t k = 0; k < h->nawards; k++) left += !h->awards[k].skip;
        if (!h->add_awards || ((h->nawards || h->rows) && !left) ||
            cx__strmap_get(&ld->defined[CX_KIND_HOLDER], h->id) || cx__strmap_get(&created, h->id))
            continue;
        if (!h->jurisdiction) h->jurisdiction = ld->opts->jurisdiction;
        if (h->jurisdiction) { /* created when new; the writer leaves one it has alone */
            if (cx__strmap_put(&created, h->id, h, NULL) < 0)
                rc = cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory");
            continue;
        }
        int has = cx_registry_has(ld->registry, CX_KIND_HOLDER, h->id, err);
        if (has < 0) rc = err->code;
        if (has) continue;
        rc = cx__yerror(err, CX_EINPUT, h->loc.file, h->loc.line, h->loc.column, h->loc.where,
                        "unknown holder '%s'; give its jurisdiction (a holder_jurisdiction "
                        "column, or --jurisdiction J) to create it",
                        h->id);
        if (!skippable(ld, h)) continue;
        for (size_t k = 0; k < h->nawards; k++) h->awards[k].skip = 1;
        ld->cat.nawards -= h->rows_kept; /* streamed rows are counted as they are left out */
        h->rows_kept = 0;
        ld->skipped += (int64_t)left;
        report_skip(ld, err);
        cx_error_clear(err);
        rc = CX_OK;
    }
    cx__strmap_free(&created);
    return rc;
}

/* --jurisdiction must name a jurisdiction of this import or the registry. */
static int check_option_jurisdiction(cx_catalog_loader *ld, cx_error *err)
{
    const char *j = ld->opts->jurisdiction;
    if (!j || cx__strmap_get(&ld->defined[CX_KIND_JURISDICTION], j)) return CX_OK;
    int has = cx_registry_has(ld->registry, CX_KIND_JURISDICTION, j, err);
    if (has < 0) return err->code;
    if (has) return CX_OK;
    return cx__error(err, CX_EINPUT, "", 0, 0,
                     "unknown jurisdiction '%s' given with --jurisdiction; define it in a "
                     "catalog first",
                     j);
}

/* Drops the awards left out (and a holder left with none of its own). */
static void drop_skipped(cx_catalog_loader *ld)
{
    size_t kept = 0;
    for (size_t i = 0; i < ld->cat.holders.n; i++) {
        cx_cat_holder *h = &ld->cat.holders.v[i];
        size_t n = 0, had = h->nawards + h->rows;
        for (size_t k = 0; k < h->nawards; k++)
            if (!h->awards[k].skip) h->awards[n++] = h->awards[k];
        ld->cat.nawards -= h->nawards - n;
        h->nawards = n;
        if (h->add_awards && had && !n && !h->rows_kept) continue;
        ld->cat.holders.v[kept++] = *h;
    }
    ld->cat.holders.n = kept;
}

/* A grade on an award must be on its credential's scale when this import
 * defines the credential. */
static int check_grades(cx_catalog_loader *ld, cx_error *err)
{
    cx_strmap creds;
    cx__strmap_init(&creds);
    for (size_t i = 0; i < ld->cat.credentials.n; i++)
        if (cx__strmap_put(&creds, ld->cat.credentials.v[i].id, &ld->cat.credentials.v[i], NULL) <
            0)
            goto oom;
    for (size_t h = 0; h < ld->cat.holders.n; h++) {
        const cx_cat_holder *hd = &ld->cat.holders.v[h];
        for (size_t i = 0; i < hd->nawards; i++) {
            const cx_cat_award *a = &hd->awards[i];
            const cx_cat_credential *cr =
                a->grade && !a->skip ? cx__strmap_get(&creds, a->credential) : NULL;
            if (!cr || !cr->ngrade_scale) continue;
            size_t k = 0;
            while (k < cr->ngrade_scale && strcmp(cr->grade_scale[k], a->grade) != 0) k++;
            if (k < cr->ngrade_scale) continue;
            cx_buf b;
            cx__buf_init(&b);
            key_list(&b, cr->grade_scale);
            cx__yerror(err, CX_EINPUT, a->loc.file, a->loc.line, a->loc.column, a->loc.where,
                       "grade '%s' is not on the grade scale of '%s'; expected one of: %s",
                       a->grade, cr->id, b.data ? b.data : "");
            cx__buf_free(&b);
            if (skippable(ld, hd)) {
                skip_award(ld, (cx_cat_award *)a, err);
                continue;
            }
            cx__strmap_free(&creds);
            return CX_EINPUT;
        }
    }
    cx__strmap_free(&creds);
    return CX_OK;
oom:
    cx__strmap_free(&creds);
    return cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory");
}

/* Defines each create_if_absent entity that no input defines and the
 * registry lacks. */
static int define_absent(cx_catalog_loader *ld, cx_error *err)
{
    for (size_t i = 0; i < ld->nabsent; i++) {
        const struct absent *a = &ld->absent[i];
        const cx_ynode *id = cx__ymap_get(a->node, "id");
        checker c = {ld, a->file, err, 1};
        if (!id || id->kind != CX_YSCALAR || cx__strmap_get(&ld->defined[a->kind], id->text))
            continue;
        int has = cx_registry_has(ld->registry, a->kind, id->text, err);
        if (has < 0) return err->code;
        int rc = has                           ? CX_OK
                 : a->kind == CX_KIND_PROVIDER ? provider(&c, a->node)
                                               : jurisdiction(&c, a->node);
        if (rc) return rc;
    }
    return CX_OK;
}

/* The award whose provenance has source_id, or NULL; *oom set when out of
 * memory (the map is built on first use, in one pass over the model). */
static cx_cat_award *award_of_source(cx_catalog_loader *ld, const char *source_id, int *oom)
{
    *oom = 0;
    for (size_t h = 0; !ld->by_source_built && h < ld->cat.holders.n; h++) {
        cx_cat_holder *hd = &ld->cat.holders.v[h];
        for (size_t i = 0; i < hd->nawards; i++) {
            cx_cat_award *a = &hd->awards[i];
            if (a->provenance && a->provenance->source_id &&
                cx__strmap_put(&ld->by_source, a->provenance->source_id, a, NULL) < 0) {
                *oom = 1;
                return NULL;
            }
        }
    }
    ld->by_source_built = 1;
    return cx__strmap_get(&ld->by_source, source_id);
}

/* A badge's status from its list (cx__badge_status): the award of that
 * source_id takes the status and the date its status was checked (none
 * from an Open Badges 2.0 RevocationList, which revokes OB 2.0 awards
 * only). */
static int apply_status(void *ud, const char *source_id, const char *status, const char *checked)
{
    cx_catalog_loader *ld = ud;
    int oom;
    cx_cat_award *a = award_of_source(ld, source_id, &oom);
    if (oom) return -1;
    if (!a || (!checked && strcmp(a->provenance->format, "ob2") != 0)) return 0;
    cx_cat_provenance *p = cx__arena_alloc(&ld->cat.arena, sizeof *p);
    if (!p || !(status = status ? cx__arena_strdup(&ld->cat.arena, status) : a->status) ||
        (checked && !(checked = cx__arena_strdup(&ld->cat.arena, checked))))
        return -1;
    *p = *a->provenance;
    if (checked) p->status_checked = checked;
    a->provenance = p;
    a->status = status;
    return 0;
}

/* A signed Open Badges 2.0 assertion's verdict (cx__badge_verify). */
static int apply_verified(void *ud, const char *source_id, const char *issuer, const char *note)
{
    cx_catalog_loader *ld = ud;
    int oom;
    cx_cat_award *a = award_of_source(ld, source_id, &oom);
    if (oom) return -1;
    if (!a) return 0;
    cx_cat_provenance *p = cx__arena_alloc(&ld->cat.arena, sizeof *p);
    if (!p || !(issuer = cx__arena_strdup(&ld->cat.arena, issuer)) ||
        (note && !(note = cx__arena_strdup(&ld->cat.arena, note))))
        return -1;
    *p = *a->provenance;
    p->issuer = issuer;
    p->verification = note ? "unverified" : "verified";
    p->note = note;
    a->provenance = p;
    return 0;
}

/* Each id a removal names must be in the registry ("did you mean" when
 * not); a membership's group too (the writer checks the membership). */
static int check_removals(cx_catalog_loader *ld, cx_error *err)
{
    static const cx_kind kinds[] = {CX_KIND_CREDENTIAL, CX_KIND_COMPETENCY, CX_KIND_GROUP};
    for (size_t i = 0; i < ld->cat.removals.n; i++) {
        const cx_cat_removal *rm = &ld->cat.removals.v[i];
        cx_kind kind = kinds[rm->which];
        char near[MAX_ID_LEN + 1] = "";
        int has = cx_registry_has(ld->registry, kind, rm->id, err);
        if (has < 0) return err->code;
        if (has) continue;
        if (cx_registry_nearest(ld->registry, kind, rm->id, near, sizeof near, err) != CX_OK)
            return err->code;
        return cx__yerror(err, CX_EINPUT, rm->loc.file, rm->loc.line, rm->loc.column, rm->loc.where,
                          "cannot remove %s '%s': it is not in the registry%s%s%s",
                          cx_kind_name(kind), rm->id, near[0] ? "; did you mean '" : "", near,
                          near[0] ? "'?" : "");
    }
    return CX_OK;
}

/* One entity a removal took along (--cascade): counted, and reported. */
static void cascaded(void *ud, const cx_cat_removal *rm, const char *kind, const char *id,
                     const char *holder)
{
    static const char *const removed[] = {"credential", "competency", "membership"};
    cx_catalog_loader *ld = ud;
    char why[900];
    ld->cascaded++;
    if (!ld->opts->report) return;
    if (strcmp(kind, "credential") == 0)
        snprintf(why, sizeof why,
                 "credential '%s' no longer lists removed competency '%s' (--cascade)", id, rm->id);
    else if (strcmp(kind, "competency") == 0)
        snprintf(why, sizeof why,
                 "competency '%s' takes the parent of removed competency '%s' (--cascade)", id,
                 rm->id);
    else
        snprintf(why, sizeof why, "%s '%s' of holder '%s' removed with %s '%s' (--cascade)", kind,
                 id, holder ? holder : "", removed[rm->which], rm->id);
    cx_import_issue issue = {rm->loc.file, rm->loc.where, rm->loc.line, "remove", why};
    ld->opts->report(ld->opts->report_ud, &issue);
}

/* Everything commit checks before writing. */
static int check_all(cx_catalog_loader *ld, cx_progress_fn progress, void *progress_ud,
                     cx_error *err)
{
    int rc = check_removals(ld, err);
    if (!rc) rc = define_absent(ld, err);
    if (rc) return rc;
    for (size_t i = 0; i < ld->nrefs; i++) {
        ref *r = &ld->refs[i];
        if (r->award && r->award->skip) continue;
        if (r->kind == CX_KIND_AWARD) { /* a CSV list's (cx__catalog_add_stream) */
            if ((rc = cx__csv_awards_resolve(ld->csv, (size_t)r->loc.line, err))) return rc;
            continue;
        }
        rc = resolve(ld, r, err);
        if (rc == CX_EINPUT && r->award) {
            skip_award(ld, r->award, err);
            continue;
        }
        if (rc) return rc;
        if (progress && i % 50000 == 0) progress(progress_ud, "checking", i, ld->nrefs);
    }
    if (!ld->trust && ld->opts->trust &&
        (rc = cx__trust_load_file(ld->opts->trust, &ld->trust, err)))
        return rc;
    rc = cx__badge_verify(ld->docs, ld->ndocs, ld->trust, ld->opts, apply_verified, ld, err);
    if (rc || (rc = cx__badge_status(ld->docs, ld->ndocs, ld->opts, apply_status, ld, err)) ||
        (rc = check_option_jurisdiction(ld, err)) || (rc = check_new_holders(ld, err)) ||
        (rc = check_grades(ld, err)) || (rc = cx__csv_awards_check_grades(ld->csv, err)))
        return rc;
    return cx__csv_awards_settle(ld->csv, err);
}

int cx__catalog_loader_commit(cx_catalog_loader *ld, cx_progress_fn progress, void *progress_ud,
                              cx_error *err)
{
    int began = 0; /* one read transaction: no lock per look-up of a million holders */
    int rc = cx__registry_read_begin(ld->registry, &began, err);
    if (!rc) rc = check_all(ld, progress, progress_ud, err);
    cx__registry_read_end(ld->registry, began);
    if (rc) return rc;
    if (ld->skipped) drop_skipped(ld);
    ld->cat.cascade = ld->opts->cascade;
    ld->cat.cascaded = cascaded;
    ld->cat.cascaded_ud = ld;
    return cx__registry_import(ld->registry, &ld->cat, progress, progress_ud, err);
}

/* ------------------------------------------------------------- life cycle */

int cx__catalog_loader_new(cx_registry *r, cx_catalog_loader **out, cx_error *err)
{
    cx_catalog_loader *ld = calloc(1, sizeof *ld);
    *out = NULL;
    if (!ld) return cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory");
    ld->registry = r;
    ld->opts = &ld->no_opts;
    cx__arena_init(&ld->cat.arena);
    for (size_t k = 0; k < CX_COUNT(ld->defined); k++) {
        cx__strmap_init(&ld->defined[k]);
        cx__strmap_init(&ld->known[k]);
        cx__strmap_init(&ld->removing[k]);
    }
    cx__strmap_init(&ld->sources);
    cx__strmap_init(&ld->by_source);
    int rc = cx__regex_cached(id_pattern, sizeof id_pattern - 1, &ld->id_re, err);
    if (rc) {
        cx__catalog_loader_free(ld);
        return rc;
    }
    *out = ld;
    return CX_OK;
}

void cx__catalog_loader_set_options(cx_catalog_loader *ld, const cx_import_options *opts)
{
    ld->opts = opts ? opts : &ld->no_opts;
}

const cx_catalog *cx__catalog_loader_model(const cx_catalog_loader *ld)
{
    return &ld->cat;
}

void cx__catalog_loader_free(cx_catalog_loader *ld)
{
    if (!ld) return;
    for (size_t k = 0; k < CX_COUNT(ld->defined); k++) {
        cx__strmap_free(&ld->defined[k]);
        cx__strmap_free(&ld->known[k]);
        cx__strmap_free(&ld->removing[k]);
    }
    cx__strmap_free(&ld->sources);
    cx__strmap_free(&ld->by_source);
    cx__trust_free(ld->trust);
    cx__csv_awards_free(ld->csv);
    free(ld->cat.streams.v);
    free(ld->cat.jurisdictions.v);
    free(ld->cat.groups.v);
    free(ld->cat.providers.v);
    free(ld->cat.frameworks.v);
    free(ld->cat.competencies.v);
    free(ld->cat.credentials.v);
    free(ld->cat.holders.v);
    free(ld->cat.exceptions.v);
    free(ld->cat.removals.v);
    cx__arena_free(&ld->cat.arena);
    free(ld->refs);
    free(ld->absent);
    for (size_t i = 0; i < ld->ndocs; i++) cx__ydoc_free(ld->docs[i]);
    free(ld->docs);
    free(ld);
}

/* ------------------------------------------- for CSV award lists (csv_import.h) */

const cx_import_options *cx__catalog_options(const cx_catalog_loader *ld)
{
    return ld->opts;
}

cx_catalog *cx__catalog_model(cx_catalog_loader *ld)
{
    return &ld->cat;
}

cx_cat_holder *cx__catalog_new_holder(cx_catalog_loader *ld)
{
    return PUSH(ld->cat.holders);
}

int cx__catalog_add_stream(cx_catalog_loader *ld, const cx_cat_stream *s, size_t number,
                           cx_error *err)
{
    cx_cat_stream *to = PUSH(ld->cat.streams);
    ref *r = grow(ld->refs, &ld->caprefs, ld->nrefs, sizeof *r);
    if (!to || !r) return cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory");
    *to = *s;
    ld->refs = r;
    memset(&r[ld->nrefs], 0, sizeof *r);
    r[ld->nrefs].kind = CX_KIND_AWARD; /* no reference's kind: the stream's place */
    r[ld->nrefs++].loc.line = (int)number;
    return CX_OK;
}

int cx__catalog_check_award(cx_catalog_loader *ld, const char *file, const cx_ynode *row,
                            cx_cat_award *a, cx_error *err)
{
    checker c = {ld, file, err, 1, 0, 1};
    memset(a, 0, sizeof *a);
    return award(&c, row, NULL, a);
}

int cx__catalog_check_id(cx_catalog_loader *ld, const char *file, const cx_ynode *n,
                         const char *key, cx_error *err)
{
    checker c = {ld, file, err, 1, 0, 1};
    const char *id;
    int rc = scalar(&c, n, key, &id);
    return rc ? rc : check_id(&c, n, key, id);
}

int cx__catalog_resolve(cx_catalog_loader *ld, cx_kind kind, const char *id, const cx_loc *loc,
                        cx_error *err)
{
    ref r = {kind, id, *loc, NULL};
    return resolve(ld, &r, err);
}

int cx__catalog_defines(const cx_catalog_loader *ld, cx_kind kind)
{
    return ld->defined[kind].count > 0;
}

const cx_loc *cx__catalog_defined(const cx_catalog_loader *ld, cx_kind kind, const char *id)
{
    return cx__strmap_get(&ld->defined[kind], id);
}

void cx__catalog_skip(cx_catalog_loader *ld, cx_error *err)
{
    ld->skipped++;
    report_skip(ld, err);
    cx_error_clear(err);
}

/* ------------------------------------------------------------- public API */

static void fill_stats(const cx_catalog_loader *ld, cx_import_stats *stats)
{
    const cx_catalog *cat = &ld->cat;
    memset(stats, 0, sizeof *stats);
    memcpy(stats->files, ld->files, sizeof stats->files);
    stats->skipped = ld->skipped;
    stats->count[CX_KIND_JURISDICTION] = (int64_t)cat->jurisdictions.n;
    stats->count[CX_KIND_GROUP] = (int64_t)cat->groups.n;
    stats->count[CX_KIND_PROVIDER] = (int64_t)cat->providers.n;
    stats->count[CX_KIND_FRAMEWORK] = (int64_t)cat->frameworks.n;
    stats->count[CX_KIND_COMPETENCY] = (int64_t)cat->competencies.n;
    stats->count[CX_KIND_CREDENTIAL] = (int64_t)cat->credentials.n;
    stats->count[CX_KIND_HOLDER] = (int64_t)cat->holders.n;
    stats->count[CX_KIND_AWARD] = (int64_t)cat->nawards;
    stats->exceptions = (int64_t)cat->exceptions.n;
    stats->removed = (int64_t)cat->removals.n;
    stats->cascaded = ld->cascaded;
}

static int import_files(cx_registry *r, const char *const *paths, size_t npaths,
                        const cx_import_options *opts, cx_import_stats *stats, cx_error *err)
{
    cx_catalog_loader *ld;
    int rc = cx__catalog_loader_new(r, &ld, err);
    if (rc) return rc;
    cx__catalog_loader_set_options(ld, opts);
    for (size_t i = 0; i < npaths && rc == CX_OK; i++) {
        if (opts->progress) opts->progress(opts->progress_ud, "reading", i, npaths);
        rc = cx__catalog_loader_add_file(ld, paths[i], err);
    }
    if (rc == CX_OK) rc = cx__catalog_loader_commit(ld, opts->progress, opts->progress_ud, err);
    if (rc == CX_OK && stats) fill_stats(ld, stats);
    cx__catalog_loader_free(ld);
    return rc;
}

int cx_import(cx_registry *r, const char *const *paths, size_t npaths,
              const cx_import_options *options, cx_import_stats *stats, cx_error *err)
{
    static const cx_import_options none = {0};
    const cx_import_options *opts = options ? options : &none;
    return CX__REGISTRY_CALL(r, err, import_files(r, paths, npaths, opts, stats, err));
}

int cx_catalog_import(cx_registry *r, const char *const *paths, size_t npaths,
                      cx_progress_fn progress, void *progress_ud, cx_import_stats *stats,
                      cx_error *err)
{
    cx_import_options opts;
    memset(&opts, 0, sizeof opts);
    opts.progress = progress;
    opts.progress_ud = progress_ud;
    return cx_import(r, paths, npaths, &opts, stats, err);
}
