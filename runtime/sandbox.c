/*
 * sandbox.c -- a rule state and how rule code runs (docs/design.md §5): the
 * lua_State and its allocator, the counted limits (instructions, bytes
 * allocated, print lines) and their trips, the one protected entry, packs
 * and decisions. What a state contains is sandbox_lib.c; pack tables -> C
 * trees is sandbox_tree.c; the C functions rules call live in lua_api.c.
 * Must not read a clock, depend on table order or addresses, or let a Lua
 * error escape as anything but a cx_error.
 */
#include <lauxlib.h>
#include <lua.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox_int.h"

const char cx__sb_key_stamps, cx__sb_key_packs, cx__sb_key_globals, cx__sb_key_nextcache,
    cx__sb_key_mt_call;

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

uint64_t cx__sandbox_seed(const void *subject, size_t len)
{
    return fnv1a(0xcbf29ce484222325ull, subject, len);
}

/* "64 MiB", "512 KiB" or "1000 bytes". */
static void format_bytes(size_t n, char *buf, size_t size)
{
    if (n >= (1u << 20) && n % (1u << 20) == 0)
        snprintf(buf, size, "%zu MiB", n >> 20);
    else if (n >= 1024 && n % 1024 == 0)
        snprintf(buf, size, "%zu KiB", n >> 10);
    else
        snprintf(buf, size, "%zu bytes", n);
}

/* What Lua 5.4 prints for a "@path" chunk name (luaO_chunkid): the path,
 * or "..." and its tail when longer than LUA_IDSIZE allows. */
static void short_source(const char *chunkname, char out[LUA_IDSIZE])
{
    size_t len = strlen(chunkname); /* '@' included */
    if (len <= LUA_IDSIZE) {
        memcpy(out, chunkname + 1, len); /* the NUL too */
    } else {
        size_t keep = LUA_IDSIZE - 3;
        memcpy(out, "...", 3);
        memcpy(out + 3, chunkname + 1 + len - keep, keep);
    }
}

/* ------------------------------------------------------------ allocator */

/* Stops the decision when the cap on bytes allocated is reached: refuses
 * the allocation (Lua raises LUA_ERRMEM, which pcall could catch) and
 * sets the sticky trip, so the next VM instruction fails again. */
static void sb_arm(cx_sandbox *sb, int step);

static void alloc_tripped(cx_sandbox *sb, int kind)
{
    char limit[32];
    format_bytes(kind == TRIP_STRING ? sb->limits.string_bytes : sb->limits.memory, limit,
                 sizeof limit);
    sb->trip = kind;
    snprintf(sb->trip_message, sizeof sb->trip_message, "%s limit (%s) exceeded",
             kind == TRIP_STRING ? "string" : "memory", limit);
    cx__sb_locate(sb, sb->L, &sb->trip_where); /* reads the call stack only */
    sb_arm(sb, 1);
}

/* Counts bytes allocated, never the live heap: a free or a shrink never
 * fails and gives nothing back (LIBRARIES.md: ptr ? osize : 0). A new
 * object's osize is its type: strings longer than the string limit are
 * refused, since comparing or converting one costs its length inside a
 * single VM instruction the count hook cannot see. */
static void *sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    cx_sandbox *sb = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    if (!ptr && osize == LUA_TSTRING && sb->L &&
        nsize > sb->limits.string_bytes + SB_STRING_HEADER) {
        if (!sb->trip) alloc_tripped(sb, TRIP_STRING);
        return NULL;
    }
    if (nsize > old && sb->L) {
        size_t grow = nsize - old;
        size_t cap = sb->limits.memory + (sb->trip ? SB_RESERVE : 0);
        if (sb->allocated > cap || grow > cap - sb->allocated) {
            if (!sb->trip) alloc_tripped(sb, TRIP_MEMORY);
            return NULL;
        }
        sb->allocated += grow;
    }
    void *p = realloc(ptr, nsize);
    if (!p && nsize <= old) return ptr; /* a shrink that failed: keep the block */
    return p;
}

static int sb_panic(lua_State *L)
{
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "credex: unprotected Lua error in the sandbox: %s\n", msg ? msg : "?");
    abort();
}

/* ------------------------------------------------------------ locations */

const char *cx__sb_pack_chunk(const cx_sandbox *sb)
{
    return sb->current >= 0 ? sb->packs[sb->current].chunkname : NULL;
}

/* The innermost frame of the running pack's file, else (no pack running)
 * the innermost Lua frame. Reads lua_Debug only; never a message. */
