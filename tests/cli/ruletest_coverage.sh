# ruletest_coverage.sh -- `credex test --coverage` (docs/design.md §7,
# docs/rule-tests.md "Coverage"): the exact coverage lines for the fixture
# in tests/ruletest/exercised/, whose two files exercise part and all of one
# pack; what counts (a checked decision's trace, the rules awards are used
# through, renewals) and what does not (near misses, stacks evaluated
# beside the one checked); the summary stays last and the exit code is the
# run's.
. "$SRC/tests/cli/lib.sh"
cd "$SRC" || exit 1
D=tests/ruletest/exercised
P=$D/packs/cov.lua

# --- part of the pack exercised ----------------------------------------------
run test --coverage $D/partial.test.yaml
expect_rc 0 "partial: every case passes"
expect_eq "$OUT" "coverage: 3 of 7 rules, 5 of 9 requirement leaves exercised
not exercised: $P:10: requirement at_least(2) { ... } [electives] > \"B-3\" in stack CERT
not exercised: $P:16: rule SAFE-CARD (stack)
not exercised: $P:18: requirement any { ... } > \"A-SAFE\" in stack SAFE-CARD
not exercised: $P:18: requirement any { ... } > \"TX-SAFE\" in stack SAFE-CARD
not exercised: $P:22: rule counts_as:TX-B1>B-1 (counts_as)
not exercised: $P:24: rule tx-into-ca (recognize)
not exercised: $P:24: requirement \"A-SAFE\" in recognize tx-into-ca
not exercised: $P:30: rule closed (deny)
3 passed, 0 failed" "partial: the elective no case fills, the stack beside the one checked, a near miss"
expect_eq "$ERR" "" "partial: nothing on stderr"

# --- the other file alone: its own gaps ---------------------------------------
run test $D/full.test.yaml --coverage
expect_rc 0 "full alone: every case passes"
expect_eq "$OUT" "coverage: 6 of 7 rules, 7 of 9 requirement leaves exercised
not exercised: $P:10: requirement at_least(2) { ... } [electives] > \"B-2\" in stack CERT
not exercised: $P:11: requirement hours(100, tagged \"ev\") [shop hours] in stack CERT
not exercised: $P:35: rule renews:B-2 (renews)
4 passed, 0 failed" "full alone: a total not reached, a renewal not applied"

# --- both: every branch exercised, the list empty -------------------------------
run test --coverage $D
expect_rc 0 "both files: every case passes"
expect_eq "$OUT" "coverage: 7 of 7 rules, 9 of 9 requirement leaves exercised
7 passed, 0 failed" "both files: full counts, no gaps"

# A pack met through two paths counts once: the same file by another path.
run test --coverage $D/partial.test.yaml "$SRC/$D/full.test.yaml"
expect_eq "$OUT" "coverage: 7 of 7 rules, 9 of 9 requirement leaves exercised
7 passed, 0 failed" "a pack loaded by two paths counts once"

# --- without --coverage nothing changes ---------------------------------------
run test $D/partial.test.yaml
expect_eq "$OUT" "3 passed, 0 failed" "without --coverage: the summary only"

# --- failing cases still count; the summary stays last; the exit code is kept --
cat >"$WORK/failing.test.yaml" <<YAML
catalog: $SRC/$D/catalog.yaml
rules: $SRC/$D/packs
as_of: 2026-06-01
tests:
  - name: the wrong status
    expect: { transfer: { credential: TX-CLOSED, from: US-TX, to: US-CA, status: accepted } }
YAML
run test --coverage "$WORK/failing.test.yaml"
expect_rc 1 "a failing case: exit 1"
expect_eq "$(printf '%s\n' "$OUT" | head -n 2)" "$WORK/failing.test.yaml:5: FAIL the wrong status: transfer TX-CLOSED from US-TX to US-CA: status denied, expected accepted (denied by closed: the academy closed)
coverage: 1 of 7 rules, 0 of 9 requirement leaves exercised" "a failing case: its line, then coverage"
expect_not_contains "$OUT" "rule closed (deny)" "a failing case's decision still exercises its rule"
expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" "0 passed, 1 failed" "a failing case: the summary last"

# A check expectation loads the packs and exercises nothing.
cat >"$WORK/check.test.yaml" <<YAML
catalog: $SRC/$D/catalog.yaml
rules: $SRC/$D/packs
as_of: 2026-06-01
tests:
  - { name: the pack loads, expect: { check: { status: ok } } }
YAML
run test --coverage "$WORK/check.test.yaml"
expect_eq "$(printf '%s\n' "$OUT" | head -n 1)" "coverage: 0 of 7 rules, 0 of 9 requirement leaves exercised" "check exercises nothing"

# No pack loaded: nothing to count.
run test --coverage tests/ruletest/failing/bad-date.test.yaml
expect_rc 3 "an unreadable test file: exit 3"
expect_eq "$(printf '%s\n' "$OUT" | tail -n 2)" "coverage: 0 of 0 rules, 0 of 0 requirement leaves exercised
0 passed, 1 failed" "an unreadable test file: empty counts, summary last"

# --coverage is test's own.
run audit --coverage --holder h-1
expect_rc 2 "--coverage does not apply to audit"
expect_contains "$ERR" "option '--coverage' does not apply to 'audit'" "--coverage elsewhere: message"
run test --help
expect_contains "$OUT" "usage: credex test [FILE|DIR...] [--coverage]" "help: the option"
finish
