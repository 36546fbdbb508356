#!/usr/bin/env bash
# bench_whatif.sh [BUILD_DIR] -- `credex whatif` over a generated registry
# (tests/bench/gen_catalog: 1,000,000 holders, 3,000,000 awards, 50
# credentials) where the change affects one stack of three: GEN-NV-007,
# which only the stack GEN-NV-047 requires, gets a one-year validity. The
# baseline, measured in the same run, is the full re-audit the change would
# otherwise need: `credex audit --all` of every holder and stack. Also
# timed: `credex diff` where one stack's rule changes (GEN-NV-047 requires
# GEN-NV-012 instead of GEN-NV-007), a change to a group the rules name
# where a stack's jurisdiction moves (most holders may move: every holder
# is audited before and after), and one where only a jurisdiction without
# stacks moves (the holders with an award issued there are audited).
# Prints the figures; the target (issue 7) is whatif under 20 s for the
# change to one stack. Never run by ctest.
#
#   BENCH_HOLDERS=N BENCH_AWARDS=M   the registry's size (1000000, 3000000)
#   BENCH_JOBS=J                     worker threads (default: every core)
#   BENCH_VERIFY=1                   also import the stack change and the
#                                    membership change into a copy and
#                                    audit every holder: whatif's audit
#                                    transitions must match
#   BENCH_CASES=peer                 only the issue 16 cases below (the
#                                    generated registry is skipped)
# The issue 16 cases (always run): the peer data shape of bench_snapshot.sh
# (HOLDERS holders, 3-8 awards each of C1-C9; one stack C8: C1 and C2, two
# of C3-C6, 120 hours, window P5Y) with a change no stack reaches (C9,
# which no rule reads, gets valid_for P1Y: no holder can move) and one
# that reaches about half the holders (C3 valid_for P1Y); the baseline is
# `audit --all --format csv` of the same registry in the same run; the
# targets are 0.5x and 1.0x it.
# Exit 0 when every step ran (and, with BENCH_VERIFY, the transitions
# match), 1 otherwise, 2 on usage.
set -euo pipefail

