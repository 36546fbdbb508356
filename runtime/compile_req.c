/*
 * compile_req.c -- requirements and selectors (docs/design.md §4): a
 * requirement tree, credential selectors (compiled to credential sets)
 * and jurisdiction selectors, every id resolved and every regex compiled
 * once. It reads the neutral tree only: no Lua stack, no SQL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile_int.h"

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
        const char *pattern = cx__compile_string(c, n, "pattern", what, 1);
        const cx_regex *re;
        cx_error err;
        if (!pattern) return set;
        if (cx__regex_cached(pattern, strlen(pattern), &re, &err) != CX_OK) {
            cx__compile_error(c, field(n, "pattern"), "%s: %s", what, err.message);
            return NULL;
        }
        for (uint32_t s = 0; s < count; s++) {
            const char *id = cx__snapshot_id(c->snap, CX_KIND_CREDENTIAL, s);
            int m = cx__regex_test(re, id, strlen(id), &err);
            if (m < 0) {
                cx__compile_error(c, field(n, "pattern"), "%s: %s", what, err.message);
                return NULL;
            }
            if (m) set_add(set, s);
        }
        return set;
    }
    if (strcmp(ctor, "tagged") == 0) {
        const char *tag = cx__compile_string(c, n, "tag", what, 1);
        cx_sym t = tag ? cx__snapshot_find(c->snap, CX_SNAP_TAG, tag) : CX_NOSYM;
        for (uint32_t s = 0; t != CX_NOSYM && s < count; s++)
            if (has_sym(c->snap->credentials[s].tags, c->snap->credentials[s].ntags, t))
                set_add(set, s);
        return set;
    }
    if (strcmp(ctor, "competency") == 0) {
        const cx_tnode *v = field(n, "id");
        uint32_t k = v ? cx__compile_resolve(c, v, CX_KIND_COMPETENCY, what) : CX_NOSYM;
        if (!v) cx__compile_error(c, n, "%s: 'id' is required", what);
        for (uint32_t s = 0; k != CX_NOSYM && s < count; s++)
            if (has_sym(c->snap->credentials[s].competencies, c->snap->credentials[s].ncompetencies,
                        k))
                set_add(set, s);
        return set;
    }
    if (strcmp(ctor, "from_provider") == 0) {
        const cx_tnode *v = field(n, "id");
        uint32_t p = v ? cx__compile_resolve(c, v, CX_KIND_PROVIDER, what) : CX_NOSYM;
        for (uint32_t s = 0; p != CX_NOSYM && s < count; s++)
            if (c->snap->credentials[s].provider == p) set_add(set, s);
        return set;
    }
    if (strcmp(ctor, "type_is") == 0) {
        const char *type = cx__compile_string(c, n, "type", what, 1);
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
        if (field(n, "selector")) {
            cx__buf_puts(b, ", ");
            render(b, field(n, "selector"), depth + 1);
        }
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

const char *cx__compile_text(compiler *c, const cx_tnode *n)
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
        cx__compile_error(c, n, "%s: an empty list selects nothing", what);
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
        cx__compile_error(c, n, "%s: selectors nested too deeply", what);
        return 1;
    }
    if (n->kind == CX_TSTRING) {
        uint32_t s = cx__compile_resolve(c, n, CX_KIND_CREDENTIAL, what);
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
        cx__compile_error(c, n,
                          "%s: expected a credential selector (a credential id, a list, matching, "
                          "tagged, from_provider, type_is, any_credential, any_of, all_of, "
                          "issued_between), found %s",
                          what, ctor ? ctor : kind_name(n));
        return 1;
    }
    if (strcmp(ctor, "any_of") == 0 || strcmp(ctor, "all_of") == 0) {
        if (cx__compile_fields(c, n, ctor, none, 1)) return 1;
        return selector_parts(c, n, what, set, issued, any_date, depth,
                              strcmp(ctor, "all_of") == 0);
    }
    if (strcmp(ctor, "issued_between") == 0) {
        cx_range r;
        if (cx__compile_range(c, n, "issued_between", 1, &r)) return 1;
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
    if (cx__compile_fields(c, n, ctor, strcmp(ctor, "any_credential") == 0 ? none : one, 0))
        return 1;
    uint64_t *found = credentials_where(c, ctor, n, what);
    if (!found) return 1;
    for (size_t w = 0; w < c->words; w++) set[w] |= found[w];
    return 0;
}

/* A whole selector, as plans keep it; warns when it selects nothing. */
const cx_selector *cx__compile_selector(compiler *c, const cx_tnode *n, const char *what)
{
    cx_selector *sel = alloc(c, sizeof *sel);
    uint64_t *set = new_set(c);
    if (!sel || !set) return NULL;
    sel->any_date = 1;
    sel->issued.from = INT32_MIN;
    sel->issued.to = CX_DATE_NEVER;
    if (selector_into(c, n, what, set, &sel->issued, &sel->any_date, 0)) return NULL;
    sel->bits = set;
    sel->text = cx__compile_text(c, n);
    sel->src = src_of(c, n);
    if (set_empty(c, set))
        cx__compile_warning(c, &sel->src, "%s: %s selects no credential in the registry", what,
                            sel->text);
    return sel;
}

