/*
 * eval.c -- decisions: equivalence and portability (docs/design.md §4), on the
 * registry snapshot and the compiled plans. Pure: no clock, no SQL, no
 * dependence on the order rules or awards were listed in (rules are
 * considered in byte order of id, awards in the snapshot's order). Calls
 * into Lua only for `when = function` and `check`, through the sandbox.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "eval.h"
#include "sandbox.h"
#include "util.h"

/* ------------------------------------------------------ decision building */

static char *xstrdup(ectx *e, const char *s)
{
    if (!s) return NULL;
    char *p = cx__strdup(s);
    if (!p) e->oom = 1;
    return p;
}

/* Grows a decision array by one zeroed element; NULL on OOM. */
static void *push(ectx *e, void **v, size_t *n, size_t size)
{
    char *p = realloc(*v, (*n + 1) * size);
    if (!p) {
        e->oom = 1;
        return NULL;
    }
    memset(p + *n * size, 0, size);
    *v = p;
    return p + (*n)++ * size;
}

void cx__eval_reason(ectx *e, const char *code, const char *fmt, ...)
{
    va_list ap;
    char msg[1024];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cx_reason *r = push(e, (void **)&e->d->reasons, &e->d->nreasons, sizeof *r);
    if (!r) return;
    r->code = xstrdup(e, code);
    r->message = xstrdup(e, msg);
}

void cx__eval_clear(ectx *e)
{
    cx_decision *d = e->d;
    for (size_t i = 0; i < d->nreasons; i++) {
        free(d->reasons[i].code);
        free(d->reasons[i].message);
    }
    for (size_t i = 0; i < d->nmissing; i++) free(d->missing[i]);
    free(d->reasons);
    free(d->missing);
    d->reasons = NULL;
    d->missing = NULL;
    d->nreasons = d->nmissing = 0;
}

void cx__eval_missing(ectx *e, const char *what)
{
    for (size_t i = 0; i < e->d->nmissing; i++)
        if (strcmp(e->d->missing[i], what) == 0) return;
    char *copy = xstrdup(e, what), **m; /* the copy first: no NULL entry on failure */
    if (!copy) return;
    if ((m = push(e, (void **)&e->d->missing, &e->d->nmissing, sizeof *m)))
        *m = copy;
    else
        free(copy);
}

cx_gap *cx__eval_gap(ectx *e, const char *requirement, const char *unit, int64_t need, int64_t have)
{
    for (size_t i = 0; i < e->d->ngaps; i++)
        if (strcmp(e->d->gaps[i].requirement, requirement) == 0) return NULL; /* as missing */
    cx_gap *g = push(e, (void **)&e->d->gaps, &e->d->ngaps, sizeof *g);
    if (!g) return NULL;
    g->requirement = xstrdup(e, requirement);
    g->unit = xstrdup(e, unit);
    g->need = need;
    g->have = have;
    return g;
}

void cx__eval_gap_option(ectx *e, cx_gap *g, const char *credential)
{
    char *copy = xstrdup(e, credential), **o;
    if (!copy) return;
    if ((o = push(e, (void **)&g->options, &g->noptions, sizeof *o)))
        *o = copy;
    else
        free(copy);
}

void cx__eval_gap_expired(ectx *e, cx_gap *g, const cx_counted *a, const char *renewed_by)
{
    cx_gap_expired *x = push(e, (void **)&g->expired, &g->nexpired, sizeof *x);
    if (!x) return;
    x->credential = xstrdup(e, cx__eval_id(e, CX_KIND_CREDENTIAL, a->credential));
    x->award = xstrdup(e, a->id);
    cx__date_format(a->expires, x->expired);
    x->renewed_by = xstrdup(e, renewed_by);
}

void cx__eval_used(ectx *e, const cx_snap_award *award, const char *id, const char *credential,
                   const char *slot, const char *via)
{
    cx_used *u = push(e, (void **)&e->d->used, &e->d->nused, sizeof *u);
    if (!u) return;
    if (award && (award->flags & CX_AWARD_PROVENANCE))
        u->verification = award->flags & CX_AWARD_UNVERIFIED ? "unverified" : "verified";
    u->award = xstrdup(e, id);
    u->credential = xstrdup(e, credential);
    u->slot = xstrdup(e, slot);
    u->via = xstrdup(e, via);
}

int cx__eval_verified(const cx_counted *a)
{
    return !a->award || !(a->award->flags & CX_AWARD_UNVERIFIED);
}

void cx__eval_unverified(ectx *e, const cx_counted *a)
{
    const char *note = cx__snap_award_note(a->award);
    char message[600];
    snprintf(message, sizeof message, "award %s is unverified%s%s", a->id, *note ? ": " : "", note);
    for (size_t i = 0; i < e->d->nreasons; i++)
        if (strcmp(e->d->reasons[i].code, "unverified") == 0 &&
            strcmp(e->d->reasons[i].message, message) == 0)
            return;
    cx__eval_reason(e, "unverified", "%s", message);
}