void cx__sb_locate(cx_sandbox *sb, lua_State *L, sb_where *w)
{
    const char *chunk = cx__sb_pack_chunk(sb);
    lua_Debug ar;
    int found = 0;
    w->line = 0;
    w->file[0] = '\0';
    if (chunk) snprintf(w->file, sizeof w->file, "%s", sb->packs[sb->current].path);
    for (int level = 0; lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0) continue;
        if (chunk && strcmp(ar.source, chunk) == 0) {
            w->line = ar.currentline;
            return;
        }
        if (!chunk && !found) {
            snprintf(w->file, sizeof w->file, "%s", ar.short_src);
            w->line = ar.currentline;
            found = 1;
        }
    }
}

/* The line of the OUTERMOST frame of the running pack's file, or 0. */
int cx__sb_outer_line(cx_sandbox *sb, lua_State *L)
{
    const char *chunk = cx__sb_pack_chunk(sb);
    lua_Debug ar;
    int line = 0;
    if (!chunk) return 0;
    for (int level = 0; lua_getstack(L, level, &ar); level++) {
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0 && strcmp(ar.source, chunk) == 0)
            line = ar.currentline;
    }
    return line;
}

/* ----------------------------------------------------- limits and trips */

static void sb_hook(lua_State *L, lua_Debug *ar);

/* (Re)installs the count hook; also restarts its countdown, so that a
 * load or decision counts the same whatever ran before it. */
static void sb_arm(cx_sandbox *sb, int step)
{
    lua_sethook(sb->L, sb_hook, LUA_MASKCOUNT, step);
}

int cx__sb_raise_trip(lua_State *L)
{
    cx_sandbox *sb = sb_of(L);
    lua_pushstring(L, sb->trip_message);
    return lua_error(L);
}

/* Records a tripped limit: sticky, located, and re-armed so that the next
 * VM instruction of any pcall fails again. Does not raise. */
static void sb_trip(cx_sandbox *sb, lua_State *L, int kind, const char *fmt, ...) CX_PRINTF(4, 5);
static void sb_trip(cx_sandbox *sb, lua_State *L, int kind, const char *fmt, ...)
{
    va_list ap;
    if (sb->trip) return;
    sb->trip = kind;
    va_start(ap, fmt);
    vsnprintf(sb->trip_message, sizeof sb->trip_message, fmt, ap);
    va_end(ap);
    cx__sb_locate(sb, L, &sb->trip_where);
    sb_arm(sb, 1);
}

static void sb_hook(lua_State *L, lua_Debug *ar)
{
    cx_sandbox *sb = sb_of(L);
    (void)ar;
    if (!sb->trip) {
        sb->instructions += (uint64_t)sb->hook_step;
        if (sb->instructions <= sb->limits.instructions) return;
        sb_trip(sb, L, TRIP_INSTRUCTIONS, "instruction limit (%llu) exceeded",
                (unsigned long long)sb->limits.instructions);
    }
    cx__sb_raise_trip(L);
}

void cx__sandbox_charge(lua_State *L, uint64_t units, const char *what)
{
    cx_sandbox *sb = sb_of(L);
    if (!sb->trip) {
        uint64_t left = sb->limits.instructions - (sb->instructions < sb->limits.instructions
                                                       ? sb->instructions
                                                       : sb->limits.instructions);
        if (units <= left) {
            sb->instructions += units;
            return;
        }
        sb->instructions = sb->limits.instructions + 1;
        sb_trip(sb, L, TRIP_INSTRUCTIONS, "instruction limit (%llu) exceeded in %s",
                (unsigned long long)sb->limits.instructions, what);
    }
    cx__sb_raise_trip(L);
}

size_t cx__sandbox_memory_left(lua_State *L)
{
    cx_sandbox *sb = sb_of(L);
    if (sb->trip || sb->allocated >= sb->limits.memory) return 0;
    return sb->limits.memory - sb->allocated;
}

int cx__sandbox_memory_trip(lua_State *L, const char *what, size_t want)
{
    cx_sandbox *sb = sb_of(L);
    char limit[32];
    format_bytes(sb->limits.memory, limit, sizeof limit);
    sb_trip(sb, L, TRIP_MEMORY, "memory limit (%s) exceeded: %s would allocate %zu bytes", limit,
            what, want);
    return cx__sb_raise_trip(L);
}

size_t cx__sandbox_string_max(lua_State *L)
{
    return sb_of(L)->limits.string_bytes;
}

int cx__sandbox_string_trip(lua_State *L, const char *what, size_t want)
{
    cx_sandbox *sb = sb_of(L);
    char limit[32];
    format_bytes(sb->limits.string_bytes, limit, sizeof limit);
    sb_trip(sb, L, TRIP_STRING, "string limit (%s) exceeded: %s would make %zu bytes", limit, what,
            want);
    return cx__sb_raise_trip(L);
}

