/*
 * test_snapshot_graft.c -- cx__snapshot_graft (what-if's grafted path,
 * docs/whatif.md): over randomised registries, a change to facts only
 * imported for real and loaded cold must give the snapshot the graft
 * builds from the snapshot before it, field by field, whether it copies
 * the awards or derives them again as each holder is read, leaving the
 * snapshot before untouched (cx__snapshot_graft_deferred, cx__snapshot_holder);
 * awards are shared when no default moves; a change that adds a
 * credential is refused.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credex.h"
#include "snapshot.h"
#include "test.h"

#define SEEDS 40

/* A small deterministic generator (the cases are the same on every run). */
static unsigned rnd(unsigned *state, unsigned n)
{
    *state = *state * 1103515245u + 12345u;
    return (*state >> 16) % n;
}

/* Appends printf output to a buffer of cap bytes. */
static void add(char *buf, size_t cap, const char *fmt, ...) CX_PRINTF(3, 4);
static void add(char *buf, size_t cap, const char *fmt, ...)
{
    size_t len = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, cap - len, fmt, ap);
    va_end(ap);
}

static const char *const places[] = {"US-A", "US-B", "US-C"};

/* A credential C<i>: random jurisdiction, hours, validity; the grade scale
 * C, B, A in a registry (initial), else a random one (grades fall off it). */
static void credential(char *buf, size_t cap, unsigned *st, int i, int initial)
{
    static const char *const scales[] = {", grade_scale: [C, B, A]", "", ", grade_scale: [B, A]",
                                         ", grade_scale: [A, B, C]"};
    add(buf, cap, "  - { id: C%d, name: Course %d, type: course, jurisdiction: %s", i, i,
        places[rnd(st, 3)]);
    if (rnd(st, 3)) add(buf, cap, ", hours: %u", 1 + rnd(st, 9));
    if (rnd(st, 3)) add(buf, cap, ", valid_for: P%uY%s", 1 + rnd(st, 3), rnd(st, 2) ? "6M" : "");
    add(buf, cap, "%s }\n", scales[initial ? 0 : rnd(st, 4)]);
}

static void group(char *buf, size_t cap, unsigned *st)
{
    add(buf, cap, "groups:\n  - id: G\n    name: G\n    members:\n");
    for (int j = 0; j < 3; j++)
        if (rnd(st, 2))
            add(buf, cap, "      - { jurisdiction: %s, from: 20%u-0%u-01 }\n", places[j],
                20 + rnd(st, 8), 1 + rnd(st, 9));
    add(buf, cap, "      - { jurisdiction: US-A, from: 2019-01-01, until: 2019-12-31 }\n");
}

/* A registry: 5 credentials, 40 holders with 0-5 awards each, some with a
 * stored expiry, jurisdiction or hours, grades, results, and one with 20;
 * exceptions. */
static void registry_text(char *buf, size_t cap, unsigned *st)
{
    buf[0] = '\0';
    add(buf, cap, "version: 1\njurisdictions:\n");
    for (int j = 0; j < 3; j++) add(buf, cap, "  - { id: %s, name: %s }\n", places[j], places[j]);
    group(buf, cap, st);
    add(buf, cap, "credentials:\n");
    for (int i = 1; i <= 5; i++) credential(buf, cap, st, i, 1);
    add(buf, cap, "holders:\n");
    for (int h = 0; h < 40; h++) {
        unsigned n = rnd(st, 6);
        add(buf, cap, "  - id: h%02d\n    jurisdiction: %s\n", h, places[rnd(st, 3)]);
        if (n) add(buf, cap, "    awards:\n");
        for (unsigned k = 0; k < n; k++) {
            add(buf, cap, "      - { credential: C%u, issued: 202%u-0%u-1%u", 1 + rnd(st, 5),
                rnd(st, 6), 1 + rnd(st, 9), rnd(st, 10));
            if (!rnd(st, 5)) add(buf, cap, ", expires: 2027-0%u-01", 1 + rnd(st, 9));
            if (!rnd(st, 5)) add(buf, cap, ", jurisdiction: %s", places[rnd(st, 3)]);
            if (!rnd(st, 5)) add(buf, cap, ", hours: %u", 1 + rnd(st, 9));
            if (rnd(st, 2)) add(buf, cap, ", grade: %c", "ABC"[rnd(st, 3)]);
            if (!rnd(st, 6)) add(buf, cap, ", results: { score: %u }", rnd(st, 100));
            add(buf, cap, " }\n");
        }
    }
    /* the last holder: more awards than a view starts with room for, the
       last of them (the snapshot's last) with results */
    add(buf, cap, "  - id: h40\n    awards:\n");
    for (unsigned k = 0; k < 20; k++)
        add(buf, cap, "      - { credential: C%u, issued: 202%u-%02u-15%s }\n", 1 + k % 5, k / 12,
            1 + k % 12, k % 2 || k == 19 ? ", results: { score: 7 }" : "");
    add(buf, cap, "exceptions:\n");
    add(buf, cap, "  - { holder: h0%u, stack: C1, waive: L1, by: x, reason: y }\n", rnd(st, 10));
    add(buf, cap,
        "  - { holder: h1%u, stack: C2, substitute: { for: C3, use: C4 }, by: x, reason: y }\n",
        rnd(st, 10));
}

