/*
 * csv_import.c -- CSV award lists in bulk (docs/interop.md): each list is
 * read a record at a time, once when it is added (shape, values, holders,
 * award ids, the ids its rows name) and again while the registry writes
 * it. In between it keeps the holders, one key per award and the distinct
 * ids the rows name, never the rows. No SQL: the writer gets its awards
 * through the model's streams.
 */
#include "csv_import.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv_reader.h"
#include "date.h"

#define RESULT_PREFIX "result."
#define PREFIX_BYTES  65536 /* read to tell a CSV list by its header */

/* The ids rows name, by what names them. */
enum { REF_CREDENTIAL, REF_JURISDICTION, REF_HOLDER_JURISDICTION, REF_KINDS };
static const cx_kind ref_kind[REF_KINDS] = {CX_KIND_CREDENTIAL, CX_KIND_JURISDICTION,
                                            CX_KIND_JURISDICTION};

/* A distinct id the rows name. */
typedef struct ref {
    const char *id;  /* in all->arena */
    int kind;        /* REF_... */
    uint32_t number; /* credentials: its number in award keys */
    int state;       /* 0: not resolved yet; 1: known; 2: unknown */
    size_t listed;   /* 1 + the last list that noted it in its used */
} ref;

/* One award of the import by numbers: <holder>/<credential>/<issued>. */
typedef struct award_key {
    uint32_t holder; /* UINT32_MAX: an empty slot */
    uint32_t credential;
    int32_t issued; /* days */
    uint32_t line;  /* of its row */
    uint32_t list;  /* the list of its row */
} award_key;

/* A holder any list names. */
typedef struct known_holder {
    const char *id; /* in all->arena */
    size_t model;   /* its holder in the model for list `list` */
    size_t list;    /* 1 + the list model belongs to; 0: none yet */
    int jur_line;   /* the row that gave that holder its jurisdiction */
} known_holder;

/* One list. */
typedef struct stream {
    cx_csv_awards *all;
    size_t number;          /* its index in all->lists */
    const char *path;       /* in all->arena */
    const char *holder_at;  /* the holder column's name, in all->arena */
    char *data;             /* a file that is not regular, read whole (owned); else NULL */
    size_t len;             /* bytes in data */
    struct stat st;         /* a regular file as first read: the same when written */
    uint64_t rows;          /* its data rows */
    unsigned char *skip;    /* a bit per row: left out (skip_invalid) */
    size_t skip_cap;        /* bytes of skip */
    size_t first, nholders; /* its holders: [first, first + nholders) of the model's */
    ref **used;             /* the distinct ids its rows name */
    size_t nused, capused;
    cx_strmap dropped; /* ids of its holders left out whole */
    cx_date latest;    /* the latest issue date of a row with no expires (INT32_MIN: none) */
} stream;

struct cx_csv_awards {
    cx_catalog_loader *ld;
    cx_arena arena;            /* ids and paths */
    stream **lists;            /* every list, in the order added */
    size_t nlists;             /* lists in use */
    cx_strmap refs[REF_KINDS]; /* id -> ref* */
    uint32_t ncredentials;     /* credential refs numbered */
    cx_strmap holders;         /* id -> 1 + index in hv */
    known_holder *hv;          /* every holder named */
    size_t nh, caph;
    size_t last;     /* 1 + the holder of the row before (lists often group a holder's rows) */
    award_key *keys; /* open addressing, a power of two */
    size_t nkeys, capkeys;
};

/* The columns of a list by role (SIZE_MAX: absent). */
typedef struct roles {
    size_t holder, credential, issued, expires, jurisdiction, hours, status, grade, evidence,
        holder_jur;
} roles;

/* One reading of a list. */
typedef struct pass {
    stream *s;
    cx_csv csv;
    roles col;
    cx_ynode *keys;       /* per column: its key (result.<key>: <key>) */
    cx_ynode *cells;      /* per column: the current row's value */
    cx_ynode **pairs;     /* 4 x ncolumns + 2: the row map's keys and values */
    cx_cat_kv *results;   /* per column: the award's results */
    cx_buf id;            /* the current award's id */
    cx_ynode results_key; /* "results" */
    uint64_t row;         /* the current row's index */
} pass;

static int nomem(cx_error *err, const char *file)
{
    return cx__error(err, CX_ENOMEM, file, 0, 0, "out of memory");
}

static const cx_limits *limits_of(const cx_csv_awards *all)
{
    return cx__catalog_options(all->ld)->limits;
}

/* ------------------------------------------------------------ one reading */

static size_t column_named(const cx_csv *r, const char *name)
{
    for (size_t i = 0; i < r->ncolumns; i++)
        if (strcmp(r->header[i], name) == 0) return i;
    return SIZE_MAX;
}

static int pass_shape(pass *p, cx_error *err)
{
    const cx_csv *r = &p->csv;
    size_t n = r->ncolumns, plen = sizeof RESULT_PREFIX - 1;
    p->keys = calloc(n, sizeof *p->keys);
    p->cells = calloc(n, sizeof *p->cells);
    p->pairs = calloc(4 * n + 2, sizeof *p->pairs);
    p->results = calloc(n + 1, sizeof *p->results);
    if (!p->keys || !p->cells || !p->pairs || !p->results) return nomem(err, p->s->path);
    p->results_key = (cx_ynode){.kind = CX_YSCALAR, .line = 1, .plain = 1};
    p->results_key.text = "results";
    p->results_key.len = strlen("results");
    for (size_t i = 0; i < n; i++) {
        const char *h = r->header[i];
        int result = strncmp(h, RESULT_PREFIX, plen) == 0;
        p->keys[i] = (cx_ynode){.kind = CX_YSCALAR, .line = 1, .plain = 1, .where = h};
        p->keys[i].text = result ? h + plen : h;
        p->keys[i].len = strlen(p->keys[i].text);
    }
    p->col = (roles){column_named(r, "holder"),       column_named(r, "credential"),
                     column_named(r, "issued"),       column_named(r, "expires"),
                     column_named(r, "jurisdiction"), column_named(r, "hours"),
                     column_named(r, "status"),       column_named(r, "grade"),
                     column_named(r, "evidence"),     column_named(r, "holder_jurisdiction")};
    return CX_OK;
}

