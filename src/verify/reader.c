/* verify/reader: a topic's range read once with librdkafka's simple consumer (reader.h). */
#include "verify/reader.h"

#include "core/buf.h"
#include "kafka/partitions.h"

#include <stdio.h>
#include <stdlib.h>

#define DEFAULT_TIMEOUT_MS 10000

struct up_vreader {
    rd_kafka_t *rk;
    rd_kafka_topic_t *rkt;
    rd_kafka_queue_t *queue;
    struct up_vreader_range *ranges;
    size_t n, started, ndone;
    int64_t since_ms, until_ms;
};

static const char *const reader_defaults[] = {
    "client.id",
    "userpipe-verify",
    /* the end of a partition that ends in a transaction marker or a compacted gap is seen
     * only as an EOF event: the offset of the last record is never handed over */
    "enable.partition.eof",
    "true",
    /* records removed by retention after the watermarks were read: an error, never a silent
     * jump to the end (which would leave them unverified without a word) */
    "auto.offset.reset",
    "error",
    "fetch.wait.max.ms",
    "100",
    /* the prefetch is per partition and counts against verify's memory bound: 4 MiB, and
     * fetching again 10 ms after the queue drains below it instead of librdkafka's 1 s (with
     * the default, 300,000 users records on 6 partitions read at 22,000/s; with 10 ms, over
     * 200,000/s, at the same RSS) */
    "queued.max.messages.kbytes",
    "4096",
    "fetch.queue.backoff.ms",
    "10",
    "log_level",
    "4",
    NULL,
};

/* The partitions to read, with their watermarks. */
static int select_partitions(rd_kafka_t *rk, const struct up_vreader_config *cfg, int timeout_ms,
                             struct up_partition_offsets **parts, size_t *n, char *err,
                             size_t errlen)
{
    if (up_partitions_of_topic(rk, cfg->topic, timeout_ms, parts, n, err, errlen) != 0)
        return -1;
    if (cfg->partition >= 0) {
        size_t i = 0;
        while (i < *n && (*parts)[i].partition != cfg->partition)
            i++;
        if (i == *n) {
            snprintf(err, errlen, "topic '%s' has no partition %d (it has %zu)", cfg->topic,
                     cfg->partition, *n);
            return -1;
        }
        (*parts)[0] = (*parts)[i];
        *n = 1;
    }
    return up_partitions_watermarks(rk, cfg->topic, *parts, *n, timeout_ms, err, errlen);
}

/* [start, end) of each partition from the watermarks and the bounds asked for. */
static int resolve_ranges(struct up_vreader *r, const struct up_vreader_config *cfg,
                          struct up_partition_offsets *parts, int timeout_ms, char *err,
                          size_t errlen)
{
    int64_t *since = NULL;
    if (cfg->since_ms >= 0) {
        since = up_xcalloc(r->n, sizeof *since);
        if (up_partitions_offsets_for(r->rk, cfg->topic, parts, r->n, cfg->since_ms, since,
                                      timeout_ms, err, errlen) != 0) {
            free(since);
            return -1;
        }
    }
    for (size_t i = 0; i < r->n; i++) {
        struct up_vreader_range *g = &r->ranges[i];
        g->partition = parts[i].partition;
        g->start = parts[i].low;
        g->end = parts[i].high;
        if (cfg->from_offset > g->start)
            g->start = cfg->from_offset;
        if (since)
            g->start = since[i] < 0 ? g->end : (since[i] > g->start ? since[i] : g->start);
        if (cfg->to_offset >= 0 && cfg->to_offset + 1 < g->end)
            g->end = cfg->to_offset + 1;
        if (g->start > g->end)
            g->start = g->end;
        g->next = g->start;
        g->done = g->start >= g->end;
        r->ndone += g->done;
    }
    free(since);
    return 0;
}

static int start_fetching(struct up_vreader *r, const char *topic, char *err, size_t errlen)
{
    r->rkt = rd_kafka_topic_new(r->rk, topic, NULL);
    if (!r->rkt) {
        snprintf(err, errlen, "topic '%.40s': %s", topic, rd_kafka_err2str(rd_kafka_last_error()));
        return -1;
    }
    r->queue = rd_kafka_queue_new(r->rk);
    for (size_t i = 0; i < r->n; i++) {
        const struct up_vreader_range *g = &r->ranges[i];
        if (g->done)
            continue;
        if (rd_kafka_consume_start_queue(r->rkt, g->partition, g->start, r->queue) != 0) {
            snprintf(err, errlen, "start fetching '%s' [%d]: %s", topic, g->partition,
                     rd_kafka_err2str(rd_kafka_last_error()));
            return -1;
        }
        r->started = i + 1;
    }
    return 0;
}

