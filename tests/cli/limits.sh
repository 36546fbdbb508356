# limits.sh -- bounded inputs (docs/security.md, "Input limits"): a file
# over the size cap (regular, a device, a pipe), a scalar over the scalar
# cap and a list over the list cap are each refused with exit 3 and a
# located message, on import, test and whatif, and the registry is left
# as it was. The options that raise the caps, and their values.
. "$SRC/tests/cli/lib.sh"

run --db reg.db import "$SRC/tests/catalog/base.yaml"
expect_rc 0 "base catalog imports"
cp reg.db before.db
unchanged() {
    if cmp -s reg.db before.db && [ ! -s reg.db-wal ]; then pass; else fail "$1: registry changed"; fi
}

# /dev/zero has no size to check first: it is read up to the cap, no further.
run --db reg.db import /dev/zero --max-input-bytes 1M
expect_rc 3 "import /dev/zero: exit code"
expect_eq "$ERR" "credex: /dev/zero: larger than the 1 MiB input limit; --max-input-bytes raises it" \
    "import /dev/zero: the message"
unchanged "import /dev/zero"
run test /dev/zero --max-input-bytes 64K
expect_rc 3 "test /dev/zero: exit code"
expect_contains "$OUT" "/dev/zero: larger than the 64 KiB input limit; --max-input-bytes raises it" \
    "test /dev/zero: the message"
expect_contains "$OUT" "0 passed, 1 failed" "test /dev/zero: counted as a failed file"

# the files an import names besides its inputs: a CTDL id map
run --db reg.db import "$SRC/tests/fixtures/interop/ctdl/cr-competency-frameworks.json" \
    --id-map /dev/zero --max-input-bytes 1M
expect_rc 3 "an --id-map of /dev/zero: exit code"
expect_eq "$ERR" "credex: /dev/zero: larger than the 1 MiB input limit; --max-input-bytes raises it" \
    "an --id-map of /dev/zero: the message"
unchanged "an --id-map of /dev/zero"
# a rule pack: check stops at the sandbox's memory limit (64 MiB)
run --db reg.db check /dev/zero
expect_rc 3 "check /dev/zero: exit code"
expect_contains "$ERR" "/dev/zero: error: the pack is larger than the memory limit" "check /dev/zero: the message"

# a pipe: the same cap
yes 'x: y' | "$CREDEX" --db reg.db import /dev/stdin --max-input-bytes 100K >/dev/null 2>err.txt
expect_eq "$?" 3 "import from a pipe: exit code"
expect_eq "$(cat err.txt)" \
    "credex: /dev/stdin: larger than the 100 KiB input limit; --max-input-bytes raises it" \
    "import from a pipe: the message"
unchanged "import from a pipe"

# a regular file is measured before it is read: a sparse 1 GiB + 1 file
# is refused under the default cap without reading a byte of it
truncate -s 1073741825 sparse.yaml
run --db reg.db import sparse.yaml
expect_rc 3 "a file over the default cap: exit code"
expect_eq "$ERR" "credex: sparse.yaml: larger than the 1 GiB input limit; --max-input-bytes raises it" \
    "a file over the default cap: the message"
unchanged "a file over the default cap"
# exactly at the cap is allowed
printf 'version: 1\n' > small.yaml
run --db reg.db import small.yaml --max-input-bytes 11 --quiet
expect_rc 0 "a file of exactly the cap imports"
cp reg.db before.db
run --db reg.db import small.yaml --max-input-bytes 10
expect_rc 3 "a file one byte over the cap"
expect_contains "$ERR" "small.yaml: larger than the 10 bytes input limit" "the cap in bytes"
unchanged "one byte over"

# a 100 MB name: refused by the default scalar cap (1 MiB), at the value
{ printf 'jurisdictions:\n  - { id: US-NV, name: '; head -c 100000000 /dev/zero | tr '\0' x; printf ' }\n'; } > big-name.yaml
run --db reg.db import big-name.yaml
expect_rc 3 "a 100 MB name: exit code"
expect_eq "$ERR" "credex: big-name.yaml:2:24: a value of 100000000 bytes, longer than the 1 MiB scalar limit; --max-scalar-bytes raises it" \
    "a 100 MB name: located at the value"
unchanged "a 100 MB name"
rm -f big-name.yaml
# a lower cap through the option, and a value at the cap passes
printf 'jurisdictions:\n  - { id: US-NV, name: Nevada-State-X }\n' > nv.yaml
run --db reg.db import nv.yaml --max-scalar-bytes 13
expect_rc 3 "--max-scalar-bytes 13: exit code"
expect_eq "$ERR" "credex: nv.yaml:2:24: a value of 14 bytes, longer than the 13 bytes scalar limit; --max-scalar-bytes raises it" \
    "--max-scalar-bytes 13: the name is refused (the 13-byte key is not)"
