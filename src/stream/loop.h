/* stream/loop: the stream processor. One thread, one poll() over the Kafka consumer, the
 * sink and the DLQ producer:
 *
 *   poll Kafka -> the sink prepares its rows -> write them (sink) or dead-letter it (dlq)
 *     -> completions -> per-partition watermark -> rd_kafka_offsets_store -> auto-commit
 *
 * Guarantees (docs/design.md "Delivery guarantees"): an offset is stored only when every record
 * below it is acknowledged by the sink or by the DLQ topic; a failed write or DLQ send is
 * retried with backoff until it succeeds (nothing is skipped) while consumption is paused;
 * the in-flight window is bounded; on revoke the partition's writes are finished (within
 * the drain timeout) and its offsets committed before it is released; a stop request
 * (SIGINT/SIGTERM, --exit-when-idle) stops polling, drains, commits. */
#ifndef UP_STREAM_LOOP_H
#define UP_STREAM_LOOP_H

#include "core/flags.h"
#include "core/metrics.h"
#include "stream/sink.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct up_stream_config {
    const char *brokers;
    const struct up_str_list *kafka_props; /* -X, for the consumer and the DLQ producer */
    const char *topic;
    /* More than one topic (a --mapping file's): these, and topic is ignored. ntopics 0: topic. */
    const char *const *topics;
    size_t ntopics;
    const char *group;
    const char *dlq_topic;
    int dlq_partitions;                  /* when the DLQ topic must be created */
    struct up_sink sink;                 /* connected; the loop does not close it */
    size_t in_flight;                    /* records submitted and not finished, at most */
    int64_t exit_when_idle_ms;           /* stop after this long with nothing consumed; 0 = never */
    int64_t drain_timeout_ms;            /* at stop and on revoke: how long to wait for writes */
    int64_t progress_ms;                 /* progress log line period; 0 = none */
    int64_t pause_after_ms;              /* window full this long -> pause the partitions */
    int64_t retry_base_ms, retry_max_ms; /* backoff for failed writes and DLQ sends */
    struct up_registry *metrics;         /* userpipe_stream_* series; NULL = none */
};

/* Fills the defaults (in-flight 512, drain 30 s, progress 5 s, ...);
 * the caller sets brokers, topic, group, dlq_topic and sink. */
void up_stream_config_init(struct up_stream_config *cfg);

struct up_stream_totals {
    uint64_t consumed;      /* records taken from Kafka (redeliveries not counted) */
    uint64_t stored;        /* rows acknowledged by the sink */
    uint64_t dead_lettered; /* records acknowledged by the DLQ topic */
    uint64_t redeliveries;  /* records Kafka handed out again while tracked: skipped */
    uint64_t write_retries; /* failed writes sent again */
    uint64_t dlq_retries;   /* failed DLQ sends sent again */
    uint64_t abandoned;     /* unfinished at revoke or exit: re-read by the next owner */
    double seconds;         /* the whole run, start to exit */
    double active_seconds;  /* first record taken to last record finished: the rate's base */
};

enum up_stream_result {
    UP_STREAM_DONE = 0,        /* stopped and drained: everything taken was finished */
    UP_STREAM_NOT_DRAINED = 1, /* stopped, but writes were still failing at the deadline */
    UP_STREAM_FAILED = -1,     /* could not start, or a fatal Kafka error; err says why */
};

/* Runs until up_stop_requested() (core/signals) or idle. totals may be NULL. */
enum up_stream_result up_stream_run(const struct up_stream_config *cfg,
                                    struct up_stream_totals *totals, char *err, size_t errlen);

#endif
