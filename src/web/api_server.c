/* web/api_server: RandomUser-compatible routes over libmicrohttpd. */
#include "web/api_server.h"

#include "core/clock.h"
#include "core/flags.h"
#include "core/log.h"
#include "web/listen.h"
#include "web/metrics_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define QUERY_COPY_MAX 8193 /* one byte more than the generator accepts: it then says 400 */
#define RATE_SLOTS     65536
#define DELAY_MAX      4096 /* slow responses in flight at once */

enum fault { FAULT_NONE, FAULT_500, FAULT_503_HTML, FAULT_200_HTML, FAULT_SLOW, FAULT_KINDS };

/* One request, from the URI callback to the completion callback. */
struct request {
    char *query;
    size_t query_len;
    int64_t start_us;
    bool called;  /* the handler saw the headers once */
    bool resumed; /* a slow fault that already waited */
};

struct rate_slot {
    unsigned char addr[16];
    bool used;
    uint64_t users;
};

struct delayed {
    struct MHD_Connection *conn;
    int64_t due_ms;
};

struct up_api_server {
    struct up_api_server_config cfg;
    struct MHD_Daemon *daemon;
    uint16_t port;

    pthread_mutex_t rate_lock;
    struct rate_slot *rate; /* RATE_SLOTS, open addressing, cleared each window */
    int64_t rate_window;    /* index of the current window */

    pthread_mutex_t delay_lock;
    pthread_cond_t delay_cond;
    struct delayed delays[DELAY_MAX];
    size_t ndelays;
    bool delay_stop;
    pthread_t delay_thread;
    bool delay_started;

    struct up_metric *requests;
    struct up_series *users;
    struct up_series *duration;
};

/* ---- small helpers ---------------------------------------------------------- */

static uint64_t fault_random(void)
{
    /* One xorshift state per server thread, seeded from the kernel. */
    static _Thread_local uint64_t state;
    if (!state && getrandom(&state, sizeof state, 0) != (ssize_t)sizeof state)
        state = (uint64_t)up_mono_us() | 1;
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static enum fault draw_fault(const struct up_api_server *s)
{
    if (s->cfg.fail_rate <= 0)
        return FAULT_NONE;
    double u = (double)(fault_random() >> 11) / (double)(1ULL << 53);
    if (u >= s->cfg.fail_rate)
        return FAULT_NONE;
    return (enum fault)(1 + fault_random() % (FAULT_KINDS - 1));
}

static void count_request(struct up_api_server *s, unsigned status, size_t users)
{
    if (!s->requests)
        return;
    char code[12];
    snprintf(code, sizeof code, "%u", status);
    const char *labels[] = {code};
    up_series_add(up_metric_labels(s->requests, labels), 1);
    if (users)
        up_series_add(s->users, (double)users);
}

/* Optional headers of a response. */
struct extras {
    const char *filename;    /* Content-Disposition: attachment */
    const char *retry_after; /* seconds, on a 429 */
};

static enum MHD_Result send_body(struct up_api_server *s, struct MHD_Connection *conn,
                                 unsigned status, const char *type, struct extras extra,
                                 struct up_buf *body, size_t users)
{
    size_t len = body->len;
    char *data = up_buf_steal(body);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
    MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
    if (extra.filename) {
        char disp[128];
        snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", extra.filename);
        MHD_add_response_header(resp, "Content-Disposition", disp);
    }
    if (extra.retry_after)
        MHD_add_response_header(resp, "Retry-After", extra.retry_after);
    enum MHD_Result r = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    count_request(s, status, users);
    return r;
}

static enum MHD_Result send_error(struct up_api_server *s, struct MHD_Connection *conn,
                                  unsigned status, const char *message)
{
    struct up_buf body = UP_BUF_INIT;
    up_buf_puts(&body, "{\"error\":");
    up_buf_json_cstring(&body, message);
    up_buf_puts(&body, "}");
    return send_body(s, conn, status, "application/json; charset=utf-8", (struct extras){0}, &body,
                     0);
}

/* ---- rate limit ------------------------------------------------------------- */

static bool client_key(struct MHD_Connection *conn, unsigned char key[16])
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return false;
    memset(key, 0, 16);
    if (ci->client_addr->sa_family == AF_INET) {
        memcpy(key + 12, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, 4);
        return true;
    }
    if (ci->client_addr->sa_family == AF_INET6) {
        memcpy(key, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, 16);
        return true;
    }
    return false;
}

