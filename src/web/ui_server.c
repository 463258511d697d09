/* web/ui_server: routes of the dashboard over libmicrohttpd. */
#include "web/ui_server.h"

#include "core/buf.h"
#include "core/log.h"
#include "kafka/tail.h"
#include "web/listen.h"
#include "web/metrics_server.h"
#include "web/ui_assets.h"
#include "web/ui_request.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SSE_BLOCK_SIZE  (64 * 1024)
#define SSE_WAIT_MS     500
#define SSE_COALESCE_MS 20

static const char CSP[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
                          "form-action 'none'; frame-ancestors 'none'";

struct up_ui_server {
    struct MHD_Daemon *daemon;
    struct up_ui_server_config cfg;
    char *config_json;
    char *tls_cert, *tls_key; /* PEM; the key wiped when freed */
    uint16_t port;
    atomic_bool stopping;
    struct up_metric *m_requests;
};

/* One open event stream: the browser's place in the hub. */
struct sse_conn {
    struct up_ui_server *srv;
    struct up_ui_client *client;
    bool greeted;
};

/* ------------------------------------------------------------------------ responses */

static void common_headers(struct MHD_Response *r, const char *type)
{
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
}

static void count_request(struct up_ui_server *s, const char *route, unsigned status)
{
    char code[8];
    snprintf(code, sizeof code, "%u", status);
    const char *labels[] = {route, code};
    up_series_add(up_metric_labels(s->m_requests, labels), 1);
}

static enum MHD_Result send_owned(struct up_ui_server *s, struct MHD_Connection *conn,
                                  const char *route, unsigned status, const char *type, char *body,
                                  size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    common_headers(r, type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, "Allow", "GET, HEAD");
    enum MHD_Result rc = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    count_request(s, route, status);
    return rc;
}

static enum MHD_Result send_json(struct up_ui_server *s, struct MHD_Connection *conn,
                                 const char *route, char *json)
{
    return send_owned(s, conn, route, MHD_HTTP_OK, "application/json", json, strlen(json));
}

/* {"error": msg} with the status; msg is escaped. */
static enum MHD_Result send_error(struct up_ui_server *s, struct MHD_Connection *conn,
                                  const char *route, unsigned status, const char *msg)
{
    struct up_buf b = UP_BUF_INIT;
    up_buf_puts(&b, "{\"error\":");
    up_buf_json_cstring(&b, msg);
    up_buf_puts(&b, "}\n");
    size_t len = b.len;
    return send_owned(s, conn, route, status, "application/json", up_buf_steal(&b), len);
}

static enum MHD_Result send_asset(struct up_ui_server *s, struct MHD_Connection *conn,
                                  const struct up_ui_asset *a, bool fresh)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(fresh ? 0 : a->len, (void *)a->data,
                                                             MHD_RESPMEM_PERSISTENT);
    common_headers(r, a->content_type);
    MHD_add_response_header(r, "ETag", a->etag);
    MHD_add_response_header(r, "Cache-Control", "no-cache");
    unsigned status = fresh ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK;
    enum MHD_Result rc = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    count_request(s, "asset", status);
    return rc;
}

/* ------------------------------------------------------------------------ event streams */

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct sse_conn *sc = cls;
    if (!sc->greeted) {
        /* Reconnect after 2 s; the comment makes proxies and curl show bytes at once. */
        static const char hello[] = "retry: 2000\n: userpipe live tail\n\n";
        sc->greeted = true;
        size_t n = sizeof hello - 1 < max ? sizeof hello - 1 : max;
        memcpy(buf, hello, n);
        return (ssize_t)n;
    }
    /* One thread per connection: waiting here holds up this browser only. */
    while (!atomic_load(&sc->srv->stopping)) {
        long n = up_ui_client_read(sc->client, buf, max, SSE_WAIT_MS);
        if (n < 0)
            break;
        if (n == 0)
            continue;
        if ((size_t)n < max / 2) {
            /* Records come in streams: let more gather (half a block, or 20 ms) so that one
             * write carries many. A write per record costs a syscall and a thread wake-up
             * each (at 5,000 records/s and 20 browsers, most of a core); 20 ms more is
             * nothing to a person, and a burst wakes us as soon as half a block is there. */
            up_ui_client_gather(sc->client, max / 2, SSE_COALESCE_MS);
            long more;
            while ((size_t)n < max &&
                   (more = up_ui_client_read(sc->client, buf + n, max - (size_t)n, 0)) > 0)
                n += more;
        }
        return n;
    }
    return MHD_CONTENT_READER_END_OF_STREAM;
}

