# backup.sh -- `credex backup FILE` (docs/security.md, "Backups"): a
# consistent copy made while another process imports, or holds an open
# write transaction; the copy opens, passes fsck, and exports the same
# bytes as the registry it copied (as it was before or after the import);
# an existing FILE is refused without --force. And `import --sync full`.
. "$SRC/tests/cli/lib.sh"
EV="$SRC/examples/ev-mechanic"
export CREDEX_DB="$WORK/ev.db"
run import "$EV/catalog.yaml" --sync full
expect_rc 0 "import --sync full"
expect_contains "$OUT" "8 holders, 27 awards" "import --sync full imports"
run import "$EV/catalog.yaml" --sync sometimes
expect_rc 2 "--sync takes full or normal"
expect_contains "$ERR" "--sync takes full or normal, not 'sometimes'" "the usage error"

{
    echo "version: 1"
    echo "holders:"
    i=0
    while [ $i -lt 3000 ]; do
        printf '  - { id: h-many-%04d, jurisdiction: US-CA, awards: [{ credential: CA-EVS-101, issued: 2025-09-01 }] }\n' $i
        i=$((i + 1))
    done
} >many.yaml

# --- a backup of a quiet registry ----------------------------------------------
run backup copy.db
expect_rc 0 "backup"
expect_eq "$OUT" "copy.db: backup of $WORK/ev.db written" "backup says what it wrote"
"$CREDEX" export >source.yaml
run export --db copy.db
expect_eq "$OUT" "$(cat source.yaml)" "the backup exports the same catalog"
run fsck --db copy.db
expect_rc 0 "the backup passes fsck"
expect_eq "$(ls | grep -c 'copy.db.tmp')" 0 "no temporary file is left"

# --- an existing file ------------------------------------------------------------
run backup copy.db
expect_rc 2 "backup onto an existing file"
expect_eq "$ERR" "credex: copy.db: already exists; --force replaces it with the backup" \
    "refused, saying how to replace it"
run backup copy.db --force
expect_rc 0 "backup --force replaces it"
run backup
expect_rc 2 "backup needs a FILE"

# --- while another process imports ---------------------------------------------------
"$CREDEX" import many.yaml --quiet >import.out 2>&1 &
IMPORT_PID=$!
run backup during.db
expect_rc 0 "backup while an import runs"
wait $IMPORT_PID
expect_eq "$?" 0 "the import ran alongside"
"$CREDEX" export >after.yaml
run export --db during.db
if [ "$OUT" = "$(cat source.yaml)" ] || [ "$OUT" = "$(cat after.yaml)" ]; then
    pass
else
    fail "the backup taken during an import is the registry before or after it"
fi
run fsck --db during.db
expect_rc 0 "the backup taken during an import passes fsck"

# --- while another process holds an open write transaction ------------------------------
mkfifo shell.in
sqlite3 ev.db <shell.in >shell.out 2>&1 &
SHELL_PID=$!
exec 7>shell.in
echo "BEGIN IMMEDIATE; DELETE FROM award_result; DELETE FROM award;" >&7
echo "SELECT 'locked';" >&7
tries=0
while ! grep -q locked shell.out && [ $tries -lt 400 ]; do
    tries=$((tries + 1))
    sleep 0.05
done
run backup locked.db
expect_rc 0 "backup while another process writes"
run export --db locked.db
expect_eq "$OUT" "$(cat after.yaml)" "the backup holds the committed state, not the open transaction"
echo "ROLLBACK;" >&7
exec 7>&-
wait $SHELL_PID

run backup --help
expect_contains "$OUT" "An existing FILE is refused unless --force." "backup --help says so"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
