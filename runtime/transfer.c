/*
 * transfer.c -- portability (docs/design.md §4): is an award recognised in a
 * jurisdiction on the as-of date? Renewal first, then the six steps:
 * invalid -> denied; issued there -> accepted; a deny overrides; a
 * recognize with met requirements accepts; unmet -> conditional, with what
 * is missing; else not recognised, with the near misses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "sandbox.h"
#include "util.h"

/* ------------------------------------------------------------- renewal */

/* The holder's awards that exist on the as-of date (issued on or before
 * it), with expiry after renewal: earning X on a day Y is valid extends Y's
 * expiry to X's if later; in order of issue; an expired Y is not renewed. */
cx_counted *cx__eval_holder_awards(ectx *e, const cx_snap_holder *h, size_t *n)
{
    cx_counted *v = calloc(h->nawards + 1, sizeof *v);
    *n = 0;
    if (!v) {
        e->oom = 1;
        return NULL;
    }
    for (uint32_t i = 0; i < h->nawards; i++) { /* already by issue date, then id */
        const cx_snap_award *a = &h->awards[i];
        if (a->issued > e->as_of) continue;
        cx_counted *c = &v[(*n)++];
        c->award = a;
        c->id = a->id;
        c->credential = a->credential;
        c->issued = a->issued;
        c->expires = a->expires;
        c->jurisdiction = a->jurisdiction;
        c->hours = a->hours;
        c->via = "direct";
    }
    for (size_t x = 0; x < *n; x++) {
        const cx_counted *rx = &v[x];
        if (rx->award->status != CX_AWARD_ACTIVE) continue;
        for (size_t k = 0; k < e->nrules; k++) {
            const cx_rule *r = e->rules[k];
            if (r->kind != CX_RULE_RENEWS || r->renewer != rx->credential ||
                !cx__eval_effective(r, e->as_of))
                continue;
            for (size_t y = 0; y < *n; y++) {
                cx_counted *ry = &v[y];
                int renewed = 0;
                for (size_t m = 0; m < r->nmembers; m++) renewed |= r->members[m] == ry->credential;
                if (!renewed || y == x || ry->issued > rx->issued || ry->expires < rx->issued)
                    continue; /* not yet earned, or already expired, when X was earned */
                if (e->coverage) e->coverage->mark(e->coverage->ud, r, NULL);
                if (rx->expires > ry->expires) ry->expires = rx->expires;
            }
        }
    }
    return v;
}

/* ----------------------------------------------------------- the steps */

/* Why an award is not valid on the as-of date, or NULL when it is. */
static const char *invalid(ectx *e, const cx_counted *a, char *buf, size_t size)
{
    char date[11];
    const cx_snap_credential *c = &e->snap->credentials[a->credential];
    if (a->award && a->award->status == CX_AWARD_REVOKED) return "revoked";
    if (a->award && a->award->status == CX_AWARD_SUSPENDED) return "suspended";
    if (a->expires < e->as_of) {
        if (!buf) return "expired"; /* only whether it counts */
        cx__date_format(a->expires, date);
        snprintf(buf, size, "expired: valid through %s; as-of is %s", date, e->as_of_text);
        return buf;
    }
    if (a->issued < c->effective_from || a->issued > c->effective_until) {
        if (!buf) return "outside the effective dates";
        snprintf(buf, size, "issued outside the effective dates of %s", c->id);
        return buf;
    }
    return NULL;
}

/* Does recognize or deny r apply to award a into j? With why set, the
 * clauses that fail are counted and the first described. */
static int clauses_fail(ectx *e, const cx_rule *r, const cx_counted *a, cx_sym j,
                        const char **clause, char *why, size_t size)
{
    int failed = 0;
    if (!cx__eval_jsel(e, r->into, j)) {
        if (!failed++ && why) {
            *clause = "into";
            cx__eval_jsel_why(e, r->into, j, why, size);
        }
    }
    if (!cx__eval_jsel(e, r->from_j, a->jurisdiction)) {
        if (!failed++ && why) {
            *clause = "from";
            cx__eval_jsel_why(e, r->from_j, a->jurisdiction, why, size);
        }
    }
    if (!cx__eval_selects(r->credentials, a->credential, a->issued)) {
        if (!failed++ && why) {
            *clause = "credentials";
            snprintf(why, size, "%s is not selected by %s",
                     cx__eval_id(e, CX_KIND_CREDENTIAL, a->credential), r->credentials->text);
        }
    }
    if (r->verified && !cx__eval_verified(a)) {
        if (!failed++ && why) {
            const char *note = cx__snap_award_note(a->award);
            *clause = "verified";
            snprintf(why, size, "award %s is unverified%s%s", a->id, *note ? ": " : "", note);
        }
    }
    if (!cx__eval_effective(r, e->as_of)) {
        if (!failed++ && why) {
            char from[11], to[11];
            *clause = "effective";
            if (r->effective.from > e->as_of) {
                cx__date_format(r->effective.from, from);
                snprintf(why, size, "rule effective from %s; as-of is %s", from, e->as_of_text);
            } else {
                cx__date_format(r->effective.to, to);
                snprintf(why, size, "rule effective until %s; as-of is %s", to, e->as_of_text);
            }
        }
    }
    return failed;
}

