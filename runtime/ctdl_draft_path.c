/*
 * ctdl_draft_path.c -- `credex draft`: pathways (Pathway, PathwayComponent,
 * ComponentCondition, Constraint; mapping §3.3) into a stack's requirement.
 * Text only: what credex cannot express becomes a MANUAL comment naming it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctdl_draft.h"

#define MAX_DEPTH 8 /* nested conditions and inlined components */

/* One ComponentCondition being written. */
typedef struct dcond {
    draft *d;
    ctdl *x;
    const struct dcond *up; /* the condition this one is a part of, or NULL */
    const cx_ynode *node;   /* the ComponentCondition, or NULL (a destination) */
    const cx_ynode *grades; /* a StudentGrade constraint's allowed grades, or NULL */
    const cx_ynode *credit; /* a creditValue gteq constraint's number, or NULL */
    int slots;              /* 1: targets are slots; 0: only the credit total's selector */
    const dknown **targets; /* the target credentials among the inputs (malloc'd) */
    size_t ntargets;
} dcond;

/* The node a reference names in x: an embedded object, or the document's
 * node with that @id; NULL when neither. */
static const cx_ynode *resolve(const ctdl *x, const cx_ynode *ref)
{
    if (ref->kind == CX_YMAP && cx__ymap_get(ref, "@type")) return ref;
    if (ref->kind == CX_YMAP) ref = cx__ymap_get(ref, "@id");
    return ref && ref->kind == CX_YSCALAR ? cx__ctdl_node(x, ref->text) : NULL;
}

/* The local name of a compact IRI or IRI value ("comparator:gteq" -> "gteq"). */
static const char *local(const cx_ynode *v)
{
    if (v && v->kind == CX_YLIST && v->count) v = v->items[0];
    if (!v || v->kind != CX_YSCALAR) return NULL;
    const char *s = v->text, *p = strrchr(s, ':'), *q = strrchr(s, '/');
    const char *cut = p > q ? p : q;
    return cut ? cut + 1 : s;
}

/* A MANUAL comment at indent naming what (a pointer or a name). */
static void manual(cx_buf *b, const char *indent, const char *why, const char *what)
{
    cx_buf t;
    cx__buf_init(&t);
    cx__buf_printf(&t, "%s: %s", why, what ? what : "");
    cx__draft_comment(b, indent, "MANUAL: ", t.oom ? why : t.data);
    cx__buf_free(&t);
}

/* The credential a component stands for: its sourceData among the
 * inputs, or NULL. */
static const dknown *component_credential(const dcond *c, const cx_ynode *comp)
{
    ctdl_values src = cx__ctdl_values(comp, "ceterms:sourceData");
    const char *id, *iri;
    if (src.n != 1 || cx__ctdl_ref(c->x, src.v[0], &id, &iri)) return NULL;
    return cx__strmap_get(&c->d->known, id);
}

/* The min_grade option of a slot on k under the grade constraint: the
 * lowest allowed grade when the allowed grades are the top of k's scale;
 * 0 (no option; a MANUAL comment says why) otherwise. */
static int min_grade(const dcond *c, const dknown *k, cx_buf *b, const char *indent, char out[96])
{
    const cx_ynode *scale = k->grade_scale, *g = c->grades;
    size_t n = g->kind == CX_YLIST ? g->count : 1;
    if (!scale) {
        manual(b, indent, "a grade constraint on a credential with no grade scale among the inputs",
               k->id);
        return 0;
    }
    size_t low = scale->count;
    for (size_t i = 0; i < n; i++) {
        const char *want = local(g->kind == CX_YLIST ? g->items[i] : g);
        size_t at = scale->count;
        for (size_t j = 0; want && j < scale->count; j++)
            if (scale->items[j]->kind == CX_YSCALAR && strcmp(scale->items[j]->text, want) == 0)
                at = j;
        if (at == scale->count) low = scale->count + 1;
        if (at < low) low = at;
    }
    if (low >= scale->count || scale->count - low != n) {
        manual(b, indent, "a grade constraint that is not the top of the grade scale of", k->id);
        return 0;
    }
    cx_buf t;
    cx__buf_init(&t);
    cx__buf_puts(&t, "min_grade = ");
    cx__draft_string(&t, scale->items[low]->text);
    snprintf(out, 96, "%s", t.oom ? "" : t.data);
    cx__buf_free(&t);
    return out[0] != '\0';
}

