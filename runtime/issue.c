/*
 * issue.c -- `credex issue` (docs/signing.md, "Issuing badges"): the audit
 * of one holder and stack, and for a met stack an Open Badges 3.0
 * credential made from the decision, the snapshot and the holder's awards,
 * its id derived from its content. It reads no clock and draws no random
 * bytes; JSON is render_issue.c's, signatures jws_sign.c's.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "date.h"
#include "hash.h"
#include "issue.h"
#include "jws.h"
#include "snapshot.h"
#include "util.h"

struct cx_issuer {
    char *id;               /* an IRI */
    char *name;             /* the profile's name */
    int has_key;            /* 1 when key holds the private key */
    cx_ed25519_private key; /* from the key file (jws_sign.c) */
};

#define REGISTRY_IRI "https://credentialengineregistry.org/resources/"

/* 1 when s is an absolute IRI: a scheme (a letter, then letters, digits,
 * '+', '-', '.'), ':', and at least one character more, with no white
 * space, control character or character RFC 3987 excludes. */
static int is_iri(const char *s)
{
    size_t i = 0;
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return 0;
    while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
           (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '-' || s[i] == '.')
        i++;
    if (s[i] != ':' || !s[i + 1]) return 0;
    for (const unsigned char *p = (const unsigned char *)s + i + 1; *p; p++)
        if (*p <= 0x20 || *p == 0x7f || strchr("<>\"{}|\\^`", *p)) return 0;
    return 1;
}

