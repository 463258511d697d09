/* Unit tests for source/pipeline (and the fetcher's plan) on a scripted local API and
 * librdkafka's mock cluster: counts and page plan, dead letters with their reason, the
 * rate cap, --duration, a stop request, an API that fails for good, deterministic plans. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/signals.h"
#include "fake_randomuser.h"
#include "source/pipeline.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <pthread.h>
#include <string.h>

struct env {
    struct fake_api *api;
    rd_kafka_t *owner;
    rd_kafka_mock_cluster_t *cluster;
    struct up_str_list props;
    struct up_registry *reg;
    struct up_pipeline_config cfg;
};

static struct env *env_new(void)
{
    struct env *e = calloc(1, sizeof *e);
    e->api = fake_start();
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
    e->owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    e->cluster = rd_kafka_mock_cluster_new(e->owner, 1);
    rd_kafka_mock_topic_create(e->cluster, "users", 3, 1);
    rd_kafka_mock_topic_create(e->cluster, "users.dlq", 1, 1);
    up_str_list_push(&e->props, "log_level=0");
    e->reg = up_registry_new();
    e->cfg = (struct up_pipeline_config){
        .fetch = {.client = {.url = e->api->url,
                             .timeout_ms = 5000,
                             .max_retries = 1,
                             .backoff_base_ms = 10,
                             .backoff_max_ms = 50},
                  .seed = "pl",
                  .batch = 100,
                  .workers = 2},
        .brokers = rd_kafka_mock_cluster_bootstraps(e->cluster),
        .kafka_props = &e->props,
        .topic = "users",
        .dlq = "users.dlq",
        .partitions = 3,
        .replication_factor = 1,
        .kafka_timeout_ms = 5000,
        .flush_timeout_ms = 10000,
        .metrics = e->reg,
    };
    return e;
}

static void env_free(struct env *e)
{
    rd_kafka_mock_cluster_destroy(e->cluster);
    rd_kafka_destroy(e->owner);
    fake_stop(e->api);
    up_str_list_free(&e->props);
    up_registry_free(e->reg);
    free(e);
}

static enum up_pipeline_end run(struct env *e, struct up_produce_stats *s, char *err, size_t n)
{
    struct up_pipeline *p = up_pipeline_new(&e->cfg, err, n);
    assert_non_null(p);
    enum up_pipeline_end end = up_pipeline_run(p, err, n);
    up_pipeline_stats(p, s);
    up_pipeline_free(p);
    return end;
}

static void test_count_and_plan(void **state)
{
    (void)state;
    struct env *e = env_new();
    e->cfg.fetch.count = 250;
    struct up_produce_stats s;
    char err[512];
    assert_int_equal(run(e, &s, err, sizeof err), UP_PIPELINE_COMPLETED);
    assert_string_equal(err, "");
    assert_int_equal(s.fetched, 250);
    assert_int_equal(s.produced, 250);
    assert_int_equal(s.delivered, 250);
    assert_int_equal(s.failed, 0);
    assert_int_equal(s.pages, 3);
    assert_int_equal(e->api->requests, 3);
    /* 100 + 100 + 50, pages 1..3, in whatever order the two workers got them */
    int seen_last = 0;
    for (int i = 0; i < e->api->nseen; i++)
        seen_last += strcmp(e->api->seen[i], "results=50&seed=pl&page=3&nat=-") == 0;
    assert_int_equal(seen_last, 1);
    env_free(e);
}

/* Reads up to n messages of partition 0 of topic from the mock cluster (legacy consumer:
 * no group) and hands each to check (messages must go before their handle). */
static int read_topic(struct env *e, const char *topic, int n,
                      void (*check)(rd_kafka_message_t *m, void *ctx), void *ctx)
{
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", rd_kafka_mock_cluster_bootstraps(e->cluster), err,
                      sizeof err);
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(c, topic, NULL);
    rd_kafka_consume_start(rkt, 0, RD_KAFKA_OFFSET_BEGINNING);
    int got = 0;
    int64_t until = up_mono_ms() + 10000;
    while (got < n && up_mono_ms() < until) {
        rd_kafka_message_t *m = rd_kafka_consume(rkt, 0, 100);
        if (m && !m->err) {
            check(m, ctx);
            got++;
        }
        if (m)
            rd_kafka_message_destroy(m);
    }
    rd_kafka_consume_stop(rkt, 0);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(c);
    return got;
}

