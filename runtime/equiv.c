/*
 * equiv.c -- equivalence decisions (docs/design.md §4): counts_as, equivalent and
 * computed equivalence by competency coverage or a predicate; partial
 * coverage with the gap named; transitive only when a rule says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "sandbox.h"
#include "util.h"

/* Competencies of b that a covers: *covered of *total; the missing ones are
 * added to the decision when `missing` is set. */
static void coverage(ectx *e, cx_sym a, cx_sym b, int64_t *covered, int64_t *total, int missing)
{
    const cx_snap_credential *ca = &e->snap->credentials[a], *cb = &e->snap->credentials[b];
    uint32_t i = 0;
    *covered = 0;
    *total = cb->ncompetencies;
    for (uint32_t k = 0; k < cb->ncompetencies; k++) {
        while (i < ca->ncompetencies && ca->competencies[i] < cb->competencies[k]) i++;
        if (i < ca->ncompetencies && ca->competencies[i] == cb->competencies[k])
            (*covered)++;
        else if (missing)
            cx__eval_missing(e, cx__eval_id(e, CX_KIND_COMPETENCY, cb->competencies[k]));
    }
}

/* Does the coverage reach the rule's threshold? Percentages compare exactly
 * in integers; ratios with a tolerance of 1e-9. No competencies: never. */
static int reached(const cx_rule *r, int64_t covered, int64_t total)
{
    if (total == 0) return 0;
    if (r->coverage_kind == 1) return covered * 100 >= (int64_t)r->coverage_percent * total;
    return (double)covered / (double)total >= r->coverage_ratio - 1e-9;
}

/* Calls when = function(ctx) with ctx.source, ctx.target, ctx.within and
 * ctx.as_of. 1 holds, 0 fails (reason in why), -1 error (err). */
static int call_when(ectx *e, const cx_rule *r, cx_sym a, cx_sym b, cx_sym j, char *why,
                     size_t size, cx_error *err)
{
    const char *text[4] = {e->as_of_text, cx__eval_id(e, CX_KIND_CREDENTIAL, a),
                           cx__eval_id(e, CX_KIND_CREDENTIAL, b),
                           j == CX_NOSYM ? NULL : cx__eval_id(e, CX_KIND_JURISDICTION, j)};
    static const char *const keys[4] = {"as_of", "source", "target", "within"};
    cx_tnode values[4], ctx;
    cx_tfield fields[4];
    size_t n = 0;
    for (size_t i = 0; i < 4; i++) {
        if (!text[i]) continue;
        memset(&values[n], 0, sizeof values[n]);
        values[n].kind = CX_TSTRING;
        values[n].as.string.bytes = text[i];
        values[n].as.string.len = strlen(text[i]);
        fields[n].key = keys[i];
        fields[n].keylen = strlen(keys[i]);
        fields[n].value = &values[n];
        n++;
    }
    memset(&ctx, 0, sizeof ctx);
    ctx.kind = CX_TMAP;
    ctx.as.table.fields = fields;
    ctx.as.table.nfields = n;
    const cx_tnode *args[1] = {&ctx}, *result = NULL;
    if (cx__eval_call(e, r->when_pack, r->when_fn, args, 1, &result, err) != CX_OK) return -1;
    const cx_tnode *first = result && result->as.table.nitems ? result->as.table.items[0] : NULL;
    if (first && first->kind == CX_TBOOL && first->as.boolean) return 1;
    if (first && first->kind == CX_TBOOL) {
        const cx_tnode *reason = result->as.table.nitems > 1 ? result->as.table.items[1] : NULL;
        snprintf(why, size, "%s",
                 reason && reason->kind == CX_TSTRING ? reason->as.string.bytes : "when is false");
        return 0;
    }
    cx__error(err, CX_EINPUT, r->src.file, r->src.line, 0,
              "rule '%s': when must return true, or false and a reason", r->id);
    return -1;
}

/* Whether rule r makes a equivalent to b, given it applies. Returns the
 * status for this rule and adds its trace under trace. */
