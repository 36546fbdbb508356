# jurisdiction_suggestions.sh -- an unknown jurisdiction id that is a bare
# subdivision code suggests the one ISO 3166-2 id ending in it ("TX" ->
# "US-TX"), from the command line (the evaluator's snapshot) and from a
# catalog (the registry); two such ids fall back to edit distance.
. "$SRC/tests/cli/lib.sh"
EV="$SRC/examples/ev-mechanic/catalog.yaml"
RULES="$SRC/examples/ev-mechanic/rules"
run --db ev.db import "$EV" --quiet
expect_rc 0 "import the example"

run --db ev.db transfer TX-EVS-101 --from TX --to US-CA --rules "$RULES"
expect_rc 2 "--from TX"
expect_eq "$ERR" "credex: no jurisdiction 'TX' in the registry; did you mean 'US-TX'?" "--from TX suggests US-TX"
run --db ev.db transfer TX-EVS-101 --from US-TX --to ca --rules "$RULES"
expect_eq "$ERR" "credex: no jurisdiction 'ca' in the registry; did you mean 'US-CA'?" "--to ca suggests US-CA"
run --db ev.db equiv TX-EVS-101 CA-EVS-101 --in NV --rules "$RULES"
expect_rc 2 "--in NV"
expect_eq "$ERR" "credex: no jurisdiction 'NV' in the registry; did you mean 'US-NV'?" "--in NV suggests US-NV"
run --db ev.db transfer TX-EVS-101 --from US-TX --to US-C --rules "$RULES"
expect_contains "$ERR" "no jurisdiction 'US-C' in the registry; did you mean 'US-" "edit distance still applies to other ids"

cat > tx.yaml <<'YAML'
credentials:
  - { id: X-1, name: X, type: certificate, jurisdiction: TX }
YAML
run --db ev.db import tx.yaml
expect_rc 3 "a catalog naming TX"
expect_eq "$ERR" "credex: tx.yaml:2:58: unknown jurisdiction 'TX'; did you mean 'US-TX'?" "catalog: TX suggests US-TX, located"

# two ids end in -TX: no guess between them, edit distance decides
cat > mx.yaml <<'YAML'
jurisdictions:
  - { id: MX-TX, name: Tlaxcala, kind: state }
YAML
run --db ev.db import mx.yaml --quiet
expect_rc 0 "import MX-TX"
run --db ev.db transfer TX-EVS-101 --from TX --to US-CA --rules "$RULES"
expect_eq "$ERR" "credex: no jurisdiction 'TX' in the registry; did you mean 'US'?" "two subdivisions: edit distance"
run --db ev.db import tx.yaml
expect_eq "$ERR" "credex: tx.yaml:2:58: unknown jurisdiction 'TX'; define it in a catalog first" "catalog, two subdivisions: no guess (US is too far for the registry's edit distance)"

finish