int cx__sandbox_raise(lua_State *L, const cx_error *err)
{
    cx_sandbox *sb = sb_of(L);
    if (err->code == CX_ELIMIT) {
        sb_trip(sb, L, TRIP_REGEX, "%s", err->message);
        return cx__sb_raise_trip(L);
    }
    return luaL_error(L, "%s", err->message);
}

/* ----------------------------------------------------------- math.random */

static uint64_t rotl64(uint64_t x, int n)
{
    return (x << n) | (x >> (64 - n));
}

uint64_t cx__sandbox_rng_next(uint64_t *s)
{
    uint64_t result = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

static uint64_t *running_rng(cx_sandbox *sb)
{
    return sb->current >= 0 ? sb->packs[sb->current].rng : sb->rng;
}

static void rng_seed(uint64_t s[4], uint64_t a, uint64_t b)
{
    s[0] = a;
    s[1] = 0xff; /* never an all-zero state */
    s[2] = b;
    s[3] = 0;
    for (int i = 0; i < 16; i++) cx__sandbox_rng_next(s); /* spread the seed, as Lua does */
}

uint64_t *cx__sandbox_rng(lua_State *L)
{
    return running_rng(sb_of(L));
}

void cx__sandbox_rng_seed(lua_State *L, uint64_t a, uint64_t b)
{
    rng_seed(running_rng(sb_of(L)), a, b);
}

void cx__sandbox_rng_default(lua_State *L)
{
    cx_sandbox *sb = sb_of(L);
    uint64_t hash = sb->current >= 0 ? sb->packs[sb->current].source_hash : 0;
    rng_seed(running_rng(sb), sb->seed, hash);
}

/* --------------------------------------------------- the protected entry */

/* The message handler: records where the error was raised (a tripped
 * limit recorded its own place). Runs no Lua code. */
static int sb_msgh(lua_State *L)
{
    cx_sandbox *sb = sb_of(L);
    if (!sb->trip) cx__sb_locate(sb, L, &sb->err_where);
    if (!sb->trip && sb->error_line) sb->err_where.line = sb->error_line;
    sb->error_line = 0;
    return 1;
}

/* Finds, in the metatable set at idx, one that gained __mode after it was
 * given to setmetatable; returns the smallest such line, or -1. */
static int weak_metatable_line(lua_State *L, int idx)
{
    int line = -1;
    idx = lua_absindex(L, idx);
    if (lua_type(L, idx) != LUA_TTABLE) return -1;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pushliteral(L, "__mode");
        if (lua_rawget(L, -3) != LUA_TNIL) {
            int l = (int)lua_tointeger(L, -2);
            if (line < 0 || l < line) line = l;
        }
        lua_pop(L, 2);
    }
    return line;
}

static int check_metatables(cx_sandbox *sb, lua_State *L, cx_error *err)
{
    int line = -1;
    if (sb->current < 0) return CX_OK;
    if (!sb->packs[sb->current].nmetatables && !sb->call_metatables) return CX_OK;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &K_PACKS);
    lua_rawgeti(L, -1, sb->current + 1);
    lua_rawgeti(L, -1, P_METATABLES);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &K_MT_CALL);
    int a = weak_metatable_line(L, -2), b = weak_metatable_line(L, -1);
    lua_pop(L, 4);
    line = a < 0 ? b : (b < 0 || a < b ? a : b);
    if (line < 0) return CX_OK;
    return cx__error(err, CX_EINPUT, sb->packs[sb->current].path, line, 0,
                     "__mode was added to a metatable after setmetatable: weak tables are not "
                     "allowed in rule code");
}

static int sb_trampoline(lua_State *L)
{
    sb_job *job = lua_touserdata(L, 1);
    lua_settop(L, 0);
    job->rc = job->body(L, job);
    if (job->rc == CX_OK) job->rc = check_metatables(job->sb, L, job->err);
    return 0;
}

/* Drops the "file:line: " Lua put in front of a message, when it names a
 * chunk of ours. The location itself comes from lua_Debug, never from here. */
static const char *strip_position(const cx_sandbox *sb, const char *msg)
{
    const char *p = NULL;
    if (sb->current >= 0) {
        const char *src = sb->packs[sb->current].short_src;
        size_t n = strlen(src);
        if (strncmp(msg, src, n) == 0 && msg[n] == ':') p = msg + n + 1;
    }
    if (!p && strncmp(msg, "stdlib/", 7) == 0 && (p = strchr(msg, ':'))) p++;
    if (!p || *p < '0' || *p > '9') return msg;
    while (*p >= '0' && *p <= '9') p++;
    return p[0] == ':' && p[1] == ' ' ? p + 2 : msg;
}

/* When no frame of the pack was on the stack (its function tail-called
 * the stdlib or a C function), a call's errors cite the line where the
 * called function is defined. */
