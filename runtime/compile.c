/*
 * compile.c -- the rule tree (docs/rule-tree.md, handed over by the
 * sandbox) into plans (compile.h): every field checked by name and type,
 * every id resolved against the registry snapshot with "did you mean",
 * every regex compiled once, rule ids assigned and checked for duplicates,
 * stack dependencies checked for cycles. It reads the neutral tree only:
 * no Lua stack, no SQL. Errors are collected, not fatal, so `credex check`
 * reports them all.
 */
#include "compile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sandbox.h"
#include "snapshot.h"
#include "util.h"

struct cx_rules {
    cx_arena arena;        /* every plan, string and array */
    cx_sandbox *sandbox;   /* the state the packs were loaded in */
    cx_snapshot *snapshot; /* the registry the plans refer to (owned) */
    cx_pack_info *packs;
    size_t npacks;
    cx_rule **rules; /* in load order */
    size_t nrules, caprules;
    cx_rule **stacks; /* stacks only, in dependency order */
    size_t nstacks;
    cx_rule **by_id;  /* every rule, sorted by id */
    cx_rule **equivs; /* the equivalence family (counts_as, equivalent, equivalence), by id */
    size_t nequivs;
    uint64_t *equiv_to; /* credentials some equivalence rule can make another count as */

    /* credex test --coverage's observer, or NULL (cx__rules_set_coverage) */
    const cx_coverage *coverage;

    atomic_bool in_use; /* a public call is deciding with these rules (cx__rules_enter) */
};

/* The state of one compilation. */
typedef struct compiler {
    cx_rules *rs;
    const cx_snapshot *snap;
    cx_diagnostics *diags; /* never NULL here: a private one when the caller gave none */
    cx_error *first;       /* the first error, for the caller */
    int pack;              /* the pack being compiled */
    const char *file;      /* its path */
    size_t words;          /* uint64 words in a credential set */
    cx_strmap rule_ids;    /* rule id -> cx_src* of its definition */
    cx_strmap content_ids; /* generated id -> count, for #2, #3 */
    int stack_index;       /* preorder counter within a stack */
} compiler;

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

static void vreport(compiler *c, int warning, const char *file, int line, const char *fmt,
                    va_list ap)
{
    cx_diagnostics *d = c->diags;
    if (d->count == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        cx_diagnostic *items = realloc(d->items, cap * sizeof *items);
        if (!items) return; /* the count below still says an error happened */
        d->items = items;
        d->cap = cap;
    }
    cx_diagnostic *g = &d->items[d->count++];
    g->warning = warning;
    g->line = line;
    snprintf(g->file, sizeof g->file, "%s", file ? file : "");
    vsnprintf(g->message, sizeof g->message, fmt, ap);
    if (warning) {
        d->warnings++;
    } else {
        if (!d->errors && c->first)
            cx__error(c->first, CX_EINPUT, g->file, line, 0, "%s", g->message);
        d->errors++;
    }
}

/* An error at node n (its file and line). */
static void error_at(compiler *c, const cx_tnode *n, const char *fmt, ...) CX_PRINTF(3, 4);
static void error_at(compiler *c, const cx_tnode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(c, 0, n && n->file ? n->file : c->file, n ? n->line : 0, fmt, ap);
    va_end(ap);
}

static void warning_at(compiler *c, const cx_src *src, const char *fmt, ...) CX_PRINTF(3, 4);
static void warning_at(compiler *c, const cx_src *src, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(c, 1, src->file, src->line, fmt, ap);
    va_end(ap);
}

static cx_src src_of(const compiler *c, const cx_tnode *n)
{
    cx_src s = {n && n->file ? n->file : c->file, n ? n->line : 0};
    return s;
}

/* --------------------------------------------------------- tree helpers */

static const char *kind_name(const cx_tnode *n)
{
    switch (n->kind) {
    case CX_TNIL:
        return "nil";
    case CX_TBOOL:
        return "a boolean";
    case CX_TINT:
    case CX_TFLOAT:
        return "a number";
    case CX_TSTRING:
        return "a string";
    case CX_TLIST:
        return "a list";
    case CX_TMAP:
        return "a table";
    case CX_TFUNC:
        return "a function";
    }
    return "a value";
}

/* The constructor a node was made by (its _t), or NULL. */
static const char *ctor_of(const cx_tnode *n)
{
    const cx_tnode *t = n && n->kind == CX_TMAP ? cx__tnode_field(n, "_t") : NULL;
    return t && t->kind == CX_TSTRING ? t->as.string.bytes : NULL;
}

static const cx_tnode *field(const cx_tnode *n, const char *key)
{
    return n && n->kind == CX_TMAP ? cx__tnode_field(n, key) : NULL;
}

static size_t nitems(const cx_tnode *n)
{
    return n && (n->kind == CX_TLIST || n->kind == CX_TMAP) ? n->as.table.nitems : 0;
}

static const cx_tnode *item(const cx_tnode *n, size_t i)
{
    return n->as.table.items[i];
}

static char *dup(compiler *c, const char *s)
{
    return s ? cx__arena_strdup(&c->rs->arena, s) : NULL;
}

static void *alloc(compiler *c, size_t size)
{
    void *p = cx__arena_alloc(&c->rs->arena, size ? size : 1);
    if (p) memset(p, 0, size ? size : 1);
    return p;
}

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
static int check_fields(compiler *c, const cx_tnode *n, const char *what,
                        const char *const *allowed, int list_ok)
{
    int bad = 0;
    if (n->kind != CX_TMAP && n->kind != CX_TLIST) {
        error_at(c, n, "%s: expected a table, found %s", what, kind_name(n));
        return 1;
    }
    if (!list_ok && n->as.table.nitems) {
        error_at(c, n, "%s: unexpected list items; give named fields only", what);
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
        error_at(c, v->line ? v : n, "unknown field '%s' in %s%s%s%s; expected one of: %s", key,
                 what, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "",
                 b.data ? b.data : "");
        cx__buf_free(&b);
        bad = 1;
    }
    return bad;
}

/* A required or optional string field; NULL (and an error when required)
 * when absent or not a string. */
static const char *string_field(compiler *c, const cx_tnode *n, const char *key, const char *what,
                                int required)
{
    const cx_tnode *v = field(n, key);
    if (!v) {
        if (required) error_at(c, n, "%s: '%s' is required", what, key);
        return NULL;
    }
    if (v->kind != CX_TSTRING || v->as.string.len == 0) {
        error_at(c, v, "%s: '%s' must be a non-empty string, found %s", what, key, kind_name(v));
        return NULL;
    }
    if (strlen(v->as.string.bytes) != v->as.string.len) {
        error_at(c, v, "%s: '%s' contains a NUL byte", what, key);
        return NULL;
    }
    return v->as.string.bytes;
}

/* A catalog number (docs/design.md §3) from a Lua number: non-negative, at most
 * two decimals, held as hundredths. */
static int number_value(compiler *c, const cx_tnode *v, const char *what, int64_t *out)
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
    error_at(c, v, "%s: expected a number with at most two decimals, not negative, found %s", what,
             v->kind == CX_TINT || v->kind == CX_TFLOAT ? "another number" : kind_name(v));
    return 1;
}

static int date_value(compiler *c, const cx_tnode *v, const char *what, cx_date *out)
{
    const char *why = "expected a date as \"YYYY-MM-DD\"";
    if (v->kind == CX_TSTRING && cx__date_parse(v->as.string.bytes, out, &why) == 0) return 0;
    error_at(c, v, "%s: invalid date%s%s%s: %s", what, v->kind == CX_TSTRING ? " '" : "",
             v->kind == CX_TSTRING ? v->as.string.bytes : "", v->kind == CX_TSTRING ? "'" : "",
             why);
    return 1;
}

static int duration_value(compiler *c, const cx_tnode *v, const char *what, cx_duration *out)
{
    const char *why = "expected an ISO 8601 duration such as \"P5Y\"";
    if (v->kind == CX_TSTRING && cx__duration_parse(v->as.string.bytes, out, &why) == 0) return 0;
    error_at(c, v, "%s: invalid duration%s%s%s: %s", what, v->kind == CX_TSTRING ? " '" : "",
             v->kind == CX_TSTRING ? v->as.string.bytes : "", v->kind == CX_TSTRING ? "'" : "",
             why);
    return 1;
}

/* A { from = DATE, to = DATE } range (effective), or also { DATE, DATE }
 * when list_ok (issued_between). Open ends stay open. */
static int range_value(compiler *c, const cx_tnode *v, const char *what, int list_ok, cx_range *out)
{
    static const char *const keys[] = {"from", "to", NULL};
    out->from = INT32_MIN;
    out->to = CX_DATE_NEVER;
    if (check_fields(c, v, what, keys, list_ok)) return 1;
    const cx_tnode *from = field(v, "from"), *to = field(v, "to");
    if (nitems(v)) {
        if (nitems(v) != 2 || from || to) {
            error_at(c, v, "%s: expected { \"FROM\", \"TO\" } or { from = ..., to = ... }", what);
            return 1;
        }
        from = item(v, 0);
        to = item(v, 1);
    }
    int bad =
        (from && date_value(c, from, what, &out->from)) | (to && date_value(c, to, what, &out->to));
    if (!bad && out->to < out->from) {
        error_at(c, v, "%s: the range ends before it starts", what);
        bad = 1;
    }
    return bad;
}

/* ------------------------------------------------------------ resolution */

/* The nearest id of a kind in the snapshot, for "did you mean". */
static const char *nearest_id(compiler *c, cx_kind kind, const char *id)
{
    return cx__snapshot_nearest(c->snap, (int)kind, id);
}

