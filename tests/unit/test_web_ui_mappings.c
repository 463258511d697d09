/* Unit tests for web/ui_mappings: reading the userpipe_mapping_* series out of Prometheus
 * text, summing pages, the p99 from buckets, rates across ticks and the panel's JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "web/ui_mappings.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What one `userpipe stream --mapping` page looks like (sink_map.c's metrics), trimmed. */
static const char PAGE[] =
    "# HELP userpipe_mapping_records_total Records read and handed to the mapping, per topic.\n"
    "# TYPE userpipe_mapping_records_total counter\n"
    "userpipe_mapping_records_total{topic=\"orders\"} 120\n"
    "userpipe_mapping_rows_total{topic=\"orders\",table=\"shop.orders\",op=\"insert\"} 100\n"
    "userpipe_mapping_rows_total{topic=\"orders\",table=\"shop.orders\",op=\"delete\"} 7\n"
    "userpipe_mapping_rows_total{topic=\"orders\",table=\"shop.by_day\",op=\"insert\"} 107\n"
    "userpipe_mapping_rows_total{topic=\"orders\",table=\"shop.by_day\",op=\"delete\"} 0\n"
    "userpipe_mapping_rejected_total{topic=\"orders\",table=\"\",stage=\"parse\"} 3\n"
    "userpipe_mapping_rejected_total{topic=\"orders\",table=\"shop.orders\",stage=\"mapping\"} 5\n"
    "userpipe_mapping_rejected_total{topic=\"orders\",table=\"shop.orders\",stage=\"write\"} 1\n"
    "userpipe_mapping_e2e_latency_seconds_bucket{topic=\"orders\",table=\"shop.orders\","
    "le=\"0.1\"} 50\n"
    "userpipe_mapping_e2e_latency_seconds_bucket{topic=\"orders\",table=\"shop.orders\","
    "le=\"0.2\"} 90\n"
    "userpipe_mapping_e2e_latency_seconds_bucket{topic=\"orders\",table=\"shop.orders\","
    "le=\"0.5\"} 100\n"
    "userpipe_mapping_e2e_latency_seconds_bucket{topic=\"orders\",table=\"shop.orders\","
    "le=\"+Inf\"} 100\n"
    "userpipe_mapping_e2e_latency_seconds_sum{topic=\"orders\",table=\"shop.orders\"} 9.5\n"
    "userpipe_mapping_e2e_latency_seconds_count{topic=\"orders\",table=\"shop.orders\"} 100\n"
    "userpipe_stream_records_consumed_total 120\n";

static const struct up_mapping_reading *find(const struct up_mapping_scrape *s, const char *topic,
                                             const char *table)
{
    for (size_t i = 0; i < s->npairs; i++)
        if (strcmp(s->pairs[i].topic, topic) == 0 && strcmp(s->pairs[i].table, table) == 0)
            return &s->pairs[i];
    return NULL;
}

static struct up_mapping_scrape *scrape_of(const char *text)
{
    struct up_mapping_scrape *s = calloc(1, sizeof *s);
    up_mapping_scrape_reset(s);
    up_mapping_scrape_add(s, text, strlen(text));
    return s;
}

static void test_scrape_reads_every_counter(void **state)
{
    (void)state;
    struct up_mapping_scrape *s = scrape_of(PAGE);
    assert_true(s->any);
    assert_int_equal(s->dropped, 0);
    assert_int_equal(s->npairs, 3); /* the topic's own, and two tables */
    const struct up_mapping_reading *topic = find(s, "orders", "");
    const struct up_mapping_reading *orders = find(s, "orders", "shop.orders");
    const struct up_mapping_reading *by_day = find(s, "orders", "shop.by_day");
    assert_non_null(topic);
    assert_non_null(orders);
    assert_non_null(by_day);
    assert_true(topic->records == 120 && topic->dlq_parse == 3);
    assert_true(orders->inserts == 100 && orders->deletes == 7);
    assert_true(orders->dlq_mapping == 5 && orders->dlq_write == 1 && orders->dlq_parse == 0);
    assert_true(by_day->inserts == 107 && by_day->deletes == 0 && by_day->nbuckets == 0);
    assert_int_equal(orders->nbuckets, 4);
    free(s);
}

static void test_scrape_sums_pages(void **state)
{
    (void)state;
    struct up_mapping_scrape *s = scrape_of(PAGE);
    up_mapping_scrape_add(s, PAGE, strlen(PAGE)); /* a second stream process */
    const struct up_mapping_reading *orders = find(s, "orders", "shop.orders");
    assert_int_equal(s->npairs, 3);
    assert_true(find(s, "orders", "")->records == 240);
    assert_true(orders->deletes == 14 && orders->dlq_write == 2);
    assert_int_equal(orders->nbuckets, 4); /* the same bounds, counts added */
    assert_true(orders->cum[3] == 200);
    up_mapping_scrape_reset(s);
    assert_int_equal(s->npairs, 0);
    assert_false(s->any);
    free(s);
}

