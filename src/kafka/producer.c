/* kafka/producer: idempotent librdkafka producer with delivery accounting. */
#include "kafka/producer.h"

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "kafka/config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* linger.ms 50: the librdkafka manual's advice for throughput (>= 50 ms); batches of
 * up to 10,000 messages compress well with lz4. Idempotence implies acks=all and
 * retries=INT32_MAX; acks is set explicitly so that a conflicting -X acks=1 fails at start
 * instead of weakening the guarantee.
 * One ProduceRequest in flight per broker, not idempotence's usual 5: with two in flight,
 * a first batch refused as not written (NOT_LEADER_OR_FOLLOWER on a partition that is not
 * ready yet) can be overtaken by the next one; a broker that holds no state for this
 * producer on the partition accepts that batch whatever its sequence, and librdkafka (2.0.2
 * and later) then reports the refused batch delivered, "implicitly acked", without writing
 * it. Captured and measured in docs/kafka-delivery.md; the cost is a few per cent of
 * throughput, as requests carry bigger batches.
 * socket.timeout.ms 10 s, not 60: it caps how long one ProduceRequest waits for its answer,
 * and with one in flight a broker that went silent (paused, cut off) holds its partitions'
 * records that long although the controller gave them a new leader within
 * broker.session.timeout.ms; measured in kafka_isolate, a 30 s cut held them 55 s. A timed-out
 * request is retried with the same sequence numbers, so the new leader writes each record
 * once (docs/cluster.md, "Kafka failover"). */
const char *const up_producer_defaults[] = {
    "enable.idempotence",
    "true",
    "acks",
    "all",
    "max.in.flight.requests.per.connection",
    "1",
    "compression.type",
    "lz4",
    "linger.ms",
    "50",
    "batch.num.messages",
    "10000",
    "queue.buffering.max.kbytes",
    "262144",
    "socket.timeout.ms",
    "10000",
    NULL,
};

#define MAX_TOPICS 8

struct up_producer {
    rd_kafka_t *rk;
    up_delivery_fn on_delivery;
    void *ctx;
    bool (*should_stop)(void *ctx);
    struct {
        char *name;
        rd_kafka_topic_t *rkt;
    } topics[MAX_TOPICS];
    size_t ntopics;
    _Atomic uint64_t sent, delivered, failed, unconfirmed_count;
    /* The batch being reported after a duplicate-sequence report (see unconfirmed_delivery);
     * reports arrive on the polling thread only. */
    struct {
        const rd_kafka_topic_t *rkt;
        int32_t partition;
        bool active;              /* the last report was unconfirmed */
        int64_t next_fake_offset; /* after a duplicate-sequence report; -1: none */
    } unconfirmed;
    pthread_mutex_t lock; /* guards the two error texts (callbacks may come from any thread) */
    char fatal[1024];
    char last_error[512];
    int last_error_code;
    atomic_bool is_fatal;
};

/* A success without an offset is not a delivery. librdkafka gives one in two cases: a batch
 * "implicitly acked" because a later batch succeeded (offset RD_KAFKA_OFFSET_INVALID), and a
 * DUPLICATE_SEQUENCE_NUMBER answer (offset -1, then 0, 1, ... for the batch's next messages:
 * those are told apart by nothing, so the whole batch is one unconfirmed run). Neither says
 * the message is in the log: the first is how records were lost (docs/kafka-delivery.md), and
 * one ProduceRequest in flight (the default above) rules it out. With -X raising that
 * limit, such a report becomes a failure, never a silent success and never a blind resend
 * that would write the message twice when it was there after all. */
static bool unconfirmed_delivery(struct up_producer *p, const rd_kafka_message_t *m)
{
    if (m->err || !m->rkt)
        return false;
    bool same_run = p->unconfirmed.active && p->unconfirmed.rkt == m->rkt &&
                    p->unconfirmed.partition == m->partition;
    if (m->offset < 0) {
        if (!same_run)
            UP_WARN("kafka: %s [%d]: librdkafka reported messages delivered without an offset "
                    "(%s): not confirmed in the log, so counted as failed; "
                    "max.in.flight.requests.per.connection=1 (the default) prevents this",
                    rd_kafka_topic_name(m->rkt), (int)m->partition,
                    m->offset == -1 ? "a duplicate-sequence answer" : "implicitly acknowledged");
        p->unconfirmed.active = true;
        p->unconfirmed.rkt = m->rkt;
        p->unconfirmed.partition = m->partition;
        p->unconfirmed.next_fake_offset = m->offset == -1 ? 0 : -1;
        return true;
    }
    if (same_run && m->offset == p->unconfirmed.next_fake_offset) {
        p->unconfirmed.next_fake_offset++;
        return true;
    }
    p->unconfirmed.active = false;
    return false;
}

