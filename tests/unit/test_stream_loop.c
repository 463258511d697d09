/* Unit tests for stream/loop: the whole loop on librdkafka's mock cluster with a fake
 * sink that completes writes out of order, fails on demand and records what it stored.
 * Checks: every good record stored, every bad one in the DLQ with its reason header,
 * committed offsets at the end of each partition, the in-flight bound held, retries with
 * a single probe while the sink fails, and recovery by itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/metrics.h"
#include "kafka/consumer.h"
#include "core/record.h"
#include "stream/dlq.h"
#include "stream/loop.h"
#include "stream/validate.h"

#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define TOPIC      "users"
#define DLQ        "users.dlq"
#define PARTITIONS 3

/* ------------------------------------------------------------------ the fake sink */

struct pending {
    up_sink_done_fn done;
    void *opaque;
    char *id;
    int64_t ts_us;
    void *item; /* write_item's: a refusal's message points into it, as sink_map's does */
};

struct fake_sink {
    int fd;
    struct pending *pending;
    size_t npending, cap;
    size_t max_in_flight;
    int64_t fail_until_ms;          /* writes completing before this fail */
    enum up_write_class fail_class; /* ... with this class */
    const char *refused_id;         /* this id is refused for its data (UP_WRITE_DATA) every time */
    unsigned failures;
    char **stored_ids;
    int64_t *stored_ts;
    size_t nstored;
    unsigned seed;
};

static void fake_push(struct fake_sink *s, const char *id, int64_t ts_us, up_sink_done_fn done,
                      void *opaque)
{
    if (s->npending == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->pending = realloc(s->pending, s->cap * sizeof *s->pending);
    }
    s->pending[s->npending++] = (struct pending){done, opaque, strdup(id), ts_us, NULL};
    if (s->npending > s->max_in_flight)
        s->max_in_flight = s->npending;
    uint64_t one = 1;
    assert_int_equal(write(s->fd, &one, sizeof one), sizeof one);
}

/* What a fake item holds: the id first, so a refusal's message can point into it. */
struct fake_item {
    char id[37];
    int64_t ts_us; /* the write time the record asks for */
};

static struct fake_item *fake_item_new(const char *id, size_t len, int64_t ts_us)
{
    struct fake_item *it = calloc(1, sizeof *it);
    snprintf(it->id, sizeof it->id, "%.*s", (int)len, id);
    it->ts_us = ts_us;
    return it;
}

/* The users sink's side: the record checked by the users record's rules (stream/validate.h,
 * which the built-in mapping applies), written at the record's timestamp. */
static int fake_prepare_users(void *ctx, const rd_kafka_message_t *m, int64_t timestamp_ms,
                              void **item, struct up_sink_reject *rej)
{
    (void)ctx;
    struct up_row row;
    enum up_reject r = up_validate_record(m->key, m->key_len, m->payload, m->len, 1 << 20, &row,
                                          rej->detail, sizeof rej->detail);
    if (r != UP_REJECT_NONE) {
        rej->reason = r;
        return -1;
    }
    const char *id = row.rec.fields[UP_FIELD_id];
    *item = fake_item_new(id, strlen(id), timestamp_ms * 1000);
    up_row_free(&row);
    return 0;
}

/* The preparing side (a --mapping sink's hooks): the item is the key. Values that are not a
 * JSON object fail at the parse stage, keys that are not 36 bytes at the mapping stage. */
static int fake_prepare(void *ctx, const rd_kafka_message_t *m, int64_t timestamp_ms, void **item,
                        struct up_sink_reject *rej)
{
    (void)ctx;
    (void)timestamp_ms;
    const char *v = m->payload;
    if (!v || m->len < 2 || v[0] != '{' || v[1] != '"') {
        rej->reason = UP_REJECT_PARSE;
        snprintf(rej->why, sizeof rej->why, "malformed_json");
        snprintf(rej->detail, sizeof rej->detail, "fake: not an object");
        rej->target[0] = '\0';
        return -1;
    }
    if (!m->key || m->key_len != 36) {
        rej->reason = UP_REJECT_MAPPING;
        snprintf(rej->why, sizeof rej->why, "missing_key");
        snprintf(rej->detail, sizeof rej->detail, "fake: no id in the key");
        snprintf(rej->target, sizeof rej->target, "ks.t");
        return -1;
    }
    *item = fake_item_new(m->key, m->key_len, 0);
    return 0;
}

