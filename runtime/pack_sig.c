/*
 * pack_sig.c -- signed rule packs: cx_pack_sign writes PACK.lua.sig for a
 * pack that loads; the pack trust set; and the check of a pack's signature
 * that rules.c runs before a pack is loaded. It signs and verifies through
 * jws.h only, and never decides whether the rules are right.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile.h"
#include "hash.h"
#include "json_reader.h"
#include "json_writer.h"
#include "pack_sig.h"
#include "util.h"

#define SIG_TYP "credex-pack+jws" /* the header's typ */

/* ------------------------------------------------------------ the trust */

int cx_pack_trust_load(const char *path, int require_signed, cx_pack_trust **out, cx_error *err)
{
    cx_pack_trust *t = calloc(1, sizeof *t);
    int rc = t ? CX_OK : cx__error(err, CX_ENOMEM, path, 0, 0, "out of memory");
    *out = NULL;
    if (rc == CX_OK && !(t->path = cx__strdup(path)))
        rc = cx__error(err, CX_ENOMEM, path, 0, 0, "out of memory");
    if (rc == CX_OK) rc = cx__trust_load_file(path, &t->trust, err);
    if (rc != CX_OK) {
        cx_pack_trust_free(t);
        return rc;
    }
    t->require_signed = require_signed;
    *out = t;
    return CX_OK;
}

void cx_pack_trust_free(cx_pack_trust *t)
{
    if (!t) return;
    cx__trust_free(t->trust);
    free(t->path);
    free(t);
}

void cx__pack_sig_clear(cx_pack_sig *s)
{
    if (!s) return;
    free(s->kid);
    free(s->authority);
    free(s->pack);
    free(s->version);
    free(s->token);
    free(s->where);
    memset(s, 0, sizeof *s);
}

/* ---------------------------------------------------------- the payload */

/* The signed statement about a pack, members in this fixed order. */
static void payload_json(cx_buf *b, const char *id, const char *version, const char *authority,
                         const char *sha256)
{
    cx__buf_add(b, "{\"pack\":", 8);
    cx__json_quote(b, id, strlen(id));
    cx__buf_add(b, ",\"version\":", 11);
    cx__json_quote(b, version, strlen(version));
    cx__buf_add(b, ",\"authority\":", 13);
    cx__json_quote(b, authority, strlen(authority));
    cx__buf_printf(b, ",\"sha256\":\"%s\"}", sha256);
}

/* The payload's members into s (pack, version, authority) and sha256. */
static int payload_read(const cx_jws *jws, cx_pack_sig *s, cx_error *err)
{
    static const char *const keys[] = {"pack", "version", "authority", "sha256", NULL};
    static const cx_yschema schema = {"pack signature payload", "member", keys, NULL, keys, 0};
    char **slots[] = {&s->pack, &s->version, &s->authority};
    cx_ydoc *doc = NULL;
    const char *text;
    int rc =
        cx__json_load_buffer(jws->file, (const char *)jws->payload, jws->payload_len, &doc, err);
    if (rc == CX_OK) rc = cx__ycheck_map(jws->file, cx__ydoc_root(doc), &schema, err);
    for (size_t i = 0; rc == CX_OK && i < 4; i++) {
        const cx_ynode *n = cx__ymap_get(cx__ydoc_root(doc), keys[i]);
        rc = cx__yscalar(jws->file, n, keys[i], &text, err);
        if (rc == CX_OK && i == 3 && strlen(text) != 64)
            rc = cx__ynode_error(err, jws->file, n, "sha256 must be 64 hex digits");
        if (rc == CX_OK && i == 3) memcpy(s->sha256, text, 65);
        if (rc == CX_OK && i < 3 && !(*slots[i] = cx__strdup(text)))
            rc = cx__error(err, CX_ENOMEM, jws->file, 0, 0, "out of memory");
    }
    cx__ydoc_free(doc);
    return rc;
}

/* ------------------------------------------------------------ verifying */

