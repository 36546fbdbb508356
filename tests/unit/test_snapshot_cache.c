/*
 * test_snapshot_cache.c -- the snapshot cache (docs/registry.md, "The
 * snapshot cache"): written after a load from a registry file, used by the
 * next load and equal to a fresh load in every array; bypassed with
 * no_cache; stale after an import, for a recreated registry, for another
 * engine; truncated, edited, misnamed (a directory, a symlink) and
 * resealed hostile caches ignored and rebuilt, never trusted.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_FIXED_NOREPLACE */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "credex.h"
#include "snapshot.h"
#include "test.h"

static const char catalog[] =
    "version: 1\n"
    "jurisdictions:\n"
    "  - { id: US-TX, name: Texas, kind: state }\n"
    "  - { id: US-CA, name: California, kind: state }\n"
    "  - { id: US-NV, name: Nevada }\n"
    "groups:\n"
    "  - id: EVC\n"
    "    name: EV Service Compact\n"
    "    members:\n"
    "      - { jurisdiction: US-TX, from: 2024-01-01 }\n"
    "      - { jurisdiction: US-CA, from: 2025-07-01, until: 2030-06-30 }\n"
    "      - { jurisdiction: US-NV, from: 2025-01-01, status: partial }\n"
    "  - id: ANZ\n"
    "    members: [ { jurisdiction: US-NV, from: 2000-01-01 } ]\n"
    "providers:\n"
    "  - { id: austin-cc, name: Austin Community College, jurisdiction: US-TX }\n"
    "  - { id: Zeta, name: Zeta Institute }\n"
    "frameworks:\n"
    "  - id: ev\n"
    "    name: EV Service Competencies\n"
    "    competencies:\n"
    "      - { id: ev.lockout, text: Perform lockout/tagout, parent: ev.hv-safety }\n"
    "      - { id: ev.hv-safety, text: Apply high-voltage safety procedures }\n"
    "credentials:\n"
    "  - id: TX-EVS-101\n"
    "    name: EV High-Voltage Safety\n"
    "    type: micro-credential\n"
    "    provider: austin-cc\n"
    "    jurisdiction: US-TX\n"
    "    hours: 40\n"
    "    valid_for: P3Y\n"
    "    competencies: [ev.lockout, ev.hv-safety]\n"
    "    tags: [ev, automotive]\n"
    "    codes: { soc: [49-3023], cip: [47.0614] }\n"
    "    attributes: { points: 6, career_field: transportation }\n"
    "    grade_scale: [D, C, B, A]\n"
    "  - id: CA-EVS-101\n"
    "    name: EV Safety (California)\n"
    "    type: micro-credential\n"
    "    jurisdiction: US-CA\n"
    "    hours: 12.5\n"
    "    valid_for: P1Y\n"
    "    effective_from: 2020-01-01\n"
    "    effective_until: 2030-12-31\n"
    "    tags: [ev]\n"
    "  - id: NV-EVS-1\n"
    "    name: Nevada EV Safety\n"
    "    type: certificate\n"
    "    provider: Zeta\n"
    "    jurisdiction: US-NV\n"
    "holders:\n"
    "  - id: h-0002\n"
    "    jurisdiction: US-CA\n"
    "    awards: [ { credential: CA-EVS-101, issued: 2025-01-15 } ]\n"
    "  - id: h-0001\n"
    "    jurisdiction: US-TX\n"
    "    attributes: { experience_years: 2, nickname: Sam }\n"
    "    awards:\n"
    "      - { credential: TX-EVS-101, issued: 2024-06-29 }\n"
    "      - { credential: NV-EVS-1, issued: 2023-01-01, jurisdiction: US-TX, hours: 8 }\n"
    "      - { credential: TX-EVS-101, issued: 2022-05-01, expires: 2023-01-31, status: revoked,"
    " grade: B, results: { reading: 22.5, english: 18 } }\n"
    "      - { credential: TX-EVS-101, issued: 2024-06-29, id: a-retake, grade: D,"
    " status: suspended, results: { english: 12 } }\n"
    "  - id: h-0003\n"
    "  - id: h-prov\n"
    "    awards:\n"
    "      - { credential: TX-EVS-101, issued: 2025-01-10, provenance: { format: ob3,\n"
    "          verification: unverified, note: proof eddsa-rdfc-2022 not verified } }\n"
    "      - { credential: CA-EVS-101, issued: 2025-01-11, provenance: { format: ob2,\n"
    "          verification: unverified } }\n"
    "exceptions:\n"
    "  - { holder: h-0001, stack: CA-EVS-101, waive: electives, by: Dean of CTE,"
    " reason: military training }\n"
    "  - { holder: h-0001, stack: CA-EVS-101, substitute: { for: TX-EVS-101, use: NV-EVS-1 },"
    " by: Registrar, reason: equivalent coursework }\n";

