/*
 * whatif.c -- what a change would do (docs/design.md §9, docs/whatif.md): `credex
 * whatif` reads a change file, applies it to an in-memory copy of the part
 * of the registry it can affect, and compares decisions before and after;
 * `credex diff` compares two sets of packs over one registry. It never
 * writes the registry it is given (registry.c's removals refuse anything
 * but an in-memory copy), holds no SQL and builds no JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog.h"
#include "compile.h"
#include "date.h"
#include "registry.h"
#include "snapshot.h"
#include "util.h"
#include "yaml_reader.h"

#define ABSENT (CX_ERROR + 1) /* no such decision on one side */

static const char *status_text(int s)
{
    return s == ABSENT ? "absent" : cx_status_name((cx_status)s);
}

/* ------------------------------------------------------------- id sets */

/* A set of ids whose keys live in an arena shared by the whole run. */
typedef struct idset {
    cx_strmap map;
    cx_arena *arena;
} idset;

static void set_init(idset *s, cx_arena *a)
{
    cx__strmap_init(&s->map);
    s->arena = a;
}

/* 1 when id was added, 0 when it was there, -1 out of memory. */
static int set_add(idset *s, const char *id)
{
    if (cx__strmap_get(&s->map, id)) return 0;
    char *key = cx__arena_strdup(s->arena, id);
    if (!key || cx__strmap_put(&s->map, key, key, NULL) < 0) return -1;
    return 1;
}

static int set_has(const idset *s, const char *id)
{
    return cx__strmap_get(&s->map, id) != NULL;
}

/* The ids in byte order: a malloc'd array of *n pointers into the set. */
static const char **set_sorted(const idset *s, size_t *n)
{
    const char **v = malloc((s->map.count + 1) * sizeof *v);
    *n = 0;
    if (!v) return NULL;
    for (size_t i = 0; i < s->map.cap; i++)
        if (s->map.keys[i]) v[(*n)++] = s->map.keys[i];
    qsort(v, *n, sizeof *v, cx__strcmp_ptr);
    return v;
}

/* ------------------------------------------------------------ the run */

typedef struct removal {
    const char *id;           /* credential, competency, or the membership's group */
    const char *jurisdiction; /* memberships */
} removal;

/* A change file, read and checked. */
typedef struct change {
    const char *path;
    cx_ydoc *doc;             /* owned; NULL root: an empty change */
    cx_catalog_loader *model; /* the fragment checked over the registry; never committed */
    removal *remove[3];       /* credentials, competencies, memberships */
    size_t nremove[3];
    cx_strlist rules; /* `rules:` resolved against the file's folder */
    int has_rules;
} change;

enum { RM_CREDENTIALS, RM_COMPETENCIES, RM_MEMBERSHIPS };

/* One side of the comparison: compiled rules and their snapshot. */
typedef struct side {
    cx_rules *rules;
    const cx_snapshot *snap;
    const cx_rule *const *by_id;
    size_t nrules;
    idset expanded; /* stacks whose relevant credentials were added */
} side;

typedef struct wctx {
    cx_registry *r;
    const cx_whatif_options *opt;
    cx_whatif_report *rep;
    cx_error *err;
    cx_arena arena;
    change *ch; /* NULL for diff */
    const char *const *before_paths, *const *after_paths;
    size_t nbefore, nafter;
    side sides[2]; /* before, after: compiled against the skeleton copies */
    /* the scope (docs/whatif.md, "What is re-evaluated") */
    idset changed;  /* credentials whose facts the change touches */
    idset relevant; /* credentials whose holders (direct or derived) are audited */
    idset targets;  /* credentials whose incoming equivalences matter */
    idset holders;  /* holders the change names */
    idset stacks;   /* stacks whose exceptions' holders are audited */
    idset dirty;    /* rules that differ between the sides */
    idset removed;  /* credentials the change removes */
    idset moved;    /* jurisdictions whose membership of a group the rules name changes */
    idset carried;  /* credentials a recognition or denial naming such a group selects */
    idset counting; /* credentials an award of which can count toward some stack */
    int any_transitive, all_holders, all_pairs, all_transfers;
    int64_t version; /* the registry's content version when the run began */
    char why[300];   /* why every holder is audited */
    /* the transitions found */
    cx_transition *tr;
    size_t ntr, captr;
    cx_strmap groups; /* audit group key -> index + 1 */
} wctx;

