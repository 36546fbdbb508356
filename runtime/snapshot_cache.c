/*
 * snapshot_cache.c -- the snapshot cache (docs/registry.md, "The snapshot
 * cache"): a loaded snapshot written beside its registry file as one
 * file whose pointers are the ones it has when the file is mapped at
 * CACHE_BASE. Read back, it is mapped there read-only, or, where that
 * address is taken or the file is not ours alone, read into memory and its
 * pointers moved; either way only after its header, size, checksum and
 * every pointer, offset and index in it are checked. Never speaks SQL
 * (registry.h gives the key) and never hands out a snapshot it has not
 * checked whole.
 */
#define _DEFAULT_SOURCE /* MAP_FIXED_NOREPLACE */
#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "registry.h"

#define CACHE_MAGIC   "CXSNAP\r\n" /* 8 bytes; \r\n catches text-mode copies */
#define CACHE_FORMAT  3            /* bump when the payload's layout or its checksum changes */
#define CACHE_SUFFIX  ".snapshot"
#define WRITE_BUFFER  (1u << 20) /* stdio buffer of the writer */
#define STAGE_BUFFER  (64u * 1024)
#define CHECK_PRIME_1 UINT64_C(0x9E3779B185EBCA87)
#define CHECK_PRIME_2 UINT64_C(0xC2B2AE3D27D4EB4F)
#define SEGMENT       (8u << 20) /* payload bytes summed alone (payload_sum) */

/* Where the writer assumes the file will be mapped: its pointers are
 * those of a mapping at this address. Far from where heaps, stacks and
 * libraries go on 64-bit Linux, and from ASan's shadow and allocator
 * (docs/registry.md, "The snapshot cache"); when it is taken anyway the
 * cache is read and moved instead. */
#if defined(__SANITIZE_THREAD__) /* gcc; clang says so through __has_feature */
#define CACHE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CACHE_TSAN 1
#endif
#endif
/* ThreadSanitizer keeps that address for itself (it aborts a mapping
 * there): a TSan build reads and moves. */
#if UINTPTR_MAX > 0xffffffffu && defined(MAP_FIXED_NOREPLACE) && !defined(CACHE_TSAN)
#define CACHE_BASE    UINT64_C(0x2a0000000000)
#define CACHE_CAN_MAP 1
#else
#define CACHE_BASE    UINT64_C(0x40000000)
#define CACHE_CAN_MAP 0
#endif

/* The payload's sections, in file order; the section table follows them. */
enum section {
    S_JURISDICTIONS,
    S_GROUPS,
    S_MEMBERSHIPS, /* every group's, in group order */
    S_PROVIDERS,
    S_FRAMEWORKS,
    S_COMPETENCIES,
    S_CREDENTIALS,
    S_CRED_COMPETENCIES, /* every credential's list, in credential order */
    S_CRED_TAGS,
    S_CRED_CODES,
    S_CRED_ATTRS,
    S_CRED_GRADES,
    S_HOLDERS,
    S_HOLDER_ATTRS, /* every holder's, in holder order */
    S_AWARDS,       /* as snapshot.awards: grouped by holder */
    S_AWARDS_BY_ID,
    S_RESULTS,
    S_EXCEPTIONS,
    S_TAGS,
    S_GRADES,
    S_STRINGS, /* every text, NUL-terminated; a text field holds its offset + 1 */
    NSECTIONS
};

static const size_t elem_size[NSECTIONS] = {sizeof(cx_snap_jurisdiction),
                                            sizeof(cx_snap_group),
                                            sizeof(cx_snap_membership),
                                            sizeof(cx_snap_provider),
                                            sizeof(cx_snap_framework),
                                            sizeof(cx_snap_competency),
                                            sizeof(cx_snap_credential),
                                            sizeof(cx_sym),
                                            sizeof(cx_sym),
                                            sizeof(cx_snap_code),
                                            sizeof(cx_snap_attr),
                                            sizeof(const char *),
                                            sizeof(cx_snap_holder),
                                            sizeof(cx_snap_attr),
                                            sizeof(cx_snap_award),
                                            sizeof(uint32_t),
                                            sizeof(cx_snap_result),
                                            sizeof(cx_snap_exception),
                                            sizeof(const char *),
                                            sizeof(const char *),
                                            1};

/* The header, at offset 0; the payload follows it. Text fields are
 * NUL-padded. Only the magic is compared before the rest is known to be a
 * header of this format. */
typedef struct cache_header {
    char magic[8];
    uint32_t format;         /* CACHE_FORMAT */
    uint32_t layout;         /* layout_print(): structure sizes and byte order of the writer */
    int64_t content_version; /* the registry's when the snapshot was loaded */
    int64_t schema_version;  /* cx_registry_schema_version() */
    uint64_t payload_size;   /* bytes after the header */
    uint64_t checksum;       /* of the payload (struct checksum) */
    uint64_t base;           /* the address the pointers in the payload assume for the header */
    char registry_id[40];    /* meta 'registry_id' */
    char digest[72];         /* the last import's digest (import_log) */
    char engine[32];         /* CREDEX_VERSION */
} cache_header;

/* Where a section lies in the payload. */
typedef struct section_entry {
    uint64_t offset; /* from the payload's start; a multiple of 8 */
    uint64_t count;  /* elements of elem_size[section] bytes */
} section_entry;

/* ------------------------------------------------------------ checksum */

/* A 64-bit checksum in the manner of xxHash64: four lanes of multiply and
 * rotate over 8-byte words, then the tail and an avalanche. It catches a
 * torn, truncated or damaged file at memory speed; it is no defence
 * against someone who can write the directory (docs/security.md). */
typedef struct checksum {
    uint64_t lane[4];
    unsigned char tail[32]; /* bytes not yet in a lane */
    size_t ntail;
    uint64_t total;
} checksum;

static uint64_t rotl(uint64_t x, int r)
{
    return x << r | x >> (64 - r);
}

static uint64_t check_round(uint64_t lane, uint64_t word)
{
    return rotl(lane + word * CHECK_PRIME_2, 31) * CHECK_PRIME_1;
}

static void check_init(checksum *c)
{
    c->lane[0] = CHECK_PRIME_1 + CHECK_PRIME_2;
    c->lane[1] = CHECK_PRIME_2;
    c->lane[2] = 0;
    c->lane[3] = 0 - CHECK_PRIME_1;
    c->ntail = 0;
    c->total = 0;
}

static void check_block(checksum *c, const unsigned char *p)
{
    for (int i = 0; i < 4; i++) {
        uint64_t word;
        memcpy(&word, p + 8 * i, sizeof word);
        c->lane[i] = check_round(c->lane[i], word);
    }
}

static void check_update(checksum *c, const void *data, size_t n)
{
    const unsigned char *p = data;
    c->total += n;
    if (c->ntail) {
        size_t take = n < 32 - c->ntail ? n : 32 - c->ntail;
        memcpy(c->tail + c->ntail, p, take);
        c->ntail += take, p += take, n -= take;
        if (c->ntail < 32) return;
        check_block(c, c->tail);
        c->ntail = 0;
    }
    for (; n >= 32; p += 32, n -= 32) check_block(c, p);
    memcpy(c->tail, p, n);
    c->ntail = n;
}