static void fallback_line(cx_sandbox *sb, lua_State *L, sb_where *w)
{
    lua_Debug ar;
    if (w->line || sb->calling < 0 || sb->current < 0) return;
    lua_rawgeti(L, LUA_REGISTRYINDEX, sb->packs[sb->current].funcs_ref);
    if (lua_rawgeti(L, -1, sb->calling + 1) == LUA_TFUNCTION && lua_getinfo(L, ">S", &ar) &&
        ar.linedefined > 0)
        w->line = ar.linedefined;
    else
        lua_pop(L, 1);
    lua_pop(L, 1);
}

/* Turns the outcome of a protected call into job->rc and job->err. */
static int sb_result(cx_sandbox *sb, lua_State *L, int status, sb_job *job)
{
    sb_where *w = &sb->err_where;
    fallback_line(sb, L, sb->trip ? &sb->trip_where : w);
    if (sb->trip)
        return cx__error(job->err, CX_ELIMIT, sb->trip_where.file, sb->trip_where.line, 0, "%s",
                         sb->trip_message);
    if (status == LUA_OK) return job->rc;
    if (!w->file[0] && sb->current >= 0) /* no Lua frame was found */
        snprintf(w->file, sizeof w->file, "%s", sb->packs[sb->current].path);
    if (status == LUA_ERRMEM)
        return cx__error(job->err, CX_ENOMEM, w->file, w->line, 0, "out of memory");
    if (!lua_isstring(L, -1)) /* a string or a number */
        return cx__error(job->err, CX_EINPUT, w->file, w->line, 0, "error object is a %s value",
                         luaL_typename(L, -1));
    const char *msg = strip_position(sb, lua_tostring(L, -1));
    int code = CX_EINPUT;
    if (status == LUA_ERRERR || strcmp(msg, "stack overflow") == 0 ||
        strcmp(msg, "C stack overflow") == 0)
        code = CX_ELIMIT; /* Lua's own stack limits */
    return cx__error(job->err, code, w->file, w->line, 0, "%s", msg);
}

/* THE protected entry: every call into Lua goes through here. */
static int sb_protected(cx_sandbox *sb, sb_job *job)
{
    lua_State *L = sb->L;
    int top = lua_gettop(L);
    job->sb = sb;
    job->rc = CX_OK;
    sb->err_where.line = 0;
    sb->err_where.file[0] = '\0';
    sb->error_line = 0;
    if (sb->next_cache) { /* a fresh next() cache for this call */
        lua_pushboolean(L, 0);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &K_NEXTCACHE);
        sb->next_cache = 0;
    }
    lua_pushcfunction(L, sb_msgh);
    lua_pushcfunction(L, sb_trampoline);
    lua_pushlightuserdata(L, job);
    int status = lua_pcall(L, 1, 0, top + 1);
    int rc = sb_result(sb, L, status, job);
    lua_settop(L, top);
    return rc;
}

/* Resets every budget and the sticky trip: a load or a decision starts. */
static void sb_reset(cx_sandbox *sb)
{
    sb->instructions = 0;
    sb->allocated = 0;
    sb->printed = 0;
    sb->trip = TRIP_NONE;
    sb->trip_message[0] = '\0';
    sb_arm(sb, sb->hook_step);
}

/* ------------------------------------------------------------ lifecycle */

static void resolve_limits(cx_sandbox *sb, const cx_sandbox_limits *limits)
{
    cx_sandbox_limits l = {0, 0, 0, 0};
    if (limits) l = *limits;
    sb->limits.instructions = l.instructions ? l.instructions : CX_SANDBOX_INSTRUCTIONS;
    sb->limits.memory = l.memory ? l.memory : CX_SANDBOX_MEMORY;
    sb->limits.print_lines = l.print_lines ? l.print_lines : CX_SANDBOX_PRINT_LINES;
    sb->limits.string_bytes = l.string_bytes ? l.string_bytes : CX_SANDBOX_STRING;
    uint64_t step = sb->limits.instructions / 100;
    sb->hook_step = step >= 1000 ? 1000 : step ? (int)step : 1;
}

int cx__sandbox_new(const cx_sandbox_limits *limits, cx_sandbox_print_fn print, void *print_ud,
                    cx_sandbox **out, cx_error *err)
{
    cx_sandbox *sb = calloc(1, sizeof *sb);
    sb_job job = {NULL, cx__sb_open_body, err, CX_OK};
    int rc;
    *out = NULL;
    if (!sb) return cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory creating the sandbox");
    resolve_limits(sb, limits);
    sb->print = print;
    sb->print_ud = print_ud;
    sb->current = -1;
    sb->calling = -1;
    rng_seed(sb->rng, 0, 0);
    lua_State *L = lua_newstate(sb_alloc, sb);
    if (!L) {
        free(sb);
        return cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory creating the sandbox");
    }
    *(cx_sandbox **)lua_getextraspace(L) = sb;
    lua_atpanic(L, sb_panic);
    sb->L = L;
    sb_reset(sb);
    lua_pushcfunction(L, cx__sb_missing_registry);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        cx__sandbox_free(sb);
        return cx__error(err, CX_ENOMEM, "", 0, 0, "out of memory creating the sandbox");
    }
    rc = sb_protected(sb, &job);
    if (rc != CX_OK) {
        cx__sandbox_free(sb);
        return rc;
    }
    *out = sb;
    return CX_OK;
}

