/*
 * jws_key.c -- base64url, public JWKs and trust sets read from a document
 * tree, each key checked with Nettle when it is read. It verifies no
 * signature (jws.c does) and reads no file but a trust document.
 */
#include <nettle/base64.h>
#include <nettle/bignum.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jws.h"
#include "util.h"

/* ------------------------------------------------------------ base64url */

static int b64url_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

long cx__b64url_decode(const char *s, size_t len, unsigned char **out, size_t *out_len)
{
    unsigned char *p;
    size_t n = 0;
    unsigned long acc = 0;
    int bits = 0;
    *out = NULL;
    *out_len = 0;
    for (size_t i = 0; i < len; i++)
        if (b64url_value((unsigned char)s[i]) < 0) return (long)i + 1;
    if (len % 4 == 1) return (long)len;
    p = malloc(len / 4 * 3 + 3);
    if (!p) return -1;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 6 | (unsigned long)b64url_value((unsigned char)s[i])) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            p[n++] = (unsigned char)(acc >> bits);
        }
    }
    if (bits && (acc & ((1ul << bits) - 1))) { /* unused bits of the last character */
        free(p);
        return (long)len;
    }
    p[n] = '\0';
    *out = p;
    *out_len = n;
    return 0;
}

char *cx__b64url_encode(const void *data, size_t len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const unsigned char *p = data;
    char *out = malloc(len / 3 * 4 + 4), *o = out;
    unsigned long acc = 0;
    int bits = 0;
    if (!out) return NULL;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8 | p[i]) & 0xffff;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            *o++ = alphabet[acc >> bits & 63];
        }
    }
    if (bits) *o++ = alphabet[acc << (6 - bits) & 63];
    *o = '\0';
    return out;
}

/* ------------------------------------------------------------------ JWK */

const char *cx__jwk_alg(cx_jwk_type type)
{
    return type == CX_JWK_ED25519 ? "EdDSA" : type == CX_JWK_P256 ? "ES256" : "RS256";
}

const char *cx__jwk_type_name(cx_jwk_type type)
{
    return type == CX_JWK_ED25519 ? "Ed25519" : type == CX_JWK_P256 ? "P-256" : "RSA";
}

void cx__jwk_clear(cx_jwk *key)
{
    if (!key) return;
    free(key->kid);
    free(key->n);
    free(key->e);
    memset(key, 0, sizeof *key);
}

/* The bytes of the base64url value of key in map (a required member). */
static int jwk_bytes(const char *file, const cx_ynode *map, const char *key, unsigned char **out,
                     size_t *out_len, cx_error *err)
{
    const cx_ynode *n = cx__ymap_get(map, key);
    const char *text;
    long bad;
    int rc = cx__yscalar(file, n, key, &text, err);
    if (rc != CX_OK) return rc;
    bad = cx__b64url_decode(text, n->len, out, out_len);
    if (bad < 0) return cx__error(err, CX_ENOMEM, file, n->line, n->column, "out of memory");
    if (bad > 0)
        return cx__error(err, CX_EINPUT, file, n->line, n->column,
                         "invalid base64url in '%s' at character %ld: expected the url-safe "
                         "alphabet (A-Z a-z 0-9 - _) without padding or whitespace",
                         key, bad);
    return CX_OK;
}

/* Decodes member key of map into exactly 32 bytes at dst. */
static int jwk_coordinate(const char *file, const cx_ynode *map, const char *key, const char *what,
                          unsigned char dst[32], cx_error *err)
{
    const cx_ynode *n = cx__ymap_get(map, key);
    unsigned char *bytes = NULL;
    size_t len = 0;
    int rc = jwk_bytes(file, map, key, &bytes, &len, err);
    if (rc == CX_OK && len != 32)
        rc = cx__error(err, CX_EINPUT, file, n->line, n->column,
                       "%s of %s key must be 32 bytes, found %zu", key, what, len);
    if (rc == CX_OK) memcpy(dst, bytes, 32);
    free(bytes);
    return rc;
}

