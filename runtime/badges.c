/*
 * badges.c -- Open Badges 3.0 (JSON, VC-JWT), CLR 2.0, Open Badges 2.0 and
 * their status lists -> catalog documents (badges.h): the mapping policy of
 * docs/interop.md ("Open Badges and CLR"). It reads no clock, no network,
 * no registry and no file but --holders; it checks nothing the catalog
 * loader checks (references, values, definitions) -- the loader does.
 */
#include "badges.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "date.h"
#include "hash.h"
#include "json_reader.h"
#include "status_list.h"
#include "util.h"

#define MAX_ID_LEN 200 /* the longest id cx__catalog_id_ok accepts: the buffers' size */

/* The mapping of one credential. */
typedef struct ob {
    const char *file;              /* the input, for errors and the report */
    const cx_import_options *opts; /* the import's options (may be NULL) */
    cx_ydoc *out;                  /* the catalog document being built */
    cx_error *err;                 /* where errors go */
    const cx_badge_signature *sig; /* a signed form's verdict, or NULL: the embedded proof */
    const char *format;            /* the provenance format: "ob3", "clr2" or "ob2" */
} ob;

static int nomem(const ob *o)
{
    return cx__error(o->err, CX_ENOMEM, o->file, 0, 0, "out of memory");
}

static int fail(const ob *o, const cx_ynode *n, const char *fmt, ...) CX_PRINTF(3, 4);
static int fail(const ob *o, const cx_ynode *n, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cx__ynode_error(o->err, o->file, n, "%s", msg);
}

/* One issue for the import report: the key at map's pointer, and why. */
static void report(const ob *o, const cx_ynode *map, const char *key, const char *why)
{
    cx_import_issue issue = {o->file, map->where ? map->where : "", 0, key, why};
    if (o->opts && o->opts->report) o->opts->report(o->opts->report_ud, &issue);
}

/* ------------------------------------------------------------ reading */

/* The text of a string value under key, or NULL (absent, or not a string). */
static const char *text_of(const cx_ynode *map, const char *key)
{
    const cx_ynode *v = map && map->kind == CX_YMAP ? cx__ymap_get(map, key) : NULL;
    return v && v->kind == CX_YSCALAR && !v->plain ? v->text : NULL;
}

/* 1 when n (a string or a list of strings) is or lists t. */
static int lists(const cx_ynode *n, const char *t)
{
    if (!n) return 0;
    if (n->kind == CX_YSCALAR) return strcmp(n->text, t) == 0;
    if (n->kind != CX_YLIST) return 0;
    for (size_t i = 0; i < n->count; i++)
        if (n->items[i]->kind == CX_YSCALAR && strcmp(n->items[i]->text, t) == 0) return 1;
    return 0;
}

int cx__ob3_recognises(const cx_ynode *root)
{
    const cx_ynode *type = root && root->kind == CX_YMAP ? cx__ymap_get(root, "type") : NULL;
    return lists(type, "OpenBadgeCredential") || lists(type, "AchievementCredential") ||
           lists(type, "EndorsementCredential");
}

/* The contexts an Open Badges 3.0 file may use (mapping.md §1), without
 * their scheme: http and https are both accepted. */
static const char *const contexts[] = {
    "www.w3.org/2018/credentials/v1",
    "www.w3.org/ns/credentials/v2",
    "purl.imsglobal.org/spec/ob/v3p0/context.json",
    "purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
    "purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    "purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    "imsglobal.github.io/openbadges-specification/context.json",
    "purl.imsglobal.org/spec/clr/v2p0/context.json",
    "purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
    "dc.imsglobal.org/draft/clr/v2p0/context",
    "w3id.org/security/suites/ed25519-2020/v1",
    "w3id.org/security/data-integrity/v1",
    "w3id.org/security/data-integrity/v2",
    "w3id.org/openbadges/v2",
    NULL,
};

/* Every @context in the tree below n is on the allow-list. */
static int check_contexts(const ob *o, const cx_ynode *n)
{
    if (n->kind == CX_YSCALAR) return CX_OK;
    for (size_t i = 0; i < n->count; i++) {
        const cx_ynode *v = n->items[i];
        if (n->kind == CX_YMAP && strcmp(n->keys[i]->text, "@context") == 0) {
            size_t count = v->kind == CX_YLIST ? v->count : 1;
            for (size_t k = 0; k < count; k++) {
                const cx_ynode *one = v->kind == CX_YLIST ? v->items[k] : v;
                if (one->kind != CX_YSCALAR || one->plain)
                    return fail(o, one,
                                "an inline @context (%s) is not read: credex reads JSON-LD "
                                "as published, with known context IRIs only",
                                cx__ynode_kind_name(one->kind));
                if (!cx__json_context_listed(one->text, contexts))
                    return fail(o, one,
                                "unknown @context '%s': credex reads only the Verifiable "
                                "Credentials, Open Badges and CLR contexts (docs/interop.md)",
                                one->text);
            }
            continue;
        }
        int rc = check_contexts(o, v);
        if (rc) return rc;
    }
    return CX_OK;
}

/* Each key of map not in known goes to the report. */
static void report_unknown(const ob *o, const cx_ynode *map, const char *const *known)
{
    if (!map || map->kind != CX_YMAP) return;
    for (size_t i = 0; i < map->count; i++)
        if (!cx__listed(known, map->keys[i]->text))
            report(o, map, map->keys[i]->text, "unknown key; not imported");
}

/* ------------------------------------------------------------ building */

static cx_ynode *str(const ob *o, const char *text, const cx_ynode *from)
{
    const char *where = from && from->where ? cx__ydoc_strdup(o->out, from->where) : NULL;
    if (from && from->where && !where) return NULL;
    return cx__ynode_scalar(o->out, text, strlen(text), 0, 0, 0, where);
}

static cx_ynode *node(const ob *o, cx_ynode_kind kind, const cx_ynode *from)
{
    const char *where = from && from->where ? cx__ydoc_strdup(o->out, from->where) : NULL;
    if (from && from->where && !where) return NULL;
    return cx__ynode_new(o->out, kind, 0, 0, where);
}

/* map[key] = value (a scalar of text, located as from); CX_ENOMEM. */
static int put(const ob *o, cx_ynode *map, const char *key, const char *text, const cx_ynode *from)
{
    cx_ynode *k = str(o, key, from), *v = str(o, text, from);
    if (!k || !v || cx__ymap_put(o->out, map, k, v)) return nomem(o);
    return CX_OK;
}

static int put_node(const ob *o, cx_ynode *map, const char *key, cx_ynode *value)
{
    cx_ynode *k = value ? cx__ynode_scalar(o->out, key, strlen(key), 0, 0, 0, value->where) : NULL;
    if (!k || cx__ymap_put(o->out, map, k, value)) return nomem(o);
    return CX_OK;
}

/* ------------------------------------------------------------ policies */

/* The credex id of an IRI: the IRI when it matches the id pattern, else
 * "x-" and 20 hex digits of its SHA-256 (*hashed 1), into out. */
static void derive_id(const char *iri, char out[MAX_ID_LEN + 1], int *hashed)
{
    cx_error err;
    *hashed = cx__catalog_id_ok(iri, &err) != 1; /* a regex error: hashed, the IRI kept */
    if (!*hashed) {
        snprintf(out, MAX_ID_LEN + 1, "%s", iri);
        return;
    }
    char hex[65];
    cx__sha256_hex(iri, strlen(iri), hex);
    snprintf(out, MAX_ID_LEN + 1, "x-%.20s", hex);
}

/* The CTID of a Credential Registry credential an achievement is aligned
 * to (targetType CTDL or ceterms:Credential, targetUrl .../resources/ce-...),
 * lower-cased into out; 0 when there is none. */
static int aligned_ctid(const cx_ynode *achievement, char out[MAX_ID_LEN + 1])
{
    const cx_ynode *list = cx__ymap_get(achievement, "alignment");
    size_t count = list && list->kind == CX_YLIST ? list->count : 0;
    for (size_t i = 0; i < count; i++) {
        const char *type = text_of(list->items[i], "targetType");
        const char *url = text_of(list->items[i], "targetUrl");
        const char *at = url ? strstr(url, "/resources/ce-") : NULL;
        if (!type || (strcmp(type, "CTDL") != 0 && strcmp(type, "ceterms:Credential") != 0) ||
            !at || strlen(at + 11) != 39)
            continue;
        snprintf(out, MAX_ID_LEN + 1, "%s", at + 11);
        for (char *p = out; *p; p++)
            if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
        cx_error err;
        if (cx__catalog_id_ok(out, &err) == 1) return 1;
    }
    return 0;
}

/* achievementType in kebab case ("MicroCredential" -> "micro-credential",
 * "MOOC" -> "mooc", "HTMLBadge" -> "html-badge"; an extension "ext:Foo" by
 * its local name), into out. */
static void kebab(const char *type, char *out, size_t size)
{
    const char *colon = strrchr(type, ':');
    const char *s = colon ? colon + 1 : type;
    size_t n = 0;
    for (size_t i = 0; s[i] && n + 2 < size; i++) {
        char ch = s[i];
        if (ch >= 'A' && ch <= 'Z') {
            char prev = i ? s[i - 1] : 0, next = s[i + 1];
            int lower_before = (prev >= 'a' && prev <= 'z') || (prev >= '0' && prev <= '9');
            int word_start = prev >= 'A' && prev <= 'Z' && next >= 'a' && next <= 'z';
            if (n > 0 && out[n - 1] != '-' && (lower_before || word_start)) out[n++] = '-';
            out[n++] = (char)(ch - 'A' + 'a');
        } else {
            out[n++] = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ? ch : '-';
        }
    }
    out[n] = '\0';
}

static int digits(const char *s, int n, int *out)
{
    *out = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        *out = *out * 10 + (s[i] - '0');
    }
    return 1;
}

