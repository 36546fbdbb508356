# fsck.sh -- `credex fsck` and tamper evidence (docs/security.md, "Tamper
# evidence and fsck"): a clean registry exits 0; an award date changed or a
# holder deleted with the sqlite3 tool is named by table, exit 4; so are bad
# values and a competency parent cycle; a page of garbage fails the
# integrity check; `credex log --imports` lists the history with each
# file's SHA-256; an older registry migrates with a baseline; --db on a
# directory is a clear error.
. "$SRC/tests/cli/lib.sh"
EV="$SRC/examples/ev-mechanic"
export CREDEX_DB="$WORK/ev.db"
run import "$EV/catalog.yaml"
expect_rc 0 "import"
cp ev.db pristine.db

run fsck
expect_rc 0 "fsck of a fresh import"
expect_eq "$OUT" "$WORK/ev.db: clean (integrity, references, values, digests of 17 tables)" \
    "fsck says clean"

# --- the import history ----------------------------------------------------
SUM=$(sha256sum "$EV/catalog.yaml" | cut -d' ' -f1)
USER_NAME=$(id -un)
run log --imports
expect_rc 0 "log --imports"
expect_eq "$(echo "$OUT" | sed -n 1p | awk '{print $1, $3, $4, $5, $6}')" \
    "1 baseline $USER_NAME version 0" "the migration's baseline comes first"
expect_eq "$(echo "$OUT" | sed -n 2p | awk '{print $1, $3, $4, $5, $6}')" \
    "2 import $USER_NAME version 1" "then the import, with user and content version"
expect_contains "$(echo "$OUT" | sed -n 2p)" "8 holders, 27 awards, 2 exceptions" \
    "the import's counts"
expect_eq "$(echo "$OUT" | sed -n 3p)" "      $SUM $EV/catalog.yaml" "its file with its SHA-256"
expect_eq "$(echo "$OUT" | tail -n 1)" "2 import records" "the summary line"
run log --imports --format json
expect_eq "$(echo "$OUT" | wc -l)" 2 "one JSON line per record"
LINE2=$(echo "$OUT" | sed -n 2p)
expect_contains "$LINE2" "{\"kind\":\"import_record\",\"id\":2,\"created\":\"" "the record's kind and id"
expect_contains "$LINE2" "\"type\":\"import\",\"user\":\"$USER_NAME\",\"content_version\":1," \
    "type, user and content version"
expect_contains "$LINE2" "\"holders\":8,\"awards\":27},\"exceptions\":2,\"removals\":0,\"tables_hashed\":17," \
    "counts, and every table hashed by the first import"
expect_contains "$LINE2" "\"files\":[{\"path\":\"$EV/catalog.yaml\",\"sha256\":\"$SUM\",\"bytes\":$(wc -c <"$EV/catalog.yaml")}]" \
    "the file, its SHA-256 and size"

# An import that writes only new holders brings the holder and award digests
# up to date from the rows it writes, and hashes no table again.
cat >more.yaml <<'EOF'
version: 1
holders:
  - { id: h-more-1, jurisdiction: US-CA, awards: [{ credential: CA-EVS-101, issued: 2025-09-01 }] }
EOF
run import more.yaml
expect_rc 0 "a holders-only import"
run log --imports --format json
expect_contains "$(echo "$OUT" | sed -n 3p)" '"tables_hashed":2,' \
    "holder and award brought up to date, no other table"
run fsck
expect_rc 0 "fsck after the second import"
cp pristine.db ev.db

# --- an award date changed behind credex's back ---------------------------
sqlite3 ev.db "UPDATE award SET issued = '2020-01-01' WHERE id = 'h-tx-0001/TX-EVS-101/2025-03-14'"
run fsck
expect_rc 4 "fsck after an award was edited"
expect_eq "$(echo "$OUT" | grep -c .)" 2 "one problem and the count"
expect_contains "$OUT" "$WORK/ev.db: tamper: award: table award changed outside credex since import 2 (" \
    "fsck names the award table"
