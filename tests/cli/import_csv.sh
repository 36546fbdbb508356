# import_csv.sh -- CSV award lists through `credex import` (docs/interop.md):
# awards added to what a holder has, holders created in a known
# jurisdiction, YAML and CSV in one transaction, detection by content,
# --jurisdiction, --skip-invalid with the --report lines, and the registry
# byte for byte unchanged after a refused import.
. "$SRC/tests/cli/lib.sh"
EV="$SRC/examples/ev-mechanic"
RULES="$EV/rules"

run --db ev.db import "$EV/catalog.yaml" --quiet
expect_rc 0 "the EV catalog imports"

# A CSV adds one award to Miguel (h-tx-0001) and makes a new holder.
cat > awards.csv <<'CSV'
holder,credential,issued,grade,hours,evidence,result.score,holder_jurisdiction
h-tx-0001,CA-EVD-202,2026-05-02,A,,"Rio Hondo, transcript ""RH-7""",91,
h-csv-1,TX-EVS-101,2026-01-10,,12.5,,,US-TX
CSV
run --db ev.db import awards.csv
expect_rc 0 "a CSV award list imports"
expect_eq "$OUT" "imported 1 file (csv 1) into ev.db: 2 holders, 2 awards (content version 2)" \
    "the summary names the format"
run --db ev.db show holder h-tx-0001 --format json
expect_contains "$OUT" '"attributes":{"experience_years":"14","relocating_to":"US-CA"}' \
    "a CSV holder keeps its attributes"
expect_contains "$OUT" '{"id":"h-tx-0001/CA-EVD-202/2026-05-02","credential":"CA-EVD-202","issued":"2026-05-02"' \
    "the CSV award is added, its id the default one"
expect_contains "$OUT" '"grade":"A","evidence":"Rio Hondo, transcript \"RH-7\"","results":{"score":91}' \
    "quoted fields with commas and doubled quotes"
expect_contains "$OUT" '"h-tx-0001/CA-EV-ORIENT/2026-03-06"' "the YAML awards are still there"
run --db ev.db show holder h-tx-0001
expect_contains "$OUT" "awards (8)" "seven awards from YAML and one from CSV"
run --db ev.db show holder h-csv-1 --format json
expect_eq "$OUT" '{"kind":"holder","id":"h-csv-1","jurisdiction":"US-TX","attributes":{},"awards":[{"id":"h-csv-1/TX-EVS-101/2026-01-10","credential":"TX-EVS-101","issued":"2026-01-10","jurisdiction":"US-TX","hours":12.5,"status":"active"}]}' \
    "a holder created from its holder_jurisdiction"
run --db ev.db audit --holder h-tx-0001 --rules "$RULES" --as-of 2026-06-01
expect_contains "$OUT" "audit CA-EV-TECH for h-tx-0001: met" "the CSV award completes the certificate"
expect_contains "$OUT" "used: h-tx-0001/CA-EVD-202/2026-05-02 (CA-EVD-202) for CA-EVD-202" \
    "the audit uses the CSV award"

# Importing the same list again changes nothing but the content version.
run --db ev.db import awards.csv --format json
expect_eq "$OUT" '{"kind":"import_summary","registry":"ev.db","files":["awards.csv"],"defined":{"jurisdictions":0,"groups":0,"providers":0,"frameworks":0,"competencies":0,"credentials":0,"holders":2,"awards":2},"exceptions":0,"formats":{"csv":1},"content_version":3}' \
    "the JSON summary names the formats"
run --db ev.db show holder h-tx-0001
expect_contains "$OUT" "awards (8)" "a re-import does not add the award twice"

