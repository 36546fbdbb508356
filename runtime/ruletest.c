/*
 * ruletest.c -- the rule-test runner (docs/design.md §7): finds *.test.yaml files,
 * reads each strictly (unknown keys located, with what was expected),
 * builds every case's in-memory registry from its catalogs and holder,
 * compiles its packs against it and hands each expectation to its
 * evaluator (ruletest.h). It evaluates no rule itself and prints nothing:
 * outcomes go to the caller's callbacks.
 */
#define _XOPEN_SOURCE 700 /* realpath */

#include "ruletest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "date.h"
#include "gaps.h"
#include "yaml_reader.h"

#define DEFAULT_HOLDER "test-holder"

/* ------------------------------------------------------------------ model */

/* Paths a test file names, resolved from its folder. */
typedef struct pathlist {
    const char **v;       /* resolved paths, in the order written */
    const cx_ydoc **docs; /* catalogs only: each path's document (owned by the file) */
    size_t n;
} pathlist;

/* The outcome of loading one list of packs against one registry. */
typedef struct loaded {
    cx_rules *rules; /* owned; NULL when a pack had an error */
    cx_diagnostics diags;
    cx_error err; /* the load's error when rules is NULL */
} loaded;

typedef struct tcase {
    const char *name;
    int line;
    const cx_ynode *holder; /* the holder mapping, or NULL */
    const char *as_of;      /* the case's, else the file's */
    const pathlist *catalogs;
    const pathlist *rules;
    int own_catalogs; /* 1 when the case gives its own catalog list */
    cx__expect *expects;
    size_t nexpects;
    int has_check; /* a check expectation: pack errors are then what is tested */
} tcase;

/* Packs loaded against a file's base registry, kept for the cases that
 * share it. */
typedef struct cached_rules {
    const pathlist *paths;
    loaded result;
} cached_rules;

typedef struct tfile {
    const char *path;       /* as found */
    const char *dir;        /* its folder with a trailing '/', or "" */
    cx_ydoc *doc;           /* owned */
    cx_arena arena;         /* cases, expectations, resolved paths */
    cx_strmap catalog_docs; /* resolved catalog path -> cx_ydoc* (owned): each parsed once */
    pathlist catalogs, rules;
    const char *as_of;
    tcase *cases;
    size_t ncases;
    cx_registry *base;   /* the file's catalogs, no case holder */
    cached_rules *cache; /* packs loaded against base */
    size_t ncache;
    const cx_limits *limits; /* caps on the test file and its catalogs; NULL: defaults */
} tfile;

/* The state of one run. */
typedef struct runner {
    const cx_test_options *opt;
    cx_test_summary *sum;
    cx__coverage *cov; /* with opt->on_coverage, else NULL */
} runner;

/* ---------------------------------------------------------- reading helpers */

typedef struct reader {
    tfile *f;
    cx_error *err;
} reader;

static int fail(const reader *rd, const cx_ynode *n, const char *fmt, ...) CX_PRINTF(3, 4);
static int fail(const reader *rd, const cx_ynode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cx__verror(rd->err, CX_EINPUT, rd->f->path, n ? n->line : 0, n ? n->column : 0, fmt, ap);
    va_end(ap);
    return CX_EINPUT;
}

static int nomem(cx_error *err)
{
    return cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory");
}

/* n must be a mapping whose keys are all allowed and hold every required;
 * an unknown key names the nearest allowed one ("did you mean 'name'?"). */
static int check_keys(const reader *rd, const cx_ynode *n, const char *what,
                      const char *const *allowed, const char *const *required)
{
    cx_yschema s = {.what = what, .keys = allowed, .required = required, .suggest = 1};
    return cx__ycheck_map(rd->f->path, n, &s, rd->err);
}

/* The scalar text of node, refusing non-scalars, empty values and nulls. */
static int scalar(const reader *rd, const cx_ynode *n, const char *key, const char **out)
{
    return cx__yscalar(rd->f->path, n, key, out, rd->err);
}

/* An optional scalar field: *out stays NULL when the key is absent. */
static int opt_text(const reader *rd, const cx_ynode *map, const char *key, const char **out)
{
    const cx_ynode *v = cx__ymap_get(map, key);
    *out = NULL;
    return v ? scalar(rd, v, key, out) : CX_OK;
}

static int opt_date(const reader *rd, const cx_ynode *map, const char *key, const char **out)
{
    const char *why;
    cx_date d;
    int rc = opt_text(rd, map, key, out);
    if (rc || !*out) return rc;
    if (cx__date_parse(*out, &d, &why) != 0)
        return fail(rd, cx__ymap_get(map, key), "invalid date '%s' for '%s': %s", *out, key, why);
    return CX_OK;
}

/* An optional expiry: a date, or "never" (a met stack whose award never
 * expires). */
static int opt_expiry(const reader *rd, const cx_ynode *map, const char *key, const char **out)
{
    int rc = opt_text(rd, map, key, out);
    if (rc || !*out || strcmp(*out, "never") == 0) return rc;
    return opt_date(rd, map, key, out);
}

/* An optional list of scalars; *given says whether the key was there. */
static int opt_strings(const reader *rd, const cx_ynode *map, const char *key, cx__strlist *out,
                       int *given)
{
    const cx_ynode *v = cx__ymap_get(map, key);
    memset(out, 0, sizeof *out);
    *given = v != NULL;
    if (!v) return CX_OK;
    if (v->kind != CX_YLIST)
        return fail(rd, v, "expected a list for '%s', found %s (write [a, b])", key,
                    cx__ynode_kind_name(v->kind));
    out->v = cx__arena_alloc(&rd->f->arena, (v->count + 1) * sizeof *out->v);
    if (!out->v) return nomem(rd->err);
    cx_strmap seen; /* the texts so far -> their node: linear time for any length */
    int rc = CX_OK;
    cx__strmap_init(&seen);
    for (size_t i = 0; i < v->count && !rc; i++) {
        void *first = NULL;
        char at[600];
        if ((rc = scalar(rd, v->items[i], key, &out->v[i]))) break;
        int put = cx__strmap_put(&seen, out->v[i], (void *)v->items[i], &first);
        const cx_ynode *f = first;
        if (put < 0)
            rc = nomem(rd->err);
        else if (put == 1)
            rc = fail(rd, v->items[i], "'%s' is listed twice in '%s' (first at %s)", out->v[i], key,
                      cx__yplace(at, sizeof at, rd->f->path, f->line, f->column, f->where));
    }
    cx__strmap_free(&seen);
    if (rc) return rc;
    out->n = v->count;
    return CX_OK;
}

