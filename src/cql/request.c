/* request: the life of one request in a session: submit, route, send or queue, time out,
 * retry with backoff (idempotent only), re-prepare on UNPREPARED, complete, call back. */
#include "cql/session_int.h"

#include "core/clock.h"
#include "core/log.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define POOL_MAX 4096

/* ---- lists and timers --------------------------------------------------------------------- */

void cql_list_push(struct cql_req_list *l, struct cql_request *req)
{
    req->next = NULL;
    req->prev = l->tail;
    if (l->tail)
        l->tail->next = req;
    else
        l->head = req;
    l->tail = req;
    l->len++;
}

void cql_list_remove(struct cql_req_list *l, struct cql_request *req)
{
    if (req->prev)
        req->prev->next = req->next;
    else
        l->head = req->next;
    if (req->next)
        req->next->prev = req->prev;
    else
        l->tail = req->prev;
    req->next = req->prev = NULL;
    l->len--;
}

/* Timers are kept in a list ordered by timer_at. Nearly every timer is "now + the request
 * timeout", so a new one belongs at the tail: the insertion walks back from the tail (one step
 * in the common case; backoff waits, which are shorter, walk further) and cancelling, which
 * every response does, is O(1), where a heap paid log n cache misses per response. */
void cql_timer_set(struct cql_session *s, struct cql_request *req, int64_t at)
{
    cql_timer_cancel(s, req);
    req->timer_at = at;
    struct cql_request *before = s->timers.tail;
    while (before && before->timer_at > at)
        before = before->timer_prev;
    req->timer_prev = before;
    req->timer_next = before ? before->timer_next : s->timers.head;
    if (req->timer_next)
        req->timer_next->timer_prev = req;
    else
        s->timers.tail = req;
    if (before)
        before->timer_next = req;
    else
        s->timers.head = req;
    req->timer_set = true;
    s->timers.len++;
}

void cql_timer_cancel(struct cql_session *s, struct cql_request *req)
{
    if (!req->timer_set)
        return;
    if (req->timer_prev)
        req->timer_prev->timer_next = req->timer_next;
    else
        s->timers.head = req->timer_next;
    if (req->timer_next)
        req->timer_next->timer_prev = req->timer_prev;
    else
        s->timers.tail = req->timer_prev;
    req->timer_next = req->timer_prev = NULL;
    req->timer_set = false;
    s->timers.len--;
}

/* ---- allocation -------------------------------------------------------------------------- */

struct cql_request *cql_req_new(struct cql_session *s, enum cql_req_kind kind)
{
    struct cql_request *req = s->pool;
    struct cql_encoded enc = {0};
    if (req) {
        s->pool = req->next;
        s->npool--;
        enc = req->enc; /* keep the body's capacity */
    } else {
        req = up_xmalloc(sizeof *req);
    }
    memset(req, 0, sizeof *req);
    req->enc = enc;
    req->kind = kind;
    req->timeout_ms = s->cfg.request_timeout_ms;
    up_backoff_init(&req->backoff, s->cfg.retry_base_ms, s->cfg.retry_max_ms);
    return req;
}

void cql_req_release(struct cql_session *s, struct cql_request *req)
{
    cql_timer_cancel(s, req);
    cql_encoded_reset(&req->enc);
    if (req->result)
        cql_result_free(req->result);
    free(req->error);
    cql_prepared_free(req->prepared_out);
    cql_prepared_free(req->target);
    free(req->query);
    req->result = NULL;
    req->error = NULL;
    req->prepared_out = NULL;
    req->target = NULL;
    req->query = NULL;
    if (s->npool < POOL_MAX) {
        req->next = s->pool;
        s->pool = req;
        s->npool++;
    } else {
        cql_encoded_free(&req->enc);
        free(req);
    }
}

/* ---- completion -------------------------------------------------------------------------- */

