/*
 * regex.c -- PCRE2 for credex: compiling with limits, the shared compile
 * cache, per-thread match scratch, and test/match/gsub. The only file that
 * includes pcre2.h; it knows nothing of Lua, catalogs or the registry.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "regex.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define JIT_STACK_START (32 * 1024)              /* first size of a thread's JIT stack */
#define SHOWN_PATTERN   48                       /* pattern bytes quoted in a limit error */
#define CACHE_SLOTS     (2 * CX_REGEX_CACHE_MAX) /* open addressing, load <= 1/2 */
#define FRONT_SLOTS     64                       /* per-thread cache in front of the shared one */

struct cx_regex {
    pcre2_code *code; /* the compiled pattern (with JIT code when jit) */
    uint64_t hash;    /* of the pattern bytes, for the cache */
    size_t len;       /* bytes in pattern */
    int ngroups;      /* capture groups, 0..CX_REGEX_MAX_GROUPS */
    int anchored;     /* 1 when only one start position can match */
    int crlf;         /* 1 when CRLF is a newline: an empty match skips both */
    int jit;          /* 1 when JIT code exists */
    const char *names[CX_REGEX_MAX_GROUPS + 1]; /* group names, into code's name table */
    char pattern[];                             /* len bytes, then a NUL */
};

/* ---------------------------------------------------------------- errors */

/* Writes into buf (SHOWN_PATTERN + 4 bytes) the pattern, cut at a
 * character boundary and marked "..." when longer than SHOWN_PATTERN. */
static void shown_pattern(const char *pattern, size_t len, char *buf)
{
    size_t n = len;
    if (n > SHOWN_PATTERN) {
        n = SHOWN_PATTERN;
        while (n > 0 && ((unsigned char)pattern[n] & 0xC0) == 0x80) n--;
    }
    memcpy(buf, pattern, n);
    strcpy(buf + n, n < len ? "..." : "");
}

/* Fills err with CX_ELIMIT "regex limit: WHAT (pattern "...")". */
static int limit_error(cx_error *err, const char *pattern, size_t len, const char *what)
{
    char shown[SHOWN_PATTERN + 4];
    shown_pattern(pattern, len, shown);
    return cx__error(err, CX_ELIMIT, "", 0, 0, "regex limit: %s (pattern \"%s\")", what, shown);
}

static int nomem(cx_error *err)
{
    return cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory");
}

/* PCRE2's text for an error code. */
static void pcre2_text(int code, char *buf, size_t size)
{
    if (pcre2_get_error_message(code, (PCRE2_UCHAR *)buf, size) < 0)
        snprintf(buf, size, "PCRE2 error %d", code);
}

/* --------------------------------------------------------------- compile */

/* A hash of the pattern bytes, eight at a time (the cache compares the
 * bytes too, so only speed and spread matter). */
static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 0x9E3779B97F4A7C15u ^ len, word;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        memcpy(&word, s + i, 8);
        h = (h ^ word) * 0xFF51AFD7ED558CCDu;
        h ^= h >> 32;
    }
    for (; i < len; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001B3u;
    return h ^ (h >> 29);
}

/* The compile error for PCRE2 code ec at byte offset: limits (size,
 * nesting) are CX_ELIMIT, the rest CX_EINPUT. */
static int compile_error(cx_error *err, const char *pattern, size_t len, int ec, size_t offset)
{
    char msg[256], what[320];
    if (ec == PCRE2_ERROR_HEAP_FAILED) return nomem(err);
    pcre2_text(ec, msg, sizeof msg);
    switch (ec) {
    case PCRE2_ERROR_PARENTHESES_NEST_TOO_DEEP:
        snprintf(what, sizeof what, "parentheses nested more than %d deep at offset %zu",
                 CX_REGEX_MAX_NEST, offset);
        return limit_error(err, pattern, len, what);
    case PCRE2_ERROR_PATTERN_TOO_LARGE:
    case PCRE2_ERROR_PATTERN_TOO_COMPLICATED:
    case PCRE2_ERROR_PATTERN_STRING_TOO_LONG:
    case PCRE2_ERROR_TOO_MANY_CAPTURES:
    case PCRE2_ERROR_QUERY_BARJX_NEST_TOO_DEEP:
        snprintf(what, sizeof what, "%s at offset %zu", msg, offset);
        return limit_error(err, pattern, len, what);
    default:
        return cx__error(err, CX_EINPUT, "", 0, 0, "bad regex at offset %zu: %s", offset, msg);
    }
}