static uint64_t check_final(const checksum *c)
{
    uint64_t h = rotl(c->lane[0], 1) + rotl(c->lane[1], 7) + rotl(c->lane[2], 12) +
                 rotl(c->lane[3], 18) + c->total * CHECK_PRIME_1;
    for (size_t i = 0; i < c->ntail; i++)
        h = rotl(h ^ (c->tail[i] * CHECK_PRIME_2), 11) * CHECK_PRIME_1;
    h ^= h >> 33;
    h *= CHECK_PRIME_2;
    h ^= h >> 29;
    h *= CHECK_PRIME_1;
    return h ^ h >> 32;
}

/* A payload's checksum: each SEGMENT bytes summed alone, then their sums
 * in order, as 8-byte words, summed: so that the threads checking a
 * mapped payload can each take segments (check_payload). */
typedef struct payload_sum {
    checksum segment; /* the segment under way */
    checksum sums;    /* over the sums of the segments done */
} payload_sum;

static void sum_init(payload_sum *p)
{
    check_init(&p->segment);
    check_init(&p->sums);
}

static void sum_segment_done(payload_sum *p)
{
    uint64_t sum = check_final(&p->segment);
    check_update(&p->sums, &sum, sizeof sum);
    check_init(&p->segment);
}

static void sum_update(payload_sum *p, const void *data, size_t n)
{
    const unsigned char *at = data;
    while (n) {
        size_t take = SEGMENT - p->segment.total < n ? SEGMENT - p->segment.total : n;
        check_update(&p->segment, at, take);
        at += take, n -= take;
        if (p->segment.total == SEGMENT) sum_segment_done(p);
    }
}

static uint64_t sum_final(payload_sum *p)
{
    if (p->segment.total) sum_segment_done(p);
    return check_final(&p->sums);
}

/* The sum of segment i of data (size bytes), alone. */
static uint64_t segment_sum(const char *data, uint64_t size, uint64_t i)
{
    checksum c;
    uint64_t at = i * SEGMENT, n = size - at < SEGMENT ? size - at : SEGMENT;
    check_init(&c);
    check_update(&c, data + at, (size_t)n);
    return check_final(&c);
}

/* A fingerprint of what this build's payload looks like in memory: the
 * size of every element, of a pointer, and the byte order. */
static uint32_t layout_print(void)
{
    uint64_t sizes[NSECTIONS + 2];
    checksum c;
    for (int i = 0; i < NSECTIONS; i++) sizes[i] = elem_size[i];
    sizes[NSECTIONS] = sizeof(void *);
    memcpy(&sizes[NSECTIONS + 1], "\1\2\3\4\5\6\7\10", 8); /* its value tells the byte order */
    check_init(&c);
    check_update(&c, sizes, sizeof sizes);
    return (uint32_t)check_final(&c);
}

/* The header a cache for key must have (all but payload size and checksum). */
static void expected_header(const cx_snap_key *key, cache_header *h)
{
    memset(h, 0, sizeof *h);
    memcpy(h->magic, CACHE_MAGIC, sizeof h->magic);
    h->format = CACHE_FORMAT;
    h->layout = layout_print();
    h->base = CACHE_BASE;
    h->content_version = key->content_version;
    h->schema_version = cx_registry_schema_version();
    snprintf(h->registry_id, sizeof h->registry_id, "%s", key->registry_id);
    snprintf(h->digest, sizeof h->digest, "%s", key->digest);
    snprintf(h->engine, sizeof h->engine, "%s", CREDEX_VERSION);
}

char *cx__snapshot_cache_path(const char *registry_file)
{
    if (!registry_file || strncmp(registry_file, "file:", 5) == 0) return NULL; /* a URI */
    size_t len = strlen(registry_file);
    char *path = malloc(len + sizeof CACHE_SUFFIX);
    if (path) {
        memcpy(path, registry_file, len);
        memcpy(path + len, CACHE_SUFFIX, sizeof CACHE_SUFFIX);
    }
    return path;
}

/* ------------------------------------------------------------ writing */

/* Interned texts already written: pointer -> reference, open addressing. */
typedef struct ref_map {
    uintptr_t *keys; /* 0: empty */
    uint64_t *refs;
    size_t cap, n;
} ref_map;

typedef struct writer {
    FILE *f;
    payload_sum check;
    uint64_t pos;                /* payload bytes written */
    char *strings;               /* the S_STRINGS section, built in memory */
    size_t nstrings, capstrings; /* bytes used, allocated */
    ref_map interned;
    section_entry plan[NSECTIONS];     /* where every section will lie (plan_sections) */
    section_entry table[NSECTIONS];    /* where it did */
    uint64_t payload_at;               /* the payload's address when mapped at CACHE_BASE */
    uint64_t at[NSECTIONS];            /* elements of each section given to slices so far */
    unsigned char stage[STAGE_BUFFER]; /* elements on their way to f */
    size_t nstage;
    int failed; /* a write or an allocation failed */
} writer;

static void flush_stage(writer *w)
{
    if (!w->nstage) return;
    sum_update(&w->check, w->stage, w->nstage);
    if (fwrite(w->stage, 1, w->nstage, w->f) != w->nstage) w->failed = 1;
    w->pos += w->nstage;
    w->nstage = 0;
}

static void put(writer *w, const void *data, size_t n)
{
    const unsigned char *p = data;
    while (n) { /* (data may be NULL when n is 0) */
        if (w->nstage == STAGE_BUFFER) flush_stage(w);
        size_t take = n < STAGE_BUFFER - w->nstage ? n : STAGE_BUFFER - w->nstage;
        memcpy(w->stage + w->nstage, p, take);
        w->nstage += take, p += take, n -= take;
    }
}

/* Pads the payload to a multiple of 8 bytes. */
static void pad8(writer *w)
{
    static const unsigned char zeros[8];
    uint64_t at = w->pos + w->nstage;
    if (at % 8) put(w, zeros, 8 - at % 8);
}

/* Lays out every section but the strings, whose size is known only once
 * they are written but whose place is after all the others: so that a
 * text's address is known when the element that points at it is. */
