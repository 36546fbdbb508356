# peer_counts.sh -- a correctness test of bench_1m.sh's baseline, not a
# benchmark (no time is measured): gen_peer's files are the same bytes for
# a seed and carry the same awards in YAML and CSV; gen_peer's counts,
# loop_csv's counts and `credex audit --all --summary`'s agree at 2,000
# holders; and loop_csv decides the boundaries (expiry on the as-of date,
# repeats, later awards) as credex does. Run by ctest as bench/peer_counts
# with $GEN_PEER and $LOOP_CSV set.
. "$SRC/tests/cli/lib.sh"
: "${GEN_PEER:?GEN_PEER must name gen_peer}" "${LOOP_CSV:?LOOP_CSV must name loop_csv}"

cp "$SRC/tests/bench/peer_stack.lua" stack.lua
A=(--rules stack.lua --as-of 2026-06-01)

# --- the generator: the same bytes for a seed, other bytes for another ---
"$GEN_PEER" --holders 2000 --seed 5 --catalog c.yaml --csv a.csv >gen.txt
expect_eq "$?" 0 "gen_peer runs"
"$GEN_PEER" --holders 2000 --seed 5 --catalog c2.yaml --csv a2.csv >gen2.txt
cmp -s c.yaml c2.yaml && cmp -s a.csv a2.csv && cmp -s gen.txt gen2.txt
expect_eq "$?" 0 "gen_peer --seed 5 twice: the same catalog, CSV and counts"
"$GEN_PEER" --holders 2000 --seed 6 --catalog c3.yaml --csv a3.csv >/dev/null
cmp -s a.csv a3.csv
expect_eq "$?" 1 "gen_peer --seed 6: another CSV"
awards=$(sed -n 's/^awards //p' gen.txt)
expect_eq "$(sed -n 's/^holders //p' gen.txt)" 2000 "gen_peer: holders"
expect_eq "$(($(wc -l <a.csv) - 1))" "$awards" "gen_peer: a CSV row per award"
expect_eq "$(grep -c '^      - { credential: C[1-9], issued: 20[12][0-9]-' c.yaml)" "$awards" \
    "gen_peer: a YAML award per award"
awk '/^  - id: / { h = $3 } /^      - { credential: / { sub(/,$/, "", $4); print h "," $4 "," $6 }' \
    c.yaml >yaml-awards.csv
tail -n +2 a.csv | cmp -s - yaml-awards.csv
expect_eq "$?" 0 "gen_peer: the CSV's rows are the YAML's awards, in order"
# 3 to 8 awards a holder, no two of a holder's awards on one day
expect_eq "$(awk -F, 'NR > 1 { n[$1]++; if (d[$1 "," $3]++) twice++ }
    END { for (h in n) if (n[h] < 3 || n[h] > 8) bad++; print bad + 0, twice + 0 }' a.csv)" "0 0" \
    "gen_peer: 3-8 awards a holder on distinct days"
gen_counts=$(grep '^counts:' gen.txt)
expect_contains "$gen_counts" "counts: met " "gen_peer prints its counts"

# --- the loop and credex agree with the generator ---
loop=$("$LOOP_CSV" a.csv)
expect_eq "$?" 0 "loop_csv runs"
expect_eq "$(printf '%s\n' "$loop" | grep '^counts:')" "$gen_counts" "loop_csv's counts = gen_peer's"
expect_contains "$loop" "loop: 2000 holders, $awards awards, " "loop_csv: holders and awards read"
run --db r.db import c.yaml --quiet
expect_rc 0 "import the YAML catalog"
run --db r.db audit --all --summary "${A[@]}" --jobs 2
expect_rc 0 "audit --all --summary"
expect_eq "$(printf '%s\n' "$OUT" | head -n 1)" "as of 2026-06-01: 2000 holders, 1 stack" "--summary: holders"
expect_eq "$(printf '%s\n' "$OUT" | sed -n 's/^C8: met \([0-9]*\), in_progress \([0-9]*\), not_started \([0-9]*\), error 0$/counts: met \1 in_progress \2 not_started \3/p')" \
    "$gen_counts" "credex's counts = gen_peer's"

# The CSV carries the YAML's awards: imported as a CSV list, the same audit.
sed -n '/^holders:/q;p' c.yaml >header.yaml
run --db r2.db import header.yaml a.csv --jurisdiction US-OH --quiet
expect_rc 0 "import the header and the CSV"
"$CREDEX" --db r.db audit --all "${A[@]}" --format csv >yaml.csv
"$CREDEX" --db r2.db audit --all "${A[@]}" --format csv >csv.csv
expect_eq "$(wc -l <yaml.csv)" 2001 "audit csv: a row per holder"
cmp -s yaml.csv csv.csv
expect_eq "$?" 0 "the YAML's and the CSV's registries audit byte for byte alike"