/* ------------------------------------------------------------------ paths */

/* 1 when path has a ".." component. */
static int has_dotdot(const char *path)
{
    for (const char *p = path; (p = strstr(p, "..")); p += 2)
        if ((p == path || p[-1] == '/') && (p[2] == '/' || p[2] == '\0')) return 1;
    return 0;
}

/* A path with ".." made readable for messages: the real path, relative to
 * the current directory when it is below it. Symbolic links are followed,
 * so it names the same file; a path that does not exist stays as it is. */
static const char *tidy(tfile *f, const char *path)
{
    char cwd[4096];
    const char *out = path;
    if (!has_dotdot(path)) return path;
    char *real = realpath(path, NULL);
    if (!real) return path;
    size_t n = getcwd(cwd, sizeof cwd) ? strlen(cwd) : 0;
    if (n > 1 && strncmp(real, cwd, n) == 0 && real[n] == '/')
        out = cx__arena_strdup(&f->arena, real + n + 1);
    else
        out = cx__arena_strdup(&f->arena, real);
    free(real);
    return out;
}

/* path as written, resolved from the test file's folder ("." is the folder). */
static const char *resolve(tfile *f, const char *path)
{
    cx_buf b;
    const char *out;
    while (path[0] == '.' && path[1] == '/')
        for (path += 2; *path == '/';) path++;
    if (path[0] == '/' || !f->dir[0]) {
        out = cx__arena_strdup(&f->arena, path[0] ? path : ".");
        return out ? tidy(f, out) : NULL;
    }
    cx__buf_init(&b);
    if (strcmp(path, ".") == 0 || !path[0])
        cx__buf_add(&b, f->dir, strlen(f->dir) - 1);
    else
        cx__buf_printf(&b, "%s%s", f->dir, path);
    out = b.oom ? NULL : cx__arena_strdup(&f->arena, b.data);
    cx__buf_free(&b);
    return out ? tidy(f, out) : NULL;
}

/* The parsed catalog at path, read once per test file. */
static int catalog_doc(const reader *rd, const char *path, const cx_ydoc **out)
{
    cx_ydoc *doc = cx__strmap_get(&rd->f->catalog_docs, path);
    if (!doc) {
        int rc = cx__yaml_load_file_limited(path, rd->f->limits, &doc, rd->err);
        if (rc) return rc;
        if (cx__strmap_put(&rd->f->catalog_docs, cx__ydoc_name(doc), doc, NULL) < 0) {
            cx__ydoc_free(doc);
            return nomem(rd->err);
        }
    }
    *out = doc;
    return CX_OK;
}

/* One path of a `catalog` or `rules` field: resolved, present, and for a
 * catalog parsed. */
static int one_path(const reader *rd, const cx_ynode *n, const char *key, pathlist *out)
{
    const char *written;
    struct stat st;
    int rc = scalar(rd, n, key, &written);
    if (rc) return rc;
    const char *path = resolve(rd->f, written);
    if (!path) return nomem(rd->err);
    int catalog = strcmp(key, "catalog") == 0;
    if (stat(path, &st) != 0)
        return fail(rd, n, "no such %s '%s' (paths are relative to the test file's folder)",
                    catalog ? "catalog file" : "rule pack or directory", path);
    if (catalog && !S_ISREG(st.st_mode))
        return fail(rd, n, "catalog '%s' is not a file; name catalog files", path);
    out->v[out->n] = path;
    if (catalog && (rc = catalog_doc(rd, path, &out->docs[out->n]))) return rc;
    out->n++;
    return CX_OK;
}

/* A `catalog` or `rules` field: one path or a list of them. */
static int path_field(const reader *rd, const cx_ynode *map, const char *key, pathlist *out)
{
    const cx_ynode *v = cx__ymap_get(map, key);
    size_t count = !v ? 0 : v->kind == CX_YLIST ? v->count : 1;
    memset(out, 0, sizeof *out);
    if (!v) return CX_OK;
    if (v->kind == CX_YMAP)
        return fail(rd, v, "expected a path or a list of paths for '%s', found a mapping", key);
    out->v = cx__arena_alloc(&rd->f->arena, (count + 1) * sizeof *out->v);
    out->docs = cx__arena_alloc(&rd->f->arena, (count + 1) * sizeof *out->docs);
    if (!out->v || !out->docs) return nomem(rd->err);
    if (v->kind == CX_YSCALAR) return one_path(rd, v, key, out);
    for (size_t i = 0; i < count; i++) {
        int rc = one_path(rd, v->items[i], key, out);
        if (rc) return rc;
    }
    return CX_OK;
}

/* ----------------------------------------------------------- expectations */

typedef int (*parse_fn)(const reader *rd, const cx_ynode *n, const tcase *tc, cx__expect *e);

static int parse_check(const reader *rd, const cx_ynode *n, const tcase *tc, cx__expect *e)
{
    const cx_ynode *m = cx__ymap_get(n, "message");
    cx_regex *re = NULL;
    cx_error rerr;
    (void)tc;
    if (!m) return CX_OK;
    int rc = scalar(rd, m, "message", &e->message_text);
    if (rc) return rc;
    if (strcmp(e->status, "error") != 0)
        return fail(rd, m, "'message' applies only to status: error");
    if (cx__regex_compile(e->message_text, strlen(e->message_text), &re, &rerr) != CX_OK)
        return rerr.code == CX_ENOMEM ? nomem(rd->err)
                                      : fail(rd, m, "invalid 'message': %s", rerr.message);
    e->message = re;
    return CX_OK;
}

static int parse_audit(const reader *rd, const cx_ynode *n, const tcase *tc, cx__expect *e)
{
    int rc;
    if ((rc = opt_text(rd, n, "stack", &e->stack)) ||
        (rc = opt_date(rd, n, "issued", &e->issued)) ||
        (rc = opt_expiry(rd, n, "expires", &e->expires)) ||
        (rc = opt_strings(rd, n, "used", &e->used, &e->used_given)) ||
        (rc = opt_strings(rd, n, "gaps", &e->gaps, &e->gaps_given)))
        return rc;
    if (!tc->holder)
        return fail(rd, n,
                    "an audit expectation is about the case holder, and this case has no "
                    "'holder'");
    return CX_OK;
}