/* Resolves a string node naming an entity of kind; CX_NOSYM and an error
 * (with the nearest id) when the registry has none. */
static uint32_t resolve(compiler *c, const cx_tnode *v, cx_kind kind, const char *what)
{
    if (v->kind != CX_TSTRING) {
        error_at(c, v, "%s: expected a %s id in quotes, found %s", what, cx_kind_name(kind),
                 kind_name(v));
        return CX_NOSYM;
    }
    uint32_t sym = cx__snapshot_find(c->snap, kind, v->as.string.bytes);
    if (sym != CX_NOSYM) return sym;
    const char *near = nearest_id(c, kind, v->as.string.bytes);
    if (near)
        error_at(c, v, "%s: unknown %s '%s'; did you mean '%s'?", what, cx_kind_name(kind),
                 v->as.string.bytes, near);
    else
        error_at(c, v, "%s: unknown %s '%s'; it is not in the registry", what, cx_kind_name(kind),
                 v->as.string.bytes);
    return CX_NOSYM;
}

/* 1 when the ascending symbol array v of n holds sym. */
static int has_sym(const cx_sym *v, uint32_t n, cx_sym sym)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (v[mid] == sym) return 1;
        if (v[mid] < sym)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* ------------------------------------------------------- credential sets */

static uint64_t *new_set(compiler *c)
{
    return alloc(c, c->words * sizeof(uint64_t));
}

static void set_add(uint64_t *set, uint32_t sym)
{
    set[sym / 64] |= (uint64_t)1 << (sym % 64);
}

static int set_empty(const compiler *c, const uint64_t *set)
{
    for (size_t i = 0; i < c->words; i++)
        if (set[i]) return 0;
    return 1;
}

/* The credentials whose property matches, for one selector or slot kind. */
static uint64_t *credentials_where(compiler *c, const char *ctor, const cx_tnode *n,
                                   const char *what)
{
    uint64_t *set = new_set(c);
    size_t count = cx__snapshot_count(c->snap, CX_KIND_CREDENTIAL);
    if (!set) return NULL;
    if (strcmp(ctor, "any_credential") == 0) {
        for (uint32_t s = 0; s < count; s++) set_add(set, s);
        return set;
    }
    if (strcmp(ctor, "matching") == 0) {
        const char *pattern = string_field(c, n, "pattern", what, 1);
        const cx_regex *re;
        cx_error err;
        if (!pattern) return set;
        if (cx__regex_cached(pattern, strlen(pattern), &re, &err) != CX_OK) {
            error_at(c, field(n, "pattern"), "%s: %s", what, err.message);
            return NULL;
        }
        for (uint32_t s = 0; s < count; s++) {
            const char *id = cx__snapshot_id(c->snap, CX_KIND_CREDENTIAL, s);
            int m = cx__regex_test(re, id, strlen(id), &err);
            if (m < 0) {
                error_at(c, field(n, "pattern"), "%s: %s", what, err.message);
                return NULL;
            }
            if (m) set_add(set, s);
        }
        return set;
    }
    if (strcmp(ctor, "tagged") == 0) {
        const char *tag = string_field(c, n, "tag", what, 1);
        cx_sym t = tag ? cx__snapshot_find(c->snap, CX_SNAP_TAG, tag) : CX_NOSYM;
        for (uint32_t s = 0; t != CX_NOSYM && s < count; s++)
            if (has_sym(c->snap->credentials[s].tags, c->snap->credentials[s].ntags, t))
                set_add(set, s);
        return set;
    }
    if (strcmp(ctor, "competency") == 0) {
        const cx_tnode *v = field(n, "id");
        uint32_t k = v ? resolve(c, v, CX_KIND_COMPETENCY, what) : CX_NOSYM;
        if (!v) error_at(c, n, "%s: 'id' is required", what);
        for (uint32_t s = 0; k != CX_NOSYM && s < count; s++)
            if (has_sym(c->snap->credentials[s].competencies, c->snap->credentials[s].ncompetencies,
                        k))
                set_add(set, s);
        return set;
    }
    if (strcmp(ctor, "from_provider") == 0) {
        const cx_tnode *v = field(n, "id");
        uint32_t p = v ? resolve(c, v, CX_KIND_PROVIDER, what) : CX_NOSYM;
        for (uint32_t s = 0; p != CX_NOSYM && s < count; s++)
            if (c->snap->credentials[s].provider == p) set_add(set, s);
        return set;
    }
    if (strcmp(ctor, "type_is") == 0) {
        const char *type = string_field(c, n, "type", what, 1);
        for (uint32_t s = 0; type && s < count; s++)
            if (strcmp(c->snap->credentials[s].type, type) == 0) set_add(set, s);
        return set;
    }
    return set;
}

/* ------------------------------------------------------------- selectors */

static const char *const selector_ctors[] = {"matching", "tagged",         "from_provider",
                                             "type_is",  "any_credential", "any_of",
                                             "all_of",   "issued_between", NULL};

/* Renders a selector or requirement the way it was written, for traces
 * and `missing`: matching "^M[YZ]$", hours(100, any_credential). */
static void render(cx_buf *b, const cx_tnode *n, int depth);

static void render_string(cx_buf *b, const cx_tnode *n)
{
    cx__buf_printf(b, "\"%s\"", n->kind == CX_TSTRING ? n->as.string.bytes : "?");
}

static void render_items(cx_buf *b, const cx_tnode *n, int depth)
{
    cx__buf_puts(b, "{ ");
    for (size_t i = 0; i < nitems(n); i++) {
        if (i) cx__buf_puts(b, ", ");
        render(b, item(n, i), depth + 1);
    }
    cx__buf_puts(b, nitems(n) ? " }" : "}");
}

static void render_number(cx_buf *b, const cx_tnode *n)
{
    if (n && n->kind == CX_TINT)
        cx__buf_printf(b, "%lld", (long long)n->as.integer);
    else if (n && n->kind == CX_TFLOAT)
        cx__buf_printf(b, "%.15g", n->as.number);
    else
        cx__buf_puts(b, "?");
}

static void render(cx_buf *b, const cx_tnode *n, int depth)
{
    const char *ctor = ctor_of(n);
    if (depth > 8) {
        cx__buf_puts(b, "...");
        return;
    }
    if (n->kind == CX_TSTRING) {
        render_string(b, n);
        return;
    }
    if (!ctor) {
        render_items(b, n, depth);
        return;
    }
    static const struct {
        const char *ctor, *field;
    } one_arg[] = {{"credential", "id"},  {"matching", "pattern"}, {"tagged", "tag"},
                   {"competency", "id"},  {"from_provider", "id"}, {"type_is", "type"},
                   {"member_of", "group"}};
    for (size_t i = 0; i < CX_COUNT(one_arg); i++)
        if (strcmp(ctor, one_arg[i].ctor) == 0) {
            const cx_tnode *v = field(n, one_arg[i].field);
            cx__buf_printf(b, "%s ", ctor);
            if (v) render_string(b, v);
            return;
        }
    if (strcmp(ctor, "any_credential") == 0) {
        cx__buf_puts(b, "any_credential");
    } else if (strcmp(ctor, "hours") == 0) {
        cx__buf_puts(b, "hours(");
        render_number(b, field(n, "n"));
        cx__buf_puts(b, ", ");
        if (field(n, "selector")) render(b, field(n, "selector"), depth + 1);
        cx__buf_puts(b, ")");
    } else if (strcmp(ctor, "sum") == 0) {
        cx__buf_puts(b, "sum(");
        if (field(n, "attr")) render_string(b, field(n, "attr"));
        cx__buf_puts(b, ", ");
        render_number(b, field(n, "n"));
        cx__buf_puts(b, ")");
    } else if (strcmp(ctor, "at_least") == 0) {
        cx__buf_puts(b, "at_least(");
        render_number(b, field(n, "n"));
        cx__buf_puts(b, ") ");
        render_items(b, n, depth);
    } else if (strcmp(ctor, "holder_attr") == 0) {
        const cx_tnode *v = field(n, "value");
        cx__buf_puts(b, "holder_attr(");
        if (field(n, "key")) render_string(b, field(n, "key"));
        cx__buf_puts(b, ", ");
        if (field(n, "op")) render_string(b, field(n, "op"));
        cx__buf_puts(b, ", ");
        if (v && v->kind == CX_TSTRING)
            render_string(b, v);
        else
            render_number(b, v);
        cx__buf_puts(b, ")");
    } else if (strcmp(ctor, "check") == 0) {
        cx__buf_printf(b, "check(function at line %d)", field(n, "fn") ? field(n, "fn")->line : 0);
    } else {
        cx__buf_printf(b, "%s ", ctor);
        render_items(b, n, depth);
    }
}

static const char *text_of(compiler *c, const cx_tnode *n)
{
    cx_buf b;
    cx__buf_init(&b);
    render(&b, n, 0);
    const char *s = b.oom ? "?" : dup(c, b.data);
    cx__buf_free(&b);
    return s;
}

/* Compiles a credential selector: its credential set, and the issue dates
 * it accepts. sel is NULL when it is not a selector (an error was given). */
static int selector_into(compiler *c, const cx_tnode *n, const char *what, uint64_t *set,
                         cx_range *issued, int *any_date, int depth);

static int selector_parts(compiler *c, const cx_tnode *n, const char *what, uint64_t *set,
                          cx_range *issued, int *any_date, int depth, int all_of)
{
    int bad = 0, first = 1;
    uint64_t *part = new_set(c);
    if (!part) return 1;
    if (nitems(n) == 0) {
        error_at(c, n, "%s: an empty list selects nothing", what);
        return 1;
    }
    for (size_t i = 0; i < nitems(n); i++) {
        memset(part, 0, c->words * sizeof *part);
        bad |= selector_into(c, item(n, i), what, part, issued, any_date, depth + 1);
        for (size_t w = 0; w < c->words; w++)
            set[w] = all_of ? (first ? part[w] : (set[w] & part[w])) : (set[w] | part[w]);
        first = 0;
    }
    return bad;
}