static int nomem(wctx *w)
{
    return cx__error(w->err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

static void progress(wctx *w, const char *what, uint64_t done, uint64_t total)
{
    if (w->opt->progress) w->opt->progress(w->opt->progress_ud, what, done, total);
}

/* ---------------------------------------------------------- change files */

static const char *const change_keys[] = {"version",    "jurisdictions", "groups",  "providers",
                                          "frameworks", "credentials",   "holders", "exceptions",
                                          "remove",     "rules",         NULL};

static int located(wctx *w, const cx_ynode *n, const char *fmt, ...) CX_PRINTF(3, 4);
static int located(wctx *w, const cx_ynode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc =
        cx__verror(w->err, CX_EINPUT, w->ch->path, n ? n->line : 1, n ? n->column : 1, fmt, ap);
    va_end(ap);
    return rc;
}

static void key_list(cx_buf *b, const char *const *keys)
{
    for (size_t i = 0; keys[i]; i++) cx__buf_printf(b, "%s%s", i ? ", " : "", keys[i]);
}

/* Every key of map is one of keys (what names the map in messages). */
static int check_keys(wctx *w, const cx_ynode *map, const char *what, const char *const *keys)
{
    for (size_t i = 0; i < map->count; i++) {
        size_t k = 0;
        while (keys[k] && strcmp(keys[k], map->keys[i]->text) != 0) k++;
        if (keys[k]) continue;
        cx_buf b;
        cx__buf_init(&b);
        key_list(&b, keys);
        located(w, map->keys[i], "unknown key '%s' in %s; expected one of: %s", map->keys[i]->text,
                what, b.data ? b.data : "");
        cx__buf_free(&b);
        return CX_EINPUT;
    }
    return CX_OK;
}

static int want(wctx *w, const cx_ynode *n, cx_ynode_kind kind, const char *what)
{
    if (n->kind == kind) return CX_OK;
    return located(w, n, "%s: expected %s, found %s", what, cx__ynode_kind_name(kind),
                   cx__ynode_kind_name(n->kind));
}

/* "did you mean" for an id of kind that the registry lacks, at n. */
static int no_such(wctx *w, const cx_ynode *n, cx_kind kind, const char *id)
{
    char near[256];
    int rc = cx_registry_nearest(w->r, kind, id, near, sizeof near, w->err);
    if (rc) return rc;
    if (near[0])
        return located(w, n, "cannot remove %s '%s': it is not in the registry; did you mean '%s'?",
                       cx_kind_name(kind), id, near);
    return located(w, n, "cannot remove %s '%s': it is not in the registry", cx_kind_name(kind),
                   id);
}

/* remove: { credentials: [...] } or competencies: one list of ids. */
static int remove_ids(wctx *w, const cx_ynode *list, int which, cx_kind kind, const char *what)
{
    int rc = want(w, list, CX_YLIST, what);
    removal *v = rc ? NULL : cx__arena_alloc(&w->arena, (list->count + 1) * sizeof *v);
    if (rc) return rc;
    if (!v) return nomem(w);
    w->ch->remove[which] = v;
    for (size_t i = 0; i < list->count; i++) {
        const cx_ynode *n = list->items[i];
        if ((rc = want(w, n, CX_YSCALAR, what))) return rc;
        int has = cx_registry_has(w->r, kind, n->text, w->err);
        if (has < 0) return w->err->code;
        if (!has) return no_such(w, n, kind, n->text);
        size_t k = 0;
        while (k < w->ch->nremove[which] && strcmp(v[k].id, n->text) != 0) k++;
        if (k == w->ch->nremove[which]) v[w->ch->nremove[which]++].id = n->text;
    }
    return CX_OK;
}

/* One { group, jurisdiction } to remove: the group must have a membership
 * of the jurisdiction. */
static int remove_membership(wctx *w, const cx_ynode *n, removal *out)
{
    static const char *const keys[] = {"group", "jurisdiction", NULL};
    const cx_ynode *g, *j;
    cx_group *group = NULL;
    int rc = want(w, n, CX_YMAP, "remove: memberships");
    if (!rc) rc = check_keys(w, n, "a membership to remove", keys);
    if (rc) return rc;
    if (!(g = cx__ymap_get(n, "group")) || !(j = cx__ymap_get(n, "jurisdiction")))
        return located(w, n, "a membership to remove needs 'group' and 'jurisdiction'");
    if ((rc = want(w, g, CX_YSCALAR, "group")) || (rc = want(w, j, CX_YSCALAR, "jurisdiction")))
        return rc;
    int has = cx_registry_has(w->r, CX_KIND_GROUP, g->text, w->err);
    if (has < 0) return w->err->code;
    if (!has) return no_such(w, g, CX_KIND_GROUP, g->text);
    if ((rc = cx_registry_group(w->r, g->text, &group, w->err))) return rc;
    const char *names[256];
    size_t nn = 0, k = 0;
    for (; k < group->nmembers; k++) {
        if (strcmp(group->members[k].jurisdiction, j->text) == 0) break;
        if (nn < CX_COUNT(names)) names[nn++] = group->members[k].jurisdiction;
    }
    for (size_t m = k; m < group->nmembers; m++)
        w->rep->removed_memberships += strcmp(group->members[m].jurisdiction, j->text) == 0;
    if (k == group->nmembers) {
        const char *near = cx_nearest(j->text, names, nn);
        rc = near ? located(w, j, "group '%s' has no membership of '%s'; did you mean '%s'?",
                            g->text, j->text, near)
                  : located(w, j, "group '%s' has no membership of '%s'", g->text, j->text);
    }
    cx_group_free(group);
    out->id = g->text;
    out->jurisdiction = j->text;
    return rc;
}

static int remove_section(wctx *w, const cx_ynode *map)
{
    static const char *const keys[] = {"credentials", "competencies", "memberships", NULL};
    int rc = want(w, map, CX_YMAP, "remove");
    if (!rc) rc = check_keys(w, map, "remove", keys);
    const cx_ynode *n;
    if (!rc && (n = cx__ymap_get(map, "credentials")))
        rc = remove_ids(w, n, RM_CREDENTIALS, CX_KIND_CREDENTIAL, "remove: credentials");
    if (!rc && (n = cx__ymap_get(map, "competencies")))
        rc = remove_ids(w, n, RM_COMPETENCIES, CX_KIND_COMPETENCY, "remove: competencies");
    if (rc || !(n = cx__ymap_get(map, "memberships"))) return rc;
    if ((rc = want(w, n, CX_YLIST, "remove: memberships"))) return rc;
    removal *v = cx__arena_alloc(&w->arena, (n->count + 1) * sizeof *v);
    if (!v) return nomem(w);
    w->ch->remove[RM_MEMBERSHIPS] = v;
    for (size_t i = 0; i < n->count && !rc; i++)
        rc = remove_membership(w, n->items[i], &v[w->ch->nremove[RM_MEMBERSHIPS]++]);
    return rc;
}

/* rules: a pack file or folder, or a list of them, relative to the change
 * file's folder. */
static int rules_section(wctx *w, const cx_ynode *n)
{
    const char *slash = strrchr(w->ch->path, '/');
    int dirlen = slash ? (int)(slash - w->ch->path) : 0;
    size_t count = n->kind == CX_YLIST ? n->count : 1;
    if (n->kind == CX_YMAP) return want(w, n, CX_YLIST, "rules");
    w->ch->has_rules = 1;
    for (size_t i = 0; i < count; i++) {
        const cx_ynode *p = n->kind == CX_YLIST ? n->items[i] : n;
        char path[4096];
        struct stat st;
        int rc = want(w, p, CX_YSCALAR, "rules");
        if (rc) return rc;
        if (p->text[0] == '/' || !slash)
            snprintf(path, sizeof path, "%s", p->text);
        else
            snprintf(path, sizeof path, "%.*s/%s", dirlen, w->ch->path, p->text);
        if (stat(path, &st) != 0) return located(w, p, "rules: no rule pack or folder '%s'", path);
        if (cx__strlist_add(&w->ch->rules, path)) return nomem(w);
    }
    if (!w->ch->rules.n) return located(w, n, "rules: expected at least one pack or folder");
    return CX_OK;
}

/* A located error at an entity of the change's catalog part. */
static int at_loc(wctx *w, const cx_loc *l, const char *fmt, const char *a, const char *b)
{
    return cx__error(w->err, CX_EINPUT, l->file, l->line, l->column, fmt, a, b);
}

static int removing(const change *ch, int which, const char *id)
{
    for (size_t i = 0; i < ch->nremove[which]; i++)
        if (strcmp(ch->remove[which][i].id, id) == 0) return 1;
    return 0;
}

/* What the catalog part defines must not use what the change removes. */
static int check_conflicts(wctx *w)
{
    const change *ch = w->ch;
    const cx_catalog *cat = cx__catalog_loader_model(ch->model);
    for (size_t i = 0; i < cat->credentials.n; i++) {
        const cx_cat_credential *c = &cat->credentials.v[i];
        if (removing(ch, RM_CREDENTIALS, c->id))
            return at_loc(w, &c->loc,
                          "credential '%s' is both defined and removed by this change%s", c->id,
                          "");
        for (size_t k = 0; k < c->ncompetencies; k++)
            if (removing(ch, RM_COMPETENCIES, c->competencies[k]))
                return at_loc(w, &c->loc,
                              "credential '%s' lists competency '%s', which this "
                              "change removes",
                              c->id, c->competencies[k]);
    }
    for (size_t i = 0; i < cat->competencies.n; i++)
        if (removing(ch, RM_COMPETENCIES, cat->competencies.v[i].id))
            return at_loc(w, &cat->competencies.v[i].loc,
                          "competency '%s' is both defined and removed by this change%s",
                          cat->competencies.v[i].id, "");
    for (size_t i = 0; i < cat->groups.n; i++)
        if (removing(ch, RM_MEMBERSHIPS, cat->groups.v[i].id))
            return at_loc(w, &cat->groups.v[i].loc,
                          "group '%s' is redefined by this change, which also removes one of "
                          "its memberships; list its memberships in the definition instead%s",
                          cat->groups.v[i].id, "");
    for (size_t h = 0; h < cat->holders.n; h++)
        for (size_t i = 0; i < cat->holders.v[h].nawards; i++) {
            const cx_cat_award *a = &cat->holders.v[h].awards[i];
            if (removing(ch, RM_CREDENTIALS, a->credential))
                return at_loc(w, &a->loc, "award of credential '%s', which this change removes%s",
                              a->credential, "");
        }
    return CX_OK;
}

/* Reads and checks the change file: its catalog part against the
 * registry (as a catalog import would, without writing), what it removes,
 * and the packs it names. */
static int read_change(wctx *w, const char *path)
{
    static const char *const extra[] = {"remove", "rules", NULL};
    change *ch = w->ch;
    ch->path = path;
    int rc = cx__yaml_load_file(path, &ch->doc, w->err);
    const cx_ynode *root = rc ? NULL : cx__ydoc_root(ch->doc), *n;
    if (rc || !root) return rc; /* an empty file changes nothing */
    if (root->kind != CX_YMAP)
        return located(w, root, "expected the change file to be a mapping, found %s",
                       cx__ynode_kind_name(root->kind));
    if ((rc = check_keys(w, root, "a change file (top level)", change_keys))) return rc;
    if ((rc = cx__catalog_loader_new(w->r, &ch->model, w->err)) ||
        (rc = cx__catalog_loader_add_doc(ch->model, ch->doc, extra, w->err)))
        return rc;
    if ((n = cx__ymap_get(root, "remove")) && (rc = remove_section(w, n))) return rc;
    if ((n = cx__ymap_get(root, "rules")) && (rc = rules_section(w, n))) return rc;
    return check_conflicts(w);
}

static void change_free(change *ch)
{
    cx__catalog_loader_free(ch->model);
    cx__ydoc_free(ch->doc);
    cx__strlist_free(&ch->rules);
}

/* Applies the change to m, an in-memory copy: removals first, then the
 * catalog part, whose references resolve against the copy (so an award of
 * a removed credential is an unknown reference, located). */
static int apply_change(wctx *w, cx_registry *m)
{
    static const char *const extra[] = {"remove", "rules", NULL};
    const change *ch = w->ch;
    int64_t a, b;
    int rc = CX_OK;
    for (size_t i = 0; i < ch->nremove[RM_CREDENTIALS] && !rc; i++)
        rc = cx__registry_remove_credential(m, ch->remove[RM_CREDENTIALS][i].id, &a, &b, w->err);
    for (size_t i = 0; i < ch->nremove[RM_COMPETENCIES] && !rc; i++)
        rc = cx__registry_remove_competency(m, ch->remove[RM_COMPETENCIES][i].id, &a, w->err);
    for (size_t i = 0; i < ch->nremove[RM_MEMBERSHIPS] && !rc; i++)
        rc = cx__registry_remove_membership(m, ch->remove[RM_MEMBERSHIPS][i].id,
                                            ch->remove[RM_MEMBERSHIPS][i].jurisdiction, &a, w->err);
    if (rc || !ch->model) return rc;
    cx_catalog_loader *ld = NULL;
    rc = cx__catalog_loader_new(m, &ld, w->err);
    if (!rc) rc = cx__catalog_loader_add_doc(ld, ch->doc, extra, w->err);
    if (!rc) rc = cx__catalog_loader_commit(ld, NULL, NULL, w->err);
    cx__catalog_loader_free(ld);
    return rc;
}

/* --------------------------------------------------------------- packs */

/* Loads packs against reg into s. after: the message says so. */
static int load_side(wctx *w, cx_registry *reg, int after, side *s, cx_diagnostics *diags)
{
    const char *const *paths = after ? w->after_paths : w->before_paths;
    size_t n = after ? w->nafter : w->nbefore;
    int rc = cx_rules_load(reg, paths, n, &s->rules, diags, w->err);
    if (rc == CX_EINPUT && after && w->ch) {
        static const char prefix[] = "with the change applied: ";
        size_t p = sizeof prefix - 1, len = strnlen(w->err->message, sizeof w->err->message - 1);
        if (p + len >= sizeof w->err->message) len = sizeof w->err->message - 1 - p;
        memmove(w->err->message + p, w->err->message, len);
        memcpy(w->err->message, prefix, p);
        w->err->message[p + len] = '\0';
    }
    if (rc) return rc;
    s->snap = cx__rules_snapshot(s->rules);
    s->by_id = cx__rules_by_id(s->rules, &s->nrules);
    set_init(&s->expanded, &w->arena);
    return CX_OK;
}

/* The source of a pack file, read once and kept in the arena; NULL when
 * it cannot be read (the rules in it then count as changed). */
static const cx_buf *pack_source(wctx *w, cx_strmap *cache, const char *path)
{
    cx_buf *b = cx__strmap_get(cache, path);
    if (b) return b->oom ? NULL : b;
    FILE *f = fopen(path, "rb");
    char chunk[8192];
    size_t got;
    char *key = cx__arena_strdup(&w->arena, path);
    b = cx__arena_alloc(&w->arena, sizeof *b);
    if (!key || !b) {
        if (f) fclose(f);
        return NULL;
    }
    cx__buf_init(b);
    if (!f) {
        b->oom = 1;
    } else {
        while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) cx__buf_add(b, chunk, got);
        cx__buf_add(b, "", 0);
        b->oom |= ferror(f) != 0;
        fclose(f);
    }
    if (cx__strmap_put(cache, key, b, NULL) < 0) b->oom = 1;
    return b->oom ? NULL : b;
}

/* ------------------------------------------------- credential sets */

static uint32_t ncredentials(const cx_snapshot *s)
{
    return cx__snapshot_count(s, CX_KIND_CREDENTIAL);
}

static int bit(const uint64_t *bits, uint32_t i)
{
    return (int)(bits[i / 64] >> (i % 64) & 1);
}

/* Adds the ids of bits (every credential when bits is NULL) to set; 1
 * when any was new, 0 when none, -1 out of memory. */
static int add_bits(const cx_snapshot *s, const uint64_t *bits, idset *set)
{
    int grew = 0;
    for (uint32_t i = 0; i < ncredentials(s); i++) {
        if (bits && !bit(bits, i)) continue;
        int rc = set_add(set, s->credentials[i].id);
        if (rc < 0) return -1;
        grew |= rc;
    }
    return grew;
}

static int add_syms(const cx_snapshot *s, const uint32_t *v, size_t n, idset *set)
{
    int grew = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = set_add(set, s->credentials[v[i]].id);
        if (rc < 0) return -1;
        grew |= rc;
    }
    return grew;
}