/* coverage: a ratio from 0 to 1 with at most two decimals, as hundredths. */
static int coverage_field(const reader *rd, const cx_ynode *n, cx__expect *e)
{
    const cx_ynode *v = cx__ymap_get(n, "coverage");
    const char *t;
    e->coverage = CX_NO_NUMBER;
    if (!v) return CX_OK;
    int rc = scalar(rd, v, "coverage", &t);
    if (rc) return rc;
    int64_t h = -1;
    if (t[0] >= '0' && t[0] <= '1' && (t[1] == '\0' || t[1] == '.')) {
        h = (t[0] - '0') * 100;
        const char *d = t + (t[1] == '.' ? 2 : 1);
        if (t[1] == '.' && !(d[0] >= '0' && d[0] <= '9')) h = -1;
        for (int place = 10; h >= 0 && *d; d++, place /= 10)
            h = place && *d >= '0' && *d <= '9' ? h + (*d - '0') * place : -1;
    }
    if (h < 0 || h > 100)
        return fail(rd, v,
                    "invalid coverage '%s': expected a ratio from 0 to 1 with at most two "
                    "decimals, such as 0.8",
                    t);
    e->coverage = h;
    return CX_OK;
}

static int parse_equiv(const reader *rd, const cx_ynode *n, const tcase *tc, cx__expect *e)
{
    int rc;
    (void)tc;
    if ((rc = opt_text(rd, n, "from", &e->from)) || (rc = opt_text(rd, n, "to", &e->to)) ||
        (rc = opt_text(rd, n, "in", &e->in)) || (rc = coverage_field(rd, n, e)))
        return rc;
    return CX_OK;
}

static int parse_transfer(const reader *rd, const cx_ynode *n, const tcase *tc, cx__expect *e)
{
    int rc;
    if ((rc = opt_text(rd, n, "credential", &e->credential)) ||
        (rc = opt_text(rd, n, "award", &e->award)) || (rc = opt_text(rd, n, "from", &e->from)) ||
        (rc = opt_text(rd, n, "to", &e->to)))
        return rc;
    if (!e->credential == !e->award)
        return fail(rd, n,
                    "a transfer expectation names exactly one of 'credential' (a credential "
                    "type, with 'from') or 'award' (the case holder's award)");
    if (e->credential && !e->from)
        return fail(rd, n,
                    "transfer expectation is missing required key 'from' (with 'credential')");
    if (e->award && e->from)
        return fail(rd, cx__ymap_get(n, "from"),
                    "'from' does not apply with 'award': the award says where it was issued");
    if (e->award && !tc->holder)
        return fail(rd, cx__ymap_get(n, "award"),
                    "'award' names the case holder's award, and this case has no 'holder'");
    return CX_OK;
}

static const char *const check_fields[] = {"status", "message", NULL};
static const char *const check_required[] = {"status", NULL};
static const char *const check_statuses[] = {"ok", "error", NULL};
static const char *const audit_fields[] = {"stack",   "status", "issued", "expires",
                                           "missing", "used",   "gaps",   NULL};
static const char *const audit_required[] = {"stack", "status", NULL};
static const char *const audit_statuses[] = {"met", "in_progress", "not_started", "error", NULL};
static const char *const equiv_fields[] = {"from",     "to",      "in", "status",
                                           "coverage", "missing", NULL};
static const char *const equiv_required[] = {"from", "to", "status", NULL};
static const char *const equiv_statuses[] = {"equivalent", "partial", "not_equivalent", "error",
                                             NULL};
static const char *const transfer_fields[] = {"credential", "award",   "from", "to",
                                              "status",     "missing", NULL};
static const char *const transfer_required[] = {"to", "status", NULL};
static const char *const transfer_statuses[] = {"accepted",       "conditional", "denied",
                                                "not_recognized", "error",       NULL};

/* Each kind of expectation: its key under `expect`, its fields, statuses,
 * the parser of its own fields and its evaluator. Indexed by kind. */
static const struct expect_spec {
    const char *name;
    const char *const *fields, *const *required, *const *statuses;
    parse_fn parse;
    cx__expect_fn eval;
} specs[CX_EXPECT_KINDS] = {
    {"check", check_fields, check_required, check_statuses, parse_check, cx__expect_check},
    {"audit", audit_fields, audit_required, audit_statuses, parse_audit, cx__expect_audit},
    {"equiv", equiv_fields, equiv_required, equiv_statuses, parse_equiv, cx__expect_equiv},
    {"transfer", transfer_fields, transfer_required, transfer_statuses, parse_transfer,
     cx__expect_transfer},
};

static const char *const expect_names[] = {"check", "audit", "equiv", "transfer", NULL};

/* One expectation: key names its kind, n holds its fields. */
static int expectation(const reader *rd, const cx_ynode *key, const cx_ynode *n, const tcase *tc,
                       cx__expect *e)
{
    size_t k = 0;
    while (k < CX_EXPECT_KINDS && strcmp(specs[k].name, key->text) != 0) k++;
    if (k == CX_EXPECT_KINDS) {
        cx_yschema kinds = {.noun = "expectation", .keys = expect_names, .suggest = 1};
        return cx__yunknown_key(rd->f->path, key, &kinds, rd->err);
    }
    const struct expect_spec *s = &specs[k];
    char what[48];
    snprintf(what, sizeof what, "%s expectation", s->name);
    memset(e, 0, sizeof *e);
    e->kind = (cx__expect_kind)k;
    e->line = key->line;
    e->column = key->column;
    e->coverage = CX_NO_NUMBER;
    int rc = check_keys(rd, n, what, s->fields, s->required);
    if (rc || (rc = opt_text(rd, n, "status", &e->status))) return rc;
    if (!cx__listed(s->statuses, e->status)) {
        cx_buf b;
        cx__buf_init(&b);
        for (size_t i = 0; s->statuses[i]; i++)
            cx__buf_printf(&b, "%s%s", i ? ", " : "", s->statuses[i]);
        fail(rd, cx__ymap_get(n, "status"), "invalid status '%s' for %s; expected one of: %s",
             e->status, what, b.oom ? "" : b.data);
        cx__buf_free(&b);
        return CX_EINPUT;
    }
    if (k != CX_EXPECT_CHECK &&
        (rc = opt_strings(rd, n, "missing", &e->missing, &e->missing_given)))
        return rc;
    return s->parse(rd, n, tc, e);
}

