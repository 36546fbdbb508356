/*
 * pages.h -- the files `credex serve` serves from the binary: the web pages
 * and the OpenAPI document of runtime/pages/, embedded at build time
 * (scripts/embed_pages.cmake). Looks a path up; must not read files or
 * know HTTP beyond a content type.
 */
#ifndef CX_PAGES_H
#define CX_PAGES_H

#include <stddef.h>

/* One embedded file at one path. Static data: nothing to free. */
typedef struct cx_page {
    const char *path;           /* "/", "/openapi.json", "/pages/NAME" */
    const char *content_type;   /* e.g. "text/html; charset=utf-8" */
    const unsigned char *bytes; /* the file's bytes, followed by a NUL not counted in len */
    size_t len;                 /* bytes in the file */
} cx_page;

/* Every page, sorted by path in byte order, ended by a row of NULLs;
 * cx__page_count rows before it (generated: pages_embed.c). */
extern const cx_page cx__pages[];
extern const size_t cx__page_count;

/* The page served at path (the URL's path, without query or fragment,
 * compared byte for byte: no decoding, no normalisation, so "/pages/../x"
 * is simply not found), or NULL. */
const cx_page *cx__page_find(const char *path);

#endif
