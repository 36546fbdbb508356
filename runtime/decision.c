/*
 * decision.c -- decisions as JSON (streamed through json_writer.c; the
 * jansson fill kept here is the oracle a test holds the writer to), as
 * text and as CSV; and JSON through jansson and one fill layer for registry
 * entities (`credex show`), transitions, the reports of check, test and
 * import, and log entries (docs/json.md); render_list.c shares its
 * string helpers (render.h). It reads decisions; it never evaluates or
 * changes one. Objects are built in a fixed key order; numbers are integers
 * or decimals formatted here, never float noise; no string from a rule pack
 * can make a member vanish (invalid UTF-8 becomes U+FFFD).
 */
#include <assert.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "credex.h"
#include "declog.h" /* cx__decision_head_from_json */
#include "gaps.h"
#include "json_writer.h"
#include "render.h"
#include "util.h"

/* ---------------------------------------------------------------- UTF-8 */

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD in UTF-8 */

size_t cx__utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t len;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0Fu;
        if (c == 0xE0) lo = 0xA0; /* overlong */
        if (c == 0xED) hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07u;
        if (c == 0xF0) lo = 0x90; /* overlong */
        if (c == 0xF4) hi = 0x8F; /* beyond U+10FFFF */
    } else {
        *cp = CX_BAD_CP;
        return 1;
    }
    for (size_t i = 1; i < len; i++) {
        if (i >= n || s[i] < lo || s[i] > hi) {
            *cp = CX_BAD_CP;
            return i;
        }
        v = (v << 6) | (s[i] & 0x3Fu);
        lo = 0x80, hi = 0xBF;
    }
    *cp = v;
    return len;
}

/* How many bytes of s[0..n) are valid UTF-8 before the first invalid
 * sequence (n when all of it is). */
static size_t utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, k;
    uint32_t cp = 0;
    while (i < n && u[i] < 0x80) i++; /* ASCII: most of what credex writes */
    while (i < n && (k = cx__utf8_next(u + i, n - i, &cp), cp != CX_BAD_CP)) i += k;
    return i;
}

/* A JSON string of s[0..n) with each invalid UTF-8 sequence replaced by
 * U+FFFD (json_string would return NULL and the member would vanish).
 * A new reference; NULL only when out of memory. */
json_t *cx__json_text(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = utf8_valid(s, n), k;
    uint32_t cp = 0;
    if (i == n) return json_stringn_nocheck(s, n);
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_add(&b, s, i);
    while (i < n) {
        k = cx__utf8_next(u + i, n - i, &cp);
        if (cp == CX_BAD_CP)
            cx__buf_add(&b, REPLACEMENT, 3);
        else
            cx__buf_add(&b, s + i, k);
        i += k;
    }
    json_t *v = b.oom ? NULL : json_stringn_nocheck(b.data, b.len);
    cx__buf_free(&b);
    return v;
}

/* ------------------------------------------------------- JSON: output */

/* A catalog number held in hundredths: an integer when whole, else a
 * decimal. Hundredths have at most 15 significant digits (catalog.c caps
 * them), so dumping with JSON_REAL_PRECISION(15) prints the same digits
 * back (12.3, never 12.300000000000001). */
#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

static json_t *number(int64_t hundredths)
{
    if (hundredths % 100 == 0) return json_integer(hundredths / 100);
    return json_real((double)hundredths / 100.0);
}

/* Dumps obj compactly, then "\n", through write; releases obj. 0, or -1
 * when failed is set or a write failed. */
static int dump(json_t *obj, int failed, cx_write_fn write, void *ud)
{
    int rc =
        failed || json_dump_callback(obj, write, ud, DUMP_FLAGS) || write("\n", 1, ud) ? -1 : 0;
    json_decref(obj);
    return rc;
}

/* The same into a malloc'd string (the caller frees it), NULL when out of
 * memory. */
static char *finish(json_t *obj, int failed)
{
    cx_buf b;
    cx__buf_init(&b);
    if (dump(obj, failed, cx__buf_write, &b)) {
        cx__buf_free(&b);
        return NULL;
    }
    return b.data;
}

/* ============================================================ decisions */

const char *cx_status_name(cx_status status)
{
    static const char *const names[] = {
        [CX_MET] = "met",
        [CX_IN_PROGRESS] = "in_progress",
        [CX_NOT_STARTED] = "not_started",
        [CX_EQUIVALENT] = "equivalent",
        [CX_PARTIAL] = "partial",
        [CX_NOT_EQUIVALENT] = "not_equivalent",
        [CX_ACCEPTED] = "accepted",
        [CX_CONDITIONAL] = "conditional",
        [CX_DENIED] = "denied",
        [CX_NOT_RECOGNIZED] = "not_recognized",
        [CX_ERROR] = "error",
    };
    assert((size_t)status < CX_COUNT(names));
    return (size_t)status < CX_COUNT(names) ? names[status] : "error";
}

static const char *kind_name(cx_decision_kind kind)
{
    switch (kind) {
    case CX_DECISION_AUDIT:
        return "audit";
    case CX_DECISION_EQUIV:
        return "equiv";
    case CX_DECISION_TRANSFER:
        return "transfer";
    }
    assert(!"unknown decision kind");
    return "audit";
}

/* Frees what node t owns, its children recursively; not t itself. */
static void trace_release(cx_trace *t)
{
    for (size_t i = 0; i < t->nchildren; i++) trace_release(&t->children[i]);
    free(t->children);
    free(t->rule);
    free(t->pack);
    free(t->file);
    free(t->cite);
    free(t->status);
    free(t->detail);
}

void cx_decision_free(cx_decision *d)
{
    if (!d) return;
    free(d->holder);
    free(d->stack);
    free(d->from);
    free(d->to);
    free(d->in);
    free(d->award);
    free(d->credential);
    free(d->from_jurisdiction);
    free(d->to_jurisdiction);
    for (size_t i = 0; i < d->nreasons; i++) {
        free(d->reasons[i].code);
        free(d->reasons[i].message);
    }
    free(d->reasons);
    for (size_t i = 0; i < d->nused; i++) {
        free(d->used[i].award);
        free(d->used[i].credential);
        free(d->used[i].slot);
        free(d->used[i].via);
    }
    free(d->used);
    for (size_t i = 0; i < d->nmissing; i++) free(d->missing[i]);
    free(d->missing);
    trace_release(&d->trace);
    for (size_t i = 0; i < d->nnear_misses; i++) {
        free(d->near_misses[i].rule);
        free(d->near_misses[i].clause);
        free(d->near_misses[i].detail);
    }
    free(d->near_misses);
    for (size_t i = 0; i < d->ngaps; i++) {
        cx_gap *g = &d->gaps[i];
        free(g->requirement);
        free(g->unit);
        for (size_t k = 0; k < g->noptions; k++) free(g->options[k]);
        free(g->options);
        for (size_t k = 0; k < g->nexpired; k++) {
            free(g->expired[k].credential);
            free(g->expired[k].award);
            free(g->expired[k].renewed_by);
        }
        free(g->expired);
    }
    free(d->gaps);
    if (d->explain) trace_release(d->explain);
    free(d->explain);
    free(d);
}

/* ------------------------------------------------------ decision JSON */

/*
 * Decisions are written by filling a JSON object in place, member by
 * member in order. A member whose key and type match the object's next
 * one keeps its place and gets the new value (a string is replaced only
 * when it differs); at the first member that does not match, the rest of
 * the object is dropped and members are appended from there on; members
 * not given are dropped at the end. Arrays are filled by position the same
 * way. Every object is now filled fresh, where this is plain building.
 * Decisions themselves are written by the streaming writer (json_writer.c,
 * below); their fill here is the oracle it is checked against.
 */
