/*
 * service_whatif.c -- POST /v1/whatif (a change file in the body) and POST
 * /v1/diff (new packs in the body) of `credex serve`: the request read
 * into the in-memory entries of whatif.h, run with the generation's packs
 * on a copy (never the registry), the transitions answered as
 * cx_transition_json writes them. It renders no transition itself.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "pack_sig.h"
#include "service_int.h"
#include "whatif.h"

#define MAX_PACKS 256 /* packs in one POST /v1/diff */

/* The generation's packs as sources, in load order (pointing into its
 * rules: valid while the call holds the generation). malloc'd. */
static cx_pack_source *generation_packs(const cx__generation *g, size_t *n)
{
    *n = cx_rules_pack_count(g->rules);
    cx_pack_source *v = calloc(*n + 1, sizeof *v);
    for (size_t i = 0; v && i < *n; i++) {
        const cx_pack_info *p = cx__rules_pack(g->rules, (int)i);
        v[i] = (cx_pack_source){p->path, p->source, p->source_len};
    }
    return v;
}

/* {"transitions": [...]}: each the bytes cx_transition_json writes,
 * without its newline. */
static int answer_report(cx__call *c, const cx_whatif_report *rep)
{
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_puts(&b, "{\"transitions\":[");
    for (size_t i = 0; i < rep->ntransitions; i++) {
        char *s = cx_transition_json(&rep->transitions[i]);
        if (!s) {
            cx__buf_free(&b);
            return -1;
        }
        if (i) cx__buf_puts(&b, ",");
        cx__buf_add(&b, s, strlen(s) - 1);
        free(s);
    }
    cx__buf_puts(&b, "]}\n");
    return cx__answer_buf(c, 200, &b);
}

/* What failed, as "file:line:col: message": err, which names the first
 * pack error too (the loader's diagnostics hold the rest), or, when err
 * says nothing, the first error of diags. *file: the input at fault, or NULL. */
static void first_error(const cx_diagnostics *diags, const cx_error *err, char *out, size_t size,
                        const char **file)
{
    *file = err->file[0] ? err->file : NULL;
    cx_error_format(err, out, size);
    for (size_t i = 0; !err->message[0] && i < diags->count; i++)
        if (!diags->items[i].warning) {
            *file = diags->items[i].file;
            snprintf(out, size, "%s:%d: %s", diags->items[i].file, diags->items[i].line,
                     diags->items[i].message);
            return;
        }
}

/* The answer to a run that failed: 400 with the located error for bad
 * input (pointer: the pack's source when a sent pack is at fault), else 500. */
static int answer_failed(cx__call *c, int rc, const cx_diagnostics *diags, const cx_error *err,
                         const char *code, const json_t *packs)
{
    char why[1400], ptr[64] = "";
    const char *file;
    if (rc == CX_ENOMEM) return -1;
    first_error(diags, err, why, sizeof why, &file);
    if (rc != CX_EINPUT) return cx__answer_error(c, 500, "internal", NULL, "%s", why);
    for (size_t i = 0; file && i < json_array_size(packs); i++) {
        const json_t *f = json_object_get(json_array_get(packs, i), "file");
        if (strcmp(json_string_value(f), file) == 0)
            snprintf(ptr, sizeof ptr, "/packs/%zu/source", i);
    }
    return cx__answer_error(c, 400, code, ptr, "%s", why);
}

/* Runs what-if (packs NULL: the change in the body) or diff (packs: the
 * body's, compared with the generation's) on the call's evaluator. */