static void test_scrape_without_mapping_series(void **state)
{
    (void)state;
    struct up_mapping_scrape *s = scrape_of("# the built-in users pipeline\n"
                                            "userpipe_stream_records_stored_total 55\n"
                                            "userpipe_stream_records_consumed_total 60\n");
    assert_false(s->any);
    assert_int_equal(s->npairs, 0);
    free(s);
}

/* What is malformed or past a cap is counted as dropped, never read as something else. */
static void test_scrape_drops_what_does_not_fit(void **state)
{
    (void)state;
    char *long_topic = malloc(UP_MAPPINGS_NAME_MAX + 64);
    memset(long_topic, 'x', UP_MAPPINGS_NAME_MAX + 10);
    long_topic[UP_MAPPINGS_NAME_MAX + 10] = '\0';
    char line[1024];
    snprintf(line, sizeof line, "userpipe_mapping_records_total{topic=\"%s\"} 4\n", long_topic);
    struct up_mapping_scrape *s = scrape_of(line);
    assert_int_equal(s->npairs, 0);
    assert_int_equal(s->dropped, 1);
    free(s);
    free(long_topic);

    s = scrape_of("userpipe_mapping_records_total{topic=\"a\"} -4\n"    /* negative */
                  "userpipe_mapping_records_total{topic=\"a\"} NaN\n"   /* not finite */
                  "userpipe_mapping_records_total{topic=\"a\"} 12abc\n" /* bad number */
                  "userpipe_mapping_records_total{topic=\"a} 1\n"       /* unterminated */
                  "userpipe_mapping_records_total{table=\"t\"} 1\n"     /* no topic */
                  "userpipe_mapping_rows_total{topic=\"a\",table=\"t\",op=\"x\"} 1\n" /* op */
                  "userpipe_mapping_rejected_total{topic=\"a\",table=\"t\",stage=\"x\"} 1\n"
                  "userpipe_mapping_e2e_latency_seconds_bucket{topic=\"a\",table=\"t\","
                  "le=\"soon\"} 1\n"
                  "userpipe_mapping_records_total{topic=\"a\"}5\n"       /* value not set apart */
                  "userpipe_mapping_records_total{topic=\"a\\\"b\"} 2"); /* escaped, last line */
    assert_int_equal(s->dropped, 9);
    assert_int_equal(s->npairs, 1);
    assert_string_equal(s->pairs[0].topic, "a\"b");
    assert_true(s->pairs[0].records == 2);
    free(s);

    struct up_buf page = UP_BUF_INIT;
    for (int i = 0; i < UP_MAPPINGS_MAX_PAIRS + 5; i++)
        up_buf_printf(&page, "userpipe_mapping_records_total{topic=\"t%d\"} 1\n", i);
    s = scrape_of(page.data);
    assert_int_equal(s->npairs, UP_MAPPINGS_MAX_PAIRS);
    assert_int_equal(s->dropped, 5);
    up_buf_free(&page);
    free(s);
}

static void test_histogram_quantile(void **state)
{
    (void)state;
    const double le[] = {0.1, 0.2, 0.5, INFINITY}, cum[] = {50, 90, 100, 100};
    /* rank 99 falls in (0.2, 0.5] holding 90..100: 0.2 + 0.3 * 9/10 */
    assert_true(fabs(up_histogram_quantile(le, cum, 4, 0.99) - 0.47) < 1e-9);
    /* rank 50 is reached at the first bound: interpolated from 0 */
    assert_true(fabs(up_histogram_quantile(le, cum, 4, 0.5) - 0.1) < 1e-9);
    assert_true(fabs(up_histogram_quantile(le, cum, 4, 0.25) - 0.05) < 1e-9);
    /* the order of the buckets does not matter */
    const double le_r[] = {INFINITY, 0.5, 0.2, 0.1}, cum_r[] = {100, 100, 90, 50};
    assert_true(fabs(up_histogram_quantile(le_r, cum_r, 4, 0.99) - 0.47) < 1e-9);
    /* beyond the last finite bound: that bound */
    const double cum_slow[] = {0, 0, 10, 100};
    assert_true(up_histogram_quantile(le, cum_slow, 4, 0.99) == 0.5);
    const double none[] = {0, 0, 0, 0};
    assert_true(isnan(up_histogram_quantile(le, none, 4, 0.99)));
    assert_true(isnan(up_histogram_quantile(le, cum, 0, 0.99)));
}

/* A page with one topic, one table and given counts. */
static struct up_mapping_scrape *counts(double records, double inserts, double deletes)
{
    char page[1024];
    snprintf(page, sizeof page,
             "userpipe_mapping_records_total{topic=\"t\"} %g\n"
             "userpipe_mapping_rows_total{topic=\"t\",table=\"ks.t\",op=\"insert\"} %g\n"
             "userpipe_mapping_rows_total{topic=\"t\",table=\"ks.t\",op=\"delete\"} %g\n",
             records, inserts, deletes);
    return scrape_of(page);
}