/* Starts reading s: the file again (it must not have changed since it was
 * first read), or its bytes. */
static int pass_open(stream *s, pass *p, int fd, cx_error *err)
{
    struct stat st;
    memset(p, 0, sizeof *p);
    p->s = s;
    p->csv.fd = -1; /* closed: pass_close may follow any failure */
    cx__buf_init(&p->id);
    cx__buf_init(&p->csv.text);
    if (!s->data && fd < 0) {
        if ((fd = open(s->path, O_RDONLY)) < 0)
            return cx__error(err, CX_EINPUT, s->path, 0, 0, "cannot open: %s", strerror(errno));
        if (fstat(fd, &st) != 0 || st.st_size != s->st.st_size || st.st_ino != s->st.st_ino ||
            st.st_mtim.tv_sec != s->st.st_mtim.tv_sec ||
            st.st_mtim.tv_nsec != s->st.st_mtim.tv_nsec) {
            close(fd);
            return cx__error(err, CX_EINPUT, s->path, 0, 0,
                             "the file changed while it was imported; import it again");
        }
    }
    int rc = cx__csv_open(&p->csv, s->path, fd, s->data, s->len, limits_of(s->all), err);
    return rc ? rc : pass_shape(p, err);
}

static void pass_close(pass *p)
{
    cx__csv_close(&p->csv);
    free(p->keys);
    free(p->cells);
    free(p->pairs);
    free(p->results);
    cx__buf_free(&p->id);
}

/* The next row: *got 0 at the end. */
static int pass_next(pass *p, int *got)
{
    int rc = cx__csv_next(&p->csv, got);
    if (!rc && *got) p->row = p->csv.rows - 1;
    return rc;
}

static const char *cell_text(const pass *p, size_t col)
{
    return col != SIZE_MAX && p->csv.fields[col].len ? cx__csv_text(&p->csv, col) : NULL;
}

static cx_ynode *cell(pass *p, size_t i)
{
    cx_ynode *v = &p->cells[i];
    *v = (cx_ynode){.kind = CX_YSCALAR, .line = p->csv.record_line, .where = p->csv.header[i]};
    v->text = cx__csv_text(&p->csv, i);
    v->len = p->csv.fields[i].len;
    return v;
}

/* The current row as the award map the loader checks (as csv_reader.c's
 * document has it), into *map and *results (nodes of p). */
static void row_map(pass *p, cx_ynode *map, cx_ynode *results)
{
    size_t n = 0, nres = 0, cols = p->csv.ncolumns;
    cx_ynode **keys = p->pairs, **values = keys + cols + 1;
    cx_ynode **rkeys = values + cols + 1, **rvalues = rkeys + cols;
    for (size_t i = 0; i < cols; i++) {
        if (i == p->col.holder || i == p->col.holder_jur || p->csv.fields[i].len == 0) continue;
        cx_ynode *v = cell(p, i);
        int result = p->keys[i].text != p->csv.header[i];
        if (result && !nres)
            *results = (cx_ynode){.kind = CX_YMAP, .line = v->line, .where = v->where};
        if (result) {
            rkeys[nres] = &p->keys[i];
            rvalues[nres++] = v;
        } else {
            keys[n] = &p->keys[i];
            values[n++] = v;
        }
    }
    if (nres) {
        results->count = nres;
        results->keys = rkeys;
        results->items = rvalues;
        keys[n] = &p->results_key;
        values[n++] = results;
    }
    *map = (cx_ynode){.kind = CX_YMAP, .line = p->csv.record_line};
    map->count = n;
    map->keys = keys;
    map->items = values;
}

static int skipped(const stream *s, uint64_t row)
{
    return row / 8 < s->skip_cap && (s->skip[row / 8] >> (row % 8) & 1);
}

static int mark_skipped(stream *s, uint64_t row, cx_error *err)
{
    if (row / 8 >= s->skip_cap) {
        size_t cap = s->skip_cap ? s->skip_cap * 2 : 4096;
        while (row / 8 >= cap) cap *= 2;
        unsigned char *b = realloc(s->skip, cap);
        if (!b) return nomem(err, s->path);
        memset(b + s->skip_cap, 0, cap - s->skip_cap);
        s->skip = b;
        s->skip_cap = cap;
    }
    s->skip[row / 8] |= (unsigned char)(1u << (row % 8));
    return CX_OK;
}

/* --------------------------------------------------------------- the ids */

