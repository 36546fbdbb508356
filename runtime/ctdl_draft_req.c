/*
 * ctdl_draft_req.c -- `credex draft`: a credential's requires profiles,
 * the isRequiredFor profiles naming it (merged, no slot twice), their
 * credit values, and its parts from hasPart/isPartOf and CLR
 * associations (docs/interop.md "Drafting"). Text only: it decides nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctdl_draft.h"

static const char *const target_keys[] = {"ceterms:targetCredential", "ceterms:targetCourse",
                                          "ceterms:targetAssessment",
                                          "ceterms:targetLearningOpportunity", NULL};

/* 1 when k can have a stack: a CTDL credential class or a CLR achievement. */
static int stackable(const dknown *k)
{
    return !k->x || cx__ctdl_is_credential(cx__ctdl_type(k->node));
}

/* The isRequiredFor profiles of self: each target among the inputs gains
 * self as a requirement. */
static int required_for(draft *d, ctdl *x, const cx_ynode *node, const dknown *self)
{
    ctdl_values profiles = cx__ctdl_values(node, "ceterms:isRequiredFor");
    for (size_t p = 0; p < profiles.n; p++) {
        for (size_t k = 0; profiles.v[p]->kind == CX_YMAP && target_keys[k]; k++) {
            ctdl_values t = cx__ctdl_values(profiles.v[p], target_keys[k]);
            for (size_t j = 0; j < t.n; j++) {
                const char *id, *iri;
                int rc = cx__ctdl_ref(x, t.v[j], &id, &iri);
                if (rc) return rc;
                const dknown *target = cx__strmap_get(&d->known, id);
                if (!target || !stackable(target)) {
                    if ((rc = cx__draft_note(d,
                                             "%s isRequiredFor %s, which is not a credential among "
                                             "the inputs",
                                             self->id, cx__draft_iri(x, t.v[j]))))
                        return rc;
                    continue;
                }
                dstack *s = cx__draft_stack(d, target);
                dprofile *pr =
                    s ? cx__draft_grow((void **)&s->profiles, &s->nprofiles, sizeof *pr) : NULL;
                if (!pr) return CX_ENOMEM;
                *pr = (dprofile){x, profiles.v[p], self->id};
            }
        }
    }
    return CX_OK;
}

int cx__draft_add_part(draft *d, const dknown *parent, const char *part, const char *via)
{
    if (strcmp(parent->id, part) == 0) return CX_OK;
    dstack *s = cx__draft_stack(d, parent);
    dpart *p = s ? cx__draft_grow((void **)&s->parts, &s->nparts, sizeof *p) : NULL;
    if (!p) return CX_ENOMEM;
    *p = (dpart){part, via};
    return CX_OK;
}

/* hasPart of self, and isPartOf: the other direction. */
static int parts(draft *d, ctdl *x, const cx_ynode *node, const dknown *self)
{
    static const char *const keys[] = {"ceterms:hasPart", "ceterms:isPartOf", NULL};
    for (size_t k = 0; keys[k]; k++) {
        ctdl_values v = cx__ctdl_values(node, keys[k]);
        for (size_t i = 0; i < v.n; i++) {
            const char *id, *iri;
            int rc = cx__ctdl_ref(x, v.v[i], &id, &iri);
            if (rc) return rc;
            const dknown *other = cx__strmap_get(&d->known, id);
            int has = k == 0;
            if (!other || (!has && !stackable(other))) {
                rc = cx__draft_note(
                    d,
                    has ? "%s hasPart %s, which is not among the inputs"
                        : "%s isPartOf %s, which is not a credential among the inputs",
                    self->id, cx__draft_iri(x, v.v[i]));
            } else if (has && stackable(self)) {
                rc = cx__draft_add_part(d, self, other->id, "hasPart");
            } else if (!has) {
                rc = cx__draft_add_part(d, other, self->id, "hasPart"); /* one reading, both ways */
            }
            if (rc) return rc;
        }
    }
    return CX_OK;
}

