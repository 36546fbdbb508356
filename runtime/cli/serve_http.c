/*
 * serve_http.c -- the HTTP transport of `credex serve`: libmicrohttpd (the
 * only file that includes microhttpd.h) reading requests with its limits
 * (body, headers, connections, timeouts), handing each to cx_service_handle,
 * writing the answer and one log line, draining on stop. It answers
 * nothing itself but 413 and 503, decides nothing and reads no registry;
 * like the rest of the CLI it uses credex.h only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define HEADER_MEMORY (32 * 1024) /* a connection's headers and buffers, bytes */

/* A growing byte buffer; oom is sticky. */
typedef struct bytes {
    char *data;
    size_t len, cap;
    int oom;
} bytes;

static void bytes_add(bytes *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void bytes_puts(bytes *b, const char *s)
{
    bytes_add(b, s, strlen(s));
}

static void bytes_free(bytes *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

/* Fills err with code and a message naming what; returns code. */
static int fail(cx_error *err, int code, const char *message, const char *what)
{
    cx_error_clear(err);
    err->code = code;
    snprintf(err->message, sizeof err->message, "%s%s%s", message, what ? what : "",
             what ? "'" : "");
    return code;
}

struct serve_http {
    struct MHD_Daemon *daemon;
    cx_service *svc;
    serve_http_options opt;
    char address[64];      /* as bound */
    atomic_int draining;   /* 1 once serve_http_stop began: new requests get 503 */
    atomic_long in_flight; /* requests between their headers and their completion */
};

/* A request between its first and its last call of the handler. */
typedef struct exchange {
    bytes body;
    int too_big;           /* the body passed max_body: not kept */
    struct timespec start; /* for the log's microseconds */
} exchange;

static uint64_t micros_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t us = (int64_t)(now.tv_sec - t->tv_sec) * 1000000 + (now.tv_nsec - t->tv_nsec) / 1000;
    return us < 0 ? 0 : (uint64_t)us;
}

static void log_request(serve_http *srv, const cx_request *req, const cx_response *res,
                        const exchange *x)
{
    char when[32];
    struct tm tm;
    time_t now = time(NULL);
    if (!srv->opt.log) return;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    char *line = cx_service_log_json(when, req, res, micros_since(&x->start));
    if (line) srv->opt.log(srv->opt.log_ud, line);
    free(line);
}

/* Queues res (its body taken over) with the service's headers. */
static enum MHD_Result send_answer(struct MHD_Connection *conn, cx_response *res)
{
    char version[32];
    struct MHD_Response *r =
        MHD_create_response_from_buffer(res->body_len, res->body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(res->body);
    }
    res->body = NULL; /* the response owns it now, or it is freed */
    if (!r) return MHD_NO;
    snprintf(version, sizeof version, "%lld", (long long)res->content_version);
    MHD_add_response_header(r, "Content-Type",
                            res->content_type ? res->content_type : "application/json");
    MHD_add_response_header(r, "Credex-Content-Version", version);
    /* the pages load nothing but their own files, and no type is sniffed */
    MHD_add_response_header(r, "Content-Security-Policy", "default-src 'self'");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)res->status, r);
    MHD_destroy_response(r);
    return ok;
}

/* An answer the transport makes itself (413, 503), in the service's shape. */
static enum MHD_Result send_own(serve_http *srv, struct MHD_Connection *conn, const char *method,
                                const char *url, exchange *x, int status, const char *code,
                                const char *message)
{
    char *body = malloc(256);
    if (!body) return MHD_NO;
    int n =
        snprintf(body, 256, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\",\"pointer\":\"\"}}\n",
                 code, message);
    cx_request req = {.method = method, .path = url};
    cx_response res = {.status = status,
                       .body = body,
                       .body_len = (size_t)n,
                       .content_version = cx_service_content_version(srv->svc)};
    log_request(srv, &req, &res, x);
    return send_answer(conn, &res);
}

/* The query as the client sent it, rebuilt from the arguments MHD decoded:
 * each value percent-encoded again. */
static void put_encoded(bytes *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.')
            bytes_add(b, (const char *)p, 1);
        else {
            char hex[4];
            snprintf(hex, sizeof hex, "%%%02X", *p);
            bytes_add(b, hex, 3);
        }
    }
}

static enum MHD_Result query_arg(void *ud, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    bytes *b = ud;
    (void)kind;
    if (b->len) bytes_puts(b, "&");
    put_encoded(b, key);
    if (value) {
        bytes_puts(b, "=");
        put_encoded(b, value);
    }
    return MHD_YES;
}

