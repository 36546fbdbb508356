/*
 * sandbox_int.h -- what the sandbox's three files share, as SQLite's
 * btreeInt.h: the sandbox's state, the registry keys, and the few functions
 * one file calls in another. Only runtime/sandbox*.c include it.
 */
#ifndef CX_SANDBOX_INT_H
#define CX_SANDBOX_INT_H

#include <lua.h>
#include <stddef.h>
#include <stdint.h>

#include "sandbox.h"
#include "util.h"

/* Slack the allocator grants once a limit tripped, so that error values and
 * messages can still be made; every VM instruction fails by then. */
#define SB_RESERVE     ((size_t)1 << 20)
#define SB_PRINT_WIDTH 4096 /* longest print() line kept, in bytes */

/* Registry keys shared by the three files: their addresses are the keys
 * (defined in sandbox.c; frozen-table keys are sandbox_lib.c's own). */
extern const char cx__sb_key_stamps, cx__sb_key_packs, cx__sb_key_globals, cx__sb_key_nextcache,
    cx__sb_key_mt_call;
#define K_STAMPS    cx__sb_key_stamps    /* real table -> line (weak keys) */
#define K_PACKS     cx__sb_key_packs     /* pack index + 1 -> pack table (P_*) */
#define K_GLOBALS   cx__sb_key_globals   /* what packs see: base, libraries, public stdlib */
#define K_NEXTCACHE cx__sb_key_nextcache /* table -> sorted key snapshot, per protected call */
#define K_MT_CALL   cx__sb_key_mt_call   /* metatables given to setmetatable in this decision */

/* Fields of a pack table. */
enum { P_ENV = 1, P_STATE, P_DECLS, P_FUNCS, P_FIDX, P_METATABLES };

/* Which limit tripped (sticky until the next load or begin_decision). */
enum { TRIP_NONE, TRIP_INSTRUCTIONS, TRIP_MEMORY, TRIP_STRING, TRIP_REGEX };

/* Room for Lua's string header above string_bytes in an allocation. */
#define SB_STRING_HEADER 64

typedef struct sb_where {
    int line;       /* 1-based, 0 when unknown */
    char file[512]; /* pack path, or a stdlib chunk's short name */
} sb_where;

/* Where tree nodes live: blocks that a reset keeps and reuses, so that a
 * decision's results cost no malloc and no fresh pages. */
#define POOL_BLOCK ((size_t)64 << 10)
#define POOL_KEEP  ((size_t)4 << 20) /* a reset frees blocks beyond this */

typedef struct sb_block sb_block;
struct sb_block {
    sb_block *next;
    size_t size; /* usable bytes */
    size_t used;
    max_align_t data[];
};

typedef struct sb_pool {
    sb_block *first; /* all blocks, in order */
    sb_block *cur;   /* the one being filled */
} sb_pool;

typedef struct sb_pack {
    char *path;                 /* as given at load (owned) */
    char *chunkname;            /* "@" + path (owned) */
    char short_src[LUA_IDSIZE]; /* what Lua puts in front of messages */
    uint64_t source_hash;       /* FNV-1a of the source: seeds math.random */
    uint64_t rng[4];            /* math.random state (xoshiro256**) */
    int nfuncs;                 /* functions in the pack's registry */
    int nmetatables;            /* metatables noted while it loaded */
    int funcs_ref;              /* registry ref of its function registry (P_FUNCS) */
    const cx_tnode *tree;       /* its declarations (in sb->trees) */
} sb_pack;

