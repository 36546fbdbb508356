/*
 * test_pages.c -- the files embedded from runtime/pages/ (pages.h): every
 * file of the directory is in the table, byte for byte, at /pages/NAME,
 * with its content type; "/" and "/openapi.json" are the index and the
 * OpenAPI document; the table is sorted, and cx__page_find finds exactly
 * the paths in it (no decoding, no normalisation).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pages.h"
#include "test.h"

/* The bytes of runtime/pages/name, malloc'd (caller frees), or NULL. */
static unsigned char *read_source(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/runtime/pages/%s", TEST_SRC, name);
    FILE *f = fopen(path, "rb");
    unsigned char *bytes = NULL;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        bytes = size >= 0 ? malloc((size_t)size + 1) : NULL;
        if (bytes && fseek(f, 0, SEEK_SET) == 0 &&
            fread(bytes, 1, (size_t)size, f) == (size_t)size) {
            *len = (size_t)size;
        } else {
            free(bytes);
            bytes = NULL;
        }
    }
    fclose(f);
    return bytes;
}

/* Whether page p holds exactly the bytes of runtime/pages/name. */
static int same_as_source(const cx_page *p, const char *name)
{
    size_t len = 0;
    unsigned char *src = read_source(name, &len);
    int same = src && p && p->len == len && memcmp(p->bytes, src, len) == 0 && p->bytes[len] == 0;
    if (!same)
        fprintf(stderr, "  %s differs from runtime/pages/%s\n", p ? p->path : "(none)", name);
    free(src);
    return same;
}

TEST(every_file_byte_identical)
{
    DIR *dir = opendir(TEST_SRC "/runtime/pages");
    CHECK(dir != NULL);
    if (!dir) return;
    size_t files = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[512];
        snprintf(path, sizeof path, "/pages/%s", e->d_name);
        const cx_page *p = cx__page_find(path);
        CHECK(p != NULL);
        CHECK(same_as_source(p, e->d_name));
        files++;
    }
    closedir(dir);
    CHECK(files >= 8); /* four pages, their three scripts, the style sheet, openapi.json */
    CHECK_INT(cx__page_count, files + 2);
}

TEST(aliases)
{
    const cx_page *root = cx__page_find("/");
    CHECK(root != NULL);
    CHECK(same_as_source(root, "index.html"));
    CHECK(root && root->bytes == cx__page_find("/pages/index.html")->bytes);
    const cx_page *doc = cx__page_find("/openapi.json");
    CHECK(doc != NULL);
    CHECK(same_as_source(doc, "openapi.json"));
    if (doc) CHECK_STR(doc->content_type, "application/json");
}

TEST(content_types)
{
    CHECK_STR(cx__page_find("/pages/transfer.html")->content_type, "text/html; charset=utf-8");
    CHECK_STR(cx__page_find("/pages/credex.css")->content_type, "text/css; charset=utf-8");
    CHECK_STR(cx__page_find("/pages/whatif.js")->content_type, "text/javascript; charset=utf-8");
    CHECK_CONTAINS((const char *)cx__page_find("/pages/whatif.html")->bytes, "<svg id=\"chart\"");
}

TEST(sorted_and_ended)
{
    for (size_t i = 1; i < cx__page_count; i++)
        CHECK(strcmp(cx__pages[i - 1].path, cx__pages[i].path) < 0);
    CHECK(cx__pages[cx__page_count].path == NULL);
    for (size_t i = 0; i < cx__page_count; i++)
        CHECK(cx__page_find(cx__pages[i].path) == &cx__pages[i]);
}

TEST(only_exact_paths)
{
    const char *absent[] = {"",
                            "/pages/",
                            "/pages",
                            "/index.html",
                            "/pages/../pages/transfer.html",
                            "/pages/./transfer.html",
                            "/pages//transfer.html",
                            "/pages/transfer.html?holder=h-tx-0001",
                            "/pages/transfer.html/",
                            "/pages/Transfer.html",
                            "/pages/transfer%2Ehtml",
                            "/v1/health",
                            "//",
                            "/pages/transfer.htm"};
    for (size_t i = 0; i < sizeof absent / sizeof *absent; i++) {
        if (cx__page_find(absent[i])) fprintf(stderr, "  found \"%s\"\n", absent[i]);
        CHECK(cx__page_find(absent[i]) == NULL);
    }
    CHECK(cx__page_find(NULL) == NULL);
}

static const test_case cases[] = {{"every_file_byte_identical", every_file_byte_identical},
                                  {"aliases", aliases},
                                  {"content_types", content_types},
                                  {"sorted_and_ended", sorted_and_ended},
                                  {"only_exact_paths", only_exact_paths},
                                  {NULL, NULL}};

TEST_MAIN(cases)
