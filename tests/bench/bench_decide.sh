#!/usr/bin/env bash
# bench_decide.sh [BUILD_DIR] [DECISIONS] -- equivalence and transfer
# decisions per second through the C API on one core, against a
# hand-written C loop deciding the same rules on the same data (target:
# 500,000 decisions/s).
set -euo pipefail
build=${1:-build}
n=${2:-1000000}
cmake --build "$build" --target bench_decide gen_catalog >/dev/null
T=$(mktemp -d "${TMPDIR:-/tmp}/credex-decide.XXXXXX")
trap 'rm -rf "$T"' EXIT
"$build/tests/bench/gen_catalog" --holders 100 --awards 500 > "$T/catalog.yaml"
"$build/credex" --db "$T/r.db" import "$T/catalog.yaml" >/dev/null
cat > "$T/pack.lua" <<'LUA'
pack "bench" { authority = "bench", version = "1" }
equivalence "coverage-80" { from = any_credential, to = any_credential, when = coverage "80%" }
recognize "evc" { into = member_of "EVC", from = member_of "EVC", credentials = any_credential }
LUA
"$build/tests/bench/bench_decide" "$T/r.db" "$T/pack.lua" "$n"
