/*
 * registry_fsck.c -- tamper evidence and `credex fsck` (docs/security.md):
 * per-table digests of the registry's facts (a sum of row hashes, kept up
 * to date from what the writer added where it can), the import_log row
 * each import appends, its listing, and the checks.
 * It reads what the writer wrote; it never changes an entity.
 */
#include "registry_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "date.h"
#include "hash.h"
#include "util.h"

/* ------------------------------------------------------------- digests */

/* Which catalog sections write a table (a removal may write any). */
enum {
    W_JURISDICTIONS = 1 << 0,
    W_GROUPS = 1 << 1,
    W_PROVIDERS = 1 << 2,
    W_FRAMEWORKS = 1 << 3,
    W_COMPETENCIES = 1 << 4,
    W_CREDENTIALS = 1 << 5,
    W_HOLDERS = 1 << 6,
    W_EXCEPTIONS = 1 << 7
};

/* The tables whose facts are digested, in the order the import_log
 * digest combines them; each read with all its columns in table order
 * (the order of the rows does not change the digest). */
static const struct digest_table {
    const char *name;
    const char *sql;
    unsigned written_by;
} digest_tables[] = {
    {"jurisdiction", "SELECT * FROM jurisdiction ORDER BY id", W_JURISDICTIONS},
    {"jgroup", "SELECT * FROM jgroup ORDER BY id", W_GROUPS},
    {"jgroup_member",
     "SELECT group_id, jurisdiction_id, from_date, until_date, status FROM jgroup_member"
     " ORDER BY 1, 2, 3, 4, 5",
     W_GROUPS},
    {"provider", "SELECT * FROM provider ORDER BY id", W_PROVIDERS},
    {"framework", "SELECT * FROM framework ORDER BY id", W_FRAMEWORKS},
    {"competency", "SELECT * FROM competency ORDER BY id", W_COMPETENCIES},
    {"credential", "SELECT * FROM credential ORDER BY id", W_CREDENTIALS},
    {"credential_competency",
     "SELECT * FROM credential_competency ORDER BY credential_id, competency_id", W_CREDENTIALS},
    {"credential_tag", "SELECT * FROM credential_tag ORDER BY credential_id, tag", W_CREDENTIALS},
    {"credential_code", "SELECT * FROM credential_code ORDER BY credential_id, scheme, code",
     W_CREDENTIALS},
    {"credential_attr", "SELECT * FROM credential_attr ORDER BY credential_id, key", W_CREDENTIALS},
    {"credential_grade", "SELECT * FROM credential_grade ORDER BY credential_id, rank",
     W_CREDENTIALS},
    {"holder", "SELECT * FROM holder ORDER BY id", W_HOLDERS},
    {"holder_attr", "SELECT * FROM holder_attr ORDER BY holder_id, key", W_HOLDERS},
    {"award", "SELECT * FROM award ORDER BY id", W_HOLDERS},
    {"award_result", "SELECT * FROM award_result ORDER BY award_id, key", W_HOLDERS},
    {"exception",
     "SELECT holder_id, stack, waive, substitute_for, substitute_use, \"by\", reason, file, line"
     " FROM exception ORDER BY holder_id, stack, waive, substitute_for",
     W_EXCEPTIONS},
};

#define NTABLES  CX_COUNT(digest_tables)
#define HASH_BUF 65536

/* The tables the import writer follows row by row (cx__digest_delta),
 * indexed by CX_DIGEST_... */
static const char *const followed[CX_DIGEST_FOLLOWED] = {"holder", "holder_attr", "award",
                                                         "award_result"};

/* MurmurHash3_x64_128 (Austin Appleby's public-domain reference), taken in
 * 16-byte blocks as the row's encoding arrives. */
#define MM_C1 0x87c37b91114253d5ULL
#define MM_C2 0x4cf5ad432745937fULL

static uint64_t rotl64(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t fmix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    return k ^ (k >> 33);
}

static uint64_t load_le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static uint64_t mix_k1(uint64_t k1)
{
    return rotl64(k1 * MM_C1, 31) * MM_C2;
}

static uint64_t mix_k2(uint64_t k2)
{
    return rotl64(k2 * MM_C2, 33) * MM_C1;
}

/* Takes n whole blocks at p into the state. */
static void mm_blocks(cx__row_hasher *rh, const unsigned char *p, size_t n)
{
    uint64_t h1 = rh->h1, h2 = rh->h2;
    for (size_t i = 0; i < n; i++, p += 16) {
        h1 ^= mix_k1(load_le64(p));
        h1 = rotl64(h1, 27) + h2;
        h1 = h1 * 5 + 0x52dce729;
        h2 ^= mix_k2(load_le64(p + 8));
        h2 = rotl64(h2, 31) + h1;
        h2 = h2 * 5 + 0x38495ab5;
    }
    rh->h1 = h1;
    rh->h2 = h2;
}