int cx__draft_collect_links(draft *d, ctdl *x, const cx_ynode *node, const dknown *self)
{
    ctdl_values profiles = cx__ctdl_values(node, "ceterms:requires");
    for (size_t p = 0; p < profiles.n && stackable(self); p++) {
        if (profiles.v[p]->kind != CX_YMAP) continue;
        dstack *s = cx__draft_stack(d, self);
        dprofile *pr = s ? cx__draft_grow((void **)&s->profiles, &s->nprofiles, sizeof *pr) : NULL;
        if (!pr) return CX_ENOMEM;
        *pr = (dprofile){x, profiles.v[p], NULL};
    }
    int rc = required_for(d, x, node, self);
    return rc ? rc : parts(d, x, node, self);
}

/* --------------------------------------------------------------- text */

/* The text conditions of a profile (ceterms:condition, in the chosen
 * language) as MANUAL comments. */
static void conditions(cx_buf *b, const ctdl *x, const cx_ynode *profile, const char *indent)
{
    const cx_ynode *c = cx__ctdl_lang(x, cx__ymap_get(profile, "ceterms:condition"));
    if (!c) return;
    if (c->kind == CX_YLIST) {
        for (size_t i = 0; i < c->count; i++)
            if (cx__ctdl_text(x, c->items[i]))
                cx__draft_comment(b, indent, "MANUAL: ", cx__ctdl_text(x, c->items[i]));
    } else if (cx__ctdl_text(x, c)) {
        cx__draft_comment(b, indent, "MANUAL: ", cx__ctdl_text(x, c));
    }
}

/* The statements of a profile credex has no requirement for: MANUAL
 * comments, each with its text or its pointer. */
static void unexpressed(cx_buf *b, const ctdl *x, const cx_ynode *profile, const char *indent)
{
    static const char *const keys[] = {"ceterms:experience",   "ceterms:yearsOfExperience",
                                       "ceterms:minimumAge",   "ceterms:residentOf",
                                       "ceterms:submissionOf", NULL};
    for (size_t k = 0; keys[k]; k++) {
        const cx_ynode *v = cx__ymap_get(profile, keys[k]);
        const char *text = v ? cx__ctdl_text(x, v) : NULL;
        if (!v) continue;
        cx_buf t;
        cx__buf_init(&t);
        cx__buf_printf(&t, "%s %s (a holder attribute or a check, if the catalog has one)", keys[k],
                       text                    ? text
                       : v->kind == CX_YSCALAR ? v->text
                                               : v->where);
        cx__draft_comment(b, indent, "MANUAL: ", t.oom ? keys[k] : t.data);
        cx__buf_free(&t);
    }
}

/* The competencies a profile targets (targetCompetency alignments): with
 * write, a competency slot each for those the inputs define; without, their
 * count into *n and a MANUAL comment for each other. */
static int competencies(draft *d, ctdl *x, const cx_ynode *prof, cx_buf *b, const char *indent,
                        int write, size_t *n)
{
    ctdl_values v = cx__ctdl_values(prof, "ceterms:targetCompetency");
    *n = 0;
    for (size_t i = 0; i < v.n; i++) {
        const cx_ynode *node =
            v.v[i]->kind == CX_YMAP ? cx__ymap_get(v.v[i], "ceterms:targetNode") : v.v[i];
        const char *id = NULL, *iri;
        if (node && node->kind == CX_YSCALAR) {
            int rc = cx__ctdl_ref(x, node, &id, &iri);
            if (rc) return rc;
        }
        if (id && cx__strmap_get(&d->competencies, id)) {
            (*n)++;
            if (!write) continue;
            cx__buf_printf(b, "%scompetency ", indent);
            cx__draft_string(b, id);
            cx__buf_puts(b, ",\n");
        } else if (!write) {
            const char *name =
                v.v[i]->kind == CX_YMAP
                    ? cx__ctdl_text(x, cx__ymap_get(v.v[i], "ceterms:targetNodeName"))
                    : NULL;
            cx__draft_comment(b, indent, "MANUAL: a competency not among the inputs: ",
                              name   ? name
                              : node ? cx__draft_iri(x, node)
                                     : v.v[i]->where);
        }
    }
    return CX_OK;
}

/* The targets of a profile among the inputs, as `"A", "B"` into sel; *n
 * of them, *all the count of targets. */
