/*
 * compile_tree.c -- reading the rule tree the sandbox hands over (docs/
 * rule-tree.md) for the compiler: diagnostics, every field checked by
 * name and type, values (numbers, dates, durations, ranges) and ids
 * resolved against the registry snapshot with "did you mean". It builds
 * no plan itself.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile_int.h"

/* ------------------------------------------------------------ diagnostics */

void cx_diagnostics_init(cx_diagnostics *d)
{
    memset(d, 0, sizeof *d);
}

void cx_diagnostics_free(cx_diagnostics *d)
{
    if (!d) return;
    free(d->items);
    cx_diagnostics_init(d);
}

const cx_diagnostic *cx__diagnostics_vadd(cx_diagnostics *d, int warning, const char *file,
                                          int line, const char *fmt, va_list ap)
{
    cx_diagnostic *g = NULL;
    if (d->count == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        cx_diagnostic *items = realloc(d->items, cap * sizeof *items);
        if (items) {
            d->items = items;
            d->cap = cap;
        }
    }
    if (d->count < d->cap) { /* else the count below still says it happened */
        g = &d->items[d->count++];
        g->warning = warning;
        g->line = line;
        snprintf(g->file, sizeof g->file, "%s", file ? file : "");
        vsnprintf(g->message, sizeof g->message, fmt, ap);
    }
    if (warning)
        d->warnings++;
    else
        d->errors++;
    return g;
}

static void vreport(compiler *c, int warning, const char *file, int line, const char *fmt,
                    va_list ap)
{
    int first = !warning && !c->diags->errors;
    const cx_diagnostic *g = cx__diagnostics_vadd(c->diags, warning, file, line, fmt, ap);
    if (g && first && c->first) cx__error(c->first, CX_EINPUT, g->file, line, 0, "%s", g->message);
}

/* An error at node n (its file and line). */
void cx__compile_error(compiler *c, const cx_tnode *n, const char *fmt, ...) CX_PRINTF(3, 4);
void cx__compile_error(compiler *c, const cx_tnode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(c, 0, n && n->file ? n->file : c->file, n ? n->line : 0, fmt, ap);
    va_end(ap);
}

void cx__compile_warning(compiler *c, const cx_src *src, const char *fmt, ...) CX_PRINTF(3, 4);
void cx__compile_warning(compiler *c, const cx_src *src, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(c, 1, src->file, src->line, fmt, ap);
    va_end(ap);
}

/* --------------------------------------------------------- tree helpers */

static void join(cx_buf *b, const char *const *names)
{
    for (size_t i = 0; names[i]; i++) {
        if (i) cx__buf_puts(b, ", ");
        cx__buf_puts(b, names[i]);
    }
}

/* Checks that a table's named fields are all in allowed (internal _t is
 * skipped), and whether it may have a list part. An unknown field is an
 * error naming the expected ones and the nearest. Returns 0 when fine. */
int cx__compile_fields(compiler *c, const cx_tnode *n, const char *what, const char *const *allowed,
                       int list_ok)
{
    int bad = 0;
    if (n->kind != CX_TMAP && n->kind != CX_TLIST) {
        cx__compile_error(c, n, "%s: expected a table, found %s", what, kind_name(n));
        return 1;
    }
    if (!list_ok && n->as.table.nitems) {
        cx__compile_error(c, n, "%s: unexpected list items; give named fields only", what);
        bad = 1;
    }
    for (size_t i = 0; n->kind == CX_TMAP && i < n->as.table.nfields; i++) {
        const char *key = n->as.table.fields[i].key;
        size_t k = 0;
        if (strcmp(key, "_t") == 0) continue;
        while (allowed[k] && strcmp(allowed[k], key) != 0) k++;
        if (allowed[k]) continue;
        size_t count = 0;
        while (allowed[count]) count++;
        const char *near = cx_nearest(key, allowed, count);
        cx_buf b;
        cx__buf_init(&b);
        join(&b, allowed);
        const cx_tnode *v = n->as.table.fields[i].value;
        cx__compile_error(c, v->line ? v : n, "unknown field '%s' in %s%s%s%s; expected one of: %s",
                          key, what, near ? " (did you mean '" : "", near ? near : "",
                          near ? "'?)" : "", b.data ? b.data : "");
        cx__buf_free(&b);
        bad = 1;
    }
    return bad;
}

/* A required or optional string field; NULL (and an error when required)
 * when absent or not a string. */
const char *cx__compile_string(compiler *c, const cx_tnode *n, const char *key, const char *what,
                               int required)
{
    const cx_tnode *v = field(n, key);
    if (!v) {
        if (required) cx__compile_error(c, n, "%s: '%s' is required", what, key);
        return NULL;
    }
    if (v->kind != CX_TSTRING || v->as.string.len == 0) {
        cx__compile_error(c, v, "%s: '%s' must be a non-empty string, found %s", what, key,
                          kind_name(v));
        return NULL;
    }
    if (strlen(v->as.string.bytes) != v->as.string.len) {
        cx__compile_error(c, v, "%s: '%s' contains a NUL byte", what, key);
        return NULL;
    }
    return v->as.string.bytes;
}

