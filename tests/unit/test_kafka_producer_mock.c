/* Unit tests for kafka/producer and kafka/admin on librdkafka's built-in mock cluster:
 * delivery accounting, -X errors, transient broker errors, a dead broker (failures are
 * reported, never silent), QUEUE_FULL absorbed by polling, flush purging, fatal errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "kafka/admin.h"
#include "kafka/producer.h"

#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A mock cluster lives inside a librdkafka handle of its own. */
struct mock {
    rd_kafka_t *owner;
    rd_kafka_mock_cluster_t *cluster;
    const char *brokers;
};

static void mock_start(struct mock *m, int nbrokers)
{
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
    m->owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    assert_non_null(m->owner);
    m->cluster = rd_kafka_mock_cluster_new(m->owner, nbrokers);
    assert_non_null(m->cluster);
    m->brokers = rd_kafka_mock_cluster_bootstraps(m->cluster);
    rd_kafka_mock_topic_create(m->cluster, "t", 4, 1);
}

static void mock_stop(struct mock *m)
{
    rd_kafka_mock_cluster_destroy(m->cluster);
    rd_kafka_destroy(m->owner);
}

struct seen {
    int reports, ok, errors;
    rd_kafka_resp_err_t last_err;
    uintptr_t opaque_sum;
    int64_t max_latency_us;
};

static void on_delivery(void *ctx, const struct up_delivery *d)
{
    struct seen *s = ctx;
    s->reports++;
    if (d->err) {
        s->errors++;
        s->last_err = d->err;
    } else {
        s->ok++;
        assert_string_equal(d->topic, "t");
        assert_true(d->offset >= 0);
    }
    s->opaque_sum += (uintptr_t)d->opaque;
    if (d->latency_us > s->max_latency_us)
        s->max_latency_us = d->latency_us;
}

static struct up_producer *producer(struct mock *m, struct seen *s, const char *const *props,
                                    bool (*stop)(void *))
{
    static struct up_str_list list;
    up_str_list_free(&list);
    up_str_list_push(&list, "log_level=0");
    for (size_t i = 0; props && props[i]; i++)
        up_str_list_push(&list, props[i]);
    struct up_producer_config cfg = {.brokers = m->brokers,
                                     .props = &list,
                                     .on_delivery = on_delivery,
                                     .ctx = s,
                                     .should_stop = stop};
    char err[512];
    struct up_producer *p = up_producer_new(&cfg, err, sizeof err);
    if (!p)
        fail_msg("producer: %s", err);
    return p;
}

static void send_n(struct up_producer *p, int n)
{
    char err[256];
    for (int i = 1; i <= n; i++) {
        char key[16], value[64];
        snprintf(key, sizeof key, "k%d", i);
        int vlen = snprintf(value, sizeof value, "{\"n\":%d}", i);
        const struct up_header h = {"h", "v", 1};
        assert_int_equal(up_producer_send(p, "t", key, strlen(key), value, (size_t)vlen, &h, 1,
                                          (void *)(uintptr_t)i, err, sizeof err),
                         UP_SEND_OK);
    }
}

/* Flushes p and checks that all n messages of send_n were delivered, each report once; the
 * producer's counts go to *c for the caller's own checks. */
static void assert_all_delivered(struct up_producer *p, const struct seen *s, int n,
                                 struct up_producer_counts *c)
{
    assert_int_equal(up_producer_flush(p, 10000), 0);
    up_producer_counts(p, c);
    assert_int_equal(c->delivered, n);
    assert_int_equal(c->failed, 0);
    assert_int_equal(s->ok, n);
    assert_int_equal(s->opaque_sum, (uintptr_t)n * (uintptr_t)(n + 1) / 2);
}

static void test_delivers_and_counts(void **state)
{
    (void)state;
    struct mock m;
    mock_start(&m, 3);
    struct seen s = {0};
    struct up_producer *p = producer(&m, &s, NULL, NULL);
    send_n(p, 1000);
    struct up_producer_counts c;
    assert_all_delivered(p, &s, 1000, &c); /* every opaque came back once */
    assert_int_equal(c.sent, 1000);
    assert_true(s.max_latency_us >= 0);
    assert_int_equal(up_producer_outstanding(p), 0);
    up_producer_free(p);
    mock_stop(&m);
}

