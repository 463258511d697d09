/* topology: which nodes there are and where a request goes. The hosts list, discovery
 * through system.local and system.peers_v2 (system.peers before Cassandra 4), the control
 * connection and the events it receives, and the token ring that routes a request with a
 * routing key to the node owning it. The connections themselves belong to session.c. */
#include "cql/topology_int.h"

#include "core/clock.h"
#include "core/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- routing ----------------------------------------------------------------------------- */

struct cql_slot_conn *cql_host_slot(struct cql_host *h, bool any_state)
{
    struct cql_slot_conn *best = NULL;
    if (!h->up || h->removed || (!any_state && (h->suspect || h->warming > 0)))
        return NULL;
    for (int i = 0; i < h->nslots; i++) {
        struct cql_slot_conn *slot = &h->slots[i];
        if (!slot->conn || cql_conn_state(slot->conn) != CQL_CONN_READY ||
            cql_conn_free_streams(slot->conn) == 0 ||
            cql_conn_pending_out(slot->conn) > CQL_MAX_PENDING_OUT)
            continue;
        if (!best || cql_conn_in_flight(slot->conn) < cql_conn_in_flight(best->conn))
            best = slot;
    }
    return best;
}

static size_t ring_lower_bound(const struct cql_session *s, int64_t token)
{
    size_t lo = 0, hi = s->nring;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->ring[mid].token < token)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == s->nring ? 0 : lo;
}

static struct cql_slot_conn *best_slot(struct cql_host *h)
{
    return cql_host_slot(h, false);
}

/* An attempt of req is already out on h: another one goes elsewhere or nowhere. */
static bool attempt_out_on(const struct cql_request *req, const struct cql_host *h)
{
    for (int i = 0; i < req->nout; i++)
        if (req->out[i].slot->host == h)
            return true;
    return false;
}

static struct cql_slot_conn *round_robin(struct cql_session *s, const struct cql_request *req,
                                         bool suspects);

struct cql_slot_conn *cql_session_pick(struct cql_session *s, const struct cql_request *req)
{
    if (s->token_aware && req->has_token && s->nring > 0) {
        /* the owner is the first node clockwise from the token; then its ring successors,
         * which for SimpleStrategy are the other replicas */
        size_t at = ring_lower_bound(s, req->token);
        struct cql_host *tried = NULL;
        for (size_t k = 0; k < s->nring; k++) {
            struct cql_host *h = s->ring[(at + k) % s->nring].host;
            if (h == tried)
                continue;
            tried = h;
            /* a retry goes to another replica first: the one that just timed out may be
             * paused or cut off, and would cost a whole request timeout again (the
             * round-robin below still returns it when no other node can take the request) */
            if ((req->attempts > 1 && h == req->last_host) || attempt_out_on(req, h))
                continue;
            struct cql_slot_conn *slot = best_slot(h);
            if (slot)
                return slot;
            if (k >= 64)
                break; /* a long stretch of dead vnodes: fall back to round-robin */
        }
    }
    struct cql_slot_conn *slot = round_robin(s, req, false);
    /* every node suspect (a cluster-wide stall, or this client's own): a suspect node that is
     * only slow still answers, where waiting in the queue answers nothing */
    return slot ? slot : round_robin(s, req, true);
}

static struct cql_slot_conn *round_robin(struct cql_session *s, const struct cql_request *req,
                                         bool suspects)
{
    for (size_t i = 0; i < s->nhosts; i++) {
        size_t at = (s->rr + i) % s->nhosts;
        struct cql_host *h = s->hosts[at];
        /* a retry prefers another node than the one that just failed */
        if (req->attempts > 1 && h == req->last_host && s->nhosts > 1 && i + 1 < s->nhosts)
            continue;
        if (attempt_out_on(req, h) || (suspects && (!h->suspect || h->warming > 0)))
            continue;
        struct cql_slot_conn *slot = suspects ? cql_host_slot(h, true) : best_slot(h);
        if (slot) {
            s->rr = (at + 1) % s->nhosts;
            return slot;
        }
    }
    return NULL;
}

static int ring_cmp(const void *a, const void *b)
{
    const struct cql_ring_entry *x = a, *y = b;
    return x->token < y->token ? -1 : x->token > y->token;
}

