/*
 * csv_reader.h -- CSV award lists (docs/interop.md): an RFC 4180 record
 * reader that streams a file (or a buffer) a window at a time under the
 * input's caps, and on it a catalog document builder: the same tree of
 * maps, lists and scalars the YAML reader makes. No library.
 */
#ifndef CX_CSV_READER_H
#define CX_CSV_READER_H

#include <stddef.h>
#include <stdint.h>

#include "credex.h"
#include "util.h"
#include "yaml_reader.h"

/* 1 when the first line of data (after an optional UTF-8 BOM) is a CSV
 * header whose comma-separated names (spaces around them ignored) include
 * holder, credential and issued: how `credex import` tells a CSV file by
 * its content. */
int cx__csv_detect(const char *data, size_t len);

/* One field of the current record: bytes [off, off + len) of the record's text. */
typedef struct cx_csv_field {
    size_t off, len;
} cx_csv_field;

/* A record reader over one input: a file read a window at a time, or a
 * buffer. Fields are read only; the caller owns nothing inside. */
typedef struct cx_csv {
    const char *name;     /* the file name, for messages */
    int fd;               /* the file, or -1: data is the whole input */
    char *window;         /* fd: the bytes read and not yet consumed (malloc'd) */
    size_t window_cap;    /* bytes allocated for window */
    const char *data;     /* the bytes at hand: window, or the buffer */
    size_t len, pos;      /* bytes in data; where the next record starts */
    int eof;              /* 1: nothing follows data[len) */
    int over;             /* 1: what follows data[len) is past max_input_bytes */
    uint64_t read;        /* bytes read from fd so far */
    cx_limits limits;     /* the caps, defaults filled in */
    int line;             /* the line at pos */
    cx_buf text;          /* the current record's fields, unescaped, each NUL-terminated */
    cx_csv_field *fields; /* the current record's fields (malloc'd) */
    size_t nfields, cap;  /* fields in use, allocated */
    int record_line;      /* the line where the current record starts */
    char **header;        /* column names without the spaces around them (malloc'd) */
    size_t ncolumns;      /* fields in the header */
    uint64_t rows;        /* data records read (blank lines not counted) */
    cx_error *err;        /* where the first error goes */
} cx_csv;

/* Starts reading data (len bytes, read only; it must outlive r) or, with
 * data NULL, the open file fd (r closes it), named name in messages,
 * under limits (NULL: the defaults); skips a UTF-8 BOM. Then reads and
 * checks the header: a column not in the format, a repeated or missing
 * required column, each at file:1: column 'NAME'. cx__csv_close frees r
 * whatever this returns. */
int cx__csv_open(cx_csv *r, const char *name, int fd, const char *data, size_t len,
                 const cx_limits *limits, cx_error *err);
void cx__csv_close(cx_csv *r);

/* Reads the next data record into r->fields (blank lines skipped); *got
 * is 1 when one was read, 0 at the end. Errors (CX_EINPUT, CX_ENOMEM) in
 * r->err: a row with more or fewer fields than the header, an
 * unterminated quote, a stray quote, NUL, invalid UTF-8, a field over
 * max_scalar_bytes, more rows than max_list_items, a file over
 * max_input_bytes: each at file:LINE[: column 'NAME']. */
int cx__csv_next(cx_csv *r, int *got);

/* The text of field i of the current record (NUL-terminated). */
static inline const char *cx__csv_text(const cx_csv *r, size_t i)
{
    return r->text.data + r->fields[i].off;
}

/* A located error at the current record, in column col (SIZE_MAX: the
 * record as a whole): file:LINE: column 'NAME': message. Returns code. */
int cx__csv_error(const cx_csv *r, int code, size_t col, const char *fmt, ...) CX_PRINTF(4, 5);

/* Reads an RFC 4180 award list (a header row, then one award a row: LF or
 * CRLF, quoted fields with commas, doubled quotes and line breaks) into a
 * catalog document named name (header names without the spaces around
 * them; values exactly as written): `holders`, one per holder id in order of
 * first appearance, each with `id`, `jurisdiction` (the first non-empty
 * holder_jurisdiction) and `awards`, one per row. An empty cell is an
 * absent key. Every node is at the record's line (where it starts, column
 * 0), a value's `where` its column's name, a holder's "holder", an award
 * map's NULL. Errors as cx__csv_open and cx__csv_next, under
 * opts->limits. *out is owned by the caller (cx__ydoc_free); data is only
 * read during the call. A holder_jurisdiction that differs from the
 * holder's first one is left aside and given to opts->report (opts may be
 * NULL). */
int cx__csv_load_buffer(const char *name, const char *data, size_t len,
                        const cx_import_options *opts, cx_ydoc **out, cx_error *err);

#endif