static void plan_sections(writer *w, const cx_snapshot *s)
{
    uint64_t *n = w->at; /* counts first, then zeroed for the slices */
    n[S_JURISDICTIONS] = s->count[CX_KIND_JURISDICTION];
    n[S_GROUPS] = s->count[CX_KIND_GROUP];
    for (uint32_t i = 0; i < s->count[CX_KIND_GROUP]; i++)
        n[S_MEMBERSHIPS] += s->groups[i].nmemberships;
    n[S_PROVIDERS] = s->count[CX_KIND_PROVIDER];
    n[S_FRAMEWORKS] = s->count[CX_KIND_FRAMEWORK];
    n[S_COMPETENCIES] = s->count[CX_KIND_COMPETENCY];
    n[S_CREDENTIALS] = s->count[CX_KIND_CREDENTIAL];
    for (uint32_t i = 0; i < s->count[CX_KIND_CREDENTIAL]; i++) {
        const cx_snap_credential *cr = &s->credentials[i];
        n[S_CRED_COMPETENCIES] += cr->ncompetencies, n[S_CRED_TAGS] += cr->ntags;
        n[S_CRED_CODES] += cr->ncodes, n[S_CRED_ATTRS] += cr->nattrs;
        n[S_CRED_GRADES] += cr->ngrades;
    }
    n[S_HOLDERS] = s->count[CX_KIND_HOLDER];
    for (uint32_t i = 0; i < s->count[CX_KIND_HOLDER]; i++)
        n[S_HOLDER_ATTRS] += s->holders[i].nattrs;
    n[S_AWARDS] = n[S_AWARDS_BY_ID] = s->count[CX_KIND_AWARD];
    n[S_RESULTS] = s->nresults;
    n[S_EXCEPTIONS] = s->nexceptions;
    n[S_TAGS] = s->count[CX_SNAP_TAG];
    n[S_GRADES] = s->ngrades;
    uint64_t end = 0;
    for (int k = 0; k < NSECTIONS; k++) {
        end = (end + 7) / 8 * 8;
        w->plan[k].offset = end;
        w->plan[k].count = n[k];
        end += n[k] * elem_size[k];
        n[k] = 0;
    }
    w->payload_at = CACHE_BASE + sizeof(cache_header);
}

/* Starts section k at the next multiple of 8, where the plan has it. */
static void begin_section(writer *w, int k)
{
    pad8(w);
    w->table[k] = w->plan[k];
    if (w->pos + w->nstage != w->plan[k].offset) w->failed = 1; /* cannot happen */
}

/* The address of a text (len bytes and its NUL) appended to the strings;
 * 0 for NULL. */
static uint64_t text_ref_len(writer *w, const char *text, size_t len)
{
    if (!text) return 0;
    if (w->nstrings + len + 1 > w->capstrings) {
        size_t cap = w->capstrings ? w->capstrings : 1 << 16;
        while (cap < w->nstrings + len + 1) cap *= 2;
        char *grown = realloc(w->strings, cap);
        if (!grown) {
            w->failed = 1;
            return 0;
        }
        w->strings = grown;
        w->capstrings = cap;
    }
    memcpy(w->strings + w->nstrings, text, len);
    w->strings[w->nstrings + len] = '\0';
    w->nstrings += len + 1;
    return w->payload_at + w->plan[S_STRINGS].offset + (w->nstrings - len - 1);
}

static uint64_t text_ref(writer *w, const char *text)
{
    return text ? text_ref_len(w, text, strlen(text)) : 0;
}

static int ref_map_grow(ref_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 256;
    uintptr_t *keys = calloc(cap, sizeof *keys);
    uint64_t *refs = calloc(cap, sizeof *refs);
    if (!keys || !refs) {
        free(keys);
        free(refs);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t j = (m->keys[i] >> 3) * 0x9E3779B97F4A7C15u & (cap - 1);
        while (keys[j]) j = (j + 1) & (cap - 1);
        keys[j] = m->keys[i];
        refs[j] = m->refs[i];
    }
    free(m->keys);
    free(m->refs);
    m->keys = keys;
    m->refs = refs;
    m->cap = cap;
    return 0;
}

/* The address of an interned text: written once, so that equal keys
 * stay one pointer after loading (snapshot.h). */
static uint64_t interned_ref(writer *w, const char *text)
{
    ref_map *m = &w->interned;
    if (!text) return 0;
    if (2 * (m->n + 1) > m->cap && ref_map_grow(m)) {
        w->failed = 1;
        return 0;
    }
    uintptr_t key = (uintptr_t)text;
    size_t j = (key >> 3) * 0x9E3779B97F4A7C15u & (m->cap - 1);
    for (; m->keys[j]; j = (j + 1) & (m->cap - 1))
        if (m->keys[j] == key) return m->refs[j];
    m->keys[j] = key;
    m->n++;
    return m->refs[j] = text_ref(w, text);
}

/* Stores address ref in a pointer field of a staged element. */
static void set_ref(void *field, uint64_t ref)
{
    uintptr_t v = (uintptr_t)ref;
    memcpy(field, &v, sizeof v);
}

/* Points field at the next n elements of section k (NULL when n is 0, as
 * the loader makes them). */
static void set_slice(writer *w, void *field, int k, uint32_t n)
{
    set_ref(field, n ? w->payload_at + w->plan[k].offset + w->at[k] * elem_size[k] : 0);
    w->at[k] += n;
}

static void write_places(writer *w, const cx_snapshot *s)
{
    begin_section(w, S_JURISDICTIONS);
    for (uint32_t i = 0; i < s->count[CX_KIND_JURISDICTION]; i++) {
        cx_snap_jurisdiction e = s->jurisdictions[i];
        set_ref(&e.id, text_ref(w, e.id));
        set_ref(&e.name, text_ref(w, e.name));
        set_ref(&e.kind, interned_ref(w, e.kind));
        put(w, &e, sizeof e);
    }
    begin_section(w, S_GROUPS);
    for (uint32_t i = 0; i < s->count[CX_KIND_GROUP]; i++) {
        cx_snap_group e = s->groups[i];
        set_ref(&e.id, text_ref(w, e.id));
        set_ref(&e.name, text_ref(w, e.name));
        set_slice(w, &e.memberships, S_MEMBERSHIPS, e.nmemberships);
        put(w, &e, sizeof e);
    }
    begin_section(w, S_MEMBERSHIPS);
    for (uint32_t i = 0; i < s->count[CX_KIND_GROUP]; i++)
        for (uint32_t k = 0; k < s->groups[i].nmemberships; k++) {
            cx_snap_membership e = s->groups[i].memberships[k];
            set_ref(&e.status, interned_ref(w, e.status));
            put(w, &e, sizeof e);
        }
    begin_section(w, S_PROVIDERS);
    for (uint32_t i = 0; i < s->count[CX_KIND_PROVIDER]; i++) {
        cx_snap_provider e = s->providers[i];
        set_ref(&e.id, text_ref(w, e.id));
        set_ref(&e.name, text_ref(w, e.name));
        put(w, &e, sizeof e);
    }
}

static void write_frameworks(writer *w, const cx_snapshot *s)
{
    begin_section(w, S_FRAMEWORKS);
    for (uint32_t i = 0; i < s->count[CX_KIND_FRAMEWORK]; i++) {
        cx_snap_framework e = s->frameworks[i];
        set_ref(&e.id, text_ref(w, e.id));
        set_ref(&e.name, text_ref(w, e.name));
        put(w, &e, sizeof e);
    }
    begin_section(w, S_COMPETENCIES);
    for (uint32_t i = 0; i < s->count[CX_KIND_COMPETENCY]; i++) {
        cx_snap_competency e = s->competencies[i];
        set_ref(&e.id, text_ref(w, e.id));
        set_ref(&e.text, text_ref(w, e.text));
        put(w, &e, sizeof e);
    }
}

