/* Unit test for web/metrics_server: a real listener on a free loopback port. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "web/metrics_server.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
    up_buf_append(ud, p, size * n);
    return size * n;
}

static long http_get(uint16_t port, const char *path, struct up_buf *body)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, path);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    return status;
}

static void test_serves_metrics(void **state)
{
    (void)state;
    struct up_registry *r = up_registry_new();
    up_series_add(
        up_metric_series(up_metric_new(r, UP_METRIC_COUNTER, "demo_total", "Demo.", NULL, NULL, 0)),
        7);
    char err[256];
    struct up_metrics_server *s = up_metrics_server_start("127.0.0.1:0", r, err, sizeof err);
    assert_non_null(s);
    uint16_t port = up_metrics_server_port(s);
    assert_true(port > 0);
    struct up_buf body = UP_BUF_INIT;
    assert_int_equal(http_get(port, "/metrics", &body), 200);
    assert_non_null(strstr(body.data, "demo_total 7\n"));
    up_buf_clear(&body);
    assert_int_equal(http_get(port, "/nope", &body), 404);
    up_buf_free(&body);

    /* The same port twice is refused with a message, not a crash. */
    char taken[64];
    snprintf(taken, sizeof taken, "127.0.0.1:%u", port);
    assert_null(up_metrics_server_start(taken, r, err, sizeof err));
    assert_non_null(strstr(err, "cannot listen"));
    assert_null(up_metrics_server_start("nonsense", r, err, sizeof err));
    up_metrics_server_stop(s);
    up_registry_free(r);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_serves_metrics)};
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
