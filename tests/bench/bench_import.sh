#!/usr/bin/env bash
# bench_import.sh -- import benchmark: a generated catalog of 100,000 holders
# and 500,000 awards must import in under 10 s with peak RSS under 1 GB, and
# read back as written; at 1,000,000 holders (issue 16: BENCH_HOLDERS=1000000
# BENCH_AWARDS=5498512) in under 20 s with peak RSS under 1.5 GB. Never run
# by ctest; it only reads BUILD_DIR.
#
#   tests/bench/bench_import.sh [BUILD_DIR]        (default ./build)
#   BENCH_HOLDERS=N BENCH_AWARDS=M BENCH_SEED=S    override the size and seed
#
# Baseline, measured in the same run: the generator writing the same catalog
# (formatting ~35 MB of YAML to a file: the floor for touching every line),
# and, for reference, `cat` reading it back. The ratio printed is
# import time / generator time, with the import's user and system CPU time
# (what to compare on a loaded machine). Exit 0 when the read-back matches (whatever
# the timings), 1 when it does not or a step fails, 2 on usage.
set -euo pipefail

BUILD=${1:-./build}
HOLDERS=${BENCH_HOLDERS:-100000}
AWARDS=${BENCH_AWARDS:-500000}
SEED=${BENCH_SEED:-1}
CREDEX=$BUILD/credex
GEN=$BUILD/tests/bench/gen_catalog
TARGET_S=10
TARGET_MB=1024
TARGET_SIZE=100000/500000
if [ "$HOLDERS" -ge 1000000 ]; then
    TARGET_S=20
    TARGET_MB=1536
    TARGET_SIZE=1000000/5498512
fi

if [ $# -gt 1 ] || [ ! -x "$CREDEX" ] || [ ! -x "$GEN" ]; then
    echo "usage: $0 [BUILD_DIR]   (needs BUILD_DIR/credex and BUILD_DIR/tests/bench/gen_catalog;" >&2
    echo "       build them with: cmake --build BUILD_DIR --target credex gen_catalog)" >&2
    exit 2
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/credex-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT

now_ns() { date +%s%N; }
# seconds with three decimals from a nanosecond difference
secs() { awk -v ns="$1" 'BEGIN { printf "%.3f", ns / 1e9 }'; }

# The holders whose read-back is checked: first, last, middle and two others.
hid() { printf 'h-%07d' "$1"; }
PROBES=()
for n in 1 $((HOLDERS / 2)) $((HOLDERS * 7 / 10 + 3)) $((HOLDERS / 7 + 11)) "$HOLDERS"; do
    [ "$n" -ge 1 ] && [ "$n" -le "$HOLDERS" ] && PROBES+=("$(hid "$n")")
done
mapfile -t PROBES < <(printf '%s\n' "${PROBES[@]}" | sort -u)
EXPECT_ARGS=()
for h in "${PROBES[@]}"; do EXPECT_ARGS+=(--expect-holder "$h" "$T/expect.$h"); done

# --- baseline: write the catalog, then read it -------------------------------
t0=$(now_ns)
"$GEN" --holders "$HOLDERS" --awards "$AWARDS" --seed "$SEED" "${EXPECT_ARGS[@]}" >"$T/catalog.yaml"
t1=$(now_ns)
cat "$T/catalog.yaml" >/dev/null
t2=$(now_ns)
GEN_NS=$((t1 - t0))
CAT_NS=$((t2 - t1))
SIZE_MB=$(awk -v b="$(stat -c %s "$T/catalog.yaml")" 'BEGIN { printf "%.1f", b / 1048576 }')

# --- the import, with its peak resident set size -----------------------------
IMPORT=("$CREDEX" --db "$T/bench.db" import "$T/catalog.yaml")
PEAK_KB=
CPU=
if /usr/bin/time --version >/dev/null 2>&1; then
    t0=$(now_ns)
    /usr/bin/time -f '%U %S %M' -o "$T/time.out" "${IMPORT[@]}" >"$T/import.out" 2>"$T/import.err" ||
        { cat "$T/import.err" >&2; echo "bench_import: import failed" >&2; exit 1; }
    t1=$(now_ns)
    read -r CPU_U CPU_S PEAK_KB < <(tail -n 1 "$T/time.out")
    CPU="$CPU_U s user + $CPU_S s system"
else
    # No GNU time (Debian package `time`): poll VmHWM, the kernel's
    # high-water mark, until the process exits; the last sample is the peak
    # up to the final few milliseconds.
    echo "bench_import: /usr/bin/time not found (apt-get install time); sampling VmHWM" >&2
    t0=$(now_ns)
    "${IMPORT[@]}" >"$T/import.out" 2>"$T/import.err" &
    pid=$!
    while hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) && [ -n "$hwm" ]; do
        PEAK_KB=$hwm
        sleep 0.01
    done
    wait "$pid" || { cat "$T/import.err" >&2; echo "bench_import: import failed" >&2; exit 1; }
    t1=$(now_ns)