typedef struct fill {
    json_t *obj;
    void *next; /* the next existing member, or NULL: appending */
    int *bad;   /* set when out of memory */
} fill;

static fill fill_begin(json_t *obj, int *bad)
{
    fill f = {obj, obj ? json_object_iter(obj) : NULL, bad};
    if (!obj) *bad = 1;
    return f;
}

/* Drops the members from f->next on. */
static void fill_drop_rest(fill *f)
{
    while (f->next) {
        char key[64];
        snprintf(key, sizeof key, "%s", json_object_iter_key(f->next)); /* our keys are short */
        f->next = json_object_iter_next(f->obj, f->next);
        json_object_del(f->obj, key);
    }
}

/* The existing value for the next member when it matches key and type
 * (borrowed), else NULL, having dropped the rest. */
static json_t *fill_match(fill *f, const char *key, json_type type)
{
    if (!f->next) return NULL;
    json_t *v = json_object_iter_value(f->next);
    if (strcmp(json_object_iter_key(f->next), key) == 0 && json_typeof(v) == type) {
        f->next = json_object_iter_next(f->obj, f->next);
        return v;
    }
    fill_drop_rest(f);
    return NULL;
}

/* Sets a member to v (a new reference; NULL: out of memory), appending. */
static void fill_put(fill *f, const char *key, json_t *v)
{
    if (!v || json_object_set_new_nocheck(f->obj, key, v)) *f->bad = 1;
}

static int same_text(const json_t *v, const char *s, size_t n)
{
    return json_string_length(v) == n && memcmp(json_string_value(v), s, n) == 0;
}

/* A string member s[0..n): the existing string kept when it is the same. */
static void fill_strn(fill *f, const char *key, const char *s, size_t n)
{
    json_t *v = fill_match(f, key, JSON_STRING);
    if (v && same_text(v, s, n)) return;
    if (v && utf8_valid(s, n) == n) { /* the string itself takes the new text */
        if (json_string_setn_nocheck(v, s, n)) *f->bad = 1;
        return;
    }
    fill_put(f, key, cx__json_text(s, n)); /* replaces the member in place, or appends */
}

/* A string member, omitted when s is NULL. */
static void fill_str(fill *f, const char *key, const char *s)
{
    if (s) fill_strn(f, key, s, strlen(s));
}

/* A fixed "YYYY-MM-DD" member, omitted when "". */
static void fill_date(fill *f, const char *key, const char date[11])
{
    size_t n = strnlen(date, 10);
    if (n) fill_strn(f, key, date, n);
}

static void fill_int(fill *f, const char *key, json_int_t i)
{
    json_t *v = fill_match(f, key, JSON_INTEGER);
    if (v)
        json_integer_set(v, i);
    else
        fill_put(f, key, json_integer(i));
}

/* The member key as an object or array to fill in turn (borrowed). */
static json_t *fill_child(fill *f, const char *key, json_type type)
{
    json_t *v = fill_match(f, key, type);
    if (v) return v;
    v = type == JSON_OBJECT ? json_object() : json_array();
    fill_put(f, key, v);
    return *f->bad ? NULL : v;
}

static void fill_end(fill *f)
{
    fill_drop_rest(f);
}

/* Element i of arr as an object to fill (borrowed); arr has at least i
 * elements. */
static json_t *item_object(json_t *arr, size_t i, int *bad)
{
    json_t *v = json_array_get(arr, i);
    if (v && json_is_object(v)) return v;
    v = json_object();
    if (!v || (i < json_array_size(arr) ? json_array_set_new(arr, i, v)
                                        : json_array_append_new(arr, v))) {
        *bad = 1;
        return NULL;
    }
    return v;
}

static void item_string(json_t *arr, size_t i, const char *s, int *bad)
{
    json_t *v = json_array_get(arr, i);
    size_t n = strlen(s);
    if (v && json_is_string(v) && same_text(v, s, n)) return;
    if (v && json_is_string(v) && utf8_valid(s, n) == n) {
        if (json_string_setn_nocheck(v, s, n)) *bad = 1;
        return;
    }
    v = cx__json_text(s, n);
    if (!v ||
        (i < json_array_size(arr) ? json_array_set_new(arr, i, v) : json_array_append_new(arr, v)))
        *bad = 1;
}

/* Drops the elements of arr from n on. */
static void items_end(json_t *arr, size_t n)
{
    while (arr && json_array_size(arr) > n) json_array_remove(arr, json_array_size(arr) - 1);
}

static void fill_subject(json_t *o, const cx_decision *d, int *bad)
{
    fill f = fill_begin(o, bad);
    if (!o) return;
    switch (d->kind) {
    case CX_DECISION_AUDIT:
        fill_str(&f, "holder", d->holder);
        fill_str(&f, "stack", d->stack);
        break;
    case CX_DECISION_EQUIV:
        fill_str(&f, "from", d->from);
        fill_str(&f, "to", d->to);
        fill_str(&f, "in", d->in);
        break;
    case CX_DECISION_TRANSFER:
        fill_str(&f, "holder", d->holder);
        fill_str(&f, "award", d->award);
        fill_str(&f, "credential", d->credential);
        fill_str(&f, "from", d->from_jurisdiction);
        fill_str(&f, "to", d->to_jurisdiction);
        break;
    }
    fill_end(&f);
}

static void fill_reasons(json_t *arr, const cx_decision *d, int *bad)
{
    for (size_t i = 0; arr && !*bad && i < d->nreasons; i++) {
        fill f = fill_begin(item_object(arr, i, bad), bad);
        if (!f.obj) break;
        fill_str(&f, "code", d->reasons[i].code);
        fill_str(&f, "message", d->reasons[i].message);
        fill_end(&f);
    }
    items_end(arr, d->nreasons);
}

static void fill_used(json_t *arr, const cx_decision *d, int *bad)
{
    for (size_t i = 0; arr && !*bad && i < d->nused; i++) {
        const cx_used *u = &d->used[i];
        fill f = fill_begin(item_object(arr, i, bad), bad);
        if (!f.obj) break;
        fill_str(&f, "award", u->award);
        fill_str(&f, "credential", u->credential);
        fill_str(&f, "slot", u->slot);
        fill_str(&f, "via", u->via);
        fill_str(&f, "verification", u->verification);
        fill_end(&f);
    }
    items_end(arr, d->nused);
}

static void fill_strings(json_t *arr, char *const *items, size_t n, int *bad)
{
    for (size_t i = 0; arr && !*bad && i < n; i++) item_string(arr, i, items[i], bad);
    items_end(arr, n);
}

/* {rule, pack, file, line, cite, status, detail, children[]}, recursively. */
static void fill_trace(json_t *o, const cx_trace *t, int *bad)
{
    fill f = fill_begin(o, bad);
    if (!o) return;
    fill_str(&f, "rule", t->rule);
    fill_str(&f, "pack", t->pack);
    fill_str(&f, "file", t->file);
    if (t->line != 0) fill_int(&f, "line", t->line);
    fill_str(&f, "cite", t->cite);
    fill_str(&f, "status", t->status);
    fill_str(&f, "detail", t->detail);
    json_t *kids = fill_child(&f, "children", JSON_ARRAY);
    for (size_t i = 0; kids && !*bad && i < t->nchildren; i++)
        fill_trace(item_object(kids, i, bad), &t->children[i], bad);
    items_end(kids, t->nchildren);
    fill_end(&f);
}

