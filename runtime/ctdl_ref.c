/*
 * ctdl_ref.c -- the JSON-LD of CTDL as published: the @context allow-list,
 * CTIDs, references to ids, language maps, and the report. It never
 * expands JSON-LD nor fetches anything: keys are compared as written.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctdl_int.h"
#include "hash.h"
#include "json_reader.h"

#define MAX_ID_LEN 200

int cx__ctdl_fail(ctdl *x, const cx_ynode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cx__ynode_verror(x->err, x->file, n, fmt, ap);
    va_end(ap);
    return CX_EINPUT;
}

void cx__ctdl_report(ctdl *x, const cx_ynode *n, const char *key, const char *fmt, ...)
{
    char why[512];
    va_list ap;
    if (!x->opts->report) return;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    cx_import_issue issue = {x->file, n && n->where ? n->where : "", 0, key, why};
    x->opts->report(x->opts->report_ud, &issue);
}

/* ------------------------------------------------------------- contexts */

/* The contexts CTDL documents are published with (docs/interop.md), each
 * in its http and https form. */
static const char *const contexts[] = {
    "credreg.net/ctdl/schema/context/json",
    "credreg.net/ctdlasn/schema/context/json",
    NULL,
};

static int check_context(ctdl *x, const cx_ynode *v)
{
    if (v->kind == CX_YLIST) {
        for (size_t i = 0; i < v->count; i++) {
            int rc = check_context(x, v->items[i]);
            if (rc) return rc;
        }
        return CX_OK;
    }
    if (v->kind == CX_YMAP)
        return cx__ctdl_fail(x, v,
                             "an inline @context, which credex does not read (a legacy CTDL "
                             "document?); expected https://credreg.net/ctdl/schema/context/json");
    if (v->plain || !cx__json_context_listed(v->text, contexts))
        return cx__ctdl_fail(
            x, v,
            "unknown @context '%s'; expected "
            "https://credreg.net/ctdl/schema/context/json or "
            "https://credreg.net/ctdlasn/schema/context/json (or their http forms)",
            v->text);
    return CX_OK;
}

int cx__ctdl_check_contexts(ctdl *x, const cx_ynode *n)
{
    int rc = CX_OK;
    if (n->kind == CX_YSCALAR) {
        if (!n->plain && strncmp(n->text, "urn:ctid:", 9) == 0)
            return cx__ctdl_fail(
                x, n, "the legacy CTID form '%s'; a CTID is written 'ce-' and a UUID", n->text);
        return CX_OK;
    }
    for (size_t i = 0; i < n->count && !rc; i++) {
        if (n->kind == CX_YMAP && strcmp(n->keys[i]->text, "@context") == 0)
            rc = check_context(x, n->items[i]);
        else
            rc = cx__ctdl_check_contexts(x, n->items[i]);
    }
    return rc;
}

/* ------------------------------------------------------------------ ids */

int cx__ctdl_ctid(const char *s, char out[40])
{
    static const int groups[] = {8, 4, 4, 4, 12};
    if (strncasecmp(s, "ce-", 3) != 0) return -1;
    const char *p = s + 3;
    for (size_t g = 0; g < CX_COUNT(groups); g++) {
        for (int i = 0; i < groups[g]; i++, p++)
            if (!isxdigit((unsigned char)*p)) return -1;
        if (g + 1 < CX_COUNT(groups) && *p++ != '-') return -1;
    }
    if (*p) return -1;
    for (size_t i = 0; i < 39; i++) out[i] = (char)tolower((unsigned char)s[i]);
    out[39] = '\0';
    return 0;
}

/* The CTID a registry IRI ends in (.../resources/ce-... or .../graph/ce-...,
 * any host): 1 with out filled, 0 when iri is no such IRI. */
static int registry_ctid(const char *iri, char out[40])
{
    static const char *const marks[] = {"/resources/", "/graph/"};
    for (size_t i = 0; i < CX_COUNT(marks); i++) {
        const char *p = strstr(iri, marks[i]);
        if (p && strstr(iri, "://") && cx__ctdl_ctid(p + strlen(marks[i]), out) == 0) return 1;
    }
    return 0;
}

/* 1 when s is a credex id as it stands (docs/catalog.md). */
static int plain_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > MAX_ID_LEN || !isalnum((unsigned char)s[0])) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("._:+-", s[i])) return 0;
    return 1;
}

/* "x-" and the first 20 hex digits of SHA-256 over the IRI's bytes. */
static const char *hashed_id(ctdl *x, const char *iri)
{
    char hex[65], id[23];
    cx__sha256_hex(iri, strlen(iri), hex);
    snprintf(id, sizeof id, "x-%.20s", hex);
    return cx__ydoc_strdup(x->out, id);
}

