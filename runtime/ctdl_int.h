/*
 * ctdl_int.h -- what the ctdl*.c family (ctdl.c entities, ctdl_values.c
 * their values, ctdl_asn.c frameworks, ctdl_ref.c ids and language maps,
 * ctdl_envelope.c envelopes, ctdl_draft*.c rule-pack drafts) shares while
 * one CTDL document is mapped.
 * Private to the family.
 */
#ifndef CX_CTDL_INT_H
#define CX_CTDL_INT_H

#include "ctdl.h"
#include "util.h"

/* One mapping of one document. */
typedef struct ctdl {
    const char *file;              /* the input's name, for errors and the report */
    const cx_import_options *opts; /* never NULL */
    cx_error *err;                 /* where a refusal goes */
    cx_ydoc *out;                  /* the catalog document being built */
    const char *doc_ctid;          /* the document's CTID (lower case, in out's arena), or NULL */
    const cx_ynode **nodes;        /* the document's top-level nodes (malloc'd) */
    size_t nnodes;
    cx_ynode *providers;         /* the catalog's providers list */
    cx_ynode *credentials;       /* the catalog's credentials list */
    cx_ynode *frameworks;        /* the catalog's frameworks list */
    cx_ynode *loose;             /* framework_competencies: competencies of other frameworks */
    cx_strmap framework_lists;   /* framework id -> its competencies list (in frameworks) */
    cx_strmap credential_ids;    /* credentials (earnables too) already mapped */
    cx_ynode *new_providers;     /* providers to create when neither defined nor in the registry */
    cx_ynode *new_jurisdictions; /* the same for jurisdictions */
    cx_strmap defined;           /* provider ids this document defines (keys in out's arena) */
    cx_strmap absent_seen;       /* ids already put in new_providers or new_jurisdictions,
                                  * prefixed "p:" or "j:" (keys in out's arena) */
    cx_strmap id_map;            /* --id-map: IRI -> id (both in id_map_text) */
    char *id_map_text;           /* the --id-map file, its fields cut in place (malloc'd) */
} ctdl;

/* ------------------------------------------------- building (ctdl.c) */

/* The values of key in node as a list: a single value is a list of one. */
typedef struct ctdl_values {
    const cx_ynode *const *v; /* into node's items, or into the list's */
    size_t n;
} ctdl_values;

ctdl_values cx__ctdl_values(const cx_ynode *node, const char *key);

/* The @type of node (the first, when a list), or NULL. */
const char *cx__ctdl_type(const cx_ynode *node);

/* 1 when type is a credential class import maps. */
int cx__ctdl_is_credential(const char *type);

/* The credential type import gives an earnable class (a course, a
 * learning opportunity, an assessment), or NULL for any other type. */
const char *cx__ctdl_earnable_type(const char *type);

/* Reads a (non-envelope) document's contexts, top-level nodes (into
 * x->nodes, which the caller frees) and CTID, as a mapping does first. */
int cx__ctdl_open(ctdl *x, const cx_ynode *root);

/* CX_ENOMEM, reported as out of memory. */
int cx__ctdl_nomem(ctdl *x);

/* A new map of the output located at node at (its pointer copied). */
cx_ynode *cx__ctdl_new_map(ctdl *x, const cx_ynode *at);

/* key: value into map; key: a text scalar at at's place into map. */
int cx__ctdl_put(ctdl *x, cx_ynode *map, const char *key, cx_ynode *value);
int cx__ctdl_put_text(ctdl *x, cx_ynode *map, const char *key, const char *text,
                      const cx_ynode *at);

/* Appends text to the list under key in map (made when absent), once. */
int cx__ctdl_add_to_list(ctdl *x, cx_ynode *map, const char *key, const char *text,
                         const cx_ynode *at);

/* The local name of a compact IRI after prefix ("ceterms:"), or NULL. */
const char *cx__ctdl_local_name(const char *type, const char *prefix);

/* "MicroCredential" -> "micro-credential", in the output's arena. */
const char *cx__ctdl_kebab(ctdl *x, const char *local);

/* Reports each key of node not in used (NULL-terminated). */
void cx__ctdl_report_unknown(ctdl *x, const cx_ynode *node, const char *const *used);

/* ------------------------------------ a credential's values (ctdl_values.c) */

/* The codes of the alignment objects (or plain codes) under key into codes. */
int cx__ctdl_codes(ctdl *x, const cx_ynode *cred, const char *key, cx_ynode *codes);