static void fill_near_misses(json_t *arr, const cx_decision *d, int *bad)
{
    for (size_t i = 0; arr && !*bad && i < d->nnear_misses; i++) {
        const cx_near_miss *m = &d->near_misses[i];
        fill f = fill_begin(item_object(arr, i, bad), bad);
        if (!f.obj) break;
        fill_str(&f, "rule", m->rule);
        fill_str(&f, "clause", m->clause);
        fill_str(&f, "detail", m->detail);
        fill_end(&f);
    }
    items_end(arr, d->nnear_misses);
}

static void fill_number(fill *f, const char *key, int64_t hundredths);

/* An unmet audit's gaps: {requirement, need, have, unit, options,
 * expired: [{credential, award, expired, renewed_by}]}. */
static void fill_gaps(json_t *arr, const cx_decision *d, int *bad)
{
    for (size_t i = 0; arr && !*bad && i < d->ngaps; i++) {
        const cx_gap *g = &d->gaps[i];
        fill f = fill_begin(item_object(arr, i, bad), bad);
        if (!f.obj) break;
        fill_str(&f, "requirement", g->requirement);
        fill_number(&f, "need", g->need);
        fill_number(&f, "have", g->have);
        fill_str(&f, "unit", g->unit);
        fill_strings(fill_child(&f, "options", JSON_ARRAY), g->options, g->noptions, bad);
        json_t *ex = fill_child(&f, "expired", JSON_ARRAY);
        for (size_t k = 0; ex && !*bad && k < g->nexpired; k++) {
            const cx_gap_expired *x = &g->expired[k];
            fill e = fill_begin(item_object(ex, k, bad), bad);
            if (!e.obj) break;
            fill_str(&e, "credential", x->credential);
            fill_str(&e, "award", x->award);
            fill_date(&e, "expired", x->expired);
            fill_str(&e, "renewed_by", x->renewed_by);
            fill_end(&e);
        }
        items_end(ex, g->nexpired);
        fill_end(&f);
    }
    items_end(arr, d->ngaps);
}

/* The members only some decisions have: a met audit's award, an unmet
 * one's gaps, an equivalence's coverage, a transfer's near misses. */
static void fill_by_kind(fill *f, const cx_decision *d)
{
    if (d->kind == CX_DECISION_AUDIT && d->status != CX_MET && d->status != CX_ERROR && d->ngaps) {
        fill_gaps(fill_child(f, "gaps", JSON_ARRAY), d, f->bad);
        return;
    }
    if (d->kind == CX_DECISION_AUDIT && d->status == CX_MET) {
        fill award = fill_begin(fill_child(f, "award", JSON_OBJECT), f->bad);
        if (!award.obj) return;
        fill_date(&award, "issued", d->issued);
        fill_date(&award, "expires", d->expires);
        fill_end(&award);
    } else if (d->kind == CX_DECISION_EQUIV && d->has_coverage) {
        fill cov = fill_begin(fill_child(f, "coverage", JSON_OBJECT), f->bad);
        if (!cov.obj) return;
        fill_int(&cov, "covered", (json_int_t)d->covered);
        fill_int(&cov, "total", (json_int_t)d->total);
        fill_end(&cov);
    } else if (d->kind == CX_DECISION_TRANSFER) {
        fill_near_misses(fill_child(f, "near_misses", JSON_ARRAY), d, f->bad);
    }
}

/* Fills o with decision d. 0, or -1 when out of memory (o is then
 * unusable). */
static int fill_decision(json_t *o, const cx_decision *d)
{
    int bad = 0;
    fill f = fill_begin(o, &bad);
    if (!o) return -1;
    fill_str(&f, "kind", kind_name(d->kind));
    fill_str(&f, "status", cx_status_name(d->status));
    fill_subject(fill_child(&f, "subject", JSON_OBJECT), d, &bad);
    fill_strn(&f, "as_of", d->as_of, strnlen(d->as_of, sizeof d->as_of - 1));
    fill_reasons(fill_child(&f, "reasons", JSON_ARRAY), d, &bad);
    fill_used(fill_child(&f, "used", JSON_ARRAY), d, &bad);
    fill_strings(fill_child(&f, "missing", JSON_ARRAY), d->missing, d->nmissing, &bad);
    fill_trace(fill_child(&f, "trace", JSON_OBJECT), &d->trace, &bad);
    fill_by_kind(&f, d);
    fill_end(&f);
    return bad ? -1 : 0;
}

/* The jansson path decisions were written by before json_writer.c, kept
 * as the oracle tests/unit/test_json_writer.c checks the writer against:
 * the same members filled into a fresh object, then dumped. */
char *cx__decision_json_jansson(const cx_decision *d)
{
    json_t *o = json_object();
    return finish(o, fill_decision(o, d) != 0);
}

/* ------------------------------------------------------ more members */

/* A catalog number member (hundredths), omitted when CX_NO_NUMBER. */
static void fill_number(fill *f, const char *key, int64_t hundredths)
{
    if (hundredths == CX_NO_NUMBER) return;
    int whole = hundredths % 100 == 0;
    json_t *v = fill_match(f, key, whole ? JSON_INTEGER : JSON_REAL);
    if (!v)
        fill_put(f, key, number(hundredths));
    else if (whole ? json_integer_set(v, hundredths / 100)
                   : json_real_set(v, (double)hundredths / 100.0))
        *f->bad = 1;
}

static void fill_null(fill *f, const char *key)
{
    if (!fill_match(f, key, JSON_NULL)) fill_put(f, key, json_null());
}

/* { key: value, ... } in the (sorted) input order. */
static void fill_pairs(fill *f, const char *key, const cx_pair *pairs, size_t n)
{
    fill map = fill_begin(fill_child(f, key, JSON_OBJECT), f->bad);
    for (size_t i = 0; map.obj && i < n; i++) fill_str(&map, pairs[i].key, pairs[i].value);
    if (map.obj) fill_end(&map);
}

/* codes: { scheme: [code, ...] } with schemes in the (sorted) input order. */
static void fill_codes(fill *f, const cx_pair *codes, size_t n)
{
    fill map = fill_begin(fill_child(f, "codes", JSON_OBJECT), f->bad);
    for (size_t i = 0; map.obj && i < n;) {
        size_t k = i;
        json_t *list = fill_child(&map, codes[i].key, JSON_ARRAY);
        for (; k < n && strcmp(codes[k].key, codes[i].key) == 0; k++)
            if (list) item_string(list, k - i, codes[k].value, f->bad);
        items_end(list, k - i);
        i = k;
    }
    if (map.obj) fill_end(&map);
}

/* A JSON object filled by fn(f, x), as a malloc'd line (NULL: out of
 * memory). Every object credex writes goes through the fill layer. */
static char *render_object(void (*fn)(fill *, const void *), const void *x)
{
    int bad = 0;
    json_t *o = json_object();
    fill f = fill_begin(o, &bad);
    if (o) {
        fn(&f, x);
        fill_end(&f);
    }
    return finish(o, bad || !o);
}

/* --------------------------------------------------- registry entities */

