#!/usr/bin/env bash
# demo.sh -- the ev-mechanic story, narrated: builds a registry in a temporary
# directory from catalog.yaml and shows what it holds. Run by `make demo`,
# which sets CREDEX to the built binary; it never touches ./credex.db.
set -euo pipefail
: "${CREDEX:?set CREDEX to the credex binary (make demo does this)}"

cd "$(dirname "$0")/../.." # the repository root: paths print as a user types them
HERE=examples/ev-mechanic
T=$(mktemp -d "${TMPDIR:-/tmp}/credex-demo.XXXXXX")
trap 'rm -rf "$T"' EXIT
DB=$T/ev.db

say() { printf '\n== %s\n' "$*"; }
# step ARGS...: prints the command as a user would type it, then runs it.
step() {
    local shown="credex --db ev.db $*"
    printf '$ %s\n' "${shown//$HERE/examples/ev-mechanic}"
    "$CREDEX" --db "$DB" "$@"
}

say "A registry is one SQLite file. Create it:"
step init

say "Load the catalog: five states and the EV Service Compact, the colleges
   on both sides, the EV competency framework, 15 credentials and 8 holders."
step import "$HERE/catalog.yaml"

say "Miguel (h-tx-0001) has fixed gasoline engines in San Antonio for 14 years.
   ASE Engine Repair since 2016, recertified on time; in 2025 he earned three
   Texas EV micro-credentials. In 2026 he moved to California and took its
   EV orientation."
step show holder h-tx-0001

say "His first EV module, Austin Community College's high-voltage safety course.
   It is valid for three years and carries the codes a state system matches on
   (SOC 49-3023, CIP 47.0614, O*NET, NAICS, a Credential Engine CTID)."
step show credential TX-EVS-101

say "California's counterpart, the first course of Rio Hondo's EV Technician
   Certificate: the same five competencies, graded, no expiry."
step show credential CA-EVS-101

say "The EV Service Compact. Membership is dated: California joins on 2025-07-01,
   Nevada only partially, Arizona's pilot ended on 2025-12-31."
step show group EVC

say "A California learner partway through the certificate, as JSON -- the form
   other systems consume (one object a line)."
step --format json show holder h-ca-0002

RULES=(--rules "$HERE/rules" --as-of 2026-06-01)

say "The rules: California's certificate, the Texas-California articulation, the
   compact and Texas's renewal rule. credex check resolves every id they name."
step check "$HERE/rules"

say "Does Texas's safety module count as California's? In California, yes: an
   articulation agreement says so (and cites it)."
step equiv TX-EVS-101 CA-EVS-101 --in US-CA "${RULES[@]}"

say "The drivetrain module covers 3 of California's 4 competencies: partial, and
   the gap is named."
step equiv TX-EVD-202 CA-EVD-202 --in US-CA "${RULES[@]}"

say "Are Miguel's awards recognised in California? The compact recognises EV
   modules from member states; California adds its orientation, which he has."
step transfer --holder h-tx-0001 --to US-CA "${RULES[@]}"

say "How far is Miguel from California's EV Technician Certificate? His Texas
   modules, recognised and mapped onto California's courses, leave one elective."
step audit --holder h-tx-0001 "${RULES[@]}" --explain

say "A Rio Hondo graduate: met, with the certificate's dates, as JSON."
step audit --holder h-ca-0001 "${RULES[@]}" --format json

say "The whole registry at once, as the state's workforce board sees it: how many
   holders have met the certificate, are on their way, or have not started."
step audit --all --summary "${RULES[@]}"
