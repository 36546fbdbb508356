# out_of_memory.sh -- an allocation that fails while auditing every holder
# ends the audit with "out of memory" (exit 5); it never yields a decision
# missing its holder or stack with exit 0. An LD_PRELOAD shim
# (fixtures/failing_malloc.c) fails, in turn, each allocation of the size
# of the stack's id, with one worker and with two. The stacks hold a check
# (true for a holder with awards), which keeps them off the status plans:
# every decision is built in full, with its copies of the id. Skipped
# under the sanitizers, whose allocator must come first.
. "$SRC/tests/cli/lib.sh"
if [ -n "${CREDEX_SANITIZE_FLAGS:-}" ] || ! command -v cc >/dev/null; then
    echo "skipped: a sanitizer build, or no cc"
    finish
    exit 0
fi
cc -O1 -shared -fPIC -o "$WORK/failing_malloc.so" "$SRC/tests/cli/fixtures/failing_malloc.c" ||
    fail "build the failing allocator"
STACK=STACK-WITH-A-LONG-ID-TO-BE-FOUND-BY-SIZE
SIZE=$((${#STACK} + 1)) # its copy in each decision, NUL included
cat >"$WORK/catalog.yaml" <<EOF
version: 1
jurisdictions:
  - { id: US-OH, name: Ohio }
credentials:
  - { id: A, name: A, type: course, jurisdiction: US-OH }
  - { id: B, name: B, type: course, jurisdiction: US-OH }
  - { id: $STACK, name: S, type: certificate, jurisdiction: US-OH }
holders:
  - { id: h1, awards: [{ credential: A, issued: 2025-01-01 }] }
  - { id: h2, awards: [{ credential: A, issued: 2025-01-01 }, { credential: B, issued: 2025-02-01 }] }
  - { id: h3 }
EOF
mkdir -p "$WORK/rules"
cat >"$WORK/rules/p.lua" <<EOF
pack "p" { authority = "test", version = "1" }
stack "$STACK" { jurisdiction = "US-OH", requires = all { "A", "B", check(function(ctx) return #ctx.awards > 0 end) } }
EOF
"$CREDEX" --db "$WORK/r.db" import "$WORK/catalog.yaml" >/dev/null || fail "import"
AUDIT=(--db "$WORK/r.db" audit --all --rules "$WORK/rules" --as-of 2026-06-01 --format csv)
run "${AUDIT[@]}"
GOOD=$OUT
expect_eq "$(printf '%s\n' "$GOOD" | cut -d, -f1-3 | tail -n +2 | tr '\n' ' ')" \
    "h1,$STACK,in_progress h2,$STACK,met h3,$STACK,not_started " "the audit without a failure"

# failing JOBS: every allocation of SIZE bytes fails in turn.
failing() {
    local k=0 n oom=0
    n=$(FAIL_SIZE=$SIZE FAIL_COUNT=1 LD_PRELOAD="$WORK/failing_malloc.so" \
        "$CREDEX" "${AUDIT[@]}" --jobs "$1" 2>&1 >/dev/null | sed -n 's/^allocations: //p')
    [ "${n:-0}" -gt 3 ] && pass || fail "jobs $1: only [$n] allocations of $SIZE bytes"
    while [ "$k" -lt "${n:-0}" ]; do
        FAIL_SIZE=$SIZE FAIL_NTH=$k LD_PRELOAD="$WORK/failing_malloc.so" run "${AUDIT[@]}" --jobs "$1"
        if [ "$RC" -eq 0 ]; then
            expect_eq "$OUT" "$GOOD" "jobs $1, allocation $k failing: exit 0 with the whole audit"
        else
            expect_rc 5 "jobs $1, allocation $k failing"
            # the allocation may fall before the audit (opening the registry,
            # whose paths have the length of the work folder's): "credex:
            # out of memory", maybe saying where, on one line
            if [[ $ERR == "credex: out of memory"* && $ERR != *$'\n'* ]]; then
                pass
            else
                fail "jobs $1, allocation $k failing: the message: got [$ERR]"
            fi
            oom=$((oom + 1))
        fi
        k=$((k + 1))
    done
    [ "$oom" -gt 0 ] && pass || fail "jobs $1: no failure reached the audit; the check proves nothing"
}
failing 1
failing 2

# The same for the copy of what a holder is missing: a slot whose text has
# a length nothing else has (h1 misses it; before, a failed copy left a
# NULL in the missing list that the next comparison crashed on).
LONG=MISSING-CREDENTIAL-ID-OF-A-LENGTH-NOTHING-ELSE-HAS
sed "s/{ id: B, name: B,/{ id: $LONG, name: L,/" "$WORK/catalog.yaml" >"$WORK/catalog2.yaml"
sed -i "s/credential: B,/credential: $LONG,/" "$WORK/catalog2.yaml"
mkdir -p "$WORK/rules2"
cat >"$WORK/rules2/p.lua" <<EOF
pack "p" { authority = "test", version = "1" }
stack "$STACK" { jurisdiction = "US-OH", requires = all { "A", "$LONG", hours(5, "A"), check(function(ctx) return #ctx.awards > 0 end) } }
EOF
"$CREDEX" --db "$WORK/r2.db" import "$WORK/catalog2.yaml" >/dev/null || fail "import the second catalog"
AUDIT=(--db "$WORK/r2.db" audit --all --rules "$WORK/rules2" --as-of 2026-06-01 --format csv)
run "${AUDIT[@]}"
GOOD=$OUT
expect_contains "$GOOD" "h1,$STACK,in_progress,,,\"$LONG;hours(5, \"\"A\"\")\"" \
    "the second audit without a failure"
SIZE=$((${#LONG} + 1))
failing 1

# Opening a registry: an allocation failing anywhere (SQLite's own too)
# is an error of reading it, never "not a credex registry".
run --db "$WORK/r.db" list holders
LISTED=$OUT
n=$(FAIL_COUNT=1 LD_PRELOAD="$WORK/failing_malloc.so" "$CREDEX" --db "$WORK/r.db" list holders \
    2>&1 >/dev/null | sed -n 's/^allocations: //p')
[ "${n:-0}" -gt 100 ] && pass || fail "list holders: only [$n] allocations"
misread=0
for k in $(seq 0 $((${n:-0} - 1))); do
    FAIL_NTH=$k LD_PRELOAD="$WORK/failing_malloc.so" run --db "$WORK/r.db" list holders
    case $ERR in *"not a credex registry"*) misread=$((misread + 1)) ;; esac
    [ "$RC" -eq 0 ] && expect_eq "$OUT" "$LISTED" "list holders, allocation $k failing"
done
expect_eq "$misread" 0 "allocations whose failure called the registry not a credex registry"
finish
