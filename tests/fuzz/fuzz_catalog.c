/*
 * fuzz_catalog.c -- libFuzzer target of the YAML reader
 * (cx__yaml_load_buffer) and the catalog checker: the document alone into
 * an empty in-memory registry, then over the EV mechanic catalog.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cx_ydoc *doc = NULL;
    cx_error err;
    cx_error_clear(&err);
    if (cx__yaml_load_buffer("fuzz.yaml", (const char *)data, size, &doc, &err) == CX_OK) {
        fuzz_load_alone(doc);
        fuzz_load_doc(doc);
    }
    cx__ydoc_free(doc);
    return 0;
}
