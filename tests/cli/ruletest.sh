# ruletest.sh -- `credex test`, the rule-test runner, as a standards body
# uses it: passing and failing files, the exact failure lines and summary,
# located errors for unreadable test files, catalogs and packs, exit codes
# 0, 1, 2 and 3, and paths resolved from each test file's folder. The
# files live in tests/ruletest/ (failing/ holds the deliberately bad ones).
. "$SRC/tests/cli/lib.sh"
cd "$SRC" || exit 1
F=tests/ruletest/failing

# --- passing files ------------------------------------------------------------
run test tests/ruletest/runner.test.yaml tests/ruletest/decisions.test.yaml tests/ruletest/nested
expect_rc 0 "passing files"
expect_eq "$OUT" "19 passed, 0 failed" "passing files: the only line is the summary"
expect_eq "$ERR" "" "passing files: nothing on stderr"

run test tests/rules/compiler
expect_rc 0 "the compiler's rule tests, by directory"
expect_eq "$OUT" "40 passed, 0 failed" "the compiler's rule tests"

# --- failing expectations: exit 1, one line per failing case ------------------
MISSPELT="tests/ruletest/fixtures/broken/misspelt.lua:3: error: counts_as: unknown credential 'CA-EVS-110'; did you mean 'CA-EVS-101'?"
run test $F/expectations.test.yaml
expect_rc 1 "failing expectations"
expect_eq "$OUT" "$F/expectations.test.yaml:8: FAIL packs expected to load: check: status error, expected ok: $MISSPELT
$F/expectations.test.yaml:12: FAIL packs expected to fail: check: status ok, expected error (the packs loaded: 3 rules)
$F/expectations.test.yaml:15: FAIL the wrong error: check: the first error does not match \"unknown jurisdiction\": $MISSPELT
$F/expectations.test.yaml:19: FAIL two differences: check: status ok, expected error (the packs loaded: 3 rules); check: status ok, expected error (the packs loaded: 3 rules)
1 passed, 4 failed" "failing expectations: the failure lines and summary"

# Stacking, equivalence and portability: what differed, subject first.
run test $F/decisions.test.yaml
expect_rc 1 "failing decisions"
expect_eq "$OUT" "$F/decisions.test.yaml:5: FAIL the wrong status: equiv TX-EVS-101 -> CA-EVS-101 in US-CA: status equivalent, expected partial (TX-EVS-101 counts as CA-EVS-101 by rule counts_as:TX-EVS-101>CA-EVS-101)
$F/decisions.test.yaml:8: FAIL coverage where no coverage rule applies: equiv TX-EVS-101 -> CA-EVS-101: no coverage rule applied, expected coverage 0.67
$F/decisions.test.yaml:11: FAIL the wrong coverage: equiv TX-EVS-101 -> CA-EVS-101: coverage 2/3 (0.67), expected 0.70
$F/decisions.test.yaml:15: FAIL the wrong missing: transfer TX-EVS-101 from US-TX to US-CA: missing [CA-EVS-101], expected [CA-EVB-201] (extra: CA-EVS-101; lacking: CA-EVB-201)
$F/decisions.test.yaml:19: FAIL status and missing both differ: transfer TX-EVS-101 from US-TX to US-CA: status conditional, expected accepted (recognised in US-CA by tx-into-ca once its requirements are met); missing [CA-EVS-101], expected [] (extra: CA-EVS-101)
$F/decisions.test.yaml:23: FAIL an award the holder does not have: transfer test-holder's award of CA-EVS-101 to US-CA: the holder has no award of CA-EVS-101 issued by 2026-06-01
$F/decisions.test.yaml:27: FAIL an award issued after the as-of date does not exist yet: transfer test-holder's award of TX-EVS-101 to US-CA: the holder has no award of TX-EVS-101 issued by 2026-06-01
$F/decisions.test.yaml:31: FAIL the wrong award and awards used: audit CA-EV-TECH for test-holder: issued 2025-09-01, expected 2025-09-02; used [TX-EVS-101, CA-EVS-101], expected [CA-EVS-101] (extra: TX-EVS-101)
$F/decisions.test.yaml:38: FAIL a certificate not started: audit CA-EV-TECH for test-holder: status not_started, expected met; expires none, expected 2029-01-01
0 passed, 9 failed" "failing decisions: the failure lines and summary"