/* A change to facts only: one to three credentials redefined, perhaps the
 * group's memberships or a jurisdiction's name. */
static void change_text(char *buf, size_t cap, unsigned *st)
{
    buf[0] = '\0';
    add(buf, cap, "credentials:\n");
    for (unsigned k = 0, n = 1 + rnd(st, 3); k < n; k++)
        credential(buf, cap, st, (int)(1 + rnd(st, 5)), 0);
    if (rnd(st, 2)) group(buf, cap, st);
    if (!rnd(st, 3)) add(buf, cap, "jurisdictions:\n  - { id: US-B, name: Bee }\n");
}

static int import_text(cx_registry *r, const char *name, const char *text)
{
    cx_error err;
    const char *path = test_write_file(name, text);
    cx_error_clear(&err);
    int rc = cx_catalog_import(r, &path, 1, NULL, NULL, NULL, &err);
    if (rc) fprintf(stderr, "  %s:%d: %s\n", err.file, err.line, err.message);
    return rc;
}

static cx_snapshot *load(cx_registry *r)
{
    cx_snapshot *s = NULL;
    cx_error err;
    cx_error_clear(&err);
    CHECK_INT(cx__snapshot_load(r, &s, &err), CX_OK);
    return s;
}

/* The fields of award x of g (as a holder of g shows it) that differ
 * from those of y of a. */
static int award_differences(const cx_snapshot *g, const cx_snap_award *x, const cx_snapshot *a,
                             const cx_snap_award *y)
{
    uint32_t nx, ny;
    const cx_snap_result *rx = cx__snapshot_results(g, x, &nx),
                         *ry = cx__snapshot_results(a, y, &ny);
    int d = strcmp(x->id, y->id) != 0 || x->hours != y->hours || x->holder != y->holder ||
            x->credential != y->credential || x->issued != y->issued || x->expires != y->expires ||
            x->jurisdiction != y->jurisdiction || x->grade_rank != y->grade_rank ||
            x->status != y->status || x->flags != y->flags || nx != ny ||
            (x->grade == CX_NOSYM) != (y->grade == CX_NOSYM);
    if (x->grade != CX_NOSYM && y->grade != CX_NOSYM)
        d += strcmp(cx__snapshot_grade(g, x), cx__snapshot_grade(a, y)) != 0;
    for (uint32_t k = 0; k < nx && k < ny; k++)
        d += strcmp(rx[k].key, ry[k].key) != 0 || rx[k].value != ry[k].value;
    return d;
}

/* The differences between holder x of g and y of a: counts and awards. */
static int holder_differences(const cx_snapshot *g, const cx_snap_holder *x, const cx_snapshot *a,
                              const cx_snap_holder *y)
{
    int d = strcmp(x->id, y->id) != 0 || x->jurisdiction != y->jurisdiction ||
            x->nawards != y->nawards || x->nexceptions != y->nexceptions || x->nattrs != y->nattrs;
    for (uint32_t k = 0; k < x->nawards && k < y->nawards; k++)
        d += award_differences(g, &x->awards[k], a, &y->awards[k]);
    return d;
}

/* Every field a decision reads of holders (through cx__snapshot_holder,
 * as the audits read them), awards, results and exceptions, and every
 * look-up: the number of differences. *viewed (unless NULL) counts the
 * holders g showed through a copy of their awards. */
