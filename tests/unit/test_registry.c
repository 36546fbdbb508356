/*
 * test_registry.c -- the SQLite registry: schema, opening modes, imports of
 * hand-built catalog models, re-import semantics, rollback, reads, look-ups.
 * Builds models directly (no YAML): catalog.c has its own tests.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "credex.h"
#include "registry.h"
#include "test.h"
#include "util.h"

/* ------------------------------------------------------ model building */

#define CAP 16 /* room for each kind in a hand-built model */

static cx_catalog *cat_new(void)
{
    cx_catalog *c = calloc(1, sizeof *c);
    cx__arena_init(&c->arena);
    return c;
}

static void cat_free(cx_catalog *c)
{
    if (!c) return;
    cx__arena_free(&c->arena);
    free(c);
}

/* Appends a zeroed element to a model array (capacity CAP, in the arena). */
#define PUSH(c, arr)                                                                               \
    ((arr).v ? 0                                                                                   \
             : ((arr).v = cx__arena_alloc(&(c)->arena, CAP * sizeof *(arr).v), (arr).cap = CAP),   \
     memset(&(arr).v[(arr).n], 0, sizeof *(arr).v), &(arr).v[(arr).n++])

static const cx_loc LOC = {"test.yaml", 7, 3};

/* A list of n strings in the arena. */
static const char **strs(cx_catalog *c, size_t n, ...)
{
    const char **v = cx__arena_alloc(&c->arena, (n ? n : 1) * sizeof *v);
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) v[i] = va_arg(ap, const char *);
    va_end(ap);
    return v;
}

/* n key/value pairs in the arena: kvs(c, 2, "k1", "v1", "k2", "v2"). */
static cx_cat_kv *kvs(cx_catalog *c, size_t n, ...)
{
    cx_cat_kv *v = cx__arena_alloc(&c->arena, (n ? n : 1) * sizeof *v);
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        v[i].key = va_arg(ap, const char *);
        v[i].value = va_arg(ap, const char *);
    }
    va_end(ap);
    return v;
}

static void add_jurisdiction(cx_catalog *c, const char *id, const char *name, const char *kind)
{
    cx_cat_jurisdiction *j = PUSH(c, c->jurisdictions);
    j->id = id;
    j->name = name;
    j->kind = kind;
    j->loc = LOC;
}

static cx_cat_credential *add_credential(cx_catalog *c, const char *id, const char *jurisdiction)
{
    cx_cat_credential *k = PUSH(c, c->credentials);
    k->id = id;
    k->name = "Some credential";
    k->type = "micro-credential";
    k->jurisdiction = jurisdiction;
    k->hours = CX_NO_NUMBER;
    k->loc = LOC;
    return k;
}

static cx_cat_holder *add_holder(cx_catalog *c, const char *id, const char *jurisdiction,
                                 size_t nawards)
{
    cx_cat_holder *h = PUSH(c, c->holders);
    h->id = id;
    h->jurisdiction = jurisdiction;
    h->awards = cx__arena_alloc(&c->arena, (nawards ? nawards : 1) * sizeof *h->awards);
    memset(h->awards, 0, (nawards ? nawards : 1) * sizeof *h->awards);
    h->loc = LOC;
    return h;
}

static cx_cat_award *add_award(cx_catalog *c, cx_cat_holder *h, const char *id,
                               const char *credential, const char *issued)
{
    cx_cat_award *a = &h->awards[h->nawards++];
    a->id = id;
    a->credential = credential;
    a->issued = issued;
    a->status = "active";
    a->hours = CX_NO_NUMBER;
    a->loc = LOC;
    c->nawards++;
    return a;
}

/* The base model: two jurisdictions, a group, a provider, a framework with
 * two competencies, two credentials, two holders with awards, exceptions. */
static cx_catalog *base_model(void)
{
    cx_catalog *c = cat_new();
    add_jurisdiction(c, "US-TX", "Texas", NULL);
    add_jurisdiction(c, "US-CA", "California", "state");
    add_jurisdiction(c, "US-NV", "Nevada", NULL);

    cx_cat_group *g = PUSH(c, c->groups);
    g->id = "EVC";
    g->name = "EV Service Compact";
    g->members = cx__arena_alloc(&c->arena, 3 * sizeof *g->members);
    g->members[0] = (cx_cat_membership){"US-TX", "2024-01-01", NULL, NULL, LOC};
    g->members[1] = (cx_cat_membership){"US-NV", "2025-01-01", NULL, "partial", LOC};
    g->members[2] = (cx_cat_membership){"US-CA", "2025-07-01", "2030-06-30", NULL, LOC};
    g->nmembers = 3;
    g->loc = LOC;

    cx_cat_provider *p = PUSH(c, c->providers);
    *p = (cx_cat_provider){"austin-cc", "Austin Community College", "US-TX", LOC};
    cx_cat_framework *f = PUSH(c, c->frameworks);
    *f = (cx_cat_framework){"ev", "EV Service Competencies", LOC};
    cx_cat_competency *k = PUSH(c, c->competencies);
    *k = (cx_cat_competency){"ev.lockout", "ev", "Perform lockout/tagout", "ev.hv-safety", LOC};
    k = PUSH(c, c->competencies);
    *k = (cx_cat_competency){"ev.hv-safety", "ev", "Apply HV safety", NULL, LOC};

    cx_cat_credential *cr = add_credential(c, "TX-EVS-101", "US-TX");
    cr->name = "EV High-Voltage Safety";
    cr->provider = "austin-cc";
    cr->hours = 4000;
    cr->valid_for = "P3Y";
    cr->version = "2025.1";
    cr->effective_from = "2024-01-01";
    cr->effective_until = "2029-12-31";
    cr->competencies = strs(c, 2, "ev.lockout", "ev.hv-safety");
    cr->ncompetencies = 2;
    cr->tags = strs(c, 2, "ev", "automotive");
    cr->ntags = 2;
    cr->codes = kvs(c, 3, "soc", "49-3023", "cip", "47.0614", "soc", "17-3027");
    cr->ncodes = 3;
    cr->attributes = kvs(c, 2, "points", "6", "career_field", "transportation");
    cr->nattributes = 2;
    cr->grade_scale = strs(c, 4, "D", "C", "B", "A");
    cr->ngrade_scale = 4;
    add_credential(c, "CA-EVS-101", "US-CA");

    cx_cat_holder *h = add_holder(c, "h-0001", "US-TX", 3);
    h->attributes = kvs(c, 2, "experience_years", "2", "cohort", "2025");
    h->nattributes = 2;
    cx_cat_award *a = add_award(c, h, "h-0001/TX-EVS-101/2025-03-14", "TX-EVS-101", "2025-03-14");
    a->grade = "B";
    a->results = kvs(c, 2, "reading", "22", "english", "18");
    a->nresults = 2;
    a = add_award(c, h, "h-0001/CA-EVS-101/2024-05-01", "CA-EVS-101", "2024-05-01");
    a->expires = "2026-05-01";
    a->jurisdiction = "US-NV";
    a->hours = 1250;
    a->status = "revoked";
    a->evidence = "https://example.org/e/1";
    add_award(c, h, "h-0001/TX-EVS-101/2025-03-14#2", "TX-EVS-101", "2025-03-14");
    h = add_holder(c, "h-0002", NULL, 1);
    add_award(c, h, "h-0002/CA-EVS-101/2025-01-01", "CA-EVS-101", "2025-01-01");

    cx_cat_exception *e = PUSH(c, c->exceptions);
    *e = (cx_cat_exception){"h-0001", "CA-EV-TECH", "electives", NULL,
                            NULL,     "Dean",       "military",  LOC};
    e = PUSH(c, c->exceptions);
    *e = (cx_cat_exception){"h-0002",     "CA-EV-TECH", NULL, "CA-EVS-101",
                            "TX-EVS-101", NULL,         NULL, LOC};
    return c;
}