/* Takes the whole blocks waiting in buf, keeping the rest (< 16 bytes). */
static void mm_flush(cx__row_hasher *rh)
{
    size_t whole = rh->used / 16 * 16;
    mm_blocks(rh, rh->buf, whole / 16);
    memmove(rh->buf, rh->buf + whole, rh->used - whole);
    rh->used -= whole;
}

static void row_put(cx__row_hasher *rh, const void *data, size_t len)
{
    const unsigned char *p = data;
    rh->len += len;
    if (len <= sizeof rh->buf - rh->used) { /* nearly always: a row fits in buf */
        memcpy(rh->buf + rh->used, p, len);
        rh->used += len;
        return;
    }
    while (len) {
        if (rh->used == sizeof rh->buf) mm_flush(rh);
        size_t take = sizeof rh->buf - rh->used < len ? sizeof rh->buf - rh->used : len;
        memcpy(rh->buf + rh->used, p, take);
        rh->used += take;
        p += take;
        len -= take;
    }
}

static void row_put_u64(cx__row_hasher *rh, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (56 - 8 * i));
    row_put(rh, b, sizeof b);
}

void cx__row_begin(cx__row_hasher *rh)
{
    rh->h1 = rh->h2 = rh->len = 0;
    rh->used = 0;
}

/* One column that is not an INTEGER: tag, then (but for NULL) the
 * length and the bytes. */
static void row_bytes(cx__row_hasher *rh, unsigned char tag, const void *bytes, size_t len)
{
    row_put(rh, &tag, 1);
    if (tag == 'N') return;
    row_put_u64(rh, len);
    if (len) row_put(rh, bytes, len);
}

void cx__row_text(cx__row_hasher *rh, const char *text)
{
    row_bytes(rh, text ? 'T' : 'N', text, text ? strlen(text) : 0);
}

void cx__row_int(cx__row_hasher *rh, int64_t v)
{
    unsigned char tag = 'I';
    row_put(rh, &tag, 1);
    row_put_u64(rh, (uint64_t)v);
}

void cx__row_end(cx__row_hasher *rh, cx__row_sum *sum)
{
    size_t blocks = rh->used / 16, rest = rh->used % 16;
    const unsigned char *tail = rh->buf + 16 * blocks;
    mm_blocks(rh, rh->buf, blocks);
    uint64_t k1 = 0, k2 = 0, h1 = rh->h1, h2 = rh->h2;
    for (size_t i = rest; i-- > 0;) {
        if (i >= 8)
            k2 ^= (uint64_t)tail[i] << (8 * (i - 8));
        else
            k1 ^= (uint64_t)tail[i] << (8 * i);
    }
    if (rest > 8) h2 ^= mix_k2(k2);
    if (rest > 0) h1 ^= mix_k1(k1);
    h1 ^= rh->len;
    h2 ^= rh->len;
    h1 += h2;
    h2 += h1;
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 += h2;
    h2 += h1;
    sum->h1 += h1;
    sum->h2 += h2;
    sum->rows++;
}

/* A sum as stored: 32 lower-case hex digits, h1's then h2's. */
static void sum_hex(const cx__row_sum *sum, char out[65])
{
    snprintf(out, 65, "%016llx%016llx", (unsigned long long)sum->h1, (unsigned long long)sum->h2);
}

/* The stored digest text back into a sum: 0 when it is one. */
static int sum_parse(const char *hex, int64_t rows, cx__row_sum *sum)
{
    uint64_t v[2] = {0, 0};
    if (strlen(hex) != 32) return -1;
    for (int i = 0; i < 32; i++) {
        int c = hex[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0) return -1;
        v[i / 16] = v[i / 16] << 4 | (uint64_t)d;
    }
    *sum = (cx__row_sum){.h1 = v[0], .h2 = v[1], .rows = rows};
    return 0;
}

/* One column as read back, encoded as cx__row_text and cx__row_int encode
 * what they are given (a blob as 'B', a real as 'F' and its text). Read
 * through the column's value, one call into the statement per column. */
static void put_column(cx__row_hasher *rh, sqlite3_stmt *st, int i)
{
    sqlite3_value *v = sqlite3_column_value(st, i);
    int type = sqlite3_value_type(v);
    if (type == SQLITE_INTEGER) {
        cx__row_int(rh, sqlite3_value_int64(v));
        return;
    }
    unsigned char tag = type == SQLITE_NULL    ? 'N'
                        : type == SQLITE_BLOB  ? 'B'
                        : type == SQLITE_FLOAT ? 'F'
                                               : 'T';
    const void *bytes =
        type == SQLITE_BLOB ? sqlite3_value_blob(v) : (const void *)sqlite3_value_text(v);
    row_bytes(rh, tag, bytes, (size_t)sqlite3_value_bytes(v));
}

/* The digest of table t's rows (32 hex digits) and how many there are,
 * reading the whole table. */
