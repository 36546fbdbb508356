# provenance.sh -- awards with provenance (docs/catalog.md, "provenance";
# docs/registry.md, schema 3): import, show holder in text and JSON, a
# decision's used entries and reasons under verified = true, re-import by
# source_id, the located errors of a bad provenance mapping, and a
# registry written by the schema-2 build migrating with its awards intact.
. "$SRC/tests/cli/lib.sh"
FIX="$SRC/tests/cli/fixtures"
CAT="$SRC/tests/rules/provenance/catalog.yaml"
PACK="$SRC/tests/rules/provenance/packs/verified.lua"
command -v sqlite3 >/dev/null || fail "the sqlite3 command (Debian sqlite3) is needed"

run --db p.db import "$CAT" "$FIX/provenance.yaml"
expect_rc 0 "import awards with provenance"

# --- show holder: a line under each award with provenance, none without
run --db p.db show holder h-prov
expect_rc 0 "show holder"
expect_eq "$OUT" "holder h-prov
  jurisdiction    US-A
  awards (3)
    issued      credential     status    where    hours  expires
    2025-01-10  BADGE-A        active    US-A        10  no expiry
      provenance: ob3 urn:uuid:badge-1 issuer did:web:college-a.example proof Ed25519Signature2020 unverified (proof eddsa-rdfc-2022 not verified)
    2025-02-10  BADGE-B        active    US-A        10  no expiry
      provenance: clr2 urn:uuid:badge-2 issuer did:web:college-a.example proof none verified status checked 2026-05-01
    2025-03-10  BADGE-C        active    US-B        10  no expiry" "show holder text"
run --db p.db show holder h-prov --format json
expect_contains "$OUT" '"status":"active","provenance":{"format":"ob3","source_id":"urn:uuid:badge-1","issuer":"did:web:college-a.example","proof":"Ed25519Signature2020","verification":"unverified","note":"proof eddsa-rdfc-2022 not verified"}}' \
    "JSON: the provenance object, keys in order"
expect_contains "$OUT" '"provenance":{"format":"clr2","source_id":"urn:uuid:badge-2","issuer":"did:web:college-a.example","proof":"none","verification":"verified","status_checked":"2026-05-01"}}' \
    "JSON: absent members omitted"
expect_contains "$OUT" '{"id":"h-prov/BADGE-C/2025-03-10","credential":"BADGE-C","issued":"2025-03-10","jurisdiction":"US-B","hours":10,"status":"active"}' \
    "JSON: an award without provenance has no provenance member"

# --- decisions: used entries gain verification; an unverified award says why
run --db p.db audit --holder h-prov --stack CERT-SLOT-ANY --rules "$PACK" --as-of 2026-06-01 --format json
expect_contains "$OUT" '"used":[{"award":"h-prov/BADGE-A/2025-01-10","credential":"BADGE-A","slot":"BADGE-A","via":"direct","verification":"unverified"},{"award":"h-prov/BADGE-B/2025-02-10","credential":"BADGE-B","slot":"BADGE-B","via":"direct","verification":"verified"}]' \
    "used entries carry the award's verification"
run --db p.db audit --holder h-prov --stack CERT-SLOT-ANY --rules "$PACK" --as-of 2026-06-01 --explain
expect_contains "$OUT" "  used: h-prov/BADGE-A/2025-01-10 (BADGE-A) for BADGE-A, unverified" "--explain: used, unverified"
expect_contains "$OUT" "  used: h-prov/BADGE-B/2025-02-10 (BADGE-B) for BADGE-B, verified" "--explain: used, verified"
run --db p.db audit --holder h-prov --stack CERT-SLOT --rules "$PACK" --as-of 2026-06-01 --format json
expect_contains "$OUT" '"status":"in_progress"' "the verified slot is not filled by the unverified badge"
expect_contains "$OUT" '"reasons":[{"code":"unverified","message":"award h-prov/BADGE-A/2025-01-10 is unverified: proof eddsa-rdfc-2022 not verified"}]' \
    "the reason names the award and why it is unverified"