static void rebuild_ring(struct cql_session *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nhosts; i++)
        if (!s->hosts[i]->removed)
            n += s->hosts[i]->ntokens;
    free(s->ring);
    s->ring = up_xmalloc((n ? n : 1) * sizeof *s->ring);
    s->nring = 0;
    for (size_t i = 0; i < s->nhosts; i++) {
        struct cql_host *h = s->hosts[i];
        for (size_t k = 0; !h->removed && k < h->ntokens; k++)
            s->ring[s->nring++] = (struct cql_ring_entry){h->tokens[k], h};
    }
    qsort(s->ring, s->nring, sizeof *s->ring, ring_cmp);
}

/* ---- hosts ------------------------------------------------------------------------------- */

static void format_label(const struct sockaddr *sa, char *out, size_t size)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
        port = ntohs(in->sin_port);
        snprintf(out, size, "%s:%d", ip, port);
    } else {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
        port = ntohs(in6->sin6_port);
        snprintf(out, size, "[%s]:%d", ip, port);
    }
}

struct cql_host *cql_host_find(struct cql_session *s, const char *label)
{
    for (size_t i = 0; i < s->nhosts; i++)
        if (strcmp(s->hosts[i]->label, label) == 0)
            return s->hosts[i];
    return NULL;
}

struct cql_host *cql_host_add(struct cql_session *s, const struct sockaddr *sa, socklen_t len,
                              const char *server_name)
{
    char label[64];
    format_label(sa, label, sizeof label);
    struct cql_host *h = cql_host_find(s, label);
    if (h) {
        h->removed = false;
        return h;
    }
    h = up_xcalloc(1, sizeof *h);
    memcpy(&h->addr, sa, len);
    h->addrlen = len;
    snprintf(h->label, sizeof h->label, "%s", label);
    h->server_name = server_name && server_name[0] ? up_xstrdup(server_name) : NULL;
    h->nslots = s->cfg.connections_per_host;
    h->slots = up_xcalloc((size_t)h->nslots, sizeof *h->slots);
    for (int i = 0; i < h->nslots; i++)
        h->slots[i].host = h;
    up_backoff_init(&h->backoff, s->cfg.reconnect_base_ms, s->cfg.reconnect_max_ms);
    h->next_connect_ms = INT64_MAX; /* opened explicitly during connect */
    s->hosts = up_xrealloc(s->hosts, (s->nhosts + 1) * sizeof *s->hosts);
    s->hosts[s->nhosts++] = h;
    return h;
}

void cql_host_free(struct cql_host *h)
{
    free(h->slots);
    free(h->tokens);
    free(h->server_name);
    free(h);
}

/* ---- control connection, events, topology ------------------------------------------------ */

static void register_done(struct cql_session *s, struct cql_request *req, cql_result *result,
                          const struct cql_error *err)
{
    (void)s;
    (void)req;
    (void)result;
    if (err)
        UP_WARN("cql: REGISTER for events failed: %s", err->message);
}

void cql_topology_elect_control(struct cql_session *s)
{
    if (s->control || s->closing)
        return;
    for (size_t i = 0; i < s->nhosts; i++) {
        struct cql_host *h = s->hosts[i];
        for (int k = 0; k < h->nslots; k++) {
            struct cql_slot_conn *slot = &h->slots[k];
            if (!h->removed && slot->conn && cql_conn_state(slot->conn) == CQL_CONN_READY) {
                s->control = slot;
                struct up_buf body = UP_BUF_INIT;
                cql_encode_register(&body);
                cql_req_internal(s, slot, CQL_OP_REGISTER, (const uint8_t *)body.data, body.len,
                                 register_done, NULL);
                up_buf_free(&body);
                return;
            }
        }
    }
}

static void deliver_event(struct cql_session *s, const struct cql_event *ev)
{
    if (!s->cfg.event_cb)
        return;
    bool was = s->in_callback;
    s->in_callback = true;
    s->cfg.event_cb(s->cfg.event_opaque, ev);
    s->in_callback = was;
}

void cql_topology_on_event(void *owner, struct cql_conn *c, const struct cql_frame *f)
{
    struct cql_session *s = owner;
    (void)c;
    struct cql_event_msg m;
    if (cql_event_parse(f->body, f->len, f->flags, &m) != 0)
        return;
    if (m.ev.type == CQL_EVENT_STATUS_CHANGE && strcmp(m.ev.change, "UP") == 0) {
        struct cql_host *h = cql_host_find(s, m.ev.address);
        if (h) { /* the spec advises a short wait before connecting to a node that came up */
            up_backoff_reset(&h->backoff);
            h->next_connect_ms = up_mono_ms() + 1000;
        }
    } else if (m.ev.type == CQL_EVENT_STATUS_CHANGE && strcmp(m.ev.change, "DOWN") == 0) {
        /* out of query plans at once; the probe this sends brings it back if it answers us */
        struct cql_host *h = cql_host_find(s, m.ev.address);
        if (h)
            cql_host_suspect(s, h, "the cluster reports it DOWN");
    } else if (m.ev.type == CQL_EVENT_TOPOLOGY_CHANGE) {
        cql_topology_refresh(s);
    }
    deliver_event(s, &m.ev);
    cql_event_msg_free(&m);
}

