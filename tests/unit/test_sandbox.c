/*
 * test_sandbox.c -- the rule-pack sandbox (runtime/sandbox*.c, lua_api.c):
 * every hostile pack in tests/sandbox/ is stopped by the rule or limit it
 * targets, at the line it says, and a good pack still loads afterwards;
 * the limits themselves; the neutral tree; determinism across states.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox.h"
#include "test.h"
#include "util.h"

/* ---------------------------------------------------------------- helpers */

#define MAX_PRINTS 256

typedef struct prints {
    int n;                      /* lines received */
    char line[MAX_PRINTS][256]; /* the first MAX_PRINTS of them */
} prints;

static void collect_print(void *ud, const char *line)
{
    prints *p = ud;
    if (p->n < MAX_PRINTS) snprintf(p->line[p->n], sizeof p->line[0], "%s", line);
    p->n++;
}

static prints printed; /* what the sandboxes of the current case printed */

static cx_sandbox *sandbox_with(uint64_t instructions, size_t memory, int print_lines)
{
    cx_sandbox_limits limits = {instructions, memory, print_lines};
    cx_sandbox *sb = NULL;
    cx_error err;
    cx_error_clear(&err);
    memset(&printed, 0, sizeof printed);
    if (cx__sandbox_new(&limits, collect_print, &printed, &sb, &err) != CX_OK)
        fprintf(stderr, "  cx__sandbox_new: %s\n", err.message);
    return sb;
}

static cx_sandbox *sandbox(void)
{
    return sandbox_with(0, 0, 0);
}

static const char *sandbox_path(const char *file)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/tests/sandbox/%s", TEST_SRC, file);
    return path;
}

/* Loads Lua source from a string; returns the pack index or -1 (err set). */
static int load(cx_sandbox *sb, const char *name, const char *source, cx_error *err)
{
    int pack = -1;
    cx_error_clear(err);
    cx__sandbox_load_buffer(sb, name, source, strlen(source), &pack, err);
    return pack;
}

/* Appends a readable form of a tree: lists [..], maps {..} (items first,
 * then key=value), strings "..", functions fn#ordinal; with_lines adds
 * @line after every table and function. */
static void tree_text(cx_buf *b, const cx_tnode *n, int with_lines)
{
    switch (n->kind) {
    case CX_TNIL:
        cx__buf_puts(b, "nil");
        return;
    case CX_TBOOL:
        cx__buf_puts(b, n->as.boolean ? "true" : "false");
        return;
    case CX_TINT:
        cx__buf_printf(b, "%lld", (long long)n->as.integer);
        return;
    case CX_TFLOAT:
        cx__buf_printf(b, "%.17g", n->as.number);
        return;
    case CX_TSTRING:
        cx__buf_printf(b, "\"%s\"", n->as.string.bytes);
        return;
    case CX_TFUNC:
        cx__buf_printf(b, "fn#%d", n->as.func.ordinal);
        if (with_lines) cx__buf_printf(b, "@%d", n->line);
        return;
    case CX_TLIST:
    case CX_TMAP:
        break;
    }
    cx__buf_puts(b, n->kind == CX_TLIST ? "[" : "{");
    for (size_t i = 0; i < n->as.table.nitems; i++) {
        if (i) cx__buf_puts(b, ",");
        tree_text(b, n->as.table.items[i], with_lines);
    }
    for (size_t i = 0; i < n->as.table.nfields; i++) {
        if (i || n->as.table.nitems) cx__buf_puts(b, ",");
        cx__buf_printf(b, "%s=", n->as.table.fields[i].key);
        tree_text(b, n->as.table.fields[i].value, with_lines);
    }
    cx__buf_puts(b, n->kind == CX_TLIST ? "]" : "}");
    if (with_lines) cx__buf_printf(b, "@%d", n->line);
}

/* The text of a tree in a static buffer (valid until the next call). */
static const char *text_of(const cx_tnode *n, int with_lines)
{
    static char out[8192];
    cx_buf b;
    cx__buf_init(&b);
    if (n) tree_text(&b, n, with_lines);
    snprintf(out, sizeof out, "%s", n ? (b.data ? b.data : "") : "(null)");
    cx__buf_free(&b);
    return out;
}

/* The value of declaration i of a pack ({kind, value}). */
static const cx_tnode *declared(const cx_sandbox *sb, int pack, size_t i)
{
    const cx_tnode *tree = cx__sandbox_pack_tree(sb, pack);
    if (!tree || i >= tree->as.table.nitems) return NULL;
    return cx__tnode_field(tree->as.table.items[i], "value");
}

/* Calls function ordinal of pack with no arguments; the text of the
 * results, or "error N: message" (file and line in err). */
static const char *call0(cx_sandbox *sb, int pack, int ordinal, cx_error *err)
{
    static char out[8300];
    const cx_tnode *result;
    cx_error_clear(err);
    if (cx__sandbox_call(sb, pack, ordinal, NULL, 0, &result, err) != CX_OK) {
        snprintf(out, sizeof out, "error %d: %s", err->code, err->message);
        return out;
    }
    snprintf(out, sizeof out, "%s", text_of(result, 0));
    return out;
}

