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

/* ---- latency and the attempt timeout ------------------------------------------------------ */

/* The attempt timeout never goes below this: a Cassandra node's young-GC pauses and the
 * coordinator's own write timeouts (2 s) stay apart from "no answer", and a re-send costs the
 * cluster a second write. */
#define ATTEMPT_TIMEOUT_FLOOR_MS 1000
/* A node whose attempts time out this many times in a row, with no answer between, is suspect. */
#define SUSPECT_AFTER_TIMEOUTS 2
#define LATENCY_REFRESH        256  /* samples between two p99 estimates */
#define LATENCY_WINDOW         4096 /* beyond this many samples the old ones count half */

/* Quarter-octave buckets: 2^o * (1 + q/4) us, o = 0..24 (16 s). */
static int latency_bucket(int64_t us)
{
    if (us < 1)
        us = 1;
    int octave = 63 - __builtin_clzll((unsigned long long)us);
    int quarter = octave >= 2 ? (int)((us >> (octave - 2)) & 3) : 0;
    int b = octave * 4 + quarter;
    return b < CQL_LATENCY_BUCKETS ? b : CQL_LATENCY_BUCKETS - 1;
}

static int64_t bucket_upper_us(int b)
{
    return ((int64_t)1 << (b / 4)) * (4 + b % 4 + 1) / 4;
}

static void refresh_p99(struct cql_session *s)
{
    s->latency_since = 0;
    if (s->latency_n >= LATENCY_WINDOW) {
        s->latency_n = 0;
        for (int b = 0; b < CQL_LATENCY_BUCKETS; b++)
            s->latency_n += s->latency[b] /= 2;
    }
    uint32_t tail = s->latency_n / 100, seen = 0;
    for (int b = CQL_LATENCY_BUCKETS - 1; b >= 0; b--) {
        seen += s->latency[b];
        if (seen > tail) {
            s->p99_us = bucket_upper_us(b);
            return;
        }
    }
}

static void record_latency(struct cql_session *s, int64_t us)
{
    s->latency[latency_bucket(us)]++;
    s->latency_n++;
    if (++s->latency_since >= LATENCY_REFRESH || s->latency_n < 100)
        refresh_p99(s);
}

int cql_attempt_timeout_ms(const struct cql_session *s)
{
    int64_t ms = s->cfg.attempt_timeout_ms;
    if (ms <= 0) {
        ms = 2 * s->p99_us / 1000;
        if (ms < ATTEMPT_TIMEOUT_FLOOR_MS)
            ms = ATTEMPT_TIMEOUT_FLOOR_MS;
    }
    return (int)(ms < s->cfg.request_timeout_ms ? ms : s->cfg.request_timeout_ms);
}

/* Speculation is earned: each request accepted adds SPEC_EARN hundredths of an attempt (5 %),
 * up to SPEC_BURST attempts, and each speculative attempt spends one; none before
 * SPEC_MIN_SAMPLES answers have set the p99. A cold or saturated cluster, where every request
 * is slower than the delay, is therefore not sent twice the work (a cold stream's first burst
 * speculated on half its writes before this). */
#define SPEC_EARN        5
#define SPEC_BURST       10
#define SPEC_MIN_SAMPLES 100

static bool may_resend(const struct cql_session *s, const struct cql_request *req);

static bool may_speculate(const struct cql_session *s, const struct cql_request *req)
{
    return s->cfg.speculative_delay_ms > 0 && req->kind == CQL_REQ_USER && may_resend(s, req) &&
           req->speculative < s->cfg.speculative_max && s->spec_credit >= 100 &&
           s->latency_n >= SPEC_MIN_SAMPLES;
}

static int64_t speculative_delay_ms(const struct cql_session *s)
{
    int64_t p99 = s->p99_us / 1000;
    return s->cfg.speculative_delay_ms > p99 ? s->cfg.speculative_delay_ms : p99;
}

/* ---- attempts ---------------------------------------------------------------------------- */

static int attempt_on(const struct cql_request *req, const struct cql_slot_conn *slot)
{
    for (int i = 0; i < req->nout; i++)
        if (req->out[i].slot == slot)
            return i;
    return -1;
}