cx_trace *cx__eval_trace(ectx *e, cx_trace *parent, const cx_rule *r, const char *status,
                         const char *detail)
{
    cx_trace *t = push(e, (void **)&parent->children, &parent->nchildren, sizeof *t);
    if (!t) return NULL;
    if (r) {
        const cx_pack_info *p = cx__rules_pack(e->rs, r->pack);
        t->rule = xstrdup(e, r->id);
        t->pack = xstrdup(e, p ? p->id : NULL);
        t->file = xstrdup(e, r->src.file);
        t->line = r->src.line;
        t->cite = xstrdup(e, r->cite);
    }
    t->status = xstrdup(e, status);
    t->detail = xstrdup(e, detail);
    return t;
}

static void date_text(cx_date d, char buf[11])
{
    if (d == CX_DATE_NEVER)
        memcpy(buf, "never", 6);
    else
        cx__date_format(d, buf);
}

const char *cx__eval_id(const ectx *e, int kind, cx_sym sym)
{
    const char *id = sym == CX_NOSYM ? NULL : cx__snapshot_id(e->snap, kind, sym);
    return id ? id : "-";
}

/* ------------------------------------------------- rules: applicability */

int cx__eval_effective(const cx_rule *r, cx_date on)
{
    return r->effective.from <= on && on <= r->effective.to;
}

static int has_credential(const cx_selector *s, cx_sym cred, cx_date issued)
{
    if (!s) return 1;
    if (cred == CX_NOSYM || !(s->bits[cred / 64] >> (cred % 64) & 1)) return 0;
    return s->any_date || (s->issued.from <= issued && issued <= s->issued.to);
}

int cx__eval_selects(const cx_selector *s, cx_sym cred, cx_date issued)
{
    return has_credential(s, cred, issued);
}

int cx__eval_jsel(const ectx *e, const cx_jsel *j, cx_sym jur)
{
    if (!j) return 1;
    switch (j->kind) {
    case CX_JSEL_ANY:
        return 1;
    case CX_JSEL_IDS:
        for (size_t i = 0; i < j->nids; i++)
            if (j->ids[i] == jur) return 1;
        return 0;
    case CX_JSEL_MEMBER_OF:
        return cx__snapshot_member(e->snap, j->group, jur, e->as_of, j->status);
    case CX_JSEL_ANY_OF:
        for (size_t i = 0; i < j->nparts; i++)
            if (cx__eval_jsel(e, j->parts[i], jur)) return 1;
        return 0;
    case CX_JSEL_ALL_OF:
        for (size_t i = 0; i < j->nparts; i++)
            if (!cx__eval_jsel(e, j->parts[i], jur)) return 0;
        return 1;
    }
    return 0;
}

/* Why jurisdiction jur is not selected by j on the as-of date, in words a
 * credential officer reads: "US-CT joined EVC on 2025-10-01; as-of is
 * 2025-06-01". */
void cx__eval_jsel_why(const ectx *e, const cx_jsel *j, cx_sym jur, char *buf, size_t size)
{
    const char *jid = cx__eval_id(e, CX_KIND_JURISDICTION, jur);
    if (j->kind == CX_JSEL_MEMBER_OF) {
        const cx_snap_group *g = &e->snap->groups[j->group];
        const cx_snap_membership *best = NULL;
        for (uint32_t i = 0; i < g->nmemberships; i++)
            if (g->memberships[i].jurisdiction == jur) best = &g->memberships[i];
        char from[11], until[11];
        if (!best) {
            snprintf(buf, size, "%s is not a member of %s", jid, g->id);
            return;
        }
        date_text(best->from, from);
        date_text(best->until, until);
        if (best->from > e->as_of)
            snprintf(buf, size, "%s joined %s on %s; as-of is %s", jid, g->id, from, e->as_of_text);
        else if (best->until < e->as_of)
            snprintf(buf, size, "%s left %s after %s; as-of is %s", jid, g->id, until,
                     e->as_of_text);
        else
            snprintf(buf, size, "%s is a member of %s with status %s, not %s", jid, g->id,
                     best->status ? best->status : "(none)", j->status ? j->status : "(any)");
        return;
    }
    if (j->kind == CX_JSEL_ALL_OF) /* the first part that fails says why */
        for (size_t i = 0; i < j->nparts; i++)
            if (!cx__eval_jsel(e, j->parts[i], jur)) {
                cx__eval_jsel_why(e, j->parts[i], jur, buf, size);
                return;
            }
    snprintf(buf, size, "%s is not selected by %s", jid, j->text);
}

/* --------------------------------------------------------------- context */

int cx__eval_begin(ectx *e, cx_rules *rs, const char *as_of, cx_error *err)
{
    const char *why;
    memset(e, 0, sizeof *e);
    e->rs = rs;
    e->snap = cx__rules_snapshot(rs);
    e->sb = cx__rules_sandbox(rs);
    e->rules = cx__rules_by_id(rs, &e->nrules);
    e->equivs = cx__rules_equivalences(rs, &e->nequivs, &e->equiv_to);
    e->coverage = cx__rules_coverage(rs);
    cx__arena_init(&e->scratch);
    if (!as_of || cx__date_parse(as_of, &e->as_of, &why) != 0)
        return cx__error(err, CX_EUSAGE, NULL, 0, 0, "invalid --as-of date '%s': %s",
                         as_of ? as_of : "", as_of ? why : "missing");
    cx__date_format(e->as_of, e->as_of_text);
    return CX_OK;
}

