/*
 * lua_api.c -- the C functions rule code may call (docs/design.md §4, §5): the
 * restricted string, table, math and utf8 libraries, `re` (PCRE2 through
 * regex.h) and `dates` (date.h). Every function that loops in C is bounded
 * by its arguments and charges the instruction budget; nothing here reads
 * a clock, an address or the locale. The sandbox itself is sandbox*.c.
 */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "regex.h"
#include "sandbox.h"
#include "util.h"

#define BYTES_PER_UNIT 64 /* bytes of C work charged as one instruction */

static uint64_t byte_units(size_t n)
{
    return (uint64_t)n / BYTES_PER_UNIT + 1;
}

/* __index of a library table: a missing function is an error naming it
 * (string.dump, math.random's cousins...). Upvalue 1: the library name. */
static int lib_missing(lua_State *L)
{
    const char *lib = lua_tostring(L, lua_upvalueindex(1));
    if (lua_type(L, 2) == LUA_TSTRING)
        return luaL_error(L, "%s.%s is not available in rule code", lib, lua_tostring(L, 2));
    return luaL_error(L, "%s has no such field", lib);
}

/* Pushes a new library table: funcs, plus the listed functions of Lua's
 * own library at `orig`, with a metatable refusing missing names. */
static void new_lib(lua_State *L, const char *name, const luaL_Reg *funcs, int orig,
                    const char *const *kept, size_t nkept)
{
    lua_newtable(L);
    for (size_t i = 0; i < nkept; i++) {
        lua_getfield(L, orig, kept[i]);
        lua_setfield(L, -2, kept[i]);
    }
    luaL_setfuncs(L, funcs, 0);
    lua_createtable(L, 0, 1);
    lua_pushstring(L, name);
    lua_pushcclosure(L, lib_missing, 1);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
}

/* Lua's own library (luaopen_x), pushed. */
static int push_lua_lib(lua_State *L, lua_CFunction open)
{
    lua_pushcfunction(L, open);
    lua_call(L, 0, 1);
    return lua_gettop(L);
}

/* Calls Lua's own function kept in upvalue 1 with the same arguments. */
static int call_orig(lua_State *L)
{
    return lua_tocfunction(L, lua_upvalueindex(1))(L);
}

/* Start position as the string library reads it (1-based, negative from
 * the end, clamped to 1). */
static size_t start_pos(lua_Integer pos, size_t len)
{
    if (pos > 0) return (size_t)pos;
    if (pos == 0 || pos < -(lua_Integer)len) return 1;
    return len + (size_t)pos + 1;
}

/* End position as the string library reads it (clamped to 0..len). */
static size_t end_pos(lua_Integer pos, size_t len)
{
    if (pos > (lua_Integer)len) return len;
    if (pos >= 0) return (size_t)pos;
    if (pos < -(lua_Integer)len) return 0;
    return len + (size_t)pos + 1;
}

/* ------------------------------------------------------- Lua patterns */

/*
 * Lua 5.4's pattern language, matched by a backtracking matcher of our own
 * that counts its steps and charges them to the instruction budget, so a
 * catastrophic pattern stops at the limit instead of running for hours.
 * Character classes are ASCII whatever the locale.
 */
#define PAT_MAXCAPTURES  32
#define PAT_MAXDEPTH     200
#define CAP_UNFINISHED   (-1)
#define CAP_POSITION     (-2)
#define PAT_CHARGE_EVERY 256

typedef struct pat_state {
    lua_State *L;
    const char *src_init, *src_end; /* the subject */
    const char *p_end;              /* end of the pattern */
    const char *what;               /* the function, for the limit message */
    int depth;                      /* recursion left */
    int level;                      /* captures open or closed */
    uint64_t steps;                 /* not yet charged */
    struct {
        const char *init;
        ptrdiff_t len; /* or CAP_UNFINISHED, CAP_POSITION */
    } capture[PAT_MAXCAPTURES];
} pat_state;

static void pat_charge(pat_state *ms)
{
    uint64_t steps = ms->steps;
    ms->steps = 0;
    if (steps) cx__sandbox_charge(ms->L, steps, ms->what);
}

static void pat_step(pat_state *ms, uint64_t n)
{
    ms->steps += n;
    if (ms->steps >= PAT_CHARGE_EVERY) pat_charge(ms);
}

