/*
 * ctdl.c -- a CTDL document into a catalog document: which nodes are
 * credentials (earnables too) and organisations, a credential's provider
 * and jurisdiction, the output's builders. It checks no value the catalog
 * loader checks; ids come from ctdl_ref.c, values from ctdl_values.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctdl_int.h"

/* ---------------------------------------------------------- recognition */

static int names_ctdl(const cx_ynode *ctx)
{
    if (!ctx) return 0;
    if (ctx->kind == CX_YSCALAR)
        return !ctx->plain && (strncmp(ctx->text, "http://credreg.net/", 19) == 0 ||
                               strncmp(ctx->text, "https://credreg.net/", 20) == 0);
    if (ctx->kind == CX_YMAP) return cx__ymap_get(ctx, "ceterms") || cx__ymap_get(ctx, "ceasn");
    for (size_t i = 0; i < ctx->count; i++)
        if (names_ctdl(ctx->items[i])) return 1;
    return 0;
}

int cx__ctdl_recognises(const cx_ynode *root)
{
    if (cx__ctdl_is_envelope(root)) return 1;
    if (root && root->kind == CX_YLIST && root->count) root = root->items[0];
    return root && root->kind == CX_YMAP && names_ctdl(cx__ymap_get(root, "@context"));
}

/* ------------------------------------------------------------- building */

int cx__ctdl_nomem(ctdl *x)
{
    return cx__error(x->err, CX_ENOMEM, x->file, 0, 0, "out of memory");
}

/* The place of node at (a JSON Pointer of the input) copied into the
 * output document, which outlives the input; "" for NULL. */
static const char *place(ctdl *x, const cx_ynode *at)
{
    return cx__ydoc_strdup(x->out, at && at->where ? at->where : "");
}

/* A scalar of text at the place of node at (NULL: no place). */
static cx_ynode *text_node(ctdl *x, const char *text, const cx_ynode *at)
{
    const char *where = place(x, at);
    return where ? cx__ynode_scalar(x->out, text, strlen(text), 0, 0, 0, where) : NULL;
}

int cx__ctdl_put(ctdl *x, cx_ynode *map, const char *key, cx_ynode *value)
{
    cx_ynode *k = value ? cx__ynode_scalar(x->out, key, strlen(key), 0, 0, 0, value->where) : NULL;
    return !k || cx__ymap_put(x->out, map, k, value) ? cx__ctdl_nomem(x) : CX_OK;
}

int cx__ctdl_put_text(ctdl *x, cx_ynode *map, const char *key, const char *text, const cx_ynode *at)
{
    return cx__ctdl_put(x, map, key, text_node(x, text, at));
}

cx_ynode *cx__ctdl_new_map(ctdl *x, const cx_ynode *at)
{
    const char *where = place(x, at);
    return where ? cx__ynode_new(x->out, CX_YMAP, 0, 0, where) : NULL;
}

/* Appends text to the list under key in map (made when absent), once. */
int cx__ctdl_add_to_list(ctdl *x, cx_ynode *map, const char *key, const char *text,
                         const cx_ynode *at)
{
    cx_ynode *list = (cx_ynode *)cx__ymap_get(map, key);
    if (!list) {
        const char *where = place(x, at);
        if (!where || !(list = cx__ynode_new(x->out, CX_YLIST, 0, 0, where)))
            return cx__ctdl_nomem(x);
        int rc = cx__ctdl_put(x, map, key, list);
        if (rc) return rc;
    }
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->items[i]->text, text) == 0) return CX_OK;
    cx_ynode *v = text_node(x, text, at);
    return !v || cx__ylist_append(x->out, list, v) ? cx__ctdl_nomem(x) : CX_OK;
}

ctdl_values cx__ctdl_values(const cx_ynode *node, const char *key)
{
    ctdl_values r = {NULL, 0};
    for (size_t i = 0; node->kind == CX_YMAP && i < node->count; i++) {
        if (strcmp(node->keys[i]->text, key) != 0) continue;
        const cx_ynode *v = node->items[i];
        if (v->kind == CX_YLIST) {
            r.v = (const cx_ynode *const *)v->items;
            r.n = v->count;
        } else {
            r.v = (const cx_ynode *const *)&node->items[i];
            r.n = 1;
        }
    }
    return r;
}

