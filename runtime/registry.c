/*
 * registry.c -- the SQLite registry (docs/design.md §2): schema and forward
 * migrations, opening and closing, and the helpers the registry family
 * shares (registry_int.h). It never parses YAML nor resolves references;
 * the import writer, reads, log and copies live in registry_*.c.
 */
#include "registry_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define SCHEMA_VERSION 6

/* ------------------------------------------------------------------ schema */

/* Schema v1, one statement a string (gcc -Wpedantic limits literals to 4095
 * characters); docs/registry.md describes every column. Foreign keys are
 * DEFERRABLE INITIALLY DEFERRED, so the order of writes inside a transaction
 * never matters, and enforced on every connection, except that an import
 * checks them all in one pass before COMMIT (see cx__registry_import).
 * Tables keyed by a TEXT id are WITHOUT ROWID: one b-tree fewer per row. */
static const char *const schema_v1[] = {
    "CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID",
    "INSERT INTO meta(key, value) VALUES ('content_version', '0')",
    "CREATE TABLE jurisdiction(id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, kind TEXT) "
    "WITHOUT ROWID",
    "CREATE TABLE jgroup(id TEXT PRIMARY KEY NOT NULL, name TEXT) WITHOUT ROWID",
    "CREATE TABLE jgroup_member("
    " group_id TEXT NOT NULL REFERENCES jgroup(id) ON DELETE CASCADE"
    "  DEFERRABLE INITIALLY DEFERRED,"
    " jurisdiction_id TEXT NOT NULL REFERENCES jurisdiction(id) DEFERRABLE INITIALLY DEFERRED,"
    " from_date TEXT NOT NULL, until_date TEXT, status TEXT)",
    "CREATE INDEX jgroup_member_group ON jgroup_member(group_id)",
    "CREATE TABLE provider(id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL,"
    " jurisdiction_id TEXT REFERENCES jurisdiction(id) DEFERRABLE INITIALLY DEFERRED) WITHOUT "
    "ROWID",
    "CREATE TABLE framework(id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE competency(id TEXT PRIMARY KEY NOT NULL,"
    " framework_id TEXT NOT NULL REFERENCES framework(id) DEFERRABLE INITIALLY DEFERRED,"
    " text TEXT NOT NULL,"
    " parent_id TEXT REFERENCES competency(id) DEFERRABLE INITIALLY DEFERRED) WITHOUT ROWID",
    "CREATE TABLE credential(id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL,"
    " type TEXT NOT NULL,"
    " provider_id TEXT REFERENCES provider(id) DEFERRABLE INITIALLY DEFERRED,"
    " jurisdiction_id TEXT NOT NULL REFERENCES jurisdiction(id) DEFERRABLE INITIALLY DEFERRED,"
    " hours INTEGER, valid_for TEXT, version TEXT, effective_from TEXT, effective_until TEXT) "
    "WITHOUT ROWID",
    "CREATE TABLE credential_competency("
    " credential_id TEXT NOT NULL REFERENCES credential(id) ON DELETE CASCADE"
    "  DEFERRABLE INITIALLY DEFERRED,"
    " competency_id TEXT NOT NULL REFERENCES competency(id) DEFERRABLE INITIALLY DEFERRED,"
    " PRIMARY KEY (credential_id, competency_id)) WITHOUT ROWID",
    "CREATE TABLE credential_tag("
    " credential_id TEXT NOT NULL REFERENCES credential(id) ON DELETE CASCADE"
    "  DEFERRABLE INITIALLY DEFERRED,"
    " tag TEXT NOT NULL, PRIMARY KEY (credential_id, tag)) WITHOUT ROWID",
    "CREATE TABLE credential_code("
    " credential_id TEXT NOT NULL REFERENCES credential(id) ON DELETE CASCADE"
    "  DEFERRABLE INITIALLY DEFERRED,"
    " scheme TEXT NOT NULL, code TEXT NOT NULL,"
    " PRIMARY KEY (credential_id, scheme, code)) WITHOUT ROWID",
    "CREATE TABLE credential_attr("
    " credential_id TEXT NOT NULL REFERENCES credential(id) ON DELETE CASCADE"
    "  DEFERRABLE INITIALLY DEFERRED,"
    " key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (credential_id, key)) WITHOUT ROWID",
    "CREATE TABLE credential_grade("
    " credential_id TEXT NOT NULL REFERENCES credential(id) ON DELETE CASCADE"
    "  DEFERRABLE INITIALLY DEFERRED,"
    " rank INTEGER NOT NULL, grade TEXT NOT NULL,"
    " PRIMARY KEY (credential_id, rank)) WITHOUT ROWID",
    "CREATE TABLE holder(id TEXT PRIMARY KEY NOT NULL,"
    " jurisdiction_id TEXT REFERENCES jurisdiction(id) DEFERRABLE INITIALLY DEFERRED) WITHOUT "
    "ROWID",
    "CREATE TABLE holder_attr("
    " holder_id TEXT NOT NULL REFERENCES holder(id) ON DELETE CASCADE"
    "  DEFERRABLE INITIALLY DEFERRED,"
    " key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (holder_id, key)) WITHOUT ROWID",
    "CREATE TABLE award(id TEXT PRIMARY KEY NOT NULL,"
    " holder_id TEXT NOT NULL REFERENCES holder(id) ON DELETE CASCADE"
    "  DEFERRABLE INITIALLY DEFERRED,"
    " credential_id TEXT NOT NULL REFERENCES credential(id) DEFERRABLE INITIALLY DEFERRED,"
    " issued TEXT NOT NULL, expires TEXT,"
    " jurisdiction_id TEXT REFERENCES jurisdiction(id) DEFERRABLE INITIALLY DEFERRED,"
    " hours INTEGER,"
    " status TEXT NOT NULL DEFAULT 'active'"
    "  CHECK (status = 'active' OR status = 'revoked' OR status = 'suspended'),"
    /* not IN (...): SQLite rebuilds an ephemeral table for it on every insert */
    " grade TEXT, evidence TEXT) WITHOUT ROWID",
    "CREATE INDEX award_holder ON award(holder_id)",
    "CREATE TABLE award_result("
    " award_id TEXT NOT NULL REFERENCES award(id) ON DELETE CASCADE"
    "  DEFERRABLE INITIALLY DEFERRED,"
    " key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (award_id, key)) WITHOUT ROWID",
    "CREATE TABLE exception("
    " holder_id TEXT NOT NULL REFERENCES holder(id) ON DELETE CASCADE"
    "  DEFERRABLE INITIALLY DEFERRED,"
    " stack TEXT NOT NULL,"
    " waive TEXT NOT NULL DEFAULT '',"          /* '' when the exception substitutes */
    " substitute_for TEXT NOT NULL DEFAULT ''," /* '' when the exception waives */
    " substitute_use TEXT, \"by\" TEXT, reason TEXT,"
    " file TEXT, line INTEGER," /* where the catalog defined it */
    " UNIQUE (holder_id, stack, waive, substitute_for))",
    "CREATE TABLE rule_pack(sha256 TEXT PRIMARY KEY NOT NULL, id TEXT NOT NULL, version TEXT,"
    " source TEXT NOT NULL)",
    "CREATE TABLE decision_log(id INTEGER PRIMARY KEY, created TEXT NOT NULL, kind TEXT NOT NULL,"
    " subject TEXT NOT NULL, as_of TEXT NOT NULL, decision_json TEXT NOT NULL,"
    " packs_json TEXT NOT NULL, content_version INTEGER NOT NULL, credex_version TEXT NOT NULL)",
    "PRAGMA user_version = 1",
    NULL};

