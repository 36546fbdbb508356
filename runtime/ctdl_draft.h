/*
 * ctdl_draft.h -- what the files of `credex draft` share: ctdl_draft.c
 * (inputs, what they define, stacks, the pack's text), ctdl_draft_req.c
 * (requires, isRequiredFor, credit values, parts), ctdl_draft_path.c
 * (pathways) and ctdl_draft_rules.c (transfer values, CLR associations).
 * Private to them; they read no registry.
 */
#ifndef CX_CTDL_DRAFT_H
#define CX_CTDL_DRAFT_H

#include "badges.h"
#include "ctdl_int.h"

/* A credential import gives the inputs (a CTDL credential or earnable, or
 * a CLR achievement). */
typedef struct dknown {
    const char *id;              /* its credex id */
    ctdl *x;                     /* the CTDL document holding it, or NULL (a CLR's) */
    const cx_ynode *node;        /* its node */
    const char *name;            /* its name, or NULL */
    const cx_ynode *grade_scale; /* a CLR achievement's grade scale, or NULL */
    const char *issuer;          /* a CLR achievement's: the CLR's issuer, or NULL */
} dknown;

/* One requirement statement of a stack: a requires profile of the
 * credential, or an isRequiredFor profile of another (from). */
typedef struct dprofile {
    ctdl *x;
    const cx_ynode *node; /* the ConditionProfile */
    const char *from;     /* isRequiredFor: the id of the credential required; NULL: requires */
} dprofile;

/* One part of a stack from hasPart/isPartOf or a CLR association. */
typedef struct dpart {
    const char *id;  /* the part's credex id */
    const char *via; /* "hasPart" (either direction), or the CLR association type */
} dpart;

/* A pathway whose destination is the stack's credential. */
typedef struct dpathway {
    ctdl *x;
    const cx_ynode *pathway;     /* the ceterms:Pathway node */
    const cx_ynode *destination; /* its destination component */
} dpathway;

/* One stack to draft: a credential and every statement of what it needs. */
typedef struct dstack {
    const char *id;
    const dknown *cred; /* never NULL */
    dprofile *profiles; /* malloc'd */
    size_t nprofiles;
    dpart *parts; /* malloc'd */
    size_t nparts;
    dpathway *pathways; /* malloc'd */
    size_t npathways;
    const char **slots; /* the credential ids of its drafted slots (malloc'd) */
    size_t nslots;
    int on_cycle; /* 1: its slots lead back to it through other stacks */
} dstack;

/* A rule other than a stack, or a comment, by its sort key. */
typedef struct drule {
    const char *key;  /* byte order of the keys is the order of the output */
    const char *text; /* its lines */
} drule;

/* Every input while it is drafted. */
typedef struct draft {
    cx_ydoc **json; /* the inputs, read */
    ctdl *docs;     /* one mapping context per input (CTDL documents only) */
    size_t n;
    cx_ydoc *arena; /* ids, names and texts of every input */
    cx_error *err;
    cx_strmap known;        /* credex id -> dknown */
    cx_strmap competencies; /* ids of the competencies import gives the inputs */
    const char *clr_issuer; /* the issuer of the first CLR with an achievement, or NULL */
    cx_strmap stacks;       /* credex id -> dstack */
    dstack **order;         /* the stacks, then sorted by id (malloc'd) */
    size_t nstacks;
    dstack *current;     /* the stack whose requirement is being written, or NULL */
    drule *rules;        /* malloc'd */
    cx_strmap rule_keys; /* key -> its drule: a key once */
    size_t budget;       /* conditions pathways may still draft */
    int over_budget;     /* 1 once the MANUAL comment saying so is written */
    size_t nrules;
    cx_buf out;
} draft;

/* ------------------------------------------------ shared (ctdl_draft.c) */

#define CX_DRAFT_INDENT 96 /* the size of an indent's buffer */
/* Pathway conditions drafted in all (a count, never a time): conditions a
 * file names again and again stop there. */
