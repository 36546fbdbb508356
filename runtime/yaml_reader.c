/*
 * yaml_reader.c -- libyaml's event stream -> a tree of cx_ynode in an arena,
 * each node with its 1-based line:column; stops at the first located error.
 * The only file that includes yaml.h; knows no catalog and resolves no types;
 * reads files with read(2) and never maps one.
 */
#define _DEFAULT_SOURCE /* pread, st_mtim */
#include "yaml_reader.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "util.h"

struct cx_ydoc {
    cx_arena arena;       /* every node, item array and string of the file */
    const cx_ynode *root; /* NULL when the file holds no document */
    const char *name;     /* the file name, for messages (in the arena) */
    const char *format;   /* "yaml", "json", "csv": what it was read from (static) */
};

/* Bytes handed to libyaml per read: its reader decodes (and checks the
 * UTF-8 of) everything it is given, so small reads keep a bad byte from
 * being reported long before an earlier syntax error. */
#define READ_CHUNK 256

/* Bytes of a file read at a time (cx__yaml_stream_file): a multiple of
 * READ_CHUNK, so libyaml is handed the same pieces as from a buffer. */
#define FILE_CHUNK ((size_t)1 << 20)

struct cx_yfile {
    int fd;                /* the open file */
    char *path;            /* its path, for messages (malloc'd) */
    cx_yread_fn read;      /* reads the next bytes: read(2), or a test's */
    void *ud;              /* passed to read */
    unsigned char *buf;    /* bytes [at, at + n) of the file (malloc'd, cap bytes) */
    size_t cap;            /* bytes allocated in buf: a chunk, or the whole file if smaller */
    size_t n;              /* bytes in buf */
    size_t at;             /* offset in the file of buf[0] */
    size_t size;           /* the file's size when it was opened */
    size_t got;            /* bytes read so far, in order, by read */
    struct timespec mtime; /* its modification time when it was opened */
    int eof;               /* 1 once read gave 0 bytes */
};

/* A map whose key count reaches this switches from a linear scan to a
 * hash set for its duplicate-key check, so a hostile map of a million
 * keys costs linear time. */
#define LINEAR_KEYS 16

/* The keys of one open map with many keys: open addressing over ordinals. */
typedef struct keyset {
    size_t *slots; /* ordinal + 1 of a key, 0 when empty; malloc'd */
    size_t cap;    /* number of slots: 0 or a power of two */
} keyset;

/* One open collection. */
typedef struct frame {
    cx_ynode *node; /* the map or list being built (in the arena) */
    size_t base;    /* index on the entry stack where its entries start */
    keyset keys;    /* for maps with LINEAR_KEYS keys or more */
    int streams;    /* 1: a streamed list (cx__yaml_stream_buffer): each item goes to the
                     * caller when it ends, then is freed; none is kept */
    size_t handed;  /* items of a streamed list handed to the caller so far */
} frame;

/* The state of one parse. */
typedef struct reader {
    const char *name;                /* the file name, for messages */
    const unsigned char *data;       /* the whole input, or the file's current chunk */
    size_t len;                      /* bytes in data */
    size_t fed;                      /* bytes of data handed to libyaml so far */
    cx_yfile *file;                  /* NULL: data is the whole input; else the file read
                                      * chunk by chunk into data (not owned) */
    int input_rc;                    /* the error of a failed read of file (err set), or 0 */
    cx_ydoc *doc;                    /* the document being built */
    frame frames[CX_YAML_MAX_DEPTH]; /* the open collections, outermost first */
    int depth;                       /* open collections (frames in use) */
    cx_ynode **entries;              /* the items of every open collection, innermost
                                      * last; a map's are key, value, key, ... (malloc'd) */
    size_t nentries;                 /* entries in use */
    size_t capentries;               /* entries allocated */
    int documents;                   /* document starts seen */
    cx_limits limits;                /* the caps on scalars and lists (defaults filled) */
    cx_error *err;                   /* where the first error goes */
    cx_arena *arena;                 /* where new nodes go: the document's, or item's */
    cx_arena item;                   /* the nodes of the streamed item being read */
    const char *stream_key;          /* the top-level key whose list is streamed, or NULL */
    cx_yitem_fn stream_fn;           /* receives each item of that list */
    void *stream_ud;                 /* passed to stream_fn */
} reader;

/* ------------------------------------------------------------ locations */

static int to_int(size_t v)
{
    return v >= (size_t)INT_MAX ? INT_MAX : (int)v;
}

static int mark_line(yaml_mark_t m)
{
    return to_int(m.line + 1);
}

static int mark_column(yaml_mark_t m)
{
    return to_int(m.column + 1);
}

/* Bytes taken by the line break at p, counted the way libyaml counts them
 * (CR LF, CR, LF, NEL, LS, PS), or 0 when p holds no line break. */
static size_t line_break_at(const unsigned char *p, size_t avail)
{
    if (p[0] == '\n') return 1;
    if (p[0] == '\r') return avail > 1 && p[1] == '\n' ? 2 : 1;
    if (p[0] == 0xC2 && avail > 1 && p[1] == 0x85) return 2;
    if (p[0] == 0xE2 && avail > 2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) return 3;
    return 0;
}

/* Bytes of the input read so far: all of a buffer, or what the parser
 * has read of a file. */
static size_t input_size(const reader *r)
{
    return r->file ? r->file->got : r->len;
}

/* The input from byte offset on, for locating an error once the parse has
 * stopped: *avail bytes of it (at least 4 unless the input ends sooner).
 * A file's bytes behind the parser are read again into its buffer. */
static const unsigned char *input_at(const reader *r, size_t offset, size_t *avail)
{
    cx_yfile *f = r->file;
    if (!f) {
        if (offset > r->len) offset = r->len;
        *avail = r->len - offset;
        return r->data + offset;
    }
    if (offset < f->at || offset + 4 > f->at + f->n) {
        ssize_t got = pread(f->fd, f->buf, f->cap, (off_t)offset);
        f->at = offset;
        f->n = got > 0 ? (size_t)got : 0;
    }
    *avail = f->n - (offset - f->at);
    return f->buf + (offset - f->at);
}