/* ---------------------------------------------------------- hostile packs */

/* Each escape attempt: which rule or limit stops it, and where. */
static const struct hostile {
    const char *file;    /* in tests/sandbox/ */
    int code;            /* CX_EINPUT: a rule of the sandbox; CX_ELIMIT: a limit */
    const char *message; /* a substring of the error message */
    int line;            /* where, in the pack */
} hostile[] = {
    {"os.lua", CX_EINPUT, "undefined global 'os'", 3},
    {"io.lua", CX_EINPUT, "undefined global 'io'", 3},
    {"require.lua", CX_EINPUT, "undefined global 'require'", 3},
    {"package.lua", CX_EINPUT, "undefined global 'package'", 3},
    {"debug.lua", CX_EINPUT, "undefined global 'debug'", 3},
    {"load.lua", CX_EINPUT, "undefined global 'load'", 3},
    {"dofile.lua", CX_EINPUT, "undefined global 'dofile'", 3},
    {"collectgarbage.lua", CX_EINPUT, "undefined global 'collectgarbage'", 3},
    {"coroutine.lua", CX_EINPUT, "undefined global 'coroutine'", 3},
    {"sandbox_private.lua", CX_EINPUT, "undefined global '_sandbox'", 3},
    {"dump.lua", CX_EINPUT, "string.dump is not available in rule code", 3},
    {"dump_method.lua", CX_EINPUT, "string.dump is not available in rule code", 3},
    {"loop.lua", CX_ELIMIT, "instruction limit (10000000) exceeded", 5},
    {"loop_pcall.lua", CX_ELIMIT, "instruction limit (10000000) exceeded", 5},
    {"memory_table.lua", CX_ELIMIT, "memory limit (64 MiB) exceeded", 5},
    {"memory_string.lua", CX_ELIMIT, "string limit (64 KiB) exceeded", 6},
    {"string_compare.lua", CX_ELIMIT,
     "string limit (64 KiB) exceeded: string.rep would make 524288 bytes", 4},
    {"memory_pcall.lua", CX_ELIMIT, "memory limit (64 MiB) exceeded", 5},
    {"string_rep.lua", CX_ELIMIT,
     "string limit (64 KiB) exceeded: string.rep would make 1000000000000 bytes", 3},
    {"table_move.lua", CX_ELIMIT, "instruction limit (10000000) exceeded in table.move", 3},
    {"table_concat.lua", CX_ELIMIT, "instruction limit (10000000) exceeded in table.concat", 6},
    {"pattern.lua", CX_ELIMIT, "instruction limit (10000000) exceeded in string.find", 4},
    {"regex.lua", CX_ELIMIT, "regex limit", 4},
    {"string_metatable.lua", CX_EINPUT, "cannot assign to 'upper' in read-only table 'string'", 3},
    {"string_metatable_index.lua", CX_EINPUT,
     "cannot assign to '__index' in read-only table 'string metatable'", 3},
    {"rawset_stdlib.lua", CX_EINPUT, "rawset: cannot modify a read-only table", 3},
    {"rawset_string_metatable.lua", CX_EINPUT, "rawset: cannot modify a read-only table", 3},
    {"assign_stdlib.lua", CX_EINPUT, "cannot assign to 'floor' in read-only table 'math'", 3},
    {"deep_recursion.lua", CX_ELIMIT, "memory limit (64 MiB) exceeded", 4},
    {"gsub_recursion.lua", CX_ELIMIT, "C stack overflow", 4},
    {"deep_nesting.lua", CX_ELIMIT, "nesting too deep", 4},
    {"gc_finalizer.lua", CX_EINPUT, "__gc is not allowed", 3},
    {"weak_table.lua", CX_EINPUT, "__mode is not allowed", 3},
    {"weak_table_late.lua", CX_EINPUT, "__mode was added to a metatable after setmetatable", 4},
    {"setmetatable_string.lua", CX_EINPUT, "table expected, got string", 3},
    {"format_address.lua", CX_EINPUT, "'%p' is not allowed", 3},
    {"xpcall_handler.lua", CX_ELIMIT, "instruction limit (10000000) exceeded", 5},
    {"close_loop.lua", CX_ELIMIT, "instruction limit (10000000) exceeded", 5},
};

/* The good pack's declarations, with their lines: a helper's rule cites the
 * helper's caller. */
#define GOOD_TREE                                                                                  \
    "[{kind=\"rule\",value={id=\"GOOD-1\",parts=[\"A\",\"B\"]@9}@9}@9,"                            \
    "{kind=\"rule\",value={id=\"GOOD-2\",parts={check=fn#0@10}@10}@10}@10]@1"

static void check_good_pack(cx_sandbox *sb, const char *after)
{
    cx_error err;
    int pack = -1;
    cx_error_clear(&err);
    if (cx__sandbox_load_pack(sb, sandbox_path("good.lua"), &pack, &err) != CX_OK) {
        fprintf(stderr, "  good.lua after %s: %s:%d: %s\n", after, err.file, err.line, err.message);
        CHECK(0);
        return;
    }
    CHECK_STR(text_of(cx__sandbox_pack_tree(sb, pack), 1), GOOD_TREE);
}