static void sse_done(void *cls)
{
    struct sse_conn *sc = cls;
    up_ui_client_detach(sc->client);
    free(sc);
}

/* The decoded tail request (web/ui_request.h): its arguments are checked already. */
static enum MHD_Result serve_tail(struct up_ui_server *s, struct MHD_Connection *conn,
                                  const struct up_ui_request *rq)
{
    if (rq->head) {
        struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        common_headers(r, "text/event-stream");
        enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_OK, r);
        MHD_destroy_response(r);
        count_request(s, "tail", MHD_HTTP_OK);
        return rc;
    }
    char err[512];
    bool not_found;
    struct up_ui_client *c =
        up_ui_hub_attach(s->cfg.hub, rq->topic, rq->start, rq->filter, &not_found, err, sizeof err);
    if (!c)
        return send_error(s, conn, "tail",
                          not_found ? MHD_HTTP_NOT_FOUND : MHD_HTTP_SERVICE_UNAVAILABLE, err);
    struct sse_conn *sc = up_xcalloc(1, sizeof *sc);
    sc->srv = s;
    sc->client = c;
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, SSE_BLOCK_SIZE, sse_read, sc, sse_done);
    common_headers(r, "text/event-stream; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    count_request(s, "tail", MHD_HTTP_OK);
    return rc;
}

/* ------------------------------------------------------------------------------ routes */

static bool authorised(struct up_ui_server *s, struct MHD_Connection *conn)
{
    if (!s->cfg.auth)
        return true;
    char *pass = NULL;
    char *user = MHD_basic_auth_get_username_password(conn, &pass);
    bool ok = up_ui_auth_check(s->cfg.auth, user, pass);
    if (pass) {
        volatile char *p = pass;
        while (*p)
            *p++ = '\0';
    }
    MHD_free(user);
    MHD_free(pass);
    return ok;
}

