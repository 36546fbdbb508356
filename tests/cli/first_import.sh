# first_import.sh -- a failed first import leaves no registry behind: when
# `credex import` creates the registry file and the import fails, the file
# and SQLite's -wal/-shm/-journal files are removed; a registry that
# already existed is never removed, and a failed import leaves it as it was.
# The import creates the file itself (O_EXCL), so that it removes only a
# file it made: never a symlink, a directory or a file that was there.
. "$SRC/tests/cli/lib.sh"
EV="$SRC/examples/ev-mechanic"

# a catalog whose reference cannot resolve (the registry is opened, the
# schema written, then the import fails), and one that is not YAML at all
cat >bad-ref.yaml <<'YAML'
version: 1
providers:
  - { id: P1, name: Provider One, jurisdiction: NO-SUCH-PLACE }
YAML
printf 'version: [1\n' >bad-yaml.yaml

for bad in bad-ref.yaml bad-yaml.yaml; do
    run import "$bad" --db fresh.db
    expect_rc 3 "import of $bad into a fresh path"
    expect_contains "$ERR" "$bad:" "the error of $bad names the file"
    for f in fresh.db fresh.db-wal fresh.db-shm fresh.db-journal; do
        if [ -e "$f" ]; then fail "$bad: $f left behind"; else pass; fi
    done
done
expect_eq "$(ls)" "bad-ref.yaml
bad-yaml.yaml" "nothing but the two catalogs in the directory"

# an existing registry: the failed import leaves it byte-identical
run import "$EV/catalog.yaml" --db ev.db
expect_rc 0 "import into a new registry"
before=$(cksum <ev.db)
for bad in bad-ref.yaml bad-yaml.yaml; do
    run import "$bad" --db ev.db
    expect_rc 3 "import of $bad into an existing registry"
    expect_eq "$(cksum <ev.db)" "$before" "$bad leaves the existing registry byte-identical"
done
run show credential TX-EVS-101 --db ev.db
expect_rc 0 "the existing registry still answers"

# an existing empty file is not the import's to remove either
: >empty.db
run import bad-ref.yaml --db empty.db
expect_rc 3 "import into an existing empty file"
if [ -e empty.db ]; then pass; else fail "an existing empty file was removed"; fi

# a dangling symlink is the user's, not the import's: it stays, and so
# does what SQLite created through it (the import did not create the path)
ln -s target.db link.db
run import bad-ref.yaml --db link.db
expect_rc 3 "import through a dangling symlink"
if [ -L link.db ]; then pass; else fail "the failed import removed the user's symlink"; fi

# a directory in the way is reported and left alone
mkdir dir.db
run import bad-ref.yaml --db dir.db
expect_rc 4 "import into a directory"
expect_contains "$ERR" "dir.db" "the error names the directory"
if [ -d dir.db ]; then pass; else fail "the directory was removed"; fi

# SQLite's in-memory registry is no file: nothing is created for it
run import "$EV/catalog.yaml" --db :memory:
expect_rc 0 "import into :memory:"
if [ -e :memory: ]; then fail "a file named :memory: was created"; else pass; fi

# every named file is checked before the first is read: a missing or
# unreadable one fails the import at once, named, even when a file read
# before it (in byte order) is bad too; a FIFO is not opened to check it
run import bad-yaml.yaml zz-missing.yaml --db ev.db
expect_rc 3 "import with a missing file"
expect_eq "$ERR" "credex: zz-missing.yaml: cannot open: No such file or directory" \
    "the missing file is named before the bad one is read"
cp "$EV/catalog.yaml" unreadable.yaml
chmod 000 unreadable.yaml
if [ "$(id -u)" -ne 0 ]; then
    run import "$EV/catalog.yaml" unreadable.yaml --db ev.db
    expect_rc 3 "import with an unreadable file"
    expect_contains "$ERR" "unreadable.yaml: cannot open: Permission denied" "the unreadable file is named"
fi
rm -f unreadable.yaml
mkfifo pipe.yaml
timeout 60 sh -c 'cat "$1" >pipe.yaml' sh "$EV/catalog.yaml" & # (no reader: gives up)
run import pipe.yaml --db fifo.db
wait
expect_rc 0 "import from a FIFO"
run import ev.db --db other.db # the registry named as a file to import: said so
expect_rc 3 "import of a registry file"
expect_eq "$ERR" "credex: ev.db: a SQLite file (a registry?), not a file to import; a registry is named with --db" \
    "a registry given as a file is named as one"
run import nothere.db "$EV/catalog.yaml" --db ev.db
expect_rc 3 "import of a missing .db"
expect_eq "$ERR" "credex: nothere.db: cannot open: No such file or directory (a registry is named with --db, not as a file to import)" \
    "a missing .db file gets the --db hint"
mkdir adir
run import "$EV/catalog.yaml" adir --db ev.db
expect_rc 3 "import of a directory"
expect_eq "$ERR" "credex: adir: cannot read: Is a directory" "a directory is refused before any file is read"
expect_eq "$(cksum <ev.db)" "$before" "the failed imports leave the registry byte-identical"

# a successful first import keeps its registry
run import "$EV/catalog.yaml" --db new.db
expect_rc 0 "a successful first import"
if [ -s new.db ]; then pass; else fail "a successful first import left no registry"; fi

finish
