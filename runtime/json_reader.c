/*
 * json_reader.c -- jansson's tree -> a tree of cx_ynode, each node with its
 * JSON Pointer. The only reader that includes jansson.h; it knows no format
 * of the field (CTDL, Open Badges): mappers work on the tree it makes.
 */
#include "json_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util.h"

/* The state of one conversion. */
typedef struct reader {
    const char *name; /* the file name, for messages */
    cx_ydoc *doc;     /* the document being built */
    cx_buf pointer;   /* the JSON Pointer of the node being converted */
    cx_limits limits; /* the caps on strings and arrays (defaults filled) */
    cx_error *err;    /* where the first error goes */
} reader;

static int nomem(const reader *r)
{
    return cx__error(r->err, CX_ENOMEM, r->name, 0, 0, "out of memory while reading JSON");
}

/* Appends one reference token to the pointer, ~ as ~0 and / as ~1. */
static void push_token(cx_buf *b, const char *token)
{
    cx__buf_add(b, "/", 1);
    for (const char *p = token; *p; p++) {
        if (*p == '~')
            cx__buf_add(b, "~0", 2);
        else if (*p == '/')
            cx__buf_add(b, "~1", 2);
        else
            cx__buf_add(b, p, 1);
    }
}

/* The shortest text of a real that reads back as the same double; a whole
 * number below 10^15 in plain digits (48.0 -> "48", 1e3 -> "1000"). */
static void real_text(double v, char *buf, size_t size)
{
    if (v > -1e15 && v < 1e15 && v == (double)(long long)v) {
        snprintf(buf, size, "%lld", (long long)v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
}

static cx_ynode *convert(reader *r, const json_t *j);

/* Refuses nesting deeper than CX_YAML_MAX_DEPTH before jansson parses
 * (and recurses into) it, located at the bracket that goes too deep. */
static int check_depth(const char *name, const char *data, size_t len, cx_error *err)
{
    int depth = 0, in_string = 0, line = 1, column = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)data[i];
        if ((c & 0xC0) != 0x80) column++; /* a character starts here */
        if (c == '\n') line++, column = 0;
        if (in_string) {
            if (c == '\\')
                i++, column++;
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > CX_YAML_MAX_DEPTH)
                return cx__error(err, CX_EINPUT, name, line, column,
                                 "nesting deeper than %d levels; expected at most %d objects "
                                 "and arrays inside each other",
                                 CX_YAML_MAX_DEPTH, CX_YAML_MAX_DEPTH);
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return CX_OK;
}

/* Refuses a string (a value or a key) longer than the scalar cap, at where. */
static int check_length(reader *r, size_t len, const char *where)
{
    char size[32];
    if ((uint64_t)len <= r->limits.max_scalar_bytes) return CX_OK;
    return cx__yerror(r->err, CX_EINPUT, r->name, 0, 0, where,
                      "a string of %zu bytes, longer than the %s scalar limit; "
                      "--max-scalar-bytes raises it",
                      len, cx__bytes_text(r->limits.max_scalar_bytes, size, sizeof size));
}

/* Refuses an array or object of more items than the list cap, at where. */
static int check_size(reader *r, const json_t *j, const char *where)
{
    size_t n = json_is_array(j) ? json_array_size(j) : json_object_size(j);
    if ((uint64_t)n <= r->limits.max_list_items) return CX_OK;
    return cx__yerror(r->err, CX_EINPUT, r->name, 0, 0, where,
                      "%s of %zu %s, more than the limit of %llu; --max-list-items raises it",
                      json_is_array(j) ? "an array" : "an object", n,
                      json_is_array(j) ? "items" : "members",
                      (unsigned long long)r->limits.max_list_items);
}

static cx_ynode *scalar(reader *r, const json_t *j, const char *where)
{
    char num[40];
    switch (json_typeof(j)) {
    case JSON_STRING:
        if (check_length(r, json_string_length(j), where)) return NULL;
        if (memchr(json_string_value(j), '\0', json_string_length(j))) {
            cx__yerror(r->err, CX_EINPUT, r->name, 0, 0, where,
                       "NUL character (\\u0000) in a string");
            return NULL;
        }
        return cx__ynode_scalar(r->doc, json_string_value(j), json_string_length(j), 0, 0, 0,
                                where);
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
        break;
    case JSON_REAL:
        real_text(json_real_value(j), num, sizeof num);
        break;
    case JSON_TRUE:
        snprintf(num, sizeof num, "true");
        break;
    case JSON_FALSE:
        snprintf(num, sizeof num, "false");
        break;
    default:
        snprintf(num, sizeof num, "null");
        break;
    }
    return cx__ynode_scalar(r->doc, num, strlen(num), 1, 0, 0, where);
}

/* The items of an array or the members of an object into n. */
static int children(reader *r, const json_t *j, cx_ynode *n)
{
    size_t base = r->pointer.len;
    if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j); i++) {
            cx__buf_printf(&r->pointer, "/%zu", i);
            cx_ynode *item = convert(r, json_array_get(j, i));
            r->pointer.len = base;
            if (!item || cx__ylist_append(r->doc, n, item)) return item ? nomem(r) : r->err->code;
        }
        return CX_OK;
    }
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)j, key, value)
    {
        if (check_length(r, strlen(key), n->where)) return CX_EINPUT;
        push_token(&r->pointer, key);
        cx__buf_add(&r->pointer, "", 1); /* NUL-terminate without counting it */
        r->pointer.len--;
        const char *where = r->pointer.oom ? NULL : cx__ydoc_strdup(r->doc, r->pointer.data);
        cx_ynode *k = where ? cx__ynode_scalar(r->doc, key, strlen(key), 0, 0, 0, where) : NULL;
        cx_ynode *v = k ? convert(r, value) : NULL;
        r->pointer.len = base;
        if (!k) return nomem(r);
        if (!v) return r->err->code;
        if (cx__ymap_put(r->doc, n, k, v)) return nomem(r);
    }
    return CX_OK;
}

