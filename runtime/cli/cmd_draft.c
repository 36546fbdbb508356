/*
 * cmd_draft.c -- `credex draft FILE...`: hands the files to cx_draft, which
 * reads them and writes every byte of the pack to stdout. Uses credex.h
 * only.
 */
#include <stdio.h>

#include "cli.h"

static int write_stdout(const char *s, size_t n, void *ud)
{
    (void)ud;
    return fwrite(s, 1, n, stdout) == n ? 0 : -1;
}

int cmd_draft(cli *c)
{
    cx_error err;
    cx_error_clear(&err);
    if (!c->nargs) return cli_usage_error(c, "draft needs at least one CTDL file");
    int rc = cx_draft((const char *const *)c->args, (size_t)c->nargs, write_stdout, NULL, &err);
    if (!rc && fflush(stdout) != 0) rc = -1;
    if (rc && err.code) return cli_report(&err);
    if (rc) {
        fprintf(stderr, "credex: cannot write the draft\n");
        return rc < 0 ? 1 : rc;
    }
    return 0;
}