/* The 1-based line and column (in characters) of byte offset in the input:
 * libyaml's reader errors give only a byte offset. A UTF-8 byte order mark
 * takes no column, as in libyaml's own marks. */
static void locate_offset(const reader *r, size_t offset, int *line, int *column)
{
    size_t i = 0, ln = 1, col = 1, avail;
    const unsigned char *p = input_at(r, 0, &avail);
    if (avail >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) i = 3;
    if (offset > input_size(r)) offset = input_size(r);
    while (i < offset) {
        size_t start = i;
        p = input_at(r, start, &avail);
        if (!avail) break;
        /* 3 bytes are kept for a line break's look-ahead, unless the input ends */
        size_t stop = avail < 4 ? start + avail : start + avail - 3;
        if (stop > offset) stop = offset;
        while (i < stop) {
            size_t brk = line_break_at(p + (i - start), avail - (i - start));
            if (brk) {
                ln++;
                col = 1;
                i += brk;
                continue;
            }
            if ((p[i - start] & 0xC0) != 0x80) col++; /* a character starts here */
            i++;
        }
    }
    *line = to_int(ln);
    *column = to_int(col);
}

/* ---------------------------------------------------------------- errors */

/* Copies at most size-1 bytes of text into buf for a message, control
 * characters shown as '?', cut on a character boundary with "...". */
static const char *for_message(const char *text, size_t len, char *buf, size_t size)
{
    size_t keep = len, n;
    int cut = keep > size - 4;
    if (cut) {
        keep = size - 4;
        while (keep > 0 && ((unsigned char)text[keep] & 0xC0) == 0x80) keep--;
    }
    for (n = 0; n < keep; n++) {
        unsigned char c = (unsigned char)text[n];
        buf[n] = c < 0x20 || c == 0x7F ? '?' : (char)c;
    }
    if (cut) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

static int error_at(reader *r, int line, int column, const char *fmt, ...) CX_PRINTF(4, 5);
static int error_at(reader *r, int line, int column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cx__verror(r->err, CX_EINPUT, r->name, line, column, fmt, ap);
    va_end(ap);
    return CX_EINPUT;
}

static int out_of_memory(reader *r)
{
    return cx__error(r->err, CX_ENOMEM, r->name, 0, 0, "out of memory while reading YAML");
}

/* The byte at offset of the input, given the avail bytes at w from
 * offset from; 0 beyond them. */
static unsigned byte_at(const unsigned char *w, size_t from, size_t avail, size_t offset)
{
    return offset >= from && offset - from < avail ? w[offset - from] : 0;
}

/* What is wrong with the input bytes at *offset, from libyaml's reader
 * error; *offset moves to the first byte of a broken sequence. */
static void describe_bad_bytes(const reader *r, const yaml_parser_t *p, size_t *offset, char *buf,
                               size_t size)
{
    const char *problem = p->problem ? p->problem : "";
    size_t len = input_size(r), avail;
    size_t off = *offset < len ? *offset : (len ? len - 1 : 0);
    size_t from = off > 3 ? off - 3 : 0; /* a sequence's lead byte is at most 3 bytes back */
    const unsigned char *w = input_at(r, from, &avail);
    unsigned byte = len ? byte_at(w, from, avail, off) : 0;
    int value = p->problem_value;
    if (strcmp(problem, "invalid trailing UTF-8 octet") == 0) {
        size_t lead = off ? off - 1 : 0; /* back to the byte that starts the sequence */
        while (lead > 0 && off - lead < 3 && (byte_at(w, from, avail, lead) & 0xC0) == 0x80) lead--;
        snprintf(buf, size,
                 "invalid UTF-8 sequence: byte 0x%02x is followed by 0x%02x, "
                 "not a continuation byte",
                 byte_at(w, from, avail, lead), byte);
        *offset = lead;
    } else if (strcmp(problem, "invalid leading UTF-8 octet") == 0) {
        snprintf(buf, size, "invalid UTF-8 byte 0x%02x", byte);
    } else if (strcmp(problem, "incomplete UTF-8 octet sequence") == 0) {
        snprintf(buf, size, "invalid UTF-8 byte 0x%02x: the file ends inside a character", byte);
    } else if (strcmp(problem, "invalid length of a UTF-8 sequence") == 0) {
        snprintf(buf, size, "invalid UTF-8 sequence starting with byte 0x%02x (overlong)", byte);
    } else if (strcmp(problem, "invalid Unicode character") == 0) {
        snprintf(buf, size,
                 "invalid UTF-8 sequence starting with byte 0x%02x (U+%04X is not "
                 "a character)",
                 byte, (unsigned)value);
    } else if (strcmp(problem, "control characters are not allowed") == 0 && value < 0x80) {
        snprintf(buf, size, "control character 0x%02x is not allowed", (unsigned)value);
    } else if (strcmp(problem, "control characters are not allowed") == 0) {
        snprintf(buf, size, "character U+%04X is not allowed", (unsigned)value);
    } else {
        snprintf(buf, size, "%s", p->problem ? p->problem : "unreadable input");
    }
}

/* A hint for the libyaml problems a hand-written file meets most. */
static const char *syntax_hint(const char *problem)
{
    if (strcmp(problem, "mapping values are not allowed in this context") == 0)
        return "; quote a value that contains ': '";
    if (strcmp(problem, "found character that cannot start any token") == 0)
        return "; indent with spaces, not tabs, and quote a value that starts with @ or `";
    return "";
}

/* A located error from libyaml's parser state after a failed parse. */
static int parser_error(reader *r, const yaml_parser_t *p)
{
    if (r->input_rc) return r->input_rc; /* the file could not be read, or changed */
    if (p->error == YAML_MEMORY_ERROR) return out_of_memory(r);
    if (p->error == YAML_READER_ERROR) {
        char what[200];
        int line, column;
        size_t offset = p->problem_offset;
        describe_bad_bytes(r, p, &offset, what, sizeof what);
        locate_offset(r, offset, &line, &column);
        return error_at(r, line, column, "%s; expected printable UTF-8 text", what);
    }
    const char *problem = p->problem ? p->problem : "invalid YAML";
    const char *hint = syntax_hint(problem);
    int line = mark_line(p->problem_mark), column = mark_column(p->problem_mark);
    if (!p->context) return error_at(r, line, column, "%s%s", problem, hint);
    int cl = mark_line(p->context_mark), cc = mark_column(p->context_mark);
    if (cl == line && cc == column)
        return error_at(r, line, column, "%s %s%s", p->context, problem, hint);
    return error_at(r, line, column, "%s (%s at line %d, column %d)%s", problem, p->context, cl, cc,
                    hint);
}

/* ------------------------------------------------------------ the input */

/* The error for a file that changed under the reader. */
static int changed(const cx_yfile *f, size_t now, cx_error *err)
{
    return cx__error(err, CX_EINPUT, f->path, 0, 0,
                     "the file changed while it was read (%zu bytes expected, %zu read, %zu "
                     "now); import it again when nothing writes to it",
                     f->size, f->got, now);
}

/* At the end of f, or past the size it had when opened: CX_OK only when
 * it was read whole and is as it was opened (size and modification time),
 * so that a file truncated, grown or rewritten under the reader never
 * gives a document of part of it. */
static int check_unchanged(const cx_yfile *f, cx_error *err)
{
    struct stat st;
    if (fstat(f->fd, &st) != 0)
        return cx__error(err, CX_EINPUT, f->path, 0, 0, "cannot read: %s", strerror(errno));
    size_t now = st.st_size > 0 ? (size_t)st.st_size : 0;
    if (f->got != f->size || now != f->size || st.st_mtim.tv_sec != f->mtime.tv_sec ||
        st.st_mtim.tv_nsec != f->mtime.tv_nsec)
        return changed(f, now, err);
    return CX_OK;
}

/* Reads the next chunk of f into its buffer: until the buffer is full or
 * the file ends (read gives 0 bytes). */
static int fill(cx_yfile *f, cx_error *err)
{
    f->at = f->got;
    f->n = 0;
    while (f->n < f->cap && !f->eof) {
        ssize_t got = f->read(f->ud, f->fd, f->buf + f->n, f->cap - f->n);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0)
            return cx__error(err, CX_EINPUT, f->path, 0, 0, "cannot read: %s", strerror(errno));
        f->eof = got == 0;
        f->n += (size_t)got;
        f->got += (size_t)got;
    }
    return f->eof || f->got > f->size ? check_unchanged(f, err) : CX_OK;
}