static void test_property_errors(void **state)
{
    (void)state;
    struct up_str_list props = {0};
    up_str_list_push(&props, "no.such.property=1");
    struct up_producer_config cfg = {.brokers = "127.0.0.1:1", .props = &props};
    char err[512];
    assert_null(up_producer_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "no.such.property"));
    up_str_list_free(&props);
    /* Weakening the guarantee is refused when the producer starts. */
    up_str_list_push(&props, "acks=1");
    assert_null(up_producer_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "acks"));
    up_str_list_free(&props);
}

static void test_transient_errors_are_retried(void **state)
{
    (void)state;
    struct mock m;
    mock_start(&m, 3);
    rd_kafka_mock_push_request_errors(
        m.cluster, 0 /* ApiKey Produce */, 4, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE);
    struct seen s = {0};
    const char *props[] = {"retry.backoff.ms=10", NULL};
    struct up_producer *p = producer(&m, &s, props, NULL);
    send_n(p, 200);
    assert_int_equal(up_producer_flush(p, 20000), 0);
    assert_int_equal(s.ok, 200);
    assert_int_equal(s.errors, 0);
    up_producer_free(p);
    mock_stop(&m);
}

/* Messages in the mock's log for topic t, all partitions. */
static int64_t held_in_log(struct up_producer *p)
{
    int64_t held = 0;
    for (int part = 0; part < 4; part++) {
        int64_t lo, hi;
        assert_int_equal(
            rd_kafka_query_watermark_offsets(up_producer_handle(p), "t", part, &lo, &hi, 5000), 0);
        held += hi - lo;
    }
    return held;
}

/* n messages with one key (one partition), each its own batch (linger 0, one per batch). */
static void send_one_partition(struct up_producer *p, int n)
{
    char err[256];
    for (int i = 1; i <= n; i++)
        assert_int_equal(up_producer_send(p, "t", "same", 4, "{}", 2, NULL, 0, (void *)(uintptr_t)i,
                                          err, sizeof err),
                         UP_SEND_OK);
}

/* The loss of docs/kafka-delivery.md: the first batch is refused as not written (as a broker
 * refuses a partition that is not ready), the next one, already in flight, is written (the
 * mock, like a broker that holds no state for the producer, takes any sequence), and
 * librdkafka reports the first batch "implicitly acked" though it is not in the log. */
static void refused_then_overtaken(struct mock *m)
{
    rd_kafka_mock_broker_push_request_error_rtts(m->cluster, 1, 0 /* ApiKey Produce */, 2,
                                                 RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, 0,
                                                 RD_KAFKA_RESP_ERR_NO_ERROR, 300);
}

/* With one request in flight (the default) nothing can overtake the refused batch. */
static void test_refused_batch_is_not_overtaken(void **state)
{
    (void)state;
    struct mock m;
    mock_start(&m, 1);
    refused_then_overtaken(&m);
    struct seen s = {0};
    const char *props[] = {"linger.ms=0", "batch.num.messages=1", "retry.backoff.ms=10", NULL};
    struct up_producer *p = producer(&m, &s, props, NULL);
    send_one_partition(p, 10);
    struct up_producer_counts c;
    assert_all_delivered(p, &s, 10, &c);
    assert_int_equal(c.unconfirmed, 0);
    assert_int_equal(held_in_log(p), 10);
    up_producer_free(p);
    mock_stop(&m);
}

/* With -X raising the limit the race happens (this test fails if it does not, so the one
 * above proves something), and the implicitly acknowledged messages are failures: every
 * report of success is a message in the log. */