/* A second import: a new holder, CA-EVS-101 valid for two years. */
static const char update[] = "credentials:\n"
                             "  - id: CA-EVS-101\n"
                             "    name: EV Safety (California)\n"
                             "    type: micro-credential\n"
                             "    jurisdiction: US-CA\n"
                             "    valid_for: P2Y\n"
                             "holders:\n"
                             "  - id: h-0004\n"
                             "    awards: [ { credential: CA-EVS-101, issued: 2025-03-01 } ]\n";

static char dir[512]; /* this run's folder */

/* dir/name in a static buffer (four in turn). */
static const char *in_dir(const char *name)
{
    static char paths[4][600];
    static int next;
    char *path = paths[next++ % 4];
    snprintf(path, sizeof paths[0], "%s/%s", dir, name);
    return path;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

/* The permissions ("r--p") of the mapping of this process that starts at
 * p, from /proc/self/maps; "" when there is none, NULL when the file
 * cannot be read. */
static const char *map_permissions(const void *p)
{
    static char perms[8];
    char line[512], start[32];
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return NULL;
    snprintf(start, sizeof start, "%lx-", (unsigned long)(uintptr_t)p);
    perms[0] = '\0';
    while (fgets(line, sizeof line, f))
        if (strncmp(line, start, strlen(start)) == 0) {
            const char *sp = strchr(line, ' ');
            if (sp) snprintf(perms, sizeof perms, "%.4s", sp + 1);
            break;
        }
    fclose(f);
    return perms;
}

/* Bytes of the file at path (malloc'd, *n set), or NULL. */
static char *read_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    *n = 0;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (size >= 0 && (buf = malloc((size_t)size + 1)) &&
        fread(buf, 1, (size_t)size, f) == (size_t)size)
        *n = (size_t)size;
    fclose(f);
    return buf;
}

static void write_bytes(const char *path, const char *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return;
    fwrite(bytes, 1, n, f);
    fclose(f);
}

/* Removes the registry name and what lies beside it. */
static void remove_registry(const char *name)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", ".snapshot"};
    char path[700];
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        snprintf(path, sizeof path, "%s%s", in_dir(name), suffixes[i]);
        unlink(path);
    }
}

/* The registry file name, created and holding each text imported in turn. */
static cx_registry *registry_file(const char *name, int no_cache, const char *const *texts, int n)
{
    cx_registry *r = NULL;
    cx_error err;
    cx_open_options opt = {0};
    opt.no_cache = no_cache;
    cx_error_clear(&err);
    CHECK_INT(cx_registry_open_with(in_dir(name), CX_OPEN_CREATE, &opt, &r, &err), CX_OK);
    for (int i = 0; r && i < n; i++) {
        char file[64];
        snprintf(file, sizeof file, "import-%d.yaml", i);
        const char *path = in_dir(file);
        write_text(path, texts[i]);
        CHECK_INT(cx_catalog_import(r, &path, 1, NULL, NULL, NULL, &err), CX_OK);
        if (err.code) fprintf(stderr, "  %s:%d: %s\n", err.file, err.line, err.message);
    }
    return r;
}

static cx_snapshot *load(cx_registry *r)
{
    cx_snapshot *s = NULL;
    cx_error err;
    cx_error_clear(&err);
    CHECK_INT(cx__snapshot_load(r, &s, &err), CX_OK);
    if (err.code) fprintf(stderr, "  %s\n", err.message);
    return s;
}

static cx_cache_state cache_state(cx_registry *r, char *why, size_t size)
{
    cx_cache_state state = CX_CACHE_NONE;
    cx_error err;
    cx_error_clear(&err);
    CHECK_INT(cx_registry_cache_check(r, &state, why, size, &err), CX_OK);
    return state;
}

/* ------------------------------------------------------------ equality */

static int diffs;

#define SAME(a, b, what)                                                                           \
    do {                                                                                           \
        if ((a) != (b)) {                                                                          \
            fprintf(stderr, "  differs: %s\n", what);                                              \
            diffs++;                                                                               \
        }                                                                                          \
    } while (0)

static void same_text(const char *a, const char *b, const char *what)
{
    if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0)) {
        fprintf(stderr, "  differs: %s ('%s', '%s')\n", what, a ? a : "NULL", b ? b : "NULL");
        diffs++;
    }
}

static void same_attrs(const cx_snap_attr *a, const cx_snap_attr *b, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        same_text(a[i].key, b[i].key, "attr key");
        same_text(a[i].value, b[i].value, "attr value");
        SAME(a[i].number, b[i].number, "attr number");
    }
}