static int fake_write_item(void *ctx, void *item, up_sink_done_fn done, void *opaque, char *err,
                           size_t errlen)
{
    (void)err;
    (void)errlen;
    struct fake_sink *s = ctx;
    const struct fake_item *it = item;
    fake_push(s, it->id, it->ts_us, done, opaque);
    s->pending[s->npending - 1].item = item;
    return 0;
}

static void fake_free_item(void *ctx, void *item)
{
    (void)ctx;
    free(item);
}

/* Completes a random half of what is pending (out of order). */
static void fake_poll(void *ctx, int timeout_ms)
{
    (void)timeout_ms;
    struct fake_sink *s = ctx;
    uint64_t n;
    ssize_t r = read(s->fd, &n, sizeof n);
    (void)r;
    size_t todo = (s->npending + 1) / 2;
    bool failing = up_mono_ms() < s->fail_until_ms;
    for (size_t k = 0; k < todo && s->npending; k++) {
        size_t i = (size_t)rand_r(&s->seed) % s->npending;
        struct pending p = s->pending[i];
        s->pending[i] = s->pending[--s->npending];
        bool refused = s->refused_id && strcmp(p.id, s->refused_id) == 0;
        if (failing || refused) {
            s->failures++;
            free(p.id);
        } else {
            s->stored_ids = realloc(s->stored_ids, (s->nstored + 1) * sizeof *s->stored_ids);
            s->stored_ts = realloc(s->stored_ts, (s->nstored + 1) * sizeof *s->stored_ts);
            s->stored_ids[s->nstored] = p.id;
            s->stored_ts[s->nstored++] = p.ts_us;
        }
        struct up_sink_failure down = {.cls = s->fail_class, .message = "fake: node down"};
        struct up_sink_failure data = {.cls = UP_WRITE_DATA,
                                       .code = 0x2200,
                                       .message = p.item ? p.item : "fake: Key length of 70000",
                                       .target = "ks.users"};
        p.done(p.opaque, refused ? &data : failing ? &down : NULL);
    }
    if (s->npending) {
        uint64_t one = 1;
        assert_int_equal(write(s->fd, &one, sizeof one), sizeof one);
    }
}

static int fake_fd(void *ctx)
{
    return ((struct fake_sink *)ctx)->fd;
}

static size_t fake_in_flight(void *ctx)
{
    return ((struct fake_sink *)ctx)->npending;
}

static void fake_close(void *ctx)
{
    struct fake_sink *s = ctx;
    while (s->npending) {
        struct pending p = s->pending[--s->npending];
        free(p.id);
        struct up_sink_failure closed = {.cls = UP_WRITE_TRANSIENT, .message = "fake: closed"};
        p.done(p.opaque, &closed);
    }
}

static struct up_sink fake_interface(struct fake_sink *s)
{
    return (struct up_sink){.ctx = s,
                            .prepare = fake_prepare_users,
                            .write_item = fake_write_item,
                            .free_item = fake_free_item,
                            .poll = fake_poll,
                            .fd = fake_fd,
                            .in_flight = fake_in_flight,
                            .close = fake_close};
}

static void fake_free(struct fake_sink *s)
{
    for (size_t i = 0; i < s->nstored; i++)
        free(s->stored_ids[i]);
    free(s->stored_ids);
    free(s->stored_ts);
    free(s->pending);
    close(s->fd);
}

/* ------------------------------------------------------------- the mock cluster */

struct fixture {
    rd_kafka_t *owner;
    rd_kafka_mock_cluster_t *mock;
    char bootstraps[256];
    int good, bad;
    char **good_ids;
};