#define CX_DRAFT_MAX_CONDITIONS 10000

/* indent and more spaces into out (cut to fit). */
void cx__draft_indent(char out[CX_DRAFT_INDENT], const char *indent, size_t more);

/* s as a Lua string literal into b. */
void cx__draft_string(cx_buf *b, const char *s);

/* "indent-- tag text\n", line breaks in text made spaces. */
void cx__draft_comment(cx_buf *b, const char *indent, const char *tag, const char *text);

/* The stack of credential id (created on first use), or NULL when out of
 * memory. */
dstack *cx__draft_stack(draft *d, const dknown *cred);

/* Grows *array of *n items of size bytes by one zeroed item; NULL when
 * out of memory. */
void *cx__draft_grow(void **array, size_t *n, size_t size);

/* `credential "ID"` and options (NULL: none) at indent into b, recorded
 * as a slot of d->current. */
int cx__draft_slot(draft *d, cx_buf *b, const char *indent, const char *id, const char *options);

/* A rule or comment of text (copied) under key (copied), once per key. */
int cx__draft_rule(draft *d, const char *key, const char *text);

/* A MANUAL comment of the formatted text among the rules, after the
 * stacks (the same text twice is one comment). CX_OK or CX_ENOMEM. */
int cx__draft_note(draft *d, const char *fmt, ...) CX_PRINTF(2, 3);

/* The text a reference names for a comment: its IRI, its name, or its pointer. */
const char *cx__draft_iri(const ctdl *x, const cx_ynode *ref);

/* A number as a Lua literal into out (at most 31 bytes): 0, or -1 when v
 * is not a non-negative number. */
int cx__draft_number(const cx_ynode *v, char out[32]);

/* ---------------------------------------- requirements (ctdl_draft_req.c) */

/* What the requires, isRequiredFor, hasPart and isPartOf of node (a
 * credential or an earnable, id) add to the stacks. */
int cx__draft_collect_links(draft *d, ctdl *x, const cx_ynode *node, const dknown *self);

/* How many profiles a stack's requirement was drafted from. */
typedef struct dcount {
    size_t drafted;      /* the profiles that drafted a requirement */
    size_t requires;     /* its requires profiles */
    size_t required_for; /* the isRequiredFor profiles that add a slot */
} dcount;

/* part (an id that outlives the draft) as a part of parent's stack,
 * unless it is parent itself; via says where from. */
int cx__draft_add_part(draft *d, const dknown *parent, const char *part, const char *via);

/* The requirement of the stack's profiles, written at indent into b. */
int cx__draft_profiles(draft *d, const dstack *s, cx_buf *b, const char *indent, dcount *n);

/* The stack's parts at indent into b, after their REVIEW comment; *n of
 * them. */
int cx__draft_parts(draft *d, const dstack *s, cx_buf *b, const char *indent, size_t *n);

/* -------------------------------------- pathways (ctdl_draft_path.c) */

/* A ceterms:Pathway node: its destination's stack; a
 * ceterms:TransferValueProfile: its counts_as rules (ctdl_draft_rules.c).
 * Other nodes: nothing. */
int cx__draft_collect_path(draft *d, ctdl *x, const cx_ynode *node);

/* The requirement of the stack's pathways at indent into b; *n the number
 * that drafted one. */
int cx__draft_pathways(draft *d, const dstack *s, cx_buf *b, const char *indent, size_t *n);

/* --------------------------------- other rules (ctdl_draft_rules.c) */

/* A TransferValueProfile: from each transferValueFrom to each
 * transferValueFor among the inputs, counts_as within its dates. */
int cx__draft_transfer_value(draft *d, ctdl *x, const cx_ynode *node);

/* A cx_clr_visit_fn (ud: the draft): a CLR's achievements become known
 * credentials, its associations rules, parts or MANUAL comments. */
int cx__draft_clr_visit(void *ud, const cx_clr_achievement *a, const cx_clr_association *as);

#endif