static enum MHD_Result refuse_auth(struct up_ui_server *s, struct MHD_Connection *conn)
{
    static const char msg[] = "{\"error\":\"authentication required\"}\n";
    struct MHD_Response *r =
        MHD_create_response_from_buffer(sizeof msg - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
    common_headers(r, "application/json");
    enum MHD_Result rc = MHD_queue_basic_auth_fail_response(conn, "userpipe ui", r);
    MHD_destroy_response(r);
    count_request(s, "auth", MHD_HTTP_UNAUTHORIZED);
    return rc;
}

static enum MHD_Result serve(struct up_ui_server *s, struct MHD_Connection *conn,
                             const struct up_ui_request *rq)
{
    if (rq->status)
        return send_error(s, conn, rq->label, rq->status, rq->error);
    switch (rq->route) {
    case UP_UI_TAIL:
        return serve_tail(s, conn, rq);
    case UP_UI_HEALTH:
        return send_json(s, conn, "api", up_ui_health_json(s->cfg.health));
    case UP_UI_HISTORY:
        return send_json(s, conn, "api", up_ui_health_history_json(s->cfg.health));
    case UP_UI_TOPICS:
        return send_json(s, conn, "api", up_ui_health_topics_json(s->cfg.health));
    case UP_UI_CLUSTER:
        return send_json(s, conn, "api", up_ui_health_cluster_json(s->cfg.health));
    case UP_UI_DLQ:
        return send_json(s, conn, "api", up_ui_health_dlq_json(s->cfg.health));
    case UP_UI_CONFIG:
        return send_json(s, conn, "api", up_xstrdup(s->config_json));
    case UP_UI_METRICS: {
        struct up_buf b = UP_BUF_INIT;
        up_metrics_render(s->cfg.reg, &b);
        size_t len = b.len;
        return send_owned(s, conn, "metrics", MHD_HTTP_OK,
                          "text/plain; version=0.0.4; charset=utf-8", up_buf_steal(&b), len);
    }
    case UP_UI_ASSET:
        return send_asset(s, conn, rq->asset, rq->fresh);
    case UP_UI_NOT_FOUND:
        break;
    }
    return send_error(s, conn, "other", MHD_HTTP_NOT_FOUND, "no such page");
}

static const char *connection_value(void *ctx, enum up_ui_value_kind kind, const char *name)
{
    return MHD_lookup_connection_value(
        ctx, kind == UP_UI_QUERY ? MHD_GET_ARGUMENT_KIND : MHD_HEADER_KIND, name);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
    (void)version;
    (void)upload;
    struct up_ui_server *s = cls;
    if (!*req_cls) { /* headers only so far: answer now, the body (if any) is not read */
        *req_cls = s;
        if (!authorised(s, conn))
            return refuse_auth(s, conn);
        struct up_ui_request rq;
        up_ui_request_decode(method, url, connection_value, conn, &rq);
        enum MHD_Result rc = serve(s, conn, &rq);
        up_ui_request_clear(&rq);
        return rc;
    }
    *upload_size = 0; /* a body sent with a refused method: discard it */
    return MHD_YES;
}

/* ---------------------------------------------------------------------------- lifecycle */

/* libmicrohttpd's own complaints, into our log. A browser closing its tab mid-stream is
 * routine for an event stream: that one is debug, the rest warnings. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    if (strstr(msg, "no longer available") || strstr(msg, "reset by peer") ||
        strstr(msg, "forcibly closed") || strstr(msg, "Broken pipe"))
        UP_DEBUG("http: %s", msg);
    else
        UP_WARN("http: %s", msg);
}

static bool is_loopback(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
    if (ss->ss_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
    return false;
}

static void server_free(struct up_ui_server *s)
{
    free(s->config_json);
    free(s->tls_cert);
    if (s->tls_key)
        up_ui_secret_free(s->tls_key);
    free(s);
}

struct up_ui_server *up_ui_server_start(const struct up_ui_server_config *cfg, char *err,
                                        size_t errlen)
{
    struct sockaddr_storage ss;
    if (up_listen_resolve("--listen", cfg->listen, "127.0.0.1:9021", &ss, err, errlen) != 0)
        return NULL;
    if (!is_loopback(&ss) && !cfg->auth && !cfg->allow_open) {
        snprintf(err, errlen,
                 "--listen %s is reachable from other machines: give --auth-file (or "
                 "--insecure-no-auth if something else guards it)",
                 cfg->listen);
        return NULL;
    }
    bool tls = cfg->tls_cert_pem && cfg->tls_key_pem;
    if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        snprintf(err, errlen,
                 "--tls-cert: this libmicrohttpd (%s) was built without TLS; serve HTTP behind a "
                 "TLS proxy instead",
                 MHD_get_version());
        return NULL;
    }
    struct up_ui_server *s = up_xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    s->config_json = up_xstrdup(cfg->config_json ? cfg->config_json : "{}");
    atomic_init(&s->stopping, false);
    s->m_requests =
        up_metric_new(cfg->reg, UP_METRIC_COUNTER, "userpipe_ui_http_requests_total",
                      "HTTP requests answered by the dashboard.", "route,code", NULL, 0);
    unsigned flags =
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    unsigned limit = cfg->max_connections ? cfg->max_connections : 256;
    struct MHD_OptionItem tls_options[] = {
        {MHD_OPTION_END, 0, NULL}, {MHD_OPTION_END, 0, NULL}, {MHD_OPTION_END, 0, NULL}};
    if (tls) {
        flags |= MHD_USE_TLS;
        s->tls_cert = up_xstrdup(cfg->tls_cert_pem);
        s->tls_key = up_xstrdup(cfg->tls_key_pem);
        tls_options[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, s->tls_cert};
        tls_options[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, s->tls_key};
    }
    s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
                                 mhd_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                                 MHD_OPTION_CONNECTION_LIMIT, limit, MHD_OPTION_CONNECTION_TIMEOUT,
                                 (unsigned)60, MHD_OPTION_ARRAY, tls_options, MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(err, errlen, "--listen %s: cannot listen (port taken or address not local%s)",
                 cfg->listen, tls ? ", or TLS refused: see the http: warning above" : "");
        server_free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    return s;
}

uint16_t up_ui_server_port(const struct up_ui_server *s)
{
    return s->port;
}

void up_ui_server_stop(struct up_ui_server *s)
{
    if (!s)
        return;
    atomic_store(&s->stopping, true);
    up_ui_hub_shutdown(s->cfg.hub);
    MHD_stop_daemon(s->daemon);
    server_free(s);
}
