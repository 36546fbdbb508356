# export.sh -- `credex export` (docs/catalog.md, "Export"): export, import
# into an empty registry and export again gives the same bytes, on the
# ev-mechanic example, the stacking catalog and a catalog of strings YAML
# would misread if written plain; the re-imported registry shows the same
# entities; --only and --holder by content; the awards CSV; usage errors.
. "$SRC/tests/cli/lib.sh"

# round_trip NAME FILE...: imports FILE... into NAME-1.db, exports it,
# imports the export into the empty NAME-2.db, exports again: the same bytes.
round_trip() {
    name=$1
    shift
    "$CREDEX" --db "$WORK/$name-1.db" import "$@" >/dev/null || fail "$name: import the catalog"
    "$CREDEX" --db "$WORK/$name-1.db" export >"$WORK/$name-1.yaml" || fail "$name: first export"
    "$CREDEX" --db "$WORK/$name-2.db" import "$WORK/$name-1.yaml" >/dev/null ||
        fail "$name: import the export into an empty registry"
    "$CREDEX" --db "$WORK/$name-2.db" export >"$WORK/$name-2.yaml" || fail "$name: second export"
    if cmp -s "$WORK/$name-1.yaml" "$WORK/$name-2.yaml"; then pass; else
        fail "$name: the second export differs: $(diff "$WORK/$name-1.yaml" "$WORK/$name-2.yaml")"
    fi
    expect_eq "$(head -n 1 "$WORK/$name-1.yaml")" "version: 1" "$name: a version-1 catalog"
}

# same_show NAME KIND ID: both registries of NAME show the entity alike.
same_show() {
    run --db "$WORK/$1-1.db" show "$2" "$3" --format json
    before=$OUT
    run --db "$WORK/$1-2.db" show "$2" "$3" --format json
    expect_eq "$OUT" "$before" "$1: $2 $3 is the same after the round trip"
}

round_trip ev "$SRC/examples/ev-mechanic/catalog.yaml"
round_trip stacking "$SRC/tests/rules/stacking/catalog.yaml" "$SRC/tests/rules/stacking/exceptions.yaml"
round_trip hostile "$SRC/tests/cli/export/hostile.yaml"
# provenance (docs/catalog.md) goes out and comes back with its award
round_trip provenance "$SRC/tests/rules/provenance/catalog.yaml" "$SRC/tests/cli/fixtures/provenance.yaml"
same_show provenance holder h-prov
expect_contains "$(cat "$WORK/provenance-1.yaml")" "        provenance:
          format: clr2
          source_id: urn:uuid:badge-2
          issuer: did:web:college-a.example
          proof: none
          verification: verified
          status_checked: 2026-05-01" "provenance: exported in the catalog's key order"
for h in h-tx-0001 h-tx-0002 h-ca-0003 h-nv-0001; do same_show ev holder "$h"; done
for c in TX-EVS-101 CA-EV-TECH; do same_show ev credential "$c"; done
same_show ev group EVC
same_show stacking holder h-oh-0103
for c in 2024-01-01 OK; do same_show hostile credential "$c"; done
for h in 0777 nulL yes; do same_show hostile holder "$h"; done
same_show hostile group false
run --db "$WORK/hostile-1.db" list providers --format csv
before=$OUT
run --db "$WORK/hostile-2.db" list providers --format csv
expect_eq "$OUT" "$before" "hostile: the providers are the same after the round trip"

# --- how the hostile strings are written -----------------------------------
H=$(cat "$WORK/hostile-1.yaml")
expect_contains "$H" '  - id: "yes"
    name: "nULL"
    kind: "~ "' "words YAML reads as booleans or null are quoted, trailing spaces kept"
expect_contains "$H" '  - id: "1.0"
    name: "0777"
    kind: "2024-01-01"' "numbers, octals and dates in text are quoted"
expect_contains "$H" '    name: ": x"
    kind: "# c"' "indicators first are quoted"
expect_contains "$H" '    name: "tab\there, bell\a, nul-free \x01\x1F\x7F"
    kind: "line\nbreak\r\n"' "control characters are escaped"
expect_contains "$H" '    name: "next line\N line sep\L para sep\P bom\uFEFF"' \
    "line and paragraph separators and the BOM are escaped"
expect_contains "$H" '    name: déjà vu – 中文 😀' "non-ASCII text is plain"
expect_contains "$H" '    name: quote " backslash \ single '"'"' done' "quotes inside a plain string"
expect_contains "$H" '    hours: 179.50' "hours in hundredths form"
expect_contains "$H" '    tags: ["0o17", "1.5", "a:b", "on"]' "a flow list quotes what a flow needs"
expect_contains "$H" '      - id: given:id
        credential: OK' "a given award id is written"
expect_contains "$H" '      - credential: "2024-01-01"
        issued: 2025-01-02
        grade: "1.0"' "a default award id is left out"
expect_contains "$H" '    substitute:
      for: OK
      use: "2024-01-01"' "a substitution"

# --- --only ----------------------------------------------------------------
export CREDEX_DB="$WORK/ev-1.db"
sections() { printf '%s\n' "$1" | grep -v '^ ' | tr '\n' ' '; }
run export --only credentials
expect_rc 0 "--only credentials"
expect_eq "$(sections "$OUT")" "version: 1 credentials: " "--only credentials: one section"
expect_eq "$(printf '%s\n' "$OUT" | grep -c '^  - id: ')" 15 "--only credentials: every credential"
expect_eq "$(printf '%s\n' "$OUT" | grep '^  - id: ' | head -n 2 | tr '\n' ' ')" \
    "  - id: ASE-A1   - id: ASE-L3 " "--only credentials: in byte order of id"