void cx__sandbox_free(cx_sandbox *sb)
{
    if (!sb) return;
    if (sb->L) lua_close(sb->L);
    for (int i = 0; i < sb->npacks; i++) {
        free(sb->packs[i].path);
        free(sb->packs[i].chunkname);
    }
    free(sb->packs);
    cx__sb_pool_free(&sb->trees);
    cx__sb_pool_free(&sb->results);
    free(sb);
}

int cx__sandbox_pack_count(const cx_sandbox *sb)
{
    return sb->npacks;
}

const char *cx__sandbox_pack_path(const cx_sandbox *sb, int pack)
{
    return pack >= 0 && pack < sb->npacks ? sb->packs[pack].path : NULL;
}

const cx_tnode *cx__sandbox_pack_tree(const cx_sandbox *sb, int pack)
{
    return pack >= 0 && pack < sb->npacks ? sb->packs[pack].tree : NULL;
}

int cx__sandbox_function_count(const cx_sandbox *sb, int pack)
{
    return pack >= 0 && pack < sb->npacks ? sb->packs[pack].nfuncs : 0;
}

/* ---------------------------------------------------------------- packs */

typedef struct load_job {
    sb_job job;
    const char *data; /* the pack's source */
    size_t len;
    int pack; /* its index */
} load_job;

/* Pushes a new pack table for pack and stores it in K_PACKS. */
static void push_pack_table(lua_State *L, int pack)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &K_PACKS);
    lua_createtable(L, P_METATABLES, 0);
    lua_newtable(L); /* the environment: reads fall through to the globals */
    lua_createtable(L, 0, 2);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &K_GLOBALS);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_rawseti(L, -2, P_ENV);
    for (int field = P_STATE; field <= P_METATABLES; field++) {
        lua_newtable(L);
        lua_rawseti(L, -2, field);
    }
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, pack + 1);
    lua_remove(L, -2);
}

/* Whether line (1-based) of src holds code: not blank, not only a comment. */
static int code_line(const char *src, size_t n, int line, const char **start)
{
    size_t i = 0;
    for (int at = 1; at < line && i < n; i++)
        if (src[i] == '\n') at++;
    while (i < n && (src[i] == ' ' || src[i] == '\t' || src[i] == '\r')) i++;
    *start = src + i;
    return i < n && src[i] != '\n' && !(src[i] == '-' && i + 1 < n && src[i + 1] == '-');
}

/* The hint for the commonest slip in a pack, a missing ',' between the
 * fields of a table (or the arguments of a call): Lua says "'}' expected
 * (to close '{' at line 3) near 'requires'" at the next field's line.
 * Writes " (a ',' may be missing ...)" into hint when msg is such an error
 * near a name or a string, else "". */
static void comma_hint(const char *msg, int line, const char *src, size_t n, char *hint,
                       size_t size)
{
    const char *near = strstr(msg, " near '"), *start;
    hint[0] = '\0';
    if (!near || line < 1 ||
        (strncmp(msg, "'}' expected", 12) != 0 && strncmp(msg, "')' expected", 12) != 0))
        return;
    near += 7; /* the token, as Lua quotes it: a name, or a string with its quotes */
    size_t len = strlen(near) - 1;
    if (!(near[0] == '_' || near[0] == '"' || near[0] == '\'' ||
          ((near[0] | 32) >= 'a' && (near[0] | 32) <= 'z')))
        return;
    if (code_line(src, n, line, &start) && strncmp(start, near, len) != 0) {
        snprintf(hint, size, " (a ',' may be missing before '%.*s' on line %d)", (int)len, near,
                 line);
        return;
    }
    for (int before = line - 1; before > 0; before--)
        if (code_line(src, n, before, &start)) {
            snprintf(hint, size, " (a ',' may be missing at the end of line %d)", before);
            return;
        }
}

/* A syntax error: Lua gives its line only in the message, after the
 * chunk's short name -- the one place a line is read from a message. */
