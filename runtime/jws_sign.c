/*
 * jws_sign.c -- the signing side of jws.h: Ed25519 private JWKs (read,
 * checked, made from the kernel's random bytes into a new 0600 file) and
 * compact JWS signing with alg EdDSA, through Nettle. It decides nothing
 * about what is signed, and never writes a private key anywhere but a new
 * file it creates.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <nettle/eddsa.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jws.h"
#include "util.h"

/* ------------------------------------------------------------------ keys */

void cx__ed25519_public(const unsigned char d[32], unsigned char x[32])
{
    ed25519_sha512_public_key(x, d);
}

/* Overwrites n bytes at p in a way the compiler may not drop. */
static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--) *v++ = 0;
}

void cx__ed25519_private_clear(cx_ed25519_private *k)
{
    if (!k) return;
    free(k->kid);
    wipe(k, sizeof *k);
}

/* Decodes member key of map into exactly 32 bytes at dst. */
static int key_bytes(const char *file, const cx_ynode *map, const char *key, unsigned char dst[32],
                     cx_error *err)
{
    const cx_ynode *n = cx__ymap_get(map, key);
    const char *text;
    unsigned char *bytes = NULL;
    size_t len = 0;
    long bad;
    int rc = cx__yscalar(file, n, key, &text, err);
    if (rc != CX_OK) return rc;
    bad = cx__b64url_decode(text, n->len, &bytes, &len);
    if (bad < 0) return cx__ynode_error(err, file, n, "out of memory");
    if (bad > 0)
        rc = cx__ynode_error(err, file, n,
                             "invalid base64url in '%s' at character %ld: expected the url-safe "
                             "alphabet (A-Z a-z 0-9 - _) without padding or whitespace",
                             key, bad);
    else if (len != 32)
        rc = cx__ynode_error(err, file, n,
                             "%s of an Ed25519 private key must be 32 bytes, found %zu", key, len);
    else
        memcpy(dst, bytes, 32);
    if (bytes) wipe(bytes, len);
    free(bytes);
    return rc;
}

/* kty OKP and crv Ed25519, each located when it is anything else. */
static int key_kind(const char *file, const cx_ynode *node, cx_error *err)
{
    const cx_ynode *kn = cx__ymap_get(node, "kty"), *cn = cx__ymap_get(node, "crv");
    const char *kty, *crv;
    int rc;
    if (!kn || !cn)
        return cx__ynode_error(err, file, node,
                               "the key has no '%s'; expected an Ed25519 private JWK "
                               "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":...,\"x\":...}",
                               kn ? "crv" : "kty");
    if ((rc = cx__yscalar(file, kn, "kty", &kty, err)) != CX_OK) return rc;
    if (strcmp(kty, "OKP") != 0)
        return cx__ynode_error(err, file, kn,
                               "kty '%s': a signing key must be an Ed25519 key (kty OKP, crv "
                               "Ed25519)",
                               kty);
    if ((rc = cx__yscalar(file, cn, "crv", &crv, err)) != CX_OK) return rc;
    if (strcmp(crv, "Ed25519") != 0)
        return cx__ynode_error(err, file, cn,
                               "crv '%s': a signing key must be an Ed25519 key (kty OKP, crv "
                               "Ed25519)",
                               crv);
    return CX_OK;
}

/* The optional kid, use and alg. */
static int key_extras(const char *file, const cx_ynode *node, cx_ed25519_private *out,
                      cx_error *err)
{
    const cx_ynode *un = cx__ymap_get(node, "use"), *an = cx__ymap_get(node, "alg");
    const cx_ynode *kn = cx__ymap_get(node, "kid");
    const char *text;
    int rc;
    if (un && (rc = cx__yscalar(file, un, "use", &text, err)) != CX_OK) return rc;
    if (un && strcmp(text, "sig") != 0)
        return cx__ynode_error(err, file, un, "use '%s': a signing key has use 'sig'", text);
    if (an && (rc = cx__yscalar(file, an, "alg", &text, err)) != CX_OK) return rc;
    if (an && strcmp(text, "EdDSA") != 0)
        return cx__ynode_error(err, file, an,
                               "alg '%s' does not suit an Ed25519 key; expected EdDSA", text);
    if (kn && (rc = cx__yscalar(file, kn, "kid", &text, err)) != CX_OK) return rc;
    if (kn && !(out->kid = cx__strdup(text)))
        return cx__ynode_error(err, file, kn, "out of memory");
    return CX_OK;
}

