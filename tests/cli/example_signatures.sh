#!/bin/bash
# example_signatures.sh -- every .sig checked in under examples/ and rules/
# still verifies against examples/keys/trust.json: a pack edited without
# being signed again (scripts/sign-examples.sh; CONTRIBUTING.md, "Signed
# example packs") fails here, naming the pack. And the example key is the
# one the trust file names.
. "$SRC/tests/cli/lib.sh"
TRUST="$SRC/examples/keys/trust.json"

run --db ev.db import "$SRC/examples/ev-mechanic/catalog.yaml" --quiet
expect_rc 0 "import the EV mechanic catalog"
run --db ev.db check "$SRC/examples/ev-mechanic/rules" --pack-trust "$TRUST" --require-signed-packs
expect_rc 0 "the EV mechanic packs are signed and verify (scripts/sign-examples.sh signs them again)"
expect_eq "$OUT" "checked 4 packs: 10 rules, 0 warnings" "check: every pack loaded"

# Every .sig in the tree is one of those just verified.
SIGS=$(cd "$SRC" && find examples rules -name '*.sig' | LC_ALL=C sort)
expect_eq "$SIGS" "examples/ev-mechanic/rules/ca-ev-certificate.lua.sig
examples/ev-mechanic/rules/evc-compact.lua.sig
examples/ev-mechanic/rules/tx-ca-articulation.lua.sig
examples/ev-mechanic/rules/tx-ev-renewal.lua.sig" "the signed example packs (a new .sig is verified above too)"

# The example key signs as the trust file's key.
KEY="$SRC/examples/keys/EXAMPLE-KEY-NOT-SECRET-DO-NOT-USE.jwk"
X=$(sed -n 's/.*"x":"\([^"]*\)".*/\1/p' "$KEY")
expect_contains "$(cat "$TRUST")" "\"kid\":\"credex-example-key-NOT-FOR-REAL-USE\",\"x\":\"$X\"" \
    "the trust file names the example key"

# An edit without signing again is caught.
cp -r "$SRC/examples/ev-mechanic/rules" rules
printf -- '-- an edit\n' >>rules/evc-compact.lua
run --db ev.db check rules --pack-trust "$TRUST" --require-signed-packs
expect_rc 3 "an edited example pack"
expect_contains "$OUT$ERR" "rules/evc-compact.lua.sig:1: error: the signature is for other bytes of pack 'evc-compact'" \
    "names the pack that changed"
finish
