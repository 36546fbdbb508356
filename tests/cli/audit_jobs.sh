# audit_jobs.sh -- `audit --all` writes the same bytes for any --jobs (1,
# 2, 3, 8), in JSON Lines, CSV and text: on the EV example (the goldens of
# decisions.sh) and on a generated registry of 9,000 holders (three
# batches of the pool: batch k written while batch k+1 is decided), where
# CSV rows and JSON lines the status plans write equal those of full
# decisions (--log builds every decision in full).
. "$SRC/tests/cli/lib.sh"
GOLDEN="$SRC/tests/cli/golden"
cd "$SRC" || exit 1 # the pack paths in the decisions are the goldens'
DB="$WORK/ev.db"
"$CREDEX" --db "$DB" import examples/ev-mechanic/catalog.yaml --quiet || fail "import"
R=(--db "$DB" --rules examples/ev-mechanic/rules --as-of 2026-06-01)
for j in 1 2 3 8; do
    "$CREDEX" audit --all "${R[@]}" --format json --jobs $j > "$WORK/ev-$j.jsonl"
    cmp -s "$WORK/ev-$j.jsonl" "$GOLDEN/audit-all.jsonl" && pass || fail "ev json --jobs $j: not the golden"
    "$CREDEX" audit --all "${R[@]}" --format csv --jobs $j > "$WORK/ev-$j.csv"
    cmp -s "$WORK/ev-$j.csv" "$GOLDEN/audit-all.csv" && pass || fail "ev csv --jobs $j: not the golden"
    "$CREDEX" audit --all "${R[@]}" --format text --jobs $j > "$WORK/ev-$j.txt"
    cmp -s "$WORK/ev-$j.txt" "$WORK/ev-1.txt" && pass || fail "ev text --jobs $j differs from --jobs 1"
done
expect_eq "$(grep -c . "$WORK/ev-1.txt")" "$(grep -c . "$WORK/ev-8.txt")" "ev text: as many lines"

