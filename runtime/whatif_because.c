/*
 * whatif_because.c -- why one holder's audit of one stack moved, in words
 * (docs/whatif.md, "Every affected holder"): the holder's full decisions
 * before and after are made again and compared requirement by requirement
 * and award by award. Decides nothing the run did not; holds no SQL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "date.h"
#include "gaps.h"
#include "whatif_int.h"

/* The decision of stack among holder's audit on rules; *all owns it. */
static int decide(wctx *w, cx_rules *rules, const char *holder, const char *stack,
                  cx_decision ***all, size_t *n, const cx_decision **out)
{
    *out = NULL;
    int rc = cx_audit_with(rules, holder, stack, w->rep->as_of, CX_DETAIL_GAPS, all, n, w->err);
    for (size_t i = 0; !rc && i < *n; i++)
        if (strcmp((*all)[i]->stack, stack) == 0) *out = (*all)[i];
    return rc;
}

static int has_string(char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0) return 1;
    return 0;
}

/* Did d use award id? */
static int used_award(const cx_decision *d, const char *id)
{
    for (size_t i = 0; i < d->nused; i++)
        if (d->used[i].award && strcmp(d->used[i].award, id) == 0) return 1;
    return 0;
}

/* ------------------------------------------------------------ amounts */

/* A requirement of a stack whose amount differs between the sides (the
 * hours or attribute total, the N of at_least): how the decisions name it
 * and the words that say both amounts. */
typedef struct amount {
    const char *label, *before, *after; /* its label, its text on each side */
    char words[600];                    /* "shop hours: 120 → 150" */
} amount;

#define MAX_AMOUNTS 16 /* per stack; more are left to the missing strings */

/* "120", "12.5" or "12.25" for hundredths (never negative), as a catalog writes it. */
static void hundredths(int64_t v, char buf[32])
{
    long long whole = (long long)(v / 100), part = (long long)(v % 100);
    if (part == 0)
        snprintf(buf, 32, "%lld", whole);
    else if (part % 10 == 0)
        snprintf(buf, 32, "%lld.%lld", whole, part / 10);
    else
        snprintf(buf, 32, "%lld.%02lld", whole, part);
}

/* Compares b and a (the same requirement on each side), then their parts
 * while their shapes agree, adding each amount that differs. */
static void amounts_of(const cx_req *b, const cx_req *a, amount *v, size_t *n)
{
    if (!b || !a || b->kind != a->kind || *n == MAX_AMOUNTS) return;
    char x[32], y[32];
    int total = b->kind == CX_REQ_HOURS || b->kind == CX_REQ_SUM;
    if ((total && b->threshold != a->threshold) ||
        (b->kind == CX_REQ_AT_LEAST && b->need != a->need)) {
        amount *m = &v[(*n)++];
        const char *name = a->label           ? a->label
                           : total && a->attr ? a->attr
                           : total            ? "hours"
                                              : "at_least";
        if (total) {
            hundredths(b->threshold, x);
            hundredths(a->threshold, y);
        } else {
            snprintf(x, sizeof x, "%zu", b->need);
            snprintf(y, sizeof y, "%zu", a->need);
        }
        snprintf(m->words, sizeof m->words, "%s: %s \xE2\x86\x92 %s", name, x, y);
        m->label = a->label && b->label && strcmp(a->label, b->label) == 0 ? a->label : NULL;
        m->before = b->text;
        m->after = a->text;
    }
    if (b->nparts != a->nparts) return;
    for (size_t i = 0; i < b->nparts; i++) amounts_of(b->parts[i], a->parts[i], v, n);
}

/* The requirements of stack whose amounts differ between the rules. */
static size_t stack_amounts(cx_rules *before, cx_rules *after, const char *stack, amount *v)
{
    const cx_req *req[2] = {NULL, NULL};
    cx_rules *rules[2] = {before, after};
    size_t n = 0;
    for (int k = 0; k < 2; k++) {
        size_t ns = 0;
        const cx_rule *const *stacks = cx__rules_stacks(rules[k], &ns);
        for (size_t i = 0; i < ns; i++)
            if (strcmp(stacks[i]->id, stack) == 0) req[k] = stacks[i]->requires;
    }
    amounts_of(req[0], req[1], v, &n);
    return n;
}

/* The amount a missing string names (its label, or its text on that side:
 * after 1, before 0), or NULL. */
static const amount *named(const amount *v, size_t n, const char *missing, int after)
{
    for (size_t i = 0; i < n; i++) {
        const char *text = after ? v[i].after : v[i].before;
        if ((v[i].label && strcmp(v[i].label, missing) == 0) ||
            (text && strcmp(text, missing) == 0))
            return &v[i];
    }
    return NULL;
}