# --- unreadable inputs: exit 3, each a failed case with its located error -----
# bad_file NAME EXPECTED-LINE: a test file that cannot be read at all.
bad_file() {
    run test "$F/$1.test.yaml"
    expect_rc 3 "$1"
    expect_eq "$OUT" "$2
0 passed, 1 failed" "$1: the located error and summary"
}
bad_file unknown-top-key "$F/unknown-top-key.test.yaml:3:1: unknown key 'test' in test file (did you mean 'tests'?); expected one of: catalog, rules, as_of, tests"
bad_file unknown-case-key "$F/unknown-case-key.test.yaml:7:5: unknown key 'as-of' in test case (did you mean 'as_of'?); expected one of: name, holder, as_of, catalog, rules, expect"
bad_file unknown-expectation "$F/unknown-expectation.test.yaml:4:15: unknown expectation 'audti' (did you mean 'audit'?); expected one of: check, audit, equiv, transfer"
bad_file unknown-field "$F/unknown-field.test.yaml:6:9: unknown key 'stak' in audit expectation (did you mean 'stack'?); expected one of: stack, status, issued, expires, missing, used, gaps"
bad_file bad-status "$F/bad-status.test.yaml:4:51: invalid status 'mett' for audit expectation; expected one of: met, in_progress, not_started, error"
bad_file bad-date "$F/bad-date.test.yaml:4:12: invalid date '2026-02-30' for 'as_of': no such day in that month"
bad_file missing-as-of "$F/missing-as-of.test.yaml:1:1: test file is missing required key 'as_of'"
bad_file missing-catalog "$F/missing-catalog.test.yaml:1:37: no such catalog file '$F/../fixtures/katalog.yaml' (paths are relative to the test file's folder)"
bad_file bad-catalog "$F/bad-catalog.yaml:3:75: unknown key 'hourz' in credential; expected one of: id, name, type, provider, jurisdiction, hours, valid_for, version, effective_from, effective_until, competencies, tags, codes, attributes, grade_scale"
bad_file bad-message "$F/bad-message.test.yaml:4:48: invalid 'message': bad regex at offset 14: missing closing parenthesis"
bad_file audit-no-holder "$F/audit-no-holder.test.yaml:4:22: an audit expectation is about the case holder, and this case has no 'holder'"
bad_file transfer-award "$F/transfer-award.test.yaml:4:34: 'award' names the case holder's award, and this case has no 'holder'"

# A bad holder fails its own case only; the cases around it run.
run test $F/bad-holder.test.yaml
expect_rc 3 "a bad case holder"
expect_eq "$OUT" "$F/bad-holder.test.yaml:7: FAIL a misspelt holder field: $F/bad-holder.test.yaml:9:7: unknown key 'awardz' in holder; expected one of: id, jurisdiction, attributes, awards
$F/bad-holder.test.yaml:11: FAIL an award of an unknown credential: $F/bad-holder.test.yaml:13:31: unknown credential 'CA-EVS-110'; did you mean 'CA-EVS-101'?
2 passed, 2 failed" "a bad case holder"

# An id the registry lacks, in an expectation: located, with the nearest id.
run test $F/unknown-id.test.yaml
expect_rc 3 "an unknown id in an expectation"
expect_eq "$OUT" "$F/unknown-id.test.yaml:5: FAIL a misspelt credential in an expectation: $F/unknown-id.test.yaml:6:15: equiv: no credential 'TX-EVS-11' in the registry; did you mean 'TX-EVS-101'?
$F/unknown-id.test.yaml:9: FAIL a misspelt stack: $F/unknown-id.test.yaml:11:15: audit: no credential 'CA-EV-TECK' in the registry; did you mean 'CA-EV-TECH'?
$F/unknown-id.test.yaml:12: FAIL a credential that no stack confers: $F/unknown-id.test.yaml:14:15: audit: no stack confers 'CA-EVS-101' in the rule packs loaded
1 passed, 3 failed" "an unknown id in an expectation"

# Packs that cannot be loaded, where no check expectation asks for that.
run test $F/pack-error.test.yaml
expect_rc 3 "a case whose packs do not load"
expect_eq "$OUT" "$F/pack-error.test.yaml:5: FAIL a stack over packs that do not load: the rule packs did not load: $MISSPELT
0 passed, 1 failed" "a case whose packs do not load"

