/*
 * sandbox.h -- the Lua 5.4 sandbox rule packs run in (docs/design.md §5): one
 * lua_State per cx_sandbox (one per worker thread), allow-listed libraries,
 * counted limits, one protected entry, and the neutral tree a pack's data
 * is handed to C as. Callers never see the Lua stack: only sandbox.c (the
 * state, limits, protected entry), sandbox_lib.c (what a state contains),
 * sandbox_tree.c (tables <-> neutral trees) and lua_api.c use the Lua C
 * API. The threat model, each limit and why it is a count: docs/security.md.
 *
 * WHAT A PACK SEES
 *
 * - Its own _ENV: the base library (without load, loadfile, dofile,
 *   require, collectgarbage; with sorted pairs/next, pcall/xpcall that
 *   cannot swallow a tripped limit, setmetatable refusing __gc and
 *   __mode, tostring without addresses), the frozen string, table, math,
 *   utf8, re and dates tables, and the stdlib's public globals. Reading an
 *   undefined global is an error naming it. Its own globals are writable
 *   while its chunk runs and read-only once it has loaded.
 * - An error names the pack's file and the line of the innermost frame of
 *   that file (for error(msg, level), the frame the level names); when a
 *   call's function left no frame of the pack (a tail call into the stdlib
 *   or C), the line where that function is defined.
 *
 * THE CONTRACT WITH THE STDLIB (stdlib/ files, embedded at build time)
 *
 * - Every stdlib file runs once, in byte order of its name, when a sandbox
 *   is created, in one shared stdlib environment. Top-level code should
 *   only define things. Afterwards that environment, and every table
 *   reachable from it through table values, is frozen: the stdlib keeps no
 *   mutable module state (per-pack state lives in _sandbox.state()).
 *   Frozen tables are read-only proxies: they read, iterate (pairs, ipairs,
 *   #) and become tree nodes like the tables behind them. A metatable the
 *   stdlib puts on values it hands to packs is not reachable that way:
 *   give it a __metatable field, or a pack could change it through
 *   getmetatable.
 * - Globals the stdlib defines whose names do not start with "_" are
 *   visible to packs, next to the base library. Names starting with "_"
 *   are private to the stdlib; so is the table `_sandbox`:
 *     _sandbox.line()          the line of the OUTERMOST frame of the pack
 *                              file now running (a rule made by a helper
 *                              cites the helper's caller), or nil
 *                              when no frame of it is left (a tail call);
 *     _sandbox.stamp(t [, n])  records line n (default _sandbox.line()) as
 *                              the line of table t, unless t already has
 *                              one; returns t. The tree node of t takes it.
 *     _sandbox.declare(kind, value)
 *                              appends {kind = kind, value = value},
 *                              stamped with _sandbox.line(), to the
 *                              declarations of the pack now loading; an
 *                              error when no pack is loading (at decision
 *                              time), so rules can be made only at load;
 *     _sandbox.state()         a table private to the pack now running
 *                              (counters, ids), the same across its load
 *                              and its decisions; during a decision a
 *                              read-only view (a write would leak into
 *                              later decisions);
 *     _sandbox.loading()       true while a pack's chunk runs.
 * - stdlib/prelude.lua defines declare(kind, value) on top of these; the
 *   DSL constructors (stack, counts_as, ...) build plain tables, stamp
 *   them, and declare them. cx__sandbox_pack_tree() is the list of
 *   declarations, in the order made.
 *
 * THE NEUTRAL TREE
 *
 * A Lua table becomes one node: its list part (keys 1..n, no holes) in
 * items, its string keys in fields, sorted by byte order. A table with no
 * string key is CX_TLIST, one with any is CX_TMAP (which may also have
 * items). Other keys (floats, 0, negative or sparse integers, booleans,
 * tables) are load errors, as are cycles and nesting deeper than 64. A
 * table reached twice (not a cycle) is one shared node. Strings are bytes
 * (not necessarily UTF-8), NUL-terminated for convenience. A function is
 * (pack, ordinal): the ordinal is its index in the pack's function
 * registry, numbered by first appearance in a deterministic walk (list
 * items in order, then fields by key), so every sandbox that loaded the
 * same packs in the same order can call it. Each node has the pack's file
 * and a line: a stamped table its stamp, a function its line defined, any
 * other node its parent's line.
 */
