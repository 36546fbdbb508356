/*
 * ctdl_draft.c -- `credex draft`: CTDL files and CLRs into the text of a Lua
 * rule pack (docs/interop.md "Drafting"), ids as import gives them
 * (ctdl_ref.c, badges.c): the inputs, the credentials they define, the
 * stacks and the pack's text. It reads only its input files: never the
 * registry.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctdl_draft.h"
#include "json_reader.h"

/* ------------------------------------------------------------- helpers */

void cx__draft_indent(char out[CX_DRAFT_INDENT], const char *indent, size_t more)
{
    size_t n = strlen(indent);
    if (n + more >= CX_DRAFT_INDENT) n = CX_DRAFT_INDENT - 1 - more;
    memcpy(out, indent, n);
    memset(out + n, ' ', more);
    out[n + more] = '\0';
}

void cx__draft_string(cx_buf *b, const char *s)
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

void cx__draft_comment(cx_buf *b, const char *indent, const char *tag, const char *text)
{
    cx__buf_printf(b, "%s-- %s", indent, tag);
    for (; *text; text++) {
        char c = *text == '\n' || *text == '\r' || *text == '\t' ? ' ' : *text;
        cx__buf_add(b, &c, 1);
    }
    cx__buf_puts(b, "\n");
}

void *cx__draft_grow(void **array, size_t *n, size_t size)
{
    char *grown = realloc(*array, (*n + 1) * size);
    if (!grown) return NULL;
    *array = grown;
    memset(grown + *n * size, 0, size);
    return grown + (*n)++ * size;
}

int cx__draft_rule(draft *d, const char *key, const char *text)
{
    if (cx__strmap_get(&d->rule_keys, key)) return CX_OK;
    const char *k = cx__ydoc_strdup(d->arena, key), *t = cx__ydoc_strdup(d->arena, text);
    drule *r = k && t ? cx__draft_grow((void **)&d->rules, &d->nrules, sizeof *r) : NULL;
    if (!r) return CX_ENOMEM;
    *r = (drule){k, t};
    return cx__strmap_put(&d->rule_keys, k, r, NULL) < 0 ? CX_ENOMEM : CX_OK;
}

int cx__draft_note(draft *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *text = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (!text) return CX_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(text, (size_t)len + 1, fmt, ap);
    va_end(ap);
    cx_buf line, key;
    cx__buf_init(&line);
    cx__buf_init(&key);
    cx__draft_comment(&line, "", "MANUAL: ", text);
    cx__buf_printf(&key, "3 %s", line.oom ? "" : line.data);
    int rc = line.oom || key.oom ? CX_ENOMEM : cx__draft_rule(d, key.data, line.data);
    cx__buf_free(&line);
    cx__buf_free(&key);
    free(text);
    return rc;
}

const char *cx__draft_iri(const ctdl *x, const cx_ynode *ref)
{
    if (ref->kind == CX_YSCALAR) return ref->text;
    const cx_ynode *at = ref->kind == CX_YMAP ? cx__ymap_get(ref, "@id") : NULL;
    if (at && at->kind == CX_YSCALAR) return at->text;
    const char *name =
        ref->kind == CX_YMAP ? cx__ctdl_text(x, cx__ymap_get(ref, "ceterms:name")) : NULL;
    return name ? name : ref->where;
}

int cx__draft_number(const cx_ynode *v, char out[32])
{
    if (v && v->kind == CX_YLIST && v->count == 1) v = v->items[0];
    if (!v || v->kind != CX_YSCALAR || !v->len) return -1;
    char *end;
    double n = strtod(v->text, &end);
    if (*end || !isfinite(n) || n < 0 || n > 1e12) return -1;
    snprintf(out, 32, "%.15g", n);
    return 0;
}

dstack *cx__draft_stack(draft *d, const dknown *cred)
{
    dstack *s = cx__strmap_get(&d->stacks, cred->id);
    if (s) return s;
    if (!(s = cx__ydoc_alloc(d->arena, sizeof *s))) return NULL;
    *s = (dstack){.id = cred->id, .cred = cred};
    dstack **slot = cx__draft_grow((void **)&d->order, &d->nstacks, sizeof *slot);
    if (!slot) return NULL;
    *slot = s;
    return cx__strmap_put(&d->stacks, cred->id, s, NULL) < 0 ? NULL : s;
}

/* ------------------------------------------------------------- inputs */