/* Schema v2: the decision log in plain columns (docs/registry.md,
 * "Migrations"). v1 kept the subject's members and the packs inside JSON
 * (decision_json, packs_json); this step reads them out of the old rows
 * with SQLite's JSON functions, the only place that uses them, and keeps
 * ids, so that `credex log` and `credex replay` show the same entries. */
static const char *const schema_v2[] = {
    "ALTER TABLE decision_log RENAME TO decision_log_v1",
    "CREATE TABLE decision_log(id INTEGER PRIMARY KEY, created TEXT NOT NULL, kind TEXT NOT NULL,"
    " holder TEXT, stack TEXT, award TEXT, credential TEXT, from_id TEXT, to_id TEXT, in_id TEXT,"
    " subject TEXT NOT NULL, as_of TEXT NOT NULL, status TEXT, decision_json TEXT NOT NULL,"
    " content_version INTEGER NOT NULL, credex_version TEXT NOT NULL)",
    "INSERT INTO decision_log(id, created, kind, holder, stack, award, credential, from_id, to_id,"
    " in_id, subject, as_of, status, decision_json, content_version, credex_version)"
    " SELECT id, created, kind, json_extract(decision_json, '$.subject.holder'),"
    " json_extract(decision_json, '$.subject.stack'),"
    " json_extract(decision_json, '$.subject.award'),"
    " json_extract(decision_json, '$.subject.credential'),"
    " json_extract(decision_json, '$.subject.from'), json_extract(decision_json, '$.subject.to'),"
    " json_extract(decision_json, '$.subject.in'), subject, as_of,"
    " json_extract(decision_json, '$.status'), decision_json, content_version, credex_version"
    " FROM decision_log_v1",
    "CREATE TABLE decision_pack("
    " decision_id INTEGER NOT NULL REFERENCES decision_log(id) DEFERRABLE INITIALLY DEFERRED,"
    " seq INTEGER NOT NULL, id TEXT NOT NULL, sha256 TEXT NOT NULL, path TEXT, version TEXT,"
    " PRIMARY KEY (decision_id, seq)) WITHOUT ROWID",
    "INSERT INTO decision_pack(decision_id, seq, id, sha256, path, version)"
    " SELECT d.id, p.key, json_extract(p.value, '$.id'), json_extract(p.value, '$.sha256'),"
    " json_extract(p.value, '$.path'), json_extract(p.value, '$.version')"
    " FROM decision_log_v1 AS d, json_each(d.packs_json) AS p",
    "DROP TABLE decision_log_v1",
    "PRAGMA user_version = 2",
    NULL};

