# serve_options.sh -- `credex serve --no-cache` and `--pack-trust FILE` read
# anew at every reload, over a real socket on 127.0.0.1 (a free port),
# asserted by serve_options.py (Python's standard library only), which
# prints its own counts.
. "$SRC/tests/cli/lib.sh"
python3 "$SRC/tests/serve/serve_options.py" "$CREDEX" "$SRC" "$WORK" >"$WORK/serve.out" 2>&1
RC=$?
ERR=$(tail -3 "$WORK/serve.out")
cat "$WORK/serve.out"
expect_rc 0 "serve_options.py"
expect_contains "$(tail -1 "$WORK/serve.out")" " passed, 0 failed" "serve_options.py's count"
finish
