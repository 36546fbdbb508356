/*
 * json_reader.h -- a strict JSON reader (with decision.c and render*.c, the
 * only users of jansson): a file -> the same tree of maps, lists and scalars
 * the YAML reader makes, each node located by its JSON Pointer. No JSON-LD
 * processing and no network: mappers of JSON formats work on the tree.
 */
#ifndef CX_JSON_READER_H
#define CX_JSON_READER_H

#include <stddef.h>

#include "credex.h"
#include "yaml_reader.h"

/* Reads JSON text into a document named name (format "json"): one leading
 * UTF-8 BOM is stripped; objects become maps (keys in document order),
 * arrays lists; a string is a scalar of its text (plain 0), a number the
 * scalar of its canonical text (integers as written, reals in the fewest
 * digits that read back the same: 48.0 -> "48", 12.5 -> "12.5"), true,
 * false and null the scalars "true", "false", "null" (plain 1). Every node
 * is at line 0 with its JSON Pointer (RFC 6901, "" for the root) as where.
 * Refused with a located error: a syntax error, a repeated key in one
 * object and nesting deeper than CX_YAML_MAX_DEPTH (file:line:col, before
 * jansson parses), a NUL in a string (file: POINTER). *out is owned by the caller
 * (cx__ydoc_free); data is only read during the call. */
int cx__json_load_buffer(const char *name, const char *data, size_t len, cx_ydoc **out,
                         cx_error *err);

/* The same under limits (NULL: the defaults, as above): a string or key
 * longer than max_scalar_bytes, an array or object of more than
 * max_list_items items, each a located error at its JSON Pointer. */
int cx__json_load_buffer_limited(const char *name, const char *data, size_t len,
                                 const cx_limits *limits, cx_ydoc **out, cx_error *err);

/* 1 when iri is http:// or https:// followed by one of allowed (a
 * NULL-terminated list of host/path strings): JSON-LD contexts are
 * compared as published, in either scheme (docs/interop.md). */
int cx__json_context_listed(const char *iri, const char *const *allowed);

#endif
