#!/usr/bin/env bash
# bench_sandbox.sh [BUILD_DIR] -- the cost of a call into a sandboxed Lua
# predicate and of re.test from rule code, each against its baseline (a
# plain lua_pcall; pcre2_match from C) measured in the same run.
set -euo pipefail
build=${1:-build}
cmake --build "$build" --target bench_sandbox >/dev/null
"$build/tests/bench/bench_sandbox"
