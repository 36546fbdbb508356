# lib.sh -- helpers for the shell tests: run credex, capture its exit code,
# stdout and stderr, and assert on the values a user would check. Each
# assertion prints what differed; the test ends with "N passed, M failed".
set -u
: "${CREDEX:?CREDEX must name the credex binary}"
: "${SRC:?SRC must name the source tree}"
TEST_TMP=${TEST_TMP:-/tmp}
mkdir -p "$TEST_TMP"
WORK=$(mktemp -d "$TEST_TMP/$(basename "$0" .sh).XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
unset CREDEX_DB CREDEX_RULES
PASSED=0
FAILED=0

# run ARGS...: runs credex, leaving $RC, $OUT and $ERR.
run() {
    "$CREDEX" "$@" >"$WORK/.out" 2>"$WORK/.err" </dev/null
    RC=$?
    OUT=$(cat "$WORK/.out")
    ERR=$(cat "$WORK/.err")
}

pass() { PASSED=$((PASSED + 1)); }
fail() {
    FAILED=$((FAILED + 1))
    echo "FAIL: $*" >&2
}

# expect_rc N WHAT
expect_rc() {
    if [ "$RC" -eq "$1" ]; then pass; else fail "$2: exit $RC, expected $1 (stderr: $ERR)"; fi
}

# expect_eq ACTUAL EXPECTED WHAT
expect_eq() {
    if [ "$1" = "$2" ]; then pass; else fail "$3: got [$1], expected [$2]"; fi
}

# expect_contains HAYSTACK NEEDLE WHAT
expect_contains() {
    case "$1" in
    *"$2"*) pass ;;
    *) fail "$3: [$1] does not contain [$2]" ;;
    esac
}

# expect_not_contains HAYSTACK NEEDLE WHAT
expect_not_contains() {
    case "$1" in
    *"$2"*) fail "$3: [$1] contains [$2]" ;;
    *) pass ;;
    esac
}

# expect_golden FILE NAME: FILE byte for byte against $GOLDEN/NAME (the
# script sets GOLDEN); with CREDEX_UPDATE_GOLDEN=1, FILE becomes the golden
# file instead (review the diff).
expect_golden() {
    if [ "${CREDEX_UPDATE_GOLDEN:-}" = 1 ]; then
        cp "$1" "$GOLDEN/$2"
        pass
    elif cmp -s "$1" "$GOLDEN/$2"; then
        pass
    else
        fail "$2 differs from its golden file:"
        diff "$GOLDEN/$2" "$1" | head -20 >&2
    fi
}

# finish: prints the summary and exits non-zero on any failure.
finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}
