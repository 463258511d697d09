/* session: the hosts' connection pools, heartbeats, reconnection, the poll loop and the sync
 * helpers. Which hosts exist and where a request goes is topology.c. */
#include "cql/session_int.h"
#include "cql/topology_int.h"

#include "core/clock.h"
#include "core/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define MAX_EVENTS        128
#define HANDSHAKE_TICK_MS 50
#define SETTLE_POLL_MS    50

/* epoll data for the two non-connection fds */
static char timer_tag, kick_tag;

void cql_config_init(struct cql_config *c)
{
    memset(c, 0, sizeof *c);
    c->contact_points = "127.0.0.1:9042";
    c->consistency = CQL_LOCAL_ONE;
    c->serial_consistency = CQL_SERIAL;
    c->connect_timeout_ms = 5000;
    c->request_timeout_ms = 12000;
    c->connections_per_host = 1;
    c->max_requests_per_connection = 4096;
    c->max_queued = 65536;
    c->max_frame_bytes = CQL_DEFAULT_MAX_FRAME;
    c->discover_peers = true;
    c->token_aware = true;
    c->max_retries = 5;
    c->retry_base_ms = 50;
    c->retry_max_ms = 2000;
    c->reconnect_base_ms = 250;
    c->reconnect_max_ms = 10000;
    c->speculative_max = 1;
    c->heartbeat_ms = 1000;
    c->schema_agreement_ms = 10000;
    c->tls_verify = true;
}

/* ---- small helpers ----------------------------------------------------------------------- */

static void free_secret(char *s)
{
    if (s) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

static void push_ptr(void ***arr, size_t *n, size_t *cap, void *p)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *arr = up_xrealloc(*arr, *cap * sizeof **arr);
    }
    (*arr)[(*n)++] = p;
}

static int clampi(int v, int lo, int hi, int def)
{
    if (v <= 0)
        return def;
    return v < lo ? lo : v > hi ? hi : v;
}

/* ---- prepared cache ---------------------------------------------------------------------- */

struct cql_prepared *cql_cache_find(struct cql_session *s, const char *query)
{
    for (size_t i = 0; i < s->ncache; i++)
        if (strcmp(s->cache[i]->query, query) == 0)
            return s->cache[i];
    return NULL;
}

struct cql_prepared *cql_cache_insert(struct cql_session *s, const char *query,
                                      struct cql_prepared_meta *meta)
{
    struct cql_prepared *p = cql_cache_find(s, query);
    if (p) { /* prepared again (another node, or a race): the newest id wins */
        memcpy(p->meta.id, meta->id, meta->id_len);
        p->meta.id_len = meta->id_len;
        return p;
    }
    p = up_xcalloc(1, sizeof *p);
    p->refs = 1;
    p->query = up_xstrdup(query);
    p->meta = *meta;
    /* the result keeps an empty shell; the arrays now belong to p */
    meta->params = NULL;
    meta->nparams = 0;
    meta->pk = NULL;
    meta->npk = 0;
    push_ptr((void ***)&s->cache, &s->ncache, &s->capcache, p);
    return p;
}

/* ---- epoll ------------------------------------------------------------------------------- */

static void epoll_set(struct cql_session *s, int op, int fd, uint32_t events, void *ptr)
{
    struct epoll_event ev = {.events = events, .data.ptr = ptr};
    if (epoll_ctl(s->epfd, op, fd, &ev) != 0 && op != EPOLL_CTL_DEL)
        UP_WARN("cql: epoll_ctl: %s", strerror(errno));
}

static void sync_epoll(struct cql_session *s, struct cql_slot_conn *slot)
{
    if (!slot->conn || cql_conn_state(slot->conn) == CQL_CONN_CLOSED)
        return;
    bool want = cql_conn_want_write(slot->conn);
    if (want == slot->epoll_out)
        return;
    slot->epoll_out = want;
    epoll_set(s, EPOLL_CTL_MOD, cql_conn_fd(slot->conn), EPOLLIN | (want ? EPOLLOUT : 0), slot);
}

void cql_session_mark_dirty(struct cql_session *s, struct cql_slot_conn *slot)
{
    if (slot->dirty)
        return;
    slot->dirty = true;
    push_ptr((void ***)&s->dirty, &s->ndirty, &s->capdirty, slot);
}

