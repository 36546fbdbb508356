/*
 * test_service.c -- cx_service_handle without a socket, on the EV example:
 * decision bodies byte-equal to cx_decision_json, entity and list bodies,
 * every error status with its code and pointer, tokens (401, 403 for a
 * scope and a jurisdiction, 429 counted per second), reload (the content
 * version moves; packs that fail keep the old ones), a decision that is an
 * error answered 200, several threads answering at once with the bytes
 * one thread gives, the embedded pages, what-if and diff equal to
 * cx_whatif and cx_diff, and the decision log (a busy one counted).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credex.h"
#include "test.h"

#define EV    TEST_SRC "/examples/ev-mechanic"
#define AS_OF "2026-06-01"

/* A path under $TEST_TMP; four live at a time. */
static const char *tmp(const char *name)
{
    static char paths[4][512];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, sizeof paths[0], "%s/service-%s", getenv("TEST_TMP") ? getenv("TEST_TMP") : "/tmp",
             name);
    return p;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

/* A registry file holding the EV catalog, at db (replaced). */
static int make_registry(const char *db)
{
    cx_registry *r = NULL;
    cx_error err;
    const char *paths[] = {EV "/catalog.yaml"};
    remove(db);
    cx_error_clear(&err);
    int rc = cx_registry_open(db, CX_OPEN_CREATE, &r, &err);
    if (!rc) rc = cx_catalog_import(r, paths, 1, NULL, NULL, NULL, &err);
    if (rc) fprintf(stderr, "  cannot build %s: %s\n", db, err.message);
    cx_registry_close(r);
    return rc;
}

static cx_service *open_service(const char *db, const char *rules, const char *tokens)
{
    cx_service *s = NULL;
    cx_error err;
    cx_service_options o = {.db = db, .rules = &rules, .nrules = 1, .tokens = tokens};
    cx_error_clear(&err);
    if (cx_service_open(&o, &s, NULL, &err) != CX_OK)
        fprintf(stderr, "  cannot open the service: %s\n", err.message);
    return s;
}

/* One request; the body is NUL-terminated in the answer (static buffer). */
typedef struct answer {
    int status;
    char body[65536];
    char token[128];
    long long version;
} answer;

static void ask(cx_service *s, const char *method, const char *path, const char *query,
                const char *auth, const char *body, uint64_t second, answer *a)
{
    cx_request req = {.method = method,
                      .path = path,
                      .query = query,
                      .authorization = auth,
                      .content_type = body ? "application/json" : NULL,
                      .body = body,
                      .body_len = body ? strlen(body) : 0,
                      .today = AS_OF,
                      .second = second};
    cx_response res;
    memset(a, 0, sizeof *a);
    if (cx_service_handle(s, &req, &res) != CX_OK) return;
    a->status = res.status;
    snprintf(a->body, sizeof a->body, "%.*s", (int)res.body_len, res.body);
    snprintf(a->token, sizeof a->token, "%s", res.token);
    a->version = (long long)res.content_version;
    cx_response_clear(&res);
}

/* What cx_equiv gives, rendered, for the same question. */
static char *direct_equiv(const char *db, const char *from, const char *to, const char *in)
{
    cx_registry *r = NULL;
    cx_rules *rules = NULL;
    cx_decision *d = NULL;
    cx_error err;
    const char *paths[] = {EV "/rules"};
    char *json = NULL;
    cx_error_clear(&err);
    if (!cx_registry_open(db, CX_OPEN_READONLY, &r, &err) &&
        !cx_rules_load(r, paths, 1, &rules, NULL, &err) &&
        !cx_equiv(rules, from, to, in, AS_OF, &d, &err))
        json = cx_decision_json(d);
    cx_decision_free(d);
    cx_rules_free(rules);
    cx_registry_close(r);
    return json;
}

