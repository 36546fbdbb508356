# whatif.sh -- credex whatif and credex diff (docs/design.md §9, docs/whatif.md):
# no change, a removed credential, a competency list flipping an
# equivalence, a membership date moved, a new holder, a rule directory
# diff, the registry left byte for byte as it was, bad change files
# located, and -- the property the scope restriction must keep -- the
# same audit transitions as importing the change for real and auditing
# every holder before and after, over generated holders.
. "$SRC/tests/cli/lib.sh"
EV="$SRC/examples/ev-mechanic"
CC="$SRC/examples/curriculum-change"
DB="$WORK/ev.db"
ASOF=(--as-of 2026-06-01)
"$CREDEX" --db "$DB" import "$EV/catalog.yaml" >/dev/null || fail "import the EV catalog"
cp "$DB" "$WORK/ev.db.orig"

# wi FILE [ARGS...]: credex whatif FILE over the EV registry and packs.
wi() {
    local f=$1
    shift
    run --db "$DB" whatif "$f" --rules "$EV/rules" "${ASOF[@]}" "$@"
}

# --- no change: nothing compared, no transitions -------------------------
: >"$WORK/empty.yaml"
wi "$WORK/empty.yaml"
expect_rc 0 "empty change"
expect_eq "$OUT" "whatif $WORK/empty.yaml as of 2026-06-01
  change: defines nothing
  compared: 0 of 8 holders (0 audits), 0 equivalences, 0 recognitions
no transitions" "empty change: the report"
wi "$WORK/empty.yaml" --format json
expect_eq "$OUT" "" "empty change: no JSON lines"
wi "$WORK/empty.yaml" --format csv
expect_eq "$(printf '%s' "$OUT" | tr -d '\r')" "kind,subject,from,to,count,examples,coverage_before,coverage_after" \
    "empty change: only the CSV header"

# The same packs named again (rules:), and a credential redefined exactly
# as it is: decisions are made again, none moves.
cat >"$WORK/same.yaml" <<EOF
rules: $EV/rules
credentials:
  - id: CA-EVC-203
    name: EV Charging Systems
    type: course
    provider: cerritos
    jurisdiction: US-CA
    hours: 24
    effective_from: 2024-08-19
    competencies: [ev.charging, ev.charging-l2, ev.dcfc]
    tags: [ev, automotive, charging]
    codes: { soc: [49-3023, 47-2111], cip: [47.0614] }
    attributes: { points: 4, career_field: transportation, units: 1.5 }
    grade_scale: [F, D, C, B, A]
EOF
wi "$WORK/same.yaml"
expect_rc 0 "an unchanged credential"
expect_contains "$OUT" "compared: 7 of 8 holders (7 audits)" \
    "an unchanged credential: its holders' and the stack's are audited"
expect_contains "$OUT" "no transitions" "an unchanged credential: no transitions"

# --- a removed credential (and its awards) -------------------------------
mkdir -p "$WORK/rules-charging"
cat >"$WORK/rules-charging/t.lua" <<'EOF'
pack "charging-test" { authority = "test", version = "1" }
stack "CA-EV-TECH" {
  jurisdiction = "US-CA",
  requires = all { "CA-EVS-101", at_least(1) { tagged "charging", "CA-EVB-201" } },
}
EOF
cat >"$WORK/remove.yaml" <<'EOF'
remove:
  credentials: [CA-EVC-203]
EOF
run --db "$DB" whatif "$WORK/remove.yaml" --rules "$WORK/rules-charging" "${ASOF[@]}"
expect_rc 0 "remove a credential"
expect_contains "$OUT" "change: defines nothing; removes 1 credential (with 2 awards and 0 exceptions)" \
    "remove: the awards go with it"
expect_contains "$OUT" "audit CA-EV-TECH: met -> in_progress: 1 holder (h-ca-0002)" \
    "remove: h-ca-0002 loses the certificate"
run --db "$DB" whatif "$WORK/remove.yaml" --rules "$WORK/rules-charging" "${ASOF[@]}" --format json
expect_contains "$OUT" '{"kind":"audit","subject":{"stack":"CA-EV-TECH"},"from":"met","to":"in_progress","count":1,"examples":["h-ca-0002"]}' \
    "remove: the JSON line"
# The EV packs name CA-EVC-203: after the change they do not load.
wi "$WORK/remove.yaml"
expect_rc 3 "remove a credential the packs name"
expect_contains "$ERR" "with the change applied:" "remove: the pack error says when"
expect_contains "$ERR" "CA-EVC-203" "remove: the pack error names the credential"