static const char *header(rd_kafka_message_t *m, const char *name, char *buf, size_t len)
{
    rd_kafka_headers_t *h;
    const void *v;
    size_t n;
    if (rd_kafka_message_headers(m, &h) || rd_kafka_header_get_last(h, name, &v, &n))
        return NULL;
    snprintf(buf, len, "%.*s", (int)n, (const char *)v);
    return buf;
}

struct dlq_seen {
    int missing_id, wrong_type;
};

static void check_dead_letter(rd_kafka_message_t *m, void *ctx)
{
    struct dlq_seen *seen = ctx;
    char buf[256];
    const char *reason = header(m, "userpipe.error.reason", buf, sizeof buf);
    assert_non_null(reason);
    seen->missing_id += strcmp(reason, "missing_id") == 0;
    seen->wrong_type += strcmp(reason, "wrong_type") == 0;
    assert_non_null(header(m, "userpipe.error.detail", buf, sizeof buf));
    assert_string_equal(header(m, "userpipe.error.stage", buf, sizeof buf), "produce");
    assert_null(m->key);
    json_t *v = json_loadb(m->payload, m->len, 0, NULL);
    assert_true(json_is_object(json_object_get(v, "login"))); /* the result as sent */
    json_decref(v);
}

static void test_rejects_go_to_the_dlq(void **state)
{
    (void)state;
    struct env *e = env_new();
    static const char page[] =
        "{\"results\":[{\"login\":{\"uuid\":\"7a0eed16-9430-4d68-901f-c0d4c1c3bf00\"},"
        "\"dob\":{\"date\":\"1990-01-01T00:00:00Z\"},\"registered\":{\"date\":"
        "\"2010-01-01T00:00:00Z\"}},{\"login\":{\"username\":\"no-uuid\"}},"
        "{\"login\":{\"uuid\":\"7a0eed16-9430-4d68-901f-c0d4c1c3bf01\"},\"name\":7}]}";
    const struct fake_step steps[] = {{200, page, 0, 0}};
    fake_script(e->api, steps, 1);
    e->cfg.fetch.count = 3;
    e->cfg.fetch.batch = 3;
    e->cfg.fetch.workers = 1;
    struct up_produce_stats s;
    char err[512];
    assert_int_equal(run(e, &s, err, sizeof err), UP_PIPELINE_COMPLETED);
    assert_int_equal(s.produced, 1);
    assert_int_equal(s.delivered, 1);
    assert_int_equal(s.dead_lettered, 2);
    assert_int_equal(s.dlq_delivered, 2);
    struct up_buf text = UP_BUF_INIT;
    up_metrics_render(e->reg, &text);
    assert_non_null(
        strstr(text.data, "userpipe_produce_dead_lettered_total{reason=\"missing_id\"} 1"));
    assert_non_null(
        strstr(text.data, "userpipe_produce_dead_lettered_total{reason=\"wrong_type\"} 1"));
    assert_non_null(
        strstr(text.data, "userpipe_produce_dead_lettered_total{reason=\"bad_uuid\"} 0"));
    assert_non_null(strstr(text.data, "userpipe_produce_delivered_total 3"));
    assert_non_null(strstr(text.data, "userpipe_produce_delivery_latency_seconds_count 3"));
    up_buf_free(&text);

    /* On the DLQ: the results as sent, with the reason and a readable detail. */
    struct dlq_seen seen = {0};
    assert_int_equal(read_topic(e, "users.dlq", 2, check_dead_letter, &seen), 2);
    assert_int_equal(seen.missing_id, 1);
    assert_int_equal(seen.wrong_type, 1);
    env_free(e);
}

static void test_rate_cap(void **state)
{
    (void)state;
    struct env *e = env_new();
    e->cfg.fetch.count = 300;
    e->cfg.rate = 1000; /* 300 users: ~0.3 s, minus the 50 ms burst */
    struct up_produce_stats s;
    char err[512];
    int64_t t0 = up_mono_ms();
    assert_int_equal(run(e, &s, err, sizeof err), UP_PIPELINE_COMPLETED);
    int64_t took = up_mono_ms() - t0;
    assert_int_equal(s.delivered, 300);
    /* Only the lower bound is the cap's property: a busy machine may take any longer. */
    if (took < 220)
        fail_msg("300 users at 1000/s took %lld ms: faster than the cap", (long long)took);
    env_free(e);
}