TEST(decision_bodies_are_the_cli_json)
{
    const char *db = tmp("ev.db");
    if (make_registry(db)) {
        test_failed_ = 1;
        return;
    }
    cx_service *s = open_service(db, EV "/rules", NULL);
    static answer a;
    CHECK(s != NULL);
    if (!s) return;
    ask(s, "POST", "/v1/equiv", NULL, NULL,
        "{\"from\":\"TX-EVS-101\",\"to\":\"CA-EVS-101\",\"in\":\"US-CA\"}", 0, &a);
    CHECK_INT(a.status, 200);
    char *direct = direct_equiv(db, "TX-EVS-101", "CA-EVS-101", "US-CA");
    CHECK_STR(a.body, direct);
    CHECK_CONTAINS(a.body, "\"status\":\"equivalent\"");
    CHECK_INT(a.version, 1);
    free(direct);
    ask(s, "POST", "/v1/audit", NULL, NULL, "{\"holder\":\"h-tx-0001\",\"stack\":\"CA-EV-TECH\"}",
        0, &a);
    CHECK_INT(a.status, 200);
    CHECK(strncmp(a.body, "{\"decisions\":[{\"kind\":\"audit\"", 29) == 0);
    ask(s, "POST", "/v1/transfer", NULL, NULL, "{\"holder\":\"h-tx-0001\",\"to\":\"US-CA\"}", 0,
        &a);
    CHECK_INT(a.status, 200);
    CHECK_CONTAINS(a.body, "\"award\":\"h-tx-0001/TX-EVS-101/2025-03-14\"");
    /* a batch: answers in request order, an unknown id answered in its place */
    ask(s, "POST", "/v1/decisions", NULL, NULL,
        "{\"requests\":[{\"kind\":\"transfer\",\"credential\":\"TX-EVS-101\",\"from\":\"US-TX\","
        "\"to\":\"US-CA\"},{\"kind\":\"equiv\",\"from\":\"NOPE\",\"to\":\"CA-EVS-101\"},"
        "{\"kind\":\"equiv\",\"from\":\"TX-EVS-101\",\"to\":\"CA-EVS-101\",\"in\":\"US-CA\"}]}",
        0, &a);
    CHECK_INT(a.status, 200);
    CHECK(strncmp(a.body, "{\"decisions\":[{\"kind\":\"transfer\"", 31) == 0);
    CHECK_CONTAINS(a.body, "},{\"error\":{\"code\":\"not_found\"");
    CHECK_CONTAINS(a.body, "\"pointer\":\"/requests/1/from\"}},{\"kind\":\"equiv\"");
    cx_service_free(s);
}

TEST(reads_and_lists)
{
    const char *db = tmp("ev.db");
    cx_service *s = open_service(db, EV "/rules", NULL);
    static answer a;
    CHECK(s != NULL);
    if (!s) return;
    ask(s, "GET", "/v1/credentials/CA-EVS-101", NULL, NULL, NULL, 0, &a);
    CHECK_INT(a.status, 200);
    CHECK(strncmp(a.body, "{\"kind\":\"credential\",\"id\":\"CA-EVS-101\"", 38) == 0);
    ask(s, "GET", "/v1/credentials", "limit=2", NULL, NULL, 0, &a);
    CHECK_STR(a.body, "{\"items\":[{\"id\":\"ASE-A1\",\"name\":\"Engine Repair\",\"type\":"
                      "\"certification\",\"provider\":\"ase\",\"jurisdiction\":\"US\"},{\"id\":"
                      "\"ASE-L3\",\"name\":\"Light Duty Hybrid/Electric Vehicle Specialist\","
                      "\"type\":\"certification\",\"provider\":\"ase\",\"jurisdiction\":\"US\"}],"
                      "\"next\":\"ASE-L3\"}\n");
    ask(s, "GET", "/v1/credentials", "limit=1&after=ASE-L3&jurisdiction=US-CA", NULL, NULL, 0, &a);
    CHECK_CONTAINS(a.body, "{\"items\":[{\"id\":\"CA-");
    ask(s, "GET", "/v1/holders", "q=zzz-none", NULL, NULL, 0, &a);
    CHECK_STR(a.body, "{\"items\":[],\"next\":null}\n");
    ask(s, "GET", "/v1/groups", "type=x", NULL, NULL, 0, &a);
    CHECK_INT(a.status, 400);
    CHECK_CONTAINS(a.body, "\"code\":\"unknown_parameter\"");
    CHECK_CONTAINS(a.body, "\"pointer\":\"?type\"");
    ask(s, "GET", "/v1/credentials", "limit=99999999999999999999999", NULL, NULL, 0, &a);
    CHECK_INT(a.status, 400);
    ask(s, "GET", "/v1/credentials", "jurisdiction=US-ZZ", NULL, NULL, 0, &a);
    CHECK_INT(a.status, 404);
    CHECK_CONTAINS(a.body, "no jurisdiction 'US-ZZ' in the registry; did you mean 'US-AZ'?\","
                           "\"pointer\":\"?jurisdiction\"");
    ask(s, "GET", "/v1/version", NULL, NULL, NULL, 0, &a);
    CHECK_CONTAINS(a.body, "{\"engine\":\"" CREDEX_VERSION "\",\"schema_version\":");
    CHECK_CONTAINS(a.body, "\"id\":\"evc-compact\"");
    cx_service_free(s);
}