/* ----------------------------------------------------------- file helpers */

/* A fresh path under $TEST_TMP (created if needed); any old file removed. */
static const char *tmp_path(const char *name)
{
    static char buf[4][1024];
    static int next;
    const char *dir = getenv("TEST_TMP");
    if (!dir || !*dir) dir = "/tmp";
    mkdir(dir, 0777);
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/test_registry_%ld_%s", dir, (long)getpid(), name);
    unlink(p);
    char side[1100];
    snprintf(side, sizeof side, "%s-wal", p);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", p);
    unlink(side);
    return p;
}

/* The bytes of a file (malloc'd; caller frees), *n its size; NULL if unreadable. */
static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(size > 0 ? (size_t)size : 1);
    *n = fread(b, 1, (size_t)size, f);
    fclose(f);
    return b;
}

/* Overwrites 4 big-endian bytes at offset of a closed SQLite file: offset 60
 * is PRAGMA user_version (the database header, page 1). */
static void poke_u32(const char *path, long offset, uint32_t v)
{
    FILE *f = fopen(path, "r+b");
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    fseek(f, offset, SEEK_SET);
    fwrite(b, 1, 4, f);
    fclose(f);
}

static cx_registry *open_memory(void)
{
    cx_registry *r = NULL;
    cx_error err;
    cx_error_clear(&err);
    int rc = cx_registry_open(NULL, CX_OPEN_MEMORY, &r, &err);
    if (rc) fprintf(stderr, "  open: %s\n", err.message);
    return r;
}

static int import(cx_registry *r, cx_catalog *c, cx_error *err)
{
    cx_error_clear(err);
    return cx__registry_import(r, c, NULL, NULL, NULL, NULL, err);
}

static int64_t content_version(cx_registry *r)
{
    int64_t v = -1;
    cx_error err;
    cx_registry_content_version(r, &v, &err);
    return v;
}

/* ------------------------------------------------------------------ cases */

TEST(open_memory_empty)
{
    cx_registry *r = open_memory();
    int64_t counts[CX_KIND_AWARD + 1];
    cx_error err;
    CHECK(r != NULL);
    CHECK_INT(cx_registry_schema_version(), 6);
    CHECK_INT(content_version(r), 0);
    CHECK_INT(cx_registry_counts(r, counts, &err), CX_OK);
    for (int k = 0; k <= CX_KIND_AWARD; k++) CHECK_INT(counts[k], 0);
    CHECK_STR(cx_kind_name(CX_KIND_JURISDICTION), "jurisdiction");
    CHECK_STR(cx_kind_name(CX_KIND_GROUP), "group");
    CHECK_STR(cx_kind_name(CX_KIND_COMPETENCY), "competency");
    CHECK_STR(cx_kind_name(CX_KIND_AWARD), "award");
    cx_registry_close(r);
    cx_registry_close(NULL);
    cx_credential_free(NULL);
    cx_holder_free(NULL);
    cx_group_free(NULL);
}

TEST(import_counts_and_version)
{
    cx_registry *r = open_memory();
    cx_catalog *c = base_model();
    int64_t counts[CX_KIND_AWARD + 1];
    cx_error err;
    CHECK_INT(import(r, c, &err), CX_OK);
    CHECK_INT(content_version(r), 1);
    CHECK_INT(cx_registry_counts(r, counts, &err), CX_OK);
    CHECK_INT(counts[CX_KIND_JURISDICTION], 3);
    CHECK_INT(counts[CX_KIND_GROUP], 1);
    CHECK_INT(counts[CX_KIND_PROVIDER], 1);
    CHECK_INT(counts[CX_KIND_FRAMEWORK], 1);
    CHECK_INT(counts[CX_KIND_COMPETENCY], 2);
    CHECK_INT(counts[CX_KIND_CREDENTIAL], 2);
    CHECK_INT(counts[CX_KIND_HOLDER], 2);
    CHECK_INT(counts[CX_KIND_AWARD], 4);
    /* the same model again: everything replaced, nothing doubled */
    CHECK_INT(import(r, c, &err), CX_OK);
    CHECK_INT(content_version(r), 2);
    CHECK_INT(cx_registry_counts(r, counts, &err), CX_OK);
    CHECK_INT(counts[CX_KIND_AWARD], 4);
    CHECK_INT(counts[CX_KIND_COMPETENCY], 2);
    /* an empty import is still an import */
    cx_catalog *empty = cat_new();
    CHECK_INT(import(r, empty, &err), CX_OK);
    CHECK_INT(content_version(r), 3);
    cat_free(empty);
    cat_free(c);
    cx_registry_close(r);
}

