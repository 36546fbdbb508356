# log.sh -- the decision log (docs/design.md §8, docs/log.md): --log on equiv,
# transfer and audit (--all included), credex log, and credex replay of
# an unchanged decision, after a catalog change that flips one, after a
# pack edit, and its errors; packs kept once per sha256; failed commands
# log nothing; without --log the registry is not written.
. "$SRC/tests/cli/lib.sh"
EV="$SRC/examples/ev-mechanic"
export CREDEX_DB="$WORK/ev.db"
cp -r "$EV/rules" rules
run import "$EV/catalog.yaml"
expect_rc 0 "import"

# --- an empty log; without --log nothing is written --------------------
run log
expect_rc 0 "log of an empty log"
expect_eq "$OUT" "no decisions logged (equiv, transfer and audit record them with --log)" \
    "empty log"
before=$(cksum <ev.db)
run equiv TX-EVS-101 CA-EVS-101 --in US-CA --as-of 2026-06-01 --rules rules
expect_rc 0 "equiv without --log"
expect_eq "$(cksum <ev.db)" "$before" "equiv without --log leaves the registry as it was"

# --- logging the three kinds of decision -------------------------------
run equiv TX-EVS-101 CA-EVS-101 --in US-CA --as-of 2026-06-01 --rules rules --log --format json
expect_rc 0 "equiv --log"
EQUIV_JSON=$OUT
expect_contains "$OUT" '"status":"equivalent"' "equiv --log still prints the decision"
run transfer TX-EVS-101 --from US-TX --to US-CA --as-of 2025-08-01 --rules rules --log
expect_rc 0 "transfer --log"
expect_contains "$OUT" "transfer TX-EVS-101 US-TX -> US-CA: conditional" "transfer --log output"
run audit --holder h-tx-0001 --stack CA-EV-TECH --as-of 2026-06-01 --rules rules --log
expect_rc 0 "audit --log"

run log
expect_rc 0 "log"
expect_eq "$(echo "$OUT" | sed -n 1p)" \
    "id    created              kind     as_of      status         subject" "log header"
expect_eq "$(echo "$OUT" | sed -n 2p | awk '{print $1, $3, $4, $5, $6, $7, $8}')" \
    "1 equiv 2026-06-01 equivalent from=TX-EVS-101 to=CA-EVS-101 in=US-CA" "log: the equiv"
expect_eq "$(echo "$OUT" | sed -n 3p | awk '{print $1, $3, $4, $5, $6, $7, $8}')" \
    "2 transfer 2025-08-01 conditional credential=TX-EVS-101 from=US-TX to=US-CA" "log: the transfer"
expect_eq "$(echo "$OUT" | sed -n 4p | awk '{print $1, $3, $4, $5, $6, $7}')" \
    "3 audit 2026-06-01 in_progress holder=h-tx-0001 stack=CA-EV-TECH" "log: the audit"
created=$(echo "$OUT" | sed -n 2p | awk '{print $2}')
case "$created" in
[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z) pass ;;
*) fail "created is not a UTC date and time: [$created]" ;;
esac
expect_eq "$(echo "$OUT" | tail -n 1)" "3 decisions logged, 4 rule pack sources stored" \
    "log summary"

run log --quiet
expect_rc 0 "log --quiet"
expect_eq "$(echo "$OUT" | wc -l | tr -d ' ')" 4 "log --quiet: the header and three entries"
expect_not_contains "$OUT" "decisions logged" "log --quiet: no summary line"

