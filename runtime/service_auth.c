/*
 * service_auth.c -- who may ask the service what: the tokens file (YAML,
 * checked strictly, located errors), bearer tokens compared by SHA-256 in
 * constant time, scopes, jurisdictions and per-second rates. It answers
 * only 401, 403 and 429 errors; the endpoints are service_routes.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "service_int.h"
#include "yaml_reader.h"

static const char *const scope_names[] = {"read", "decide", "whatif", "admin", "issue", NULL};

/* ---------------------------------------------------------- tokens file */

static int hex_digest(const char *hex, unsigned char out[32])
{
    if (strlen(hex) != 64) return -1;
    for (size_t i = 0; i < 64; i++) {
        char ch = hex[i];
        int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
        if (v < 0) return -1;
        out[i / 2] = (unsigned char)(i % 2 ? out[i / 2] | v : v << 4);
    }
    return 0;
}

/* A list of scalars (scopes or jurisdictions) of key n. */
static int scalar_list(const char *file, const cx_ynode *n, const char *key, cx_error *err)
{
    if (n->kind != CX_YLIST)
        return cx__ynode_error(err, file, n, "expected '%s' to be a list", key);
    for (size_t i = 0; i < n->count; i++) {
        const char *text;
        int rc = cx__yscalar(file, n->items[i], key, &text, err);
        if (rc) return rc;
    }
    return CX_OK;
}

static int token_scopes(const char *file, const cx_ynode *n, unsigned *out, cx_error *err)
{
    int rc = scalar_list(file, n, "scopes", err);
    for (size_t i = 0; rc == CX_OK && i < n->count; i++) {
        const char *name = n->items[i]->text;
        size_t k = 0;
        while (scope_names[k] && strcmp(scope_names[k], name) != 0) k++;
        if (!scope_names[k])
            return cx__ynode_error(
                err, file, n->items[i],
                "unknown scope '%s'; expected read, decide, whatif, admin or issue", name);
        *out |= 1u << k;
    }
    return rc;
}

static int token_rate(const char *file, const cx_ynode *n, uint64_t *out, cx_error *err)
{
    const char *text;
    char *end;
    int rc = cx__yscalar(file, n, "rate", &text, err);
    if (rc) return rc;
    unsigned long long v = text[0] >= '1' && text[0] <= '9' ? strtoull(text, &end, 10) : 0;
    if (v == 0 || *end || v > 1000000000)
        return cx__ynode_error(err, file, n,
                               "expected 'rate' to be requests per second, 1 to 1000000000");
    *out = v;
    return CX_OK;
}

static int token_read(const char *file, const cx_ynode *n, cx__token *t, cx_error *err)
{
    static const char *const keys[] = {"name", "sha256", "scopes", "jurisdictions", "rate", NULL};
    static const char *const required[] = {"name", "sha256", "scopes", NULL};
    static const cx_yschema schema = {"token", NULL, keys, NULL, required, 1};
    const char *text;
    int rc = cx__ycheck_map(file, n, &schema, err);
    const cx_ynode *v;
    if (!rc) rc = cx__yscalar(file, cx__ymap_get(n, "name"), "name", &text, err);
    if (!rc && !(t->name = cx__strdup(text)))
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    if (!rc) rc = cx__yscalar(file, v = cx__ymap_get(n, "sha256"), "sha256", &text, err);
    if (!rc && hex_digest(text, t->digest) != 0)
        rc = cx__ynode_error(err, file, v,
                             "expected 'sha256' to be 64 lowercase hex digits (the SHA-256 "
                             "of the token, as `credex token new` prints it)");
    if (!rc) rc = token_scopes(file, cx__ymap_get(n, "scopes"), &t->scopes, err);
    if (!rc && (v = cx__ymap_get(n, "rate"))) rc = token_rate(file, v, &t->rate, err);
    if (!rc && (v = cx__ymap_get(n, "jurisdictions"))) {
        rc = scalar_list(file, v, "jurisdictions", err);
        t->jurisdictions = rc ? NULL : calloc(v->count + 1, sizeof *t->jurisdictions);
        if (!rc && !t->jurisdictions) rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        for (size_t i = 0; !rc && i < v->count; i++)
            if (!(t->jurisdictions[i] = cx__strdup(v->items[i]->text)))
                rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    return rc;
}

static void token_free(cx__token *t)
{
    free(t->name);
    for (size_t i = 0; t->jurisdictions && t->jurisdictions[i]; i++) free(t->jurisdictions[i]);
    free(t->jurisdictions);
    pthread_mutex_destroy(&t->lock);
}

int cx__tokens_load(const char *path, cx__tokens *out, cx_error *err)
{
    static const char *const keys[] = {"tokens", NULL};
    static const cx_yschema schema = {"tokens file", "top-level key", keys, NULL, keys, 1};
    cx_ydoc *doc = NULL;
    memset(out, 0, sizeof *out);
    int rc = cx__yaml_load_file(path, &doc, err);
    const cx_ynode *root = rc ? NULL : cx__ydoc_root(doc), *list = NULL;
    if (!rc && !root) rc = cx__error(err, CX_EINPUT, path, 0, 0, "empty tokens file");
    if (!rc) rc = cx__ycheck_map(path, root, &schema, err);
    if (!rc && (list = cx__ymap_get(root, "tokens"))->kind != CX_YLIST)
        rc = cx__ynode_error(err, path, list, "expected 'tokens' to be a list");
    if (!rc && !(out->v = calloc(list->count + 1, sizeof *out->v)))
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; !rc && i < list->count; i++) {
        pthread_mutex_init(&out->v[i].lock, NULL);
        out->n++;
        rc = token_read(path, list->items[i], &out->v[i], err);
        for (size_t j = 0; !rc && j < i; j++)
            if (strcmp(out->v[j].name, out->v[i].name) == 0)
                rc = cx__ynode_error(err, path, list->items[i], "a second token named '%s'",
                                     out->v[i].name);
    }
    cx__ydoc_free(doc);
    if (rc) cx__tokens_free(out);
    return rc;
}