/* The node of j, at the pointer r->pointer; NULL with r->err set. A key
 * node's where is its member's pointer, so an unknown key reads there. */
static cx_ynode *convert(reader *r, const json_t *j)
{
    if (r->pointer.oom) {
        nomem(r);
        return NULL;
    }
    cx__buf_add(&r->pointer, "", 1); /* NUL-terminate without counting it */
    r->pointer.len--;
    const char *where = cx__ydoc_strdup(r->doc, r->pointer.data);
    if (!where) {
        nomem(r);
        return NULL;
    }
    if (!json_is_object(j) && !json_is_array(j)) {
        cx_ynode *n = scalar(r, j, where);
        if (!n && r->err->code == CX_OK) nomem(r);
        return n;
    }
    if (check_size(r, j, where)) return NULL;
    cx_ynode *n = cx__ynode_new(r->doc, json_is_object(j) ? CX_YMAP : CX_YLIST, 0, 0, where);
    if (!n) {
        nomem(r);
        return NULL;
    }
    return children(r, j, n) ? NULL : n;
}

int cx__json_load_buffer(const char *name, const char *data, size_t len, cx_ydoc **out,
                         cx_error *err)
{
    return cx__json_load_buffer_limited(name, data, len, NULL, out, err);
}

int cx__json_load_buffer_limited(const char *name, const char *data, size_t len,
                                 const cx_limits *limits, cx_ydoc **out, cx_error *err)
{
    reader r;
    json_error_t jerr;
    memset(&r, 0, sizeof r);
    r.limits = cx__limits_of(limits);
    r.name = name ? name : "";
    r.err = err;
    *out = NULL;
    cx_error_clear(err);
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) data += 3, len -= 3;
    int rc = check_depth(r.name, data, len, err);
    if (rc) return rc;
    json_t *root =
        json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!root)
        return cx__error(err, CX_EINPUT, r.name, jerr.line > 0 ? jerr.line : 1,
                         jerr.column > 0 ? jerr.column : 1, "invalid JSON: %s", jerr.text);
    rc = cx__ydoc_new(r.name, "json", &r.doc, err);
    if (rc == CX_OK) {
        cx__buf_init(&r.pointer);
        cx_ynode *top = convert(&r, root);
        cx__buf_free(&r.pointer);
        if (top)
            cx__ydoc_set_root(r.doc, top);
        else
            rc = err->code ? err->code : CX_ENOMEM;
    }
    json_decref(root);
    if (rc) {
        cx__ydoc_free(r.doc);
        return rc;
    }
    *out = r.doc;
    return CX_OK;
}

int cx__json_context_listed(const char *iri, const char *const *allowed)
{
    const char *rest = strncmp(iri, "https://", 8) == 0  ? iri + 8
                       : strncmp(iri, "http://", 7) == 0 ? iri + 7
                                                         : NULL;
    return rest && cx__listed(allowed, rest);
}