/* The ref of id (of kind), made on first sight, and noted as one list s uses. */
static int note_ref(stream *s, int kind, const char *id, ref **out, cx_error *err)
{
    cx_csv_awards *all = s->all;
    ref *f = cx__strmap_get(&all->refs[kind], id);
    if (!f) {
        if (!(f = cx__arena_alloc(&all->arena, sizeof *f)) ||
            !(f->id = cx__arena_strdup(&all->arena, id)))
            return nomem(err, s->path);
        f->number = kind == REF_CREDENTIAL ? all->ncredentials++ : 0;
        f->kind = kind;
        f->state = 0;
        f->listed = 0;
        if (cx__strmap_put(&all->refs[kind], f->id, f, NULL) < 0) return nomem(err, s->path);
    }
    if (f->listed != s->number + 1) {
        if (s->nused == s->capused) {
            size_t cap = s->capused ? s->capused * 2 : 16;
            ref **u = realloc(s->used, cap * sizeof *u);
            if (!u) return nomem(err, s->path);
            s->used = u;
            s->capused = cap;
        }
        s->used[s->nused++] = f;
        f->listed = s->number + 1;
    }
    *out = f;
    return CX_OK;
}

/* ------------------------------------------------------------ award keys */

/* The default award id, <holder>/<credential>/<issued>, into b. */
static void award_id(cx_buf *b, const char *holder, const char *credential, const char *issued)
{
    b->len = 0;
    cx__buf_puts(b, holder);
    cx__buf_add(b, "/", 1);
    cx__buf_puts(b, credential);
    cx__buf_add(b, "/", 1);
    cx__buf_puts(b, issued);
    cx__buf_add(b, "", 1);
    b->len--;
}

/* Where k's search starts in a table of cap slots. */
static size_t key_home(const award_key *k, size_t cap)
{
    uint64_t h = (uint64_t)k->holder << 32 ^ (uint64_t)k->credential << 20 ^ (uint32_t)k->issued;
    h = (h ^ h >> 30) * 0xBF58476D1CE4E5B9u; /* splitmix64's finisher */
    h = (h ^ h >> 27) * 0x94D049BB133111EBu;
    return (size_t)(h ^ h >> 31) & (cap - 1);
}

static size_t key_slot(const award_key *keys, size_t cap, const award_key *k)
{
    size_t i = key_home(k, cap);
    while (keys[i].holder != UINT32_MAX &&
           (keys[i].holder != k->holder || keys[i].credential != k->credential ||
            keys[i].issued != k->issued))
        i = (i + 1) & (cap - 1);
    return i;
}

/* Makes room for at least want keys (1024 at first, else twice as many). */
static int keys_grow(cx_csv_awards *all, size_t want)
{
    size_t cap = all->capkeys ? all->capkeys * 2 : 1024;
    while (want * 4 > cap * 3) cap *= 2;
    award_key *keys = malloc(cap * sizeof *keys);
    if (!keys) return -1;
    for (size_t i = 0; i < cap; i++) keys[i].holder = UINT32_MAX;
    for (size_t i = 0; i < all->capkeys; i++)
        if (all->keys[i].holder != UINT32_MAX)
            keys[key_slot(keys, cap, &all->keys[i])] = all->keys[i];
    free(all->keys);
    all->keys = keys;
    all->capkeys = cap;
    return 0;
}

/* The award key already there, or NULL after adding k (*oom on failure). */
static const award_key *key_add(cx_csv_awards *all, const award_key *k, int *oom)
{
    *oom = 0;
    if ((all->nkeys + 1) * 4 > all->capkeys * 3 && keys_grow(all, 0) != 0) {
        *oom = 1;
        return NULL;
    }
    size_t i = key_slot(all->keys, all->capkeys, k);
    if (all->keys[i].holder != UINT32_MAX) return &all->keys[i];
    all->keys[i] = *k;
    all->nkeys++;
    return NULL;
}

static const award_key *key_find(const cx_csv_awards *all, const award_key *k)
{
    if (!all->capkeys) return NULL;
    size_t i = key_slot(all->keys, all->capkeys, k);
    return all->keys[i].holder != UINT32_MAX ? &all->keys[i] : NULL;
}

/* "award 'ID' is defined twice in this import (first at PLACE)", at line of file. */
static int award_twice(cx_error *err, const char *file, int line, const char *id,
                       const cx_loc *first)
{
    char at[600];
    return cx__yerror(
        err, CX_EINPUT, file, line, 0, NULL,
        "award '%s' is defined twice in this import (first at %s)", id,
        cx__yplace(at, sizeof at, first->file, first->line, first->column, first->where));
}

/* --------------------------------------------------------------- holders */

static int known_holder_of(cx_csv_awards *all, const char *id, uint32_t *number, cx_error *err)
{
    uintptr_t n = all->last && strcmp(all->hv[all->last - 1].id, id) == 0
                      ? all->last
                      : (uintptr_t)cx__strmap_get(&all->holders, id);
    if (!n) {
        if (all->nh == all->caph) {
            size_t cap = all->caph ? all->caph * 2 : 1024;
            known_holder *v = realloc(all->hv, cap * sizeof *v);
            if (!v) return nomem(err, "");
            all->hv = v;
            all->caph = cap;
        }
        known_holder *h = &all->hv[all->nh];
        memset(h, 0, sizeof *h);
        if (!(h->id = cx__arena_strdup(&all->arena, id)) ||
            cx__strmap_put(&all->holders, h->id, (void *)(uintptr_t)(all->nh + 1), NULL) < 0)
            return nomem(err, "");
        n = ++all->nh;
    }
    *number = (uint32_t)(n - 1);
    all->last = n;
    return CX_OK;
}

/* A holder_jurisdiction that differs from the holder's first one: the
 * first is kept (docs/interop.md), this one goes to the report. */
