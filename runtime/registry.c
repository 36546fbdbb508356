/*
 * registry.c -- the SQLite registry (docs/design.md §2): schema and forward migrations,
 * opening, writing a checked catalog model in one transaction, look-ups and
 * entity reads. The only file that includes sqlite3.h. It never parses YAML
 * nor resolves references (catalog.c does both before cx__registry_import).
 */
#include "registry.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#define SCHEMA_VERSION  1
#define BUSY_TIMEOUT_MS 5000
#define PROGRESS_EVERY  10000

struct cx_registry {
    sqlite3 *db;                          /* the connection, owned */
    char *path;                           /* as given, or ":memory:"; owned */
    int memory;                           /* a private in-memory registry */
    int readonly;                         /* opened with CX_OPEN_READONLY */
    sqlite3_stmt *has[CX_KIND_AWARD + 1]; /* cached point queries, lazily prepared */
};

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

/* Forward migrations, oldest first: a registry at user_version v runs every
 * step whose version is greater than v, all in one transaction. Each step
 * ends by setting user_version to its own version. */
static const struct migration {
    int version;
    const char *const *sql;
} migrations[] = {
    {1, schema_v1},
};

/* ------------------------------------------------------- kinds and queries */

static const char *const kind_names[CX_KIND_AWARD + 1] = {
    "jurisdiction", "group",      "provider", "framework",
    "competency",   "credential", "holder",   "award"};

static const char *const has_sql[CX_KIND_AWARD + 1] = {
    "SELECT 1 FROM jurisdiction WHERE id = ?1", "SELECT 1 FROM jgroup WHERE id = ?1",
    "SELECT 1 FROM provider WHERE id = ?1",     "SELECT 1 FROM framework WHERE id = ?1",
    "SELECT 1 FROM competency WHERE id = ?1",   "SELECT 1 FROM credential WHERE id = ?1",
    "SELECT 1 FROM holder WHERE id = ?1",       "SELECT 1 FROM award WHERE id = ?1"};

static const char *const ids_sql[CX_KIND_AWARD + 1] = {
    "SELECT id FROM jurisdiction ORDER BY id", "SELECT id FROM jgroup ORDER BY id",
    "SELECT id FROM provider ORDER BY id",     "SELECT id FROM framework ORDER BY id",
    "SELECT id FROM competency ORDER BY id",   "SELECT id FROM credential ORDER BY id",
    "SELECT id FROM holder ORDER BY id",       "SELECT id FROM award ORDER BY id"};

static const char *const count_sql[CX_KIND_AWARD + 1] = {
    "SELECT count(*) FROM jurisdiction", "SELECT count(*) FROM jgroup",
    "SELECT count(*) FROM provider",     "SELECT count(*) FROM framework",
    "SELECT count(*) FROM competency",   "SELECT count(*) FROM credential",
    "SELECT count(*) FROM holder",       "SELECT count(*) FROM award"};

const char *cx_kind_name(cx_kind kind)
{
    if ((int)kind < 0 || kind > CX_KIND_AWARD) return "entity";
    return kind_names[kind];
}

int cx_registry_schema_version(void)
{
    return SCHEMA_VERSION;
}

/* -------------------------------------------------------------- helpers */

/* The file named in registry errors: the path, or "" for memory. */
static const char *err_file(const cx_registry *r)
{
    return r->memory ? "" : r->path;
}

/* Fills err with "what: <sqlite message>" and returns CX_EREGISTRY. */
static int db_error(cx_registry *r, cx_error *err, const char *what)
{
    return cx__error(err, CX_EREGISTRY, err_file(r), 0, 0, "%s: %s", what, sqlite3_errmsg(r->db));
}

static int prepare(cx_registry *r, const char *sql, sqlite3_stmt **st, cx_error *err)
{
    if (sqlite3_prepare_v2(r->db, sql, -1, st, NULL) != SQLITE_OK) {
        *st = NULL;
        return db_error(r, err, "cannot prepare a registry query");
    }
    return CX_OK;
}

