# snapshot_cache.sh -- the snapshot cache beside a registry (docs/registry.md,
# "The snapshot cache"): the first decision writes R.db.snapshot, the next
# uses it (the file is not rewritten), and every golden decision is the
# same bytes from the cache, from the registry and with --no-cache; an
# import makes it stale; a recreated registry at the same content version
# does not use the old one; truncated, edited, foreign and misplaced caches
# are ignored and rebuilt, and fsck says which; a read-only folder is no
# error; audits racing imports each decide one version's content whole.
. "$SRC/tests/cli/lib.sh"
GOLDEN="$SRC/tests/cli/golden"
EV="$SRC/examples/ev-mechanic"
R=(--db "$WORK/ev.db" --rules "$EV/rules" --as-of 2026-06-01)
inode() { stat -c %i "$1" 2>/dev/null || echo none; }

# golden_all MODE: the decisions of decisions.sh against their golden files
# (MODE: extra options, e.g. --no-cache), each also leaving the cache as is.
golden_all() {
    local before
    before=$(inode ev.db.snapshot)
    while read -r name args; do
        # shellcheck disable=SC2086
        (cd "$SRC" && "$CREDEX" $args --db "$WORK/ev.db" --rules examples/ev-mechanic/rules \
            --as-of 2026-06-01 "$@" >"$WORK/$name" 2>&1)
        expect_golden "$WORK/$name" "$name"
    done <<'EOF'
equiv-articulation.txt equiv TX-EVS-101 CA-EVS-101 --in US-CA
equiv-partial.txt equiv TX-EVD-202 CA-EVD-202 --in US-CA --explain
equiv-partial.jsonl equiv TX-EVD-202 CA-EVD-202 --in US-CA --format json
transfer-holder.txt transfer --holder h-tx-0001 --to US-CA
transfer-holder.jsonl transfer --holder h-tx-0001 --to US-CA --format json
audit-miguel.txt audit --holder h-tx-0001 --explain
audit-all.jsonl audit --all --format json --jobs 2
audit-all.csv audit --all --format csv --jobs 1
EOF
    expect_eq "$(inode ev.db.snapshot)" "$before" "golden decisions $*: the cache is not rewritten"
}

run import --db ev.db "$EV/catalog.yaml" --quiet
expect_rc 0 "import"
expect_eq "$(inode ev.db.snapshot)" none "an import writes no cache"
run audit --all "${R[@]}" --format json --no-cache
expect_rc 0 "audit --no-cache"
expect_eq "$(inode ev.db.snapshot)" none "--no-cache writes no cache"
cp .out cold.jsonl
run audit --all "${R[@]}" --format json
expect_eq "$(test -f ev.db.snapshot && echo written)" written "the first audit writes the cache"
expect_eq "$OUT" "$(cat cold.jsonl)" "the audit that writes the cache decides as --no-cache"
FIRST=$(inode ev.db.snapshot)
cp ev.db.snapshot v1.snapshot
run fsck --db ev.db
expect_rc 0 "fsck with a fresh cache"
expect_eq "$OUT" "ev.db: snapshot cache fresh (content version 1)
ev.db: clean (integrity, references, values, digests of 17 tables)" "fsck says the cache is fresh"
golden_all
golden_all --no-cache
expect_eq "$(inode ev.db.snapshot)" "$FIRST" "every decision after the first used the cache"

# --- an import makes it stale ----------------------------------------------
cat >extra.yaml <<'EOF'
holders:
  - id: h-zz-0001
    jurisdiction: US-TX
    awards:
      - { credential: TX-EVS-101, issued: 2025-03-14 }
EOF
run import --db ev.db extra.yaml --quiet
expect_rc 0 "a second import"
run fsck --db ev.db
expect_eq "$(echo "$OUT" | head -n 1)" \
    "ev.db: snapshot cache stale, written at another content version" "fsck: stale after an import"
