# issue.sh -- `credex issue` (docs/signing.md, "Issuing badges"): the Open
# Badges 3.0 content of a met stack field by field; the VC-JWT verified by
# OpenSSL (an implementation credex does not share) and imported into a
# fresh registry as a verified award with its dates; a flipped bit refused;
# deterministic bytes; not met (exit 1, what is missing, nothing written);
# bad keys and bad command lines refused.
. "$SRC/tests/cli/lib.sh"
EV="$SRC/examples/ev-mechanic"
FX="$SRC/tests/fixtures/issue"
ISSUER=(--issuer-id https://riohondo.example/issuers/ev --issuer-name "Rio Hondo College")

run --db ev.db import "$EV/catalog.yaml" --quiet
expect_rc 0 "the EV catalog imports"
run --db wa.db import "$FX/catalog.yaml" --quiet
expect_rc 0 "the welding catalog imports"
run keys new --kid rh-2026 --out issuer.jwk
expect_rc 0 "an issuer key"
KEY=$WORK/issuer.jwk
printf '%s\n' "$OUT" >public.jwk
# The verifier's trust file names the issuer with its public key; its
# registry starts with California only.
printf 'issuers:\n  - id: https://riohondo.example/issuers/ev\n    keys:\n      - %s\n' "$OUT" >trust.yaml
printf 'version: 1\njurisdictions:\n  - { id: US-CA, name: California, kind: state }\n' >ca.yaml
EVI=(--db ev.db --rules "$EV/rules" --as-of 2026-06-01 issue "${ISSUER[@]}")
WAI=(--db wa.db --rules "$FX/pack.lua" --as-of 2026-01-01 issue "${ISSUER[@]}")

# field FILE PYTHON-EXPRESSION: the value of the expression over the
# credential c read from FILE, as JSON (compact, keys in their order).
field() {
    python3 -c 'import json,sys
c = json.load(open(sys.argv[1]))
print(json.dumps(eval(sys.argv[2]), separators=(",", ":"), ensure_ascii=False))' "$1" "$2"
}

# --- the EV example's met certificate, unsigned -------------------------
run "${EVI[@]}" --holder h-ca-0001 --stack CA-EV-TECH --format json
expect_rc 0 "h-ca-0001 meets CA-EV-TECH: issued"
printf '%s\n' "$OUT" >ev.json
expect_eq "$(wc -l <ev.json)" 1 "--format json: one compact line"
expect_eq "$(field ev.json 'c["@context"]')" \
    '["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]' \
    "@context: VC 2.0 and OB 3.0.3"
expect_eq "$(field ev.json 'c["type"]')" '["VerifiableCredential","OpenBadgeCredential"]' "type"
expect_eq "$(field ev.json 'list(c)')" \
    '["@context","id","type","name","issuer","validFrom","credentialSubject","evidence"]' \
    "the members, in order; no validUntil: the certificate never expires"
expect_eq "$(field ev.json 'c["name"]')" '"EV Technician Certificate"' "name"
expect_eq "$(field ev.json 'c["issuer"]')" \
    '{"id":"https://riohondo.example/issuers/ev","type":["Profile"],"name":"Rio Hondo College"}' \
    "issuer: the profile of --issuer-id and --issuer-name"
expect_eq "$(field ev.json 'c["validFrom"]')" '"2025-12-12T00:00:00Z"' \
    "validFrom: the stack award's issue date (its last component), at midnight UTC"
expect_eq "$(field ev.json 'c["credentialSubject"]["id"]')" '"urn:credex:holder:h-ca-0001"' \
    "credentialSubject.id: a holder id that is not an IRI, as a credex URN"
expect_eq "$(field ev.json 'c["credentialSubject"]["type"]')" '["AchievementSubject"]' "subject type"
CE=https://credentialengineregistry.org/resources/ce-9e3b7b41-575f-412f-817e-fd9dacab369d
expect_eq "$(field ev.json 'c["credentialSubject"]["achievement"]')" \
    '{"id":"'$CE'","type":["Achievement"],"name":"EV Technician Certificate","achievementType":"Certificate","criteria":{"narrative":"EV Technician Certificate (stack CA-EV-TECH): every requirement met, as set out in Rio Hondo College Catalog 2026-27, EV Technician Certificate (TOP 0948.40)"},"alignment":[{"type":["Alignment"],"targetName":"EV Technician Certificate","targetType":"ceterms:Credential","targetCode":"ce-9e3b7b41-575f-412f-817e-fd9dacab369d","targetUrl":"'$CE'"}]}' \
    "the achievement: the Credential Registry IRI of its ctid, type certificate as Certificate, the stack's name and citation, aligned to the registry"
expect_eq "$(field ev.json '[(e["id"], e["type"], e["name"], e["narrative"]) for e in c["evidence"]]')" \
    '[["urn:credex:award:h-ca-0001/CA-EVS-101/2024-12-13",["Evidence"],"Electric Vehicle High-Voltage Safety","CA-EVS-101, issued 2024-12-13"],["urn:credex:award:h-ca-0001/CA-EVB-201/2025-05-16",["Evidence"],"Electric Vehicle Battery Systems","CA-EVB-201, issued 2025-05-16"],["urn:credex:award:h-ca-0001/CA-EVD-202/2025-12-12",["Evidence"],"Electric Drive and Power Electronics","CA-EVD-202, issued 2025-12-12"]]' \
    "evidence: the three awards the decision used, in its order"
ID=$(field ev.json 'c["id"]')
case "$ID" in
'"urn:uuid:'[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-8[0-9a-f][0-9a-f][0-9a-f]-[89ab][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'"') pass ;;
*) fail "id: expected a version-8 urn:uuid, got $ID" ;;
esac

# Deterministic: the same inputs give the same bytes; another as-of date
# that decides the same gives the same credential; another issuer another id.
run "${EVI[@]}" --holder h-ca-0001 --stack CA-EV-TECH --format json
expect_eq "$OUT" "$(cat ev.json)" "a second run: the same bytes"
run --db ev.db --rules "$EV/rules" --as-of 2026-07-01 issue "${ISSUER[@]}" \
    --holder h-ca-0001 --stack CA-EV-TECH --format json
expect_eq "$OUT" "$(cat ev.json)" "a later as-of date, the same award: the same bytes"
run "${EVI[@]}" --holder h-ca-0001 --stack CA-EV-TECH --format json --issuer-name "Rio Hondo"
printf '%s\n' "$OUT" >ev-other.json
expect_not_contains "$(field ev-other.json 'c["id"]')" "${ID//\"/}" "another issuer name: another id"

# --- an expiring stack, an IRI holder, a type OB 3.0 lacks, a badge award --
run "${WAI[@]}" --holder did:example:welder-7 --stack WA-WELD-PASS --format json
expect_rc 0 "the welder meets WA-WELD-PASS"
printf '%s\n' "$OUT" >wa.json
expect_eq "$(field wa.json '[c["validFrom"], c["validUntil"]]')" \
    '["2025-06-30T00:00:00Z","2027-07-01T00:00:00Z"]' \
    "validUntil: the day after the award's expiry (2027-06-30), at midnight UTC"
expect_eq "$(field wa.json 'c["credentialSubject"]["id"]')" '"did:example:welder-7"' \
    "an IRI holder id is the subject id as it is"
expect_eq "$(field wa.json '[c["credentialSubject"]["achievement"][k] for k in ("id", "achievementType")]')" \
    '["urn:credex:credential:WA-WELD-PASS","ext:SkillsPassport"]' \
    "no ctid: a credex URN, and a type outside OB 3.0's enumeration as an extension"
expect_eq "$(field wa.json '"alignment" in c["credentialSubject"]["achievement"]')" false \
    "no ctid: no alignment"
expect_eq "$(field wa.json '[e["id"] for e in c["evidence"]]')" \
    '["urn:credex:award:did:example:welder-7/WA-WELD-1/2025-03-01","urn:uuid:7d9c4c52-2b7e-4d0e-9a53-0c6f3a1f2b10"]' \
    "evidence: an award read from a badge is named by its source_id"

# --- signed: verified by OpenSSL, read back by import -------------------
run "${EVI[@]}" --holder h-ca-0001 --stack CA-EV-TECH --key "$KEY" -o ev.jwt
expect_rc 0 "the signed badge"
expect_eq "$OUT" "" "-o: nothing on stdout"
IFS=. read -r HEAD PAYLOAD SIG <ev.jwt
# b64 TEXT: base64url decoded, to stdout.
b64() {
    python3 -c 'import base64,sys; s=sys.argv[1]; sys.stdout.buffer.write(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))' "$1"
}
expect_eq "$(b64 "$HEAD")" '{"alg":"EdDSA","kid":"rh-2026","typ":"JWT"}' "the JOSE header: EdDSA, the key's kid"
b64 "$PAYLOAD" >claims.json
expect_eq "$(field claims.json 'list(c)')" '["iss","sub","nbf","jti","vc"]' \
    "the claims (no exp: the certificate never expires)"
expect_eq "$(field claims.json '[c["iss"], c["sub"], c["nbf"], c["jti"] == c["vc"]["id"]]')" \
    '["https://riohondo.example/issuers/ev","urn:credex:holder:h-ca-0001",1765497600,true]' \
    "iss the issuer, sub the subject, nbf 2025-12-12T00:00:00Z, jti the credential's id"
python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["vc"], separators=(",", ":"), ensure_ascii=False))' claims.json >vc.json
expect_eq "$(cat vc.json)" "$(cat ev.json)" "the vc claim is the credential --format json prints"
# OpenSSL verifies the signature over "header.payload" with the public key:
# the JWK's x behind the Ed25519 SubjectPublicKeyInfo prefix.
printf '%s.%s' "$HEAD" "$PAYLOAD" >signing_input
b64 "$SIG" >sig.bin
X=$(field public.jwk 'c["x"]' | tr -d '"')
{ python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex("302a300506032b6570032100"))'; b64 "$X"; } >pub.der
openssl pkey -pubin -inform DER -in pub.der -out pub.pem 2>openssl.err
expect_eq "$(openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in signing_input -sigfile sig.bin 2>&1)" \
    "Signature Verified Successfully" "OpenSSL verifies the EdDSA signature"
