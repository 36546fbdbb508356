/*
 * graph.c -- pathway maps as Graphviz DOT (docs/graph.md): the compiled
 * rules (stacks' requirement trees, equivalences, recognitions, renewals)
 * and the registry snapshot, with a holder's awards and audit overlaid.
 * It writes DOT itself and never includes a Graphviz header (graph_svg.c
 * lays out); it never re-reads a pack, and sorts everything it writes.
 */
#include "graph.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "eval.h"
#include "snapshot.h"
#include "util.h"

/* A holder's relation to a credential, for the overlay's colours. */
enum { HOLD_NONE, HOLD_EARNED, HOLD_COUNTED, HOLD_EXPIRED, HOLD_MISSING };

static const struct {
    const char *name, *fill;
} holds[] = {
    [HOLD_EARNED] = {"earned", "#b2f2bb"},
    [HOLD_COUNTED] = {"counted through another credential", "#d3f9d8"},
    [HOLD_EXPIRED] = {"expired or no longer valid", "#ffd8a8"},
    [HOLD_MISSING] = {"missing", "#ffc9c9"},
};

/* Credential types drawn with a shape of their own; any other is a box
 * with rounded corners. A credential a stack confers is a box3d. */
static const struct {
    const char *type, *shape;
} type_shapes[] = {
    {"course", "box"},      {"micro-credential", "ellipse"}, {"certification", "hexagon"},
    {"license", "hexagon"}, {"certificate", "folder"},       {"degree", "folder"},
    {"orientation", "cds"},
};

/* Credential flags: in the map because a stack (or the --credential
 * option) names it, or because a rule leads to one that is. */
enum { IN_CORE = 1, IN_MAP = 2 };

typedef struct gnode {
    const char *cluster; /* the cluster it is drawn in, or "" */
    const char *id;
    const char *attrs;
} gnode;

typedef struct gedge {
    const char *from, *to, *attrs;
} gedge;

typedef struct graph {
    const cx_snapshot *snap;
    cx_rules *rs;
    const cx_graph_options *opt;
    int dated;     /* as_of given */
    cx_date as_of; /* when dated */
    cx_arena arena;
    gnode *nodes;
    size_t nnodes, capnodes;
    gedge *edges;
    size_t nedges, capedges;
    uint8_t *in;            /* per credential: IN_* */
    uint8_t *hold;          /* per credential: HOLD_*, with a holder */
    uint8_t *conferred;     /* per credential: 1 when a stack of the rules confers it */
    const cx_rule **stacks; /* the stacks drawn, by id */
    size_t nstacks;
    cx_decision **decisions; /* with a holder: its audit, by stack id */
    size_t ndecisions;
    int oom;
} graph;

/* ------------------------------------------------------------- building */

/* A formatted string in the graph's arena ("" and g->oom set when out of
 * memory). */
