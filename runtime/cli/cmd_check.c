/*
 * cmd_check.c -- `credex check [PACK|DIR...]`: load and compile rule packs
 * against the registry, then probe each check (cx_rules_probe); print every
 * error and warning with file:line and a summary, as text or as JSON Lines
 * (rendered by the library). Exit 3 when any pack has an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

/* The packs to load: the arguments, else --rules, else $CREDEX_RULES
 * (colon-separated), else ./rules when it exists. *owned is set to a buffer
 * the caller frees when the list came from the environment. */
int cli_rule_paths(cli *c, const char **paths, size_t max, size_t *n, char **owned)
{
    struct stat st;
    const char *env = getenv("CREDEX_RULES");
    *n = 0;
    *owned = NULL;
    for (int i = 0; i < c->nargs && *n < max; i++) paths[(*n)++] = c->args[i];
    if (!*n) /* every --rules, when there are no PACK arguments */
        for (int i = 0; i < c->nrules && *n < max; i++) paths[(*n)++] = c->rules[i];
    if (!*n && env && *env) {
        char *copy = *owned = malloc(strlen(env) + 1);
        if (!copy) return CX_ENOMEM;
        strcpy(copy, env);
        for (char *tok = strtok(copy, ":"); tok && *n < max; tok = strtok(NULL, ":"))
            paths[(*n)++] = tok;
    }
    c->rules_default = !*n;
    if (!*n && stat("rules", &st) == 0 && S_ISDIR(st.st_mode)) paths[(*n)++] = "rules";
    if (!*n)
        return cli_usage_error(c, "no rule packs: name packs or directories, or use --rules, "
                                  "$CREDEX_RULES or a ./rules directory");
    return CX_OK;
}

/* Whether a pack file has an error among the diagnostics. */
static int pack_failed(const cx_diagnostics *d, const char *file)
{
    for (size_t i = 0; i < d->count; i++)
        if (!d->items[i].warning && strcmp(d->items[i].file, file) == 0) return 1;
    return 0;
}

/* "LABEL: a.lua, b.lua" on stderr, the packs that failed (or did not). */
static void print_packs(const char *label, char *const *files, size_t n, const cx_diagnostics *d,
                        int failed)
{
    const char *sep = "";
    fprintf(stderr, "credex: %s:", label);
    for (size_t i = 0; i < n; i++) {
        if (pack_failed(d, files[i]) != failed) continue;
        fprintf(stderr, "%s %s", sep, files[i]);
        sep = ",";
    }
    fprintf(stderr, "%s\n", *sep ? "" : " none");
}

void cli_explain_default_rules(const cli *c, const char *const *paths, size_t n,
                               const cx_diagnostics *d)
{
    char **files = NULL;
    size_t nfiles = 0;
    cx_error err;
    if (!c->rules_default) return;
    cx_error_clear(&err);
    fprintf(stderr,
            "credex: the rule packs came from ./rules, the default (no pack named, no --rules, "
            "no $CREDEX_RULES), and do not compile against the registry %s\n",
            c->db);
    if (cx_rules_pack_files(paths, n, &files, &nfiles, &err) == CX_OK) {
        print_packs("loaded", files, nfiles, d, 0);
        print_packs("failed", files, nfiles, d, 1);
    }
    for (size_t i = 0; i < nfiles; i++) free(files[i]);
    free(files);
    fprintf(stderr, "credex: choose the packs with --rules PATH (or $CREDEX_RULES)\n");
}

/* Prints diagnostics as "file:line: error: message". */
void cli_print_diagnostics(const cx_diagnostics *d)
{
    for (size_t i = 0; i < d->count; i++) {
        const cx_diagnostic *g = &d->items[i];
        if (g->line > 0)
            cli_print_line(stderr, "%s:%d: %s: %s", g->file, g->line,
                           g->warning ? "warning" : "error", g->message);
        else
            cli_print_line(stderr, "%s: %s: %s", g->file, g->warning ? "warning" : "error",
                           g->message);
    }
}

/* Prints a line the library rendered; CX_ENOMEM when it could not. */
static int print_line(char *line)
{
    if (!line) {
        fprintf(stderr, "credex: out of memory\n");
        return CX_ENOMEM;
    }
    fputs(line, stdout);
    free(line);
    return CX_OK;
}

/* --format json: every diagnostic, then the summary, as JSON Lines on
 * stdout (docs/json.md). */
static int print_json(const cx_diagnostics *diags, const cx_rules *rules)
{
    int rc = CX_OK;
    for (size_t i = 0; rc == CX_OK && i < diags->count; i++)
        rc = print_line(cx_diagnostic_json(&diags->items[i]));
    if (rc == CX_OK)
        rc = print_line(cx_check_summary_json(diags, rules ? cx_rules_pack_count(rules) : 0,
                                              rules ? cx_rules_rule_count(rules) : 0));
    return rc;
}

/* The text: diagnostics on stderr, the summary line on stdout (not with
 * --quiet). */
static void print_text(const cli *c, const cx_diagnostics *diags, const cx_rules *rules)
{
    cli_print_diagnostics(diags);
    if (c->quiet) return;
    if (rules)
        printf("checked %zu pack%s: %zu rule%s, %zu warning%s\n", cx_rules_pack_count(rules),
               cx_rules_pack_count(rules) == 1 ? "" : "s", cx_rules_rule_count(rules),
               cx_rules_rule_count(rules) == 1 ? "" : "s", diags->warnings,
               diags->warnings == 1 ? "" : "s");
    else
        printf("%zu error%s, %zu warning%s\n", diags->errors, diags->errors == 1 ? "" : "s",
               diags->warnings, diags->warnings == 1 ? "" : "s");
}

int cmd_check(cli *c)
{
    const char *paths[MAX_RULES + 64];
    char *owned;
    size_t n;
    cx_registry *r;
    cx_rules *rules = NULL;
    cx_diagnostics diags;
    cx_error err;
    const cx_pack_trust *trust;
    int rc = cli_pack_trust(c, &trust);
    if (rc || (rc = cli_rule_paths(c, paths, sizeof paths / sizeof paths[0], &n, &owned)))
        return rc;
    if ((rc = cli_open(c, CX_OPEN_READONLY, &r))) {
        free(owned);
        return rc;
    }
    cx_diagnostics_init(&diags);
    cx_error_clear(&err);
    rc = cx_rules_load_trusted(r, paths, n, trust, &rules, &diags, &err);
    if (rc == CX_OK) rc = cx_rules_probe(rules, cli_as_of(c), &diags, &err);
    if (rc != CX_OK && rc != CX_EINPUT) {
        cli_print_diagnostics(&diags);
        cli_report(&err);
    } else if (strcmp(c->format, "json") == 0) {
        int out = print_json(&diags, rules);
        if (out) rc = out;
    } else {
        print_text(c, &diags, rules);
        if (rc == CX_EINPUT) cli_explain_default_rules(c, paths, n, &diags);
    }
    cx_rules_free(rules);
    cx_diagnostics_free(&diags);
    cx_registry_close(r);
    free(owned);
    return rc;
}
