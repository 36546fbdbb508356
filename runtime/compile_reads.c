/*
 * compile_reads.c -- what each rule reads (cx_reads, compile.h), recorded
 * once when every pack is compiled, so that the status plans, what-if's
 * scope and audit.c ask the compiler instead of walking the trees again;
 * and on each credential slot, the equivalence rules that can fill it;
 * which rule a Lua function belongs to. Derives from the plans only: no
 * tree, no Lua, no SQL.
 */
#include <stdlib.h>
#include <string.h>

#include "compile_int.h"

/* Adds what the tree q reads to out, its slots and totals to the sets. */
static void tree_reads(const compiler *c, const cx_req *q, uint64_t *slots, uint64_t *totals,
                       cx_reads *out)
{
    if (q->fills)
        for (size_t w = 0; w < c->words; w++) slots[w] |= q->fills[w];
    if (q->kind == CX_REQ_HOURS || q->kind == CX_REQ_SUM) {
        if (q->selector)
            for (size_t w = 0; w < c->words; w++) totals[w] |= q->selector->bits[w];
        else
            out->totals_every = 1;
    }
    out->checks |= q->kind == CX_REQ_CHECK;
    /* what can hold with no award at all: a holder attribute, a check, a
     * total of zero or less, a structure that needs no part */
    out->without_awards |=
        q->kind == CX_REQ_HOLDER_ATTR || q->kind == CX_REQ_CHECK ||
        ((q->kind == CX_REQ_HOURS || q->kind == CX_REQ_SUM) && q->threshold <= 0) ||
        ((q->kind == CX_REQ_ALL || q->kind == CX_REQ_ANY || q->kind == CX_REQ_AT_LEAST) &&
         q->need == 0);
    out->verification |= q->verified;
    for (size_t i = 0; i < q->nparts; i++) tree_reads(c, q->parts[i], slots, totals, out);
}

/* Marks the groups j names with member_of, at any depth. */
static void jsel_groups(const cx_jsel *j, uint8_t *named)
{
    if (!j) return;
    if (j->kind == CX_JSEL_MEMBER_OF) named[j->group] = 1;
    for (size_t i = 0; i < j->nparts; i++) jsel_groups(j->parts[i], named);
}

/* The groups r's jurisdiction selectors name, ascending; named is scratch
 * of one byte per group. 0, or -1 out of memory. */
static int rule_groups(compiler *c, cx_rule *r, uint8_t *named, uint32_t ngroups)
{
    size_t n = 0;
    memset(named, 0, ngroups + 1);
    jsel_groups(r->within, named);
    jsel_groups(r->into, named);
    jsel_groups(r->from_j, named);
    for (uint32_t g = 0; g < ngroups; g++) n += named[g];
    if (!n) return 0;
    uint32_t *v = alloc(c, n * sizeof *v);
    if (!v) return -1;
    for (uint32_t g = 0; g < ngroups; g++)
        if (named[g]) v[r->reads.ngroups++] = g;
    r->reads.groups = v;
    return 0;
}

/* Can equivalence rule e make another credential count as credential s
 * somewhere, on some date? (cx__eval_equivalent's rules, before `within`
 * and dates.) */
static int can_fill(const cx_rule *e, uint32_t s)
{
    if (e->kind != CX_RULE_EQUIVALENT) return !e->to || has_bit(e->to->bits, s);
    for (size_t m = 0; m < e->nmembers; m++)
        if (e->members[m] == s) return 1;
    return 0;
}

/* Records on each credential slot of q the equivalence rules (by id) that
 * can fill it. The plans are the compiler's own until it returns. */
static int slot_fillers(compiler *c, const cx_req *q)
{
    const cx_rules *rs = c->rs;
    if (q->kind == CX_REQ_CREDENTIAL) {
        cx_req *slot = (cx_req *)q;
        size_t n = 0;
        for (size_t i = 0; i < rs->nequivs; i++) n += can_fill(rs->equivs[i], q->credential);
        const cx_rule **v = n ? alloc(c, n * sizeof *v) : NULL;
        if (n && !v) return -1;
        for (size_t i = 0; i < rs->nequivs; i++)
            if (can_fill(rs->equivs[i], q->credential)) v[slot->nfillers++] = rs->equivs[i];
        slot->fillers = (const cx_rule *const *)v;
    }
    for (size_t i = 0; i < q->nparts; i++)
        if (slot_fillers(c, q->parts[i]) < 0) return -1;
    return 0;
}

/* Everything one rule reads. */
static int rule_reads(compiler *c, cx_rule *r, uint8_t *named, uint32_t ngroups)
{
    cx_reads *out = &r->reads;
    if (r->requires) {
        uint64_t *slots = new_set(c), *totals = new_set(c);
        if (!slots || !totals) return -1;
        tree_reads(c, r->requires, slots, totals, out);
        out->slots = slots;
        out->totals = totals;
        if (slot_fillers(c, r->requires) < 0) return -1;
    }
    out->verification |= r->verified;
    out->calls = out->checks || (r->kind == CX_RULE_EQUIVALENCE && r->when_fn >= 0);
    return rule_groups(c, r, named, ngroups);
}

void cx__compile_reads(compiler *c)
{
    uint32_t ngroups = cx__snapshot_count(c->snap, CX_KIND_GROUP);
    uint8_t *named = malloc(ngroups + 1);
    int rc = named ? 0 : -1;
    for (size_t i = 0; i < c->rs->nrules && rc == 0; i++)
        rc = rule_reads(c, c->rs->rules[i], named, ngroups);
    free(named);
    if (rc) cx__compile_error(c, NULL, "out of memory recording what the rules read");
}

/* Whether tree q has a check calling function (pack, fn). */
static int tree_calls(const cx_req *q, int pack, int fn)
{
    if (!q) return 0;
    if (q->kind == CX_REQ_CHECK && q->pack == pack && q->fn == fn) return 1;
    for (size_t i = 0; i < q->nparts; i++)
        if (tree_calls(q->parts[i], pack, fn)) return 1;
    return 0;
}

long cx__rules_function_owner(const cx_rules *rs, int pack, int fn)
{
    for (size_t i = 0; i < rs->nrules; i++) {
        const cx_rule *r = rs->by_id[i];
        if (r->pack != pack) continue;
        if ((r->kind == CX_RULE_EQUIVALENCE && r->when_pack == pack && r->when_fn == fn) ||
            tree_calls(r->requires, pack, fn))
            return (long)i;
    }
    return -1;
}