TEST(read_credential_every_field)
{
    cx_registry *r = open_memory();
    cx_catalog *c = base_model();
    cx_credential *k = NULL;
    cx_error err;
    CHECK_INT(import(r, c, &err), CX_OK);
    CHECK_INT(cx_registry_credential(r, "TX-EVS-101", &k, &err), CX_OK);
    CHECK(k != NULL);
    if (!k) goto done;
    CHECK_STR(k->id, "TX-EVS-101");
    CHECK_STR(k->name, "EV High-Voltage Safety");
    CHECK_STR(k->type, "micro-credential");
    CHECK_STR(k->provider, "austin-cc");
    CHECK_STR(k->jurisdiction, "US-TX");
    CHECK_INT(k->hours, 4000);
    CHECK_STR(k->valid_for, "P3Y");
    CHECK_STR(k->version, "2025.1");
    CHECK_STR(k->effective_from, "2024-01-01");
    CHECK_STR(k->effective_until, "2029-12-31");
    CHECK_INT(k->ncompetencies, 2);
    CHECK_STR(k->competencies[0], "ev.hv-safety"); /* sorted */
    CHECK_STR(k->competencies[1], "ev.lockout");
    CHECK_INT(k->ntags, 2);
    CHECK_STR(k->tags[0], "automotive");
    CHECK_STR(k->tags[1], "ev");
    CHECK_INT(k->ncodes, 3);
    CHECK_STR(k->codes[0].key, "cip");
    CHECK_STR(k->codes[0].value, "47.0614");
    CHECK_STR(k->codes[1].key, "soc");
    CHECK_STR(k->codes[1].value, "17-3027");
    CHECK_STR(k->codes[2].key, "soc");
    CHECK_STR(k->codes[2].value, "49-3023");
    CHECK_INT(k->nattributes, 2);
    CHECK_STR(k->attributes[0].key, "career_field");
    CHECK_STR(k->attributes[0].value, "transportation");
    CHECK_STR(k->attributes[1].key, "points");
    CHECK_STR(k->attributes[1].value, "6");
    CHECK_INT(k->ngrade_scale, 4); /* lowest first, as given: not sorted */
    CHECK_STR(k->grade_scale[0], "D");
    CHECK_STR(k->grade_scale[1], "C");
    CHECK_STR(k->grade_scale[2], "B");
    CHECK_STR(k->grade_scale[3], "A");
    cx_credential_free(k);
    /* the minimal credential: every optional field absent */
    CHECK_INT(cx_registry_credential(r, "CA-EVS-101", &k, &err), CX_OK);
    if (!k) goto done;
    CHECK(k->provider == NULL);
    CHECK_INT(k->hours, CX_NO_NUMBER);
    CHECK(k->valid_for == NULL && k->version == NULL);
    CHECK(k->effective_from == NULL && k->effective_until == NULL);
    CHECK_INT(k->ncompetencies + k->ntags + k->ncodes + k->nattributes + k->ngrade_scale, 0);
done:
    cx_credential_free(k);
    cat_free(c);
    cx_registry_close(r);
}

TEST(read_holder_every_field)
{
    cx_registry *r = open_memory();
    cx_catalog *c = base_model();
    cx_holder *h = NULL;
    cx_error err;
    CHECK_INT(import(r, c, &err), CX_OK);
    CHECK_INT(cx_registry_holder(r, "h-0001", &h, &err), CX_OK);
    if (!h) goto done;
    CHECK_STR(h->id, "h-0001");
    CHECK_STR(h->jurisdiction, "US-TX");
    CHECK_INT(h->nattributes, 2);
    CHECK_STR(h->attributes[0].key, "cohort");
    CHECK_STR(h->attributes[0].value, "2025");
    CHECK_STR(h->attributes[1].key, "experience_years");
    CHECK_STR(h->attributes[1].value, "2");
    CHECK_INT(h->nawards, 3);
    if (h->nawards != 3) goto done;
    /* by issue date, then id */
    const cx_award *a = &h->awards[0];
    CHECK_STR(a->id, "h-0001/CA-EVS-101/2024-05-01");
    CHECK_STR(a->credential, "CA-EVS-101");
    CHECK_STR(a->issued, "2024-05-01");
    CHECK_STR(a->expires, "2026-05-01");
    CHECK_STR(a->jurisdiction, "US-NV"); /* as stored */
    CHECK_INT(a->hours, 1250);
    CHECK_STR(a->status, "revoked");
    CHECK(a->grade == NULL);
    CHECK_STR(a->evidence, "https://example.org/e/1");
    CHECK_INT(a->nresults, 0);
    a = &h->awards[1];
    CHECK_STR(a->id, "h-0001/TX-EVS-101/2025-03-14");
    CHECK_STR(a->issued, "2025-03-14");
    CHECK(a->expires == NULL);           /* computed at evaluation */
    CHECK_STR(a->jurisdiction, "US-TX"); /* the credential's */
    CHECK_INT(a->hours, 4000);           /* the credential's */
    CHECK_STR(a->status, "active");
    CHECK_STR(a->grade, "B");
    CHECK(a->evidence == NULL);
    CHECK_INT(a->nresults, 2);
    CHECK_STR(a->results[0].key, "english");
    CHECK_STR(a->results[0].value, "18");
    CHECK_STR(a->results[1].key, "reading");
    CHECK_STR(a->results[1].value, "22");
    CHECK_STR(h->awards[2].id, "h-0001/TX-EVS-101/2025-03-14#2");
    cx_holder_free(h);
    CHECK_INT(cx_registry_holder(r, "h-0002", &h, &err), CX_OK);
    if (!h) goto done;
    CHECK(h->jurisdiction == NULL);
    CHECK_INT(h->nattributes, 0);
    CHECK_INT(h->nawards, 1);
    CHECK_STR(h->awards[0].jurisdiction, "US-CA");
    CHECK_INT(h->awards[0].hours, CX_NO_NUMBER); /* neither award nor credential has hours */
done:
    cx_holder_free(h);
    cat_free(c);
    cx_registry_close(r);
}

