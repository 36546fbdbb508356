#!/bin/bash
# keys.sh -- credex keys new: a private Ed25519 JWK in a new 0600 file,
# never an overwrite, the public JWK printed for a trust file, the default
# kid the RFC 7638 thumbprint, and the public key checked against OpenSSL's
# own derivation from the private key (an independent implementation).
. "$SRC/tests/cli/lib.sh"

# b64url_hex B64URL: the hex of the bytes of a base64url value.
b64url_hex() {
    local s=$1
    s=$(printf '%s' "$s" | tr '_-' '/+')
    while [ $((${#s} % 4)) -ne 0 ]; do s="$s="; done
    printf '%s' "$s" | base64 -d | od -An -tx1 -v | tr -d ' \n'
}

# member NAME FILE: the value of a string member of one-line JSON.
member() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" "$2"; }

run keys new --kid state-board-1 --out k1.jwk
expect_rc 0 "keys new"
printf '%s\n' "$OUT" >pub1.json
X=$(member x k1.jwk)
expect_eq "$OUT" "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"state-board-1\",\"x\":\"$X\"}" \
    "the public JWK, one line, ready for a trust file"
expect_contains "$ERR" "wrote the private key to k1.jwk (mode 0600" "what was written, on stderr"
expect_eq "$(stat -c %a k1.jwk)" 600 "the key file is readable by its owner only"
expect_eq "$(member kid k1.jwk)" state-board-1 "the kid in the private JWK"
expect_eq "$(grep -c '"d":"' k1.jwk)" 1 "the private JWK holds d"
expect_eq "${#X}" 43 "x is 32 bytes of base64url"

# The same x from OpenSSL: a PKCS#8 DER of d, its public key's last 32 bytes.
D_HEX=$(b64url_hex "$(member d k1.jwk)")
printf '302e020100300506032b657004220420%s' "$D_HEX" | xxd -r -p >k1.der
OPENSSL_X=$(openssl pkey -inform DER -in k1.der -pubout -outform DER | tail -c 32 | od -An -tx1 -v | tr -d ' \n')
expect_eq "$OPENSSL_X" "$(b64url_hex "$X")" "x is the Ed25519 public key OpenSSL derives from d"

# Never an overwrite: exit 3 naming the file, the key unchanged.
cp k1.jwk k1.before
run keys new --out k1.jwk
expect_rc 3 "keys new over an existing file"
expect_eq "$ERR" "credex: k1.jwk: already exists; credex keys new never overwrites a key file (choose another --out)" \
    "the refusal names the file"
expect_eq "$(cmp k1.jwk k1.before && echo same)" same "the existing key is untouched"

# The default kid: the RFC 7638 thumbprint of the public key.
run keys new --out k2.jwk --quiet
expect_rc 0 "keys new without --kid"
X2=$(member x k2.jwk)
THUMB=$(printf '{"crv":"Ed25519","kty":"OKP","x":"%s"}' "$X2" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=')
expect_eq "$(member kid k2.jwk)" "$THUMB" "the default kid is the RFC 7638 thumbprint"
expect_eq "$ERR" "" "--quiet: nothing on stderr"
expect_eq "$(member x k2.jwk)" "$X2" "two keys"
[ "$X2" != "$X" ] && pass || fail "two keys new give two keys"

# A trust file made of the printed line loads (credex import --trust reads it).
printf '{"issuers": [{"id": "Example Board", "keys": [%s]}]}\n' "$(cat pub1.json)" >trust.json
printf 'version: 1\n' >empty.yaml
run --db t.db import empty.yaml --trust trust.json
expect_rc 0 "the printed public JWK is a trust file key"

# Usage.
run keys new
expect_rc 2 "keys new without --out"
expect_contains "$ERR" "credex keys new needs --out FILE" "says what is missing"
run keys old --out k3.jwk
expect_rc 2 "keys old"
run keys new --kid 'a"b' --out k3.jwk
expect_rc 2 "a kid with a quote"
expect_contains "$ERR" "--kid: a kid is 1 to 256 printable ASCII characters" "says what a kid is"
expect_eq "$(test -e k3.jwk && echo made || echo none)" none "nothing written on a usage error"

finish
