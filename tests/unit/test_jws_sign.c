/*
 * test_jws_sign.c -- the signing side of jws.h: the base64url encoder,
 * Ed25519 private JWKs (every refusal by its located message), compact
 * JWS signing checked against RFC 8037's example and the project's own
 * verifier, RFC 7638 thumbprints, and cx_keys_new's file.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "jws.h"
#include "test.h"
#include "util.h"

/* RFC 8037 A.1's key, A.3's thumbprint and A.4's token. */
#define RFC8037_D     "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
#define RFC8037_X     "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
#define RFC8037_THUMB "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
#define RFC8037_TOKEN                                                                              \
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-"        \
    "09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
#define RFC8037_JWK                                                                                \
    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"" RFC8037_D "\",\"x\":\"" RFC8037_X              \
    "\",\"kid\":\"k1\"}"

/* Reads the key in text (named key.jwk); the formatted error into msg. */
static int key_text(const char *text, cx_ed25519_private *k, char *msg, size_t size)
{
    cx_ydoc *doc = NULL;
    cx_error err;
    int rc;
    cx_error_clear(&err);
    msg[0] = '\0';
    rc = cx__yaml_load_buffer("key.jwk", text, strlen(text), &doc, &err);
    if (rc == CX_OK) rc = cx__ed25519_private_from_node("key.jwk", cx__ydoc_root(doc), k, &err);
    if (rc != CX_OK) cx_error_format(&err, msg, size);
    cx__ydoc_free(doc);
    return rc;
}

TEST(b64url_encoder_round_trips)
{
    unsigned char bytes[70];
    for (size_t i = 0; i < sizeof bytes; i++) bytes[i] = (unsigned char)(i * 37 + 11);
    for (size_t n = 0; n <= sizeof bytes; n++) {
        char expect[128], *got = cx__b64url_encode(bytes, n);
        unsigned char *back = NULL;
        size_t back_len = 0;
        test_b64url(bytes, n, expect);
        CHECK_STR(got, expect);
        CHECK_INT(cx__b64url_decode(got, strlen(got), &back, &back_len), 0);
        CHECK_INT(back_len, n);
        CHECK(n == 0 || memcmp(back, bytes, n) == 0);
        free(back);
        free(got);
    }
}

TEST(rfc8037_key_signs_its_example)
{
    cx_ed25519_private k;
    char msg[1024], *token;
    static const char payload[] = "Example of Ed25519 signing";
    CHECK_INT(key_text(RFC8037_JWK, &k, msg, sizeof msg), CX_OK);
    CHECK_STR(k.kid, "k1");
    token = cx__jws_sign_eddsa(&k, "{\"alg\":\"EdDSA\"}", payload, strlen(payload));
    CHECK_STR(token, RFC8037_TOKEN);
    free(token);
    cx__ed25519_private_clear(&k);
    CHECK(k.kid == NULL);
    for (size_t i = 0; i < 32; i++) CHECK_INT(k.d[i], 0);
}

TEST(rfc8037_thumbprint)
{
    cx_ed25519_private k;
    char msg[1024], thumb[44];
    CHECK_INT(key_text(RFC8037_JWK, &k, msg, sizeof msg), CX_OK);
    cx__ed25519_thumbprint(k.x, thumb);
    CHECK_STR(thumb, RFC8037_THUMB);
    cx__ed25519_private_clear(&k);
}

TEST(signed_tokens_verify_with_the_project_verifier)
{
    static const char trust_text[] =
        "issuers:\n"
        "  - id: Example Authority\n"
        "    keys: [{kty: OKP, crv: Ed25519, kid: k1, x: " RFC8037_X "}]\n";
    static const char header[] = "{\"alg\":\"EdDSA\",\"kid\":\"k1\",\"typ\":\"JWT\"}";
    static const char payload[] = "{\"pack\":\"p\"}";
    cx_ed25519_private k;
    cx_ydoc *doc = NULL;
    cx_trust *trust = NULL;
    cx_jws *jws = NULL;
    const cx_jwk *key = NULL;
    cx_jws_outcome outcome;
    cx_error err;
    char msg[1024], *token, *again;
    cx_error_clear(&err);
    CHECK_INT(key_text(RFC8037_JWK, &k, msg, sizeof msg), CX_OK);
    CHECK_INT(cx__yaml_load_buffer("trust.yaml", trust_text, strlen(trust_text), &doc, &err), 0);
    CHECK_INT(cx__trust_from_node("trust.yaml", cx__ydoc_root(doc), &trust, &err), CX_OK);
    token = cx__jws_sign_eddsa(&k, header, payload, strlen(payload));
    again = cx__jws_sign_eddsa(&k, header, payload, strlen(payload));
    CHECK_STR(token, again); /* the same bytes every time */
    CHECK_INT(cx__jws_decode("t", 1, 1, token, strlen(token), &jws, &err), CX_OK);
    CHECK_STR(jws->alg, "EdDSA");
    CHECK_STR(jws->kid, "k1");
    CHECK_STR(jws->typ, "JWT");
    CHECK_STR((const char *)jws->payload, payload);
    CHECK_INT(cx__jws_verify(jws, trust, "Example Authority", &outcome, &key, &err), CX_OK);
    CHECK_INT(outcome, CX_JWS_VERIFIED);
    CHECK(key != NULL && strcmp(key->kid, "k1") == 0);
    cx__jws_free(jws);
    jws = NULL;
    token[strlen(token) - 5] ^= 1; /* a flipped bit of the signature */
    CHECK_INT(cx__jws_decode("t", 1, 1, token, strlen(token), &jws, &err), CX_OK);
    CHECK_INT(cx__jws_verify(jws, trust, "Example Authority", &outcome, &key, &err), CX_EINPUT);
    CHECK_CONTAINS(err.message, "bad signature");
    cx__jws_free(jws);
    free(token);
    free(again);
    cx__trust_free(trust);
    cx__ydoc_free(doc);
    cx__ed25519_private_clear(&k);
}

