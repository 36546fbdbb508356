/*
 * render_list.c -- renders the rows of `credex list` (docs/json.md, "credex
 * list"): JSON Lines with a fixed key order per kind (jansson), RFC 4180 CSV
 * with a header, or aligned text, strings made safe as decisions' are
 * (render.h). It never reads the registry or the rules.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credex.h"
#include "render.h"
#include "util.h"

/* The members a listing can show. */
enum { F_ID, F_NAME, F_TYPE, F_PROVIDER, F_JURISDICTION, F_COUNT, F_PACK, F_FILE, F_LINE };

#define MAX_COLUMNS 6

/* One column of a kind: its name (the JSON key and the CSV and text
 * header) and the member it shows. */
typedef struct column {
    const char *name;
    int field;
} column;

static const struct layout {
    size_t n;
    column cols[MAX_COLUMNS];
} layouts[] = {
    [CX_LIST_CREDENTIALS] = {5,
                             {{"id", F_ID},
                              {"name", F_NAME},
                              {"type", F_TYPE},
                              {"provider", F_PROVIDER},
                              {"jurisdiction", F_JURISDICTION}}},
    [CX_LIST_HOLDERS] = {3, {{"id", F_ID}, {"jurisdiction", F_JURISDICTION}, {"awards", F_COUNT}}},
    [CX_LIST_GROUPS] = {3, {{"id", F_ID}, {"name", F_NAME}, {"members", F_COUNT}}},
    [CX_LIST_STACKS] = {6,
                        {{"id", F_ID},
                         {"name", F_NAME},
                         {"jurisdiction", F_JURISDICTION},
                         {"pack", F_PACK},
                         {"file", F_FILE},
                         {"line", F_LINE}}},
    [CX_LIST_PROVIDERS] = {3, {{"id", F_ID}, {"name", F_NAME}, {"jurisdiction", F_JURISDICTION}}},
};

struct cx_list_writer {
    const struct layout *layout; /* the kind's columns */
    cx_list_format format;
    cx_write_fn write; /* where output goes */
    void *ud;
    char **cells; /* text: every cell so far, row after row; owned */
    size_t ncells, cap;
    int failed; /* a write failed (-1 from then on) */
};

/* A string member of row, NULL when absent. */
static const char *text_of(const cx_list_row *row, int field)
{
    switch (field) {
    case F_ID:
        return row->id;
    case F_NAME:
        return row->name;
    case F_TYPE:
        return row->type;
    case F_PROVIDER:
        return row->provider;
    case F_JURISDICTION:
        return row->jurisdiction;
    case F_PACK:
        return row->pack;
    case F_FILE:
        return row->file;
    default:
        return NULL;
    }
}

/* Member field of row as text into buf (numbers written there); NULL when
 * absent. */
static const char *cell_of(const cx_list_row *row, int field, char buf[24])
{
    if (field == F_COUNT || field == F_LINE) {
        long long v = field == F_COUNT ? (long long)row->count : (long long)row->line;
        if (v < 0 || (field == F_LINE && v == 0)) return NULL;
        snprintf(buf, 24, "%lld", v);
        return buf;
    }
    return text_of(row, field);
}

static int emit(cx_list_writer *w, const char *s, size_t n)
{
    if (!w->failed && n && w->write(s, n, w->ud)) w->failed = 1;
    return w->failed ? -1 : CX_OK;
}

static int emit_buf(cx_list_writer *w, cx_buf *b)
{
    int rc = b->oom ? CX_ENOMEM : emit(w, b->data ? b->data : "", b->len);
    cx__buf_free(b);
    return rc;
}

/* ------------------------------------------------------------------ CSV */

static int csv_header(cx_list_writer *w)
{
    cx_buf b;
    cx__buf_init(&b);
    for (size_t i = 0; i < w->layout->n; i++) {
        if (i) cx__buf_puts(&b, ",");
        cx__buf_puts(&b, w->layout->cols[i].name);
    }
    cx__buf_puts(&b, "\r\n");
    return emit_buf(w, &b);
}

static int csv_row(cx_list_writer *w, const cx_list_row *row)
{
    cx_buf b;
    char num[24];
    cx__buf_init(&b);
    for (size_t i = 0; i < w->layout->n; i++) {
        if (i) cx__buf_puts(&b, ",");
        cx__buf_csv_field(&b, cell_of(row, w->layout->cols[i].field, num));
    }
    cx__buf_puts(&b, "\r\n");
    return emit_buf(w, &b);
}

/* ----------------------------------------------------------------- JSON */

/* Sets key to v (a new reference; NULL: out of memory). 0 or -1. */
static int put(json_t *obj, const char *key, json_t *v)
{
    return v ? json_object_set_new(obj, key, v) : -1;
}

