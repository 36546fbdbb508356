/*
 * bench_decide.c -- equivalence and transfer decisions through the C API
 * (cx_equiv, cx_transfer) on a generated registry, against a hand-written
 * C loop deciding the same rules on the same in-memory data, measured in
 * the same run. Run by bench_decide.sh, which makes the registry and pack.
 *
 *   bench_decide REGISTRY PACK [DECISIONS]
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

/* The baseline: the coverage rule written by hand over the snapshot's
 * sorted competency arrays (covered * 100 >= 80 * total). */
static int baseline_equiv(const cx_snapshot *s, cx_sym a, cx_sym b)
{
    const cx_snap_credential *ca = &s->credentials[a], *cb = &s->credentials[b];
    uint32_t i = 0, covered = 0;
    if (a == b) return 1;
    for (uint32_t k = 0; k < cb->ncompetencies; k++) {
        while (i < ca->ncompetencies && ca->competencies[i] < cb->competencies[k]) i++;
        covered += i < ca->ncompetencies && ca->competencies[i] == cb->competencies[k];
    }
    return cb->ncompetencies && covered * 100 >= 80 * cb->ncompetencies;
}

/* The baseline for portability: a member-of-group check on both sides. */
static int baseline_transfer(const cx_snapshot *s, cx_sym g, cx_sym from, cx_sym to, cx_date on)
{
    return from == to ||
           (cx__snapshot_member(s, g, from, on, NULL) && cx__snapshot_member(s, g, to, on, NULL));
}

int main(int argc, char **argv)
{
    cx_registry *r;
    cx_rules *rules;
    cx_error err;
    if (argc < 3) {
        fprintf(stderr, "usage: bench_decide REGISTRY PACK [DECISIONS]\n");
        return 2;
    }
    long total = argc > 3 ? atol(argv[3]) : 1000000;
    const char *pack = argv[2];
    if (cx_registry_open(argv[1], CX_OPEN_READONLY, &r, &err) ||
        cx_rules_load(r, &pack, 1, &rules, NULL, &err)) {
        fprintf(stderr, "bench_decide: %s\n", err.message);
        return 1;
    }
    const cx_snapshot *s = cx__rules_snapshot(rules);
    uint32_t nc = cx__snapshot_count(s, CX_KIND_CREDENTIAL);
    uint32_t nj = cx__snapshot_count(s, CX_KIND_JURISDICTION);
    cx_sym group = cx__snapshot_find(s, CX_KIND_GROUP, "EVC");
    cx_date on;
    const char *why;
    cx__date_parse("2026-06-01", &on, &why);

    long decided = 0, agree = 0, base_hits = 0;
    double t0 = now();
    for (long i = 0; i < total; i++) {
        cx_sym a = (cx_sym)(i % nc), b = (cx_sym)((i / nc) % nc);
        base_hits += baseline_equiv(s, a, b);
    }
    double t1 = now();
    for (long i = 0; i < total; i++) {
        cx_sym a = (cx_sym)(i % nc), b = (cx_sym)((i / nc) % nc);
        cx_decision *d;
        if (cx_equiv(rules, s->credentials[a].id, s->credentials[b].id, NULL, "2026-06-01", &d,
                     &err)) {
            fprintf(stderr, "bench_decide: %s\n", err.message);
            return 1;
        }
        agree += (d->status == CX_EQUIVALENT) == baseline_equiv(s, a, b);
        decided++;
        cx_decision_free(d);
    }
    double t2 = now();
    long tbase = 0;
    for (long i = 0; i < total; i++)
        tbase += baseline_transfer(s, group, (cx_sym)(i % nj), (cx_sym)((i / nj) % nj), on);
    double t3 = now();
    long accepted = 0;
    for (long i = 0; i < total; i++) {
        cx_sym c = (cx_sym)(i % nc), from = (cx_sym)((i / nc) % nj),
               to = (cx_sym)((i / nc / nj) % nj);
        cx_decision *d;
        if (cx_transfer(rules, s->credentials[c].id, s->jurisdictions[from].id,
                        s->jurisdictions[to].id, "2026-06-01", &d, &err)) {
            fprintf(stderr, "bench_decide: %s\n", err.message);
            return 1;
        }
        accepted += d->status == CX_ACCEPTED;
        cx_decision_free(d);
    }
    double t4 = now();
    printf("registry: %u credentials, %u jurisdictions; %ld decisions of each kind\n", nc, nj,
           total);
    printf("equiv    baseline C loop: %12.0f decisions/s\n", total / (t1 - t0));
    printf("equiv    cx_equiv:        %12.0f decisions/s  (%.1fx the baseline's time; agrees "
           "on %ld of %ld)\n",
           decided / (t2 - t1), (t2 - t1) / (t1 - t0), agree, decided);
    printf("transfer baseline C loop: %12.0f decisions/s\n", total / (t3 - t2));
    printf("transfer cx_transfer:     %12.0f decisions/s  (%.1fx the baseline's time; %ld "
           "accepted)\n",
           total / (t4 - t3), (t4 - t3) / (t3 - t2), accepted);
    printf("target: 500000 decisions/s on one core: equiv %s, transfer %s\n",
           decided / (t2 - t1) >= 500000 ? "met" : "NOT met",
           total / (t4 - t3) >= 500000 ? "met" : "NOT met");
    printf("(baselines: %ld equivalent, %ld accepted)\n", base_hits, tbase);
    cx_rules_free(rules);
    cx_registry_close(r);
    return 0;
}