TEST(read_group_every_field)
{
    cx_registry *r = open_memory();
    cx_catalog *c = base_model();
    cx_group *g = NULL;
    cx_error err;
    CHECK_INT(import(r, c, &err), CX_OK);
    CHECK_INT(cx_registry_group(r, "EVC", &g, &err), CX_OK);
    if (!g) goto done;
    CHECK_STR(g->id, "EVC");
    CHECK_STR(g->name, "EV Service Compact");
    CHECK_INT(g->nmembers, 3);
    if (g->nmembers != 3) goto done;
    CHECK_STR(g->members[0].jurisdiction, "US-CA"); /* by jurisdiction */
    CHECK_STR(g->members[0].from, "2025-07-01");
    CHECK_STR(g->members[0].until, "2030-06-30");
    CHECK(g->members[0].status == NULL);
    CHECK_STR(g->members[1].jurisdiction, "US-NV");
    CHECK_STR(g->members[1].from, "2025-01-01");
    CHECK(g->members[1].until == NULL);
    CHECK_STR(g->members[1].status, "partial");
    CHECK_STR(g->members[2].jurisdiction, "US-TX");
    CHECK_STR(g->members[2].from, "2024-01-01");
done:
    cx_group_free(g);
    cat_free(c);
    cx_registry_close(r);
}

TEST(reimport_holder_replaces_awards_and_attributes)
{
    cx_registry *r = open_memory();
    cx_catalog *c = base_model(), *c2 = cat_new();
    cx_holder *h = NULL;
    cx_error err;
    CHECK_INT(import(r, c, &err), CX_OK);
    cx_cat_holder *nh = add_holder(c2, "h-0001", "US-CA", 1);
    nh->attributes = kvs(c2, 1, "cohort", "2026");
    nh->nattributes = 1;
    cx_cat_award *a = add_award(c2, nh, "h-0001/CA-EVS-101/2026-01-05", "CA-EVS-101", "2026-01-05");
    a->results = kvs(c2, 1, "math", "30");
    a->nresults = 1;
    CHECK_INT(import(r, c2, &err), CX_OK);
    CHECK_INT(cx_registry_holder(r, "h-0001", &h, &err), CX_OK);
    if (!h) goto done;
    CHECK_STR(h->jurisdiction, "US-CA");
    CHECK_INT(h->nattributes, 1);
    CHECK_STR(h->attributes[0].value, "2026");
    CHECK_INT(h->nawards, 1);
    CHECK_STR(h->awards[0].id, "h-0001/CA-EVS-101/2026-01-05");
    CHECK_INT(h->awards[0].nresults, 1);
    CHECK_STR(h->awards[0].results[0].key, "math");
    CHECK_INT(cx_registry_has(r, CX_KIND_AWARD, "h-0001/TX-EVS-101/2025-03-14", &err), 0);
    /* the other holder is untouched */
    cx_holder_free(h);
    h = NULL;
    CHECK_INT(cx_registry_holder(r, "h-0002", &h, &err), CX_OK);
    if (h) CHECK_INT(h->nawards, 1);
done:
    cx_holder_free(h);
    cat_free(c);
    cat_free(c2);
    cx_registry_close(r);
}

TEST(reimport_credential_replaces_lists_keeps_awards)
{
    cx_registry *r = open_memory();
    cx_catalog *c = base_model(), *c2 = cat_new();
    cx_credential *k = NULL;
    cx_holder *h = NULL;
    cx_error err;
    CHECK_INT(import(r, c, &err), CX_OK);
    cx_cat_credential *cr = add_credential(c2, "TX-EVS-101", "US-TX");
    cr->name = "EV Safety (revised)";
    cr->hours = 4550;
    cr->tags = strs(c2, 1, "safety");
    cr->ntags = 1;
    cr->grade_scale = strs(c2, 2, "fail", "pass");
    cr->ngrade_scale = 2;
    CHECK_INT(import(r, c2, &err), CX_OK);
    CHECK_INT(cx_registry_credential(r, "TX-EVS-101", &k, &err), CX_OK);
    if (!k) goto done;
    CHECK_STR(k->name, "EV Safety (revised)");
    CHECK(k->provider == NULL && k->valid_for == NULL);
    CHECK_INT(k->hours, 4550);
    CHECK_INT(k->ntags, 1);
    CHECK_STR(k->tags[0], "safety");
    CHECK_INT(k->ncompetencies, 0);
    CHECK_INT(k->ncodes, 0);
    CHECK_INT(k->nattributes, 0);
    CHECK_INT(k->ngrade_scale, 2);
    CHECK_STR(k->grade_scale[1], "pass");
    /* awards of it survive, and defaulted hours follow the credential */
    CHECK_INT(cx_registry_holder(r, "h-0001", &h, &err), CX_OK);
    if (!h) goto done;
    CHECK_INT(h->nawards, 3);
    CHECK_STR(h->awards[1].credential, "TX-EVS-101");
    CHECK_INT(h->awards[1].hours, 4550);
    CHECK_INT(h->awards[1].nresults, 2);
done:
    cx_credential_free(k);
    cx_holder_free(h);
    cat_free(c);
    cat_free(c2);
    cx_registry_close(r);
}

TEST(reimport_group_replaces_members)
{
    cx_registry *r = open_memory();
    cx_catalog *c = base_model(), *c2 = cat_new();
    cx_group *g = NULL;
    cx_error err;
    CHECK_INT(import(r, c, &err), CX_OK);
    cx_cat_group *ng = PUSH(c2, c2->groups);
    ng->id = "EVC";
    ng->members = cx__arena_alloc(&c2->arena, sizeof *ng->members);
    ng->members[0] = (cx_cat_membership){"US-NV", "2026-01-01", "2026-12-31", NULL, LOC};
    ng->nmembers = 1;
    CHECK_INT(import(r, c2, &err), CX_OK);
    CHECK_INT(cx_registry_group(r, "EVC", &g, &err), CX_OK);
    if (!g) goto done;
    CHECK(g->name == NULL);
    CHECK_INT(g->nmembers, 1);
    CHECK_STR(g->members[0].jurisdiction, "US-NV");
    CHECK_STR(g->members[0].from, "2026-01-01");
    CHECK_STR(g->members[0].until, "2026-12-31");
done:
    cx_group_free(g);
    cat_free(c);
    cat_free(c2);
    cx_registry_close(r);
}

