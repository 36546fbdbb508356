# kill9.sh -- credex killed with SIGKILL part-way leaves the registry as it
# was before or as it is after, never in between (docs/security.md,
# "Kill -9"). An import of a generated catalog (tests/bench/gen_catalog:
# 25,000 holders, 75,000 awards over an earlier small import; a fifth of
# that under the sanitizers, which are slower), then
# `audit --all --log` and `whatif` over the result, are each killed at
# pseudo-random points (a fixed seed): a point is a count of the bytes the
# process has read and written so far (/proc/PID/io), drawn below the
# count of an uninterrupted run, never a time. After every kill the
# registry passes SQLite's checks (registry_consistent), its export equals
# the export before or after the command byte for byte, and every logged
# decision is whole and one the uninterrupted audit logged.
. "$SRC/tests/cli/lib.sh"
GEN=${CREDEX_BUILD:?CREDEX_BUILD must name the build tree}/tests/bench/gen_catalog
IMPORT_TRIALS=20
AUDIT_TRIALS=10
WHATIF_TRIALS=10
ASOF=(--as-of 2026-06-01)
HOLDERS=25000
[ -n "${CREDEX_SANITIZE_FLAGS:-}" ] && HOLDERS=5000

# registry_consistent DB WHAT: the registry file passes SQLite's own
# checks, whole-file and references, and `credex fsck` finds it clean: its
# values, and every table's digest equal to what the last whole import
# recorded (a torn import would show as a table changed outside credex).
registry_consistent() {
    expect_eq "$(sqlite3 "$1" 'PRAGMA integrity_check;' 2>&1)" ok "$2: PRAGMA integrity_check"
    expect_eq "$(sqlite3 "$1" 'PRAGMA foreign_key_check;' 2>&1)" "" "$2: PRAGMA foreign_key_check"
    run --db "$1" fsck --quiet
    expect_rc 0 "$2: credex fsck"
}

# io PID: sets IO to the bytes PID has read and written so far (rchar +
# wchar of /proc/PID/io); fails once PID has gone.
io() {
    local key val r=-1 w=-1
    { while read -r key val; do
        case $key in
        rchar:) r=$val ;;
        wchar:) w=$val ;;
        esac
    done; } 2>/dev/null </proc/"$1"/io || return 1
    [ "$r" -ge 0 ] && [ "$w" -ge 0 ] || return 1
    IO=$((r + w))
}

# kill_at AT CMD...: runs CMD in the background and sends it SIGKILL once
# its I/O count reaches AT (it may end first). Leaves RC (137 when the
# kill ended it), OUT, ERR, and MAXIO, the highest count seen.
kill_at() {
    local at=$1 pid
    shift
    "$@" >"$WORK/.out" 2>"$WORK/.err" </dev/null &
    pid=$!
    MAXIO=0
    while io "$pid"; do
        [ "$IO" -gt "$MAXIO" ] && MAXIO=$IO
        if [ "$IO" -ge "$at" ]; then
            kill -KILL "$pid" 2>/dev/null
            break
        fi
    done
    { wait "$pid"; } 2>/dev/null # no "Killed" notice
    RC=$?
    OUT=$(cat "$WORK/.out")
    ERR=$(cat "$WORK/.err")
}

# next_point TOTAL: the next kill point in [0, TOTAL) into POINT (a linear
# congruential generator with a fixed seed: the same points on every run).
SEED=13
next_point() {
    SEED=$(((SEED * 1103515245 + 12345) % 2147483648))
    POINT=$((SEED % $1))
}

# fresh FROM TO: TO becomes a copy of the registry FROM (closed, no WAL).
fresh() {
    rm -f "$2" "$2-wal" "$2-shm"
    cp "$1" "$2"
}

# --- the registries: before and after the big import ----------------------
"$GEN" --holders 200 --awards 400 --seed 1 >"$WORK/small.yaml" || fail "generate the small catalog"
"$GEN" --holders "$HOLDERS" --awards $((3 * HOLDERS)) --seed 2 >"$WORK/big.yaml" || fail "generate the big catalog"
"$CREDEX" --db "$WORK/before.db" import "$WORK/small.yaml" --quiet || fail "import the small catalog"
[ -e "$WORK/before.db-wal" ] && fail "credex left a WAL behind on a clean exit"
"$CREDEX" --db "$WORK/before.db" export >"$WORK/before.yaml" || fail "export before"
fresh "$WORK/before.db" "$WORK/after.db"
kill_at 999999999999999 "$CREDEX" --db "$WORK/after.db" import "$WORK/big.yaml" --quiet
expect_rc 0 "the uninterrupted import"
TOTAL=$MAXIO
[ "$TOTAL" -gt 0 ] && pass || fail "no I/O count seen for the uninterrupted import"
"$CREDEX" --db "$WORK/after.db" export >"$WORK/after.yaml" || fail "export after"
cmp -s "$WORK/before.yaml" "$WORK/after.yaml" && fail "the import changed nothing: the trials prove nothing"