run export --only jurisdictions
expect_eq "$(sections "$OUT")" "version: 1 jurisdictions: " "--only jurisdictions"
expect_eq "$(printf '%s\n' "$OUT" | grep -c '^  - id: ')" 6 "--only jurisdictions: all six"
run export --only groups
expect_eq "$(sections "$OUT")" "version: 1 groups: " "--only groups"
run export --only providers
expect_eq "$(printf '%s\n' "$OUT" | grep -c '^  - id: ')" 8 "--only providers: all eight"
run export --only frameworks
expect_eq "$(sections "$OUT")" "version: 1 frameworks: " "--only frameworks"
expect_eq "$(printf '%s\n' "$OUT" | grep -c '^      - id: ')" 21 "--only frameworks: with their competencies"
run export --only competencies
expect_eq "$(printf '%s\n' "$OUT" | grep -c '^      - id: ')" 21 "--only competencies: every competency"
run export --only exceptions
expect_eq "$(sections "$OUT")" "version: 1 exceptions: " "--only exceptions"
expect_eq "$(printf '%s\n' "$OUT" | grep -c '^  - holder: ')" 2 "--only exceptions: both"
run export --only holders
expect_eq "$(sections "$OUT")" "version: 1 holders: " "--only holders"
expect_eq "$(printf '%s\n' "$OUT" | grep -c '^  - id: ')" 8 "--only holders: all eight"
expect_eq "$(printf '%s\n' "$OUT" | grep -c '^      - credential: ')" 27 "--only holders: with their awards"
run --db "$WORK/hostile-1.db" export --only awards
expect_eq "$(printf '%s\n' "$OUT" | grep '^  - id: ' | tr '\n' ' ')" '  - id: "0777"   - id: "nulL" ' \
    "--only awards: the holders that have awards"

# --- --holder ----------------------------------------------------------------
run export --holder h-nv-0001
expect_rc 0 "--holder"
expect_eq "$(sections "$OUT")" "version: 1 holders: exceptions: " "--holder: the holder and its exceptions"
expect_eq "$(printf '%s\n' "$OUT" | grep -E '^  - (id|holder): ' | tr '\n' ' ')" \
    "  - id: h-nv-0001   - holder: h-nv-0001 " "--holder: nobody else"
expect_eq "$(printf '%s\n' "$OUT" | grep -c '^      - credential: ')" 4 "--holder: its four awards"
run export --holder h-tx-0001 --only exceptions
expect_eq "$OUT" "version: 1" "--holder with --only exceptions: h-tx-0001 has none"
run export --holder h-tx-0002 --only holders
expect_contains "$OUT" "      - credential: TX-EVB-201
        issued: 2022-02-11
        status: revoked
        evidence: TSTC academic integrity case AI-2023-0412" "--holder with --only holders: its awards"

# --- CSV ---------------------------------------------------------------------
run export --format csv
expect_rc 0 "--format csv"
expect_eq "$(printf '%s\n' "$OUT" | head -n 1 | tr -d '\r')" \
    "holder,credential,issued,expires,jurisdiction,hours,status,grade,evidence,result.english,result.reading" \
    "csv: the import columns, then the result keys in byte order"
expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 28 "csv: a header and a row per award"
expect_contains "$OUT" "h-tx-0002,TX-EVB-201,2022-02-11,,,,revoked,,TSTC academic integrity case AI-2023-0412" \
    "csv: a revoked award with its evidence"
run export --format csv --holder h-nv-0001 --only awards
expect_eq "$(printf '%s\n' "$OUT" | tr -d '\r' | sed -n '2p;5p' | tr '\n' ' ')" \
    "h-nv-0001,CA-EVB-201,2026-05-15,,,,active,B, h-nv-0001,NV-EVS-1,2025-02-07,2027-06-30,,,active,, " \
    "csv --holder: that holder's awards in id order"
run --db "$WORK/hostile-1.db" export --format csv --holder 0777
expect_contains "$OUT" '0777,2024-01-01,2025-01-02,,,,active,1.0,"# see: file
line two",18.5,7' "csv: a line break in quotes, results in their columns"

# --- an empty registry, usage errors ----------------------------------------
"$CREDEX" --db "$WORK/empty.db" init >/dev/null
run --db "$WORK/empty.db" export
expect_eq "$OUT" "version: 1" "an empty registry exports an empty catalog"
run export --only credential
expect_rc 2 "--only credential"
expect_contains "$ERR" "cannot export 'credential' (did you mean 'credentials'?)" "--only: the nearest part"
run export --holder h-tx-001
expect_rc 2 "an unknown --holder"
expect_contains "$ERR" "no holder 'h-tx-001' in the registry; did you mean 'h-tx-0001'?" "--holder: the nearest id"
run export --only groups --holder h-tx-0001
expect_rc 2 "--holder with --only groups"
run export --only credentials --format csv
expect_rc 2 "csv of credentials"
expect_contains "$ERR" "--format csv writes awards, not credentials" "csv holds awards only"
run export --format json
expect_rc 2 "--format json"
run export extra
expect_rc 2 "an argument"
finish