static int condition(dcond *parent, const cx_ynode *cond, cx_buf *b, const char *indent, int depth,
                     size_t *n);

/* A component's own conditions, inlined (a component without a
 * credential): all of them, or the one. */
static int inline_component(dcond *c, const cx_ynode *comp, cx_buf *b, const char *indent,
                            int depth, size_t *n)
{
    ctdl_values conds = cx__ctdl_values(comp, "ceterms:hasCondition");
    char inner[CX_DRAFT_INDENT];
    cx__draft_indent(inner, indent, 2);
    cx_buf body;
    cx__buf_init(&body);
    size_t count = 0, one;
    int rc = CX_OK;
    for (size_t i = 0; i < conds.n && !rc; i++) {
        const cx_ynode *cc = resolve(c->x, conds.v[i]);
        if (!cc) {
            manual(&body, inner, "a condition not in this document",
                   cx__draft_iri(c->x, conds.v[i]));
            continue;
        }
        rc = condition(c, cc, &body, inner, depth + 1, &one);
        count += one;
    }
    *n = count ? 1 : 0;
    if (count) cx__buf_printf(b, "%sall {\n", indent);
    cx__buf_add(b, body.data ? body.data : "", body.len);
    if (count) cx__buf_printf(b, "%s},\n", indent);
    if (!rc && body.oom) rc = CX_ENOMEM;
    cx__buf_free(&body);
    return rc;
}

/* One target component at indent: a slot on its credential (only a
 * target of the credit total when c->slots is 0), its conditions inlined,
 * or a MANUAL comment; *n 1 when it drafted. */
static int component(dcond *c, const cx_ynode *ref, cx_buf *b, const char *indent, int depth,
                     size_t *n)
{
    static const char *const slotted[] = {"ceterms:CredentialComponent", "ceterms:CourseComponent",
                                          "ceterms:AssessmentComponent", NULL};
    const cx_ynode *comp = resolve(c->x, ref);
    const char *type = comp ? cx__ctdl_type(comp) : NULL;
    const char *name = comp ? cx__ctdl_text(c->x, cx__ymap_get(comp, "ceterms:name")) : NULL;
    *n = 0;
    if (!comp) {
        manual(b, indent, "a component not in this document", cx__draft_iri(c->x, ref));
        return CX_OK;
    }
    if (type && cx__listed(slotted, type)) {
        const dknown *k = component_credential(c, comp);
        char opt[96] = "";
        if (!k) {
            manual(b, indent, "a component whose sourceData is not among the inputs",
                   name ? name : comp->where);
            return CX_OK;
        }
        const dknown **t = cx__draft_grow((void **)&c->targets, &c->ntargets, sizeof *t);
        if (!t) return CX_ENOMEM;
        *t = k;
        *n = 1;
        if (!c->slots) return CX_OK;
        if (c->grades && !min_grade(c, k, b, indent, opt)) opt[0] = '\0';
        return cx__draft_slot(c->d, b, indent, k->id, opt[0] ? opt : NULL);
    }
    if (cx__ymap_get(comp, "ceterms:hasCondition") && depth < MAX_DEPTH && c->slots)
        return inline_component(c, comp, b, indent, depth, n);
    cx_buf t;
    cx__buf_init(&t);
    cx__buf_printf(&t, "a %s (%s): credex has no requirement for it", type ? type : "component",
                   name ? name : comp->where);
    cx__draft_comment(b, indent, "MANUAL: ", t.oom ? "" : t.data);
    cx__buf_free(&t);
    return CX_OK;
}

