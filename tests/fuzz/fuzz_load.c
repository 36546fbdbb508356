/*
 * fuzz_load.c -- the catalog loader step shared by the fuzz targets: the
 * EV mechanic catalog (examples/ev-mechanic/catalog.yaml, read once) and
 * then a document, or the document alone, into a new in-memory registry,
 * every refusal ignored. Reads no other file.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "badges.h"

#include "catalog.h"
#include "credex.h"

#define BASE TEST_SRC "/examples/ev-mechanic/catalog.yaml"

long fuzz_committed;

/* The catalog the documents refer to (its jurisdictions, credentials,
 * frameworks), read once for the whole run (never freed: libFuzzer ends
 * the process). */
static const cx_ydoc *base(void)
{
    static cx_ydoc *doc;
    if (!doc) {
        cx_error err;
        cx_error_clear(&err);
        if (cx__yaml_load_file(BASE, &doc, &err) != CX_OK) {
            fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.message);
            abort();
        }
    }
    return doc;
}

/* catalog (or none) then doc into a new in-memory registry. */
static void load(const cx_ydoc *catalog, const cx_ydoc *doc)
{
    const char *const *extra_keys =
        strcmp(cx__ydoc_format(doc), "ob3") == 0 ? cx__badge_extra_keys : NULL;
    cx_registry *r = NULL;
    cx_catalog_loader *ld = NULL;
    cx_error err;
    cx_error_clear(&err);
    if (cx_registry_open(NULL, CX_OPEN_MEMORY, &r, &err) != CX_OK) goto done;
    if (cx__catalog_loader_new(r, &ld, &err) != CX_OK) goto done;
    if (catalog && cx__catalog_loader_add_doc(ld, catalog, NULL, &err) != CX_OK) goto done;
    if (cx__catalog_loader_add_doc(ld, doc, extra_keys, &err) != CX_OK) goto done;
    if (cx__catalog_loader_commit(ld, NULL, NULL, &err) == CX_OK) fuzz_committed++;
done:
    cx__catalog_loader_free(ld);
    cx_registry_close(r);
}

void fuzz_load_doc(const cx_ydoc *doc)
{
    load(base(), doc);
}

void fuzz_load_alone(const cx_ydoc *doc)
{
    load(NULL, doc);
}
