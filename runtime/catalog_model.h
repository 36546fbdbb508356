/*
 * catalog_model.h -- the catalog model: what one import (one or more catalog
 * files, docs/design.md §3) says, checked and with defaults filled in, ready
 * for registry_import.c to write in one transaction. Plain structs only: no
 * YAML types, no SQL. Every string lives in the model's arena.
 */
#ifndef CX_CATALOG_MODEL_H
#define CX_CATALOG_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "credex.h"
#include "util.h"

typedef struct cx_loc {
    const char *file;  /* file name as given on the command line */
    int line, column;  /* 1-based; JSON: 0, 0; CSV: the record's line, 0 */
    const char *where; /* NULL for YAML; JSON: the JSON Pointer; CSV: the column */
} cx_loc;

typedef struct cx_cat_kv {
    const char *key;
    const char *value;
} cx_cat_kv;

typedef struct cx_cat_jurisdiction {
    const char *id, *name, *kind; /* kind may be NULL */
    cx_loc loc;
} cx_cat_jurisdiction;

typedef struct cx_cat_membership {
    const char *jurisdiction;
    const char *from;   /* YYYY-MM-DD */
    const char *until;  /* or NULL */
    const char *status; /* or NULL */
    cx_loc loc;
} cx_cat_membership;

typedef struct cx_cat_group {
    const char *id, *name; /* name may be NULL */
    cx_cat_membership *members;
    size_t nmembers;
    cx_loc loc;
} cx_cat_group;

typedef struct cx_cat_provider {
    const char *id, *name, *jurisdiction; /* jurisdiction may be NULL */
    cx_loc loc;
} cx_cat_provider;

typedef struct cx_cat_framework {
    const char *id, *name;
    cx_loc loc;
} cx_cat_framework;

typedef struct cx_cat_competency {
    const char *id, *framework, *text, *parent; /* parent may be NULL */
    cx_loc loc;
} cx_cat_competency;

typedef struct cx_cat_credential {
    const char *id, *name, *type, *provider, *jurisdiction;
    const char *valid_for, *version, *effective_from, *effective_until; /* or NULL */
    int64_t hours; /* hundredths, or CX_NO_NUMBER */
    const char **competencies;
    size_t ncompetencies;
    const char **tags;
    size_t ntags;
    cx_cat_kv *codes; /* key: scheme */
    size_t ncodes;
    cx_cat_kv *attributes;
    size_t nattributes;
    const char **grade_scale; /* lowest first */
    size_t ngrade_scale;
    cx_loc loc;
} cx_cat_credential;

/* Where a badge's or CLR's award came from (docs/catalog.md, "provenance"). */
typedef struct cx_cat_provenance {
    const char *format;                /* "ob3", "clr2", "ob2", "csv" or "yaml" */
    const char *source_id, *issuer;    /* or NULL */
    const char *proof;                 /* the proof kind, "none", or NULL */
    const char *verification;          /* "verified" or "unverified" */
    const char *note, *status_checked; /* or NULL; status_checked is YYYY-MM-DD */
} cx_cat_provenance;

typedef struct cx_cat_award {
    const char *id; /* given or the default "<holder>/<credential>/<issued>[#n]" */
    const char *credential, *issued;
    const char *expires, *jurisdiction, *grade, *evidence; /* or NULL */
    const char *status;                                    /* "active" by default */
    int64_t hours;                                         /* or CX_NO_NUMBER */
    cx_cat_kv *results;
    size_t nresults;
    const cx_cat_provenance *provenance; /* or NULL: none given */
    int skip; /* 1: left out by skip_invalid (the loader drops it before writing) */
    cx_loc loc;
} cx_cat_award;