/* The UTC calendar date of the RFC 3339 instant (or plain date) in n,
 * less one second when minus_second, into out. */
static int instant(const ob *o, const cx_ynode *n, const char *key, int minus_second, char out[11])
{
    const char *s = n->kind == CX_YSCALAR ? n->text : "";
    const char *why = NULL;
    char day[11];
    cx_date d;
    int h = 0, mi = 0, se = 0, oh = 0, om = 0;
    snprintf(day, sizeof day, "%.10s", s);
    if (n->kind != CX_YSCALAR || n->plain || strlen(s) < 10 || cx__date_parse(day, &d, &why))
        goto bad;
    const char *p = s + 10;
    if (*p) {
        if ((*p != 'T' && *p != 't') || !digits(p + 1, 2, &h) || p[3] != ':' ||
            !digits(p + 4, 2, &mi) || p[6] != ':' || !digits(p + 7, 2, &se) || h > 23 || mi > 59 ||
            se > 60)
            goto bad;
        p += 9;
        if (*p == '.') {
            p++;
            if (*p < '0' || *p > '9') goto bad;
            while (*p >= '0' && *p <= '9') p++;
        }
        if ((*p == 'Z' || *p == 'z') && !p[1]) {
            p++;
        } else if ((*p == '+' || *p == '-') && digits(p + 1, 2, &oh) && p[3] == ':' &&
                   digits(p + 4, 2, &om) && !p[6] && oh < 24 && om < 60) {
            int sign = *p == '+' ? 1 : -1;
            mi -= sign * (oh * 60 + om);
            p += 6;
        } else {
            goto bad;
        }
    } else if (minus_second) {
        se = 0; /* a plain date: its first second */
    }
    long secs = (long)h * 3600 + (long)mi * 60 + se - (minus_second ? 1 : 0);
    while (secs < 0) {
        secs += 86400;
        d--;
    }
    d += (cx_date)(secs / 86400);
    cx__date_format(d, out);
    return CX_OK;
bad:
    return fail(o, n,
                "invalid %s '%.40s': expected an RFC 3339 instant (2010-01-01T00:00:00Z) "
                "or a date",
                key, s);
}

/* A profile's jurisdiction: addressCountryCode, with addressRegion
 * ("US-TX"), else --jurisdiction, else NULL. */
static const char *profile_jurisdiction(const ob *o, const cx_ynode *profile, char out[16])
{
    const cx_ynode *addr =
        profile && profile->kind == CX_YMAP ? cx__ymap_get(profile, "address") : NULL;
    const char *country = text_of(addr, "addressCountryCode");
    const char *region = text_of(addr, "addressRegion");
    if (country && strlen(country) == 2) {
        if (region && strlen(region) >= 1 && strlen(region) <= 3)
            snprintf(out, 16, "%s-%s", country, region);
        else
            snprintf(out, 16, "%s", country);
        return out;
    }
    return o->opts ? o->opts->jurisdiction : NULL;
}

/* ------------------------------------------------------------ the parts */

static const char *const vc_keys[] = {"@context",
                                      "id",
                                      "type",
                                      "name",
                                      "description",
                                      "image",
                                      "credentialSubject",
                                      "endorsement",
                                      "endorsementJwt",
                                      "evidence",
                                      "issuer",
                                      "validFrom",
                                      "validUntil",
                                      "issuanceDate",
                                      "expirationDate",
                                      "awardedDate",
                                      "credentialSchema",
                                      "credentialStatus",
                                      "refreshService",
                                      "proof",
                                      "termsOfUse",
                                      NULL};
static const char *const subject_keys[] = {"id",
                                           "type",
                                           "identifier",
                                           "achievement",
                                           "activityEndDate",
                                           "activityStartDate",
                                           "creditsEarned",
                                           "licenseNumber",
                                           "role",
                                           "source",
                                           "term",
                                           "image",
                                           "narrative",
                                           "result",
                                           NULL};
static const char *const achievement_keys[] = {"@context",
                                               "id",
                                               "type",
                                               "alignment",
                                               "achievementType",
                                               "creator",
                                               "creditsAvailable",
                                               "criteria",
                                               "description",
                                               "endorsement",
                                               "endorsementJwt",
                                               "fieldOfStudy",
                                               "humanCode",
                                               "image",
                                               "inLanguage",
                                               "name",
                                               "otherIdentifier",
                                               "related",
                                               "resultDescription",
                                               "specialization",
                                               "tag",
                                               "version",
                                               NULL};

/* The proof kinds of the credential ("eddsa-rdfc-2022"; several joined by
 * ", "), or "none", into b. */
static void proof_kinds(const cx_ynode *proof, cx_buf *b)
{
    size_t count = !proof ? 0 : proof->kind == CX_YLIST ? proof->count : 1;
    for (size_t i = 0; i < count; i++) {
        const cx_ynode *one = proof->kind == CX_YLIST ? proof->items[i] : proof;
        const char *kind = text_of(one, "cryptosuite");
        if (!kind) kind = text_of(one, "type");
        cx__buf_printf(b, "%s%s", i ? ", " : "", kind ? kind : "unknown");
    }
    if (!count) cx__buf_puts(b, "none");
}

/* The provider (creator, else issuer) into the document's providers;
 * its id into pid and its jurisdiction into jur. */
static int map_provider(const ob *o, const cx_ynode *profile, cx_ynode *providers,
                        char pid[MAX_ID_LEN + 1], const char **jur, char jbuf[16])
{
    const char *iri = profile->kind == CX_YSCALAR ? profile->text : text_of(profile, "id");
    int hashed;
    if (!iri) return fail(o, profile, "the issuer profile has no id");
    derive_id(iri, pid, &hashed);
    *jur = profile_jurisdiction(o, profile, jbuf);
    if (!*jur)
        return fail(o, profile,
                    "no jurisdiction for provider '%s': the profile has no address with an "
                    "addressCountryCode; give --jurisdiction J",
                    iri);
    const char *name = text_of(profile, "name");
    cx_ynode *p = node(o, CX_YMAP, profile);
    int rc;
    if (!p) return nomem(o);
    if ((rc = put(o, p, "id", pid, profile)) ||
        (rc = put(o, p, "name", name ? name : iri, profile)) ||
        (rc = put(o, p, "jurisdiction", *jur, profile)))
        return rc;
    return cx__ylist_append(o->out, providers, p) ? nomem(o) : CX_OK;
}

/* The grade scale of achievement a: the allowedValue list of its first
 * LetterGrade result description, or NULL. */
static const cx_ynode *letter_grades(const cx_ynode *a)
{
    const cx_ynode *rd = cx__ymap_get(a, "resultDescription");
    for (size_t i = 0; rd && rd->kind == CX_YLIST && i < rd->count; i++) {
        const char *rt = text_of(rd->items[i], "resultType");
        const cx_ynode *allowed = cx__ymap_get(rd->items[i], "allowedValue");
        if (rt && strcmp(rt, "LetterGrade") == 0 && allowed && allowed->kind == CX_YLIST)
            return allowed;
    }
    return NULL;
}

/* The credential id import gives achievement a (whose id is iri) into
 * cid; 1 when it is hashed from the IRI. */
static int achievement_id(const cx_ynode *a, const char *iri, char cid[MAX_ID_LEN + 1])
{
    int hashed = 0;
    if (!aligned_ctid(a, cid)) derive_id(iri, cid, &hashed);
    return hashed;
}

/* The achievement as a credential, its id into cid. */
static int map_credential(const ob *o, const cx_ynode *a, const char *provider, const char *jur,
                          cx_ynode *credentials, char cid[MAX_ID_LEN + 1])
{
    const char *iri = text_of(a, "id");
    const char *name = text_of(a, "name");
    const char *atype = text_of(a, "achievementType");
    char type[128];
    int hashed = 0, rc;
    if (!iri) return fail(o, a, "the achievement has no id");
    if (!name) return fail(o, a, "the achievement has no name");
    hashed = achievement_id(a, iri, cid);
    kebab(atype ? atype : "Achievement", type, sizeof type);
    cx_ynode *c = node(o, CX_YMAP, a);
    if (!c) return nomem(o);
    if ((rc = put(o, c, "id", cid, cx__ymap_get(a, "id"))) ||
        (rc = put(o, c, "name", name, cx__ymap_get(a, "name"))) ||
        (rc = put(o, c, "type", type, atype ? cx__ymap_get(a, "achievementType") : a)) ||
        (rc = put(o, c, "provider", provider, a)) || (rc = put(o, c, "jurisdiction", jur, a)))
        return rc;
    if (hashed) {
        cx_ynode *attrs = node(o, CX_YMAP, a);
        if (!attrs) return nomem(o);
        if ((rc = put(o, attrs, "source_iri", iri, cx__ymap_get(a, "id"))) ||
            (rc = put_node(o, c, "attributes", attrs)))
            return rc;
    }
    const cx_ynode *allowed = letter_grades(a);
    if (allowed) {
        cx_ynode *scale = node(o, CX_YLIST, allowed);
        if (!scale) return nomem(o);
        for (size_t k = 0; k < allowed->count; k++) {
            const cx_ynode *v = allowed->items[k];
            cx_ynode *s = v->kind == CX_YSCALAR ? str(o, v->text, v) : NULL;
            if (v->kind != CX_YSCALAR) return fail(o, v, "expected a string in allowedValue");
            if (!s || cx__ylist_append(o->out, scale, s)) return nomem(o);
        }
        if ((rc = put_node(o, c, "grade_scale", scale))) return rc;
    }
    return cx__ylist_append(o->out, credentials, c) ? nomem(o) : CX_OK;
}

/* The result description of achievement a with this id, or NULL. */
static const cx_ynode *result_description(const cx_ynode *a, const char *id)
{
    const cx_ynode *rd = cx__ymap_get(a, "resultDescription");
    for (size_t i = 0; id && rd && rd->kind == CX_YLIST && i < rd->count; i++) {
        const char *rid = text_of(rd->items[i], "id");
        if (rid && strcmp(rid, id) == 0) return rd->items[i];
    }
    return NULL;
}

