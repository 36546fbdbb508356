#!/bin/bash
# signed_packs.sh -- credex pack sign and --pack-trust / --require-signed-packs
# (docs/signing.md): the same bytes twice, a signature OpenSSL verifies,
# every refusal (a flipped bit in the .sig or in the pack, a .sig of another
# pack, an authority or key the trust file does not hold, alg none, a key
# that is not Ed25519) with its located message and nothing decided, and
# every command that loads packs checking them.
. "$SRC/tests/cli/lib.sh"

cp -r "$SRC/examples/ev-mechanic" ev
DB="--db $WORK/ev.db"
run $DB import ev/catalog.yaml
expect_rc 0 "import the EV mechanic catalog"

run keys new --kid k1 --out k1.jwk --quiet
expect_rc 0 "keys new k1"
K1=$OUT
run keys new --kid k2 --out k2.jwk --quiet
K2=$OUT

EVC="EV Service Compact Commission"
CA="Rio Hondo College, Automotive Technology (CTE)"
ART="California Community Colleges Chancellor's Office, Workforce and Economic Development"
TX="Texas Higher Education Coordinating Board, Workforce Education (illustrative)"
cat >trust.json <<EOF
{"issuers": [
  {"id": "$EVC", "keys": [$K1]},
  {"id": "$CA", "keys": [$K1]},
  {"id": "$ART", "keys": [$K1]},
  {"id": "$TX", "keys": [$K1]},
  {"id": "Some Other Board", "keys": [$K2]}
]}
EOF

for p in ev/rules/*.lua; do
    run $DB pack sign "$p" --key k1.jwk
    expect_rc 0 "pack sign $p"
    expect_eq "$OUT" "signed $p: wrote $p.sig" "pack sign says what it wrote"
done
cp ev/rules/evc-compact.lua.sig first.sig
run $DB pack sign ev/rules/evc-compact.lua --key k1.jwk
expect_eq "$(cmp first.sig ev/rules/evc-compact.lua.sig && echo same)" same \
    "two signings of the same pack give the same bytes"

# The .sig: header and payload as documented, and OpenSSL verifies it.
b64url_dec() {
    local s
    s=$(printf '%s' "$1" | tr '_-' '/+')
    while [ $((${#s} % 4)) -ne 0 ]; do s="$s="; done
    printf '%s' "$s" | base64 -d
}
SIG=$(cat ev/rules/evc-compact.lua.sig)
expect_eq "$(b64url_dec "${SIG%%.*}")" '{"alg":"EdDSA","kid":"k1","typ":"credex-pack+jws"}' "the header"
REST=${SIG#*.}
SHA=$(sha256sum ev/rules/evc-compact.lua | cut -c1-64)
expect_eq "$(b64url_dec "${REST%%.*}")" \
    "{\"pack\":\"evc-compact\",\"version\":\"2025.3\",\"authority\":\"$EVC\",\"sha256\":\"$SHA\"}" \
    "the payload names the pack, its version and authority, and the file's SHA-256"
X=$(printf '%s' "$K1" | sed 's/.*"x":"\([^"]*\)".*/\1/')
{ printf '302a300506032b6570032100' | xxd -r -p; b64url_dec "$X"; } >pub.der
openssl pkey -pubin -inform DER -in pub.der -out pub.pem
printf '%s' "${SIG%.*}" >signing-input
b64url_dec "${SIG##*.}" >sig.bin
run_openssl=$(openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in signing-input -sigfile sig.bin 2>&1)
expect_eq "$run_openssl" "Signature Verified Successfully" "OpenSSL verifies the pack signature"

# Signed packs load; the decisions are the same as without a trust file.
AUDIT="audit --holder h-tx-0001 --rules ev/rules --as-of 2026-06-01"
run $DB $AUDIT
PLAIN=$OUT
run $DB $AUDIT --pack-trust trust.json --require-signed-packs
expect_rc 0 "signed packs, all verified"
expect_eq "$OUT" "$PLAIN" "the same decision with verified packs"

# refused CMD... EXPECTED-STDERR-LINE: exit 3, that line, nothing decided.
refused() {
    local line=$1
    shift
    run $DB "$@"
    expect_rc 3 "$*"
    expect_contains "$ERR" "$line" "$*: the located error"
    expect_eq "$OUT" "" "$*: nothing decided"
}