# A bad test file makes the run exit 3 even when every other case passed.
run test tests/ruletest/runner.test.yaml $F/unknown-top-key.test.yaml
expect_rc 3 "a good file and a bad one"
expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" "9 passed, 1 failed" "a good file and a bad one: summary"

# A failing case and a bad file: still 3.
run test $F/expectations.test.yaml $F/bad-date.test.yaml
expect_rc 3 "a failing case and a bad file"
expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" "1 passed, 5 failed" "a failing case and a bad file: summary"

# A directory runs every *.test.yaml below it, in byte order of path.
run test $F
expect_rc 3 "the failing folder"
expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" "4 passed, 31 failed" "the failing folder: summary"
expect_eq "$(printf '%s\n' "$OUT" | sed -n '1,4s/:.*//p')" "$F/audit-no-holder.test.yaml
$F/bad-catalog.yaml
$F/bad-date.test.yaml
$F/bad-holder.test.yaml" "the failing folder: files in byte order"
expect_eq "$(printf '%s\n' "$OUT" | grep -c "^$F/")" 31 "the failing folder: one line per failure"

# --- paths ---------------------------------------------------------------------
# Relative paths inside a test file resolve from its folder, wherever credex runs.
(cd tests/ruletest/nested && "$CREDEX" test deeper.test.yaml >"$WORK/nested.out" 2>&1)
expect_eq "$?:$(cat "$WORK/nested.out")" "0:1 passed, 0 failed" "run from the test file's folder"
(cd "$WORK" && "$CREDEX" test "$SRC/tests/ruletest/nested/" >"$WORK/abs.out" 2>&1)
expect_eq "$?:$(cat "$WORK/abs.out")" "0:1 passed, 0 failed" "run from elsewhere, by absolute path"

# Without arguments: ./rules.
mkdir -p "$WORK/proj/rules/packs"
cp tests/ruletest/fixtures/catalog.yaml "$WORK/proj/rules/"
cp tests/ruletest/fixtures/packs/articulation.lua "$WORK/proj/rules/packs/"
cat >"$WORK/proj/rules/mine.test.yaml" <<'YAML'
catalog: catalog.yaml
rules: packs
as_of: 2026-06-01
tests:
  - { name: loads, expect: { check: { status: ok } } }
  - { name: wrongly expected to fail, expect: { check: { status: error } } }
YAML
(cd "$WORK/proj" && "$CREDEX" test >"$WORK/default.out" 2>&1)
expect_eq "$?" 1 "no arguments: ./rules"
expect_eq "$(cat "$WORK/default.out")" "rules/mine.test.yaml:6: FAIL wrongly expected to fail: check: status ok, expected error (the packs loaded: 1 rule)
1 passed, 1 failed" "no arguments: the tests under ./rules"

(cd "$WORK" && "$CREDEX" test >"$WORK/none.out" 2>"$WORK/none.err")
expect_eq "$?" 2 "no arguments and no ./rules"
expect_eq "$(cat "$WORK/none.err")" "credex test: no test files: name test files or directories, or run where a ./rules directory is
try 'credex test --help'" "no arguments and no ./rules: usage"

run test tests/ruletest/nosuch.test.yaml
expect_rc 3 "a path that does not exist"
expect_eq "$OUT" "tests/ruletest/nosuch.test.yaml: no such test file or directory
0 passed, 1 failed" "a path that does not exist"

mkdir -p "$WORK/empty"
run test "$WORK/empty"
expect_rc 3 "a directory without test files"
expect_eq "$OUT" "$WORK/empty: no *.test.yaml files under this directory
0 passed, 1 failed" "a directory without test files"

# --- help and options ----------------------------------------------------------
run test --help
expect_rc 0 "credex test --help"
expect_contains "$OUT" "usage: credex test [FILE|DIR...]" "help: usage"
expect_contains "$OUT" "  check:    { status: ok|error, message: REGEX }" "help: the check expectation"
expect_contains "$OUT" "      expect: { audit: { stack: CA-EV-TECH, status: met } }" "help: the example"
expect_contains "$OUT" "Exit codes: 0 every case passed; 1 a case failed; 2 usage; 3 a test file," "help: exit codes"
run --help
expect_contains "$OUT" "  test       run rule tests" "the command list names test"
run test --db x.db tests/ruletest/nested
expect_rc 2 "--db does not apply"
expect_contains "$ERR" "option '--db' does not apply to 'test'" "--db does not apply: message"
finish