static int differences(const cx_snapshot *g, const cx_snapshot *a, int *viewed)
{
    int d = 0;
    cx_snap_view v = {0};
    for (int t = 0; t < CX_SNAP_NTABLES; t++) {
        d += g->count[t] != a->count[t];
        for (cx_sym sym = 0; sym < a->count[t] && sym < g->count[t]; sym++)
            d += cx__snapshot_find(g, t, cx__snapshot_id(a, t, sym)) != sym;
    }
    d += g->nresults != a->nresults || g->nexceptions != a->nexceptions || g->ngrades != a->ngrades;
    if (d) return d;
    for (cx_sym c = 0; c < a->count[CX_KIND_CREDENTIAL]; c++) {
        const cx_snap_credential *x = &g->credentials[c], *y = &a->credentials[c];
        d += x->hours != y->hours || x->jurisdiction != y->jurisdiction ||
             x->ngrades != y->ngrades || !x->valid_for != !y->valid_for;
    }
    for (cx_sym h = 0; h < a->count[CX_KIND_HOLDER] && !d; h++) {
        const cx_snap_holder *x = cx__snapshot_holder(g, h, &v), *y = &a->holders[h];
        if (!x) return d + 1;
        if (viewed) *viewed += x != &g->holders[h];
        d += holder_differences(g, x, a, y) +
             (g->holders[h].awards - g->awards != y->awards - a->awards);
        d += x != &g->holders[h] && cx__snapshot_holder(g, h, &v) != x; /* again: the same copy */
    }
    cx__snapshot_view_free(&v);
    for (uint32_t i = 0; i < a->count[CX_KIND_AWARD]; i++) {
        d += g->awards_by_id[i] != a->awards_by_id[i];
        if (!g->rederive) /* where they lie, the awards are the change's */
            d += award_differences(g, &g->awards[i], a, &a->awards[i]);
    }
    for (uint32_t i = 0; i < a->nexceptions; i++) {
        const cx_snap_exception *x = &g->exceptions[i], *y = &a->exceptions[i];
        d += x->holder != y->holder || x->stack != y->stack ||
             x->substitute_for != y->substitute_for || x->substitute_use != y->substitute_use;
    }
    return d;
}

/* One view over two deferred grafts at once, read in turn, holder by
 * holder: g (before, changed: after) and the change undone (after,
 * changed back: before); each must show its own awards, whatever the
 * other left in the view (its memo of expiries too). */
static int two_grafts_one_view(const cx_snapshot *g, const cx_snapshot *after,
                               const cx_snapshot *before)
{
    cx_snapshot *back = NULL;
    cx_snap_view v = {0};
    cx_error err;
    int d = 0;
    cx_error_clear(&err);
    if (cx__snapshot_graft_deferred(after, before, &back, &err) != CX_OK) return 1;
    for (cx_sym h = 0; h < before->count[CX_KIND_HOLDER]; h++) {
        const cx_snap_holder *x = cx__snapshot_holder(g, h, &v);
        d += !x || holder_differences(g, x, after, &after->holders[h]);
        const cx_snap_holder *y = cx__snapshot_holder(back, h, &v);
        d += !y || holder_differences(back, y, before, &before->holders[h]);
    }
    cx__snapshot_view_free(&v);
    cx__snapshot_free(back);
    return d;
}

