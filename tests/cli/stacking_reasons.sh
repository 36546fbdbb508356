# stacking_reasons.sh -- what a stacking decision says beyond its status,
# which rule tests cannot see: a holder exception it used is named with who
# granted it and why (a waiver and a substitution), a waiver of a label the
# stack lacks is an error citing the exception's file and line, and a check
# that fails gives its reason. Over tests/rules/stacking's catalog and packs.
. "$SRC/tests/cli/lib.sh"
STK="$SRC/tests/rules/stacking"
DB="$WORK/stacking.db"
cat > "$WORK/holders.yaml" <<'YAML'
version: 1
holders:
  - id: h-oh-0101
    jurisdiction: US-OH
    awards:
      - { credential: OH-STNA, issued: 2025-05-20 }
      - { credential: NHA-CPT, issued: 2025-12-05 }
      - { credential: OH-HHA, issued: 2025-03-01 }
      - { credential: OSHA-BBP, issued: 2026-01-15 }
  - id: h-oh-0102
    jurisdiction: US-OH
    awards:
      - { credential: OH-STNA, issued: 2025-05-20 }
  - id: h-oh-0103
    jurisdiction: US-OH
    awards:
      - { credential: OH-STNA, issued: 2025-05-20 }
      - { credential: ARC-BLS, issued: 2025-09-10 }
      - { credential: NHA-CPT, issued: 2025-12-05 }
      - { credential: OH-HHA, issued: 2025-03-01 }
      - { credential: OSHA-BBP, issued: 2026-01-15 }
  - id: h-oh-0201
    jurisdiction: US-OH
    awards:
      - { credential: OSHA-10-GI, issued: 2023-05-01 }
      - { credential: NIMS-MMS1, issued: 2025-02-01 }
YAML
run --db "$DB" import "$STK/catalog.yaml" "$STK/exceptions.yaml"
expect_rc 0 "import the stacking catalog and its exceptions"
run --db "$DB" import "$WORK/holders.yaml" # a later import replaces the holders' awards
expect_rc 0 "import the holders' awards"
R=(--db "$DB" --as-of 2026-06-01)
BY="Health Sciences Supervisor, Auburn Career Center"

# --- a waiver -------------------------------------------------------------
run audit --holder h-oh-0101 --stack OH-HLT-PCT --rules "$STK/packs/health.lua" "${R[@]}"
expect_rc 0 "audit with a waiver"
expect_contains "$OUT" "audit OH-HLT-PCT for h-oh-0101: met" "the waiver meets the stack"
expect_contains "$OUT" "because: 'CPR' waived by $BY: current employer-issued BLS card on file" \
    "the waiver named with by and reason (text)"
run audit --holder h-oh-0101 --stack OH-HLT-PCT --rules "$STK/packs/health.lua" "${R[@]}" --format json
expect_contains "$OUT" "\"reasons\":[{\"code\":\"exception\",\"message\":\"'CPR' waived by $BY: current employer-issued BLS card on file\"}]" \
    "the waiver named with by and reason (JSON)"

# --- a waiver of a label the stack lacks ------------------------------------
run audit --holder h-oh-0102 --stack OH-HLT-PCT --rules "$STK/packs/health.lua" "${R[@]}"
expect_rc 3 "a decision with status error exits 3"
expect_contains "$OUT" "audit OH-HLT-PCT for h-oh-0102: error" "the unknown label makes the decision an error"
expect_contains "$OUT" "exceptions.yaml:15: the exception waives 'TB test', but stack OH-HLT-PCT has no requirement labelled so" \
    "the error cites the exception's file and line"

# --- a substitution -----------------------------------------------------------
run audit --holder h-oh-0103 --stack OH-HLT-PCT --rules "$STK/packs/health.lua" "${R[@]}"
expect_rc 0 "audit with a substitution"
expect_contains "$OUT" "audit OH-HLT-PCT for h-oh-0103: met" "the substitute meets the stack"
expect_contains "$OUT" "because: ARC-BLS accepted for AHA-BLS by $BY: Red Cross BLS accepted by the clinical partner" \
    "the substitution named with by and reason"
