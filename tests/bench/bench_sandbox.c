/*
 * bench_sandbox.c -- what the sandbox costs: ns per call into a sandboxed
 * predicate (cx__sandbox_call) against the same Lua function called with
 * lua_pcall on a plain lua_State, and ns per re.test from Lua against
 * pcre2_match in C, measured in the same run, with the ratios. Includes
 * lua.h and pcre2.h only for those baselines. Not a ctest: prints, never
 * fails on a time. Usage: bench_sandbox [calls]
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sandbox.h"
#include "util.h"

static const char *const predicate = "function(n) return n > 10, 'n must be more than 10' end";
static const char *const pattern = "^(TX|NV)-EV[A-Z]*-[0-9]+$";
static const char *const subject = "TX-EVS-101";

static volatile long sink; /* keeps results alive */

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void fail(const char *what, const cx_error *err)
{
    fprintf(stderr, "bench_sandbox: %s: %s:%d: %s\n", what, err->file, err->line, err->message);
    exit(1);
}

/* ns per cx__sandbox_call of the predicate with one integer argument;
 * decisions: a begin_decision before every call (else every 1024). */
static double sandboxed_call(cx_sandbox *sb, int pack, long calls, int decisions)
{
    cx_tnode arg = {CX_TINT, 0, "", {.integer = 0}};
    const cx_tnode *args[] = {&arg};
    const cx_tnode *result;
    cx_error err;
    long yes = 0;
    cx_error_clear(&err);
    double t0 = now_ns();
    for (long i = 0; i < calls; i++) {
        if (decisions || (i & 1023) == 0) cx__sandbox_begin_decision(sb, (uint64_t)i);
        arg.as.integer = i & 31;
        if (cx__sandbox_call(sb, pack, 0, args, 1, &result, &err) != CX_OK) fail("call", &err);
        yes += result->as.table.items[0]->as.boolean;
    }
    double ns = (now_ns() - t0) / (double)calls;
    sink += yes;
    return ns;
}

/* The same function on a plain lua_State, called with lua_pcall. */
static double plain_call(long calls)
{
    lua_State *L = luaL_newstate();
    long yes = 0;
    luaL_openlibs(L);
    char chunk[256];
    snprintf(chunk, sizeof chunk, "return %s", predicate);
    if (luaL_dostring(L, chunk) != LUA_OK) {
        fprintf(stderr, "bench_sandbox: %s\n", lua_tostring(L, -1));
        exit(1);
    }
    int fn = lua_gettop(L);
    double t0 = now_ns();
    for (long i = 0; i < calls; i++) {
        lua_pushvalue(L, fn);
        lua_pushinteger(L, i & 31);
        if (lua_pcall(L, 1, LUA_MULTRET, 0) != LUA_OK) exit(1);
        yes += lua_toboolean(L, fn + 1);
        lua_settop(L, fn);
    }
    double ns = (now_ns() - t0) / (double)calls;
    lua_close(L);
    sink += yes;
    return ns;
}

/* ns per re.test, called from a Lua loop in the sandbox (the loop's own
 * cost is measured with a loop calling a no-op and subtracted). */
static double sandboxed_re_test(cx_sandbox *sb, int pack, long n)
{
    cx_tnode count = {CX_TINT, 0, "", {.integer = n}};
    const cx_tnode *args[] = {&count};
    const cx_tnode *result;
    cx_error err;
    double ns[2];
    cx_error_clear(&err);
    for (int ordinal = 1; ordinal <= 2; ordinal++) {
        cx__sandbox_begin_decision(sb, 1);
        double t0 = now_ns();
        if (cx__sandbox_call(sb, pack, ordinal, args, 1, &result, &err) != CX_OK)
            fail("re.test loop", &err);
        ns[ordinal - 1] = (now_ns() - t0) / (double)n;
        if (result->as.table.items[0]->as.integer != n) fprintf(stderr, "bench_sandbox: ?\n");
    }
    return ns[0] - ns[1];
}

static double plain_pcre2(long n)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &code, &offset, NULL);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    long hits = 0;
    if (!re || !md) exit(1);
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        hits += pcre2_match(re, (PCRE2_SPTR)subject, strlen(subject), 0, 0, md, NULL) > 0;
    double ns = (now_ns() - t0) / (double)n;
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    sink += hits;
    return ns;
}

int main(int argc, char **argv)
{
    long calls = argc > 1 ? atol(argv[1]) : 2000000;
    cx_sandbox_limits limits = {(uint64_t)1 << 40, (size_t)1 << 30, -1};
    cx_sandbox *sb;
    cx_error err;
    char source[1024];
    int pack;
    cx_error_clear(&err);
    if (cx__sandbox_new(&limits, NULL, NULL, &sb, &err) != CX_OK) fail("sandbox", &err);
    snprintf(source, sizeof source,
             "declare('bench', {\n"
             "  %s,\n"
             "  function(n) local c = 0 for i = 1, n do\n"
             "    if re.test('%s', '%s') then c = c + 1 end end return c end,\n"
             "  function(n) local c, f = 0, function() return true end for i = 1, n do\n"
             "    if f('%s', '%s') then c = c + 1 end end return c end,\n"
             "})\n",
             predicate, pattern, subject, pattern, subject);
    if (cx__sandbox_load_buffer(sb, "bench.lua", source, strlen(source), &pack, &err) != CX_OK)
        fail("load", &err);

    double plain = plain_call(calls);
    double in_call = sandboxed_call(sb, pack, calls, 0);
    double in_decision = sandboxed_call(sb, pack, calls, 1);
    printf("predicate call, plain lua_pcall:            %8.1f ns\n", plain);
    printf("predicate call, cx__sandbox_call:           %8.1f ns  (%.2fx)\n", in_call,
           in_call / plain);
    printf("  with a begin_decision before each call:   %8.1f ns  (%.2fx)\n", in_decision,
           in_decision / plain);

    double pcre = plain_pcre2(calls);
    double from_lua = sandboxed_re_test(sb, pack, calls);
    printf("regex test, pcre2_match in C:               %8.1f ns\n", pcre);
    printf("regex test, re.test from sandboxed Lua:     %8.1f ns  (%.2fx)\n", from_lua,
           from_lua / pcre);
    cx__sandbox_free(sb);
    return 0;
}