TEST(malformed_keys_are_refused_where_they_are_wrong)
{
    static const struct {
        const char *text, *message;
    } cases[] = {
        {"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" RFC8037_X "\"}",
         "key.jwk:1:1: a public key where a private key is needed: the JWK has no 'd'"},
        {"{\"kty\":\"OKP\",\"crv\":\"X25519\",\"d\":\"" RFC8037_D "\",\"x\":\"" RFC8037_X "\"}",
         "key.jwk:1:20: crv 'X25519': a signing key must be an Ed25519 key"},
        {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"d\":\"" RFC8037_D "\",\"x\":\"" RFC8037_X "\"}",
         "key.jwk:1:8: kty 'EC': a signing key must be an Ed25519 key"},
        {"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"nWGx+e_9\",\"x\":\"" RFC8037_X "\"}",
         "key.jwk:1:34: invalid base64url in 'd' at character 5"},
        {"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"nWGxne_"
         "9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyufw\","
         "\"x\":\"" RFC8037_X "\"}",
         "key.jwk:1:34: d of an Ed25519 private key must be 32 bytes, found 31"},
        {"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"" RFC8037_D
         "\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURA\"}",
         "key.jwk:1:84: x is not the public key of d"},
        {"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"" RFC8037_D "\",\"x\":\"" RFC8037_X
         "\",\"y\":\"AA\"}",
         "key.jwk:1:130: unknown member 'y' in Ed25519 private JWK"},
        {"{\"kty\":\"OKP\"}", "key.jwk:1:1: the key has no 'crv'"},
        {"[1, 2]", "key.jwk:1:1: expected a JWK (a JSON object), found a list"},
        {"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"" RFC8037_D "\",\"x\":\"" RFC8037_X
         "\",\"alg\":\"ES256\"}",
         "alg 'ES256' does not suit an Ed25519 key; expected EdDSA"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cx_ed25519_private k;
        char msg[1024];
        CHECK_INT(key_text(cases[i].text, &k, msg, sizeof msg), CX_EINPUT);
        CHECK_CONTAINS(msg, cases[i].message);
        CHECK(k.kid == NULL);
    }
}

TEST(keys_new_writes_a_private_file_once)
{
    char path[512], *jwk = NULL, *again = NULL, thumb[44], expect[256], *x64;
    cx_ed25519_private k;
    cx_error err;
    struct stat st;
    const char *tmp = getenv("TEST_TMP");
    snprintf(path, sizeof path, "%s/test_jws_sign.%ld.jwk", tmp ? tmp : "/tmp", (long)getpid());
    unlink(path);
    cx_error_clear(&err);
    CHECK_INT(cx_keys_new(path, NULL, &jwk, &err), CX_OK);
    CHECK_INT(stat(path, &st), 0);
    CHECK_INT(st.st_mode & 0777, 0600);
    CHECK_INT(cx__ed25519_private_load(path, &k, &err), CX_OK);
    cx__ed25519_thumbprint(k.x, thumb);
    CHECK_STR(k.kid, thumb); /* the default kid: the thumbprint */
    x64 = cx__b64url_encode(k.x, 32);
    snprintf(expect, sizeof expect,
             "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"%s\",\"x\":\"%s\"}", thumb, x64);
    CHECK_STR(jwk, expect);
    free(x64);
    CHECK_INT(cx_keys_new(path, "other", &again, &err), CX_EINPUT);
    CHECK(again == NULL);
    CHECK_CONTAINS(err.message, "already exists; credex keys new never overwrites");
    CHECK_STR(err.file, path);
    cx__ed25519_private_clear(&k);
    CHECK_INT(cx__ed25519_private_load(path, &k, &err), CX_OK); /* untouched */
    CHECK_STR(k.kid, thumb);
    cx__ed25519_private_clear(&k);
    CHECK_INT(cx_keys_new(path, "bad\"kid", &again, &err), CX_EUSAGE);
    unlink(path);
    free(jwk);
}

static const test_case tests[] = {
    {"b64url_encoder_round_trips", b64url_encoder_round_trips},
    {"rfc8037_key_signs_its_example", rfc8037_key_signs_its_example},
    {"rfc8037_thumbprint", rfc8037_thumbprint},
    {"signed_tokens_verify_with_the_project_verifier",
     signed_tokens_verify_with_the_project_verifier},
    {"malformed_keys_are_refused_where_they_are_wrong",
     malformed_keys_are_refused_where_they_are_wrong},
    {"keys_new_writes_a_private_file_once", keys_new_writes_a_private_file_once},
    {NULL, NULL},
};

TEST_MAIN(tests)