/* `expect`: one mapping, or a list of them; every key of each mapping is
 * one expectation. */
static int expectations(const reader *rd, const cx_ynode *n, tcase *tc)
{
    const cx_ynode *const *maps = n->kind == CX_YLIST ? (const cx_ynode *const *)n->items : &n;
    size_t nmaps = n->kind == CX_YLIST ? n->count : 1, total = 0;
    for (size_t i = 0; i < nmaps; i++) {
        if (maps[i]->kind != CX_YMAP)
            return fail(rd, maps[i],
                        "expected an expectation mapping such as { check: { status: ok } }, "
                        "found %s",
                        cx__ynode_kind_name(maps[i]->kind));
        total += maps[i]->count;
    }
    if (!total)
        return fail(rd, n,
                    "'expect' needs at least one expectation, such as "
                    "{ check: { status: ok } }");
    tc->expects = cx__arena_alloc(&rd->f->arena, total * sizeof *tc->expects);
    if (!tc->expects) return nomem(rd->err);
    for (size_t i = 0; i < nmaps; i++)
        for (size_t j = 0; j < maps[i]->count; j++) {
            cx__expect *e = &tc->expects[tc->nexpects];
            int rc = expectation(rd, maps[i]->keys[j], maps[i]->items[j], tc, e);
            if (rc) return rc; /* a compiled message regex is always the last step */
            tc->nexpects++;
            tc->has_check |= e->kind == CX_EXPECT_CHECK;
        }
    return CX_OK;
}

/* ------------------------------------------------------------ test files */

static int test_case(const reader *rd, const cx_ynode *n, tcase *tc)
{
    static const char *const keys[] = {"name",  "holder", "as_of", "catalog",
                                       "rules", "expect", NULL};
    static const char *const required[] = {"name", "expect", NULL};
    tfile *f = rd->f;
    int rc = check_keys(rd, n, "test case", keys, required);
    if (rc) return rc;
    tc->line = n->line;
    tc->holder = cx__ymap_get(n, "holder");
    if ((rc = opt_text(rd, n, "name", &tc->name)) || (rc = opt_date(rd, n, "as_of", &tc->as_of)))
        return rc;
    if (!tc->as_of) tc->as_of = f->as_of;
    if (tc->holder && tc->holder->kind != CX_YMAP)
        return fail(rd, tc->holder,
                    "expected 'holder' to be a mapping (the fields of a catalog holder), found %s",
                    cx__ynode_kind_name(tc->holder->kind));
    pathlist *own = cx__arena_alloc(&f->arena, 2 * sizeof *own);
    if (!own) return nomem(rd->err);
    tc->own_catalogs = cx__ymap_get(n, "catalog") != NULL;
    if ((rc = path_field(rd, n, "catalog", &own[0])) || (rc = path_field(rd, n, "rules", &own[1])))
        return rc;
    tc->catalogs = tc->own_catalogs ? &own[0] : &f->catalogs;
    tc->rules = cx__ymap_get(n, "rules") ? &own[1] : &f->rules;
    return expectations(rd, cx__ymap_get(n, "expect"), tc);
}

static int read_test_file(tfile *f, cx_error *err)
{
    static const char *const keys[] = {"catalog", "rules", "as_of", "tests", NULL};
    static const char *const required[] = {"as_of", "tests", NULL};
    reader rd = {f, err};
    int rc = cx__yaml_load_file_limited(f->path, f->limits, &f->doc, err);
    if (rc) return rc;
    const cx_ynode *root = cx__ydoc_root(f->doc);
    if (!root)
        return cx__error(err, CX_EINPUT, f->path, 1, 1,
                         "empty test file; expected a mapping with catalog, rules, as_of "
                         "and tests");
    if ((rc = check_keys(&rd, root, "test file", keys, required)) ||
        (rc = opt_date(&rd, root, "as_of", &f->as_of)) ||
        (rc = path_field(&rd, root, "catalog", &f->catalogs)) ||
        (rc = path_field(&rd, root, "rules", &f->rules)))
        return rc;
    const cx_ynode *tests = cx__ymap_get(root, "tests");
    if (tests->kind != CX_YLIST || tests->count == 0)
        return fail(&rd, tests, "expected 'tests' to be a list of test cases, found %s",
                    tests->kind == CX_YLIST ? "an empty list" : cx__ynode_kind_name(tests->kind));
    f->cases = cx__arena_alloc(&f->arena, tests->count * sizeof *f->cases);
    if (!f->cases) return nomem(err);
    memset(f->cases, 0, tests->count * sizeof *f->cases);
    for (size_t i = 0; i < tests->count; i++) {
        f->ncases = i + 1; /* so that a failing case's regexes are freed */
        if ((rc = test_case(&rd, tests->items[i], &f->cases[i]))) return rc;
    }
    return CX_OK;
}

static int tfile_init(tfile *f, const char *path, cx_error *err)
{
    memset(f, 0, sizeof *f);
    cx__arena_init(&f->arena);
    cx__strmap_init(&f->catalog_docs);
    f->path = path;
    const char *slash = strrchr(path, '/');
    f->dir = slash ? cx__arena_strndup(&f->arena, path, (size_t)(slash - path) + 1) : "";
    return f->dir ? CX_OK : nomem(err);
}

static void loaded_free(loaded *ld)
{
    cx_rules_free(ld->rules);
    cx_diagnostics_free(&ld->diags);
}

static void tfile_free(tfile *f)
{
    for (size_t i = 0; i < f->ncases; i++)
        for (size_t j = 0; j < f->cases[i].nexpects; j++)
            cx__regex_free((cx_regex *)f->cases[i].expects[j].message);
    for (size_t i = 0; i < f->ncache; i++) loaded_free(&f->cache[i].result);
    free(f->cache);
    cx_registry_close(f->base);
    for (size_t i = 0; i < f->catalog_docs.cap; i++)
        if (f->catalog_docs.keys[i]) cx__ydoc_free(f->catalog_docs.values[i]);
    cx__strmap_free(&f->catalog_docs);
    cx__ydoc_free(f->doc);
    cx__arena_free(&f->arena);
}