/* Adds the credential import gives node (a credential or an earnable) to
 * known, once per id: the first input, in byte order of path, names it. */
static int know(draft *d, ctdl *x, const cx_ynode *node)
{
    const char *id, *iri;
    int rc = cx__ctdl_ref(x, node, &id, &iri);
    if (rc || cx__strmap_get(&d->known, id)) return rc;
    dknown *k = cx__ydoc_alloc(d->arena, sizeof *k);
    if (!k) return cx__ctdl_nomem(x);
    *k = (dknown){id, x, node, cx__ctdl_text(x, cx__ymap_get(node, "ceterms:name")), NULL, NULL};
    return cx__strmap_put(&d->known, id, k, NULL) < 0 ? cx__ctdl_nomem(x) : CX_OK;
}

/* A competency import gives (one with a CTID and a framework, as
 * ctdl_asn.c takes them) into d->competencies. */
static int know_competency(draft *d, ctdl *x, const cx_ynode *node)
{
    const cx_ynode *own = cx__ymap_get(node, "ceterms:ctid");
    const char *id, *iri;
    char ctid[40];
    if (!own || own->kind != CX_YSCALAR || cx__ctdl_ctid(own->text, ctid) != 0 ||
        !cx__ymap_get(node, "ceasn:isPartOf"))
        return CX_OK;
    int rc = cx__ctdl_ref(x, node, &id, &iri);
    if (rc) return rc;
    return cx__strmap_put(&d->competencies, id, (void *)id, NULL) < 0 ? cx__ctdl_nomem(x) : CX_OK;
}

static const char *const embedded_keys[] = {"ceterms:targetLearningOpportunity",
                                            "ceterms:targetAssessment", NULL};

/* What import makes credentials of: credential and earnable nodes, and
 * the earnables a requires profile embeds under targetLearningOpportunity
 * or targetAssessment. */
static int collect_known(draft *d, ctdl *x)
{
    for (size_t i = 0; i < x->nnodes; i++) {
        const cx_ynode *node = x->nodes[i];
        const char *type = cx__ctdl_type(node);
        int rc;
        if (type && strcmp(type, "ceasn:Competency") == 0 && (rc = know_competency(d, x, node)))
            return rc;
        if (!cx__ctdl_is_credential(type) && !cx__ctdl_earnable_type(type)) continue;
        rc = know(d, x, node);
        if (rc) return rc;
        ctdl_values profiles = cx__ctdl_values(node, "ceterms:requires");
        for (size_t p = 0; p < profiles.n; p++) {
            for (size_t k = 0; profiles.v[p]->kind == CX_YMAP && embedded_keys[k]; k++) {
                ctdl_values t = cx__ctdl_values(profiles.v[p], embedded_keys[k]);
                for (size_t j = 0; j < t.n; j++)
                    if (t.v[j]->kind == CX_YMAP && cx__ctdl_earnable_type(cx__ctdl_type(t.v[j])) &&
                        (rc = know(d, x, t.v[j])))
                        return rc;
            }
        }
    }
    return CX_OK;
}

/* What a document's nodes add to the stacks and rules. */
static int collect_links(draft *d, ctdl *x)
{
    int rc = CX_OK;
    for (size_t i = 0; i < x->nnodes && !rc; i++) {
        const cx_ynode *node = x->nodes[i];
        const char *type = cx__ctdl_type(node);
        const char *id, *iri;
        if (!cx__ctdl_is_credential(type) && !cx__ctdl_earnable_type(type)) {
            rc = cx__draft_collect_path(d, x, node);
        } else if (!(rc = cx__ctdl_ref(x, node, &id, &iri))) {
            const dknown *self = cx__strmap_get(&d->known, id);
            if (self->node == node) rc = cx__draft_collect_links(d, x, node, self);
        }
    }
    return rc;
}

/* -------------------------------------------------------------- stacks */

int cx__draft_slot(draft *d, cx_buf *b, const char *indent, const char *id, const char *options)
{
    cx__buf_printf(b, "%scredential ", indent);
    cx__draft_string(b, id);
    if (options) cx__buf_printf(b, " { %s }", options);
    cx__buf_puts(b, ",\n");
    if (!d->current) return CX_OK;
    const char **slot =
        cx__draft_grow((void **)&d->current->slots, &d->current->nslots, sizeof *slot);
    if (!slot) return CX_ENOMEM;
    *slot = id;
    return CX_OK;
}

