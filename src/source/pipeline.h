/* source/pipeline: the produce loop of `userpipe produce`. Batches from the fetcher go
 * to Kafka: records to the topic (key = id), results that cannot be transformed to the
 * dead-letter topic with the reason in headers. It bounds the run (--count, --duration,
 * a SIGINT/SIGTERM), caps the rate with a token bucket, counts every delivery report,
 * flushes before returning and keeps the userpipe_produce_* metrics. */
#ifndef UP_SOURCE_PIPELINE_H
#define UP_SOURCE_PIPELINE_H

#include "core/flags.h"
#include "core/metrics.h"
#include "source/fetcher.h"

#include <stdbool.h>
#include <stdint.h>

/* Headers of the dead letters produce writes; reason and detail carry the same names as
 * the stream's (stream/dlq.h), so one DLQ reads the same whoever rejected the record. */
#define UP_PRODUCE_DLQ_REASON "userpipe.error.reason"
#define UP_PRODUCE_DLQ_DETAIL "userpipe.error.detail"
#define UP_PRODUCE_DLQ_STAGE  "userpipe.error.stage"

struct up_produce_stats {
    uint64_t fetched;       /* users received from the API (records + rejects) */
    uint64_t produced;      /* records queued to the topic */
    uint64_t delivered;     /* records acknowledged by the broker */
    uint64_t dead_lettered; /* rejects queued to the DLQ */
    uint64_t dlq_delivered; /* rejects acknowledged by the broker */
    uint64_t failed;        /* records or rejects whose delivery failed */
    uint64_t
        unconfirmed; /* reported delivered without an offset: also in failed (kafka/producer.h) */
    uint64_t pages;  /* API pages received */
    uint64_t http_retries;
    double elapsed_s;
};

struct up_pipeline_config {
    struct up_fetcher_config fetch;
    const char *brokers;
    const struct up_str_list *kafka_props; /* -X */
    const char *topic;
    const char *dlq;
    int partitions;           /* for topics we create */
    int replication_factor;   /* idem */
    int64_t kafka_timeout_ms; /* startup checks: metadata, topic creation */
    int64_t duration_ms;      /* 0 = no limit */
    double rate;              /* users/s; 0 = no cap */
    int64_t flush_timeout_ms;
    struct up_registry *metrics; /* NULL = none */
    /* Called about every tick_ms from the loop's thread with the current counts. */
    void (*on_tick)(void *ctx, const struct up_produce_stats *s);
    void *ctx;
    int64_t tick_ms;
};

enum up_pipeline_end {
    UP_PIPELINE_COMPLETED,   /* --count reached, --duration elapsed or the plan ran out */
    UP_PIPELINE_INTERRUPTED, /* SIGINT/SIGTERM */
    UP_PIPELINE_FAILED,      /* the API or Kafka failed for good; see err */
};

struct up_pipeline;

/* Creates the producer. NULL + err on a bad -X property or conflicting setting
 * (a usage error: the text is librdkafka's). */
struct up_pipeline *up_pipeline_new(const struct up_pipeline_config *cfg, char *err, size_t errlen);
/* Ensures the topics, fetches and produces until the run ends, then flushes.
 * err is set when the end is UP_PIPELINE_FAILED, or when deliveries failed. */
enum up_pipeline_end up_pipeline_run(struct up_pipeline *p, char *err, size_t errlen);
void up_pipeline_stats(const struct up_pipeline *p, struct up_produce_stats *out);
void up_pipeline_free(struct up_pipeline *p);

/* A fresh random seed (16 hex digits), for runs without --seed. */
void up_pipeline_random_seed(char out[17]);

#endif