run "${EVI[@]}" --holder h-ca-0001 --stack CA-EV-TECH --key "$KEY"
expect_eq "$OUT" "$(cat ev.jwt)" "a second run: the same JWT, byte for byte"

# A fresh registry, the issuer trusted: a verified award of the
# certificate (its CTID), issued on validFrom's date, never expiring.
run --db fresh.db import ca.yaml ev.jwt --trust trust.yaml --jurisdiction US-CA
expect_rc 0 "the badge imports into a fresh registry"
expect_eq "$OUT" "imported 2 files (jws 1, yaml 1) into fresh.db: 1 jurisdiction, 1 provider, 1 credential, 1 holder, 1 award (content version 1)" \
    "the import summary"
run --db fresh.db show holder urn:credex:holder:h-ca-0001 --format json
expect_eq "$OUT" '{"kind":"holder","id":"urn:credex:holder:h-ca-0001","jurisdiction":"US-CA","attributes":{},"awards":[{"id":"urn:credex:holder:h-ca-0001/ce-9e3b7b41-575f-412f-817e-fd9dacab369d/2025-12-12","credential":"ce-9e3b7b41-575f-412f-817e-fd9dacab369d","issued":"2025-12-12","jurisdiction":"US-CA","status":"active","provenance":{"format":"ob3","source_id":'"$ID"',"issuer":"https://riohondo.example/issuers/ev","proof":"jwt-EdDSA","verification":"verified"}}]}' \
    "show holder: a verified award of the certificate, issued 2025-12-12, no expiry"