TEST(hostile_packs_are_stopped_where_they_try)
{
    cx_sandbox *sb = sandbox();
    CHECK(sb != NULL);
    if (!sb) return;
    for (size_t i = 0; i < CX_COUNT(hostile); i++) {
        const struct hostile *h = &hostile[i];
        const char *path = sandbox_path(h->file);
        int before = cx__sandbox_pack_count(sb), pack = 0;
        cx_error err;
        cx_error_clear(&err);
        int rc = cx__sandbox_load_pack(sb, path, &pack, &err);
        if (rc != h->code || !strstr(err.message, h->message) || err.line != h->line ||
            strcmp(err.file, path) != 0) {
            fprintf(stderr, "  %s: got %d %s:%d: %s\n  expected %d at line %d: %s\n", h->file, rc,
                    err.file, err.line, err.message, h->code, h->line, h->message);
            test_failed_ = 1;
        }
        CHECK_INT(pack, -1);
        CHECK_INT(cx__sandbox_pack_count(sb), before); /* a failed load leaves nothing */
        check_good_pack(sb, h->file);
    }
    cx__sandbox_free(sb);
}

TEST(one_pack_cannot_change_what_another_sees)
{
    cx_sandbox *sb = sandbox();
    cx_error err;
    int a = -1, b = -1;
    cx_error_clear(&err);
    CHECK_INT(cx__sandbox_load_pack(sb, sandbox_path("redefine_a.lua"), &a, &err), CX_OK);
    CHECK_INT(cx__sandbox_load_pack(sb, sandbox_path("redefine_b.lua"), &b, &err), CX_OK);
    CHECK_STR(err.message, "");
    CHECK_STR(text_of(declared(sb, a, 0), 0), "{by=\"redefine_a\"}");
    CHECK_STR(text_of(declared(sb, b, 0), 0), "{by=\"redefine_b\",upper=\"A\"}");
    check_good_pack(sb, "redefine_b.lua");
    cx__sandbox_free(sb);
}

/* ----------------------------------------------------------------- limits */

TEST(instruction_limit_is_counted_at_load)
{
    cx_sandbox *sb = sandbox_with(100000, 0, 0);
    cx_error err;
    CHECK(load(sb, "short.lua", "for i = 1, 10000 do end\n", &err) == 0);
    CHECK(load(sb, "long.lua", "local n = 0\nwhile true do\n  n = n + 1\nend\n", &err) < 0);
    CHECK_INT(err.code, CX_ELIMIT);
    CHECK_STR(err.message, "instruction limit (100000) exceeded");
    CHECK_STR(err.file, "long.lua");
    CHECK_INT(err.line, 3);
    CHECK(load(sb, "short2.lua", "for i = 1, 10000 do end\n", &err) == 1); /* budget reset */
    cx__sandbox_free(sb);
}

/* A pack whose function f uses about 800,000 instructions, g almost none,
 * and h loops inside pcall. */
static const char *const budget_pack =
    "f = function() local n = 0 for i = 1, 400000 do n = n + i end return n end\n"
    "g = function() return 'small' end\n"
    "h = function() local ok = pcall(function() while true do end end) return ok end\n"
    "declare('fns', { f, g, h })\n";

TEST(instruction_budget_is_per_decision_and_sticky)
{
    cx_sandbox *sb = sandbox_with(1000000, 0, 0);
    cx_error err;
    int pack = load(sb, "budget.lua", budget_pack, &err);
    CHECK_INT(pack, 0);
    for (int d = 0; d < 3; d++) { /* each decision has its own budget */
        cx__sandbox_begin_decision(sb, (uint64_t)d);
        CHECK_STR(call0(sb, pack, 0, &err), "[80000200000]");
    }
    cx__sandbox_begin_decision(sb, 7); /* two in one decision exceed it */
    CHECK_STR(call0(sb, pack, 0, &err), "[80000200000]");
    CHECK_STR(call0(sb, pack, 0, &err), "error 6: instruction limit (1000000) exceeded");
    CHECK_INT(err.line, 1);
    CHECK_STR(err.file, "budget.lua");
    CHECK_STR(call0(sb, pack, 1, &err), "error 6: instruction limit (1000000) exceeded");
    cx__sandbox_begin_decision(sb, 8); /* pcall cannot swallow the trip */
    CHECK_STR(call0(sb, pack, 2, &err), "error 6: instruction limit (1000000) exceeded");
    CHECK_INT(err.line, 3);
    CHECK_STR(call0(sb, pack, 1, &err), "error 6: instruction limit (1000000) exceeded");
    CHECK_INT(err.line, 3); /* where it tripped, not where the later call ran */
    cx__sandbox_begin_decision(sb, 9);
    CHECK_STR(call0(sb, pack, 1, &err), "[\"small\"]");
    cx__sandbox_free(sb);
}

