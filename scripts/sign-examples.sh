#!/bin/bash
# sign-examples.sh -- signs the example rule packs again with the EXAMPLE
# key (examples/keys/), after one of them was edited: each pack is loaded
# against its example catalog and its PACK.lua.sig rewritten. The same pack
# gives the same bytes, so only edited packs' signatures change. Run from
# the repository root after `make build`: scripts/sign-examples.sh [build/credex]
set -eu
CREDEX=${1:-build/credex}
KEY=examples/keys/EXAMPLE-KEY-NOT-SECRET-DO-NOT-USE.jwk
DB=$(mktemp -d)/examples.db
trap 'rm -rf "$(dirname "$DB")"' EXIT
"$CREDEX" --db "$DB" import examples/ev-mechanic/catalog.yaml --quiet
for pack in examples/ev-mechanic/rules/*.lua; do
    "$CREDEX" --db "$DB" pack sign "$pack" --key "$KEY"
done