static int meets_bits(const cx_snapshot *s, const uint64_t *bits, const idset *set)
{
    for (uint32_t i = 0; i < ncredentials(s); i++)
        if ((!bits || bit(bits, i)) && set_has(set, s->credentials[i].id)) return 1;
    return 0;
}

static int meets_syms(const cx_snapshot *s, const uint32_t *v, size_t n, const idset *set)
{
    for (size_t i = 0; i < n; i++)
        if (set_has(set, s->credentials[v[i]].id)) return 1;
    return 0;
}

/* The same credentials, by id, on two snapshots? */
static int bits_same(const cx_snapshot *sa, const uint64_t *a, const cx_snapshot *sb,
                     const uint64_t *b)
{
    uint32_t na = 0, nb = 0;
    if (!a || !b) return a == b;
    for (uint32_t i = 0; i < ncredentials(sb); i++) nb += (uint32_t)bit(b, i);
    for (uint32_t i = 0; i < ncredentials(sa); i++) {
        if (!bit(a, i)) continue;
        cx_sym j = cx__snapshot_find(sb, CX_KIND_CREDENTIAL, sa->credentials[i].id);
        if (j == CX_NOSYM || !bit(b, j)) return 0;
        na++;
    }
    return na == nb;
}

static int str_same(const char *a, const char *b)
{
    return !a || !b ? a == b : strcmp(a, b) == 0;
}

/* The same entity (by id) of table on two snapshots, or both none. */
static int sym_same(const cx_snapshot *sa, cx_sym a, const cx_snapshot *sb, cx_sym b, int table)
{
    if (a == CX_NOSYM || b == CX_NOSYM) return a == b;
    return strcmp(cx__snapshot_id(sa, table, a), cx__snapshot_id(sb, table, b)) == 0;
}

static int range_same(cx_range a, cx_range b)
{
    return a.from == b.from && a.to == b.to;
}

static int duration_same(const cx_duration *a, const cx_duration *b)
{
    return a->years == b->years && a->months == b->months && a->weeks == b->weeks &&
           a->days == b->days;
}

static int sel_same(const cx_snapshot *sa, const cx_selector *a, const cx_snapshot *sb,
                    const cx_selector *b)
{
    if (!a || !b) return a == b;
    return bits_same(sa, a->bits, sb, b->bits) && a->any_date == b->any_date &&
           (a->any_date || range_same(a->issued, b->issued));
}

static int jsel_same(const cx_snapshot *sa, const cx_jsel *a, const cx_snapshot *sb,
                     const cx_jsel *b)
{
    if (!a || !b) return a == b;
    if (a->kind != b->kind || a->nids != b->nids || a->nparts != b->nparts ||
        !str_same(a->status, b->status))
        return 0;
    if (a->kind == CX_JSEL_MEMBER_OF && !sym_same(sa, a->group, sb, b->group, CX_KIND_GROUP))
        return 0;
    for (size_t i = 0; i < a->nids; i++)
        if (!sym_same(sa, a->ids[i], sb, b->ids[i], CX_KIND_JURISDICTION)) return 0;
    for (size_t i = 0; i < a->nparts; i++)
        if (!jsel_same(sa, a->parts[i], sb, b->parts[i])) return 0;
    return 1;
}

/* Everything about a requirement that can change a decision's status:
 * what fills or counts toward it and every option. A `check` compares by
 * its ordinal in its pack only: rule_same then compares the pack files. */
static int req_same(const cx_snapshot *sa, const cx_req *a, const cx_snapshot *sb, const cx_req *b)
{
    if (!a || !b) return a == b;
    if (a->kind != b->kind || a->nparts != b->nparts || a->need != b->need ||
        a->nmin_results != b->nmin_results || a->threshold != b->threshold || a->op != b->op ||
        a->fn != b->fn || !str_same(a->label, b->label) || !str_same(a->min_grade, b->min_grade) ||
        !str_same(a->attr, b->attr) || !str_same(a->group_by, b->group_by) ||
        !str_same(a->key, b->key) || !str_same(a->value, b->value) ||
        !bits_same(sa, a->fills, sb, b->fills) || !sel_same(sa, a->selector, sb, b->selector) ||
        (a->kind == CX_REQ_CREDENTIAL &&
         !sym_same(sa, a->credential, sb, b->credential, CX_KIND_CREDENTIAL)))
        return 0;
    for (size_t i = 0; i < a->nmin_results; i++)
        if (strcmp(a->min_results[i].key, b->min_results[i].key) != 0 ||
            a->min_results[i].value != b->min_results[i].value)
            return 0;
    for (size_t i = 0; i < a->nparts; i++)
        if (!req_same(sa, a->parts[i], sb, b->parts[i])) return 0;
    return 1;
}

static int members_same(const cx_snapshot *sa, const cx_rule *a, const cx_snapshot *sb,
                        const cx_rule *b)
{
    if (a->nmembers != b->nmembers) return 0;
    for (size_t i = 0; i < a->nmembers; i++)
        if (!sym_same(sa, a->members[i], sb, b->members[i], CX_KIND_CREDENTIAL)) return 0;
    return 1;
}

/* A stack's plan: what it confers, where, its requirements, window and
 * award policy. */
static int stack_same(const cx_snapshot *sa, const cx_rule *a, const cx_snapshot *sb,
                      const cx_rule *b)
{
    return sym_same(sa, a->credential, sb, b->credential, CX_KIND_CREDENTIAL) &&
           sym_same(sa, a->jurisdiction, sb, b->jurisdiction, CX_KIND_JURISDICTION) &&
           a->window_kind == b->window_kind &&
           (!a->window_kind || duration_same(&a->window, &b->window)) &&
           a->award_issued == b->award_issued && a->award_expires == b->award_expires &&
           (a->award_expires != CX_EXPIRES_DURATION ||
            duration_same(&a->award_duration, &b->award_duration)) &&
           a->reuse_awards == b->reuse_awards;
}

/* The plans of two rules with one id, compared field by field (compile.h):
 * every field the evaluator reads, credentials and jurisdictions by id. */
static int plan_same(const cx_snapshot *sa, const cx_rule *a, const cx_snapshot *sb,
                     const cx_rule *b)
{
    if (a->kind != b->kind || !range_same(a->effective, b->effective) ||
        !req_same(sa, a->requires, sb, b->requires))
        return 0;
    switch (a->kind) {
    case CX_RULE_STACK:
        return stack_same(sa, a, sb, b);
    case CX_RULE_COUNTS_AS:
    case CX_RULE_EQUIVALENT:
    case CX_RULE_EQUIVALENCE:
        return sel_same(sa, a->from, sb, b->from) && sel_same(sa, a->to, sb, b->to) &&
               members_same(sa, a, sb, b) && jsel_same(sa, a->within, sb, b->within) &&
               a->transitive == b->transitive && a->any_date == b->any_date &&
               (a->any_date || range_same(a->issued, b->issued)) &&
               a->coverage_kind == b->coverage_kind && a->coverage_percent == b->coverage_percent &&
               a->coverage_ratio == b->coverage_ratio &&
               (a->kind != CX_RULE_EQUIVALENCE || a->when_fn == b->when_fn);
    case CX_RULE_RECOGNIZE:
    case CX_RULE_DENY:
        return jsel_same(sa, a->into, sb, b->into) && jsel_same(sa, a->from_j, sb, b->from_j) &&
               sel_same(sa, a->credentials, sb, b->credentials);
    case CX_RULE_RENEWS:
        return sym_same(sa, a->renewer, sb, b->renewer, CX_KIND_CREDENTIAL) &&
               members_same(sa, a, sb, b);
    }
    return 0;
}

static int req_calls(const cx_req *q)
{
    if (!q) return 0;
    if (q->kind == CX_REQ_CHECK) return 1;
    for (size_t i = 0; i < q->nparts; i++)
        if (req_calls(q->parts[i])) return 1;
    return 0;
}

/* Is rule a (before) the same as rule b (after)? The same plan; and when
 * it calls into Lua (`check`, `when`), which no plan shows, the pack files
 * defining both have the same bytes. */
static int rule_same(wctx *w, cx_strmap *cache, const cx_rule *a, const cx_rule *b)
{
    const side *sb = &w->sides[0], *sa = &w->sides[1];
    if (!plan_same(sb->snap, a, sa->snap, b)) return 0;
    if (!(a->kind == CX_RULE_EQUIVALENCE && a->when_fn >= 0) && !req_calls(a->requires)) return 1;
    const cx_buf *x = pack_source(w, cache, cx__rules_pack(sb->rules, a->pack)->path);
    const cx_buf *y = pack_source(w, cache, cx__rules_pack(sa->rules, b->pack)->path);
    return x && y && x->len == y->len && memcmp(x->data, y->data, x->len) == 0;
}

/* Marks dirty every rule whose id is on one side only or that differs. */
static int find_dirty(wctx *w)
{
    const side *b = &w->sides[0], *a = &w->sides[1];
    cx_strmap cache;
    size_t i = 0, j = 0;
    int rc = CX_OK;
    cx__strmap_init(&cache);
    while ((i < b->nrules || j < a->nrules) && rc == CX_OK) {
        int cmp = i == b->nrules   ? 1
                  : j == a->nrules ? -1
                                   : strcmp(b->by_id[i]->id, a->by_id[j]->id);
        const cx_rule *x = cmp <= 0 ? b->by_id[i] : NULL, *y = cmp >= 0 ? a->by_id[j] : NULL;
        if ((!x || !y || !rule_same(w, &cache, x, y)) && set_add(&w->dirty, x ? x->id : y->id) < 0)
            rc = nomem(w);
        i += cmp <= 0;
        j += cmp >= 0;
    }
    for (size_t k = 0; k < cache.cap; k++)
        if (cache.keys[k]) cx__buf_free(cache.values[k]);
    cx__strmap_free(&cache);
    return rc;
}

/* ------------------------------------------------------------ the scope */

static void every_holder(wctx *w, const char *fmt, const char *id)
{
    w->all_holders = 1;
    if (!w->why[0]) snprintf(w->why, sizeof w->why, fmt, id);
}

static const cx_rule *stack_of(const side *s, cx_sym credential)
{
    size_t n;
    const cx_rule *const *stacks = cx__rules_stacks(s->rules, &n);
    for (size_t i = 0; i < n; i++)
        if (stacks[i]->credential == credential) return stacks[i];
    return NULL;
}

/* Adds what a requirement tree's awards can be: slot credentials to
 * relevant and targets, totals' credentials to relevant. In a stack's
 * tree (stack not NULL), a requirement that holds without awards means
 * any holder may progress; a recognition's applies only to awards of the
 * credentials it recognises, whose holders are relevant already. */
