/*
 * csv_reader.h -- CSV award lists (docs/interop.md) into a
 * catalog document: the same tree of maps, lists and scalars the YAML reader
 * makes, shaped as a version-1 catalog with `holders` only. No library.
 */
#ifndef CX_CSV_READER_H
#define CX_CSV_READER_H

#include <stddef.h>

#include "credex.h"
#include "yaml_reader.h"

/* 1 when the first line of data (after an optional UTF-8 BOM) is a CSV
 * header whose comma-separated names (spaces around them ignored) include
 * holder, credential and issued: how `credex import` tells a CSV file by
 * its content. */
int cx__csv_detect(const char *data, size_t len);

/* Reads an RFC 4180 award list (a header row, then one award a row: LF or
 * CRLF, quoted fields with commas, doubled quotes and line breaks) into a
 * catalog document named name (header names without the spaces around
 * them; values exactly as written): `holders`, one per holder id in order of
 * first appearance, each with `id`, `jurisdiction` (the first non-empty
 * holder_jurisdiction) and `awards`, one per row. An empty cell is an
 * absent key. Every node is at the record's line (where it starts, column
 * 0), a value's `where` its column's name, a holder's "holder", an award
 * map's NULL. Errors, at file:LINE: column 'NAME': a column
 * not in the format, a repeated or missing required column, a row with
 * more or fewer fields than the header, an empty required cell, an
 * unterminated quote, a stray quote, NUL, invalid UTF-8. *out is owned by
 * the caller (cx__ydoc_free); data is only read during the call. A
 * holder_jurisdiction that differs from the holder's first one is left
 * aside and given to opts->report (opts may be NULL). */
int cx__csv_load_buffer(const char *name, const char *data, size_t len,
                        const cx_import_options *opts, cx_ydoc **out, cx_error *err);

#endif
