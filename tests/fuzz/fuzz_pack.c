/*
 * fuzz_pack.c -- libFuzzer target of the pack loader and compiler: the
 * bytes as a Lua pack, first loaded in a sandbox whose counted limits are
 * low (so every input is cheap), then, when that load succeeds, compiled
 * (cx__rules_load_sources) against the EV mechanic catalog in an
 * in-memory registry. Reads no file but that catalog.
 */
#include <stdio.h>
#include <stdlib.h>

#include "compile.h"
#include "fuzz.h"
#include "sandbox.h"

#define BASE TEST_SRC "/examples/ev-mechanic/catalog.yaml"

/* The low limits of the first load: a pack that loads within them loads
 * the same way, doing the same work, under the compiler's defaults. */
static const cx_sandbox_limits low = {
    .instructions = 200000,
    .memory = (size_t)8 << 20,
    .print_lines = 0,
    .string_bytes = (size_t)4 << 10,
};

/* The registry the packs compile against, made once for the whole run
 * (never freed: libFuzzer ends the process). */
static cx_registry *registry(void)
{
    static cx_registry *r;
    if (!r) {
        const char *path = BASE;
        cx_error err;
        cx_error_clear(&err);
        if (cx_registry_open(NULL, CX_OPEN_MEMORY, &r, &err) != CX_OK ||
            cx_catalog_import(r, &path, 1, NULL, NULL, NULL, &err) != CX_OK) {
            fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.message);
            abort();
        }
    }
    return r;
}

static void quiet(void *ud, const char *line)
{
    (void)ud;
    (void)line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cx_registry *r = registry();
    cx_sandbox *sb = NULL;
    cx_rules *rules = NULL;
    cx_diagnostics diags;
    cx_error err;
    cx_error_clear(&err);
    cx_diagnostics_init(&diags);
    if (cx__sandbox_new(&low, quiet, NULL, &sb, &err) != CX_OK) abort();
    int loaded = cx__sandbox_load_buffer(sb, "fuzz.lua", (const char *)data, size, NULL, &err);
    cx__sandbox_free(sb);
    if (loaded == CX_OK) {
        cx_pack_source source = {"fuzz.lua", (const char *)data, size};
        cx_error_clear(&err);
        if (cx__rules_load_sources(r, &source, 1, &rules, &diags, &err) == CX_OK) fuzz_committed++;
    }
    cx_rules_free(rules);
    cx_diagnostics_free(&diags);
    return 0;
}