static void fill_credential(fill *f, const void *x)
{
    const cx_credential *c = x;
    fill_str(f, "kind", "credential");
    fill_str(f, "id", c->id);
    fill_str(f, "name", c->name);
    fill_str(f, "type", c->type);
    fill_str(f, "provider", c->provider);
    fill_str(f, "jurisdiction", c->jurisdiction);
    fill_number(f, "hours", c->hours);
    fill_str(f, "valid_for", c->valid_for);
    fill_str(f, "version", c->version);
    fill_str(f, "effective_from", c->effective_from);
    fill_str(f, "effective_until", c->effective_until);
    fill_strings(fill_child(f, "competencies", JSON_ARRAY), c->competencies, c->ncompetencies,
                 f->bad);
    fill_strings(fill_child(f, "tags", JSON_ARRAY), c->tags, c->ntags, f->bad);
    fill_codes(f, c->codes, c->ncodes);
    fill_pairs(f, "attributes", c->attributes, c->nattributes);
    fill_strings(fill_child(f, "grade_scale", JSON_ARRAY), c->grade_scale, c->ngrade_scale, f->bad);
}

char *cx_credential_json(const cx_credential *c)
{
    return render_object(fill_credential, c);
}

/* provenance: {format, source_id, issuer, proof, verification, note,
 * status_checked}, absent members omitted (docs/json.md). */
static void fill_provenance(fill *f, const cx_provenance *p)
{
    fill o = fill_begin(fill_child(f, "provenance", JSON_OBJECT), f->bad);
    if (!o.obj) return;
    fill_str(&o, "format", p->format);
    fill_str(&o, "source_id", p->source_id);
    fill_str(&o, "issuer", p->issuer);
    fill_str(&o, "proof", p->proof);
    fill_str(&o, "verification", p->verification);
    fill_str(&o, "note", p->note);
    fill_str(&o, "status_checked", p->status_checked);
    fill_end(&o);
}

static void fill_award(fill *f, const cx_award *a)
{
    fill_str(f, "id", a->id);
    fill_str(f, "credential", a->credential);
    fill_str(f, "issued", a->issued);
    fill_str(f, "expires", a->expires);
    fill_str(f, "jurisdiction", a->jurisdiction);
    fill_number(f, "hours", a->hours);
    fill_str(f, "status", a->status);
    fill_str(f, "grade", a->grade);
    fill_str(f, "evidence", a->evidence);
    if (a->nresults) {
        fill res = fill_begin(fill_child(f, "results", JSON_OBJECT), f->bad);
        for (size_t i = 0; res.obj && i < a->nresults; i++) /* catalog numbers: re-read exactly */
            fill_number(&res, a->results[i].key, cx__parse_number(a->results[i].value));
        if (res.obj) fill_end(&res);
    }
    if (a->provenance) fill_provenance(f, a->provenance);
}

static void fill_holder(fill *f, const void *x)
{
    const cx_holder *h = x;
    fill_str(f, "kind", "holder");
    fill_str(f, "id", h->id);
    fill_str(f, "jurisdiction", h->jurisdiction);
    fill_pairs(f, "attributes", h->attributes, h->nattributes);
    json_t *awards = fill_child(f, "awards", JSON_ARRAY);
    for (size_t i = 0; awards && !*f->bad && i < h->nawards; i++) {
        fill a = fill_begin(item_object(awards, i, f->bad), f->bad);
        if (!a.obj) break;
        fill_award(&a, &h->awards[i]);
        fill_end(&a);
    }
    items_end(awards, h->nawards);
}

char *cx_holder_json(const cx_holder *h)
{
    return render_object(fill_holder, h);
}

static void fill_group(fill *f, const void *x)
{
    const cx_group *g = x;
    fill_str(f, "kind", "group");
    fill_str(f, "id", g->id);
    fill_str(f, "name", g->name);
    json_t *members = fill_child(f, "members", JSON_ARRAY);
    for (size_t i = 0; members && !*f->bad && i < g->nmembers; i++) {
        const cx_membership *m = &g->members[i];
        fill mo = fill_begin(item_object(members, i, f->bad), f->bad);
        if (!mo.obj) break;
        fill_str(&mo, "jurisdiction", m->jurisdiction);
        fill_str(&mo, "from", m->from);
        fill_str(&mo, "until", m->until);
        fill_str(&mo, "status", m->status);
        fill_end(&mo);
    }
    items_end(members, g->nmembers);
}

char *cx_group_json(const cx_group *g)
{
    return render_object(fill_group, g);
}

/* ------------------------------------------------------ audit summary */

typedef struct summary_args {
    const cx_audit_count *count;
    const char *as_of;
} summary_args;

static void fill_audit_summary(fill *f, const void *x)
{
    const summary_args *s = x;
    const cx_audit_count *c = s->count;
    fill_str(f, "kind", "audit_summary");
    fill_str(f, "stack", c->stack);
    fill_str(f, "as_of", s->as_of);
    fill_int(f, "holders", (json_int_t)(c->met + c->in_progress + c->not_started + c->error));
    fill_int(f, "met", (json_int_t)c->met);
    fill_int(f, "in_progress", (json_int_t)c->in_progress);
    fill_int(f, "not_started", (json_int_t)c->not_started);
    fill_int(f, "error", (json_int_t)c->error);
}

char *cx_audit_summary_json(const cx_audit_count *count, const char *as_of)
{
    summary_args s = {count, as_of};
    return render_object(fill_audit_summary, &s);
}

/* ------------------------------------------------- what-if transitions */

/* {covered, total}, or null when no coverage rule applied on that side. */
static void fill_coverage(fill *f, const char *key, int has, int64_t covered, int64_t total)
{
    if (!has) {
        fill_null(f, key);
        return;
    }
    fill c = fill_begin(fill_child(f, key, JSON_OBJECT), f->bad);
    if (!c.obj) return;
    fill_int(&c, "covered", (json_int_t)covered);
    fill_int(&c, "total", (json_int_t)total);
    fill_end(&c);
}

/* The subject of a transition group, as a decision's subject is written. */
static void fill_transition_subject(fill *f, const cx_transition *t)
{
    fill s = fill_begin(fill_child(f, "subject", JSON_OBJECT), f->bad);
    if (!s.obj) return;
    fill_str(&s, "stack", t->stack);
    fill_str(&s, "from", t->from_credential);
    fill_str(&s, "to", t->to_credential);
    fill_str(&s, "in", t->in);
    fill_str(&s, "credential", t->credential);
    fill_str(&s, "from", t->from_jurisdiction);
    fill_str(&s, "to", t->to_jurisdiction);
    fill_end(&s);
}

static void fill_transition(fill *f, const void *x)
{
    const cx_transition *t = x;
    fill_str(f, "kind", kind_name(t->kind));
    fill_transition_subject(f, t);
    fill_str(f, "from", t->from);
    fill_str(f, "to", t->to);
    fill_int(f, "count", (json_int_t)t->count);
    fill_strings(fill_child(f, "examples", JSON_ARRAY), t->examples, t->nexamples, f->bad);
    if (t->kind != CX_DECISION_EQUIV || !(t->has_coverage_before || t->has_coverage_after)) return;
    fill c = fill_begin(fill_child(f, "coverage", JSON_OBJECT), f->bad);
    if (!c.obj) return;
    fill_coverage(&c, "before", t->has_coverage_before, t->covered_before, t->total_before);
    fill_coverage(&c, "after", t->has_coverage_after, t->covered_after, t->total_after);
    fill_end(&c);
}

char *cx_transition_json(const cx_transition *t)
{
    return render_object(fill_transition, t);
}

/* ------------------------------------------ check, test, import reports */

static void fill_diagnostic(fill *f, const void *x)
{
    const cx_diagnostic *d = x;
    fill_str(f, "kind", "diagnostic");
    fill_str(f, "severity", d->warning ? "warning" : "error");
    fill_str(f, "file", d->file);
    if (d->line > 0) fill_int(f, "line", d->line);
    fill_str(f, "message", d->message);
}

char *cx_diagnostic_json(const cx_diagnostic *d)
{
    return render_object(fill_diagnostic, d);
}

