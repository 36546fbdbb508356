#!/bin/bash
# list_signed.sh -- `credex list stacks` checks the packs it loads as
# `credex check` does (docs/signing.md): --pack-trust FILE verifies every
# .sig before its pack runs, --require-signed-packs refuses a pack without
# one; both apply to stacks only.
. "$SRC/tests/cli/lib.sh"

cp -r "$SRC/examples/ev-mechanic/rules" rules # every pack signed with the example key
TRUST="$SRC/examples/keys/trust.json"
EVC="EV Service Compact Commission"
run --db ev.db import "$SRC/examples/ev-mechanic/catalog.yaml" --quiet
expect_rc 0 "import the EV mechanic catalog"
ROW='{"id":"CA-EV-TECH","name":"EV Technician Certificate","jurisdiction":"US-CA","pack":"ca-ev-certificate","file":"rules/ca-ev-certificate.lua","line":13}'

run --db ev.db list stacks --rules rules --pack-trust "$TRUST" --require-signed-packs --format json
expect_rc 0 "every pack signed: listed"
expect_eq "$OUT" "$ROW" "the stack of the signed packs"

# an unsigned pack: refused under --require-signed-packs, nothing listed
mv rules/ca-ev-certificate.lua.sig ca.sig
run --db ev.db list stacks --rules rules --pack-trust "$TRUST" --require-signed-packs
expect_rc 3 "an unsigned pack under --require-signed-packs"
expect_contains "$ERR" "rules/ca-ev-certificate.lua:1: error: the pack is not signed" \
    "names the unsigned pack"
expect_eq "$OUT" "" "no header, no row"
run --db ev.db list stacks --rules rules --pack-trust "$TRUST" --format json
expect_rc 0 "an unsigned pack with --pack-trust alone"
expect_eq "$OUT" "$ROW" "loads unsigned, as before"
mv ca.sig rules/ca-ev-certificate.lua.sig

# a signature by a key the trust file does not hold: refused with --pack-trust alone
python3 - "$TRUST" "$EVC" no-evc.json <<'PY'
import json, sys
trust = json.load(open(sys.argv[1]))
trust["issuers"] = [i for i in trust["issuers"] if i["id"] != sys.argv[2]]
json.dump(trust, open(sys.argv[3], "w"))
PY
run --db ev.db list stacks --rules rules --pack-trust no-evc.json
expect_rc 3 "a pack signed by an untrusted authority"
expect_contains "$ERR" "rules/evc-compact.lua.sig:1: error: authority '$EVC' is not in the pack trust file" \
    "names the .sig and the authority"
expect_eq "$OUT" "" "nothing listed"

# the usage rules of check, and only for stacks
run --db ev.db list stacks --rules rules --require-signed-packs
expect_rc 2 "--require-signed-packs without --pack-trust"
expect_contains "$ERR" "--require-signed-packs needs --pack-trust FILE" "says what is missing"
run --db ev.db list holders --pack-trust "$TRUST"
expect_rc 2 "--pack-trust on holders"
expect_contains "$ERR" "--pack-trust does not apply to holders (only to stacks)" "says so"
run --db ev.db list credentials --require-signed-packs
expect_rc 2 "--require-signed-packs on credentials"
expect_contains "$ERR" "--require-signed-packs does not apply to credentials (only to stacks)" \
    "says so"
finish