TEST(award_id_reused_by_another_holder_moves)
{
    cx_registry *r = open_memory();
    cx_catalog *c = base_model(), *c2 = cat_new();
    cx_holder *h = NULL;
    cx_error err;
    CHECK_INT(import(r, c, &err), CX_OK);
    /* h-0003 claims h-0001's award id (an explicit id in a later catalog) */
    cx_cat_holder *nh = add_holder(c2, "h-0003", NULL, 1);
    cx_cat_award *a = add_award(c2, nh, "h-0001/TX-EVS-101/2025-03-14", "CA-EVS-101", "2026-02-02");
    a->results = kvs(c2, 1, "math", "12");
    a->nresults = 1;
    CHECK_INT(import(r, c2, &err), CX_OK);
    CHECK_INT(cx_registry_holder(r, "h-0003", &h, &err), CX_OK);
    if (h && h->nawards == 1) {
        CHECK_STR(h->awards[0].credential, "CA-EVS-101");
        CHECK_STR(h->awards[0].issued, "2026-02-02");
        CHECK(h->awards[0].grade == NULL);
        CHECK_INT(h->awards[0].nresults, 1); /* the old english/reading results are gone */
        CHECK_STR(h->awards[0].results[0].key, "math");
    } else {
        CHECK(h && h->nawards == 1);
    }
    cx_holder_free(h);
    h = NULL;
    CHECK_INT(cx_registry_holder(r, "h-0001", &h, &err), CX_OK);
    if (h) CHECK_INT(h->nawards, 2);
    cx_holder_free(h);
    cat_free(c);
    cat_free(c2);
    cx_registry_close(r);
}

TEST(exceptions_upsert_on_their_key)
{
    cx_registry *r = open_memory();
    cx_catalog *c = base_model();
    cx_error err;
    CHECK_INT(import(r, c, &err), CX_OK);
    /* the same keys with a new reason: updated in place, no unique failure */
    c->exceptions.v[0].reason = "changed";
    c->exceptions.v[1].by = "Registrar";
    CHECK_INT(import(r, c, &err), CX_OK);
    CHECK_STR(err.message, "");
    cat_free(c);
    cx_registry_close(r);
}

static int progress_calls;
static uint64_t progress_last_done, progress_last_total;

static void on_progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
    (void)ud;
    if (strcmp(what, "writing") == 0) progress_calls++;
    progress_last_done = done;
    progress_last_total = total;
}

TEST(progress_reports_writing)
{
    cx_registry *r = open_memory();
    cx_catalog *c = base_model();
    cx_error err;
    progress_calls = 0;
    CHECK_INT(cx__registry_import(r, c, NULL, NULL, on_progress, NULL, &err), CX_OK);
    CHECK(progress_calls >= 2); /* at the start and at the end */
    /* 3+1+1+1+2+2 entities, 2 holders, 4 awards, 2 exceptions: 18 */
    CHECK_INT(progress_last_total, 18);
    CHECK_INT(progress_last_done, 18);
    cat_free(c);

    /* 25,000 holders: reported at 0, every 10,000, and at the end */
    c = cat_new();
    c->holders.v = cx__arena_alloc(&c->arena, 25000 * sizeof *c->holders.v);
    memset(c->holders.v, 0, 25000 * sizeof *c->holders.v);
    for (int i = 0; i < 25000; i++) {
        char id[32];
        snprintf(id, sizeof id, "p-%05d", i);
        c->holders.v[c->holders.n++].id = cx__arena_strdup(&c->arena, id);
    }
    progress_calls = 0;
    CHECK_INT(cx__registry_import(r, c, NULL, NULL, on_progress, NULL, &err), CX_OK);
    CHECK_INT(progress_calls, 4);
    CHECK_INT(progress_last_done, 25000);
    CHECK_INT(progress_last_total, 25000);
    CHECK_INT(cx_registry_has(r, CX_KIND_HOLDER, "p-24999", &err), 1);
    cat_free(c);
    cx_registry_close(r);
}

TEST(failed_import_changes_nothing)
{
    const char *path = tmp_path("rollback.db");
    cx_registry *r = NULL;
    cx_catalog *c = base_model(), *bad = cat_new();
    cx_error err;
    size_t n1 = 0, n2 = 0;
    CHECK_INT(cx_registry_open(path, CX_OPEN_CREATE, &r, &err), CX_OK);
    CHECK_INT(import(r, c, &err), CX_OK);
    cx_registry_close(r);
    unsigned char *before = slurp(path, &n1);

    /* valid new rows first, then an award of a credential that does not
     * exist: the deferred foreign key fails at COMMIT */
    add_jurisdiction(bad, "US-OR", "Oregon", NULL);
    cx_cat_holder *h = add_holder(bad, "h-0001", "US-OR", 1);
    add_award(bad, h, "h-0001/NOPE/2025-01-01", "NOPE", "2025-01-01");
    CHECK_INT(cx_registry_open(path, 0, &r, &err), CX_OK);
    CHECK_INT(import(r, bad, &err), CX_EREGISTRY);
    CHECK_CONTAINS(err.message, "FOREIGN KEY constraint failed");
    CHECK_CONTAINS(err.message, "award refers to a missing credential");
    CHECK_INT(content_version(r), 1);
    CHECK_INT(cx_registry_has(r, CX_KIND_JURISDICTION, "US-OR", &err), 0);
    cx_holder *ho = NULL;
    CHECK_INT(cx_registry_holder(r, "h-0001", &ho, &err), CX_OK);
    if (ho) CHECK_INT(ho->nawards, 3);
    cx_holder_free(ho);
    cx_registry_close(r);
    unsigned char *after = slurp(path, &n2);
    CHECK(before && after);
    CHECK_INT(n2, n1);
    CHECK(before && after && n1 == n2 && memcmp(before, after, n1) == 0);
    free(before);
    free(after);
    cat_free(c);
    cat_free(bad);
}

TEST(failed_insert_is_located)
{
    cx_registry *r = open_memory();
    cx_catalog *c = base_model();
    cx_error err;
    c->holders.v[0].awards[1].status = "lapsed"; /* the CHECK constraint refuses it */
    CHECK_INT(import(r, c, &err), CX_EREGISTRY);
    CHECK_STR(err.file, "test.yaml");
    CHECK_INT(err.line, 7);
    CHECK_INT(err.column, 3);
    CHECK_CONTAINS(err.message, "cannot write award 'h-0001/CA-EVS-101/2024-05-01'");
    CHECK_CONTAINS(err.message, "CHECK constraint failed");
    int64_t counts[CX_KIND_AWARD + 1];
    CHECK_INT(cx_registry_counts(r, counts, &err), CX_OK);
    CHECK_INT(counts[CX_KIND_JURISDICTION], 0);
    CHECK_INT(content_version(r), 0);
    cat_free(c);
    cx_registry_close(r);
}