/* Runs one constant statement (DDL, PRAGMA, BEGIN/COMMIT) without results. */
static int exec_sql(cx_registry *r, const char *sql, cx_error *err)
{
    if (sqlite3_exec(r->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_error(r, err, "registry statement failed");
    return CX_OK;
}

/* Runs a constant query returning one integer (PRAGMA user_version). */
static int query_int(cx_registry *r, const char *sql, int64_t *out, int *sqlite_rc)
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

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void bind_number(sqlite3_stmt *st, int i, int64_t v)
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

/* Runs every migration step newer than the registry, in one transaction. */
static int migrate(cx_registry *r, cx_error *err)
{
    int64_t version = 0;
    int src = 0, rc = exec_sql(r, "BEGIN IMMEDIATE", err);
    if (rc) return rc;
    if (query_int(r, "PRAGMA user_version", &version, &src)) {
        rc = db_error(r, err, "cannot read the registry schema version");
        goto done;
    }
    for (size_t m = 0; m < CX_COUNT(migrations) && !rc; m++) {
        if (migrations[m].version <= version) continue;
        for (const char *const *sql = migrations[m].sql; *sql && !rc; sql++)
            rc = exec_sql(r, *sql, err);
    }
    if (!rc) rc = exec_sql(r, "COMMIT", err);
done:
    if (rc) sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* Checks that the schema is credex's and not newer; migrates a writable
 * registry that is older (or new and empty). */
static int check_schema(cx_registry *r, cx_error *err)
{
    int64_t version = 0, tables = 0, content = 0;
    int src = 0;
    if (query_int(r, "PRAGMA user_version", &version, &src)) {
        if (src == SQLITE_NOTADB) return not_registry(r, "file is not a database", err);
        return db_error(r, err, "cannot read the registry");
    }
    if (version > SCHEMA_VERSION)
        return cx__error(err, CX_EREGISTRY, err_file(r), 0, 0,
                         "registry schema version %lld is newer than this credex (%d); "
                         "upgrade credex",
                         (long long)version, SCHEMA_VERSION);
    if (version == 0) {
        if (query_int(r, "SELECT count(*) FROM sqlite_master", &tables, &src))
            return db_error(r, err, "cannot read the registry");
        if (tables > 0) return not_registry(r, "a SQLite database without the credex schema", err);
        if (r->readonly) return not_registry(r, "empty file; run `credex init`", err);
    }
    if (version < SCHEMA_VERSION && r->readonly)
        return cx__error(err, CX_EREGISTRY, r->path, 0, 0,
                         "registry schema version %lld is older than this credex (%d); "
                         "run `credex init` to migrate it",
                         (long long)version, SCHEMA_VERSION);
    if (!r->readonly && !r->memory) {
        int rc = exec_sql(r, "PRAGMA journal_mode = WAL", err);
        if (rc) return rc;
    }
    if (version < SCHEMA_VERSION) {
        int rc = migrate(r, err);
        if (rc) return rc;
    }
    if (query_int(r, "SELECT value FROM meta WHERE key = 'content_version'", &content, &src))
        return not_registry(r, "no content version", err);
    return CX_OK;
}

/* A file that must exist (read-only or without CX_OPEN_CREATE) but does not. */
static int check_exists(const char *path, cx_error *err)
{
    struct stat st;
    if (stat(path, &st) == 0) return CX_OK;
    if (errno == ENOENT)
        return cx__error(err, CX_EREGISTRY, NULL, 0, 0,
                         "registry not found: %s (run `credex init` or `credex import`)", path);
    return cx__error(err, CX_EREGISTRY, NULL, 0, 0, "cannot open registry %s: %s", path,
                     strerror(errno));
}

static int open_connection(cx_registry *r, int create, cx_error *err)
{
    int oflags = r->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (create || r->memory) oflags |= SQLITE_OPEN_CREATE;
    if (r->memory) oflags |= SQLITE_OPEN_MEMORY;
    if (sqlite3_open_v2(r->path, &r->db, oflags, NULL) != SQLITE_OK) {
        const char *msg = r->db ? sqlite3_errmsg(r->db) : "out of memory";
        return cx__error(err, CX_EREGISTRY, r->path, 0, 0, "cannot open registry %s: %s", r->path,
                         msg);
    }
    sqlite3_extended_result_codes(r->db, 1);
    sqlite3_busy_timeout(r->db, BUSY_TIMEOUT_MS);
    return exec_sql(r, "PRAGMA foreign_keys = ON", err);
}

int cx_registry_open(const char *path, int flags, cx_registry **out, cx_error *err)
{
    int memory = (flags & CX_OPEN_MEMORY) != 0;
    int readonly = !memory && (flags & CX_OPEN_READONLY);
    int create = !readonly && (flags & CX_OPEN_CREATE);
    int rc = CX_OK;
    *out = NULL;
    if (!memory && (!path || !*path))
        return cx__error(err, CX_EUSAGE, NULL, 0, 0, "no registry path given");
    if (!memory && !create && (rc = check_exists(path, err))) return rc;
    cx_registry *r = calloc(1, sizeof *r);
    if (!r || !(r->path = cx__strdup(memory ? ":memory:" : path))) {
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory opening the registry");
        goto fail;
    }
    r->memory = memory;
    r->readonly = readonly;
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
    free(r->path);
    free(r);
}

int cx_registry_content_version(cx_registry *r, int64_t *out, cx_error *err)
{
    int src = 0;
    if (query_int(r, "SELECT value FROM meta WHERE key = 'content_version'", out, &src))
        return db_error(r, err, "cannot read the registry content version");
    return CX_OK;
}

/* ---------------------------------------------------------------- import */

/* The statements of one import, prepared once, indexed by these names. An
 * entity that can own lists has two: X_NEW inserts it when its id is new
 * (ON CONFLICT DO NOTHING, so sqlite3_changes() says whether it existed)
 * and X, the upsert, runs only for an id that existed, followed by the
 * deletes that replace its lists. A fresh import thus runs no DELETE. */
enum {
    S_JURISDICTION,
    S_GROUP_NEW,
    S_GROUP,
    S_MEMBERS_DEL,
    S_MEMBER,
    S_PROVIDER,
    S_FRAMEWORK,
    S_COMPETENCY,
    S_CREDENTIAL_NEW,
    S_CREDENTIAL,
    S_CRED_COMPETENCIES_DEL,
    S_CRED_TAGS_DEL,
    S_CRED_CODES_DEL,
    S_CRED_ATTRS_DEL,
    S_CRED_GRADES_DEL,
    S_CRED_COMPETENCY,
    S_CRED_TAG,
    S_CRED_CODE,
    S_CRED_ATTR,
    S_CRED_GRADE,
    S_HOLDER_NEW,
    S_HOLDER,
    S_HOLDER_ATTRS_DEL,
    S_HOLDER_AWARD_IDS,
    S_HOLDER_AWARDS_DEL,
    S_HOLDER_ATTR,
    S_AWARD_NEW,
    S_AWARD,
    S_AWARD_RESULTS_DEL,
    S_AWARD_RESULT,
    S_EXCEPTION,
    S_BUMP,
    S_COUNT
};

#define GROUP_VALUES "INSERT INTO jgroup(id, name) VALUES (?1, ?2)"
#define CREDENTIAL_VALUES                                                                          \
    "INSERT INTO credential(id, name, type, provider_id, jurisdiction_id, hours, valid_for,"       \
    " version, effective_from, effective_until)"                                                   \
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
#define HOLDER_VALUES "INSERT INTO holder(id, jurisdiction_id) VALUES (?1, ?2)"
#define AWARD_VALUES                                                                               \
    "INSERT INTO award(id, holder_id, credential_id, issued, expires, jurisdiction_id, hours,"     \
    " status, grade, evidence)"                                                                    \
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, coalesce(?8, 'active'), ?9, ?10)"

static const char *const import_sql[S_COUNT] = {
    [S_JURISDICTION] = "INSERT INTO jurisdiction(id, name, kind) VALUES (?1, ?2, ?3)"
                       " ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind",
    [S_GROUP_NEW] = GROUP_VALUES " ON CONFLICT(id) DO NOTHING",
    [S_GROUP] = GROUP_VALUES " ON CONFLICT(id) DO UPDATE SET name = excluded.name",
    [S_MEMBERS_DEL] = "DELETE FROM jgroup_member WHERE group_id = ?1",
    [S_MEMBER] = "INSERT INTO jgroup_member(group_id, jurisdiction_id, from_date, until_date,"
                 " status) VALUES (?1, ?2, ?3, ?4, ?5)",
    [S_PROVIDER] = "INSERT INTO provider(id, name, jurisdiction_id) VALUES (?1, ?2, ?3)"
                   " ON CONFLICT(id) DO UPDATE SET name = excluded.name,"
                   " jurisdiction_id = excluded.jurisdiction_id",
    [S_FRAMEWORK] = "INSERT INTO framework(id, name) VALUES (?1, ?2)"
                    " ON CONFLICT(id) DO UPDATE SET name = excluded.name",
    [S_COMPETENCY] = "INSERT INTO competency(id, framework_id, text, parent_id)"
                     " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(id) DO UPDATE SET"
                     " framework_id = excluded.framework_id, text = excluded.text,"
                     " parent_id = excluded.parent_id",
    [S_CREDENTIAL_NEW] = CREDENTIAL_VALUES " ON CONFLICT(id) DO NOTHING",
    [S_CREDENTIAL] = CREDENTIAL_VALUES " ON CONFLICT(id) DO UPDATE SET name = excluded.name,"
                                       " type = excluded.type, provider_id = excluded.provider_id,"
                                       " jurisdiction_id = excluded.jurisdiction_id,"
                                       " hours = excluded.hours, valid_for = excluded.valid_for,"
                                       " version = excluded.version,"
                                       " effective_from = excluded.effective_from,"
                                       " effective_until = excluded.effective_until",
    [S_CRED_COMPETENCIES_DEL] = "DELETE FROM credential_competency WHERE credential_id = ?1",
    [S_CRED_TAGS_DEL] = "DELETE FROM credential_tag WHERE credential_id = ?1",
    [S_CRED_CODES_DEL] = "DELETE FROM credential_code WHERE credential_id = ?1",
    [S_CRED_ATTRS_DEL] = "DELETE FROM credential_attr WHERE credential_id = ?1",
    [S_CRED_GRADES_DEL] = "DELETE FROM credential_grade WHERE credential_id = ?1",
    [S_CRED_COMPETENCY] = "INSERT INTO credential_competency(credential_id, competency_id)"
                          " VALUES (?1, ?2) ON CONFLICT DO NOTHING",
    [S_CRED_TAG] = "INSERT INTO credential_tag(credential_id, tag) VALUES (?1, ?2)"
                   " ON CONFLICT DO NOTHING",
    [S_CRED_CODE] = "INSERT INTO credential_code(credential_id, scheme, code)"
                    " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    [S_CRED_ATTR] = "INSERT INTO credential_attr(credential_id, key, value) VALUES (?1, ?2, ?3)"
                    " ON CONFLICT(credential_id, key) DO UPDATE SET value = excluded.value",
    [S_CRED_GRADE] = "INSERT INTO credential_grade(credential_id, rank, grade)"
                     " VALUES (?1, ?2, ?3)",
    [S_HOLDER_NEW] = HOLDER_VALUES " ON CONFLICT(id) DO NOTHING",
    [S_HOLDER] =
        HOLDER_VALUES " ON CONFLICT(id) DO UPDATE SET jurisdiction_id = excluded.jurisdiction_id",
    [S_HOLDER_ATTRS_DEL] = "DELETE FROM holder_attr WHERE holder_id = ?1",
    [S_HOLDER_AWARD_IDS] = "SELECT id FROM award WHERE holder_id = ?1",
    [S_HOLDER_AWARDS_DEL] = "DELETE FROM award WHERE holder_id = ?1",
    [S_HOLDER_ATTR] = "INSERT INTO holder_attr(holder_id, key, value) VALUES (?1, ?2, ?3)"
                      " ON CONFLICT(holder_id, key) DO UPDATE SET value = excluded.value",
    [S_AWARD_NEW] = AWARD_VALUES " ON CONFLICT(id) DO NOTHING",
    [S_AWARD] = AWARD_VALUES " ON CONFLICT(id) DO UPDATE SET holder_id = excluded.holder_id,"
                             " credential_id = excluded.credential_id, issued = excluded.issued,"
                             " expires = excluded.expires,"
                             " jurisdiction_id = excluded.jurisdiction_id,"
                             " hours = excluded.hours, status = excluded.status,"
                             " grade = excluded.grade, evidence = excluded.evidence",
    [S_AWARD_RESULTS_DEL] = "DELETE FROM award_result WHERE award_id = ?1",
    [S_AWARD_RESULT] = "INSERT INTO award_result(award_id, key, value) VALUES (?1, ?2, ?3)"
                       " ON CONFLICT(award_id, key) DO UPDATE SET value = excluded.value",
    [S_EXCEPTION] = "INSERT INTO exception(holder_id, stack, waive, substitute_for,"
                    " substitute_use, \"by\", reason, file, line)"
                    " VALUES (?1, ?2, coalesce(?3, ''), coalesce(?4, ''), ?5, ?6, ?7, ?8, ?9)"
                    " ON CONFLICT(holder_id, stack, waive, substitute_for) DO UPDATE SET"
                    " substitute_use = excluded.substitute_use, \"by\" = excluded.\"by\","
                    " reason = excluded.reason, file = excluded.file, line = excluded.line",
    [S_BUMP] = "UPDATE meta SET value = CAST(value AS INTEGER) + 1"
               " WHERE key = 'content_version'",
};

/* The state of one running import. */
typedef struct import_ctx {
    cx_registry *r;
    sqlite3_stmt *st[S_COUNT];
    cx_progress_fn progress; /* or NULL */
    void *progress_ud;
    uint64_t done, total; /* entities written, and to write */
    cx_error *err;
} import_ctx;

/* Steps statement which (parameters bound by the caller) and resets it. On
 * failure err names the entity being written (what, id) at its location. */
static int run(import_ctx *ctx, int which, const cx_loc *loc, const char *what, const char *id)
{
    sqlite3_stmt *st = ctx->st[which];
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return CX_OK;
    }
    cx__error(ctx->err, CX_EREGISTRY, loc && loc->file ? loc->file : err_file(ctx->r),
              loc ? loc->line : 0, loc ? loc->column : 0, "cannot write %s '%s': %s", what,
              id ? id : "", sqlite3_errmsg(ctx->r->db));
    sqlite3_reset(st);
    return CX_EREGISTRY;
}

/* Binds id to ?1 of statement which and runs it (the per-id deletes). */
static int run_id(import_ctx *ctx, int which, const cx_loc *loc, const char *what, const char *id)
{
    bind_text(ctx->st[which], 1, id);
    return run(ctx, which, loc, what, id);
}

/* Binds an entity's columns to a statement of its kind. */
typedef void (*bind_fn)(sqlite3_stmt *st, const void *entity);

/* Writes an entity with statement fresh (which + 1 is its upsert): runs
 * the insert-if-new, and when the id existed, the upsert. *old tells the
 * caller whether to replace the entity's lists. */
static int write_entity(import_ctx *ctx, int fresh, bind_fn bind, const void *entity,
                        const cx_loc *loc, const char *what, const char *id, int *old)
{
    bind(ctx->st[fresh], entity);
    int rc = run(ctx, fresh, loc, what, id);
    *old = !rc && sqlite3_changes(ctx->r->db) == 0;
    if (!*old) return rc;
    bind(ctx->st[fresh + 1], entity);
    return run(ctx, fresh + 1, loc, what, id);
}

/* Counts one entity written and reports progress every PROGRESS_EVERY. */
static void tick(import_ctx *ctx)
{
    ctx->done++;
    if (ctx->progress && (ctx->done % PROGRESS_EVERY == 0 || ctx->done == ctx->total))
        ctx->progress(ctx->progress_ud, "writing", ctx->done, ctx->total);
}

static int write_jurisdictions(import_ctx *ctx, const cx_catalog *cat)
{
    sqlite3_stmt *st = ctx->st[S_JURISDICTION];
    for (size_t i = 0; i < cat->jurisdictions.n; i++) {
        const cx_cat_jurisdiction *j = &cat->jurisdictions.v[i];
        bind_text(st, 1, j->id);
        bind_text(st, 2, j->name);
        bind_text(st, 3, j->kind);
        int rc = run(ctx, S_JURISDICTION, &j->loc, "jurisdiction", j->id);
        if (rc) return rc;
        tick(ctx);
    }
    return CX_OK;
}

static void bind_group(sqlite3_stmt *st, const void *entity)
{
    const cx_cat_group *g = entity;
    bind_text(st, 1, g->id);
    bind_text(st, 2, g->name);
}

/* Writes a group and replaces its member list. */
static int write_group(import_ctx *ctx, const cx_cat_group *g)
{
    sqlite3_stmt *st = ctx->st[S_MEMBER];
    int old = 0;
    int rc = write_entity(ctx, S_GROUP_NEW, bind_group, g, &g->loc, "group", g->id, &old);
    if (!rc && old) rc = run_id(ctx, S_MEMBERS_DEL, &g->loc, "group", g->id);
    for (size_t i = 0; i < g->nmembers && !rc; i++) {
        const cx_cat_membership *m = &g->members[i];
        bind_text(st, 1, g->id);
        bind_text(st, 2, m->jurisdiction);
        bind_text(st, 3, m->from);
        bind_text(st, 4, m->until);
        bind_text(st, 5, m->status);
        rc = run(ctx, S_MEMBER, &m->loc, "membership of group", g->id);
    }
    return rc;
}

static int write_groups(import_ctx *ctx, const cx_catalog *cat)
{
    for (size_t i = 0; i < cat->groups.n; i++) {
        int rc = write_group(ctx, &cat->groups.v[i]);
        if (rc) return rc;
        tick(ctx);
    }
    return CX_OK;
}

static int write_providers(import_ctx *ctx, const cx_catalog *cat)
{
    sqlite3_stmt *st = ctx->st[S_PROVIDER];
    for (size_t i = 0; i < cat->providers.n; i++) {
        const cx_cat_provider *p = &cat->providers.v[i];
        bind_text(st, 1, p->id);
        bind_text(st, 2, p->name);
        bind_text(st, 3, p->jurisdiction);
        int rc = run(ctx, S_PROVIDER, &p->loc, "provider", p->id);
        if (rc) return rc;
        tick(ctx);
    }
    return CX_OK;
}

static int write_frameworks(import_ctx *ctx, const cx_catalog *cat)
{
    sqlite3_stmt *st = ctx->st[S_FRAMEWORK];
    for (size_t i = 0; i < cat->frameworks.n; i++) {
        const cx_cat_framework *f = &cat->frameworks.v[i];
        bind_text(st, 1, f->id);
        bind_text(st, 2, f->name);
        int rc = run(ctx, S_FRAMEWORK, &f->loc, "framework", f->id);
        if (rc) return rc;
        tick(ctx);
    }
    return CX_OK;
}

static int write_competencies(import_ctx *ctx, const cx_catalog *cat)
{
    sqlite3_stmt *st = ctx->st[S_COMPETENCY];
    for (size_t i = 0; i < cat->competencies.n; i++) {
        const cx_cat_competency *c = &cat->competencies.v[i];
        bind_text(st, 1, c->id);
        bind_text(st, 2, c->framework);
        bind_text(st, 3, c->text);
        bind_text(st, 4, c->parent);
        int rc = run(ctx, S_COMPETENCY, &c->loc, "competency", c->id);
        if (rc) return rc;
        tick(ctx);
    }
    return CX_OK;
}

/* Writes (credential id, value) rows: competencies and tags. */
static int write_cred_list(import_ctx *ctx, int which, const cx_cat_credential *c,
                           const char *const *values, size_t n)
{
    sqlite3_stmt *st = ctx->st[which];
    for (size_t i = 0; i < n; i++) {
        bind_text(st, 1, c->id);
        bind_text(st, 2, values[i]);
        int rc = run(ctx, which, &c->loc, "credential", c->id);
        if (rc) return rc;
    }
    return CX_OK;
}

/* Writes (credential id, key, value) rows: codes and attributes. */
static int write_cred_pairs(import_ctx *ctx, int which, const cx_cat_credential *c,
                            const cx_cat_kv *kv, size_t n)
{
    sqlite3_stmt *st = ctx->st[which];
    for (size_t i = 0; i < n; i++) {
        bind_text(st, 1, c->id);
        bind_text(st, 2, kv[i].key);
        bind_text(st, 3, kv[i].value);
        int rc = run(ctx, which, &c->loc, "credential", c->id);
        if (rc) return rc;
    }
    return CX_OK;
}

static int write_cred_grades(import_ctx *ctx, const cx_cat_credential *c)
{
    sqlite3_stmt *st = ctx->st[S_CRED_GRADE];
    for (size_t i = 0; i < c->ngrade_scale; i++) {
        bind_text(st, 1, c->id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        bind_text(st, 3, c->grade_scale[i]);
        int rc = run(ctx, S_CRED_GRADE, &c->loc, "credential", c->id);
        if (rc) return rc;
    }
    return CX_OK;
}

static void bind_credential(sqlite3_stmt *st, const void *entity)
{
    const cx_cat_credential *c = entity;
    bind_text(st, 1, c->id);
    bind_text(st, 2, c->name);
    bind_text(st, 3, c->type);
    bind_text(st, 4, c->provider);
    bind_text(st, 5, c->jurisdiction);
    bind_number(st, 6, c->hours);
    bind_text(st, 7, c->valid_for);
    bind_text(st, 8, c->version);
    bind_text(st, 9, c->effective_from);
    bind_text(st, 10, c->effective_until);
}

/* Writes a credential and replaces its competencies, tags, codes,
 * attributes and grade scale; its awards are left alone. */
static int write_credential(import_ctx *ctx, const cx_cat_credential *c)
{
    static const int dels[] = {S_CRED_COMPETENCIES_DEL, S_CRED_TAGS_DEL, S_CRED_CODES_DEL,
                               S_CRED_ATTRS_DEL, S_CRED_GRADES_DEL};
    int old = 0;
    int rc =
        write_entity(ctx, S_CREDENTIAL_NEW, bind_credential, c, &c->loc, "credential", c->id, &old);
    for (size_t i = 0; i < CX_COUNT(dels) && !rc && old; i++)
        rc = run_id(ctx, dels[i], &c->loc, "credential", c->id);
    if (!rc) rc = write_cred_list(ctx, S_CRED_COMPETENCY, c, c->competencies, c->ncompetencies);
    if (!rc) rc = write_cred_list(ctx, S_CRED_TAG, c, c->tags, c->ntags);
    if (!rc) rc = write_cred_pairs(ctx, S_CRED_CODE, c, c->codes, c->ncodes);
    if (!rc) rc = write_cred_pairs(ctx, S_CRED_ATTR, c, c->attributes, c->nattributes);
    if (!rc) rc = write_cred_grades(ctx, c);
    return rc;
}

static int write_credentials(import_ctx *ctx, const cx_catalog *cat)
{
    for (size_t i = 0; i < cat->credentials.n; i++) {
        int rc = write_credential(ctx, &cat->credentials.v[i]);
        if (rc) return rc;
        tick(ctx);
    }
    return CX_OK;
}

/* An award with its holder, for bind_award. */
typedef struct held_award {
    const cx_cat_holder *holder;
    const cx_cat_award *award;
} held_award;

static void bind_award(sqlite3_stmt *st, const void *entity)
{
    const held_award *ha = entity;
    const cx_cat_award *a = ha->award;
    bind_text(st, 1, a->id);
    bind_text(st, 2, ha->holder->id);
    bind_text(st, 3, a->credential);
    bind_text(st, 4, a->issued);
    bind_text(st, 5, a->expires);
    bind_text(st, 6, a->jurisdiction);
    bind_number(st, 7, a->hours);
    bind_text(st, 8, a->status);
    bind_text(st, 9, a->grade);
    bind_text(st, 10, a->evidence);
}

/* Writes an award and its results. Its holder's old awards are gone by
 * now, so an id that exists belongs to a holder this import does not
 * touch: the award moves to this holder and its old results go. */
static int write_award(import_ctx *ctx, const cx_cat_holder *h, const cx_cat_award *a)
{
    sqlite3_stmt *st = ctx->st[S_AWARD_RESULT];
    held_award ha = {h, a};
    int old = 0;
    int rc = write_entity(ctx, S_AWARD_NEW, bind_award, &ha, &a->loc, "award", a->id, &old);
    if (!rc && old) rc = run_id(ctx, S_AWARD_RESULTS_DEL, &a->loc, "award", a->id);
    for (size_t i = 0; i < a->nresults && !rc; i++) {
        bind_text(st, 1, a->id);
        bind_text(st, 2, a->results[i].key);
        bind_text(st, 3, a->results[i].value);
        rc = run(ctx, S_AWARD_RESULT, &a->loc, "award", a->id);
    }
    return rc;
}

static void bind_holder(sqlite3_stmt *st, const void *entity)
{
    const cx_cat_holder *h = entity;
    bind_text(st, 1, h->id);
    bind_text(st, 2, h->jurisdiction);
}

/* Deletes the results of holder h's awards, one award at a time ("WHERE
 * award_id IN (SELECT ...)" would build a temporary b-tree per holder). */
static int delete_holder_results(import_ctx *ctx, const cx_cat_holder *h)
{
    sqlite3_stmt *ids = ctx->st[S_HOLDER_AWARD_IDS];
    int rc = CX_OK, step = SQLITE_DONE;
    bind_text(ids, 1, h->id);
    while (!rc && (step = sqlite3_step(ids)) == SQLITE_ROW)
        rc = run_id(ctx, S_AWARD_RESULTS_DEL, &h->loc, "holder",
                    (const char *)sqlite3_column_text(ids, 0));
    if (!rc && step != SQLITE_DONE)
        rc = cx__error(ctx->err, CX_EREGISTRY, h->loc.file, h->loc.line, h->loc.column,
                       "cannot replace the awards of holder '%s': %s", h->id,
                       sqlite3_errmsg(ctx->r->db));
    sqlite3_reset(ids);
    return rc;
}

/* Writes a holder and replaces its attributes and its whole award list. */
static int write_holder(import_ctx *ctx, const cx_cat_holder *h)
{
    sqlite3_stmt *st = ctx->st[S_HOLDER_ATTR];
    int old = 0;
    int rc = write_entity(ctx, S_HOLDER_NEW, bind_holder, h, &h->loc, "holder", h->id, &old);
    if (!rc && old) rc = run_id(ctx, S_HOLDER_ATTRS_DEL, &h->loc, "holder", h->id);
    if (!rc && old) rc = delete_holder_results(ctx, h);
    if (!rc && old) rc = run_id(ctx, S_HOLDER_AWARDS_DEL, &h->loc, "holder", h->id);
    for (size_t i = 0; i < h->nattributes && !rc; i++) {
        bind_text(st, 1, h->id);
        bind_text(st, 2, h->attributes[i].key);
        bind_text(st, 3, h->attributes[i].value);
        rc = run(ctx, S_HOLDER_ATTR, &h->loc, "holder", h->id);
    }
    for (size_t i = 0; i < h->nawards && !rc; i++) {
        rc = write_award(ctx, h, &h->awards[i]);
        if (!rc) tick(ctx);
    }
    return rc;
}

static int write_holders(import_ctx *ctx, const cx_catalog *cat)
{
    for (size_t i = 0; i < cat->holders.n; i++) {
        int rc = write_holder(ctx, &cat->holders.v[i]);
        if (rc) return rc;
        tick(ctx);
    }
    return CX_OK;
}

static int write_exceptions(import_ctx *ctx, const cx_catalog *cat)
{
    sqlite3_stmt *st = ctx->st[S_EXCEPTION];
    for (size_t i = 0; i < cat->exceptions.n; i++) {
        const cx_cat_exception *e = &cat->exceptions.v[i];
        bind_text(st, 1, e->holder);
        bind_text(st, 2, e->stack);
        bind_text(st, 3, e->waive);
        bind_text(st, 4, e->substitute_for);
        bind_text(st, 5, e->substitute_use);
        bind_text(st, 6, e->by);
        bind_text(st, 7, e->reason);
        bind_text(st, 8, e->loc.file);
        if (e->loc.line > 0)
            sqlite3_bind_int(st, 9, e->loc.line);
        else
            sqlite3_bind_null(st, 9);
        int rc = run(ctx, S_EXCEPTION, &e->loc, "exception for holder", e->holder);
        if (rc) return rc;
        tick(ctx);
    }
    return CX_OK;
}

/* Writes every entity, parents before children. */
static int write_all(import_ctx *ctx, const cx_catalog *cat)
{
    int rc = write_jurisdictions(ctx, cat);
    if (!rc) rc = write_groups(ctx, cat);
    if (!rc) rc = write_providers(ctx, cat);
    if (!rc) rc = write_frameworks(ctx, cat);
    if (!rc) rc = write_competencies(ctx, cat);
    if (!rc) rc = write_credentials(ctx, cat);
    if (!rc) rc = write_holders(ctx, cat);
    if (!rc) rc = write_exceptions(ctx, cat);
    if (!rc) rc = run(ctx, S_BUMP, NULL, "content version", "");
    return rc;
}

/* Checks every foreign key of the registry in one pass, inside the import
 * transaction (see cx__registry_import for why not row by row). A dangling
 * reference is one catalog.c should have reported with its location. */
static int check_references(import_ctx *ctx)
{
    cx_registry *r = ctx->r;
    sqlite3_stmt *st = NULL;
    int rc = prepare(r, "PRAGMA foreign_key_check", &st, ctx->err);
    if (rc) return rc;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const char *table = (const char *)sqlite3_column_text(st, 0);
        const char *parent = (const char *)sqlite3_column_text(st, 2);
        rc = cx__error(ctx->err, CX_EREGISTRY, err_file(r), 0, 0,
                       "cannot commit the import: FOREIGN KEY constraint failed"
                       " (a row of %s refers to a missing %s)",
                       table ? table : "?", parent ? parent : "?");
    } else if (step != SQLITE_DONE) {
        rc = db_error(r, ctx->err, "cannot check the registry's references");
    }
    sqlite3_finalize(st);
    return rc;
}

static uint64_t entity_total(const cx_catalog *cat)
{
    return cat->jurisdictions.n + cat->groups.n + cat->providers.n + cat->frameworks.n +
           cat->competencies.n + cat->credentials.n + cat->holders.n + cat->nawards +
           cat->exceptions.n;
}

/* Runs the import proper inside BEGIN IMMEDIATE ... COMMIT. */
static int import_transaction(import_ctx *ctx, const cx_catalog *cat)
{
    cx_registry *r = ctx->r;
    int rc = exec_sql(r, "BEGIN IMMEDIATE", ctx->err);
    if (rc) return rc;
    if (ctx->progress) ctx->progress(ctx->progress_ud, "writing", 0, ctx->total);
    rc = write_all(ctx, cat);
    if (!rc) rc = check_references(ctx);
    if (!rc && sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = db_error(r, ctx->err, "cannot commit the import");
    if (rc) sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* Per-row foreign-key enforcement is switched off for the import and the
 * whole registry checked once before COMMIT instead: SQLite opens a cursor
 * on every parent table for every row it inserts, which made enforcement
 * most of the cost of a large import; one PRAGMA foreign_key_check pass is
 * several times cheaper and refuses the same imports. (PRAGMA foreign_keys
 * must be set outside a transaction; nothing here relies on cascades.) */
int cx__registry_import(cx_registry *r, const cx_catalog *cat, cx_progress_fn progress,
                        void *progress_ud, cx_error *err)
{
    import_ctx ctx = {.r = r, .progress = progress, .progress_ud = progress_ud, .err = err};
    int rc = CX_OK;
    if (r->readonly)
        return cx__error(err, CX_EREGISTRY, r->path, 0, 0,
                         "registry %s is open read-only; cannot import", r->path);
    ctx.total = entity_total(cat);
    rc = exec_sql(r, "PRAGMA foreign_keys = OFF", err);
    for (int i = 0; i < S_COUNT && !rc; i++)
        if (sqlite3_prepare_v3(r->db, import_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &ctx.st[i],
                               NULL) != SQLITE_OK)
            rc = db_error(r, err, "cannot prepare the import");
    /* WAL + synchronous=NORMAL cannot corrupt the registry; a power cut may
     * only lose the last committed import, which can be run again. */
    if (!rc && !r->memory) rc = exec_sql(r, "PRAGMA synchronous = NORMAL", err);
    if (!rc) rc = exec_sql(r, "PRAGMA cache_size = -262144", err); /* 256 MiB */
    if (!rc) rc = import_transaction(&ctx, cat);
    for (int i = 0; i < S_COUNT; i++) sqlite3_finalize(ctx.st[i]);
    sqlite3_exec(r->db, "PRAGMA cache_size = -2000", NULL, NULL, NULL); /* SQLite's default */
    sqlite3_exec(r->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    sqlite3_db_release_memory(r->db);
    return rc;
}

/* --------------------------------------------------- look-ups, suggestions */

static int check_kind(cx_kind kind, cx_error *err)
{
    if ((int)kind < 0 || kind > CX_KIND_AWARD)
        return cx__error(err, CX_EUSAGE, NULL, 0, 0, "unknown entity kind %d", (int)kind);
    return CX_OK;
}

int cx_registry_has(cx_registry *r, cx_kind kind, const char *id, cx_error *err)
{
    if (check_kind(kind, err)) return -1;
    if (!r->has[kind] && prepare(r, has_sql[kind], &r->has[kind], err)) return -1;
    sqlite3_stmt *st = r->has[kind];
    bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    int found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (found < 0) db_error(r, err, "cannot look up an id");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return found;
}

/* ASCII case-insensitive equality: "us-tx" is close to "US-TX". */
static int same_but_case(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z') x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = (unsigned char)(y - 'A' + 'a');
        if (x != y) return 0;
    }
    return *a == *b;
}

/* The largest distance worth suggesting for an id of len bytes: a third of
 * it, at least 2, but always less than the whole id. */
static size_t suggest_limit(size_t len)
{
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    if (limit >= len) limit = len ? len - 1 : 0;
    return limit;
}

int cx_registry_nearest(cx_registry *r, cx_kind kind, const char *id, char *buf, size_t size,
                        cx_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t limit = suggest_limit(strlen(id)), best = (size_t)-1;
    cx_subdivision sub; /* "TX" names "US-TX" before any edit distance */
    int rc = check_kind(kind, err);
    cx__subdivision_begin(&sub, kind == CX_KIND_JURISDICTION ? id : "");
    if (size) buf[0] = '\0';
    if (rc || (rc = prepare(r, ids_sql[kind], &st, err))) return rc;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) { /* ids in byte order: first wins ties */
        const char *cand = (const char *)sqlite3_column_text(st, 0);
        if (!cand) continue;
        cx__subdivision_see(&sub, cand);
        size_t d =
            same_but_case(id, cand) ? (strcmp(id, cand) != 0) : cx__edit_distance(id, cand, limit);
        if ((d <= limit || d == 1) && d < best) {
            best = d;
            if (size) snprintf(buf, size, "%s", cand);
        }
    }
    if (step != SQLITE_DONE) rc = db_error(r, err, "cannot list ids");
    if (!rc && cx__subdivision_pick(&sub) && best != 0 && size)
        snprintf(buf, size, "%s", cx__subdivision_pick(&sub));
    sqlite3_finalize(st);
    return rc;
}

int cx_registry_counts(cx_registry *r, int64_t counts[CX_KIND_AWARD + 1], cx_error *err)
{
    int src = 0;
    for (int k = 0; k <= CX_KIND_AWARD; k++)
        if (query_int(r, count_sql[k], &counts[k], &src))
            return db_error(r, err, "cannot count the registry");
    return CX_OK;
}

/* "no credential 'X' in the registry; did you mean 'Y'?" as CX_EUSAGE. */
static int not_found(cx_registry *r, cx_kind kind, const char *id, cx_error *err)
{
    char near[256];
    int rc = cx_registry_nearest(r, kind, id, near, sizeof near, err);
    if (rc) return rc;
    if (near[0])
        return cx__error(err, CX_EUSAGE, NULL, 0, 0,
                         "no %s '%s' in the registry; did you mean '%s'?", cx_kind_name(kind), id,
                         near);
    return cx__error(err, CX_EUSAGE, NULL, 0, 0, "no %s '%s' in the registry", cx_kind_name(kind),
                     id);
}

/* ------------------------------------------------------------ entity reads */

/* State of one read: a sticky out-of-memory flag so column copies can be
 * chained and checked once. */
typedef struct reader {
    cx_registry *r;
    int oom;
} reader;

/* A malloc'd copy of column i (caller frees), NULL when the column is NULL. */
static char *col_dup(reader *rd, sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    if (!s) return NULL;
    char *copy = cx__strndup(s, (size_t)sqlite3_column_bytes(st, i));
    if (!copy) rd->oom = 1;
    return copy;
}

static int64_t col_number(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? CX_NO_NUMBER : sqlite3_column_int64(st, i);
}

/* Grows *v (elements of size elem) so that it holds n + 1. */
static int grow(reader *rd, void **v, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap) return 0;
    size_t want = *cap ? *cap * 2 : 8;
    void *p = realloc(*v, want * elem);
    if (!p) {
        rd->oom = 1;
        return -1;
    }
    *v = p;
    *cap = want;
    return 0;
}

/* Reads column 0 of every row of st (bound to id) into a malloc'd array of
 * malloc'd strings; the caller frees both (free_strings). */
static int read_strings(reader *rd, sqlite3_stmt *st, const char *id, char ***out, size_t *n,
                        cx_error *err)
{
    size_t cap = 0;
    int step = SQLITE_DONE;
    bind_text(st, 1, id);
    while (!rd->oom && (step = sqlite3_step(st)) == SQLITE_ROW)
        if (!grow(rd, (void **)out, *n, &cap, sizeof **out)) (*out)[(*n)++] = col_dup(rd, st, 0);
    sqlite3_reset(st);
    if (rd->oom) return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory reading the registry");
    if (step != SQLITE_DONE) return db_error(rd->r, err, "cannot read the registry");
    return CX_OK;
}

/* Reads columns 0 and 1 of every row of st (bound to id) as pairs; the
 * caller frees them (free_pairs). */
static int read_pairs(reader *rd, sqlite3_stmt *st, const char *id, cx_pair **out, size_t *n,
                      cx_error *err)
{
    size_t cap = 0;
    int step = SQLITE_DONE;
    bind_text(st, 1, id);
    while (!rd->oom && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (grow(rd, (void **)out, *n, &cap, sizeof **out)) break;
        (*out)[*n].key = col_dup(rd, st, 0);
        (*out)[*n].value = col_dup(rd, st, 1);
        (*n)++;
    }
    sqlite3_reset(st);
    if (rd->oom) return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory reading the registry");
    if (step != SQLITE_DONE) return db_error(rd->r, err, "cannot read the registry");
    return CX_OK;
}

/* Prepares sql and reads its string column for id (see read_strings). */
static int query_strings(reader *rd, const char *sql, const char *id, char ***out, size_t *n,
                         cx_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(rd->r, sql, &st, err);
    if (!rc) rc = read_strings(rd, st, id, out, n, err);
    sqlite3_finalize(st);
    return rc;
}

/* Prepares sql and reads its pairs for id (see read_pairs). */
static int query_pairs(reader *rd, const char *sql, const char *id, cx_pair **out, size_t *n,
                       cx_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(rd->r, sql, &st, err);
    if (!rc) rc = read_pairs(rd, st, id, out, n, err);
    sqlite3_finalize(st);
    return rc;
}

/* Prepares sql, binds id and steps to its single row. Returns CX_OK with
 * *st on the row (caller finalizes), 1 when there is no row, or an error. */
static int query_row(cx_registry *r, const char *sql, const char *id, sqlite3_stmt **st,
                     cx_error *err)
{
    int rc = prepare(r, sql, st, err);
    if (rc) return rc;
    bind_text(*st, 1, id);
    int step = sqlite3_step(*st);
    if (step == SQLITE_ROW) return CX_OK;
    rc = step == SQLITE_DONE ? 1 : db_error(r, err, "cannot read the registry");
    sqlite3_finalize(*st);
    *st = NULL;
    return rc;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

static void free_pairs(cx_pair *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].key);
        free(v[i].value);
    }
    free(v);
}