/* ------------------------------------------------------- case environments */

/* A new in-memory registry with catalogs imported, then holder (when not
 * NULL) imported over them: a later import replaces a holder with the
 * same id. *holder_id is set to the holder's id (in f's arena). */
static int build_registry(tfile *f, const pathlist *catalogs, const cx_ynode *holder,
                          cx_registry **out, const char **holder_id, cx_error *err)
{
    cx_catalog_loader *ld = NULL;
    int rc = cx_registry_open(NULL, CX_OPEN_MEMORY | CX_OPEN_CREATE, out, err);
    if (rc) return rc;
    if ((rc = cx__catalog_loader_new(*out, &ld, err))) goto done;
    for (size_t i = 0; i < catalogs->n && rc == CX_OK; i++)
        rc = cx__catalog_loader_add_doc(ld, catalogs->docs[i], NULL, err);
    if (rc || (rc = cx__catalog_loader_commit(ld, NULL, NULL, err)) || !holder) goto done;
    cx__catalog_loader_free(ld);
    if ((rc = cx__catalog_loader_new(*out, &ld, err)) ||
        (rc = cx__catalog_loader_add_holder(ld, holder, f->path, DEFAULT_HOLDER, err)) ||
        (rc = cx__catalog_loader_commit(ld, NULL, NULL, err)))
        goto done;
    *holder_id = cx__arena_strdup(&f->arena, cx__catalog_loader_model(ld)->holders.v[0].id);
    if (!*holder_id) rc = nomem(err);
done:
    cx__catalog_loader_free(ld);
    if (rc) {
        cx_registry_close(*out);
        *out = NULL;
    }
    return rc;
}

/* Loads packs against r. A pack with an error is an outcome (CX_OK, with
 * out->rules NULL); only other failures are returned. */
static int load_rules(cx_registry *r, const pathlist *paths, loaded *out, cx_error *err)
{
    cx_diagnostics_init(&out->diags);
    cx_error_clear(&out->err);
    int rc = cx_rules_load(r, paths->v, paths->n, &out->rules, &out->diags, &out->err);
    if (rc == CX_OK || rc == CX_EINPUT) return CX_OK;
    *err = out->err;
    return rc;
}

static int same_paths(const pathlist *a, const pathlist *b)
{
    if (a == b) return 1;
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i], b->v[i]) != 0) return 0;
    return 1;
}

/* Packs loaded against the file's base registry, once per list of paths. */
static int base_rules(tfile *f, const pathlist *paths, const loaded **out, cx_error *err)
{
    for (size_t i = 0; i < f->ncache; i++)
        if (same_paths(f->cache[i].paths, paths)) {
            *out = &f->cache[i].result;
            return CX_OK;
        }
    cached_rules *c = realloc(f->cache, (f->ncache + 1) * sizeof *c);
    if (!c) return nomem(err);
    f->cache = c;
    c = &f->cache[f->ncache];
    c->paths = paths;
    int rc = load_rules(f->base, paths, &c->result, err);
    if (rc) {
        loaded_free(&c->result);
        return rc;
    }
    f->ncache++;
    *out = &c->result;
    return CX_OK;
}

/* What one case runs against; own_* are freed by the caller. */
typedef struct case_state {
    cx_registry *own_registry; /* when the case has a holder or its own catalogs */
    loaded own_rules;          /* packs loaded against own_registry */
    cx__case_env env;
} case_state;

/* Builds st->env for tc. Returns CX_OK, CX_EINPUT with err located (the
 * case's catalog or holder is bad), or another code that stops the run. */
static int case_env(tfile *f, const tcase *tc, case_state *st, cx_error *err)
{
    cx__case_env *env = &st->env;
    const loaded *ld = &st->own_rules;
    int rc;
    env->file = f->path;
    env->name = tc->name;
    env->line = tc->line;
    env->as_of = tc->as_of;
    if (!tc->holder && !tc->own_catalogs) {
        env->registry = f->base;
        if ((rc = base_rules(f, tc->rules, &ld, err))) return rc;
    } else {
        if ((rc = build_registry(f, tc->catalogs, tc->holder, &st->own_registry, &env->holder,
                                 err)) ||
            (rc = load_rules(st->own_registry, tc->rules, &st->own_rules, err)))
            return rc;
        env->registry = st->own_registry;
    }
    env->rules = ld->rules;
    env->diags = &ld->diags;
    env->load_error = &ld->err;
    return CX_OK;
}

/* ------------------------------------------------------------- evaluators */

void cx__first_load_error(const cx__case_env *env, char *buf, size_t size)
{
    buf[0] = '\0';
    if (env->rules) return;
    for (size_t i = 0; env->diags && i < env->diags->count; i++) {
        const cx_diagnostic *g = &env->diags->items[i];
        if (g->warning) continue;
        if (g->line > 0)
            snprintf(buf, size, "%s:%d: error: %s", g->file, g->line, g->message);
        else
            snprintf(buf, size, "%s: error: %s", g->file, g->message);
        return;
    }
    cx_error_format(env->load_error, buf, size);
}

int cx__expect_check(const cx__case_env *env, const cx__expect *e, int *holds, cx_buf *diff,
                     cx_error *err)
{
    char first[2048];
    cx_error rerr;
    cx__first_load_error(env, first, sizeof first);
    if (strcmp(e->status, "ok") == 0) {
        *holds = env->rules != NULL;
        if (!*holds) cx__buf_printf(diff, "check: status error, expected ok: %s", first);
        return CX_OK;
    }
    if (env->rules) {
        *holds = 0;
        cx__buf_printf(diff, "check: status ok, expected error (the packs loaded: %zu rule%s)",
                       cx_rules_rule_count(env->rules),
                       cx_rules_rule_count(env->rules) == 1 ? "" : "s");
        return CX_OK;
    }
    if (!e->message) {
        *holds = 1;
        return CX_OK;
    }
    int m = cx__regex_test(e->message, first, strlen(first), &rerr);
    if (m < 0)
        return cx__error(err, rerr.code == CX_ENOMEM ? CX_ENOMEM : CX_EINPUT, env->file, e->line,
                         e->column, "check message: %s", rerr.message);
    *holds = m;
    if (!m)
        cx__buf_printf(diff, "check: the first error does not match \"%s\": %s", e->message_text,
                       first);
    return CX_OK;
}