typedef struct check_args {
    const cx_diagnostics *diags;
    size_t packs, rules;
} check_args;

static void fill_check_summary(fill *f, const void *x)
{
    const check_args *c = x;
    fill_str(f, "kind", "check_summary");
    fill_int(f, "packs", (json_int_t)c->packs);
    fill_int(f, "rules", (json_int_t)c->rules);
    fill_int(f, "errors", (json_int_t)c->diags->errors);
    fill_int(f, "warnings", (json_int_t)c->diags->warnings);
}

char *cx_check_summary_json(const cx_diagnostics *d, size_t packs, size_t rules)
{
    check_args c = {d, packs, rules};
    return render_object(fill_check_summary, &c);
}

/* "passed", "failed", or "error" for an input that could not be read. */
static const char *test_status(const cx_test_result *r)
{
    return r->passed ? "passed" : r->input_error ? "error" : "failed";
}

static void fill_test_result(fill *f, const void *x)
{
    const cx_test_result *r = x;
    fill_str(f, "kind", "test_case");
    fill_str(f, "file", r->file);
    if (r->line > 0) fill_int(f, "line", r->line);
    fill_str(f, "name", r->name);
    fill_str(f, "status", test_status(r));
    if (!r->passed) fill_str(f, "difference", r->difference);
}

char *cx_test_result_json(const cx_test_result *r)
{
    return render_object(fill_test_result, r);
}

static void fill_test_coverage(fill *f, const void *x)
{
    const cx_test_coverage *c = x;
    fill_str(f, "kind", "test_coverage");
    fill_int(f, "rules", (json_int_t)c->rules);
    fill_int(f, "rules_exercised", (json_int_t)c->rules_exercised);
    fill_int(f, "leaves", (json_int_t)c->leaves);
    fill_int(f, "leaves_exercised", (json_int_t)c->leaves_exercised);
    json_t *gaps = fill_child(f, "not_exercised", JSON_ARRAY);
    for (size_t i = 0; gaps && !*f->bad && i < c->ngaps; i++) {
        const cx_test_gap *g = &c->gaps[i];
        fill go = fill_begin(item_object(gaps, i, f->bad), f->bad);
        if (!go.obj) break;
        fill_str(&go, "file", g->file);
        fill_int(&go, "line", g->line);
        fill_str(&go, "rule", g->rule);
        fill_str(&go, "rule_kind", g->rule_kind);
        fill_str(&go, "requirement", g->requirement);
        fill_end(&go);
    }
    items_end(gaps, c->ngaps);
}

char *cx_test_coverage_json(const cx_test_coverage *cov)
{
    return render_object(fill_test_coverage, cov);
}

static void fill_test_summary(fill *f, const void *x)
{
    const cx_test_summary *s = x;
    fill_str(f, "kind", "test_summary");
    fill_int(f, "passed", (json_int_t)s->passed);
    fill_int(f, "failed", (json_int_t)s->failed);
    fill_int(f, "input_errors", (json_int_t)s->input_errors);
}

char *cx_test_summary_json(const cx_test_summary *s)
{
    return render_object(fill_test_summary, s);
}

typedef struct import_args {
    const char *registry;
    char *const *files;
    size_t nfiles;
    const cx_import_stats *stats;
    int64_t version;
} import_args;

static void fill_import_summary(fill *f, const void *x)
{
    static const char *const plural[CX_KIND_AWARD + 1] = {[CX_KIND_JURISDICTION] = "jurisdictions",
                                                          [CX_KIND_GROUP] = "groups",
                                                          [CX_KIND_PROVIDER] = "providers",
                                                          [CX_KIND_FRAMEWORK] = "frameworks",
                                                          [CX_KIND_COMPETENCY] = "competencies",
                                                          [CX_KIND_CREDENTIAL] = "credentials",
                                                          [CX_KIND_HOLDER] = "holders",
                                                          [CX_KIND_AWARD] = "awards"};
    const import_args *a = x;
    fill_str(f, "kind", "import_summary");
    fill_str(f, "registry", a->registry);
    fill_strings(fill_child(f, "files", JSON_ARRAY), a->files, a->nfiles, f->bad);
    fill defined = fill_begin(fill_child(f, "defined", JSON_OBJECT), f->bad);
    for (int k = 0; defined.obj && k <= CX_KIND_AWARD; k++)
        fill_int(&defined, plural[k], (json_int_t)a->stats->count[k]);
    if (defined.obj) fill_end(&defined);
    fill_int(f, "exceptions", (json_int_t)a->stats->exceptions);
    if (a->stats->files[CX_FORMAT_JSON] || a->stats->files[CX_FORMAT_JWS] ||
        a->stats->files[CX_FORMAT_CSV]) {
        static const cx_format by_name[] = {CX_FORMAT_CSV, CX_FORMAT_JSON, CX_FORMAT_JWS,
                                            CX_FORMAT_YAML};
        fill formats = fill_begin(fill_child(f, "formats", JSON_OBJECT), f->bad);
        for (size_t i = 0; formats.obj && i < CX_COUNT(by_name); i++)
            if (a->stats->files[by_name[i]])
                fill_int(&formats, cx_format_name(by_name[i]),
                         (json_int_t)a->stats->files[by_name[i]]);
        if (formats.obj) fill_end(&formats);
    }
    if (a->stats->skipped) fill_int(f, "skipped", (json_int_t)a->stats->skipped);
    if (a->stats->removed) fill_int(f, "removed", (json_int_t)a->stats->removed);
    if (a->stats->cascaded) fill_int(f, "cascaded", (json_int_t)a->stats->cascaded);
    if (a->stats->differing) fill_int(f, "differing", (json_int_t)a->stats->differing);
    fill_int(f, "content_version", (json_int_t)a->version);
}

static void fill_import_issue(fill *f, const void *x)
{
    const cx_import_issue *i = x;
    fill_str(f, "file", i->file);
    if (i->pointer)
        fill_str(f, "pointer", i->pointer);
    else
        fill_null(f, "pointer");
    if (i->line > 0) fill_int(f, "line", (json_int_t)i->line);
    if (i->key)
        fill_str(f, "key", i->key);
    else
        fill_null(f, "key");
    fill_str(f, "why", i->why);
}

char *cx_import_issue_json(const cx_import_issue *issue)
{
    return render_object(fill_import_issue, issue);
}

char *cx_import_summary_json(const char *registry, const char *const *files, size_t nfiles,
                             const cx_import_stats *stats, int64_t content_version)
{
    import_args a = {registry, (char *const *)files, nfiles, stats, content_version};
    return render_object(fill_import_summary, &a);
}

/* ------------------------------------------------------ decision text */

/* Appends s for a reader at a terminal: invalid UTF-8 as U+FFFD; control
 * characters, line separators and bidirectional controls escaped (\n, \t,
 * \x1b, \u202e), so that no string from a rule pack can break a
 * decision's block of lines, or reorder or recolour what is shown. */
void cx__text_put(cx_buf *b, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = cx__utf8_next(u + i, n - i, &cp);
        char e[8];
        if (cp == CX_BAD_CP)
            cx__buf_add(b, REPLACEMENT, 3);
        else if (cx__escape_char(u + i, k, e)) /* util.c: the one escaping rule */
            cx__buf_puts(b, e);
        else
            cx__buf_add(b, s + i, k);
        i += k;
    }
}

/* Appends the literal before, then s escaped, when s is not NULL. */
static void text_opt(cx_buf *b, const char *before, const char *s)
{
    if (!s) return;
    cx__buf_puts(b, before);
    cx__text_put(b, s);
}

