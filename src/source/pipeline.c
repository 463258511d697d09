/* source/pipeline: fetcher -> producer loop with bounds, rate cap, accounting, metrics. */
#include "source/pipeline.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/signals.h"
#include "kafka/admin.h"
#include "kafka/producer.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Delivery-report opaques: which topic a message went to. */
#define TO_TOPIC ((void *)1)
#define TO_DLQ   ((void *)2)

struct produce_metrics {
    struct up_series *fetched, *produced, *delivered, *failed, *pages, *outstanding;
    struct up_series *dead_lettered[UP_TRANSFORM_NREASONS];
    struct up_series *retries[UP_RETRY_NREASONS];
    struct up_series *latency;
    struct up_series *last_delivery;
};

/* Token bucket for --rate: holds at most 50 ms of tokens, so the cap is smooth. */
struct bucket {
    double rate, tokens, burst;
    int64_t last_us;
};

struct up_pipeline {
    struct up_pipeline_config cfg;
    struct up_producer *producer;
    struct up_fetcher *fetcher;
    struct produce_metrics m;
    bool have_metrics;
    struct bucket bucket;
    int64_t started_ms, ended_ms, last_tick_ms; /* ended_ms: after the flush; 0 = running */
    uint64_t fetched, produced, dead_lettered, pages;
    _Atomic uint64_t delivered, dlq_delivered, failed, http_retries;
    char first_failure[256];
    enum up_pipeline_end end;
    bool ended;
};

static struct up_series *counter(struct up_registry *r, const char *name, const char *help)
{
    return up_metric_series(up_metric_new(r, UP_METRIC_COUNTER, name, help, NULL, NULL, 0));
}

static void register_metrics(struct up_pipeline *p, struct up_registry *r)
{
    struct produce_metrics *m = &p->m;
    m->fetched = counter(r, "userpipe_produce_fetched_total", "Users received from the API.");
    m->produced =
        counter(r, "userpipe_produce_produced_total", "Records queued to the topic (key = id).");
    m->delivered = counter(r, "userpipe_produce_delivered_total",
                           "Records and dead letters acknowledged by Kafka.");
    m->failed = counter(r, "userpipe_produce_failed_total",
                        "Records and dead letters whose delivery failed.");
    m->pages = counter(r, "userpipe_produce_pages_total", "API pages received.");
    struct up_metric *dl =
        up_metric_new(r, UP_METRIC_COUNTER, "userpipe_produce_dead_lettered_total",
                      "Results that could not be transformed, sent to the DLQ.", "reason", NULL, 0);
    for (int i = 1; i < UP_TRANSFORM_NREASONS; i++) {
        const char *v[] = {up_transform_reason_code((enum up_transform_reason)i)};
        m->dead_lettered[i] = up_metric_labels(dl, v);
    }
    struct up_metric *rt =
        up_metric_new(r, UP_METRIC_COUNTER, "userpipe_produce_http_retries_total",
                      "API requests tried again, by reason.", "reason", NULL, 0);
    for (int i = 0; i < UP_RETRY_NREASONS; i++) {
        const char *v[] = {up_retry_reason_code((enum up_retry_reason)i)};
        m->retries[i] = up_metric_labels(rt, v);
    }
    static const double latency_buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                             0.25,  0.5,    1,     2.5,  5,     10,   30};
    m->latency = up_metric_series(
        up_metric_new(r, UP_METRIC_HISTOGRAM, "userpipe_produce_delivery_latency_seconds",
                      "From queueing a message to Kafka's acknowledgement.", NULL, latency_buckets,
                      sizeof latency_buckets / sizeof latency_buckets[0]));
    m->outstanding = up_metric_series(
        up_metric_new(r, UP_METRIC_GAUGE, "userpipe_produce_outstanding_messages",
                      "Messages queued in the producer and not yet acknowledged.", NULL, NULL, 0));
    m->last_delivery = up_metric_series(
        up_metric_new(r, UP_METRIC_GAUGE, "userpipe_produce_last_delivery_timestamp_seconds",
                      "When Kafka last acknowledged a message (Unix time).", NULL, NULL, 0));
    p->have_metrics = true;
}

