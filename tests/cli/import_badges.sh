# import_badges.sh -- Open Badges 3.0 credentials through `credex import`
# (docs/interop.md, "Open Badges and CLR"): the holder, award, credential,
# dates, grade and provenance a user checks with `show`, the refusals
# with their located messages (registry unchanged), the import report,
# and a badge's provider and credential created only when new.
. "$SRC/tests/cli/lib.sh"
EV="$SRC/examples/ev-mechanic"
OB="$SRC/tests/fixtures/interop/ob3"
SUBJECT=did:example:ebfeb1f712ebc6f1c276e12ec21

run --db r.db import "$EV/catalog.yaml" --quiet
expect_rc 0 "the EV catalog imports"
cp r.db before.db

# refused FILE MESSAGE [OPTIONS...]: exit 3, the located message, nothing written
refused() {
    local file=$1 message=$2
    shift 2
    run --db r.db import "$file" "$@"
    expect_rc 3 "$(basename "$file") $*: refused"
    expect_eq "$ERR" "credex: $file$message" "$(basename "$file") $*: the located message"
    if cmp -s r.db before.db && [ ! -s r.db-wal ]; then pass; else fail "$file: registry changed"; fi
}

# Embedded proofs need RDF dataset canonicalization: refused, each named.
refused "$OB/simple.json" ": /proof: proof eddsa-rdfc-2022 not verified: credex does not compute RDF dataset canonicalization; --allow-unverified imports the award as unverified"
refused "$OB/simple-multiple-proofs.json" ": /proof: proof SomeProofType, eddsa-rdfc-2022 not verified: credex does not compute RDF dataset canonicalization; --allow-unverified imports the award as unverified"
refused "$OB/sd-derivedcredential.json" ": /proof: proof ecdsa-sd-2023 not verified: credex does not compute RDF dataset canonicalization; --allow-unverified imports the award as unverified" --jurisdiction US-TX
refused "$OB/simple-noproof.json" ": no proof: the credential is not signed; --allow-unverified imports the award as unverified"
# Allowed, the next errors show: no address and no --jurisdiction; no achievement;
# validUntil minus one second before the issue date.
refused "$OB/simple.json" ": /issuer: no jurisdiction for provider 'https://example.com/issuers/876543': the profile has no address with an addressCountryCode; give --jurisdiction J" --allow-unverified
refused "$OB/simple-noproof.json" ": /credentialSubject: expected an achievement (a mapping) in credentialSubject" --allow-unverified --jurisdiction US-TX
refused "$OB/simple-err-expired.json" ": /validUntil: 'expires' (2009-12-31) is before 'issued' (2010-01-01)" --allow-unverified --jurisdiction US-TX

# The minimal credential: an https achievement and issuer get x- ids, the
# DID holder keeps its own; unverified, with the reason.
run --db r.db import "$OB/simple.json" --allow-unverified --jurisdiction US-TX
expect_rc 0 "simple.json imports as unverified"
expect_eq "$OUT" "imported 1 file (json 1) into r.db: 1 provider, 1 credential, 1 holder, 1 award (content version 2)" \
    "the summary"
run --db r.db show holder "$SUBJECT" --format json
expect_eq "$OUT" '{"kind":"holder","id":"did:example:ebfeb1f712ebc6f1c276e12ec21","jurisdiction":"US-TX","attributes":{},"awards":[{"id":"did:example:ebfeb1f712ebc6f1c276e12ec21/x-62a61aa4d8ed5f4142aa/2010-01-01","credential":"x-62a61aa4d8ed5f4142aa","issued":"2010-01-01","jurisdiction":"US-TX","status":"active","provenance":{"format":"ob3","source_id":"http://example.com/credentials/3527","issuer":"https://example.com/issuers/876543","proof":"eddsa-rdfc-2022","verification":"unverified","note":"proof eddsa-rdfc-2022 not verified"}}]}' \
    "the holder, its award and provenance"
run --db r.db show holder "$SUBJECT"
expect_contains "$OUT" "provenance: ob3 http://example.com/credentials/3527 issuer https://example.com/issuers/876543 proof eddsa-rdfc-2022 unverified (proof eddsa-rdfc-2022 not verified)" \
    "show holder names the provenance"
expect_contains "$OUT" "$(printf '    issued      credential             status    where    hours  expires\n    2010-01-01  x-62a61aa4d8ed5f4142aa active    US-TX        -  no expiry')" \
    "show holder: the credential column is as wide as its longest id, so the columns line up"
