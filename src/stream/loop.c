/* stream/loop: poll -> prepare -> write/dead-letter -> complete -> store offsets. */
#include "stream/loop.h"

#include "core/backoff.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/signals.h"
#include "kafka/consumer.h"
#include "stream/dlq.h"
#include "stream/validate.h"
#include "stream/watermark.h"
#include "stream/window.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define MAX_PARTITION_ID    65535
#define CONSUME_BATCH       1000 /* messages taken per turn before serving completions */
#define LAG_PERIOD_MS       1000
#define WAIT_MAX_MS         100
#define FAILURE_LOG_PERIOD  5000
#define KICK_PERIOD_MS      5
#define OPERATOR_LOG_PERIOD 30000 /* the "what to fix" line, while it is not fixed */

struct loop;

enum job_kind { JOB_WRITE, JOB_DLQ };

/* One record from the moment it is taken from Kafka until it is stored or dead-lettered. */
struct job {
    struct loop *loop;
    struct job *next; /* in a retry lane */
    enum job_kind kind;
    bool probe;   /* the one attempt in flight while its lane is failing */
    size_t topic; /* index into loop.topics */
    int32_t partition;
    uint32_t generation; /* the partition's generation when taken; stale after a revoke */
    int64_t offset;
    int64_t timestamp_ms; /* the Kafka record's: write time and ingested_at */
    int64_t submitted_us;
    unsigned attempts;   /* writes submitted for this record */
    uint32_t write_code; /* JOB_DLQ after a write refused for its data: the database's code */
    void *item;          /* JOB_WRITE: the record's rows, as the sink prepared them */
    /* The original bytes, for the DLQ (kept by JOB_WRITE too: a write refused for its data
     * goes there), and why they were refused */
    void *key, *value;
    size_t key_len, value_len;
    rd_kafka_headers_t *headers; /* the record's own, copied; NULL when it has none */
    enum up_reject reason;
    char detail[UP_REJECT_DETAIL_LEN + 80];
    struct up_sink_reject *mapping; /* JOB_DLQ at a mapping's stage: stage, reason, table */
};

/* Failed submissions of one kind, waiting to go again. While the lane is failing only one
 * attempt (the probe) is out at a time, spaced by the backoff, so a node that is down is
 * not hammered by the whole window; the first success sends the rest at once. */
struct lane {
    const char *what; /* for the log: "Cassandra write", "DLQ send" */
    struct job *head, *tail;
    bool failing;
    bool probe_out;
    int64_t next_try_ms;
    struct up_backoff backoff;
    int64_t last_log_ms;
    uint64_t *retries; /* the totals counter */
    struct up_series *retries_metric;
};

/* One topic-partition. The slots are a flat array indexed by partition * ntopics + topic, so
 * with one topic the slot is the partition. */
struct part {
    size_t topic; /* index into loop.topics */
    int32_t partition;
    bool assigned;
    uint32_t generation;
    struct up_watermark wm;
    int64_t stored; /* last offset handed to rd_kafka_offsets_store; -1 = none */
    struct up_series *lag;
};

struct metrics {
    struct up_metric *lag_family;
    struct up_series *consumed, *stored, *redeliveries, *in_flight, *paused, *failing;
    struct up_series *dead_lettered[UP_REJECT_COUNT];
    struct up_series *write_failures[UP_WRITE_CLASSES];
    struct up_series *write_retries, *dlq_retries, *e2e_latency, *write_latency, *fetch_latency;
};

struct loop {
    const struct up_stream_config *cfg;
    const char *const *topics; /* the subscription: cfg->topics, or cfg->topic alone */
    size_t ntopics;
    struct up_consumer *consumer;
    struct up_dlq *dlq;
    int wake_fd;
    struct part *parts;
    size_t nparts;
    struct up_window window;
    struct lane writes, dead_letters;
    struct up_stream_totals totals;
    bool stopping;
    int64_t drain_deadline_ms;
    int64_t started_ms, last_activity_ms;
    int64_t first_take_us, last_finish_us; /* for totals.active_seconds */
    int64_t next_lag_ms, next_progress_ms, last_progress_ms;
    uint64_t stored_at_last_progress;
    int64_t lag_total;
    struct job *spare_jobs; /* finished jobs kept for reuse, at most the window's size */
    size_t nspare;
    int64_t last_kick_ms;
    unsigned fruitless_kicks; /* kicks since Kafka last handed out a message */
    size_t kick_next;         /* round-robin start among partitions */
    bool warned_no_timestamp;
    bool ever_assigned; /* the idle clock starts with the first assignment */
    struct batch_clock {
        bool valid;
        int64_t mono_us, wall_ms;
    } clock;
    struct metrics m;
};

/* The time, read once per batch: the records taken in one consume() and the completions run in
 * one service() share the reading made by the first of them, which is off for the others by
 * the batch's own processing time (tens of microseconds), instead of 3-4 clock reads per record
 * (a few percent of the stream's CPU). */
static const struct batch_clock *batch_now(struct loop *L)
{
    if (!L->clock.valid) {
        L->clock.mono_us = up_mono_us();
        L->clock.wall_ms = up_wall_ms();
        L->clock.valid = true;
    }
    return &L->clock;
}

static void batch_begins(struct loop *L)
{
    L->clock.valid = false;
}

static void series_add(struct up_series *s, double v)
{
    if (s)
        up_series_add(s, v);
}

