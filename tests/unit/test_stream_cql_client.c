/* Unit tests for stream/cql_client: the sinks' session policy and the CQL metric families. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "stream/cql_client.h"

#include <string.h>

static void test_config_adds_speculative_only(void **state)
{
    (void)state;
    struct cql_config base = {.contact_points = "127.0.0.1:9", .request_timeout_ms = 1234};
    struct cql_config cc = up_stream_cql_config(&base);
    assert_int_equal(cc.speculative_delay_ms, UP_STREAM_SPECULATIVE_DELAY_MS);
    assert_string_equal(cc.contact_points, "127.0.0.1:9");
    assert_int_equal(cc.request_timeout_ms, 1234);
}

static void test_metric_families(void **state)
{
    (void)state;
    assert_null(up_cql_metrics_new(NULL));
    up_cql_metrics_tick(NULL, NULL, true); /* no metrics: nothing to do */
    struct up_registry *r = up_registry_new();
    struct up_cql_metrics *m = up_cql_metrics_new(r);
    assert_non_null(m);
    struct up_buf out = UP_BUF_INIT;
    up_metrics_render(r, &out);
    /* The per-node families appear with the first node (the integration test sees them). */
    static const char *const families[] = {
        "userpipe_cql_failover_total{event=\"speculative_sent\"} 0",
        "userpipe_cql_failover_total{event=\"speculative_won\"} 0",
        "userpipe_cql_failover_total{event=\"suspect\"} 0",
    };
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        assert_non_null(strstr(out.data, families[i]));
    up_buf_free(&out);
    up_cql_metrics_free(m);
    up_registry_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_adds_speculative_only),
        cmocka_unit_test(test_metric_families),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
