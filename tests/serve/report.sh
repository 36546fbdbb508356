#!/bin/bash
# report.sh -- `credex whatif --format html` and `credex diff --format html`
# (docs/whatif.md, "HTML report"): one self-contained page, read by
# tests/serve/report.py as XML and, when Chromium is installed, in headless
# Chromium; both must show the CLI's affected holders and totals, with a
# pack's markup and a path's '&' and '<' shown as text. Says which reader ran.
. "$SRC/tests/cli/lib.sh"
EV="$SRC/examples/ev-mechanic"
DB="$WORK/ev.db"
ASOF=(--as-of 2026-06-01)
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
"$CREDEX" --db "$DB" import "$EV/catalog.yaml" >/dev/null || fail "import the EV catalog"

# page NAME TITLE ARGS...: credex ARGS as html, --holders json and text, then
# report.py on the page.
page() {
    local name=$1 title=$2
    shift 2
    "$CREDEX" --db "$DB" "$@" "${ASOF[@]}" --format html >"$WORK/$name.html"
    expect_eq "$?" 0 "$name: --format html exits 0"
    "$CREDEX" --db "$DB" "$@" "${ASOF[@]}" --holders --format json >"$WORK/$name.jsonl"
    local totals
    totals=$("$CREDEX" --db "$DB" "$@" "${ASOF[@]}" | sed -n 's/^transitions: //p')
    python3 "$SRC/tests/serve/report.py" "$CREDEX" "$SRC" "$WORK" "$WORK/$name.html" \
        "$WORK/$name.jsonl" "$totals" "$title" $CHROMIUM >"$WORK/$name.out" 2>&1
    RC=$?
    cat "$WORK/$name.out"
    ERR=$(tail -3 "$WORK/$name.out")
    expect_rc 0 "report.py on $name"
    expect_contains "$(tail -1 "$WORK/$name.out")" " passed, 0 failed" "$name: report.py's count"
    if [ -n "$CHROMIUM" ]; then
        expect_contains "$(cat "$WORK/$name.out")" "checked with: xml parser and headless chromium" \
            "$name: read in Chromium too"
    fi
}

cd "$SRC" || exit 1
CHANGE=tests/fixtures/whatif/holders/change.yaml
page whatif "whatif $CHANGE" whatif "$CHANGE" --rules examples/ev-mechanic/rules
expect_contains "$(cat "$WORK/whatif.out")" '{"gains": "8", "losses": "1", "rects": 5, "rows": 11}' \
    "whatif: 8 gains and 1 loss (h-ca-0001), 5 bars (CA-EV-TECH has two), 11 holders"
expect_contains "$(cat "$WORK/whatif.html")" "safety &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; PPE" \
    "whatif: the pack's label escaped in the page"

# A rule directory whose path holds '&' and '<': the title is text too.
NEW="$WORK/new&<b>rules"
mkdir -p "$NEW"
cp examples/ev-mechanic/rules/*.lua "$NEW/"
sed -i 's/hours(120, tagged "ev")/hours(150, tagged "ev")/' "$NEW/ca-ev-certificate.lua"
page diff "diff examples/ev-mechanic/rules -> $NEW" diff examples/ev-mechanic/rules "$NEW"
expect_contains "$(cat "$WORK/diff.out")" '{"gains": "0", "losses": "1", "rects": 1, "rows": 1}' \
    "diff: one loss, one bar, one holder"
expect_contains "$(cat "$WORK/diff.html")" "new&amp;&lt;b&gt;rules" "diff: the path escaped in the page"

# Nothing moved: the page says so, still well-formed.
: >"$WORK/empty.yaml"
"$CREDEX" --db "$DB" whatif "$WORK/empty.yaml" --rules examples/ev-mechanic/rules "${ASOF[@]}" \
    --format html >"$WORK/empty.html"
expect_eq "$(python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1]); print("ok")' \
    "$WORK/empty.html")" ok "an empty change: a well-formed page"
expect_contains "$(cat "$WORK/empty.html")" "<p>No holder's audit moved.</p>" "an empty change: no holder moved"
finish
