# decisions.sh -- the output of the decision commands on the EV example,
# byte for byte against golden files (tests/cli/golden/): text, --explain
# and JSON Lines for equiv, transfer and audit; and the same bytes for any
# --jobs. CREDEX_UPDATE_GOLDEN=1 rewrites the golden files (review the diff).
. "$SRC/tests/cli/lib.sh"
GOLDEN="$SRC/tests/cli/golden"
cd "$SRC" || exit 1
DB="$WORK/ev.db"
"$CREDEX" --db "$DB" import examples/ev-mechanic/catalog.yaml --quiet
R=(--db "$DB" --rules examples/ev-mechanic/rules --as-of 2026-06-01)

# golden NAME ARGS...: runs credex and compares stdout with golden/NAME.
golden() {
    local name=$1
    shift
    "$CREDEX" "$@" > "$WORK/$name" 2>&1
    expect_golden "$WORK/$name" "$name"
}

golden equiv-articulation.txt equiv TX-EVS-101 CA-EVS-101 --in US-CA "${R[@]}"
golden equiv-partial.txt equiv TX-EVD-202 CA-EVD-202 --in US-CA "${R[@]}" --explain
golden equiv-partial.jsonl equiv TX-EVD-202 CA-EVD-202 --in US-CA "${R[@]}" --format json
golden transfer-holder.txt transfer --holder h-tx-0001 --to US-CA "${R[@]}"
golden transfer-holder.jsonl transfer --holder h-tx-0001 --to US-CA "${R[@]}" --format json
golden transfer-near-miss.txt transfer TX-EVS-101 --from US-TX --to US-CT --db "$DB" \
    --rules examples/ev-mechanic/rules --as-of 2025-06-01 --explain
golden audit-miguel.txt audit --holder h-tx-0001 "${R[@]}" --explain
golden audit-all.jsonl audit --all "${R[@]}" --format json --jobs 2
golden audit-all.csv audit --all "${R[@]}" --format csv --jobs 1

# the same bytes whatever --jobs
for j in 1 3; do
    "$CREDEX" audit --all "${R[@]}" --format json --jobs "$j" > "$WORK/all-$j.jsonl"
done
cmp -s "$WORK/all-1.jsonl" "$WORK/all-3.jsonl" && pass || fail "audit --all differs between --jobs 1 and 3"

# exit codes: --fail-unless, and an unknown id with its suggestion
"$CREDEX" equiv TX-EVS-101 CA-EVS-101 --in US-CA "${R[@]}" --fail-unless equivalent > /dev/null
expect_eq "$?" 0 "--fail-unless met: exit 0"
"$CREDEX" equiv TX-EVD-202 CA-EVD-202 --in US-CA "${R[@]}" --fail-unless equivalent > /dev/null
expect_eq "$?" 1 "--fail-unless not met: exit 1"
run equiv TX-EVS-110 CA-EVS-101 "${R[@]}"
expect_rc 2 "unknown credential on the command line"
expect_eq "$ERR" "credex: no credential 'TX-EVS-110' in the registry; did you mean 'TX-EVS-101'?" "unknown credential message"
run transfer --holder h-tx-0001 "${R[@]}"
expect_rc 2 "transfer without --to"
run audit --holder h-tx-0001 --all "${R[@]}"
expect_rc 2 "audit with both --holder and --all"
run equiv TX-EVS-101 CA-EVS-101 "${R[@]}" --as-of 2026-02-30
expect_rc 2 "an impossible --as-of"
expect_contains "$ERR" "invalid --as-of date '2026-02-30': no such day in that month" "impossible --as-of message"
finish
