#!/usr/bin/env bash
# bench_serve.sh [BUILD_DIR] -- `credex serve` under wrk (Debian `wrk`,
# installed when missing and run as root) on loopback with keep-alive,
# over the 100,000-holder registry of tests/bench/gen_catalog (300,000
# awards) and bench_whatif.sh's pack less its Nevada stack: POST /v1/transfer and POST
# /v1/audit, requests/s with p50 and p99 latency, each next to the same
# requests answered by cx_service_handle on 2 threads without HTTP
# (bench_serve.c, same run: the baseline is the request handler, so the
# difference is the transport's cost); then 1,000 concurrent connections,
# which must see no error; then the server's resident set sampled every 5
# s over a 60 s run. Targets (issue 14): >= 20,000 transfer decisions/s on
# 2 cores, p99 < 5 ms, 1,000 connections without error, memory flat.
# wrk runs on the same cores as the server: its share is in the figures.
#
#   BENCH_SECONDS=S   each throughput run's length (15)
#   BENCH_C_REQUESTS=N  requests per thread of the C baseline (100000)
# Never run by ctest.
set -euo pipefail
build=${1:-build}
secs=${BENCH_SECONDS:-15}
creq=${BENCH_C_REQUESTS:-100000}
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
    else
        echo "bench_serve: wrk is missing; as root: apt-get install wrk" >&2
        exit 1
    fi
fi
cmake --build "$build" --target credex bench_serve gen_catalog >/dev/null
credex=$build/credex
T=$(mktemp -d "${TMPDIR:-/tmp}/credex-serve.XXXXXX")
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
ulimit -n 8192

echo "machine: $(nproc) cores, $(uptime | sed 's/.*load average/load average/')"
"$build/tests/bench/gen_catalog" --holders 100000 --awards 300000 --seed 7 >"$T/catalog.yaml"
"$credex" --db "$T/r.db" import "$T/catalog.yaml" --quiet
rm -f "$T/catalog.yaml"
cat >"$T/bench.lua" <<'EOF'
pack "bench-serve" { authority = "bench", version = "1" }
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
counts_as { from = "GEN-TX-000", to = "GEN-CA-001", within = "US-CA" }
equivalence "cov-80" {
  from = matching "^GEN-(TX|NV)-", to = matching "^GEN-CA-0[0-2]",
  when = coverage "80%", within = "US-CA",
}
recognize "evc" { into = member_of "EVC", from = member_of "EVC", credentials = tagged "ev" }
EOF

"$credex" serve --db "$T/r.db" --rules "$T/bench.lua" --listen 127.0.0.1:0 --threads 2 \
    --quiet 2>"$T/serve.log" &
pid=$!
url=
for _ in $(seq 200); do
    url=$(sed -n '1s/.*listening on //p' "$T/serve.log")
    [ -n "$url" ] && break
    sleep 0.05
done
[ -n "$url" ] || { echo "bench_serve: the server did not start: $(cat "$T/serve.log")" >&2; exit 1; }

# The same decisions: request 0's answer over HTTP and from the handler.
for kind in transfer audit; do
    "$build/tests/bench/bench_serve" "$T/r.db" "$T/bench.lua" "$kind" 1 1 --print 0 >"$T/c.$kind"
    lua_body=$(awk -v k="$kind" 'BEGIN {
        if (k == "audit") printf "{\"holder\":\"h-%07d\",\"stack\":\"GEN-CA-046\",\"as_of\":\"2026-06-01\"}", 1
        else printf "{\"credential\":\"GEN-TX-000\",\"from\":\"US-TX\",\"to\":\"US-CA\",\"as_of\":\"2026-06-01\"}" }')
    curl -s -X POST -H 'Content-Type: application/json' -d "$lua_body" "$url/v1/$kind" >"$T/http.$kind"
    if cmp -s "$T/c.$kind" "$T/http.$kind"; then
        echo "same decision: POST /v1/$kind $lua_body: HTTP and cx_service_handle byte-identical ($(wc -c <"$T/http.$kind") bytes, status $(grep -o '"status":"[a-z_]*"' "$T/http.$kind" | head -1))"
    else
        echo "bench_serve: POST /v1/$kind: the server's answer differs from cx_service_handle's" >&2
        exit 1
    fi
done

# wrk_run KIND CONNECTIONS THREADS SECONDS: one wrk run; prints its line,
# sets ERRORS to the sum of its error counts.
wrk_run() {
    local out
    out=$(wrk -t"$3" -c"$2" -d"$4"s --latency -s "$here/bench_serve.lua" "$url" -- "$1" | grep '^RESULT')
    eval "$(echo "$out" | sed 's/^RESULT //; s/\([a-z0-9_]*\)=/W_\1=/g')"
    ERRORS=$((W_connect + W_read + W_write + W_status + W_timeout))
    awk -v k="$1" -v c="$2" -v t="$3" -v n="$W_requests" -v us="$W_duration_us" -v p50="$W_p50_us" \
        -v p99="$W_p99_us" -v max="$W_max_us" -v e="$ERRORS" 'BEGIN {
        printf "HTTP     %-8s wrk -t%d -c%-4d %ds: %9.0f requests/s  p50 %7.3f ms  p99 %7.3f ms  max %.1f ms  (%d requests, %d errors)\n",
            k, t, c, us / 1e6, n / (us / 1e6), p50 / 1e3, p99 / 1e3, max / 1e3, n, e }'
}

# Transfers at 16 and 64 connections (one wrk thread: the other core is
# the server's), then audits at 64; each kind's C baseline after it.
for run in "transfer 16" "transfer 64" "audit 64"; do
    set -- $run
    wrk_run "$1" "$2" 1 "$secs"
    if [ "$1" = transfer ]; then
        awk -v n="$W_requests" -v us="$W_duration_us" -v p99="$W_p99_us" 'BEGIN {
            printf "         target >= 20,000 transfer decisions/s: %s; p99 < 5 ms: %s\n",
                (n / (us / 1e6) >= 20000) ? "met" : "NOT met", (p99 < 5000) ? "met" : "NOT met" }'
    fi
    if [ "$2" = 64 ]; then
        "$build/tests/bench/bench_serve" "$T/r.db" "$T/bench.lua" "$1" "$creq" 2
    fi
done

wrk_run transfer 1000 2 "$secs"
echo "1,000 connections: $([ "$ERRORS" -eq 0 ] && echo "no error" || echo "$ERRORS ERRORS")"

# 60 s of transfers at 64 connections, the resident set every 5 s.
wrk -t1 -c64 -d60s -s "$here/bench_serve.lua" "$url" -- transfer >"$T/wrk60" &
wrk_pid=$!
samples=""
for _ in $(seq 12); do
    sleep 5
    samples="$samples $(awk '/^VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$pid/status")"
done
wait "$wrk_pid"
echo "RSS every 5 s over 60 s of transfers (MB):$samples; $(echo "$samples" | awk '{
    min = max = $1; for (i = 2; i <= NF; i++) { if ($i < min) min = $i; if ($i > max) max = $i }
    printf "first %d, last %d, min %d, max %d", $1, $NF, min, max }')"
grep -E 'Requests/sec|Non-2xx|Socket errors' "$T/wrk60" | sed 's/^ */  60 s run: /'
echo "machine after: $(uptime | sed 's/.*load average/load average/')"