/* Fills what PCRE2 can tell about re->code: groups, names, anchoring,
 * newline. Returns CX_OK or CX_ELIMIT for too many groups. */
static int describe(cx_regex *re, cx_error *err)
{
    uint32_t groups = 0, names = 0, entry = 0, options = 0, newline = 0;
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &groups);
    if (groups > CX_REGEX_MAX_GROUPS) {
        char what[64];
        snprintf(what, sizeof what, "more than %d capture groups", CX_REGEX_MAX_GROUPS);
        return limit_error(err, re->pattern, re->len, what);
    }
    re->ngroups = (int)groups;
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMECOUNT, &names);
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMEENTRYSIZE, &entry);
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMETABLE, &table);
    for (uint32_t i = 0; i < names; i++) {
        PCRE2_SPTR e = table + (size_t)i * entry; /* 2-byte group number, then the name */
        unsigned group = ((unsigned)e[0] << 8) | e[1];
        if (group <= groups) re->names[group] = (const char *)(e + 2);
    }
    pcre2_pattern_info(re->code, PCRE2_INFO_ALLOPTIONS, &options);
    re->anchored = (options & PCRE2_ANCHORED) != 0;
    pcre2_pattern_info(re->code, PCRE2_INFO_NEWLINE, &newline);
    re->crlf = newline == PCRE2_NEWLINE_CRLF || newline == PCRE2_NEWLINE_ANY ||
               newline == PCRE2_NEWLINE_ANYCRLF;
    return CX_OK;
}

/* PCRE2 compile with the pattern limits. Returns CX_OK with *out set (the
 * caller frees it with pcre2_code_free), or an error code with err set. */
static int compile_code(const char *pattern, size_t len, pcre2_code **out, cx_error *err)
{
    int ec = 0;
    PCRE2_SIZE offset = 0;
    pcre2_compile_context *cctx = pcre2_compile_context_create(NULL);
    if (!cctx) return nomem(err);
    pcre2_set_max_pattern_length(cctx, CX_REGEX_MAX_PATTERN);
    pcre2_set_parens_nest_limit(cctx, CX_REGEX_MAX_NEST);
    *out = pcre2_compile((PCRE2_SPTR)pattern, len,
                         PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_NEVER_BACKSLASH_C, &ec, &offset,
                         cctx);
    pcre2_compile_context_free(cctx);
    return *out ? CX_OK : compile_error(err, pattern, len, ec, offset);
}

int cx__regex_compile(const char *pattern, size_t len, cx_regex **out, cx_error *err)
{
    int rc = CX_OK;
    size_t jit_size = 0;
    cx_regex *re = NULL;
    *out = NULL;
    if (!pattern) pattern = "";
    if (len > CX_REGEX_MAX_PATTERN) {
        char what[64];
        snprintf(what, sizeof what, "pattern longer than %d bytes", CX_REGEX_MAX_PATTERN);
        return limit_error(err, pattern, len, what);
    }
    re = calloc(1, sizeof *re + len + 1);
    if (!re) return nomem(err);
    memcpy(re->pattern, pattern, len);
    re->len = len;
    re->hash = hash_bytes(pattern, len);
    rc = compile_code(pattern, len, &re->code, err);
    if (!rc) rc = describe(re, err);
    if (rc) goto done;
    /* A JIT failure (no JIT support, no executable memory) is not an
     * error: the interpreter runs the pattern. (*NO_JIT) makes no code. */
    if (pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE) == 0)
        pcre2_pattern_info(re->code, PCRE2_INFO_JITSIZE, &jit_size);
    re->jit = jit_size > 0;
done:
    if (rc) {
        cx__regex_free(re);
        return rc;
    }
    *out = re;
    return CX_OK;
}

void cx__regex_free(cx_regex *re)
{
    if (!re) return;
    pcre2_code_free(re->code);
    free(re);
}

const char *cx__regex_pattern(const cx_regex *re)
{
    return re->pattern;
}

int cx__regex_group_count(const cx_regex *re)
{
    return re->ngroups;
}

const char *cx__regex_group_name(const cx_regex *re, int group)
{
    return group >= 1 && group <= re->ngroups ? re->names[group] : NULL;
}