static void flush_dirty(struct cql_session *s)
{
    for (size_t i = 0; i < s->ndirty; i++) { /* flushing may add entries: re-read ndirty */
        struct cql_slot_conn *slot = s->dirty[i];
        slot->dirty = false;
        if (slot->conn) {
            cql_conn_flush(slot->conn);
            sync_epoll(s, slot);
        }
    }
    s->ndirty = 0;
}

void cql_session_kick(struct cql_session *s)
{
    if (s->kicked)
        return;
    uint64_t one = 1;
    if (write(s->kickfd, &one, sizeof one) == sizeof one)
        s->kicked = true;
}

void cql_session_flush(cql_session *s)
{
    flush_dirty(s);
}

int cql_session_fd(const cql_session *s)
{
    return s->epfd;
}

static const struct cql_conn_hooks conn_hooks;

static void open_slot(struct cql_session *s, struct cql_host *h, struct cql_slot_conn *slot)
{
    struct cql_conn_config cfg = s->conn_cfg;
    if (h->server_name && !cfg.tls_server_name)
        cfg.tls_server_name = h->server_name;
    struct cql_error err;
    struct cql_conn *c = cql_conn_open((const struct sockaddr *)&h->addr, h->addrlen, h->label,
                                       &cfg, &conn_hooks, s, &err);
    if (!c) {
        h->last_error = err;
        h->failures++;
        h->next_connect_ms = up_mono_ms() + up_backoff_next_ms(&h->backoff);
        return;
    }
    slot->conn = c;
    slot->ever_ready = false;
    slot->heartbeat = false;
    slot->epoll_out = true;
    cql_conn_set_user(c, slot);
    epoll_set(s, EPOLL_CTL_ADD, cql_conn_fd(c), EPOLLIN | EPOLLOUT, slot);
}

static void open_closed_slots(struct cql_session *s, struct cql_host *h, int64_t now)
{
    if (h->removed || now < h->next_connect_ms)
        return;
    h->next_connect_ms = INT64_MAX;
    for (int i = 0; i < h->nslots; i++)
        if (!h->slots[i].conn)
            open_slot(s, h, &h->slots[i]);
}

static void update_host_up(struct cql_host *h)
{
    h->up = false;
    for (int i = 0; i < h->nslots; i++)
        if (h->slots[i].conn && cql_conn_state(h->slots[i].conn) == CQL_CONN_READY)
            h->up = true;
}

/* ---- connection hooks -------------------------------------------------------------------- */

static void on_ready(void *owner, struct cql_conn *c)
{
    struct cql_session *s = owner;
    struct cql_slot_conn *slot = cql_conn_user(c);
    struct cql_host *h = slot->host;
    slot->ever_ready = true;
    bool was_down = !h->up;
    h->up = true;
    up_backoff_reset(&h->backoff);
    h->suspect = false; /* a handshake is an answer (the queue is drained below, once the
                         * statements are on their way) */
    h->timeouts_in_row = 0;
    if (was_down && h->was_up) {
        s->stats.reconnects++;
        UP_INFO("cql: reconnected to %s", h->label);
    }
    h->was_up = true;
    if (was_down) /* a node coming up (or found) learns every statement before its traffic */
        cql_host_warm_up(s, slot);
    cql_topology_elect_control(s);
    cql_req_drain_queue(s);
    cql_session_mark_dirty(s, slot);
}

static void on_response(void *owner, struct cql_conn *c, void *request, const struct cql_frame *f)
{
    struct cql_session *s = owner;
    struct cql_slot_conn *slot = cql_conn_user(c);
    cql_host_answered(s, slot->host);
    cql_req_on_response(s, slot, request, f);
    if (s->queue.len)
        cql_req_drain_queue(s);
}