/* The credentials, then each of their lists as one section. */
static void write_credentials(writer *w, const cx_snapshot *s)
{
    uint32_t n = s->count[CX_KIND_CREDENTIAL];
    begin_section(w, S_CREDENTIALS);
    for (uint32_t i = 0; i < n; i++) {
        cx_snap_credential e = s->credentials[i];
        set_ref(&e.id, text_ref(w, e.id));
        set_ref(&e.name, text_ref(w, e.name));
        set_ref(&e.type, interned_ref(w, e.type));
        set_ref(&e.version, text_ref(w, e.version));
        set_ref(&e.valid_for, text_ref(w, e.valid_for));
        if (!e.valid_for) memset(&e.duration, 0, sizeof e.duration); /* as the reader checks */
        set_slice(w, &e.competencies, S_CRED_COMPETENCIES, e.ncompetencies);
        set_slice(w, &e.tags, S_CRED_TAGS, e.ntags);
        set_slice(w, &e.codes, S_CRED_CODES, e.ncodes);
        set_slice(w, &e.attrs, S_CRED_ATTRS, e.nattrs);
        set_slice(w, &e.grades, S_CRED_GRADES, e.ngrades);
        put(w, &e, sizeof e);
    }
    begin_section(w, S_CRED_COMPETENCIES);
    for (uint32_t i = 0; i < n; i++)
        put(w, s->credentials[i].competencies, s->credentials[i].ncompetencies * sizeof(cx_sym));
    begin_section(w, S_CRED_TAGS);
    for (uint32_t i = 0; i < n; i++)
        put(w, s->credentials[i].tags, s->credentials[i].ntags * sizeof(cx_sym));
    begin_section(w, S_CRED_CODES);
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < s->credentials[i].ncodes; k++) {
            cx_snap_code e = s->credentials[i].codes[k];
            set_ref(&e.scheme, interned_ref(w, e.scheme));
            set_ref(&e.code, text_ref(w, e.code));
            put(w, &e, sizeof e);
        }
    begin_section(w, S_CRED_ATTRS);
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < s->credentials[i].nattrs; k++) {
            cx_snap_attr e = s->credentials[i].attrs[k];
            set_ref(&e.key, interned_ref(w, e.key));
            set_ref(&e.value, text_ref(w, e.value));
            put(w, &e, sizeof e);
        }
    begin_section(w, S_CRED_GRADES);
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < s->credentials[i].ngrades; k++) {
            const char *e;
            set_ref(&e, interned_ref(w, s->credentials[i].grades[k]));
            put(w, &e, sizeof e);
        }
}

static void write_holders(writer *w, const cx_snapshot *s)
{
    uint32_t n = s->count[CX_KIND_HOLDER];
    begin_section(w, S_HOLDERS);
    for (uint32_t i = 0; i < n; i++) {
        cx_snap_holder e = s->holders[i];
        set_ref(&e.id, text_ref(w, e.id));
        set_slice(w, &e.attrs, S_HOLDER_ATTRS, e.nattrs);
        set_slice(w, &e.awards, S_AWARDS, e.nawards);
        set_slice(w, &e.exceptions, S_EXCEPTIONS, e.nexceptions);
        put(w, &e, sizeof e);
    }
    begin_section(w, S_HOLDER_ATTRS);
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < s->holders[i].nattrs; k++) {
            cx_snap_attr e = s->holders[i].attrs[k];
            set_ref(&e.key, interned_ref(w, e.key));
            set_ref(&e.value, text_ref(w, e.value));
            put(w, &e, sizeof e);
        }
}

static void write_awards(writer *w, const cx_snapshot *s)
{
    uint32_t n = s->count[CX_KIND_AWARD];
    begin_section(w, S_AWARDS);
    for (uint32_t i = 0; i < n; i++) {
        cx_snap_award e = s->awards[i];
        const char *note = cx__snap_award_note(&s->awards[i]);
        size_t len = strlen(e.id);
        if (note) len += 1 + strlen(note); /* the note rides after the id's NUL */
        set_ref(&e.id, text_ref_len(w, e.id, len));
        put(w, &e, sizeof e);
    }
    begin_section(w, S_AWARDS_BY_ID);
    put(w, s->awards_by_id, (size_t)n * sizeof *s->awards_by_id);
    begin_section(w, S_RESULTS);
    for (uint32_t i = 0; i < s->nresults; i++) {
        cx_snap_result e = s->results[i];
        set_ref(&e.key, interned_ref(w, e.key));
        put(w, &e, sizeof e);
    }
    begin_section(w, S_EXCEPTIONS);
    for (uint32_t i = 0; i < s->nexceptions; i++) {
        cx_snap_exception e = s->exceptions[i];
        set_ref(&e.stack_id, text_ref(w, e.stack_id));
        set_ref(&e.waive, text_ref(w, e.waive));
        set_ref(&e.for_id, text_ref(w, e.for_id));
        set_ref(&e.use_id, text_ref(w, e.use_id));
        set_ref(&e.by, text_ref(w, e.by));
        set_ref(&e.reason, text_ref(w, e.reason));
        set_ref(&e.file, interned_ref(w, e.file));
        put(w, &e, sizeof e);
    }
}

/* An array of texts (tags, grades) as addresses. */
static void write_texts(writer *w, int k, const char *const *texts, uint32_t n)
{
    begin_section(w, k);
    for (uint32_t i = 0; i < n; i++) {
        const char *e;
        set_ref(&e, text_ref(w, texts[i]));
        put(w, &e, sizeof e);
    }
}

/* The whole payload: sections, strings, then the section table. */
static void write_payload(writer *w, const cx_snapshot *s)
{
    plan_sections(w, s);
    write_places(w, s);
    write_frameworks(w, s);
    write_credentials(w, s);
    write_holders(w, s);
    write_awards(w, s);
    write_texts(w, S_TAGS, s->tags, s->count[CX_SNAP_TAG]);
    write_texts(w, S_GRADES, s->grades, s->ngrades);
    begin_section(w, S_STRINGS);
    w->table[S_STRINGS].count = w->nstrings;
    put(w, w->strings, w->nstrings);
    pad8(w);
    put(w, w->table, sizeof w->table);
    flush_stage(w);
}

/* Opens a new file beside path for the cache, with the registry's mode
 * but writable by its owner alone: no one writes a cache in place (a new
 * one is renamed over it), and only a file no one else may write is
 * mapped (map_at_base), so a registry shared with a group still gets a
 * cache its owner's commands map. */
static FILE *open_temp(const char *path, const char *registry_file, char **tmp)
{
    static atomic_uint serial;
    struct stat st;
    size_t size = strlen(path) + 48;
    mode_t mode = stat(registry_file, &st) == 0 ? (st.st_mode & 0644) : 0644;
    if (!(*tmp = malloc(size))) return NULL;
    snprintf(*tmp, size, "%s.tmp.%ld.%u", path, (long)getpid(), atomic_fetch_add(&serial, 1));
    int fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) {
        free(*tmp);
        *tmp = NULL;
        return NULL;
    }
    (void)fchmod(fd, mode); /* the umask may have narrowed it; a narrower mode is no harm */
    FILE *f = fdopen(fd, "wb");
    if (!f) close(fd);
    return f;
}