static int run(cx__call *c, const char *as_of, const json_t *packs)
{
    cx__evaluator *ev;
    cx_whatif_report *rep = NULL;
    cx_diagnostics diags;
    cx_error err;
    size_t nold = 0, nnew = json_array_size(packs);
    cx_pack_source *old = NULL, *fresh = NULL;
    cx_error_clear(&err);
    cx_diagnostics_init(&diags);
    int rc = cx__call_evaluator(c, &ev, &err);
    if (rc == CX_OK && !(old = generation_packs(c->gen, &nold))) rc = CX_ENOMEM;
    if (rc == CX_OK && packs && !(fresh = calloc(nnew + 1, sizeof *fresh))) rc = CX_ENOMEM;
    for (size_t i = 0; rc == CX_OK && fresh && i < nnew; i++) {
        const json_t *p = json_array_get(packs, i), *src = json_object_get(p, "source");
        fresh[i] = (cx_pack_source){json_string_value(json_object_get(p, "file")),
                                    json_string_value(src), json_string_length(src)};
    }
    cx_whatif_options opt = {
        .as_of = as_of, .jobs = 1, .diags = &diags, .max_trips = c->svc->max_trips};
    if (rc == CX_OK && packs)
        rc = cx__diff_sources(ev->reg, old, nold, fresh, nnew, &opt, &rep, &err);
    else if (rc == CX_OK)
        rc = cx__whatif_buffer(ev->reg, "body", c->req->body, c->req->body_len, old, nold, &opt,
                               &rep, &err);
    if (rc == CX_OK)
        rc = answer_report(c, rep);
    else
        rc = answer_failed(c, rc, &diags, &err, packs ? "bad_pack" : "bad_change", packs);
    cx_whatif_report_free(rep);
    cx_diagnostics_free(&diags);
    free(old);
    free(fresh);
    return rc;
}

/* 1 when the Content-Type is type, with parameters or none. */
static int content_type_is(const char *ct, const char *type)
{
    size_t n = strlen(type);
    return ct && strncmp(ct, type, n) == 0 && (!ct[n] || ct[n] == ';' || ct[n] == ' ');
}

/* The query of what-if: as_of=YYYY-MM-DD or nothing, into as_of (which
 * holds today's date already). 0, or the 400 answer's status. */
static int whatif_query(cx__call *c, char as_of[11])
{
    cx_date d;
    const char *why;
    char name[64];
    for (const char *q = c->req->query; q && *q;) {
        size_t n = strcspn(q, "&"), k = strcspn(q, "=&");
        snprintf(name, sizeof name, "?%.*s", (int)(k < 60 ? k : 60), q);
        if (strcmp(name, "?as_of") != 0)
            return cx__answer_error(c, 400, "unknown_parameter", name,
                                    "unknown parameter '%s' (what-if takes as_of)", name + 1);
        if (n == 16) snprintf(as_of, 11, "%.10s", q + 6);
        if (n != 16 || cx__date_parse(as_of, &d, &why) != 0)
            return cx__answer_error(c, 400, "bad_value", "?as_of",
                                    "expected 'as_of' to be a date YYYY-MM-DD");
        q += n + (q[n] == '&');
    }
    return 0;
}

/* POST /v1/whatif?as_of=DATE with a change file, YAML or JSON. */
int cx__post_whatif(cx__call *c)
{
    static const char *const types[] = {"application/yaml", "application/x-yaml", "text/yaml",
                                        "application/json", NULL};
    char as_of[11];
    int rc = cx__require_scope(c, CX__SCOPE_WHATIF);
    if (rc) return rc;
    size_t t = 0;
    while (types[t] && !content_type_is(c->req->content_type, types[t])) t++;
    if (!types[t])
        return cx__answer_error(c, 415, "unsupported_media_type", NULL,
                                "expected a change file with 'Content-Type: application/yaml' "
                                "or 'application/json'");
    snprintf(as_of, sizeof as_of, "%s", c->req->today);
    if ((rc = whatif_query(c, as_of))) return rc;
    return run(c, as_of, NULL);
}

/* The packs of a diff body: each {file, source}, file a name ending in
 * ".lua". 0, or 400 in p. */