static void series_set(struct up_series *s, double v)
{
    if (s)
        up_series_set(s, v);
}

static void series_observe(struct up_series *s, double v)
{
    if (s)
        up_series_observe(s, v);
}

void up_stream_config_init(struct up_stream_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->dlq_partitions = 1;
    cfg->in_flight = 512;
    cfg->drain_timeout_ms = 30000;
    cfg->progress_ms = 5000;
    cfg->pause_after_ms = 1000;
    cfg->retry_base_ms = 100;
    cfg->retry_max_ms = 5000;
}

/* ---------------------------------------------------------------------------- metrics */

static struct up_series *counter(struct up_registry *r, const char *name, const char *help)
{
    return up_metric_series(up_metric_new(r, UP_METRIC_COUNTER, name, help, NULL, NULL, 0));
}

static struct up_series *gauge(struct up_registry *r, const char *name, const char *help)
{
    return up_metric_series(up_metric_new(r, UP_METRIC_GAUGE, name, help, NULL, NULL, 0));
}

static void metrics_init(struct metrics *m, struct up_registry *r)
{
    memset(m, 0, sizeof *m);
    if (!r)
        return;
    m->consumed = counter(r, "userpipe_stream_records_consumed_total",
                          "Records taken from Kafka (redeliveries not counted).");
    m->stored =
        counter(r, "userpipe_stream_records_stored_total", "Rows acknowledged by Cassandra.");
    m->redeliveries = counter(r, "userpipe_stream_redeliveries_skipped_total",
                              "Records handed out again by Kafka while already tracked.");
    m->write_retries =
        counter(r, "userpipe_stream_write_retries_total", "Failed Cassandra writes sent again.");
    m->dlq_retries =
        counter(r, "userpipe_stream_dlq_retries_total", "Failed DLQ sends sent again.");
    m->in_flight = gauge(r, "userpipe_stream_in_flight_records",
                         "Records taken and not yet stored or dead-lettered.");
    m->paused = gauge(r, "userpipe_stream_paused", "1 while consumption is paused.");
    m->failing = gauge(r, "userpipe_stream_sink_failing",
                       "1 while Cassandra writes fail and are being retried.");
    struct up_metric *dl =
        up_metric_new(r, UP_METRIC_COUNTER, "userpipe_stream_records_dead_lettered_total",
                      "Records acknowledged by the DLQ topic, by reason.", "reason", NULL, 0);
    for (int i = 1; i < UP_REJECT_COUNT; i++) {
        const char *reason = up_reject_name((enum up_reject)i);
        m->dead_lettered[i] = up_metric_labels(dl, &reason);
    }
    struct up_metric *wf = up_metric_new(
        r, UP_METRIC_COUNTER, "userpipe_stream_write_failures_total",
        "Failed writes by class: data (the record goes to the DLQ), transient (written again), "
        "operator (paused until the table, grants or mapping are fixed).",
        "class", NULL, 0);
    for (int i = 0; i < UP_WRITE_CLASSES; i++) {
        const char *cls = up_write_class_name((enum up_write_class)i);
        m->write_failures[i] = up_metric_labels(wf, &cls);
    }
    static const double latency_buckets[] = {0.001, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.015,
                                             0.02,  0.03,  0.04,  0.05,  0.075, 0.1,    0.15, 0.2,
                                             0.3,   0.5,   0.75,  1,     2.5,   5,      10,   30};
    size_t nb = sizeof latency_buckets / sizeof latency_buckets[0];
    m->e2e_latency = up_metric_series(
        up_metric_new(r, UP_METRIC_HISTOGRAM, "userpipe_stream_e2e_latency_seconds",
                      "From the Kafka record timestamp to the Cassandra acknowledgement.", NULL,
                      latency_buckets, nb));
    m->fetch_latency = up_metric_series(
        up_metric_new(r, UP_METRIC_HISTOGRAM, "userpipe_stream_fetch_latency_seconds",
                      "From the Kafka record timestamp to the stream taking the record (the "
                      "producer's batching, the broker and the fetch).",
                      NULL, latency_buckets, nb));
    m->write_latency = up_metric_series(up_metric_new(
        r, UP_METRIC_HISTOGRAM, "userpipe_stream_write_latency_seconds",
        "From submitting the INSERT to its acknowledgement.", NULL, latency_buckets, nb));
    m->lag_family = up_metric_new(r, UP_METRIC_GAUGE, "userpipe_stream_consumer_lag_records",
                                  "High watermark minus the stored offset, per partition.",
                                  "topic,partition", NULL, 0);
}

/* ------------------------------------------------------------------------- partitions */

static struct part *part_get(struct loop *L, size_t topic, int32_t partition, bool create)
{
    if (partition < 0 || partition > MAX_PARTITION_ID || topic >= L->ntopics)
        return NULL;
    size_t slot = (size_t)partition * L->ntopics + topic;
    if (slot >= L->nparts) {
        if (!create)
            return NULL;
        size_t n = ((size_t)partition + 1) * L->ntopics;
        L->parts = up_xrealloc(L->parts, n * sizeof *L->parts);
        for (size_t i = L->nparts; i < n; i++) {
            memset(&L->parts[i], 0, sizeof L->parts[i]);
            up_watermark_init(&L->parts[i].wm);
            L->parts[i].stored = -1;
            L->parts[i].topic = i % L->ntopics;
            L->parts[i].partition = (int32_t)(i / L->ntopics);
        }
        L->nparts = n;
    }
    return &L->parts[slot];
}