static void same_credential(const cx_snap_credential *a, const cx_snap_credential *b)
{
    same_text(a->id, b->id, "credential id");
    same_text(a->name, b->name, "credential name");
    same_text(a->type, b->type, "credential type");
    same_text(a->version, b->version, "credential version");
    same_text(a->valid_for, b->valid_for, "credential valid_for");
    SAME(memcmp(&a->duration, &b->duration, sizeof a->duration), 0, "credential duration");
    SAME(a->provider, b->provider, "credential provider");
    SAME(a->jurisdiction, b->jurisdiction, "credential jurisdiction");
    SAME(a->hours, b->hours, "credential hours");
    SAME(a->effective_from, b->effective_from, "credential effective_from");
    SAME(a->effective_until, b->effective_until, "credential effective_until");
    SAME(a->ncompetencies, b->ncompetencies, "credential ncompetencies");
    SAME(a->ntags, b->ntags, "credential ntags");
    SAME(a->ncodes, b->ncodes, "credential ncodes");
    SAME(a->nattrs, b->nattrs, "credential nattrs");
    SAME(a->ngrades, b->ngrades, "credential ngrades");
    if (diffs) return;
    for (uint32_t k = 0; k < a->ncompetencies; k++)
        SAME(a->competencies[k], b->competencies[k], "credential competency");
    for (uint32_t k = 0; k < a->ntags; k++) SAME(a->tags[k], b->tags[k], "credential tag");
    for (uint32_t k = 0; k < a->ncodes; k++) {
        same_text(a->codes[k].scheme, b->codes[k].scheme, "code scheme");
        same_text(a->codes[k].code, b->codes[k].code, "code");
    }
    same_attrs(a->attrs, b->attrs, a->nattrs);
    for (uint32_t k = 0; k < a->ngrades; k++) same_text(a->grades[k], b->grades[k], "grade");
}

static void same_award(const cx_snapshot *sa, const cx_snap_award *a, const cx_snapshot *sb,
                       const cx_snap_award *b)
{
    uint32_t na, nb;
    same_text(a->id, b->id, "award id");
    same_text(cx__snap_award_note(a), cx__snap_award_note(b), "award note");
    SAME(a->hours, b->hours, "award hours");
    SAME(a->holder, b->holder, "award holder");
    SAME(a->credential, b->credential, "award credential");
    SAME(a->issued, b->issued, "award issued");
    SAME(a->expires, b->expires, "award expires");
    SAME(a->jurisdiction, b->jurisdiction, "award jurisdiction");
    SAME(a->results, b->results, "award results");
    SAME(a->grade, b->grade, "award grade");
    SAME(a->grade_rank, b->grade_rank, "award grade rank");
    SAME(a->status, b->status, "award status");
    SAME(a->flags, b->flags, "award flags");
    const cx_snap_result *ra = cx__snapshot_results(sa, a, &na),
                         *rb = cx__snapshot_results(sb, b, &nb);
    SAME(na, nb, "award result count");
    for (uint32_t k = 0; k < na && na == nb; k++) {
        same_text(ra[k].key, rb[k].key, "result key");
        SAME(ra[k].value, rb[k].value, "result value");
    }
    same_text(cx__snapshot_grade(sa, a), cx__snapshot_grade(sb, b), "award grade text");
}

static void same_exception(const cx_snap_exception *a, const cx_snap_exception *b)
{
    SAME(a->holder, b->holder, "exception holder");
    SAME(a->stack, b->stack, "exception stack");
    same_text(a->stack_id, b->stack_id, "exception stack id");
    same_text(a->waive, b->waive, "exception waive");
    SAME(a->substitute_for, b->substitute_for, "exception for");
    SAME(a->substitute_use, b->substitute_use, "exception use");
    same_text(a->for_id, b->for_id, "exception for id");
    same_text(a->use_id, b->use_id, "exception use id");
    same_text(a->by, b->by, "exception by");
    same_text(a->reason, b->reason, "exception reason");
    same_text(a->file, b->file, "exception file");
    SAME(a->line, b->line, "exception line");
}