TEST(memory_limit_counts_bytes_allocated_and_is_sticky)
{
    cx_sandbox *sb = sandbox_with(0, (size_t)1 << 20, 0);
    cx_error err;
    CHECK(sb != NULL);
    if (!sb) return;
    CHECK(load(sb, "grow.lua", "local t = {}\nfor i = 1, 1e6 do\n  t[i] = i\nend\n", &err) < 0);
    CHECK_INT(err.code, CX_ELIMIT);
    CHECK_STR(err.message, "memory limit (1 MiB) exceeded");
    CHECK_INT(err.line, 3);
    int pack = load(sb, "churn.lua",
                    "big = function() local ok = pcall(function() local t = {}\n"
                    "  while true do t[#t + 1] = {} end end) return ok end\n"
                    "small = function() return #('x'):rep(1000) end\n"
                    "churn = function() for i = 1, 50 do local s = ('y'):rep(4000) .. i end\n"
                    "  return 'done' end\n"
                    "declare('fns', { big, small, churn })\n",
                    &err);
    CHECK_INT(pack, 0); /* the failed load left no pack behind */
    cx__sandbox_begin_decision(sb, 1);
    CHECK_STR(call0(sb, pack, 0, &err), "error 6: memory limit (1 MiB) exceeded");
    CHECK_INT(err.line, 2);
    CHECK_STR(call0(sb, pack, 1, &err), "error 6: memory limit (1 MiB) exceeded");
    cx__sandbox_begin_decision(sb, 2);
    CHECK_STR(call0(sb, pack, 1, &err), "[1000]");
    /* bytes allocated, not the live heap: each call leaves ~600 KB of garbage,
     * and the second call of the decision passes the cap */
    CHECK_STR(call0(sb, pack, 2, &err), "[\"done\"]");
    CHECK_CONTAINS(call0(sb, pack, 2, &err), "error 6: memory limit (1 MiB) exceeded");
    CHECK_INT(err.line, 4);
    cx__sandbox_free(sb);
}

TEST(string_limit_bounds_every_string)
{
    cx_sandbox_limits limits = {0, 0, 0, 1000};
    cx_sandbox *sb = NULL;
    cx_error err;
    cx_error_clear(&err);
    CHECK_INT(cx__sandbox_new(&limits, NULL, NULL, &sb, &err), CX_OK);
    CHECK(load(sb, "ok.lua", "local s = ('x'):rep(1000)\n", &err) == 0);
    CHECK(load(sb, "concat.lua", "local s = ('x'):rep(600)\nlocal t = s .. s\n", &err) < 0);
    CHECK_INT(err.code, CX_ELIMIT);
    CHECK_STR(err.message, "string limit (1000 bytes) exceeded");
    CHECK_INT(err.line, 2);
    CHECK(load(sb, "table.lua",
               "local t = {}\nfor i = 1, 300 do t[i] = 'abcd' end\n"
               "local s = table.concat(t)\n",
               &err) < 0);
    CHECK_STR(err.message, "string limit (1000 bytes) exceeded");
    CHECK_INT(err.line, 3);
    CHECK(load(sb, "literal.lua", "local a = 1\nlocal s = [[", &err) < 0); /* unfinished */
    CHECK_INT(err.code, CX_EINPUT);
    cx__sandbox_free(sb);
}

TEST(lua_stack_overflow_is_a_limit)
{
    cx_sandbox *sb = sandbox_with(0, (size_t)512 << 20, 0);
    cx_error err;
    CHECK(load(sb, "deep.lua", "local function dive(n)\n  return dive(n + 1) + 1\nend\ndive(1)\n",
               &err) < 0);
    CHECK_INT(err.code, CX_ELIMIT);
    CHECK_STR(err.message, "stack overflow");
    CHECK_INT(err.line, 2);
    cx__sandbox_free(sb);
}

TEST(print_is_located_and_bounded)
{
    cx_sandbox *sb = sandbox_with(0, 0, 3);
    cx_error err;
    int pack = load(sb, "talk.lua",
                    "for i = 1, 5 do\n  print('line', i, {}, nil, 'a\\nb')\nend\n"
                    "declare('fns', { function() print(true) end })\n",
                    &err);
    CHECK_INT(pack, 0);
    CHECK_INT(printed.n, 4);
    CHECK_STR(printed.line[0], "talk.lua:2: line\t1\ttable\tnil\ta\\nb");
    CHECK_STR(printed.line[2], "talk.lua:2: line\t3\ttable\tnil\ta\\nb");
    CHECK_STR(printed.line[3], "talk.lua:2: print limit (3 lines) reached; further output dropped");
    cx__sandbox_begin_decision(sb, 1); /* a decision has its own lines */
    CHECK_STR(call0(sb, pack, 0, &err), "[]");
    CHECK_INT(printed.n, 5);
    CHECK_STR(printed.line[4], "talk.lua:4: true");
    cx__sandbox_free(sb);
    sb = sandbox_with(0, 0, -1); /* -1: print writes nothing */
    CHECK_INT(load(sb, "quiet.lua", "print('x')\n", &err), 0);
    CHECK_INT(printed.n, 0);
    cx__sandbox_free(sb);
}

/* ------------------------------------------------------ errors and loads */