static void test_implicit_ack_is_a_failure(void **state)
{
    (void)state;
    struct mock m;
    mock_start(&m, 1);
    refused_then_overtaken(&m);
    struct seen s = {0};
    const char *props[] = {"linger.ms=0", "batch.num.messages=1", "retry.backoff.ms=10",
                           "max.in.flight.requests.per.connection=5", NULL};
    struct up_producer *p = producer(&m, &s, props, NULL);
    send_one_partition(p, 10);
    assert_int_equal(up_producer_flush(p, 10000), 0);
    struct up_producer_counts c;
    up_producer_counts(p, &c);
    assert_true(c.unconfirmed >= 1);
    assert_int_equal(s.errors, (int)c.unconfirmed);
    assert_int_equal(s.last_err, UP_DELIVERY_UNCONFIRMED);
    assert_int_equal(s.ok + s.errors, 10);
    assert_int_equal(held_in_log(p), s.ok);
    up_producer_free(p);
    mock_stop(&m);
}

/* A DUPLICATE_SEQUENCE_NUMBER answer (no broker of ours sends one: docs/kafka-delivery.md)
 * is reported by librdkafka as success without an offset whether or not the batch was
 * written; here nothing was. Its messages are failures, not successes and not resent. */
static void test_duplicate_sequence_is_a_failure(void **state)
{
    (void)state;
    struct mock m;
    mock_start(&m, 1);
    rd_kafka_mock_push_request_errors(m.cluster, 0 /* ApiKey Produce */, 1,
                                      RD_KAFKA_RESP_ERR_DUPLICATE_SEQUENCE_NUMBER);
    struct seen s = {0};
    struct up_producer *p = producer(&m, &s, NULL, NULL);
    send_n(p, 40);
    assert_int_equal(up_producer_flush(p, 10000), 0);
    struct up_producer_counts c;
    up_producer_counts(p, &c);
    assert_true(c.unconfirmed >= 1);
    assert_int_equal(c.failed, c.unconfirmed);
    assert_int_equal(s.ok + s.errors, 40);
    assert_int_equal(held_in_log(p), s.ok); /* every success is in the log, nothing twice */
    up_producer_free(p);
    mock_stop(&m);
}

static void test_dead_broker_reports_every_failure(void **state)
{
    (void)state;
    struct mock m;
    mock_start(&m, 1);
    rd_kafka_mock_broker_set_down(m.cluster, 1);
    struct seen s = {0};
    const char *props[] = {"message.timeout.ms=1000", NULL};
    struct up_producer *p = producer(&m, &s, props, NULL);
    send_n(p, 50);
    int64_t t0 = up_mono_ms();
    up_producer_flush(p, 10000);
    assert_true(up_mono_ms() - t0 < 8000);
    struct up_producer_counts c;
    up_producer_counts(p, &c);
    assert_int_equal(c.failed, 50);
    assert_int_equal(c.delivered, 0);
    assert_int_equal(s.errors, 50);
    assert_int_equal(s.last_err, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT);
    up_producer_free(p);
    mock_stop(&m);
}

static void test_flush_timeout_purges_and_reports(void **state)
{
    (void)state;
    struct mock m;
    mock_start(&m, 1);
    rd_kafka_mock_broker_set_down(m.cluster, 1);
    struct seen s = {0};
    struct up_producer *p = producer(&m, &s, NULL, NULL); /* message.timeout.ms 300 s */
    send_n(p, 30);
    int64_t t0 = up_mono_ms();
    assert_int_equal(up_producer_flush(p, 300), 30);
    assert_true(up_mono_ms() - t0 < 5000);
    assert_int_equal(s.errors, 30);
    assert_int_equal(up_producer_outstanding(p), 0);
    up_producer_free(p);
    mock_stop(&m);
}

static void test_queue_full_is_absorbed(void **state)
{
    (void)state;
    struct mock m;
    mock_start(&m, 1);
    struct seen s = {0};
    const char *props[] = {"queue.buffering.max.messages=5", "linger.ms=1", NULL};
    struct up_producer *p = producer(&m, &s, props, NULL);
    send_n(p, 300); /* 60 times the queue: every send that finds it full polls and retries */
    assert_int_equal(up_producer_flush(p, 10000), 0);
    assert_int_equal(s.ok, 300);
    up_producer_free(p);
    mock_stop(&m);
}

static int stop_calls;
static bool stop_after_a_while(void *ctx)
{
    (void)ctx;
    return ++stop_calls > 3;
}

