# rule_tests.sh -- every *.test.yaml of the repository (rule packs that
# ship in rules/, worked examples in examples/, the compiler's and the
# runner's own tests in tests/rules/ and tests/ruletest/) run through
# `credex test`, as a standards body would run theirs: all must pass.
# tests/ruletest/failing/ holds deliberately failing files and is skipped.
. "$SRC/tests/cli/lib.sh"
cd "$SRC" || exit 1

files=$(find rules examples tests/rules tests/ruletest \
    -path tests/ruletest/failing -prune -o -name '*.test.yaml' -type f -print 2>/dev/null |
    LC_ALL=C sort)
count=$(printf '%s\n' "$files" | grep -c . || true)
if [ "$count" -gt 0 ]; then pass; else fail "no *.test.yaml files found"; fi

# shellcheck disable=SC2086 # one argument per file; paths have no spaces
run test $files
last=$(printf '%s\n' "$OUT" | tail -n 1)
case "$last" in
"0 passed, 0 failed") fail "credex test ran no case over $count files" ;;
*" passed, 0 failed") pass ;;
*) fail "credex test over $count files: last line [$last], expected N passed, 0 failed:
$OUT" ;;
esac
expect_rc 0 "credex test over every *.test.yaml"
expect_eq "$(printf '%s\n' "$OUT" | grep -c ': FAIL ')" 0 "failing cases"
finish