/* Schema v3: an award's provenance (docs/registry.md, "award"): where a
 * badge's or CLR's award came from and whether its proof was verified.
 * NULL throughout for awards without provenance; prov_source_id finds the
 * award a re-import of the same credential replaces. */
static const char *const schema_v3[] = {
    "ALTER TABLE award ADD COLUMN prov_format TEXT",
    "ALTER TABLE award ADD COLUMN prov_source_id TEXT",
    "ALTER TABLE award ADD COLUMN prov_issuer TEXT",
    "ALTER TABLE award ADD COLUMN prov_proof TEXT",
    "ALTER TABLE award ADD COLUMN prov_verification TEXT"
    " CHECK (prov_verification = 'verified' OR prov_verification = 'unverified')",
    "ALTER TABLE award ADD COLUMN prov_note TEXT",
    "ALTER TABLE award ADD COLUMN prov_status_checked TEXT",
    "CREATE UNIQUE INDEX award_source ON award(prov_source_id) WHERE prov_source_id IS NOT NULL",
    "PRAGMA user_version = 3",
    NULL};

/* Schema v4: tamper evidence (docs/security.md, "Tamper evidence and
 * fsck"). import_log keeps one row per import (and a "baseline" row for
 * the migration itself), import_file its input files, registry_digest the
 * SHA-256 of each table's rows in canonical order as the last import left
 * them; the baseline digests are computed by cx__registry_baseline. */