/* " ID (CREDENTIAL)" for an award, " CREDENTIAL" + hypothetical without. */
static void text_award(cx_buf *b, const char *award, const char *credential,
                       const char *hypothetical)
{
    if (!award) {
        text_opt(b, " ", credential);
        cx__buf_puts(b, hypothetical);
        return;
    }
    text_opt(b, " ", award);
    text_opt(b, " (", credential);
    if (credential) cx__buf_puts(b, ")");
}

/* "audit STACK for HOLDER", "equiv A -> B in J", "transfer AWARD (CRED)
 * [of HOLDER] J1 -> J2" or "transfer CRED J1 -> J2", then ": status". */
static void text_header(cx_buf *b, const cx_decision *d)
{
    cx__buf_puts(b, kind_name(d->kind));
    if (d->kind == CX_DECISION_AUDIT) {
        text_opt(b, " ", d->stack);
        text_opt(b, " for ", d->holder);
    } else if (d->kind == CX_DECISION_EQUIV) {
        text_opt(b, " ", d->from);
        text_opt(b, " -> ", d->to);
        text_opt(b, " in ", d->in);
    } else {
        const char *holder = d->holder;
        size_t hl = holder ? strlen(holder) : 0;
        if (d->award && holder && strncmp(d->award, holder, hl) == 0 && d->award[hl] == '/')
            holder = NULL; /* the award id names its holder already */
        text_award(b, d->award, d->credential, "");
        text_opt(b, " of ", holder);
        if (d->from_jurisdiction && d->to_jurisdiction) {
            text_opt(b, " ", d->from_jurisdiction);
            text_opt(b, " -> ", d->to_jurisdiction);
        } else {
            text_opt(b, " from ", d->from_jurisdiction);
            text_opt(b, " into ", d->to_jurisdiction);
        }
    }
    cx__buf_puts(b, ": ");
    cx__buf_puts(b, cx_status_name(d->status));
    cx__buf_puts(b, "\n");
}

/* "  because: MESSAGE" (the code when there is no message); "  error:"
 * in an error decision. */
static void text_reasons(cx_buf *b, const cx_decision *d)
{
    const char *label = d->status == CX_ERROR ? "  error: " : "  because: ";
    for (size_t i = 0; i < d->nreasons; i++) {
        const cx_reason *r = &d->reasons[i];
        const char *what = r->message ? r->message : r->code;
        if (!what) continue;
        text_opt(b, label, what);
        cx__buf_puts(b, "\n");
    }
}

/* A met audit's derived award; an equivalence's coverage. */
static void text_outcome(cx_buf *b, const cx_decision *d)
{
    if (d->kind == CX_DECISION_AUDIT && d->status == CX_MET && d->issued[0]) {
        cx__buf_printf(b, "  award: issued %.10s, ", d->issued);
        if (d->expires[0])
            cx__buf_printf(b, "expires %.10s\n", d->expires);
        else
            cx__buf_puts(b, "never expires\n");
    }
    if (d->kind == CX_DECISION_EQUIV && d->has_coverage)
        cx__buf_printf(b, "  coverage: %lld of %lld %s\n", (long long)d->covered,
                       (long long)d->total, d->total == 1 ? "competency" : "competencies");
}

/* "  used: AWARD (CRED) for SLOT via VIA", one line per award used; an
 * award used as itself ("direct") says no "via". */
static void text_used(cx_buf *b, const cx_decision *d)
{
    for (size_t i = 0; i < d->nused; i++) {
        const cx_used *u = &d->used[i];
        cx__buf_puts(b, "  used:");
        text_award(b, u->award, u->credential, " (hypothetical)");
        text_opt(b, " for ", u->slot);
        if (u->via && strcmp(u->via, "direct") != 0) text_opt(b, " via ", u->via);
        text_opt(b, ", ", u->verification);
        cx__buf_puts(b, "\n");
    }
}

/* "  missing: WHAT" and "  near miss: RULE (CLAUSE): DETAIL", a line each;
 * under a missing entry, its gap in words, four spaces in. */
static void text_missing(cx_buf *b, const cx_decision *d)
{
    int gaps = d->kind == CX_DECISION_AUDIT && d->status != CX_MET && d->status != CX_ERROR;
    for (size_t i = 0; i < d->nmissing; i++) {
        text_opt(b, "  missing: ", d->missing[i]);
        cx__buf_puts(b, "\n");
        for (size_t k = 0; gaps && k < d->ngaps; k++) {
            if (strcmp(d->gaps[k].requirement, d->missing[i]) != 0) continue;
            cx__buf_puts(b, "    ");
            cx__gap_words(b, &d->gaps[k], "\n    ");
            cx__buf_puts(b, "\n");
            break;
        }
    }
    for (size_t i = 0; i < d->nnear_misses; i++) {
        const cx_near_miss *m = &d->near_misses[i];
        cx__buf_puts(b, "  near miss:");
        text_opt(b, " ", m->rule);
        text_opt(b, " (", m->clause);
        if (m->clause) cx__buf_puts(b, ")");
        text_opt(b, ": ", m->detail);
        cx__buf_puts(b, "\n");
    }
}

/* " (file:line)", " (file)" or nothing. */
static void text_location(cx_buf *b, const cx_trace *t)
{
    if (!t->file) return;
    text_opt(b, " (", t->file);
    if (t->line > 0) cx__buf_printf(b, ":%d", t->line);
    cx__buf_puts(b, ")");
}

#define EM_DASH " \xE2\x80\x94 "

/* A node that did not decide: a rule passed over or a near miss. */
static int passed_over(const cx_trace *t)
{
    return t->status && (strcmp(t->status, "skipped") == 0 || strcmp(t->status, "near miss") == 0);
}

/* "  rule: ID (file:line) — CITE" for the deciding rule: the first child
 * of the trace's root that has a citation and was not passed over, else
 * the root when it has one. A decision that no rule made (not_recognized,
 * not_equivalent) has none: its reasons and near misses say why. */
static void text_rule(cx_buf *b, const cx_decision *d)
{
    if (d->status == CX_NOT_RECOGNIZED || d->status == CX_NOT_EQUIVALENT) return;
    const cx_trace *rule = d->trace.cite ? &d->trace : NULL;
    for (size_t i = 0; i < d->trace.nchildren; i++) {
        const cx_trace *t = &d->trace.children[i];
        if (t->cite && !passed_over(t)) {
            rule = t;
            break;
        }
    }
    if (!rule) return;
    cx__buf_puts(b, "  rule:");
    text_opt(b, " ", rule->rule);
    text_location(b, rule);
    text_opt(b, EM_DASH, rule->cite);
    cx__buf_puts(b, "\n");
}

/* One line per trace node, "RULE [STATUS] DETAIL (file:line) — CITE",
 * four spaces in and two more per level. */
static void text_trace(cx_buf *b, const cx_trace *t, int depth)
{
    cx__buf_printf(b, "%*s", 4 + 2 * depth, "");
    cx__text_put(b, t->rule ? t->rule : "?");
    text_opt(b, " [", t->status);
    if (t->status) cx__buf_puts(b, "]");
    text_opt(b, " ", t->detail);
    text_location(b, t);
    text_opt(b, EM_DASH, t->cite);
    cx__buf_puts(b, "\n");
    for (size_t i = 0; i < t->nchildren; i++) text_trace(b, &t->children[i], depth + 1);
}

