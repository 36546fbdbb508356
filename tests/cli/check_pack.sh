# check_pack.sh -- what `credex check` finds beyond the compiler's errors:
# a pack path that names nothing is an error naming it (exit 3), a
# min_grade that no award can meet is a warning at its line, and a check
# that trips a counted limit on a probe holder is a warning at the line
# where its function is written (issue #13 items 2, 6 and 7).
. "$SRC/tests/cli/lib.sh"

cat > catalog.yaml <<'YAML'
version: 1
jurisdictions:
  - { id: US-A, name: A }
credentials:
  - { id: G1, name: Graded, type: course, jurisdiction: US-A, tags: [t], grade_scale: [D, C, B, A] }
  - { id: G2, name: Graded too, type: course, jurisdiction: US-A, tags: [t], grade_scale: [D, C, B, A] }
  - { id: N1, name: Ungraded, type: course, jurisdiction: US-A, tags: [u] }
  - { id: N2, name: Ungraded too, type: course, jurisdiction: US-A, tags: [u] }
  - { id: S1, name: S1, type: certificate, jurisdiction: US-A }
  - { id: S2, name: S2, type: certificate, jurisdiction: US-A }
  - { id: S3, name: S3, type: certificate, jurisdiction: US-A }
holders:
  - { id: h-1, awards: [ { credential: G1, issued: 2025-01-01, grade: A } ] }
YAML
"$CREDEX" --db r.db import catalog.yaml --quiet || exit 1

# --- a path that names nothing ---------------------------------------------
run check --db r.db "$WORK/nonexistent.lua"
expect_rc 3 "a missing pack"
expect_eq "$ERR" "$WORK/nonexistent.lua: error: no such rule pack or directory" "a missing pack: named"
expect_eq "$OUT" "1 error, 0 warnings" "a missing pack: counted"
run check --db r.db "$WORK/nonexistent.lua" --format json
expect_rc 3 "a missing pack, json"
expect_eq "$OUT" "{\"kind\":\"diagnostic\",\"severity\":\"error\",\"file\":\"$WORK/nonexistent.lua\",\"message\":\"no such rule pack or directory\"}
{\"kind\":\"check_summary\",\"packs\":0,\"rules\":0,\"errors\":1,\"warnings\":0}" "a missing pack, json: named"
run audit --all --db r.db --rules missing-dir
expect_rc 3 "audit with a missing --rules"
expect_contains "$ERR" "missing-dir: error: no such rule pack or directory" "audit with a missing --rules: named"

# --- min_grade that no award can meet --------------------------------------
cat > grades.lua <<'LUA'
pack "grades" { authority = "test", version = "1" }
stack "S1" { jurisdiction = "US-A", requires = all {
  credential "G1" { min_grade = "B" },
  credential "G2" { min_grade = "A+" },
  credential "N1" { min_grade = "B" },
} }
stack "S2" { jurisdiction = "US-A", requires = any {
  tagged "t" { min_grade = "C" },
  tagged "u" { min_grade = "C" },
  tagged "t" { min_grade = "E" },
} }
LUA
run check --db r.db grades.lua
expect_rc 0 "min_grade warnings are warnings"
expect_eq "$ERR" "grades.lua:4: warning: credential \"G2\" { min_grade = \"A+\" }: no award can fill this slot, so it decides not_started for every holder: \"A+\" is not on the grade_scale of 'G2' (D, C, B, A); did you mean \"A\"?
grades.lua:5: warning: credential \"N1\" { min_grade = \"B\" }: no award can fill this slot, so it decides not_started for every holder: credential 'N1' has no grade_scale
grades.lua:9: warning: tagged \"u\" { min_grade = \"C\" }: no award can fill this slot, so it decides not_started for every holder: no credential it fills from has a grade_scale
grades.lua:10: warning: tagged \"t\" { min_grade = \"E\" }: no award can fill this slot, so it decides not_started for every holder: \"E\" is on the grade_scale of no credential it fills from" "min_grade: one warning per unfillable slot, at its line"
expect_eq "$OUT" "checked 1 pack: 2 rules, 4 warnings" "min_grade: counted"

# --- checks that trip a limit on a probe holder -----------------------------
cat > probes.lua <<'LUA'
pack "probes" { authority = "test", version = "1" }
stack "S1" { jurisdiction = "US-A", requires = check(function(ctx)
  while true do end
end) }
stack "S2" { jurisdiction = "US-A", requires = all {
  "G1",
  check(
    function(ctx)
      local s = "x"
      while #ctx.awards > 0 do s = s .. s end
      return true
    end),
} }
stack "S3" { jurisdiction = "US-A", requires = all { "G1", check(function(ctx) return #ctx.awards > 0 end) } }
LUA
run check --db r.db probes.lua
expect_rc 0 "probe warnings are warnings"
expect_eq "$ERR" "probes.lua:2: warning: check of rule 'S1' trips a limit on a probe holder with no awards: instruction limit (10000000) exceeded; every decision that calls it would be an error
probes.lua:8: warning: check of rule 'S2' trips a limit on a probe holder with an award of each credential the rule names: string limit (64 KiB) exceeded; every decision that calls it would be an error" "probes: a warning per tripping check, at its function's line"
expect_eq "$OUT" "checked 1 pack: 3 rules, 2 warnings" "probes: counted"
finish