static cx_status try_rule(ectx *e, const cx_rule *r, cx_sym a, cx_sym b, cx_sym j, cx_trace *trace,
                          int report_gap)
{
    char detail[512];
    if (r->kind != CX_RULE_EQUIVALENCE) {
        if (trace) cx__eval_trace(e, trace, r, "holds", NULL);
        return CX_EQUIVALENT;
    }
    if (r->coverage_kind) {
        int64_t covered, total;
        coverage(e, a, b, &covered, &total, 0);
        int ok = reached(r, covered, total);
        if (!trace)
            ;
        else if (r->coverage_kind == 1)
            snprintf(detail, sizeof detail, "covers %lld of %lld competencies; needs %d%%",
                     (long long)covered, (long long)total, r->coverage_percent);
        else
            snprintf(detail, sizeof detail, "covers %lld of %lld competencies; needs %.15g",
                     (long long)covered, (long long)total, r->coverage_ratio);
        if (trace) cx__eval_trace(e, trace, r, ok ? "holds" : "fails", detail);
        if (!ok && report_gap && !e->d->has_coverage) {
            e->d->has_coverage = 1;
            e->d->covered = covered;
            e->d->total = total;
            coverage(e, a, b, &covered, &total, 1);
            cx__eval_reason(e, "coverage", "%s covers %lld of %lld competencies of %s (rule %s)",
                            cx__eval_id(e, CX_KIND_CREDENTIAL, a), (long long)covered,
                            (long long)total, cx__eval_id(e, CX_KIND_CREDENTIAL, b), r->id);
        } else if (ok && report_gap) {
            e->d->has_coverage = 1;
            e->d->covered = covered;
            e->d->total = total;
        }
        return ok ? CX_EQUIVALENT : CX_PARTIAL;
    }
    cx_error err;
    int held = call_when(e, r, a, b, j, detail, sizeof detail, &err);
    if (held < 0) {
        if (trace) cx__eval_trace(e, trace, r, "error", err.message);
        if (report_gap) cx__eval_error(e, &err);
        return CX_ERROR;
    }
    if (trace) cx__eval_trace(e, trace, r, held ? "holds" : "fails", held ? NULL : detail);
    return held ? CX_EQUIVALENT : CX_NOT_EQUIVALENT;
}

/* Does equivalence rule r apply to (a, b) within j for an award issued on
 * `issued`? */
static int applies(const ectx *e, const cx_rule *r, cx_sym a, cx_sym b, cx_sym j, cx_date issued)
{
    if (r->within && (j == CX_NOSYM || !cx__eval_jsel(e, r->within, j))) return 0;
    if (!cx__eval_effective(r, e->as_of)) return 0;
    if (!r->any_date && (issued < r->issued.from || issued > r->issued.to)) return 0;
    if (r->kind == CX_RULE_EQUIVALENT) {
        int has_a = 0, has_b = 0;
        for (size_t i = 0; i < r->nmembers; i++) {
            has_a |= r->members[i] == a;
            has_b |= r->members[i] == b;
        }
        return has_a && has_b;
    }
    return cx__eval_selects(r->from, a, issued) && cx__eval_selects(r->to, b, issued);
}

/* Chains of rules that say transitive = true, breadth first from a. */
static cx_status transitive(ectx *e, cx_sym a, cx_sym b, cx_sym j, cx_date issued, cx_trace *trace,
                            const cx_rule **via)
{
    uint32_t n = cx__snapshot_count(e->snap, CX_KIND_CREDENTIAL);
    cx_sym *queue = malloc((n + 1) * sizeof *queue);
    uint8_t *seen = calloc(n + 1, 1);
    cx_status result = CX_NOT_EQUIVALENT;
    size_t head = 0, tail = 0;
    if (!queue || !seen) {
        e->oom = 1;
        goto done;
    }
    queue[tail++] = a;
    seen[a] = 1;
    while (head < tail && result != CX_EQUIVALENT) {
        cx_sym x = queue[head++];
        for (size_t i = 0; i < e->nequivs && result != CX_EQUIVALENT; i++) {
            const cx_rule *r = e->equivs[i];
            if (!r->transitive) continue;
            for (cx_sym y = 0; y < n && result != CX_EQUIVALENT; y++) {
                if (seen[y] || !applies(e, r, x, y, j, issued)) continue;
                if (try_rule(e, r, x, y, j, NULL, 0) != CX_EQUIVALENT) continue;
                seen[y] = 1;
                queue[tail++] = y;
                if (y == b) {
                    char detail[256];
                    snprintf(detail, sizeof detail, "transitively, through %s",
                             cx__eval_id(e, CX_KIND_CREDENTIAL, x));
                    if (trace) cx__eval_trace(e, trace, r, "holds", detail);
                    *via = r;
                    result = CX_EQUIVALENT;
                }
            }
        }
    }
done:
    free(queue);
    free(seen);
    return result;
}