/* src's lines into b, each after prefix. */
static void commented(cx_buf *b, const char *prefix, const cx_buf *src)
{
    const char *p = src->len ? src->data : "";
    while (*p) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        cx__buf_puts(b, prefix);
        cx__buf_add(b, p, n);
        cx__buf_puts(b, "\n");
        p += n + (end ? 1 : 0);
    }
}

/* What a stack drafts, in three forms; the first that drafts is its
 * requirement, the others are written as comments for the author. */
typedef struct dforms {
    cx_buf profiles, pathways, parts;
    dcount nprofiles;         /* the profiles drafted */
    size_t npathways, nparts; /* how many drafted a requirement */
} dforms;

static int forms(draft *d, dstack *s, dforms *f, const char *indent)
{
    cx__buf_init(&f->profiles);
    cx__buf_init(&f->pathways);
    cx__buf_init(&f->parts);
    d->current = s; /* the first form that drafts records the slots */
    int rc = cx__draft_profiles(d, s, &f->profiles, indent, &f->nprofiles);
    if (f->nprofiles.drafted) d->current = NULL;
    if (!rc) rc = cx__draft_pathways(d, s, &f->pathways, indent, &f->npathways);
    if (f->npathways) d->current = NULL;
    if (!rc) rc = cx__draft_parts(d, s, &f->parts, indent, &f->nparts);
    d->current = NULL;
    if (!rc && (f->profiles.oom || f->pathways.oom || f->parts.oom)) rc = CX_ENOMEM;
    return rc;
}

static void forms_free(dforms *f)
{
    cx__buf_free(&f->profiles);
    cx__buf_free(&f->pathways);
    cx__buf_free(&f->parts);
}

/* Another reading the stack does not use, as comments. */
static void alternative(cx_buf *b, const char *what, const cx_buf *body)
{
    if (!body->len) return;
    cx__buf_printf(b, "  -- REVIEW: %s also drafts this stack; to use it instead:\n", what);
    cx__buf_puts(b, "  -- requires = all {\n");
    commented(b, "  -- ", body);
    cx__buf_puts(b, "  -- },\n");
}

/* One stack: its first form under requires = all { ... }, the others as
 * comments; commented out whole when nothing drafted or on a cycle. */
static int write_stack(draft *d, dstack *s, const dforms *f)
{
    cx_buf *b = &d->out;
    const cx_buf *use = f->nprofiles.drafted ? &f->profiles
                        : f->npathways       ? &f->pathways
                        : f->nparts          ? &f->parts
                                             : NULL;
    int live = use && !s->on_cycle;
    cx__buf_puts(b, "\n");
    if (!use) cx__draft_comment(b, "", "MANUAL: no requirement to draft for ", s->id);
    if (use && s->on_cycle)
        cx__draft_comment(b, "",
                          "MANUAL: a cycle: its slots lead back to it through other "
                          "drafted stacks, which credex refuses; keep one direction: ",
                          s->id);
    cx_buf body;
    cx__buf_init(&body);
    cx__buf_puts(&body, "stack ");
    cx__draft_string(&body, s->id);
    cx__buf_puts(&body, " {\n");
    if (s->cred->name) {
        cx__buf_puts(&body, "  name = ");
        cx__draft_string(&body, s->cred->name);
        cx__buf_puts(&body, ",\n");
    }
    size_t stated = f->nprofiles.requires + f->nprofiles.required_for;
    if (use == &f->profiles && stated > 1)
        cx__buf_printf(&body,
                       "  -- REVIEW: %zu %s drafted as all; CTDL may mean any of them: "
                       "requires = any { ... }\n",
                       stated,
                       f->nprofiles.required_for ? "profiles (requires, isRequiredFor)"
                                                 : "requires profiles");
    if (use) cx__buf_puts(&body, "  requires = all {\n");
    if (use && use != &f->profiles) /* profiles that drafted nothing: their comments */
        cx__buf_add(&body, f->profiles.data ? f->profiles.data : "", f->profiles.len);
    if (use) cx__buf_add(&body, use->data, use->len);
    if (!use && f->profiles.len) cx__buf_add(&body, f->profiles.data, f->profiles.len);
    if (use) cx__buf_puts(&body, "  },\n");
    if (use != &f->pathways) alternative(&body, "a pathway", &f->pathways);
    if (use != &f->parts) alternative(&body, "hasPart", &f->parts);
    cx__buf_puts(&body, "}\n");
    if (live) {
        cx__buf_add(b, body.data, body.len);
    } else { /* every line commented, the profiles' own comments as they are */
        const char *p = body.oom ? "" : body.data;
        while (*p) {
            const char *end = strchr(p, '\n');
            size_t n = (size_t)(end - p);
            if (use || strncmp(p, "    --", 6) != 0) cx__buf_puts(b, "-- ");
            cx__buf_add(b, p, n);
            cx__buf_puts(b, "\n");
            p = end + 1;
        }
    }
    int rc = body.oom ? CX_ENOMEM : CX_OK;
    cx__buf_free(&body);
    return rc;
}