/* ------------------------------------------------- per-thread scratch */

/* What one thread needs to match: none of it may be shared. */
typedef struct scratch {
    pcre2_match_context *mctx; /* the limits, with stack assigned */
    pcre2_jit_stack *stack;    /* this thread's JIT stack */
    pcre2_match_data *md;      /* CX_REGEX_MAX_GROUPS + 1 pairs; keeps PCRE2's heap frames */
    unsigned generation;       /* the cache generation front belongs to */
    const cx_regex *front[FRONT_SLOTS]; /* cached regexes recently returned here */
} scratch;

static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static pthread_key_t scratch_key;             /* frees a thread's scratch when it exits */
static int scratch_key_ok;                    /* 1 once scratch_key exists */
static _Thread_local scratch *thread_scratch; /* the fast way to this thread's */

static void scratch_free(void *p)
{
    scratch *sc = p;
    if (!sc) return;
    pcre2_match_data_free(sc->md);
    pcre2_match_context_free(sc->mctx);
    pcre2_jit_stack_free(sc->stack);
    free(sc);
}

static void scratch_key_create(void)
{
    scratch_key_ok = pthread_key_create(&scratch_key, scratch_free) == 0;
}

/* A new scratch with the limits set, or NULL on OOM. Freed by scratch_free
 * (at thread exit through scratch_key). */
static scratch *scratch_new(void)
{
    scratch *sc = calloc(1, sizeof *sc);
    if (!sc) return NULL;
    sc->mctx = pcre2_match_context_create(NULL);
    sc->stack = pcre2_jit_stack_create(JIT_STACK_START, CX_REGEX_JIT_STACK, NULL);
    sc->md = pcre2_match_data_create(CX_REGEX_MAX_GROUPS + 1, NULL);
    if (!sc->mctx || !sc->stack || !sc->md) {
        scratch_free(sc);
        return NULL;
    }
    pcre2_jit_stack_assign(sc->mctx, NULL, sc->stack);
    pcre2_set_match_limit(sc->mctx, CX_REGEX_MATCH_LIMIT);
    pcre2_set_depth_limit(sc->mctx, CX_REGEX_DEPTH_LIMIT);
    pcre2_set_heap_limit(sc->mctx, CX_REGEX_HEAP_LIMIT_KIB);
    return sc;
}

/* The calling thread's scratch, created on first use; NULL on OOM. */
static scratch *scratch_get(void)
{
    if (thread_scratch) return thread_scratch;
    pthread_once(&scratch_once, scratch_key_create);
    if (!scratch_key_ok) return NULL;
    scratch *sc = scratch_new();
    if (sc && pthread_setspecific(scratch_key, sc) != 0) {
        scratch_free(sc);
        sc = NULL;
    }
    return thread_scratch = sc;
}

/* ----------------------------------------------------------------- cache */

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static cx_regex **cache_slots;       /* CACHE_SLOTS entries, NULL until first use */
static size_t cache_count;           /* entries in cache_slots */
static atomic_uint cache_generation; /* bumped by cx__regex_cache_clear */

/* The cached regex for these bytes, or NULL. Caller holds cache_lock. */
static cx_regex *cache_find(const char *pattern, size_t len, uint64_t hash)
{
    if (!cache_slots) return NULL;
    for (size_t i = hash & (CACHE_SLOTS - 1);; i = (i + 1) & (CACHE_SLOTS - 1)) {
        cx_regex *re = cache_slots[i];
        if (!re) return NULL;
        if (re->hash == hash && re->len == len && memcmp(re->pattern, pattern, len) == 0) return re;
    }
}

/* Adds re (not yet in the cache). Caller holds cache_lock and has checked
 * cache_count < CX_REGEX_CACHE_MAX. Returns 0, or -1 on OOM. */
static int cache_add(cx_regex *re)
{
    if (!cache_slots && !(cache_slots = calloc(CACHE_SLOTS, sizeof *cache_slots))) return -1;
    size_t i = re->hash & (CACHE_SLOTS - 1);
    while (cache_slots[i]) i = (i + 1) & (CACHE_SLOTS - 1);
    cache_slots[i] = re;
    cache_count++;
    return 0;
}

static int cache_full(const char *pattern, size_t len, cx_error *err)
{
    char what[64];
    snprintf(what, sizeof what, "more than %d distinct patterns", CX_REGEX_CACHE_MAX);
    return limit_error(err, pattern, len, what);
}