/* libyaml's read handler: the next few bytes of the input. A file's next
 * chunk is read when the current one is used up; a failed read (its error
 * in r->err) fails the parse. */
static int feed(void *ud, unsigned char *buffer, size_t size, size_t *size_read)
{
    reader *r = ud;
    *size_read = 0;
    if (r->fed == r->len && r->file && !r->file->eof) {
        if ((r->input_rc = fill(r->file, r->err))) return 0;
        r->data = r->file->buf;
        r->len = r->file->n;
        r->fed = 0;
    }
    size_t n = r->len - r->fed;
    if (n > size) n = size;
    if (n > READ_CHUNK) n = READ_CHUNK;
    if (n) memcpy(buffer, r->data + r->fed, n);
    r->fed += n;
    *size_read = n;
    return 1;
}

/* Refuses UTF-16 and UTF-32 input, which libyaml would otherwise decode
 * (UTF-16 with a byte order mark) or report as a stray NUL. */
static int check_encoding(reader *r)
{
    const unsigned char *d = r->data;
    const char *what = NULL;
    if (r->len >= 4 && memcmp(d, "\0\0\xFE\xFF", 4) == 0)
        what = "it starts with a UTF-32 byte order mark";
    else if (r->len >= 4 && memcmp(d, "\xFF\xFE\0\0", 4) == 0)
        what = "it starts with a UTF-32 byte order mark";
    else if (r->len >= 2 && (memcmp(d, "\xFF\xFE", 2) == 0 || memcmp(d, "\xFE\xFF", 2) == 0))
        what = "it starts with a UTF-16 byte order mark";
    else if (r->len >= 4 && d[0] && !d[1] && d[2] && !d[3])
        what = "it looks like UTF-16 without a byte order mark";
    else if (r->len >= 4 && !d[0] && d[1] && !d[2] && d[3])
        what = "it looks like UTF-16 without a byte order mark";
    if (!what) return CX_OK;
    return error_at(r, 1, 1, "file is not UTF-8 (%s); save it as UTF-8", what);
}

/* ------------------------------------------------------ duplicate keys */

static int same_text(const cx_ynode *a, const cx_ynode *b)
{
    return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
}

static size_t hash_text(const cx_ynode *n)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t i = 0; i < n->len; i++) {
        h ^= (unsigned char)n->text[i];
        h *= 1099511628211u;
    }
    return (size_t)(h ^ (h >> 29));
}

static const cx_ynode *key_of(const reader *r, const frame *f, size_t ordinal)
{
    return r->entries[f->base + 2 * ordinal];
}

/* Looks key up in f's set; adds it (as ordinal) when absent. Returns the
 * earlier equal key or NULL. */
static const cx_ynode *keyset_probe(const reader *r, frame *f, const cx_ynode *key, size_t ordinal)
{
    size_t mask = f->keys.cap - 1, slot = hash_text(key) & mask;
    while (f->keys.slots[slot]) {
        const cx_ynode *k = key_of(r, f, f->keys.slots[slot] - 1);
        if (same_text(k, key)) return k;
        slot = (slot + 1) & mask;
    }
    f->keys.slots[slot] = ordinal + 1;
    return NULL;
}

