# shard.sh -- `--shard K/N` (docs/performance.md, "Issue 16: sharding"):
# the outputs of shards 1..N of `audit --all`, concatenated in order, are
# the unsharded run's byte for byte, in JSON Lines, CSV (the header from
# shard 1 only) and text, on the EV example and on a generated registry of
# 6,000 holders (two batches of the pool), for N = 1, 2, 3, 7 and N past
# the holders (empty shards: no output, exit 0); --summary counts add up;
# `whatif` and `diff` --holders lines (by holder, then stack) concatenate,
# one stack moving or several, and their grouped counts add up; any --jobs gives the same bytes; bad
# --shard values and options a shard cannot mean are usage errors.
. "$SRC/tests/cli/lib.sh"
cd "$SRC" || exit 1
EV="$WORK/ev.db"
"$CREDEX" --db "$EV" import examples/ev-mechanic/catalog.yaml --quiet || fail "import the EV catalog"
E=(--db "$EV" --rules examples/ev-mechanic/rules --as-of 2026-06-01)

# joined OUT N ARGS...: the outputs of credex ARGS --shard K/N for K = 1..N,
# concatenated into OUT; fails on any exit code but 0.
joined() {
    local out=$1 n=$2 k
    shift 2
    : >"$out"
    for k in $(seq 1 "$n"); do
        "$CREDEX" "$@" --shard "$k/$n" >>"$out" 2>"$WORK/err" ||
            fail "$* --shard $k/$n: exit $? ($(cat "$WORK/err"))"
    done
}

# same FILE WHOLE WHAT: FILE byte for byte WHOLE.
same() {
    if cmp -s "$1" "$2"; then pass; else
        fail "$3: not the unsharded output"
        diff "$2" "$1" | head -10 >&2
    fi
}

# --- audit --all on the EV example: 8 holders ------------------------------
for fmt in json csv text; do
    "$CREDEX" audit --all "${E[@]}" --format $fmt >"$WORK/ev.$fmt"
    for n in 1 2 3 7 20; do
        joined "$WORK/ev-$n.$fmt" $n audit --all "${E[@]}" --format $fmt
        same "$WORK/ev-$n.$fmt" "$WORK/ev.$fmt" "ev $fmt, $n shards"
    done
done
expect_eq "$(head -1 "$WORK/ev.csv" | tr -d '\r')" "holder,stack,status,issued,expires,missing" "the CSV header"
expect_eq "$(grep -c '^holder,stack' "$WORK/ev-7.csv")" 1 "7 CSV shards: one header, shard 1's"
run audit --all "${E[@]}" --format csv --shard 2/2
expect_rc 0 "csv shard 2/2"
expect_not_contains "$OUT" "holder,stack,status" "csv shard 2/2: no header"
expect_eq "$(printf '%s\n' "$OUT" | head -1 | cut -d, -f1)" "h-ct-0001" "csv shard 2/2 starts at the 5th holder of 8"
# more shards than holders: shards with no holder write nothing (CSV: shard 1 its header)
run audit --all "${E[@]}" --format json --shard 2/20
expect_rc 0 "an empty shard"
expect_eq "$OUT" "" "an empty shard writes nothing"
run audit --all "${E[@]}" --format csv --shard 1/20
expect_eq "$(printf '%s\n' "$OUT" | tr -d '\r')" "holder,stack,status,issued,expires,missing" \
    "an empty shard 1 of CSV: the header alone"
run audit --all "${E[@]}" --format json --shard 3/20
expect_eq "$(printf '%s\n' "$OUT" | grep -c '"kind":"audit"')" 1 "shard 3 of 20 over 8 holders: one holder"