TEST(errors_have_one_shape)
{
    const char *db = tmp("ev.db");
    cx_service *s = open_service(db, EV "/rules", NULL);
    static answer a;
    CHECK(s != NULL);
    if (!s) return;
    const struct {
        const char *method, *path, *body;
        int status;
        const char *expect;
    } cases[] = {
        {"POST", "/v1/equiv", "{\"from\":", 400, "\"code\":\"bad_json\""},
        {"POST", "/v1/equiv", "{\"from\":\"A\",\"from\":\"B\",\"to\":\"C\"}", 400, "bad_json"},
        {"POST", "/v1/equiv", "{\"from\":\"TX-EVS-101\",\"to\":\"CA-EVS-101\",\"bogus\":1}", 400,
         "\"code\":\"unknown_field\",\"message\":\"unknown field 'bogus'\",\"pointer\":\"/bogus\""},
        {"POST", "/v1/equiv", "{\"from\":7,\"to\":\"CA-EVS-101\"}", 400,
         "\"code\":\"wrong_type\",\"message\":\"expected 'from' to be a string\",\"pointer\":"
         "\"/from\""},
        {"POST", "/v1/equiv", "{\"from\":\"TX-EVS-101\",\"to\":\"CA-EVS-101\",\"as_of\":1e999999}",
         400, "real number overflow"},
        {"POST", "/v1/equiv", "{\"from\":\"TX-EVS-101\",\"to\":\"CA-EVS-101\",\"as_of\":1}", 400,
         "\"pointer\":\"/as_of\""},
        {"POST", "/v1/equiv",
         "{\"from\":\"TX-EVS-101\",\"to\":\"CA-EVS-101\",\"as_of\":\"2026-02-30\"}", 400,
         "\"pointer\":\"/as_of\""},
        {"POST", "/v1/equiv", "{\"from\":\"TX-EVS-10\",\"to\":\"CA-EVS-101\"}", 404,
         "\"message\":\"no credential 'TX-EVS-10' in the registry; did you mean 'TX-EVS-101'?\","
         "\"pointer\":\"/from\""},
        {"POST", "/v1/equiv", "{\"from\":\"\xff\xfe\",\"to\":\"CA-EVS-101\"}", 400, "bad_json"},
        {"POST", "/v1/equiv", "[]", 400, "\"code\":\"wrong_type\""},
        {"POST", "/v1/audit", "{\"holder\":\"h-tx-0001\",\"stack\":\"CA-EV-TEC\"}", 404,
         "\"pointer\":\"/stack\""},
        {"POST", "/v1/transfer", "{\"holder\":\"h-tx-0001\"}", 400, "missing field 'to'"},
        {"GET", "/v1/equiv", NULL, 405, "\"code\":\"method_not_allowed\""},
        {"DELETE", "/v1/credentials/CA-EVS-101", NULL, 405, "GET only"},
        {"GET", "/v1/holders/../../etc/passwd", NULL, 404, "no holder '../../etc/passwd'"},
        {"GET", "/v1/holders/\xc3\x28", NULL, 400, "\"code\":\"bad_id\""},
        {"GET", "/v1/nothing", NULL, 404, "\"code\":\"no_such_endpoint\""},
        {"GET", "/v1/whatif", NULL, 405, "/v1/whatif takes POST only"},
        {"GET", "/pages/../openapi.json", NULL, 404, "\"code\":\"not_found\""},
        {"POST", "/v1/equiv", "{\"a/b~c\":\"x\"}", 400, "\"pointer\":\"/a~1b~0c\""},
        {"POST", "/v1/decisions", "{\"requests\":[],\"x\":1}", 400, "\"pointer\":\"/x\""},
        {"POST", "/v1/decisions", "{\"requests\":[{\"kind\":\"nope\"}]}", 400,
         "\"pointer\":\"/requests/0/kind\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ask(s, cases[i].method, cases[i].path, NULL, NULL, cases[i].body, 0, &a);
        if (a.status != cases[i].status) fprintf(stderr, "  case %zu: %s\n", i, a.body);
        CHECK_INT(a.status, cases[i].status);
        CHECK(strncmp(a.body, "{\"error\":{\"code\":", 17) == 0);
        CHECK_CONTAINS(a.body, cases[i].expect);
    }
    /* a body that is not JSON by its content type: 415 */
    cx_request req = {.method = "POST",
                      .path = "/v1/equiv",
                      .content_type = "text/plain",
                      .body = "{}",
                      .body_len = 2,
                      .today = AS_OF};
    cx_response res;
    CHECK_INT(cx_service_handle(s, &req, &res), CX_OK);
    CHECK_INT(res.status, 415);
    cx_response_clear(&res);
    /* a batch over 1,000 */
    size_t n = 1001;
    char *big = malloc(n * 4 + 32);
    strcpy(big, "{\"requests\":[");
    for (size_t i = 0; i < n; i++) strcat(big, i ? ",{}" : "{}");
    strcat(big, "]}");
    ask(s, "POST", "/v1/decisions", NULL, NULL, big, 0, &a);
    CHECK_INT(a.status, 400);
    CHECK_CONTAINS(a.body, "at most 1000 requests");
    free(big);
    cx_service_free(s);
}

TEST(tokens_scopes_jurisdictions_rates)
{
    const char *db = tmp("ev.db");
    char reader[65], decider[65], tokens[2048];
    cx_token_hash("reader-token", reader);
    cx_token_hash("decider-token", decider);
    snprintf(tokens, sizeof tokens,
             "tokens:\n"
             "  - {name: reader, sha256: %s, scopes: [read], rate: 2}\n"
             "  - {name: ca-decider, sha256: %s, scopes: [decide, read], jurisdictions: [US-CA]}\n",
             reader, decider);
    char path[600];
    snprintf(path, sizeof path, "%s", tmp("tokens.yaml"));
    write_file(path, tokens);
    cx_service *s = open_service(db, EV "/rules", path);
    static answer a;
    CHECK(s != NULL);
    if (!s) return;
    CHECK_INT(cx_service_has_tokens(s), 1);
    ask(s, "GET", "/v1/health", NULL, NULL, NULL, 1, &a);
    CHECK_INT(a.status, 200);
    ask(s, "GET", "/v1/credentials/CA-EVS-101", NULL, NULL, NULL, 1, &a);
    CHECK_INT(a.status, 401);
    ask(s, "GET", "/v1/credentials/CA-EVS-101", NULL, "Bearer wrong", NULL, 1, &a);
    CHECK_INT(a.status, 401);
    CHECK_CONTAINS(a.body, "unknown token");
    ask(s, "GET", "/v1/credentials/CA-EVS-101", NULL, "Bearer reader-token", NULL, 1, &a);
    CHECK_INT(a.status, 200);
    CHECK_STR(a.token, "reader");
    ask(s, "POST", "/v1/equiv", NULL, "Bearer reader-token",
        "{\"from\":\"TX-EVS-101\",\"to\":\"CA-EVS-101\"}", 1, &a);
    CHECK_INT(a.status, 403);
    CHECK_CONTAINS(a.body, "needs scope 'decide'");
    ask(s, "GET", "/v1/health", NULL, "Bearer reader-token", NULL, 1, &a);
    CHECK_INT(a.status, 429); /* a third request in second 1 */
    ask(s, "GET", "/v1/health", NULL, "Bearer reader-token", NULL, 2, &a);
    CHECK_INT(a.status, 200);
    ask(s, "POST", "/v1/transfer", NULL, "Bearer decider-token",
        "{\"credential\":\"TX-EVS-101\",\"from\":\"US-TX\",\"to\":\"US-CA\"}", 1, &a);
    CHECK_INT(a.status, 200);
    ask(s, "POST", "/v1/transfer", NULL, "Bearer decider-token",
        "{\"credential\":\"TX-EVS-101\",\"from\":\"US-CA\",\"to\":\"US-TX\"}", 1, &a);
    CHECK_INT(a.status, 403);
    CHECK_CONTAINS(a.body, "may not ask about jurisdiction US-TX");
    ask(s, "GET", "/v1/holders/h-tx-0001", NULL, "Bearer decider-token", NULL, 1, &a);
    CHECK_INT(a.status, 403);
    ask(s, "POST", "/v1/admin/reload", NULL, "Bearer decider-token", "", 1, &a);
    CHECK_INT(a.status, 403);
    cx_service_free(s);
    /* a bad tokens file: located */
    write_file(path, "tokens:\n  - {name: x, sha256: ABC, scopes: [read]}\n");
    cx_service_options o = {.db = db, .tokens = path};
    cx_error err;
    cx_error_clear(&err);
    s = NULL;
    CHECK_INT(cx_service_open(&o, &s, NULL, &err), CX_EINPUT);
    CHECK_INT(err.line, 2);
    CHECK_CONTAINS(err.message, "64 lowercase hex digits");
}

/* Several threads answer the same requests at once, while the main thread
 * reloads. */
typedef struct worker {
    cx_service *s;
    int same; /* every answer was the expected one */
} worker;

static const char *const bodies[] = {
    "{\"from\":\"TX-EVS-101\",\"to\":\"CA-EVS-101\",\"in\":\"US-CA\"}",
    "{\"from\":\"TX-EVD-202\",\"to\":\"CA-EVD-202\",\"in\":\"US-CA\"}",
};
static char expected[2][65536];

static void *work(void *arg)
{
    worker *w = arg;
    answer *a = malloc(sizeof *a);
    w->same = 1;
    for (int i = 0; i < 40; i++) {
        ask(w->s, "POST", "/v1/equiv", NULL, NULL, bodies[i % 2], 0, a);
        if (a->status != 200 || strcmp(a->body, expected[i % 2]) != 0) w->same = 0;
    }
    free(a);
    return NULL;
}

TEST(threads_answer_at_once_through_reloads)
{
    const char *db = tmp("ev.db");
    cx_service *s = open_service(db, EV "/rules", NULL);
    static answer a;
    CHECK(s != NULL);
    if (!s) return;
    for (int i = 0; i < 2; i++) {
        ask(s, "POST", "/v1/equiv", NULL, NULL, bodies[i], 0, &a);
        memcpy(expected[i], a.body, sizeof a.body);
    }
    CHECK_CONTAINS(expected[1], "\"status\":\"partial\"");
    pthread_t t[4];
    worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i].s = s;
        pthread_create(&t[i], NULL, work, &w[i]);
    }
    /* reloads while they answer: every answer is still whole and the same
     * (calls inside finish on the generation they began on) */
    cx_error err;
    for (int i = 0; i < 5; i++) {
        cx_error_clear(&err);
        CHECK_INT(cx_service_reload(s, NULL, &err), CX_OK);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        CHECK_INT(w[i].same, 1);
    }
    cx_service_free(s);
}

