/* Unit tests for source/client against a scripted local server: keep-alive, URLs,
 * 429 + Retry-After, 5xx/timeouts/non-JSON retried up to max_retries, final errors
 * naming the URL and the last status, cancellation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "fake_randomuser.h"
#include "source/client.h"

#include <pthread.h>
#include <string.h>

struct retries_seen {
    int n;
    enum up_retry_reason last;
    int64_t last_wait_ms;
};

static void count_retry(void *ctx, enum up_retry_reason why, int64_t wait_ms, const char *what)
{
    (void)what;
    struct retries_seen *r = ctx;
    r->n++;
    r->last = why;
    r->last_wait_ms = wait_ms;
}

struct env {
    struct fake_api *api;
    struct up_client *client;
    struct retries_seen retries;
    struct up_client_config cfg;
};

static struct env *env_new(int max_retries, int64_t timeout_ms)
{
    struct env *e = calloc(1, sizeof *e);
    e->api = fake_start();
    assert_non_null(e->api);
    e->cfg = (struct up_client_config){
        .url = e->api->url,
        .timeout_ms = timeout_ms,
        .max_retries = max_retries,
        .backoff_base_ms = 20,
        .backoff_max_ms = 100,
        .on_retry = count_retry,
        .ctx = &e->retries,
    };
    char err[256];
    e->client = up_client_new(&e->cfg, err, sizeof err);
    assert_non_null(e->client);
    return e;
}

/* A new client from e->cfg, after a test changed a setting. */
static void env_reopen(struct env *e)
{
    up_client_free(e->client);
    char err[256];
    e->client = up_client_new(&e->cfg, err, sizeof err);
    assert_non_null(e->client);
}

static void env_free(struct env *e)
{
    up_client_free(e->client);
    fake_stop(e->api);
    free(e);
}

static int get(struct env *e, long page, int results, json_t **body, char *err, size_t n)
{
    return up_client_get_page(e->client, "s1", page, results, body, err, n);
}

static void test_page_url(void **state)
{
    (void)state;
    char err[256];
    struct up_client_config cfg = {.url = "http://h:1/api/", .nat = "US,GB"};
    struct up_client *c = up_client_new(&cfg, err, sizeof err);
    char *url = up_client_page_url(c, "a b&c", 7, 500);
    assert_string_equal(url, "http://h:1/api/?results=500&seed=a%20b%26c&page=7&nat=US%2CGB");
    free(url);
    up_client_free(c);
    cfg = (struct up_client_config){.url = "http://h:1/api/?fmt=json"};
    c = up_client_new(&cfg, err, sizeof err);
    url = up_client_page_url(c, "x", 1, 10);
    assert_string_equal(url, "http://h:1/api/?fmt=json&results=10&seed=x&page=1");
    free(url);
    up_client_free(c);
}

static void test_pages_over_one_connection(void **state)
{
    (void)state;
    struct env *e = env_new(3, 5000);
    char err[512];
    for (long page = 1; page <= 3; page++) {
        json_t *body;
        assert_int_equal(get(e, page, 25, &body, err, sizeof err), 0);
        assert_int_equal(json_array_size(json_object_get(body, "results")), 25);
        json_decref(body);
    }
    assert_int_equal(up_client_requests(e->client), 3);
    assert_int_equal(up_client_connections(e->client), 1); /* keep-alive */
    assert_int_equal(e->api->connections, 1);
    assert_string_equal(e->api->seen[2], "results=25&seed=s1&page=3&nat=-");
    assert_int_equal(e->retries.n, 0);
    env_free(e);
}

/* Scripts steps, then expects the page to arrive after `retries` retries, the last
 * one for `why`, each wait within the backoff's 1-100 ms unless Retry-After said more. */
static void expect_recovery(struct env *e, const struct fake_step *steps, int nsteps, int retries,
                            enum up_retry_reason why)
{
    fake_script(e->api, steps, nsteps);
    json_t *body;
    char err[512];
    if (get(e, 1, 3, &body, err, sizeof err) != 0)
        fail_msg("no recovery: %s", err);
    json_decref(body);
    assert_int_equal(e->retries.n, retries);
    assert_int_equal(e->retries.last, why);
}

static void test_5xx_retried_then_ok(void **state)
{
    (void)state;
    struct env *e = env_new(3, 5000);
    const struct fake_step steps[] = {{503, NULL, 0, 0}, {500, NULL, 0, 0}, {0, NULL, 0, 0}};
    expect_recovery(e, steps, 3, 2, UP_RETRY_SERVER_ERROR);
    assert_true(e->retries.last_wait_ms >= 1 && e->retries.last_wait_ms <= 100);
    env_free(e);
}