static int target_list(draft *d, ctdl *x, const cx_ynode *prof, cx_buf *sel, size_t *n, size_t *all)
{
    *n = *all = 0;
    for (size_t k = 0; target_keys[k]; k++) {
        ctdl_values t = cx__ctdl_values(prof, target_keys[k]);
        for (size_t j = 0; j < t.n; j++, (*all)++) {
            const char *id, *iri;
            int rc = cx__ctdl_ref(x, t.v[j], &id, &iri);
            if (rc) return rc;
            if (!cx__strmap_get(&d->known, id)) continue;
            cx__buf_puts(sel, (*n)++ ? ", " : "");
            cx__draft_string(sel, id);
        }
    }
    return CX_OK;
}

/* The profile's credit values (mapping §3.1): clock and contact hours as
 * hours(n, ...), other units as sum("credits_<unit>", n, ...), over its
 * targets among the inputs (none named: every award); *n of them. */
static int credits(draft *d, ctdl *x, const cx_ynode *prof, cx_buf *b, const char *indent,
                   size_t *n)
{
    cx_buf sel;
    cx__buf_init(&sel);
    size_t known, all;
    int rc = target_list(d, x, prof, &sel, &known, &all);
    ctdl_values v = cx__ctdl_values(prof, "ceterms:creditValue");
    *n = 0;
    for (size_t i = 0; i < v.n && !rc; i++) {
        char num[32];
        const char *unit =
            v.v[i]->kind == CX_YMAP
                ? cx__ctdl_credit_unit(x, cx__ymap_get(v.v[i], "ceterms:creditUnitType"))
                : NULL;
        if (!unit || cx__draft_number(cx__ymap_get(v.v[i], "schema:value"), num) != 0) {
            cx__draft_comment(b, indent,
                              "MANUAL: a credit value without one number and one "
                              "unit: ",
                              v.v[i]->where);
            continue;
        }
        if (all && !known) {
            cx__draft_comment(b, indent,
                              "MANUAL: a credit value over targets none of which "
                              "is among the inputs: ",
                              v.v[i]->where);
            continue;
        }
        int is_hours = strcmp(unit, "clock_hour") == 0 || strcmp(unit, "contact_hour") == 0;
        if (is_hours)
            cx__buf_printf(b, "%shours(%s, ", indent, num);
        else
            cx__buf_printf(b, "%ssum(\"credits_%s\", %s", indent, unit, num);
        if (known)
            cx__buf_printf(b, "%sany_of { %s })", is_hours ? "" : ", ", sel.data);
        else
            cx__buf_puts(b, is_hours ? "any_credential)" : ")");
        cx__buf_puts(b, ",\n");
        (*n)++;
    }
    if (!rc && sel.oom) rc = CX_ENOMEM;
    cx__buf_free(&sel);
    return rc;
}

/* One requires profile's own statement: its comments, then its slots and
 * credit values under all (at_least(n) for the slots when requiredNumber is
 * n, fewer than the slots); *n 1 when it drafted a requirement. */
