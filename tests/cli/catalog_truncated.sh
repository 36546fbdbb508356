# catalog_truncated.sh -- a catalog that ends early (docs/security.md, "A
# catalog changed while it is imported"): from a FIFO whose writer writes
# half the catalog and closes, the import fails with libyaml's located
# error, exit 3, and the registry's bytes unchanged; a regular file is read
# in 1 MiB chunks (a truncation between two is test_yaml_file's), and one
# of several chunks, or whose first chunk is one long comment line (its
# format told from the whole file), imports whole.
. "$SRC/tests/cli/lib.sh"

import_defs reg.db
before=$(sha256sum reg.db | cut -d' ' -f1)

# holders FIRST LAST: flow-style holders hFIRST..hLAST, each with a quoted note
holders() {
    awk -v a="$1" -v b="$2" 'BEGIN { print "holders:"; for (i = a; i <= b; i++)
        printf "  - { id: h%d, attributes: { note: \"holder number %d\" }, awards: [{ credential: c1, issued: 2024-01-02 }] }\n", i, i }'
}

# half a catalog through a FIFO: the stream ends inside holder 3's note
holders 1 4 > full.yaml
cut=$(($(grep -bo 'number 3' full.yaml | cut -d: -f1) + 3))
mkfifo cat.fifo
timeout 60 sh -c 'head -c "$1" full.yaml > cat.fifo' sh "$cut" & # no hang if credex never opens it
run --db reg.db import cat.fifo
wait
expect_rc 3 "half a catalog from a FIFO: exit code"
expect_eq "$ERR" "credex: cat.fifo:4:46: found unexpected end of stream (while scanning a quoted scalar at line 4, column 35)" \
    "half a catalog from a FIFO: located where the stream ends"
expect_eq "$(sha256sum reg.db | cut -d' ' -f1)" "$before" "half a catalog from a FIFO: registry bytes unchanged"
if [ ! -s reg.db-wal ]; then pass; else fail "half a catalog from a FIFO: a WAL was written"; fi

# the whole catalog through the FIFO imports
timeout 60 sh -c 'cat full.yaml > cat.fifo' &
run --db reg.db import cat.fifo
wait
expect_rc 0 "the whole catalog from a FIFO"
expect_contains "$OUT" "4 holders, 4 awards" "the whole catalog from a FIFO: counts"

# a regular file of several 1 MiB chunks imports whole
holders 1 30000 > big.yaml
run --db reg.db import big.yaml
expect_rc 0 "a catalog of several chunks"
expect_contains "$OUT" "30000 holders, 30000 awards" "a catalog of several chunks: counts"
run --db reg.db show holder h30000 --format json
expect_contains "$OUT" '"note":"holder number 30000"' "a catalog of several chunks: the last holder"

# a first chunk that is one comment line: the format is told from the whole file
{ printf '# '; head -c 1100000 /dev/zero | tr '\0' x; printf '\n'; holders 30001 30002; } > comment.yaml
run --db reg.db import comment.yaml
expect_rc 0 "a first chunk of one comment line"
expect_contains "$OUT" "2 holders, 2 awards" "a first chunk of one comment line: counts"
rm -f big.yaml comment.yaml

finish