TEST(file_registry_persists_and_reopens)
{
    const char *path = tmp_path("persist.db");
    cx_registry *r = NULL;
    cx_catalog *c = base_model();
    cx_credential *k = NULL;
    cx_error err;
    CHECK_INT(cx_registry_open(path, CX_OPEN_CREATE, &r, &err), CX_OK);
    CHECK_INT(import(r, c, &err), CX_OK);
    cx_registry_close(r);
    /* CX_OPEN_CREATE on an existing, current registry changes nothing */
    CHECK_INT(cx_registry_open(path, CX_OPEN_CREATE, &r, &err), CX_OK);
    CHECK_INT(content_version(r), 1);
    cx_registry_close(r);
    CHECK_INT(cx_registry_open(path, CX_OPEN_READONLY, &r, &err), CX_OK);
    CHECK_INT(content_version(r), 1);
    CHECK_INT(cx_registry_credential(r, "TX-EVS-101", &k, &err), CX_OK);
    if (k) CHECK_INT(k->hours, 4000);
    if (k) CHECK_INT(k->ntags, 2);
    cx_credential_free(k);
    cx_registry_close(r);
    cat_free(c);
}

TEST(readonly_refuses_writes_and_missing_files)
{
    const char *path = tmp_path("ro.db");
    const char *missing = tmp_path("missing.db");
    cx_registry *r = NULL;
    cx_catalog *c = base_model();
    cx_error err;
    size_t n1 = 0, n2 = 0;
    CHECK_INT(cx_registry_open(path, CX_OPEN_CREATE, &r, &err), CX_OK);
    CHECK_INT(import(r, c, &err), CX_OK);
    cx_registry_close(r);
    unsigned char *before = slurp(path, &n1);

    CHECK_INT(cx_registry_open(path, CX_OPEN_READONLY, &r, &err), CX_OK);
    CHECK_INT(import(r, c, &err), CX_EREGISTRY);
    CHECK_CONTAINS(err.message, "read-only");
    CHECK_INT(content_version(r), 1);
    cx_registry_close(r);
    unsigned char *after = slurp(path, &n2);
    CHECK(before && after && n1 == n2 && memcmp(before, after, n1) == 0);
    free(before);
    free(after);

    r = NULL;
    cx_error_clear(&err);
    CHECK_INT(cx_registry_open(missing, CX_OPEN_READONLY, &r, &err), CX_EREGISTRY);
    CHECK(r == NULL);
    char want[1200];
    snprintf(want, sizeof want, "registry not found: %s (run `credex init` or `credex import`)",
             missing);
    CHECK_STR(err.message, want);
    CHECK(access(missing, F_OK) != 0); /* not created */
    /* without CX_OPEN_CREATE a writable open does not create either */
    CHECK_INT(cx_registry_open(missing, 0, &r, &err), CX_EREGISTRY);
    CHECK(access(missing, F_OK) != 0);
    cat_free(c);
}

TEST(newer_schema_refused)
{
    const char *path = tmp_path("newer.db");
    cx_registry *r = NULL;
    cx_error err;
    CHECK_INT(cx_registry_open(path, CX_OPEN_CREATE, &r, &err), CX_OK);
    cx_registry_close(r);
    poke_u32(path, 60, 99);
    r = NULL;
    CHECK_INT(cx_registry_open(path, CX_OPEN_READONLY, &r, &err), CX_EREGISTRY);
    CHECK(r == NULL);
    CHECK_STR(err.message,
              "registry schema version 99 is newer than this credex (6); upgrade credex");
    CHECK_INT(cx_registry_open(path, CX_OPEN_CREATE, &r, &err), CX_EREGISTRY);
    CHECK_CONTAINS(err.message, "is newer than this credex");
}

TEST(non_registry_files_refused)
{
    const char *text = tmp_path("text.db");
    const char *foreign = tmp_path("foreign.db");
    const char *empty = tmp_path("empty.db");
    cx_registry *r = NULL;
    cx_error err;
    FILE *f = fopen(text, "w");
    fputs("version: 1\njurisdictions: []\n this is not a database, just text, long enough "
          "to fill a header of a hundred bytes .....................................\n",
          f);
    fclose(f);
    CHECK_INT(cx_registry_open(text, CX_OPEN_READONLY, &r, &err), CX_EREGISTRY);
    CHECK_CONTAINS(err.message, "not a credex registry");
    CHECK_CONTAINS(err.message, text);
    CHECK_INT(cx_registry_open(text, CX_OPEN_CREATE, &r, &err), CX_EREGISTRY);
    CHECK_CONTAINS(err.message, "not a credex registry");
    CHECK(r == NULL);

    /* a SQLite database with tables but user_version 0: someone else's */
    CHECK_INT(cx_registry_open(foreign, CX_OPEN_CREATE, &r, &err), CX_OK);
    cx_registry_close(r);
    r = NULL;
    poke_u32(foreign, 60, 0);
    CHECK_INT(cx_registry_open(foreign, CX_OPEN_READONLY, &r, &err), CX_EREGISTRY);
    CHECK_CONTAINS(err.message, "without the credex schema");
    CHECK_INT(cx_registry_open(foreign, CX_OPEN_CREATE, &r, &err), CX_EREGISTRY);
    CHECK_CONTAINS(err.message, "not a credex registry");

    /* an empty file is a registry not yet made: refused read-only, created otherwise */
    f = fopen(empty, "w");
    fclose(f);
    CHECK_INT(cx_registry_open(empty, CX_OPEN_READONLY, &r, &err), CX_EREGISTRY);
    CHECK_CONTAINS(err.message, "not a credex registry");
    CHECK_INT(cx_registry_open(empty, CX_OPEN_CREATE, &r, &err), CX_OK);
    CHECK_INT(content_version(r), 0);
    cx_registry_close(r);
}