/* The unit the targets' credit values share (as import names it), or
 * NULL when none has one or two differ. */
static const char *credit_unit(const dcond *c)
{
    const char *unit = NULL;
    for (size_t i = 0; i < c->ntargets; i++) {
        const dknown *k = c->targets[i];
        ctdl_values v = k->x ? cx__ctdl_values(k->node, "ceterms:creditValue") : (ctdl_values){0};
        for (size_t j = 0; j < v.n; j++) {
            const char *u =
                v.v[j]->kind == CX_YMAP
                    ? cx__ctdl_credit_unit(k->x, cx__ymap_get(v.v[j], "ceterms:creditUnitType"))
                    : NULL;
            if (!u) continue;
            if (unit && strcmp(unit, u) != 0) return NULL;
            unit = u;
        }
    }
    return unit;
}

/* The credit total over the targets at indent, with label (or NULL); 0
 * when the targets give no one unit (a MANUAL comment says so). */
static int credit_total(const dcond *c, cx_buf *b, const char *indent, const char *label)
{
    const char *unit = credit_unit(c);
    char num[32];
    if (!unit || !c->ntargets || cx__draft_number(c->credit, num) != 0) {
        manual(b, indent,
               "a credit constraint over targets with no one credit unit among the inputs",
               c->credit->where);
        return 0;
    }
    int hours = strcmp(unit, "clock_hour") == 0 || strcmp(unit, "contact_hour") == 0;
    if (hours)
        cx__buf_printf(b, "%shours(%s, any_of { ", indent, num);
    else
        cx__buf_printf(b, "%ssum(\"credits_%s\", %s, any_of { ", indent, unit, num);
    for (size_t i = 0; i < c->ntargets; i++) {
        cx__buf_puts(b, i ? ", " : "");
        cx__draft_string(b, c->targets[i]->id);
    }
    cx__buf_puts(b, " })");
    if (label) {
        cx__buf_puts(b, " { label = ");
        cx__draft_string(b, label);
        cx__buf_puts(b, " }");
    }
    cx__buf_puts(b, ",\n");
    return 1;
}

/* The constraints of a condition: a credit total (creditValue gteq N) and
 * a grade constraint (StudentGrade) into c; any other is MANUAL. */
static void constraints(dcond *c, const cx_ynode *cond, cx_buf *b, const char *indent)
{
    ctdl_values k = cx__ctdl_values(cond, "ceterms:hasConstraint");
    for (size_t i = 0; i < k.n; i++) {
        const cx_ynode *con = resolve(c->x, k.v[i]);
        const char *left = con ? local(cx__ymap_get(con, "ceterms:leftSource")) : NULL;
        const char *cmp = con ? local(cx__ymap_get(con, "ceterms:comparator")) : NULL;
        const cx_ynode *right = con ? cx__ymap_get(con, "ceterms:rightSource") : NULL;
        char num[32];
        if (left && strcmp(left, "creditValue") == 0 && cmp &&
            (strcmp(cmp, "gteq") == 0 || strcmp(cmp, "greaterThanEqual") == 0) && !c->credit &&
            cx__draft_number(right, num) == 0) {
            c->credit = right;
        } else if (left && strstr(left, "Grade") && right && !c->grades) {
            c->grades = right;
        } else {
            const char *what = con ? cx__ctdl_text(c->x, cx__ymap_get(con, "ceterms:name")) : NULL;
            if (!what && con) what = cx__ctdl_text(c->x, cx__ymap_get(con, "ceterms:description"));
            manual(b, indent, "a constraint credex cannot express", what ? what : k.v[i]->where);
        }
    }
}

/* src's lines into b, each without up to k of its leading spaces: the
 * comments of parts written deeper than where they end up. */
