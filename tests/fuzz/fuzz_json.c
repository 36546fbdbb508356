/*
 * fuzz_json.c -- libFuzzer target of the JSON reader (cx__json_load_buffer)
 * and the mappers that read its tree (CTDL, Open Badges 2 and 3, CLR,
 * status lists), in the catalog loader's order, into a registry.
 */
#include "badges.h"
#include "ctdl.h"
#include "fuzz.h"
#include "json_reader.h"

typedef struct mapper {
    int (*recognises)(const cx_ynode *root);
    int (*map)(const cx_ydoc *json, const cx_import_options *opts, cx_ydoc **out, cx_error *err);
} mapper;

/* As runtime/catalog.c tries them. */
static const mapper mappers[] = {
    {cx__ctdl_recognises, cx__ctdl_map},
    {cx__ob3_recognises, cx__ob3_map},
    {cx__clr_recognises, cx__clr_map},
    {cx__ob2_recognises, cx__ob2_map},
    {cx__status_list_recognises, cx__status_list_map},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cx_ydoc *json = NULL;
    cx_ydoc *doc = NULL;
    cx_import_options opts = {0};
    cx_error err;
    cx_error_clear(&err);
    if (cx__json_load_buffer("fuzz.json", (const char *)data, size, &json, &err) != CX_OK)
        goto done;
    const cx_ynode *root = cx__ydoc_root(json);
    size_t i = 0;
    while (i < sizeof mappers / sizeof mappers[0] && !mappers[i].recognises(root)) i++;
    if (i == sizeof mappers / sizeof mappers[0]) goto done;
    opts.allow_unverified = 1;
    opts.jurisdiction = "US-TX";
    if (mappers[i].map(json, &opts, &doc, &err) != CX_OK) goto done;
    fuzz_load_doc(doc);
done:
    cx__ydoc_free(doc);
    cx__ydoc_free(json);
    return 0;
}
