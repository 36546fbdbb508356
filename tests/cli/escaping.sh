# escaping.sh -- no id, name or message from an input reaches the terminal
# with a raw control character (docs/security.md, "Escaping"): ESC and BEL
# in an id, a name, a rule-test name, a pack's error and a command-line
# argument are each printed as \x1b and \x07 in errors, warnings, test
# lines and text output.
. "$SRC/tests/cli/lib.sh"
ESC=$(printf '\033')
BEL=$(printf '\007')
# no_raw WHAT TEXT: TEXT holds neither ESC nor BEL
no_raw() {
    case "$2" in *"$ESC"* | *"$BEL"*) fail "$1: a raw control character" ;; *) pass ;; esac
}

run --db reg.db import "$SRC/tests/catalog/base.yaml"
expect_rc 0 "base catalog imports"

# an id with ESC and BEL: refused, the id shown escaped
printf 'jurisdictions:\n  - { id: "US-\\e[31mX\\a", name: Bad }\n' > id.yaml
run --db reg.db import id.yaml
expect_rc 3 "an id with ESC and BEL: exit code"
expect_contains "$ERR" "credex: id.yaml:2:11: invalid id 'US-\\x1b[31mX\\x07'" "an id with ESC and BEL: escaped"
no_raw "import error" "$ERR"

# an unknown id on the command line
run --db reg.db show holder "h${ESC}[2J${BEL}"
expect_rc 2 "show an id with ESC: exit code"
expect_eq "$ERR" "credex: no holder 'h\\x1b[2J\\x07' in the registry" "show an id with ESC: escaped"
no_raw "show error" "$ERR"

# a usage error quoting an argument
run --db reg.db import id.yaml --max-list-items "${ESC}]0;title${BEL}"
expect_rc 2 "a usage error: exit code"
expect_contains "$ERR" "not '\\x1b]0;title\\x07'" "a usage error: the argument escaped"
no_raw "usage error" "$ERR"

# a name with ESC and BEL is stored as given, and shown escaped
printf 'credentials:\n  - { id: X-ESC, name: "Red\\e[31m\\a", type: certificate, jurisdiction: US-TX }\n' > name.yaml
run --db reg.db import name.yaml --quiet
expect_rc 0 "a name with ESC: imported"
run --db reg.db show credential X-ESC
expect_contains "$OUT" "credential X-ESC: Red\\x1b[31m\\x07" "show: the name escaped"
no_raw "show text" "$OUT"
run --db reg.db show credential X-ESC --format json
expect_contains "$OUT" '"name":"Red\u001B[31m\u0007"' "show json: JSON's own escapes"

# a pack's error and a stack id with ESC: check's diagnostics
mkdir p
printf 'error("bad \\27[31mred\\7")\n' > p/bad.lua
run --db reg.db check p
expect_rc 3 "a pack error with ESC: exit code"
expect_contains "$ERR" 'p/bad.lua:1: error: bad \x1b[31mred\x07' "a pack error: escaped"
no_raw "check diagnostics" "$ERR$OUT"

# the same pack where a decision loads it
run --db reg.db audit --holder h-0001 --rules p
expect_rc 3 "audit with a pack error with ESC: exit code"
expect_contains "$ERR" 'p/bad.lua:1: error: bad \x1b[31mred\x07' "audit: the pack error escaped"
no_raw "audit's pack errors" "$ERR"

# an unknown command word
run "stat${ESC}[2J"
expect_rc 2 "an unknown command with ESC: exit code"
expect_contains "$ERR" "credex: unknown command 'stat\x1b[2J'" "an unknown command: escaped"
no_raw "unknown command" "$ERR"

# a rule test whose name holds ESC and BEL: the FAIL line escaped
mkdir t
cat > t/esc.test.yaml <<'YAML'
as_of: 2026-06-01
tests:
  - name: "bell\a and \e[31mred"
    expect: { check: { status: error } }
YAML
run test t/esc.test.yaml
expect_rc 1 "a failing case named with ESC: exit code"
expect_contains "$OUT" 't/esc.test.yaml:3: FAIL bell\x07 and \x1b[31mred: ' "a failing case: its name escaped"
no_raw "test output" "$OUT"

finish
