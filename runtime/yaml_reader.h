/*
 * yaml_reader.h -- a strict YAML reader (the only user of libyaml is
 * yaml_reader.c). It turns a file into a tree of maps, lists and scalars,
 * each with its 1-based line and column, and stops at the first error.
 * Used by catalogs, rule-test files and what-if change files alike.
 *
 * Refused, each with a located error: anchors and aliases, explicit tags,
 * more than one document, a key repeated in one mapping, a non-scalar
 * key, nesting deeper than CX_YAML_MAX_DEPTH, invalid UTF-8 and control
 * characters, any libyaml syntax error, and a file, scalar or list over
 * its cx_limits cap (docs/security.md, "Input limits"). No type resolution is done:
 * every scalar is text (docs/design.md §3: quoting never changes meaning).
 */
#ifndef CX_YAML_READER_H
#define CX_YAML_READER_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#include "credex.h"
#include "util.h"

#define CX_YAML_MAX_DEPTH 32 /* far beyond what any credex format needs */

typedef enum cx_ynode_kind { CX_YSCALAR, CX_YMAP, CX_YLIST } cx_ynode_kind;

typedef struct cx_ynode cx_ynode;
struct cx_ynode {
    cx_ynode_kind kind;
    int line;                 /* 1-based line where the node starts */
    int column;               /* 1-based column (characters) where the node starts */
    int plain;                /* CX_YSCALAR: 1 when the scalar was unquoted (plain style);
                               * from JSON: 1 for a number, true, false or null */
    const char *where;        /* NULL for YAML; from JSON: the node's JSON Pointer (line 0);
                               * from CSV: the column name (line: the record's line) */
    union {                   /* by kind: catalogs have millions of nodes, keep them small */
        struct {              /* CX_YSCALAR */
            const char *text; /* NUL-terminated; may contain NUL only if len says so */
            size_t len;       /* bytes in text */
        };
        struct {              /* CX_YMAP and CX_YLIST */
            size_t count;     /* number of items (map: number of pairs) */
            cx_ynode **keys;  /* CX_YMAP: the key scalars, in document order */
            cx_ynode **items; /* CX_YMAP: the values; CX_YLIST: the elements */
        };
    };
};

typedef struct cx_ydoc cx_ydoc; /* owns every node and string of one file */

/* A located error for any format, into err (code in err->code):
 *   where NULL (YAML)        file:line:col: message
 *   where set, line 0 (JSON) file: POINTER: message   (no prefix for the root "")
 *   where set, line > 0 (CSV) file:line: column 'WHERE': message
 * Returns code. */
int cx__yerror(cx_error *err, int code, const char *file, int line, int column, const char *where,
               const char *fmt, ...) CX_PRINTF(7, 8);

/* The parts of an error the function above wrote: returns its message
 * after the where prefix, and copies where into buf ("" when it has none:
 * YAML). *is_column says which form it was: 1 CSV's column, 0 a JSON
 * Pointer (or none). For a report that lists each error's place apart. */
const char *cx__yerror_parts(const cx_error *err, char *buf, size_t size, int *is_column);

/* The same, located at node n (CX_EINPUT); and with a va_list, for
 * readers' own error wrappers. */
int cx__ynode_error(cx_error *err, const char *file, const cx_ynode *n, const char *fmt, ...)
    CX_PRINTF(4, 5);
int cx__ynode_verror(cx_error *err, const char *file, const cx_ynode *n, const char *fmt,
                     va_list ap) CX_PRINTF(4, 0);

/* The place alone, as the errors above write it ("f:3:7", "f: /a/0",
 * "f:3: column 'holder'"; "f:3" for a node at column 0), into buf, for
 * "first at ..." messages. */
const char *cx__yplace(char *buf, size_t size, const char *file, int line, int column,
                       const char *where);

/* Reads the whole file at path into *data (malloc'd, NUL-terminated, the
 * caller frees) and *len (without the NUL), at most limits->max_input_bytes
 * (limits NULL: the defaults). A regular file is measured before it is
 * read; a device, pipe or FIFO is read up to the cap and no further.
 * Over the cap: CX_EINPUT, "PATH: larger than the 1 GiB input limit;
 * --max-input-bytes raises it". cx__yread_file reads with the defaults. */
int cx__yread_file_limited(const char *path, const cx_limits *limits, char **data, size_t *len,
                           cx_error *err);
int cx__yread_file(const char *path, char **data, size_t *len, cx_error *err);

/* Reads and parses the file at path. The name used in error messages and
 * kept for located errors is path itself. On success *out is owned by the
 * caller (cx__ydoc_free). A file with no document gives a NULL root.
 * Beyond the file's size cap, a scalar longer than max_scalar_bytes and a
 * list (or mapping) of more than max_list_items items (keys) are located
 * errors. The plain forms take the default limits. */