expect_contains "$OUT" '"missing":["BADGE-A"]' "missing names the slot"
run --db p.db audit --holder h-prov --stack CERT-SLOT --rules "$PACK" --as-of 2026-06-01
expect_contains "$OUT" "  because: award h-prov/BADGE-A/2025-01-10 is unverified: proof eddsa-rdfc-2022 not verified" \
    "text: the reason"

# the reason only where the option kept a requirement from holding
cat >more.yaml <<'YAML'
version: 1
holders:
  - id: h-both
    awards:
      - { credential: BADGE-A, issued: 2025-01-10, provenance: { format: ob3, verification: unverified, note: n1 } }
      - { credential: BADGE-A, issued: 2025-01-12, provenance: { format: ob3, verification: verified } }
  - id: h-hours
    awards:
      - { credential: BADGE-A, issued: 2025-01-10, provenance: { format: ob3, verification: verified } }
      - { credential: BADGE-B, issued: 2025-01-12, provenance: { format: ob3, verification: unverified, note: n2 } }
YAML
run --db p.db import more.yaml --quiet
run --db p.db audit --holder h-both --stack CERT-SLOT --rules "$PACK" --as-of 2026-06-01 --format json
expect_contains "$OUT" '"reasons":[],' "a verified award filled the slot: no unverified reason for the other"
expect_contains "$OUT" '"missing":["BADGE-B"]' "the slot still missing is named"
run --db p.db audit --holder h-hours --stack CERT-HOURS --rules "$PACK" --as-of 2026-06-01 --format json
expect_contains "$OUT" '"reasons":[{"code":"unverified","message":"award h-hours/BADGE-B/2025-01-12 is unverified: n2"}]' \
    "a total left short names the unverified award it did not count"
expect_contains "$OUT" '"missing":["20 verified course hours"]' "the total is missing by its label"

# a recognize rule with verified = true: the unverified award is a near miss
run --db u.db import "$CAT" "$FIX/provenance.yaml" --quiet
run --db u.db transfer --holder h-prov --to US-A --rules "$PACK" --as-of 2026-06-01 --format json
expect_contains "$OUT" '"award":"h-prov/BADGE-C/2025-03-10"' "the badge from state B is decided"
expect_contains "$OUT" '"status":"accepted"' "without provenance it is recognised"
run --db u.db transfer --holder h-prov-b --to US-A --rules "$PACK" --as-of 2026-06-01 --format json
expect_contains "$OUT" '"status":"not_recognized"' "the unverified badge from state B is not recognised"
expect_contains "$OUT" '"near_misses":[{"rule":"verified-badges-from-b","clause":"verified","detail":"award h-prov-b/BADGE-C/2025-03-10 is unverified: issuer not in the trust file"}]' \
    "the near miss names the clause verified and the note"

# what-if: verifying the badge meets the stack that insists on it; the copies
# what-if decides on keep every award's provenance (no other transition)
cat >verify.yaml <<'YAML'
holders:
  - id: h-prov
    jurisdiction: US-A
    awards:
      - credential: BADGE-A
        issued: 2025-01-10
        provenance: { format: ob3, source_id: "urn:uuid:badge-1", verification: verified }
      - credential: BADGE-B
        issued: 2025-02-10
        provenance: { format: clr2, source_id: "urn:uuid:badge-2", verification: verified }
YAML
run whatif verify.yaml --db u.db --rules "$PACK" --as-of 2026-06-01
expect_rc 0 "whatif of a verified badge"
expect_contains "$OUT" "audit CERT-SLOT: in_progress -> met: 1 holder (h-prov)" "the verified slot is met after"
expect_contains "$OUT" "transitions: 1 holder-stack audit, 0 equivalences, 0 recognitions" "nothing else moves"

