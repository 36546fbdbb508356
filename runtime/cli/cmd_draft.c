/*
 * cmd_draft.c -- `credex draft FILE... [--output FILE]`: hands the files to
 * cx_draft, which writes every byte of the pack to stdout, or to a
 * temporary file beside FILE renamed over it once complete (a failed draft
 * leaves FILE as it was). Uses credex.h and the C library only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static int write_stream(const char *s, size_t n, void *ud)
{
    return fwrite(s, 1, n, ud) == n ? 0 : -1;
}

/* The draft into path: a temporary file in path's directory, renamed
 * over path when written and closed; removed on any failure. */
static int draft_to_file(cli *c, const char *path, cx_error *err)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + sizeof ".XXXXXX");
    int fd = -1, rc = CX_OK;
    FILE *out = NULL;
    if (!tmp) return CX_ENOMEM;
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".XXXXXX", sizeof ".XXXXXX");
    mode_t mask = umask(0); /* the mode a new file gets: 0666 less the umask */
    umask(mask);
    if ((fd = mkstemp(tmp)) < 0 || fchmod(fd, 0666 & ~mask) != 0 || !(out = fdopen(fd, "w"))) {
        fprintf(stderr, "credex: cannot write %s: %s\n", path, strerror(errno));
        if (fd >= 0) close(fd);
        if (fd >= 0) unlink(tmp);
        free(tmp);
        return 1;
    }
    rc = cx_draft((const char *const *)c->args, (size_t)c->nargs, write_stream, out, err);
    if (fclose(out) != 0 && !rc) rc = -1;
    if (!rc && rename(tmp, path) != 0) rc = -1;
    if (rc < 0) fprintf(stderr, "credex: cannot write %s: %s\n", path, strerror(errno));
    if (rc) unlink(tmp);
    free(tmp);
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