static const char *const schema_v4[] = {
    "CREATE TABLE import_log(id INTEGER PRIMARY KEY, created TEXT NOT NULL,"
    " kind TEXT NOT NULL CHECK (kind = 'import' OR kind = 'baseline'), os_user TEXT,"
    " content_version INTEGER NOT NULL, jurisdictions INTEGER NOT NULL, groups INTEGER NOT NULL,"
    " providers INTEGER NOT NULL, frameworks INTEGER NOT NULL, competencies INTEGER NOT NULL,"
    " credentials INTEGER NOT NULL, holders INTEGER NOT NULL, awards INTEGER NOT NULL,"
    " exceptions INTEGER NOT NULL, removals INTEGER NOT NULL, tables_hashed INTEGER NOT NULL,"
    " digest TEXT NOT NULL, credex_version TEXT NOT NULL)",
    "CREATE TABLE import_file("
    " import_id INTEGER NOT NULL REFERENCES import_log(id) DEFERRABLE INITIALLY DEFERRED,"
    " seq INTEGER NOT NULL, path TEXT NOT NULL, sha256 TEXT, bytes INTEGER,"
    " PRIMARY KEY (import_id, seq)) WITHOUT ROWID",
    "CREATE TABLE registry_digest(tbl TEXT PRIMARY KEY NOT NULL, sha256 TEXT NOT NULL,"
    " rows INTEGER NOT NULL,"
    " import_id INTEGER NOT NULL REFERENCES import_log(id) DEFERRABLE INITIALLY DEFERRED)"
    " WITHOUT ROWID",
    "PRAGMA user_version = 4", NULL};

/* Schema v5: who signed each pack a logged decision was made with
 * (docs/log.md, docs/signing.md): the verified signature's kid and
 * authority and the compact JWS, NULL throughout for an unsigned pack (and
 * for every pack logged before). */
static const char *const schema_v5[] = {
    "ALTER TABLE decision_pack ADD COLUMN signer_kid TEXT",
    "ALTER TABLE decision_pack ADD COLUMN signer_authority TEXT",
    "ALTER TABLE decision_pack ADD COLUMN signature TEXT", "PRAGMA user_version = 5", NULL};

/* Schema v6: a table's digest is a sum of row hashes, which an import
 * brings up to date from the rows it writes (docs/registry.md, "Tamper
 * evidence"), no longer the SHA-256 of the rows in key order: the column
 * is renamed for what it holds, and the migration records a new baseline
 * (migrate), the old digests being of the other kind. */
static const char *const schema_v6[] = {
    "ALTER TABLE registry_digest RENAME COLUMN sha256 TO digest", "PRAGMA user_version = 6", NULL};

/* Forward migrations, oldest first: a registry at user_version v runs every
 * step whose version is greater than v, all in one transaction. Each step
 * ends by setting user_version to its own version. */
static const struct migration {
    int version;
    const char *const *sql;
} migrations[] = {
    {1, schema_v1}, {2, schema_v2}, {3, schema_v3}, {4, schema_v4}, {5, schema_v5}, {6, schema_v6},
};

/* ------------------------------------------------------- kinds and queries */

static const char *const kind_names[CX_KIND_AWARD + 1] = {
    "jurisdiction", "group",      "provider", "framework",
    "competency",   "credential", "holder",   "award"};

const char *cx_kind_name(cx_kind kind)
{
    if ((int)kind < 0 || kind > CX_KIND_AWARD) return "entity";
    return kind_names[kind];
}

int cx_registry_schema_version(void)
{
    return SCHEMA_VERSION;
}

/* -------------------------------------------------------------- threads */

/* Each thread's own address: what r->owner holds while it is inside. */
static _Thread_local char this_thread;

int cx__registry_enter(cx_registry *r, cx_error *err)
{
    const void *none = NULL;
    if (atomic_compare_exchange_strong_explicit(&r->owner, &none, &this_thread,
                                                memory_order_acquire, memory_order_relaxed) ||
        none == &this_thread) {
        r->depth++;
        return CX_OK;
    }
    return cx__error(err, CX_EUSAGE, NULL, 0, 0,
                     "registry %s is in use by another thread: each thread needs its own "
                     "cx_registry (cx_registry_open; credex.h, \"Threads\")",
                     r->path);
}

void cx__registry_leave(cx_registry *r)
{
    if (--r->depth == 0) atomic_store_explicit(&r->owner, NULL, memory_order_release);
}

int cx__registry_leave_rc(cx_registry *r, int rc)
{
    cx__registry_leave(r);
    return rc;
}

