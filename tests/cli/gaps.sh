# gaps.sh -- gaps and the requirement tree of audits (docs/json.md, "gaps",
# "Text output"), byte for byte against golden files: text and JSON of one
# holder, --explain for one holder and for --all; and what must not move:
# CSV keeps its columns, JSON is the same with --explain, the bytes are
# the same for any --jobs, and a logged decision with gaps replays as
# holding. CREDEX_UPDATE_GOLDEN=1 rewrites the golden files.
. "$SRC/tests/cli/lib.sh"
GOLDEN="$SRC/tests/cli/golden"
cd "$SRC" || exit 1
DB="$WORK/gaps.db"
"$CREDEX" --db "$DB" import tests/rules/gaps/catalog.yaml tests/rules/gaps/holders.yaml --quiet
R=(--db "$DB" --rules tests/rules/gaps/packs --as-of 2026-06-01)

# golden NAME ARGS...: runs credex and compares stdout with golden/NAME.
golden() {
    local name=$1
    shift
    "$CREDEX" "$@" > "$WORK/$name" 2>&1
    expect_golden "$WORK/$name" "$name"
}

golden gaps-holder.txt audit --holder h-gap-1 "${R[@]}"
golden gaps-holder.jsonl audit --holder h-gap-1 "${R[@]}" --format json
golden gaps-explain.txt audit --holder h-gap-2 "${R[@]}" --explain
golden gaps-all-explain.txt audit --all --stack ST-HOURS "${R[@]}" --explain --jobs 2

# the words a user reads, under their missing lines
run audit --holder h-gap-1 --stack ST-SLOT "${R[@]}"
expect_eq "$OUT" "audit ST-SLOT for h-gap-1: in_progress
  used: h-gap-1/C2/2025-01-01 (C2) for C2
  missing: C1
    1 more of: C1
    C1 expired 2022-01-01; C1-RENEW renews it" "a credential slot's gap with its expired award"
run audit --holder h-gap-1 --stack ST-HOURS "${R[@]}" --format json
expect_contains "$OUT" '"gaps":[{"requirement":"lab hours","need":100,"have":42.5,"unit":"hours","options":["C1","C3","C4","C5"],"expired":[{"credential":"C1","award":"h-gap-1/C1/2020-01-01","expired":"2022-01-01","renewed_by":"C1-RENEW"}]}]' \
    "the hours gap in JSON"

# a met decision has no gaps member; CSV keeps the columns of §6
run audit --holder h-gap-3 --stack ST-SLOT "${R[@]}" --format json
expect_not_contains "$OUT" '"gaps":' "a met audit's JSON"
run audit --all "${R[@]}" --format csv --jobs 2
expect_eq "$(printf '%s\n' "$OUT" | head -n 1 | tr -d '\r')" "holder,stack,status,issued,expires,missing" "CSV header"
expect_eq "$(printf '%s\n' "$OUT" | grep -c 'more of')" 0 "CSV rows carry no gap words"

# JSON is the same with --explain (the tree is text only), and for any --jobs
"$CREDEX" audit --all "${R[@]}" --format json --jobs 1 > "$WORK/j1.jsonl"
"$CREDEX" audit --all "${R[@]}" --format json --jobs 3 --explain > "$WORK/j3.jsonl"
cmp -s "$WORK/j1.jsonl" "$WORK/j3.jsonl" && pass || fail "audit --all JSON differs with --explain or --jobs"
expect_eq "$(grep -c '"gaps":\[' "$WORK/j1.jsonl")" 22 "unmet audits with gaps over the three holders"

# --all text says what --holder says
"$CREDEX" audit --all "${R[@]}" --jobs 2 > "$WORK/all.txt"
"$CREDEX" audit --holder h-gap-2 "${R[@]}" > "$WORK/one.txt"
awk '/^audit /{keep = index($0, " for h-gap-2: ") > 0} keep' "$WORK/all.txt" > "$WORK/two.txt"
cmp -s "$WORK/one.txt" "$WORK/two.txt" && pass || fail "audit --all text differs from --holder h-gap-2's"

# a logged decision with gaps replays as holding
run audit --holder h-gap-1 --stack ST-SLOT "${R[@]}" --log
expect_rc 0 "audit --log"
run replay 1 --db "$DB"
expect_rc 0 "replay of a decision logged with gaps"
expect_contains "$OUT" "decision 1 holds" "replay of a decision logged with gaps"
finish