void cql_req_complete(struct cql_session *s, struct cql_request *req, cql_result *result,
                      const struct cql_error *err)
{
    cql_timer_cancel(s, req);
    if (req->state == CQL_RS_QUEUED)
        cql_list_remove(&s->queue, req);
    req->state = CQL_RS_DONE;
    req->slot = NULL;
    req->result = result;
    if (err) { /* internal requests may complete with neither: a bare acknowledgement */
        req->error = up_xmalloc(sizeof *req->error);
        *req->error = *err;
    }
    cql_list_push(&s->done, req);
}

/* A request's completion for the caller: user callbacks see results or errors; prepare
 * callbacks get a prepared reference; internal ones see everything. */
static void call_back(struct cql_session *s, struct cql_request *req)
{
    if (req->kind == CQL_REQ_INTERNAL) {
        if (req->icb)
            req->icb(s, req, req->result, req->error);
        return;
    }
    s->in_flight--;
    if (req->error)
        s->stats.completed_error++;
    else
        s->stats.completed_ok++;
    s->in_callback = true;
    if (req->kind == CQL_REQ_PREPARE) {
        struct cql_prepared *p = req->prepared_out;
        req->prepared_out = NULL;
        req->pcb(req->opaque, p, req->error);
    } else {
        req->cb(req->opaque, req->result, req->error);
    }
    s->in_callback = false;
}

int cql_req_run_completions(struct cql_session *s)
{
    int ran = 0;
    struct cql_request *req;
    while ((req = s->done.head) != NULL) {
        cql_list_remove(&s->done, req);
        bool counted = req->kind != CQL_REQ_INTERNAL;
        call_back(s, req);
        cql_req_release(s, req);
        ran += counted;
    }
    return ran;
}

/* ---- dispatch ---------------------------------------------------------------------------- */

static int64_t attempt_deadline(const struct cql_request *req)
{
    return up_mono_ms() + (req->timeout_ms > 0 ? req->timeout_ms : 12000);
}

/* Puts req on slot's connection. false when the connection has no free stream id. */
static bool send_on(struct cql_session *s, struct cql_slot_conn *slot, struct cql_request *req)
{
    if (cql_conn_send(slot->conn, req->enc.opcode, (const uint8_t *)req->enc.body.data,
                      req->enc.body.len, req, &req->stream) != 0)
        return false;
    req->state = CQL_RS_IN_FLIGHT;
    req->slot = slot;
    req->last_host = slot->host;
    if (req->kind != CQL_REQ_INTERNAL)
        slot->host->requests++;
    cql_timer_set(s, req, attempt_deadline(req));
    cql_session_mark_dirty(s, slot);
    return true;
}

void cql_req_dispatch(struct cql_session *s, struct cql_request *req)
{
    req->attempts++;
    if (req->attempts > 1)
        s->stats.retries++;
    req->reprepared = false;
    cql_encoded_refresh_ids(&req->enc);
    struct cql_slot_conn *slot = s->queue.len ? NULL : cql_session_pick(s, req);
    if (slot && send_on(s, slot, req))
        return;
    /* everything busy or down: wait in line, within this attempt's deadline */
    req->state = CQL_RS_QUEUED;
    cql_list_push(&s->queue, req);
    cql_timer_set(s, req, attempt_deadline(req));
}

void cql_req_drain_queue(struct cql_session *s)
{
    struct cql_request *req;
    while ((req = s->queue.head) != NULL) {
        struct cql_slot_conn *slot = cql_session_pick(s, req);
        if (!slot)
            return;
        cql_list_remove(&s->queue, req);
        if (!send_on(s, slot, req)) {
            req->state = CQL_RS_QUEUED;
            cql_list_push(&s->queue, req);
            return;
        }
    }
}

