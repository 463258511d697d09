/* web/api_server: the HTTP side of `userpipe api`, a RandomUser 1.4-compatible
 * server on libmicrohttpd (a thread pool, keep-alive). It owns routes, headers,
 * per-client rate limiting, fault injection and request metrics; what a request
 * returns comes from a handler the caller plugs in (the generator in src/gen/,
 * wired by src/cmd/api.c), so this module knows nothing of users. */
#ifndef UP_WEB_API_SERVER_H
#define UP_WEB_API_SERVER_H

#include "core/buf.h"
#include "core/metrics.h"

#include <stddef.h>
#include <stdint.h>

/* What the handler fills in for one request. */
struct up_api_response {
    unsigned status;          /* 200, 400, ... */
    const char *content_type; /* a static string */
    const char *filename;     /* non-NULL: sent as an attachment (Content-Disposition) */
    size_t users;             /* users in the body: counted by metrics and the rate limit */
    struct up_buf body;
};

/* Answers a request to /api from its raw (still percent-encoded) query string,
 * without the '?'. Called from several server threads at once. */
typedef void (*up_api_handler)(void *ctx, const char *query, size_t len,
                               struct up_api_response *out);

struct up_api_server_config {
    const char *listen; /* "127.0.0.1:8000", ":8000" (all interfaces), "127.0.0.1:0" (any port) */
    unsigned threads;   /* server threads; 0 = one per core */
    /* Rate limit: at most rate_limit_users users per client address in each fixed
     * window of rate_window_ms; a request that finds the budget spent gets 429
     * with Retry-After. 0 = no limit. */
    uint64_t rate_limit_users;
    int64_t rate_window_ms;
    /* Fault injection: this share (0..1) of /api requests fails on purpose, evenly
     * split between a 500 with a JSON error, a 503 with an HTML body, a 200 with
     * an HTML body (not JSON), and a correct answer delayed by slow_ms. */
    double fail_rate;
    int64_t slow_ms;
    up_api_handler handler;
    void *handler_ctx;
    /* userpipe_api_requests_total{status}, userpipe_api_users_total and
     * userpipe_api_request_duration_seconds go here; NULL = no metrics. */
    struct up_registry *metrics;
};

struct up_api_server;

/* NULL + a message in err when the address is bad or taken. */
struct up_api_server *up_api_server_start(const struct up_api_server_config *cfg, char *err,
                                          size_t errlen);
uint16_t up_api_server_port(const struct up_api_server *s);
/* Finishes delayed responses, closes connections, joins the threads. */
void up_api_server_stop(struct up_api_server *s);

/* Parses --rate-limit: "N/DURATION" ("20000/5m", "100/30s") or a bare "N" (per 5
 * minutes); "0" turns the limit off. Returns 0 or -1. */
int up_api_parse_rate_limit(const char *s, uint64_t *users, int64_t *window_ms);

#endif
