/*
 * test_csv_import.c -- the bulk path of CSV award lists through cx_import:
 * the input's caps (bytes of a file, regular or a pipe; bytes of a field;
 * rows) each a located error; a list larger than the reader's window, with
 * quoted line breaks across it, read and located to the line; a list read
 * from a pipe; a YAML award that a CSV row already defines; a list that
 * changes between its two readings, refused with the registry unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "credex.h"
#include "test.h"
#include "util.h"

static const char base_yaml[] =
    "jurisdictions:\n"
    "  - { id: US-TX, name: Texas }\n"
    "credentials:\n"
    "  - { id: C1, name: One, type: certificate, jurisdiction: US-TX }\n"
    "  - { id: C2, name: Two, type: certificate, jurisdiction: US-TX }\n";

static const char *path_of(const char *name)
{
    static char paths[4][512];
    static int next;
    const char *dir = getenv("TEST_TMP") ? getenv("TEST_TMP") : "/tmp";
    char *path = paths[next++ % 4];
    snprintf(path, 512, "%s/%s", dir, name);
    return path;
}

static const char *write_file(const char *name, const char *text, size_t len)
{
    const char *path = path_of(name);
    FILE *f = fopen(path, "wb");
    if (!f) return path;
    fwrite(text, 1, len, f);
    fclose(f);
    return path;
}

static cx_registry *registry_with_base(void)
{
    cx_registry *r = NULL;
    cx_error err;
    CHECK_INT(cx_registry_open(NULL, CX_OPEN_MEMORY | CX_OPEN_CREATE, &r, &err), CX_OK);
    const char *path = write_file("csvbulk-base.yaml", base_yaml, strlen(base_yaml));
    CHECK_INT(cx_import(r, &path, 1, NULL, NULL, &err), CX_OK);
    return r;
}

static const char *formatted(const cx_error *err)
{
    static char buf[2048];
    cx_error_format(err, buf, sizeof buf);
    return buf;
}

/* Imports one file under limits (and --jurisdiction US-TX). */
static int import_one(cx_registry *r, const char *path, const cx_limits *limits,
                      cx_import_stats *stats, cx_error *err)
{
    cx_import_options opts;
    memset(&opts, 0, sizeof opts);
    opts.jurisdiction = "US-TX";
    opts.limits = limits;
    cx_error_clear(err);
    return cx_import(r, &path, 1, &opts, stats, err);
}

/* A list of n rows (holder h<i/4>, credential C1 or C2, a date of i),
 * each with a quoted evidence field that holds a line break: every record
 * takes two lines. With bad_last the last row's date is 2025-13-01. */
static char *list_of(int n, int bad_last, size_t *len)
{
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_puts(&b, "holder,credential,issued,evidence\r\n");
    for (int i = 0; i < n; i++)
        cx__buf_printf(&b, "h%d,C%d,%04d-%02d-%02d,\"seen by \"\"%d\"\"\nsigned, filed\"\r\n",
                       i / 4, 1 + i % 2, 2000 + i % 25, i == n - 1 && bad_last ? 13 : 1 + i % 12,
                       1 + (i / 2) % 28, i);
    *len = b.len;
    return b.data;
}

TEST(a_list_larger_than_the_window_reads_and_locates)
{
    cx_registry *r = registry_with_base();
    cx_import_stats stats;
    cx_error err;
    size_t len;
    int n = 40000; /* about 2.3 MB: more than two windows of 1 MiB */
    char *text = list_of(n, 0, &len);
    const char *path = write_file("csvbulk-big.csv", text, len);
    CHECK(len > (size_t)2 << 20);
    CHECK_INT(import_one(r, path, NULL, &stats, &err), CX_OK);
    CHECK_INT(stats.files[CX_FORMAT_CSV], 1);
    CHECK_INT(stats.count[CX_KIND_AWARD], n);
    CHECK_INT(stats.count[CX_KIND_HOLDER], n / 4);
    int64_t counts[CX_KIND_AWARD + 1];
    CHECK_INT(cx_registry_counts(r, counts, &err), CX_OK);
    CHECK_INT(counts[CX_KIND_AWARD], n);
    free(text);

    text = list_of(n, 1, &len);
    path = write_file("csvbulk-big-bad.csv", text, len);
    CHECK_INT(import_one(r, path, NULL, &stats, &err), CX_EINPUT);
    char want[600];
    snprintf(want, sizeof want,
             "%s:%d: column 'issued': invalid date '2024-13-%02d' for 'issued': month must be "
             "01 to 12",
             path, 2 + 2 * (n - 1), 1 + ((n - 1) / 2) % 28);
    CHECK_STR(formatted(&err), want);
    free(text);
    cx_registry_close(r);
}

