#!/usr/bin/env bash
# bench_audit.sh [BUILD_DIR] [HOLDERS] -- `credex audit --all` over a
# generated registry of HOLDERS (100,000) holders with 3-8 awards each and
# one stack: C1 and C2, two of C3-C6, 120 hours from C1-C6, window recent
# P5Y. Prints: the evaluation phase against a hand-written C loop over the
# same in-memory data (same run); the end-to-end time of audit --all with
# JSON Lines, CSV and text on all cores (the median of BENCH_RUNS runs,
# 3 by default); peak memory against the award
# tables' size in SQLite (dbstat, when the sqlite3 tool is installed).
# Targets (issue 6): evaluation >= 1/5 of the C loop per worker; end to end
# under 1.5 s; peak memory under 3x the award tables.
set -euo pipefail
build=${1:-build}
holders=${2:-100000}
cmake --build "$build" --target bench_audit credex >/dev/null
credex="$build/credex"
T=$(mktemp -d "${TMPDIR:-/tmp}/credex-audit.XXXXXX")
trap 'rm -rf "$T"' EXIT

awk -v n="$holders" 'BEGIN {
  srand(7)
  print "version: 1"; print "jurisdictions:"; print "  - { id: US-OH, name: Ohio }"
  print "credentials:"
  for (c = 1; c <= 8; c++)
    printf "  - { id: C%d, name: Module %d, type: micro-credential, jurisdiction: US-OH, hours: %d, valid_for: P4Y }\n", c, c, 20 + c * 3
  print "holders:"
  for (h = 0; h < n; h++) {
    k = 3 + int(rand() * 6)
    printf "  - id: h-%07d\n    awards:\n", h
    for (i = 0; i < k; i++)
      printf "      - { credential: C%d, issued: %04d-%02d-%02d }\n", 1 + int(rand() * 8), 2018 + int(rand() * 8), 1 + int(rand() * 12), 1 + int(rand() * 28)
  }
}' > "$T/catalog.yaml"
cp "$(dirname "$0")/peer_stack.lua" "$T/stack.lua"
"$credex" --db "$T/r.db" import "$T/catalog.yaml" --quiet
"$build/tests/bench/bench_audit" "$T/r.db" "$T/stack.lua"

jobs=$(nproc 2>/dev/null || echo 2)
runs=${BENCH_RUNS:-3}
peak=0
# One timed run of audit --all: "SECONDS PEAK_KB" into $T/time.
timed() {
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "%e %M" -o "$T/time" "$credex" --db "$T/r.db" audit --all --rules "$T/stack.lua" \
      --as-of 2026-06-01 --format "$1" --jobs "$jobs" > "$T/out.$1"
  else
    s=$(date +%s.%N)
    "$credex" --db "$T/r.db" audit --all --rules "$T/stack.lua" --as-of 2026-06-01 --format "$1" \
      --jobs "$jobs" > "$T/out.$1"
    awk -v s="$s" -v e="$(date +%s.%N)" 'BEGIN{printf "%.2f 0\n", e-s}' > "$T/time"
  fi
}
# The machine is shared: each format runs $runs times; the median counts.
for fmt in json csv text; do
  all=""
  for _ in $(seq "$runs"); do
    timed "$fmt"
    read -r secs kb < "$T/time"
    all="$all $secs"
    [ "$kb" -gt "$peak" ] && peak=$kb
  done
  secs=$(echo "$all" | tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}')
  printf 'end to end, --format %-4s --jobs %s: %5s s median of%s s, %s lines, peak %s MB (target 1.5 s: %s)\n' \
    "$fmt" "$jobs" "$secs" "$all" "$(wc -l < "$T/out.$fmt")" $((kb / 1024)) \
    "$(awk -v s="$secs" 'BEGIN{print (s < 1.5) ? "met" : "NOT met"}')"
done
"$credex" --db "$T/r.db" audit --all --rules "$T/stack.lua" --as-of 2026-06-01 --format json --jobs 1 > "$T/one.json"
cmp -s "$T/one.json" "$T/out.json" && echo "--jobs 1 and --jobs $jobs: byte-identical" || echo "--jobs 1 and --jobs $jobs: DIFFER"
if command -v sqlite3 >/dev/null; then
  award_mb=$(sqlite3 "$T/r.db" "SELECT sum(pgsize) FROM dbstat WHERE name IN ('award','award_holder','award_result')" | awk '{printf "%.1f", $1/1048576}')
  awk -v p="$peak" -v a="$award_mb" 'BEGIN { printf "memory: peak %.1f MB, award tables %.1f MB: %.2fx (target under 3x: %s)\n", p/1024, a, (p/1024)/a, ((p/1024)/a < 3) ? "met" : "NOT met" }'
else
  echo "memory: peak $((peak / 1024)) MB (install sqlite3 to compare with the award tables' size)"
fi