/* The local name of a compact class ("ceterms:Certification" -> "Certification"). */
const char *cx__ctdl_local_name(const char *type, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(type, prefix, n) == 0 ? type + n : NULL;
}

/* 1 when type is not NULL and equals name. */
static int is_type(const char *type, const char *name)
{
    return type && strcmp(type, name) == 0;
}

/* The @type of node (the first, when a list), or NULL. */
const char *cx__ctdl_type(const cx_ynode *node)
{
    ctdl_values t = cx__ctdl_values(node, "@type");
    return t.n && t.v[0]->kind == CX_YSCALAR && !t.v[0]->plain ? t.v[0]->text : NULL;
}

/* ---------------------------------------------------------------- kinds */

static const char *const credential_classes[] = {
    "ApprenticeshipCertificate",
    "AssociateDegree",
    "BachelorDegree",
    "Badge",
    "Certificate",
    "Certification",
    "DigitalBadge",
    "DoctoralDegree",
    "GeneralEducationDevelopment",
    "JourneymanCertificate",
    "License",
    "MasterCertificate",
    "MasterDegree",
    "MicroCredential",
    "OpenBadge",
    "ProfessionalDoctorate",
    "QualityAssuranceCredential",
    "ResearchDoctorate",
    "SecondarySchoolDiploma",
    NULL,
};

static const char *const organisation_classes[] = {
    "CredentialOrganization",
    "QACredentialOrganization",
    "Organization",
    NULL,
};

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int cx__ctdl_is_credential(const char *type)
{
    const char *local = type ? cx__ctdl_local_name(type, "ceterms:") : NULL;
    return local && (cx__listed(credential_classes, local) || ends_with(local, "Certificate") ||
                     ends_with(local, "Degree") || ends_with(local, "Diploma") ||
                     ends_with(local, "Credential"));
}

/* What requirements name besides credentials, imported as credentials
 * of these types so that their awards can fill slots. */
static const char *const earnables[] = {
    "ceterms:Course",
    "course",
    "ceterms:LearningOpportunityProfile",
    "learning-opportunity",
    "ceterms:LearningProgram",
    "learning-program",
    "ceterms:AssessmentProfile",
    "assessment",
    NULL,
};

const char *cx__ctdl_earnable_type(const char *type)
{
    for (size_t i = 0; type && earnables[i]; i += 2)
        if (strcmp(type, earnables[i]) == 0) return earnables[i + 1];
    return NULL;
}

static int is_organisation(const char *type)
{
    const char *local = type ? cx__ctdl_local_name(type, "ceterms:") : NULL;
    return local && cx__listed(organisation_classes, local);
}

/* "MicroCredential" -> "micro-credential". */
const char *cx__ctdl_kebab(ctdl *x, const char *local)
{
    size_t n = strlen(local);
    char *s = cx__ydoc_alloc(x->out, 2 * n + 1), *p = s;
    if (!s) return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)local[i];
        if (isupper(ch) && i > 0 &&
            (islower((unsigned char)local[i - 1]) ||
             (i + 1 < n && islower((unsigned char)local[i + 1]))))
            *p++ = '-';
        *p++ = (char)tolower(ch);
    }
    *p = '\0';
    return s;
}

/* -------------------------------------------------------- jurisdictions */

static const char *const us_states[] = {
    "AL", "Alabama",        "AK", "Alaska",         "AZ", "Arizona",
    "AR", "Arkansas",       "CA", "California",     "CO", "Colorado",
    "CT", "Connecticut",    "DE", "Delaware",       "DC", "District of Columbia",
    "FL", "Florida",        "GA", "Georgia",        "HI", "Hawaii",
    "ID", "Idaho",          "IL", "Illinois",       "IN", "Indiana",
    "IA", "Iowa",           "KS", "Kansas",         "KY", "Kentucky",
    "LA", "Louisiana",      "ME", "Maine",          "MD", "Maryland",
    "MA", "Massachusetts",  "MI", "Michigan",       "MN", "Minnesota",
    "MS", "Mississippi",    "MO", "Missouri",       "MT", "Montana",
    "NE", "Nebraska",       "NV", "Nevada",         "NH", "New Hampshire",
    "NJ", "New Jersey",     "NM", "New Mexico",     "NY", "New York",
    "NC", "North Carolina", "ND", "North Dakota",   "OH", "Ohio",
    "OK", "Oklahoma",       "OR", "Oregon",         "PA", "Pennsylvania",
    "RI", "Rhode Island",   "SC", "South Carolina", "SD", "South Dakota",
    "TN", "Tennessee",      "TX", "Texas",          "UT", "Utah",
    "VT", "Vermont",        "VA", "Virginia",       "WA", "Washington",
    "WV", "West Virginia",  "WI", "Wisconsin",      "WY", "Wyoming",
    "PR", "Puerto Rico",    NULL,
};

