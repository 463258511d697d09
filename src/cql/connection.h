/* connection: one non-blocking TCP (optionally TLS) connection to one node. It runs the
 * handshake by itself (OPTIONS, STARTUP with LZ4 when offered, AUTHENTICATE with SASL PLAIN,
 * USE keyspace), owns the stream-id table and the output buffer, and turns readable bytes
 * into frames handed to its owner through hooks. The owner (the session) drives it from an
 * epoll loop: it watches cql_conn_fd() for input, and for output when cql_conn_want_write(). */
#ifndef UP_CQL_CONNECTION_H
#define UP_CQL_CONNECTION_H

#include "cql/codec.h"
#include "cql/cql.h"

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

enum cql_conn_state {
    CQL_CONN_CONNECTING, /* TCP connect in progress */
    CQL_CONN_TLS,        /* TLS handshake */
    CQL_CONN_OPTIONS,    /* waiting for SUPPORTED */
    CQL_CONN_STARTUP,    /* waiting for READY or AUTHENTICATE */
    CQL_CONN_AUTH,       /* waiting for AUTH_SUCCESS */
    CQL_CONN_KEYSPACE,   /* waiting for the USE result */
    CQL_CONN_READY,
    CQL_CONN_CLOSED,
};

struct cql_conn_config {
    const char *user, *password; /* NULL user: no credentials to offer */
    const char *keyspace;        /* NULL: no USE */
    bool compression;            /* ask for LZ4 when SUPPORTED lists it */
    size_t max_frame;
    int max_streams;         /* <= 32768 */
    int connect_timeout_ms;  /* the whole handshake */
    int tcp_user_timeout_ms; /* sent data unacknowledged this long closes the socket; 0: the
                              * kernel's default (minutes) */
    SSL_CTX *tls;            /* NULL: plain TCP */
    const char *tls_server_name;
    bool tls_verify;
};

struct cql_conn;

/* Called from cql_conn_handle(); they may send on the connection or close it. */
struct cql_conn_hooks {
    void (*on_ready)(void *owner, struct cql_conn *c);
    /* A response for a request that was sent with cql_conn_send(request). */
    void (*on_response)(void *owner, struct cql_conn *c, void *request, const struct cql_frame *f);
    /* A server push (stream < 0). */
    void (*on_event)(void *owner, struct cql_conn *c, const struct cql_frame *f);
    /* The connection is closed (before or after READY); requests still in its table can
     * be listed with cql_conn_take_requests(). Do not free the connection in here. */
    void (*on_closed)(void *owner, struct cql_conn *c, const struct cql_error *why);
};

/* Starts a non-blocking connect to addr. label ("10.0.0.1:9042") names the node in errors.
 * NULL with err when the socket cannot even be created or the address is unusable. */
struct cql_conn *cql_conn_open(const struct sockaddr *addr, socklen_t addrlen, const char *label,
                               const struct cql_conn_config *cfg,
                               const struct cql_conn_hooks *hooks, void *owner,
                               struct cql_error *err);
void cql_conn_free(struct cql_conn *c);

int cql_conn_fd(const struct cql_conn *c);
enum cql_conn_state cql_conn_state(const struct cql_conn *c);
const char *cql_conn_label(const struct cql_conn *c);
bool cql_conn_want_write(const struct cql_conn *c);
size_t cql_conn_pending_out(const struct cql_conn *c); /* bytes queued, not yet written */
/* Where the owner keeps its own per-connection data (e.g. the host). */
void cql_conn_set_user(struct cql_conn *c, void *user);
void *cql_conn_user(const struct cql_conn *c);

/* Handles epoll events (EPOLLIN/EPOLLOUT/EPOLLERR/EPOLLHUP). */
void cql_conn_handle(struct cql_conn *c, uint32_t events);
/* Writes buffered output; closes the connection on a write error. */
void cql_conn_flush(struct cql_conn *c);
/* Closes the connection if the handshake has outlived its deadline (ms, monotonic). */
void cql_conn_check_handshake(struct cql_conn *c, int64_t now_ms);
void cql_conn_close(struct cql_conn *c, enum cql_error_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Unsent output beyond which a connection takes no more requests: a node that stops reading
 * must not make the client buffer without bound. */
#define CQL_MAX_PENDING_OUT (8u << 20)

/* Queues a request frame on a READY connection. The request pointer comes back in
 * on_response. 0 and *stream set, or -1 when no stream id is free, CQL_MAX_PENDING_OUT bytes
 * wait unsent, or it is not ready. */
int cql_conn_send(struct cql_conn *c, uint8_t opcode, const uint8_t *body, size_t len,
                  void *request, int16_t *stream);
/* The request on stream gave up (timeout): its id stays reserved until the late answer
 * arrives, then is recycled; the answer is dropped. */
void cql_conn_orphan(struct cql_conn *c, int16_t stream);
/* Removes and returns (up to max) the requests still in the table; for the owner's
 * on_closed handling. Returns how many were stored in out. */
size_t cql_conn_take_requests(struct cql_conn *c, void **out, size_t max);
/* Lists (up to max) the live requests in the table, leaving them there. */
size_t cql_conn_requests(const struct cql_conn *c, void **out, size_t max);
int cql_conn_in_flight(const struct cql_conn *c); /* live requests */
int cql_conn_orphans(const struct cql_conn *c);
int cql_conn_free_streams(const struct cql_conn *c);
bool cql_conn_compressed(const struct cql_conn *c);
int64_t cql_conn_last_read_ms(const struct cql_conn *c);
void cql_conn_counters(const struct cql_conn *c, uint64_t *sent, uint64_t *received);

/* TLS context for a session: the CA file (or system CAs) and optional client certificate.
 * NULL with err on failure. */
SSL_CTX *cql_tls_context_new(const struct cql_config *cfg, struct cql_error *err);

#endif