/* -------------------------------------------------------------- helpers */

/* The file named in registry errors: the path, or "" for memory. */
const char *cx__reg_err_file(const cx_registry *r)
{
    return r->memory ? "" : r->path;
}

/* ------------------------------------------------- writers and their locks */

/* The operations a lock-info record may name: anything else read from the
 * record (another tool's file, a half-written one) is not echoed. */
static const char *const writer_operations[] = {"import", "--log", "init"};

/* A malloc'd "PATH-writer" (suffix NULL) or "PATH-writer.PID". */
static char *writer_path(const cx_registry *r, long pid)
{
    size_t size = strlen(r->path) + 32;
    char *path = malloc(size);
    if (!path) return NULL;
    if (pid)
        snprintf(path, size, "%s-writer.%ld", r->path, pid);
    else
        snprintf(path, size, "%s-writer", r->path);
    return path;
}

/* Leaves "PID OPERATION\n" in PATH-writer, written aside and renamed, so
 * that a reader sees a whole record or none. Advisory: when it cannot be
 * written, a busy error elsewhere says "another process". */
static void writer_record(cx_registry *r, const char *operation)
{
    char line[96];
    char *tmp = writer_path(r, (long)getpid());
    free(r->writer_record);
    r->writer_record = writer_path(r, 0);
    if (!tmp || !r->writer_record) goto done;
    unlink(tmp); /* a new file, never one a link points to */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) goto done;
    int len = snprintf(line, sizeof line, "%ld %s\n", (long)getpid(), operation);
    int wrote = write(fd, line, (size_t)len) == len;
    if (close(fd) == 0 && wrote && rename(tmp, r->writer_record) == 0) goto done;
    unlink(tmp);
done:
    free(tmp);
}

int cx__reg_begin_write(cx_registry *r, const char *operation, cx_error *err)
{
    if (sqlite3_exec(r->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return cx__reg_error(r, err, "cannot write the registry");
    if (!r->memory) writer_record(r, operation);
    return CX_OK;
}

/* Removed before COMMIT or ROLLBACK, while the lock still keeps every
 * other credex writer waiting: the next one's record is never removed. */
void cx__reg_writer_done(cx_registry *r)
{
    if (!r->writer_record) return;
    unlink(r->writer_record);
    free(r->writer_record);
    r->writer_record = NULL;
}

/* Who holds r's write lock, from its lock-info record: "credex import
 * (pid 1234)" when the record names a known operation of a live process,
 * else "another process". */
static void lock_holder(const cx_registry *r, char *buf, size_t size)
{
    char line[96] = "", op[16] = "";
    long pid = 0;
    snprintf(buf, size, "another process");
    char *path = writer_path(r, 0);
    int fd = path ? open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) : -1;
    free(path);
    if (fd < 0) return;
    ssize_t n = read(fd, line, sizeof line - 1);
    close(fd);
    if (n <= 0 || sscanf(line, "%ld %15s", &pid, op) != 2 || pid <= 0) return;
    if (kill((pid_t)pid, 0) != 0 && errno != EPERM) return; /* a crashed writer's */
    for (size_t i = 0; i < CX_COUNT(writer_operations); i++)
        if (strcmp(op, writer_operations[i]) == 0)
            snprintf(buf, size, "credex %s (pid %ld)", op, pid);
}

/* Fills err with "what: <sqlite message>" and returns CX_EREGISTRY; a
 * lock that stayed taken for the whole busy timeout names its holder. */
int cx__reg_error(cx_registry *r, cx_error *err, const char *what)
{
    if ((sqlite3_extended_errcode(r->db) & 0xff) == SQLITE_BUSY) {
        char holder[64];
        lock_holder(r, holder, sizeof holder);
        return cx__error(err, CX_EREGISTRY, cx__reg_err_file(r), 0, 0,
                         "%s: it is locked by another writer, held by %s; gave up after "
                         "waiting %d s (--busy-timeout SECONDS waits longer)",
                         what, holder, r->busy_timeout > 0 ? r->busy_timeout : 0);
    }
    return cx__error(err, CX_EREGISTRY, cx__reg_err_file(r), 0, 0, "%s: %s", what,
                     sqlite3_errmsg(r->db));
}

int cx__reg_prepare(cx_registry *r, const char *sql, sqlite3_stmt **st, cx_error *err)
{
    if (sqlite3_prepare_v2(r->db, sql, -1, st, NULL) != SQLITE_OK) {
        *st = NULL;
        return cx__reg_error(r, err, "cannot prepare a registry query");
    }
    return CX_OK;
}

/* Runs one constant statement (DDL, PRAGMA, BEGIN/COMMIT) without results. */
int cx__reg_exec(cx_registry *r, const char *sql, cx_error *err)
{
    if (sqlite3_exec(r->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return cx__reg_error(r, err, "registry statement failed");
    return CX_OK;
}

/* Runs a constant query returning one integer (PRAGMA user_version). */
int cx__reg_query_int(cx_registry *r, const char *sql, int64_t *out, int *sqlite_rc)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(r->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int64(st, 0);
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = SQLITE_NOTFOUND;
        }
    }
    sqlite3_finalize(st);
    *sqlite_rc = rc;
    return rc == SQLITE_OK ? 0 : -1;
}

void cx__reg_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

void cx__reg_bind_number(sqlite3_stmt *st, int i, int64_t v)
{
    if (v == CX_NO_NUMBER)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, v);
}