struct up_vreader *up_vreader_open(const struct up_vreader_config *cfg, char *err, size_t errlen)
{
    int timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS;
    rd_kafka_t *rk =
        up_partitions_handle_new(cfg->brokers, cfg->props, reader_defaults, err, errlen);
    if (!rk)
        return NULL;
    struct up_partition_offsets *parts = NULL;
    size_t n = 0;
    if (select_partitions(rk, cfg, timeout_ms, &parts, &n, err, errlen) != 0) {
        free(parts);
        rd_kafka_destroy(rk);
        return NULL;
    }
    struct up_vreader *r = up_xcalloc(1, sizeof *r);
    r->rk = rk;
    r->n = n;
    r->ranges = up_xcalloc(n ? n : 1, sizeof *r->ranges);
    r->since_ms = cfg->since_ms;
    r->until_ms = cfg->until_ms;
    int rc = resolve_ranges(r, cfg, parts, timeout_ms, err, errlen);
    free(parts);
    if (rc == 0)
        rc = start_fetching(r, cfg->topic, err, errlen);
    if (rc != 0) {
        up_vreader_close(r);
        return NULL;
    }
    return r;
}

void up_vreader_close(struct up_vreader *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->started; i++)
        if (r->ranges[i].start < r->ranges[i].end) /* the empty ones were never started */
            rd_kafka_consume_stop(r->rkt, r->ranges[i].partition);
    if (r->queue)
        rd_kafka_queue_destroy(r->queue);
    if (r->rkt)
        rd_kafka_topic_destroy(r->rkt);
    rd_kafka_destroy(r->rk);
    free(r->ranges);
    free(r);
}

size_t up_vreader_ranges(const struct up_vreader *r)
{
    return r->n;
}

const struct up_vreader_range *up_vreader_range(const struct up_vreader *r, size_t i)
{
    return &r->ranges[i];
}

uint64_t up_vreader_total(const struct up_vreader *r)
{
    uint64_t total = 0;
    for (size_t i = 0; i < r->n; i++)
        total += (uint64_t)(r->ranges[i].end - r->ranges[i].start);
    return total;
}

bool up_vreader_done(const struct up_vreader *r)
{
    return r->ndone == r->n;
}

static struct up_vreader_range *range_of(struct up_vreader *r, int32_t partition)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->ranges[i].partition == partition)
            return &r->ranges[i];
    return NULL;
}

static void finish(struct up_vreader *r, struct up_vreader_range *g)
{
    if (!g->done) {
        g->done = true;
        r->ndone++;
    }
}

/* A message carrying an error: EOF ends its partition; fatal ones end the read. */
static int on_error(struct up_vreader *r, const rd_kafka_message_t *m, char *err, size_t errlen)
{
    struct up_vreader_range *g = range_of(r, m->partition);
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (g && m->offset >= g->end - 1) /* EOF at or past the end read at open */
            finish(r, g);
        return 0;
    }
    bool fatal = m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                 m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
                 m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
                 m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE ||
                 m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET ||
                 m->err == RD_KAFKA_RESP_ERR__FATAL;
    if (!fatal)
        return 0; /* transient: librdkafka retries */
    snprintf(err, errlen, "reading partition %d: %s", m->partition, rd_kafka_message_errstr(m));
    return -1;
}

static bool in_time(const struct up_vreader *r, const rd_kafka_message_t *m)
{
    int64_t ts = rd_kafka_message_timestamp(m, NULL);
    if (r->since_ms >= 0 && ts < r->since_ms)
        return false;
    return r->until_ms < 0 || ts <= r->until_ms;
}

int up_vreader_poll(struct up_vreader *r, int timeout_ms, int max_records, up_vreader_fn fn,
                    void *ctx, char *err, size_t errlen)
{
    int scanned = 0;
    while (scanned < max_records && !up_vreader_done(r)) {
        rd_kafka_message_t *m = rd_kafka_consume_queue(r->queue, scanned == 0 ? timeout_ms : 0);
        if (!m)
            break;
        int rc = m->err ? on_error(r, m, err, errlen) : 0;
        struct up_vreader_range *g = m->err ? NULL : range_of(r, m->partition);
        if (g && !g->done && m->offset < g->end) {
            scanned++;
            g->next = m->offset + 1;
            if (in_time(r, m))
                fn(ctx, m);
            if (g->next >= g->end)
                finish(r, g);
        }
        rd_kafka_message_destroy(m);
        if (rc != 0)
            return -1;
    }
    return scanned;
}