/* The index of a topic of the subscription; ntopics when it is none of them. */
static size_t topic_index(const struct loop *L, const char *name)
{
    if (L->ntopics == 1) /* the common case: no string compare per record */
        return 0;
    size_t i = 0;
    while (i < L->ntopics && strcmp(L->topics[i], name) != 0)
        i++;
    return i;
}

static bool job_is_stale(struct loop *L, const struct job *j)
{
    struct part *p = part_get(L, j->topic, j->partition, false);
    return !p || !p->assigned || p->generation != j->generation;
}

static void job_free_contents(struct loop *L, struct job *j)
{
    if (j->kind == JOB_WRITE && j->item)
        L->cfg->sink.free_item(L->cfg->sink.ctx, j->item);
    free(j->mapping);
    if (j->headers)
        rd_kafka_headers_destroy(j->headers);
    free(j->key);
    free(j->value);
}

/* A zeroed job; a spare one when there is (one job per record: at tens of thousands of
 * records per second, calloc/free per record was a visible share of the stream's CPU). */
static struct job *job_new(struct loop *L)
{
    struct job *j = L->spare_jobs;
    if (!j)
        return up_xcalloc(1, sizeof *j);
    L->spare_jobs = j->next;
    L->nspare--;
    memset(j, 0, sizeof *j);
    return j;
}

/* The job's slot in the window is free again; the record is done or abandoned. */
static void job_release(struct loop *L, struct job *j)
{
    up_window_release(&L->window);
    series_set(L->m.in_flight, (double)L->window.in_flight);
    job_free_contents(L, j);
    if (L->nspare < L->window.limit) {
        j->next = L->spare_jobs;
        L->spare_jobs = j;
        L->nspare++;
    } else {
        free(j);
    }
}

/* The record is stored or dead-lettered: its offset may count towards the watermark. */
static void job_finished(struct loop *L, struct job *j)
{
    struct part *p = part_get(L, j->topic, j->partition, false);
    up_watermark_complete(&p->wm, j->offset);
    L->last_finish_us = batch_now(L)->mono_us;
    L->last_activity_ms = L->last_finish_us / 1000;
    job_release(L, j);
}

/* ------------------------------------------------------------------------------ lanes */

static void lane_init(struct lane *lane, const char *what, const struct up_stream_config *cfg,
                      uint64_t *retries, struct up_series *retries_metric)
{
    memset(lane, 0, sizeof *lane);
    lane->what = what;
    up_backoff_init(&lane->backoff, cfg->retry_base_ms, cfg->retry_max_ms);
    lane->retries = retries;
    lane->retries_metric = retries_metric;
}

static void lane_push(struct lane *lane, struct job *j)
{
    j->next = NULL;
    if (lane->tail)
        lane->tail->next = j;
    else
        lane->head = j;
    lane->tail = j;
}

static struct job *lane_pop(struct lane *lane)
{
    struct job *j = lane->head;
    if (j) {
        lane->head = j->next;
        if (!lane->head)
            lane->tail = NULL;
        j->next = NULL;
    }
    return j;
}

/* Clears the probe mark; true when j was the probe. */
static bool lane_end_attempt(struct lane *lane, struct job *j)
{
    if (!j->probe)
        return false;
    j->probe = false;
    lane->probe_out = false;
    return true;
}

/* j failed (was_probe: it was the lane's probe): queue it for a later attempt. A failure
 * that needs an operator (f->cls) waits the longest backoff and says what to fix. */
static void lane_failed(struct loop *L, struct lane *lane, struct job *j, bool was_probe,
                        const char *error, const struct up_sink_failure *f)
{
    int64_t now = up_mono_ms();
    bool needs_operator = f && f->cls == UP_WRITE_OPERATOR;
    if (!lane->failing || was_probe) {
        lane->next_try_ms =
            now + (needs_operator ? L->cfg->retry_max_ms : up_backoff_next_ms(&lane->backoff));
        if (needs_operator && now - lane->last_log_ms >= OPERATOR_LOG_PERIOD) {
            lane->last_log_ms = now;
            UP_ERROR("%s refused until an operator acts: %s; to fix: %s; consumption paused, "
                     "trying again every %lld ms, nothing is skipped",
                     lane->what, error ? error : "unknown error",
                     f->hint ? f->hint : "see the error", (long long)L->cfg->retry_max_ms);
        } else if (!needs_operator && now - lane->last_log_ms >= FAILURE_LOG_PERIOD) {
            lane->last_log_ms = now;
            UP_WARN("%s failed: %s; retrying with backoff (next in %lld ms), consumption paused "
                    "until it succeeds",
                    lane->what, error ? error : "unknown error",
                    (long long)(lane->next_try_ms - now));
        }
    }
    if (!lane->failing && lane == &L->writes)
        series_set(L->m.failing, 1);
    lane->failing = true;
    lane_push(lane, j);
}

static void lane_succeeded(struct loop *L, struct lane *lane)
{
    if (!lane->failing)
        return;
    lane->failing = false;
    up_backoff_reset(&lane->backoff);
    lane->next_try_ms = 0;
    if (lane == &L->writes)
        series_set(L->m.failing, 0);
    UP_INFO("%s succeeded again; resuming", lane->what);
}

/* --------------------------------------------------------------------- submit, complete */

static void submit(struct loop *L, struct job *j);