void cx__eval_end(ectx *e)
{
    cx__arena_free(&e->scratch);
    cx__snapshot_view_free(&e->view);
    free(e->attrs_nodes);
    free(e->attrs_fields);
}

/* A new decision of kind; the trace root says what was decided. */
int cx__eval_new(ectx *e, cx_decision_kind kind, const char *root, cx_error *err)
{
    e->d = calloc(1, sizeof *e->d);
    if (!e->d) return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    e->d->kind = kind;
    memcpy(e->d->as_of, e->as_of_text, sizeof e->d->as_of);
    size_t len = strlen(root);
    if (len >= sizeof e->subject) len = sizeof e->subject - 1;
    memcpy(e->subject, root, len);
    e->subject[len] = '\0';
    e->seeded = 0;
    e->tripped = 0;
    e->d->trace.rule = xstrdup(e, root);
    return CX_OK;
}

/* Hands the decision over, or frees it when memory ran out on the way. */
int cx__eval_finish(ectx *e, cx_decision **out, cx_error *err)
{
    cx_decision *d = e->d;
    e->d = NULL;
    if (!e->oom && !d->trace.status && !(d->trace.status = cx__strdup(cx_status_name(d->status))))
        e->oom = 1;
    if (e->oom) {
        cx_decision_free(d);
        return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    *out = d;
    return CX_OK;
}

/* An id on the command line that the registry lacks: usage error with the
 * nearest id. */
int cx__eval_unknown(const ectx *e, int kind, const char *id, cx_error *err)
{
    const char *best = cx__snapshot_nearest(e->snap, kind, id);
    if (best)
        return cx__error(err, CX_EUSAGE, NULL, 0, 0,
                         "no %s '%s' in the registry; did you mean '%s'?",
                         cx_kind_name((cx_kind)kind), id, best);
    return cx__error(err, CX_EUSAGE, NULL, 0, 0, "no %s '%s' in the registry",
                     cx_kind_name((cx_kind)kind), id);
}

int cx__eval_lookup(const ectx *e, int kind, const char *id, cx_sym *out, cx_error *err)
{
    *out = cx__snapshot_find(e->snap, kind, id);
    return *out == CX_NOSYM ? cx__eval_unknown(e, kind, id, err) : CX_OK;
}

void cx__eval_error(ectx *e, const cx_error *why)
{
    e->d->status = CX_ERROR;
    if (why->file[0] && why->line)
        cx__eval_reason(e, "rule_error", "%s:%d: %s", why->file, why->line, why->message);
    else
        cx__eval_reason(e, "rule_error", "%s", why->message);
}

int cx__eval_call(ectx *e, int pack, int fn, const cx_tnode *const *args, size_t nargs,
                  const cx_tnode **result, cx_error *err)
{
    if (!e->seeded) {
        cx__sandbox_begin_decision(e->sb, cx__sandbox_seed(e->subject, strlen(e->subject)));
        e->seeded = 1;
    }
    int rc = cx__sandbox_call(e->sb, pack, fn, args, nargs, result, err);
    if (rc == CX_ELIMIT && e->on_trip && !e->tripped) {
        e->tripped = 1;
        e->on_trip(e->on_trip_ud, pack, fn, err);
    }
    return rc;
}

void cx_decisions_free(cx_decision **v, size_t n)
{
    if (!v) return;
    for (size_t i = 0; i < n; i++) cx_decision_free(v[i]);
    free(v);
}

const cx_tnode *cx__eval_holder_attributes(ectx *e, const cx_snap_holder *h)
{
    const cx_snap_attr *attrs = h ? h->attrs : NULL;
    uint32_t n = h ? h->nattrs : 0;
    if (e->attrs_nodes && e->attrs_of == attrs && e->nattrs_of == n) return e->attrs_nodes;
    cx_tnode *nodes = realloc(e->attrs_nodes, (n + 1) * sizeof *nodes);
    if (nodes) e->attrs_nodes = nodes;
    cx_tfield *fields = nodes ? realloc(e->attrs_fields, (n + 1) * sizeof *fields) : NULL;
    if (!fields) {
        e->oom = 1;
        return NULL;
    }
    e->attrs_fields = fields;
    memset(nodes, 0, (n + 1) * sizeof *nodes);
    for (uint32_t i = 0; i < n; i++) { /* by key: the map's byte order */
        cx_tnode *v = &nodes[i + 1];
        v->kind = CX_TSTRING;
        v->as.string.bytes = attrs[i].value;
        v->as.string.len = strlen(attrs[i].value);
        fields[i] = (cx_tfield){attrs[i].key, strlen(attrs[i].key), v};
    }
    nodes[0].kind = CX_TMAP;
    nodes[0].as.table.fields = fields;
    nodes[0].as.table.nfields = n;
    e->attrs_of = attrs;
    e->nattrs_of = n;
    return nodes;
}