TEST(reload_swaps_or_keeps)
{
    const char *db = tmp("ev.db");
    char pack[700], dir[520], cmd[1800];
    snprintf(dir, sizeof dir, "%s", tmp("rules"));
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s' && cp " EV "/rules/*.lua '%s'", dir,
             dir, dir);
    CHECK_INT(system(cmd), 0);
    cx_service *s = open_service(db, dir, NULL);
    static answer a;
    CHECK(s != NULL);
    if (!s) return;
    CHECK_INT(cx_service_content_version(s), 1);
    /* an import moves the registry's content version; reload sees it */
    cx_registry *r = NULL;
    cx_error err;
    const char *paths[] = {EV "/catalog.yaml"};
    cx_error_clear(&err);
    CHECK_INT(cx_registry_open(db, 0, &r, &err), CX_OK);
    CHECK_INT(cx_catalog_import(r, paths, 1, NULL, NULL, NULL, &err), CX_OK);
    cx_registry_close(r);
    CHECK_INT(cx_service_reload(s, NULL, &err), CX_OK);
    CHECK_INT(cx_service_content_version(s), 2);
    ask(s, "POST", "/v1/admin/reload", NULL, NULL, "", 0, &a);
    CHECK_INT(a.status, 200);
    CHECK(strncmp(a.body, "{\"engine\":\"" CREDEX_VERSION "\",\"schema_version\":", 31) == 0);
    CHECK_CONTAINS(a.body, ",\"content_version\":2,\"packs\":[{\"id\":\"ca-ev-certificate\",");
    /* a broken pack: refused, the old packs still answer */
    snprintf(pack, sizeof pack, "%s/evc-compact.lua", dir);
    write_file(pack, "this is not lua (\n");
    cx_error_clear(&err);
    CHECK_INT(cx_service_reload(s, NULL, &err), CX_EINPUT);
    CHECK_CONTAINS(err.file, "evc-compact.lua");
    ask(s, "POST", "/v1/admin/reload", NULL, NULL, "", 0, &a);
    CHECK_INT(a.status, 500);
    CHECK_CONTAINS(a.body, "reload refused, serving the old packs");
    ask(s, "POST", "/v1/equiv", NULL, NULL, bodies[0], 0, &a);
    CHECK_INT(a.status, 200);
    CHECK_CONTAINS(a.body, "\"status\":\"equivalent\"");
    cx_service_free(s);
    /* the registry file gone: a new evaluator cannot open it, a 500 says why */
    char moved[700];
    snprintf(moved, sizeof moved, "%s.moved", db);
    s = open_service(db, EV "/rules", NULL);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_INT(rename(db, moved), 0);
    ask(s, "GET", "/v1/holders/h-tx-0001", NULL, NULL, NULL, 0, &a);
    CHECK_INT(a.status, 500);
    CHECK_CONTAINS(a.body, "\"code\":\"internal\"");
    cx_service_free(s);
    make_registry(db); /* as the other cases expect it */
}