static int is_lower(int c)
{
    return c >= 'a' && c <= 'z';
}
static int is_upper(int c)
{
    return c >= 'A' && c <= 'Z';
}
static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}
static int is_alpha(int c)
{
    return is_lower(c) || is_upper(c);
}
static int is_space(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}
static int is_cntrl(int c)
{
    return c < 32 || c == 127;
}
static int is_graph(int c)
{
    return c > 32 && c < 127;
}
static int is_punct(int c)
{
    return is_graph(c) && !is_alpha(c) && !is_digit(c);
}
static int is_xdigit(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Does byte c belong to class letter cl (%a, %D, ...)? */
static int class_match(int c, int cl)
{
    int yes;
    switch (cl | 0x20) {
    case 'a':
        yes = is_alpha(c);
        break;
    case 'c':
        yes = is_cntrl(c);
        break;
    case 'd':
        yes = is_digit(c);
        break;
    case 'g':
        yes = is_graph(c);
        break;
    case 'l':
        yes = is_lower(c);
        break;
    case 'p':
        yes = is_punct(c);
        break;
    case 's':
        yes = is_space(c);
        break;
    case 'u':
        yes = is_upper(c);
        break;
    case 'w':
        yes = is_alpha(c) || is_digit(c);
        break;
    case 'x':
        yes = is_xdigit(c);
        break;
    default:
        return cl == c; /* %. is a literal '.' */
    }
    return is_upper(cl) ? !yes : yes;
}

/* Past the single-character class starting at p. */
static const char *class_end(pat_state *ms, const char *p)
{
    char c = *p++;
    if (c == '%') {
        if (p == ms->p_end) luaL_error(ms->L, "malformed pattern (ends with '%%')");
        return p + 1;
    }
    if (c == '[') {
        if (*p == '^') p++;
        do { /* the first character is part of the set even if it is ']' */
            if (p == ms->p_end) luaL_error(ms->L, "malformed pattern (missing ']')");
            c = *p++;
            if (c == '%' && p < ms->p_end) p++;
        } while (*p != ']');
        return p + 1;
    }
    return p;
}

/* Is c in the set [ ... ] from p (at '[') to ec (at ']')? */
static int set_match(int c, const char *p, const char *ec)
{
    int in = 1;
    if (p[1] == '^') {
        in = 0;
        p++;
    }
    while (++p < ec) {
        if (*p == '%') {
            p++;
            if (class_match(c, (unsigned char)*p)) return in;
        } else if (p[1] == '-' && p + 2 < ec) {
            p += 2;
            if ((unsigned char)p[-2] <= c && c <= (unsigned char)*p) return in;
        } else if ((unsigned char)*p == c) {
            return in;
        }
    }
    return !in;
}

/* Does the byte at s match the class p..ep? */
static int single_match(pat_state *ms, const char *s, const char *p, const char *ep)
{
    if (s >= ms->src_end) return 0;
    int c = (unsigned char)*s;
    switch (*p) {
    case '.':
        return 1;
    case '%':
        return class_match(c, (unsigned char)p[1]);
    case '[':
        pat_step(ms, (uint64_t)(ep - p) / 8); /* a long set costs its length */
        return set_match(c, p, ep - 1);
    default:
        return (unsigned char)*p == c;
    }
}

static const char *do_match(pat_state *ms, const char *s, const char *p);

static const char *max_expand(pat_state *ms, const char *s, const char *p, const char *ep)
{
    ptrdiff_t i = 0;
    while (single_match(ms, s + i, p, ep)) {
        i++;
        pat_step(ms, 1);
    }
    for (; i >= 0; i--) { /* try the longest first */
        const char *r = do_match(ms, s + i, ep + 1);
        if (r) return r;
    }
    return NULL;
}

static const char *min_expand(pat_state *ms, const char *s, const char *p, const char *ep)
{
    for (;;) {
        const char *r = do_match(ms, s, ep + 1);
        if (r) return r;
        if (!single_match(ms, s, p, ep)) return NULL;
        s++;
    }
}

static const char *start_capture(pat_state *ms, const char *s, const char *p, ptrdiff_t what)
{
    int level = ms->level;
    if (level >= PAT_MAXCAPTURES) luaL_error(ms->L, "too many captures");
    ms->capture[level].init = s;
    ms->capture[level].len = what;
    ms->level = level + 1;
    const char *r = do_match(ms, s, p);
    if (!r) ms->level--;
    return r;
}

static const char *end_capture(pat_state *ms, const char *s, const char *p)
{
    int l = ms->level - 1;
    while (l >= 0 && ms->capture[l].len != CAP_UNFINISHED) l--;
    if (l < 0) luaL_error(ms->L, "invalid pattern capture");
    ms->capture[l].len = s - ms->capture[l].init;
    const char *r = do_match(ms, s, p);
    if (!r) ms->capture[l].len = CAP_UNFINISHED;
    return r;
}

static const char *match_balance(pat_state *ms, const char *s, const char *p)
{
    if (p + 1 >= ms->p_end) luaL_error(ms->L, "malformed pattern (missing arguments to '%%b')");
    if (s >= ms->src_end || *s != *p) return NULL;
    int open = *p, close = p[1], depth = 1;
    while (++s < ms->src_end) {
        pat_step(ms, 1);
        if (*s == close) {
            if (--depth == 0) return s + 1;
        } else if (*s == open) {
            depth++;
        }
    }
    return NULL;
}

static const char *match_capture(pat_state *ms, const char *s, int digit)
{
    int l = digit - '1';
    if (l < 0 || l >= ms->level || ms->capture[l].len == CAP_UNFINISHED)
        luaL_error(ms->L, "invalid capture index %%%d in pattern", l + 1);
    size_t len = (size_t)ms->capture[l].len; /* a position capture never matches */
    pat_step(ms, len / BYTES_PER_UNIT);
    if ((size_t)(ms->src_end - s) >= len && memcmp(ms->capture[l].init, s, len) == 0)
        return s + len;
    return NULL;
}

/* A frontier %f[set]: p is past "%f". */
static const char *match_frontier(pat_state *ms, const char *s, const char **p)
{
    if (*p >= ms->p_end || **p != '[') luaL_error(ms->L, "missing '[' after '%%f' in pattern");
    const char *ep = class_end(ms, *p);
    int prev = s == ms->src_init ? 0 : (unsigned char)s[-1];
    int cur = s < ms->src_end ? (unsigned char)*s : 0;
    pat_step(ms, (uint64_t)(ep - *p) / 8);
    if (!set_match(prev, *p, ep - 1) && set_match(cur, *p, ep - 1)) {
        *p = ep;
        return s;
    }
    return NULL;
}

/* A single class, maybe followed by a repetition. */
static const char *match_item(pat_state *ms, const char *s, const char **pp, int *more)
{
    const char *p = *pp, *ep = class_end(ms, p);
    *more = 0;
    if (!single_match(ms, s, p, ep)) {
        if (*ep == '*' || *ep == '?' || *ep == '-') { /* zero repetitions are fine */
            *pp = ep + 1;
            *more = 1;
            return s;
        }
        return NULL;
    }
    switch (*ep) {
    case '?': {
        const char *r = do_match(ms, s + 1, ep + 1);
        if (r) return r;
        *pp = ep + 1;
        *more = 1;
        return s;
    }
    case '+':
        return max_expand(ms, s + 1, p, ep);
    case '*':
        return max_expand(ms, s, p, ep);
    case '-':
        return min_expand(ms, s, p, ep);
    default:
        *pp = ep;
        *more = 1;
        return s + 1;
    }
}

/* Matches pattern p against the subject from s; the end of the match or
 * NULL. Iterates where the pattern continues, recurses where it branches. */
static const char *do_match(pat_state *ms, const char *s, const char *p)
{
    int more = 1;
    if (ms->depth-- == 0) luaL_error(ms->L, "pattern too complex");
    while (more && s && p != ms->p_end) {
        pat_step(ms, 1);
        more = 0;
        if (*p == '(') {
            s = p + 1 < ms->p_end && p[1] == ')' ? start_capture(ms, s, p + 2, CAP_POSITION)
                                                 : start_capture(ms, s, p + 1, CAP_UNFINISHED);
        } else if (*p == ')') {
            s = end_capture(ms, s, p + 1);
        } else if (*p == '$' && p + 1 == ms->p_end) {
            s = s == ms->src_end ? s : NULL;
        } else if (*p == '%' && p[1] == 'b') {
            s = match_balance(ms, s, p + 2);
            if (s) p += 4, more = 1;
        } else if (*p == '%' && p[1] == 'f') {
            p += 2;
            s = match_frontier(ms, s, &p);
            more = s != NULL;
        } else if (*p == '%' && is_digit((unsigned char)p[1])) {
            s = match_capture(ms, s, (unsigned char)p[1]);
            if (s) p += 2, more = 1;
        } else {
            s = match_item(ms, s, &p, &more);
        }
    }
    ms->depth++;
    return s;
}

static void pat_init(pat_state *ms, lua_State *L, const char *what, const char *s, size_t ls,
                     const char *p, size_t lp)
{
    ms->L = L;
    ms->what = what;
    ms->src_init = s;
    ms->src_end = s + ls;
    ms->p_end = p + lp;
    ms->steps = 0;
}

static void pat_restart(pat_state *ms)
{
    ms->level = 0;
    ms->depth = PAT_MAXDEPTH;
}

/* Capture i of the match s..e: its bytes in *cap and its length, or
 * CAP_POSITION after pushing the position. */
static ptrdiff_t get_capture(pat_state *ms, int i, const char *s, const char *e, const char **cap)
{
    if (i >= ms->level) {
        if (i != 0) luaL_error(ms->L, "invalid capture index %%%d", i + 1);
        *cap = s;
        return e - s;
    }
    ptrdiff_t len = ms->capture[i].len;
    *cap = ms->capture[i].init;
    if (len == CAP_UNFINISHED) luaL_error(ms->L, "unfinished capture");
    if (len == CAP_POSITION)
        lua_pushinteger(ms->L, (lua_Integer)(ms->capture[i].init - ms->src_init) + 1);
    return len;
}

static void push_capture(pat_state *ms, int i, const char *s, const char *e)
{
    const char *cap;
    ptrdiff_t len = get_capture(ms, i, s, e, &cap);
    if (len != CAP_POSITION) lua_pushlstring(ms->L, cap, (size_t)len);
}

static int push_captures(pat_state *ms, const char *s, const char *e)
{
    int n = ms->level == 0 && s ? 1 : ms->level;
    luaL_checkstack(ms->L, n, "too many captures");
    for (int i = 0; i < n; i++) push_capture(ms, i, s, e);
    return n;
}

/* ---------------------------------------------------------------- string */

/* Plain search, charged for the bytes it compares. */
static const char *find_plain(lua_State *L, const char *s, size_t ls, const char *p, size_t lp)
{
    uint64_t units = 1;
    const char *hit = NULL;
    if (lp == 0) return s;
    if (lp <= ls) {
        const char *end = s + (ls - lp) + 1; /* candidate starts are before end */
        while (s < end && !hit) {
            const char *q = memchr(s, *p, (size_t)(end - s));
            if (!q) {
                units += (uint64_t)(end - s) / BYTES_PER_UNIT;
                break;
            }
            size_t k = 1;
            while (k < lp && q[k] == p[k]) k++;
            units += (uint64_t)(q - s + (ptrdiff_t)k) / BYTES_PER_UNIT + 1;
            if (k == lp) hit = q;
            s = q + 1;
            if (units >= PAT_CHARGE_EVERY) {
                cx__sandbox_charge(L, units, "string.find");
                units = 0;
            }
        }
    }
    cx__sandbox_charge(L, units, "string.find");
    return hit;
}

static int has_specials(const char *p, size_t lp)
{
    for (size_t i = 0; i < lp; i++)
        if (strchr("^$*+?.([%-", p[i]) && p[i]) return 1;
    return 0;
}

static int find_or_match(lua_State *L, int find)
{
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    const char *what = find ? "string.find" : "string.match";
    size_t init = start_pos(luaL_optinteger(L, 3, 1), ls) - 1;
    if (init > ls) {
        lua_pushnil(L);
        return 1;
    }
    if (find && (lua_toboolean(L, 4) || !has_specials(p, lp))) {
        const char *hit = find_plain(L, s + init, ls - init, p, lp);
        if (!hit) {
            lua_pushnil(L);
            return 1;
        }
        lua_pushinteger(L, (lua_Integer)(hit - s) + 1);
        lua_pushinteger(L, (lua_Integer)(hit - s + (ptrdiff_t)lp));
        return 2;
    }
    pat_state ms;
    const char *s1 = s + init;
    int anchor = *p == '^';
    if (anchor) p++, lp--;
    pat_init(&ms, L, what, s, ls, p, lp);
    do {
        pat_restart(&ms);
        const char *e = do_match(&ms, s1, p);
        if (e) {
            pat_charge(&ms);
            if (!find) return push_captures(&ms, s1, e);
            lua_pushinteger(L, (lua_Integer)(s1 - s) + 1);
            lua_pushinteger(L, (lua_Integer)(e - s));
            return push_captures(&ms, NULL, NULL) + 2;
        }
    } while (s1++ < ms.src_end && !anchor);
    pat_charge(&ms);
    lua_pushnil(L);
    return 1;
}

static int str_find(lua_State *L)
{
    return find_or_match(L, 1);
}

static int str_match(lua_State *L)
{
    return find_or_match(L, 0);
}

typedef struct gmatch_state {
    const char *src;       /* where the next search starts */
    const char *p;         /* the pattern */
    const char *lastmatch; /* end of the last match */
    pat_state ms;
} gmatch_state;

static int gmatch_next(lua_State *L)
{
    gmatch_state *gm = lua_touserdata(L, lua_upvalueindex(3));
    gm->ms.L = L;
    for (const char *src = gm->src; src <= gm->ms.src_end; src++) {
        pat_restart(&gm->ms);
        const char *e = do_match(&gm->ms, src, gm->p);
        if (e && e != gm->lastmatch) {
            gm->src = gm->lastmatch = e;
            pat_charge(&gm->ms);
            return push_captures(&gm->ms, src, e);
        }
    }
    pat_charge(&gm->ms);
    return 0;
}

static int str_gmatch(lua_State *L)
{
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = start_pos(luaL_optinteger(L, 3, 1), ls) - 1;
    lua_settop(L, 2); /* the closure keeps both strings alive */
    gmatch_state *gm = lua_newuserdatauv(L, sizeof *gm, 0);
    if (init > ls) init = ls + 1;
    pat_init(&gm->ms, L, "string.gmatch", s, ls, p, lp);
    gm->src = s + init;
    gm->p = p;
    gm->lastmatch = NULL;
    lua_pushcclosure(L, gmatch_next, 3);
    return 1;
}

/* The replacement string with %0-%9 and %%. */
static void gsub_add_string(pat_state *ms, luaL_Buffer *b, const char *s, const char *e)
{
    size_t l;
    const char *news = lua_tolstring(ms->L, 3, &l), *p;
    while ((p = memchr(news, '%', l)) != NULL) {
        luaL_addlstring(b, news, (size_t)(p - news));
        p++;
        if (*p == '%') {
            luaL_addchar(b, '%');
        } else if (*p == '0') {
            luaL_addlstring(b, s, (size_t)(e - s));
        } else if (is_digit((unsigned char)*p)) {
            const char *cap;
            ptrdiff_t len = get_capture(ms, *p - '1', s, e, &cap);
            if (len == CAP_POSITION)
                luaL_addvalue(b);
            else
                luaL_addlstring(b, cap, (size_t)len);
        } else {
            luaL_error(ms->L, "invalid use of '%%' in replacement string");
        }
        l -= (size_t)(p + 1 - news);
        news = p + 1;
    }
    luaL_addlstring(b, news, l);
}

/* Adds the replacement of match s..e; 1 when the text changed. */
static int gsub_add(pat_state *ms, luaL_Buffer *b, const char *s, const char *e, int tr)
{
    lua_State *L = ms->L;
    if (tr == LUA_TFUNCTION) {
        lua_pushvalue(L, 3);
        int n = push_captures(ms, s, e);
        lua_call(L, n, 1);
    } else if (tr == LUA_TTABLE) {
        push_capture(ms, 0, s, e);
        lua_gettable(L, 3);
    } else {
        gsub_add_string(ms, b, s, e);
        return 1;
    }
    if (!lua_toboolean(L, -1)) { /* nil or false: keep the match */
        lua_pop(L, 1);
        luaL_addlstring(b, s, (size_t)(e - s));
        return 0;
    }
    if (!lua_isstring(L, -1))
        return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    luaL_addvalue(b);
    return 1;
}

static int str_gsub(lua_State *L)
{
    size_t srcl, lp;
    const char *src = luaL_checklstring(L, 1, &srcl);
    const char *p = luaL_checklstring(L, 2, &lp);
    const char *lastmatch = NULL;
    int tr = lua_type(L, 3), changed = 0;
    lua_Integer max_s = luaL_optinteger(L, 4, (lua_Integer)srcl + 1), n = 0;
    int anchor = *p == '^';
    pat_state ms;
    luaL_Buffer b;
    luaL_argexpected(
        L, tr == LUA_TNUMBER || tr == LUA_TSTRING || tr == LUA_TFUNCTION || tr == LUA_TTABLE, 3,
        "string/function/table");
    luaL_buffinit(L, &b);
    if (anchor) p++, lp--;
    pat_init(&ms, L, "string.gsub", src, srcl, p, lp);
    while (n < max_s) {
        pat_restart(&ms);
        const char *e = do_match(&ms, src, p);
        if (e && e != lastmatch) {
            n++;
            changed = gsub_add(&ms, &b, src, e, tr) | changed;
            src = lastmatch = e;
        } else if (src < ms.src_end) {
            luaL_addchar(&b, *src++);
        } else {
            break;
        }
        if (anchor) break;
    }
    pat_charge(&ms);
    if (!changed) {
        lua_pushvalue(L, 1);
    } else {
        luaL_addlstring(&b, src, (size_t)(ms.src_end - src));
        luaL_pushresult(&b);
    }
    lua_pushinteger(L, n);
    return 2;
}

/* string.rep, bounded on its result before anything is allocated. */
static int str_rep(lua_State *L)
{
    size_t l, lsep;
    const char *s = luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    const char *sep = luaL_optlstring(L, 3, "", &lsep);
    if (n <= 0 || l + lsep == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    size_t unit = l + lsep, total;
    if ((uint64_t)n > (SIZE_MAX - lsep) / unit)
        total = SIZE_MAX;
    else
        total = (size_t)n * unit - lsep;
    if (total > cx__sandbox_string_max(L)) return cx__sandbox_string_trip(L, "string.rep", total);
    if (total > cx__sandbox_memory_left(L)) return cx__sandbox_memory_trip(L, "string.rep", total);
    cx__sandbox_charge(L, byte_units(total), "string.rep");
    luaL_Buffer b;
    char *out = luaL_buffinitsize(L, &b, total);
    for (lua_Integer i = 0; i < n; i++) {
        memcpy(out, s, l);
        out += l;
        if (i + 1 < n && lsep) {
            memcpy(out, sep, lsep);
            out += lsep;
        }
    }
    luaL_pushresultsize(&b, total);
    return 1;
}

/* string.byte returns one value per byte asked for: charge them. */
static int str_byte(lua_State *L)
{
    size_t l;
    luaL_checklstring(L, 1, &l);
    lua_Integer i = luaL_optinteger(L, 2, 1);
    size_t first = start_pos(i, l);
    size_t last = end_pos(luaL_optinteger(L, 3, i), l);
    cx__sandbox_charge(L, last >= first ? (uint64_t)(last - first) + 1 : 1, "string.byte");
    return call_orig(L);
}

/* string.format without %p (an address), and with tables and functions
 * shown without one. Upvalue 1 is Lua's string.format. */
static int str_format(lua_State *L)
{
    size_t lf, total = 0;
    const char *fmt = luaL_checklstring(L, 1, &lf);
    for (size_t i = 0; i < lf; i++) {
        if (fmt[i] != '%') continue;
        i++;
        while (i < lf && strchr("-+ #0123456789.", fmt[i]) && fmt[i]) i++;
        if (i < lf && fmt[i] == 'p')
            return luaL_error(L, "string.format: '%%p' is not allowed in rule code (addresses are "
                                 "not deterministic)");
    }
    for (int i = 2; i <= lua_gettop(L); i++) {
        int t = lua_type(L, i);
        if (t == LUA_TTABLE || t == LUA_TFUNCTION || t == LUA_TUSERDATA || t == LUA_TTHREAD ||
            t == LUA_TLIGHTUSERDATA) {
            cx__sandbox_tostring(L, i);
            lua_replace(L, i);
        }
        if (lua_type(L, i) == LUA_TSTRING) total += lua_rawlen(L, i);
    }
    cx__sandbox_charge(L, byte_units(lf + total), "string.format");
    return call_orig(L);
}

static void open_string(lua_State *L)
{
    static const char *const kept[] = {"char", "len", "lower", "reverse", "sub", "upper"};
    static const luaL_Reg ours[] = {{"find", str_find},     {"match", str_match},
                                    {"gmatch", str_gmatch}, {"gsub", str_gsub},
                                    {"rep", str_rep},       {NULL, NULL}};
    int orig = push_lua_lib(L, luaopen_string);
    new_lib(L, "string", ours, orig, kept, CX_COUNT(kept));
    lua_getfield(L, orig, "byte");
    lua_pushcclosure(L, str_byte, 1);
    lua_setfield(L, -2, "byte");
    lua_getfield(L, orig, "format");
    lua_pushcclosure(L, str_format, 1);
    lua_setfield(L, -2, "format");
    lua_remove(L, orig);
}

/* ----------------------------------------------------------------- table */

/* Elements in first..last, 0 when empty. */
static uint64_t range_size(lua_Integer first, lua_Integer last)
{
    return last >= first ? (uint64_t)last - (uint64_t)first + 1 : 0;
}

/* Each wrapper charges the elements its arguments ask Lua's function to
 * touch, then calls it (upvalue 1). */
static int tab_concat(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer i = luaL_optinteger(L, 3, 1);
    lua_Integer j = lua_isnoneornil(L, 4) ? luaL_len(L, 1) : luaL_checkinteger(L, 4);
    cx__sandbox_charge(L, range_size(i, j) + 1, "table.concat");
    return call_orig(L);
}

static int tab_unpack(lua_State *L)
{
    lua_Integer i = luaL_optinteger(L, 2, 1);
    lua_Integer j = lua_isnoneornil(L, 3) ? luaL_len(L, 1) : luaL_checkinteger(L, 3);
    cx__sandbox_charge(L, range_size(i, j) + 1, "table.unpack");
    return call_orig(L);
}

static int tab_move(lua_State *L)
{
    lua_Integer f = luaL_checkinteger(L, 2);
    lua_Integer e = luaL_checkinteger(L, 3);
    cx__sandbox_charge(L, range_size(f, e) + 1, "table.move");
    return call_orig(L);
}

/* insert and remove with a position shift the elements after it. */
static int tab_shift(lua_State *L, int with_pos, const char *what)
{
    uint64_t units = 1;
    if (with_pos) {
        lua_Integer n = luaL_len(L, 1);
        units += n > 0 ? (uint64_t)n : 0;
    }
    cx__sandbox_charge(L, units, what);
    return call_orig(L);
}

static int tab_insert(lua_State *L)
{
    return tab_shift(L, lua_gettop(L) >= 3, "table.insert");
}

static int tab_remove(lua_State *L)
{
    return tab_shift(L, lua_gettop(L) >= 2, "table.remove");
}

static int tab_sort(lua_State *L)
{
    lua_Integer n = luaL_len(L, 1);
    uint64_t log2n = 1;
    while (n > 0 && (1ull << log2n) < (uint64_t)n && log2n < 63) log2n++;
    cx__sandbox_charge(L, (n > 0 ? (uint64_t)n * log2n : 0) + 1, "table.sort");
    return call_orig(L);
}

static void open_table(lua_State *L)
{
    static const char *const kept[] = {"pack"};
    static const luaL_Reg charged[] = {
        {"concat", tab_concat}, {"unpack", tab_unpack}, {"move", tab_move}, {"insert", tab_insert},
        {"remove", tab_remove}, {"sort", tab_sort},     {NULL, NULL}};
    static const luaL_Reg none[] = {{NULL, NULL}};
    int orig = push_lua_lib(L, luaopen_table);
    new_lib(L, "table", none, orig, kept, CX_COUNT(kept));
    for (const luaL_Reg *r = charged; r->name; r++) {
        lua_getfield(L, orig, r->name);
        lua_pushcclosure(L, r->func, 1);
        lua_setfield(L, -2, r->name);
    }
    lua_remove(L, orig);
}

/* ------------------------------------------------------------------ math */

/* A uniform integer in [0, lim] from random bits (rejection sampling). */
static uint64_t project(uint64_t r, uint64_t lim, uint64_t *s)
{
    uint64_t mask = lim;
    if ((lim & (lim + 1)) == 0) return r & lim; /* lim + 1 is a power of 2 */
    for (int shift = 1; shift < 64; shift <<= 1) mask |= mask >> shift;
    while ((r &= mask) > lim) r = cx__sandbox_rng_next(s);
    return r;
}

static int math_random(lua_State *L)
{
    uint64_t *s = cx__sandbox_rng(L);
    uint64_t r = cx__sandbox_rng_next(s);
    lua_Integer low, up;
    switch (lua_gettop(L)) {
    case 0:
        lua_pushnumber(L, (lua_Number)(r >> 11) / 9007199254740992.0); /* [0, 1) */
        return 1;
    case 1:
        low = 1;
        up = luaL_checkinteger(L, 1);
        if (up == 0) { /* math.random(0): all 64 bits */
            lua_pushinteger(L, (lua_Integer)r);
            return 1;
        }
        break;
    case 2:
        low = luaL_checkinteger(L, 1);
        up = luaL_checkinteger(L, 2);
        break;
    default:
        return luaL_error(L, "wrong number of arguments");
    }
    luaL_argcheck(L, low <= up, 1, "interval is empty");
    uint64_t v = project(r, (uint64_t)up - (uint64_t)low, s) + (uint64_t)low;
    lua_pushinteger(L, (lua_Integer)v);
    return 1;
}

/* math.randomseed() reseeds from the decision, never from the clock. */
static int math_randomseed(lua_State *L)
{
    if (lua_isnone(L, 1)) {
        cx__sandbox_rng_default(L);
        return 0;
    }
    lua_Integer a = luaL_checkinteger(L, 1), b = luaL_optinteger(L, 2, 0);
    cx__sandbox_rng_seed(L, (uint64_t)a, (uint64_t)b);
    lua_pushinteger(L, a);
    lua_pushinteger(L, b);
    return 2;
}

static void open_math(lua_State *L)
{
    static const char *const kept[] = {
        "abs",  "acos", "asin", "atan", "ceil",       "cos",  "deg",        "exp",  "floor",
        "fmod", "huge", "log",  "max",  "maxinteger", "min",  "mininteger", "modf", "pi",
        "rad",  "sin",  "sqrt", "tan",  "tointeger",  "type", "ult"};
    static const luaL_Reg ours[] = {
        {"random", math_random}, {"randomseed", math_randomseed}, {NULL, NULL}};
    int orig = push_lua_lib(L, luaopen_math);
    new_lib(L, "math", ours, orig, kept, CX_COUNT(kept));
    lua_remove(L, orig);
}

/* ------------------------------------------------------------------ utf8 */

/* len and offset scan their string in one C call; codepoint also
 * returns a value per character. */
static int utf8_charged(lua_State *L)
{
    size_t len;
    luaL_checklstring(L, 1, &len);
    cx__sandbox_charge(L, byte_units(len), "utf8");
    return call_orig(L);
}

static int utf8_codepoint(lua_State *L)
{
    size_t len;
    luaL_checklstring(L, 1, &len);
    cx__sandbox_charge(L, (uint64_t)len + 1, "utf8.codepoint");
    return call_orig(L);
}

/* utf8.codes of Lua 5.4.4 accepts stray continuation bytes (an upstream
 * bug): validate the string with Lua's utf8.len (upvalue 2) first. */
static int utf8_codes(lua_State *L)
{
    size_t len;
    luaL_checklstring(L, 1, &len);
    cx__sandbox_charge(L, byte_units(len), "utf8.codes");
    if (!lua_toboolean(L, 2)) {
        lua_pushvalue(L, lua_upvalueindex(2));
        lua_pushvalue(L, 1);
        lua_call(L, 1, 2);
        if (lua_isnil(L, -2))
            return luaL_error(L, "invalid UTF-8 code at byte %d", (int)lua_tointeger(L, -1));
        lua_pop(L, 2);
    }
    return call_orig(L);
}

static void open_utf8(lua_State *L)
{
    static const char *const kept[] = {"char", "charpattern"};
    static const char *const charged[] = {"len", "offset"};
    static const luaL_Reg none[] = {{NULL, NULL}};
    int orig = push_lua_lib(L, luaopen_utf8);
    new_lib(L, "utf8", none, orig, kept, CX_COUNT(kept));
    for (size_t i = 0; i < CX_COUNT(charged); i++) {
        lua_getfield(L, orig, charged[i]);
        lua_pushcclosure(L, utf8_charged, 1);
        lua_setfield(L, -2, charged[i]);
    }
    lua_getfield(L, orig, "codepoint");
    lua_pushcclosure(L, utf8_codepoint, 1);
    lua_setfield(L, -2, "codepoint");
    lua_getfield(L, orig, "codes");
    lua_getfield(L, orig, "len");
    lua_pushcclosure(L, utf8_codes, 2);
    lua_setfield(L, -2, "codes");
    lua_remove(L, orig);
}

/* -------------------------------------------------------------------- re */

/* Raises a regex error: a limit trips the sandbox, anything else is a
 * plain error naming the function. */
static int re_fail(lua_State *L, const char *what, const cx_error *err)
{
    if (err->code == CX_ELIMIT) return cx__sandbox_raise(L, err);
    return luaL_error(L, "%s: %s", what, err->message);
}

/* The compiled pattern at arg 1, from the shared cache. Errors name the
 * function; a limit trips the sandbox (sticky). */
static const cx_regex *check_regex(lua_State *L, const char *what)
{
    size_t lp;
    const char *p = luaL_checklstring(L, 1, &lp);
    const cx_regex *re;
    cx_error err;
    err.code = CX_OK; /* filled on failure (a full clear costs 1 KB) */
    if (cx__regex_cached(p, lp, &re, &err) != CX_OK) re_fail(L, what, &err);
    return re;
}

/* re.test(pattern, s): true when s matches (unanchored, as PCRE2 is). */
static int re_test(lua_State *L)
{
    const cx_regex *re = check_regex(L, "re.test");
    size_t ls;
    const char *s = luaL_checklstring(L, 2, &ls);
    cx_error err;
    err.code = CX_OK; /* filled on failure (a full clear costs 1 KB) */
    cx__sandbox_charge(L, byte_units(ls + lua_rawlen(L, 1)), "re.test");
    int rc = cx__regex_test(re, s, ls, &err);
    if (rc < 0) return re_fail(L, "re.test", &err);
    lua_pushboolean(L, rc);
    return 1;
}

/* re.match(pattern, s): nil, or a table: [0] the whole match, [1..n] the
 * groups (false for a group that did not take part), and named groups
 * under their names. */
static int re_match(lua_State *L)
{
    const cx_regex *re = check_regex(L, "re.match");
    size_t ls;
    const char *s = luaL_checklstring(L, 2, &ls);
    cx_regex_captures caps;
    cx_error err;
    err.code = CX_OK; /* filled on failure (a full clear costs 1 KB) */
    cx__sandbox_charge(L, byte_units(ls + lua_rawlen(L, 1)), "re.match");
    int rc = cx__regex_match(re, s, ls, &caps, &err);
    if (rc < 0) return re_fail(L, "re.match", &err);
    if (rc == 0) {
        lua_pushnil(L);
        return 1;
    }
    lua_createtable(L, caps.count - 1, 1);
    for (int i = 0; i < caps.count; i++) {
        if (caps.group[i].start < 0)
            lua_pushboolean(L, 0);
        else
            lua_pushlstring(L, s + caps.group[i].start,
                            (size_t)(caps.group[i].end - caps.group[i].start));
        const char *name = i ? cx__regex_group_name(re, i) : NULL;
        if (name) {
            lua_pushvalue(L, -1);
            lua_setfield(L, -3, name);
        }
        lua_rawseti(L, -2, i);
    }
    return 1;
}

/* A box for a result regex.c malloc'd: freed by its __gc if a Lua error
 * (out of memory) strikes before we free it ourselves. */
static const char RESULT_BOX[] = "credex.regex_result";

static int free_result_box(lua_State *L)
{
    char **box = luaL_checkudata(L, 1, RESULT_BOX);
    free(*box);
    *box = NULL;
    return 0;
}

/* re.gsub(pattern, s, repl): the new string and the number of matches
 * replaced; repl refers to groups as $0..$9, ${n}, ${name}; $$ is '$'. */
static int re_gsub(lua_State *L)
{
    const cx_regex *re = check_regex(L, "re.gsub");
    size_t ls, lr, out_len = 0;
    const char *s = luaL_checklstring(L, 2, &ls);
    const char *repl = luaL_checklstring(L, 3, &lr);
    cx_error err;
    err.code = CX_OK; /* filled on failure (a full clear costs 1 KB) */
    cx__sandbox_charge(L, byte_units(ls + lr + lua_rawlen(L, 1)), "re.gsub");
    char **box = lua_newuserdatauv(L, sizeof *box, 0);
    *box = NULL;
    luaL_setmetatable(L, RESULT_BOX);
    int n = cx__regex_gsub(re, s, ls, repl, lr, box, &out_len, &err);
    if (n < 0) return re_fail(L, "re.gsub", &err);
    if (out_len > cx__sandbox_string_max(L) || out_len > cx__sandbox_memory_left(L)) {
        free(*box);
        *box = NULL;
        if (out_len > cx__sandbox_string_max(L))
            return cx__sandbox_string_trip(L, "re.gsub", out_len);
        return cx__sandbox_memory_trip(L, "re.gsub", out_len);
    }
    lua_pushlstring(L, *box, out_len);
    free(*box);
    *box = NULL;
    lua_pushinteger(L, n);
    return 2;
}

static void open_re(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"test", re_test}, {"match", re_match}, {"gsub", re_gsub}, {NULL, NULL}};
    luaL_newmetatable(L, RESULT_BOX);
    lua_pushcfunction(L, free_result_box);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
    new_lib(L, "re", fns, 0, NULL, 0);
}