/* Appends the text of d to b. */
static void text_into(cx_buf *b, const cx_decision *d, int explain)
{
    text_header(b, d);
    text_reasons(b, d);
    text_outcome(b, d);
    text_used(b, d);
    text_missing(b, d);
    text_rule(b, d);
    if (explain) {
        cx__buf_printf(b, "  as of: %.10s\n  trace:\n", d->as_of);
        text_trace(b, &d->trace, 0);
    }
    if (explain && d->explain) {
        cx__buf_puts(b, "  requirements:\n");
        text_trace(b, d->explain, 0);
    }
}

/* Writes what into(b, d, explain) appends: straight into the caller's
 * buffer when write is cx__buf_write, else through a buffer of its own. */
static int write_via(void (*into)(cx_buf *, const cx_decision *, int), const cx_decision *d,
                     int explain, cx_write_fn write, void *ud)
{
    if (write == cx__buf_write) {
        into(ud, d, explain);
        return ((cx_buf *)ud)->oom ? -1 : 0;
    }
    cx_buf b;
    cx__buf_init(&b);
    into(&b, d, explain);
    int rc = b.oom || write(b.data ? b.data : "", b.len, ud) ? -1 : 0;
    cx__buf_free(&b);
    return rc;
}

/* What write_via writes, as a malloc'd string (NULL when out of memory). */
static char *string_via(void (*into)(cx_buf *, const cx_decision *, int), const cx_decision *d,
                        int explain)
{
    cx_buf b;
    cx__buf_init(&b);
    into(&b, d, explain);
    if (b.oom) cx__buf_free(&b);
    return b.data; /* the caller frees it */
}

char *cx_decision_text(const cx_decision *d, int explain)
{
    return string_via(text_into, d, explain);
}

int cx_decision_write_text(const cx_decision *d, int explain, cx_write_fn write, void *ud)
{
    return write_via(text_into, d, explain, write, ud);
}

/* ------------------------------------------------------------------- CSV */

const char *cx_decision_csv_header(void)
{
    return "holder,stack,status,issued,expires,missing\r\n";
}

/* Appends d's CSV row to b (explain is not used). */
static void csv_into(cx_buf *b, const cx_decision *d, int explain)
{
    int met = d->status == CX_MET;
    cx_buf missing;
    (void)explain;
    cx__buf_init(&missing);
    for (size_t i = 0; i < d->nmissing; i++) {
        if (i) cx__buf_puts(&missing, ";");
        cx__buf_puts(&missing, d->missing[i]);
    }
    if (missing.oom) b->oom = 1;
    cx__csv_audit_row(b, d->holder, d->stack, cx_status_name(d->status), met ? d->issued : NULL,
                      met ? (d->expires[0] ? d->expires : "never") : NULL,
                      d->nmissing ? missing.data : NULL);
    cx__buf_free(&missing);
}

char *cx_decision_csv(const cx_decision *d)
{
    return string_via(csv_into, d, 0);
}

int cx_decision_write_csv(const cx_decision *d, cx_write_fn write, void *ud)
{
    return write_via(csv_into, d, 0, write, ud);
}

/* -------------------------------------------------- decision JSON, streamed */

/*
 * The decision's JSON line written member by member through json_writer.c,
 * in the order and under the conditions of fill_decision above (the
 * oracle): a NULL string member is omitted, arrays are always present.
 * tests/unit/test_json_writer.c holds the two to the same bytes.
 */

/* A string member, omitted when s is NULL. */
static void put_str(cx_jw *w, const char *key, const char *s)
{
    if (!s) return;
    cx__jw_key(w, key);
    cx__jw_string(w, s);
}

/* A fixed "YYYY-MM-DD" member, omitted when "". */
static void put_date(cx_jw *w, const char *key, const char date[11])
{
    size_t n = strnlen(date, 10);
    if (!n) return;
    cx__jw_key(w, key);
    cx__jw_stringn(w, date, n);
}

/* A catalog number member (hundredths), omitted when CX_NO_NUMBER. */
static void put_number(cx_jw *w, const char *key, int64_t hundredths)
{
    if (hundredths == CX_NO_NUMBER) return;
    cx__jw_key(w, key);
    cx__jw_hundredths(w, hundredths);
}

/* key: [strings]. */
static void put_strings(cx_jw *w, const char *key, char *const *items, size_t n)
{
    cx__jw_key(w, key);
    cx__jw_array(w);
    for (size_t i = 0; i < n; i++) cx__jw_string(w, items[i]);
    cx__jw_array_end(w);
}

static void put_subject(cx_jw *w, const cx_decision *d)
{
    cx__jw_key(w, "subject");
    cx__jw_object(w);
    switch (d->kind) {
    case CX_DECISION_AUDIT:
        put_str(w, "holder", d->holder);
        put_str(w, "stack", d->stack);
        break;
    case CX_DECISION_EQUIV:
        put_str(w, "from", d->from);
        put_str(w, "to", d->to);
        put_str(w, "in", d->in);
        break;
    case CX_DECISION_TRANSFER:
        put_str(w, "holder", d->holder);
        put_str(w, "award", d->award);
        put_str(w, "credential", d->credential);
        put_str(w, "from", d->from_jurisdiction);
        put_str(w, "to", d->to_jurisdiction);
        break;
    }
    cx__jw_object_end(w);
}

static void put_reasons(cx_jw *w, const cx_decision *d)
{
    cx__jw_key(w, "reasons");
    cx__jw_array(w);
    for (size_t i = 0; i < d->nreasons; i++) {
        cx__jw_object(w);
        put_str(w, "code", d->reasons[i].code);
        put_str(w, "message", d->reasons[i].message);
        cx__jw_object_end(w);
    }
    cx__jw_array_end(w);
}

static void put_used(cx_jw *w, const cx_decision *d)
{
    cx__jw_key(w, "used");
    cx__jw_array(w);
    for (size_t i = 0; i < d->nused; i++) {
        const cx_used *u = &d->used[i];
        cx__jw_object(w);
        put_str(w, "award", u->award);
        put_str(w, "credential", u->credential);
        put_str(w, "slot", u->slot);
        put_str(w, "via", u->via);
        put_str(w, "verification", u->verification);
        cx__jw_object_end(w);
    }
    cx__jw_array_end(w);
}

/* {rule, pack, file, line, cite, status, detail, children[]}, recursively. */
static void put_trace(cx_jw *w, const cx_trace *t)
{
    cx__jw_object(w);
    put_str(w, "rule", t->rule);
    put_str(w, "pack", t->pack);
    put_str(w, "file", t->file);
    if (t->line != 0) {
        cx__jw_key(w, "line");
        cx__jw_int(w, t->line);
    }
    put_str(w, "cite", t->cite);
    put_str(w, "status", t->status);
    put_str(w, "detail", t->detail);
    cx__jw_key(w, "children");
    cx__jw_array(w);
    for (size_t i = 0; i < t->nchildren; i++) put_trace(w, &t->children[i]);
    cx__jw_array_end(w);
    cx__jw_object_end(w);
}

static void put_near_misses(cx_jw *w, const cx_decision *d)
{
    cx__jw_key(w, "near_misses");
    cx__jw_array(w);
    for (size_t i = 0; i < d->nnear_misses; i++) {
        const cx_near_miss *m = &d->near_misses[i];
        cx__jw_object(w);
        put_str(w, "rule", m->rule);
        put_str(w, "clause", m->clause);
        put_str(w, "detail", m->detail);
        cx__jw_object_end(w);
    }
    cx__jw_array_end(w);
}

/* An unmet audit's gaps: {requirement, need, have, unit, options,
 * expired: [{credential, award, expired, renewed_by}]}. */