/* Makes room in f's set for nkeys + 1 keys, rehashing the first nkeys. */
static int keyset_reserve(const reader *r, frame *f, size_t nkeys)
{
    if ((nkeys + 1) * 2 <= f->keys.cap) return CX_OK;
    size_t cap = f->keys.cap ? f->keys.cap * 2 : 64;
    while ((nkeys + 1) * 2 > cap) cap *= 2;
    size_t *slots = calloc(cap, sizeof *slots);
    if (!slots) return CX_ENOMEM;
    free(f->keys.slots);
    f->keys.slots = slots;
    f->keys.cap = cap;
    for (size_t i = 0; i < nkeys; i++) keyset_probe(r, f, key_of(r, f, i), i);
    return CX_OK;
}

/* The earlier key of the innermost map equal to key, or NULL; key is about
 * to become that map's next key. *oom is set when memory ran out. */
static const cx_ynode *find_duplicate(reader *r, const cx_ynode *key, int *oom)
{
    frame *f = &r->frames[r->depth - 1];
    size_t nkeys = (r->nentries - f->base) / 2;
    if (nkeys < LINEAR_KEYS) {
        for (size_t i = 0; i < nkeys; i++)
            if (same_text(key_of(r, f, i), key)) return key_of(r, f, i);
        return NULL;
    }
    if (keyset_reserve(r, f, nkeys) != CX_OK) {
        *oom = 1;
        return NULL;
    }
    return keyset_probe(r, f, key, nkeys);
}

/* --------------------------------------------------------------- the tree */

static int expecting_key(const reader *r)
{
    if (r->depth == 0) return 0;
    const frame *f = &r->frames[r->depth - 1];
    return f->node->kind == CX_YMAP && (r->nentries - f->base) % 2 == 0;
}

/* A node that starts directly in a streamed list begins an item: it and
 * everything inside it go to the item's arena until the item ends. */
static cx_ynode *new_node(reader *r, cx_ynode_kind kind, yaml_mark_t at)
{
    if (r->depth > 0 && r->frames[r->depth - 1].streams) r->arena = &r->item;
    cx_ynode *n = cx__arena_alloc(r->arena, sizeof *n);
    if (!n) return NULL;
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->line = mark_line(at);
    n->column = mark_column(at);
    return n;
}

static int push_entry(reader *r, cx_ynode *n)
{
    if (r->nentries == r->capentries) {
        size_t cap = r->capentries ? r->capentries * 2 : 256;
        cx_ynode **p = realloc(r->entries, cap * sizeof *p);
        if (!p) return out_of_memory(r);
        r->entries = p;
        r->capentries = cap;
    }
    r->entries[r->nentries++] = n;
    return CX_OK;
}

/* Refuses one item more than the list cap in the innermost collection. */
static int check_count(reader *r, const cx_ynode *n)
{
    const frame *f = &r->frames[r->depth - 1];
    size_t items = r->nentries - f->base + f->handed;
    int map = f->node->kind == CX_YMAP;
    if (map) items /= 2;
    if ((map && !expecting_key(r)) || (uint64_t)items < r->limits.max_list_items) return CX_OK;
    return error_at(r, n->line, n->column,
                    "more than %llu %s in one %s (it starts at line %d, column %d); "
                    "--max-list-items raises it",
                    (unsigned long long)r->limits.max_list_items, map ? "keys" : "items",
                    map ? "mapping" : "list", f->node->line, f->node->column);
}

/* Hands a finished item of a streamed list to the caller, then frees it. */
static int hand_over(reader *r, const cx_ynode *item)
{
    int rc = r->stream_fn(r->stream_ud, item, r->err);
    r->frames[r->depth - 1].handed++;
    cx__arena_free(&r->item);
    cx__arena_init(&r->item);
    r->arena = &r->doc->arena;
    return rc;
}

/* Adds a finished node to the innermost open collection, or makes it the
 * root; a map key is checked against the map's earlier keys. */
static int attach(reader *r, cx_ynode *n)
{
    if (r->depth == 0) {
        r->doc->root = n;
        return CX_OK;
    }
    int rc = check_count(r, n);
    if (rc) return rc;
    if (r->frames[r->depth - 1].streams) return hand_over(r, n);
    if (expecting_key(r)) {
        char shown[80];
        int oom = 0;
        const cx_ynode *first = find_duplicate(r, n, &oom);
        if (oom) return out_of_memory(r);
        if (first)
            return error_at(r, n->line, n->column,
                            "duplicate key '%s' (first at line %d, column %d); a key may "
                            "appear only once in a mapping",
                            for_message(n->text, n->len, shown, sizeof shown), first->line,
                            first->column);
    }
    return push_entry(r, n);
}

/* Refuses anchors and explicit tags on a node. */
static int check_properties(reader *r, yaml_mark_t at, const yaml_char_t *anchor,
                            const yaml_char_t *tag)
{
    static const char core[] = "tag:yaml.org,2002:";
    char shown[80];
    if (anchor) {
        const char *a = (const char *)anchor;
        return error_at(r, mark_line(at), mark_column(at),
                        "YAML anchors and aliases are not supported (anchor &%s); write the "
                        "value out in full",
                        for_message(a, strlen(a), shown, sizeof shown));
    }
    if (tag) {
        const char *t = (const char *)tag;
        int is_core = strncmp(t, core, sizeof core - 1) == 0;
        if (is_core) t += sizeof core - 1;
        return error_at(r, mark_line(at), mark_column(at),
                        "explicit YAML tags are not supported (%s%s); write the value "
                        "without a tag",
                        is_core ? "!!" : "", for_message(t, strlen(t), shown, sizeof shown));
    }
    return CX_OK;
}