static void report_other_jurisdiction(const pass *p, const cx_cat_holder *h, int first_line)
{
    const cx_import_options *opts = cx__catalog_options(p->s->all->ld);
    char why[600];
    cx_import_issue issue = {p->s->path, NULL, p->csv.record_line, p->csv.header[p->col.holder_jur],
                             why};
    if (!opts->report) return;
    snprintf(why, sizeof why,
             "holder '%.100s' is given jurisdiction '%.100s' on line %d; '%.100s' is ignored",
             h->id, h->jurisdiction, first_line, cx__csv_text(&p->csv, p->col.holder_jur));
    opts->report(opts->report_ud, &issue);
}

/* The model's holder of the current row in this list, made on first
 * sight (its id checked); its jurisdiction the first non-empty
 * holder_jurisdiction, checked as an id. */
static int row_holder(pass *p, uint32_t *number, cx_cat_holder **out, cx_error *err)
{
    stream *s = p->s;
    cx_csv_awards *all = s->all;
    cx_catalog *cat = cx__catalog_model(all->ld);
    int rc = known_holder_of(all, cx__csv_text(&p->csv, p->col.holder), number, err);
    if (rc) return rc;
    known_holder *kh = &all->hv[*number];
    if (kh->list != s->number + 1) {
        rc = cx__catalog_check_id(all->ld, s->path, cell(p, p->col.holder), "id", err);
        cx_cat_holder *h = rc ? NULL : cx__catalog_new_holder(all->ld);
        if (rc) return rc;
        if (!h) return nomem(err, s->path);
        h->id = kh->id;
        h->add_awards = 1;
        if (!s->holder_at &&
            !(s->holder_at = cx__arena_strdup(&all->arena, p->csv.header[p->col.holder])))
            return nomem(err, s->path);
        h->loc = (cx_loc){s->path, p->csv.record_line, 0, s->holder_at};
        kh->model = cat->holders.n - 1;
        kh->list = s->number + 1;
        s->nholders++;
    }
    cx_cat_holder *h = &cat->holders.v[kh->model];
    const char *jur = cell_text(p, p->col.holder_jur);
    ref *f;
    if (jur && !h->jurisdiction) {
        if ((rc = cx__catalog_check_id(all->ld, s->path, cell(p, p->col.holder_jur), "jurisdiction",
                                       err)) ||
            (rc = note_ref(s, REF_HOLDER_JURISDICTION, jur, &f, err)))
            return rc;
        h->jurisdiction = f->id;
        kh->jur_line = p->csv.record_line;
    } else if (jur && strcmp(jur, h->jurisdiction) != 0) {
        report_other_jurisdiction(p, h, kh->jur_line);
    }
    *out = h;
    return CX_OK;
}

/* ------------------------------------------------------ the first reading */

/* The current row's award key. */
static award_key row_key(const pass *p, uint32_t holder, const ref *cred, const cx_cat_award *a)
{
    const char *why;
    cx_date issued = 0;
    cx__date_parse(a->issued, &issued, &why); /* checked */
    return (award_key){holder, cred->number, issued, (uint32_t)p->csv.record_line,
                       (uint32_t)p->s->number};
}

/* The current row's award id, in p->id; NULL when out of memory. */
static const char *row_id(pass *p, const cx_cat_award *a)
{
    award_id(&p->id, cx__csv_text(&p->csv, p->col.holder), a->credential, a->issued);
    return p->id.oom ? NULL : p->id.data;
}

/* Starts loading the slot of the current row's award key while its values
 * are checked: the table is far larger than a cache, and this is most of
 * a row's wait for memory. */
static void prefetch_key(const pass *p, uint32_t holder, const ref *cred)
{
#if defined(__GNUC__)
    const char *why;
    cx_date issued;
    const cx_csv_awards *all = p->s->all;
    if (!all->capkeys || cx__date_parse(cx__csv_text(&p->csv, p->col.issued), &issued, &why))
        return;
    award_key k = {holder, cred->number, issued, 0, 0};
    __builtin_prefetch(&all->keys[key_home(&k, all->capkeys)]);
#else
    (void)p, (void)holder, (void)cred;
#endif
}

/* Checks the current row's award: values, references noted, its id once
 * in the import. CX_EINPUT for an error skip_invalid may leave out. */
static int row_award(pass *p, uint32_t holder, cx_error *err)
{
    stream *s = p->s;
    cx_csv_awards *all = s->all;
    cx_ynode map, results;
    cx_cat_award a;
    const char *credential = cx__csv_text(&p->csv, p->col.credential);
    ref *cred = cx__strmap_get(&all->refs[REF_CREDENTIAL], credential), *f;
    int rc = CX_OK, oom;
    if (!cred) /* a new id: checked once */
        rc = cx__catalog_check_id(all->ld, s->path, cell(p, p->col.credential), "credential", err);
    if (!rc && (!cred || cred->listed != s->number + 1))
        rc = note_ref(s, REF_CREDENTIAL, credential, &cred, err);
    if (rc) return rc;
    prefetch_key(p, holder, cred);
    row_map(p, &map, &results);
    if ((rc = cx__catalog_check_award(all->ld, s->path, &map, &a, err))) return rc;
    if (a.jurisdiction && (rc = note_ref(s, REF_JURISDICTION, a.jurisdiction, &f, err))) return rc;
    award_key k = row_key(p, holder, cred, &a);
    const char *id = NULL;
    const cx_loc *yaml = NULL; /* an award of another format, read before */
    if (cx__catalog_defines(all->ld, CX_KIND_AWARD)) {
        if (!(id = row_id(p, &a))) return nomem(err, s->path);
        yaml = cx__catalog_defined(all->ld, CX_KIND_AWARD, id);
    }
    if (yaml) return award_twice(err, s->path, p->csv.record_line, id, yaml);
    const award_key *first = key_add(all, &k, &oom);
    if (oom) return nomem(err, s->path);
    if (!first) return CX_OK;
    cx_loc at = {all->lists[first->list]->path, (int)first->line, 0, NULL};
    if (!id && !(id = row_id(p, &a))) return nomem(err, s->path);
    return award_twice(err, s->path, p->csv.record_line, id, &at);
}