static void make_id(int i, char out[37])
{
    snprintf(out, 37, "%08x-0000-4000-8000-%012x", (unsigned)i * 2654435761u, (unsigned)i);
}

static char *good_value(const char *id)
{
    struct up_record r = {0};
    for (int f = 0; f < UP_RECORD_NFIELDS; f++)
        r.fields[f] = (char *)"x";
    r.fields[UP_FIELD_id] = (char *)id;
    r.fields[UP_FIELD_dob] = (char *)"1990-01-02T03:04:05.678Z";
    r.fields[UP_FIELD_registered_date] = (char *)"2010-01-02T03:04:05.678Z";
    struct up_buf b = UP_BUF_INIT;
    up_record_to_json(&r, &b);
    return up_buf_steal(&b);
}

static void produce_to(rd_kafka_t *p, const char *topic, const char *key, const char *value,
                       size_t len, int partition)
{
    assert_int_equal(rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
                                       RD_KAFKA_V_KEY(key, key ? strlen(key) : 0),
                                       RD_KAFKA_V_VALUE((void *)value, len),
                                       RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
                     0);
}

static void produce(rd_kafka_t *p, const char *key, const char *value, size_t len, int partition)
{
    produce_to(p, TOPIC, key, value, len, partition);
}

/* good records on every partition, with bad ones of each kind in between */
static void produce_all(struct fixture *f, int good)
{
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", f->bootstraps, err, sizeof err);
    rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    assert_non_null(p);
    f->good = good;
    f->good_ids = calloc((size_t)good, sizeof *f->good_ids);
    for (int i = 0; i < good; i++) {
        char id[37];
        make_id(i, id);
        f->good_ids[i] = strdup(id);
        char *v = good_value(id);
        produce(p, id, v, strlen(v), i % PARTITIONS);
        if (i % 50 == 7) { /* a bad neighbour: key differs from the id */
            produce(p, "not-the-id", v, strlen(v), i % PARTITIONS);
            f->bad++;
        }
        free(v);
    }
    produce(p, "k", "{not json", 9, 0);
    produce(p, "k", "[1]", 3, 1);
    produce(p, NULL, NULL, 0, 2);
    f->bad += 3;
    assert_int_equal(rd_kafka_flush(p, 10000), 0);
    rd_kafka_destroy(p);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
    f->owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    f->mock = rd_kafka_mock_cluster_new(f->owner, 1);
    snprintf(f->bootstraps, sizeof f->bootstraps, "%s", rd_kafka_mock_cluster_bootstraps(f->mock));
    assert_int_equal(rd_kafka_mock_topic_create(f->mock, TOPIC, PARTITIONS, 1), 0);
    assert_int_equal(rd_kafka_mock_topic_create(f->mock, DLQ, 1, 1), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < f->good; i++)
        free(f->good_ids[i]);
    free(f->good_ids);
    rd_kafka_mock_cluster_destroy(f->mock);
    rd_kafka_destroy(f->owner);
    free(f);
    return 0;
}