/* Looks pattern up in the thread's front slots; NULL when not there. */
static const cx_regex *front_find(scratch *sc, const char *pattern, size_t len, uint64_t hash)
{
    unsigned gen = atomic_load(&cache_generation);
    if (sc->generation != gen) {
        memset(sc->front, 0, sizeof sc->front);
        sc->generation = gen;
        return NULL;
    }
    const cx_regex *re = sc->front[hash % FRONT_SLOTS];
    if (re && re->hash == hash && re->len == len && memcmp(re->pattern, pattern, len) == 0)
        return re;
    return NULL;
}

/* Finds or inserts the regex for pattern under the lock; a regex compiled
 * meanwhile by another thread wins, and fresh is freed. */
static int cache_insert(const char *pattern, size_t len, cx_regex *fresh, const cx_regex **out,
                        cx_error *err)
{
    int rc = CX_OK;
    pthread_mutex_lock(&cache_lock);
    cx_regex *re = cache_find(pattern, len, fresh->hash);
    if (re) {
        cx__regex_free(fresh);
    } else if (cache_count >= CX_REGEX_CACHE_MAX) {
        rc = cache_full(pattern, len, err);
        cx__regex_free(fresh);
    } else if (cache_add(fresh) != 0) {
        rc = nomem(err);
        cx__regex_free(fresh);
    } else {
        re = fresh;
    }
    pthread_mutex_unlock(&cache_lock);
    *out = re;
    return rc;
}

int cx__regex_cached(const char *pattern, size_t len, const cx_regex **out, cx_error *err)
{
    if (!pattern) pattern = "";
    uint64_t hash = hash_bytes(pattern, len);
    scratch *sc = scratch_get();
    const cx_regex *re = sc ? front_find(sc, pattern, len, hash) : NULL;
    cx_regex *fresh = NULL;
    int rc = CX_OK, full = 0;
    *out = NULL;
    if (!re) {
        pthread_mutex_lock(&cache_lock);
        re = cache_find(pattern, len, hash);
        full = !re && cache_count >= CX_REGEX_CACHE_MAX;
        pthread_mutex_unlock(&cache_lock);
    }
    if (full) return cache_full(pattern, len, err);
    if (!re) {
        /* Compiled outside the lock, so one slow compile blocks no look-up. */
        rc = cx__regex_compile(pattern, len, &fresh, err);
        if (rc) return rc;
        rc = cache_insert(pattern, len, fresh, &re, err);
        if (rc) return rc;
    }
    if (sc) sc->front[hash % FRONT_SLOTS] = re;
    *out = re;
    return CX_OK;
}

void cx__regex_cache_clear(void)
{
    pthread_mutex_lock(&cache_lock);
    for (size_t i = 0; cache_slots && i < CACHE_SLOTS; i++) cx__regex_free(cache_slots[i]);
    free(cache_slots);
    cache_slots = NULL;
    cache_count = 0;
    atomic_fetch_add(&cache_generation, 1);
    pthread_mutex_unlock(&cache_lock);
    pcre2_jit_free_unused_memory(NULL); /* executable memory PCRE2 keeps for reuse */
    if (thread_scratch) {
        pthread_setspecific(scratch_key, NULL);
        scratch_free(thread_scratch);
        thread_scratch = NULL;
    }
}

/* ----------------------------------------------------------------- match */

/* The length of the valid UTF-8 prefix of s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), so len when all is
 * valid. As strict as PCRE2's own check, which it replaces: the JIT fast
 * path (pcre2_jit_match) checks nothing. */
static size_t utf8_valid_prefix(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint64_t word;
        if (i + 8 <= len && (memcpy(&word, s + i, 8), (word & 0x8080808080808080u) == 0)) {
            i += 8; /* eight ASCII bytes */
            continue;
        }
        unsigned c = s[i];
        size_t n = c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
        if (n == 0 || i + n > len) return i;
        unsigned lo = 0x80, hi = 0xBF; /* the range of the second byte */
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
        if (n > 1 && (s[i + 1] < lo || s[i + 1] > hi)) return i;
        for (size_t k = 2; k < n; k++)
            if ((s[i + k] & 0xC0) != 0x80) return i;
        i += n;
    }
    return i;
}

