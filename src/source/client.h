/* source/client: the RandomUser HTTP client. One libcurl handle (so the connection is
 * kept alive between pages) that GETs ?results=N&seed=S&page=P[&nat=..] and returns
 * the parsed body. It owns the API's failure modes: 429 waits for Retry-After (else
 * exponential backoff with jitter), not counted as a retry but bounded in total time per
 * page (rate_limited_max_ms); 5xx, 408, timeouts, transport
 * errors and bodies that are not a RandomUser JSON object are retried with backoff up
 * to max_retries; any other status is final. Every wait is cancellable, so a stop
 * request never hangs behind a sleep or a slow server. One client per thread. */
#ifndef UP_SOURCE_CLIENT_H
#define UP_SOURCE_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why a request is tried again: fixed set (metrics label). */
#define UP_RETRY_REASONS(X)                                                                        \
    X(RATE_LIMITED, "rate_limited") /* 429 */                                                      \
    X(SERVER_ERROR, "server_error") /* 5xx, 408 */                                                 \
    X(TIMEOUT, "timeout")           /* no complete answer within timeout_ms */                     \
    X(TRANSPORT, "transport")       /* connection refused/reset, DNS, TLS */                       \
    X(BAD_BODY, "bad_body")         /* not JSON, or no results array */

enum up_retry_reason {
#define UP_RETRY_ENUM(name, code) UP_RETRY_##name,
    UP_RETRY_REASONS(UP_RETRY_ENUM)
#undef UP_RETRY_ENUM
        UP_RETRY_NREASONS
};

const char *up_retry_reason_code(enum up_retry_reason r);

struct up_client_config {
    const char *url;            /* base URL, e.g. "https://randomuser.me/api/" (may hold a query) */
    const char *nat;            /* "US,GB" or NULL for any nationality */
    int64_t timeout_ms;         /* whole request, connect included */
    int max_retries;            /* retries of 5xx/timeouts/transport/bad bodies per page */
    int64_t backoff_base_ms;    /* first retry delay cap (default 200) */
    int64_t backoff_max_ms;     /* largest delay (default 30000) */
    int64_t retry_after_max_ms; /* longest Retry-After honoured (default 900000) */
    int64_t rate_limited_max_ms; /* total 429 waiting per page before giving up (0: no limit) */
    size_t max_body_bytes;       /* larger bodies are refused (default 64 MiB) */
    /* Called before each retry wait (from the client's thread); may be NULL. */
    void (*on_retry)(void *ctx, enum up_retry_reason why, int64_t wait_ms, const char *what);
    void *ctx;
};

struct up_client;

/* NULL + err when libcurl cannot be set up. The config's strings must outlive it. */
struct up_client *up_client_new(const struct up_client_config *cfg, char *err, size_t errlen);
void up_client_free(struct up_client *c);

/* The request URL for one page (caller frees). */
char *up_client_page_url(struct up_client *c, const char *seed, long page, int results);

/* Fetches one page. On 0, *body is the parsed response (an object whose "results" is
 * an array; json_decref it). On -1, err names the URL and the last status or error,
 * e.g. "GET http://h/api/?results=10&seed=s&page=3: HTTP 503 after 5 retries: ...",
 * or says it was cancelled. */
int up_client_get_page(struct up_client *c, const char *seed, long page, int results, json_t **body,
                       char *err, size_t errlen);

/* Makes the current and every later request or wait of c return -1 promptly.
 * Safe from any thread. */
void up_client_cancel(struct up_client *c);
bool up_client_cancelled(const struct up_client *c);

/* Requests made and bytes received so far (for tests and stats). */
uint64_t up_client_requests(const struct up_client *c);
uint64_t up_client_connections(const struct up_client *c);

#endif
