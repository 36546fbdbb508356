/*
 * util.c -- error values (escaped as they are made), the escaping rule for
 * printed text, input limits' defaults, arena, growable strings, edit
 * distance. Owns no global state.
 */
#include "util.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void cx_error_clear(cx_error *err)
{
    if (!err) return;
    memset(err, 0, sizeof *err);
}

/* "file:line:col: message", the parts that are known, as they are. */
static void format_parts(const cx_error *err, char *buf, size_t size)
{
    if (err->file[0] && err->line > 0 && err->column > 0)
        snprintf(buf, size, "%s:%d:%d: %s", err->file, err->line, err->column, err->message);
    else if (err->file[0] && err->line > 0)
        snprintf(buf, size, "%s:%d: %s", err->file, err->line, err->message);
    else if (err->file[0])
        snprintf(buf, size, "%s: %s", err->file, err->message);
    else
        snprintf(buf, size, "%s", err->message);
}

void cx_error_format(const cx_error *err, char *buf, size_t size)
{
    if (size == 0) return;
    format_parts(err, buf, size);
    cx__escape_controls(buf, size); /* for an error not made by cx__error */
}

int cx__verror(cx_error *err, int code, const char *file, int line, int column, const char *fmt,
               va_list ap)
{
    if (!err) return code;
    err->code = code;
    err->line = line;
    err->column = column;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    cx__escape_controls(err->file, sizeof err->file);
    cx__escape_controls(err->message, sizeof err->message);
    return code;
}

size_t cx__escape_char(const unsigned char *p, size_t avail, char out[8])
{
    unsigned cp;
    size_t len;
    if (avail == 0) return 0;
    if (p[0] < 0x20 || p[0] == 0x7F) {
        const char *named = p[0] == '\n'   ? "\\n"
                            : p[0] == '\t' ? "\\t"
                            : p[0] == '\r' ? "\\r"
                                           : NULL;
        if (named)
            snprintf(out, 8, "%s", named);
        else
            snprintf(out, 8, "\\x%02x", p[0]);
        return 1;
    }
    if (p[0] == 0xC2 && avail >= 2 && p[1] >= 0x80 && p[1] <= 0x9F) /* C1: U+0080..U+009F */
        cp = p[1], len = 2;
    else if (p[0] == 0xE2 && avail >= 3 && p[1] == 0x80 && p[2] >= 0xA8 && p[2] <= 0xAE)
        cp = 0x2000u + (p[2] - 0x80u), len = 3; /* U+2028, U+2029, U+202A..U+202E */
    else if (p[0] == 0xE2 && avail >= 3 && p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9)
        cp = 0x2040u + (p[2] - 0x80u), len = 3; /* U+2066..U+2069 */
    else
        return 0;
    snprintf(out, 8, "\\u%04x", cp);
    return len;
}

/* Escapes s into b as cx__escape_char says. */
static void put_escaped(cx_buf *b, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, run = 0;
    char e[8];
    while (i < n) {
        size_t k = cx__escape_char(u + i, n - i, e);
        if (!k) {
            i++;
            continue;
        }
        cx__buf_add(b, s + run, i - run);
        cx__buf_puts(b, e);
        run = i += k;
    }
    cx__buf_add(b, s + run, n - run);
}

void cx__buf_escape_lines(cx_buf *b)
{
    cx_buf out;
    size_t start = 0;
    char e[8];
    const unsigned char *p = (const unsigned char *)b->data;
    size_t i = 0;
    if (b->oom || !b->data) return;
    while (i < b->len && (p[i] == '\n' || !cx__escape_char(p + i, b->len - i, e))) i++;
    if (i == b->len) return; /* nothing to escape: the common case */
    cx__buf_init(&out);
    for (i = 0; i <= b->len; i++) {
        if (i < b->len && b->data[i] != '\n') continue;
        char *line = cx__strndup(b->data + start, i - start);
        if (!line) {
            out.oom = 1;
            break;
        }
        put_escaped(&out, line);
        free(line);
        if (i < b->len) cx__buf_add(&out, "\n", 1);
        start = i + 1;
    }
    cx__buf_free(b);
    *b = out;
}

char *cx_escaped(const char *s)
{
    cx_buf b;
    cx__buf_init(&b);
    put_escaped(&b, s ? s : "");
    cx__buf_add(&b, "", 0);
    if (!b.data && !b.oom) return cx__strdup("");
    if (b.oom) cx__buf_free(&b);
    return b.data; /* the caller frees it */
}

