/* Unit tests for core/metrics: series, labels, histograms and the exposition text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/metrics.h"

#include <math.h>
#include <string.h>

static void test_counter_gauge_render(void **state)
{
    (void)state;
    struct up_registry *r = up_registry_new();
    struct up_metric *c = up_metric_new(r, UP_METRIC_COUNTER, "demo_records_total", "Records seen.",
                                        "topic", NULL, 0);
    struct up_series *s = up_metric_labels(c, (const char *[]){"users\"q"});
    up_series_add(s, 2);
    up_series_add(s, 3);
    assert_true(up_metric_labels(c, (const char *[]){"users\"q"}) == s);
    struct up_metric *g =
        up_metric_new(r, UP_METRIC_GAUGE, "demo_in_flight", "In flight.", NULL, NULL, 0);
    up_series_set(up_metric_series(g), 1.5);
    struct up_buf out = UP_BUF_INIT;
    up_metrics_render(r, &out);
    assert_non_null(strstr(out.data, "# HELP demo_records_total Records seen.\n"
                                     "# TYPE demo_records_total counter\n"
                                     "demo_records_total{topic=\"users\\\"q\"} 5\n"));
    assert_non_null(strstr(out.data, "demo_in_flight 1.5\n"));
    up_buf_free(&out);
    up_registry_free(r);
}

static void test_histogram(void **state)
{
    (void)state;
    struct up_registry *r = up_registry_new();
    static const double buckets[] = {0.01, 0.1, 1};
    struct up_metric *h =
        up_metric_new(r, UP_METRIC_HISTOGRAM, "demo_latency_seconds", "Latency.", NULL, buckets, 3);
    struct up_series *s = up_metric_series(h);
    up_series_observe(s, 0.005);
    up_series_observe(s, 0.05);
    up_series_observe(s, 0.05);
    up_series_observe(s, 5);
    assert_int_equal(up_series_count(s), 4);
    double p50 = up_series_quantile(s, 0.5);
    assert_true(p50 > 0.01 && p50 <= 0.1);
    struct up_buf out = UP_BUF_INIT;
    up_metrics_render(r, &out);
    assert_non_null(strstr(out.data, "demo_latency_seconds_bucket{le=\"0.01\"} 1\n"
                                     "demo_latency_seconds_bucket{le=\"0.1\"} 3\n"
                                     "demo_latency_seconds_bucket{le=\"1\"} 3\n"
                                     "demo_latency_seconds_bucket{le=\"+Inf\"} 4\n"
                                     "demo_latency_seconds_sum 5.105\n"
                                     "demo_latency_seconds_count 4\n"));
    up_buf_free(&out);
    up_registry_free(r);
}

static void test_process_metrics(void **state)
{
    (void)state;
    struct up_registry *r = up_registry_new();
    up_registry_add_process_metrics(r);
    struct up_buf out = UP_BUF_INIT;
    up_metrics_render(r, &out);
    assert_non_null(strstr(out.data, "# TYPE process_cpu_seconds_total counter\n"));
    assert_non_null(strstr(out.data, "process_resident_memory_bytes "));
    up_buf_free(&out);
    up_registry_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_gauge_render),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_process_metrics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