int cx__yaml_load_file_limited(const char *path, const cx_limits *limits, cx_ydoc **out,
                               cx_error *err);
int cx__yaml_load_file(const char *path, cx_ydoc **out, cx_error *err);

/* The same for a buffer in memory; name is used in messages. data is only
 * read during the call (every string is copied into the document). */
int cx__yaml_load_buffer_limited(const char *name, const char *data, size_t len,
                                 const cx_limits *limits, cx_ydoc **out, cx_error *err);
int cx__yaml_load_buffer(const char *name, const char *data, size_t len, cx_ydoc **out,
                         cx_error *err);

/* Receives one item of a streamed list (below), valid for the call only:
 * the item and everything in it are freed when the call returns. A
 * non-zero return (err set) stops the read with that code. */
typedef int (*cx_yitem_fn)(void *ud, const cx_ynode *item, cx_error *err);

/* What a streamed read hands over. */
typedef struct cx_ystream {
    const char *key;  /* the top-level key whose list is streamed */
    cx_yitem_fn each; /* receives each item of that list; NULL: a whole read */
    void *ud;         /* passed to each */
} cx_ystream;

/* The same as cx__yaml_load_buffer_limited, but the items of the list
 * under the top-level key s->key (the root a mapping) are handed to
 * s->each one by one as each ends, in document order, and are not kept:
 * that list stays in the document with no items. Every check and error is
 * the same as a whole read's (a list over max_list_items counts the items
 * handed over), and an error anywhere in the file still fails the read
 * after items were handed over. Memory: the document without that list,
 * plus one item. s NULL: a whole read. */
int cx__yaml_stream_buffer(const char *name, const char *data, size_t len, const cx_limits *limits,
                           const cx_ystream *s, cx_ydoc **out, cx_error *err);

/* A regular file read in chunks of 1 MiB (or its size, if smaller) into a
 * buffer it owns, as the parser reaches them: no more of it is in memory
 * at once, and a file that shrinks under the reader is a short read, not
 * a fault. */
typedef struct cx_yfile cx_yfile;

/* Reads up to size bytes of fd into buffer, as read(2) does: the count,
 * 0 at the end of the file, -1 with errno set. A test passes its own to
 * change the file between two reads. */
typedef ssize_t (*cx_yread_fn)(void *ud, int fd, void *buffer, size_t size);

/* Opens the file at path and reads its first chunk (cx__yfile_head), for
 * the caller to tell its format. read_fn NULL: read(2); else each chunk
 * is read with read_fn (ud passed to it). *file NULL (and CX_OK) when path
 * is not a regular file or is empty: read it whole (cx__yread_file_limited).
 * Errors, as cx__yread_file_limited's: "cannot open: ...", the size cap
 * (limits NULL: the defaults), "cannot read: ...", and the change below.
 * Release with cx__yfile_close. */
int cx__yfile_open(const char *path, const cx_limits *limits, cx_yread_fn read_fn, void *ud,
                   cx_yfile **file, cx_error *err);

/* The first chunk of file (*len bytes: all of a file of at most 1 MiB),
 * valid until the file is parsed or closed. */
const char *cx__yfile_head(const cx_yfile *file, size_t *len);

/* cx__yaml_stream_buffer over the file, named by its path in messages:
 * the same checks, errors and items (libyaml is handed the same bytes).
 * It reads the file's chunks in order from the first, once only; an error
 * located from libyaml's byte offset (bad UTF-8) reads the file again
 * (pread) to count lines. The file is read to its end, and the read fails
 * (CX_EINPUT) with "PATH: the file changed while it was read (N bytes
 * expected, M read, K now); import it again when nothing writes to it" as
 * soon as a chunk ends short of the size the file had when opened, or
 * goes past it, and at the end when its size or modification time differ
 * from the open's (truncated, grown or rewritten meanwhile): never a
 * document of part of a file. Memory: cx__yaml_stream_buffer's, plus one
 * chunk. */
int cx__yaml_stream_file(cx_yfile *file, const cx_limits *limits, const cx_ystream *s,
                         cx_ydoc **out, cx_error *err);

void cx__yfile_close(cx_yfile *file); /* accepts NULL */

const cx_ynode *cx__ydoc_root(const cx_ydoc *doc); /* NULL for an empty file */
const char *cx__ydoc_name(const cx_ydoc *doc);     /* the file name, for errors */
void cx__ydoc_free(cx_ydoc *doc);                  /* accepts NULL */

