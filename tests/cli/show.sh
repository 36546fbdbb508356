# show.sh -- `credex show` of every entity of the EV example, plus a holder
# whose awards take every branch (tests/cli/formats/show-extra.yaml), text
# and JSON, byte for byte against tests/cli/golden/show-ev.txt: the text
# and the JSON are the library's (cx_*_text, cx_*_json), the expiry
# cx_award_expiry's. CREDEX_UPDATE_GOLDEN=1 rewrites the golden file.
. "$SRC/tests/cli/lib.sh"
GOLDEN="$SRC/tests/cli/golden"
run --db ev.db import "$SRC/examples/ev-mechanic/catalog.yaml" "$SRC/tests/cli/formats/show-extra.yaml" --quiet
expect_rc 0 "import the example and the extra holder"

ENTITIES="credential:ASE-A1 credential:ASE-L3 credential:AZ-EVS-110 credential:CA-EV-ORIENT
credential:CA-EV-TECH credential:CA-EVB-201 credential:CA-EVC-203 credential:CA-EVD-202
credential:CA-EVS-101 credential:NV-EVD-2 credential:NV-EVS-1 credential:TX-EVB-201
credential:TX-EVD-202 credential:TX-EVS-101 credential:TX-EVS-R holder:h-az-0001
holder:h-ca-0001 holder:h-ca-0002 holder:h-ca-0003 holder:h-ct-0001 holder:h-nv-0001
holder:h-tx-0001 holder:h-tx-0002 holder:h-show-1 group:EVC group:WEST-EV"
: >show-ev.txt
for e in $ENTITIES; do
    for format in text json; do
        printf '== show %s %s --format %s\n' "${e%%:*}" "${e#*:}" "$format" >>show-ev.txt
        "$CREDEX" --db ev.db show "${e%%:*}" "${e#*:}" --format "$format" >>show-ev.txt 2>&1 ||
            fail "show ${e%%:*} ${e#*:} --format $format: exit $?"
    done
done
expect_golden show-ev.txt show-ev.txt
run --db ev.db show holder h-show-1
expect_contains "$OUT" "2024-02-29  TX-EVS-101     revoked   US-TX     7.25  2027-02-28  id custom-award-1" "an expiry computed from valid_for, clamped to the month's end"
expect_contains "$OUT" "2025-01-31  NV-EVS-1       active    US-NV       32  2025-12-31" "a stored expiry as stored"
finish
