/*
 * test_service_trust.c -- cx_service_options.pack_trust_file, read anew at
 * every reload (a key removed or a file that no longer parses refuses the
 * reload, the old packs answering; the key back, the reload succeeds), and
 * .no_cache (no snapshot cache written beside the registry).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "credex.h"
#include "test.h"

#define EV    TEST_SRC "/examples/ev-mechanic"
#define TRUST TEST_SRC "/examples/keys/trust.json"
#define EVC   "EV Service Compact Commission"

static const char *tmp(const char *name)
{
    return test_tmp_path("service_trust-", name);
}

/* A registry file holding the EV catalog at db (replaced, its cache
 * removed); 0 on success. */
static int ev_registry(const char *db)
{
    cx_registry *r = NULL;
    cx_error err;
    char cache[600];
    const char *paths[] = {EV "/catalog.yaml"};
    snprintf(cache, sizeof cache, "%s.snapshot", db);
    remove(db);
    remove(cache);
    cx_error_clear(&err);
    int rc = cx_registry_open(db, CX_OPEN_CREATE, &r, &err);
    if (rc == CX_OK) rc = cx_catalog_import(r, paths, 1, NULL, NULL, NULL, &err);
    if (rc) fprintf(stderr, "  cannot build %s: %s\n", db, err.message);
    cx_registry_close(r);
    return rc;
}

/* Writes the example trust file to path, without the issuer line naming
 * drop (each issuer is one line there), or text instead when not NULL. */
static void write_trust(const char *path, const char *drop, const char *text)
{
    char line[1024];
    FILE *in = fopen(TRUST, "r"), *out = fopen(path, "w");
    if (out && text) fputs(text, out);
    while (in && out && !text && fgets(line, sizeof line, in)) {
        if (drop && strstr(line, drop)) { /* the id line, then its keys line */
            if (!fgets(line, sizeof line, in)) break;
            continue;
        }
        fputs(line, out);
    }
    if (in) fclose(in);
    if (out) fclose(out);
}

/* The status of POST /v1/equiv on s. */
static int equiv_status(cx_service *s)
{
    cx_request req = {.method = "POST",
                      .path = "/v1/equiv",
                      .content_type = "application/json",
                      .body = "{\"from\":\"TX-EVS-101\",\"to\":\"CA-EVS-101\",\"in\":\"US-CA\"}",
                      .today = "2026-06-01"};
    req.body_len = strlen(req.body);
    cx_response res;
    if (cx_service_handle(s, &req, &res) != CX_OK) return -1;
    int status = res.body && strstr(res.body, "\"status\":\"equivalent\"") ? res.status : -1;
    cx_response_clear(&res);
    return status;
}

TEST(a_reload_reads_the_trust_file_again)
{
    const char *db = tmp("trust.db"), *trust = tmp("trust.json"), *rules = EV "/rules";
    cx_service *s = NULL;
    cx_error err;
    if (ev_registry(db)) return;
    write_trust(trust, NULL, NULL);
    cx_service_options o = {.db = db,
                            .rules = &rules,
                            .nrules = 1,
                            .pack_trust_file = trust,
                            .require_signed_packs = 1};
    cx_error_clear(&err);
    CHECK_INT(cx_service_open(&o, &s, NULL, &err), CX_OK);
    if (!s) return;
    CHECK_INT(equiv_status(s), 200);
    /* the compact's key taken out: refused at the pack's .sig, old packs answer */
    write_trust(trust, EVC, NULL);
    cx_error_clear(&err);
    CHECK_INT(cx_service_reload(s, NULL, &err), CX_EINPUT);
    CHECK_CONTAINS(err.file, "evc-compact.lua.sig");
    CHECK_CONTAINS(err.message, "authority '" EVC "' is not in the pack trust file");
    CHECK_INT(equiv_status(s), 200);
    /* a trust file that no longer parses: refused, located in it */
    write_trust(trust, NULL, "{\"issuers\": [\n");
    cx_error_clear(&err);
    CHECK_INT(cx_service_reload(s, NULL, &err), CX_EINPUT);
    CHECK_STR(err.file, trust);
    CHECK_INT(err.line, 2);
    CHECK_INT(equiv_status(s), 200);
    /* the key back: reloaded */
    write_trust(trust, NULL, NULL);
    cx_error_clear(&err);
    CHECK_INT(cx_service_reload(s, NULL, &err), CX_OK);
    CHECK_INT(equiv_status(s), 200);
    cx_service_free(s);
}

TEST(a_trust_set_and_a_trust_file_are_refused_together)
{
    const char *db = tmp("both.db"), *rules = EV "/rules";
    cx_pack_trust *set = NULL;
    cx_service *s = NULL;
    cx_error err;
    if (ev_registry(db)) return;
    cx_error_clear(&err);
    CHECK_INT(cx_pack_trust_load(TRUST, 0, &set, &err), CX_OK);
    cx_service_options o = {
        .db = db, .rules = &rules, .nrules = 1, .pack_trust = set, .pack_trust_file = TRUST};
    CHECK_INT(cx_service_open(&o, &s, NULL, &err), CX_EUSAGE);
    CHECK(s == NULL);
    CHECK_CONTAINS(err.message, "pack_trust or pack_trust_file, not both");
    cx_pack_trust_free(set);
}

TEST(no_cache_writes_no_snapshot_cache)
{
    const char *rules = EV "/rules";
    for (int no_cache = 1; no_cache >= 0; no_cache--) {
        const char *db = tmp(no_cache ? "nocache.db" : "cache.db");
        char cache[600];
        cx_service *s = NULL;
        cx_error err;
        if (ev_registry(db)) return;
        snprintf(cache, sizeof cache, "%s.snapshot", db);
        cx_service_options o = {.db = db, .rules = &rules, .nrules = 1, .no_cache = no_cache};
        cx_error_clear(&err);
        CHECK_INT(cx_service_open(&o, &s, NULL, &err), CX_OK);
        if (!s) return;
        CHECK_INT(cx_service_reload(s, NULL, &err), CX_OK);
        CHECK_INT(equiv_status(s), 200);
        CHECK_INT(access(cache, F_OK) == 0, !no_cache); /* without no_cache the load wrote it */
        cx_service_free(s);
    }
}

static const test_case tests[] = {
    {"a_reload_reads_the_trust_file_again", a_reload_reads_the_trust_file_again},
    {"a_trust_set_and_a_trust_file_are_refused_together",
     a_trust_set_and_a_trust_file_are_refused_together},
    {"no_cache_writes_no_snapshot_cache", no_cache_writes_no_snapshot_cache},
    {NULL, NULL},
};

TEST_MAIN(tests)
