/*
 * catalog.c -- catalog documents (docs/design.md §3) into a checked model: every
 * key, shape and value rule, one definition per import, references
 * resolved across files and the registry, each error at its file:line:col
 * (or JSON Pointer, or CSV column). It tells input formats apart by content
 * and reads them only through their readers (yaml_reader.h, csv_reader.h,
 * json_reader.h); it writes only through registry.h, never SQL itself.
 */
#include "catalog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    size_t field;        /* the field definition that makes it (1-based), or 0 */
} ref;

/* A provider, jurisdiction or credential of a JSON, JWS or CSV input: not
 * defined while checking but merged by id at commit (merge_fields,
 * docs/interop.md "Several files, one import"). */
typedef struct field_def {
    cx_kind kind;
    size_t index;        /* its entry in the model's array of its kind */
    int badge;           /* 1: from an Open Badges or CLR document; on a group's first: all are */
    int drop;            /* 1: left out of the model (merged into another, or not applied) */
    int used;            /* 1: a value of it stands, so its references are resolved */
    const cx_loc **from; /* a group's first: where each standing value was given; or NULL */
} field_def;

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
    cx_strmap removing_members;            /* "group\njurisdiction" of `remove: memberships`
                                            * (values unused) */
    field_def *fields;                     /* field definitions, in input order */
    size_t nfields, capfields;
    int64_t differing;            /* values a merge by id left out, reported */
    cx_strmap rows[2];            /* the registry's jurisdictions [0] and providers [1]:
                                   * id -> {id, name, kind or jurisdiction} */
    int rows_read[2];             /* 1: rows[i] is filled */
    cx_csv_awards *csv;           /* the CSV award lists streamed, or NULL */
    cx_strmap texts;              /* texts of streamed holders kept in the model: one copy each */
    struct holder_stream *stream; /* the YAML file add_file is reading, or NULL */
    int one_file;                 /* 1: the import reads one file (import_files): a YAML
                                   * file's holders may be written while it is read, and
                                   * default award ids are told apart holder by holder */
    cx__import_ahead *ahead;      /* the writer of its holders, or NULL; owned */
};

/* Per-document state while checking. */
typedef struct checker {
    cx_catalog_loader *ld;
    const char *file; /* file name for locations (in the arena) */
    cx_error *err;
    int add_awards;  /* 1: a non-YAML document, whose holders gain awards (docs/interop.md) */
    int keep_known;  /* 1: a badge's document: its providers and credentials are created
                      * only when new (docs/interop.md, "Open Badges") */
    int placeholder; /* 1: a create_if_absent entity, defined at commit as it is */
    int values_only; /* 1: a streamed CSV row (csv_import.c): no reference, no id */
    int copies;      /* 1: a streamed holder, whose nodes are freed after its check: every
                      * text the model keeps is copied into it (keep_text) */
    const cx_cat_award *earlier; /* the holder's awards read before this one, when its
                                  * default award ids need no map (own_award_id) */
    size_t nearlier;
    cx_strmap *own_ids; /* with earlier, for a holder of many awards: its default
                         * ids without suffix -> size_t * count (own_award_id) */
} checker;

/* The holders of a YAML catalog, checked one by one while the file is read
 * (cx__yaml_stream_buffer), so the document never holds them all. An
 * error waits for the holders' turn among the sections (add_doc), so the
 * import reports what a whole read reports. */
typedef struct holder_stream {
    checker c;        /* how each holder is checked; c.err points at error */
    cx_error error;   /* the first holder's error */
    int rc;           /* its code, or CX_OK */
    int read;         /* 1: the file was YAML, so its holders were streamed */
    size_t refs_from; /* the references the holders made: refs[refs_from, refs_to) */
    size_t refs_to;
    cx_strmap referred[CX_KIND_AWARD + 1]; /* ids the holders referred to (values unused):
                                            * each once, as any later reference to it
                                            * resolves the same and would be reported
                                            * after the first */
} holder_stream;

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

/* The model's own copy of *text, for a streamed holder: one copy of each
 * distinct text (a million awards name a few credentials and dates); an
 * id (key "id": one of each) is copied. */
static int keep_text(const checker *c, const char *key, const char **text)
{
    cx_catalog_loader *ld = c->ld;
    if (strcmp(key, "id") == 0)
        return (*text = cx__arena_strdup(&ld->cat.arena, *text)) ? CX_OK : nomem(c);
    char *kept = cx__strmap_get(&ld->texts, *text);
    if (!kept) {
        if (!(kept = cx__arena_strdup(&ld->cat.arena, *text))) return nomem(c);
        if (cx__strmap_put(&ld->texts, kept, kept, NULL) < 0) return nomem(c);
    }
    *text = kept;
    return CX_OK;
}