void cx_credential_free(cx_credential *c)
{
    if (!c) return;
    free(c->id);
    free(c->name);
    free(c->type);
    free(c->provider);
    free(c->jurisdiction);
    free(c->valid_for);
    free(c->version);
    free(c->effective_from);
    free(c->effective_until);
    free_strings(c->competencies, c->ncompetencies);
    free_strings(c->tags, c->ntags);
    free_pairs(c->codes, c->ncodes);
    free_pairs(c->attributes, c->nattributes);
    free_strings(c->grade_scale, c->ngrade_scale);
    free(c);
}

static void award_clear(cx_award *a)
{
    free(a->id);
    free(a->credential);
    free(a->issued);
    free(a->expires);
    free(a->jurisdiction);
    free(a->status);
    free(a->grade);
    free(a->evidence);
    free_pairs(a->results, a->nresults);
}

void cx_holder_free(cx_holder *h)
{
    if (!h) return;
    free(h->id);
    free(h->jurisdiction);
    free_pairs(h->attributes, h->nattributes);
    for (size_t i = 0; i < h->nawards; i++) award_clear(&h->awards[i]);
    free(h->awards);
    free(h);
}

void cx_group_free(cx_group *g)
{
    if (!g) return;
    free(g->id);
    free(g->name);
    for (size_t i = 0; i < g->nmembers; i++) {
        free(g->members[i].jurisdiction);
        free(g->members[i].from);
        free(g->members[i].until);
        free(g->members[i].status);
    }
    free(g->members);
    free(g);
}