static int syntax_error(cx_sandbox *sb, lua_State *L, int pack, const char *src, size_t srclen,
                        cx_error *err)
{
    char hint[96];
    const sb_pack *p = &sb->packs[pack];
    const char *msg = lua_tostring(L, -1), *q;
    size_t n = strlen(p->short_src);
    int line = 0;
    if (!msg) msg = "syntax error";
    if (strncmp(msg, p->short_src, n) == 0 && msg[n] == ':' && msg[n + 1] >= '0' &&
        msg[n + 1] <= '9') {
        for (q = msg + n + 1; *q >= '0' && *q <= '9'; q++) line = line * 10 + (*q - '0');
        if (q[0] == ':' && q[1] == ' ')
            msg = q + 2;
        else
            line = 0;
    }
    comma_hint(msg, line, src, srclen, hint, sizeof hint);
    return cx__error(err, CX_EINPUT, p->path, line, 0, "%s%s", msg, hint);
}

/* Where source nests brackets deepest: the line at which ( { [ first
 * reach their deepest, skipping strings and comments (short and long).
 * Lua's parser reports running out of C levels without a position; a pack
 * that does is nearly always brackets nested hundreds deep. */
static int deepest_line(const char *src, size_t n)
{
    int depth = 0, best = 0, line = 1, at = 0;
    for (size_t i = 0; i < n; i++) {
        char c = src[i];
        size_t eq = 0;
        if (c == '\n') {
            line++;
        } else if (c == '"' || c == '\'') { /* a short string */
            for (i++; i < n && src[i] != c && src[i] != '\n'; i++)
                if (src[i] == '\\' && i + 1 < n && src[++i] == '\n') line++;
            if (i < n && src[i] == '\n') i--; /* unterminated: the newline is counted next */
        } else if (c == '-' && i + 1 < n && src[i + 1] == '-') { /* a comment */
            i += 2;
            while (i + 1 + eq < n && src[i + 1 + eq] == '=') eq++;
            if (i < n && src[i] == '[' && i + 1 + eq < n && src[i + 1 + eq] == '[')
                c = '['; /* a long comment: skipped as a long string below */
            else {
                while (i < n && src[i] != '\n') i++;
                i--;
                continue;
            }
        }
        if (c == '[') { /* a long string [[ ]] or [==[ ]==], else a bracket */
            eq = 0;
            while (i + 1 + eq < n && src[i + 1 + eq] == '=') eq++;
            if (i + 1 + eq < n && src[i + 1 + eq] == '[') {
                for (i += eq + 2; i < n; i++) {
                    if (src[i] == '\n') line++;
                    size_t k = 0;
                    if (src[i] != ']') continue;
                    while (i + 1 + k < n && src[i + 1 + k] == '=') k++;
                    if (k == eq && i + 1 + k < n && src[i + 1 + k] == ']') {
                        i += k + 1;
                        break;
                    }
                }
                continue;
            }
        }
        if (c == '(' || c == '{' || c == '[') {
            if (++depth > best) {
                best = depth;
                at = line;
            }
        } else if ((c == ')' || c == '}' || c == ']') && depth > 0) {
            depth--;
        }
    }
    return at;
}

static int load_body(lua_State *L, sb_job *job)
{
    load_job *lj = (load_job *)job;
    cx_sandbox *sb = job->sb;
    sb_pack *p = &sb->packs[lj->pack];
    sb_tree tb = {sb, lj->pack, &sb->trees, 0, 1, job->err};
    push_pack_table(L, lj->pack); /* 1 */
    lua_rawgeti(L, 1, P_FUNCS);   /* a fast path to it, for calls */
    p->funcs_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    int status = luaL_loadbufferx(L, lj->data, lj->len, p->chunkname, "t");
    if (status == LUA_ERRSYNTAX) return syntax_error(sb, L, lj->pack, lj->data, lj->len, job->err);
    if (status != LUA_OK && lua_isstring(L, -1) &&
        strcmp(lua_tostring(L, -1), "C stack overflow") == 0) /* the parser's own limit */
        return cx__error(job->err, CX_ELIMIT, p->path, deepest_line(lj->data, lj->len), 0, "%s",
                         "nesting too deep: brackets, calls or blocks nested past "
                         "what Lua's parser allows (about 200 levels)");
    if (status != LUA_OK) lua_error(L);
    lua_rawgeti(L, 1, P_ENV);
    lua_setupvalue(L, -2, 1);
    sb->loading = 1;
    lua_call(L, 0, 0);
    sb->loading = 0;
    lua_newtable(L); /* 2: memo */
    tb.memo = 2;
    lua_rawgeti(L, 1, P_DECLS);
    p->tree = cx__sb_tree_value(&tb, L, -1, 1, 0);
    if (!p->tree) return job->err->code;
    lua_rawgeti(L, 1, P_ENV);
    cx__sb_freeze_env(L, lua_gettop(L));
    return CX_OK;
}

