/*
 * jws.h -- public keys (JWK, RFC 7517), trust sets of issuers and their keys
 * (docs/design.md's trust document), and compact JWS verification (RFC 7515)
 * for the readers of signed credentials. Nettle is used here only by
 * runtime/jws*.c (and elsewhere only by hash.c).
 * Nothing here reads the clock, the network or a file other than a trust
 * document it is asked to load; it never decides what a payload means.
 *
 * A reader of a signed credential works in two steps:
 *   1. cx__jws_decode: split the token, decode the header and the payload
 *      (nothing is trusted yet), so the reader can find the issuer id in
 *      the payload ("iss", or the credential's issuer);
 *   2. cx__jws_verify with that issuer id and the trust set: either the
 *      signature is verified by one of the issuer's keys (CX_JWS_VERIFIED,
 *      and which key), or the issuer has no entry (CX_JWS_NO_ISSUER: the
 *      reader imports as unverified only with --allow-unverified), or the
 *      token is refused with a located CX_EINPUT error.
 */
#ifndef CX_JWS_H
#define CX_JWS_H

#include <stddef.h>

#include "credex.h"
#include "yaml_reader.h"

/* ------------------------------------------------------------ base64url */

/* Decodes len bytes of base64url (RFC 7515 §2: the url-safe alphabet, no
 * padding, no whitespace, unused bits zero) into *out (malloc'd, owned by
 * the caller, NUL-terminated for convenience; *out_len excludes the NUL).
 * Returns 0, or the 1-based offset of the first character at fault ('=',
 * '+', '/', whitespace, any other byte outside the alphabet, a length that
 * leaves one character over, or non-zero unused bits in the last
 * character), or -1 when out of memory (*out is then NULL). */
long cx__b64url_decode(const char *s, size_t len, unsigned char **out, size_t *out_len);

/* The base64url form (RFC 7515 §2: url-safe alphabet, no padding) of len
 * bytes at data, NUL-terminated; malloc'd, the caller frees it. NULL when
 * out of memory. data may be NULL when len is 0. */
char *cx__b64url_encode(const void *data, size_t len);

/* ------------------------------------------------------------------ JWK */

typedef enum cx_jwk_type {
    CX_JWK_ED25519, /* kty OKP, crv Ed25519: verifies alg EdDSA */
    CX_JWK_P256,    /* kty EC, crv P-256: verifies alg ES256 */
    CX_JWK_RSA      /* kty RSA, modulus >= 2048 bits: verifies alg RS256 */
} cx_jwk_type;

#define CX_JWK_RSA_MIN_BITS 2048
#define CX_JWK_RSA_MAX_BITS 16384 /* a larger modulus is refused (a cost bound) */

/* One public key, checked when it was read: the right lengths, a P-256
 * point on the curve, an RSA key Nettle accepts. */
typedef struct cx_jwk {
    cx_jwk_type type;    /* which key, hence which alg it verifies */
    char *kid;           /* the "kid", or NULL when the key has none; owned */
    int line;            /* where the key's mapping starts in its document */
    int column;          /* (1-based; 0 when the key was not read from a file) */
    unsigned char x[32]; /* ED25519: the public key; P256: the x coordinate */
    unsigned char y[32]; /* P256: the y coordinate; unused otherwise */
    unsigned char *n;    /* RSA: the modulus, big-endian, no leading zero; owned */
    size_t n_len;        /* RSA: bytes in n (the signature length too) */
    unsigned char *e;    /* RSA: the public exponent, big-endian; owned */
    size_t e_len;        /* RSA: bytes in e */
} cx_jwk;

/* Reads the JWK in mapping node (of a document named file) into *out:
 * kty, crv, x, y, n, e, kid, and the informative use, alg, key_ops (alg,
 * when given, must be the key type's). A private key ("d", "p", ...) is
 * refused: a trust document holds public keys only. Every error is
 * CX_EINPUT located at the node at fault ("x of an Ed25519 key must be 32
 * bytes, found 31", "the P-256 point (x, y) is not on the curve", "RSA
 * modulus of 1024 bits; at least 2048 are required", "invalid base64url
 * in 'x' at character 5: ..."). On error *out holds nothing to free. */
int cx__jwk_from_node(const char *file, const cx_ynode *node, cx_jwk *out, cx_error *err);

