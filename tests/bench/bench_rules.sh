#!/usr/bin/env bash
# bench_rules.sh [BUILD_DIR] [RULES] -- loading and compiling generated
# rules with `credex check` (target: 1,000 rules in under 0.5 s). The
# baseline, measured in the same run, is the same command on a pack with a
# single rule: the fixed cost of starting, opening the registry, loading
# the snapshot and the sandbox. Prints both, the per-rule cost and the ratio.
set -euo pipefail
build=${1:-build}
rules=${2:-1000}
credex="$build/credex"
[ -x "$credex" ] || { echo "no $credex: build first (make build)" >&2; exit 2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/credex-rules.XXXXXX")
trap 'rm -rf "$T"' EXIT

# A catalog of 200 credentials in 10 states with tags and competencies.
awk -v n=200 'BEGIN {
  print "version: 1"; print "jurisdictions:"
  for (s = 0; s < 10; s++) printf "  - { id: ST-%02d, name: State %d }\n", s, s
  print "groups:"; print "  - id: CMP"; print "    members:"
  for (s = 0; s < 10; s++) printf "      - { jurisdiction: ST-%02d, from: 2024-01-01 }\n", s
  print "frameworks:"; print "  - id: fw"; print "    name: Framework"; print "    competencies:"
  for (k = 0; k < 50; k++) printf "      - { id: fw.c%02d, text: Competency %d }\n", k, k
  print "credentials:"
  for (i = 0; i < n; i++)
    printf "  - { id: C-%04d, name: Credential %d, type: course, jurisdiction: ST-%02d, tags: [t%d, all], competencies: [fw.c%02d, fw.c%02d] }\n", i, i, i % 10, i % 7, i % 50, (i % 50 + 1 + i % 3) % 50
}' > "$T/catalog.yaml"
"$credex" --db "$T/r.db" import "$T/catalog.yaml" >/dev/null

# N rules: a mix of stacks, articulation, computed equivalences,
# recognitions and denials, each with its own id.
gen() {
  awk -v n="$1" 'BEGIN {
    print "pack \"bench\" { authority = \"bench\", version = \"1\" }"
    for (i = 0; i < n; i++) {
      k = i % 5; a = sprintf("C-%04d", i % 200); j = (i * 13 + 1) % 200
      if (j % 5 == 0) j++  # stacks confer C-0000, C-0005, ...: never require one
      b = sprintf("C-%04d", j)
      if (k == 0 && i < 200)
        printf "stack \"%s\" { requires = all { \"%s\", at_least(1) { matching \"^C-0[0-9][0-9][12]$\", matching \"^C-01[0-9][34]$\" }, hours(10, tagged \"t%d\") }, window = { span = \"P5Y\" } }\n", a, b, i % 7
      else if (k == 1 || (k == 0 && i >= 200))
        printf "counts_as { id = \"ca-%d\", from = \"%s\", to = \"%s\", within = \"ST-%02d\" }\n", i, a, b, i % 10
      else if (k == 2)
        printf "equivalence \"eq-%d\" { from = matching \"^C-0%d\", to = tagged \"t%d\", when = coverage \"80%%\", within = member_of \"CMP\" }\n", i, i % 2, i % 7
      else if (k == 3)
        printf "recognize \"rc-%d\" { into = member_of \"CMP\", from = { \"ST-%02d\", \"ST-%02d\" }, credentials = tagged \"t%d\", requires = { \"%s\" } }\n", i, i % 10, (i + 3) % 10, i % 7, b
      else
        printf "deny \"dn-%d\" { into = \"ST-%02d\", credentials = all_of { tagged \"t%d\", matching \"^C-01\" }, reason = \"bench\" }\n", i, i % 10, i % 7
    }
  }' > "$2"
}
gen "$rules" "$T/rules.lua"
gen 1 "$T/one.lua"

time_of() { # best of 3 runs, in seconds
  local best=""
  for _ in 1 2 3; do
    local s e
    s=$(date +%s.%N)
    "$credex" --db "$T/r.db" check "$1" >"$T/out" 2>"$T/err" || { cat "$T/err" >&2; exit 1; }
    e=$(date +%s.%N)
    best=$(awk -v a="$best" -v d="$(awk -v s="$s" -v e="$e" 'BEGIN{print e-s}')" 'BEGIN{print (a == "" || d < a) ? d : a}')
  done
  echo "$best"
}
base=$(time_of "$T/one.lua")
full=$(time_of "$T/rules.lua")
echo "check:    $(cat "$T/out")"
awk -v b="$base" -v f="$full" -v n="$rules" 'BEGIN {
  printf "baseline: 1 rule       %.3f s (start, registry, snapshot, sandbox)\n", b
  printf "rules:    %d rules  %.3f s; %.1f us per rule beyond the baseline\n", n, f, (f - b) / n * 1e6
  printf "ratio:    %.2fx the baseline\n", f / b
  printf "target:   under 0.5 s for 1000 rules: %s\n", (f < 0.5 ? "met" : "NOT met")
}'