static void on_closed(void *owner, struct cql_conn *c, const struct cql_error *why)
{
    struct cql_session *s = owner;
    struct cql_slot_conn *slot = cql_conn_user(c);
    struct cql_host *h = slot->host;
    bool was_ready = slot->ever_ready;
    slot->conn = NULL;
    slot->ever_ready = false;
    slot->heartbeat = false;
    slot->epoll_out = false;
    uint64_t sent, received;
    cql_conn_counters(c, &sent, &received);
    s->stats.bytes_sent += sent;
    s->stats.bytes_received += received;
    push_ptr((void ***)&s->dead, &s->ndead, &s->capdead, c);
    update_host_up(h);
    if (was_ready) {
        s->stats.connections_lost++;
        if (!s->closing)
            UP_WARN("cql: lost connection to %s: %s", h->label, why->message);
    } else {
        h->last_error = *why;
        h->failures++;
    }
    if (!s->closing) {
        int64_t at = up_mono_ms() + up_backoff_next_ms(&h->backoff);
        if (at < h->next_connect_ms)
            h->next_connect_ms = at;
    }
    /* requests that were on this connection: retried elsewhere or failed */
    void *reqs[256];
    size_t n;
    while ((n = cql_conn_take_requests(c, reqs, 256)) > 0)
        for (size_t i = 0; i < n; i++)
            cql_req_on_conn_lost(s, slot, reqs[i], why);
    if (slot == s->control) {
        s->control = NULL;
        if (!s->closing) {
            cql_topology_elect_control(s);
            if (s->control)
                cql_topology_refresh(s);
        }
    }
}

static const struct cql_conn_hooks conn_hooks = {on_ready, on_response, cql_topology_on_event,
                                                 on_closed};

/* ---- heartbeats and timers --------------------------------------------------------------- */

static void heartbeat_done(struct cql_session *s, struct cql_request *req, cql_result *result,
                           const struct cql_error *err)
{
    (void)s;
    (void)result;
    (void)err;
    struct cql_slot_conn *slot = req->opaque;
    slot->heartbeat = false;
}

void cql_session_heartbeat(struct cql_session *s, struct cql_slot_conn *slot)
{
    if (slot->heartbeat)
        return;
    slot->heartbeat = true;
    slot->heartbeat_sent_ms = up_mono_ms();
    cql_req_internal(s, slot, CQL_OP_OPTIONS, NULL, 0, heartbeat_done, slot);
}

/* A connection that read nothing for heartbeat_ms gets an OPTIONS; when nothing at all was
 * read for as long again, its node is suspect (the request timeout later closes the
 * connection). */
static void service_slot(struct cql_session *s, struct cql_slot_conn *slot, int64_t now)
{
    if (!slot->conn)
        return;
    enum cql_conn_state st = cql_conn_state(slot->conn);
    if (st != CQL_CONN_READY) {
        cql_conn_check_handshake(slot->conn, now);
        return;
    }
    if (s->cfg.heartbeat_ms <= 0)
        return;
    if (!slot->heartbeat && now - cql_conn_last_read_ms(slot->conn) >= s->cfg.heartbeat_ms)
        cql_session_heartbeat(s, slot);
    else if (slot->heartbeat && now - slot->heartbeat_sent_ms >= s->cfg.heartbeat_ms &&
             cql_conn_last_read_ms(slot->conn) < slot->heartbeat_sent_ms) /* nothing since */
        cql_host_suspect(s, slot->host, "heartbeat unanswered");
}

static void service_timers(struct cql_session *s, int64_t now)
{
    cql_req_expire(s, now);
    for (size_t i = 0; i < s->nhosts; i++) {
        struct cql_host *h = s->hosts[i];
        if (h->removed)
            continue;
        open_closed_slots(s, h, now);
        for (int k = 0; k < h->nslots; k++)
            service_slot(s, &h->slots[k], now);
    }
}

/* The earliest moment something is due: a deadline, a reconnect, a handshake check or a
 * heartbeat. */
static int64_t next_due(const struct cql_session *s, int64_t now)
{
    int64_t next = s->timers.head ? s->timers.head->timer_at : INT64_MAX;
    for (size_t i = 0; i < s->nhosts; i++) {
        const struct cql_host *h = s->hosts[i];
        if (h->removed)
            continue;
        for (int k = 0; k < h->nslots; k++) {
            const struct cql_slot_conn *slot = &h->slots[k];
            int64_t t = INT64_MAX;
            if (!slot->conn)
                t = h->next_connect_ms;
            else if (cql_conn_state(slot->conn) != CQL_CONN_READY)
                t = now + HANDSHAKE_TICK_MS;
            else if (s->cfg.heartbeat_ms > 0 && !slot->heartbeat)
                t = cql_conn_last_read_ms(slot->conn) + s->cfg.heartbeat_ms;
            else if (s->cfg.heartbeat_ms > 0 && !h->suspect)
                t = slot->heartbeat_sent_ms + s->cfg.heartbeat_ms;
            if (t < next)
                next = t;
        }
    }
    return next;
}