/* Reads an RSA public key given as PEM "RSA PUBLIC KEY" (PKCS#1), as a
 * Credential Registry envelope's resource_public_key carries it, found in
 * file at line:column, into *out (no kid), with the checks of an RSA JWK.
 * CX_EINPUT, located there, for anything else. On error *out holds
 * nothing to free. */
int cx__jwk_from_rsa_pem(const char *file, int line, int column, const char *pem, size_t len,
                         cx_jwk *out, cx_error *err);

/* 1 when a and b are the same public key (type and key bytes; kid and
 * location do not count), else 0. */
int cx__jwk_same(const cx_jwk *a, const cx_jwk *b);

void cx__jwk_clear(cx_jwk *key); /* frees what key owns; accepts NULL */

/* "EdDSA", "ES256" or "RS256": the alg a key of this type verifies. */
const char *cx__jwk_alg(cx_jwk_type type);

/* "Ed25519", "P-256" or "RSA": for messages. */
const char *cx__jwk_type_name(cx_jwk_type type);

/* ---------------------------------------------------------------- trust */

typedef struct cx_trust_issuer {
    char *id;     /* the issuer id as the credentials name it; owned */
    cx_jwk *keys; /* its keys, in document order; owned */
    size_t nkeys; /* at least one */
    int line;     /* where the issuer's mapping starts */
    int column;
} cx_trust_issuer;

typedef struct cx_trust cx_trust; /* an immutable set of issuers; owns everything */

/* Builds a trust set from the root of a trust document named file:
 *   issuers:
 *     - id: https://example.edu/issuers/1
 *       keys: [ {kty: OKP, crv: Ed25519, x: ..., kid: k1}, ... ]
 * Strict: unknown keys, a missing id or keys, an empty key list, a
 * duplicate issuer id, a duplicate kid within one issuer, and every JWK
 * error above are located CX_EINPUT errors. *out is owned by the caller
 * (cx__trust_free). YAML and JSON documents give the same tree. */
int cx__trust_from_node(const char *file, const cx_ynode *root, cx_trust **out, cx_error *err);

/* Reads the YAML trust document at path and builds its trust set. */
int cx__trust_load_file(const char *path, cx_trust **out, cx_error *err);

/* The issuer with exactly this id, or NULL. */
const cx_trust_issuer *cx__trust_issuer(const cx_trust *trust, const char *id);

/* The issuer, in id order the first, that holds the same key as key
 * (cx__jwk_same), with *found that key of it; NULL (and *found NULL) when
 * none does. For an envelope, whose token is trusted by the key it
 * carries: the entry holding that key is the issuer to verify against. */
const cx_trust_issuer *cx__trust_issuer_by_key(const cx_trust *trust, const cx_jwk *key,
                                               const cx_jwk **found);

size_t cx__trust_count(const cx_trust *trust); /* how many issuers */
void cx__trust_free(cx_trust *trust);          /* accepts NULL */

/* ------------------------------------------------------------------ JWS */

#define CX_JWS_MAX_HEADER 4096 /* bytes of decoded header: more is refused */

typedef struct cx_jws {
    char *alg;              /* "EdDSA", "ES256" or "RS256" (others are refused); owned */
    char *kid;              /* the header's "kid", or NULL; owned */
    char *typ;              /* the header's "typ" ("JWT"), or NULL; owned */
    unsigned char *payload; /* the decoded payload, NUL-terminated; owned */
    size_t payload_len;     /* bytes in payload, without the NUL */
    unsigned char *sig;     /* the decoded signature; owned */
    size_t sig_len;         /* bytes in sig */
    char *signing_input;    /* "header.payload" as it was signed; owned */
    size_t signing_input_len;
    char *file; /* where the token is, for errors; owned */
    int line;   /* where the token starts (0: not located) */
    int column;
} cx_jws;

/* Splits the compact JWS token (len bytes, without surrounding whitespace)
 * found in file at line:column, and decodes its header and payload; it
 * verifies nothing. The header must be a JSON object of string members,
 * with "alg" one of EdDSA, ES256, RS256. Refused, CX_EINPUT located at
 * the segment at fault: not three segments; bad base64url; a header that
 * is not such an object (or has a duplicate member); "alg": "none" (an
 * unsigned token); any other alg, HS256 included ("a symmetric alg is
 * never accepted with public keys"); a "crit" member (no extension is
 * understood). *out is owned by the caller (cx__jws_free). */