static const char *joined(ctdl *x, const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *s = cx__ydoc_alloc(x->out, na + nb + 2);
    if (!s) return NULL;
    memcpy(s, a, na);
    s[na] = '+';
    memcpy(s + na + 1, b, nb + 1);
    return s;
}

/* A blank node or an embedded object without a CTID: <document ctid>+label. */
static int derived_id(ctdl *x, const cx_ynode *at, const char *label, const char **id)
{
    if (!x->doc_ctid)
        return cx__ctdl_fail(x, at,
                             "a blank node or embedded object in a document without a CTID; "
                             "credex names it after its document's CTID");
    char hex[65];
    if (!plain_id(label)) { /* a label credex cannot use as it is */
        cx__sha256_hex(label, strlen(label), hex);
        hex[20] = '\0';
        label = hex;
    }
    *id = joined(x, x->doc_ctid, label);
    return *id ? CX_OK : cx__error(x->err, CX_ENOMEM, x->file, 0, 0, "out of memory");
}

static int iri_id(ctdl *x, const cx_ynode *at, const char *iri, const char **id, const char **src)
{
    char ctid[40];
    const char *mapped = cx__strmap_get(&x->id_map, iri);
    *src = NULL;
    if (mapped) {
        *id = cx__ydoc_strdup(x->out, mapped);
        return *id ? CX_OK : cx__error(x->err, CX_ENOMEM, x->file, 0, 0, "out of memory");
    }
    const cx_ynode *node = cx__ctdl_node(x, iri); /* a node of this document with a CTID */
    const cx_ynode *own = node ? cx__ymap_get(node, "ceterms:ctid") : NULL;
    if (own && own->kind == CX_YSCALAR && cx__ctdl_ctid(own->text, ctid) == 0)
        *id = cx__ydoc_strdup(x->out, ctid);
    else if (strncmp(iri, "_:", 2) == 0)
        return derived_id(x, at, iri + 2, id);
    else if (registry_ctid(iri, ctid) || cx__ctdl_ctid(iri, ctid) == 0)
        *id = cx__ydoc_strdup(x->out, ctid);
    else if (plain_id(iri))
        *id = cx__ydoc_strdup(x->out, iri);
    else
        *id = hashed_id(x, *src = iri);
    return *id ? CX_OK : cx__error(x->err, CX_ENOMEM, x->file, 0, 0, "out of memory");
}

int cx__ctdl_ref(ctdl *x, const cx_ynode *ref, const char **id, const char **iri)
{
    char ctid[40];
    *id = *iri = NULL;
    if (ref->kind == CX_YSCALAR) {
        if (ref->plain) return cx__ctdl_fail(x, ref, "expected a reference, found %s", ref->text);
        return iri_id(x, ref, ref->text, id, iri);
    }
    if (ref->kind != CX_YMAP)
        return cx__ctdl_fail(x, ref, "expected a reference (an IRI or an object), found a list");
    const cx_ynode *own = cx__ymap_get(ref, "ceterms:ctid");
    const cx_ynode *at = cx__ymap_get(ref, "@id");
    if (at && at->kind == CX_YSCALAR && cx__strmap_get(&x->id_map, at->text))
        return iri_id(x, at, at->text, id, iri);
    if (own && own->kind == CX_YSCALAR) {
        char of_iri[40];
        if (cx__ctdl_ctid(own->text, ctid) != 0)
            return cx__ctdl_fail(x, own, "invalid CTID '%s': expected 'ce-' and a UUID", own->text);
        if (at && at->kind == CX_YSCALAR && registry_ctid(at->text, of_iri) &&
            strcmp(of_iri, ctid) != 0)
            return cx__ctdl_fail(x, own, "CTID '%s' differs from the one of its @id '%s'",
                                 own->text, at->text);
        *id = cx__ydoc_strdup(x->out, ctid);
        return *id ? CX_OK : cx__error(x->err, CX_ENOMEM, x->file, 0, 0, "out of memory");
    }
    if (at && at->kind == CX_YSCALAR && !at->plain) return iri_id(x, at, at->text, id, iri);
    char hex[65]; /* an embedded object without an id: named by its place */
    cx__sha256_hex(ref->where, strlen(ref->where), hex);
    hex[20] = '\0';
    return derived_id(x, ref, hex, id);
}

const cx_ynode *cx__ctdl_node(const ctdl *x, const char *iri)
{
    for (size_t i = 0; i < x->nnodes; i++) {
        const cx_ynode *at = cx__ymap_get(x->nodes[i], "@id");
        if (at && at->kind == CX_YSCALAR && strcmp(at->text, iri) == 0) return x->nodes[i];
    }
    return NULL;
}

