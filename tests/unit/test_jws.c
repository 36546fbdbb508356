/*
 * test_jws.c -- base64url, JWKs, trust sets and compact JWS verification
 * (runtime/jws.h): the fixtures of tests/fixtures/jws (made by
 * make_fixtures.py with openssl), the RFC 8037 and RFC 7515 examples, every
 * refusal by its message, and tokens flipped bit by bit.
 */
#include <stdint.h>

#include "jws.h"
#include "test.h"
#include "util.h"

#define FIX    TEST_SRC "/tests/fixtures/jws/"
#define ISSUER "https://1edtech.edu/issuers/565049"
#define OTHER  "https://other.example/issuers/2"

/* RFC 8037 A.1's public key and A.4's token. */
#define RFC8037_X "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
#define RFC8037_TOKEN                                                                              \
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-"        \
    "09PGcvMg3"                                                                                    \
    "AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
/* RFC 7515 A.3's key and token. */
#define RFC7515_X "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"
#define RFC7515_Y "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
#define RFC7515_TOKEN                                                                              \
    "eyJhbGciOiJFUzI1NiJ9."                                                                        \
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNv"                     \
    "bS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-"                                      \
    "F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxf"                                                       \
    "KTUJqPP3-Kg6NU1Q"

/* The file's bytes without trailing newlines; the caller frees. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *s = NULL;
    long n;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (s = malloc((size_t)n + 1))) {
        n = (long)fread(s, 1, (size_t)n, f);
        while (n > 0 && s[n - 1] == '\n') n--;
        s[n] = '\0';
    }
    fclose(f);
    return s;
}

/* A token made of the given header text, payload text and signature
 * bytes, into out. */
static void craft(const char *header, const char *payload, const void *sig, size_t sig_len,
                  char *out)
{
    test_b64url(header, strlen(header), out);
    strcat(out, ".");
    test_b64url(payload, strlen(payload), out + strlen(out));
    strcat(out, ".");
    test_b64url(sig, sig_len, out + strlen(out));
}

/* A trust set from YAML text; NULL with the formatted error in msg. */
static cx_trust *trust_yaml(const char *text, char *msg, size_t size)
{
    cx_ydoc *doc = NULL;
    cx_trust *t = NULL;
    cx_error err;
    cx_error_clear(&err);
    msg[0] = '\0';
    if (cx__yaml_load_buffer("trust.yaml", text, strlen(text), &doc, &err) == CX_OK)
        cx__trust_from_node("trust.yaml", cx__ydoc_root(doc), &t, &err);
    if (!t) cx_error_format(&err, msg, size);
    cx__ydoc_free(doc);
    return t;
}

/* The error message for a JWK given as one YAML flow mapping. */
static const char *jwk_error(const char *jwk)
{
    static char msg[1024];
    char text[2048];
    cx_trust *t;
    snprintf(text, sizeof text, "issuers:\n  - id: a\n    keys:\n      - %s\n", jwk);
    t = trust_yaml(text, msg, sizeof msg);
    if (t) snprintf(msg, sizeof msg, "(accepted)");
    cx__trust_free(t);
    return msg;
}

static cx_trust *fixture_trust(void)
{
    cx_trust *t = NULL;
    cx_error err;
    cx_error_clear(&err);
    CHECK_INT(cx__trust_load_file(FIX "trust.yaml", &t, &err), CX_OK);
    return t;
}

/* Decodes and verifies token as issuer's: CX_OK (outcome and key set) or
 * the error, formatted into msg. */
static int verify(const char *token, const cx_trust *t, const char *issuer, cx_jws_outcome *outcome,
                  const cx_jwk **key, char *msg, size_t size)
{
    cx_jws *jws = NULL;
    cx_error err;
    int rc;
    cx_error_clear(&err);
    *key = NULL;
    msg[0] = '\0';
    rc = cx__jws_decode("token.jwt", 1, 1, token, strlen(token), &jws, &err);
    if (rc == CX_OK) rc = cx__jws_verify(jws, t, issuer, outcome, key, &err);
    if (rc != CX_OK) cx_error_format(&err, msg, size);
    cx__jws_free(jws);
    return rc;
}

/* The refusal message of token (or "(verified)"). */
static const char *refusal(const char *token, const cx_trust *t, const char *issuer)
{
    static char msg[1024];
    cx_jws_outcome outcome;
    const cx_jwk *key;
    if (verify(token, t, issuer, &outcome, &key, msg, sizeof msg) == CX_OK)
        snprintf(msg, sizeof msg, outcome == CX_JWS_VERIFIED ? "(verified)" : "(no issuer)");
    return msg;
}

/* ---------------------------------------------------------------- base64url */

TEST(b64url_decodes_unpadded)
{
    static const struct {
        const char *in, *out;
    } ok[] = {{"", ""},        {"Zg", "f"},        {"Zm8", "fo"},
              {"Zm9v", "foo"}, {"Zm9vYg", "foob"}, {"_-8", "\xff\xef"}};
    for (size_t i = 0; i < CX_COUNT(ok); i++) {
        unsigned char *out = NULL;
        size_t len = 9;
        CHECK_INT(cx__b64url_decode(ok[i].in, strlen(ok[i].in), &out, &len), 0);
        CHECK_INT(len, strlen(ok[i].out));
        CHECK_STR((char *)out, ok[i].out);
        free(out);
    }
}

