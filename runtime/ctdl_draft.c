/*
 * ctdl_draft.c -- `credex draft`: CTDL requires profiles into the text of a
 * Lua rule pack (docs/interop.md "Drafting"), ids as import gives them
 * (ctdl_ref.c). It reads only its input files: never the registry.
 */
#include <stdlib.h>
#include <string.h>

#include "ctdl_int.h"
#include "json_reader.h"

static const char *const target_keys[] = {"ceterms:targetCredential", "ceterms:targetCourse",
                                          "ceterms:targetAssessment",
                                          "ceterms:targetLearningOpportunity", NULL};

/* One credential with requires profiles, drafted as a stack. */
typedef struct drafted {
    ctdl *x; /* its document */
    const cx_ynode *node;
    const char *id;
} drafted;

/* Every input while it is drafted. */
typedef struct draft {
    cx_ydoc **json; /* the inputs, read */
    ctdl *docs;     /* one mapping context per input */
    size_t n;
    cx_ydoc *arena;    /* ids and CTIDs of every input */
    cx_strmap known;   /* ids import gives credentials of the inputs */
    cx_strmap stacked; /* ids of the stacks: a credential in two files drafts once */
    drafted *stacks;   /* malloc'd */
    size_t nstacks;
    cx_buf out;
} draft;