# --- re-import by source_id: the award of urn:uuid:badge-1 moves
run --db p.db import "$FIX/provenance-reimport.yaml"
expect_rc 0 "re-import a credential with the same source_id"
run --db p.db show holder h-prov
expect_contains "$OUT" "  awards (2)" "the old award of urn:uuid:badge-1 is gone"
expect_not_contains "$OUT" "urn:uuid:badge-1" "h-prov no longer shows urn:uuid:badge-1"
run --db p.db show holder h-prov-2 --format json
expect_contains "$OUT" '"awards":[{"id":"badge-1-again","credential":"BADGE-A","issued":"2025-01-11","jurisdiction":"US-A","hours":10,"status":"active","provenance":{"format":"ob3","source_id":"urn:uuid:badge-1","verification":"verified"}}]' \
    "the re-imported award replaced it"
expect_eq "$(sqlite3 p.db "SELECT id FROM award WHERE prov_source_id = 'urn:uuid:badge-1'")" \
    badge-1-again "one award of urn:uuid:badge-1 in the registry"

# --- located errors
run --db bad.db import "$CAT" "$FIX/provenance-bad.yaml"
expect_rc 3 "an unknown provenance key"
expect_contains "$ERR" "provenance-bad.yaml:9:" "the unknown key is located"
expect_contains "$ERR" "signer" "the unknown key is named"
sed 's/verification: verified, signer: someone/verification: maybe/' "$FIX/provenance-bad.yaml" >bad-word.yaml
run --db bad.db import "$CAT" bad-word.yaml
expect_rc 3 "a verification that is not verified or unverified"
expect_contains "$ERR" "bad-word.yaml:9:50: invalid verification 'maybe'; expected one of: verified, unverified" "located"
sed 's/verification: verified, signer: someone/verification: verified, status_checked: 2026-02-30/' \
    "$FIX/provenance-bad.yaml" >bad-date.yaml
run --db bad.db import "$CAT" bad-date.yaml
expect_rc 3 "status_checked that is not a date"
expect_contains "$ERR" "bad-date.yaml:9:" "the bad date is located"
expect_contains "$ERR" "invalid date '2026-02-30' for 'status_checked'" "the bad date is named"
sed 's/{ format: ob3, verification: verified, signer: someone }/{ format: ob1, verification: verified }/' \
    "$FIX/provenance-bad.yaml" >bad-format.yaml
run --db bad.db import "$CAT" bad-format.yaml
expect_rc 3 "an unknown format"
expect_contains "$ERR" "invalid provenance format 'ob1'; expected one of: ob3, clr2, ob2, csv, yaml" "the formats listed"
cat "$FIX/provenance-reimport.yaml" >twice.yaml
printf '      - credential: BADGE-B\n        issued: 2025-01-12\n        provenance: { format: ob3, source_id: "urn:uuid:badge-1", verification: verified }\n' >>twice.yaml
run --db bad.db import "$CAT" twice.yaml
expect_rc 3 "one source_id twice in one import"
expect_contains "$ERR" "twice.yaml:15:" "the second is located"
expect_contains "$ERR" "source_id 'urn:uuid:badge-1' is given twice in this import (first at twice.yaml:12:" \
    "the first is named"

# --- a registry the schema-2 build wrote migrates; its awards show as before
sqlite3 v2.db <"$FIX/registry-v2.sql"
run show holder h-old --db v2.db
expect_rc 4 "a schema-2 registry asks for credex init"
expect_contains "$ERR" "registry schema version 2 is older than this credex (6); run \`credex init\` to migrate it" \
    "the message says so"
run init --db v2.db
expect_eq "$OUT" "registry v2.db ready (schema version 6)" "init migrates it"
expect_eq "$(sqlite3 v2.db 'PRAGMA user_version')" 6 "user_version after the migration"
{
    "$CREDEX" --db v2.db show holder h-old
    "$CREDEX" --db v2.db show holder h-old --format json
} >v2.show.txt 2>&1
expect_eq "$(cat v2.show.txt)" "$(cat "$FIX/registry-v2.show.txt")" "show holder as the schema-2 build showed it"
run --db v2.db import "$FIX/provenance.yaml"
expect_rc 0 "import awards with provenance into the migrated registry"
run --db v2.db show holder h-prov --format json
expect_contains "$OUT" '"verification":"unverified","note":"proof eddsa-rdfc-2022 not verified"' \
    "the migrated registry keeps provenance"
finish