# --- a changed competency list flips an equivalence ----------------------
cat >"$WORK/compete.yaml" <<'EOF'
credentials:
  - id: CA-EVD-202
    name: Electric Drive and Power Electronics
    type: course
    provider: rio-hondo
    jurisdiction: US-CA
    hours: 48
    effective_from: 2024-08-19
    competencies: [ev.drivetrain, ev.motor-inverter, ev.regen-braking, ev.dc-dc, ev.hybrid, ev.charging]
    tags: [ev, automotive]
    grade_scale: [F, D, C, B, A]
EOF
wi "$WORK/compete.yaml"
expect_rc 0 "competencies changed"
expect_contains "$OUT" "equiv NV-EVD-2 -> CA-EVD-202 in US-CA: equivalent -> partial (coverage 4/4 -> 4/6)" \
    "competencies: the equivalence becomes partial, with coverage before and after"
expect_not_contains "$OUT" "equiv TX-EVD-202 -> CA-EVD-202" \
    "competencies: partial before and after is no transition"
wi "$WORK/compete.yaml" --format json
expect_contains "$OUT" '{"kind":"equiv","subject":{"from":"NV-EVD-2","to":"CA-EVD-202","in":"US-CA"},"from":"equivalent","to":"partial","count":1,"examples":[],"coverage":{"before":{"covered":4,"total":4},"after":{"covered":4,"total":6}}}' \
    "competencies: the JSON line with coverage"
wi "$WORK/compete.yaml" --format csv
expect_contains "$OUT" "equiv,NV-EVD-2 -> CA-EVD-202 in US-CA,equivalent,partial,1,,4/4,4/6" \
    "competencies: the CSV row"

# --- a membership date moved: a recognition changes ----------------------
cat >"$WORK/member.yaml" <<'EOF'
groups:
  - id: EVC
    name: EV Service Compact
    members:
      - { jurisdiction: US-TX, from: 2024-01-01 }
      - { jurisdiction: US-CA, from: 2025-07-01, until: 2030-06-30 }
      - { jurisdiction: US-NV, from: 2025-01-01, status: partial }
      - { jurisdiction: US-CT, from: 2026-07-01 }
      - { jurisdiction: US-AZ, from: 2024-06-01, until: 2025-12-31 }
EOF
wi "$WORK/member.yaml"
expect_rc 0 "membership moved"
expect_contains "$OUT" "transfer TX-EVS-101 US-TX -> US-CT: accepted -> not_recognized" \
    "membership: Texas safety no longer recognised in Connecticut"
expect_contains "$OUT" "compared: 1 of 8 holders (1 audit)" \
    "membership: only Connecticut moved, where no stack is: only the holder whose exception substitutes a compact credential is audited"
expect_not_contains "$OUT" "every holder audited" "membership: not every holder"
TRANSFERS_MOVED=$(printf '%s\n' "$OUT" | grep -c '^transfer ')
cat >"$WORK/unmember.yaml" <<'EOF'
remove:
  memberships: [{ group: EVC, jurisdiction: US-CT }]
EOF
wi "$WORK/unmember.yaml"
expect_rc 0 "membership removed"
expect_contains "$OUT" "removes 1 membership" "membership removed: the summary"
expect_contains "$OUT" "transfer TX-EVS-101 US-TX -> US-CT: accepted -> not_recognized" \
    "membership removed: the same recognition changes"
expect_eq "$(printf '%s\n' "$OUT" | grep -c '^transfer ')" "$TRANSFERS_MOVED" \
    "membership removed: as many recognitions as moving the date past as-of"

# --- a new holder -------------------------------------------------------
cat >"$WORK/newholder.yaml" <<'EOF'
holders:
  - id: h-ca-0100
    jurisdiction: US-CA
    awards:
      - { credential: CA-EVS-101, issued: 2026-01-09, grade: B }
EOF
wi "$WORK/newholder.yaml"
expect_contains "$OUT" "compared: 1 of 9 holders (1 audit)" "new holder: only it is audited"
expect_contains "$OUT" "audit CA-EV-TECH: absent -> in_progress: 1 holder (h-ca-0100)" \
    "new holder: absent before"

# --- the curriculum change (examples/curriculum-change) ------------------
wi "$CC/change.yaml"
expect_rc 0 "curriculum change"
expect_eq "$OUT" "whatif $CC/change.yaml as of 2026-06-01
  change: defines 1 framework, 1 competency, 1 credential; rules: 4 packs from the change file
  compared: 8 of 8 holders (8 audits), 14 equivalences, 5 recognitions