static void base_config(struct fixture *f, struct up_stream_config *cfg, struct fake_sink *s,
                        struct up_str_list *props, const char *group)
{
    memset(s, 0, sizeof *s);
    s->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    s->seed = 7;
    memset(props, 0, sizeof *props);
    up_str_list_push(props, "session.timeout.ms=6000");
    up_stream_config_init(cfg);
    cfg->brokers = f->bootstraps;
    cfg->kafka_props = props;
    cfg->topic = TOPIC;
    cfg->group = group;
    cfg->dlq_topic = DLQ;
    cfg->sink = fake_interface(s);
    cfg->in_flight = 40;
    cfg->exit_when_idle_ms = 2500;
    cfg->progress_ms = 0;
    cfg->retry_base_ms = 20;
    cfg->retry_max_ms = 200;
    cfg->pause_after_ms = 50;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every good id was stored at least once, and nothing else was. */
static void assert_all_stored(struct fixture *f, struct fake_sink *s)
{
    qsort(s->stored_ids, s->nstored, sizeof *s->stored_ids, cmp_str);
    size_t distinct = 0;
    for (size_t i = 0; i < s->nstored; i++)
        if (i == 0 || strcmp(s->stored_ids[i], s->stored_ids[i - 1]) != 0)
            distinct++;
    assert_int_equal(distinct, (size_t)f->good);
    for (int i = 0; i < f->good; i++)
        assert_non_null(
            bsearch(&f->good_ids[i], s->stored_ids, s->nstored, sizeof *s->stored_ids, cmp_str));
}

/* Offsets the group committed equal each partition's end: nothing left behind. Asked with
 * a client that has the group's id but does not join it (joining would rebalance). */
static void assert_committed_to_end_of(struct fixture *f, const char *group, const char *topic,
                                       int partitions, int64_t records)
{
    (void)f;
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", f->bootstraps, err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", group, err, sizeof err);
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    assert_non_null(c);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; p++)
        rd_kafka_topic_partition_list_add(l, topic, p);
    assert_int_equal(rd_kafka_committed(c, l, 20000), 0);
    int64_t total = 0;
    for (int p = 0; p < partitions; p++) {
        int64_t lo, hi;
        assert_int_equal(rd_kafka_query_watermark_offsets(c, topic, p, &lo, &hi, 10000), 0);
        assert_int_equal(l->elems[p].offset, hi);
        total += hi;
    }
    assert_int_equal(total, records);
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(c);
}

static void assert_committed_to_end(struct fixture *f, const char *group)
{
    assert_committed_to_end_of(f, group, TOPIC, PARTITIONS, f->good + f->bad);
}

static void assert_header(rd_kafka_headers_t *h, const char *name, const char *want)
{
    const void *v;
    size_t len;
    assert_int_equal(rd_kafka_header_get_last(h, name, &v, &len), 0);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(v, want, len);
}

static void assert_write_headers(rd_kafka_headers_t *h)
{
    assert_header(h, UP_DLQ_HEADER_CODE, "0x2200");
    assert_header(h, UP_DLQ_HEADER_ATTEMPTS, "1");
    assert_header(h, UP_DLQ_HEADER_TARGET, "ks.users");
    assert_header(h, UP_DLQ_HEADER_REASON, "rejected_data");
}

/* Reads the DLQ back: count, and every record carries the reason and source headers. */
static int count_dlq(struct fixture *f, int *key_mismatch, int *staged)
{
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", f->bootstraps, err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", "dlq-reader", err, sizeof err); /* assign(), no join */
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, DLQ, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(c, l);
    rd_kafka_topic_partition_list_destroy(l);
    int n = 0;
    int64_t deadline = up_mono_ms() + 5000;
    while (n < f->bad && up_mono_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);
        if (!m)
            continue;
        if (!m->err) {
            rd_kafka_headers_t *h;
            const void *v;
            size_t len;
            assert_int_equal(rd_kafka_message_headers(m, &h), 0);
            assert_int_equal(rd_kafka_header_get_last(h, UP_DLQ_HEADER_REASON, &v, &len), 0);
            if (len == 12 && memcmp(v, "key_mismatch", 12) == 0)
                (*key_mismatch)++;
            assert_int_equal(rd_kafka_header_get_last(h, UP_DLQ_HEADER_TOPIC, &v, &len), 0);
            assert_memory_equal(v, TOPIC, len);
            assert_int_equal(rd_kafka_header_get_last(h, UP_DLQ_HEADER_OFFSET, &v, &len), 0);
            assert_int_equal(rd_kafka_header_get_last(h, UP_DLQ_HEADER_DETAIL, &v, &len), 0);
            if (rd_kafka_header_get_last(h, UP_DLQ_HEADER_STAGE, &v, &len) == 0) {
                (*staged)++;
                if (len == 5 && memcmp(v, "write", 5) == 0) /* refused at write time */
                    assert_write_headers(h);
            }
            n++;
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
    return n;
}