static void drop_attempt(struct cql_request *req, int i)
{
    req->out[i] = req->out[--req->nout];
}

/* Abandons every attempt still out: their stream ids stay reserved until the late answers
 * arrive, which are then dropped (an id is never reused under a live answer). */
static void orphan_attempts(struct cql_request *req)
{
    for (int i = 0; i < req->nout; i++)
        if (req->out[i].slot->conn)
            cql_conn_orphan(req->out[i].slot->conn, req->out[i].stream);
    req->nout = 0;
}

/* Another attempt may go out: an idempotent user request (or a PREPARE), on another node. */
static bool may_resend(const struct cql_session *s, const struct cql_request *req)
{
    return !s->closing && req->nout < CQL_MAX_OUTSTANDING &&
           ((req->kind == CQL_REQ_USER && req->idempotent) || req->kind == CQL_REQ_PREPARE);
}

static int64_t latest_sent(const struct cql_request *req)
{
    int64_t t = 0;
    for (int i = 0; i < req->nout; i++)
        if (req->out[i].sent_ms > t)
            t = req->out[i].sent_ms;
    return t;
}

/* The request's next moment: its deadline, an attempt turning late, a speculative send. */
static void arm(struct cql_session *s, struct cql_request *req)
{
    int64_t at = req->deadline_ms;
    if (req->kind != CQL_REQ_INTERNAL) {
        int64_t to = cql_attempt_timeout_ms(s);
        for (int i = 0; i < req->nout; i++)
            if (!req->out[i].late && req->out[i].sent_ms + to < at)
                at = req->out[i].sent_ms + to;
    }
    if (req->spec_at && req->spec_at < at)
        at = req->spec_at;
    cql_timer_set(s, req, at);
}

/* ---- completion -------------------------------------------------------------------------- */