/* What format a document was read from ("yaml", "json", "csv"). */
const char *cx__ydoc_format(const cx_ydoc *doc);

/* ---------------------------------------- building documents of other formats
 * A reader of another format builds its document with these: every node
 * and string lives in the document's arena (strings are copied). NULL or
 * CX_ENOMEM only when memory runs out. The builder checks no shape; a
 * reader keeps its nesting within CX_YAML_MAX_DEPTH and its map keys
 * unique, as the YAML reader does. */

/* A new empty document named name (for errors) read from format. */
int cx__ydoc_new(const char *name, const char *format, cx_ydoc **out, cx_error *err);

/* A map or a list (kind), or a scalar of len bytes of text (copied; may
 * hold NUL, then len says so), at line:column (0 when unknown). where is
 * kept as given, not copied: a string in doc's arena (cx__ydoc_strdup,
 * which many nodes may share, as CSV's column names) or NULL. */
cx_ynode *cx__ynode_new(cx_ydoc *doc, cx_ynode_kind kind, int line, int column, const char *where);
cx_ynode *cx__ynode_scalar(cx_ydoc *doc, const char *text, size_t len, int plain, int line,
                           int column, const char *where);

/* A copy of s, or size bytes, in doc's arena; NULL on OOM. */
const char *cx__ydoc_strdup(cx_ydoc *doc, const char *s);
void *cx__ydoc_alloc(cx_ydoc *doc, size_t size);

/* A whole map of n pairs (keys[i]: values[i], the arrays copied into the
 * arena at their exact size): for a reader that knows a map's pairs at
 * once, such as a CSV row. It may not be grown with cx__ymap_put. NULL on
 * OOM. */
cx_ynode *cx__ynode_map_of(cx_ydoc *doc, int line, int column, const char *where,
                           cx_ynode *const *keys, cx_ynode *const *values, size_t n);

/* Appends item to list, or key (a scalar) and value to map (made with
 * cx__ynode_new). CX_ENOMEM. */
int cx__ylist_append(cx_ydoc *doc, cx_ynode *list, cx_ynode *item);
int cx__ymap_put(cx_ydoc *doc, cx_ynode *map, cx_ynode *key, cx_ynode *value);

/* Makes root the document's root. */
void cx__ydoc_set_root(cx_ydoc *doc, cx_ynode *root);

/* The value under key in a map, or NULL. */
const cx_ynode *cx__ymap_get(const cx_ynode *map, const char *key);

/* "a mapping", "a list", "a scalar": for messages. */
const char *cx__ynode_kind_name(cx_ynode_kind kind);

/* The strict schema of one mapping: the keys it may hold and must hold.
 * Each reader (catalogs, rule tests, change files) describes its maps
 * with these, so an unknown or missing key reads the same everywhere. */
typedef struct cx_yschema {
    const char *what;            /* the map in messages ("test case"); NULL: no " in ..." */
    const char *noun;            /* what a key is called ("top-level key"); NULL: "key" */
    const char *const *keys;     /* NULL-terminated: the keys it may hold, listed in messages */
    const char *const *extra;    /* NULL-terminated keys also allowed, not listed; or NULL */
    const char *const *required; /* NULL-terminated: the keys it must hold; or NULL */
    int suggest;                 /* 1: an unknown key names the nearest of keys */
} cx_yschema;

/* Checks map against s, in this order, and stops at the first error,
 * located at file:line:col of the node at fault (CX_EINPUT in err):
 *   "expected <what> to be a mapping, found <kind>"
 *   "unknown <noun> '<key>'[ in <what>][ (did you mean '<near>'?)];
 *    expected one of: <keys, comma-separated>"
 *   "<what> is missing required key '<key>'"
 * Returns CX_OK, CX_EINPUT or CX_ENOMEM. */
int cx__ycheck_map(const char *file, const cx_ynode *map, const cx_yschema *s, cx_error *err);

/* The text of the value of key, n, refusing what a strict reader never
 * takes as a value, each located at n (CX_EINPUT in err):
 *   "expected a single value for '<key>', found <kind>"
 *   "empty value for '<key>'; give a value or leave the key out"
 *     (also for ~, null, Null and NULL, which are not values here)
 *   "NUL character in the value of '<key>'"
 * *out points into n (valid while its document lives). */
int cx__yscalar(const char *file, const cx_ynode *n, const char *key, const char **out,
                cx_error *err);

/* The "unknown <noun> ..." error above for one key that is not in s->keys,
 * for a reader that walks a map's keys itself. Returns CX_EINPUT (or
 * CX_ENOMEM). */
int cx__yunknown_key(const char *file, const cx_ynode *key, const cx_yschema *s, cx_error *err);

#endif