static void on_delivery_report(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    struct up_producer *p = opaque;
    bool unconfirmed = unconfirmed_delivery(p, m);
    rd_kafka_resp_err_t err = unconfirmed ? UP_DELIVERY_UNCONFIRMED : m->err;
    if (unconfirmed)
        atomic_fetch_add(&p->unconfirmed_count, 1);
    if (err)
        atomic_fetch_add(&p->failed, 1);
    else
        atomic_fetch_add(&p->delivered, 1);
    if (!p->on_delivery)
        return;
    struct up_delivery d = {
        .err = err,
        .topic = m->rkt ? rd_kafka_topic_name(m->rkt) : "",
        .partition = m->partition,
        .offset = m->offset,
        .latency_us = rd_kafka_message_latency(m),
        .opaque = m->_private,
    };
    p->on_delivery(p->ctx, &d);
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    struct up_producer *p = opaque;
    char config_error[1024];
    /* a refused login or a certificate that does not verify: librdkafka would retry it
     * forever, and only new settings can cure it */
    bool config = up_kafka_config_error(rk, err, reason, false, config_error, sizeof config_error);
    pthread_mutex_lock(&p->lock);
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char why[400];
        rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, why, sizeof why);
        snprintf(p->fatal, sizeof p->fatal, "fatal Kafka producer error %s: %s",
                 rd_kafka_err2name(orig), why);
        atomic_store(&p->is_fatal, true);
    } else if (config && !atomic_load(&p->is_fatal)) {
        snprintf(p->fatal, sizeof p->fatal, "%s", config_error);
        atomic_store(&p->is_fatal, true);
    }
    /* "1/1 brokers are down" follows the error that says why: keep that one */
    if (err != RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || !p->last_error[0]) {
        snprintf(p->last_error, sizeof p->last_error, "%s", reason);
        p->last_error_code = err;
    }
    pthread_mutex_unlock(&p->lock);
    /* Transport errors are already in librdkafka's own log lines (on_log); repeat only
     * what changes the outlook. */
    if (err == RD_KAFKA_RESP_ERR__FATAL || config)
        UP_ERROR("%s", config ? config_error : p->fatal);
    else if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        UP_WARN("kafka: %s: messages wait in the queue until a broker is back", reason);
    else
        UP_DEBUG("kafka: %s (%s)", reason, rd_kafka_err2name((rd_kafka_resp_err_t)err));
}

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    /* syslog levels. librdkafka's errors (0-3) are mostly transient connection
     * failures it retries by itself, so they are warnings here; notices and info
     * (5-6) are chatter about PIDs and leaders. */
    enum up_log_level l = level <= 4 ? UP_LOG_WARN : UP_LOG_DEBUG;
    if (up_log_enabled(l))
        up_log(l, "librdkafka %s: %s", fac, buf);
}

struct up_producer *up_producer_new(const struct up_producer_config *cfg, char *err, size_t errlen)
{
    /* client.id is one of our defaults, so that -X or --kafka-config can name the client */
    size_t n = 0;
    while (up_producer_defaults[n])
        n++;
    const char **defaults = up_xcalloc(n + 3, sizeof *defaults);
    defaults[0] = "client.id";
    defaults[1] = cfg->client_id ? cfg->client_id : "userpipe";
    memcpy(defaults + 2, up_producer_defaults, n * sizeof *defaults);
    rd_kafka_conf_t *conf = up_kafka_conf_new(cfg->brokers, cfg->props, defaults, err, errlen);
    free(defaults);
    if (!conf)
        return NULL;
    struct up_producer *p = up_xcalloc(1, sizeof *p);
    p->on_delivery = cfg->on_delivery;
    p->ctx = cfg->ctx;
    p->should_stop = cfg->should_stop;
    pthread_mutex_init(&p->lock, NULL);
    rd_kafka_conf_set_opaque(conf, p);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery_report);
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_log_cb(conf, on_log);
    char why[512];
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
    if (!p->rk) {
        rd_kafka_conf_destroy(conf);
        snprintf(err, errlen, "Kafka producer configuration: %s", why);
        pthread_mutex_destroy(&p->lock);
        free(p);
        return NULL;
    }
    return p;
}

void up_producer_free(struct up_producer *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->ntopics; i++) {
        rd_kafka_topic_destroy(p->topics[i].rkt);
        free(p->topics[i].name);
    }
    rd_kafka_destroy(p->rk);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

rd_kafka_t *up_producer_handle(struct up_producer *p)
{
    return p->rk;
}

/* Topic handles are cached: the pipeline writes to two topics millions of times. */
static rd_kafka_topic_t *topic_handle(struct up_producer *p, const char *name)
{
    for (size_t i = 0; i < p->ntopics; i++)
        if (strcmp(p->topics[i].name, name) == 0)
            return p->topics[i].rkt;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(p->rk, name, NULL);
    if (rkt && p->ntopics < MAX_TOPICS) {
        p->topics[p->ntopics].name = up_xstrdup(name);
        p->topics[p->ntopics].rkt = rkt;
        p->ntopics++;
    }
    return rkt;
}

static rd_kafka_headers_t *make_headers(const struct up_header *h, size_t n)
{
    if (n == 0)
        return NULL;
    rd_kafka_headers_t *hdrs = rd_kafka_headers_new(n);
    for (size_t i = 0; i < n; i++)
        rd_kafka_header_add(hdrs, h[i].name, -1, h[i].value, (ssize_t)h[i].len);
    return hdrs;
}

