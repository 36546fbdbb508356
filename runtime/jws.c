/*
 * jws.c -- compact JWS: splitting a token, its header (a strict flat JSON
 * object of strings, parsed here), and signature verification with Nettle
 * against a trust set. It never interprets the payload, never reads the
 * clock, and never accepts an alg that is not a public-key signature.
 */
#include <nettle/bignum.h>
#include <nettle/dsa.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/ecdsa.h>
#include <nettle/eddsa.h>
#include <nettle/rsa.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jws.h"
#include "util.h"

/* ------------------------------------------------------------ signatures */

static int verify_ed25519(const cx_jwk *key, const void *msg, size_t len, const unsigned char *sig,
                          size_t sig_len)
{
    if (sig_len != ED25519_SIGNATURE_SIZE) return 0;
    return ed25519_sha512_verify(key->x, len, msg, sig);
}

static int verify_es256(const cx_jwk *key, const void *msg, size_t len, const unsigned char *sig,
                        size_t sig_len)
{
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    struct ecc_point pub;
    struct dsa_signature rs;
    mpz_t x, y;
    int ok;
    if (sig_len != 64) return 0;
    sha256_init(&ctx);
    sha256_update(&ctx, len, msg);
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
    ecc_point_init(&pub, nettle_get_secp_256r1());
    mpz_init(x);
    mpz_init(y);
    dsa_signature_init(&rs);
    nettle_mpz_set_str_256_u(x, 32, key->x);
    nettle_mpz_set_str_256_u(y, 32, key->y);
    nettle_mpz_set_str_256_u(rs.r, 32, sig);
    nettle_mpz_set_str_256_u(rs.s, 32, sig + 32);
    ok = ecc_point_set(&pub, x, y) && ecdsa_verify(&pub, SHA256_DIGEST_SIZE, digest, &rs);
    dsa_signature_clear(&rs);
    mpz_clear(x);
    mpz_clear(y);
    ecc_point_clear(&pub);
    return ok;
}

static int verify_rs256(const cx_jwk *key, const void *msg, size_t len, const unsigned char *sig,
                        size_t sig_len)
{
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    struct rsa_public_key pub;
    mpz_t s;
    int ok;
    if (sig_len != key->n_len) return 0;
    sha256_init(&ctx);
    sha256_update(&ctx, len, msg);
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
    rsa_public_key_init(&pub);
    mpz_init(s);
    nettle_mpz_set_str_256_u(pub.n, key->n_len, key->n);
    nettle_mpz_set_str_256_u(pub.e, key->e_len, key->e);
    nettle_mpz_set_str_256_u(s, sig_len, sig);
    ok = rsa_public_key_prepare(&pub) && rsa_sha256_verify_digest(&pub, digest, s);
    mpz_clear(s);
    rsa_public_key_clear(&pub);
    return ok;
}

int cx__jws_check_signature(const cx_jwk *key, const void *msg, size_t msg_len,
                            const unsigned char *sig, size_t sig_len)
{
    switch (key->type) {
    case CX_JWK_ED25519:
        return verify_ed25519(key, msg, msg_len, sig, sig_len);
    case CX_JWK_P256:
        return verify_es256(key, msg, msg_len, sig, sig_len);
    case CX_JWK_RSA:
        return verify_rs256(key, msg, msg_len, sig, sig_len);
    }
    return 0;
}

/* ---------------------------------------------------------------- header */

/* A cursor over the decoded header, for the strict flat-object parser. */
typedef struct hdr_parser {
    const char *p;   /* next byte */
    const char *end; /* one past the last */
    const char *why; /* what went wrong (a static string), or NULL */
} hdr_parser;

static void hdr_space(hdr_parser *h)
{
    while (h->p < h->end && (*h->p == ' ' || *h->p == '\t' || *h->p == '\n' || *h->p == '\r'))
        h->p++;
}

static int hdr_hex4(hdr_parser *h, unsigned *v)
{
    *v = 0;
    if (h->end - h->p < 4) return 0;
    for (int i = 0; i < 4; i++) {
        char c = *h->p++;
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) return 0;
        *v = *v << 4 | (unsigned)d;
    }
    return 1;
}

/* Appends code point cp as UTF-8 to b. */
static void put_utf8(cx_buf *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 63)), n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 63));
        u[2] = (char)(0x80 | (cp & 63)), n = 3;
    } else {
        u[0] = (char)(0xf0 | cp >> 18), u[1] = (char)(0x80 | (cp >> 12 & 63));
        u[2] = (char)(0x80 | (cp >> 6 & 63)), u[3] = (char)(0x80 | (cp & 63)), n = 4;
    }
    cx__buf_add(b, u, n);
}