# --- the boundaries, by hand: loop_csv and credex decide each alike ---
# h-1 met: C1 expires on the as-of date (still counts); h-2 in progress:
# the same but C1 expired the day before; h-3 not started: only C7, C9 and
# an expired C1; h-4 in progress: two C3 fill one slot; h-5 met: a second
# C4 adds its hours (110 + 32); h-6 not started: issued after the as-of date.
cat >edge.csv <<'CSV'
holder,credential,issued
h-1,C1,2022-06-01
h-1,C2,2023-01-05
h-1,C3,2024-02-29
h-1,C4,2025-12-31
h-1,C5,2024-03-01
h-2,C1,2022-05-31
h-2,C2,2023-01-05
h-2,C3,2024-02-29
h-2,C4,2025-12-31
h-2,C5,2024-03-01
h-3,C7,2025-01-01
h-3,C9,2025-01-02
h-3,C1,2021-05-31
h-4,C1,2023-03-01
h-4,C2,2023-03-02
h-4,C3,2023-03-03
h-4,C3,2024-03-03
h-5,C1,2023-03-01
h-5,C2,2023-03-02
h-5,C3,2023-03-03
h-5,C4,2023-03-04
h-5,C4,2025-01-01
h-6,C1,2026-06-02
CSV
expect_eq "$("$LOOP_CSV" edge.csv | head -n 1)" "counts: met 2 in_progress 2 not_started 2" \
    "loop_csv: the boundaries"
run --db e.db import header.yaml edge.csv --jurisdiction US-OH --quiet
expect_rc 0 "import the boundaries"
run --db e.db audit --all "${A[@]}" --format csv
expect_eq "$(printf '%s\n' "$OUT" | tr -d '\r' | awk -F, 'NR > 1 { printf "%s %s;", $1, $3 }')" \
    "h-1 met;h-2 in_progress;h-3 not_started;h-4 in_progress;h-5 met;h-6 not_started;" \
    "credex: the boundaries"

# --- the what-if rows' C3 change, as bench_1m.sh makes it: a change to
# facts only, so the after side is grafted and each worker derives the
# moved awards in its own view (cx__snapshot_holder); with 4 workers as
# with 1, and the transitions those of importing the change and auditing
# everyone ---
sed -n 's/^  - { id: C3, \(.*\), valid_for: P[0-9]*Y }$/credentials:\n  - { id: C3, \1, valid_for: P1Y }/p' \
    c.yaml >c3.yaml
expect_contains "$(cat c3.yaml)" "valid_for: P1Y }" "the C3 change"
run --db r.db whatif c3.yaml "${A[@]}" --jobs 1
expect_rc 0 "whatif C3, 1 job"
one=$OUT
run --db r.db whatif c3.yaml "${A[@]}" --jobs 4
expect_eq "$OUT" "$one" "whatif C3: 4 jobs as 1"
cp r.db r3.db
rm -f r3.db.snapshot
run --db r3.db import c3.yaml --quiet
expect_rc 0 "import the C3 change into a copy"
"$CREDEX" --db r3.db audit --all "${A[@]}" --format csv >after.csv
moves() { # "audit C8: FROM -> TO: N holders" per pair, from two audits' CSV, row for row
    paste -d, <(cut -d, -f1,3 "$1") <(cut -d, -f1,3 "$2") | tr -d '\r' |
        awk -F, 'NR > 1 && $1 == $3 && $2 != $4 { n[$2 " -> " $4]++ }
            END { for (m in n) print "audit C8: " m ": " n[m] " holders" }' | sort
}
expect_eq "$(printf '%s\n' "$one" | sed -n 's/^\(audit C8: .* holders\) (.*$/\1/p' | sort)" \
    "$(moves yaml.csv after.csv)" "whatif C3's transitions = importing it and auditing everyone"
expect_contains "$one" "in_progress -> not_started: " "the C3 change moves holders"

# --- what loop_csv refuses, located ---
printf 'holder,credential,issued\nh-2,C1,2024-01-01\nh-1,C1,2024-01-01\n' >order.csv
"$LOOP_CSV" order.csv >/dev/null 2>err.txt
expect_eq "$?" 3 "loop_csv: rows out of holder order"
expect_eq "$(cat err.txt)" "loop_csv: order.csv:3: expected holder,Cn,YYYY-MM-DD in holder order" \
    "loop_csv: the line out of order"
printf 'holder,credential,issued\nh-1,C1,2024-13-01\n' >bad.csv
"$LOOP_CSV" bad.csv >/dev/null 2>err.txt
expect_eq "$?" 3 "loop_csv: an invalid date"
expect_contains "$(cat err.txt)" "bad.csv:2:" "loop_csv: the invalid date's line"
finish