fi
IMPORT_NS=$((t1 - t0))

echo "catalog:  $HOLDERS holders, $AWARDS awards, $SIZE_MB MB (seed $SEED)"
echo "baseline: generator $(secs "$GEN_NS") s; cat $(secs "$CAT_NS") s"
PEAK=unknown
[ -z "$PEAK_KB" ] || PEAK="$((PEAK_KB / 1024)) MB"
echo "import:   $(secs "$IMPORT_NS") s, $(awk -v a="$AWARDS" -v ns="$IMPORT_NS" \
    'BEGIN { printf "%.0f", a / (ns / 1e9) }') awards/s, peak RSS $PEAK"
[ -z "$CPU" ] || echo "cpu:      $CPU (the import's CPU time, which the load moves less than wall time)"
echo "ratio:    import / generator = $(awk -v i="$IMPORT_NS" -v g="$GEN_NS" \
    'BEGIN { printf "%.1f", g ? i / g : 0 }')x"
echo "summary:  $(cat "$T/import.out")"
echo "load:     $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown) (1, 5, 15 min, after the import)"

# --- read-back -----------------------------------------------------------------
FAILED=0
mismatch() {
    echo "MISMATCH: $*" >&2
    FAILED=1
}

# counts from the import summary ("..., 100000 holders, 500000 awards ...")
grep -q "[ ,]$HOLDERS holders" "$T/import.out" || mismatch "summary does not count $HOLDERS holders"
grep -q "[ ,]$AWARDS awards" "$T/import.out" || mismatch "summary does not count $AWARDS awards"

# A holder's JSON as the generator's expectation lines (jq when present).
holder_lines() {
    jq -r '"holder \(.id)", "jurisdiction \(.jurisdiction)", "awards \(.awards | length)",
           ((.attributes // {}) | to_entries[] | "attribute \(.key) \(.value)"),
           (.awards[] | "award \(.id) \(.credential) \(.issued) \(.status)"
                        + (if .grade then " \(.grade)" else "" end))' "$1"
}

# Without jq: the award count, and each award object (cut at its first '}')
# holds the id, credential, issued date, status and grade that were written.
holder_grep() {
    local exp=$1 json=$2 h want got kind id cred issued status grade obj
    h=$(awk '$1 == "holder" { print $2 }' "$exp")
    want=$(awk '$1 == "awards" { print $2 }' "$exp")
    got=$(grep -o "\"id\":\"$h/[^\"]*\"" "$json" | sort -u | wc -l)
    [ "$got" -eq "$want" ] || mismatch "$h: $got awards read back, expected $want"
    while read -r kind id cred issued status grade; do
        [ "$kind" = award ] || continue
        obj=$(grep -o "{\"id\":\"$id\"[^}]*" "$json" || true)
        for f in "\"credential\":\"$cred\"" "\"issued\":\"$issued\"" "\"status\":\"$status\"" \
            ${grade:+"\"grade\":\"$grade\""}; do
            [[ "$obj" == *"$f"* ]] || mismatch "$h: award $id: $f not read back"
        done
    done <"$exp"
}

for h in "${PROBES[@]}"; do
    exp=$T/expect.$h
    [ -s "$exp" ] || { mismatch "$h: the generator wrote no expectation"; continue; }
    if ! "$CREDEX" --db "$T/bench.db" show holder "$h" --format json >"$T/show.json" 2>"$T/show.err"; then
        mismatch "$h: credex show failed: $(cat "$T/show.err")"
        continue
    fi
    if command -v jq >/dev/null; then
        if ! diff <(sort "$exp") <(holder_lines "$T/show.json" | sort) >"$T/diff"; then
            mismatch "$h differs (< written, > read back):"
            cat "$T/diff" >&2
        fi
    else
        holder_grep "$exp" "$T/show.json"
    fi
done
echo "read-back: ${#PROBES[@]} holders checked$(command -v jq >/dev/null || echo ' (no jq: awards only)'): $([ "$FAILED" = 0 ] && echo match || echo MISMATCH)"

# --- targets -------------------------------------------------------------------
time_ok=$(awk -v ns="$IMPORT_NS" -v t="$TARGET_S" 'BEGIN { print (ns / 1e9 < t) ? "met" : "NOT met" }')
if [ -n "$PEAK_KB" ]; then
    mem_ok=$([ $((PEAK_KB / 1024)) -lt "$TARGET_MB" ] && echo met || echo "NOT met")
else
    mem_ok=unknown
fi
note=
[ "$HOLDERS/$AWARDS" = "$TARGET_SIZE" ] ||
    note=" (the targets are set for ${TARGET_SIZE%/*} holders, ${TARGET_SIZE#*/} awards)"
echo "targets:  time < ${TARGET_S} s: $time_ok; peak < $TARGET_MB MB: $mem_ok$note"
exit "$FAILED"