/* Reads the lists of credential c (its id already set). */
static int read_credential_lists(reader *rd, cx_credential *c, cx_error *err)
{
    int rc = query_strings(rd,
                           "SELECT competency_id FROM credential_competency"
                           " WHERE credential_id = ?1 ORDER BY competency_id",
                           c->id, &c->competencies, &c->ncompetencies, err);
    if (!rc)
        rc = query_strings(rd,
                           "SELECT tag FROM credential_tag WHERE credential_id = ?1 ORDER BY tag",
                           c->id, &c->tags, &c->ntags, err);
    if (!rc)
        rc = query_pairs(rd,
                         "SELECT scheme, code FROM credential_code WHERE credential_id = ?1"
                         " ORDER BY scheme, code",
                         c->id, &c->codes, &c->ncodes, err);
    if (!rc)
        rc = query_pairs(rd,
                         "SELECT key, value FROM credential_attr WHERE credential_id = ?1"
                         " ORDER BY key",
                         c->id, &c->attributes, &c->nattributes, err);
    if (!rc)
        rc = query_strings(rd,
                           "SELECT grade FROM credential_grade WHERE credential_id = ?1"
                           " ORDER BY rank",
                           c->id, &c->grade_scale, &c->ngrade_scale, err);
    return rc;
}

