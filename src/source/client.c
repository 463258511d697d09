/* source/client: RandomUser pages over one kept-alive libcurl handle, with retries. */
#include "source/client.h"

#include "core/backoff.h"
#include "core/buf.h"
#include "core/clock.h"

#include <curl/curl.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const retry_codes[UP_RETRY_NREASONS] = {
#define UP_RETRY_CODE(name, code) code,
    UP_RETRY_REASONS(UP_RETRY_CODE)
#undef UP_RETRY_CODE
};

const char *up_retry_reason_code(enum up_retry_reason r)
{
    return (unsigned)r < UP_RETRY_NREASONS ? retry_codes[r] : "unknown";
}

struct up_client {
    struct up_client_config cfg;
    CURL *curl;
    struct curl_slist *headers;
    char curl_err[CURL_ERROR_SIZE];
    struct up_buf body;
    bool body_too_big;
    struct up_backoff backoff;
    atomic_bool cancelled;
    pthread_mutex_t lock; /* with wake: cancellable sleeps */
    pthread_cond_t wake;
    _Atomic uint64_t requests;
    _Atomic uint64_t connections;
};

/* What one attempt came to. */
enum attempt_result { ATTEMPT_OK, ATTEMPT_RETRY, ATTEMPT_FATAL, ATTEMPT_CANCELLED };

struct attempt {
    enum attempt_result result;
    enum up_retry_reason why; /* when ATTEMPT_RETRY */
    int64_t retry_after_ms;   /* from a 429's Retry-After, or -1 */
    char what[320];           /* "HTTP 503: <body start>", "timeout after 30000 ms", ... */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void init_curl(void)
{
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    struct up_client *c = arg;
    size_t len = size * n;
    if (c->body.len + len > c->cfg.max_body_bytes) {
        c->body_too_big = true;
        return 0; /* libcurl aborts the transfer with CURLE_WRITE_ERROR */
    }
    up_buf_append(&c->body, data, len);
    return len;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    const struct up_client *c = arg;
    return atomic_load(&c->cancelled) ? 1 : 0;
}

static void apply_defaults(struct up_client_config *cfg)
{
    if (cfg->timeout_ms <= 0)
        cfg->timeout_ms = 30000;
    if (cfg->max_retries < 0)
        cfg->max_retries = 0;
    if (cfg->backoff_base_ms <= 0)
        cfg->backoff_base_ms = 200;
    if (cfg->backoff_max_ms <= 0)
        cfg->backoff_max_ms = 30000;
    if (cfg->retry_after_max_ms <= 0)
        cfg->retry_after_max_ms = 900000;
    if (cfg->max_body_bytes == 0)
        cfg->max_body_bytes = (size_t)64 << 20;
}

static void setup_handle(struct up_client *c)
{
    CURL *h = c->curl;
    int64_t connect_ms = c->cfg.timeout_ms < 10000 ? c->cfg.timeout_ms : 10000;
    c->headers = curl_slist_append(NULL, "Accept: application/json");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "userpipe/" USERPIPE_VERSION);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->cfg.timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)connect_ms);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curl_err);
}

struct up_client *up_client_new(const struct up_client_config *cfg, char *err, size_t errlen)
{
    pthread_once(&curl_once, init_curl);
    if (curl_init_result != CURLE_OK) {
        snprintf(err, errlen, "libcurl could not start: %s", curl_easy_strerror(curl_init_result));
        return NULL;
    }
    struct up_client *c = up_xcalloc(1, sizeof *c);
    c->cfg = *cfg;
    apply_defaults(&c->cfg);
    c->curl = curl_easy_init();
    if (!c->curl) {
        snprintf(err, errlen, "libcurl could not create a handle");
        free(c);
        return NULL;
    }
    setup_handle(c);
    up_backoff_init(&c->backoff, c->cfg.backoff_base_ms, c->cfg.backoff_max_ms);
    pthread_mutex_init(&c->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&c->wake, &attr);
    pthread_condattr_destroy(&attr);
    return c;
}

void up_client_free(struct up_client *c)
{
    if (!c)
        return;
    curl_easy_cleanup(c->curl);
    curl_slist_free_all(c->headers);
    up_buf_free(&c->body);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->wake);
    free(c);
}

void up_client_cancel(struct up_client *c)
{
    pthread_mutex_lock(&c->lock);
    atomic_store(&c->cancelled, true);
    pthread_cond_broadcast(&c->wake);
    pthread_mutex_unlock(&c->lock);
}

bool up_client_cancelled(const struct up_client *c)
{
    return atomic_load(&c->cancelled);
}

uint64_t up_client_requests(const struct up_client *c)
{
    return atomic_load(&c->requests);
}

uint64_t up_client_connections(const struct up_client *c)
{
    return atomic_load(&c->connections);
}

