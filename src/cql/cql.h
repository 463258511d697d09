/* cql: the public API of userpipe's Cassandra client (CQL native protocol v4).
 *
 * A library with no knowledge of the pipeline: no flags, no environment variables, no output
 * format; those belong to the programs that use it. Layers, bottom up; only this header is
 * public, the others are shared inside the library:
 *   codec.h          bytes only: feed bytes -> frames, encode requests into a buffer
 *   types.h          CQL values: parse types, encode, decode, print
 *   message.h        message bodies, no I/O: responses parsed into structures (RESULT,
 *                    ERROR, EVENT, ...), requests built from statements (message.c, and
 *                    statement.c: statements, batches, binding, QUERY/EXECUTE/BATCH bodies)
 *   connection.h     one non-blocking socket, its stream-id table, handshake, timeouts
 *   session_int.h    the session's private state, shared by
 *     request.c      the life of one request: submit, route, time out, retry, re-prepare
 *     session.c      connection pools, heartbeats, reconnection, the poll loop
 *     topology.c     hosts, discovery, the control connection, events, the token ring
 *                    (topology_int.h)
 *   errors.c         the error table below as names, descriptions and classifiers
 *
 * Threading: a session belongs to one thread. Nothing here takes a lock.
 *
 * The event loop: requests are submitted with cql_session_execute() (or _query, _batch,
 * _prepare) and their completion callbacks run ONLY from cql_session_poll(), on the
 * caller's thread, exactly once per accepted request. cql_session_fd() is a file descriptor
 * (an epoll set holding the sockets and a timer) that becomes readable whenever
 * cql_session_poll() has work, so the caller can put it next to its own fds in poll().
 * The *_sync helpers run that same loop internally until their own request completes;
 * other requests' callbacks may run meanwhile.
 *
 * Hazards (as in the DataStax driver): inside a callback, do not call cql_session_poll(),
 * a *_sync function or cql_session_free() (they fail with CQL_ERR_NOT_ALLOWED / are
 * refused). Submitting new requests from a callback is fine.
 *
 * Ownership: statements and batches stay the caller's; submission copies what it needs,
 * so a statement can be freed or re-used (e.g. with the next paging state) right after
 * the call returns. Results handed to a callback are freed by the library when the callback
 * returns, unless the callback calls cql_result_retain(). Results returned by *_sync
 * functions belong to the caller (cql_result_free()).
 *
 * Errors: functions that can fail return 0 / -1 (or an enum cql_error_code) and fill a
 * caller-provided struct cql_error with the code and a message that says what to do.
 * Server error codes map one for one onto enum cql_error_code (CQL_ERROR_TABLE below).
 */
#ifndef UP_CQL_CQL_H
#define UP_CQL_CQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct up_buf;

/* ------------------------------------------------------------------------------------------
 * Errors: ONE table for the enum, the names and the descriptions.
 * XX(source, NAME, code, description). Server codes are the protocol's (spec §9);
 * library codes are ours. The enum value is (source << 24) | code, so a server code can
 * never collide with a library code and 0 stays "no error".
 * ---------------------------------------------------------------------------------------- */
#define CQL_SOURCE_SERVER            1
#define CQL_SOURCE_LIB               2
#define CQL_ERROR_CODE(source, code) (((source) << 24) | (code))