/* An ISO 3166 code of a Place (country, and region when given): "US-MI",
 * "US", or 0 when it names no place credex can tell. */
static int place_code(const ctdl *x, const cx_ynode *place, char out[8])
{
    static const char *const us[] = {"US", "USA", "United States", "United States of America",
                                     NULL};
    const char *country = cx__ctdl_text(x, cx__ymap_get(place, "ceterms:addressCountry"));
    const char *region = cx__ctdl_text(x, cx__ymap_get(place, "ceterms:addressRegion"));
    char cc[3];
    if (!country) return 0;
    int is_us = 0;
    for (size_t i = 0; us[i]; i++) is_us |= strcasecmp(country, us[i]) == 0;
    if (is_us)
        strcpy(cc, "US");
    else if (strlen(country) == 2 && isalpha((unsigned char)country[0]) &&
             isalpha((unsigned char)country[1]))
        snprintf(cc, sizeof cc, "%c%c", toupper((unsigned char)country[0]),
                 toupper((unsigned char)country[1]));
    else
        return 0;
    if (!region) {
        snprintf(out, 8, "%s", cc);
        return 1;
    }
    for (size_t i = 0; is_us && us_states[i]; i += 2)
        if (strcasecmp(region, us_states[i]) == 0 || strcasecmp(region, us_states[i + 1]) == 0) {
            snprintf(out, 8, "US-%s", us_states[i]);
            return 1;
        }
    size_t n = strlen(region);
    if (is_us || n < 1 || n > 3) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)region[i])) return 0;
    snprintf(out, 8, "%s-%c%c%c", cc, toupper((unsigned char)region[0]),
             n > 1 ? toupper((unsigned char)region[1]) : '\0',
             n > 2 ? toupper((unsigned char)region[2]) : '\0');
    return 1;
}

/* Puts {id, name: id} into list (new_providers or new_jurisdictions) once. */
static int create_if_absent(ctdl *x, cx_ynode *list, char kind, const char *id, const cx_ynode *at)
{
    char key[260];
    snprintf(key, sizeof key, "%c:%s", kind, id);
    if (cx__strmap_get(&x->absent_seen, key)) return CX_OK;
    const char *k = cx__ydoc_strdup(x->out, key);
    cx_ynode *m = cx__ctdl_new_map(x, at);
    int rc;
    if (!k || !m || cx__strmap_put(&x->absent_seen, k, m, NULL) < 0) return cx__ctdl_nomem(x);
    if (kind == 'j')
        cx__ctdl_report(x, at, NULL,
                        "jurisdiction '%s': created with its id as its name if the registry "
                        "lacks it",
                        id);
    if ((rc = cx__ctdl_put_text(x, m, "id", id, at)) ||
        (rc = cx__ctdl_put_text(x, m, "name", id, at)))
        return rc;
    return cx__ylist_append(x->out, list, m) ? cx__ctdl_nomem(x) : CX_OK;
}

/* The first address of org that names a place, into code; 0 when none. */
static int address_code(ctdl *x, const cx_ynode *org, char code[8])
{
    ctdl_values a = cx__ctdl_values(org, "ceterms:address");
    int found = 0;
    for (size_t i = 0; i < a.n; i++) {
        char other[8];
        if (a.v[i]->kind != CX_YMAP || !place_code(x, a.v[i], other)) continue;
        if (!found) {
            memcpy(code, other, 8);
            found = 1;
        } else if (strcmp(code, other) != 0) {
            cx__ctdl_report(x, a.v[i], "ceterms:address",
                            "a second address in %s; the first (%s) gives the jurisdiction", other,
                            code);
        }
    }
    return found;
}

/* ------------------------------------------------------------ providers */

/* The keys a provider or a credential is made from; any other key of the
 * node goes to the report. */
static const char *const organisation_keys[] = {
    "@context", "@id", "@type", "ceterms:ctid", "ceterms:name", "ceterms:address", NULL,
};