run --db fresh.db show credential ce-9e3b7b41-575f-412f-817e-fd9dacab369d --format json
expect_contains "$OUT" '"name":"EV Technician Certificate","type":"certificate"' \
    "the credential: its name, and type certificate read back from Certificate"

# One bit flipped in the signature: refused, located, nothing written.
case "${SIG:10:1}" in A) flip=B ;; *) flip=A ;; esac
printf '%s.%s.%s%s%s\n' "$HEAD" "$PAYLOAD" "${SIG:0:10}" "$flip" "${SIG:11}" >flipped.jwt
run --db flipped.db import ca.yaml flipped.jwt --trust trust.yaml --jurisdiction US-CA
expect_rc 3 "a flipped bit: refused"
expect_eq "$ERR" "credex: flipped.jwt:1:1: bad signature: key 'rh-2026' of issuer 'https://riohondo.example/issuers/ev' does not verify this EdDSA token" \
    "a flipped bit: the located error"
if [ -e flipped.db ]; then fail "a flipped bit: a registry was written"; else pass; fi

# The expiring stack: validUntil read back as the expiry it came from.
run "${WAI[@]}" --holder did:example:welder-7 --stack WA-WELD-PASS --key "$KEY" -o wa.jwt
expect_rc 0 "the welding passport, signed"
IFS=. read -r HEAD PAYLOAD SIG <wa.jwt
b64 "$PAYLOAD" >wa-claims.json
expect_eq "$(field wa-claims.json '[c["nbf"], c["exp"], c["sub"]]')" '[1751241600,1814400000,"did:example:welder-7"]' \
    "nbf and exp: validFrom and validUntil as seconds; sub the holder's own IRI"
printf 'version: 1\njurisdictions:\n  - { id: US-WA, name: Washington, kind: state }\n' >wa-place.yaml
run --db fresh-wa.db import wa-place.yaml wa.jwt --trust trust.yaml --jurisdiction US-WA
expect_rc 0 "the passport imports"
run --db fresh-wa.db show holder did:example:welder-7 --format json
expect_contains "$OUT" '"credential":"urn:credex:credential:WA-WELD-PASS","issued":"2025-06-30","expires":"2027-06-30"' \
    "issued and expires read back as the stack award's dates"
expect_contains "$OUT" '"verification":"verified"' "verified"