static int hash_table(cx_registry *r, const struct digest_table *t, char out[65], int64_t *rows,
                      cx_error *err)
{
    sqlite3_stmt *st = NULL;
    cx__row_hasher *rh = malloc(sizeof *rh);
    cx__row_sum sum = {0};
    int rc = CX_OK, step;
    *rows = 0;
    if (!rh) {
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory hashing the registry");
        goto done;
    }
    if ((rc = cx__reg_prepare(r, t->sql, &st, err))) goto done;
    int ncols = sqlite3_column_count(st);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        cx__row_begin(rh);
        for (int i = 0; i < ncols; i++) put_column(rh, st, i);
        cx__row_end(rh, &sum);
    }
    if (step != SQLITE_DONE) {
        rc = cx__reg_error(r, err, "cannot read the registry to hash it");
        goto done;
    }
    sum_hex(&sum, out);
    *rows = sum.rows;
done:
    sqlite3_finalize(st);
    free(rh);
    return rc;
}

/* -------------------------------------------------------- import records */

/* The statements that record an import. */
enum { R_LOG, R_DIGEST, R_STORED, R_FINISH, R_FILE, R_COUNT };

static const char *const record_sql[R_COUNT] = {
    [R_LOG] = "INSERT INTO import_log(created, kind, os_user, content_version, jurisdictions,"
              " groups, providers, frameworks, competencies, credentials, holders, awards,"
              " exceptions, removals, tables_hashed, digest, credex_version)"
              " VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 0, '', ?14)",
    [R_DIGEST] = "INSERT INTO registry_digest(tbl, digest, rows, import_id) VALUES (?1, ?2, ?3, ?4)"
                 " ON CONFLICT(tbl) DO UPDATE SET digest = excluded.digest,"
                 " rows = excluded.rows, import_id = excluded.import_id",
    [R_STORED] = "SELECT digest, rows FROM registry_digest WHERE tbl = ?1",
    [R_FINISH] = "UPDATE import_log SET digest = ?2, tables_hashed = ?3,"
                 " content_version = (SELECT CAST(value AS INTEGER) FROM meta"
                 " WHERE key = 'content_version') WHERE id = ?1",
    [R_FILE] = ("INSERT INTO import_file(import_id, seq, path, sha256, bytes)"
                " VALUES (?1, ?2, ?3, ?4, ?5)"), /* (parentheses: one string, for clang) */
};

typedef struct recorder {
    cx_registry *r;
    sqlite3_stmt *st[R_COUNT];
    int64_t id; /* the new import_log row */
    cx_error *err;
} recorder;

static int step_done(recorder *rec, int which, const char *what)
{
    int rc =
        sqlite3_step(rec->st[which]) == SQLITE_DONE ? CX_OK : cx__reg_error(rec->r, rec->err, what);
    sqlite3_reset(rec->st[which]);
    return rc;
}

/* Now in UTC, "2026-06-01T09:30:00Z": when an import was recorded. */
static void utc_now(char out[21])
{
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
    else
        snprintf(out, 21, "unknown");
}

/* The operating-system user this process runs as. */
static void os_user(char *out, size_t size)
{
    struct passwd pw, *found = NULL;
    char buf[1024];
    if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &found) == 0 && found)
        snprintf(out, size, "%s", found->pw_name);
    else
        snprintf(out, size, "uid %ld", (long)geteuid());
}

/* The sections cat writes, as W_ bits (awards count on their own, for a
 * writer that streams them without listing their holders). */
static unsigned written(const cx_catalog *cat)
{
    if (!cat) return ~0u;
    if (cat->removals.n) return ~0u;
    return (cat->jurisdictions.n ? W_JURISDICTIONS : 0) | (cat->groups.n ? W_GROUPS : 0) |
           (cat->providers.n ? W_PROVIDERS : 0) | (cat->frameworks.n ? W_FRAMEWORKS : 0) |
           (cat->competencies.n ? W_COMPETENCIES : 0) | (cat->credentials.n ? W_CREDENTIALS : 0) |
           (cat->holders.n || cat->nawards ? W_HOLDERS : 0) |
           (cat->exceptions.n ? W_EXCEPTIONS : 0);
}

/* The stored digest of table name (sha "" when none). */
static int stored_digest(recorder *rec, const char *name, char sha[65], int64_t *rows)
{
    sqlite3_stmt *st = rec->st[R_STORED];
    int rc = CX_OK;
    sha[0] = '\0';
    *rows = 0;
    cx__reg_bind_text(st, 1, name);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        snprintf(sha, 65, "%s", (const char *)sqlite3_column_text(st, 0));
        *rows = sqlite3_column_int64(st, 1);
    } else if (step != SQLITE_DONE) {
        rc = cx__reg_error(rec->r, rec->err, "cannot read the registry's digests");
    }
    sqlite3_reset(st);
    return rc;
}