void cx__ctdl_report_unknown(ctdl *x, const cx_ynode *node, const char *const *used)
{
    for (size_t i = 0; i < node->count; i++)
        if (!cx__listed(used, node->keys[i]->text))
            cx__ctdl_report(x, node->items[i], node->keys[i]->text,
                            "not imported: credex has no place for this key");
}

/* An organisation node into a provider, once per id. */
static int organisation(ctdl *x, const cx_ynode *node)
{
    const char *id, *iri;
    int rc = cx__ctdl_ref(x, node, &id, &iri);
    if (rc) return rc;
    if (cx__strmap_get(&x->defined, id)) return CX_OK;
    cx_ynode *p = cx__ctdl_new_map(x, node);
    if (!p || cx__strmap_put(&x->defined, id, p, NULL) < 0) return cx__ctdl_nomem(x);
    const cx_ynode *name_node = cx__ymap_get(node, "ceterms:name");
    const char *name = cx__ctdl_text(x, name_node);
    if (!name) {
        cx__ctdl_report(x, node, "ceterms:name", "organisation '%s' has no name: named by its id",
                        id);
        name = id;
    }
    char code[8];
    if ((rc = cx__ctdl_put_text(x, p, "id", id, node)) ||
        (rc = cx__ctdl_put_text(x, p, "name", name, name_node ? name_node : node)))
        return rc;
    if (address_code(x, node, code)) {
        const cx_ynode *at = cx__ymap_get(node, "ceterms:address");
        if ((rc = cx__ctdl_put_text(x, p, "jurisdiction", code, at)) ||
            (rc = create_if_absent(x, x->new_jurisdictions, 'j', code, at)))
            return rc;
    }
    cx__ctdl_report_unknown(x, node, organisation_keys);
    return cx__ylist_append(x->out, x->providers, p) ? cx__ctdl_nomem(x) : CX_OK;
}

/* The organisation node of the document with this id, or NULL. */
static const cx_ynode *organisation_node(ctdl *x, const cx_ynode *ref)
{
    if (ref->kind == CX_YMAP && is_organisation(cx__ctdl_type(ref))) return ref;
    if (ref->kind == CX_YMAP) ref = cx__ymap_get(ref, "@id");
    if (!ref || ref->kind != CX_YSCALAR) return NULL;
    const cx_ynode *n = cx__ctdl_node(x, ref->text);
    return n && is_organisation(cx__ctdl_type(n)) ? n : NULL;
}

/* The credential's provider: its ownedBy, else offeredBy (several: the
 * smallest id, the rest reported), else --provider; *org is the
 * organisation node when the document has it. */
static int provider_of(ctdl *x, const cx_ynode *cred, const char *cred_id, const char **id,
                       const cx_ynode **org)
{
    const char *key = "ceterms:ownedBy";
    ctdl_values owners = cx__ctdl_values(cred, key);
    if (!owners.n) owners = cx__ctdl_values(cred, key = "ceterms:offeredBy");
    *id = NULL;
    *org = NULL;
    const cx_ynode *at = NULL;
    for (size_t i = 0; i < owners.n; i++) {
        const char *one, *iri;
        int rc = cx__ctdl_ref(x, owners.v[i], &one, &iri);
        if (rc) return rc;
        const cx_ynode *node = organisation_node(x, owners.v[i]);
        if (node && (rc = organisation(x, node))) return rc;
        if (*id && strcmp(one, *id) >= 0) {
            if (strcmp(one, *id) != 0)
                cx__ctdl_report(x, owners.v[i], key, "another provider '%s' of '%s': not kept", one,
                                cred_id);
            continue;
        }
        if (*id)
            cx__ctdl_report(x, at, key, "another provider '%s' of '%s': not kept", *id, cred_id);
        *id = one;
        *org = node;
        at = owners.v[i];
    }
    if (*id && !cx__strmap_get(&x->defined, *id)) {
        cx__ctdl_report(x, at, key,
                        "provider '%s' is not among the inputs: created with its id as its name "
                        "if the registry lacks it",
                        *id);
        return create_if_absent(x, x->new_providers, 'p', *id, at);
    }
    if (*id) return CX_OK;
    if (!x->opts->provider)
        return cx__ctdl_fail(x, cred,
                             "credential '%s' has no ceterms:ownedBy or ceterms:offeredBy; give "
                             "--provider ID",
                             cred_id);
    *id = x->opts->provider;
    return create_if_absent(x, x->new_providers, 'p', *id, cred);
}