static int p256_on_curve(const unsigned char x[32], const unsigned char y[32])
{
    struct ecc_point point;
    mpz_t mx, my;
    int ok;
    ecc_point_init(&point, nettle_get_secp_256r1());
    mpz_init(mx);
    mpz_init(my);
    nettle_mpz_set_str_256_u(mx, 32, x);
    nettle_mpz_set_str_256_u(my, 32, y);
    ok = ecc_point_set(&point, mx, my);
    mpz_clear(mx);
    mpz_clear(my);
    ecc_point_clear(&point);
    return ok;
}

/* Drops leading zero bytes of a big-endian number in place. */
static void strip_zeros(unsigned char *p, size_t *len)
{
    size_t k = 0;
    while (k < *len && p[k] == 0) k++;
    memmove(p, p + k, *len - k);
    *len -= k;
}

/* The checks of an RSA public key whose n and e are in out (leading zeros
 * dropped here); errors about n are located at nl:nc, about e at el:ec. */
static int rsa_check(const char *file, int nl, int nc, int el, int ec, cx_jwk *out, cx_error *err)
{
    struct rsa_public_key pub;
    size_t bits;
    int rc = CX_OK;
    strip_zeros(out->n, &out->n_len);
    strip_zeros(out->e, &out->e_len);
    bits = out->n_len * 8;
    for (unsigned char top = out->n_len ? out->n[0] : 0; bits && !(top & 0x80); top <<= 1) bits--;
    if (bits < CX_JWK_RSA_MIN_BITS || bits > CX_JWK_RSA_MAX_BITS)
        return cx__error(err, CX_EINPUT, file, nl, nc,
                         "RSA modulus of %zu bits; between %d and %d are accepted", bits,
                         CX_JWK_RSA_MIN_BITS, CX_JWK_RSA_MAX_BITS);
    if (!(out->n[out->n_len - 1] & 1))
        return cx__error(err, CX_EINPUT, file, nl, nc, "RSA modulus is even: not an RSA key");
    if (out->e_len == 0 || out->e_len > 8 || !(out->e[out->e_len - 1] & 1) ||
        (out->e_len == 1 && out->e[0] < 3))
        return cx__error(err, CX_EINPUT, file, el, ec,
                         "RSA exponent must be odd, at least 3 and at most 64 bits");
    rsa_public_key_init(&pub);
    nettle_mpz_set_str_256_u(pub.n, out->n_len, out->n);
    nettle_mpz_set_str_256_u(pub.e, out->e_len, out->e);
    if (!rsa_public_key_prepare(&pub))
        rc = cx__error(err, CX_EINPUT, file, nl, nc,
                       "RSA key refused by Nettle (modulus too small for PKCS#1)");
    rsa_public_key_clear(&pub);
    return rc;
}

static int jwk_rsa(const char *file, const cx_ynode *map, cx_jwk *out, cx_error *err)
{
    const cx_ynode *nn = cx__ymap_get(map, "n"), *en = cx__ymap_get(map, "e");
    int rc = jwk_bytes(file, map, "n", &out->n, &out->n_len, err);
    if (rc == CX_OK) rc = jwk_bytes(file, map, "e", &out->e, &out->e_len, err);
    if (rc != CX_OK) return rc;
    return rsa_check(file, nn->line, nn->column, en->line, en->column, out, err);
}

static const char *const jwk_private[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "k", NULL};
static const char *const jwk_okp_keys[] = {"kty", "crv", "x", "kid", "use", "alg", NULL};
static const char *const jwk_okp_req[] = {"kty", "crv", "x", NULL};
static const char *const jwk_ec_keys[] = {"kty", "crv", "x", "y", "kid", "use", "alg", NULL};
static const char *const jwk_ec_req[] = {"kty", "crv", "x", "y", NULL};
static const char *const jwk_rsa_keys[] = {"kty", "n", "e", "kid", "use", "alg", NULL};
static const char *const jwk_rsa_req[] = {"kty", "n", "e", NULL};