/* Which of the followed tables t is (CX_DIGEST_...), or -1. */
static int followed_index(const struct digest_table *t)
{
    for (int k = 0; k < CX_DIGEST_FOLLOWED; k++)
        if (strcmp(t->name, followed[k]) == 0) return k;
    return -1;
}

/* The new digest of table t into sha and rows (its stored one on entry,
 * "" when none): the stored one plus the rows delta added, when delta
 * followed every change to t; else, when the catalog writes t (mask) or t
 * has none, the table hashed again. *changed: the digest is to be written. */
static int table_digest(recorder *rec, const struct digest_table *t, unsigned mask,
                        const cx__digest_delta *delta, char sha[65], int64_t *rows, int *changed)
{
    int k = delta && delta->exact ? followed_index(t) : -1;
    cx__row_sum sum;
    *changed = 0;
    if (k >= 0 && !delta->rescan[k] && sha[0] && sum_parse(sha, *rows, &sum) == 0) {
        if (!delta->added[k].rows) return CX_OK;
        sum.h1 += delta->added[k].h1;
        sum.h2 += delta->added[k].h2;
        sum_hex(&sum, sha);
        *rows = sum.rows + delta->added[k].rows;
        *changed = 1;
        return CX_OK;
    }
    if (k < 0 && !(t->written_by & mask) && sha[0]) return CX_OK;
    *changed = 1;
    return hash_table(rec->r, t, sha, rows, rec->err);
}

/* Brings the digests up to date (table_digest) and writes the combined
 * digest and the count of tables brought up to date into the new row. */
static int update_digests(recorder *rec, unsigned mask, const cx__digest_delta *delta)
{
    cx__sha256 *all = cx__sha256_new();
    int64_t hashed = 0;
    int rc = all ? CX_OK : cx__error(rec->err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < NTABLES && !rc; i++) {
        const struct digest_table *t = &digest_tables[i];
        char sha[65], line[160];
        int64_t rows = 0;
        int changed = 0;
        if ((rc = stored_digest(rec, t->name, sha, &rows))) break;
        if ((rc = table_digest(rec, t, mask, delta, sha, &rows, &changed))) break;
        if (changed) {
            sqlite3_stmt *st = rec->st[R_DIGEST];
            cx__reg_bind_text(st, 1, t->name);
            cx__reg_bind_text(st, 2, sha);
            sqlite3_bind_int64(st, 3, rows);
            sqlite3_bind_int64(st, 4, rec->id);
            if ((rc = step_done(rec, R_DIGEST, "cannot store a table's digest"))) break;
            hashed++;
        }
        int len = snprintf(line, sizeof line, "%s %s %lld\n", t->name, sha, (long long)rows);
        cx__sha256_update(all, line, (size_t)len);
    }
    char digest[65];
    cx__sha256_done(all, rc ? NULL : digest);
    if (rc) return rc;
    sqlite3_stmt *st = rec->st[R_FINISH];
    sqlite3_bind_int64(st, 1, rec->id);
    cx__reg_bind_text(st, 2, digest);
    sqlite3_bind_int64(st, 3, hashed);
    return step_done(rec, R_FINISH, "cannot record the import");
}

/* The SHA-256 and size of a regular file; sha "" for anything else. */
static void file_digest(const char *path, char sha[65], int64_t *bytes)
{
    struct stat st;
    sha[0] = '\0';
    *bytes = -1;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return;
    cx__sha256 *h = NULL;
    unsigned char *buf = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) goto done;
    if (!(h = cx__sha256_new()) || !(buf = malloc(HASH_BUF))) goto done;
    int64_t total = 0;
    ssize_t n;
    while ((n = read(fd, buf, HASH_BUF)) > 0) {
        cx__sha256_update(h, buf, (size_t)n);
        total += n;
    }
    if (n == 0) {
        cx__sha256_done(h, sha);
        h = NULL;
        *bytes = total;
    }
done:
    cx__sha256_done(h, NULL);
    free(buf);
    close(fd);
}