TEST(the_caps_are_located_errors)
{
    cx_registry *r = registry_with_base();
    cx_import_stats stats;
    cx_error err;
    size_t len;
    char *text = list_of(100, 0, &len); /* 100 records of two lines, about 5.7 kB */
    const char *path = write_file("csvbulk-caps.csv", text, len);
    cx_limits bytes = {1000, 0, 0}, field = {0, 10, 0}, rows = {0, 0, 3};
    CHECK_INT(import_one(r, path, &bytes, &stats, &err), CX_EINPUT);
    char want[600];
    snprintf(want, sizeof want,
             "%s: larger than the 1000 bytes input limit; --max-input-bytes raises it", path);
    CHECK_STR(formatted(&err), want);
    snprintf(want, sizeof want,
             "%s:2: column 'evidence': a value longer than the 10 bytes scalar limit; "
             "--max-scalar-bytes raises it",
             path);
    CHECK_INT(import_one(r, path, &field, &stats, &err), CX_EINPUT);
    CHECK_STR(formatted(&err), want);
    snprintf(want, sizeof want, "%s:8: more than 3 rows in one list; --max-list-items raises it",
             path);
    CHECK_INT(import_one(r, path, &rows, &stats, &err), CX_EINPUT);
    CHECK_STR(formatted(&err), want);
    int64_t counts[CX_KIND_AWARD + 1];
    CHECK_INT(cx_registry_counts(r, counts, &err), CX_OK);
    CHECK_INT(counts[CX_KIND_AWARD], 0); /* nothing written */
    free(text);
    cx_registry_close(r);
}

/* A pipe holding text (small enough for its buffer), read as /dev/fd/N. */
static const char *pipe_of(const char *text, int *fd)
{
    static char path[64];
    int p[2];
    CHECK_INT(pipe(p), 0);
    CHECK(write(p[1], text, strlen(text)) == (ssize_t)strlen(text));
    close(p[1]);
    *fd = p[0];
    snprintf(path, sizeof path, "/dev/fd/%d", p[0]);
    return path;
}

TEST(a_list_through_a_pipe_is_read_once_and_capped)
{
    cx_registry *r = registry_with_base();
    cx_import_stats stats;
    cx_error err;
    int fd;
    const char *list = "holder,credential,issued,hours\nh1,C1,2025-01-02,4\nh1,C2,2025-01-03,\n"
                       "h2,C2,2025-02-01,1.5\n";
    const char *path = pipe_of(list, &fd);
    CHECK_INT(import_one(r, path, NULL, &stats, &err), CX_OK);
    close(fd);
    CHECK_INT(stats.files[CX_FORMAT_CSV], 1);
    CHECK_INT(stats.count[CX_KIND_AWARD], 3);
    CHECK_INT(stats.count[CX_KIND_HOLDER], 2);
    cx_holder *h = NULL;
    CHECK_INT(cx_registry_holder(r, "h2", &h, &err), CX_OK);
    CHECK(h && h->nawards == 1);
    if (h && h->nawards == 1) {
        CHECK_STR(h->awards[0].id, "h2/C2/2025-02-01");
        CHECK_STR(h->awards[0].credential, "C2");
        CHECK_INT(h->awards[0].hours, 150);
        CHECK_STR(h->jurisdiction, "US-TX");
    }
    cx_holder_free(h);

    cx_limits bytes = {40, 0, 0};
    path = pipe_of(list, &fd);
    CHECK_INT(import_one(r, path, &bytes, &stats, &err), CX_EINPUT);
    close(fd);
    char want[200];
    snprintf(want, sizeof want,
             "%s: larger than the 40 bytes input limit; --max-input-bytes raises it", path);
    CHECK_STR(formatted(&err), want);
    cx_registry_close(r);
}

TEST(a_yaml_award_a_csv_row_defined_is_named_twice)
{
    cx_registry *r = registry_with_base();
    cx_error err;
    const char *csv = "holder,credential,issued,holder_jurisdiction\nh9,C1,2025-01-02,US-TX\n";
    const char *yaml = "holders:\n"
                       "  - id: h9\n"
                       "    jurisdiction: US-TX\n"
                       "    awards:\n"
                       "      - { credential: C1, issued: 2025-01-02 }\n";
    const char *paths[2] = {write_file("csvbulk-first.csv", csv, strlen(csv)),
                            write_file("csvbulk-then.yaml", yaml, strlen(yaml))};
    cx_error_clear(&err);
    CHECK_INT(cx_import(r, paths, 2, NULL, NULL, &err), CX_EINPUT);
    char want[600];
    snprintf(want, sizeof want,
             "%s:5:9: award 'h9/C1/2025-01-02' is defined twice in this import (first at %s:2)",
             paths[1], paths[0]);
    CHECK_STR(formatted(&err), want);
    /* inputs are read in byte order of path (docs/interop.md), so the
     * order they are given in changes nothing */
    const char *swapped[2] = {paths[1], paths[0]};
    CHECK_INT(cx_import(r, swapped, 2, NULL, NULL, &err), CX_EINPUT);
    CHECK_STR(formatted(&err), want);
    cx_registry_close(r);
}