/* The scalar text of node, refusing non-scalars, empty values and nulls. */
static int scalar(const checker *c, const cx_ynode *n, const char *key, const char **out)
{
    int rc = cx__yscalar(c->file, n, key, out, c->err);
    return rc || !c->copies ? rc : keep_text(c, key, out);
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
    if (c->copies) { /* a streamed holder: a million awards name a few credentials */
        cx_strmap *referred = &ld->stream->referred[kind];
        if (cx__strmap_get(referred, id)) return CX_OK;
        if (cx__strmap_put(referred, id, ld, NULL) < 0) return nomem(c);
    }
    ref *r = grow(ld->refs, &ld->caprefs, ld->nrefs, sizeof *r);
    if (!r) return nomem(c);
    ld->refs = r;
    ld->refs[ld->nrefs].kind = kind;
    ld->refs[ld->nrefs].id = id;
    ld->refs[ld->nrefs].loc = loc_of(c, at);
    ld->refs[ld->nrefs].award = NULL;
    ld->refs[ld->nrefs].field = 0;
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

/* A number field: its value into *out, its text (as written) into *text. */
static int number_value(const checker *c, const cx_ynode *n, const char *key, const char **text,
                        int64_t *out)
{
    const char *t = NULL;
    int rc = scalar(c, n, key, &t);
    *text = t;
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
    const char *text;
    *out = CX_NO_NUMBER;
    return v ? number_value(c, v, key, &text, out) : CX_OK;
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

/* Adds text (living as long as the check) to seen, the set of a list's
 * texts so far, at n. *first: the node of an earlier equal text, or NULL.
 * A hash set: a list of a million tags is checked in linear time. */
static int seen_before(const checker *c, cx_strmap *seen, const char *text, const cx_ynode *n,
                       const cx_ynode **first)
{
    void *old = NULL;
    int rc = cx__strmap_put(seen, text, (void *)n, &old);
    *first = rc == 1 ? old : NULL;
    return rc < 0 ? nomem(c) : CX_OK;
}

/* The place of n, for "first at ..." messages. */
static const char *place_of(const checker *c, const cx_ynode *n, char *buf, size_t size)
{
    return cx__yplace(buf, size, c->file, n->line, n->column, n->where);
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
    const cx_ynode *first = NULL;
    cx_strmap seen;
    char at[600];
    int rc = CX_OK;
    if (!items) return nomem(c);
    cx__strmap_init(&seen);
    for (size_t i = 0; i < v->count && !rc && !first; i++)
        if (!(rc = each(c, v->items[i], key, &items[i])) &&
            !(rc = seen_before(c, &seen, items[i], v->items[i], &first)) && first)
            rc = fail(c, v->items[i], "'%s' is listed twice in '%s' (first at %s)", items[i], key,
                      place_of(c, first, at, sizeof at));
    cx__strmap_free(&seen);
    if (rc) return rc;
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
        int rc = numeric ? number_value(c, v->items[i], k->text, &kv[i].value, &num)
                         : scalar(c, v->items[i], k->text, &kv[i].value);
        if (!rc && c->copies) rc = keep_text(c, key, &kv[i].key);
        if (rc) return rc;
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

/* 1 when the entities c reads are field definitions (entity_id). */
static int fields_of(const checker *c)
{
    return c->add_awards && !c->placeholder;
}

/* The id of a provider, jurisdiction or credential at index of its model
 * array: from YAML a definition (own_id); from a JSON, JWS or CSV input a
 * field definition, merged with the others of its id at commit. */
static int entity_id(const checker *c, const cx_ynode *map, cx_kind kind, size_t index,
                     const char **out)
{
    cx_catalog_loader *ld = c->ld;
    if (!fields_of(c)) return own_id(c, map, kind, out);
    int rc = opt_id(c, map, "id", out);
    if (rc) return rc;
    field_def *f = grow(ld->fields, &ld->capfields, ld->nfields, sizeof *f);
    if (!f) return nomem(c);
    ld->fields = f;
    ld->fields[ld->nfields++] = (field_def){kind, index, c->keep_known, 0, 0, NULL};
    return CX_OK;
}

/* The references made since mark belong to the field definition just
 * read, if any: resolved only when it is used. */
static void own_refs(const checker *c, size_t mark)
{
    for (size_t k = mark; fields_of(c) && k < c->ld->nrefs; k++)
        c->ld->refs[k].field = c->ld->nfields;
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
    if ((rc = entity_id(c, n, CX_KIND_JURISDICTION, c->ld->cat.jurisdictions.n - 1, &j->id)) ||
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

static int provider(const checker *c, const cx_ynode *n)
{
    static const char *const keys[] = {"id", "name", "jurisdiction", NULL};
    static const char *const req[] = {"id", "name", NULL};
    cx_cat_provider *p;
    size_t mark = c->ld->nrefs;
    int rc = check_map(c, n, "provider", keys, req);
    if (rc) return rc;
    if (!(p = PUSH(c->ld->cat.providers))) return nomem(c);
    p->loc = loc_of(c, n);
    if ((rc = entity_id(c, n, CX_KIND_PROVIDER, c->ld->cat.providers.n - 1, &p->id)) ||
        (rc = opt_text(c, n, "name", &p->name)) ||
        (rc = opt_ref(c, n, "jurisdiction", CX_KIND_JURISDICTION, &p->jurisdiction)))
        return rc;
    own_refs(c, mark);
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

/* The codes of every scheme in v into cr->codes, each (scheme, code) once. */
static int codes_of(const checker *c, const cx_ynode *v, cx_cat_credential *cr, cx_strmap *seen)
{
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
            size_t size = strlen(s->name) + strlen(kv->value) + 2;
            char *pair = cx__arena_alloc(&c->ld->cat.arena, size), at[600];
            const cx_ynode *first;
            if (!pair) return nomem(c);
            snprintf(pair, size, "%s:%s", s->name, kv->value);
            if ((rc = seen_before(c, seen, pair, one, &first))) return rc;
            if (first)
                return fail(c, one, "%s code '%s' is listed twice (first at %s)", s->name,
                            kv->value, place_of(c, first, at, sizeof at));
            cr->ncodes++;
        }
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
    cx_strmap seen; /* "scheme:code" of the codes so far */
    cx__strmap_init(&seen);
    int rc = codes_of(c, v, cr, &seen);
    cx__strmap_free(&seen);
    return rc;
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
    size_t mark = c->ld->nrefs;
    int rc = check_map(c, n, "credential", keys, req);
    if (rc) return rc;
    if (!(cr = PUSH(c->ld->cat.credentials))) return nomem(c);
    cr->loc = loc_of(c, n);
    if ((rc = entity_id(c, n, CX_KIND_CREDENTIAL, c->ld->cat.credentials.n - 1, &cr->id)) ||
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
    own_refs(c, mark);
    return CX_OK;
}

/* ---------------------------------------------------------------- holders */

/* "<holder>/<credential>/<issued>", then suffix (or ""), in the model's
 * arena; NULL on OOM. */
static char *joined_award_id(const checker *c, const char *holder, const cx_cat_award *a,
                             const char *suffix)
{
    size_t lh = strlen(holder), lc = strlen(a->credential), li = strlen(a->issued);
    size_t ls = strlen(suffix);
    char *id = cx__arena_alloc(&c->ld->cat.arena, lh + lc + li + ls + 3);
    if (!id) return NULL;
    memcpy(id, holder, lh);
    id[lh] = '/';
    memcpy(id + lh + 1, a->credential, lc);
    id[lh + 1 + lc] = '/';
    memcpy(id + lh + lc + 2, a->issued, li);
    memcpy(id + lh + lc + li + 2, suffix, ls + 1);
    return id;
}

/* Up to this many awards a holder's default ids are found by scanning its
 * earlier awards; past it, by counting them in a map. */
#define OWN_SCAN_MOST 32

/* The default id of award a, the holder's awards before it given
 * (c->earlier): without the map of every award id, for an import of one
 * file. A given id has no '/' (the id pattern), so a default id can only
 * be taken by an earlier default of the same holder (holder ids are
 * unique, credential ids have no '/'): the k-th award of a holder with
 * one credential and issue date gets "#k", as the map would give it. The
 * earlier awards are scanned, or for a holder of many awards counted in
 * c->own_ids, so that one holder's awards never cost a square. */
static int own_award_id(const checker *c, const char *holder, cx_cat_award *a)
{
    char suffix[24] = "";
    size_t k = 1;
    if (c->own_ids) {
        char *id = joined_award_id(c, holder, a, "");
        size_t *seen = id ? cx__strmap_get(c->own_ids, id) : NULL;
        if (!id) return nomem(c);
        if (!seen) {
            seen = cx__arena_alloc(&c->ld->cat.arena, sizeof *seen);
            if (!seen || cx__strmap_put(c->own_ids, id, seen, NULL) < 0) return nomem(c);
            *seen = 0;
        }
        k = ++*seen;
        if (k == 1) {
            a->id = id;
            return CX_OK;
        }
    } else {
        for (size_t i = 0; i < c->nearlier; i++) {
            const cx_cat_award *e = &c->earlier[i];
            k += strchr(e->id, '/') && strcmp(e->credential, a->credential) == 0 &&
                 strcmp(e->issued, a->issued) == 0;
        }
    }
    if (k > 1) snprintf(suffix, sizeof suffix, "#%zu", k);
    return (a->id = joined_award_id(c, holder, a, suffix)) ? CX_OK : nomem(c);
}

/* The default award id: "<holder>/<credential>/<issued>", then "#2", "#3"
 * for repeats within the import. */
static int award_id(const checker *c, const cx_ynode *n, const char *holder, cx_cat_award *a)
{
    cx_strmap *ids = &c->ld->defined[CX_KIND_AWARD];
    if (a->id) return define(c, CX_KIND_AWARD, a->id, cx__ymap_get(n, "id"));
    if (c->add_awards) { /* no #2: a second row for one award is an error */
        a->id = joined_award_id(c, holder, a, "");
        return a->id ? define(c, CX_KIND_AWARD, a->id, n) : nomem(c);
    }
    if (c->earlier) return own_award_id(c, holder, a);
    cx_loc *loc = cx__arena_alloc(&c->ld->cat.arena, sizeof *loc);
    if (!loc) return nomem(c);
    *loc = loc_of(c, n);
    char suffix[24] = "";
    for (int k = 2;; k++) { /* one look-up an id: the first that is free is defined */
        if (!(a->id = joined_award_id(c, holder, a, suffix))) return nomem(c);
        int put = cx__strmap_put(ids, a->id, loc, NULL);
        if (put != 1) return put == 0 ? CX_OK : nomem(c);
        snprintf(suffix, sizeof suffix, "#%d", k);
    }
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
    int skip = c->add_awards && ld->opts->skip_invalid, rc = CX_OK;
    checker own = *c; /* one file's YAML holder: its default ids need no map */
    cx_strmap ids;
    cx__strmap_init(&ids);
    if (ld->one_file && !c->add_awards) own.earlier = awards;
    if (own.earlier && list->count > OWN_SCAN_MOST) own.own_ids = &ids;
    *count = 0;
    for (size_t i = 0; i < list->count && !rc; i++) {
        size_t mark = ld->nrefs;
        cx_cat_award *a = &awards[*count];
        own.nearlier = *count;
        rc = award(&own, list->items[i], holder, a);
        if (rc == CX_EINPUT && skip) {
            ld->nrefs = mark; /* its references go with it */
            ld->skipped++;
            report_skip(ld, c->err);
            cx_error_clear(c->err);
            memset(a, 0, sizeof *a);
            rc = CX_OK;
            continue;
        }
        if (rc) break;
        for (size_t k = mark; skip && k < ld->nrefs; k++) ld->refs[k].award = a;
        (*count)++;
    }
    cx__strmap_free(&ids);
    return rc;
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
    size_t room = list->count ? list->count : 1; /* a million holders: no spare award each */
    cx_cat_award *awards = cx__arena_alloc(&ld->cat.arena, room * sizeof *awards);
    size_t count = 0;
    if (!awards) return nomem(c);
    memset(awards, 0, room * sizeof *awards);
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
    if (which == CX_CAT_RM_MEMBERSHIP) { /* one hash look-up, not a scan of the list */
        size_t size = strlen(id) + strlen(jurisdiction) + 2;
        char *pair = cx__arena_alloc(&c->ld->cat.arena, size);
        if (!pair) return nomem(c);
        snprintf(pair, size, "%s\n%s", id, jurisdiction);
        if ((rc = cx__strmap_put(&c->ld->removing_members, pair, loc, NULL)) < 0) return nomem(c);
        if (rc == 1) return CX_OK;
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

/* One holder of a streamed YAML catalog, into the model at once; after
 * an error the rest of the file is only read (a syntax error further on
 * is what a whole read reports first). */
static int stream_holder(void *ud, const cx_ynode *item, cx_error *err)
{
    holder_stream *hs = ud;
    cx_catalog_loader *ld = hs->c.ld;
    if (hs->rc) return CX_OK;
    hs->rc = holder(&hs->c, item, NULL);
    hs->refs_to = ld->nrefs;
    if (!hs->rc && ld->ahead &&
        cx__import_ahead_holder(ld->ahead, &ld->cat.holders.v[ld->cat.holders.n - 1]) < 0) {
        cx__import_ahead_abandon(ld->ahead); /* the import writes them all again */
        ld->ahead = NULL;
    }
    if (hs->rc != CX_ENOMEM) return CX_OK;
    *err = hs->error;
    return CX_ENOMEM;
}

/* Reverses refs[from, to). */
static void reverse_refs(ref *refs, size_t from, size_t to)
{
    while (from + 1 < to) {
        ref t = refs[from];
        refs[from++] = refs[--to];
        refs[to] = t;
    }
}

/* The holders' turn in a streamed catalog: their error, if one, or their
 * references moved after those of the sections before them, in place,
 * as a whole read makes them. */
static int streamed_holders(const checker *c, holder_stream *hs)
{
    cx_catalog_loader *ld = c->ld;
    if (hs->rc) {
        *c->err = hs->error;
        return hs->rc;
    }
    reverse_refs(ld->refs, hs->refs_from, hs->refs_to);
    reverse_refs(ld->refs, hs->refs_to, ld->nrefs);
    reverse_refs(ld->refs, hs->refs_from, ld->nrefs);
    return CX_OK;
}

int cx__catalog_loader_add_doc(cx_catalog_loader *ld, const cx_ydoc *doc,
                               const char *const *extra_keys, cx_error *err)
{
    static const char *const keys[] = {
        "version",     "jurisdictions", "groups",     "providers", "frameworks",
        "credentials", "holders",       "exceptions", "remove",    NULL};
    const cx_ynode *root = cx__ydoc_root(doc);
    holder_stream *hs = ld->stream && ld->stream->read ? ld->stream : NULL;
    checker c = {ld, hs ? hs->c.file : cx__arena_strdup(&ld->cat.arena, cx__ydoc_name(doc)), err,
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
        if (!list) continue;
        if (hs && sections[i].each == holder_entry && list->kind == CX_YLIST)
            rc = streamed_holders(&c, hs);
        else
            rc = section(&c, list, &sections[i]);
        if (rc) return rc;
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
    int rc = cx__json_load_buffer_limited(path, data, len, ld->opts->limits, &json, err);
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

/* 1 when detect gives on head, the first bytes of a longer file, what it
 * gives on the whole file: head's first line ends in it (CSV's header),
 * and a byte in it is neither white space, base64url nor '.' (no JWS). */
static int head_decides(const char *head, size_t len)
{
    if (!memchr(head, '\n', len)) return 0;
    for (size_t i = 0; i < len; i++)
        if (!memchr(" \t\r\n.", head[i], 5) && !base64url_run(head + i, head + i + 1)) return 1;
    return 0;
}

/* Reads one file of any format into a catalog document: its bytes are
 * data (len of them, freed here) when read already, else read here. A
 * YAML file is parsed as it is read (cx__yaml_stream_file), its holders
 * streamed when add_file asks (ld->stream); the other readers take a
 * copy. */
static int read_doc(cx_catalog_loader *ld, const char *path, char *data, size_t len, cx_ydoc **out,
                    cx_error *err)
{
    cx_yfile *file = NULL; /* a regular YAML file, read in chunks as it is parsed */
    int rc = data ? CX_OK : cx__yfile_open(path, ld->opts->limits, NULL, NULL, &file, err);
    if (!rc && !data && !file)
        rc = cx__yread_file_limited(path, ld->opts->limits, &data, &len, err);
    if (rc) return rc;
    const char *in = file ? cx__yfile_head(file, &len) : data;
    cx_format f = detect(in, len);
    if (file && (f != CX_FORMAT_YAML || !head_decides(in, len))) {
        cx__yfile_close(file);
        file = NULL;
        if ((rc = cx__yread_file_limited(path, ld->opts->limits, &data, &len, err))) return rc;
        f = detect(data, len);
    }
    ld->files[f]++;
    switch (f) {
    case CX_FORMAT_YAML: {
        cx_ystream s = {"holders", ld->stream ? stream_holder : NULL, ld->stream};
        if (ld->stream) ld->stream->read = 1;
        if (ld->stream && ld->one_file && !ld->ahead)
            ld->ahead = cx__registry_import_ahead(ld->registry);
        rc = file ? cx__yaml_stream_file(file, ld->opts->limits, &s, out, err)
                  : cx__yaml_stream_buffer(path, data, len, ld->opts->limits, &s, out, err);
        break;
    }
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
    cx__yfile_close(file);
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
    holder_stream hs = {{ld, cx__arena_strdup(&ld->cat.arena, path), NULL, 0, 0, 0, 0, 1},
                        {.code = CX_OK},
                        CX_OK,
                        0,
                        ld->nrefs,
                        ld->nrefs};
    if (!hs.c.file) return cx__error(err, CX_ENOMEM, path, 0, 0, "out of memory");
    hs.c.err = &hs.error;
    for (int k = 0; k <= CX_KIND_AWARD; k++) cx__strmap_init(&hs.referred[k]);
    ld->stream = &hs;
    rc = read_doc(ld, path, data, len, &doc, err);
    if (!rc) {
        ld->docs[ld->ndocs++] = doc;
        rc = cx__catalog_loader_add_doc(
            ld, doc, strcmp(cx__ydoc_format(doc), "ob3") == 0 ? cx__badge_extra_keys : NULL, err);
    }
    ld->stream = NULL;
    for (int k = 0; k <= CX_KIND_AWARD; k++) cx__strmap_free(&hs.referred[k]);
    if (!rc) rc = cx__csv_awards_check_ids(ld->csv, before, ld->cat.holders.n, err);
    if (rc) { /* nothing of a file with an error is written */
        cx__import_ahead_abandon(ld->ahead);
        ld->ahead = NULL;
    }
    return rc;
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
        int has = h->in_registry ? h->in_registry == 1
                                 : cx_registry_has(ld->registry, CX_KIND_HOLDER, h->id, err);
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

/* One competency of the parent graph: the registry's, replaced by this
 * import's definition. */
typedef struct comp_node {
    const char *id, *parent;      /* parent NULL: a root */
    const cx_cat_competency *def; /* this import's definition, or NULL */
    int state;                    /* 0 not seen, 1 on the walk, 2 done */
} comp_node;

typedef struct comp_graph {
    cx_strmap nodes; /* id -> comp_node* */
    cx_arena arena;  /* the nodes and the registry's ids */
    cx_error *err;
} comp_graph;

/* Adds (or, for this import's definition, replaces) a competency. */
static int comp_put(comp_graph *g, const char *id, const char *parent, const cx_cat_competency *def)
{
    comp_node *n = cx__strmap_get(&g->nodes, id);
    if (!n) {
        if (!(n = cx__arena_alloc(&g->arena, sizeof *n))) return CX_ENOMEM;
        *n = (comp_node){id, NULL, NULL, 0};
        if (cx__strmap_put(&g->nodes, id, n, NULL) < 0) return CX_ENOMEM;
    }
    n->parent = parent;
    n->def = def;
    return CX_OK;
}

static int comp_row(void *ud, const cx_col *cols, size_t ncols)
{
    comp_graph *g = ud;
    const char *id = cx__arena_strdup(&g->arena, cols[0].text);
    const char *parent = cols[3].text ? cx__arena_strdup(&g->arena, cols[3].text) : NULL;
    (void)ncols;
    if (!id || (cols[3].text && !parent) || comp_put(g, id, parent, NULL))
        return cx__error(g->err, CX_ENOMEM, "", 0, 0, "out of memory");
    return 0;
}

/* Follows parents from start, in linear time over the whole graph (each
 * node is walked once); a walk that comes back to a node on it is a
 * cycle, named from the first of its competencies this import defines. */
static int comp_walk(comp_graph *g, comp_node *start)
{
    comp_node *n = start;
    while (n && n->state == 0) {
        n->state = 1;
        n = n->parent ? cx__strmap_get(&g->nodes, n->parent) : NULL;
    }
    if (n && n->state == 1) { /* a cycle through n: find its defined member, name it */
        const comp_node *c = n, *at = NULL;
        cx_buf b;
        do {
            if (c->def && !at) at = c;
            c = cx__strmap_get(&g->nodes, c->parent);
        } while (c != n);
        const comp_node *from = at ? at : n; /* none defined here: the registry's own cycle */
        cx__buf_init(&b);
        c = from;
        do {
            cx__buf_printf(&b, "%s -> ", c->id);
            c = cx__strmap_get(&g->nodes, c->parent);
        } while (c != from);
        cx__buf_puts(&b, from->id);
        const cx_loc *l = &(at ? at : start)->def->loc;
        cx__yerror(g->err, CX_EINPUT, l->file, l->line, l->column, l->where,
                   "competency parent cycle: %s; a competency's parents must end at one "
                   "without a parent",
                   b.oom ? from->id : b.data);
        cx__buf_free(&b);
        return CX_EINPUT;
    }
    for (n = start; n && n->state == 1; n = cx__strmap_get(&g->nodes, n->parent ? n->parent : ""))
        n->state = 2;
    return CX_OK;
}

/* Competency parents must form a forest, over this import's competencies
 * and the registry's: a -> b -> a (or longer) is refused at import. */
static int check_competency_cycles(cx_catalog_loader *ld, cx_error *err)
{
    comp_graph g = {.err = err};
    int rc = CX_OK, any = 0;
    for (size_t i = 0; i < ld->cat.competencies.n; i++)
        any |= ld->cat.competencies.v[i].parent != 0;
    if (!any) return CX_OK; /* no parent set: no new cycle */
    cx__strmap_init(&g.nodes);
    cx__arena_init(&g.arena);
    rc = cx__registry_scan(ld->registry, CX_SCAN_COMPETENCIES, comp_row, &g, err);
    for (size_t i = 0; i < ld->cat.competencies.n && !rc; i++) {
        const cx_cat_competency *k = &ld->cat.competencies.v[i];
        if (comp_put(&g, k->id, k->parent, k))
            rc = cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory");
    }
    for (size_t i = 0; i < ld->cat.competencies.n && !rc; i++)
        rc = comp_walk(&g, cx__strmap_get(&g.nodes, ld->cat.competencies.v[i].id));
    cx__strmap_free(&g.nodes);
    cx__arena_free(&g.arena);
    return rc;
}

/* The valid_for of credential id ("" for none) into *out: this import's
 * definition (put in vf first), else the registry's, asked once per id
 * (a CSV list names a few credentials a million times). */
int cx__catalog_valid_for(cx_catalog_loader *ld, cx_strmap *vf, const char *id, const char **out,
                          cx_error *err)
{
    cx_credential *cr = NULL;
    cx_error rerr;
    if ((*out = cx__strmap_get(vf, id))) return CX_OK;
    int rc = cx_registry_credential(ld->registry, id, &cr, &rerr);
    if (rc != CX_OK && rc != CX_EUSAGE) {
        *err = rerr;
        return rc;
    }
    *out = cr && cr->valid_for ? cx__arena_strdup(&ld->cat.arena, cr->valid_for) : "";
    cx_credential_free(cr);
    if (!*out || cx__strmap_put(vf, id, (void *)*out, NULL) < 0)
        return cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory");
    return CX_OK;
}

/* An award with no `expires` whose credential (this import's or the
 * registry's) has a valid_for must expire by 9999-12-31: a later expiry
 * is refused at the award, not clamped (nor read as "never"). */
static int check_expiry(cx_catalog_loader *ld, cx_error *err)
{
    cx_strmap vf; /* credential id -> its valid_for, "" for none */
    int rc = CX_OK;
    cx__strmap_init(&vf);
    for (size_t i = 0; i < ld->cat.credentials.n && !rc; i++) {
        const cx_cat_credential *cr = &ld->cat.credentials.v[i];
        if (cx__strmap_put(&vf, cr->id, (void *)(cr->valid_for ? cr->valid_for : ""), NULL) < 0)
            rc = cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory");
    }
    for (size_t h = 0; h < ld->cat.holders.n && !rc; h++) {
        cx_cat_holder *hd = &ld->cat.holders.v[h];
        for (size_t i = 0; i < hd->nawards && !rc; i++) {
            cx_cat_award *a = &hd->awards[i];
            const char *valid_for = "", *why;
            cx_date issued;
            cx_duration dur;
            if (a->expires || a->skip) continue;
            if ((rc = cx__catalog_valid_for(ld, &vf, a->credential, &valid_for, err))) break;
            if (!*valid_for || cx__date_parse(a->issued, &issued, &why) != 0 ||
                cx__duration_parse(valid_for, &dur, &why) != 0 ||
                cx__date_add(issued, &dur) != CX_DATE_NEVER)
                continue;
            cx__yerror(err, CX_EINPUT, a->loc.file, a->loc.line, a->loc.column, a->loc.where,
                       "an award of '%s' issued %s would expire past 9999-12-31 (valid_for %s); "
                       "give it an expires date, or check the issued date",
                       a->credential, a->issued, valid_for);
            if (skippable(ld, hd))
                skip_award(ld, a, err);
            else
                rc = CX_EINPUT;
        }
    }
    if (!rc) rc = cx__csv_awards_check_expiry(ld->csv, &vf, err);
    cx__strmap_free(&vf);
    return rc;
}

/* Defines each create_if_absent entity that no input defines and the
 * registry lacks. */
static int define_absent(cx_catalog_loader *ld, cx_error *err)
{
    for (size_t i = 0; i < ld->nabsent; i++) {
        const struct absent *a = &ld->absent[i];
        const cx_ynode *id = cx__ymap_get(a->node, "id");
        checker c = {.ld = ld, .file = a->file, .err = err, .add_awards = 1, .placeholder = 1};
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

/* ------------------------------------------------------------ merging by id */

/* Holders, providers, jurisdictions and credentials of JSON, JWS and CSV
 * inputs merge by id (docs/interop.md, "Several files, one import"): the
 * inputs are read in byte order of their paths, each field takes the first
 * non-empty value, and every other value is left out and reported. What
 * stands already comes first: a YAML definition of this import, else the
 * registry's entity. */

#define MERGE_FIELDS 12 /* the most fields one kind merges: a credential's */

/* A value a merge left out: counted, and reported where it was given
 * (at), naming where the standing value was given (kept_at; NULL: the
 * registry). */
static void report_differing(cx_catalog_loader *ld, cx_kind kind, const char *id, const char *key,
                             const char *kept, const cx_loc *kept_at, const char *ignored,
                             const cx_loc *at)
{
    char place[600] = "", why[2048]; /* room for each part at its cap */
    ld->differing++;
    if (!ld->opts->report) return;
    if (kept_at)
        cx__yplace(place, sizeof place, kept_at->file, kept_at->line, kept_at->column,
                   kept_at->where);
    snprintf(why, sizeof why, "%s '%.200s' has %.100s '%.300s' %s%s; '%.300s' is ignored",
             cx_kind_name(kind), id, key, kept, kept_at ? "at " : "in the registry", place,
             ignored);
    cx_import_issue issue = {at->file, at->line ? NULL : at->where, at->line, key, why};
    ld->opts->report(ld->opts->report_ud, &issue);
}

/* One merge of an entity's incoming values into its standing ones. */
typedef struct merging {
    cx_catalog_loader *ld;
    cx_kind kind;
    const char *id;
    const cx_loc **from;     /* per field: where the standing value was given; NULL: registry */
    const cx_loc *const *at; /* per field: where the incoming value was given */
    int taken;               /* 1: an incoming value now stands */
} merging;

static void take(merging *m, int field)
{
    m->from[field] = m->at[field];
    m->taken = 1;
}

static void differing(merging *m, int field, const char *key, const char *kept, const char *ignored)
{
    report_differing(m->ld, m->kind, m->id, key, kept, m->from[field], ignored, m->at[field]);
}

static void merge_text(merging *m, int field, const char *key, const char **standing, const char *v)
{
    if (!v) return;
    if (!*standing) {
        *standing = v;
        take(m, field);
    } else if (strcmp(*standing, v) != 0) {
        differing(m, field, key, *standing, v);
    }
}

/* Hundredths as the catalog writes them: 40, 12.5, 0.25. */
static const char *number_text(char buf[32], int64_t h)
{
    int n = snprintf(buf, 32, "%lld.%02lld", (long long)(h / 100), (long long)(h % 100));
    while (n > 0 && buf[n - 1] == '0') buf[--n] = '\0';
    if (n > 0 && buf[n - 1] == '.') buf[--n] = '\0';
    return buf;
}

static void merge_hours(merging *m, int field, int64_t *standing, int64_t v)
{
    char a[32], b[32];
    if (v == CX_NO_NUMBER) return;
    if (*standing == CX_NO_NUMBER) {
        *standing = v;
        take(m, field);
    } else if (*standing != v) {
        differing(m, field, "hours", number_text(a, *standing), number_text(b, v));
    }
}

/* A list ("[a, b]"), or codes ("[soc: 49-3023]") when kv is set, into buf. */
static const char *list_text(char *buf, size_t size, const char *const *items, const cx_cat_kv *kv,
                             size_t n)
{
    size_t len = (size_t)snprintf(buf, size, "[");
    for (size_t i = 0; i < n && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s%s%s", i ? ", " : "",
                                kv ? kv[i].key : items[i], kv ? ": " : "", kv ? kv[i].value : "");
    if (len < size) snprintf(buf + len, size - len, "]");
    return buf;
}

/* 1 when lists a and b (or codes, when ka and kb are set) hold the same
 * items in the same order. */
static int same_items(const char *const *a, const cx_cat_kv *ka, size_t na, const char *const *b,
                      const cx_cat_kv *kb, size_t nb)
{
    if (na != nb) return 0;
    for (size_t i = 0; i < na; i++)
        if (ka ? strcmp(ka[i].key, kb[i].key) != 0 || strcmp(ka[i].value, kb[i].value) != 0
               : strcmp(a[i], b[i]) != 0)
            return 0;
    return 1;
}

/* A list (competencies, tags, the grade scale) is taken whole from the
 * first definition that has one. */
static void merge_list(merging *m, int field, const char *key, const char ***standing, size_t *n,
                       const char **v, size_t nv)
{
    char a[400], b[400];
    if (!nv) return;
    if (!*n) {
        *standing = v;
        *n = nv;
        take(m, field);
    } else if (!same_items(*standing, NULL, *n, v, NULL, nv)) {
        differing(m, field, key, list_text(a, sizeof a, *standing, NULL, *n),
                  list_text(b, sizeof b, v, NULL, nv));
    }
}

static void merge_codes(merging *m, int field, cx_cat_kv **standing, size_t *n, cx_cat_kv *v,
                        size_t nv)
{
    char a[400], b[400];
    if (!nv) return;
    if (!*n) {
        *standing = v;
        *n = nv;
        take(m, field);
    } else if (!same_items(NULL, *standing, *n, NULL, v, nv)) {
        differing(m, field, "codes", list_text(a, sizeof a, NULL, *standing, *n),
                  list_text(b, sizeof b, NULL, v, nv));
    }
}

/* Attributes merge key by key. -1 when out of memory. */
static int merge_attributes(merging *m, int field, cx_cat_kv **standing, size_t *n,
                            const cx_cat_kv *v, size_t nv)
{
    for (size_t i = 0; i < nv; i++) {
        size_t k = 0;
        while (k < *n && strcmp((*standing)[k].key, v[i].key) != 0) k++;
        if (k < *n) {
            if (strcmp((*standing)[k].value, v[i].value) != 0)
                differing(m, field, v[i].key, (*standing)[k].value, v[i].value);
            continue;
        }
        cx_cat_kv *more = cx__arena_alloc(&m->ld->cat.arena, (*n + 2) * sizeof *more);
        if (!more) return -1;
        if (*n) memcpy(more, *standing, *n * sizeof *more);
        more[(*n)++] = v[i];
        *standing = more;
        take(m, field);
    }
    return 0;
}

static void merge_provider(merging *m, cx_cat_provider *s, const cx_cat_provider *p)
{
    merge_text(m, 0, "name", &s->name, p->name);
    merge_text(m, 1, "jurisdiction", &s->jurisdiction, p->jurisdiction);
}

static void merge_jurisdiction(merging *m, cx_cat_jurisdiction *s, const cx_cat_jurisdiction *j)
{
    merge_text(m, 0, "name", &s->name, j->name);
    merge_text(m, 1, "kind", &s->kind, j->kind);
}

/* A credential's fields but its name and type, which must agree. */
static int merge_credential(merging *m, cx_cat_credential *s, cx_cat_credential *c)
{
    merge_text(m, 0, "provider", &s->provider, c->provider);
    merge_text(m, 1, "jurisdiction", &s->jurisdiction, c->jurisdiction);
    merge_hours(m, 2, &s->hours, c->hours);
    merge_text(m, 3, "valid_for", &s->valid_for, c->valid_for);
    merge_text(m, 4, "version", &s->version, c->version);
    merge_text(m, 5, "effective_from", &s->effective_from, c->effective_from);
    merge_text(m, 6, "effective_until", &s->effective_until, c->effective_until);
    merge_list(m, 7, "competencies", &s->competencies, &s->ncompetencies, c->competencies,
               c->ncompetencies);
    merge_list(m, 8, "tags", &s->tags, &s->ntags, c->tags, c->ntags);
    merge_codes(m, 9, &s->codes, &s->ncodes, c->codes, c->ncodes);
    merge_list(m, 10, "grade_scale", &s->grade_scale, &s->ngrade_scale, c->grade_scale,
               c->ngrade_scale);
    return merge_attributes(m, 11, &s->attributes, &s->nattributes, c->attributes, c->nattributes);
}

static cx_loc *def_loc(cx_catalog_loader *ld, const field_def *f)
{
    if (f->kind == CX_KIND_PROVIDER) return &ld->cat.providers.v[f->index].loc;
    if (f->kind == CX_KIND_JURISDICTION) return &ld->cat.jurisdictions.v[f->index].loc;
    return &ld->cat.credentials.v[f->index].loc;
}

static const char **def_id(cx_catalog_loader *ld, const field_def *f)
{
    if (f->kind == CX_KIND_PROVIDER) return &ld->cat.providers.v[f->index].id;
    if (f->kind == CX_KIND_JURISDICTION) return &ld->cat.jurisdictions.v[f->index].id;
    return &ld->cat.credentials.v[f->index].id;
}

/* Every field at one place: the locations of a definition's values. */
static const cx_loc **all_at(cx_catalog_loader *ld, const cx_loc *loc)
{
    const cx_loc **at = cx__arena_alloc(&ld->cat.arena, MERGE_FIELDS * sizeof *at);
    for (size_t i = 0; at && i < MERGE_FIELDS; i++) at[i] = loc;
    return at;
}

/* One credential id whose definitions disagree on its name or type. */
typedef struct conflict {
    const char *what;          /* "names" or "types" */
    const char *a, *b;         /* the two values */
    const cx_loc *at_a, *at_b; /* where each is given */
} conflict;

static int nomem_at(cx_error *err)
{
    return cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory");
}

/* A credential defined again with another name or type: a conflict of
 * its id (the first pair is kept). */
static int note_conflict(cx_catalog_loader *ld, cx_strmap *conflicts, const cx_cat_credential *g,
                         const cx_cat_credential *c, cx_error *err)
{
    int names = strcmp(g->name, c->name) != 0;
    if (!names && strcmp(g->type, c->type) == 0) return CX_OK;
    if (cx__strmap_get(conflicts, c->id)) return 1;
    conflict *cf = cx__arena_alloc(&ld->cat.arena, sizeof *cf);
    if (!cf) return nomem_at(err);
    *cf = (conflict){names ? "names" : "types", names ? g->name : g->type,
                     names ? c->name : c->type, &g->loc, &c->loc};
    return cx__strmap_put(conflicts, c->id, cf, NULL) < 0 ? nomem_at(err) : 1;
}

/* Merges field definition f into g, the first of its id. */
static int merge_def(cx_catalog_loader *ld, cx_strmap *conflicts, field_def *g, field_def *f,
                     cx_error *err)
{
    const cx_loc **at = all_at(ld, def_loc(ld, f));
    if (!at || (!g->from && !(g->from = all_at(ld, def_loc(ld, g))))) return nomem_at(err);
    merging m = {ld, f->kind, *def_id(ld, f), g->from, at, 0};
    int rc = CX_OK;
    f->drop = 1;
    g->badge = g->badge && f->badge;
    if (f->kind == CX_KIND_PROVIDER) {
        merge_provider(&m, &ld->cat.providers.v[g->index], &ld->cat.providers.v[f->index]);
    } else if (f->kind == CX_KIND_JURISDICTION) {
        merge_jurisdiction(&m, &ld->cat.jurisdictions.v[g->index],
                           &ld->cat.jurisdictions.v[f->index]);
    } else {
        cx_cat_credential *s = &ld->cat.credentials.v[g->index];
        cx_cat_credential *c = &ld->cat.credentials.v[f->index];
        rc = note_conflict(ld, conflicts, s, c, err);
        if (rc == 0 && merge_credential(&m, s, c) < 0) rc = nomem_at(err);
        if (rc == 1) rc = CX_OK;
    }
    f->used = m.taken;
    return rc;
}

/* Field definition f against the first of its id and a YAML definition. */
static int group_def(cx_catalog_loader *ld, cx_strmap *first, cx_strmap *conflicts, field_def *f,
                     cx_error *err)
{
    const char *id = *def_id(ld, f);
    const cx_loc *yaml = cx__strmap_get(&ld->defined[f->kind], id), *at = def_loc(ld, f);
    void *old = NULL;
    char place[600];
    if (yaml && f->badge) { /* a badge's definition is not applied over a YAML one */
        f->drop = 1;
        return CX_OK;
    }
    if (yaml) /* nor is any other: a second definition (docs/catalog.md) */
        return cx__yerror(
            err, CX_EINPUT, at->file, at->line, at->column, at->where,
            "%s '%s' is defined twice in this import (first at %s)", cx_kind_name(f->kind), id,
            cx__yplace(place, sizeof place, yaml->file, yaml->line, yaml->column, yaml->where));
    int put = cx__strmap_put(&first[f->kind], id, f, &old);
    if (put < 0) return nomem_at(err);
    if (put == 0) return CX_OK;
    field_def *g = old;
    if (f->kind == CX_KIND_CREDENTIAL && f->badge && !g->badge) {
        f->drop = 1; /* a CTDL definition stands over a badge's achievement */
        return CX_OK;
    }
    return merge_def(ld, conflicts, g, f, err);
}

/* Keeps a scanned provider or jurisdiction row (id and two values). */
typedef struct row_keeper {
    cx_catalog_loader *ld;
    cx_strmap *rows;
    cx_error *err;
} row_keeper;

static int keep_row(void *ud, const cx_col *cols, size_t ncols)
{
    row_keeper *k = ud;
    const char **row = ncols == 3 ? cx__arena_alloc(&k->ld->cat.arena, 3 * sizeof *row) : NULL;
    int oom = !row;
    for (size_t i = 0; row && i < 3; i++) {
        row[i] =
            cols[i].text ? cx__arena_strndup(&k->ld->cat.arena, cols[i].text, cols[i].len) : NULL;
        oom = oom || (cols[i].text && !row[i]);
    }
    if (oom || cx__strmap_put(k->rows, row[0], row, NULL) < 0) return nomem_at(k->err);
    return 0;
}

/* The registry's row of provider or jurisdiction id ({id, name,
 * jurisdiction or kind}), or NULL; the table is scanned once, when needed. */
static int registry_row(cx_catalog_loader *ld, cx_kind kind, const char *id, const char ***out,
                        cx_error *err)
{
    int p = kind == CX_KIND_PROVIDER;
    row_keeper k = {ld, &ld->rows[p], err};
    if (!ld->rows_read[p]) {
        int rc = cx__registry_scan(ld->registry, p ? CX_SCAN_PROVIDERS : CX_SCAN_JURISDICTIONS,
                                   keep_row, &k, err);
        if (rc) return rc;
        ld->rows_read[p] = 1;
    }
    *out = cx__strmap_get(&ld->rows[p], id);
    return CX_OK;
}

/* The first definition of an id against the registry. A CTDL definition
 * replaces the registry's entity, as a YAML one does: its publisher's
 * own. Of badges, an achievement is not applied, and the registry's
 * provider or jurisdiction stands (its empty fields filled). */
static int standing_def(cx_catalog_loader *ld, field_def *f, cx_error *err)
{
    const char *id = *def_id(ld, f);
    const char **row = NULL;
    const cx_loc *from[MERGE_FIELDS] = {NULL};
    int has = cx_registry_has(ld->registry, f->kind, id, err), rc;
    if (has < 0) return err->code;
    f->used = 1;
    if (has && f->kind == CX_KIND_CREDENTIAL && f->badge) f->drop = 1, f->used = 0;
    if (!has || f->kind == CX_KIND_CREDENTIAL || !f->badge) return CX_OK;
    if ((rc = registry_row(ld, f->kind, id, &row, err)) || !row) return rc;
    const cx_loc **at = f->from ? f->from : all_at(ld, def_loc(ld, f));
    if (!at) return nomem_at(err);
    merging m = {ld, f->kind, id, from, at, 0};
    if (f->kind == CX_KIND_PROVIDER) {
        cx_cat_provider *p = &ld->cat.providers.v[f->index], s = *p;
        s.name = row[1];
        s.jurisdiction = row[2];
        merge_provider(&m, &s, p);
        *p = s;
    } else {
        cx_cat_jurisdiction *j = &ld->cat.jurisdictions.v[f->index], s = *j;
        s.name = row[1];
        s.kind = row[2];
        merge_jurisdiction(&m, &s, j);
        *j = s;
    }
    if (f->badge && !m.taken) f->drop = 1, f->used = 0;
    return CX_OK;
}

static int conflict_error(const cx_loc *at, const char *id, const conflict *cf, cx_error *err)
{
    char a[600], b[600];
    return cx__yerror(
        err, CX_EINPUT, at->file, at->line, at->column, at->where,
        "credential '%s' is defined with two %s: '%s' at %s, '%s' at %s; no item that uses it "
        "is imported",
        id, cf->what, cf->a,
        cx__yplace(a, sizeof a, cf->at_a->file, cf->at_a->line, cf->at_a->column, cf->at_a->where),
        cf->b,
        cx__yplace(b, sizeof b, cf->at_b->file, cf->at_b->line, cf->at_b->column, cf->at_b->where));
}

/* "file\x1fid": an item of file that uses credential id, once reported. */
static const char *item_key(cx_catalog_loader *ld, const char *file, const char *id)
{
    size_t nf = strlen(file), ni = strlen(id);
    char *k = cx__arena_alloc(&ld->cat.arena, nf + ni + 2);
    if (!k) return NULL;
    memcpy(k, file, nf);
    k[nf] = '\x1f';
    memcpy(k + nf + 1, id, ni + 1);
    return k;
}

/* Definition f of a conflicting id, left out: a CTDL one is an item, as
 * is a badge's (a CLR's bare achievement) whose file has no award of it. */
static int conflict_def(cx_catalog_loader *ld, cx_strmap *reported, field_def *f,
                        const conflict *cf, cx_error *err)
{
    const cx_loc *at = def_loc(ld, f);
    const char *id = *def_id(ld, f), *key = item_key(ld, at->file, id);
    int put = key ? cx__strmap_put(reported, key, f, NULL) : -1;
    f->drop = 1;
    f->used = 0;
    if (put < 0) return nomem_at(err);
    if (put == 1 && f->badge) return CX_OK;
    conflict_error(at, id, cf, err);
    if (!ld->opts->skip_invalid) return CX_EINPUT;
    report_skip(ld, err);
    cx_error_clear(err);
    return CX_OK;
}

/* A credential defined with two names or types is an error of every item
 * that uses it: each award of it, each definition of it but a badge's
 * that comes with its award; none of them is imported. */
static int fail_conflicts(cx_catalog_loader *ld, const cx_strmap *conflicts, cx_error *err)
{
    cx_strmap reported; /* item_key -> the item, of the awards and definitions reported */
    int rc = CX_OK;
    cx__strmap_init(&reported);
    for (size_t h = 0; conflicts->count && h < ld->cat.holders.n && !rc; h++) {
        cx_cat_holder *hd = &ld->cat.holders.v[h];
        for (size_t i = 0; i < hd->nawards && !rc; i++) {
            cx_cat_award *a = &hd->awards[i];
            const conflict *cf = a->skip ? NULL : cx__strmap_get(conflicts, a->credential);
            const char *key = cf ? item_key(ld, a->loc.file, a->credential) : NULL;
            if (!cf) continue;
            conflict_error(&a->loc, a->credential, cf, err);
            if (!hd->add_awards || !ld->opts->skip_invalid) rc = CX_EINPUT;
            if (!rc) skip_award(ld, a, err);
            if (!rc && (!key || cx__strmap_put(&reported, key, a, NULL) < 0)) rc = nomem_at(err);
        }
    }
    for (size_t i = 0; conflicts->count && i < ld->nfields && !rc; i++) {
        field_def *f = &ld->fields[i];
        const conflict *cf =
            f->kind == CX_KIND_CREDENTIAL ? cx__strmap_get(conflicts, *def_id(ld, f)) : NULL;
        if (cf) rc = conflict_def(ld, &reported, f, cf, err);
    }
    cx__strmap_free(&reported);
    return rc;
}

/* Defines what the merge kept, and leaves the rest out of the model. */
static int define_merged(cx_catalog_loader *ld, cx_error *err)
{
    for (size_t i = 0; i < ld->nfields; i++) {
        field_def *f = &ld->fields[i];
        cx_loc *loc = f->drop ? NULL : cx__arena_alloc(&ld->cat.arena, sizeof *loc);
        if (f->drop) {
            *def_id(ld, f) = NULL; /* compacted below */
            continue;
        }
        if (!loc) return nomem_at(err);
        *loc = *def_loc(ld, f);
        if (cx__strmap_put(&ld->defined[f->kind], *def_id(ld, f), loc, NULL) < 0)
            return nomem_at(err);
    }
#define COMPACT(arr)                                                                               \
    do {                                                                                           \
        size_t kept_ = 0;                                                                          \
        for (size_t k_ = 0; k_ < (arr).n; k_++)                                                    \
            if ((arr).v[k_].id) (arr).v[kept_++] = (arr).v[k_];                                    \
        (arr).n = kept_;                                                                           \
    } while (0)
    COMPACT(ld->cat.providers);
    COMPACT(ld->cat.jurisdictions);
    COMPACT(ld->cat.credentials);
#undef COMPACT
    return CX_OK;
}

/* Merges the field definitions by id. Credentials of CTDL inputs come
 * first, so that one stands over a badge's achievement of its id. */
static int merge_fields(cx_catalog_loader *ld, cx_error *err)
{
    cx_strmap first[CX_KIND_AWARD + 1], conflicts;
    int rc = CX_OK;
    if (!ld->nfields) return CX_OK;
    for (size_t k = 0; k < CX_COUNT(first); k++) cx__strmap_init(&first[k]);
    cx__strmap_init(&conflicts);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < ld->nfields && !rc; i++) {
            field_def *f = &ld->fields[i];
            if ((f->kind == CX_KIND_CREDENTIAL ? f->badge : 0) == pass)
                rc = group_def(ld, first, &conflicts, f, err);
        }
    for (size_t i = 0; i < ld->nfields && !rc; i++)
        if (!ld->fields[i].drop) rc = standing_def(ld, &ld->fields[i], err);
    if (!rc) rc = fail_conflicts(ld, &conflicts, err);
    if (!rc) rc = define_merged(ld, err);
    for (size_t k = 0; k < CX_COUNT(first); k++) cx__strmap_free(&first[k]);
    cx__strmap_free(&conflicts);
    return rc;
}

/* The standing attributes of one holder while its entries merge: each
 * key, its value and where it was given (NULL: the registry). */
typedef struct holder_attrs {
    struct standing_attr {
        const char *key, *value;
        const cx_loc *at;
    } * v;
    size_t n, cap;
} holder_attrs;

static int stand_attr(holder_attrs *s, const char *key, const char *value, const cx_loc *at)
{
    struct standing_attr *v = grow(s->v, &s->cap, s->n, sizeof *v);
    if (!v) return -1;
    s->v = v;
    s->v[s->n++] = (struct standing_attr){key, value, at};
    return 0;
}

/* The attributes of entry h that are new to its holder stay on it; one
 * the holder has already stays out (reported when its value differs). */
static int merge_holder_attrs(cx_catalog_loader *ld, cx_cat_holder *h, holder_attrs *s)
{
    size_t kept = 0;
    for (size_t i = 0; i < h->nattributes; i++) {
        const cx_cat_kv *kv = &h->attributes[i];
        size_t k = 0;
        while (k < s->n && strcmp(s->v[k].key, kv->key) != 0) k++;
        if (k == s->n) {
            if (stand_attr(s, kv->key, kv->value, &h->loc)) return -1;
            h->attributes[kept++] = *kv;
        } else if (strcmp(s->v[k].value, kv->value) != 0) {
            report_differing(ld, CX_KIND_HOLDER, h->id, kv->key, s->v[k].value, s->v[k].at,
                             kv->value, &h->loc);
        }
    }
    h->nattributes = kept;
    return 0;
}

/* The entries of one holder that gains awards (first, then next[]): the
 * standing jurisdiction and attributes are a YAML holder's of this import
 * (y), else the registry's, else the first given; a new holder's entries
 * all take the merged jurisdiction. */
static int merge_holder(cx_catalog_loader *ld, size_t first, const size_t *next,
                        const cx_cat_holder *y, holder_attrs *s, cx_error *err)
{
    cx_cat_holder *v = ld->cat.holders.v;
    const char *id = v[first].id, *jur = NULL;
    const cx_loc *jur_at = NULL;
    cx_holder *reg = NULL;
    int stands = y != NULL, given = 0, rc = CX_OK;
    s->n = 0;
    for (size_t i = first + 1; i; i = next[i - 1])
        given = given || v[i - 1].jurisdiction || v[i - 1].nattributes;
    if (!y && given) {
        int has = cx_registry_has(ld->registry, CX_KIND_HOLDER, id, err);
        if (has < 0 || (has && (rc = cx_registry_holder(ld->registry, id, &reg, err))))
            return has < 0 ? err->code : rc;
        stands = has;
        for (size_t i = first + 1; i; i = next[i - 1]) v[i - 1].in_registry = has ? 1 : 2;
    }
    if (y) jur = y->jurisdiction, jur_at = &y->loc;
    if (reg) jur = reg->jurisdiction;
    for (size_t k = 0; y && k < y->nattributes && !rc; k++)
        rc = stand_attr(s, y->attributes[k].key, y->attributes[k].value, &y->loc);
    for (size_t k = 0; reg && k < reg->nattributes && !rc; k++)
        rc = stand_attr(s, reg->attributes[k].key, reg->attributes[k].value, NULL);
    for (size_t i = first + 1; i && !rc; i = next[i - 1]) {
        cx_cat_holder *h = &v[i - 1];
        if (h->jurisdiction && !jur && !stands)
            jur = h->jurisdiction, jur_at = &h->loc;
        else if (h->jurisdiction && jur && strcmp(jur, h->jurisdiction) != 0)
            report_differing(ld, CX_KIND_HOLDER, id,
                             h->loc.line && h->loc.where ? "holder_jurisdiction" /* CSV */
                                                         : "jurisdiction",
                             jur, jur_at, h->jurisdiction, &h->loc);
        rc = merge_holder_attrs(ld, h, s);
    }
    for (size_t i = first + 1; i && !stands && !rc; i = next[i - 1]) v[i - 1].jurisdiction = jur;
    cx_holder_free(reg);
    return rc < 0 ? nomem_at(err) : rc;
}

/* Holders that gain awards merge by id (merge_holder), each id's entries
 * chained in input order. */
static int merge_holders(cx_catalog_loader *ld, cx_error *err)
{
    size_t n = ld->cat.holders.n, gain = 0;
    for (size_t i = 0; i < n; i++) gain += ld->cat.holders.v[i].add_awards;
    if (!gain) return CX_OK;
    size_t *next = calloc(n + 1, 2 * sizeof *next), *last = next ? next + n + 1 : NULL;
    cx_strmap heads, yaml;
    holder_attrs s = {NULL, 0, 0};
    int rc = next ? CX_OK : nomem_at(err);
    cx__strmap_init(&heads);
    cx__strmap_init(&yaml);
    for (size_t i = 0; i < n && !rc; i++) {
        cx_cat_holder *h = &ld->cat.holders.v[i];
        void *old = NULL;
        int put = h->add_awards ? cx__strmap_put(&heads, h->id, (void *)(i + 1), &old)
                                : cx__strmap_put(&yaml, h->id, h, NULL);
        if (put < 0) rc = nomem_at(err);
        if (put != 1 || !h->add_awards) {
            last[i] = i + 1;
            continue;
        }
        size_t head = (size_t)old - 1; /* append i to the chain of head */
        next[last[head] - 1] = i + 1;
        last[head] = i + 1;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        const cx_cat_holder *h = &ld->cat.holders.v[i];
        if (h->add_awards && (size_t)cx__strmap_get(&heads, h->id) == i + 1)
            rc = merge_holder(ld, i, next, cx__strmap_get(&yaml, h->id), &s, err);
    }
    free(s.v);
    free(next);
    cx__strmap_free(&heads);
    cx__strmap_free(&yaml);
    return rc;
}

/* Everything commit checks before writing. */
static int check_all(cx_catalog_loader *ld, cx_progress_fn progress, void *progress_ud,
                     cx_error *err)
{
    int rc = merge_fields(ld, err);
    if (!rc) rc = merge_holders(ld, err);
    if (!rc) rc = check_removals(ld, err);
    if (!rc) rc = define_absent(ld, err);
    if (rc) return rc;
    for (size_t i = 0; i < ld->nrefs; i++) {
        ref *r = &ld->refs[i];
        if ((r->award && r->award->skip) || (r->field && !ld->fields[r->field - 1].used)) continue;
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
        (rc = check_grades(ld, err)) || (rc = cx__csv_awards_check_grades(ld->csv, err)) ||
        (rc = check_expiry(ld, err)) || (rc = check_competency_cycles(ld, err)))
        return rc;
    return cx__csv_awards_settle(ld->csv, err);
}

typedef struct commit_ctx {
    cx_catalog_loader *ld;
    cx_progress_fn progress;
    void *progress_ud;
} commit_ctx;

/* Runs inside the import's write transaction (cx__import_check_fn): what
 * the checks resolve against the registry stays so until COMMIT. */
static int commit_checks(void *ud, cx_error *err)
{
    commit_ctx *c = ud;
    cx_catalog_loader *ld = c->ld;
    int rc = check_all(ld, c->progress, c->progress_ud, err);
    if (rc) return rc;
    if (ld->skipped) drop_skipped(ld);
    ld->cat.cascade = ld->opts->cascade;
    ld->cat.cascaded = cascaded;
    ld->cat.cascaded_ud = ld;
    return CX_OK;
}

int cx__catalog_loader_commit(cx_catalog_loader *ld, cx_progress_fn progress, void *progress_ud,
                              cx_error *err)
{
    commit_ctx c = {.ld = ld, .progress = progress, .progress_ud = progress_ud};
    cx__import_ahead *ahead = ld->ahead;
    /* one YAML file that removes nothing: holders first, whether or not
     * a thread wrote them while the file was read (the same bytes) */
    ld->cat.holders_first = ld->one_file && ld->files[CX_FORMAT_YAML] == 1 && ld->ndocs == 1 &&
                            !ld->cat.removals.n && !ld->cat.streams.n;
    ld->ahead = NULL;
    if (ahead)
        return cx__registry_import_after(ahead, &ld->cat, commit_checks, &c, progress, progress_ud,
                                         err);
    return cx__registry_import(ld->registry, &ld->cat, commit_checks, &c, progress, progress_ud,
                               err);
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
    cx__strmap_init(&ld->texts);
    cx__strmap_init(&ld->by_source);
    cx__strmap_init(&ld->removing_members);
    cx__strmap_init(&ld->rows[0]);
    cx__strmap_init(&ld->rows[1]);
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
    cx__import_ahead_abandon(ld->ahead);
    for (size_t k = 0; k < CX_COUNT(ld->defined); k++) {
        cx__strmap_free(&ld->defined[k]);
        cx__strmap_free(&ld->known[k]);
        cx__strmap_free(&ld->removing[k]);
    }
    cx__strmap_free(&ld->sources);
    cx__strmap_free(&ld->texts);
    cx__strmap_free(&ld->by_source);
    cx__strmap_free(&ld->removing_members);
    cx__strmap_free(&ld->rows[0]);
    cx__strmap_free(&ld->rows[1]);
    free(ld->fields);
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
    checker c = {.ld = ld, .file = file, .err = err, .add_awards = 1, .values_only = 1};
    memset(a, 0, sizeof *a);
    return award(&c, row, NULL, a);
}

int cx__catalog_check_id(cx_catalog_loader *ld, const char *file, const cx_ynode *n,
                         const char *key, cx_error *err)
{
    checker c = {.ld = ld, .file = file, .err = err, .add_awards = 1, .values_only = 1};
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
    stats->differing = ld->differing;
}

/* Whether every path names something there that is not a directory, and
 * every regular file among them can be opened, before the first is read:
 * a misspelt or unreadable last file fails at once, not after minutes of
 * a large first one. Pipes and other files are not opened here (an open
 * and close would let a FIFO's writer go on writing to no reader). */
static int paths_openable(const char *const *paths, size_t npaths, cx_error *err)
{
    for (size_t i = 0; i < npaths; i++) {
        struct stat st;
        int fd = -1, ok = stat(paths[i], &st) == 0;
        if (ok && S_ISDIR(st.st_mode))
            return cx__error(err, CX_EINPUT, paths[i], 0, 0, "cannot read: %s", strerror(EISDIR));
        if (ok && !S_ISREG(st.st_mode)) continue;
        if (!ok || (fd = open(paths[i], O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
            size_t len = strlen(paths[i]);
            int db = len > 3 && strcmp(paths[i] + len - 3, ".db") == 0; /* `import R.db FILE` */
            return cx__error(err, CX_EINPUT, paths[i], 0, 0, "cannot open: %s%s", strerror(errno),
                             db ? " (a registry is named with --db, not as a file to import)" : "");
        }
        char magic[16];
        ssize_t got = read(fd, magic, sizeof magic);
        close(fd);
        if (got == (ssize_t)sizeof magic && memcmp(magic, "SQLite format 3", 16) == 0)
            return cx__error(err, CX_EINPUT, paths[i], 0, 0,
                             "a SQLite file (a registry?), not a file to import; a registry is "
                             "named with --db");
    }
    return CX_OK;
}

static int import_files(cx_registry *r, const char *const *paths, size_t npaths,
                        const cx_import_options *opts, cx_import_stats *stats, cx_error *err)
{
    cx_catalog_loader *ld;
    const char **sorted = malloc((npaths + 1) * sizeof *sorted);
    if (!sorted) return cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory");
    if (npaths) memcpy(sorted, paths, npaths * sizeof *sorted);
    /* input paths in byte order: what merges by id takes the same values
     * whatever order the paths are given in (docs/interop.md) */
    qsort(sorted, npaths, sizeof *sorted, cx__strcmp_ptr);
    int rc = paths_openable(sorted, npaths, err);
    if (!rc) rc = cx__catalog_loader_new(r, &ld, err);
    if (rc) {
        free(sorted);
        return rc;
    }
    cx__catalog_loader_set_options(ld, opts);
    ld->one_file = npaths == 1;
    ld->cat.paths = paths; /* recorded in import_log (registry_fsck.c) */
    ld->cat.npaths = npaths;
    for (size_t i = 0; i < npaths && rc == CX_OK; i++) {
        if (opts->progress) opts->progress(opts->progress_ud, "reading", i, npaths);
        rc = cx__catalog_loader_add_file(ld, sorted[i], err);
    }
    if (rc == CX_OK) rc = cx__catalog_loader_commit(ld, opts->progress, opts->progress_ud, err);
    if (rc == CX_OK && stats) fill_stats(ld, stats);
    cx__catalog_loader_free(ld);
    free(sorted);
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