static void dedented(cx_buf *b, const cx_buf *src, size_t k)
{
    const char *p = src->len ? src->data : "";
    while (*p) {
        for (size_t i = 0; i < k && *p == ' '; i++) p++;
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) + 1 : strlen(p);
        cx__buf_add(b, p, n);
        p += n;
    }
}

/* The parts of a condition (its target components, then its nested
 * conditions) at indent into b; *n of them drafted. */
static int condition_parts(dcond *c, const cx_ynode *cond, cx_buf *b, const char *indent, int depth,
                           size_t *n)
{
    ctdl_values t = cx__ctdl_values(cond, "ceterms:targetComponent");
    ctdl_values nested = cx__ctdl_values(cond, "ceterms:hasCondition");
    size_t one;
    int rc = CX_OK;
    *n = 0;
    for (size_t i = 0; i < t.n && !rc; i++) {
        rc = component(c, t.v[i], b, indent, depth, &one);
        *n += one;
    }
    for (size_t i = 0; i < nested.n && !rc && c->slots; i++) {
        const cx_ynode *cc = resolve(c->x, nested.v[i]);
        if (!cc) {
            manual(b, indent, "a condition not in this document", cx__draft_iri(c->x, nested.v[i]));
            continue;
        }
        rc = condition(c, cc, b, indent, depth + 1, &one);
        *n += one;
    }
    return rc;
}

/* 1 (and a MANUAL comment) when cond is not drafted at all: it contains
 * itself, the count of conditions is spent, it is nested too deep, or it
 * means exactly one (logic:OnlyOne). Else it counts one condition. */
static int refused(const dcond *parent, const cx_ynode *cond, const char *name, int depth,
                   cx_buf *b, const char *indent)
{
    draft *d = parent->d;
    const char *op = local(cx__ymap_get(cond, "ceterms:logicalOperator"));
    const char *what = name ? name : cond->where;
    for (const dcond *up = parent; up; up = up->up)
        if (up->node == cond) {
            manual(b, indent, "a condition that contains itself", what);
            return 1;
        }
    if (!d->budget) {
        if (!d->over_budget++)
            manual(b, indent, "more pathway conditions than credex drafts, from", cond->where);
        return 1;
    }
    d->budget--;
    if (depth > MAX_DEPTH) manual(b, indent, "conditions nested too deep", what);
    if (op && strcmp(op, "OnlyOne") == 0)
        manual(b, indent, "exactly one of (logic:OnlyOne), which credex cannot express", what);
    return depth > MAX_DEPTH || (op && strcmp(op, "OnlyOne") == 0);
}

/* label = "name", at indent (nothing without a name). */
static void label(cx_buf *b, const char *indent, const char *name)
{
    if (!name) return;
    cx__buf_printf(b, "%slabel = ", indent);
    cx__draft_string(b, name);
    cx__buf_puts(b, ",\n");
}

/* The drafted parts of a condition under at_least(need), any or all at
 * indent, then the credit total: both under all { ... } when there is one. */
static void group(cx_buf *b, const cx_ynode *cond, const char *name, long need, const cx_buf *body,
                  const cx_buf *total, const char *indent)
{
    const char *op = local(cx__ymap_get(cond, "ceterms:logicalOperator"));
    char inner[CX_DRAFT_INDENT], parts[CX_DRAFT_INDENT];
    cx__draft_indent(inner, indent, total ? 2 : 0);
    cx__draft_indent(parts, inner, 2);
    if (total) cx__buf_printf(b, "%sall {\n", indent);
    if (total) label(b, inner, name);
    if (need > 0)
        cx__buf_printf(b, "%sat_least(%ld) {\n", inner, need);
    else
        cx__buf_printf(b, "%s%s {\n", inner, op && strcmp(op, "Or") == 0 ? "any" : "all");
    if (!total) label(b, parts, name);
    cx__buf_add(b, body->data, body->len);
    cx__buf_printf(b, "%s},\n", inner);
    if (total) cx__buf_add(b, total->data ? total->data : "", total->len);
    if (total) cx__buf_printf(b, "%s},\n", indent);
}

