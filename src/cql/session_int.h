/* session_int: private to the library (not for callers of cql.h): the state behind
 * cql_session, shared by session.c (connection pools, the poll loop), topology.c (hosts,
 * discovery, events, the ring; its own calls in topology_int.h) and request.c (submission,
 * routing, retries, re-prepare, completion). A session owns one epoll set with every socket,
 * a timerfd for deadlines and an eventfd that wakes the caller's poll() when requests were
 * queued outside the loop. */
#ifndef UP_CQL_SESSION_INT_H
#define UP_CQL_SESSION_INT_H

#include "core/backoff.h"
#include "cql/connection.h"
#include "cql/message.h"

#include <sys/socket.h>

struct cql_host;
struct cql_request;

/* One connection slot of a host; the epoll data pointer for its socket. */
struct cql_slot_conn {
    struct cql_conn *conn; /* NULL: closed, waiting for the host's next connect time */
    struct cql_host *host;
    bool epoll_out;  /* EPOLLOUT currently registered */
    bool dirty;      /* on the session's flush list */
    bool ever_ready; /* this slot's current connection reached READY */
    bool heartbeat;  /* an OPTIONS heartbeat is outstanding */
    int64_t heartbeat_sent_ms;
};

struct cql_host {
    char label[64]; /* "ip:port": how errors and results name the node */
    struct sockaddr_storage addr;
    socklen_t addrlen;
    char *server_name; /* contact point host name for TLS (NULL: the address) */
    bool contact;      /* given as a contact point: never dropped from the pool */
    char dc[64], rack[64];
    struct cql_slot_conn *slots; /* connections_per_host of them */
    int nslots;
    bool up;      /* at least one READY connection */
    bool was_up;  /* has been up before: a later READY counts as a reconnect */
    bool removed; /* gone from system.peers; closed and skipped */
    struct up_backoff backoff;
    int64_t next_connect_ms; /* when closed slots are next opened */
    unsigned failures;       /* connection attempts that closed before READY */
    struct cql_error last_error;
    int64_t *tokens;
    size_t ntokens;
    uint64_t requests;   /* sent here: user requests, prepares, re-prepares (cql_host_info) */
    uint64_t errors;     /* ERROR answers from here */
    uint64_t reprepares; /* PREPAREs sent here after an UNPREPARED or when it came up */
    uint64_t timeouts;   /* attempts here that outlived the attempt timeout */
    /* health: a suspect node is out of query plans until it answers again */
    bool suspect;
    unsigned timeouts_in_row; /* attempt timeouts since its last answer */
    int warming;              /* statements being prepared on it since it came up: no traffic */
    struct cql_request *preparing; /* REPREPAREs in flight here, one per statement (host_next) */
    /* When statements were last prepared here (the session's send sequence then). An
     * UNPREPARED answer to an attempt sent before that says the node did not know the statement
     * *then*: the attempt is sent again, not prepared again (the answers of writes in flight
     * during a PREPARE arrive after it). A ring: a statement that fell out costs one redundant
     * PREPARE. */
    struct {
        const struct cql_prepared *p;
        uint64_t seq;
    } prepared_at[16];
    unsigned prepared_next;
};

struct cql_ring_entry {
    int64_t token;
    struct cql_host *host;
};

enum cql_req_kind {
    CQL_REQ_USER,      /* execute / query / batch from the API */
    CQL_REQ_PREPARE,   /* cql_session_prepare */
    CQL_REQ_REPREPARE, /* PREPARE sent because a node answered UNPREPARED to `parent` */
    CQL_REQ_INTERNAL,  /* discovery, REGISTER, heartbeats: pinned, never retried */
};

/* Attempts of one request in flight at once: the first, a re-send after the attempt timeout
 * and speculative ones, each on another node. */
#define CQL_MAX_OUTSTANDING 3

/* One attempt on the wire: where, and since when. */
struct cql_attempt {
    struct cql_slot_conn *slot;
    int16_t stream;
    bool speculative;
    bool late; /* outlived the attempt timeout: counted against its node once */
    int64_t sent_ms;
    uint64_t seq; /* the session's send sequence: orders sends finer than a millisecond */
};

enum cql_req_state {
    CQL_RS_IDLE,
    CQL_RS_QUEUED,      /* waiting for a connection with a free stream id */
    CQL_RS_IN_FLIGHT,   /* sent: out[0..nout) */
    CQL_RS_BACKOFF,     /* waiting to be retried at timer_at */
    CQL_RS_REPREPARING, /* waiting for its child PREPARE */
    CQL_RS_DONE,        /* on the completion list */
};

