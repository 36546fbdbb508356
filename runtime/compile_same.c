/*
 * compile_same.c -- plans compared field by field (for what-if: is a rule
 * the same before and after a change?), beside the structures they
 * compare (compile.h). A field added to a plan breaks the build below
 * until the comparison says what to do with it. Reads plans only.
 */
#include <string.h>

#include "compile.h"

/* The sizes of the plans on LP64, as of the comparisons below. When one
 * fails, a field was added or changed: compare it in the function named
 * (or say here why it never changes a status), then update the size. Not
 * compared, on purpose: where a plan came from (src, text, index, id,
 * pack), what only words (name, cite, reason), Lua functions' packs
 * (compared as bytes by the caller), what the compiler derives from the
 * fields compared (depends, fillers, reads). */
#define LP64(type, size) (sizeof(void *) != 8 || sizeof(type) == (size))
_Static_assert(LP64(cx_selector, 48), "a field of cx_selector: update sel_same");
_Static_assert(LP64(cx_jsel, 80), "a field of cx_jsel: update jsel_same");
_Static_assert(LP64(cx_req, 200), "a field of cx_req: update cx__req_same");
_Static_assert(LP64(cx_rule, 328), "a field of cx_rule: update cx__rule_same and stack_same");

static uint32_t ncredentials(const cx_snapshot *s)
{
    return cx__snapshot_count(s, CX_KIND_CREDENTIAL);
}

static int bit(const uint64_t *bits, uint32_t i)
{
    return (int)(bits[i / 64] >> (i % 64) & 1);
}

/* The same credentials, by id, on two snapshots? */
static int bits_same(const cx_snapshot *sa, const uint64_t *a, const cx_snapshot *sb,
                     const uint64_t *b)
{
    uint32_t na = 0, nb = 0;
    if (!a || !b) return a == b;
    for (uint32_t i = 0; i < ncredentials(sb); i++) nb += (uint32_t)bit(b, i);
    for (uint32_t i = 0; i < ncredentials(sa); i++) {
        if (!bit(a, i)) continue;
        cx_sym j = cx__snapshot_find(sb, CX_KIND_CREDENTIAL, sa->credentials[i].id);
        if (j == CX_NOSYM || !bit(b, j)) return 0;
        na++;
    }
    return na == nb;
}

static int str_same(const char *a, const char *b)
{
    return !a || !b ? a == b : strcmp(a, b) == 0;
}

/* The same entity (by id) of table on two snapshots, or both none. */
static int sym_same(const cx_snapshot *sa, cx_sym a, const cx_snapshot *sb, cx_sym b, int table)
{
    if (a == CX_NOSYM || b == CX_NOSYM) return a == b;
    return strcmp(cx__snapshot_id(sa, table, a), cx__snapshot_id(sb, table, b)) == 0;
}

static int range_same(cx_range a, cx_range b)
{
    return a.from == b.from && a.to == b.to;
}

static int duration_same(const cx_duration *a, const cx_duration *b)
{
    return a->years == b->years && a->months == b->months && a->weeks == b->weeks &&
           a->days == b->days;
}

static int sel_same(const cx_snapshot *sa, const cx_selector *a, const cx_snapshot *sb,
                    const cx_selector *b)
{
    if (!a || !b) return a == b;
    return bits_same(sa, a->bits, sb, b->bits) && a->any_date == b->any_date &&
           (a->any_date || range_same(a->issued, b->issued));
}

static int jsel_same(const cx_snapshot *sa, const cx_jsel *a, const cx_snapshot *sb,
                     const cx_jsel *b)
{
    if (!a || !b) return a == b;
    if (a->kind != b->kind || a->nids != b->nids || a->nparts != b->nparts ||
        !str_same(a->status, b->status))
        return 0;
    if (a->kind == CX_JSEL_MEMBER_OF && !sym_same(sa, a->group, sb, b->group, CX_KIND_GROUP))
        return 0;
    for (size_t i = 0; i < a->nids; i++)
        if (!sym_same(sa, a->ids[i], sb, b->ids[i], CX_KIND_JURISDICTION)) return 0;
    for (size_t i = 0; i < a->nparts; i++)
        if (!jsel_same(sa, a->parts[i], sb, b->parts[i])) return 0;
    return 1;
}