# --- imports killed -----------------------------------------------------------
before=0 after=0 killed=0
for i in $(seq 1 "$IMPORT_TRIALS"); do
    next_point "$TOTAL"
    fresh "$WORK/before.db" "$WORK/t.db"
    kill_at "$POINT" "$CREDEX" --db "$WORK/t.db" import "$WORK/big.yaml" --quiet
    [ "$RC" -eq 137 ] && killed=$((killed + 1))
    [ "$RC" -eq 137 ] || [ "$RC" -eq 0 ] && pass || fail "import trial $i: exit $RC ($ERR)"
    registry_consistent "$WORK/t.db" "import trial $i (killed at $POINT of $TOTAL)"
    "$CREDEX" --db "$WORK/t.db" export >"$WORK/t.yaml" 2>"$WORK/t.err" ||
        fail "import trial $i: export: $(cat "$WORK/t.err")"
    if cmp -s "$WORK/t.yaml" "$WORK/before.yaml"; then
        before=$((before + 1))
        pass
    elif cmp -s "$WORK/t.yaml" "$WORK/after.yaml"; then
        after=$((after + 1))
        pass
    else
        fail "import trial $i (killed at $POINT of $TOTAL): the registry is neither before nor after"
    fi
done
echo "import: $IMPORT_TRIALS trials, $killed killed; registry before $before, after $after"
[ "$killed" -gt 0 ] && pass || fail "no import was killed: the trials prove nothing"

# --- audits logging their decisions, killed ----------------------------------
mkdir -p "$WORK/rules"
cat >"$WORK/rules/gen.lua" <<'EOF'
pack "kill9" { authority = "test", version = "1" }
stack "GEN-CA-046" {
  jurisdiction = "US-CA",
  requires = all {
    "GEN-CA-001",
    at_least(2) { "GEN-CA-006", "GEN-CA-011", "GEN-CA-016", "GEN-CA-021" },
    hours(60, { "GEN-CA-001", "GEN-CA-006", "GEN-CA-011", "GEN-CA-016", "GEN-CA-021" }),
  },
  window = { span = "P5Y" },
}
stack "GEN-TX-045" {
  jurisdiction = "US-TX",
  requires = all { "GEN-TX-000", at_least(1) { "GEN-TX-005", "GEN-TX-010", "GEN-TX-015" } },
}
stack "GEN-NV-047" {
  jurisdiction = "US-NV",
  requires = all { "GEN-NV-002", "GEN-NV-007" },
}
EOF
AUDIT=(audit --all --log --rules "$WORK/rules" "${ASOF[@]}" --jobs 2 --format csv)
# logged DB: the decisions DB logged, one line each (holder, stack,
# status, decision JSON), sorted.
logged() {
    sqlite3 -separator ' ' "$1" 'SELECT holder, stack, status, decision_json FROM decision_log;' |
        LC_ALL=C sort
}
# log_whole DB WHAT: every logged decision is whole (its JSON valid, with
# the row's status, citing its one pack, whose source is kept), logged
# once, and one the uninterrupted audit logged; `credex log` lists them.
log_whole() {
    local rows
    expect_eq "$(sqlite3 "$1" "SELECT count(*) FROM decision_log d WHERE NOT json_valid(d.decision_json)
        OR json_extract(d.decision_json, '$.status') IS NOT d.status
        OR (SELECT count(*) FROM decision_pack p JOIN rule_pack r ON r.sha256 = p.sha256
            WHERE p.decision_id = d.id) != 1;")" 0 "$2: every logged decision whole"
    expect_eq "$(sqlite3 "$1" 'SELECT count(*) FROM (SELECT 1 FROM decision_log
        GROUP BY holder, stack HAVING count(*) > 1);')" 0 "$2: no decision logged twice"
    logged "$1" >"$WORK/t.log"
    expect_eq "$(LC_ALL=C comm -23 "$WORK/t.log" "$WORK/full.log" | head -3)" "" \
        "$2: every logged decision is one the uninterrupted audit logged"
    rows=$(sqlite3 "$1" 'SELECT count(*) FROM decision_log;')
    run --db "$1" log --format json --quiet
    expect_rc 0 "$2: credex log"
    expect_eq "$(printf '%s' "$OUT" | grep -c '"kind":"audit"')" "$rows" "$2: credex log lists every row"
    LOGGED=$rows
}