/* creditValue: clock and contact hours into out's hours, other units into
 * attrs' credits_<unit>. */
int cx__ctdl_credits(ctdl *x, const cx_ynode *cred, cx_ynode *out, cx_ynode *attrs);

/* A creditUnitType ("creditUnit:SemesterHour", or an alignment object
 * naming it) as import names its attribute's unit ("semester_hour", in
 * the output's arena); NULL when it names none. */
const char *cx__ctdl_credit_unit(ctdl *x, const cx_ynode *unit);

/* estimatedDuration into attrs' estimated_duration. */
int cx__ctdl_estimated_duration(ctdl *x, const cx_ynode *cred, cx_ynode *attrs);

/* renewalFrequency into out's valid_for (Y, M, W and D parts only). */
int cx__ctdl_renewal(ctdl *x, const cx_ynode *cred, cx_ynode *out);

/* The date or instant under key into out's key to, as a UTC date. */
int cx__ctdl_date(ctdl *x, const cx_ynode *cred, const char *key, const char *to, cx_ynode *out);

/* ---------------------------------------------- CTDL-ASN (ctdl_asn.c) */

/* A ceasn:CompetencyFramework node into the catalog's frameworks. */
int cx__ctdl_framework(ctdl *x, const cx_ynode *node);

/* A ceasn:Competency node into its framework (run after every framework
 * of the document); without a CTID or a framework it is reported. */
int cx__ctdl_competency(ctdl *x, const cx_ynode *node);

/* ------------------------------------------------ ids (ctdl_ref.c) */

/* A located refusal at node n: "file: POINTER: message". Returns CX_EINPUT. */
int cx__ctdl_fail(ctdl *x, const cx_ynode *n, const char *fmt, ...) CX_PRINTF(3, 4);

/* One issue of the import report at node n (its pointer), under key (or
 * NULL). Nothing when the options have no report. */
void cx__ctdl_report(ctdl *x, const cx_ynode *n, const char *key, const char *fmt, ...)
    CX_PRINTF(4, 5);

/* Checks every @context in the tree under n (the top-level one and the
 * nested ones) against the allow-list, and refuses the legacy urn:ctid:
 * form anywhere. */
int cx__ctdl_check_contexts(ctdl *x, const cx_ynode *n);

/* A CTID ("ce-" and a UUID, any case) into out in lower case: 0, or -1
 * when s is not one. */
int cx__ctdl_ctid(const char *s, char out[40]);

/* The credex id of a reference ref: an IRI string, {"@id": ...} or an
 * embedded object (docs/interop.md "CTDL ids"). *id lives in the output
 * document. *iri is the IRI an x- id was hashed from (else NULL), to keep
 * as attribute source_iri. */
int cx__ctdl_ref(ctdl *x, const cx_ynode *ref, const char **id, const char **iri);

/* The value a language map (or a plain value) holds for --lang: the exact
 * tag, then a case-insensitive match, then the primary subtag, then the
 * byte-wise smallest key. v itself when it is not a map; NULL for NULL. */
const cx_ynode *cx__ctdl_lang(const ctdl *x, const cx_ynode *v);

/* The text of v after the language choice: a string (not a number, true,
 * false or null); NULL when v holds none. */
const char *cx__ctdl_text(const ctdl *x, const cx_ynode *v);

/* Reads the --id-map file at path (CSV: a header `iri,id`, then one
 * IRI and the id it becomes a row; fields may be quoted) into x->id_map.
 * Refused at file:LINE: another header, a row of other than two fields,
 * an empty IRI, an id credex cannot use, an IRI given twice. */
int cx__ctdl_read_id_map(ctdl *x, const char *path);

/* 1 when root is a Credential Registry envelope (envelope_type, resource,
 * resource_public_key). */
int cx__ctdl_is_envelope(const cx_ynode *root);

/* The envelope root into a catalog document *out: its resource's JWS
 * verified with resource_public_key (a key the trust file, opts->trust,
 * holds; else refused unless opts->allow_unverified), then the verified
 * payload mapped as CTDL (ctdl_envelope.c). */
int cx__ctdl_envelope(ctdl *x, const cx_ynode *root, cx_ydoc **out);

/* The node of the document whose @id is iri, or NULL. */
const cx_ynode *cx__ctdl_node(const ctdl *x, const char *iri);

#endif
