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

# import_defs DB: imports into DB (a new registry) the definitions that
# streamed holders refer to: jurisdiction US-NV, provider p1, course c1.
import_defs() {
    cat > defs.yaml <<'YAML'
jurisdictions:
  - { id: US-NV, name: Nevada }
providers:
  - { id: p1, name: P }
credentials:
  - { id: c1, name: C, type: course, provider: p1, jurisdiction: US-NV }
YAML
    run --db "$1" import defs.yaml
    expect_rc 0 "definitions import"
}

# gen_catalog SEED HOLDERS: a catalog on stdout of HOLDERS holders h-00000..
# with 0-6 awards each of C1-C8 (US-OH, valid_for P4Y), and a credential S9
# for stacks of their own; the same bytes for a seed (awk's srand).
gen_catalog() {
    awk -v seed="$1" -v n="$2" 'BEGIN {
      srand(seed)
      print "version: 1"; print "jurisdictions:"; print "  - { id: US-OH, name: Ohio }"
      print "credentials:"
      for (c = 1; c <= 8; c++)
        printf "  - { id: C%d, name: Module %d, type: micro-credential, jurisdiction: US-OH, hours: %d, valid_for: P4Y }\n", c, c, 20 + c * 3
      print "  - { id: S9, name: Checked, type: certificate, jurisdiction: US-OH }"
      print "holders:"
      for (h = 0; h < n; h++) {
        k = int(rand() * 7)
        printf "  - id: h-%05d\n", h
        if (k == 0) { print "    awards: []"; continue }
        print "    awards:"
        for (i = 0; i < k; i++)
          printf "      - { credential: C%d, issued: %04d-%02d-%02d }\n", 1 + int(rand() * 8), 2018 + int(rand() * 8), 1 + int(rand() * 12), 1 + int(rand() * 28)
      }
    }'
}

# finish: prints the summary and exits non-zero on any failure.
finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}