/* A rule that raises makes the decision status error: a 200 with that
 * decision, as the CLI prints it (and exits 3). */
TEST(an_error_decision_is_a_200)
{
    char db[600], holder[600];
    snprintf(db, sizeof db, "%s", tmp("oh.db"));
    snprintf(holder, sizeof holder, "%s", tmp("oh-holder.yaml"));
    write_file(holder, "version: 1\nholders:\n  - id: h-oh-1\n    jurisdiction: US-OH\n"
                       "    awards: [ { credential: NIMS-MMS1, issued: 2025-02-01 } ]\n");
    cx_registry *r = NULL;
    cx_error err;
    const char *paths[] = {TEST_SRC "/tests/rules/stacking/catalog.yaml", holder};
    remove(db);
    cx_error_clear(&err);
    CHECK_INT(cx_registry_open(db, CX_OPEN_CREATE, &r, &err), CX_OK);
    CHECK_INT(cx_catalog_import(r, paths, 2, NULL, NULL, NULL, &err), CX_OK);
    cx_registry_close(r);
    cx_service *s = open_service(db, TEST_SRC "/tests/rules/stacking/packs/workbased.lua", NULL);
    static answer a;
    CHECK(s != NULL);
    if (!s) return;
    ask(s, "POST", "/v1/audit", NULL, NULL,
        "{\"holder\":\"h-oh-1\",\"stack\":\"OH-PORTFOLIO-RAISE\"}", 0, &a);
    CHECK_INT(a.status, 200);
    CHECK_CONTAINS(a.body, "\"status\":\"error\"");
    CHECK_CONTAINS(a.body, "the reviewer roster is not loaded");
    cx_service_free(s);
}

/* A request with a body of content type ctype; the answer's type and log
 * note too. */
typedef struct typed {
    answer a;
    char ctype[64];
    char decision_log[512];
    uint64_t log_failures;
} typed;