expect_contains "$OUT" "(ARC-BLS) for CPR via exception:substitute ARC-BLS for AHA-BLS" \
    "the substitute fills the CPR slot, via the exception"

# --- a check's reason ---------------------------------------------------------
run audit --holder h-oh-0201 --stack OH-CAREER-PASSPORT --rules "$STK/packs/workbased.lua" "${R[@]}" --format json
expect_rc 0 "audit with a failing check"
expect_contains "$OUT" "\"status\":\"in_progress\"" "the failing check leaves the stack in progress"
expect_contains "$OUT" "{\"code\":\"check\",\"message\":\"two credentials since grade 11: two credentials earned since 2024-07-01 are needed, found 1\"}" \
    "the check's reason, named by its label"
expect_contains "$OUT" "\"missing\":[\"two credentials since grade 11\"]" "the check is missing by its label"

# --- a check beside a slot nobody can fill --------------------------------------
# The search skips what no allocation can meet, but never a branch with a
# check in it: the check still runs, and its reason is still given.
cat >"$WORK/weld.yaml" <<'YAML'
version: 1
credentials:
  - { id: OH-WELD-PATH, name: Welding Pathway Completion, type: certificate, jurisdiction: US-OH }
YAML
cat >"$WORK/weld.lua" <<'LUA'
pack "weld-path" { authority = "Ohio Department of Education and Workforce (illustrative)", version = "2026.1" }
stack "OH-WELD-PATH" {
  jurisdiction = "US-OH",
  requires = any {
    all {
      check(function(ctx) return false, "the portfolio review is pending" end) { label = "portfolio" },
      "AWS-SENSE-L1",
    },
    "MSSC-CPT",
  },
}
LUA
run --db "$DB" import "$WORK/weld.yaml"
expect_rc 0 "import the pathway credential"
run audit --holder h-oh-0201 --stack OH-WELD-PATH --rules "$WORK/weld.lua" "${R[@]}" --format json
expect_contains "$OUT" "{\"code\":\"check\",\"message\":\"portfolio: the portfolio review is pending\"}" \
    "a check beside an unfillable slot still runs and gives its reason"

# --- a check beside a large choice ------------------------------------------------
# Six of 22 industry credentials, and a check: the choice has no check in
# it, so the search still sees at once that two held credentials cannot
# make six (it used to try 74,613 combinations and stop at its limit).
cat >"$WORK/sampler.yaml" <<'YAML'
version: 1
credentials:
  - { id: OH-IRC-SAMPLER, name: Industry Credential Sampler, type: certificate, jurisdiction: US-OH }
YAML
cat >"$WORK/sampler.lua" <<'LUA'
pack "irc-sampler" { authority = "Ohio Department of Education and Workforce (illustrative)", version = "2026.1" }
stack "OH-IRC-SAMPLER" {
  jurisdiction = "US-OH",
  requires = all {
    check(function(ctx) return true end) { label = "enrolled" },
    at_least(6) {
      label = "six industry credentials",
      "NIMS-MMS1", "NIMS-CNCM", "NIMS-CNCT", "NIMS-DPM", "AWS-SENSE-L1", "MSSC-CPT",
      "OSHA-10-GI", "NHA-CPT", "NHA-CET", "AHA-BLS", "ARC-BLS", "OSHA-BBP",
      "OSHA-10-CON", "NCCER-CORE", "NCCER-ELEC1", "COMPTIA-APLUS", "COMPTIA-NETPLUS", "COMPTIA-SECPLUS",
      "COMPTIA-CYSA", "COMPTIA-CASP", "CISCO-CCNA", "CISCO-CCST-SEC",
    },
  },
}
LUA
run --db "$DB" import "$WORK/sampler.yaml"
expect_rc 0 "import the sampler credential"
run audit --holder h-oh-0201 --stack OH-IRC-SAMPLER --rules "$WORK/sampler.lua" "${R[@]}"
expect_rc 0 "a check beside a large choice: no search limit"
expect_contains "$OUT" "audit OH-IRC-SAMPLER for h-oh-0201: in_progress" "the sampler is in progress"
expect_contains "$OUT" "missing: six industry credentials" "what is missing, by its label"
finish