static void same_places(const cx_snapshot *a, const cx_snapshot *b)
{
    for (uint32_t i = 0; i < a->count[CX_KIND_JURISDICTION]; i++) {
        same_text(a->jurisdictions[i].id, b->jurisdictions[i].id, "jurisdiction id");
        same_text(a->jurisdictions[i].name, b->jurisdictions[i].name, "jurisdiction name");
        same_text(a->jurisdictions[i].kind, b->jurisdictions[i].kind, "jurisdiction kind");
    }
    for (uint32_t i = 0; i < a->count[CX_KIND_GROUP]; i++) {
        const cx_snap_group *ga = &a->groups[i], *gb = &b->groups[i];
        same_text(ga->id, gb->id, "group id");
        same_text(ga->name, gb->name, "group name");
        SAME(ga->nmemberships, gb->nmemberships, "group memberships");
        for (uint32_t k = 0; k < ga->nmemberships && ga->nmemberships == gb->nmemberships; k++) {
            SAME(ga->memberships[k].jurisdiction, gb->memberships[k].jurisdiction, "member");
            SAME(ga->memberships[k].from, gb->memberships[k].from, "member from");
            SAME(ga->memberships[k].until, gb->memberships[k].until, "member until");
            same_text(ga->memberships[k].status, gb->memberships[k].status, "member status");
        }
    }
    for (uint32_t i = 0; i < a->count[CX_KIND_PROVIDER]; i++) {
        same_text(a->providers[i].id, b->providers[i].id, "provider id");
        same_text(a->providers[i].name, b->providers[i].name, "provider name");
        SAME(a->providers[i].jurisdiction, b->providers[i].jurisdiction, "provider place");
    }
    for (uint32_t i = 0; i < a->count[CX_KIND_FRAMEWORK]; i++) {
        same_text(a->frameworks[i].id, b->frameworks[i].id, "framework id");
        same_text(a->frameworks[i].name, b->frameworks[i].name, "framework name");
    }
    for (uint32_t i = 0; i < a->count[CX_KIND_COMPETENCY]; i++) {
        same_text(a->competencies[i].id, b->competencies[i].id, "competency id");
        same_text(a->competencies[i].text, b->competencies[i].text, "competency text");
        SAME(a->competencies[i].framework, b->competencies[i].framework, "competency framework");
        SAME(a->competencies[i].parent, b->competencies[i].parent, "competency parent");
    }
}

static void same_holders(const cx_snapshot *a, const cx_snapshot *b)
{
    for (uint32_t i = 0; i < a->count[CX_KIND_HOLDER]; i++) {
        const cx_snap_holder *ha = &a->holders[i], *hb = &b->holders[i];
        same_text(ha->id, hb->id, "holder id");
        SAME(ha->jurisdiction, hb->jurisdiction, "holder jurisdiction");
        SAME(ha->nattrs, hb->nattrs, "holder attrs");
        SAME(ha->nawards, hb->nawards, "holder awards");
        SAME(ha->nexceptions, hb->nexceptions, "holder exceptions");
        if (diffs) return;
        same_attrs(ha->attrs, hb->attrs, ha->nattrs);
        SAME(ha->nawards ? ha->awards - a->awards : 0, hb->nawards ? hb->awards - b->awards : 0,
             "holder award slice");
        SAME(ha->nexceptions ? ha->exceptions - a->exceptions : 0,
             hb->nexceptions ? hb->exceptions - b->exceptions : 0, "holder exception slice");
    }
}

/* Every count, array and text of a and b, and symbols found alike. */
static int same_snapshot(const cx_snapshot *a, const cx_snapshot *b)
{
    diffs = 0;
    SAME(a->content_version, b->content_version, "content version");
    for (int t = 0; t < CX_SNAP_NTABLES; t++) SAME(a->count[t], b->count[t], "a count");
    SAME(a->nresults, b->nresults, "results");
    SAME(a->nexceptions, b->nexceptions, "exceptions");
    SAME(a->ngrades, b->ngrades, "grades");
    if (diffs) return diffs;
    same_places(a, b);
    for (uint32_t i = 0; i < a->count[CX_KIND_CREDENTIAL]; i++)
        same_credential(&a->credentials[i], &b->credentials[i]);
    same_holders(a, b);
    for (uint32_t i = 0; i < a->count[CX_KIND_AWARD]; i++) {
        same_award(a, &a->awards[i], b, &b->awards[i]);
        SAME(a->awards_by_id[i], b->awards_by_id[i], "awards_by_id");
    }
    for (uint32_t i = 0; i < a->nexceptions; i++)
        same_exception(&a->exceptions[i], &b->exceptions[i]);
    for (uint32_t i = 0; i < a->count[CX_SNAP_TAG]; i++) same_text(a->tags[i], b->tags[i], "tag");
    for (uint32_t i = 0; i < a->ngrades; i++) same_text(a->grades[i], b->grades[i], "grades");
    for (int t = 0; t < CX_SNAP_NTABLES; t++)
        for (uint32_t sym = 0; sym < a->count[t]; sym++)
            SAME(cx__snapshot_find(b, t, cx__snapshot_id(a, t, sym)), sym, "a look-up");
    return diffs;
}

/* ------------------------------------------------------------ cases */

static const char *const both[] = {catalog, update};

