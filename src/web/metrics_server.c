/* web/metrics_server: Prometheus text over libmicrohttpd. */
#include "web/metrics_server.h"

#include "core/buf.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct up_metrics_server {
    struct MHD_Daemon *daemon;
    struct up_registry *reg;
    uint16_t port;
};

static enum MHD_Result send_text(struct MHD_Connection *conn, unsigned status, const char *type,
                                 struct up_buf *body)
{
    size_t len = body->len;
    char *data = up_buf_steal(body);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", type);
    enum MHD_Result r = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
    (void)version;
    (void)upload;
    (void)upload_size;
    /* Answering on the first call makes libmicrohttpd close the connection (it cannot
     * know the request has no body yet); answering on the second keeps scrapers' keep-alive. */
    static int first_call_marker;
    if (*req_cls == NULL) {
        *req_cls = &first_call_marker;
        return MHD_YES;
    }
    struct up_metrics_server *s = cls;
    struct up_buf body = UP_BUF_INIT;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        up_buf_puts(&body, "only GET is served here\n");
        return send_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", &body);
    }
    if (strcmp(url, "/metrics") == 0) {
        up_metrics_render(s->reg, &body);
        return send_text(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", &body);
    }
    if (strcmp(url, "/") == 0) {
        up_buf_puts(&body, "userpipe metrics: GET /metrics\n");
        return send_text(conn, MHD_HTTP_OK, "text/plain; charset=utf-8", &body);
    }
    up_buf_puts(&body, "not found; try /metrics\n");
    return send_text(conn, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", &body);
}

struct up_metrics_server *up_metrics_server_start(const char *host_port, struct up_registry *reg,
                                                  char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    if (up_listen_resolve("--metrics", host_port, "127.0.0.1:9464", &ss, err, errlen) != 0)
        return NULL;
    int family = ss.ss_family;
    struct up_metrics_server *s = up_xcalloc(1, sizeof *s);
    s->reg = reg;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (family == AF_INET6)
        flags |= MHD_USE_IPv6;
    s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                                 (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_TIMEOUT,
                                 (unsigned)30, MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(err, errlen,
                 "--metrics %s: cannot listen (port taken or address not local); pick another "
                 "port",
                 host_port);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    return s;
}

uint16_t up_metrics_server_port(const struct up_metrics_server *s)
{
    return s->port;
}

void up_metrics_server_stop(struct up_metrics_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);
    free(s);
}
