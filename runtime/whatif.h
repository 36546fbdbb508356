/*
 * whatif.h -- what-if and diff with their inputs in memory, for callers
 * inside libcredex that hold no files (the service: a change file in a
 * request body, packs as sources). The run is cx_whatif's and cx_diff's;
 * nothing here reads a file.
 */
#ifndef CREDEX_WHATIF_H
#define CREDEX_WHATIF_H

#include "compile.h"
#include "credex.h"

/* As cx_whatif, but the change file is len bytes of data (YAML, or JSON,
 * which YAML reads), known as name in located errors ("body:3:7: ..."),
 * under opt->limits like a file; a `rules:` key is refused (located), as
 * a buffer has no folder. The packs, before and after, are the npacks
 * sources (opt->rules is not used). */
int cx__whatif_buffer(cx_registry *r, const char *name, const char *data, size_t len,
                      const cx_pack_source *packs, size_t npacks, const cx_whatif_options *opt,
                      cx_whatif_report **out, cx_error *err);

/* As cx_diff, with both sets of packs as sources (each path a name for
 * messages, never read). Pack errors go to opt->diags, under the source's path. */
int cx__diff_sources(cx_registry *r, const cx_pack_source *old_packs, size_t nold,
                     const cx_pack_source *new_packs, size_t nnew, const cx_whatif_options *opt,
                     cx_whatif_report **out, cx_error *err);

#endif