/* The credential's jurisdiction: its one mainJurisdiction place, else its
 * provider's address, else --jurisdiction. */
static int jurisdiction_of(ctdl *x, const cx_ynode *cred, const cx_ynode *org, const char *cred_id,
                           cx_ynode *out)
{
    char code[8] = "", other[8];
    const cx_ynode *at = cred;
    int places = 0;
    ctdl_values profiles = cx__ctdl_values(cred, "ceterms:jurisdiction");
    for (size_t i = 0; i < profiles.n; i++) {
        ctdl_values mains = cx__ctdl_values(profiles.v[i], "ceterms:mainJurisdiction");
        for (size_t k = 0; k < mains.n; k++) {
            places++;
            if (mains.v[k]->kind != CX_YMAP || !place_code(x, mains.v[k], other))
                cx__ctdl_report(x, mains.v[k], "ceterms:mainJurisdiction",
                                "a place credex cannot tell as an ISO 3166 code");
            else if (!code[0]) {
                memcpy(code, other, sizeof code);
                at = mains.v[k];
            }
        }
    }
    if (places > 1 && code[0]) {
        cx__ctdl_report(x, at, "ceterms:mainJurisdiction",
                        "%d main jurisdictions; credex takes one only when there is one", places);
        code[0] = '\0';
    }
    if (!code[0] && org && address_code(x, org, code)) at = cx__ymap_get(org, "ceterms:address");
    if (code[0]) {
        int rc = create_if_absent(x, x->new_jurisdictions, 'j', code, at);
        if (rc) return rc;
        return cx__ctdl_put_text(x, out, "jurisdiction", code, at);
    }
    if (!x->opts->jurisdiction)
        return cx__ctdl_fail(x, cred,
                             "credential '%s' has no jurisdiction credex can tell (one "
                             "mainJurisdiction place, or its provider's address); give "
                             "--jurisdiction J",
                             cred_id);
    int rc = create_if_absent(x, x->new_jurisdictions, 'j', x->opts->jurisdiction, cred);
    return rc ? rc : cx__ctdl_put_text(x, out, "jurisdiction", x->opts->jurisdiction, cred);
}

/* ----------------------------------------------------------- credentials */

static const char *const credential_keys[] = {
    "@context",
    "@id",
    "@type",
    "ceterms:ctid",
    "ceterms:name",
    "ceterms:ownedBy",
    "ceterms:offeredBy",
    "ceterms:jurisdiction",
    "ceterms:occupationType",
    "ceterms:industryType",
    "ceterms:naics",
    "ceterms:instructionalProgramType",
    "ceterms:creditValue",
    "ceterms:estimatedDuration",
    "ceterms:renewalFrequency",
    "ceterms:dateEffective",
    "ceterms:expirationDate",
    "ceterms:subjectWebpage",
    "ceterms:credentialStatusType",
    NULL,
};

/* Attributes that copy one text value. */
static int plain_attributes(ctdl *x, const cx_ynode *cred, const char *type, cx_ynode *attrs)
{
    int rc = cx__ctdl_put_text(x, attrs, "ctdl_type", type, cx__ymap_get(cred, "@type"));
    const cx_ynode *page = cx__ymap_get(cred, "ceterms:subjectWebpage");
    if (!rc && page && page->kind == CX_YSCALAR && !page->plain)
        rc = cx__ctdl_put_text(x, attrs, "subject_webpage", page->text, page);
    const cx_ynode *status = cx__ymap_get(cred, "ceterms:credentialStatusType");
    if (status && status->kind == CX_YLIST && status->count) status = status->items[0];
    const cx_ynode *node =
        status && status->kind == CX_YMAP ? cx__ymap_get(status, "ceterms:targetNode") : status;
    const char *local = node && node->kind == CX_YSCALAR
                            ? cx__ctdl_local_name(node->text, "credentialStat:")
                            : NULL;
    if (!rc && local) rc = cx__ctdl_put_text(x, attrs, "ctdl_status", local, node);
    return rc;
}

static int earnables_required(ctdl *x, const cx_ynode *cred);

