/*
 * service.c -- the request handler of `credex serve` without a transport:
 * generations (snapshot and packs, refcounted, swapped by reload), their
 * evaluators (one per thread in use), the error shape, the log line and
 * the decision log's batches. It speaks no HTTP (serve_http.c does) and
 * decides nothing itself.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "hash.h"
#include "render.h"
#include "sandbox.h"
#include "service_int.h"

/* ----------------------------------------------------------- generations */

static void evaluator_free(cx__evaluator *ev)
{
    if (!ev) return;
    cx__rules_view_free(ev->rules);
    cx__sandbox_free(ev->sb);
    cx_registry_close(ev->reg);
    free(ev);
}

void cx__generation_unref(cx__generation *g)
{
    if (!g || atomic_fetch_sub(&g->refs, 1) != 1) return;
    for (cx__evaluator *ev = g->idle, *next; ev; ev = next) {
        next = ev->next;
        evaluator_free(ev);
    }
    pthread_mutex_destroy(&g->lock);
    cx_rules_free(g->rules);
    cx_pack_trust_free(g->own_trust);
    free(g->packs_json);
    free(g);
}

/* [{"id": ..., "sha256": ...}, ...] of the packs, in load order. */
static char *packs_json(const cx_rules *rules)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < cx_rules_pack_count(rules); i++) {
        const cx_pack_info *p = cx__rules_pack(rules, (int)i);
        char hex[65];
        cx__sha256_hex(p->source, p->source_len, hex);
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s}", "id", p->id, "file", p->path, "sha256", hex));
    }
    char *s = list ? json_dumps(list, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(list);
    return s;
}

/* Opens the registry file read-only, with the service's cache option. */
static int service_registry_open(const cx_service *s, cx_registry **out, cx_error *err)
{
    cx_open_options o = {.no_cache = s->no_cache};
    return cx_registry_open_with(s->db, CX_OPEN_READONLY, &o, out, err);
}

/* The trust the generation's packs are checked against: the trust file
 * read now, or the caller's set. */
static int generation_trust(const cx_service *s, cx__generation *g, cx_error *err)
{
    g->pack_trust = s->pack_trust;
    if (!s->pack_trust_file) return CX_OK;
    int rc = cx_pack_trust_load(s->pack_trust_file, s->require_signed_packs, &g->own_trust, err);
    g->pack_trust = g->own_trust;
    return rc;
}