static void test_all_records_stored_or_dead_lettered(void **state)
{
    struct fixture *f = *state;
    produce_all(f, 600);
    struct up_stream_config cfg;
    struct fake_sink s;
    struct up_str_list props;
    base_config(f, &cfg, &s, &props, "g-happy");
    struct up_registry *reg = up_registry_new();
    cfg.metrics = reg;
    struct up_stream_totals t;
    char err[512] = "";
    assert_int_equal(up_stream_run(&cfg, &t, err, sizeof err), UP_STREAM_DONE);
    assert_int_equal(t.consumed, (uint64_t)(f->good + f->bad));
    assert_int_equal(t.stored, (uint64_t)f->good);
    assert_int_equal(t.dead_lettered, (uint64_t)f->bad);
    assert_true(s.max_in_flight <= cfg.in_flight);
    assert_all_stored(f, &s);
    assert_committed_to_end(f, "g-happy");
    int mismatches = 0, staged = 0;
    assert_int_equal(count_dlq(f, &mismatches, &staged), f->bad);
    assert_int_equal(mismatches, f->bad - 3);
    assert_int_equal(staged, 0); /* the users path has no stage header */

    struct up_buf text = UP_BUF_INIT;
    up_metrics_render(reg, &text);
    assert_non_null(strstr(text.data, "userpipe_stream_records_stored_total 600"));
    assert_non_null(strstr(text.data, "userpipe_stream_records_dead_lettered_total{reason="
                                      "\"malformed_json\"} 1"));
    assert_non_null(strstr(text.data, "userpipe_stream_e2e_latency_seconds_count 600"));
    char fetched[96]; /* every record taken, good or bad */
    snprintf(fetched, sizeof fetched, "userpipe_stream_fetch_latency_seconds_count %d",
             f->good + f->bad);
    assert_non_null(strstr(text.data, fetched));
    assert_non_null(strstr(text.data, "userpipe_stream_consumer_lag_records{topic=\"users\","
                                      "partition=\"0\"}"));
    up_buf_free(&text);
    up_registry_free(reg);
    up_str_list_free(&props);
    fake_free(&s);
}

static void test_failing_sink_is_retried_until_it_recovers(void **state)
{
    struct fixture *f = *state;
    produce_all(f, 300);
    struct up_stream_config cfg;
    struct fake_sink s;
    struct up_str_list props;
    base_config(f, &cfg, &s, &props, "g-failing");
    s.fail_until_ms = up_mono_ms() + 6000; /* group join takes ~3 s on the mock */
    struct up_stream_totals t;
    char err[512] = "";
    assert_int_equal(up_stream_run(&cfg, &t, err, sizeof err), UP_STREAM_DONE);
    assert_true(s.failures > 0);
    assert_true(t.write_retries > 0);
    /* While failing, the window fails once, then one probe at a time goes out (every
     * 20-200 ms): far fewer failures than re-sending the whole window each round. */
    assert_true(s.failures < 3 * cfg.in_flight);
    assert_int_equal(t.stored, (uint64_t)f->good);
    assert_all_stored(f, &s);
    assert_committed_to_end(f, "g-failing");
    up_str_list_free(&props);
    fake_free(&s);
}

/* A record the sink refuses for its data goes to the DLQ with stage write, the code and the
 * attempt count, once; the records around it are stored and nothing pauses for it. */