run --db r.db show credential x-62a61aa4d8ed5f4142aa --format json
expect_eq "$OUT" '{"kind":"credential","id":"x-62a61aa4d8ed5f4142aa","name":"Teamwork","type":"achievement","provider":"x-81ad36b35993671f8181","jurisdiction":"US-TX","competencies":[],"tags":[],"codes":{},"attributes":{"source_iri":"https://example.com/achievements/21st-century-skills/teamwork"},"grade_scale":[]}' \
    "the achievement: a hashed id keeping its IRI, type achievement"
run --db r.db list providers --format json
expect_contains "$OUT" '{"id":"x-81ad36b35993671f8181","name":"Example Corp","jurisdiction":"US-TX"}' \
    "the issuer is created as a provider, in --jurisdiction"

# Re-importing the same credential replaces its award (the same source_id).
run --db r.db import "$OB/simple.json" --allow-unverified --jurisdiction US-TX
expect_rc 0 "a re-import"
run --db r.db show holder "$SUBJECT"
expect_contains "$OUT" "awards (1)" "a re-import adds nothing"

# A credential the registry has is kept as it is: a badge does not rename
# or move it. complete.json aligns its achievement to a Credential
# Registry credential (its CTID), grades it A on a D..A scale, expires
# 2030-01-01T00:00:00Z (the last day 2029-12-31) and gives the issuer's
# address (US, TX); its endorsements go to the report.
cat > degree.yaml <<'YAML'
credentials:
  - { id: ce-98cb027b-95ef-4494-908d-6f7790ec6b6b, name: Registry Degree, type: degree,
      provider: tstc-waco, jurisdiction: US-TX, grade_scale: [D, C, B, A] }
YAML
run --db r.db import degree.yaml --quiet
expect_rc 0 "a registry credential"
run --db r.db import "$OB/complete.json" --allow-unverified --report report.jsonl
expect_rc 0 "complete.json imports"
expect_eq "$OUT" "imported 1 file (json 1) into r.db: 1 provider, 1 holder, 1 award (content version 5)" \
    "the known credential is not defined again"
run --db r.db show credential ce-98cb027b-95ef-4494-908d-6f7790ec6b6b --format json
expect_contains "$OUT" '"name":"Registry Degree","type":"degree","provider":"tstc-waco"' \
    "the registry's credential is kept"
run --db r.db show holder "$SUBJECT" --format json
expect_contains "$OUT" '{"id":"did:example:ebfeb1f712ebc6f1c276e12ec21/ce-98cb027b-95ef-4494-908d-6f7790ec6b6b/2010-01-01","credential":"ce-98cb027b-95ef-4494-908d-6f7790ec6b6b","issued":"2010-01-01","expires":"2029-12-31","jurisdiction":"US-TX","status":"active","grade":"A","provenance":{"format":"ob3","source_id":"http://1edtech.edu/credentials/3732","issuer":"https://1edtech.edu/issuers/565049","proof":"eddsa-rdfc-2022","verification":"unverified","note":"proof eddsa-rdfc-2022 not verified"}}' \
    "the award: aligned CTID, expiry, LetterGrade result, provenance"
