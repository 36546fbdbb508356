# whatif_holders.sh -- `whatif --holders` and `diff --holders` (docs/whatif.md,
# "Every affected holder"): a line per holder and stack whose status moved,
# with why, in text, JSON Lines and CSV against golden files; the same
# holders as the grouped report counts; a new holder, a new stack, a stack
# gone, an award expired under a new valid_for, a requirement newly unmet
# and one now met; the same bytes for any --jobs; and without --holders the
# grouped report as before.
. "$SRC/tests/cli/lib.sh"
GOLDEN="$SRC/tests/cli/golden"
EV="$SRC/examples/ev-mechanic"
FIX="$SRC/tests/fixtures/whatif/holders"
DB="$WORK/ev.db"
ASOF=(--as-of 2026-06-01)
"$CREDEX" --db "$DB" import "$EV/catalog.yaml" >/dev/null || fail "import the EV catalog"
cd "$SRC" || exit 1

# wi ARGS...: credex whatif on the fixture change over the EV registry and packs.
wi() {
    run --db "$DB" whatif tests/fixtures/whatif/holders/change.yaml --rules examples/ev-mechanic/rules \
        "${ASOF[@]}" "$@"
}

# --- the golden files: text, JSON Lines, CSV --------------------------------
for f in text:txt json:jsonl csv:csv; do
    "$CREDEX" --db "$DB" whatif tests/fixtures/whatif/holders/change.yaml \
        --rules examples/ev-mechanic/rules "${ASOF[@]}" --holders --format "${f%%:*}" \
        >"$WORK/whatif-holders.${f#*:}" 2>"$WORK/err"
    expect_eq "$?" 0 "whatif --holders --format ${f%%:*}: exit code"
    expect_golden "$WORK/whatif-holders.${f#*:}" "whatif-holders.${f#*:}"
done

# --- what a user reads in them ---------------------------------------------
wi --holders
expect_contains "$OUT" "audit CA-EV-TECH for h-ca-0001: met -> in_progress because safety (1 more of: CA-EVS-101); shop hours (hours: 100 of 120, 20 more needed); CA-EVS-101 expired under the new valid_for (2025-12-13)" \
    "an award expired under the new valid_for: the requirements it filled, their gaps, and why"
expect_contains "$OUT" "audit CA-EV-TECH for h-ca-0004: absent -> in_progress because a new holder; " \
    "a holder the change adds"
expect_contains "$OUT" "audit CA-EV-SAFE for h-ca-0002: absent -> met because a new stack" \
    "a stack only the change's packs define"
expect_contains "$OUT" "audit CA-EV-SAFE for h-ca-0001: absent -> not_started because a new stack; safety <script>alert('x')</script> & PPE (1 more of: CA-EVS-101)" \
    "a new stack not started: what it misses, the label as written"
expect_not_contains "$OUT" "audit CA-EV-TECH: met -> in_progress" "--holders: no audit groups in text"
expect_contains "$OUT" "transfer CA-EV-SAFE US-CA -> US-CT: absent -> accepted" \
    "--holders: recognitions still listed in text"
expect_contains "$OUT" "transitions: 11 holder-stack audits, 0 equivalences, 5 recognitions" \
    "--holders: the same totals line"

# Order: by holder, then stack (byte order), the holder-id order of a run.
wi --holders --format csv
ORDER=$(printf '%s\n' "$OUT" | tr -d '\r' | tail -n +2 | cut -d, -f1,2)
expect_eq "$ORDER" "$(printf '%s\n' "$ORDER" | LC_ALL=C sort)" "holder lines: by holder, then stack"
expect_eq "$(printf '%s\n' "$ORDER" | sed -n '2p;3p' | tr '\n' ' ')" "h-ca-0001,CA-EV-SAFE h-ca-0001,CA-EV-TECH " \
    "one holder's stacks together"
expect_eq "$(printf '%s\n' "$OUT" | head -1 | tr -d '\r')" "holder,stack,from,to,because" "the CSV header"

