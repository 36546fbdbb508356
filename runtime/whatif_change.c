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

/* Every key of map, a mapping, is one of keys (what names the map in messages). */
static int check_keys(wctx *w, const cx_ynode *map, const char *what, const char *const *keys)
{
    cx_yschema s = {.what = what, .keys = keys};
    return cx__ycheck_map(w->ch->path, map, &s, w->err);
}

static int want(wctx *w, const cx_ynode *n, cx_ynode_kind kind, const char *what)
{
    if (n->kind == kind) return CX_OK;
    return located(w, n, "%s: expected %s, found %s", what, cx__ynode_kind_name(kind),
                   cx__ynode_kind_name(n->kind));
}

/* A located error at l. */
static int at(wctx *w, const cx_loc *l, const char *fmt, ...) CX_PRINTF(3, 4);
static int at(wctx *w, const cx_loc *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = cx__verror(w->err, CX_EINPUT, l->file, l->line, l->column, fmt, ap);
    va_end(ap);
    return rc;
}

/* "did you mean" for an id of kind that the registry lacks, at l. */
static int no_such(wctx *w, const cx_loc *l, cx_kind kind, const char *id)
{
    char near[256];
    int rc = cx_registry_nearest(w->r, kind, id, near, sizeof near, w->err);
    if (rc) return rc;
    if (near[0])
        return at(w, l, "cannot remove %s '%s': it is not in the registry; did you mean '%s'?",
                  cx_kind_name(kind), id, near);
    return at(w, l, "cannot remove %s '%s': it is not in the registry", cx_kind_name(kind), id);
}

/* A membership to remove: its group must have a membership of the
 * jurisdiction. */
static int remove_membership(wctx *w, const cx_cat_removal *rm)
{
    cx_group *group = NULL;
    int has = cx_registry_has(w->r, CX_KIND_GROUP, rm->id, w->err), rc = CX_OK;
    if (has < 0) return w->err->code;
    if (!has) return no_such(w, &rm->loc, CX_KIND_GROUP, rm->id);
    if ((rc = cx_registry_group(w->r, rm->id, &group, w->err))) return rc;
    const char *names[256];
    size_t nn = 0, k = 0;
    for (; k < group->nmembers; k++) {
        if (strcmp(group->members[k].jurisdiction, rm->jurisdiction) == 0) break;
        if (nn < CX_COUNT(names)) names[nn++] = group->members[k].jurisdiction;
    }
    for (size_t m = k; m < group->nmembers; m++)
        w->rep->removed_memberships +=
            strcmp(group->members[m].jurisdiction, rm->jurisdiction) == 0;
    if (k == group->nmembers) {
        const char *near = cx_nearest(rm->jurisdiction, names, nn);
        rc = near ? at(w, &rm->at_jurisdiction,
                       "group '%s' has no membership of '%s'; did you mean '%s'?", rm->id,
                       rm->jurisdiction, near)
                  : at(w, &rm->at_jurisdiction, "group '%s' has no membership of '%s'", rm->id,
                       rm->jurisdiction);
    }
    cx_group_free(group);
    return rc;
}

/* remove: read as a catalog's (catalog.c), each removal checked against
 * the registry into ch->remove (RM_... is CX_CAT_RM_...). */
static int remove_section(wctx *w, const cx_ynode *map)
{
    static const cx_kind kinds[] = {CX_KIND_CREDENTIAL, CX_KIND_COMPETENCY};
    int rc = cx__catalog_loader_add_removals(w->ch->model, map, w->ch->path, w->err);
    const cx_catalog *cat = cx__catalog_loader_model(w->ch->model);
    for (int k = RM_CREDENTIALS; k <= RM_MEMBERSHIPS && !rc; k++)
        if (!(w->ch->remove[k] =
                  cx__arena_alloc(&w->arena, (cat->removals.n + 1) * sizeof(removal))))
            return nomem(w);
    for (size_t i = 0; i < cat->removals.n && !rc; i++) {
        const cx_cat_removal *rm = &cat->removals.v[i];
        if (rm->which == CX_CAT_RM_MEMBERSHIP) {
            rc = remove_membership(w, rm);
        } else {
            int has = cx_registry_has(w->r, kinds[rm->which], rm->id, w->err);
            if (has < 0) return w->err->code;
            if (!has) rc = no_such(w, &rm->loc, kinds[rm->which], rm->id);
        }
        if (!rc)
            w->ch->remove[rm->which][w->ch->nremove[rm->which]++] =
                (removal){rm->id, rm->jurisdiction};
    }
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
    if (w->ch->data)
        return located(w, n,
                       "rules: not taken here: a change sent as a buffer is evaluated "
                       "with the packs already loaded (send new packs to diff instead)");
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

int cx__whatif_facts_only(const change *ch)
{
    const cx_catalog *cat = ch->model ? cx__catalog_loader_model(ch->model) : NULL;
    if (ch->nremove[RM_CREDENTIALS]) return 0;
    return !cat || (!cat->holders.n && !cat->nawards && !cat->exceptions.n);
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
    int rc = ch->data ? cx__yaml_load_buffer_limited(path, ch->data, ch->len, w->opt->limits,
                                                     &ch->doc, w->err)
                      : cx__yaml_load_file_limited(path, w->opt->limits, &ch->doc, w->err);
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
