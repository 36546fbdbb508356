# commands.sh -- the credex command line: help, version, option placement,
# exit codes, $CREDEX_DB, read-only commands, re-imports and multi-file
# imports, JSON of show, and the progress bar on a terminal.
. "$SRC/tests/cli/lib.sh"
EV="$SRC/examples/ev-mechanic/catalog.yaml"

# --- help and version ---------------------------------------------------
run --help
expect_rc 0 "--help"
MAIN_HELP=$OUT
for cmd in init import show; do
    expect_contains "$MAIN_HELP" "  $cmd " "--help lists $cmd"
    run "$cmd" --help
    expect_rc 0 "$cmd --help"
    expect_contains "$OUT" "usage: credex $cmd" "$cmd --help: usage line"
    expect_contains "$OUT" "Example" "$cmd --help: an example"
    run help "$cmd"
    expect_contains "$OUT" "usage: credex $cmd" "help $cmd"
done
run --version
expect_rc 0 "--version"
expect_contains "$OUT" "credex 0.1.0 (registry schema 6)" "--version text"
run
expect_rc 2 "no command"
expect_contains "$ERR" "usage: credex" "no command: usage on stderr"

# --- usage errors: exit 2, with a suggestion ----------------------------
run imprt x.yaml
expect_rc 2 "unknown command"
expect_eq "$ERR" "credex: unknown command 'imprt'; did you mean 'import'?
try 'credex --help'" "unknown command message"
run show --frmat json holder h
expect_rc 2 "unknown option"
expect_contains "$ERR" "unknown option '--frmat'; did you mean '--format'?" "unknown option message"
run show holder h --format xml
expect_rc 2 "bad --format"
expect_contains "$ERR" "unknown --format 'xml' for 'show'; expected one of: text json" "bad --format message"
run init --format json
expect_rc 2 "--format on init"
expect_contains "$ERR" "option '--format' does not apply to 'init'" "--format on init message"
run --db
expect_rc 2 "--db without a value"
expect_contains "$ERR" "option '--db' needs a value" "--db without a value message"
run import
expect_rc 2 "import without files"
expect_contains "$ERR" "needs at least one catalog FILE" "import without files message"
run show badger X
expect_rc 2 "show what?"
expect_contains "$ERR" "cannot show 'badger'" "show what? message"

# --- registry errors: exit 4 --------------------------------------------
run --db missing.db show holder h-tx-0001
expect_rc 4 "show on a missing registry"
expect_eq "$ERR" "credex: registry not found: missing.db (run \`credex init\` or \`credex import\`)" "missing registry message"
[ ! -e missing.db ] && pass || fail "show created missing.db"
echo "not a database, just a spreadsheet export" > junk.db
run --db junk.db show holder h-tx-0001
expect_rc 4 "show on a junk file"
expect_contains "$ERR" "not a credex registry: junk.db" "junk registry message"