static int read_packs(const json_t *packs, cx__problem *p)
{
    char ptr[64], msg[800];
    if (!json_is_array(packs) || !json_array_size(packs))
        return cx__problem_set(p, 400, packs ? "wrong_type" : "missing_field",
                               packs ? "/packs" : "",
                               "expected 'packs' to be a list of {\"file\", \"source\"}");
    if (json_array_size(packs) > MAX_PACKS)
        return cx__problem_set(p, 400, "too_many", "/packs", "at most 256 packs in one diff");
    for (size_t i = 0; i < json_array_size(packs); i++) {
        const json_t *pk = json_array_get(packs, i);
        const char *key;
        json_t *value;
        snprintf(ptr, sizeof ptr, "/packs/%zu", i);
        if (!json_is_object(pk))
            return cx__problem_set(p, 400, "wrong_type", ptr, "expected a JSON object");
        json_object_foreach((json_t *)pk, key, value)
        {
            char at[600];
            cx__pointer_to(at, sizeof at, ptr, key);
            if (strcmp(key, "file") != 0 && strcmp(key, "source") != 0) {
                snprintf(msg, sizeof msg, "unknown field '%s'", key);
                return cx__problem_set(p, 400, "unknown_field", at, msg);
            }
            if (!json_is_string(value) ||
                strlen(json_string_value(value)) != json_string_length(value)) {
                snprintf(msg, sizeof msg, "expected '%s' to be a string (no NUL)", key);
                return cx__problem_set(p, 400, "wrong_type", at, msg);
            }
        }
        for (int k = 0; k < 2; k++)
            if (!json_object_get(pk, k ? "source" : "file")) {
                snprintf(msg, sizeof msg, "missing field '%s'", k ? "source" : "file");
                return cx__problem_set(p, 400, "missing_field", ptr, msg);
            }
        const char *file = json_string_value(json_object_get(pk, "file"));
        size_t n = strlen(file);
        if (n < 5 || strcmp(file + n - 4, ".lua") != 0 || !cx__valid_utf8(file)) {
            snprintf(ptr, sizeof ptr, "/packs/%zu/file", i);
            return cx__problem_set(p, 400, "bad_value", ptr,
                                   "expected 'file' to be a pack's name ending in '.lua'");
        }
    }
    return 0;
}

/* Checks a diff body {"packs": [...], "as_of"}: 0, or 400 in p. */
static int diff_request(const json_t *body, cx__problem *p)
{
    const char *key, *why;
    json_t *value;
    cx_date d;
    if (!json_is_object(body))
        return cx__problem_set(p, 400, "wrong_type", "", "expected a JSON object");
    json_object_foreach((json_t *)body, key, value)
    {
        char at[600], msg[800];
        if (strcmp(key, "packs") == 0 || strcmp(key, "as_of") == 0) continue;
        cx__pointer_to(at, sizeof at, "", key);
        snprintf(msg, sizeof msg, "unknown field '%s'", key);
        return cx__problem_set(p, 400, "unknown_field", at, msg);
    }
    int rc = read_packs(json_object_get(body, "packs"), p);
    const json_t *as_of = json_object_get(body, "as_of");
    if (rc == 0 && as_of &&
        (!json_is_string(as_of) || json_string_length(as_of) != 10 ||
         cx__date_parse(json_string_value(as_of), &d, &why) != 0))
        rc = cx__problem_set(p, 400, json_is_string(as_of) ? "bad_value" : "wrong_type", "/as_of",
                             "expected 'as_of' to be a date YYYY-MM-DD");
    return rc;
}

/* POST /v1/diff {"packs": [{file, source}, ...], "as_of"}. */
int cx__post_diff(cx__call *c)
{
    cx__problem p;
    int rc = cx__require_scope(c, CX__SCOPE_WHATIF);
    if (rc) return rc;
    /* packs in a body come without their .sig: none can be verified */
    if (c->gen->pack_trust && c->gen->pack_trust->require_signed)
        return cx__answer_error(c, 403, "forbidden", NULL,
                                "this service loads signed packs only "
                                "(--require-signed-packs), and packs sent in a request carry "
                                "no signature; run credex diff with signed packs instead");
    json_t *body = cx__body_json(c, &p);
    if (!body) return cx__answer_problem(c, &p);
    if ((rc = diff_request(body, &p)) == 0) {
        const json_t *as_of = json_object_get(body, "as_of");
        rc = run(c, as_of ? json_string_value(as_of) : c->req->today,
                 json_object_get(body, "packs"));
    } else {
        rc = cx__answer_problem(c, &p);
    }
    json_decref(body);
    return rc;
}
