/*
 * replay.c -- the main() of a fuzz target built as a plain program: runs
 * LLVMFuzzerTestOneInput over every file of the corpus directories given
 * (tests/fuzz/corpus/TARGET), so ctest replays them on every run.
 * Prints how many files it ran and how many of them went all the way
 * (fuzz.h, fuzz_committed); fails when a directory cannot be read, holds
 * no file, or none of its files goes all the way.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Reads the whole file at path into *data (malloc'd; the caller frees). */
static int read_all(const char *path, uint8_t **data, size_t *len)
{
    int rc = -1;
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    if (!f) goto done;
    for (;;) {
        if (n == cap) {
            cap = cap ? 2 * cap : 4096;
            uint8_t *grown = realloc(buf, cap);
            if (!grown) goto done;
            buf = grown;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) goto done;
    *data = buf;
    *len = n;
    buf = NULL;
    rc = 0;
done:
    free(buf);
    if (f) fclose(f);
    return rc;
}

/* Runs every regular file of dir; returns how many, or -1. */
static long replay_dir(const char *dir)
{
    long count = 0;
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "%s: cannot open the corpus directory\n", dir);
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;
        uint8_t *data = NULL;
        size_t len = 0;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path) continue;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (read_all(path, &data, &len) != 0) {
            fprintf(stderr, "%s: cannot read\n", path);
            count = -1;
            break;
        }
        LLVMFuzzerTestOneInput(data, len);
        free(data);
        count++;
    }
    closedir(d);
    return count;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        long before = fuzz_committed;
        long n = replay_dir(argv[i]);
        if (n <= 0) {
            if (n == 0) fprintf(stderr, "%s: no corpus file\n", argv[i]);
            return 1;
        }
        printf("%s: %ld files replayed, %ld went all the way\n", argv[i], n,
               fuzz_committed - before);
        if (fuzz_committed == before) {
            fprintf(stderr, "%s: no file went all the way\n", argv[i]);
            return 1;
        }
    }
    return 0;
}