/* A credential node, or an earnable's (type: its class), once per id. */
static int credential(ctdl *x, const cx_ynode *node, const char *type)
{
    const char *id, *iri, *provider;
    const cx_ynode *org;
    int rc = cx__ctdl_ref(x, node, &id, &iri);
    if (rc) return rc;
    if (cx__strmap_get(&x->credential_ids, id)) return CX_OK;
    if (cx__strmap_put(&x->credential_ids, id, (void *)node, NULL) < 0) return cx__ctdl_nomem(x);
    cx_ynode *c = cx__ctdl_new_map(x, node), *codes = cx__ctdl_new_map(x, node),
             *attrs = cx__ctdl_new_map(x, node);
    if (!c || !codes || !attrs) return cx__ctdl_nomem(x);
    const cx_ynode *name_node = cx__ymap_get(node, "ceterms:name");
    const char *name = cx__ctdl_text(x, name_node);
    if (!name) return cx__ctdl_fail(x, node, "credential '%s' has no ceterms:name", id);
    const char *kind = cx__ctdl_earnable_type(type)
                           ? cx__ctdl_earnable_type(type)
                           : cx__ctdl_kebab(x, cx__ctdl_local_name(type, "ceterms:"));
    if (!kind) return cx__ctdl_nomem(x);
    if ((rc = cx__ctdl_put_text(x, c, "id", id, node)) ||
        (rc = cx__ctdl_put_text(x, c, "name", name, name_node)) ||
        (rc = cx__ctdl_put_text(x, c, "type", kind, cx__ymap_get(node, "@type"))) ||
        (rc = provider_of(x, node, id, &provider, &org)) ||
        (rc = cx__ctdl_put_text(x, c, "provider", provider, node)) ||
        (rc = jurisdiction_of(x, node, org, id, c)) || (rc = cx__ctdl_renewal(x, node, c)) ||
        (rc = cx__ctdl_date(x, node, "ceterms:dateEffective", "effective_from", c)) ||
        (rc = cx__ctdl_date(x, node, "ceterms:expirationDate", "effective_until", c)) ||
        (rc = cx__ctdl_credits(x, node, c, attrs)) ||
        (rc = cx__ctdl_estimated_duration(x, node, attrs)) ||
        (rc = plain_attributes(x, node, type, attrs)))
        return rc;
    if (iri && (rc = cx__ctdl_put_text(x, attrs, "source_iri", iri, node))) return rc;
    char ctid[40];
    const cx_ynode *own = cx__ymap_get(node, "ceterms:ctid");
    if (own && own->kind == CX_YSCALAR && cx__ctdl_ctid(own->text, ctid) == 0 &&
        (rc = cx__ctdl_add_to_list(x, codes, "ctid", ctid, own)))
        return rc;
    if ((rc = cx__ctdl_codes(x, node, "ceterms:occupationType", codes)) ||
        (rc = cx__ctdl_codes(x, node, "ceterms:industryType", codes)) ||
        (rc = cx__ctdl_codes(x, node, "ceterms:naics", codes)) ||
        (rc = cx__ctdl_codes(x, node, "ceterms:instructionalProgramType", codes)))
        return rc;
    if (codes->count && (rc = cx__ctdl_put(x, c, "codes", codes))) return rc;
    if ((rc = cx__ctdl_put(x, c, "attributes", attrs))) return rc;
    cx__ctdl_report_unknown(x, node, credential_keys);
    if (cx__ylist_append(x->out, x->credentials, c)) return cx__ctdl_nomem(x);
    return earnables_required(x, node);
}

/* The courses, learning opportunities and assessments a credential's
 * requires profiles name: embedded ones are mapped here, those of the
 * document's graph where they stand; any other is reported. */
static int earnables_required(ctdl *x, const cx_ynode *cred)
{
    static const char *const targets[] = {"ceterms:targetLearningOpportunity",
                                          "ceterms:targetAssessment", NULL};
    ctdl_values profiles = cx__ctdl_values(cred, "ceterms:requires");
    for (size_t p = 0; p < profiles.n; p++) {
        for (size_t t = 0; profiles.v[p]->kind == CX_YMAP && targets[t]; t++) {
            ctdl_values v = cx__ctdl_values(profiles.v[p], targets[t]);
            for (size_t i = 0; i < v.n; i++) {
                const cx_ynode *target = v.v[i];
                const char *type = target->kind == CX_YMAP ? cx__ctdl_type(target) : NULL;
                if (cx__ctdl_earnable_type(type)) {
                    int rc = credential(x, target, type);
                    if (rc) return rc;
                } else if (target->kind != CX_YSCALAR || !cx__ctdl_node(x, target->text)) {
                    cx__ctdl_report(x, target, targets[t],
                                    "a requirement target not among the inputs: not imported");
                }
            }
        }
    }
    return CX_OK;
}