int cx_registry_credential(cx_registry *r, const char *id, cx_credential **out, cx_error *err)
{
    reader rd = {r, 0};
    sqlite3_stmt *st = NULL;
    cx_credential *c = NULL;
    *out = NULL;
    int rc = query_row(r,
                       "SELECT id, name, type, provider_id, jurisdiction_id, hours, valid_for,"
                       " version, effective_from, effective_until FROM credential WHERE id = ?1",
                       id, &st, err);
    if (rc == 1) return not_found(r, CX_KIND_CREDENTIAL, id, err);
    if (rc) return rc;
    if (!(c = calloc(1, sizeof *c))) {
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory reading the registry");
        goto done;
    }
    c->id = col_dup(&rd, st, 0);
    c->name = col_dup(&rd, st, 1);
    c->type = col_dup(&rd, st, 2);
    c->provider = col_dup(&rd, st, 3);
    c->jurisdiction = col_dup(&rd, st, 4);
    c->hours = col_number(st, 5);
    c->valid_for = col_dup(&rd, st, 6);
    c->version = col_dup(&rd, st, 7);
    c->effective_from = col_dup(&rd, st, 8);
    c->effective_until = col_dup(&rd, st, 9);
    if (rd.oom)
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory reading the registry");
    else
        rc = read_credential_lists(&rd, c, err);
done:
    sqlite3_finalize(st);
    if (rc)
        cx_credential_free(c);
    else
        *out = c;
    return rc;
}

/* Reads holder h's awards (by issue date, then id), each with its results. */
static int read_awards(reader *rd, cx_holder *h, cx_error *err)
{
    sqlite3_stmt *st = NULL, *results = NULL;
    size_t cap = 0;
    int step = SQLITE_DONE;
    int rc = prepare(rd->r,
                     "SELECT a.id, a.credential_id, a.issued, a.expires,"
                     " coalesce(a.jurisdiction_id, c.jurisdiction_id), coalesce(a.hours, c.hours),"
                     " a.status, a.grade, a.evidence"
                     " FROM award a JOIN credential c ON c.id = a.credential_id"
                     " WHERE a.holder_id = ?1 ORDER BY a.issued, a.id",
                     &st, err);
    if (!rc)
        rc = prepare(rd->r, "SELECT key, value FROM award_result WHERE award_id = ?1 ORDER BY key",
                     &results, err);
    if (rc) goto done;
    bind_text(st, 1, h->id);
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (grow(rd, (void **)&h->awards, h->nawards, &cap, sizeof *h->awards)) break;
        cx_award *a = &h->awards[h->nawards++];
        memset(a, 0, sizeof *a);
        a->id = col_dup(rd, st, 0);
        a->credential = col_dup(rd, st, 1);
        a->issued = col_dup(rd, st, 2);
        a->expires = col_dup(rd, st, 3);
        a->jurisdiction = col_dup(rd, st, 4);
        a->hours = col_number(st, 5);
        a->status = col_dup(rd, st, 6);
        a->grade = col_dup(rd, st, 7);
        a->evidence = col_dup(rd, st, 8);
        if (rd->oom) break;
        rc = read_pairs(rd, results, a->id, &a->results, &a->nresults, err);
    }
    if (!rc && rd->oom)
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory reading the registry");
    else if (!rc && step != SQLITE_DONE)
        rc = db_error(rd->r, err, "cannot read the registry");
done:
    sqlite3_finalize(st);
    sqlite3_finalize(results);
    return rc;
}

int cx_registry_holder(cx_registry *r, const char *id, cx_holder **out, cx_error *err)
{
    reader rd = {r, 0};
    sqlite3_stmt *st = NULL;
    cx_holder *h = NULL;
    *out = NULL;
    int rc = query_row(r, "SELECT id, jurisdiction_id FROM holder WHERE id = ?1", id, &st, err);
    if (rc == 1) return not_found(r, CX_KIND_HOLDER, id, err);
    if (rc) return rc;
    if (!(h = calloc(1, sizeof *h))) {
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory reading the registry");
        goto done;
    }
    h->id = col_dup(&rd, st, 0);
    h->jurisdiction = col_dup(&rd, st, 1);
    if (rd.oom) {
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory reading the registry");
        goto done;
    }
    rc = query_pairs(&rd, "SELECT key, value FROM holder_attr WHERE holder_id = ?1 ORDER BY key",
                     h->id, &h->attributes, &h->nattributes, err);
    if (!rc) rc = read_awards(&rd, h, err);
done:
    sqlite3_finalize(st);
    if (rc)
        cx_holder_free(h);
    else
        *out = h;
    return rc;
}

/* Reads group g's memberships, by jurisdiction then from. */
static int read_members(reader *rd, cx_group *g, cx_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int step = SQLITE_DONE;
    int rc = prepare(rd->r,
                     "SELECT jurisdiction_id, from_date, until_date, status FROM jgroup_member"
                     " WHERE group_id = ?1 ORDER BY jurisdiction_id, from_date, until_date,"
                     " status",
                     &st, err);
    if (rc) return rc;
    bind_text(st, 1, g->id);
    while (!rd->oom && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (grow(rd, (void **)&g->members, g->nmembers, &cap, sizeof *g->members)) break;
        cx_membership *m = &g->members[g->nmembers++];
        m->jurisdiction = col_dup(rd, st, 0);
        m->from = col_dup(rd, st, 1);
        m->until = col_dup(rd, st, 2);
        m->status = col_dup(rd, st, 3);
    }
    if (rd->oom)
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory reading the registry");
    else if (step != SQLITE_DONE)
        rc = db_error(rd->r, err, "cannot read the registry");
    sqlite3_finalize(st);
    return rc;
}