run audit --all "${R[@]}" --format json
expect_contains "$OUT" '"holder":"h-zz-0001"' "the audit after the import sees the new holder"
NEW=$(inode ev.db.snapshot)
[ "$NEW" != "$FIRST" ] && pass || fail "the stale cache is rebuilt"
run fsck --db ev.db
expect_eq "$(echo "$OUT" | head -n 1)" "ev.db: snapshot cache fresh (content version 2)" \
    "fsck: fresh again"

# --- a recreated registry at content version 1 ------------------------------
rm -f ev.db ev.db-wal ev.db-shm
run import --db ev.db "$EV/catalog.yaml" extra.yaml --quiet
expect_rc 0 "the registry made again, in one import"
cp v1.snapshot ev.db.snapshot # the first registry's cache, also at content version 1
run fsck --db ev.db
expect_eq "$(echo "$OUT" | head -n 1)" \
    "ev.db: snapshot cache stale, written for another registry" "fsck: another registry's cache"
run audit --all "${R[@]}" --format json
expect_contains "$OUT" '"holder":"h-zz-0001"' "the recreated registry's content, not the old cache's"
cp .out recreated.jsonl
run audit --all "${R[@]}" --format json --no-cache
expect_eq "$OUT" "$(cat recreated.jsonl)" "the same as --no-cache"

# --- damaged caches: fsck names them, decisions ignore and rebuild them ------
# damage WHAT STATE: after the cache was damaged, fsck's verdict, then an
# audit that decides as the registry says and leaves a fresh cache.
damage() {
    run fsck --db ev.db
    expect_contains "$OUT" "$2" "fsck on a cache $1"
    run audit --all "${R[@]}" --format json
    expect_rc 0 "audit over a cache $1"
    expect_eq "$OUT" "$(cat recreated.jsonl)" "audit over a cache $1: the registry's decisions"
    expect_eq "$ERR" "" "audit over a cache $1: nothing on stderr"
    run fsck --db ev.db
    expect_eq "$(echo "$OUT" | head -n 1)" "ev.db: snapshot cache fresh (content version 1)" \
        "a cache $1 is rebuilt"
}
SIZE=$(stat -c %s ev.db.snapshot)
truncate -s $((SIZE / 2)) ev.db.snapshot
damage "cut in half" "ev.db: cache: the snapshot cache ev.db.snapshot is unusable (truncated or extended)"
run fsck --db ev.db
expect_rc 0 "fsck after the rebuild"
truncate -s $((SIZE / 2)) ev.db.snapshot
run fsck --db ev.db
expect_rc 4 "fsck counts a damaged cache as a problem"
expect_eq "$(echo "$OUT" | tail -n 1)" "ev.db: 1 problem" "fsck's summary"
run audit --all "${R[@]}" --format json
printf '\x5a' | dd of=ev.db.snapshot bs=1 seek=$((SIZE - 100)) conv=notrunc status=none
damage "with a byte changed" "unusable (checksum mismatch)"
printf 'XX' | dd of=ev.db.snapshot bs=1 seek=0 conv=notrunc status=none
damage "without the magic" "unusable (not a snapshot cache)"
printf '9.9.9-other\0' | dd of=ev.db.snapshot bs=1 seek=160 conv=notrunc status=none
damage "from another credex" "ev.db: snapshot cache stale, written by another credex"
rm ev.db.snapshot
ln -s v1.snapshot ev.db.snapshot
damage "that is a symlink" "unusable (not a regular file)"
expect_eq "$(test -L ev.db.snapshot || echo file)" file "the symlink is replaced by a file"
rm ev.db.snapshot
mkdir ev.db.snapshot
run audit --all "${R[@]}" --format json
expect_rc 0 "audit with a directory where the cache goes"
expect_eq "$OUT" "$(cat recreated.jsonl)" "a directory in the cache's place: the registry's decisions"
expect_eq "$(test -d ev.db.snapshot && ls ev.db.snapshot.tmp.* 2>/dev/null | wc -l)" 0 \
    "the directory stays, and no temporary file is left"