TEST(written_after_a_load_then_used_and_equal)
{
    remove_registry("r.db");
    cx_registry *r = registry_file("r.db", 0, both, 1);
    struct stat st;
    char why[128];
    CHECK_INT(cache_state(r, why, sizeof why), CX_CACHE_NONE);
    cx_snapshot *fresh = load(r);
    CHECK(fresh && !fresh->from_cache);
    CHECK_INT(stat(in_dir("r.db.snapshot"), &st), 0);
    CHECK_INT(cache_state(r, why, sizeof why), CX_CACHE_FRESH);
    CHECK_STR(why, "fresh (content version 1)");
    cx_snapshot *cached = load(r);
    CHECK(cached && cached->from_cache);
    if (cx__snapshot_cache_base()) /* mapped where the writer assumed it */
        CHECK(cached && cached->map != NULL);
    if (fresh && cached) CHECK_INT(same_snapshot(fresh, cached), 0);
    if (cached) { /* interned texts stay one pointer: both results keyed english */
        cx_sym h = cx__snapshot_find(cached, CX_KIND_HOLDER, "h-0001");
        const char *english = NULL;
        int shared = 0;
        for (uint32_t i = 0; h != CX_NOSYM && i < cached->holders[h].nawards; i++) {
            uint32_t n;
            const cx_snap_result *res =
                cx__snapshot_results(cached, &cached->holders[h].awards[i], &n);
            for (uint32_t k = 0; k < n; k++) {
                if (strcmp(res[k].key, "english") != 0) continue;
                shared += english == res[k].key;
                if (!english) english = res[k].key;
            }
        }
        CHECK_INT(shared, 1);
        cx_sym prov = cx__snapshot_find(cached, CX_KIND_HOLDER, "h-prov");
        const cx_snap_award *a = prov == CX_NOSYM ? NULL : &cached->holders[prov].awards[0];
        CHECK(a && (a->flags & CX_AWARD_UNVERIFIED));
        if (a) CHECK_STR(cx__snap_award_note(a), "proof eddsa-rdfc-2022 not verified");
    }
    cx__snapshot_free(fresh);
    cx__snapshot_free(cached);
    cx_registry_close(r);
}

/* The cache is mapped at the address its pointers assume when that is
 * free and the file is this user's alone; else read and its pointers
 * moved: a second snapshot of it while the first lives, a group-writable
 * file. Either way equal to a load from the registry. The mapping is
 * read-only and private for the snapshot's life. */
TEST(mapped_or_read_and_moved_alike)
{
    remove_registry("m.db");
    cx_registry *r = registry_file("m.db", 0, both, 1);
    const char *cache = in_dir("m.db.snapshot");
    cx_snapshot *fresh = load(r), *first = load(r), *second = load(r);
    CHECK(fresh && first && second && !fresh->from_cache && first->from_cache &&
          second->from_cache);
    if (!fresh || !first || !second) goto done;
#if defined(__linux__) && UINTPTR_MAX > 0xffffffffu && !defined(__SANITIZE_THREAD__)
    CHECK(cx__snapshot_cache_base() != 0); /* 64-bit Linux maps caches (but under TSan) */
#endif
    if (cx__snapshot_cache_base()) CHECK(first->map != NULL);
    CHECK(second->map == NULL); /* the address is the first's */
    CHECK_INT(same_snapshot(fresh, first), 0);
    CHECK_INT(same_snapshot(fresh, second), 0);
    CHECK(first->count[CX_KIND_AWARD] > 0);
    const char *perms = first->map ? map_permissions(first->map) : NULL;
    if (perms) CHECK_STR(perms, "r--p"); /* read-only, private (unless /proc is not there) */
    cx__snapshot_free(second);
    cx__snapshot_free(first);
    second = first = NULL;
    CHECK_INT(chmod(cache, 0664), 0); /* others may write it: read, not mapped */
    first = load(r);
    CHECK(first && first->from_cache && first->map == NULL);
    if (first) CHECK_INT(same_snapshot(fresh, first), 0);
    CHECK_INT(chmod(cache, 0644), 0);
done:
    cx__snapshot_free(second);
    cx__snapshot_free(first);
    cx__snapshot_free(fresh);
    cx_registry_close(r);
}

TEST(no_cache_neither_reads_nor_writes)
{
    struct stat st;
    remove_registry("n.db");
    cx_registry *r = registry_file("n.db", 1, both, 1);
    cx_snapshot *s = load(r);
    CHECK(s && !s->from_cache);
    CHECK(stat(in_dir("n.db.snapshot"), &st) != 0 && errno == ENOENT);
    cx__snapshot_free(s);
    cx_registry_close(r);
    r = registry_file("n.db", 0, both, 0); /* with the cache: written, then used */
    s = load(r);
    CHECK(s && !s->from_cache);
    cx__snapshot_free(s);
    s = load(r);
    CHECK(s && s->from_cache);
    cx__snapshot_free(s);
    cx_registry_close(r);
    r = registry_file("n.db", 1, both, 0);
    s = load(r);
    CHECK(s && !s->from_cache);
    cx__snapshot_free(s);
    cx_registry_close(r);
}