void cql_req_complete(struct cql_session *s, struct cql_request *req, cql_result *result,
                      const struct cql_error *err)
{
    cql_timer_cancel(s, req);
    if (req->state == CQL_RS_QUEUED)
        cql_list_remove(&s->queue, req);
    orphan_attempts(req);
    req->state = CQL_RS_DONE;
    req->spec_at = 0;
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

/* Puts an attempt of req on slot's connection. false when the connection has no free stream
 * id (or too much unsent output). */
static bool send_on(struct cql_session *s, struct cql_slot_conn *slot, struct cql_request *req,
                    bool speculative)
{
    int16_t stream;
    if (req->nout >= CQL_MAX_OUTSTANDING ||
        cql_conn_send(slot->conn, req->enc.opcode, (const uint8_t *)req->enc.body.data,
                      req->enc.body.len, req, &stream) != 0)
        return false;
    int64_t now = up_mono_ms();
    req->out[req->nout++] =
        (struct cql_attempt){slot, stream, speculative, false, now, ++s->send_seq};
    req->state = CQL_RS_IN_FLIGHT;
    req->last_host = slot->host;
    if (req->kind != CQL_REQ_INTERNAL)
        slot->host->requests++;
    req->spec_at = may_speculate(s, req) ? now + speculative_delay_ms(s) : 0;
    arm(s, req);
    cql_session_mark_dirty(s, slot);
    return true;
}

/* Sends or queues; count: this is a new attempt for the retry budget (not a move). */
static void dispatch(struct cql_session *s, struct cql_request *req, bool count)
{
    if (count) {
        req->attempts++;
        if (req->attempts > 1)
            s->stats.retries++;
    }
    req->reprepared = false;
    cql_encoded_refresh_ids(&req->enc);
    struct cql_slot_conn *slot = s->queue.len ? NULL : cql_session_pick(s, req);
    if (slot && send_on(s, slot, req, false))
        return;
    /* everything busy or down: wait in line, within the request's deadline */
    req->state = CQL_RS_QUEUED;
    cql_list_push(&s->queue, req);
    cql_timer_set(s, req, req->deadline_ms);
}

void cql_req_dispatch(struct cql_session *s, struct cql_request *req)
{
    dispatch(s, req, true);
}

/* One more attempt of an in-flight request on a node it is not on yet (the first answer
 * wins); false when no other node can take it now. */
static bool send_another(struct cql_session *s, struct cql_request *req, bool speculative)
{
    cql_encoded_refresh_ids(&req->enc);
    struct cql_slot_conn *slot = cql_session_pick(s, req);
    if (!slot)
        return false;
    if (speculative) {
        if (!may_speculate(s, req))
            return false;
        req->speculative++;
    }
    if (!send_on(s, slot, req, speculative)) {
        req->speculative -= speculative;
        return false;
    }
    if (speculative) {
        s->spec_credit -= 100;
        s->stats.speculative_sent++;
    } else {
        req->attempts++;
        s->stats.retries++;
    }
    return true;
}

void cql_req_drain_queue(struct cql_session *s)
{
    struct cql_request *req;
    while ((req = s->queue.head) != NULL) {
        struct cql_slot_conn *slot = cql_session_pick(s, req);
        if (!slot)
            return;
        cql_list_remove(&s->queue, req);
        if (!send_on(s, slot, req, false)) {
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
    req->deadline_ms = up_mono_ms() + req->timeout_ms;
    if (!slot->conn || cql_conn_state(slot->conn) != CQL_CONN_READY ||
        !send_on(s, slot, req, false)) {
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
    orphan_attempts(req);
    req->spec_at = 0;
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
    int64_t delay = may_retry ? up_backoff_next_ms(&req->backoff) : 0;
    if (!may_retry || up_mono_ms() + delay >= req->deadline_ms) {
        cql_req_complete(s, req, NULL, err);
        return;
    }
    UP_DEBUG("cql: retrying in %lld ms after %s (%s)", (long long)delay, cql_error_name(err->code),
             err->message);
    req->state = CQL_RS_BACKOFF;
    cql_timer_set(s, req, up_mono_ms() + delay);
}

/* ---- prepared statements on a node: one PREPARE per (node, statement) in flight ---------- */

static struct cql_request *preparing_on(const struct cql_host *h, const struct cql_prepared *p)
{
    for (struct cql_request *c = h->preparing; c; c = c->host_next)
        if (c->target == p)
            return c;
    return NULL;
}

/* Sends PREPARE for p on slot's node unless one is already in flight there; waiter (or NULL)
 * waits for it. false when it could not be sent. */
static bool prepare_on(struct cql_session *s, struct cql_slot_conn *slot, struct cql_prepared *p,
                       struct cql_request *waiter, bool warmup)
{
    struct cql_host *h = slot->host;
    struct cql_request *child = preparing_on(h, p);
    if (!child) {
        child = cql_req_new(s, CQL_REQ_REPREPARE);
        struct cql_error err;
        if (cql_encode_prepare(p->query, &child->enc, &err) != 0) {
            cql_req_release(s, child);
            return false;
        }
        child->target = cql_prepared_ref(p);
        child->host = h;
        /* requests waiting on it move to another replica after the attempt timeout; a node
         * coming up (busy loading, compiling) may take the whole request timeout: better out
         * of the plans a while longer than sent writes before it knows the statement */
        child->timeout_ms = warmup ? s->cfg.request_timeout_ms : cql_attempt_timeout_ms(s);
        child->deadline_ms = up_mono_ms() + child->timeout_ms;
        if (!send_on(s, slot, child, false)) {
            cql_req_release(s, child);
            return false;
        }
        child->host_next = h->preparing;
        h->preparing = child;
        s->stats.reprepares++;
        h->reprepares++;
        UP_INFO("cql: re-preparing on %s (%s): \"%.200s\"", h->label,
                warmup ? "it came up" : "it answered UNPREPARED", p->query);
    } else if (waiter) {
        s->stats.prepare_waits++;
    }
    if (warmup && !child->warmup) {
        child->warmup = true;
        h->warming++;
        s->stats.prepares_on_up++;
    }
    if (waiter) {
        cql_timer_cancel(s, waiter);
        waiter->state = CQL_RS_REPREPARING;
        waiter->wait_next = child->waiters;
        child->waiters = waiter;
    }
    return true;
}

/* The request that was answered UNPREPARED goes again to the node that now knows the
 * statement. */
static void resend_prepared(struct cql_session *s, struct cql_request *req, struct cql_host *h)
{
    cql_encoded_refresh_ids(&req->enc);
    req->reprepared = true;
    struct cql_slot_conn *slot = cql_host_slot(h, true);
    if (slot && send_on(s, slot, req, req->spec_resend))
        return;
    dispatch(s, req, false); /* the same attempt continues elsewhere */
    req->reprepared = true;
}

/* A PREPARE for a waiting request failed on h. The node answered UNPREPARED, so this attempt
 * applied nothing: an idempotent request tries another replica instead of failing. */
static void prepare_failed_for(struct cql_session *s, struct cql_request *req,
                               const struct cql_host *h, const struct cql_error *err)
{
    struct cql_error perr = *err;
    perr.code = CQL_ERR_REPREPARE_FAILED;
    snprintf(perr.host, sizeof perr.host, "%s", h->label);
    snprintf(perr.message, sizeof perr.message, "re-preparing on %s failed: %.400s (%s)", h->label,
             err->message, cql_error_name(err->code));
    if (!s->closing && req->idempotent && req->attempts <= s->cfg.max_retries &&
        up_mono_ms() < req->deadline_ms) {
        UP_DEBUG("cql: %s; trying another replica", perr.message);
        dispatch(s, req, true);
        return;
    }
    if (s->closing)
        perr.code = CQL_ERR_SHUTDOWN;
    cql_req_complete(s, req, NULL, &perr);
}

static void remember_prepared(struct cql_session *s, struct cql_host *h,
                              const struct cql_prepared *p)
{
    unsigned n = sizeof h->prepared_at / sizeof h->prepared_at[0];
    for (unsigned i = 0; i < n; i++)
        if (h->prepared_at[i].p == p) {
            h->prepared_at[i].seq = s->send_seq;
            return;
        }
    h->prepared_at[h->prepared_next % n].p = p;
    h->prepared_at[h->prepared_next % n].seq = s->send_seq;
    h->prepared_next++;
}

/* Was p prepared on h after the attempt sent as sent_seq left? (0: unknown, never) */
static bool prepared_since(const struct cql_host *h, const struct cql_prepared *p,
                           uint64_t sent_seq)
{
    for (size_t i = 0; sent_seq && i < sizeof h->prepared_at / sizeof h->prepared_at[0]; i++)
        if (h->prepared_at[i].p == p)
            return sent_seq <= h->prepared_at[i].seq;
    return false;
}

/* The PREPARE child is over (err NULL: it succeeded): the requests waiting for it go on. */
static void prepare_finished(struct cql_session *s, struct cql_request *child,
                             const struct cql_error *err)
{
    struct cql_host *h = child->host;
    if (!err)
        remember_prepared(s, h, child->target);
    for (struct cql_request **pp = &h->preparing; *pp; pp = &(*pp)->host_next)
        if (*pp == child) {
            *pp = child->host_next;
            break;
        }
    if (child->warmup && --h->warming == 0)
        UP_INFO("cql: %s has every statement prepared: back in query plans", h->label);
    struct cql_request *w = child->waiters;
    child->waiters = NULL;
    cql_req_release(s, child);
    while (w) {
        struct cql_request *next = w->wait_next;
        w->wait_next = NULL;
        if (err)
            prepare_failed_for(s, w, h, err);
        else
            resend_prepared(s, w, h);
        w = next;
    }
    if (h->warming == 0 && s->queue.len)
        cql_req_drain_queue(s);
}

void cql_host_warm_up(struct cql_session *s, struct cql_slot_conn *slot)
{
    for (size_t i = 0; i < s->ncache; i++)
        prepare_on(s, slot, s->cache[i], NULL, true);
}

/* The statement an UNPREPARED answer names (the first of a batch when it names none). */
static struct cql_prepared *unprepared_target(const struct cql_request *req, const uint8_t *id,
                                              size_t id_len)
{
    if (req->enc.nids == 0)
        return NULL;
    struct cql_prepared *target = req->enc.ids[0].prepared;
    for (size_t i = 0; id && i < req->enc.nids; i++) {
        struct cql_prepared *p = req->enc.ids[i].prepared;
        if (p->meta.id_len == id_len && memcmp(p->meta.id, id, id_len) == 0)
            target = p;
    }
    return target;
}

/* ---- node health ------------------------------------------------------------------------- */

/* Moves the idempotent requests on slot's connection to other nodes; their ids stay
 * reserved for the late answers. */
static void move_requests(struct cql_session *s, struct cql_slot_conn *slot)
{
    int live = cql_conn_in_flight(slot->conn);
    if (live <= 0)
        return;
    void **reqs = up_xmalloc((size_t)live * sizeof *reqs);
    size_t n = cql_conn_requests(slot->conn, reqs, (size_t)live);
    for (size_t i = 0; i < n; i++) {
        struct cql_request *req = reqs[i];
        int a = attempt_on(req, slot);
        if (a < 0 || req->state != CQL_RS_IN_FLIGHT || !may_resend(s, req))
            continue;
        cql_conn_orphan(slot->conn, req->out[a].stream);
        drop_attempt(req, a);
        s->stats.moved++;
        if (req->nout == 0) {
            cql_timer_cancel(s, req);
            dispatch(s, req, false);
        } else {
            arm(s, req);
        }
    }
    free(reqs);
}

void cql_host_suspect(struct cql_session *s, struct cql_host *h, const char *why)
{
    if (h->suspect || h->removed || s->closing)
        return;
    h->suspect = true;
    s->stats.suspects++;
    UP_WARN("cql: %s is suspect (%s): out of query plans until it answers", h->label, why);
    bool elsewhere = false; /* a healthy node to move its requests to */
    for (size_t i = 0; i < s->nhosts && !elsewhere; i++)
        elsewhere = s->hosts[i] != h && cql_host_slot(s->hosts[i], false);
    for (int k = 0; k < h->nslots; k++) {
        struct cql_slot_conn *slot = &h->slots[k];
        if (!slot->conn || cql_conn_state(slot->conn) != CQL_CONN_READY)
            continue;
        cql_session_heartbeat(s, slot); /* the probe: its answer brings the node back */
        if (slot->conn && elsewhere)
            move_requests(s, slot);
    }
}

void cql_host_answered(struct cql_session *s, struct cql_host *h)
{
    h->timeouts_in_row = 0;
    if (!h->suspect)
        return;
    h->suspect = false;
    UP_INFO("cql: %s answers again: back in query plans", h->label);
    if (s->queue.len)
        cql_req_drain_queue(s);
}

static void host_timed_out(struct cql_session *s, struct cql_host *h)
{
    h->timeouts++;
    if (++h->timeouts_in_row >= SUSPECT_AFTER_TIMEOUTS) {
        char why[96];
        snprintf(why, sizeof why, "%u attempts in a row without an answer", h->timeouts_in_row);
        cql_host_suspect(s, h, why);
    }
}

/* ---- timeouts ---------------------------------------------------------------------------- */

/* An attempt failed locally (connection lost, timeout). A PREPARE child passes the failure on
 * to the requests waiting for it. */
static void fail_attempt(struct cql_session *s, struct cql_request *req,
                         const struct cql_error *err)
{
    if (req->kind == CQL_REQ_REPREPARE) {
        orphan_attempts(req);
        prepare_finished(s, req, err);
        return;
    }
    cql_req_fail_or_retry(s, req, err);
}

void cql_req_on_conn_lost(struct cql_session *s, struct cql_slot_conn *slot,
                          struct cql_request *req, const struct cql_error *why)
{
    int a = attempt_on(req, slot);
    if (a >= 0)
        drop_attempt(req, a);
    if (req->nout > 0 && req->state == CQL_RS_IN_FLIGHT) { /* another attempt is still out */
        arm(s, req);
        return;
    }
    struct cql_error err = *why;
    err.code = CQL_ERR_CONNECTION_CLOSED;
    fail_attempt(s, req, &err);
}

/* The request's deadline passed: it fails with TIMEOUT (the whole budget is spent). */
static void on_deadline(struct cql_session *s, struct cql_request *req, struct cql_host **late,
                        int *nlate)
{
    struct cql_error err;
    cql_error_clear(&err);
    if (req->state == CQL_RS_QUEUED) {
        cql_list_remove(&s->queue, req);
        req->state = CQL_RS_IDLE;
        bool any_up = false;
        for (size_t i = 0; i < s->nhosts && !any_up; i++)
            any_up = s->hosts[i]->up;
        if (any_up)
            cql_error_set(&err, CQL_ERR_TIMEOUT,
                          "no free connection within %d ms (too many requests in flight, or "
                          "every node suspect)",
                          req->timeout_ms);
        else
            cql_error_set(&err, CQL_ERR_NO_HOSTS,
                          "no node reachable within %d ms; is Cassandra running?", req->timeout_ms);
        fail_attempt(s, req, &err);
        return;
    }
    s->stats.timeouts++;
    struct cql_slot_conn *slot = req->nout ? req->out[0].slot : NULL;
    const char *node = slot ? slot->host->label : "any node";
    snprintf(err.host, sizeof err.host, "%s", slot ? node : "");
    cql_error_set(&err, CQL_ERR_TIMEOUT, "no answer from %s%s within %d ms", node,
                  req->nout > 1 ? " or another node" : "", req->timeout_ms);
    for (int i = 0; i < req->nout; i++)
        if (!req->out[i].late && req->kind != CQL_REQ_INTERNAL) {
            s->stats.attempt_timeouts++;
            late[(*nlate)++] = req->out[i].slot->host;
        }
    if (req->kind == CQL_REQ_INTERNAL && req->enc.opcode == CQL_OP_OPTIONS && slot && slot->conn) {
        /* a node silent this long: drop the connection so its requests move elsewhere */
        cql_conn_orphan(slot->conn, req->out[0].stream);
        req->nout = 0;
        cql_conn_close(slot->conn, CQL_ERR_TIMEOUT, "%s: heartbeat not answered in %d ms",
                       slot->host->label, req->timeout_ms);
    }
    if (req->kind == CQL_REQ_REPREPARE) {
        fail_attempt(s, req, &err);
        return;
    }
    cql_req_complete(s, req, NULL, &err);
}

/* An in-flight request's timer: its deadline, attempts turning late (re-sent to the next
 * node when idempotent), or a speculative attempt due. */
static void on_timer(struct cql_session *s, struct cql_request *req, int64_t now)
{
    struct cql_host *late[CQL_MAX_OUTSTANDING];
    int nlate = 0;
    if (now >= req->deadline_ms) {
        on_deadline(s, req, late, &nlate);
    } else {
        int64_t to = cql_attempt_timeout_ms(s), last = latest_sent(req);
        bool latest_late = false;
        for (int i = 0; i < req->nout; i++) {
            struct cql_attempt *a = &req->out[i];
            if (a->late || now < a->sent_ms + to)
                continue;
            a->late = true;
            s->stats.attempt_timeouts++;
            late[nlate++] = a->slot->host;
            latest_late |= a->sent_ms == last;
        }
        if (latest_late && may_resend(s, req) && req->attempts <= s->cfg.max_retries) {
            send_another(s, req, false);
        } else if (req->spec_at && now >= req->spec_at) {
            req->spec_at = 0;
            send_another(s, req, true);
        }
        arm(s, req);
    }
    /* last: a node turning suspect moves requests, this one included */
    for (int i = 0; i < nlate; i++)
        host_timed_out(s, late[i]);
}

void cql_req_expire(struct cql_session *s, int64_t now_ms)
{
    while (s->timers.head && s->timers.head->timer_at <= now_ms) {
        struct cql_request *req = s->timers.head;
        cql_timer_cancel(s, req);
        switch (req->state) {
        case CQL_RS_BACKOFF:
            if (now_ms >= req->deadline_ms) {
                struct cql_host *none[CQL_MAX_OUTSTANDING];
                int n = 0;
                on_deadline(s, req, none, &n);
            } else {
                cql_req_dispatch(s, req);
            }
            break;
        case CQL_RS_QUEUED:
        case CQL_RS_IN_FLIGHT:
            on_timer(s, req, now_ms);
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

/* A PREPARE child came back: refresh the id, and let its waiters go on. */
static void reprepare_done(struct cql_session *s, struct cql_slot_conn *slot,
                           struct cql_request *child, const struct cql_frame *f)
{
    struct cql_error err;
    cql_error_clear(&err);
    cql_result *r = NULL;
    if (f->opcode == CQL_OP_ERROR) {
        cql_error_parse(f->body, f->len, f->flags, &err, NULL, NULL);
        slot->host->errors++;
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
    orphan_attempts(child);
    prepare_finished(s, child, err.code == CQL_OK ? NULL : &err);
}

/* UNPREPARED on slot: PREPARE the statement the node forgot there (or wait for the PREPARE
 * already in flight), and park the request until it answers. */
static bool start_reprepare(struct cql_session *s, struct cql_slot_conn *slot,
                            struct cql_request *req, const uint8_t *id, size_t id_len,
                            uint64_t sent_seq)
{
    struct cql_prepared *target = unprepared_target(req, id, id_len);
    if (req->reprepared || !target)
        return false;
    /* other attempts still out (a slow or silent node) are given up: this node answered, and
     * answers once it has the statement again */
    orphan_attempts(req);
    req->spec_at = 0;
    if (prepared_since(slot->host, target, sent_seq)) {
        s->stats.prepare_waits++;
        resend_prepared(s, req, slot->host);
        return true;
    }
    return prepare_on(s, slot, target, req, false);
}

static void error_from_frame(struct cql_session *s, struct cql_slot_conn *slot,
                             struct cql_request *req, const struct cql_frame *f, uint64_t sent_seq)
{
    struct cql_error err;
    const uint8_t *id;
    size_t id_len;
    cql_error_parse(f->body, f->len, f->flags, &err, &id, &id_len);
    snprintf(err.host, sizeof err.host, "%s", slot->host->label);
    s->stats.server_errors++;
    slot->host->errors++;
    if (err.code == CQL_ERR_UNPREPARED && start_reprepare(s, slot, req, id, id_len, sent_seq))
        return;
    if (err.code == CQL_ERR_UNPREPARED && req->reprepared) {
        char msg[sizeof err.message];
        snprintf(msg, sizeof msg, "%s still answers UNPREPARED after a re-prepare: %.400s",
                 slot->host->label, err.message);
        snprintf(err.message, sizeof err.message, "%s", msg);
        err.code = CQL_ERR_REPREPARE_FAILED;
    }
    if (req->nout > 0 && cql_error_is_retryable(err.code)) { /* another attempt may answer */
        arm(s, req);
        return;
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
    int a = attempt_on(req, slot);
    struct cql_attempt answered = {0};
    if (a >= 0) {
        answered = req->out[a];
        drop_attempt(req, a);
    }
    if (req->nout == 0)
        req->state = CQL_RS_IDLE;
    if (req->kind == CQL_REQ_REPREPARE) {
        reprepare_done(s, slot, req, f);
        return;
    }
    if (req->kind != CQL_REQ_INTERNAL && answered.slot)
        record_latency(s, (up_mono_ms() - answered.sent_ms) * 1000);
    switch (f->opcode) {
    case CQL_OP_RESULT:
        if (answered.speculative)
            s->stats.speculative_won++;
        result_from_frame(s, slot, req, f);
        return;
    case CQL_OP_ERROR:
        req->spec_resend = answered.speculative; /* if re-sent after a re-prepare */
        error_from_frame(s, slot, req, f, answered.seq);
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
    req->deadline_ms = up_mono_ms() + req->timeout_ms;
    if (s->spec_credit < SPEC_BURST * 100)
        s->spec_credit += SPEC_EARN;
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
