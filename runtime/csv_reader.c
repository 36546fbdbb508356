/*
 * csv_reader.c -- RFC 4180 award lists, read a window at a time under the
 * input's caps, record by record; and a catalog document of holders and
 * their awards built on them, each node at its record's line and column
 * name. It checks the file's shape only; every value is checked by the
 * catalog loader.
 */
#include "csv_reader.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render.h"
#include "util.h"

/* The columns of the format, besides result.<key>. */
static const char *const columns[] = {
    "holder", "credential", "issued", "expires",  "jurisdiction",
    "hours",  "status",     "grade",  "evidence", "holder_jurisdiction",
    NULL};
static const char *const required[] = {"holder", "credential", "issued", NULL};

#define RESULT_PREFIX "result."
#define WINDOW        (1u << 20) /* bytes read from a file at a time */
#define MORE          (-1)       /* record(): the window ends inside the record */
#define MAX_COLUMNS   4096       /* in a header: the format has ten, and result.<key>s */

int cx__csv_error(const cx_csv *r, int code, size_t col, const char *fmt, ...)
{
    char msg[sizeof r->err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *where = r->header && col < r->ncolumns ? r->header[col] : NULL;
    return cx__yerror(r->err, code, r->name, r->record_line, 0, where, "%s", msg);
}

/* An error in column col (SIZE_MAX: the record as a whole) of the current record. */
#define fail(r, col, ...) cx__csv_error((r), CX_EINPUT, (col), __VA_ARGS__)

static int nomem(const cx_csv *r)
{
    return cx__error(r->err, CX_ENOMEM, r->name, 0, 0, "out of memory while reading CSV");
}

/* The record at the line being read needs bytes past max_input_bytes:
 * the file as a whole is refused, as the other readers refuse one. */
static int too_big(const cx_csv *r)
{
    char size[32];
    return cx__error(r->err, CX_EINPUT, r->name, 0, 0,
                     "larger than the %s input limit; --max-input-bytes raises it",
                     cx__bytes_text(r->limits.max_input_bytes, size, sizeof size));
}

/* Moves the bytes from keep on to the window's start and reads more after
 * them (growing the window when they fill it); at the end of the file
 * sets eof. Bytes past max_input_bytes are not kept: a record that needs
 * them is an error at its line. */
static int refill(cx_csv *r, size_t keep)
{
    if (r->over) return too_big(r);
    memmove(r->window, r->window + keep, r->len - keep);
    r->len -= keep;
    r->pos -= keep;
    if (r->len == r->window_cap) {
        char *w = realloc(r->window, r->window_cap * 2);
        if (!w) return nomem(r);
        r->window = w;
        r->window_cap *= 2;
    }
    r->data = r->window;
    size_t want = r->window_cap - r->len;
    if (want > r->limits.max_input_bytes - r->read + 1)
        want = (size_t)(r->limits.max_input_bytes - r->read + 1);
    for (;;) {
        ssize_t n = read(r->fd, r->window + r->len, want);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            return cx__error(r->err, CX_EINPUT, r->name, 0, 0, "cannot read: %s", strerror(errno));
        if (n == 0) r->eof = 1;
        r->len += (size_t)n;
        r->read += (uint64_t)n;
        break;
    }
    if (r->read > r->limits.max_input_bytes) { /* one byte past the cap */
        r->len -= (size_t)(r->read - r->limits.max_input_bytes);
        r->over = 1;
    }
    return CX_OK;
}

/* The fields of the current record kept in fields: a data row's past the
 * header's are only counted, so a hostile row costs no memory. */
static size_t kept(const cx_csv *r)
{
    return r->header && r->nfields > r->ncolumns ? r->ncolumns : r->nfields;
}

static int push_field(cx_csv *r, size_t off)
{
    if (!r->header && r->nfields == MAX_COLUMNS)
        return fail(r, SIZE_MAX, "more than %d columns in the header", MAX_COLUMNS);
    if (r->header && r->nfields >= r->ncolumns) { /* counted for the message only */
        r->nfields++;
        r->text.len = off;
        return CX_OK;
    }
    if (r->nfields == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        cx_csv_field *f = realloc(r->fields, cap * sizeof *f);
        if (!f) return nomem(r);
        r->fields = f;
        r->cap = cap;
    }
    r->fields[r->nfields].off = off;
    r->fields[r->nfields].len = r->text.len - off;
    r->nfields++;
    cx__buf_add(&r->text, "", 1); /* each field NUL-terminated */
    return r->text.oom ? nomem(r) : CX_OK;
}

static int too_long(const cx_csv *r, size_t col)
{
    char size[32];
    return fail(r, col, "a value longer than the %s scalar limit; --max-scalar-bytes raises it",
                cx__bytes_text(r->limits.max_scalar_bytes, size, sizeof size));
}

/* A quoted field from pos (just after its opening quote) to its closing
 * quote; doubled quotes become one, line breaks are kept. */
static int quoted(cx_csv *r, size_t off)
{
    size_t col = r->nfields;
    for (;;) {
        const char *q = memchr(r->data + r->pos, '"', r->len - r->pos);
        size_t n = q ? (size_t)(q - (r->data + r->pos)) : r->len - r->pos;
        if (r->text.len - off + n > r->limits.max_scalar_bytes) return too_long(r, col);
        if (!q && !r->eof) return MORE;
        if (!q)
            return fail(r, col,
                        "unterminated quoted field (the quote opens on line %d); "
                        "close it with \"",
                        r->record_line);
        for (size_t i = 0; i < n; i++)
            if (r->data[r->pos + i] == '\n') r->line++;
        cx__buf_add(&r->text, r->data + r->pos, n);
        r->pos += n + 1;
        if (r->pos == r->len && !r->eof) return MORE;
        if (r->pos < r->len && r->data[r->pos] == '"') {
            cx__buf_add(&r->text, "\"", 1);
            r->pos++;
            continue;
        }
        return CX_OK;
    }
}

/* An unquoted field from pos to the next comma or line break. */
static int unquoted(cx_csv *r, size_t col)
{
    size_t start = r->pos;
    const char *p = r->data + start, *end = r->data + r->len;
    while (p < end && *p != ',' && *p != '\n') p++;
    r->pos = (size_t)(p - r->data);
    size_t n = r->pos - start;
    if (n > r->limits.max_scalar_bytes + 1) return too_long(r, col);
    if (r->pos == r->len && !r->eof) return MORE;
    if (r->pos < r->len && r->data[r->pos] == '\n' && n && r->data[r->pos - 1] == '\r') n--;
    if (n > r->limits.max_scalar_bytes) return too_long(r, col);
    if (memchr(r->data + start, '"', n))
        return fail(r, col,
                    "a quote inside an unquoted field; quote the whole field "
                    "and double the quote (\"\")");
    cx__buf_add(&r->text, r->data + start, n);
    return CX_OK;
}

/* Reads the record at pos into fields; MORE when the window ends first. */
static int record(cx_csv *r)
{
    r->text.len = 0;
    r->nfields = 0;
    r->record_line = r->line;
    for (;;) {
        size_t off = r->text.len, col = r->nfields;
        int rc;
        if (r->pos == r->len && !r->eof) return MORE;
        if (r->pos < r->len && r->data[r->pos] == '"') {
            r->pos++;
            if ((rc = quoted(r, off))) return rc;
            if (r->pos + 1 == r->len && r->data[r->pos] == '\r' && !r->eof) return MORE;
            if (r->pos < r->len && r->data[r->pos] != ',' && r->data[r->pos] != '\n' &&
                !(r->data[r->pos] == '\r' && r->pos + 1 < r->len && r->data[r->pos + 1] == '\n'))
                return fail(r, col,
                            "text after the closing quote of a field; "
                            "quote the whole field and double any quote inside it");
        } else if ((rc = unquoted(r, col))) {
            return rc;
        }
        if ((rc = push_field(r, off))) return rc;
        if (r->pos < r->len && r->data[r->pos] == '\r') r->pos++;
        if (r->pos >= r->len) return CX_OK;
        if (r->data[r->pos++] == '\n') {
            r->line++;
            return CX_OK;
        }
    }
}

/* Refuses NUL and invalid UTF-8 in the fields of the current record. */
static int check_text(const cx_csv *r)
{
    for (size_t i = 0; i < kept(r); i++) {
        const unsigned char *s = (const unsigned char *)r->text.data + r->fields[i].off;
        size_t n = r->fields[i].len, k;
        for (size_t at = 0; at < n; at += k) {
            uint32_t cp;
            if (s[at] < 0x80 && s[at]) { /* ASCII, the common case */
                k = 1;
                continue;
            }
            k = cx__utf8_next(s + at, n - at, &cp);
            if (cp == 0) return fail(r, i, "NUL character in a field");
            if (cp == CX_BAD_CP)
                return fail(r, i, "invalid UTF-8 byte 0x%02x in a field; save the file as UTF-8",
                            s[at]);
        }
    }
    return CX_OK;
}

/* The next record, the window refilled as often as it takes. */
static int next_record(cx_csv *r)
{
    for (;;) {
        size_t start = r->pos;
        int line = r->line, rc = record(r);
        if (rc != MORE) return rc ? rc : check_text(r);
        r->pos = start;
        r->line = line;
        if ((rc = refill(r, start))) return rc;
    }
}

int cx__csv_next(cx_csv *r, int *got)
{
    *got = 0;
    for (;;) {
        if (r->pos >= r->len && !r->eof) {
            int rc = refill(r, r->pos);
            if (rc) return rc;
        }
        if (r->pos >= r->len) return CX_OK;
        int rc = next_record(r);
        if (rc) return rc;
        if (r->nfields == 1 && r->fields[0].len == 0) continue; /* a blank line */
        if (++r->rows > r->limits.max_list_items)
            return fail(r, SIZE_MAX, "more than %llu rows in one list; --max-list-items raises it",
                        (unsigned long long)r->limits.max_list_items);
        if (r->nfields != r->ncolumns)
            return fail(r, SIZE_MAX,
                        "row has %zu field%s, the header has %zu; quote a value "
                        "that contains a comma",
                        r->nfields, r->nfields == 1 ? "" : "s", r->ncolumns);
        *got = 1;
        return CX_OK;
    }
}

/* ------------------------------------------------------------ the header */

static int known_column(const char *name)
{
    size_t plen = sizeof RESULT_PREFIX - 1;
    if (strncmp(name, RESULT_PREFIX, plen) == 0) return name[plen] != '\0';
    return cx__listed(columns, name);
}

static int unknown_column(const cx_csv *r, size_t i)
{
    cx_buf b;
    cx__buf_init(&b);
    for (size_t k = 0; columns[k]; k++) cx__buf_printf(&b, "%s, ", columns[k]);
    cx__buf_puts(&b, RESULT_PREFIX "<key>");
    int rc = b.oom ? nomem(r) : fail(r, i, "unknown column; expected one of: %s", b.data);
    cx__buf_free(&b);
    return rc;
}

static int header(cx_csv *r)
{
    int rc = CX_OK;
    if (!r->eof && (rc = refill(r, r->pos))) return rc;
    if (r->len - r->pos >= 3 && memcmp(r->data + r->pos, "\xEF\xBB\xBF", 3) == 0) r->pos += 3;
    if ((rc = next_record(r))) return rc;
    if (!(r->header = calloc(r->nfields, sizeof *r->header))) return nomem(r);
    for (size_t i = 0; i < r->nfields; i++) { /* names without the spaces around them */
        const char *name = cx__csv_text(r, i);
        size_t len = r->fields[i].len;
        while (len && name[len - 1] == ' ') len--;
        while (len && *name == ' ') name++, len--;
        if (!(r->header[i] = cx__strndup(name, len))) return nomem(r);
        r->ncolumns = i + 1;
    }
    for (size_t i = 0; i < r->ncolumns; i++) {
        if (!known_column(r->header[i])) return unknown_column(r, i);
        for (size_t k = 0; k < i; k++)
            if (strcmp(r->header[k], r->header[i]) == 0)
                return fail(r, i, "column named twice in the header (first as field %zu)", k + 1);
    }
    for (size_t k = 0; required[k]; k++) {
        size_t i = 0;
        while (i < r->ncolumns && strcmp(r->header[i], required[k]) != 0) i++;
        if (i == r->ncolumns)
            return fail(r, SIZE_MAX,
                        "missing required column '%s'; the header needs "
                        "holder, credential and issued",
                        required[k]);
    }
    return CX_OK;
}

int cx__csv_open(cx_csv *r, const char *name, int fd, const char *data, size_t len,
                 const cx_limits *limits, cx_error *err)
{
    memset(r, 0, sizeof *r);
    r->name = name ? name : "";
    r->fd = data ? -1 : fd;
    r->line = 1;
    r->err = err;
    r->limits.max_input_bytes =
        limits && limits->max_input_bytes ? limits->max_input_bytes : CX_DEFAULT_MAX_INPUT_BYTES;
    r->limits.max_scalar_bytes =
        limits && limits->max_scalar_bytes ? limits->max_scalar_bytes : CX_DEFAULT_MAX_SCALAR_BYTES;
    r->limits.max_list_items =
        limits && limits->max_list_items ? limits->max_list_items : CX_DEFAULT_MAX_LIST_ITEMS;
    cx__buf_init(&r->text);
    if (data) {
        r->data = data;
        r->len = len;
        r->eof = 1;
        if ((uint64_t)len > r->limits.max_input_bytes) { /* read up to the cap */
            r->len = (size_t)r->limits.max_input_bytes;
            r->eof = 0;
            r->over = 1;
        }
    } else {
        r->window_cap = WINDOW;
        if (!(r->window = malloc(r->window_cap))) return nomem(r);
        r->data = r->window;
    }
    return header(r);
}

void cx__csv_close(cx_csv *r)
{
    if (r->fd >= 0) close(r->fd);
    r->fd = -1;
    free(r->window);
    for (size_t i = 0; r->header && i < r->ncolumns; i++) free(r->header[i]);
    free(r->header);
    free(r->fields);
    cx__buf_free(&r->text);
    r->window = NULL;
    r->header = NULL;
    r->fields = NULL;
}

/* ---------------------------------------------------------- the document */

/* The state of one document being built. */
typedef struct builder {
    cx_csv csv;                    /* the records */
    cx_ydoc *doc;                  /* the document being built */
    const char **header;           /* the column names, in doc's arena */
    const cx_import_options *opts; /* its report gets the values left aside; or NULL */
} builder;

/* The nodes every row shares: keys, and the holders list. */
typedef struct shape {
    cx_ynode **keys;           /* per column: the award key node (result.<key>: <key>) */
    int *is_result;            /* per column: 1 for result.<key> */
    size_t holder, holder_jur; /* column indexes (holder_jur: SIZE_MAX when absent) */
    size_t need[3];            /* the columns of required[], in its order */
    cx_ynode *k_id, *k_jur, *k_awards, *k_results; /* holder and award keys */
    cx_ynode *holders;                             /* the `holders` list */
    cx_strmap by_id;                               /* holder id -> its map node */
    cx_ynode **pairs;                              /* scratch: 4 x ncolumns + 2 nodes */
} shape;

/* A holder map's pairs, in the order holder_of puts them: id, awards,
 * then jurisdiction when a row gives one. */
#define HOLDER_AWARDS 1

static cx_ynode *key_node(builder *b, const char *text, const char *where)
{
    return cx__ynode_scalar(b->doc, text, strlen(text), 1, 1, 0, where);
}

static int make_shape(builder *b, shape *s)
{
    size_t plen = sizeof RESULT_PREFIX - 1, ncolumns = b->csv.ncolumns;
    cx_ynode *root = cx__ynode_new(b->doc, CX_YMAP, 1, 0, NULL);
    s->holders = cx__ynode_new(b->doc, CX_YLIST, 1, 0, NULL);
    s->keys = cx__ydoc_alloc(b->doc, ncolumns * sizeof *s->keys);
    s->is_result = cx__ydoc_alloc(b->doc, ncolumns * sizeof *s->is_result);
    s->pairs = cx__ydoc_alloc(b->doc, (4 * ncolumns + 2) * sizeof *s->pairs);
    b->header = cx__ydoc_alloc(b->doc, ncolumns * sizeof *b->header);
    s->k_id = key_node(b, "id", NULL);
    s->k_jur = key_node(b, "jurisdiction", NULL);
    s->k_awards = key_node(b, "awards", NULL);
    s->k_results = key_node(b, "results", NULL);
    cx_ynode *k_holders = key_node(b, "holders", NULL);
    if (!root || !s->holders || !s->keys || !s->is_result || !s->pairs || !b->header || !s->k_id ||
        !s->k_jur || !s->k_awards || !s->k_results || !k_holders ||
        cx__ymap_put(b->doc, root, k_holders, s->holders))
        return nomem(&b->csv);
    s->holder_jur = SIZE_MAX;
    for (size_t i = 0; i < ncolumns; i++) {
        const char *h = b->header[i] = cx__ydoc_strdup(b->doc, b->csv.header[i]);
        if (!h) return nomem(&b->csv);
        s->is_result[i] = strncmp(h, RESULT_PREFIX, plen) == 0;
        if (!(s->keys[i] = key_node(b, s->is_result[i] ? h + plen : h, h))) return nomem(&b->csv);
        for (size_t k = 0; k < CX_COUNT(s->need); k++)
            if (strcmp(h, required[k]) == 0) s->need[k] = i;
        if (strcmp(h, "holder") == 0) s->holder = i;
        if (strcmp(h, "holder_jurisdiction") == 0) s->holder_jur = i;
    }
    cx__ydoc_set_root(b->doc, root);
    return CX_OK;
}

static cx_ynode *cell(builder *b, size_t i)
{
    return cx__ynode_scalar(b->doc, cx__csv_text(&b->csv, i), b->csv.fields[i].len, 0,
                            b->csv.record_line, 0, b->header[i]);
}

/* A holder_jurisdiction that differs from the holder's first one: the
 * first is kept (docs/interop.md), this one goes to the report. */
static void report_other_jurisdiction(const builder *b, size_t col, const char *holder,
                                      const cx_ynode *first)
{
    char why[600];
    cx_import_issue issue = {b->csv.name, NULL, b->csv.record_line, b->header[col], why};
    if (!b->opts || !b->opts->report) return;
    snprintf(why, sizeof why,
             "holder '%.100s' is given jurisdiction '%.100s' on line %d; '%.100s' is ignored",
             holder, first->text, first->line, cx__csv_text(&b->csv, col));
    b->opts->report(b->opts->report_ud, &issue);
}

/* The holder map for the current row's holder, made on first sight; its
 * jurisdiction the first non-empty holder_jurisdiction. */
static int holder_of(builder *b, shape *s, cx_ynode **out)
{
    const cx_csv *r = &b->csv;
    const char *id = cx__csv_text(r, s->holder);
    cx_ynode *h = cx__strmap_get(&s->by_id, id);
    if (!h) {
        cx_ynode *idn = cell(b, s->holder), *awards;
        h = cx__ynode_new(b->doc, CX_YMAP, r->record_line, 0, b->header[s->holder]);
        awards = cx__ynode_new(b->doc, CX_YLIST, r->record_line, 0, NULL);
        if (!idn || !h || !awards || cx__ymap_put(b->doc, h, s->k_id, idn) ||
            cx__ymap_put(b->doc, h, s->k_awards, awards) ||
            cx__ylist_append(b->doc, s->holders, h) ||
            cx__strmap_put(&s->by_id, idn->text, h, NULL) < 0)
            return nomem(r);
    }
    size_t j = s->holder_jur;
    const cx_ynode *first = cx__ymap_get(h, "jurisdiction");
    if (j != SIZE_MAX && r->fields[j].len && !first) {
        cx_ynode *jn = cell(b, j);
        if (!jn || cx__ymap_put(b->doc, h, s->k_jur, jn)) return nomem(r);
    } else if (j != SIZE_MAX && r->fields[j].len && strcmp(first->text, cx__csv_text(r, j)) != 0) {
        report_other_jurisdiction(b, j, id, first);
    }
    *out = h;
    return CX_OK;
}

/* The current row as an award of its holder. */
static int row(builder *b, shape *s)
{
    const cx_csv *r = &b->csv;
    size_t n = 0, nres = 0, cols = r->ncolumns;
    cx_ynode *h = NULL, *award, *results = NULL;
    cx_ynode **keys = s->pairs, **values = keys + cols + 1;         /* the award's pairs */
    cx_ynode **rkeys = values + cols + 1, **rvalues = rkeys + cols; /* its results */
    for (size_t k = 0; k < CX_COUNT(s->need); k++)
        if (r->fields[s->need[k]].len == 0)
            return fail(r, s->need[k],
                        "empty value; every row needs a holder, a credential and an issue date");
    int rc = holder_of(b, s, &h);
    if (rc) return rc;
    for (size_t i = 0; i < cols; i++) {
        if (i == s->holder || i == s->holder_jur || r->fields[i].len == 0) continue;
        cx_ynode *v = cell(b, i);
        if (!v) return nomem(r);
        if (s->is_result[i] && !nres) results = v; /* the first result locates the map */
        if (s->is_result[i]) {
            rkeys[nres] = s->keys[i];
            rvalues[nres++] = v;
        } else {
            keys[n] = s->keys[i];
            values[n++] = v;
        }
    }
    if (nres) {
        keys[n] = s->k_results;
        values[n] =
            cx__ynode_map_of(b->doc, r->record_line, 0, results->where, rkeys, rvalues, nres);
        if (!values[n++]) return nomem(r);
    }
    award = cx__ynode_map_of(b->doc, r->record_line, 0, NULL, keys, values, n);
    if (!award) return nomem(r);
    return cx__ylist_append(b->doc, h->items[HOLDER_AWARDS], award) ? nomem(r) : CX_OK;
}

static int rows(builder *b)
{
    shape s;
    int got = 1;
    memset(&s, 0, sizeof s);
    cx__strmap_init(&s.by_id);
    int rc = make_shape(b, &s);
    while (!rc && (rc = cx__csv_next(&b->csv, &got)) == CX_OK && got) rc = row(b, &s);
    cx__strmap_free(&s.by_id);
    return rc;
}

/* ------------------------------------------------------------ public API */

int cx__csv_load_buffer(const char *name, const char *data, size_t len,
                        const cx_import_options *opts, cx_ydoc **out, cx_error *err)
{
    builder b;
    memset(&b, 0, sizeof b);
    b.opts = opts;
    *out = NULL;
    int rc = cx__csv_open(&b.csv, name, -1, data, len, opts ? opts->limits : NULL, err);
    if (!rc) rc = cx__ydoc_new(b.csv.name, "csv", &b.doc, err);
    if (!rc) rc = rows(&b);
    cx__csv_close(&b.csv);
    if (rc) {
        cx__ydoc_free(b.doc);
        return rc;
    }
    *out = b.doc;
    return CX_OK;
}

int cx__csv_detect(const char *data, size_t len)
{
    static const char *const need[] = {"holder", "credential", "issued"};
    size_t pos = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    const char *nl = memchr(data + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - data) : len;
    int found = 0;
    if (end > pos && data[end - 1] == '\r') end--;
    while (pos <= end) {
        const char *comma = memchr(data + pos, ',', end - pos);
        size_t stop = comma ? (size_t)(comma - data) : end, a = pos, b = stop;
        while (b > a && data[b - 1] == ' ') b--;
        while (b > a && data[a] == ' ') a++;
        if (b - a >= 2 && data[a] == '"' && data[b - 1] == '"') a++, b--;
        for (size_t k = 0; k < CX_COUNT(need); k++)
            if (b - a == strlen(need[k]) && memcmp(data + a, need[k], b - a) == 0) found |= 1 << k;
        pos = stop + 1;
    }
    return found == 7;
}