static json_t *panel(const struct up_ui_mappings *m)
{
    struct up_buf b = UP_BUF_INIT;
    up_ui_mappings_json(m, &b);
    json_error_t err;
    json_t *j = json_loads(b.data, 0, &err);
    if (!j)
        fail_msg("not JSON: %s: %s", err.text, b.data);
    up_buf_free(&b);
    return j;
}

static double row_number(json_t *j, size_t row, const char *name)
{
    json_t *v = json_object_get(json_array_get(json_object_get(j, "rows"), row), name);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static void update_with(struct up_ui_mappings *m, int64_t t, double records, double inserts,
                        double deletes)
{
    struct up_mapping_scrape *s = counts(records, inserts, deletes);
    up_ui_mappings_update(m, s, t);
    free(s);
}

static void test_rates_across_ticks(void **state)
{
    (void)state;
    struct up_ui_mappings *m = up_ui_mappings_new();
    update_with(m, 10000, 0, 0, 0);
    json_t *j = panel(m);
    assert_true(isnan(row_number(j, 0, "records_per_second"))); /* one reading: no rate */
    json_decref(j);
    update_with(m, 11000, 100, 80, 10);
    update_with(m, 12000, 300, 250, 20);
    j = panel(m);
    assert_true(fabs(row_number(j, 0, "records_per_second") - 150) < 1e-9);
    assert_true(fabs(row_number(j, 0, "rows_per_second") - 135) < 1e-9);
    assert_true(row_number(j, 0, "deletes") == 20 && row_number(j, 0, "inserts") == 250);
    json_decref(j);
    /* a process restarts: its counts fall; that step is no increase, never negative */
    update_with(m, 13000, 50, 40, 0);
    j = panel(m);
    assert_true(fabs(row_number(j, 0, "records_per_second") - 100) < 1e-9); /* 300 over 3 s */
    json_decref(j);
    /* only the last 5 s count */
    for (int64_t t = 14000; t <= 20000; t += 1000)
        update_with(m, t, 50, 40, 0);
    j = panel(m);
    assert_true(row_number(j, 0, "records_per_second") == 0);
    json_decref(j);
    /* an incomplete scrape: figures kept, rates unknown */
    up_ui_mappings_mark_stale(m);
    j = panel(m);
    assert_true(json_is_true(json_object_get(j, "stale")));
    assert_true(isnan(row_number(j, 0, "records_per_second")));
    assert_true(row_number(j, 0, "records") == 50);
    json_decref(j);
    up_ui_mappings_free(m);
}

static void test_panel_json(void **state)
{
    (void)state;
    struct up_ui_mappings *m = up_ui_mappings_new();
    json_t *j = panel(m);
    assert_true(json_is_false(json_object_get(j, "available")));
    assert_int_equal(json_array_size(json_object_get(j, "rows")), 0);
    json_decref(j);

    struct up_mapping_scrape *s = scrape_of(PAGE);
    up_ui_mappings_update(m, s, 1000);
    j = panel(m);
    assert_true(json_is_true(json_object_get(j, "available")));
    json_t *rows = json_object_get(j, "rows");
    assert_int_equal(json_array_size(rows), 2); /* one per table, by name */
    assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "table")),
                        "shop.by_day");
    json_t *orders = json_array_get(rows, 1);
    assert_string_equal(json_string_value(json_object_get(orders, "topic")), "orders");
    assert_string_equal(json_string_value(json_object_get(orders, "table")), "shop.orders");
    assert_true(row_number(j, 0, "records") == 120 && row_number(j, 1, "records") == 120);
    assert_true(row_number(j, 1, "deletes") == 7);
    assert_true(fabs(row_number(j, 1, "e2e_p99_seconds") - 0.47) < 1e-9);
    assert_true(row_number(j, 1, "e2e_observations") == 100);
    assert_true(isnan(row_number(j, 0, "e2e_p99_seconds"))); /* no bucket: unknown */
    json_t *dlq = json_object_get(orders, "dlq");
    assert_true(json_number_value(json_object_get(dlq, "parse")) == 3);
    assert_true(json_number_value(json_object_get(dlq, "mapping")) == 5);
    assert_true(json_number_value(json_object_get(dlq, "write")) == 1);
    json_decref(j);
    free(s);

    /* a topic whose records are counted but which has no table yet still gets its row */
    s = scrape_of("userpipe_mapping_records_total{topic=\"lonely\"} 9\n");
    up_ui_mappings_update(m, s, 2000);
    j = panel(m);
    assert_int_equal(json_array_size(json_object_get(j, "rows")), 1);
    assert_true(
        json_is_null(json_object_get(json_array_get(json_object_get(j, "rows"), 0), "table")));
    assert_true(row_number(j, 0, "records") == 9);
    json_decref(j);
    free(s);
    up_ui_mappings_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scrape_reads_every_counter),
        cmocka_unit_test(test_scrape_sums_pages),
        cmocka_unit_test(test_scrape_without_mapping_series),
        cmocka_unit_test(test_scrape_drops_what_does_not_fit),
        cmocka_unit_test(test_histogram_quantile),
        cmocka_unit_test(test_rates_across_ticks),
        cmocka_unit_test(test_panel_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