static int first_row(pass *p, cx_error *err)
{
    const size_t need[] = {p->col.holder, p->col.credential, p->col.issued};
    stream *s = p->s;
    cx_catalog_loader *ld = s->all->ld;
    uint32_t number = 0;
    cx_cat_holder *h = NULL;
    for (size_t k = 0; k < CX_COUNT(need); k++)
        if (p->csv.fields[need[k]].len == 0)
            return cx__csv_error(&p->csv, CX_EINPUT, need[k],
                                 "empty value; every row needs a holder, a credential and an "
                                 "issue date");
    int rc = row_holder(p, &number, &h, err);
    if (rc) return rc;
    size_t model = (size_t)(h - cx__catalog_model(ld)->holders.v);
    rc = row_award(p, number, err);
    if (rc == CX_EINPUT && cx__catalog_options(ld)->skip_invalid) {
        cx__catalog_skip(ld, err);
        return mark_skipped(s, p->row, err);
    }
    if (rc) return rc;
    if (!cell_text(p, p->col.expires)) { /* its expiry may come from valid_for */
        const char *why;
        cx_date day;
        if (cx__date_parse(cx__csv_text(&p->csv, p->col.issued), &day, &why) == 0 &&
            day > s->latest)
            s->latest = day;
    }
    h = &cx__catalog_model(ld)->holders.v[model];
    h->rows++;
    h->rows_kept++;
    cx__catalog_model(ld)->nawards++;
    return CX_OK;
}

/* Reads list s the first time: every row checked. */
static int first_reading(stream *s, int fd, cx_error *err)
{
    pass p;
    int got = 1;
    s->first = cx__catalog_model(s->all->ld)->holders.n;
    int rc = pass_open(s, &p, fd, err);
    while (!rc && (rc = pass_next(&p, &got)) == CX_OK && got) rc = first_row(&p, err);
    s->rows = p.csv.rows;
    pass_close(&p);
    return rc;
}

/* ------------------------------------------------------------- adding one */

static int new_stream(cx_csv_awards *all, const char *path, stream **out, cx_error *err)
{
    stream **lists = realloc(all->lists, (all->nlists + 1) * sizeof *lists);
    stream *s = calloc(1, sizeof *s);
    if (lists) all->lists = lists;
    if (!lists || !s || !(s->path = cx__arena_strdup(&all->arena, path))) {
        free(s);
        return nomem(err, path);
    }
    s->all = all;
    s->number = all->nlists;
    s->latest = INT32_MIN;
    cx__strmap_init(&s->dropped);
    all->lists[all->nlists++] = s;
    *out = s;
    return CX_OK;
}

static int each_award(void *stream, cx_cat_award_fn fn, void *fn_ud, cx_error *err);

/* Reads list path (fd open on it, or its bytes in data, then owned) and
 * adds it to the model as a stream. */
static int add_list(cx_csv_awards *all, const char *path, int fd, const struct stat *st, char *data,
                    size_t len, cx_error *err)
{
    stream *s = NULL;
    int rc = new_stream(all, path, &s, err);
    if (rc) {
        if (fd >= 0) close(fd);
        free(data);
        return rc;
    }
    s->data = data;
    s->len = len;
    if (st) s->st = *st;
    cx_cat_stream cs = {each_award, s};
    rc = first_reading(s, fd, err);
    return rc ? rc : cx__catalog_add_stream(all->ld, &cs, s->number, err);
}

/* 1 when data (the first n bytes of a file, all of it when whole) is a
 * CSV award list, as catalog.c tells formats: not JSON, a CSV header. */
static int is_csv(const char *data, size_t n, int whole)
{
    size_t i = n >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (i < n && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n')) i++;
    if (i < n && (data[i] == '{' || data[i] == '[')) return 0;
    if (!whole && !memchr(data, '\n', n)) return 0; /* a first line longer than n */
    return cx__csv_detect(data, n);
}

/* Reads all of fd (not a regular file) under max_input_bytes. */
static int read_whole(cx_csv_awards *all, const char *path, int fd, char **data, size_t *len,
                      cx_error *err)
{
    const cx_limits *lim = limits_of(all);
    uint64_t max = lim && lim->max_input_bytes ? lim->max_input_bytes : CX_DEFAULT_MAX_INPUT_BYTES;
    size_t n = 0, cap = 65536;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) return nomem(err, path);
        if (n + 1 == cap) {
            char *b = realloc(buf, cap * 2);
            if (!b) free(buf);
            buf = b;
            cap *= 2;
            continue;
        }
        ssize_t got = read(fd, buf + n, cap - n - 1);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            free(buf);
            return cx__error(err, CX_EINPUT, path, 0, 0, "cannot read: %s", strerror(errno));
        }
        if (got == 0) break;
        n += (size_t)got;
        if ((uint64_t)n > max) {
            char size[32];
            free(buf);
            return cx__error(err, CX_EINPUT, path, 0, 0,
                             "larger than the %s input limit; --max-input-bytes raises it",
                             cx__bytes_text(max, size, sizeof size));
        }
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return CX_OK;
}

