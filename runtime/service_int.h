/*
 * service_int.h -- what the files of the service share (service.c:
 * generations, evaluators, dispatch, answers and the decision log;
 * service_auth.c: tokens, scopes, rates; service_routes.c: the endpoints
 * of reads, decisions and pages; service_whatif.c: what-if and diff).
 * Internal to libcredex; the HTTP transport (serve_http.c) sees only credex.h.
 */
#ifndef CX_SERVICE_INT_H
#define CX_SERVICE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "credex.h"
#include "util.h"

struct cx_sandbox;

/* Scopes a token may hold (docs/serve.md, "Tokens"). */
enum {
    CX__SCOPE_READ = 1,
    CX__SCOPE_DECIDE = 2,
    CX__SCOPE_WHATIF = 4,
    CX__SCOPE_ADMIN = 8,
    CX__SCOPE_ISSUE = 16,
    CX__SCOPE_ALL = 31
};

/* One token of the tokens file. */
typedef struct cx__token {
    char *name;
    unsigned char digest[32]; /* the SHA-256 of the token */
    unsigned scopes;          /* CX__SCOPE_* bits */
    char **jurisdictions;     /* NULL-terminated, or NULL: every jurisdiction */
    uint64_t rate;            /* requests per second, 0: not limited */
    pthread_mutex_t lock;     /* guards the two below */
    uint64_t second;          /* the second being counted */
    uint64_t used;            /* requests in it */
} cx__token;

typedef struct cx__tokens {
    cx__token *v;
    size_t n;
} cx__tokens;

/* What one call may do: the token's, or every scope without a tokens file. */
typedef struct cx__caller {
    const cx__token *token; /* NULL: no tokens file */
    unsigned scopes;
} cx__caller;

/* A thread's means of deciding: a view of the generation's rules with a
 * Lua state of its own, and a registry connection for reads. */
typedef struct cx__evaluator {
    struct cx__evaluator *next; /* in the generation's idle list */
    struct cx_sandbox *sb;
    cx_rules *rules;  /* a view (cx__rules_view) over the generation's rules */
    cx_registry *reg; /* the registry file, opened read-only with the evaluator */
} cx__evaluator;

/* Snapshot and packs loaded together; freed when the last user returns. */
typedef struct cx__generation {
    atomic_int refs;                 /* the service's, and one per call using it */
    cx_rules *rules;                 /* the shared, read-only rules */
    int64_t content_version;         /* of the snapshot */
    char *packs_json;                /* [{"id","sha256"},...]: the packs of /v1/version */
    const cx_pack_trust *pack_trust; /* the packs were checked against it; or NULL */
    cx_pack_trust *own_trust;        /* read from the trust file for this generation, or NULL */
    pthread_mutex_t lock;            /* guards idle */
    cx__evaluator *idle;             /* evaluators not in use */
} cx__generation;

struct cx_service {
    char *db;
    char **rules; /* the pack paths, copied */
    size_t nrules;
    cx__tokens tokens;
    int has_tokens;
    cx_log_line_fn log;
    void *log_ud;
    pthread_mutex_t lock;        /* guards current */
    pthread_mutex_t reload_lock; /* one reload at a time */
    cx__generation *current;
    int log_decisions;        /* cx_service_options.log_decisions */
    int busy_timeout;         /* ... busy_timeout */
    unsigned max_trips;       /* ... max_trips */
    pthread_mutex_t log_lock; /* guards the two below: one log batch at a time */
    cx_registry *log_reg;     /* opened read-write on the first batch, or NULL */
    uint64_t log_failures;    /* requests whose decisions the log could not take */

    const cx_pack_trust *pack_trust; /* ... pack_trust: packs checked at each load */
    char *pack_trust_file;           /* ... pack_trust_file: read anew at each load; or NULL */
    int require_signed_packs;        /* ... require_signed_packs */
    int no_cache;                    /* ... no_cache: registries opened without the cache */
    const cx_issuer *issuer;         /* POST /v1/issue signs with it; NULL: the endpoint is off */
};

/* One call being answered: what the endpoints share. */
typedef struct cx__call {
    cx_service *svc;
    const cx_request *req;
    cx_response *res;
    cx__generation *gen;
    cx__evaluator *ev; /* borrowed on first need (cx__call_evaluator) */
    cx__caller caller;
    cx_buf logged; /* log_decisions: the JSON Lines of the decisions answered */
} cx__call;

/* What went wrong with one request (or one request of a batch). */
typedef struct cx__problem {
    int status;
    const char *code; /* static: one of docs/serve.md, "Errors" */
    char pointer[640];
    char message[1024];
} cx__problem;

/* service.c */
/* The call's evaluator, borrowed on first need: CX_OK with *out, or the
 * error (CX_ENOMEM; CX_EREGISTRY when the registry cannot be opened). */
int cx__call_evaluator(cx__call *c, cx__evaluator **out, cx_error *err);
/* An error answer {"error": {code, message, pointer}}; returns status, or
 * -1 when out of memory. pointer may be NULL (then ""). */
int cx__answer_error(cx__call *c, int status, const char *code, const char *pointer,
                     const char *fmt, ...) CX_PRINTF(5, 6);
/* An answer whose body is the buffer's bytes (taken over, b emptied). */
int cx__answer_buf(cx__call *c, int status, cx_buf *b);
/* The current generation with a reference for the caller, and dropping one. */
cx__generation *cx__generation_take(cx_service *s);
void cx__generation_unref(cx__generation *g);
/* With log_decisions, keeps a decision's JSON (cx_decision_json's line)
 * for the call's log batch, written when the call is answered. */
void cx__call_keep_for_log(cx__call *c, const char *json);

/* service_auth.c */
int cx__tokens_load(const char *path, cx__tokens *out, cx_error *err);
void cx__tokens_free(cx__tokens *t);
/* Finds the caller of req: 0 with *out, or an error answer's status (401, 429). */
int cx__authenticate(cx__call *c);
/* 0 when the caller has scope, else the 403 answer's status. */
int cx__require_scope(cx__call *c, unsigned scope);
/* 1 when the caller may ask about jurisdiction (NULL: a question about
 * no jurisdiction, allowed only to an unrestricted caller). */
int cx__caller_allows(const cx__caller *caller, const char *jurisdiction);

/* service_routes.c */
int cx__route(cx__call *c);
/* Fills p; returns status. pointer NULL: "" (the request as a whole). */
int cx__problem_set(cx__problem *p, int status, const char *code, const char *pointer,
                    const char *message);
int cx__answer_problem(cx__call *c, const cx__problem *p);
/* The request's body as a JSON value (the caller decrefs it), or NULL
 * with 400 (bad_json) or 415 in p. */
struct json_t *cx__body_json(const cx__call *c, cx__problem *p);
/* base + "/" + key as a JSON Pointer, '~' and '/' escaped. */
void cx__pointer_to(char *out, size_t size, const char *base, const char *key);
/* 1 when s is valid UTF-8. */
int cx__valid_utf8(const char *s);

/* service_whatif.c: POST /v1/whatif and POST /v1/diff. */
int cx__post_whatif(cx__call *c);
int cx__post_diff(cx__call *c);

#endif