static const char *gprintf(graph *g, const char *fmt, ...) CX_PRINTF(2, 3);
static const char *gprintf(graph *g, const char *fmt, ...)
{
    char small[512], *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof small) {
        s = cx__arena_strdup(&g->arena, small);
    } else if (n >= 0 && (s = cx__arena_alloc(&g->arena, (size_t)n + 1))) {
        va_start(ap, fmt);
        vsnprintf(s, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    if (!s) g->oom = 1;
    return s ? s : "";
}

/* Appends s to b as the body of a DOT quoted string: quotes and
 * backslashes escaped, a line feed as DOT's \n, and every other character
 * credex never prints raw (controls, bidirectional controls: docs/
 * security.md, "Escaping") as its escape, shown as text in the picture. */
static void dot_escape(cx_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t avail = s ? strlen(s) : 0;
    while (avail) {
        char esc[8];
        size_t skip = *p == '\n' ? 0 : cx__escape_char(p, avail, esc);
        if (*p == '"' || *p == '\\') {
            cx__buf_add(b, "\\", 1);
            cx__buf_add(b, (const char *)p, 1);
        } else if (*p == '\n') {
            cx__buf_add(b, "\\n", 2);
        } else if (skip) {
            for (const char *e = esc; *e; e++)
                cx__buf_add(b, *e == '\\' ? "\\\\" : e, *e == '\\' ? 2 : 1);
            p += skip, avail -= skip;
            continue;
        } else {
            cx__buf_add(b, (const char *)p, 1);
        }
        p++, avail--;
    }
}

/* `name="value"` with the value escaped, kept in the arena. */
static const char *attr(graph *g, const char *name, const char *value)
{
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_printf(&b, "%s=\"", name);
    dot_escape(&b, value);
    cx__buf_add(&b, "\"", 1);
    const char *s = b.oom ? NULL : cx__arena_strdup(&g->arena, b.data);
    cx__buf_free(&b);
    if (!s) g->oom = 1;
    return s ? s : "";
}

static void add_node(graph *g, const char *cluster, const char *id, const char *attrs)
{
    if (g->nnodes == g->capnodes) {
        size_t cap = g->capnodes ? 2 * g->capnodes : 64;
        gnode *v = realloc(g->nodes, cap * sizeof *v);
        if (!v) {
            g->oom = 1;
            return;
        }
        g->nodes = v;
        g->capnodes = cap;
    }
    g->nodes[g->nnodes++] = (gnode){cluster ? cluster : "", id, attrs};
}

static void add_edge(graph *g, const char *from, const char *to, const char *attrs)
{
    if (g->nedges == g->capedges) {
        size_t cap = g->capedges ? 2 * g->capedges : 64;
        gedge *v = realloc(g->edges, cap * sizeof *v);
        if (!v) {
            g->oom = 1;
            return;
        }
        g->edges = v;
        g->capedges = cap;
    }
    g->edges[g->nedges++] = (gedge){from, to, attrs};
}

static int has_bit(const uint64_t *set, cx_sym s)
{
    return set && (set[s / 64] >> (s % 64) & 1);
}

static const char *cred_id(const graph *g, cx_sym c)
{
    return g->snap->credentials[c].id;
}

static const char *cred_node(graph *g, cx_sym c)
{
    return gprintf(g, "credential:%s", cred_id(g, c));
}

/* A count in hundredths as the catalog writes numbers: 120, 12.5, 0.25. */
static const char *amount(graph *g, int64_t h)
{
    if (h % 100 == 0) return gprintf(g, "%lld", (long long)(h / 100));
    if (h % 10 == 0)
        return gprintf(g, "%lld.%lld", (long long)(h / 100), (long long)(h % 100 / 10));
    return gprintf(g, "%lld.%02lld", (long long)(h / 100), (long long)(h % 100));
}

/* Whether jurisdiction selector j can select jur: on the as-of date when
 * dated, else on any date (member_of: any membership). NULL selects all. */
static int reaches(const graph *g, const cx_jsel *j, cx_sym jur)
{
    if (!j || j->kind == CX_JSEL_ANY) return 1;
    switch (j->kind) {
    case CX_JSEL_IDS:
        for (size_t i = 0; i < j->nids; i++)
            if (j->ids[i] == jur) return 1;
        return 0;
    case CX_JSEL_MEMBER_OF: {
        if (g->dated) return cx__snapshot_member(g->snap, j->group, jur, g->as_of, j->status);
        const cx_snap_group *gr = &g->snap->groups[j->group];
        for (uint32_t i = 0; i < gr->nmemberships; i++)
            if (gr->memberships[i].jurisdiction == jur &&
                (!j->status ||
                 (gr->memberships[i].status && strcmp(gr->memberships[i].status, j->status) == 0)))
                return 1;
        return 0;
    }
    case CX_JSEL_ANY_OF:
    case CX_JSEL_ALL_OF:
        for (size_t i = 0; i < j->nparts; i++)
            if (reaches(g, j->parts[i], jur) != (j->kind == CX_JSEL_ALL_OF))
                return j->kind == CX_JSEL_ANY_OF;
        return j->kind == CX_JSEL_ALL_OF;
    default:
        return 1;
    }
}

static int in_effect(const graph *g, const cx_rule *r)
{
    return !g->dated || cx__eval_effective(r, g->as_of);
}

/* ------------------------------------------------------ stacks and trees */

/* The name a used award's slot carries (require.c): the label, else the
 * credential's id for a credential slot, else the constructor text. */
static const char *slot_name(const graph *g, const cx_req *q)
{
    return q->label ? q->label : q->kind == CX_REQ_CREDENTIAL ? cred_id(g, q->credential) : q->text;
}

/* What a requirement node says: its label, then what it asks. */
static const char *req_label(graph *g, const cx_req *q)
{
    const char *what = q->text;
    switch (q->kind) {
    case CX_REQ_ALL:
        what = gprintf(g, "all %zu", q->nparts);
        break;
    case CX_REQ_ANY:
        what = gprintf(g, "1 of %zu", q->nparts);
        break;
    case CX_REQ_AT_LEAST:
        what = gprintf(g, "%zu of %zu", q->need, q->nparts);
        break;
    case CX_REQ_HOURS:
        what = gprintf(g, "%s hours\n%s", amount(g, q->threshold),
                       q->selector ? q->selector->text : "any_credential");
        break;
    case CX_REQ_SUM:
        what = gprintf(g, "%s %s%s%s%s%s", amount(g, q->threshold), q->attr,
                       q->selector ? "\n" : "", q->selector ? q->selector->text : "",
                       q->group_by ? "\nwithin one " : "", q->group_by ? q->group_by : "");
        break;
    default:
        break;
    }
    return q->label ? gprintf(g, "%s\n%s", q->label, what) : what;
}

/* The label of a credential slot's edge: its label and options. */
static const char *slot_edge_label(graph *g, const cx_req *q)
{
    const char *s = q->label ? q->label : "";
    if (q->min_grade) s = gprintf(g, "%s%sgrade >= %s", s, *s ? "\n" : "", q->min_grade);
    for (size_t i = 0; i < q->nmin_results; i++)
        s = gprintf(g, "%s%s%s >= %s", s, *s ? "\n" : "", q->min_results[i].key,
                    amount(g, q->min_results[i].value));
    if (q->verified) s = gprintf(g, "%s%sverified", s, *s ? "\n" : "");
    return s;
}

/* Draws q (preorder number q->index within stack) under the node parent:
 * a credential slot as an edge from the credential, anything else as a
 * node of the stack's cluster. */
static void add_req(graph *g, const cx_rule *stack, const char *cluster, const cx_req *q,
                    const char *parent)
{
    if (q->kind == CX_REQ_CREDENTIAL) {
        g->in[q->credential] |= IN_CORE;
        const char *label = slot_edge_label(g, q);
        add_edge(g, cred_node(g, q->credential), parent, *label ? attr(g, "label", label) : "");
        return;
    }
    const char *id = gprintf(g, "requirement:%s:%04d", cred_id(g, stack->credential), q->index);
    int structure = q->kind == CX_REQ_ALL || q->kind == CX_REQ_ANY || q->kind == CX_REQ_AT_LEAST;
    const char *style = structure ? "shape=circle, style=filled, fillcolor=\"#e9ecef\""
                                  : "shape=box, style=\"rounded,filled\", fillcolor=\"#e9ecef\"";
    add_node(g, cluster, id, gprintf(g, "%s, %s", attr(g, "label", req_label(g, q)), style));
    add_edge(g, id, parent, "");
    for (size_t i = 0; i < q->nparts; i++) add_req(g, stack, cluster, q->parts[i], id);
}

static void add_stack(graph *g, const cx_rule *r)
{
    const cx_snapshot *s = g->snap;
    const cx_pack_info *pack = cx__rules_pack(g->rs, r->pack);
    const char *cluster = gprintf(g, "cluster_stack:%s", cred_id(g, r->credential));
    const char *label = gprintf(g, "stack %s in %s (pack %s)", cred_id(g, r->credential),
                                r->jurisdiction == CX_NOSYM ? "any jurisdiction"
                                                            : s->jurisdictions[r->jurisdiction].id,
                                pack ? pack->id : "?");
    if (r->cite) label = gprintf(g, "%s\n%s", label, r->cite);
    add_node(g, cluster, "",
             gprintf(g, "%s, style=dashed, color=\"#868e96\"", attr(g, "label", label)));
    g->in[r->credential] |= IN_CORE;
    if (r->requires) add_req(g, r, cluster, r->requires, cred_node(g, r->credential));
}

/* Whether equivalence rule r can make credential a count as c. */
static int maps(const cx_rule *r, cx_sym a, cx_sym c)
{
    if (r->kind != CX_RULE_EQUIVALENT)
        return r->from && r->to && has_bit(r->from->bits, a) && has_bit(r->to->bits, c);
    int has_a = 0, has_c = 0;
    for (size_t i = 0; i < r->nmembers; i++)
        has_a |= r->members[i] == a, has_c |= r->members[i] == c;
    return has_a && has_c;
}

/* want[c] for every credential whose slots bring a stack on the map:
 * with stack S, S and every stack whose derived awards it can use,
 * transitively; with credential C, C and what equivalences make it count
 * as. */
static void wanted(graph *g, const cx_rule *const *all, size_t n, cx_sym only_stack,
                   cx_sym only_cred, uint8_t *want)
{
    uint32_t nc = cx__snapshot_count(g->snap, CX_KIND_CREDENTIAL);
    if (only_cred != CX_NOSYM) {
        want[only_cred] = 1;
        for (size_t i = 0; i < n; i++)
            for (cx_sym c = 0; cx__rule_is_equivalence(all[i]) && in_effect(g, all[i]) && c < nc;
                 c++)
                if (c != only_cred && maps(all[i], only_cred, c)) want[c] = 1;
    }
    if (only_stack == CX_NOSYM) return;
    want[only_stack] = 1; /* the closure over depends, to a fixed point */
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < n; i++)
            if (all[i]->kind == CX_RULE_STACK && want[all[i]->credential])
                for (size_t k = 0; k < all[i]->ndepends; k++)
                    if (!want[all[i]->depends[k]]) changed = want[all[i]->depends[k]] = 1;
    }
}