/* ------------------------------------------------------ opening, schema */

static int not_registry(cx_registry *r, const char *why, cx_error *err)
{
    return cx__error(err, CX_EREGISTRY, NULL, 0, 0, "not a credex registry: %s (%s)", r->path, why);
}

/* ------------------------------------------------------- registry id */

/* Gives r a registry id (docs/registry.md, "The snapshot cache") unless it
 * has one: 16 bytes from getrandom, in hex, under meta 'registry_id'.
 * Inside the caller's write transaction; a second writer's insert is a
 * no-op, so two first openers race harmlessly. */
static int add_registry_id(cx_registry *r, cx_error *err)
{
    unsigned char bytes[16];
    char hex[2 * sizeof bytes + 1];
    sqlite3_stmt *st = NULL;
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes)
        return cx__error(err, CX_EREGISTRY, cx__reg_err_file(r), 0, 0,
                         "cannot make a registry id: getrandom: %s", strerror(errno));
    for (size_t i = 0; i < sizeof bytes; i++) snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
    int rc = cx__reg_prepare(r,
                             "INSERT INTO meta(key, value) VALUES ('registry_id', ?1)"
                             " ON CONFLICT(key) DO NOTHING",
                             &st, err);
    if (!rc) {
        cx__reg_bind_text(st, 1, hex);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = cx__reg_error(r, err, "cannot write the registry id");
    }
    sqlite3_finalize(st);
    return rc;
}

/* A registry that predates registry ids gets one from its first writer. */
static int ensure_registry_id(cx_registry *r, cx_error *err)
{
    int64_t have = 0;
    int src = 0;
    if (cx__reg_query_int(r, "SELECT count(*) FROM meta WHERE key = 'registry_id'", &have, &src))
        return cx__reg_error(r, err, "cannot read the registry id");
    if (have) return CX_OK;
    int rc = cx__reg_begin_write(r, "init", err);
    if (rc) return rc;
    rc = add_registry_id(r, err);
    cx__reg_writer_done(r);
    if (!rc) rc = cx__reg_exec(r, "COMMIT", err);
    if (rc) sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* Reads one text value of conn's current transaction into buf ("" when
 * the query has no row or a NULL). */
