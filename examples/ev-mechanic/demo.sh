#!/usr/bin/env bash
# demo.sh -- the ev-mechanic story, narrated: builds a registry in a temporary
# directory from catalog.yaml and shows what it holds. Run by `make demo`,
# which sets CREDEX to the built binary; it never touches ./credex.db.
set -euo pipefail
: "${CREDEX:?set CREDEX to the credex binary (make demo does this)}"

HERE=$(cd "$(dirname "$0")" && pwd)
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
   on both sides, the EV competency framework, 14 credentials and 8 holders."
step import "$HERE/catalog.yaml"

say "Miguel (h-tx-0001) has fixed gasoline engines in San Antonio for 14 years.
   ASE Engine Repair since 2016, recertified on time; in 2025 he earned three
   Texas EV micro-credentials. Now he is moving to California."
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

say "Next, with rule packs (later work): does TX-EVS-101 count as CA-EVS-101 in
   California? Are Miguel's Texas modules recognised there, and on what terms
   (the California orientation)? How far is each holder from CA-EV-TECH?
   See examples/ev-mechanic/README.md."