/* Whether stack r has a slot that a credential of want can fill, or
 * confers one. */
static int wants_stack(const graph *g, const cx_rule *r, const uint8_t *want)
{
    uint32_t nc = cx__snapshot_count(g->snap, CX_KIND_CREDENTIAL);
    if (want[r->credential]) return 1;
    for (cx_sym c = 0; c < nc; c++)
        if (want[c] && has_bit(r->reads.slots, c)) return 1;
    return 0;
}

/* The stacks the options ask for, by id. */
static int choose_stacks(graph *g, cx_sym only_stack, cx_sym only_cred, cx_sym only_jur)
{
    size_t n = 0;
    const cx_rule *const *all = cx__rules_by_id(g->rs, &n);
    uint8_t *want = calloc(cx__snapshot_count(g->snap, CX_KIND_CREDENTIAL) + 1, 1);
    if (!want || !(g->stacks = calloc(n + 1, sizeof *g->stacks))) {
        free(want);
        return CX_ENOMEM;
    }
    wanted(g, all, n, only_stack, only_cred, want);
    for (size_t i = 0; i < n; i++) {
        const cx_rule *r = all[i];
        if (r->kind != CX_RULE_STACK || !in_effect(g, r)) continue;
        if (only_stack != CX_NOSYM && !want[r->credential]) continue;
        if (only_cred != CX_NOSYM && !wants_stack(g, r, want)) continue;
        if (only_jur != CX_NOSYM && r->jurisdiction != only_jur) continue;
        g->stacks[g->nstacks++] = r;
    }
    free(want);
    return CX_OK;
}