expect_eq "$(echo "$OUT" | tail -n 1)" "$WORK/ev.db: 1 problem" "the count"

# --- a holder deleted ------------------------------------------------------
cp pristine.db ev.db
sqlite3 ev.db "DELETE FROM holder WHERE id = 'h-ct-0001'"
run fsck
expect_rc 4 "fsck after a holder was deleted"
expect_contains "$OUT" "tamper: holder: table holder changed outside credex since import 2" \
    "fsck names the holder table"
expect_contains "$OUT" "foreign key: award: a row of award refers to a holder that is not in the registry" \
    "the awards left without their holder"
expect_not_contains "$OUT" "tamper: award:" "the award table itself is as imported"

# --- values credex never writes ------------------------------------------------
cp pristine.db ev.db
sqlite3 ev.db "UPDATE award SET expires = '2020-01-01' WHERE id = 'h-tx-0001/TX-EVS-101/2025-03-14';
UPDATE award SET expires = '10000-01-01' WHERE id = 'h-tx-0001/TX-EVB-201/2025-08-22';
UPDATE jgroup_member SET from_date = '2025-02-30' WHERE jurisdiction_id = 'US-TX';
PRAGMA ignore_check_constraints = 1;
UPDATE award SET status = 'pending' WHERE id = 'h-tx-0002/TX-EVS-101/2021-08-20';
UPDATE jurisdiction SET id = 'bad id' WHERE id = 'US';"
run fsck
expect_rc 4 "fsck after bad values"
expect_contains "$OUT" "value: award 'h-tx-0001/TX-EVS-101/2025-03-14': expires 2020-01-01 before it was issued (2025-03-14)" \
    "expiry before issue"
expect_contains "$OUT" "value: award 'h-tx-0001/TX-EVB-201/2025-08-22': '10000-01-01' is not a date YYYY-MM-DD between 0001-01-01 and 9999-12-31" \
    "expiry past 9999-12-31"
expect_contains "$OUT" "value: jgroup_member 'EVC': '2025-02-30' is not a date" "an impossible date"
expect_contains "$OUT" "value: award 'h-tx-0002/TX-EVS-101/2021-08-20': status 'pending' is not active, revoked or suspended" \
    "a status credex does not know"
expect_contains "$OUT" "value: jurisdiction 'bad id': jurisdiction id is not of the form" \
    "an id outside the catalog's pattern"

# --- control characters from an edited registry are escaped ---------------------
cp pristine.db ev.db
sqlite3 ev.db "PRAGMA ignore_check_constraints = 1;
UPDATE award SET status = char(27) || '[31mred' WHERE id = 'h-tx-0002/TX-EVS-101/2021-08-20';
UPDATE import_file SET path = 'a' || char(27) || '[2Jb'"
run fsck
expect_contains "$OUT" "status '\\x1b[31mred' is not active, revoked or suspended" \
    "fsck escapes a control character it reads"
run log --imports
expect_contains "$OUT" " a\\x1b[2Jb" "log --imports escapes a recorded path"

# --- a competency parent cycle -------------------------------------------------
cp pristine.db ev.db
A=$(sqlite3 ev.db "SELECT id FROM competency ORDER BY id LIMIT 1")
B=$(sqlite3 ev.db "SELECT id FROM competency ORDER BY id LIMIT 1 OFFSET 1")
sqlite3 ev.db "UPDATE competency SET parent_id = '$B' WHERE id = '$A';
UPDATE competency SET parent_id = '$A' WHERE id = '$B'"
run fsck
expect_rc 4 "fsck after a parent cycle"
expect_contains "$OUT" "value: competency '$A': competency '$A' is its own ancestor: its parents form a cycle" \
    "the cycle's first competency"
expect_contains "$OUT" "value: competency '$B': competency '$B' is its own ancestor" \
    "and its second"

