/*
 * pack_sig.h -- signed rule packs (docs/signing.md): the PACK.lua.sig
 * beside a pack, a compact JWS (EdDSA) whose payload names the pack id,
 * version, authority and the SHA-256 of the pack's bytes; checked against
 * a pack trust set whose issuer ids are packs' authorities. No third-party
 * header: signatures through jws.h, the payload through json_reader.h.
 */
#ifndef CX_PACK_SIG_H
#define CX_PACK_SIG_H

#include <stddef.h>

#include "credex.h"
#include "jws.h"

struct cx_pack_trust {
    cx_trust *trust;    /* issuer ids are pack authorities; owned */
    char *path;         /* the trust file, for messages; owned */
    int require_signed; /* 1: a pack without a verified signature is refused */
};

/* A pack's verified signature; every member owned (cx__pack_sig_clear).
 * All NULL: the pack is unsigned (or was loaded without a trust set). */
typedef struct cx_pack_sig {
    char *kid;       /* the kid of the key that verified, or NULL when it has none */
    char *authority; /* the authority the trust set vouches the key for */
    char *pack;      /* the pack id the signature names */
    char *version;   /* the version it names */
    char *token;     /* the compact JWS, as read */
    char *where;     /* the .sig's path (or a name for a logged signature) */
    char sha256[65]; /* the SHA-256 of the pack's bytes it signs, hex */
} cx_pack_sig;

void cx__pack_sig_clear(cx_pack_sig *s); /* accepts NULL */

/* Reads and checks the signature beside the pack at path (path +
 * ".sig") against t, before the pack runs. t NULL: nothing is read, *out
 * stays empty. No .sig: CX_OK and *out empty, unless t->require_signed
 * (CX_EINPUT at path:1). Otherwise cx__pack_sig_check_token on its text. */
int cx__pack_sig_verify(const cx_pack_trust *t, const char *path, cx_pack_sig *out, cx_error *err);

/* Checks token (n bytes, trailing white space ignored), found in where,
 * against t: a compact JWS with alg EdDSA, its payload {pack, version,
 * authority, sha256}, signed by a key t holds for that authority. Each
 * refusal is CX_EINPUT located at where (line 1). On success *out holds
 * the signer and what it signed; on error *out is empty. */
int cx__pack_sig_check_token(const cx_pack_trust *t, const char *where, const char *token, size_t n,
                             cx_pack_sig *out, cx_error *err);

/* Once the pack has loaded: its header must be what the signature names
 * (id and version, then authority), and its bytes source[0..len) the
 * bytes signed. CX_EINPUT at the .sig otherwise. Nothing to check when s
 * is empty. */
int cx__pack_sig_matches(const cx_pack_sig *s, const char *id, const char *version,
                         const char *authority, const char *source, size_t len, cx_error *err);

#endif
