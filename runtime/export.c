/*
 * export.c -- cx_export (`credex export`): the registry read, in one read
 * transaction, through the registry family's bulk scans into a catalog
 * model, cut to the part the options ask for, and handed to
 * render_catalog.c. It builds no SQL and formats no text.
 */
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "registry.h"
#include "util.h"

static const char *const part_names[] = {
    [CX_EXPORT_EVERYTHING] = "everything",
    [CX_EXPORT_CREDENTIALS] = "credentials",
    [CX_EXPORT_HOLDERS] = "holders",
    [CX_EXPORT_AWARDS] = "awards",
    [CX_EXPORT_JURISDICTIONS] = "jurisdictions",
    [CX_EXPORT_GROUPS] = "groups",
    [CX_EXPORT_PROVIDERS] = "providers",
    [CX_EXPORT_FRAMEWORKS] = "frameworks",
    [CX_EXPORT_COMPETENCIES] = "competencies",
    [CX_EXPORT_EXCEPTIONS] = "exceptions",
};

const char *cx_export_part_name(cx_export_part part)
{
    return (size_t)part < CX_COUNT(part_names) ? part_names[part] : "?";
}

int cx_export_part_parse(const char *name, cx_export_part *out)
{
    for (size_t k = 0; name && k < CX_COUNT(part_names); k++)
        if (strcmp(name, part_names[k]) == 0) {
            *out = (cx_export_part)k;
            return 0;
        }
    return -1;
}

/* ------------------------------------------------------------ the scans */

#define MAX_COLS 10

/* One scanned row; its text lives in the model's arena (NULL: SQL NULL). */
typedef struct row {
    const char *col[MAX_COLS];
    int64_t integer[MAX_COLS];
} row;

/* The rows of one scan, in the scan's order. */
typedef struct rows {
    row *v;
    size_t n, cap;
} rows;

typedef struct exporter {
    cx_catalog cat;           /* the model being built */
    rows scan[CX_SCAN_COUNT]; /* every scan the model needs */
    cx_error *err;
} exporter;

typedef struct collecting {
    exporter *x;
    rows *into;
} collecting;