/* The database refused the record's values: it goes to the DLQ with what was refused
 * (stage write); its row or item is done with. */
static void dead_letter_refused(struct loop *L, struct job *j, const struct up_sink_failure *f)
{
    j->mapping = up_xmalloc(sizeof *j->mapping); /* first: f's strings may live in the item */
    j->mapping->reason = UP_REJECT_WRITE;
    snprintf(j->mapping->why, sizeof j->mapping->why, "rejected_%s", up_write_class_name(f->cls));
    snprintf(j->mapping->detail, sizeof j->mapping->detail, "%s", f->message ? f->message : "");
    snprintf(j->mapping->target, sizeof j->mapping->target, "%s", f->target ? f->target : "");
    j->reason = UP_REJECT_WRITE;
    j->write_code = f->code;
    L->cfg->sink.free_item(L->cfg->sink.ctx, j->item);
    j->item = NULL;
    j->kind = JOB_DLQ;
    submit(L, j);
}

static void on_write_done(void *opaque, const struct up_sink_failure *f)
{
    struct job *j = opaque;
    struct loop *L = j->loop;
    bool was_probe = lane_end_attempt(&L->writes, j);
    if (f)
        series_add(L->m.write_failures[f->cls], 1);
    if (job_is_stale(L, j)) { /* revoked meanwhile: the next owner writes it again */
        job_release(L, j);
        return;
    }
    if (f && f->cls == UP_WRITE_DATA) {
        dead_letter_refused(L, j, f);
        return;
    }
    if (f) {
        lane_failed(L, &L->writes, j, was_probe, f->message, f);
        return;
    }
    lane_succeeded(L, &L->writes);
    L->totals.stored++;
    series_add(L->m.stored, 1);
    const struct batch_clock *now = batch_now(L);
    series_observe(L->m.write_latency, (double)(now->mono_us - j->submitted_us) / 1e6);
    double e2e = (double)(now->wall_ms - j->timestamp_ms) / 1e3;
    series_observe(L->m.e2e_latency, e2e < 0 ? 0 : e2e);
    job_finished(L, j);
}

/* The DLQ topic refuses the value's size: keep the headers, drop the payload. */
static void drop_dlq_value(struct job *j)
{
    size_t used = strlen(j->detail);
    snprintf(j->detail + used, sizeof j->detail - used,
             "; value of %zu bytes dropped: too large "
             "for the DLQ topic",
             j->value_len);
    free(j->value);
    j->value = NULL;
    j->value_len = 0;
}

static void on_dlq_done(void *opaque, enum up_dlq_outcome outcome, const char *error)
{
    struct job *j = opaque;
    struct loop *L = j->loop;
    bool was_probe = lane_end_attempt(&L->dead_letters, j);
    if (job_is_stale(L, j)) {
        job_release(L, j);
        return;
    }
    if (outcome == UP_DLQ_TOO_LARGE && j->value) {
        drop_dlq_value(j);
        submit(L, j);
        return;
    }
    if (outcome != UP_DLQ_DELIVERED) {
        lane_failed(L, &L->dead_letters, j, was_probe, error, NULL);
        return;
    }
    lane_succeeded(L, &L->dead_letters);
    L->totals.dead_lettered++;
    series_add(L->m.dead_lettered[j->reason], 1);
    job_finished(L, j);
}

static void submit_write(struct loop *L, struct job *j)
{
    char err[512];
    j->submitted_us = batch_now(L)->mono_us;
    j->attempts++;
    const struct up_sink *s = &L->cfg->sink;
    if (s->write_item(s->ctx, j->item, on_write_done, j, err, sizeof err) != 0)
        lane_failed(L, &L->writes, j, lane_end_attempt(&L->writes, j), err, NULL);
}

static void submit_dead_letter(struct loop *L, struct job *j)
{
    char err[512];
    struct up_dlq_record r = {
        .key = j->key,
        .key_len = j->key_len,
        .value = j->value,
        .value_len = j->value_len,
        .source_topic = L->topics[j->topic],
        .source_partition = j->partition,
        .source_offset = j->offset,
        .source_timestamp_ms = j->timestamp_ms,
        .reason = j->mapping ? j->mapping->why : up_reject_name(j->reason),
        .detail = j->mapping ? j->mapping->detail : j->detail,
        .stage = j->mapping ? up_reject_name(j->reason) : NULL,
        .target = j->mapping ? j->mapping->target : NULL,
        .code = j->write_code,
        .attempts = j->reason == UP_REJECT_WRITE ? j->attempts : 0,
        .own = j->headers,
    };
    enum up_dlq_outcome o = up_dlq_send(L->dlq, &r, j, err, sizeof err);
    if (o == UP_DLQ_TOO_LARGE && j->value) {
        drop_dlq_value(j);
        submit_dead_letter(L, j);
    } else if (o != UP_DLQ_DELIVERED) {
        lane_failed(L, &L->dead_letters, j, lane_end_attempt(&L->dead_letters, j), err, NULL);
    }
}

static void submit(struct loop *L, struct job *j)
{
    if (j->kind == JOB_WRITE)
        submit_write(L, j);
    else
        submit_dead_letter(L, j);
}