gen_catalog 16 9000 >"$WORK/big.yaml"
cat > "$WORK/big.lua" <<'LUA'
pack "big" { authority = "test", version = "1" }
stack "C8" {
  jurisdiction = "US-OH",
  requires = all { "C1", "C2", at_least(2) { "C3", "C4", "C5", "C6" },
    hours(120, { "C1", "C2", "C3", "C4", "C5", "C6" }) },
  window = { recent = "P5Y" },
}
stack "S9" {
  jurisdiction = "US-OH",
  requires = all { "C7", any { "C1", "C3" }, check(function(ctx) return #ctx.awards > 2, "few awards" end) },
}
LUA
"$CREDEX" --db "$WORK/big.db" import "$WORK/big.yaml" --quiet || fail "import the generated registry"
B=(--db "$WORK/big.db" --rules "$WORK/big.lua" --as-of 2026-06-01)
for fmt in json csv text; do
    for j in 1 2 3 8; do
        "$CREDEX" audit --all "${B[@]}" --format $fmt --jobs $j > "$WORK/big-$j.$fmt"
        cmp -s "$WORK/big-$j.$fmt" "$WORK/big-1.$fmt" && pass || fail "big $fmt --jobs $j differs from --jobs 1"
    done
done
expect_eq "$(wc -l < "$WORK/big-3.csv" | tr -d ' ')" 18001 "big csv: a header and two rows per holder"
expect_eq "$(grep -c '"kind":"audit"' "$WORK/big-3.json")" 18000 "big json: two decisions per holder"
expect_eq "$(tail -n 1 "$WORK/big-8.csv" | cut -d, -f1-2)" "h-08999,S9" "big csv: the last row is the last holder's last stack"
for s in met in_progress not_started; do
    n=$(grep -c "^h-[0-9]*,C8,$s," "$WORK/big-2.csv")
    [ "$n" -gt 0 ] && pass || fail "big csv: no C8 row $s"
done
cp "$WORK/big.db" "$WORK/logged.db"
"$CREDEX" audit --all --db "$WORK/logged.db" --rules "$WORK/big.lua" --as-of 2026-06-01 \
    --format csv --jobs 2 --log > "$WORK/big-full.csv" 2>/dev/null
cmp -s "$WORK/big-full.csv" "$WORK/big-1.csv" && pass ||
    fail "big csv: the rows of full decisions (--log) differ from those of the plans"
cp "$WORK/big.db" "$WORK/logged-json.db"
"$CREDEX" audit --all --db "$WORK/logged-json.db" --rules "$WORK/big.lua" --as-of 2026-06-01 \
    --format json --jobs 2 --log > "$WORK/big-full.json" 2>/dev/null
cmp -s "$WORK/big-full.json" "$WORK/big-1.json" && pass ||
    fail "big json: the lines of full decisions (--log) differ from those of the plans"

# Ids JSON escapes, made by hand with the sqlite3 tool (the importers admit
# only letters, digits and . _ : + -): fifty holders and their awards; and
# one holder's id of 597 bytes, which cuts audit.c's trace subject ("audit
# H S", 599 bytes at most), so the plans leave that holder to it. C8
# alone has a plan (S9's check sends every holder of the whole run to the
# full evaluator), so its lines are the plans' own; they escape the ids as
# full decisions do (--no-cache: the edit keeps the content version).
cp "$WORK/big.db" "$WORK/odd.db"
cat > "$WORK/odd.sql" <<'SQL'
UPDATE award SET id = 'x"\' || char(9) || 'é/' || id WHERE holder_id < 'h-00050';
UPDATE award SET holder_id = holder_id || '"\' || char(9) || 'é' WHERE holder_id < 'h-00050';
UPDATE holder_attr SET holder_id = holder_id || '"\' || char(9) || 'é' WHERE holder_id < 'h-00050';
UPDATE holder SET id = id || '"\' || char(9) || 'é' WHERE id < 'h-00050';
UPDATE award SET holder_id = 'h-00060' || replace(hex(zeroblob(295)), '0', 'x') WHERE holder_id = 'h-00060';
UPDATE holder SET id = 'h-00060' || replace(hex(zeroblob(295)), '0', 'x') WHERE id = 'h-00060';
SQL
sqlite3 "$WORK/odd.db" < "$WORK/odd.sql" || fail "edit the ids with sqlite3"
O=(--db "$WORK/odd.db" --rules "$WORK/big.lua" --as-of 2026-06-01 --stack C8 --format json --no-cache)
"$CREDEX" audit --all "${O[@]}" --jobs 2 > "$WORK/odd-plans.json" || fail "odd ids: the plans' audit"
# h-00007"\<tab>é is "h-00007\"\\\té" in JSON
expect_eq "$(grep -cF '\"\\\té","stack":"C8"}' "$WORK/odd-plans.json")" 50 \
    "odd ids: fifty holders' ids escaped"
[ "$(grep -cF '{"award":"x\"\\\té/' "$WORK/odd-plans.json")" -gt 0 ] && pass ||
    fail "odd ids: no award id escaped in a line's used"
expect_eq "$(grep -c '"holder":"h-00060x\{590\}"' "$WORK/odd-plans.json")" 1 "odd ids: the long id's line"
"$CREDEX" audit --all "${O[@]}" --jobs 2 --log > "$WORK/odd-full.json" 2>/dev/null
cmp -s "$WORK/odd-full.json" "$WORK/odd-plans.json" && pass ||
    fail "odd ids: the lines of full decisions (--log) differ from those of the plans"

# More stacks (300) than the plans take (256: quick.c): every holder goes to
# the full evaluator, in CSV and in JSON, and the output is --log's.
{
    echo "credentials:"
    for i in $(seq -w 1 300); do
        echo "  - { id: W$i, name: Stack $i, type: certificate, jurisdiction: US-OH }"
    done
} > "$WORK/wide.yaml"
{
    echo 'pack "wide" { authority = "test", version = "1" }'
    for i in $(seq -w 1 300); do
        printf 'stack "W%s" { jurisdiction = "US-OH", requires = any { "C%d", "C%d" } }\n' \
            "$i" $((10#$i % 8 + 1)) $(((10#$i + 3) % 8 + 1))
    done
} > "$WORK/wide.lua"
gen_catalog 18 200 >"$WORK/wide-holders.yaml"
"$CREDEX" --db "$WORK/wide.db" import "$WORK/wide-holders.yaml" "$WORK/wide.yaml" --quiet ||
    fail "import the 300 stacks' registry"
for fmt in csv json; do
    W=(--db "$WORK/wide.db" --rules "$WORK/wide.lua" --as-of 2026-06-01 --format $fmt --jobs 2)
    "$CREDEX" audit --all "${W[@]}" > "$WORK/wide-plans.$fmt" || fail "wide $fmt: the audit"
    "$CREDEX" audit --all "${W[@]}" --log > "$WORK/wide-full.$fmt" 2>/dev/null
    cmp -s "$WORK/wide-full.$fmt" "$WORK/wide-plans.$fmt" && pass ||
        fail "wide $fmt: differs from --log's full decisions"
done
expect_eq "$(grep -c '"kind":"audit"' "$WORK/wide-plans.json")" 60000 "wide json: 300 lines per holder"

# A stdout that fails (a full disk) stops the run with an error, and no
# "done" is claimed: the exit status says so.
if [ -w /dev/full ]; then
    "$CREDEX" audit --all "${B[@]}" --format json --jobs 2 > /dev/full 2>"$WORK/full.err"
    rc=$?
    [ "$rc" -ne 0 ] && pass || fail "audit --all > /dev/full: exit 0"
    grep -q . "$WORK/full.err" && pass || fail "audit --all > /dev/full: no error message"
    # the 18,000 entries --log wrote above: over 1 MB, so a flush fails mid-listing
    "$CREDEX" --db "$WORK/logged.db" log > /dev/full 2>"$WORK/log-full.err"
    rc=$?
    [ "$rc" -ne 0 ] && pass || fail "log > /dev/full: exit 0"
    expect_eq "$(grep -c 'writing output' "$WORK/log-full.err")" 1 "log > /dev/full: said once"
fi

# Forty stacks of C8's shape, and more, over 3,000 holders: more sets of
# missing requirements than a worker's memo of quoted `missing` fields
# holds (64 entries, 16 KB of text: audit_all.c), so it is overwritten and
# started again; the plans' rows still equal those of full decisions.
{
    echo "credentials:"
    for i in $(seq -w 1 40); do
        echo "  - { id: M$i, name: Stack $i, type: certificate, jurisdiction: US-OH }"
    done
} > "$WORK/many.yaml"
{
    echo 'pack "many" { authority = "test", version = "1" }'
    for i in $(seq 1 40); do
        set -- $(for k in 0 1 2 3 4 5 6; do echo $(((i + k) % 8 + 1)); done)
        printf 'stack "M%02d" {\n  jurisdiction = "US-OH",\n' "$i"
        printf '  requires = all { "C%d", "C%d", at_least(2) { "C%d", "C%d", "C%d" },\n' "$1" "$2" "$3" "$4" "$5"
        printf '    any { "C%d", "C%d" }, hours(%d, { "C%d", "C%d", "C%d", "C%d" }) },\n}\n' \
            "$6" "$7" $((60 + i)) "$1" "$2" "$3" "$4"
    done
} > "$WORK/many.lua"
gen_catalog 17 3000 >"$WORK/many-holders.yaml"
"$CREDEX" --db "$WORK/many.db" import "$WORK/many-holders.yaml" "$WORK/many.yaml" --quiet ||
    fail "import the forty stacks' registry"
M=(--db "$WORK/many.db" --rules "$WORK/many.lua" --as-of 2026-06-01 --format csv)
"$CREDEX" audit --all "${M[@]}" --jobs 2 > "$WORK/many-plans.csv" || fail "many: the plans' audit"
expect_eq "$(wc -l < "$WORK/many-plans.csv" | tr -d ' ')" 120001 "many csv: a header and forty rows per holder"
[ "$(cut -d, -f6- "$WORK/many-plans.csv" | sort -u | wc -c)" -gt 65536 ] && pass ||
    fail "many csv: under 64 KB of distinct missing fields: the memo may never start again"
"$CREDEX" audit --all "${M[@]}" --jobs 2 --log > "$WORK/many-full.csv" 2>/dev/null
cmp -s "$WORK/many-full.csv" "$WORK/many-plans.csv" && pass ||
    fail "many csv: the rows of full decisions (--log) differ from those of the plans"
# ... and their JSON lines (the plans' memo of (plan, holds) entries,
# 1,024 of them per worker: quick_json.c, replaced as they collide)
M=(--db "$WORK/many.db" --rules "$WORK/many.lua" --as-of 2026-06-01 --format json)
"$CREDEX" audit --all "${M[@]}" --jobs 2 > "$WORK/many-plans.json" || fail "many: the plans' JSON"
expect_eq "$(grep -c '"kind":"audit"' "$WORK/many-plans.json")" 120000 "many json: forty lines per holder"
"$CREDEX" audit --all "${M[@]}" --jobs 2 --log > "$WORK/many-full.json" 2>/dev/null
cmp -s "$WORK/many-full.json" "$WORK/many-plans.json" && pass ||
    fail "many json: the lines of full decisions (--log) differ from those of the plans"
finish
