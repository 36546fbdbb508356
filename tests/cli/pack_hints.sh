# pack_hints.sh -- a pack with a missing comma: Lua's syntax error keeps
# its words and gains a plain hint saying where the ',' may be missing
# (docs/rules.md, "Checking a pack"); other syntax errors get none. The
# packs are tests/cli/fixtures/pack-hints/.
. "$SRC/tests/cli/lib.sh"
cd "$SRC" || exit 1
F=tests/cli/fixtures/pack-hints
DB="$WORK/next.db"
"$CREDEX" --db "$DB" import tests/rules/next/catalog.yaml --quiet

# hint NAME MESSAGE: credex check F/NAME.lua exits 3 with MESSAGE on stderr.
hint() {
    run --db "$DB" check "$F/$1.lua" --quiet
    expect_rc 3 "$1: exit code"
    expect_eq "$ERR" "$2" "$1: the error"
}

hint missing-comma "$F/missing-comma.lua:8: error: '}' expected (to close '{' at line 4) near 'requires' (a ',' may be missing at the end of line 5)"
hint one-line "$F/one-line.lua:3: error: '}' expected near 'requires' (a ',' may be missing before 'requires' on line 3)"
hint list-item "$F/list-item.lua:7: error: '}' expected (to close '{' at line 5) near '\"C2\"' (a ',' may be missing at the end of line 6)"
hint call-args "$F/call-args.lua:4: error: ')' expected (to close '(' at line 3) near 'tagged' (a ',' may be missing at the end of line 3)"
hint other-error "$F/other-error.lua:4: error: '}' expected (to close '{' at line 3) near <eof>"

# the same through --format json: the message carries the hint
run --db "$DB" check "$F/missing-comma.lua" --format json
expect_contains "$OUT" "(a ',' may be missing at the end of line 5)" "missing-comma: JSON"
finish