TEST(an_import_makes_it_stale)
{
    char why[128];
    remove_registry("i.db");
    cx_registry *r = registry_file("i.db", 0, both, 1);
    cx__snapshot_free(load(r));
    r = (cx_registry_close(r), registry_file("i.db", 0, both + 1, 1)); /* content version 2 */
    CHECK_INT(cache_state(r, why, sizeof why), CX_CACHE_STALE);
    CHECK_STR(why, "written at another content version");
    cx_snapshot *s = load(r);
    CHECK(s && !s->from_cache);
    CHECK(s && s->content_version == 2);
    CHECK(s && cx__snapshot_find(s, CX_KIND_HOLDER, "h-0004") != CX_NOSYM);
    cx_snapshot *again = load(r);
    CHECK(again && again->from_cache);
    if (s && again) CHECK_INT(same_snapshot(s, again), 0);
    CHECK_INT(cache_state(r, why, sizeof why), CX_CACHE_FRESH);
    CHECK_STR(why, "fresh (content version 2)");
    cx__snapshot_free(s);
    cx__snapshot_free(again);
    cx_registry_close(r);
}

TEST(a_recreated_registry_does_not_use_the_old_cache)
{
    char why[128];
    size_t n = 0;
    remove_registry("re.db");
    cx_registry *r = registry_file("re.db", 0, both, 1);
    cx__snapshot_free(load(r));
    cx_registry_close(r);
    char *old = read_bytes(in_dir("re.db.snapshot"), &n);
    remove_registry("re.db");
    /* the same content version 1, other content: the update alone */
    static const char *const other[] = {
        "jurisdictions: [ { id: US-CA, name: California } ]\n"
        "credentials:\n"
        "  - { id: CA-EVS-101, name: EV Safety, type: course, jurisdiction: US-CA }\n"};
    r = registry_file("re.db", 0, other, 1);
    write_bytes(in_dir("re.db.snapshot"), old, n);
    CHECK_INT(cache_state(r, why, sizeof why), CX_CACHE_STALE);
    CHECK_STR(why, "written for another registry");
    cx_snapshot *s = load(r);
    CHECK(s && !s->from_cache && s->content_version == 1);
    CHECK(s && s->count[CX_KIND_HOLDER] == 0 && s->count[CX_KIND_CREDENTIAL] == 1);
    cx__snapshot_free(s);
    free(old);
    cx_registry_close(r);
}

/* Damages the cache of reg (bytes of the good one: good, n) with fn, then
 * checks what the check says, that the load ignores it and equals fresh,
 * and that the load leaves a good cache (rebuilt) unless kept is 1. */
static void damaged(cx_registry *r, const cx_snapshot *fresh, const char *what, cx_cache_state want,
                    const char *why_want, int kept)
{
    char why[128];
    CHECK_INT(cache_state(r, why, sizeof why), want);
    if (strcmp(why, why_want) != 0) fprintf(stderr, "  case: %s\n", what);
    CHECK_STR(why, why_want);
    cx_snapshot *s = load(r);
    CHECK(s && !s->from_cache);
    if (s) CHECK_INT(same_snapshot(fresh, s), 0);
    cx__snapshot_free(s);
    if (!kept) CHECK_INT(cache_state(r, why, sizeof why), CX_CACHE_FRESH);
}