audit CA-EV-TECH: met -> in_progress: 1 holder (h-ca-0003)
equiv TX-EVB-201 -> CA-EVB-201 in US-CA: equivalent -> partial (coverage 4/5 -> 4/6)
transitions: 1 holder-stack audit, 1 equivalence, 0 recognitions" "curriculum change: the report"
for f in evc-compact.lua tx-ev-renewal.lua; do
    cmp -s "$EV/rules/$f" "$CC/rules/$f" && pass || fail "curriculum-change/rules/$f differs from ev-mechanic's"
done
wi "$CC/change.yaml" --jobs 1 --format json
J1=$OUT
wi "$CC/change.yaml" --jobs 2 --format json
expect_eq "$OUT" "$J1" "curriculum change: the same JSON for --jobs 1 and 2"

# --- credex diff ----------------------------------------------------------
run --db "$DB" diff "$EV/rules" "$CC/rules" "${ASOF[@]}"
expect_rc 0 "diff"
expect_contains "$OUT" "audit CA-EV-TECH: met -> in_progress: 1 holder (h-ca-0003)" \
    "diff: the dropped elective"
expect_not_contains "$OUT" "equiv TX-EVB-201" "diff: coverage still 4/5 without the catalog change"
run --db "$DB" diff "$EV/rules" "$EV/rules" "${ASOF[@]}"
expect_contains "$OUT" "compared: 0 of 8 holders (0 audits), 0 equivalences, 0 recognitions" \
    "diff of identical packs: nothing to compare"
expect_contains "$OUT" "no transitions" "diff of identical packs: no transitions"
run --db "$DB" diff "$EV/rules" "${ASOF[@]}"
expect_rc 2 "diff with one directory"
# One rule of a pack changes: only the holders it can affect are audited
# (rules compare plan by plan, not file by file).
mkdir -p "$WORK/r1" "$WORK/r2"
cp "$WORK/rules-charging/t.lua" "$WORK/r1/t.lua"
cp "$WORK/rules-charging/t.lua" "$WORK/r2/t.lua"
echo 'counts_as { from = "NV-EVS-1", to = "CA-EVS-101" }' >>"$WORK/r1/t.lua"
printf '%s\n' '-- a comment moves nothing' 'counts_as { from = "AZ-EVS-110", to = "CA-EVS-101" }' \
    >>"$WORK/r2/t.lua"
run --db "$DB" diff "$WORK/r1" "$WORK/r2" "${ASOF[@]}"
expect_contains "$OUT" "compared: 2 of 8 holders (2 audits), 2 equivalences, 0 recognitions" \
    "diff of one rule: the holders of its credentials only"

# --- the registry is only read ---------------------------------------------
cmp -s "$DB" "$WORK/ev.db.orig" && pass || fail "whatif changed the registry file"
[ ! -s "$DB-wal" ] && pass || fail "whatif left a write-ahead log"

# --- bad change files: located, exit 3 --------------------------------------
# bad NAME CONTENT EXPECTED-STDERR
bad() {
    printf '%s\n' "$2" >"$WORK/$1.yaml"
    wi "$WORK/$1.yaml"
    expect_rc 3 "bad change $1"
    expect_contains "$ERR" "$3" "bad change $1: message"
}
bad unknown-top "credentialz: []" \
    "$WORK/unknown-top.yaml:1:1: unknown key 'credentialz' in a change file (top level); expected one of: version, jurisdictions, groups, providers, frameworks, credentials, holders, exceptions, remove, rules"
bad unknown-remove "remove:
  credential: [CA-EVC-203]" \
    "$WORK/unknown-remove.yaml:2:3: unknown key 'credential' in remove; expected one of: credentials, competencies, memberships"
bad remove-unknown-id "remove:
  credentials: [CA-EVS-101, CA-EVC-230]" \
    "$WORK/remove-unknown-id.yaml:2:29: cannot remove credential 'CA-EVC-230': it is not in the registry; did you mean 'CA-EVC-203'?"
bad remove-unknown-competency "remove: { competencies: [ev.batery] }" \
    "cannot remove competency 'ev.batery': it is not in the registry; did you mean 'ev.battery'?"
bad remove-no-membership "remove:
  memberships:
    - { group: EVC, jurisdiction: US-AX }" \
    "$WORK/remove-no-membership.yaml:3:35: group 'EVC' has no membership of 'US-AX'; did you mean 'US-AZ'?"
bad remove-unknown-group "remove:
  memberships: [{ group: EVX, jurisdiction: US-TX }]" \
    "cannot remove group 'EVX': it is not in the registry; did you mean 'EVC'?"
bad catalog-key "credentials:
  - id: CA-EVC-203
    name: EV Charging Systems
    type: course
    jurisdiction: US-CA
    hourz: 24" \
    "$WORK/catalog-key.yaml:6:5: unknown key 'hourz' in credential"
