/* Unit tests for the cql session against mock CQL nodes (threads speaking enough of protocol
 * v4 on 127.0.0.1): the handshake with and without authentication, LZ4, thousands of async
 * requests over a small stream-id table, retries on OVERLOADED (idempotent only), client
 * timeouts, transparent re-prepare on UNPREPARED, connection loss and reconnection,
 * token-aware routing over two nodes (and the per-node counters), discovery from an old
 * node (system.peers) and of a peer with rpc_address 0.0.0.0, schema agreement after DDL,
 * a pushed STATUS_CHANGE DOWN and UP, queue limits, shutdown, the
 * pollable fd, and the callback hazards. The real node is exercised by
 * tests/integration/test_cql_*.sh, the real ring by tests/integration/test_cluster_cql.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "cql/codec.h"
#include "cql/cql.h"
#include "cql/session_int.h"
#include "cql/types.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- the mock node ----------------------------------------------------------------------- */

#define MOCK_CONNS 16
#define MOCK_IDS   16

struct mock_conn {
    int fd;
    struct up_buf in;
    bool lz4;
    bool registered; /* sent REGISTER: the connection pushed events go on */
};

struct mock {
    int lfd;
    uint16_t port;
    pthread_t thread;
    atomic_bool stop;
    int64_t token;
    struct mock *peer;  /* listed in system.peers_v2 */
    uint32_t ip;        /* listening address, host order (127.0.0.1 unless set) */
    bool old_peers;     /* no system.peers_v2 (Cassandra 3): the peer is in system.peers */
    bool wildcard_rpc;  /* the peer's rpc/native address is 0.0.0.0 */
    uint8_t schema[16]; /* schema_version (a uuid), as system.local and the peer tables say */
    /* a DDL changes this node's schema_version alone: the other node has not received the
     * change, and still hears the old version by gossip (told) */
    bool ddl_stays_here, told_set;
    uint8_t told[16];
    bool require_auth, offer_lz4;
    atomic_int overloaded_left; /* OVERLOADED answers still to give to "overloaded" */
    atomic_bool forget;         /* drop every prepared id (a restart, a schema change) */
    atomic_int prepares, executes, unprepared_sent, compressed_frames, connections;
    atomic_bool close_all;
    atomic_bool silent;       /* answer nothing once connections are set up (a hung node) */
    atomic_int options;       /* OPTIONS received (handshakes and heartbeats) */
    atomic_int delay_ms;      /* a slow node: each EXECUTE answered this late (the thread waits) */
    atomic_bool fail_prepare; /* PREPARE answered with an error (a node without the table) */
    /* a STATUS_CHANGE ("DOWN", "UP") to push about status_ip:status_port, as a node does when
     * gossip sees another one go down or come up; the thread sends it, then clears it */
    _Atomic(const char *) status_change;
    uint32_t status_ip;
    uint16_t status_port;
    uint8_t ids[MOCK_IDS][16];
    int nids;
    struct mock_conn conns[MOCK_CONNS];
    /* UNPREPARED answers after the first are held back and sent right after the next PREPARE's
     * answer: the answers of writes that were in flight while the statement was prepared */
    atomic_bool hold_unprepared;
    struct {
        struct mock_conn *c;
        int16_t stream;
        uint8_t id[16];
    } held[256];
    int nheld;
};