char *cx__escape_controls(char *buf, size_t size)
{
    const unsigned char *p = (const unsigned char *)buf;
    char e[8];
    size_t len = strlen(buf), i = 0, n = 0;
    while (i < len && !cx__escape_char(p + i, len - i, e)) i++;
    if (i == len || size == 0) return buf; /* the common case: nothing to escape */
    char *src = cx__strndup(buf, len);
    if (!src) { /* no memory for a copy: blank the controls out in place */
        for (unsigned char *q = (unsigned char *)buf; *q; q++)
            if (*q < 0x20 || *q == 0x7F) *q = '?';
        return buf;
    }
    const unsigned char *s = (const unsigned char *)src;
    for (i = 0; i < len;) {
        size_t k = cx__escape_char(s + i, len - i, e), w;
        const char *piece = k ? e : src + i;
        if (k)
            w = strlen(e);
        else /* one UTF-8 character, whole */
            for (w = k = 1; i + w < len && (s[i + w] & 0xC0) == 0x80 && w < 4; w++) k++;
        if (n + w >= size) break;
        memcpy(buf + n, piece, w);
        n += w;
        i += k;
    }
    buf[n] = '\0';
    free(src);
    return buf;
}

cx_limits cx__limits_of(const cx_limits *lim)
{
    cx_limits l = {CX_DEFAULT_MAX_INPUT_BYTES, CX_DEFAULT_MAX_SCALAR_BYTES,
                   CX_DEFAULT_MAX_LIST_ITEMS};
    if (lim && lim->max_input_bytes) l.max_input_bytes = lim->max_input_bytes;
    if (lim && lim->max_scalar_bytes) l.max_scalar_bytes = lim->max_scalar_bytes;
    if (lim && lim->max_list_items) l.max_list_items = lim->max_list_items;
    return l;
}

const char *cx__bytes_text(uint64_t n, char *buf, size_t size)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    int u = -1;
    uint64_t v = n;
    while (v >= 1024 && v % 1024 == 0 && u < 3) v /= 1024, u++;
    if (u < 0)
        snprintf(buf, size, "%llu bytes", (unsigned long long)n);
    else
        snprintf(buf, size, "%llu %s", (unsigned long long)v, units[u]);
    return buf;
}

int cx__error(cx_error *err, int code, const char *file, int line, int column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cx__verror(err, code, file, line, column, fmt, ap);
    va_end(ap);
    return code;
}

char *cx__strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *cx__strdup(const char *s)
{
    return s ? cx__strndup(s, strlen(s)) : NULL;
}

/* ------------------------------------------------------------------ arena */

struct cx_arena_block {
    cx_arena_block *next;
    size_t size; /* usable bytes after the header */
    max_align_t data[];
};

#define ARENA_BLOCK (64 * 1024)

struct cx_arena_adopted {
    cx_arena_adopted *next;
    void *block;
};

void cx__arena_init(cx_arena *a)
{
    a->head = NULL;
    a->adopted = NULL;
    a->used = 0;
    a->total = 0;
}

void *cx__arena_alloc(cx_arena *a, size_t size)
{
    size = (size + 7) & ~(size_t)7;
    if (!a->head || a->head->size - a->used < size) {
        size_t want = size > ARENA_BLOCK / 4 ? size : ARENA_BLOCK;
        cx_arena_block *b = malloc(sizeof *b + want);
        if (!b) return NULL;
        b->size = want;
        if (a->head && want != ARENA_BLOCK) {
            /* a big allocation gets its own block behind the head, so the
             * head's free space is not wasted */
            b->next = a->head->next;
            a->head->next = b;
            a->total += size;
            return b->data;
        }
        b->next = a->head;
        a->head = b;
        a->used = 0;
    }
    void *p = (char *)a->head->data + a->used;
    a->used += size;
    a->total += size;
    return p;
}

