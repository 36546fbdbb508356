/*
 * csv_reader.c -- RFC 4180 award lists -> a catalog document of holders and
 * their awards, each node at its record's line and column name. It checks
 * the file's shape only; every value is checked by the catalog loader.
 */
#include "csv_reader.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "util.h"

/* The columns of the format, besides result.<key>. */
static const char *const columns[] = {
    "holder", "credential", "issued", "expires",  "jurisdiction",
    "hours",  "status",     "grade",  "evidence", "holder_jurisdiction",
    NULL};
static const char *const required[] = {"holder", "credential", "issued", NULL};

#define RESULT_PREFIX "result."

/* One field of the current record: bytes [off, off + len) of the record buffer. */
typedef struct field {
    size_t off, len;
} field;

/* The state of one read. */
typedef struct reader {
    const char *name;              /* the file name, for messages */
    const char *data;              /* the input, after the BOM */
    size_t len, pos;               /* bytes in data; where the next record starts */
    int line;                      /* the line at pos */
    cx_buf text;                   /* the current record's fields, unescaped, each NUL-terminated */
    field *fields;                 /* the current record's fields (malloc'd) */
    size_t nfields, cap;           /* fields in use, allocated */
    int record_line;               /* the line where the current record starts */
    const char **header;           /* column names, in the document's arena */
    size_t ncolumns;               /* fields in the header */
    cx_ydoc *doc;                  /* the document being built */
    const cx_import_options *opts; /* its report gets the values left aside; or NULL */
    cx_error *err;                 /* where the first error goes */
} reader;