void cql_req_internal(struct cql_session *s, struct cql_slot_conn *slot, uint8_t opcode,
                      const uint8_t *body, size_t len, cql_internal_cb icb, void *opaque)
{
    struct cql_request *req = cql_req_new(s, CQL_REQ_INTERNAL);
    req->enc.opcode = opcode;
    up_buf_append(&req->enc.body, body, len);
    req->icb = icb;
    req->opaque = opaque;
    req->pinned = slot;
    req->attempts = 1;
    if (!slot->conn || cql_conn_state(slot->conn) != CQL_CONN_READY || !send_on(s, slot, req)) {
        struct cql_error err;
        cql_error_clear(&err);
        cql_error_set(&err, CQL_ERR_NO_HOSTS, "connection to %s is not available",
                      slot->host->label);
        cql_req_complete(s, req, NULL, &err);
    }
}

/* ---- failures and retries ---------------------------------------------------------------- */

void cql_req_fail_or_retry(struct cql_session *s, struct cql_request *req,
                           const struct cql_error *err)
{
    cql_timer_cancel(s, req);
    req->slot = NULL;
    if (s->closing) {
        struct cql_error shut = *err;
        shut.code = CQL_ERR_SHUTDOWN;
        snprintf(shut.message, sizeof shut.message, "the session was closed");
        cql_req_complete(s, req, NULL, &shut);
        return;
    }
    bool may_retry = req->kind != CQL_REQ_INTERNAL && req->kind != CQL_REQ_REPREPARE &&
                     (req->idempotent || req->kind == CQL_REQ_PREPARE) &&
                     cql_error_is_retryable(err->code) && req->attempts <= s->cfg.max_retries;
    if (!may_retry) {
        cql_req_complete(s, req, NULL, err);
        return;
    }
    int64_t delay = up_backoff_next_ms(&req->backoff);
    UP_DEBUG("cql: retrying in %lld ms after %s (%s)", (long long)delay, cql_error_name(err->code),
             err->message);
    req->state = CQL_RS_BACKOFF;
    cql_timer_set(s, req, up_mono_ms() + delay);
}

/* An attempt failed locally (connection lost, timeout). A re-prepare child passes the failure
 * on to the request waiting for it. */
static void fail_attempt(struct cql_session *s, struct cql_request *req,
                         const struct cql_error *err)
{
    if (req->kind == CQL_REQ_REPREPARE) {
        struct cql_request *parent = req->parent;
        cql_req_release(s, req);
        cql_req_fail_or_retry(s, parent, err);
        return;
    }
    cql_req_fail_or_retry(s, req, err);
}

void cql_req_on_conn_lost(struct cql_session *s, struct cql_request *req,
                          const struct cql_error *why)
{
    struct cql_error err = *why;
    err.code = CQL_ERR_CONNECTION_CLOSED;
    fail_attempt(s, req, &err);
}

static void on_timeout(struct cql_session *s, struct cql_request *req)
{
    struct cql_error err;
    cql_error_clear(&err);
    if (req->state == CQL_RS_QUEUED) {
        cql_list_remove(&s->queue, req);
        bool any_up = false;
        for (size_t i = 0; i < s->nhosts && !any_up; i++)
            any_up = s->hosts[i]->up;
        if (any_up)
            cql_error_set(&err, CQL_ERR_TIMEOUT,
                          "no free connection within %d ms (too many requests in flight)",
                          req->timeout_ms);
        else
            cql_error_set(&err, CQL_ERR_NO_HOSTS,
                          "no node reachable within %d ms; is Cassandra running?", req->timeout_ms);
    } else {
        s->stats.timeouts++;
        snprintf(err.host, sizeof err.host, "%s", req->slot->host->label);
        cql_error_set(&err, CQL_ERR_TIMEOUT, "no answer from %s within %d ms",
                      req->slot->host->label, req->timeout_ms);
        struct cql_slot_conn *slot = req->slot;
        cql_conn_orphan(slot->conn, req->stream);
        if (req->kind == CQL_REQ_INTERNAL && req->enc.opcode == CQL_OP_OPTIONS) {
            /* a silent node: drop the connection so its requests move elsewhere */
            cql_conn_close(slot->conn, CQL_ERR_TIMEOUT, "%s: heartbeat not answered in %d ms",
                           slot->host->label, req->timeout_ms);
        }
    }
    req->state = CQL_RS_IDLE;
    fail_attempt(s, req, &err);
}