/* One \u escape (after the 'u'), a surrogate pair taken whole. */
static int hdr_unicode(hdr_parser *h, cx_buf *b)
{
    unsigned cp, lo;
    if (!hdr_hex4(h, &cp)) return 0;
    if (cp >= 0xdc00 && cp <= 0xdfff) return 0;
    if (cp >= 0xd800 && cp <= 0xdbff) {
        if (h->end - h->p < 2 || h->p[0] != '\\' || h->p[1] != 'u') return 0;
        h->p += 2;
        if (!hdr_hex4(h, &lo) || lo < 0xdc00 || lo > 0xdfff) return 0;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    }
    if (cp == 0) return 0;
    put_utf8(b, cp);
    return 1;
}

/* 1 when s[0..n) is well-formed UTF-8 (no overlong form, surrogate or
 * code point past U+10FFFF) without control characters (C0, DEL, C1):
 * header values end up in messages printed to a terminal. */
static int text_clean(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i], len = c < 0x80   ? 1
                                 : c < 0xc2 ? 0
                                 : c < 0xe0 ? 2
                                 : c < 0xf0 ? 3
                                 : c < 0xf5 ? 4
                                            : 0;
        unsigned long cp = len == 1 ? c : c & (0x7f >> len);
        if (!len || n - i < len) return 0;
        for (unsigned k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return 0;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || cp < 0x20 ||
            (cp >= 0x7f && cp <= 0x9f))
            return 0;
        i += len;
    }
    return 1;
}

/* A JSON string at h->p (which is '"') into b, NUL-terminated. NUL,
 * control characters (raw or escaped) and invalid UTF-8 are refused. */
static int hdr_string(hdr_parser *h, cx_buf *b)
{
    b->len = 0;
    if (h->p >= h->end || *h->p != '"') return (h->why = "expected a string"), 0;
    h->p++;
    while (h->p < h->end && *h->p != '"') {
        unsigned char c = (unsigned char)*h->p++;
        if (c < 0x20) return (h->why = "control character in a string"), 0;
        if (c != '\\') {
            cx__buf_add(b, (const char *)&c, 1);
            continue;
        }
        if (h->p >= h->end) break;
        c = (unsigned char)*h->p++;
        const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t", *at = strchr(from, c);
        if (c == 'u') {
            if (!hdr_unicode(h, b)) return (h->why = "invalid \\u escape"), 0;
        } else if (c && at) {
            cx__buf_add(b, to + (at - from), 1);
        } else {
            return (h->why = "invalid escape in a string"), 0;
        }
    }
    if (h->p >= h->end) return (h->why = "unterminated string"), 0;
    h->p++;
    cx__buf_add(b, "", 1);
    b->len--;
    if (b->oom) return (h->why = "out of memory"), 0;
    if (!text_clean((const unsigned char *)b->data, b->len))
        return (h->why = "invalid UTF-8 or a control character in a string"), 0;
    return 1;
}

/* Stores value under name in jws (alg, kid, typ; other members are kept
 * nowhere but still checked for syntax and duplicates). */
static int hdr_member(cx_jws *jws, const char *name, const char *value, hdr_parser *h)
{
    char **slot = strcmp(name, "alg") == 0   ? &jws->alg
                  : strcmp(name, "kid") == 0 ? &jws->kid
                  : strcmp(name, "typ") == 0 ? &jws->typ
                                             : NULL;
    if (slot && !(*slot = cx__strdup(value))) return (h->why = "out of memory"), 0;
    return 1;
}

/* Parses the header object; names collects member names for duplicates.
 * Sets h->why and returns 0 on the first error. A "crit" member is
 * reported as "crit" in h->why so that the caller can name it. */
static int hdr_parse(hdr_parser *h, cx_jws *jws, cx_strlist *names)
{
    cx_buf name, value;
    int ok = 0;
    cx__buf_init(&name);
    cx__buf_init(&value);
    hdr_space(h);
    if (h->p >= h->end || *h->p++ != '{') {
        h->why = "expected a JSON object";
        goto done;
    }
    hdr_space(h);
    if (h->p < h->end && *h->p == '}') {
        h->p++;
        ok = 1;
    }
    while (!ok) {
        if (!hdr_string(h, &name)) goto done;
        if (strcmp(name.data, "crit") == 0) {
            h->why = "crit";
            goto done;
        }
        for (size_t i = 0; i < names->n; i++)
            if (strcmp(names->v[i], name.data) == 0) {
                h->why = "duplicate member";
                goto done;
            }
        if (cx__strlist_add(names, name.data) != 0) {
            h->why = "out of memory";
            goto done;
        }
        hdr_space(h);
        if (h->p >= h->end || *h->p++ != ':') {
            h->why = "expected ':' after a member name";
            goto done;
        }
        hdr_space(h);
        if (h->p < h->end && *h->p != '"') {
            h->why = "member values must be strings";
            goto done;
        }
        if (!hdr_string(h, &value) || !hdr_member(jws, name.data, value.data, h)) goto done;
        hdr_space(h);
        if (h->p < h->end && *h->p == ',') {
            h->p++;
            hdr_space(h);
            continue;
        }
        if (h->p >= h->end || *h->p++ != '}') {
            h->why = "expected ',' or '}'";
            goto done;
        }
        ok = 1;
    }
    hdr_space(h);
    if (h->p != h->end) {
        h->why = "trailing bytes after the object";
        ok = 0;
    }
done:
    cx__buf_free(&name);
    cx__buf_free(&value);
    return ok;
}