bad no-rules "rules: nowhere" "$WORK/no-rules.yaml:1:8: rules: no rule pack or folder '$WORK/nowhere'"
bad award-of-removed "remove: { credentials: [CA-EVC-203] }
holders:
  - id: h-x
    awards:
      - { credential: CA-EVC-203, issued: 2026-01-02 }" \
    "$WORK/award-of-removed.yaml:5:9: award of credential 'CA-EVC-203', which this change removes"
bad not-a-map "- 1" "$WORK/not-a-map.yaml:1:1: expected the change file to be a mapping, found a list"
run --db "$DB" whatif "${ASOF[@]}" --rules "$EV/rules"
expect_rc 2 "whatif without a change file"
cmp -s "$DB" "$WORK/ev.db.orig" && pass || fail "a bad change changed the registry file"

# --- the scope restriction against the real thing ---------------------------
# 600 generated holders over the EV credentials; for each change, import it
# into a copy for real, audit every holder before and after, and count the
# moves per stack: whatif must report exactly those.
awk 'BEGIN {
  srand(11)
  split("TX-EVS-101 TX-EVS-R TX-EVB-201 TX-EVD-202 NV-EVS-1 NV-EVD-2 CA-EVS-101 CA-EVB-201 CA-EVD-202 CA-EVC-203 CA-EV-ORIENT AZ-EVS-110 ASE-L3 ASE-A1", c, " ")
  split("US-TX US-CA US-NV US-AZ US-CT", j, " ")
  print "holders:"
  for (h = 0; h < 600; h++) {
    printf "  - id: g-%04d\n    jurisdiction: %s\n    awards:\n", h, j[1 + int(rand() * 5)]
    k = 1 + int(rand() * 9)
    for (i = 0; i < k; i++) {
      cr = c[1 + int(rand() * 14)]
      printf "      - { credential: %s, issued: %04d-%02d-%02d", cr, 2022 + int(rand() * 4), 1 + int(rand() * 12), 1 + int(rand() * 28)
      if (cr ~ /^CA-EV[SBDC]/) printf ", grade: B"
      if (cr == "CA-EV-ORIENT") printf ", grade: P"
      printf " }\n"
    }
  }
}' >"$WORK/gen.yaml"
cp "$WORK/ev.db.orig" "$WORK/gen.db"
"$CREDEX" --db "$WORK/gen.db" import "$WORK/gen.yaml" >/dev/null || fail "import generated holders"

# moves BEFORE.csv AFTER.csv: "stack from to count" lines, sorted.
moves() {
    join -t, -a1 -a2 -e absent -o 0,1.2,2.2 \
        <(tail -n +2 "$1" | tr -d '\r' | awk -F, '{print $1"/"$2","$3}' | sort -t, -k1,1) \
        <(tail -n +2 "$2" | tr -d '\r' | awk -F, '{print $1"/"$2","$3}' | sort -t, -k1,1) |
        awk -F, '$2 != $3 { split($1, k, "/"); n[k[2]" "$2" "$3]++ } END { for (x in n) print x, n[x] }' |
        sort
}
# crosscheck NAME CHANGE.yaml CATALOG-PART NEW-RULES [MAY-MOVE-NOBODY]; the rules
# before are $BASE_RULES, else the EV example's.
crosscheck() {
    local name=$1 change=$2 part=$3 rules=$4 expected actual
    cp "$WORK/gen.db" "$WORK/after.db"
    if [ -n "$part" ]; then
        "$CREDEX" --db "$WORK/after.db" import "$part" >/dev/null || fail "$name: import the change"
    fi
    "$CREDEX" --db "$WORK/gen.db" audit --all --rules "${BASE_RULES:-$EV/rules}" "${ASOF[@]}" \
        --format csv >"$WORK/b.csv"
    "$CREDEX" --db "$WORK/after.db" audit --all --rules "$rules" "${ASOF[@]}" --format csv >"$WORK/a.csv"
    expected=$(moves "$WORK/b.csv" "$WORK/a.csv")
    run --db "$WORK/gen.db" whatif "$change" --rules "${BASE_RULES:-$EV/rules}" "${ASOF[@]}" --format csv
    actual=$(printf '%s\n' "$OUT" | tr -d '\r' | awk -F, '$1 == "audit" { print $2, $3, $4, $5 }' | sort)
    expect_eq "$actual" "$expected" "$name: whatif's audit transitions are the real ones"
    [ -n "$expected" ] || [ -n "${5:-}" ] && pass || fail "$name: the change moves nobody; the check proves nothing"
}
grep -v '^rules:' "$CC/change.yaml" >"$WORK/cc-part.yaml"
crosscheck curriculum "$CC/change.yaml" "$WORK/cc-part.yaml" "$CC/rules"
crosscheck competencies "$WORK/compete.yaml" "$WORK/compete.yaml" "$EV/rules" may-move-nobody
# cred ID NAME TYPE PROVIDER JURISDICTION MORE-LINES: a change of one credential.
cred() {
    printf 'credentials:\n  - id: %s\n    name: %s\n    type: %s\n    provider: %s\n    jurisdiction: %s\n%s\n' \
        "$1" "$2" "$3" "$4" "$5" "$6"
}
cred CA-EVS-101 "Electric Vehicle High-Voltage Safety" course rio-hondo US-CA "    hours: 10
    effective_from: 2024-08-19
    competencies: [ev.hv-safety, ev.lockout, ev.ppe, ev.isolation-testing, ev.emergency-response]
    tags: [ev, automotive, safety]
    grade_scale: [F, D, C, B, A]" >"$WORK/hours.yaml"