TEST(b64url_refuses_padding_and_foreign_characters)
{
    static const struct {
        const char *in;
        long at;
    } bad[] = {{"Zg==", 3}, {"Zm+v", 3}, {"Zm/v", 3}, {"Zm 9v", 3}, {"Zm9v\n", 5},
               {"Z", 1},    {"Zh", 2},   {"Zm9", 3},  {"Zm.v", 3},  {"Zm9\xc3\xa9", 4}};
    for (size_t i = 0; i < CX_COUNT(bad); i++) {
        unsigned char *out = (unsigned char *)"x";
        size_t len = 9;
        long at = cx__b64url_decode(bad[i].in, strlen(bad[i].in), &out, &len);
        if (at != bad[i].at) fprintf(stderr, "  case %s\n", bad[i].in);
        CHECK_INT(at, bad[i].at);
        CHECK(out == NULL);
        CHECK_INT(len, 0);
    }
}

/* ---------------------------------------------------------------------- JWK */

TEST(jwk_reads_the_rfc_keys)
{
    char msg[1024];
    cx_trust *t = trust_yaml("issuers:\n"
                             "  - id: rfc\n"
                             "    keys:\n"
                             "      - { kty: OKP, crv: Ed25519, x: " RFC8037_X ", kid: a1 }\n"
                             "      - { kty: EC, crv: P-256, x: " RFC7515_X ", y: " RFC7515_Y
                             ", use: sig, alg: ES256 }\n",
                             msg, sizeof msg);
    const cx_trust_issuer *is = cx__trust_issuer(t, "rfc");
    CHECK_STR(msg, "");
    CHECK(is != NULL);
    if (!is) goto done;
    CHECK_INT(is->nkeys, 2);
    CHECK_INT(is->keys[0].type, CX_JWK_ED25519);
    CHECK_STR(is->keys[0].kid, "a1");
    CHECK_INT(is->keys[0].x[0], 0xd7); /* "11qY": d7 5a 98 */
    CHECK_INT(is->keys[0].x[31], 0x1a);
    CHECK_INT(is->keys[0].line, 4);
    CHECK_INT(is->keys[0].column, 9);
    CHECK_INT(is->keys[1].type, CX_JWK_P256);
    CHECK(is->keys[1].kid == NULL);
    CHECK_INT(is->keys[1].x[0], 0x7f); /* "f83O": 7f cd ce */
    CHECK_INT(is->keys[1].y[0], 0xc7); /* "x_FE": c7 f1 44 */
    CHECK_STR(cx__jwk_alg(is->keys[1].type), "ES256");
    CHECK_STR(cx__jwk_type_name(is->keys[1].type), "P-256");
done:
    cx__trust_free(t);
}

TEST(jwk_refuses_bad_keys_located)
{
    char rsa1024[256], rsa_even[400], rsa_e1[400];
    unsigned char n[256];
    memset(n, 0xc5, sizeof n);
    test_b64url(n, 128, rsa1024 + sprintf(rsa1024, "{ kty: RSA, e: AQAB, n: "));
    strcat(rsa1024, " }");
    n[255] = 0xc4;
    test_b64url(n, 256, rsa_even + sprintf(rsa_even, "{ kty: RSA, e: AQAB, n: "));
    strcat(rsa_even, " }");
    n[255] = 0xc5;
    test_b64url(n, 256, rsa_e1 + sprintf(rsa_e1, "{ kty: RSA, e: AQ, n: "));
    strcat(rsa_e1, " }");

    CHECK_STR(
        jwk_error("{ kty: OKP, crv: Ed25519, x: 11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUQ }"),
        "trust.yaml:4:38: x of an Ed25519 key must be 32 bytes, found 31");
    CHECK_STR(jwk_error("{ kty: OKP, crv: Ed25519, x: " RFC8037_X "= }"),
              "trust.yaml:4:38: invalid base64url in 'x' at character 44: expected the url-safe "
              "alphabet (A-Z a-z 0-9 - _) without padding or whitespace");
    CHECK_STR(
        jwk_error("{ kty: OKP, crv: Ed25519, x: \"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo\" }"),
        "trust.yaml:4:38: invalid base64url in 'x' at character 14: expected the url-safe "
        "alphabet (A-Z a-z 0-9 - _) without padding or whitespace");
    CHECK_STR(jwk_error("{ kty: EC, crv: P-256, x: " RFC7515_X ", y: " RFC7515_Y "A }"),
              "trust.yaml:4:83: y of a P-256 key must be 32 bytes, found 33");
    CHECK_STR(jwk_error("{ kty: EC, crv: P-256, x: " RFC7515_X
                        ", y: x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a1 }"),
              "trust.yaml:4:83: invalid base64url in 'y' at character 43: expected the url-safe "
              "alphabet (A-Z a-z 0-9 - _) without padding or whitespace");
    CHECK_STR(jwk_error("{ kty: EC, crv: P-256, x: " RFC7515_X
                        ", y: y_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0 }"),
              "trust.yaml:4:9: the P-256 point (x, y) is not on the curve");
    CHECK_STR(jwk_error("{ kty: EC, crv: P-256, x: " RFC7515_X " }"),
              "trust.yaml:4:9: P-256 JWK is missing required key 'y'");
    CHECK_STR(jwk_error(rsa1024),
              "trust.yaml:4:33: RSA modulus of 1024 bits; between 2048 and 16384 are accepted");
    CHECK_STR(jwk_error(rsa_even), "trust.yaml:4:33: RSA modulus is even: not an RSA key");
    CHECK_STR(jwk_error(rsa_e1),
              "trust.yaml:4:24: RSA exponent must be odd, at least 3 and at most 64 bits");
    CHECK_STR(jwk_error("{ kty: OKP, crv: Ed25519, x: " RFC8037_X
                        ", d: nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A }"),
              "trust.yaml:4:83: private key member 'd' in a JWK; a trust document holds public "
              "keys only");
    CHECK_STR(jwk_error("{ kty: EC, crv: P-256, x: " RFC7515_X ", y: " RFC7515_Y
                        ", d: jpsQnnGQmL-YBIffH1136cLSG6d1Hk6sAJuSrRgkFE0 }"),
              "trust.yaml:4:128: private key member 'd' in a JWK; a trust document holds public "
              "keys only");
    CHECK_STR(jwk_error("{ kty: oct, k: AAAA }"),
              "trust.yaml:4:16: unsupported kty 'oct'; expected one of: OKP, EC, RSA (public keys; "
              "symmetric 'oct' keys are never trusted)");
    CHECK_STR(jwk_error("{ kty: OKP, crv: X25519, x: " RFC8037_X " }"),
              "trust.yaml:4:26: unsupported crv 'X25519' for kty OKP; expected Ed25519");
    CHECK_STR(jwk_error("{ kty: OKP, crv: Ed25519, x: " RFC8037_X ", alg: ES256 }"),
              "trust.yaml:4:88: alg 'ES256' does not suit an Ed25519 key; expected EdDSA");
    CHECK_STR(jwk_error("{ kty: OKP, crv: Ed25519, x: " RFC8037_X ", use: enc }"),
              "trust.yaml:4:88: use 'enc': a trusted key must be a signing key ('sig')");
    CHECK_STR(jwk_error("{ kty: OKP, crv: Ed25519, x: " RFC8037_X ", y: " RFC7515_Y " }"),
              "trust.yaml:4:83: unknown key 'y' in Ed25519 JWK (did you mean 'x'?); expected one "
              "of: kty, crv, x, kid, use, alg");
    CHECK_STR(jwk_error("{ crv: Ed25519, x: " RFC8037_X " }"),
              "trust.yaml:4:9: JWK is missing required key 'kty'");
    CHECK_STR(jwk_error("AAAA"), "trust.yaml:4:9: expected a JWK to be a mapping, found a scalar");
}

