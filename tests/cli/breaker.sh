# breaker.sh -- the run breaker (docs/security.md, "Run breaker"): a pack
# whose check spins, over a registry of 300 holders, stops `audit --all`
# (text, CSV, JSON; --jobs 1 and 2), `diff` and `whatif` with exit 3 once
# the rule has tripped the instruction limit in --max-trips decisions,
# naming the rule, the line its function is written on and the limit; what
# was written before the stop is whole lines, a prefix in holder order.
. "$SRC/tests/cli/lib.sh"

awk 'BEGIN {
  print "version: 1"; print "jurisdictions:"; print "  - { id: US-A, name: A }"
  print "credentials:"
  print "  - { id: C1, name: M1, type: module, jurisdiction: US-A, hours: 10 }"
  print "  - { id: S1, name: S1, type: certificate, jurisdiction: US-A }"
  print "  - { id: S2, name: S2, type: certificate, jurisdiction: US-A }"
  print "holders:"
  for (h = 0; h < 300; h++)
    printf "  - { id: h-%04d, awards: [ { credential: C1, issued: 2025-01-%02d } ] }\n", h, 1 + h % 28
}' > catalog.yaml
cat > spin.lua <<'LUA'
pack "spin" { authority = "test", version = "1" }

stack "S1" {
  jurisdiction = "US-A",
  requires = all {
    "C1",
    check(function(ctx)
      while true do end
    end),
  },
}
stack "S2" { jurisdiction = "US-A", requires = "C1" }
LUA
cat > calm.lua <<'LUA'
pack "spin" { authority = "test", version = "1" }
stack "S1" { jurisdiction = "US-A", requires = all { "C1", check(function(ctx) return true end) } }
stack "S2" { jurisdiction = "US-A", requires = "C1" }
LUA
"$CREDEX" --db r.db import catalog.yaml --quiet || exit 1
R=(--db r.db --rules spin.lua --as-of 2026-06-01)
STOP="spin.lua:7: run stopped: rule 'S1' tripped a counted limit in 3 decisions (the run breaker's maximum): instruction limit (10000000) exceeded"

# prefix_of_holders FILE FIRST_LINE: the holders of the decisions from line
# FIRST_LINE on must be h-0000, h-0000, h-0001, h-0001, ... (two stacks each,
# no holder skipped, none cut short); prints how many decisions.
prefix_of_holders() {
    awk -v first="$2" -F, 'NR >= first {
        id = $0; sub(/^\{"kind":"audit","status":"[a-z_]*","subject":\{"holder":"/, "", id)
        sub(/^[^0-9]*/, "", id); id = substr(id, 1, 4) + 0
        if (id != int(n / 2)) { print "out of order at line " NR; exit 1 }
        n++ }
      END { if (n % 2) { print "a holder cut short"; exit 1 } print n }' "$1"
}

for j in 1 2; do
    "$CREDEX" audit --all "${R[@]}" --format csv --jobs $j --max-trips 3 >out.csv 2>err.txt
    RC=$?
    ERR=$(cat err.txt)
    expect_rc 3 "csv --jobs $j: the breaker stops the run"
    expect_eq "$ERR" "credex: $STOP" "csv --jobs $j: the message names rule, file:line, limit"
    expect_eq "$(head -n 1 out.csv | tr -d '\r')" "holder,stack,status,issued,expires,missing" "csv --jobs $j: header"
    expect_eq "$(tail -c 1 out.csv | od -An -c | tr -d ' ')" '\n' "csv --jobs $j: ends with a whole line"
    expect_eq "$(awk -F, 'NR > 1 && NF != 6' out.csv | wc -l)" 0 "csv --jobs $j: every row has 6 fields"
    n=$(prefix_of_holders out.csv 2)
    case "$n" in
    *[!0-9]* | '') fail "csv --jobs $j: $n" ;;
    *) if [ "$n" -lt 600 ]; then pass; else fail "csv --jobs $j: $n decisions, not below 600"; fi ;;
    esac
    if [ "$j" = 1 ]; then
        expect_eq "$n" 6 "csv --jobs 1: the three holders decided before the stop, both stacks"
        expect_eq "$(grep -c '^h-000[0-2],S1,error,' out.csv)" 3 "csv --jobs 1: each tripped S1 is an error"
    fi

    "$CREDEX" audit --all "${R[@]}" --format json --jobs $j --max-trips 3 >out.jsonl 2>err.txt
    RC=$?
    ERR=$(cat err.txt)
    expect_rc 3 "json --jobs $j: the breaker stops the run"
    expect_eq "$ERR" "credex: $STOP" "json --jobs $j: the message"
    expect_eq "$(grep -cv '^{"kind":"audit",.*}$' out.jsonl)" 0 "json --jobs $j: every line a whole object"
    n=$(prefix_of_holders out.jsonl 1)
    case "$n" in
    *[!0-9]* | '') fail "json --jobs $j: $n" ;;
    *) if [ "$n" -lt 600 ]; then pass; else fail "json --jobs $j: $n decisions, not below 600"; fi ;;
    esac
done

# Text, --max-trips 5 with one worker: five holders, then the stop.
run audit --all "${R[@]}" --jobs 1 --max-trips 5
expect_rc 3 "text: the breaker stops the run"
expect_contains "$ERR" "rule 'S1' tripped a counted limit in 5 decisions" "text: the count given"
expect_eq "$(printf '%s\n' "$OUT" | grep -c '^audit S1 for h-000[0-4]: error$')" 5 "text: five S1 decisions written"

# A rule that trips fewer times than --max-trips: the run ends, exit 3 for the errors.
run audit --all --db r.db --rules spin.lua --as-of 2026-06-01 --stack S2 --jobs 2 --max-trips 3
expect_rc 0 "a stack without the spinning check runs to the end"
expect_eq "$(printf '%s\n' "$OUT" | grep -c '^audit S2 for h-[0-9]*: met$')" 300 "every holder met S2"

# diff and whatif audit through the same driver.
run diff calm.lua spin.lua --db r.db --as-of 2026-06-01 --jobs 2 --max-trips 3
expect_rc 3 "diff: the breaker stops the run"
expect_contains "$ERR" "$STOP" "diff: the message"
mkdir -p after && cp spin.lua after/ && printf 'version: 1\nrules: after\n' >change.yaml
run whatif change.yaml --db r.db --rules calm.lua --as-of 2026-06-01 --jobs 1 --max-trips 2
expect_rc 3 "whatif: the breaker stops the run"
expect_contains "$ERR" "after/spin.lua:7: run stopped: rule 'S1' tripped a counted limit in 2 decisions" "whatif: the message"

# Usage.
run audit --all "${R[@]}" --max-trips 0
expect_rc 2 "--max-trips 0"
expect_contains "$ERR" "--max-trips takes a number from 1 to 1000000000, not '0'" "--max-trips 0: message"
run audit --holder h-0001 "${R[@]}" --max-trips 3
expect_rc 2 "--max-trips without --all"
expect_contains "$ERR" "--max-trips goes with --all" "--max-trips without --all: message"
run audit --help
expect_contains "$OUT" "--max-trips N (default 100)" "audit --help names the default"
finish