/* Sends due retries: all of them when the lane is healthy, one probe while failing. */
static void lane_service(struct loop *L, struct lane *lane)
{
    if (!lane->head || up_mono_ms() < lane->next_try_ms)
        return;
    if (lane->failing) {
        if (lane->probe_out)
            return;
        struct job *j = lane_pop(lane);
        if (job_is_stale(L, j)) {
            job_release(L, j);
            return;
        }
        j->probe = true;
        lane->probe_out = true;
        (*lane->retries)++;
        series_add(lane->retries_metric, 1);
        submit(L, j);
        return;
    }
    struct job *list = lane->head; /* detach: failures during the loop queue up again */
    lane->head = lane->tail = NULL;
    while (list) {
        struct job *j = list;
        list = j->next;
        j->next = NULL;
        if (job_is_stale(L, j)) {
            job_release(L, j);
            continue;
        }
        (*lane->retries)++;
        series_add(lane->retries_metric, 1);
        submit(L, j);
    }
}

/* Frees queued retries of partitions that are no longer ours. */
static void lane_drop_stale(struct loop *L, struct lane *lane)
{
    struct job *list = lane->head;
    lane->head = lane->tail = NULL;
    while (list) {
        struct job *j = list;
        list = j->next;
        if (job_is_stale(L, j))
            job_release(L, j);
        else
            lane_push(lane, j);
    }
}

/* --------------------------------------------------------------------------- messages */

static int64_t record_timestamp(struct loop *L, const rd_kafka_message_t *m)
{
    int64_t ts = rd_kafka_message_timestamp(m, NULL);
    if (ts >= 0)
        return ts;
    if (!L->warned_no_timestamp) {
        L->warned_no_timestamp = true;
        UP_WARN("records without a Kafka timestamp: using the time they are read, so a replay "
                "of those writes new cell timestamps");
    }
    return up_wall_ms();
}

static void *copy_bytes(const void *p, size_t len)
{
    if (!p)
        return NULL;
    void *c = up_xmalloc(len ? len : 1);
    memcpy(c, p, len);
    return c;
}

/* The sink reads the record into its rows, or says why it cannot: a mapping's stage and
 * reason (kept whole for the headers), or a users record's rule (the reason itself). */
static bool prepare_record(struct loop *L, struct job *j, const rd_kafka_message_t *m)
{
    struct up_sink_reject rej = {.reason = UP_REJECT_PARSE};
    if (L->cfg->sink.prepare(L->cfg->sink.ctx, m, j->timestamp_ms, &j->item, &rej) == 0)
        return true;
    j->item = NULL;
    j->reason = rej.reason;
    if (rej.reason == UP_REJECT_PARSE || rej.reason == UP_REJECT_MAPPING) {
        j->mapping = up_xmalloc(sizeof *j->mapping);
        *j->mapping = rej;
    } else {
        snprintf(j->detail, sizeof j->detail, "%.*s", UP_REJECT_DETAIL_LEN, rej.detail);
    }
    return false;
}

static void take_message(struct loop *L, rd_kafka_message_t *m)
{
    size_t topic = topic_index(L, rd_kafka_topic_name(m->rkt));
    struct part *p = part_get(L, topic, m->partition, false);
    if (!p || !p->assigned)
        return; /* from a partition we no longer own (a late message after a revoke) */
    if (!up_watermark_submit(&p->wm, m->offset)) {
        L->totals.redeliveries++;
        series_add(L->m.redeliveries, 1);
        return;
    }
    L->totals.consumed++;
    series_add(L->m.consumed, 1);
    struct job *j = job_new(L);
    j->loop = L;
    j->topic = topic;
    j->partition = m->partition;
    j->generation = p->generation;
    j->offset = m->offset;
    j->timestamp_ms = record_timestamp(L, m);
    const struct batch_clock *clock = batch_now(L);
    int64_t waited_ms = clock->wall_ms - j->timestamp_ms;
    series_observe(L->m.fetch_latency, waited_ms < 0 ? 0 : (double)waited_ms / 1e3);
    j->kind = prepare_record(L, j, m) ? JOB_WRITE : JOB_DLQ;
    j->key = copy_bytes(m->key, m->key_len);
    j->key_len = m->key_len;
    j->value = copy_bytes(m->payload, m->len);
    j->value_len = m->len;
    rd_kafka_headers_t *h;
    if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR)
        j->headers = rd_kafka_headers_copy(h);
    int64_t now = clock->mono_us / 1000;
    L->last_activity_ms = now;
    if (!L->first_take_us)
        L->first_take_us = clock->mono_us;
    up_window_acquire(&L->window, now);
    series_set(L->m.in_flight, (double)L->window.in_flight);
    submit(L, j);
}

/* Takes what Kafka has ready while the window has room (or while paused: a paused
 * partition delivers nothing, but the call serves rebalances). */
static int consume(struct loop *L)
{
    uint64_t n;
    ssize_t r = read(L->wake_fd, &n, sizeof n); /* re-arm librdkafka's wakeup */
    (void)r;
    batch_begins(L);
    int taken = 0;
    while (taken < CONSUME_BATCH && (L->window.paused || up_window_has_room(&L->window))) {
        rd_kafka_message_t *m = up_consumer_poll(L->consumer, 0);
        if (!m)
            break;
        take_message(L, m);
        rd_kafka_message_destroy(m);
        taken++;
    }
    return taken;
}

/* The partition to kick: one we own with records beyond what we took (by the cached high
 * watermark), round-robin so that every broker's fetcher gets its turn. -1 if none. */
