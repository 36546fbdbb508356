#!/usr/bin/env bash
# bench_lists.sh [BUILD_DIR] -- the duplicate checks of a long list are
# linear (issue #13: quadratic ones took 2.4 s for 40,000 tags and about
# 25 minutes for a million). Imports one credential with N tags for N in
# BENCH_TAGS (default "200000 1000000") into a fresh registry, and, as the
# baseline measured in the same run, the same catalog with the tags written
# as one value of the same length (the same bytes read and parsed, no list
# to check or store). Prints both times and the list's cost per tag: with
# linear checks that cost stays about the same as N grows (a quadratic
# check makes it grow with N). Never run by ctest.
set -euo pipefail
BUILD=${1:-./build}
CREDEX=$BUILD/credex
[ -x "$CREDEX" ] || { echo "usage: $0 [BUILD_DIR]   (needs BUILD_DIR/credex)" >&2; exit 2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/credex-lists.XXXXXX")
trap 'rm -rf "$T"' EXIT

head_of() {
    printf 'jurisdictions:\n  - { id: US-TX, name: Texas }\ncredentials:\n'
    printf '  - id: X-TAGS\n    name: Tags\n    type: certificate\n    jurisdiction: US-TX\n'
}
tags() { awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "%st%d", (i ? ", " : ""), i }'; }

# seconds FILE: the wall time of importing FILE into a fresh registry
seconds() {
    rm -f "$T/r.db"
    local start end
    start=$(date +%s.%N)
    "$CREDEX" --db "$T/r.db" import "$1" --quiet --max-scalar-bytes 1G
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}

printf '%10s %12s %12s %12s\n' tags "list (s)" "us per tag" "value (s)"
for n in ${BENCH_TAGS:-200000 1000000}; do
    { head_of; printf '    tags: ['; tags "$n"; printf ']\n'; } > "$T/list.yaml"
    { head_of; printf '    name: "'; tags "$n" | tr -d ' '; printf '"\n'; } | sed '0,/    name: Tags/{/    name: Tags/d}' > "$T/value.yaml"
    list=$(seconds "$T/list.yaml")
    value=$(seconds "$T/value.yaml")
    printf '%10s %12s %12s %12s\n' "$n" "$list" "$(awk -v a="$list" -v n="$n" 'BEGIN { printf "%.2f", a * 1e6 / n }')" "$value"
done
