/*
 * decision.c -- every JSON credex writes, through jansson (the only file
 * that includes jansson.h): registry entities for `credex show`, and the
 * decision values of later commands. Objects are built in a fixed key
 * order; numbers are integers or decimals formatted here, never reals.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "credex.h"
#include "util.h"

/* Sets key to a string when s is not NULL. Invalid UTF-8 (json_string
 * returns NULL) is refused by returning -1, so no field silently vanishes. */
static int set_str(json_t *obj, const char *key, const char *s)
{
    if (!s) return 0;
    json_t *v = json_string(s);
    if (!v) return -1;
    return json_object_set_new(obj, key, v);
}

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

static int set_number(json_t *obj, const char *key, int64_t hundredths)
{
    if (hundredths == CX_NO_NUMBER) return 0;
    json_t *v = number(hundredths);
    return v ? json_object_set_new(obj, key, v) : -1;
}

static int set_strings(json_t *obj, const char *key, char *const *items, size_t n)
{
    json_t *arr = json_array();
    if (!arr) return -1;
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_string(items[i]);
        if (!v || json_array_append_new(arr, v)) {
            json_decref(arr);
            return -1;
        }
    }
    return json_object_set_new(obj, key, arr);
}

static int set_pairs(json_t *obj, const char *key, const cx_pair *pairs, size_t n)
{
    json_t *map = json_object();
    if (!map) return -1;
    for (size_t i = 0; i < n; i++)
        if (set_str(map, pairs[i].key, pairs[i].value)) {
            json_decref(map);
            return -1;
        }
    return json_object_set_new(obj, key, map);
}

/* codes: { scheme: [code, ...] } with schemes in the (sorted) input order. */
static int set_codes(json_t *obj, const cx_pair *codes, size_t n)
{
    json_t *map = json_object();
    if (!map) return -1;
    for (size_t i = 0; i < n; i++) {
        json_t *list = json_object_get(map, codes[i].key);
        if (!list && json_object_set_new(map, codes[i].key, list = json_array())) goto fail;
        json_t *v = json_string(codes[i].value);
        if (!v || json_array_append_new(list, v)) goto fail;
    }
    return json_object_set_new(obj, "codes", map);
fail:
    json_decref(map);
    return -1;
}

/* Dumps obj compactly with a trailing newline; frees obj. */
static char *finish(json_t *obj, int failed)
{
    char *out = NULL;
    if (!failed) {
        char *text = json_dumps(obj, DUMP_FLAGS);
        if (text) {
            size_t n = strlen(text);
            out = malloc(n + 2);
            if (out) {
                memcpy(out, text, n);
                memcpy(out + n, "\n", 2);
            }
            free(text);
        }
    }
    json_decref(obj);
    return out;
}

char *cx_credential_json(const cx_credential *c)
{
    json_t *o = json_object();
    if (!o) return NULL;
    int bad = set_str(o, "kind", "credential") | set_str(o, "id", c->id) |
              set_str(o, "name", c->name) | set_str(o, "type", c->type) |
              set_str(o, "provider", c->provider) | set_str(o, "jurisdiction", c->jurisdiction) |
              set_number(o, "hours", c->hours) | set_str(o, "valid_for", c->valid_for) |
              set_str(o, "version", c->version) | set_str(o, "effective_from", c->effective_from) |
              set_str(o, "effective_until", c->effective_until) |
              set_strings(o, "competencies", c->competencies, c->ncompetencies) |
              set_strings(o, "tags", c->tags, c->ntags) | set_codes(o, c->codes, c->ncodes) |
              set_pairs(o, "attributes", c->attributes, c->nattributes) |
              set_strings(o, "grade_scale", c->grade_scale, c->ngrade_scale);
    return finish(o, bad);
}

static json_t *award_json(const cx_award *a)
{
    json_t *o = json_object();
    if (!o) return NULL;
    int bad = set_str(o, "id", a->id) | set_str(o, "credential", a->credential) |
              set_str(o, "issued", a->issued) | set_str(o, "expires", a->expires) |
              set_str(o, "jurisdiction", a->jurisdiction) | set_number(o, "hours", a->hours) |
              set_str(o, "status", a->status) | set_str(o, "grade", a->grade) |
              set_str(o, "evidence", a->evidence);
    if (!bad && a->nresults) {
        json_t *res = json_object();
        bad = !res || json_object_set_new(o, "results", res);
        for (size_t i = 0; !bad && i < a->nresults; i++) {
            int64_t v = 0;
            const char *p = a->results[i].value;
            /* results are catalog numbers: re-read them exactly */
            int64_t whole = 0, frac = 0;
            int places = 0;
            for (; *p >= '0' && *p <= '9'; p++) whole = whole * 10 + (*p - '0');
            if (*p == '.')
                for (p++; *p >= '0' && *p <= '9' && places < 2; p++, places++)
                    frac = frac * 10 + (*p - '0');
            if (places == 1) frac *= 10;
            v = whole * 100 + frac;
            bad = set_number(res, a->results[i].key, v) != 0;
        }
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

char *cx_holder_json(const cx_holder *h)
{
    json_t *o = json_object(), *awards = json_array();
    int bad = !o || !awards;
    if (!bad)
        bad = set_str(o, "kind", "holder") | set_str(o, "id", h->id) |
              set_str(o, "jurisdiction", h->jurisdiction) |
              set_pairs(o, "attributes", h->attributes, h->nattributes);
    for (size_t i = 0; !bad && i < h->nawards; i++) {
        json_t *a = award_json(&h->awards[i]);
        bad = !a || json_array_append_new(awards, a);
    }
    if (bad) {
        json_decref(awards);
        json_decref(o);
        return NULL;
    }
    json_object_set_new(o, "awards", awards);
    return finish(o, 0);
}

char *cx_group_json(const cx_group *g)
{
    json_t *o = json_object(), *members = json_array();
    int bad = !o || !members;
    if (!bad)
        bad = set_str(o, "kind", "group") | set_str(o, "id", g->id) | set_str(o, "name", g->name);
    for (size_t i = 0; !bad && i < g->nmembers; i++) {
        const cx_membership *m = &g->members[i];
        json_t *mo = json_object();
        bad = !mo || json_array_append_new(members, mo) ||
              (set_str(mo, "jurisdiction", m->jurisdiction) | set_str(mo, "from", m->from) |
               set_str(mo, "until", m->until) | set_str(mo, "status", m->status));
    }
    if (bad) {
        json_decref(members);
        json_decref(o);
        return NULL;
    }
    json_object_set_new(o, "members", members);
    return finish(o, 0);
}