static int selector_into(compiler *c, const cx_tnode *n, const char *what, uint64_t *set,
                         cx_range *issued, int *any_date, int depth)
{
    static const char *const one[] = {"pattern", "tag", "id", "type", NULL};
    static const char *const none[] = {NULL};
    if (depth > 16) {
        error_at(c, n, "%s: selectors nested too deeply", what);
        return 1;
    }
    if (n->kind == CX_TSTRING) {
        uint32_t s = resolve(c, n, CX_KIND_CREDENTIAL, what);
        if (s == CX_NOSYM) return 1;
        set_add(set, s);
        return 0;
    }
    const char *ctor = ctor_of(n);
    if (!ctor && (n->kind == CX_TLIST || n->kind == CX_TMAP) && !n->as.table.nfields)
        return selector_parts(c, n, what, set, issued, any_date, depth, 0);
    size_t k = 0;
    while (ctor && selector_ctors[k] && strcmp(selector_ctors[k], ctor) != 0) k++;
    if (!ctor || !selector_ctors[k]) {
        error_at(c, n,
                 "%s: expected a credential selector (a credential id, a list, matching, "
                 "tagged, from_provider, type_is, any_credential, any_of, all_of, "
                 "issued_between), found %s",
                 what, ctor ? ctor : kind_name(n));
        return 1;
    }
    if (strcmp(ctor, "any_of") == 0 || strcmp(ctor, "all_of") == 0) {
        if (check_fields(c, n, ctor, none, 1)) return 1;
        return selector_parts(c, n, what, set, issued, any_date, depth,
                              strcmp(ctor, "all_of") == 0);
    }
    if (strcmp(ctor, "issued_between") == 0) {
        cx_range r;
        if (range_value(c, n, "issued_between", 1, &r)) return 1;
        for (uint32_t s = 0; s < cx__snapshot_count(c->snap, CX_KIND_CREDENTIAL); s++)
            set_add(set, s);
        if (!*any_date) { /* two ranges: their intersection */
            if (r.from < issued->from) r.from = issued->from;
            if (r.to > issued->to) r.to = issued->to;
        }
        *issued = r;
        *any_date = 0;
        return 0;
    }
    if (check_fields(c, n, ctor, strcmp(ctor, "any_credential") == 0 ? none : one, 0)) return 1;
    uint64_t *found = credentials_where(c, ctor, n, what);
    if (!found) return 1;
    for (size_t w = 0; w < c->words; w++) set[w] |= found[w];
    return 0;
}

/* A whole selector, as plans keep it; warns when it selects nothing. */
static const cx_selector *selector(compiler *c, const cx_tnode *n, const char *what)
{
    cx_selector *sel = alloc(c, sizeof *sel);
    uint64_t *set = new_set(c);
    if (!sel || !set) return NULL;
    sel->any_date = 1;
    sel->issued.from = INT32_MIN;
    sel->issued.to = CX_DATE_NEVER;
    if (selector_into(c, n, what, set, &sel->issued, &sel->any_date, 0)) return NULL;
    sel->bits = set;
    sel->text = text_of(c, n);
    sel->src = src_of(c, n);
    if (set_empty(c, set))
        warning_at(c, &sel->src, "%s: %s selects no credential in the registry", what, sel->text);
    return sel;
}

/* ------------------------------------------------- jurisdiction selectors */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static const cx_jsel *jsel(compiler *c, const cx_tnode *n, const char *what, int depth)
{
    static const char *const member_keys[] = {"group", "status", NULL};
    static const char *const none[] = {NULL};
    cx_jsel *j = alloc(c, sizeof *j);
    if (!j || depth > 16) {
        if (j) error_at(c, n, "%s: jurisdiction selectors nested too deeply", what);
        return NULL;
    }
    j->src = src_of(c, n);
    j->text = text_of(c, n);
    const char *ctor = ctor_of(n);
    if (n->kind == CX_TSTRING ||
        (!ctor && nitems(n) && !n->as.table.nfields && item(n, 0)->kind == CX_TSTRING)) {
        size_t count = n->kind == CX_TSTRING ? 1 : nitems(n);
        uint32_t *ids = alloc(c, count * sizeof *ids);
        if (!ids) return NULL;
        j->kind = CX_JSEL_IDS;
        for (size_t i = 0; i < count; i++) {
            const cx_tnode *v = n->kind == CX_TSTRING ? n : item(n, i);
            if ((ids[i] = resolve(c, v, CX_KIND_JURISDICTION, what)) == CX_NOSYM) return NULL;
        }
        qsort(ids, count, sizeof *ids, cmp_u32);
        j->ids = ids;
        j->nids = count;
        return j;
    }
    if (ctor && strcmp(ctor, "member_of") == 0) {
        if (check_fields(c, n, "member_of", member_keys, 0)) return NULL;
        const cx_tnode *g = field(n, "group");
        j->kind = CX_JSEL_MEMBER_OF;
        if (!g || (j->group = resolve(c, g, CX_KIND_GROUP, what)) == CX_NOSYM) return NULL;
        j->status = dup(c, string_field(c, n, "status", "member_of", 0));
        return j;
    }
    if (ctor && (strcmp(ctor, "any_of") == 0 || strcmp(ctor, "all_of") == 0)) {
        if (check_fields(c, n, ctor, none, 1)) return NULL;
        const cx_jsel **parts = alloc(c, nitems(n) * sizeof *parts);
        if (!parts || !nitems(n)) {
            if (parts) error_at(c, n, "%s: an empty %s selects nothing", what, ctor);
            return NULL;
        }
        j->kind = strcmp(ctor, "any_of") == 0 ? CX_JSEL_ANY_OF : CX_JSEL_ALL_OF;
        for (size_t i = 0; i < nitems(n); i++)
            if (!(parts[i] = jsel(c, item(n, i), what, depth + 1))) return NULL;
        j->parts = (const cx_jsel *const *)parts;
        j->nparts = nitems(n);
        return j;
    }
    error_at(c, n,
             "%s: expected a jurisdiction selector (a jurisdiction id, a list of them, "
             "member_of \"GROUP\", any_of, all_of), found %s",
             what, ctor ? ctor : kind_name(n));
    return NULL;
}

/* ------------------------------------------------------------ requirements */

static const char *const slot_options[] = {"label", "min_grade", "min_results", NULL};

static const cx_req *requirement(compiler *c, const cx_tnode *n, int depth);

/* The options every slot may carry. */
static int slot_extras(compiler *c, const cx_tnode *n, cx_req *r, const char *what)
{
    const cx_tnode *mr = field(n, "min_results");
    r->min_grade = dup(c, string_field(c, n, "min_grade", what, 0));
    if (!mr) return 0;
    if (mr->kind != CX_TMAP || nitems(mr)) {
        error_at(c, mr,
                 "%s: min_results must be a table of result names and numbers, "
                 "such as { english = 18 }",
                 what);
        return 1;
    }
    cx_min_result *v = alloc(c, mr->as.table.nfields * sizeof *v);
    if (!v) return 1;
    for (size_t i = 0; i < mr->as.table.nfields; i++) {
        v[i].key = dup(c, mr->as.table.fields[i].key);
        if (number_value(c, mr->as.table.fields[i].value, "min_results", &v[i].value)) return 1;
    }
    r->min_results = v;
    r->nmin_results = mr->as.table.nfields;
    return 0;
}

static int slot(compiler *c, const cx_tnode *n, const char *ctor, cx_req *r)
{
    static const char *const id_keys[] = {"id", "label", "min_grade", "min_results", NULL};
    static const char *const matching_keys[] = {"pattern", "label", "min_grade", "min_results",
                                                NULL};
    static const char *const tagged_keys[] = {"tag", "label", "min_grade", "min_results", NULL};
    (void)slot_options;
    if (n->kind == CX_TSTRING) { /* a plain string: credential "ID" */
        r->kind = CX_REQ_CREDENTIAL;
        if ((r->credential = resolve(c, n, CX_KIND_CREDENTIAL, "credential")) == CX_NOSYM) return 1;
        uint64_t *set = new_set(c);
        if (!set) return 1;
        set_add(set, r->credential);
        r->fills = set;
        return 0;
    }
    const char *const *keys = strcmp(ctor, "matching") == 0 ? matching_keys
                              : strcmp(ctor, "tagged") == 0 ? tagged_keys
                                                            : id_keys;
    if (check_fields(c, n, ctor, keys, 0)) return 1;
    if (strcmp(ctor, "credential") == 0) {
        const cx_tnode *v = field(n, "id");
        r->kind = CX_REQ_CREDENTIAL;
        if (!v || (r->credential = resolve(c, v, CX_KIND_CREDENTIAL, "credential")) == CX_NOSYM)
            return 1;
        uint64_t *set = new_set(c);
        if (!set) return 1;
        set_add(set, r->credential);
        r->fills = set;
    } else {
        r->kind = strcmp(ctor, "matching") == 0 ? CX_REQ_MATCHING
                  : strcmp(ctor, "tagged") == 0 ? CX_REQ_TAGGED
                                                : CX_REQ_COMPETENCY;
        r->credential = CX_NOSYM;
        if (!(r->fills = credentials_where(c, ctor, n, ctor))) return 1;
        if (set_empty(c, r->fills))
            warning_at(c, &r->src, "%s fills from no credential in the registry", r->text);
    }
    return slot_extras(c, n, r, ctor);
}

