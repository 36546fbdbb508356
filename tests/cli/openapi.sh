#!/bin/bash
# openapi.sh -- the OpenAPI document of `credex serve` (runtime/pages/
# openapi.json) cannot drift from the renderers: real CLI output on the EV
# example (every line of audit --all, equiv, both forms of transfer, show,
# list, whatif; and the golden decisions of every kind) validates against
# its schemas with tests/serve/openapi_check.py, whose own tests prove it
# fails on a mutated value per keyword. The document parses, every $ref
# resolves, and every endpoint of docs/serve.md is there with its scope.
. "$SRC/tests/cli/lib.sh"
DOC="$SRC/runtime/pages/openapi.json"
CHECK=(python3 "$SRC/tests/serve/openapi_check.py" "$DOC")

OUT=$(SRC="$SRC" python3 "$SRC/tests/serve/openapi_check_test.py" 2>&1)
expect_contains "$OUT" " passed, 0 failed" "the checker's own tests"
expect_not_contains "$OUT" " 0 passed" "the checker's own tests ran"

OUT=$("${CHECK[@]}" --lint 2>&1)
expect_eq "$?:$OUT" "0:" "the document is OpenAPI 3.1, every \$ref resolves, only the checked subset"

# Every endpoint, its method and the scope it needs ("-": no token).
ENDPOINTS=$(python3 - "$DOC" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for path, item in sorted(doc["paths"].items()):
    for method, op in sorted(item.items()):
        sec = op.get("security", doc.get("security"))
        scopes = [s for req in sec for v in req.values() for s in v]
        print(method.upper(), path, ",".join(scopes) or "-")
PY
)
for want in "GET / -" "GET /openapi.json -" "GET /pages/{file} -" "GET /v1/health -" "GET /v1/version -" \
    "GET /v1/credentials read" "GET /v1/credentials/{id} read" "GET /v1/holders read" \
    "GET /v1/holders/{id} read" "GET /v1/groups read" "GET /v1/groups/{id} read" \
    "POST /v1/equiv decide" "POST /v1/transfer decide" "POST /v1/audit decide" \
    "POST /v1/decisions decide" "POST /v1/whatif whatif" "POST /v1/diff whatif" \
    "POST /v1/admin/reload admin" "POST /v1/issue issue"; do
    expect_contains "$ENDPOINTS" "$want" "the endpoint and scope $want"
done
expect_eq "$(printf '%s\n' "$ENDPOINTS" | wc -l | tr -d ' ')" 19 "19 operations, no other ($ENDPOINTS)"

# valid SCHEMA FILE WHAT: every line of FILE validates, and there are lines.
valid() {
    local out
    out=$("${CHECK[@]}" --schema "$1" "$2" 2>&1)
    expect_eq "$?:$out" "0:" "$3 against $1"
    [ -s "$2" ] && pass || fail "$3: no output to validate"
}

"$CREDEX" --db ev.db import "$SRC/examples/ev-mechanic/catalog.yaml" "$SRC/tests/cli/formats/show-extra.yaml" --quiet ||
    fail "import the example"
R=(--db ev.db --rules "$SRC/examples/ev-mechanic/rules" --as-of 2026-06-01 --format json)
"$CREDEX" audit --all "${R[@]}" >audit-all.jsonl
expect_eq "$(wc -l <audit-all.jsonl | tr -d ' ')" 9 "audit --all: one line per holder (one stack)"
valid AuditDecision audit-all.jsonl "audit --all"
valid Decision audit-all.jsonl "audit --all, as any decision"
"$CREDEX" audit --holder h-tx-0001 "${R[@]}" >audit-one.jsonl
valid AuditDecision audit-one.jsonl "audit --holder"
"$CREDEX" equiv TX-EVD-202 CA-EVD-202 --in US-CA "${R[@]}" >equiv.jsonl
expect_contains "$(cat equiv.jsonl)" '"coverage":{"covered":3,"total":4}' "equiv: a partial equivalence with coverage"
valid EquivDecision equiv.jsonl "equiv --in"
"$CREDEX" equiv TX-EVS-101 CA-EVS-101 "${R[@]}" >equiv-any.jsonl
valid EquivDecision equiv-any.jsonl "equiv without --in"
"$CREDEX" transfer --holder h-tx-0001 --to US-CA "${R[@]}" >transfer-holder.jsonl
valid TransferDecision transfer-holder.jsonl "transfer --holder"
"$CREDEX" transfer TX-EVS-101 --from US-TX --to US-CT --db ev.db --rules "$SRC/examples/ev-mechanic/rules" \
    --as-of 2025-06-01 --format json >transfer-cred.jsonl