/* A grade is a result with a value whose result description is a
 * LetterGrade; results without a value are ignored (docs/interop.md). */
static int map_grade(const ob *o, const cx_ynode *subject, const cx_ynode *a, cx_ynode *award)
{
    const cx_ynode *results = cx__ymap_get(subject, "result");
    for (size_t i = 0; results && results->kind == CX_YLIST && i < results->count; i++) {
        const cx_ynode *r = results->items[i];
        const cx_ynode *value = r->kind == CX_YMAP ? cx__ymap_get(r, "value") : NULL;
        const cx_ynode *d = result_description(a, text_of(r, "resultDescription"));
        const char *rt = text_of(d, "resultType");
        if (!value || value->kind != CX_YSCALAR || !rt || strcmp(rt, "LetterGrade") != 0) continue;
        if (cx__ymap_get(award, "grade")) {
            report(o, r, "value", "a second LetterGrade result; only the first is the grade");
            continue;
        }
        int rc = put(o, award, "grade", value->text, value);
        if (rc) return rc;
    }
    return CX_OK;
}

/* The award's provenance: a signed form's verdict, else unverified with
 * the reason (an embedded proof, or none). */
static int map_provenance(const ob *o, const cx_ynode *vc, const char *issuer, cx_ynode *award)
{
    const cx_ynode *proof = cx__ymap_get(vc, "proof");
    const char *id = text_of(vc, "id");
    cx_buf kinds, note;
    int rc = CX_OK;
    cx__buf_init(&kinds);
    cx__buf_init(&note);
    if (o->sig) {
        cx__buf_puts(&kinds, o->sig->proof);
        if (o->sig->note) cx__buf_puts(&note, o->sig->note);
    } else {
        proof_kinds(proof, &kinds);
        if (proof)
            cx__buf_printf(&note, "proof %s not verified", kinds.data);
        else
            cx__buf_puts(&note, "no proof");
    }
    if (kinds.oom || note.oom) {
        rc = nomem(o);
        goto done;
    }
    const cx_ynode *at = o->sig ? vc : proof ? proof : vc;
    cx_ynode *p = node(o, CX_YMAP, at);
    if (!p) {
        rc = nomem(o);
        goto done;
    }
    rc = put(o, p, "format", o->format, vc);
    if (!rc && id) rc = put(o, p, "source_id", id, cx__ymap_get(vc, "id"));
    if (!rc) rc = put(o, p, "issuer", issuer, cx__ymap_get(vc, "issuer"));
    if (!rc) rc = put(o, p, "proof", kinds.data, at);
    if (!rc)
        rc = put(o, p, "verification", o->sig && o->sig->verified ? "verified" : "unverified", at);
    if (!rc && note.len) rc = put(o, p, "note", note.data, at);
    if (!rc) rc = put_node(o, award, "provenance", p);
done:
    cx__buf_free(&kinds);
    cx__buf_free(&note);
    return rc;
}

/* The award of credential vc (subject, achievement a mapped to cid) into
 * the list awards. */
static int map_award(const ob *o, const cx_ynode *vc, const cx_ynode *subject, const cx_ynode *a,
                     const char *cid, const char *issuer, cx_ynode *awards)
{
    const char *const issued_keys[] = {"awardedDate", "validFrom", "issuanceDate"};
    const cx_ynode *from = NULL, *until = cx__ymap_get(vc, "validUntil");
    const char *from_key = NULL, *until_key = "validUntil";
    char issued[11], expires[11];
    int rc;
    for (size_t i = 0; i < CX_COUNT(issued_keys) && !from; i++)
        from = cx__ymap_get(vc, from_key = issued_keys[i]);
    if (!from) return fail(o, vc, "no issue date: expected awardedDate, validFrom or issuanceDate");
    if (!until) until = cx__ymap_get(vc, until_key = "expirationDate");
    if ((rc = instant(o, from, from_key, 0, issued)) ||
        (until && (rc = instant(o, until, until_key, 1, expires))))
        return rc;
    cx_ynode *aw = node(o, CX_YMAP, vc);
    if (!aw) return nomem(o);
    if ((rc = put(o, aw, "credential", cid, a)) || (rc = put(o, aw, "issued", issued, from)) ||
        (until && (rc = put(o, aw, "expires", expires, until))) ||
        (rc = map_grade(o, subject, a, aw)) || (rc = map_provenance(o, vc, issuer, aw)))
        return rc;
    return cx__ylist_append(o->out, awards, aw) ? nomem(o) : CX_OK;
}

/* The subject's holder, with the awards, into root's holders; jur (or
 * NULL) is where a new holder is created. */
static int map_holder(const ob *o, const cx_ynode *subject, const char *jur, cx_ynode *awards,
                      cx_ynode *root)
{
    const cx_ynode *sid = cx__ymap_get(subject, "id");
    char hid[MAX_ID_LEN + 1];
    int hashed, rc;
    derive_id(sid->text, hid, &hashed);
    cx_ynode *holders = node(o, CX_YLIST, subject), *h = node(o, CX_YMAP, subject);
    if (!holders || !h) return nomem(o);
    if ((rc = put(o, h, "id", hid, sid)) || (jur && (rc = put(o, h, "jurisdiction", jur, subject))))
        return rc;
    if (hashed) {
        cx_ynode *attrs = node(o, CX_YMAP, subject);
        if (!attrs) return nomem(o);
        if ((rc = put(o, attrs, "source_iri", sid->text, sid)) ||
            (rc = put_node(o, h, "attributes", attrs)))
            return rc;
    }
    if ((rc = put_node(o, h, "awards", awards))) return rc;
    if (cx__ylist_append(o->out, holders, h)) return nomem(o);
    return put_node(o, root, "holders", holders);
}

/* The subject of credential vc, which must have an id. */
static int subject_of(const ob *o, const cx_ynode *vc, const cx_ynode **out)
{
    const cx_ynode *subject = cx__ymap_get(vc, "credentialSubject");
    const cx_ynode *sid = subject && subject->kind == CX_YMAP ? cx__ymap_get(subject, "id") : NULL;
    *out = subject;
    if (!subject || subject->kind != CX_YMAP)
        return fail(o, subject ? subject : vc,
                    subject ? "expected one credentialSubject (a mapping), found %s"
                            : "no credentialSubject%s",
                    subject ? cx__ynode_kind_name(subject->kind) : "");
    if (!sid || sid->kind != CX_YSCALAR || sid->plain)
        return fail(o, subject,
                    "the credentialSubject has no id: credex takes the holder from "
                    "credentialSubject.id");
    return CX_OK;
}

/* The output lists of one document. */
typedef struct outs {
    cx_ynode *providers;   /* the document's providers list */
    cx_ynode *credentials; /* its credentials list */
    cx_ynode *awards;      /* the awards of its one holder */
    cx_ynode *entries;     /* status entries to check (cx__badge_status) */
} outs;

/* The endorsements of map (under "endorsement") go to the report. */
static void report_endorsements(const ob *o, const cx_ynode *map)
{
    if (map && map->kind == CX_YMAP && cx__ymap_get(map, "endorsement"))
        report(o, map, "endorsement", "endorsements are not awards; skipped");
}

/* A credential is imported only when verified, or as unverified when
 * asked: an embedded proof is never verified here (each needs RDF dataset
 * canonicalization), nor is a credential without one. */
static int check_verifiable(const ob *o, const cx_ynode *vc)
{
    const cx_ynode *proof = cx__ymap_get(vc, "proof");
    cx_buf kinds;
    int rc;
    if (o->sig || (o->opts && o->opts->allow_unverified)) return CX_OK;
    cx__buf_init(&kinds);
    proof_kinds(proof, &kinds);
    if (kinds.oom)
        rc = nomem(o);
    else if (proof)
        rc = fail(o, proof,
                  "proof %s not verified: credex does not compute RDF dataset "
                  "canonicalization; --allow-unverified imports the award as unverified",
                  kinds.data);
    else
        rc = fail(o, vc,
                  "no proof: the credential is not signed; --allow-unverified imports the "
                  "award as unverified");
    cx__buf_free(&kinds);
    return rc;
}

/* The status entries of vc that a status list among the inputs can
 * answer, into entries ({source_id, list, index, purpose}); any other
 * credentialStatus is reported as not checked. */
static int map_status_entries(const ob *o, const cx_ynode *vc, cx_ynode *entries)
{
    const cx_ynode *st = cx__ymap_get(vc, "credentialStatus");
    const char *id = text_of(vc, "id");
    size_t count = !st ? 0 : st->kind == CX_YLIST ? st->count : 1;
    for (size_t i = 0; i < count; i++) {
        const cx_ynode *e = st->kind == CX_YLIST ? st->items[i] : st;
        const cx_ynode *type = e->kind == CX_YMAP ? cx__ymap_get(e, "type") : NULL;
        const char *list = text_of(e, "statusListCredential");
        const char *purpose = text_of(e, "statusPurpose");
        const cx_ynode *index = e->kind == CX_YMAP ? cx__ymap_get(e, "statusListIndex") : NULL;
        int rc;
        if (!lists(type, "BitstringStatusListEntry") && !lists(type, "StatusList2021Entry")) {
            report(o, e, NULL, "status not checked: only a status list among the inputs is read");
            continue;
        }
        if (!id || !list || !purpose || !index || index->kind != CX_YSCALAR)
            return fail(o, e,
                        "a status entry needs statusListCredential, statusPurpose and "
                        "statusListIndex, and the credential an id");
        cx_ynode *n = node(o, CX_YMAP, e);
        cx_ynode *ix = str(o, index->text, index);
        if (!n || !ix) return nomem(o);
        if ((rc = put(o, n, "source_id", id, cx__ymap_get(vc, "id"))) ||
            (rc = put(o, n, "list", list, cx__ymap_get(e, "statusListCredential"))) ||
            (rc = put(o, n, "purpose", purpose, cx__ymap_get(e, "statusPurpose"))) ||
            (rc = put_node(o, n, "index", ix)))
            return rc;
        if (cx__ylist_append(o->out, entries, n)) return nomem(o);
    }
    return CX_OK;
}