TEST(has_and_nearest)
{
    cx_registry *r = open_memory();
    cx_catalog *c = base_model();
    cx_error err;
    char buf[64];
    add_credential(c, "AB-1", "US-TX");
    add_credential(c, "AB-3", "US-TX");
    CHECK_INT(import(r, c, &err), CX_OK);
    CHECK_INT(cx_registry_has(r, CX_KIND_CREDENTIAL, "TX-EVS-101", &err), 1);
    CHECK_INT(cx_registry_has(r, CX_KIND_CREDENTIAL, "TX-EVS-10", &err), 0);
    CHECK_INT(cx_registry_has(r, CX_KIND_GROUP, "EVC", &err), 1);
    CHECK_INT(cx_registry_has(r, CX_KIND_PROVIDER, "austin-cc", &err), 1);
    CHECK_INT(cx_registry_has(r, CX_KIND_FRAMEWORK, "ev", &err), 1);
    CHECK_INT(cx_registry_has(r, CX_KIND_COMPETENCY, "ev.lockout", &err), 1);
    CHECK_INT(cx_registry_has(r, CX_KIND_HOLDER, "h-0002", &err), 1);
    CHECK_INT(cx_registry_has(r, CX_KIND_AWARD, "h-0002/CA-EVS-101/2025-01-01", &err), 1);
    CHECK_INT(cx_registry_has(r, CX_KIND_JURISDICTION, "US-XX", &err), 0);

    CHECK_INT(cx_registry_nearest(r, CX_KIND_CREDENTIAL, "TX-EVS-10", buf, sizeof buf, &err), 0);
    CHECK_STR(buf, "TX-EVS-101");
    CHECK_INT(cx_registry_nearest(r, CX_KIND_CREDENTIAL, "AB-2", buf, sizeof buf, &err), 0);
    CHECK_STR(buf, "AB-1"); /* a tie: byte order */
    CHECK_INT(cx_registry_nearest(r, CX_KIND_JURISDICTION, "us-tx", buf, sizeof buf, &err), 0);
    CHECK_STR(buf, "US-TX"); /* a difference of case only */
    CHECK_INT(cx_registry_nearest(r, CX_KIND_CREDENTIAL, "PLUMBING-9", buf, sizeof buf, &err), 0);
    CHECK_STR(buf, ""); /* nothing close */
    CHECK_INT(cx_registry_nearest(r, CX_KIND_HOLDER, "h-0003", buf, sizeof buf, &err), 0);
    CHECK_STR(buf, "h-0001");

    cx_credential *k = NULL;
    CHECK_INT(cx_registry_credential(r, "TX-EVS-10", &k, &err), CX_EUSAGE);
    CHECK(k == NULL);
    CHECK_STR(err.message, "no credential 'TX-EVS-10' in the registry; did you mean 'TX-EVS-101'?");
    CHECK_INT(cx_registry_credential(r, "PLUMBING-9", &k, &err), CX_EUSAGE);
    CHECK_STR(err.message, "no credential 'PLUMBING-9' in the registry");
    cx_holder *h = NULL;
    CHECK_INT(cx_registry_holder(r, "h-0009", &h, &err), CX_EUSAGE);
    CHECK_STR(err.message, "no holder 'h-0009' in the registry; did you mean 'h-0001'?");
    cx_group *g = NULL;
    CHECK_INT(cx_registry_group(r, "EVX", &g, &err), CX_EUSAGE);
    CHECK_STR(err.message, "no group 'EVX' in the registry; did you mean 'EVC'?");
    cat_free(c);
    cx_registry_close(r);
}

/* Keeps each listed row as "id|name|type|provider|jurisdiction|count". */
typedef struct listed {
    int n;
    char row[8][160];
} listed;

static int keep_row(void *ud, const cx_list_row *row)
{
    listed *l = ud;
    if (l->n < 8)
        snprintf(l->row[l->n], sizeof l->row[0], "%s|%s|%s|%s|%s|%lld", row->id,
                 row->name ? row->name : "-", row->type ? row->type : "-",
                 row->provider ? row->provider : "-", row->jurisdiction ? row->jurisdiction : "-",
                 (long long)row->count);
    l->n++;
    return 0;
}

/* Lists kind with filter into *l (emptied first); the return code. */
static int list(cx_registry *r, cx_list_kind kind, const cx_list_filter *filter, listed *l,
                cx_error *err)
{
    memset(l, 0, sizeof *l);
    return cx_registry_list(r, kind, filter, keep_row, l, err);
}

TEST(list_rows_filters_and_order)
{
    cx_registry *r = open_memory();
    cx_catalog *c = base_model();
    cx_error err;
    listed l;
    cx_error_clear(&err);
    CHECK_INT(import(r, c, &err), CX_OK);
    CHECK_INT(list(r, CX_LIST_CREDENTIALS, NULL, &l, &err), CX_OK);
    CHECK_INT(l.n, 2);
    CHECK_STR(l.row[0], "CA-EVS-101|Some credential|micro-credential|-|US-CA|-1");
    CHECK_STR(l.row[1], "TX-EVS-101|EV High-Voltage Safety|micro-credential|austin-cc|US-TX|-1");
    cx_list_filter tag = {.tag = "automotive"}, none = {.tag = "no-such-tag"};
    CHECK_INT(list(r, CX_LIST_CREDENTIALS, &tag, &l, &err), CX_OK);
    CHECK_INT(l.n, 1);
    CHECK_STR(l.row[0], "TX-EVS-101|EV High-Voltage Safety|micro-credential|austin-cc|US-TX|-1");
    CHECK_INT(list(r, CX_LIST_CREDENTIALS, &none, &l, &err), CX_OK);
    CHECK_INT(l.n, 0);
    cx_list_filter quote = {.provider = "austin-cc' OR '1'='1"}; /* bound, never SQL */
    CHECK_INT(list(r, CX_LIST_CREDENTIALS, &quote, &l, &err), CX_OK);
    CHECK_INT(l.n, 0);
    CHECK_INT(list(r, CX_LIST_HOLDERS, NULL, &l, &err), CX_OK);
    CHECK_INT(l.n, 2);
    CHECK_STR(l.row[0], "h-0001|-|-|-|US-TX|3");
    CHECK_STR(l.row[1], "h-0002|-|-|-|-|1");
    cx_list_filter nv = {.jurisdiction = "US-NV"}, tx = {.jurisdiction = "US-TX"};
    CHECK_INT(list(r, CX_LIST_GROUPS, &nv, &l, &err), CX_OK);
    CHECK_INT(l.n, 1);
    CHECK_STR(l.row[0], "EVC|EV Service Compact|-|-|-|3");
    CHECK_INT(list(r, CX_LIST_PROVIDERS, &tx, &l, &err), CX_OK);
    CHECK_INT(l.n, 1);
    CHECK_STR(l.row[0], "austin-cc|Austin Community College|-|-|US-TX|-1");
    CHECK_INT(list(r, CX_LIST_PROVIDERS, &nv, &l, &err), CX_OK);
    CHECK_INT(l.n, 0);
    CHECK_INT(list(r, CX_LIST_HOLDERS, &tag, &l, &err), CX_EUSAGE);
    CHECK_STR(err.message, "--tag does not apply to holders");
    CHECK_INT(list(r, CX_LIST_STACKS, NULL, &l, &err), CX_EUSAGE);
    CHECK_STR(err.message, "stacks come from the rule packs, not the registry");
    CHECK_INT(cx_list_filters(CX_LIST_CREDENTIALS),
              CX_FILTER_TYPE | CX_FILTER_TAG | CX_FILTER_JURISDICTION | CX_FILTER_PROVIDER);
    CHECK_INT(cx_list_filters(CX_LIST_STACKS), CX_FILTER_JURISDICTION);
    cat_free(c);
    cx_registry_close(r);
}