static int structure(compiler *c, const cx_tnode *n, const char *ctor, cx_req *r, int depth)
{
    static const char *const keys[] = {"label", NULL};
    static const char *const at_least_keys[] = {"n", "label", NULL};
    int at_least = strcmp(ctor, "at_least") == 0;
    if (check_fields(c, n, ctor, at_least ? at_least_keys : keys, 1)) return 1;
    size_t count = nitems(n);
    const cx_req **parts = alloc(c, count * sizeof *parts);
    if (!parts) return 1;
    if (count == 0) {
        error_at(c, n, "%s: no requirements inside", ctor);
        return 1;
    }
    int bad = 0;
    for (size_t i = 0; i < count; i++) bad |= !(parts[i] = requirement(c, item(n, i), depth + 1));
    r->parts = (const cx_req *const *)parts;
    r->nparts = count;
    r->kind = at_least ? CX_REQ_AT_LEAST : strcmp(ctor, "all") == 0 ? CX_REQ_ALL : CX_REQ_ANY;
    r->need = r->kind == CX_REQ_ALL ? count : 1;
    if (at_least) {
        const cx_tnode *v = field(n, "n");
        if (!v || v->kind != CX_TINT || v->as.integer < 0 || (size_t)v->as.integer > count) {
            error_at(c, v ? v : n, "at_least: n must be a whole number from 0 to %zu (the parts)",
                     count);
            return 1;
        }
        r->need = (size_t)v->as.integer;
    }
    return bad;
}

static int total(compiler *c, const cx_tnode *n, const char *ctor, cx_req *r)
{
    static const char *const hours_keys[] = {"n", "selector", "label", NULL};
    static const char *const sum_keys[] = {"attr", "n", "group_by", "selector", "label", NULL};
    int hours = strcmp(ctor, "hours") == 0;
    if (check_fields(c, n, ctor, hours ? hours_keys : sum_keys, 0)) return 1;
    r->kind = hours ? CX_REQ_HOURS : CX_REQ_SUM;
    const cx_tnode *v = field(n, "n"), *sel = field(n, "selector");
    if (!v || number_value(c, v, ctor, &r->threshold)) return 1;
    if (hours && !sel) {
        error_at(c, n, "hours: a selector is required (any_credential for all)");
        return 1;
    }
    if (sel && !(r->selector = selector(c, sel, ctor))) return 1;
    if (!hours) {
        r->attr = dup(c, string_field(c, n, "attr", "sum", 1));
        r->group_by = dup(c, string_field(c, n, "group_by", "sum", 0));
        if (!r->attr) return 1;
    }
    return 0;
}

static int holder_attr(compiler *c, const cx_tnode *n, cx_req *r)
{
    static const char *const keys[] = {"key", "op", "value", "label", NULL};
    static const char *const ops[] = {"=", "~=", "<", "<=", ">", ">="};
    if (check_fields(c, n, "holder_attr", keys, 0)) return 1;
    r->kind = CX_REQ_HOLDER_ATTR;
    r->key = dup(c, string_field(c, n, "key", "holder_attr", 1));
    const char *op = string_field(c, n, "op", "holder_attr", 1);
    const cx_tnode *v = field(n, "value");
    size_t k = 0;
    while (op && k < CX_COUNT(ops) && strcmp(ops[k], op) != 0) k++;
    if (!r->key || !op || k == CX_COUNT(ops) || !v) {
        if (op && k == CX_COUNT(ops))
            error_at(c, n, "holder_attr: unknown operator '%s'; expected =, ~=, <, <=, >, >=", op);
        return 1;
    }
    r->op = (cx_cmp_op)k;
    if (v->kind == CX_TSTRING) {
        r->value = dup(c, v->as.string.bytes);
    } else {
        int64_t h;
        char buf[40];
        if (number_value(c, v, "holder_attr", &h)) return 1;
        if (h % 100)
            snprintf(buf, sizeof buf, "%lld.%02lld", (long long)(h / 100), (long long)(h % 100));
        else
            snprintf(buf, sizeof buf, "%lld", (long long)(h / 100));
        r->value = dup(c, buf);
    }
    return 0;
}

static int check_req(compiler *c, const cx_tnode *n, cx_req *r)
{
    static const char *const keys[] = {"fn", "label", NULL};
    if (check_fields(c, n, "check", keys, 0)) return 1;
    const cx_tnode *fn = field(n, "fn");
    if (!fn || fn->kind != CX_TFUNC) {
        error_at(c, n, "check: expected a function(ctx) ... end");
        return 1;
    }
    r->kind = CX_REQ_CHECK;
    r->pack = fn->as.func.pack;
    r->fn = fn->as.func.ordinal;
    return 0;
}

static const cx_req *requirement(compiler *c, const cx_tnode *n, int depth)
{
    cx_req *r = alloc(c, sizeof *r);
    if (!r) return NULL;
    if (depth > 32) {
        error_at(c, n, "requirements nested too deeply (more than 32 levels)");
        return NULL;
    }
    r->src = src_of(c, n);
    r->text = text_of(c, n);
    r->index = c->stack_index++;
    r->credential = CX_NOSYM;
    r->pack = r->fn = -1;
    const char *ctor = ctor_of(n);
    int bad;
    if (n->kind == CX_TSTRING ||
        (ctor && (strcmp(ctor, "credential") == 0 || strcmp(ctor, "matching") == 0 ||
                  strcmp(ctor, "tagged") == 0 || strcmp(ctor, "competency") == 0)))
        bad = slot(c, n, ctor, r);
    else if (ctor && (strcmp(ctor, "all") == 0 || strcmp(ctor, "any") == 0 ||
                      strcmp(ctor, "at_least") == 0))
        bad = structure(c, n, ctor, r, depth);
    else if (ctor && (strcmp(ctor, "hours") == 0 || strcmp(ctor, "sum") == 0))
        bad = total(c, n, ctor, r);
    else if (ctor && strcmp(ctor, "holder_attr") == 0)
        bad = holder_attr(c, n, r);
    else if (ctor && strcmp(ctor, "check") == 0)
        bad = check_req(c, n, r);
    else {
        error_at(c, n,
                 "expected a requirement (a credential id, credential, matching, tagged, "
                 "competency, hours, sum, all, any, at_least, holder_attr, check), found %s",
                 ctor ? ctor : kind_name(n));
        return NULL;
    }
    r->label = n->kind == CX_TSTRING ? NULL : dup(c, string_field(c, n, "label", "label", 0));
    return bad ? NULL : r;
}

/* ------------------------------------------------------------------ rules */

static const struct rule_spec {
    const char *kind;
    cx_rule_kind rule;
    const char *const keys[11];
    int list_ok; /* items allowed: equivalent, renews */
} rule_specs[] = {
    {"stack",
     CX_RULE_STACK,
     {"id", "name", "jurisdiction", "requires", "window", "award", "reuse_awards", "effective",
      "cite", NULL},
     0},
    {"counts_as",
     CX_RULE_COUNTS_AS,
     {"id", "from", "to", "within", "issued_between", "effective", "cite", NULL},
     0},
    {"equivalent", CX_RULE_EQUIVALENT, {"id", "within", "effective", "cite", NULL}, 1},
    {"equivalence",
     CX_RULE_EQUIVALENCE,
     {"id", "from", "to", "when", "within", "transitive", "issued_between", "effective", "cite",
      NULL},
     0},
    {"recognize",
     CX_RULE_RECOGNIZE,
     {"id", "into", "from", "credentials", "requires", "effective", "cite", NULL},
     0},
    {"deny",
     CX_RULE_DENY,
     {"id", "into", "from", "credentials", "reason", "effective", "cite", NULL},
     0},
    {"renews", CX_RULE_RENEWS, {"id", "renewer", "effective", "cite", NULL}, 1},
};

/* The text of a string node, or "?" (for ids made from content; the
 * fields themselves are checked, and reported, elsewhere). */
static const char *raw_string(const cx_tnode *n)
{
    return n && n->kind == CX_TSTRING ? n->as.string.bytes : "?";
}

/* A rule id: the given one, or one made from the content (counts_as:A>B,
 * equivalent:A=B, renews:X), with #2, #3 for repeats. */
static const char *rule_id(compiler *c, const cx_tnode *v, const struct rule_spec *spec,
                           const char *given)
{
    cx_buf b;
    if (given) return dup(c, given);
    cx__buf_init(&b);
    cx__buf_printf(&b, "%s:", spec->kind);
    if (spec->rule == CX_RULE_COUNTS_AS) {
        cx__buf_printf(&b, "%s>%s", raw_string(field(v, "from")), raw_string(field(v, "to")));
    } else if (spec->rule == CX_RULE_RENEWS) {
        cx__buf_puts(&b, raw_string(field(v, "renewer")));
    } else {
        for (size_t i = 0; i < nitems(v); i++) {
            const cx_tnode *m = item(v, i);
            if (i) cx__buf_puts(&b, "=");
            cx__buf_puts(&b, m->kind == CX_TSTRING ? m->as.string.bytes : "?");
        }
    }
    const char *base = dup(c, b.oom ? "?" : b.data);
    cx__buf_free(&b);
    if (!base) return NULL;
    int *seen = cx__strmap_get(&c->content_ids, base);
    if (!seen) { /* the first rule with this content keeps the plain id */
        if ((seen = alloc(c, sizeof *seen))) *seen = 1;
        if (!seen || cx__strmap_put(&c->content_ids, base, seen, NULL) < 0) return NULL;
        return base;
    }
    cx__buf_init(&b);
    cx__buf_printf(&b, "%s#%d", base, ++*seen);
    const char *id = dup(c, b.oom ? "?" : b.data);
    cx__buf_free(&b);
    return id;
}