static void test_gives_up_naming_url_and_status(void **state)
{
    (void)state;
    struct env *e = env_new(2, 5000);
    const struct fake_step steps[] = {
        {502, NULL, 0, 0}, {502, NULL, 0, 0}, {503, "{\"error\":\"down for maintenance\"}", 0, 0}};
    fake_script(e->api, steps, 3);
    json_t *body = (json_t *)1;
    char err[1024];
    assert_int_equal(get(e, 4, 5, &body, err, sizeof err), -1);
    assert_null(body);
    assert_int_equal(e->api->requests, 3); /* 1 + max_retries */
    char url[256];
    snprintf(url, sizeof url, "GET %s?results=5&seed=s1&page=4", e->api->url);
    if (!strstr(err, url) || !strstr(err, "HTTP 503") || !strstr(err, "down for maintenance") ||
        !strstr(err, "after 2 retries"))
        fail_msg("unexpected error: %s", err);
    env_free(e);
}

static void test_client_errors_are_final(void **state)
{
    (void)state;
    struct env *e = env_new(5, 5000);
    const struct fake_step steps[] = {{404, "{\"error\":\"no such version\"}", 0, 0}};
    fake_script(e->api, steps, 1);
    json_t *body;
    char err[1024];
    assert_int_equal(get(e, 1, 5, &body, err, sizeof err), -1);
    assert_int_equal(e->api->requests, 1);
    assert_non_null(strstr(err, "HTTP 404"));
    assert_non_null(strstr(err, e->api->url));
    env_free(e);
}

static void test_429_honours_retry_after_and_is_not_counted(void **state)
{
    (void)state;
    struct env *e = env_new(0, 5000); /* no retries at all for failures... */
    const struct fake_step steps[] = {{429, NULL, 1, 0}, {0, NULL, 0, 0}};
    fake_script(e->api, steps, 2);
    json_t *body;
    char err[512];
    int64_t t0 = up_mono_ms();
    assert_int_equal(get(e, 1, 3, &body, err, sizeof err), 0); /* ...yet 429 is waited out */
    int64_t took = up_mono_ms() - t0;
    json_decref(body);
    assert_int_equal(e->retries.n, 1);
    assert_int_equal(e->retries.last, UP_RETRY_RATE_LIMITED);
    assert_int_equal(e->retries.last_wait_ms, 1000);
    assert_true(took >= 950 && took < 3000);
    env_free(e);
}

static void test_429_without_retry_after_backs_off(void **state)
{
    (void)state;
    struct env *e = env_new(0, 5000);
    const struct fake_step steps[] = {
        {429, NULL, 0, 0}, {429, NULL, 0, 0}, {429, NULL, 0, 0}, {0, NULL, 0, 0}};
    expect_recovery(e, steps, 4, 3, UP_RETRY_RATE_LIMITED);
    assert_true(e->retries.last_wait_ms >= 1 && e->retries.last_wait_ms <= 100);
    env_free(e);
}

static void test_429_gives_up_at_the_wait_budget(void **state)
{
    (void)state;
    struct env *e = env_new(5, 5000);
    e->cfg.rate_limited_max_ms = 1500;
    env_reopen(e);
    char err[512];
    const struct fake_step steps[] = {{429, NULL, 1, 0}, {429, NULL, 1, 0}, {429, NULL, 1, 0}};
    fake_script(e->api, steps, 3);
    json_t *body;
    int64_t t0 = up_mono_ms();
    assert_int_equal(get(e, 1, 3, &body, err, sizeof err), -1);
    int64_t took = up_mono_ms() - t0;
    /* 1 s as asked, then the 0.5 s left of the budget, then the third 429 ends it */
    assert_int_equal(e->api->requests, 3);
    assert_int_equal(e->retries.n, 2);
    assert_int_equal(e->retries.last_wait_ms, 500);
    assert_true(took >= 1450 && took < 4000);
    assert_non_null(strstr(err, "HTTP 429"));
    assert_non_null(strstr(err, "still rate limited after waiting 1.5 s in total"));
    assert_non_null(strstr(err, "--max-rate-limit-wait"));
    env_free(e);
}