/* A ComponentCondition as one requirement at indent: at_least(n) with
 * requiredNumber n (over targets and nested conditions together), any for
 * logic:Or, else all; a credit constraint as a total over the targets (the
 * only requirement when there is no requiredNumber); *n 1 when drafted. */
static int condition(dcond *parent, const cx_ynode *cond, cx_buf *b, const char *indent, int depth,
                     size_t *n)
{
    dcond c = {parent->d, parent->x, parent, cond, NULL, NULL, 1, NULL, 0};
    const char *name = cx__ctdl_text(c.x, cx__ymap_get(cond, "ceterms:name"));
    const cx_ynode *req = cx__ymap_get(cond, "ceterms:requiredNumber");
    long need = req && req->kind == CX_YSCALAR ? strtol(req->text, NULL, 10) : 0;
    dstack *cur = c.d->current;
    size_t saved = cur ? cur->nslots : 0, count;
    *n = 0;
    if (refused(parent, cond, name, depth, b, indent)) return CX_OK;
    constraints(&c, cond, b, indent);
    c.slots = !c.credit || need > 0;
    int wrap = c.credit && c.slots; /* all { at_least(n) { ... }, total } */
    char inner[CX_DRAFT_INDENT], parts[CX_DRAFT_INDENT];
    cx__draft_indent(inner, indent, 2);
    cx__draft_indent(parts, indent, wrap ? 4 : 2);
    cx_buf body, total;
    cx__buf_init(&body);
    cx__buf_init(&total);
    int rc = condition_parts(&c, cond, &body, parts, depth, &count);
    int summed =
        !rc && c.credit && credit_total(&c, &total, wrap ? inner : indent, wrap ? NULL : name);
    if (!rc && (!c.slots || !count || (need > 0 && (size_t)need > count)))
        dedented(b, &body, wrap ? 4 : 2); /* the parts' comments */
    if (!rc && c.slots && need > 0 && (size_t)need > count) {
        cx_buf t;
        cx__buf_init(&t);
        cx__buf_printf(&t, "requiredNumber %ld, but %zu of its parts can be drafted", need, count);
        manual(b, indent, t.oom ? "requiredNumber" : t.data, name ? name : cond->where);
        cx__buf_free(&t);
    } else if (!rc && !c.slots) {
        cx__buf_add(b, total.data ? total.data : "", total.len);
        *n = (size_t)summed;
    } else if (!rc && count) {
        group(b, cond, name, need, &body, wrap ? &total : NULL, indent);
        *n = 1;
    }
    if (!*n && cur) cur->nslots = saved; /* nothing drafted: no slot either */
    if (!rc && (body.oom || total.oom)) rc = CX_ENOMEM;
    cx__buf_free(&body);
    cx__buf_free(&total);
    free(c.targets);
    return rc;
}

/* ------------------------------------------------------------ pathways */

/* A pathway: the stack of its destination's credential gains it. */
static int pathway(draft *d, ctdl *x, const cx_ynode *node)
{
    ctdl_values dest = cx__ctdl_values(node, "ceterms:hasDestinationComponent");
    const char *name = cx__ctdl_text(x, cx__ymap_get(node, "ceterms:name"));
    dcond c = {d, x, NULL, NULL, NULL, NULL, 1, NULL, 0};
    if (!dest.n)
        return cx__draft_note(d, "a pathway without a destination: %s", name ? name : node->where);
    for (size_t i = 0; i < dest.n; i++) {
        const cx_ynode *comp = resolve(x, dest.v[i]);
        const dknown *k = comp ? component_credential(&c, comp) : NULL;
        if (!k || !cx__ctdl_is_credential(k->x ? cx__ctdl_type(k->node) : "ceterms:Badge")) {
            int rc = cx__draft_note(d,
                                    "a pathway whose destination is not a credential among the "
                                    "inputs (no stack to draft): %s",
                                    name ? name : node->where);
            if (rc) return rc;
            continue;
        }
        dstack *s = cx__draft_stack(d, k);
        dpathway *p = s ? cx__draft_grow((void **)&s->pathways, &s->npathways, sizeof *p) : NULL;
        if (!p) return CX_ENOMEM;
        *p = (dpathway){x, node, comp};
    }
    return CX_OK;
}

