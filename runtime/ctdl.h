/*
 * ctdl.h -- CTDL (Credential Registry JSON-LD, docs/interop.md "CTDL") into
 * catalog documents: organisations become providers, credentials
 * credentials. ctdl.c maps entities (ctdl_values.c their values, ctdl_asn.c
 * frameworks and competencies); ctdl_ref.c reads contexts, ids,
 * references and language maps; ctdl_envelope.c verifies registry
 * envelopes. None reads the registry nor the network.
 */
#ifndef CX_CTDL_H
#define CX_CTDL_H

#include "credex.h"
#include "yaml_reader.h"

/* 1 when root is a CTDL document: its @context (or its first node's, for a
 * top-level array) names a credreg.net context, or is an inline context
 * defining the ceterms or ceasn prefix (a legacy document, refused when
 * mapped); or a Credential Registry envelope. */
int cx__ctdl_recognises(const cx_ynode *root);

/* Maps a CTDL document json into a catalog document *out (owned by the
 * caller, cx__ydoc_free) of json's file name. Every refusal is located at
 * the JSON Pointer of the value at fault (CX_EINPUT); what is not imported
 * goes to opts->report. */
int cx__ctdl_map(const cx_ydoc *json, const cx_import_options *opts, cx_ydoc **out, cx_error *err);

#endif