/* A cx_row_fn: copies the row into c->into. */
static int collect(void *ud, const cx_col *cols, size_t ncols)
{
    collecting *c = ud;
    rows *t = c->into;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        row *v = realloc(t->v, cap * sizeof *v);
        if (!v) return cx__error(c->x->err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        t->v = v;
        t->cap = cap;
    }
    row *w = &t->v[t->n++];
    memset(w, 0, sizeof *w);
    for (size_t i = 0; i < ncols && i < MAX_COLS; i++) {
        w->integer[i] = cols[i].integer;
        if (cols[i].text &&
            !(w->col[i] = cx__arena_strndup(&c->x->cat.arena, cols[i].text, cols[i].len)))
            return cx__error(c->x->err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    return 0;
}

/* Every scan the model is made of, in one read transaction. */
static int read_scans(cx_registry *r, exporter *x)
{
    int began, rc = cx__registry_read_begin(r, &began, x->err);
    for (int s = 0; s < CX_SCAN_COUNT && !rc; s++) {
        if (s == CX_SCAN_TAGS) continue; /* the tags of each credential suffice */
        collecting c = {x, &x->scan[s]};
        rc = cx__registry_scan(r, (cx_scan)s, collect, &c, x->err);
    }
    cx__registry_read_end(r, began);
    return rc;
}

/* The first of t's rows whose column 0 is owner, from *at on; *at moves
 * past the last of them. t is in byte order of column 0 and owners are
 * asked for in byte order, so *at only moves on. */
static size_t slice(const rows *t, size_t *at, const char *owner)
{
    while (*at < t->n && strcmp(t->v[*at].col[0], owner) < 0) (*at)++;
    size_t from = *at;
    while (*at < t->n && strcmp(t->v[*at].col[0], owner) == 0) (*at)++;
    return from;
}

static void *array(exporter *x, size_t n, size_t size)
{
    void *p = cx__arena_alloc(&x->cat.arena, (n + 1) * size);
    if (p) memset(p, 0, (n + 1) * size);
    return p;
}

#define ARRAY(x, field, count)                                                                     \
    ((x)->cat.field.n = (x)->cat.field.cap = (count),                                              \
     (x)->cat.field.v = array((x), (count), sizeof *(x)->cat.field.v))

/* Columns a and b of rows [from, to) as key-value pairs (NULL when none). */
static cx_cat_kv *pairs(exporter *x, const rows *t, size_t from, size_t to, int a, int b)
{
    cx_cat_kv *kv = array(x, to - from, sizeof *kv);
    for (size_t i = from; kv && i < to; i++) {
        kv[i - from].key = t->v[i].col[a];
        kv[i - from].value = t->v[i].col[b];
    }
    return kv;
}

/* Column a of rows [from, to), NULL-terminated. */
static const char **column(exporter *x, const rows *t, size_t from, size_t to, int a)
{
    const char **v = array(x, to - from, sizeof *v);
    for (size_t i = from; v && i < to; i++) v[i - from] = t->v[i].col[a];
    return v;
}

static int64_t number(const row *w, int i)
{
    return w->col[i] ? w->integer[i] : CX_NO_NUMBER;
}

/* ------------------------------------------------------------ the model */

static int places(exporter *x)
{
    const rows *j = &x->scan[CX_SCAN_JURISDICTIONS], *g = &x->scan[CX_SCAN_GROUPS],
               *m = &x->scan[CX_SCAN_MEMBERS], *p = &x->scan[CX_SCAN_PROVIDERS];
    if (!ARRAY(x, jurisdictions, j->n) || !ARRAY(x, groups, g->n) || !ARRAY(x, providers, p->n))
        return -1;
    for (size_t i = 0; i < j->n; i++)
        x->cat.jurisdictions.v[i] = (cx_cat_jurisdiction){
            .id = j->v[i].col[0], .name = j->v[i].col[1], .kind = j->v[i].col[2]};
    size_t at = 0;
    for (size_t i = 0; i < g->n; i++) {
        cx_cat_group *o = &x->cat.groups.v[i];
        size_t from = slice(m, &at, g->v[i].col[0]);
        o->id = g->v[i].col[0];
        o->name = g->v[i].col[1];
        o->nmembers = at - from;
        if (!(o->members = array(x, o->nmembers, sizeof *o->members))) return -1;
        for (size_t k = from; k < at; k++)
            o->members[k - from] = (cx_cat_membership){.jurisdiction = m->v[k].col[1],
                                                       .from = m->v[k].col[2],
                                                       .until = m->v[k].col[3],
                                                       .status = m->v[k].col[4]};
    }
    for (size_t i = 0; i < p->n; i++)
        x->cat.providers.v[i] = (cx_cat_provider){
            .id = p->v[i].col[0], .name = p->v[i].col[1], .jurisdiction = p->v[i].col[2]};
    return 0;
}

static int frameworks(exporter *x)
{
    const rows *f = &x->scan[CX_SCAN_FRAMEWORKS], *c = &x->scan[CX_SCAN_COMPETENCIES];
    if (!ARRAY(x, frameworks, f->n) || !ARRAY(x, competencies, c->n)) return -1;
    for (size_t i = 0; i < f->n; i++)
        x->cat.frameworks.v[i] = (cx_cat_framework){.id = f->v[i].col[0], .name = f->v[i].col[1]};
    for (size_t i = 0; i < c->n; i++)
        x->cat.competencies.v[i] = (cx_cat_competency){.id = c->v[i].col[0],
                                                       .framework = c->v[i].col[1],
                                                       .text = c->v[i].col[2],
                                                       .parent = c->v[i].col[3]};
    return 0;
}

static int credentials(exporter *x)
{
    const rows *c = &x->scan[CX_SCAN_CREDENTIALS];
    const rows *comp = &x->scan[CX_SCAN_CRED_COMPETENCIES], *tags = &x->scan[CX_SCAN_CRED_TAGS],
               *codes = &x->scan[CX_SCAN_CRED_CODES], *attrs = &x->scan[CX_SCAN_CRED_ATTRS],
               *grades = &x->scan[CX_SCAN_CRED_GRADES];
    size_t at[5] = {0}, from;
    if (!ARRAY(x, credentials, c->n)) return -1;
    for (size_t i = 0; i < c->n; i++) {
        const row *w = &c->v[i];
        cx_cat_credential *o = &x->cat.credentials.v[i];
        *o = (cx_cat_credential){.id = w->col[0],
                                 .name = w->col[1],
                                 .type = w->col[2],
                                 .provider = w->col[3],
                                 .jurisdiction = w->col[4],
                                 .hours = number(w, 5),
                                 .valid_for = w->col[6],
                                 .version = w->col[7],
                                 .effective_from = w->col[8],
                                 .effective_until = w->col[9]};
        from = slice(comp, &at[0], o->id);
        o->ncompetencies = at[0] - from;
        o->competencies = column(x, comp, from, at[0], 1);
        from = slice(tags, &at[1], o->id);
        o->ntags = at[1] - from;
        o->tags = column(x, tags, from, at[1], 1);
        from = slice(codes, &at[2], o->id);
        o->ncodes = at[2] - from;
        o->codes = pairs(x, codes, from, at[2], 1, 2);
        from = slice(attrs, &at[3], o->id);
        o->nattributes = at[3] - from;
        o->attributes = pairs(x, attrs, from, at[3], 1, 2);
        from = slice(grades, &at[4], o->id);
        o->ngrade_scale = at[4] - from;
        o->grade_scale = column(x, grades, from, at[4], 2);
        if (!o->competencies || !o->tags || !o->codes || !o->attributes || !o->grade_scale)
            return -1;
    }
    return 0;
}

static int by_id(const void *key, const void *holder)
{
    return strcmp(key, ((const cx_cat_holder *)holder)->id);
}

/* Award order within a holder: byte order of id, but the repeats of one
 * default id ("h/C/2025-01-02#2" ... "#10") by their number, the order
 * an import gives them theirs. */
static int award_order(const void *pa, const void *pb)
{
    const char *a = ((const cx_cat_award *)pa)->id, *b = ((const cx_cat_award *)pb)->id;
    const char *ha = strchr(a, '#'), *hb = strchr(b, '#');
    if (ha && hb && ha - a == hb - b && strncmp(a, b, (size_t)(ha - a)) == 0 &&
        strlen(ha) != strlen(hb))
        return strlen(ha) < strlen(hb) ? -1 : 1;
    return strcmp(a, b);
}

/* An award's provenance from its CX_SCAN_AWARD_PROVENANCE row. */
static int provenance(exporter *x, const row *w, cx_cat_award *o)
{
    cx_cat_provenance *p = array(x, 1, sizeof *p);
    if (!p) return -1;
    *p = (cx_cat_provenance){.format = w->col[1],
                             .source_id = w->col[2],
                             .issuer = w->col[3],
                             .proof = w->col[4],
                             .verification = w->col[5],
                             .note = w->col[6],
                             .status_checked = w->col[7]};
    o->provenance = p;
    return 0;
}

/* Each award goes to its holder's list, in award_order. */
static int awards(exporter *x)
{
    const rows *a = &x->scan[CX_SCAN_AWARDS], *res = &x->scan[CX_SCAN_AWARD_RESULTS],
               *ev = &x->scan[CX_SCAN_AWARD_EVIDENCE], *pv = &x->scan[CX_SCAN_AWARD_PROVENANCE];
    cx_cat_holder *h = x->cat.holders.v;
    size_t nh = x->cat.holders.n, at_res = 0, at_ev = 0, at_pv = 0;
    cx_cat_holder **owner = calloc(a->n + 1, sizeof *owner);
    if (!owner) return -1;
    for (size_t i = 0; i < a->n; i++)
        if ((owner[i] = bsearch(a->v[i].col[1], h, nh, sizeof *h, by_id))) owner[i]->nawards++;
    int rc = 0;
    for (size_t k = 0; k < nh && !rc; k++) {
        h[k].awards = array(x, h[k].nawards, sizeof *h[k].awards);
        rc = h[k].awards ? 0 : -1;
        x->cat.nawards += h[k].nawards;
        h[k].nawards = 0;
    }
    for (size_t i = 0; i < a->n && !rc; i++) {
        const row *w = &a->v[i];
        if (!owner[i]) continue;
        cx_cat_award *o = &owner[i]->awards[owner[i]->nawards++];
        *o = (cx_cat_award){.id = w->col[0],
                            .credential = w->col[2],
                            .issued = w->col[3],
                            .expires = w->col[4],
                            .jurisdiction = w->col[5],
                            .hours = number(w, 6),
                            .status = w->col[7],
                            .grade = w->col[8]};
        size_t from = slice(res, &at_res, o->id);
        o->nresults = at_res - from;
        if (!(o->results = pairs(x, res, from, at_res, 1, 2))) rc = -1;
        from = slice(ev, &at_ev, o->id);
        if (at_ev > from) o->evidence = ev->v[from].col[1];
        from = slice(pv, &at_pv, o->id);
        if (at_pv > from && !rc) rc = provenance(x, &pv->v[from], o);
    }
    for (size_t k = 0; k < nh && !rc; k++)
        qsort(h[k].awards, h[k].nawards, sizeof *h[k].awards, award_order);
    free(owner);
    return rc;
}

static int holders(exporter *x)
{
    const rows *h = &x->scan[CX_SCAN_HOLDERS], *attrs = &x->scan[CX_SCAN_HOLDER_ATTRS];
    rows *e = &x->scan[CX_SCAN_EXCEPTIONS];
    size_t at = 0;
    if (!ARRAY(x, holders, h->n) || !ARRAY(x, exceptions, e->n)) return -1;
    for (size_t i = 0; i < h->n; i++) {
        cx_cat_holder *o = &x->cat.holders.v[i];
        size_t from = slice(attrs, &at, h->v[i].col[0]);
        *o = (cx_cat_holder){.id = h->v[i].col[0], .jurisdiction = h->v[i].col[1]};
        o->nattributes = at - from;
        if (!(o->attributes = pairs(x, attrs, from, at, 1, 2))) return -1;
    }
    for (size_t i = 0; i < e->n; i++) {
        row *w = &e->v[i];
        for (int k = 2; k <= 4; k++) /* the registry keeps an absent waive or substitute as "" */
            if (w->col[k] && !w->col[k][0]) w->col[k] = NULL;
        x->cat.exceptions.v[i] = (cx_cat_exception){.holder = w->col[0],
                                                    .stack = w->col[1],
                                                    .waive = w->col[2],
                                                    .substitute_for = w->col[3],
                                                    .substitute_use = w->col[4],
                                                    .by = w->col[5],
                                                    .reason = w->col[6]};
    }
    return awards(x);
}

/* ------------------------------------------------------------- the part */

/* Drops the frameworks that have no competency. */
static void drop_empty_frameworks(cx_catalog *cat)
{
    size_t n = 0;
    for (size_t i = 0; i < cat->frameworks.n; i++) {
        size_t k = 0;
        while (k < cat->competencies.n &&
               strcmp(cat->competencies.v[k].framework, cat->frameworks.v[i].id) != 0)
            k++;
        if (k < cat->competencies.n) cat->frameworks.v[n++] = cat->frameworks.v[i];
    }
    cat->frameworks.n = n;
}

/* Keeps the holders that have awards (any), or holder's entry (not NULL),
 * and holder's exceptions. */
static void keep_holders(cx_catalog *cat, int with_awards, const char *holder)
{
    size_t n = 0;
    for (size_t i = 0; i < cat->holders.n; i++) {
        const cx_cat_holder *h = &cat->holders.v[i];
        if ((!with_awards || h->nawards) && (!holder || strcmp(h->id, holder) == 0))
            cat->holders.v[n++] = *h;
    }
    cat->holders.n = n;
    n = 0;
    for (size_t i = 0; holder && i < cat->exceptions.n; i++)
        if (strcmp(cat->exceptions.v[i].holder, holder) == 0)
            cat->exceptions.v[n++] = cat->exceptions.v[i];
    if (holder) cat->exceptions.n = n;
}

/* Empties every section but those of part, and keeps only holder's
 * entries when holder is given. */
static void cut(cx_catalog *cat, cx_export_part part, const char *holder)
{
    int every = part == CX_EXPORT_EVERYTHING && !holder;
    if (!every && part != CX_EXPORT_JURISDICTIONS) cat->jurisdictions.n = 0;
    if (!every && part != CX_EXPORT_GROUPS) cat->groups.n = 0;
    if (!every && part != CX_EXPORT_PROVIDERS) cat->providers.n = 0;
    if (!every && part != CX_EXPORT_FRAMEWORKS && part != CX_EXPORT_COMPETENCIES)
        cat->frameworks.n = cat->competencies.n = 0;
    if (!every && part != CX_EXPORT_CREDENTIALS) cat->credentials.n = 0;
    if (part != CX_EXPORT_EVERYTHING && part != CX_EXPORT_HOLDERS && part != CX_EXPORT_AWARDS)
        cat->holders.n = 0;
    if (part != CX_EXPORT_EVERYTHING && part != CX_EXPORT_EXCEPTIONS) cat->exceptions.n = 0;
    if (part == CX_EXPORT_COMPETENCIES) drop_empty_frameworks(cat);
    keep_holders(cat, part == CX_EXPORT_AWARDS, holder);
}

static int check_options(const cx_export_options *opt, cx_error *err)
{
    cx_export_part p = opt->only;
    if ((size_t)p >= CX_COUNT(part_names))
        return cx__error(err, CX_EUSAGE, NULL, 0, 0, "unknown export part %d", (int)p);
    if (opt->holder && p != CX_EXPORT_EVERYTHING && p != CX_EXPORT_HOLDERS &&
        p != CX_EXPORT_AWARDS && p != CX_EXPORT_EXCEPTIONS)
        return cx__error(err, CX_EUSAGE, NULL, 0, 0,
                         "a holder does not apply to %s (only to holders, awards and exceptions)",
                         part_names[p]);
    if (opt->format == CX_EXPORT_CSV && p != CX_EXPORT_EVERYTHING && p != CX_EXPORT_AWARDS)
        return cx__error(err, CX_EUSAGE, NULL, 0, 0,
                         "CSV holds awards only, not %s (export %s as YAML)", part_names[p],
                         part_names[p]);
    if (opt->format != CX_EXPORT_YAML && opt->format != CX_EXPORT_CSV)
        return cx__error(err, CX_EUSAGE, NULL, 0, 0, "unknown export format %d", (int)opt->format);
    return CX_OK;
}

static int export_locked(cx_registry *r, const cx_export_options *opt, cx_write_fn write, void *ud,
                         cx_error *err)
{
    exporter x;
    memset(&x, 0, sizeof x);
    cx__arena_init(&x.cat.arena);
    x.err = err;
    int rc = read_scans(r, &x);
    if (!rc && (places(&x) || frameworks(&x) || credentials(&x) || holders(&x)))
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    if (!rc) {
        cut(&x.cat, opt->format == CX_EXPORT_CSV ? CX_EXPORT_AWARDS : opt->only, opt->holder);
        rc = opt->format == CX_EXPORT_CSV ? cx__awards_write_csv(&x.cat, write, ud)
                                          : cx__catalog_write_yaml(&x.cat, write, ud);
    }
    for (int s = 0; s < CX_SCAN_COUNT; s++) free(x.scan[s].v);
    cx__arena_free(&x.cat.arena);
    return rc;
}

int cx_export(cx_registry *r, const cx_export_options *opt, cx_write_fn write, void *ud,
              cx_error *err)
{
    static const cx_export_options everything = {CX_EXPORT_EVERYTHING, NULL, CX_EXPORT_YAML};
    if (!opt) opt = &everything;
    cx_error_clear(err);
    int rc = check_options(opt, err);
    return rc ? rc : CX__REGISTRY_CALL(r, err, export_locked(r, opt, write, ud, err));
}