# --- bad keys: exit 3, located, nothing issued --------------------------
printf '%s\n' "$(cat public.jwk)" >public-only.jwk
printf '{"kty":"EC","crv":"P-256","x":"a","y":"b","d":"c"}\n' >p256.jwk
printf '{"kty":"OKP",\n' >broken.jwk
for bad in "public-only.jwk:1:1: a public key where a private key is needed: the JWK has no 'd' (sign with the file credex keys new wrote, not its public JWK)" \
    "p256.jwk:1:8: kty 'EC': a signing key must be an Ed25519 key (kty OKP, crv Ed25519)" \
    "broken.jwk:2:1: "; do
    file=${bad%%:*}
    run "${EVI[@]}" --holder h-ca-0001 --stack CA-EV-TECH --key "$file" -o bad.jwt
    expect_rc 3 "$file: refused"
    expect_contains "$ERR" "credex: $bad" "$file: the located error"
    if [ -e bad.jwt ]; then fail "$file: a badge was written"; else pass; fi
done

# --- not met: exit 1, the decision with what is missing, nothing written --
run --db ev.db --rules "$EV/rules" --as-of 2026-06-01 audit --holder h-ca-0002 --stack CA-EV-TECH --format json
audit_json=$OUT
expect_contains "$audit_json" '"missing":["at_least(1) { \"CA-EVB-201\", \"CA-EVD-202\" }","shop hours"]' \
    "the audit says what is missing"
expect_contains "$audit_json" '{"requirement":"shop hours","need":120,"have":64,"unit":"hours"' \
    "and how far the hours are"
run "${EVI[@]}" --holder h-ca-0002 --stack CA-EV-TECH --format json -o never.json
expect_rc 1 "h-ca-0002 is in progress: not issued"
expect_eq "$OUT" "$audit_json" "the decision as audit --format json prints it"
if [ -e never.json ]; then fail "not met: --output was written"; else pass; fi
run --db wa.db --rules "$FX/pack.lua" --as-of 2026-01-01 audit --holder h-wa-2 --stack WA-WELD-PASS
AUDIT=$OUT
run "${WAI[@]}" --holder h-wa-2 --stack WA-WELD-PASS --format json -o never.json
expect_rc 1 "h-wa-2 lacks WA-WELD-2"
run "${WAI[@]}" --holder h-wa-2 --stack WA-WELD-PASS --key "$KEY" -o never.jwt
expect_rc 1 "not met, --format jwt"
expect_eq "$OUT" "$AUDIT" "the decision as audit prints it"
expect_contains "$OUT" "missing: WA-WELD-2" "what is missing"
if [ -e never.jwt ]; then fail "not met: --output was written"; else pass; fi

# --- usage --------------------------------------------------------------
run "${EVI[@]}" --holder h-ca-001 --stack CA-EV-TECH --format json
expect_rc 2 "an unknown holder"
expect_eq "$ERR" "credex: no holder 'h-ca-001' in the registry; did you mean 'h-ca-0001'?" \
    "an unknown holder: the nearest suggested"
run "${EVI[@]}" --holder h-ca-0001 --stack CA-EV-TEC --format json
expect_rc 2 "an unknown stack"
expect_eq "$ERR" "credex: no credential 'CA-EV-TEC' in the registry; did you mean 'CA-EV-TECH'?" \
    "an unknown stack: the nearest suggested"
run "${EVI[@]}" --holder h-ca-0001 --stack CA-EVS-101 --format json
expect_rc 2 "a credential no stack confers"
expect_eq "$ERR" "credex: no stack confers 'CA-EVS-101' in the rule packs loaded" \
    "a credential no stack confers: said so"
run --db ev.db --rules "$EV/rules" issue --holder h-ca-0001 --stack CA-EV-TECH --format json \
    --issuer-id riohondo --issuer-name "Rio Hondo College"
expect_rc 2 "an issuer id that is not an IRI"
expect_eq "$ERR" "credex: the issuer id 'riohondo' is not an IRI: expected a scheme and a colon, as in https://example.edu/issuers/1 or did:web:example.edu" \
    "an issuer id that is not an IRI: what is expected"
run --db ev.db --rules "$EV/rules" issue --holder h-ca-0001 --stack CA-EV-TECH --format json
expect_rc 2 "no issuer"
expect_contains "$ERR" "give the issuer: --issuer-id IRI and --issuer-name NAME" "no issuer: said so"
run "${EVI[@]}" --holder h-ca-0001 --stack CA-EV-TECH
expect_rc 2 "a signed badge without --key"
expect_contains "$ERR" "a signed badge needs the issuer's private key: --key FILE" "no key: said so"
run "${EVI[@]}" --holder h-ca-0001 --stack CA-EV-TECH --format text
expect_rc 2 "--format text"
expect_contains "$ERR" "unknown --format 'text' for 'issue'; expected one of: jwt json" \
    "--format: jwt or json"

finish