/* --------------------------------------------------------------- id map */

/* One field of an id-map row at *p, cut in place (quotes undone); *p is
 * left after it. NULL for a stray or unterminated quote. */
static char *id_map_field(char **p)
{
    char *s = *p, *out = s;
    if (*s != '"') {
        *p = s + strcspn(s, ",");
        return s;
    }
    for (char *q = s + 1;; q++) {
        if (!*q) return NULL;
        if (*q == '"' && q[1] == '"') {
            *out++ = '"';
            q++;
        } else if (*q == '"') {
            *p = q + 1;
            if (**p && **p != ',') return NULL;
            break;
        } else {
            *out++ = *q;
        }
    }
    *out = '\0';
    return s;
}

/* One row (line lineno, NUL-terminated, without its line end) into the map. */
static int id_map_row(ctdl *x, const char *path, int lineno, char *line)
{
    char *p = line, *fields[3] = {NULL, NULL, NULL};
    int n = 0;
    for (; n < 3; n++) {
        if (!(fields[n] = id_map_field(&p)))
            return cx__error(x->err, CX_EINPUT, path, lineno, 0,
                             "a quote that does not close a quoted field");
        if (!*p) break;
        *p++ = '\0';
    }
    if (n != 1)
        return cx__error(x->err, CX_EINPUT, path, lineno, 0,
                         "expected two fields, an IRI and its id");
    if (lineno == 1)
        return strcmp(fields[0], "iri") == 0 && strcmp(fields[1], "id") == 0
                   ? CX_OK
                   : cx__error(x->err, CX_EINPUT, path, 1, 0, "expected the header 'iri,id'");
    if (!*fields[0]) return cx__error(x->err, CX_EINPUT, path, lineno, 0, "an empty IRI");
    if (!plain_id(fields[1]))
        return cx__error(x->err, CX_EINPUT, path, lineno, 0,
                         "invalid id '%s': expected letters, digits and . _ : + - (starting "
                         "with a letter or digit, at most %d characters)",
                         fields[1], MAX_ID_LEN);
    int rc = cx__strmap_put(&x->id_map, fields[0], fields[1], NULL);
    if (rc < 0) return cx__error(x->err, CX_ENOMEM, path, lineno, 0, "out of memory");
    if (rc == 1)
        return cx__error(x->err, CX_EINPUT, path, lineno, 0, "the IRI '%s' is given twice",
                         fields[0]);
    return CX_OK;
}

int cx__ctdl_read_id_map(ctdl *x, const char *path)
{
    size_t len;
    int rc = cx__yread_file_limited(path, x->opts->limits, &x->id_map_text, &len, x->err);
    if (rc) return rc;
    char *p = x->id_map_text;
    if (memchr(p, '\0', len)) return cx__error(x->err, CX_EINPUT, path, 0, 0, "a NUL byte");
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
    for (int lineno = 1; *p && !rc; lineno++) {
        char *end = p + strcspn(p, "\n");
        char *next = *end ? end + 1 : end;
        if (end > p && end[-1] == '\r') end--;
        *end = '\0';
        if (*p || lineno == 1) rc = id_map_row(x, path, lineno, p);
        p = next;
    }
    return rc;
}

/* -------------------------------------------------------- language maps */

/* The length of a tag's primary subtag. */
static size_t primary(const char *tag)
{
    size_t n = strcspn(tag, "-_");
    return n;
}

const cx_ynode *cx__ctdl_lang(const ctdl *x, const cx_ynode *v)
{
    if (!v || v->kind != CX_YMAP || v->count == 0) return v;
    const char *want = x->opts->lang ? x->opts->lang : "en-US";
    size_t best = v->count;
    int rank = 5; /* 1 exact, 2 any case, 3 primary subtag, 4 smallest key */
    for (size_t i = 0; i < v->count; i++) {
        const char *k = v->keys[i]->text;
        int r = strcmp(k, want) == 0                                                   ? 1
                : strcasecmp(k, want) == 0                                             ? 2
                : primary(k) == primary(want) && strncasecmp(k, want, primary(k)) == 0 ? 3
                                                                                       : 4;
        if (r < rank || (r == rank && strcmp(k, v->keys[best]->text) < 0)) {
            rank = r;
            best = i;
        }
    }
    return v->items[best];
}

const char *cx__ctdl_text(const ctdl *x, const cx_ynode *v)
{
    v = cx__ctdl_lang(x, v);
    if (!v || v->kind != CX_YSCALAR || v->plain || v->len == 0) return NULL;
    return v->text;
}