int cx_registry_group(cx_registry *r, const char *id, cx_group **out, cx_error *err)
{
    reader rd = {r, 0};
    sqlite3_stmt *st = NULL;
    cx_group *g = NULL;
    *out = NULL;
    int rc = query_row(r, "SELECT id, name FROM jgroup WHERE id = ?1", id, &st, err);
    if (rc == 1) return not_found(r, CX_KIND_GROUP, id, err);
    if (rc) return rc;
    if (!(g = calloc(1, sizeof *g))) {
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory reading the registry");
        goto done;
    }
    g->id = col_dup(&rd, st, 0);
    g->name = col_dup(&rd, st, 1);
    if (rd.oom)
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory reading the registry");
    else
        rc = read_members(&rd, g, err);
done:
    sqlite3_finalize(st);
    if (rc)
        cx_group_free(g);
    else
        *out = g;
    return rc;
}

/* -------------------------------------------------------------- bulk reads */

/* The bulk reads of cx_scan (registry.h lists their columns): constant
 * SQL, each ordered so that it is a plain walk of a table or index (no
 * sort step) where the schema allows. int_cols marks INTEGER columns. */
static const struct scan_sql {
    const char *sql;
    unsigned int_cols; /* bit i: column i is INTEGER */
} scan_sql[CX_SCAN_COUNT] = {
    [CX_SCAN_JURISDICTIONS] = {"SELECT id, name, kind FROM jurisdiction ORDER BY id", 0},
    [CX_SCAN_GROUPS] = {"SELECT id, name FROM jgroup ORDER BY id", 0},
    [CX_SCAN_MEMBERS] = {"SELECT group_id, jurisdiction_id, from_date, until_date, status"
                         " FROM jgroup_member ORDER BY group_id, jurisdiction_id, from_date,"
                         " until_date, status",
                         0},
    [CX_SCAN_PROVIDERS] = {"SELECT id, name, jurisdiction_id FROM provider ORDER BY id", 0},
    [CX_SCAN_FRAMEWORKS] = {"SELECT id, name FROM framework ORDER BY id", 0},
    [CX_SCAN_COMPETENCIES] = {"SELECT id, framework_id, text, parent_id FROM competency"
                              " ORDER BY id",
                              0},
    [CX_SCAN_CREDENTIALS] = {"SELECT id, name, type, provider_id, jurisdiction_id, hours,"
                             " valid_for, version, effective_from, effective_until"
                             " FROM credential ORDER BY id",
                             1u << 5},
    [CX_SCAN_CRED_COMPETENCIES] = {"SELECT credential_id, competency_id FROM credential_competency"
                                   " ORDER BY credential_id, competency_id",
                                   0},
    [CX_SCAN_TAGS] = {"SELECT DISTINCT tag FROM credential_tag ORDER BY tag", 0},
    [CX_SCAN_CRED_TAGS] = {"SELECT credential_id, tag FROM credential_tag"
                           " ORDER BY credential_id, tag",
                           0},
    [CX_SCAN_CRED_CODES] = {"SELECT credential_id, scheme, code FROM credential_code"
                            " ORDER BY credential_id, scheme, code",
                            0},
    [CX_SCAN_CRED_ATTRS] = {"SELECT credential_id, key, value FROM credential_attr"
                            " ORDER BY credential_id, key",
                            0},
    [CX_SCAN_CRED_GRADES] = {"SELECT credential_id, rank, grade FROM credential_grade"
                             " ORDER BY credential_id, rank",
                             1u << 1},
    [CX_SCAN_HOLDERS] = {"SELECT id, jurisdiction_id FROM holder ORDER BY id", 0},
    [CX_SCAN_HOLDER_ATTRS] = {"SELECT holder_id, key, value FROM holder_attr"
                              " ORDER BY holder_id, key",
                              0},
    [CX_SCAN_AWARDS] = {"SELECT id, holder_id, credential_id, issued, expires, jurisdiction_id,"
                        " hours, status, grade FROM award ORDER BY id",
                        1u << 6},
    [CX_SCAN_AWARD_RESULTS] = {"SELECT award_id, key, value FROM award_result"
                               " ORDER BY award_id, key",
                               0},
    [CX_SCAN_EXCEPTIONS] = {"SELECT holder_id, stack, waive, substitute_for, substitute_use,"
                            " \"by\", reason, file, line FROM exception"
                            " ORDER BY holder_id, stack, waive, substitute_for",
                            1u << 8},
};

#define SCAN_MAX_COLS 10

/* Fills cols from the current row of st. One API call a column
 * (sqlite3_column_value; the sqlite3_value_* calls take no lock). */
static void scan_columns(sqlite3_stmt *st, unsigned int_cols, cx_col *cols, int n)
{
    for (int i = 0; i < n; i++) {
        cx_col *c = &cols[i];
        sqlite3_value *v = sqlite3_column_value(st, i);
        c->integer = 0;
        if ((int_cols >> i & 1u) && sqlite3_value_type(v) == SQLITE_INTEGER)
            c->integer = sqlite3_value_int64(v);
        c->text = (const char *)sqlite3_value_text(v);
        c->len = c->text ? (size_t)sqlite3_value_bytes(v) : 0;
    }
}

/* Steps st (parameters bound) to the end, handing each row to fn. Holds
 * the connection's (recursive) mutex for the whole loop, else a mutexed
 * connection locks and unlocks it for every column. Finalizes st. */
static int scan_rows(cx_registry *r, sqlite3_stmt *st, unsigned int_cols, cx_row_fn fn, void *ud,
                     cx_error *err)
{
    cx_col cols[SCAN_MAX_COLS];
    int n = sqlite3_column_count(st), step, rc = CX_OK;
    if (n > SCAN_MAX_COLS) n = SCAN_MAX_COLS;
    sqlite3_mutex *mutex = sqlite3_db_mutex(r->db); /* NULL for a NOMUTEX connection */
    sqlite3_mutex_enter(mutex);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        scan_columns(st, int_cols, cols, n);
        if ((rc = fn(ud, cols, (size_t)n)) != 0) break;
    }
    if (!rc && step != SQLITE_DONE) rc = db_error(r, err, "cannot read the registry");
    sqlite3_mutex_leave(mutex);
    sqlite3_finalize(st);
    return rc;
}

int cx__registry_scan(cx_registry *r, cx_scan what, cx_row_fn fn, void *ud, cx_error *err)
{
    sqlite3_stmt *st = NULL;
    if ((int)what < 0 || what >= CX_SCAN_COUNT)
        return cx__error(err, CX_EREGISTRY, NULL, 0, 0, "unknown registry scan %d", (int)what);
    int rc = prepare(r, scan_sql[what].sql, &st, err);
    if (rc) return rc;
    return scan_rows(r, st, scan_sql[what].int_cols, fn, ud, err);
}

/* CX_SCAN_AWARDS restricted to a range of ids, with and without an upper
 * bound: both walk the award b-tree from ?1 only. */
#define AWARD_COLUMNS                                                                              \
    "SELECT id, holder_id, credential_id, issued, expires, jurisdiction_id, hours, status, grade"  \
    " FROM award"
static const char *const award_range_sql[2] = {
    AWARD_COLUMNS " WHERE id >= ?1 ORDER BY id",
    AWARD_COLUMNS " WHERE id >= ?1 AND id < ?2 ORDER BY id",
};

int cx__registry_scan_range(cx_registry *r, cx_scan what, const char *from, const char *to,
                            cx_row_fn fn, void *ud, cx_error *err)
{
    sqlite3_stmt *st = NULL;
    if (what != CX_SCAN_AWARDS)
        return cx__error(err, CX_EREGISTRY, NULL, 0, 0, "no range scan for registry scan %d",
                         (int)what);
    int rc = prepare(r, award_range_sql[to != NULL], &st, err);
    if (rc) return rc;
    bind_text(st, 1, from ? from : "");
    if (to) bind_text(st, 2, to);
    return scan_rows(r, st, scan_sql[what].int_cols, fn, ud, err);
}

int cx__registry_read_begin(cx_registry *r, int *began, cx_error *err)
{
    *began = 0;
    if (!sqlite3_get_autocommit(r->db)) return CX_OK; /* already inside a transaction */
    int rc = exec_sql(r, "BEGIN", err);
    if (!rc) *began = 1;
    return rc;
}

void cx__registry_read_end(cx_registry *r, int began)
{
    if (began) sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
}

/* A second connection for bulk reads: read-only and opened with
 * SQLITE_OPEN_NOMUTEX, so SQLite takes no lock per call (a scan of a large
 * award table spends half its time in those locks otherwise). It belongs
 * to the one thread that opened it. */