char *cx__arena_strndup(cx_arena *a, const char *s, size_t n)
{
    char *p = cx__arena_alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *cx__arena_strdup(cx_arena *a, const char *s)
{
    return cx__arena_strndup(a, s, strlen(s));
}

int cx__arena_adopt(cx_arena *a, void *p, size_t size)
{
    cx_arena_adopted *x = cx__arena_alloc(a, sizeof *x); /* freed with the arena's blocks */
    if (!x) return -1;
    x->block = p;
    x->next = a->adopted;
    a->adopted = x;
    a->total += size;
    return 0;
}

void cx__arena_free(cx_arena *a)
{
    for (cx_arena_adopted *x = a->adopted; x; x = x->next) free(x->block);
    cx_arena_block *b = a->head;
    while (b) {
        cx_arena_block *next = b->next;
        free(b);
        b = next;
    }
    cx__arena_init(a);
}

/* -------------------------------------------------------------- growable */

void cx__buf_init(cx_buf *b)
{
    memset(b, 0, sizeof *b);
}

void cx__buf_grow_add(cx_buf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

int cx__buf_write(const char *s, size_t n, void *b)
{
    cx__buf_add(b, s, n);
    return ((cx_buf *)b)->oom ? -1 : 0;
}

void cx__buf_puts(cx_buf *b, const char *s)
{
    cx__buf_add(b, s, strlen(s));
}

void cx__buf_printf(cx_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        cx__buf_add(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    cx__buf_add(b, big, (size_t)n);
    free(big);
}

void cx__buf_hundredths(cx_buf *b, int64_t hundredths)
{
    int64_t whole = hundredths / 100, part = hundredths % 100;
    if (part < 0) part = -part;
    if (part == 0)
        cx__buf_printf(b, "%" PRId64, whole);
    else if (part % 10 == 0)
        cx__buf_printf(b, "%s%" PRId64 ".%" PRId64, hundredths < 0 && !whole ? "-" : "", whole,
                       part / 10);
    else
        cx__buf_printf(b, "%s%" PRId64 ".%02" PRId64, hundredths < 0 && !whole ? "-" : "", whole,
                       part);
}

void cx__buf_free(cx_buf *b)
{
    free(b->data);
    cx__buf_init(b);
}

void cx__buf_csv_field(cx_buf *b, const char *s)
{
    if (!s) return;
    size_t plain = strcspn(s, ",\"\r\n");
    if (!s[plain]) {
        cx__buf_add(b, s, plain);
        return;
    }
    cx__buf_add(b, "\"", 1);
    for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) { /* up to a quote, doubled */
        cx__buf_add(b, s, (size_t)(q - s) + 1);
        cx__buf_add(b, "\"", 1);
    }
    cx__buf_puts(b, s);
    cx__buf_add(b, "\"", 1);
}

int cx__listed(const char *const *list, const char *s)
{
    for (size_t i = 0; list && list[i]; i++)
        if (strcmp(list[i], s) == 0) return 1;
    return 0;
}

/* ---------------------------------------------------------- suggestions */

/* Optimal string alignment distance: insertions, deletions, substitutions
 * and swaps of two adjacent characters each cost 1, so the usual typos
 * (TX-EVS-110 for TX-EVS-101) are one edit away. */
size_t cx__edit_distance(const char *a, const char *b, size_t limit)
{
    size_t la = strlen(a), lb = strlen(b);
    if ((la > lb ? la - lb : lb - la) > limit) return limit + 1;
    if (lb > 255) return limit + 1; /* ids are short; refuse the absurd */
    size_t rows[3][256], *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    size_t best_prev = 0; /* the smallest entry of the previous row */
    for (size_t j = 0; j <= lb; j++) prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t best = cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t v = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < v) v = prev[j] + 1;
            if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < v)
                v = prev2[j - 2] + 1;
            cur[j] = v;
            if (v < best) best = v;
        }
        /* a swap reaches back two rows: stop only when both exceed limit */
        if (best > limit && best_prev > limit) return limit + 1;
        best_prev = best;
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb] > limit ? limit + 1 : prev[lb];
}

const char *cx_nearest(const char *word, const char *const *candidates, size_t n)
{
    size_t len = strlen(word);
    size_t limit = len / 3 > 2 ? len / 3 : 2, best_d = limit + 1;
    const char *best = NULL;
    for (size_t i = 0; i < n; i++) {
        size_t d = cx__edit_distance(word, candidates[i], limit);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best;
}

/* A bare subdivision code: one to three ASCII letters or digits. */
static int bare_code(const char *id)
{
    size_t n = 0;
    for (; id[n]; n++) {
        unsigned char c = (unsigned char)id[n];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return 0;
    }
    return n >= 1 && n <= 3;
}

void cx__subdivision_begin(cx_subdivision *s, const char *id)
{
    s->code = bare_code(id) ? id : NULL;
    s->only[0] = '\0';
    s->matches = 0;
}

int cx__subdivision_see(cx_subdivision *s, const char *candidate)
{
    if (!s->code) return 0;
    size_t n = strlen(s->code), m = strlen(candidate);
    if (m <= n + 1 || candidate[m - n - 1] != '-' || m >= sizeof s->only) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)s->code[i], y = (unsigned char)candidate[m - n + i];
        if (x >= 'a' && x <= 'z') x = (unsigned char)(x - 'a' + 'A');
        if (y >= 'a' && y <= 'z') y = (unsigned char)(y - 'a' + 'A');
        if (x != y) return 0;
    }
    if (s->matches++ == 0) memcpy(s->only, candidate, m + 1);
    return 1;
}

const char *cx__subdivision_pick(const cx_subdivision *s)
{
    return s->matches == 1 ? s->only : NULL;
}

