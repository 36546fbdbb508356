/*
 * pages.c -- looks up the files embedded from runtime/pages/ by the path
 * they are served at. Owns no state and reads no file; the table is
 * generated (pages_embed.c), and the server alone decides what to send.
 */
#include "pages.h"

#include <string.h>

const cx_page *cx__page_find(const char *path)
{
    if (!path) return NULL;
    size_t lo = 0, hi = cx__page_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(path, cx__pages[mid].path);
        if (cmp == 0) return &cx__pages[mid];
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}