int cx__req_same(const cx_snapshot *sa, const cx_req *a, const cx_snapshot *sb, const cx_req *b)
{
    if (!a || !b) return a == b;
    if (a->kind != b->kind || a->nparts != b->nparts || a->need != b->need ||
        a->nmin_results != b->nmin_results || a->threshold != b->threshold || a->op != b->op ||
        a->fn != b->fn || a->verified != b->verified || !str_same(a->label, b->label) ||
        !str_same(a->min_grade, b->min_grade) || !str_same(a->attr, b->attr) ||
        !str_same(a->group_by, b->group_by) || !str_same(a->key, b->key) ||
        !str_same(a->value, b->value) || !bits_same(sa, a->fills, sb, b->fills) ||
        !sel_same(sa, a->selector, sb, b->selector) ||
        (a->kind == CX_REQ_CREDENTIAL &&
         !sym_same(sa, a->credential, sb, b->credential, CX_KIND_CREDENTIAL)))
        return 0;
    for (size_t i = 0; i < a->nmin_results; i++)
        if (strcmp(a->min_results[i].key, b->min_results[i].key) != 0 ||
            a->min_results[i].value != b->min_results[i].value)
            return 0;
    for (size_t i = 0; i < a->nparts; i++)
        if (!cx__req_same(sa, a->parts[i], sb, b->parts[i])) return 0;
    return 1;
}

static int members_same(const cx_snapshot *sa, const cx_rule *a, const cx_snapshot *sb,
                        const cx_rule *b)
{
    if (a->nmembers != b->nmembers) return 0;
    for (size_t i = 0; i < a->nmembers; i++)
        if (!sym_same(sa, a->members[i], sb, b->members[i], CX_KIND_CREDENTIAL)) return 0;
    return 1;
}

/* A stack's plan: what it confers, where, its requirements, window and
 * award policy. */
static int stack_same(const cx_snapshot *sa, const cx_rule *a, const cx_snapshot *sb,
                      const cx_rule *b)
{
    return sym_same(sa, a->credential, sb, b->credential, CX_KIND_CREDENTIAL) &&
           sym_same(sa, a->jurisdiction, sb, b->jurisdiction, CX_KIND_JURISDICTION) &&
           a->window_kind == b->window_kind &&
           (!a->window_kind || duration_same(&a->window, &b->window)) &&
           a->award_issued == b->award_issued && a->award_expires == b->award_expires &&
           (a->award_expires != CX_EXPIRES_DURATION ||
            duration_same(&a->award_duration, &b->award_duration)) &&
           a->reuse_awards == b->reuse_awards;
}

int cx__rule_same(const cx_snapshot *sa, const cx_rule *a, const cx_snapshot *sb, const cx_rule *b)
{
    if (a->kind != b->kind || !range_same(a->effective, b->effective) ||
        !cx__req_same(sa, a->requires, sb, b->requires))
        return 0;
    switch (a->kind) {
    case CX_RULE_STACK:
        return stack_same(sa, a, sb, b);
    case CX_RULE_COUNTS_AS:
    case CX_RULE_EQUIVALENT:
    case CX_RULE_EQUIVALENCE:
        return sel_same(sa, a->from, sb, b->from) && sel_same(sa, a->to, sb, b->to) &&
               members_same(sa, a, sb, b) && jsel_same(sa, a->within, sb, b->within) &&
               a->transitive == b->transitive && a->any_date == b->any_date &&
               (a->any_date || range_same(a->issued, b->issued)) &&
               a->coverage_kind == b->coverage_kind && a->coverage_percent == b->coverage_percent &&
               a->coverage_ratio == b->coverage_ratio &&
               (a->kind != CX_RULE_EQUIVALENCE || a->when_fn == b->when_fn);
    case CX_RULE_RECOGNIZE:
    case CX_RULE_DENY:
        return jsel_same(sa, a->into, sb, b->into) && jsel_same(sa, a->from_j, sb, b->from_j) &&
               sel_same(sa, a->credentials, sb, b->credentials) && a->verified == b->verified;
    case CX_RULE_RENEWS:
        return sym_same(sa, a->renewer, sb, b->renewer, CX_KIND_CREDENTIAL) &&
               members_same(sa, a, sb, b);
    }
    return 0;
}
