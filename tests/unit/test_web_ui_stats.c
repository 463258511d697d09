/* Unit tests for web/ui_stats: Prometheus sums, counter rates, lag in seconds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "web/ui_stats.h"

#include <math.h>
#include <string.h>

static const char PROM[] =
    "# HELP userpipe_stream_rows_written_total Rows written.\n"
    "# TYPE userpipe_stream_rows_written_total counter\n"
    "userpipe_stream_rows_written_total{table=\"users\"} 1200\n"
    "userpipe_stream_rows_written_total{table=\"other\"} 34\n"
    "userpipe_stream_rows_written_total_extra 999\n"
    "userpipe_stream_rows_written_totalx{table=\"users\"} 5\n"
    "userpipe_stream_dlq_records_total{reason=\"bad_uuid\"} 3\n"
    "userpipe_stream_dlq_records_total{reason=\"odd \\\"}\\\" value\",x=\"y\"} 4\n"
    "userpipe_stream_dlq_records_total{reason=\"malformed_json\"} 2.5e1\n"
    "userpipe_stream_in_flight 7\n"
    "userpipe_stream_nan NaN\n";

static void test_prom_sum(void **state)
{
    (void)state;
    double v = -1;
    assert_true(
        up_prom_sum(PROM, strlen(PROM), "userpipe_stream_rows_written_total", NULL, NULL, &v));
    assert_true(fabs(v - 1234) < 1e-9); /* both series, not the longer names */
    assert_true(up_prom_sum(PROM, strlen(PROM), "userpipe_stream_rows_written_total", "table",
                            "users", &v));
    assert_true(fabs(v - 1200) < 1e-9);
    assert_true(
        up_prom_sum(PROM, strlen(PROM), "userpipe_stream_dlq_records_total", NULL, NULL, &v));
    assert_true(fabs(v - 32) < 1e-9); /* a quoted brace does not end the label set */
    assert_true(up_prom_sum(PROM, strlen(PROM), "userpipe_stream_dlq_records_total", "reason",
                            "malformed_json", &v));
    assert_true(fabs(v - 25) < 1e-9);
    assert_true(up_prom_sum(PROM, strlen(PROM), "userpipe_stream_in_flight", NULL, NULL, &v));
    assert_true(fabs(v - 7) < 1e-9);
    v = -1;
    assert_false(up_prom_sum(PROM, strlen(PROM), "userpipe_missing", NULL, NULL, &v));
    assert_true(v == -1); /* untouched */
    assert_false(up_prom_sum("", 0, "x", NULL, NULL, &v));
    /* Truncated text (no newline at the end, cut inside labels) is not misread. */
    assert_false(up_prom_sum("m{a=\"b", 6, "m", NULL, NULL, &v));
    assert_true(up_prom_sum("m 5", 3, "m", NULL, NULL, &v) && v == 5);
}

static void test_ring_rate(void **state)
{
    (void)state;
    struct up_sample_ring r;
    memset(&r, 0, sizeof r);
    assert_true(isnan(up_ring_rate(&r, 5000)));
    up_ring_push(&r, 1000, 100);
    assert_true(isnan(up_ring_rate(&r, 5000)));
    up_ring_push(&r, 2000, 150);
    up_ring_push(&r, 3000, 250);
    assert_true(fabs(up_ring_rate(&r, 5000) - 75) < 1e-9); /* 150 over 2 s */
    assert_true(fabs(up_ring_rate(&r, 1000) - 100) < 1e-9);
    /* A reset (process restart) loses one step instead of going negative. */
    up_ring_push(&r, 4000, 10);
    up_ring_push(&r, 5000, 60);
    assert_true(fabs(up_ring_rate(&r, 10000) - (50 + 100 + 50) / 4.0) < 1e-9);
    /* The ring keeps the newest UP_SERIES_CAP samples. */
    for (int i = 0; i < UP_SERIES_CAP + 10; i++)
        up_ring_push(&r, 10000 + i * 1000, i);
    assert_int_equal(r.count, UP_SERIES_CAP);
    int64_t t;
    double v;
    up_ring_get(&r, 0, &t, &v);
    assert_true(v == 10);
    up_ring_get(&r, UP_SERIES_CAP - 1, &t, &v);
    assert_true(v == UP_SERIES_CAP + 9);
}

static void test_lag_seconds(void **state)
{
    (void)state;
    struct up_sample_ring hist;
    memset(&hist, 0, sizeof hist);
    bool lb;
    assert_true(up_lag_seconds(&hist, 0, 1000, &lb) == 0);
    /* high watermark: 100 at t=10 s, 200 at t=20 s, 200 at t=30 s */
    up_ring_push(&hist, 10000, 100);
    up_ring_push(&hist, 20000, 200);
    up_ring_push(&hist, 30000, 200);
    /* Consumed all: nothing waits. */
    assert_true(up_lag_seconds(&hist, 200, 31000, &lb) == 0);
    assert_false(lb);
    /* Record 149 (the 50th of the second interval) was written at ~15 s. */
    double s = up_lag_seconds(&hist, 149, 31000, &lb);
    assert_false(lb);
    assert_true(fabs(s - 16.0) < 1e-9);
    /* Record 50 was written before the history began: a lower bound, the history's age. */
    s = up_lag_seconds(&hist, 50, 31000, &lb);
    assert_true(lb);
    assert_true(fabs(s - 21.0) < 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prom_sum),
        cmocka_unit_test(test_ring_rate),
        cmocka_unit_test(test_lag_seconds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