enum up_send_result up_producer_send(struct up_producer *p, const char *topic, const void *key,
                                     size_t key_len, const void *value, size_t value_len,
                                     const struct up_header *headers, size_t nheaders, void *opaque,
                                     char *err, size_t errlen)
{
    rd_kafka_topic_t *rkt = topic_handle(p, topic);
    if (!rkt) {
        snprintf(err, errlen, "topic '%s': %s", topic, rd_kafka_err2str(rd_kafka_last_error()));
        return UP_SEND_REJECTED;
    }
    for (;;) {
        if (atomic_load(&p->is_fatal)) {
            up_producer_fatal(p, err, errlen);
            return UP_SEND_FATAL;
        }
        rd_kafka_headers_t *hdrs = make_headers(headers, nheaders);
        rd_kafka_resp_err_t e = rd_kafka_producev(
            p->rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_VALUE((void *)value, value_len),
            RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
            atomic_fetch_add(&p->sent, 1);
            return UP_SEND_OK;
        }
        if (hdrs)
            rd_kafka_headers_destroy(hdrs); /* not taken over on failure */
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            if (e == RD_KAFKA_RESP_ERR__FATAL) {
                up_producer_fatal(p, err, errlen);
                return UP_SEND_FATAL;
            }
            snprintf(err, errlen, "cannot queue a message for '%s': %s", topic,
                     rd_kafka_err2str(e));
            return UP_SEND_REJECTED;
        }
        /* The local queue is full: serve delivery reports until there is room. */
        if (p->should_stop && p->should_stop(p->ctx)) {
            snprintf(err, errlen, "stopped while the producer queue was full");
            return UP_SEND_STOPPED;
        }
        rd_kafka_poll(p->rk, 50);
    }
}

void up_producer_poll(struct up_producer *p, int timeout_ms)
{
    rd_kafka_poll(p->rk, timeout_ms);
}

long up_producer_outstanding(struct up_producer *p)
{
    return rd_kafka_outq_len(p->rk);
}

long up_producer_flush(struct up_producer *p, int64_t timeout_ms)
{
    int64_t deadline = up_mono_ms() + timeout_ms;
    while (rd_kafka_outq_len(p->rk) > 0 && !atomic_load(&p->is_fatal)) {
        int64_t left = deadline - up_mono_ms();
        if (left <= 0)
            break;
        rd_kafka_flush(p->rk, (int)(left < 200 ? left : 200));
    }
    /* What is left will never be delivered now: purge it so its reports say so. */
    uint64_t before = atomic_load(&p->failed);
    rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    int64_t drain_until = up_mono_ms() + 5000;
    while (rd_kafka_outq_len(p->rk) > 0 && up_mono_ms() < drain_until)
        rd_kafka_poll(p->rk, 50);
    rd_kafka_poll(p->rk, 0);
    return (long)(atomic_load(&p->failed) - before);
}

void up_producer_counts(const struct up_producer *p, struct up_producer_counts *out)
{
    out->sent = atomic_load(&p->sent);
    out->delivered = atomic_load(&p->delivered);
    out->unconfirmed = atomic_load(&p->unconfirmed_count);
    out->failed = atomic_load(&p->failed);
}

bool up_producer_fatal(struct up_producer *p, char *err, size_t errlen)
{
    if (!atomic_load(&p->is_fatal))
        return false;
    pthread_mutex_lock(&p->lock);
    snprintf(err, errlen, "%s", p->fatal);
    pthread_mutex_unlock(&p->lock);
    return true;
}

int up_producer_connect(struct up_producer *p, int timeout_ms, char *err, size_t errlen)
{
    int64_t deadline = up_mono_ms() + timeout_ms;
    for (;;) {
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t e = rd_kafka_metadata(p->rk, 0, NULL, &md, 250);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
            rd_kafka_metadata_destroy(md);
            return 0;
        }
        rd_kafka_poll(p->rk, 0); /* the error callback: a refused login ends the wait */
        if (up_producer_fatal(p, err, errlen))
            return -1;
        char last[512];
        pthread_mutex_lock(&p->lock);
        snprintf(last, sizeof last, "%s", p->last_error);
        int code = p->last_error_code;
        pthread_mutex_unlock(&p->lock);
        if (last[0] && up_kafka_config_error(p->rk, code, last, true, err, errlen))
            return -1;
        if (up_mono_ms() >= deadline) {
            /* a plaintext client on a TLS listener only sees the connection closed */
            char login[400];
            up_kafka_login(p->rk, login, sizeof login);
            snprintf(err, errlen,
                     "no answer from the Kafka cluster within %d ms (%s%s%s); is the broker "
                     "running and reachable, and does its listener take %s? check --brokers "
                     "and security.protocol",
                     timeout_ms, rd_kafka_err2str(e), last[0] ? "; last error: " : "", last, login);
            return -1;
        }
    }
}

void up_producer_last_error(struct up_producer *p, char *err, size_t errlen)
{
    pthread_mutex_lock(&p->lock);
    snprintf(err, errlen, "%s", p->last_error);
    pthread_mutex_unlock(&p->lock);
}