/* ------------------------------------------------------------- words */

/* Adds the words once; -1 out of memory. */
static int say(cx_strlist *words, const char *text)
{
    return has_string(words->v, words->n, text) ? 0 : cx__strlist_add(words, text);
}

/* The gap of d's i-th missing requirement (one per entry, in order), or NULL. */
static const cx_gap *gap_at(const cx_decision *d, size_t i)
{
    return i < d->ngaps ? &d->gaps[i] : NULL;
}

/* What a requirement now unmet needs, as the audit's gaps say it
 * (cx__gap_words): the name (or its amounts before and after, when the
 * rule changed them), then " (1 more of: C3, C4)" or " (hours: 95 of 120,
 * 25 more needed)". The credentials a total could still count and the
 * expired awards are left out: award_lost says why an award stopped. */
static int unmet(const char *name, const cx_gap *g, cx_strlist *words)
{
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_puts(&b, name);
    if (g) {
        cx_gap shown = *g;
        shown.nexpired = 0;
        if (strcmp(g->unit, "credentials") != 0) shown.noptions = 0;
        cx__buf_puts(&b, " (");
        cx__gap_words(&b, &shown, "; ");
        cx__buf_puts(&b, ")");
    }
    int rc = b.oom ? -1 : say(words, b.data);
    cx__buf_free(&b);
    return rc;
}

/* A requirement unmet on both sides whose needed amount differs between
 * the two decisions' gaps: "shop hours: 120 → 100 (hours: 64 of 100, 36
 * more needed)". 0 when the amounts are the same. */
static int need_moved(const char *name, const cx_gap *gb, const cx_gap *ga, cx_strlist *words)
{
    if (!gb || !ga || gb->need == ga->need || strcmp(gb->unit, ga->unit) != 0) return 0;
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_printf(&b, "%s: ", name);
    cx__buf_hundredths(&b, gb->need);
    cx__buf_puts(&b, " \xE2\x86\x92 ");
    cx__buf_hundredths(&b, ga->need);
    int rc = b.oom ? -1 : unmet(b.data, ga, words);
    cx__buf_free(&b);
    return rc;
}

/* The index of s in v, or n when it is not there. */
static size_t find_string(char *const *v, size_t n, const char *s)
{
    size_t i = 0;
    while (i < n && strcmp(v[i], s) != 0) i++;
    return i;
}

/* The requirements whose outcome changed: unmet after and not before (with
 * the gap), met after and not before, and unmet on both sides with a
 * different amount needed. */
static int requirements(const cx_decision *b, const cx_decision *a, const amount *amounts,
                        size_t namounts, cx_strlist *words)
{
    char text[600];
    int bad = 0;
    for (size_t i = 0; i < a->nmissing && !bad; i++) {
        const amount *m = named(amounts, namounts, a->missing[i], 1);
        size_t k = find_string(b->missing, b->nmissing, a->missing[i]);
        if (k == b->nmissing)
            bad = unmet(m ? m->words : a->missing[i], gap_at(a, i), words);
        else
            bad = need_moved(a->missing[i], gap_at(b, k), gap_at(a, i), words);
    }
    for (size_t i = 0; i < b->nmissing && !bad; i++) {
        const amount *m = named(amounts, namounts, b->missing[i], 0);
        if (has_string(a->missing, a->nmissing, b->missing[i])) continue;
        snprintf(text, sizeof text, "%s: now met", b->missing[i]);
        bad = say(words, m ? m->words : text);
    }
    return bad ? -1 : 0;
}

/* The award of id in s, or NULL. */
static const cx_snap_award *award_in(const cx_snapshot *s, const char *id)
{
    cx_sym a = cx__snapshot_find(s, CX_KIND_AWARD, id);
    return a == CX_NOSYM ? NULL : &s->awards[a];
}

/* Why award u, used before, counts no longer: it is gone, it has expired
 * (under a new valid_for, or a new stored expiry), or a rule no longer
 * takes it. */
static int award_lost(wctx *w, const cx_snapshot *sb, const cx_snapshot *sa, const cx_used *u,
                      cx_strlist *words)
{
    char text[600], day[11];
    const cx_snap_award *was = award_in(sb, u->award), *now = award_in(sa, u->award);
    cx_date as_of = 0;
    const char *why;
    cx__date_parse(w->rep->as_of, &as_of, &why);
    if (!now) {
        snprintf(text, sizeof text, "%s removed", u->credential);
    } else if (now->expires < as_of && (!was || was->expires >= as_of)) {
        const char *vb = was ? sb->credentials[was->credential].valid_for : NULL;
        const char *va = sa->credentials[now->credential].valid_for;
        cx__date_format(now->expires, day);
        if (!(now->flags & CX_AWARD_EXPIRES_STORED) && (!vb || !va || strcmp(vb, va) != 0))
            snprintf(text, sizeof text, "%s expired under the new valid_for (%s)", u->credential,
                     day);
        else
            snprintf(text, sizeof text, "%s expired %s", u->credential, day);
    } else {
        snprintf(text, sizeof text, "%s no longer counts", u->credential);
    }
    return say(words, text);
}

