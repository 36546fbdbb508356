# default_rules.sh -- packs taken from ./rules by default (no pack named, no
# --rules, no $CREDEX_RULES) that do not compile against the registry: the
# error says where they came from, which packs loaded and which failed,
# and how to choose others. Named packs keep the plain message.
. "$SRC/tests/cli/lib.sh"
EV="$SRC/examples/ev-mechanic"
mkdir rules
cp "$EV/rules/evc-compact.lua" "$EV/rules/tx-ca-articulation.lua" rules/
cp "$SRC/tests/ruletest/fixtures/broken/misspelt.lua" rules/
run --db ev.db import "$EV/catalog.yaml" --quiet
expect_rc 0 "import the example"

EXPLAIN="credex: the rule packs came from ./rules, the default (no pack named, no --rules, no \$CREDEX_RULES), and do not compile against the registry ev.db
credex: loaded: rules/evc-compact.lua, rules/tx-ca-articulation.lua
credex: failed: rules/misspelt.lua
credex: choose the packs with --rules PATH (or \$CREDEX_RULES)"

run --db ev.db equiv TX-EVS-101 CA-EVS-101 --in US-CA
expect_rc 3 "equiv with a broken default ./rules"
expect_contains "$ERR" "rules/misspelt.lua:3: error: counts_as: unknown credential 'CA-EVS-110'" "the located error"
expect_contains "$ERR" "$EXPLAIN" "equiv: where the packs came from, which loaded, which failed"
run --db ev.db transfer --holder h-tx-0001 --to US-CA
expect_rc 3 "transfer with a broken default ./rules"
expect_contains "$ERR" "$EXPLAIN" "transfer: the same explanation"
run --db ev.db check
expect_rc 3 "check with a broken default ./rules"
expect_contains "$ERR" "$EXPLAIN" "check: the same explanation"

# another registry: none of the packs match it
run --db other.db import "$SRC/rules/compact-recognition/catalog.yaml" --quiet
run --db other.db audit --holder x
expect_rc 3 "audit on a registry the default ./rules does not match"
expect_contains "$ERR" "do not compile against the registry other.db
credex: loaded: none
credex: failed: rules/evc-compact.lua, rules/misspelt.lua, rules/tx-ca-articulation.lua" "audit: no pack loaded"

# packs named by the user: no talk of a default
run --db ev.db equiv TX-EVS-101 CA-EVS-101 --in US-CA --rules rules
expect_rc 3 "--rules rules, broken"
expect_not_contains "$ERR" "the default" "named packs: no default explanation"
CREDEX_RULES=rules run --db ev.db check
expect_not_contains "$ERR" "the default" "\$CREDEX_RULES: no default explanation"
run --db ev.db check rules/misspelt.lua
expect_not_contains "$ERR" "the default" "a named pack: no default explanation"

# a default ./rules that matches is used as before
rm rules/misspelt.lua
run --db ev.db equiv TX-EVS-101 CA-EVS-101 --in US-CA --as-of 2026-06-01
expect_rc 0 "a matching default ./rules"
expect_contains "$OUT" "equiv TX-EVS-101 -> CA-EVS-101 in US-CA: equivalent" "decided with ./rules"
finish
