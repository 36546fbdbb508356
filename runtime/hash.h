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

#endif
