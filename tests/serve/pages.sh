#!/bin/bash
# pages.sh -- the web pages of runtime/pages/ are well-formed and
# self-contained (tests/serve/pages_check.py: closed elements, a label for
# every field, links only to embedded files, no external URL anywhere,
# no inline script, style or handler, no markup parsed from strings),
# after a self-test on a fixture with one fault of each kind; and their
# scripts parse (node --check, when node is installed).
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
if command -v node >/dev/null; then
    for js in "$SRC"/runtime/pages/*.js; do
        ERR=$(node --check "$js" 2>&1) && pass || fail "node --check $js: $ERR"
    done
else
    echo "pages.sh: node is not installed: the scripts' syntax is not checked here" >&2
fi
finish