int64_t cx__parse_number(const char *s)
{
    int64_t v = 0;
    size_t i = 0;
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        if (i >= 13) return CX_NO_NUMBER; /* keep hundredths far from overflow */
        v = v * 10 + (s[i] - '0');
    }
    if (i == 0) return CX_NO_NUMBER;
    v *= 100;
    if (s[i] == '.') {
        i++;
        if (s[i] < '0' || s[i] > '9') return CX_NO_NUMBER;
        v += (s[i++] - '0') * 10;
        if (s[i] >= '0' && s[i] <= '9') v += s[i++] - '0';
    }
    return s[i] == '\0' ? v : CX_NO_NUMBER;
}

int cx__strcmp_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ------------------------------------------------------------ string map */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

void cx__strmap_init(cx_strmap *m)
{
    memset(m, 0, sizeof *m);
}

void cx__strmap_free(cx_strmap *m)
{
    free(m->keys);
    free(m->values);
    free(m->hashes);
    cx__strmap_init(m);
}

/* The slot of key (whose hash is h): where it is, or the empty slot where
 * it goes. A slot's string is compared only when its stored half of the
 * hash matches: a miss in a map of millions of ids then reads no string. */
static size_t strmap_slot(const cx_strmap *m, const char *key, uint64_t h)
{
    size_t i = (size_t)h & (m->cap - 1);
    uint32_t low = (uint32_t)h;
    while (m->keys[i] && (m->hashes[i] != low || strcmp(m->keys[i], key) != 0))
        i = (i + 1) & (m->cap - 1);
    return i;
}

void *cx__strmap_get(const cx_strmap *m, const char *key)
{
    if (!m->cap) return NULL;
    size_t i = strmap_slot(m, key, hash_str(key));
    return m->keys[i] ? m->values[i] : NULL;
}

/* Doubles m's slots. A key keeps its place in the probe order, so the
 * slots are those rehashing every key would give; the stored low half of
 * a hash is its home slot in any map of up to 2^32 slots. */
static int strmap_grow(cx_strmap *m)
{
    cx_strmap g = {NULL, NULL, NULL, m->cap ? m->cap * 2 : 64, m->count};
    g.keys = calloc(g.cap, sizeof *g.keys);
    g.values = calloc(g.cap, sizeof *g.values);
    g.hashes = calloc(g.cap, sizeof *g.hashes);
    if (!g.keys || !g.values || !g.hashes) {
        cx__strmap_free(&g);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        uint64_t h = g.cap <= ((uint64_t)1 << 32) ? m->hashes[i] : hash_str(m->keys[i]);
        size_t j = (size_t)h & (g.cap - 1);
        while (g.keys[j]) j = (j + 1) & (g.cap - 1);
        g.keys[j] = m->keys[i];
        g.values[j] = m->values[i];
        g.hashes[j] = m->hashes[i];
    }
    cx__strmap_free(m);
    *m = g;
    return 0;
}

int cx__strmap_put(cx_strmap *m, const char *key, void *value, void **old)
{
    if ((m->count + 1) * 4 > m->cap * 3 && strmap_grow(m) != 0) return -1;
    uint64_t h = hash_str(key);
    size_t i = strmap_slot(m, key, h);
    if (m->keys[i]) {
        if (old) *old = m->values[i];
        return 1;
    }
    m->keys[i] = key;
    m->values[i] = value;
    m->hashes[i] = (uint32_t)h;
    m->count++;
    return 0;
}

/* ------------------------------------------------------------ file lists */

int cx__strlist_add(cx_strlist *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v) return -1;
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n] = cx__strdup(s))) return -1;
    l->n++;
    return 0;
}

void cx__strlist_free(cx_strlist *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int walk(const char *dir, const char *suffix, cx_strlist *out, int depth, cx_error *err)
{
    DIR *d = depth > 32 ? NULL : opendir(dir);
    struct dirent *e;
    size_t k = strlen(suffix);
    int rc = CX_OK;
    if (!d) return cx__error(err, CX_EINPUT, dir, 0, 0, "cannot read directory");
    while (rc == CX_OK && (e = readdir(d))) {
        char path[4096];
        struct stat st;
        size_t n = strlen(e->d_name);
        if (e->d_name[0] == '.') continue;
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= sizeof path ||
            stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            rc = walk(path, suffix, out, depth + 1, err);
        else if (S_ISREG(st.st_mode) && n > k && strcmp(e->d_name + n - k, suffix) == 0 &&
                 cx__strlist_add(out, path) != 0)
            rc = cx__error(err, CX_ENOMEM, dir, 0, 0, "out of memory");
    }
    closedir(d);
    return rc;
}

int cx__walk_files(const char *dir, const char *suffix, cx_strlist *out, cx_error *err)
{
    return walk(dir, suffix, out, 0, err);
}