static int query_text(cx_registry *conn, const char *sql, char *buf, size_t size, cx_error *err)
{
    sqlite3_stmt *st = NULL;
    buf[0] = '\0';
    int rc = cx__reg_prepare(conn, sql, &st, err), step = SQLITE_DONE;
    if (!rc) step = sqlite3_step(st);
    if (!rc && step == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
    else if (!rc && step != SQLITE_DONE)
        rc = cx__reg_error(conn, err, "cannot read the registry id");
    sqlite3_finalize(st);
    return rc;
}

int cx__registry_identity(cx_registry *conn, char id[CX_REGISTRY_ID_SIZE],
                          char digest[CX_REGISTRY_DIGEST_SIZE], cx_error *err)
{
    int rc = query_text(conn, "SELECT value FROM meta WHERE key = 'registry_id'", id,
                        CX_REGISTRY_ID_SIZE, err);
    if (!rc)
        rc = query_text(conn, "SELECT digest FROM import_log ORDER BY id DESC LIMIT 1", digest,
                        CX_REGISTRY_DIGEST_SIZE, err);
    return rc;
}

const char *cx__registry_file(const cx_registry *r)
{
    return r->memory ? NULL : r->path;
}

int cx__registry_no_cache(const cx_registry *r)
{
    return r->no_cache;
}

/* Runs every migration step newer than the registry, in one transaction. */
static int migrate(cx_registry *r, cx_error *err)
{
    int64_t version = 0;
    int src = 0, rc = cx__reg_begin_write(r, "init", err);
    if (rc) return rc;
    if (cx__reg_query_int(r, "PRAGMA user_version", &version, &src)) {
        rc = cx__reg_error(r, err, "cannot read the registry schema version");
        goto done;
    }
    for (size_t m = 0; m < CX_COUNT(migrations) && !rc; m++) {
        if (migrations[m].version <= version) continue;
        for (const char *const *sql = migrations[m].sql; *sql && !rc; sql++)
            rc = cx__reg_exec(r, *sql, err);
    }
    /* the digests of the registry as it is, of the kind schema 6 defines */
    if (!rc && version < 6) rc = cx__registry_baseline(r, err);
    if (!rc) rc = add_registry_id(r, err);
done:
    cx__reg_writer_done(r);
    if (!rc) rc = cx__reg_exec(r, "COMMIT", err);
    if (rc) sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* Checks that the schema is credex's and not newer; migrates a writable
 * registry that is older (or new and empty). */
static int check_schema(cx_registry *r, cx_error *err)
{
    int64_t version = 0, tables = 0, content = 0;
    int src = 0;
    if (cx__reg_query_int(r, "PRAGMA user_version", &version, &src)) {
        if (src == SQLITE_NOTADB) return not_registry(r, "file is not a database", err);
        return cx__reg_error(r, err, "cannot read the registry");
    }
    if (version > SCHEMA_VERSION)
        return cx__error(err, CX_EREGISTRY, cx__reg_err_file(r), 0, 0,
                         "registry schema version %lld is newer than this credex (%d); "
                         "upgrade credex",
                         (long long)version, SCHEMA_VERSION);
    if (version == 0) {
        if (cx__reg_query_int(r, "SELECT count(*) FROM sqlite_master", &tables, &src))
            return cx__reg_error(r, err, "cannot read the registry");
        if (tables > 0) return not_registry(r, "a SQLite database without the credex schema", err);
        if (r->readonly) return not_registry(r, "empty file; run `credex init`", err);
    }
    if (version < SCHEMA_VERSION && r->readonly)
        return cx__error(err, CX_EREGISTRY, r->path, 0, 0,
                         "registry schema version %lld is older than this credex (%d); "
                         "run `credex init` to migrate it",
                         (long long)version, SCHEMA_VERSION);
    if (!r->readonly && !r->memory) {
        int rc = cx__reg_exec(r, "PRAGMA journal_mode = WAL", err);
        if (rc) return rc;
    }
    if (version < SCHEMA_VERSION) {
        int rc = migrate(r, err);
        if (rc) return rc;
    } else if (!r->readonly) {
        int rc = ensure_registry_id(r, err);
        if (rc) return rc;
    }
    if (cx__reg_query_int(r, "SELECT value FROM meta WHERE key = 'content_version'", &content,
                          &src))
        return src == SQLITE_NOTFOUND ? not_registry(r, "no content version", err)
                                      : cx__reg_error(r, err, "cannot read the registry");
    return CX_OK;
}

/* A file that must exist (read-only or without CX_OPEN_CREATE) but does
 * not; any path that names a directory. */
static int check_exists(const char *path, int create, cx_error *err)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) return CX_OK;
        return cx__error(err, CX_EREGISTRY, NULL, 0, 0,
                         "%s: is a directory; --db names the registry file", path);
    }
    if (create) return CX_OK;
    if (errno == ENOENT)
        return cx__error(err, CX_EREGISTRY, NULL, 0, 0,
                         "registry not found: %s (run `credex init` or `credex import`)", path);
    return cx__error(err, CX_EREGISTRY, NULL, 0, 0, "cannot open registry %s: %s", path,
                     strerror(errno));
}