/* ----------------------------------------------------------------- dates */

/*
 * A date in rule code is either its text "YYYY-MM-DD" (strict, as in
 * catalogs) or a day number (days since 1970-01-01, what dates.parse
 * returns). Functions that return a date return the kind they were given.
 */
#define DATE_MIN cx__date_from_ymd(1, 1, 1)
#define DATE_MAX cx__date_from_ymd(9999, 12, 31)

static cx_date check_date(lua_State *L, int arg, const char *what)
{
    const char *why = NULL;
    cx_date d;
    if (lua_type(L, arg) == LUA_TNUMBER) {
        if (!lua_isinteger(L, arg) || lua_tointeger(L, arg) < DATE_MIN ||
            lua_tointeger(L, arg) > DATE_MAX)
            luaL_error(L, "%s: %s is not a day number between 0001-01-01 and 9999-12-31", what,
                       lua_tostring(L, arg));
        return (cx_date)lua_tointeger(L, arg);
    }
    if (lua_type(L, arg) != LUA_TSTRING)
        luaL_error(L, "%s: expected a date (\"YYYY-MM-DD\" or a day number), got %s", what,
                   luaL_typename(L, arg));
    if (cx__date_parse(lua_tostring(L, arg), &d, &why) != 0)
        luaL_error(L, "%s: '%s' is not a date: %s", what, lua_tostring(L, arg), why);
    return d;
}