/* The trusted key of the signature's kid must be one of the authority's. */
static int signer_trusted(const cx_pack_trust *t, const cx_jws *jws, const char *authority,
                          cx_error *err)
{
    const cx_trust_issuer *is = cx__trust_issuer(t->trust, authority);
    if (!is)
        return cx__error(err, CX_EINPUT, jws->file, 1, 1,
                         "authority '%s' is not in the pack trust file %s: no key is trusted to "
                         "sign its packs",
                         authority, t->path);
    if (!jws->kid) return CX_OK; /* every key of the authority is tried */
    for (size_t k = 0; k < is->nkeys; k++)
        if (is->keys[k].kid && strcmp(is->keys[k].kid, jws->kid) == 0) return CX_OK;
    return cx__error(err, CX_EINPUT, jws->file, 1, 1,
                     "signed with key '%s', which is not among the keys %s trusts for authority "
                     "'%s': an unknown key, or a signer not trusted for that authority",
                     jws->kid, t->path, authority);
}

int cx__pack_sig_check_token(const cx_pack_trust *t, const char *where, const char *token, size_t n,
                             cx_pack_sig *out, cx_error *err)
{
    cx_jws *jws = NULL;
    const cx_jwk *key = NULL;
    cx_jws_outcome outcome;
    int rc;
    memset(out, 0, sizeof *out);
    while (n && (token[n - 1] == '\n' || token[n - 1] == '\r' || token[n - 1] == ' ')) n--;
    rc = cx__jws_decode(where, 1, 1, token, n, &jws, err);
    if (rc == CX_OK && strcmp(jws->alg, "EdDSA") != 0)
        rc = cx__error(err, CX_EINPUT, where, 1, 1,
                       "a pack signature must use alg EdDSA (an Ed25519 key), found %s", jws->alg);
    if (rc == CX_OK) rc = payload_read(jws, out, err);
    if (rc == CX_OK) rc = signer_trusted(t, jws, out->authority, err);
    if (rc == CX_OK) rc = cx__jws_verify(jws, t->trust, out->authority, &outcome, &key, err);
    if (rc == CX_OK && ((key->kid && !(out->kid = cx__strdup(key->kid))) ||
                        !(out->token = cx__strndup(token, n)) || !(out->where = cx__strdup(where))))
        rc = cx__error(err, CX_ENOMEM, where, 0, 0, "out of memory");
    cx__jws_free(jws);
    if (rc != CX_OK) cx__pack_sig_clear(out);
    return rc;
}

int cx__pack_sig_verify(const cx_pack_trust *t, const char *path, cx_pack_sig *out, cx_error *err)
{
    char *sig_path = NULL, *token = NULL;
    size_t n = 0;
    struct stat st;
    int rc = CX_OK;
    memset(out, 0, sizeof *out);
    if (!t) return CX_OK;
    if (!(sig_path = malloc(strlen(path) + 5)))
        return cx__error(err, CX_ENOMEM, path, 0, 0, "out of memory");
    strcpy(sig_path, path);
    strcat(sig_path, ".sig");
    if (stat(sig_path, &st) != 0 && errno == ENOENT) {
        if (t->require_signed)
            rc = cx__error(err, CX_EINPUT, path, 1, 1,
                           "the pack is not signed (no %s beside it), and only signed packs "
                           "are accepted",
                           sig_path);
    } else if ((rc = cx__yread_file(sig_path, &token, &n, err)) == CX_OK) {
        rc = cx__pack_sig_check_token(t, sig_path, token, n, out, err);
    }
    free(token);
    free(sig_path);
    return rc;
}

int cx__pack_sig_matches(const cx_pack_sig *s, const char *id, const char *version,
                         const char *authority, const char *source, size_t len, cx_error *err)
{
    char sha[65];
    if (!s->token) return CX_OK;
    if (strcmp(s->pack, id) != 0 || !version || strcmp(s->version, version) != 0)
        return cx__error(err, CX_EINPUT, s->where, 1, 1,
                         "the signature is for pack '%s' version '%s', but the pack declares "
                         "pack '%s' version '%s': a .sig of another pack or version",
                         s->pack, s->version, id, version ? version : "(none)");
    if (!authority || strcmp(s->authority, authority) != 0)
        return cx__error(err, CX_EINPUT, s->where, 1, 1,
                         "the signature is for authority '%s', but the pack declares authority "
                         "'%s'",
                         s->authority, authority ? authority : "(none)");
    cx__sha256_hex(source, len, sha);
    if (strcmp(sha, s->sha256) != 0)
        return cx__error(err, CX_EINPUT, s->where, 1, 1,
                         "the signature is for other bytes of pack '%s' version '%s' (it signs "
                         "sha256 %.12s..., the file's is %.12s...): the pack changed after it was "
                         "signed; sign it again (credex pack sign)",
                         id, version, s->sha256, sha);
    return CX_OK;
}

