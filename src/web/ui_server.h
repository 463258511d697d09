/* web/ui_server: the dashboard's HTTP server (libmicrohttpd, one thread per connection so a
 * browser that stops reading only ever holds its own thread).
 *
 * Routes (GET and HEAD; anything else is 405 with an Allow header, unknown paths 404):
 *   /, /app.js, /app.css, ...   the embedded page (web/ui_assets), with ETag revalidation
 *   /api/tail?topic=T&from=F&q=Q  Server-Sent Events: "message" per record (id = resume
 *                                cursor; a Last-Event-ID header overrides from=), "progress"
 *                                and "stats" once a second, "tail-error" if the tail fails
 *   /api/health /api/history /api/topics /api/dlq /api/config   JSON
 *   /metrics                     Prometheus text of the process registry
 * Every response carries a Content-Security-Policy that forbids inline script, and basic
 * authentication applies to every route when an auth file is given. With a certificate and
 * key it serves HTTPS (libmicrohttpd's GnuTLS) and nothing else on that port. */
#ifndef UP_WEB_UI_SERVER_H
#define UP_WEB_UI_SERVER_H

#include "core/metrics.h"
#include "web/ui_auth.h"
#include "web/ui_feed.h"
#include "web/ui_health.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct up_ui_server_config {
    const char *listen;            /* "127.0.0.1:9021"; port 0 = any free port */
    const struct up_ui_auth *auth; /* NULL = no authentication */
    bool allow_open;               /* serve a non-loopback address without auth */
    unsigned max_connections;      /* 0 = 256 */
    const char *config_json;       /* served at /api/config: topic, dlq, group, links */
    /* HTTPS: the certificate chain and the private key, PEM text (copied). NULL = HTTP. */
    const char *tls_cert_pem;
    const char *tls_key_pem;
    struct up_ui_hub *hub;
    struct up_ui_health *health;
    struct up_registry *reg;
};

struct up_ui_server;

/* NULL + err when the address is bad or taken, open without auth and not allowed, or HTTPS
 * asked of a libmicrohttpd without TLS or with a certificate and key it refuses. */
struct up_ui_server *up_ui_server_start(const struct up_ui_server_config *cfg, char *err,
                                        size_t errlen);
uint16_t up_ui_server_port(const struct up_ui_server *s);
/* Ends every event stream, then stops listening and waits for the connection threads. */
void up_ui_server_stop(struct up_ui_server *s);

#endif
