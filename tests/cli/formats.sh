# formats.sh -- --format json for check, test and import (JSON Lines, one
# object per diagnostic, case or import, then a summary), and test --format
# junit (JUnit XML: a testsuite per file, a testcase per case), byte for
# byte against golden files (tests/cli/golden/), plus what a user checks:
# exit codes, counts, names, and that the XML parses.
# CREDEX_UPDATE_GOLDEN=1 rewrites the golden files (review the diff).
. "$SRC/tests/cli/lib.sh"
GOLDEN="$SRC/tests/cli/golden"
FORMATS="$SRC/tests/cli/formats"
cp "$SRC/examples/ev-mechanic/catalog.yaml" ev.yaml

# golden NAME ARGS...: runs credex, compares stdout with golden/NAME; $RC.
golden() {
    local name=$1
    shift
    "$CREDEX" "$@" >"$WORK/$name" 2>"$WORK/$name.err"
    RC=$?
    OUT=$(cat "$WORK/$name")
    expect_golden "$WORK/$name" "$name"
}

# --- import --------------------------------------------------------------
golden import-ev.jsonl --db ev.db import ev.yaml --format json
expect_rc 0 "import --format json"
expect_contains "$OUT" '"kind":"import_summary","registry":"ev.db","files":["ev.yaml"]' "import JSON: kind, registry, files"
expect_contains "$OUT" '"holders":8,"awards":27},"exceptions":2,"content_version":1}' "import JSON: counts"
expect_eq "$(cat "$WORK/import-ev.jsonl.err")" "" "import JSON: nothing on stderr"
run --db ev.db import ev.yaml --format json --quiet
expect_contains "$OUT" '"content_version":2}' "--quiet keeps the JSON summary"
run --db ev.db import ev.yaml --quiet
expect_eq "$OUT" "" "import --quiet: no text summary"
printf 'credentials:\n  - { id: X, name: X, type: certificate, jurisdiction: NOWHERE }\n' >bad.yaml
run --db ev.db import bad.yaml --format json
expect_rc 3 "import --format json, a bad catalog"
expect_eq "$OUT" "" "a failed import writes no summary"
expect_contains "$ERR" "bad.yaml:2:" "the error is located"

# --- check ---------------------------------------------------------------
cp "$SRC/tests/ruletest/fixtures/broken/misspelt.lua" misspelt.lua
golden check-misspelt.jsonl --db ev.db check misspelt.lua --format json
expect_rc 3 "check --format json, a pack with an error"
expect_contains "$OUT" '{"kind":"diagnostic","severity":"error","file":"misspelt.lua","line":' "check JSON: a located diagnostic"
expect_contains "$OUT" "unknown credential 'CA-EVS-110'; did you mean 'CA-EVS-101'?" "check JSON: the message"
expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" '{"kind":"check_summary","packs":0,"rules":0,"errors":1,"warnings":0}' "check JSON: the summary last"
expect_eq "$(cat "$WORK/check-misspelt.jsonl.err")" "" "check JSON: nothing on stderr"
run --db ev.db check "$SRC/examples/ev-mechanic/rules" --format json
expect_rc 0 "check --format json, good packs"
expect_eq "$OUT" '{"kind":"check_summary","packs":4,"rules":10,"errors":0,"warnings":0}' "check JSON: good packs"
run --db ev.db check "$SRC/examples/ev-mechanic/rules" --quiet
expect_rc 0 "check --quiet"
expect_eq "$OUT" "" "check --quiet: no summary line"
run --db ev.db check misspelt.lua --quiet
expect_rc 3 "check --quiet, an error"
expect_contains "$ERR" "misspelt.lua:" "check --quiet still prints errors"

# --- test ----------------------------------------------------------------
cd "$FORMATS" || exit 1
golden test-mixed.jsonl test mixed.test.yaml unreadable.test.yaml --format json
expect_rc 3 "test --format json: an unreadable file"
expect_eq "$(printf '%s\n' "$OUT" | grep -c '"kind":"test_case"')" 3 "test JSON: one object per case"
expect_contains "$OUT" '"name":"the packs load","status":"passed"' "test JSON: a passing case"
expect_contains "$OUT" '"status":"failed","difference":"audit CA-EV-TECH for test-holder: status in_progress, expected met"' "test JSON: a failing case"
expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" '{"kind":"test_summary","passed":1,"failed":2,"input_errors":1}' "test JSON: the summary last"

golden test-mixed.junit.xml test mixed.test.yaml unreadable.test.yaml --format junit
expect_rc 3 "test --format junit: exit code as for text"
XML="$WORK/test-mixed.junit.xml"
if python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$XML" 2>"$WORK/xml.err"; then
    pass
else
    fail "JUnit XML is not well-formed: $(cat "$WORK/xml.err")"
fi
SUMMARY=$(python3 - "$XML" <<'PY'
import sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
top = doc.documentElement
print(top.tagName, top.getAttribute("tests"), top.getAttribute("failures"), top.getAttribute("errors"))
for s in top.getElementsByTagName("testsuite"):
    print("suite", s.getAttribute("name"), s.getAttribute("tests"), s.getAttribute("failures"), s.getAttribute("errors"))
    for c in s.getElementsByTagName("testcase"):
        f = c.getElementsByTagName("failure") + c.getElementsByTagName("error")
        print("case", c.getAttribute("classname"), "|", c.getAttribute("name"), "|",
              f[0].tagName + ": " + f[0].getAttribute("message") if f else "ok")
PY
)
expect_eq "$SUMMARY" "testsuites 3 1 1
suite mixed.test.yaml 2 1 0
case mixed.test.yaml | the packs load | ok
case mixed.test.yaml | safety alone is <not> \"met\" & 'in progress' | failure: audit CA-EV-TECH for test-holder: status in_progress, expected met
suite unreadable.test.yaml 1 0 1
case unreadable.test.yaml | unreadable.test.yaml | error: unreadable.test.yaml:2:10: no such catalog file 'no-such-catalog.yaml' (paths are relative to the test file's folder)" "JUnit: counts, names, failures"
expect_not_contains "$(cat "$XML")" "time" "JUnit: no times or timestamps"

run test mixed.test.yaml --format junit --coverage
expect_rc 2 "--coverage with junit"
run test mixed.test.yaml --quiet
expect_rc 1 "test --quiet: a failing case"
expect_eq "$OUT" "mixed.test.yaml:9: FAIL safety alone is <not> \"met\" & 'in progress': audit CA-EV-TECH for test-holder: status in_progress, expected met" "test --quiet: failures, no summary line"
run test mixed.test.yaml --format json --coverage
expect_contains "$OUT" '{"kind":"test_coverage","rules":10,' "test JSON: coverage object"

finish