static void put_gaps(cx_jw *w, const cx_decision *d)
{
    cx__jw_key(w, "gaps");
    cx__jw_array(w);
    for (size_t i = 0; i < d->ngaps; i++) {
        const cx_gap *g = &d->gaps[i];
        cx__jw_object(w);
        put_str(w, "requirement", g->requirement);
        put_number(w, "need", g->need);
        put_number(w, "have", g->have);
        put_str(w, "unit", g->unit);
        put_strings(w, "options", g->options, g->noptions);
        cx__jw_key(w, "expired");
        cx__jw_array(w);
        for (size_t k = 0; k < g->nexpired; k++) {
            const cx_gap_expired *x = &g->expired[k];
            cx__jw_object(w);
            put_str(w, "credential", x->credential);
            put_str(w, "award", x->award);
            put_date(w, "expired", x->expired);
            put_str(w, "renewed_by", x->renewed_by);
            cx__jw_object_end(w);
        }
        cx__jw_array_end(w);
        cx__jw_object_end(w);
    }
    cx__jw_array_end(w);
}

/* The members only some decisions have, as fill_by_kind has them. */
static void put_by_kind(cx_jw *w, const cx_decision *d)
{
    if (d->kind == CX_DECISION_AUDIT && d->status != CX_MET && d->status != CX_ERROR && d->ngaps) {
        put_gaps(w, d);
    } else if (d->kind == CX_DECISION_AUDIT && d->status == CX_MET) {
        cx__jw_key(w, "award");
        cx__jw_object(w);
        put_date(w, "issued", d->issued);
        put_date(w, "expires", d->expires);
        cx__jw_object_end(w);
    } else if (d->kind == CX_DECISION_EQUIV && d->has_coverage) {
        cx__jw_key(w, "coverage");
        cx__jw_object(w);
        cx__jw_key(w, "covered");
        cx__jw_int(w, (long long)d->covered);
        cx__jw_key(w, "total");
        cx__jw_int(w, (long long)d->total);
        cx__jw_object_end(w);
    } else if (d->kind == CX_DECISION_TRANSFER) {
        put_near_misses(w, d);
    }
}

/* Appends d's JSON line, "\n" included, to b (explain is not used: the
 * requirement tree is text only). */
static void json_into(cx_buf *b, const cx_decision *d, int explain)
{
    cx_jw w;
    (void)explain;
    cx__jw_start(&w, b);
    cx__jw_object(&w);
    put_str(&w, "kind", kind_name(d->kind));
    put_str(&w, "status", cx_status_name(d->status));
    put_subject(&w, d);
    cx__jw_key(&w, "as_of");
    cx__jw_stringn(&w, d->as_of, strnlen(d->as_of, sizeof d->as_of - 1));
    put_reasons(&w, d);
    put_used(&w, d);
    put_strings(&w, "missing", d->missing, d->nmissing);
    cx__jw_key(&w, "trace");
    put_trace(&w, &d->trace);
    put_by_kind(&w, d);
    cx__jw_object_end(&w);
    cx__buf_add(b, "\n", 1);
}

char *cx_decision_json(const cx_decision *d)
{
    return string_via(json_into, d, 0);
}

int cx_decision_write_json(const cx_decision *d, cx_write_fn write, void *ud)
{
    return write_via(json_into, d, 0, write, ud);
}

/* ------------------------------------------------------------ log entries */

static void fill_log_entry(fill *f, const void *x)
{
    const cx_log_entry *e = x;
    /* the subject's members in the order a decision's subject has them */
    const char *const keys[] = {"holder", "stack", "award", "credential", "from", "to", "in"};
    const char *const members[] = {e->holder, e->stack, e->award, e->credential,
                                   e->from,   e->to,    e->in};
    fill_int(f, "id", e->id);
    fill_str(f, "created", e->created);
    fill_str(f, "kind", e->kind);
    fill subject = fill_begin(fill_child(f, "subject", JSON_OBJECT), f->bad);
    for (size_t i = 0; subject.obj && i < CX_COUNT(keys); i++)
        fill_str(&subject, keys[i], members[i]);
    if (subject.obj) fill_end(&subject);
    fill_str(f, "as_of", e->as_of);
    if (e->status)
        fill_str(f, "status", e->status);
    else
        fill_null(f, "status");
}

char *cx_log_entry_json(const cx_log_entry *e)
{
    return render_object(fill_log_entry, e);
}

/* A string member of obj, copied (NULL when absent); *bad set when it is
 * not a string or out of memory. */
static char *member_dup(json_t *obj, const char *key, int *bad)
{
    json_t *v = json_object_get(obj, key);
    if (!v) return NULL;
    char *s = json_is_string(v) ? cx__strndup(json_string_value(v), json_string_length(v)) : NULL;
    if (!s) *bad = 1;
    return s;
}

/* The status named name into *out; -1 when none is. */
static int status_named(const char *name, cx_status *out)
{
    for (int s = CX_MET; name && s <= CX_ERROR; s++)
        if (strcmp(cx_status_name((cx_status)s), name) == 0) {
            *out = (cx_status)s;
            return 0;
        }
    return -1;
}

int cx__decision_head_from_json(const char *json, cx_decision **out)
{
    json_t *o = json_loads(json, 0, NULL);
    json_t *subject = o ? json_object_get(o, "subject") : NULL;
    const char *kind = o ? json_string_value(json_object_get(o, "kind")) : NULL;
    const char *as_of = o ? json_string_value(json_object_get(o, "as_of")) : NULL;
    cx_decision *d = calloc(1, sizeof *d);
    int bad = !d || !json_is_object(subject) || !kind || !as_of || strlen(as_of) >= sizeof d->as_of;
    *out = NULL;
    if (!bad) bad = status_named(json_string_value(json_object_get(o, "status")), &d->status);
    int known = 0;
    for (int k = CX_DECISION_AUDIT; !bad && !known && k <= CX_DECISION_TRANSFER; k++)
        if (strcmp(kind, kind_name((cx_decision_kind)k)) == 0) {
            d->kind = (cx_decision_kind)k;
            known = 1;
        }
    bad = bad || !known;
    if (!bad) {
        int transfer = d->kind == CX_DECISION_TRANSFER;
        memcpy(d->as_of, as_of, strlen(as_of) + 1);
        d->holder = member_dup(subject, "holder", &bad);
        d->stack = member_dup(subject, "stack", &bad);
        d->award = member_dup(subject, "award", &bad);
        d->credential = member_dup(subject, "credential", &bad);
        *(transfer ? &d->from_jurisdiction : &d->from) = member_dup(subject, "from", &bad);
        *(transfer ? &d->to_jurisdiction : &d->to) = member_dup(subject, "to", &bad);
        d->in = member_dup(subject, "in", &bad);
    }
    json_decref(o);
    if (bad) {
        cx_decision_free(d);
        return -1;
    }
    *out = d;
    return 0;
}

/* ---------------------------------------------------------- audit CSV row */

void cx__csv_audit_head(cx_buf *b, const char *holder, const char *stack, const char *status,
                        const char *issued, const char *expires)
{
    const char *const fields[] = {holder, stack, status, issued, expires};
    for (size_t i = 0; i < CX_COUNT(fields); i++) {
        cx__buf_csv_field(b, fields[i]);
        cx__buf_add(b, ",", 1);
    }
}

void cx__csv_audit_row(cx_buf *b, const char *holder, const char *stack, const char *status,
                       const char *issued, const char *expires, const char *missing)
{
    cx__csv_audit_head(b, holder, stack, status, issued, expires);
    cx__buf_csv_field(b, missing);
    cx__buf_add(b, "\r\n", 2);
}
