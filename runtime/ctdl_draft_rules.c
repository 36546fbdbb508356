/*
 * ctdl_draft_rules.c -- `credex draft`: the rules that are not stacks.
 * TransferValueProfiles become counts_as with issued_between (mapping
 * §3.4); a CLR's associations (§5) become equivalent and counts_as rules,
 * parts of a stack, or MANUAL comments. Text only: it decides nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctdl_draft.h"

/* ----------------------------------------------------- transfer values */

/* A date (YYYY-MM-DD) under key of node into out; 0 when absent, -1 when
 * it is not a plain date. */
static int plain_date(const cx_ynode *node, const char *key, char out[11])
{
    const cx_ynode *v = cx__ymap_get(node, key);
    if (!v) return 0;
    if (v->kind != CX_YSCALAR || v->len != 10) return -1;
    for (size_t i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? v->text[i] != '-' : (v->text[i] < '0' || v->text[i] > '9'))
            return -1;
    memcpy(out, v->text, 11);
    return 1;
}

/* The text of one counts_as rule from a transfer value profile. */
static void counts_as(cx_buf *b, const char *from, const char *to, const char *start,
                      const char *end)
{
    cx__buf_puts(b, "counts_as {\n  from = ");
    cx__draft_string(b, from);
    cx__buf_puts(b, ",\n  to = ");
    cx__draft_string(b, to);
    cx__buf_puts(b, ",\n");
    if (start[0] && end[0])
        cx__buf_printf(b, "  issued_between = { \"%s\", \"%s\" },\n", start, end);
    else if (start[0] || end[0])
        cx__buf_printf(b, "  issued_between = { %s = \"%s\" },\n", start[0] ? "from" : "to",
                       start[0] ? start : end);
    cx__buf_puts(b, "}\n");
}

/* The comments above a transfer value's rules: its name and id, and the
 * amount counts_as cannot carry. */
static void transfer_head(ctdl *x, const cx_ynode *node, cx_buf *b)
{
    const char *name = cx__ctdl_text(x, cx__ymap_get(node, "ceterms:name"));
    const char *id, *iri;
    cx__buf_puts(b, "\n");
    if (cx__ctdl_ref(x, node, &id, &iri) == CX_OK)
        cx__draft_comment(b, "", "from the TransferValueProfile ", id);
    else
        cx_error_clear(x->err);
    if (name) cx__draft_comment(b, "", "", name);
    ctdl_values v = cx__ctdl_values(node, "ceterms:transferValue");
    for (size_t i = 0; i < v.n; i++) {
        char num[32];
        const char *unit =
            v.v[i]->kind == CX_YMAP
                ? cx__ctdl_credit_unit(x, cx__ymap_get(v.v[i], "ceterms:creditUnitType"))
                : NULL;
        cx_buf t;
        cx__buf_init(&t);
        if (unit && cx__draft_number(cx__ymap_get(v.v[i], "schema:value"), num) == 0)
            cx__buf_printf(&t, "worth %s %s; counts_as is all or nothing", num, unit);
        else
            cx__buf_printf(&t, "a transfer value at %s; counts_as is all or nothing",
                           v.v[i]->where);
        cx__draft_comment(b, "", "REVIEW: ", t.oom ? "" : t.data);
        cx__buf_free(&t);
    }
}

int cx__draft_transfer_value(draft *d, ctdl *x, const cx_ynode *node)
{
    ctdl_values from = cx__ctdl_values(node, "ceterms:transferValueFrom");
    ctdl_values to = cx__ctdl_values(node, "ceterms:transferValueFor");
    char start[11] = "", end[11] = "";
    const char *name = cx__ctdl_text(x, cx__ymap_get(node, "ceterms:name"));
    if (plain_date(node, "ceterms:startDate", start) < 0 ||
        plain_date(node, "ceterms:endDate", end) < 0)
        return cx__draft_note(d, "a transfer value whose dates are not YYYY-MM-DD: %s",
                              name ? name : node->where);
    int rc = CX_OK;
    for (size_t i = 0; i < from.n && !rc; i++) {
        for (size_t j = 0; j < to.n && !rc; j++) {
            const char *a, *b, *iri;
            if ((rc = cx__ctdl_ref(x, from.v[i], &a, &iri)) ||
                (rc = cx__ctdl_ref(x, to.v[j], &b, &iri)))
                break;
            const char *gone = !cx__strmap_get(&d->known, a)   ? cx__draft_iri(x, from.v[i])
                               : !cx__strmap_get(&d->known, b) ? cx__draft_iri(x, to.v[j])
                                                               : NULL;
            if (gone) {
                rc = cx__draft_note(d, "a transfer value naming what is not among the inputs: %s",
                                    gone);
                continue;
            }
            cx_buf text, key;
            cx__buf_init(&text);
            cx__buf_init(&key);
            transfer_head(x, node, &text);
            counts_as(&text, a, b, start, end);
            cx__buf_printf(&key, "1 %s %s %s %s", a, b, start, end);
            rc = text.oom || key.oom ? CX_ENOMEM : cx__draft_rule(d, key.data, text.data);
            cx__buf_free(&text);
            cx__buf_free(&key);
        }
    }
    if (!rc && (!from.n || !to.n))
        rc =
            cx__draft_note(d, "a transfer value without transferValueFrom and transferValueFor: %s",
                           name ? name : node->where);
    return rc;
}