static int own_profile(draft *d, ctdl *x, const cx_ynode *prof, cx_buf *b, const char *indent,
                       size_t *n)
{
    const char *about = cx__ctdl_text(x, cx__ymap_get(prof, "ceterms:name"));
    if (!about) about = cx__ctdl_text(x, cx__ymap_get(prof, "ceterms:description"));
    if (about) cx__draft_comment(b, indent, "", about);
    conditions(b, x, prof, indent);
    unexpressed(b, x, prof, indent);
    size_t nslots = 0, ncredits, ncompetencies;
    for (size_t k = 0; target_keys[k]; k++) {
        ctdl_values t = cx__ctdl_values(prof, target_keys[k]);
        for (size_t j = 0; j < t.n; j++) {
            const char *id, *iri;
            int rc = cx__ctdl_ref(x, t.v[j], &id, &iri);
            if (rc) return rc;
            if (cx__strmap_get(&d->known, id))
                nslots++;
            else
                cx__draft_comment(
                    b, indent, "MANUAL: a target not among the inputs: ", cx__draft_iri(x, t.v[j]));
        }
    }
    int rc = competencies(d, x, prof, b, indent, 0, &ncompetencies);
    if (rc) return rc;
    nslots += ncompetencies;
    char inner[CX_DRAFT_INDENT], deeper[CX_DRAFT_INDENT];
    cx__draft_indent(inner, indent, 2);
    cx__draft_indent(deeper, indent, 4);
    cx_buf credit;
    cx__buf_init(&credit);
    rc = credits(d, x, prof, &credit, inner, &ncredits);
    const cx_ynode *req = cx__ymap_get(prof, "ceterms:requiredNumber");
    long need = req && req->kind == CX_YSCALAR ? strtol(req->text, NULL, 10) : 0;
    int some = need > 0 && (size_t)need < nslots;
    *n = !rc && (nslots || ncredits);
    if (*n && some && !ncredits)
        cx__buf_printf(b, "%sat_least(%ld) {\n", indent, need);
    else if (*n)
        cx__buf_printf(b, "%sall {\n", indent);
    if (*n && some && ncredits) cx__buf_printf(b, "%sat_least(%ld) {\n", inner, need);
    const char *at = some && ncredits ? deeper : inner;
    for (size_t k = 0; *n && target_keys[k] && !rc; k++) {
        ctdl_values t = cx__ctdl_values(prof, target_keys[k]);
        for (size_t j = 0; j < t.n && !rc; j++) {
            const char *id, *iri;
            if (!(rc = cx__ctdl_ref(x, t.v[j], &id, &iri)) && cx__strmap_get(&d->known, id))
                rc = cx__draft_slot(d, b, at, id, NULL);
        }
    }
    if (*n && !rc) rc = competencies(d, x, prof, b, at, 1, &ncompetencies);
    if (*n && some && ncredits) cx__buf_printf(b, "%s},\n", inner);
    if (*n && credit.len) cx__buf_add(b, credit.data, credit.len);
    if (!*n && credit.len && !rc) /* its MANUAL comments, at the profile's indent */
        rc = credits(d, x, prof, b, indent, &ncredits);
    if (*n) cx__buf_printf(b, "%s},\n", indent);
    if (!rc && credit.oom) rc = CX_ENOMEM;
    cx__buf_free(&credit);
    return rc;
}

#define MAX_ALTERNATIVES_DEPTH 4 /* alternatives of alternatives */

/* A requires profile with its alternativeConditions (mapping §3.1): two or
 * more make any { its own statement, each alternative }, under a REVIEW
 * comment; a single one (a publisher's slip: an alternative needs another)
 * is drafted beside it as one more condition, under a REVIEW comment. *n
 * is not 0 when it drafted a requirement. */
static int profile(draft *d, ctdl *x, const cx_ynode *prof, cx_buf *b, const char *indent,
                   int depth, size_t *n)
{
    ctdl_values alts = cx__ctdl_values(prof, "ceterms:alternativeCondition");
    size_t one = 0, k = 0;
    if (alts.n && depth >= MAX_ALTERNATIVES_DEPTH)
        cx__draft_comment(b, indent,
                          "MANUAL: alternative conditions nested too deep: ", prof->where);
    if (!alts.n || depth >= MAX_ALTERNATIVES_DEPTH) return own_profile(d, x, prof, b, indent, n);
    if (alts.n == 1) {
        int rc = own_profile(d, x, prof, b, indent, n);
        cx__draft_comment(
            b, indent, "REVIEW: ", "a single alternativeCondition, drafted as one more condition");
        if (!rc && alts.v[0]->kind == CX_YMAP)
            rc = profile(d, x, alts.v[0], b, indent, depth + 1, &one);
        *n += one;
        return rc;
    }
    char inner[CX_DRAFT_INDENT];
    cx__draft_indent(inner, indent, 2);
    cx_buf any;
    cx__buf_init(&any);
    int rc = own_profile(d, x, prof, &any, inner, &one);
    k += one ? 1 : 0;
    for (size_t i = 0; i < alts.n && !rc; i++) {
        if (alts.v[i]->kind != CX_YMAP) continue;
        rc = profile(d, x, alts.v[i], &any, inner, depth + 1, &one);
        k += one ? 1 : 0;
    }
    *n = k;
    if (k) {
        cx__draft_comment(b, indent,
                          "REVIEW: ", "alternativeCondition: any one of these fulfils the profile");
        cx__buf_printf(b, "%sany {\n", indent);
    }
    cx__buf_add(b, any.data ? any.data : "", any.len);
    if (k) cx__buf_printf(b, "%s},\n", indent);
    if (!rc && any.oom) rc = CX_ENOMEM;
    cx__buf_free(&any);
    return rc;
}

/* An isRequiredFor profile of another credential: that credential, with
 * the profile's conditions. */