# --- init, import, show; options before or after the command word --------
run init --db ev.db
expect_rc 0 "init"
expect_eq "$OUT" "registry ev.db ready (schema version 6)" "init message"
run init --db ev.db
expect_rc 0 "init twice is harmless"
run --db ev.db import "$EV"
expect_rc 0 "import the example"
expect_contains "$OUT" "8 holders, 27 awards, 2 exceptions (content version 1)" "import summary"
run import "$EV" --db ev.db --quiet
expect_rc 0 "re-import, options after"
expect_eq "$OUT" "" "--quiet prints nothing"
cp ev.db ev-before.db
run show holder h-tx-0001 --db ev.db
expect_contains "$OUT" "2025-03-14  TX-EVS-101     active    US-TX       40  2028-03-14" "show holder: Miguel's safety award"
cmp -s ev.db ev-before.db && pass || fail "show changed the registry"
CREDEX_DB=ev.db run show credential ASE-L3 --format json
expect_rc 0 "CREDEX_DB"
expect_eq "$OUT" '{"kind":"credential","id":"ASE-L3","name":"Light Duty Hybrid/Electric Vehicle Specialist","type":"certification","provider":"ase","jurisdiction":"US","valid_for":"P5Y","competencies":["ev.battery-diagnostics","ev.hv-safety","ev.hybrid","ev.isolation-testing","ev.motor-inverter","ev.regen-braking"],"tags":["automotive","ev","industry"],"codes":{"ctid":["ce-3ba3f479-dec1-47ad-a7e9-b62799d12bd1"],"naics":["811111"],"onet":["49-3023.00"],"soc":["49-3023"]},"attributes":{"career_field":"transportation","points":"10"},"grade_scale":[]}' "show credential JSON"
run --db ev.db show holder h-nv-0001 --format json
expect_contains "$OUT" '{"id":"h-nv-0001/NV-EVS-1/2025-02-07","credential":"NV-EVS-1","issued":"2025-02-07","expires":"2027-06-30","jurisdiction":"US-NV","hours":32,"status":"active"}' "show holder JSON: a stored expiry"
expect_contains "$OUT" '"hours":48' "show holder JSON: an award's own hours"
run --db ev.db show group WEST-EV
expect_contains "$OUT" "US-AZ      from 2025-03-01  status associate" "show group: a status"
run --db ev.db show holder h-tx-001
expect_rc 2 "unknown holder"
expect_eq "$ERR" "credex: no holder 'h-tx-001' in the registry; did you mean 'h-tx-0001'?" "unknown holder message"
run --db ev.db show credential CA-EV-TECHNICIAN
expect_rc 2 "unknown credential, nothing near"
expect_eq "$ERR" "credex: no credential 'CA-EV-TECHNICIAN' in the registry" "unknown credential message"

# --- later imports replace; a split catalog resolves across files --------
cat > jurisdictions.yaml <<'YAML'
jurisdictions:
  - { id: US-OR, name: Oregon, kind: state }
YAML
cat > oregon.yaml <<'YAML'
providers:
  - { id: pcc, name: Portland Community College, jurisdiction: US-OR }
credentials:
  - { id: OR-EVS-100, name: EV Safety, type: micro-credential, provider: pcc, jurisdiction: US-OR, hours: 36.5 }
holders:
  - id: h-tx-0001
    jurisdiction: US-OR
    awards:
      - { credential: OR-EVS-100, issued: 2026-09-18 }
      - { credential: TX-EVS-101, issued: 2025-03-14 }
YAML
run --db ev.db import oregon.yaml jurisdictions.yaml
expect_rc 0 "split catalog, reference to a later file"
expect_contains "$OUT" "imported 2 files into ev.db: 1 jurisdiction, 1 provider, 1 credential, 1 holder, 2 awards (content version 3)" "split import summary"
run --db ev.db show holder h-tx-0001
expect_contains "$OUT" "awards (2)" "re-imported holder: award list replaced"
expect_contains "$OUT" "2026-09-18  OR-EVS-100     active    US-OR     36.5  no expiry" "re-imported holder: new award, decimal hours"
expect_contains "$OUT" "jurisdiction    US-OR" "re-imported holder: new jurisdiction"

# --- --rules is repeatable
run --db ev.db check --rules "$SRC/examples/ev-mechanic/rules/evc-compact.lua" \
    --rules "$SRC/examples/ev-mechanic/rules/ca-ev-certificate.lua"
expect_rc 0 "two --rules"
expect_eq "$OUT" "checked 2 packs: 4 rules, 0 warnings" "two --rules load both packs"

# --- progress on a terminal, none when piped ------------------------------
{
    printf 'holders:\n'
    for i in $(seq 1 30000); do
        printf '  - { id: p-%05d, awards: [ { credential: TX-EVS-101, issued: 2025-01-02 } ] }\n' "$i"
    done
} > many.yaml
run --db ev.db import many.yaml
expect_not_contains "$ERR" "writing" "no progress bar when stderr is not a terminal"
if command -v script >/dev/null; then
    script -qec "\"$CREDEX\" --db ev.db import many.yaml" /dev/null > tty.out 2>&1
    expect_contains "$(cat tty.out)" "writing" "progress bar on a terminal"
    expect_contains "$(cat tty.out)" "30000 holders, 30000 awards" "summary after the progress bar"
fi

finish
