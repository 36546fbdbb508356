/*
 * sandbox_tree.c -- the neutral C tree (cx_tnode) both ways: pack tables
 * and call results -> nodes in pooled blocks, and nodes -> fresh Lua
 * values for call arguments. Tables are read in sorted key order, never
 * by address; nothing here runs rule code.
 */
#include <lauxlib.h>
#include <lua.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox_int.h"

/* ------------------------------------------------------------ node pools */

/* size bytes, aligned; NULL when out of memory. Freed by cx__sb_pool_reset or
 * cx__sb_pool_free, never one by one. */
void *cx__sb_pool_alloc(sb_pool *p, size_t size)
{
    size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    for (;;) {
        sb_block *b = p->cur;
        if (b && b->size - b->used >= size) {
            void *out = (char *)b->data + b->used;
            b->used += size;
            return out;
        }
        if (b && b->next) { /* a block kept by the last reset */
            p->cur = b->next;
            p->cur->used = 0;
            continue;
        }
        size_t bytes = size > POOL_BLOCK ? size : POOL_BLOCK;
        sb_block *nb = malloc(sizeof *nb + bytes);
        if (!nb) return NULL;
        nb->next = NULL;
        nb->size = bytes;
        nb->used = 0;
        if (b)
            b->next = nb;
        else
            p->first = nb;
        p->cur = nb;
    }
}

static char *pool_strndup(sb_pool *p, const char *s, size_t n)
{
    char *out = cx__sb_pool_alloc(p, n + 1);
    if (!out) return NULL;
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}

static void pool_free_from(sb_block *b)
{
    while (b) {
        sb_block *next = b->next;
        free(b);
        b = next;
    }
}

/* Everything allocated becomes invalid; the first POOL_KEEP bytes of
 * blocks are kept for reuse. */
void cx__sb_pool_reset(sb_pool *p)
{
    size_t kept = 0;
    sb_block *b = p->first;
    for (; b && b->next && kept + b->size + b->next->size <= POOL_KEEP; b = b->next)
        kept += b->size;
    if (b) {
        pool_free_from(b->next);
        b->next = NULL;
    }
    p->cur = p->first;
    if (p->cur) p->cur->used = 0;
}

void cx__sb_pool_free(sb_pool *p)
{
    pool_free_from(p->first);
    p->first = p->cur = NULL;
}

/* ------------------------------------------------------- neutral trees */
static const char *tree_file(const sb_tree *tb)
{
    return tb->sb->packs[tb->pack].path;
}

static const cx_tnode *tree_fail(sb_tree *tb, int code, int line, const char *fmt, ...)
    CX_PRINTF(4, 5);
static const cx_tnode *tree_fail(sb_tree *tb, int code, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cx__verror(tb->err, code, tree_file(tb), line, 0, fmt, ap);
    va_end(ap);
    return NULL;
}

static cx_tnode *tree_node(sb_tree *tb, cx_tkind kind, int line)
{
    cx_tnode *n = cx__sb_pool_alloc(tb->pool, sizeof *n);
    if (!n) return NULL;
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->line = line;
    n->file = tree_file(tb);
    return n;
}

/* The ordinal of the function at idx in the pack's registry, added when
 * new. */
static int tree_ordinal(sb_tree *tb, lua_State *L, int idx)
{
    sb_pack *p = &tb->sb->packs[tb->pack];
    int ordinal;
    idx = lua_absindex(L, idx);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &K_PACKS);
    lua_rawgeti(L, -1, tb->pack + 1);
    lua_rawgeti(L, -1, P_FIDX);
    lua_pushvalue(L, idx);
    if (lua_rawget(L, -2) == LUA_TNUMBER) {
        ordinal = (int)lua_tointeger(L, -1);
    } else {
        ordinal = p->nfuncs++;
        lua_pushvalue(L, idx); /* fidx[f] = ordinal */
        lua_pushinteger(L, ordinal);
        lua_rawset(L, -4);
        lua_rawgeti(L, -3, P_FUNCS); /* funcs[ordinal + 1] = f */
        lua_pushvalue(L, idx);
        lua_rawseti(L, -2, ordinal + 1);
        lua_pop(L, 1);
    }
    lua_pop(L, 4);
    return ordinal;
}

/* Counts the keys of the real table at idx: 1..n in *nitems, strings in
 * *nfields; any other key, or a hole, is an error (returns -1). */