/* ------------------------------------------------- jurisdiction selectors */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

const cx_jsel *cx__compile_jsel(compiler *c, const cx_tnode *n, const char *what, int depth)
{
    static const char *const member_keys[] = {"group", "status", NULL};
    static const char *const none[] = {NULL};
    cx_jsel *j = alloc(c, sizeof *j);
    if (!j || depth > 16) {
        if (j) cx__compile_error(c, n, "%s: jurisdiction selectors nested too deeply", what);
        return NULL;
    }
    j->src = src_of(c, n);
    j->text = cx__compile_text(c, n);
    const char *ctor = ctor_of(n);
    if (n->kind == CX_TSTRING ||
        (!ctor && nitems(n) && !n->as.table.nfields && item(n, 0)->kind == CX_TSTRING)) {
        size_t count = n->kind == CX_TSTRING ? 1 : nitems(n);
        uint32_t *ids = alloc(c, count * sizeof *ids);
        if (!ids) return NULL;
        j->kind = CX_JSEL_IDS;
        for (size_t i = 0; i < count; i++) {
            const cx_tnode *v = n->kind == CX_TSTRING ? n : item(n, i);
            if ((ids[i] = cx__compile_resolve(c, v, CX_KIND_JURISDICTION, what)) == CX_NOSYM)
                return NULL;
        }
        qsort(ids, count, sizeof *ids, cmp_u32);
        j->ids = ids;
        j->nids = count;
        return j;
    }
    if (ctor && strcmp(ctor, "member_of") == 0) {
        if (cx__compile_fields(c, n, "member_of", member_keys, 0)) return NULL;
        const cx_tnode *g = field(n, "group");
        j->kind = CX_JSEL_MEMBER_OF;
        if (!g || (j->group = cx__compile_resolve(c, g, CX_KIND_GROUP, what)) == CX_NOSYM)
            return NULL;
        j->status = dup(c, cx__compile_string(c, n, "status", "member_of", 0));
        return j;
    }
    if (ctor && (strcmp(ctor, "any_of") == 0 || strcmp(ctor, "all_of") == 0)) {
        if (cx__compile_fields(c, n, ctor, none, 1)) return NULL;
        const cx_jsel **parts = alloc(c, nitems(n) * sizeof *parts);
        if (!parts || !nitems(n)) {
            if (parts) cx__compile_error(c, n, "%s: an empty %s selects nothing", what, ctor);
            return NULL;
        }
        j->kind = strcmp(ctor, "any_of") == 0 ? CX_JSEL_ANY_OF : CX_JSEL_ALL_OF;
        for (size_t i = 0; i < nitems(n); i++)
            if (!(parts[i] = cx__compile_jsel(c, item(n, i), what, depth + 1))) return NULL;
        j->parts = (const cx_jsel *const *)parts;
        j->nparts = nitems(n);
        return j;
    }
    cx__compile_error(c, n,
                      "%s: expected a jurisdiction selector (a jurisdiction id, a list of them, "
                      "member_of \"GROUP\", any_of, all_of), found %s",
                      what, ctor ? ctor : kind_name(n));
    return NULL;
}