expect_eq "$(cat report.jsonl)" "{\"file\":\"$OB/complete.json\",\"pointer\":\"\",\"key\":\"endorsement\",\"why\":\"endorsements are not awards; skipped\"}
{\"file\":\"$OB/complete.json\",\"pointer\":\"/credentialSubject/achievement\",\"key\":\"endorsement\",\"why\":\"endorsements are not awards; skipped\"}
{\"file\":\"$OB/complete.json\",\"pointer\":\"/credentialStatus\",\"key\":null,\"why\":\"status not checked: only a status list among the inputs is read\"}" \
    "the endorsements and the unchecked 1EdTechRevocationList are reported"
run --db r.db list providers --format json
expect_contains "$OUT" '{"id":"x-6aae075fa6d2ebeeda88","name":"1EdTech University","jurisdiction":"US-TX"}' \
    "the creator's jurisdiction from its address"

# A new achievement: its type from achievementType, its grade scale from
# the LetterGrade result description.
cp before.db r.db
run --db r.db import "$OB/complete.json" --allow-unverified
expect_rc 0 "complete.json into a registry without the credential"
run --db r.db show credential ce-98cb027b-95ef-4494-908d-6f7790ec6b6b --format json
expect_eq "$OUT" '{"kind":"credential","id":"ce-98cb027b-95ef-4494-908d-6f7790ec6b6b","name":"1EdTech University Degree","type":"degree","provider":"x-6aae075fa6d2ebeeda88","jurisdiction":"US-TX","competencies":[],"tags":[],"codes":{},"attributes":{},"grade_scale":["D","C","B","A"]}' \
    "the achievement as a credential"

# Two badges of one issuer in one import: one provider. awardedDate is the
# issue date when present (not validFrom); a did:web subject keeps its id.
cp before.db r.db
run --db r.db import "$OB/complete.json" "$OB/bitstring-credential-status-revoked.json" --allow-unverified \
    --jurisdiction US-TX
expect_rc 0 "two badges of one issuer"
expect_eq "$OUT" "imported 2 files (json 2) into r.db: 1 provider, 2 credentials, 2 holders, 2 awards; 1 differing value ignored (--report FILE lists them) (content version 2)" \
    "one provider for both; the issuer's other name is counted (docs/interop.md, \"Several files, one import\")"
run --db r.db show holder did:web:dc.1edtech.org:wellspring2022:wellspring-portal:learner:6896f98f-6b42-4c75-98ec-8befd0dc0b29 --format json
expect_contains "$OUT" '"credential":"x-b547cb0f1438ccca9627","issued":"2023-05-22","jurisdiction":"US-TX","status":"active","provenance":{"format":"ob3","source_id":"https://dc.1edtech.org/wellspring2022/wellspring-portal/credential/54418d3f-ec01-4652-800a-861c890a51a1"' \
    "issued is awardedDate"

# An EndorsementCredential is not an award: skipped and reported.
cp before.db r.db
run --db r.db import "$OB/endorsement-valid.json" --report endorse.jsonl
expect_rc 0 "an endorsement is skipped"
expect_eq "$OUT" "imported 1 file (json 1) into r.db: nothing (content version 2)" "nothing imported"
expect_eq "$(cat endorse.jsonl)" "{\"file\":\"$OB/endorsement-valid.json\",\"pointer\":\"\",\"key\":null,\"why\":\"an EndorsementCredential is not an award; skipped\"}" \
    "the endorsement is reported"

# Variants, derived here (the fixtures stay unaltered): an unknown
# context, an unknown key (reported), an instant with an offset.
cp before.db r.db
sed 's#context-3.0.3.json#context-9.json#' "$OB/simple.json" > ctx.json
refused "$PWD/ctx.json" ": /@context/1: unknown @context 'https://purl.imsglobal.org/spec/ob/v3p0/context-9.json': credex reads only the Verifiable Credentials, Open Badges and CLR contexts (docs/interop.md)" --allow-unverified
sed 's#"name": "Teamwork Badge",#"name": "Teamwork Badge", "colour": "red",#; s#"validFrom": "2010-01-01T00:00:00Z"#"validFrom": "2010-01-01T01:30:00+02:00"#' \
    "$OB/simple.json" > variant.json
run --db r.db import variant.json --allow-unverified --jurisdiction US-TX --report variant.jsonl
expect_rc 0 "a variant imports"
expect_eq "$(cat variant.jsonl)" '{"file":"variant.json","pointer":"","key":"colour","why":"unknown key; not imported"}' \
    "an unknown key is reported with its pointer"
run --db r.db show holder "$SUBJECT" --format json
expect_contains "$OUT" '"issued":"2009-12-31"' "an instant's UTC date: 01:30+02:00 is the day before"

# VC-JWT: a compact JWS over the credential, verified against --trust.
# tests/fixtures/interop/jwt (make_jwt.py): simple.json's credential
# signed with the key trust.yaml gives its issuer; tampered, unknown-kid
# and untrusted forms of it. tests/fixtures/jws: tokens whose iss is not
# the credential's issuer, and HS256 with a public key.
JWT="$SRC/tests/fixtures/interop/jwt"
JWS="$SRC/tests/fixtures/jws"
cp before.db r.db
refused "$JWT/tampered.jwt" ":1:1: bad signature: key 'ex-1' of issuer 'https://example.com/issuers/876543' does not verify this EdDSA token" \
    --trust "$JWT/trust.yaml" --jurisdiction US-TX --allow-unverified
refused "$JWT/unknown-kid.jwt" ":1:1: JWS kid 'ex-9' names none of the keys of issuer 'https://example.com/issuers/876543'" \
    --trust "$JWT/trust.yaml" --jurisdiction US-TX
refused "$JWT/untrusted.jwt" ":1:1: issuer 'https://untrusted.example/issuers/9' is not in the trust file; --allow-unverified imports the award as unverified" \
    --trust "$JWT/trust.yaml" --jurisdiction US-TX
refused "$JWT/good.jwt" ":1:1: issuer 'https://example.com/issuers/876543' is not in the trust file (no --trust FILE given); --allow-unverified imports the award as unverified" \
    --jurisdiction US-TX
refused "$JWS/ed25519.jwt" ": /iss: iss 'https://1edtech.edu/issuers/565049' differs from the credential's issuer 'https://example.com/issuers/876543'" \
    --trust "$JWS/trust.yaml" --jurisdiction US-TX --allow-unverified
refused "$JWS/ed25519-wrong-key.jwt" ":1:1: bad signature: none of the 1 key(s) of issuer 'https://1edtech.edu/issuers/565049' for alg EdDSA verifies this token" \
    --trust "$JWS/trust.yaml" --jurisdiction US-TX
refused "$JWS/hs256-confusion.jwt" ":1:1: JWS alg 'HS256' is refused; expected EdDSA, ES256 or RS256 (public-key signatures: a symmetric alg such as HS256 is never accepted with public keys)" \
    --trust "$JWS/trust.yaml" --jurisdiction US-TX --allow-unverified
refused "$JWS/ed25519-short.jwt" ": a JWT whose payload is not an Open Badges 3.0 credential (nor has one as its vc claim) or an Open Badges 2.0 assertion" \
    --trust "$JWS/trust.yaml"

run --db r.db import "$JWT/good.jwt" --trust "$JWT/trust.yaml" --jurisdiction US-TX
expect_rc 0 "a good VC-JWT imports"
expect_eq "$OUT" "imported 1 file (jws 1) into r.db: 1 provider, 1 credential, 1 holder, 1 award (content version 2)" \
    "the summary names the format"
run --db r.db show holder "$SUBJECT" --format json
expect_eq "$OUT" '{"kind":"holder","id":"did:example:ebfeb1f712ebc6f1c276e12ec21","jurisdiction":"US-TX","attributes":{},"awards":[{"id":"did:example:ebfeb1f712ebc6f1c276e12ec21/x-62a61aa4d8ed5f4142aa/2010-01-01","credential":"x-62a61aa4d8ed5f4142aa","issued":"2010-01-01","jurisdiction":"US-TX","status":"active","provenance":{"format":"ob3","source_id":"http://example.com/credentials/3527","issuer":"https://example.com/issuers/876543","proof":"jwt-EdDSA","verification":"verified"}}]}' \
    "the award is verified"
run --db r.db show holder "$SUBJECT"
expect_contains "$OUT" "provenance: ob3 http://example.com/credentials/3527 issuer https://example.com/issuers/876543 proof jwt-EdDSA verified" \
    "show holder says verified"

# The credential itself as the payload (no vc claim, no iss): the issuer
# is the credential's.
cp before.db r.db
run --db r.db import "$JWT/bare.jwt" --trust "$JWT/trust.yaml" --jurisdiction US-TX
expect_rc 0 "a bare VC-JWT imports"
run --db r.db show holder "$SUBJECT" --format json
expect_contains "$OUT" '"proof":"jwt-EdDSA","verification":"verified"' "the bare token is verified"

# An issuer not in the trust file, allowed: unverified, with the reason.
run --db r.db import "$JWT/untrusted.jwt" --trust "$JWT/trust.yaml" --jurisdiction US-TX --allow-unverified
expect_rc 0 "an untrusted issuer, allowed"
run --db r.db show holder "$SUBJECT" --format json
expect_contains "$OUT" '"issuer":"https://untrusted.example/issuers/9","proof":"jwt-EdDSA","verification":"unverified","note":"issuer not in the trust file"' \
    "unverified, with the reason"

# An issuer that is a number, not an IRI, is refused at it.
cp before.db r.db
sed 's#"issuer": {#"issuer": 5, "x-issuer": {#' "$OB/simple.json" > number.json
refused "$PWD/number.json" ": /issuer: expected an issuer (an IRI or a profile)" --allow-unverified --jurisdiction US-TX

# achievementType in kebab case; fractional seconds; a date that is not
# an instant is a located error.
cp before.db r.db
sed 's#"name": "Teamwork"#"name": "Teamwork", "achievementType": "ext:HTMLMicroCredential"#; s#"validFrom": "2010-01-01T00:00:00Z"#"validFrom": "2010-01-01T23:59:59.999Z"#' \
    "$OB/simple.json" > kebab.json
run --db r.db import kebab.json --allow-unverified --jurisdiction US-TX
expect_rc 0 "an extension achievementType"
run --db r.db show credential x-62a61aa4d8ed5f4142aa --format json
expect_contains "$OUT" '"type":"html-micro-credential"' "its local name in kebab case"
run --db r.db show holder "$SUBJECT" --format json
expect_contains "$OUT" '"issued":"2010-01-01"' "fractional seconds"
cp before.db r.db
sed 's#"validFrom": "2010-01-01T00:00:00Z"#"validFrom": "2010-01-01 00:00"#' "$OB/simple.json" > when.json
refused "$PWD/when.json" ": /validFrom: invalid validFrom '2010-01-01 00:00': expected an RFC 3339 instant (2010-01-01T00:00:00Z) or a date" \
    --allow-unverified --jurisdiction US-TX

# Status lists: a BitstringStatusListEntry is checked when its status list
# credential is among the inputs, in any order, matched by id. The
# samples' ids differ (the entry names the list by the URL it was
# published at, the list calls itself https://example.com/credentials/
# status/3): not checked, reported. With the list's id made the entry's
# URL, bit 23 is set: revoked, checked as of the list's validFrom.
cp before.db r.db
REVOKED="$OB/bitstring-credential-status-revoked.json"
LEARNER=did:web:dc.1edtech.org:wellspring2022:wellspring-portal:learner:6896f98f-6b42-4c75-98ec-8befd0dc0b29
LIST_URL=https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist
run --db r.db import "$REVOKED" "$OB/bitstring-testlist.json" --allow-unverified --jurisdiction US-TX --report status.jsonl
expect_rc 0 "a list of another id"
expect_eq "$(cat status.jsonl)" "{\"file\":\"$REVOKED\",\"pointer\":\"/credentialStatus\",\"key\":\"statusListCredential\",\"why\":\"status not checked: its status list credential is not among the inputs\"}" \
    "the unchecked status is reported"
run --db r.db show holder "$LEARNER" --format json
expect_contains "$OUT" '"status":"active","provenance"' "not checked: active"
expect_not_contains "$OUT" "status_checked" "not checked: no status_checked"
sed "s#\"id\": \"https://example.com/credentials/status/3\"#\"id\": \"$LIST_URL\"#" "$OB/bitstring-testlist.json" > list.json
run --db r.db import list.json "$REVOKED" --allow-unverified --jurisdiction US-TX
expect_rc 0 "the list first, then the credential"
expect_eq "$OUT" "imported 2 files (json 2) into r.db: 1 holder, 1 award (content version 3)" "the list imports nothing itself"
run --db r.db show holder "$LEARNER" --format json
expect_contains "$OUT" '"status":"revoked","provenance":{"format":"ob3","source_id":"https://dc.1edtech.org/wellspring2022/wellspring-portal/credential/54418d3f-ec01-4652-800a-861c890a51a1","issuer":"https://1edtech.edu/issuers/565049","proof":"eddsa-rdfc-2022","verification":"unverified","note":"proof eddsa-rdfc-2022 not verified","status_checked":"2021-04-05"}' \
    "bit 23 set: revoked, checked as of the list's date"
run --db r.db show holder "$LEARNER"
expect_contains "$OUT" "status checked 2021-04-05" "show holder says when"
sed 's#"statusListIndex": 23#"statusListIndex": 22#' "$REVOKED" > clear.json
run --db r.db import "$PWD/clear.json" list.json --allow-unverified --jurisdiction US-TX
expect_rc 0 "a clear bit"
run --db r.db show holder "$LEARNER" --format json
expect_contains "$OUT" '"status":"active"' "bit 22 clear: active"
expect_contains "$OUT" '"status_checked":"2021-04-05"' "and checked"
cp r.db before-status.db
sed 's#"statusListIndex": 23#"statusListIndex": 131072#' "$REVOKED" > past.json
run --db r.db import "$PWD/past.json" list.json --allow-unverified --jurisdiction US-TX
expect_rc 3 "an index past the list"
expect_contains "$ERR" "credex: $PWD/past.json: /credentialStatus/statusListIndex: statusListIndex 131072 is out of range" \
    "located at the index"
if cmp -s r.db before-status.db; then pass; else fail "an index past the list: registry changed"; fi

# CLR 2.0: one award per embedded credential, for the CLR's subject, with
# provenance clr2; the bare achievements are credentials (definitions, not
# awards); the association goes to the report.
CLR="$SRC/tests/fixtures/interop/clr2/simple.json"
cp before.db r.db
refused "$CLR" ": /proof: proof eddsa-rdfc-2022 not verified: credex does not compute RDF dataset canonicalization; --allow-unverified imports the award as unverified" \
    --jurisdiction US-TX
run --db r.db import "$CLR" --allow-unverified --jurisdiction US-TX --report clr.jsonl
expect_rc 0 "a CLR imports"
expect_eq "$OUT" "imported 1 file (json 1) into r.db: 2 providers, 3 credentials, 1 holder, 1 award (content version 2)" \
    "one award; the bare achievements are credentials"
run --db r.db show holder "$SUBJECT" --format json
expect_eq "$OUT" '{"kind":"holder","id":"did:example:ebfeb1f712ebc6f1c276e12ec21","jurisdiction":"US-TX","attributes":{},"awards":[{"id":"did:example:ebfeb1f712ebc6f1c276e12ec21/x-62a61aa4d8ed5f4142aa/2010-01-01","credential":"x-62a61aa4d8ed5f4142aa","issued":"2010-01-01","jurisdiction":"US-TX","status":"active","provenance":{"format":"clr2","source_id":"http://example.com/credentials/3527","issuer":"https://example.com/issuers/876543","proof":"eddsa-rdfc-2022","verification":"unverified","note":"proof eddsa-rdfc-2022 not verified"}}]}' \
    "the embedded credential's award"
run --db r.db show credential urn:uuid:a7467ef6-56cb-11ec-bf63-0242ac130002 --format json
expect_contains "$OUT" '"name":"Achievement 1","type":"achievement","provider":"x-' "a bare achievement"
expect_eq "$(cat clr.jsonl)" "{\"file\":\"$CLR\",\"pointer\":\"/credentialSubject/association/0\",\"key\":null,\"why\":\"association: not imported (drafting material)\"}" \
    "the association is reported"

# Two files of one credential (the same VC id) in one import: an error
# naming both places.
cp before.db r.db
run --db r.db import "$OB/simple-multiple-proofs.json" "$OB/simple.json" --allow-unverified --jurisdiction US-TX
expect_rc 3 "one VC id in two files"
expect_eq "$ERR" "credex: $OB/simple.json: /id: source_id 'http://example.com/credentials/3527' is given twice in this import (first at $OB/simple-multiple-proofs.json: /id)" \
    "the second names the first by its pointer"
if cmp -s r.db before.db; then pass; else fail "one VC id in two files: registry changed"; fi

# An embedded credential about another subject is an error of that item;
# one achievement id defined twice differently, of every item using it.
cp before.db r.db
sed '48s/ebfeb1f712ebc6f1c276e12ec21/someone-else/' "$CLR" > other.json
refused "$PWD/other.json" ": /credentialSubject/verifiableCredential/0/credentialSubject/id: the credential is about 'did:example:someone-else', not the CLR's subject 'did:example:ebfeb1f712ebc6f1c276e12ec21'" \
    --allow-unverified --jurisdiction US-TX
sed '78s#urn:uuid:a7467ef6-56cb-11ec-bf63-0242ac130002#https://example.com/achievements/21st-century-skills/teamwork#' "$CLR" > twice.json
refused "$PWD/twice.json" ": /credentialSubject/verifiableCredential/0/credentialSubject/achievement: achievement 'https://example.com/achievements/21st-century-skills/teamwork' is defined differently at /credentialSubject/achievement/0 in this file" \
    --allow-unverified --jurisdiction US-TX
run --db r.db import twice.json --allow-unverified --jurisdiction US-TX --skip-invalid --report twice.jsonl
expect_rc 0 "--skip-invalid leaves the conflicting items out"
expect_eq "$OUT" "imported 1 file (json 1) into r.db: 1 provider, 1 credential, 1 holder (content version 2)" \
    "only the other bare achievement is imported"
expect_eq "$(cat twice.jsonl)" '{"file":"twice.json","pointer":"/credentialSubject/verifiableCredential/0/credentialSubject/achievement","key":null,"why":"achievement '"'"'https://example.com/achievements/21st-century-skills/teamwork'"'"' is defined differently at /credentialSubject/achievement/0 in this file"}
{"file":"twice.json","pointer":"/credentialSubject/achievement/0","key":null,"why":"achievement '"'"'https://example.com/achievements/21st-century-skills/teamwork'"'"' is defined differently at /credentialSubject/verifiableCredential/0/credentialSubject/achievement in this file"}
{"file":"twice.json","pointer":"/credentialSubject/association/0","key":null,"why":"association naming an achievement not in this file: not imported"}' \
    "both items and the dangling association are reported"

# Open Badges 2.0: an Assertion, its BadgeClass and Issuer among the
# inputs (any order). The recipient is a hashed e-mail: --holders names
# its holder (sha256 of identity and salt recomputed); the address itself
# is stored nowhere. Hosted verification is never fetched: unverified.
O2="$SRC/tests/fixtures/interop/ob2"
printf 'identity,holder\nsomeone@example.org,h-other\nnobody@example.org,h-beth\n' > holders.csv
cp before.db r.db
refused "$O2/basic-assertion.json" ": /verification: hosted verification not checked: credex never fetches; --allow-unverified imports the award as unverified" \
    --jurisdiction US-TX --holders holders.csv
refused "$O2/basic-assertion.json" ": /recipient: a recipient identity needs --holders FILE (CSV identity,holder) to name its holder; identities are never stored" \
    --allow-unverified --jurisdiction US-TX
printf 'identity,holder\nsomeone@example.org,h-other\n' > few.csv
refused "$O2/basic-assertion.json" ": /recipient: no identity in few.csv matches this recipient" \
    --allow-unverified --jurisdiction US-TX --holders few.csv
refused "$O2/robotics-badge.json" ": /issuer: unknown provider 'x-97ba0c9046a4d0f9e19c'; define it in a catalog first" \
    --allow-unverified --jurisdiction US-TX
run --db r.db import "$O2/organization.json" "$O2/basic-assertion.json" "$O2/robotics-badge.json" \
    --allow-unverified --jurisdiction US-TX --holders holders.csv
expect_rc 0 "an assertion with its badge class and issuer"
expect_eq "$OUT" "imported 3 files (json 3) into r.db: 1 provider, 1 credential, 1 holder, 1 award (content version 2)" \
    "the summary"
run --db r.db show holder h-beth --format json
expect_eq "$OUT" '{"kind":"holder","id":"h-beth","jurisdiction":"US-TX","attributes":{},"awards":[{"id":"h-beth/x-c512e7ec22cc8c17c665/2016-12-31","credential":"x-c512e7ec22cc8c17c665","issued":"2016-12-31","jurisdiction":"US-TX","status":"active","evidence":"https://example.org/beths-robot-work.html","provenance":{"format":"ob2","source_id":"https://example.org/beths-robotics-badge.json","proof":"hosted","verification":"unverified","note":"hosted verification not checked: credex never fetches"}}]}' \
    "the recipient's holder, the award and its provenance"
run --db r.db show credential x-c512e7ec22cc8c17c665 --format json
expect_eq "$OUT" '{"kind":"credential","id":"x-c512e7ec22cc8c17c665","name":"Awesome Robotics Badge","type":"badge","provider":"x-97ba0c9046a4d0f9e19c","jurisdiction":"US-TX","competencies":[],"tags":[],"codes":{},"attributes":{"source_iri":"https://example.org/robotics-badge.json"},"grade_scale":[]}' \
    "the badge class as a credential of type badge"
run --db r.db list providers --format json
expect_contains "$OUT" '{"id":"x-97ba0c9046a4d0f9e19c","name":"An Example Badge Issuer","jurisdiction":"US-TX"}' \
    "the issuer as a provider"
if grep -q "nobody@example.org" r.db; then fail "the e-mail address is stored"; else pass; fi
# expires 2022-11-15T23:59:59Z: the last day 2022-11-15; the same
# assertion id replaces the award.
run --db r.db import "$O2/basic-assertion-expired.json" --allow-unverified --holders holders.csv
expect_rc 0 "the expired assertion"
run --db r.db show holder h-beth --format json
expect_contains "$OUT" '"issued":"2016-12-31","expires":"2022-11-15"' "its expiry"
expect_contains "$OUT" '"awards":[{"id":"h-beth/x-c512e7ec22cc8c17c665/2016-12-31"' "one award"
# An embedded badge class; the endorsements reported.
run --db r.db import "$O2/assertion-with-endorsements.json" --allow-unverified --jurisdiction US-TX \
    --holders holders.csv --report o2.jsonl
expect_rc 0 "an embedded badge class"
run --db r.db show holder h-beth --format json
expect_contains "$OUT" '"credential":"x-b449b202ab508a0fb427","issued":"2016-12-31","jurisdiction":"US-TX","status":"active","evidence":"https://example.org/beths-robot-work.html","provenance":{"format":"ob2","source_id":"https://example.org/beths-robotics-badge.json","issuer":"https://example.org/organization.json"' \
    "the award names the badge class's issuer"
expect_eq "$(cat o2.jsonl)" "{\"file\":\"$O2/assertion-with-endorsements.json\",\"pointer\":\"/badge\",\"key\":\"endorsement\",\"why\":\"endorsements are not awards; skipped\"}
{\"file\":\"$O2/assertion-with-endorsements.json\",\"pointer\":\"\",\"key\":\"endorsement\",\"why\":\"endorsements are not awards; skipped\"}" \
    "the endorsements are reported"

# A RevocationList among the inputs revokes the assertions it lists (by
# id; the sample lists other ids: nothing changes).
cp before.db r.db
run --db r.db import "$O2/basic-assertion.json" "$O2/revocation-list.json" "$O2/robotics-badge.json" "$O2/organization.json" \
    --allow-unverified --jurisdiction US-TX --holders holders.csv
expect_rc 0 "a revocation list of other assertions"
run --db r.db show holder h-beth --format json
expect_contains "$OUT" '"status":"active"' "not listed: active"
sed 's#https://example.org/beths-robotics-badge-revoked.json#https://example.org/beths-robotics-badge.json#' \
    "$O2/revocation-list.json" > revoked.json
run --db r.db import revoked.json "$O2/basic-assertion.json" "$O2/robotics-badge.json" \
    --allow-unverified --jurisdiction US-TX --holders holders.csv
expect_rc 0 "a revocation list naming the assertion"
run --db r.db show holder h-beth --format json
expect_contains "$OUT" '"status":"revoked","evidence":"https://example.org/beths-robot-work.html","provenance":{"format":"ob2","source_id":"https://example.org/beths-robotics-badge.json","proof":"hosted","verification":"unverified","note":"hosted verification not checked: credex never fetches"}}' \
    "listed: revoked (a RevocationList has no date: no status_checked)"

# A signed Open Badges 2.0 assertion is verified against the issuer of its
# badge class, which must be among the inputs (any order).
cp before.db r.db
refused "$O2/simple.jwt" ":1:1: issuer 'https://example.org/organization.json' is not in the trust file (no --trust FILE given); --allow-unverified imports the award as unverified" \
    "$O2/robotics-badge.json" "$O2/organization.json" --holders holders.csv --jurisdiction US-TX
refused "$JWT/ob2-forged.jwt" ":1:1: bad signature: none of the 1 key(s) of issuer 'https://example.org/organization.json' for alg EdDSA verifies this token" \
    "$O2/robotics-badge.json" "$O2/organization.json" --holders holders.csv --jurisdiction US-TX --trust "$JWT/trust.yaml"
run --db r.db import "$O2/organization.json" "$JWT/ob2-signed.jwt" "$O2/robotics-badge.json" \
    --holders holders.csv --jurisdiction US-TX --trust "$JWT/trust.yaml"
expect_rc 0 "a signed assertion of a trusted issuer"
expect_eq "$OUT" "imported 3 files (json 2, jws 1) into r.db: 1 provider, 1 credential, 1 holder, 1 award (content version 2)" \
    "the summary"
run --db r.db show holder h-beth --format json
expect_eq "$OUT" '{"kind":"holder","id":"h-beth","jurisdiction":"US-TX","attributes":{},"awards":[{"id":"h-beth/x-c512e7ec22cc8c17c665/2016-12-31","credential":"x-c512e7ec22cc8c17c665","issued":"2016-12-31","jurisdiction":"US-TX","status":"active","evidence":"https://example.org/beths-robot-work.html","provenance":{"format":"ob2","source_id":"https://example.org/beths-robotics-badge.json","issuer":"https://example.org/organization.json","proof":"jwt-EdDSA","verification":"verified"}}]}' \
    "verified by the badge class's issuer"
cp before.db r.db
run --db r.db import "$O2/simple.jwt" "$O2/robotics-badge.json" "$O2/organization.json" --holders holders.csv \
    --jurisdiction US-TX --allow-unverified
expect_rc 0 "the sample, its issuer untrusted, allowed"
run --db r.db show holder h-beth --format json
expect_contains "$OUT" '"issuer":"https://example.org/organization.json","proof":"jwt-RS256","verification":"unverified","note":"issuer not in the trust file"' \
    "unverified, with the reason"

finish