/* 1 when target's slots lead to from (depth-first, seen marks visited). */
static int reaches(draft *d, const dstack *at, const char *to, cx_strmap *seen)
{
    for (size_t i = 0; i < at->nslots; i++) {
        if (strcmp(at->slots[i], to) == 0) return 1;
        dstack *next = cx__strmap_get(&d->stacks, at->slots[i]);
        int old = next ? cx__strmap_put(seen, next->id, next, NULL) : 1;
        if (old < 0) return -1;
        if (old == 0) {
            int r = reaches(d, next, to, seen);
            if (r) return r;
        }
    }
    return 0;
}

/* Marks every stack whose slots lead back to it. */
static int find_cycles(draft *d)
{
    for (size_t i = 0; i < d->nstacks; i++) {
        cx_strmap seen;
        cx__strmap_init(&seen);
        int r = reaches(d, d->order[i], d->order[i]->id, &seen);
        cx__strmap_free(&seen);
        if (r < 0) return CX_ENOMEM;
        d->order[i]->on_cycle = r;
    }
    return CX_OK;
}

static int stack_by_id(const void *a, const void *b)
{
    return strcmp((*(const dstack *const *)a)->id, (*(const dstack *const *)b)->id);
}

static int rule_by_key(const void *a, const void *b)
{
    return strcmp(((const drule *)a)->key, ((const drule *)b)->key);
}

/* The pack header: the authority is the owner of the first stack a CTDL
 * credential makes (its name when an input holds it), else the issuer of
 * the first CLR. */