/* -------------------------------------------- equivalences, recognitions */

/* The one credential selector s selects, or CX_NOSYM when it selects
 * none or several. */
static cx_sym single(const graph *g, const cx_selector *s)
{
    cx_sym found = CX_NOSYM;
    uint32_t nc = cx__snapshot_count(g->snap, CX_KIND_CREDENTIAL);
    for (cx_sym c = 0; s && c < nc; c++)
        if (has_bit(s->bits, c)) {
            if (found != CX_NOSYM) return CX_NOSYM;
            found = c;
        }
    return found;
}

/* "TX-EVS-101 (US-TX)": a credential with the jurisdiction it is issued in. */
static const char *jur_of(const graph *g, cx_sym c)
{
    return g->snap->jurisdictions[g->snap->credentials[c].jurisdiction].id;
}

/* What an equivalence rule says beside its edges: kind, scope, dates. */
static const char *equiv_label(graph *g, const cx_rule *r)
{
    const char *kind = r->kind == CX_RULE_COUNTS_AS    ? "counts_as"
                       : r->kind == CX_RULE_EQUIVALENT ? "equivalent"
                                                       : gprintf(g, "equivalence %s", r->id);
    const char *s = gprintf(g, "%s %s", kind, r->within ? "in" : "everywhere");
    if (r->within) s = gprintf(g, "%s %s", s, r->within->text);
    if (r->coverage_kind == 1) s = gprintf(g, "%s\ncoverage >= %d%%", s, r->coverage_percent);
    if (r->coverage_kind == 2) s = gprintf(g, "%s\ncoverage >= %g", s, r->coverage_ratio);
    if (r->when_pack >= 0) s = gprintf(g, "%s\nwhen a function holds", s);
    char from[11], to[11];
    if (!r->any_date) {
        cx__date_format(r->issued.from, from);
        cx__date_format(r->issued.to, to);
        s = gprintf(g, "%s\nissued %s..%s", s, r->issued.from == INT32_MIN ? "" : from,
                    r->issued.to == CX_DATE_NEVER ? "" : to);
    }
    if (!g->dated && (r->effective.from != INT32_MIN || r->effective.to != CX_DATE_NEVER)) {
        cx__date_format(r->effective.from, from);
        cx__date_format(r->effective.to, to);
        s = gprintf(g, "%s\nin effect %s..%s", s, r->effective.from == INT32_MIN ? "" : from,
                    r->effective.to == CX_DATE_NEVER ? "" : to);
    }
    return s;
}

static const char *dashed(graph *g, const char *label, int both)
{
    return gprintf(g, "%s, style=dashed%s", attr(g, "label", label), both ? ", dir=both" : "");
}

/* An equivalence whose sides are one credential each is an edge from one
 * to the other (both ways for `equivalent`); any other is a rule node
 * between the credentials it maps from and those in the map it maps to. */
static void add_equivalence(graph *g, const cx_rule *r)
{
    uint32_t nc = cx__snapshot_count(g->snap, CX_KIND_CREDENTIAL);
    int both = r->kind == CX_RULE_EQUIVALENT;
    int reached = 0, source_core = 0; /* --credential C and C is a source: every target */
    for (cx_sym c = 0; c < nc; c++) {
        int member = 0;
        for (size_t i = 0; both && i < r->nmembers; i++) member |= r->members[i] == c;
        if (g->in[c] & IN_CORE && (both ? member : has_bit(r->to ? r->to->bits : NULL, c)))
            reached = 1;
        if (g->in[c] & IN_CORE && !both && has_bit(r->from ? r->from->bits : NULL, c))
            source_core = g->opt->credential != NULL;
    }
    if (!reached && !source_core) return;
    const char *label = equiv_label(g, r);
    if (both && r->nmembers == 2) {
        cx_sym a = r->members[0], b = r->members[1];
        g->in[a] |= IN_MAP, g->in[b] |= IN_MAP;
        add_edge(g, cred_node(g, a), cred_node(g, b),
                 dashed(g, gprintf(g, "%s\n%s <-> %s", label, jur_of(g, a), jur_of(g, b)), 1));
        return;
    }
    cx_sym from = both ? CX_NOSYM : single(g, r->from), to = both ? CX_NOSYM : single(g, r->to);
    if (from != CX_NOSYM && to != CX_NOSYM) {
        g->in[from] |= IN_MAP, g->in[to] |= IN_MAP;
        add_edge(g, cred_node(g, from), cred_node(g, to),
                 dashed(g, gprintf(g, "%s\n%s -> %s", label, jur_of(g, from), jur_of(g, to)), 0));
        return;
    }
    const char *node = gprintf(g, "rule:%s", r->id);
    add_node(g, NULL, node, gprintf(g, "%s, shape=note, style=dashed", attr(g, "label", label)));
    for (cx_sym c = 0; c < nc; c++) {
        int member = 0;
        for (size_t i = 0; both && i < r->nmembers; i++) member |= r->members[i] == c;
        int src = both ? member : has_bit(r->from->bits, c);
        int dst = both ? member : has_bit(r->to->bits, c) && (source_core || g->in[c] & IN_CORE);
        if (src && !dst) {
            g->in[c] |= IN_MAP;
            add_edge(g, cred_node(g, c), node, dashed(g, jur_of(g, c), both));
        }
        if (dst) {
            g->in[c] |= IN_MAP;
            add_edge(g, node, cred_node(g, c), dashed(g, jur_of(g, c), both));
        }
    }
}