int cx__csv_awards_add_file(cx_csv_awards *all, const char *path, int *taken, char **data,
                            size_t *len, cx_error *err)
{
    char prefix[PREFIX_BYTES];
    struct stat st;
    *taken = 0;
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return CX_OK; /* the loader says why */
    if (fstat(fd, &st) != 0) {
        close(fd);
        return CX_OK;
    }
    if (!S_ISREG(st.st_mode)) {
        int rc = read_whole(all, path, fd, data, len, err);
        close(fd);
        if (rc || !is_csv(*data, *len, 1)) return rc;
        *taken = 1;
        rc = add_list(all, path, -1, NULL, *data, *len, err);
        *data = NULL;
        return rc;
    }
    ssize_t n = pread(fd, prefix, sizeof prefix, 0);
    if (n <= 0 || !is_csv(prefix, (size_t)n, (off_t)n == st.st_size)) {
        close(fd);
        return CX_OK;
    }
    *taken = 1;
    size_t lines = 0; /* the rows to come, told by the prefix's: the key table's size */
    for (ssize_t i = 0; i < n; i++) lines += prefix[i] == '\n';
    uint64_t rows = (uint64_t)st.st_size / (uint64_t)n * lines, max = CX_DEFAULT_MAX_LIST_ITEMS;
    if (rows > max) rows = max;
    if (rows > all->capkeys / 2 && keys_grow(all, all->nkeys + (size_t)rows) != 0) {
        close(fd);
        return nomem(err, path);
    }
    return add_list(all, path, fd, &st, NULL, 0, err);
}

/* ------------------------------------------------ at commit: references */

/* id -> 1 + index in the model of each holder of list s. */
static int holders_of(const stream *s, cx_strmap *m, cx_error *err)
{
    const cx_catalog *cat = cx__catalog_model(s->all->ld);
    cx__strmap_init(m);
    for (size_t i = s->first; i < s->first + s->nholders; i++)
        if (cx__strmap_put(m, cat->holders.v[i].id, (void *)(uintptr_t)(i + 1), NULL) < 0)
            return nomem(err, s->path);
    return CX_OK;
}

/* The model's holder of the current row. */
static cx_cat_holder *holder_at(const pass *p, const cx_strmap *m)
{
    uintptr_t i = (uintptr_t)cx__strmap_get(m, cx__csv_text(&p->csv, p->col.holder));
    return &cx__catalog_model(p->s->all->ld)->holders.v[i - 1];
}

/* The error in err leaves the current row out (skip_invalid), or stops. */
static int leave_out(pass *p, cx_cat_holder *h, int rc, cx_error *err)
{
    cx_catalog_loader *ld = p->s->all->ld;
    if (rc != CX_EINPUT || !cx__catalog_options(ld)->skip_invalid) return rc;
    cx__catalog_skip(ld, err);
    h->rows_kept--;
    cx__catalog_model(ld)->nawards--;
    return mark_skipped(p->s, p->row, err);
}

/* Resolves the cell of column col against the ref of kind it names,
 * when that is unknown: the located error. */
static int resolve_cell(pass *p, int kind, size_t col, cx_error *err)
{
    const char *id = cell_text(p, col);
    const ref *f = id ? cx__strmap_get(&p->s->all->refs[kind], id) : NULL;
    if (!f || f->state != 2) return CX_OK;
    cx_loc at = {p->s->path, p->csv.record_line, 0, p->csv.header[col]};
    return cx__catalog_resolve(p->s->all->ld, ref_kind[kind], id, &at, err);
}

/* Reads list s again for the rows that name an unknown id. */
static int rows_with_unknown_ids(stream *s, cx_error *err)
{
    pass p;
    cx_strmap m;
    int got = 1, rc = holders_of(s, &m, err);
    if (!rc) rc = pass_open(s, &p, -1, err);
    while (!rc && (rc = pass_next(&p, &got)) == CX_OK && got) {
        cx_cat_holder *h = holder_at(&p, &m);
        const char *jur = cell_text(&p, p.col.holder_jur);
        if (jur && h->jurisdiction && strcmp(jur, h->jurisdiction) == 0 &&
            (rc = resolve_cell(&p, REF_HOLDER_JURISDICTION, p.col.holder_jur, err)))
            break;
        if (skipped(s, p.row)) continue;
        rc = resolve_cell(&p, REF_CREDENTIAL, p.col.credential, err);
        if (!rc) rc = resolve_cell(&p, REF_JURISDICTION, p.col.jurisdiction, err);
        if (rc) rc = leave_out(&p, h, rc, err);
    }
    pass_close(&p);
    cx__strmap_free(&m);
    return rc;
}

int cx__csv_awards_resolve(cx_csv_awards *all, size_t number, cx_error *err)
{
    stream *s = all->lists[number];
    int unknown = 0;
    for (size_t i = 0; i < s->nused; i++) {
        ref *f = s->used[i];
        cx_loc nowhere = {s->path, 0, 0, NULL};
        if (f->state == 0) { /* asked once per import */
            int rc = cx__catalog_resolve(all->ld, ref_kind[f->kind], f->id, &nowhere, err);
            if (rc && rc != CX_EINPUT) return rc;
            f->state = rc ? 2 : 1;
            cx_error_clear(err);
        }
        unknown |= f->state == 2;
    }
    return unknown ? rows_with_unknown_ids(s, err) : CX_OK;
}

/* --------------------------------------------------- at commit: the rest */

/* The grade of the current row must be on the scale of its credential,
 * when scaled (id -> cx_cat_credential* of this import) has it. */