TEST(errors_name_the_pack_file_and_line)
{
    static const struct {
        const char *source;
        int code, line;
        const char *message;
    } cases[] = {
        {"local a = 1\n\nx = = 2\n", CX_EINPUT, 3, "unexpected symbol near '='"},
        {"local a = {}\nlocal b = a.x.y\n", CX_EINPUT, 2,
         "attempt to index a nil value (field 'x')"},
        {"local function f()\n  error('from a helper')\nend\nf()\n", CX_EINPUT, 2, "from a helper"},
        {"error({})\n", CX_EINPUT, 1, "error object is a table value"},
        {"\x1bLua\x54\x00", CX_EINPUT, 0, "attempt to load a binary chunk (mode is 't')"},
        {"declar('rule', {})\n", CX_EINPUT, 1,
         "undefined global 'declar' (did you mean 'declare'?)"},
        {"declare('rule', 5)\n", CX_EINPUT, 1, "the value of a rule must be a table, got number"},
        {"local a, b = 1, 0\n\nlocal c = a % 0\n", CX_EINPUT, 3, "attempt to perform 'n%0'"},
        {"for p in utf8.codes('a\\x80b') do end\n", CX_EINPUT, 1, "invalid UTF-8 code"},
    };
    cx_sandbox *sb = sandbox();
    for (size_t i = 0; i < CX_COUNT(cases); i++) {
        cx_error err;
        CHECK(load(sb, "rules/x.lua", cases[i].source, &err) < 0);
        CHECK_INT(err.code, cases[i].code);
        CHECK_INT(err.line, cases[i].line);
        CHECK_STR(err.file, "rules/x.lua");
        CHECK_CONTAINS(err.message, cases[i].message);
    }
    CHECK_INT(cx__sandbox_pack_count(sb), 0);
    cx__sandbox_free(sb);
}

TEST(long_paths_keep_their_lines)
{
    /* longer than LUA_IDSIZE (60): Lua cuts the name in its messages */
    const char *path = "/a/very/long/directory/name/that/goes/on/and/on/rules/ca-ev/stacks.lua";
    cx_sandbox *sb = sandbox();
    cx_error err;
    CHECK(load(sb, path, "local a = 1\n\nx = = 2\n", &err) < 0);
    CHECK_STR(err.file, path);
    CHECK_INT(err.line, 3);
    CHECK_STR(err.message, "unexpected symbol near '='");
    CHECK(load(sb, path, "local a = 1\nlocal b = nil + a\n", &err) < 0);
    CHECK_STR(err.file, path);
    CHECK_INT(err.line, 2);
    CHECK_STR(err.message, "attempt to perform arithmetic on a nil value");
    cx__sandbox_free(sb);
}

TEST(unreadable_pack_is_an_input_error)
{
    cx_sandbox *sb = sandbox();
    cx_error err;
    int pack = 5;
    cx_error_clear(&err);
    CHECK_INT(cx__sandbox_load_pack(sb, sandbox_path("no-such-pack.lua"), &pack, &err), CX_EINPUT);
    CHECK_INT(pack, -1);
    CHECK_CONTAINS(err.message, "cannot open the pack");
    CHECK_STR(err.file, sandbox_path("no-such-pack.lua"));
    cx__sandbox_free(sb);
}

/* --------------------------------------------------------------- libraries */

TEST(restricted_libraries_behave_like_lua)
{
    cx_sandbox *sb = sandbox();
    cx_error err;
    int pack = -1;
    cx_error_clear(&err);
    CHECK_INT(cx__sandbox_load_pack(sb, sandbox_path("libraries.lua"), &pack, &err), CX_OK);
    CHECK_STR(err.message, "");
    CHECK_INT(err.line, 0);
    CHECK_STR(text_of(declared(sb, pack, 0), 0), "{ok=true}");
    cx__sandbox_free(sb);
}

TEST(shared_tables_list_only_what_is_allowed)
{
    cx_sandbox *sb = sandbox();
    cx_error err;
    int pack =
        load(sb, "names.lua",
             "local function names(t) local out = {}\n"
             "  for k in pairs(t) do out[#out + 1] = k end return table.concat(out, ' ') end\n"
             "declare('names', { string = names(string), table = names(table),\n"
             "  utf8 = names(utf8), re = names(re), dates = names(dates) })\n",
             &err);
    CHECK_INT(pack, 0);
    CHECK_STR(text_of(declared(sb, pack, 0), 0),
              "{dates=\"add after before compare days format parse sub valid\","
              "re=\"gsub match test\","
              "string=\"byte char find format gmatch gsub len lower match rep reverse sub upper\","
              "table=\"concat insert move pack remove sort unpack\","
              "utf8=\"char charpattern codepoint codes len offset\"}");
    cx__sandbox_free(sb);
}

/* ------------------------------------------------------------------- trees */