/* A recognition into the jurisdiction of a stack in the map: a rule node
 * with an edge from each credential of the map it recognises from
 * elsewhere (labelled with where that is), from each credential its
 * `requires` names, and into each such stack. */
static void add_recognition(graph *g, const cx_rule *r)
{
    const char *node = gprintf(g, "rule:%s", r->id);
    int drawn = 0;
    uint32_t nc = cx__snapshot_count(g->snap, CX_KIND_CREDENTIAL);
    for (size_t i = 0; i < g->nstacks; i++) {
        const cx_rule *st = g->stacks[i];
        if (st->jurisdiction == CX_NOSYM || !reaches(g, r->into, st->jurisdiction)) continue;
        if (!drawn++) {
            const char *label = gprintf(g, "recognize %s\nfrom %s\ninto %s\ncredentials %s", r->id,
                                        r->from_j ? r->from_j->text : "anywhere",
                                        r->into ? r->into->text : "anywhere",
                                        r->credentials ? r->credentials->text : "any");
            if (r->requires) label = gprintf(g, "%s\nrequires %s", label, r->requires->text);
            add_node(g, NULL, node,
                     gprintf(g, "%s, shape=note, style=dashed", attr(g, "label", label)));
        }
        add_edge(g, node, cred_node(g, st->credential),
                 dashed(g, gprintf(g, "into %s", g->snap->jurisdictions[st->jurisdiction].id), 0));
        for (cx_sym c = 0; c < nc; c++) {
            cx_sym cj = g->snap->credentials[c].jurisdiction;
            if (!g->in[c] || cj == st->jurisdiction || !reaches(g, r->from_j, cj)) continue;
            if (r->credentials && !has_bit(r->credentials->bits, c)) continue;
            add_edge(g, cred_node(g, c), node, dashed(g, jur_of(g, c), 0));
        }
    }
    if (!drawn || !r->requires) return;
    const cx_req *q = r->requires;
    size_t nparts = q->kind == CX_REQ_ALL ? q->nparts : 1;
    for (size_t i = 0; i < nparts; i++) {
        const cx_req *p = q->kind == CX_REQ_ALL ? q->parts[i] : q;
        if (p->kind != CX_REQ_CREDENTIAL) continue;
        g->in[p->credential] |= IN_MAP;
        add_edge(g, cred_node(g, p->credential), node, "label=\"requires\", style=dashed");
    }
}

static void add_renewal(graph *g, const cx_rule *r)
{
    for (size_t i = 0; i < r->nmembers; i++) {
        if (!g->in[r->members[i]]) continue;
        g->in[r->renewer] |= IN_MAP;
        add_edge(g, cred_node(g, r->renewer), cred_node(g, r->members[i]),
                 "label=\"renews\", style=dotted");
    }
}

static void add_rules(graph *g)
{
    size_t n = 0;
    const cx_rule *const *all = cx__rules_by_id(g->rs, &n);
    for (size_t i = 0; i < n; i++)
        if (cx__rule_is_equivalence(all[i]) && in_effect(g, all[i])) add_equivalence(g, all[i]);
    for (size_t i = 0; i < n; i++)
        if (all[i]->kind == CX_RULE_RENEWS && in_effect(g, all[i])) add_renewal(g, all[i]);
    for (size_t i = 0; i < n; i++)
        if (all[i]->kind == CX_RULE_RECOGNIZE && in_effect(g, all[i])) add_recognition(g, all[i]);
}

/* ------------------------------------------------------ holder overlay */

/* Credential slots of q not filled in decision d become missing, and
 * those filled by another credential's award counted (unless earned). */
static void mark_slots(graph *g, const cx_req *q, const cx_decision *d)
{
    for (size_t i = 0; i < q->nparts; i++) mark_slots(g, q->parts[i], d);
    if (q->kind != CX_REQ_CREDENTIAL || g->hold[q->credential] == HOLD_EARNED) return;
    const char *name = slot_name(g, q);
    for (size_t i = 0; i < d->nused; i++)
        if (d->used[i].slot && strcmp(d->used[i].slot, name) == 0) {
            if (g->hold[q->credential] != HOLD_EXPIRED) g->hold[q->credential] = HOLD_COUNTED;
            return;
        }
    if (d->status != CX_MET && g->hold[q->credential] == HOLD_NONE)
        g->hold[q->credential] = HOLD_MISSING;
}

/* What the holder has: awards valid on the as-of date (renewed) are
 * earned; older ones that are not are expired; then the audit's slots. */