static int tree_count_keys(sb_tree *tb, lua_State *L, int idx, int line, size_t *nitems,
                           size_t *nfields)
{
    lua_Integer nint = 0, max = 0;
    *nitems = *nfields = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING) {
            (*nfields)++;
        } else if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1) {
            nint++;
            if (lua_tointeger(L, -1) > max) max = lua_tointeger(L, -1);
        } else {
            const char *what = lua_type(L, -1) == LUA_TNUMBER ? "number" : luaL_typename(L, -1);
            cx__sandbox_tostring(L, -1);
            tree_fail(tb, CX_EINPUT, line,
                      "a rule table cannot have the key %s (a %s): keys are 1..n or strings",
                      lua_tostring(L, -1), what);
            lua_pop(L, 2);
            return -1;
        }
    }
    if (nint != max) {
        lua_Integer hole = 1;
        while (lua_rawgeti(L, idx, hole) != LUA_TNIL) {
            lua_pop(L, 1);
            hole++;
        }
        lua_pop(L, 1);
        tree_fail(tb, CX_EINPUT, line,
                  "a rule table's list has a hole at [%lld] (keys are 1..n or strings)",
                  (long long)hole);
        return -1;
    }
    *nitems = (size_t)nint;
    return 0;
}

static int compare_fields(const void *pa, const void *pb)
{
    const cx_tfield *a = pa, *b = pb;
    size_t n = a->keylen < b->keylen ? a->keylen : b->keylen;
    int c = memcmp(a->key, b->key, n);
    if (c) return c;
    return a->keylen < b->keylen ? -1 : a->keylen > b->keylen;
}

/* Fills node's fields from the string keys of the real table at idx,
 * sorted, with their values converted. */
static int tree_fields(sb_tree *tb, lua_State *L, int idx, cx_tnode *node, size_t n, int depth)
{
    cx_tfield *fields = n ? cx__sb_pool_alloc(tb->pool, n * sizeof *fields) : NULL;
    size_t i = 0;
    if (n && !fields) return -1;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING) continue;
        size_t len;
        const char *key = lua_tolstring(L, -1, &len);
        fields[i].key = pool_strndup(tb->pool, key, len);
        fields[i].keylen = len;
        if (!fields[i].key) {
            lua_pop(L, 1);
            return -1;
        }
        i++;
    }
    if (n) qsort(fields, n, sizeof *fields, compare_fields);
    for (i = 0; i < n; i++) { /* values in key order: ordinals follow it */
        lua_pushlstring(L, fields[i].key, fields[i].keylen);
        lua_rawget(L, idx);
        fields[i].value = cx__sb_tree_value(tb, L, -1, node->line, depth + 1);
        lua_pop(L, 1);
        if (!fields[i].value) return -1;
    }
    node->as.table.fields = fields;
    node->as.table.nfields = n;
    return 0;
}

static const cx_tnode *tree_table(sb_tree *tb, lua_State *L, int idx, int line, int depth)
{
    size_t nitems, nfields;
    const cx_tnode **items = NULL;
    cx_tnode *node = NULL;
    int top = lua_gettop(L);
    if (lua_isnil(L, tb->memo)) { /* made when first needed */
        lua_newtable(L);
        lua_replace(L, tb->memo);
    }
    cx__sb_push_real(L, idx);
    int real = lua_gettop(L);
    lua_pushvalue(L, real);
    int seen = lua_rawget(L, tb->memo);
    if (seen == LUA_TLIGHTUSERDATA) {
        node = lua_touserdata(L, -1);
        goto done;
    }
    if (seen == LUA_TBOOLEAN) {
        tree_fail(tb, CX_EINPUT, line, "a rule table contains itself (a cycle)");
        goto done;
    }
    if (depth > CX_SANDBOX_MAX_DEPTH) {
        tree_fail(tb, CX_EINPUT, line, "rule tables nested deeper than %d", CX_SANDBOX_MAX_DEPTH);
        goto done;
    }
    lua_rawgetp(L, LUA_REGISTRYINDEX, &K_STAMPS);
    lua_pushvalue(L, real);
    if (lua_rawget(L, -2) == LUA_TNUMBER) line = (int)lua_tointeger(L, -1);
    if (tree_count_keys(tb, L, real, line, &nitems, &nfields) < 0) goto done;
    cx__sandbox_charge(L, nitems + nfields + 1, "building the rule tree");
    lua_pushvalue(L, real); /* in progress */
    lua_pushboolean(L, 0);
    lua_rawset(L, tb->memo);
    node = tree_node(tb, nfields ? CX_TMAP : CX_TLIST, line);
    items = nitems ? cx__sb_pool_alloc(tb->pool, nitems * sizeof *items) : NULL;
    if (!node || (nitems && !items)) goto oom;
    for (size_t i = 0; i < nitems; i++) {
        lua_rawgeti(L, real, (lua_Integer)i + 1);
        items[i] = cx__sb_tree_value(tb, L, -1, line, depth + 1);
        lua_pop(L, 1);
        if (!items[i]) goto fail;
    }
    node->as.table.items = items;
    node->as.table.nitems = nitems;
    if (tree_fields(tb, L, real, node, nfields, depth) < 0) {
        if (tb->err->code == CX_OK) goto oom;
        goto fail;
    }
    lua_pushvalue(L, real);
    lua_pushlightuserdata(L, node);
    lua_rawset(L, tb->memo);
    goto done;
oom:
    cx__error(tb->err, CX_ENOMEM, tree_file(tb), line, 0, "out of memory building the rule tree");
fail:
    node = NULL;
done:
    lua_settop(L, top);
    return node;
}