unchanged "--max-scalar-bytes 13"

# a list over the list cap, at its first item too many; a map's keys count too
printf 'jurisdictions:\n  - { id: US-NV, name: Nevada }\n  - { id: US-AZ, name: Arizona }\n  - { id: US-UT, name: Utah }\n' > three.yaml
run --db reg.db import three.yaml --max-list-items 2
expect_rc 3 "--max-list-items 2: exit code"
expect_eq "$ERR" "credex: three.yaml:4:5: more than 2 items in one list (it starts at line 2, column 3); --max-list-items raises it" \
    "--max-list-items 2: located at the third item"
unchanged "--max-list-items 2"
run --db reg.db import three.yaml --max-list-items 3 --quiet
expect_rc 0 "--max-list-items 3: three items import"
cp reg.db before.db

# JSON: the same caps, at the JSON Pointer
printf '{"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": [1, 2, 3]}\n' > list.json
run --db reg.db import list.json --max-list-items 2
expect_rc 3 "JSON array over the cap: exit code"
expect_eq "$ERR" "credex: list.json: /@graph: an array of 3 items, more than the limit of 2; --max-list-items raises it" \
    "JSON array over the cap: at its pointer"
printf '{"@context": "https://credreg.net/ctdl/schema/context/json", "name": "0123456789"}\n' > long.json
run --db reg.db import long.json --max-scalar-bytes 8
expect_rc 3 "JSON string over the cap: exit code"
expect_contains "$ERR" "long.json: /@context: a string of 44 bytes, longer than the 8 bytes scalar limit" \
    "JSON string over the cap: at its pointer"
unchanged "JSON over the caps"

# a rule-test file over the caps: an input error of its own (exit 3)
mkdir t
cat > t/cap.test.yaml <<'YAML'
as_of: 2026-06-01
tests:
  - name: a name longer than the cap
    expect: { check: { status: ok } }
YAML
run test t/cap.test.yaml --max-scalar-bytes 20
expect_rc 3 "test: a scalar over the cap"
expect_contains "$OUT" "t/cap.test.yaml:3:11: a value of 26 bytes, longer than the 20 bytes scalar limit" \
    "test: the scalar cap, located"
run test t/cap.test.yaml --max-list-items 1 --format json
expect_rc 3 "test: a map over the list cap"
expect_contains "$OUT" "more than 1 keys in one mapping" "test: the list cap counts a map's keys"

# whatif: the change file under the caps
printf 'credentials:\n  - { id: X-1, name: Twelve-bytes, type: certificate, jurisdiction: US-TX }\n' > change.yaml
mkdir rules
run --db reg.db whatif change.yaml --rules rules --max-input-bytes 20
expect_rc 3 "whatif: a change file over the cap"
expect_eq "$ERR" "credex: change.yaml: larger than the 20 bytes input limit; --max-input-bytes raises it" \
    "whatif: the change file's size"
run --db reg.db whatif change.yaml --rules rules --max-scalar-bytes 11
expect_rc 3 "whatif: a scalar over the cap"
expect_contains "$ERR" "change.yaml:2:22: a value of 12 bytes, longer than the 11 bytes scalar limit" \
    "whatif: the scalar cap, located"

# the options' values: K, M, G for bytes; a positive whole number
run --db reg.db import small.yaml --max-input-bytes 1G --quiet
expect_rc 0 "--max-input-bytes 1G"
for bad in 0 -1 1T 1.5M x ""; do
    run --db reg.db import small.yaml --max-input-bytes "$bad"
    expect_rc 2 "--max-input-bytes '$bad' is a usage error"
    expect_contains "$ERR" "--max-input-bytes takes a positive number of bytes (K, M or G after it: 64K, 1G), not '$bad'" \
        "--max-input-bytes '$bad': the message"
done
run --db reg.db import small.yaml --max-list-items 10K
expect_rc 2 "--max-list-items takes no suffix"
expect_contains "$ERR" "--max-list-items takes a positive number, not '10K'" "--max-list-items 10K: the message"
run --db reg.db import small.yaml --max-input-bytes 99999999999999999999
expect_rc 2 "--max-input-bytes too large for 64 bits"
run --db reg.db import small.yaml --max-input-bytes 17179869184G
expect_rc 2 "--max-input-bytes 2^64 bytes with a suffix: too large"
run --db reg.db import small.yaml --max-input-bytes 18446744073709551615 --quiet
expect_rc 0 "--max-input-bytes at 2^64 - 1 reads a small file as usual"

finish