BUILD=${1:-build}
HOLDERS=${BENCH_HOLDERS:-1000000}
AWARDS=${BENCH_AWARDS:-3000000}
JOBS=${BENCH_JOBS:-$(nproc 2>/dev/null || echo 2)}
TARGET_S=20
if [ $# -gt 1 ]; then
    echo "usage: $0 [BUILD_DIR]" >&2
    exit 2
fi
cmake --build "$BUILD" --target credex gen_catalog >/dev/null
CREDEX=$BUILD/credex
GEN=$BUILD/tests/bench/gen_catalog
T=$(mktemp -d "${TMPDIR:-/tmp}/credex-whatif.XXXXXX")
trap 'rm -rf "$T"' EXIT
ASOF=(--as-of 2026-06-01)

now_ns() { date +%s%N; }
secs() { awk -v ns="$1" 'BEGIN { printf "%.2f", ns / 1e9 }'; }

# timed NAME OUT CMD...: runs CMD with stdout to OUT; sets NS (wall time),
# MB (peak resident set) and CPU (user + system seconds), the last two
# when GNU time is installed.
timed() {
    local name=$1 out=$2 t0 t1
    shift 2
    MB=?
    CPU=?
    t0=$(now_ns)
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%M %U %S' -o "$T/time.$name" "$@" >"$out" 2>"$T/err.$name" ||
            { cat "$T/err.$name" >&2; echo "bench_whatif: $name failed" >&2; exit 1; }
        read -r MB CPU < <(tail -n 1 "$T/time.$name" |
            awk '{ printf "%d %.2f\n", $1 / 1024, $2 + $3 }')
    else
        "$@" >"$out" 2>"$T/err.$name" ||
            { cat "$T/err.$name" >&2; echo "bench_whatif: $name failed" >&2; exit 1; }
    fi
    t1=$(now_ns)
    NS=$((t1 - t0))
}

ratio() { awk -v w="$1" -v a="$2" 'BEGIN { printf "%.2f", w / a }'; }
# cpu_ratio W A: W / A, or ? when either is unknown (no GNU time)
cpu_ratio() { if [ "$1" = "?" ] || [ "$2" = "?" ]; then echo "?"; else ratio "$1" "$2"; fi; }

# --- issue 16: the peer data shape ---------------------------------------------
peer() {
    local P=$T/peer c
    mkdir -p "$P"
    {
        echo "version: 1"
        echo "jurisdictions:"
        echo "  - { id: US-OH, name: Ohio }"
        echo "credentials:"
        for c in 1 2 3 4 5 6 7 8 9; do
            echo "  - { id: C$c, name: Module $c, type: micro-credential, jurisdiction: US-OH," \
                "hours: $((20 + c * 3)), valid_for: P4Y }"
        done
    } >"$P/catalog.yaml"
    awk -v n="$HOLDERS" 'BEGIN {
      srand(7)
      print "holder,credential,issued"
      for (h = 0; h < n; h++) {
        k = 3 + int(rand() * 6)
        for (i = 0; i < k; i++)
          printf "h-%07d,C%d,%04d-%02d-%02d\n", h, 1 + int(rand() * 9), 2018 + int(rand() * 8), 1 + int(rand() * 12), 1 + i + 8 * int(rand() * 3)
      }
    }' >"$P/awards.csv"
    cp "$(dirname "$0")/peer_stack.lua" "$P/stack.lua"
    for c in 9 3; do
        echo "credentials:" >"$P/c$c.yaml"
        echo "  - { id: C$c, name: Module $c, type: micro-credential, jurisdiction: US-OH," \
            "hours: $((20 + c * 3)), valid_for: P1Y }" >>"$P/c$c.yaml"
    done
    "$CREDEX" --db "$P/r.db" import "$P/catalog.yaml" --quiet
    "$CREDEX" --db "$P/r.db" import "$P/awards.csv" --jurisdiction US-OH --quiet
    local load
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    # the cache is written by the first run, as a user's first audit would
    "$CREDEX" --db "$P/r.db" audit --all --summary --rules "$P/stack.lua" "${ASOF[@]}" >/dev/null
    timed peer_audit "$P/audit.csv" "$CREDEX" --db "$P/r.db" audit --all --rules "$P/stack.lua" \
        "${ASOF[@]}" --format csv --jobs "$JOBS"
    local audit_ns=$NS audit_mb=$MB audit_cpu=$CPU
    timed peer_c9 "$P/c9.txt" "$CREDEX" --db "$P/r.db" whatif "$P/c9.yaml" --rules "$P/stack.lua" \
        "${ASOF[@]}" --jobs "$JOBS"
    local c9_ns=$NS c9_mb=$MB c9_cpu=$CPU
    timed peer_c3 "$P/c3.txt" "$CREDEX" --db "$P/r.db" whatif "$P/c3.yaml" --rules "$P/stack.lua" \
        "${ASOF[@]}" --jobs "$JOBS"
    local c3_ns=$NS c3_mb=$MB c3_cpu=$CPU
    echo "issue 16:  peer shape, $HOLDERS holders, $(($(wc -l <"$P/awards.csv") - 1)) awards, jobs $JOBS," \
        "load $load (before) $(cut -d' ' -f1-3 /proc/loadavg) (after)"
    echo "  audit --all --format csv (the baseline): $(secs "$audit_ns") s, cpu $audit_cpu s," \
        "peak $audit_mb MB"
    echo "  whatif C9 valid_for P1Y (no stack reaches it): $(secs "$c9_ns") s, cpu $c9_cpu s," \
        "peak $c9_mb MB; $(ratio "$c9_ns" "$audit_ns") x the baseline (target 0.5)," \
        "$(cpu_ratio "$c9_cpu" "$audit_cpu") x in cpu"
    sed 's/^/             /' "$P/c9.txt"
    echo "  whatif C3 valid_for P1Y (about half the holders): $(secs "$c3_ns") s, cpu $c3_cpu s," \
        "peak $c3_mb MB; $(ratio "$c3_ns" "$audit_ns") x the baseline (target 1.0)," \
        "$(cpu_ratio "$c3_cpu" "$audit_cpu") x in cpu"
    sed 's/^/             /' "$P/c3.txt"
    rm -rf "$P"
}
peer
[ "${BENCH_CASES:-}" = peer ] && exit 0

