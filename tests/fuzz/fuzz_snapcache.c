/*
 * fuzz_snapcache.c -- libFuzzer target of the snapshot cache reader
 * (cx__snapshot_cache_read, docs/registry.md "The snapshot cache"). Each
 * input is read twice: as the cache file found beside a registry (the
 * header's checks), and, its header skipped when it has one, as a payload
 * sealed with a right header and checksum, so that every offset and index
 * check is reached; each read both mapped and read and moved (the mapping
 * address taken first). A snapshot the reader accepts is walked whole.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_FIXED_NOREPLACE */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "snapshot.h"

/* Every look-up a decision makes, over every entity of s. */
static void walk(const cx_snapshot *s)
{
    for (int t = 0; t < CX_SNAP_NTABLES; t++)
        for (uint32_t sym = 0; sym < cx__snapshot_count(s, t); sym++)
            (void)cx__snapshot_find(s, t, cx__snapshot_id(s, t, sym));
    for (uint32_t i = 0; i < s->count[CX_KIND_AWARD]; i++) {
        uint32_t n;
        const cx_snap_award *a = &s->awards[i];
        const cx_snap_result *r = cx__snapshot_results(s, a, &n);
        for (uint32_t k = 0; k < n; k++) (void)strlen(r[k].key);
        const char *grade = cx__snapshot_grade(s, a), *note = cx__snap_award_note(a);
        if (grade) (void)strlen(grade);
        if (note) (void)strlen(note);
        if (a->grade_rank >= 0) (void)strlen(s->credentials[a->credential].grades[a->grade_rank]);
    }
    for (uint32_t h = 0; h < s->count[CX_KIND_HOLDER]; h++) {
        const cx_snap_holder *holder = &s->holders[h];
        for (uint32_t k = 0; k < holder->nattrs; k++)
            (void)cx__snapshot_attr(holder->attrs, holder->nattrs, holder->attrs[k].key);
        for (uint32_t k = 0; k < holder->nexceptions; k++)
            (void)strlen(holder->exceptions[k].stack_id);
    }
    for (uint32_t g = 0; g < s->count[CX_KIND_GROUP]; g++)
        for (uint32_t j = 0; j < s->count[CX_KIND_JURISDICTION]; j++)
            (void)cx__snapshot_member(s, g, j, 0, "full");
    for (uint32_t c = 0; c < s->count[CX_KIND_CREDENTIAL]; c++) {
        const cx_snap_credential *cr = &s->credentials[c];
        for (uint32_t k = 0; k < cr->ncodes; k++) (void)strlen(cr->codes[k].code);
        for (uint32_t k = 0; k < cr->ngrades; k++) (void)strlen(cr->grades[k]);
        for (uint32_t k = 0; k < cr->ntags; k++) (void)strlen(s->tags[cr->tags[k]]);
    }
}

/* Reads the cache beside registry for key; walks what it accepts. */
static void read_one(const char *registry, const cx_snap_key *key)
{
    const char *why;
    cx_snapshot *s = calloc(1, sizeof *s); /* zeroed: empty arenas */
    if (!s) return;
    if (cx__snapshot_cache_read(s, registry, key, &why) == CX_CACHE_FRESH &&
        cx__snapshot_index(s) == 0) {
        walk(s);
        fuzz_committed++;
    }
    cx__snapshot_free(s);
}

/* read_one twice: mapped where the file's pointers assume (this user's
 * file, the address free), then read and moved (the address taken). */
static void read_cache(const char *registry, const cx_snap_key *key)
{
    read_one(registry, key);
#ifdef MAP_FIXED_NOREPLACE
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    void *at = (void *)cx__snapshot_cache_base(), *taken = MAP_FAILED;
    if (at)
        taken = mmap(at, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    read_one(registry, key);
    if (taken != MAP_FAILED) munmap(taken, page);
#endif
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char registry[256];
    static const char magic[] = "CXSNAP\r\n";
    cx_snap_key key;
    size_t header = cx__snapshot_cache_header_size();
    memset(&key, 0, sizeof key);
    key.content_version = 1;
    memcpy(key.registry_id, "0123456789abcdef0123456789abcdef", 33);
    const char *cache = fuzz_write("r.db.snapshot", data, size);
    size_t len = strlen(cache) - strlen(".snapshot");
    memcpy(registry, cache, len);
    registry[len] = '\0';
    read_cache(registry, &key);
    if (size >= header && memcmp(data, magic, sizeof magic - 1) == 0)
        data += header, size -= header;
    if (cx__snapshot_cache_seal(registry, &key, data, size) == 0) read_cache(registry, &key);
    return 0;
}
