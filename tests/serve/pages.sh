#!/bin/bash
# pages.sh -- the web pages of runtime/pages/ are well-formed and
# self-contained (tests/serve/pages_check.py: closed elements, a label for
# every field, links only to embedded files, no external URL anywhere,
# no inline script, style or handler, no markup parsed from strings),
# after a self-test on a fixture with one fault of each kind; and their
# scripts parse and the what-if CSV is the CLI's (in node, when installed).
. "$SRC/tests/cli/lib.sh"
CHECK="$SRC/tests/serve/pages_check.py"

# ------------------------------------------------------------ self-test
mkdir -p fixture
cat >fixture/bad.html <<'HTML'
<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><link rel="stylesheet" href="/pages/gone.css"></head>
<body>
<form>
<label for="a">A</label>
<input id="a" name="a">
<input id="b" name="b">
<label>C <select id="c"></select></label>
<textarea id="d" aria-label="D"></textarea>
<div><p>unclosed</div>
<script src="https://cdn.example/x.js"></script>
<button onclick="go()" style="color: red">Go</button>
<script>go();</script>
</form>
</body>
</html>
HTML
printf '/* fetch("//evil.example/x") */\nbox.innerHTML = name;\n' >fixture/bad.js
OUT=$(python3 "$CHECK" fixture)
RC=$?
expect_eq "$RC" 1 "self-test: the fixture fails"
expect_contains "$OUT" "bad.html:8: <input id='b'> has no label" "self-test: an unlabelled input"
expect_not_contains "$OUT" "id='c'> has no label" "self-test: a field inside its label is labelled"
expect_not_contains "$OUT" "id='d'> has no label" "self-test: aria-label labels"
expect_contains "$OUT" "bad.html:2: <html> needs lang" "self-test: no lang"
expect_contains "$OUT" "bad.html:1: no <title>" "self-test: no title"
expect_contains "$OUT" "bad.html:1: no <meta name=viewport>" "self-test: no viewport"
expect_contains "$OUT" "bad.html:3: href='/pages/gone.css': expected" "self-test: a link to a file that is not embedded"
expect_contains "$OUT" "bad.html:11: </div> where </p> (opened at line 11) was expected" "self-test: an element left open"
expect_contains "$OUT" "bad.html:12: 'https:': the pages may name no external URL" "self-test: an external URL"
expect_contains "$OUT" "bad.js:1: '//': the pages may name no external URL" "self-test: a protocol-relative URL in a comment"
expect_contains "$OUT" "bad.html:13: <button onclick=...>: no inline style or handler" "self-test: an inline handler"
expect_contains "$OUT" "bad.html:13: <button style=...>: no inline style or handler" "self-test: an inline style"
expect_contains "$OUT" "bad.html:14: an inline script" "self-test: an inline script"
expect_contains "$OUT" "bad.js:2: innerHTML: build the DOM with createElement and textContent" "self-test: markup parsed from a string"

# ------------------------------------------------------- the real pages
OUT=$(python3 "$CHECK" "$SRC/runtime/pages")
RC=$?
expect_eq "$RC:$OUT" "0:" "runtime/pages/ has no problem"
for page in index transfer audit whatif; do
    [ -f "$SRC/runtime/pages/$page.html" ] && pass || fail "runtime/pages/$page.html is missing"
done

# ------------------------------------------------- the scripts, in node
if ! command -v node >/dev/null; then
    echo "pages.sh: SKIPPED: node is not installed: the scripts' syntax and the what-if CSV are not checked" >&2
    finish
    exit
fi
for js in "$SRC"/runtime/pages/*.js; do
    ERR=$(node --check "$js" 2>&1) && pass || fail "node --check $js: $ERR"
done

# whatif.js's CSV is byte for byte `credex whatif --format csv`'s, and its
# gains and losses per credential are the moves up and down, on the EV
# example with the curriculum change (audits, an equivalence with
# coverage) and with Texas leaving the compact (recognitions).
"$CREDEX" --db ev.db import "$SRC/examples/ev-mechanic/catalog.yaml" --quiet || fail "import the example"
cp "$SRC/tests/fixtures/whatif/tx-leaves-compact.yaml" tx-leaves.yaml
# js_whatif NAME CHANGE: NAME.csv from the CLI, NAME.js.csv from whatif.js,
# and on stdout one line "credential +gained -lost ~other" per credential.
js_whatif() {
    "$CREDEX" whatif "$2" --db ev.db --rules "$SRC/examples/ev-mechanic/rules" --as-of 2026-06-01 \
        --format json >"$1.jsonl"
    "$CREDEX" whatif "$2" --db ev.db --rules "$SRC/examples/ev-mechanic/rules" --as-of 2026-06-01 \
        --format csv >"$1.csv"
    node -e '
        const whatif = require(process.argv[1]);
        const lines = require("fs").readFileSync(process.argv[2], "utf8").split("\n").filter(Boolean);
        const transitions = lines.map(JSON.parse);
        require("fs").writeFileSync(process.argv[3], whatif.csv(transitions));
        for (const r of whatif.perCredential(transitions))
            console.log(r.credential + " +" + r.gained + " -" + r.lost + " ~" + r.other);
    ' "$SRC/runtime/pages/whatif.js" "$1.jsonl" "$1.js.csv"
}
OUT=$(js_whatif curriculum "$SRC/examples/curriculum-change/change.yaml")
cmp -s curriculum.csv curriculum.js.csv && pass ||
    fail "the curriculum change: whatif.js's CSV differs from the CLI's: $(diff curriculum.csv curriculum.js.csv)"
expect_contains "$(cat curriculum.csv)" $'equiv,TX-EVB-201 -> CA-EVB-201 in US-CA,equivalent,partial,1,,4/5,4/6\r' \
    "the curriculum change: the CLI's CSV holds the equivalence with coverage"
expect_eq "$OUT" "CA-EV-TECH +0 -1 ~0
CA-EVB-201 +0 -1 ~0" "the curriculum change: one holder loses the certificate, one equivalence is lost"
OUT=$(js_whatif tx-leaves tx-leaves.yaml)
cmp -s tx-leaves.csv tx-leaves.js.csv && pass ||
    fail "Texas leaves: whatif.js's CSV differs from the CLI's: $(diff tx-leaves.csv tx-leaves.js.csv)"
expect_eq "$(wc -l <tx-leaves.csv | tr -d ' ')" 19 "Texas leaves: a header and 18 recognitions"
expect_contains "$OUT" "TX-EVS-101 +0 -3 ~0" "Texas leaves: TX-EVS-101 loses US-CA (conditional), US-CT and US-NV"
expect_contains "$OUT" "CA-EVS-101 +0 -1 ~0" "Texas leaves: CA-EVS-101 is no longer accepted in US-TX"
finish