crosscheck hours "$WORK/hours.yaml" "$WORK/hours.yaml" "$EV/rules"
cred CA-EVB-201 "Electric Vehicle Battery Systems" course rio-hondo US-CA "    hours: 48
    valid_for: P1Y
    effective_from: 2024-08-19
    competencies: [ev.battery, ev.battery-diagnostics, ev.battery-thermal, ev.battery-handling, ev.dc-dc]
    tags: [ev, automotive]
    grade_scale: [F, D, C, B, A]" >"$WORK/validity.yaml"
crosscheck validity "$WORK/validity.yaml" "$WORK/validity.yaml" "$EV/rules"
cred CA-EVD-202 "Electric Drive and Power Electronics" course rio-hondo US-CA "    hours: 48
    effective_from: 2024-08-19
    competencies: [ev.drivetrain, ev.motor-inverter, ev.regen-braking, ev.dc-dc]
    tags: [automotive]
    grade_scale: [F, D, C, B, A]" >"$WORK/retag.yaml"
crosscheck retag "$WORK/retag.yaml" "$WORK/retag.yaml" "$EV/rules"
cat >"$WORK/late.yaml" <<'EOF'
groups:
  - id: EVC
    name: EV Service Compact
    members:
      - { jurisdiction: US-TX, from: 2024-01-01 }
      - { jurisdiction: US-CA, from: 2026-07-01, until: 2030-06-30 }
      - { jurisdiction: US-NV, from: 2025-01-01, status: partial }
      - { jurisdiction: US-CT, from: 2025-10-01 }
      - { jurisdiction: US-AZ, from: 2024-06-01, until: 2025-12-31 }
EOF
crosscheck membership "$WORK/late.yaml" "$WORK/late.yaml" "$EV/rules" may-move-nobody
# Texas leaves the compact before the as-of date: its awards are no longer
# recognised into California, where the stack is. Only holders with an
# award issued in Texas (or of a credential a changed rule names) are
# audited, not all 608.
cat >"$WORK/tx-leaves.yaml" <<'EOF'
groups:
  - id: EVC
    name: EV Service Compact
    members:
      - { jurisdiction: US-TX, from: 2024-01-01, until: 2025-12-31 }
      - { jurisdiction: US-CA, from: 2025-07-01, until: 2030-06-30 }
      - { jurisdiction: US-NV, from: 2025-01-01, status: partial }
      - { jurisdiction: US-CT, from: 2025-10-01 }
      - { jurisdiction: US-AZ, from: 2024-06-01, until: 2025-12-31 }
EOF
crosscheck tx-leaves "$WORK/tx-leaves.yaml" "$WORK/tx-leaves.yaml" "$EV/rules"
run --db "$WORK/gen.db" whatif "$WORK/tx-leaves.yaml" --rules "$EV/rules" "${ASOF[@]}"
audited=$(printf '%s\n' "$OUT" | sed -n 's/^  compared: \([0-9]*\) of 608 holders.*/\1/p')
[ -n "$audited" ] && [ "$audited" -gt 0 ] && [ "$audited" -lt 608 ] && pass ||
    fail "tx-leaves: some but not all of 608 holders audited, got [$audited]"
# California -- the stack's own jurisdiction -- joins a year earlier: awards
# from the other members are recognised into it from then on.
sed 's/US-CA, from: 2025-07-01/US-CA, from: 2024-07-01/' "$WORK/tx-leaves.yaml" |
    sed 's/until: 2025-12-31 }/until: 2027-12-31 }/' >"$WORK/ca-early.yaml"