/* -------------------------------------------------------------------- trust */

TEST(trust_fixture_loads_and_looks_up)
{
    cx_trust *t = fixture_trust();
    const cx_trust_issuer *is = cx__trust_issuer(t, ISSUER);
    CHECK_INT(cx__trust_count(t), 2);
    CHECK(is != NULL);
    if (is) {
        CHECK_STR(is->id, ISSUER);
        CHECK_INT(is->nkeys, 3);
        CHECK_STR(is->keys[0].kid, "ed-1");
        CHECK_INT(is->keys[0].type, CX_JWK_ED25519);
        CHECK_STR(is->keys[1].kid, "p256-1");
        CHECK_INT(is->keys[1].type, CX_JWK_P256);
        CHECK_STR(is->keys[2].kid, "rsa-1");
        CHECK_INT(is->keys[2].type, CX_JWK_RSA);
        CHECK_INT(is->keys[2].n_len, 256);
        CHECK_INT(is->keys[2].e_len, 3);
        CHECK_INT(is->line, 3);
    }
    CHECK(cx__trust_issuer(t, OTHER) != NULL);
    CHECK(cx__trust_issuer(t, "https://1edtech.edu/issuers") == NULL);
    CHECK(cx__trust_issuer(t, "") == NULL);
    CHECK(cx__trust_issuer(NULL, ISSUER) == NULL);
    cx__trust_free(t);
    cx__trust_free(NULL);
}

TEST(trust_refuses_bad_documents_located)
{
    static const struct {
        const char *yaml, *msg;
    } bad[] = {
        {"issuers:\n  - id: a\n    keys: [{kty: OKP, crv: Ed25519, x: " RFC8037_X "}]\n"
         "  - id: b\n    keys: [{kty: OKP, crv: Ed25519, x: " RFC8037_X "}]\n"
         "  - id: a\n    keys: [{kty: OKP, crv: Ed25519, x: " RFC8037_X "}]\n",
         "trust.yaml:6:5: duplicate issuer id 'a' (first at line 2)"},
        {"issuers:\n  - id: a\n    keys:\n"
         "      - {kty: OKP, crv: Ed25519, x: " RFC8037_X ", kid: k}\n"
         "      - {kty: EC, crv: P-256, x: " RFC7515_X ", y: " RFC7515_Y ", kid: k}\n",
         "trust.yaml:5:9: duplicate kid 'k' for issuer 'a' (first at line 4)"},
        {"issuer:\n  - id: a\n",
         "trust.yaml:1:1: unknown top-level key 'issuer' in trust document (did you mean "
         "'issuers'?); expected one of: issuers"},
        {"issuers:\n  - id: a\n", "trust.yaml:2:5: issuer is missing required key 'keys'"},
        {"issuers:\n  - id: a\n    keys: []\n",
         "trust.yaml:3:11: expected 'keys' to be a non-empty list of JWKs, found an empty list"},
        {"issuers:\n  - id: a\n    keys: {}\n",
         "trust.yaml:3:11: expected 'keys' to be a non-empty list of JWKs, found a mapping"},
        {"issuers:\n  - id: a\n    name: A\n    keys: []\n",
         "trust.yaml:3:5: unknown key 'name' in issuer; expected one of: id, keys"},
        {"issuers: a\n", "trust.yaml:1:10: expected 'issuers' to be a list, found a scalar"},
        {"issuers:\n  - id: \"\"\n    keys: []\n",
         "trust.yaml:2:9: empty value for 'id'; give a value or leave the key out"},
        {"", "trust.yaml:1:1: empty trust document; expected 'issuers'"},
        {"- id: a\n", "trust.yaml:1:1: expected trust document to be a mapping, found a list"},
        {"issuers:\n  - a\n", "trust.yaml:2:5: expected issuer to be a mapping, found a scalar"},
    };
    for (size_t i = 0; i < CX_COUNT(bad); i++) {
        char msg[1024];
        cx_trust *t = trust_yaml(bad[i].yaml, msg, sizeof msg);
        CHECK(t == NULL);
        CHECK_STR(msg, bad[i].msg);
        cx__trust_free(t);
    }
}

