/*
 * test_snapshot_load.c -- the cold load (issue 16, docs/registry.md "Load
 * costs"): over a generated registry large enough to read its awards in
 * parallel parts, every holder's awards in the snapshot equal what the
 * entity reader (cx_registry_holder, its own SQL) returns, with defaults
 * worked out here; and the snapshot is the same for 1, 2 and 4 parts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "credex.h"
#include "date.h"
#include "snapshot.h"
#include "test.h"

#define HOLDERS 21000 /* more than snapshot.c's PARALLEL_MIN: parts on threads */

/* Credentials: valid_for (NULL: never expires) and hours (NULL: none). */
static const struct {
    const char *id, *valid_for, *hours;
} creds[] = {
    {"C0", "P1Y", "10"}, {"C1", "P18M", NULL}, {"C2", "P2W", "7.5"},
    {"C3", NULL, "40"},  {"C4", "P4Y", "120"}, {"C5", "P1Y6M10D", NULL},
};
#define NCREDS (int)(sizeof creds / sizeof *creds)

static char dir[512];

/* The days of month m of year y. */
static int month_days(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* The catalog: holders h-00000.. with 1 to 4 awards each, on days from
 * 1950 to 2049 (so that default expiries of one credential and of
 * different credentials meet on every memo slot), some on the last day of
 * a month of 29 to 31 days (so that valid_for lands on a shorter month
 * and the day is clamped, once or twice: P1Y6M10D), some with stored
 * expires, hours, jurisdictions, grades, statuses, and, unless
 * default_ids, ids that sort far from their holder's (so that awards do not
 * come in holder order). With default_ids every award's id starts with its
 * holder's, so each part of a parallel load holds only the awards of its
 * own holders and lays them out on its own thread (snapshot.c,
 * layout_awards); otherwise one job lays out all parts. */
static void write_catalog(const char *path, int default_ids)
{
    FILE *f = fopen(path, "w");
    if (!f) return;
    fputs("version: 1\njurisdictions:\n  - { id: US-OH, name: Ohio }\n"
          "  - { id: US-TX, name: Texas }\ncredentials:\n",
          f);
    for (int c = 0; c < NCREDS; c++) {
        fprintf(f, "  - { id: %s, name: M%d, type: course, jurisdiction: US-OH", creds[c].id, c);
        if (creds[c].valid_for) fprintf(f, ", valid_for: %s", creds[c].valid_for);
        if (creds[c].hours) fprintf(f, ", hours: %s", creds[c].hours);
        fputs(c == 2 ? ", grade_scale: [C, B, A] }\n" : " }\n", f);
    }
    fputs("holders:\n", f);
    unsigned seed = 16;
    for (int h = 0; h < HOLDERS; h++) {
        fprintf(f, "  - id: h-%05d\n    awards:\n", h);
        int n = 1 + (int)(seed % 4);
        for (int k = 0; k < n; k++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = seed >> 8;
            int c = (int)(r % NCREDS), y = 1950 + (int)(r / 7 % 100), m = 1 + (int)(r / 701 % 12);
            int d = default_ids ? 1 + 7 * k + (int)(r / 9001 % 7) /* distinct default ids */
                                : 1 + (int)(r / 9001 % 28);
            if (r % 7 == 0 && month_days(y, m) > 28) d = month_days(y, m); /* clamped expiries */
            fprintf(f, "      - { credential: %s, issued: %04d-%02d-%02d", creds[c].id, y, m, d);
            if (k && !default_ids) fprintf(f, ", id: %c-%05d-%d", r % 3 ? 'a' : 'z', h, k);
            if (r % 11 == 0) fprintf(f, ", expires: %04d-12-31", y + 2);
            if (r % 13 == 0) fprintf(f, ", hours: %d", (int)(r % 50));
            if (r % 17 == 0) fputs(", jurisdiction: US-TX", f);
            if (c == 2 && r / 5 % 2) fputs(r / 5 % 4 == 1 ? ", grade: A" : ", grade: B", f);
            if (c == 3 && r / 5 % 2) fputs(", grade: pass", f); /* no scale */
            if (r % 19 == 0) fputs(", status: revoked", f);
            fputs(" }\n", f);
        }
    }
    fclose(f);
}

