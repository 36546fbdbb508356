# import_csv_bulk.sh -- CSV award lists on the bulk path (docs/interop.md,
# docs/performance.md "Issue 12"): a list of many rows larger than the
# reader's window, read twice (checked, then written) with its counts and
# awards as a user sees them; imported again, it adds nothing; one bad row
# near its end fails it at its line, or is left out with --skip-invalid;
# a list through a pipe, which can be read only once.
. "$SRC/tests/cli/lib.sh"
EV="$SRC/examples/ev-mechanic"

run --db ev.db import "$EV/catalog.yaml" --quiet
expect_rc 0 "the EV catalog imports"

# 30,000 rows for 6,000 new holders, quoted evidence with a comma in each.
awk 'BEGIN {
    print "holder,credential,issued,hours,evidence"
    for (i = 0; i < 30000; i++)
        printf "h-bulk-%05d,%s,2026-%02d-%02d,%d,\"transcript, page %d\"\n", int(i / 5),
            (i % 2 ? "TX-EVS-101" : "TX-EVB-201"), 1 + i % 12, 1 + int(i / 2) % 28, 8 + i % 5, i
}' > bulk.csv
run --db ev.db import bulk.csv --jurisdiction US-TX
expect_rc 0 "30,000 rows import"
expect_eq "$OUT" "imported 1 file (csv 1) into ev.db: 6000 holders, 30000 awards (content version 2)" \
    "the summary counts every holder and award"
run --db ev.db show holder h-bulk-05999 --format json
expect_eq "$OUT" '{"kind":"holder","id":"h-bulk-05999","jurisdiction":"US-TX","attributes":{},"awards":[{"id":"h-bulk-05999/TX-EVS-101/2026-08-18","credential":"TX-EVS-101","issued":"2026-08-18","jurisdiction":"US-TX","hours":8,"status":"active","evidence":"transcript, page 29995"},{"id":"h-bulk-05999/TX-EVB-201/2026-09-19","credential":"TX-EVB-201","issued":"2026-09-19","jurisdiction":"US-TX","hours":9,"status":"active","evidence":"transcript, page 29996"},{"id":"h-bulk-05999/TX-EVS-101/2026-10-19","credential":"TX-EVS-101","issued":"2026-10-19","jurisdiction":"US-TX","hours":10,"status":"active","evidence":"transcript, page 29997"},{"id":"h-bulk-05999/TX-EVB-201/2026-11-20","credential":"TX-EVB-201","issued":"2026-11-20","jurisdiction":"US-TX","hours":11,"status":"active","evidence":"transcript, page 29998"},{"id":"h-bulk-05999/TX-EVS-101/2026-12-20","credential":"TX-EVS-101","issued":"2026-12-20","jurisdiction":"US-TX","hours":12,"status":"active","evidence":"transcript, page 29999"}]}' \
    "the last holder's five awards, as written in its rows"

run --db ev.db import bulk.csv
expect_eq "$OUT" "imported 1 file (csv 1) into ev.db: 6000 holders, 30000 awards (content version 3)" \
    "imported again"
run --db ev.db list holders --format csv
expect_eq "$(printf '%s\n' "$OUT" | grep -c '^h-bulk-')" "6000" "no holder twice"
run --db ev.db show holder h-bulk-00000
expect_contains "$OUT" "awards (5)" "no award twice"

# One bad date on row 29,990 (line 29,991): located; left out with --skip-invalid.
awk 'NR == 29991 { sub(/2026-[0-9][0-9]-/, "2026-13-") } { print }' bulk.csv > bad.csv
cp ev.db before.db
run --db ev.db import bad.csv
expect_rc 3 "a bad row fails the list"
expect_eq "$ERR" "credex: bad.csv:29991: column 'issued': invalid date '2026-13-15' for 'issued': month must be 01 to 12" \
    "the row's line and column"
if cmp -s ev.db before.db && [ ! -s ev.db-wal ]; then pass; else fail "the registry changed"; fi
run --db ev.db import bad.csv --skip-invalid --report report.jsonl
expect_eq "$OUT" "imported 1 file (csv 1) into ev.db: 6000 holders, 29999 awards; 1 left out (report.jsonl) (content version 4)" \
    "the rest imports"
expect_eq "$(cat report.jsonl)" '{"file":"bad.csv","pointer":null,"line":29991,"key":"issued","why":"invalid date '"'"'2026-13-15'"'"' for '"'"'issued'"'"': month must be 01 to 12"}' \
    "the row left out, reported"

# Through a pipe: read once into memory, then checked and written from there.
printf 'holder,credential,issued,holder_jurisdiction\nh-pipe-1,TX-EVS-101,2026-03-01,US-TX\n' > pipe.csv
run --db ev.db import /dev/fd/3 3< <(cat pipe.csv)
expect_eq "$OUT" "imported 1 file (csv 1) into ev.db: 1 holder, 1 award (content version 5)" \
    "a list from a pipe"
run --db ev.db show holder h-pipe-1 --format json
expect_contains "$OUT" '"awards":[{"id":"h-pipe-1/TX-EVS-101/2026-03-01","credential":"TX-EVS-101","issued":"2026-03-01"' \
    "its award"
# An issue date whose credential's valid_for (TX-EVS-101: P3Y) would take
# the expiry past 9999-12-31: refused at its row, as a catalog's award is;
# left out with --skip-invalid, the good row imported.
printf 'holder,credential,issued,holder_jurisdiction\nh-late-1,TX-EVS-101,2026-03-01,US-TX\nh-late-2,TX-EVS-101,9998-01-01,US-TX\n' > late.csv
run --db ev.db import late.csv
expect_rc 3 "an expiry past 9999-12-31 fails the list"
expect_eq "$ERR" "credex: late.csv:3: an award of 'TX-EVS-101' issued 9998-01-01 would expire past 9999-12-31 (valid_for P3Y); give it an expires date, or check the issued date" \
    "the row's line, the credential and its valid_for"
run --db ev.db import late.csv --skip-invalid
expect_eq "$OUT" "imported 1 file (csv 1) into ev.db: 1 holder, 1 award; 1 left out (--report FILE lists them) (content version 6)" \
    "the good row imports; the late one is left out, and its holder with it"
finish