static void test_bad_bodies_retried(void **state)
{
    (void)state;
    struct env *e = env_new(3, 5000);
    const struct fake_step steps[] = {
        {200, "<html>502 Bad Gateway</html>", 0, 0},                    /* not JSON */
        {200, "{\"error\":\"Uh oh, something has gone wrong\"}", 0, 0}, /* no results */
        {200, "{\"results\":[]}", 0, 0},                                /* no users */
        {0, NULL, 0, 0}};
    expect_recovery(e, steps, 4, 3, UP_RETRY_BAD_BODY);
    json_t *body;
    char err[512];

    struct env *strict = env_new(0, 5000);
    fake_script(strict->api, steps, 1);
    assert_int_equal(get(strict, 1, 3, &body, err, sizeof err), -1);
    if (!strstr(err, "not JSON") || !strstr(err, "<html>502 Bad Gateway</html>"))
        fail_msg("unexpected error: %s", err);
    env_free(strict);
    env_free(e);
}

static void test_timeout_retried(void **state)
{
    (void)state;
    struct env *e = env_new(2, 300);
    const struct fake_step steps[] = {{0, NULL, 0, 1200}, {0, NULL, 0, 0}};
    expect_recovery(e, steps, 2, 1, UP_RETRY_TIMEOUT);
    env_free(e);
}

static void test_connection_refused(void **state)
{
    (void)state;
    struct env *e = env_new(1, 2000);
    char url[64];
    snprintf(url, sizeof url, "%s", e->api->url);
    fake_stop(e->api); /* nobody listens there now */
    e->api = fake_start();
    struct up_client_config cfg = e->cfg;
    cfg.url = url;
    char err[512];
    struct up_client *c = up_client_new(&cfg, err, sizeof err);
    json_t *body;
    int64_t t0 = up_mono_ms();
    assert_int_equal(up_client_get_page(c, "s", 1, 1, &body, err, sizeof err), -1);
    assert_true(up_mono_ms() - t0 < 2000);
    assert_int_equal(e->retries.n, 1);
    assert_int_equal(e->retries.last, UP_RETRY_TRANSPORT);
    if (!strstr(err, url) || !strstr(err, "after 1 retries"))
        fail_msg("unexpected error: %s", err);
    up_client_free(c);
    env_free(e);
}

static void *cancel_later(void *arg)
{
    up_sleep_ms(200);
    up_client_cancel(arg);
    return NULL;
}

static void test_cancel_interrupts_a_wait(void **state)
{
    (void)state;
    struct env *e = env_new(3, 5000);
    const struct fake_step steps[] = {{429, NULL, 30, 0}};
    fake_script(e->api, steps, 1);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, cancel_later, e->client), 0);
    json_t *body;
    char err[512];
    int64_t t0 = up_mono_ms();
    assert_int_equal(get(e, 1, 3, &body, err, sizeof err), -1);
    assert_true(up_mono_ms() - t0 < 2000);
    assert_non_null(strstr(err, "cancelled"));
    pthread_join(t, NULL);
    assert_true(up_client_cancelled(e->client));
    env_free(e);
}

static void test_body_limit(void **state)
{
    (void)state;
    struct env *e = env_new(0, 5000);
    e->cfg.max_body_bytes = 1000;
    env_reopen(e);
    char err[512];
    json_t *body;
    assert_int_equal(get(e, 1, 50, &body, err, sizeof err), -1);
    assert_non_null(strstr(err, "larger than 1000 bytes"));
    env_free(e);
}

static void test_reason_codes(void **state)
{
    (void)state;
    assert_string_equal(up_retry_reason_code(UP_RETRY_RATE_LIMITED), "rate_limited");
    assert_string_equal(up_retry_reason_code(UP_RETRY_BAD_BODY), "bad_body");
    assert_string_equal(up_retry_reason_code(UP_RETRY_NREASONS), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page_url),
        cmocka_unit_test(test_pages_over_one_connection),
        cmocka_unit_test(test_5xx_retried_then_ok),
        cmocka_unit_test(test_gives_up_naming_url_and_status),
        cmocka_unit_test(test_client_errors_are_final),
        cmocka_unit_test(test_429_honours_retry_after_and_is_not_counted),
        cmocka_unit_test(test_429_without_retry_after_backs_off),
        cmocka_unit_test(test_429_gives_up_at_the_wait_budget),
        cmocka_unit_test(test_bad_bodies_retried),
        cmocka_unit_test(test_timeout_retried),
        cmocka_unit_test(test_connection_refused),
        cmocka_unit_test(test_cancel_interrupts_a_wait),
        cmocka_unit_test(test_body_limit),
        cmocka_unit_test(test_reason_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