# Every holder the grouped report counts has its line, and no other.
wi --format json
GROUPED=$(printf '%s\n' "$OUT" | python3 -c '
import json, sys
n = 0
for line in sys.stdin:
    o = json.loads(line)
    if o["kind"] == "audit":
        n += o["count"]
print(n)')
wi --holders --format json
LINES=$(printf '%s\n' "$OUT" | python3 -c '
import json, sys
keys = set()
for line in sys.stdin:
    o = json.loads(line)
    assert list(o) == ["holder", "stack", "from", "to", "because"], list(o)
    assert o["because"], o
    keys.add((o["holder"], o["stack"]))
print(len(keys))')
expect_eq "$LINES" "$GROUPED" "one holder line per holder the groups count"
expect_eq "$GROUPED" 11 "the fixture moves 11 holder-stack audits"

# --jobs does not change a byte.
wi --holders --format json --jobs 1
ONE=$OUT
wi --holders --format json --jobs 2
expect_eq "$OUT" "$ONE" "--holders: the same lines for --jobs 1 and 2"

# Without --holders: the grouped report, as before.
wi
expect_contains "$OUT" "audit CA-EV-TECH: met -> in_progress: 1 holder (h-ca-0001)" \
    "without --holders: the groups"
expect_not_contains "$OUT" " for h-ca-0001" "without --holders: no holder lines"
wi --format csv
expect_eq "$(printf '%s\n' "$OUT" | head -1 | tr -d '\r')" \
    "kind,subject,from,to,count,examples,coverage_before,coverage_after" "without --holders: the group CSV"

# --- diff --holders: a requirement newly unmet, now met, a stack gone --------
mkdir -p "$WORK/more" "$WORK/less" "$WORK/gone"
cp examples/ev-mechanic/rules/*.lua "$WORK/more/"
cp examples/ev-mechanic/rules/*.lua "$WORK/less/"
cp examples/ev-mechanic/rules/*.lua "$WORK/gone/"
sed -i 's/hours(120, tagged "ev")/hours(150, tagged "ev")/' "$WORK/more/ca-ev-certificate.lua"
sed -i 's/at_least(2) {/at_least(1) {/' "$WORK/less/ca-ev-certificate.lua"
rm "$WORK/gone/ca-ev-certificate.lua"
run --db "$DB" diff examples/ev-mechanic/rules "$WORK/more" "${ASOF[@]}" --holders --format json
expect_rc 0 "diff --holders"
expect_eq "$OUT" '{"holder":"h-ca-0001","stack":"CA-EV-TECH","from":"met","to":"in_progress","because":["shop hours: 120 → 150 (hours: 140 of 150, 10 more needed)"]}' \
    "more hours: the one holder short of them, the requirement and both amounts"
run --db "$DB" diff "$WORK/more" examples/ev-mechanic/rules "${ASOF[@]}" --holders --format csv
expect_eq "$(printf '%s' "$OUT" | tr -d '\r')" "holder,stack,from,to,because
h-ca-0001,CA-EV-TECH,in_progress,met,shop hours: 150 → 120" "fewer hours: the same holder back, the amounts the other way"
run --db "$DB" diff examples/ev-mechanic/rules "$WORK/less" "${ASOF[@]}" --holders
expect_contains "$OUT" 'audit CA-EV-TECH for h-tx-0001: in_progress -> met because at_least(1) { "CA-EVD-202", "CA-EVC-203" }: now met' \
    "one elective fewer: the requirement h-tx-0001 missed is now met"
run --db "$DB" diff examples/ev-mechanic/rules "$WORK/gone" "${ASOF[@]}" --holders --format csv
expect_contains "$(printf '%s' "$OUT" | tr -d '\r')" "h-ca-0001,CA-EV-TECH,met,absent,the stack is no longer defined" \
    "a stack gone: to absent, and why"
expect_eq "$(printf '%s\n' "$OUT" | tail -n +2 | wc -l)" 8 "a stack gone: a line per holder"

# A requirement unmet before and after whose amount the rules changed, for a
# holder who moved for another reason (a new award): both amounts, and the gap.
cat >"$WORK/started.yaml" <<EOF
rules: more
holders:
  - id: h-tx-0002
    jurisdiction: US-TX
    awards:
      - { credential: TX-EVS-101, issued: 2021-08-20 }
      - { credential: CA-EVC-203, issued: 2026-03-02 }
EOF
run --db "$DB" whatif "$WORK/started.yaml" --rules examples/ev-mechanic/rules "${ASOF[@]}" --holders --format json
expect_rc 0 "whatif: a holder starts while the hours rise"
expect_contains "$OUT" '{"holder":"h-tx-0002","stack":"CA-EV-TECH","from":"not_started","to":"in_progress","because":[' \
    "a holder starts: the line"
expect_contains "$OUT" '"shop hours: 120 → 150 (hours: 24 of 150, 126 more needed)"' \
    "unmet before and after: the amounts of both gaps"
expect_contains "$OUT" '"CA-EVC-203 now counts"' "a holder starts: the award that now counts"

# An award that counted through an equivalence expires under a new
# valid_for: a holder of the registry, not of the change.
cat >"$WORK/extra.yaml" <<EOF
holders:
  - id: h-tx-0003
    jurisdiction: US-CA
    awards:
      - { credential: TX-EVS-101, issued: 2025-03-03 }
      - { credential: CA-EV-ORIENT, issued: 2025-09-05, grade: P }
      - { credential: CA-EVB-201, issued: 2025-09-12 }
      - { credential: CA-EVD-202, issued: 2025-12-12 }
EOF
"$CREDEX" --db "$WORK/tx.db" import examples/ev-mechanic/catalog.yaml "$WORK/extra.yaml" --quiet ||
    fail "import the EV catalog and h-tx-0003"
{
    echo "credentials:"
    sed -n '/^  - id: TX-EVS-101$/,/^$/p' examples/ev-mechanic/catalog.yaml | sed 's/valid_for: P3Y/valid_for: P1Y/'
} >"$WORK/tx-1y.yaml"
run --db "$WORK/tx.db" whatif "$WORK/tx-1y.yaml" --rules examples/ev-mechanic/rules "${ASOF[@]}" --holders --format csv
expect_eq "$(printf '%s' "$OUT" | tr -d '\r')" 'holder,stack,from,to,because
h-tx-0003,CA-EV-TECH,met,in_progress,"safety (1 more of: CA-EVS-101);shop hours (hours: 100 of 120, 20 more needed);TX-EVS-101 expired under the new valid_for (2026-03-03)"' \
    "an equivalent award expired under a new valid_for: the slot and the hours it filled, and why"

# --holders is a flag for whatif and diff, and still takes a file for import.
run --db "$DB" whatif --holders tests/fixtures/whatif/holders/change.yaml --rules examples/ev-mechanic/rules \
    "${ASOF[@]}" --format json
expect_rc 0 "whatif --holders before the change file"
expect_contains "$OUT" '"holder":"h-ca-0001"' "whatif --holders CHANGE: holder lines"
run --db "$WORK/other.db" import --holders
expect_rc 2 "import --holders without its file"
expect_contains "$ERR" "option '--holders' needs a value" "import --holders FILE: still a value"
finish