static void ask_typed(cx_service *s, const char *method, const char *path, const char *query,
                      const char *ctype, const char *body, typed *t)
{
    cx_request req = {.method = method,
                      .path = path,
                      .query = query,
                      .content_type = ctype,
                      .body = body,
                      .body_len = body ? strlen(body) : 0,
                      .today = AS_OF,
                      .now = AS_OF "T09:30:00Z"};
    cx_response res;
    memset(t, 0, sizeof *t);
    if (cx_service_handle(s, &req, &res) != CX_OK) return;
    t->a.status = res.status;
    snprintf(t->a.body, sizeof t->a.body, "%.*s", (int)res.body_len, res.body);
    snprintf(t->ctype, sizeof t->ctype, "%s", res.content_type ? res.content_type : "");
    snprintf(t->decision_log, sizeof t->decision_log, "%s", res.decision_log);
    t->log_failures = res.log_failures;
    cx_response_clear(&res);
}

TEST(pages_from_the_binary)
{
    const char *db = tmp("ev.db");
    if (make_registry(db)) {
        test_failed_ = 1;
        return;
    }
    cx_service *s = open_service(db, EV "/rules", NULL);
    static typed t;
    CHECK(s != NULL);
    if (!s) return;
    ask_typed(s, "GET", "/", NULL, NULL, NULL, &t);
    CHECK_INT(t.a.status, 200);
    CHECK_STR(t.ctype, "text/html; charset=utf-8");
    CHECK(strncmp(t.a.body, "<!DOCTYPE html>", 15) == 0);
    ask_typed(s, "GET", "/openapi.json", NULL, NULL, NULL, &t);
    CHECK_INT(t.a.status, 200);
    CHECK_STR(t.ctype, "application/json");
    CHECK_CONTAINS(t.a.body, "\"openapi\": \"3.1.0\"");
    ask_typed(s, "GET", "/pages/whatif.js", NULL, NULL, NULL, &t);
    CHECK_STR(t.ctype, "text/javascript; charset=utf-8");
    ask_typed(s, "GET", "/pages/nope.js", NULL, NULL, NULL, &t);
    CHECK_INT(t.a.status, 404);
    CHECK_STR(t.ctype, "application/json");
    CHECK_STR(t.a.body, "{\"error\":{\"code\":\"not_found\",\"message\":\"no page /pages/nope.js\","
                        "\"pointer\":\"\"}}\n");
    cx_service_free(s);
}

/* The JSON Lines of a report, as {"transitions": [...]}. */
static void report_body(const cx_whatif_report *rep, char *out, size_t size)
{
    size_t n = (size_t)snprintf(out, size, "{\"transitions\":[");
    for (size_t i = 0; i < rep->ntransitions && n < size; i++) {
        char *line = cx_transition_json(&rep->transitions[i]);
        n += (size_t)snprintf(out + n, size - n, "%s%.*s", i ? "," : "",
                              line ? (int)strlen(line) - 1 : 0, line ? line : "");
        free(line);
    }
    if (n < size) snprintf(out + n, size - n, "]}\n");
}

TEST(whatif_and_diff_are_the_library_calls)
{
    static const char change[] = "holders:\n  - id: h-ca-0003\n    jurisdiction: US-CA\n"
                                 "    awards:\n      - { credential: CA-EVS-101, issued: "
                                 "2025-09-12 }\n";
    static char want[65536];
    static typed t;
    const char *db = tmp("ev.db"), *file = tmp("change.yaml");
    const char *rules[] = {EV "/rules"}, *fresh[] = {TEST_SRC "/examples/curriculum-change/rules"};
    if (make_registry(db)) {
        test_failed_ = 1;
        return;
    }
    write_file(file, change);
    cx_registry *r = NULL;
    cx_whatif_report *rep = NULL;
    cx_error err;
    cx_whatif_options opt = {.as_of = AS_OF, .jobs = 1, .rules = rules, .nrules = 1};
    cx_error_clear(&err);
    CHECK_INT(cx_registry_open(db, CX_OPEN_READONLY, &r, &err), CX_OK);
    CHECK_INT(cx_whatif(r, file, &opt, &rep, &err), CX_OK);
    CHECK(rep && rep->ntransitions == 1);
    if (rep) report_body(rep, want, sizeof want);
    cx_whatif_report_free(rep);
    cx_service *s = open_service(db, EV "/rules", NULL);
    CHECK(s != NULL);
    if (!s) {
        cx_registry_close(r);
        return;
    }
    ask_typed(s, "POST", "/v1/whatif", "as_of=" AS_OF, "application/yaml", change, &t);
    CHECK_INT(t.a.status, 200);
    CHECK_STR(t.a.body, want);
    /* a change that does not parse: located in the body */
    ask_typed(s, "POST", "/v1/whatif", NULL, "application/yaml", "holders: [\n", &t);
    CHECK_INT(t.a.status, 400);
    CHECK_CONTAINS(t.a.body, "\"code\":\"bad_change\",\"message\":\"body:2:");
    /* diff: the new packs as sources, equal to cx_diff over the files */
    CHECK_INT(cx_diff(r, rules, 1, fresh, 1, &opt, &rep, &err), CX_OK);
    CHECK(rep && rep->ntransitions > 0);
    if (rep) report_body(rep, want, sizeof want);
    cx_whatif_report_free(rep);
    cx_registry_close(r);
    static char body[65536];
    static const char *const names[] = {"ca-ev-certificate.lua", "evc-compact.lua",
                                        "tx-ca-articulation.lua", "tx-ev-renewal.lua"};
    size_t n = (size_t)snprintf(body, sizeof body, "{\"as_of\":\"" AS_OF "\",\"packs\":[");
    for (size_t i = 0; i < 4; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s/%s", fresh[0], names[i]);
        FILE *f = fopen(path, "rb");
        CHECK(f != NULL);
        if (!f) break;
        n += (size_t)snprintf(body + n, sizeof body - n, "%s{\"file\":\"%s\",\"source\":\"",
                              i ? "," : "", names[i]);
        for (int ch; (ch = fgetc(f)) != EOF && n + 8 < sizeof body;) {
            if (ch == '"' || ch == '\\')
                n += (size_t)snprintf(body + n, sizeof body - n, "\\%c", ch);
            else if (ch < 0x20)
                n += (size_t)snprintf(body + n, sizeof body - n, "\\u%04x", ch);
            else
                body[n++] = (char)ch;
        }
        fclose(f);
        n += (size_t)snprintf(body + n, sizeof body - n, "\"}");
    }
    snprintf(body + n, sizeof body - n, "]}");
    ask_typed(s, "POST", "/v1/diff", NULL, "application/json", body, &t);
    CHECK_INT(t.a.status, 200);
    CHECK_STR(t.a.body, want);
    cx_service_free(s);
}

