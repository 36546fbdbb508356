# next.sh -- `credex next` (docs/rules.md "Next steps") and `transfer
# --award`: the EV example's answers byte for byte against golden files
# (tests/cli/golden/next-*), the filters and the limit on the ranking test
# catalog (tests/rules/next/), the errors a user can cause (exit 2 with a
# suggestion), and the `next:` expectation's failure lines and located
# errors. CREDEX_UPDATE_GOLDEN=1 rewrites the golden files.
. "$SRC/tests/cli/lib.sh"
GOLDEN="$SRC/tests/cli/golden"
cd "$SRC" || exit 1
DB="$WORK/ev.db"
"$CREDEX" --db "$DB" import examples/ev-mechanic/catalog.yaml --quiet
R=(--db "$DB" --rules examples/ev-mechanic/rules --as-of 2026-06-01)

golden() {
    local name=$1
    shift
    "$CREDEX" "$@" >"$WORK/$name" 2>&1
    expect_golden "$WORK/$name" "$name"
}

# --- the EV example: Miguel is one elective from the certificate ----------
golden next-miguel.txt next --holder h-tx-0001 "${R[@]}"
golden next-miguel.jsonl next --holder h-tx-0001 "${R[@]}" --format json
run next --holder h-tx-0001 "${R[@]}" --format json
expect_contains "$OUT" '"stack":"CA-EV-TECH"' "next json: the stack"
expect_contains "$OUT" '"add":[{"credential":"CA-EVC-203","name":"EV Charging Systems","hours":24}]' \
    "next json: the cheaper elective"
# Nevada's holder needs California's orientation, which lets her Nevada
# modules be recognised: one credential of 4 hours
run next --holder h-nv-0001 "${R[@]}"
expect_rc 0 "next h-nv-0001"
expect_eq "$(printf '%s\n' "$OUT" | head -n 2)" "1. CA-EV-TECH (EV Technician Certificate), in_progress: 1 credential, 4 hours
   add CA-EV-ORIENT (California EV Service Orientation, 4 hours)" "next h-nv-0001: the orientation"
run next --holder h-ca-0001 "${R[@]}"
expect_eq "$OUT" "no stack to complete for h-ca-0001: every stack is met or out of reach" \
    "next: a holder who met every stack"
run next --holder h-ca-0001 "${R[@]}" --quiet
expect_eq "$OUT" "" "next --quiet: nothing to say"

# --- errors a user can cause -------------------------------------------------
run next --holder h-tx-001 "${R[@]}"
expect_rc 2 "next: unknown holder"
expect_eq "$ERR" "credex: no holder 'h-tx-001' in the registry; did you mean 'h-tx-0001'?" \
    "next: unknown holder, with the nearest"
run next "${R[@]}"
expect_rc 2 "next without --holder"
expect_contains "$ERR" "credex next: --holder H is required" "next without --holder: message"
run next --holder h-tx-0001 --soc 49-3023 --tag ev "${R[@]}"
expect_rc 2 "next --soc with --tag"
expect_contains "$ERR" "give --soc or --tag, not both" "next --soc with --tag: message"
run next --holder h-tx-0001 --limit 0 "${R[@]}"
expect_rc 2 "next --limit 0"
run next --holder h-tx-0001 --stack CA-EV-TECH "${R[@]}"
expect_rc 2 "next --stack does not apply"

# --- the EV certificate's codes: SOC 49-3023 and its O*NET codes -----------
run next --holder h-tx-0001 "${R[@]}" --soc 49-3023 --format json
expect_rc 0 "next --soc 49-3023"
expect_eq "$(printf '%s\n' "$OUT" | grep -c '"kind":"next"')" 1 "next --soc 49-3023: the certificate"
run next --holder h-tx-0001 "${R[@]}" --soc 11-1111
expect_eq "$OUT" "no stack to complete for h-tx-0001: every stack is met or out of reach" \
    "next --soc: another occupation"