void cql_req_expire(struct cql_session *s, int64_t now_ms)
{
    while (s->timers.head && s->timers.head->timer_at <= now_ms) {
        struct cql_request *req = s->timers.head;
        cql_timer_cancel(s, req);
        switch (req->state) {
        case CQL_RS_BACKOFF:
            cql_req_dispatch(s, req);
            break;
        case CQL_RS_QUEUED:
        case CQL_RS_IN_FLIGHT:
            on_timeout(s, req);
            break;
        default:
            break;
        }
    }
}

/* ---- responses --------------------------------------------------------------------------- */

static void result_from_frame(struct cql_session *s, struct cql_slot_conn *slot,
                              struct cql_request *req, const struct cql_frame *f)
{
    cql_result *r;
    struct cql_error err;
    cql_error_clear(&err);
    if (cql_result_parse(f->body, f->len, f->flags, &r, &err) != 0) {
        snprintf(err.host, sizeof err.host, "%s", slot->host->label);
        cql_req_complete(s, req, NULL, &err);
        return;
    }
    snprintf(r->host, sizeof r->host, "%s", slot->host->label);
    if (req->kind == CQL_REQ_PREPARE) {
        if (r->kind != CQL_RESULT_PREPARED || !r->prepared) {
            cql_error_set(&err, CQL_ERR_PROTOCOL, "PREPARE answered with result kind %d",
                          (int)r->kind);
            cql_result_free(r);
            cql_req_complete(s, req, NULL, &err);
            return;
        }
        req->prepared_out = cql_prepared_ref(cql_cache_insert(s, req->query, r->prepared));
    }
    cql_req_complete(s, req, r, NULL);
}

/* A child PREPARE came back: refresh the id and send the parent again, on the same node. */
static void reprepare_done(struct cql_session *s, struct cql_slot_conn *slot,
                           struct cql_request *child, const struct cql_frame *f)
{
    struct cql_request *parent = child->parent;
    struct cql_error err;
    cql_error_clear(&err);
    cql_result *r = NULL;
    if (f->opcode == CQL_OP_ERROR) {
        cql_error_parse(f->body, f->len, f->flags, &err, NULL, NULL);
    } else if (cql_result_parse(f->body, f->len, f->flags, &r, &err) == 0 &&
               r->kind == CQL_RESULT_PREPARED && r->prepared) {
        struct cql_prepared_meta *m = r->prepared;
        memcpy(child->target->meta.id, m->id, m->id_len);
        child->target->meta.id_len = m->id_len;
    } else if (err.code == CQL_OK) {
        cql_error_set(&err, CQL_ERR_PROTOCOL, "PREPARE answered with something else");
    }
    if (r)
        cql_result_free(r);
    cql_req_release(s, child);
    if (err.code != CQL_OK) {
        struct cql_error perr = err;
        perr.code = CQL_ERR_REPREPARE_FAILED;
        snprintf(perr.host, sizeof perr.host, "%s", slot->host->label);
        snprintf(perr.message, sizeof perr.message, "re-preparing on %s failed: %.400s (%s)",
                 slot->host->label, err.message, cql_error_name(err.code));
        cql_req_complete(s, parent, NULL, &perr);
        return;
    }
    cql_encoded_refresh_ids(&parent->enc);
    parent->reprepared = true;
    if (slot->conn && cql_conn_state(slot->conn) == CQL_CONN_READY && send_on(s, slot, parent))
        return;
    parent->attempts--; /* the same attempt continues elsewhere */
    cql_req_dispatch(s, parent);
}

/* UNPREPARED on slot: send PREPARE for the statement the node forgot, on the same
 * connection, and park the request until it answers. */
