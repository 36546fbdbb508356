/*
 * cmd_log.c -- `credex log`: lists the decision log (with --imports, the
 * import history); and --log for the
 * decision commands: reads the clock (the library never does) and hands
 * the decisions to cx_log_* in one batch. Uses credex.h only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* Now, in UTC: "2026-06-01T09:30:00Z". */
static void cli_now(char out[21])
{
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
    else
        out[0] = '\0';
}

int cli_decide_flags(const cli *c)
{
    return c->log ? 0 : CX_OPEN_READONLY;
}

int cli_log_begin(const cli *c, cx_registry *r, const cx_rules *rules, cx_log **log)
{
    cx_error err;
    char created[21];
    *log = NULL;
    if (!c->log) return CX_OK;
    cli_now(created);
    cx_error_clear(&err);
    return cx_log_begin(r, rules, created, log, &err) ? cli_report(&err) : CX_OK;
}

int cli_log_end(cx_log *log, int commit)
{
    cx_error err;
    cx_error_clear(&err);
    return cx_log_end(log, commit, &err) ? cli_report(&err) : CX_OK;
}

int cli_log_decisions(const cli *c, cx_registry *r, const cx_rules *rules, cx_decision *const *v,
                      size_t n)
{
    cx_log *log = NULL;
    cx_error err;
    int rc = cli_log_begin(c, r, rules, &log);
    if (rc || !log) return rc;
    cx_error_clear(&err);
    for (size_t i = 0; i < n && !rc; i++) rc = cx_log_add(log, v[i], NULL, &err);
    if (rc) {
        cli_log_end(log, 0);
        return cli_report(&err);
    }
    return cli_log_end(log, 1);
}

typedef struct listing {
    int json;
    size_t count;
} listing;

static int print_entry(void *ud, const cx_log_entry *e)
{
    listing *l = ud;
    if (l->json) {
        char *text = cx_log_entry_json(e);
        if (!text) {
            fputs("credex: out of memory\n", stderr);
            return CX_ENOMEM;
        }
        fputs(text, stdout);
        free(text);
    } else {
        if (!l->count)
            printf("%-5s %-20s %-8s %-10s %-14s %s\n", "id", "created", "kind", "as_of", "status",
                   "subject");
        printf("%-5lld %-20s %-8s %-10s %-14s %s\n", (long long)e->id, e->created, e->kind,
               e->as_of, e->status ? e->status : "?", e->subject);
    }
    l->count++;
    return cli_output_status();
}

/* The last line of the text listing: how much the log holds (not with
 * --quiet). */
static int print_summary(cx_registry *r, size_t listed)
{
    int64_t decisions = 0, packs = 0;
    cx_error err;
    cx_error_clear(&err);
    if (cx_log_counts(r, &decisions, &packs, &err)) return cli_report(&err);
    if (!listed)
        printf("no decisions logged (equiv, transfer and audit record them with --log)\n");
    else
        printf("%lld decision%s logged, %lld rule pack source%s stored\n", (long long)decisions,
               decisions == 1 ? "" : "s", (long long)packs, packs == 1 ? "" : "s");
    return CX_OK;
}

/* s with control characters as \xNN: a recorded path may be anything. */
static void put_escaped(const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch < 0x20 || ch == 0x7f)
            printf("\\x%02x", ch);
        else
            putchar(ch);
    }
}

/* s escaped, padded to width, and a space. */
static void put_field(const char *s, size_t width)
{
    put_escaped(s);
    printf("%*s ", strlen(s) < width ? (int)(width - strlen(s)) : 0, "");
}

/* One import of `credex log --imports`: a line, and a line per file. */
static int print_import(void *ud, const cx_import_record *rec)
{
    listing *l = ud;
    if (l->json) {
        char *text = cx_import_record_json(rec);
        if (!text) {
            fputs("credex: out of memory\n", stderr);
            return CX_ENOMEM;
        }
        fputs(text, stdout);
        free(text);
    } else {
        printf("%-5lld ", (long long)rec->id);
        put_field(rec->created, 20);
        put_field(rec->kind, 8);
        put_field(rec->user ? rec->user : "?", 12);
        printf("version %-4lld", (long long)rec->content_version);
        cx_import_stats s = {{0}};
        for (int k = 0; k <= CX_KIND_AWARD; k++) s.count[k] = rec->count[k];
        s.exceptions = rec->exceptions;
        if (!cli_print_counts(&s, " ")) printf(" nothing defined");
        if (rec->removals) printf(", %lld removed", (long long)rec->removals);
        printf("\n");
        for (size_t i = 0; i < rec->nfiles; i++) {
            printf("      %s ", rec->files[i].sha256 ? rec->files[i].sha256 : "(not a file)");
            put_escaped(rec->files[i].path);
            printf("\n");
        }
    }
    l->count++;
    return cli_output_status();
}

static int list_imports(cli *c, cx_registry *r)
{
    cx_error err;
    listing l = {strcmp(c->format, "json") == 0, 0};
    cx_error_clear(&err);
    int rc = cx_import_log_list(r, print_import, &l, &err);
    if (rc) return err.code ? cli_report(&err) : rc; /* else print_import said why */
    if (!l.json && !c->quiet) printf("%zu import record%s\n", l.count, l.count == 1 ? "" : "s");
    return CX_OK;
}

int cmd_log(cli *c)
{
    cx_registry *r;
    cx_error err;
    listing l = {strcmp(c->format, "json") == 0, 0};
    if (c->nargs) return cli_usage_error(c, "unexpected argument '%s'", c->args[0]);
    int rc = cli_open(c, CX_OPEN_READONLY, &r);
    if (rc) return rc;
    if (c->imports) {
        rc = list_imports(c, r);
        cx_registry_close(r);
        return rc;
    }
    cx_error_clear(&err);
    rc = cx_log_list(r, print_entry, &l, &err);
    if (rc && err.code) rc = cli_report(&err); /* else print_entry said why */
    if (!rc && !l.json && !c->quiet) rc = print_summary(r, l.count);
    cx_registry_close(r);
    return rc;
}