/* ------------------------------------------------------------- document */

/* The top-level nodes: the @graph's, the array's, or the root itself. */
static int collect_nodes(ctdl *x, const cx_ynode *root)
{
    const cx_ynode *graph = root->kind == CX_YMAP ? cx__ymap_get(root, "@graph") : NULL;
    const cx_ynode *list = root->kind == CX_YLIST ? root : graph;
    if (graph && graph->kind != CX_YLIST)
        return cx__ctdl_fail(x, graph, "expected a list for '@graph', found %s",
                             cx__ynode_kind_name(graph->kind));
    size_t n = list ? list->count : 1;
    x->nodes = calloc(n ? n : 1, sizeof *x->nodes);
    if (!x->nodes) return cx__ctdl_nomem(x);
    for (size_t i = 0; i < n; i++) {
        const cx_ynode *node = list ? list->items[i] : root;
        if (node->kind != CX_YMAP)
            return cx__ctdl_fail(x, node, "expected a node (an object), found %s",
                                 cx__ynode_kind_name(node->kind));
        x->nodes[x->nnodes++] = node;
    }
    return CX_OK;
}

/* The document's CTID: the graph's @id, else its first node's ctid. */
static int document_ctid(ctdl *x, const cx_ynode *root)
{
    char ctid[40];
    const cx_ynode *at = root->kind == CX_YMAP ? cx__ymap_get(root, "@id") : NULL;
    const char *graph = at && at->kind == CX_YSCALAR ? strstr(at->text, "/graph/") : NULL;
    if (graph && cx__ctdl_ctid(graph + 7, ctid) == 0) {
        x->doc_ctid = cx__ydoc_strdup(x->out, ctid);
        return x->doc_ctid ? CX_OK : cx__ctdl_nomem(x);
    }
    const cx_ynode *own = x->nnodes ? cx__ymap_get(x->nodes[0], "ceterms:ctid") : NULL;
    if (own && own->kind == CX_YSCALAR && cx__ctdl_ctid(own->text, ctid) == 0) {
        x->doc_ctid = cx__ydoc_strdup(x->out, ctid);
        return x->doc_ctid ? CX_OK : cx__ctdl_nomem(x);
    }
    return CX_OK;
}

/* Refuses a provisional graph unless asked to take it. */
static int publication_status(ctdl *x, const cx_ynode *root)
{
    const cx_ynode *status = root->kind == CX_YMAP ? cx__ymap_get(root, "adms:status") : NULL;
    if (!status || status->kind != CX_YSCALAR ||
        strcmp(status->text, "graphPublicationStatus:Provisional") != 0 ||
        x->opts->allow_provisional)
        return CX_OK;
    return cx__ctdl_fail(x, status,
                         "a provisional graph (graphPublicationStatus:Provisional); give "
                         "--allow-provisional to import it");
}

/* With --skip-invalid: the item whose error is in x->err is left out and
 * the error reported at its pointer. */
static int skip_item(ctdl *x)
{
    char where[sizeof x->err->message];
    int is_column;
    const char *why = cx__yerror_parts(x->err, where, sizeof where, &is_column);
    cx_import_issue issue = {x->file, where, 0, NULL, why};
    if (x->opts->report) x->opts->report(x->opts->report_ud, &issue);
    cx_error_clear(x->err);
    return CX_OK;
}

static int map_nodes(ctdl *x)
{
    int rc = CX_OK;
    for (size_t i = 0; i < x->nnodes && !rc; i++) /* frameworks first: competencies join them */
        if (is_type(cx__ctdl_type(x->nodes[i]), "ceasn:CompetencyFramework"))
            rc = cx__ctdl_framework(x, x->nodes[i]);
    for (size_t i = 0; i < x->nnodes && !rc; i++) {
        const cx_ynode *node = x->nodes[i];
        const char *type = cx__ctdl_type(node);
        if (is_type(type, "ceasn:CompetencyFramework"))
            continue;
        else if (is_type(type, "ceasn:Competency"))
            rc = cx__ctdl_competency(x, node);
        else if (cx__ctdl_is_credential(type) || cx__ctdl_earnable_type(type))
            rc = credential(x, node, type);
        else if (is_organisation(type))
            rc = organisation(x, node);
        else
            cx__ctdl_report(x, node, "@type", "a %s node: not imported", type ? type : "untyped");
        if (rc == CX_EINPUT && x->opts->skip_invalid) rc = skip_item(x);
    }
    return rc;
}