static int req_effect(wctx *w, const side *s, const cx_req *q, const char *stack)
{
    if (!q) return 0;
    int grew = 0, rc;
    if (stack && (q->kind == CX_REQ_HOLDER_ATTR || q->kind == CX_REQ_CHECK))
        every_holder(w, "stack %s has a requirement that holds without awards", stack);
    if (q->fills) {
        if ((rc = add_bits(s->snap, q->fills, &w->relevant)) < 0 ||
            add_bits(s->snap, q->fills, &w->targets) < 0)
            return -1;
        grew |= rc;
    }
    if (q->selector && (rc = add_bits(s->snap, q->selector->bits, &w->relevant)) != 0) {
        if (rc < 0) return -1;
        grew = 1;
    }
    for (size_t i = 0; i < q->nparts; i++) {
        if ((rc = req_effect(w, s, q->parts[i], stack)) < 0) return -1;
        grew |= rc;
    }
    return grew;
}

/* A stack some holders' outcome may differ in: the credentials that can
 * fill or count toward it, and those of the stacks it depends on. */
static int expand_stack(wctx *w, side *s, const cx_rule *r)
{
    const char *id = s->snap->credentials[r->credential].id;
    int rc = set_add(&s->expanded, id);
    if (rc <= 0) return rc;
    if (set_add(&w->stacks, id) < 0 || req_effect(w, s, r->requires, id) < 0) return -1;
    for (size_t i = 0; i < r->ndepends; i++) {
        const cx_rule *d = stack_of(s, r->depends[i]);
        if (d && expand_stack(w, s, d) < 0) return -1;
    }
    return 1;
}

/* What a dirty rule touches, on one side. */
static int rule_effect(wctx *w, side *s, const cx_rule *r)
{
    const cx_snapshot *snap = s->snap;
    switch (r->kind) {
    case CX_RULE_STACK:
        return expand_stack(w, s, r);
    case CX_RULE_COUNTS_AS:
    case CX_RULE_EQUIVALENCE:
        return add_bits(snap, r->from->bits, &w->relevant) < 0 ||
                       add_bits(snap, r->to->bits, &w->targets) < 0
                   ? -1
                   : 1;
    case CX_RULE_EQUIVALENT:
        return add_syms(snap, r->members, r->nmembers, &w->relevant) < 0 ||
                       add_syms(snap, r->members, r->nmembers, &w->targets) < 0
                   ? -1
                   : 1;
    case CX_RULE_RECOGNIZE:
    case CX_RULE_DENY:
        w->all_transfers = 1;
        if (add_bits(snap, r->credentials ? r->credentials->bits : NULL, &w->relevant) < 0)
            return -1;
        return req_effect(w, s, r->requires, NULL) < 0 ? -1 : 1;
    case CX_RULE_RENEWS:
        return add_syms(snap, &r->renewer, 1, &w->relevant) < 0 ||
                       add_syms(snap, r->members, r->nmembers, &w->relevant) < 0
                   ? -1
                   : 1;
    }
    return 0;
}

/* One pass of the closure: holders of sources of equivalences into a
 * target, and stacks whose credential (derived) became relevant. 1 when
 * anything grew. */
static int closure_pass(wctx *w, side *s)
{
    int grew = 0, rc;
    for (size_t i = 0; i < s->nrules; i++) {
        const cx_rule *r = s->by_id[i];
        if (r->kind == CX_RULE_STACK) {
            if (!set_has(&w->relevant, s->snap->credentials[r->credential].id)) continue;
            if ((rc = expand_stack(w, s, r)) < 0) return -1;
            grew |= rc;
            continue;
        }
        if (!cx__rule_is_equivalence(r)) continue;
        int eq = r->kind == CX_RULE_EQUIVALENT;
        if (eq ? !meets_syms(s->snap, r->members, r->nmembers, &w->targets)
               : !meets_bits(s->snap, r->to->bits, &w->targets))
            continue;
        idset *into[2] = {&w->relevant, &w->targets};
        for (int k = 0; k < 1 + w->any_transitive; k++) {
            rc = eq ? add_syms(s->snap, r->members, r->nmembers, into[k])
                    : add_bits(s->snap, r->from->bits, into[k]);
            if (rc < 0) return -1;
            grew |= rc;
        }
    }
    return grew;
}

/* Group ids a jurisdiction selector names (member_of), into set. */
static int jsel_groups(const cx_snapshot *s, const cx_jsel *j, idset *set)
{
    if (!j) return 0;
    if (j->kind == CX_JSEL_MEMBER_OF && set_add(set, s->groups[j->group].id) < 0) return -1;
    for (size_t i = 0; i < j->nparts; i++)
        if (jsel_groups(s, j->parts[i], set) < 0) return -1;
    return 0;
}

/* The memberships of jurisdiction `at` in g (NULL: none), from *i on:
 * how many rows; they are sorted by jurisdiction (symbols compare as ids
 * do), then from. */
static size_t rows_of(const cx_snapshot *s, const cx_snap_group *g, size_t i, const char *at)
{
    size_t k = i;
    while (g && k < g->nmemberships &&
           strcmp(s->jurisdictions[g->memberships[k].jurisdiction].id, at) == 0)
        k++;
    return k - i;
}

static int same_rows(const cx_snap_membership *x, const cx_snap_membership *y, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (x[k].from != y[k].from || x[k].until != y[k].until ||
            strcmp(x[k].status ? x[k].status : "", y[k].status ? y[k].status : "") != 0)
            return 0;
    return 1;
}

/* Adds to w->moved the jurisdictions whose memberships of group id differ
 * between the sides; 1 when there is any, 0 none, -1 out of memory. */
static int moved_members(wctx *w, const char *id)
{
    const cx_snapshot *s[2] = {w->sides[0].snap, w->sides[1].snap};
    const cx_snap_group *g[2];
    size_t n[2], at[2] = {0, 0};
    int any = 0;
    for (int k = 0; k < 2; k++) {
        cx_sym sym = cx__snapshot_find(s[k], CX_KIND_GROUP, id);
        g[k] = sym == CX_NOSYM ? NULL : &s[k]->groups[sym];
        n[k] = g[k] ? g[k]->nmemberships : 0;
    }
    while (at[0] < n[0] || at[1] < n[1]) { /* merge by jurisdiction id */
        const char *j[2];
        for (int k = 0; k < 2; k++)
            j[k] =
                at[k] < n[k] ? s[k]->jurisdictions[g[k]->memberships[at[k]].jurisdiction].id : NULL;
        const char *here = !j[0] ? j[1] : !j[1] || strcmp(j[0], j[1]) <= 0 ? j[0] : j[1];
        size_t r0 = rows_of(s[0], g[0], at[0], here), r1 = rows_of(s[1], g[1], at[1], here);
        if (r0 != r1 || !same_rows(g[0]->memberships + at[0], g[1]->memberships + at[1], r0)) {
            if (set_add(&w->moved, here) < 0) return -1;
            any = 1;
        }
        at[0] += r0;
        at[1] += r1;
    }
    return any;
}

/* The credentials of a requirement tree's slots and totals, into set;
 * every credential for a check, which sees every counted award. */
static int req_credentials(const cx_snapshot *s, const cx_req *q, idset *set)
{
    if (!q) return 0;
    if ((q->kind == CX_REQ_CHECK && add_bits(s, NULL, set) < 0) ||
        (q->fills && add_bits(s, q->fills, set) < 0) ||
        ((q->kind == CX_REQ_HOURS || q->kind == CX_REQ_SUM) &&
         add_bits(s, q->selector ? q->selector->bits : NULL, set) < 0))
        return -1;
    for (size_t i = 0; i < q->nparts; i++)
        if (req_credentials(s, q->parts[i], set) < 0) return -1;
    return 0;
}

/* w->counting: what an award must be to count toward some stack on either
 * side -- a credential a stack's slots or totals name, or one a
 * recognition requires, or a source of an equivalence into one of those
 * (to a fixpoint, for chains). */
static int counting_credentials(wctx *w)
{
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < w->sides[k].nrules; i++) {
            const cx_rule *r = w->sides[k].by_id[i];
            if ((r->kind == CX_RULE_STACK || r->kind == CX_RULE_RECOGNIZE) &&
                req_credentials(w->sides[k].snap, r->requires, &w->counting) < 0)
                return -1;
        }
    for (int grew = 1; grew;) {
        grew = 0;
        for (int k = 0; k < 2; k++)
            for (size_t i = 0; i < w->sides[k].nrules; i++) {
                const cx_rule *r = w->sides[k].by_id[i];
                const cx_snapshot *s = w->sides[k].snap;
                int rc = 0;
                if (r->kind == CX_RULE_EQUIVALENT &&
                    meets_syms(s, r->members, r->nmembers, &w->counting))
                    rc = add_syms(s, r->members, r->nmembers, &w->counting);
                else if ((r->kind == CX_RULE_COUNTS_AS || r->kind == CX_RULE_EQUIVALENCE) &&
                         meets_bits(s, r->to->bits, &w->counting))
                    rc = add_bits(s, r->from->bits, &w->counting);
                if (rc < 0) return -1;
                grew |= rc;
            }
    }
    return 0;
}

/* A change of memberships of groups the rules name (member_of) moves the
 * jurisdictions whose rows differ. What can follow (docs/whatif.md): an
 * award issued in one of them may be recognised elsewhere, or no longer,
 * when a recognition or denial that names the group selects its
 * credential -- which matters when the credential can count toward some
 * stack (its holder is audited: find_holders); a stack in one of them may
 * accept awards from elsewhere, or no longer, and equivalences `within`
 * the group may apply to it, or no longer (such stacks and equivalences
 * are treated as differing rules); and every equivalence pair and
 * hypothetical transfer is decided again. */