int cx_issuer_new(const char *id, const char *name, const char *key_path, cx_issuer **out,
                  cx_error *err)
{
    *out = NULL;
    if (!id || !is_iri(id))
        return cx__error(err, CX_EUSAGE, NULL, 0, 0,
                         "the issuer id '%s' is not an IRI: expected a scheme and a colon, "
                         "as in https://example.edu/issuers/1 or did:web:example.edu",
                         id ? id : "");
    if (!name || !*name) return cx__error(err, CX_EUSAGE, NULL, 0, 0, "the issuer needs a name");
    cx_issuer *is = calloc(1, sizeof *is);
    if (is) is->id = cx__strdup(id);
    if (is) is->name = cx__strdup(name);
    if (!is || !is->id || !is->name) {
        cx_issuer_free(is);
        return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (key_path) {
        int rc = cx__ed25519_private_load(key_path, &is->key, err);
        if (rc) {
            cx_issuer_free(is);
            return rc;
        }
        is->has_key = 1;
    }
    *out = is;
    return CX_OK;
}

void cx_issuer_free(cx_issuer *issuer)
{
    if (!issuer) return;
    if (issuer->has_key) cx__ed25519_private_clear(&issuer->key);
    free(issuer->id);
    free(issuer->name);
    free(issuer);
}

/* ------------------------------------------------------------ the values */

/* OB 3.0's AchievementType enumeration. */
static const char *const achievement_types[] = {"Achievement",
                                                "ApprenticeshipCertificate",
                                                "Assessment",
                                                "Assignment",
                                                "AssociateDegree",
                                                "Award",
                                                "Badge",
                                                "BachelorDegree",
                                                "Certificate",
                                                "CertificateOfCompletion",
                                                "Certification",
                                                "CommunityService",
                                                "Competency",
                                                "Course",
                                                "CoCurricular",
                                                "Degree",
                                                "Diploma",
                                                "DoctoralDegree",
                                                "Fieldwork",
                                                "GeneralEducationDevelopment",
                                                "JourneymanCertificate",
                                                "LearningProgram",
                                                "License",
                                                "Membership",
                                                "ProfessionalDoctorate",
                                                "QualityAssuranceCredential",
                                                "MasterCertificate",
                                                "MasterDegree",
                                                "MicroCredential",
                                                "ResearchDoctorate",
                                                "SecondarySchoolDiploma",
                                                NULL};

/* A credex type in kebab case as OB 3.0's achievementType: "micro-credential"
 * -> "MicroCredential" when the enumeration has it, else "ext:" and that
 * (what import reads back as the same kebab-case type). */
static void achievement_type(const char *type, char *out, size_t size)
{
    char pascal[128];
    size_t n = 0;
    int upper = 1;
    for (const char *p = type; *p && n + 1 < sizeof pascal; p++) {
        if (*p == '-' || *p == '_' || *p == ' ') {
            upper = 1;
            continue;
        }
        pascal[n++] = upper && *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
        upper = 0;
    }
    pascal[n] = '\0';
    snprintf(out, size, "%s%s", cx__listed(achievement_types, pascal) ? "" : "ext:", pascal);
}

/* date at midnight UTC, RFC 3339. */
static void midnight(cx_date d, char out[21])
{
    char day[11];
    cx__date_format(d, day);
    snprintf(out, 21, "%sT00:00:00Z", day);
}

/* The stack rule that confers credential c, or NULL. */
static const cx_rule *stack_rule(const cx_rules *rules, cx_sym c)
{
    size_t n;
    const cx_rule *const *stacks = cx__rules_stacks(rules, &n);
    for (size_t i = 0; i < n; i++)
        if (stacks[i]->credential == c) return stacks[i];
    return NULL;
}

/* The code of scheme of credential c, or NULL. */
static const char *code_of(const cx_snap_credential *c, const char *scheme)
{
    for (uint32_t i = 0; i < c->ncodes; i++)
        if (strcmp(c->codes[i].scheme, scheme) == 0) return c->codes[i].code;
    return NULL;
}

/* What the badge is built from; its strings live in arena. */
typedef struct builder {
    cx_arena arena;
    const cx_snapshot *snap;
    const cx_holder *holder; /* from the registry: the awards' provenance */
    cx_error *err;
} builder;

static char *printed(builder *bd, const char *fmt, ...) CX_PRINTF(2, 3);
static char *printed(builder *bd, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n < 0 ? NULL : cx__arena_alloc(&bd->arena, (size_t)n + 1);
    if (s) vsnprintf(s, (size_t)n + 1, fmt, again);
    va_end(again);
    return s;
}

/* The evidence of one award used: its source_id (else a credex URN), the
 * name of its credential, its credential and issue date. */
static int evidence_of(builder *bd, const cx_used *u, cx__badge_evidence *out)
{
    const cx_award *a = NULL;
    for (size_t i = 0; i < bd->holder->nawards && !a; i++)
        if (strcmp(bd->holder->awards[i].id, u->award) == 0) a = &bd->holder->awards[i];
    cx_sym cs = cx__snapshot_find(bd->snap, CX_KIND_CREDENTIAL, u->credential);
    const char *name = cs != CX_NOSYM ? bd->snap->credentials[cs].name : u->credential;
    const char *source = a && a->provenance ? a->provenance->source_id : NULL;
    out->id = source ? printed(bd, "%s", source) : printed(bd, "urn:credex:award:%s", u->award);
    out->name = printed(bd, "%s", name);
    out->narrative = a ? printed(bd, "%s, issued %s", u->credential, a->issued)
                       : printed(bd, "%s", u->credential);
    return out->id && out->name && out->narrative
               ? CX_OK
               : cx__error(bd->err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

/* The badge for met decision d of the stack conferring credential cs. */
static int build(builder *bd, const cx_rules *rules, const cx_issuer *issuer, const cx_decision *d,
                 cx_sym cs, cx__badge *b)
{
    const cx_snap_credential *c = &bd->snap->credentials[cs];
    const cx_rule *rule = stack_rule(rules, cs);
    const char *ctid = code_of(c, "ctid");
    const char *label = rule && rule->name ? rule->name : c->name;
    const char *why;
    char type[160];
    cx_date issued, expires;
    memset(b, 0, sizeof *b);
    if (cx__date_parse(d->issued, &issued, &why) ||
        (d->expires[0] && cx__date_parse(d->expires, &expires, &why)))
        return cx__error(bd->err, CX_EINPUT, NULL, 0, 0, "the stack award's dates: %s", why);
    b->issuer_id = issuer->id;
    b->issuer_name = issuer->name;
    midnight(issued, b->valid_from);
    b->nbf = (int64_t)issued * 86400;
    if (d->expires[0]) {
        midnight(expires + 1, b->valid_until);
        b->exp = (int64_t)(expires + 1) * 86400;
    }
    b->subject_id = is_iri(d->holder) ? printed(bd, "%s", d->holder)
                                      : printed(bd, "urn:credex:holder:%s", d->holder);
    b->achievement_id = ctid ? printed(bd, REGISTRY_IRI "%s", ctid)
                             : printed(bd, "urn:credex:credential:%s", c->id);
    b->achievement_name = c->name;
    achievement_type(c->type, type, sizeof type);
    b->achievement_type = printed(bd, "%s", type);
    b->narrative = rule && rule->cite
                       ? printed(bd, "%s (stack %s): every requirement met, as set out in %s",
                                 label, c->id, rule->cite)
                       : printed(bd, "%s (stack %s): every requirement met", label, c->id);
    b->alignment_url = ctid ? b->achievement_id : NULL;
    b->alignment_code = ctid;
    cx__badge_evidence *ev = cx__arena_alloc(&bd->arena, (d->nused + 1) * sizeof *ev);
    if (!b->subject_id || !b->achievement_id || !b->achievement_type || !b->narrative || !ev)
        return cx__error(bd->err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < d->nused; i++) {
        if (!d->used[i].award) continue; /* hypothetical: no award to show */
        int rc = evidence_of(bd, &d->used[i], &ev[b->nevidence]);
        if (rc) return rc;
        b->nevidence++;
    }
    b->evidence = ev;
    return CX_OK;
}

/* Sets b's id: a UUID (version 8, RFC 9562) made of the SHA-256 of the
 * credential's JSON without an id, so that the same content gets the same
 * id and any other content another. */
static int derive_id(builder *bd, cx__badge *b)
{
    char hex[65];
    b->id = NULL;
    char *json = cx__badge_json(b);
    if (!json) return cx__error(bd->err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    cx__sha256_hex(json, strlen(json), hex);
    free(json);
    hex[12] = '8';                                                               /* version 8 */
    hex[16] = "89ab"[(hex[16] >= 'a' ? hex[16] - 'a' + 10 : hex[16] - '0') & 3]; /* variant */
    b->id = printed(bd, "urn:uuid:%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
                    hex + 20);
    return b->id ? CX_OK : cx__error(bd->err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

/* The VC-JWT of b, signed with the issuer's key: the compact JWS of its
 * claims under the header alg EdDSA, the key's kid, typ JWT. */
static char *signed_jwt(const cx_issuer *issuer, const cx__badge *b)
{
    char *header = cx__badge_header_json(issuer->key.kid);
    char *claims = cx__badge_claims_json(b);
    char *jwt =
        header && claims ? cx__jws_sign_eddsa(&issuer->key, header, claims, strlen(claims)) : NULL;
    free(header);
    free(claims);
    return jwt;
}

/* text and "\n", malloc'd into *out (text is freed). */
static int line_of(char *text, char **out, cx_error *err)
{
    size_t n = text ? strlen(text) : 0;
    char *line = text ? realloc(text, n + 2) : NULL;
    if (!line) {
        free(text);
        return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    line[n] = '\n';
    line[n + 1] = '\0';
    *out = line;
    return CX_OK;
}

int cx_issue(cx_registry *r, cx_rules *rules, const cx_issuer *issuer, const cx_issue_options *opt,
             char **out, cx_decision **decision, cx_error *err)
{
    cx_decision **v = NULL;
    size_t n = 0;
    builder bd = {.snap = cx__rules_snapshot(rules), .err = err};
    cx_holder *h = NULL;
    cx__badge b;
    *out = NULL;
    *decision = NULL;
    cx__arena_init(&bd.arena);
    if (!opt->holder || !opt->stack)
        return cx__error(err, CX_EUSAGE, NULL, 0, 0, "a badge needs a holder and a stack");
    if (opt->form == CX_ISSUE_JWT && !issuer->has_key)
        return cx__error(err, CX_EUSAGE, NULL, 0, 0,
                         "a signed badge needs the issuer's private key");
    int rc = cx_audit(rules, opt->holder, opt->stack, opt->as_of, &v, &n, err);
    if (rc) goto done;
    assert(n == 1); /* a stack asked for is the one decision (cx_audit) */
    *decision = v[0];
    v[0] = NULL;
    if ((*decision)->status != CX_MET) goto done;
    cx_sym cs = cx__snapshot_find(bd.snap, CX_KIND_CREDENTIAL, opt->stack);
    if ((rc = cx_registry_holder(r, opt->holder, &h, err))) goto done;
    bd.holder = h;
    if ((rc = build(&bd, rules, issuer, *decision, cs, &b)) || (rc = derive_id(&bd, &b))) goto done;
    rc =
        line_of(opt->form == CX_ISSUE_JSON ? cx__badge_json(&b) : signed_jwt(issuer, &b), out, err);
done:
    cx_decisions_free(v, n);
    cx_holder_free(h);
    cx__arena_free(&bd.arena);
    return rc;
}
