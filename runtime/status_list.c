/*
 * status_list.c -- inflating a status list's encodedList with zlib (the
 * only file that includes zlib.h) under a hard size cap, and reading its
 * bits. It never fetches a list and never interprets a bit.
 */
#include "status_list.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "jws.h"
#include "util.h"

struct cx_status_list {
    unsigned char *bits; /* the inflated bytes, entry 0 = MSB of bits[0] */
    size_t len;          /* bytes in bits */
};

void cx__status_list_free(cx_status_list *list)
{
    if (!list) return;
    free(list->bits);
    free(list);
}

size_t cx__status_list_entries(const cx_status_list *list)
{
    return list->len * 8;
}

int cx__status_list_get(const cx_status_list *list, size_t index)
{
    if (index / 8 >= list->len) return -1;
    return list->bits[index / 8] >> (7 - index % 8) & 1;
}

/* Inflates GZIP data into list, refusing more than the cap. Returns NULL
 * or what was wrong. */
static const char *inflate_gzip(const unsigned char *data, size_t len, cx_status_list *list)
{
    z_stream z;
    size_t cap = 1 << 16;
    int zrc = Z_OK;
    const char *why = NULL;
    memset(&z, 0, sizeof z);
    if (len > (uInt)-1) return "encodedList too large";
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return "out of memory";
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    while (!why && zrc != Z_STREAM_END) {
        if (list->len == cap || !list->bits) {
            unsigned char *p;
            if (list->bits) cap *= 2;
            if (cap > CX_STATUS_LIST_MAX_BYTES + 1) cap = CX_STATUS_LIST_MAX_BYTES + 1;
            if (!(p = realloc(list->bits, cap))) {
                why = "out of memory";
                break;
            }
            list->bits = p;
        }
        z.next_out = list->bits + list->len;
        z.avail_out = (uInt)(cap - list->len);
        zrc = inflate(&z, Z_NO_FLUSH);
        list->len = cap - z.avail_out;
        if (list->len > CX_STATUS_LIST_MAX_BYTES)
            why = "the list inflates to more than 16 MiB (a decompression bomb?)";
        else if (zrc == Z_BUF_ERROR && z.avail_in == 0)
            why = "the GZIP data is cut short";
        else if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR)
            why = "the data is not valid GZIP";
    }
    if (!why && z.avail_in) why = "bytes after the end of the GZIP stream";
    if (!why && list->len == 0) why = "the list is empty";
    inflateEnd(&z);
    return why;
}

int cx__status_list_decode(const char *file, const cx_ynode *encoded, cx_status_list_format format,
                           cx_status_list **out, cx_error *err)
{
    cx_status_list *list = NULL;
    unsigned char *gz = NULL;
    size_t gz_len = 0, skip = format == CX_STATUS_BITSTRING;
    const char *text, *why;
    long bad;
    int rc = cx__yscalar(file, encoded, "encodedList", &text, err);
    *out = NULL;
    if (rc != CX_OK) return rc;
    if (skip && text[0] != 'u') {
        rc = cx__error(err, CX_EINPUT, file, encoded->line, encoded->column,
                       "encodedList of a BitstringStatusList must be multibase base64url "
                       "(starting with 'u')");
        goto done;
    }
    bad = cx__b64url_decode(text + skip, encoded->len - skip, &gz, &gz_len);
    if (bad) {
        rc = bad < 0
                 ? cx__error(err, CX_ENOMEM, file, encoded->line, encoded->column, "out of memory")
                 : cx__error(err, CX_EINPUT, file, encoded->line, encoded->column,
                             "invalid base64url in encodedList at character %ld: expected "
                             "the url-safe alphabet (A-Z a-z 0-9 - _) without padding",
                             bad + (long)skip);
        goto done;
    }
    if (!(list = calloc(1, sizeof *list))) {
        rc = cx__error(err, CX_ENOMEM, file, encoded->line, encoded->column, "out of memory");
        goto done;
    }
    if ((why = inflate_gzip(gz, gz_len, list)))
        rc = cx__error(err, strcmp(why, "out of memory") == 0 ? CX_ENOMEM : CX_EINPUT, file,
                       encoded->line, encoded->column, "encodedList refused: %s", why);
done:
    free(gz);
    if (rc != CX_OK) {
        cx__status_list_free(list);
        list = NULL;
    }
    *out = list;
    return rc;
}

int cx__status_list_bit(const char *file, const cx_status_list *list, const cx_ynode *index,
                        int *bit, cx_error *err)
{
    const char *text;
    size_t i = 0;
    int rc = cx__yscalar(file, index, "statusListIndex", &text, err);
    if (rc != CX_OK) return rc;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9' || (p == text && *p == '0' && p[1]) || i > (SIZE_MAX - 9) / 10)
            return cx__ynode_error(err, file, index,
                                   "statusListIndex '%s' is not a non-negative decimal integer",
                                   text);
        i = i * 10 + (size_t)(*p - '0');
    }
    *bit = cx__status_list_get(list, i);
    if (*bit < 0)
        return cx__ynode_error(err, file, index,
                               "statusListIndex %zu is out of range: the list has %zu entries", i,
                               cx__status_list_entries(list));
    return CX_OK;
}