/* s is not valid UTF-8 from byte bad on: fills err with PCRE2's reason. */
static int utf8_error(const cx_regex *re, const char *s, size_t len, size_t bad, scratch *sc,
                      cx_error *err)
{
    char msg[256] = "invalid UTF-8";
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, sc->md, sc->mctx);
    if (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21) {
        pcre2_text(rc, msg, sizeof msg);
        bad = (size_t)pcre2_get_startchar(sc->md);
    }
    return cx__error(err, CX_EINPUT, "", 0, 0, "subject is not valid UTF-8 at byte %zu: %s", bad,
                     msg);
}

/* Checks the subject (length, UTF-8) and readies the calling thread's
 * scratch for one call: the match limit from one start position is cut so
 * that all start positions together stay within CX_REGEX_STEP_BUDGET (see
 * regex.h). searches is 1 for a single search, 2 for gsub (whose
 * empty-match retries may try a position twice). NULL with err set. */
static scratch *begin(const cx_regex *re, const char *s, size_t len, int searches, cx_error *err)
{
    char what[64];
    if (len > CX_REGEX_MAX_SUBJECT) {
        snprintf(what, sizeof what, "subject longer than %d bytes", CX_REGEX_MAX_SUBJECT);
        limit_error(err, re->pattern, re->len, what);
        return NULL;
    }
    scratch *sc = scratch_get();
    if (!sc) {
        nomem(err);
        return NULL;
    }
    size_t valid = utf8_valid_prefix((const unsigned char *)s, len);
    if (valid < len) {
        utf8_error(re, s, len, valid, sc, err);
        return NULL;
    }
    size_t starts = re->anchored && searches == 1 ? 1 : len + 1;
    size_t limit = CX_REGEX_STEP_BUDGET / starts;
    if (limit > CX_REGEX_MATCH_LIMIT) limit = CX_REGEX_MATCH_LIMIT;
    pcre2_set_match_limit(sc->mctx, (uint32_t)limit);
    return sc;
}

/* Turns a negative pcre2_match result (other than NOMATCH) into err;
 * returns -1. */
static int match_error(const cx_regex *re, int rc, cx_error *err)
{
    char what[128], msg[256];
    switch (rc) {
    case PCRE2_ERROR_MATCHLIMIT:
        return limit_error(err, re->pattern, re->len, "too many match steps"), -1;
    case PCRE2_ERROR_DEPTHLIMIT:
        snprintf(what, sizeof what, "backtracking deeper than %d", CX_REGEX_DEPTH_LIMIT);
        return limit_error(err, re->pattern, re->len, what), -1;
    case PCRE2_ERROR_HEAPLIMIT:
        snprintf(what, sizeof what, "backtracking needs more than %d KiB", CX_REGEX_HEAP_LIMIT_KIB);
        return limit_error(err, re->pattern, re->len, what), -1;
    case PCRE2_ERROR_JIT_STACKLIMIT:
        snprintf(what, sizeof what, "backtracking needs more than %d KiB of JIT stack",
                 CX_REGEX_JIT_STACK / 1024);
        return limit_error(err, re->pattern, re->len, what), -1;
    case PCRE2_ERROR_NOMEMORY:
        return nomem(err), -1;
    default: /* not user-caused: the subject was checked, the ovector is large enough */
        pcre2_text(rc, msg, sizeof msg);
        return cx__error(err, CX_EINPUT, "", 0, 0, "regex match failed: %s", msg), -1;
    }
}

/* One match attempt from offset start of a subject begin() checked: the
 * JIT fast path when there is JIT code (it does not take PCRE2_ANCHORED).
 * Returns the number of ovector pairs set (>= 1) with sc->md filled, 0
 * for no match, or -1 with err set. */
static int search(const cx_regex *re, const char *s, size_t len, size_t start, uint32_t options,
                  scratch *sc, cx_error *err)
{
    PCRE2_SPTR subject = (PCRE2_SPTR)(s ? s : "");
    int rc = re->jit && !(options & PCRE2_ANCHORED)
                 ? pcre2_jit_match(re->code, subject, len, start, options, sc->md, sc->mctx)
                 : pcre2_match(re->code, subject, len, start, options | PCRE2_NO_UTF_CHECK, sc->md,
                               sc->mctx);
    if (rc == PCRE2_ERROR_NOMATCH) return 0;
    if (rc < 0) return match_error(re, rc, err);
    if (rc == 0) /* ovector too small: cannot happen, groups are capped */
        return cx__error(err, CX_EINPUT, "", 0, 0, "regex: too many groups"), -1;
    return rc;
}