int cx__snapshot_cache_write(const cx_snapshot *s, const char *registry_file,
                             const cx_snap_key *key)
{
    char *path = cx__snapshot_cache_path(registry_file), *tmp = NULL;
    cache_header h;
    int rc = -1;
    writer *w = calloc(1, sizeof *w);
    if (!path || !w || !(w->f = open_temp(path, registry_file, &tmp))) goto done;
    setvbuf(w->f, NULL, _IOFBF, WRITE_BUFFER);
    sum_init(&w->check);
    expected_header(key, &h);
    if (fwrite(&h, sizeof h, 1, w->f) != 1) goto done;
    write_payload(w, s);
    h.payload_size = w->pos;
    h.checksum = sum_final(&w->check);
    if (w->failed || fseek(w->f, 0, SEEK_SET) != 0 || fwrite(&h, sizeof h, 1, w->f) != 1) goto done;
    rc = fclose(w->f) == 0 ? 0 : -1;
    w->f = NULL;
    if (!rc) rc = rename(tmp, path) == 0 ? 0 : -1;
done:
    if (w && w->f) fclose(w->f);
    if (rc && tmp) unlink(tmp);
    if (w) {
        free(w->strings);
        free(w->interned.keys);
        free(w->interned.refs);
    }
    free(w);
    free(tmp);
    free(path);
    return rc;
}

int cx__snapshot_cache_seal(const char *registry_file, const cx_snap_key *key, const void *payload,
                            size_t n)
{
    char *path = cx__snapshot_cache_path(registry_file), *tmp = NULL;
    cache_header h;
    payload_sum c;
    int rc = -1;
    FILE *f = path ? open_temp(path, registry_file, &tmp) : NULL;
    if (!f) goto done;
    expected_header(key, &h);
    sum_init(&c);
    sum_update(&c, payload, n);
    h.payload_size = n;
    h.checksum = sum_final(&c);
    rc = fwrite(&h, sizeof h, 1, f) == 1 && (!n || fwrite(payload, n, 1, f) == 1) ? 0 : -1;
    if (fclose(f) != 0) rc = -1;
    if (!rc) rc = rename(tmp, path) == 0 ? 0 : -1;
    if (rc) unlink(tmp);
done:
    free(tmp);
    free(path);
    return rc;
}

size_t cx__snapshot_cache_header_size(void)
{
    return sizeof(cache_header);
}

/* ------------------------------------------------------------ reading */

typedef struct loader {
    char *base;       /* the payload: mapped, or in the snapshot's arena */
    uint64_t size;    /* its bytes */
    uintptr_t assume; /* where the writer's pointers have the payload */
    int mapped;       /* base == assume: pointers are checked, never written */
    section_entry table[NSECTIONS];
    const char *strings;       /* S_STRINGS */
    uintptr_t strings_assumed; /* where the writer's pointers have them */
    uint64_t nstrings;
    cx_snapshot *s;
    const char *why;             /* what was wrong */
    cx_date first_day, last_day; /* 0001-01-01, 9999-12-31 */
} loader;

static int bad(loader *l, const char *why)
{
    l->why = why;
    return -1;
}

static void *section(const loader *l, int k)
{
    return l->base + l->table[k].offset;
}

/* Checks that a text field points into the strings (and, unless the
 * payload is mapped where the writer assumed, moves it there); required:
 * not NULL. */
static int fix_text(loader *l, const char **field, int required)
{
    uintptr_t v;
    memcpy(&v, field, sizeof v);
    if (!v) return required ? bad(l, "a text that cannot be missing is missing") : 0;
    v -= l->strings_assumed; /* unsigned: a pointer before them is past them too */
    if (v >= l->nstrings) return bad(l, "a text is outside the strings");
    if (!l->mapped) *field = l->strings + v;
    return 0;
}

/* A symbol of table: below its count, or CX_NOSYM when nullable. */
static int check_sym(loader *l, cx_sym v, int table, int nullable)
{
    if (v == CX_NOSYM && nullable) return 0;
    return v < l->s->count[table] ? 0 : bad(l, "a symbol is out of range");
}

static int check_date(loader *l, cx_date d)
{
    if (d == CX_DATE_NEVER || d == CX_DATE_DAWN || (d >= l->first_day && d <= l->last_day))
        return 0;
    return bad(l, "a date is out of range");
}

/* Reads the section table and checks that every section lies, aligned and
 * in order, inside the payload before the table. */
static int read_table(loader *l)
{
    uint64_t end = 0, table_at;
    if (l->size < sizeof l->table || l->size % 8) return bad(l, "the payload is too short");
    table_at = l->size - sizeof l->table;
    memcpy(l->table, l->base + table_at, sizeof l->table);
    for (int k = 0; k < NSECTIONS; k++) {
        const section_entry *e = &l->table[k];
        if (e->offset % 8 || e->offset < end || e->offset > table_at)
            return bad(l, "a section is misplaced");
        if (e->count > (table_at - e->offset) / elem_size[k])
            return bad(l, "a section runs past the payload");
        if (k != S_STRINGS && e->count >= CX_NOSYM) return bad(l, "a section is too large");
        end = e->offset + e->count * elem_size[k];
    }
    l->strings = section(l, S_STRINGS);
    l->strings_assumed = l->assume + (uintptr_t)l->table[S_STRINGS].offset;
    l->nstrings = l->table[S_STRINGS].count;
    if (l->nstrings && l->strings[l->nstrings - 1] != '\0')
        return bad(l, "the strings do not end with a NUL");
    return 0;
}

/* Sets every count of the snapshot from the section table. */
static void set_counts(loader *l)
{
    static const struct {
        int table, section;
    } tables[] = {{CX_KIND_JURISDICTION, S_JURISDICTIONS},
                  {CX_KIND_GROUP, S_GROUPS},
                  {CX_KIND_PROVIDER, S_PROVIDERS},
                  {CX_KIND_FRAMEWORK, S_FRAMEWORKS},
                  {CX_KIND_COMPETENCY, S_COMPETENCIES},
                  {CX_KIND_CREDENTIAL, S_CREDENTIALS},
                  {CX_KIND_HOLDER, S_HOLDERS},
                  {CX_KIND_AWARD, S_AWARDS},
                  {CX_SNAP_TAG, S_TAGS}};
    cx_snapshot *s = l->s;
    for (size_t i = 0; i < CX_COUNT(tables); i++)
        s->count[tables[i].table] = (uint32_t)l->table[tables[i].section].count;
    s->nresults = (uint32_t)l->table[S_RESULTS].count;
    s->nexceptions = (uint32_t)l->table[S_EXCEPTIONS].count;
    s->ngrades = (uint32_t)l->table[S_GRADES].count;
}

/* The pointer field of a list of n elements of section k: the next n, at
 * *at (which advances); NULL for an empty list, as the loader makes them.
 * A mapped payload's field must hold it already; another's is set. */
static int take_slice(loader *l, int k, uint64_t *at, uint32_t n, void *field)
{
    if (n > l->table[k].count - *at) return bad(l, "a list runs past its section");
    const char *p = n ? (const char *)section(l, k) + *at * elem_size[k] : NULL, *was;
    *at += n;
    if (!l->mapped) {
        memcpy(field, &p, sizeof p);
        return 0;
    }
    memcpy(&was, field, sizeof was);
    return was == p ? 0 : bad(l, "a list is not where its section has it");
}

