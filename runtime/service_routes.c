/*
 * service_routes.c -- the endpoints of `credex serve` (docs/serve.md): a
 * request's path, query and JSON body checked into the arguments of an
 * existing library call, the call made with the caller's evaluator, the
 * answer rendered by the CLI's renderers; the embedded pages; the route
 * table (what-if and diff are service_whatif.c's). It builds no decision
 * JSON itself.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "date.h"
#include "pages.h"
#include "render.h"
#include "service_int.h"
#include "snapshot.h"

#define MAX_BATCH  1000 /* requests in one POST /v1/decisions */
#define MAX_LIMIT  1000 /* rows in one page of a list */
#define PAGE_LIMIT 100  /* rows in a page when limit is not given */

int cx__problem_set(cx__problem *p, int status, const char *code, const char *pointer,
                    const char *message)
{
    p->status = status;
    p->code = code;
    snprintf(p->pointer, sizeof p->pointer, "%s", pointer ? pointer : "");
    snprintf(p->message, sizeof p->message, "%s", message);
    return status;
}

int cx__answer_problem(cx__call *c, const cx__problem *p)
{
    return cx__answer_error(c, p->status, p->code, p->pointer, "%s", p->message);
}

/* ----------------------------------------------------------- UTF-8, ids */

int cx__valid_utf8(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += cx__utf8_next((const unsigned char *)s + i, n - i, &cp);
        if (cp == CX_BAD_CP) return 0;
    }
    return 1;
}

/* base + "/" + key as a JSON Pointer: '~' written "~0", '/' written "~1". */
void cx__pointer_to(char *out, size_t size, const char *base, const char *key)
{
    size_t n = (size_t)snprintf(out, size, "%s/", base);
    for (; *key && n + 3 < size; key++) {
        if (*key == '~' || *key == '/') {
            out[n++] = '~';
            out[n++] = *key == '~' ? '0' : '1';
        } else {
            out[n++] = *key;
        }
    }
    out[n < size ? n : size - 1] = '\0';
}

/* -------------------------------------------------------- decision asks */

enum { ASK_EQUIV, ASK_TRANSFER, ASK_TRANSFER_HOLDER, ASK_AUDIT };

/* One decision asked for, its members pointing into the request's JSON. */
typedef struct ask {
    int kind;
    const char *from, *to, *in, *credential, *holder, *stack, *as_of;
    char at[64]; /* the JSON Pointer of the ask: "" or "/requests/N" */
} ask;

typedef struct field {
    const char *name;
    const char **slot;
} field;

/* Reads obj's members into the ask's fields: each a string, none unknown,
 * the required ones present. 0, or 400 in p. */
static int ask_fields(const json_t *obj, ask *a, const char *const *required, cx__problem *p)
{
    field fields[] = {{"from", &a->from},     {"to", &a->to},
                      {"in", &a->in},         {"credential", &a->credential},
                      {"holder", &a->holder}, {"stack", &a->stack},
                      {"as_of", &a->as_of}};
    static const char *const allowed[4][6] = {{"from", "to", "in", "as_of", NULL},
                                              {"credential", "from", "to", "as_of", NULL},
                                              {"holder", "to", "as_of", NULL},
                                              {"holder", "stack", "as_of", NULL}};
    char ptr[600], msg[800];
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value)
    {
        size_t f = 0, k = 0;
        cx__pointer_to(ptr, sizeof ptr, a->at, key);
        if (strcmp(key, "kind") == 0 && a->at[0]) continue; /* read by the batch */
        while (allowed[a->kind][k] && strcmp(allowed[a->kind][k], key) != 0) k++;
        if (!allowed[a->kind][k]) {
            snprintf(msg, sizeof msg, "unknown field '%s'", key);
            return cx__problem_set(p, 400, "unknown_field", ptr, msg);
        }
        if (!json_is_string(value)) {
            snprintf(msg, sizeof msg, "expected '%s' to be a string", key);
            return cx__problem_set(p, 400, "wrong_type", ptr, msg);
        }
        while (strcmp(fields[f].name, key) != 0) f++;
        *fields[f].slot = json_string_value(value);
        if (strlen(*fields[f].slot) != json_string_length(value)) {
            snprintf(msg, sizeof msg, "NUL character in '%s'", key);
            return cx__problem_set(p, 400, "bad_value", ptr, msg);
        }
    }
    for (size_t i = 0; required[i]; i++)
        if (!json_object_get(obj, required[i])) {
            snprintf(msg, sizeof msg, "missing field '%s'", required[i]);
            return cx__problem_set(p, 400, "missing_field", a->at, msg);
        }
    return 0;
}