/* One credential vc (of its subject) -> its provider, credential and
 * award in out; *jur where its provider is. */
static int map_one(const ob *o, const cx_ynode *vc, const cx_ynode *subject, const outs *out,
                   const char **jur, char jbuf[16])
{
    const cx_ynode *issuer = cx__ymap_get(vc, "issuer");
    const cx_ynode *a = cx__ymap_get(subject, "achievement");
    char pid[MAX_ID_LEN + 1], cid[MAX_ID_LEN + 1];
    int rc;
    if (!a || a->kind != CX_YMAP)
        return fail(o, a ? a : subject, "expected an achievement (a mapping) in credentialSubject");
    if (!issuer || (issuer->kind != CX_YMAP && (issuer->kind != CX_YSCALAR || issuer->plain)))
        return fail(o, issuer ? issuer : vc, "expected an issuer (an IRI or a profile)");
    const char *issuer_iri = issuer->kind == CX_YSCALAR ? issuer->text : text_of(issuer, "id");
    if (!issuer_iri) return fail(o, issuer, "the issuer profile has no id");
    report_unknown(o, vc, vc_keys);
    report_unknown(o, subject, subject_keys);
    report_unknown(o, a, achievement_keys);
    report_endorsements(o, vc);
    report_endorsements(o, a);
    const cx_ynode *creator = cx__ymap_get(a, "creator");
    if ((rc = map_provider(o, creator ? creator : issuer, out->providers, pid, jur, jbuf)) ||
        (rc = map_credential(o, a, pid, *jur, out->credentials, cid)) ||
        (rc = map_award(o, vc, subject, a, cid, issuer_iri, out->awards)))
        return rc;
    return map_status_entries(o, vc, out->entries);
}

static int put_outs(const ob *o, const outs *out, cx_ynode *root)
{
    int rc = put_node(o, root, "providers", out->providers);
    if (!rc) rc = put_node(o, root, "credentials", out->credentials);
    if (!rc && out->entries->count) rc = put_node(o, root, "status_entries", out->entries);
    return rc;
}

static int map_vc(const ob *o, const cx_ynode *vc, cx_ynode *root)
{
    const cx_ynode *subject;
    const char *jur = NULL;
    char jbuf[16];
    int rc = check_contexts(o, vc);
    if (rc) return rc;
    if (lists(cx__ymap_get(vc, "type"), "EndorsementCredential")) {
        report(o, vc, NULL, "an EndorsementCredential is not an award; skipped");
        return CX_OK;
    }
    if ((rc = check_verifiable(o, vc)) || (rc = subject_of(o, vc, &subject))) return rc;
    outs out = {node(o, CX_YLIST, vc), node(o, CX_YLIST, vc), node(o, CX_YLIST, vc),
                node(o, CX_YLIST, vc)};
    if (!out.providers || !out.credentials || !out.awards || !out.entries) return nomem(o);
    if ((rc = map_one(o, vc, subject, &out, &jur, jbuf)) || (rc = put_outs(o, &out, root)) ||
        (rc = map_holder(o, subject, jur, out.awards, root)))
        return rc;
    return CX_OK;
}
int cx__ob3_map_signed(const char *file, const cx_ynode *vc, const cx_badge_signature *sig,
                       const cx_import_options *opts, cx_ydoc **out, cx_error *err)
{
    ob o = {file, opts, NULL, err, sig, "ob3"};
    int rc = cx__ydoc_new(o.file, "ob3", &o.out, err);
    if (rc) return rc;
    cx_ynode *root = node(&o, CX_YMAP, vc);
    if (!root) {
        rc = nomem(&o);
        goto done;
    }
    cx__ydoc_set_root(o.out, root);
    rc = map_vc(&o, vc, root);
done:
    if (rc) {
        cx__ydoc_free(o.out);
        o.out = NULL;
    }
    *out = o.out;
    return rc;
}

int cx__ob3_map(const cx_ydoc *json, const cx_import_options *opts, cx_ydoc **out, cx_error *err)
{
    return cx__ob3_map_signed(cx__ydoc_name(json), cx__ydoc_root(json), NULL, opts, out, err);
}

/* The issuer id of credential vc: its issuer IRI, or its profile's id. */
static const char *issuer_id(const cx_ynode *vc)
{
    const cx_ynode *issuer = cx__ymap_get(vc, "issuer");
    if (issuer && issuer->kind == CX_YSCALAR && !issuer->plain) return issuer->text;
    return text_of(issuer, "id");
}

static int ob2_signed(const ob *o, const cx_jws *jws, const char *token, size_t len,
                      const cx_ydoc *json, cx_ydoc **out);

/* Checks the decoded token against trust and maps its credential. */
static int map_token(const ob *o, const cx_jws *jws, const char *token, size_t len,
                     const cx_ydoc *json, const cx_trust *trust, cx_ydoc **out)
{
    const cx_ynode *root = cx__ydoc_root(json);
    const cx_ynode *vc = root && root->kind == CX_YMAP ? cx__ymap_get(root, "vc") : NULL;
    const cx_ynode *iss = vc ? cx__ymap_get(root, "iss") : NULL;
    cx_jws_outcome outcome;
    const cx_jwk *key;
    char proof[32];
    if (!vc) vc = root;
    if (vc == root && cx__ob2_recognises(root) && lists(cx__ymap_get(root, "type"), "Assertion"))
        return ob2_signed(o, jws, token, len, json, out);
    if (!vc || vc->kind != CX_YMAP || !cx__ob3_recognises(vc))
        return fail(o, vc ? vc : root,
                    "a JWT whose payload is not an Open Badges 3.0 credential (nor has one "
                    "as its vc claim) or an Open Badges 2.0 assertion");
    if (iss && (iss->kind != CX_YSCALAR || iss->plain))
        return fail(o, iss, "expected a string for 'iss'");
    const char *cred_issuer = issuer_id(vc);
    const char *who = iss ? iss->text : cred_issuer;
    if (!who) return fail(o, vc, "no issuer id to verify the token against");
    int rc = cx__jws_verify(jws, trust, who, &outcome, &key, o->err);
    if (rc) return rc;
    if (iss && cred_issuer && strcmp(iss->text, cred_issuer) != 0)
        return fail(o, iss, "iss '%s' differs from the credential's issuer '%s'", iss->text,
                    cred_issuer);
    if (outcome == CX_JWS_NO_ISSUER && !(o->opts && o->opts->allow_unverified))
        return cx__error(o->err, CX_EINPUT, o->file, jws->line, jws->column,
                         "issuer '%s' is not in the trust file%s; --allow-unverified imports "
                         "the award as unverified",
                         who, trust ? "" : " (no --trust FILE given)");
    snprintf(proof, sizeof proof, "jwt-%s", jws->alg);
    cx_badge_signature sig = {proof, outcome == CX_JWS_VERIFIED,
                              outcome == CX_JWS_VERIFIED ? NULL : "issuer not in the trust file"};
    return cx__ob3_map_signed(o->file, vc, &sig, o->opts, out, o->err);
}

int cx__ob3_map_jwt(const char *file, const char *data, size_t len, const cx_trust *trust,
                    const cx_import_options *opts, cx_ydoc **out, cx_error *err)
{
    ob o = {file, opts, NULL, err, NULL, "ob3"};
    cx_jws *jws = NULL;
    cx_ydoc *json = NULL;
    *out = NULL;
    while (len && (data[len - 1] == '\n' || data[len - 1] == '\r' || data[len - 1] == ' ' ||
                   data[len - 1] == '\t'))
        len--;
    int rc = cx__jws_decode(file, 1, 1, data, len, &jws, err);
    if (rc) goto done;
    rc = cx__json_load_buffer(file, (const char *)jws->payload, jws->payload_len, &json, err);
    if (rc) goto done;
    rc = map_token(&o, jws, data, len, json, trust, out);
done:
    cx__ydoc_free(json);
    cx__jws_free(jws);
    return rc;
}

/* ------------------------------------------------------------ CLR 2.0 */

int cx__clr_recognises(const cx_ynode *root)
{
    const cx_ynode *type = root && root->kind == CX_YMAP ? cx__ymap_get(root, "type") : NULL;
    return lists(type, "ClrCredential");
}

static const char *const clr_subject_keys[] = {
    "id", "type", "identifier", "verifiableCredential", "achievement", "association", NULL};

/* The error rc of one part of a CLR (an embedded credential or a bare
 * achievement): with skip_invalid reported and cleared (returns CX_OK,
 * *skipped 1), else returned. */
static int item_left_out(const ob *o, int rc, int *skipped)
{
    char where[sizeof o->err->message];
    int is_column;
    *skipped = 0;
    if (rc != CX_EINPUT || !o->opts || !o->opts->skip_invalid) return rc;
    cx_import_issue issue = {o->file, NULL, 0, NULL, NULL};
    issue.why = cx__yerror_parts(o->err, where, sizeof where, &is_column);
    issue.pointer = where;
    if (o->opts->report) o->opts->report(o->opts->report_ud, &issue);
    cx_error_clear(o->err);
    *skipped = 1;
    return CX_OK;
}

/* The achievement defined in the file with id but another name or
 * achievementType than a, or NULL. defs lists every definition. */