# --- a generated registry: 6,000 holders, two stacks ------------------------
gen_catalog 61 6000 >"$WORK/big.yaml"
cat >"$WORK/c8.lua" <<'LUA'
pack "c8" { authority = "test", version = "1" }
stack "C8" {
  jurisdiction = "US-OH",
  requires = all { "C1", "C2", at_least(2) { "C3", "C4", "C5", "C6" },
    hours(120, { "C1", "C2", "C3", "C4", "C5", "C6" }) },
  window = { recent = "P5Y" },
}
LUA
mkdir -p "$WORK/two" "$WORK/one" "$WORK/eased"
cp "$WORK/c8.lua" "$WORK/one/c8.lua"
cp "$WORK/c8.lua" "$WORK/two/c8.lua"
cat >"$WORK/two/s9.lua" <<'LUA'
pack "s9" { authority = "test", version = "1" }
stack "S9" {
  jurisdiction = "US-OH",
  requires = all { "C7", any { "C1", "C3" }, check(function(ctx) return #ctx.awards > 2, "few awards" end) },
}
LUA
sed 's/hours(120/hours(90/' "$WORK/c8.lua" >"$WORK/eased/c8.lua"
"$CREDEX" --db "$WORK/big.db" import "$WORK/big.yaml" --quiet || fail "import the generated registry"
B=(--db "$WORK/big.db" --rules "$WORK/two" --as-of 2026-06-01)
for fmt in json csv text; do
    "$CREDEX" audit --all "${B[@]}" --format $fmt --jobs 2 >"$WORK/big.$fmt"
    for n in 1 2 3 7; do
        joined "$WORK/big-$n.$fmt" $n audit --all "${B[@]}" --format $fmt --jobs $((n % 3 + 1))
        same "$WORK/big-$n.$fmt" "$WORK/big.$fmt" "big $fmt, $n shards"
    done
done
expect_eq "$(wc -l <"$WORK/big-7.csv" | tr -d ' ')" 12001 "big csv, 7 shards: a header and two rows per holder"
# a shard's own bytes do not depend on --jobs
"$CREDEX" audit --all "${B[@]}" --format json --shard 2/3 --jobs 1 >"$WORK/b1.json"
"$CREDEX" audit --all "${B[@]}" --format json --shard 2/3 --jobs 3 >"$WORK/b3.json"
same "$WORK/b3.json" "$WORK/b1.json" "shard 2/3, --jobs 3 against --jobs 1"
expect_eq "$(grep -c '"kind":"audit"' "$WORK/b1.json")" 4000 "shard 2 of 3 over 6,000 holders: 2,000 holders, two stacks"
expect_eq "$(head -1 "$WORK/b1.json" | grep -o '"holder":"[^"]*"')" '"holder":"h-02000"' "shard 2 of 3 starts at holder 2,001"
# N past the holders: a shard of one holder, or of none
run audit --all "${B[@]}" --format csv --shard 6000/10000
expect_eq "$(printf '%s\n' "$OUT" | tr -d '\r' | cut -d, -f1 | sort -u)" "h-03599" \
    "shard 6000 of 10000: one holder, [floor(5999 * 6000 / 10000), floor(6000 * 6000 / 10000))"
run audit --all "${B[@]}" --format csv --shard 6001/10000
expect_rc 0 "an empty shard of 10000"
expect_eq "$OUT" "" "shard 6001 of 10000 over 6,000 holders: [3600, 3600), empty"
run audit --all "${B[@]}" --format csv --shard 1/10000
expect_eq "$(printf '%s\n' "$OUT" | tr -d '\r')" "holder,stack,status,issued,expires,missing" "shard 1 of 10000: the header alone"

# --summary: each shard counts its holders; the counts add up to the whole run's
sum_summary() { # the JSON summary lines on stdin: "stack met in_progress not_started error" summed
    python3 -c '
import json, sys
t = {}
for line in sys.stdin:
    o = json.loads(line)
    c = t.setdefault(o["stack"], [0, 0, 0, 0, 0])
    for i, k in enumerate(["holders", "met", "in_progress", "not_started", "error"]):
        c[i] += o[k]
for s in sorted(t):
    print(s, *t[s])'
}
"$CREDEX" audit --all "${B[@]}" --summary --format json >"$WORK/sum.json"
WHOLE=$(sum_summary <"$WORK/sum.json")
expect_contains "$WHOLE" "C8 6000 " "the whole summary counts 6,000 holders"
for n in 2 3 7; do
    joined "$WORK/sum-$n.json" $n audit --all "${B[@]}" --summary --format json
    expect_eq "$(sum_summary <"$WORK/sum-$n.json")" "$WHOLE" "summary: $n shards add up to the whole"
    expect_eq "$(wc -l <"$WORK/sum-$n.json" | tr -d ' ')" $((2 * n)) "summary: a line per stack per shard"
done
run audit --all "${B[@]}" --summary --shard 2/3
expect_contains "$OUT" "as of 2026-06-01: 2000 of 6000 holders (shard 2 of 3), 2 stacks" \
    "summary text: the shard's holders, and that it is a shard"
run audit --all "${B[@]}" --summary --shard 2/3 --format json
expect_eq "$(printf '%s\n' "$OUT" | sum_summary | cut -d' ' -f1-2)" "C8 2000
S9 2000" "summary json: the shard's holders"

# --- whatif and diff --------------------------------------------------------
# A change that moves holders of one stack (C3's awards now last one year),
# and adds holders before the first, between two, and after the last.
cat >"$WORK/c3.yaml" <<'YAML'
credentials:
  - { id: C3, name: Module 3, type: micro-credential, jurisdiction: US-OH, hours: 29, valid_for: P1Y }
holders:
  - id: a-first
    jurisdiction: US-OH
    awards:
      - { credential: C1, issued: 2025-01-02 }
      - { credential: C2, issued: 2025-01-02 }
      - { credential: C4, issued: 2025-01-02 }
      - { credential: C5, issued: 2025-01-02 }
      - { credential: C6, issued: 2025-01-02 }
  - id: h-02500a
    jurisdiction: US-OH
    awards:
      - { credential: C1, issued: 2025-01-02 }
  - id: z-last
    jurisdiction: US-OH
    awards:
      - { credential: C2, issued: 2025-01-02 }
YAML
W=(--db "$WORK/big.db" --rules "$WORK/one" --as-of 2026-06-01)
for fmt in json csv; do
    "$CREDEX" whatif "$WORK/c3.yaml" "${W[@]}" --holders --format $fmt >"$WORK/wi.$fmt"
    for n in 1 2 3 7; do
        joined "$WORK/wi-$n.$fmt" $n whatif "$WORK/c3.yaml" "${W[@]}" --holders --format $fmt
        same "$WORK/wi-$n.$fmt" "$WORK/wi.$fmt" "whatif --holders $fmt, $n shards"
    done
done
expect_eq "$(grep -c '"holder":"h-' "$WORK/wi.json" | awk '{ print ($1 > 100) }')" 1 "whatif: many holders moved"
for h in a-first h-02500a z-last; do
    expect_eq "$(grep -c "\"holder\":\"$h\"" "$WORK/wi.json")" 1 "whatif: the added holder $h has its line"
done
run whatif "$WORK/c3.yaml" "${W[@]}" --holders --format json --shard 1/3
expect_contains "$OUT" '"holder":"a-first"' "an added holder before the first: shard 1"
run whatif "$WORK/c3.yaml" "${W[@]}" --holders --format json --shard 2/3
expect_contains "$OUT" '"holder":"h-02500a"' "an added holder between two of shard 2: shard 2"
run whatif "$WORK/c3.yaml" "${W[@]}" --holders --format json --shard 3/3
expect_contains "$OUT" '"holder":"z-last"' "an added holder after the last: shard 3"
# the grouped report of a shard is its holders': the counts add up
sum_groups() {
    python3 -c '
import json, sys
t = {}
for line in sys.stdin:
    o = json.loads(line)
    if o["kind"] == "audit":
        k = (o["subject"]["stack"] if isinstance(o["subject"], dict) else str(o["subject"]), o["from"], o["to"])
        t[k] = t.get(k, 0) + o["count"]
for k in sorted(t):
    print(*k, t[k])'
}
"$CREDEX" whatif "$WORK/c3.yaml" "${W[@]}" --format json >"$WORK/groups.json"
joined "$WORK/groups-3.json" 3 whatif "$WORK/c3.yaml" "${W[@]}" --format json
expect_eq "$(sum_groups <"$WORK/groups-3.json")" "$(sum_groups <"$WORK/groups.json")" "whatif groups: 3 shards add up"
run whatif "$WORK/c3.yaml" "${W[@]}" --shard 2/3
expect_contains "$OUT" "  shard 2 of 3: only the registry's holders 2001 to 4000 in id order, and holders the change adds among them" \
    "whatif text: the scope line names the shard"
run whatif "$WORK/c3.yaml" "${W[@]}" --shard 2/3 --holders --format json --jobs 1
ONE=$OUT
run whatif "$WORK/c3.yaml" "${W[@]}" --shard 2/3 --holders --format json --jobs 3
expect_eq "$OUT" "$ONE" "whatif shard 2/3: the same lines for --jobs 1 and 3"

# diff: a rule change over the holders it can reach (one -> eased), and over
# every holder in place (a check holds without awards: one -> checked)
D=(--db "$WORK/big.db" --as-of 2026-06-01)
mkdir -p "$WORK/checked"
sed 's/hours(120/check(function(ctx) return true, "" end), hours(90/' "$WORK/c8.lua" >"$WORK/checked/c8.lua"
for pair in one:eased one:checked; do
    old=$WORK/${pair%%:*} new=$WORK/${pair#*:}
    for fmt in json csv; do
        "$CREDEX" diff "$old" "$new" "${D[@]}" --holders --format $fmt >"$WORK/diff.$fmt"
        for n in 1 2 3 7; do
            joined "$WORK/diff-$n.$fmt" $n diff "$old" "$new" "${D[@]}" --holders --format $fmt
            same "$WORK/diff-$n.$fmt" "$WORK/diff.$fmt" "diff ${pair} --holders $fmt, $n shards"
        done
    done
    expect_eq "$(grep -c '"to":"met"' "$WORK/diff.json" | awk '{ print ($1 > 10) }')" 1 "diff ${pair}: holders newly met"
done
run diff "$WORK/one" "$WORK/checked" "${D[@]}" --shard 3/3
expect_contains "$OUT" "every holder audited: stack C8 has a requirement that holds without awards" \
    "diff one -> checked: every holder audited in place"
expect_contains "$OUT" "compared: 2000 of 6000 holders (2000 audits)" "diff, every holder: the shard's 2,000 holders"

# Several stacks move (the EV fixture: CA-EV-SAFE and CA-EV-TECH): lines are
# by holder, then stack, so the shards' lines concatenate into the whole run's.
FIXW=(tests/fixtures/whatif/holders/change.yaml --db "$EV" --rules examples/ev-mechanic/rules --as-of 2026-06-01)
"$CREDEX" whatif "${FIXW[@]}" --holders --format csv >"$WORK/ev-wi.csv"
"$CREDEX" whatif "${FIXW[@]}" --holders --format json >"$WORK/ev-wi.json"
for n in 1 2 3 7 20; do
    joined "$WORK/ev-wi-$n.csv" $n whatif "${FIXW[@]}" --holders --format csv
    same "$WORK/ev-wi-$n.csv" "$WORK/ev-wi.csv" "ev whatif --holders csv, $n shards, two stacks moving"
    joined "$WORK/ev-wi-$n.json" $n whatif "${FIXW[@]}" --holders --format json
    same "$WORK/ev-wi-$n.json" "$WORK/ev-wi.json" "ev whatif --holders json, $n shards, two stacks moving"
done
same "$WORK/ev-wi-1.csv" "$WORK/ev-wi.csv" "ev whatif --holders csv, shard 1/1"
for stack in CA-EV-SAFE CA-EV-TECH; do
    expect_eq "$(grep ",$stack," "$WORK/ev-wi-3.csv")" "$(grep ",$stack," "$WORK/ev-wi.csv")" \
        "ev whatif: $stack's lines concatenate"
done
run whatif "${FIXW[@]}" --shard 12/20
expect_contains "$OUT" "  shard 12 of 20: none of the registry's holders (more shards than holders)" \
    "whatif text: an empty shard says so"
expect_contains "$OUT" "compared: 0 of 9 holders" "whatif text: an empty shard compares no holder"

# --- usage errors -----------------------------------------------------------
for bad in 0/3 4/3 3 a/b 1/0 -1/2 1/3/4 1/1000001 " 1/2" 1/2x; do
    run audit --all "${E[@]}" --shard "$bad"
    expect_rc 2 "--shard '$bad'"
    expect_contains "$ERR" "--shard takes K/N, shard K of N shards (1 <= K <= N <= 1000000), not '$bad'" \
        "--shard '$bad': the message"
    expect_eq "$OUT" "" "--shard '$bad': no output"
done
run whatif "${FIXW[@]}" --shard 4/3
expect_rc 2 "whatif --shard 4/3"
expect_contains "$ERR" "--shard takes K/N" "whatif --shard 4/3: the message"
run audit --holder h-ca-0001 "${E[@]}" --shard 1/2
expect_rc 2 "--shard with --holder"
expect_contains "$ERR" "--shard goes with --all" "--shard with --holder: the message"
run whatif "${FIXW[@]}" --shard 1/2 --format html
expect_rc 2 "whatif --shard --format html"
expect_contains "$ERR" "--shard writes text, json or csv" "whatif html: the message"
run diff examples/ev-mechanic/rules examples/ev-mechanic/rules --db "$EV" --shard 1/2 --format html
expect_rc 2 "diff --shard --format html"
run equiv A B --db "$EV" --shard 1/2
expect_rc 2 "equiv --shard"
expect_contains "$ERR" "option '--shard' does not apply to 'equiv'" "equiv refuses --shard"
finish