static struct part *starved_partition(struct loop *L)
{
    for (size_t k = 0; k < L->nparts; k++) {
        size_t i = (L->kick_next + k) % L->nparts;
        struct part *p = &L->parts[i];
        if (!p->assigned || p->wm.last_submitted < 0)
            continue;
        int64_t high = up_consumer_high_watermark(L->consumer, L->topics[p->topic], p->partition);
        if (high > p->wm.last_submitted + 1) {
            L->kick_next = i + 1;
            return p;
        }
    }
    return NULL;
}

/* Kafka had nothing ready although the window has room and a partition has more: the
 * fetcher is sitting out librdkafka 2.0's up-to-a-second pause (see up_consumer_kick_fetcher).
 * Wake it, at most every KICK_PERIOD_MS; the kick runs on the consumer's helper thread. Kicks
 * that bring nothing (a high watermark that stays above the last record, e.g. after a
 * transaction marker) double the period, up to a second, so an idle consumer does not send a
 * request every few milliseconds. */
static void kick_if_starved(struct loop *L, int64_t now, int taken)
{
    if (taken > 0) {
        L->fruitless_kicks = 0;
        return;
    }
    unsigned shift = L->fruitless_kicks < 8 ? L->fruitless_kicks : 8;
    int64_t period = (int64_t)KICK_PERIOD_MS << shift;
    if (period > 1000)
        period = 1000;
    if (now - L->last_kick_ms < period || L->window.paused || !up_window_has_room(&L->window))
        return;
    L->last_kick_ms = now;
    struct part *p = starved_partition(L);
    if (p) {
        up_consumer_kick_fetcher(L->consumer, L->topics[p->topic], p->partition);
        L->fruitless_kicks++;
    }
}

/* ---------------------------------------------------------------------------- offsets */

static void store_offsets(struct loop *L)
{
    for (size_t i = 0; i < L->nparts; i++) {
        struct part *p = &L->parts[i];
        int64_t c = up_watermark_committable(&p->wm);
        if (!p->assigned || c <= p->stored)
            continue;
        char err[256];
        if (up_consumer_store(L->consumer, L->topics[p->topic], p->partition, c, err, sizeof err) ==
            0)
            p->stored = c;
        else
            UP_DEBUG("%s", err);
    }
}

/* One turn of everything but consuming: retries, completions, offsets. */
static void service(struct loop *L)
{
    batch_begins(L);
    lane_service(L, &L->writes);
    lane_service(L, &L->dead_letters);
    L->cfg->sink.poll(L->cfg->sink.ctx, 0);
    up_dlq_poll(L->dlq, 0);
    store_offsets(L);
}

static int lane_wait_ms(const struct lane *lane, int64_t now)
{
    if (!lane->head || (lane->failing && lane->probe_out))
        return WAIT_MAX_MS;
    int64_t d = lane->next_try_ms - now;
    return d < 0 ? 0 : d > WAIT_MAX_MS ? WAIT_MAX_MS : (int)d;
}

/* Sleeps until the sink, the DLQ, Kafka (when we would take messages) or a stop request
 * has something, or a retry is due; at most WAIT_MAX_MS. */
static void wait_for_events(struct loop *L, bool watch_kafka)
{
    struct pollfd fds[4];
    nfds_t n = 0;
    int sink_fd = L->cfg->sink.fd ? L->cfg->sink.fd(L->cfg->sink.ctx) : -1;
    if (sink_fd >= 0)
        fds[n++] = (struct pollfd){.fd = sink_fd, .events = POLLIN};
    if (up_dlq_fd(L->dlq) >= 0)
        fds[n++] = (struct pollfd){.fd = up_dlq_fd(L->dlq), .events = POLLIN};
    if (watch_kafka)
        fds[n++] = (struct pollfd){.fd = L->wake_fd, .events = POLLIN};
    if (!L->stopping && up_stop_fd() >= 0)
        fds[n++] = (struct pollfd){.fd = up_stop_fd(), .events = POLLIN};
    int64_t now = up_mono_ms();
    int a = lane_wait_ms(&L->writes, now), b = lane_wait_ms(&L->dead_letters, now);
    poll(fds, n, a < b ? a : b);
}

/* -------------------------------------------------------------------------- rebalance */

static size_t pending_in(struct loop *L, const rd_kafka_topic_partition_list_t *parts)
{
    size_t n = 0;
    for (int i = 0; i < parts->cnt; i++) {
        struct part *p =
            part_get(L, topic_index(L, parts->elems[i].topic), parts->elems[i].partition, false);
        if (p && p->assigned)
            n += up_watermark_in_flight(&p->wm);
    }
    return n;
}

static void on_assigned(void *ctx, const rd_kafka_topic_partition_list_t *parts)
{
    struct loop *L = ctx;
    for (int i = 0; i < parts->cnt; i++) {
        struct part *p =
            part_get(L, topic_index(L, parts->elems[i].topic), parts->elems[i].partition, true);
        if (!p)
            continue;
        p->assigned = true;
        p->generation++;
        p->stored = -1;
        up_watermark_reset(&p->wm);
        if (L->m.lag_family && !p->lag) {
            char partition[16];
            snprintf(partition, sizeof partition, "%d", parts->elems[i].partition);
            const char *labels[] = {L->topics[p->topic], partition};
            p->lag = up_metric_labels(L->m.lag_family, labels);
        }
    }
    L->ever_assigned = true;
    if (L->window.paused) /* new partitions start fetching unless told otherwise */
        up_consumer_pause(L->consumer, parts);
    L->last_activity_ms = up_mono_ms();
}