static const cx_ynode *conflict(const cx_ynode *a, const cx_ynode *const *defs, size_t n)
{
    const char *id = text_of(a, "id"), *name = text_of(a, "name");
    const char *type = text_of(a, "achievementType");
    for (size_t i = 0; id && i < n; i++) {
        const char *other = text_of(defs[i], "id");
        const char *oname = text_of(defs[i], "name"), *otype = text_of(defs[i], "achievementType");
        if (defs[i] == a || !other || strcmp(id, other) != 0) continue;
        if (!name != !oname || (name && strcmp(name, oname) != 0) || !type != !otype ||
            (type && strcmp(type, otype) != 0))
            return defs[i];
    }
    return NULL;
}

/* An embedded credential of the CLR whose subject is sid. */
static int clr_embedded(const ob *o, const cx_ynode *vc, const char *sid,
                        const cx_ynode *const *defs, size_t ndefs, const outs *out)
{
    const cx_ynode *subject, *a, *other;
    const char *jur;
    char jbuf[16];
    int rc;
    if (vc->kind != CX_YMAP)
        return fail(o, vc,
                    "an embedded credential that is not a JSON object (a VC-JWT inside a CLR) "
                    "is not read");
    if (!cx__ob3_recognises(vc) || lists(cx__ymap_get(vc, "type"), "EndorsementCredential"))
        return fail(o, vc, "expected an OpenBadgeCredential or AchievementCredential");
    if ((rc = subject_of(o, vc, &subject))) return rc;
    const cx_ynode *id = cx__ymap_get(subject, "id");
    if (strcmp(id->text, sid) != 0)
        return fail(o, id, "the credential is about '%s', not the CLR's subject '%s'", id->text,
                    sid);
    a = cx__ymap_get(subject, "achievement");
    if (a && a->kind == CX_YMAP && (other = conflict(a, defs, ndefs)))
        return fail(o, a, "achievement '%s' is defined differently at %s in this file",
                    text_of(a, "id"), other->where ? other->where : "");
    return map_one(o, vc, subject, out, &jur, jbuf);
}

/* A bare achievement of the CLR subject: a definition, not an award. */
static int clr_achievement(const ob *o, const cx_ynode *a, const cx_ynode *issuer,
                           const cx_ynode *const *defs, size_t ndefs, const outs *out)
{
    const cx_ynode *creator, *other;
    const char *jur;
    char pid[MAX_ID_LEN + 1], cid[MAX_ID_LEN + 1], jbuf[16];
    int rc;
    if (a->kind != CX_YMAP) return fail(o, a, "expected an achievement (a mapping)");
    if ((other = conflict(a, defs, ndefs)))
        return fail(o, a, "achievement '%s' is defined differently at %s in this file",
                    text_of(a, "id"), other->where ? other->where : "");
    report_unknown(o, a, achievement_keys);
    creator = cx__ymap_get(a, "creator");
    if ((rc = map_provider(o, creator ? creator : issuer, out->providers, pid, &jur, jbuf)))
        return rc;
    return map_credential(o, a, pid, jur, out->credentials, cid);
}

/* Every achievement the CLR defines: its embedded credentials' and its
 * bare ones, into *defs (malloc'd). */
static int clr_definitions(const ob *o, const cx_ynode *vcs, const cx_ynode *bare,
                           const cx_ynode ***defs, size_t *n)
{
    size_t cap = (vcs ? vcs->count : 0) + (bare ? bare->count : 0) + 1;
    *n = 0;
    if (!(*defs = malloc(cap * sizeof **defs))) return nomem(o);
    for (size_t i = 0; vcs && i < vcs->count; i++) {
        const cx_ynode *sub = vcs->items[i]->kind == CX_YMAP
                                  ? cx__ymap_get(vcs->items[i], "credentialSubject")
                                  : NULL;
        const cx_ynode *a = sub && sub->kind == CX_YMAP ? cx__ymap_get(sub, "achievement") : NULL;
        if (a && a->kind == CX_YMAP) (*defs)[(*n)++] = a;
    }
    for (size_t i = 0; bare && i < bare->count; i++)
        if (bare->items[i]->kind == CX_YMAP) (*defs)[(*n)++] = bare->items[i];
    return CX_OK;
}

/* Associations are drafting material: each is reported; one that names
 * an achievement not in the file says so. */
static void clr_associations(const ob *o, const cx_ynode *list, const cx_ynode *const *defs,
                             size_t ndefs)
{
    for (size_t i = 0; list && list->kind == CX_YLIST && i < list->count; i++) {
        const cx_ynode *as = list->items[i];
        const char *ends[] = {text_of(as, "sourceId"), text_of(as, "targetId")};
        int known = 1;
        for (size_t e = 0; e < 2; e++) {
            int found = 0;
            for (size_t k = 0; ends[e] && k < ndefs && !found; k++) {
                const char *id = text_of(defs[k], "id");
                found = id && strcmp(id, ends[e]) == 0;
            }
            known = known && found;
        }
        report(o, as, NULL,
               known ? "association: not imported (drafting material)"
                     : "association naming an achievement not in this file: not imported");
    }
}

static int map_clr(const ob *o, const cx_ynode *clr, cx_ynode *root)
{
    const cx_ynode *subject, *issuer = cx__ymap_get(clr, "issuer");
    const cx_ynode **defs = NULL;
    size_t ndefs = 0;
    char jbuf[16];
    int rc, skipped;
    if ((rc = check_contexts(o, clr)) || (rc = check_verifiable(o, clr)) ||
        (rc = subject_of(o, clr, &subject)))
        return rc;
    if (!issuer || (issuer->kind != CX_YMAP && (issuer->kind != CX_YSCALAR || issuer->plain)))
        return fail(o, issuer ? issuer : clr, "expected an issuer (an IRI or a profile)");
    const cx_ynode *vcs = cx__ymap_get(subject, "verifiableCredential");
    const cx_ynode *bare = cx__ymap_get(subject, "achievement");
    if (vcs && vcs->kind != CX_YLIST)
        return fail(o, vcs, "expected a list for 'verifiableCredential'");
    if (bare && bare->kind != CX_YLIST) return fail(o, bare, "expected a list for 'achievement'");
    report_unknown(o, clr, vc_keys);
    report_unknown(o, subject, clr_subject_keys);
    outs out = {node(o, CX_YLIST, clr), node(o, CX_YLIST, clr), node(o, CX_YLIST, clr),
                node(o, CX_YLIST, clr)};
    if (!out.providers || !out.credentials || !out.awards || !out.entries) return nomem(o);
    if ((rc = clr_definitions(o, vcs, bare, &defs, &ndefs))) return rc;
    const char *sid = cx__ymap_get(subject, "id")->text;
    for (size_t i = 0; vcs && i < vcs->count && !rc; i++)
        rc = item_left_out(o, clr_embedded(o, vcs->items[i], sid, defs, ndefs, &out), &skipped);
    for (size_t i = 0; bare && i < bare->count && !rc; i++)
        rc = item_left_out(o, clr_achievement(o, bare->items[i], issuer, defs, ndefs, &out),
                           &skipped);
    if (!rc) clr_associations(o, cx__ymap_get(subject, "association"), defs, ndefs);
    free(defs);
    if (rc || (rc = put_outs(o, &out, root))) return rc;
    return map_holder(o, subject, profile_jurisdiction(o, issuer, jbuf), out.awards, root);
}

int cx__clr_map(const cx_ydoc *json, const cx_import_options *opts, cx_ydoc **out, cx_error *err)
{
    ob o = {cx__ydoc_name(json), opts, NULL, err, NULL, "clr2"};
    const cx_ynode *clr = cx__ydoc_root(json);
    int rc = cx__ydoc_new(o.file, "ob3", &o.out, err);
    if (rc) return rc;
    cx_ynode *root = node(&o, CX_YMAP, clr);
    if (!root) {
        rc = nomem(&o);
        goto done;
    }
    cx__ydoc_set_root(o.out, root);
    rc = map_clr(&o, clr, root);
done:
    if (rc) {
        cx__ydoc_free(o.out);
        o.out = NULL;
    }
    *out = o.out;
    return rc;
}

int cx__clr_read(const cx_ynode *clr, cx_clr_visit_fn visit, void *ud)
{
    const cx_ynode *subject = cx__ymap_get(clr, "credentialSubject");
    if (!subject || subject->kind != CX_YMAP) return CX_OK;
    const cx_ynode *vcs = cx__ymap_get(subject, "verifiableCredential");
    const cx_ynode *bare = cx__ymap_get(subject, "achievement");
    const cx_ynode *list = cx__ymap_get(subject, "association");
    const cx_ynode *issuer = cx__ymap_get(clr, "issuer");
    const char *by = issuer && issuer->kind == CX_YSCALAR ? issuer->text : NULL;
    if (issuer && issuer->kind == CX_YMAP)
        by = text_of(issuer, "name") ? text_of(issuer, "name") : text_of(issuer, "id");
    cx_error err;
    ob o = {"", NULL, NULL, &err, NULL, "clr2"};
    const cx_ynode **defs = NULL;
    cx_clr_achievement *as = NULL;
    cx_strmap by_iri; /* the first definition of each id */
    size_t n = 0;
    cx__strmap_init(&by_iri);
    int rc = clr_definitions(&o, vcs && vcs->kind == CX_YLIST ? vcs : NULL,
                             bare && bare->kind == CX_YLIST ? bare : NULL, &defs, &n);
    if (!rc && !(as = calloc(n ? n : 1, sizeof *as))) rc = CX_ENOMEM;
    for (size_t i = 0; i < n && !rc; i++) {
        as[i] = (cx_clr_achievement){
            defs[i], text_of(defs[i], "id"), "", text_of(defs[i], "name"), letter_grades(defs[i]),
            by};
        int seen = as[i].iri ? cx__strmap_put(&by_iri, as[i].iri, &as[i], NULL) : 1;
        if (seen < 0) rc = CX_ENOMEM;
        if (seen) continue;
        achievement_id(defs[i], as[i].iri, as[i].id);
        rc = visit(ud, &as[i], NULL);
    }
    for (size_t i = 0; list && list->kind == CX_YLIST && i < list->count && !rc; i++) {
        const cx_ynode *m = list->items[i];
        if (m->kind != CX_YMAP) continue;
        const char *from = text_of(m, "sourceId"), *to = text_of(m, "targetId");
        cx_clr_association a = {m,
                                text_of(m, "associationType"),
                                from,
                                to,
                                from ? cx__strmap_get(&by_iri, from) : NULL,
                                to ? cx__strmap_get(&by_iri, to) : NULL};
        rc = visit(ud, NULL, &a);
    }
    cx__strmap_free(&by_iri);
    free(defs);
    free(as);
    return rc;
}