static int record_files(recorder *rec, const cx_catalog *cat)
{
    sqlite3_stmt *st = rec->st[R_FILE];
    int rc = CX_OK;
    for (size_t i = 0; i < cat->npaths && !rc; i++) {
        char sha[65];
        int64_t bytes;
        file_digest(cat->paths[i], sha, &bytes);
        sqlite3_bind_int64(st, 1, rec->id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        cx__reg_bind_text(st, 3, cat->paths[i]);
        cx__reg_bind_text(st, 4, sha[0] ? sha : NULL);
        if (bytes >= 0)
            sqlite3_bind_int64(st, 5, bytes);
        else
            sqlite3_bind_null(st, 5);
        rc = step_done(rec, R_FILE, "cannot record an import's file");
    }
    return rc;
}

/* Appends the import_log row of cat (NULL: the baseline) and its digests. */
static int record(cx_registry *r, const cx_catalog *cat, const cx__digest_delta *delta,
                  cx_error *err)
{
    recorder rec = {.r = r, .err = err};
    char created[21], user[128];
    int rc = CX_OK;
    if (r->memory) return CX_OK;
    for (int i = 0; i < R_COUNT && !rc; i++)
        rc = cx__reg_prepare(r, record_sql[i], &rec.st[i], err);
    if (rc) goto done;
    utc_now(created);
    os_user(user, sizeof user);
    sqlite3_stmt *st = rec.st[R_LOG];
    cx__reg_bind_text(st, 1, created);
    cx__reg_bind_text(st, 2, cat ? "import" : "baseline");
    cx__reg_bind_text(st, 3, user);
    const size_t counts[] = {cat ? cat->jurisdictions.n : 0, cat ? cat->groups.n : 0,
                             cat ? cat->providers.n : 0,     cat ? cat->frameworks.n : 0,
                             cat ? cat->competencies.n : 0,  cat ? cat->credentials.n : 0,
                             cat ? cat->holders.n : 0,       cat ? cat->nawards : 0,
                             cat ? cat->exceptions.n : 0,    cat ? cat->removals.n : 0};
    for (size_t i = 0; i < CX_COUNT(counts); i++)
        sqlite3_bind_int64(st, (int)i + 4, (sqlite3_int64)counts[i]);
    cx__reg_bind_text(st, 14, CREDEX_VERSION);
    if ((rc = step_done(&rec, R_LOG, "cannot record the import"))) goto done;
    rec.id = sqlite3_last_insert_rowid(r->db);
    rc = update_digests(&rec, written(cat), delta);
    if (!rc && cat) rc = record_files(&rec, cat);
done:
    for (int i = 0; i < R_COUNT; i++) sqlite3_finalize(rec.st[i]);
    return rc;
}

int cx__registry_record_import(cx_registry *r, const cx_catalog *cat, const cx__digest_delta *delta,
                               cx_error *err)
{
    return record(r, cat, delta, err);
}

int cx__registry_baseline(cx_registry *r, cx_error *err)
{
    return record(r, NULL, NULL, err);
}

/* -------------------------------------------------------- import history */

static int list_imports(cx_registry *r, cx_import_record_fn fn, void *ud, cx_error *err)
{
    sqlite3_stmt *log = NULL, *files = NULL;
    cx_import_file *v = NULL;
    size_t cap = 0;
    int rc = cx__reg_prepare(r,
                             "SELECT id, created, kind, os_user, content_version, jurisdictions,"
                             " groups, providers, frameworks, competencies, credentials, holders,"
                             " awards, exceptions, removals, tables_hashed, digest, credex_version"
                             " FROM import_log ORDER BY id",
                             &log, err);
    if (!rc)
        rc = cx__reg_prepare(r,
                             "SELECT path, sha256, coalesce(bytes, -1) FROM import_file"
                             " WHERE import_id = ?1 ORDER BY seq",
                             &files, err);
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(log)) == SQLITE_ROW) {
        cx_import_record rec = {0};
#define TEXT(i) ((const char *)sqlite3_column_text(log, (i)))
        rec.id = sqlite3_column_int64(log, 0);
        rec.created = TEXT(1);
        rec.kind = TEXT(2);
        rec.user = TEXT(3);
        rec.content_version = sqlite3_column_int64(log, 4);
        for (int k = 0; k <= CX_KIND_AWARD; k++) rec.count[k] = sqlite3_column_int64(log, 5 + k);
        rec.exceptions = sqlite3_column_int64(log, 13);
        rec.removals = sqlite3_column_int64(log, 14);
        rec.tables_hashed = sqlite3_column_int64(log, 15);
        rec.digest = TEXT(16);
        rec.credex_version = TEXT(17);
#undef TEXT
        sqlite3_bind_int64(files, 1, rec.id);
        int fstep;
        while ((fstep = sqlite3_step(files)) == SQLITE_ROW) {
            if (rec.nfiles == cap) {
                size_t ncap = cap ? 2 * cap : 8;
                cx_import_file *nv = realloc(v, ncap * sizeof *nv);
                if (!nv) {
                    rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
                    break;
                }
                v = nv;
                cap = ncap;
            }
            /* copied: the next step would invalidate SQLite's text */
            const char *path = (const char *)sqlite3_column_text(files, 0);
            const char *sha = (const char *)sqlite3_column_text(files, 1);
            cx_import_file *f = &v[rec.nfiles++];
            f->path = cx__strdup(path ? path : "");
            f->sha256 = sha ? cx__strdup(sha) : NULL;
            f->bytes = sqlite3_column_int64(files, 2);
            if (!f->path || (sha && !f->sha256))
                rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        }
        if (!rc && fstep != SQLITE_DONE) rc = cx__reg_error(r, err, "cannot read the import log");
        rec.files = v;
        if (!rc) rc = fn(ud, &rec);
        for (size_t i = 0; i < rec.nfiles; i++) {
            free((char *)v[i].path);
            free((char *)v[i].sha256);
        }
        sqlite3_reset(files);
    }
    if (!rc && step != SQLITE_DONE) rc = cx__reg_error(r, err, "cannot read the import log");
    sqlite3_finalize(log);
    sqlite3_finalize(files);
    free(v);
    return rc;
}

