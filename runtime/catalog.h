/*
 * catalog.h -- the catalog loader: reads catalog files (docs/design.md §3)
 * through the YAML reader into the catalog model (catalog_model.h) and
 * hands it to the registry. catalog.c never touches SQL.
 */
#ifndef CX_CATALOG_H
#define CX_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "catalog_model.h"
#include "credex.h"
#include "util.h"
#include "yaml_reader.h"

/* A loader checks catalog documents into one model and commits it:
 * parse every file (or node), then resolve references across them and the
 * registry, then write in one transaction. Reused by `credex import`, rule
 * tests (catalogs plus a case's holder) and what-if change files. */
typedef struct cx_catalog_loader cx_catalog_loader;

/* A new loader over r (references may resolve to entities already in r).
 * *out is owned by the caller: cx__catalog_loader_free. */
int cx__catalog_loader_new(cx_registry *r, cx_catalog_loader **out, cx_error *err);
void cx__catalog_loader_free(cx_catalog_loader *ld); /* accepts NULL */

/* How the files and documents that follow are read (a CSV holder's
 * jurisdiction, skip_invalid, the report); opts must outlive the loader;
 * NULL: the defaults (all zero). */
void cx__catalog_loader_set_options(cx_catalog_loader *ld, const cx_import_options *opts);

/* Reads one file of any format (told by content: YAML, JSON, JWS, CSV) and
 * checks its catalog document into the model; counted per format. */
int cx__catalog_loader_add_file(cx_catalog_loader *ld, const char *path, cx_error *err);

/* Checks one catalog document already read (root may be NULL for an empty
 * file). The holders of a document not read from YAML gain awards (their
 * award lists join the registry's) instead of replacing them. extra_keys, NULL-terminated or NULL,
 * are top-level keys the caller handles itself (a change file's `remove`, `rules`); they are
 * skipped. The document must outlive the loader. */
int cx__catalog_loader_add_doc(cx_catalog_loader *ld, const cx_ydoc *doc,
                               const char *const *extra_keys, cx_error *err);

/* Reads a `remove:` mapping of file (docs/catalog.md, "Removing") into
 * the model's removals, checking its shape only: what-if's change file
 * reads its own `remove:` (listed in extra_keys) through this. */
int cx__catalog_loader_add_removals(cx_catalog_loader *ld, const cx_ynode *map, const char *file,
                                    cx_error *err);

/* Checks one holder mapping (the fields of a catalog holder; `id` may be
 * absent, then default_id is used) into the model. */
int cx__catalog_loader_add_holder(cx_catalog_loader *ld, const cx_ynode *holder, const char *file,
                                  const char *default_id, cx_error *err);

/* Resolves every reference, then writes the model into the registry in one
 * transaction. On error nothing is written. */
int cx__catalog_loader_commit(cx_catalog_loader *ld, cx_progress_fn progress, void *progress_ud,
                              cx_error *err);

/* 1 when id is a valid catalog id (docs/design.md §3: letters, digits
 * and . _ : + -, starting with a letter or digit, at most 200 bytes), 0
 * when not, -1 on a regex error (err set). */
int cx__catalog_id_ok(const char *id, cx_error *err);

/* The model so far (for callers that inspect it). */
const cx_catalog *cx__catalog_loader_model(const cx_catalog_loader *ld);

#endif
