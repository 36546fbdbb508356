/*
 * cli_util.c -- reporting, registry opening, the progress bar and output
 * files written whole or not at all, shared by the command files.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int cli_report(const cx_error *err)
{
    char buf[2048];
    cx_error_format(err, buf, sizeof buf);
    fprintf(stderr, "credex: %s\n", buf);
    return err->code ? err->code : 1;
}

int cli_output_status(void)
{
    static int said;
    int why = errno ? errno : EIO; /* the failed write's, when called right after it */
    if (!ferror(stdout)) return CX_OK;
    if (!said++) fprintf(stderr, "credex: writing output: %s\n", strerror(why));
    return CX_EREGISTRY;
}

/* Writes the formatted text to f with every control character escaped. */
static void print_escaped(FILE *f, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *text = n >= 0 ? malloc((size_t)n + 1) : NULL, *safe = NULL;
    if (text) vsnprintf(text, (size_t)n + 1, fmt, again);
    va_end(again);
    if (text && (safe = cx_escaped(text)))
        fputs(safe, f);
    else
        fputs("(out of memory)", f);
    free(safe);
    free(text);
}

void cli_print_line(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    print_escaped(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
}

/* The usage error with an optional usage line between the message and
 * the pointer to --help. */
static int usage_error(const cli *c, const char *usage, const char *fmt, va_list ap)
{
    const char *cmd = c && c->command ? c->command : NULL;
    if (cmd)
        fprintf(stderr, "credex %s: ", cmd);
    else
        fprintf(stderr, "credex: ");
    print_escaped(stderr, fmt, ap); /* it may quote an argument */
    if (usage) fprintf(stderr, "\nusage: %s", usage);
    if (cmd)
        fprintf(stderr, "\ntry 'credex %s --help'\n", cmd);
    else
        fprintf(stderr, "\ntry 'credex --help'\n");
    return CX_EUSAGE;
}

int cli_usage_error(const cli *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = usage_error(c, NULL, fmt, ap);
    va_end(ap);
    return rc;
}

int cli_option_error(const cli *c, const char *usage, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = usage_error(c, usage, fmt, ap);
    va_end(ap);
    return rc;
}

int cli_open(const cli *c, int flags, cx_registry **out)
{
    cx_error err;
    cx_error_clear(&err);
    cx_open_options opt = {c->busy_timeout, c->sync_full, c->no_cache};
    if (cx_registry_open_with(c->db, flags, &opt, out, &err) != CX_OK) return cli_report(&err);
    return CX_OK;
}

static int progress_drawn;

void cli_progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
    const cli *c = ud;
    if ((c && c->quiet) || !isatty(STDERR_FILENO)) return;
    if (total)
        fprintf(stderr, "\r%-10s %12llu / %-12llu %3u%%", what, (unsigned long long)done,
                (unsigned long long)total, (unsigned)(done * 100 / total));
    else
        fprintf(stderr, "\r%-10s %12llu", what, (unsigned long long)done);
    fflush(stderr);
    progress_drawn = 1;
}

void cli_progress_done(void)
{
    if (!progress_drawn) return;
    fprintf(stderr, "\r%60s\r", "");
    fflush(stderr);
    progress_drawn = 0;
}

int cli_print_counts(const cx_import_stats *s, const char *first)
{
    static const struct {
        cx_kind kind;
        const char *one, *plural;
    } kinds[] = {{CX_KIND_JURISDICTION, "jurisdiction", "jurisdictions"},
                 {CX_KIND_GROUP, "group", "groups"},
                 {CX_KIND_PROVIDER, "provider", "providers"},
                 {CX_KIND_FRAMEWORK, "framework", "frameworks"},
                 {CX_KIND_COMPETENCY, "competency", "competencies"},
                 {CX_KIND_CREDENTIAL, "credential", "credentials"},
                 {CX_KIND_HOLDER, "holder", "holders"},
                 {CX_KIND_AWARD, "award", "awards"}};
    const char *sep = first;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        int64_t n = s->count[kinds[i].kind];
        if (!n) continue;
        printf("%s%lld %s", sep, (long long)n, n == 1 ? kinds[i].one : kinds[i].plural);
        sep = ", ";
    }
    if (s->exceptions)
        printf("%s%lld exception%s", sep, (long long)s->exceptions, s->exceptions == 1 ? "" : "s");
    return sep != first || s->exceptions;
}

int cli_out_open(cli_out *o, const char *path)
{
    size_t n = strlen(path);
    int fd = -1;
    o->path = path;
    o->f = NULL;
    if (!(o->tmp = malloc(n + sizeof ".XXXXXX"))) {
        fprintf(stderr, "credex: out of memory\n");
        return 1;
    }
    memcpy(o->tmp, path, n);
    memcpy(o->tmp + n, ".XXXXXX", sizeof ".XXXXXX");
    mode_t mask = umask(0); /* the mode a new file gets: 0666 less the umask */
    umask(mask);
    if ((fd = mkstemp(o->tmp)) >= 0 && fchmod(fd, 0666 & ~mask) == 0 && (o->f = fdopen(fd, "w")))
        return 0;
    fprintf(stderr, "credex: cannot write %s: %s\n", path, strerror(errno));
    if (fd >= 0) close(fd), unlink(o->tmp);
    free(o->tmp);
    o->tmp = NULL;
    return 1;
}

int cli_out_close(cli_out *o, int keep)
{
    int failed = fclose(o->f) != 0;
    if (keep && (failed || rename(o->tmp, o->path) != 0)) {
        fprintf(stderr, "credex: cannot write %s: %s\n", o->path, strerror(errno));
        keep = 0;
        failed = 1;
    }
    if (!keep) unlink(o->tmp);
    free(o->tmp);
    o->tmp = NULL;
    return failed ? 1 : 0;
}

int cli_write_file(const char *path, const void *data, size_t n)
{
    cli_out o;
    if (cli_out_open(&o, path)) return 1;
    int ok = fwrite(data, 1, n, o.f) == n;
    if (!ok) fprintf(stderr, "credex: cannot write %s: %s\n", path, strerror(errno));
    return cli_out_close(&o, ok) || !ok ? 1 : 0;
}
