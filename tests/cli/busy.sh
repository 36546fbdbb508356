# busy.sh -- writers that wait (docs/security.md, "Busy registries"): with
# another process holding the registry's write lock, an import gives up
# after --busy-timeout and exits 4 naming the holder ("credex --log (pid N)"
# from the lock-info record, else "another process"); a decision made with
# --log is still printed, the log failure reported, exit 4. Two processes:
# a sqlite3 shell in a transaction, and `credex audit --all --log` whose
# output blocks on a FIFO nobody reads. No clock is asserted: --busy-timeout 1.
. "$SRC/tests/cli/lib.sh"
EV="$SRC/examples/ev-mechanic"
export CREDEX_DB="$WORK/ev.db"
run import "$EV/catalog.yaml"
expect_rc 0 "import"

# Many holders, so that `audit --all` writes far more than a pipe holds.
{
    echo "version: 1"
    echo "holders:"
    i=0
    while [ $i -lt 3000 ]; do
        printf '  - { id: h-many-%04d, jurisdiction: US-CA, awards: [{ credential: CA-EVS-101, issued: 2025-09-01 }] }\n' $i
        i=$((i + 1))
    done
} >many.yaml
run import many.yaml
expect_rc 0 "import of 3000 holders"

# --- a sqlite3 shell holds the lock: "another process" ------------------
mkfifo shell.in
sqlite3 ev.db <shell.in >shell.out 2>&1 &
SHELL_PID=$!
exec 7>shell.in
echo "BEGIN IMMEDIATE; UPDATE meta SET value = value WHERE key = 'content_version';" >&7
echo "SELECT 'locked';" >&7
tries=0 # until the shell says it holds the lock
while ! grep -q locked shell.out && [ $tries -lt 400 ]; do
    tries=$((tries + 1))
    sleep 0.05
done
run import "$EV/catalog.yaml" --busy-timeout 1
expect_rc 4 "import while sqlite3 writes: exit 4"
expect_contains "$ERR" "ev.db: cannot write the registry: it is locked by another writer, held by another process; gave up after waiting 1 s (--busy-timeout SECONDS waits longer)" \
    "the busy message names no credex holder"
run equiv TX-EVS-101 CA-EVS-101 --in US-CA --as-of 2026-06-01 --rules "$EV/rules" --log \
    --busy-timeout 1
expect_rc 4 "equiv --log while locked: exit 4"
expect_eq "$(echo "$OUT" | sed -n 1p)" "equiv TX-EVS-101 -> CA-EVS-101 in US-CA: equivalent" \
    "equiv --log still prints its decision"
expect_contains "$ERR" "locked by another writer" "equiv --log reports the log failure"
run transfer TX-EVS-101 --from US-TX --to US-CA --as-of 2025-08-01 --rules "$EV/rules" --log \
    --busy-timeout 1 --format json
expect_rc 4 "transfer --log while locked: exit 4"
expect_contains "$OUT" '"status":"conditional"' "transfer --log still prints its decision"
run audit --holder h-tx-0001 --stack CA-EV-TECH --as-of 2026-06-01 --rules "$EV/rules" --log \
    --busy-timeout 1
expect_rc 4 "audit --log while locked: exit 4"
expect_contains "$OUT" "CA-EV-TECH" "audit --log still prints its decision"
run audit --all --stack CA-EV-TECH --as-of 2026-06-01 --rules "$EV/rules" --log \
    --busy-timeout 1 --format csv
expect_rc 4 "audit --all --log while locked: exit 4"
expect_eq "$(echo "$OUT" | grep -c '^h-')" 3008 "audit --all --log still writes every decision"
echo "ROLLBACK;" >&7
exec 7>&-
wait $SHELL_PID
run log
expect_eq "$(echo "$OUT" | tail -n 1)" \
    "no decisions logged (equiv, transfer and audit record them with --log)" \
    "nothing was logged while the registry was locked"

# --- credex holds the lock: named, with its pid --------------------------
mkfifo audit.out
exec 8<>audit.out # opened both ways: the writer never blocks on open
"$CREDEX" audit --all --as-of 2026-06-01 --rules "$EV/rules" --log --explain >audit.out \
    2>audit.err &
AUDIT_PID=$!
tries=0
while [ ! -f ev.db-writer ] && [ $tries -lt 400 ]; do
    tries=$((tries + 1))
    sleep 0.05
done
expect_eq "$(cat ev.db-writer)" "$AUDIT_PID --log" "the lock-info record: pid and operation"
run import "$EV/catalog.yaml" --busy-timeout 1
expect_rc 4 "import while credex logs: exit 4"
expect_contains "$ERR" "held by credex --log (pid $AUDIT_PID)" "the busy message names the holder"
exec 9<audit.out
exec 8>&-
cat <&9 >/dev/null
exec 9<&-
wait $AUDIT_PID
expect_eq "$?" 0 "the logging audit finishes once its output is read"
expect_eq "$([ -e ev.db-writer ] && echo present || echo removed)" removed \
    "the lock-info record is removed when the write ends"
run import "$EV/catalog.yaml" --busy-timeout 1
expect_rc 0 "import once the lock is free"

# --- a record left by a writer that died names no one ---------------------
echo "999999999 import" >ev.db-writer
run import "$EV/catalog.yaml"
expect_rc 0 "a stale record does not stop a writer"
expect_eq "$([ -e ev.db-writer ] && echo present || echo removed)" removed \
    "the next writer replaces a stale record, then removes it"

# --- usage ---------------------------------------------------------------
run import "$EV/catalog.yaml" --busy-timeout soon
expect_rc 2 "--busy-timeout takes seconds"
expect_contains "$ERR" "--busy-timeout takes seconds from 0 to 86400, not 'soon'" \
    "the usage error names the value"
run import --help
expect_contains "$OUT" "--busy-timeout SECONDS  how long to wait while another process writes the" \
    "import --help documents --busy-timeout"
expect_contains "$OUT" "registry (default 60)" "the default is documented"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