/* kty and crv: which key this is, and its schema. */
static int jwk_kind(const char *file, const cx_ynode *node, cx_jwk_type *type, cx_yschema *s,
                    cx_error *err)
{
    const cx_ynode *kn = cx__ymap_get(node, "kty"), *cn = cx__ymap_get(node, "crv");
    const char *kty, *crv = NULL;
    int rc;
    if (!kn)
        return cx__error(err, CX_EINPUT, file, node->line, node->column,
                         "JWK is missing required key 'kty'");
    if ((rc = cx__yscalar(file, kn, "kty", &kty, err)) != CX_OK) return rc;
    if (strcmp(kty, "RSA") == 0) {
        *type = CX_JWK_RSA;
        *s = (cx_yschema){"RSA JWK", NULL, jwk_rsa_keys, NULL, jwk_rsa_req, 1};
        return CX_OK;
    }
    if (strcmp(kty, "OKP") != 0 && strcmp(kty, "EC") != 0)
        return cx__error(err, CX_EINPUT, file, kn->line, kn->column,
                         "unsupported kty '%s'; expected one of: OKP, EC, RSA (public keys; "
                         "symmetric 'oct' keys are never trusted)",
                         kty);
    if (!cn)
        return cx__error(err, CX_EINPUT, file, node->line, node->column,
                         "%s JWK is missing required key 'crv'", kty);
    if ((rc = cx__yscalar(file, cn, "crv", &crv, err)) != CX_OK) return rc;
    if (kty[0] == 'O' && strcmp(crv, "Ed25519") == 0) {
        *type = CX_JWK_ED25519;
        *s = (cx_yschema){"Ed25519 JWK", NULL, jwk_okp_keys, NULL, jwk_okp_req, 1};
    } else if (kty[0] == 'E' && strcmp(crv, "P-256") == 0) {
        *type = CX_JWK_P256;
        *s = (cx_yschema){"P-256 JWK", NULL, jwk_ec_keys, NULL, jwk_ec_req, 1};
    } else {
        return cx__error(err, CX_EINPUT, file, cn->line, cn->column,
                         "unsupported crv '%s' for kty %s; expected %s", crv, kty,
                         kty[0] == 'O' ? "Ed25519" : "P-256");
    }
    return CX_OK;
}

/* The optional use and alg: informative, but never contradicting the key. */
static int jwk_usage(const char *file, const cx_ynode *node, cx_jwk *out, cx_error *err)
{
    const cx_ynode *un = cx__ymap_get(node, "use"), *an = cx__ymap_get(node, "alg");
    const cx_ynode *kid = cx__ymap_get(node, "kid");
    const char *text;
    int rc;
    if (un) {
        if ((rc = cx__yscalar(file, un, "use", &text, err)) != CX_OK) return rc;
        if (strcmp(text, "sig") != 0)
            return cx__error(err, CX_EINPUT, file, un->line, un->column,
                             "use '%s': a trusted key must be a signing key ('sig')", text);
    }
    if (an) {
        if ((rc = cx__yscalar(file, an, "alg", &text, err)) != CX_OK) return rc;
        if (strcmp(text, cx__jwk_alg(out->type)) != 0)
            return cx__error(err, CX_EINPUT, file, an->line, an->column,
                             "alg '%s' does not suit an %s key; expected %s", text,
                             cx__jwk_type_name(out->type), cx__jwk_alg(out->type));
    }
    if (kid) {
        if ((rc = cx__yscalar(file, kid, "kid", &text, err)) != CX_OK) return rc;
        if (!(out->kid = cx__strdup(text)))
            return cx__error(err, CX_ENOMEM, file, kid->line, kid->column, "out of memory");
    }
    return CX_OK;
}