int cx__regex_test(const cx_regex *re, const char *subject, size_t len, cx_error *err)
{
    scratch *sc = begin(re, subject, len, 1, err);
    if (!sc) return -1;
    int rc = search(re, subject, len, 0, 0, sc, err);
    return rc > 0 ? 1 : rc;
}

int cx__regex_match(const cx_regex *re, const char *subject, size_t len, cx_regex_captures *caps,
                    cx_error *err)
{
    if (caps) caps->count = 0;
    scratch *sc = begin(re, subject, len, 1, err);
    if (!sc) return -1;
    int rc = search(re, subject, len, 0, 0, sc, err);
    if (rc <= 0 || !caps) return rc > 0 ? 1 : rc;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sc->md);
    int set = rc; /* pairs from set on are unset */
    caps->count = re->ngroups + 1;
    for (int i = 0; i < caps->count; i++) {
        int unset = i >= set || ov[2 * i] == PCRE2_UNSET;
        caps->group[i].start = unset ? -1 : (ptrdiff_t)ov[2 * i];
        caps->group[i].end = unset ? -1 : (ptrdiff_t)ov[2 * i + 1];
    }
    return 1;
}

/* ------------------------------------------------------------------ gsub */

/* The state of one gsub: the result so far and its budget. */
typedef struct gsub_out {
    cx_buf buf;     /* the result */
    size_t charged; /* bytes added, each reference counting at least one */
} gsub_out;

/* Appends n bytes, charging max(n, min_charge). Returns 0, or -1 when
 * the budget is spent or memory ran out (the caller reports which). */
static int emit(gsub_out *o, const char *s, size_t n, size_t min_charge)
{
    o->charged += n > min_charge ? n : min_charge;
    if (o->charged > CX_REGEX_MAX_OUTPUT) return -1;
    if (n) cx__buf_add(&o->buf, s, n);
    return o->buf.oom ? -1 : 0;
}

/* Reads the group reference after the '$' at repl[*i - 1]; advances *i.
 * Returns the group number, or -1 with err set. */
static int parse_ref(const cx_regex *re, const char *repl, size_t repl_len, size_t *i,
                     cx_error *err)
{
    size_t at = *i - 1, start = *i, end = *i;
    if (start < repl_len && repl[start] >= '0' && repl[start] <= '9') {
        *i = start + 1;
        end = start + 1;
    } else if (start < repl_len && repl[start] == '{') {
        end = start + 1;
        while (end < repl_len && repl[end] != '}' && end - start <= 64) end++;
        if (end >= repl_len || repl[end] != '}')
            return cx__error(err, CX_EINPUT, "", 0, 0,
                             "bad replacement at offset %zu: '${' without a closing '}'", at),
                   -1;
        *i = end + 1;
        start++;
    } else {
        return cx__error(err, CX_EINPUT, "", 0, 0,
                         "bad replacement at offset %zu: '$' must be followed by a digit, "
                         "{group} or '$' (write $$ for a dollar sign)",
                         at),
               -1;
    }
    if (start == end)
        return cx__error(err, CX_EINPUT, "", 0, 0,
                         "bad replacement at offset %zu: '${}' names no group", at),
               -1;
    int group = -1;
    if (repl[start] >= '0' && repl[start] <= '9') {
        group = 0;
        for (size_t k = start; k < end && group <= CX_REGEX_MAX_GROUPS; k++)
            group = repl[k] >= '0' && repl[k] <= '9' ? group * 10 + (repl[k] - '0') : INT32_MAX;
    } else {
        for (int g = 1; g <= re->ngroups; g++)
            if (re->names[g] && strlen(re->names[g]) == end - start &&
                memcmp(re->names[g], repl + start, end - start) == 0) {
                group = g;
                break;
            }
    }
    if (group < 0 || group > re->ngroups)
        return cx__error(err, CX_EINPUT, "", 0, 0,
                         "bad replacement at offset %zu: no group %.*s in the pattern (it has %d)",
                         at, (int)(end - start), repl + start, re->ngroups),
               -1;
    return group;
}

/* Appends repl with references to the match in ovector ov (subject s);
 * with o NULL only checks repl. Returns 0, 1 when the output budget is
 * spent or memory ran out, or -1 with err set for a bad replacement. */