static bool start_reprepare(struct cql_session *s, struct cql_slot_conn *slot,
                            struct cql_request *req, const uint8_t *id, size_t id_len)
{
    if (req->reprepared || req->enc.nids == 0)
        return false;
    struct cql_prepared *target = req->enc.ids[0].prepared;
    for (size_t i = 0; id && i < req->enc.nids; i++) {
        struct cql_prepared *p = req->enc.ids[i].prepared;
        if (p->meta.id_len == id_len && memcmp(p->meta.id, id, id_len) == 0)
            target = p;
    }
    struct cql_request *child = cql_req_new(s, CQL_REQ_REPREPARE);
    struct cql_error err;
    if (cql_encode_prepare(target->query, &child->enc, &err) != 0) {
        cql_req_release(s, child);
        return false;
    }
    child->target = cql_prepared_ref(target);
    child->parent = req;
    child->timeout_ms = req->timeout_ms;
    if (!send_on(s, slot, child)) {
        cql_req_release(s, child);
        return false;
    }
    s->stats.reprepares++;
    slot->host->reprepares++;
    UP_DEBUG("cql: %s forgot a prepared statement; re-preparing \"%s\"", slot->host->label,
             target->query);
    req->state = CQL_RS_REPREPARING;
    req->slot = NULL;
    cql_timer_cancel(s, req);
    return true;
}

static void error_from_frame(struct cql_session *s, struct cql_slot_conn *slot,
                             struct cql_request *req, const struct cql_frame *f)
{
    struct cql_error err;
    const uint8_t *id;
    size_t id_len;
    cql_error_parse(f->body, f->len, f->flags, &err, &id, &id_len);
    snprintf(err.host, sizeof err.host, "%s", slot->host->label);
    s->stats.server_errors++;
    slot->host->errors++;
    if (err.code == CQL_ERR_UNPREPARED && start_reprepare(s, slot, req, id, id_len))
        return;
    if (err.code == CQL_ERR_UNPREPARED && req->reprepared) {
        char msg[sizeof err.message];
        snprintf(msg, sizeof msg, "%s still answers UNPREPARED after a re-prepare: %.400s",
                 slot->host->label, err.message);
        snprintf(err.message, sizeof err.message, "%s", msg);
        err.code = CQL_ERR_REPREPARE_FAILED;
    }
    cql_req_fail_or_retry(s, req, &err);
}

static void unexpected_answer(struct cql_session *s, struct cql_slot_conn *slot,
                              struct cql_request *req, uint8_t opcode)
{
    struct cql_error err;
    cql_error_clear(&err);
    cql_error_set(&err, CQL_ERR_PROTOCOL, "unexpected %s answer", cql_opcode_name(opcode));
    snprintf(err.host, sizeof err.host, "%s", slot->host->label);
    cql_req_complete(s, req, NULL, &err);
}

void cql_req_on_response(struct cql_session *s, struct cql_slot_conn *slot, struct cql_request *req,
                         const struct cql_frame *f)
{
    cql_timer_cancel(s, req);
    req->state = CQL_RS_IDLE;
    if (req->kind == CQL_REQ_REPREPARE) {
        reprepare_done(s, slot, req, f);
        return;
    }
    switch (f->opcode) {
    case CQL_OP_RESULT:
        result_from_frame(s, slot, req, f);
        return;
    case CQL_OP_ERROR:
        error_from_frame(s, slot, req, f);
        return;
    case CQL_OP_READY:     /* REGISTER's answer */
    case CQL_OP_SUPPORTED: /* a heartbeat's answer */
        if (req->kind == CQL_REQ_INTERNAL)
            cql_req_complete(s, req, NULL, NULL);
        else
            unexpected_answer(s, slot, req, f->opcode);
        return;
    default:
        unexpected_answer(s, slot, req, f->opcode);
    }
}

/* ---- public submission ------------------------------------------------------------------- */

static int refuse(struct cql_error *err, enum cql_error_code code, const char *msg)
{
    if (err) {
        cql_error_clear(err);
        cql_error_set(err, code, "%s", msg);
    }
    return -1;
}