static int on_scalar(reader *r, const yaml_event_t *ev)
{
    int rc = check_properties(r, ev->start_mark, ev->data.scalar.anchor, ev->data.scalar.tag);
    if (rc) return rc;
    if ((uint64_t)ev->data.scalar.length > r->limits.max_scalar_bytes) {
        char size[32];
        return error_at(r, mark_line(ev->start_mark), mark_column(ev->start_mark),
                        "a value of %zu bytes, longer than the %s scalar limit; "
                        "--max-scalar-bytes raises it",
                        ev->data.scalar.length,
                        cx__bytes_text(r->limits.max_scalar_bytes, size, sizeof size));
    }
    cx_ynode *n = new_node(r, CX_YSCALAR, ev->start_mark);
    if (!n) return out_of_memory(r);
    n->len = ev->data.scalar.length;
    n->text = cx__arena_strndup(r->arena, (const char *)ev->data.scalar.value, n->len);
    if (!n->text) return out_of_memory(r);
    n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    return attach(r, n);
}

/* 1 when a list starting now is the value of the streamed top-level key:
 * the root is the only open map and that key is its last entry. */
static int streamed_list(const reader *r)
{
    if (!r->stream_key || r->depth != 2 || r->frames[0].node->kind != CX_YMAP) return 0;
    const cx_ynode *key = r->entries[r->nentries - 1];
    return key->len == strlen(r->stream_key) && memcmp(key->text, r->stream_key, key->len) == 0;
}

static int on_start(reader *r, const yaml_event_t *ev, cx_ynode_kind kind)
{
    int map = kind == CX_YMAP;
    int rc = check_properties(r, ev->start_mark,
                              map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor,
                              map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag);
    if (rc) return rc;
    int line = mark_line(ev->start_mark), column = mark_column(ev->start_mark);
    if (expecting_key(r))
        return error_at(r, line, column, "mapping keys must be plain scalars, not %s",
                        cx__ynode_kind_name(kind));
    if (r->depth == CX_YAML_MAX_DEPTH)
        return error_at(r, line, column,
                        "nesting deeper than %d levels; expected at most %d maps and lists "
                        "inside each other",
                        CX_YAML_MAX_DEPTH, CX_YAML_MAX_DEPTH);
    cx_ynode *n = new_node(r, kind, ev->start_mark);
    if (!n) return out_of_memory(r);
    frame *f = &r->frames[r->depth++];
    f->node = n;
    f->base = r->nentries;
    f->keys.slots = NULL;
    f->keys.cap = 0;
    f->streams = !map && streamed_list(r);
    f->handed = 0;
    return CX_OK;
}

/* Copies count entries of the entry stack, every stride-th from first,
 * into a new array in the arena. */
static cx_ynode **copy_entries(reader *r, size_t first, size_t count, size_t stride)
{
    cx_ynode **a = cx__arena_alloc(r->arena, count * sizeof *a);
    if (!a) return NULL;
    for (size_t i = 0; i < count; i++) a[i] = r->entries[first + i * stride];
    return a;
}

/* Closes the innermost collection: its items move into the arena. */
static int on_end(reader *r)
{
    frame *f = &r->frames[--r->depth];
    cx_ynode *n = f->node;
    size_t k = r->nentries - f->base;
    free(f->keys.slots);
    f->keys.slots = NULL;
    f->keys.cap = 0;
    if (n->kind == CX_YMAP) {
        n->count = k / 2; /* libyaml gives every key a value */
        if (n->count) {
            n->keys = copy_entries(r, f->base, n->count, 2);
            n->items = copy_entries(r, f->base + 1, n->count, 2);
            if (!n->keys || !n->items) return out_of_memory(r);
        }
    } else if (k) {
        n->count = k;
        n->items = copy_entries(r, f->base, k, 1);
        if (!n->items) return out_of_memory(r);
    }
    r->nentries = f->base;
    return attach(r, n);
}

static int on_event(reader *r, const yaml_event_t *ev)
{
    int line = mark_line(ev->start_mark), column = mark_column(ev->start_mark);
    char shown[80];
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++r->documents == 1) return CX_OK;
        return error_at(r, line, column,
                        "more than one YAML document in the file (a second one starts here); "
                        "expected a single document");
    case YAML_ALIAS_EVENT: {
        const char *a = (const char *)ev->data.alias.anchor;
        return error_at(r, line, column,
                        "YAML anchors and aliases are not supported (alias *%s); write the "
                        "value out in full",
                        for_message(a, strlen(a), shown, sizeof shown));
    }
    case YAML_SCALAR_EVENT:
        return on_scalar(r, ev);
    case YAML_SEQUENCE_START_EVENT:
        return on_start(r, ev, CX_YLIST);
    case YAML_MAPPING_START_EVENT:
        return on_start(r, ev, CX_YMAP);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return on_end(r);
    default:
        return CX_OK;
    }
}

/* Runs the event loop to the end of the stream or the first error. */
static int parse(reader *r)
{
    yaml_parser_t parser;
    int rc = CX_OK;
    if (!yaml_parser_initialize(&parser)) return out_of_memory(r);
    yaml_parser_set_input(&parser, feed, r);
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = parser_error(r, &parser);
            goto done;
        }
        int end = ev.type == YAML_STREAM_END_EVENT;
        rc = on_event(r, &ev);
        yaml_event_delete(&ev);
        if (rc || end) goto done;
    }
done:
    yaml_parser_delete(&parser);
    return rc;
}

/* ------------------------------------------------------------ public API */

int cx__yaml_load_buffer(const char *name, const char *data, size_t len, cx_ydoc **out,
                         cx_error *err)
{
    return cx__yaml_load_buffer_limited(name, data, len, NULL, out, err);
}

int cx__yaml_load_buffer_limited(const char *name, const char *data, size_t len,
                                 const cx_limits *limits, cx_ydoc **out, cx_error *err)
{
    return cx__yaml_stream_buffer(name, data, len, limits, NULL, out, err);
}

/* Parses r's input (set by the caller: a buffer, or a file's first
 * chunk) into *out, handing s's items over as they end. */
