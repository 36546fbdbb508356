/*
 * cmd_export.c -- `credex export [--only PART] [--holder H] [--format
 * yaml|csv]`: checks the options and hands them to cx_export, which reads
 * the registry and writes every byte. Uses credex.h only.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *const parts[] = {"credentials",   "holders",      "awards",
                                    "jurisdictions", "groups",       "providers",
                                    "frameworks",    "competencies", "exceptions"};

/* The part --only names, or a usage error with the nearest. */
static int parse_only(cli *c, cx_export_part *part)
{
    *part = CX_EXPORT_EVERYTHING;
    if (!c->only) return CX_OK;
    if (strcmp(c->only, "everything") != 0 && cx_export_part_parse(c->only, part) == 0)
        return CX_OK;
    const char *near = cx_nearest(c->only, parts, sizeof parts / sizeof parts[0]);
    return cli_usage_error(c,
                           "--only: cannot export '%s'%s%s%s; expected credentials, holders, "
                           "awards, jurisdictions, groups, providers, frameworks, competencies "
                           "or exceptions",
                           c->only, near ? " (did you mean '" : "", near ? near : "",
                           near ? "'?)" : "");
}

/* Exit 2 with the nearest id when --holder names no holder. */
static int check_holder(cli *c, cx_registry *r)
{
    char near[256];
    cx_error err;
    cx_error_clear(&err);
    if (!c->holder) return CX_OK;
    int found = cx_registry_has(r, CX_KIND_HOLDER, c->holder, &err);
    if (found < 0) return cli_report(&err);
    if (found) return CX_OK;
    if (cx_registry_nearest(r, CX_KIND_HOLDER, c->holder, near, sizeof near, &err))
        return cli_report(&err);
    if (near[0])
        return cli_usage_error(c, "--holder: no holder '%s' in the registry; did you mean '%s'?",
                               c->holder, near);
    return cli_usage_error(c, "--holder: no holder '%s' in the registry", c->holder);
}

static int write_stdout(const char *s, size_t n, void *ud)
{
    (void)ud;
    return fwrite(s, 1, n, stdout) == n ? 0 : -1;
}

int cmd_export(cli *c)
{
    cx_export_options opt = {CX_EXPORT_EVERYTHING, c->holder,
                             strcmp(c->format, "csv") == 0 ? CX_EXPORT_CSV : CX_EXPORT_YAML};
    cx_registry *r = NULL;
    cx_error err;
    cx_error_clear(&err);
    if (c->nargs) return cli_usage_error(c, "export takes no arguments, only options");
    int rc = parse_only(c, &opt.only);
    if (!rc && opt.format == CX_EXPORT_CSV && opt.only != CX_EXPORT_EVERYTHING &&
        opt.only != CX_EXPORT_AWARDS)
        rc = cli_usage_error(c, "--format csv writes awards, not %s (use --format yaml)", c->only);
    if (!rc && opt.holder && opt.only != CX_EXPORT_EVERYTHING && opt.only != CX_EXPORT_HOLDERS &&
        opt.only != CX_EXPORT_AWARDS && opt.only != CX_EXPORT_EXCEPTIONS)
        rc = cli_usage_error(c, "--holder does not apply to --only %s", c->only);
    if (!rc) rc = cli_open(c, CX_OPEN_READONLY, &r);
    if (!rc) rc = check_holder(c, r);
    if (!rc) {
        rc = cx_export(r, &opt, write_stdout, NULL, &err);
        if (!rc && fflush(stdout) != 0) rc = -1;
        if (rc && err.code) {
            rc = cli_report(&err);
        } else if (rc) { /* out of memory, or writing failed */
            fprintf(stderr, "credex: cannot write the export\n");
            rc = rc < 0 ? 1 : rc;
        }
    }
    cx_registry_close(r);
    return rc;
}