const cx_tnode *cx__sb_tree_value(sb_tree *tb, lua_State *L, int idx, int line, int depth)
{
    cx_tnode *n = NULL;
    lua_Debug ar;
    idx = lua_absindex(L, idx);
    switch (lua_type(L, idx)) {
    case LUA_TTABLE:
        luaL_checkstack(L, 8, "rule tree");
        return tree_table(tb, L, idx, line, depth);
    case LUA_TNIL:
        n = tree_node(tb, CX_TNIL, line);
        break;
    case LUA_TBOOLEAN:
        if ((n = tree_node(tb, CX_TBOOL, line))) n->as.boolean = lua_toboolean(L, idx);
        break;
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) {
            if ((n = tree_node(tb, CX_TINT, line))) n->as.integer = lua_tointeger(L, idx);
        } else if ((n = tree_node(tb, CX_TFLOAT, line))) {
            n->as.number = lua_tonumber(L, idx);
        }
        break;
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        if ((n = tree_node(tb, CX_TSTRING, line))) {
            n->as.string.bytes = pool_strndup(tb->pool, s, len);
            n->as.string.len = len;
            if (!n->as.string.bytes) n = NULL;
        }
        break;
    }
    case LUA_TFUNCTION:
        if (!tb->allow_funcs)
            return tree_fail(tb, CX_EINPUT, line, "a function cannot be a result handed to C");
        luaL_checkstack(L, 8, "rule tree");
        lua_pushvalue(L, idx);
        lua_getinfo(L, ">S", &ar);
        if ((n = tree_node(tb, CX_TFUNC, ar.linedefined > 0 ? ar.linedefined : line))) {
            n->as.func.pack = tb->pack;
            n->as.func.ordinal = tree_ordinal(tb, L, idx);
        }
        break;
    default:
        return tree_fail(tb, CX_EINPUT, line, "a value of type %s cannot be part of a rule",
                         luaL_typename(L, idx));
    }
    if (!n)
        cx__error(tb->err, CX_ENOMEM, tree_file(tb), line, 0,
                  "out of memory building the rule tree");
    return n;
}

const cx_tnode *cx__tnode_field(const cx_tnode *node, const char *key)
{
    if (!node || node->kind != CX_TMAP || !node->as.table.nfields) return NULL;
    cx_tfield probe = {key, strlen(key), NULL};
    const cx_tfield *f = bsearch(&probe, node->as.table.fields, node->as.table.nfields,
                                 sizeof probe, compare_fields);
    return f ? f->value : NULL;
}

/* Pushes a neutral value as a fresh Lua value (memo at memo: a node
 * reached twice is one table). */
void cx__sb_push_node(lua_State *L, int memo, int pack, const cx_tnode *n, int depth)
{
    luaL_checkstack(L, 6, "arguments");
    if (depth > 2 * CX_SANDBOX_MAX_DEPTH) luaL_error(L, "arguments nested too deeply");
    switch (n->kind) {
    case CX_TNIL:
        lua_pushnil(L);
        return;
    case CX_TBOOL:
        lua_pushboolean(L, n->as.boolean);
        return;
    case CX_TINT:
        lua_pushinteger(L, (lua_Integer)n->as.integer);
        return;
    case CX_TFLOAT:
        lua_pushnumber(L, (lua_Number)n->as.number);
        return;
    case CX_TSTRING:
        lua_pushlstring(L, n->as.string.bytes, n->as.string.len);
        return;
    case CX_TFUNC:
        if (n->as.func.pack != pack) luaL_error(L, "a function of another pack cannot be passed");
        lua_rawgeti(L, LUA_REGISTRYINDEX, sb_of(L)->packs[pack].funcs_ref);
        lua_rawgeti(L, -1, n->as.func.ordinal + 1);
        lua_remove(L, -2);
        return;
    case CX_TLIST:
    case CX_TMAP:
        break;
    }
    if (lua_isnil(L, memo)) { /* made when first needed */
        lua_newtable(L);
        lua_replace(L, memo);
    }
    if (lua_rawgetp(L, memo, n) != LUA_TNIL) return;
    lua_pop(L, 1);
    lua_createtable(L, (int)n->as.table.nitems, (int)n->as.table.nfields);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, memo, n);
    for (size_t i = 0; i < n->as.table.nitems; i++) {
        cx__sb_push_node(L, memo, pack, n->as.table.items[i], depth + 1);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    for (size_t i = 0; i < n->as.table.nfields; i++) {
        const cx_tfield *f = &n->as.table.fields[i];
        lua_pushlstring(L, f->key, f->keylen);
        cx__sb_push_node(L, memo, pack, f->value, depth + 1);
        lua_rawset(L, -3);
    }
}