static void test_queue_full_gives_way_to_stop(void **state)
{
    (void)state;
    struct mock m;
    mock_start(&m, 1);
    rd_kafka_mock_broker_set_down(m.cluster, 1);
    struct seen s = {0};
    const char *props[] = {"queue.buffering.max.messages=5", NULL};
    struct up_producer *p = producer(&m, &s, props, stop_after_a_while);
    char err[256];
    enum up_send_result r = UP_SEND_OK;
    int sent = 0;
    while (r == UP_SEND_OK && sent < 100) {
        r = up_producer_send(p, "t", "k", 1, "v", 1, NULL, 0, NULL, err, sizeof err);
        sent += r == UP_SEND_OK;
    }
    assert_int_equal(r, UP_SEND_STOPPED);
    assert_int_equal(sent, 5);
    assert_int_equal(up_producer_flush(p, 100), 5);
    up_producer_free(p);
    mock_stop(&m);
}

static void test_fatal_error_surfaces(void **state)
{
    (void)state;
    struct mock m;
    mock_start(&m, 1);
    struct seen s = {0};
    struct up_producer *p = producer(&m, &s, NULL, NULL);
    send_n(p, 10);
    up_producer_flush(p, 10000);
    rd_kafka_test_fatal_error(up_producer_handle(p), RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
                              "test: sequence gap");
    up_producer_poll(p, 100);
    char err[512];
    assert_true(up_producer_fatal(p, err, sizeof err));
    assert_non_null(strstr(err, "OUT_OF_ORDER_SEQUENCE_NUMBER"));
    assert_int_equal(up_producer_send(p, "t", "k", 1, "v", 1, NULL, 0, NULL, err, sizeof err),
                     UP_SEND_FATAL);
    up_producer_free(p);
    mock_stop(&m);
}

static void test_admin_on_mock(void **state)
{
    (void)state;
    struct mock m;
    mock_start(&m, 1);
    struct seen s = {0};
    struct up_producer *p = producer(&m, &s, NULL, NULL);
    rd_kafka_t *rk = up_producer_handle(p);
    char err[512];
    int parts = -1;
    assert_int_equal(up_kafka_topic_partitions(rk, "t", 5000, &parts, err, sizeof err), 0);
    assert_int_equal(parts, 4);
    assert_int_equal(up_kafka_topic_partitions(rk, "absent", 5000, &parts, err, sizeof err), 0);
    assert_int_equal(parts, 0);
    bool created = true;
    assert_int_equal(up_kafka_ensure_topic(rk, "t", 6, 1, 5000, &created, err, sizeof err), 0);
    assert_false(created); /* exists: left alone */
    up_producer_free(p);
    mock_stop(&m);
}

static void test_unreachable_cluster_times_out(void **state)
{
    (void)state;
    struct mock m;
    mock_start(&m, 1);
    rd_kafka_mock_broker_set_down(m.cluster, 1);
    struct seen s = {0};
    struct up_producer *p = producer(&m, &s, NULL, NULL);
    char err[512];
    int64_t t0 = up_mono_ms();
    assert_int_equal(
        up_kafka_ensure_topic(up_producer_handle(p), "x", 6, 1, 1000, NULL, err, sizeof err), -1);
    assert_true(up_mono_ms() - t0 < 4000);
    assert_non_null(strstr(err, "no answer from the Kafka cluster within 1000 ms"));
    up_producer_free(p);
    mock_stop(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delivers_and_counts),
        cmocka_unit_test(test_property_errors),
        cmocka_unit_test(test_transient_errors_are_retried),
        cmocka_unit_test(test_refused_batch_is_not_overtaken),
        cmocka_unit_test(test_implicit_ack_is_a_failure),
        cmocka_unit_test(test_duplicate_sequence_is_a_failure),
        cmocka_unit_test(test_dead_broker_reports_every_failure),
        cmocka_unit_test(test_flush_timeout_purges_and_reports),
        cmocka_unit_test(test_queue_full_is_absorbed),
        cmocka_unit_test(test_queue_full_gives_way_to_stop),
        cmocka_unit_test(test_fatal_error_surfaces),
        cmocka_unit_test(test_admin_on_mock),
        cmocka_unit_test(test_unreachable_cluster_times_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