# --- the registry ------------------------------------------------------------
t0=$(now_ns)
"$GEN" --holders "$HOLDERS" --awards "$AWARDS" --seed 7 >"$T/catalog.yaml"
"$CREDEX" --db "$T/r.db" import "$T/catalog.yaml" --quiet
IMPORT_NS=$(($(now_ns) - t0))
rm -f "$T/catalog.yaml"

# --- three stacks, an articulation, a coverage rule, a compact ------------------
mkdir -p "$T/rules" "$T/rules2"
cat >"$T/rules/bench.lua" <<'EOF'
pack "bench-whatif" { authority = "bench", version = "1" }
stack "GEN-CA-046" {
  jurisdiction = "US-CA",
  requires = all {
    "GEN-CA-001",
    at_least(2) { "GEN-CA-006", "GEN-CA-011", "GEN-CA-016", "GEN-CA-021" },
    hours(60, { "GEN-CA-001", "GEN-CA-006", "GEN-CA-011", "GEN-CA-016", "GEN-CA-021" }),
  },
  window = { span = "P5Y" },
}
stack "GEN-TX-045" {
  jurisdiction = "US-TX",
  requires = all { "GEN-TX-000", at_least(1) { "GEN-TX-005", "GEN-TX-010", "GEN-TX-015" } },
}
stack "GEN-NV-047" {
  jurisdiction = "US-NV",
  requires = all { "GEN-NV-002", "GEN-NV-007" },
}
counts_as { from = "GEN-TX-000", to = "GEN-CA-001", within = "US-CA" }
equivalence "cov-80" {
  from = matching "^GEN-(TX|NV)-", to = matching "^GEN-CA-0[0-2]",
  when = coverage "80%", within = "US-CA",
}
recognize "evc" { into = member_of "EVC", from = member_of "EVC", credentials = tagged "ev" }
EOF
sed 's/"GEN-NV-002", "GEN-NV-007"/"GEN-NV-002", "GEN-NV-012"/' "$T/rules/bench.lua" >"$T/rules2/bench.lua"
cat >"$T/change.yaml" <<'EOF'
credentials:
  - id: GEN-NV-007
    name: Generated Credential 7
    type: course
    provider: prov-07
    jurisdiction: US-NV
    hours: 57
    valid_for: P1Y
    competencies: [bench.c07, bench.c14, bench.c21]
    tags: [ice, automotive]
    attributes: { points: 8, career_field: transportation }
    grade_scale: [F, D, C, B, A]
EOF

cat >"$T/group.yaml" <<'EOF'
groups:
  - id: EVC
    name: EV Service Compact
    members:
      - { jurisdiction: US-TX, from: 2024-01-01 }
      - { jurisdiction: US-CA, from: 2026-07-01, until: 2030-06-30 }
      - { jurisdiction: US-NV, from: 2025-01-01, status: partial }
      - { jurisdiction: US-CT, from: 2025-10-01 }
EOF

# Connecticut, where no stack is, joins after the as-of date instead of before.
sed 's/US-CT, from: 2025-10-01/US-CT, from: 2026-09-01/' "$T/group.yaml" |
    sed 's/US-CA, from: 2026-07-01/US-CA, from: 2025-07-01/' >"$T/member.yaml"

# --- the baseline: every holder, every stack --------------------------------------
timed audit "$T/audit.csv" "$CREDEX" --db "$T/r.db" audit --all --rules "$T/rules" "${ASOF[@]}" \
    --format csv --jobs "$JOBS"
AUDIT_NS=$NS AUDIT_MB=$MB

# --- whatif and diff ----------------------------------------------------------------
timed whatif "$T/whatif.txt" "$CREDEX" --db "$T/r.db" whatif "$T/change.yaml" --rules "$T/rules" \
    "${ASOF[@]}" --jobs "$JOBS"
WHATIF_NS=$NS WHATIF_MB=$MB
timed diff "$T/diff.txt" "$CREDEX" --db "$T/r.db" diff "$T/rules" "$T/rules2" "${ASOF[@]}" \
    --jobs "$JOBS"
DIFF_NS=$NS DIFF_MB=$MB
# The worst case: a group the rules name changes, so every holder is audited
# before (the registry) and after (a whole copy in memory).
timed group "$T/group.txt" "$CREDEX" --db "$T/r.db" whatif "$T/group.yaml" --rules "$T/rules" \
    "${ASOF[@]}" --jobs "$JOBS"