/* Records a rule id; a second definition, in one pack or across packs, is
 * an error naming both places. */
static int define_rule(compiler *c, cx_rule *r, const cx_tnode *at)
{
    cx_src *where = alloc(c, sizeof *where);
    void *old = NULL;
    if (!where) return 1;
    *where = r->src;
    if (cx__strmap_put(&c->rule_ids, r->id, where, &old) == 1) {
        const cx_src *first = old;
        error_at(c, at, "rule id '%s' is defined twice (first at %s:%d)", r->id, first->file,
                 first->line);
        return 1;
    }
    return 0;
}

static int common_fields(compiler *c, const cx_tnode *v, cx_rule *r)
{
    const cx_tnode *eff = field(v, "effective");
    r->effective.from = INT32_MIN;
    r->effective.to = CX_DATE_NEVER;
    r->cite = dup(c, string_field(c, v, "cite", "cite", 0));
    if (!r->cite) r->cite = c->rs->packs[c->pack].cite;
    return eff ? range_value(c, eff, "effective", 0, &r->effective) : 0;
}

static int window_and_award(compiler *c, const cx_tnode *v, cx_rule *r)
{
    static const char *const window_keys[] = {"span", "recent", NULL};
    static const char *const award_keys[] = {"issued", "expires", NULL};
    const cx_tnode *w = field(v, "window"), *a = field(v, "award"),
                   *reuse = field(v, "reuse_awards");
    int bad = 0;
    if (w && !check_fields(c, w, "window", window_keys, 0)) {
        const cx_tnode *span = field(w, "span"), *recent = field(w, "recent");
        if (!span == !recent) {
            error_at(c, w, "window: give exactly one of span = \"P5Y\" or recent = \"P5Y\"");
            bad = 1;
        } else {
            r->window_kind = span ? 1 : 2;
            bad |= duration_value(c, span ? span : recent, "window", &r->window);
        }
    } else if (w) {
        bad = 1;
    }
    if (a && !check_fields(c, a, "award", award_keys, 0)) {
        const char *issued = string_field(c, a, "issued", "award", 0);
        const cx_tnode *expires = field(a, "expires");
        if (issued && strcmp(issued, "last_component") && strcmp(issued, "first_component")) {
            error_at(c, field(a, "issued"),
                     "award: issued must be \"last_component\" or \"first_component\"");
            bad = 1;
        }
        r->award_issued = issued && strcmp(issued, "first_component") == 0
                              ? CX_ISSUED_FIRST_COMPONENT
                              : CX_ISSUED_LAST_COMPONENT;
        if (expires && expires->kind == CX_TSTRING &&
            strcmp(expires->as.string.bytes, "earliest_component") == 0)
            r->award_expires = CX_EXPIRES_EARLIEST_COMPONENT;
        else if (expires && expires->kind == CX_TSTRING &&
                 strcmp(expires->as.string.bytes, "never") == 0)
            r->award_expires = CX_EXPIRES_NEVER;
        else if (expires) {
            r->award_expires = CX_EXPIRES_DURATION;
            bad |= duration_value(c, expires,
                                  "award: expires (\"earliest_component\", "
                                  "\"never\" or a duration)",
                                  &r->award_duration);
        }
    } else if (a) {
        bad = 1;
    }
    if (reuse && reuse->kind != CX_TBOOL) {
        error_at(c, reuse, "reuse_awards must be true or false");
        bad = 1;
    }
    r->reuse_awards = reuse && reuse->kind == CX_TBOOL && reuse->as.boolean;
    return bad;
}

static int compile_stack(compiler *c, const cx_tnode *v, cx_rule *r)
{
    const cx_tnode *id = field(v, "id"), *j = field(v, "jurisdiction"), *req = field(v, "requires");
    int bad = 0;
    r->jurisdiction = CX_NOSYM;
    r->name = dup(c, string_field(c, v, "name", "stack", 0));
    if (id && id->kind == CX_TSTRING &&
        cx__snapshot_find(c->snap, CX_KIND_CREDENTIAL, id->as.string.bytes) == CX_NOSYM) {
        const char *near = nearest_id(c, CX_KIND_CREDENTIAL, id->as.string.bytes);
        error_at(c, id,
                 "stack '%s': a stack's id is the credential it confers, and the registry "
                 "has no credential '%s'%s%s%s",
                 id->as.string.bytes, id->as.string.bytes, near ? "; did you mean '" : "",
                 near ? near : "", near ? "'?" : "");
        bad = 1;
    } else if (id && id->kind == CX_TSTRING) {
        r->credential = cx__snapshot_find(c->snap, CX_KIND_CREDENTIAL, id->as.string.bytes);
    }
    if (j && (r->jurisdiction = resolve(c, j, CX_KIND_JURISDICTION, "stack")) == CX_NOSYM) bad = 1;
    c->stack_index = 0;
    if (!req) {
        error_at(c, v, "stack: 'requires' is required");
        bad = 1;
    } else if (!(r->requires = requirement(c, req, 0))) {
        bad = 1;
    }
    return bad | window_and_award(c, v, r);
}

static const cx_selector *one_credential(compiler *c, const cx_tnode *v, const char *what,
                                         const char *key)
{
    const cx_tnode *n = field(v, key);
    if (!n) {
        error_at(c, v, "%s: '%s' is required", what, key);
        return NULL;
    }
    if (n->kind != CX_TSTRING) {
        error_at(c, n, "%s: '%s' must be one credential id", what, key);
        return NULL;
    }
    return selector(c, n, what);
}

static int issued_between_field(compiler *c, const cx_tnode *v, cx_rule *r)
{
    const cx_tnode *ib = field(v, "issued_between");
    r->any_date = 1;
    r->issued.from = INT32_MIN;
    r->issued.to = CX_DATE_NEVER;
    if (!ib) return 0;
    r->any_date = 0;
    return range_value(c, ib, "issued_between", 1, &r->issued);
}

static int within_field(compiler *c, const cx_tnode *v, const char *key, const char *what,
                        const cx_jsel **out)
{
    const cx_tnode *n = field(v, key);
    *out = NULL;
    return n && !(*out = jsel(c, n, what, 0));
}

static int members(compiler *c, const cx_tnode *v, cx_rule *r, const char *what, size_t min)
{
    size_t count = nitems(v);
    uint32_t *m = alloc(c, count * sizeof *m);
    int bad = 0;
    if (!m) return 1;
    if (count < min) {
        error_at(c, v, "%s: needs at least %zu credential id%s", what, min, min == 1 ? "" : "s");
        return 1;
    }
    for (size_t i = 0; i < count; i++)
        bad |= (m[i] = resolve(c, item(v, i), CX_KIND_CREDENTIAL, what)) == CX_NOSYM;
    r->members = m;
    r->nmembers = count;
    return bad;
}

static int compile_equivalence(compiler *c, const cx_tnode *v, cx_rule *r)
{
    int bad = issued_between_field(c, v, r) | within_field(c, v, "within", r->id, &r->within);
    const cx_tnode *from = field(v, "from"), *to = field(v, "to"), *when = field(v, "when");
    const cx_tnode *transitive = field(v, "transitive");
    r->when_pack = r->when_fn = -1;
    if (r->kind == CX_RULE_COUNTS_AS) {
        bad |= !(r->from = one_credential(c, v, "counts_as", "from"));
        bad |= !(r->to = one_credential(c, v, "counts_as", "to"));
        return bad;
    }
    if (r->kind == CX_RULE_EQUIVALENT) return bad | members(c, v, r, "equivalent", 2);
    if (!from || !to || !when) {
        error_at(c, v, "equivalence '%s': 'from', 'to' and 'when' are required", r->id);
        return 1;
    }
    bad |= !(r->from = selector(c, from, "equivalence from")) |
           !(r->to = selector(c, to, "equivalence to"));
    if (transitive && transitive->kind != CX_TBOOL) {
        error_at(c, transitive, "transitive must be true or false");
        bad = 1;
    }
    r->transitive = transitive && transitive->kind == CX_TBOOL && transitive->as.boolean;
    if (when->kind == CX_TFUNC) {
        r->when_pack = when->as.func.pack;
        r->when_fn = when->as.func.ordinal;
    } else if (ctor_of(when) && strcmp(ctor_of(when), "coverage") == 0) {
        const cx_tnode *pc = field(when, "percent"), *ratio = field(when, "ratio");
        r->coverage_kind = pc ? 1 : 2;
        r->coverage_percent = pc && pc->kind == CX_TINT ? (int)pc->as.integer : 0;
        r->coverage_ratio = ratio && ratio->kind == CX_TFLOAT ? ratio->as.number : 0;
    } else {
        error_at(c, when,
                 "equivalence '%s': when must be coverage \"80%%\", coverage(0.8) or a "
                 "function(ctx)",
                 r->id);
        bad = 1;
    }
    return bad;
}

static int compile_portability(compiler *c, const cx_tnode *v, cx_rule *r)
{
    const cx_tnode *creds = field(v, "credentials"), *req = field(v, "requires");
    int bad = within_field(c, v, "into", "into", &r->into) |
              within_field(c, v, "from", "from", &r->from_j);
    if (creds && !(r->credentials = selector(c, creds, "credentials"))) bad = 1;
    if (r->kind == CX_RULE_DENY) {
        r->reason = dup(c, string_field(c, v, "reason", "deny", 0));
        return bad;
    }
    if (req) {
        c->stack_index = 0;
        /* a plain list of requirements means all of them */
        if (!ctor_of(req) && req->kind != CX_TSTRING) {
            cx_req *all = alloc(c, sizeof *all);
            const cx_req **parts = alloc(c, nitems(req) * sizeof *parts);
            if (!all || !parts) return 1;
            all->kind = CX_REQ_ALL;
            all->src = src_of(c, req);
            all->text = text_of(c, req);
            all->index = c->stack_index++;
            for (size_t i = 0; i < nitems(req); i++)
                bad |= !(parts[i] = requirement(c, item(req, i), 1));
            all->parts = (const cx_req *const *)parts;
            all->nparts = all->need = nitems(req);
            r->requires = all;
        } else if (!(r->requires = requirement(c, req, 0))) {
            bad = 1;
        }
    }
    return bad;
}

