# stream_import.sh -- the streaming import (issue 16): a YAML catalog's
# holders are checked one by one while the file is read, and freed. Errors
# in the second and the last holder, an alias across holders, a holder
# list over --max-list-items and a bad byte 43 MB into a file are located
# as before and leave the registry unchanged; a streamed catalog reads
# back with every value it gave.
. "$SRC/tests/cli/lib.sh"

import_defs reg.db
cp reg.db before.db

# refused FILE EXPECTED WHAT: the import fails with exit 3 at EXPECTED and
# changes nothing.
refused() {
    run --db reg.db import "$1"
    expect_rc 3 "$3: exit code"
    expect_eq "$ERR" "credex: $1:$2" "$3: located message"
    if cmp -s reg.db before.db && [ ! -s reg.db-wal ]; then pass; else fail "$3: registry changed"; fi
}

cat > second.yaml <<'YAML'
holders:
  - { id: h1, awards: [{ credential: c1, issued: 2024-01-02 }] }
  - { id: h2, awards: [{ credential: c1, issued: 2024-02-30 }] }
  - { id: h3 }
YAML
refused second.yaml "3:50: invalid date '2024-02-30' for 'issued': no such day in that month" \
    "error in the second holder"

cat > last.yaml <<'YAML'
holders:
  - { id: h1 }
  - { id: h2 }
  - id: h3
    awards:
      - { credential: c9, issued: 2024-01-01 }
YAML
refused last.yaml "6:23: unknown credential 'c9'; did you mean 'c1'?" "error in the last holder"

cat > alias.yaml <<'YAML'
holders:
  - { id: h1, attributes: &a { region: north } }
  - { id: h2 }
  - { id: h3, attributes: *a }
YAML
refused alias.yaml "2:27: YAML anchors and aliases are not supported (anchor &a); write the value out in full" \
    "an anchor in the first holder, its alias in the third"
sed -i 's/&a //' alias.yaml
refused alias.yaml "4:27: YAML anchors and aliases are not supported (alias *a); write the value out in full" \
    "an alias in the third holder"

# a holder list over the cap: located at the first holder too many
printf 'holders:\n  - { id: h1 }\n  - { id: h2 }\n  - { id: h3 }\n' > three.yaml
run --db reg.db import three.yaml --max-list-items 2
expect_rc 3 "--max-list-items 2: exit code"
expect_eq "$ERR" "credex: three.yaml:4:5: more than 2 items in one list (it starts at line 2, column 3); --max-list-items raises it" \
    "--max-list-items 2: located at the third holder"
if cmp -s reg.db before.db; then pass; else fail "--max-list-items 2: registry changed"; fi

# a bad byte 43 MB into a file: the pages the reader has passed are
# dropped from memory, and the error is still located by line and column
awk 'BEGIN { print "holders:"; for (i = 1; i <= 600000; i++)
    printf "  - { id: h%07d, awards: [{ credential: c1, issued: 2024-01-02 }] }\n", i }' > big.yaml
printf '  - { id: x\377 }\n' >> big.yaml
refused big.yaml "600002:12: invalid UTF-8 byte 0xff; expected printable UTF-8 text" "a bad byte after 43 MB"
rm -f big.yaml

# every value of a streamed holder reads back
cat > values.yaml <<'YAML'
holders:
  - id: h1
    jurisdiction: US-NV
    attributes: { region: north, badge_no: "007" }
    awards:
      - { credential: c1, issued: 2024-01-02, grade: B, hours: 12.5 }
      - { credential: c1, issued: 2024-01-02, results: { score: 91.5 } }
  - id: h2
    awards:
      - credential: c1
        issued: 2023-05-06
        expires: 2026-05-06
        status: suspended
        evidence: https://example.org/e/2
YAML
run --db reg.db import values.yaml
expect_rc 0 "values import"
expect_contains "$OUT" "2 holders, 3 awards" "values import: counts"
run --db reg.db show holder h1 --format json
expect_contains "$OUT" '"jurisdiction":"US-NV"' "h1: jurisdiction"
expect_contains "$OUT" '"badge_no":"007"' "h1: attribute kept as text"
expect_contains "$OUT" '"region":"north"' "h1: attribute"
expect_contains "$OUT" '"id":"h1/c1/2024-01-02#2"' "h1: the repeat gets #2"
expect_contains "$OUT" '"score":91.5' "h1: result"
expect_contains "$OUT" '"grade":"B"' "h1: grade"
run --db reg.db show holder h2 --format json
expect_contains "$OUT" '"status":"suspended"' "h2: status"
expect_contains "$OUT" '"expires":"2026-05-06"' "h2: expires"
expect_contains "$OUT" '"evidence":"https://example.org/e/2"' "h2: evidence"

finish