static void send_frame(struct mock_conn *c, int16_t stream, uint8_t opcode,
                       const struct up_buf *body)
{
    struct up_buf out = UP_BUF_INIT, z = UP_BUF_INIT;
    uint8_t h[9] = {CQL_VERSION_RESPONSE, 0, 0, 0, opcode, 0, 0, 0, 0};
    cql_store_u16(h + 2, (uint16_t)stream);
    const char *data = body ? body->data : "";
    size_t len = body ? body->len : 0;
    if (c->lz4 && len > 0) {
        cql_lz4_compress((const uint8_t *)data, len, &z);
        h[1] = CQL_FLAG_COMPRESSION;
        data = z.data;
        len = z.len;
    }
    cql_store_u32(h + 5, (uint32_t)len);
    up_buf_append(&out, h, 9);
    up_buf_append(&out, data, len);
    size_t off = 0;
    while (off < out.len) {
        ssize_t n = send(c->fd, out.data + off, out.len - off, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    up_buf_free(&out);
    up_buf_free(&z);
}

static void put_s(struct up_buf *b, const char *s)
{
    cql_put_string(b, s, strlen(s));
}

static void send_error(struct mock_conn *c, int16_t stream, int32_t code, const char *msg,
                       const uint8_t *id)
{
    struct up_buf b = UP_BUF_INIT;
    cql_put_int(&b, code);
    put_s(&b, msg);
    if (id)
        cql_put_short_bytes(&b, id, 16);
    send_frame(c, stream, CQL_OP_ERROR, &b);
    up_buf_free(&b);
}

static void send_void(struct mock_conn *c, int16_t stream)
{
    struct up_buf b = UP_BUF_INIT;
    cql_put_int(&b, CQL_RESULT_VOID);
    send_frame(c, stream, CQL_OP_RESULT, &b);
    up_buf_free(&b);
}

/* The answer to DDL: RESULT kind SCHEMA_CHANGE (CREATED TABLE ks.t). */
static void send_schema_change(struct mock_conn *c, int16_t stream)
{
    struct up_buf b = UP_BUF_INIT;
    cql_put_int(&b, CQL_RESULT_SCHEMA_CHANGE);
    put_s(&b, "CREATED");
    put_s(&b, "TABLE");
    put_s(&b, "ks");
    put_s(&b, "t");
    send_frame(c, stream, CQL_OP_RESULT, &b);
    up_buf_free(&b);
}

static void col(struct up_buf *b, const char *name, uint16_t type, uint16_t sub)
{
    put_s(b, name);
    cql_put_short(b, type);
    if (sub)
        cql_put_short(b, sub);
}

static void put_tokens(struct up_buf *b, int64_t token)
{
    char t[32];
    snprintf(t, sizeof t, "%lld", (long long)token);
    struct up_buf set = UP_BUF_INIT;
    cql_put_int(&set, 1);
    cql_put_bytes(&set, (const uint8_t *)t, (int32_t)strlen(t));
    cql_put_bytes(b, (const uint8_t *)set.data, (int32_t)set.len);
    up_buf_free(&set);
}

static void send_local(struct mock *m, struct mock_conn *c, int16_t stream)
{
    struct up_buf b = UP_BUF_INIT;
    cql_put_int(&b, CQL_RESULT_ROWS);
    cql_put_int(&b, 0x0001);
    cql_put_int(&b, 5);
    put_s(&b, "system");
    put_s(&b, "local");
    col(&b, "data_center", CQL_TYPE_VARCHAR, 0);
    col(&b, "rack", CQL_TYPE_VARCHAR, 0);
    col(&b, "tokens", CQL_TYPE_SET, CQL_TYPE_VARCHAR);
    col(&b, "partitioner", CQL_TYPE_VARCHAR, 0);
    col(&b, "schema_version", CQL_TYPE_UUID, 0);
    cql_put_int(&b, 1);
    cql_put_bytes(&b, (const uint8_t *)"dc1", 3);
    cql_put_bytes(&b, (const uint8_t *)"r1", 2);
    put_tokens(&b, m->token);
    const char *p = "org.apache.cassandra.dht.Murmur3Partitioner";
    cql_put_bytes(&b, (const uint8_t *)p, (int32_t)strlen(p));
    cql_put_bytes(&b, m->schema, 16);
    send_frame(c, stream, CQL_OP_RESULT, &b);
    up_buf_free(&b);
}

/* The peer row as system.peers_v2 (peer, native_address, native_port, ...) or, for an old
 * node, system.peers (peer, rpc_address, ...: no port, clients use the control node's). */
static void send_peers(struct mock *m, struct mock_conn *c, int16_t stream)
{
    struct up_buf b = UP_BUF_INIT;
    cql_put_int(&b, CQL_RESULT_ROWS);
    cql_put_int(&b, 0x0001);
    cql_put_int(&b, m->old_peers ? 6 : 7);
    put_s(&b, "system");
    put_s(&b, m->old_peers ? "peers" : "peers_v2");
    col(&b, "peer", CQL_TYPE_INET, 0);
    col(&b, m->old_peers ? "rpc_address" : "native_address", CQL_TYPE_INET, 0);
    if (!m->old_peers)
        col(&b, "native_port", CQL_TYPE_INT, 0);
    col(&b, "data_center", CQL_TYPE_VARCHAR, 0);
    col(&b, "rack", CQL_TYPE_VARCHAR, 0);
    col(&b, "tokens", CQL_TYPE_SET, CQL_TYPE_VARCHAR);
    col(&b, "schema_version", CQL_TYPE_UUID, 0);
    cql_put_int(&b, m->peer ? 1 : 0);
    if (m->peer) {
        uint8_t port[4], ip[4];
        cql_store_u32(port, m->peer->port);
        cql_store_u32(ip, m->peer->ip);
        cql_put_bytes(&b, ip, 4);
        cql_put_bytes(&b, m->wildcard_rpc ? (const uint8_t *)"\0\0\0\0" : ip, 4);
        if (!m->old_peers)
            cql_put_bytes(&b, port, 4);
        cql_put_bytes(&b, (const uint8_t *)"dc1", 3);
        cql_put_bytes(&b, (const uint8_t *)"r1", 2);
        put_tokens(&b, m->peer->token);
        cql_put_bytes(&b, m->peer->told_set ? m->peer->told : m->peer->schema, 16);
    }
    send_frame(c, stream, CQL_OP_RESULT, &b);
    up_buf_free(&b);
}

/* A prepared id is the query's Murmur3 hash twice: stable, as Cassandra's MD5 is. */
static void id_for(const char *q, size_t len, uint8_t id[16])
{
    int64_t h = cql_murmur3_token((const uint8_t *)q, len);
    cql_store_u64(id, (uint64_t)h);
    cql_store_u64(id + 8, (uint64_t)h);
}

static void send_prepared(struct mock *m, struct mock_conn *c, int16_t stream, const char *q,
                          size_t len)
{
    uint8_t id[16];
    id_for(q, len, id);
    bool known = false;
    for (int i = 0; i < m->nids; i++)
        known |= memcmp(m->ids[i], id, 16) == 0;
    if (!known && m->nids < MOCK_IDS)
        memcpy(m->ids[m->nids++], id, 16);
    m->prepares++;
    struct up_buf b = UP_BUF_INIT;
    cql_put_int(&b, CQL_RESULT_PREPARED);
    cql_put_short_bytes(&b, id, 16);
    cql_put_int(&b, 0x0001);
    cql_put_int(&b, 1); /* one variable: k int, the partition key */
    cql_put_int(&b, 1);
    cql_put_short(&b, 0);
    put_s(&b, "ks");
    put_s(&b, "t");
    col(&b, "k", CQL_TYPE_INT, 0);
    cql_put_int(&b, 0x0004);
    cql_put_int(&b, 0);
    send_frame(c, stream, CQL_OP_RESULT, &b);
    up_buf_free(&b);
}

static void on_execute(struct mock *m, struct mock_conn *c, int16_t stream, struct cql_cursor *cur)
{
    const uint8_t *id;
    size_t id_len;
    if (!cql_get_short_bytes(cur, &id, &id_len) || id_len != 16) {
        send_error(c, stream, 0x000A, "bad id", NULL);
        return;
    }
    if (m->forget) {
        m->nids = 0;
        m->forget = false;
    }
    for (int i = 0; i < m->nids; i++) {
        if (memcmp(m->ids[i], id, 16) == 0) {
            m->executes++;
            send_void(c, stream);
            return;
        }
    }
    m->unprepared_sent++;
    int cap = (int)(sizeof m->held / sizeof m->held[0]);
    if (m->hold_unprepared && m->unprepared_sent > 1 && m->nheld < cap) {
        m->held[m->nheld].c = c;
        m->held[m->nheld].stream = stream;
        memcpy(m->held[m->nheld].id, id, 16);
        m->nheld++;
        return;
    }
    send_error(c, stream, 0x2500, "Prepared query with ID not found", id);
}

static void send_held_unprepared(struct mock *m)
{
    for (int i = 0; i < m->nheld; i++)
        send_error(m->held[i].c, m->held[i].stream, 0x2500, "Prepared query with ID not found",
                   m->held[i].id);
    m->nheld = 0;
}

static bool on_query(struct mock *m, struct mock_conn *c, int16_t stream, const char *q, size_t len)
{
    if (memmem(q, len, "system.local", 12))
        send_local(m, c, stream);
    else if (memmem(q, len, "system.peers_v2", 15) && m->old_peers)
        send_error(c, stream, 0x2200, "unconfigured table peers_v2", NULL);
    else if (memmem(q, len, "system.peers", 12))
        send_peers(m, c, stream);
    else if (memmem(q, len, "overloaded", 10) && m->overloaded_left > 0) {
        m->overloaded_left--;
        send_error(c, stream, 0x1001, "Overloaded", NULL);
    } else if (len >= 6 && memcmp(q, "CREATE", 6) == 0) {
        if (m->ddl_stays_here) {
            if (!m->told_set)
                memcpy(m->told, m->schema, sizeof m->told);
            m->told_set = true;
            m->schema[0]++;
        }
        send_schema_change(c, stream);
    } else if (memmem(q, len, "syntax", 6))
        send_error(c, stream, 0x2000, "line 1:0 no viable alternative", NULL);
    else if (memmem(q, len, "slow", 4))
        ; /* never answered */
    else if (memmem(q, len, "close", 5))
        return false;
    else
        send_void(c, stream);
    return true;
}

/* Handles one request frame; false closes the connection. */
static bool mock_request(struct mock *m, struct mock_conn *c, uint8_t flags, int16_t stream,
                         uint8_t opcode, const uint8_t *body, size_t len)
{
    struct cql_cursor cur;
    cql_cursor_init(&cur, body, len);
    const char *q;
    size_t qlen;
    if (m->silent && opcode != CQL_OP_STARTUP)
        return true;
    switch (opcode) {
    case CQL_OP_OPTIONS: {
        m->options++;
        struct up_buf b = UP_BUF_INIT;
        cql_put_short(&b, 1);
        put_s(&b, "COMPRESSION");
        cql_put_short(&b, m->offer_lz4 ? 1 : 0);
        if (m->offer_lz4)
            put_s(&b, "lz4");
        send_frame(c, stream, CQL_OP_SUPPORTED, &b);
        up_buf_free(&b);
        return true;
    }
    case CQL_OP_STARTUP:
        if (m->offer_lz4 && memmem(body, len, "lz4", 3))
            c->lz4 = true;
        if (m->require_auth) {
            struct up_buf b = UP_BUF_INIT;
            put_s(&b, "org.apache.cassandra.auth.PasswordAuthenticator");
            send_frame(c, stream, CQL_OP_AUTHENTICATE, &b);
            up_buf_free(&b);
        } else {
            send_frame(c, stream, CQL_OP_READY, NULL);
        }
        return true;
    case CQL_OP_AUTH_RESPONSE:
        if (len == 4 + 10 && memcmp(body + 4, "\0user\0pass", 10) == 0)
            send_frame(c, stream, CQL_OP_AUTH_SUCCESS, NULL);
        else
            send_error(c, stream, 0x0100, "Provided username user and/or password are incorrect",
                       NULL);
        return true;
    case CQL_OP_REGISTER: {
        c->registered = true;
        send_frame(c, stream, CQL_OP_READY, NULL);
        /* then a schema event, as a node pushes after a DDL (stream -1) */
        struct up_buf ev = UP_BUF_INIT;
        put_s(&ev, "SCHEMA_CHANGE");
        put_s(&ev, "CREATED");
        put_s(&ev, "TABLE");
        put_s(&ev, "ks");
        put_s(&ev, "t");
        send_frame(c, -1, CQL_OP_EVENT, &ev);
        up_buf_free(&ev);
        return true;
    }
    case CQL_OP_QUERY:
        if (!cql_get_long_string(&cur, &q, &qlen))
            return false;
        return on_query(m, c, stream, q, qlen);
    case CQL_OP_PREPARE:
        if (!cql_get_long_string(&cur, &q, &qlen))
            return false;
        if (m->fail_prepare) {
            m->prepares++;
            send_error(c, stream, 0x2200, "unconfigured table t", NULL);
            return true;
        }
        send_prepared(m, c, stream, q, qlen);
        send_held_unprepared(m);
        return true;
    case CQL_OP_EXECUTE:
        if (m->delay_ms > 0)
            usleep((useconds_t)m->delay_ms * 1000);
        on_execute(m, c, stream, &cur);
        return true;
    default:
        (void)flags;
        send_error(c, stream, 0x000A, "unsupported", NULL);
        return true;
    }
}

static void mock_close(struct mock_conn *c)
{
    close(c->fd);
    c->fd = -1;
    up_buf_free(&c->in);
    c->lz4 = false;
    c->registered = false;
}

/* Reads what arrived and answers every complete request. */
static void mock_read(struct mock *m, struct mock_conn *c)
{
    char buf[65536];
    ssize_t n = recv(c->fd, buf, sizeof buf, 0);
    if (n <= 0) {
        mock_close(c);
        return;
    }
    up_buf_append(&c->in, buf, (size_t)n);
    size_t off = 0;
    while (c->in.len - off >= 9) {
        const uint8_t *h = (const uint8_t *)c->in.data + off;
        uint32_t len = cql_load_u32(h + 5);
        if (c->in.len - off < 9 + len)
            break;
        const uint8_t *body = h + 9;
        struct up_buf plain = UP_BUF_INIT;
        char err[128];
        if (h[1] & CQL_FLAG_COMPRESSION) {
            m->compressed_frames++;
            if (cql_lz4_decompress(body, len, 1 << 24, &plain, err, sizeof err) != 0) {
                mock_close(c);
                return;
            }
            body = (const uint8_t *)plain.data;
        }
        bool keep = mock_request(m, c, h[1], (int16_t)cql_load_u16(h + 2), h[4], body,
                                 h[1] & CQL_FLAG_COMPRESSION ? plain.len : len);
        up_buf_free(&plain);
        if (!keep) {
            mock_close(c);
            return;
        }
        off += 9 + len;
    }
    memmove(c->in.data, c->in.data + off, c->in.len - off);
    c->in.len -= off;
}

/* Pushes the STATUS_CHANGE the test asked for (stream -1) on the connections registered for
 * events. */
static void push_status_change(struct mock *m)
{
    const char *change = atomic_exchange(&m->status_change, NULL);
    if (!change)
        return;
    struct up_buf ev = UP_BUF_INIT;
    put_s(&ev, "STATUS_CHANGE");
    put_s(&ev, change);
    uint8_t ip[4];
    cql_store_u32(ip, m->status_ip);
    cql_put_byte(&ev, sizeof ip); /* [inet]: the address's length and bytes, then the port */
    up_buf_append(&ev, ip, sizeof ip);
    cql_put_int(&ev, m->status_port);
    for (int i = 0; i < MOCK_CONNS; i++)
        if (m->conns[i].fd >= 0 && m->conns[i].registered)
            send_frame(&m->conns[i], -1, CQL_OP_EVENT, &ev);
    up_buf_free(&ev);
}

static void *mock_main(void *arg)
{
    struct mock *m = arg;
    while (!m->stop) {
        struct pollfd fds[MOCK_CONNS + 1];
        fds[0] = (struct pollfd){.fd = m->lfd, .events = POLLIN};
        for (int i = 0; i < MOCK_CONNS; i++)
            fds[i + 1] = (struct pollfd){.fd = m->conns[i].fd, .events = POLLIN};
        if (poll(fds, MOCK_CONNS + 1, 20) < 0)
            continue;
        if (m->close_all) {
            for (int i = 0; i < MOCK_CONNS; i++)
                if (m->conns[i].fd >= 0)
                    mock_close(&m->conns[i]);
            m->close_all = false;
            continue;
        }
        if (fds[0].revents & POLLIN) {
            int fd = accept(m->lfd, NULL, NULL);
            for (int i = 0; fd >= 0 && i < MOCK_CONNS; i++) {
                if (m->conns[i].fd < 0) {
                    m->conns[i].fd = fd;
                    m->connections++;
                    fd = -1;
                }
            }
            if (fd >= 0)
                close(fd);
        }
        for (int i = 0; i < MOCK_CONNS; i++)
            if (m->conns[i].fd >= 0 && (fds[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
                mock_read(m, &m->conns[i]);
        push_status_change(m);
    }
    for (int i = 0; i < MOCK_CONNS; i++)
        if (m->conns[i].fd >= 0)
            mock_close(&m->conns[i]);
    return NULL;
}

/* A node listening on port (0: any free port); SO_REUSEADDR so a "restarted" node can take
 * its old port back while the previous connections sit in TIME_WAIT. */
static struct mock *mock_start_at(int64_t token, uint32_t ip, uint16_t port)
{
    struct mock *m = calloc(1, sizeof *m);
    m->token = token;
    m->ip = ip;
    for (int i = 0; i < MOCK_CONNS; i++)
        m->conns[i].fd = -1;
    m->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(m->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(ip);
    assert_int_equal(bind(m->lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(m->lfd, 16), 0);
    socklen_t len = sizeof a;
    getsockname(m->lfd, (struct sockaddr *)&a, &len);
    m->port = ntohs(a.sin_port);
    return m;
}

static struct mock *mock_start_on(int64_t token, uint16_t port)
{
    return mock_start_at(token, INADDR_LOOPBACK, port);
}

static struct mock *mock_start(int64_t token)
{
    return mock_start_on(token, 0);
}

static void mock_run(struct mock *m)
{
    assert_int_equal(pthread_create(&m->thread, NULL, mock_main, m), 0);
}

static void mock_stop(struct mock *m)
{
    m->stop = true;
    pthread_join(m->thread, NULL);
    close(m->lfd);
    free(m);
}

static char contact[64];

static void config_for(struct cql_config *cfg, const struct mock *m)
{
    cql_config_init(cfg);
    snprintf(contact, sizeof contact, "127.0.0.1:%u", m->port);
    cfg->contact_points = contact;
    cfg->request_timeout_ms = 2000;
    cfg->reconnect_base_ms = 20;
    cfg->reconnect_max_ms = 100;
    cfg->retry_base_ms = 5;
    cfg->retry_max_ms = 20;
}

static cql_session *connect_ok(const struct cql_config *cfg)
{
    cql_session *s;
    struct cql_error err;
    if (cql_session_connect(cfg, &s, &err) != 0)
        fail_msg("connect: %s", err.message);
    return s;
}

/* A running mock node and a config pointing at it. */
static struct mock *mock_up(struct cql_config *cfg, bool auth, bool lz4)
{
    struct mock *m = mock_start(0);
    m->require_auth = auth;
    m->offer_lz4 = lz4;
    mock_run(m);
    config_for(cfg, m);
    return m;
}

/* ---- completions ------------------------------------------------------------------------- */

struct outcome {
    int done, ok;
    enum cql_error_code last;
};

static void count_cb(void *opaque, cql_result *result, const struct cql_error *err)
{
    struct outcome *o = opaque;
    o->done++;
    if (result)
        o->ok++;
    else
        o->last = err->code;
}

static void wait_for(cql_session *s, const struct outcome *o, int n)
{
    int64_t deadline = up_mono_ms() + 10000;
    while (o->done < n && up_mono_ms() < deadline)
        cql_session_poll(s, 50);
    assert_int_equal(o->done, n);
}

static int query_code(cql_session *s, const char *q, bool idempotent)
{
    cql_statement *st = cql_statement_new(q, 0);
    cql_statement_set_idempotent(st, idempotent);
    struct cql_error err;
    int rc = cql_session_execute_sync(s, st, NULL, &err);
    cql_statement_free(st);
    return rc == 0 ? CQL_OK : (int)err.code;
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_connect_and_query(void **state)
{
    (void)state;
    struct cql_config cfg;
    struct mock *m = mock_up(&cfg, false, false);
    cql_session *s = connect_ok(&cfg);
    assert_int_equal(query_code(s, "INSERT x", false), CQL_OK);
    assert_int_equal(query_code(s, "syntax error", false), CQL_ERR_SYNTAX_ERROR);
    struct cql_stats st;
    cql_session_stats(s, &st);
    assert_int_equal(st.hosts_known, 1);
    assert_int_equal(st.hosts_up, 1);
    assert_int_equal(st.connections_ready, 1);
    assert_int_equal(st.completed_ok, 1);
    assert_int_equal(st.completed_error, 1);
    assert_int_equal(st.server_errors, 1);
    cql_session_free(s);
    /* nothing listens on a port just freed: a clear connect error */
    struct mock *gone = mock_start(0);
    char closed[64], want[96];
    snprintf(closed, sizeof closed, "127.0.0.1:%u", gone->port);
    close(gone->lfd);
    free(gone);
    cfg.contact_points = closed;
    struct cql_error err;
    assert_int_equal(cql_session_connect(&cfg, &s, &err), -1);
    assert_null(s);
    assert_int_equal(err.code, CQL_ERR_CONNECT);
    snprintf(want, sizeof want, "%s: connect: Connection refused", closed);
    assert_non_null(strstr(err.message, want));
    cfg.contact_points = "no-such-host.invalid:9042";
    assert_int_equal(cql_session_connect(&cfg, &s, &err), -1);
    assert_non_null(strstr(err.message, "cannot resolve"));
    mock_stop(m);
}

static void test_auth(void **state)
{
    (void)state;
    struct cql_config cfg;
    struct mock *m = mock_up(&cfg, true, false);
    cql_session *s;
    struct cql_error err;
    assert_int_equal(cql_session_connect(&cfg, &s, &err), -1);
    assert_int_equal(err.code, CQL_ERR_AUTH);
    assert_non_null(strstr(err.message, "PasswordAuthenticator"));
    cfg.user = "user";
    cfg.password = "wrong";
    assert_int_equal(cql_session_connect(&cfg, &s, &err), -1);
    assert_int_equal(err.code, CQL_ERR_BAD_CREDENTIALS);
    assert_non_null(strstr(err.message, "password are incorrect"));
    cfg.password = "pass";
    s = connect_ok(&cfg);
    assert_int_equal(query_code(s, "SELECT", false), CQL_OK);
    cql_session_free(s);
    mock_stop(m);
}

static void test_lz4_negotiated(void **state)
{
    (void)state;
    struct cql_config cfg;
    struct mock *m = mock_up(&cfg, true, true);
    cfg.compression = true;
    cfg.user = "user"; /* AUTH_RESPONSE and USE go compressed */
    cfg.password = "pass";
    cfg.keyspace = "ks";
    cql_session *s = connect_ok(&cfg);
    assert_int_equal(query_code(s, "INSERT compressed", false), CQL_OK);
    assert_true(m->compressed_frames >= 4); /* auth, USE, discovery, the insert */
    cql_session_free(s);
    mock_stop(m);
}

static void test_many_in_flight(void **state)
{
    (void)state;
    struct cql_config cfg;
    struct mock *m = mock_up(&cfg, false, false);
    cfg.max_requests_per_connection = 64; /* far fewer ids than requests: ids are reused */
    cfg.connections_per_host = 2;
    cql_session *s = connect_ok(&cfg);
    struct outcome o = {0};
    struct cql_error err;
    for (int i = 0; i < 5000; i++)
        assert_int_equal(cql_session_query(s, "INSERT i", count_cb, &o, &err), 0);
    assert_int_equal(cql_session_in_flight(s), 5000);
    wait_for(s, &o, 5000);
    assert_int_equal(o.ok, 5000);
    assert_int_equal(cql_session_in_flight(s), 0);
    struct cql_stats st;
    cql_session_stats(s, &st);
    assert_int_equal(st.connections_ready, 2);
    assert_int_equal(st.requests, 5000);
    cql_session_free(s);
    mock_stop(m);
}

static void test_overloaded_retry(void **state)
{
    (void)state;
    struct cql_config cfg;
    struct mock *m = mock_up(&cfg, false, false);
    cql_session *s = connect_ok(&cfg);
    m->overloaded_left = 2;
    assert_int_equal(query_code(s, "overloaded insert", true), CQL_OK);
    struct cql_stats st;
    cql_session_stats(s, &st);
    assert_int_equal(st.retries, 2);
    /* not idempotent: the first OVERLOADED is final */
    m->overloaded_left = 1;
    assert_int_equal(query_code(s, "overloaded insert", false), CQL_ERR_OVERLOADED);
    /* idempotent but over the retry budget */
    m->overloaded_left = 100;
    cfg.max_retries = 2;
    cql_session_free(s);
    s = connect_ok(&cfg);
    assert_int_equal(query_code(s, "overloaded insert", true), CQL_ERR_OVERLOADED);
    cql_session_stats(s, &st);
    assert_int_equal(st.retries, 2);
    cql_session_free(s);
    mock_stop(m);
}

static void test_timeout(void **state)
{
    (void)state;
    struct cql_config cfg;
    struct mock *m = mock_up(&cfg, false, false);
    cfg.request_timeout_ms = 150;
    cfg.max_retries = 1;
    cql_session *s = connect_ok(&cfg);
    int64_t t0 = up_mono_ms();
    assert_int_equal(query_code(s, "slow", false), CQL_ERR_TIMEOUT);
    int64_t took = up_mono_ms() - t0;
    assert_true(took >= 140 && took < 1500);
    /* the timeout bounds the whole request: retries do not stretch it */
    t0 = up_mono_ms();
    assert_int_equal(query_code(s, "slow", true), CQL_ERR_TIMEOUT);
    took = up_mono_ms() - t0;
    assert_true(took >= 140 && took < 290);
    struct cql_stats st;
    cql_session_stats(s, &st);
    assert_int_equal(st.timeouts, 2);
    assert_int_equal(st.attempt_timeout_ms, 150); /* the floor, cut to the request timeout */
    /* the timed-out stream ids do not break the connection */
    assert_int_equal(query_code(s, "INSERT after", false), CQL_OK);
    cql_session_free(s);
    mock_stop(m);
}

/* The only node turns suspect (silent for two attempts): once it answers again, requests go
 * to it rather than wait in the queue for a healthy node that is not there, and its first
 * answer brings it back. */
static void test_every_node_suspect(void **state)
{
    (void)state;
    struct cql_config cfg;
    struct mock *m = mock_up(&cfg, false, false);
    cfg.attempt_timeout_ms = 100;
    cfg.request_timeout_ms = 3000; /* the probe's bound: it stays out while the test runs */
    cfg.heartbeat_ms = 0;
    cql_session *s = connect_ok(&cfg);
    atomic_store(&m->silent, true);
    for (int i = 0; i < 2; i++) {
        cql_statement *st = cql_statement_new("INSERT unanswered", 0);
        cql_statement_set_idempotent(st, true);
        cql_statement_set_timeout_ms(st, 300);
        struct cql_error err;
        assert_int_equal(cql_session_execute_sync(s, st, NULL, &err), -1);
        assert_int_equal(err.code, CQL_ERR_TIMEOUT);
        cql_statement_free(st);
    }
    struct cql_stats st;
    cql_session_stats(s, &st);
    assert_int_equal(st.hosts_suspect, 1);
    atomic_store(&m->silent, false);
    int64_t t0 = up_mono_ms();
    assert_int_equal(query_code(s, "INSERT to the suspect", false), CQL_OK);
    assert_true(up_mono_ms() - t0 < 2000); /* not after the probe's 3 s reconnection */
    cql_session_stats(s, &st);
    assert_int_equal(st.hosts_suspect, 0);
    cql_session_free(s);
    mock_stop(m);
}

static void test_reprepare(void **state)
{
    (void)state;
    struct cql_config cfg;
    struct mock *m = mock_up(&cfg, false, false);
    cql_session *s = connect_ok(&cfg);
    cql_prepared *p;
    struct cql_error err;
    assert_int_equal(cql_session_prepare_sync(s, "INSERT INTO ks.t (k) VALUES (?)", &p, &err), 0);
    assert_int_equal(cql_prepared_param_count(p), 1);
    assert_string_equal(cql_prepared_param_name(p, 0), "k");
    assert_int_equal(cql_prepared_pk_count(p), 1);
    assert_int_equal(cql_prepared_pk_index(p, 0), 0);
    /* the cache answers a second prepare without a round trip */
    cql_prepared *again;
    assert_int_equal(cql_session_prepare_sync(s, "INSERT INTO ks.t (k) VALUES (?)", &again, &err),
                     0);
    assert_ptr_equal(p, again);
    assert_int_equal(m->prepares, 1);
    cql_prepared_free(again);
    cql_statement *st = cql_prepared_bind(p);
    cql_statement_bind_int(st, 0, 42);
    assert_int_equal(cql_session_execute_sync(s, st, NULL, &err), 0);
    /* the node forgets: the next execute is re-prepared and succeeds without the caller
     * noticing, even though it is not idempotent */
    m->forget = true;
    assert_int_equal(cql_session_execute_sync(s, st, NULL, &err), 0);
    assert_int_equal(m->unprepared_sent, 1);
    assert_int_equal(m->prepares, 2);
    assert_int_equal(m->executes, 2);
    struct cql_stats stats;
    cql_session_stats(s, &stats);
    assert_int_equal(stats.reprepares, 1);
    assert_int_equal(stats.retries, 0);
    /* many executes in flight when the node forgets: each recovers */
    m->forget = true;
    struct outcome o = {0};
    for (int i = 0; i < 200; i++)
        assert_int_equal(cql_session_execute(s, st, count_cb, &o, &err), 0);
    wait_for(s, &o, 200);
    assert_int_equal(o.ok, 200);
    /* one PREPARE for the 200 UNPREPARED answers: the others waited for it */
    assert_int_equal(m->prepares, 3);
    cql_session_stats(s, &stats);
    assert_int_equal(stats.reprepares, 2);
    assert_int_equal(stats.prepare_waits, 199);
    cql_statement_free(st);
    cql_prepared_free(p);
    cql_session_free(s);
    mock_stop(m);
}

/* The writes in flight while a statement is prepared again on a node are answered UNPREPARED
 * after the PREPARE's answer (the fault suite saw it as a second PREPARE on one node): they were
 * sent before the node knew it, and are sent again without another PREPARE. */
static void test_unprepared_after_the_prepare_is_not_prepared_again(void **state)
{
    (void)state;
    struct cql_config cfg;
    struct mock *m = mock_up(&cfg, false, false);
    cql_session *s = connect_ok(&cfg);
    cql_prepared *p;
    struct cql_error err;
    assert_int_equal(cql_session_prepare_sync(s, "INSERT INTO ks.t (k) VALUES (?)", &p, &err), 0);
    cql_statement *st = cql_prepared_bind(p);
    cql_statement_bind_int(st, 0, 7);
    m->hold_unprepared = true;
    m->forget = true;
    struct outcome o = {0};
    for (int i = 0; i < 100; i++)
        assert_int_equal(cql_session_execute(s, st, count_cb, &o, &err), 0);
    wait_for(s, &o, 100);
    assert_int_equal(o.ok, 100);
    assert_true(m->unprepared_sent > 1); /* some answers did come after the PREPARE's */
    assert_int_equal(m->prepares, 2);    /* the first, and one again */
    struct cql_stats stats;
    cql_session_stats(s, &stats);
    assert_int_equal(stats.reprepares, 1);
    assert_int_equal(stats.prepare_waits, (uint64_t)m->unprepared_sent - 1);
    cql_statement_free(st);
    cql_prepared_free(p);
    cql_session_free(s);
    mock_stop(m);
}

static void test_connection_loss_and_reconnect(void **state)
{
    (void)state;
    struct cql_config cfg;
    struct mock *m = mock_up(&cfg, false, false);
    cql_session *s = connect_ok(&cfg);
    /* the node drops the connection under a request */
    assert_int_equal(query_code(s, "close", false), CQL_ERR_CONNECTION_CLOSED);
    /* an idempotent request waits for the reconnection instead of failing */
    assert_int_equal(query_code(s, "INSERT idempotent", true), CQL_OK);
    struct cql_stats st;
    cql_session_stats(s, &st);
    assert_true(st.connections_lost >= 1);
    assert_true(st.reconnects >= 1);
    assert_int_equal(st.hosts_up, 1);
    /* every connection cut at once, requests in flight: idempotent ones survive */
    struct outcome o = {0};
    struct cql_error err;
    for (int i = 0; i < 100; i++) {
        cql_statement *q = cql_statement_new("INSERT burst", 0);
        cql_statement_set_idempotent(q, true);
        assert_int_equal(cql_session_execute(s, q, count_cb, &o, &err), 0);
        cql_statement_free(q);
    }
    cql_session_flush(s);
    m->close_all = true;
    wait_for(s, &o, 100);
    assert_int_equal(o.ok, 100);
    cql_session_free(s);
    mock_stop(m);
}

static void test_node_down_then_back(void **state)
{
    (void)state;
    struct cql_config cfg;
    struct mock *m = mock_up(&cfg, false, false);
    cfg.request_timeout_ms = 300;
    cfg.max_retries = 0;
    cql_session *s = connect_ok(&cfg);
    uint16_t port = m->port;
    mock_stop(m); /* the node is gone; its port refuses */
    struct cql_stats st;
    int64_t until = up_mono_ms() + 3000;
    do { /* let the session notice */
        cql_session_poll(s, 20);
        cql_session_stats(s, &st);
    } while (st.hosts_up > 0 && up_mono_ms() < until);
    assert_int_equal(st.hosts_up, 0);
    assert_int_equal(query_code(s, "INSERT while down", false), CQL_ERR_NO_HOSTS);
    /* the node comes back on the same port */
    m = mock_start_on(0, port);
    mock_run(m);
    int64_t deadline = up_mono_ms() + 5000;
    do {
        cql_session_poll(s, 50);
        cql_session_stats(s, &st);
    } while (st.hosts_up == 0 && up_mono_ms() < deadline);
    assert_int_equal(st.hosts_up, 1);
    assert_true(st.reconnects >= 1);
    assert_int_equal(query_code(s, "INSERT back", false), CQL_OK);
    cql_session_free(s);
    mock_stop(m);
}

/* Submits the prepared INSERT for key k; its outcome is counted in o. */
static void execute_key(cql_session *s, cql_prepared *p, int k, struct outcome *o)
{
    struct cql_error err;
    cql_statement *st = cql_prepared_bind(p);
    cql_statement_bind_int(st, 0, k);
    assert_int_equal(cql_session_execute(s, st, count_cb, o, &err), 0);
    cql_statement_free(st);
}

/* Two running nodes splitting the ring, each the other's peer; b on address ip_b, on a's
 * port when that is another address (as nodes of a real cluster are). */
static void start_pair(uint32_t ip_a, uint32_t ip_b, struct mock **a, struct mock **b)
{
    *a = mock_start_at(-3074457345618258603LL, ip_a, 0);
    *b = mock_start_at(3074457345618258602LL, ip_b, ip_a == ip_b ? 0 : (*a)->port);
    (*a)->peer = *b;
    (*b)->peer = *a;
    mock_run(*a);
    mock_run(*b);
}

/* Two nodes splitting the ring; prepared statements go to the node owning the key. */
static void test_token_aware_routing(void **state)
{
    (void)state;
    struct mock *a, *b;
    start_pair(INADDR_LOOPBACK, INADDR_LOOPBACK, &a, &b);
    struct cql_config cfg;
    config_for(&cfg, a);
    cql_session *s = connect_ok(&cfg);
    struct cql_stats st;
    cql_session_stats(s, &st);
    assert_int_equal(st.hosts_known, 2);
    assert_int_equal(st.hosts_up, 2);
    cql_prepared *p;
    struct cql_error err;
    assert_int_equal(cql_session_prepare_sync(s, "INSERT INTO ks.t (k) VALUES (?)", &p, &err), 0);
    int want_a = 0, want_b = 0;
    struct outcome o = {0};
    for (int k = 0; k < 400; k++) {
        uint8_t key[4];
        cql_store_u32(key, (uint32_t)k);
        int64_t t = cql_murmur3_token(key, 4);
        /* a owns (b.token, a.token], wrapping; b owns (a.token, b.token] */
        if (t > a->token && t <= b->token)
            want_b++;
        else
            want_a++;
        execute_key(s, p, k, &o);
    }
    wait_for(s, &o, 400);
    assert_int_equal(o.ok, 400);
    /* the node that did not know the statement yet re-prepared it once */
    assert_int_equal(a->executes, want_a);
    assert_int_equal(b->executes, want_b);
    assert_true(want_a > 50 && want_b > 50);
    /* the per-node counters say the same: every request the node saw, none of the session's
     * own (discovery, REGISTER) */
    struct cql_host_info hs[4];
    assert_int_equal(cql_session_hosts(s, hs, 4), 2);
    const struct mock *nodes[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        char label[64];
        snprintf(label, sizeof label, "127.0.0.1:%u", nodes[i]->port);
        const struct cql_host_info *h = strcmp(hs[0].address, label) == 0 ? &hs[0] : &hs[1];
        assert_string_equal(h->address, label);
        assert_true(h->up);
        assert_int_equal(h->requests, (uint64_t)(nodes[i]->executes + nodes[i]->unprepared_sent +
                                                 nodes[i]->prepares));
        assert_int_equal(h->errors, (uint64_t)nodes[i]->unprepared_sent);
        /* an UNPREPARED storm: every write in flight was answered UNPREPARED, one PREPARE
         * went out, the others waited for it */
        assert_int_equal(h->reprepares, nodes[i]->unprepared_sent ? 1 : 0);
    }
    assert_int_equal(a->prepares + b->prepares, 2);
    cql_session_stats(s, &st);
    assert_int_equal(st.prepare_waits, (uint64_t)(a->unprepared_sent + b->unprepared_sent - 1));
    cql_prepared_free(p);
    cql_session_free(s);
    mock_stop(a);
    mock_stop(b);
}

/* Discovery from one contact point when the node is older (no system.peers_v2: the peer is
 * in system.peers, on the control node's port) or lists the peer's rpc_address as 0.0.0.0
 * (the peer's own address is used). The peer listens on another loopback address, same port. */
static void discover_peer(bool old_peers, bool wildcard)
{
    struct mock *a, *b;
    start_pair(0x7f000033, 0x7f000034, &a, &b); /* 127.0.0.51 and .52 */
    a->old_peers = b->old_peers = old_peers;
    a->wildcard_rpc = b->wildcard_rpc = wildcard;
    struct cql_config cfg;
    config_for(&cfg, a);
    snprintf(contact, sizeof contact, "127.0.0.51:%u", a->port);
    cql_session *s = connect_ok(&cfg);
    struct cql_host_info hs[4];
    assert_int_equal(cql_session_hosts(s, hs, 4), 2);
    char want[64];
    snprintf(want, sizeof want, "127.0.0.52:%u", a->port);
    assert_string_equal(hs[1].address, want);
    assert_true(hs[1].up);
    assert_string_equal(hs[1].dc, "dc1");
    /* and the ring routes to it: keys owned by b are executed there */
    cql_prepared *p;
    struct cql_error err;
    assert_int_equal(cql_session_prepare_sync(s, "INSERT INTO ks.t (k) VALUES (?)", &p, &err), 0);
    struct outcome o = {0};
    for (int k = 0; k < 100; k++)
        execute_key(s, p, k, &o);
    wait_for(s, &o, 100);
    assert_int_equal(o.ok, 100);
    assert_true(a->executes > 10 && b->executes > 10);
    cql_prepared_free(p);
    cql_session_free(s);
    mock_stop(a);
    mock_stop(b);
}

static void test_discovery_old_peers_table(void **state)
{
    (void)state;
    discover_peer(true, false);
}

static void test_discovery_wildcard_rpc_address(void **state)
{
    (void)state;
    discover_peer(false, true);
    discover_peer(true, true);
}

/* DDL through a sync helper returns once the live nodes report one schema version; a live
 * node that disagrees fails it, bounded, naming each node's version; a node that is down
 * does not count. */
static void test_schema_agreement(void **state)
{
    (void)state;
    struct mock *a, *b;
    start_pair(INADDR_LOOPBACK, INADDR_LOOPBACK, &a, &b);
    struct cql_config cfg;
    config_for(&cfg, a);
    cfg.schema_agreement_ms = 400;
    cql_session *s = connect_ok(&cfg);
    struct cql_error err;
    assert_int_equal(cql_session_query_sync(s, "CREATE TABLE ks.t (k int PRIMARY KEY)", NULL, &err),
                     0);
    /* node b is left on another version (its schema change "did not arrive") */
    memset(b->schema, 0xab, sizeof b->schema);
    int64_t t0 = up_mono_ms();
    assert_int_equal(cql_session_query_sync(s, "CREATE TABLE ks.u (k int PRIMARY KEY)", NULL, &err),
                     -1);
    int64_t waited = up_mono_ms() - t0;
    assert_int_equal(err.code, CQL_ERR_SCHEMA_AGREEMENT);
    assert_true(waited >= 400 && waited < 3000);
    char want[96];
    snprintf(want, sizeof want, "127.0.0.1:%u=abababab-abab-abab-abab-abababababab", b->port);
    assert_non_null(strstr(err.message, want));
    assert_non_null(strstr(err.message, "within 400 ms"));
    /* an ordinary statement does not wait */
    assert_int_equal(query_code(s, "INSERT plain", false), CQL_OK);
    /* node b goes down (a still lists it, with its old version): the live nodes (a alone)
     * agree */
    static struct mock gone;
    memcpy(&gone, b, sizeof gone);
    a->peer = &gone;
    mock_stop(b);
    struct cql_stats st;
    int64_t until = up_mono_ms() + 3000;
    do {
        cql_session_poll(s, 20);
        cql_session_stats(s, &st);
    } while (st.hosts_up > 1 && up_mono_ms() < until);
    assert_int_equal(cql_session_query_sync(s, "CREATE TABLE ks.v (k int PRIMARY KEY)", NULL, &err),
                     0);
    cql_session_free(s);
    mock_stop(a);
}

/* The agreement after a DDL is read on the node that ran it. A node the change has not
 * reached yet, and that has not heard of it by gossip, sees every node still on the old
 * schema: read there, "agreed" came back at once, and on the 3-node cluster the stream's
 * PREPARE right after CREATE TABLE was answered "table users does not exist". Two DDLs in
 * a row go one to each node (round-robin), so one of them ran on the control node's peer. */
static void test_schema_agreement_read_where_ddl_ran(void **state)
{
    (void)state;
    struct mock *a, *b;
    start_pair(INADDR_LOOPBACK, INADDR_LOOPBACK, &a, &b);
    struct cql_config cfg;
    config_for(&cfg, a);
    cfg.schema_agreement_ms = 300;
    cql_session *s = connect_ok(&cfg);
    a->ddl_stays_here = b->ddl_stays_here = true;
    int on_b = 0;
    for (int i = 0; i < 2; i++) {
        char ddl[64];
        snprintf(ddl, sizeof ddl, "CREATE TABLE ks.t%d (k int PRIMARY KEY)", i);
        memcpy(a->schema, b->schema, sizeof a->schema); /* in agreement before each DDL */
        a->told_set = b->told_set = false;
        int before = b->schema[0];
        struct cql_error err;
        assert_int_equal(cql_session_query_sync(s, ddl, NULL, &err), -1);
        assert_int_equal(err.code, CQL_ERR_SCHEMA_AGREEMENT);
        on_b += b->schema[0] != before;
    }
    assert_int_equal(on_b, 1);
    /* once the other node has the change and gossip has told it, the same DDL agrees */
    a->ddl_stays_here = b->ddl_stays_here = false;
    a->told_set = b->told_set = false;
    memcpy(a->schema, b->schema, sizeof a->schema);
    assert_int_equal(cql_session_query_sync(s, "CREATE TABLE ks.u (k int PRIMARY KEY)", NULL, NULL),
                     0);
    cql_session_free(s);
    mock_stop(a);
    mock_stop(b);
}

/* A token-aware retry leaves the owner that timed out for the next replica: a paused or
 * isolated owner must not cost every attempt a whole request timeout. */
static void test_token_aware_retry_moves_on(void **state)
{
    (void)state;
    struct mock *a, *b;
    start_pair(INADDR_LOOPBACK, INADDR_LOOPBACK, &a, &b);
    struct cql_config cfg;
    config_for(&cfg, a);
    cfg.attempt_timeout_ms = 300;
    cfg.max_retries = 1;
    cql_session *s = connect_ok(&cfg);
    cql_prepared *p;
    struct cql_error err;
    assert_int_equal(cql_session_prepare_sync(s, "INSERT INTO ks.t (k) VALUES (?)", &p, &err), 0);
    int k = 0; /* a key that a owns: (b.token, a.token], wrapping */
    for (;; k++) {
        uint8_t key[4];
        cql_store_u32(key, (uint32_t)k);
        int64_t t = cql_murmur3_token(key, 4);
        if (!(t > a->token && t <= b->token))
            break;
    }
    atomic_store(&a->silent, true);
    struct outcome o = {0};
    cql_statement *st = cql_prepared_bind(p);
    cql_statement_bind_int(st, 0, k);
    cql_statement_set_idempotent(st, true);
    assert_int_equal(cql_session_execute(s, st, count_cb, &o, &err), 0);
    cql_statement_free(st);
    wait_for(s, &o, 1);
    assert_int_equal(o.ok, 1); /* the second attempt, on b, answered */
    assert_true(b->executes >= 1);
    cql_prepared_free(p);
    cql_session_free(s);
    mock_stop(a);
    mock_stop(b);
}

/* The INSERT the pair tests write with, prepared (on the contact point, a). */
static cql_prepared *prepare_insert(cql_session *s)
{
    cql_prepared *p;
    struct cql_error err;
    if (cql_session_prepare_sync(s, "INSERT INTO ks.t (k) VALUES (?)", &p, &err) != 0)
        fail_msg("prepare: %s", err.message);
    return p;
}

/* Frees what a pair test made. */
static void pair_done(cql_session *s, cql_prepared *p, struct mock *a, struct mock *b)
{
    cql_prepared_free(p);
    cql_session_free(s);
    mock_stop(a);
    mock_stop(b);
}

/* Does b own key k in start_pair's ring? b owns (a.token, b.token]; a the rest, wrapping. */
static bool owned_by_b(const struct mock *a, const struct mock *b, int k)
{
    uint8_t key[4];
    cql_store_u32(key, (uint32_t)k);
    int64_t t = cql_murmur3_token(key, 4);
    return t > a->token && t <= b->token;
}

/* A key whose token a owns in start_pair's ring. */
static int key_owned_by_a(const struct mock *a, const struct mock *b)
{
    int k = 0;
    while (owned_by_b(a, b, k))
        k++;
    return k;
}

/* Submits the prepared INSERT for key k, idempotent or not, counted in o. */
static void execute_key_as(cql_session *s, cql_prepared *p, int k, bool idempotent,
                           struct outcome *o)
{
    struct cql_error err;
    cql_statement *st = cql_prepared_bind(p);
    cql_statement_bind_int(st, 0, k);
    cql_statement_set_idempotent(st, idempotent);
    assert_int_equal(cql_session_execute(s, st, count_cb, o, &err), 0);
    cql_statement_free(st);
}

static const struct cql_host_info *host_named(const struct cql_host_info *h, size_t n,
                                              uint16_t port);

/* A silent node (it accepts and reads, never answers: a paused or cut-off node): an
 * idempotent write it owns is re-sent to the other replica after the attempt timeout and
 * answered there, well within the request timeout; a non-idempotent one is never re-sent and
 * fails at the request timeout; two attempt timeouts in a row make the node suspect, and
 * writes it owns then go elsewhere at once; once it answers again it is back. */
static void test_silent_node(void **state)
{
    (void)state;
    struct mock *a, *b;
    start_pair(INADDR_LOOPBACK, INADDR_LOOPBACK, &a, &b);
    struct cql_config cfg;
    config_for(&cfg, a);
    cfg.attempt_timeout_ms = 200;
    cfg.request_timeout_ms = 1500;
    cfg.heartbeat_ms = 0; /* the attempt timeouts alone find it */
    cql_session *s = connect_ok(&cfg);
    cql_prepared *p = prepare_insert(s);
    int k = key_owned_by_a(a, b);
    struct outcome o = {0};
    execute_key_as(s, p, k, true, &o); /* b learns the statement while a still answers */
    wait_for(s, &o, 1);
    int b_before = b->executes;
    atomic_store(&a->silent, true);
    int64_t t0 = up_mono_ms();
    execute_key_as(s, p, k, true, &o);
    wait_for(s, &o, 2);
    int64_t took = up_mono_ms() - t0;
    assert_int_equal(o.ok, 2);
    assert_true(took >= 190 && took < 1000);
    assert_int_equal(b->executes, b_before + 1);
    /* not idempotent: a has it, nobody else ever does; TIMEOUT at the request timeout */
    t0 = up_mono_ms();
    execute_key_as(s, p, k, false, &o);
    wait_for(s, &o, 3);
    took = up_mono_ms() - t0;
    assert_int_equal(o.last, CQL_ERR_TIMEOUT);
    assert_true(took >= 1490 && took < 2500);
    assert_int_equal(b->executes, b_before + 1);
    /* two attempt timeouts in a row: a is suspect, out of the plans */
    struct cql_stats st;
    cql_session_stats(s, &st);
    assert_int_equal(st.suspects, 1);
    assert_int_equal(st.hosts_suspect, 1);
    assert_true(st.attempt_timeouts >= 2);
    struct cql_host_info hs[4];
    cql_session_hosts(s, hs, 4);
    assert_true(host_named(hs, 2, a->port)->suspect);
    assert_true(host_named(hs, 2, a->port)->timeouts >= 2);
    t0 = up_mono_ms();
    execute_key_as(s, p, k, false, &o); /* even a non-idempotent one: a is not tried */
    wait_for(s, &o, 4);
    assert_int_equal(o.ok, 3);
    assert_true(up_mono_ms() - t0 < 1000); /* sent to a, it would have timed out at 1.5 s */
    assert_int_equal(b->executes, b_before + 2);
    /* a answers again: its probe is lost, the connection is replaced, a is back */
    atomic_store(&a->silent, false);
    int64_t until = up_mono_ms() + 5000;
    do {
        cql_session_poll(s, 20);
        cql_session_stats(s, &st);
    } while (st.hosts_suspect > 0 && up_mono_ms() < until);
    assert_int_equal(st.hosts_suspect, 0);
    int a_before = a->executes;
    execute_key_as(s, p, k, true, &o);
    wait_for(s, &o, 5);
    assert_int_equal(o.ok, 4);
    assert_int_equal(a->executes, a_before + 1);
    pair_done(s, p, a, b);
}

/* A slow node with speculative execution on: the speculative attempt to the other replica
 * answers first and wins; the slow node's late answer arrives on a stream id still reserved
 * for it and is dropped (the connection stays healthy); a non-idempotent write is never
 * sent twice. */
static void test_slow_node_speculative(void **state)
{
    (void)state;
    struct mock *a, *b;
    start_pair(INADDR_LOOPBACK, INADDR_LOOPBACK, &a, &b);
    struct cql_config cfg;
    config_for(&cfg, a);
    cfg.speculative_delay_ms = 50;
    cfg.attempt_timeout_ms = 1000;
    cql_session *s = connect_ok(&cfg);
    cql_prepared *p = prepare_insert(s);
    struct cql_error err;
    int k = key_owned_by_a(a, b);
    struct outcome o = {0};
    /* speculation waits for 100 answers to set the p99, and earns 5 % of the requests */
    struct outcome warm = {0};
    for (int i = 0; i < 100; i++)
        assert_int_equal(cql_session_query(s, "INSERT warm", count_cb, &warm, &err), 0);
    wait_for(s, &warm, 100);
    execute_key_as(s, p, k, true, &o); /* fast: no speculative attempt */
    wait_for(s, &o, 1);
    struct cql_stats st;
    cql_session_stats(s, &st);
    assert_int_equal(st.speculative_sent, 0);
    atomic_store(&a->delay_ms, 400);
    int64_t t0 = up_mono_ms();
    execute_key_as(s, p, k, true, &o);
    wait_for(s, &o, 2);
    assert_int_equal(o.ok, 2);
    assert_true(up_mono_ms() - t0 < 350); /* b's answer, not a's */
    cql_session_stats(s, &st);
    assert_int_equal(st.speculative_sent, 1);
    assert_int_equal(st.speculative_won, 1);
    /* a's late answer comes and is dropped; the connection to a is fine */
    int64_t until = up_mono_ms() + 2000;
    while (a->executes < 2 && up_mono_ms() < until)
        cql_session_poll(s, 20);
    cql_session_poll(s, 100);
    assert_int_equal(a->executes, 2);
    int b_before = b->executes;
    execute_key_as(s, p, k, false, &o); /* slow, not idempotent: waited for, never doubled */
    wait_for(s, &o, 3);
    assert_int_equal(o.ok, 3);
    assert_int_equal(b->executes, b_before);
    assert_int_equal(a->executes, 3);
    cql_session_stats(s, &st);
    assert_int_equal(st.speculative_sent, 1);
    assert_int_equal(st.connections_lost, 0);
    pair_done(s, p, a, b);
}

/* A node that restarted (its prepared statements gone) is given every known statement when
 * the session reconnects, before any request: no write sees UNPREPARED. */
static void test_node_back_up_reprepared(void **state)
{
    (void)state;
    struct cql_config cfg;
    struct mock *m = mock_up(&cfg, false, false);
    cql_session *s = connect_ok(&cfg);
    cql_prepared *p, *q;
    struct cql_error err;
    assert_int_equal(cql_session_prepare_sync(s, "INSERT INTO ks.t (k) VALUES (?)", &p, &err), 0);
    assert_int_equal(cql_session_prepare_sync(s, "INSERT INTO ks.t (k, v) VALUES (?, 1)", &q, &err),
                     0);
    uint16_t port = m->port;
    mock_stop(m);
    struct cql_stats st;
    int64_t until = up_mono_ms() + 3000;
    do {
        cql_session_poll(s, 20);
        cql_session_stats(s, &st);
    } while (st.hosts_up > 0 && up_mono_ms() < until);
    m = mock_start_on(0, port); /* back, knowing no statement */
    mock_run(m);
    /* writes submitted while it is down wait for it */
    struct outcome o = {0};
    for (int k = 0; k < 50; k++)
        execute_key_as(s, p, k, true, &o);
    wait_for(s, &o, 50);
    assert_int_equal(o.ok, 50);
    assert_int_equal(m->unprepared_sent, 0);
    assert_int_equal(m->prepares, 2); /* both statements, once each */
    assert_int_equal(m->executes, 50);
    cql_session_stats(s, &st);
    assert_int_equal(st.prepares_on_up, 2);
    assert_true(st.reconnects >= 1);
    cql_prepared_free(p);
    cql_prepared_free(q);
    cql_session_free(s);
    mock_stop(m);
}

/* ---- a STATUS_CHANGE DOWN, then UP (issue #32) ------------------------------------------- */

static char status_seen[96];

static void on_status_cb(void *opaque, const struct cql_event *ev)
{
    (void)opaque;
    if (ev->type == CQL_EVENT_STATUS_CHANGE)
        snprintf(status_seen, sizeof status_seen, "%s %s", ev->change, ev->address);
}

/* Node `from` pushes STATUS_CHANGE `change` about node `about`; returns once the session has
 * acted on it (its event callback runs after the session's own handling). */
static void push_status(cql_session *s, struct mock *from, const struct mock *about,
                        const char *change)
{
    char ip[INET_ADDRSTRLEN], want[96];
    struct in_addr in = {.s_addr = htonl(about->ip)};
    inet_ntop(AF_INET, &in, ip, sizeof ip);
    snprintf(want, sizeof want, "%s %s:%u", change, ip, about->port);
    status_seen[0] = '\0';
    from->status_ip = about->ip;
    from->status_port = about->port;
    atomic_store(&from->status_change, change);
    int64_t until = up_mono_ms() + 3000;
    while (strcmp(status_seen, want) != 0 && up_mono_ms() < until)
        cql_session_poll(s, 20);
    assert_string_equal(status_seen, want);
}

/* What the session says of the node listening on port. */
static struct cql_host_info host_info_of(cql_session *s, uint16_t port)
{
    struct cql_host_info hs[4];
    size_t n = cql_session_hosts(s, hs, 4);
    const struct cql_host_info *h = host_named(hs, n < 4 ? n : 4, port);
    assert_non_null(h);
    return *h;
}

/* A session on start_pair's nodes, the INSERT prepared, and the next key to write. */
struct pair_run {
    cql_session *s;
    cql_prepared *p;
    struct mock *a, *b;
    int next_key;
};

/* Submits n writes of keys b owns, every other one not idempotent (a node that has one keeps
 * it until the request timeout: it is never sent elsewhere). */
static void write_keys_of_b(struct pair_run *r, int n, struct outcome *o)
{
    for (int i = 0; i < n; i++, r->next_key++) {
        while (!owned_by_b(r->a, r->b, r->next_key))
            r->next_key++;
        execute_key_as(r->s, r->p, r->next_key, i % 2 == 0, o);
    }
}

/* b is silent and the session was told it is DOWN: the writes of b's keys all go to a, and
 * none waits for b (an attempt timeout, or the request timeout for the non-idempotent ones). */
static void writes_skip_the_down_node(struct pair_run *r)
{
    uint64_t sent_to_b = host_info_of(r->s, r->b->port).requests;
    int a_before = r->a->executes;
    struct outcome o = {0};
    int64_t t0 = up_mono_ms();
    write_keys_of_b(r, 10, &o);
    wait_for(r->s, &o, 10);
    int64_t took = up_mono_ms() - t0;
    assert_int_equal(o.ok, 10);
    assert_true(took < 2000); /* the attempt timeout; the request timeout is 5 s */
    assert_int_equal(r->a->executes, a_before + 10);
    assert_int_equal(host_info_of(r->s, r->b->port).requests, sent_to_b);
    struct cql_stats st;
    cql_session_stats(r->s, &st);
    assert_int_equal(st.attempt_timeouts, 0);
    assert_int_equal(st.timeouts, 0);
    /* suspect, not down: its connection is open, it is only out of the plans */
    assert_int_equal(st.hosts_suspect, 1);
    assert_int_equal(st.suspects, 1);
    struct cql_host_info hb = host_info_of(r->s, r->b->port);
    assert_true(hb.suspect && hb.up);
}

/* b restarts knowing no statement: the session sees its connection close, then it listens on
 * the same port again. */
static void restart_b(struct pair_run *r)
{
    uint16_t port = r->b->port;
    int64_t token = r->b->token;
    mock_stop(r->b);
    int64_t until = up_mono_ms() + 3000;
    while (host_info_of(r->s, port).up && up_mono_ms() < until)
        cql_session_poll(r->s, 20);
    assert_false(host_info_of(r->s, port).up);
    r->b = mock_start_on(token, port);
    r->b->peer = r->a;
    mock_run(r->b);
    r->a->peer = r->b;
}

/* Writes b's keys one at a time until one reaches b, for at most 12 s, less than the 15 s
 * b's reconnect backoff waits at the least: only the UP event's 1 s brings it back in time.
 * Until then (b down, then its statement being prepared) a takes them. */
static void write_until_b_takes_one(struct pair_run *r)
{
    struct outcome o = {0};
    int64_t until = up_mono_ms() + 12000;
    for (int n = 1; r->b->executes == 0 && up_mono_ms() < until; n++) {
        write_keys_of_b(r, 1, &o);
        wait_for(r->s, &o, n);
        assert_int_equal(o.ok, n);
        cql_session_poll(r->s, 20);
    }
    assert_int_equal(r->b->executes, 1);
}

/* A STATUS_CHANGE DOWN about a node that went silent (cut off: its connection stays open,
 * nothing comes back) takes it out of query plans at once: the writes it owns go to the other
 * replica with no timeout waited, non-idempotent ones too. Restarted, it is back on the UP
 * event, its statement prepared before its first write. */
static void test_down_event_then_up(void **state)
{
    (void)state;
    struct pair_run r = {0};
    start_pair(INADDR_LOOPBACK, INADDR_LOOPBACK, &r.a, &r.b);
    struct cql_config cfg;
    config_for(&cfg, r.a);
    cfg.event_cb = on_status_cb;
    cfg.heartbeat_ms = 0; /* no probe: the DOWN event alone makes b suspect */
    cfg.attempt_timeout_ms = 2000;
    cfg.request_timeout_ms = 5000;
    cfg.reconnect_base_ms = cfg.reconnect_max_ms = 30000; /* see write_until_b_takes_one */
    r.s = connect_ok(&cfg);
    r.p = prepare_insert(r.s);
    struct outcome o = {0};
    write_keys_of_b(&r, 10, &o); /* b up: its keys go to it */
    wait_for(r.s, &o, 10);
    assert_int_equal(r.b->executes, 10);
    atomic_store(&r.b->silent, true);
    push_status(r.s, r.a, r.b, "DOWN");
    writes_skip_the_down_node(&r);
    restart_b(&r);
    struct cql_stats st;
    cql_session_stats(r.s, &st);
    uint64_t prepared_on_up = st.prepares_on_up;
    push_status(r.s, r.a, r.b, "UP");
    write_until_b_takes_one(&r);
    /* the statement was prepared on b before its first write: none was answered UNPREPARED */
    assert_int_equal(r.b->prepares, 1);
    assert_int_equal(r.b->unprepared_sent, 0);
    cql_session_stats(r.s, &st);
    assert_int_equal(st.prepares_on_up, prepared_on_up + 1);
    int a_before = r.a->executes;
    write_keys_of_b(&r, 10, &o);
    wait_for(r.s, &o, 20);
    assert_int_equal(o.ok, 20);
    assert_int_equal(r.b->executes, 11);
    assert_int_equal(r.a->executes, a_before);
    cql_session_stats(r.s, &st);
    assert_int_equal(st.hosts_suspect, 0);
    pair_done(r.s, r.p, r.a, r.b);
}

/* A node that forgot the statement and cannot prepare it again (it lacks the table after a
 * restart): an idempotent write goes to the other replica instead of failing; a
 * non-idempotent one fails with REPREPARE_FAILED (nothing was applied; the caller decides
 * whether to send it again). */
static void test_failed_reprepare_moves_on(void **state)
{
    (void)state;
    struct mock *a, *b;
    start_pair(INADDR_LOOPBACK, INADDR_LOOPBACK, &a, &b);
    struct cql_config cfg;
    config_for(&cfg, a);
    cql_session *s = connect_ok(&cfg);
    cql_prepared *p = prepare_insert(s);
    int k = key_owned_by_a(a, b);
    atomic_store(&a->fail_prepare, true);
    atomic_store(&a->forget, true);
    struct outcome o = {0};
    execute_key_as(s, p, k, true, &o);
    wait_for(s, &o, 1);
    assert_int_equal(o.ok, 1);
    assert_true(b->executes >= 1);
    atomic_store(&a->forget, true);
    execute_key_as(s, p, k, false, &o);
    wait_for(s, &o, 2);
    assert_int_equal(o.ok, 1);
    assert_int_equal(o.last, CQL_ERR_REPREPARE_FAILED);
    pair_done(s, p, a, b);
}

static const struct cql_host_info *host_named(const struct cql_host_info *h, size_t n,
                                              uint16_t port)
{
    char want[64];
    snprintf(want, sizeof want, "127.0.0.1:%u", port);
    for (size_t i = 0; i < n; i++)
        if (strcmp(h[i].address, want) == 0)
            return &h[i];
    return NULL;
}

/* cql_session_hosts: both nodes, who carries the control connection, and a node that stops
 * shown down with the error of the reconnect attempts. */
static void test_hosts_info(void **state)
{
    (void)state;
    struct mock *a, *b;
    start_pair(INADDR_LOOPBACK, INADDR_LOOPBACK, &a, &b);
    struct cql_config cfg;
    config_for(&cfg, a);
    cfg.reconnect_base_ms = cfg.reconnect_max_ms = 50;
    cql_session *s = connect_ok(&cfg);
    struct cql_host_info h[4];
    assert_int_equal(cql_session_hosts(s, h, 4), 2);
    assert_int_equal(cql_session_hosts(s, h, 1), 2); /* the count, whatever fits */
    cql_session_hosts(s, h, 4);
    const struct cql_host_info *ha = host_named(h, 2, a->port), *hb = host_named(h, 2, b->port);
    assert_non_null(ha);
    assert_non_null(hb);
    assert_true(ha->up && hb->up);
    assert_true(ha->contact && !hb->contact);
    assert_true(ha->control && !hb->control); /* the contact point it connected through */
    assert_int_equal(ha->ntokens, 1);
    assert_string_equal(hb->last_error, "");
    uint16_t bport = b->port;
    mock_stop(b);
    int64_t until = up_mono_ms() + 3000;
    do {
        cql_session_poll(s, 20);
        cql_session_hosts(s, h, 4);
        hb = host_named(h, 2, bport);
    } while ((hb->up || !hb->failures) && up_mono_ms() < until);
    assert_false(hb->up);
    assert_true(hb->failures >= 1);
    assert_non_null(strstr(hb->last_error, "refused"));
    assert_true(host_named(h, 2, a->port)->up);
    cql_session_free(s);
    mock_stop(a);
}

/* Several contact points that all answer: every one gets a connection, not only the first
 * (connect_first stops at the first; the others must not wait for a background retry that
 * never comes). */
static void test_every_contact_point_connected(void **state)
{
    (void)state;
    struct mock *a, *b;
    start_pair(INADDR_LOOPBACK, INADDR_LOOPBACK, &a, &b);
    struct cql_config cfg;
    config_for(&cfg, a);
    char both[64];
    snprintf(both, sizeof both, "127.0.0.1:%u,127.0.0.1:%u", a->port, b->port);
    cfg.contact_points = both;
    cql_session *s = connect_ok(&cfg);
    struct cql_host_info h[4];
    assert_int_equal(cql_session_hosts(s, h, 4), 2);
    assert_true(h[0].contact && h[1].contact);
    assert_true(h[0].up);
    assert_true(h[1].up);
    cql_session_free(s);
    mock_stop(a);
    mock_stop(b);
}

static void test_queue_full_and_shutdown(void **state)
{
    (void)state;
    struct cql_config cfg;
    struct mock *m = mock_up(&cfg, false, false);
    cfg.max_requests_per_connection = 2;
    cfg.max_queued = 3;
    cql_session *s = connect_ok(&cfg);
    struct outcome o = {0};
    struct cql_error err;
    for (int i = 0; i < 5; i++)
        assert_int_equal(cql_session_query(s, "slow", count_cb, &o, &err), 0);
    assert_int_equal(cql_session_query(s, "slow", count_cb, &o, &err), -1);
    assert_int_equal(err.code, CQL_ERR_QUEUE_FULL);
    cql_session_poll(s, 20);
    assert_int_equal(o.done, 0);
    cql_session_free(s); /* pending requests complete with SHUTDOWN */
    assert_int_equal(o.done, 5);
    assert_int_equal(o.last, CQL_ERR_SHUTDOWN);
    mock_stop(m);
}

static cql_session *hazard_session;
static int hazard_rc;

static void hazard_cb(void *opaque, cql_result *result, const struct cql_error *err)
{
    (void)result;
    (void)err;
    struct outcome *o = opaque;
    struct cql_error e;
    hazard_rc = cql_session_query_sync(hazard_session, "INSERT nested", NULL, &e) == -1 &&
                        e.code == CQL_ERR_NOT_ALLOWED && cql_session_poll(hazard_session, 0) == -1
                    ? 1
                    : 0;
    /* submitting from a callback is allowed */
    cql_session_query(hazard_session, "INSERT from callback", count_cb, o, &e);
}

static void test_fd_and_callback_rules(void **state)
{
    (void)state;
    struct cql_config cfg;
    struct mock *m = mock_up(&cfg, false, false);
    cql_session *s = connect_ok(&cfg);
    hazard_session = s;
    struct outcome o = {0};
    struct cql_error err;
    assert_int_equal(cql_session_query(s, "INSERT via fd", hazard_cb, &o, &err), 0);
    /* the caller's own poll() sees the session's fd become readable */
    struct pollfd pfd = {.fd = cql_session_fd(s), .events = POLLIN};
    int64_t deadline = up_mono_ms() + 3000;
    int served = 0;
    while (served == 0 && up_mono_ms() < deadline) {
        if (poll(&pfd, 1, 100) > 0)
            served += cql_session_poll(s, 0);
    }
    assert_int_equal(served, 1);
    assert_int_equal(hazard_rc, 1);
    wait_for(s, &o, 1); /* the request submitted by the callback */
    assert_int_equal(o.ok, 1);
    cql_session_free(s);
    mock_stop(m);
}

static char event_seen[128];

static void on_event_cb(void *opaque, const struct cql_event *ev)
{
    (void)opaque;
    snprintf(event_seen, sizeof event_seen, "%d %s %s %s.%s", (int)ev->type, ev->change, ev->target,
             ev->keyspace, ev->name);
}

static void test_events_and_heartbeats(void **state)
{
    (void)state;
    struct cql_config cfg;
    struct mock *m = mock_up(&cfg, false, false);
    cfg.event_cb = on_event_cb;
    cfg.heartbeat_ms = 100;
    cfg.request_timeout_ms = 200;
    cfg.connect_timeout_ms = 300;
    cql_session *s = connect_ok(&cfg);
    int64_t until = up_mono_ms() + 2000;
    while (!event_seen[0] && up_mono_ms() < until)
        cql_session_poll(s, 20);
    assert_string_equal(event_seen, "2 CREATED TABLE ks.t");
    /* idle: OPTIONS heartbeats keep going */
    int before = m->options;
    until = up_mono_ms() + 450;
    while (up_mono_ms() < until)
        cql_session_poll(s, 20);
    assert_true(m->options - before >= 2);
    struct cql_stats st;
    cql_session_stats(s, &st);
    assert_int_equal(st.connections_lost, 0);
    /* a node that stops answering: the heartbeat times out and the connection is dropped */
    m->silent = true;
    until = up_mono_ms() + 2000;
    do {
        cql_session_poll(s, 20);
        cql_session_stats(s, &st);
    } while (st.connections_lost == 0 && up_mono_ms() < until);
    assert_true(st.connections_lost >= 1);
    m->silent = false;
    until = up_mono_ms() + 3000; /* a handshake begun while silent is abandoned, then redone */
    do {
        cql_session_poll(s, 20);
        cql_session_stats(s, &st);
    } while (st.hosts_up == 0 && up_mono_ms() < until);
    assert_int_equal(query_code(s, "INSERT after the hang", true), CQL_OK);
    cql_session_free(s);
    mock_stop(m);
}

/* The timer list stays ordered whatever the order of arming (deadlines at the tail, shorter
 * backoff waits in the middle, re-arming, cancelling the head, the tail and one in between). */
static void test_timer_order(void **state)
{
    (void)state;
    struct cql_session s;
    memset(&s, 0, sizeof s);
    struct cql_request r[6];
    memset(r, 0, sizeof r);
    const int64_t at[6] = {100, 200, 200, 50, 150, 300};
    for (int i = 0; i < 6; i++)
        cql_timer_set(&s, &r[i], at[i]);
    cql_timer_set(&s, &r[1], 10); /* re-armed earlier: moves to the head */
    const struct cql_request *want[] = {&r[1], &r[3], &r[0], &r[4], &r[2], &r[5]};
    const struct cql_request *q = s.timers.head;
    for (int i = 0; i < 6; i++, q = q->timer_next)
        assert_ptr_equal(q, want[i]);
    assert_null(q);
    assert_ptr_equal(s.timers.tail, &r[5]);
    assert_int_equal(s.timers.len, 6);
    cql_timer_cancel(&s, &r[1]);
    cql_timer_cancel(&s, &r[5]);
    cql_timer_cancel(&s, &r[4]);
    cql_timer_cancel(&s, &r[4]); /* twice: nothing */
    const struct cql_request *left[] = {&r[3], &r[0], &r[2]};
    q = s.timers.head;
    for (int i = 0; i < 3; i++, q = q->timer_next) {
        assert_ptr_equal(q, left[i]);
        assert_ptr_equal(q->timer_prev, i ? left[i - 1] : NULL);
    }
    assert_ptr_equal(s.timers.tail, &r[2]);
    assert_int_equal(s.timers.len, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timer_order),
        cmocka_unit_test(test_connect_and_query),
        cmocka_unit_test(test_auth),
        cmocka_unit_test(test_lz4_negotiated),
        cmocka_unit_test(test_many_in_flight),
        cmocka_unit_test(test_overloaded_retry),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_every_node_suspect),
        cmocka_unit_test(test_reprepare),
        cmocka_unit_test(test_unprepared_after_the_prepare_is_not_prepared_again),
        cmocka_unit_test(test_connection_loss_and_reconnect),
        cmocka_unit_test(test_node_down_then_back),
        cmocka_unit_test(test_token_aware_routing),
        cmocka_unit_test(test_token_aware_retry_moves_on),
        cmocka_unit_test(test_silent_node),
        cmocka_unit_test(test_slow_node_speculative),
        cmocka_unit_test(test_node_back_up_reprepared),
        cmocka_unit_test(test_down_event_then_up),
        cmocka_unit_test(test_failed_reprepare_moves_on),
        cmocka_unit_test(test_hosts_info),
        cmocka_unit_test(test_every_contact_point_connected),
        cmocka_unit_test(test_discovery_old_peers_table),
        cmocka_unit_test(test_discovery_wildcard_rpc_address),
        cmocka_unit_test(test_schema_agreement),
        cmocka_unit_test(test_schema_agreement_read_where_ddl_ran),
        cmocka_unit_test(test_queue_full_and_shutdown),
        cmocka_unit_test(test_fd_and_callback_rules),
        cmocka_unit_test(test_events_and_heartbeats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