/* ------------------------------------------------------------ status lists */

const char *const cx__badge_extra_keys[] = {
    "status_entries", "status_list", "revoked_assertions", "badge_class", "signed_assertion", NULL};

int cx__status_list_recognises(const cx_ynode *root)
{
    const cx_ynode *type = root && root->kind == CX_YMAP ? cx__ymap_get(root, "type") : NULL;
    return lists(type, "BitstringStatusListCredential") || lists(type, "StatusList2021Credential");
}

int cx__status_list_map(const cx_ydoc *json, const cx_import_options *opts, cx_ydoc **out,
                        cx_error *err)
{
    ob o = {cx__ydoc_name(json), opts, NULL, err, NULL, "ob3"};
    const cx_ynode *cred = cx__ydoc_root(json);
    const cx_ynode *subject = cx__ymap_get(cred, "credentialSubject");
    const cx_ynode *encoded =
        subject && subject->kind == CX_YMAP ? cx__ymap_get(subject, "encodedList") : NULL;
    const char *id = text_of(cred, "id"), *purpose = text_of(subject, "statusPurpose");
    const cx_ynode *from = cx__ymap_get(cred, "validFrom");
    const char *from_key = "validFrom";
    char checked[11];
    int rc = cx__ydoc_new(o.file, "ob3", &o.out, err);
    if (rc) return rc;
    if (!from) from = cx__ymap_get(cred, from_key = "issuanceDate");
    cx_ynode *root = node(&o, CX_YMAP, cred), *list = node(&o, CX_YMAP, cred);
    if (!root || !list) {
        rc = nomem(&o);
        goto done;
    }
    cx__ydoc_set_root(o.out, root);
    if ((rc = check_contexts(&o, cred))) goto done;
    if (!id || !encoded || encoded->kind != CX_YSCALAR || !purpose || !from) {
        rc = fail(&o, cred,
                  "a status list credential needs an id, a validFrom (or issuanceDate) and a "
                  "credentialSubject with encodedList and statusPurpose");
        goto done;
    }
    if ((rc = instant(&o, from, from_key, 0, checked))) goto done;
    const char *format = lists(cx__ymap_get(cred, "type"), "BitstringStatusListCredential")
                             ? "bitstring"
                             : "statuslist2021";
    cx_ynode *enc = str(&o, encoded->text, encoded);
    if (!enc) {
        rc = nomem(&o);
        goto done;
    }
    if ((rc = put(&o, list, "id", id, cx__ymap_get(cred, "id"))) ||
        (rc = put(&o, list, "format", format, cred)) ||
        (rc = put(&o, list, "purpose", purpose, cx__ymap_get(subject, "statusPurpose"))) ||
        (rc = put(&o, list, "checked", checked, from)) ||
        (rc = put_node(&o, list, "encoded", enc)) || (rc = put_node(&o, root, "status_list", list)))
        goto done;
done:
    if (rc) {
        cx__ydoc_free(o.out);
        o.out = NULL;
    }
    *out = o.out;
    return rc;
}

/* One status list read from the inputs. */
typedef struct read_list {
    const char *id;       /* the list credential's id, which entries name */
    const char *purpose;  /* its statusPurpose: "revocation", "suspension", ... */
    const char *checked;  /* the UTC date of its validFrom: status_checked */
    const char *file;     /* the input it came from */
    cx_status_list *bits; /* the decoded list; owned */
} read_list;

static int check_entry(const cx_ydoc *doc, const cx_ynode *e, const read_list *lists_read,
                       size_t nlists, const cx_import_options *opts, cx_badge_status_fn apply,
                       void *ud, cx_error *err)
{
    const char *file = cx__ydoc_name(doc);
    const char *list = text_of(e, "list"), *purpose = text_of(e, "purpose");
    const read_list *l = NULL;
    int bit, rc;
    for (size_t i = 0; i < nlists && !l; i++)
        if (strcmp(lists_read[i].id, list) == 0) l = &lists_read[i];
    if (!l) {
        ob o = {file, opts, NULL, err, NULL, "ob3"};
        report(&o, e, "statusListCredential",
               "status not checked: its status list credential is not among the inputs");
        return CX_OK;
    }
    if (strcmp(purpose, l->purpose) != 0)
        return cx__ynode_error(err, file, cx__ymap_get(e, "purpose"),
                               "statusPurpose '%s' differs from the list's '%s' (%s)", purpose,
                               l->purpose, l->file);
    if ((rc = cx__status_list_bit(file, l->bits, cx__ymap_get(e, "index"), &bit, err))) return rc;
    const char *status = !bit                                 ? NULL
                         : strcmp(purpose, "revocation") == 0 ? "revoked"
                         : strcmp(purpose, "suspension") == 0 ? "suspended"
                                                              : NULL;
    rc = apply(ud, text_of(e, "source_id"), status, l->checked);
    return rc < 0 ? cx__error(err, CX_ENOMEM, file, 0, 0, "out of memory") : CX_OK;
}

/* Verifies the signed assertion sa (of document doc) against trust, by
 * the issuer of its badge class (embedded, or a badge_class among docs). */
static int verify_assertion(cx_ydoc *const *docs, size_t ndocs, const cx_ydoc *doc,
                            const cx_ynode *sa, const cx_trust *trust,
                            const cx_import_options *opts, cx_badge_verified_fn verified, void *ud,
                            cx_error *err)
{
    const char *file = cx__ydoc_name(doc), *issuer = text_of(sa, "issuer");
    const char *badge = text_of(sa, "badge");
    const cx_ynode *tok = cx__ymap_get(sa, "token");
    cx_jws *jws = NULL;
    cx_jws_outcome outcome;
    const cx_jwk *key;
    for (size_t i = 0; i < ndocs && !issuer; i++) {
        const cx_ynode *root = cx__ydoc_root(docs[i]);
        const cx_ynode *bc = strcmp(cx__ydoc_format(docs[i]), "ob3") == 0 && root
                                 ? cx__ymap_get(root, "badge_class")
                                 : NULL;
        if (bc && strcmp(text_of(bc, "id"), badge) == 0) issuer = text_of(bc, "issuer");
    }
    if (!issuer)
        return cx__error(err, CX_EINPUT, file, 1, 1,
                         "the badge class '%s' of this signed assertion is not among the inputs: "
                         "its issuer is the one the signature is checked against",
                         badge);
    int rc = cx__jws_decode(file, 1, 1, tok->text, tok->len, &jws, err);
    if (!rc) rc = cx__jws_verify(jws, trust, issuer, &outcome, &key, err);
    cx__jws_free(jws);
    if (rc) return rc;
    if (outcome == CX_JWS_NO_ISSUER && !(opts && opts->allow_unverified))
        return cx__error(err, CX_EINPUT, file, 1, 1,
                         "issuer '%s' is not in the trust file%s; --allow-unverified imports "
                         "the award as unverified",
                         issuer, trust ? "" : " (no --trust FILE given)");
    rc = verified(ud, text_of(sa, "source_id"), issuer,
                  outcome == CX_JWS_VERIFIED ? NULL : "issuer not in the trust file");
    return rc < 0 ? cx__error(err, CX_ENOMEM, file, 0, 0, "out of memory") : CX_OK;
}

int cx__badge_verify(cx_ydoc *const *docs, size_t ndocs, const cx_trust *trust,
                     const cx_import_options *opts, cx_badge_verified_fn verified, void *ud,
                     cx_error *err)
{
    int rc = CX_OK;
    for (size_t i = 0; i < ndocs && !rc; i++) {
        const cx_ynode *root = cx__ydoc_root(docs[i]);
        const cx_ynode *sa = strcmp(cx__ydoc_format(docs[i]), "ob3") == 0 && root
                                 ? cx__ymap_get(root, "signed_assertion")
                                 : NULL;
        if (sa) rc = verify_assertion(docs, ndocs, docs[i], sa, trust, opts, verified, ud, err);
    }
    return rc;
}