typedef struct cx_cat_holder {
    const char *id, *jurisdiction; /* jurisdiction may be NULL */
    cx_cat_kv *attributes;
    size_t nattributes;
    cx_cat_award *awards;
    size_t nawards;
    int add_awards;  /* 1 (CSV, JSON): its awards join the registry's; 0 (YAML): they
                      * replace them, with its attributes and jurisdiction */
    int in_registry; /* the loader asked the registry: 0 not yet, 1 it has the id, 2 not */
    cx_loc loc;
    size_t rows;      /* CSV: the rows that give it awards, which a stream of the
                       * catalog writes (they are not in awards) */
    size_t rows_kept; /* those of rows not left out by skip_invalid */
} cx_cat_holder;

/* Receives one award of a stream: its holder's id and the award, both
 * valid for the call only. Returns CX_OK or an error code (err set). */
typedef int (*cx_cat_award_fn)(void *ud, const char *holder, const cx_cat_award *a, cx_error *err);

/* Awards the model does not hold, handed to the writer one at a time (a
 * CSV award list read again at write time): each calls fn for every award
 * not left out, in order, after every holder is written. */
typedef struct cx_cat_stream {
    int (*each)(void *stream, cx_cat_award_fn fn, void *fn_ud, cx_error *err);
    void *stream; /* passed to each; owned by the loader */
} cx_cat_stream;

typedef struct cx_cat_exception {
    const char *holder, *stack;
    const char *waive;                           /* or NULL */
    const char *substitute_for, *substitute_use; /* or NULL */
    const char *by, *reason;                     /* or NULL */
    cx_loc loc;
} cx_cat_exception;

/* What `remove:` removes (docs/catalog.md, "Removing"). */
enum { CX_CAT_RM_CREDENTIAL, CX_CAT_RM_COMPETENCY, CX_CAT_RM_MEMBERSHIP };

typedef struct cx_cat_removal {
    int which;                /* CX_CAT_RM_... */
    const char *id;           /* the credential, competency, or the membership's group */
    const char *jurisdiction; /* memberships; else NULL */
    cx_loc loc;               /* of the id (memberships: of the group) */
    cx_loc at_jurisdiction;   /* memberships: of the jurisdiction */
} cx_cat_removal;

/* Called by the writer for each entity a removal takes along (--cascade):
 * kind ("award", "exception", "credential", "competency"), its id and its
 * holder (or NULL). The strings live for the call only. */
typedef void (*cx_cat_cascade_fn)(void *ud, const cx_cat_removal *rm, const char *kind,
                                  const char *id, const char *holder);

/* A growable array of one entity kind inside the model. */
#define CX_CAT_ARRAY(T)                                                                            \
    struct {                                                                                       \
        T *v;                                                                                      \
        size_t n, cap;                                                                             \
    }

typedef struct cx_catalog {
    cx_arena arena; /* every string and sub-array of the model */
    CX_CAT_ARRAY(cx_cat_jurisdiction) jurisdictions;
    CX_CAT_ARRAY(cx_cat_group) groups;
    CX_CAT_ARRAY(cx_cat_provider) providers;
    CX_CAT_ARRAY(cx_cat_framework) frameworks;
    CX_CAT_ARRAY(cx_cat_competency) competencies;
    CX_CAT_ARRAY(cx_cat_credential) credentials;
    CX_CAT_ARRAY(cx_cat_holder) holders;
    CX_CAT_ARRAY(cx_cat_exception) exceptions;
    size_t nawards;                        /* awards over all holders, streamed ones too */
    CX_CAT_ARRAY(cx_cat_removal) removals; /* written before every definition */
    int cascade;                           /* 1: a removal takes its dependents along (cascaded) */
    cx_cat_cascade_fn cascaded;            /* or NULL */
    void *cascaded_ud;                     /* passed to cascaded */
    const char *const *paths;              /* the input files, for import_log; or NULL */
    size_t npaths;
    CX_CAT_ARRAY(cx_cat_stream) streams; /* written after the holders */
    int holders_first; /* 1: the holders are written before every other entity (one YAML
                        * file that removes nothing: cx__registry_import_ahead's order) */
} cx_catalog;

#endif