static void test_duration(void **state)
{
    (void)state;
    struct env *e = env_new();
    e->cfg.duration_ms = 400; /* no count: forever but for the duration */
    e->cfg.rate = 2000;
    struct up_produce_stats s;
    char err[512];
    int64_t t0 = up_mono_ms();
    assert_int_equal(run(e, &s, err, sizeof err), UP_PIPELINE_COMPLETED);
    int64_t took = up_mono_ms() - t0;
    /* Returning at all is the duration's proof (no count: it would run forever). How many
     * users fit in it depends on the machine's load, so the count is bounded by the rate cap
     * over the time it really took (plus the 50 ms burst), not by wall-clock expectations. */
    if (took < 400)
        fail_msg("a 400 ms run returned after %lld ms", (long long)took);
    assert_true(s.produced > 0);
    if (s.produced > (uint64_t)((took + 50) * 2000 / 1000 + 1))
        fail_msg("%llu users in %lld ms: over the 2000/s cap", (unsigned long long)s.produced,
                 (long long)took);
    assert_int_equal(s.delivered, s.produced);
    env_free(e);
}

static void *stop_later(void *arg)
{
    (void)arg;
    up_sleep_ms(300);
    up_request_stop();
    return NULL;
}

static void test_stop_request_flushes(void **state)
{
    (void)state;
    struct env *e = env_new();
    e->cfg.rate = 3000;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, stop_later, NULL), 0);
    struct up_produce_stats s;
    char err[512];
    assert_int_equal(run(e, &s, err, sizeof err), UP_PIPELINE_INTERRUPTED);
    pthread_join(t, NULL);
    assert_true(s.produced > 0);
    assert_int_equal(s.delivered, s.produced);
    assert_int_equal(s.failed, 0);
    env_free(e);
}

static void test_api_failing_for_good(void **state)
{
    (void)state;
    struct env *e = env_new();
    e->api->fail_page = 2;
    e->cfg.fetch.count = 500;
    e->cfg.fetch.workers = 1;
    struct up_produce_stats s;
    char err[512];
    assert_int_equal(run(e, &s, err, sizeof err), UP_PIPELINE_FAILED);
    if (!strstr(err, "page=2") || !strstr(err, "HTTP 500"))
        fail_msg("unexpected error: %s", err);
    assert_int_equal(s.delivered, s.produced); /* what was produced is still flushed */
    env_free(e);
}

static void test_plan(void **state)
{
    (void)state;
    char seed[64];
    long page;
    assert_int_equal(up_fetch_plan("s", 1000, 2500, 0, seed, sizeof seed, &page), 1000);
    assert_string_equal(seed, "s");
    assert_int_equal(page, 1);
    assert_int_equal(up_fetch_plan("s", 1000, 2500, 2, seed, sizeof seed, &page), 500);
    assert_int_equal(page, 3);
    assert_int_equal(up_fetch_plan("s", 1000, 2500, 3, seed, sizeof seed, &page), 0);
    assert_int_equal(up_fetch_plan("s", 5000, 0, 9999, seed, sizeof seed, &page), 5000);
    assert_int_equal(page, 10000);
    assert_int_equal(up_fetch_plan("s", 5000, 0, 10000, seed, sizeof seed, &page), 5000);
    assert_string_equal(seed, "s-1");
    assert_int_equal(page, 1);
    assert_int_equal(up_fetch_plan("s", 5000, 0, 25001, seed, sizeof seed, &page), 5000);
    assert_string_equal(seed, "s-2");
    assert_int_equal(page, 5002);
    char a[17], b[17];
    up_pipeline_random_seed(a);
    up_pipeline_random_seed(b);
    assert_int_equal(strlen(a), 16);
    assert_string_not_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_count_and_plan),
        cmocka_unit_test(test_rejects_go_to_the_dlq),
        cmocka_unit_test(test_rate_cap),
        cmocka_unit_test(test_duration),
        cmocka_unit_test(test_api_failing_for_good),
        cmocka_unit_test(test_stop_request_flushes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