/* ---- discovery --------------------------------------------------------------------------- */

static int column_index(const cql_result *r, const char *name)
{
    for (size_t i = 0; i < cql_result_column_count(r); i++)
        if (strcmp(cql_result_column_name(r, i), name) == 0)
            return (int)i;
    return -1;
}

static struct cql_value cell_named(const cql_result *r, size_t row, const char *name)
{
    int col = column_index(r, name);
    return col < 0 ? (struct cql_value){NULL, NULL, -1} : cql_result_cell(r, row, (size_t)col);
}

static void copy_text_cell(const cql_result *r, size_t row, const char *name, char *out,
                           size_t size)
{
    struct cql_value v = cell_named(r, row, name);
    const char *s;
    size_t len;
    out[0] = '\0';
    if (cql_value_get_text(&v, &s, &len) == CQL_OK)
        snprintf(out, size, "%.*s", (int)len, s);
}

/* tokens: a set<text> of decimal Murmur3 tokens. */
static void set_tokens(struct cql_host *h, const cql_result *r, size_t row)
{
    struct cql_value v = cell_named(r, row, "tokens");
    struct cql_iter it;
    free(h->tokens);
    h->tokens = NULL;
    h->ntokens = 0;
    if (cql_value_iter_init(&v, &it) != CQL_OK)
        return;
    h->tokens = up_xmalloc((it.count ? it.count : 1) * sizeof *h->tokens);
    struct cql_value e;
    while (cql_iter_next(&it, &e)) {
        const char *s;
        size_t len;
        char buf[32];
        if (cql_value_get_text(&e, &s, &len) != CQL_OK || len >= sizeof buf)
            continue;
        memcpy(buf, s, len);
        buf[len] = '\0';
        char *end;
        errno = 0;
        long long t = strtoll(buf, &end, 10);
        if (errno == 0 && *end == '\0' && end != buf)
            h->tokens[h->ntokens++] = t;
    }
}

static void read_local(struct cql_session *s, struct cql_host *h, const cql_result *r)
{
    if (cql_result_row_count(r) == 0)
        return;
    char partitioner[256];
    copy_text_cell(r, 0, "data_center", h->dc, sizeof h->dc);
    copy_text_cell(r, 0, "rack", h->rack, sizeof h->rack);
    copy_text_cell(r, 0, "partitioner", partitioner, sizeof partitioner);
    set_tokens(h, r, 0);
    size_t plen = strlen(partitioner);
    const char *m3 = "Murmur3Partitioner";
    bool murmur = plen >= strlen(m3) && strcmp(partitioner + plen - strlen(m3), m3) == 0;
    s->token_aware = s->cfg.token_aware && murmur;
}

/* The address clients should use for a peer row: native/rpc address unless it is the
 * wildcard, then the gossip address; the port from native_port or the control node's. */
static bool peer_address(const cql_result *r, size_t row, int default_port,
                         struct sockaddr_storage *ss, socklen_t *len)
{
    uint8_t addr[16];
    size_t alen = 0;
    struct cql_value v = cell_named(r, row, "native_address");
    if (cql_value_is_null(&v))
        v = cell_named(r, row, "rpc_address");
    if (cql_value_get_inet(&v, addr, &alen) != CQL_OK ||
        (alen == 4 && memcmp(addr, "\0\0\0\0", 4) == 0) ||
        (alen == 16 && memcmp(addr, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16) == 0)) {
        v = cell_named(r, row, "peer");
        if (cql_value_get_inet(&v, addr, &alen) != CQL_OK)
            return false;
    }
    int32_t port = default_port;
    v = cell_named(r, row, "native_port");
    if (!cql_value_is_null(&v) && cql_value_get_int32(&v, &port) != CQL_OK)
        port = default_port;
    memset(ss, 0, sizeof *ss);
    if (alen == 4) {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        memcpy(&in->sin_addr, addr, 4);
        *len = sizeof *in;
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        memcpy(&in6->sin6_addr, addr, 16);
        *len = sizeof *in6;
    }
    return true;
}