int cx__badge_status(cx_ydoc *const *docs, size_t ndocs, const cx_import_options *opts,
                     cx_badge_status_fn apply, void *ud, cx_error *err)
{
    read_list *read = NULL;
    size_t nread = 0;
    int rc = CX_OK;
    for (size_t i = 0; i < ndocs && !rc; i++) {
        const cx_ynode *root = cx__ydoc_root(docs[i]);
        const cx_ynode *l = strcmp(cx__ydoc_format(docs[i]), "ob3") == 0 && root
                                ? cx__ymap_get(root, "status_list")
                                : NULL;
        if (!l) continue;
        read_list *grown = realloc(read, (nread + 1) * sizeof *read);
        if (!grown) {
            rc = cx__error(err, CX_ENOMEM, cx__ydoc_name(docs[i]), 0, 0, "out of memory");
            break;
        }
        read = grown;
        read_list *r = &read[nread];
        *r = (read_list){text_of(l, "id"), text_of(l, "purpose"), text_of(l, "checked"),
                         cx__ydoc_name(docs[i]), NULL};
        rc = cx__status_list_decode(r->file, cx__ymap_get(l, "encoded"),
                                    strcmp(text_of(l, "format"), "bitstring") == 0
                                        ? CX_STATUS_BITSTRING
                                        : CX_STATUS_LIST2021,
                                    &r->bits, err);
        if (!rc) nread++;
    }
    for (size_t i = 0; i < ndocs && !rc; i++) {
        const cx_ynode *root = cx__ydoc_root(docs[i]);
        const cx_ynode *es = strcmp(cx__ydoc_format(docs[i]), "ob3") == 0 && root
                                 ? cx__ymap_get(root, "status_entries")
                                 : NULL;
        for (size_t k = 0; es && k < es->count && !rc; k++)
            rc = check_entry(docs[i], es->items[k], read, nread, opts, apply, ud, err);
    }
    for (size_t i = 0; i < ndocs && !rc; i++) {
        const cx_ynode *root = cx__ydoc_root(docs[i]);
        const cx_ynode *ids = strcmp(cx__ydoc_format(docs[i]), "ob3") == 0 && root
                                  ? cx__ymap_get(root, "revoked_assertions")
                                  : NULL;
        for (size_t k = 0; ids && k < ids->count && !rc; k++)
            if (apply(ud, ids->items[k]->text, "revoked", NULL) < 0)
                rc = cx__error(err, CX_ENOMEM, cx__ydoc_name(docs[i]), 0, 0, "out of memory");
    }
    for (size_t i = 0; i < nread; i++) cx__status_list_free(read[i].bits);
    free(read);
    return rc;
}

/* ------------------------------------------------------- Open Badges 2.0 */

int cx__ob2_recognises(const cx_ynode *root)
{
    const cx_ynode *type = root && root->kind == CX_YMAP ? cx__ymap_get(root, "type") : NULL;
    const cx_ynode *ctx = type ? cx__ymap_get(root, "@context") : NULL;
    return (lists(ctx, "https://w3id.org/openbadges/v2") ||
            lists(ctx, "http://w3id.org/openbadges/v2")) &&
           (lists(type, "Assertion") || lists(type, "BadgeClass") || lists(type, "Issuer") ||
            lists(type, "Profile") || lists(type, "RevocationList"));
}

static const char *const assertion_keys[] = {
    "@context", "type",  "id",           "recipient",   "image",     "evidence", "issuedOn",
    "expires",  "badge", "verification", "endorsement", "narrative", "revoked",  "revocationReason",
    "related",  NULL};
static const char *const badgeclass_keys[] = {
    "@context", "type",      "id",   "name",        "description", "image",   "criteria",
    "issuer",   "alignment", "tags", "endorsement", "related",     "version", NULL};

/* The jurisdiction of an Open Badges 2.0 issuer: --jurisdiction (an OB 2.0
 * profile has no structured address). */
static int ob2_jurisdiction(const ob *o, const cx_ynode *at, const char **jur)
{
    *jur = o->opts ? o->opts->jurisdiction : NULL;
    if (!*jur)
        return fail(o, at,
                    "an Open Badges 2.0 issuer has no address credex reads; give "
                    "--jurisdiction J");
    return CX_OK;
}

/* An Open Badges 2.0 issuer profile -> a provider. */
static int ob2_issuer(const ob *o, const cx_ynode *profile, const outs *out)
{
    const char *iri = text_of(profile, "id"), *name = text_of(profile, "name"), *jur;
    char pid[MAX_ID_LEN + 1];
    int hashed, rc;
    if (!iri) return fail(o, profile, "the issuer has no id");
    if ((rc = ob2_jurisdiction(o, profile, &jur))) return rc;
    derive_id(iri, pid, &hashed);
    cx_ynode *p = node(o, CX_YMAP, profile);
    if (!p) return nomem(o);
    if ((rc = put(o, p, "id", pid, cx__ymap_get(profile, "id"))) ||
        (rc = put(o, p, "name", name ? name : iri, profile)) ||
        (rc = put(o, p, "jurisdiction", jur, profile)))
        return rc;
    return cx__ylist_append(o->out, out->providers, p) ? nomem(o) : CX_OK;
}

/* A BadgeClass -> a credential of type badge; its issuer, when embedded,
 * a provider; *issuer_iri its issuer's IRI. */
static int ob2_badge(const ob *o, const cx_ynode *badge, const outs *out, const char **issuer_iri)
{
    const char *iri = text_of(badge, "id"), *name = text_of(badge, "name"), *jur;
    const cx_ynode *issuer = cx__ymap_get(badge, "issuer");
    char cid[MAX_ID_LEN + 1], pid[MAX_ID_LEN + 1];
    int hashed, ph, rc;
    if (!iri || !name) return fail(o, badge, "a BadgeClass needs an id and a name");
    if (!issuer || (issuer->kind != CX_YMAP && (issuer->kind != CX_YSCALAR || issuer->plain)))
        return fail(o, issuer ? issuer : badge, "expected an issuer (an IRI or a profile)");
    *issuer_iri = issuer->kind == CX_YSCALAR ? issuer->text : text_of(issuer, "id");
    if (!*issuer_iri) return fail(o, issuer, "the issuer has no id");
    if (issuer->kind == CX_YMAP && (rc = ob2_issuer(o, issuer, out))) return rc;
    if ((rc = ob2_jurisdiction(o, badge, &jur))) return rc;
    report_unknown(o, badge, badgeclass_keys);
    report_endorsements(o, badge);
    derive_id(iri, cid, &hashed);
    derive_id(*issuer_iri, pid, &ph);
    cx_ynode *c = node(o, CX_YMAP, badge);
    if (!c) return nomem(o);
    if ((rc = put(o, c, "id", cid, cx__ymap_get(badge, "id"))) ||
        (rc = put(o, c, "name", name, cx__ymap_get(badge, "name"))) ||
        (rc = put(o, c, "type", "badge", badge)) || (rc = put(o, c, "provider", pid, issuer)) ||
        (rc = put(o, c, "jurisdiction", jur, badge)))
        return rc;
    if (hashed) {
        cx_ynode *attrs = node(o, CX_YMAP, badge);
        if (!attrs) return nomem(o);
        if ((rc = put(o, attrs, "source_iri", iri, cx__ymap_get(badge, "id"))) ||
            (rc = put_node(o, c, "attributes", attrs)))
            return rc;
    }
    return cx__ylist_append(o->out, out->credentials, c) ? nomem(o) : CX_OK;
}

/* 1 when the holders-file identity row names the recipient: the same
 * plain identity, or sha256$ of row and salt equal to the hashed one. */
static int recipient_is(const char *row, size_t len, const char *identity, int hashed,
                        const char *salt)
{
    if (!hashed) return strlen(identity) == len && memcmp(identity, row, len) == 0;
    if (strncmp(identity, "sha256$", 7) != 0 || strlen(identity) != 7 + 64) return 0;
    size_t slen = salt ? strlen(salt) : 0;
    char *buf = malloc(len + slen + 1), hex[65];
    if (!buf) return -1;
    memcpy(buf, row, len);
    if (slen) memcpy(buf + len, salt, slen);
    cx__sha256_hex(buf, len + slen, hex);
    free(buf);
    for (size_t i = 0; i < 64; i++) {
        char c = identity[7 + i];
        if ((c >= 'A' && c <= 'F' ? (char)(c - 'A' + 'a') : c) != hex[i]) return 0;
    }
    return 1;
}

/* The holder --holders FILE (CSV "identity,holder") gives the recipient,
 * into holder; an identity itself is never kept. */
static int ob2_recipient(const ob *o, const cx_ynode *as, char holder[MAX_ID_LEN + 1])
{
    const cx_ynode *recipient = cx__ymap_get(as, "recipient");
    const char *identity = text_of(recipient, "identity"), *salt = text_of(recipient, "salt");
    const cx_ynode *h =
        recipient && recipient->kind == CX_YMAP ? cx__ymap_get(recipient, "hashed") : NULL;
    const char *path = o->opts ? o->opts->holders : NULL;
    char *data = NULL;
    size_t len = 0;
    int rc, line = 1, found = 0;
    if (!identity) return fail(o, recipient ? recipient : as, "the recipient has no identity");
    if (!path)
        return fail(o, recipient,
                    "a recipient identity needs --holders FILE (CSV identity,holder) to name "
                    "its holder; identities are never stored");
    if ((rc = cx__yread_file_limited(path, o->opts ? o->opts->limits : NULL, &data, &len, o->err)))
        return rc;
    int hashed = h && h->kind == CX_YSCALAR && strcmp(h->text, "true") == 0;
    const char *p = data, *end = data + len;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *eol = nl ? nl : end;
    if (eol - p < 15 || strncmp(p, "identity,holder", 15) != 0 ||
        (eol - p > 15 && !(eol - p == 16 && p[15] == '\r'))) {
        rc = cx__error(o->err, CX_EINPUT, path, 1, 1, "expected the header identity,holder");
        goto done;
    }
    for (p = nl ? nl + 1 : end; p < end && !found; p = nl ? nl + 1 : end) {
        line++;
        nl = memchr(p, '\n', (size_t)(end - p));
        eol = nl ? nl : end;
        if (eol > p && eol[-1] == '\r') eol--;
        if (eol == p) continue;
        const char *comma = eol;
        while (comma > p && comma[-1] != ',') comma--;
        if (comma == p || memchr(p, '"', (size_t)(eol - p)) || (size_t)(eol - comma) > MAX_ID_LEN) {
            rc = cx__error(o->err, CX_EINPUT, path, line, 1,
                           "expected identity,holder (no quotes; a holder id of at most %d "
                           "characters)",
                           MAX_ID_LEN);
            goto done;
        }
        found = recipient_is(p, (size_t)(comma - 1 - p), identity, hashed, salt);
        if (found < 0) {
            rc = nomem(o);
            goto done;
        }
        if (found) snprintf(holder, MAX_ID_LEN + 1, "%.*s", (int)(eol - comma), comma);
    }
    if (!found) rc = fail(o, recipient, "no identity in %s matches this recipient", path);
done:
    free(data);
    return rc;
}