#define CQL_ERROR_TABLE(XX)                                                                        \
    XX(SERVER, SERVER_ERROR, 0x0000, "server error: unexpected failure inside the node")           \
    XX(SERVER, PROTOCOL_ERROR, 0x000A, "protocol error: the node rejected a client message")       \
    XX(SERVER, BAD_CREDENTIALS, 0x0100, "authentication failed: check the user and password")      \
    XX(SERVER, UNAVAILABLE, 0x1000, "unavailable: not enough live replicas for the consistency")   \
    XX(SERVER, OVERLOADED, 0x1001, "overloaded: the coordinator refused the request")              \
    XX(SERVER, IS_BOOTSTRAPPING, 0x1002, "the coordinator is bootstrapping")                       \
    XX(SERVER, TRUNCATE_ERROR, 0x1003, "truncate failed")                                          \
    XX(SERVER, WRITE_TIMEOUT, 0x1100, "write timeout: replicas did not acknowledge in time")       \
    XX(SERVER, READ_TIMEOUT, 0x1200, "read timeout: replicas did not answer in time")              \
    XX(SERVER, READ_FAILURE, 0x1300, "read failure on a replica")                                  \
    XX(SERVER, FUNCTION_FAILURE, 0x1400, "a user-defined function failed")                         \
    XX(SERVER, WRITE_FAILURE, 0x1500, "write failure on a replica")                                \
    XX(SERVER, CDC_WRITE_FAILURE, 0x1600, "CDC write failure")                                     \
    XX(SERVER, CAS_WRITE_UNKNOWN, 0x1700, "CAS write outcome unknown")                             \
    XX(SERVER, SYNTAX_ERROR, 0x2000, "syntax error in the CQL statement")                          \
    XX(SERVER, UNAUTHORIZED, 0x2100, "unauthorized: the user lacks a permission")                  \
    XX(SERVER, INVALID, 0x2200, "invalid query")                                                   \
    XX(SERVER, CONFIG_ERROR, 0x2300, "configuration error")                                        \
    XX(SERVER, ALREADY_EXISTS, 0x2400, "already exists")                                           \
    XX(SERVER, UNPREPARED, 0x2500, "unprepared: the node does not know the prepared id")           \
    XX(LIB, BAD_PARAMS, 1, "bad parameters: wrong index, size or value")                           \
    XX(LIB, TYPE_MISMATCH, 2, "the value's C type does not match the CQL type")                    \
    XX(LIB, CONNECT, 3, "could not connect: is Cassandra running at that address?")                \
    XX(LIB, CONNECTION_CLOSED, 4, "connection lost while the request was in flight")               \
    XX(LIB, TIMEOUT, 5, "no answer within the request timeout")                                    \
    XX(LIB, NO_HOSTS, 6, "no host available: every node is down or unreachable")                   \
    XX(LIB, PROTOCOL, 7, "malformed data from the server")                                         \
    XX(LIB, FRAME_TOO_LARGE, 8, "frame larger than the configured maximum")                        \
    XX(LIB, COMPRESSION, 9, "LZ4 compression or decompression failed")                             \
    XX(LIB, AUTH, 10, "authentication needed: give a user and password")                           \
    XX(LIB, TLS, 11, "TLS setup, handshake or certificate verification failed")                    \
    XX(LIB, QUEUE_FULL, 12, "too many requests in flight: poll, then submit again")                \
    XX(LIB, SHUTDOWN, 13, "the session was closed before the request completed")                   \
    XX(LIB, NOT_ALLOWED, 14, "not allowed from inside a completion callback")                      \
    XX(LIB, REPREPARE_FAILED, 15, "re-preparing an unprepared statement failed")                   \
    XX(LIB, RETRIES_EXHAUSTED, 16, "retries exhausted")                                            \
    XX(LIB, SCHEMA_AGREEMENT, 17, "the nodes did not agree on the schema in time")

enum cql_error_code {
    CQL_OK = 0,
#define CQL_ERROR_ENUM_(src, name, code, desc)                                                     \
    CQL_ERR_##name = CQL_ERROR_CODE(CQL_SOURCE_##src, code),
    CQL_ERROR_TABLE(CQL_ERROR_ENUM_)
#undef CQL_ERROR_ENUM_
};

/* Consistency levels, values as on the wire (spec §3). */
enum cql_consistency {
    CQL_ANY = 0x0000,
    CQL_ONE = 0x0001,
    CQL_TWO = 0x0002,
    CQL_THREE = 0x0003,
    CQL_QUORUM = 0x0004,
    CQL_ALL = 0x0005,
    CQL_LOCAL_QUORUM = 0x0006,
    CQL_EACH_QUORUM = 0x0007,
    CQL_SERIAL = 0x0008,
    CQL_LOCAL_SERIAL = 0x0009,
    CQL_LOCAL_ONE = 0x000A,
};

/* What a failed request left behind. Detail fields are filled only for the codes named. */
struct cql_error {
    enum cql_error_code code;
    char message[512];                /* the server's message, or ours; NUL-terminated */
    char host[64];                    /* "ip:port" of the node involved; "" if none */
    enum cql_consistency consistency; /* UNAVAILABLE, READ/WRITE_TIMEOUT, READ/WRITE_FAILURE */
    int32_t required;                 /* UNAVAILABLE: replicas required; others: blockfor */
    int32_t received;                 /* UNAVAILABLE: alive; others: replicas that answered */
    int32_t failures;                 /* READ_FAILURE / WRITE_FAILURE: numfailures */
    bool data_present;                /* READ_TIMEOUT / READ_FAILURE */
    char write_type[24];              /* WRITE_TIMEOUT / WRITE_FAILURE: SIMPLE, BATCH, ... */
    char keyspace[128];               /* ALREADY_EXISTS / FUNCTION_FAILURE */
    char table[128]; /* ALREADY_EXISTS table ("" = keyspace); FUNCTION_FAILURE fn */
};

