# fsck_csv.sh -- the digests a CSV award list keeps up to date as it writes
# (docs/registry.md, "Tamper evidence"; docs/performance.md, "Issue 12"):
# a list of new holders and awards brings the holder and award digests up
# to date from its rows (2 tables, none read again) and fsck, which hashes
# every table the slow way, finds them equal; an award edited with the
# sqlite3 tool is caught, and still caught after a later import; a list
# that replaces awards (ids the registry has) or gives results has those
# tables hashed again; a schema-5 registry, whose digests were SHA-256,
# migrates with a new baseline. A YAML catalog's new holders and awards go
# into the digests from their rows too; holders it replaces are hashed again.
. "$SRC/tests/cli/lib.sh"
EV="$SRC/examples/ev-mechanic"
export CREDEX_DB="$WORK/ev.db"
run import "$EV/catalog.yaml" --quiet
expect_rc 0 "the EV catalog imports"

# Imports record how many tables they brought up to date (the last line).
tables_of_last() {
    run log --imports --format json
    printf '%s\n' "$OUT" | tail -n 1 | sed 's/.*"tables_hashed":\([0-9]*\),.*/\1/'
}

# --- new holders and awards, and awards of holders the registry has ----------
{
    echo "holder,credential,issued,hours,expires,grade,evidence,status"
    for i in 1 2 3 4 5 6; do
        echo "h-csv-$i,TX-EVS-101,2026-01-0$i,$((10 + i)),,,\"page $i, line 2\","
        echo "h-csv-$i,TX-EVB-201,2026-02-0$i,,2030-01-01,,,revoked"
    done
    echo "h-tx-0001,CA-EVD-202,2026-05-02,,,,,"
} > new.csv
run import new.csv --jurisdiction US-TX
expect_rc 0 "a list of new holders and awards"
expect_eq "$OUT" "imported 1 file (csv 1) into $WORK/ev.db: 7 holders, 13 awards (content version 2)" \
    "its counts"
expect_eq "$(tables_of_last)" 2 "holder and award brought up to date from the rows written"
expect_eq "$(sqlite3 ev.db "SELECT group_concat(tbl || ' ' || rows, ', ') FROM (SELECT * FROM registry_digest
    WHERE import_id = (SELECT max(id) FROM import_log) ORDER BY tbl)")" "award 40, holder 14" \
    "the new digests count the rows there now"
run fsck
expect_rc 0 "fsck, which hashes every table again, finds the digests kept up to date"
expect_contains "$OUT" "clean (integrity, references, values, digests of 17 tables)" "clean"
cp ev.db listed.db

# Holders that all exist: only the award digest changes.
printf 'holder,credential,issued\nh-csv-1,TX-EVS-101,2026-03-01\nh-csv-2,TX-EVS-101,2026-03-02\n' > old.csv
run import old.csv
expect_rc 0 "awards of holders the registry has"
expect_eq "$(tables_of_last)" 1 "only the award digest"
run fsck
expect_rc 0 "fsck after it"

# --- an award edited outside credex, before and after another import ----------
cp listed.db ev.db
sqlite3 ev.db "UPDATE award SET hours = 99 WHERE id = 'h-csv-3/TX-EVS-101/2026-01-03'"
run fsck
expect_rc 4 "fsck after an award of the list was edited with sqlite3"
expect_contains "$OUT" "tamper: award: table award changed outside credex since import 3 (" \
    "the award table is named"
run import old.csv
expect_rc 0 "another list imports meanwhile"
run fsck
expect_rc 4 "the edit is still caught after an import that adds to the award table"
expect_contains "$OUT" "tamper: award: table award changed outside credex since import 4 (" \
    "named against the new import"
expect_contains "$OUT" "42 rows now, 42 then" "with the rows now and recorded"

# --- a list that replaces awards, or gives results: hashed again ---------------
cp listed.db ev.db
printf 'holder,credential,issued,hours\nh-csv-1,TX-EVS-101,2026-01-01,30\n' > again.csv
run import again.csv
expect_rc 0 "a row for an award id the registry has replaces it"
expect_eq "$(tables_of_last)" 2 "award and award_result hashed again; the holder exists"
run show holder h-csv-1 --format json
expect_contains "$OUT" '"id":"h-csv-1/TX-EVS-101/2026-01-01","credential":"TX-EVS-101","issued":"2026-01-01","jurisdiction":"US-TX","hours":30' \
    "the award replaced"
run fsck
expect_rc 0 "fsck after a replacing list"
printf 'holder,credential,issued,result.score\nh-csv-7,TX-EVS-101,2026-01-01,91\n' > results.csv
run import results.csv --jurisdiction US-TX
expect_rc 0 "a list with results"
expect_eq "$(tables_of_last)" 3 "holder and award from the rows, award_result hashed again"
run fsck
expect_rc 0 "fsck after a list with results"

# --- a YAML catalog's holders: new rows into the digests, replaced ones hashed -
cp listed.db ev.db
cat > people.yaml <<'YAML'
version: 1
holders:
  - id: h-yaml-1
    jurisdiction: US-TX
    awards:
      - { credential: TX-EVS-101, issued: 2026-01-05, hours: 12, evidence: "page 1" }
      - { credential: TX-EVB-201, issued: 2026-02-05, expires: 2030-01-01, status: revoked }
  - id: h-yaml-2
    jurisdiction: US-CA
    awards:
      - { credential: CA-EVD-202, issued: 2026-03-05, jurisdiction: US-CA }
YAML
run import people.yaml
expect_rc 0 "a YAML catalog of new holders"
expect_eq "$(tables_of_last)" 2 "holder and award brought up to date from the rows written"
run fsck
expect_rc 0 "fsck finds the digests of the YAML holders' rows right"
run import people.yaml
expect_rc 0 "the same holders again: they replace themselves"
expect_eq "$(tables_of_last)" 4 "holder, holder_attr, award and award_result hashed again"
run fsck
expect_rc 0 "fsck after the replacement"
cat > attrs.yaml <<'YAML'
version: 1
holders:
  - id: h-yaml-3
    jurisdiction: US-TX
    attributes: { experience_years: 3 }
    awards:
      - { credential: TX-EVS-101, issued: 2026-01-07, results: { score: 88 } }
YAML
run import attrs.yaml
expect_rc 0 "a new holder with attributes and an award with results"
expect_eq "$(tables_of_last)" 4 "holder and award from the rows; holder_attr and award_result hashed"
run fsck
expect_rc 0 "fsck after it"

# --- a schema-5 registry: its digests were SHA-256; the migration re-baselines -
cp listed.db ev.db
sqlite3 ev.db "ALTER TABLE registry_digest RENAME COLUMN digest TO sha256;
UPDATE registry_digest SET sha256 = '$(printf '%064d' 0)' WHERE tbl = 'award'; PRAGMA user_version = 5"
run fsck
expect_rc 4 "a read-only command refuses the schema-5 registry"
expect_contains "$ERR" "registry schema version 5 is older than this credex (6)" "and says so"
run init
expect_rc 0 "init migrates schema 5 to 6"
run log --imports
expect_eq "$(echo "$OUT" | grep -v '^ ' | sed -n 4p | awk '{print $1, $3}')" "4 baseline" \
    "the migration records a new baseline after the imports"
expect_eq "$(tables_of_last)" 17 "every table hashed for it"
run fsck
expect_rc 0 "fsck of the migrated registry"
run import old.csv
run fsck
expect_rc 0 "and after a list imported into it"

finish
