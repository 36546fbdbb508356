/*
 * list.c -- the listings of `credex list` (docs/json.md): kind names, which
 * filters apply to which kind, and the stacks of a compiled rule set. The
 * registry's rows come from registry_read.c; rendering is render_list.c's.
 */
#include "list.h"

#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "snapshot.h"
#include "util.h"

static const char *const kind_names[] = {
    [CX_LIST_CREDENTIALS] = "credentials", [CX_LIST_HOLDERS] = "holders",
    [CX_LIST_GROUPS] = "groups",           [CX_LIST_STACKS] = "stacks",
    [CX_LIST_PROVIDERS] = "providers",
};

static const unsigned kind_filters[] = {
    [CX_LIST_CREDENTIALS] =
        CX_FILTER_TYPE | CX_FILTER_TAG | CX_FILTER_JURISDICTION | CX_FILTER_PROVIDER,
    [CX_LIST_HOLDERS] = CX_FILTER_JURISDICTION,
    [CX_LIST_GROUPS] = CX_FILTER_JURISDICTION,
    [CX_LIST_STACKS] = CX_FILTER_JURISDICTION,
    [CX_LIST_PROVIDERS] = CX_FILTER_JURISDICTION,
};

const char *cx_list_kind_name(cx_list_kind kind)
{
    return (size_t)kind < CX_COUNT(kind_names) ? kind_names[kind] : "?";
}

int cx_list_kind_parse(const char *name, cx_list_kind *out)
{
    for (size_t k = 0; name && k < CX_COUNT(kind_names); k++)
        if (strcmp(name, kind_names[k]) == 0) {
            *out = (cx_list_kind)k;
            return 0;
        }
    return -1;
}

unsigned cx_list_filters(cx_list_kind kind)
{
    return (size_t)kind < CX_COUNT(kind_filters) ? kind_filters[kind] : 0;
}

int cx__list_check_filter(cx_list_kind kind, const cx_list_filter *filter, cx_error *err)
{
    if ((size_t)kind >= CX_COUNT(kind_names))
        return cx__error(err, CX_EUSAGE, NULL, 0, 0, "unknown listing %d", (int)kind);
    if (!filter) return CX_OK;
    const struct {
        const char *value, *name;
        unsigned bit;
    } given[] = {
        {filter->type, "type", CX_FILTER_TYPE},
        {filter->tag, "tag", CX_FILTER_TAG},
        {filter->jurisdiction, "jurisdiction", CX_FILTER_JURISDICTION},
        {filter->provider, "provider", CX_FILTER_PROVIDER},
    };
    for (size_t i = 0; i < CX_COUNT(given); i++)
        if (given[i].value && !(kind_filters[kind] & given[i].bit))
            return cx__error(err, CX_EUSAGE, NULL, 0, 0, "--%s does not apply to %s", given[i].name,
                             kind_names[kind]);
    return CX_OK;
}

/* Byte order of stack id, for qsort. */
static int by_id(const void *a, const void *b)
{
    const cx_rule *x = *(const cx_rule *const *)a, *y = *(const cx_rule *const *)b;
    return strcmp(x->id, y->id);
}

int cx_rules_list_stacks(const cx_rules *rules, const cx_list_filter *filter, cx_list_fn fn,
                         void *ud, cx_error *err)
{
    size_t n = 0;
    const cx_rule *const *stacks = cx__rules_stacks(rules, &n);
    const cx_snapshot *snap = cx__rules_snapshot(rules);
    int rc = cx__list_check_filter(CX_LIST_STACKS, filter, err);
    if (rc || n == 0) return rc;
    const cx_rule **sorted = malloc(n * sizeof *sorted);
    if (!sorted) return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory listing stacks");
    memcpy(sorted, stacks, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, by_id);
    for (size_t i = 0; i < n && !rc; i++) {
        const cx_rule *s = sorted[i];
        const char *jurisdiction =
            s->jurisdiction == CX_NOSYM
                ? NULL
                : cx__snapshot_id(snap, CX_KIND_JURISDICTION, s->jurisdiction);
        if (filter && filter->jurisdiction &&
            (!jurisdiction || strcmp(jurisdiction, filter->jurisdiction) != 0))
            continue;
        cx_list_row row = {.kind = CX_LIST_STACKS,
                           .id = s->id,
                           .name = s->name,
                           .jurisdiction = jurisdiction,
                           .count = -1,
                           .pack = cx__rules_pack(rules, s->pack)->id,
                           .file = s->src.file,
                           .line = s->src.line};
        rc = fn(ud, &row);
    }
    free(sorted);
    return rc;
}
