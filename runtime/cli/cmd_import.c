/*
 * cmd_import.c -- `credex import FILE...`: catalogs into the registry in one
 * transaction, with a progress bar on a terminal and a summary of what was
 * imported (text, or JSON rendered by the library). A failed import into a
 * registry it created removes the file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

/* The summary: a line of text (not with --quiet), or one JSON object
 * rendered by the library (docs/json.md). */
static int summary(const cli *c, const cx_import_stats *s, int64_t version)
{
    if (strcmp(c->format, "json") == 0) {
        char *json = cx_import_summary_json(c->db, (const char *const *)c->args, (size_t)c->nargs,
                                            s, version);
        if (!json) {
            fprintf(stderr, "credex: out of memory\n");
            return CX_ENOMEM;
        }
        fputs(json, stdout);
        free(json);
        return CX_OK;
    }
    if (c->quiet) return CX_OK;
    printf("imported %d file%s into %s:", c->nargs, c->nargs == 1 ? "" : "s", c->db);
    if (!cli_print_counts(s, " ")) printf(" nothing");
    printf(" (content version %lld)\n", (long long)version);
    return CX_OK;
}

/* Whether path names an existing file (anything but "no such file"). */
static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 || errno != ENOENT;
}

/* Removes a registry this import created, with SQLite's side files, so
 * that a failed first import leaves nothing behind. */
static void remove_created(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char side[4096];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
        if (snprintf(side, sizeof side, "%s%s", path, suffixes[i]) < (int)sizeof side) remove(side);
}

int cmd_import(cli *c)
{
    cx_registry *r;
    cx_error err;
    cx_import_stats stats;
    int64_t version = 0;
    if (c->nargs == 0) return cli_usage_error(c, "needs at least one catalog FILE");
    int created = !file_exists(c->db);
    int rc = cli_open(c, CX_OPEN_CREATE, &r);
    if (rc) {
        if (created) remove_created(c->db);
        return rc;
    }
    cx_error_clear(&err);
    rc = cx_catalog_import(r, (const char *const *)c->args, (size_t)c->nargs, cli_progress, c,
                           &stats, &err);
    cli_progress_done();
    if (rc == CX_OK) rc = cx_registry_content_version(r, &version, &err);
    if (rc != CX_OK) {
        cx_registry_close(r);
        if (created) remove_created(c->db);
        return cli_report(&err);
    }
    rc = summary(c, &stats, version);
    cx_registry_close(r);
    return rc;
}