/* Finish the revoked partitions' records (bounded by the drain timeout), store their
 * offsets, then forget them; anything unfinished is re-read by the next owner. */
static void on_revoking(void *ctx, const rd_kafka_topic_partition_list_t *parts, bool lost)
{
    struct loop *L = ctx;
    if (!lost) {
        int64_t deadline = up_mono_ms() + L->cfg->drain_timeout_ms;
        if (L->stopping && L->drain_deadline_ms < deadline)
            deadline = L->drain_deadline_ms;
        while (pending_in(L, parts) > 0 && up_mono_ms() < deadline) {
            service(L);
            if (pending_in(L, parts) > 0)
                wait_for_events(L, false);
        }
        store_offsets(L);
    }
    size_t abandoned = pending_in(L, parts);
    if (abandoned)
        UP_WARN("releasing %d partition(s) with %zu record(s) unfinished; the next owner reads "
                "them again from the committed offset",
                parts->cnt, abandoned);
    L->totals.abandoned += abandoned;
    for (int i = 0; i < parts->cnt; i++) {
        struct part *p =
            part_get(L, topic_index(L, parts->elems[i].topic), parts->elems[i].partition, false);
        if (!p)
            continue;
        p->assigned = false;
        p->generation++;
        up_watermark_reset(&p->wm);
        series_set(p->lag, 0);
    }
    lane_drop_stale(L, &L->writes);
    lane_drop_stale(L, &L->dead_letters);
}

/* ------------------------------------------------------------------- window, progress */

static void apply_window(struct loop *L, int64_t now)
{
    switch (up_window_decide(&L->window, now, L->writes.failing || L->dead_letters.failing)) {
    case UP_WINDOW_PAUSE:
        up_consumer_pause(L->consumer, NULL);
        series_set(L->m.paused, 1);
        UP_DEBUG("paused consumption (%zu in flight)", L->window.in_flight);
        break;
    case UP_WINDOW_RESUME:
        up_consumer_resume(L->consumer, NULL);
        series_set(L->m.paused, 0);
        UP_DEBUG("resumed consumption (%zu in flight)", L->window.in_flight);
        break;
    case UP_WINDOW_KEEP:
        break;
    }
}

static void update_lag(struct loop *L)
{
    int64_t total = 0;
    for (size_t i = 0; i < L->nparts; i++) {
        struct part *p = &L->parts[i];
        if (!p->assigned)
            continue;
        int64_t high = up_consumer_high_watermark(L->consumer, L->topics[p->topic], p->partition);
        int64_t position = p->stored >= 0 ? p->stored : up_watermark_oldest(&p->wm);
        if (high < 0 || position < 0)
            continue;
        int64_t lag = high > position ? high - position : 0;
        series_set(p->lag, (double)lag);
        total += lag;
    }
    L->lag_total = total;
}

static void log_progress(struct loop *L, int64_t now)
{
    double secs = (double)(now - L->last_progress_ms) / 1000.0;
    double rate = secs > 0 ? (double)(L->totals.stored - L->stored_at_last_progress) / secs : 0;
    UP_INFO("consumed=%" PRIu64 " stored=%" PRIu64 " dead_lettered=%" PRIu64
            " in_flight=%zu lag=%lld rows/s=%.0f%s%s",
            L->totals.consumed, L->totals.stored, L->totals.dead_lettered, L->window.in_flight,
            (long long)L->lag_total, rate, L->window.paused ? " paused" : "",
            L->writes.failing ? " cassandra-failing" : "");
    L->last_progress_ms = now;
    L->stored_at_last_progress = L->totals.stored;
}

static void periodic(struct loop *L, int64_t now)
{
    if (now >= L->next_lag_ms) {
        update_lag(L);
        L->next_lag_ms = now + LAG_PERIOD_MS;
    }
    if (L->cfg->progress_ms > 0 && now >= L->next_progress_ms) {
        log_progress(L, now);
        L->next_progress_ms = now + L->cfg->progress_ms;
    }
}

/* ------------------------------------------------------------------------------- run */

static int open_kafka(struct loop *L, char *err, size_t errlen)
{
    const struct up_stream_config *cfg = L->cfg;
    L->dlq = up_dlq_new(cfg->brokers, cfg->kafka_props, cfg->dlq_topic, cfg->dlq_partitions,
                        on_dlq_done, err, errlen);
    if (!L->dlq)
        return -1;
    struct up_consumer_config cc = {
        .brokers = cfg->brokers,
        .props = cfg->kafka_props,
        .group = cfg->group,
        .topics = L->topics,
        .ntopics = L->ntopics,
        .hooks = {on_assigned, on_revoking, L},
    };
    L->consumer = up_consumer_new(&cc, err, errlen);
    if (!L->consumer)
        return -1;
    L->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (L->wake_fd < 0) {
        snprintf(err, errlen, "eventfd: %s", strerror(errno));
        return -1;
    }
    up_consumer_wakeup_fd(L->consumer, L->wake_fd);
    return 0;
}

static void begin_stop(struct loop *L, const char *why)
{
    L->stopping = true;
    L->drain_deadline_ms = up_mono_ms() + L->cfg->drain_timeout_ms;
    UP_INFO("stopping (%s): draining %zu record(s) in flight", why, L->window.in_flight);
}

/* Idle: nothing taken or finished for exit_when_idle_ms since the group gave us
 * partitions (joining can take seconds); without any assignment, give up after 30 s more. */
