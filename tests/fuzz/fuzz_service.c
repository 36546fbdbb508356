/*
 * fuzz_service.c -- libFuzzer target of the request handler of `credex
 * serve` (cx_service_handle): an input is an HTTP request as text, read
 * into a cx_request and answered over the EV mechanic registry and packs.
 * Aborts when an answer is not a documented status with a whole JSON body
 * in the error shape or a documented answer. Opens no socket.
 *
 * An input reads like a request on the wire: "METHOD TARGET\n", header
 * lines "Name: value\n" (Authorization and Content-Type are kept, others
 * skipped), an empty line, then the body (every byte left, NUL included).
 * TARGET is the path, percent-decoded here as the transport decodes it,
 * then '?' and the query, passed as it is. A request with an Authorization
 * header goes to a service opened with a tokens file (tokens below), one
 * without to a service opened without (every scope). fuzz_committed counts
 * the requests answered 200: the replay checks its corpus reaches answers.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "credex.h"
#include "fuzz.h"
#include "pages.h"

#define EV    TEST_SRC "/examples/ev-mechanic"
#define TODAY "2026-06-01"

/* The tokens of the tokens file: "Bearer NAME-token" authenticates as NAME. */
static const struct {
    const char *name, *scopes, *extra;
} tokens[] = {
    {"all", "[read, decide, whatif, admin]", ""},
    {"reader", "[read]", ""},
    {"ca-only", "[read, decide]", ", jurisdictions: [US-CA]"},
    {"slow", "[decide]", ", rate: 2"},
};

static char db_path[512], tokens_path[512];

static void remove_files(void)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", ".snapshot"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s%s", db_path, suffixes[i]);
        remove(path);
    }
    remove(tokens_path);
}

static void die(const char *what, const cx_error *err)
{
    fprintf(stderr, "fuzz_service: %s: %s\n", what, err ? err->message : "");
    abort();
}

/* The tokens file of the tokens above, at tokens_path. */
static void write_tokens(void)
{
    FILE *f = fopen(tokens_path, "w");
    if (!f) die("cannot write the tokens file", NULL);
    fputs("tokens:\n", f);
    for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
        char token[64], hex[65];
        snprintf(token, sizeof token, "%s-token", tokens[i].name);
        cx_token_hash(token, hex);
        fprintf(f, "  - {name: %s, sha256: %s, scopes: %s%s}\n", tokens[i].name, hex,
                tokens[i].scopes, tokens[i].extra);
    }
    fclose(f);
}

/* The two services, opened once for the whole run (freed by no one:
 * libFuzzer ends the process; the files go at exit). */
static cx_service *service(int with_tokens)
{
    static cx_service *open_svc, *token_svc;
    if (!open_svc) {
        const char *dir = getenv("TEST_TMP") ? getenv("TEST_TMP") : "/tmp";
        const char *catalog[] = {EV "/catalog.yaml"};
        const char *rules[] = {EV "/rules"};
        cx_registry *r = NULL;
        cx_error err;
        cx_error_clear(&err);
        snprintf(db_path, sizeof db_path, "%s/fuzz-service-%ld.db", dir, (long)getpid());
        snprintf(tokens_path, sizeof tokens_path, "%s/fuzz-service-%ld.yaml", dir, (long)getpid());
        remove(db_path);
        atexit(remove_files);
        if (cx_registry_open(db_path, CX_OPEN_CREATE, &r, &err) != CX_OK ||
            cx_catalog_import(r, catalog, 1, NULL, NULL, NULL, &err) != CX_OK)
            die("cannot build the registry", &err);
        cx_registry_close(r);
        write_tokens();
        cx_service_options o = {.db = db_path, .rules = rules, .nrules = 1};
        if (cx_service_open(&o, &open_svc, NULL, &err) != CX_OK)
            die("cannot open the service", &err);
        o.tokens = tokens_path;
        if (cx_service_open(&o, &token_svc, NULL, &err) != CX_OK)
            die("cannot open the service with tokens", &err);
    }
    return with_tokens ? token_svc : open_svc;
}

/* The next line of [*p, end) as a malloc'd string without its "\r\n";
 * *p moves past it. */
static char *next_line(const char **p, const char *end)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *stop = nl ? nl : end;
    size_t n = (size_t)(stop - *p);
    if (n && (*p)[n - 1] == '\r') n--;
    char *line = malloc(n + 1);
    if (!line) abort();
    memcpy(line, *p, n);
    line[n] = '\0';
    *p = nl ? nl + 1 : end;
    return line;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes %XX in s in place (a malformed escape is kept as it is). */
static void percent_decode(char *s)
{
    char *out = s;
    for (char *in = s; *in; in++) {
        int hi, lo;
        if (in[0] == '%' && (hi = hex_digit(in[1])) >= 0 && (lo = hex_digit(in[2])) >= 0) {
            *out++ = (char)(hi * 16 + lo);
            in += 2;
        } else {
            *out++ = *in;
        }
    }
    *out = '\0';
}

/* The value of header line named name ("Name: value"), or NULL. */
static const char *header_value(const char *line, const char *name)
{
    size_t n = strlen(name);
    if (strncasecmp(line, name, n) != 0 || line[n] != ':') return NULL;
    line += n + 1;
    while (*line == ' ' || *line == '\t') line++;
    return line;
}