int cx__jwk_from_node(const char *file, const cx_ynode *node, cx_jwk *out, cx_error *err)
{
    cx_yschema schema;
    int rc;
    memset(out, 0, sizeof *out);
    if (!node || node->kind != CX_YMAP) {
        rc = cx__error(err, CX_EINPUT, file, node ? node->line : 0, node ? node->column : 0,
                       "expected a JWK to be a mapping, found %s",
                       node ? cx__ynode_kind_name(node->kind) : "nothing");
        goto done;
    }
    out->line = node->line;
    out->column = node->column;
    if ((rc = jwk_kind(file, node, &out->type, &schema, err)) != CX_OK) goto done;
    for (size_t i = 0; i < node->count; i++)
        if (cx__listed(jwk_private, node->keys[i]->text)) {
            rc = cx__error(err, CX_EINPUT, file, node->keys[i]->line, node->keys[i]->column,
                           "private key member '%s' in a JWK; a trust document holds public "
                           "keys only",
                           node->keys[i]->text);
            goto done;
        }
    if ((rc = cx__ycheck_map(file, node, &schema, err)) != CX_OK) goto done;
    if ((rc = jwk_usage(file, node, out, err)) != CX_OK) goto done;
    if (out->type == CX_JWK_RSA) {
        rc = jwk_rsa(file, node, out, err);
    } else if (out->type == CX_JWK_ED25519) {
        rc = jwk_coordinate(file, node, "x", "an Ed25519", out->x, err);
    } else {
        rc = jwk_coordinate(file, node, "x", "a P-256", out->x, err);
        if (rc == CX_OK) rc = jwk_coordinate(file, node, "y", "a P-256", out->y, err);
        if (rc == CX_OK && !p256_on_curve(out->x, out->y))
            rc = cx__error(err, CX_EINPUT, file, node->line, node->column,
                           "the P-256 point (x, y) is not on the curve");
    }
done:
    if (rc != CX_OK) cx__jwk_clear(out);
    return rc;
}

/* The big-endian bytes of x into *out (malloc'd). */
static int mpz_bytes(const mpz_t x, unsigned char **out, size_t *len)
{
    *len = nettle_mpz_sizeinbase_256_u(x);
    if (!(*out = malloc(*len))) return 0;
    nettle_mpz_get_str_256(*len, *out, x);
    return 1;
}

/* The DER of a PEM block labelled label: the base64 between the BEGIN and
 * END lines (line breaks skipped), into *der (malloc'd); NULL or what is
 * wrong. */
static const char *pem_body(const char *pem, size_t len, const char *label, unsigned char **der,
                            size_t *der_len)
{
    char begin[64], end[64];
    const char *body, *stop, *last = pem + len;
    size_t nb, ne;
    struct base64_decode_ctx ctx;
    nb = (size_t)snprintf(begin, sizeof begin, "-----BEGIN %s-----", label);
    ne = (size_t)snprintf(end, sizeof end, "-----END %s-----", label);
    if (len < nb || memcmp(pem, begin, nb) != 0)
        return "expected a PEM block starting '-----BEGIN RSA PUBLIC KEY-----' (PKCS#1)";
    body = pem + nb;
    for (stop = body; stop + ne <= last && memcmp(stop, end, ne) != 0; stop++) continue;
    if (stop + ne > last) return "no '-----END RSA PUBLIC KEY-----' line";
    for (const char *p = stop + ne; p < last; p++)
        if (*p != '\n' && *p != '\r') return "bytes after the END line";
    for (const char *p = body; p < stop; p++)
        if (*p == ' ' || *p == '\t') return "spaces in the PEM block";
    if (!(*der = malloc(BASE64_DECODE_LENGTH((size_t)(stop - body)) + 1))) return "out of memory";
    base64_decode_init(&ctx);
    if (!base64_decode_update(&ctx, der_len, *der, (size_t)(stop - body), body) ||
        !base64_decode_final(&ctx))
        return "invalid base64 in the PEM block";
    return NULL;
}