# --- rankings, filters and the limit on tests/rules/next -------------------
NDB="$WORK/next.db"
"$CREDEX" --db "$NDB" import tests/rules/next/catalog.yaml --quiet
N=(--db "$NDB" --rules tests/rules/next/packs --as-of 2026-06-01)
ranks() { printf '%s\n' "$OUT" | sed -n 's/^\([0-9]*\)\. \([^ ]*\) .*/\1 \2/p' | tr '\n' ' '; }
run next --holder h-one "${N[@]}"
expect_eq "$(ranks)" "1 S-B 2 S-D 3 S-E 4 S-A 5 S-F " "next: five by default, ties by hours then id"
run next --holder h-one "${N[@]}" --limit 2
expect_eq "$(ranks)" "1 S-B 2 S-D " "next --limit 2"
run next --holder h-one "${N[@]}" --limit 10
expect_eq "$(ranks)" "1 S-B 2 S-D 3 S-E 4 S-A 5 S-F 6 S-C " "next --limit 10: S-G and S-I out of reach"
expect_contains "$OUT" "6. S-C (Stack C), not_started: 2 credentials, 5 hours
   add C4 (Course Four, 5 hours)
   add C6 (Course Six)
   missing now: at_least(2) { \"C4\", \"C5\", \"C6\" }" "next: a two-course completion"
run next --holder h-one "${N[@]}" --tag alpha
expect_eq "$(ranks)" "1 S-A 2 S-C " "next --tag alpha"
run next --holder h-one "${N[@]}" --soc 11-1111
expect_eq "$(ranks)" "1 S-B 2 S-D " "next --soc: the SOC code and the O*NET code under it"
run next --holder h-one "${N[@]}" --soc 11-1111.01
expect_eq "$(ranks)" "1 S-B 2 S-D " "next --soc: an O*NET code and the SOC code it refines"
run next --holder h-one "${N[@]}" --soc 11-11
expect_eq "$(ranks)" "" "next --soc: no match on a partial code"
run next --holder h-none "${N[@]}" --format json --limit 1
expect_eq "$OUT" '{"kind":"next","holder":"h-none","stack":"S-D","name":"Stack D","as_of":"2026-06-01","rank":1,"status":"not_started","credentials":1,"hours":5,"add":[{"credential":"C5","name":"Course Five","hours":5}],"missing":["C5"]}' \
    "next --format json: one object"

# --- the next: expectation of rule tests -----------------------------------
F=tests/cli/fixtures/next
run test $F/wrong-ranking.test.yaml
expect_rc 1 "next: a wrong ranking fails"
expect_eq "$OUT" "$F/wrong-ranking.test.yaml:7: FAIL the ranking differs: next for test-holder: rank 1 S-B add [C4], expected [C3] (extra: C4; lacking: C3); rank 1 S-B hours 5, expected 30; rank 2: S-D [C5], expected S-E; rank 3: none, expected S-A
0 passed, 1 failed" "next: the failure line"
run test $F/bad-next.test.yaml
expect_rc 3 "next: a malformed expectation"
expect_contains "$OUT" "$F/bad-next.test.yaml:10:25: unknown key 'adds' in next stack (did you mean 'add'?); expected one of: stack, add, hours" \
    "next: a malformed expectation, located"
run test $F/unknown-next.test.yaml
expect_rc 3 "next: an unknown stack"
expect_contains "$OUT" "$F/unknown-next.test.yaml:10:11: next: no stack 'S-DD' in the rule packs; did you mean 'S-D'?" \
    "next: an unknown stack, located, with the nearest"

# --- transfer --holder H --award A: one award -------------------------------
golden transfer-award.txt transfer --holder h-tx-0001 --award TX-EVB-201 --to US-CA "${R[@]}"
golden transfer-award.jsonl transfer --holder h-tx-0001 --award h-tx-0001/TX-EVD-202/2025-12-12 \
    --to US-CA "${R[@]}" --format json
run transfer --holder h-tx-0001 --award ASE-A1 --to US-CA "${R[@]}"
expect_eq "$(printf '%s\n' "$OUT" | grep -c '^transfer ')" 3 "transfer --award: every award of the credential"
run transfer --holder h-tx-0001 --award TX-EVB-210 --to US-CA "${R[@]}"
expect_rc 2 "transfer --award: no such award"
expect_eq "$ERR" "credex: holder h-tx-0001 has no award 'TX-EVB-210' (an award id or a credential) issued by 2026-06-01; did you mean 'TX-EVB-201'?" \
    "transfer --award: no such award, with the nearest"
expect_eq "$OUT" "" "transfer --award: no decision printed"
run transfer --holder h-tx-0001 --award CA-EV-ORIENT --to US-CA --db "$DB" \
    --rules examples/ev-mechanic/rules --as-of 2026-01-01
expect_rc 2 "transfer --award: an award issued after the as-of date"
run transfer --award TX-EVB-201 --to US-CA "${R[@]}"
expect_rc 2 "transfer --award without --holder"
expect_contains "$ERR" "credex transfer: --award A needs --holder H" "transfer --award without --holder: message"
finish