static int fix_attrs(loader *l, int k)
{
    cx_snap_attr *a = section(l, k);
    for (uint64_t i = 0; i < l->table[k].count; i++) {
        if (fix_text(l, &a[i].key, 1) || fix_text(l, &a[i].value, 1)) return -1;
        if (a[i].number != cx__parse_number(a[i].value))
            return bad(l, "an attribute's number is not its value's");
    }
    return 0;
}

static int fix_texts(loader *l, int k)
{
    const char **t = section(l, k);
    for (uint64_t i = 0; i < l->table[k].count; i++)
        if (fix_text(l, &t[i], 1)) return -1;
    return 0;
}

static int fix_places(loader *l)
{
    cx_snapshot *s = l->s;
    cx_snap_jurisdiction *j = section(l, S_JURISDICTIONS);
    cx_snap_group *g = section(l, S_GROUPS);
    cx_snap_membership *m = section(l, S_MEMBERSHIPS);
    cx_snap_provider *p = section(l, S_PROVIDERS);
    uint64_t at = 0;
    for (uint32_t i = 0; i < s->count[CX_KIND_JURISDICTION]; i++)
        if (fix_text(l, &j[i].id, 1) || fix_text(l, &j[i].name, 1) || fix_text(l, &j[i].kind, 0))
            return -1;
    for (uint64_t i = 0; i < l->table[S_MEMBERSHIPS].count; i++)
        if (fix_text(l, &m[i].status, 0) ||
            check_sym(l, m[i].jurisdiction, CX_KIND_JURISDICTION, 0) || check_date(l, m[i].from) ||
            check_date(l, m[i].until))
            return -1;
    for (uint32_t i = 0; i < s->count[CX_KIND_GROUP]; i++)
        if (fix_text(l, &g[i].id, 1) || fix_text(l, &g[i].name, 0) ||
            take_slice(l, S_MEMBERSHIPS, &at, g[i].nmemberships, &g[i].memberships))
            return -1;
    if (at != l->table[S_MEMBERSHIPS].count) return bad(l, "memberships left over");
    for (uint32_t i = 0; i < s->count[CX_KIND_PROVIDER]; i++)
        if (fix_text(l, &p[i].id, 1) || fix_text(l, &p[i].name, 1) ||
            check_sym(l, p[i].jurisdiction, CX_KIND_JURISDICTION, 1))
            return -1;
    s->jurisdictions = j;
    s->groups = g;
    s->providers = p;
    return 0;
}

static int fix_frameworks(loader *l)
{
    cx_snapshot *s = l->s;
    cx_snap_framework *f = section(l, S_FRAMEWORKS);
    cx_snap_competency *c = section(l, S_COMPETENCIES);
    for (uint32_t i = 0; i < s->count[CX_KIND_FRAMEWORK]; i++)
        if (fix_text(l, &f[i].id, 1) || fix_text(l, &f[i].name, 1)) return -1;
    for (uint32_t i = 0; i < s->count[CX_KIND_COMPETENCY]; i++)
        if (fix_text(l, &c[i].id, 1) || fix_text(l, &c[i].text, 1) ||
            check_sym(l, c[i].framework, CX_KIND_FRAMEWORK, 0) ||
            check_sym(l, c[i].parent, CX_KIND_COMPETENCY, 1))
            return -1;
    s->frameworks = f;
    s->competencies = c;
    return 0;
}

/* One credential's fields (its lists are placed by fix_credentials). */
static int fix_credential(loader *l, cx_snap_credential *cr)
{
    const char *why;
    cx_duration d = {0, 0, 0, 0};
    if (fix_text(l, &cr->id, 1) || fix_text(l, &cr->name, 1) || fix_text(l, &cr->type, 1) ||
        fix_text(l, &cr->version, 0) || fix_text(l, &cr->valid_for, 0) ||
        check_sym(l, cr->provider, CX_KIND_PROVIDER, 1) ||
        check_sym(l, cr->jurisdiction, CX_KIND_JURISDICTION, 0) ||
        check_date(l, cr->effective_from) || check_date(l, cr->effective_until))
        return -1;
    if (cr->valid_for && cx__duration_parse(cr->valid_for, &d, &why) != 0)
        return bad(l, "a credential's valid_for is not a duration");
    if (cr->duration.years != d.years || cr->duration.months != d.months ||
        cr->duration.weeks != d.weeks || cr->duration.days != d.days)
        return bad(l, "a credential's duration is not its valid_for's");
    return 0;
}

static int fix_credentials(loader *l)
{
    cx_snapshot *s = l->s;
    cx_snap_credential *cr = section(l, S_CREDENTIALS);
    cx_sym *competencies = section(l, S_CRED_COMPETENCIES), *tags = section(l, S_CRED_TAGS);
    cx_snap_code *codes = section(l, S_CRED_CODES);
    uint64_t at[5] = {0};
    for (uint64_t i = 0; i < l->table[S_CRED_COMPETENCIES].count; i++)
        if (check_sym(l, competencies[i], CX_KIND_COMPETENCY, 0)) return -1;
    for (uint64_t i = 0; i < l->table[S_CRED_TAGS].count; i++)
        if (check_sym(l, tags[i], CX_SNAP_TAG, 0)) return -1;
    for (uint64_t i = 0; i < l->table[S_CRED_CODES].count; i++)
        if (fix_text(l, &codes[i].scheme, 1) || fix_text(l, &codes[i].code, 1)) return -1;
    if (fix_attrs(l, S_CRED_ATTRS) || fix_texts(l, S_CRED_GRADES)) return -1;
    for (uint32_t i = 0; i < s->count[CX_KIND_CREDENTIAL]; i++)
        if (fix_credential(l, &cr[i]) ||
            take_slice(l, S_CRED_COMPETENCIES, &at[0], cr[i].ncompetencies, &cr[i].competencies) ||
            take_slice(l, S_CRED_TAGS, &at[1], cr[i].ntags, &cr[i].tags) ||
            take_slice(l, S_CRED_CODES, &at[2], cr[i].ncodes, &cr[i].codes) ||
            take_slice(l, S_CRED_ATTRS, &at[3], cr[i].nattrs, &cr[i].attrs) ||
            take_slice(l, S_CRED_GRADES, &at[4], cr[i].ngrades, &cr[i].grades))
            return -1;
    for (int k = 0; k < 5; k++)
        if (at[k] != l->table[S_CRED_COMPETENCIES + k].count)
            return bad(l, "credential lists left over");
    s->credentials = cr;
    return 0;
}

/* An award's own fields; its holder is checked by fix_holders. */
static int fix_award(loader *l, cx_snap_award *a)
{
    const cx_snapshot *s = l->s;
    if (fix_text(l, &a->id, 1) || check_sym(l, a->credential, CX_KIND_CREDENTIAL, 0) ||
        check_sym(l, a->jurisdiction, CX_KIND_JURISDICTION, 0) || check_date(l, a->issued) ||
        check_date(l, a->expires))
        return -1;
    if (a->grade != CX_NOSYM && a->grade >= s->ngrades)
        return bad(l, "an award's grade is out of range");
    if (a->status > CX_AWARD_SUSPENDED) return bad(l, "an award's status is unknown");
    if (a->grade_rank < -1 ||
        (a->grade_rank >= 0 && (uint32_t)a->grade_rank >= s->credentials[a->credential].ngrades))
        return bad(l, "an award's grade rank is out of range");
    if (a->results > s->nresults) return bad(l, "an award's results are out of range");
    if (a->flags & CX_AWARD_UNVERIFIED) { /* its note follows the id's NUL */
        uint64_t end = (uint64_t)(a->id - l->strings) + strlen(a->id) + 1;
        if (end >= l->nstrings) return bad(l, "an award's note is past the strings");
    }
    return 0;
}

