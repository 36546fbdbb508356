/*
 * ctdl_asn.c -- CTDL-ASN competency frameworks and competencies into the
 * catalog's frameworks (or framework_competencies, for a framework another
 * input or the registry defines). Ids come from ctdl_ref.c.
 */
#include <stdio.h>
#include <string.h>

#include "ctdl_int.h"

/* ------------------------------------------------------------- CTDL-ASN */

static const char *const framework_keys[] = {
    "@context", "@id", "@type", "ceterms:ctid", "ceasn:name", NULL,
};

static const char *const competency_keys[] = {
    "@context",        "@id", "@type", "ceterms:ctid", "ceasn:competencyText", "ceasn:isPartOf",
    "ceasn:isChildOf", NULL,
};

/* A framework node: its entry in frameworks, with an empty competencies list. */
int cx__ctdl_framework(ctdl *x, const cx_ynode *node)
{
    const char *id, *iri;
    int rc = cx__ctdl_ref(x, node, &id, &iri);
    if (rc) return rc;
    const cx_ynode *name_node = cx__ymap_get(node, "ceasn:name");
    const char *name = cx__ctdl_text(x, name_node);
    if (!name) return cx__ctdl_fail(x, node, "competency framework '%s' has no ceasn:name", id);
    cx_ynode *f = cx__ctdl_new_map(x, node);
    cx_ynode *list = f ? cx__ynode_new(x->out, CX_YLIST, 0, 0, f->where) : NULL;
    if (!list || cx__strmap_put(&x->framework_lists, id, list, NULL) < 0) return cx__ctdl_nomem(x);
    if ((rc = cx__ctdl_put_text(x, f, "id", id, node)) ||
        (rc = cx__ctdl_put_text(x, f, "name", name, name_node)) ||
        (rc = cx__ctdl_put(x, f, "competencies", list)))
        return rc;
    cx__ctdl_report_unknown(x, node, framework_keys);
    return cx__ylist_append(x->out, x->frameworks, f) ? cx__ctdl_nomem(x) : CX_OK;
}

/* The one id a competency's key (isPartOf, isChildOf) names, or NULL;
 * more than one: the first, the rest reported. */
static int one_ref(ctdl *x, const cx_ynode *node, const char *key, const char **id)
{
    ctdl_values v = cx__ctdl_values(node, key);
    const char *iri;
    *id = NULL;
    if (v.n > 1) cx__ctdl_report(x, v.v[1], key, "%zu values; credex keeps the first", v.n);
    return v.n ? cx__ctdl_ref(x, v.v[0], id, &iri) : CX_OK;
}

/* A competency node: into its framework's list when this document defines
 * the framework, else into framework_competencies. One without a CTID or
 * a framework is reported, not imported. */
int cx__ctdl_competency(ctdl *x, const cx_ynode *node)
{
    const char *id, *iri, *fw, *parent;
    char ctid[40];
    const cx_ynode *own = cx__ymap_get(node, "ceterms:ctid");
    if (!own || own->kind != CX_YSCALAR || cx__ctdl_ctid(own->text, ctid) != 0 ||
        !cx__ymap_get(node, "ceasn:isPartOf")) {
        cx__ctdl_report(x, node, "@type",
                        "a competency without a CTID or a framework: not imported");
        return CX_OK;
    }
    int rc = cx__ctdl_ref(x, node, &id, &iri);
    if (rc || (rc = one_ref(x, node, "ceasn:isPartOf", &fw)) ||
        (rc = one_ref(x, node, "ceasn:isChildOf", &parent)))
        return rc;
    if (!fw) {
        cx__ctdl_report(x, node, "ceasn:isPartOf",
                        "a competency without a framework: not imported");
        return CX_OK;
    }
    const cx_ynode *text_at = cx__ymap_get(node, "ceasn:competencyText");
    const char *text = cx__ctdl_text(x, text_at);
    if (!text) return cx__ctdl_fail(x, node, "competency '%s' has no ceasn:competencyText", id);
    cx_ynode *k = cx__ctdl_new_map(x, node);
    if (!k) return cx__ctdl_nomem(x);
    if ((rc = cx__ctdl_put_text(x, k, "id", id, node)) ||
        (rc = cx__ctdl_put_text(x, k, "text", text, text_at)) ||
        (parent &&
         (rc = cx__ctdl_put_text(x, k, "parent", parent, cx__ymap_get(node, "ceasn:isChildOf")))))
        return rc;
    cx__ctdl_report_unknown(x, node, competency_keys);
    cx_ynode *list = cx__strmap_get(&x->framework_lists, fw);
    if (list) return cx__ylist_append(x->out, list, k) ? cx__ctdl_nomem(x) : CX_OK;
    cx_ynode *entry = cx__ctdl_new_map(x, node), *one = cx__ctdl_new_map(x, node);
    one = one ? cx__ynode_new(x->out, CX_YLIST, 0, 0, one->where) : NULL;
    if (!entry || !one || cx__ylist_append(x->out, one, k)) return cx__ctdl_nomem(x);
    if ((rc = cx__ctdl_put_text(x, entry, "framework", fw, cx__ymap_get(node, "ceasn:isPartOf"))) ||
        (rc = cx__ctdl_put(x, entry, "competencies", one)))
        return rc;
    return cx__ylist_append(x->out, x->loose, entry) ? cx__ctdl_nomem(x) : CX_OK;
}