crosscheck ca-early "$WORK/ca-early.yaml" "$WORK/ca-early.yaml" "$EV/rules" may-move-nobody
cat >"$WORK/holders.yaml" <<'EOF'
holders:
  - id: g-0007
    jurisdiction: US-CA
    awards:
      - { credential: CA-EVS-101, issued: 2025-01-10, grade: A }
      - { credential: CA-EVB-201, issued: 2025-05-10, grade: A }
      - { credential: CA-EVC-203, issued: 2025-09-10, grade: A }
      - { credential: CA-EVD-202, issued: 2025-11-10, grade: A }
  - id: g-0008
    jurisdiction: US-CA
exceptions:
  - { holder: g-0011, stack: CA-EV-TECH, waive: shop hours, by: Dean, reason: test }
EOF
crosscheck holders "$WORK/holders.yaml" "$WORK/holders.yaml" "$EV/rules"
# the progress bar: on a terminal only
run --db "$WORK/gen.db" whatif "$WORK/hours.yaml" --rules "$EV/rules" "${ASOF[@]}"
expect_not_contains "$ERR" "before" "no progress bar when stderr is not a terminal"
if command -v script >/dev/null; then
    script -qec "\"$CREDEX\" --db \"$WORK/gen.db\" whatif \"$WORK/hours.yaml\" --rules \"$EV/rules\" --as-of 2026-06-01" \
        /dev/null >"$WORK/tty.out" 2>&1
    expect_contains "$(cat "$WORK/tty.out")" "after" "progress bar on a terminal"
    expect_contains "$(cat "$WORK/tty.out")" "transitions:" "the report after the progress bar"
fi

run --db "$WORK/gen.db" diff "$EV/rules" "$CC/rules" "${ASOF[@]}" --format csv
"$CREDEX" --db "$WORK/gen.db" audit --all --rules "$CC/rules" "${ASOF[@]}" --format csv >"$WORK/a.csv"
expect_eq "$(printf '%s\n' "$OUT" | tr -d '\r' | awk -F, '$1 == "audit" { print $2, $3, $4, $5 }' | sort)" \
    "$(moves "$WORK/b.csv" "$WORK/a.csv")" "diff: audit transitions are the real ones"