/* Sleeps ms unless cancelled first; false when cancelled. */
static bool sleep_cancellable(struct up_client *c, int64_t ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&c->lock);
    while (!atomic_load(&c->cancelled) &&
           pthread_cond_timedwait(&c->wake, &c->lock, &until) != ETIMEDOUT)
        ;
    pthread_mutex_unlock(&c->lock);
    return !atomic_load(&c->cancelled);
}

static void append_escaped(struct up_buf *url, CURL *h, const char *name, const char *value)
{
    char *esc = curl_easy_escape(h, value, 0);
    up_buf_printf(url, "&%s=%s", name, esc ? esc : "");
    curl_free(esc);
}

char *up_client_page_url(struct up_client *c, const char *seed, long page, int results)
{
    struct up_buf url = UP_BUF_INIT;
    up_buf_printf(&url, "%s%cresults=%d", c->cfg.url, strchr(c->cfg.url, '?') ? '&' : '?', results);
    if (seed && *seed)
        append_escaped(&url, c->curl, "seed", seed);
    up_buf_printf(&url, "&page=%ld", page);
    if (c->cfg.nat && *c->cfg.nat)
        append_escaped(&url, c->curl, "nat", c->cfg.nat);
    return up_buf_steal(&url);
}

/* The start of a body, printable, for error messages. */
static void body_excerpt(const struct up_buf *body, char *out, size_t outlen)
{
    size_t n = 0;
    for (size_t i = 0; i < body->len && n + 4 < outlen && i < 120; i++) {
        unsigned char ch = (unsigned char)body->data[i];
        out[n++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : ' ';
    }
    if (body->len > 120 && n + 4 < outlen) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
    if (n == 0)
        snprintf(out, outlen, "(empty body)");
}

static void retry(struct attempt *a, enum up_retry_reason why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void retry(struct attempt *a, enum up_retry_reason why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->what, sizeof a->what, fmt, ap);
    va_end(ap);
    a->result = ATTEMPT_RETRY;
    a->why = why;
}

/* A 2xx answer: it must be a JSON object with a non-empty "results" array. */
static void check_body(struct up_client *c, long status, int results, json_t **out,
                       struct attempt *a)
{
    char excerpt[160];
    json_error_t jerr;
    json_t *root = json_loadb(c->body.data ? c->body.data : "", c->body.len, 0, &jerr);
    if (!root) {
        body_excerpt(&c->body, excerpt, sizeof excerpt);
        retry(a, UP_RETRY_BAD_BODY, "HTTP %ld with a body that is not JSON (%s at byte %d): %s",
              status, jerr.text, jerr.position, excerpt);
        return;
    }
    json_t *list = json_object_get(root, "results");
    const char *api_error = json_string_value(json_object_get(root, "error"));
    if (!json_is_array(list) || (results > 0 && json_array_size(list) == 0)) {
        body_excerpt(&c->body, excerpt, sizeof excerpt);
        retry(a, UP_RETRY_BAD_BODY, "HTTP %ld without users in \"results\"%s%s: %s", status,
              api_error ? ", error: " : "", api_error ? api_error : "", excerpt);
        json_decref(root);
        return;
    }
    *out = root;
    a->result = ATTEMPT_OK;
}

static void classify_status(struct up_client *c, long status, int results, json_t **out,
                            struct attempt *a)
{
    char excerpt[160];
    if (status >= 200 && status < 300) {
        check_body(c, status, results, out, a);
        return;
    }
    body_excerpt(&c->body, excerpt, sizeof excerpt);
    if (status == 429) {
        curl_off_t after = -1;
        if (curl_easy_getinfo(c->curl, CURLINFO_RETRY_AFTER, &after) == CURLE_OK && after > 0)
            a->retry_after_ms = (int64_t)after * 1000;
        retry(a, UP_RETRY_RATE_LIMITED, "HTTP 429 (rate limited): %s", excerpt);
    } else if (status >= 500 || status == 408) {
        retry(a, UP_RETRY_SERVER_ERROR, "HTTP %ld: %s", status, excerpt);
    } else {
        snprintf(a->what, sizeof a->what, "HTTP %ld: %s", status, excerpt);
        a->result = ATTEMPT_FATAL;
    }
}

static void classify_transport(struct up_client *c, CURLcode rc, struct attempt *a)
{
    const char *detail = c->curl_err[0] ? c->curl_err : curl_easy_strerror(rc);
    switch (rc) {
    case CURLE_ABORTED_BY_CALLBACK:
        a->result = ATTEMPT_CANCELLED;
        snprintf(a->what, sizeof a->what, "cancelled");
        return;
    case CURLE_WRITE_ERROR:
        if (c->body_too_big) {
            retry(a, UP_RETRY_BAD_BODY, "body larger than %zu bytes", c->cfg.max_body_bytes);
            return;
        }
        break;
    case CURLE_OPERATION_TIMEDOUT:
        retry(a, UP_RETRY_TIMEOUT, "no complete answer within %lld ms (%s)",
              (long long)c->cfg.timeout_ms, detail);
        return;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_NOT_BUILT_IN:
        snprintf(a->what, sizeof a->what, "%s", detail);
        a->result = ATTEMPT_FATAL;
        return;
    default:
        break;
    }
    retry(a, UP_RETRY_TRANSPORT, "%s", detail);
}

static void attempt_once(struct up_client *c, const char *url, int results, json_t **out,
                         struct attempt *a)
{
    a->retry_after_ms = -1;
    a->what[0] = '\0';
    up_buf_clear(&c->body);
    c->body_too_big = false;
    c->curl_err[0] = '\0';
    curl_easy_setopt(c->curl, CURLOPT_URL, url);
    CURLcode rc = curl_easy_perform(c->curl);
    atomic_fetch_add(&c->requests, 1);
    long new_conns = 0;
    if (curl_easy_getinfo(c->curl, CURLINFO_NUM_CONNECTS, &new_conns) == CURLE_OK)
        atomic_fetch_add(&c->connections, (uint64_t)new_conns);
    if (atomic_load(&c->cancelled)) {
        a->result = ATTEMPT_CANCELLED;
        snprintf(a->what, sizeof a->what, "cancelled");
        return;
    }
    if (rc != CURLE_OK) {
        classify_transport(c, rc, a);
        return;
    }
    long status = 0;
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
    classify_status(c, status, results, out, a);
}

/* How long to wait before the next try: the server's Retry-After when it sent one
 * (bounded), else the backoff with jitter. Never zero, so never a hot loop. */
static int64_t retry_wait_ms(struct up_client *c, const struct attempt *a)
{
    if (a->why == UP_RETRY_RATE_LIMITED && a->retry_after_ms > 0)
        return a->retry_after_ms < c->cfg.retry_after_max_ms ? a->retry_after_ms
                                                             : c->cfg.retry_after_max_ms;
    int64_t ms = up_backoff_next_ms(&c->backoff);
    return ms > 0 ? ms : 1;
}

/* A 429 is the API asking us to slow down, so it does not use up max_retries; but an API
 * that never lets a page through would otherwise hold produce (and the Airflow task) forever.
 * Shortens the last wait to the budget's end so one more try lands at the limit. */
static bool within_rate_limit_budget(const struct up_client *c, int64_t *throttled_ms,
                                     int64_t *wait_ms)
{
    int64_t budget = c->cfg.rate_limited_max_ms;
    if (budget <= 0)
        return true;
    if (*throttled_ms >= budget)
        return false;
    if (*wait_ms > budget - *throttled_ms)
        *wait_ms = budget - *throttled_ms;
    *throttled_ms += *wait_ms;
    return true;
}

int up_client_get_page(struct up_client *c, const char *seed, long page, int results, json_t **body,
                       char *err, size_t errlen)
{
    *body = NULL;
    char *url = up_client_page_url(c, seed, page, results);
    int retries = 0;
    int64_t throttled_ms = 0;
    struct attempt a;
    up_backoff_reset(&c->backoff);
    for (;;) {
        if (atomic_load(&c->cancelled)) {
            snprintf(err, errlen, "GET %s: cancelled", url);
            break;
        }
        attempt_once(c, url, results, body, &a);
        if (a.result == ATTEMPT_OK) {
            free(url);
            return 0;
        }
        if (a.result != ATTEMPT_RETRY) {
            snprintf(err, errlen, "GET %s: %s", url, a.what);
            break;
        }
        if (a.why != UP_RETRY_RATE_LIMITED && retries >= c->cfg.max_retries) {
            snprintf(err, errlen,
                     "GET %s: %s; gave up after %d retries (check that the API is up and "
                     "answering, or raise --max-retries / --timeout)",
                     url, a.what, retries);
            break;
        }
        if (a.why != UP_RETRY_RATE_LIMITED)
            retries++;
        int64_t wait = retry_wait_ms(c, &a);
        if (a.why == UP_RETRY_RATE_LIMITED && !within_rate_limit_budget(c, &throttled_ms, &wait)) {
            snprintf(err, errlen,
                     "GET %s: %s; still rate limited after waiting %.1f s in total (lower --rate "
                     "or --fetchers, or raise --max-rate-limit-wait)",
                     url, a.what, (double)throttled_ms / 1000.0);
            break;
        }
        if (c->cfg.on_retry)
            c->cfg.on_retry(c->cfg.ctx, a.why, wait, a.what);
        if (!sleep_cancellable(c, wait)) {
            snprintf(err, errlen, "GET %s: cancelled while waiting to retry (%s)", url, a.what);
            break;
        }
    }
    free(url);
    return -1;
}