/* Appends one difference of an expectation: the subject before the
 * first, "; " before the others. */
static void differ(cx_buf *diff, const char *subject, int *holds)
{
    cx__buf_printf(diff, *holds ? "%s: " : "; ", subject);
    *holds = 0;
}

/* What every decision expectation checks: the status (with the first
 * reason when it differs) and, when given, missing. */
static void compare_decision(const char *subject, const cx__expect *e, const cx_decision *d,
                             int *holds, cx_buf *diff)
{
    const char *got = cx_status_name(d->status);
    if (strcmp(got, e->status) != 0) {
        differ(diff, subject, holds);
        cx__buf_printf(diff, "status %s, expected %s", got, e->status);
        if (d->nreasons && d->reasons[0].message)
            cx__buf_printf(diff, " (%s)", d->reasons[0].message);
    }
    if (!e->missing_given) return;
    cx_buf part;
    cx__buf_init(&part);
    if (!cx__expect_same_set("missing", &e->missing, (const char *const *)d->missing, d->nmissing,
                             &part)) {
        differ(diff, subject, holds);
        cx__buf_puts(diff, part.data ? part.data : "");
    }
    cx__buf_free(&part);
}

/* An evaluator's refusal of the expectation as written (an unknown id, a
 * bad date) is a located error in the test file; other failures stop. */
static int refused(const cx__case_env *env, const cx__expect *e, const cx_error *why, cx_error *err)
{
    if (why->code != CX_EUSAGE && why->code != CX_EINPUT) {
        *err = *why;
        return why->code ? why->code : CX_EREGISTRY;
    }
    return cx__error(err, CX_EINPUT, env->file, e->line, e->column, "%s: %s", specs[e->kind].name,
                     why->message);
}

int cx__expect_equiv(const cx__case_env *env, const cx__expect *e, int *holds, cx_buf *diff,
                     cx_error *err)
{
    cx_decision *d = NULL;
    cx_error derr;
    char subject[600];
    cx_error_clear(&derr);
    if (cx_equiv(env->rules, e->from, e->to, e->in, env->as_of, &d, &derr) != CX_OK)
        return refused(env, e, &derr, err);
    snprintf(subject, sizeof subject, "equiv %s -> %s%s%s", e->from, e->to, e->in ? " in " : "",
             e->in ? e->in : "");
    *holds = 1;
    compare_decision(subject, e, d, holds, diff);
    if (e->coverage != CX_NO_NUMBER && !d->has_coverage) {
        differ(diff, subject, holds);
        cx__buf_printf(diff, "no coverage rule applied, expected coverage %d.%02d",
                       (int)(e->coverage / 100), (int)(e->coverage % 100));
    } else if (e->coverage != CX_NO_NUMBER &&
               !cx__expect_coverage_matches(e->coverage, (uint64_t)d->covered,
                                            (uint64_t)d->total)) {
        uint64_t c = (uint64_t)d->covered, t = (uint64_t)d->total;
        uint64_t got = t ? (c * 200 + t) / (2 * t) : 0;
        differ(diff, subject, holds);
        cx__buf_printf(diff, "coverage %llu/%llu (%llu.%02llu), expected %d.%02d",
                       (unsigned long long)c, (unsigned long long)t,
                       (unsigned long long)(got / 100), (unsigned long long)(got % 100),
                       (int)(e->coverage / 100), (int)(e->coverage % 100));
    }
    cx__coverage_decision(env->cov, d);
    cx_decision_free(d);
    return CX_OK;
}

/* The one decision about the case holder's award of e->award (NULL when
 * the holder has none by the as-of date). */
static int award_decision(const cx__case_env *env, const cx__expect *e, cx_decision **out,
                          cx_error *err)
{
    cx_decision **v = NULL;
    size_t n = 0, found = 0;
    cx_error derr;
    cx_error_clear(&derr);
    *out = NULL;
    if (cx_transfer_holder(env->rules, env->holder, e->to, env->as_of, &v, &n, &derr) != CX_OK)
        return refused(env, e, &derr, err);
    for (size_t i = 0; i < n; i++)
        if (v[i]->credential && strcmp(v[i]->credential, e->award) == 0 && !found++) {
            *out = v[i];
            v[i] = NULL;
        }
    cx_decisions_free(v, n);
    if (found <= 1) return CX_OK;
    cx_decision_free(*out);
    *out = NULL;
    return cx__error(err, CX_EINPUT, env->file, e->line, e->column,
                     "transfer: the case holder has %zu awards of %s; 'award' needs exactly one",
                     found, e->award);
}

int cx__expect_transfer(const cx__case_env *env, const cx__expect *e, int *holds, cx_buf *diff,
                        cx_error *err)
{
    cx_decision *d = NULL;
    cx_error derr;
    char subject[600];
    int rc;
    cx_error_clear(&derr);
    if (e->credential) {
        snprintf(subject, sizeof subject, "transfer %s from %s to %s", e->credential, e->from,
                 e->to);
        if (cx_transfer(env->rules, e->credential, e->from, e->to, env->as_of, &d, &derr))
            return refused(env, e, &derr, err);
    } else {
        snprintf(subject, sizeof subject, "transfer %s's award of %s to %s", env->holder, e->award,
                 e->to);
        if ((rc = award_decision(env, e, &d, err))) return rc;
    }
    *holds = 1;
    if (d) {
        compare_decision(subject, e, d, holds, diff);
    } else {
        differ(diff, subject, holds);
        cx__buf_printf(diff, "the holder has no award of %s issued by %s", e->award, env->as_of);
    }
    cx__coverage_decision(env->cov, d);
    cx_decision_free(d);
    return CX_OK;
}

/* The decision about stack among the case holder's audits (NULL when the
 * audit has none for it). */