# Refused imports leave the registry byte for byte as it was.
cp ev.db before.db
refused() { # FILE WHAT: FILE is refused with exit 3; the registry is unchanged
    expect_rc 3 "$2: exit code"
    if cmp -s ev.db before.db && [ ! -s ev.db-wal ]; then pass; else fail "$2: registry changed"; fi
}
printf 'holder,credential,issued\nh-new,TX-EVS-101,2026-01-10\n' > nojur.csv
run --db ev.db import nojur.csv
refused nojur.csv "a new holder without a jurisdiction"
expect_eq "$ERR" "credex: nojur.csv:2: column 'holder': unknown holder 'h-new'; give its jurisdiction (a holder_jurisdiction column, or --jurisdiction J) to create it" \
    "the unknown holder, located"
run --db ev.db import nojur.csv --jurisdiction US-ZZ
refused nojur.csv "--jurisdiction that does not exist"
expect_contains "$ERR" "unknown jurisdiction 'US-ZZ' given with --jurisdiction" "--jurisdiction is checked"
printf 'holder,credential,issued\nh-tx-0001,TX-EVS-101,2026-01-10\nh-tx-0001,TX-EVS-101,2026-01-10\n' > twice.csv
run --db ev.db import twice.csv
refused twice.csv "one award in two rows"
expect_eq "$ERR" "credex: twice.csv:3: award 'h-tx-0001/TX-EVS-101/2026-01-10' is defined twice in this import (first at twice.csv:2)" \
    "two rows for one award"
printf 'holder,credential,issued\nh-tx-0001,TX-EVS-101,2026-01-10\n' > good.csv
run --db ev.db import good.csv "$SRC/tests/catalog/bad/dangling-ref.yaml"
refused good.csv "a good CSV with a bad YAML file"

# --jurisdiction creates the holders the registry lacks.
run --db ev.db import nojur.csv --jurisdiction US-CA
expect_rc 0 "--jurisdiction US-CA"
run --db ev.db show holder h-new --format json
expect_contains "$OUT" '"id":"h-new","jurisdiction":"US-CA"' "the new holder is in US-CA"

# YAML and CSV in one transaction: the CSV's awards go to a holder and a
# credential the YAML file defines; a YAML holder's list is replaced first.
cat > more.yaml <<'YAML'
version: 1
credentials:
  - { id: CSV-TEST-1, name: A test credential, type: certificate, jurisdiction: US-TX }
holders:
  - { id: h-yaml-1, jurisdiction: US-TX, awards: [{ credential: CSV-TEST-1, issued: 2026-02-01 }] }
YAML
printf 'holder,credential,issued\nh-yaml-1,CSV-TEST-1,2026-03-01\n' > more.csv
run --db ev.db import more.csv more.yaml
expect_rc 0 "YAML and CSV in one import"
expect_contains "$OUT" "imported 2 files (csv 1, yaml 1) into ev.db: 1 credential, 2 holders, 2 awards" \
    "the mixed summary"
run --db ev.db show holder h-yaml-1
expect_contains "$OUT" "awards (2)" "the YAML award and the CSV award"

# Detection by content, not by the file's name.
printf 'holder,credential,issued\nh-tx-0002,TX-EVS-101,2026-04-01\n' > list.json
run --db ev.db import list.json
expect_eq "$OUT" "imported 1 file (csv 1) into ev.db: 1 holder, 1 award (content version 6)" \
    "a .json file with CSV content is read as CSV"
printf 'version: 1\njurisdictions:\n  - { id: US-NV, name: Nevada }\n' > cat.csv
run --db ev.db import cat.csv
expect_eq "$OUT" "imported 1 file into ev.db: 1 jurisdiction (content version 7)" \
    "a .csv file with YAML content is read as YAML, and its summary is the YAML one"
printf '{"@context": "https://www.w3.org/ns/credentials/v2"}\n' > badge.yaml
run --db ev.db import badge.yaml
expect_rc 3 "a JSON file is refused until its mapper comes"
expect_contains "$ERR" "credex: badge.yaml: a JSON document credex cannot map" "JSON detected by content"