/* Pushes d as the kind of date at arg was. */
static void push_date_like(lua_State *L, int arg, cx_date d, const char *what)
{
    char buf[11];
    if (d < DATE_MIN || d > DATE_MAX)
        luaL_error(L, "%s: the result is outside 0001-01-01..9999-12-31", what);
    if (lua_type(L, arg) == LUA_TNUMBER) {
        lua_pushinteger(L, d);
        return;
    }
    cx__date_format(d, buf);
    lua_pushstring(L, buf);
}

static int dates_parse(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TSTRING);
    lua_pushinteger(L, check_date(L, 1, "dates.parse"));
    return 1;
}

static int dates_valid(lua_State *L)
{
    cx_date d;
    const char *why;
    lua_pushboolean(L, lua_type(L, 1) == LUA_TSTRING &&
                           cx__date_parse(lua_tostring(L, 1), &d, &why) == 0);
    return 1;
}

static int dates_format(lua_State *L)
{
    char buf[11];
    cx__date_format(check_date(L, 1, "dates.format"), buf);
    lua_pushstring(L, buf);
    return 1;
}

static int add_or_sub(lua_State *L, int sign, const char *what)
{
    cx_date d = check_date(L, 1, what);
    const char *text = luaL_checkstring(L, 2), *why = NULL;
    cx_duration dur;
    if (cx__duration_parse(text, &dur, &why) != 0)
        return luaL_error(L, "%s: '%s' is not a duration: %s", what, text, why);
    push_date_like(L, 1, sign > 0 ? cx__date_add(d, &dur) : cx__date_sub(d, &dur), what);
    return 1;
}