/* The ask obj makes, of kind (ASK_TRANSFER also reads the holder form). */
static int ask_read(const json_t *obj, int kind, ask *a, cx__problem *p)
{
    static const char *const equiv_req[] = {"from", "to", NULL};
    static const char *const transfer_req[] = {"credential", "from", "to", NULL};
    static const char *const holder_req[] = {"holder", "to", NULL};
    static const char *const audit_req[] = {"holder", NULL};
    if (!json_is_object(obj))
        return cx__problem_set(p, 400, "wrong_type", a->at, "expected a JSON object");
    a->kind = kind == ASK_TRANSFER && json_object_get(obj, "holder") ? ASK_TRANSFER_HOLDER : kind;
    const char *const *req = a->kind == ASK_EQUIV      ? equiv_req
                             : a->kind == ASK_TRANSFER ? transfer_req
                             : a->kind == ASK_AUDIT    ? audit_req
                                                       : holder_req;
    int rc = ask_fields(obj, a, req, p);
    if (rc == 0 && a->as_of) {
        cx_date d;
        const char *why;
        char ptr[600], msg[800];
        if (cx__date_parse(a->as_of, &d, &why) != 0) {
            snprintf(ptr, sizeof ptr, "%s/as_of", a->at);
            snprintf(msg, sizeof msg, "expected 'as_of' to be a date YYYY-MM-DD: %s", why);
            return cx__problem_set(p, 400, "bad_value", ptr, msg);
        }
    }
    return rc;
}

/* The first id of a that the snapshot lacks: 404 in p (with the nearest). */
static int ask_unknown(const cx_snapshot *snap, const ask *a, cx__problem *p)
{
    const struct {
        const char *name, *id;
        int kind;
    } ids[] = {{"holder", a->holder, CX_KIND_HOLDER},
               {"credential", a->credential, CX_KIND_CREDENTIAL},
               {"from", a->from, a->kind == ASK_EQUIV ? CX_KIND_CREDENTIAL : CX_KIND_JURISDICTION},
               {"to", a->to, a->kind == ASK_EQUIV ? CX_KIND_CREDENTIAL : CX_KIND_JURISDICTION},
               {"in", a->in, CX_KIND_JURISDICTION}};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        if (!ids[i].id || cx__snapshot_find(snap, ids[i].kind, ids[i].id) != CX_NOSYM) continue;
        const char *near = cx__snapshot_nearest(snap, ids[i].kind, ids[i].id);
        char ptr[600], msg[900];
        snprintf(ptr, sizeof ptr, "%s/%s", a->at, ids[i].name);
        snprintf(msg, sizeof msg, "no %s '%s' in the registry%s%s%s",
                 cx_kind_name((cx_kind)ids[i].kind), ids[i].id, near ? "; did you mean '" : "",
                 near ? near : "", near ? "'?" : "");
        return cx__problem_set(p, 404, "not_found", ptr, msg);
    }
    return 0;
}

/* 0 when the caller may ask a (decisions into, or holders of, its
 * jurisdictions), else 403 in p. */
static int ask_allowed(const cx__call *c, const cx_snapshot *snap, const ask *a, cx__problem *p)
{
    const char *j = a->kind == ASK_EQUIV ? a->in : a->to;
    if (a->kind == ASK_AUDIT) {
        cx_sym h = cx__snapshot_find(snap, CX_KIND_HOLDER, a->holder);
        j = cx__snapshot_id(snap, CX_KIND_JURISDICTION, snap->holders[h].jurisdiction);
    }
    if (cx__caller_allows(&c->caller, j)) return 0;
    char msg[800];
    snprintf(msg, sizeof msg, "token '%s' may not ask about %s%s", c->caller.token->name,
             j ? "jurisdiction " : "decisions without a jurisdiction", j ? j : "");
    return cx__problem_set(p, 403, "forbidden", a->at, msg);
}

/* Appends decisions as {"decisions": [...]}: each the bytes
 * cx_decision_json writes, without its newline; each kept for the log. */
static int put_decisions(cx__call *c, cx_buf *b, cx_decision *const *v, size_t n)
{
    cx__buf_puts(b, "{\"decisions\":[");
    for (size_t i = 0; i < n; i++) {
        char *s = cx_decision_json(v[i]);
        if (!s) return -1;
        if (i) cx__buf_puts(b, ",");
        cx__buf_add(b, s, strlen(s) - 1);
        cx__call_keep_for_log(c, s);
        free(s);
    }
    cx__buf_puts(b, "]}");
    return 0;
}

/* Makes the decision a asks for, appending its JSON (no newline) to b, or
 * the problem to p. */