int cx__registry_reader_open(cx_registry *r, cx_registry **out, cx_error *err)
{
    int rc = CX_OK;
    *out = r;
    if (r->memory || !sqlite3_get_autocommit(r->db)) return CX_OK; /* see registry.h */
    cx_registry *conn = calloc(1, sizeof *conn);
    if (!conn || !(conn->path = cx__strdup(r->path))) {
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory opening the registry");
        goto fail;
    }
    conn->readonly = 1;
    if (sqlite3_open_v2(r->path, &conn->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        rc = cx__error(err, CX_EREGISTRY, r->path, 0, 0, "cannot open registry %s: %s", r->path,
                       conn->db ? sqlite3_errmsg(conn->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(conn->db, 1);
    sqlite3_busy_timeout(conn->db, BUSY_TIMEOUT_MS);
    *out = conn;
    return CX_OK;
fail:
    cx_registry_close(conn);
    return rc;
}

void cx__registry_reader_close(cx_registry *r, cx_registry *conn)
{
    if (conn != r) cx_registry_close(conn);
}

/* ---------------------------------------------------------- decision log */

enum { L_PACK, L_PACKS_JSON, L_DECISION, L_COUNT };

/* The statements of one logging transaction; the kind, as-of date and
 * subject text of a row come from its decision JSON (SQLite's JSON1), and
 * packs_json is built by json_insert, so every string is escaped by SQLite. */
static const char *const log_sql[L_COUNT] = {
    [L_PACK] = "INSERT INTO rule_pack(sha256, id, version, source) VALUES (?1, ?2, ?3, ?4)"
               " ON CONFLICT(sha256) DO NOTHING",
    [L_PACKS_JSON] = "SELECT json_insert(?1, '$[#]', json_object('id', ?2, 'sha256', ?3,"
                     " 'path', ?4, 'version', ?5))",
    [L_DECISION] = "INSERT INTO decision_log(created, kind, subject, as_of, decision_json,"
                   " packs_json, content_version, credex_version)"
                   " SELECT ?1, json_extract(?2, '$.kind'),"
                   " coalesce((SELECT group_concat(key || '=' || value, ' ')"
                   "  FROM json_each(?2, '$.subject')), ''),"
                   " json_extract(?2, '$.as_of'), ?2, ?3, ?4, ?5"
                   " WHERE json_valid(?2)",
};

struct cx_log_writer {
    cx_registry *r;            /* not owned */
    sqlite3_stmt *st[L_COUNT]; /* owned */
    char *packs_json;          /* the packs so far, a JSON array; owned */
};

int cx__registry_log_open(cx_registry *r, cx_log_writer **out, cx_error *err)
{
    int rc = CX_OK;
    *out = NULL;
    if (r->readonly)
        return cx__error(err, CX_EREGISTRY, r->path, 0, 0,
                         "registry %s is open read-only; cannot log decisions", r->path);
    cx_log_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->packs_json = cx__strdup("[]"))) {
        free(w);
        return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory logging decisions");
    }
    w->r = r;
    for (int i = 0; i < L_COUNT && !rc; i++) rc = prepare(r, log_sql[i], &w->st[i], err);
    if (!rc) rc = exec_sql(r, "BEGIN IMMEDIATE", err);
    if (rc) {
        for (int i = 0; i < L_COUNT; i++) sqlite3_finalize(w->st[i]);
        free(w->packs_json);
        free(w);
        return rc;
    }
    *out = w;
    return CX_OK;
}

/* Steps a bound statement that returns no row, then resets it. */
static int log_step(cx_log_writer *w, sqlite3_stmt *st, const char *what, cx_error *err)
{
    int step = sqlite3_step(st);
    int rc = step == SQLITE_DONE ? CX_OK : db_error(w->r, err, what);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* Appends {id, sha256, path, version} to w->packs_json. */
static int log_pack_ref(cx_log_writer *w, const char *sha256, const char *id, const char *version,
                        const char *path, cx_error *err)
{
    sqlite3_stmt *st = w->st[L_PACKS_JSON];
    int rc = CX_OK;
    bind_text(st, 1, w->packs_json);
    bind_text(st, 2, id);
    bind_text(st, 3, sha256);
    bind_text(st, 4, path);
    bind_text(st, 5, version);
    if (sqlite3_step(st) != SQLITE_ROW || !sqlite3_column_text(st, 0)) {
        rc = db_error(w->r, err, "cannot record the packs of a decision");
    } else {
        char *json = cx__strdup((const char *)sqlite3_column_text(st, 0));
        if (!json) rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory logging decisions");
        if (json) {
            free(w->packs_json);
            w->packs_json = json;
        }
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int cx__registry_log_pack(cx_log_writer *w, const char *sha256, const char *id, const char *version,
                          const char *path, const char *source, size_t len, cx_error *err)
{
    sqlite3_stmt *st = w->st[L_PACK];
    if (len > INT_MAX) return cx__error(err, CX_EINPUT, path, 0, 0, "the pack is too large to log");
    bind_text(st, 1, sha256);
    bind_text(st, 2, id);
    bind_text(st, 3, version);
    sqlite3_bind_text(st, 4, source ? source : "", (int)len, SQLITE_STATIC);
    int rc = log_step(w, st, "cannot store a rule pack", err);
    return rc ? rc : log_pack_ref(w, sha256, id, version, path, err);
}

int cx__registry_log_decision(cx_log_writer *w, const char *created, const char *json,
                              int64_t content_version, const char *credex_version, int64_t *id,
                              cx_error *err)
{
    sqlite3_stmt *st = w->st[L_DECISION];
    bind_text(st, 1, created);
    bind_text(st, 2, json);
    bind_text(st, 3, w->packs_json);
    sqlite3_bind_int64(st, 4, content_version);
    bind_text(st, 5, credex_version);
    int rc = log_step(w, st, "cannot log a decision", err);
    if (!rc && sqlite3_changes(w->r->db) != 1)
        rc = cx__error(err, CX_EINPUT, NULL, 0, 0, "cannot log a decision: malformed JSON");
    if (!rc && id) *id = sqlite3_last_insert_rowid(w->r->db);
    return rc;
}

int cx__registry_log_close(cx_log_writer *w, int commit, cx_error *err)
{
    int rc = CX_OK;
    if (!w) return CX_OK;
    for (int i = 0; i < L_COUNT; i++) sqlite3_finalize(w->st[i]);
    if (commit && sqlite3_exec(w->r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = db_error(w->r, err, "cannot commit the logged decisions");
    if (!commit || rc) sqlite3_exec(w->r->db, "ROLLBACK", NULL, NULL, NULL);
    free(w->packs_json);
    free(w);
    return rc;
}

static const struct scan_sql log_read_sql[] = {
    [CX_LOG_LIST] = {"SELECT id, created, kind, subject, as_of,"
                     " json_extract(decision_json, '$.status'),"
                     " json_object('id', id, 'created', created, 'kind', kind,"
                     "  'subject', json_extract(decision_json, '$.subject'), 'as_of', as_of,"
                     "  'status', json_extract(decision_json, '$.status'))"
                     " FROM decision_log WHERE ?1 = ?1 ORDER BY id",
                     1u << 0},
    [CX_LOG_DECISION] = {"SELECT id, created, kind, subject, as_of,"
                         " json_extract(decision_json, '$.status'), decision_json,"
                         " content_version, credex_version FROM decision_log WHERE id = ?1",
                         1u << 0 | 1u << 7},
    [CX_LOG_SUBJECT] = {"SELECT s.key, s.value FROM decision_log AS d,"
                        " json_each(d.decision_json, '$.subject') AS s"
                        " WHERE d.id = ?1 ORDER BY s.id",
                        0},
    [CX_LOG_PACKS] = {"SELECT json_extract(p.value, '$.id'), json_extract(p.value, '$.sha256'),"
                      " json_extract(p.value, '$.path'), json_extract(p.value, '$.version'),"
                      " rule_pack.source FROM decision_log AS d, json_each(d.packs_json) AS p"
                      " LEFT JOIN rule_pack ON rule_pack.sha256 = json_extract(p.value, '$.sha256')"
                      " WHERE d.id = ?1 ORDER BY p.key",
                      0},
    [CX_LOG_BOUNDS] = {"SELECT count(*), coalesce(min(id), 0), coalesce(max(id), 0),"
                       " (SELECT count(*) FROM rule_pack) FROM decision_log WHERE ?1 = ?1",
                       1u << 0 | 1u << 1 | 1u << 2 | 1u << 3},
};

int cx__registry_log_read(cx_registry *r, cx_log_read what, int64_t id, cx_row_fn fn, void *ud,
                          cx_error *err)
{
    sqlite3_stmt *st = NULL;
    if ((int)what < 0 || (size_t)what >= CX_COUNT(log_read_sql))
        return cx__error(err, CX_EREGISTRY, NULL, 0, 0, "unknown log read %d", (int)what);
    int rc = prepare(r, log_read_sql[what].sql, &st, err);
    if (rc) return rc;
    sqlite3_bind_int64(st, 1, id);
    return scan_rows(r, st, log_read_sql[what].int_cols, fn, ud, err);
}

/* ------------------------------------------------ what-if: copies, removals */

/* What-if (docs/design.md §9, docs/whatif.md) works on in-memory copies of the
 * registry, never on the registry itself: the removals below refuse any
 * registry that is not in memory. */

/* A new in-memory registry holding everything r holds: sqlite3_backup of
 * the whole database, pages as they are (decision log included). *out is
 * owned by the caller: cx_registry_close. */
int cx__registry_copy_to_memory(cx_registry *r, cx_registry **out, cx_error *err)
{
    cx_registry *m = NULL;
    int rc = cx_registry_open(NULL, CX_OPEN_MEMORY, &m, err);
    if (rc) return rc;
    sqlite3_backup *b = sqlite3_backup_init(m->db, "main", r->db, "main");
    if (!b) {
        rc = db_error(m, err, "cannot copy the registry into memory");
    } else {
        int step = sqlite3_backup_step(b, -1);
        if (sqlite3_backup_finish(b) != SQLITE_OK || step != SQLITE_DONE)
            rc = db_error(m, err, "cannot copy the registry into memory");
    }
    if (rc) {
        cx_registry_close(m);
        return rc;
    }
    *out = m;
    return CX_OK;
}

/* One table copied row by row: a SELECT on the source (for holder data,
 * one holder's rows, the holder id bound to ?1) and the INSERT of the same
 * columns, in the same order, into the copy. */
typedef struct copy_sql {
    const char *select;
    const char *insert;
} copy_sql;

/* Everything but holder data, rule_pack and decision_log. */
static const copy_sql copy_facts[] = {
    {"SELECT key, value FROM meta", "INSERT INTO meta(key, value) VALUES (?1, ?2)"
                                    " ON CONFLICT(key) DO UPDATE SET value = excluded.value"},
    {"SELECT id, name, kind FROM jurisdiction",
     "INSERT INTO jurisdiction(id, name, kind) VALUES (?1, ?2, ?3)"},
    {"SELECT id, name FROM jgroup", "INSERT INTO jgroup(id, name) VALUES (?1, ?2)"},
    {"SELECT group_id, jurisdiction_id, from_date, until_date, status FROM jgroup_member",
     "INSERT INTO jgroup_member(group_id, jurisdiction_id, from_date, until_date, status)"
     " VALUES (?1, ?2, ?3, ?4, ?5)"},
    {"SELECT id, name, jurisdiction_id FROM provider",
     "INSERT INTO provider(id, name, jurisdiction_id) VALUES (?1, ?2, ?3)"},
    {"SELECT id, name FROM framework", "INSERT INTO framework(id, name) VALUES (?1, ?2)"},
    {"SELECT id, framework_id, text, parent_id FROM competency",
     "INSERT INTO competency(id, framework_id, text, parent_id) VALUES (?1, ?2, ?3, ?4)"},
    {"SELECT id, name, type, provider_id, jurisdiction_id, hours, valid_for, version,"
     " effective_from, effective_until FROM credential",
     CREDENTIAL_VALUES},
    {"SELECT credential_id, competency_id FROM credential_competency",
     "INSERT INTO credential_competency(credential_id, competency_id) VALUES (?1, ?2)"},
    {"SELECT credential_id, tag FROM credential_tag",
     "INSERT INTO credential_tag(credential_id, tag) VALUES (?1, ?2)"},
    {"SELECT credential_id, scheme, code FROM credential_code",
     "INSERT INTO credential_code(credential_id, scheme, code) VALUES (?1, ?2, ?3)"},
    {"SELECT credential_id, key, value FROM credential_attr",
     "INSERT INTO credential_attr(credential_id, key, value) VALUES (?1, ?2, ?3)"},
    {"SELECT credential_id, rank, grade FROM credential_grade",
     "INSERT INTO credential_grade(credential_id, rank, grade) VALUES (?1, ?2, ?3)"},
};

/* One holder's rows, each an index walk from the holder id. */
static const copy_sql copy_holder_rows[] = {
    {"SELECT id, jurisdiction_id FROM holder WHERE id = ?1", HOLDER_VALUES},
    {"SELECT holder_id, key, value FROM holder_attr WHERE holder_id = ?1",
     "INSERT INTO holder_attr(holder_id, key, value) VALUES (?1, ?2, ?3)"},
    {"SELECT id, holder_id, credential_id, issued, expires, jurisdiction_id, hours, status,"
     " grade, evidence FROM award WHERE holder_id = ?1",
     "INSERT INTO award(id, holder_id, credential_id, issued, expires, jurisdiction_id, hours,"
     " status, grade, evidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"},
    {"SELECT r.award_id, r.key, r.value FROM award a JOIN award_result r ON r.award_id = a.id"
     " WHERE a.holder_id = ?1",
     "INSERT INTO award_result(award_id, key, value) VALUES (?1, ?2, ?3)"},
    {"SELECT holder_id, stack, waive, substitute_for, substitute_use, \"by\", reason, file, line"
     " FROM exception WHERE holder_id = ?1",
     "INSERT INTO exception(holder_id, stack, waive, substitute_for, substitute_use, \"by\","
     " reason, file, line) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
};

#define NHOLDER_ROWS (sizeof copy_holder_rows / sizeof copy_holder_rows[0])

/* Whether a table of copy_holder_rows has any row at all: an empty one
 * costs a b-tree seek per holder for nothing. NULL: always copied. */
static const char *const copy_holder_probe[NHOLDER_ROWS] = {
    NULL, "SELECT 1 FROM holder_attr LIMIT 1", NULL, "SELECT 1 FROM award_result LIMIT 1",
    "SELECT 1 FROM exception LIMIT 1"};

/* Steps sel (parameters bound), inserting each row with ins into the copy
 * m; resets both. */
static int copy_rows(cx_registry *r, cx_registry *m, sqlite3_stmt *sel, sqlite3_stmt *ins,
                     cx_error *err)
{
    int step, rc = CX_OK, ncols = sqlite3_column_count(sel);
    while (rc == CX_OK && (step = sqlite3_step(sel)) == SQLITE_ROW) {
        for (int i = 0; i < ncols; i++)
            sqlite3_bind_value(ins, i + 1, sqlite3_column_value(sel, i));
        if (sqlite3_step(ins) != SQLITE_DONE) rc = db_error(m, err, "cannot write the copy");
        sqlite3_reset(ins);
    }
    if (rc == CX_OK && step != SQLITE_DONE) rc = db_error(r, err, "cannot read the registry");
    sqlite3_reset(sel);
    return rc;
}

/* Copies one table (rows of every holder, or of the one bound to ?1). */
static int copy_table(cx_registry *r, cx_registry *m, const copy_sql *t, const char *holder,
                      cx_error *err)
{
    sqlite3_stmt *sel = NULL, *ins = NULL;
    int rc = prepare(r, t->select, &sel, err);
    if (!rc) rc = prepare(m, t->insert, &ins, err);
    if (!rc && holder) bind_text(sel, 1, holder);
    if (!rc) rc = copy_rows(r, m, sel, ins, err);
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    return rc;
}

/* The listed holders' rows, each table's statements prepared once. */
static int copy_holders(cx_registry *r, cx_registry *m, const char *const *holders, size_t n,
                        cx_error *err)
{
    sqlite3_stmt *sel[NHOLDER_ROWS] = {0}, *ins[NHOLDER_ROWS] = {0};
    int rc = CX_OK, empty[NHOLDER_ROWS] = {0}, src = 0;
    int64_t one;
    for (size_t t = 0; t < NHOLDER_ROWS && !rc; t++) {
        empty[t] = copy_holder_probe[t] && query_int(r, copy_holder_probe[t], &one, &src) != 0 &&
                   src == SQLITE_NOTFOUND;
        rc = prepare(r, copy_holder_rows[t].select, &sel[t], err);
        if (!rc) rc = prepare(m, copy_holder_rows[t].insert, &ins[t], err);
    }
    for (size_t i = 0; i < n && !rc; i++)
        for (size_t t = 0; t < NHOLDER_ROWS && !rc; t++) {
            if (empty[t]) continue;
            bind_text(sel[t], 1, holders[i]);
            rc = copy_rows(r, m, sel[t], ins[t], err);
        }
    for (size_t t = 0; t < NHOLDER_ROWS; t++) {
        sqlite3_finalize(sel[t]);
        sqlite3_finalize(ins[t]);
    }
    return rc;
}

/* A new in-memory registry holding everything r holds except holder data
 * (and the rule_pack and decision_log tables), plus the holders listed
 * (ids not in r are skipped) with their attributes, awards, award results
 * and exceptions: the part of a large registry a what-if can affect. Read
 * in one read transaction of r, written in one transaction of the copy.
 * *out is owned by the caller: cx_registry_close. */
int cx__registry_copy_holders(cx_registry *r, const char *const *holders, size_t n,
                              cx_registry **out, cx_error *err)
{
    cx_registry *m = NULL, *src = r;
    int began = 0, rc = cx_registry_open(NULL, CX_OPEN_MEMORY, &m, err);
    if (!rc) rc = cx__registry_reader_open(r, &src, err); /* no per-call locking */
    /* every reference is complete once the copy is: check none row by row */
    if (!rc && !(rc = exec_sql(m, "PRAGMA foreign_keys = OFF", err)) &&
        !(rc = cx__registry_read_begin(src, &began, err)) && !(rc = exec_sql(m, "BEGIN", err))) {
        for (size_t t = 0; t < CX_COUNT(copy_facts) && !rc; t++)
            rc = copy_table(src, m, &copy_facts[t], NULL, err);
        if (!rc) rc = copy_holders(src, m, holders, n, err);
        if (!rc) rc = exec_sql(m, "COMMIT", err);
        if (rc) sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
    }
    if (src) cx__registry_read_end(src, began);
    if (src) cx__registry_reader_close(r, src);
    if (!rc) rc = exec_sql(m, "PRAGMA foreign_keys = ON", err);
    if (rc) {
        cx_registry_close(m);
        return rc;
    }
    *out = m;
    return CX_OK;
}

/* Every award's holder_id and credential_id (columns 0 and 1), in the
 * award table's own order: one walk of the table, for what-if to find the
 * holders of some credentials. */
int cx__registry_award_holders(cx_registry *r, int where, cx_row_fn fn, void *ud, cx_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(r,
                     where ? "SELECT a.holder_id, a.credential_id, "
                             "coalesce(a.jurisdiction_id, c.jurisdiction_id) "
                             "FROM award a JOIN credential c ON c.id = a.credential_id"
                           : "SELECT holder_id, credential_id FROM award",
                     &st, err);
    if (rc) return rc;
    return scan_rows(r, st, 0, fn, ud, err);
}

/* Runs a statement with text parameters a and b (b may be NULL: unbound);
 * *changes (may be NULL) gets the rows it changed. */
static int exec_bound(cx_registry *r, const char *sql, const char *a, const char *b,
                      int64_t *changes, cx_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(r, sql, &st, err);
    if (rc) return rc;
    bind_text(st, 1, a);
    if (b) bind_text(st, 2, b);
    if (sqlite3_step(st) != SQLITE_DONE) rc = db_error(r, err, "cannot change the copy");
    if (!rc && changes) *changes = sqlite3_changes64(r->db);
    sqlite3_finalize(st);
    return rc;
}

/* Runs the removal statements sql (NULL-terminated) in one transaction of
 * the in-memory registry r; counts[i] (may be NULL) gets statement i's
 * changed rows. */
static int remove_rows(cx_registry *r, const char *const *sql, const char *a, const char *b,
                       int64_t *counts, cx_error *err)
{
    if (!r->memory)
        return cx__error(err, CX_EREGISTRY, r->path, 0, 0,
                         "what-if removes only from an in-memory copy of the registry");
    int rc = exec_sql(r, "BEGIN", err);
    for (size_t i = 0; sql[i] && !rc; i++)
        rc = exec_bound(r, sql[i], a, b, counts ? &counts[i] : NULL, err);
    if (!rc) rc = exec_sql(r, "COMMIT", err);
    if (rc) sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* Removes credential id from the in-memory registry r, and with it what
 * would otherwise refer to nothing: its awards (and their results), the
 * exceptions that substitute it or substitute with it, and its
 * competencies, tags, codes, attributes and grade scale. *awards and
 * *exceptions get how many of those went. */
int cx__registry_remove_credential(cx_registry *r, const char *id, int64_t *awards,
                                   int64_t *exceptions, cx_error *err)
{
    static const char *const sql[] = {
        "DELETE FROM award_result"
        " WHERE award_id IN (SELECT id FROM award WHERE credential_id = ?1)",
        "DELETE FROM award WHERE credential_id = ?1",
        "DELETE FROM exception WHERE substitute_for = ?1 OR substitute_use = ?1",
        "DELETE FROM credential_competency WHERE credential_id = ?1",
        "DELETE FROM credential_tag WHERE credential_id = ?1",
        "DELETE FROM credential_code WHERE credential_id = ?1",
        "DELETE FROM credential_attr WHERE credential_id = ?1",
        "DELETE FROM credential_grade WHERE credential_id = ?1",
        "DELETE FROM credential WHERE id = ?1",
        NULL};
    int64_t counts[CX_COUNT(sql)] = {0};
    int rc = remove_rows(r, sql, id, NULL, counts, err);
    *awards = counts[1];
    *exceptions = counts[2];
    return rc;
}

/* Removes competency id from the in-memory registry r: the credentials
 * that listed it no longer do (*credentials gets how many), and its child
 * competencies take its parent. */
int cx__registry_remove_competency(cx_registry *r, const char *id, int64_t *credentials,
                                   cx_error *err)
{
    static const char *const sql[] = {
        "DELETE FROM credential_competency WHERE competency_id = ?1",
        "UPDATE competency SET parent_id = (SELECT parent_id FROM competency WHERE id = ?1)"
        " WHERE parent_id = ?1",
        "DELETE FROM competency WHERE id = ?1", NULL};
    int64_t counts[CX_COUNT(sql)] = {0};
    int rc = remove_rows(r, sql, id, NULL, counts, err);
    *credentials = counts[0];
    return rc;
}

/* Removes every membership of jurisdiction in group from the in-memory
 * registry r; *removed gets how many (a jurisdiction may have several,
 * dated). */
int cx__registry_remove_membership(cx_registry *r, const char *group, const char *jurisdiction,
                                   int64_t *removed, cx_error *err)
{
    static const char *const sql[] = {
        "DELETE FROM jgroup_member WHERE group_id = ?1 AND jurisdiction_id = ?2", NULL};
    return remove_rows(r, sql, group, jurisdiction, removed, err);
}