static void near_miss(ectx *e, const char *rule, const char *clause, const char *detail)
{
    cx_decision *d = e->d;
    cx_near_miss *m = realloc(d->near_misses, (d->nnear_misses + 1) * sizeof *m);
    if (!m) {
        e->oom = 1;
        return;
    }
    d->near_misses = m;
    m = &m[d->nnear_misses++];
    m->rule = cx__strdup(rule);
    m->clause = cx__strdup(clause);
    m->detail = cx__strdup(detail);
}

/* The awards of the holder counted in j before requirements are looked
 * at: valid, and issued in j or recognised by a rule with no requirement
 * (and not denied). Recognitions with requirements check them against
 * this set, so no award's recognition depends on its own. */
static cx_counted *counted_in(ectx *e, const cx_counted *all, size_t n, cx_sym j, size_t *out_n)
{
    cx_counted *v = calloc(n + 1, sizeof *v);
    const char *clause;
    *out_n = 0;
    if (!v) {
        e->oom = 1;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const cx_counted *a = &all[i];
        if (invalid(e, a, NULL, 0)) continue;
        int ok = a->jurisdiction == j, denied = 0;
        for (size_t k = 0; k < e->nrules && !ok; k++) {
            const cx_rule *r = e->rules[k];
            if (r->kind == CX_RULE_RECOGNIZE && !r->requires &&
                !clauses_fail(e, r, a, j, &clause, NULL, 0))
                ok = 1;
        }
        for (size_t k = 0; k < e->nrules && ok && a->jurisdiction != j; k++) {
            const cx_rule *r = e->rules[k];
            if (r->kind == CX_RULE_DENY && !clauses_fail(e, r, a, j, &clause, NULL, 0)) denied = 1;
        }
        if (ok && !denied) v[(*out_n)++] = *a;
    }
    return v;
}

