/*
 * compile_int.h -- what the compiler's files share (compile_tree.c reading
 * the neutral tree, compile_req.c requirements and selectors, compile.c
 * rules and stack order, compile_reads.c what rules read, rules.c the
 * rules object): the rule set's
 * insides, one compilation's state, and the helpers they all use. Private
 * to those files, as SQLite's btreeInt.h.
 */
#ifndef CX_COMPILE_INT_H
#define CX_COMPILE_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "compile.h"
#include "sandbox.h"
#include "snapshot.h"
#include "util.h"

struct cx_rules {
    cx_arena arena;        /* every plan, string and array */
    cx_sandbox *sandbox;   /* the state the packs were loaded in */
    cx_snapshot *snapshot; /* the registry the plans refer to (owned) */
    cx_pack_info *packs;
    size_t npacks;
    cx_rule **rules; /* in load order */
    size_t nrules, caprules;
    cx_rule **stacks; /* stacks only, in dependency order */
    size_t nstacks;
    cx_rule **by_id;  /* every rule, sorted by id */
    cx_rule **equivs; /* the equivalence family (counts_as, equivalent, equivalence), by id */
    size_t nequivs;
    uint64_t *equiv_to; /* credentials some equivalence rule can make another count as */

    /* credex test --coverage's observer, or NULL (cx__rules_set_coverage) */
    const cx_coverage *coverage;

    atomic_bool in_use; /* a public call is deciding with these rules (cx__rules_enter) */
};

/* The state of one compilation. */
typedef struct compiler {
    cx_rules *rs;
    const cx_snapshot *snap;
    cx_diagnostics *diags; /* never NULL here: a private one when the caller gave none */
    cx_error *first;       /* the first error, for the caller */
    int pack;              /* the pack being compiled */
    const char *file;      /* its path */
    size_t words;          /* uint64 words in a credential set */
    cx_strmap rule_ids;    /* rule id -> cx_src* of its definition */
    cx_strmap content_ids; /* generated id -> count, for #2, #3 */
    int stack_index;       /* preorder counter within a stack */
} compiler;

/* ----------------------------------------------------- small tree helpers */

static inline const char *kind_name(const cx_tnode *n)
{
    switch (n->kind) {
    case CX_TNIL:
        return "nil";
    case CX_TBOOL:
        return "a boolean";
    case CX_TINT:
    case CX_TFLOAT:
        return "a number";
    case CX_TSTRING:
        return "a string";
    case CX_TLIST:
        return "a list";
    case CX_TMAP:
        return "a table";
    case CX_TFUNC:
        return "a function";
    }
    return "a value";
}

/* The constructor a node was made by (its _t), or NULL. */
static inline const char *ctor_of(const cx_tnode *n)
{
    const cx_tnode *t = n && n->kind == CX_TMAP ? cx__tnode_field(n, "_t") : NULL;
    return t && t->kind == CX_TSTRING ? t->as.string.bytes : NULL;
}

static inline const cx_tnode *field(const cx_tnode *n, const char *key)
{
    return n && n->kind == CX_TMAP ? cx__tnode_field(n, key) : NULL;
}

static inline size_t nitems(const cx_tnode *n)
{
    return n && (n->kind == CX_TLIST || n->kind == CX_TMAP) ? n->as.table.nitems : 0;
}

static inline const cx_tnode *item(const cx_tnode *n, size_t i)
{
    return n->as.table.items[i];
}

static inline cx_src src_of(const compiler *c, const cx_tnode *n)
{
    cx_src s = {n && n->file ? n->file : c->file, n ? n->line : 0};
    return s;
}

static inline char *dup(compiler *c, const char *s)
{
    return s ? cx__arena_strdup(&c->rs->arena, s) : NULL;
}

static inline void *alloc(compiler *c, size_t size)
{
    void *p = cx__arena_alloc(&c->rs->arena, size ? size : 1);
    if (p) memset(p, 0, size ? size : 1);
    return p;
}

/* -------------------------------------------------------- credential sets */

static inline uint64_t *new_set(compiler *c)
{
    return alloc(c, c->words * sizeof(uint64_t));
}

static inline void set_add(uint64_t *set, uint32_t sym)
{
    set[sym / 64] |= (uint64_t)1 << (sym % 64);
}

static inline int has_bit(const uint64_t *set, uint32_t sym)
{
    return (int)(set[sym / 64] >> (sym % 64) & 1);
}

static inline int set_empty(const compiler *c, const uint64_t *set)
{
    for (size_t i = 0; i < c->words; i++)
        if (set[i]) return 0;
    return 1;
}

/* ----------------------------------------- compile_tree.c: reading the tree */

/* An error at node n (its file and line), or a warning at src; both are
 * collected in the compilation's diagnostics. */
void cx__compile_error(compiler *c, const cx_tnode *n, const char *fmt, ...) CX_PRINTF(3, 4);
void cx__compile_warning(compiler *c, const cx_src *src, const char *fmt, ...) CX_PRINTF(3, 4);
/* Checks that a table's named fields are all in allowed (internal _t is
 * skipped), and whether it may have a list part; 0 when fine. */
int cx__compile_fields(compiler *c, const cx_tnode *n, const char *what, const char *const *allowed,
                       int list_ok);
/* A required or optional string field; NULL (and an error when required)
 * when absent or not a string. */
const char *cx__compile_string(compiler *c, const cx_tnode *n, const char *key, const char *what,
                               int required);
/* An optional true/false field into *out (0 when absent); 0 when fine,
 * else 1 with an error at the value. */
int cx__compile_flag(compiler *c, const cx_tnode *n, const char *key, const char *what, int *out);
/* A catalog number in hundredths; a duration; a date range. 0 when fine. */
int cx__compile_number(compiler *c, const cx_tnode *v, const char *what, int64_t *out);
int cx__compile_duration(compiler *c, const cx_tnode *v, const char *what, cx_duration *out);
int cx__compile_range(compiler *c, const cx_tnode *v, const char *what, int list_ok, cx_range *out);
/* The nearest id of a kind in the snapshot, for "did you mean". */
const char *cx__compile_nearest(compiler *c, cx_kind kind, const char *id);
/* Resolves a string node naming an entity of kind; CX_NOSYM and an error
 * (with the nearest id) when the registry has none. */
uint32_t cx__compile_resolve(compiler *c, const cx_tnode *v, cx_kind kind, const char *what);

/* ------------------------------- compile_req.c: requirements and selectors */

/* The constructor text of a node, in the arena. */
const char *cx__compile_text(compiler *c, const cx_tnode *n);
/* A credential selector, as plans keep it; warns when it selects nothing. */
const cx_selector *cx__compile_selector(compiler *c, const cx_tnode *n, const char *what);
const cx_jsel *cx__compile_jsel(compiler *c, const cx_tnode *n, const char *what, int depth);
const cx_req *cx__compile_requirement(compiler *c, const cx_tnode *n, int depth);

/* -------------------------------------------------- compile.c: the rules */

/* Compiles the declarations of one loaded pack. */
void cx__compile_pack(compiler *c, const cx_tnode *decls);
/* After every pack: the stacks in dependency order, the warnings about
 * rules that never apply, every rule by id, the equivalence family, and
 * what each rule reads (cx__compile_reads). */
void cx__compile_link(compiler *c);

/* ---------------------------------------- compile_reads.c: what rules read */

/* Records every rule's reads (cx_reads) and its slots' fillers; after the
 * equivalence index (cx__compile_link). */
void cx__compile_reads(compiler *c);

#endif
