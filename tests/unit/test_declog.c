/*
 * test_declog.c -- the decision log and replay through the C API: what a
 * logged decision lists as, packs kept once per sha256, a rolled-back
 * batch, replay when nothing changed, when the registry data, the engine
 * or the packs changed, when a stored source was altered, and the errors.
 */
#include <sqlite3.h> /* only to alter a stored pack source on purpose */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credex.h"
#include "declog.h"
#include "hash.h"
#include "test.h"

static const char catalog[] = "version: 1\n"
                              "jurisdictions:\n"
                              "  - { id: US-TX, name: Texas }\n"
                              "  - { id: US-CA, name: California }\n"
                              "groups:\n"
                              "  - id: G\n"
                              "    members: [ { jurisdiction: US-TX, from: 2024-01-01 } ]\n"
                              "credentials:\n"
                              "  - { id: TX-A, name: A, type: micro-credential, jurisdiction: "
                              "US-TX }\n";

/* US-TX leaves G's membership until 2026: the logged transfer flips. */
static const char change[] = "groups:\n"
                             "  - id: G\n"
                             "    members: [ { jurisdiction: US-TX, from: 2026-01-01 } ]\n";

static const char pack[] = "pack \"art\" { authority = \"test\", version = \"1\" }\n"
                           "recognize \"g-into-ca\" { into = \"US-CA\", from = member_of \"G\" }\n";

static const char pack_denying[] =
    "pack \"art\" { authority = \"test\", version = \"2\" }\n"
    "recognize \"g-into-ca\" { into = \"US-CA\", from = member_of \"G\" }\n"
    "deny \"no-a\" { into = \"US-CA\", credentials = \"TX-A\", reason = \"withdrawn\" }\n";

#define CREATED "2026-01-02T03:04:05Z"
#define AS_OF   "2025-06-01"

/* The path of name under $TEST_TMP (one of 4 static buffers). */
static const char *path_of(const char *name)
{
    static char path[4][512];
    static int which;
    const char *dir = getenv("TEST_TMP") ? getenv("TEST_TMP") : "/tmp";
    which = (which + 1) % 4;
    snprintf(path[which], sizeof path[which], "%s/test_declog_%s", dir, name);
    return path[which];
}