int cx__ed25519_private_from_node(const char *file, const cx_ynode *node, cx_ed25519_private *out,
                                  cx_error *err)
{
    static const char *const keys[] = {"kty", "crv", "d", "x", "kid", "use", "alg", NULL};
    static const char *const required[] = {"kty", "crv", "d", "x", NULL};
    static const cx_yschema schema = {"Ed25519 private JWK", "member", keys, NULL, required, 1};
    unsigned char x[32];
    int rc;
    memset(out, 0, sizeof *out);
    if (!node || node->kind != CX_YMAP) {
        rc = node ? cx__ynode_error(err, file, node, "expected a JWK (a JSON object), found %s",
                                    cx__ynode_kind_name(node->kind))
                  : cx__error(err, CX_EINPUT, file, 1, 1, "empty key file; expected a JWK");
        goto done;
    }
    if ((rc = key_kind(file, node, err)) != CX_OK) goto done;
    if (!cx__ymap_get(node, "d")) {
        rc = cx__ynode_error(err, file, node,
                             "a public key where a private key is needed: the JWK has no 'd' "
                             "(sign with the file credex keys new wrote, not its public JWK)");
        goto done;
    }
    if ((rc = cx__ycheck_map(file, node, &schema, err)) != CX_OK) goto done;
    if ((rc = key_bytes(file, node, "d", out->d, err)) != CX_OK) goto done;
    if ((rc = key_bytes(file, node, "x", out->x, err)) != CX_OK) goto done;
    cx__ed25519_public(out->d, x);
    if (memcmp(x, out->x, 32) != 0) {
        rc = cx__ynode_error(err, file, cx__ymap_get(node, "x"),
                             "x is not the public key of d: the key file is damaged or its "
                             "halves come from two keys");
        goto done;
    }
    rc = key_extras(file, node, out, err);
done:
    wipe(x, sizeof x);
    if (rc != CX_OK) cx__ed25519_private_clear(out);
    return rc;
}

int cx__ed25519_private_load(const char *path, cx_ed25519_private *out, cx_error *err)
{
    cx_ydoc *doc = NULL;
    int rc = cx__yaml_load_file(path, &doc, err);
    memset(out, 0, sizeof *out);
    if (rc == CX_OK) rc = cx__ed25519_private_from_node(path, cx__ydoc_root(doc), out, err);
    cx__ydoc_free(doc);
    return rc;
}

/* --------------------------------------------------------------- signing */

/* Appends the base64url of n bytes at p to b; 0 when out of memory. */
static int add_b64url(cx_buf *b, const void *p, size_t n)
{
    char *text = cx__b64url_encode(p, n);
    if (!text) return 0;
    cx__buf_add(b, text, strlen(text));
    free(text);
    return 1;
}

char *cx__jws_sign_eddsa(const cx_ed25519_private *k, const char *header_json, const void *payload,
                         size_t n)
{
    unsigned char sig[ED25519_SIGNATURE_SIZE];
    cx_buf b;
    cx__buf_init(&b);
    if (!add_b64url(&b, header_json, strlen(header_json))) goto fail;
    cx__buf_add(&b, ".", 1);
    if (!add_b64url(&b, payload, n)) goto fail;
    if (b.oom) goto fail;
    ed25519_sha512_sign(k->x, k->d, b.len, (const uint8_t *)b.data, sig);
    cx__buf_add(&b, ".", 1);
    if (!add_b64url(&b, sig, sizeof sig)) goto fail;
    cx__buf_add(&b, "", 1);
    if (b.oom) goto fail;
    return b.data;
fail:
    cx__buf_free(&b);
    return NULL;
}

void cx__ed25519_thumbprint(const unsigned char x[32], char out[44])
{
    char canonical[128], *x64 = cx__b64url_encode(x, 32), *t;
    unsigned char digest[SHA256_DIGEST_SIZE];
    struct sha256_ctx ctx;
    out[0] = '\0';
    if (!x64) return;
    snprintf(canonical, sizeof canonical, "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"%s\"}",
             x64);
    free(x64);
    sha256_init(&ctx);
    sha256_update(&ctx, strlen(canonical), (const uint8_t *)canonical);
    sha256_digest(&ctx, sizeof digest, digest);
    if ((t = cx__b64url_encode(digest, sizeof digest))) memcpy(out, t, 44);
    free(t);
}