static int group_changes(wctx *w)
{
    idset named, changed;
    int rc = 0;
    set_init(&named, &w->arena);
    set_init(&changed, &w->arena);
    for (int k = 0; k < 2 && rc == 0; k++)
        for (size_t i = 0; i < w->sides[k].nrules && rc == 0; i++) {
            const cx_rule *r = w->sides[k].by_id[i];
            const cx_snapshot *s = w->sides[k].snap;
            if (jsel_groups(s, r->within, &named) < 0 || jsel_groups(s, r->into, &named) < 0 ||
                jsel_groups(s, r->from_j, &named) < 0)
                rc = -1;
        }
    for (size_t i = 0; i < named.map.cap && rc == 0; i++) {
        const char *id = named.map.keys[i];
        int moved = id ? moved_members(w, id) : 0;
        if (moved < 0 || (moved && set_add(&changed, id) < 0)) rc = -1;
    }
    if (rc == 0 && changed.map.count) {
        w->all_pairs = w->all_transfers = 1;
        rc = counting_credentials(w);
    }
    for (int k = 0; k < 2 && rc == 0 && changed.map.count; k++)
        for (size_t i = 0; i < w->sides[k].nrules && rc == 0; i++) {
            const cx_rule *r = w->sides[k].by_id[i];
            const cx_snapshot *s = w->sides[k].snap;
            idset within;
            set_init(&within, &w->arena);
            int hit = r->kind == CX_RULE_STACK && r->jurisdiction != CX_NOSYM &&
                      set_has(&w->moved, s->jurisdictions[r->jurisdiction].id);
            int recognition = r->kind == CX_RULE_RECOGNIZE || r->kind == CX_RULE_DENY;
            if ((cx__rule_is_equivalence(r) && jsel_groups(s, r->within, &within) < 0) ||
                (recognition &&
                 (jsel_groups(s, r->from_j, &within) < 0 || jsel_groups(s, r->into, &within) < 0)))
                rc = -1;
            int names = 0;
            for (size_t g = 0; g < within.map.cap && !names; g++)
                names = within.map.keys[g] && set_has(&changed, within.map.keys[g]);
            if ((hit || (names && cx__rule_is_equivalence(r))) && set_add(&w->dirty, r->id) < 0)
                rc = -1;
            if (names && recognition &&
                add_bits(s, r->credentials ? r->credentials->bits : NULL, &w->carried) < 0)
                rc = -1;
            cx__strmap_free(&within.map);
        }
    cx__strmap_free(&named.map);
    cx__strmap_free(&changed.map);
    return rc;
}

/* The holders the change names: it defines them or their exceptions. */
static int named_holders(wctx *w)
{
    const cx_catalog *cat = w->ch && w->ch->model ? cx__catalog_loader_model(w->ch->model) : NULL;
    int bad = 0;
    for (size_t i = 0; cat && i < cat->holders.n; i++)
        bad |= set_add(&w->holders, cat->holders.v[i].id) < 0;
    for (size_t i = 0; cat && i < cat->exceptions.n; i++)
        bad |= set_add(&w->holders, cat->exceptions.v[i].holder) < 0;
    return bad ? -1 : 0;
}

/* The credentials whose facts the change touches. */
static int change_facts(wctx *w)
{
    const change *ch = w->ch;
    const cx_catalog *cat = ch && ch->model ? cx__catalog_loader_model(ch->model) : NULL;
    const cx_snapshot *before = w->sides[0].snap;
    int bad = 0;
    for (size_t i = 0; cat && i < cat->credentials.n; i++)
        bad |= set_add(&w->changed, cat->credentials.v[i].id) < 0;
    for (size_t i = 0; ch && i < ch->nremove[RM_CREDENTIALS]; i++)
        bad |= set_add(&w->changed, ch->remove[RM_CREDENTIALS][i].id) < 0 ||
               set_add(&w->removed, ch->remove[RM_CREDENTIALS][i].id) < 0;
    for (uint32_t c = 0; ch && ch->nremove[RM_COMPETENCIES] && c < ncredentials(before); c++) {
        const cx_snap_credential *cr = &before->credentials[c];
        for (uint32_t k = 0; k < cr->ncompetencies; k++)
            if (removing(ch, RM_COMPETENCIES, before->competencies[cr->competencies[k]].id))
                bad |= set_add(&w->changed, cr->id) < 0;
    }
    for (size_t i = 0; i < w->changed.map.cap; i++) {
        const char *id = w->changed.map.keys[i];
        if (id) bad |= set_add(&w->relevant, id) < 0 || set_add(&w->targets, id) < 0;
    }
    return bad ? -1 : 0;
}

/* Works out what the change can affect (docs/whatif.md). */
static int find_scope(wctx *w)
{
    int rc = find_dirty(w);
    if (rc) return rc;
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < w->sides[k].nrules; i++)
            w->any_transitive |= w->sides[k].by_id[i]->transitive;
    if (change_facts(w) < 0 || group_changes(w) < 0) return nomem(w);
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < w->sides[k].nrules; i++) {
            const cx_rule *r = w->sides[k].by_id[i];
            if (set_has(&w->dirty, r->id) && rule_effect(w, &w->sides[k], r) < 0) return nomem(w);
        }
    for (int grew = 1; grew;) {
        int b = closure_pass(w, &w->sides[0]), a = closure_pass(w, &w->sides[1]);
        if (a < 0 || b < 0) return nomem(w);
        grew = a | b;
    }
    return CX_OK;
}

/* ------------------------------------------------------- the holders */

typedef struct holder_scan {
    wctx *w;
    idset *out;
    int oom;
} holder_scan;

static int award_row(void *ud, const cx_col *cols, size_t ncols)
{
    holder_scan *h = ud;
    if (ncols < 2 || !cols[0].text || !cols[1].text) return 0;
    if (set_has(&h->w->removed, cols[1].text)) h->w->rep->removed_awards++;
    int in_scope =
        set_has(&h->w->relevant, cols[1].text) ||
        (ncols > 2 && cols[2].text && set_has(&h->w->moved, cols[2].text) &&
         set_has(&h->w->carried, cols[1].text) && set_has(&h->w->counting, cols[1].text));
    if (in_scope && set_add(h->out, cols[0].text) < 0) {
        h->oom = 1;
        return CX_ENOMEM;
    }
    return 0;
}

static int exception_row(void *ud, const cx_col *cols, size_t ncols)
{
    holder_scan *h = ud;
    if (ncols < 5 || !cols[0].text) return 0;
    if ((cols[3].text && set_has(&h->w->removed, cols[3].text)) ||
        (cols[4].text && set_has(&h->w->removed, cols[4].text)))
        h->w->rep->removed_exceptions++;
    /* a substitution lets its `use` fill a slot of any credential: when a
     * changed membership may move the recognition of that credential, the
     * holder may move whatever the stack counts otherwise */
    int in_scope = (cols[1].text && set_has(&h->w->stacks, cols[1].text)) ||
                   (cols[4].text && set_has(&h->w->carried, cols[4].text));
    if (in_scope && set_add(h->out, cols[0].text) < 0) {
        h->oom = 1;
        return CX_ENOMEM;
    }
    return 0;
}

/* The holders to audit: those the change names, those holding a relevant
 * credential (or one a moved membership may carry), those with an
 * exception for a stack in scope or substituting such a credential. */
static int find_holders(wctx *w, idset *out)
{
    holder_scan h = {w, out, 0};
    int rc = CX_OK;
    for (size_t i = 0; i < w->holders.map.cap; i++)
        if (w->holders.map.keys[i] && set_add(out, w->holders.map.keys[i]) < 0) return nomem(w);
    if (w->relevant.map.count || w->removed.map.count || w->moved.map.count) {
        progress(w, "scanning", 0, 1);
        rc = cx__registry_award_holders(w->r, w->moved.map.count > 0, award_row, &h, w->err);
    }
    if (!rc) rc = cx__registry_scan(w->r, CX_SCAN_EXCEPTIONS, exception_row, &h, w->err);
    if (h.oom) return nomem(w);
    return rc;
}

/* ----------------------------------------------------------- transitions */

static cx_transition *new_transition(wctx *w, cx_decision_kind kind, int from, int to)
{
    if (w->ntr == w->captr) {
        size_t cap = w->captr ? w->captr * 2 : 16;
        cx_transition *v = realloc(w->tr, cap * sizeof *v);
        if (!v) return NULL;
        w->tr = v;
        w->captr = cap;
    }
    cx_transition *t = &w->tr[w->ntr++];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    t->from = status_text(from);
    t->to = status_text(to);
    t->count = 1;
    return t;
}

static void transition_clear(cx_transition *t)
{
    char *owned[] = {t->stack,      t->from_credential,   t->to_credential,  t->in,
                     t->credential, t->from_jurisdiction, t->to_jurisdiction};
    for (size_t i = 0; i < CX_COUNT(owned); i++) free(owned[i]);
    for (size_t i = 0; i < t->nexamples; i++) free(t->examples[i]);
}

/* Counts a holder whose audit of stack moved from -> to. */
static int audit_moved(wctx *w, const char *stack, int from, int to, const char *holder)
{
    char key[600];
    snprintf(key, sizeof key, "%s\x1f%d\x1f%d", stack, from, to);
    size_t k = (size_t)(uintptr_t)cx__strmap_get(&w->groups, key);
    cx_transition *t;
    if (k) {
        t = &w->tr[k - 1];
        t->count++;
    } else {
        char *kept = cx__arena_strdup(&w->arena, key);
        if (!kept || !(t = new_transition(w, CX_DECISION_AUDIT, from, to)) ||
            !(t->stack = cx__strdup(stack)) ||
            cx__strmap_put(&w->groups, kept, (void *)(uintptr_t)w->ntr, NULL) < 0)
            return -1;
    }
    if (t->nexamples < CX_COUNT(t->examples)) {
        if (!(t->examples[t->nexamples] = cx__strdup(holder))) return -1;
        t->nexamples++;
    }
    return 0;
}

/* ---------------------------------------------------------------- audits */

/* One audit before the change: indices into the store's holders and stacks. */
typedef struct arec {
    uint32_t holder, stack;
    uint8_t status;
} arec;

typedef struct astore {
    wctx *w;
    char **holders; /* in the order audited (byte order), in the arena */
    size_t nholders, capholders;
    char **stacks; /* interned stack ids, in the arena */
    size_t nstacks, capstacks;
    cx_strmap stack_index; /* stack id -> index + 1 */
    arec *recs;
    size_t nrecs, caprecs, cursor;
    int oom;
} astore;

/* On worker threads: only the status, stack and holder, compactly. */
static int render_compact(void *ud, const cx_decision *d, cx_write_fn write, void *wud)
{
    char status = (char)('A' + (int)d->status);
    (void)ud;
    return write(&status, 1, wud) || write(d->stack, strlen(d->stack), wud) ||
                   write("\t", 1, wud) || write(d->holder, strlen(d->holder), wud)
               ? -1
               : 0;
}