static int read_input(reader *r, const char *name, const cx_limits *limits, const cx_ystream *s,
                      cx_ydoc **out, cx_error *err)
{
    if (s && s->each) {
        r->stream_key = s->key;
        r->stream_fn = s->each;
        r->stream_ud = s->ud;
    }
    cx__arena_init(&r->item);
    r->limits = cx__limits_of(limits);
    r->name = name ? name : "";
    r->err = err;
    *out = NULL;
    int rc = check_encoding(r);
    if (rc) return rc;
    r->doc = calloc(1, sizeof *r->doc);
    if (!r->doc) return out_of_memory(r);
    cx__arena_init(&r->doc->arena);
    r->arena = &r->doc->arena;
    r->doc->format = "yaml";
    r->doc->name = cx__arena_strdup(&r->doc->arena, r->name);
    rc = r->doc->name ? parse(r) : out_of_memory(r);
    for (int i = 0; i < r->depth; i++) free(r->frames[i].keys.slots);
    free(r->entries);
    cx__arena_free(&r->item);
    if (rc) {
        cx__ydoc_free(r->doc);
        return rc;
    }
    *out = r->doc;
    return CX_OK;
}

int cx__yaml_stream_buffer(const char *name, const char *data, size_t len, const cx_limits *limits,
                           const cx_ystream *s, cx_ydoc **out, cx_error *err)
{
    reader r;
    memset(&r, 0, sizeof r);
    r.data = (const unsigned char *)(data ? data : "");
    r.len = data ? len : 0;
    return read_input(&r, name, limits, s, out, err);
}

int cx__yaml_stream_file(cx_yfile *file, const cx_limits *limits, const cx_ystream *s,
                         cx_ydoc **out, cx_error *err)
{
    reader r;
    memset(&r, 0, sizeof r);
    r.file = file;
    r.data = file->buf;
    r.len = file->n;
    return read_input(&r, file->path, limits, s, out, err);
}

/* The error for an input over the size cap. */
static int too_large(const char *path, uint64_t cap, cx_error *err)
{
    char size[32];
    return cx__error(err, CX_EINPUT, path, 0, 0,
                     "larger than the %s input limit; --max-input-bytes raises it",
                     cx__bytes_text(cap, size, sizeof size));
}

/* Reads f to its end into *buf (malloc'd, with room for a NUL), but no
 * more than cap bytes: a device or a pipe has no size to check first. *n
 * is cap + 1 when the input went on beyond the cap. hint: its size, if
 * known. */
static int read_capped(FILE *f, uint64_t cap, size_t hint, char **buf, size_t *n)
{
    size_t size = hint ? hint + 2 : 65536; /* a byte more than the size: one short read ends it */
    char *b = NULL;
    *n = 0;
    *buf = NULL;
    for (;;) {
        if ((uint64_t)size > cap + 2) size = (size_t)cap + 2;
        char *p = realloc(b, size);
        if (!p) {
            free(b);
            *buf = NULL;
            return CX_ENOMEM;
        }
        b = p;
        size_t want = size - *n - 1, got = fread(b + *n, 1, want, f);
        *n += got;
        *buf = b;
        if (got < want || (uint64_t)*n > cap) return CX_OK;
        size = size > SIZE_MAX / 2 ? SIZE_MAX : size * 2;
    }
}

int cx__yread_file_limited(const char *path, const cx_limits *limits, char **data, size_t *len,
                           cx_error *err)
{
    int rc = CX_OK;
    size_t n = 0;
    char *buf = NULL;
    struct stat st;
    uint64_t cap = cx__limits_of(limits).max_input_bytes;
    if (cap > SIZE_MAX / 4)
        cap = SIZE_MAX / 4; /* more than memory holds: a buffer's size stays exact */
    FILE *f = fopen(path, "rb");
    if (!f) return cx__error(err, CX_EINPUT, path, 0, 0, "cannot open: %s", strerror(errno));
    int regular = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
    if (regular && (uint64_t)st.st_size > cap) {
        rc = too_large(path, cap, err);
        goto done;
    }
    if (read_capped(f, cap, regular ? (size_t)st.st_size : 0, &buf, &n) != CX_OK) {
        rc = cx__error(err, CX_ENOMEM, path, 0, 0, "out of memory reading the file");
        goto done;
    }
    if ((uint64_t)n > cap)
        rc = too_large(path, cap, err);
    else if (ferror(f))
        rc = cx__error(err, CX_EINPUT, path, 0, 0, "cannot read: %s", strerror(errno));
done:
    fclose(f);
    if (rc) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return CX_OK;
}

/* The bytes of f read with read(2). */
static ssize_t read_fd(void *ud, int fd, void *buffer, size_t size)
{
    (void)ud;
    return read(fd, buffer, size);
}