/* Keeps the timerfd at or before the next due moment. Deadlines that moved later leave the
 * alarm early: it then fires once for nothing and is re-armed, which costs less than a
 * timerfd_settime() per request. */
static void arm_timer(struct cql_session *s)
{
    int64_t now = up_mono_ms();
    int64_t next = next_due(s, now);
    if (next == INT64_MAX)
        return;
    if (s->armed_at != 0 && s->armed_at > now && s->armed_at <= next)
        return;
    if (next <= now)
        next = now + 1;
    struct itimerspec its = {0};
    its.it_value.tv_sec = next / 1000;
    its.it_value.tv_nsec = (next % 1000) * 1000000;
    if (timerfd_settime(s->timerfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
        s->armed_at = next;
}

static void free_dead(struct cql_session *s)
{
    for (size_t i = 0; i < s->ndead; i++)
        cql_conn_free(s->dead[i]);
    s->ndead = 0;
}

/* ---- the poll loop ----------------------------------------------------------------------- */

static void handle_events(struct cql_session *s, int timeout_ms)
{
    struct epoll_event ev[MAX_EVENTS];
    int n = epoll_wait(s->epfd, ev, MAX_EVENTS, timeout_ms);
    for (int i = 0; i < n; i++) {
        void *tag = ev[i].data.ptr;
        if (tag == &timer_tag) {
            uint64_t expirations;
            if (read(s->timerfd, &expirations, sizeof expirations) < 0) {
                /* nothing to read: another path re-armed it meanwhile */
            }
            s->armed_at = 0;
        } else if (tag == &kick_tag) {
            uint64_t count;
            if (read(s->kickfd, &count, sizeof count) < 0) {
                /* already drained */
            }
            s->kicked = false;
        } else {
            struct cql_slot_conn *slot = tag;
            /* the slot may have moved on to a newer connection; events were for the old one */
            if (slot->conn && cql_conn_state(slot->conn) != CQL_CONN_CLOSED) {
                struct cql_conn *c = slot->conn;
                cql_conn_handle(c, ev[i].events);
                if (slot->conn == c)
                    sync_epoll(s, slot);
            }
        }
    }
}

int cql_session_poll(cql_session *s, int timeout_ms)
{
    if (s->in_callback)
        return -1;
    bool outer = !s->in_poll;
    s->in_poll = true;
    int64_t start = up_mono_ms();
    int total = 0;
    for (;;) {
        flush_dirty(s);
        arm_timer(s);
        int wait = 0;
        if (!s->done.len) {
            if (timeout_ms < 0) {
                wait = -1;
            } else {
                int64_t left = start + timeout_ms - up_mono_ms();
                wait = left > 0 ? (int)left : 0;
            }
        }
        handle_events(s, wait);
        service_timers(s, up_mono_ms());
        flush_dirty(s);
        total += cql_req_run_completions(s);
        free_dead(s);
        flush_dirty(s);
        if (total > 0 || timeout_ms == 0 || (timeout_ms > 0 && up_mono_ms() - start >= timeout_ms))
            break;
    }
    arm_timer(s);
    if (outer)
        s->in_poll = false;
    return total;
}

size_t cql_session_in_flight(const cql_session *s)
{
    return s->in_flight;
}

void cql_session_stats(const cql_session *s, struct cql_stats *out)
{
    *out = s->stats;
    out->in_flight = s->in_flight;
    out->queued = s->queue.len;
    out->attempt_timeout_ms = cql_attempt_timeout_ms(s);
    for (const struct cql_request *r = s->timers.head; r; r = r->timer_next)
        if (r->state == CQL_RS_BACKOFF)
            out->queued++;
    for (size_t i = 0; i < s->nhosts; i++) {
        const struct cql_host *h = s->hosts[i];
        if (h->removed)
            continue;
        out->hosts_known++;
        out->hosts_up += h->up;
        out->hosts_suspect += h->suspect;
        for (int k = 0; k < h->nslots; k++) {
            struct cql_conn *c = h->slots[k].conn;
            if (!c)
                continue;
            uint64_t sent, received;
            cql_conn_counters(c, &sent, &received);
            out->bytes_sent += sent;
            out->bytes_received += received;
            out->connections_ready += cql_conn_state(c) == CQL_CONN_READY;
        }
    }
}

/* ---- sync helpers ------------------------------------------------------------------------ */

struct sync_wait {
    bool done;
    cql_result *result;
    cql_prepared *prepared;
    struct cql_error err;
};

static void sync_result_cb(void *opaque, cql_result *result, const struct cql_error *err)
{
    struct sync_wait *w = opaque;
    w->done = true;
    if (result)
        w->result = cql_result_retain(result);
    else
        w->err = *err;
}

static void sync_prepare_cb(void *opaque, cql_prepared *prepared, const struct cql_error *err)
{
    struct sync_wait *w = opaque;
    w->done = true;
    if (prepared)
        w->prepared = prepared;
    else
        w->err = *err;
}

static void sync_internal_cb(struct cql_session *s, struct cql_request *req, cql_result *result,
                             const struct cql_error *err)
{
    (void)s;
    struct sync_wait *w = req->opaque;
    w->done = true;
    if (result) {
        w->result = result;
        req->result = NULL; /* handed over */
    } else if (err) {
        w->err = *err;
    }
}

static int refuse_in_callback(const struct cql_session *s, struct cql_error *err)
{
    if (!s->in_callback)
        return 0;
    cql_error_clear(err);
    cql_error_set(err, CQL_ERR_NOT_ALLOWED,
                  "blocking calls are not allowed inside a completion callback");
    return -1;
}

static void wait_done(struct cql_session *s, struct sync_wait *w)
{
    while (!w->done)
        cql_session_poll(s, 200);
}

/* Finishes a sync call: hands the result over or reports the error. A DDL's result is
 * handed over once the nodes agree on the new schema, as the node that ran it sees them, so
 * the next statement finds it on whichever node it goes to. */
static int sync_finish(struct cql_session *s, struct sync_wait *w, cql_result **out,
                       struct cql_error *err)
{
    if (w->result && s->cfg.schema_agreement_ms > 0 &&
        cql_result_kind(w->result) == CQL_RESULT_SCHEMA_CHANGE &&
        cql_session_wait_schema_agreement(s, cql_result_host(w->result), s->cfg.schema_agreement_ms,
                                          &w->err) != 0) {
        cql_result_free(w->result);
        w->result = NULL;
    }
    if (w->result) {
        if (out)
            *out = w->result;
        else
            cql_result_free(w->result);
        return 0;
    }
    if (err)
        *err = w->err;
    return -1;
}

int cql_session_execute_sync(cql_session *s, const cql_statement *st, cql_result **out,
                             struct cql_error *err)
{
    struct sync_wait w = {0};
    if (out)
        *out = NULL;
    if (refuse_in_callback(s, err) != 0 || cql_session_execute(s, st, sync_result_cb, &w, err))
        return -1;
    wait_done(s, &w);
    return sync_finish(s, &w, out, err);
}

int cql_session_query_sync(cql_session *s, const char *cql, cql_result **out, struct cql_error *err)
{
    struct sync_wait w = {0};
    if (out)
        *out = NULL;
    if (refuse_in_callback(s, err) != 0 || cql_session_query(s, cql, sync_result_cb, &w, err))
        return -1;
    wait_done(s, &w);
    return sync_finish(s, &w, out, err);
}

int cql_session_batch_sync(cql_session *s, const cql_batch *b, cql_result **out,
                           struct cql_error *err)
{
    struct sync_wait w = {0};
    if (out)
        *out = NULL;
    if (refuse_in_callback(s, err) != 0 || cql_session_execute_batch(s, b, sync_result_cb, &w, err))
        return -1;
    wait_done(s, &w);
    return sync_finish(s, &w, out, err);
}

int cql_session_prepare_sync(cql_session *s, const char *cql, cql_prepared **out,
                             struct cql_error *err)
{
    struct sync_wait w = {0};
    *out = NULL;
    if (refuse_in_callback(s, err) != 0 || cql_session_prepare(s, cql, sync_prepare_cb, &w, err))
        return -1;
    wait_done(s, &w);
    if (!w.prepared) {
        if (err)
            *err = w.err;
        return -1;
    }
    *out = w.prepared;
    return 0;
}

int cql_internal_query_sync(struct cql_session *s, struct cql_slot_conn *slot, const char *cql,
                            cql_result **out, struct cql_error *err)
{
    struct up_buf body = UP_BUF_INIT;
    cql_put_long_string(&body, cql, strlen(cql));
    cql_put_short(&body, CQL_ONE);
    cql_put_byte(&body, 0);
    struct sync_wait w = {0};
    cql_req_internal(s, slot, CQL_OP_QUERY, (const uint8_t *)body.data, body.len, sync_internal_cb,
                     &w);
    up_buf_free(&body);
    wait_done(s, &w);
    return sync_finish(s, &w, out, err);
}

/* ---- connect and free -------------------------------------------------------------------- */

/* "host:port" or "[v6]:port" or "host" -> host and port strings. */
static bool split_host_port(const char *item, char *host, size_t hsize, char *port, size_t psize)
{
    const char *colon;
    if (item[0] == '[') {
        const char *close = strchr(item, ']');
        if (!close || (close[1] != '\0' && close[1] != ':'))
            return false;
        snprintf(host, hsize, "%.*s", (int)(close - item - 1), item + 1);
        colon = close[1] == ':' ? close + 1 : NULL;
    } else {
        colon = strrchr(item, ':');
        if (colon && strchr(item, ':') != colon) /* bare IPv6 without brackets */
            colon = NULL;
        snprintf(host, hsize, "%.*s", (int)(colon ? colon - item : (long)strlen(item)), item);
    }
    snprintf(port, psize, "%s", colon ? colon + 1 : "9042");
    return host[0] != '\0' && port[0] != '\0';
}

static int add_contact_points(struct cql_session *s, struct cql_error *err)
{
    char *list = up_xstrdup(s->contact_points);
    char *save = NULL;
    int added = 0;
    for (char *item = strtok_r(list, ", ", &save); item; item = strtok_r(NULL, ", ", &save)) {
        char host[256], port[16];
        if (!split_host_port(item, host, sizeof host, port, sizeof port)) {
            cql_error_set(err, CQL_ERR_BAD_PARAMS,
                          "bad contact point '%s': use host:port, e.g. 127.0.0.1:9042", item);
            free(list);
            return -1;
        }
        struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
        int rc = getaddrinfo(host, port, &hints, &res);
        if (rc != 0) {
            cql_error_set(err, CQL_ERR_CONNECT, "cannot resolve contact point '%s': %s", item,
                          gai_strerror(rc));
            free(list);
            return -1;
        }
        struct in6_addr probe;
        bool is_ip =
            inet_pton(AF_INET, host, &probe) == 1 || inet_pton(AF_INET6, host, &probe) == 1;
        cql_host_add(s, res->ai_addr, res->ai_addrlen, is_ip ? NULL : host)->contact = true;
        freeaddrinfo(res);
        added++;
    }
    free(list);
    if (added == 0) {
        cql_error_set(err, CQL_ERR_BAD_PARAMS,
                      "no contact points given: use host:port[,host:port]");
        return -1;
    }
    return 0;
}

static struct cql_session *session_new(const struct cql_config *cfg)
{
    struct cql_session *s = up_xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    s->contact_points = up_xstrdup(cfg->contact_points ? cfg->contact_points : "127.0.0.1:9042");
    s->user = up_xstrdup_or_null(cfg->user);
    s->password = up_xstrdup_or_null(cfg->password);
    s->keyspace = up_xstrdup_or_null(cfg->keyspace);
    s->tls_ca_file = up_xstrdup_or_null(cfg->tls_ca_file);
    s->tls_cert_file = up_xstrdup_or_null(cfg->tls_cert_file);
    s->tls_key_file = up_xstrdup_or_null(cfg->tls_key_file);
    s->tls_server_name = up_xstrdup_or_null(cfg->tls_server_name);
    s->cfg.contact_points = s->contact_points;
    s->cfg.user = s->user;
    s->cfg.password = s->password;
    s->cfg.keyspace = s->keyspace;
    s->cfg.tls_ca_file = s->tls_ca_file;
    s->cfg.tls_cert_file = s->tls_cert_file;
    s->cfg.tls_key_file = s->tls_key_file;
    s->cfg.tls_server_name = s->tls_server_name;
    s->cfg.connect_timeout_ms = clampi(cfg->connect_timeout_ms, 10, 3600000, 5000);
    s->cfg.request_timeout_ms = clampi(cfg->request_timeout_ms, 1, 3600000, 12000);
    s->cfg.connections_per_host = clampi(cfg->connections_per_host, 1, 64, 1);
    s->cfg.max_requests_per_connection =
        clampi(cfg->max_requests_per_connection, 1, CQL_MAX_STREAMS, 4096);
    s->cfg.max_queued = clampi(cfg->max_queued, 1, 1 << 24, 65536);
    s->cfg.retry_base_ms = clampi(cfg->retry_base_ms, 1, 600000, 50);
    s->cfg.retry_max_ms = clampi(cfg->retry_max_ms, s->cfg.retry_base_ms, 600000, 2000);
    s->cfg.reconnect_base_ms = clampi(cfg->reconnect_base_ms, 1, 600000, 250);
    s->cfg.reconnect_max_ms =
        clampi(cfg->reconnect_max_ms, s->cfg.reconnect_base_ms, 600000, 10000);
    if (s->cfg.max_retries < 0)
        s->cfg.max_retries = 0;
    if (s->cfg.attempt_timeout_ms < 0)
        s->cfg.attempt_timeout_ms = 0;
    if (s->cfg.speculative_delay_ms < 0)
        s->cfg.speculative_delay_ms = 0;
    /* one speculative attempt and one re-send after the attempt timeout, beside the first */
    s->cfg.speculative_max = s->cfg.speculative_max < 0 ? 0
                             : s->cfg.speculative_max > CQL_MAX_OUTSTANDING - 2
                                 ? CQL_MAX_OUTSTANDING - 2
                                 : s->cfg.speculative_max;
    if (s->cfg.max_frame_bytes <= 0 || s->cfg.max_frame_bytes > CQL_SPEC_MAX_FRAME)
        s->cfg.max_frame_bytes = CQL_DEFAULT_MAX_FRAME;
    s->defaults.consistency = cfg->consistency;
    s->defaults.serial_consistency = cfg->serial_consistency;
    s->conn_cfg = (struct cql_conn_config){
        .user = s->user,
        .password = s->password,
        .keyspace = s->keyspace,
        .compression = cfg->compression,
        .max_frame = (size_t)s->cfg.max_frame_bytes,
        .max_streams = s->cfg.max_requests_per_connection,
        .connect_timeout_ms = s->cfg.connect_timeout_ms,
        /* as long as a request may wait: unacknowledged sends past it are a dead path */
        .tcp_user_timeout_ms = s->cfg.request_timeout_ms,
        .tls_server_name = s->tls_server_name,
        .tls_verify = cfg->tls_verify,
    };
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    s->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    s->kickfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return s;
}

static int session_init_fds(struct cql_session *s, struct cql_error *err)
{
    if (s->epfd < 0 || s->timerfd < 0 || s->kickfd < 0) {
        cql_error_set(err, CQL_ERR_CONNECT, "cannot create epoll/timer/event fds: %s",
                      strerror(errno));
        return -1;
    }
    epoll_set(s, EPOLL_CTL_ADD, s->timerfd, EPOLLIN, &timer_tag);
    epoll_set(s, EPOLL_CTL_ADD, s->kickfd, EPOLLIN, &kick_tag);
    if (s->cfg.tls) {
        s->tls = cql_tls_context_new(&s->cfg, err);
        if (!s->tls)
            return -1;
        s->conn_cfg.tls = s->tls;
    }
    return 0;
}

/* Tries the contact points in order; returns once one is READY (it becomes the control
 * connection) or all failed. */
static int connect_first(struct cql_session *s, struct cql_error *err)
{
    struct up_buf why = UP_BUF_INIT;
    enum cql_error_code code = CQL_ERR_CONNECT;
    size_t ncontacts = s->nhosts;
    for (size_t i = 0; i < ncontacts && !s->control; i++) {
        struct cql_host *h = s->hosts[i];
        unsigned failures = h->failures;
        open_slot(s, h, &h->slots[0]);
        while (!h->up && h->failures == failures)
            cql_session_poll(s, SETTLE_POLL_MS);
        if (h->up)
            break;
        code = h->last_error.code;
        up_buf_printf(&why, "%s%s", why.len ? "; " : "", h->last_error.message);
        /* failed contact points are retried in the background once the session is up */
        h->next_connect_ms = up_mono_ms() + up_backoff_next_ms(&h->backoff);
    }
    if (!s->control) {
        cql_error_set(err, code, "could not connect to Cassandra at %s: %s", s->contact_points,
                      why.data ? why.data : "no answer");
        up_buf_free(&why);
        return -1;
    }
    up_buf_free(&why);
    return 0;
}

/* Opens every other connection and waits until each has settled (READY or failed) or the
 * connect timeout passed, so the first requests already spread over the pool. */
static void open_pools(struct cql_session *s)
{
    int64_t deadline = up_mono_ms() + s->cfg.connect_timeout_ms;
    size_t n = s->nhosts;
    unsigned *failures = up_xmalloc((n ? n : 1) * sizeof *failures);
    for (size_t i = 0; i < n; i++) {
        struct cql_host *h = s->hosts[i];
        failures[i] = h->failures;
        /* failed contact points keep their backoff; those connect_first never tried (it stops
         * at the first that answers) are opened like any discovered node */
        if (!h->removed && (h->up || !h->contact || h->next_connect_ms == INT64_MAX))
            h->next_connect_ms = 0;
    }
    service_timers(s, up_mono_ms());
    while (up_mono_ms() < deadline) {
        bool pending = false;
        for (size_t i = 0; i < n && !pending; i++) {
            struct cql_host *h = s->hosts[i];
            if (h->removed || h->failures != failures[i])
                continue; /* settled: it failed at least once */
            for (int k = 0; k < h->nslots; k++) {
                struct cql_conn *c = h->slots[k].conn;
                pending |= c && cql_conn_state(c) != CQL_CONN_READY;
            }
        }
        if (!pending)
            break;
        cql_session_poll(s, SETTLE_POLL_MS);
    }
    free(failures);
}

int cql_session_connect(const struct cql_config *config, cql_session **out, struct cql_error *err)
{
    struct cql_error local;
    if (!err)
        err = &local;
    cql_error_clear(err);
    *out = NULL;
    struct cql_session *s = session_new(config);
    if (session_init_fds(s, err) != 0 || add_contact_points(s, err) != 0 ||
        connect_first(s, err) != 0 || cql_topology_discover(s, err) != 0) {
        cql_session_free(s);
        return -1;
    }
    open_pools(s);
    *out = s;
    return 0;
}

static void fail_waiting(struct cql_session *s)
{
    struct cql_error err;
    cql_error_clear(&err);
    cql_error_set(&err, CQL_ERR_SHUTDOWN, "the session was closed");
    while (s->queue.head)
        cql_req_complete(s, s->queue.head, NULL, &err);
    while (s->timers.head)
        cql_req_complete(s, s->timers.head, NULL, &err);
}

void cql_session_free(cql_session *s)
{
    if (!s || s->in_callback)
        return;
    s->closing = true;
    for (size_t i = 0; i < s->nhosts; i++)
        for (int k = 0; k < s->hosts[i]->nslots; k++)
            if (s->hosts[i]->slots[k].conn)
                cql_conn_close(s->hosts[i]->slots[k].conn, CQL_ERR_SHUTDOWN,
                               "the session was closed");
    fail_waiting(s);
    cql_req_run_completions(s);
    free_dead(s);
    for (size_t i = 0; i < s->nhosts; i++)
        cql_host_free(s->hosts[i]);
    free(s->hosts);
    free(s->ring);
    free(s->dirty);
    free(s->dead);
    while (s->pool) {
        struct cql_request *r = s->pool;
        s->pool = r->next;
        cql_encoded_free(&r->enc);
        free(r);
    }
    for (size_t i = 0; i < s->ncache; i++)
        cql_prepared_free(s->cache[i]);
    free(s->cache);
    if (s->tls)
        SSL_CTX_free(s->tls);
    if (s->epfd >= 0)
        close(s->epfd);
    if (s->timerfd >= 0)
        close(s->timerfd);
    if (s->kickfd >= 0)
        close(s->kickfd);
    free(s->contact_points);
    free(s->user);
    free_secret(s->password);
    free(s->keyspace);
    free(s->tls_ca_file);
    free(s->tls_cert_file);
    free(s->tls_key_file);
    free(s->tls_server_name);
    free(s);
}