TEST(tree_nodes_lists_maps_and_shared_tables)
{
    cx_sandbox *sb = sandbox();
    cx_error err;
    int pack = load(sb, "shapes.lua",
                    "local shared = { 's' }\n"
                    "declare('shapes', {\n"
                    "  list = { 1, 2.5, 'three', true },\n"
                    "  map = { b = 2, a = 1, [1] = 'item' },\n"
                    "  empty = {},\n"
                    "  shared1 = shared, shared2 = shared,\n"
                    "  fn = function() end,\n"
                    "})\n",
                    &err);
    CHECK_INT(pack, 0);
    const cx_tnode *v = declared(sb, pack, 0);
    CHECK_STR(text_of(v, 0), "{empty=[],fn=fn#0,list=[1,2.5,\"three\",true],"
                             "map={\"item\",a=1,b=2},shared1=[\"s\"],shared2=[\"s\"]}");
    CHECK(cx__tnode_field(v, "shared1") == cx__tnode_field(v, "shared2")); /* one node */
    CHECK(cx__tnode_field(v, "nope") == NULL);
    CHECK(cx__tnode_field(cx__tnode_field(v, "list"), "a") == NULL); /* not a map */
    CHECK_INT(cx__tnode_field(v, "list")->kind, CX_TLIST);
    CHECK_INT(cx__tnode_field(v, "map")->kind, CX_TMAP);
    CHECK_INT(cx__tnode_field(v, "fn")->line, 7); /* a function: the line it is defined */
    CHECK_INT(v->line, 2);                        /* otherwise the declaration's line */
    CHECK_STR(v->file, "shapes.lua");
    cx__sandbox_free(sb);
}

TEST(tree_refuses_what_c_cannot_hold)
{
    static const struct {
        const char *source, *message;
        int line;
    } cases[] = {
        {"local t = {}\nt.self = t\ndeclare('x', t)\n", "a rule table contains itself (a cycle)",
         3},
        {"declare('x', {1, nil, 3})\n", "a rule table's list has a hole at [2]", 1},
        {"declare('x', {[true] = 1})\n", "cannot have the key true (a boolean)", 1},
        {"declare('x', {[1.5] = 1})\n", "cannot have the key 1.5 (a number)", 1},
        {"declare('x', {[0] = 1})\n", "cannot have the key 0 (a number)", 1},
        {"local t = {}\nlocal c = t\nfor i = 1, 100 do c.x = {} c = c.x end\n\ndeclare('x', t)\n",
         "rule tables nested deeper than 64", 5},
    };
    cx_sandbox *sb = sandbox();
    for (size_t i = 0; i < CX_COUNT(cases); i++) {
        cx_error err;
        CHECK(load(sb, "bad-tree.lua", cases[i].source, &err) < 0);
        CHECK_INT(err.code, CX_EINPUT);
        CHECK_CONTAINS(err.message, cases[i].message);
        CHECK_INT(err.line, cases[i].line);
    }
    cx__sandbox_free(sb);
}

TEST(function_ordinals_follow_the_walk)
{
    cx_sandbox *sb = sandbox();
    cx_error err;
    int pack = load(sb, "fns.lua",
                    "local same = function() return 'same' end\n"
                    "declare('fns', { function() return 'item' end,\n"
                    "  b = function() return 'b' end, a = function() return 'a' end,\n"
                    "  again = same, also = same })\n",
                    &err);
    CHECK_INT(pack, 0);
    CHECK_STR(text_of(declared(sb, pack, 0), 0), "{fn#0,a=fn#1,again=fn#2,also=fn#2,b=fn#3}");
    CHECK_INT(cx__sandbox_function_count(sb, pack), 4);
    cx__sandbox_begin_decision(sb, 1);
    CHECK_STR(call0(sb, pack, 0, &err), "[\"item\"]");
    CHECK_STR(call0(sb, pack, 1, &err), "[\"a\"]");
    CHECK_STR(call0(sb, pack, 2, &err), "[\"same\"]");
    CHECK_STR(call0(sb, pack, 3, &err), "[\"b\"]");
    CHECK_STR(call0(sb, pack, 4, &err), "error 2: no function 4 in the pack");
    cx__sandbox_free(sb);
}

TEST(global_trees_of_a_pack)
{
    cx_sandbox *sb = sandbox();
    cx_error err;
    const cx_tnode *tree = NULL;
    int pack = load(sb, "globals.lua",
                    "config = { window = { span = 'P5Y' }, order = { 3, 1 } }\n"
                    "helper = function() return 1 end\n",
                    &err);
    CHECK_INT(pack, 0);
    CHECK_INT(cx__sandbox_global_tree(sb, pack, "config", &tree, &err), CX_OK);
    CHECK_STR(text_of(tree, 0), "{order=[3,1],window={span=\"P5Y\"}}");
    CHECK_INT(cx__sandbox_global_tree(sb, pack, "helper", &tree, &err), CX_OK);
    CHECK_STR(text_of(tree, 0), "fn#0");
    CHECK_INT(cx__sandbox_function_count(sb, pack), 1);
    CHECK_INT(cx__sandbox_global_tree(sb, pack, "missing", &tree, &err), CX_EINPUT);
    CHECK_CONTAINS(err.message, "undefined global 'missing'");
    CHECK(tree == NULL);
    cx__sandbox_free(sb);
}

/* ------------------------------------------------------------------- calls */