#define METRIC_ADD(p, field, v)                                                                    \
    do {                                                                                           \
        if ((p)->have_metrics)                                                                     \
            up_series_add((p)->m.field, (v));                                                      \
    } while (0)

static void on_delivery(void *ctx, const struct up_delivery *d)
{
    struct up_pipeline *p = ctx;
    if (d->err) {
        if (atomic_fetch_add(&p->failed, 1) == 0)
            snprintf(p->first_failure, sizeof p->first_failure, "%s: %s", d->topic,
                     rd_kafka_err2str(d->err));
        METRIC_ADD(p, failed, 1);
        return;
    }
    atomic_fetch_add(d->opaque == TO_DLQ ? &p->dlq_delivered : &p->delivered, 1);
    if (p->have_metrics) {
        up_series_add(p->m.delivered, 1);
        up_series_observe(p->m.latency, (double)d->latency_us / 1e6);
    }
}

static void on_retry(void *ctx, enum up_retry_reason why, int64_t wait_ms, const char *what)
{
    struct up_pipeline *p = ctx;
    atomic_fetch_add(&p->http_retries, 1);
    if (p->have_metrics)
        up_series_add(p->m.retries[why], 1);
    UP_WARN("API: %s; retrying in %lld ms", what, (long long)wait_ms);
}

/* A stop asked by a signal, or the --duration over. */
static bool time_to_stop(struct up_pipeline *p)
{
    if (up_stop_requested()) {
        p->end = UP_PIPELINE_INTERRUPTED;
        return true;
    }
    if (p->cfg.duration_ms > 0 && up_mono_ms() - p->started_ms >= p->cfg.duration_ms) {
        p->end = UP_PIPELINE_COMPLETED;
        return true;
    }
    return false;
}

static bool should_stop_cb(void *ctx)
{
    return time_to_stop(ctx);
}

struct up_pipeline *up_pipeline_new(const struct up_pipeline_config *cfg, char *err, size_t errlen)
{
    struct up_pipeline *p = up_xcalloc(1, sizeof *p);
    p->cfg = *cfg;
    p->cfg.fetch.client.on_retry = on_retry;
    p->cfg.fetch.client.ctx = p;
    if (p->cfg.tick_ms <= 0)
        p->cfg.tick_ms = 1000;
    struct up_producer_config pc = {
        .brokers = cfg->brokers,
        .props = cfg->kafka_props,
        .client_id = "userpipe-produce",
        .on_delivery = on_delivery,
        .ctx = p,
        .should_stop = should_stop_cb,
    };
    p->producer = up_producer_new(&pc, err, errlen);
    if (!p->producer) {
        free(p);
        return NULL;
    }
    if (cfg->metrics)
        register_metrics(p, cfg->metrics);
    return p;
}

void up_pipeline_free(struct up_pipeline *p)
{
    if (!p)
        return;
    up_fetcher_free(p->fetcher);
    up_producer_free(p->producer);
    free(p);
}

void up_pipeline_stats(const struct up_pipeline *p, struct up_produce_stats *out)
{
    out->fetched = p->fetched;
    out->produced = p->produced;
    out->dead_lettered = p->dead_lettered;
    out->pages = p->pages;
    out->delivered = atomic_load(&p->delivered);
    out->dlq_delivered = atomic_load(&p->dlq_delivered);
    out->failed = atomic_load(&p->failed);
    struct up_producer_counts pc = {0};
    if (p->producer)
        up_producer_counts(p->producer, &pc);
    out->unconfirmed = pc.unconfirmed;
    out->http_retries = atomic_load(&p->http_retries);
    int64_t until = p->ended_ms ? p->ended_ms : up_mono_ms();
    out->elapsed_s = p->started_ms ? (double)(until - p->started_ms) / 1000.0 : 0;
}

void up_pipeline_random_seed(char out[17])
{
    uint64_t r = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, &r, sizeof r) != (ssize_t)sizeof r)
        r = (uint64_t)up_wall_us() * 0x9E3779B97F4A7C15ULL ^ (uint64_t)getpid();
    if (fd >= 0)
        close(fd);
    snprintf(out, 17, "%016llx", (unsigned long long)r);
}