# A stack in a jurisdiction whose membership moves: Connecticut's EV safety
# endorsement accepts Texas, Nevada or Arizona safety modules through the
# compact (evc-members recognises into members). Connecticut joins before
# the as-of date instead of after it: holders with those modules move,
# though none of their awards was issued in Connecticut.
mkdir -p "$WORK/ct-rules"
cp "$EV"/rules/*.lua "$WORK/ct-rules/"
cat >"$WORK/ct-rules/ct-endorsement.lua" <<'EOF'
pack "ct-endorsement" { authority = "Connecticut Department of Labor (illustrative)", version = "2026.1" }
stack "CT-EV-SAFE" {
  jurisdiction = "US-CT",
  requires     = any { "TX-EVS-101", "NV-EVS-1", "AZ-EVS-110" },
}
EOF
# endorsement ID JURISDICTION: a state's EV safety endorsement, into gen.db.
endorsement() {
    printf 'credentials:\n  - { id: %s, name: EV Safety Endorsement, type: endorsement, jurisdiction: %s }\n' \
        "$1" "$2" >"$WORK/$1.yaml"
    "$CREDEX" --db "$WORK/gen.db" import "$WORK/$1.yaml" >/dev/null || fail "import $1"
}
endorsement CT-EV-SAFE US-CT
sed 's/US-CT, from: 2025-10-01/US-CT, from: 2026-09-01/' "$EV/catalog.yaml" |
    awk '/^groups:/ {g=1} /^[a-z]/ && !/^groups:/ {g=0} g' >"$WORK/ct-late.yaml"
"$CREDEX" --db "$WORK/gen.db" import "$WORK/ct-late.yaml" >/dev/null || fail "CT joins after the as-of date"
sed 's/US-CT, from: 2026-09-01/US-CT, from: 2025-10-01/' "$WORK/ct-late.yaml" >"$WORK/ct-joins.yaml"
BASE_RULES="$WORK/ct-rules" crosscheck ct-joins "$WORK/ct-joins.yaml" "$WORK/ct-joins.yaml" "$WORK/ct-rules"

# An award that counts only through an equivalence: Nevada's endorsement
# takes NV-EVS-1, and Texas's TX-EVS-101 counts as it there. With no other
# stack naming TX-EVS-101, Texas leaving the compact moves its holders in
# Nevada only through the articulation.
mkdir -p "$WORK/nv-rules"
cp "$EV/rules/evc-compact.lua" "$WORK/nv-rules/"
cat >"$WORK/nv-rules/nv-endorsement.lua" <<'EOF'
pack "nv-endorsement" { authority = "Nevada State Apprenticeship Council (illustrative)", version = "2026.1" }
stack "NV-EV-SAFE" { jurisdiction = "US-NV", requires = all { "NV-EVS-1" } }
counts_as { from = "TX-EVS-101", to = "NV-EVS-1", within = "US-NV" }
EOF
endorsement NV-EV-SAFE US-NV
BASE_RULES="$WORK/nv-rules" crosscheck nv-articulation "$WORK/tx-leaves.yaml" "$WORK/tx-leaves.yaml" \
    "$WORK/nv-rules"

# A substitution carries an award no stack names into a slot: h-sub's U
# (issued in Pennsylvania) stands for F by exception; Pennsylvania joining
# the group gets U recognised in Ohio, and S is met.
mkdir -p "$WORK/sub/rules"
cat >"$WORK/sub/catalog.yaml" <<'EOF'
version: 1
jurisdictions:
  - { id: US-OH, name: Ohio, kind: state }
  - { id: US-PA, name: Pennsylvania, kind: state }
  - { id: US-NY, name: New York, kind: state }
groups:
  - { id: G, name: Reciprocity group, members: [{ jurisdiction: US-NY, from: 2020-01-01 }] }
credentials:
  - { id: F, name: Forklift operator, type: certificate, jurisdiction: US-OH }
  - { id: U, name: Powered industrial truck operator, type: certificate, jurisdiction: US-PA }
  - { id: S, name: Warehouse operations, type: certificate, jurisdiction: US-OH }
holders:
  - { id: h-sub, awards: [{ credential: U, issued: 2024-01-01 }] }
  - { id: h-own, awards: [{ credential: F, issued: 2024-01-01 }] }
exceptions:
  - { holder: h-sub, stack: S, substitute: { for: F, use: U }, by: Registrar, reason: equivalent training }
EOF
cat >"$WORK/sub/rules/sub.lua" <<'EOF'
pack "sub" { authority = "test", version = "1" }
recognize "reciprocity" { into = "US-OH", from = member_of "G", credentials = { "U" } }
stack "S" { jurisdiction = "US-OH", requires = all { "F" } }
EOF
cat >"$WORK/sub/change.yaml" <<'EOF'
groups:
  - id: G
    name: Reciprocity group
    members:
      - { jurisdiction: US-NY, from: 2020-01-01 }
      - { jurisdiction: US-PA, from: 2020-01-01 }
EOF
"$CREDEX" --db "$WORK/sub/r.db" import "$WORK/sub/catalog.yaml" >/dev/null || fail "import the substitution registry"
run --db "$WORK/sub/r.db" whatif "$WORK/sub/change.yaml" --rules "$WORK/sub/rules" "${ASOF[@]}"
expect_contains "$OUT" "audit S: not_started -> met: 1 holder (h-sub)" \
    "substitution: the exception's credential, recognised once its state joins, meets S"
cp "$WORK/sub/r.db" "$WORK/sub/after.db"
"$CREDEX" --db "$WORK/sub/after.db" import "$WORK/sub/change.yaml" >/dev/null || fail "import the change"
run --db "$WORK/sub/after.db" audit --holder h-sub --rules "$WORK/sub/rules" "${ASOF[@]}"
expect_contains "$OUT" "audit S for h-sub: met" "substitution: the real after-state agrees"

# A total without a selector counts every credential: changing its
# threshold may move any holder with an award, even one no slot names.
mkdir -p "$WORK/sum/old" "$WORK/sum/new"
cat >"$WORK/sum/catalog.yaml" <<'EOF'
version: 1
jurisdictions:
  - { id: US-OH, name: Ohio }
credentials:
  - { id: A, name: A, type: micro-credential, jurisdiction: US-OH, attributes: { points: 3 } }
  - { id: B, name: B, type: micro-credential, jurisdiction: US-OH, attributes: { points: 4 } }
  - { id: S, name: S, type: certificate, jurisdiction: US-OH }
holders:
  - { id: h1, awards: [{ credential: A, issued: 2025-01-01 }, { credential: B, issued: 2025-01-01 }] }
  - { id: h2, awards: [{ credential: A, issued: 2025-01-01 }] }
EOF
cat >"$WORK/sum/old/p.lua" <<'EOF'
pack "p" { authority = "test", version = "1" }
stack "S" { jurisdiction = "US-OH", requires = sum("points", 12) }
EOF
sed 's/sum("points", 12)/sum("points", 6)/' "$WORK/sum/old/p.lua" >"$WORK/sum/new/p.lua"
"$CREDEX" --db "$WORK/sum/r.db" import "$WORK/sum/catalog.yaml" >/dev/null || fail "import the points registry"
run --db "$WORK/sum/r.db" diff "$WORK/sum/old" "$WORK/sum/new" "${ASOF[@]}"
expect_contains "$OUT" "compared: 2 of 2 holders (2 audits)" \
    "a total over every credential: every holder with an award is audited"
expect_contains "$OUT" "audit S: in_progress -> met: 1 holder (h1)" \
    "a total over every credential: the holder who now has the points moves"

# A total with a selector counts only the selected credentials: changing
# its threshold audits the holders with an award of one of them, and no
# holder whose awards are all outside it.
mkdir -p "$WORK/ssum/old" "$WORK/ssum/new"
cat >"$WORK/ssum/catalog.yaml" <<'EOF'
version: 1
jurisdictions:
  - { id: US-OH, name: Ohio }
credentials:
  - { id: A, name: A, type: micro-credential, jurisdiction: US-OH, attributes: { points: 3 } }
  - { id: B, name: B, type: micro-credential, jurisdiction: US-OH, attributes: { points: 4 } }
  - { id: C, name: C, type: micro-credential, jurisdiction: US-OH, attributes: { points: 9 } }
  - { id: S, name: S, type: certificate, jurisdiction: US-OH }
holders:
  - { id: h1, awards: [{ credential: A, issued: 2025-01-01 }, { credential: B, issued: 2025-01-01 }] }
  - { id: h2, awards: [{ credential: C, issued: 2025-01-01 }] }
  - { id: h3, awards: [{ credential: B, issued: 2025-01-01 }] }
EOF
cat >"$WORK/ssum/old/p.lua" <<'EOF'
pack "p" { authority = "test", version = "1" }
stack "S" { jurisdiction = "US-OH", requires = sum("points", 12, { "A", "B" }) }
EOF
sed 's/sum("points", 12,/sum("points", 6,/' "$WORK/ssum/old/p.lua" >"$WORK/ssum/new/p.lua"
"$CREDEX" --db "$WORK/ssum/r.db" import "$WORK/ssum/catalog.yaml" >/dev/null || fail "import the selected-points registry"
run --db "$WORK/ssum/r.db" diff "$WORK/ssum/old" "$WORK/ssum/new" "${ASOF[@]}"
expect_contains "$OUT" "compared: 2 of 3 holders (2 audits)" \
    "a total over selected credentials: only holders with a selected award are audited"
expect_contains "$OUT" "audit S: in_progress -> met: 1 holder (h1)" \
    "a total over selected credentials: 3 + 4 selected points now meet it"

# A total of zero holds with no award: raising it may move holders with no
# award of its credentials (or none at all), whom no slot or total names.
mkdir -p "$WORK/zero/old" "$WORK/zero/new"
cat >"$WORK/zero/catalog.yaml" <<'EOF'
version: 1
jurisdictions:
  - { id: US-OH, name: Ohio }
credentials:
  - { id: A, name: A, type: micro-credential, jurisdiction: US-OH, hours: 10 }
  - { id: B, name: B, type: micro-credential, jurisdiction: US-OH, hours: 10 }
  - { id: S, name: S, type: certificate, jurisdiction: US-OH }
holders:
  - { id: h1, awards: [{ credential: A, issued: 2025-01-01 }] }
  - { id: h2, awards: [] }
  - { id: h3, awards: [{ credential: B, issued: 2025-01-01 }] }
EOF
cat >"$WORK/zero/old/p.lua" <<'EOF'
pack "p" { authority = "test", version = "1" }
stack "S" { jurisdiction = "US-OH", requires = hours(0, "A") }
EOF
sed 's/hours(0, "A")/hours(1, "A")/' "$WORK/zero/old/p.lua" >"$WORK/zero/new/p.lua"
"$CREDEX" --db "$WORK/zero/r.db" import "$WORK/zero/catalog.yaml" >/dev/null || fail "import the zero registry"
run --db "$WORK/zero/r.db" diff "$WORK/zero/old" "$WORK/zero/new" "${ASOF[@]}"
expect_contains "$OUT" "audit S: met -> not_started: 2 holders (h2, h3)" \
    "a total of zero: the holders without its credentials move"
sed 's/hours(0, "A")/at_least(0) { "A" }/' "$WORK/zero/old/p.lua" >"$WORK/zero/old/q.lua"
mkdir -p "$WORK/zero/old2" && mv "$WORK/zero/old/q.lua" "$WORK/zero/old2/p.lua"
run --db "$WORK/zero/r.db" diff "$WORK/zero/old2" "$WORK/zero/new" "${ASOF[@]}"
expect_contains "$OUT" "audit S: met -> not_started: 2 holders (h2, h3)" \
    "at_least(0): the holders without its credentials move"

finish