static void test_refused_record_is_dead_lettered(void **state)
{
    struct fixture *f = *state;
    produce_all(f, 300);
    struct up_stream_config cfg;
    struct fake_sink s;
    struct up_str_list props;
    base_config(f, &cfg, &s, &props, "g-refused");
    s.refused_id = f->good_ids[42];
    struct up_registry *reg = up_registry_new();
    cfg.metrics = reg;
    struct up_stream_totals t;
    char err[512] = "";
    assert_int_equal(up_stream_run(&cfg, &t, err, sizeof err), UP_STREAM_DONE);
    assert_int_equal(t.stored, (uint64_t)f->good - 1);
    assert_int_equal(t.dead_lettered, (uint64_t)f->bad + 1);
    assert_int_equal(t.write_retries, 0);
    assert_int_equal(s.failures, 1);
    assert_committed_to_end(f, "g-refused");
    f->bad++; /* count_dlq reads this many */
    int mismatches = 0, staged = 0;
    assert_int_equal(count_dlq(f, &mismatches, &staged), f->bad);
    assert_int_equal(staged, 1);
    struct up_buf text = UP_BUF_INIT;
    up_metrics_render(reg, &text);
    assert_non_null(strstr(text.data, "userpipe_stream_write_failures_total{class=\"data\"} 1"));
    assert_non_null(
        strstr(text.data, "userpipe_stream_records_dead_lettered_total{reason=\"write\"} 1"));
    up_buf_free(&text);
    up_registry_free(reg);
    up_str_list_free(&props);
    fake_free(&s);
}

/* A failure that needs an operator is never dead-lettered: the record waits until it is fixed. */
static void test_operator_failure_waits(void **state)
{
    struct fixture *f = *state;
    produce_all(f, 200);
    struct up_stream_config cfg;
    struct fake_sink s;
    struct up_str_list props;
    base_config(f, &cfg, &s, &props, "g-operator");
    s.fail_until_ms = up_mono_ms() + 5000;
    s.fail_class = UP_WRITE_OPERATOR;
    struct up_stream_totals t;
    char err[512] = "";
    assert_int_equal(up_stream_run(&cfg, &t, err, sizeof err), UP_STREAM_DONE);
    assert_true(s.failures > 0);
    assert_int_equal(t.stored, (uint64_t)f->good);
    assert_int_equal(t.dead_lettered, (uint64_t)f->bad);
    assert_all_stored(f, &s);
    assert_committed_to_end(f, "g-operator");
    up_str_list_free(&props);
    fake_free(&s);
}

/* The same through a preparing sink, whose refusal message lives in the item the loop frees. */
static void test_preparing_sink_refused_record(void **state)
{
    struct fixture *f = *state;
    produce_all(f, 200);
    struct up_stream_config cfg;
    struct fake_sink s;
    struct up_str_list props;
    base_config(f, &cfg, &s, &props, "g-prepare-refused");
    cfg.sink.prepare = fake_prepare;
    s.refused_id = f->good_ids[10];
    struct up_stream_totals t;
    char err[512] = "";
    assert_int_equal(up_stream_run(&cfg, &t, err, sizeof err), UP_STREAM_DONE);
    assert_int_equal(t.stored, (uint64_t)f->good - 1);
    assert_int_equal(t.dead_lettered, (uint64_t)f->bad + 1);
    assert_committed_to_end(f, "g-prepare-refused");
    f->bad++;
    int mismatches = 0, staged = 0;
    assert_int_equal(count_dlq(f, &mismatches, &staged), f->bad);
    assert_int_equal(staged, f->bad); /* parse, mapping and the one write */
    up_str_list_free(&props);
    fake_free(&s);
}

static void test_write_timestamp_is_the_record_timestamp(void **state)
{
    struct fixture *f = *state;
    int64_t before = up_wall_ms();
    produce_all(f, 30);
    int64_t after = up_wall_ms();
    struct up_stream_config cfg;
    struct fake_sink s;
    struct up_str_list props;
    base_config(f, &cfg, &s, &props, "g-ts");
    struct up_stream_totals t;
    char err[512] = "";
    assert_int_equal(up_stream_run(&cfg, &t, err, sizeof err), UP_STREAM_DONE);
    assert_int_equal(s.nstored, 30);
    for (size_t i = 0; i < s.nstored; i++) {
        assert_true(s.stored_ts[i] >= before * 1000);
        assert_true(s.stored_ts[i] <= after * 1000);
        assert_int_equal(s.stored_ts[i] % 1000, 0); /* ms precision, as Kafka has it */
    }
    up_str_list_free(&props);
    fake_free(&s);
}