static int expand(const cx_regex *re, const char *repl, size_t repl_len, const char *s,
                  const PCRE2_SIZE *ov, uint32_t set, gsub_out *o, cx_error *err)
{
    size_t i = 0;
    while (i < repl_len) {
        size_t lit = i;
        while (i < repl_len && repl[i] != '$') i++;
        if (o && i > lit && emit(o, repl + lit, i - lit, 0) != 0) return 1;
        if (i >= repl_len) break;
        if (i + 1 < repl_len && repl[i + 1] == '$') {
            if (o && emit(o, "$", 1, 0) != 0) return 1;
            i += 2;
            continue;
        }
        i++;
        int g = parse_ref(re, repl, repl_len, &i, err);
        if (g < 0) return -1;
        if (!o) continue;
        int unset = (uint32_t)g >= set || ov[2 * g] == PCRE2_UNSET;
        if (emit(o, unset ? "" : s + ov[2 * g], unset ? 0 : ov[2 * g + 1] - ov[2 * g], 1) != 0)
            return 1;
    }
    return 0;
}

/* The offset one character (a CRLF pair when that is a newline) past p. */
static size_t next_char(const cx_regex *re, const char *s, size_t len, size_t p)
{
    if (re->crlf && p + 1 < len && s[p] == '\r' && s[p + 1] == '\n') return p + 2;
    p++;
    while (p < len && ((unsigned char)s[p] & 0xC0) == 0x80) p++;
    return p;
}

/* The budget of o is spent, or memory ran out: fills err. */
static int output_error(const cx_regex *re, const gsub_out *o, cx_error *err)
{
    char what[64];
    if (o->buf.oom) return nomem(err), -1;
    snprintf(what, sizeof what, "gsub result longer than %d bytes", CX_REGEX_MAX_OUTPUT);
    return limit_error(err, re->pattern, re->len, what), -1;
}

/* The match loop of gsub (Perl's rule for empty matches: retry at the same
 * place for a non-empty match, else move on one character). Returns the
 * number of replacements, or -1 with err set. */
static int replace_all(const cx_regex *re, const char *s, size_t len, const char *repl,
                       size_t repl_len, scratch *sc, gsub_out *o, cx_error *err)
{
    size_t p = 0, copied = 0;
    uint32_t retry = 0;
    int count = 0;
    for (;;) {
        int rc = search(re, s, len, p, retry, sc, err);
        if (rc < 0) return -1;
        if (rc == 0) {
            if (!retry || p >= len) break;
            p = next_char(re, s, len, p);
            retry = 0;
            continue;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sc->md);
        if (ov[0] > ov[1] || ov[0] < copied) /* only \K in a lookaround, which is refused */
            return cx__error(err, CX_EINPUT, "", 0, 0, "regex: a match ended before it began"), -1;
        if (emit(o, s + copied, ov[0] - copied, 0) != 0 ||
            expand(re, repl, repl_len, s, ov, (uint32_t)rc, o, err) != 0)
            return output_error(re, o, err);
        count++;
        copied = p = ov[1];
        retry = ov[0] == ov[1] ? PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED : 0;
    }
    if (emit(o, s + copied, len - copied, 0) != 0) return output_error(re, o, err);
    return count;
}

int cx__regex_gsub(const cx_regex *re, const char *subject, size_t len, const char *repl,
                   size_t repl_len, char **out, size_t *out_len, cx_error *err)
{
    gsub_out o = {.charged = 0};
    *out = NULL;
    *out_len = 0;
    if (!subject) subject = "";
    if (!repl) repl = "";
    /* The replacement is checked before any match, so a bad one is an
     * error whatever the subject. */
    if (expand(re, repl, repl_len, NULL, NULL, 0, NULL, err) != 0) return -1;
    scratch *sc = begin(re, subject, len, 2, err);
    if (!sc) return -1;
    cx__buf_init(&o.buf);
    cx__buf_add(&o.buf, "", 0); /* so that an empty result is "" too */
    int count =
        o.buf.oom ? (nomem(err), -1) : replace_all(re, subject, len, repl, repl_len, sc, &o, err);
    if (count < 0) {
        cx__buf_free(&o.buf);
        return -1;
    }
    *out = o.buf.data;
    *out_len = o.buf.len;
    return count;
}