cx_status cx__eval_equivalent(ectx *e, cx_sym a, cx_sym b, cx_sym j, cx_date issued,
                              cx_trace *trace, const cx_rule **via)
{
    cx_status best = CX_NOT_EQUIVALENT;
    int any_transitive = 0;
    *via = NULL;
    if (a == b) return CX_EQUIVALENT;
    if (!e->equiv_to || !(e->equiv_to[b / 64] >> (b % 64) & 1)) return CX_NOT_EQUIVALENT;
    for (size_t i = 0; i < e->nequivs; i++) {
        const cx_rule *r = e->equivs[i];
        any_transitive |= r->transitive;
        if (!applies(e, r, a, b, j, issued)) continue;
        cx_status s = try_rule(e, r, a, b, j, trace, e->d && e->d->kind == CX_DECISION_EQUIV);
        if (s == CX_EQUIVALENT) {
            *via = r;
            return CX_EQUIVALENT;
        }
        if (s == CX_ERROR)
            best = CX_ERROR;
        else if (s == CX_PARTIAL && best != CX_ERROR)
            best = CX_PARTIAL;
    }
    if (best != CX_ERROR && any_transitive &&
        transitive(e, a, b, j, issued, trace, via) == CX_EQUIVALENT)
        return CX_EQUIVALENT;
    return best;
}

static int equiv(cx_rules *rules, const char *from, const char *to, const char *in,
                 const char *as_of, cx_decision **out, cx_error *err)
{
    ectx e;
    cx_sym a, b, j = CX_NOSYM;
    const cx_rule *via = NULL;
    char subject[512];
    *out = NULL;
    int rc = cx__eval_begin(&e, rules, as_of, err);
    if (rc || (rc = cx__eval_lookup(&e, CX_KIND_CREDENTIAL, from, &a, err)) ||
        (rc = cx__eval_lookup(&e, CX_KIND_CREDENTIAL, to, &b, err)) ||
        (in && (rc = cx__eval_lookup(&e, CX_KIND_JURISDICTION, in, &j, err))))
        return rc;
    snprintf(subject, sizeof subject, "equiv %s %s %s", from, to, in ? in : "");
    if ((rc = cx__eval_new(&e, CX_DECISION_EQUIV, subject, err))) return rc;
    e.d->from = cx__strdup(from);
    e.d->to = cx__strdup(to);
    e.d->in = in ? cx__strdup(in) : NULL;

    cx_status s = cx__eval_equivalent(&e, a, b, j, e.as_of, &e.d->trace, &via);
    if (e.d->status != CX_ERROR) e.d->status = s;
    if (s == CX_EQUIVALENT && a == b) {
        cx__eval_reason(&e, "same", "a credential is equivalent to itself");
    } else if (s == CX_EQUIVALENT) {
        cx__eval_clear(&e); /* a gap another rule reported no longer matters */
        cx__eval_reason(&e, "rule", "%s counts as %s by rule %s", from, to, via->id);
        /* a met coverage rule reports its coverage too */
        if (via->coverage_kind) {
            coverage(&e, a, b, &e.d->covered, &e.d->total, 0);
            e.d->has_coverage = 1;
        } else {
            e.d->has_coverage = 0;
        }
    } else if (s == CX_NOT_EQUIVALENT) {
        if (in)
            cx__eval_reason(&e, "no_rule", "no rule makes %s count as %s in %s", from, to, in);
        else
            cx__eval_reason(&e, "no_rule",
                            "no rule makes %s count as %s everywhere (rules scoped with "
                            "`within` apply only with --in)",
                            from, to);
    }
    return cx__eval_finish(&e, out, err);
}

/* equiv with the rules entered: one call at a time (credex.h, "Threads"). */
int cx_equiv(cx_rules *rules, const char *from, const char *to, const char *in, const char *as_of,
             cx_decision **out, cx_error *err)
{
    *out = NULL;
    int rc = cx__rules_enter(rules, err);
    if (rc) return rc;
    rc = equiv(rules, from, to, in, as_of, out, err);
    cx__rules_leave(rules);
    return rc;
}