static void test_failed_dlq_sends_are_retried(void **state)
{
    struct fixture *f = *state;
    produce_all(f, 100);
    struct up_stream_config cfg;
    struct fake_sink s;
    struct up_str_list props;
    base_config(f, &cfg, &s, &props, "g-dlq-fail");
    /* Every Produce request fails for a while; the DLQ producer gives up on a message after
     * 1.5 s, so the loop has to send those records again: none may be skipped. */
    up_str_list_push(&props, "message.timeout.ms=1500");
    enum { ERRORS = 60 };
    rd_kafka_resp_err_t errors[ERRORS];
    for (int i = 0; i < ERRORS; i++)
        errors[i] = RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS;
    rd_kafka_mock_push_request_errors_array(f->mock, 0 /* Produce */, ERRORS, errors);
    struct up_stream_totals t;
    char err[512] = "";
    assert_int_equal(up_stream_run(&cfg, &t, err, sizeof err), UP_STREAM_DONE);
    assert_true(t.dlq_retries > 0);
    assert_int_equal(t.dead_lettered, (uint64_t)f->bad);
    assert_int_equal(t.stored, (uint64_t)f->good);
    assert_committed_to_end(f, "g-dlq-fail");
    int mismatches = 0, staged = 0;
    assert_true(count_dlq(f, &mismatches, &staged) >= f->bad); /* at least once each */
    up_str_list_free(&props);
    fake_free(&s);
}

/* A sink with prepare hooks (the --mapping sink's shape) over two topics in one subscription:
 * every good record of both stored, the refused ones in the DLQ with a stage header, and both
 * topics' offsets committed to their ends. */
static void test_preparing_sink_over_two_topics(void **state)
{
    struct fixture *f = *state;
    produce_all(f, 300);
    assert_int_equal(rd_kafka_mock_topic_create(f->mock, "orders", 2, 1), 0);
    char err[512] = "";
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", f->bootstraps, err, sizeof err);
    rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    enum { ORDERS = 100 };
    f->good_ids = realloc(f->good_ids, (size_t)(f->good + ORDERS) * sizeof *f->good_ids);
    for (int i = 0; i < ORDERS; i++) {
        char id[37];
        make_id(100000 + i, id);
        f->good_ids[f->good++] = strdup(id);
        produce_to(p, "orders", id, "{\"x\":1}", 7, i % 2);
    }
    assert_int_equal(rd_kafka_flush(p, 10000), 0);
    rd_kafka_destroy(p);

    struct up_stream_config cfg;
    struct fake_sink s;
    struct up_str_list props;
    base_config(f, &cfg, &s, &props, "g-prepare");
    cfg.sink.prepare = fake_prepare;
    const char *topics[] = {TOPIC, "orders"};
    cfg.topics = topics;
    cfg.ntopics = 2;
    struct up_stream_totals t;
    assert_int_equal(up_stream_run(&cfg, &t, err, sizeof err), UP_STREAM_DONE);
    assert_int_equal(t.stored, (uint64_t)f->good);
    assert_int_equal(t.dead_lettered, (uint64_t)f->bad);
    assert_all_stored(f, &s);
    assert_committed_to_end_of(f, "g-prepare", TOPIC, PARTITIONS, f->good - ORDERS + f->bad);
    assert_committed_to_end_of(f, "g-prepare", "orders", 2, ORDERS);
    int mismatches = 0, staged = 0;
    assert_int_equal(count_dlq(f, &mismatches, &staged), f->bad);
    assert_int_equal(staged, f->bad);
    up_str_list_free(&props);
    fake_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_all_records_stored_or_dead_lettered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_sink_is_retried_until_it_recovers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_write_timestamp_is_the_record_timestamp, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_failed_dlq_sends_are_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_record_is_dead_lettered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_operator_failure_waits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_preparing_sink_refused_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_preparing_sink_over_two_topics, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