static int compile_renews(compiler *c, const cx_tnode *v, cx_rule *r)
{
    const cx_tnode *x = field(v, "renewer");
    int bad = members(c, v, r, "renews", 1);
    if (!x || (r->renewer = resolve(c, x, CX_KIND_CREDENTIAL, "renews")) == CX_NOSYM) bad = 1;
    return bad;
}

static int add_rule(compiler *c, cx_rule *r)
{
    cx_rules *rs = c->rs;
    if (rs->nrules == rs->caprules) {
        size_t cap = rs->caprules ? rs->caprules * 2 : 64;
        cx_rule **v = realloc(rs->rules, cap * sizeof *v);
        if (!v) return 1;
        rs->rules = v;
        rs->caprules = cap;
    }
    rs->rules[rs->nrules++] = r;
    return 0;
}

static void compile_rule(compiler *c, const struct rule_spec *spec, const cx_tnode *v)
{
    cx_rule *r = alloc(c, sizeof *r);
    if (!r) return;
    r->kind = spec->rule;
    r->pack = c->pack;
    r->src = src_of(c, v);
    r->credential = r->renewer = r->jurisdiction = CX_NOSYM;
    /* an unknown field is reported, and the rest still checked */
    int bad = check_fields(c, v, spec->kind, spec->keys, spec->list_ok);
    const char *given = string_field(c, v, "id", spec->kind, 0);
    r->id = rule_id(c, v, spec, given);
    bad |= !r->id || define_rule(c, r, field(v, "id") ? field(v, "id") : v);
    bad |= common_fields(c, v, r);
    switch (spec->rule) {
    case CX_RULE_STACK:
        bad |= compile_stack(c, v, r);
        break;
    case CX_RULE_COUNTS_AS:
    case CX_RULE_EQUIVALENT:
    case CX_RULE_EQUIVALENCE:
        bad |= compile_equivalence(c, v, r);
        break;
    case CX_RULE_RECOGNIZE:
    case CX_RULE_DENY:
        bad |= compile_portability(c, v, r);
        break;
    case CX_RULE_RENEWS:
        bad |= compile_renews(c, v, r);
        break;
    }
    if (!bad) add_rule(c, r);
}

/* --------------------------------------------------------- stack order */

/* Orders stacks so that each comes after every stack whose derived award
 * can count toward it: one whose credential fills one of its slots, or
 * (softer) one whose credential an equivalence can make count as the
 * credential of one of its credential slots. Ties in byte order of the
 * credential id. A cycle of slots is an error; where equivalences close a
 * cycle, one of its stacks goes first (break_cycle). */
static void collect_depends(const cx_req *q, uint32_t target, const cx_rule *const *stacks,
                            size_t nstacks, uint8_t *dep)
{
    if (!q) return;
    if (q->fills)
        for (size_t i = 0; i < nstacks; i++) {
            uint32_t s = stacks[i]->credential;
            if (s != target && (q->fills[s / 64] >> (s % 64) & 1)) dep[i] = 1;
        }
    for (size_t i = 0; i < q->nparts; i++)
        collect_depends(q->parts[i], target, stacks, nstacks, dep);
}

static int has(const uint64_t *set, uint32_t sym)
{
    return (int)(set[sym / 64] >> (sym % 64) & 1);
}

/* The credentials of q's credential slots (the slots equivalents fill). */
static void credential_slots(const cx_req *q, uint64_t *set)
{
    if (q->kind == CX_REQ_CREDENTIAL) set_add(set, q->credential);
    for (size_t i = 0; i < q->nparts; i++) credential_slots(q->parts[i], set);
}

int cx__rule_is_equivalence(const cx_rule *r)
{
    return r->kind == CX_RULE_COUNTS_AS || r->kind == CX_RULE_EQUIVALENT ||
           r->kind == CX_RULE_EQUIVALENCE;
}

/* One sweep: the sources of the equivalence rules (only the transitive
 * ones, when so) whose targets meet into, added to out. 1 when out grew. */
static int sources_into(compiler *c, const uint64_t *into, int transitive, uint64_t *out)
{
    int grew = 0;
    for (size_t i = 0; i < c->rs->nrules; i++) {
        const cx_rule *r = c->rs->rules[i];
        int meets = 0;
        if (!cx__rule_is_equivalence(r) || (transitive && !r->transitive)) continue;
        if (r->kind == CX_RULE_EQUIVALENT) {
            for (size_t m = 0; m < r->nmembers && !meets; m++) meets = has(into, r->members[m]);
            for (size_t m = 0; meets && m < r->nmembers; m++)
                if (!has(out, r->members[m])) {
                    set_add(out, r->members[m]);
                    grew = 1;
                }
            continue;
        }
        for (size_t w = 0; w < c->words && !meets; w++)
            meets = ((r->to ? r->to->bits[w] : ~UINT64_C(0)) & into[w]) != 0;
        for (size_t w = 0; meets && w < c->words; w++)
            if (r->from->bits[w] & ~out[w]) {
                out[w] |= r->from->bits[w];
                grew = 1;
            }
    }
    return grew;
}

/* Adds to set what can count as a member of it: the sources of every
 * equivalence rule into it, then of transitive rules into those, until
 * nothing grows. */
static void equivalence_sources(compiler *c, uint64_t *set, uint64_t *scratch)
{
    memcpy(scratch, set, c->words * sizeof *scratch);
    sources_into(c, scratch, 0, set);      /* one rule, from the slots */
    while (sources_into(c, set, 1, set)) { /* chains of transitive rules */
    }
}

/* Whether stack i has every stack dep (n x n) says it needs placed. */
static int ready(size_t n, const uint8_t *dep, const uint8_t *done, size_t i)
{
    for (size_t j = 0; j < n; j++)
        if (dep[i * n + j] && !done[j]) return 0;
    return 1;
}

/* When no stack is ready: the stack to place next, breaking a cycle that
 * only equivalences close -- the smallest stack, ready by slots alone, of
 * a group of undone stacks that depend (through soft) only on each other
 * and on stacks placed, so that no stack outside a cycle is placed before
 * what it waits for. n when there is none (a cycle of slots). */
static size_t break_cycle(size_t n, const uint8_t *hard, const uint8_t *soft, const uint8_t *done,
                          uint8_t *reach)
{
    /* reach[i * n + k]: undone k is reachable from undone i through soft */
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < n; k++) reach[i * n + k] = !done[i] && !done[k] && soft[i * n + k];
    for (size_t m = 0; m < n; m++)
        for (size_t i = 0; i < n; i++)
            if (reach[i * n + m])
                for (size_t k = 0; k < n; k++) reach[i * n + k] |= reach[m * n + k];
    for (size_t i = 0; i < n; i++) {
        if (done[i] || !reach[i * n + i] || !ready(n, hard, done, i)) continue;
        size_t k = 0;
        while (k < n && (!reach[i * n + k] || reach[k * n + i])) k++;
        if (k == n) return i; /* everything i waits for waits for i */
    }
    return n;
}

/* Kahn's algorithm, smallest credential first, over soft (which includes
 * hard); where only equivalences close a cycle, break_cycle places one of
 * its stacks. How many stacks it placed into order: fewer than n when hard
 * has a cycle (left undone). */
static size_t kahn(cx_rule **stacks, size_t n, const uint8_t *hard, const uint8_t *soft,
                   uint8_t *done, uint8_t *reach, cx_rule **order)
{
    size_t placed = 0;
    memset(done, 0, n);
    while (placed < n) {
        size_t pick = n;
        for (size_t i = 0; i < n && pick == n; i++)
            if (!done[i] && ready(n, soft, done, i)) pick = i;
        if (pick == n) pick = break_cycle(n, hard, soft, done, reach);
        if (pick == n) break;
        done[pick] = 1;
        order[placed++] = stacks[pick];
    }
    return placed;
}

/* The stacks kahn left undone depend on each other through slots. */
static void cycle_error(compiler *c, cx_rule *const *stacks, size_t n, const uint8_t *done)
{
    cx_buf b;
    cx_src at = {NULL, 0};
    cx__buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (done[i]) continue;
        cx__buf_printf(&b, "%s%s (%s:%d)", b.len ? ", " : "",
                       cx__snapshot_id(c->snap, CX_KIND_CREDENTIAL, stacks[i]->credential),
                       stacks[i]->src.file, stacks[i]->src.line);
        if (!at.file) at = stacks[i]->src;
    }
    cx_tnode where = {.kind = CX_TNIL, .line = at.line, .file = at.file};
    error_at(c, &where, "stacks depend on each other in a cycle: %s", b.data ? b.data : "");
    cx__buf_free(&b);
}

static int by_credential(const void *a, const void *b)
{
    const cx_rule *x = *(const cx_rule *const *)a, *y = *(const cx_rule *const *)b;
    return x->credential < y->credential ? -1 : x->credential > y->credential;
}