TEST(calls_take_neutral_arguments)
{
    cx_sandbox *sb = sandbox();
    cx_error err;
    int pack = load(sb, "args.lua",
                    "declare('fns', {\n"
                    "  function(a, b) return a.name, #a.items, rawequal(a.items, b), b[2] end,\n"
                    "  function(f, x) return f(x) end,\n"
                    "  function() return function() end end,\n"
                    "  function(x) return x * 2 end,\n"
                    "  function(m) return m[1], m.k, m.flag, m.none end,\n"
                    "})\n",
                    &err);
    CHECK_INT(pack, 0);
    cx_tnode ten = {CX_TINT, 0, "", {.integer = 10}}, twenty = {CX_TINT, 0, "", {.integer = 20}};
    cx_tnode name = {CX_TSTRING, 0, "", {.string = {"x", 1}}};
    const cx_tnode *item_ptrs[] = {&ten, &twenty};
    cx_tnode items = {CX_TLIST, 0, "", {.table = {item_ptrs, 2, NULL, 0}}};
    cx_tfield fields[] = {{"items", 5, &items}, {"name", 4, &name}};
    cx_tnode map = {CX_TMAP, 0, "", {.table = {NULL, 0, fields, 2}}};
    const cx_tnode *args[] = {&map, &items};
    const cx_tnode *result = NULL;
    cx__sandbox_begin_decision(sb, 1);
    CHECK_INT(cx__sandbox_call(sb, pack, 0, args, 2, &result, &err), CX_OK);
    CHECK_STR(text_of(result, 0), "[\"x\",2,true,20]"); /* one node, one table */
    cx_tnode doubler = {CX_TFUNC, 0, "", {.func = {pack, 3}}};
    const cx_tnode *fargs[] = {&doubler, &twenty};
    CHECK_INT(cx__sandbox_call(sb, pack, 1, fargs, 2, &result, &err), CX_OK);
    CHECK_STR(text_of(result, 0), "[40]");
    CHECK_INT(cx__sandbox_call(sb, pack, 2, NULL, 0, &result, &err), CX_EINPUT);
    CHECK_CONTAINS(err.message, "a function cannot be a result handed to C");
    cx_tnode yes = {CX_TBOOL, 0, "", {.boolean = 1}}, none = {CX_TNIL, 0, "", {.integer = 0}};
    cx_tfield mixed_fields[] = {{"flag", 4, &yes}, {"k", 1, &name}, {"none", 4, &none}};
    const cx_tnode *mixed_items[] = {&twenty};
    cx_tnode mixed = {CX_TMAP, 0, "", {.table = {mixed_items, 1, mixed_fields, 3}}};
    const cx_tnode *margs[] = {&mixed};
    CHECK_INT(cx__sandbox_call(sb, pack, 4, margs, 1, &result, &err), CX_OK);
    CHECK_STR(text_of(result, 0), "[20,\"x\",true,nil]");
    cx__sandbox_free(sb);
}

TEST(decisions_cannot_change_the_pack)
{
    cx_sandbox *sb = sandbox();
    cx_error err;
    int pack =
        load(sb, "frozen.lua",
             "count = 0\n"
             "declare('fns', {\n"
             "  function() count = count + 1 return count end,\n"
             "  function() declare('late', {}) end,\n"
             "  function() local n = 0 for k in pairs(_ENV) do n = n + 1 end return n, count end,\n"
             "  function() string.upper = nil end,\n"
             "  function() return string.upper({}) end,\n"
             "})\n",
             &err);
    CHECK_INT(pack, 0);
    cx__sandbox_begin_decision(sb, 1);
    CHECK_STR(call0(sb, pack, 0, &err),
              "error 3: cannot assign to global 'count': a pack's globals are read-only once it "
              "has loaded");
    CHECK_INT(err.line, 3);
    CHECK_STR(call0(sb, pack, 1, &err),
              "error 3: rules can only be declared while a pack loads, not during a decision");
    CHECK_INT(err.line, 4);
    CHECK_STR(call0(sb, pack, 2, &err), "[1,0]"); /* its globals are still there */
    CHECK_CONTAINS(call0(sb, pack, 3, &err), "read-only table 'string'");
    CHECK_STR(call0(sb, pack, 4, &err), "error 3: bad argument #1 to 'upper' (string expected, "
                                        "got table)");
    CHECK_INT(err.line, 7); /* a tail call left no frame of the pack: where f is defined */
    cx__sandbox_free(sb);
}

/* ------------------------------------------------------------- determinism */

static const char *const ordered_pack =
    "local t = { [false] = 0, [1] = 'one', [2.5] = 'x', [-3] = 'neg' }\n"
    "for i = 1, 300 do t['k' .. i] = i end\n"
    "local keys = {}\n"
    "for k in pairs(t) do keys[#keys + 1] = tostring(k) end\n"
    "local removed = {}\n"
    "for k in pairs(t) do t[k] = nil; removed[#removed + 1] = tostring(k) end\n"
    "declare('det', { order = table.concat(keys, ' '), removed = #removed,\n"
    "  random = { math.random(1, 1000000000), math.random(1, 1000000000) },\n"
    "  f = function(m)\n"
    "    local ks = {} for k in pairs(m) do ks[#ks + 1] = k end\n"
    "    local a = math.random(1, 1000000000)\n"
    "    math.randomseed()\n"
    "    return table.concat(ks, ','), a, math.random(1, 1000000000) == a\n"
    "  end })\n";

/* Loads the ordered pack after `before` other packs (and `after` more),
 * then runs its function in a decision seeded with seed; the text of its
 * tree and its results. */