char *cx__ed25519_public_jwk(const unsigned char x[32], const char *kid)
{
    char *x64 = cx__b64url_encode(x, 32);
    cx_buf b;
    if (!x64) return NULL;
    cx__buf_init(&b);
    cx__buf_printf(&b, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\"");
    if (kid) cx__buf_printf(&b, ",\"kid\":\"%s\"", kid);
    cx__buf_printf(&b, ",\"x\":\"%s\"}", x64);
    free(x64);
    cx__buf_add(&b, "", 1);
    if (b.oom) {
        cx__buf_free(&b);
        return NULL;
    }
    return b.data;
}

/* ------------------------------------------------------------ a new key */

/* 32 bytes from getrandom(2), looping on EINTR and short reads; nothing
 * weaker is ever used instead. 0, or the errno. */
static int random_bytes(unsigned char *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(p + got, n - got, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return errno;
        got += (size_t)r;
    }
    return 0;
}

/* Writes n bytes to fd, looping on EINTR and short writes. 0, or errno. */
static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return errno;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* A kid goes into JSON unescaped: printable ASCII without '"' and '\'. */
static int kid_plain(const char *kid)
{
    if (!*kid || strlen(kid) > 256) return 0;
    for (; *kid; kid++)
        if (*kid < 0x20 || *kid > 0x7e || *kid == '"' || *kid == '\\') return 0;
    return 1;
}

/* The private JWK text of k, one line, into b. */
static void private_jwk(const cx_ed25519_private *k, cx_buf *b)
{
    char *x64 = cx__b64url_encode(k->x, 32), *d64 = cx__b64url_encode(k->d, 32);
    if (x64 && d64)
        cx__buf_printf(
            b, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"%s\",\"x\":\"%s\",\"d\":\"%s\"}\n",
            k->kid, x64, d64);
    else
        b->oom = 1;
    if (d64) wipe(d64, strlen(d64));
    free(x64);
    free(d64);
}

/* Creates path (never replacing a file: O_EXCL, mode 0600) holding text,
 * synced to disk; on a failure after creating it, removes it. */
static int write_new_file(const char *path, const cx_buf *text, cx_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600), e;
    if (fd < 0 && errno == EEXIST)
        return cx__error(err, CX_EINPUT, path, 0, 0,
                         "already exists; credex keys new never overwrites a key file (choose "
                         "another --out)");
    if (fd < 0) return cx__error(err, CX_EINPUT, path, 0, 0, "cannot create: %s", strerror(errno));
    e = fchmod(fd, 0600) != 0 ? errno : 0; /* whatever the umask */
    if (!e) e = write_all(fd, text->data, text->len);
    if (!e && fsync(fd) != 0) e = errno;
    if (close(fd) != 0 && !e) e = errno;
    if (!e) return CX_OK;
    unlink(path);
    return cx__error(err, CX_EINPUT, path, 0, 0, "cannot write the key: %s", strerror(e));
}

int cx_keys_new(const char *path, const char *kid, char **public_jwk, cx_error *err)
{
    cx_ed25519_private k;
    char thumb[44];
    cx_buf text;
    int rc, e;
    *public_jwk = NULL;
    memset(&k, 0, sizeof k);
    cx__buf_init(&text);
    if (kid && !kid_plain(kid))
        return cx__error(err, CX_EUSAGE, NULL, 0, 0,
                         "a kid is 1 to 256 printable ASCII characters without '\"' or '\\'");
    if ((e = random_bytes(k.d, sizeof k.d)) != 0)
        return cx__error(err, CX_EINPUT, path, 0, 0, "getrandom: %s", strerror(e));
    cx__ed25519_public(k.d, k.x);
    cx__ed25519_thumbprint(k.x, thumb);
    k.kid = cx__strdup(kid ? kid : thumb);
    if (k.kid) private_jwk(&k, &text);
    if (!k.kid || text.oom) {
        rc = cx__error(err, CX_ENOMEM, path, 0, 0, "out of memory");
        goto done;
    }
    if ((rc = write_new_file(path, &text, err)) != CX_OK) goto done;
    if (!(*public_jwk = cx__ed25519_public_jwk(k.x, k.kid)))
        rc = cx__error(err, CX_ENOMEM, path, 0, 0, "out of memory");
done:
    if (text.data) wipe(text.data, text.len);
    cx__buf_free(&text);
    cx__ed25519_private_clear(&k);
    return rc;
}
