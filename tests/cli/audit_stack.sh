# audit_stack.sh -- `audit --stack S` decides S exactly as a whole audit
# does (the stacks whose derived awards can reach S are decided first; the
# others are skipped): for every stack of a ladder
# of stacks of stacks, `audit --all --stack S` gives the same lines as the
# S lines of `audit --all`, and `audit --holder H --stack S` the same
# decision as H's S in `audit --holder H` -- also when an exception
# substitutes a derived credential the stack does not otherwise depend on.
. "$SRC/tests/cli/lib.sh"
STK="$SRC/tests/rules/stacking"
DB="$WORK/ladder.db"
cat > "$WORK/holders.yaml" <<'YAML'
version: 1
holders:
  - id: h-us-0001            # CIOS, and CSIS on it
    awards:
      - { credential: COMPTIA-APLUS, issued: 2023-07-14 }
      - { credential: COMPTIA-SECPLUS, issued: 2023-09-05 }
      - { credential: COMPTIA-NETPLUS, issued: 2024-04-10 }
  - id: h-us-0002            # CSAP, and CSAE on it
    awards:
      - { credential: COMPTIA-SECPLUS, issued: 2025-02-03 }
      - { credential: COMPTIA-CYSA, issued: 2025-06-20 }
      - { credential: COMPTIA-CASP, issued: 2026-01-09 }
  - id: h-us-0003            # CIOS only; Security+ expired
    awards:
      - { credential: COMPTIA-APLUS, issued: 2024-11-01 }
      - { credential: COMPTIA-NETPLUS, issued: 2025-03-15 }
      - { credential: COMPTIA-SECPLUS, issued: 2021-05-01 }
  - id: h-us-0004            # nothing yet
    awards: []
  - id: h-us-0005            # CIOS, accepted for CSAP by exception: CSAE
    awards:
      - { credential: COMPTIA-APLUS, issued: 2024-09-10 }
      - { credential: COMPTIA-NETPLUS, issued: 2025-01-22 }
      - { credential: COMPTIA-CASP, issued: 2025-11-14 }
exceptions:
  - { holder: h-us-0005, stack: COMPTIA-CSAE, substitute: { for: COMPTIA-CSAP, use: COMPTIA-CIOS },
      by: Dean of IT Programs, reason: CIOS plus CASP covers the analytics outcomes }
YAML
run --db "$DB" init
run --db "$DB" import "$STK/catalog.yaml" "$WORK/holders.yaml" --quiet
expect_rc 0 "import the stacking catalog and four holders"
R=(--db "$DB" --rules "$STK/packs/comptia-ladder.lua" --as-of 2026-06-01 --format json)

run audit --all "${R[@]}" --jobs 2
expect_rc 0 "audit --all"
printf '%s\n' "$OUT" > "$WORK/all.jsonl"
expect_eq "$(grep -c '"status":"met"' "$WORK/all.jsonl")" 7 \
    "met: CIOS and CSIS, CSAP and CSAE, CIOS, CIOS and CSAE (by exception)"
for s in COMPTIA-CIOS COMPTIA-CSAE COMPTIA-CSAP COMPTIA-CSIS; do
    run audit --all "${R[@]}" --stack "$s" --jobs 2
    expect_rc 0 "audit --all --stack $s"
    expect_eq "$OUT" "$(grep "\"stack\":\"$s\"" "$WORK/all.jsonl")" "--stack $s: the $s lines of the whole audit"
done
for h in h-us-0001 h-us-0002 h-us-0005; do
    run audit --holder "$h" "${R[@]}"
    whole=$OUT
    for s in COMPTIA-CSIS COMPTIA-CSAE; do
        run audit --holder "$h" "${R[@]}" --stack "$s"
        expect_eq "$OUT" "$(printf '%s\n' "$whole" | grep "\"stack\":\"$s\"")" "$h --stack $s"
    done
done
run audit --holder h-us-0001 "${R[@]}" --stack COMPTIA-CSIS
expect_contains "$OUT" '"status":"met"' "CSIS met through the CIOS derived before it"
expect_contains "$OUT" '"via":"derived:COMPTIA-CIOS"' "the derived CIOS fills CSIS's slot"
# CSAE does not depend on CIOS, but an exception substitutes it: deciding
# CSAE alone must still derive CIOS first
run audit --holder h-us-0005 "${R[@]}" --stack COMPTIA-CSAE
expect_contains "$OUT" '"status":"met"' "CSAE met through the derived CIOS an exception accepts for CSAP"
expect_contains "$OUT" '"via":"exception:substitute COMPTIA-CIOS for COMPTIA-CSAP"' \
    "the substitution is the derived CIOS"
# --- stacks in twenty jurisdictions ----------------------------------------------
# A holder's counted awards are worked out once per jurisdiction a stack is
# in; twenty of them (a national registry has more than sixteen) work.
{
    echo "version: 1"
    echo "jurisdictions:"
    for k in $(seq -w 1 20); do echo "  - { id: US-J$k, name: State $k }"; done
    echo "credentials:"
    for k in $(seq -w 1 20); do
        echo "  - { id: MOD-$k, name: Module $k, type: course, jurisdiction: US-J$k }"
        echo "  - { id: CERT-$k, name: Certificate $k, type: certificate, jurisdiction: US-J$k }"
    done
    echo "holders:"
    echo "  - { id: h-wide, awards: [{ credential: MOD-07, issued: 2025-05-01 }] }"
} >"$WORK/wide.yaml"
for k in $(seq -w 1 20); do
    echo "stack \"CERT-$k\" { jurisdiction = \"US-J$k\", requires = all { \"MOD-$k\" } }"
done | { echo 'pack "wide" { authority = "test", version = "1" }'; cat; } >"$WORK/wide.lua"
run --db "$WORK/wide.db" import "$WORK/wide.yaml"
expect_rc 0 "import twenty jurisdictions"
run --db "$WORK/wide.db" audit --holder h-wide --rules "$WORK/wide.lua" --as-of 2026-06-01
expect_rc 0 "audit across twenty jurisdictions"
expect_contains "$OUT" "audit CERT-07 for h-wide: met" "the holder's module meets its state's certificate"
expect_eq "$(printf '%s\n' "$OUT" | grep -c ': not_started$')" 19 "and no other"
finish