/* Splits a compact line: status, stack (NUL-terminated in buf), holder. */
static int parse_compact(const char *text, char *buf, size_t size, const char **stack,
                         const char **holder)
{
    const char *tab = strchr(text, '\t');
    size_t n = tab ? (size_t)(tab - text - 1) : 0;
    if (!tab || n >= size) return -1;
    memcpy(buf, text + 1, n);
    buf[n] = '\0';
    *stack = buf;
    *holder = tab + 1;
    return text[0] - 'A';
}

static uint32_t intern_stack(astore *a, const char *stack)
{
    size_t k = (size_t)(uintptr_t)cx__strmap_get(&a->stack_index, stack);
    if (k) return (uint32_t)(k - 1);
    if (a->nstacks == a->capstacks) {
        size_t cap = a->capstacks ? a->capstacks * 2 : 16;
        char **v = realloc(a->stacks, cap * sizeof *v);
        if (!v) return UINT32_MAX;
        a->stacks = v;
        a->capstacks = cap;
    }
    char *kept = cx__arena_strdup(&a->w->arena, stack);
    if (!kept) return UINT32_MAX;
    a->stacks[a->nstacks++] = kept;
    if (cx__strmap_put(&a->stack_index, kept, (void *)(uintptr_t)a->nstacks, NULL) < 0)
        return UINT32_MAX;
    return (uint32_t)(a->nstacks - 1);
}

static int keep_holder(astore *a, const char *holder)
{
    if (a->nholders && strcmp(a->holders[a->nholders - 1], holder) == 0) return 0;
    if (a->nholders == a->capholders) {
        size_t cap = a->capholders ? a->capholders * 2 : 1024;
        char **v = realloc(a->holders, cap * sizeof *v);
        if (!v) return -1;
        a->holders = v;
        a->capholders = cap;
    }
    if (!(a->holders[a->nholders] = cx__arena_strdup(&a->w->arena, holder))) return -1;
    a->nholders++;
    return 0;
}

/* Before the change: keeps every decision's status. */
static int keep_before(void *ud, const char *text, cx_status status)
{
    astore *a = ud;
    char buf[512];
    const char *stack, *holder;
    (void)status;
    int st = parse_compact(text, buf, sizeof buf, &stack, &holder);
    uint32_t s = st < 0 ? UINT32_MAX : intern_stack(a, stack);
    if (s == UINT32_MAX || keep_holder(a, holder)) return CX_ENOMEM;
    if (a->nrecs == a->caprecs) {
        size_t cap = a->caprecs ? a->caprecs * 2 : 4096;
        arec *v = realloc(a->recs, cap * sizeof *v);
        if (!v) return CX_ENOMEM;
        a->recs = v;
        a->caprecs = cap;
    }
    a->recs[a->nrecs++] = (arec){(uint32_t)(a->nholders - 1), s, (uint8_t)st};
    return CX_OK;
}

/* Orders a kept decision against (holder, stack). */
static int rec_cmp(const astore *a, const arec *r, const char *holder, const char *stack)
{
    int c = strcmp(a->holders[r->holder], holder);
    return c ? c : strcmp(a->stacks[r->stack], stack);
}

/* A kept decision with no counterpart after the change. */
static int gone(astore *a, const arec *r)
{
    a->w->rep->audits++;
    return audit_moved(a->w, a->stacks[r->stack], r->status, ABSENT, a->holders[r->holder]);
}

/* After the change: merges with the kept decisions (both in holder, then
 * stack, byte order), counting each holder x stack whose status moved. */
static int merge_after(void *ud, const char *text, cx_status status)
{
    astore *a = ud;
    char buf[512];
    const char *stack, *holder;
    (void)status;
    int st = parse_compact(text, buf, sizeof buf, &stack, &holder), c = 1;
    if (st < 0) return CX_ENOMEM;
    while (a->cursor < a->nrecs && (c = rec_cmp(a, &a->recs[a->cursor], holder, stack)) < 0)
        if (gone(a, &a->recs[a->cursor++])) return CX_ENOMEM;
    int before = ABSENT;
    if (a->cursor < a->nrecs && c == 0) before = a->recs[a->cursor++].status;
    a->w->rep->audits++;
    if (before != st && audit_moved(a->w, stack, before, st, holder)) return CX_ENOMEM;
    return CX_OK;
}

/* A cx_audit_all progress report, renamed for the side being audited. */
typedef struct phase {
    wctx *w;
    const char *name;
} phase;

static void phase_progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
    phase *p = ud;
    (void)what;
    progress(p->w, p->name, done, total);
}

static int audit_side(wctx *w, cx_rules *rules, cx_output_fn out, astore *a, const char *name)
{
    phase p = {w, name};
    return cx_audit_all(rules, NULL, w->rep->as_of, w->opt->jobs < 1 ? 1 : w->opt->jobs,
                        render_compact, out, a, phase_progress, &p, w->err);
}

/* Audits every holder of before and after and counts what moved. */
static int compare_audits(wctx *w, cx_registry *before, cx_registry *after)
{
    astore a = {.w = w};
    side sb = {0}, sa = {0};
    int rc;
    cx__strmap_init(&a.stack_index);
    if (!(rc = load_side(w, before, 0, &sb, NULL)) && !(rc = load_side(w, after, 1, &sa, NULL)) &&
        !(rc = audit_side(w, sb.rules, keep_before, &a, "before")))
        rc = audit_side(w, sa.rules, merge_after, &a, "after");
    while (!rc && a.cursor < a.nrecs)
        if (gone(&a, &a.recs[a.cursor++])) rc = nomem(w);
    if (rc == CX_ENOMEM && !w->err->message[0]) nomem(w);
    cx_rules_free(sb.rules);
    cx_rules_free(sa.rules);
    cx__strmap_free(&sb.expanded.map);
    cx__strmap_free(&sa.expanded.map);
    cx__strmap_free(&a.stack_index);
    free(a.holders);
    free(a.stacks);
    free(a.recs);
    return rc;
}

static int status_rank(const char *s)
{
    for (int k = 0; k <= ABSENT; k++)
        if (strcmp(status_text(k), s) == 0) return k;
    return ABSENT + 1;
}

/* Audit groups by stack, then status before, then after. */
static int by_group(const void *x, const void *y)
{
    const cx_transition *a = x, *b = y;
    int c = strcmp(a->stack, b->stack);
    if (c) return c;
    c = status_rank(a->from) - status_rank(b->from);
    return c ? c : status_rank(a->to) - status_rank(b->to);
}

/* ------------------------------------------------- equivalences, transfers */

/* Jurisdiction ids a selector names: its ids, every member ever of a group
 * it names; an absent clause (j NULL) or any_jurisdiction names them all. */
static int jsel_ids(const cx_snapshot *s, const cx_jsel *j, idset *set)
{
    uint32_t n = cx__snapshot_count(s, CX_KIND_JURISDICTION);
    int bad = 0;
    if (!j || j->kind == CX_JSEL_ANY)
        for (uint32_t i = 0; i < n; i++) bad |= set_add(set, s->jurisdictions[i].id) < 0;
    else if (j->kind == CX_JSEL_IDS)
        for (size_t i = 0; i < j->nids; i++)
            bad |= set_add(set, s->jurisdictions[j->ids[i]].id) < 0;
    else if (j->kind == CX_JSEL_MEMBER_OF)
        for (uint32_t i = 0; i < s->groups[j->group].nmemberships; i++)
            bad |=
                set_add(set, s->jurisdictions[s->groups[j->group].memberships[i].jurisdiction].id) <
                0;
    for (size_t i = 0; j && i < j->nparts; i++) bad |= jsel_ids(s, j->parts[i], set) < 0;
    return bad ? -1 : 0;
}

/* Does equivalence rule r's from (which 0) or to (1) select credential c? */
static int rule_selects(const cx_rule *r, int which, cx_sym c)
{
    if (r->kind != CX_RULE_EQUIVALENT) return bit(which ? r->to->bits : r->from->bits, c);
    for (size_t i = 0; i < r->nmembers; i++)
        if (r->members[i] == c) return 1;
    return 0;
}

/* The (from, to) pairs of rule r worth deciding again, as "A\x1fB" keys:
 * all of them when the rule differs between the sides (or memberships
 * changed), else those with a credential the change touches. */
static int rule_pairs(wctx *w, const side *s, const cx_rule *r, idset *pairs)
{
    uint32_t n = ncredentials(s->snap);
    int full = w->all_pairs || set_has(&w->dirty, r->id), bad = 0;
    uint8_t *touched = calloc(n + 1, 1);
    if (!touched) return -1;
    for (uint32_t c = 0; c < n; c++)
        touched[c] = (uint8_t)set_has(&w->changed, s->snap->credentials[c].id);
    for (uint32_t a = 0; a < n && !bad; a++) {
        if (!rule_selects(r, 0, a)) continue;
        for (uint32_t b = 0; b < n && !bad; b++) {
            if (a == b || !(full || touched[a] || touched[b]) || !rule_selects(r, 1, b)) continue;
            char key[600];
            snprintf(key, sizeof key, "%s\x1f%s", s->snap->credentials[a].id,
                     s->snap->credentials[b].id);
            bad = set_add(pairs, key) < 0;
        }
    }
    free(touched);
    return bad ? -1 : 0;
}

/* One side's equivalence decision; ABSENT when an id is not on that side. */
static int equiv_on(wctx *w, const side *s, const char *a, const char *b, const char *j,
                    int *status, int *has, int64_t *covered, int64_t *total)
{
    cx_decision *d = NULL;
    *status = ABSENT;
    *has = 0;
    if (cx__snapshot_find(s->snap, CX_KIND_CREDENTIAL, a) == CX_NOSYM ||
        cx__snapshot_find(s->snap, CX_KIND_CREDENTIAL, b) == CX_NOSYM ||
        (j && cx__snapshot_find(s->snap, CX_KIND_JURISDICTION, j) == CX_NOSYM))
        return CX_OK;
    int rc = cx_equiv(s->rules, a, b, j, w->rep->as_of, &d, w->err);
    if (rc) return rc;
    *status = (int)d->status;
    *has = d->has_coverage;
    *covered = d->covered;
    *total = d->total;
    cx_decision_free(d);
    return CX_OK;
}