int cx__jwk_from_rsa_pem(const char *file, int line, int column, const char *pem, size_t len,
                         cx_jwk *out, cx_error *err)
{
    struct rsa_public_key pub;
    unsigned char *der = NULL;
    size_t der_len = 0;
    const char *why;
    int rc = CX_OK;
    memset(out, 0, sizeof *out);
    out->type = CX_JWK_RSA;
    out->line = line;
    out->column = column;
    rsa_public_key_init(&pub);
    if ((why = pem_body(pem, len, "RSA PUBLIC KEY", &der, &der_len))) {
        rc = cx__error(err, strcmp(why, "out of memory") == 0 ? CX_ENOMEM : CX_EINPUT, file, line,
                       column, "RSA public key: %s", why);
    } else if (!rsa_keypair_from_der(&pub, NULL, CX_JWK_RSA_MAX_BITS, der_len, der)) {
        rc = cx__error(err, CX_EINPUT, file, line, column,
                       "RSA public key: not a PKCS#1 RSAPublicKey (SEQUENCE of modulus and "
                       "exponent), or a modulus of more than %d bits",
                       CX_JWK_RSA_MAX_BITS);
    } else if (!mpz_bytes(pub.n, &out->n, &out->n_len) || !mpz_bytes(pub.e, &out->e, &out->e_len)) {
        rc = cx__error(err, CX_ENOMEM, file, line, column, "out of memory");
    } else {
        rc = rsa_check(file, line, column, line, column, out, err);
    }
    rsa_public_key_clear(&pub);
    free(der);
    if (rc != CX_OK) cx__jwk_clear(out);
    return rc;
}

int cx__jwk_same(const cx_jwk *a, const cx_jwk *b)
{
    if (a->type != b->type) return 0;
    if (a->type == CX_JWK_RSA)
        return a->n_len == b->n_len && a->e_len == b->e_len && memcmp(a->n, b->n, a->n_len) == 0 &&
               memcmp(a->e, b->e, a->e_len) == 0;
    return memcmp(a->x, b->x, 32) == 0 && (a->type != CX_JWK_P256 || memcmp(a->y, b->y, 32) == 0);
}

/* ---------------------------------------------------------------- trust */

struct cx_trust {
    cx_trust_issuer *issuers; /* sorted by id (byte order) for lookup */
    size_t count;
};

static int issuer_cmp(const void *a, const void *b)
{
    return strcmp(((const cx_trust_issuer *)a)->id, ((const cx_trust_issuer *)b)->id);
}

static void issuer_clear(cx_trust_issuer *is)
{
    for (size_t k = 0; k < is->nkeys; k++) cx__jwk_clear(&is->keys[k]);
    free(is->keys);
    free(is->id);
}

void cx__trust_free(cx_trust *trust)
{
    if (!trust) return;
    for (size_t i = 0; i < trust->count; i++) issuer_clear(&trust->issuers[i]);
    free(trust->issuers);
    free(trust);
}

static const char *const trust_top_keys[] = {"issuers", NULL};
static const char *const issuer_keys[] = {"id", "keys", NULL};

/* The keys of one issuer: a non-empty list, kids unique. */
static int issuer_keys_read(const char *file, const cx_ynode *list, cx_trust_issuer *is,
                            cx_error *err)
{
    if (list->kind != CX_YLIST || list->count == 0)
        return cx__error(err, CX_EINPUT, file, list->line, list->column,
                         "expected 'keys' to be a non-empty list of JWKs, found %s",
                         list->kind == CX_YLIST ? "an empty list"
                                                : cx__ynode_kind_name(list->kind));
    if (!(is->keys = calloc(list->count, sizeof *is->keys)))
        return cx__error(err, CX_ENOMEM, file, list->line, list->column, "out of memory");
    for (size_t k = 0; k < list->count; k++) {
        int rc = cx__jwk_from_node(file, list->items[k], &is->keys[k], err);
        if (rc != CX_OK) return rc;
        is->nkeys++;
        for (size_t j = 0; j < k && is->keys[k].kid; j++)
            if (is->keys[j].kid && strcmp(is->keys[j].kid, is->keys[k].kid) == 0)
                return cx__error(err, CX_EINPUT, file, list->items[k]->line, list->items[k]->column,
                                 "duplicate kid '%s' for issuer '%s' (first at line %d)",
                                 is->keys[k].kid, is->id, is->keys[j].line);
    }
    return CX_OK;
}

