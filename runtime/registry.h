/*
 * registry.h -- internal entry points of registry.c (the only file that
 * includes sqlite3.h) for the other modules of libcredex.
 */
#ifndef CX_REGISTRY_H
#define CX_REGISTRY_H

#include "catalog.h"
#include "credex.h"

/* Writes a checked catalog model into r in one transaction (DESIGN §2, §3):
 * upserts with ON CONFLICT DO UPDATE, a re-imported holder's attributes and
 * awards replaced, a re-imported credential's competencies, tags, codes,
 * attributes and grade scale replaced, the content version bumped. On any
 * failure the transaction is rolled back and nothing changes. */
int cx__registry_import(cx_registry *r, const cx_catalog *cat, cx_progress_fn progress,
                        void *progress_ud, cx_error *err);

#endif