GROUP_NS=$NS GROUP_MB=$MB
# A membership that moves only where no stack is: the holders with an award
# issued there are audited.
timed member "$T/member.txt" "$CREDEX" --db "$T/r.db" whatif "$T/member.yaml" --rules "$T/rules" \
    "${ASOF[@]}" --jobs "$JOBS"
MEMBER_NS=$NS MEMBER_MB=$MB

echo "registry:  $HOLDERS holders, $AWARDS awards, 50 credentials (import $(secs "$IMPORT_NS") s)"
echo "baseline:  audit --all, 3 stacks: $(secs "$AUDIT_NS") s, peak $AUDIT_MB MB ($((HOLDERS * 3)) decisions, jobs $JOBS)"
echo "whatif:    $(secs "$WHATIF_NS") s, peak $WHATIF_MB MB; $(awk -v w="$WHATIF_NS" -v a="$AUDIT_NS" \
    'BEGIN { printf "%.2f", w / a }') x the baseline"
sed 's/^/           /' "$T/whatif.txt"
echo "diff:      $(secs "$DIFF_NS") s, peak $DIFF_MB MB; $(awk -v w="$DIFF_NS" -v a="$AUDIT_NS" \
    'BEGIN { printf "%.2f", w / a }') x the baseline"
sed 's/^/           /' "$T/diff.txt"
echo "whatif, every holder: $(secs "$GROUP_NS") s, peak $GROUP_MB MB; $(awk -v w="$GROUP_NS" \
    -v a="$AUDIT_NS" 'BEGIN { printf "%.2f", w / a }') x the baseline"
grep -v '^\(transfer\|equiv\) ' "$T/group.txt" | sed 's/^/           /'
echo "           ($(grep -c '^\(transfer\|equiv\) ' "$T/group.txt") equivalence and recognition lines not shown)"
echo "whatif, a member without stacks: $(secs "$MEMBER_NS") s, peak $MEMBER_MB MB; $(awk -v w="$MEMBER_NS" \
    -v a="$AUDIT_NS" 'BEGIN { printf "%.2f", w / a }') x the baseline"
grep -v '^\(transfer\|equiv\) ' "$T/member.txt" | sed 's/^/           /'
echo "           ($(grep -c '^\(transfer\|equiv\) ' "$T/member.txt") equivalence and recognition lines not shown)"
note=
[ "$HOLDERS/$AWARDS" = 1000000/3000000 ] || note=" (the target is set for 1000000 holders, 3000000 awards)"
echo "target:    whatif < $TARGET_S s: $(awk -v ns="$WHATIF_NS" -v t="$TARGET_S" \
    'BEGIN { print (ns / 1e9 < t) ? "met" : "NOT met" }')$note"

# --- verify: the real thing ------------------------------------------------------------
[ "${BENCH_VERIFY:-}" = 1 ] || exit 0
counts() { tr -d '\r' | awk -F, 'NR > 1 { print $1 "/" $2 "," $3 }' | sort -t, -k1,1; }
for change in change member; do
    cp "$T/r.db" "$T/after.db"
    "$CREDEX" --db "$T/after.db" import "$T/$change.yaml" --quiet
    "$CREDEX" --db "$T/after.db" audit --all --rules "$T/rules" "${ASOF[@]}" --format csv \
        --jobs "$JOBS" >"$T/after.csv"
    expected=$(join -t, -o 0,1.2,2.2 <(counts <"$T/audit.csv") <(counts <"$T/after.csv") |
        awk -F, '$2 != $3 { split($1, k, "/"); n[k[2] " " $2 " " $3]++ } END { for (x in n) print x, n[x] }' |
        sort)
    "$CREDEX" --db "$T/r.db" whatif "$T/$change.yaml" --rules "$T/rules" "${ASOF[@]}" --format csv \
        --jobs "$JOBS" >"$T/whatif.csv"
    actual=$(tr -d '\r' <"$T/whatif.csv" | awk -F, '$1 == "audit" { print $2, $3, $4, $5 }' | sort)
    if [ "$actual" = "$expected" ]; then
        echo "verify:    $change.yaml: whatif's audit transitions = importing it and auditing everyone: match"
    else
        echo "verify:    $change.yaml: MISMATCH" >&2
        diff <(echo "$expected") <(echo "$actual") >&2 || true
        exit 1
    fi
done