static int fix_awards(loader *l)
{
    cx_snapshot *s = l->s;
    cx_snap_award *a = section(l, S_AWARDS);
    uint32_t *by_id = section(l, S_AWARDS_BY_ID), n = s->count[CX_KIND_AWARD];
    cx_snap_result *results = section(l, S_RESULTS);
    if (l->table[S_AWARDS_BY_ID].count != n) return bad(l, "awards_by_id has the wrong size");
    unsigned char *seen = calloc(n / 8 + 1, 1);
    if (!seen) return bad(l, "out of memory");
    int rc = 0;
    for (uint32_t i = 0; i < n && !rc; i++) {
        rc = fix_award(l, &a[i]);
        if (!rc && i && a[i].results < a[i - 1].results) rc = bad(l, "award results out of order");
        if (!rc && (by_id[i] >= n || seen[by_id[i] / 8] & 1u << by_id[i] % 8))
            rc = bad(l, "awards_by_id is not a permutation");
        if (!rc) seen[by_id[i] / 8] |= (unsigned char)(1u << by_id[i] % 8);
    }
    free(seen);
    for (uint32_t i = 0; i < s->nresults && !rc; i++) rc = fix_text(l, &results[i].key, 1);
    s->awards = a;
    s->awards_by_id = by_id;
    s->results = results;
    return rc;
}

static int fix_exceptions(loader *l)
{
    cx_snap_exception *e = section(l, S_EXCEPTIONS);
    for (uint32_t i = 0; i < l->s->nexceptions; i++)
        if (fix_text(l, &e[i].stack_id, 1) || fix_text(l, &e[i].waive, 0) ||
            fix_text(l, &e[i].for_id, 0) || fix_text(l, &e[i].use_id, 0) ||
            fix_text(l, &e[i].by, 0) || fix_text(l, &e[i].reason, 0) ||
            fix_text(l, &e[i].file, 0) || check_sym(l, e[i].stack, CX_KIND_CREDENTIAL, 1) ||
            check_sym(l, e[i].substitute_for, CX_KIND_CREDENTIAL, 1) ||
            check_sym(l, e[i].substitute_use, CX_KIND_CREDENTIAL, 1))
            return -1;
    l->s->exceptions = e;
    return 0;
}

/* The holders, their slices of attributes, awards and exceptions, and
 * that each award and exception is its slice's holder's. */
static int fix_holders(loader *l)
{
    cx_snapshot *s = l->s;
    cx_snap_holder *h = section(l, S_HOLDERS);
    uint64_t at[3] = {0};
    if (fix_attrs(l, S_HOLDER_ATTRS)) return -1;
    for (uint32_t i = 0; i < s->count[CX_KIND_HOLDER]; i++) {
        if (fix_text(l, &h[i].id, 1) || check_sym(l, h[i].jurisdiction, CX_KIND_JURISDICTION, 1) ||
            take_slice(l, S_HOLDER_ATTRS, &at[0], h[i].nattrs, &h[i].attrs) ||
            take_slice(l, S_AWARDS, &at[1], h[i].nawards, &h[i].awards) ||
            take_slice(l, S_EXCEPTIONS, &at[2], h[i].nexceptions, &h[i].exceptions))
            return -1;
        for (uint32_t k = 0; k < h[i].nawards; k++)
            if (h[i].awards[k].holder != i) return bad(l, "an award is in another holder's slice");
        for (uint32_t k = 0; k < h[i].nexceptions; k++)
            if (h[i].exceptions[k].holder != i)
                return bad(l, "an exception is in another holder's slice");
    }
    if (at[0] != l->table[S_HOLDER_ATTRS].count || at[1] != s->count[CX_KIND_AWARD] ||
        at[2] != s->nexceptions)
        return bad(l, "holder lists left over");
    s->holders = h;
    return 0;
}

/* Checks and fixes up the payload into l->s. */
static int fix_payload(loader *l)
{
    if (read_table(l)) return -1;
    set_counts(l);
    if (fix_texts(l, S_TAGS) || fix_texts(l, S_GRADES)) return -1;
    l->s->tags = section(l, S_TAGS);
    l->s->grades = section(l, S_GRADES);
    if (fix_places(l) || fix_frameworks(l) || fix_credentials(l) || fix_awards(l) ||
        fix_exceptions(l) || fix_holders(l))
        return -1;
    return 0;
}

/* Reads exactly n bytes at offset into buf. */
static int read_at(int fd, void *buf, uint64_t n, uint64_t offset)
{
    char *p = buf;
    while (n) {
        ssize_t got = pread(fd, p, n > (1u << 30) ? (1u << 30) : (size_t)n, (off_t)offset);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return -1;
        p += got, n -= (uint64_t)got, offset += (uint64_t)got;
    }
    return 0;
}

/* Compares the header with the one key wants: CX_CACHE_FRESH, or why not. */
static cx_cache_state check_header(const cache_header *h, const cache_header *want,
                                   const char **why)
{
    if (memcmp(h->magic, want->magic, sizeof h->magic) != 0)
        return *why = "not a snapshot cache", CX_CACHE_CORRUPT;
    if (h->format != want->format || h->layout != want->layout ||
        memcmp(h->engine, want->engine, sizeof h->engine) != 0)
        return *why = "written by another credex", CX_CACHE_STALE;
    if (memcmp(h->registry_id, want->registry_id, sizeof h->registry_id) != 0)
        return *why = "written for another registry", CX_CACHE_STALE;
    if (h->schema_version != want->schema_version || h->content_version != want->content_version ||
        memcmp(h->digest, want->digest, sizeof h->digest) != 0)
        return *why = "written at another content version", CX_CACHE_STALE;
    return CX_CACHE_FRESH;
}

/* Maps the cache file (size bytes, open on fd) read-only at the address
 * its header assumes, into s: the payload's address, or NULL when it
 * cannot be mapped there (the address is taken, or others than this
 * user may write the file, which could then change under the checks:
 * docs/security.md). Private: nothing of ours could reach the file. */
static char *map_at_base(cx_snapshot *s, int fd, const struct stat *st, const cache_header *h)
{
#if CACHE_CAN_MAP
    long page = sysconf(_SC_PAGESIZE);
    void *want = (void *)(uintptr_t)h->base;
    if (h->base != CACHE_BASE || page <= 0 || h->base % (uint64_t)page || st->st_uid != geteuid() ||
        (st->st_mode & (S_IWGRP | S_IWOTH)))
        return NULL;
    void *m = mmap(want, (size_t)st->st_size, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 0);
    if (m == MAP_FAILED) return NULL;
    if (m != want || memcmp(m, h, sizeof *h) != 0) { /* an old kernel's hint, or changed */
        munmap(m, (size_t)st->st_size);
        return NULL;
    }
    s->map = m;
    s->map_size = (size_t)st->st_size;
    return (char *)m + sizeof *h;
#else
    (void)s, (void)fd, (void)st, (void)h;
    return NULL;
#endif
}