static int ask_decide(cx__call *c, const ask *a, cx_buf *b, cx__problem *p)
{
    cx__evaluator *ev;
    const cx_snapshot *snap = cx__rules_snapshot(c->gen->rules);
    int rc = ask_unknown(snap, a, p);
    if (rc || (rc = ask_allowed(c, snap, a, p))) return rc;
    cx_error err;
    cx_error_clear(&err);
    if ((rc = cx__call_evaluator(c, &ev, &err)) != CX_OK)
        return rc == CX_ENOMEM ? -1 : cx__problem_set(p, 500, "internal", a->at, err.message);
    const char *as_of = a->as_of ? a->as_of : c->req->today;
    cx_decision *one = NULL, **v = NULL;
    size_t n = 0;
    if (a->kind == ASK_EQUIV)
        rc = cx_equiv(ev->rules, a->from, a->to, a->in, as_of, &one, &err);
    else if (a->kind == ASK_TRANSFER)
        rc = cx_transfer(ev->rules, a->credential, a->from, a->to, as_of, &one, &err);
    else if (a->kind == ASK_TRANSFER_HOLDER)
        rc = cx_transfer_holder(ev->rules, a->holder, a->to, as_of, &v, &n, &err);
    else
        rc = cx_audit(ev->rules, a->holder, a->stack, as_of, &v, &n, &err);
    if (rc == CX_OK && one) {
        char *s = cx_decision_json(one);
        if (s) cx__buf_add(b, s, strlen(s) - 1);
        if (s) cx__call_keep_for_log(c, s);
        rc = s ? 0 : -1;
        free(s);
    } else if (rc == CX_OK) {
        rc = put_decisions(c, b, v, n);
    } else if (rc == CX_EUSAGE) { /* the only id not checked above: the stack */
        char ptr[600];
        snprintf(ptr, sizeof ptr, "%s/%s", a->at, a->stack ? "stack" : "");
        rc = cx__problem_set(p, 404, "not_found", ptr, err.message);
    } else {
        rc = rc == CX_ENOMEM ? -1 : cx__problem_set(p, 500, "internal", a->at, err.message);
    }
    cx_decision_free(one);
    cx_decisions_free(v, n);
    return rc;
}

/* ------------------------------------------------------------- requests */

/* The request's body as a JSON value, or 400/415 in p. */
json_t *cx__body_json(const cx__call *c, cx__problem *p)
{
    const char *ct = c->req->content_type;
    size_t n = strlen("application/json");
    if (!ct || strncmp(ct, "application/json", n) != 0 || (ct[n] && ct[n] != ';' && ct[n] != ' ')) {
        cx__problem_set(p, 415, "unsupported_media_type", NULL,
                        "expected a JSON body with 'Content-Type: application/json'");
        return NULL;
    }
    json_error_t jerr;
    json_t *v = json_loadb(c->req->body ? c->req->body : "", c->req->body_len,
                           JSON_REJECT_DUPLICATES, &jerr);
    if (!v) {
        char msg[800];
        snprintf(msg, sizeof msg, "malformed JSON at line %d, column %d: %s", jerr.line,
                 jerr.column, jerr.text);
        cx__problem_set(p, 400, "bad_json", NULL, msg);
    }
    return v;
}

/* POST /v1/equiv, /v1/transfer, /v1/audit. */
static int post_decision(cx__call *c, int kind)
{
    cx__problem p;
    ask a = {0};
    cx_buf b;
    int rc = cx__require_scope(c, CX__SCOPE_DECIDE);
    if (rc) return rc;
    json_t *body = cx__body_json(c, &p);
    if (!body) return cx__answer_problem(c, &p);
    cx__buf_init(&b);
    rc = ask_read(body, kind, &a, &p);
    if (rc == 0) rc = ask_decide(c, &a, &b, &p);
    json_decref(body);
    if (rc == 0) {
        cx__buf_puts(&b, "\n");
        return cx__answer_buf(c, 200, &b);
    }
    cx__buf_free(&b);
    return rc < 0 ? rc : cx__answer_problem(c, &p);
}

/* The 409 body for a stack not met: the error, and the decision beside it,
 * into b. 0, or -1 when out of memory. */