static int row_grade(pass *p, void *arg, cx_error *err)
{
    const cx_strmap *scaled = arg;
    const char *grade = cell_text(p, p->col.grade);
    const cx_cat_credential *cr =
        grade ? cx__strmap_get(scaled, cx__csv_text(&p->csv, p->col.credential)) : NULL;
    if (!cr) return CX_OK;
    for (size_t k = 0; k < cr->ngrade_scale; k++)
        if (strcmp(cr->grade_scale[k], grade) == 0) return CX_OK;
    cx_buf b;
    cx__buf_init(&b);
    for (size_t k = 0; k < cr->ngrade_scale; k++)
        cx__buf_printf(&b, "%s%s", k ? ", " : "", cr->grade_scale[k]);
    cx__yerror(err, CX_EINPUT, p->s->path, p->csv.record_line, 0, NULL,
               "grade '%s' is not on the grade scale of '%s'; expected one of: %s", grade, cr->id,
               b.data ? b.data : "");
    cx__buf_free(&b);
    return CX_EINPUT;
}

/* A check of one row, by check_rows. */
typedef int (*row_check)(pass *p, void *arg, cx_error *err);

/* Reads list s again and runs check on every row still kept; a row it
 * refuses is left out (skip_invalid) or stops the import. */
static int check_rows(stream *s, row_check check, void *arg, cx_error *err)
{
    pass p;
    cx_strmap m;
    int got = 1, rc = holders_of(s, &m, err);
    if (!rc) rc = pass_open(s, &p, -1, err);
    while (!rc && (rc = pass_next(&p, &got)) == CX_OK && got) {
        cx_cat_holder *h = holder_at(&p, &m);
        if (skipped(s, p.row) || !h->rows_kept) continue;
        if ((rc = check(&p, arg, err))) rc = leave_out(&p, h, rc, err);
    }
    pass_close(&p);
    cx__strmap_free(&m);
    return rc;
}

int cx__csv_awards_check_grades(cx_csv_awards *all, cx_error *err)
{
    const cx_catalog *cat = all ? cx__catalog_model(all->ld) : NULL;
    cx_strmap scaled; /* credentials of this import with a grade scale */
    int rc = CX_OK;
    if (!all || !all->nlists) return CX_OK;
    cx__strmap_init(&scaled);
    for (size_t i = 0; i < cat->credentials.n && !rc; i++)
        if (cat->credentials.v[i].ngrade_scale &&
            cx__strmap_put(&scaled, cat->credentials.v[i].id, &cat->credentials.v[i], NULL) < 0)
            rc = nomem(err, "");
    for (size_t i = 0; i < all->nlists && scaled.count && !rc; i++) {
        stream *s = all->lists[i];
        int uses = 0; /* one of them, in any row */
        for (size_t k = 0; k < s->nused; k++)
            uses |= s->used[k]->kind == REF_CREDENTIAL && cx__strmap_get(&scaled, s->used[k]->id);
        if (uses) rc = check_rows(s, row_grade, &scaled, err);
    }
    cx__strmap_free(&scaled);
    return rc;
}

/* The current row, when it has no expires and its credential's valid_for
 * (in vf: "" for none) takes it past 9999-12-31: the located error. */
static int row_expiry(pass *p, void *arg, cx_error *err)
{
    cx_strmap *vf = arg;
    const char *credential = cx__csv_text(&p->csv, p->col.credential), *why, *valid_for;
    cx_date issued;
    cx_duration dur;
    if (cell_text(p, p->col.expires)) return CX_OK;
    int rc = cx__catalog_valid_for(p->s->all->ld, vf, credential, &valid_for, err);
    if (rc || !*valid_for) return rc;
    if (cx__date_parse(cx__csv_text(&p->csv, p->col.issued), &issued, &why) != 0 ||
        cx__duration_parse(valid_for, &dur, &why) != 0 ||
        cx__date_add(issued, &dur) != CX_DATE_NEVER)
        return CX_OK;
    return cx__yerror(err, CX_EINPUT, p->s->path, p->csv.record_line, 0, NULL,
                      "an award of '%s' issued %s would expire past 9999-12-31 (valid_for %s); "
                      "give it an expires date, or check the issued date",
                      credential, cx__csv_text(&p->csv, p->col.issued), valid_for);
}

int cx__csv_awards_check_expiry(cx_csv_awards *all, cx_strmap *vf, cx_error *err)
{
    for (size_t i = 0; all && i < all->nlists; i++) {
        stream *s = all->lists[i];
        int reaches = 0; /* a valid_for that takes the latest issue date past 9999 */
        for (size_t k = 0; k < s->nused && !reaches && s->latest != INT32_MIN; k++) {
            const char *valid_for, *why;
            cx_duration dur;
            if (s->used[k]->kind != REF_CREDENTIAL) continue;
            int rc = cx__catalog_valid_for(all->ld, vf, s->used[k]->id, &valid_for, err);
            if (rc) return rc;
            reaches = *valid_for && cx__duration_parse(valid_for, &dur, &why) == 0 &&
                      cx__date_add(s->latest, &dur) == CX_DATE_NEVER;
        }
        int rc = reaches ? check_rows(s, row_expiry, vf, err) : CX_OK;
        if (rc) return rc;
    }
    return CX_OK;
}

