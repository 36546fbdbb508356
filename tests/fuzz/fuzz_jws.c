/*
 * fuzz_jws.c -- libFuzzer target of compact JWS decoding and verification
 * (cx__jws_decode, cx__jws_verify) against the fixed trust set of
 * tests/fixtures/jws/trust.yaml, then of the VC-JWT reader
 * (cx__ob3_map_jwt) into a registry. Reads no file but that trust set.
 */
#include <stdio.h>
#include <stdlib.h>

#include "badges.h"
#include "fuzz.h"
#include "jws.h"

#define TRUST TEST_SRC "/tests/fixtures/jws/trust.yaml"

/* The issuers of the trust set, and one it lacks. */
static const char *const issuers[] = {
    "https://1edtech.edu/issuers/565049",
    "https://other.example/issuers/2",
    "https://nobody.example/",
};

/* The trust set, read once for the whole run (never freed: libFuzzer
 * ends the process). */
static const cx_trust *trust(void)
{
    static cx_trust *t;
    if (!t) {
        cx_error err;
        cx_error_clear(&err);
        if (cx__trust_load_file(TRUST, &t, &err) != CX_OK) {
            fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.message);
            abort();
        }
    }
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const cx_trust *t = trust();
    cx_jws *jws = NULL;
    cx_ydoc *doc = NULL;
    cx_import_options opts = {0};
    cx_error err;
    cx_error_clear(&err);
    if (cx__jws_decode("fuzz.jwt", 1, 1, (const char *)data, size, &jws, &err) == CX_OK) {
        for (size_t i = 0; i < sizeof issuers / sizeof issuers[0]; i++) {
            cx_jws_outcome outcome;
            const cx_jwk *key = NULL;
            cx_error_clear(&err);
            cx__jws_verify(jws, t, issuers[i], &outcome, &key, &err);
        }
    }
    opts.allow_unverified = 1;
    opts.jurisdiction = "US-TX";
    cx_error_clear(&err);
    if (cx__ob3_map_jwt("fuzz.jwt", (const char *)data, size, t, &opts, &doc, &err) == CX_OK)
        fuzz_load_doc(doc);
    cx__ydoc_free(doc);
    cx__jws_free(jws);
    return 0;
}
