/*
 * util.h -- small helpers every module shares: error values, an arena for
 * many small allocations that die together, a growable string, and the
 * edit distance behind "did you mean". No third-party library here.
 */
#ifndef CX_UTIL_H
#define CX_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <stdint.h>

#include "credex.h"

#if defined(__GNUC__)
#define CX_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CX_PRINTF(f, a)
#endif

#define CX_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Fills err (when not NULL) and returns code, so callers can write
 * `return cx__error(err, CX_EINPUT, file, line, col, "...", ...);`. */
int cx__error(cx_error *err, int code, const char *file, int line, int column, const char *fmt, ...)
    CX_PRINTF(6, 7);
int cx__verror(cx_error *err, int code, const char *file, int line, int column, const char *fmt,
               va_list ap);

/* The one rule for what credex never prints raw (docs/security.md,
 * "Escaping"): when the character at p (avail bytes) is a C0 control, DEL,
 * a C1 control, U+2028/U+2029 or a bidirectional control (U+202A..U+202E,
 * U+2066..U+2069), writes its escape into out (NUL-terminated: \n, \t, \r,
 * \x1b, \u009b, \u202e) and returns the bytes it takes in p; else 0. */
size_t cx__escape_char(const unsigned char *p, size_t avail, char out[8]);

/* Rewrites the NUL-terminated text in buf (of size bytes) with every such
 * character escaped, cut on a character boundary when it would no longer
 * fit. cx__verror applies it to every error's file and message,
 * cx_error_format to what it writes. Returns buf. */
char *cx__escape_controls(char *buf, size_t size);

/* lim with every 0 field at its default (CX_DEFAULT_MAX_*); lim may be NULL. */
cx_limits cx__limits_of(const cx_limits *lim);

/* A byte count for messages: "1 GiB", "64 KiB" when exact, else "N bytes". */
const char *cx__bytes_text(uint64_t n, char *buf, size_t size);

/* Memory: abort-free wrappers return NULL on failure like malloc. */
char *cx__strdup(const char *s);
char *cx__strndup(const char *s, size_t n);

/* An arena: allocations are freed all at once by cx__arena_free. */
typedef struct cx_arena_block cx_arena_block;
typedef struct cx_arena_adopted cx_arena_adopted;
typedef struct cx_arena {
    cx_arena_block *head;      /* newest block first */
    cx_arena_adopted *adopted; /* blocks handed over by cx__arena_adopt */
    size_t used;               /* bytes used in head */
    size_t total;              /* bytes handed out, for accounting */
} cx_arena;

void cx__arena_init(cx_arena *a);
void *cx__arena_alloc(cx_arena *a, size_t size); /* 8-byte aligned; NULL on OOM */
char *cx__arena_strndup(cx_arena *a, const char *s, size_t n);
char *cx__arena_strdup(cx_arena *a, const char *s);
void cx__arena_free(cx_arena *a);
/* Hands the arena p, size bytes malloc'd (an array grown by realloc, kept
 * rather than copied), to be freed with it: 0, or -1 out of memory (p is
 * then still the caller's). */
int cx__arena_adopt(cx_arena *a, void *p, size_t size);

/* A growable byte string, always NUL-terminated once anything is added. */
typedef struct cx_buf {
    char *data;
    size_t len;
    size_t cap;
    int oom; /* set when an append failed; later appends do nothing */
} cx_buf;

void cx__buf_init(cx_buf *b);
void cx__buf_grow_add(cx_buf *b, const char *s, size_t n); /* the slow path of cx__buf_add */

/* Appends s[0..n): inline while it fits (JSON is written a token at a time). */
static inline void cx__buf_add(cx_buf *b, const char *s, size_t n)
{
    if (b->len + n < b->cap) {
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = '\0';
    } else {
        cx__buf_grow_add(b, s, n);
    }
}

void cx__buf_puts(cx_buf *b, const char *s);
int cx__buf_write(const char *s, size_t n, void *b); /* a cx_write_fn into cx_buf b */
void cx__buf_printf(cx_buf *b, const char *fmt, ...) CX_PRINTF(2, 3);
/* A number held in hundredths as a catalog writes it: 40, 12.5, 7.25, -0.5. */
void cx__buf_hundredths(cx_buf *b, int64_t hundredths);
void cx__buf_free(cx_buf *b);

/* Appends s as one CSV field as RFC 4180 says: in double quotes, doubling
 * any quote, when it holds a comma, a quote or a line break. */
void cx__buf_csv_field(cx_buf *b, const char *s);

/* cx__escape_controls over a whole block of text lines in b, keeping its
 * line feeds: for renderers that print several lines of values (show,
 * whatif). */
void cx__buf_escape_lines(cx_buf *b);

/* Whether s is one of list, a NULL-terminated array of strings (list may
 * be NULL: then it is not). */
int cx__listed(const char *const *list, const char *s);

/* Levenshtein distance between a and b, capped at limit (returns limit+1
 * when larger), for suggestions. */
size_t cx__edit_distance(const char *a, const char *b, size_t limit);

/* Jurisdiction suggestions by subdivision code: a bare code ("TX", "tx")
 * names the ISO 3166-2 id that ends in "-TX" ("US-TX") when exactly one
 * candidate does. Feed every candidate id to cx__subdivision_see; then
 * cx__subdivision_pick gives that one id (a copy held in the struct) or
 * NULL, and the edit-distance suggestion applies. */
typedef struct cx_subdivision {
    const char *code; /* the id asked for; NULL when it is no bare code */
    char only[64];    /* the first candidate that matched */
    int matches;      /* how many candidates matched */
} cx_subdivision;

void cx__subdivision_begin(cx_subdivision *s, const char *id);
int cx__subdivision_see(cx_subdivision *s, const char *candidate); /* 1: it matched */
const char *cx__subdivision_pick(const cx_subdivision *s);

/* A growable list of malloc'd strings. */
typedef struct cx_strlist {
    char **v;
    size_t n, cap;
} cx_strlist;

int cx__strlist_add(cx_strlist *l, const char *s); /* copies s; 0, or -1 on OOM */
void cx__strlist_free(cx_strlist *l);

/* Appends every regular file under dir whose name ends with suffix,
 * recursively (entries starting with '.' skipped, 32 levels at most), in
 * the order the directory lists them: sort them for byte order. */
int cx__walk_files(const char *dir, const char *suffix, cx_strlist *out, cx_error *err);

/* A catalog number (^[0-9]+(\.[0-9]{1,2})?$, at most 13 digits before the
 * point) as hundredths: "40" is 4000, "12.5" is 1250; CX_NO_NUMBER when s is
 * not one. */
int64_t cx__parse_number(const char *s);

/* qsort comparator for an array of char* by byte order. */
int cx__strcmp_ptr(const void *a, const void *b);

/* A string-keyed hash map (open addressing). Keys are not copied: they
 * must outlive the map. Values are pointers. */
typedef struct cx_strmap {
    const char **keys;
    void **values;
    uint32_t *hashes; /* the low half of each key's hash, so that a probe
                       * compares a string only when the halves match */
    size_t cap;       /* a power of two, or 0 */
    size_t count;     /* keys present */
} cx_strmap;

void cx__strmap_init(cx_strmap *m);
void cx__strmap_free(cx_strmap *m);
/* The value under key, or NULL. */
void *cx__strmap_get(const cx_strmap *m, const char *key);
/* Adds key -> value. Returns 0, 1 when the key was already there (its
 * value left unchanged, *old set to it when old is not NULL), or -1 on OOM. */
int cx__strmap_put(cx_strmap *m, const char *key, void *value, void **old);

#endif