void cx__tokens_free(cx__tokens *t)
{
    for (size_t i = 0; i < t->n; i++) token_free(&t->v[i]);
    free(t->v);
    memset(t, 0, sizeof *t);
}

/* ------------------------------------------------------- authentication */

/* Compares two digests in time that does not depend on where they differ. */
static int digest_equal(const unsigned char *a, const unsigned char *b)
{
    volatile unsigned char diff = 0;
    for (size_t i = 0; i < 32; i++) diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

/* The token whose digest matches: every token is compared, whichever matches. */
static const cx__token *token_find(const cx__tokens *tokens, const char *bearer)
{
    char hex[65];
    unsigned char digest[32];
    const cx__token *found = NULL;
    cx__sha256_hex(bearer, strlen(bearer), hex);
    hex_digest(hex, digest);
    for (size_t i = 0; i < tokens->n; i++)
        if (digest_equal(tokens->v[i].digest, digest)) found = &tokens->v[i];
    return found;
}

/* 1 when the token may make one more request in second. */
static int token_admit(cx__token *t, uint64_t second)
{
    if (!t->rate) return 1;
    pthread_mutex_lock(&t->lock);
    if (t->second != second) {
        t->second = second;
        t->used = 0;
    }
    int ok = t->used < t->rate;
    if (ok) t->used++;
    pthread_mutex_unlock(&t->lock);
    return ok;
}

/* Paths that need no token: health, version, the pages and the OpenAPI
 * document (docs/serve.md, "Tokens"). */
static int open_path(const char *path)
{
    return strcmp(path, "/v1/health") == 0 || strcmp(path, "/v1/version") == 0 ||
           strcmp(path, "/") == 0 || strcmp(path, "/openapi.json") == 0 ||
           strncmp(path, "/pages/", 7) == 0;
}

int cx__authenticate(cx__call *c)
{
    const char *auth = c->req->authorization;
    if (!c->svc->has_tokens) {
        c->caller.scopes = CX__SCOPE_ALL;
        return 0;
    }
    if (!auth || strncmp(auth, "Bearer ", 7) != 0) {
        if (open_path(c->req->path)) return 0;
        return cx__answer_error(c, 401, "unauthorized", NULL,
                                "this request needs a token: send 'Authorization: Bearer TOKEN'");
    }
    cx__token *t = (cx__token *)token_find(&c->svc->tokens, auth + 7);
    if (!t) return cx__answer_error(c, 401, "unauthorized", NULL, "unknown token");
    c->caller.token = t;
    c->caller.scopes = t->scopes;
    if (!token_admit(t, c->req->second))
        return cx__answer_error(c, 429, "rate_limited", NULL,
                                "token '%s' is over its rate of %llu requests per second", t->name,
                                (unsigned long long)t->rate);
    return 0;
}

int cx__require_scope(cx__call *c, unsigned scope)
{
    if (c->caller.scopes & scope) return 0;
    size_t k = 0;
    while ((1u << k) != scope) k++;
    return cx__answer_error(c, 403, "forbidden", NULL, "this request needs scope '%s'%s",
                            scope_names[k], c->caller.token ? "" : "; send a token that has it");
}

int cx__caller_allows(const cx__caller *caller, const char *jurisdiction)
{
    if (!caller->token || !caller->token->jurisdictions) return 1;
    if (!jurisdiction) return 0;
    for (char **j = caller->token->jurisdictions; *j; j++)
        if (strcmp(*j, jurisdiction) == 0) return 1;
    return 0;
}