#ifndef CX_SANDBOX_H
#define CX_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#include "credex.h"

typedef struct cx_sandbox cx_sandbox;

/* Limits, each per pack load and per decision; every one is a count. */
typedef struct cx_sandbox_limits {
    uint64_t instructions; /* Lua VM instructions plus charged C work; 0: default */
    size_t memory;         /* bytes allocated (not live); 0: default */
    int print_lines;       /* print() lines written; 0: default, -1: none */
    size_t string_bytes;   /* bytes in one string (bounds O(length) VM work); 0: default */
} cx_sandbox_limits;

#define CX_SANDBOX_INSTRUCTIONS 10000000u          /* default instruction budget */
#define CX_SANDBOX_MEMORY       ((size_t)64 << 20) /* default: 64 MiB allocated */
#define CX_SANDBOX_PRINT_LINES  100                /* default print() lines */
#define CX_SANDBOX_STRING       ((size_t)64 << 10) /* default: 64 KiB in one string */
#define CX_SANDBOX_MAX_DEPTH    64                 /* deepest table in a tree */

/* Receives one print() line ("file:line: text", no newline). */
typedef void (*cx_sandbox_print_fn)(void *ud, const char *line);

/* ------------------------------------------------------------- the tree */

typedef enum cx_tkind {
    CX_TNIL,
    CX_TBOOL,
    CX_TINT,
    CX_TFLOAT,
    CX_TSTRING,
    CX_TLIST,
    CX_TMAP,
    CX_TFUNC
} cx_tkind;

typedef struct cx_tnode cx_tnode;

typedef struct cx_tfield {
    const char *key;       /* bytes, NUL-terminated */
    size_t keylen;         /* length of key in bytes */
    const cx_tnode *value; /* never NULL */
} cx_tfield;

struct cx_tnode {
    cx_tkind kind;
    int line;         /* 1-based line in file; 0 when unknown */
    const char *file; /* the pack's path as loaded (owned by the sandbox) */
    union {
        int boolean;     /* CX_TBOOL: 0 or 1 */
        int64_t integer; /* CX_TINT */
        double number;   /* CX_TFLOAT */
        struct {
            const char *bytes; /* NUL-terminated; may hold NULs and any bytes */
            size_t len;
        } string; /* CX_TSTRING */
        struct {
            const cx_tnode *const *items; /* list part, keys 1..nitems */
            size_t nitems;
            const cx_tfield *fields; /* string keys, sorted by byte order */
            size_t nfields;
        } table; /* CX_TLIST (nfields == 0) and CX_TMAP */
        struct {
            int pack;    /* pack index */
            int ordinal; /* index in the pack's function registry */
        } func;          /* CX_TFUNC */
    } as;
};

/* The field named key of a CX_TMAP node, or NULL (also for other kinds). */
const cx_tnode *cx__tnode_field(const cx_tnode *node, const char *key);

/* ----------------------------------------------------------- lifecycle */

/* Creates a sandbox: a fresh lua_State with the allow-listed libraries and
 * the embedded stdlib loaded and frozen. limits and print may be NULL
 * (defaults; print then writes to stderr). On success *out is owned by
 * the caller (cx__sandbox_free). */
int cx__sandbox_new(const cx_sandbox_limits *limits, cx_sandbox_print_fn print, void *print_ud,
                    cx_sandbox **out, cx_error *err);
void cx__sandbox_free(cx_sandbox *sb); /* accepts NULL */

/* Loads the pack at path (text only, never bytecode): runs its chunk in
 * its own environment under the load limits, then builds its tree. Sets
 * *pack (may be NULL) to the new pack's index (0, 1, ... in load order).
 * A Lua error is CX_EINPUT, a tripped limit CX_ELIMIT, an unreadable file
 * CX_EINPUT; err names the file and line. A failed load leaves no pack
 * behind and the sandbox usable. */
int cx__sandbox_load_pack(cx_sandbox *sb, const char *path, int *pack, cx_error *err);

/* The same from bytes in memory; path is only a name for messages. */
int cx__sandbox_load_buffer(cx_sandbox *sb, const char *path, const char *data, size_t len,
                            int *pack, cx_error *err);