static int overlay(graph *g, cx_sym h, cx_error *err)
{
    ectx e;
    size_t n = 0;
    int rc = cx__rules_enter(g->rs, err);
    if (rc) return rc;
    if ((rc = cx__eval_begin(&e, g->rs, g->opt->as_of, err)) == CX_OK) {
        cx_counted *v = cx__eval_counted(&e, &g->snap->holders[h], CX_NOSYM, &n);
        if (!v) rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        for (size_t i = 0; v && i < n; i++) g->hold[v[i].credential] = HOLD_EARNED;
        free(v);
    }
    cx__eval_end(&e);
    cx__rules_leave(g->rs);
    if (rc) return rc;
    const cx_snap_holder *ho = &g->snap->holders[h];
    for (uint32_t i = 0; i < ho->nawards; i++)
        if (ho->awards[i].issued <= g->as_of && g->hold[ho->awards[i].credential] == HOLD_NONE)
            g->hold[ho->awards[i].credential] = HOLD_EXPIRED;
    rc = cx_audit(g->rs, ho->id, NULL, g->opt->as_of, &g->decisions, &g->ndecisions, err);
    for (size_t i = 0; rc == CX_OK && i < g->nstacks; i++) {
        const cx_rule *st = g->stacks[i];
        for (size_t k = 0; k < g->ndecisions; k++) {
            const cx_decision *d = g->decisions[k];
            if (strcmp(d->stack, cred_id(g, st->credential)) != 0) continue;
            if (d->status == CX_MET) g->hold[st->credential] = HOLD_EARNED;
            if (st->requires) mark_slots(g, st->requires, d);
            if (d->status != CX_MET && g->hold[st->credential] == HOLD_NONE)
                g->hold[st->credential] = HOLD_MISSING;
        }
    }
    return rc;
}

/* ------------------------------------------------------------ credentials */

static const char *shape_of(const char *type)
{
    for (size_t i = 0; i < CX_COUNT(type_shapes); i++)
        if (strcmp(type, type_shapes[i].type) == 0) return type_shapes[i].shape;
    return NULL;
}

static const char *node_style(graph *g, cx_sym c, int stack)
{
    const char *type = g->snap->credentials[c].type;
    const char *shape = stack ? "box3d" : shape_of(type);
    const char *style = stack ? "bold" : shape ? "" : "rounded";
    if (!shape) shape = "box";
    int hold = g->hold ? g->hold[c] : HOLD_NONE;
    if (hold != HOLD_NONE) style = *style ? gprintf(g, "%s,filled", style) : "filled";
    const char *s = gprintf(g, "shape=%s", shape);
    if (*style) s = gprintf(g, "%s, style=\"%s\"", s, style);
    if (hold != HOLD_NONE) s = gprintf(g, "%s, fillcolor=\"%s\"", s, holds[hold].fill);
    return s;
}

static void add_credentials(graph *g)
{
    uint32_t nc = cx__snapshot_count(g->snap, CX_KIND_CREDENTIAL);
    for (cx_sym c = 0; c < nc; c++) {
        if (!g->in[c]) continue;
        const cx_snap_credential *cr = &g->snap->credentials[c];
        const char *label = gprintf(g, "%s\n%s\n%s, %s", cr->id, cr->name, cr->type,
                                    g->snap->jurisdictions[cr->jurisdiction].id);
        add_node(g, NULL, cred_node(g, c),
                 gprintf(g, "%s, %s", attr(g, "label", label), node_style(g, c, g->conferred[c])));
    }
}

/* Lays legend samples ids[0..n) out in rows of per_row (invisible edges
 * between neighbours: in a left-to-right map, columns). */
static void legend_rows(graph *g, const char *const *ids, size_t n, size_t per_row)
{
    for (size_t i = 1; i < n; i++)
        if (i % per_row) add_edge(g, ids[i - 1], ids[i], "style=invis");
}

/* The legend: a sample of each kind of node and edge the map draws. */
static void add_legend(graph *g)
{
    const char *cl = "cluster_~legend", *shapes[72], *colours[CX_COUNT(holds)];
    size_t nshapes = 0, ncolours = 0;
    uint32_t nc = cx__snapshot_count(g->snap, CX_KIND_CREDENTIAL);
    add_node(g, cl, "", "label=\"legend\", style=solid, color=\"#868e96\"");
    add_node(g, cl, shapes[nshapes++] = "legend:1",
             "label=\"stack: the credential it confers\", shape=box3d, style=bold");
    const char *seen[64]; /* a sample per type drawn (types are interned) */
    size_t nseen = 0;
    for (cx_sym c = 0; c < nc; c++) {
        const char *type = g->snap->credentials[c].type;
        int first = g->in[c] && !g->conferred[c];
        for (size_t k = 0; first && k < nseen; k++) first = seen[k] != type;
        if (!first || nseen == CX_COUNT(seen)) continue;
        seen[nseen++] = type;
        const char *shape = shape_of(type);
        add_node(g, cl, shapes[nshapes++] = gprintf(g, "legend:2:%s", type),
                 gprintf(g, "%s, shape=%s%s", attr(g, "label", type), shape ? shape : "box",
                         shape ? "" : ", style=rounded"));
    }
    add_node(g, cl, shapes[nshapes++] = "legend:3",
             "label=\"N of M\", shape=circle, style=filled, fillcolor=\"#e9ecef\"");
    add_node(g, cl, shapes[nshapes++] = "legend:4",
             "label=\"hours, sum, selector,\\nholder_attr, check\", shape=box, "
             "style=\"rounded,filled\", fillcolor=\"#e9ecef\"");
    add_node(g, cl, shapes[nshapes++] = "legend:5", "label=\"rule\", shape=note, style=dashed");
    legend_rows(g, shapes, nshapes, 3);
    for (int k = 1; g->hold && k < (int)CX_COUNT(holds); k++)
        add_node(g, cl, colours[ncolours++] = gprintf(g, "legend:6:%d", k),
                 gprintf(g, "%s, shape=box, style=\"rounded,filled\", fillcolor=\"%s\"",
                         attr(g, "label", holds[k].name), holds[k].fill));
    legend_rows(g, colours, ncolours, 2);
    static const char *const edges[][2] = {{"counts toward", ""},
                                           {"equivalence, recognition", ", style=dashed"},
                                           {"renews", ", style=dotted"}};
    for (int k = 0; k < 3; k++) {
        const char *a = gprintf(g, "legend:7:%d:a", k), *b = gprintf(g, "legend:7:%d:b", k);
        add_node(g, cl, a, "shape=point");
        add_node(g, cl, b, "shape=point");
        add_edge(g, a, b, gprintf(g, "%s%s", attr(g, "label", edges[k][0]), edges[k][1]));
    }
}

