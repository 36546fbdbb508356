#!/bin/sh
# openssl-verify.sh JWT X -- checks the EdDSA signature of a compact JWS (a
# badge `credex issue` wrote, in file JWT) with OpenSSL alone: the signing
# input "header.payload", the signature, and the Ed25519 public key X (the
# "x" of the issuer's public JWK, base64url) behind the SubjectPublicKeyInfo
# prefix 302a300506032b6570032100.
# Prints OpenSSL's verdict; exits non-zero when the signature does not verify.
set -eu
jwt=$(cat "$1")
x=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
b64() { python3 -c 'import base64,sys; s=sys.argv[1]; sys.stdout.buffer.write(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))' "$1"; }
printf '%s' "${jwt%.*}" >"$dir/signing-input"
b64 "${jwt##*.}" >"$dir/sig.bin"
{ python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex("302a300506032b6570032100"))'; b64 "$x"; } >"$dir/pub.der"
openssl pkey -pubin -inform DER -in "$dir/pub.der" -out "$dir/pub.pem"
openssl pkeyutl -verify -pubin -inkey "$dir/pub.pem" -rawin -in "$dir/signing-input" -sigfile "$dir/sig.bin"