rmdir ev.db.snapshot

# --- a read-only folder: no cache, no error ----------------------------------
mkdir ro
cp ev.db ro/ev.db
sqlite3 ro/ev.db 'PRAGMA journal_mode = DELETE' >/dev/null
chmod 755 "$WORK"
chmod 444 ro/ev.db
chmod 555 ro
# Root writes anywhere: run as uid 65534 when it can reach the build (a
# clone in a 0700 folder it cannot), else in a mount namespace where ro is
# a read-only bind mount (EROFS, as a read-only disk).
AUDIT_RO=("$CREDEX" audit --all --db ro/ev.db --rules "$EV/rules" --as-of 2026-06-01 --format json)
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
if [ "$(id -u)" != 0 ]; then
    "${AUDIT_RO[@]}" >ro.jsonl 2>ro.err
elif "${NOBODY[@]}" "$CREDEX" --version >/dev/null 2>&1; then
    "${NOBODY[@]}" "${AUDIT_RO[@]}" >ro.jsonl 2>ro.err
else
    unshare -m sh -c 'mount --bind -o ro "$1" "$1" && shift && exec "$@"' sh "$WORK/ro" \
        "${AUDIT_RO[@]}" >ro.jsonl 2>ro.err
fi
RC=$?
expect_rc 0 "audit of a registry in a read-only folder"
expect_eq "$(cat ro.err)" "" "a cache that cannot be written is silent"
cmp -s ro.jsonl recreated.jsonl && pass || fail "read-only folder: the registry's decisions"
expect_eq "$(ls ro)" "ev.db" "no cache in the read-only folder"
chmod 755 ro

# --- audits while imports run -----------------------------------------------
# Six imports each add a holder; audits run meanwhile on the same registry.
# Each audit's output must be, byte for byte, the audit of the registry as
# some import left it (made in order on another registry, --no-cache).
for k in 1 2 3 4 5 6; do
    cat >"cc-$k.yaml" <<EOF
holders:
  - id: h-cc-000$k
    jurisdiction: US-TX
    awards:
      - { credential: TX-EVS-101, issued: 2025-0$k-01 }
EOF
done
"$CREDEX" import --db seq.db "$EV/catalog.yaml" --quiet
"$CREDEX" import --db cc.db "$EV/catalog.yaml" --quiet
RS=(--rules "$EV/rules" --as-of 2026-06-01 --format json)
"$CREDEX" audit --all --db seq.db "${RS[@]}" --no-cache >expect-0.jsonl
for k in 1 2 3 4 5 6; do
    "$CREDEX" import --db seq.db "cc-$k.yaml" --quiet
    "$CREDEX" audit --all --db seq.db "${RS[@]}" --no-cache >"expect-$k.jsonl"
done
"$CREDEX" audit --all --db cc.db "${RS[@]}" >/dev/null # a cache to start from
(for k in 1 2 3 4 5 6; do "$CREDEX" import --db cc.db "cc-$k.yaml" --quiet; done) &
IMPORTS=$!
(for i in 1 2 3 4 5 6 7 8; do "$CREDEX" audit --all --db cc.db "${RS[@]}" >"got-a$i.jsonl"; done) &
AUDITS_A=$!
for i in 1 2 3 4 5 6 7 8; do "$CREDEX" audit --all --db cc.db "${RS[@]}" >"got-b$i.jsonl"; done
wait $IMPORTS $AUDITS_A
MATCHED=0
for got in got-*.jsonl; do
    for k in 0 1 2 3 4 5 6; do
        if cmp -s "$got" "expect-$k.jsonl"; then
            MATCHED=$((MATCHED + 1))
            break
        fi
    done
done
expect_eq "$MATCHED" 16 "every audit during the imports is one version's decisions"
"$CREDEX" audit --all --db cc.db "${RS[@]}" >final.jsonl
cmp -s final.jsonl expect-6.jsonl && pass || fail "after the imports: the last version's decisions"

finish
