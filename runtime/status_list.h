/*
 * status_list.h -- the bits of a Bitstring Status List or a StatusList2021
 * credential's encodedList (GZIP through zlib, only in status_list.c), for
 * the readers that check an award's credentialStatus. It decodes and
 * answers "is bit i set"; it never fetches a list or decides what a set
 * bit means (revoked, suspended: the reader knows the statusPurpose).
 */
#ifndef CX_STATUS_LIST_H
#define CX_STATUS_LIST_H

#include <stddef.h>

#include "credex.h"
#include "yaml_reader.h"

/* The largest inflated list accepted: 16 MiB, 134 million entries (the
 * specifications' minimum is 16 KiB). A larger one -- a decompression bomb
 * or not -- is refused before more is inflated. */
#define CX_STATUS_LIST_MAX_BYTES ((size_t)16 << 20)

typedef enum cx_status_list_format {
    CX_STATUS_BITSTRING, /* BitstringStatusList: multibase, a 'u' then base64url */
    CX_STATUS_LIST2021   /* StatusList2021: plain base64url */
} cx_status_list_format;

typedef struct cx_status_list cx_status_list; /* the inflated bits; owns them */

/* Decodes the encodedList scalar node (of a document named file) in the
 * given format into *out (owned by the caller: cx__status_list_free).
 * Refused, CX_EINPUT located at the node: no 'u' multibase prefix
 * (Bitstring), invalid base64url, data that is not GZIP or is cut short,
 * bytes after the GZIP stream, an empty list, and a list that inflates to
 * more than CX_STATUS_LIST_MAX_BYTES. */
int cx__status_list_decode(const char *file, const cx_ynode *encoded, cx_status_list_format format,
                           cx_status_list **out, cx_error *err);

/* The number of entries (bits) in list. */
size_t cx__status_list_entries(const cx_status_list *list);

/* The bit at index (0-based; entry 0 is the most significant bit of the
 * first byte, as both specifications say): 1 set, 0 clear, -1 out of
 * range. */
int cx__status_list_get(const cx_status_list *list, size_t index);

/* The bit at the entry's statusListIndex scalar node (a decimal string,
 * digits only, as the specifications write it) into *bit. CX_EINPUT
 * located at the node when it is not such a number or is out of range
 * ("statusListIndex 131072 is out of range: the list has 131072
 * entries"). */
int cx__status_list_bit(const char *file, const cx_status_list *list, const cx_ynode *index,
                        int *bit, cx_error *err);

void cx__status_list_free(cx_status_list *list); /* accepts NULL */

#endif