static void ordered_run(int before, int after, uint64_t seed, char *out, size_t size)
{
    static const char *const others[] = {"good.lua", "redefine_a.lua", "libraries.lua"};
    cx_sandbox *sb = sandbox();
    cx_error err;
    int pack = -1, other = -1;
    for (int i = 0; i < before; i++)
        cx__sandbox_load_pack(sb, sandbox_path(others[i]), &other, &err);
    pack = load(sb, "ordered.lua", ordered_pack, &err);
    for (int i = 0; i < after; i++)
        cx__sandbox_load_pack(sb, sandbox_path(others[i]), &other, &err);
    const cx_tnode *tree = cx__sandbox_pack_tree(sb, pack);
    cx_tnode zebra = {CX_TINT, 0, "", {.integer = 1}};
    cx_tfield fields[] = {{"alpha", 5, &zebra}, {"mid", 3, &zebra}, {"zebra", 5, &zebra}};
    cx_tnode map = {CX_TMAP, 0, "", {.table = {NULL, 0, fields, 3}}};
    const cx_tnode *args[] = {&map};
    const cx_tnode *result = NULL;
    cx__sandbox_begin_decision(sb, seed);
    cx__sandbox_call(sb, pack, 0, args, 1, &result, &err);
    snprintf(out, size, "%s", text_of(tree, 1));
    snprintf(out + strlen(out), size - strlen(out), " | %s", text_of(result, 0));
    cx__sandbox_free(sb);
}

TEST(same_pack_same_tree_and_results_in_any_state)
{
    static char first[8192], other[8192];
    ordered_run(0, 0, 99, first, sizeof first);
    CHECK_CONTAINS(first, "order=\"-3 1 2.5 k1 k10 k100 k101 k102 ");
    CHECK_CONTAINS(first, " k98 k99 false\"");
    CHECK_CONTAINS(first, "removed=304");
    CHECK_CONTAINS(first, " | [\"alpha,mid,zebra\",");
    CHECK_CONTAINS(first, ",true]"); /* randomseed() restarts the decision's sequence */
    for (int i = 0; i < 3; i++) {    /* fresh states: new hash seeds, other packs around */
        ordered_run(i, 3 - i, 99, other, sizeof other);
        CHECK_STR(other, first);
    }
    ordered_run(0, 0, 100, other, sizeof other);              /* another subject: same tree, */
    size_t tree_len = (size_t)(strstr(first, " | ") - first); /* other numbers */
    CHECK(strncmp(other, first, tree_len + 3) == 0);
    CHECK(strcmp(other, first) != 0);
}

TEST(seeds_come_from_the_subject)
{
    CHECK(cx__sandbox_seed("h-0001/CA-EV-TECH", 17) == cx__sandbox_seed("h-0001/CA-EV-TECH", 17));
    CHECK(cx__sandbox_seed("h-0001/CA-EV-TECH", 17) != cx__sandbox_seed("h-0002/CA-EV-TECH", 17));
    CHECK(cx__sandbox_seed("", 0) == 0xcbf29ce484222325ull); /* FNV-1a's offset basis */
}

/* ------------------------------------------------------------------ main */

static const test_case cases[] = {
    {"hostile_packs_are_stopped_where_they_try", hostile_packs_are_stopped_where_they_try},
    {"one_pack_cannot_change_what_another_sees", one_pack_cannot_change_what_another_sees},
    {"instruction_limit_is_counted_at_load", instruction_limit_is_counted_at_load},
    {"instruction_budget_is_per_decision_and_sticky",
     instruction_budget_is_per_decision_and_sticky},
    {"memory_limit_counts_bytes_allocated_and_is_sticky",
     memory_limit_counts_bytes_allocated_and_is_sticky},
    {"string_limit_bounds_every_string", string_limit_bounds_every_string},
    {"lua_stack_overflow_is_a_limit", lua_stack_overflow_is_a_limit},
    {"print_is_located_and_bounded", print_is_located_and_bounded},
    {"errors_name_the_pack_file_and_line", errors_name_the_pack_file_and_line},
    {"long_paths_keep_their_lines", long_paths_keep_their_lines},
    {"unreadable_pack_is_an_input_error", unreadable_pack_is_an_input_error},
    {"restricted_libraries_behave_like_lua", restricted_libraries_behave_like_lua},
    {"shared_tables_list_only_what_is_allowed", shared_tables_list_only_what_is_allowed},
    {"tree_nodes_lists_maps_and_shared_tables", tree_nodes_lists_maps_and_shared_tables},
    {"tree_refuses_what_c_cannot_hold", tree_refuses_what_c_cannot_hold},
    {"function_ordinals_follow_the_walk", function_ordinals_follow_the_walk},
    {"global_trees_of_a_pack", global_trees_of_a_pack},
    {"calls_take_neutral_arguments", calls_take_neutral_arguments},
    {"decisions_cannot_change_the_pack", decisions_cannot_change_the_pack},
    {"same_pack_same_tree_and_results_in_any_state", same_pack_same_tree_and_results_in_any_state},
    {"seeds_come_from_the_subject", seeds_come_from_the_subject},
    {NULL, NULL}};

TEST_MAIN(cases)