/* Loads a generation from the registry file, the trust file and the packs. */
static int generation_load(cx_service *s, cx_diagnostics *diags, cx__generation **out,
                           cx_error *err)
{
    cx_registry *reg = NULL;
    cx__generation *g = calloc(1, sizeof *g);
    int rc = g ? CX_OK : cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    if (rc == CX_OK) rc = generation_trust(s, g, err);
    if (rc == CX_OK) rc = service_registry_open(s, &reg, err);
    if (rc == CX_OK)
        rc = cx_rules_load_trusted(reg, (const char *const *)s->rules, s->nrules, g->pack_trust,
                                   &g->rules, diags, err);
    if (rc == CX_OK) {
        g->content_version = cx__rules_snapshot(g->rules)->content_version;
        g->packs_json = packs_json(g->rules);
        if (!g->packs_json) rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    cx_registry_close(reg);
    if (rc) {
        if (g) {
            cx_rules_free(g->rules);
            cx_pack_trust_free(g->own_trust);
            free(g->packs_json);
        }
        free(g);
        return rc;
    }
    atomic_init(&g->refs, 1);
    pthread_mutex_init(&g->lock, NULL);
    *out = g;
    return CX_OK;
}

/* The current generation, with a reference the caller drops. */
cx__generation *cx__generation_take(cx_service *s)
{
    pthread_mutex_lock(&s->lock);
    cx__generation *g = s->current;
    atomic_fetch_add(&g->refs, 1);
    pthread_mutex_unlock(&s->lock);
    return g;
}

/* An idle evaluator of the call's generation, or a new one. */
int cx__call_evaluator(cx__call *c, cx__evaluator **out, cx_error *err)
{
    cx__generation *g = c->gen;
    *out = NULL;
    if (c->ev) {
        *out = c->ev;
        return CX_OK;
    }
    pthread_mutex_lock(&g->lock);
    cx__evaluator *ev = g->idle;
    if (ev) g->idle = ev->next;
    pthread_mutex_unlock(&g->lock);
    int rc = CX_OK;
    if (!ev) {
        ev = calloc(1, sizeof *ev);
        rc = ev ? cx__rules_worker(g->rules, &ev->sb, err)
                : cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        if (rc == CX_OK && !(ev->rules = cx__rules_view(g->rules, ev->sb)))
            rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        if (rc == CX_OK) rc = service_registry_open(c->svc, &ev->reg, err);
        if (rc) {
            evaluator_free(ev);
            return rc;
        }
    }
    c->ev = *out = ev;
    return CX_OK;
}

static void evaluator_return(cx__generation *g, cx__evaluator *ev)
{
    if (!ev) return;
    pthread_mutex_lock(&g->lock);
    ev->next = g->idle;
    g->idle = ev;
    pthread_mutex_unlock(&g->lock);
}

/* ------------------------------------------------------------ public API */

static void service_free_paths(cx_service *s)
{
    for (size_t i = 0; i < s->nrules; i++) free(s->rules[i]);
    free(s->rules);
    free(s->db);
    free(s->pack_trust_file);
}

int cx_service_open(const cx_service_options *opt, cx_service **out, cx_diagnostics *diags,
                    cx_error *err)
{
    *out = NULL;
    cx_service *s = calloc(1, sizeof *s);
    int rc = s ? CX_OK : cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    if (rc == CX_OK) {
        s->db = cx__strdup(opt->db);
        s->rules = calloc(opt->nrules + 1, sizeof *s->rules);
        for (size_t i = 0; s->rules && i < opt->nrules; i++)
            if ((s->rules[s->nrules] = cx__strdup(opt->rules[i]))) s->nrules++;
        if (!s->db || !s->rules || s->nrules != opt->nrules)
            rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        s->log = opt->log;
        s->log_ud = opt->log_ud;
        s->log_decisions = opt->log_decisions;
        s->busy_timeout = opt->busy_timeout;
        s->max_trips = opt->max_trips;
        s->pack_trust = opt->pack_trust;
        s->issuer = opt->issuer;
        s->require_signed_packs = opt->require_signed_packs;
        s->no_cache = opt->no_cache;
        if (opt->pack_trust_file && !(s->pack_trust_file = cx__strdup(opt->pack_trust_file)))
            rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (rc == CX_OK && opt->pack_trust && opt->pack_trust_file)
        rc = cx__error(err, CX_EUSAGE, NULL, 0, 0,
                       "the service takes pack_trust or pack_trust_file, not both");
    if (rc == CX_OK && opt->tokens) {
        rc = cx__tokens_load(opt->tokens, &s->tokens, err);
        s->has_tokens = rc == CX_OK;
    }
    if (rc == CX_OK) rc = generation_load(s, diags, &s->current, err);
    if (rc) {
        if (s) {
            cx__tokens_free(&s->tokens);
            service_free_paths(s);
        }
        free(s);
        return rc;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->reload_lock, NULL);
    pthread_mutex_init(&s->log_lock, NULL);
    *out = s;
    return CX_OK;
}

int cx_service_reload(cx_service *s, cx_diagnostics *diags, cx_error *err)
{
    cx__generation *g = NULL, *old;
    pthread_mutex_lock(&s->reload_lock);
    int rc = generation_load(s, diags, &g, err);
    if (rc == CX_OK) {
        pthread_mutex_lock(&s->lock);
        old = s->current;
        s->current = g;
        pthread_mutex_unlock(&s->lock);
        cx__generation_unref(old); /* freed now, or when its last call returns */
    } else if (s->log) {
        char why[1400], line[1500];
        cx_error_format(err, why, sizeof why);
        snprintf(line, sizeof line, "credex serve: reload refused, serving the old packs: %s", why);
        s->log(s->log_ud, line);
    }
    pthread_mutex_unlock(&s->reload_lock);
    return rc;
}

int cx_service_has_tokens(const cx_service *s)
{
    return s->has_tokens;
}

int64_t cx_service_content_version(cx_service *s)
{
    cx__generation *g = cx__generation_take(s);
    int64_t v = g->content_version;
    cx__generation_unref(g);
    return v;
}

void cx_service_free(cx_service *s)
{
    if (!s) return;
    cx__generation_unref(s->current);
    cx__tokens_free(&s->tokens);
    service_free_paths(s);
    cx_registry_close(s->log_reg);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->reload_lock);
    pthread_mutex_destroy(&s->log_lock);
    free(s);
}

void cx_response_clear(cx_response *out)
{
    free(out->body);
    memset(out, 0, sizeof *out);
}

/* --------------------------------------------------------------- answers */

int cx__answer_buf(cx__call *c, int status, cx_buf *b)
{
    if (b->oom) {
        cx__buf_free(b);
        return -1;
    }
    c->res->status = status;
    c->res->body = b->data;
    c->res->body_len = b->len;
    cx__buf_init(b);
    return status;
}

int cx__answer_error(cx__call *c, int status, const char *code, const char *pointer,
                     const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    if (!pointer) pointer = "";
    json_t *o = json_pack("{s:{s:s, s:o, s:o}}", "error", "code", code, "message",
                          cx__json_text(message, strlen(message)), "pointer",
                          cx__json_text(pointer, strlen(pointer)));
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(o);
    if (!s) return -1;
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_puts(&b, s);
    cx__buf_puts(&b, "\n");
    free(s);
    return cx__answer_buf(c, status, &b);
}

/* ---------------------------------------------------------- decision log */

void cx__call_keep_for_log(cx__call *c, const char *json)
{
    if (c->svc->log_decisions) cx__buf_puts(&c->logged, json);
}

/* Writes the call's decisions to the decision log in one batch. The
 * answer stands whatever happens here: a failure (another process holds
 * the write lock past the busy timeout, a read-only file) is said in the
 * response's decision_log and counted. */
static void log_decisions(cx__call *c)
{
    cx_service *s = c->svc;
    cx_error err;
    cx_log *log = NULL;
    char created[32];
    cx_error_clear(&err);
    if (c->req->now)
        snprintf(created, sizeof created, "%s", c->req->now);
    else
        snprintf(created, sizeof created, "%.10sT00:00:00Z", c->req->today);
    pthread_mutex_lock(&s->log_lock);
    cx_open_options o = {.busy_timeout = s->busy_timeout};
    int rc = c->logged.oom ? cx__error(&err, CX_ENOMEM, NULL, 0, 0, "out of memory") : CX_OK;
    if (rc == CX_OK && !s->log_reg) rc = cx_registry_open_with(s->db, 0, &o, &s->log_reg, &err);
    if (rc == CX_OK) rc = cx_log_begin(s->log_reg, c->gen->rules, created, &log, &err);
    for (size_t i = 0; rc == CX_OK && i < c->logged.len;) { /* one JSON line each */
        const char *line = c->logged.data + i, *nl = memchr(line, '\n', c->logged.len - i);
        size_t n = nl ? (size_t)(nl - line) + 1 : c->logged.len - i;
        c->logged.data[i + n - 1] = '\0'; /* the newline, which cx_log_add_json may do without */
        rc = cx_log_add_json(log, line, NULL, &err);
        i += n;
    }
    if (log) {
        cx_error end;
        cx_error_clear(&end);
        int erc = cx_log_end(log, rc == CX_OK, &end);
        if (rc == CX_OK && erc != CX_OK) {
            rc = erc;
            err = end;
        }
    }
    if (rc != CX_OK) {
        char why[1400];
        cx_error_format(&err, why, sizeof why);
        snprintf(c->res->decision_log, sizeof c->res->decision_log, "not logged: %.480s", why);
        c->res->log_failures = ++s->log_failures;
    }
    pthread_mutex_unlock(&s->log_lock);
}

int cx_service_handle(cx_service *s, const cx_request *req, cx_response *out)
{
    memset(out, 0, sizeof *out);
    cx__call c = {.svc = s, .req = req, .res = out, .gen = cx__generation_take(s)};
    cx__buf_init(&c.logged);
    out->content_version = c.gen->content_version;
    int status = cx__authenticate(&c);
    if (status == 0) status = cx__route(&c);
    if (status == 200 && c.logged.len) log_decisions(&c);
    cx__buf_free(&c.logged);
    if (!out->content_type) out->content_type = "application/json";
    if (c.caller.token) snprintf(out->token, sizeof out->token, "%s", c.caller.token->name);
    evaluator_return(c.gen, c.ev);
    cx__generation_unref(c.gen);
    if (status < 0 || !out->body) {
        cx_response_clear(out);
        return CX_ENOMEM;
    }
    return CX_OK;
}

char *cx_service_log_json(const char *time, const cx_request *req, const cx_response *res,
                          uint64_t us)
{
    json_t *o = json_pack("{s:s, s:o, s:o, s:i, s:I, s:o}", "time", time, "method",
                          cx__json_text(req->method, strlen(req->method)), "path",
                          cx__json_text(req->path, strlen(req->path)), "status", res->status, "us",
                          (json_int_t)us, "token", cx__json_text(res->token, strlen(res->token)));
    if (o && res->decision_log[0] &&
        (json_object_set_new(o, "decision_log",
                             cx__json_text(res->decision_log, strlen(res->decision_log))) ||
         json_object_set_new(o, "log_failures", json_integer((json_int_t)res->log_failures)))) {
        json_decref(o);
        o = NULL;
    }
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(o);
    return s;
}

void cx_token_hash(const char *token, char out[65])
{
    cx__sha256_hex(token, strlen(token), out);
}