struct cx_sandbox {
    lua_State *L;
    cx_sandbox_limits limits;  /* resolved: no zeros */
    cx_sandbox_print_fn print; /* NULL: stderr */
    void *print_ud;
    uint64_t instructions; /* counted in this load or decision */
    size_t allocated;      /* bytes allocated in this load or decision */
    int hook_step;         /* instructions between two count hooks */
    int printed;           /* print() lines in this load or decision */
    int trip;              /* TRIP_*: sticky */
    char trip_message[256];
    sb_where trip_where; /* where the limit tripped */
    sb_where err_where;  /* where the last error was raised */
    int error_line;      /* error(msg, level): the pack line level names, or 0 */
    int next_cache;      /* 1 once next() made a cache in this protected call */
    int calling;         /* ordinal of the function cx__sandbox_call runs, or -1 */
    int call_metatables; /* setmetatable calls in this decision */
    sb_pack *packs;
    int npacks, cap;
    int current;       /* pack now running, -1 for none */
    int loading;       /* 1 while a pack's chunk runs */
    int stdlib_frozen; /* 1 once the stdlib environment is read-only */
    uint64_t seed;     /* the decision's seed */
    uint64_t rng[4];   /* math.random when no pack runs (stdlib load) */
    sb_pool trees;     /* pack trees: live until cx__sandbox_free */
    sb_pool results;   /* call results: live until the next decision */
};

/* The running sandbox, kept in the state's extra space. */
static inline cx_sandbox *sb_of(lua_State *L)
{
    return *(cx_sandbox **)lua_getextraspace(L);
}

/* A tree being built from Lua values (sandbox_tree.c). */
typedef struct sb_tree {
    cx_sandbox *sb;
    int pack;        /* whose file the nodes cite, whose registry gets functions */
    sb_pool *pool;   /* where the nodes go */
    int memo;        /* stack index: real table -> node (false while in progress) */
    int allow_funcs; /* 0: a function is an error (call results) */
    cx_error *err;   /* filled on the first error */
} sb_tree;

/* One piece of work run in protected mode. body returns CX_OK or a code
 * with job->err filled; a Lua error it raises is converted instead. */
typedef struct sb_job sb_job;
struct sb_job {
    cx_sandbox *sb;
    int (*body)(lua_State *L, sb_job *job);
    cx_error *err;
    int rc;
};

/* ------------------------------------------------------------ sandbox.c */

/* The running pack's chunk name ("@" + path), or NULL when none runs. */
const char *cx__sb_pack_chunk(const cx_sandbox *sb);
/* The innermost frame of the running pack's file, else the innermost Lua
 * frame. Reads lua_Debug only. */
void cx__sb_locate(cx_sandbox *sb, lua_State *L, sb_where *w);
/* The line of the outermost frame of the running pack's file, or 0. */
int cx__sb_outer_line(cx_sandbox *sb, lua_State *L);
/* Raises the sticky trip's message as a Lua error (does not return). */
int cx__sb_raise_trip(lua_State *L);

/* -------------------------------------------------------- sandbox_lib.c */

/* Pushes the real table behind the table at idx (itself when it is not a
 * frozen proxy). */
void cx__sb_push_real(lua_State *L, int idx);
/* Pushes field (P_*) of the running pack's table. */
void cx__sb_push_pack_field(cx_sandbox *sb, lua_State *L, int field);
/* Creates the registry tables every state needs (a lua_CFunction, run
 * protected once by cx__sandbox_new). */
int cx__sb_missing_registry(lua_State *L);
/* Fills a new state: base functions, libraries, the frozen stdlib. */
int cx__sb_open_body(lua_State *L, sb_job *job);
/* Moves a loaded pack's globals behind a read-only proxy. */
void cx__sb_freeze_env(lua_State *L, int env);

/* ------------------------------------------------------- sandbox_tree.c */

void *cx__sb_pool_alloc(sb_pool *p, size_t size); /* NULL when out of memory */
void cx__sb_pool_reset(sb_pool *p);               /* keeps up to POOL_KEEP for reuse */
void cx__sb_pool_free(sb_pool *p);                /* frees every block */
/* The Lua value at idx as a neutral node; NULL with tb->err filled. */
const cx_tnode *cx__sb_tree_value(sb_tree *tb, lua_State *L, int idx, int line, int depth);
/* Pushes node n as a fresh Lua value (memo at memo). */
void cx__sb_push_node(lua_State *L, int memo, int pack, const cx_tnode *n, int depth);

#endif