static bool idle(const struct loop *L, int64_t now)
{
    int64_t idle_ms = L->cfg->exit_when_idle_ms;
    if (idle_ms <= 0 || L->window.in_flight > 0)
        return false;
    if (!L->ever_assigned)
        return now - L->started_ms >= idle_ms + 30000;
    return now - L->last_activity_ms >= idle_ms;
}

/* true when the loop should end now. */
static bool check_stop(struct loop *L, int64_t now, bool *drained)
{
    if (!L->stopping) {
        if (up_stop_requested())
            begin_stop(L, "signal");
        else if (idle(L, now))
            begin_stop(L, L->ever_assigned ? "idle" : "idle: no partition was ever assigned");
    }
    if (!L->stopping)
        return false;
    if (L->window.in_flight == 0) {
        *drained = true;
        return true;
    }
    if (now >= L->drain_deadline_ms) {
        UP_ERROR("drain timeout: %zu record(s) still unfinished; their offsets are not "
                 "committed, so they are read again on restart",
                 L->window.in_flight);
        *drained = false;
        return true;
    }
    return false;
}

static uint64_t activity(const struct loop *L)
{
    return L->totals.consumed + L->totals.stored + L->totals.dead_lettered +
           L->totals.write_retries + L->totals.dlq_retries;
}

static enum up_stream_result run_loop(struct loop *L, char *err, size_t errlen)
{
    bool drained = false;
    for (;;) {
        int64_t now = up_mono_ms();
        if (check_stop(L, now, &drained))
            break;
        if (up_consumer_failed(L->consumer, err, errlen))
            return UP_STREAM_FAILED;
        uint64_t before = activity(L);
        if (!L->stopping)
            kick_if_starved(L, now, consume(L));
        service(L);
        apply_window(L, now);
        periodic(L, now);
        if (activity(L) == before) {
            bool take = !L->stopping && (L->window.paused || up_window_has_room(&L->window));
            wait_for_events(L, take);
        }
    }
    store_offsets(L);
    char cerr[256];
    if (up_consumer_commit(L->consumer, cerr, sizeof cerr) != 0)
        UP_WARN("final %s", cerr);
    return drained ? UP_STREAM_DONE : UP_STREAM_NOT_DRAINED;
}

static void free_lane(struct loop *L, struct lane *lane)
{
    struct job *j;
    while ((j = lane_pop(lane))) {
        job_free_contents(L, j);
        free(j);
    }
}

static void free_spare_jobs(struct loop *L)
{
    while (L->spare_jobs) {
        struct job *j = L->spare_jobs;
        L->spare_jobs = j->next;
        free(j);
    }
    L->nspare = 0;
}

/* Ends everything in an order where no completion can reach freed state: the consumer
 * (its revoke hook still drains), then the sink and the DLQ (their pending completions
 * run now and land in the lanes), then the lanes and the partitions. */
static void teardown(struct loop *L)
{
    if (L->consumer) {
        up_consumer_wakeup_fd(L->consumer, -1);
        up_consumer_close(L->consumer);
    }
    if (L->wake_fd >= 0)
        close(L->wake_fd);
    for (size_t i = 0; i < L->nparts; i++) /* pending completions are stale from now on */
        L->parts[i].assigned = false;
    if (L->cfg->sink.close)
        L->cfg->sink.close(L->cfg->sink.ctx);
    up_dlq_free(L->dlq, 5000);
    free_lane(L, &L->writes);
    free_lane(L, &L->dead_letters);
    free_spare_jobs(L); /* last: the sink's and the DLQ's final completions release jobs */
    for (size_t i = 0; i < L->nparts; i++)
        up_watermark_free(&L->parts[i].wm);
    free(L->parts);
}

enum up_stream_result up_stream_run(const struct up_stream_config *cfg,
                                    struct up_stream_totals *totals, char *err, size_t errlen)
{
    struct loop L;
    memset(&L, 0, sizeof L);
    L.cfg = cfg;
    L.topics = cfg->ntopics ? cfg->topics : &cfg->topic;
    L.ntopics = cfg->ntopics ? cfg->ntopics : 1;
    L.wake_fd = -1;
    metrics_init(&L.m, cfg->metrics);
    up_window_init(&L.window, cfg->in_flight, cfg->pause_after_ms);
    lane_init(&L.writes, "Cassandra write", cfg, &L.totals.write_retries, L.m.write_retries);
    lane_init(&L.dead_letters, "DLQ send", cfg, &L.totals.dlq_retries, L.m.dlq_retries);
    L.started_ms = L.last_activity_ms = L.last_progress_ms = up_mono_ms();
    L.next_progress_ms = L.started_ms + cfg->progress_ms;

    enum up_stream_result res = UP_STREAM_FAILED;
    if (open_kafka(&L, err, errlen) == 0) {
        UP_INFO("consuming %s%s as group %s; bad records go to %s; at most %zu in flight",
                L.topics[0], L.ntopics > 1 ? " and more topics" : "", cfg->group, cfg->dlq_topic,
                cfg->in_flight);
        res = run_loop(&L, err, errlen);
    }
    teardown(&L);
    L.totals.seconds = (double)(up_mono_ms() - L.started_ms) / 1000.0;
    if (L.first_take_us && L.last_finish_us > L.first_take_us)
        L.totals.active_seconds = (double)(L.last_finish_us - L.first_take_us) / 1e6;
    if (totals)
        *totals = L.totals;
    return res;
}