fresh "$WORK/after.db" "$WORK/audit.db"
kill_at 999999999999999 "$CREDEX" --db "$WORK/audit.db" "${AUDIT[@]}"
expect_rc 0 "the uninterrupted audit"
TOTAL=$MAXIO
logged "$WORK/audit.db" >"$WORK/full.log"
FULL=$(wc -l <"$WORK/full.log")
expect_eq "$FULL" $((3 * HOLDERS)) "the uninterrupted audit logs every holder x 3 stacks"
killed=0 none=0 whole=0
for i in $(seq 1 "$AUDIT_TRIALS"); do
    next_point "$TOTAL"
    fresh "$WORK/after.db" "$WORK/t.db"
    kill_at "$POINT" "$CREDEX" --db "$WORK/t.db" "${AUDIT[@]}"
    [ "$RC" -eq 137 ] && killed=$((killed + 1))
    [ "$RC" -eq 137 ] || [ "$RC" -eq 0 ] && pass || fail "audit trial $i: exit $RC ($ERR)"
    registry_consistent "$WORK/t.db" "audit trial $i (killed at $POINT of $TOTAL)"
    "$CREDEX" --db "$WORK/t.db" export >"$WORK/t.yaml" || fail "audit trial $i: export"
    cmp -s "$WORK/t.yaml" "$WORK/after.yaml" && pass ||
        fail "audit trial $i: the registry's facts changed"
    log_whole "$WORK/t.db" "audit trial $i (killed at $POINT of $TOTAL)"
    [ "$LOGGED" -eq 0 ] && none=$((none + 1))
    [ "$LOGGED" -eq "$FULL" ] && whole=$((whole + 1))
done
echo "audit --all --log: $AUDIT_TRIALS trials, $killed killed; log empty $none, whole $whole," \
    "part $((AUDIT_TRIALS - none - whole))"
[ "$killed" -gt 0 ] && pass || fail "no audit was killed: the trials prove nothing"

# --- what-if, killed: it only reads the registry ------------------------------
cat >"$WORK/change.yaml" <<'EOF'
credentials:
  - id: GEN-NV-007
    name: Generated Credential 7
    type: course
    provider: prov-07
    jurisdiction: US-NV
    hours: 57
    valid_for: P1Y
    competencies: [bench.c07, bench.c14, bench.c21]
EOF
WHATIF=(whatif "$WORK/change.yaml" --rules "$WORK/rules" "${ASOF[@]}" --jobs 2)
fresh "$WORK/audit.db" "$WORK/whatif.db"
kill_at 999999999999999 "$CREDEX" --db "$WORK/whatif.db" "${WHATIF[@]}"
expect_rc 0 "the uninterrupted what-if"
expect_contains "$OUT" "audit GEN-NV-047: met -> in_progress" "the what-if moves decisions"
TOTAL=$MAXIO
killed=0
for i in $(seq 1 "$WHATIF_TRIALS"); do
    next_point "$TOTAL"
    fresh "$WORK/audit.db" "$WORK/t.db"
    kill_at "$POINT" "$CREDEX" --db "$WORK/t.db" "${WHATIF[@]}"
    [ "$RC" -eq 137 ] && killed=$((killed + 1))
    [ "$RC" -eq 137 ] || [ "$RC" -eq 0 ] && pass || fail "what-if trial $i: exit $RC ($ERR)"
    registry_consistent "$WORK/t.db" "what-if trial $i (killed at $POINT of $TOTAL)"
    "$CREDEX" --db "$WORK/t.db" export >"$WORK/t.yaml" || fail "what-if trial $i: export"
    cmp -s "$WORK/t.yaml" "$WORK/after.yaml" && pass ||
        fail "what-if trial $i: the registry's facts changed"
    log_whole "$WORK/t.db" "what-if trial $i"
    expect_eq "$LOGGED" "$FULL" "what-if trial $i: the decision log unchanged"
done
echo "whatif: $WHATIF_TRIALS trials, $killed killed"
[ "$killed" -gt 0 ] && pass || fail "no what-if was killed: the trials prove nothing"
finish