/* Decides pair "A\x1fB" in j (NULL: no jurisdiction) on both sides. */
static int compare_equiv(wctx *w, const char *key, const char *j)
{
    char a[300];
    const char *sep = strchr(key, '\x1f');
    snprintf(a, sizeof a, "%.*s", (int)(sep - key), key);
    int sb, sa, hb, ha;
    int64_t cb = 0, tb = 0, ca = 0, ta = 0;
    int rc = equiv_on(w, &w->sides[0], a, sep + 1, j, &sb, &hb, &cb, &tb);
    if (!rc) rc = equiv_on(w, &w->sides[1], a, sep + 1, j, &sa, &ha, &ca, &ta);
    if (rc || sb == sa) return rc;
    cx_transition *t = new_transition(w, CX_DECISION_EQUIV, sb, sa);
    if (!t || !(t->from_credential = cx__strdup(a)) || !(t->to_credential = cx__strdup(sep + 1)) ||
        (j && !(t->in = cx__strdup(j))))
        return nomem(w);
    t->has_coverage_before = hb;
    t->covered_before = cb;
    t->total_before = tb;
    t->has_coverage_after = ha;
    t->covered_after = ca;
    t->total_after = ta;
    return CX_OK;
}

/* Equivalences: pairs a rule's from and to select, in no jurisdiction and
 * in each one any rule's `within` names. */
static int compare_equivs(wctx *w)
{
    idset pairs, within;
    set_init(&pairs, &w->arena);
    set_init(&within, &w->arena);
    int rc = CX_OK;
    for (int k = 0; k < 2 && !rc; k++)
        for (size_t i = 0; i < w->sides[k].nrules && !rc; i++) {
            const cx_rule *r = w->sides[k].by_id[i];
            if (!cx__rule_is_equivalence(r)) continue;
            if (rule_pairs(w, &w->sides[k], r, &pairs) < 0 ||
                (r->within && jsel_ids(w->sides[k].snap, r->within, &within) < 0))
                rc = nomem(w);
        }
    size_t np = 0, nj = 0;
    const char **pv = rc ? NULL : set_sorted(&pairs, &np),
               **jv = rc ? NULL : set_sorted(&within, &nj);
    if (!rc && (!pv || !jv)) rc = nomem(w);
    for (size_t i = 0; i < np && !rc; i++) {
        for (size_t k = 0; k <= nj && !rc; k++) {
            rc = compare_equiv(w, pv[i], k ? jv[k - 1] : NULL);
            w->rep->equivs++;
        }
        if (i % 256 == 0) progress(w, "equivalences", i, np);
    }
    free(pv);
    free(jv);
    cx__strmap_free(&pairs.map);
    cx__strmap_free(&within.map);
    return rc;
}

static int transfer_on(wctx *w, const side *s, const char *c, const char *from, const char *to,
                       int *status)
{
    cx_decision *d = NULL;
    *status = ABSENT;
    if (cx__snapshot_find(s->snap, CX_KIND_CREDENTIAL, c) == CX_NOSYM ||
        cx__snapshot_find(s->snap, CX_KIND_JURISDICTION, from) == CX_NOSYM ||
        cx__snapshot_find(s->snap, CX_KIND_JURISDICTION, to) == CX_NOSYM)
        return CX_OK;
    int rc = cx_transfer(s->rules, c, from, to, w->rep->as_of, &d, w->err);
    if (!rc) *status = (int)d->status;
    cx_decision_free(d);
    return rc;
}

/* A hypothetical award of c issued in from, recognised in to? */
static int compare_transfer(wctx *w, const char *c, const char *from, const char *to)
{
    int sb, sa;
    int rc = transfer_on(w, &w->sides[0], c, from, to, &sb);
    if (!rc) rc = transfer_on(w, &w->sides[1], c, from, to, &sa);
    w->rep->transfers++;
    if (rc || sb == sa) return rc;
    cx_transition *t = new_transition(w, CX_DECISION_TRANSFER, sb, sa);
    if (!t || !(t->credential = cx__strdup(c)) || !(t->from_jurisdiction = cx__strdup(from)) ||
        !(t->to_jurisdiction = cx__strdup(to)))
        return nomem(w);
    return CX_OK;
}

/* What recognize and deny rules name: credentials, and jurisdictions in
 * their into and from clauses; plus stacks' jurisdictions. 0 when no such
 * rule exists on either side. */
static int transfer_subjects(wctx *w, idset *creds, idset *places)
{
    int any = 0;
    for (int k = 0; k < 2; k++) {
        const side *s = &w->sides[k];
        for (size_t i = 0; i < s->nrules; i++) {
            const cx_rule *r = s->by_id[i];
            if (r->kind == CX_RULE_STACK && r->jurisdiction != CX_NOSYM &&
                set_add(places, s->snap->jurisdictions[r->jurisdiction].id) < 0)
                return -1;
            if (r->kind != CX_RULE_RECOGNIZE && r->kind != CX_RULE_DENY) continue;
            any = 1;
            if (add_bits(s->snap, r->credentials ? r->credentials->bits : NULL, creds) < 0 ||
                jsel_ids(s->snap, r->into, places) < 0 || jsel_ids(s->snap, r->from_j, places) < 0)
                return -1;
        }
    }
    return any;
}

/* Recognitions: each credential (the changed ones only, unless rules or
 * memberships changed) from its home jurisdiction on either side into
 * every jurisdiction the rules name. */
static int compare_transfers(wctx *w)
{
    idset creds, places;
    set_init(&creds, &w->arena);
    set_init(&places, &w->arena);
    int any = transfer_subjects(w, &creds, &places), rc = any < 0 ? nomem(w) : CX_OK;
    size_t nc = 0, np = 0;
    const char **cv = any > 0 ? set_sorted(&creds, &nc) : NULL,
               **pv = any > 0 ? set_sorted(&places, &np) : NULL;
    if (any > 0 && (!cv || !pv)) rc = nomem(w);
    for (size_t i = 0; i < nc && !rc; i++) {
        if (!w->all_transfers && !set_has(&w->changed, cv[i])) continue;
        const char *home[2] = {NULL, NULL};
        for (int k = 0; k < 2; k++) {
            const cx_snapshot *s = w->sides[k].snap;
            cx_sym c = cx__snapshot_find(s, CX_KIND_CREDENTIAL, cv[i]);
            if (c != CX_NOSYM) home[k] = s->jurisdictions[s->credentials[c].jurisdiction].id;
        }
        if (home[0] && home[1] && strcmp(home[0], home[1]) == 0) home[1] = NULL;
        if (!home[0] || (home[1] && strcmp(home[1], home[0]) < 0)) { /* in byte order */
            const char *first = home[1];
            home[1] = home[0];
            home[0] = first;
        }
        for (int k = 0; k < 2 && !rc; k++)
            for (size_t j = 0; home[k] && j < np && !rc; j++)
                if (strcmp(pv[j], home[k]) != 0) rc = compare_transfer(w, cv[i], home[k], pv[j]);
        if (i % 64 == 0) progress(w, "recognitions", i, nc);
    }
    free(cv);
    free(pv);
    cx__strmap_free(&creds.map);
    cx__strmap_free(&places.map);
    return rc;
}

/* ------------------------------------------------------------ the run */

static int has_stacks(const wctx *w)
{
    size_t nb = 0, na = 0;
    cx__rules_stacks(w->sides[0].rules, &nb);
    cx__rules_stacks(w->sides[1].rules, &na);
    return nb || na;
}

/* The registries the audits run on: before, and after with the change
 * applied (after may be before itself, for a diff). Copies are new. */
static int audit_registries(wctx *w, const idset *holders, cx_registry **before,
                            cx_registry **after)
{
    size_t n = 0;
    const char **v = NULL;
    int rc = CX_OK;
    *before = *after = w->r;
    if (!w->all_holders) {
        if (!(v = set_sorted(holders, &n))) return nomem(w);
        progress(w, "copying", 0, n);
        rc = cx__registry_copy_holders(w->r, v, n, before, w->err);
        *after = *before;
        free(v);
    }
    if (!rc && w->ch) {
        progress(w, "copying", 0, 0);
        rc = cx__registry_copy_to_memory(*before, after, w->err);
        if (!rc) rc = apply_change(w, *after);
    }
    return rc;
}

static void close_copies(wctx *w, cx_registry *before, cx_registry *after)
{
    if (after != before && after != w->r) cx_registry_close(after);
    if (before != w->r) cx_registry_close(before);
}

/* Past this many holders in scope, and two fifths of the registry, every
 * holder is audited in place rather than copied (docs/whatif.md, "Cost"). */
#define COPY_MOST 50000

/* Audits the holders in scope before and after the change. */
static int run_audits(wctx *w)
{
    idset holders;
    cx_registry *before = NULL, *after = NULL;
    int stacks = has_stacks(w), rc = CX_OK;
    set_init(&holders, &w->arena);
    if ((stacks && !w->all_holders) || w->removed.map.count) rc = find_holders(w, &holders);
    if (!rc && !w->all_holders && holders.map.count > COPY_MOST &&
        holders.map.count > w->rep->holders / 5 * 2) {
        /* copying most of a large registry holder by holder costs more
         * than auditing all of it where it is */
        char n[32];
        snprintf(n, sizeof n, "%zu", holders.map.count);
        every_holder(w, "the change can move %s holders, more than two fifths of them", n);
    }
    if (!rc && stacks && (w->all_holders || holders.map.count)) {
        w->rep->holders_audited = w->all_holders ? w->rep->holders : holders.map.count;
        rc = audit_registries(w, &holders, &before, &after);
        if (!rc) rc = compare_audits(w, before, after);
        close_copies(w, before, after);
        if (!rc && w->ntr) qsort(w->tr, w->ntr, sizeof *w->tr, by_group);
    }
    cx__strmap_free(&holders.map);
    return rc;
}

/* Every step reads the registry again (copies, the award scan, the
 * packs compiled against it): an import that commits meanwhile would mix
 * two states, so the content version must be the one the run began with. */
static int run(wctx *w)
{
    int64_t version = 0;
    int rc = find_scope(w);
    if (!rc) rc = run_audits(w);
    if (!rc) rc = compare_equivs(w);
    if (!rc) rc = compare_transfers(w);
    if (!rc) rc = cx_registry_content_version(w->r, &version, w->err);
    if (!rc && version != w->version)
        rc = cx__error(w->err, CX_EREGISTRY, NULL, 0, 0,
                       "the registry changed while the comparison ran (an import committed); "
                       "run it again");
    return rc;
}