typedef void (*cql_internal_cb)(struct cql_session *s, struct cql_request *req, cql_result *result,
                                const struct cql_error *err);

struct cql_request {
    enum cql_req_kind kind;
    enum cql_req_state state;
    struct cql_encoded enc;
    bool idempotent;
    int timeout_ms;      /* the whole request's bound, all attempts included */
    int64_t deadline_ms; /* submission + timeout_ms (monotonic) */
    int attempts;        /* sends so far (speculative ones and re-sends after a re-prepare not
                          * counted): the retry budget's count */
    int speculative;     /* speculative attempts sent */
    int64_t spec_at;     /* when the next speculative attempt is due; 0: none */
    bool spec_resend;    /* the attempt answered UNPREPARED was speculative */
    bool reprepared;     /* this attempt already re-prepared once */
    bool has_token;
    int64_t token;
    struct cql_host *last_host;
    struct cql_slot_conn *pinned;                /* INTERNAL: only this connection */
    struct cql_attempt out[CQL_MAX_OUTSTANDING]; /* IN_FLIGHT: where */
    int nout;
    int64_t timer_at;
    bool timer_set;                              /* on the session's timer list */
    struct cql_request *timer_next, *timer_prev; /* that list, by timer_at */
    struct cql_request *next, *prev;             /* wait queue or completion list */
    struct up_backoff backoff;
    /* completion */
    cql_result_cb cb;
    cql_prepare_cb pcb;
    cql_internal_cb icb;
    void *opaque;
    cql_result *result;
    struct cql_error *error;
    struct cql_prepared *prepared_out;
    /* prepare and re-prepare */
    char *query;
    struct cql_prepared *target; /* REPREPARE: whose id gets refreshed */
    struct cql_host *host;       /* REPREPARE: the node it prepares on */
    bool warmup;                 /* REPREPARE: sent because the node came up */
    struct cql_request *waiters; /* REPREPARE: requests waiting for it (wait_next) */
    struct cql_request *wait_next, *host_next;
};

#define CQL_LATENCY_BUCKETS 100

struct cql_req_list {
    struct cql_request *head, *tail;
    size_t len;
};

struct cql_session {
    struct cql_config cfg; /* strings below are owned copies */
    uint64_t send_seq;     /* attempts sent so far (cql_attempt.seq) */
    char *contact_points, *user, *password, *keyspace;
    char *tls_ca_file, *tls_cert_file, *tls_key_file, *tls_server_name;
    struct cql_conn_config conn_cfg;
    SSL_CTX *tls;
    struct cql_defaults defaults;

    int epfd, timerfd, kickfd;
    int64_t armed_at; /* timerfd deadline (monotonic ms); 0: disarmed */
    bool kicked;
    bool in_poll, in_callback;
    bool closing; /* cql_session_free() is running: failures are final */

    struct cql_host **hosts;
    size_t nhosts;
    size_t rr; /* round-robin start */
    struct cql_ring_entry *ring;
    size_t nring;
    bool token_aware;              /* config and a Murmur3 partitioner */
    struct cql_slot_conn *control; /* REGISTERed connection */
    bool topology_refreshing;
    bool peers_v2; /* the control node has system.peers_v2 (Cassandra >= 4) */

    struct cql_slot_conn **dirty; /* connections with output to flush */
    size_t ndirty, capdirty;
    struct cql_conn **dead; /* closed connections, freed at the end of a poll */
    size_t ndead, capdead;

    struct cql_req_list timers; /* deadlines and retry times, earliest first (timer_next) */
    struct cql_req_list queue;  /* waiting for a connection */
    struct cql_req_list done;   /* completed, callbacks not run yet */
    struct cql_request *pool;   /* recycled requests */
    size_t npool;

    struct cql_prepared **cache; /* prepared statements by query text */
    size_t ncache, capcache;

    struct cql_stats stats; /* counters; gauges are computed on demand */
    /* answer latencies, quarter-octave buckets of microseconds, halved now and then so that
     * the estimate follows the cluster; p99_us is refreshed every few hundred samples */
    uint32_t latency[CQL_LATENCY_BUCKETS];
    uint32_t latency_n, latency_since;
    int64_t p99_us;
    int spec_credit;  /* speculative attempts allowed now, in hundredths */
    size_t in_flight; /* accepted user/prepare requests not yet called back */
};

