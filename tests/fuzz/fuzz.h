/*
 * fuzz.h -- what every fuzz target of tests/fuzz shares: the libFuzzer
 * entry point each target defines, and the catalog loader step that maps
 * a document a reader made into a fresh in-memory registry.
 */
#ifndef CX_FUZZ_H
#define CX_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "yaml_reader.h"

/* One input: never crashes, leaks or reads out of bounds, whatever data
 * holds; returns 0 (libFuzzer's contract). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checks the EV mechanic catalog, then doc, into a catalog loader over a
 * new in-memory registry (a badge's status keys skipped, as `credex
 * import` does) and commits it; a refusal is an outcome like any other. */
void fuzz_load_doc(const cx_ydoc *doc);

/* The same for doc alone, over an empty registry (a whole catalog). */
void fuzz_load_alone(const cx_ydoc *doc);

/* How many inputs went all the way so far: documents fuzz_load_doc or
 * fuzz_load_alone committed, packs compiled, rule-test files with a
 * passing case, change files compared. The replay checks that its corpus
 * gets there at all. */
extern long fuzz_committed;

/* The fixture folder of the targets that read files (rule tests, change
 * files): a private temporary folder holding `catalog.yaml` and `rules`,
 * links to the EV mechanic example's, removed when the process exits.
 * Returns its path (no trailing slash); aborts when it cannot be made. */
const char *fuzz_dir(void);

/* Writes data to the file name of fuzz_dir() and returns its path (a
 * static buffer); aborts when it cannot. */
const char *fuzz_write(const char *name, const uint8_t *data, size_t size);

/* 1 when data is YAML whose `catalog` and `rules` values (the keys that
 * name files, at any depth) are free of '/' and "..", so that a path it
 * names stays inside fuzz_dir(): the target then reads no other file (nor
 * scans a whole file system for packs); 0 otherwise. */
int fuzz_paths_inside(const uint8_t *data, size_t size);

#endif