/* ---------------------------------------------------------------------- JWS */

/* The fixture token name verifies as ISSUER's with the key of kid, and
 * gives the payload of payload.json. */
static void expect_fixture_verifies(const char *name, const char *kid, const char *alg)
{
    char path[512], msg[1024];
    cx_trust *t = fixture_trust();
    char *token, *payload = slurp(FIX "payload.json");
    cx_jws *jws = NULL;
    cx_jws_outcome outcome = CX_JWS_NO_ISSUER;
    const cx_jwk *key = NULL;
    cx_error err;
    snprintf(path, sizeof path, "%s%s", FIX, name);
    token = slurp(path);
    CHECK(token && payload);
    if (!token || !payload) goto done;
    CHECK_INT(cx__jws_decode(path, 1, 1, token, strlen(token), &jws, &err), CX_OK);
    if (!jws) goto done;
    CHECK_STR(jws->alg, alg);
    CHECK_STR((char *)jws->payload, payload);
    CHECK_INT(jws->payload_len, strlen(payload));
    CHECK_INT(cx__jws_verify(jws, t, ISSUER, &outcome, &key, &err), CX_OK);
    CHECK_INT(outcome, CX_JWS_VERIFIED);
    CHECK(key != NULL);
    if (key) CHECK_STR(key->kid, kid);
    if (key) CHECK_STR(cx__jwk_alg(key->type), alg);
    /* The same token as the other issuer's is refused or has no key. */
    CHECK_INT(verify(token, t, OTHER, &outcome, &key, msg, sizeof msg), CX_EINPUT);
    /* An issuer with no entry is a distinct outcome, not an error. */
    CHECK_INT(verify(token, t, "https://unknown.example/", &outcome, &key, msg, sizeof msg), CX_OK);
    CHECK_INT(outcome, CX_JWS_NO_ISSUER);
    CHECK(key == NULL);
done:
    cx__jws_free(jws);
    free(token);
    free(payload);
    cx__trust_free(t);
}

TEST(fixtures_verify_with_kid)
{
    expect_fixture_verifies("ed25519.jwt", "ed-1", "EdDSA");
    expect_fixture_verifies("es256.jwt", "p256-1", "ES256");
    expect_fixture_verifies("rs256.jwt", "rsa-1", "RS256");
}

TEST(fixtures_verify_without_kid_by_key_type)
{
    expect_fixture_verifies("es256-nokid.jwt", "p256-1", "ES256");
    expect_fixture_verifies("rs256-nokid.jwt", "rsa-1", "RS256");
}

TEST(header_members_are_kept)
{
    char *token = slurp(FIX "ed25519.jwt");
    cx_jws *jws = NULL;
    cx_error err;
    CHECK_INT(cx__jws_decode("t", 0, 0, token, strlen(token), &jws, &err), CX_OK);
    if (jws) {
        CHECK_STR(jws->kid, "ed-1");
        CHECK_STR(jws->typ, "JWT");
        CHECK_INT(jws->sig_len, 64);
        CHECK_INT(jws->signing_input_len, (size_t)(strrchr(token, '.') - token));
    }
    cx__jws_free(jws);
    free(token);
}

TEST(another_issuers_key_is_a_bad_signature)
{
    cx_trust *t = fixture_trust();
    char *token = slurp(FIX "ed25519-wrong-key.jwt");
    CHECK_STR(refusal(token, t, ISSUER),
              "token.jwt:1:1: bad signature: none of the 1 key(s) of issuer "
              "'https://1edtech.edu/issuers/565049' for alg EdDSA verifies this token");
    CHECK_STR(refusal(token, t, OTHER), "(verified)");
    free(token);
    cx__trust_free(t);
}

TEST(rfc8037_ed25519_example_verifies)
{
    char msg[1024];
    cx_trust *t = trust_yaml("issuers:\n  - id: rfc\n    keys:\n"
                             "      - { kty: OKP, crv: Ed25519, x: " RFC8037_X " }\n",
                             msg, sizeof msg);
    cx_jws *jws = NULL;
    cx_jws_outcome outcome;
    const cx_jwk *key = NULL;
    cx_error err;
    CHECK_INT(cx__jws_decode("rfc8037", 1, 1, RFC8037_TOKEN, strlen(RFC8037_TOKEN), &jws, &err),
              CX_OK);
    if (!jws) goto done;
    CHECK_STR((char *)jws->payload, "Example of Ed25519 signing");
    CHECK_INT(cx__jws_verify(jws, t, "rfc", &outcome, &key, &err), CX_OK);
    CHECK_INT(outcome, CX_JWS_VERIFIED);
    CHECK(key == &cx__trust_issuer(t, "rfc")->keys[0]);
done:
    cx__jws_free(jws);
    cx__trust_free(t);
}