static void order_stacks(compiler *c)
{
    cx_rules *rs = c->rs;
    size_t n = 0;
    for (size_t i = 0; i < rs->nrules; i++) n += rs->rules[i]->kind == CX_RULE_STACK;
    cx_rule **stacks = alloc(c, n * sizeof *stacks), **order = alloc(c, n * sizeof *order);
    uint8_t *dep = alloc(c, n * n), *soft = alloc(c, n * n), *reach = alloc(c, n * n),
            *done = alloc(c, n);
    uint64_t *slots = new_set(c), *scratch = new_set(c);
    if (!stacks || !order || !dep || !soft || !reach || !done || !slots || !scratch) return;
    n = 0;
    for (size_t i = 0; i < rs->nrules; i++)
        if (rs->rules[i]->kind == CX_RULE_STACK) stacks[n++] = rs->rules[i];
    qsort(stacks, n, sizeof *stacks, by_credential);
    for (size_t i = 0; i < n; i++) {
        if (i && stacks[i]->credential == stacks[i - 1]->credential)
            error_at(c, NULL, "two stacks confer credential '%s' (%s:%d and %s:%d)",
                     cx__snapshot_id(c->snap, CX_KIND_CREDENTIAL, stacks[i]->credential),
                     stacks[i - 1]->src.file, stacks[i - 1]->src.line, stacks[i]->src.file,
                     stacks[i]->src.line);
        collect_depends(stacks[i]->requires, stacks[i]->credential, (const cx_rule *const *)stacks,
                        n, dep + i * n);
        memset(slots, 0, c->words * sizeof *slots);
        if (stacks[i]->requires) credential_slots(stacks[i]->requires, slots);
        equivalence_sources(c, slots, scratch);
        for (size_t j = 0; j < n; j++)
            soft[i * n + j] = dep[i * n + j] || (j != i && has(slots, stacks[j]->credential));
    }
    if (kahn(stacks, n, dep, soft, done, reach, order) < n) {
        cycle_error(c, stacks, n, done);
        return;
    }
    for (size_t i = 0; i < n; i++) { /* which stacks each one can use */
        size_t k = 0;
        uint32_t *deps = alloc(c, n * sizeof *deps);
        for (size_t j = 0; deps && j < n; j++)
            if (soft[i * n + j]) deps[k++] = stacks[j]->credential;
        stacks[i]->depends = deps;
        stacks[i]->ndepends = k;
    }
    rs->stacks = order;
    rs->nstacks = n;
}

/* ------------------------------------------------------------- warnings */

/* A recognize rule that a deny with no narrower clauses always overrides. */
static int set_covers(const compiler *c, const cx_selector *outer, const cx_selector *inner)
{
    if (!outer) return 1;
    if (!inner || !outer->any_date) return 0;
    for (size_t w = 0; w < c->words; w++)
        if (inner->bits[w] & ~outer->bits[w]) return 0;
    return 1;
}

static void warn_shadowed(compiler *c)
{
    cx_rules *rs = c->rs;
    for (size_t i = 0; i < rs->nrules; i++) {
        const cx_rule *d = rs->rules[i];
        if (d->kind != CX_RULE_DENY || d->into || d->from_j || d->effective.from != INT32_MIN ||
            d->effective.to != CX_DATE_NEVER)
            continue;
        for (size_t j = 0; j < rs->nrules; j++) {
            const cx_rule *r = rs->rules[j];
            if (r->kind == CX_RULE_RECOGNIZE && set_covers(c, d->credentials, r->credentials))
                warning_at(c, &r->src,
                           "recognize '%s' never applies: deny '%s' (%s:%d) overrides it for "
                           "every credential it selects",
                           r->id, d->id, d->src.file, d->src.line);
        }
    }
}

/* --------------------------------------------------------------- packs */

static void pack_header(compiler *c, const cx_tnode *v, cx_pack_info *info)
{
    static const char *const keys[] = {"id", "authority", "version", "cite", NULL};
    if (check_fields(c, v, "pack", keys, 0)) return;
    info->id = dup(c, string_field(c, v, "id", "pack", 1));
    info->authority = dup(c, string_field(c, v, "authority", "pack", 0));
    info->version = dup(c, string_field(c, v, "version", "pack", 0));
    info->cite = dup(c, string_field(c, v, "cite", "pack", 0));
}

/* Compiles the declarations of one loaded pack. */
static void compile_pack(compiler *c, const cx_tnode *decls)
{
    cx_pack_info *info = &c->rs->packs[c->pack];
    int headers = 0;
    for (size_t i = 0; i < nitems(decls); i++) { /* the header first: its cite is the default */
        const cx_tnode *d = item(decls, i), *kind = field(d, "kind");
        if (!kind || kind->kind != CX_TSTRING || strcmp(kind->as.string.bytes, "pack") != 0)
            continue;
        if (headers++)
            error_at(c, field(d, "value"), "a pack declares itself once; pack { ... } again");
        else
            pack_header(c, field(d, "value"), info);
    }
    cx_src at = {info->path, 1};
    if (!info->version || !info->authority)
        warning_at(c, &at,
                   "pack has no %s: say pack \"id\" { authority = \"...\", version = \"...\" }",
                   !info->version && !info->authority ? "version or authority"
                   : !info->version                   ? "version"
                                                      : "authority");
    for (size_t i = 0; i < nitems(decls); i++) {
        const cx_tnode *d = item(decls, i), *kind = field(d, "kind"), *value = field(d, "value");
        if (!kind || kind->kind != CX_TSTRING || !value) continue;
        const char *k = kind->as.string.bytes;
        if (strcmp(k, "pack") == 0) continue;
        size_t s = 0;
        while (s < CX_COUNT(rule_specs) && strcmp(rule_specs[s].kind, k) != 0) s++;
        if (s == CX_COUNT(rule_specs))
            error_at(c, value, "unknown declaration '%s'", k);
        else
            compile_rule(c, &rule_specs[s], value);
    }
}

/* ------------------------------------------------------- pack discovery */

/* The pack files the paths name: a file itself, a directory every *.lua
 * below it, in byte order of path. */
static int pack_paths(const char *const *paths, size_t npaths, cx_strlist *out, cx_error *err)
{
    for (size_t i = 0; i < npaths; i++) {
        struct stat st;
        size_t first = out->n;
        int rc = CX_OK;
        if (stat(paths[i], &st) != 0)
            return cx__error(err, CX_EINPUT, paths[i], 0, 0, "no such rule pack or directory");
        if (S_ISDIR(st.st_mode))
            rc = cx__walk_files(paths[i], ".lua", out, err);
        else if (cx__strlist_add(out, paths[i]) != 0)
            rc = cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory");
        if (rc) return rc;
        qsort(out->v + first, out->n - first, sizeof *out->v, cx__strcmp_ptr);
    }
    return CX_OK;
}

/* Diagnostics read best in file and line order; ties keep the order found. */
typedef struct ordered_diag {
    cx_diagnostic d;
    size_t seq;
} ordered_diag;

static int by_place(const void *a, const void *b)
{
    const ordered_diag *x = a, *y = b;
    int f = strcmp(x->d.file, y->d.file);
    if (f) return f;
    if (x->d.line != y->d.line) return x->d.line < y->d.line ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void sort_diagnostics(cx_diagnostics *d, size_t from)
{
    size_t n = d->count - from;
    ordered_diag *v = malloc(n * sizeof *v + 1);
    if (!v) return;
    for (size_t i = 0; i < n; i++) {
        v[i].d = d->items[from + i];
        v[i].seq = i;
    }
    qsort(v, n, sizeof *v, by_place);
    for (size_t i = 0; i < n; i++) d->items[from + i] = v[i].d;
    free(v);
}

/* ------------------------------------------------------------ public API */

static int by_rule_id(const void *a, const void *b)
{
    return strcmp((*(const cx_rule *const *)a)->id, (*(const cx_rule *const *)b)->id);
}

const cx_snapshot *cx__rules_snapshot(const cx_rules *rs)
{
    return rs->snapshot;
}

struct cx_sandbox *cx__rules_sandbox(const cx_rules *rs)
{
    return rs->sandbox;
}

const cx_rule *const *cx__rules_by_id(const cx_rules *rs, size_t *n)
{
    *n = rs->nrules;
    return (const cx_rule *const *)rs->by_id;
}

const cx_rule *const *cx__rules_equivalences(const cx_rules *rs, size_t *n,
                                             const uint64_t **targets)
{
    *n = rs->nequivs;
    *targets = rs->equiv_to;
    return (const cx_rule *const *)rs->equivs;
}

const cx_rule *const *cx__rules_stacks(const cx_rules *rs, size_t *n)
{
    *n = rs->nstacks;
    return (const cx_rule *const *)rs->stacks;
}

void cx__rules_set_coverage(cx_rules *rs, const cx_coverage *cov)
{
    rs->coverage = cov;
}

const cx_coverage *cx__rules_coverage(const cx_rules *rs)
{
    return rs->coverage;
}

int cx__rules_enter(cx_rules *rs, cx_error *err)
{
    if (!atomic_exchange_explicit(&rs->in_use, true, memory_order_acquire)) return CX_OK;
    return cx__error(err, CX_EUSAGE, NULL, 0, 0,
                     "these rules are in use by another call (on another thread, or the call "
                     "whose callback this is): each thread needs its own cx_rules "
                     "(cx_rules_load; credex.h, \"Threads\")");
}

void cx__rules_leave(cx_rules *rs)
{
    atomic_store_explicit(&rs->in_use, false, memory_order_release);
}

const cx_pack_info *cx__rules_pack(const cx_rules *rs, int pack)
{
    return pack >= 0 && (size_t)pack < rs->npacks ? &rs->packs[pack] : NULL;
}

int cx__rules_worker(const cx_rules *rs, struct cx_sandbox **out, cx_error *err)
{
    cx_sandbox *sb = NULL;
    int rc = cx__sandbox_new(NULL, NULL, NULL, &sb, err);
    for (size_t i = 0; rc == CX_OK && i < rs->npacks; i++) {
        int pack;
        rc = cx__sandbox_load_buffer(sb, rs->packs[i].path, rs->packs[i].source,
                                     rs->packs[i].source_len, &pack, err);
        if (rc == CX_OK && (size_t)pack != i)
            rc = cx__error(err, CX_EINPUT, rs->packs[i].path, 0, 0,
                           "pack loaded out of order in a worker");
    }
    if (rc) {
        cx__sandbox_free(sb);
        return rc;
    }
    *out = sb;
    return CX_OK;
}

size_t cx_rules_pack_count(const cx_rules *rs)
{
    return rs ? rs->npacks : 0;
}

size_t cx_rules_rule_count(const cx_rules *rs)
{
    return rs ? rs->nrules : 0;
}

void cx_rules_free(cx_rules *rs)
{
    if (!rs) return;
    cx__sandbox_free(rs->sandbox);
    cx__snapshot_free(rs->snapshot);
    free(rs->rules);
    cx__arena_free(&rs->arena);
    free(rs);
}

/* Reads a pack file whole into *data (malloc'd, NUL-terminated; the
 * caller frees it), refusing one larger than the sandbox's memory limit. */
static int read_pack_file(const char *path, char **data, size_t *len, cx_error *err)
{
    FILE *f = fopen(path, "rb");
    cx_buf b;
    char chunk[8192];
    size_t got;
    *data = NULL;
    if (!f)
        return cx__error(err, CX_EINPUT, path, 0, 0, "cannot open the pack: %s", strerror(errno));
    cx__buf_init(&b);
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < CX_SANDBOX_MEMORY)
        cx__buf_add(&b, chunk, got);
    int rc = CX_OK;
    if (ferror(f))
        rc = cx__error(err, CX_EINPUT, path, 0, 0, "cannot read the pack");
    else if (b.len >= CX_SANDBOX_MEMORY)
        rc = cx__error(err, CX_EINPUT, path, 0, 0, "the pack is larger than the memory limit");
    fclose(f);
    cx__buf_add(&b, "", 1); /* the NUL, and a buffer even for an empty file */
    if (rc || b.oom) {
        cx__buf_free(&b);
        return rc ? rc : cx__error(err, CX_ENOMEM, path, 0, 0, "out of memory");
    }
    *data = b.data;
    *len = b.len - 1;
    return CX_OK;
}

