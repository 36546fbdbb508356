/*
 * cmd_show.c -- `credex show credential|holder|group ID`: one registry
 * entity as readable text or as one JSON object, both rendered by the
 * library (cx_*_text, cx_*_json); this file only reads and prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Prints what a renderer made: NULL means out of memory. */
static int emit(char *rendered, cx_error *err)
{
    if (!rendered) {
        err->code = CX_ENOMEM;
        snprintf(err->message, sizeof err->message, "out of memory rendering the entity");
        return CX_ENOMEM;
    }
    fputs(rendered, stdout);
    free(rendered);
    return CX_OK;
}

static int show(cli *c, cx_registry *r, const char *what, const char *id, cx_error *err)
{
    int json = strcmp(c->format, "json") == 0;
    int rc;
    if (strcmp(what, "credential") == 0) {
        cx_credential *cr;
        if ((rc = cx_registry_credential(r, id, &cr, err))) return rc;
        rc = emit(json ? cx_credential_json(cr) : cx_credential_text(cr), err);
        cx_credential_free(cr);
    } else if (strcmp(what, "holder") == 0) {
        cx_holder *h;
        if ((rc = cx_registry_holder(r, id, &h, err))) return rc;
        rc = emit(json ? cx_holder_json(h) : cx_holder_text(r, h), err);
        cx_holder_free(h);
    } else {
        cx_group *g;
        if ((rc = cx_registry_group(r, id, &g, err))) return rc;
        rc = emit(json ? cx_group_json(g) : cx_group_text(g), err);
        cx_group_free(g);
    }
    return rc;
}

int cmd_show(cli *c)
{
    static const char *const whats[] = {"credential", "holder", "group"};
    cx_registry *r;
    cx_error err;
    if (c->nargs != 2)
        return cli_usage_error(c, "expected: credex show (credential|holder|group) ID");
    const char *what = c->args[0];
    if (strcmp(what, "credential") && strcmp(what, "holder") && strcmp(what, "group")) {
        const char *near = cx_nearest(what, whats, 3);
        return cli_usage_error(c, "cannot show '%s'%s%s%s; expected credential, holder or group",
                               what, near ? " (did you mean '" : "", near ? near : "",
                               near ? "'?)" : "");
    }
    int rc = cli_open(c, CX_OPEN_READONLY, &r);
    if (rc) return rc;
    cx_error_clear(&err);
    rc = show(c, r, what, c->args[1], &err);
    cx_registry_close(r);
    return rc ? cli_report(&err) : CX_OK;
}