/* Hands the whole request to the service and sends its answer. */
static enum MHD_Result answer(serve_http *srv, struct MHD_Connection *conn, const char *method,
                              const char *url, exchange *x)
{
    char today[11], stamp[32];
    struct timespec mono;
    time_t now = time(NULL);
    struct tm tm;
    bytes query = {0};
    localtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, query_arg, &query);
    cx_request req = {
        .method = method,
        .path = url,
        .query = query.len ? query.data : NULL,
        .authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization"),
        .content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type"),
        .body = x->body.data,
        .body_len = x->body.len,
        .today = today,
        .now = stamp,
        .second = (uint64_t)mono.tv_sec,
    };
    cx_response res;
    enum MHD_Result ok = MHD_NO;
    if (!query.oom && cx_service_handle(srv->svc, &req, &res) == CX_OK) {
        log_request(srv, &req, &res, x);
        ok = send_answer(conn, &res);
        cx_response_clear(&res);
    }
    bytes_free(&query);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    serve_http *srv = cls;
    exchange *x = *con_cls;
    (void)version;
    if (!x) { /* the headers: set up, and refuse early what is known too big */
        if (!(x = calloc(1, sizeof *x))) return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &x->start);
        *con_cls = x;
        atomic_fetch_add(&srv->in_flight, 1);
        const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (length && strtoull(length, NULL, 10) > srv->opt.max_body) x->too_big = 1;
        if (atomic_load(&srv->draining))
            return send_own(srv, conn, method, url, x, 503, "draining",
                            "the server is shutting down");
        if (x->too_big)
            return send_own(srv, conn, method, url, x, 413, "too_large",
                            "the request body is over the server's --max-body");
        return MHD_YES;
    }
    if (*upload_size) { /* a piece of the body */
        if (!x->too_big && x->body.len + *upload_size > srv->opt.max_body) {
            x->too_big = 1;
            bytes_free(&x->body);
        }
        if (!x->too_big) bytes_add(&x->body, upload, *upload_size);
        *upload_size = 0;
        return x->body.oom ? MHD_NO : MHD_YES;
    }
    if (x->too_big)
        return send_own(srv, conn, method, url, x, 413, "too_large",
                        "the request body is over the server's --max-body");
    return answer(srv, conn, method, url, x); /* in flight before a drain: answered */
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode why)
{
    serve_http *srv = cls;
    exchange *x = *con_cls;
    (void)conn;
    (void)why;
    if (!x) return;
    bytes_free(&x->body);
    free(x);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->in_flight, 1);
}

/* ---------------------------------------------------------------- start */

static int parse_listen(const char *listen, struct sockaddr_in *out, cx_error *err)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    char *end;
    unsigned long port = colon ? strtoul(colon + 1, &end, 10) : 0;
    memset(out, 0, sizeof *out);
    out->sin_family = AF_INET;
    if (!colon || (size_t)(colon - listen) >= sizeof host || !colon[1] || *end || port > 65535)
        return fail(err, CX_EUSAGE,
                    "--listen takes HOST:PORT with an IPv4 address (127.0.0.1:8787), not '",
                    listen);
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    if (inet_pton(AF_INET, host, &out->sin_addr) != 1)
        return fail(err, CX_EUSAGE, "--listen takes an IPv4 address (127.0.0.1:8787), not '", host);
    out->sin_port = htons((uint16_t)port);
    return CX_OK;
}

/* Writes the address the daemon's socket is bound to. */
static void bound_address(serve_http *srv, const struct sockaddr_in *asked)
{
    struct sockaddr_in got = *asked;
    socklen_t len = sizeof got;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_LISTEN_FD);
    if (info) getsockname(info->listen_fd, (struct sockaddr *)&got, &len);
    char host[INET_ADDRSTRLEN] = "?";
    inet_ntop(AF_INET, &got.sin_addr, host, sizeof host);
    snprintf(srv->address, sizeof srv->address, "%s:%u", host, (unsigned)ntohs(got.sin_port));
}

int serve_http_start(cx_service *s, const serve_http_options *opt, serve_http **out, cx_error *err)
{
    struct sockaddr_in addr;
    *out = NULL;
    int rc = parse_listen(opt->listen, &addr, err);
    if (rc) return rc;
    if (!cx_service_has_tokens(s) && (ntohl(addr.sin_addr.s_addr) >> 24) != 127)
        return fail(err, CX_EUSAGE,
                    "without --tokens credex serve listens on loopback only (127.0.0.1), and "
                    "every request has every scope: give a tokens file (credex token new) to "
                    "listen on '",
                    opt->listen);
    serve_http *srv = calloc(1, sizeof *srv);
    if (!srv) return fail(err, CX_ENOMEM, "out of memory", NULL);
    srv->svc = s;
    srv->opt = *opt;
    atomic_init(&srv->draining, 0);
    atomic_init(&srv->in_flight, 0);
    srv->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC, 0, NULL, NULL, on_request,
        srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)opt->threads, MHD_OPTION_CONNECTION_LIMIT, (unsigned)opt->max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)opt->timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)HEADER_MEMORY, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_END);
    if (!srv->daemon) {
        free(srv);
        return fail(err, CX_EINPUT,
                    "cannot listen (the address is in use, or not this machine's): '", opt->listen);
    }
    bound_address(srv, &addr);
    *out = srv;
    return CX_OK;
}

const char *serve_http_address(const serve_http *srv)
{
    return srv->address;
}

void serve_http_stop(serve_http *srv)
{
    if (!srv) return;
    atomic_store(&srv->draining, 1);
    MHD_socket fd = MHD_quiesce_daemon(srv->daemon); /* stop accepting */
    if (fd != MHD_INVALID_SOCKET) close(fd);
    struct timespec tick = {0, 10 * 1000 * 1000};
    while (atomic_load(&srv->in_flight) > 0) nanosleep(&tick, NULL); /* let them finish */
    MHD_stop_daemon(srv->daemon);
    free(srv);
}
