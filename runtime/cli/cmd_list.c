/*
 * cmd_list.c -- `credex list (credentials|holders|groups|stacks|providers)`:
 * checks the kind and its filters, then hands the library's rows
 * (cx_registry_list, cx_rules_list_stacks) to its list writer. It builds
 * no SQL and formats no row itself. Uses credex.h only.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *const kinds[] = {"credentials", "holders", "groups", "stacks", "providers"};

/* The list kind named by the command's one argument, or a usage error. */
static int parse_kind(cli *c, cx_list_kind *kind)
{
    if (c->nargs != 1)
        return cli_usage_error(
            c, "expected: credex list (credentials|holders|groups|stacks|providers)");
    if (cx_list_kind_parse(c->args[0], kind) == 0) return CX_OK;
    const char *near = cx_nearest(c->args[0], kinds, sizeof kinds / sizeof kinds[0]);
    return cli_usage_error(c,
                           "cannot list '%s'%s%s%s; expected credentials, holders, groups, stacks "
                           "or providers",
                           c->args[0], near ? " (did you mean '" : "", near ? near : "",
                           near ? "'?)" : "");
}

/* A usage error for the first filter (or option of the packs) that does
 * not apply to kind, naming both. */
static int check_filters(cli *c, cx_list_kind kind)
{
    const struct {
        const char *value, *name;
        unsigned bit;
    } given[] = {
        {c->filter.type, "type", CX_FILTER_TYPE},
        {c->filter.tag, "tag", CX_FILTER_TAG},
        {c->filter.jurisdiction, "jurisdiction", CX_FILTER_JURISDICTION},
        {c->filter.provider, "provider", CX_FILTER_PROVIDER},
    };
    for (size_t i = 0; i < sizeof given / sizeof given[0]; i++)
        if (given[i].value && !(cx_list_filters(kind) & given[i].bit))
            return cli_usage_error(c, "--%s does not apply to %s", given[i].name,
                                   cx_list_kind_name(kind));
    const char *packs_option = c->nrules                 ? "rules"
                               : c->pack_trust_file      ? "pack-trust"
                               : c->require_signed_packs ? "require-signed-packs"
                                                         : NULL;
    if (packs_option && kind != CX_LIST_STACKS)
        return cli_usage_error(c, "--%s does not apply to %s (only to stacks)", packs_option,
                               cx_list_kind_name(kind));
    return CX_OK;
}

/* Exit 2 with the nearest id when a filter names an id the registry does
 * not hold. */
static int check_id(cli *c, cx_registry *r, cx_kind kind, const char *option, const char *id)
{
    char near[256];
    cx_error err;
    cx_error_clear(&err);
    if (!id) return CX_OK;
    int found = cx_registry_has(r, kind, id, &err);
    if (found < 0) return cli_report(&err);
    if (found) return CX_OK;
    if (cx_registry_nearest(r, kind, id, near, sizeof near, &err)) return cli_report(&err);
    if (near[0])
        return cli_usage_error(c, "--%s: no %s '%s' in the registry; did you mean '%s'?", option,
                               cx_kind_name(kind), id, near);
    return cli_usage_error(c, "--%s: no %s '%s' in the registry", option, cx_kind_name(kind), id);
}

static int write_stdout(const char *s, size_t n, void *ud)
{
    (void)ud;
    return fwrite(s, 1, n, stdout) == n ? 0 : -1;
}

static cx_list_format format_of(const cli *c)
{
    if (strcmp(c->format, "json") == 0) return CX_LIST_JSON;
    if (strcmp(c->format, "csv") == 0) return CX_LIST_CSV;
    return CX_LIST_TEXT;
}

/* Lists kind from r, or for stacks from rules, through w. */
static int list_rows(cli *c, cx_registry *r, const cx_rules *rules, cx_list_kind kind,
                     cx_list_writer *w, cx_error *err)
{
    if (kind == CX_LIST_STACKS)
        return cx_rules_list_stacks(rules, &c->filter, cx_list_writer_row, w, err);
    return cx_registry_list(r, kind, &c->filter, cx_list_writer_row, w, err);
}

int cmd_list(cli *c)
{
    cx_list_kind kind;
    cx_registry *r = NULL;
    cx_rules *rules = NULL;
    cx_list_writer *w = NULL;
    cx_error err;
    int rc = parse_kind(c, &kind);
    if (rc || (rc = check_filters(c, kind))) return rc;
    if ((rc = cli_open(c, CX_OPEN_READONLY, &r))) return rc;
    if ((rc = check_id(c, r, CX_KIND_JURISDICTION, "jurisdiction", c->filter.jurisdiction)) ||
        (rc = check_id(c, r, CX_KIND_PROVIDER, "provider", c->filter.provider)))
        goto done;
    /* the packs load (and report their errors) before any output: a
     * failed listing writes no header */
    if (kind == CX_LIST_STACKS && (rc = cli_load_rules(c, r, &rules))) goto done;
    cx_error_clear(&err);
    if (cx_list_writer_new(kind, format_of(c), write_stdout, NULL, &w) == CX_OK) {
        rc = list_rows(c, r, rules, kind, w, &err);
        int end = cx_list_writer_end(w);
        if (!rc) rc = end;
    } else {
        rc = CX_ENOMEM;
    }
    if (rc && err.code) {
        rc = cli_report(&err);
    } else if (rc) { /* out of memory, or writing failed */
        fprintf(stderr, "credex: cannot write the listing\n");
        rc = rc < 0 ? 1 : rc;
    }
done:
    cx_rules_free(rules);
    cx_registry_close(r);
    return rc;
}