int cx_import_log_list(cx_registry *r, cx_import_record_fn fn, void *ud, cx_error *err)
{
    return CX__REGISTRY_CALL(r, err, list_imports(r, fn, ud, err));
}

/* ------------------------------------------------------------------ fsck */

typedef struct fsck_ctx {
    cx_registry *r;
    cx_fsck_fn fn;
    void *ud;
    int64_t problems;
    int stopped; /* fn returned non-zero: its value */
    cx_error *err;
} fsck_ctx;

/* s into out with control characters as \xNN: what fsck reports comes
 * from a registry someone may have edited, and goes to a terminal. */
static const char *escaped(const char *s, char *out, size_t size)
{
    size_t n = 0;
    if (!s) return NULL;
    for (; *s && n + 5 < size; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch < 0x20 || ch == 0x7f)
            n += (size_t)snprintf(out + n, size - n, "\\x%02x", ch);
        else
            out[n++] = (char)ch;
    }
    out[n] = '\0';
    return out;
}

static int problem(fsck_ctx *f, cx_fsck_check check, const char *table, const char *id,
                   const char *fmt, ...) CX_PRINTF(5, 6);
static int problem(fsck_ctx *f, cx_fsck_check check, const char *table, const char *id,
                   const char *fmt, ...)
{
    char raw[1024], message[1024], table_text[256], id_text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    cx_fsck_problem p = {check, escaped(table, table_text, sizeof table_text),
                         escaped(id, id_text, sizeof id_text),
                         escaped(raw, message, sizeof message)};
    f->problems++;
    f->stopped = f->fn ? f->fn(f->ud, &p) : 0;
    return f->stopped;
}

