# serve.sh -- `credex serve` over a real socket on 127.0.0.1 (a free port):
# every endpoint, error, token rule, reload and drain, asserted by
# serve.py (Python's standard library only), which prints its own counts.
. "$SRC/tests/cli/lib.sh"
python3 "$SRC/tests/cli/serve.py" "$CREDEX" "$SRC" "$WORK" > "$WORK/serve.out" 2>&1
RC=$?
ERR=$(tail -3 "$WORK/serve.out")
cat "$WORK/serve.out"
expect_rc 0 "serve.py"
expect_contains "$(tail -1 "$WORK/serve.out")" " passed, 0 failed" "serve.py's count"
finish