static int host_port(const struct cql_host *h)
{
    const struct sockaddr *sa = (const struct sockaddr *)&h->addr;
    return sa->sa_family == AF_INET ? ntohs(((const struct sockaddr_in *)sa)->sin_port)
                                    : ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
}

/* Adds the nodes of a system.peers(_v2) result; nodes missing from it are marked removed.
 * The control node (not a peer of itself) and contact points stay. */
static void apply_peers(struct cql_session *s, const cql_result *r, struct cql_host *control)
{
    int port = host_port(control);
    bool *seen = up_xcalloc(s->nhosts + cql_result_row_count(r) + 1, sizeof *seen);
    for (size_t row = 0; row < cql_result_row_count(r); row++) {
        struct sockaddr_storage ss;
        socklen_t len;
        if (!peer_address(r, row, port, &ss, &len))
            continue;
        size_t before = s->nhosts;
        struct cql_host *h = cql_host_add(s, (const struct sockaddr *)&ss, len, NULL);
        if (s->nhosts > before) {
            h->next_connect_ms = 0; /* new node: connect at the next tick */
            UP_INFO("cql: discovered node %s", h->label);
        }
        copy_text_cell(r, row, "data_center", h->dc, sizeof h->dc);
        copy_text_cell(r, row, "rack", h->rack, sizeof h->rack);
        set_tokens(h, r, row);
        for (size_t i = 0; i < s->nhosts; i++)
            if (s->hosts[i] == h)
                seen[i] = true;
    }
    for (size_t i = 0; i < s->nhosts; i++) {
        struct cql_host *h = s->hosts[i];
        if (seen[i] || h == control || h->contact || h->removed)
            continue;
        h->removed = true;
        UP_INFO("cql: node %s left the cluster", h->label);
        for (int k = 0; k < h->nslots; k++)
            if (h->slots[k].conn)
                cql_conn_close(h->slots[k].conn, CQL_ERR_CONNECTION_CLOSED,
                               "%s was removed from the cluster", h->label);
    }
    free(seen);
    rebuild_ring(s);
}

/* schema_version is for schema agreement, which reads the same tables */
static const char *const peers_v2_query = "SELECT peer, native_address, native_port, data_center, "
                                          "rack, tokens, schema_version FROM system.peers_v2";
static const char *const peers_query =
    "SELECT peer, rpc_address, data_center, rack, tokens, schema_version FROM system.peers";
static const char *const local_query = "SELECT data_center, rack, tokens, partitioner, "
                                       "schema_version FROM system.local WHERE key='local'";

int cql_topology_discover(struct cql_session *s, struct cql_error *err)
{
    struct cql_slot_conn *control = s->control;
    cql_result *r;
    if (cql_internal_query_sync(s, control, local_query, &r, err) != 0)
        return -1;
    read_local(s, control->host, r);
    cql_result_free(r);
    if (s->cfg.discover_peers && s->control == control) {
        s->peers_v2 = cql_internal_query_sync(s, control, peers_v2_query, &r, err) == 0;
        if (!s->peers_v2 && cql_internal_query_sync(s, control, peers_query, &r, err) != 0)
            return -1;
        apply_peers(s, r, control->host);
        cql_result_free(r);
    } else {
        rebuild_ring(s);
    }
    return 0;
}

static void peers_refreshed(struct cql_session *s, struct cql_request *req, cql_result *result,
                            const struct cql_error *err)
{
    struct cql_slot_conn *slot = req->opaque;
    s->topology_refreshing = false;
    if (err || !result || s->closing) {
        if (err)
            UP_WARN("cql: refreshing the node list failed: %s", err->message);
        return;
    }
    apply_peers(s, result, slot->host);
}

void cql_topology_refresh(struct cql_session *s)
{
    if (!s->cfg.discover_peers || !s->control || s->topology_refreshing || s->closing)
        return;
    s->topology_refreshing = true;
    /* the table discovery used: system.peers has no ports, so on a cluster whose nodes listen
     * on different ports it would name every peer at the control node's port */
    const char *q = s->peers_v2 ? peers_v2_query : peers_query;
    struct up_buf body = UP_BUF_INIT;
    cql_put_long_string(&body, q, strlen(q));
    cql_put_short(&body, CQL_ONE);
    cql_put_byte(&body, 0);
    cql_req_internal(s, s->control, CQL_OP_QUERY, (const uint8_t *)body.data, body.len,
                     peers_refreshed, s->control);
    up_buf_free(&body);
}

/* ---- schema agreement -------------------------------------------------------------------- */