/* ------------------------------------------------------------ requirements */

static const char *const slot_options[] = {"label", "min_grade", "min_results", "verified", NULL};

const cx_req *cx__compile_requirement(compiler *c, const cx_tnode *n, int depth);

/* The options every slot may carry. */
static int slot_extras(compiler *c, const cx_tnode *n, cx_req *r, const char *what)
{
    const cx_tnode *mr = field(n, "min_results");
    r->min_grade = dup(c, cx__compile_string(c, n, "min_grade", what, 0));
    if (cx__compile_flag(c, n, "verified", what, &r->verified)) return 1;
    if (!mr) return 0;
    if (mr->kind != CX_TMAP || nitems(mr)) {
        cx__compile_error(c, mr,
                          "%s: min_results must be a table of result names and numbers, "
                          "such as { english = 18 }",
                          what);
        return 1;
    }
    cx_min_result *v = alloc(c, mr->as.table.nfields * sizeof *v);
    if (!v) return 1;
    for (size_t i = 0; i < mr->as.table.nfields; i++) {
        v[i].key = dup(c, mr->as.table.fields[i].key);
        if (cx__compile_number(c, mr->as.table.fields[i].value, "min_results", &v[i].value))
            return 1;
    }
    r->min_results = v;
    r->nmin_results = mr->as.table.nfields;
    return 0;
}

/* A slot for the one credential id names: it fills from that credential
 * alone. 0, or 1 when id is not a credential (reported) or out of memory. */
static int credential_slot(compiler *c, const cx_tnode *id, cx_req *r)
{
    uint64_t *set;
    r->kind = CX_REQ_CREDENTIAL;
    r->credential = cx__compile_resolve(c, id, CX_KIND_CREDENTIAL, "credential");
    if (r->credential == CX_NOSYM || !(set = new_set(c))) return 1;
    set_add(set, r->credential);
    r->fills = set;
    return 0;
}

/* Warns when min_grade makes the slot unfillable: no credential it fills
 * from has a grade scale, or none has the grade on its scale (an award's
 * grade is ranked on its own credential's scale). */
static void lint_min_grade(compiler *c, const cx_req *r)
{
    const cx_snap_credential *one = NULL;
    size_t scaled = 0, fills = 0;
    for (uint32_t s = 0; s < cx__snapshot_count(c->snap, CX_KIND_CREDENTIAL); s++) {
        const cx_snap_credential *cr = &c->snap->credentials[s];
        if (!has_bit(r->fills, s)) continue;
        one = cr;
        fills++;
        scaled += cr->ngrades > 0;
        for (uint32_t g = 0; g < cr->ngrades; g++)
            if (strcmp(cr->grades[g], r->min_grade) == 0) return;
    }
    if (!fills) return; /* warned about already: it fills from nothing */
    cx_buf why;
    cx__buf_init(&why);
    if (fills > 1 && scaled)
        cx__buf_printf(&why, "\"%s\" is on the grade_scale of no credential it fills from",
                       r->min_grade);
    else if (fills > 1)
        cx__buf_printf(&why, "no credential it fills from has a grade_scale");
    else if (!scaled)
        cx__buf_printf(&why, "credential '%s' has no grade_scale", one->id);
    else {
        const char *near = cx_nearest(r->min_grade, one->grades, one->ngrades);
        cx__buf_printf(&why, "\"%s\" is not on the grade_scale of '%s' (", r->min_grade, one->id);
        for (uint32_t g = 0; g < one->ngrades; g++)
            cx__buf_printf(&why, "%s%s", g ? ", " : "", one->grades[g]);
        cx__buf_printf(&why, ")");
        if (near) cx__buf_printf(&why, "; did you mean \"%s\"?", near);
    }
    cx__compile_warning(c, &r->src,
                        "%s { min_grade = \"%s\" }: no award can fill this slot, so it decides "
                        "not_started for every holder: %s",
                        r->text, r->min_grade, why.data ? why.data : "out of memory");
    cx__buf_free(&why);
}