/* An Assertion -> the award of the recipient's holder. */
static int ob2_assertion(const ob *o, const cx_ynode *as, const outs *out, cx_ynode *root)
{
    const cx_ynode *badge = cx__ymap_get(as, "badge"), *from = cx__ymap_get(as, "issuedOn");
    const cx_ynode *until = cx__ymap_get(as, "expires"), *ver = cx__ymap_get(as, "verification");
    const char *id = text_of(as, "id"), *kind = text_of(ver, "type"), *issuer = NULL;
    const char *evidence = text_of(as, "evidence");
    char cid[MAX_ID_LEN + 1], hid[MAX_ID_LEN + 1], issued[11], expires[11], note[96];
    int hashed, rc;
    if (!kind) kind = "none";
    snprintf(note, sizeof note, "%s verification not checked: credex never fetches", kind);
    if (o->sig) { /* a signed assertion: cx__badge_status verifies it */
        kind = o->sig->proof;
        snprintf(note, sizeof note, "%s", o->sig->note);
    } else if (!(o->opts && o->opts->allow_unverified))
        return fail(o, ver ? ver : as, "%s; --allow-unverified imports the award as unverified",
                    note);
    if (!badge || (badge->kind != CX_YMAP && (badge->kind != CX_YSCALAR || badge->plain)))
        return fail(o, badge ? badge : as, "expected a badge (an IRI or a BadgeClass)");
    if (!from) return fail(o, as, "no issue date: expected issuedOn");
    if ((rc = instant(o, from, "issuedOn", 0, issued)) ||
        (until && (rc = instant(o, until, "expires", 1, expires))) ||
        (badge->kind == CX_YMAP && (rc = ob2_badge(o, badge, out, &issuer))) ||
        (rc = ob2_recipient(o, as, hid)))
        return rc;
    report_unknown(o, as, assertion_keys);
    report_endorsements(o, as);
    derive_id(badge->kind == CX_YSCALAR ? badge->text : text_of(badge, "id"), cid, &hashed);
    cx_ynode *aw = node(o, CX_YMAP, as), *p = node(o, CX_YMAP, ver ? ver : as);
    if (!aw || !p) return nomem(o);
    if ((rc = put(o, aw, "credential", cid, badge)) || (rc = put(o, aw, "issued", issued, from)) ||
        (until && (rc = put(o, aw, "expires", expires, until))) ||
        (evidence && (rc = put(o, aw, "evidence", evidence, cx__ymap_get(as, "evidence")))) ||
        (rc = put(o, p, "format", "ob2", as)) ||
        (id && (rc = put(o, p, "source_id", id, cx__ymap_get(as, "id")))) ||
        (issuer && (rc = put(o, p, "issuer", issuer, badge))) ||
        (rc = put(o, p, "proof", kind, ver ? ver : as)) ||
        (rc = put(o, p, "verification", "unverified", ver ? ver : as)) ||
        (rc = put(o, p, "note", note, ver ? ver : as)) || (rc = put_node(o, aw, "provenance", p)))
        return rc;
    if (cx__ylist_append(o->out, out->awards, aw)) return nomem(o);
    cx_ynode *holders = node(o, CX_YLIST, as), *h = node(o, CX_YMAP, as);
    const cx_ynode *rcp = cx__ymap_get(as, "recipient");
    if (!holders || !h) return nomem(o);
    if ((rc = put(o, h, "id", hid, rcp)) ||
        (o->opts && o->opts->jurisdiction &&
         (rc = put(o, h, "jurisdiction", o->opts->jurisdiction, rcp))) ||
        (rc = put_node(o, h, "awards", out->awards)))
        return rc;
    if (cx__ylist_append(o->out, holders, h)) return nomem(o);
    return put_node(o, root, "holders", holders);
}

/* A BadgeClass's id and issuer IRI, under the document's badge_class:
 * the issuer a signed assertion of the badge is verified against. */
static int ob2_badge_class(const ob *o, const cx_ynode *badge, const char *issuer, cx_ynode *root)
{
    cx_ynode *bc = node(o, CX_YMAP, badge);
    int rc;
    if (!bc) return nomem(o);
    if ((rc = put(o, bc, "id", text_of(badge, "id"), cx__ymap_get(badge, "id"))) ||
        (rc = put(o, bc, "issuer", issuer, cx__ymap_get(badge, "issuer"))))
        return rc;
    return put_node(o, root, "badge_class", bc);
}

static int map_ob2(const ob *o, const cx_ynode *doc, cx_ynode *root);

/* A signed Open Badges 2.0 assertion (its JWS decoded): mapped as the
 * JSON one, with the token kept under signed_assertion for
 * cx__badge_status, which verifies it once every badge class is read. */
static int ob2_signed(const ob *o, const cx_jws *jws, const char *token, size_t len,
                      const cx_ydoc *json, cx_ydoc **out)
{
    const cx_ynode *as = cx__ydoc_root(json), *badge = cx__ymap_get(as, "badge");
    char proof[32];
    snprintf(proof, sizeof proof, "jwt-%s", jws->alg);
    cx_badge_signature sig = {proof, 0, "signature not checked"};
    ob s = *o;
    s.sig = &sig;
    s.format = "ob2";
    int rc = cx__ydoc_new(s.file, "ob3", &s.out, s.err);
    if (rc) return rc;
    cx_ynode *root = node(&s, CX_YMAP, as), *sa = node(&s, CX_YMAP, as);
    const char *badge_iri = !badge                      ? NULL
                            : badge->kind == CX_YSCALAR ? badge->text
                                                        : text_of(badge, "id");
    const cx_ynode *issuer = badge && badge->kind == CX_YMAP ? cx__ymap_get(badge, "issuer") : NULL;
    const char *issuer_iri = !issuer                      ? NULL
                             : issuer->kind == CX_YSCALAR ? issuer->text
                                                          : text_of(issuer, "id");
    if (!root || !sa) {
        rc = nomem(&s);
        goto done;
    }
    cx__ydoc_set_root(s.out, root);
    if ((rc = map_ob2(&s, as, root))) goto done;
    if (!text_of(as, "id") || !badge_iri) {
        rc = fail(&s, as, "a signed assertion needs an id and a badge");
        goto done;
    }
    cx_ynode *tok = cx__ynode_scalar(s.out, token, len, 0, 1, 1, NULL);
    if (!tok) {
        rc = nomem(&s);
        goto done;
    }
    if ((rc = put_node(&s, sa, "token", tok)) ||
        (rc = put(&s, sa, "source_id", text_of(as, "id"), cx__ymap_get(as, "id"))) ||
        (rc = put(&s, sa, "badge", badge_iri, badge)) ||
        (issuer_iri && (rc = put(&s, sa, "issuer", issuer_iri, issuer))))
        goto done;
    rc = put_node(&s, root, "signed_assertion", sa);
done:
    if (rc) {
        cx__ydoc_free(s.out);
        s.out = NULL;
    }
    *out = s.out;
    return rc;
}

/* A RevocationList -> the ids of the assertions it revokes, under the
 * document's revoked_assertions (cx__badge_status applies them). */
static int ob2_revocations(const ob *o, const cx_ynode *doc, cx_ynode *root)
{
    const cx_ynode *list = cx__ymap_get(doc, "revokedAssertions");
    if (!list || list->kind != CX_YLIST)
        return fail(o, list ? list : doc, "expected a list for 'revokedAssertions'");
    cx_ynode *ids = node(o, CX_YLIST, list);
    if (!ids) return nomem(o);
    for (size_t i = 0; i < list->count; i++) {
        const cx_ynode *r = list->items[i];
        const cx_ynode *id = r->kind == CX_YMAP ? cx__ymap_get(r, "id") : r;
        if (!id || id->kind != CX_YSCALAR || id->plain)
            return fail(o, r, "expected an assertion id, or an object with one");
        cx_ynode *n = str(o, id->text, id);
        if (!n || cx__ylist_append(o->out, ids, n)) return nomem(o);
    }
    return put_node(o, root, "revoked_assertions", ids);
}

static int map_ob2(const ob *o, const cx_ynode *doc, cx_ynode *root)
{
    const cx_ynode *type = cx__ymap_get(doc, "type");
    const char *issuer;
    int rc = check_contexts(o, doc);
    if (rc) return rc;
    outs out = {node(o, CX_YLIST, doc), node(o, CX_YLIST, doc), node(o, CX_YLIST, doc),
                node(o, CX_YLIST, doc)};
    if (!out.providers || !out.credentials || !out.awards || !out.entries) return nomem(o);
    if (lists(type, "RevocationList")) return ob2_revocations(o, doc, root);
    if (lists(type, "Assertion"))
        rc = ob2_assertion(o, doc, &out, root);
    else if (lists(type, "BadgeClass") && !(rc = ob2_badge(o, doc, &out, &issuer)))
        rc = ob2_badge_class(o, doc, issuer, root);
    else
        rc = ob2_issuer(o, doc, &out);
    return rc ? rc : put_outs(o, &out, root);
}

int cx__ob2_map(const cx_ydoc *json, const cx_import_options *opts, cx_ydoc **out, cx_error *err)
{
    ob o = {cx__ydoc_name(json), opts, NULL, err, NULL, "ob2"};
    const cx_ynode *doc = cx__ydoc_root(json);
    int rc = cx__ydoc_new(o.file, "ob3", &o.out, err);
    if (rc) return rc;
    cx_ynode *root = node(&o, CX_YMAP, doc);
    if (!root) {
        rc = nomem(&o);
        goto done;
    }
    cx__ydoc_set_root(o.out, root);
    rc = map_ob2(&o, doc, root);
done:
    if (rc) {
        cx__ydoc_free(o.out);
        o.out = NULL;
    }
    *out = o.out;
    return rc;
}