TEST(a_list_changed_between_its_readings_is_refused)
{
    cx_registry *r = registry_with_base();
    cx_catalog_loader *ld = NULL;
    cx_import_options opts;
    cx_error err;
    const char *list = "holder,credential,issued,holder_jurisdiction\nh1,C1,2025-01-02,US-TX\n";
    const char *path = write_file("csvbulk-changed.csv", list, strlen(list));
    memset(&opts, 0, sizeof opts);
    cx_error_clear(&err);
    CHECK_INT(cx__catalog_loader_new(r, &ld, &err), CX_OK);
    cx__catalog_loader_set_options(ld, &opts);
    CHECK_INT(cx__catalog_loader_add_file(ld, path, &err), CX_OK);
    FILE *f = fopen(path, "a"); /* a row more, after the first reading */
    if (f) {
        fputs("h1,C2,2025-01-03,\n", f);
        fclose(f);
    }
    CHECK_INT(cx__catalog_loader_commit(ld, NULL, NULL, &err), CX_EINPUT);
    char want[600];
    snprintf(want, sizeof want, "%s: the file changed while it was imported; import it again",
             path);
    CHECK_STR(formatted(&err), want);
    cx__catalog_loader_free(ld);
    int64_t counts[CX_KIND_AWARD + 1];
    CHECK_INT(cx_registry_counts(r, counts, &err), CX_OK);
    CHECK_INT(counts[CX_KIND_AWARD], 0);
    CHECK_INT(counts[CX_KIND_HOLDER], 0);
    cx_registry_close(r);
}

TEST(ids_across_lists_and_an_unknown_holder_jurisdiction)
{
    cx_registry *r = registry_with_base();
    cx_import_options opts;
    cx_error err;
    const char *one = "holder,credential,issued\nh1,C1,2025-01-02\nh2,C2,2025-01-02\n";
    const char *two = "holder,credential,issued\nh3,C1,2025-01-02\nh2,C2,2025-01-02\n";
    const char *paths[2] = {write_file("csvbulk-one.csv", one, strlen(one)),
                            write_file("csvbulk-two.csv", two, strlen(two))};
    memset(&opts, 0, sizeof opts);
    opts.jurisdiction = "US-TX";
    cx_error_clear(&err);
    CHECK_INT(cx_import(r, paths, 2, &opts, NULL, &err), CX_EINPUT);
    char want[600];
    snprintf(want, sizeof want,
             "%s:3: award 'h2/C2/2025-01-02' is defined twice in this import (first at %s:3)",
             paths[1], paths[0]);
    CHECK_STR(formatted(&err), want);

    const char *bad = "holder,credential,issued,holder_jurisdiction\nh4,C1,2025-01-02,\n"
                      "h4,C2,2025-01-03,US-TZ\n";
    const char *path = write_file("csvbulk-hj.csv", bad, strlen(bad));
    opts.skip_invalid = 1; /* a holder's jurisdiction is not an award's: never left out */
    CHECK_INT(cx_import(r, &path, 1, &opts, NULL, &err), CX_EINPUT);
    snprintf(want, sizeof want,
             "%s:3: column 'holder_jurisdiction': unknown jurisdiction 'US-TZ'; did you mean "
             "'US-TX'?",
             path);
    CHECK_STR(formatted(&err), want);
    int64_t counts[CX_KIND_AWARD + 1];
    CHECK_INT(cx_registry_counts(r, counts, &err), CX_OK);
    CHECK_INT(counts[CX_KIND_AWARD], 0);
    cx_registry_close(r);
}

static const test_case cases[] = {
    {"a_list_larger_than_the_window_reads_and_locates",
     a_list_larger_than_the_window_reads_and_locates},
    {"the_caps_are_located_errors", the_caps_are_located_errors},
    {"a_list_through_a_pipe_is_read_once_and_capped",
     a_list_through_a_pipe_is_read_once_and_capped},
    {"a_yaml_award_a_csv_row_defined_is_named_twice",
     a_yaml_award_a_csv_row_defined_is_named_twice},
    {"a_list_changed_between_its_readings_is_refused",
     a_list_changed_between_its_readings_is_refused},
    {"ids_across_lists_and_an_unknown_holder_jurisdiction",
     ids_across_lists_and_an_unknown_holder_jurisdiction},
    {NULL, NULL},
};

TEST_MAIN(cases)