/* ---------------------------------------------------------------- output */

static int node_cmp(const void *a, const void *b)
{
    const gnode *x = a, *y = b;
    int c = strcmp(x->cluster, y->cluster);
    return c ? c : strcmp(x->id, y->id);
}

static int edge_cmp(const void *a, const void *b)
{
    const gedge *x = a, *y = b;
    int c = strcmp(x->from, y->from);
    if (!c) c = strcmp(x->to, y->to);
    return c ? c : strcmp(x->attrs, y->attrs);
}

static void write_id(cx_buf *b, const char *id)
{
    cx__buf_add(b, "\"", 1);
    dot_escape(b, id);
    cx__buf_add(b, "\"", 1);
}

/* A node's attributes, or a cluster's (its node with id ""). */
static void write_node(cx_buf *b, const gnode *n, const char *indent)
{
    cx__buf_puts(b, indent);
    if (!*n->id) {
        cx__buf_printf(b, "graph [%s];\n", n->attrs);
        return;
    }
    write_id(b, n->id);
    cx__buf_printf(b, " [%s];\n", n->attrs);
}

static void write_dot(graph *g, const char *title, cx_buf *b)
{
    qsort(g->nodes, g->nnodes, sizeof *g->nodes, node_cmp);
    qsort(g->edges, g->nedges, sizeof *g->edges, edge_cmp);
    cx__buf_puts(b, "digraph \"credex\" {\n");
    cx__buf_printf(b,
                   "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, labelloc=t, "
                   "%s];\n",
                   attr(g, "label", title));
    cx__buf_puts(b, "  node [fontname=\"Helvetica\", fontsize=10, margin=\"0.2,0.06\"];\n"
                    "  edge [fontname=\"Helvetica\", fontsize=9];\n");
    const char *open = NULL;
    for (size_t i = 0; i < g->nnodes; i++) {
        const gnode *n = &g->nodes[i];
        if (open && strcmp(open, n->cluster) != 0) cx__buf_puts(b, "  }\n"), open = NULL;
        if (!open && *n->cluster) {
            cx__buf_puts(b, "  subgraph ");
            write_id(b, n->cluster);
            cx__buf_puts(b, " {\n");
            open = n->cluster;
        }
        write_node(b, n, open ? "    " : "  ");
    }
    if (open) cx__buf_puts(b, "  }\n");
    for (size_t i = 0; i < g->nedges; i++) {
        const gedge *e = &g->edges[i];
        if (i && edge_cmp(e, e - 1) == 0) continue; /* drawn once */
        cx__buf_puts(b, "  ");
        write_id(b, e->from);
        cx__buf_puts(b, " -> ");
        write_id(b, e->to);
        if (*e->attrs) cx__buf_printf(b, " [%s]", e->attrs);
        cx__buf_puts(b, ";\n");
    }
    cx__buf_puts(b, "}\n");
}

/* ------------------------------------------------------------- options */

/* The symbol of id in table, or CX_EUSAGE naming option and the nearest. */
static int find(const graph *g, int table, const char *option, const char *id, cx_sym *out,
                cx_error *err)
{
    *out = CX_NOSYM;
    if (!id) return CX_OK;
    if ((*out = cx__snapshot_find(g->snap, table, id)) != CX_NOSYM) return CX_OK;
    const char *near = cx__snapshot_nearest(g->snap, table, id);
    return cx__error(err, CX_EUSAGE, NULL, 0, 0, "%s: no %s '%s' in the registry%s%s%s", option,
                     cx_kind_name((cx_kind)table), id, near ? "; did you mean '" : "",
                     near ? near : "", near ? "'?" : "");
}