# --skip-invalid: the bad rows are left out and reported, the rest imported.
cat > mixed.csv <<'CSV'
holder,credential,issued,status
h-tx-0002,TX-EVB-201,2026-04-02,
h-tx-0002,TX-EVB-999,2026-04-03,
h-tx-0002,TX-EVB-201,2026-13-01,
h-nobody,TX-EVB-201,2026-04-04,
h-tx-0002,TX-EVD-202,2026-04-05,gone
h-tx-0002,TX-EVD-202,2026-04-06,revoked
CSV
cp ev.db before.db
run --db ev.db import mixed.csv
refused mixed.csv "without --skip-invalid, one bad row fails the import"
run --db ev.db import mixed.csv --skip-invalid --report report.jsonl
expect_rc 0 "--skip-invalid imports the rest"
expect_eq "$OUT" "imported 1 file (csv 1) into ev.db: 1 holder, 2 awards; 4 left out (report.jsonl) (content version 8)" \
    "the summary counts what was left out"
expect_eq "$(cat report.jsonl)" '{"file":"mixed.csv","pointer":null,"line":4,"key":"issued","why":"invalid date '"'"'2026-13-01'"'"' for '"'"'issued'"'"': month must be 01 to 12"}
{"file":"mixed.csv","pointer":null,"line":6,"key":"status","why":"invalid status '"'"'gone'"'"'; expected one of: active, revoked, suspended"}
{"file":"mixed.csv","pointer":null,"line":3,"key":"credential","why":"unknown credential '"'"'TX-EVB-999'"'"'; did you mean '"'"'TX-EVB-201'"'"'?"}
{"file":"mixed.csv","pointer":null,"line":5,"key":"holder","why":"unknown holder '"'"'h-nobody'"'"'; give its jurisdiction (a holder_jurisdiction column, or --jurisdiction J) to create it"}' \
    "the report: one JSON line per row left out, in the order found (values, then references)"
run --db ev.db show holder h-tx-0002 --format json
expect_contains "$OUT" '"id":"h-tx-0002/TX-EVB-201/2026-04-02"' "a good row is imported"
expect_contains "$OUT" '"id":"h-tx-0002/TX-EVD-202/2026-04-06","credential":"TX-EVD-202","issued":"2026-04-06","jurisdiction":"US-TX","hours":48,"status":"revoked"' \
    "the status column"
expect_not_contains "$OUT" "TX-EVB-999" "a bad row is not"
run --db ev.db show holder h-nobody
expect_rc 2 "a holder whose rows were all left out is not created"
run --db ev.db import mixed.csv --skip-invalid --format json
expect_contains "$OUT" '"formats":{"csv":1},"skipped":4,"content_version":9}' "JSON: skipped"

# A holder_jurisdiction that differs from the holder's first is reported, not applied.
printf 'holder,credential,issued,holder_jurisdiction\nh-two,TX-EVS-101,2026-01-01,US-TX\nh-two,TX-EVB-201,2026-01-02,US-CA\n' > two.csv
run --db ev.db import two.csv --report two.jsonl
expect_rc 0 "a second jurisdiction for one holder is not an error"
expect_eq "$(cat two.jsonl)" '{"file":"two.csv","pointer":null,"line":3,"key":"holder_jurisdiction","why":"holder '"'"'h-two'"'"' is given jurisdiction '"'"'US-TX'"'"' on line 2; '"'"'US-CA'"'"' is ignored"}' \
    "the differing value goes to the report"
run --db ev.db show holder h-two --format json
expect_contains "$OUT" '"id":"h-two","jurisdiction":"US-TX"' "the first jurisdiction is kept"
expect_contains "$OUT" '"h-two/TX-EVB-201/2026-01-02"' "the row's award is imported"

# The import options belong to import, and the report needs a writable file.
run --db ev.db import good.csv --report no-such-dir/r.jsonl
expect_rc 3 "an unwritable report"
expect_contains "$ERR" "no-such-dir/r.jsonl: cannot write the report" "the report file is named"
run --db ev.db show holder h-tx-0001 --skip-invalid
expect_rc 2 "--skip-invalid on show"
finish
