/*
 * cmd_serve.c -- `credex serve`: opens the service (cx_service_open) and
 * its HTTP server (serve_http_start), then waits for signals on this thread
 * (SIGHUP reloads, SIGTERM and SIGINT drain). It answers no request itself.
 * Uses credex.h only.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

#define DEFAULT_LISTEN          "127.0.0.1:8787"
#define DEFAULT_MAX_BODY        (UINT64_C(1) << 20)
#define DEFAULT_TIMEOUT         30
#define DEFAULT_MAX_CONNECTIONS 1024
#define DEFAULT_BUSY            1 /* seconds --log waits for another writer */

/* Log lines go to stderr whole: one fprintf each, which stdio locks. */
static void log_line(void *ud, const char *line)
{
    (void)ud;
    fprintf(stderr, "%s\n", line);
}

static void print_load_errors(const cx_diagnostics *d, const cx_error *err)
{
    for (size_t i = 0; i < d->count; i++)
        if (!d->items[i].warning)
            cli_print_line(stderr, "%s:%d: error: %s", d->items[i].file, d->items[i].line,
                           d->items[i].message);
    cli_report(err);
}

/* Waits for signals until one asks to stop; SIGHUP reloads meanwhile. */
static void wait_for_signals(const cli *c, const sigset_t *set, cx_service *svc)
{
    for (;;) {
        int sig;
        if (sigwait(set, &sig) != 0) continue;
        if (sig != SIGHUP) return;
        cx_error err;
        cx_error_clear(&err);
        if (cx_service_reload(svc, NULL, &err) == CX_OK && !c->quiet)
            fprintf(stderr, "credex serve: reloaded; content version %lld\n",
                    (long long)cx_service_content_version(svc));
    }
}

/* Connections held at once: 1024, or fewer when the process may not open
 * that many files (a connection is one; registries, epoll and the pool use
 * some 64 more). */
static unsigned max_connections(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
        rl.rlim_cur >= DEFAULT_MAX_CONNECTIONS + 64)
        return DEFAULT_MAX_CONNECTIONS;
    return rl.rlim_cur > 80 ? (unsigned)rl.rlim_cur - 64 : 16;
}

/* The issuer of POST /v1/issue: all three of --issuer-key, --issuer-id and
 * --issuer-name, or none (*out NULL: the endpoint is off). */
static int serve_issuer(cli *c, cx_issuer **out)
{
    cx_error err;
    *out = NULL;
    if (!c->issuer_key && !c->issuer_id && !c->issuer_name) return CX_OK;
    if (!c->issuer_key || !c->issuer_id || !c->issuer_name)
        return cli_usage_error(c, "POST /v1/issue needs all of --issuer-key FILE, --issuer-id "
                                  "IRI and --issuer-name NAME");
    cx_error_clear(&err);
    if (cx_issuer_new(c->issuer_id, c->issuer_name, c->issuer_key, out, &err) != CX_OK)
        return cli_report(&err);
    return CX_OK;
}

int cmd_serve(cli *c)
{
    const char *paths[MAX_RULES + 64];
    char *owned = NULL;
    size_t n = 0;
    cx_service *svc = NULL;
    cx_issuer *issuer = NULL;
    serve_http *srv = NULL;
    cx_diagnostics diags;
    cx_error err;
    sigset_t set;
    if (c->nargs) return cli_usage_error(c, "serve takes no arguments");
    /* The service reads --pack-trust itself, at start and at every reload;
     * without one, cli_pack_trust only checks --require-signed-packs. */
    const cx_pack_trust *none;
    int rc = c->pack_trust_file ? CX_OK : cli_pack_trust(c, &none);
    if (rc || (rc = serve_issuer(c, &issuer)) ||
        (rc = cli_rule_paths(c, paths, sizeof paths / sizeof paths[0], &n, &owned))) {
        cx_issuer_free(issuer);
        return rc;
    }
    /* Signals are taken by sigwait on this thread only: block them before
     * the server's threads start, which inherit the mask. */
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    cx_diagnostics_init(&diags);
    cx_error_clear(&err);
    cx_service_options so = {.db = c->db,
                             .rules = paths,
                             .nrules = n,
                             .tokens = c->tokens,
                             .log = log_line,
                             .log_decisions = c->log,
                             .busy_timeout = c->busy_timeout ? c->busy_timeout : DEFAULT_BUSY,
                             .max_trips = c->max_trips,
                             .issuer = issuer,
                             .pack_trust_file = c->pack_trust_file,
                             .require_signed_packs = c->require_signed_packs,
                             .no_cache = c->no_cache};
    rc = cx_service_open(&so, &svc, &diags, &err);
    if (rc) print_load_errors(&diags, &err);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    serve_http_options o = {
        .listen = c->listen ? c->listen : DEFAULT_LISTEN,
        .threads = c->threads ? c->threads : (unsigned)(cores > 0 ? cores : 1),
        .max_body = c->max_body ? c->max_body : DEFAULT_MAX_BODY,
        .timeout = c->timeout ? c->timeout : DEFAULT_TIMEOUT,
        .max_connections = max_connections(),
        .log = log_line,
    };
    if (rc == CX_OK && (rc = serve_http_start(svc, &o, &srv, &err)) != CX_OK) cli_report(&err);
    if (rc == CX_OK) {
        fprintf(stderr, "credex serve: listening on http://%s\n", serve_http_address(srv));
        if (!cx_service_has_tokens(svc) && !c->quiet)
            fprintf(stderr, "credex serve: no --tokens: loopback only, and every request has "
                            "every scope\n");
        wait_for_signals(c, &set, svc);
        if (!c->quiet) fprintf(stderr, "credex serve: draining\n");
        serve_http_stop(srv);
        if (!c->quiet) fprintf(stderr, "credex serve: stopped\n");
    }
    cx_service_free(svc);
    cx_issuer_free(issuer);
    cx_diagnostics_free(&diags);
    free(owned);
    return rc;
}
