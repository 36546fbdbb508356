/*
 * export.h -- between export.c (the registry read into a catalog model)
 * and render_catalog.c (the model written as YAML or CSV). The writers
 * see only the model: no SQL, no registry.
 */
#ifndef CX_EXPORT_H
#define CX_EXPORT_H

#include "catalog_model.h"
#include "credex.h"

/* Writes cat as a version-1 catalog (docs/catalog.md, "Export"): `version:
 * 1`, then each non-empty section in the order of the format's keys, each
 * entity's keys in that order, optional and default values left out. A
 * framework's competencies are those of cat->competencies that name it.
 * 0, or -1 out of memory or when a write failed. */
int cx__catalog_write_yaml(const cx_catalog *cat, cx_write_fn write, void *ud);

/* Writes the awards of cat's holders, holder by holder, as CSV in the
 * import columns (RFC 4180, CRLF): holder, credential, issued, expires,
 * jurisdiction, hours, status, grade, evidence, then result.KEY for every
 * result key of any award, in byte order. 0, or -1. */
int cx__awards_write_csv(const cx_catalog *cat, cx_write_fn write, void *ud);

#endif
