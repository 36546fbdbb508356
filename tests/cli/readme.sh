# readme.sh -- runs every example in README.md and in the examples'
# READMEs exactly as written: each "$ credex ..." line in a ```console
# block is run from the repository root (with /tmp/ev.db replaced by a
# private registry), and its output, stdout and stderr together, must be
# the lines that follow it in the block.
. "$SRC/tests/cli/lib.sh"

# check_doc FILE: runs the console examples of FILE in order.
check_doc() {
    local doc=$1 in_block=0 cmd="" expected="" line
    local db="$WORK/$(basename "$(dirname "$doc")").db"
    rm -f "$db"
    flush() {
        [ -n "$cmd" ] || return 0
        local actual
        actual=$(cd "$SRC" && eval "${cmd//\/tmp\/ev.db/$db}" 2>&1)
        actual=${actual//$db//tmp/ev.db}
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
            cmd="\"\$CREDEX\"${cmd#credex}"
        else
            expected+="$line"$'\n'
        fi
    done <"$doc"
}

check_doc "$SRC/README.md"
for doc in "$SRC"/examples/*/README.md; do
    [ -f "$doc" ] && check_doc "$doc"
done
[ "$PASSED" -ge 6 ] || fail "expected at least 6 README examples, ran $PASSED"
finish