static int not_met_body(const cx_decision *d, cx_buf *b)
{
    char msg[900];
    snprintf(msg, sizeof msg, "stack '%s' is %s for holder '%s' as of %s: nothing issued", d->stack,
             cx_status_name(d->status), d->holder, d->as_of);
    json_t *e = json_pack("{s:{s:s, s:o, s:s}}", "error", "code", "not_met", "message",
                          cx__json_text(msg, strlen(msg)), "pointer", "");
    char *error = e ? json_dumps(e, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    char *decision = cx_decision_json(d);
    json_decref(e);
    if (error && decision) {
        cx__buf_add(b, error, strlen(error) - 1); /* without its closing brace */
        cx__buf_puts(b, ",\"decision\":");
        cx__buf_add(b, decision, strlen(decision) - 1); /* without its newline */
        cx__buf_puts(b, "}\n");
    }
    int rc = error && decision ? 0 : -1;
    free(error);
    free(decision);
    return rc;
}

/* The 200 body {"jwt": ...} of a badge (jwt ends in a newline), into b;
 * the decision is kept for the log. 0, or -1 when out of memory. */
static int jwt_body(cx__call *c, const char *jwt, const cx_decision *d, cx_buf *b)
{
    json_t *o = json_pack("{s:s%}", "jwt", jwt, strlen(jwt) - 1);
    char *body = o ? json_dumps(o, JSON_COMPACT) : NULL, *logged = cx_decision_json(d);
    json_decref(o);
    if (body && logged) {
        cx__buf_puts(b, body);
        cx__buf_puts(b, "\n");
        cx__call_keep_for_log(c, logged);
    }
    int rc = body && logged ? 0 : -1;
    free(body);
    free(logged);
    return rc;
}

/* Issues the badge a (holder, stack, as_of) asks for: 0 with *status and
 * the body in b (200 {"jwt"}, or 409 when the stack is not met), the
 * problem's status with p, or -1 when out of memory. */
static int issue_badge(cx__call *c, const ask *a, int *status, cx_buf *b, cx__problem *p)
{
    cx__evaluator *ev;
    cx_decision *d = NULL;
    char *jwt = NULL;
    cx_error err;
    cx_error_clear(&err);
    int rc = cx__call_evaluator(c, &ev, &err);
    if (rc != CX_OK)
        return rc == CX_ENOMEM ? -1 : cx__problem_set(p, 500, "internal", NULL, err.message);
    cx_issue_options opt = {a->holder, a->stack, a->as_of ? a->as_of : c->req->today, CX_ISSUE_JWT};
    rc = cx_issue(ev->reg, ev->rules, c->svc->issuer, &opt, &jwt, &d, &err);
    if (rc == CX_EUSAGE) /* the only id not checked before: the stack */
        rc = cx__problem_set(p, 404, "not_found", "/stack", err.message);
    else if (rc)
        rc = rc == CX_ENOMEM ? -1 : cx__problem_set(p, 500, "internal", NULL, err.message);
    else
        rc = jwt ? jwt_body(c, jwt, d, b) : not_met_body(d, b);
    *status = jwt ? 200 : 409;
    free(jwt);
    cx_decision_free(d);
    return rc;
}

/* POST /v1/issue: {holder, stack, as_of} -> {"jwt": ...} (scope issue;
 * the server's issuer, or 404 when it was started without one). */
static int post_issue(cx__call *c)
{
    cx__problem p;
    ask a = {0};
    cx_buf b;
    int status = 0, rc = cx__require_scope(c, CX__SCOPE_ISSUE);
    if (rc) return rc;
    if (!c->svc->issuer)
        return cx__answer_error(c, 404, "no_such_endpoint", NULL,
                                "POST /v1/issue is off: start credex serve with --issuer-key, "
                                "--issuer-id and --issuer-name (docs/serve.md)");
    json_t *body = cx__body_json(c, &p);
    if (!body) return cx__answer_problem(c, &p);
    const cx_snapshot *snap = cx__rules_snapshot(c->gen->rules);
    cx__buf_init(&b);
    rc = ask_read(body, ASK_AUDIT, &a, &p);
    if (rc == 0 && !a.stack)
        rc = cx__problem_set(&p, 400, "missing_field", "", "missing field 'stack'");
    if (rc == 0) rc = ask_unknown(snap, &a, &p);
    if (rc == 0) rc = ask_allowed(c, snap, &a, &p);
    if (rc == 0) rc = issue_badge(c, &a, &status, &b, &p);
    json_decref(body);
    if (rc == 0) return cx__answer_buf(c, status, &b);
    cx__buf_free(&b);
    return rc < 0 ? rc : cx__answer_problem(c, &p);
}

static const char *const kind_names[] = {"equiv", "transfer", NULL, "audit"};

/* One request of a batch: its kind, then the ask. */
static int batch_read(const json_t *item, size_t i, ask *a, cx__problem *p)
{
    char ptr[600];
    snprintf(a->at, sizeof a->at, "/requests/%zu", i);
    snprintf(ptr, sizeof ptr, "%s/kind", a->at);
    const json_t *k = json_is_object(item) ? json_object_get(item, "kind") : NULL;
    if (!json_is_object(item))
        return cx__problem_set(p, 400, "wrong_type", a->at, "expected a JSON object");
    if (!k) return cx__problem_set(p, 400, "missing_field", a->at, "missing field 'kind'");
    for (int kind = 0; kind < 4; kind++)
        if (kind_names[kind] && json_is_string(k) &&
            strcmp(json_string_value(k), kind_names[kind]) == 0)
            return ask_read(item, kind, a, p);
    return cx__problem_set(p, 400, "bad_value", ptr,
                           "expected 'kind' to be \"equiv\", \"transfer\" or \"audit\"");
}

/* The asks of a batch body {"requests": [...]} into *out (malloc'd, the
 * caller frees it) and *n: 0, 400 in p, or -1 when out of memory. */
static int batch_asks(const json_t *body, ask **out, size_t *n, cx__problem *p)
{
    const char *key;
    json_t *value, *list = json_object_get(body, "requests");
    *out = NULL;
    *n = 0;
    if (!json_is_object(body))
        return cx__problem_set(p, 400, "wrong_type", "", "expected a JSON object");
    json_object_foreach((json_t *)body, key, value)
    {
        if (strcmp(key, "requests") == 0) continue;
        char ptr[600], msg[800];
        cx__pointer_to(ptr, sizeof ptr, "", key);
        snprintf(msg, sizeof msg, "unknown field '%s'", key);
        return cx__problem_set(p, 400, "unknown_field", ptr, msg);
    }
    if (!json_is_array(list))
        return cx__problem_set(p, 400, list ? "wrong_type" : "missing_field",
                               list ? "/requests" : "",
                               "expected 'requests' to be a list of decision requests");
    if (json_array_size(list) > MAX_BATCH)
        return cx__problem_set(p, 400, "too_many", "/requests",
                               "at most 1000 requests in one batch");
    ask *asks = calloc(json_array_size(list) + 1, sizeof *asks);
    if (!asks) return -1;
    for (size_t i = 0; i < json_array_size(list); i++) {
        int rc = batch_read(json_array_get(list, i), i, &asks[i], p);
        if (rc) {
            free(asks);
            return rc;
        }
    }
    *out = asks;
    *n = json_array_size(list);
    return 0;
}

/* Appends the answer to one ask of a batch: its decision JSON, or its
 * error object in its place. 0, or -1 when out of memory. */
static int batch_answer(cx__call *c, const ask *a, cx_buf *b)
{
    cx__problem p;
    int rc = ask_decide(c, a, b, &p);
    if (rc <= 0) return rc;
    cx_response r = {0};
    cx__call e = *c; /* the error object, made as a response of its own */
    e.res = &r;
    rc = cx__answer_problem(&e, &p) < 0 ? -1 : 0;
    if (rc == 0) cx__buf_add(b, r.body, r.body_len - 1); /* without its newline */
    cx_response_clear(&r);
    return rc;
}

/* POST /v1/decisions: {"requests": [...]} -> {"decisions": [...]} in
 * request order; an ask with an unknown id or a jurisdiction the token
 * may not ask about is answered by its error object in its place. */
static int post_decisions(cx__call *c)
{
    cx__problem p;
    ask *asks = NULL;
    size_t n = 0;
    cx_buf b;
    int rc = cx__require_scope(c, CX__SCOPE_DECIDE);
    if (rc) return rc;
    json_t *body = cx__body_json(c, &p);
    if (!body) return cx__answer_problem(c, &p);
    rc = batch_asks(body, &asks, &n, &p);
    cx__buf_init(&b);
    cx__buf_puts(&b, "{\"decisions\":[");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (i) cx__buf_puts(&b, ",");
        rc = batch_answer(c, &asks[i], &b);
    }
    free(asks);
    json_decref(body);
    if (rc == 0) {
        cx__buf_puts(&b, "]}\n");
        return cx__answer_buf(c, 200, &b);
    }
    cx__buf_free(&b);
    return rc < 0 ? rc : cx__answer_problem(c, &p);
}