static int add_pack(cx_sandbox *sb, const char *path, const char *data, size_t len)
{
    if (sb->npacks == sb->cap) {
        int cap = sb->cap ? sb->cap * 2 : 8;
        sb_pack *packs = realloc(sb->packs, (size_t)cap * sizeof *packs);
        if (!packs) return -1;
        sb->packs = packs;
        sb->cap = cap;
    }
    sb_pack *p = &sb->packs[sb->npacks];
    memset(p, 0, sizeof *p);
    p->path = cx__strdup(path);
    p->chunkname = malloc(strlen(path) + 2);
    if (!p->path || !p->chunkname) {
        free(p->path);
        free(p->chunkname);
        return -1;
    }
    p->funcs_ref = LUA_NOREF;
    p->chunkname[0] = '@';
    strcpy(p->chunkname + 1, path);
    short_source(p->chunkname, p->short_src);
    p->source_hash = cx__sandbox_seed(data, len);
    rng_seed(p->rng, 0, p->source_hash);
    return 0;
}

/* Forgets a pack whose load failed (K_PACKS entry, names). */
static void drop_pack(cx_sandbox *sb, int pack)
{
    lua_State *L = sb->L;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &K_PACKS);
    if (lua_rawgeti(L, -1, pack + 1) != LUA_TNIL) {
        lua_pushnil(L);
        lua_rawseti(L, -3, pack + 1);
    }
    lua_pop(L, 2);
    luaL_unref(L, LUA_REGISTRYINDEX, sb->packs[pack].funcs_ref);
    free(sb->packs[pack].path);
    free(sb->packs[pack].chunkname);
}

int cx__sandbox_load_buffer(cx_sandbox *sb, const char *path, const char *data, size_t len,
                            int *pack, cx_error *err)
{
    load_job lj = {{NULL, load_body, err, CX_OK}, data, len, sb->npacks};
    if (pack) *pack = -1;
    if (add_pack(sb, path, data, len) < 0)
        return cx__error(err, CX_ENOMEM, path, 0, 0, "out of memory loading the pack");
    sb_reset(sb);
    sb->current = lj.pack;
    int rc = sb_protected(sb, &lj.job);
    sb->loading = 0;
    sb->current = -1;
    if (rc != CX_OK) {
        drop_pack(sb, lj.pack);
        return rc;
    }
    sb->npacks++;
    if (pack) *pack = lj.pack;
    return CX_OK;
}

