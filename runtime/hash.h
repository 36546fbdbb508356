/*
 * hash.h -- SHA-256 for the decision log (docs/design.md §8): a pack's source is
 * kept by the hex digest of its bytes. hash.c is the only file that uses
 * Nettle; nothing here is hand-written cryptography.
 */
#ifndef CX_HASH_H
#define CX_HASH_H

#include <stddef.h>

/* Writes the SHA-256 of len bytes at data into out as 64 lower-case hex
 * digits and a NUL. data may be NULL when len is 0. */
void cx__sha256_hex(const void *data, size_t len, char out[65]);

/* The same over bytes that arrive in pieces (a registry table's rows):
 * cx__sha256_new (NULL when out of memory), cx__sha256_update per piece,
 * cx__sha256_done writes the digest (out may be NULL) and frees h
 * (accepts NULL). */
typedef struct cx__sha256 cx__sha256;
cx__sha256 *cx__sha256_new(void);
void cx__sha256_update(cx__sha256 *h, const void *data, size_t len);
void cx__sha256_done(cx__sha256 *h, char out[65]);

#endif