/* The catalog document: the sections the mapping filled, and the
 * entities to create when the registry lacks them. */
static int finish(ctdl *x)
{
    cx_ynode *root = cx__ctdl_new_map(x, NULL), *absent = cx__ctdl_new_map(x, NULL);
    int rc = CX_OK;
    if (!root || !absent) return cx__ctdl_nomem(x);
    if (x->providers->count) rc = cx__ctdl_put(x, root, "providers", x->providers);
    if (!rc && x->frameworks->count) rc = cx__ctdl_put(x, root, "frameworks", x->frameworks);
    if (!rc && x->credentials->count) rc = cx__ctdl_put(x, root, "credentials", x->credentials);
    if (!rc && x->loose->count) rc = cx__ctdl_put(x, root, "framework_competencies", x->loose);
    if (!rc && x->new_providers->count) rc = cx__ctdl_put(x, absent, "providers", x->new_providers);
    if (!rc && x->new_jurisdictions->count)
        rc = cx__ctdl_put(x, absent, "jurisdictions", x->new_jurisdictions);
    if (!rc && absent->count) rc = cx__ctdl_put(x, root, "create_if_absent", absent);
    if (!rc) cx__ydoc_set_root(x->out, root);
    return rc;
}

int cx__ctdl_open(ctdl *x, const cx_ynode *root)
{
    int rc = cx__ctdl_check_contexts(x, root);
    if (!rc) rc = collect_nodes(x, root);
    return rc ? rc : document_ctid(x, root);
}

int cx__ctdl_map(const cx_ydoc *json, const cx_import_options *opts, cx_ydoc **out, cx_error *err)
{
    static const cx_import_options none = {0};
    const cx_ynode *root = cx__ydoc_root(json);
    ctdl x = {.file = cx__ydoc_name(json), .opts = opts ? opts : &none, .err = err};
    cx__strmap_init(&x.defined);
    cx__strmap_init(&x.absent_seen);
    cx__strmap_init(&x.id_map);
    cx__strmap_init(&x.framework_lists);
    cx__strmap_init(&x.credential_ids);
    *out = NULL;
    if (cx__ctdl_is_envelope(root)) return cx__ctdl_envelope(&x, root, out);
    int rc = cx__ydoc_new(x.file, "json", &x.out, err);
    if (rc) goto done;
    if (!(x.providers = cx__ynode_new(x.out, CX_YLIST, 0, 0, "")) ||
        !(x.credentials = cx__ynode_new(x.out, CX_YLIST, 0, 0, "")) ||
        !(x.frameworks = cx__ynode_new(x.out, CX_YLIST, 0, 0, "")) ||
        !(x.loose = cx__ynode_new(x.out, CX_YLIST, 0, 0, "")) ||
        !(x.new_providers = cx__ynode_new(x.out, CX_YLIST, 0, 0, "")) ||
        !(x.new_jurisdictions = cx__ynode_new(x.out, CX_YLIST, 0, 0, ""))) {
        rc = cx__ctdl_nomem(&x);
        goto done;
    }
    if ((x.opts->id_map && (rc = cx__ctdl_read_id_map(&x, x.opts->id_map))) ||
        (rc = cx__ctdl_check_contexts(&x, root)) || (rc = publication_status(&x, root)) ||
        (rc = collect_nodes(&x, root)) || (rc = document_ctid(&x, root)) || (rc = map_nodes(&x)) ||
        (rc = finish(&x)))
        goto done;
    *out = x.out;
    x.out = NULL;
done:
    cx__ydoc_free(x.out);
    free(x.nodes);
    cx__strmap_free(&x.defined);
    cx__strmap_free(&x.absent_seen);
    cx__strmap_free(&x.id_map);
    cx__strmap_free(&x.framework_lists);
    cx__strmap_free(&x.credential_ids);
    free(x.id_map_text);
    return rc;
}