/* s as a Lua string literal: quotes, backslashes and control bytes escaped. */
static void lua_string(cx_buf *b, const char *s)
{
    cx__buf_puts(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            cx__buf_printf(b, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            cx__buf_printf(b, "\\%03u", c);
        else
            cx__buf_add(b, s, 1);
    }
    cx__buf_puts(b, "\"");
}

/* A comment of one line: line breaks and tabs become spaces. */
static void comment(cx_buf *b, const char *indent, const char *tag, const char *text)
{
    cx__buf_printf(b, "%s-- %s", indent, tag);
    for (; *text; text++) {
        char c = *text == '\n' || *text == '\r' || *text == '\t' ? ' ' : *text;
        cx__buf_add(b, &c, 1);
    }
    cx__buf_puts(b, "\n");
}

/* Adds the id import gives node (a credential or an earnable) to known. */
static int know(draft *d, ctdl *x, const cx_ynode *node)
{
    const char *id, *iri;
    int rc = cx__ctdl_ref(x, node, &id, &iri);
    if (rc) return rc;
    return cx__strmap_put(&d->known, id, (void *)node, NULL) < 0 ? cx__ctdl_nomem(x) : CX_OK;
}

/* What import makes credentials of: credential and earnable nodes, and
 * the earnables a requires profile embeds under targetLearningOpportunity
 * or targetAssessment. Credentials with profiles become stacks. */
static int collect(draft *d, ctdl *x)
{
    for (size_t i = 0; i < x->nnodes; i++) {
        const cx_ynode *node = x->nodes[i];
        const char *type = cx__ctdl_type(node);
        if (!cx__ctdl_is_credential(type) && !cx__ctdl_earnable_type(type)) continue;
        int rc = know(d, x, node);
        if (rc) return rc;
        ctdl_values profiles = cx__ctdl_values(node, "ceterms:requires");
        for (size_t p = 0; p < profiles.n; p++) {
            for (size_t k = 2; profiles.v[p]->kind == CX_YMAP && target_keys[k]; k++) {
                ctdl_values t = cx__ctdl_values(profiles.v[p], target_keys[k]);
                for (size_t j = 0; j < t.n; j++)
                    if (t.v[j]->kind == CX_YMAP && cx__ctdl_earnable_type(cx__ctdl_type(t.v[j])) &&
                        (rc = know(d, x, t.v[j])))
                        return rc;
            }
        }
        if (!profiles.n || !cx__ctdl_is_credential(type)) continue;
        drafted *grown = realloc(d->stacks, (d->nstacks + 1) * sizeof *grown);
        if (!grown) return cx__ctdl_nomem(x);
        d->stacks = grown;
        d->stacks[d->nstacks].x = x;
        d->stacks[d->nstacks].node = node;
        const char **id = &d->stacks[d->nstacks].id;
        if ((rc = cx__ctdl_ref(x, node, id, &(const char *){NULL}))) return rc;
        if (cx__strmap_get(&d->stacked, *id)) continue;
        if (cx__strmap_put(&d->stacked, *id, (void *)node, NULL) < 0) return cx__ctdl_nomem(x);
        d->nstacks++;
    }
    return CX_OK;
}

static int by_id(const void *a, const void *b)
{
    return strcmp(((const drafted *)a)->id, ((const drafted *)b)->id);
}

/* The IRI a target names, for a MANUAL comment: its text, its @id, or its name. */
static const char *target_name(const ctdl *x, const cx_ynode *t)
{
    if (t->kind == CX_YSCALAR) return t->text;
    const cx_ynode *at = t->kind == CX_YMAP ? cx__ymap_get(t, "@id") : NULL;
    if (at && at->kind == CX_YSCALAR) return at->text;
    const char *name =
        t->kind == CX_YMAP ? cx__ctdl_text(x, cx__ymap_get(t, "ceterms:name")) : NULL;
    return name ? name : t->where;
}

/* The text conditions of a profile (ceterms:condition, in the chosen
 * language) as MANUAL comments. */
static void conditions(draft *d, const ctdl *x, const cx_ynode *profile, const char *indent)
{
    const cx_ynode *c = cx__ctdl_lang(x, cx__ymap_get(profile, "ceterms:condition"));
    if (!c) return;
    if (c->kind == CX_YLIST) {
        for (size_t i = 0; i < c->count; i++)
            if (cx__ctdl_text(x, c->items[i]))
                comment(&d->out, indent, "MANUAL: ", cx__ctdl_text(x, c->items[i]));
    } else if (cx__ctdl_text(x, c)) {
        comment(&d->out, indent, "MANUAL: ", cx__ctdl_text(x, c));
    }
}

/* The slots of one profile (n of them) after its comments; 0 slots when
 * no target is among the inputs. */
static int profile(draft *d, ctdl *x, const cx_ynode *prof, const char *indent, size_t *n)
{
    cx_buf slots;
    cx__buf_init(&slots);
    *n = 0;
    const char *about = cx__ctdl_text(x, cx__ymap_get(prof, "ceterms:name"));
    if (!about) about = cx__ctdl_text(x, cx__ymap_get(prof, "ceterms:description"));
    if (about) comment(&d->out, indent, "", about);
    conditions(d, x, prof, indent);
    int rc = CX_OK;
    for (size_t k = 0; target_keys[k] && !rc; k++) {
        ctdl_values t = cx__ctdl_values(prof, target_keys[k]);
        for (size_t j = 0; j < t.n && !rc; j++) {
            const char *id, *iri;
            if ((rc = cx__ctdl_ref(x, t.v[j], &id, &iri))) break;
            if (!cx__strmap_get(&d->known, id)) {
                comment(&d->out, indent,
                        "MANUAL: a target not among the inputs: ", target_name(x, t.v[j]));
                continue;
            }
            cx__buf_printf(&slots, "%s  credential ", indent);
            lua_string(&slots, id);
            cx__buf_puts(&slots, ",\n");
            (*n)++;
        }
    }
    const cx_ynode *req = cx__ymap_get(prof, "ceterms:requiredNumber");
    long need = req && req->kind == CX_YSCALAR ? strtol(req->text, NULL, 10) : 0;
    if (!rc && *n && need > 0 && (size_t)need < *n)
        cx__buf_printf(&d->out, "%sat_least(%ld) {\n", indent, need);
    else if (!rc && *n)
        cx__buf_printf(&d->out, "%sall {\n", indent);
    if (!rc && *n) {
        if (slots.len) cx__buf_add(&d->out, slots.data, slots.len);
        cx__buf_printf(&d->out, "%s},\n", indent);
    }
    if (!rc && slots.oom) rc = cx__ctdl_nomem(x);
    cx__buf_free(&slots);
    return rc;
}

/* One stack: its profiles under all (REVIEW: any), or, when none has a
 * target among the inputs, only the comments. */
static int stack(draft *d, const drafted *s)
{
    ctdl *x = s->x;
    ctdl_values profiles = cx__ctdl_values(s->node, "ceterms:requires");
    const char *name = cx__ctdl_text(x, cx__ymap_get(s->node, "ceterms:name"));
    size_t total = 0, n;
    cx_buf body = d->out; /* the profiles are written into a buffer of their own */
    cx__buf_init(&d->out);
    int rc = CX_OK;
    for (size_t p = 0; p < profiles.n && !rc; p++)
        if (profiles.v[p]->kind == CX_YMAP) {
            rc = profile(d, x, profiles.v[p], "    ", &n);
            total += n ? 1 : 0;
        }
    cx_buf profs = d->out;
    d->out = body;
    if (!rc) {
        cx__buf_puts(&d->out, "\n");
        if (!total) comment(&d->out, "", "MANUAL: no requirement to draft for ", s->id);
        cx__buf_printf(&d->out, "%sstack ", total ? "" : "-- ");
        lua_string(&d->out, s->id);
        cx__buf_puts(&d->out, " {\n");
        if (name) {
            cx__buf_puts(&d->out, total ? "  name = " : "--   name = ");
            lua_string(&d->out, name);
            cx__buf_puts(&d->out, ",\n");
        }
        if (total && profiles.n > 1)
            cx__buf_printf(&d->out,
                           "  -- REVIEW: %zu requires profiles drafted as all; CTDL may "
                           "mean any of them: requires = any { ... }\n",
                           profiles.n);
        if (total) cx__buf_puts(&d->out, "  requires = all {\n");
        if (profs.len) cx__buf_add(&d->out, profs.data, profs.len);
        cx__buf_puts(&d->out, total ? "  },\n}\n" : "-- }\n");
    }
    if (!rc && profs.oom) rc = cx__ctdl_nomem(x);
    cx__buf_free(&profs);
    return rc;
}

/* The pack header: the authority is the first stack's owner (its name
 * when an input holds it). */
static int header(draft *d, const char *const *paths, size_t npaths)
{
    cx__buf_puts(&d->out, "-- drafted by `credex draft` from");
    for (size_t i = 0; i < npaths; i++) cx__buf_printf(&d->out, " %s", paths[i]);
    cx__buf_puts(&d->out, "\n-- Review every REVIEW and MANUAL comment before use.\n\npack "
                          "\"draft\" {\n");
    const char *authority = NULL;
    if (d->nstacks) {
        ctdl *x = d->stacks[0].x;
        ctdl_values own = cx__ctdl_values(d->stacks[0].node, "ceterms:ownedBy");
        if (!own.n) own = cx__ctdl_values(d->stacks[0].node, "ceterms:offeredBy");
        const cx_ynode *o = own.n ? own.v[0] : NULL;
        const cx_ynode *at = o && o->kind == CX_YMAP ? cx__ymap_get(o, "@id") : o;
        const cx_ynode *org = NULL;
        for (size_t i = 0; at && at->kind == CX_YSCALAR && i < d->n && !org; i++)
            org = cx__ctdl_node(&d->docs[i], at->text);
        authority = org ? cx__ctdl_text(x, cx__ymap_get(org, "ceterms:name")) : NULL;
        const char *iri;
        int rc;
        if (!authority && o && (rc = cx__ctdl_ref(x, o, &authority, &iri))) return rc;
    }
    if (authority) {
        cx__buf_puts(&d->out, "  authority = ");
        lua_string(&d->out, authority);
        cx__buf_puts(&d->out, ",\n");
    }
    cx__buf_puts(&d->out, "  version = \"draft\",\n}\n");
    return CX_OK;
}

int cx_draft(const char *const *paths, size_t npaths, cx_write_fn write, void *ud, cx_error *err)
{
    static const cx_import_options none = {0};
    draft d = {.n = 0};
    cx__strmap_init(&d.known);
    cx__strmap_init(&d.stacked);
    cx__buf_init(&d.out);
    int rc = cx__ydoc_new("draft", "json", &d.arena, err);
    d.json = calloc(npaths ? npaths : 1, sizeof *d.json);
    d.docs = calloc(npaths ? npaths : 1, sizeof *d.docs);
    if (!rc && (!d.json || !d.docs)) rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < npaths && !rc; i++) {
        char *data = NULL;
        size_t len;
        if (!(rc = cx__yread_file(paths[i], &data, &len, err)))
            rc = cx__json_load_buffer(paths[i], data, len, &d.json[i], err);
        free(data);
        if (rc) break;
        ctdl *x = &d.docs[d.n++];
        *x = (ctdl){.file = paths[i], .opts = &none, .err = err, .out = d.arena};
        cx__strmap_init(&x->id_map);
        const cx_ynode *root = cx__ydoc_root(d.json[i]);
        if (!root || !cx__ctdl_recognises(root) || cx__ctdl_is_envelope(root))
            rc = cx__error(err, CX_EINPUT, paths[i], 0, 0,
                           "not a CTDL graph (credex draft reads Credential Registry JSON-LD, "
                           "not envelopes)");
        else
            rc = cx__ctdl_open(x, root);
    }
    for (size_t i = 0; i < d.n && !rc; i++) rc = collect(&d, &d.docs[i]);
    if (!rc && d.nstacks) qsort(d.stacks, d.nstacks, sizeof *d.stacks, by_id);
    if (!rc) rc = header(&d, paths, npaths);
    for (size_t i = 0; i < d.nstacks && !rc; i++) rc = stack(&d, &d.stacks[i]);
    if (!rc && d.out.oom) rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    if (!rc && write(d.out.data, d.out.len, ud) != 0) rc = -1;
    for (size_t i = 0; i < d.n; i++) {
        free(d.docs[i].nodes);
        cx__strmap_free(&d.docs[i].id_map);
    }
    for (size_t i = 0; d.json && i < npaths; i++) cx__ydoc_free(d.json[i]);
    free(d.json);
    free(d.docs);
    free(d.stacks);
    cx__ydoc_free(d.arena);
    cx__strmap_free(&d.known);
    cx__strmap_free(&d.stacked);
    cx__buf_free(&d.out);
    return rc;
}
