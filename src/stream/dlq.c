/* stream/dlq: bad records to the DLQ topic through kafka/producer, headers attached. */
#include "stream/dlq.h"

#include "core/buf.h"
#include "core/log.h"
#include "kafka/admin.h"
#include "kafka/config.h"
#include "kafka/producer.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct up_dlq {
    struct up_producer *producer;
    char *topic;
    up_dlq_done_fn done;
    int event_fd;
    char why[600]; /* the last refusal's text, named for people (on_delivery) */
};

/* Applied before the user's -X: a DLQ send holds an offset back, so it should not wait
 * 50 ms for a batch, and bad records are rare enough not to need a large buffer. */
static const char *const dlq_overrides[] = {"linger.ms=5", "queue.buffering.max.kbytes=16384"};

static void on_delivery(void *ctx, const struct up_delivery *d)
{
    struct up_dlq *q = ctx;
    enum up_dlq_outcome outcome = UP_DLQ_DELIVERED;
    if (d->err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
        outcome = UP_DLQ_TOO_LARGE;
    else if (d->err)
        outcome = UP_DLQ_FAILED;
    const char *why = d->err ? rd_kafka_err2str(d->err) : NULL;
    if (d->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
        char login[400];
        up_kafka_login(up_producer_handle(q->producer), login, sizeof login);
        snprintf(q->why, sizeof q->why, "%s: %s lacks the ACL WRITE on topic '%s'", why, login,
                 q->topic);
        why = q->why;
    }
    q->done(d->opaque, outcome, why);
}

static struct up_producer *make_producer(struct up_dlq *q, const char *brokers,
                                         const struct up_str_list *props, char *err, size_t errlen)
{
    struct up_str_list all = {0};
    for (size_t i = 0; i < sizeof dlq_overrides / sizeof dlq_overrides[0]; i++)
        up_str_list_push(&all, dlq_overrides[i]);
    for (size_t i = 0; props && i < props->len; i++)
        up_str_list_push(&all, props->items[i]);
    struct up_producer_config cfg = {
        .brokers = brokers,
        .props = &all,
        .client_id = "userpipe-stream-dlq",
        .on_delivery = on_delivery,
        .ctx = q,
    };
    struct up_producer *p = up_producer_new(&cfg, err, errlen);
    up_str_list_free(&all);
    return p;
}

struct up_dlq *up_dlq_new(const char *brokers, const struct up_str_list *props, const char *topic,
                          int partitions, up_dlq_done_fn done, char *err, size_t errlen)
{
    struct up_dlq *q = up_xcalloc(1, sizeof *q);
    q->done = done;
    q->event_fd = -1;
    q->producer = make_producer(q, brokers, props, err, errlen);
    if (!q->producer) {
        free(q);
        return NULL;
    }
    q->topic = up_xstrdup(topic);
    bool created = false;
    char why[1024];
    if (up_producer_connect(q->producer, 30000, why, sizeof why) != 0) {
        snprintf(err, errlen, "Kafka at %s: %s", brokers, why);
        up_dlq_free(q, 0);
        return NULL;
    }
    if (up_kafka_ensure_topic(up_producer_handle(q->producer), topic, partitions, -1, 30000,
                              &created, err, errlen) != 0) {
        up_dlq_free(q, 0);
        return NULL;
    }
    if (created)
        UP_INFO("dlq: created topic %s with %d partition(s)", topic, partitions);
    q->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (q->event_fd >= 0) {
        static const uint64_t one = 1;
        rd_kafka_queue_t *main_queue = rd_kafka_queue_get_main(up_producer_handle(q->producer));
        rd_kafka_queue_io_event_enable(main_queue, q->event_fd, &one, sizeof one);
        rd_kafka_queue_destroy(main_queue);
    }
    return q;
}

void up_dlq_free(struct up_dlq *q, int64_t timeout_ms)
{
    if (!q)
        return;
    long lost = up_producer_flush(q->producer, timeout_ms);
    if (lost > 0)
        UP_WARN("dlq: %ld record(s) not acknowledged at exit; their offsets were not committed, "
                "so they are read again on restart",
                lost);
    if (q->event_fd >= 0) {
        rd_kafka_queue_t *main_queue = rd_kafka_queue_get_main(up_producer_handle(q->producer));
        rd_kafka_queue_io_event_enable(main_queue, -1, NULL, 0);
        rd_kafka_queue_destroy(main_queue);
        close(q->event_fd);
    }
    up_producer_free(q->producer);
    free(q->topic);
    free(q);
}

enum up_dlq_outcome up_dlq_send(struct up_dlq *q, const struct up_dlq_record *r, void *opaque,
                                char *err, size_t errlen)
{
    char partition[16], offset[24], timestamp[24], code[16], attempts[16];
    snprintf(partition, sizeof partition, "%" PRId32, r->source_partition);
    snprintf(offset, sizeof offset, "%" PRId64, r->source_offset);
    snprintf(timestamp, sizeof timestamp, "%" PRId64, r->source_timestamp_ms);
    struct up_header headers[11 + UP_DLQ_MAX_OWN_HEADERS] = {
        {UP_DLQ_HEADER_REASON, r->reason, strlen(r->reason)},
        {UP_DLQ_HEADER_DETAIL, r->detail, strlen(r->detail)},
        {UP_DLQ_HEADER_TOPIC, r->source_topic, strlen(r->source_topic)},
        {UP_DLQ_HEADER_PARTITION, partition, strlen(partition)},
        {UP_DLQ_HEADER_OFFSET, offset, strlen(offset)},
    };
    size_t nheaders = 5;
    if (r->source_timestamp_ms >= 0)
        headers[nheaders++] =
            (struct up_header){UP_DLQ_HEADER_TIMESTAMP, timestamp, strlen(timestamp)};
    if (r->stage)
        headers[nheaders++] = (struct up_header){UP_DLQ_HEADER_STAGE, r->stage, strlen(r->stage)};
    if (r->target && r->target[0])
        headers[nheaders++] =
            (struct up_header){UP_DLQ_HEADER_TARGET, r->target, strlen(r->target)};
    if (r->code) {
        snprintf(code, sizeof code, "0x%04" PRIX32, r->code);
        headers[nheaders++] = (struct up_header){UP_DLQ_HEADER_CODE, code, strlen(code)};
    }
    if (r->attempts) {
        snprintf(attempts, sizeof attempts, "%u", r->attempts);
        headers[nheaders++] =
            (struct up_header){UP_DLQ_HEADER_ATTEMPTS, attempts, strlen(attempts)};
    }
    if (r->redrive)
        headers[nheaders++] =
            (struct up_header){UP_DLQ_HEADER_REDRIVE, r->redrive, strlen(r->redrive)};
    nheaders += up_dlq_own_headers(r->own, headers + nheaders, UP_DLQ_MAX_OWN_HEADERS);
    enum up_send_result res =
        up_producer_send(q->producer, q->topic, r->key, r->key_len, r->value, r->value_len, headers,
                         nheaders, opaque, err, errlen);
    if (res == UP_SEND_OK)
        return UP_DLQ_DELIVERED;
    return res == UP_SEND_REJECTED ? UP_DLQ_TOO_LARGE : UP_DLQ_FAILED;
}

size_t up_dlq_own_headers(rd_kafka_headers_t *h, struct up_header *out, size_t max)
{
    static const char ours[] = "userpipe.";
    size_t n = 0;
    const char *name;
    const void *v;
    size_t len;
    for (size_t i = 0; h && n < max && rd_kafka_header_get_all(h, i, &name, &v, &len) == 0; i++)
        if (strncmp(name, ours, sizeof ours - 1) != 0)
            out[n++] = (struct up_header){name, v, len};
    return n;
}

void up_dlq_poll(struct up_dlq *q, int timeout_ms)
{
    if (q->event_fd >= 0) {
        uint64_t n;
        ssize_t r = read(q->event_fd, &n, sizeof n); /* re-arm: librdkafka writes on non-empty */
        (void)r;
    }
    up_producer_poll(q->producer, timeout_ms);
}

int up_dlq_fd(const struct up_dlq *q)
{
    return q->event_fd;
}

long up_dlq_outstanding(struct up_dlq *q)
{
    return up_producer_outstanding(q->producer);
}

const char *up_dlq_topic(const struct up_dlq *q)
{
    return q->topic;
}
