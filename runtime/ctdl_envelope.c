/*
 * ctdl_envelope.c -- Credential Registry envelopes: the JWS in `resource`
 * is verified with the RSA key the envelope carries, the trust file says
 * whether that key is trusted, and only the verified payload is mapped
 * (never `decoded_resource`). Signatures are checked through jws.h only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctdl_int.h"
#include "json_reader.h"
#include "jws.h"

int cx__ctdl_is_envelope(const cx_ynode *root)
{
    return root && root->kind == CX_YMAP && cx__ymap_get(root, "envelope_type") &&
           cx__ymap_get(root, "resource") && cx__ymap_get(root, "resource_public_key");
}

/* An error of a library call (located nowhere in the JSON tree) again,
 * located at node n. */
static int relocate(ctdl *x, const cx_ynode *n, const char *what)
{
    char msg[sizeof x->err->message];
    snprintf(msg, sizeof msg, "%s", x->err->message);
    return cx__ctdl_fail(x, n, "%s: %s", what, msg);
}

/* The text of the string member key of the envelope, or a located error. */
static int member(ctdl *x, const cx_ynode *root, const char *key, const cx_ynode **out)
{
    *out = cx__ymap_get(root, key);
    if (!*out || (*out)->kind != CX_YSCALAR || (*out)->plain)
        return cx__ctdl_fail(x, *out ? *out : root, "a registry envelope needs '%s' as a string",
                             key);
    return CX_OK;
}

/* Whether the key that signed is trusted: the trust entry holding it, or,
 * with none, an unverified import only when asked for. */
static int trust_key(ctdl *x, const cx_jws *jws, const cx_jwk *key, const cx_ynode *at)
{
    cx_trust *trust = NULL;
    const cx_jwk *found = NULL;
    const cx_trust_issuer *issuer = NULL;
    int rc = x->opts->trust ? cx__trust_load_file(x->opts->trust, &trust, x->err) : CX_OK;
    if (rc) return rc;
    if (trust) issuer = cx__trust_issuer_by_key(trust, key, &found);
    if (issuer) {
        cx_jws_outcome outcome;
        const cx_jwk *used;
        rc = cx__jws_verify(jws, trust, issuer->id, &outcome, &used, x->err);
        if (rc == CX_EINPUT) rc = relocate(x, at, "resource");
    } else if (x->opts->allow_unverified) {
        cx__ctdl_report(x, at, "resource_public_key",
                        "signed by a key no trust entry holds: imported unverified");
    } else {
        rc = cx__ctdl_fail(x, at,
                           "signed by a key no trust entry holds; give --trust FILE with an "
                           "issuer holding it, or --allow-unverified");
    }
    cx__trust_free(trust);
    return rc;
}

/* The verified payload of the envelope root as a JSON document named
 * "<file>#resource". */
static int verified_payload(ctdl *x, const cx_ynode *root, cx_ydoc **payload)
{
    const cx_ynode *resource, *pem, *encoding;
    cx_jwk key;
    cx_jws *jws = NULL;
    char name[600];
    memset(&key, 0, sizeof key);
    *payload = NULL;
    int rc = member(x, root, "resource", &resource);
    if (rc || (rc = member(x, root, "resource_public_key", &pem))) return rc;
    encoding = cx__ymap_get(root, "resource_encoding");
    if (encoding && (encoding->kind != CX_YSCALAR || strcmp(encoding->text, "jwt") != 0))
        return cx__ctdl_fail(x, encoding, "a resource encoding credex does not read; expected jwt");
    if (cx__jwk_from_rsa_pem(x->file, 0, 0, pem->text, pem->len, &key, x->err))
        return relocate(x, pem, "resource_public_key");
    if (cx__jws_decode(x->file, 0, 0, resource->text, resource->len, &jws, x->err)) {
        rc = relocate(x, resource, "resource");
        goto done;
    }
    if (strcmp(jws->alg, cx__jwk_alg(key.type)) != 0 ||
        !cx__jws_check_signature(&key, jws->signing_input, jws->signing_input_len, jws->sig,
                                 jws->sig_len)) {
        rc = cx__ctdl_fail(x, resource,
                           "bad signature: the resource is not what resource_public_key signed");
        goto done;
    }
    if ((rc = trust_key(x, jws, &key, resource))) goto done;
    snprintf(name, sizeof name, "%s#resource", x->file);
    rc = cx__json_load_buffer(name, (const char *)jws->payload, jws->payload_len, payload, x->err);
done:
    cx__jws_free(jws);
    cx__jwk_clear(&key);
    return rc;
}

int cx__ctdl_envelope(ctdl *x, const cx_ynode *root, cx_ydoc **out)
{
    cx_ydoc *payload = NULL;
    *out = NULL;
    int rc = verified_payload(x, root, &payload);
    if (rc) return rc;
    const cx_ynode *decoded = cx__ymap_get(root, "decoded_resource");
    if (decoded)
        cx__ctdl_report(x, decoded, "decoded_resource",
                        "not read: the verified resource is mapped instead");
    if (!cx__ctdl_recognises(cx__ydoc_root(payload)) ||
        cx__ctdl_is_envelope(cx__ydoc_root(payload)))
        rc = cx__ctdl_fail(x, cx__ymap_get(root, "resource"),
                           "the envelope's resource is not a CTDL document");
    else
        rc = cx__ctdl_map(payload, x->opts, out, x->err);
    cx__ydoc_free(payload);
    return rc;
}