static int dates_add(lua_State *L)
{
    return add_or_sub(L, 1, "dates.add");
}

static int dates_sub(lua_State *L)
{
    return add_or_sub(L, -1, "dates.sub");
}

static int dates_compare(lua_State *L)
{
    cx_date a = check_date(L, 1, "dates.compare"), b = check_date(L, 2, "dates.compare");
    lua_pushinteger(L, a < b ? -1 : a > b);
    return 1;
}

static int dates_before(lua_State *L)
{
    lua_pushboolean(L, check_date(L, 1, "dates.before") < check_date(L, 2, "dates.before"));
    return 1;
}

static int dates_after(lua_State *L)
{
    lua_pushboolean(L, check_date(L, 1, "dates.after") > check_date(L, 2, "dates.after"));
    return 1;
}

/* dates.days(a, b): days from a to b (negative when b is earlier). */
static int dates_days(lua_State *L)
{
    cx_date a = check_date(L, 1, "dates.days"), b = check_date(L, 2, "dates.days");
    lua_pushinteger(L, (lua_Integer)b - (lua_Integer)a);
    return 1;
}

static void open_dates(lua_State *L)
{
    static const luaL_Reg fns[] = {{"parse", dates_parse},   {"valid", dates_valid},
                                   {"format", dates_format}, {"add", dates_add},
                                   {"sub", dates_sub},       {"compare", dates_compare},
                                   {"before", dates_before}, {"after", dates_after},
                                   {"days", dates_days},     {NULL, NULL}};
    new_lib(L, "dates", fns, 0, NULL, 0);
}

/* --------------------------------------------------------------- opening */

void cx__lua_open_libs(lua_State *L, int base)
{
    static const struct {
        const char *name;
        void (*open)(lua_State *L);
    } libs[] = {{"string", open_string}, {"table", open_table}, {"math", open_math},
                {"utf8", open_utf8},     {"re", open_re},       {"dates", open_dates}};
    base = lua_absindex(L, base);
    for (size_t i = 0; i < CX_COUNT(libs); i++) {
        libs[i].open(L);
        lua_setfield(L, base, libs[i].name);
    }
}