int cx__compile_flag(compiler *c, const cx_tnode *n, const char *key, const char *what, int *out)
{
    const cx_tnode *v = field(n, key);
    *out = 0;
    if (!v) return 0;
    if (v->kind != CX_TBOOL) {
        cx__compile_error(c, v, "%s: '%s' must be true or false, found %s", what, key,
                          kind_name(v));
        return 1;
    }
    *out = v->as.boolean;
    return 0;
}

/* A catalog number (docs/design.md §3) from a Lua number: non-negative, at most
 * two decimals, held as hundredths. */
int cx__compile_number(compiler *c, const cx_tnode *v, const char *what, int64_t *out)
{
    if (v->kind == CX_TINT && v->as.integer >= 0 && v->as.integer < 10000000000000LL) {
        *out = v->as.integer * 100;
        return 0;
    }
    if (v->kind == CX_TFLOAT && v->as.number >= 0 && v->as.number < 1e13) {
        double h = v->as.number * 100.0;
        int64_t r = (int64_t)(h + 0.5);
        if (r - h < 1e-6 && h - r < 1e-6) {
            *out = r;
            return 0;
        }
    }
    cx__compile_error(
        c, v, "%s: expected a number with at most two decimals, not negative, found %s", what,
        v->kind == CX_TINT || v->kind == CX_TFLOAT ? "another number" : kind_name(v));
    return 1;
}

static int date_value(compiler *c, const cx_tnode *v, const char *what, cx_date *out)
{
    const char *why = "expected a date as \"YYYY-MM-DD\"";
    if (v->kind == CX_TSTRING && cx__date_parse(v->as.string.bytes, out, &why) == 0) return 0;
    cx__compile_error(c, v, "%s: invalid date%s%s%s: %s", what, v->kind == CX_TSTRING ? " '" : "",
                      v->kind == CX_TSTRING ? v->as.string.bytes : "",
                      v->kind == CX_TSTRING ? "'" : "", why);
    return 1;
}

int cx__compile_duration(compiler *c, const cx_tnode *v, const char *what, cx_duration *out)
{
    const char *why = "expected an ISO 8601 duration such as \"P5Y\"";
    if (v->kind == CX_TSTRING && cx__duration_parse(v->as.string.bytes, out, &why) == 0) return 0;
    cx__compile_error(
        c, v, "%s: invalid duration%s%s%s: %s", what, v->kind == CX_TSTRING ? " '" : "",
        v->kind == CX_TSTRING ? v->as.string.bytes : "", v->kind == CX_TSTRING ? "'" : "", why);
    return 1;
}

/* A { from = DATE, to = DATE } range (effective), or also { DATE, DATE }
 * when list_ok (issued_between). Open ends stay open. */
int cx__compile_range(compiler *c, const cx_tnode *v, const char *what, int list_ok, cx_range *out)
{
    static const char *const keys[] = {"from", "to", NULL};
    out->from = INT32_MIN;
    out->to = CX_DATE_NEVER;
    if (cx__compile_fields(c, v, what, keys, list_ok)) return 1;
    const cx_tnode *from = field(v, "from"), *to = field(v, "to");
    if (nitems(v)) {
        if (nitems(v) != 2 || from || to) {
            cx__compile_error(c, v, "%s: expected { \"FROM\", \"TO\" } or { from = ..., to = ... }",
                              what);
            return 1;
        }
        from = item(v, 0);
        to = item(v, 1);
    }
    int bad = from && date_value(c, from, what, &out->from); /* both: both errors said */
    bad |= to && date_value(c, to, what, &out->to);
    if (!bad && out->to < out->from) {
        cx__compile_error(c, v, "%s: the range ends before it starts", what);
        bad = 1;
    }
    return bad;
}

/* ------------------------------------------------------------ resolution */

/* The nearest id of a kind in the snapshot, for "did you mean". */
const char *cx__compile_nearest(compiler *c, cx_kind kind, const char *id)
{
    return cx__snapshot_nearest(c->snap, (int)kind, id);
}

/* Resolves a string node naming an entity of kind; CX_NOSYM and an error
 * (with the nearest id) when the registry has none. */
uint32_t cx__compile_resolve(compiler *c, const cx_tnode *v, cx_kind kind, const char *what)
{
    if (v->kind != CX_TSTRING) {
        cx__compile_error(c, v, "%s: expected a %s id in quotes, found %s", what,
                          cx_kind_name(kind), kind_name(v));
        return CX_NOSYM;
    }
    uint32_t sym = cx__snapshot_find(c->snap, kind, v->as.string.bytes);
    if (sym != CX_NOSYM) return sym;
    const char *near = cx__compile_nearest(c, kind, v->as.string.bytes);
    if (near)
        cx__compile_error(c, v, "%s: unknown %s '%s'; did you mean '%s'?", what, cx_kind_name(kind),
                          v->as.string.bytes, near);
    else
        cx__compile_error(c, v, "%s: unknown %s '%s'; it is not in the registry", what,
                          cx_kind_name(kind), v->as.string.bytes);
    return CX_NOSYM;
}