/* While one connection's import writes, a second that does not wait is
 * refused with the first's operation and pid (the lock-info record). */
typedef struct contender {
    const char *path;
    int tried;
    int rc;
    cx_error err;
} contender;

static void contend(void *ud, const char *what, uint64_t done, uint64_t total)
{
    contender *k = ud;
    cx_open_options no_wait = {-1, 0};
    cx_registry *other = NULL;
    cx_catalog *c = cat_new();
    (void)done;
    (void)total;
    if (k->tried || strcmp(what, "writing") != 0) goto done;
    k->tried = 1;
    add_jurisdiction(c, "US-AZ", "Arizona", NULL);
    if (cx_registry_open_with(k->path, 0, &no_wait, &other, &k->err) == CX_OK)
        k->rc = import(other, c, &k->err);
done:
    cx_registry_close(other);
    cat_free(c);
}

TEST(busy_writer_names_the_holder)
{
    contender k = {tmp_path("busy.db"), 0, 0, {0}};
    cx_registry *r = NULL;
    cx_catalog *c = base_model();
    cx_error err;
    char expected[256];
    CHECK_INT(cx_registry_open(k.path, CX_OPEN_CREATE, &r, &err), CX_OK);
    cx_error_clear(&err);
    CHECK_INT(cx__registry_import(r, c, NULL, NULL, contend, &k, &err), CX_OK);
    CHECK_INT(k.tried, 1);
    CHECK_INT(k.rc, CX_EREGISTRY);
    snprintf(expected, sizeof expected,
             "cannot write the registry: it is locked by another writer, held by credex import "
             "(pid %ld); gave up after waiting 0 s (--busy-timeout SECONDS waits longer)",
             (long)getpid());
    CHECK_STR(k.err.message, expected);
    CHECK_INT(access(k.path, F_OK), 0);
    char record[600];
    snprintf(record, sizeof record, "%s-writer", k.path);
    CHECK_INT(access(record, F_OK), -1); /* removed when the import ended */
    cx_registry_close(r);
    cat_free(c);
}

/* fsck counts each table's digest against the import's, and a file
 * registry has the baseline and the import in its history. */
static int count_problem(void *ud, const cx_fsck_problem *p)
{
    (void)p;
    (*(int *)ud)++;
    return 0;
}

static int count_record(void *ud, const cx_import_record *rec)
{
    int *n = ud;
    if (*n == 0 && strcmp(rec->kind, "baseline") != 0) return 1;
    if (*n == 1 && (strcmp(rec->kind, "import") != 0 || rec->count[CX_KIND_HOLDER] != 2 ||
                    rec->tables_hashed != 17 || strlen(rec->digest) != 64))
        return 1;
    (*n)++;
    return 0;
}

TEST(fsck_clean_after_import)
{
    const char *path = tmp_path("fsck.db");
    cx_registry *r = NULL;
    cx_catalog *c = base_model();
    cx_error err;
    int seen = 0, records = 0;
    int64_t problems = -1, tables = 0;
    CHECK_INT(cx_registry_open(path, CX_OPEN_CREATE, &r, &err), CX_OK);
    CHECK_INT(import(r, c, &err), CX_OK);
    CHECK_INT(cx_fsck(r, count_problem, &seen, &problems, &tables, &err), CX_OK);
    CHECK_INT(problems, 0);
    CHECK_INT(seen, 0);
    CHECK_INT(tables, 17);
    CHECK_INT(cx_import_log_list(r, count_record, &records, &err), CX_OK);
    CHECK_INT(records, 2);
    cx_registry_close(r);
    cat_free(c);
}

static const test_case cases[] = {
    {"busy_writer_names_the_holder", busy_writer_names_the_holder},
    {"fsck_clean_after_import", fsck_clean_after_import},
    {"list_rows_filters_and_order", list_rows_filters_and_order},
    {"open_memory_empty", open_memory_empty},
    {"import_counts_and_version", import_counts_and_version},
    {"read_credential_every_field", read_credential_every_field},
    {"read_holder_every_field", read_holder_every_field},
    {"read_group_every_field", read_group_every_field},
    {"reimport_holder_replaces_awards_and_attributes",
     reimport_holder_replaces_awards_and_attributes},
    {"reimport_credential_replaces_lists_keeps_awards",
     reimport_credential_replaces_lists_keeps_awards},
    {"reimport_group_replaces_members", reimport_group_replaces_members},
    {"award_id_reused_by_another_holder_moves", award_id_reused_by_another_holder_moves},
    {"exceptions_upsert_on_their_key", exceptions_upsert_on_their_key},
    {"progress_reports_writing", progress_reports_writing},
    {"failed_import_changes_nothing", failed_import_changes_nothing},
    {"failed_insert_is_located", failed_insert_is_located},
    {"file_registry_persists_and_reopens", file_registry_persists_and_reopens},
    {"readonly_refuses_writes_and_missing_files", readonly_refuses_writes_and_missing_files},
    {"newer_schema_refused", newer_schema_refused},
    {"non_registry_files_refused", non_registry_files_refused},
    {"has_and_nearest", has_and_nearest},
    {NULL, NULL}};

TEST_MAIN(cases)