TEST(rfc7515_es256_example_verifies)
{
    char msg[1024];
    cx_trust *t =
        trust_yaml("issuers:\n  - id: joe\n    keys:\n"
                   "      - { kty: EC, crv: P-256, x: " RFC7515_X ", y: " RFC7515_Y " }\n",
                   msg, sizeof msg);
    cx_jws *jws = NULL;
    cx_jws_outcome outcome;
    const cx_jwk *key = NULL;
    cx_error err;
    CHECK_INT(cx__jws_decode("rfc7515", 1, 1, RFC7515_TOKEN, strlen(RFC7515_TOKEN), &jws, &err),
              CX_OK);
    if (!jws) goto done;
    CHECK_STR((char *)jws->payload,
              "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}");
    CHECK_INT(cx__jws_verify(jws, t, "joe", &outcome, &key, &err), CX_OK);
    CHECK_INT(outcome, CX_JWS_VERIFIED);
    CHECK(key == &cx__trust_issuer(t, "joe")->keys[0]);
done:
    cx__jws_free(jws);
    cx__trust_free(t);
}

TEST(refusals_name_what_is_wrong)
{
    static const unsigned char sig64[64] = {1, 2, 3};
    static const struct {
        const char *header, *msg;
    } bad[] = {
        {"{\"alg\":\"none\"}", "token.jwt:1:1: JWS alg 'none' (an unsigned token) is refused"},
        {"{\"alg\":\"HS256\",\"kid\":\"ed-1\"}",
         "token.jwt:1:1: JWS alg 'HS256' is refused; expected EdDSA, ES256 or RS256 (public-key "
         "signatures: a symmetric alg such as HS256 is never accepted with public keys)"},
        {"{\"alg\":\"ES512\"}",
         "token.jwt:1:1: JWS alg 'ES512' is refused; expected EdDSA, ES256 or RS256 (public-key "
         "signatures: a symmetric alg such as HS256 is never accepted with public keys)"},
        {"{\"alg\":\"EdDSA\",\"crit\":[\"exp\"]}",
         "token.jwt:1:1: JWS header has 'crit': no header extension is understood, so the token "
         "is refused"},
        {"{\"alg\":\"EdDSA\",\"kid\":\"k9\"}",
         "token.jwt:1:1: JWS kid 'k9' names none of the keys of issuer "
         "'https://1edtech.edu/issuers/565049'"},
        {"{\"alg\":\"ES256\",\"kid\":\"ed-1\"}",
         "token.jwt:1:1: JWS alg ES256 does not suit key 'ed-1' of issuer "
         "'https://1edtech.edu/issuers/565049' (an Ed25519 key verifies EdDSA)"},
        {"{\"alg\":\"EdDSA\",\"kid\":\"ed-1\"}",
         "token.jwt:1:1: bad signature: key 'ed-1' of issuer 'https://1edtech.edu/issuers/565049' "
         "does not verify this EdDSA token"},
        {"{\"typ\":\"JWT\"}", "token.jwt:1:1: JWS header has no 'alg'"},
        {"{\"alg\":\"EdDSA\",\"alg\":\"EdDSA\"}",
         "token.jwt:1:1: JWS header is not a JSON object of strings: duplicate member"},
        {"{\"alg\":\"EdDSA\",\"b64\":false}",
         "token.jwt:1:1: JWS header is not a JSON object of strings: member values must be "
         "strings"},
        {"[\"alg\"]", "token.jwt:1:1: JWS header is not a JSON object of strings: expected a JSON "
                      "object"},
        {"{\"alg\":\"EdDSA\"} x",
         "token.jwt:1:1: JWS header is not a JSON object of strings: trailing bytes after the "
         "object"},
        {"{\"alg\":\"EdDSA\"", "token.jwt:1:1: JWS header is not a JSON object of strings: "
                               "expected ',' or '}'"},
        {"{\"alg\":\"EdDSA\",}",
         "token.jwt:1:1: JWS header is not a JSON object of strings: expected a string"},
        {"{\"alg\":\"Ed\\uD800DSA\"}",
         "token.jwt:1:1: JWS header is not a JSON object of strings: invalid \\u escape"},
        {"{\"alg\":\"Ed\\u0000\"}",
         "token.jwt:1:1: JWS header is not a JSON object of strings: invalid \\u escape"},
        {"{\"alg\":\"Ed\\x\"}",
         "token.jwt:1:1: JWS header is not a JSON object of strings: invalid escape in a string"},
        {"{\"alg\":\"Ed\nDSA\"}",
         "token.jwt:1:1: JWS header is not a JSON object of strings: control character in a "
         "string"},
        {"{\"alg\":\"EdDSA", "token.jwt:1:1: JWS header is not a JSON object of strings: "
                             "unterminated string"},
        {"{\"alg\" \"EdDSA\"}", "token.jwt:1:1: JWS header is not a JSON object of strings: "
                                "expected ':' after a member name"},
        {"{\"alg\":\"EdDSA\",\"kid\":\"\\u001b[2J\"}",
         "token.jwt:1:1: JWS header is not a JSON object of strings: invalid UTF-8 or a control "
         "character in a string"},
        {"{\"alg\":\"EdDSA\",\"kid\":\"\\u0085\"}",
         "token.jwt:1:1: JWS header is not a JSON object of strings: invalid UTF-8 or a control "
         "character in a string"},
        {"{\"alg\":\"EdDSA\",\"kid\":\"\xff\"}",
         "token.jwt:1:1: JWS header is not a JSON object of strings: invalid UTF-8 or a control "
         "character in a string"},
        {"{\"alg\":\"EdDSA\",\"kid\":\"\xc0\xaf\"}",
         "token.jwt:1:1: JWS header is not a JSON object of strings: invalid UTF-8 or a control "
         "character in a string"},
        {"{\"alg\":\"EdDSA\",\"kid\":\"\xed\xa0\x80\"}",
         "token.jwt:1:1: JWS header is not a JSON object of strings: invalid UTF-8 or a control "
         "character in a string"},
        {"{\"alg\":\"EdDSA\",\"kid\":\"\xe2\x82\"}",
         "token.jwt:1:1: JWS header is not a JSON object of strings: invalid UTF-8 or a control "
         "character in a string"},
        {"{\"alg\":\"EdDSA\",\"kid\":\"\xf4\x90\x80\x80\"}",
         "token.jwt:1:1: JWS header is not a JSON object of strings: invalid UTF-8 or a control "
         "character in a string"},
    };
    cx_trust *t = fixture_trust();
    for (size_t i = 0; i < CX_COUNT(bad); i++) {
        char token[512];
        craft(bad[i].header, "{}", sig64, sizeof sig64, token);
        CHECK_STR(refusal(token, t, ISSUER), bad[i].msg);
    }
    cx__trust_free(t);
}