static int required(draft *d, const dprofile *p, cx_buf *b, const char *indent)
{
    const dknown *from = cx__strmap_get(&d->known, p->from);
    char inner[CX_DRAFT_INDENT];
    cx__draft_indent(inner, indent, 2);
    cx_buf t;
    cx__buf_init(&t);
    cx__buf_printf(&t, "%s%s%s", p->from, from->name ? ": " : "", from->name ? from->name : "");
    cx__draft_comment(b, indent, "from isRequiredFor of ", t.oom ? p->from : t.data);
    cx__buf_free(&t);
    conditions(b, p->x, p->node, indent);
    cx__buf_printf(b, "%sall {\n", indent);
    int rc = cx__draft_slot(d, b, inner, p->from, NULL);
    cx__buf_printf(b, "%s},\n", indent);
    return rc;
}

static int by_from(const void *a, const void *b)
{
    return strcmp(((const dprofile *)a)->from, ((const dprofile *)b)->from);
}

int cx__draft_profiles(draft *d, const dstack *s, cx_buf *b, const char *indent, dcount *n)
{
    cx_strmap named; /* ids the requires profiles name: isRequiredFor adds no slot twice */
    cx__strmap_init(&named);
    dprofile *others = malloc((s->nprofiles ? s->nprofiles : 1) * sizeof *others);
    size_t nothers = 0, one = 0;
    int rc = others ? CX_OK : CX_ENOMEM;
    *n = (dcount){0, 0, 0};
    for (size_t i = 0; i < s->nprofiles && !rc; i++) {
        const dprofile *p = &s->profiles[i];
        if (p->from) {
            others[nothers++] = *p;
            continue;
        }
        for (size_t k = 0; target_keys[k] && !rc; k++) {
            ctdl_values t = cx__ctdl_values(p->node, target_keys[k]);
            for (size_t j = 0; j < t.n && !rc; j++) {
                const char *id, *iri;
                if (!(rc = cx__ctdl_ref(p->x, t.v[j], &id, &iri)) &&
                    cx__strmap_put(&named, id, (void *)id, NULL) < 0)
                    rc = CX_ENOMEM;
            }
        }
        if (!rc) rc = profile(d, p->x, p->node, b, indent, 0, &one);
        n->drafted += one ? 1 : 0;
        n->requires ++;
    }
    if (nothers) qsort(others, nothers, sizeof *others, by_from);
    for (size_t i = 0; i < nothers && !rc; i++) {
        int seen = cx__strmap_put(&named, others[i].from, (void *)others[i].from, NULL);
        if (seen < 0) rc = CX_ENOMEM;
        if (seen) continue;
        rc = required(d, &others[i], b, indent);
        n->drafted++;
        n->required_for++;
    }
    free(others);
    cx__strmap_free(&named);
    return rc;
}

static int part_by_id(const void *a, const void *b)
{
    int c = strcmp(((const dpart *)a)->id, ((const dpart *)b)->id);
    return c ? c : strcmp(((const dpart *)a)->via, ((const dpart *)b)->via);
}

int cx__draft_parts(draft *d, const dstack *s, cx_buf *b, const char *indent, size_t *n)
{
    static const char *const vias[] = {"hasPart", "isParentOf", "isChildOf", "isPartOf", NULL};
    static const char *const says[] = {"hasPart", "CLR isParentOf", "CLR isChildOf", "CLR isPartOf",
                                       NULL};
    *n = 0;
    if (!s->nparts) return CX_OK;
    qsort(s->parts, s->nparts, sizeof *s->parts, part_by_id);
    cx__buf_printf(b, "%s-- REVIEW: from ", indent);
    int any = 0;
    for (size_t v = 0; vias[v]; v++) {
        int used = 0;
        for (size_t i = 0; i < s->nparts && !used; i++)
            used = strcmp(s->parts[i].via, vias[v]) == 0;
        if (used) cx__buf_printf(b, "%s%s", any++ ? ", " : "", says[v]);
    }
    cx__buf_puts(b, ", not a stated requirement\n");
    int rc = CX_OK;
    for (size_t i = 0; i < s->nparts && !rc; i++) {
        if (i && strcmp(s->parts[i].id, s->parts[i - 1].id) == 0) continue;
        rc = cx__draft_slot(d, b, indent, s->parts[i].id, NULL);
        (*n)++;
    }
    return rc;
}