/* ---------------------------------------------------------------- decode */

void cx__jws_free(cx_jws *jws)
{
    if (!jws) return;
    free(jws->alg);
    free(jws->kid);
    free(jws->typ);
    free(jws->payload);
    free(jws->sig);
    free(jws->signing_input);
    free(jws->file);
    free(jws);
}

/* A located CX_EINPUT error at byte offset off of the token. */
static int jws_fail(const cx_jws *jws, size_t off, cx_error *err, const char *fmt, ...)
    CX_PRINTF(4, 5);
static int jws_fail(const cx_jws *jws, size_t off, cx_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cx__verror(err, CX_EINPUT, jws->file, jws->line, jws->line ? jws->column + (int)off : 0, fmt,
               ap);
    va_end(ap);
    return CX_EINPUT;
}

/* Decodes segment what (at offset off, len bytes) into *out. */
static int jws_segment(const cx_jws *jws, const char *token, size_t off, size_t len,
                       const char *what, unsigned char **out, size_t *out_len, cx_error *err)
{
    long bad = cx__b64url_decode(token + off, len, out, out_len);
    if (bad < 0)
        return cx__error(err, CX_ENOMEM, jws->file, jws->line, jws->column, "out of memory");
    if (bad == 0 && len == 0 && strcmp(what, "payload") != 0)
        return jws_fail(jws, off, err, "empty JWS %s", what);
    if (bad == 0) return CX_OK;
    return jws_fail(jws, off + (size_t)bad - 1, err,
                    "invalid base64url in the JWS %s at character %ld: expected the url-safe "
                    "alphabet (A-Z a-z 0-9 - _) without padding or whitespace",
                    what, bad);
}

static int jws_header(cx_jws *jws, const unsigned char *text, size_t len, cx_error *err)
{
    static const char *const accepted[] = {"EdDSA", "ES256", "RS256", NULL};
    hdr_parser h = {(const char *)text, (const char *)text + len, NULL};
    cx_strlist names = {0};
    int rc = CX_OK;
    if (len > CX_JWS_MAX_HEADER)
        return jws_fail(jws, 0, err, "JWS header of more than %d bytes", CX_JWS_MAX_HEADER);
    if (!hdr_parse(&h, jws, &names)) {
        if (strcmp(h.why, "out of memory") == 0)
            rc = cx__error(err, CX_ENOMEM, jws->file, jws->line, jws->column, "out of memory");
        else if (strcmp(h.why, "crit") == 0)
            rc = jws_fail(jws, 0, err,
                          "JWS header has 'crit': no header extension is understood, so the "
                          "token is refused");
        else
            rc = jws_fail(jws, 0, err, "JWS header is not a JSON object of strings: %s", h.why);
    } else if (!jws->alg) {
        rc = jws_fail(jws, 0, err, "JWS header has no 'alg'");
    } else if (strcmp(jws->alg, "none") == 0) {
        rc = jws_fail(jws, 0, err, "JWS alg 'none' (an unsigned token) is refused");
    } else if (!cx__listed(accepted, jws->alg)) {
        rc = jws_fail(jws, 0, err,
                      "JWS alg '%s' is refused; expected EdDSA, ES256 or RS256 (public-key "
                      "signatures: a symmetric alg such as HS256 is never accepted with public "
                      "keys)",
                      jws->alg);
    }
    cx__strlist_free(&names);
    return rc;
}

/* Finds the two dots of a compact token; 0 when there are not exactly two. */
static int jws_split(const char *token, size_t len, size_t dot[2])
{
    int n = 0;
    for (size_t i = 0; i < len; i++)
        if (token[i] == '.') {
            if (n == 2) return 0;
            dot[n++] = i;
        }
    return n == 2;
}

