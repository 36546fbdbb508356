/*
 * graph.h -- pathway maps (docs/graph.md): graph.c writes the compiled
 * rules and the registry snapshot as Graphviz DOT (no Graphviz header);
 * graph_svg.c, the only file that includes Graphviz's headers, lays DOT
 * out as SVG in-process. Internal to libcredex.
 */
#ifndef CX_GRAPH_H
#define CX_GRAPH_H

#include <stddef.h>

#include "credex.h"

/* Lays out dot (len bytes, as cx_graph_dot wrote it) with Graphviz's
 * "dot" layout and renders it as SVG, one layout at a time in the
 * process (Graphviz is not thread-safe). Only the core and dot-layout
 * plugins are loaded, so text is measured by Graphviz's built-in font
 * metrics: the same bytes whatever fonts the machine has. On CX_OK *out
 * is malloc'd (the caller frees it) and *outlen its bytes; CX_EINPUT when
 * Graphviz refuses the DOT or its plugins cannot be loaded; CX_ENOMEM. */
int cx__graph_layout_svg(const char *dot, size_t len, char **out, size_t *outlen, cx_error *err);

#endif