/* {"alg":"EdDSA","x":"   ...   "} of exactly size bytes, into out. */
static void header_of_size(size_t size, char *out)
{
    static const char head[] = "{\"alg\":\"EdDSA\",\"x\":\"";
    size_t n = strlen(head);
    memcpy(out, head, n);
    memset(out + n, ' ', size - n - 2);
    strcpy(out + size - 2, "\"}");
}

TEST(oversized_header_is_refused)
{
    static const unsigned char sig64[64] = {0};
    static char header[5000], token[8000];
    cx_trust *t = fixture_trust();
    header_of_size(4097, header);
    craft(header, "{}", sig64, sizeof sig64, token);
    CHECK_STR(refusal(token, t, ISSUER), "token.jwt:1:1: JWS header of more than 4096 bytes");
    header_of_size(4096, header);
    CHECK_INT(strlen(header), 4096);
    craft(header, "{}", sig64, sizeof sig64, token);
    CHECK_STR(refusal(token, t, ISSUER),
              "token.jwt:1:1: bad signature: none of the 1 key(s) of issuer "
              "'https://1edtech.edu/issuers/565049' for alg EdDSA verifies this token");
    cx__trust_free(t);
}

TEST(header_escapes_decode)
{
    static const unsigned char sig64[64] = {0};
    char token[512];
    cx_jws *jws = NULL;
    cx_error err;
    craft(" {\"alg\" : \"\\u0045dDSA\", \"kid\":\"\\u00e9\\ud83d\\ude00\\/\\\"\"}\r\n", "", sig64,
          sizeof sig64, token);
    CHECK_INT(cx__jws_decode("t", 1, 1, token, strlen(token), &jws, &err), CX_OK);
    if (jws) {
        CHECK_STR(jws->alg, "EdDSA");
        CHECK_STR(jws->kid, "\xc3\xa9\xf0\x9f\x98\x80/\"");
        CHECK(jws->typ == NULL);
        CHECK_STR((char *)jws->payload, "");
    }
    cx__jws_free(jws);
    jws = NULL;
    craft("{\"alg\":\"EdDSA\",\"kid\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}", "", sig64,
          sizeof sig64, token);
    CHECK_INT(cx__jws_decode("t", 1, 1, token, strlen(token), &jws, &err), CX_OK);
    if (jws) CHECK_STR(jws->kid, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    cx__jws_free(jws);
}

TEST(algorithm_confusion_is_refused)
{
    /* A real HS256 MAC keyed with the issuer's public RSA key (its PEM). */
    cx_trust *t = fixture_trust();
    char *token = slurp(FIX "hs256-confusion.jwt");
    CHECK_STR(refusal(token, t, ISSUER),
              "token.jwt:1:1: JWS alg 'HS256' is refused; expected EdDSA, ES256 or RS256 "
              "(public-key signatures: a symmetric alg such as HS256 is never accepted with "
              "public keys)");
    free(token);
    cx__trust_free(t);
}

TEST(issuer_without_a_key_for_the_alg)
{
    cx_trust *t = fixture_trust();
    char *token = slurp(FIX "rs256-nokid.jwt");
    CHECK_STR(refusal(token, t, OTHER),
              "token.jwt:1:1: issuer 'https://other.example/issuers/2' has no key for alg RS256");
    free(token);
    cx__trust_free(t);
}

TEST(malformed_segments_are_located)
{
    static const struct {
        const char *token, *msg;
    } bad[] = {
        {"eyJhbGciOiJFZERTQSJ9.e30",
         "token.jwt:3:5: not a compact JWS: expected three base64url segments separated by '.'"},
        {"eyJhbGciOiJFZERTQSJ9.e30.AAAA.AAAA",
         "token.jwt:3:5: not a compact JWS: expected three base64url segments separated by '.'"},
        {"eyJhbGciOiJFZERTQSJ9.e30=.AAAA",
         "token.jwt:3:29: invalid base64url in the JWS payload at character 4: expected the "
         "url-safe alphabet (A-Z a-z 0-9 - _) without padding or whitespace"},
        {"eyJhbGciOiJFZERTQSJ9.e30.AA+A",
         "token.jwt:3:32: invalid base64url in the JWS signature at character 3: expected the "
         "url-safe alphabet (A-Z a-z 0-9 - _) without padding or whitespace"},
        {"eyJhbGciOiJFZERTQSJ9 .e30.AAAA",
         "token.jwt:3:25: invalid base64url in the JWS header at character 21: expected the "
         "url-safe alphabet (A-Z a-z 0-9 - _) without padding or whitespace"},
        {"eyJhbGciOiJFZERTQSJ9.e30.", "token.jwt:3:30: empty JWS signature"},
        {".e30.AAAA", "token.jwt:3:5: empty JWS header"},
    };
    for (size_t i = 0; i < CX_COUNT(bad); i++) {
        cx_jws *jws = NULL;
        cx_error err;
        char msg[1024];
        CHECK_INT(cx__jws_decode("token.jwt", 3, 5, bad[i].token, strlen(bad[i].token), &jws, &err),
                  CX_EINPUT);
        CHECK(jws == NULL);
        cx_error_format(&err, msg, sizeof msg);
        CHECK_STR(msg, bad[i].msg);
    }
}

TEST(signature_lengths_are_checked)
{
    cx_trust *t = fixture_trust();
    const cx_trust_issuer *is = cx__trust_issuer(t, ISSUER);
    static const unsigned char sig[300];
    for (size_t k = 0; is && k < is->nkeys; k++) {
        CHECK_INT(cx__jws_check_signature(&is->keys[k], "x", 1, sig, 0), 0);
        CHECK_INT(cx__jws_check_signature(&is->keys[k], "x", 1, sig, 63), 0);
        CHECK_INT(cx__jws_check_signature(&is->keys[k], "x", 1, sig, 64), 0);
        CHECK_INT(cx__jws_check_signature(&is->keys[k], "x", 1, sig, 256), 0);
    }
    cx__trust_free(t);
}

/* Flips bit b of every stride-th bit of token (all with stride 1) and
 * checks each result is refused; returns how many were tried. */
static size_t flip_all(const char *token, const cx_trust *t, const char *issuer, size_t stride)
{
    size_t len = strlen(token), tried = 0, refused = 0;
    char *copy = cx__strdup(token);
    for (size_t bit = 0; bit < len * 8; bit += stride) {
        char msg[1024];
        cx_jws_outcome outcome = CX_JWS_NO_ISSUER;
        const cx_jwk *key;
        copy[bit / 8] = (char)(copy[bit / 8] ^ (1 << (bit % 8)));
        if (verify(copy, t, issuer, &outcome, &key, msg, sizeof msg) == CX_EINPUT)
            refused++;
        else
            fprintf(stderr, "  bit %zu of %s... accepted\n", bit, token);
        copy[bit / 8] = token[bit / 8];
        tried++;
    }
    CHECK_INT(refused, tried);
    CHECK_STR(copy, token);
    free(copy);
    return tried;
}

TEST(every_bit_of_short_tokens_matters)
{
    char msg[1024];
    cx_trust *t = fixture_trust();
    cx_trust *rfc =
        trust_yaml("issuers:\n  - id: rfc\n    keys:\n"
                   "      - { kty: OKP, crv: Ed25519, x: " RFC8037_X " }\n"
                   "  - id: joe\n    keys:\n"
                   "      - { kty: EC, crv: P-256, x: " RFC7515_X ", y: " RFC7515_Y " }\n",
                   msg, sizeof msg);
    char *token = slurp(FIX "ed25519-short.jwt");
    CHECK_STR(refusal(token, t, ISSUER), "(verified)");
    CHECK_INT(flip_all(token, t, ISSUER, 1), strlen(token) * 8);
    CHECK_INT(flip_all(RFC8037_TOKEN, rfc, "rfc", 1), strlen(RFC8037_TOKEN) * 8);
    CHECK_INT(flip_all(RFC7515_TOKEN, rfc, "joe", 1), strlen(RFC7515_TOKEN) * 8);
    free(token);
    cx__trust_free(rfc);
    cx__trust_free(t);
}

TEST(sampled_bits_of_long_tokens_matter)
{
    static const char *const names[] = {"ed25519.jwt", "es256.jwt", "rs256.jwt", "rs256-nokid.jwt"};
    cx_trust *t = fixture_trust();
    for (size_t i = 0; i < CX_COUNT(names); i++) {
        char path[512];
        char *token;
        snprintf(path, sizeof path, "%s%s", FIX, names[i]);
        token = slurp(path);
        CHECK_STR(refusal(token, t, ISSUER), "(verified)");
        /* every 7th bit: each bit position within a byte, over all three segments */
        CHECK_INT(flip_all(token, t, ISSUER, 7), (strlen(token) * 8 + 6) / 7);
        free(token);
    }
    cx__trust_free(t);
}

/* PEM text with its BEGIN line's label replaced, or the body cut. */
static const char *pem_error(const char *pem)
{
    static char msg[1024];
    cx_jwk key;
    cx_error err;
    cx_error_clear(&err);
    if (cx__jwk_from_rsa_pem("envelope.json", 7, 3, pem, strlen(pem), &key, &err) == CX_OK) {
        cx__jwk_clear(&key);
        return "(accepted)";
    }
    cx_error_format(&err, msg, sizeof msg);
    return msg;
}

TEST(rsa_pem_key_finds_its_issuer)
{
    cx_trust *t = fixture_trust();
    char *pem = slurp(FIX "rsa-1.pem");
    cx_jwk key;
    const cx_jwk *found = NULL;
    const cx_trust_issuer *is;
    cx_error err;
    CHECK_INT(cx__jwk_from_rsa_pem("envelope.json", 7, 3, pem, strlen(pem), &key, &err), CX_OK);
    CHECK_INT(key.type, CX_JWK_RSA);
    CHECK_INT(key.n_len, 256);
    CHECK_INT(key.e_len, 3);
    CHECK(key.kid == NULL);
    is = cx__trust_issuer_by_key(t, &key, &found);
    CHECK(is != NULL);
    if (is) CHECK_STR(is->id, ISSUER);
    if (found) CHECK_STR(found->kid, "rsa-1");
    CHECK(found && cx__jwk_same(found, &key));
    /* another key of that issuer is not the same key */
    CHECK(is && !cx__jwk_same(&is->keys[0], &key));
    key.n[100] ^= 1;
    CHECK(cx__trust_issuer_by_key(t, &key, &found) == NULL);
    CHECK(found == NULL);
    cx__jwk_clear(&key);
    free(pem);
    cx__trust_free(t);
}

TEST(rsa_pem_refusals)
{
    char *pem = slurp(FIX "rsa-1.pem");
    char buf[4096];
    CHECK_STR(pem_error(pem), "(accepted)");
    snprintf(buf, sizeof buf, "%s\r\n", pem);
    CHECK_STR(pem_error(buf), "(accepted)");
    snprintf(buf, sizeof buf, "%s x", pem);
    CHECK_STR(pem_error(buf), "envelope.json:7:3: RSA public key: bytes after the END line");
    snprintf(buf, sizeof buf, "%.*s", (int)(strlen(pem) - 10), pem);
    CHECK_STR(pem_error(buf),
              "envelope.json:7:3: RSA public key: no '-----END RSA PUBLIC KEY-----' line");
    CHECK_STR(pem_error("-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n"),
              "envelope.json:7:3: RSA public key: expected a PEM block starting '-----BEGIN RSA "
              "PUBLIC KEY-----' (PKCS#1)");
    CHECK_STR(pem_error("-----BEGIN RSA PUBLIC KEY-----\nMA*A\n-----END RSA PUBLIC KEY-----"),
              "envelope.json:7:3: RSA public key: invalid base64 in the PEM block");
    CHECK_STR(pem_error("-----BEGIN RSA PUBLIC KEY-----\nMA A\n-----END RSA PUBLIC KEY-----"),
              "envelope.json:7:3: RSA public key: spaces in the PEM block");
    /* a SEQUENCE of one INTEGER (3): not modulus and exponent */
    CHECK_STR(pem_error("-----BEGIN RSA PUBLIC KEY-----\nMAMCAQM=\n-----END RSA PUBLIC KEY-----"),
              "envelope.json:7:3: RSA public key: not a PKCS#1 RSAPublicKey (SEQUENCE of "
              "modulus and exponent), or a modulus of more than 16384 bits");
    /* modulus 0xc5 x 64 (512 bits), exponent 65537: well-formed but too small */
    {
        unsigned char der[80] = {0x30, 0x48, 0x02, 0x41, 0x00};
        char b64[200];
        memset(der + 5, 0xc5, 64);
        memcpy(der + 69, "\x02\x03\x01\x00\x01", 5);
        test_b64url(der, 74, b64);
        for (char *c = b64; *c; c++) *c = *c == '-' ? '+' : *c == '_' ? '/' : *c;
        strcat(b64, "="); /* PEM's base64 is padded: 74 bytes leave two over */
        snprintf(buf, sizeof buf,
                 "-----BEGIN RSA PUBLIC KEY-----\n%s\n-----END RSA PUBLIC KEY-----", b64);
        CHECK_STR(
            pem_error(buf),
            "envelope.json:7:3: RSA modulus of 512 bits; between 2048 and 16384 are accepted");
    }
    free(pem);
}

static const test_case tests[] = {
    {"b64url_decodes_unpadded", b64url_decodes_unpadded},
    {"b64url_refuses_padding_and_foreign_characters",
     b64url_refuses_padding_and_foreign_characters},
    {"jwk_reads_the_rfc_keys", jwk_reads_the_rfc_keys},
    {"jwk_refuses_bad_keys_located", jwk_refuses_bad_keys_located},
    {"trust_fixture_loads_and_looks_up", trust_fixture_loads_and_looks_up},
    {"trust_refuses_bad_documents_located", trust_refuses_bad_documents_located},
    {"fixtures_verify_with_kid", fixtures_verify_with_kid},
    {"fixtures_verify_without_kid_by_key_type", fixtures_verify_without_kid_by_key_type},
    {"header_members_are_kept", header_members_are_kept},
    {"another_issuers_key_is_a_bad_signature", another_issuers_key_is_a_bad_signature},
    {"rfc8037_ed25519_example_verifies", rfc8037_ed25519_example_verifies},
    {"rfc7515_es256_example_verifies", rfc7515_es256_example_verifies},
    {"refusals_name_what_is_wrong", refusals_name_what_is_wrong},
    {"oversized_header_is_refused", oversized_header_is_refused},
    {"header_escapes_decode", header_escapes_decode},
    {"algorithm_confusion_is_refused", algorithm_confusion_is_refused},
    {"issuer_without_a_key_for_the_alg", issuer_without_a_key_for_the_alg},
    {"malformed_segments_are_located", malformed_segments_are_located},
    {"signature_lengths_are_checked", signature_lengths_are_checked},
    {"every_bit_of_short_tokens_matters", every_bit_of_short_tokens_matters},
    {"sampled_bits_of_long_tokens_matter", sampled_bits_of_long_tokens_matter},
    {"rsa_pem_key_finds_its_issuer", rsa_pem_key_finds_its_issuer},
    {"rsa_pem_refusals", rsa_pem_refusals},
    {NULL, NULL},
};

TEST_MAIN(tests)