static void tick(struct up_pipeline *p, bool force)
{
    int64_t now = up_mono_ms();
    if (!force && now - p->last_tick_ms < p->cfg.tick_ms)
        return;
    p->last_tick_ms = now;
    if (p->have_metrics)
        up_series_set(p->m.outstanding, (double)up_producer_outstanding(p->producer));
    if (p->cfg.on_tick) {
        struct up_produce_stats s;
        up_pipeline_stats(p, &s);
        p->cfg.on_tick(p->cfg.ctx, &s);
    }
}

static void bucket_init(struct bucket *b, double rate)
{
    b->rate = rate;
    b->burst = rate / 20 > 1 ? rate / 20 : 1;
    b->tokens = b->burst;
    b->last_us = up_mono_us();
}

/* Waits (serving delivery reports) until a token is there; false if told to stop. */
static bool bucket_take(struct up_pipeline *p)
{
    struct bucket *b = &p->bucket;
    if (b->rate <= 0)
        return true;
    for (;;) {
        int64_t now = up_mono_us();
        b->tokens += (double)(now - b->last_us) * b->rate / 1e6;
        if (b->tokens > b->burst)
            b->tokens = b->burst;
        b->last_us = now;
        if (b->tokens >= 1) {
            b->tokens -= 1;
            return true;
        }
        if (time_to_stop(p))
            return false;
        int wait_ms = (int)((1 - b->tokens) * 1000 / b->rate) + 1;
        up_producer_poll(p->producer, wait_ms < 100 ? wait_ms : 100);
        tick(p, false);
    }
}

/* Queues one message; false ends the run (stop, fatal error or refusal, in err). */
static bool send_one(struct up_pipeline *p, const char *topic, const void *key, size_t klen,
                     const void *value, size_t vlen, const struct up_header *h, size_t nh,
                     void *opaque, char *err, size_t errlen)
{
    if (!bucket_take(p))
        return false;
    enum up_send_result r =
        up_producer_send(p->producer, topic, key, klen, value, vlen, h, nh, opaque, err, errlen);
    if (r == UP_SEND_OK)
        return true;
    if (r != UP_SEND_STOPPED)
        p->end = UP_PIPELINE_FAILED;
    return false;
}

static bool produce_reject(struct up_pipeline *p, const struct up_batch *b,
                           const struct up_batch_reject *rj, char *err, size_t errlen)
{
    const char *code = up_transform_reason_code(rj->reason);
    const struct up_header h[] = {
        {UP_PRODUCE_DLQ_REASON, code, strlen(code)},
        {UP_PRODUCE_DLQ_DETAIL, rj->detail, strlen(rj->detail)},
        {UP_PRODUCE_DLQ_STAGE, "produce", 7},
    };
    if (!send_one(p, p->cfg.dlq, NULL, 0, up_batch_ptr(b, rj->value_off), rj->value_len, h, 3,
                  TO_DLQ, err, errlen))
        return false;
    p->dead_lettered++;
    if (p->have_metrics)
        up_series_add(p->m.dead_lettered[rj->reason], 1);
    UP_DEBUG("dead-lettered a result of page %ld: %s", b->page, rj->detail);
    return true;
}

/* Produces a batch; false ends the run. Users past --count are not produced. */
static bool produce_batch(struct up_pipeline *p, const struct up_batch *b, char *err, size_t errlen)
{
    long long count = p->cfg.fetch.count;
    for (size_t i = 0; i < b->nrecords; i++) {
        if (count > 0 && (long long)(p->produced + p->dead_lettered) >= count)
            return true;
        if ((i & 255) == 0) {
            if (time_to_stop(p))
                return false;
            up_producer_poll(p->producer, 0);
            tick(p, false);
        }
        const struct up_batch_record *r = &b->records[i];
        if (!send_one(p, p->cfg.topic, up_batch_ptr(b, r->key_off), r->key_len,
                      up_batch_ptr(b, r->value_off), r->value_len, NULL, 0, TO_TOPIC, err, errlen))
            return false;
        p->produced++;
        METRIC_ADD(p, produced, 1);
    }
    for (size_t i = 0; i < b->nrejects; i++) {
        if (count > 0 && (long long)(p->produced + p->dead_lettered) >= count)
            return true;
        if (!produce_reject(p, b, &b->rejects[i], err, errlen))
            return false;
    }
    return true;
}