static int documented_status(int status)
{
    static const int ok[] = {200, 400, 401, 403, 404, 405, 413, 415, 429, 503};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (status == ok[i]) return 1;
    return 0;
}

static int is_string(const json_t *o, const char *key)
{
    return json_is_string(json_object_get(o, key));
}

/* 1 when body is the error shape {"error": {"code", "message", "pointer"}}. */
static int error_shape(const json_t *body)
{
    const json_t *e = json_object_get(body, "error");
    return json_object_size(body) == 1 && json_is_object(e) && json_object_size(e) == 3 &&
           is_string(e, "code") && is_string(e, "message") && is_string(e, "pointer");
}

/* 1 when d is a decision (docs/json.md): its kind, status and trace. */
static int decision_shape(const json_t *d)
{
    return json_is_object(d) && is_string(d, "kind") && is_string(d, "status") &&
           json_is_object(json_object_get(d, "trace"));
}

/* 1 when a 200's body is a documented answer: an object, not the error
 * shape; when it holds decisions, each is a decision, or in a batch (a
 * list inside a list) also an error or a holder's decisions. */
static int answer_shape(const json_t *body, int in_batch)
{
    if (!json_is_object(body) || json_object_get(body, "error")) return 0;
    const json_t *list = json_object_get(body, "decisions");
    if (list) {
        size_t i;
        const json_t *d;
        if (!json_is_array(list)) return 0;
        json_array_foreach(list, i, d)
        {
            if (decision_shape(d)) continue;
            if (in_batch || !(error_shape(d) || answer_shape(d, 1))) return 0;
        }
    }
    const char *kind = json_string_value(json_object_get(body, "kind"));
    if (kind && (!strcmp(kind, "equiv") || !strcmp(kind, "transfer") || !strcmp(kind, "audit")))
        return decision_shape(body);
    return 1;
}

/* 1 when res is a page (GET /, /pages/FILE): a 200 whose bytes are those
 * of the embedded file its path names (the query left out). */
static int page_answer(const cx_request *req, const cx_response *res)
{
    char path[512];
    size_t n = strcspn(req->path, "?");
    if (res->status != 200 || n >= sizeof path) return 0;
    memcpy(path, req->path, n);
    path[n] = '\0';
    const cx_page *page = cx__page_find(path);
    return page && page->len == res->body_len && !memcmp(page->bytes, res->body, page->len) &&
           !strcmp(page->content_type, res->content_type);
}

static void check_answer(const cx_request *req, const cx_response *res)
{
    const char *why = NULL;
    json_error_t jerr;
    json_t *body = NULL;
    if (res->content_type && strcmp(res->content_type, "application/json") != 0) {
        if (!page_answer(req, res)) why = "a body that is neither JSON nor the page its path names";
    } else if (!documented_status(res->status))
        why = "an undocumented status";
    else if (!res->body || res->body_len == 0 || res->body[res->body_len - 1] != '\n')
        why = "a body that does not end in a newline";
    else if (!(body = json_loadb(res->body, res->body_len, JSON_REJECT_DUPLICATES, &jerr)))
        why = "a body that is not one JSON value";
    else if (res->status == 200 ? !answer_shape(body, 0) : !error_shape(body))
        why = res->status == 200 ? "a 200 that is no documented answer"
                                 : "an error not in the error shape";
    json_decref(body);
    if (!why) return;
    fprintf(stderr, "fuzz_service: %s %s: %s: %d %.*s\n", req->method, req->path, why, res->status,
            (int)(res->body_len > 2000 ? 2000 : res->body_len), res->body ? res->body : "");
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint64_t calls;
    const char *p = (const char *)data, *end = p + size;
    char *request_line = next_line(&p, end);
    char *auth = NULL, *type = NULL;
    for (;;) {
        if (p == end) break;
        char *line = next_line(&p, end);
        const char *v;
        if (!*line) {
            free(line);
            break;
        }
        if ((v = header_value(line, "Authorization"))) {
            free(auth);
            auth = strdup(v);
        } else if ((v = header_value(line, "Content-Type"))) {
            free(type);
            type = strdup(v);
        }
        free(line);
    }
    char *target = strchr(request_line, ' ');
    if (target)
        *target++ = '\0';
    else
        target = request_line + strlen(request_line);
    char *version = strchr(target, ' ');
    if (version) *version = '\0';
    char *query = strchr(target, '?');
    if (query) *query++ = '\0';
    percent_decode(target);

    cx_request req = {.method = request_line,
                      .path = target,
                      .query = query,
                      .authorization = auth,
                      .content_type = type,
                      .body = p < end ? p : NULL,
                      .body_len = (size_t)(end - p),
                      .today = TODAY,
                      .second = calls++ / 4};
    cx_response res;
    if (cx_service_handle(service(auth != NULL), &req, &res) != CX_OK) {
        fprintf(stderr, "fuzz_service: %s %s: no answer\n", req.method, req.path);
        abort();
    }
    check_answer(&req, &res);
    if (res.status == 200) fuzz_committed++;
    cx_response_clear(&res);
    free(request_line);
    free(auth);
    free(type);
    return 0;
}