/* Decides one award (a) into jurisdiction j; holder may be NULL. */
static void decide(ectx *e, const cx_counted *a, cx_sym j, const cx_snap_holder *holder,
                   const cx_counted *counted, size_t ncounted)
{
    char buf[512];
    const char *clause;
    const char *why = invalid(e, a, buf, sizeof buf);
    const char *jid = cx__eval_id(e, CX_KIND_JURISDICTION, j);
    cx_trace *root = &e->d->trace;
    if (why) { /* 1. not valid on the as-of date */
        e->d->status = CX_DENIED;
        cx__eval_reason(e, strncmp(why, "expired", 7) == 0 ? "expired" : why, "%s", why);
        return;
    }
    if (a->jurisdiction == j) { /* 2. issued here */
        e->d->status = CX_ACCEPTED;
        cx__eval_reason(e, "issued_here", "issued in %s", jid);
        cx__eval_used(e, a->award, a->id, cx__eval_id(e, CX_KIND_CREDENTIAL, a->credential), NULL,
                      "direct");
        return;
    }
    for (size_t k = 0; k < e->nrules; k++) { /* 3. deny overrides */
        const cx_rule *r = e->rules[k];
        if (r->kind != CX_RULE_DENY || clauses_fail(e, r, a, j, &clause, NULL, 0)) continue;
        e->d->status = CX_DENIED;
        cx__eval_trace(e, root, r, "applies", r->reason);
        cx__eval_reason(e, "deny", "denied by %s: %s", r->id,
                        r->reason ? r->reason : "no reason given");
        return;
    }
    const cx_rule *conditional = NULL;
    for (size_t k = 0; k < e->nrules; k++) { /* 4. and 5. recognitions */
        const cx_rule *r = e->rules[k];
        if (r->kind != CX_RULE_RECOGNIZE || clauses_fail(e, r, a, j, &clause, NULL, 0)) continue;
        if (!r->requires) {
            cx__eval_trace(e, root, r, "applies", NULL);
            e->d->status = CX_ACCEPTED;
            break;
        }
        cx_trace *t = cx__eval_trace(e, root, r, "applies", "requires");
        size_t before = e->d->nmissing;
        int met =
            cx__eval_requirements(e, r->requires, counted, ncounted, holder, j, NULL, t, NULL);
        if (met < 0) return;
        if (met) {
            e->d->status = CX_ACCEPTED;
            break;
        }
        if (!conditional)
            conditional = r;
        else { /* only the first conditional rule's missing list is reported */
            for (size_t m = before; m < e->d->nmissing; m++) free(e->d->missing[m]);
            e->d->nmissing = before;
        }
    }
    char via[300];
    if (e->d->status == CX_ACCEPTED) {
        const cx_trace *t = &root->children[root->nchildren - 1];
        for (size_t k = 0; k + 1 < root->nchildren; k++) { /* the accepting rule decides */
            free(root->children[k].status);
            root->children[k].status = cx__strdup("skipped");
        }
        cx__eval_clear(e);
        snprintf(via, sizeof via, "recognition:%s", t->rule);
        cx__eval_reason(e, "recognized", "recognised in %s by %s", jid, t->rule);
        cx__eval_used(e, a->award, a->id, cx__eval_id(e, CX_KIND_CREDENTIAL, a->credential), NULL,
                      via);
        return;
    }
    if (conditional) {
        e->d->status = CX_CONDITIONAL;
        cx__eval_reason(e, "requires", "recognised in %s by %s once its requirements are met", jid,
                        conditional->id);
        return;
    }
    e->d->status = CX_NOT_RECOGNIZED; /* 6. with the near misses */
    cx__eval_reason(e, "no_rule", "no rule recognises %s from %s in %s",
                    cx__eval_id(e, CX_KIND_CREDENTIAL, a->credential),
                    cx__eval_id(e, CX_KIND_JURISDICTION, a->jurisdiction), jid);
    for (size_t k = 0; k < e->nrules; k++) {
        const cx_rule *r = e->rules[k];
        if (r->kind != CX_RULE_RECOGNIZE) continue;
        if (clauses_fail(e, r, a, j, &clause, buf, sizeof buf) == 1) {
            near_miss(e, r->id, clause, buf);
            cx__eval_trace(e, root, r, "near miss", buf);
        }
    }
}

/* ---------------------------------------------------------------- API */

static int transfer(cx_rules *rules, const char *credential, const char *from, const char *to,
                    const char *as_of, cx_decision **out, cx_error *err)
{
    ectx e;
    cx_sym c, j1, j2;
    char subject[512];
    *out = NULL;
    int rc = cx__eval_begin(&e, rules, as_of, err);
    if (rc || (rc = cx__eval_lookup(&e, CX_KIND_CREDENTIAL, credential, &c, err)) ||
        (rc = cx__eval_lookup(&e, CX_KIND_JURISDICTION, from, &j1, err)) ||
        (rc = cx__eval_lookup(&e, CX_KIND_JURISDICTION, to, &j2, err)))
        return rc;
    snprintf(subject, sizeof subject, "transfer %s %s %s", credential, from, to);
    if ((rc = cx__eval_new(&e, CX_DECISION_TRANSFER, subject, err))) return rc;
    e.d->credential = cx__strdup(credential);
    e.d->from_jurisdiction = cx__strdup(from);
    e.d->to_jurisdiction = cx__strdup(to);

    /* a hypothetical active award issued in `from` on the as-of date */
    const cx_snap_credential *cr = &e.snap->credentials[c];
    cx_counted a = {.credential = c,
                    .issued = e.as_of,
                    .jurisdiction = j1,
                    .hours = cr->hours,
                    .via = "direct"};
    a.expires = cx__expiry_default(e.as_of, cr->valid_for ? &cr->duration : NULL);
    decide(&e, &a, j2, NULL, NULL, 0);
    return cx__eval_finish(&e, out, err);
}

/* transfer with the rules entered: one call at a time (credex.h, "Threads"). */
int cx_transfer(cx_rules *rules, const char *credential, const char *from, const char *to,
                const char *as_of, cx_decision **out, cx_error *err)
{
    *out = NULL;
    int rc = cx__rules_enter(rules, err);
    if (rc) return rc;
    rc = transfer(rules, credential, from, to, as_of, out, err);
    cx__rules_leave(rules);
    return rc;
}