/* One pathway's destination conditions at indent: all of them. */
static int destination(draft *d, const dpathway *p, cx_buf *b, const char *indent, size_t *n)
{
    const char *name = cx__ctdl_text(p->x, cx__ymap_get(p->pathway, "ceterms:name"));
    ctdl_values conds = cx__ctdl_values(p->destination, "ceterms:hasCondition");
    dcond root = {d, p->x, NULL, NULL, NULL, NULL, 1, NULL, 0};
    size_t one;
    int rc = CX_OK;
    *n = 0;
    cx__draft_comment(b, indent, "from the pathway ", name ? name : p->pathway->where);
    for (size_t i = 0; i < conds.n && !rc; i++) {
        const cx_ynode *cc = resolve(p->x, conds.v[i]);
        if (!cc) {
            manual(b, indent, "a condition not in this document", cx__draft_iri(p->x, conds.v[i]));
            continue;
        }
        rc = condition(&root, cc, b, indent, 0, &one);
        *n += one;
    }
    return rc;
}

static int by_pathway(const void *a, const void *b)
{
    const dpathway *x = a, *y = b;
    const cx_ynode *i = cx__ymap_get(x->pathway, "@id"), *j = cx__ymap_get(y->pathway, "@id");
    int c = strcmp(i && i->kind == CX_YSCALAR ? i->text : "",
                   j && j->kind == CX_YSCALAR ? j->text : "");
    return c ? c : strcmp(x->x->file, y->x->file);
}

int cx__draft_pathways(draft *d, const dstack *s, cx_buf *b, const char *indent, size_t *n)
{
    char inner[CX_DRAFT_INDENT], deeper[CX_DRAFT_INDENT];
    cx__draft_indent(inner, indent, 2);
    cx__draft_indent(deeper, indent, 4);
    size_t one;
    int rc = CX_OK;
    *n = 0;
    if (s->npathways > 1) qsort(s->pathways, s->npathways, sizeof *s->pathways, by_pathway);
    if (s->npathways == 1) {
        rc = destination(d, &s->pathways[0], b, indent, &one);
        *n = one ? 1 : 0;
        return rc;
    }
    if (s->npathways)
        cx__buf_printf(b,
                       "%s-- REVIEW: %zu pathways lead to this credential: any of them\n%sany {\n",
                       indent, s->npathways, indent);
    for (size_t i = 0; i < s->npathways && !rc; i++) {
        cx_buf one_path;
        cx__buf_init(&one_path);
        rc = destination(d, &s->pathways[i], &one_path, deeper, &one);
        if (one) cx__buf_printf(b, "%sall {\n", inner);
        cx__buf_add(b, one_path.data ? one_path.data : "", one_path.len);
        if (one) cx__buf_printf(b, "%s},\n", inner);
        if (!rc && one_path.oom) rc = CX_ENOMEM;
        cx__buf_free(&one_path);
        *n += one ? 1 : 0;
    }
    if (s->npathways) cx__buf_printf(b, "%s},\n", indent);
    return rc;
}

int cx__draft_collect_path(draft *d, ctdl *x, const cx_ynode *node)
{
    const char *type = cx__ctdl_type(node);
    if (type && strcmp(type, "ceterms:Pathway") == 0) return pathway(d, x, node);
    if (type && strcmp(type, "ceterms:TransferValueProfile") == 0)
        return cx__draft_transfer_value(d, x, node);
    return CX_OK;
}