static int header(draft *d, const char *const *paths, size_t npaths)
{
    cx_buf from;
    cx__buf_init(&from);
    for (size_t i = 0; i < npaths; i++) cx__buf_printf(&from, " %s", paths[i]);
    cx__draft_comment(&d->out, "", "drafted by `credex draft` from", from.oom ? "" : from.data);
    cx__buf_free(&from);
    cx__buf_puts(&d->out, "-- Review every REVIEW and MANUAL comment before use.\n\npack "
                          "\"draft\" {\n");
    const char *authority = NULL;
    const dknown *first = NULL;
    for (size_t i = 0; i < d->nstacks && !first; i++)
        if (d->order[i]->cred->x) first = d->order[i]->cred;
    if (first) {
        ctdl *x = first->x;
        ctdl_values own = cx__ctdl_values(first->node, "ceterms:ownedBy");
        if (!own.n) own = cx__ctdl_values(first->node, "ceterms:offeredBy");
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
    if (!authority) authority = d->clr_issuer;
    if (authority) {
        cx__buf_puts(&d->out, "  authority = ");
        cx__draft_string(&d->out, authority);
        cx__buf_puts(&d->out, ",\n");
    }
    cx__buf_puts(&d->out, "  version = \"draft\",\n}\n");
    return CX_OK;
}

/* Every stack, then every other rule, in byte order. */
static int write_pack(draft *d)
{
    int rc = CX_OK;
    dforms *f = calloc(d->nstacks ? d->nstacks : 1, sizeof *f);
    if (!f) return CX_ENOMEM;
    for (size_t i = 0; i < d->nstacks && !rc; i++) rc = forms(d, d->order[i], &f[i], "    ");
    if (!rc) rc = find_cycles(d);
    for (size_t i = 0; i < d->nstacks && !rc; i++) rc = write_stack(d, d->order[i], &f[i]);
    for (size_t i = 0; i < d->nstacks; i++) forms_free(&f[i]);
    free(f);
    if (d->nrules) qsort(d->rules, d->nrules, sizeof *d->rules, rule_by_key);
    for (size_t i = 0; i < d->nrules && !rc; i++) {
        if (d->rules[i].key[0] == '3' && (!i || d->rules[i - 1].key[0] != '3'))
            cx__buf_puts(&d->out, "\n");
        cx__buf_puts(&d->out, d->rules[i].text);
    }
    return rc;
}

/* ------------------------------------------------------------- the pack */

/* Reads input i (a CTDL document or a CLR) and learns what it defines. */
static int read_input(draft *d, const char *path, size_t i)
{
    static const cx_import_options none = {0};
    char *data = NULL;
    size_t len;
    int rc = cx__yread_file(path, &data, &len, d->err);
    if (!rc) rc = cx__json_load_buffer(path, data, len, &d->json[i], d->err);
    free(data);
    if (rc) return rc;
    const cx_ynode *root = cx__ydoc_root(d->json[i]);
    if (root && cx__clr_recognises(root)) return CX_OK;
    if (!root || !cx__ctdl_recognises(root) || cx__ctdl_is_envelope(root))
        return cx__error(d->err, CX_EINPUT, path, 0, 0,
                         "not a CTDL graph nor a CLR (credex draft reads Credential Registry "
                         "JSON-LD, not envelopes, and CLR 2.0 credentials)");
    ctdl *x = &d->docs[d->n++];
    *x = (ctdl){.file = path, .opts = &none, .err = d->err, .out = d->arena};
    cx__strmap_init(&x->id_map);
    return cx__ctdl_open(x, root);
}

/* What every input defines, then what it says of the others. */
static int read_inputs(draft *d, const char *const *paths, size_t npaths)
{
    int rc = CX_OK;
    for (size_t i = 0; i < npaths && !rc; i++) rc = read_input(d, paths[i], i);
    for (size_t i = 0; i < d->n && !rc; i++) rc = collect_known(d, &d->docs[i]);
    for (size_t i = 0; i < npaths && !rc; i++) { /* CLR achievements the CTDL lacks */
        const cx_ynode *root = cx__ydoc_root(d->json[i]);
        if (cx__clr_recognises(root)) rc = cx__clr_read(root, cx__draft_clr_visit, d);
    }
    for (size_t i = 0; i < d->n && !rc; i++) rc = collect_links(d, &d->docs[i]);
    if (rc == CX_ENOMEM) rc = cx__error(d->err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    return rc;
}

int cx_draft(const char *const *paths, size_t npaths, cx_write_fn write, void *ud, cx_error *err)
{
    draft d = {.err = err, .budget = CX_DRAFT_MAX_CONDITIONS};
    cx__strmap_init(&d.known);
    cx__strmap_init(&d.stacks);
    cx__strmap_init(&d.rule_keys);
    cx__strmap_init(&d.competencies);
    cx__buf_init(&d.out);
    const char **sorted = malloc((npaths ? npaths : 1) * sizeof *sorted);
    int rc = cx__ydoc_new("draft", "json", &d.arena, err);
    d.json = calloc(npaths ? npaths : 1, sizeof *d.json);
    d.docs = calloc(npaths ? npaths : 1, sizeof *d.docs);
    if (!rc && (!d.json || !d.docs || !sorted))
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    if (!rc) { /* byte order of path: the draft is the same whatever the order given */
        memcpy(sorted, paths, npaths * sizeof *sorted);
        qsort(sorted, npaths, sizeof *sorted, cx__strcmp_ptr);
        rc = read_inputs(&d, sorted, npaths);
    }
    if (!rc && d.nstacks) qsort(d.order, d.nstacks, sizeof *d.order, stack_by_id);
    if (!rc) rc = header(&d, sorted, npaths);
    if (!rc) rc = write_pack(&d);
    if (rc == CX_ENOMEM && !err->code) cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    if (!rc && d.out.oom) rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    if (!rc && write(d.out.data, d.out.len, ud) != 0) rc = -1;
    for (size_t i = 0; i < d.n; i++) {
        free(d.docs[i].nodes);
        cx__strmap_free(&d.docs[i].id_map);
    }
    for (size_t i = 0; i < d.nstacks; i++) {
        free(d.order[i]->profiles);
        free(d.order[i]->parts);
        free(d.order[i]->pathways);
        free(d.order[i]->slots);
    }
    for (size_t i = 0; d.json && i < npaths; i++) cx__ydoc_free(d.json[i]);
    free(d.json);
    free(d.docs);
    free(d.order);
    free(d.rules);
    free(sorted);
    cx__ydoc_free(d.arena);
    cx__strmap_free(&d.known);
    cx__strmap_free(&d.stacks);
    cx__strmap_free(&d.rule_keys);
    cx__strmap_free(&d.competencies);
    cx__buf_free(&d.out);
    return rc;
}
