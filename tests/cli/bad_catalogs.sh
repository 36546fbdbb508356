# bad_catalogs.sh -- the bad-input corpus (tests/catalog/bad): every file
# must be refused with exit 3 and a message located at file:line:column,
# and leave the registry byte-for-byte unchanged. The expected message
# is the file's first line ("# expect: LINE:COL: text") or NAME.expect
# (CSV: "LINE: column 'NAME': text"; JSON: " /POINTER: text" or LINE:COL).
# Hostile files too big to keep in git are generated here.
. "$SRC/tests/cli/lib.sh"

run --db reg.db import "$SRC/tests/catalog/base.yaml"
expect_rc 0 "base catalog imports"
cp reg.db before.db

# try FILE EXPECTED: import FILE into the registry; it must fail as expected.
try() {
    local file=$1 expected=$2 name
    name=$(basename "$file")
    run --db reg.db import "$file"
    expect_rc 3 "$name: exit code"
    expect_contains "$ERR" "credex: $file:$expected" "$name: located message"
    if cmp -s reg.db before.db && [ ! -s reg.db-wal ]; then pass; else fail "$name: registry changed"; fi
}

# every format import reads (YAML, CSV, JSON, JWS), told apart by content
for f in "$SRC"/tests/catalog/bad/*; do
    case "$f" in *.expect) continue ;; esac
    if [ -f "${f%.*}.expect" ]; then
        expected=$(head -n 1 "${f%.*}.expect")
    else
        expected=$(head -n 1 "$f" | sed -n 's/^# expect: //p')
    fi
    [ -n "$expected" ] || { fail "$(basename "$f"): no expectation"; continue; }
    try "$f" "$expected"
done

# 100,000-deep flow nesting: stopped at the depth limit, on line 1.
head -c 100000 /dev/zero | tr '\0' '[' > deep-flow.yaml
try deep-flow.yaml "1:33: nesting deeper than 32 levels"

# 100,000-deep block lists ("- - - - ..."): the same limit.
{ printf 'jurisdictions:\n'; head -c 200000 /dev/zero | tr '\0' ' ' | sed 's/  /- /g'; printf 'x\n'; } > deep-block.yaml
run --db reg.db import deep-block.yaml
expect_rc 3 "deep block nesting: exit code"
expect_contains "$ERR" "nesting deeper than 32 levels" "deep block nesting: message"

# A billion-laughs alias bomb: refused at its first anchor, costing nothing.
{
    printf 'jurisdictions:\n  - { id: US-NV, name: x }\nlol:\n  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    prev=a
    for l in b c d e f g h i j; do
        printf '  %s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n' $l $l $prev $prev $prev $prev $prev $prev $prev $prev $prev
        prev=$l
    done
} > alias-bomb.yaml
try alias-bomb.yaml "4:6: "

# Several files in one import: an error in the second file changes nothing,
# even though the first file was fine.
cat > good.yaml <<'YAML'
jurisdictions:
  - { id: US-NV, name: Nevada }
YAML
run --db reg.db import good.yaml "$SRC/tests/catalog/bad/dangling-ref.yaml"
expect_rc 3 "two files, second bad: exit code"
expect_contains "$ERR" "dangling-ref.yaml:5:21: unknown credential 'TX-EVS-110'" "two files: error names the second"
if cmp -s reg.db before.db; then pass; else fail "two files: registry changed"; fi

# Not a catalog file at all.
run --db reg.db import does-not-exist.yaml
expect_rc 3 "missing file: exit code"
expect_contains "$ERR" "does-not-exist.yaml" "missing file: named"
if cmp -s reg.db before.db; then pass; else fail "missing file: registry changed"; fi

finish