TEST(graft_is_the_cold_load_after_the_change)
{
    static char reg[64 * 1024], ch[4096];
    int moved = 0, copied = 0, viewed = 0;
    for (unsigned seed = 1; seed <= SEEDS; seed++) {
        unsigned st = seed * 2654435761u;
        cx_registry *r = NULL;
        cx_snapshot *before = NULL, *after = NULL, *g = NULL;
        cx_error err;
        cx_error_clear(&err);
        registry_text(reg, sizeof reg, &st);
        change_text(ch, sizeof ch, &st);
        CHECK_INT(cx_registry_open(NULL, CX_OPEN_MEMORY | CX_OPEN_CREATE, &r, &err), CX_OK);
        if (!r || import_text(r, "graft-registry.yaml", reg)) goto next;
        before = load(r);
        if (!before || import_text(r, "graft-change.yaml", ch)) goto next;
        after = load(r);
        if (!after) goto next;
        CHECK_INT(cx__snapshot_graftable(before, after), 1);
        CHECK_INT(cx__snapshot_graft(before, after, &g, &err), CX_OK);
        if (!g) goto next;
        int d = differences(g, after, NULL);
        if (d) fprintf(stderr, "  seed %u: %d differences\n  change:\n%s", seed, d, ch);
        CHECK_INT(d, 0);
        for (uint32_t i = 0; i < after->count[CX_KIND_AWARD]; i++)
            moved += before->awards[i].expires != after->awards[i].expires ||
                     before->awards[i].hours != after->awards[i].hours ||
                     before->awards[i].grade_rank != after->awards[i].grade_rank;
        copied += g->awards != before->awards;
        /* deferred: the same, read through views of before's own awards
           and holders, which stay as they were */
        int copied_now = g->awards != before->awards;
        cx__snapshot_free(g);
        g = NULL;
        size_t bytes = before->count[CX_KIND_AWARD] * sizeof *before->awards;
        void *kept = malloc(bytes ? bytes : 1);
        if (!kept) goto next;
        memcpy(kept, before->awards, bytes);
        CHECK_INT(cx__snapshot_graft_deferred(before, after, &g, &err), CX_OK);
        if (g) {
            CHECK(g->awards == before->awards && g->holders == before->holders);
            CHECK((g->rederive != NULL) == copied_now);
            CHECK_INT(differences(g, after, &viewed), 0);
            CHECK(memcmp(kept, before->awards, bytes) == 0);
            CHECK_INT(two_grafts_one_view(g, after, before), 0);
        }
        free(kept);
    next:
        cx__snapshot_free(g);
        cx__snapshot_free(before);
        cx__snapshot_free(after);
        cx_registry_close(r);
    }
    CHECK(moved > 100); /* the changes moved many awards' defaults */
    CHECK(copied > SEEDS / 2);
    CHECK(viewed > 100); /* holders whose awards the deferred grafts derived again */
}

/* A change that moves no award's default (a name, a membership) shares
 * the awards and holders; one that adds a credential cannot be grafted. */
TEST(graft_shares_or_refuses)
{
    static char reg[64 * 1024];
    unsigned st = 7;
    cx_registry *r = NULL;
    cx_snapshot *before = NULL, *renamed = NULL, *added = NULL, *g = NULL;
    cx_error err;
    cx_error_clear(&err);
    registry_text(reg, sizeof reg, &st);
    CHECK_INT(cx_registry_open(NULL, CX_OPEN_MEMORY | CX_OPEN_CREATE, &r, &err), CX_OK);
    if (!r || import_text(r, "graft-share.yaml", reg)) goto done;
    before = load(r);
    if (!before || import_text(r, "graft-rename.yaml",
                               "jurisdictions:\n  - { id: US-C, name: Sea }\ngroups:\n  - id: G\n"
                               "    members: [ { jurisdiction: US-B, from: 2001-01-01 } ]\n"))
        goto done;
    renamed = load(r);
    CHECK_INT(cx__snapshot_graft(before, renamed, &g, &err), CX_OK);
    if (!g) goto done;
    CHECK(g->awards == before->awards && g->holders == before->holders);
    CHECK_STR(g->jurisdictions[2].name, "Sea");
    CHECK_INT(g->groups[0].nmemberships, 1);
    CHECK_INT(differences(g, renamed, NULL), 0);
    if (import_text(r, "graft-add.yaml",
                    "credentials:\n  - { id: C0, name: New, type: course, jurisdiction: US-A }\n"))
        goto done;
    added = load(r);
    cx__snapshot_free(g);
    g = NULL;
    CHECK_INT(cx__snapshot_graftable(before, added), 0);
    CHECK_INT(cx__snapshot_graft(before, added, &g, &err), CX_EINPUT);
    CHECK(g == NULL);
    CHECK_CONTAINS(err.message, "cannot graft");
done:
    cx__snapshot_free(g);
    cx__snapshot_free(before);
    cx__snapshot_free(renamed);
    cx__snapshot_free(added);
    cx_registry_close(r);
}

static const test_case cases[] = {
    {"graft_is_the_cold_load_after_the_change", graft_is_the_cold_load_after_the_change},
    {"graft_shares_or_refuses", graft_shares_or_refuses},
    {NULL, NULL}};

TEST_MAIN(cases)