TEST(decisions_logged_or_counted)
{
    const char *db = tmp("ev.db"), *rules = EV "/rules";
    static typed t;
    if (make_registry(db)) {
        test_failed_ = 1;
        return;
    }
    cx_service *s = NULL;
    cx_error err;
    cx_service_options o = {
        .db = db, .rules = &rules, .nrules = 1, .log_decisions = 1, .busy_timeout = -1};
    cx_error_clear(&err);
    CHECK_INT(cx_service_open(&o, &s, NULL, &err), CX_OK);
    if (!s) return;
    const char *equiv = "{\"from\":\"TX-EVD-202\",\"to\":\"CA-EVD-202\",\"in\":\"US-CA\"}";
    ask_typed(s, "POST", "/v1/equiv", NULL, "application/json", equiv, &t);
    CHECK_INT(t.a.status, 200);
    CHECK_STR(t.decision_log, "");
    ask_typed(s, "POST", "/v1/audit", NULL, "application/json", "{\"holder\":\"h-tx-0001\"}", &t);
    CHECK_INT(t.a.status, 200);
    /* a page or an error logs nothing */
    ask_typed(s, "GET", "/", NULL, NULL, NULL, &t);
    ask_typed(s, "POST", "/v1/equiv", NULL, "application/json", "{\"from\":\"X\",\"to\":\"Y\"}",
              &t);
    CHECK_INT(t.a.status, 404);
    cx_registry *r = NULL, *view = NULL;
    cx_rules *loaded = NULL;
    cx_log *held = NULL;
    int64_t decisions = 0, packs = 0;
    CHECK_INT(cx_registry_open(db, 0, &r, &err), CX_OK);
    CHECK_INT(cx_log_counts(r, &decisions, &packs, &err), CX_OK);
    CHECK_INT(decisions, 1 + 1); /* the equiv, and the holder's one audit */
    CHECK_INT(packs, 4);
    /* another connection holds the write lock: answered, said, counted */
    CHECK_INT(cx_registry_open(db, CX_OPEN_READONLY, &view, &err), CX_OK);
    CHECK_INT(cx_rules_load(view, &rules, 1, &loaded, NULL, &err), CX_OK);
    CHECK_INT(cx_log_begin(r, loaded, AS_OF "T00:00:00Z", &held, &err), CX_OK);
    ask_typed(s, "POST", "/v1/equiv", NULL, "application/json", equiv, &t);
    CHECK_INT(t.a.status, 200);
    CHECK_CONTAINS(t.a.body, "\"status\":\"partial\"");
    CHECK(strncmp(t.decision_log, "not logged: ", 12) == 0);
    CHECK(t.log_failures == 1);
    cx_request req = {.method = "POST", .path = "/v1/equiv", .today = AS_OF};
    cx_response res = {.status = 200, .log_failures = 1};
    snprintf(res.decision_log, sizeof res.decision_log, "not logged: busy");
    char *line = cx_service_log_json("T", &req, &res, 5);
    CHECK_STR(line, "{\"time\":\"T\",\"method\":\"POST\",\"path\":\"/v1/equiv\",\"status\":200,"
                    "\"us\":5,\"token\":\"\",\"decision_log\":\"not logged: busy\","
                    "\"log_failures\":1}");
    free(line);
    CHECK_INT(cx_log_end(held, 0, &err), CX_OK);
    ask_typed(s, "POST", "/v1/equiv", NULL, "application/json", equiv, &t);
    CHECK_STR(t.decision_log, "");
    CHECK_INT(cx_log_counts(r, &decisions, &packs, &err), CX_OK);
    CHECK_INT(decisions, 3);
    cx_rules_free(loaded);
    cx_registry_close(view);
    cx_registry_close(r);
    cx_service_free(s);
}

