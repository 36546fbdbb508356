/*
 * whatif_change.c -- what-if's change file: reads and checks it (its
 * catalog part against the registry, what it removes, the packs it names)
 * and applies it to an in-memory copy. It never writes the registry it is given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "whatif_int.h"

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

int cx__whatif_removing(const change *ch, int which, const char *id)
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
        if (cx__whatif_removing(ch, RM_CREDENTIALS, c->id))
            return at_loc(w, &c->loc,
                          "credential '%s' is both defined and removed by this change%s", c->id,
                          "");
        for (size_t k = 0; k < c->ncompetencies; k++)
            if (cx__whatif_removing(ch, RM_COMPETENCIES, c->competencies[k]))
                return at_loc(w, &c->loc,
                              "credential '%s' lists competency '%s', which this "
                              "change removes",
                              c->id, c->competencies[k]);
    }
    for (size_t i = 0; i < cat->competencies.n; i++)
        if (cx__whatif_removing(ch, RM_COMPETENCIES, cat->competencies.v[i].id))
            return at_loc(w, &cat->competencies.v[i].loc,
                          "competency '%s' is both defined and removed by this change%s",
                          cat->competencies.v[i].id, "");
    for (size_t i = 0; i < cat->groups.n; i++)
        if (cx__whatif_removing(ch, RM_MEMBERSHIPS, cat->groups.v[i].id))
            return at_loc(w, &cat->groups.v[i].loc,
                          "group '%s' is redefined by this change, which also removes one of "
                          "its memberships; list its memberships in the definition instead%s",
                          cat->groups.v[i].id, "");
    for (size_t h = 0; h < cat->holders.n; h++)
        for (size_t i = 0; i < cat->holders.v[h].nawards; i++) {
            const cx_cat_award *a = &cat->holders.v[h].awards[i];
            if (cx__whatif_removing(ch, RM_CREDENTIALS, a->credential))
                return at_loc(w, &a->loc, "award of credential '%s', which this change removes%s",
                              a->credential, "");
        }
    return CX_OK;
}

/* Reads and checks the change file: its catalog part against the
 * registry (as a catalog import would, without writing), what it removes,
 * and the packs it names. */
int cx__whatif_read_change(wctx *w, const char *path)
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

void cx__whatif_change_free(change *ch)
{
    cx__catalog_loader_free(ch->model);
    cx__ydoc_free(ch->doc);
    cx__strlist_free(&ch->rules);
}

/* Applies the change to m, an in-memory copy: removals first, then the
 * catalog part, whose references resolve against the copy (so an award of
 * a removed credential is an unknown reference, located). */
int cx__whatif_apply_change(wctx *w, cx_registry *m)
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
