/*
 * fuzz_csv.c -- libFuzzer target of the CSV award reader
 * (cx__csv_load_buffer) and the catalog loader that checks its holders
 * into a registry (new holders in US-TX).
 */
#include "csv_reader.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cx_ydoc *doc = NULL;
    cx_import_options opts = {0};
    cx_error err;
    cx_error_clear(&err);
    opts.jurisdiction = "US-TX";
    if (cx__csv_load_buffer("fuzz.csv", (const char *)data, size, &opts, &doc, &err) == CX_OK)
        fuzz_load_doc(doc);
    cx__ydoc_free(doc);
    return 0;
}