/* ---- request.c ------------------------------------------------------------------------------ */
struct cql_request *cql_req_new(struct cql_session *s, enum cql_req_kind kind);
/* The bound after which an attempt counts as timed out and an idempotent request is sent to
 * the next node: the configured one, or derived from the observed p99 with a floor. */
int cql_attempt_timeout_ms(const struct cql_session *s);
/* Sends, queues or pins the request (counts an attempt). */
void cql_req_dispatch(struct cql_session *s, struct cql_request *req);
/* A response frame for req (from the connection hook). */
void cql_req_on_response(struct cql_session *s, struct cql_slot_conn *slot, struct cql_request *req,
                         const struct cql_frame *f);
/* The connection of slot, which carried an attempt of req, went away. */
void cql_req_on_conn_lost(struct cql_session *s, struct cql_slot_conn *slot,
                          struct cql_request *req, const struct cql_error *why);
/* Retry if allowed, else complete with err. */
void cql_req_fail_or_retry(struct cql_session *s, struct cql_request *req,
                           const struct cql_error *err);
void cql_req_complete(struct cql_session *s, struct cql_request *req, cql_result *result,
                      const struct cql_error *err);
/* Sends queued requests while connections have room. */
void cql_req_drain_queue(struct cql_session *s);
/* Fires due timers (timeouts, retries). */
void cql_req_expire(struct cql_session *s, int64_t now_ms);
/* Health: a node that did not answer in time is taken out of query plans (probed, its
 * idempotent requests moved elsewhere) until it answers again. */
void cql_host_suspect(struct cql_session *s, struct cql_host *h, const char *why);
void cql_host_answered(struct cql_session *s, struct cql_host *h);
/* A node came up: every known prepared statement is prepared on it before it gets traffic. */
void cql_host_warm_up(struct cql_session *s, struct cql_slot_conn *slot);
/* Runs the callbacks of completed requests; returns how many ran. */
int cql_req_run_completions(struct cql_session *s);
void cql_req_release(struct cql_session *s, struct cql_request *req);
/* (Re)arms req's timer at `at` (monotonic ms); cancelling an unarmed timer does nothing. */
void cql_timer_set(struct cql_session *s, struct cql_request *req, int64_t at);
void cql_timer_cancel(struct cql_session *s, struct cql_request *req);
void cql_list_remove(struct cql_req_list *l, struct cql_request *req);
void cql_list_push(struct cql_req_list *l, struct cql_request *req);
/* Sends an INTERNAL request on one connection; its icb runs at completion. */
void cql_req_internal(struct cql_session *s, struct cql_slot_conn *slot, uint8_t opcode,
                      const uint8_t *body, size_t len, cql_internal_cb icb, void *opaque);

/* ---- topology.c ----------------------------------------------------------------------------- */
/* A ready connection with a free stream id: token owner first when routable, then round-robin.
 * NULL when every connection is busy or down. */
struct cql_slot_conn *cql_session_pick(struct cql_session *s, const struct cql_request *req);
/* The least-loaded READY connection of h with a free stream id, or NULL (also when h is
 * suspect or still warming up, unless any_state). */
struct cql_slot_conn *cql_host_slot(struct cql_host *h, bool any_state);
struct cql_host *cql_host_find(struct cql_session *s, const char *label);

/* ---- session.c ------------------------------------------------------------------------------ */
void cql_session_mark_dirty(struct cql_session *s, struct cql_slot_conn *slot);
/* Wakes a caller that polls cql_session_fd() when requests were queued outside the loop. */
void cql_session_kick(struct cql_session *s);
/* Sends an OPTIONS heartbeat on slot unless one is outstanding. */
void cql_session_heartbeat(struct cql_session *s, struct cql_slot_conn *slot);
/* Adds or finds a prepared statement in the cache (the cache keeps its own reference). */
struct cql_prepared *cql_cache_find(struct cql_session *s, const char *query);
struct cql_prepared *cql_cache_insert(struct cql_session *s, const char *query,
                                      struct cql_prepared_meta *meta);
/* A query at ONE on one particular connection, waited for (discovery must ask the node it
 * talks to). */
int cql_internal_query_sync(struct cql_session *s, struct cql_slot_conn *slot, const char *cql,
                            cql_result **out, struct cql_error *err);

#endif