static int init_run(wctx *w, cx_registry *r, const cx_whatif_options *opt, cx_error *err)
{
    cx_date d;
    const char *why;
    memset(w, 0, sizeof *w);
    w->r = r;
    w->opt = opt;
    w->err = err;
    cx__arena_init(&w->arena);
    cx__strmap_init(&w->groups);
    idset *sets[] = {&w->changed, &w->relevant, &w->targets, &w->holders, &w->stacks,
                     &w->dirty,   &w->removed,  &w->moved,   &w->carried, &w->counting};
    for (size_t i = 0; i < CX_COUNT(sets); i++) set_init(sets[i], &w->arena);
    if (!opt->as_of || cx__date_parse(opt->as_of, &d, &why) != 0)
        return cx__error(err, CX_EUSAGE, NULL, 0, 0, "as-of date '%s': %s",
                         opt->as_of ? opt->as_of : "", opt->as_of ? why : "missing");
    if (!(w->rep = calloc(1, sizeof *w->rep))) return nomem(w);
    snprintf(w->rep->as_of, sizeof w->rep->as_of, "%s", opt->as_of);
    int64_t counts[CX_KIND_AWARD + 1];
    int rc = cx_registry_content_version(r, &w->version, err);
    if (!rc) rc = cx_registry_counts(r, counts, err);
    if (!rc) w->rep->holders = (uint64_t)counts[CX_KIND_HOLDER];
    return rc;
}

/* Frees the run; hands the report to *out on success. */
static int end_run(wctx *w, int rc, cx_whatif_report **out)
{
    for (int k = 0; k < 2; k++) {
        cx_rules_free(w->sides[k].rules);
        cx__strmap_free(&w->sides[k].expanded.map);
    }
    idset *sets[] = {&w->changed, &w->relevant, &w->targets, &w->holders, &w->stacks,
                     &w->dirty,   &w->removed,  &w->moved,   &w->carried, &w->counting};
    for (size_t i = 0; i < CX_COUNT(sets); i++) cx__strmap_free(&sets[i]->map);
    cx__strmap_free(&w->groups);
    if (w->rep) {
        w->rep->transitions = w->tr;
        w->rep->ntransitions = w->ntr;
        w->tr = NULL;
        w->ntr = 0;
        if (!rc && w->all_holders && w->rep->holders_audited && w->why[0] &&
            !(w->rep->scope = cx__strdup(w->why)))
            rc = nomem(w);
    }
    for (size_t i = 0; i < w->ntr; i++) transition_clear(&w->tr[i]);
    free(w->tr);
    cx__arena_free(&w->arena);
    if (rc) {
        cx_whatif_report_free(w->rep);
        return rc;
    }
    *out = w->rep;
    return CX_OK;
}

static void count_packs(wctx *w)
{
    w->rep->packs_before = cx_rules_pack_count(w->sides[0].rules);
    w->rep->packs_after = cx_rules_pack_count(w->sides[1].rules);
}

/* What the change defines, and how many holders it adds. */
static int count_change(wctx *w)
{
    const cx_catalog *cat = w->ch->model ? cx__catalog_loader_model(w->ch->model) : NULL;
    cx_import_stats *s = &w->rep->defined;
    w->rep->removed_credentials = (int64_t)w->ch->nremove[RM_CREDENTIALS];
    w->rep->removed_competencies = (int64_t)w->ch->nremove[RM_COMPETENCIES];
    w->rep->rules_replaced = w->ch->has_rules;
    if (!cat) return CX_OK;
    s->count[CX_KIND_JURISDICTION] = (int64_t)cat->jurisdictions.n;
    s->count[CX_KIND_GROUP] = (int64_t)cat->groups.n;
    s->count[CX_KIND_PROVIDER] = (int64_t)cat->providers.n;
    s->count[CX_KIND_FRAMEWORK] = (int64_t)cat->frameworks.n;
    s->count[CX_KIND_COMPETENCY] = (int64_t)cat->competencies.n;
    s->count[CX_KIND_CREDENTIAL] = (int64_t)cat->credentials.n;
    s->count[CX_KIND_HOLDER] = (int64_t)cat->holders.n;
    s->count[CX_KIND_AWARD] = (int64_t)cat->nawards;
    s->exceptions = (int64_t)cat->exceptions.n;
    for (size_t i = 0; i < cat->holders.n; i++) {
        int has = cx_registry_has(w->r, CX_KIND_HOLDER, cat->holders.v[i].id, w->err);
        if (has < 0) return w->err->code;
        w->rep->holders += !has;
    }
    return CX_OK;
}

/* The registries the packs are first compiled against: every fact but
 * holders (except those the change names), before and after the change. */
static int load_skeletons(wctx *w)
{
    cx_registry *before = NULL, *after = NULL;
    const char **named = NULL;
    size_t n = 0;
    int rc = named_holders(w) < 0 ? nomem(w) : CX_OK;
    if (!rc && !(named = set_sorted(&w->holders, &n))) rc = nomem(w);
    if (!rc) rc = cx__registry_copy_holders(w->r, named, n, &before, w->err);
    free(named);
    after = before;
    if (!rc && w->ch) rc = cx__registry_copy_to_memory(before, &after, w->err);
    if (!rc && w->ch) rc = apply_change(w, after);
    if (!rc) rc = load_side(w, before, 0, &w->sides[0], w->opt->diags);
    if (!rc) rc = load_side(w, after, 1, &w->sides[1], w->opt->diags);
    if (after != before) cx_registry_close(after);
    cx_registry_close(before);
    return rc;
}

int cx_whatif(cx_registry *r, const char *path, const cx_whatif_options *opt,
              cx_whatif_report **out, cx_error *err)
{
    wctx w;
    change ch;
    memset(&ch, 0, sizeof ch);
    *out = NULL;
    int rc = init_run(&w, r, opt, err);
    w.ch = &ch;
    if (!rc) rc = read_change(&w, path);
    w.before_paths = opt->rules;
    w.nbefore = opt->nrules;
    w.after_paths = ch.has_rules ? (const char *const *)ch.rules.v : opt->rules;
    w.nafter = ch.has_rules ? ch.rules.n : opt->nrules;
    if (!rc) rc = count_change(&w);
    if (!rc) rc = load_skeletons(&w);
    if (!rc) count_packs(&w);
    if (!rc) rc = run(&w);
    rc = end_run(&w, rc, out);
    change_free(&ch);
    return rc;
}

int cx_diff(cx_registry *r, const char *const *old_rules, size_t nold, const char *const *new_rules,
            size_t nnew, const cx_whatif_options *opt, cx_whatif_report **out, cx_error *err)
{
    wctx w;
    *out = NULL;
    int rc = init_run(&w, r, opt, err);
    w.before_paths = old_rules;
    w.nbefore = nold;
    w.after_paths = new_rules;
    w.nafter = nnew;
    if (!rc) rc = load_skeletons(&w);
    if (!rc) {
        count_packs(&w);
        w.rep->rules_replaced = 1;
        rc = run(&w);
    }
    return end_run(&w, rc, out);
}

void cx_whatif_report_free(cx_whatif_report *rep)
{
    if (!rep) return;
    for (size_t i = 0; i < rep->ntransitions; i++) transition_clear(&rep->transitions[i]);
    free(rep->transitions);
    free(rep->scope);
    free(rep);
}

/* ------------------------------------------------------------ rendering */

/* The subject as text: "CA-EV-TECH", "A -> B in US-CA", "C US-TX -> US-CT". */
static void subject_text(cx_buf *b, const cx_transition *t)
{
    if (t->kind == CX_DECISION_AUDIT) {
        cx__buf_puts(b, t->stack);
    } else if (t->kind == CX_DECISION_EQUIV) {
        cx__buf_printf(b, "%s -> %s", t->from_credential, t->to_credential);
        if (t->in) cx__buf_printf(b, " in %s", t->in);
    } else {
        cx__buf_printf(b, "%s %s -> %s", t->credential, t->from_jurisdiction, t->to_jurisdiction);
    }
}

static void coverage_text(cx_buf *b, int has, int64_t covered, int64_t total)
{
    if (has)
        cx__buf_printf(b, "%lld/%lld", (long long)covered, (long long)total);
    else
        cx__buf_puts(b, "-");
}

static const char *kind_word(cx_decision_kind kind)
{
    return kind == CX_DECISION_AUDIT ? "audit" : kind == CX_DECISION_EQUIV ? "equiv" : "transfer";
}

char *cx_transition_text(const cx_transition *t)
{
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_printf(&b, "%s ", kind_word(t->kind));
    subject_text(&b, t);
    cx__buf_printf(&b, ": %s -> %s", t->from, t->to);
    if (t->kind == CX_DECISION_AUDIT) {
        cx__buf_printf(&b, ": %llu holder%s (", (unsigned long long)t->count,
                       t->count == 1 ? "" : "s");
        for (size_t i = 0; i < t->nexamples; i++)
            cx__buf_printf(&b, "%s%s", i ? ", " : "", t->examples[i]);
        cx__buf_puts(&b, t->count > t->nexamples ? ", ...)" : ")");
    }
    if (t->has_coverage_before || t->has_coverage_after) {
        cx__buf_puts(&b, " (coverage ");
        coverage_text(&b, t->has_coverage_before, t->covered_before, t->total_before);
        cx__buf_puts(&b, " -> ");
        coverage_text(&b, t->has_coverage_after, t->covered_after, t->total_after);
        cx__buf_puts(&b, ")");
    }
    cx__buf_puts(&b, "\n");
    if (b.oom) cx__buf_free(&b);
    return b.data;
}

const char *cx_transition_csv_header(void)
{
    return "kind,subject,from,to,count,examples,coverage_before,coverage_after\r\n";
}

char *cx_transition_csv(const cx_transition *t)
{
    cx_buf b, part;
    cx__buf_init(&b);
    cx__buf_init(&part);
    subject_text(&part, t);
    cx__buf_printf(&b, "%s,", kind_word(t->kind));
    cx__buf_csv_field(&b, part.data ? part.data : "");
    cx__buf_printf(&b, ",%s,%s,%llu,", t->from, t->to, (unsigned long long)t->count);
    cx__buf_free(&part);
    cx__buf_init(&part);
    for (size_t i = 0; i < t->nexamples; i++)
        cx__buf_printf(&part, "%s%s", i ? ";" : "", t->examples[i]);
    cx__buf_csv_field(&b, part.data ? part.data : "");
    cx__buf_puts(&b, ",");
    if (t->has_coverage_before) coverage_text(&b, 1, t->covered_before, t->total_before);
    cx__buf_puts(&b, ",");
    if (t->has_coverage_after) coverage_text(&b, 1, t->covered_after, t->total_after);
    cx__buf_puts(&b, "\r\n");
    int oom = part.oom;
    cx__buf_free(&part);
    if (b.oom || oom) cx__buf_free(&b);
    return b.data;
}