static int stack_decision(const cx__case_env *env, const cx__expect *e, cx_decision **out,
                          cx_error *err)
{
    cx_decision **v = NULL;
    size_t n = 0;
    cx_error derr;
    cx_error_clear(&derr);
    *out = NULL;
    if (cx_audit(env->rules, env->holder, e->stack, env->as_of, &v, &n, &derr) != CX_OK)
        return refused(env, e, &derr, err);
    for (size_t i = 0; i < n && !*out; i++)
        if (v[i]->stack && strcmp(v[i]->stack, e->stack) == 0) {
            *out = v[i];
            v[i] = NULL;
        }
    cx_decisions_free(v, n);
    return CX_OK;
}

/* A date of a met stack's award against the expected one; "" is never
 * (expires) or none (issued, when not met). */
static void compare_date(const char *subject, const char *field, const char *want, const char *got,
                         const char *none, int *holds, cx_buf *diff)
{
    if (!want || strcmp(want, got[0] ? got : none) == 0) return;
    differ(diff, subject, holds);
    cx__buf_printf(diff, "%s %s, expected %s", field, got[0] ? got : none, want);
}

/* gaps: each of d's gaps in words, one line each, against the expected
 * ones as a set. */
static void compare_gaps(const char *subject, const cx__expect *e, const cx_decision *d, int *holds,
                         cx_buf *diff)
{
    cx_buf *words = calloc(d->ngaps + 1, sizeof *words), part;
    const char **got = calloc(d->ngaps + 1, sizeof *got);
    cx__buf_init(&part);
    for (size_t i = 0; words && got && i < d->ngaps; i++) {
        cx__buf_init(&words[i]);
        cx__gap_words(&words[i], &d->gaps[i], "; ");
        got[i] = words[i].data ? words[i].data : "";
    }
    if (!words || !got) cx__buf_puts(&part, "out of memory");
    if (!words || !got || !cx__expect_same_set("gaps", &e->gaps, got, d->ngaps, &part)) {
        differ(diff, subject, holds);
        cx__buf_puts(diff, part.data ? part.data : "");
    }
    for (size_t i = 0; words && i < d->ngaps; i++) cx__buf_free(&words[i]);
    free(words);
    free(got);
    cx__buf_free(&part);
}

int cx__expect_audit(const cx__case_env *env, const cx__expect *e, int *holds, cx_buf *diff,
                     cx_error *err)
{
    cx_decision *d = NULL;
    char subject[600];
    int rc = stack_decision(env, e, &d, err);
    if (rc) return rc;
    snprintf(subject, sizeof subject, "audit %s for %s", e->stack, env->holder);
    *holds = 1;
    if (!d) {
        differ(diff, subject, holds);
        cx__buf_puts(diff, "no decision for this stack");
        return CX_OK;
    }
    compare_decision(subject, e, d, holds, diff);
    int met = d->status == CX_MET;
    compare_date(subject, "issued", e->issued, d->issued, "none", holds, diff);
    compare_date(subject, "expires", e->expires, d->expires, met ? "never" : "none", holds, diff);
    if (e->used_given) {
        const char **used = malloc((d->nused + 1) * sizeof *used);
        cx_buf part;
        cx__buf_init(&part);
        for (size_t i = 0; used && i < d->nused; i++) used[i] = d->used[i].credential;
        if (!used) cx__buf_puts(&part, "out of memory");
        if (!used || !cx__expect_same_set("used", &e->used, used, d->nused, &part)) {
            differ(diff, subject, holds);
            cx__buf_puts(diff, part.data ? part.data : "");
        }
        free(used);
        cx__buf_free(&part);
    }
    if (e->gaps_given) compare_gaps(subject, e, d, holds, diff);
    cx__coverage_decision(env->cov, d);
    cx_decision_free(d);
    return diff->oom ? nomem(err) : CX_OK;
}

static int has_string(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0) return 1;
    return 0;
}

static void add_list(cx_buf *b, const char *const *v, size_t n)
{
    cx__buf_puts(b, "[");
    for (size_t i = 0; i < n; i++) cx__buf_printf(b, "%s%s", i ? ", " : "", v[i]);
    cx__buf_puts(b, "]");
}

/* Appends the items of a not in b, "; "-separated, after label. */
static void add_absent(cx_buf *out, const char *label, const char *const *a, size_t na,
                       const char *const *b, size_t nb, int *first)
{
    int any = 0;
    for (size_t i = 0; i < na; i++) {
        if (has_string(b, nb, a[i]) || has_string(a, i, a[i])) continue;
        cx__buf_printf(out, "%s%s", any ? ", " : *first ? " (" : "; ", any ? "" : label);
        cx__buf_puts(out, a[i]);
        any = 1;
    }
    if (any) *first = 0;
}

int cx__expect_same_set(const char *field, const cx__strlist *want, const char *const *got,
                        size_t ngot, cx_buf *diff)
{
    const char *const *w = (const char *const *)want->v;
    int same = 1;
    for (size_t i = 0; i < want->n && same; i++) same = has_string(got, ngot, w[i]);
    for (size_t i = 0; i < ngot && same; i++) same = has_string(w, want->n, got[i]);
    if (same) return 1;
    int first = 1;
    cx__buf_printf(diff, "%s ", field);
    add_list(diff, got, ngot);
    cx__buf_puts(diff, ", expected ");
    add_list(diff, w, want->n);
    add_absent(diff, "extra: ", got, ngot, w, want->n, &first);
    add_absent(diff, "lacking: ", w, want->n, got, ngot, &first);
    if (!first) cx__buf_puts(diff, ")");
    return 0;
}

int cx__expect_coverage_matches(int64_t want, uint64_t covered, uint64_t total)
{
    if (total == 0) return 0;
    uint64_t hundredths = (covered * 200 + total) / (2 * total);
    return want >= 0 && (uint64_t)want == hundredths;
}

/* ------------------------------------------------------------------ running */

static void report(runner *rn, const cx_test_result *res)
{
    if (res->passed)
        rn->sum->passed++;
    else
        rn->sum->failed++;
    if (!res->passed && res->input_error) rn->sum->input_errors++;
    if (rn->opt && rn->opt->on_result) rn->opt->on_result(rn->opt->ud, res);
}

/* A test file, or a path given, that could not be read: one failed case. */
static void report_file_error(runner *rn, const char *path, const cx_error *located)
{
    char buf[2048];
    cx_error_format(located, buf, sizeof buf);
    cx_test_result res = {path, 0, NULL, 0, 1, buf};
    report(rn, &res);
}