static cx_registry *open_registry(const char *path)
{
    cx_registry *r = NULL;
    cx_error err;
    cx_open_options opt = {0};
    opt.no_cache = 1; /* every load from SQLite */
    cx_error_clear(&err);
    CHECK_INT(cx_registry_open_with(path, CX_OPEN_CREATE, &opt, &r, &err), CX_OK);
    return r;
}

static cx_snapshot *load(cx_registry *r, int threads)
{
    cx_snapshot *s = NULL;
    cx_error err;
    cx_error_clear(&err);
    CHECK_INT(cx__snapshot_load_threads(r, threads, &s, &err), CX_OK);
    if (err.code) fprintf(stderr, "  %s\n", err.message);
    return s;
}

static cx_date day(const char *text)
{
    cx_date d = 0;
    const char *why;
    CHECK_INT(cx__date_parse(text, &d, &why), 0);
    return d;
}

/* The default expiry of an award of credential c issued on issued. */
static cx_date default_expiry(int c, cx_date issued)
{
    cx_duration dur;
    const char *why;
    if (!creds[c].valid_for) return CX_DATE_NEVER;
    CHECK_INT(cx__duration_parse(creds[c].valid_for, &dur, &why), 0);
    return cx__expiry_default(issued, &dur);
}

static int cred_index(const char *id)
{
    for (int c = 0; c < NCREDS; c++)
        if (strcmp(creds[c].id, id) == 0) return c;
    return -1;
}

/* Award a of the snapshot against w, the entity reader's. */
static void same_award(const cx_snapshot *s, const cx_snap_award *a, const cx_award *w)
{
    int c = cred_index(w->credential);
    CHECK_STR(a->id, w->id);
    CHECK_STR(s->credentials[a->credential].id, w->credential);
    CHECK_INT(a->issued, day(w->issued));
    CHECK_INT(a->expires, w->expires ? day(w->expires) : default_expiry(c, a->issued));
    CHECK_INT(!!(a->flags & CX_AWARD_EXPIRES_STORED), w->expires != NULL);
    CHECK_INT(a->hours, w->hours);
    CHECK_STR(s->jurisdictions[a->jurisdiction].id, w->jurisdiction);
    CHECK_INT(a->status, strcmp(w->status, "revoked") == 0 ? CX_AWARD_REVOKED : CX_AWARD_ACTIVE);
    if (w->grade) CHECK_STR(cx__snapshot_grade(s, a), w->grade);
    if (!w->grade) CHECK(cx__snapshot_grade(s, a) == NULL);
    CHECK_INT(a->grade_rank, !w->grade                    ? -1
                             : strcmp(w->grade, "A") == 0 ? 2
                             : strcmp(w->grade, "B") == 0 ? 1
                                                          : -1);
    CHECK_INT(cx__snapshot_find(s, CX_KIND_AWARD, w->id), a - s->awards);
}

/* Every holder of s against the entity reader; the count of awards seen. */
static size_t check_holders(cx_registry *r, const cx_snapshot *s)
{
    size_t seen = 0;
    cx_error err;
    CHECK_INT(cx__snapshot_count(s, CX_KIND_HOLDER), HOLDERS);
    for (cx_sym h = 0; h < cx__snapshot_count(s, CX_KIND_HOLDER); h++) {
        const cx_snap_holder *sh = &s->holders[h];
        cx_holder *w = NULL;
        cx_error_clear(&err);
        CHECK_INT(cx_registry_holder(r, sh->id, &w, &err), CX_OK);
        if (!w) return seen;
        CHECK_INT(sh->nawards, w->nawards);
        for (uint32_t k = 0; k < sh->nawards && k < w->nawards; k++) {
            CHECK_INT(sh->awards[k].holder, h);
            same_award(s, &sh->awards[k], &w->awards[k]);
        }
        seen += sh->nawards;
        cx_holder_free(w);
    }
    return seen;
}

