/*
 * fuzz_whatif.c -- libFuzzer target of what-if's change-file reader and
 * run (cx_whatif): the bytes as a change file in fuzz_dir(), applied to an
 * in-memory registry holding the EV mechanic catalog, with its packs. An
 * input naming a path outside that folder is skipped.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

/* The registry the changes apply to (only read by cx_whatif), made once
 * for the whole run (never freed: libFuzzer ends the process). */
static cx_registry *registry(void)
{
    static cx_registry *r;
    if (!r) {
        char path[128];
        const char *paths[] = {path};
        cx_error err;
        cx_error_clear(&err);
        snprintf(path, sizeof path, "%s/catalog.yaml", fuzz_dir());
        if (cx_registry_open(NULL, CX_OPEN_MEMORY, &r, &err) != CX_OK ||
            cx_catalog_import(r, paths, 1, NULL, NULL, NULL, &err) != CX_OK) {
            fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.message);
            abort();
        }
    }
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cx_registry *r = registry();
    char rules[128];
    const char *const packs[] = {rules};
    cx_whatif_options opt = {0};
    cx_whatif_report *rep = NULL;
    cx_diagnostics diags;
    cx_error err;
    cx_error_clear(&err);
    if (!fuzz_paths_inside(data, size)) return 0;
    snprintf(rules, sizeof rules, "%s/rules", fuzz_dir());
    cx_diagnostics_init(&diags);
    opt.as_of = "2026-06-01";
    opt.jobs = 1;
    opt.rules = packs;
    opt.nrules = 1;
    opt.diags = &diags;
    const char *path = fuzz_write("change.yaml", data, size);
    if (cx_whatif(r, path, &opt, &rep, &err) == CX_OK) fuzz_committed++;
    cx_whatif_report_free(rep);
    cx_diagnostics_free(&diags);
    return 0;
}
