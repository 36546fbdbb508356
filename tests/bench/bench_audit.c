/*
 * bench_audit.c -- the evaluation phase of `credex audit --all` against a
 * hand-written C loop deciding the same stack on the same in-memory
 * snapshot, in the same run (docs/design.md §10). The stack (bench_audit.sh):
 * C1 and C2, two of C3-C6, 120 hours from C1-C6, window recent P5Y.
 * The evaluation is timed status only (render NULL: the question the loop
 * answers), then with full decisions (rendered), so the cost of details
 * stays visible.
 *
 *   bench_audit REGISTRY PACK
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compile.h"
#include "credex.h"
#include "snapshot.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The baseline: the same rule, by hand, over the snapshot's arrays. */
static cx_status baseline(const cx_snapshot *s, const cx_snap_holder *h, const cx_sym c[8],
                          cx_date on, cx_date since)
{
    int has[8] = {0}, any = 0;
    int64_t hours = 0;
    for (uint32_t i = 0; i < h->nawards; i++) {
        const cx_snap_award *a = &h->awards[i];
        if (a->status != CX_AWARD_ACTIVE || a->issued > on || a->expires < on || a->issued < since)
            continue;
        for (int k = 0; k < 6; k++)
            if (a->credential == c[k]) {
                has[k] = 1;
                any = 1;
                if (a->hours != CX_NO_NUMBER) hours += a->hours;
            }
    }
    (void)s;
    int electives = has[2] + has[3] + has[4] + has[5];
    if (has[0] && has[1] && electives >= 2 && hours >= 12000) return CX_MET;
    return any ? CX_IN_PROGRESS : CX_NOT_STARTED;
}

typedef struct tally {
    long met, in_progress, not_started;
} tally;

static int render_status(void *ud, const cx_decision *d, cx_write_fn write, void *wud)
{
    char s = (char)('0' + d->status);
    (void)ud;
    return write(&s, 1, wud);
}

static int count(void *ud, const char *text, cx_status status)
{
    tally *t = ud;
    (void)text;
    t->met += status == CX_MET;
    t->in_progress += status == CX_IN_PROGRESS;
    t->not_started += status == CX_NOT_STARTED;
    return CX_OK;
}

static int same(const tally *a, const tally *b)
{
    return a->met == b->met && a->in_progress == b->in_progress && a->not_started == b->not_started;
}

int main(int argc, char **argv)
{
    cx_registry *r;
    cx_rules *rules;
    cx_error err;
    if (argc < 3) {
        fprintf(stderr, "usage: bench_audit REGISTRY PACK\n");
        return 2;
    }
    const char *pack = argv[2];
    if (cx_registry_open(argv[1], CX_OPEN_READONLY, &r, &err) ||
        cx_rules_load(r, &pack, 1, &rules, NULL, &err)) {
        fprintf(stderr, "bench_audit: %s\n", err.message);
        return 1;
    }
    const cx_snapshot *s = cx__rules_snapshot(rules);
    cx_sym c[8];
    char id[4];
    for (int k = 0; k < 8; k++) {
        snprintf(id, sizeof id, "C%d", k + 1);
        c[k] = cx__snapshot_find(s, CX_KIND_CREDENTIAL, id);
    }
    cx_date on, since;
    const char *why;
    cx_duration five = {5, 0, 0, 0};
    cx__date_parse("2026-06-01", &on, &why);
    since = cx__date_sub(on, &five);
    uint32_t nh = cx__snapshot_count(s, CX_KIND_HOLDER);

    tally base = {0, 0, 0}, engine = {0, 0, 0}, full = {0, 0, 0};
    double t0 = now();
    for (int rep = 0; rep < 5; rep++)
        for (uint32_t h = 0; h < nh; h++) {
            cx_status st = baseline(s, &s->holders[h], c, on, since);
            if (rep) continue;
            base.met += st == CX_MET;
            base.in_progress += st == CX_IN_PROGRESS;
            base.not_started += st == CX_NOT_STARTED;
        }
    double t1 = now();
    if (cx_audit_all(rules, NULL, "2026-06-01", 1, NULL, count, &engine, NULL, NULL, &err)) {
        fprintf(stderr, "bench_audit: %s\n", err.message);
        return 1;
    }
    double t2 = now();
    if (cx_audit_all(rules, NULL, "2026-06-01", 1, render_status, count, &full, NULL, NULL, &err)) {
        fprintf(stderr, "bench_audit: %s\n", err.message);
        return 1;
    }
    double t3 = now();
    double base_rate = 5.0 * nh / (t1 - t0), rate = nh / (t2 - t1), full_rate = nh / (t3 - t2);
    printf("holders: %u\n", nh);
    printf("baseline C loop (1 core):      %12.0f holders/s  met %ld, in_progress %ld, "
           "not_started %ld\n",
           base_rate, base.met, base.in_progress, base.not_started);
    printf("credex statuses (1 worker):    %12.0f holders/s  met %ld, in_progress %ld, "
           "not_started %ld\n",
           rate, engine.met, engine.in_progress, engine.not_started);
    printf("credex full decisions (1 wkr): %12.0f holders/s  met %ld, in_progress %ld, "
           "not_started %ld\n",
           full_rate, full.met, full.in_progress, full.not_started);
    printf("ratio: credex statuses do %.3f of the C loop's throughput per worker (target 0.2): "
           "%s\n",
           rate / base_rate, rate / base_rate >= 0.2 ? "met" : "NOT met");
    printf("full decisions: %.3f of the C loop's throughput (%.0f ns a holder)\n",
           full_rate / base_rate, 1e9 / full_rate);
    printf("agreement: %s\n",
           same(&base, &engine) && same(&base, &full) ? "same counts" : "COUNTS DIFFER");
    cx_rules_free(rules);
    cx_registry_close(r);
    return 0;
}