int cx__sandbox_load_pack(cx_sandbox *sb, const char *path, int *pack, cx_error *err)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    size_t len = 0, cap = 0, got;
    int rc;
    if (pack) *pack = -1;
    if (!f)
        return cx__error(err, CX_EINPUT, path, 0, 0, "cannot open the pack: %s", strerror(errno));
    do {
        if (len == cap) {
            char *more = cap < sb->limits.memory ? realloc(data, cap ? cap * 2 : 8192) : NULL;
            if (!more) {
                fclose(f);
                free(data);
                return cx__error(err, cap < sb->limits.memory ? CX_ENOMEM : CX_EINPUT, path, 0, 0,
                                 "the pack is larger than the memory limit");
            }
            data = more;
            cap = cap ? cap * 2 : 8192;
        }
        got = fread(data + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    rc = ferror(f) ? cx__error(err, CX_EINPUT, path, 0, 0, "cannot read the pack") : CX_OK;
    fclose(f);
    if (rc == CX_OK) rc = cx__sandbox_load_buffer(sb, path, data, len, pack, err);
    free(data);
    return rc;
}

typedef struct global_job {
    sb_job job;
    int pack;
    const char *name;
    const cx_tnode *out;
} global_job;

static int global_body(lua_State *L, sb_job *job)
{
    global_job *gj = (global_job *)job;
    cx_sandbox *sb = job->sb;
    sb_tree tb = {sb, gj->pack, &sb->trees, 0, 1, job->err};
    lua_newtable(L); /* 1: memo */
    tb.memo = 1;
    cx__sb_push_pack_field(sb, L, P_ENV);
    cx__sb_push_real(L, -1);
    if (lua_getfield(L, -1, gj->name) == LUA_TNIL) /* raw: the pack's own, or a shared one */
        return cx__error(job->err, CX_EINPUT, sb->packs[gj->pack].path, 0, 0,
                         "undefined global '%s'", gj->name);
    gj->out = cx__sb_tree_value(&tb, L, -1, 0, 0);
    return gj->out ? CX_OK : job->err->code;
}

int cx__sandbox_global_tree(cx_sandbox *sb, int pack, const char *name, const cx_tnode **out,
                            cx_error *err)
{
    global_job gj = {{NULL, global_body, err, CX_OK}, pack, name, NULL};
    *out = NULL;
    if (pack < 0 || pack >= sb->npacks)
        return cx__error(err, CX_EUSAGE, "", 0, 0, "no pack %d in the sandbox", pack);
    sb->current = pack;
    int rc = sb_protected(sb, &gj.job);
    sb->current = -1;
    if (rc == CX_OK) *out = gj.out;
    return rc;
}

/* ------------------------------------------------------------ decisions */

void cx__sandbox_begin_decision(cx_sandbox *sb, uint64_t seed)
{
    lua_State *L = sb->L;
    sb_reset(sb);
    sb->seed = seed;
    for (int i = 0; i < sb->npacks; i++) rng_seed(sb->packs[i].rng, seed, sb->packs[i].source_hash);
    lua_pushboolean(L, 0); /* the decision's metatables: forgotten */
    lua_rawsetp(L, LUA_REGISTRYINDEX, &K_MT_CALL);
    sb->call_metatables = 0;
    cx__sb_pool_reset(&sb->results);
}

typedef struct call_job {
    sb_job job;
    int pack, ordinal;
    const cx_tnode *const *args;
    size_t nargs;
    const cx_tnode *result;
} call_job;

static int call_body(lua_State *L, sb_job *job)
{
    call_job *cj = (call_job *)job;
    cx_sandbox *sb = job->sb;
    sb_tree tb = {sb, cj->pack, &sb->results, 0, 0, job->err};
    luaL_checkstack(L, (int)cj->nargs + 8, "arguments");
    lua_pushnil(L); /* 1: memo, made when a table comes */
    lua_rawgeti(L, LUA_REGISTRYINDEX, sb->packs[cj->pack].funcs_ref);
    if (lua_rawgeti(L, -1, cj->ordinal + 1) != LUA_TFUNCTION)
        return cx__error(job->err, CX_EUSAGE, sb->packs[cj->pack].path, 0, 0,
                         "no function %d in the pack", cj->ordinal);
    lua_remove(L, 2); /* 2: the function */
    for (size_t i = 0; i < cj->nargs; i++) cx__sb_push_node(L, 1, cj->pack, cj->args[i], 0);
    lua_call(L, (int)cj->nargs, LUA_MULTRET);
    int nres = lua_gettop(L) - 1;
    cx_tnode *list = cx__sb_pool_alloc(tb.pool, sizeof *list);
    const cx_tnode **items = nres ? cx__sb_pool_alloc(tb.pool, (size_t)nres * sizeof *items) : NULL;
    if (!list || (nres && !items)) return cx__error(job->err, CX_ENOMEM, "", 0, 0, "out of memory");
    memset(list, 0, sizeof *list);
    list->kind = CX_TLIST;
    list->file = sb->packs[cj->pack].path;
    lua_pushnil(L); /* memo for the results, made when a table comes */
    tb.memo = lua_gettop(L);
    for (int i = 0; i < nres; i++)
        if (!(items[i] = cx__sb_tree_value(&tb, L, i + 2, 0, 0))) return job->err->code;
    list->as.table.items = items;
    list->as.table.nitems = (size_t)nres;
    cj->result = list;
    return CX_OK;
}

int cx__sandbox_call(cx_sandbox *sb, int pack, int ordinal, const cx_tnode *const *args,
                     size_t nargs, const cx_tnode **result, cx_error *err)
{
    call_job cj = {{NULL, call_body, err, CX_OK}, pack, ordinal, args, nargs, NULL};
    if (result) *result = NULL;
    if (pack < 0 || pack >= sb->npacks)
        return cx__error(err, CX_EUSAGE, "", 0, 0, "no pack %d in the sandbox", pack);
    if (sb->trip) /* sticky: nothing more runs in this decision */
        return cx__error(err, CX_ELIMIT, sb->trip_where.file, sb->trip_where.line, 0, "%s",
                         sb->trip_message);
    sb->current = pack;
    sb->calling = ordinal;
    int rc = sb_protected(sb, &cj.job);
    sb->current = -1;
    sb->calling = -1;
    if (rc == CX_OK && result) *result = cj.result;
    return rc;
}

int cx__sandbox_function_line(cx_sandbox *sb, int pack, int ordinal)
{
    lua_State *L = sb->L;
    lua_Debug ar;
    int line = 0;
    if (pack < 0 || pack >= sb->npacks || !lua_checkstack(L, 2)) return 0;
    lua_rawgeti(L, LUA_REGISTRYINDEX, sb->packs[pack].funcs_ref); /* the pack's functions */
    if (lua_rawgeti(L, -1, ordinal + 1) == LUA_TFUNCTION && lua_getinfo(L, ">S", &ar))
        line = ar.linedefined; /* getinfo popped the function */
    else
        lua_pop(L, 1);
    lua_pop(L, 1); /* the functions */
    return line > 0 ? line : 0;
}