/* Runs every expectation of tc; differences go to diff, "; "-separated.
 * *input is set when one cannot be evaluated as written. */
static int check_expectations(const tcase *tc, const cx__case_env *env, cx_buf *diff, int *input,
                              cx_error *err)
{
    for (size_t i = 0; i < tc->nexpects; i++) {
        const cx__expect *e = &tc->expects[i];
        size_t before = diff->len;
        int holds = 1, rc;
        if (before) cx__buf_puts(diff, "; ");
        cx__coverage_expect_begin(env->cov);
        if (e->kind != CX_EXPECT_CHECK && !env->rules) {
            holds = 0;
            cx__buf_printf(diff, "%s: the rule packs did not load", specs[e->kind].name);
        } else if ((rc = specs[e->kind].eval(env, e, &holds, diff, err)) == CX_EINPUT) {
            char buf[2048];
            cx_error_format(err, buf, sizeof buf);
            cx__buf_puts(diff, buf);
            holds = 0;
            *input = 1;
        } else if (rc) {
            return rc;
        }
        if (holds) diff->len = before; /* drop the separator */
        if (diff->data) diff->data[diff->len] = '\0';
    }
    return diff->oom ? nomem(err) : CX_OK;
}

static int run_case(runner *rn, tfile *f, const tcase *tc, cx_error *err)
{
    case_state st;
    cx_buf diff;
    cx_error cerr;
    int input = 0;
    memset(&st, 0, sizeof st);
    cx__buf_init(&diff);
    cx_error_clear(&cerr);
    int rc = case_env(f, tc, &st, &cerr);
    if (rc == CX_EINPUT) {
        char buf[2048];
        cx_error_format(&cerr, buf, sizeof buf);
        cx__buf_puts(&diff, buf);
        input = 1;
        rc = CX_OK;
    } else if (rc) {
        *err = cerr;
    } else if (!st.env.rules && !tc->has_check) {
        char buf[2048];
        cx__first_load_error(&st.env, buf, sizeof buf);
        cx__buf_printf(&diff, "the rule packs did not load: %s", buf);
        input = 1;
    } else {
        if (rn->opt && rn->opt->on_case) {
            cx_test_case_info info = {f->path,         tc->line,      tc->name,
                                      st.env.registry, st.env.holder, tc->as_of};
            rn->opt->on_case(rn->opt->ud, &info);
        }
        st.env.cov = rn->cov;
        cx__coverage_case_begin(rn->cov, st.env.rules);
        rc = check_expectations(tc, &st.env, &diff, &input, err);
        cx__coverage_case_end(rn->cov, st.env.rules);
    }
    if (rc == CX_OK && diff.oom) rc = nomem(err);
    if (rc == CX_OK) {
        cx_test_result res = {f->path,  tc->line,
                              tc->name, diff.len == 0 && !input,
                              input,    diff.len ? diff.data : NULL};
        report(rn, &res);
    }
    loaded_free(&st.own_rules);
    cx_registry_close(st.own_registry);
    cx__buf_free(&diff);
    return rc;
}

/* Reads one test file and runs its cases. */
static int run_file(runner *rn, const char *path, cx_error *err)
{
    tfile f;
    cx_error ferr;
    cx_error_clear(&ferr);
    int rc = tfile_init(&f, path, err);
    if (rc) goto done;
    f.limits = rn->opt ? rn->opt->limits : NULL;
    rc = read_test_file(&f, &ferr);
    if (rc == CX_OK) rc = build_registry(&f, &f.catalogs, NULL, &f.base, NULL, &ferr);
    if (rc == CX_EINPUT) {
        report_file_error(rn, path, &ferr);
        rc = CX_OK;
        goto done;
    }
    if (rc) {
        *err = ferr;
        goto done;
    }
    for (size_t i = 0; i < f.ncases && rc == CX_OK; i++) rc = run_case(rn, &f, &f.cases[i], err);
done:
    tfile_free(&f);
    return rc;
}

/* --------------------------------------------------------------- discovery */

/* The test files one argument names. CX_EINPUT (err located at the
 * argument) when it names none. */
static int files_of(const char *arg, cx_strlist *out, cx_error *err)
{
    struct stat st;
    if (stat(arg, &st) != 0)
        return cx__error(err, CX_EINPUT, arg, 0, 0, "no such test file or directory");
    if (!S_ISDIR(st.st_mode)) return cx__strlist_add(out, arg) ? nomem(err) : CX_OK;
    size_t len = strlen(arg);
    char *dir = cx__strndup(arg, len > 1 && arg[len - 1] == '/' ? len - 1 : len);
    if (!dir) return nomem(err);
    int rc = cx__walk_files(dir, ".test.yaml", out, err);
    free(dir);
    if (rc) return rc;
    if (!out->n)
        return cx__error(err, CX_EINPUT, arg, 0, 0, "no *.test.yaml files under this directory");
    qsort(out->v, out->n, sizeof *out->v, cx__strcmp_ptr);
    return CX_OK;
}

/* ------------------------------------------------------------- public API */

int cx_test_run(const char *const *paths, size_t npaths, const cx_test_options *opt,
                cx_test_summary *out, cx_error *err)
{
    runner rn = {opt, out, NULL};
    int rc = CX_OK;
    memset(out, 0, sizeof *out);
    if (opt && opt->on_coverage && (rc = cx__coverage_new(&rn.cov, err))) return rc;
    for (size_t i = 0; i < npaths && rc == CX_OK; i++) {
        cx_strlist files = {0};
        cx_error aerr;
        cx_error_clear(&aerr);
        rc = files_of(paths[i], &files, &aerr);
        if (rc == CX_EINPUT) {
            report_file_error(&rn, paths[i], &aerr);
            rc = CX_OK;
        } else if (rc) {
            *err = aerr;
        }
        for (size_t k = 0; k < files.n && rc == CX_OK; k++) rc = run_file(&rn, files.v[k], err);
        cx__strlist_free(&files);
    }
    if (rc == CX_OK && rn.cov) rc = cx__coverage_report(rn.cov, opt->on_coverage, opt->ud, err);
    cx__coverage_free(rn.cov);
    return rc;
}

int cx_test_exit_code(const cx_test_summary *s)
{
    return s->input_errors ? CX_EINPUT : s->failed ? 1 : 0;
}