/* The slot of a client in the current window, or NULL when the table is full
 * (then the client is not limited: a test server should fail open). Locked. */
static struct rate_slot *rate_slot(struct up_api_server *s, const unsigned char key[16])
{
    int64_t window = up_wall_ms() / s->cfg.rate_window_ms;
    if (window != s->rate_window) {
        memset(s->rate, 0, RATE_SLOTS * sizeof *s->rate);
        s->rate_window = window;
    }
    uint32_t h = 2166136261u;
    for (int i = 0; i < 16; i++)
        h = (h ^ key[i]) * 16777619u;
    for (uint32_t probe = 0; probe < 64; probe++) {
        struct rate_slot *slot = &s->rate[(h + probe) % RATE_SLOTS];
        if (!slot->used) {
            slot->used = true;
            memcpy(slot->addr, key, 16);
            return slot;
        }
        if (memcmp(slot->addr, key, 16) == 0)
            return slot;
    }
    return NULL;
}

/* Seconds until the window ends when the client's budget is spent; 0 = go ahead. */
static int64_t rate_retry_after(struct up_api_server *s, struct MHD_Connection *conn)
{
    unsigned char key[16];
    if (!s->cfg.rate_limit_users || !client_key(conn, key))
        return 0;
    pthread_mutex_lock(&s->rate_lock);
    struct rate_slot *slot = rate_slot(s, key);
    int64_t wait = 0;
    if (slot && slot->users >= s->cfg.rate_limit_users) {
        int64_t now = up_wall_ms();
        int64_t end = (now / s->cfg.rate_window_ms + 1) * s->cfg.rate_window_ms;
        wait = (end - now + 999) / 1000;
    }
    pthread_mutex_unlock(&s->rate_lock);
    return wait;
}

static void rate_charge(struct up_api_server *s, struct MHD_Connection *conn, size_t users)
{
    unsigned char key[16];
    if (!s->cfg.rate_limit_users || !users || !client_key(conn, key))
        return;
    pthread_mutex_lock(&s->rate_lock);
    struct rate_slot *slot = rate_slot(s, key);
    if (slot)
        slot->users += users;
    pthread_mutex_unlock(&s->rate_lock);
}

int up_api_parse_rate_limit(const char *s, uint64_t *users, int64_t *window_ms)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    if (end == s || errno || s[0] == '-')
        return -1;
    *users = n;
    *window_ms = 300000;
    if (*end == '\0')
        return 0;
    if (*end != '/')
        return -1;
    int64_t ms;
    if (!up_parse_duration_ms(end + 1, &ms) || ms < 1000)
        return -1;
    *window_ms = ms;
    return 0;
}

/* ---- slow responses: suspended connections that a timer thread resumes ------ */

static void *delay_main(void *arg)
{
    struct up_api_server *s = arg;
    pthread_mutex_lock(&s->delay_lock);
    while (!s->delay_stop) {
        int64_t now = up_mono_ms(), next = now + 1000;
        for (size_t i = 0; i < s->ndelays;) {
            if (s->delays[i].due_ms <= now) {
                MHD_resume_connection(s->delays[i].conn);
                s->delays[i] = s->delays[--s->ndelays];
                continue;
            }
            if (s->delays[i].due_ms < next)
                next = s->delays[i].due_ms;
            i++;
        }
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t wait_ms = next - now;
        ts.tv_sec += wait_ms / 1000;
        ts.tv_nsec += (wait_ms % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&s->delay_cond, &s->delay_lock, &ts);
    }
    for (size_t i = 0; i < s->ndelays; i++)
        MHD_resume_connection(s->delays[i].conn);
    s->ndelays = 0;
    pthread_mutex_unlock(&s->delay_lock);
    return NULL;
}

/* Parks the connection for slow_ms; false when too many already wait. */
static bool delay_connection(struct up_api_server *s, struct MHD_Connection *conn)
{
    pthread_mutex_lock(&s->delay_lock);
    bool ok = s->ndelays < DELAY_MAX && !s->delay_stop;
    if (ok) {
        MHD_suspend_connection(conn);
        s->delays[s->ndelays++] = (struct delayed){conn, up_mono_ms() + s->cfg.slow_ms};
        pthread_cond_signal(&s->delay_cond);
    }
    pthread_mutex_unlock(&s->delay_lock);
    return ok;
}

