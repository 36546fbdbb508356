#!/usr/bin/env bash
# bench_snapshot.sh [BUILD_DIR] [HOLDERS] -- issue 16, the snapshot cache
# (docs/registry.md, "The snapshot cache"): `credex audit --all --summary`
# cold (--no-cache: the snapshot loaded from SQLite) against warm (loaded
# from R.db.snapshot) over HOLDERS (1,000,000) holders of the peer data
# shape of bench_audit.sh (3-8 awards each, about 5.5 per holder; one
# stack: C1 and C2, two of C3-C6, 120 hours, window P5Y), imported as a
# CSV award list (a holder's awards on distinct days, so that their
# default ids differ). Prints the medians of BENCH_RUNS (3) runs of each, the
# run that writes the cache, the two outputs compared, bench_snapshot's
# load times from SQLite and from the cache, bench_audit's hand-written C
# loop (statuses over the in-memory snapshot, one core) with the ratio of
# each end-to-end time to it, the median peak RSS of the cold and warm runs
# (when /usr/bin/time is GNU time), the cache's size and the load average.
# BENCH_DB=PATH reuses a registry an earlier run of this script's data
# made (HOLDERS must match) instead of generating and importing one, which
# takes longer than the runs at 1M. Never run by ctest.
set -euo pipefail
build=${1:-build}
holders=${2:-1000000}
runs=${BENCH_RUNS:-3}
cmake --build "$build" --target credex bench_snapshot bench_audit >/dev/null
credex="$build/credex"
T=$(mktemp -d "${TMPDIR:-/tmp}/credex-snapshot.XXXXXX")
trap 'rm -rf "$T"' EXIT

{
  echo "version: 1"
  echo "jurisdictions:"
  echo "  - { id: US-OH, name: Ohio }"
  echo "credentials:"
  for c in 1 2 3 4 5 6 7 8; do
    echo "  - { id: C$c, name: Module $c, type: micro-credential, jurisdiction: US-OH," \
      "hours: $((20 + c * 3)), valid_for: P4Y }"
  done
} > "$T/catalog.yaml"
awk -v n="$holders" 'BEGIN {
  srand(7)
  print "holder,credential,issued"
  for (h = 0; h < n; h++) {
    k = 3 + int(rand() * 6)
    for (i = 0; i < k; i++)
      printf "h-%07d,C%d,%04d-%02d-%02d\n", h, 1 + int(rand() * 8), 2018 + int(rand() * 8), 1 + int(rand() * 12), 1 + i + 8 * int(rand() * 3)
  }
}' > "$T/awards.csv"
cp "$(dirname "$0")/peer_stack.lua" "$T/stack.lua"
db=${BENCH_DB:-$T/r.db}
if [ -z "${BENCH_DB:-}" ]; then
  "$credex" --db "$db" import "$T/catalog.yaml" --quiet
  "$credex" --db "$db" import "$T/awards.csv" --jurisdiction US-OH --quiet
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
jobs=$(nproc 2>/dev/null || echo 2)

# summary [OPTIONS]: one timed `audit --all --summary`; its seconds on
# stdout, its peak RSS in KiB appended to $T/rss when GNU time is there.
timer=()
if /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then timer=(/usr/bin/time -a -f %M -o "$T/rss"); fi
summary() {
  local s e
  s=$(date +%s.%N)
  "${timer[@]}" "$credex" --db "$db" audit --all --summary --rules "$T/stack.lua" --as-of 2026-06-01 \
    --jobs "$jobs" "$@" > "$T/summary.out"
  e=$(date +%s.%N)
  awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }'
}
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

rm -f "$db.snapshot"
cold=""
for _ in $(seq "$runs"); do cold="$cold $(summary --no-cache)"; done
cp "$T/summary.out" "$T/cold.out"
cold_rss=""
[ -f "$T/rss" ] && cold_rss=$(median < "$T/rss") && rm "$T/rss"
writes=$(summary)
rm -f "$T/rss"
warm=""
for _ in $(seq "$runs"); do warm="$warm $(summary)"; done
warm_rss=""
[ -f "$T/rss" ] && warm_rss=$(median < "$T/rss")
cmp -s "$T/cold.out" "$T/summary.out" && same="byte-identical" || same="DIFFER"
cold_m=$(echo "$cold" | median)
warm_m=$(echo "$warm" | median)

"$build/tests/bench/bench_snapshot" "$db" "$runs" | grep -E '^(registry|snapshot load|snapshot bytes)'
loop=$("$build/tests/bench/bench_audit" "$db" "$T/stack.lua" | tee "$T/audit.txt" |
  awk '/^holders:/ { n = $2 } /^baseline C loop/ { print n / $6 }')
grep -E '^baseline C loop' "$T/audit.txt"
printf 'audit --all --summary --jobs %s, cold (--no-cache): %s s median of%s s\n' "$jobs" "$cold_m" "$cold"
printf 'audit --all --summary --jobs %s, the run that writes the cache: %s s\n' "$jobs" "$writes"
printf 'audit --all --summary --jobs %s, warm (the cache):  %s s median of%s s\n' "$jobs" "$warm_m" "$warm"
[ -n "$cold_rss" ] && printf 'peak RSS, medians: cold %s MiB, warm %s MiB\n' $((cold_rss / 1024)) $((warm_rss / 1024))
printf 'warm / cold: %.2f; outputs %s\n' "$(echo "$warm_m / $cold_m" | bc -l)" "$same"
printf 'the C loop (statuses over the in-memory snapshot, 1 core): %.3f s; cold %.1fx, warm %.1fx it\n' \
  "$loop" "$(echo "$cold_m / $loop" | bc -l)" "$(echo "$warm_m / $loop" | bc -l)"
echo "cache: $(stat -c %s "$db.snapshot") bytes; registry: $(stat -c %s "$db") bytes"
echo "load average: $load_before (before) $(cut -d' ' -f1-3 /proc/loadavg) (after)"