# A flipped bit in the signature.
cp ev/rules/evc-compact.lua.sig good.sig
S=${SIG##*.}
C=${S:10:1}
[ "$C" = A ] && C=B || C=A
printf '%s.%s%s%s\n' "${SIG%.*}" "${S:0:10}" "$C" "${S:11}" >ev/rules/evc-compact.lua.sig
refused "ev/rules/evc-compact.lua.sig:1: error: bad signature: key 'k1' of issuer '$EVC' does not verify this EdDSA token" \
    $AUDIT --pack-trust trust.json
# ... and in the payload.
cp good.sig ev/rules/evc-compact.lua.sig
sed -i 's/^\([^.]*\.[^.]\{20\}\)\(.\)/\1X/' ev/rules/evc-compact.lua.sig
[ "$(cat ev/rules/evc-compact.lua.sig)" != "$(cat good.sig)" ] && pass || fail "the payload changed"
run $DB $AUDIT --pack-trust trust.json
expect_rc 3 "a changed payload"
expect_contains "$ERR" "ev/rules/evc-compact.lua.sig:1: error: " "a changed payload: located at the .sig"
cp good.sig ev/rules/evc-compact.lua.sig

# A changed pack (one byte of a comment): signed over an older copy.
cp ev/rules/evc-compact.lua evc.orig
sed -i '1s/^--/-- /' ev/rules/evc-compact.lua
refused "ev/rules/evc-compact.lua.sig:1: error: the signature is for other bytes of pack 'evc-compact' version '2025.3' (it signs sha256 ${SHA:0:12}..., the file's is $(sha256sum ev/rules/evc-compact.lua | cut -c1-12)...): the pack changed after it was signed; sign it again (credex pack sign)" \
    $AUDIT --pack-trust trust.json
cp evc.orig ev/rules/evc-compact.lua

# The .sig of another pack.
cp ev/rules/tx-ev-renewal.lua.sig tx.sig
cp good.sig ev/rules/tx-ev-renewal.lua.sig
refused "ev/rules/tx-ev-renewal.lua.sig:1: error: the signature is for pack 'evc-compact' version '2025.3', but the pack declares pack 'tx-ev-renewal' version '2024.1': a .sig of another pack or version" \
    $AUDIT --pack-trust trust.json
cp tx.sig ev/rules/tx-ev-renewal.lua.sig

# An authority the trust file does not hold; a signer it does not trust for it.
grep -v "$TX" trust.json >trust-no-tx.json
refused "ev/rules/tx-ev-renewal.lua.sig:1: error: authority '$TX' is not in the pack trust file trust-no-tx.json: no key is trusted to sign its packs" \
    $AUDIT --pack-trust trust-no-tx.json --require-signed-packs
run $DB pack sign ev/rules/tx-ev-renewal.lua --key k2.jwk
refused "ev/rules/tx-ev-renewal.lua.sig:1: error: signed with key 'k2', which is not among the keys trust.json trusts for authority '$TX': an unknown key, or a signer not trusted for that authority" \
    $AUDIT --pack-trust trust.json --require-signed-packs
cp tx.sig ev/rules/tx-ev-renewal.lua.sig

# alg none, an ES256 signature, a trusted key that is not Ed25519.
b64url() { printf '%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='; }
printf '%s.%s.\n' "$(b64url '{"alg":"none"}')" "${REST%%.*}" >ev/rules/evc-compact.lua.sig
refused "ev/rules/evc-compact.lua.sig:1: error: JWS alg 'none' (an unsigned token) is refused" \
    $AUDIT --pack-trust trust.json
printf '%s.%s.%s\n' "$(b64url '{"alg":"ES256","kid":"k1"}')" "${REST%%.*}" "${SIG##*.}" >ev/rules/evc-compact.lua.sig
refused "error: a pack signature must use alg EdDSA (an Ed25519 key), found ES256" \
    $AUDIT --pack-trust trust.json
cp good.sig ev/rules/evc-compact.lua.sig
P256='{"kty":"EC","crv":"P-256","x":"ACHYoMtZDOTVEBylwZDT0_8vmBqxryK5nKypXTzkg7g","y":"gEA89PuU8kp-KvwbDnbLXnzhsTzQSS6D4-afP5wXdSk","kid":"k1"}'
printf '{"issuers": [{"id": "%s", "keys": [%s]}]}\n' "$EVC" "$P256" >trust-p256.json
refused "error: JWS alg EdDSA does not suit key 'k1' of issuer '$EVC' (a P-256 key verifies ES256)" \
    $AUDIT --pack-trust trust-p256.json

# Unsigned: refused with --require-signed-packs, accepted without it.
mv ev/rules/ca-ev-certificate.lua.sig ca.sig
refused "ev/rules/ca-ev-certificate.lua:1: error: the pack is not signed (no ev/rules/ca-ev-certificate.lua.sig beside it), and only signed packs are accepted" \
    $AUDIT --pack-trust trust.json --require-signed-packs
run $DB $AUDIT --pack-trust trust.json
expect_rc 0 "an unsigned pack without --require-signed-packs"
expect_eq "$OUT" "$PLAIN" "decided as before"
run $DB $AUDIT --require-signed-packs
expect_rc 2 "--require-signed-packs without --pack-trust"
expect_contains "$ERR" "--require-signed-packs needs --pack-trust FILE" "says what is missing"

# Every command that loads packs checks them (ca-ev-certificate is unsigned).
REQ="--pack-trust trust.json --require-signed-packs"
NOT_SIGNED="ev/rules/ca-ev-certificate.lua:1: error: the pack is not signed"
for cmd in "check ev/rules" "equiv TX-EVS-101 CA-EVS-101 --in US-CA --rules ev/rules" \
    "transfer TX-EVS-101 --from US-TX --to US-CT --rules ev/rules" \
    "audit --all --rules ev/rules" "diff ev/rules ev/rules"; do
    # shellcheck disable=SC2086
    run $DB $cmd $REQ
    expect_rc 3 "$cmd with an unsigned pack"
    expect_contains "$ERR$OUT" "$NOT_SIGNED" "$cmd names the unsigned pack"
done
run $DB whatif "$SRC/tests/fixtures/whatif/tx-leaves-compact.yaml" --rules ev/rules $REQ
expect_rc 3 "whatif with an unsigned pack"
expect_contains "$ERR" "$NOT_SIGNED" "whatif names the unsigned pack"
run test ev $REQ
expect_contains "$OUT$ERR" "$NOT_SIGNED" "test names the unsigned pack"
expect_contains "$OUT" "passed, " "test: the summary line"
[ "$RC" -ne 0 ] && pass || fail "test with an unsigned pack fails"
run --db "$WORK/ev.db" serve --rules ev/rules $REQ --listen 127.0.0.1:0 --quiet
expect_rc 3 "serve with an unsigned pack does not start"
expect_contains "$ERR" "$NOT_SIGNED" "serve names the unsigned pack"
mv ca.sig ev/rules/ca-ev-certificate.lua.sig
run test ev $REQ
expect_rc 0 "test with every pack signed"

# The decision log records each pack's signer; replay says whether it still verifies.
run $DB init
run $DB $AUDIT --pack-trust trust.json --require-signed-packs --log
expect_rc 0 "a logged audit with signed packs"
expect_eq "$(sqlite3 ev.db "SELECT id || '|' || signer_kid || '|' || signer_authority || '|' || (signature = '$(cat ev/rules/evc-compact.lua.sig)') FROM decision_pack WHERE id = 'evc-compact'")" \
    "evc-compact|k1|$EVC|1" "the log keeps the signer's kid and authority and the signature"
run $DB $AUDIT --log
expect_eq "$(sqlite3 ev.db "SELECT count(*) FROM decision_pack WHERE decision_id = 2 AND signer_authority IS NULL")" 4 \
    "packs loaded without --pack-trust are logged unsigned"
run $DB replay 1 --pack-trust trust.json
expect_rc 0 "replay with the trust file"
expect_contains "$OUT" "  pack evc-compact: signed by k1 for $EVC; the signature still verifies" "replay: verifies"
run $DB replay 1
expect_contains "$OUT" "  pack evc-compact: signed by k1 for $EVC; not checked (give --pack-trust)" "replay without a trust file"
grep -v "$EVC" trust.json >trust-no-evc.json
run $DB replay 1 --pack-trust trust-no-evc.json
expect_contains "$OUT" "  pack evc-compact: signed by k1 for $EVC; the signature no longer verifies: ev/rules/evc-compact.lua.sig (logged):1:1: authority '$EVC' is not in the pack trust file trust-no-evc.json" \
    "replay: a signer no longer trusted"
run $DB replay 2 --pack-trust trust.json
expect_contains "$OUT" "  pack evc-compact: unsigned" "replay of a decision made with unsigned packs"
run $DB replay 2
expect_not_contains "$OUT" "unsigned" "replay says nothing of signatures when none was logged or asked for"

# pack sign refuses what it cannot sign.
printf '%s\n' "$K1" >pub.jwk
run $DB pack sign ev/rules/evc-compact.lua --key pub.jwk
expect_rc 3 "signing with a public key"
expect_eq "$ERR" "credex: pub.jwk:1:1: a public key where a private key is needed: the JWK has no 'd' (sign with the file credex keys new wrote, not its public JWK)" \
    "a public key where a private one is needed"
printf 'stack "x" {\n' >broken.lua
run $DB pack sign broken.lua --key k1.jwk
expect_rc 3 "signing a pack that does not load"
expect_contains "$ERR" "the pack does not load, so it is not signed" "says why"
expect_eq "$(test -e broken.lua.sig && echo made || echo none)" none "no .sig for a broken pack"
printf 'pack "bare" { cite = "x" }\n' >bare.lua
run $DB pack sign bare.lua --key k1.jwk
expect_rc 3 "signing a pack without authority and version"
expect_contains "$ERR" "bare.lua:1:1: a pack to sign must declare its authority and version" "says what is missing"
run pack sign ev/rules/evc-compact.lua
expect_rc 2 "pack sign without --key"

finish