/* The row's schema_version as text; false when it is null (a node not yet known). */
static bool schema_version(const cql_result *r, size_t row, char out[37])
{
    struct cql_value v = cell_named(r, row, "schema_version");
    struct cql_uuid u;
    if (row >= cql_result_row_count(r) || cql_value_get_uuid(&v, &u) != CQL_OK)
        return false;
    cql_uuid_format(&u, out);
    return true;
}

/* A peer row counts unless it is a node the session knows to be down or gone: a stopped
 * node's row keeps its last version, which may never change again. */
static bool peer_is_live(struct cql_session *s, const cql_result *r, size_t row, int port,
                         char *label, size_t size)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (!peer_address(r, row, port, &ss, &len))
        return false;
    format_label((const struct sockaddr *)&ss, label, size);
    const struct cql_host *h = cql_host_find(s, label);
    return !h || (h->up && !h->removed);
}

/* Where the versions are read: on node when it can be reached, else on the control node. */
static struct cql_slot_conn *agreement_slot(struct cql_session *s, const char *node)
{
    struct cql_host *h = node && node[0] ? cql_host_find(s, node) : NULL;
    struct cql_slot_conn *slot = h ? cql_host_slot(h, true) : NULL;
    return slot ? slot : s->control;
}

/* One look on node (or the control node): 1 when it and every live peer report the same
 * schema version, 0 when not (versions says who has which), -1 when they could not be read
 * (err). */
static int schema_versions_agree(struct cql_session *s, const char *node, struct up_buf *versions,
                                 struct cql_error *err)
{
    struct cql_slot_conn *on = agreement_slot(s, node);
    if (!on) {
        cql_topology_elect_control(s);
        cql_error_set(err, CQL_ERR_NO_HOSTS, "no connection to read schema versions on");
        return -1;
    }
    cql_result *local, *peers;
    if (cql_internal_query_sync(s, on, local_query, &local, err) != 0)
        return -1;
    if (cql_internal_query_sync(s, on, s->peers_v2 ? peers_v2_query : peers_query, &peers, err) !=
        0) {
        cql_result_free(local);
        return -1;
    }
    char want[37] = "", got[37], label[64];
    bool agree = schema_version(local, 0, want);
    up_buf_clear(versions);
    up_buf_printf(versions, "%s=%s", on->host->label, want[0] ? want : "null");
    for (size_t row = 0; row < cql_result_row_count(peers); row++) {
        label[0] = '\0';
        bool live = peer_is_live(s, peers, row, host_port(on->host), label, sizeof label);
        bool known = schema_version(peers, row, got);
        if (!live || !known) { /* said, so that a log shows whom the agreement left out */
            up_buf_printf(versions, ", %s=%s", label[0] ? label : "?", live ? "null" : "down");
            continue;
        }
        up_buf_printf(versions, ", %s=%s", label, got);
        agree &= strcmp(got, want) == 0;
    }
    cql_result_free(local);
    cql_result_free(peers);
    return agree ? 1 : 0;
}

int cql_session_wait_schema_agreement(cql_session *s, const char *node, int timeout_ms,
                                      struct cql_error *err)
{
    struct cql_error local;
    if (!err)
        err = &local;
    cql_error_clear(err);
    if (s->in_callback) {
        cql_error_set(err, CQL_ERR_NOT_ALLOWED,
                      "blocking calls are not allowed inside a completion callback");
        return -1;
    }
    int64_t start = up_mono_ms(), deadline = start + (timeout_ms > 0 ? timeout_ms : 0);
    struct up_buf versions = UP_BUF_INIT;
    struct cql_error why;
    int rc;
    for (;;) {
        cql_error_clear(&why);
        rc = schema_versions_agree(s, node, &versions, &why);
        if (rc == 1 || up_mono_ms() >= deadline)
            break;
        /* the python driver's pace: a look every 200 ms */
        for (int64_t until = up_mono_ms() + 200, now; (now = up_mono_ms()) < until;)
            cql_session_poll(s, (int)(until - now));
    }
    if (rc == 1)
        UP_INFO("cql: schema agreed after %lld ms: %s", (long long)(up_mono_ms() - start),
                versions.data);
    else if (rc == 0)
        cql_error_set(err, CQL_ERR_SCHEMA_AGREEMENT,
                      "the live nodes did not agree on the schema within %d ms: %s", timeout_ms,
                      versions.data);
    else if (rc < 0)
        cql_error_set(err, CQL_ERR_SCHEMA_AGREEMENT,
                      "could not read the nodes' schema versions within %d ms: %s", timeout_ms,
                      why.message);
    up_buf_free(&versions);
    return rc == 1 ? 0 : -1;
}