expect_contains "$(cat transfer-cred.jsonl)" '"near_misses":[{"rule":"evc-california","clause":"into"' \
    "transfer CRED: a decision with near misses"
valid TransferDecision transfer-cred.jsonl "transfer CRED --from --to"
valid Decision "$SRC/tests/unit/golden/decisions.jsonl" "the golden decisions of every kind and status"

for kind in credential holder group; do
    : >"show-$kind.jsonl"
    for id in $("$CREDEX" list "${kind}s" --db ev.db --format csv | tail -n +2 | cut -d, -f1); do
        "$CREDEX" show "$kind" "$id" --db ev.db --format json >>"show-$kind.jsonl" || fail "show $kind $id"
    done
    cap=$(printf '%s' "${kind:0:1}" | tr a-z A-Z)${kind:1}
    valid "$cap" "show-$kind.jsonl" "show $kind, every one"
    "$CREDEX" list "${kind}s" --db ev.db --format json >"list-$kind.jsonl"
    valid "${cap}Row" "list-$kind.jsonl" "list ${kind}s"
done

# Awards with provenance: in show, and as used awards' verification.
P=(--db prov.db --rules "$SRC/tests/rules/provenance/packs/verified.lua" --as-of 2026-06-01 --format json)
"$CREDEX" --db prov.db import "$SRC/tests/rules/provenance/catalog.yaml" "$SRC/tests/cli/fixtures/provenance.yaml" \
    --quiet || fail "import the provenance fixture"
"$CREDEX" show holder h-prov --db prov.db --format json >show-prov.jsonl
expect_contains "$(cat show-prov.jsonl)" '"provenance":{"format":"ob3"' "show: an award with provenance"
valid Holder show-prov.jsonl "show holder, awards with provenance"
"$CREDEX" audit --all "${P[@]}" >audit-prov.jsonl
expect_contains "$(cat audit-prov.jsonl)" '"verification":"verified"' "audit: a used award with its verification"
valid AuditDecision audit-prov.jsonl "audit --all over awards with provenance"

"$CREDEX" whatif "$SRC/examples/curriculum-change/change.yaml" "${R[@]}" >whatif.jsonl
valid Transition whatif.jsonl "whatif"
expect_contains "$(cat whatif.jsonl)" '"coverage":{"before":{"covered":4,"total":5}' "whatif: a transition with coverage"
cp "$SRC/tests/fixtures/whatif/tx-leaves-compact.yaml" tx-leaves.yaml
"$CREDEX" whatif tx-leaves.yaml "${R[@]}" >whatif-tx.jsonl
expect_contains "$(cat whatif-tx.jsonl)" '{"kind":"transfer","subject":{"credential":"TX-EVS-101","from":"US-TX","to":"US-CA"}' \
    "whatif: Texas leaves the compact, recognitions move"
valid Transition whatif-tx.jsonl "whatif, recognitions"

# The wrappers the service adds around the same objects.
{
    printf '{"decisions":['
    paste -sd, transfer-holder.jsonl
    printf ']}\n'
} | tr -d '\n' >decisions.json
OUT=$("${CHECK[@]}" --response /v1/transfer post 200 decisions.json 2>&1)
expect_eq "$?:$OUT" "0:" "a holder's transfers as POST /v1/transfer answers them"
OUT=$("${CHECK[@]}" --response /v1/transfer post 200 transfer-cred.jsonl 2>&1)
expect_eq "$?:$OUT" "0:" "a credential's transfer as POST /v1/transfer answers it"
printf '{"error":{"code":"not_found","message":"unknown holder","pointer":"/holder"}}' >error.json
OUT=$("${CHECK[@]}" --response /v1/audit post 404 error.json 2>&1)
expect_eq "$?:$OUT" "0:" "the error shape"

# ...and the checker refuses what the renderers would never write.
sed 's/"status":"met"/"status":"done"/' audit-all.jsonl >mutated.jsonl
OUT=$("${CHECK[@]}" --schema AuditDecision mutated.jsonl 2>&1)
expect_eq "$?" 1 "a mutated status fails"
expect_contains "$OUT" 'mutated.jsonl:2: /status: "done" is not one of' "the failure names the line and the pointer"
OUT=$("${CHECK[@]}" --response /v1/audit post 200 transfer-cred.jsonl 2>&1)
expect_eq "$?" 1 "a transfer decision is not an audit answer"
finish