/* "UNPREPARED", "TIMEOUT", ...; "UNKNOWN" for values outside the table. */
const char *cql_error_name(enum cql_error_code code);
/* The table's description; "unknown error" for values outside the table. */
const char *cql_error_desc(enum cql_error_code code);
/* Maps a protocol error code (0x2500) onto the enum; unknown codes map to SERVER_ERROR. */
enum cql_error_code cql_error_from_server(int32_t server_code);
bool cql_error_is_server(enum cql_error_code code);
/* The protocol code of a server error (0x2500), or -1 for library errors. */
int32_t cql_error_server_code(enum cql_error_code code);
/* True when trying the same idempotent statement again may succeed (overloaded, timeouts,
 * connection loss, no host, bootstrapping, unavailable, server error). Never true for
 * syntax/invalid/unauthorized and the like: those fail the same way every time. */
bool cql_error_is_retryable(enum cql_error_code code);
/* One line for people: "Invalid query (server code 0x2200) from 127.0.0.1:9042: <message>". */
void cql_error_format(const struct cql_error *err, char *out, size_t size);
/* Sets code and a printf-formatted message (used by the library; handy for callers too). */
void cql_error_set(struct cql_error *err, enum cql_error_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cql_error_clear(struct cql_error *err);

/* "LOCAL_QUORUM" <-> CQL_LOCAL_QUORUM (case-insensitive parse). */
const char *cql_consistency_name(enum cql_consistency cl);
bool cql_consistency_parse(const char *s, enum cql_consistency *out);
/* "any|one|two|three|quorum|all|local_quorum|each_quorum|serial|local_serial|local_one" */
#define CQL_CONSISTENCY_CHOICES                                                                    \
    "any|one|two|three|quorum|all|local_quorum|each_quorum|serial|local_serial|local_one"

/* ------------------------------------------------------------------------------------------
 * Data types and values
 * ---------------------------------------------------------------------------------------- */
enum cql_type_id {
    CQL_TYPE_CUSTOM = 0x0000,
    CQL_TYPE_ASCII = 0x0001,
    CQL_TYPE_BIGINT = 0x0002,
    CQL_TYPE_BLOB = 0x0003,
    CQL_TYPE_BOOLEAN = 0x0004,
    CQL_TYPE_COUNTER = 0x0005,
    CQL_TYPE_DECIMAL = 0x0006,
    CQL_TYPE_DOUBLE = 0x0007,
    CQL_TYPE_FLOAT = 0x0008,
    CQL_TYPE_INT = 0x0009,
    CQL_TYPE_TIMESTAMP = 0x000B,
    CQL_TYPE_UUID = 0x000C,
    CQL_TYPE_VARCHAR = 0x000D, /* "text" */
    CQL_TYPE_VARINT = 0x000E,
    CQL_TYPE_TIMEUUID = 0x000F,
    CQL_TYPE_INET = 0x0010,
    CQL_TYPE_DATE = 0x0011,
    CQL_TYPE_TIME = 0x0012,
    CQL_TYPE_SMALLINT = 0x0013,
    CQL_TYPE_TINYINT = 0x0014,
    CQL_TYPE_DURATION = 0x0015,
    CQL_TYPE_LIST = 0x0020,
    CQL_TYPE_MAP = 0x0021,
    CQL_TYPE_SET = 0x0022,
    CQL_TYPE_UDT = 0x0030,
    CQL_TYPE_TUPLE = 0x0031,
};

/* A column's or bound variable's type; owned by the result or prepared statement. */
typedef struct cql_data_type cql_data_type;

enum cql_type_id cql_data_type_id(const cql_data_type *t);
/* list/set: 1 (element); map: 2 (key, value); tuple/UDT: the fields; others: 0. */
size_t cql_data_type_sub_count(const cql_data_type *t);
const cql_data_type *cql_data_type_sub(const cql_data_type *t, size_t i);
/* UDT field name i; NULL for other types. */
const char *cql_data_type_field_name(const cql_data_type *t, size_t i);
/* CUSTOM: the Java class name; UDT: "keyspace.name"; NULL otherwise. */
const char *cql_data_type_custom(const cql_data_type *t);
/* CQL spelling: "text", "map<text, frozen<list<int>>>", "'org.apache...'" for custom. */
void cql_data_type_format(const cql_data_type *t, struct up_buf *out);

struct cql_uuid {
    uint8_t bytes[16];
};
/* Accepts the canonical 36-character form (either case); false on anything else. */
bool cql_uuid_parse(const char *s, size_t len, struct cql_uuid *out);
/* Lowercase canonical form, NUL-terminated. */
void cql_uuid_format(const struct cql_uuid *u, char out[37]);

/* One cell (or one element of a collection): the serialized bytes and their type.
 * data points into the result; valid while the result lives. */
struct cql_value {
    const cql_data_type *type;
    const uint8_t *data;
    int32_t len; /* < 0: null */
};

bool cql_value_is_null(const struct cql_value *v);
/* Typed accessors: CQL_OK, CQL_ERR_TYPE_MISMATCH (wrong CQL type or null), or
 * CQL_ERR_PROTOCOL (the server sent a value of the wrong size). */
enum cql_error_code cql_value_get_bool(const struct cql_value *v, bool *out);
/* tinyint, smallint, int. */
enum cql_error_code cql_value_get_int32(const struct cql_value *v, int32_t *out);
/* tinyint..bigint, counter, timestamp (ms), time (ns), and varint when it fits. */
enum cql_error_code cql_value_get_int64(const struct cql_value *v, int64_t *out);
/* float, double. */
enum cql_error_code cql_value_get_double(const struct cql_value *v, double *out);
enum cql_error_code cql_value_get_float(const struct cql_value *v, float *out);
/* ascii, text/varchar: the bytes (not NUL-terminated). */
enum cql_error_code cql_value_get_text(const struct cql_value *v, const char **s, size_t *len);
/* Any type: the raw serialized bytes (blob content for blobs). */
enum cql_error_code cql_value_get_bytes(const struct cql_value *v, const uint8_t **p, size_t *len);
/* uuid, timeuuid. */
enum cql_error_code cql_value_get_uuid(const struct cql_value *v, struct cql_uuid *out);
/* timestamp: ms since the epoch. */
enum cql_error_code cql_value_get_timestamp(const struct cql_value *v, int64_t *ms);
/* date: days since 1970-01-01 (negative before). */
enum cql_error_code cql_value_get_date(const struct cql_value *v, int64_t *days);
/* time: nanoseconds since midnight. */
enum cql_error_code cql_value_get_time(const struct cql_value *v, int64_t *ns);
/* inet: 4 or 16 address bytes. */
enum cql_error_code cql_value_get_inet(const struct cql_value *v, uint8_t addr[16], size_t *len);

/* Walks a list, set, map, tuple or UDT. Maps yield key, value, key, value, ... */
struct cql_iter {
    const struct cql_value *parent;
    const uint8_t *pos, *end;
    size_t index, count; /* count: elements (maps: 2 * entries) */
};
/* CQL_ERR_TYPE_MISMATCH for non-collections and null, CQL_ERR_PROTOCOL for bad counts. */
enum cql_error_code cql_value_iter_init(const struct cql_value *v, struct cql_iter *it);
/* true and *elem filled, or false at the end or on malformed data (see it->index < count). */
bool cql_iter_next(struct cql_iter *it, struct cql_value *elem);

enum cql_print_style {
    CQL_PRINT_CQLSH, /* as cqlsh shows it: null, 2024-05-01 12:00:00.000000+0000, 0xcafe, ['a'] */
    CQL_PRINT_JSON,  /* a JSON value: strings quoted, numbers bare, maps as objects, null */
    CQL_PRINT_TEXT,  /* as CQLSH, but top-level text raw (no escapes) and null empty: CSV */
};
/* Appends the value's text. Never fails: malformed bytes print as their hex (0x...). */
void cql_value_print(const struct cql_value *v, enum cql_print_style style, struct up_buf *out);

/* ------------------------------------------------------------------------------------------
 * Session configuration
 * ---------------------------------------------------------------------------------------- */
struct cql_event;

struct cql_config {
    const char *contact_points;       /* "host:port[,host:port..]", port default 9042, [v6]:port */
    const char *user;                 /* NULL: offer no credentials */
    const char *password;             /* never logged; copied and wiped on free */
    const char *keyspace;             /* USE'd on every connection; NULL: none */
    enum cql_consistency consistency; /* default for statements: LOCAL_ONE */
    enum cql_consistency serial_consistency; /* default: SERIAL */
    int connect_timeout_ms;                  /* TCP + TLS + handshake per connection: 5000 */
    int request_timeout_ms;                  /* per request, every attempt included: 12000 */
    int attempt_timeout_ms;   /* an attempt without an answer after this counts as timed out
                               * against its node, and an idempotent request is sent to the next
                               * node (the first answer wins); 0: 2 x the observed p99, at least
                               * 1000 (docs/cql.md) */
    int speculative_delay_ms; /* idempotent requests: another attempt on the next node after
                               * max(this, the observed p99) without an answer; 0: off */
    int speculative_max;      /* speculative attempts per request: 1 (when the delay is set) */
    int connections_per_host; /* 1 */
    int max_requests_per_connection; /* in flight per socket, <= 32768: 4096 */
    int max_queued;                  /* requests waiting for a connection: 65536 */
    bool compression;                /* LZ4, if the node offers it: false */
    int64_t max_frame_bytes;         /* largest frame accepted (compressed or not): 16 MiB */
    bool discover_peers;             /* read system.peers and connect to them: true */
    bool token_aware;                /* route prepared statements to the partition owner: true */
    int max_retries;                 /* per idempotent request: 5 */
    int retry_base_ms, retry_max_ms; /* backoff between retries: 50, 2000 */
    int reconnect_base_ms, reconnect_max_ms; /* backoff between reconnects: 250, 10000 */
    int heartbeat_ms;        /* OPTIONS on a connection that read nothing for this long; unanswered
                              * after as long again, the node is suspect: 1000; 0 off */
    int schema_agreement_ms; /* after DDL through a *_sync helper, wait up to this long for
                              * the live nodes to agree on the schema: 10000; 0 off */
    bool tls;                /* TLS on every connection: false */
    bool tls_verify;         /* verify the chain and the host name: true */
    const char *tls_ca_file; /* PEM; NULL: the system's CAs */
    const char *tls_cert_file;   /* client certificate (PEM), optional */
    const char *tls_key_file;    /* its key (PEM), optional */
    const char *tls_server_name; /* SNI and name to verify; NULL: the host as given */
    /* Server pushes (topology, status, schema), from cql_session_poll(). NULL: not registered;
     * the session still follows topology and status internally. */
    void (*event_cb)(void *opaque, const struct cql_event *ev);
    void *event_opaque;
};

/* Fills the defaults noted above (contact points 127.0.0.1:9042). */
void cql_config_init(struct cql_config *config);

enum cql_event_type {
    CQL_EVENT_TOPOLOGY_CHANGE, /* change: NEW_NODE, REMOVED_NODE; address set */
    CQL_EVENT_STATUS_CHANGE,   /* change: UP, DOWN; address set */
    CQL_EVENT_SCHEMA_CHANGE,   /* change: CREATED, UPDATED, DROPPED; target, keyspace, name */
};

struct cql_event {
    enum cql_event_type type;
    const char *change;
    const char *address; /* "ip:port" */
    const char *target;  /* KEYSPACE, TABLE, TYPE, FUNCTION, AGGREGATE */
    const char *keyspace;
    const char *name; /* "" for keyspace changes */
};

/* ------------------------------------------------------------------------------------------
 * Session
 * ---------------------------------------------------------------------------------------- */
typedef struct cql_session cql_session;
typedef struct cql_result cql_result;
typedef struct cql_prepared cql_prepared;
typedef struct cql_statement cql_statement;
typedef struct cql_batch cql_batch;

/* Blocking: tries the contact points in order until one completes the handshake
 * (TCP, TLS, OPTIONS, STARTUP, authentication, USE keyspace), reads system.local and
 * system.peers, then opens the pools of every node found (each within connect_timeout_ms;
 * nodes that do not answer are retried in the background). On failure *out is NULL and err
 * says which address failed how ("127.0.0.1:9042: connect: Connection refused"). */
int cql_session_connect(const struct cql_config *config, cql_session **out, struct cql_error *err);

/* Closes every connection. Requests still pending complete with CQL_ERR_SHUTDOWN (their
 * callbacks run inside this call). To finish them instead, poll until
 * cql_session_in_flight() is 0 first. Not allowed from a callback (returns doing nothing). */
void cql_session_free(cql_session *s);

/* The fd to watch for POLLIN (an epoll set); when readable, call cql_session_poll(s, 0). */
int cql_session_fd(const cql_session *s);

/* Writes queued requests, reads answers, handles timeouts, retries and reconnection, and
 * runs the callbacks of completed requests. Waits up to timeout_ms (0: don't wait, -1: until
 * something completes) for the first event. Returns the number of callbacks run, or -1 when
 * called from inside a callback. */
int cql_session_poll(cql_session *s, int timeout_ms);

/* Writes what submissions queued, without waiting or reading (cql_session_poll does it too). */
void cql_session_flush(cql_session *s);

/* Accepted requests whose callback has not run yet. */
size_t cql_session_in_flight(const cql_session *s);

struct cql_stats {
    uint64_t requests;         /* accepted submissions */
    uint64_t completed_ok;     /* callbacks with a result */
    uint64_t completed_error;  /* callbacks with an error */
    uint64_t retries;          /* attempts beyond the first (speculative ones not counted) */
    uint64_t reprepares;       /* PREPAREs sent because a node answered UNPREPARED or came up */
    uint64_t prepares_on_up;   /* of which sent to a node coming up, before its traffic */
    uint64_t prepare_waits;    /* UNPREPARED requests that needed no PREPARE of their own: one
                                * was in flight, or finished after they were sent */
    uint64_t timeouts;         /* requests that hit the request timeout */
    uint64_t attempt_timeouts; /* attempts that outlived the attempt timeout */
    uint64_t speculative_sent; /* speculative attempts sent */
    uint64_t speculative_won;  /* requests whose answer came from a speculative attempt */
    uint64_t suspects;         /* times a node was taken out of query plans as suspect */
    uint64_t moved;            /* in-flight attempts moved off a suspect node */
    uint64_t server_errors;    /* ERROR frames received */
    uint64_t connections_lost; /* connections that closed after being ready */
    uint64_t reconnects;       /* connections re-established after a loss */
    uint64_t bytes_sent;       /* on the wire (after compression) */
    uint64_t bytes_received;
    size_t in_flight; /* as cql_session_in_flight() */
    size_t queued;    /* waiting for a connection or a retry */
    int hosts_known, hosts_up;
    int connections_ready;
    int hosts_suspect;
    int attempt_timeout_ms; /* the bound in use now (configured or derived) */
};
void cql_session_stats(const cql_session *s, struct cql_stats *out);

/* What the session knows of one node and the share of the work it got: for dashboards,
 * per-node metrics and tools that check where requests went (host_info.c). */
struct cql_host_info {
    char address[64];      /* "ip:port", as errors and results name the node */
    char dc[64], rack[64]; /* from system.local / system.peers; "" until read */
    bool up;               /* at least one connection to it is READY */
    bool contact;          /* given as a contact point */
    bool control;          /* carries the control connection (events, topology) */
    size_t ntokens;        /* tokens it owns in the ring */
    unsigned failures;     /* connection attempts that closed before READY */
    char last_error[256];  /* the latest such attempt's error; "" if none */
    uint64_t requests;     /* sent to it: executes, queries, batches (each retry too), prepares
                            * and re-prepares; the session's own (discovery, heartbeats) not */
    uint64_t errors;       /* ERROR answers from it */
    uint64_t reprepares;   /* statements prepared again on it: after it answered UNPREPARED,
                            * or when it came up (one PREPARE per statement in flight) */
    uint64_t timeouts;     /* attempts on it that outlived the attempt timeout */
    bool suspect;          /* out of query plans until it answers again */
};
/* Copies the nodes the session knows (left out: those gone from system.peers) into out, at
 * most max of them, in the order they were found; returns how many there are, which may
 * exceed max. */
size_t cql_session_hosts(const cql_session *s, struct cql_host_info *out, size_t max);

/* The completion of execute/query/batch: exactly one of result and err is non-NULL.
 * result is freed when the callback returns unless retained; err lives until then too. */
typedef void (*cql_result_cb)(void *opaque, cql_result *result, const struct cql_error *err);
/* The completion of an async prepare: the callback owns a reference to prepared
 * (cql_prepared_free() it), or err is set. */
typedef void (*cql_prepare_cb)(void *opaque, cql_prepared *prepared, const struct cql_error *err);

/* Async submission. 0: accepted, cb will run exactly once from cql_session_poll().
 * -1: refused now (err says why: BAD_PARAMS, QUEUE_FULL, SHUTDOWN, NOT_ALLOWED...);
 * cb will never run. The statement is copied; the caller keeps it. Prepared statements with
 * a complete routing key go to the node that owns the partition (token-aware). */
int cql_session_execute(cql_session *s, const cql_statement *st, cql_result_cb cb, void *opaque,
                        struct cql_error *err);
/* A simple statement with no bound values at the session's default consistency. */
int cql_session_query(cql_session *s, const char *cql, cql_result_cb cb, void *opaque,
                      struct cql_error *err);
int cql_session_execute_batch(cql_session *s, const cql_batch *b, cql_result_cb cb, void *opaque,
                              struct cql_error *err);
/* Prepares on one node (the others learn it when they first answer UNPREPARED, or when they
 * come up: every known statement is prepared on a node before it gets traffic). A statement
 * already in the session's cache completes from the cache without a round trip. */
int cql_session_prepare(cql_session *s, const char *cql, cql_prepare_cb cb, void *opaque,
                        struct cql_error *err);

/* Blocking helpers (they poll the session until their request completes; for DDL, tools
 * and `userpipe query`). *out may be NULL to discard the result. When the answer is a
 * SCHEMA_CHANGE (DDL), they also wait for schema agreement (cql_session_wait_schema_agreement,
 * config schema_agreement_ms); if it does not come, they fail with CQL_ERR_SCHEMA_AGREEMENT
 * although the change itself was applied. */
int cql_session_query_sync(cql_session *s, const char *cql, cql_result **out,
                           struct cql_error *err);
int cql_session_execute_sync(cql_session *s, const cql_statement *st, cql_result **out,
                             struct cql_error *err);
int cql_session_batch_sync(cql_session *s, const cql_batch *b, cql_result **out,
                           struct cql_error *err);
/* Waits until node ("ip:port": the node that ran the DDL, cql_result_host() of its result;
 * NULL: the control node) and every live peer it knows report the same schema_version
 * (system.local, system.peers_v2 / system.peers, read on that node), looking every 200 ms, for
 * at most timeout_ms. Read on the node that ran the DDL because it is the only one sure to
 * have the change: another node that has not received it yet, and has not yet heard of it by
 * gossip, sees every node on the old schema and would call that agreement. -1 with
 * CQL_ERR_SCHEMA_AGREEMENT and each node's version in the message when they still differ;
 * other requests' callbacks may run meanwhile. Not from a callback. */
int cql_session_wait_schema_agreement(cql_session *s, const char *node, int timeout_ms,
                                      struct cql_error *err);
/* The handle is cached per query string: preparing the same text again returns the same
 * statement with one more reference. Free each reference with cql_prepared_free(). */
int cql_session_prepare_sync(cql_session *s, const char *cql, cql_prepared **out,
                             struct cql_error *err);

/* ------------------------------------------------------------------------------------------
 * Prepared statements
 * ---------------------------------------------------------------------------------------- */
const char *cql_prepared_query(const cql_prepared *p);
/* Bound variables ('?' markers): count, names, types. */
size_t cql_prepared_param_count(const cql_prepared *p);
const char *cql_prepared_param_name(const cql_prepared *p, size_t i);
const cql_data_type *cql_prepared_param_type(const cql_prepared *p, size_t i);
/* Routing key: the bound-variable indexes of the partition key columns, in key order.
 * 0 when the statement does not bind the whole partition key (then no token routing). */
size_t cql_prepared_pk_count(const cql_prepared *p);
size_t cql_prepared_pk_index(const cql_prepared *p, size_t i);
/* Drops one reference; statements bound from it keep their own. */
void cql_prepared_free(cql_prepared *p);

/* ------------------------------------------------------------------------------------------
 * Statements: a simple query or a bound prepared statement, plus EXECUTE options.
 * ---------------------------------------------------------------------------------------- */
/* A simple statement with nvalues positional '?' markers (0 for none). */
cql_statement *cql_statement_new(const char *cql, size_t nvalues);
/* A statement for p with every value unset; binds are type-checked against p. */
cql_statement *cql_prepared_bind(cql_prepared *p);
void cql_statement_free(cql_statement *st);
/* Unsets every value and keeps the options and the buffers' capacity: a writer that sends
 * one row per request binds the same statement again instead of allocating one per row
 * (executing copies what it needs, so the statement is free again once execute returns). */
void cql_statement_clear_values(cql_statement *st);

/* Options. Defaults: the session's consistency, no timestamp (the server's clock), page
 * size 5000, first page, not idempotent, the session's request timeout. */
void cql_statement_set_consistency(cql_statement *st, enum cql_consistency cl);
void cql_statement_set_serial_consistency(cql_statement *st, enum cql_consistency cl);
/* Default write timestamp in microseconds since the epoch (must be >= 0). */
enum cql_error_code cql_statement_set_timestamp(cql_statement *st, int64_t micros);
/* Rows per page; <= 0 asks for everything in one result (avoid for big tables). */
void cql_statement_set_page_size(cql_statement *st, int32_t rows);
/* Continue after the page `previous` (a result of this same statement); a result without
 * more pages resets to the first page. */
void cql_statement_set_paging_state(cql_statement *st, const cql_result *previous);
enum cql_error_code cql_statement_set_paging_state_raw(cql_statement *st, const uint8_t *state,
                                                       size_t len);
/* Idempotent statements are retried on OVERLOADED, timeouts and connection loss; others
 * fail at once (they might have been applied). */
void cql_statement_set_idempotent(cql_statement *st, bool idempotent);
void cql_statement_set_timeout_ms(cql_statement *st, int timeout_ms);

/* Binding by index (0-based). CQL_OK, CQL_ERR_BAD_PARAMS (index out of range, bad size)
 * or CQL_ERR_TYPE_MISMATCH (prepared statements only: the variable's type differs).
 * Each bind copies the value. */
enum cql_error_code cql_statement_bind_null(cql_statement *st, size_t i);
/* "not set": the column keeps its current value (no tombstone). */
enum cql_error_code cql_statement_bind_unset(cql_statement *st, size_t i);
/* text/varchar; ascii (checked to be 7-bit). */
enum cql_error_code cql_statement_bind_text(cql_statement *st, size_t i, const char *s, size_t len);
enum cql_error_code cql_statement_bind_blob(cql_statement *st, size_t i, const void *data,
                                            size_t len);
/* uuid, timeuuid. */
enum cql_error_code cql_statement_bind_uuid(cql_statement *st, size_t i, const struct cql_uuid *u);
/* timestamp: ms since the epoch. */
enum cql_error_code cql_statement_bind_timestamp(cql_statement *st, size_t i, int64_t ms);
/* bigint, counter, varint. */
enum cql_error_code cql_statement_bind_bigint(cql_statement *st, size_t i, int64_t v);
enum cql_error_code cql_statement_bind_int(cql_statement *st, size_t i, int32_t v);
enum cql_error_code cql_statement_bind_smallint(cql_statement *st, size_t i, int16_t v);
enum cql_error_code cql_statement_bind_tinyint(cql_statement *st, size_t i, int8_t v);
enum cql_error_code cql_statement_bind_bool(cql_statement *st, size_t i, bool v);
enum cql_error_code cql_statement_bind_double(cql_statement *st, size_t i, double v);
enum cql_error_code cql_statement_bind_float(cql_statement *st, size_t i, float v);
/* date: days since 1970-01-01. */
enum cql_error_code cql_statement_bind_date(cql_statement *st, size_t i, int32_t days);
/* time: nanoseconds since midnight, 0 .. 86399999999999. */
enum cql_error_code cql_statement_bind_time(cql_statement *st, size_t i, int64_t ns);
/* inet: len 4 or 16. */
enum cql_error_code cql_statement_bind_inet(cql_statement *st, size_t i, const uint8_t *addr,
                                            size_t len);
/* Any type, already serialized as spec §6 says (collections, decimal, ...); not checked. */
enum cql_error_code cql_statement_bind_raw(cql_statement *st, size_t i, const void *data,
                                           size_t len);

/* ------------------------------------------------------------------------------------------
 * Batches: several statements applied together (logged: atomically via the batch log).
 * ---------------------------------------------------------------------------------------- */
enum cql_batch_type { CQL_BATCH_LOGGED = 0, CQL_BATCH_UNLOGGED = 1, CQL_BATCH_COUNTER = 2 };

cql_batch *cql_batch_new(enum cql_batch_type type);
/* Copies st (its values and its prepared reference; its paging options are ignored).
 * CQL_ERR_BAD_PARAMS after 65535 statements. */
enum cql_error_code cql_batch_add(cql_batch *b, const cql_statement *st);
size_t cql_batch_count(const cql_batch *b);
void cql_batch_set_consistency(cql_batch *b, enum cql_consistency cl);
void cql_batch_set_serial_consistency(cql_batch *b, enum cql_consistency cl);
enum cql_error_code cql_batch_set_timestamp(cql_batch *b, int64_t micros);
void cql_batch_set_idempotent(cql_batch *b, bool idempotent);
void cql_batch_set_timeout_ms(cql_batch *b, int timeout_ms);
void cql_batch_free(cql_batch *b);

/* ------------------------------------------------------------------------------------------
 * Results
 * ---------------------------------------------------------------------------------------- */
enum cql_result_kind {
    CQL_RESULT_VOID = 0x0001,
    CQL_RESULT_ROWS = 0x0002,
    CQL_RESULT_SET_KEYSPACE = 0x0003,
    CQL_RESULT_PREPARED = 0x0004,
    CQL_RESULT_SCHEMA_CHANGE = 0x0005,
};

enum cql_result_kind cql_result_kind(const cql_result *r);
size_t cql_result_column_count(const cql_result *r);
const char *cql_result_column_name(const cql_result *r, size_t col);
const cql_data_type *cql_result_column_type(const cql_result *r, size_t col);
size_t cql_result_row_count(const cql_result *r);
/* The cell at (row, col); out-of-range indexes give a null value with a NULL type. */
struct cql_value cql_result_cell(const cql_result *r, size_t row, size_t col);
/* Paging: true when another page follows (pass this result to
 * cql_statement_set_paging_state() and execute again). */
bool cql_result_has_more_pages(const cql_result *r);
/* SET_KEYSPACE: the keyspace; others: NULL. */
const char *cql_result_keyspace(const cql_result *r);
/* SCHEMA_CHANGE: change (CREATED..), target (TABLE..), keyspace, name; false otherwise. */
bool cql_result_schema_change(const cql_result *r, const char **change, const char **target,
                              const char **keyspace, const char **name);
/* Warnings the server attached (e.g. a large batch). */
size_t cql_result_warning_count(const cql_result *r);
const char *cql_result_warning(const cql_result *r, size_t i);
/* "ip:port" of the node that answered. */
const char *cql_result_host(const cql_result *r);
/* Keeps a callback's result alive past the callback; pair with cql_result_free(). */
cql_result *cql_result_retain(cql_result *r);
void cql_result_free(cql_result *r);

#endif
