/*
 * fuzz_dir.c -- the fixture folder of the targets that read files: a
 * private temporary folder linking the EV mechanic catalog and packs,
 * the file each input is written to, and the check that an input's paths
 * stay inside the folder. Writes nothing outside that folder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

#define EV TEST_SRC "/examples/ev-mechanic"

static char dir[64];
static char written[128]; /* the last file fuzz_write made, removed at exit */

static void remove_dir(void)
{
    static const char *const links[] = {"catalog.yaml", "rules"};
    char path[128];
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, links[i]);
        unlink(path);
    }
    if (written[0]) unlink(written);
    rmdir(dir);
}

static void link_in(const char *target, const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (symlink(target, path) != 0) {
        perror(path);
        abort();
    }
}

const char *fuzz_dir(void)
{
    if (!dir[0]) {
        const char *tmp = getenv("TMPDIR");
        if (!tmp || !tmp[0] || strlen(tmp) > 40) tmp = "/tmp";
        snprintf(dir, sizeof dir, "%s/credex-fuzz-XXXXXX", tmp);
        if (!mkdtemp(dir)) {
            perror(dir);
            abort();
        }
        atexit(remove_dir);
        link_in(EV "/catalog.yaml", "catalog.yaml");
        link_in(EV "/rules", "rules");
    }
    return dir;
}

const char *fuzz_write(const char *name, const uint8_t *data, size_t size)
{
    snprintf(written, sizeof written, "%s/%s", fuzz_dir(), name);
    FILE *f = fopen(written, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        perror(written);
        abort();
    }
    return written;
}

/* 1 when no scalar below n holds '/' or "..". */
static int plain_name(const cx_ynode *n)
{
    if (n->kind == CX_YSCALAR)
        return memchr(n->text, '/', n->len) == NULL && !strstr(n->text, "..") &&
               strlen(n->text) == n->len;
    for (size_t i = 0; i < n->count; i++)
        if (!plain_name(n->items[i])) return 0;
    return 1;
}

/* 1 when every `catalog` or `rules` value below n (the keys that name
 * files, at any depth) is a plain name. */
static int inside(const cx_ynode *n)
{
    if (n->kind == CX_YSCALAR) return 1;
    for (size_t i = 0; i < n->count; i++) {
        const cx_ynode *key = n->kind == CX_YMAP ? n->keys[i] : NULL;
        int names_files =
            key && (strcmp(key->text, "catalog") == 0 || strcmp(key->text, "rules") == 0);
        if (!(names_files ? plain_name(n->items[i]) : inside(n->items[i]))) return 0;
    }
    return 1;
}

int fuzz_paths_inside(const uint8_t *data, size_t size)
{
    cx_ydoc *doc = NULL;
    cx_error err;
    cx_error_clear(&err);
    if (cx__yaml_load_buffer("fuzz.yaml", (const char *)data, size, &doc, &err) != CX_OK)
        return 1; /* the reader refuses it before any path is read */
    const cx_ynode *root = cx__ydoc_root(doc);
    int ok = !root || inside(root);
    cx__ydoc_free(doc);
    return ok;
}
