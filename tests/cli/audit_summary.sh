# audit_summary.sh -- `credex audit --all --summary`: the counts per stack
# and status equal those of the decisions `--format csv` writes for the same
# registry, in text and JSON, for --jobs 1 and 2, with --stack; exit code 3
# when a decision is an error; usage errors for what it does not go with.
. "$SRC/tests/cli/lib.sh"

# A generated registry: 400 holders, awards of C1..C8 (some issued in
# US-B, some revoked), some holding S1 outright, waivers (some of a label
# no stack has: an error) and substitutions.
awk 'BEGIN {
  srand(11)
  print "version: 1"; print "jurisdictions:"
  print "  - { id: US-A, name: A }"; print "  - { id: US-B, name: B }"
  print "credentials:"
  for (c = 1; c <= 8; c++)
    printf "  - { id: C%d, name: M%d, type: module, jurisdiction: US-A, hours: %d, valid_for: P%dY }\n", c, c, 10 + 5 * c, 2 + c % 3
  for (s = 1; s <= 3; s++) printf "  - { id: S%d, name: S%d, type: certificate, jurisdiction: US-A }\n", s, s
  print "holders:"
  for (h = 0; h < 400; h++) {
    k = int(rand() * 7)
    printf "  - id: h-%04d\n", h
    if (k == 0) { print "    awards: []"; continue }
    print "    awards:"
    for (i = 0; i < k; i++) {
      cred = rand() < 0.03 ? "S1" : sprintf("C%d", 1 + int(rand() * 8))
      printf "      - { credential: %s, issued: %04d-%02d-%02d", cred, 2019 + int(rand() * 8), 1 + int(rand() * 12), 1 + int(rand() * 28)
      if (rand() < 0.1) printf ", jurisdiction: US-B"
      if (rand() < 0.05) printf ", status: revoked"
      print " }"
    }
  }
  print "exceptions:"
  print "  - { holder: h-0003, stack: S1, waive: nothing-labelled-so, by: dean, reason: r }"
  for (h = 5; h < 400; h += 37)
    printf "  - { holder: h-%04d, stack: S%d, waive: core, by: dean, reason: r }\n", h, 1 + h % 3
  print "  - { holder: h-0010, stack: S2, substitute: { for: C7, use: C8 }, by: dean, reason: r }"
}' > catalog.yaml
cat > stacks.lua <<'LUA'
pack "summary" { authority = "test", version = "1" }
stack "S1" { jurisdiction = "US-A", window = { recent = "P4Y" },
  requires = all { label = "core", "C1", at_least(2) { "C2", "C3", "C4", "C5" }, hours(60, { "C1", "C2", "C3", "C4", "C5" }) } }
stack "S2" { jurisdiction = "US-A", requires = any { label = "core", all { "S1", "C6" }, at_least(2) { "C6", "C7", "C8" } } }
stack "S3" { jurisdiction = "US-A", window = { span = "P3Y" }, requires = all { label = "core", "C1", "C2", "C8" } }
LUA
"$CREDEX" --db r.db import catalog.yaml --quiet || exit 1
R=(--db r.db --rules stacks.lua --as-of 2026-06-01)

# csv_counts FILE: "STACK: met N, in_progress N, not_started N, error N" per stack
csv_counts() {
    awk -F, 'NR > 1 { n[$2 "," $3]++; s[$2] = 1 }
      END { for (k in s) printf "%s: met %d, in_progress %d, not_started %d, error %d\n", k,
            n[k ",met"], n[k ",in_progress"], n[k ",not_started"], n[k ",error"] }' "$1" | sort
}
# json_counts: the same lines from --summary --format json on stdin
json_counts() {
    sed -E 's/.*"stack":"([^"]*)".*"met":([0-9]+),"in_progress":([0-9]+),"not_started":([0-9]+),"error":([0-9]+).*/\1: met \2, in_progress \3, not_started \4, error \5/'
}

for j in 1 2; do
    run audit --all "${R[@]}" --format csv --jobs $j
    expect_rc 3 "csv --jobs $j: a waiver of a label S1 lacks is an error"
    printf '%s\n' "$OUT" > "audit.$j.csv"
    expected=$(csv_counts "audit.$j.csv")
    expect_eq "$(wc -l < "audit.$j.csv")" 1201 "csv --jobs $j: 400 holders x 3 stacks and a header"

    run audit --all --summary "${R[@]}" --jobs $j
    expect_rc 3 "--summary --jobs $j: exit 3 when a status is error"
    expect_eq "$(printf '%s\n' "$OUT" | head -1)" "as of 2026-06-01: 400 holders, 3 stacks" \
        "--summary --jobs $j: first line"
    expect_eq "$(printf '%s\n' "$OUT" | tail -n +2)" "$expected" "--summary --jobs $j: counts of csv"
    expect_contains "$OUT" "S1: met " "--summary --jobs $j: S1 listed"

    run audit --all --summary "${R[@]}" --jobs $j --format json
    expect_rc 3 "--summary json --jobs $j: exit 3"
    expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 3 "--summary json --jobs $j: one line per stack"
    expect_eq "$(printf '%s\n' "$OUT" | json_counts)" "$expected" "--summary json --jobs $j: counts of csv"
    expect_contains "$OUT" '{"kind":"audit_summary","stack":"S1","as_of":"2026-06-01","holders":400,' \
        "--summary json --jobs $j: kind, stack, as_of, holders"
done
errors=$(awk -F, 'NR > 1 && $3 == "error"' audit.1.csv | wc -l)
expect_eq "$errors" 1 "the one error: h-0003's waiver"
met=$(awk -F, 'NR > 1 && $3 == "met"' audit.1.csv | wc -l)
[ "$met" -gt 0 ] && pass || fail "some holder meets a stack"

# --stack: one stack, no error among S2's decisions
run audit --all --summary "${R[@]}" --stack S2 --jobs 2
expect_rc 0 "--summary --stack S2: exit 0 (no error in S2)"
expect_eq "$OUT" "as of 2026-06-01: 400 holders, 1 stack
$(csv_counts audit.1.csv | grep '^S2:')" "--summary --stack S2: S2's counts"
run audit --all --summary "${R[@]}" --stack S2 --fail-unless met
expect_rc 1 "--summary --fail-unless met: not every S2 status is met"
run audit --all --summary "${R[@]}" --stack S9
expect_rc 2 "--summary --stack S9: no such stack"

# the EV example: the counts of its golden CSV
cd "$SRC" || exit 1
"$CREDEX" --db "$WORK/ev.db" import examples/ev-mechanic/catalog.yaml --quiet
run audit --all --summary --db "$WORK/ev.db" --rules examples/ev-mechanic/rules --as-of 2026-06-01
expect_rc 0 "EV --summary: exit 0"
expect_eq "$OUT" "as of 2026-06-01: 8 holders, 1 stack
$(csv_counts tests/cli/golden/audit-all.csv)" "EV --summary: the golden CSV's counts"
cd "$WORK" || exit 1

# what --summary does not go with
run audit --holder h-0001 --summary "${R[@]}"
expect_rc 2 "--summary without --all"
expect_contains "$ERR" "--summary goes with --all" "--summary without --all: says so"
run audit --all --summary --format csv "${R[@]}"
expect_rc 2 "--summary --format csv"
run audit --all --summary --log "${R[@]}"
expect_rc 2 "--summary --log"
run audit --help
expect_contains "$OUT" "--summary" "audit --help mentions --summary"
finish