# --- the digests themselves edited, or removed ------------------------------------
cp pristine.db ev.db
sqlite3 ev.db "UPDATE registry_digest SET digest = '$SUM' WHERE tbl = 'credential'"
run fsck
expect_rc 4 "fsck after a digest was edited"
expect_contains "$OUT" "tamper: credential: table credential changed outside credex" \
    "the table whose digest no longer matches"
expect_contains "$OUT" "tamper: registry_digest: the table digests differ from those import 2" \
    "the digests no longer match the import's"
cp pristine.db ev.db
sqlite3 ev.db "DELETE FROM import_file; DELETE FROM registry_digest; DELETE FROM import_log"
run fsck
expect_rc 4 "fsck with no digest"
expect_contains "$OUT" "tamper: no digest recorded yet: the import log is empty (an import records one)" \
    "no digest recorded yet"

# --- a page of garbage ------------------------------------------------------------
cp pristine.db ev.db
ROOT=$(sqlite3 ev.db "SELECT rootpage FROM sqlite_master WHERE name = 'award'")
head -c 4096 /dev/zero | tr '\0' 'x' | dd of=ev.db bs=4096 seek=$((ROOT - 1)) conv=notrunc 2>/dev/null
run fsck
expect_rc 4 "fsck of a damaged file"
expect_contains "$OUT" "$WORK/ev.db: integrity: integrity check: " "the integrity check fails"
expect_not_contains "$OUT" "clean" "not clean"

# --- an older registry migrates, with a baseline ---------------------------------------
cp pristine.db ev.db
sqlite3 ev.db "DROP TABLE registry_digest; DROP TABLE import_file; DROP TABLE import_log;
ALTER TABLE decision_pack DROP COLUMN signer_kid; ALTER TABLE decision_pack DROP COLUMN signer_authority;
ALTER TABLE decision_pack DROP COLUMN signature; PRAGMA user_version = 3"
run fsck
expect_rc 4 "a read-only command refuses an older registry"
expect_contains "$ERR" "registry schema version 3 is older than this credex (6)" "and says so"
run init
expect_rc 0 "init migrates schema 3 to 6"
run log --imports
expect_eq "$(echo "$OUT" | sed -n 1p | awk '{print $1, $3, $5, $6}')" "1 baseline version 1" \
    "the migration records a baseline of the registry as it was"
run fsck
expect_rc 0 "fsck of the migrated registry"

# --- --db on a directory ----------------------------------------------------------------
mkdir dir.db
run fsck --db dir.db
expect_rc 4 "--db on a directory"
expect_eq "$ERR" "credex: dir.db: is a directory; --db names the registry file" \
    "a clear message, not a disk I/O error"
run import "$EV/catalog.yaml" --db dir.db
expect_rc 4 "import --db on a directory"
expect_eq "$ERR" "credex: dir.db: is a directory; --db names the registry file" "import says so too"

# More problems than stdout's buffer holds (over 1 MB of lines), into a
# full disk: fsck stops, and says why (it used to exit 4 without a word).
if [ -w /dev/full ]; then
    gen_catalog 5 3000 >"$WORK/many.yaml"
    "$CREDEX" --db "$WORK/many.db" import "$WORK/many.yaml" --quiet || fail "import the 3,000 holders"
    sqlite3 "$WORK/many.db" "PRAGMA ignore_check_constraints = 1; UPDATE award SET status = 'bogus';"
    "$CREDEX" --db "$WORK/many.db" fsck >"$WORK/many.out" 2>/dev/null
    [ "$(wc -c <"$WORK/many.out")" -gt 1100000 ] && pass || fail "fsck: under 1.1 MB of problems"
    "$CREDEX" --db "$WORK/many.db" fsck >/dev/full 2>"$WORK/many.err"
    expect_eq "$?" 4 "fsck > /dev/full: exit 4"
    expect_eq "$(cat "$WORK/many.err")" "credex: writing output: No space left on device" \
        "fsck > /dev/full: says why, once"
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
