#!/bin/bash
# browser.sh -- the web pages in headless Chromium against a real `credex
# serve` (tests/serve/browser.py: the transfer checker, a holder's audit and
# the what-if page driven through the DOM and compared with the CLI, every
# field labelled, no sideways scroll at 360 px, screenshots into
# $CREDEX_BUILD/artifacts/browser/). Installs Debian's chromium when it is
# missing and this runs as root; when it cannot, says so loudly and exits
# 77, which ctest counts as skipped (SKIP_RETURN_CODE), never as passed.
. "$SRC/tests/cli/lib.sh"
SKIP=77

find_chromium() {
    command -v chromium || command -v chromium-browser
}

CHROMIUM=$(find_chromium)
if [ -z "$CHROMIUM" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "browser.sh: chromium is missing: apt-get install chromium" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium \
        >"$WORK/apt.log" 2>&1 ||
        { DEBIAN_FRONTEND=noninteractive apt-get update -qq >>"$WORK/apt.log" 2>&1 &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium \
                >>"$WORK/apt.log" 2>&1; }
    CHROMIUM=$(find_chromium)
fi
if [ -z "$CHROMIUM" ]; then
    echo "************************************************************************" >&2
    echo "browser.sh: SKIPPED: no chromium, and it could not be installed" >&2
    echo "  (as root: apt-get install chromium). The pages were NOT tested in a browser." >&2
    echo "************************************************************************" >&2
    exit $SKIP
fi

ARTIFACTS="${CREDEX_BUILD:-$WORK}/artifacts/browser"
rm -rf "$ARTIFACTS"
python3 "$SRC/tests/serve/browser.py" "$CREDEX" "$SRC" "$WORK" "$ARTIFACTS" "$CHROMIUM" \
    >"$WORK/browser.out" 2>&1
RC=$?
cat "$WORK/browser.out"
ERR=$(tail -3 "$WORK/browser.out")
expect_rc 0 "browser.py"
expect_contains "$(tail -1 "$WORK/browser.out")" " passed, 0 failed" "browser.py's count"
for shot in transfer audit whatif phone-index phone-transfer phone-audit phone-whatif; do
    [ -s "$ARTIFACTS/$shot.png" ] && pass || fail "no screenshot $ARTIFACTS/$shot.png"
done
finish
