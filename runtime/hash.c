/*
 * hash.c -- SHA-256 through Nettle (the only file that includes a Nettle
 * header). It hashes bytes it is given; it never reads files or keeps
 * global state (a streaming hash's state is its caller's).
 */
#include "hash.h"

#include <nettle/sha2.h>
#include <stdint.h>
#include <stdlib.h>

struct cx__sha256 {
    struct sha256_ctx ctx;
};

static void digest_hex(struct sha256_ctx *ctx, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(ctx, SHA256_DIGEST_SIZE, digest);
    for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[2 * SHA256_DIGEST_SIZE] = '\0';
}

void cx__sha256_hex(const void *data, size_t len, char out[65])
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    if (len) sha256_update(&ctx, len, data);
    digest_hex(&ctx, out);
}

cx__sha256 *cx__sha256_new(void)
{
    cx__sha256 *h = malloc(sizeof *h);
    if (h) sha256_init(&h->ctx);
    return h;
}

void cx__sha256_update(cx__sha256 *h, const void *data, size_t len)
{
    if (len) sha256_update(&h->ctx, len, data);
}

void cx__sha256_done(cx__sha256 *h, char out[65])
{
    if (h && out) digest_hex(&h->ctx, out);
    free(h);
}
