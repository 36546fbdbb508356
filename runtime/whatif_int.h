/*
 * whatif_int.h -- what the parts of what-if share (whatif.c the run,
 * whatif_change.c the change file, whatif_scope.c the scope,
 * whatif_because.c why a holder moved): the run's
 * state and the id sets it keeps. Private to those files, as SQLite's btreeInt.h.
 */
#ifndef CREDEX_WHATIF_INT_H
#define CREDEX_WHATIF_INT_H

#include <stdint.h>

#include "catalog.h"
#include "compile.h"
#include "registry.h"
#include "snapshot.h"
#include "util.h"
#include "yaml_reader.h"

/* ------------------------------------------------------------- id sets */

/* A set of ids whose keys live in an arena shared by the whole run. */
typedef struct idset {
    cx_strmap map;
    cx_arena *arena;
} idset;

static inline void set_init(idset *s, cx_arena *a)
{
    cx__strmap_init(&s->map);
    s->arena = a;
}

/* 1 when id was added, 0 when it was there, -1 out of memory. */
static inline int set_add(idset *s, const char *id)
{
    if (cx__strmap_get(&s->map, id)) return 0;
    char *key = cx__arena_strdup(s->arena, id);
    if (!key || cx__strmap_put(&s->map, key, key, NULL) < 0) return -1;
    return 1;
}

static inline int set_has(const idset *s, const char *id)
{
    return cx__strmap_get(&s->map, id) != NULL;
}

/* ------------------------------------------------------------ the run */

typedef struct removal {
    const char *id;           /* credential, competency, or the membership's group */
    const char *jurisdiction; /* memberships */
} removal;

/* A change file, read and checked. */
typedef struct change {
    const char *path;
    cx_ydoc *doc;             /* owned; NULL root: an empty change */
    cx_catalog_loader *model; /* the fragment checked over the registry; never committed */
    removal *remove[3];       /* credentials, competencies, memberships */
    size_t nremove[3];
    cx_strlist rules; /* `rules:` resolved against the file's folder */
    int has_rules;
    const char *data; /* the change's bytes when it came as a buffer (no folder: `rules:`
                         is refused), else NULL: read from path */
    size_t len;       /* bytes of data */
} change;

enum { RM_CREDENTIALS, RM_COMPETENCIES, RM_MEMBERSHIPS };

/* One side of the comparison: compiled rules and their snapshot. */
typedef struct side {
    cx_rules *rules;
    const cx_snapshot *snap;
    const cx_rule *const *by_id;
    size_t nrules;
    idset expanded; /* stacks whose relevant credentials were added */
} side;

typedef struct wctx {
    cx_registry *r;
    const cx_whatif_options *opt;
    cx_whatif_report *rep;
    cx_error *err;
    cx_arena arena;
    change *ch; /* NULL for diff */
    const char *const *before_paths, *const *after_paths;
    size_t nbefore, nafter;
    /* or the packs as sources in memory (whatif.h), when not NULL */
    const cx_pack_source *before_sources, *after_sources;
    side sides[2]; /* before, after: compiled against the skeleton copies */
    /* the scope (docs/whatif.md, "What is re-evaluated") */
    idset changed;  /* credentials whose facts the change touches */
    idset relevant; /* credentials whose holders (direct or derived) are audited */
    idset targets;  /* credentials whose incoming equivalences matter */
    idset holders;  /* holders the change names */
    idset stacks;   /* stacks whose exceptions' holders are audited */
    idset dirty;    /* rules that differ between the sides */
    idset removed;  /* credentials the change removes */
    idset moved;    /* jurisdictions whose membership of a group the rules name changes */
    idset carried;  /* credentials a recognition or denial naming such a group selects */
    idset counting; /* credentials an award of which can count toward some stack */
    int any_transitive, all_holders, all_pairs, all_transfers;
    int graft;       /* the after side is grafted (docs/whatif.md, "The grafted path") */
    int64_t version; /* the registry's content version when the run began */
    char why[300];   /* why every holder is audited */
    /* the transitions found */
    cx_transition *tr;
    size_t ntr, captr;
    cx_strmap groups; /* audit group key -> index + 1 */
    /* every holder x stack that moved (opt->holders only) */
    cx_holder_transition *lines;
    size_t nlines, caplines;
    /* with opt->shards: only holders with ids in [shard_from, shard_to) are audited
       (NULL: no bound on that side); in the arena */
    const char *shard_from, *shard_to;
} wctx;

static inline int nomem(wctx *w)
{
    return cx__error(w->err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

static inline void progress(wctx *w, const char *what, uint64_t done, uint64_t total)
{
    if (w->opt->progress) w->opt->progress(w->opt->progress_ud, what, done, total);
}

/* ------------------------------------------------- credential sets */

static inline uint32_t ncredentials(const cx_snapshot *s)
{
    return cx__snapshot_count(s, CX_KIND_CREDENTIAL);
}

static inline int bit(const uint64_t *bits, uint32_t i)
{
    return (int)(bits[i / 64] >> (i % 64) & 1);
}

/* Adds the ids of bits (every credential when bits is NULL) to set; 1
 * when any was new, 0 when none, -1 out of memory. */
static inline int add_bits(const cx_snapshot *s, const uint64_t *bits, idset *set)
{
    int grew = 0;
    for (uint32_t i = 0; i < ncredentials(s); i++) {
        if (bits && !bit(bits, i)) continue;
        int rc = set_add(set, s->credentials[i].id);
        if (rc < 0) return -1;
        grew |= rc;
    }
    return grew;
}

/* ------------------------------------------------ across the files */

/* whatif_change.c: reads and checks the change file into w->ch: the file
 * at path, or (w->ch->data set) the buffer known as path in messages. */
int cx__whatif_read_change(wctx *w, const char *path);
void cx__whatif_change_free(change *ch);
/* Applies w->ch to m, an in-memory copy. */
int cx__whatif_apply_change(wctx *w, cx_registry *m);
/* Whether ch changes facts only: it defines no holder (so no award) and
 * no exception, and removes no credential (docs/whatif.md, "The grafted
 * path"). */
int cx__whatif_facts_only(const change *ch);
/* Does ch remove id from list which (RM_...)? */
int cx__whatif_removing(const change *ch, int which, const char *id);

/* whatif_because.c: why m's holder's audit of m's stack moved, in words,
 * into m->because, from full decisions made with before and after (the
 * rules of the audits; a side m calls absent is not decided). */
int cx__whatif_because(wctx *w, cx_rules *before, cx_rules *after, cx_holder_transition *m);

/* whatif_scope.c: what the change can affect, and the holders to audit. */
int cx__whatif_find_scope(wctx *w);
/* The holders to audit (docs/whatif.md, "What is re-evaluated") into
 * out: those the change names and those its exceptions bring in, first;
 * then those whose awards do, read from the award table, or (_in) from s,
 * a snapshot of w->r, where *n says how many are in scope and their ids
 * are added only when at most most are. */
int cx__whatif_exception_holders(wctx *w, idset *out);
int cx__whatif_award_holders(wctx *w, idset *out);
int cx__whatif_award_holders_in(wctx *w, const cx_snapshot *s, size_t most, idset *out, size_t *n);
/* Whether the holders of some awards may move: the awards must be read. */
int cx__whatif_scans_awards(const wctx *w);
/* Every holder is audited; fmt (with id) says why, the first time. */
void cx__whatif_every_holder(wctx *w, const char *fmt, const char *id);
/* The holders the change names into w->holders; -1 out of memory. */
int cx__whatif_named_holders(wctx *w);

#endif