/* Common checks; -1 when the session cannot take another request now. */
static int admit(struct cql_session *s, struct cql_error *err)
{
    if (s->queue.len >= (size_t)s->cfg.max_queued)
        return refuse(err, CQL_ERR_QUEUE_FULL,
                      "too many requests waiting for a connection: poll, then submit again");
    return 0;
}

static void accept_request(struct cql_session *s, struct cql_request *req)
{
    s->stats.requests++;
    s->in_flight++;
    cql_req_dispatch(s, req);
    if (!s->in_poll)
        cql_session_kick(s);
}

static void set_routing(struct cql_request *req, const struct cql_statement *st)
{
    struct up_buf key = UP_BUF_INIT;
    if (cql_statement_routing_key(st, &key)) {
        req->has_token = true;
        req->token = cql_murmur3_token((const uint8_t *)key.data, key.len);
    }
    up_buf_free(&key);
}

/* The shared tail of execute and batch: encode, take the options, route, accept. */
static int submit_user(struct cql_session *s, const struct cql_statement *st,
                       const struct cql_batch *b, cql_result_cb cb, void *opaque,
                       struct cql_error *err)
{
    if ((!st && !b) || !cb)
        return refuse(err, CQL_ERR_BAD_PARAMS,
                      "a statement (or batch) and a callback are required");
    if (admit(s, err) != 0)
        return -1;
    struct cql_request *req = cql_req_new(s, CQL_REQ_USER);
    int rc = st ? cql_encode_statement(st, &s->defaults, &req->enc, err)
                : cql_encode_batch(b, &s->defaults, &req->enc, err);
    if (rc != 0) {
        cql_req_release(s, req);
        return -1;
    }
    req->cb = cb;
    req->opaque = opaque;
    req->idempotent = st ? st->idempotent : b->idempotent;
    int timeout = st ? st->timeout_ms : b->timeout_ms;
    if (timeout > 0)
        req->timeout_ms = timeout;
    if (st)
        set_routing(req, st);
    for (size_t i = 0; b && i < b->n && !req->has_token; i++)
        set_routing(req, b->entries[i]);
    accept_request(s, req);
    return 0;
}

int cql_session_execute(cql_session *s, const cql_statement *st, cql_result_cb cb, void *opaque,
                        struct cql_error *err)
{
    return submit_user(s, st, NULL, cb, opaque, err);
}

int cql_session_query(cql_session *s, const char *cql, cql_result_cb cb, void *opaque,
                      struct cql_error *err)
{
    if (!cql)
        return refuse(err, CQL_ERR_BAD_PARAMS, "no query text");
    cql_statement *st = cql_statement_new(cql, 0);
    int rc = submit_user(s, st, NULL, cb, opaque, err);
    cql_statement_free(st);
    return rc;
}

int cql_session_execute_batch(cql_session *s, const cql_batch *b, cql_result_cb cb, void *opaque,
                              struct cql_error *err)
{
    return submit_user(s, NULL, b, cb, opaque, err);
}

int cql_session_prepare(cql_session *s, const char *cql, cql_prepare_cb cb, void *opaque,
                        struct cql_error *err)
{
    if (!cql || !cb)
        return refuse(err, CQL_ERR_BAD_PARAMS, "query text and callback are required");
    if (admit(s, err) != 0)
        return -1;
    struct cql_request *req = cql_req_new(s, CQL_REQ_PREPARE);
    req->pcb = cb;
    req->opaque = opaque;
    req->query = up_xstrdup(cql);
    struct cql_prepared *cached = cql_cache_find(s, cql);
    if (cached) { /* answered from the cache, still through the poll loop */
        s->stats.requests++;
        s->in_flight++;
        req->prepared_out = cql_prepared_ref(cached);
        req->state = CQL_RS_DONE;
        cql_list_push(&s->done, req);
        if (!s->in_poll)
            cql_session_kick(s);
        return 0;
    }
    if (cql_encode_prepare(cql, &req->enc, err) != 0) {
        cql_req_release(s, req);
        return -1;
    }
    accept_request(s, req);
    return 0;
}