/* Number of packs loaded, and a pack's path as given at load. */
int cx__sandbox_pack_count(const cx_sandbox *sb);
const char *cx__sandbox_pack_path(const cx_sandbox *sb, int pack);

/* The pack's declarations (a CX_TLIST of CX_TMAP {kind, value}), built when
 * the pack loaded. Owned by the sandbox; valid until cx__sandbox_free. */
const cx_tnode *cx__sandbox_pack_tree(const cx_sandbox *sb, int pack);

/* The tree of the pack's global name (for tests and tools). *out is owned
 * by the sandbox (valid until cx__sandbox_free); functions found are added
 * to the pack's registry. An undefined global is CX_EINPUT. */
int cx__sandbox_global_tree(cx_sandbox *sb, int pack, const char *name, const cx_tnode **out,
                            cx_error *err);

/* Number of functions in a pack's registry. */
int cx__sandbox_function_count(const cx_sandbox *sb, int pack);

/* ----------------------------------------------------------- decisions */

/* Starts a decision: resets every budget and sticky flag, seeds math.random
 * for each pack from seed and a hash of the pack's source (not its path,
 * so a replay from stored sources draws the same numbers), and ends the
 * life of earlier calls' results. */
void cx__sandbox_begin_decision(cx_sandbox *sb, uint64_t seed);

/* A seed from a decision's subject (FNV-1a over the bytes). */
uint64_t cx__sandbox_seed(const void *subject, size_t len);

/* Calls function (pack, ordinal) with nargs neutral values (tables become
 * fresh Lua tables; functions must belong to the same pack) through the one
 * protected entry. *result (may be NULL) is a CX_TLIST of the values
 * returned, owned by the sandbox until the next begin_decision. Errors as
 * for loads; once a limit tripped, every call fails until the next
 * begin_decision. */
int cx__sandbox_call(cx_sandbox *sb, int pack, int ordinal, const cx_tnode *const *args,
                     size_t nargs, const cx_tnode **result, cx_error *err);

/* The line where function (pack, ordinal) is written (Lua's linedefined),
 * or 0 when there is no such function. Runs no Lua code. */
int cx__sandbox_function_line(cx_sandbox *sb, int pack, int ordinal);

/* ------------------------------------ internal: for lua_api.c only */

struct lua_State;

/* Adds units of C work to the instruction count; trips the instruction
 * limit (a Lua error that does not return) when the budget is exceeded.
 * what names the work in the message ("string.rep"). */
void cx__sandbox_charge(struct lua_State *L, uint64_t units, const char *what);

/* Bytes the current load or decision may still allocate. */
size_t cx__sandbox_memory_left(struct lua_State *L);

/* Trips the memory limit for a C function that would allocate `want`
 * bytes (a Lua error; does not return). */
int cx__sandbox_memory_trip(struct lua_State *L, const char *what, size_t want);

/* The longest string rule code may make, and the trip for a C function
 * that would make a longer one (a Lua error; does not return). */
size_t cx__sandbox_string_max(struct lua_State *L);
int cx__sandbox_string_trip(struct lua_State *L, const char *what, size_t want);

/* Raises err from a C module as a Lua error: CX_ELIMIT trips a sticky
 * limit (so pcall cannot swallow it), anything else is a plain error. */
int cx__sandbox_raise(struct lua_State *L, const cx_error *err);

/* The running pack's math.random state (4 words), seeded for this decision. */
uint64_t *cx__sandbox_rng(struct lua_State *L);

/* One step of xoshiro256** (Lua 5.4's generator) over the state s[4]. */
uint64_t cx__sandbox_rng_next(uint64_t *s);

/* Reseeds the running pack's generator from (a, b). */
void cx__sandbox_rng_seed(struct lua_State *L, uint64_t a, uint64_t b);

/* Reseeds it as at the start of the decision (math.randomseed() without
 * arguments: never from the clock). */
void cx__sandbox_rng_default(struct lua_State *L);

/* Pushes the deterministic tostring of the value at idx (no addresses). */
void cx__sandbox_tostring(struct lua_State *L, int idx);

/* Fills the table at index `base` with the restricted string, table, math,
 * utf8, re and dates tables (raw, not yet frozen). Defined in lua_api.c. */
void cx__lua_open_libs(struct lua_State *L, int base);

#endif
