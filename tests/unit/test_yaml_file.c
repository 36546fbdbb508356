/*
 * test_yaml_file.c -- a YAML file read in chunks as it is parsed
 * (cx__yfile_open, cx__yaml_stream_file): a file truncated, grown or
 * rewritten between two reads (a read hook changes it) fails with the
 * "changed" error and no signal; read in short pieces (7 bytes, 4,093 for
 * files of several chunks), every file of
 * tests/catalog/bad and files of several chunks give the errors and the
 * trees a buffer gives.
 */
#define _DEFAULT_SOURCE /* truncate, futimens */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "yaml_reader.h"

#define MIB ((size_t)1 << 20)

/* A path under $TEST_TMP (static). */
static const char *tmp_path(const char *name)
{
    static char path[512];
    const char *dir = getenv("TEST_TMP") ? getenv("TEST_TMP") : "/tmp";
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

/* Writes len bytes of text to path. */
static void write_bytes(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    CHECK_INT(fwrite(text, 1, len, f), len);
    fclose(f);
}

/* A catalog of holders "  - { id: hNNNNNNN }" lines, at least size
 * bytes (malloc'd, NUL-terminated); *len its length. eol: the line end. */
static char *holders_text(size_t size, const char *eol, size_t *len)
{
    size_t cap = size + 256, n = 0;
    char *t = malloc(cap);
    n += (size_t)snprintf(t, cap, "holders:%s", eol);
    for (int i = 1; n < size; i++)
        n += (size_t)snprintf(t + n, cap - n, "  - { id: h%07d }%s", i, eol);
    *len = n;
    return t;
}

/* What the read hook does, and on which call. */
typedef struct hook {
    int calls;     /* reads so far */
    int on;        /* the call that changes the file first (1-based) */
    int action;    /* TRUNCATE, GROW, TOUCH, or 0 */
    off_t to;      /* TRUNCATE: the new size */
    size_t piece;  /* 0, or at most this many bytes a read */
    size_t pieces; /* reads that gave fewer bytes than asked */
} hook;

enum { TRUNCATE = 1, GROW, TOUCH };

static ssize_t hooked_read(void *ud, int fd, void *buffer, size_t size)
{
    hook *h = ud;
    if (++h->calls == h->on) {
        int wfd = -1;
        if (h->action == TRUNCATE) CHECK_INT(truncate(tmp_path("file.yaml"), h->to), 0);
        if (h->action == GROW && (wfd = open(tmp_path("file.yaml"), O_WRONLY | O_APPEND)) >= 0) {
            CHECK_INT(write(wfd, "  - { id: late }\n", 17), 17);
            close(wfd);
        }
        if (h->action == TOUCH) { /* the same bytes, another modification time */
            struct timespec times[2] = {{0, UTIME_OMIT}, {1000000000, 0}};
            CHECK_INT(futimens(fd, times), 0);
        }
    }
    if (h->piece && size > h->piece) {
        size = h->piece;
        h->pieces++;
    }
    return read(fd, buffer, size);
}

static int count_item(void *ud, const cx_ynode *item, cx_error *err)
{
    (void)item;
    (void)err;
    (*(size_t *)ud)++;
    return CX_OK;
}

/* Streams the file at path (its holders counted into *items) through h. */
static int stream_file(const char *path, hook *h, size_t *items, cx_ydoc **doc, cx_error *err)
{
    cx_yfile *file = NULL;
    cx_ystream s = {"holders", count_item, items};
    *doc = NULL;
    int rc = cx__yfile_open(path, NULL, hooked_read, h, &file, err);
    CHECK(rc != CX_OK || file != NULL);
    if (rc == CX_OK && file) rc = cx__yaml_stream_file(file, NULL, &s, doc, err);
    cx__yfile_close(file);
    return rc;
}

/* The message of the "changed" error. */
static const char *changed_text(size_t expected, size_t got, size_t now)
{
    static char text[256];
    snprintf(text, sizeof text,
             "the file changed while it was read (%zu bytes expected, %zu read, %zu now); "
             "import it again when nothing writes to it",
             expected, got, now);
    return text;
}

TEST(truncated_between_two_chunks)
{
    size_t len, items = 0;
    char *text = holders_text(3 * MIB, "\n", &len);
    const char *path = tmp_path("file.yaml");
    write_bytes(path, text, len);
    hook h = {0, 2, TRUNCATE, (off_t)(MIB + MIB / 2), 0, 0}; /* after the first chunk */
    cx_ydoc *doc = NULL;
    cx_error err;
    CHECK_INT(stream_file(path, &h, &items, &doc, &err), CX_EINPUT);
    CHECK(doc == NULL);
    CHECK_STR(err.file, path);
    CHECK_INT(err.line, 0);
    CHECK_STR(err.message, changed_text(len, MIB + MIB / 2, MIB + MIB / 2));
    CHECK(items > 0 && items < MIB / 20); /* the first chunk's holders, no more */
    CHECK_INT(h.calls, 3);                /* the head, the truncated chunk, the end */
    free(text);
}

TEST(truncated_after_the_whole_file_was_read)
{
    size_t len, items = 0;
    char *text = holders_text(4000, "\n", &len);
    const char *path = tmp_path("file.yaml");
    write_bytes(path, text, len);
    hook h = {0, 2, TRUNCATE, 100, 0, 0}; /* before the read that finds the end */
    cx_ydoc *doc = NULL;
    cx_error err;
    CHECK_INT(stream_file(path, &h, &items, &doc, &err), CX_EINPUT);
    CHECK(doc == NULL);
    CHECK_STR(err.message, changed_text(len, len, 100));
    free(text);
}

TEST(truncated_to_nothing_before_the_first_read)
{
    size_t len, items = 0;
    char *text = holders_text(4000, "\n", &len);
    const char *path = tmp_path("file.yaml");
    write_bytes(path, text, len);
    hook h = {0, 1, TRUNCATE, 0, 0, 0};
    cx_ydoc *doc = NULL;
    cx_error err;
    CHECK_INT(stream_file(path, &h, &items, &doc, &err), CX_EINPUT);
    CHECK_STR(err.message, changed_text(len, 0, 0));
    CHECK_INT(items, 0);
    free(text);
}

TEST(grown_while_read)
{
    size_t len, items = 0;
    char *text = holders_text(3 * MIB, "\n", &len);
    const char *path = tmp_path("file.yaml");
    write_bytes(path, text, len);
    hook h = {0, 2, GROW, 0, 0, 0};
    cx_ydoc *doc = NULL;
    cx_error err;
    CHECK_INT(stream_file(path, &h, &items, &doc, &err), CX_EINPUT);
    CHECK(doc == NULL);
    CHECK_STR(err.message, changed_text(len, len + 17, len + 17));
    free(text);
}

TEST(rewritten_in_place_while_read)
{
    size_t len, items = 0;
    char *text = holders_text(3 * MIB, "\n", &len);
    const char *path = tmp_path("file.yaml");
    write_bytes(path, text, len);
    hook h = {0, 2, TOUCH, 0, 0, 0};
    cx_ydoc *doc = NULL;
    cx_error err;
    CHECK_INT(stream_file(path, &h, &items, &doc, &err), CX_EINPUT);
    CHECK_STR(err.message, changed_text(len, len, len));
    free(text);
}

TEST(unchanged_file_of_several_chunks_reads_whole)
{
    size_t len, items = 0;
    char *text = holders_text(3 * MIB, "\n", &len);
    const char *path = tmp_path("file.yaml");
    write_bytes(path, text, len);
    hook h = {0, 0, 0, 0, 0, 0};
    cx_ydoc *doc = NULL;
    cx_error err;
    CHECK_INT(stream_file(path, &h, &items, &doc, &err), CX_OK);
    CHECK_INT(items, (len - 9) / 21); /* "holders:\n", then 21 bytes a holder */
    CHECK_INT(h.calls, 5);            /* 1 MiB, 1 MiB, 1 MiB, the rest, the end */
    cx__ydoc_free(doc);
    free(text);
}

TEST(not_a_regular_file_is_left_to_the_caller)
{
    cx_yfile *file = (cx_yfile *)1;
    cx_error err;
    CHECK_INT(cx__yfile_open("/dev/null", NULL, NULL, NULL, &file, &err), CX_OK);
    CHECK(file == NULL);
    CHECK_INT(cx__yfile_open(tmp_path("no-such.yaml"), NULL, NULL, NULL, &file, &err), CX_EINPUT);
    CHECK_CONTAINS(err.message, "cannot open: ");
}

/* The file at path read from a buffer and in reads of piece bytes: the
 * same code, error (message and place) and tree. */
static void same_as_buffer(const char *path, const char *text, size_t len, size_t piece)
{
    cx_ydoc *a = NULL, *b = NULL;
    cx_error ea, eb;
    size_t na = 0, nb = 0;
    cx_ystream s = {"holders", count_item, &na};
    memset(&ea, 0, sizeof ea);
    memset(&eb, 0, sizeof eb);
    int ra = cx__yaml_stream_buffer(path, text, len, NULL, &s, &a, &ea);
    hook h = {0, 0, 0, 0, piece, 0};
    int rb = stream_file(path, &h, &nb, &b, &eb);
    CHECK(len <= piece || h.pieces > 0);
    CHECK_INT(rb, ra);
    CHECK_INT(nb, na);
    if (ra && rb) {
        CHECK_STR(eb.message, ea.message);
        CHECK_STR(eb.file, ea.file);
        CHECK_INT(eb.line, ea.line);
        CHECK_INT(eb.column, ea.column);
    }
    if (!ra && !rb) {
        const cx_ynode *x = cx__ydoc_root(a), *y = cx__ydoc_root(b);
        CHECK((x == NULL) == (y == NULL));
        if (x && y) CHECK_INT(y->count, x->count);
    }
    cx__ydoc_free(a);
    cx__ydoc_free(b);
}

TEST(every_bad_catalog_reads_as_from_a_buffer)
{
    char dir[512], path[1024];
    snprintf(dir, sizeof dir, "%s/tests/catalog/bad", TEST_SRC);
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    struct dirent *e;
    int files = 0;
    while (d && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".yaml") != 0) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char *text = NULL;
        size_t len = 0;
        cx_error err;
        CHECK_INT(cx__yread_file(path, &text, &len, &err), CX_OK);
        if (text) same_as_buffer(path, text, len, 7);
        free(text);
        files++;
    }
    if (d) closedir(d);
    CHECK(files > 50);
}