run log --format json
expect_rc 0 "log --format json"
expect_eq "$(echo "$OUT" | sed 's/"created":"[^"]*"/"created":"T"/')" \
    '{"id":1,"created":"T","kind":"equiv","subject":{"from":"TX-EVS-101","to":"CA-EVS-101","in":"US-CA"},"as_of":"2026-06-01","status":"equivalent"}
{"id":2,"created":"T","kind":"transfer","subject":{"credential":"TX-EVS-101","from":"US-TX","to":"US-CA"},"as_of":"2025-08-01","status":"conditional"}
{"id":3,"created":"T","kind":"audit","subject":{"holder":"h-tx-0001","stack":"CA-EV-TECH"},"as_of":"2026-06-01","status":"in_progress"}' \
    "log --format json"
run log --format csv
expect_rc 2 "log --format csv"

# --- packs are kept once per sha256 -------------------------------------
run equiv TX-EVS-101 CA-EVS-101 --in US-CA --as-of 2026-06-01 --rules rules --log
expect_rc 0 "the same equiv logged again"
run log
expect_eq "$(echo "$OUT" | tail -n 1)" "4 decisions logged, 4 rule pack sources stored" \
    "a second decision with the same packs stores no pack again"

# --- a failed command logs nothing --------------------------------------
run equiv TX-EVS-10 CA-EVS-101 --in US-CA --rules rules --log
expect_rc 2 "equiv of an unknown credential"
cp -r rules broken-rules
printf 'stack "BROKEN" { requires = all { "NO-SUCH" } }\n' >broken-rules/broken.lua
run transfer TX-EVS-101 --from US-TX --to US-CA --rules broken-rules --log
expect_rc 3 "transfer with a broken pack"
run audit --holder nobody --rules rules --log
expect_rc 2 "audit of an unknown holder"
run log
expect_eq "$(echo "$OUT" | tail -n 1)" "4 decisions logged, 4 rule pack sources stored" \
    "failed commands logged nothing"

# --- audit --all --log: the same output, every decision logged -----------
run audit --all --as-of 2026-06-01 --rules rules --format csv
CSV=$OUT
run audit --all --as-of 2026-06-01 --rules rules --format csv --log --jobs 2
expect_rc 0 "audit --all --log"
expect_eq "$OUT" "$CSV" "audit --all --log writes what audit --all writes"
holders=$(echo "$CSV" | tail -n +2 | wc -l)
run log
expect_eq "$(echo "$OUT" | tail -n 1)" "$((4 + holders)) decisions logged, 4 rule pack sources stored" \
    "audit --all logged a decision per holder and stack"

# --- replay of an unchanged decision ------------------------------------
run replay 1
expect_rc 0 "replay of an unchanged decision"
expect_eq "$(echo "$OUT" | sed 's/logged [0-9T:-]*Z$/logged T/')" "decision 1 holds
  equiv from=TX-EVS-101 to=CA-EVS-101 in=US-CA, as of 2026-06-01, logged T
  logged: equivalent
  now, with the logged packs: equivalent" "replay 1"
run replay 1 --explain
expect_eq "$(echo "$OUT" | grep '^  logged JSON: ' | sed 's/^  logged JSON: //')" "$EQUIV_JSON" \
    "the logged JSON is what equiv printed"
run replay 1 --rules rules
expect_rc 0 "replay with the same current packs"
expect_contains "$OUT" "  now, with the current packs: equivalent" "replay --rules, unchanged"
run replay 3
expect_rc 0 "replay of the audit"
expect_contains "$OUT" "decision 3 holds" "replay of the audit holds"

# --- replay errors -------------------------------------------------------
run replay 999
expect_rc 2 "replay of an id not logged"
expect_eq "$ERR" "credex: no decision 999 in the log (ids 1 to $((4 + holders)))" "replay 999 message"
run replay one
expect_rc 2 "replay of a non-number"
expect_contains "$ERR" "a decision id is a number from credex log, not 'one'" "replay one message"
run replay
expect_rc 2 "replay without an id"

# --- the registry data changes: the transfer no longer holds -------------
cat >change.yaml <<'EOF'
groups:
  - id: EVC
    name: EV Service Compact
    members:
      - { jurisdiction: US-TX, from: 2025-09-01 }
      - { jurisdiction: US-CA, from: 2025-07-01, until: 2030-06-30 }
      - { jurisdiction: US-NV, from: 2025-01-01, status: partial }
      - { jurisdiction: US-CT, from: 2025-10-01 }
EOF
run import change.yaml
expect_rc 0 "import a membership change"
run replay 2
expect_rc 1 "replay of a decision the registry change flipped"
expect_eq "$(echo "$OUT" | sed 's/logged [0-9T:-]*Z$/logged T/')" "decision 2 no longer holds
  transfer credential=TX-EVS-101 from=US-TX to=US-CA, as of 2025-08-01, logged T
  logged: conditional
  now, with the logged packs: not_recognized
  registry data changed (content version 1 -> 2)" "replay 2 after the catalog change"
run replay 1
expect_rc 0 "a decision the change does not touch still holds"
expect_contains "$OUT" "  without effect on it: registry data changed (content version 1 -> 2)" \
    "replay 1 notes the change it is unaffected by"

# --- a pack changes: replayed with --rules, it names the pack ------------
old=$(sha256sum <rules/tx-ca-articulation.lua | cut -c1-12)
grep -v '^counts_as { from = "TX-EVS-101", to = "CA-EVS-101"' "$EV/rules/tx-ca-articulation.lua" \
    >rules/tx-ca-articulation.lua
new=$(sha256sum <rules/tx-ca-articulation.lua | cut -c1-12)
[ "$old" != "$new" ] && pass || fail "the pack edit changed nothing"
run replay 1
expect_rc 0 "without --rules, replay uses the stored packs"
expect_contains "$OUT" "  now, with the logged packs: equivalent" "stored packs, not the edited file"
run replay 1 --rules rules
expect_rc 1 "replay with the edited pack"
expect_contains "$OUT" "decision 1 no longer holds" "replay --rules after the pack edit"
expect_contains "$OUT" "  now, with the current packs: not_equivalent" "the current packs decide otherwise"
expect_contains "$OUT" "  packs changed: tx-ca-ev-articulation (sha256 $old -> $new)" \
    "replay names the pack, with both sha256s"
expect_not_contains "$OUT" "  registry data changed" "the registry did not make this difference"

# --- a registry of schema 1 with logged decisions migrates to plain columns
# (docs/registry.md, "Migrations"): tests/cli/fixtures/registry-v1.sql was
# dumped from a registry written by the schema-1 build (ten decisions of
# the three kinds); after `credex init`, log and replay show them exactly
# as that build did.
FIX="$SRC/tests/cli/fixtures"
command -v sqlite3 >/dev/null || fail "the sqlite3 command (Debian sqlite3) is needed to load the fixture"
mkdir v1 && cd v1 || exit 1
sqlite3 v1.db <"$FIX/registry-v1.sql"
run log --db v1.db
expect_rc 4 "log on a schema-1 registry"
expect_contains "$ERR" "registry schema version 1 is older than this credex (6); run \`credex init\` to migrate it" \
    "a schema-1 registry asks for credex init"
run init --db v1.db
expect_rc 0 "init migrates the schema-1 registry"
expect_eq "$OUT" "registry v1.db ready (schema version 6)" "init after the migration"
run log --db v1.db
expect_rc 0 "log after the migration"
expect_eq "$OUT" "$(cat "$FIX/registry-v1.log.txt")" "log after the migration, as schema 1 listed it"
run log --db v1.db --format json
expect_eq "$OUT" "$(cat "$FIX/registry-v1.log.jsonl")" "log --format json after the migration"
replays=
for i in 1 2 3 4 5 6 7 8 9 10; do
    run replay "$i" --db v1.db
    expect_rc 0 "replay $i after the migration"
    replays="$replays$OUT
"
done
expect_eq "$replays" "$(cat "$FIX/registry-v1.replay.txt")
" "replay of every migrated decision, as schema 1 replayed it"
run replay 11 --db v1.db
expect_eq "$ERR" "credex: no decision 11 in the log (ids 1 to 10)" "the migration kept the ids"
run transfer TX-EVS-101 --from US-TX --to US-CA --as-of 2025-08-01 --db v1.db --rules "$EV/rules" --log
expect_rc 0 "logging into the migrated registry"
run log --db v1.db
expect_eq "$(echo "$OUT" | sed -n 12p | awk '{print $1, $3, $4, $5, $6, $7, $8}')" \
    "11 transfer 2025-08-01 conditional credential=TX-EVS-101 from=US-TX to=US-CA" \
    "a decision logged after the migration"
expect_eq "$(echo "$OUT" | tail -n 1)" "11 decisions logged, 4 rule pack sources stored" \
    "the same packs stored once, before and after the migration"
cd .. || exit 1

# --- the running code stores plain columns: no SQLite JSON functions ------
# (only the schema-1 migration in registry.c reads the old JSON columns)
for f in "$SRC"/runtime/registry_*.c; do
    if grep -q "json_extract\|json_each\|json_object\|json_insert\|json_valid" "$f"; then
        fail "$(basename "$f") uses SQLite's JSON functions"
    else
        pass
    fi
done

finish