/* ---- request handling -------------------------------------------------------- */

static const char html_503[] =
    "<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body>"
    "<h1>503 Service Unavailable</h1><p>The server is temporarily unable to service your "
    "request (injected by --fail-rate).</p></body></html>\n";
static const char html_200[] =
    "<!DOCTYPE html><html><head><title>Down for maintenance</title></head><body>"
    "<h1>We'll be back soon</h1><p>This page is not JSON (injected by --fail-rate).</p>"
    "</body></html>\n";

static enum MHD_Result send_html(struct up_api_server *s, struct MHD_Connection *conn,
                                 unsigned status, const char *html)
{
    struct up_buf body = UP_BUF_INIT;
    up_buf_puts(&body, html);
    return send_body(s, conn, status, "text/html; charset=utf-8", (struct extras){0}, &body, 0);
}

static bool is_api_path(const char *url)
{
    return strcmp(url, "/api") == 0 || strcmp(url, "/api/") == 0 || strcmp(url, "/api/1.4") == 0 ||
           strcmp(url, "/api/1.4/") == 0;
}

static enum MHD_Result serve_api(struct up_api_server *s, struct MHD_Connection *conn,
                                 struct request *req)
{
    if (!req->resumed) {
        int64_t wait = rate_retry_after(s, conn);
        if (wait > 0) {
            struct up_buf body = UP_BUF_INIT;
            up_buf_printf(&body,
                          "{\"error\":\"rate limit: this address has used its %llu users for "
                          "this %lld s window; retry in %lld s\"}",
                          (unsigned long long)s->cfg.rate_limit_users,
                          (long long)(s->cfg.rate_window_ms / 1000), (long long)wait);
            char retry[24];
            snprintf(retry, sizeof retry, "%lld", (long long)wait);
            return send_body(s, conn, 429, "application/json; charset=utf-8",
                             (struct extras){NULL, retry}, &body, 0);
        }
        switch (draw_fault(s)) {
        case FAULT_500:
            return send_error(s, conn, 500,
                              "internal server error (injected by --fail-rate); retry later");
        case FAULT_503_HTML:
            return send_html(s, conn, 503, html_503);
        case FAULT_200_HTML:
            return send_html(s, conn, 200, html_200);
        case FAULT_SLOW:
            req->resumed = true;
            if (delay_connection(s, conn))
                return MHD_YES; /* the handler runs again when the timer resumes us */
            break;
        default:
            break;
        }
    }
    struct up_api_response out = {0, NULL, NULL, 0, UP_BUF_INIT};
    s->cfg.handler(s->cfg.handler_ctx, req->query, req->query_len, &out);
    rate_charge(s, conn, out.users);
    return send_body(s, conn, out.status ? out.status : 500,
                     out.content_type ? out.content_type : "application/json; charset=utf-8",
                     (struct extras){out.filename, NULL}, &out.body, out.users);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
    (void)version;
    (void)upload;
    struct up_api_server *s = cls;
    struct request *req = *req_cls;
    if (!req->called) {
        /* Answer on the second call, once the whole request is in: a response
         * queued on the first call makes libmicrohttpd drop keep-alive. */
        req->called = true;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0; /* a body on a GET is read and ignored */
        return MHD_YES;
    }
    if (strcmp(method, "OPTIONS") == 0) {
        struct MHD_Response *resp =
            MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
        MHD_add_response_header(resp, "Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
        MHD_add_response_header(resp, "Allow", "GET, HEAD, OPTIONS");
        enum MHD_Result r = MHD_queue_response(conn, 204, resp);
        MHD_destroy_response(resp);
        count_request(s, 204, 0);
        return r;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return send_error(s, conn, 405, "only GET and HEAD are served; try GET /api/?results=10");
    if (is_api_path(url))
        return serve_api(s, conn, req);
    if (strncmp(url, "/api/", 5) == 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "API version '%.40s' is not served here; use /api/ (1.4)",
                 url + 5);
        return send_error(s, conn, 404, msg);
    }
    return send_error(s, conn, 404, "not found; the API is at /api/?results=10");
}

/* Keeps the raw query string: MHD hands the handler only decoded arguments, and
 * the generator parses (and bounds) the query itself. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    struct request *req = up_xcalloc(1, sizeof *req);
    req->start_us = up_mono_us();
    const char *q = strchr(uri, '?');
    if (q) {
        q++;
        size_t n = strnlen(q, QUERY_COPY_MAX);
        req->query = up_xstrndup(q, n);
        req->query_len = n;
    } else {
        req->query = up_xstrdup("");
    }
    return req;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    struct up_api_server *s = cls;
    struct request *req = *req_cls;
    if (!req)
        return;
    if (s->duration)
        up_series_observe(s->duration, (double)(up_mono_us() - req->start_us) / 1e6);
    free(req->query);
    free(req);
    *req_cls = NULL;
}

/* ---- lifecycle --------------------------------------------------------------- */

/* libmicrohttpd's own complaints (a client that hangs up mid-request, ...) are
 * routine for a public-facing test server: debug level, one line each. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    if (!up_log_enabled(UP_LOG_DEBUG))
        return;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    UP_DEBUG("libmicrohttpd: %s", line);
}

static void register_metrics(struct up_api_server *s)
{
    struct up_registry *r = s->cfg.metrics;
    if (!r)
        return;
    s->requests = up_metric_new(r, UP_METRIC_COUNTER, "userpipe_api_requests_total",
                                "HTTP requests answered, by status code", "status", NULL, 0);
    s->users = up_metric_series(up_metric_new(r, UP_METRIC_COUNTER, "userpipe_api_users_total",
                                              "users generated and sent", NULL, NULL, 0));
    static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                     0.1,    0.25,  0.5,    1,     2.5,  5,     10};
    s->duration = up_metric_series(
        up_metric_new(r, UP_METRIC_HISTOGRAM, "userpipe_api_request_duration_seconds",
                      "time from request line to the last byte sent", NULL, buckets,
                      sizeof buckets / sizeof buckets[0]));
}

struct up_api_server *up_api_server_start(const struct up_api_server_config *cfg, char *err,
                                          size_t errlen)
{
    struct sockaddr_storage ss;
    if (up_listen_resolve("--listen", cfg->listen, "127.0.0.1:8000", &ss, err, errlen) != 0)
        return NULL;
    int family = ss.ss_family;
    struct up_api_server *s = up_xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    if (s->cfg.rate_window_ms <= 0)
        s->cfg.rate_window_ms = 300000;
    if (s->cfg.rate_limit_users)
        s->rate = up_xcalloc(RATE_SLOTS, sizeof *s->rate);
    s->rate_window = -1;
    pthread_mutex_init(&s->rate_lock, NULL);
    pthread_mutex_init(&s->delay_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->delay_cond, &ca);
    pthread_condattr_destroy(&ca);
    register_metrics(s);

    unsigned threads = cfg->threads;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG;
    if (family == AF_INET6)
        flags |= MHD_USE_IPv6;
    /* The pool option goes last: with one thread it becomes MHD_OPTION_END, since
     * libmicrohttpd warns about a pool of size 0 or 1. */
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
        threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, threads, MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(err, errlen,
                 "--listen %s: cannot listen (port taken or address not local); pick another "
                 "port",
                 cfg->listen);
        up_api_server_stop(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    if (pthread_create(&s->delay_thread, NULL, delay_main, s) != 0) {
        snprintf(err, errlen, "cannot start the timer thread for slow responses");
        up_api_server_stop(s);
        return NULL;
    }
    s->delay_started = true;
    return s;
}

uint16_t up_api_server_port(const struct up_api_server *s)
{
    return s->port;
}

void up_api_server_stop(struct up_api_server *s)
{
    if (!s)
        return;
    if (s->delay_started) {
        pthread_mutex_lock(&s->delay_lock);
        s->delay_stop = true;
        pthread_cond_signal(&s->delay_cond);
        pthread_mutex_unlock(&s->delay_lock);
        pthread_join(s->delay_thread, NULL);
    }
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    pthread_cond_destroy(&s->delay_cond);
    pthread_mutex_destroy(&s->delay_lock);
    pthread_mutex_destroy(&s->rate_lock);
    free(s->rate);
    free(s);
}