static int issuer_read(const char *file, const cx_ynode *node, cx_trust_issuer *is, cx_error *err)
{
    static const cx_yschema s = {"issuer", NULL, issuer_keys, NULL, issuer_keys, 1};
    const char *id;
    int rc = cx__ycheck_map(file, node, &s, err);
    if (rc != CX_OK) return rc;
    is->line = node->line;
    is->column = node->column;
    if ((rc = cx__yscalar(file, cx__ymap_get(node, "id"), "id", &id, err)) != CX_OK) return rc;
    if (!(is->id = cx__strdup(id)))
        return cx__error(err, CX_ENOMEM, file, node->line, node->column, "out of memory");
    return issuer_keys_read(file, cx__ymap_get(node, "keys"), is, err);
}

int cx__trust_from_node(const char *file, const cx_ynode *root, cx_trust **out, cx_error *err)
{
    static const cx_yschema s = {
        "trust document", "top-level key", trust_top_keys, NULL, trust_top_keys, 1};
    const cx_ynode *list;
    cx_trust *t = calloc(1, sizeof *t);
    int rc = CX_OK;
    *out = NULL;
    if (!t) return cx__error(err, CX_ENOMEM, file, 0, 0, "out of memory");
    if (!root) {
        rc = cx__error(err, CX_EINPUT, file, 1, 1, "empty trust document; expected 'issuers'");
        goto done;
    }
    if ((rc = cx__ycheck_map(file, root, &s, err)) != CX_OK) goto done;
    list = cx__ymap_get(root, "issuers");
    if (list->kind != CX_YLIST) {
        rc =
            cx__error(err, CX_EINPUT, file, list->line, list->column,
                      "expected 'issuers' to be a list, found %s", cx__ynode_kind_name(list->kind));
        goto done;
    }
    if (list->count && !(t->issuers = calloc(list->count, sizeof *t->issuers))) {
        rc = cx__error(err, CX_ENOMEM, file, list->line, list->column, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < list->count && rc == CX_OK; i++) {
        rc = issuer_read(file, list->items[i], &t->issuers[i], err);
        t->count++;
        for (size_t j = 0; j < i && rc == CX_OK; j++)
            if (strcmp(t->issuers[j].id, t->issuers[i].id) == 0)
                rc = cx__error(err, CX_EINPUT, file, list->items[i]->line, list->items[i]->column,
                               "duplicate issuer id '%s' (first at line %d)", t->issuers[i].id,
                               t->issuers[j].line);
    }
    if (rc == CX_OK && t->count) qsort(t->issuers, t->count, sizeof *t->issuers, issuer_cmp);
done:
    if (rc != CX_OK) {
        cx__trust_free(t);
        t = NULL;
    }
    *out = t;
    return rc;
}

int cx__trust_load_file(const char *path, cx_trust **out, cx_error *err)
{
    cx_ydoc *doc = NULL;
    int rc = cx__yaml_load_file(path, &doc, err);
    *out = NULL;
    if (rc == CX_OK) rc = cx__trust_from_node(path, cx__ydoc_root(doc), out, err);
    cx__ydoc_free(doc);
    return rc;
}

const cx_trust_issuer *cx__trust_issuer(const cx_trust *trust, const char *id)
{
    cx_trust_issuer probe = {.id = (char *)id};
    if (!trust || !trust->count || !id) return NULL;
    return bsearch(&probe, trust->issuers, trust->count, sizeof probe, issuer_cmp);
}

const cx_trust_issuer *cx__trust_issuer_by_key(const cx_trust *trust, const cx_jwk *key,
                                               const cx_jwk **found)
{
    const cx_trust_issuer *match = NULL;
    *found = NULL;
    for (size_t i = 0; trust && i < trust->count; i++)
        for (size_t k = 0; k < trust->issuers[i].nkeys; k++)
            if (cx__jwk_same(&trust->issuers[i].keys[k], key) && !match) {
                match = &trust->issuers[i];
                *found = &match->keys[k];
            }
    return match;
}

size_t cx__trust_count(const cx_trust *trust)
{
    return trust ? trust->count : 0;
}