/* -------------------------------------------------------------- signing */

/* Writes text to path through a temporary file beside it and a rename, so
 * a reader sees the old file or the new one, never half of one. */
static int write_replace(const char *path, const char *text, size_t n, cx_error *err)
{
    char *tmp = malloc(strlen(path) + 8);
    int fd = -1, e = 0;
    if (!tmp) return cx__error(err, CX_ENOMEM, path, 0, 0, "out of memory");
    strcpy(tmp, path);
    strcat(tmp, ".XXXXXX");
    if ((fd = mkstemp(tmp)) < 0) e = errno;
    if (!e && fchmod(fd, 0644) != 0) e = errno;
    for (size_t done = 0; !e && done < n;) {
        ssize_t w = write(fd, text + done, n - done);
        if (w < 0 && errno != EINTR) e = errno;
        if (w > 0) done += (size_t)w;
    }
    if (!e && fsync(fd) != 0) e = errno;
    if (fd >= 0 && close(fd) != 0 && !e) e = errno;
    if (!e && rename(tmp, path) != 0) e = errno;
    if (e && fd >= 0) unlink(tmp);
    free(tmp);
    return e ? cx__error(err, CX_EINPUT, path, 0, 0, "cannot write the signature: %s", strerror(e))
             : CX_OK;
}

/* The header, members in the fixed order alg, kid, typ. */
static void header_json(cx_buf *b, const char *kid)
{
    cx__buf_add(b, "{\"alg\":\"EdDSA\"", 14);
    if (kid) {
        cx__buf_add(b, ",\"kid\":", 7);
        cx__json_quote(b, kid, strlen(kid));
    }
    cx__buf_printf(b, ",\"typ\":\"%s\"}", SIG_TYP);
}

/* Signs the loaded pack info with k into path + ".sig". */
static int sign_loaded(const cx_pack_info *info, const cx_ed25519_private *k, const char *path,
                       cx_error *err)
{
    char sha[65], *token = NULL, *sig_path = NULL;
    cx_buf header, payload;
    int rc = CX_OK;
    if (!info->authority || !info->version)
        return cx__error(err, CX_EINPUT, path, 1, 1,
                         "a pack to sign must declare its authority and version: pack \"%s\" "
                         "{ authority = \"...\", version = \"...\" }",
                         info->id);
    cx__buf_init(&header);
    cx__buf_init(&payload);
    cx__sha256_hex(info->source, info->source_len, sha);
    header_json(&header, k->kid);
    payload_json(&payload, info->id, info->version, info->authority, sha);
    cx__buf_add(&header, "", 1);
    if (!header.oom && !payload.oom)
        token = cx__jws_sign_eddsa(k, header.data, payload.data, payload.len);
    if (token && (sig_path = malloc(strlen(path) + 5))) {
        sprintf(sig_path, "%s.sig", path);
        size_t n = strlen(token);
        token[n] = '\n'; /* the file is the token and a newline */
        rc = write_replace(sig_path, token, n + 1, err);
    } else {
        rc = cx__error(err, CX_ENOMEM, path, 0, 0, "out of memory");
    }
    free(sig_path);
    free(token);
    cx__buf_free(&header);
    cx__buf_free(&payload);
    return rc;
}

int cx_pack_sign(cx_registry *r, const char *pack, const char *key, cx_diagnostics *diags,
                 cx_error *err)
{
    cx_ed25519_private k;
    cx_rules *rules = NULL;
    struct stat st;
    int rc;
    if (stat(pack, &st) != 0 || !S_ISREG(st.st_mode))
        return cx__error(err, CX_EINPUT, pack, 0, 0, "not a pack file (one .lua file is signed)");
    if ((rc = cx__ed25519_private_load(key, &k, err)) != CX_OK) return rc;
    rc = cx_rules_load(r, &pack, 1, &rules, diags, err);
    if (rc == CX_OK) rc = sign_loaded(cx__rules_pack(rules, 0), &k, pack, err);
    cx_rules_free(rules);
    cx__ed25519_private_clear(&k);
    return rc;
}