/* Bad bytes in the last of several chunks, CR LF and LF lines: the line
 * and column come from reading the file again, as from a buffer. */
TEST(bad_bytes_past_the_first_chunk_are_located)
{
    static const char *const tails[] = {"  - { id: x\377 }", "  - { id: \"\xC3(\" }",
                                        "  - { id: x\x01 }", "  - { id: \xE2\x82"};
    static const char *const eols[] = {"\n", "\r\n", "\r"};
    for (size_t k = 0; k < CX_COUNT(eols); k++)
        for (size_t t = 0; t < CX_COUNT(tails); t++) {
            size_t len;
            char *text = holders_text(2 * MIB + 12345, eols[k], &len);
            size_t tail = strlen(tails[t]);
            text = realloc(text, len + tail + 1);
            memcpy(text + len, tails[t], tail + 1);
            len += tail;
            const char *path = tmp_path("bad.yaml");
            write_bytes(path, text, len);
            same_as_buffer(path, text, len, 4093);
            cx_ydoc *doc = NULL;
            cx_error err;
            CHECK_INT(cx__yaml_load_buffer(path, text, len, &doc, &err), CX_EINPUT);
            CHECK(err.line > 90000);
            free(text);
        }
}

static const test_case cases[] = {
    {"truncated_between_two_chunks", truncated_between_two_chunks},
    {"truncated_after_the_whole_file_was_read", truncated_after_the_whole_file_was_read},
    {"truncated_to_nothing_before_the_first_read", truncated_to_nothing_before_the_first_read},
    {"grown_while_read", grown_while_read},
    {"rewritten_in_place_while_read", rewritten_in_place_while_read},
    {"unchanged_file_of_several_chunks_reads_whole", unchanged_file_of_several_chunks_reads_whole},
    {"not_a_regular_file_is_left_to_the_caller", not_a_regular_file_is_left_to_the_caller},
    {"every_bad_catalog_reads_as_from_a_buffer", every_bad_catalog_reads_as_from_a_buffer},
    {"bad_bytes_past_the_first_chunk_are_located", bad_bytes_past_the_first_chunk_are_located},
    {NULL, NULL},
};

TEST_MAIN(cases)
