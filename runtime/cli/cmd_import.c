/*
 * cmd_import.c -- `credex import FILE...`: catalogs and CSV award lists into
 * the registry in one transaction (a catalog's removals first, --cascade),
 * with a progress bar on a terminal, the import report (--report) and a
 * summary of what was imported (text, or JSON rendered by the library). A
 * failed import into a registry it created removes the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static void print_formats(const cx_import_stats *s);

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
    printf("imported %d file%s", c->nargs, c->nargs == 1 ? "" : "s");
    print_formats(s);
    printf(" into %s:", c->db);
    if (!cli_print_counts(s, " ")) printf(" nothing");
    if (s->skipped)
        printf("; %lld left out (%s)", (long long)s->skipped,
               c->report ? c->report : "--report FILE lists them");
    if (s->removed) printf("; %lld removed", (long long)s->removed);
    if (s->cascaded)
        printf(", %lld more with them (--cascade; %s)", (long long)s->cascaded,
               c->report ? c->report : "--report FILE lists them");
    if (s->differing)
        printf("; %lld differing value%s ignored (%s)", (long long)s->differing,
               s->differing == 1 ? "" : "s", c->report ? c->report : "--report FILE lists them");
    printf(" (content version %lld)\n", (long long)version);
    return CX_OK;
}

/* " (csv 1, yaml 1)": the formats read, by name, when one is not YAML
 * (a YAML-only import reads as it always has). */
static void print_formats(const cx_import_stats *s)
{
    static const cx_format by_name[] = {CX_FORMAT_CSV, CX_FORMAT_JSON, CX_FORMAT_JWS,
                                        CX_FORMAT_YAML};
    const char *sep = " (";
    if (!s->files[CX_FORMAT_CSV] && !s->files[CX_FORMAT_JSON] && !s->files[CX_FORMAT_JWS]) return;
    for (size_t i = 0; i < sizeof by_name / sizeof by_name[0]; i++) {
        if (!s->files[by_name[i]]) continue;
        printf("%s%s %lld", sep, cx_format_name(by_name[i]), (long long)s->files[by_name[i]]);
        sep = ", ";
    }
    printf(")");
}

/* The import report: one JSON Lines record per issue, rendered by the
 * library. */
typedef struct report_file {
    FILE *out;  /* the --report file, or NULL */
    int failed; /* 1: a write failed (or memory ran out) */
} report_file;

static void report_issue(void *ud, const cx_import_issue *issue)
{
    report_file *rf = ud;
    char *line = cx_import_issue_json(issue);
    if (!line || fputs(line, rf->out) == EOF) rf->failed = 1; /* line ends in \n */
    free(line);
}

/* The registry file this import created, so that a failed first import
 * can remove it and nothing else. */
typedef struct created_file {
    int created; /* 1: this process made the file at path */
    dev_t dev;   /* its device and inode, to know it again */
    ino_t ino;
} created_file;

/* Creates path when nothing is there (O_EXCL: not a file, a directory or
 * a symlink, even a dangling one, that exists or appears meanwhile) as the
 * empty file SQLite takes for a new database, with SQLite's mode. When it
 * cannot, the open that follows says why. SQLite's ":memory:" is no file. */
static created_file create_registry_file(const char *path)
{
    created_file made = {0};
    struct stat st;
    if (!*path || strcmp(path, ":memory:") == 0) return made;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return made;
    if (fstat(fd, &st) == 0) {
        made.created = 1;
        made.dev = st.st_dev;
        made.ino = st.st_ino;
    }
    close(fd);
    if (!made.created) remove(path);
    return made;
}

/* Removes the registry this import created, with SQLite's side files, so
 * that a failed first import leaves nothing behind; not when path is no
 * longer the file it created (replaced, or made a symlink, meanwhile). */
static void remove_created(const char *path, const created_file *made)
{
    static const char *const suffixes[] = {"-wal", "-shm", "-journal"};
    struct stat st;
    if (!made->created || lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_dev != made->dev ||
        st.st_ino != made->ino || remove(path) != 0)
        return;
    size_t len = strlen(path);
    char *side = malloc(len + sizeof "-journal");
    if (!side) return;
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        memcpy(side, path, len);
        strcpy(side + len, suffixes[i]);
        remove(side);
    }
    free(side);
}

int cmd_import(cli *c)
{
    cx_registry *r;
    cx_error err;
    cx_import_stats stats;
    cx_import_options opts;
    report_file rf = {NULL, 0};
    int64_t version = 0;
    if (c->nargs == 0) return cli_usage_error(c, "needs at least one catalog FILE");
    if (c->lang &&
        (!*c->lang || strspn(c->lang, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                      "0123456789-") != strlen(c->lang)))
        return cli_usage_error(c, "invalid --lang '%s': expected a language tag such as en-US",
                               c->lang);
    if (c->report && !(rf.out = fopen(c->report, "w"))) {
        fprintf(stderr, "credex: %s: cannot write the report: %s\n", c->report, strerror(errno));
        return CX_EINPUT;
    }
    created_file made = create_registry_file(c->db);
    int rc = cli_open(c, CX_OPEN_CREATE, &r);
    if (rc) {
        remove_created(c->db, &made);
        if (rf.out) fclose(rf.out);
        return rc;
    }
    memset(&opts, 0, sizeof opts);
    opts.jurisdiction = c->filter.jurisdiction;
    opts.skip_invalid = c->skip_invalid;
    opts.provider = c->filter.provider;
    opts.lang = c->lang;
    opts.allow_provisional = c->allow_provisional;
    opts.id_map = c->id_map;
    opts.trust = c->trust;
    opts.allow_unverified = c->allow_unverified;
    opts.holders = c->holders;
    opts.cascade = c->cascade;
    opts.limits = &c->limits;
    opts.report = rf.out ? report_issue : NULL;
    opts.report_ud = &rf;
    opts.progress = cli_progress;
    opts.progress_ud = c;
    cx_error_clear(&err);
    rc = cx_import(r, (const char *const *)c->args, (size_t)c->nargs, &opts, &stats, &err);
    cli_progress_done();
    if (rf.out && (fclose(rf.out) != 0 || rf.failed) && rc == CX_OK)
        fprintf(stderr, "credex: %s: the report could not be written in full\n", c->report);
    if (rc == CX_OK) rc = cx_registry_content_version(r, &version, &err);
    if (rc != CX_OK) {
        cx_registry_close(r);
        remove_created(c->db, &made);
        return cli_report(&err);
    }
    rc = summary(c, &stats, version);
    cx_registry_close(r);
    return rc;
}