/* One object: the kind's keys in order, absent members left out. */
static int json_row(cx_list_writer *w, const cx_list_row *row)
{
    json_t *o = json_object();
    int bad = !o;
    for (size_t i = 0; !bad && i < w->layout->n; i++) {
        int field = w->layout->cols[i].field;
        const char *key = w->layout->cols[i].name, *s = text_of(row, field);
        if (field == F_COUNT && row->count >= 0)
            bad = put(o, key, json_integer(row->count));
        else if (field == F_LINE && row->line > 0)
            bad = put(o, key, json_integer(row->line));
        else if (s)
            bad = put(o, key, cx__json_text(s, strlen(s))); /* invalid UTF-8: U+FFFD */
    }
    char *text = bad ? NULL : json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!text) return CX_ENOMEM;
    int rc = emit(w, text, strlen(text));
    free(text);
    return rc ? rc : emit(w, "\n", 1);
}

/* ----------------------------------------------------------------- text */

/* A cell as a terminal shows it (cx__text_put: a stack's name comes from
 * a rule pack), newly allocated; "-" for an absent one. */
static char *text_cell(const char *s)
{
    cx_buf b;
    cx__buf_init(&b);
    cx__text_put(&b, s ? s : "-");
    if (b.oom) {
        cx__buf_free(&b);
        return NULL;
    }
    return b.data ? b.data : cx__strdup(""); /* b.data is NUL-terminated */
}

/* Keeps the row's cells until the end. */
static int text_keep(cx_list_writer *w, const cx_list_row *row)
{
    char num[24];
    if (w->ncells + w->layout->n > w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64 * MAX_COLUMNS;
        char **cells = realloc(w->cells, cap * sizeof *cells);
        if (!cells) return CX_ENOMEM;
        w->cells = cells;
        w->cap = cap;
    }
    for (size_t i = 0; i < w->layout->n; i++) {
        const char *s = cell_of(row, w->layout->cols[i].field, num);
        if (!(w->cells[w->ncells] = text_cell(s))) return CX_ENOMEM;
        w->ncells++;
    }
    return CX_OK;
}

/* The width of s on a terminal, in characters: UTF-8 continuation bytes
 * do not count. */
static size_t width_of(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Writes the header and every row, each column as wide as its widest
 * cell (in characters) and two spaces apart; the last column is not
 * padded. */
static int text_table(cx_list_writer *w)
{
    size_t n = w->layout->n, width[MAX_COLUMNS];
    cx_buf b;
    for (size_t c = 0; c < n; c++) width[c] = width_of(w->layout->cols[c].name);
    for (size_t i = 0; i < w->ncells; i++)
        if (width_of(w->cells[i]) > width[i % n]) width[i % n] = width_of(w->cells[i]);
    cx__buf_init(&b);
    for (size_t i = 0; i < n + w->ncells; i++) {
        size_t c = i % n;
        const char *s = i < n ? w->layout->cols[c].name : w->cells[i - n];
        cx__buf_puts(&b, s);
        if (c + 1 == n) {
            cx__buf_puts(&b, "\n");
            continue;
        }
        for (size_t pad = width_of(s); pad < width[c] + 2; pad++) cx__buf_add(&b, " ", 1);
    }
    return emit_buf(w, &b);
}

/* -------------------------------------------------------------- writer */

int cx_list_writer_new(cx_list_kind kind, cx_list_format format, cx_write_fn write, void *ud,
                       cx_list_writer **out)
{
    *out = NULL;
    if ((size_t)kind >= CX_COUNT(layouts)) return CX_EUSAGE;
    cx_list_writer *w = calloc(1, sizeof *w);
    if (!w) return CX_ENOMEM;
    w->layout = &layouts[kind];
    w->format = format;
    w->write = write;
    w->ud = ud;
    int rc = format == CX_LIST_CSV ? csv_header(w) : CX_OK;
    if (rc) {
        free(w);
        return rc;
    }
    *out = w;
    return CX_OK;
}

int cx_list_writer_row(void *writer, const cx_list_row *row)
{
    cx_list_writer *w = writer;
    switch (w->format) {
    case CX_LIST_CSV:
        return csv_row(w, row);
    case CX_LIST_JSON:
        return json_row(w, row);
    case CX_LIST_TEXT:
        return text_keep(w, row);
    }
    return CX_EUSAGE;
}

int cx_list_writer_end(cx_list_writer *w)
{
    if (!w) return CX_OK;
    int rc = w->format == CX_LIST_TEXT ? text_table(w) : w->failed ? -1 : CX_OK;
    for (size_t i = 0; i < w->ncells; i++) free(w->cells[i]);
    free(w->cells);
    free(w);
    return rc;
}