static int slot(compiler *c, const cx_tnode *n, const char *ctor, cx_req *r)
{
    static const char *const id_keys[] = {"id",          "label",    "min_grade",
                                          "min_results", "verified", NULL};
    static const char *const matching_keys[] = {"pattern",     "label",    "min_grade",
                                                "min_results", "verified", NULL};
    static const char *const tagged_keys[] = {"tag",         "label",    "min_grade",
                                              "min_results", "verified", NULL};
    (void)slot_options;
    if (n->kind == CX_TSTRING) return credential_slot(c, n, r); /* a plain string: "ID" */
    const char *const *keys = strcmp(ctor, "matching") == 0 ? matching_keys
                              : strcmp(ctor, "tagged") == 0 ? tagged_keys
                                                            : id_keys;
    if (cx__compile_fields(c, n, ctor, keys, 0)) return 1;
    if (strcmp(ctor, "credential") == 0) {
        const cx_tnode *v = field(n, "id");
        if (!v || credential_slot(c, v, r)) return 1;
    } else {
        r->kind = strcmp(ctor, "matching") == 0 ? CX_REQ_MATCHING
                  : strcmp(ctor, "tagged") == 0 ? CX_REQ_TAGGED
                                                : CX_REQ_COMPETENCY;
        r->credential = CX_NOSYM;
        if (!(r->fills = credentials_where(c, ctor, n, ctor))) return 1;
        if (set_empty(c, r->fills))
            cx__compile_warning(c, &r->src, "%s fills from no credential in the registry", r->text);
    }
    if (slot_extras(c, n, r, ctor)) return 1;
    if (r->min_grade) lint_min_grade(c, r);
    return 0;
}

static int structure(compiler *c, const cx_tnode *n, const char *ctor, cx_req *r, int depth)
{
    static const char *const keys[] = {"label", NULL};
    static const char *const at_least_keys[] = {"n", "label", NULL};
    int at_least = strcmp(ctor, "at_least") == 0;
    if (cx__compile_fields(c, n, ctor, at_least ? at_least_keys : keys, 1)) return 1;
    size_t count = nitems(n);
    const cx_req **parts = alloc(c, count * sizeof *parts);
    if (!parts) return 1;
    if (count == 0) {
        cx__compile_error(c, n, "%s: no requirements inside", ctor);
        return 1;
    }
    int bad = 0;
    for (size_t i = 0; i < count; i++)
        bad |= !(parts[i] = cx__compile_requirement(c, item(n, i), depth + 1));
    r->parts = (const cx_req *const *)parts;
    r->nparts = count;
    r->kind = at_least ? CX_REQ_AT_LEAST : strcmp(ctor, "all") == 0 ? CX_REQ_ALL : CX_REQ_ANY;
    r->need = r->kind == CX_REQ_ALL ? count : 1;
    if (at_least) {
        const cx_tnode *v = field(n, "n");
        if (!v || v->kind != CX_TINT || v->as.integer < 0 || (size_t)v->as.integer > count) {
            cx__compile_error(c, v ? v : n,
                              "at_least: n must be a whole number from 0 to %zu (the parts)",
                              count);
            return 1;
        }
        r->need = (size_t)v->as.integer;
    }
    return bad;
}

