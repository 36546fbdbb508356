/*
 * render_issue.c -- the JSON of an issued Open Badges 3.0 credential and of
 * its VC-JWT claims (issue.h), through jansson, members in a fixed order so
 * that the same badge always gives the same bytes. It renders what it is
 * given; it never decides, reads the registry or signs.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "issue.h"
#include "render.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)

/* Sets key of o to v (a new reference, NULL when out of memory). */
static void set(json_t *o, const char *key, json_t *v, int *bad)
{
    if (!v || json_object_set_new(o, key, v) != 0) *bad = 1;
}

static void set_str(json_t *o, const char *key, const char *s, int *bad)
{
    set(o, key, cx__json_text(s, strlen(s)), bad);
}

/* A list of one string: OB 3.0 writes every type as a list. */
static json_t *type_of(const char *t, int *bad)
{
    json_t *list = json_array();
    if (!list || json_array_append_new(list, cx__json_text(t, strlen(t))) != 0) *bad = 1;
    return list;
}

static json_t *achievement(const cx__badge *b, int *bad)
{
    json_t *a = json_object(), *criteria = json_object();
    if (!a || !criteria) {
        json_decref(a);
        json_decref(criteria);
        *bad = 1;
        return NULL;
    }
    set_str(a, "id", b->achievement_id, bad);
    set(a, "type", type_of("Achievement", bad), bad);
    set_str(a, "name", b->achievement_name, bad);
    set_str(a, "achievementType", b->achievement_type, bad);
    set_str(criteria, "narrative", b->narrative, bad);
    set(a, "criteria", criteria, bad);
    if (b->alignment_url) {
        json_t *list = json_array(), *al = json_object();
        if (!list || !al || json_array_append_new(list, al) != 0) {
            *bad = 1;
        } else {
            set(al, "type", type_of("Alignment", bad), bad);
            set_str(al, "targetName", b->achievement_name, bad);
            set_str(al, "targetType", "ceterms:Credential", bad);
            set_str(al, "targetCode", b->alignment_code, bad);
            set_str(al, "targetUrl", b->alignment_url, bad);
        }
        set(a, "alignment", list, bad);
    }
    return a;
}

static json_t *subject(const cx__badge *b, int *bad)
{
    json_t *s = json_object();
    if (!s) {
        *bad = 1;
        return NULL;
    }
    set_str(s, "id", b->subject_id, bad);
    set(s, "type", type_of("AchievementSubject", bad), bad);
    set(s, "achievement", achievement(b, bad), bad);
    return s;
}

static json_t *evidence(const cx__badge *b, int *bad)
{
    json_t *list = json_array();
    if (!list) {
        *bad = 1;
        return NULL;
    }
    for (size_t i = 0; i < b->nevidence; i++) {
        json_t *e = json_object();
        if (!e || json_array_append_new(list, e) != 0) {
            *bad = 1;
            break;
        }
        set_str(e, "id", b->evidence[i].id, bad);
        set(e, "type", type_of("Evidence", bad), bad);
        set_str(e, "name", b->evidence[i].name, bad);
        set_str(e, "narrative", b->evidence[i].narrative, bad);
    }
    return list;
}

static json_t *credential(const cx__badge *b, int *bad)
{
    static const char *const contexts[] = {
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"};
    json_t *vc = json_object(), *ctx = json_array(), *types = json_array();
    json_t *issuer = json_object();
    if (!vc || !ctx || !types || !issuer) {
        json_decref(vc);
        json_decref(ctx);
        json_decref(types);
        json_decref(issuer);
        *bad = 1;
        return NULL;
    }
    for (size_t i = 0; i < 2; i++)
        if (json_array_append_new(ctx, json_string(contexts[i])) != 0) *bad = 1;
    if (json_array_append_new(types, json_string("VerifiableCredential")) != 0 ||
        json_array_append_new(types, json_string("OpenBadgeCredential")) != 0)
        *bad = 1;
    set(vc, "@context", ctx, bad);
    if (b->id) set_str(vc, "id", b->id, bad);
    set(vc, "type", types, bad);
    set_str(vc, "name", b->achievement_name, bad);
    set_str(issuer, "id", b->issuer_id, bad);
    set(issuer, "type", type_of("Profile", bad), bad);
    set_str(issuer, "name", b->issuer_name, bad);
    set(vc, "issuer", issuer, bad);
    set_str(vc, "validFrom", b->valid_from, bad);
    if (b->valid_until[0]) set_str(vc, "validUntil", b->valid_until, bad);
    set(vc, "credentialSubject", subject(b, bad), bad);
    set(vc, "evidence", evidence(b, bad), bad);
    return vc;
}

static char *dump(json_t *o, int bad)
{
    char *text = o && !bad ? json_dumps(o, DUMP_FLAGS) : NULL;
    json_decref(o);
    return text;
}

char *cx__badge_json(const cx__badge *b)
{
    int bad = 0;
    json_t *vc = credential(b, &bad);
    return dump(vc, bad);
}

char *cx__badge_claims_json(const cx__badge *b)
{
    int bad = 0;
    json_t *o = json_object();
    if (!o) return NULL;
    set_str(o, "iss", b->issuer_id, &bad);
    set_str(o, "sub", b->subject_id, &bad);
    set(o, "nbf", json_integer(b->nbf), &bad);
    if (b->valid_until[0]) set(o, "exp", json_integer(b->exp), &bad);
    if (b->id) set_str(o, "jti", b->id, &bad);
    set(o, "vc", credential(b, &bad), &bad);
    return dump(o, bad);
}

char *cx__badge_header_json(const char *kid)
{
    int bad = 0;
    json_t *o = json_object();
    if (!o) return NULL;
    set_str(o, "alg", "EdDSA", &bad);
    if (kid) set_str(o, "kid", kid, &bad);
    set_str(o, "typ", "JWT", &bad);
    return dump(o, bad);
}