/* Writes text to name under $TEST_TMP; returns the path. */
static const char *write_file(const char *name, const char *text)
{
    const char *path = path_of(name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return path;
}

/* A fresh file registry with the catalog imported, and the pack loaded. */
static cx_registry *setup(const char *name, cx_rules **rules)
{
    cx_registry *r = NULL;
    cx_error err;
    const char *db = path_of(name);
    remove(db);
    const char *cat = write_file("catalog.yaml", catalog);
    const char *packs[] = {write_file("art.lua", pack)};
    cx_error_clear(&err);
    CHECK_INT(cx_registry_open(db, CX_OPEN_CREATE, &r, &err), CX_OK);
    if (!r) return NULL;
    CHECK_INT(cx_catalog_import(r, &cat, 1, NULL, NULL, NULL, &err), CX_OK);
    CHECK_INT(cx_rules_load(r, packs, 1, rules, NULL, &err), CX_OK);
    return r;
}

/* Logs one transfer decision made with rules; returns its log id. */
static int64_t log_transfer(cx_registry *r, cx_rules *rules, const char *engine)
{
    cx_decision *d = NULL;
    cx_log *log = NULL;
    cx_error err;
    int64_t id = 0;
    cx_error_clear(&err);
    CHECK_INT(cx_transfer(rules, "TX-A", "US-TX", "US-CA", AS_OF, &d, &err), CX_OK);
    CHECK_INT(cx__log_begin_engine(r, rules, CREATED, engine, &log, &err), CX_OK);
    if (d && log) CHECK_INT(cx_log_add(log, d, &id, &err), CX_OK);
    CHECK_INT(cx_log_end(log, 1, &err), CX_OK);
    cx_decision_free(d);
    return id;
}

typedef struct seen {
    int n;
    char line[2][512];
} seen;

static int keep(void *ud, const cx_log_entry *e)
{
    seen *s = ud;
    if (s->n < 2)
        snprintf(s->line[s->n], sizeof s->line[0], "%lld|%s|%s|%s|%s|%s|%s", (long long)e->id,
                 e->created, e->kind, e->subject, e->as_of, e->status, e->json);
    s->n++;
    return 0;
}

static void check_counts(cx_registry *r, int64_t decisions, int64_t packs)
{
    int64_t d = -1, p = -1;
    cx_error err;
    cx_error_clear(&err);
    CHECK_INT(cx_log_counts(r, &d, &p, &err), CX_OK);
    CHECK_INT(d, decisions);
    CHECK_INT(p, packs);
}

TEST(logged_decisions_list)
{
    cx_rules *rules = NULL;
    cx_registry *r = setup("list.db", &rules);
    seen s = {0};
    cx_error err;
    cx_error_clear(&err);
    CHECK_INT(log_transfer(r, rules, CREDEX_VERSION), 1);
    CHECK_INT(log_transfer(r, rules, CREDEX_VERSION), 2);
    CHECK_INT(cx_log_list(r, keep, &s, &err), CX_OK);
    CHECK_INT(s.n, 2);
    CHECK_STR(s.line[0],
              "1|" CREATED "|transfer|credential=TX-A from=US-TX to=US-CA|" AS_OF
              "|accepted|{\"id\":1,\"created\":\"" CREATED "\",\"kind\":\"transfer\","
              "\"subject\":{\"credential\":\"TX-A\",\"from\":\"US-TX\",\"to\":\"US-CA\"},"
              "\"as_of\":\"" AS_OF "\",\"status\":\"accepted\"}");
    check_counts(r, 2, 1); /* the pack's source is kept once */
    cx_rules_free(rules);
    cx_registry_close(r);
}

/* Keeps the subject members and the JSON of every entry listed. */
typedef struct members_seen {
    int n;
    char line[2][512];
} members_seen;

static int keep_members(void *ud, const cx_log_entry *e)
{
    members_seen *s = ud;
    if (s->n < 2)
        snprintf(s->line[s->n], sizeof s->line[0], "%s|%s|%s|%s|%s|%s|%s|%s",
                 e->holder ? e->holder : "-", e->stack ? e->stack : "-", e->award ? e->award : "-",
                 e->credential ? e->credential : "-", e->from ? e->from : "-", e->to ? e->to : "-",
                 e->in ? e->in : "-", e->json);
    s->n++;
    return 0;
}

/* cx_log_add_json stores what cx_log_add stores: the kind, subject, as-of
 * and status read out of the JSON by the JSON layer, the JSON itself
 * unchanged; and the listing hands each member of the subject. */
TEST(log_add_json_same_as_log_add)
{
    cx_rules *rules = NULL;
    cx_registry *r = setup("addjson.db", &rules);
    cx_decision *d = NULL;
    cx_log *log = NULL;
    members_seen s = {0};
    cx_error err;
    int64_t id1 = 0, id2 = 0;
    cx_error_clear(&err);
    CHECK_INT(cx_transfer(rules, "TX-A", "US-TX", "US-CA", AS_OF, &d, &err), CX_OK);
    char *json = d ? cx_decision_json(d) : NULL;
    CHECK(json != NULL);
    CHECK_INT(cx_log_begin(r, rules, CREATED, &log, &err), CX_OK);
    CHECK_INT(cx_log_add(log, d, &id1, &err), CX_OK);
    CHECK_INT(cx_log_add_json(log, json, &id2, &err), CX_OK); /* newline left on */
    CHECK(cx_log_add_json(log, "{\"kind\":\"audit\"}", NULL, &err) != CX_OK);
    CHECK_STR(err.message, "cannot log a decision: malformed JSON");
    CHECK_INT(cx_log_end(log, 1, &err), CX_OK);
    CHECK_INT(id1, 1);
    CHECK_INT(id2, 2);
    CHECK_INT(cx_log_list(r, keep_members, &s, &err), CX_OK);
    CHECK_INT(s.n, 2);
    CHECK_STR(s.line[0], "-|-|-|TX-A|US-TX|US-CA|-|{\"id\":1,\"created\":\"" CREATED
                         "\",\"kind\":\"transfer\",\"subject\":{\"credential\":\"TX-A\","
                         "\"from\":\"US-TX\",\"to\":\"US-CA\"},\"as_of\":\"" AS_OF
                         "\",\"status\":\"accepted\"}");
    CHECK_STR(s.line[1] + strlen("-|-|-|TX-A|US-TX|US-CA|-|{\"id\":2"),
              s.line[0] + strlen("-|-|-|TX-A|US-TX|US-CA|-|{\"id\":1"));
    cx_replay_result *rp = NULL;
    CHECK_INT(cx_replay(r, 2, NULL, &rp, &err), CX_OK);
    if (rp && json) {
        json[strlen(json) - 1] = '\0';
        CHECK_STR(rp->logged_json, json); /* stored as given, without the newline */
        CHECK_STR(rp->subject, "credential=TX-A from=US-TX to=US-CA");
    }
    cx_replay_free(rp);
    free(json);
    cx_decision_free(d);
    cx_rules_free(rules);
    cx_registry_close(r);
}

TEST(rolled_back_batch_logs_nothing)
{
    cx_rules *rules = NULL;
    cx_registry *r = setup("rollback.db", &rules);
    cx_decision *d = NULL;
    cx_log *log = NULL;
    cx_error err;
    cx_error_clear(&err);
    CHECK_INT(cx_transfer(rules, "TX-A", "US-TX", "US-CA", AS_OF, &d, &err), CX_OK);
    CHECK_INT(cx_log_begin(r, rules, CREATED, &log, &err), CX_OK);
    CHECK_INT(cx_log_add(log, d, NULL, &err), CX_OK);
    CHECK(cx_log_add_json(log, "{not json", NULL, &err) != CX_OK);
    CHECK_INT(cx_log_end(log, 0, &err), CX_OK);
    check_counts(r, 0, 0);
    cx_decision_free(d);
    cx_rules_free(rules);
    cx_registry_close(r);
}

TEST(replay_unchanged_holds)
{
    cx_rules *rules = NULL;
    cx_registry *r = setup("holds.db", &rules);
    cx_replay_result *rp = NULL;
    cx_error err;
    char sha[65];
    cx_error_clear(&err);
    int64_t id = log_transfer(r, rules, CREDEX_VERSION);
    remove(path_of("art.lua")); /* replay needs only the stored source */
    CHECK_INT(cx_replay(r, id, NULL, &rp, &err), CX_OK);
    if (!rp) return;
    CHECK_INT(rp->holds, 1);
    CHECK_INT(rp->changed, 0);
    CHECK_INT(rp->explains, 0);
    CHECK_STR(rp->logged_status, "accepted");
    CHECK_STR(rp->replayed_status, "accepted");
    CHECK_STR(rp->replayed_json, rp->logged_json);
    CHECK(rp->current_json == NULL);
    CHECK_INT(rp->logged_content_version, 1);
    CHECK_INT(rp->content_version, 1);
    CHECK_INT(rp->npacks, 1);
    cx__sha256_hex(pack, strlen(pack), sha);
    CHECK_STR(rp->packs[0].id, "art");
    CHECK_STR(rp->packs[0].version, "1");
    CHECK_STR(rp->packs[0].sha256, sha);
    CHECK(rp->packs[0].current_sha256 == NULL);
    cx_replay_free(rp);
    cx_rules_free(rules);
    cx_registry_close(r);
}

TEST(replay_after_registry_and_engine_change)
{
    cx_rules *rules = NULL;
    cx_registry *r = setup("registry.db", &rules);
    cx_replay_result *rp = NULL;
    cx_error err;
    cx_error_clear(&err);
    int64_t id = log_transfer(r, rules, "0.0.9");
    const char *path = write_file("change.yaml", change);
    CHECK_INT(cx_catalog_import(r, &path, 1, NULL, NULL, NULL, &err), CX_OK);
    CHECK_INT(cx_replay(r, id, NULL, &rp, &err), CX_OK);
    if (!rp) return;
    CHECK_INT(rp->holds, 0);
    CHECK_STR(rp->replayed_status, "not_recognized");
    CHECK_INT(rp->logged_content_version, 1);
    CHECK_INT(rp->content_version, 2);
    CHECK_STR(rp->logged_credex_version, "0.0.9");
    CHECK_INT(rp->changed, CX_CHANGED_REGISTRY | CX_CHANGED_ENGINE);
    CHECK_INT(rp->explains, CX_CHANGED_REGISTRY | CX_CHANGED_ENGINE);
    cx_replay_free(rp);
    /* the same replay, by an engine that did not change */
    CHECK_INT(cx__replay_engine(r, id, NULL, "0.0.9", &rp, &err), CX_OK);
    if (rp) CHECK_INT(rp->explains, CX_CHANGED_REGISTRY);
    cx_replay_free(rp);
    cx_rules_free(rules);
    cx_registry_close(r);
}

TEST(replay_with_changed_packs)
{
    cx_rules *rules = NULL, *current = NULL;
    cx_registry *r = setup("packs.db", &rules);
    cx_replay_result *rp = NULL;
    cx_error err;
    char sha[65];
    cx_error_clear(&err);
    int64_t id = log_transfer(r, rules, CREDEX_VERSION);
    const char *now[] = {write_file("art.lua", pack_denying)};
    CHECK_INT(cx_rules_load(r, now, 1, &current, NULL, &err), CX_OK);
    CHECK_INT(cx_replay(r, id, current, &rp, &err), CX_OK);
    if (!rp) return;
    CHECK_INT(rp->holds, 0);
    CHECK_STR(rp->replayed_status, "accepted"); /* the logged packs still decide so */
    CHECK_STR(rp->current_status, "denied");
    CHECK_INT(rp->changed, CX_CHANGED_PACKS);
    CHECK_INT(rp->explains, CX_CHANGED_PACKS);
    cx__sha256_hex(pack_denying, strlen(pack_denying), sha);
    CHECK_STR(rp->packs[0].current_sha256, sha);
    CHECK_INT(rp->nnew_packs, 0);
    cx_replay_free(rp);
    cx_rules_free(current);
    /* the same packs as logged, from another path: nothing changed */
    const char *same[] = {write_file("art-copy.lua", pack)};
    CHECK_INT(cx_rules_load(r, same, 1, &current, NULL, &err), CX_OK);
    CHECK_INT(cx_replay(r, id, current, &rp, &err), CX_OK);
    if (rp) CHECK_INT(rp->holds, 1);
    if (rp) CHECK_INT(rp->changed, 0);
    cx_replay_free(rp);
    cx_rules_free(current);
    cx_rules_free(rules);
    cx_registry_close(r);
}

TEST(replay_refuses_an_altered_source)
{
    cx_rules *rules = NULL;
    cx_registry *r = setup("altered.db", &rules);
    cx_replay_result *rp = NULL;
    sqlite3 *db = NULL;
    cx_error err;
    cx_error_clear(&err);
    int64_t id = log_transfer(r, rules, CREDEX_VERSION);
    CHECK_INT(sqlite3_open(path_of("altered.db"), &db), SQLITE_OK);
    CHECK_INT(
        sqlite3_exec(db, "UPDATE rule_pack SET source = source || '-- altered'", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    CHECK_INT(cx_replay(r, id, NULL, &rp, &err), CX_OK);
    if (rp) {
        CHECK_INT(rp->holds, 0);
        CHECK(rp->replayed_json == NULL);
        CHECK_CONTAINS(rp->replayed_error,
                       "the stored source of pack art no longer has its sha256");
    }
    cx_replay_free(rp);
    cx_rules_free(rules);
    cx_registry_close(r);
}

TEST(errors)
{
    cx_rules *rules = NULL;
    cx_registry *r = setup("errors.db", &rules), *ro = NULL;
    cx_replay_result *rp = NULL;
    cx_log *log = NULL;
    cx_error err;
    cx_error_clear(&err);
    CHECK_INT(cx_replay(r, 1, NULL, &rp, &err), CX_EUSAGE);
    CHECK_STR(err.message, "no decision 1: the decision log is empty (log decisions with --log)");
    log_transfer(r, rules, CREDEX_VERSION);
    CHECK_INT(cx_replay(r, 7, NULL, &rp, &err), CX_EUSAGE);
    CHECK_STR(err.message, "no decision 7 in the log (ids 1 to 1)");
    CHECK(rp == NULL);
    CHECK_INT(cx_registry_open(path_of("errors.db"), CX_OPEN_READONLY, &ro, &err), CX_OK);
    CHECK_INT(cx_log_begin(ro, rules, CREATED, &log, &err), CX_EREGISTRY);
    CHECK_CONTAINS(err.message, "is open read-only; cannot log decisions");
    CHECK(log == NULL);
    cx_registry_close(ro);
    check_counts(r, 1, 1);
    cx_rules_free(rules);
    cx_registry_close(r);
}

static const test_case cases[] = {
    {"logged_decisions_list", logged_decisions_list},
    {"log_add_json_same_as_log_add", log_add_json_same_as_log_add},
    {"rolled_back_batch_logs_nothing", rolled_back_batch_logs_nothing},
    {"replay_unchanged_holds", replay_unchanged_holds},
    {"replay_after_registry_and_engine_change", replay_after_registry_and_engine_change},
    {"replay_with_changed_packs", replay_with_changed_packs},
    {"replay_refuses_an_altered_source", replay_refuses_an_altered_source},
    {"errors", errors},
    {NULL, NULL}};

TEST_MAIN(cases)