/* Two loads of one registry: the same award array, order and ids. */
static void same_snapshot(const cx_snapshot *a, const cx_snapshot *b)
{
    uint32_t n = a->count[CX_KIND_AWARD];
    CHECK_INT(b->count[CX_KIND_AWARD], n);
    CHECK_INT(b->ngrades, a->ngrades);
    for (uint32_t k = 0; k < n && k < b->count[CX_KIND_AWARD]; k++) {
        cx_snap_award x = a->awards[k], y = b->awards[k];
        CHECK_STR(x.id, y.id);
        x.id = y.id = NULL;
        if (memcmp(&x, &y, sizeof x) != 0) {
            CHECK(!"awards differ");
            fprintf(stderr, "  at award %u (%s)\n", k, a->awards[k].id);
            return;
        }
        CHECK_INT(a->awards_by_id[k], b->awards_by_id[k]);
    }
    for (uint32_t g = 0; g < a->ngrades && g < b->ngrades; g++)
        CHECK_STR(a->grades[g], b->grades[g]);
}

/* Imports a generated catalog (write_catalog) into a new registry in dir,
 * loads it with 1, 2 and 4 parts and checks every load. */
static void check_generated(int default_ids)
{
    char db[600], yaml[600];
    cx_error err;
    snprintf(db, sizeof db, "%s/r.db", dir);
    snprintf(yaml, sizeof yaml, "%s/catalog.yaml", dir);
    write_catalog(yaml, default_ids);
    cx_registry *r = open_registry(db);
    if (!r) return;
    const char *path = yaml;
    cx_error_clear(&err);
    CHECK_INT(cx_catalog_import(r, &path, 1, NULL, NULL, NULL, &err), CX_OK);
    if (err.code) fprintf(stderr, "  %s:%d: %s\n", err.file, err.line, err.message);
    cx_snapshot *one = load(r, 1), *two = load(r, 2), *four = load(r, 4);
    if (one && two && four) {
        CHECK(one->count[CX_KIND_AWARD] > 2 * HOLDERS);
        CHECK_INT(check_holders(r, one), one->count[CX_KIND_AWARD]);
        CHECK_INT(check_holders(r, four), one->count[CX_KIND_AWARD]);
        CHECK_INT(one->ngrades, 3); /* A, B and pass */
        same_snapshot(one, two);
        same_snapshot(one, four);
    }
    cx__snapshot_free(one);
    cx__snapshot_free(two);
    cx__snapshot_free(four);
    cx_registry_close(r);
    unlink(yaml);
    unlink(db);
    snprintf(db, sizeof db, "%s/r.db-wal", dir);
    unlink(db);
    snprintf(db, sizeof db, "%s/r.db-shm", dir);
    unlink(db);
}

TEST(generated_registry_loads_as_the_entity_reader_reads_it)
{
    check_generated(0);
}

/* Every award id its holder's default: the parts lay out their own
 * awards, in parallel, and the result is the same. */
TEST(default_ids_load_as_the_entity_reader_reads_them)
{
    check_generated(1);
}

int main(void)
{
    static const test_case cases[] = {
        {"generated_registry_loads_as_the_entity_reader_reads_it",
         generated_registry_loads_as_the_entity_reader_reads_it},
        {"default_ids_load_as_the_entity_reader_reads_them",
         default_ids_load_as_the_entity_reader_reads_them},
        {NULL, NULL},
    };
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/credex-snapload-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) return 1;
    int rc = test_run_(cases);
    rmdir(dir);
    return rc;
}