static int by_award_id(const void *x, const void *y)
{
    return strcmp(((const cx_counted *)x)->id, ((const cx_counted *)y)->id);
}

static int transfer_holder(cx_rules *rules, const char *holder, const char *to, const char *as_of,
                           cx_decision ***out, size_t *n, cx_error *err)
{
    ectx e;
    cx_sym h, j;
    size_t nall = 0, ncounted = 0;
    cx_counted *all = NULL, *counted = NULL;
    *out = NULL;
    *n = 0;
    int rc = cx__eval_begin(&e, rules, as_of, err);
    if (rc || (rc = cx__eval_lookup(&e, CX_KIND_HOLDER, holder, &h, err)) ||
        (rc = cx__eval_lookup(&e, CX_KIND_JURISDICTION, to, &j, err)))
        return rc;
    const cx_snap_holder *hd = &e.snap->holders[h];
    all = cx__eval_holder_awards(&e, hd, &nall);
    counted = all ? counted_in(&e, all, nall, j, &ncounted) : NULL;
    cx_decision **v = calloc(nall + 1, sizeof *v);
    if (!all || !counted || !v) {
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    qsort(all, nall, sizeof *all, by_award_id); /* decisions in byte order of award id */
    for (size_t i = 0; i < nall && rc == CX_OK; i++) {
        char subject[600];
        snprintf(subject, sizeof subject, "transfer %s %s %s", holder, all[i].id, to);
        if ((rc = cx__eval_new(&e, CX_DECISION_TRANSFER, subject, err))) break;
        e.d->holder = cx__strdup(holder);
        e.d->award = cx__strdup(all[i].id);
        e.d->credential = cx__strdup(cx__eval_id(&e, CX_KIND_CREDENTIAL, all[i].credential));
        e.d->from_jurisdiction =
            cx__strdup(cx__eval_id(&e, CX_KIND_JURISDICTION, all[i].jurisdiction));
        e.d->to_jurisdiction = cx__strdup(to);
        decide(&e, &all[i], j, hd, counted, ncounted);
        if ((rc = cx__eval_finish(&e, &v[i], err))) break;
        (*n)++;
    }
    if (rc == CX_OK) {
        *out = v;
        v = NULL;
    }
done:
    cx_decisions_free(v, *n);
    if (rc) *n = 0;
    free(all);
    free(counted);
    return rc;
}

/* transfer_holder with the rules entered: one call at a time (credex.h, "Threads"). */
int cx_transfer_holder(cx_rules *rules, const char *holder, const char *to, const char *as_of,
                       cx_decision ***out, size_t *n, cx_error *err)
{
    *out = NULL;
    *n = 0;
    int rc = cx__rules_enter(rules, err);
    if (rc) return rc;
    rc = transfer_holder(rules, holder, to, as_of, out, n, err);
    cx__rules_leave(rules);
    return rc;
}

cx_counted *cx__eval_counted(ectx *e, const cx_snap_holder *h, cx_sym j, size_t *n)
{
    size_t nall = 0, npass = 0;
    cx_counted *all = cx__eval_holder_awards(e, h, &nall), *pass = NULL;
    cx_counted *out = calloc(nall + 1, sizeof *out);
    cx_decision *saved = e->d;
    *n = 0;
    if (!all || !out) {
        e->oom = 1;
        free(out);
        out = NULL;
        goto done;
    }
    for (size_t i = 0; i < nall; i++) {
        cx_counted a = all[i];
        if (invalid(e, &a, NULL, 0)) continue;
        if (j != CX_NOSYM && a.jurisdiction != j) { /* recognised into j? */
            /* what recognitions with requirements are checked against,
             * computed at the first award from elsewhere */
            if (!pass && !(pass = counted_in(e, all, nall, j, &npass))) continue;
            cx_decision *scratch = calloc(1, sizeof *scratch);
            if (!scratch) {
                e->oom = 1;
                continue;
            }
            scratch->kind = CX_DECISION_TRANSFER;
            e->d = scratch;
            decide(e, &a, j, h, pass, npass);
            /* the award's own entry comes last, after any used to meet `requires` */
            int accepted = scratch->status == CX_ACCEPTED && scratch->nused > 0;
            a.via = accepted ? cx__arena_strdup(&e->scratch, scratch->used[scratch->nused - 1].via)
                             : NULL;
            e->d = saved;
            cx_decision_free(scratch);
            if (!accepted || !a.via) continue;
        }
        out[(*n)++] = a;
    }
done:
    e->d = saved;
    free(all);
    free(pass);
    return out;
}
