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

/* How many documents fuzz_load_doc has committed so far: the replay
 * checks that its corpus reaches the registry at all. */
extern long fuzz_committed;

#endif
