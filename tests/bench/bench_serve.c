/*
 * bench_serve.c -- the C API baseline of tests/bench/bench_serve.sh: the
 * same POST /v1/transfer or /v1/audit requests wrk sends (the same bodies,
 * tests/bench/bench_serve.lua's formulas) answered by cx_service_handle
 * in a loop on THREADS threads, without HTTP. Prints decisions per second
 * and the p50 and p99 latency of one call; with --print I, the body of the
 * answer to request I, to compare with what the server sends.
 *
 *   bench_serve DB PACK transfer|audit REQUESTS THREADS [--print I]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "credex.h"

#define HOLDERS 100000 /* gen_catalog --holders, as bench_serve.sh makes it */

static const char *const states[] = {"TX", "CA", "NV", "AZ", "CT"};

/* The body of request i of kind (bench_serve.lua's body()). */
static void body_of(int audit, long i, char *out, size_t size)
{
    if (audit) {
        snprintf(out, size,
                 "{\"holder\":\"h-%07ld\",\"stack\":\"GEN-CA-046\",\"as_of\":\"2026-06-01\"}",
                 (i * 7919) % HOLDERS + 1);
        return;
    }
    long c = i % 50, from = c % 5, to = (from + 1 + (i / 50) % 4) % 5;
    snprintf(
        out, size,
        "{\"credential\":\"GEN-%s-%03ld\",\"from\":\"US-%s\",\"to\":\"US-%s\",\"as_of\":\"2026-06-"
        "01\"}",
        states[from], c, states[from], states[to]);
}

typedef struct worker {
    cx_service *svc;
    int audit;
    long first, count;
    double *latency; /* count seconds, one per call */
    long failed;     /* answers other than 200 */
} worker;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int ask(cx_service *svc, const char *path, const char *body, cx_response *res)
{
    cx_request req = {.method = "POST",
                      .path = path,
                      .content_type = "application/json",
                      .body = body,
                      .body_len = strlen(body),
                      .today = "2026-06-01"};
    return cx_service_handle(svc, &req, res);
}

static void *run(void *arg)
{
    worker *w = arg;
    const char *path = w->audit ? "/v1/audit" : "/v1/transfer";
    for (long k = 0; k < w->count; k++) {
        char body[256];
        cx_response res;
        body_of(w->audit, w->first + k, body, sizeof body);
        double t0 = now();
        if (ask(w->svc, path, body, &res) != CX_OK || res.status != 200) w->failed++;
        w->latency[k] = now() - t0;
        cx_response_clear(&res);
    }
    return NULL;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 6 && !(argc == 8 && strcmp(argv[6], "--print") == 0)) {
        fprintf(stderr, "usage: %s DB PACK transfer|audit REQUESTS THREADS [--print I]\n", argv[0]);
        return 2;
    }
    int rc = 1, audit = strcmp(argv[3], "audit") == 0;
    long n = atol(argv[4]), nthreads = atol(argv[5]);
    const char *pack = argv[2];
    cx_service *svc = NULL;
    cx_error err;
    cx_service_options o = {.db = argv[1], .rules = &pack, .nrules = 1};
    worker *w = calloc((size_t)nthreads, sizeof *w);
    pthread_t *tid = calloc((size_t)nthreads, sizeof *tid);
    double *latency = calloc((size_t)(n * nthreads), sizeof *latency);
    cx_error_clear(&err);
    if (!w || !tid || !latency || n <= 0 || nthreads <= 0) goto done;
    if (cx_service_open(&o, &svc, NULL, &err) != CX_OK) {
        fprintf(stderr, "bench_serve: %s\n", err.message);
        goto done;
    }
    if (argc == 8) {
        char body[256];
        cx_response res;
        body_of(audit, atol(argv[7]), body, sizeof body);
        if (ask(svc, audit ? "/v1/audit" : "/v1/transfer", body, &res) != CX_OK) goto done;
        fwrite(res.body, 1, res.body_len, stdout);
        cx_response_clear(&res);
        rc = 0;
        goto done;
    }
    double t0 = now();
    for (long t = 0; t < nthreads; t++) {
        w[t] = (worker){svc, audit, t * n, n, latency + t * n, 0};
        if (pthread_create(&tid[t], NULL, run, &w[t]) != 0) goto done;
    }
    long failed = 0;
    for (long t = 0; t < nthreads; t++) {
        pthread_join(tid[t], NULL);
        failed += w[t].failed;
    }
    double secs = now() - t0;
    qsort(latency, (size_t)(n * nthreads), sizeof *latency, by_value);
    printf("C API    %-8s cx_service_handle, %ld threads: %9.0f requests/s  p50 %7.3f ms  p99 "
           "%7.3f ms  (%ld requests, %ld not 200)\n",
           argv[3], nthreads, (double)(n * nthreads) / secs, latency[n * nthreads / 2] * 1e3,
           latency[n * nthreads * 99 / 100] * 1e3, n * nthreads, failed);
    rc = failed ? 1 : 0;
done:
    cx_service_free(svc);
    free(latency);
    free(tid);
    free(w);
    return rc;
}