static int total(compiler *c, const cx_tnode *n, const char *ctor, cx_req *r)
{
    static const char *const hours_keys[] = {"n", "selector", "label", "verified", NULL};
    static const char *const sum_keys[] = {"attr",  "n",        "group_by", "selector",
                                           "label", "verified", NULL};
    int hours = strcmp(ctor, "hours") == 0;
    if (cx__compile_fields(c, n, ctor, hours ? hours_keys : sum_keys, 0)) return 1;
    r->kind = hours ? CX_REQ_HOURS : CX_REQ_SUM;
    const cx_tnode *v = field(n, "n"), *sel = field(n, "selector");
    if (!v || cx__compile_number(c, v, ctor, &r->threshold)) return 1;
    if (hours && !sel) {
        cx__compile_error(c, n, "hours: a selector is required (any_credential for all)");
        return 1;
    }
    if (sel && !(r->selector = cx__compile_selector(c, sel, ctor))) return 1;
    if (cx__compile_flag(c, n, "verified", ctor, &r->verified)) return 1;
    if (!hours) {
        r->attr = dup(c, cx__compile_string(c, n, "attr", "sum", 1));
        r->group_by = dup(c, cx__compile_string(c, n, "group_by", "sum", 0));
        if (!r->attr) return 1;
    }
    return 0;
}

static int holder_attr(compiler *c, const cx_tnode *n, cx_req *r)
{
    static const char *const keys[] = {"key", "op", "value", "label", NULL};
    static const char *const ops[] = {"=", "~=", "<", "<=", ">", ">="};
    if (cx__compile_fields(c, n, "holder_attr", keys, 0)) return 1;
    r->kind = CX_REQ_HOLDER_ATTR;
    r->key = dup(c, cx__compile_string(c, n, "key", "holder_attr", 1));
    const char *op = cx__compile_string(c, n, "op", "holder_attr", 1);
    const cx_tnode *v = field(n, "value");
    size_t k = 0;
    while (op && k < CX_COUNT(ops) && strcmp(ops[k], op) != 0) k++;
    if (!r->key || !op || k == CX_COUNT(ops) || !v) {
        if (op && k == CX_COUNT(ops))
            cx__compile_error(
                c, n, "holder_attr: unknown operator '%s'; expected =, ~=, <, <=, >, >=", op);
        return 1;
    }
    r->op = (cx_cmp_op)k;
    if (v->kind == CX_TSTRING) {
        r->value = dup(c, v->as.string.bytes);
    } else {
        int64_t h;
        char buf[40];
        if (cx__compile_number(c, v, "holder_attr", &h)) return 1;
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
    if (cx__compile_fields(c, n, "check", keys, 0)) return 1;
    const cx_tnode *fn = field(n, "fn");
    if (!fn || fn->kind != CX_TFUNC) {
        cx__compile_error(c, n, "check: expected a function(ctx) ... end");
        return 1;
    }
    r->kind = CX_REQ_CHECK;
    r->pack = fn->as.func.pack;
    r->fn = fn->as.func.ordinal;
    return 0;
}

const cx_req *cx__compile_requirement(compiler *c, const cx_tnode *n, int depth)
{
    cx_req *r = alloc(c, sizeof *r);
    if (!r) return NULL;
    if (depth > 32) {
        cx__compile_error(c, n, "requirements nested too deeply (more than 32 levels)");
        return NULL;
    }
    r->src = src_of(c, n);
    r->text = cx__compile_text(c, n);
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
        cx__compile_error(
            c, n,
            "expected a requirement (a credential id, credential, matching, tagged, "
            "competency, hours, sum, all, any, at_least, holder_attr, check), found %s",
            ctor ? ctor : kind_name(n));
        return NULL;
    }
    r->label = n->kind == CX_TSTRING ? NULL : dup(c, cx__compile_string(c, n, "label", "label", 0));
    return bad ? NULL : r;
}
