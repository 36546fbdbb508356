#!/usr/bin/env bash
# bench_csv.sh [BUILD_DIR] [ROWS] -- the CSV bulk path: ROWS (5,500,000)
# award rows (ROWS/5 new holders, 8 credentials) imported by `credex
# import` into a registry that holds the catalog, against `sqlite3
# .import` of the same rows into a table of the award table's layout (with
# its index), both in one run. Prints both times (wall, and CPU from
# /usr/bin/time), their peak RSS, the ratio of wall times and the load
# average; target (issue 12): credex under 1.5x sqlite3. Then 1,000 more
# rows (200 new holders) into the registry just made: a small list into a
# large registry, whose cost should not grow with the registry. Never run
# by ctest.
set -euo pipefail
build=${1:-build}
rows=${2:-5500000}
command -v sqlite3 >/dev/null || { echo "bench_csv: needs the sqlite3 tool" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench_csv: needs /usr/bin/time (Debian: time)" >&2; exit 2; }
cmake --build "$build" --target credex >/dev/null
credex="$build/credex"
T=$(mktemp -d "${TMPDIR:-/tmp}/credex-csv.XXXXXX")
trap 'rm -rf "$T"' EXIT

{
  echo "version: 1"
  echo "jurisdictions:"
  echo "  - { id: US-OH, name: Ohio }"
  echo "credentials:"
  for c in 1 2 3 4 5 6 7 8; do
    echo "  - { id: C$c, name: Module $c, type: micro-credential, jurisdiction: US-OH, hours: 24 }"
  done
} > "$T/catalog.yaml"
# The same rows twice: credex's columns, and the award table's for sqlite3
# (its id the default award id credex gives, status written out).
awk -v n="$rows" -v csv="$T/awards.csv" -v sql="$T/awards.sql.csv" 'BEGIN {
  srand(11)
  print "holder,credential,issued,hours" > csv
  for (i = 0; i < n; i++) {
    h = sprintf("h-%07d", int(i / 5)); c = "C" (1 + i % 8)
    d = sprintf("%04d-%02d-%02d", 2015 + int(i / 40) % 11, 1 + (i * 7) % 12, 1 + (i * 13) % 28)
    hours = 10 + int(rand() * 30)
    print h "," c "," d "," hours > csv
    print h "/" c "/" d "," h "," c "," d ",,," hours ",active,," > sql
  }
}'
"$credex" --db "$T/r.db" import "$T/catalog.yaml" --quiet

# One timed command: its wall seconds, CPU seconds and peak RSS (KB) into $T/NAME.time.
timed() {
    local name=$1
    shift
    /usr/bin/time -o "$T/$name.time" -f "%e %U %S %M" "$@"
}
field() { awk -v i="$2" '{ print $i }' "$T/$1.time"; }

load=$(cut -d' ' -f1-3 /proc/loadavg)
timed credex "$credex" --db "$T/r.db" import "$T/awards.csv" --jurisdiction US-OH --quiet

sqlite3 "$T/s.db" "CREATE TABLE award(id TEXT PRIMARY KEY NOT NULL, holder_id TEXT NOT NULL,
  credential_id TEXT NOT NULL, issued TEXT NOT NULL, expires TEXT, jurisdiction_id TEXT,
  hours INTEGER, status TEXT NOT NULL DEFAULT 'active'
  CHECK (status = 'active' OR status = 'revoked' OR status = 'suspended'),
  grade TEXT, evidence TEXT) WITHOUT ROWID; CREATE INDEX award_holder ON award(holder_id);"
timed sqlite sqlite3 "$T/s.db" -cmd ".mode csv" ".import $T/awards.sql.csv award"
awards=$("$credex" --db "$T/r.db" list holders --format csv | wc -l)

awk -v n="$rows" 'BEGIN {
  print "holder,credential,issued,hours"
  for (i = 0; i < 1000; i++)
    print sprintf("h-%07d", int(n / 5) + 1 + int(i / 5)) ",C" (1 + i % 8) ",2026-01-" sprintf("%02d", 1 + i % 28) ",12"
}' > "$T/small.csv"
timed small "$credex" --db "$T/r.db" import "$T/small.csv" --jurisdiction US-OH --quiet

for who in credex sqlite; do
    printf '%-16s %s s wall, %s s user, %s s sys, peak RSS %s MB\n' "$who:" "$(field $who 1)" \
        "$(field $who 2)" "$(field $who 3)" "$(($(field $who 4) / 1024))"
done
echo "rows:            $rows ($((awards - 1)) holders in the registry)"
echo "ratio:           $(echo "scale=2; $(field credex 1) / $(field sqlite 1)" | bc)x wall," \
    "$(echo "scale=2; ($(field credex 2) + $(field credex 3)) / ($(field sqlite 2) + $(field sqlite 3))" | bc)x CPU (target < 1.5x)"
printf '%-16s %s s wall, %s s user, %s s sys, peak RSS %s MB\n' "then 1,000 rows:" "$(field small 1)" \
    "$(field small 2)" "$(field small 3)" "$(($(field small 4) / 1024))"
echo "load average:    $load (before) $(cut -d' ' -f1-3 /proc/loadavg) (after)"