/* The connection is opened without SQLite's per-connection mutex: a
 * cx_registry is used by one thread at a time (cx__registry_enter refuses
 * a second), and every thread that reads beside it opens a connection of
 * its own (cx__registry_reader_open). The mutex cost a lock and an unlock
 * in every sqlite3_ call: some fifteen per row of a large import. */
static int open_connection(cx_registry *r, int create, cx_error *err)
{
    int oflags = (r->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
    if (create || r->memory) oflags |= SQLITE_OPEN_CREATE;
    if (r->memory) oflags |= SQLITE_OPEN_MEMORY;
    if (sqlite3_open_v2(r->path, &r->db, oflags, NULL) != SQLITE_OK) {
        const char *msg = r->db ? sqlite3_errmsg(r->db) : "out of memory";
        return cx__error(err, CX_EREGISTRY, r->path, 0, 0, "cannot open registry %s: %s", r->path,
                         msg);
    }
    sqlite3_extended_result_codes(r->db, 1);
    sqlite3_busy_timeout(r->db, r->busy_timeout > 0 ? r->busy_timeout * 1000 : 0);
    return cx__reg_exec(r, "PRAGMA foreign_keys = ON", err);
}

int cx_registry_open(const char *path, int flags, cx_registry **out, cx_error *err)
{
    return cx_registry_open_with(path, flags, NULL, out, err);
}

int cx_registry_open_with(const char *path, int flags, const cx_open_options *opt,
                          cx_registry **out, cx_error *err)
{
    int memory = (flags & CX_OPEN_MEMORY) != 0;
    int readonly = !memory && (flags & CX_OPEN_READONLY);
    int create = !readonly && (flags & CX_OPEN_CREATE);
    int rc = CX_OK;
    *out = NULL;
    if (!memory && (!path || !*path))
        return cx__error(err, CX_EUSAGE, NULL, 0, 0, "no registry path given");
    if (!memory && (rc = check_exists(path, create, err))) return rc;
    cx_registry *r = calloc(1, sizeof *r);
    if (!r || !(r->path = cx__strdup(memory ? ":memory:" : path))) {
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory opening the registry");
        goto fail;
    }
    r->memory = memory;
    r->readonly = readonly;
    r->busy_timeout = !opt || !opt->busy_timeout ? CX_DEFAULT_BUSY_TIMEOUT : opt->busy_timeout;
    r->sync_full = opt && opt->sync_full;
    r->no_cache = opt && opt->no_cache;
    atomic_init(&r->owner, NULL);
    if ((rc = open_connection(r, create, err)) || (rc = check_schema(r, err))) goto fail;
    *out = r;
    return CX_OK;
fail:
    cx_registry_close(r);
    return rc;
}

void cx_registry_close(cx_registry *r)
{
    if (!r) return;
    for (size_t k = 0; k < CX_COUNT(r->has); k++) sqlite3_finalize(r->has[k]);
    sqlite3_close(r->db);
    free(r->writer_record);
    free(r->path);
    free(r);
}

static int content_version(cx_registry *r, int64_t *out, cx_error *err)
{
    int src = 0;
    if (cx__reg_query_int(r, "SELECT value FROM meta WHERE key = 'content_version'", out, &src))
        return cx__reg_error(r, err, "cannot read the registry content version");
    return CX_OK;
}

int cx_registry_content_version(cx_registry *r, int64_t *out, cx_error *err)
{
    return CX__REGISTRY_CALL(r, err, content_version(r, out, err));
}
