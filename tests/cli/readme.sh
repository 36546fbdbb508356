# readme.sh -- runs every example in README.md and in the examples'
# READMEs exactly as written: each "$ credex ..." line in a ```console
# block is run from the repository root (with /tmp/ev.db replaced by a
# private registry, and every other /tmp/ev-NAME by a private file), and its output, stdout and stderr together, must be
# the lines that follow it in the block. Another "$ ..." line (curl) runs
# as written. "$ credex serve ... &" starts the server in the background on
# a free port (its expected output: its first line; 127.0.0.1:8787 in the
# lines after it stands for that port), and "$ kill %1" stops it.
. "$SRC/tests/cli/lib.sh"
SERVE_PID=""
SERVE_PORT=""

# serve_start CMD: starts CMD (without its "&") on a free port and sets
# actual to its first line, with the port written 8787.
serve_start() {
    local tries=0
    (cd "$SRC" && eval "exec $1 --listen 127.0.0.1:0" 2>"$WORK/serve.err") &
    SERVE_PID=$!
    while ! grep -q "listening on" "$WORK/serve.err" 2>/dev/null && [ $tries -lt 400 ]; do
        tries=$((tries + 1))
        sleep 0.05
    done
    SERVE_PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$WORK/serve.err")
    actual=$(head -n 1 "$WORK/serve.err")
    actual=${actual//127.0.0.1:$SERVE_PORT/127.0.0.1:8787}
}

# check_doc FILE: runs the console examples of FILE in order.
check_doc() {
    local doc=$1 in_block=0 cmd="" expected="" line
    local db="$WORK/$(basename "$(dirname "$doc")").db"
    rm -f "$db"
    flush() {
        [ -n "$cmd" ] || return 0
        local actual run=${cmd//\/tmp\/ev.db/$db}
        run=${run//\/tmp\/ev-/$WORK\/ev-}
        if [[ $cmd == '"$CREDEX" serve '*' &' ]]; then
            serve_start "${run% &}"
        elif [ "$cmd" = 'kill %1' ]; then
            actual=$(kill -TERM "$SERVE_PID" 2>&1 && wait "$SERVE_PID" 2>&1)
            SERVE_PID=""
        else
            [ -n "$SERVE_PORT" ] && run=${run//127.0.0.1:8787/127.0.0.1:$SERVE_PORT}
            actual=$(cd "$SRC" && eval "$run" 2>&1)
        fi
        actual=${actual//$db//tmp/ev.db}
        actual=${actual//$WORK\/ev-//tmp/ev-}
        expect_eq "$actual" "${expected%$'\n'}" "$doc: \$ $cmd"
        cmd=""
        expected=""
    }
    while IFS= read -r line; do
        if [ $in_block -eq 0 ]; then
            [ "$line" = '```console' ] && in_block=1
            continue
        fi
        if [ "$line" = '```' ]; then
            flush
            in_block=0
        elif [ "${line:0:2}" = '$ ' ]; then
            flush
            cmd="${line:2}"
            [ "${cmd%% *}" = credex ] && cmd="\"\$CREDEX\"${cmd#credex}"
        else
            expected+="$line"$'\n'
        fi
    done <"$doc"
}

check_doc "$SRC/README.md"
for doc in "$SRC"/examples/*/README.md; do
    [ -f "$doc" ] && check_doc "$doc"
done
[ -z "$SERVE_PID" ] || { kill -TERM "$SERVE_PID"; fail "a server left running by the README"; }
[ "$PASSED" -ge 6 ] || fail "expected at least 6 README examples, ran $PASSED"
finish