TEST(damaged_and_foreign_caches_are_ignored_and_rebuilt)
{
    size_t n = 0;
    remove_registry("d.db");
    cx_registry *r = registry_file("d.db", 0, both, 1);
    cx_snapshot *fresh = load(r);
    const char *cache = in_dir("d.db.snapshot");
    char *good = read_bytes(cache, &n), *bad = malloc(n + 1);
    size_t header = cx__snapshot_cache_header_size();
    CHECK(good && bad && n > header + 64);
    if (!good || !bad || !fresh || n <= header + 64) goto done;

    write_bytes(cache, good, n / 2);
    damaged(r, fresh, "half", CX_CACHE_CORRUPT, "truncated or extended", 0);
    write_bytes(cache, good, 10);
    damaged(r, fresh, "ten bytes", CX_CACHE_CORRUPT, "truncated", 0);
    write_bytes(cache, good, 0);
    damaged(r, fresh, "empty", CX_CACHE_CORRUPT, "truncated", 0);
    memcpy(bad, good, n);
    bad[n] = 'x';
    write_bytes(cache, bad, n + 1);
    damaged(r, fresh, "a byte more", CX_CACHE_CORRUPT, "truncated or extended", 0);
    for (size_t at = header; at < n; at += (n - header) / 7) { /* a bit flipped */
        memcpy(bad, good, n);
        bad[at] ^= 0x10;
        write_bytes(cache, bad, n);
        damaged(r, fresh, "a bit", CX_CACHE_CORRUPT, "checksum mismatch", 0);
    }
    memcpy(bad, good, n);
    bad[0] = 'X';
    write_bytes(cache, bad, n);
    damaged(r, fresh, "magic", CX_CACHE_CORRUPT, "not a snapshot cache", 0);
    memcpy(bad, good, n);
    memcpy(bad + header - 32, "0.0.0-other", 12); /* the engine field ends the header */
    write_bytes(cache, bad, n);
    damaged(r, fresh, "engine", CX_CACHE_STALE, "written by another credex", 0);

    unlink(cache); /* a symlink to a good cache is not followed, and is replaced */
    write_bytes(in_dir("elsewhere"), good, n);
    CHECK_INT(symlink(in_dir("elsewhere"), cache), 0);
    damaged(r, fresh, "symlink", CX_CACHE_CORRUPT, "not a regular file", 0);
    struct stat st;
    CHECK(lstat(cache, &st) == 0 && S_ISREG(st.st_mode));
    unlink(cache); /* a directory stays: no cache is written over it */
    CHECK_INT(mkdir(cache, 0755), 0);
    damaged(r, fresh, "directory", CX_CACHE_CORRUPT, "not a regular file", 1);
    CHECK(lstat(cache, &st) == 0 && S_ISDIR(st.st_mode));
    rmdir(cache);
done:
    free(good);
    free(bad);
    cx__snapshot_free(fresh);
    cx_registry_close(r);
}

/* A catalog of n holders with three awards each. */
static char *many_holders(int n)
{
    size_t cap = (size_t)n * 240 + 512, len = 0;
    char *text = malloc(cap);
    if (!text) return NULL;
    len += (size_t)snprintf(text, cap,
                            "jurisdictions: [ { id: US-OH, name: Ohio } ]\n"
                            "credentials:\n"
                            "  - { id: C1, name: One, type: course, jurisdiction: US-OH }\n"
                            "  - { id: C2, name: Two, type: course, jurisdiction: US-OH,"
                            " valid_for: P3Y }\n"
                            "holders:\n");
    for (int i = 0; i < n && len < cap; i++)
        len += (size_t)snprintf(text + len, cap - len,
                                "  - id: m%06d\n    awards:\n"
                                "      - { credential: C1, issued: 2024-0%d-1%d }\n"
                                "      - { credential: C2, issued: 2023-1%d-0%d }\n"
                                "      - { credential: C2, issued: 2025-0%d-2%d }\n",
                                i, 1 + i % 9, i % 10, i % 3, 1 + i % 9, 1 + i % 7, i % 9);
    return text;
}

/* A cache of several checksum segments (8 MiB each, summed alone, then
 * their sums): the writer's running sum and the readers' segments agree,
 * and a bit flipped in any segment, the last one short, is found. */
TEST(a_cache_of_several_segments)
{
    enum { SEGMENT = 8 << 20 };
    size_t n = 0, header = cx__snapshot_cache_header_size();
    char why[128], *text = many_holders(75000), *good = NULL, *bad = NULL;
    const char *texts[1] = {text};
    cx_snapshot *fresh = NULL, *cached = NULL;
    remove_registry("m.db");
    cx_registry *r = text ? registry_file("m.db", 0, texts, 1) : NULL;
    if (r) fresh = load(r); /* from SQLite: writes the cache */
    if (fresh) good = read_bytes(in_dir("m.db.snapshot"), &n);
    CHECK(good && n > header + 2 * (size_t)SEGMENT && (n - header) % SEGMENT != 0);
    if (!good || n <= header + 2 * (size_t)SEGMENT || !(bad = malloc(n))) goto done;
    CHECK_INT(cache_state(r, why, sizeof why), CX_CACHE_FRESH);
    cached = load(r);
    CHECK(cached && cached->from_cache);
    if (cached) CHECK_INT(same_snapshot(fresh, cached), 0);
    size_t at[] = {header, header + SEGMENT - 1, header + SEGMENT, header + 2 * (size_t)SEGMENT + 3,
                   n - 1};
    for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
        memcpy(bad, good, n);
        bad[at[i]] ^= 0x01;
        write_bytes(in_dir("m.db.snapshot"), bad, n);
        damaged(r, fresh, "a bit of a segment", CX_CACHE_CORRUPT, "checksum mismatch", 0);
    }
done:
    free(text);
    free(good);
    free(bad);
    cx__snapshot_free(fresh);
    cx__snapshot_free(cached);
    cx_registry_close(r);
    remove_registry("m.db");
}

static void resealed_pass(int moved);

