/*
 * bench_snapshot.c -- what loading the in-memory snapshot costs, against
 * baselines measured in the same run on the same registry: SQLite's
 * `SELECT count(*) FROM award`, and a bare walk of every bulk read the
 * snapshot makes (cx__registry_scan with a callback that builds nothing).
 * Prints load times (one thread, and the default of up to a thread per
 * core), the bytes the snapshot holds, the process's peak RSS growth and
 * the award tables' size on disk (dbstat); then the same load from the
 * snapshot cache (docs/registry.md), which the SQLite loads bypass
 * (no_cache). Includes sqlite3.h for the baselines only. Not a ctest:
 * prints, never fails on a time.
 *
 *   bench_snapshot REGISTRY.db [repeats]
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "registry.h"
#include "snapshot.h"

static volatile uint64_t sink; /* keeps results alive */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void fail(const char *what, const cx_error *err)
{
    fprintf(stderr, "bench_snapshot: %s: %s\n", what, err->message);
    exit(1);
}

/* Runs a one-integer query on a separate plain connection. */
static int64_t plain_query(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else
        fprintf(stderr, "bench_snapshot: %s: %s\n", sql, db ? sqlite3_errmsg(db) : "no memory");
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static int count_row(void *ud, const cx_col *cols, size_t n)
{
    uint64_t *rows = ud;
    (*rows)++;
    for (size_t i = 0; i < n; i++) sink += cols[i].len;
    return 0;
}

/* Walks every bulk read as the snapshot does (same kind of connection,
 * one read transaction), building nothing; returns the rows seen. */
static uint64_t bare_scan(cx_registry *registry)
{
    uint64_t rows = 0;
    cx_registry *r = NULL;
    cx_error err;
    int began = 0;
    if (cx__registry_reader_open(registry, &r, &err) || cx__registry_read_begin(r, &began, &err))
        fail("begin", &err);
    for (int w = 0; w < CX_SCAN_COUNT; w++)
        if (cx__registry_scan(r, (cx_scan)w, count_row, &rows, &err)) fail("scan", &err);
    cx__registry_read_end(r, began);
    cx__registry_reader_close(registry, r);
    return rows;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of n timings (sorts them: t[0] is then the fastest). */
static double median(double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    enum { MAX_REPEATS = 50 };
    double t_load[MAX_REPEATS], t_load1[MAX_REPEATS], t_scan[MAX_REPEATS], t_count[MAX_REPEATS];
    double t_cached[MAX_REPEATS];
    cx_open_options no_cache = {.no_cache = 1};
    int repeats = argc > 2 ? atoi(argv[2]) : 5;
    cx_registry *r = NULL;
    cx_snapshot *s = NULL;
    cx_error err;
    if (argc < 2) {
        fprintf(stderr, "usage: bench_snapshot REGISTRY.db [repeats]\n");
        return 2;
    }
    if (repeats < 1 || repeats > MAX_REPEATS) repeats = 5;
    if (cx_registry_open_with(argv[1], CX_OPEN_READONLY, &no_cache, &r, &err)) fail("open", &err);

    long rss0 = peak_rss_kib();
    double t0 = now_s();
    if (cx__snapshot_load(r, &s, &err)) fail("load", &err);
    double first = now_s() - t0;
    long rss1 = peak_rss_kib();
    size_t bytes = s->bytes;
    uint32_t nawards = s->count[CX_KIND_AWARD], nholders = s->count[CX_KIND_HOLDER];
    cx__snapshot_free(s);

    uint64_t rows = 0;
    for (int i = 0; i < repeats; i++) {
        t0 = now_s();
        sink += (uint64_t)plain_query(argv[1], "SELECT count(*) FROM award");
        t_count[i] = now_s() - t0;
        t0 = now_s();
        rows = bare_scan(r);
        t_scan[i] = now_s() - t0;
        t0 = now_s();
        if (cx__snapshot_load(r, &s, &err)) fail("load", &err);
        t_load[i] = now_s() - t0;
        cx__snapshot_free(s);
        t0 = now_s();
        if (cx__snapshot_load_threads(r, 1, &s, &err)) fail("load", &err);
        t_load1[i] = now_s() - t0;
        cx__snapshot_free(s);
    }
    int64_t award_tables =
        plain_query(argv[1], "SELECT sum(pgsize) FROM dbstat"
                             " WHERE name IN ('award', 'award_holder', 'award_result')");
    double load = median(t_load, repeats), scan = median(t_scan, repeats);
    double load1 = median(t_load1, repeats);
    cx_registry *rc = NULL; /* the same registry, with the cache: one load writes it */
    if (cx_registry_open(argv[1], CX_OPEN_READONLY, &rc, &err)) fail("open", &err);
    char *cache = cx__snapshot_cache_path(argv[1]);
    if (cache) unlink(cache); /* so that the next load writes it */
    free(cache);
    t0 = now_s();
    if (cx__snapshot_load(rc, &s, &err)) fail("load", &err);
    double written = now_s() - t0;
    cx__snapshot_free(s);
    int from_cache = 1;
    for (int i = 0; i < repeats; i++) {
        t0 = now_s();
        if (cx__snapshot_load(rc, &s, &err)) fail("load", &err);
        t_cached[i] = now_s() - t0;
        from_cache &= s->from_cache;
        cx__snapshot_free(s);
    }
    cx_registry_close(rc);
    double cached = median(t_cached, repeats);
    double count = median(t_count, repeats);

    printf("registry: %u holders, %u awards, %llu rows in all bulk reads\n", nholders, nawards,
           (unsigned long long)rows);
    printf("times: median (fastest) of %d runs; first load %.1f ms\n", repeats, first * 1e3);
    printf("baseline SELECT count(*) FROM award: %7.1f ms (%7.1f)\n", count * 1e3,
           t_count[0] * 1e3);
    printf("baseline bare scan of every read:    %7.1f ms (%7.1f)\n", scan * 1e3, t_scan[0] * 1e3);
    printf("snapshot load, one thread:           %7.1f ms (%7.1f)  %.2fx the bare scan\n",
           load1 * 1e3, t_load1[0] * 1e3, load1 / scan);
    printf("snapshot load, a thread per core:    %7.1f ms (%7.1f)  %.2fx the bare scan\n",
           load * 1e3, t_load[0] * 1e3, load / scan);
    printf("snapshot load that writes the cache: %7.1f ms\n", written * 1e3);
    printf("snapshot load from the cache:        %7.1f ms (%7.1f)  %.2fx a thread per core%s\n",
           cached * 1e3, t_cached[0] * 1e3, cached / load,
           from_cache ? "" : " (NOT from the cache)");
    printf("snapshot bytes: %zu (%.1f MiB), %.1f bytes an award all told\n", bytes,
           (double)bytes / 1048576.0, nawards ? (double)bytes / nawards : 0.0);
    printf("peak RSS growth during the first load: %.1f MiB\n", (double)(rss1 - rss0) / 1024.0);
    if (award_tables > 0)
        printf("award tables in SQLite (dbstat): %.1f MiB; snapshot bytes are %.2fx, peak RSS "
               "growth %.2fx\n",
               (double)award_tables / 1048576.0, (double)bytes / (double)award_tables,
               (double)(rss1 - rss0) * 1024.0 / (double)award_tables);
    cx_registry_close(r);
    return 0;
}