/* Loads the pack at path (its bytes from source, else from the file) into the
 * sandbox and keeps the bytes that ran in the rule set's arena. */
static int load_one(compiler *c, const char *path, const cx_pack_source *source, int *pack,
                    cx_error *err)
{
    char *owned = NULL;
    const char *data = source ? source->data : NULL;
    size_t len = source ? source->len : 0;
    int rc = source ? CX_OK : read_pack_file(path, &owned, &len, err);
    if (!rc && owned) data = owned;
    if (!rc) rc = cx__sandbox_load_buffer(c->rs->sandbox, path, data ? data : "", len, pack, err);
    if (!rc) {
        char *copy = alloc(c, len + 1);
        if (copy) {
            if (len) memcpy(copy, data, len);
            copy[len] = '\0';
        }
        c->rs->packs[*pack].source = copy;
        c->rs->packs[*pack].source_len = len;
        if (!copy) rc = cx__error(err, CX_ENOMEM, path, 0, 0, "out of memory");
    }
    free(owned);
    return rc;
}

/* Loads every pack into the sandbox (from sources when not NULL, one per
 * path), then compiles each that loaded. */
static int load_all(compiler *c, cx_strlist *paths, const cx_pack_source *sources, cx_error *err)
{
    cx_rules *rs = c->rs;
    rs->packs = alloc(c, paths->n * sizeof *rs->packs);
    if (!rs->packs && paths->n) return cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory");
    for (size_t i = 0; i < paths->n; i++) {
        cx_error lerr;
        int pack;
        cx_error_clear(&lerr);
        if (load_one(c, paths->v[i], sources ? &sources[i] : NULL, &pack, &lerr) != CX_OK) {
            if (lerr.code == CX_ENOMEM) return cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory");
            cx_tnode where = {.kind = CX_TNIL, .line = lerr.line, .file = paths->v[i]};
            error_at(c, &where, "%s", lerr.message);
            continue;
        }
        c->pack = pack;
        c->file = cx__sandbox_pack_path(rs->sandbox, pack);
        rs->packs[pack].path = c->file;
        rs->npacks = (size_t)pack + 1;
        compile_pack(c, cx__sandbox_pack_tree(rs->sandbox, pack));
        if (!rs->packs[pack].id) { /* no header: the file's name, without .lua */
            const char *base = strrchr(c->file, '/') ? strrchr(c->file, '/') + 1 : c->file;
            size_t len = strlen(base);
            rs->packs[pack].id = cx__arena_strndup(&rs->arena, base, len > 4 ? len - 4 : len);
        }
    }
    return CX_OK;
}

/* The paths of sources, as given: nothing is looked up on disk. */
static int source_paths(const cx_pack_source *sources, size_t n, cx_strlist *out, cx_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (cx__strlist_add(out, sources[i].path) != 0)
            return cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory");
    return CX_OK;
}

/* The equivalence family in id order, and the credentials it can make
 * another credential count as (a slot of one of them is the only kind an
 * equivalence can fill): cx__eval_equivalent looks at these alone. */
static void index_equivalences(compiler *c)
{
    cx_rules *rs = c->rs;
    rs->equivs = alloc(c, (rs->nrules + 1) * sizeof *rs->equivs);
    rs->equiv_to = alloc(c, c->words * sizeof *rs->equiv_to);
    if (!rs->equivs || !rs->equiv_to || (rs->nrules && !rs->by_id)) {
        error_at(c, NULL, "out of memory indexing the equivalence rules");
        return;
    }
    memset(rs->equiv_to, 0, c->words * sizeof *rs->equiv_to);
    for (size_t i = 0; i < rs->nrules; i++) {
        cx_rule *r = rs->by_id[i];
        if (!cx__rule_is_equivalence(r)) continue;
        rs->equivs[rs->nequivs++] = r;
        if (r->kind == CX_RULE_EQUIVALENT)
            for (size_t m = 0; m < r->nmembers; m++)
                rs->equiv_to[r->members[m] / 64] |= UINT64_C(1) << (r->members[m] % 64);
        else
            for (size_t w = 0; w < c->words; w++)
                rs->equiv_to[w] |= r->to ? r->to->bits[w] : ~UINT64_C(0);
    }
}

/* cx_rules_load from paths, or (sources not NULL) from npaths sources. */
static int rules_load(cx_registry *r, const char *const *paths, size_t npaths,
                      const cx_pack_source *sources, cx_rules **out, cx_diagnostics *diags,
                      cx_error *err)
{
    cx_diagnostics own;
    cx_strlist list = {0};
    compiler c;
    int rc;
    *out = NULL;
    cx_diagnostics_init(&own);
    memset(&c, 0, sizeof c);
    c.diags = diags ? diags : &own;
    c.first = err;
    c.rs = calloc(1, sizeof *c.rs);
    if (!c.rs) return cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory");
    atomic_init(&c.rs->in_use, false);
    cx__arena_init(&c.rs->arena);
    size_t errors_before = c.diags->errors, first_diag = c.diags->count;
    if ((rc = sources ? source_paths(sources, npaths, &list, err)
                      : pack_paths(paths, npaths, &list, err)) ||
        (rc = cx__snapshot_load(r, &c.rs->snapshot, err)) ||
        (rc = cx__sandbox_new(NULL, NULL, NULL, &c.rs->sandbox, err)))
        goto done;
    c.snap = c.rs->snapshot;
    c.words = (cx__snapshot_count(c.snap, CX_KIND_CREDENTIAL) + 63) / 64;
    if (!c.words) c.words = 1;
    if ((rc = load_all(&c, &list, sources, err))) goto done;
    order_stacks(&c);
    warn_shadowed(&c);
    if (c.rs->nrules && (c.rs->by_id = alloc(&c, c.rs->nrules * sizeof *c.rs->by_id))) {
        memcpy(c.rs->by_id, c.rs->rules, c.rs->nrules * sizeof *c.rs->by_id);
        qsort(c.rs->by_id, c.rs->nrules, sizeof *c.rs->by_id, by_rule_id);
    }
    index_equivalences(&c);
    sort_diagnostics(c.diags, first_diag);
    rc = c.diags->errors > errors_before ? CX_EINPUT : CX_OK;
done:
    cx__strlist_free(&list);
    cx__strmap_free(&c.rule_ids);
    cx__strmap_free(&c.content_ids);
    cx_diagnostics_free(&own);
    if (rc == CX_OK)
        *out = c.rs;
    else
        cx_rules_free(c.rs);
    return rc;
}

int cx_rules_load(cx_registry *r, const char *const *paths, size_t npaths, cx_rules **out,
                  cx_diagnostics *diags, cx_error *err)
{
    return rules_load(r, paths, npaths, NULL, out, diags, err);
}

int cx__rules_load_sources(cx_registry *r, const cx_pack_source *sources, size_t n, cx_rules **out,
                           cx_diagnostics *diags, cx_error *err)
{
    return rules_load(r, NULL, n, sources, out, diags, err);
}

int cx_rules_pack_files(const char *const *paths, size_t npaths, char ***files, size_t *nfiles,
                        cx_error *err)
{
    cx_strlist list = {0};
    int rc = pack_paths(paths, npaths, &list, err);
    *files = rc ? NULL : list.v;
    *nfiles = rc ? 0 : list.n;
    if (rc) cx__strlist_free(&list);
    return rc;
}