/* An error in column col (SIZE_MAX: the record as a whole) of the current record. */
static int fail(const reader *r, size_t col, const char *fmt, ...) CX_PRINTF(3, 4);
static int fail(const reader *r, size_t col, const char *fmt, ...)
{
    char msg[sizeof r->err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *where = r->header && col < r->ncolumns ? r->header[col] : NULL;
    return cx__yerror(r->err, CX_EINPUT, r->name, r->record_line, 0, where, "%s", msg);
}

static int nomem(const reader *r)
{
    return cx__error(r->err, CX_ENOMEM, r->name, 0, 0, "out of memory while reading CSV");
}

static int push_field(reader *r, size_t off)
{
    if (r->nfields == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        field *f = realloc(r->fields, cap * sizeof *f);
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

/* A quoted field from pos (just after its opening quote) to its closing
 * quote; doubled quotes become one, line breaks are kept. */
static int quoted(reader *r)
{
    size_t col = r->nfields;
    for (;;) {
        const char *q = memchr(r->data + r->pos, '"', r->len - r->pos);
        if (!q)
            return fail(r, col,
                        "unterminated quoted field (the quote opens on line %d); "
                        "close it with \"",
                        r->record_line);
        size_t n = (size_t)(q - (r->data + r->pos));
        for (size_t i = 0; i < n; i++)
            if (r->data[r->pos + i] == '\n') r->line++;
        cx__buf_add(&r->text, r->data + r->pos, n);
        r->pos += n + 1;
        if (r->pos < r->len && r->data[r->pos] == '"') {
            cx__buf_add(&r->text, "\"", 1);
            r->pos++;
            continue;
        }
        return CX_OK;
    }
}

/* Reads the record at pos into fields. */
static int record(reader *r)
{
    r->text.len = 0;
    r->nfields = 0;
    r->record_line = r->line;
    for (;;) {
        size_t off = r->text.len, col = r->nfields;
        int rc;
        if (r->pos < r->len && r->data[r->pos] == '"') {
            r->pos++;
            if ((rc = quoted(r))) return rc;
            if (r->pos < r->len && r->data[r->pos] != ',' && r->data[r->pos] != '\n' &&
                !(r->data[r->pos] == '\r' && r->pos + 1 < r->len && r->data[r->pos + 1] == '\n'))
                return fail(r, col,
                            "text after the closing quote of a field; "
                            "quote the whole field and double any quote inside it");
        } else {
            size_t start = r->pos;
            while (r->pos < r->len && r->data[r->pos] != ',' && r->data[r->pos] != '\n') r->pos++;
            size_t n = r->pos - start;
            if (r->pos < r->len && r->data[r->pos] == '\n' && n && r->data[r->pos - 1] == '\r') n--;
            if (memchr(r->data + start, '"', n))
                return fail(r, col,
                            "a quote inside an unquoted field; quote the whole field "
                            "and double the quote (\"\")");
            cx__buf_add(&r->text, r->data + start, n);
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
static int check_text(const reader *r)
{
    for (size_t i = 0; i < r->nfields; i++) {
        const unsigned char *s = (const unsigned char *)r->text.data + r->fields[i].off;
        size_t n = r->fields[i].len, k;
        for (size_t at = 0; at < n; at += k) {
            uint32_t cp;
            k = cx__utf8_next(s + at, n - at, &cp);
            if (cp == 0) return fail(r, i, "NUL character in a field");
            if (cp == CX_BAD_CP)
                return fail(r, i, "invalid UTF-8 byte 0x%02x in a field; save the file as UTF-8",
                            s[at]);
        }
    }
    return CX_OK;
}

static const char *field_text(const reader *r, size_t i)
{
    return r->text.data + r->fields[i].off;
}

/* ------------------------------------------------------------ the header */

static int known_column(const char *name)
{
    size_t plen = sizeof RESULT_PREFIX - 1;
    if (strncmp(name, RESULT_PREFIX, plen) == 0) return name[plen] != '\0';
    return cx__listed(columns, name);
}

static int header(reader *r)
{
    int rc = record(r);
    if (rc || (rc = check_text(r))) return rc;
    r->header = cx__ydoc_alloc(r->doc, r->nfields * sizeof *r->header);
    if (!r->header) return nomem(r);
    for (size_t i = 0; i < r->nfields; i++) { /* names without the spaces around them */
        const char *name = field_text(r, i);
        size_t len = r->fields[i].len;
        while (len && name[len - 1] == ' ') len--;
        while (len && *name == ' ') name++, len--;
        char *copy = cx__ydoc_alloc(r->doc, len + 1);
        if (!copy) return nomem(r);
        memcpy(copy, name, len);
        copy[len] = '\0';
        r->header[i] = copy;
    }
    r->ncolumns = r->nfields;
    for (size_t i = 0; i < r->ncolumns; i++) {
        if (!known_column(r->header[i])) {
            cx_buf b;
            cx__buf_init(&b);
            for (size_t k = 0; columns[k]; k++) cx__buf_printf(&b, "%s, ", columns[k]);
            cx__buf_puts(&b, RESULT_PREFIX "<key>");
            rc = b.oom ? nomem(r) : fail(r, i, "unknown column; expected one of: %s", b.data);
            cx__buf_free(&b);
            return rc;
        }
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

/* ---------------------------------------------------------- the document */

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

static cx_ynode *key_node(reader *r, const char *text, const char *where)
{
    return cx__ynode_scalar(r->doc, text, strlen(text), 1, 1, 0, where);
}

static int make_shape(reader *r, shape *s)
{
    size_t plen = sizeof RESULT_PREFIX - 1;
    cx_ynode *root = cx__ynode_new(r->doc, CX_YMAP, 1, 0, NULL);
    s->holders = cx__ynode_new(r->doc, CX_YLIST, 1, 0, NULL);
    s->keys = cx__ydoc_alloc(r->doc, r->ncolumns * sizeof *s->keys);
    s->is_result = cx__ydoc_alloc(r->doc, r->ncolumns * sizeof *s->is_result);
    s->pairs = cx__ydoc_alloc(r->doc, (4 * r->ncolumns + 2) * sizeof *s->pairs);
    s->k_id = key_node(r, "id", NULL);
    s->k_jur = key_node(r, "jurisdiction", NULL);
    s->k_awards = key_node(r, "awards", NULL);
    s->k_results = key_node(r, "results", NULL);
    cx_ynode *k_holders = key_node(r, "holders", NULL);
    if (!root || !s->holders || !s->keys || !s->is_result || !s->pairs || !s->k_id || !s->k_jur ||
        !s->k_awards || !s->k_results || !k_holders ||
        cx__ymap_put(r->doc, root, k_holders, s->holders))
        return nomem(r);
    s->holder_jur = SIZE_MAX;
    for (size_t i = 0; i < r->ncolumns; i++) {
        const char *h = r->header[i];
        s->is_result[i] = strncmp(h, RESULT_PREFIX, plen) == 0;
        if (!(s->keys[i] = key_node(r, s->is_result[i] ? h + plen : h, h))) return nomem(r);
        for (size_t k = 0; k < CX_COUNT(s->need); k++)
            if (strcmp(h, required[k]) == 0) s->need[k] = i;
        if (strcmp(h, "holder") == 0) s->holder = i;
        if (strcmp(h, "holder_jurisdiction") == 0) s->holder_jur = i;
    }
    cx__ydoc_set_root(r->doc, root);
    return CX_OK;
}

static cx_ynode *cell(reader *r, size_t i)
{
    return cx__ynode_scalar(r->doc, field_text(r, i), r->fields[i].len, 0, r->record_line, 0,
                            r->header[i]);
}

/* A holder_jurisdiction that differs from the holder's first one: the
 * first is kept (docs/interop.md), this one goes to the report. */
static void report_other_jurisdiction(const reader *r, size_t col, const char *holder,
                                      const cx_ynode *first)
{
    char why[600];
    cx_import_issue issue = {r->name, NULL, r->record_line, r->header[col], why};
    if (!r->opts || !r->opts->report) return;
    snprintf(why, sizeof why,
             "holder '%.100s' is given jurisdiction '%.100s' on line %d; '%.100s' is ignored",
             holder, first->text, first->line, field_text(r, col));
    r->opts->report(r->opts->report_ud, &issue);
}

/* The holder map for the current row's holder, made on first sight; its
 * jurisdiction the first non-empty holder_jurisdiction. */
static int holder_of(reader *r, shape *s, cx_ynode **out)
{
    const char *id = field_text(r, s->holder);
    cx_ynode *h = cx__strmap_get(&s->by_id, id);
    if (!h) {
        cx_ynode *idn = cell(r, s->holder), *awards;
        h = cx__ynode_new(r->doc, CX_YMAP, r->record_line, 0, r->header[s->holder]);
        awards = cx__ynode_new(r->doc, CX_YLIST, r->record_line, 0, NULL);
        if (!idn || !h || !awards || cx__ymap_put(r->doc, h, s->k_id, idn) ||
            cx__ymap_put(r->doc, h, s->k_awards, awards) ||
            cx__ylist_append(r->doc, s->holders, h) ||
            cx__strmap_put(&s->by_id, idn->text, h, NULL) < 0)
            return nomem(r);
    }
    size_t j = s->holder_jur;
    const cx_ynode *first = cx__ymap_get(h, "jurisdiction");
    if (j != SIZE_MAX && r->fields[j].len && !first) {
        cx_ynode *jn = cell(r, j);
        if (!jn || cx__ymap_put(r->doc, h, s->k_jur, jn)) return nomem(r);
    } else if (j != SIZE_MAX && r->fields[j].len && strcmp(first->text, field_text(r, j)) != 0) {
        report_other_jurisdiction(r, j, id, first);
    }
    *out = h;
    return CX_OK;
}

/* The current row as an award of its holder. */
static int row(reader *r, shape *s)
{
    size_t n = 0, nres = 0, cols = r->ncolumns;
    cx_ynode *h = NULL, *award, *results = NULL;
    cx_ynode **keys = s->pairs, **values = keys + cols + 1;         /* the award's pairs */
    cx_ynode **rkeys = values + cols + 1, **rvalues = rkeys + cols; /* its results */
    for (size_t k = 0; k < CX_COUNT(s->need); k++)
        if (r->fields[s->need[k]].len == 0)
            return fail(r, s->need[k],
                        "empty value; every row needs a holder, a credential and an issue date");
    int rc = holder_of(r, s, &h);
    if (rc) return rc;
    for (size_t i = 0; i < cols; i++) {
        if (i == s->holder || i == s->holder_jur || r->fields[i].len == 0) continue;
        cx_ynode *v = cell(r, i);
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
            cx__ynode_map_of(r->doc, r->record_line, 0, results->where, rkeys, rvalues, nres);
        if (!values[n++]) return nomem(r);
    }
    award = cx__ynode_map_of(r->doc, r->record_line, 0, NULL, keys, values, n);
    if (!award) return nomem(r);
    return cx__ylist_append(r->doc, h->items[HOLDER_AWARDS], award) ? nomem(r) : CX_OK;
}

static int rows(reader *r)
{
    shape s;
    memset(&s, 0, sizeof s);
    cx__strmap_init(&s.by_id);
    int rc = make_shape(r, &s);
    while (!rc && r->pos < r->len) {
        if ((rc = record(r)) || (rc = check_text(r))) break;
        if (r->nfields == 1 && r->fields[0].len == 0) continue; /* a blank line */
        if (r->nfields != r->ncolumns) {
            rc = fail(r, SIZE_MAX,
                      "row has %zu field%s, the header has %zu; quote a value "
                      "that contains a comma",
                      r->nfields, r->nfields == 1 ? "" : "s", r->ncolumns);
            break;
        }
        rc = row(r, &s);
    }
    cx__strmap_free(&s.by_id);
    return rc;
}

/* ------------------------------------------------------------ public API */

int cx__csv_load_buffer(const char *name, const char *data, size_t len,
                        const cx_import_options *opts, cx_ydoc **out, cx_error *err)
{
    reader r;
    memset(&r, 0, sizeof r);
    r.name = name ? name : "";
    r.data = data;
    r.len = len;
    r.line = 1;
    r.opts = opts;
    r.err = err;
    *out = NULL;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) r.pos = 3;
    cx__buf_init(&r.text);
    int rc = cx__ydoc_new(r.name, "csv", &r.doc, err);
    if (!rc) rc = header(&r);
    if (!rc) rc = rows(&r);
    cx__buf_free(&r.text);
    free(r.fields);
    if (rc) {
        cx__ydoc_free(r.doc);
        return rc;
    }
    *out = r.doc;
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