/* A damaged file: SQLite's own words, or the error a read ran into. */
static int damaged(int sqlite_rc)
{
    int primary = sqlite_rc & 0xff;
    return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

/* Runs sql (one text column of findings, rows to report). A damaged
 * file is reported as an integrity problem (*broken set), not an error. */
static int each_row(fsck_ctx *f, const char *sql, int (*row)(fsck_ctx *, sqlite3_stmt *),
                    int *broken)
{
    sqlite3_stmt *st = NULL;
    int step = SQLITE_DONE, rc = CX_OK;
    if (sqlite3_prepare_v2(f->r->db, sql, -1, &st, NULL) != SQLITE_OK) {
        step = sqlite3_extended_errcode(f->r->db);
    } else {
        while ((step = sqlite3_step(st)) == SQLITE_ROW)
            if ((rc = row(f, st))) break;
    }
    if (!rc && step != SQLITE_DONE) {
        if (damaged(step) || damaged(sqlite3_extended_errcode(f->r->db))) {
            *broken = 1;
            rc = problem(f, CX_FSCK_INTEGRITY, NULL, NULL, "the registry file is damaged: %s",
                         sqlite3_errmsg(f->r->db));
        } else {
            rc = cx__reg_error(f->r, f->err, "cannot check the registry");
        }
    }
    sqlite3_finalize(st);
    return rc;
}

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static int integrity_row(fsck_ctx *f, sqlite3_stmt *st)
{
    char line[512];
    const char *text = col(st, 0);
    if (text && strcmp(text, "ok") == 0) return CX_OK;
    snprintf(line, sizeof line, "%s", text ? text : "?");
    for (char *p = line; *p; p++) /* SQLite's report may span lines: keep one */
        if (*p == '\n') *p = ' ';
    return problem(f, CX_FSCK_INTEGRITY, NULL, NULL, "integrity check: %s", line);
}

static int foreign_key_row(fsck_ctx *f, sqlite3_stmt *st)
{
    const char *table = col(st, 0), *parent = col(st, 2);
    return problem(f, CX_FSCK_FOREIGN_KEY, table, col(st, 1),
                   "a row of %s refers to a %s that is not in the registry", table ? table : "?",
                   parent ? parent : "?");
}

/* Rows of (table, id, value, what) naming a value to check: what says
 * which check applies ("id", "date", "expiry:ISSUED", "status"). The ids
 * are those catalogs define; an award's id is made by its reader. */
static const char *const value_sql =
    "SELECT 'jurisdiction', id, id, 'id' FROM jurisdiction"
    " UNION ALL SELECT 'jgroup', id, id, 'id' FROM jgroup"
    " UNION ALL SELECT 'provider', id, id, 'id' FROM provider"
    " UNION ALL SELECT 'framework', id, id, 'id' FROM framework"
    " UNION ALL SELECT 'competency', id, id, 'id' FROM competency"
    " UNION ALL SELECT 'credential', id, id, 'id' FROM credential"
    " UNION ALL SELECT 'credential', id, effective_from, 'date' FROM credential"
    " WHERE effective_from IS NOT NULL"
    " UNION ALL SELECT 'credential', id, effective_until, 'date' FROM credential"
    " WHERE effective_until IS NOT NULL"
    " UNION ALL SELECT 'jgroup_member', group_id, from_date, 'date' FROM jgroup_member"
    " UNION ALL SELECT 'jgroup_member', group_id, until_date, 'date' FROM jgroup_member"
    " WHERE until_date IS NOT NULL"
    " UNION ALL SELECT 'holder', id, id, 'id' FROM holder"
    " UNION ALL SELECT 'award', id, issued, 'date' FROM award"
    " UNION ALL SELECT 'award', id, expires, 'expiry:' || issued FROM award"
    " WHERE expires IS NOT NULL"
    " UNION ALL SELECT 'award', id, status, 'status' FROM award"
    " WHERE status NOT IN ('active', 'revoked', 'suspended')"
    " UNION ALL SELECT 'award', id, prov_verification, 'verification' FROM award"
    " WHERE prov_verification NOT IN ('verified', 'unverified')";

static int value_row(fsck_ctx *f, sqlite3_stmt *st)
{
    const char *table = col(st, 0), *id = col(st, 1), *value = col(st, 2), *what = col(st, 3);
    const char *why = NULL;
    cx_date d, issued;
    cx_error ignored;
    if (!value) value = "";
    if (strcmp(what, "id") == 0) {
        if (cx__catalog_id_ok(value, &ignored) != 1)
            return problem(f, CX_FSCK_VALUE, table, id,
                           "%s id is not of the form [A-Za-z0-9][A-Za-z0-9._:+-]*", table);
        return CX_OK;
    }
    if (strcmp(what, "status") == 0)
        return problem(f, CX_FSCK_VALUE, table, id,
                       "status '%s' is not active, revoked or suspended", value);
    if (strcmp(what, "verification") == 0)
        return problem(f, CX_FSCK_VALUE, table, id,
                       "provenance verification '%s' is not verified or unverified", value);
    if (cx__date_parse(value, &d, &why) != 0)
        return problem(f, CX_FSCK_VALUE, table, id,
                       "'%s' is not a date YYYY-MM-DD between 0001-01-01 and 9999-12-31 (%s)",
                       value, why ? why : "malformed");
    if (strncmp(what, "expiry:", 7) == 0 && cx__date_parse(what + 7, &issued, &why) == 0 &&
        d < issued)
        return problem(f, CX_FSCK_VALUE, table, id, "expires %s before it was issued (%s)", value,
                       what + 7);
    return CX_OK;
}

/* Every competency on a cycle of parents: a walk up from each that comes
 * back to it (at most as many steps as there are competencies). */
static const char *const cycle_sql =
    "WITH RECURSIVE up(start, cur, steps) AS ("
    " SELECT id, parent_id, 1 FROM competency WHERE parent_id IS NOT NULL"
    " UNION ALL SELECT up.start, c.parent_id, up.steps + 1 FROM up JOIN competency AS c"
    " ON c.id = up.cur WHERE up.cur <> up.start AND c.parent_id IS NOT NULL"
    " AND up.steps <= (SELECT count(*) FROM competency))"
    " SELECT DISTINCT start FROM up WHERE cur = start ORDER BY start";

static int cycle_row(fsck_ctx *f, sqlite3_stmt *st)
{
    return problem(f, CX_FSCK_VALUE, "competency", col(st, 0),
                   "competency '%s' is its own ancestor: its parents form a cycle", col(st, 0));
}

/* The last import_log row, for the digest comparison. */
typedef struct last_import {
    int64_t id, content_version;
    char created[32], digest[65];
} last_import;

static int read_last_import(fsck_ctx *f, last_import *last, int *found)
{
    sqlite3_stmt *st = NULL;
    int rc = cx__reg_prepare(f->r,
                             "SELECT id, created, digest, content_version FROM import_log"
                             " ORDER BY id DESC LIMIT 1",
                             &st, f->err);
    if (rc) return rc;
    int step = sqlite3_step(st);
    *found = step == SQLITE_ROW;
    if (*found) {
        last->id = sqlite3_column_int64(st, 0);
        snprintf(last->created, sizeof last->created, "%s", col(st, 1) ? col(st, 1) : "");
        snprintf(last->digest, sizeof last->digest, "%s", col(st, 2) ? col(st, 2) : "");
        last->content_version = sqlite3_column_int64(st, 3);
    } else if (step != SQLITE_DONE) {
        rc = cx__reg_error(f->r, f->err, "cannot read the import log");
    }
    sqlite3_finalize(st);
    return rc;
}

/* Recomputes each table's digest against the stored one, then the
 * combined digest against the last import_log row's. */
static int check_digests(fsck_ctx *f, int64_t *tables)
{
    last_import last;
    recorder rec = {.r = f->r, .err = f->err};
    int found = 0, rc = read_last_import(f, &last, &found);
    if (rc) return rc;
    if (!found)
        return problem(f, CX_FSCK_DIGEST, NULL, NULL,
                       "no digest recorded yet: the import log is empty (an import records one)");
    if ((rc = cx__reg_prepare(f->r, record_sql[R_STORED], &rec.st[R_STORED], f->err))) return rc;
    cx__sha256 *all = cx__sha256_new();
    if (!all) rc = cx__error(f->err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < NTABLES && !rc && !f->stopped; i++) {
        const struct digest_table *t = &digest_tables[i];
        char stored[65], now[65], line[160];
        int64_t stored_rows = 0, rows = 0;
        if ((rc = stored_digest(&rec, t->name, stored, &stored_rows)) ||
            (rc = hash_table(f->r, t, now, &rows, f->err)))
            break;
        (*tables)++;
        int len =
            snprintf(line, sizeof line, "%s %s %lld\n", t->name, stored, (long long)stored_rows);
        cx__sha256_update(all, line, (size_t)len);
        if (!stored[0])
            rc = problem(f, CX_FSCK_DIGEST, t->name, NULL,
                         "table %s: no digest recorded yet (the next import records one)", t->name);
        else if (strcmp(stored, now) != 0)
            rc = problem(f, CX_FSCK_DIGEST, t->name, NULL,
                         "table %s changed outside credex since import %lld (%s): %lld rows now, "
                         "%lld then, and their digest differs",
                         t->name, (long long)last.id, last.created, (long long)rows,
                         (long long)stored_rows);
    }
    char combined[65];
    cx__sha256_done(all, rc ? NULL : combined);
    sqlite3_finalize(rec.st[R_STORED]);
    if (rc || f->stopped) return rc;
    if (strcmp(combined, last.digest) != 0)
        return problem(f, CX_FSCK_DIGEST, "registry_digest", NULL,
                       "the table digests differ from those import %lld (%s) recorded: they were "
                       "changed outside credex",
                       (long long)last.id, last.created);
    int64_t content = 0;
    int src = 0;
    if (cx__reg_query_int(f->r, "SELECT value FROM meta WHERE key = 'content_version'", &content,
                          &src) == 0 &&
        content != last.content_version)
        return problem(f, CX_FSCK_DIGEST, "meta", "content_version",
                       "content version %lld differs from the %lld import %lld recorded",
                       (long long)content, (long long)last.content_version, (long long)last.id);
    return CX_OK;
}

/* A damaged snapshot cache is a problem (a stale one is not: every import
 * makes one stale until the next decision rebuilds it). */
static int check_cache(fsck_ctx *f)
{
    cx_cache_state state;
    char why[128];
    int rc = cx_registry_cache_check(f->r, &state, why, sizeof why, f->err);
    if (rc || state != CX_CACHE_CORRUPT) return rc;
    return problem(f, CX_FSCK_CACHE, NULL, NULL,
                   "the snapshot cache %s.snapshot is unusable (%s): decisions ignore it and the "
                   "next one that loads the registry replaces it",
                   f->r->path, why);
}

static int fsck(cx_registry *r, cx_fsck_fn fn, void *ud, int64_t *problems, int64_t *tables,
                cx_error *err)
{
    fsck_ctx f = {.r = r, .fn = fn, .ud = ud, .err = err};
    int began = 0, broken = 0, checked = 0;
    int64_t ntables = 0;
    int rc = cx__registry_read_begin(r, &began, err);
    if (rc) return rc;
    rc = each_row(&f, "PRAGMA integrity_check", integrity_row, &broken);
    if (!rc && !f.stopped && !broken && f.problems == 0) {
        checked = 1;
        rc = each_row(&f, "PRAGMA foreign_key_check", foreign_key_row, &broken);
    }
    if (checked && !rc && !f.stopped && !broken) rc = each_row(&f, value_sql, value_row, &broken);
    if (checked && !rc && !f.stopped && !broken) rc = each_row(&f, cycle_sql, cycle_row, &broken);
    if (checked && !rc && !f.stopped && !broken && !r->memory) /* memory: no history */
        rc = check_digests(&f, &ntables);
    if (checked && !rc && !f.stopped && !broken && !r->memory) rc = check_cache(&f);
    cx__registry_read_end(r, began);
    if (problems) *problems = f.problems;
    if (tables) *tables = ntables;
    return rc; /* CX_OK, a registry error, or what fn stopped the check with */
}

int cx_fsck(cx_registry *r, cx_fsck_fn fn, void *ud, int64_t *problems, int64_t *tables,
            cx_error *err)
{
    return CX__REGISTRY_CALL(r, err, fsck(r, fn, ud, problems, tables, err));
}