/* A payload's segment sums, taken in turn by the threads checking it. */
typedef struct sum_job {
    const char *data;
    uint64_t size, nsegments;
    uint64_t *sums;            /* per segment */
    atomic_uint_fast64_t next; /* the next segment to sum */
} sum_job;

static void *sum_segments(void *arg)
{
    sum_job *j = arg;
    for (uint64_t i; (i = atomic_fetch_add(&j->next, 1)) < j->nsegments;)
        j->sums[i] = segment_sum(j->data, j->size, i);
    return NULL;
}

/* The payload's checksum from its segments' sums (as payload_sum). */
static uint64_t sums_final(const sum_job *j)
{
    checksum c;
    check_init(&c);
    check_update(&c, j->sums, (size_t)j->nsegments * sizeof *j->sums);
    return check_final(&c);
}

/* Checks l's payload against its checksum and checks (and, unless it is
 * mapped, fixes) every element: 0, or -1 with *why. A mapped payload's
 * segments are summed by a second thread meanwhile, and by this one once
 * its element checks are done: nothing writes the payload, and its pages
 * come in as whichever thread reads them first (not all by MAP_POPULATE
 * before either began). A copy is summed before fix_payload moves its
 * pointers. */
static int check_payload(loader *l, uint64_t want, const char **why)
{
    sum_job job = {l->base, l->size, (l->size + SEGMENT - 1) / SEGMENT, NULL, 0};
    pthread_t thread;
    int threaded = 0, rc = 0;
    atomic_init(&job.next, 0);
    if (!(job.sums = malloc((size_t)job.nsegments * sizeof *job.sums + 1)))
        return *why = "out of memory", -1;
    if (l->mapped) threaded = pthread_create(&thread, NULL, sum_segments, &job) == 0;
    if (!l->mapped) {
        sum_segments(&job);
        if (sums_final(&job) != want) rc = -1, *why = "checksum mismatch";
    }
    if (!rc && fix_payload(l)) rc = -1, *why = l->why;
    if (l->mapped) {
        sum_segments(&job); /* the segments left */
        if (threaded) pthread_join(thread, NULL);
        if (sums_final(&job) != want) rc = -1, *why = "checksum mismatch"; /* said first */
    }
    free(job.sums);
    return rc;
}

cx_cache_state cx__snapshot_cache_read(cx_snapshot *s, const char *registry_file,
                                       const cx_snap_key *key, const char **why)
{
    cache_header h, want;
    struct stat st;
    loader l;
    cx_cache_state state = CX_CACHE_CORRUPT;
    char *path = cx__snapshot_cache_path(registry_file);
    int fd = path ? open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) : -1;
    *why = "not a regular file";
    if (fd < 0 && (!path || errno == ENOENT)) state = CX_CACHE_NONE, *why = "none";
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) goto done;
    *why = "truncated";
    if ((uint64_t)st.st_size < sizeof h || read_at(fd, &h, sizeof h, 0)) goto done;
    expected_header(key, &want);
    if ((state = check_header(&h, &want, why)) != CX_CACHE_FRESH) goto done;
    state = CX_CACHE_CORRUPT;
    if (h.payload_size != (uint64_t)st.st_size - sizeof h || h.payload_size > SIZE_MAX / 2) {
        *why = "truncated or extended";
        goto done;
    }
    memset(&l, 0, sizeof l);
    l.s = s;
    l.first_day = cx__date_from_ymd(1, 1, 1);
    l.last_day = cx__date_from_ymd(9999, 12, 31);
    l.size = h.payload_size;
    l.assume = (uintptr_t)(h.base + sizeof h);
    l.base = l.size ? map_at_base(s, fd, &st, &h) : NULL;
    l.mapped = l.base != NULL;
    if (!l.mapped) {
        l.base = l.size ? cx__arena_alloc(&s->arena, (size_t)l.size) : NULL;
        if (!l.base || read_at(fd, l.base, l.size, sizeof h)) {
            *why = l.base ? "truncated" : "empty or out of memory";
            goto done;
        }
    }
    if (check_payload(&l, h.checksum, why)) goto done;
    s->content_version = key->content_version;
    state = CX_CACHE_FRESH;
    *why = "fresh";
done:
    if (fd >= 0) close(fd);
    free(path);
    return state;
}

uintptr_t cx__snapshot_cache_base(void)
{
    return CACHE_CAN_MAP ? (uintptr_t)CACHE_BASE : 0;
}

/* ------------------------------------------------------------ keys, fsck */

int cx__snapshot_cache_key(cx_registry *conn, int64_t content_version, cx_snap_key *key)
{
    char id[CX_REGISTRY_ID_SIZE], digest[CX_REGISTRY_DIGEST_SIZE];
    cx_error err;
    _Static_assert(sizeof key->registry_id == CX_REGISTRY_ID_SIZE, "registry id sizes");
    _Static_assert(sizeof key->digest == CX_REGISTRY_DIGEST_SIZE, "digest sizes");
    memset(key, 0, sizeof *key);
    key->content_version = content_version;
    if (cx__registry_identity(conn, id, digest, &err)) return -1;
    memcpy(key->registry_id, id, sizeof id);
    memcpy(key->digest, digest, sizeof digest);
    return 0;
}

/* The state of r's cache, read in one read transaction of r's. */
static int cache_check(cx_registry *r, cx_cache_state *state, char *why, size_t size, cx_error *err)
{
    cx_snap_key key;
    const char *reason = "none";
    int began = 0;
    const char *file = cx__registry_file(r);
    *state = CX_CACHE_NONE;
    int rc = file ? cx__registry_read_begin(r, &began, err) : CX_OK;
    if (file && !rc) rc = cx_registry_content_version(r, &key.content_version, err);
    if (file && !rc && cx__snapshot_cache_key(r, key.content_version, &key) == 0) {
        cx_snapshot *s = calloc(1, sizeof *s);
        if (!s) {
            rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory checking the snapshot cache");
        } else {
            cx__arena_init(&s->arena);
            for (int i = 0; i < CX_SNAP_MAX_PARTS; i++) cx__arena_init(&s->part_arenas[i]);
            *state = cx__snapshot_cache_read(s, file, &key, &reason);
            cx__snapshot_free(s);
        }
    }
    if (file) cx__registry_read_end(r, began);
    if (why && size && *state == CX_CACHE_FRESH)
        snprintf(why, size, "fresh (content version %lld)", (long long)key.content_version);
    else if (why && size)
        snprintf(why, size, "%s", reason);
    return rc;
}

int cx_registry_cache_check(cx_registry *r, cx_cache_state *state, char *why, size_t size,
                            cx_error *err)
{
    return CX__REGISTRY_CALL(r, err, cache_check(r, state, why, size, err));
}