/* ---------------------------------------------------------------- CLRs */

static const char *const part_types[] = {"isParentOf", "isChildOf", "isPartOf", NULL};

/* An association not drafted, as a MANUAL comment. */
static int clr_comment(draft *d, const cx_clr_association *as, const char *why)
{
    return cx__draft_note(d, "CLR association %s %s -> %s: %s", as->type ? as->type : "(no type)",
                          as->source_iri ? as->source_iri : "(none)",
                          as->target_iri ? as->target_iri : "(none)", why);
}

/* A CLR association between two achievements of the file, drafted. */
static int clr_association(draft *d, const cx_clr_association *as)
{
    const char *src, *dst;
    if (!as->source || !as->target)
        return clr_comment(d, as, "names an achievement not in this file");
    src = as->source->id;
    dst = as->target->id;
    if (as->type && cx__listed(part_types, as->type)) {
        int parent_is_source = strcmp(as->type, "isParentOf") == 0;
        const dknown *parent = cx__strmap_get(&d->known, parent_is_source ? src : dst);
        const dknown *child = cx__strmap_get(&d->known, parent_is_source ? dst : src);
        return cx__draft_add_part(d, parent, child->id, as->type); /* ids in the arena */
    }
    cx_buf b, k;
    cx__buf_init(&b);
    cx__buf_init(&k);
    int rc = CX_OK;
    if (as->type && strcmp(as->type, "exactMatchOf") == 0 && strcmp(src, dst) != 0) {
        const char *lo = strcmp(src, dst) < 0 ? src : dst, *hi = lo == src ? dst : src;
        cx__buf_puts(&b, "\n-- REVIEW: from a CLR association exactMatchOf\nequivalent { ");
        cx__draft_string(&b, lo);
        cx__buf_puts(&b, ", ");
        cx__draft_string(&b, hi);
        cx__buf_puts(&b, " }\n");
        cx__buf_printf(&k, "2 %s %s", lo, hi);
    } else if (as->type && strcmp(as->type, "replacedBy") == 0 && strcmp(src, dst) != 0) {
        cx__buf_puts(&b, "\n-- REVIEW: from a CLR association replacedBy\ncounts_as { from = ");
        cx__draft_string(&b, src);
        cx__buf_puts(&b, ", to = ");
        cx__draft_string(&b, dst);
        cx__buf_puts(&b, " }\n");
        cx__buf_printf(&k, "1 %s %s", src, dst);
    } else {
        rc = clr_comment(d, as, "credex has no rule for it");
    }
    if (!rc && b.len) rc = b.oom || k.oom ? CX_ENOMEM : cx__draft_rule(d, k.data, b.data);
    cx__buf_free(&b);
    cx__buf_free(&k);
    return rc;
}

int cx__draft_clr_visit(void *ud, const cx_clr_achievement *a, const cx_clr_association *as)
{
    draft *d = ud;
    if (as) return clr_association(d, as);
    if (!d->clr_issuer && a->clr_issuer &&
        !(d->clr_issuer = cx__ydoc_strdup(d->arena, a->clr_issuer)))
        return CX_ENOMEM;
    if (cx__strmap_get(&d->known, a->id)) return CX_OK;
    dknown *k = cx__ydoc_alloc(d->arena, sizeof *k);
    const char *id = cx__ydoc_strdup(d->arena, a->id);
    if (!k || !id) return CX_ENOMEM;
    *k = (dknown){id, NULL, a->node, a->name, a->grade_scale, a->clr_issuer};
    return cx__strmap_put(&d->known, id, k, NULL) < 0 ? CX_ENOMEM : CX_OK;
}
