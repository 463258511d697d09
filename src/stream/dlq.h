/* stream/dlq: the dead-letter queue. A record that fails validation is produced to the
 * DLQ topic with its original key and value untouched and headers that say why and where
 * it came from:
 *   userpipe.error.reason     reason code ("missing_field", ...)
 *   userpipe.error.detail     one printable line ("field 'email' is missing")
 *   userpipe.source.topic     topic the record was read from
 *   userpipe.source.partition partition, decimal
 *   userpipe.source.offset    offset, decimal
 *   userpipe.source.timestamp the record's timestamp, ms since the epoch, decimal
 * and, for records refused by a --mapping sink:
 *   userpipe.error.stage      parse (the key or value could not be read) or mapping (a field
 *                             could not fill its column)
 *   userpipe.target.table     keyspace.table the record was headed for, when known
 * and, for records Cassandra refused at write time (stage write, stream/write_class.h):
 *   userpipe.error.code       the CQL error code, hex ("0x2200")
 *   userpipe.error.attempts   writes of the record so far, decimal (redrive adds its own)
 *   userpipe.error.redrive    the `userpipe redrive` run that sent it back (only then)
 * then the record's own headers, as they were (but any named userpipe.*: those are ours).
 * The producer is idempotent with acks=all (kafka/producer). The loop counts a DLQ send as
 * finished only when the broker acknowledged it, so an offset never passes a bad record
 * whose DLQ copy could still be lost. Completions run from up_dlq_poll(). */
#ifndef UP_STREAM_DLQ_H
#define UP_STREAM_DLQ_H

#include "core/flags.h"
#include "kafka/producer.h"

#include <librdkafka/rdkafka.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UP_DLQ_HEADER_REASON    "userpipe.error.reason"
#define UP_DLQ_HEADER_DETAIL    "userpipe.error.detail"
#define UP_DLQ_HEADER_TOPIC     "userpipe.source.topic"
#define UP_DLQ_HEADER_PARTITION "userpipe.source.partition"
#define UP_DLQ_HEADER_OFFSET    "userpipe.source.offset"
#define UP_DLQ_HEADER_TIMESTAMP "userpipe.source.timestamp"
#define UP_DLQ_HEADER_STAGE     "userpipe.error.stage"
#define UP_DLQ_HEADER_TARGET    "userpipe.target.table"
#define UP_DLQ_HEADER_CODE      "userpipe.error.code"
#define UP_DLQ_HEADER_ATTEMPTS  "userpipe.error.attempts"
#define UP_DLQ_HEADER_REDRIVE   "userpipe.error.redrive"

struct up_dlq;

enum up_dlq_outcome {
    UP_DLQ_DELIVERED, /* acknowledged by the broker */
    UP_DLQ_FAILED,    /* not delivered (timeout, broker down): send it again later */
    UP_DLQ_TOO_LARGE, /* the DLQ topic refuses a message this large: send it without value */
};

/* error is NULL when delivered. */
typedef void (*up_dlq_done_fn)(void *opaque, enum up_dlq_outcome outcome, const char *error);

struct up_dlq_record {
    const void *key; /* may be NULL */
    size_t key_len;
    const void *value; /* may be NULL */
    size_t value_len;
    const char *source_topic;
    int32_t source_partition;
    int64_t source_offset;
    int64_t source_timestamp_ms; /* -1: none */
    const char *reason;
    const char *detail;
    const char *stage;       /* NULL: no stage header */
    const char *target;      /* NULL or "": no target header */
    uint32_t code;           /* 0: no code header */
    unsigned attempts;       /* 0: no attempts header */
    const char *redrive;     /* NULL, or the redrive run that sends it back (for --follow) */
    rd_kafka_headers_t *own; /* the record's own headers, or NULL */
};

/* The record's own headers in h, for a copy of it: all but userpipe.*, at most max, in order.
 * The names and values point into h. */
#define UP_DLQ_MAX_OWN_HEADERS 64
size_t up_dlq_own_headers(rd_kafka_headers_t *h, struct up_header *out, size_t max);

/* Creates the producer and the DLQ topic if it is absent (partitions as given, the
 * broker's replication factor). NULL + err on a bad -X property or an unreachable
 * cluster (err says which). */
struct up_dlq *up_dlq_new(const char *brokers, const struct up_str_list *props, const char *topic,
                          int partitions, up_dlq_done_fn done, char *err, size_t errlen);
/* Waits up to timeout_ms for outstanding deliveries (their completions run), then frees. */
void up_dlq_free(struct up_dlq *d, int64_t timeout_ms);

/* Queues one record (copied). UP_DLQ_DELIVERED here means "queued": done(opaque, ...)
 * will run exactly once from up_dlq_poll. Otherwise nothing was queued and err says why:
 * UP_DLQ_TOO_LARGE when librdkafka refused the message itself, UP_DLQ_FAILED when the
 * producer is in a fatal state. */
enum up_dlq_outcome up_dlq_send(struct up_dlq *d, const struct up_dlq_record *r, void *opaque,
                                char *err, size_t errlen);
void up_dlq_poll(struct up_dlq *d, int timeout_ms);
/* Readable when up_dlq_poll has delivery reports to serve. */
int up_dlq_fd(const struct up_dlq *d);
long up_dlq_outstanding(struct up_dlq *d);
const char *up_dlq_topic(const struct up_dlq *d);

#endif