/* Every 4-byte word of a good payload overwritten with hostile values and
 * sealed again with a right checksum: the load refuses it or takes a
 * snapshot whose every index holds (ASan checks the walk). Twice: mapped
 * where the writer assumed, and read and moved (the address taken first,
 * as by another snapshot), the path of a file others may write. */
TEST(resealed_hostile_payloads_never_crash)
{
    for (int moved = 0; moved < 2; moved++) {
        void *taken_at = NULL;
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
#ifdef MAP_FIXED_NOREPLACE
        if (moved && cx__snapshot_cache_base()) {
            taken_at = mmap((void *)cx__snapshot_cache_base(), page, PROT_NONE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
            CHECK(taken_at == (void *)cx__snapshot_cache_base());
        }
#endif
        resealed_pass(moved);
        if (taken_at && taken_at != MAP_FAILED) munmap(taken_at, page);
    }
}

static void resealed_pass(int moved)
{
    static const uint32_t values[] = {0xffffffffu, 0x7fffffffu, 0x80000000u, 1000000u, 0};
    size_t n = 0;
    int refused = 0, taken = 0;
    remove_registry("h.db");
    cx_registry *r = registry_file("h.db", 0, both, 1);
    cx_snapshot *fresh = load(r);
    cx_snap_key key;
    const char *why;
    char *good = read_bytes(in_dir("h.db.snapshot"), &n);
    size_t header = cx__snapshot_cache_header_size();
    CHECK(fresh && good && n > header);
    if (!fresh || !good || n <= header) goto done;
    memset(&key, 0, sizeof key);
    key.content_version = 1;
    snprintf(key.registry_id, sizeof key.registry_id, "%s", "00112233445566778899aabbccddeeff");
    char *payload = good + header;
    size_t size = n - header;
    for (size_t at = 0; at + 4 <= size; at += 4) {
        for (size_t v = 0; v < sizeof values / sizeof *values; v++) {
            uint32_t keep;
            memcpy(&keep, payload + at, 4);
            memcpy(payload + at, &values[v], 4);
            CHECK_INT(cx__snapshot_cache_seal(in_dir("h.db"), &key, payload, size), 0);
            memcpy(payload + at, &keep, 4);
            cx_snapshot *s = calloc(1, sizeof *s);
            if (!s) continue;
            if (cx__snapshot_cache_read(s, in_dir("h.db"), &key, &why) == CX_CACHE_FRESH) {
                taken++;
                if (moved) CHECK(s->map == NULL);
                if (!moved && cx__snapshot_cache_base()) CHECK(s->map != NULL);
                CHECK_INT(cx__snapshot_index(s), 0);
                /* ids may be out of order now, so a find may miss: a walk, for ASan */
                for (int t = 0; t < CX_SNAP_NTABLES; t++)
                    for (uint32_t sym = 0; sym < s->count[t]; sym++)
                        (void)cx__snapshot_find(s, t, cx__snapshot_id(s, t, sym));
                for (uint32_t i = 0; i < s->count[CX_KIND_AWARD]; i++) {
                    uint32_t k;
                    const cx_snap_result *res = cx__snapshot_results(s, &s->awards[i], &k);
                    for (uint32_t j = 0; j < k; j++) CHECK(res[j].key != NULL);
                    CHECK(cx__snapshot_id(s, CX_KIND_AWARD, s->awards_by_id[i]) != NULL);
                    CHECK(s->awards[i].holder < s->count[CX_KIND_HOLDER]);
                }
            } else {
                refused++;
            }
            cx__snapshot_free(s);
        }
    }
    CHECK(refused > 0);
    CHECK(taken > 0); /* some words are values no check can tell from good ones */
done:
    free(good);
    cx__snapshot_free(fresh);
    cx_registry_close(r);
}

int main(void)
{
    const char *base = getenv("TEST_TMP") ? getenv("TEST_TMP") : "/tmp";
    snprintf(dir, sizeof dir, "%s/snapcache-XXXXXX", base);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    static const test_case cases[] = {
        {"written_after_a_load_then_used_and_equal", written_after_a_load_then_used_and_equal},
        {"mapped_or_read_and_moved_alike", mapped_or_read_and_moved_alike},
        {"a_cache_of_several_segments", a_cache_of_several_segments},
        {"no_cache_neither_reads_nor_writes", no_cache_neither_reads_nor_writes},
        {"an_import_makes_it_stale", an_import_makes_it_stale},
        {"a_recreated_registry_does_not_use_the_old_cache",
         a_recreated_registry_does_not_use_the_old_cache},
        {"damaged_and_foreign_caches_are_ignored_and_rebuilt",
         damaged_and_foreign_caches_are_ignored_and_rebuilt},
        {"resealed_hostile_payloads_never_crash", resealed_hostile_payloads_never_crash},
        {NULL, NULL}};
    int rc = test_run_(cases);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return rc;
}