static int find_stack(const graph *g, const char *id, cx_sym *out, cx_error *err)
{
    size_t n = 0;
    const cx_rule *const *stacks = cx__rules_stacks(g->rs, &n);
    const char **ids = calloc(n + 1, sizeof *ids);
    *out = CX_NOSYM;
    if (!id) goto done;
    if (!ids) return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < n; i++) {
        ids[i] = cred_id(g, stacks[i]->credential);
        if (strcmp(ids[i], id) == 0) *out = stacks[i]->credential;
    }
    if (*out == CX_NOSYM) {
        const char *near = cx_nearest(id, ids, n);
        cx__error(err, CX_EUSAGE, NULL, 0, 0, "--stack: no stack '%s' in the rules%s%s%s", id,
                  near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
    }
done:
    free(ids);
    return id && *out == CX_NOSYM ? CX_EUSAGE : CX_OK;
}

/* The picture's title: what it shows, for whom, on which day. */
static const char *title_of(graph *g)
{
    const cx_graph_options *o = g->opt;
    const char *what = o->stack          ? gprintf(g, "stack %s", o->stack)
                       : o->credential   ? gprintf(g, "credential %s", o->credential)
                       : o->jurisdiction ? gprintf(g, "jurisdiction %s", o->jurisdiction)
                                         : "every stack";
    const char *s = gprintf(g, "credex pathway map: %s", what);
    if (o->holder) s = gprintf(g, "%s, holder %s", s, o->holder);
    if (g->dated) s = gprintf(g, "%s, as of %s", s, o->as_of);
    return s;
}

static int build(graph *g, cx_error *err)
{
    const cx_graph_options *o = g->opt;
    cx_sym st, cr, jur, h;
    const char *why;
    int given = !!o->stack + !!o->credential + !!o->jurisdiction;
    if (given > 1)
        return cx__error(err, CX_EUSAGE, NULL, 0, 0,
                         "give at most one of --stack, --credential and --jurisdiction");
    if (o->as_of && cx__date_parse(o->as_of, &g->as_of, &why) != 0)
        return cx__error(err, CX_EUSAGE, NULL, 0, 0, "invalid --as-of date '%s': %s", o->as_of,
                         why);
    g->dated = o->as_of != NULL;
    if (o->holder && !g->dated)
        return cx__error(err, CX_EUSAGE, NULL, 0, 0, "a holder's map needs an as-of date");
    int rc = find_stack(g, o->stack, &st, err);
    if (!rc) rc = find(g, CX_KIND_CREDENTIAL, "--credential", o->credential, &cr, err);
    if (!rc) rc = find(g, CX_KIND_JURISDICTION, "--jurisdiction", o->jurisdiction, &jur, err);
    if (!rc) rc = find(g, CX_KIND_HOLDER, "--holder", o->holder, &h, err);
    if (rc) return rc;
    uint32_t nc = cx__snapshot_count(g->snap, CX_KIND_CREDENTIAL);
    if (!(g->in = calloc(nc + 1, 1)) || !(g->conferred = calloc(nc + 1, 1)) ||
        (o->holder && !(g->hold = calloc(nc + 1, 1))))
        return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    size_t nall = 0;
    const cx_rule *const *stacks = cx__rules_stacks(g->rs, &nall);
    for (size_t i = 0; i < nall; i++) g->conferred[stacks[i]->credential] = 1;
    if ((rc = choose_stacks(g, st, cr, jur)))
        return cx__error(err, rc, NULL, 0, 0, "out of memory");
    if (cr != CX_NOSYM) g->in[cr] |= IN_CORE;
    for (size_t i = 0; i < g->nstacks; i++) add_stack(g, g->stacks[i]);
    add_rules(g);
    if (o->holder && (rc = overlay(g, h, err))) return rc;
    add_credentials(g);
    add_legend(g);
    return g->oom ? cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory") : CX_OK;
}

int cx_graph_dot(cx_rules *rules, const cx_graph_options *opt, char **out, size_t *len,
                 cx_error *err)
{
    static const cx_graph_options none;
    graph g;
    cx_buf b;
    memset(&g, 0, sizeof g);
    cx__buf_init(&b);
    g.rs = rules;
    g.snap = cx__rules_snapshot(rules);
    g.opt = opt ? opt : &none;
    cx__arena_init(&g.arena);
    *out = NULL;
    *len = 0;
    int rc = build(&g, err);
    if (rc == CX_OK) {
        write_dot(&g, title_of(&g), &b);
        if (b.oom || g.oom) rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (rc == CX_OK) {
        *out = b.data;
        *len = b.len;
        b.data = NULL;
    }
    cx__buf_free(&b);
    cx_decisions_free(g.decisions, g.ndecisions);
    free(g.stacks);
    free(g.in);
    free(g.conferred);
    free(g.hold);
    free(g.nodes);
    free(g.edges);
    cx__arena_free(&g.arena);
    return rc;
}

int cx_graph_svg(cx_rules *rules, const cx_graph_options *opt, char **out, size_t *len,
                 cx_error *err)
{
    char *dot = NULL;
    size_t n = 0;
    *out = NULL;
    *len = 0;
    int rc = cx_graph_dot(rules, opt, &dot, &n, err);
    if (rc == CX_OK) rc = cx__graph_layout_svg(dot, n, out, len, err);
    free(dot);
    return rc;
}