int cx__csv_awards_settle(cx_csv_awards *all, cx_error *err)
{
    const cx_catalog *cat = all ? cx__catalog_model(all->ld) : NULL;
    for (size_t i = 0; all && i < all->nlists; i++) {
        stream *s = all->lists[i];
        for (size_t k = s->first; k < s->first + s->nholders; k++) {
            const cx_cat_holder *h = &cat->holders.v[k];
            if (h->rows && !h->rows_kept && cx__strmap_put(&s->dropped, h->id, s, NULL) < 0)
                return nomem(err, s->path);
        }
    }
    return CX_OK;
}

int cx__csv_awards_check_ids(cx_csv_awards *all, size_t from, size_t to, cx_error *err)
{
    const cx_catalog *cat = all && all->nkeys ? cx__catalog_model(all->ld) : NULL;
    char id[1024];
    for (size_t i = from; cat && i < to; i++) {
        const cx_cat_holder *h = &cat->holders.v[i];
        for (size_t k = 0; k < h->nawards; k++) {
            const cx_cat_award *a = &h->awards[k];
            char *cred, *issued;
            const char *why;
            uintptr_t holder;
            const ref *f;
            cx_date day;
            if (!a->id || strlen(a->id) >= sizeof id) continue;
            strcpy(id, a->id);
            if (!(cred = strchr(id, '/')) || !(issued = strchr(cred + 1, '/'))) continue;
            *cred++ = '\0';
            *issued++ = '\0';
            if (!(holder = (uintptr_t)cx__strmap_get(&all->holders, id)) ||
                !(f = cx__strmap_get(&all->refs[REF_CREDENTIAL], cred)) ||
                cx__date_parse(issued, &day, &why) != 0)
                continue;
            award_key key = {(uint32_t)(holder - 1), f->number, day, 0, 0};
            const award_key *first = key_find(all, &key);
            char at[600];
            if (first)
                return cx__yerror(err, CX_EINPUT, a->loc.file, a->loc.line, a->loc.column,
                                  a->loc.where,
                                  "award '%s' is defined twice in this import (first at %s)", a->id,
                                  cx__yplace(at, sizeof at, all->lists[first->list]->path,
                                             (int)first->line, 0, NULL));
        }
    }
    return CX_OK;
}

/* --------------------------------------------------------- at write time */

/* The current row as an award (its strings in p, valid for the row). */
static void row_as_award(pass *p, cx_cat_award *a)
{
    size_t n = 0;
    const char *hours = cell_text(p, p->col.hours);
    memset(a, 0, sizeof *a);
    a->credential = cx__csv_text(&p->csv, p->col.credential);
    a->issued = cx__csv_text(&p->csv, p->col.issued);
    a->expires = cell_text(p, p->col.expires);
    a->jurisdiction = cell_text(p, p->col.jurisdiction);
    a->hours = hours ? cx__parse_number(hours) : CX_NO_NUMBER;
    a->status = cell_text(p, p->col.status);
    if (!a->status) a->status = "active";
    a->grade = cell_text(p, p->col.grade);
    a->evidence = cell_text(p, p->col.evidence);
    for (size_t i = 0; i < p->csv.ncolumns; i++)
        if (p->keys[i].text != p->csv.header[i] && p->csv.fields[i].len)
            p->results[n++] = (cx_cat_kv){p->keys[i].text, cx__csv_text(&p->csv, i)};
    a->results = n ? p->results : NULL;
    a->nresults = n;
    a->loc = (cx_loc){p->s->path, p->csv.record_line, 0, NULL};
}

/* The model stream's each: list s read again, every award not left out
 * handed to fn. */
static int each_award(void *stream_, cx_cat_award_fn fn, void *fn_ud, cx_error *err)
{
    stream *s = stream_;
    pass p;
    int got = 1, rc = pass_open(s, &p, -1, err);
    while (!rc && (rc = pass_next(&p, &got)) == CX_OK && got) {
        const char *holder = cx__csv_text(&p.csv, p.col.holder);
        cx_cat_award a;
        if (skipped(s, p.row) || (s->dropped.count && cx__strmap_get(&s->dropped, holder)))
            continue;
        row_as_award(&p, &a);
        award_id(&p.id, holder, a.credential, a.issued);
        if (p.id.oom) rc = nomem(err, s->path);
        a.id = p.id.data;
        if (!rc) rc = fn(fn_ud, holder, &a, err);
    }
    if (!rc && p.csv.rows != s->rows)
        rc = cx__error(err, CX_EINPUT, s->path, 0, 0,
                       "the file changed while it was imported; import it again");
    pass_close(&p);
    return rc;
}

/* ------------------------------------------------------------- life cycle */

int cx__csv_awards_new(cx_catalog_loader *ld, cx_csv_awards **out, cx_error *err)
{
    cx_csv_awards *all = calloc(1, sizeof *all);
    *out = NULL;
    if (!all) return nomem(err, "");
    all->ld = ld;
    cx__arena_init(&all->arena);
    for (int k = 0; k < REF_KINDS; k++) cx__strmap_init(&all->refs[k]);
    cx__strmap_init(&all->holders);
    *out = all;
    return CX_OK;
}

void cx__csv_awards_free(cx_csv_awards *all)
{
    if (!all) return;
    for (size_t i = 0; i < all->nlists; i++) {
        stream *s = all->lists[i];
        free(s->data);
        free(s->skip);
        free(s->used);
        cx__strmap_free(&s->dropped);
        free(s);
    }
    free(all->lists);
    for (int k = 0; k < REF_KINDS; k++) cx__strmap_free(&all->refs[k]);
    cx__strmap_free(&all->holders);
    free(all->hv);
    free(all->keys);
    cx__arena_free(&all->arena);
    free(all);
}
