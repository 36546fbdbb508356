/*
 * cmd_draft.c -- `credex draft FILE... [--output FILE]`: hands the files to
 * cx_draft, which writes every byte of the pack to stdout, or to a
 * temporary file beside FILE renamed over it once complete (a failed draft
 * leaves FILE as it was). Uses credex.h and the C library only.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int write_stream(const char *s, size_t n, void *ud)
{
    return fwrite(s, 1, n, ud) == n ? 0 : -1;
}

/* The draft into path, whole or not at all (cli_out). */
static int draft_to_file(cli *c, const char *path, cx_error *err)
{
    cli_out o;
    if (cli_out_open(&o, path)) return 1;
    int rc = cx_draft((const char *const *)c->args, (size_t)c->nargs, write_stream, o.f, err);
    if (cli_out_close(&o, rc == 0) && !rc) rc = 1;
    if (rc < 0) fprintf(stderr, "credex: cannot write %s\n", path);
    return rc;
}

int cmd_draft(cli *c)
{
    cx_error err;
    cx_error_clear(&err);
    if (!c->nargs) return cli_usage_error(c, "draft needs at least one CTDL file");
    int rc;
    if (c->output) {
        rc = draft_to_file(c, c->output, &err);
    } else {
        rc = cx_draft((const char *const *)c->args, (size_t)c->nargs, write_stream, stdout, &err);
        if (!rc && fflush(stdout) != 0) rc = -1;
        if (rc < 0) fprintf(stderr, "credex: cannot write the draft\n");
    }
    if (rc > 0 && err.code) return cli_report(&err);
    return rc < 0 ? 1 : rc;
}
