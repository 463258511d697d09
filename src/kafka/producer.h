/* kafka/producer: a thin librdkafka producer that never loses a message silently.
 * Idempotent (acks=all, ordered retries, one request in flight), lz4, linger tuned for
 * throughput; a success without an offset is reported as a failure; every
 * -X property overrides those defaults. Delivery reports are counted and handed to a
 * callback from up_producer_poll/flush on the caller's thread; QUEUE_FULL is absorbed
 * by polling; a fatal error (idempotence broken, fenced) or one only new settings can cure
 * (a refused login, a certificate that does not verify) is kept and surfaced.
 * Knows nothing of users or pipelines: keys, values and headers are bytes. */
#ifndef UP_KAFKA_PRODUCER_H
#define UP_KAFKA_PRODUCER_H

#include "core/flags.h"

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The error of a report that librdkafka gave as a success without an offset: the message
 * may or may not be in the log (producer.c says when that happens). */
#define UP_DELIVERY_UNCONFIRMED RD_KAFKA_RESP_ERR__INCONSISTENT

/* One delivery report. */
struct up_delivery {
    rd_kafka_resp_err_t err; /* RD_KAFKA_RESP_ERR_NO_ERROR when the broker acknowledged it */
    const char *topic;
    int32_t partition;
    int64_t offset;
    int64_t latency_us; /* from up_producer_send to the acknowledgement */
    void *opaque;       /* what the caller passed to up_producer_send */
};

typedef void (*up_delivery_fn)(void *ctx, const struct up_delivery *d);

struct up_producer_config {
    const char *brokers;
    const struct up_str_list *props; /* "key=value" (-X), applied after the defaults */
    const char *client_id;           /* NULL = "userpipe" */
    up_delivery_fn on_delivery;      /* may be NULL */
    void *ctx;
    /* Polled while waiting for room in a full queue: true gives up the send. May be NULL. */
    bool (*should_stop)(void *ctx);
};

/* The defaults applied before -X, as key, value pairs ending with NULL. */
extern const char *const up_producer_defaults[];

struct up_producer;

/* NULL + err on a bad or conflicting property (a usage error for the caller: the text
 * is librdkafka's) or when librdkafka cannot start. */
struct up_producer *up_producer_new(const struct up_producer_config *cfg, char *err, size_t errlen);
/* Destroys the handle without flushing: flush first. */
void up_producer_free(struct up_producer *p);
rd_kafka_t *up_producer_handle(struct up_producer *p);

struct up_header {
    const char *name;
    const void *value;
    size_t len;
};

enum up_send_result {
    UP_SEND_OK = 0,
    UP_SEND_STOPPED,  /* should_stop said so while the queue was full; nothing queued */
    UP_SEND_FATAL,    /* the producer is in a fatal state; see up_producer_fatal */
    UP_SEND_REJECTED, /* librdkafka refused this message (e.g. too large); err says why */
};

/* Queues one message (copied). Blocks while the local queue is full, serving
 * delivery reports meanwhile. */
enum up_send_result up_producer_send(struct up_producer *p, const char *topic, const void *key,
                                     size_t key_len, const void *value, size_t value_len,
                                     const struct up_header *headers, size_t nheaders, void *opaque,
                                     char *err, size_t errlen);

/* Serves delivery reports and errors for up to timeout_ms (0 = only what is ready). */
void up_producer_poll(struct up_producer *p, int timeout_ms);

/* Waits until every queued message has a delivery report, for up to timeout_ms; then
 * purges what is left so that it too is reported (as failed). Returns how many
 * messages were purged (0 = everything got its report in time). */
long up_producer_flush(struct up_producer *p, int64_t timeout_ms);

/* Messages queued or in flight, not yet reported. */
long up_producer_outstanding(struct up_producer *p);

struct up_producer_counts {
    uint64_t sent;        /* accepted by up_producer_send */
    uint64_t delivered;   /* acknowledged by the broker */
    uint64_t failed;      /* reported with an error (after librdkafka's own retries) */
    uint64_t unconfirmed; /* reported delivered without an offset: counted in failed too */
};
void up_producer_counts(const struct up_producer *p, struct up_producer_counts *out);

/* Waits until the cluster answers (a metadata request for its brokers), for up to timeout_ms,
 * serving the error callback meanwhile: a refused login, a certificate that does not verify
 * or a TLS/plaintext mismatch ends the wait at once. 0, or -1 + the cause in err. */
int up_producer_connect(struct up_producer *p, int timeout_ms, char *err, size_t errlen);

/* True (and the reason in err) once librdkafka raised a fatal error, or an error that only a
 * change of settings can cure (up_kafka_config_error: a refused login, a bad certificate). */
bool up_producer_fatal(struct up_producer *p, char *err, size_t errlen);
/* The last broker/transport error seen ("" when none), e.g. for "cannot reach Kafka". */
void up_producer_last_error(struct up_producer *p, char *err, size_t errlen);

#endif