/* What cx_issue gives for the same question, as the body {"jwt": ...}. */
static char *direct_issue(const char *db, const cx_issuer *issuer, const char *holder)
{
    cx_registry *r = NULL;
    cx_rules *rules = NULL;
    cx_decision *d = NULL;
    cx_error err;
    const char *paths[] = {EV "/rules"};
    char *jwt = NULL, *body = NULL;
    cx_issue_options opt = {holder, "CA-EV-TECH", AS_OF, CX_ISSUE_JWT};
    cx_error_clear(&err);
    if (!cx_registry_open(db, CX_OPEN_READONLY, &r, &err) &&
        !cx_rules_load(r, paths, 1, &rules, NULL, &err) &&
        !cx_issue(r, rules, issuer, &opt, &jwt, &d, &err) && jwt &&
        (body = malloc(strlen(jwt) + 16)))
        sprintf(body, "{\"jwt\":\"%.*s\"}\n", (int)strlen(jwt) - 1, jwt);
    free(jwt);
    cx_decision_free(d);
    cx_rules_free(rules);
    cx_registry_close(r);
    return body;
}

TEST(issue_is_the_library_call)
{
    const char *db = tmp("ev.db"), *key = tmp("issuer.jwk"), *rules = EV "/rules";
    cx_issuer *issuer = NULL;
    cx_service *s = NULL;
    char *public_jwk = NULL;
    static answer a;
    cx_error err;
    cx_error_clear(&err);
    remove(key);
    if (make_registry(db) || cx_keys_new(key, "k1", &public_jwk, &err) ||
        cx_issuer_new("https://riohondo.example/issuers/ev", "Rio Hondo College", key, &issuer,
                      &err)) {
        fprintf(stderr, "  cannot set up: %s\n", err.message);
        test_failed_ = 1;
        goto done;
    }
    s = open_service(db, rules, NULL); /* no issuer: the endpoint is off */
    ask(s, "POST", "/v1/issue", NULL, NULL, "{\"holder\":\"h-ca-0001\",\"stack\":\"CA-EV-TECH\"}",
        0, &a);
    CHECK_INT(a.status, 404);
    CHECK_CONTAINS(a.body, "\"code\":\"no_such_endpoint\"");
    cx_service_free(s);
    cx_service_options o = {.db = db, .rules = &rules, .nrules = 1, .issuer = issuer};
    s = NULL;
    CHECK_INT(cx_service_open(&o, &s, NULL, &err), CX_OK);
    if (!s) goto done;
    ask(s, "POST", "/v1/issue", NULL, NULL, "{\"holder\":\"h-ca-0001\",\"stack\":\"CA-EV-TECH\"}",
        0, &a);
    CHECK_INT(a.status, 200);
    char *direct = direct_issue(db, issuer, "h-ca-0001");
    CHECK(direct != NULL);
    if (direct) CHECK_STR(a.body, direct);
    free(direct);
    ask(s, "POST", "/v1/issue", NULL, NULL, "{\"holder\":\"h-ca-0002\",\"stack\":\"CA-EV-TECH\"}",
        0, &a);
    CHECK_INT(a.status, 409);
    static const char not_met[] = "{\"error\":{\"code\":\"not_met\",";
    CHECK(strncmp(a.body, not_met, sizeof not_met - 1) == 0);
    CHECK_CONTAINS(a.body, "},\"decision\":{\"kind\":\"audit\",\"status\":\"in_progress\"");
    CHECK_CONTAINS(
        a.body,
        "\"missing\":[\"at_least(1) { \\\"CA-EVB-201\\\", \\\"CA-EVD-202\\\" }\",\"shop hours\"]");
done:
    cx_service_free(s);
    cx_issuer_free(issuer);
    free(public_jwk);
    remove(key);
}

static const test_case cases[] = {
    {"decision_bodies_are_the_cli_json", decision_bodies_are_the_cli_json},
    {"reads_and_lists", reads_and_lists},
    {"errors_have_one_shape", errors_have_one_shape},
    {"tokens_scopes_jurisdictions_rates", tokens_scopes_jurisdictions_rates},
    {"threads_answer_at_once_through_reloads", threads_answer_at_once_through_reloads},
    {"reload_swaps_or_keeps", reload_swaps_or_keeps},
    {"an_error_decision_is_a_200", an_error_decision_is_a_200},
    {"pages_from_the_binary", pages_from_the_binary},
    {"whatif_and_diff_are_the_library_calls", whatif_and_diff_are_the_library_calls},
    {"decisions_logged_or_counted", decisions_logged_or_counted},
    {"issue_is_the_library_call", issue_is_the_library_call},
    {NULL, NULL},
};

TEST_MAIN(cases)