/* The reasons of a that b does not give, each after prefix; -1 out of memory. */
static int new_reasons(const cx_decision *b, const cx_decision *a, const char *prefix,
                       cx_strlist *words)
{
    char text[1200];
    for (size_t i = 0; i < a->nreasons; i++) {
        int known = 0;
        for (size_t j = 0; j < b->nreasons; j++)
            known |= strcmp(a->reasons[i].message, b->reasons[j].message) == 0;
        snprintf(text, sizeof text, "%s%s", prefix, a->reasons[i].message);
        if (!known && say(words, text) < 0) return -1;
    }
    return 0;
}

/* The words for two decisions of one holder and stack, both present:
 * requirements now unmet (their missing strings), requirements now met,
 * awards that stopped counting and awards that started. */
static int compare(wctx *w, const cx_snapshot *sb, const cx_snapshot *sa, const cx_decision *b,
                   const cx_decision *a, const amount *amounts, size_t namounts, cx_strlist *words)
{
    char text[600];
    int bad = requirements(b, a, amounts, namounts, words);
    for (size_t i = 0; i < b->nused; i++)
        if (b->used[i].award && !used_award(a, b->used[i].award))
            bad |= award_lost(w, sb, sa, &b->used[i], words);
    for (size_t i = 0; i < a->nused; i++)
        if (a->used[i].award && !used_award(b, a->used[i].award)) {
            snprintf(text, sizeof text, "%s now counts", a->used[i].credential);
            bad |= say(words, text);
        }
    if (a->status == CX_ERROR)
        for (size_t i = 0; i < a->nreasons; i++) bad |= say(words, a->reasons[i].message);
    if (!words->n && !bad) /* the same requirements and awards: the reasons differ */
        bad = new_reasons(b, a, "", words) || new_reasons(a, b, "no longer: ", words) ||
              (!words->n && say(words, "the rules decide it differently"));
    return bad ? -1 : 0;
}

/* One side absent: the holder or the stack is new, or gone. */
static int one_side(const cx_snapshot *s, const cx_holder_transition *m, int after,
                    cx_strlist *words)
{
    int holder = s && cx__snapshot_find(s, CX_KIND_HOLDER, m->holder) != CX_NOSYM;
    if (after) return say(words, holder ? "the stack is no longer defined" : "the holder is gone");
    return say(words, holder ? "a new stack" : "a new holder");
}

int cx__whatif_because(wctx *w, cx_rules *before, cx_rules *after, cx_holder_transition *m)
{
    cx_decision **vb = NULL, **va = NULL;
    size_t nb = 0, na = 0;
    const cx_decision *b = NULL, *a = NULL;
    cx_strlist words = {0};
    const cx_snapshot *sb = cx__rules_snapshot(before), *sa = cx__rules_snapshot(after);
    int rc = CX_OK, absent_before = strcmp(m->from, "absent") == 0,
        absent_after = strcmp(m->to, "absent") == 0;
    if (!absent_before) rc = decide(w, before, m->holder, m->stack, &vb, &nb, &b);
    if (!rc && !absent_after) rc = decide(w, after, m->holder, m->stack, &va, &na, &a);
    if (rc) goto done;
    if (absent_before || absent_after || !b || !a) {
        /* new: what it still misses changed too, from nothing */
        if (one_side(absent_before ? sb : sa, m, absent_after, &words) < 0) rc = nomem(w);
        for (size_t i = 0; !rc && a && absent_before && i < a->nmissing; i++)
            if (unmet(a->missing[i], gap_at(a, i), &words) < 0) rc = nomem(w);
    } else {
        amount amounts[MAX_AMOUNTS];
        size_t namounts = stack_amounts(before, after, m->stack, amounts);
        if (compare(w, sb, sa, b, a, amounts, namounts, &words) < 0) rc = nomem(w);
    }
    if (!rc) {
        m->because = words.v;
        m->nbecause = words.n;
        words.v = NULL;
        words.n = 0;
    }
done:
    cx__strlist_free(&words);
    cx_decisions_free(vb, nb);
    cx_decisions_free(va, na);
    return rc;
}