/* --------------------------------------------------------------- reads */

/* GET /v1/{credentials,holders,groups}/ID: the `show --format json` object. */
static int get_entity(cx__call *c, cx_list_kind kind, const char *id)
{
    cx__evaluator *ev;
    cx_error err;
    char *json = NULL, forbidden[600] = "";
    int rc = cx__require_scope(c, CX__SCOPE_READ);
    if (rc) return rc;
    if (!cx__valid_utf8(id)) return cx__answer_error(c, 400, "bad_id", NULL, "the id is not UTF-8");
    cx_error_clear(&err);
    if ((rc = cx__call_evaluator(c, &ev, &err)) != CX_OK)
        return rc == CX_ENOMEM ? -1 : cx__answer_error(c, 500, "internal", NULL, "%s", err.message);
    if (kind == CX_LIST_CREDENTIALS) {
        cx_credential *x = NULL;
        if ((rc = cx_registry_credential(ev->reg, id, &x, &err)) == CX_OK)
            json = cx_credential_json(x);
        cx_credential_free(x);
    } else if (kind == CX_LIST_HOLDERS) {
        cx_holder *x = NULL;
        if ((rc = cx_registry_holder(ev->reg, id, &x, &err)) == CX_OK &&
            !cx__caller_allows(&c->caller, x->jurisdiction)) /* a holder of another place */
            snprintf(forbidden, sizeof forbidden, "token '%s' may not read holders of %s",
                     c->caller.token->name, x->jurisdiction ? x->jurisdiction : "no jurisdiction");
        else if (rc == CX_OK)
            json = cx_holder_json(x);
        cx_holder_free(x);
    } else {
        cx_group *x = NULL;
        if ((rc = cx_registry_group(ev->reg, id, &x, &err)) == CX_OK) json = cx_group_json(x);
        cx_group_free(x);
    }
    if (forbidden[0]) return cx__answer_error(c, 403, "forbidden", NULL, "%s", forbidden);
    if (rc == CX_EUSAGE) return cx__answer_error(c, 404, "not_found", NULL, "%s", err.message);
    if (rc) return cx__answer_error(c, 500, "internal", NULL, "%s", err.message);
    if (!json) return -1;
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_puts(&b, json);
    free(json);
    return cx__answer_buf(c, 200, &b);
}