int cx__yfile_open(const char *path, const cx_limits *limits, cx_yread_fn read_fn, void *ud,
                   cx_yfile **out, cx_error *err)
{
    struct stat st;
    uint64_t cap = cx__limits_of(limits).max_input_bytes;
    if (cap > SIZE_MAX / 4) cap = SIZE_MAX / 4; /* as cx__yread_file_limited */
    *out = NULL;
    cx_yfile *f = calloc(1, sizeof *f);
    if (!f) return cx__error(err, CX_ENOMEM, path, 0, 0, "out of memory");
    f->fd = open(path, O_RDONLY);
    f->read = read_fn ? read_fn : read_fd;
    f->ud = ud;
    int rc = CX_OK;
    if (f->fd < 0) {
        rc = cx__error(err, CX_EINPUT, path, 0, 0, "cannot open: %s", strerror(errno));
        goto done;
    }
    if (fstat(f->fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
        goto done; /* for the caller to read whole: /proc's files say 0 */
    if ((uint64_t)st.st_size > cap) {
        rc = too_large(path, cap, err);
        goto done;
    }
    f->size = (size_t)st.st_size;
    f->mtime = st.st_mtim;
    f->cap = f->size < FILE_CHUNK ? f->size : FILE_CHUNK;
    f->buf = malloc(f->cap);
    f->path = cx__strdup(path);
    if (!f->buf || !f->path) {
        rc = cx__error(err, CX_ENOMEM, path, 0, 0, "out of memory");
        goto done;
    }
    if ((rc = fill(f, err))) goto done;
    *out = f;
    f = NULL;
done:
    cx__yfile_close(f);
    return rc;
}

const char *cx__yfile_head(const cx_yfile *file, size_t *len)
{
    *len = file->n;
    return (const char *)file->buf;
}

void cx__yfile_close(cx_yfile *file)
{
    if (!file) return;
    if (file->fd >= 0) close(file->fd);
    free(file->buf);
    free(file->path);
    free(file);
}

int cx__yread_file(const char *path, char **data, size_t *len, cx_error *err)
{
    return cx__yread_file_limited(path, NULL, data, len, err);
}

int cx__yaml_load_file(const char *path, cx_ydoc **out, cx_error *err)
{
    return cx__yaml_load_file_limited(path, NULL, out, err);
}

int cx__yaml_load_file_limited(const char *path, const cx_limits *limits, cx_ydoc **out,
                               cx_error *err)
{
    char *data = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = cx__yread_file_limited(path, limits, &data, &len, err);
    if (rc) return rc;
    rc = cx__yaml_load_buffer_limited(path, data, len, limits, out, err);
    free(data);
    return rc;
}

const cx_ynode *cx__ydoc_root(const cx_ydoc *doc)
{
    return doc ? doc->root : NULL;
}

const char *cx__ydoc_name(const cx_ydoc *doc)
{
    return doc ? doc->name : "";
}

const char *cx__ydoc_format(const cx_ydoc *doc)
{
    return doc ? doc->format : "yaml";
}

/* ------------------------------------------------------- the node builder */

int cx__ydoc_new(const char *name, const char *format, cx_ydoc **out, cx_error *err)
{
    cx_ydoc *doc = calloc(1, sizeof *doc);
    *out = NULL;
    if (!doc) return cx__error(err, CX_ENOMEM, name, 0, 0, "out of memory");
    cx__arena_init(&doc->arena);
    doc->format = format;
    if (!(doc->name = cx__arena_strdup(&doc->arena, name ? name : ""))) {
        cx__ydoc_free(doc);
        return cx__error(err, CX_ENOMEM, name, 0, 0, "out of memory");
    }
    *out = doc;
    return CX_OK;
}

cx_ynode *cx__ynode_new(cx_ydoc *doc, cx_ynode_kind kind, int line, int column, const char *where)
{
    cx_ynode *n = cx__arena_alloc(&doc->arena, sizeof *n);
    if (!n) return NULL;
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->line = line;
    n->column = column;
    n->where = where;
    return n;
}

cx_ynode *cx__ynode_scalar(cx_ydoc *doc, const char *text, size_t len, int plain, int line,
                           int column, const char *where)
{
    cx_ynode *n = cx__ynode_new(doc, CX_YSCALAR, line, column, where);
    if (!n || !(n->text = cx__arena_strndup(&doc->arena, text, len))) return NULL;
    n->len = len;
    n->plain = plain;
    return n;
}

const char *cx__ydoc_strdup(cx_ydoc *doc, const char *s)
{
    return cx__arena_strdup(&doc->arena, s);
}

void *cx__ydoc_alloc(cx_ydoc *doc, size_t size)
{
    return cx__arena_alloc(&doc->arena, size);
}

/* Makes room for one more item (and key) in a collection built in doc:
 * capacity doubles at powers of two, the old arrays stay in the arena. */
static int reserve_item(cx_ydoc *doc, cx_ynode *n)
{
    size_t c = n->count;
    if (c && (c & (c - 1))) return CX_OK; /* not a power of two: room is left */
    size_t cap = c ? c * 2 : 1;
    cx_ynode **items = cx__arena_alloc(&doc->arena, cap * sizeof *items);
    cx_ynode **keys = n->kind == CX_YMAP ? cx__arena_alloc(&doc->arena, cap * sizeof *keys) : NULL;
    if (!items || (n->kind == CX_YMAP && !keys)) return CX_ENOMEM;
    if (c) memcpy(items, n->items, c * sizeof *items);
    if (c && keys) memcpy(keys, n->keys, c * sizeof *keys);
    n->items = items;
    n->keys = keys;
    return CX_OK;
}

cx_ynode *cx__ynode_map_of(cx_ydoc *doc, int line, int column, const char *where,
                           cx_ynode *const *keys, cx_ynode *const *values, size_t n)
{
    cx_ynode *map = cx__ynode_new(doc, CX_YMAP, line, column, where);
    if (!map || !n) return map;
    map->keys = cx__arena_alloc(&doc->arena, n * sizeof *map->keys);
    map->items = cx__arena_alloc(&doc->arena, n * sizeof *map->items);
    if (!map->keys || !map->items) return NULL;
    memcpy(map->keys, keys, n * sizeof *keys);
    memcpy(map->items, values, n * sizeof *values);
    map->count = n;
    return map;
}

int cx__ylist_append(cx_ydoc *doc, cx_ynode *list, cx_ynode *item)
{
    if (reserve_item(doc, list)) return CX_ENOMEM;
    list->items[list->count++] = item;
    return CX_OK;
}

int cx__ymap_put(cx_ydoc *doc, cx_ynode *map, cx_ynode *key, cx_ynode *value)
{
    if (reserve_item(doc, map)) return CX_ENOMEM;
    map->keys[map->count] = key;
    map->items[map->count++] = value;
    return CX_OK;
}

void cx__ydoc_set_root(cx_ydoc *doc, cx_ynode *root)
{
    doc->root = root;
}

/* ------------------------------------------------------ located errors */

const char *cx__yplace(char *buf, size_t size, const char *file, int line, int column,
                       const char *where)
{
    if (!where && column > 0)
        snprintf(buf, size, "%s:%d:%d", file, line, column);
    else if (!where)
        snprintf(buf, size, "%s:%d", file, line);
    else if (line > 0)
        snprintf(buf, size, "%s:%d: column '%s'", file, line, where);
    else
        snprintf(buf, size, *where ? "%s: %s" : "%s", file, where);
    return buf;
}

static int vlocated(cx_error *err, int code, const char *file, int line, int column,
                    const char *where, const char *fmt, va_list ap)
{
    char msg[sizeof err->message];
    if (!where) return cx__verror(err, code, file, line, column, fmt, ap);
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (line > 0) return cx__error(err, code, file, line, 0, "column '%s': %s", where, msg);
    if (!*where) return cx__error(err, code, file, 0, 0, "%s", msg);
    return cx__error(err, code, file, 0, 0, "%s: %s", where, msg);
}

const char *cx__yerror_parts(const cx_error *err, char *buf, size_t size, int *is_column)
{
    static const char column[] = "column '";
    const char *m = err->message, *end = NULL;
    *is_column = err->line > 0 && err->column == 0 && strncmp(m, column, sizeof column - 1) == 0;
    if (*is_column) {
        m += sizeof column - 1;
        end = strstr(m, "': ");
    } else if (err->line == 0 && m[0] == '/') {
        end = strstr(m, ": ");
    }
    buf[0] = '\0';
    if (!end || size == 0) {
        *is_column = 0;
        return err->message;
    }
    snprintf(buf, size, "%.*s", (int)(end - m), m);
    return end + (*is_column ? 3 : 2);
}

int cx__yerror(cx_error *err, int code, const char *file, int line, int column, const char *where,
               const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlocated(err, code, file, line, column, where, fmt, ap);
    va_end(ap);
    return code;
}

int cx__ynode_verror(cx_error *err, const char *file, const cx_ynode *n, const char *fmt,
                     va_list ap)
{
    vlocated(err, CX_EINPUT, file, n ? n->line : 0, n ? n->column : 0, n ? n->where : NULL, fmt,
             ap);
    return CX_EINPUT;
}

int cx__ynode_error(cx_error *err, const char *file, const cx_ynode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cx__ynode_verror(err, file, n, fmt, ap);
    va_end(ap);
    return CX_EINPUT;
}

void cx__ydoc_free(cx_ydoc *doc)
{
    if (!doc) return;
    cx__arena_free(&doc->arena);
    free(doc);
}

const cx_ynode *cx__ymap_get(const cx_ynode *map, const char *key)
{
    if (!map || map->kind != CX_YMAP || !key) return NULL;
    size_t len = strlen(key);
    for (size_t i = 0; i < map->count; i++) {
        const cx_ynode *k = map->keys[i];
        if (k->len == len && memcmp(k->text, key, len) == 0) return map->items[i];
    }
    return NULL;
}

const char *cx__ynode_kind_name(cx_ynode_kind kind)
{
    switch (kind) {
    case CX_YMAP:
        return "a mapping";
    case CX_YLIST:
        return "a list";
    case CX_YSCALAR:
        return "a scalar";
    }
    return "a node";
}

/* ------------------------------------------------------------ strict maps */

int cx__yunknown_key(const char *file, const cx_ynode *key, const cx_yschema *s, cx_error *err)
{
    size_t nkeys = 0;
    cx_buf b;
    while (s->keys[nkeys]) nkeys++;
    const char *near = s->suggest ? cx_nearest(key->text, s->keys, nkeys) : NULL;
    cx__buf_init(&b);
    cx__buf_printf(&b, "unknown %s '%s'", s->noun ? s->noun : "key", key->text);
    if (s->what) cx__buf_printf(&b, " in %s", s->what);
    if (near) cx__buf_printf(&b, " (did you mean '%s'?)", near);
    cx__buf_puts(&b, "; expected one of: ");
    for (size_t i = 0; i < nkeys; i++) cx__buf_printf(&b, "%s%s", i ? ", " : "", s->keys[i]);
    int rc = b.oom ? cx__error(err, CX_ENOMEM, file, 0, 0, "out of memory")
                   : cx__ynode_error(err, file, key, "%s", b.data);
    cx__buf_free(&b);
    return rc;
}

int cx__ycheck_map(const char *file, const cx_ynode *map, const cx_yschema *s, cx_error *err)
{
    if (map->kind != CX_YMAP)
        return cx__ynode_error(err, file, map, "expected %s to be a mapping, found %s",
                               s->what ? s->what : "a value", cx__ynode_kind_name(map->kind));
    for (size_t i = 0; i < map->count; i++)
        if (!cx__listed(s->keys, map->keys[i]->text) && !cx__listed(s->extra, map->keys[i]->text))
            return cx__yunknown_key(file, map->keys[i], s, err);
    for (size_t i = 0; s->required && s->required[i]; i++)
        if (!cx__ymap_get(map, s->required[i]))
            return cx__ynode_error(err, file, map, "%s is missing required key '%s'",
                                   s->what ? s->what : "a mapping", s->required[i]);
    return CX_OK;
}

int cx__yscalar(const char *file, const cx_ynode *n, const char *key, const char **out,
                cx_error *err)
{
    if (n->kind != CX_YSCALAR)
        return cx__ynode_error(err, file, n, "expected a single value for '%s', found %s", key,
                               cx__ynode_kind_name(n->kind));
    const char *t = n->text;
    if (n->len == 0 || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 || strcmp(t, "Null") == 0 ||
        strcmp(t, "NULL") == 0)
        return cx__ynode_error(err, file, n,
                               "empty value for '%s'; give a value or leave the key out", key);
    if (strlen(t) != n->len)
        return cx__ynode_error(err, file, n, "NUL character in the value of '%s'", key);
    *out = t;
    return CX_OK;
}