static int ensure_topics(struct up_pipeline *p, char *err, size_t errlen)
{
    char why[1024];
    if (up_producer_connect(p->producer, (int)p->cfg.kafka_timeout_ms, why, sizeof why) != 0) {
        snprintf(err, errlen, "Kafka at %s: %s", p->cfg.brokers, why);
        return -1;
    }
    const char *topics[] = {p->cfg.topic, p->cfg.dlq};
    for (size_t i = 0; i < 2; i++) {
        bool created = false;
        if (up_kafka_ensure_topic(up_producer_handle(p->producer), topics[i], p->cfg.partitions,
                                  p->cfg.replication_factor, (int)p->cfg.kafka_timeout_ms, &created,
                                  why, sizeof why) != 0) {
            snprintf(err, errlen, "cannot use topic '%s' on Kafka at %s: %s", topics[i],
                     p->cfg.brokers, why);
            return -1;
        }
        if (created)
            UP_INFO("created topic %s (%d partitions, replication %d)", topics[i],
                    p->cfg.partitions, p->cfg.replication_factor);
    }
    return 0;
}

/* The main loop: take batches until the run ends. */
static void run_loop(struct up_pipeline *p, char *err, size_t errlen)
{
    long long count = p->cfg.fetch.count;
    for (;;) {
        if (count > 0 && (long long)(p->produced + p->dead_lettered) >= count)
            break;
        if (time_to_stop(p))
            break;
        if (up_producer_fatal(p->producer, err, errlen)) {
            p->end = UP_PIPELINE_FAILED;
            break;
        }
        struct up_batch *b = NULL;
        enum up_fetch_status st = up_fetcher_next(p->fetcher, 100, &b, err, errlen);
        up_producer_poll(p->producer, 0);
        tick(p, false);
        if (st == UP_FETCH_TIMEOUT)
            continue;
        if (st == UP_FETCH_END) {
            if (count > 0 && (long long)p->fetched < count)
                UP_WARN("the API sent %llu users where %lld were asked for (short pages)",
                        (unsigned long long)p->fetched, count);
            break;
        }
        if (st == UP_FETCH_ERROR) {
            p->end = UP_PIPELINE_FAILED;
            break;
        }
        p->pages++;
        p->fetched += up_batch_users(b);
        METRIC_ADD(p, pages, 1);
        METRIC_ADD(p, fetched, (double)up_batch_users(b));
        bool go_on = produce_batch(p, b, err, errlen);
        up_fetcher_release(p->fetcher, b);
        if (!go_on)
            break;
    }
}

static void finish(struct up_pipeline *p, char *err, size_t errlen)
{
    up_fetcher_stop(p->fetcher);
    long outstanding = up_producer_outstanding(p->producer);
    if (outstanding > 0)
        UP_INFO("flushing %ld messages to Kafka", outstanding);
    long purged = up_producer_flush(p->producer, p->cfg.flush_timeout_ms);
    if (purged > 0)
        UP_ERROR("%ld messages were not acknowledged within the flush timeout (%lld ms)", purged,
                 (long long)p->cfg.flush_timeout_ms);
    p->ended_ms = up_mono_ms();
    tick(p, true);
    uint64_t failed = atomic_load(&p->failed);
    if (failed > 0 && p->end != UP_PIPELINE_FAILED) {
        char last[256];
        up_producer_last_error(p->producer, last, sizeof last);
        snprintf(err, errlen, "%llu messages could not be delivered to Kafka (first: %s%s%s)",
                 (unsigned long long)failed, p->first_failure, last[0] ? "; last error: " : "",
                 last);
    }
}

enum up_pipeline_end up_pipeline_run(struct up_pipeline *p, char *err, size_t errlen)
{
    err[0] = '\0';
    p->end = UP_PIPELINE_COMPLETED;
    if (ensure_topics(p, err, errlen) != 0)
        return UP_PIPELINE_FAILED;
    p->fetcher = up_fetcher_start(&p->cfg.fetch, err, errlen);
    if (!p->fetcher)
        return UP_PIPELINE_FAILED;
    bucket_init(&p->bucket, p->cfg.rate);
    p->started_ms = up_mono_ms();
    p->last_tick_ms = p->started_ms;
    run_loop(p, err, errlen);
    finish(p, err, errlen);
    return p->end;
}