int cx__jws_decode(const char *file, int line, int column, const char *token, size_t len,
                   cx_jws **out, cx_error *err)
{
    cx_jws *jws = calloc(1, sizeof *jws);
    unsigned char *header = NULL;
    size_t header_len = 0, dot[2];
    int rc;
    *out = NULL;
    if (!jws || !(jws->file = cx__strdup(file ? file : ""))) {
        rc = cx__error(err, CX_ENOMEM, file, line, column, "out of memory");
        goto done;
    }
    jws->line = line;
    jws->column = column;
    if (!jws_split(token, len, dot)) {
        rc = jws_fail(jws, 0, err,
                      "not a compact JWS: expected three base64url segments separated by "
                      "'.'");
        goto done;
    }
    rc = jws_segment(jws, token, 0, dot[0], "header", &header, &header_len, err);
    if (rc == CX_OK) rc = jws_header(jws, header, header_len, err);
    if (rc == CX_OK)
        rc = jws_segment(jws, token, dot[0] + 1, dot[1] - dot[0] - 1, "payload", &jws->payload,
                         &jws->payload_len, err);
    if (rc == CX_OK)
        rc = jws_segment(jws, token, dot[1] + 1, len - dot[1] - 1, "signature", &jws->sig,
                         &jws->sig_len, err);
    if (rc != CX_OK) goto done;
    jws->signing_input_len = dot[1];
    if (!(jws->signing_input = cx__strndup(token, dot[1])))
        rc = cx__error(err, CX_ENOMEM, file, line, column, "out of memory");
done:
    free(header);
    if (rc != CX_OK) {
        cx__jws_free(jws);
        jws = NULL;
    }
    *out = jws;
    return rc;
}

/* ---------------------------------------------------------------- verify */

static int key_verifies(const cx_jws *jws, const cx_jwk *key)
{
    return cx__jws_check_signature(key, jws->signing_input, jws->signing_input_len, jws->sig,
                                   jws->sig_len);
}

/* The issuer's key named by the token's kid, which must suit its alg. */
static int verify_by_kid(const cx_jws *jws, const cx_trust_issuer *is, const cx_jwk **key,
                         cx_error *err)
{
    const cx_jwk *k = NULL;
    for (size_t i = 0; i < is->nkeys && !k; i++)
        if (is->keys[i].kid && strcmp(is->keys[i].kid, jws->kid) == 0) k = &is->keys[i];
    if (!k)
        return cx__error(err, CX_EINPUT, jws->file, jws->line, jws->column,
                         "JWS kid '%s' names none of the keys of issuer '%s'", jws->kid, is->id);
    if (strcmp(cx__jwk_alg(k->type), jws->alg) != 0)
        return cx__error(err, CX_EINPUT, jws->file, jws->line, jws->column,
                         "JWS alg %s does not suit key '%s' of issuer '%s' (%s %s key verifies "
                         "%s)",
                         jws->alg, k->kid, is->id, k->type == CX_JWK_P256 ? "a" : "an",
                         cx__jwk_type_name(k->type), cx__jwk_alg(k->type));
    if (!key_verifies(jws, k))
        return cx__error(err, CX_EINPUT, jws->file, jws->line, jws->column,
                         "bad signature: key '%s' of issuer '%s' does not verify this %s token",
                         k->kid, is->id, jws->alg);
    *key = k;
    return CX_OK;
}

/* Without a kid: every key of the issuer whose type suits alg. */
static int verify_any(const cx_jws *jws, const cx_trust_issuer *is, const cx_jwk **key,
                      cx_error *err)
{
    size_t tried = 0;
    for (size_t i = 0; i < is->nkeys; i++) {
        if (strcmp(cx__jwk_alg(is->keys[i].type), jws->alg) != 0) continue;
        tried++;
        if (key_verifies(jws, &is->keys[i])) {
            *key = &is->keys[i];
            return CX_OK;
        }
    }
    if (!tried)
        return cx__error(err, CX_EINPUT, jws->file, jws->line, jws->column,
                         "issuer '%s' has no key for alg %s", is->id, jws->alg);
    return cx__error(err, CX_EINPUT, jws->file, jws->line, jws->column,
                     "bad signature: none of the %zu key(s) of issuer '%s' for alg %s verifies "
                     "this token",
                     tried, is->id, jws->alg);
}

int cx__jws_verify(const cx_jws *jws, const cx_trust *trust, const char *issuer,
                   cx_jws_outcome *outcome, const cx_jwk **key, cx_error *err)
{
    const cx_trust_issuer *is = cx__trust_issuer(trust, issuer);
    int rc;
    *key = NULL;
    *outcome = CX_JWS_NO_ISSUER;
    if (!is) return CX_OK;
    rc = jws->kid ? verify_by_kid(jws, is, key, err) : verify_any(jws, is, key, err);
    if (rc == CX_OK) *outcome = CX_JWS_VERIFIED;
    return rc;
}