int cx__jws_decode(const char *file, int line, int column, const char *token, size_t len,
                   cx_jws **out, cx_error *err);

void cx__jws_free(cx_jws *jws); /* accepts NULL */

typedef enum cx_jws_outcome {
    CX_JWS_VERIFIED, /* a key of the issuer verified the signature */
    CX_JWS_NO_ISSUER /* the trust set has no entry for the issuer */
} cx_jws_outcome;

/* Verifies jws as signed by issuer, against trust. With a "kid" only the
 * key of that kid is tried, and it must suit alg; without one every key
 * of the issuer whose type suits alg is tried. Returns CX_OK with
 * *outcome CX_JWS_VERIFIED and *key the key that verified (pointing into
 * trust), or CX_OK with CX_JWS_NO_ISSUER and *key NULL; or CX_EINPUT,
 * located at the token: "kid 'k9' names none of the keys of issuer ...",
 * "alg ES256 does not suit key 'k1' (an Ed25519 key verifies EdDSA)",
 * "issuer ... has no key for alg RS256", "bad signature: ...". */
int cx__jws_verify(const cx_jws *jws, const cx_trust *trust, const char *issuer,
                   cx_jws_outcome *outcome, const cx_jwk **key, cx_error *err);

/* Nettle's verdict on sig over msg with key, for alg cx__jwk_alg(type):
 * 1 when valid, 0 otherwise (a wrong length included). */
int cx__jws_check_signature(const cx_jwk *key, const void *msg, size_t msg_len,
                            const unsigned char *sig, size_t sig_len);

/* -------------------------------------------------------------- signing
 * jws_sign.c: Ed25519 private JWKs and compact JWS signing (alg EdDSA)
 * through Nettle. A private key is read from its own file only; d is
 * wiped when the key is cleared. */

typedef struct cx_ed25519_private {
    unsigned char d[32]; /* the private key (RFC 8032's 32-byte seed) */
    unsigned char x[32]; /* the public key, checked to be d's */
    char *kid;           /* the JWK's "kid", or NULL; owned */
} cx_ed25519_private;

/* Reads the Ed25519 private JWK in mapping node (of a document named
 * file): {"kty":"OKP","crv":"Ed25519","d":...,"x":...,"kid":...} ("use"
 * sig and "alg" EdDSA allowed). Refused, CX_EINPUT located at the node at
 * fault: not a mapping; another kty or crv; no "d" (a public key where a
 * private one is needed); invalid base64url; d or x not 32 bytes; an x
 * that is not the public key of d; an unknown member. On error *out
 * holds nothing to clear. */
int cx__ed25519_private_from_node(const char *file, const cx_ynode *node, cx_ed25519_private *out,
                                  cx_error *err);

/* The same from the file at path (JSON or YAML: errors at file:line:col). */
int cx__ed25519_private_load(const char *path, cx_ed25519_private *out, cx_error *err);

void cx__ed25519_private_clear(cx_ed25519_private *k); /* wipes d, frees kid; accepts NULL */

/* The Ed25519 public key of private key d, into x. */
void cx__ed25519_public(const unsigned char d[32], unsigned char x[32]);

/* The compact JWS "header.payload.signature" of the n bytes at payload,
 * signed with k (alg EdDSA); header_json is the protected header exactly
 * as the caller wrote it (its own fixed member order: alg, kid, typ), so
 * the same inputs give the same bytes. malloc'd, the caller frees it;
 * NULL when out of memory. */
char *cx__jws_sign_eddsa(const cx_ed25519_private *k, const char *header_json, const void *payload,
                         size_t n);

/* The RFC 7638 thumbprint of the Ed25519 public key x: base64url of the
 * SHA-256 of {"crv":"Ed25519","kty":"OKP","x":"..."}, 43 characters and
 * a NUL into out. */
void cx__ed25519_thumbprint(const unsigned char x[32], char out[44]);

/* The public JWK of x as one line of JSON with members in the order
 * kty, crv, kid (when kid is not NULL), x: ready for a trust document's
 * keys. kid holds no '"', '\\' or control character (the caller checks).
 * malloc'd, the caller frees it; NULL when out of memory. */
char *cx__ed25519_public_jwk(const unsigned char x[32], const char *kid);

#endif