/* One page of a listing being collected. */
typedef struct page {
    const cx__caller *caller;
    const char *q, *after;
    size_t limit, count;
    cx_list_writer *w;
    cx_buf rows; /* the rows' JSON Lines */
    char *next;  /* the id to continue after, when there is more */
} page;

static int contains(const char *s, const char *q)
{
    return s && strstr(s, q) != NULL;
}

static int page_row(void *ud, const cx_list_row *row)
{
    page *pg = ud;
    if (pg->after && strcmp(row->id, pg->after) <= 0) return 0;
    if (pg->q && !contains(row->id, pg->q) && !contains(row->name, pg->q)) return 0;
    if (row->kind == CX_LIST_HOLDERS && !cx__caller_allows(pg->caller, row->jurisdiction)) return 0;
    if (pg->count == pg->limit) return 1; /* one more than the page: there is a next one */
    free(pg->next);
    pg->next = cx__strdup(row->id); /* the last row so far */
    pg->count++;
    return cx_list_writer_row(pg->w, row) ? -1 : 0;
}

/* Decodes a query value in place: %XX and '+'. 0, or -1 when malformed. */
static int query_decode(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (*s == '+') {
            *o++ = ' ';
        } else if (*s == '%') {
            unsigned v;
            if (!s[1] || !s[2] || sscanf(s + 1, "%2x", &v) != 1 || v == 0) return -1;
            *o++ = (char)v;
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return 0;
}

/* Reads the query of a listing into filter and pg; 0, or 400 in p. */
static int list_query(char *query, cx_list_kind kind, cx_list_filter *f, page *pg, cx__problem *p)
{
    static const char *const names[] = {"type", "tag",   "jurisdiction", "provider",
                                        "q",    "limit", "after",        NULL};
    const char **slots[] = {&f->type, &f->tag, &f->jurisdiction, &f->provider,
                            &pg->q,   NULL,    &pg->after};
    const unsigned bits[] = {CX_FILTER_TYPE, CX_FILTER_TAG, CX_FILTER_JURISDICTION,
                             CX_FILTER_PROVIDER};
    char msg[800], ptr[300];
    for (char *save = NULL, *kv = query ? strtok_r(query, "&", &save) : NULL; kv;
         kv = strtok_r(NULL, "&", &save)) {
        char *value = strchr(kv, '=');
        if (value) *value++ = '\0';
        size_t k = 0;
        while (names[k] && strcmp(names[k], kv) != 0) k++;
        snprintf(ptr, sizeof ptr, "?%s", kv);
        if (!names[k] || (k < 4 && !(cx_list_filters(kind) & bits[k]))) {
            snprintf(msg, sizeof msg, "unknown parameter '%s' for %s", kv, cx_list_kind_name(kind));
            return cx__problem_set(p, 400, "unknown_parameter", ptr, msg);
        }
        if (!value || query_decode(value) != 0 || !value[0] || !cx__valid_utf8(value)) {
            snprintf(msg, sizeof msg, "parameter '%s' needs a value (UTF-8, percent-encoded)", kv);
            return cx__problem_set(p, 400, "bad_value", ptr, msg);
        }
        if (slots[k]) {
            *slots[k] = value;
            continue;
        }
        char *end;
        unsigned long long n = value[0] >= '1' && value[0] <= '9' ? strtoull(value, &end, 10) : 0;
        if (n == 0 || *end || n > MAX_LIMIT) {
            snprintf(msg, sizeof msg, "expected 'limit' to be a number from 1 to %d", MAX_LIMIT);
            return cx__problem_set(p, 400, "bad_value", ptr, msg);
        }
        pg->limit = (size_t)n;
    }
    return 0;
}

/* The jurisdiction and provider a filter names must exist: 404 in p
 * (with the nearest id), as `credex list` refuses them; -1 on a registry
 * failure. */
static int list_ids_known(cx_registry *reg, const cx_list_filter *f, cx__problem *p)
{
    const struct {
        const char *name, *id;
        cx_kind kind;
    } ids[] = {{"jurisdiction", f->jurisdiction, CX_KIND_JURISDICTION},
               {"provider", f->provider, CX_KIND_PROVIDER}};
    for (size_t i = 0; i < 2; i++) {
        cx_error err;
        char near[256], ptr[64], msg[900];
        cx_error_clear(&err);
        if (!ids[i].id) continue;
        int has = cx_registry_has(reg, ids[i].kind, ids[i].id, &err);
        if (has < 0) return -1;
        if (has) continue;
        if (cx_registry_nearest(reg, ids[i].kind, ids[i].id, near, sizeof near, &err) != CX_OK)
            near[0] = '\0';
        snprintf(ptr, sizeof ptr, "?%s", ids[i].name);
        snprintf(msg, sizeof msg, "no %s '%s' in the registry%s%s%s", ids[i].name, ids[i].id,
                 near[0] ? "; did you mean '" : "", near, near[0] ? "'?" : "");
        return cx__problem_set(p, 404, "not_found", ptr, msg);
    }
    return 0;
}

static int page_write(const char *s, size_t n, void *ud)
{
    return cx__buf_write(s, n, &((page *)ud)->rows);
}

/* GET /v1/{credentials,holders,groups}?...: {"items": [...], "next": id|null}. */
static int get_list(cx__call *c, cx_list_kind kind)
{
    cx__evaluator *ev;
    cx_list_filter f = {0};
    page pg = {.caller = &c->caller, .limit = PAGE_LIMIT};
    cx__problem p;
    cx_error err;
    int rc = cx__require_scope(c, CX__SCOPE_READ);
    if (rc) return rc;
    char *query = cx__strdup(c->req->query ? c->req->query : "");
    if (!query) return -1;
    cx__buf_init(&pg.rows);
    if ((rc = list_query(query, kind, &f, &pg, &p)) != 0) {
        rc = cx__answer_problem(c, &p);
        goto done;
    }
    cx_error_clear(&err);
    if ((rc = cx__call_evaluator(c, &ev, &err)) != CX_OK) {
        rc = rc == CX_ENOMEM ? -1 : cx__answer_error(c, 500, "internal", NULL, "%s", err.message);
        goto done;
    }
    if ((rc = list_ids_known(ev->reg, &f, &p)) != 0) {
        rc = rc < 0 ? rc : cx__answer_problem(c, &p);
        goto done;
    }
    if (cx_list_writer_new(kind, CX_LIST_JSON, page_write, &pg, &pg.w) != CX_OK) {
        rc = -1;
        goto done;
    }
    rc = cx_registry_list(ev->reg, kind, &f, page_row, &pg, &err);
    if (cx_list_writer_end(pg.w) != CX_OK) rc = -1;
    if (rc < 0 || pg.rows.oom) {
        rc = -1;
        goto done;
    }
    if (rc > 1) { /* an error of the registry */
        rc = cx__answer_error(c, 500, "internal", NULL, "%s", err.message);
        goto done;
    }
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_puts(&b, "{\"items\":[");
    for (size_t i = 0; i < pg.rows.len; i++) /* rows end in "\n", which JSON never holds raw */
        cx__buf_add(&b, pg.rows.data[i] == '\n' && i + 1 < pg.rows.len ? "," : pg.rows.data + i,
                    pg.rows.data[i] == '\n' && i + 1 == pg.rows.len ? 0 : 1);
    cx__buf_puts(&b, "],\"next\":");
    if (rc == 1) {
        json_t *s = cx__json_text(pg.next, strlen(pg.next));
        char *t = s ? json_dumps(s, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;
        cx__buf_puts(&b, t ? t : "null");
        if (!t) b.oom = 1;
        free(t);
        json_decref(s);
    } else {
        cx__buf_puts(&b, "null");
    }
    cx__buf_puts(&b, "}\n");
    rc = cx__answer_buf(c, 200, &b);
done:
    free(pg.next);
    cx__buf_free(&pg.rows);
    free(query);
    return rc;
}

static int method_is(const cx__call *c, const char *m)
{
    return strcmp(c->req->method, m) == 0;
}

static int wrong_method(cx__call *c, const char *allowed)
{
    return cx__answer_error(c, 405, "method_not_allowed", NULL, "%s takes %s only", c->req->path,
                            allowed);
}

/* The Version object of generation g: GET /v1/version, and what a
 * reload answers. */
static int answer_version(cx__call *c, const cx__generation *g)
{
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_printf(&b,
                   "{\"engine\":\"%s\",\"schema_version\":%d,\"content_version\":%lld,"
                   "\"packs\":%s}\n",
                   CREDEX_VERSION, cx_registry_schema_version(), (long long)g->content_version,
                   g->packs_json);
    return cx__answer_buf(c, 200, &b);
}

/* POST /v1/admin/reload. */
static int post_reload(cx__call *c)
{
    cx_error err;
    int rc = cx__require_scope(c, CX__SCOPE_ADMIN);
    if (rc) return rc;
    cx_error_clear(&err);
    if (cx_service_reload(c->svc, NULL, &err) != CX_OK) {
        char why[1400];
        cx_error_format(&err, why, sizeof why);
        return cx__answer_error(c, 500, "reload_failed", NULL,
                                "reload refused, serving the old packs: %s", why);
    }
    cx__generation *g = cx__generation_take(c->svc); /* the one just loaded, or newer */
    c->res->content_version = g->content_version;
    rc = answer_version(c, g);
    cx__generation_unref(g);
    return rc;
}

/* GET /, /openapi.json, /pages/NAME: the files embedded from runtime/pages/. */
static int get_page(cx__call *c, const cx_page *file)
{
    if (!method_is(c, "GET")) return wrong_method(c, "GET");
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_add(&b, (const char *)file->bytes, file->len);
    c->res->content_type = file->content_type;
    return cx__answer_buf(c, 200, &b);
}

/* ----------------------------------------------------------------- route */

int cx__route(cx__call *c)
{
    static const char *const lists[] = {"/v1/credentials", "/v1/holders", "/v1/groups"};
    static const cx_list_kind kinds[] = {CX_LIST_CREDENTIALS, CX_LIST_HOLDERS, CX_LIST_GROUPS};
    static const char *const posts[] = {"/v1/equiv", "/v1/transfer", NULL, "/v1/audit"};
    const char *path = c->req->path;
    if (strcmp(path, "/v1/health") == 0 || strcmp(path, "/v1/version") == 0) {
        if (!method_is(c, "GET")) return wrong_method(c, "GET");
        if (path[4] == 'v') return answer_version(c, c->gen);
        cx_buf b;
        cx__buf_init(&b);
        cx__buf_puts(&b, "{\"status\":\"ok\"}\n");
        return cx__answer_buf(c, 200, &b);
    }
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(lists[i]);
        if (strncmp(path, lists[i], n) != 0 || (path[n] && (path[n] != '/' || !path[n + 1])))
            continue;
        if (!method_is(c, "GET")) return wrong_method(c, "GET");
        return path[n] ? get_entity(c, kinds[i], path + n + 1) : get_list(c, kinds[i]);
    }
    for (int kind = 0; kind < 4; kind++) {
        if (!posts[kind] || strcmp(path, posts[kind]) != 0) continue;
        if (!method_is(c, "POST")) return wrong_method(c, "POST");
        return post_decision(c, kind);
    }
    if (strcmp(path, "/v1/decisions") == 0 || strcmp(path, "/v1/admin/reload") == 0) {
        if (!method_is(c, "POST")) return wrong_method(c, "POST");
        return path[4] == 'd' ? post_decisions(c) : post_reload(c);
    }
    if (strcmp(path, "/v1/issue") == 0) {
        if (!method_is(c, "POST")) return wrong_method(c, "POST");
        return post_issue(c);
    }
    if (strcmp(path, "/v1/whatif") == 0 || strcmp(path, "/v1/diff") == 0) {
        if (!method_is(c, "POST")) return wrong_method(c, "POST");
        return path[4] == 'w' ? cx__post_whatif(c) : cx__post_diff(c);
    }
    const cx_page *embedded = cx__page_find(path);
    if (embedded) return get_page(c, embedded);
    if (strncmp(path, "/pages/", 7) == 0)
        return cx__answer_error(c, 404, "not_found", NULL, "no page %s", path);
    return cx__answer_error(c, 404, "no_such_endpoint", NULL, "no endpoint %s (docs/serve.md)",
                            path);
}
