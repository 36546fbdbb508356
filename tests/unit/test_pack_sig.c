/*
 * test_pack_sig.c -- signed rule packs through the library: the example
 * packs' checked-in signatures load through cx_rules_load_trusted with
 * their signers kept; cx_pack_sign's bytes; and a service whose reload
 * meets a pack changed after it was signed keeps serving the old packs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "pack_sig.h"
#include "test.h"

#define EV    TEST_SRC "/examples/ev-mechanic"
#define TRUST TEST_SRC "/examples/keys/trust.json"
#define KEY   TEST_SRC "/examples/keys/EXAMPLE-KEY-NOT-SECRET-DO-NOT-USE.jwk"
#define KID   "credex-example-key-NOT-FOR-REAL-USE"

static const char *tmp(const char *name)
{
    return test_tmp_path("pack_sig-", name);
}

/* A registry file holding the EV catalog at db (replaced); NULL on error. */
static cx_registry *ev_registry(const char *db)
{
    cx_registry *r = NULL;
    cx_error err;
    const char *paths[] = {EV "/catalog.yaml"};
    remove(db);
    cx_error_clear(&err);
    if (cx_registry_open(db, CX_OPEN_CREATE, &r, &err) != CX_OK ||
        cx_catalog_import(r, paths, 1, NULL, NULL, NULL, &err) != CX_OK) {
        fprintf(stderr, "  cannot build %s: %s\n", db, err.message);
        cx_registry_close(r);
        return NULL;
    }
    return r;
}

/* The file's bytes (NUL-terminated; the caller frees), or NULL. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *s = NULL;
    long n;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (s = malloc((size_t)n + 1))) {
        n = (long)fread(s, 1, (size_t)n, f);
        s[n] = '\0';
    }
    fclose(f);
    return s;
}

TEST(example_packs_load_with_their_signers)
{
    cx_registry *r = ev_registry(tmp("ev.db"));
    cx_pack_trust *trust = NULL;
    cx_rules *rules = NULL;
    cx_error err;
    const char *paths[] = {EV "/rules"};
    if (!r) return;
    cx_error_clear(&err);
    CHECK_INT(cx_pack_trust_load(TRUST, 1, &trust, &err), CX_OK);
    CHECK_INT(cx_rules_load_trusted(r, paths, 1, trust, &rules, NULL, &err), CX_OK);
    CHECK_INT(cx_rules_pack_count(rules), 4);
    for (size_t i = 0; i < cx_rules_pack_count(rules); i++) {
        const cx_pack_info *p = cx__rules_pack(rules, (int)i);
        CHECK_STR(p->signer_kid, KID);
        CHECK_STR(p->signer_authority, p->authority);
        CHECK(p->signature != NULL && strncmp(p->signature, "eyJ", 3) == 0);
    }
    cx_rules_free(rules);
    /* without a trust set: the same packs, unsigned */
    CHECK_INT(cx_rules_load(r, paths, 1, &rules, NULL, &err), CX_OK);
    CHECK(cx__rules_pack(rules, 0)->signer_authority == NULL);
    CHECK(cx__rules_pack(rules, 0)->signature == NULL);
    cx_rules_free(rules);
    cx_pack_trust_free(trust);
    cx_registry_close(r);
}

TEST(signing_again_gives_the_checked_in_bytes)
{
    cx_registry *r = ev_registry(tmp("ev.db"));
    cx_error err;
    char pack[600], cmd[1400], *ours, *shipped;
    if (!r) return;
    snprintf(pack, sizeof pack, "%s", tmp("evc-compact.lua"));
    snprintf(cmd, sizeof cmd, "cp " EV "/rules/evc-compact.lua '%s'", pack);
    CHECK_INT(system(cmd), 0);
    cx_error_clear(&err);
    CHECK_INT(cx_pack_sign(r, pack, KEY, NULL, &err), CX_OK);
    strcat(pack, ".sig");
    ours = slurp(pack);
    shipped = slurp(EV "/rules/evc-compact.lua.sig");
    CHECK(ours && shipped && strcmp(ours, shipped) == 0);
    free(ours);
    free(shipped);
    cx_registry_close(r);
}

TEST(a_reload_with_a_changed_pack_keeps_the_old_packs)
{
    const char *db = tmp("serve.db");
    char dir[520], cmd[1400], pack[700];
    cx_registry *r = ev_registry(db);
    cx_pack_trust *trust = NULL;
    cx_service *s = NULL;
    cx_error err;
    if (!r) return;
    cx_registry_close(r);
    snprintf(dir, sizeof dir, "%s", tmp("rules"));
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -r " EV "/rules '%s'", dir, dir);
    CHECK_INT(system(cmd), 0);
    const char *rules = dir;
    cx_error_clear(&err);
    CHECK_INT(cx_pack_trust_load(TRUST, 1, &trust, &err), CX_OK);
    cx_service_options o = {.db = db, .rules = &rules, .nrules = 1, .pack_trust = trust};
    CHECK_INT(cx_service_open(&o, &s, NULL, &err), CX_OK);
    if (!s) goto done;
    CHECK_INT(cx_service_reload(s, NULL, &err), CX_OK);
    /* one byte more in a signed pack: the reload is refused at its .sig */
    snprintf(pack, sizeof pack, "%s/evc-compact.lua", dir);
    FILE *f = fopen(pack, "a");
    if (f) fputs("-- edited after signing\n", f);
    if (f) fclose(f);
    cx_error_clear(&err);
    CHECK_INT(cx_service_reload(s, NULL, &err), CX_EINPUT);
    CHECK_CONTAINS(err.file, "evc-compact.lua.sig");
    CHECK_CONTAINS(err.message, "the signature is for other bytes of pack 'evc-compact'");
    /* the old packs still answer */
    cx_request req = {.method = "POST",
                      .path = "/v1/equiv",
                      .content_type = "application/json",
                      .body = "{\"from\":\"TX-EVS-101\",\"to\":\"CA-EVS-101\",\"in\":\"US-CA\"}",
                      .today = "2026-06-01"};
    req.body_len = strlen(req.body);
    cx_response res;
    CHECK_INT(cx_service_handle(s, &req, &res), CX_OK);
    CHECK_INT(res.status, 200);
    CHECK(res.body && strstr(res.body, "\"status\":\"equivalent\"") != NULL);
    cx_response_clear(&res);
    /* a diff brings packs in its body, with no .sig: refused */
    cx_request diff = {.method = "POST",
                       .path = "/v1/diff",
                       .content_type = "application/json",
                       .body =
                           "{\"packs\":[{\"file\":\"p.lua\",\"source\":\"pack \\\"p\\\" {}\"}]}",
                       .today = "2026-06-01"};
    diff.body_len = strlen(diff.body);
    CHECK_INT(cx_service_handle(s, &diff, &res), CX_OK);
    CHECK_INT(res.status, 403);
    CHECK(res.body && strstr(res.body, "packs sent in a request carry no signature") != NULL);
    cx_response_clear(&res);
done:
    cx_service_free(s);
    cx_pack_trust_free(trust);
}

static const test_case tests[] = {
    {"example_packs_load_with_their_signers", example_packs_load_with_their_signers},
    {"signing_again_gives_the_checked_in_bytes", signing_again_gives_the_checked_in_bytes},
    {"a_reload_with_a_changed_pack_keeps_the_old_packs",
     a_reload_with_a_changed_pack_keeps_the_old_packs},
    {NULL, NULL},
};

TEST_MAIN(tests)
