/* Unit tests for web/api_server with the real generator behind it: routes,
 * headers, keep-alive, rate limiting, fault injection and metrics, over a real
 * loopback socket on a free port. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "gen/gen.h"
#include "web/api_server.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void generate(void *ctx, const char *query, size_t len, struct up_api_response *out)
{
    (void)ctx;
    struct up_gen_reply r;
    up_gen_respond(query, len, 0, &out->body, &r);
    out->status = r.status;
    out->content_type = r.content_type;
    out->filename = r.filename;
    out->users = r.users;
}

struct reply {
    long status;
    struct up_buf body;
    struct up_buf headers;
    double seconds;
};

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
    up_buf_append(ud, p, size * n);
    return size * n;
}

/* One request on handle c (reused for keep-alive when the caller passes one). */
static void get(CURL *c, uint16_t port, const char *method, const char *path, struct reply *r)
{
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, path);
    memset(r, 0, sizeof *r);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_NOBODY, strcmp(method, "HEAD") == 0 ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->headers);
    int64_t t0 = up_mono_us();
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    r->seconds = (double)(up_mono_us() - t0) / 1e6;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    if (!r->body.data)
        up_buf_append(&r->body, "", 0);
    if (!r->headers.data)
        up_buf_append(&r->headers, "", 0);
}

static void reply_free(struct reply *r)
{
    up_buf_free(&r->body);
    up_buf_free(&r->headers);
}

static bool has_header(const struct reply *r, const char *line)
{
    return strcasestr(r->headers.data, line) != NULL;
}

static struct up_api_server *start(struct up_api_server_config *cfg)
{
    cfg->listen = "127.0.0.1:0";
    cfg->handler = generate;
    char err[256];
    struct up_api_server *s = up_api_server_start(cfg, err, sizeof err);
    if (!s)
        fail_msg("server did not start: %s", err);
    return s;
}

static void test_routes_and_headers(void **state)
{
    (void)state;
    struct up_api_server_config cfg = {.threads = 2};
    struct up_api_server *s = start(&cfg);
    uint16_t port = up_api_server_port(s);
    assert_true(port > 0);
    CURL *c = curl_easy_init();
    static const char *const ok_paths[] = {"/api", "/api/", "/api/1.4", "/api/1.4/"};
    for (size_t i = 0; i < 4; i++) {
        char path[64];
        snprintf(path, sizeof path, "%s?results=3&seed=r", ok_paths[i]);
        struct reply r;
        get(c, port, "GET", path, &r);
        assert_int_equal(r.status, 200);
        assert_true(has_header(&r, "Content-Type: application/json; charset=utf-8"));
        assert_true(has_header(&r, "Cache-Control: no-cache"));
        assert_true(has_header(&r, "Access-Control-Allow-Origin: *"));
        assert_false(has_header(&r, "Connection: close"));
        json_t *doc = json_loads(r.body.data, 0, NULL);
        assert_int_equal(json_array_size(json_object_get(doc, "results")), 3);
        json_decref(doc);
        reply_free(&r);
    }
    long connects = -1;
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
    assert_int_equal(connects, 0); /* the last request reused the first connection */

    struct reply r;
    get(c, port, "GET", "/api/1.3/?results=1", &r);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body.data, "{\"error\":"));
    reply_free(&r);
    get(c, port, "GET", "/", &r);
    assert_int_equal(r.status, 404);
    reply_free(&r);
    get(c, port, "POST", "/api/", &r);
    assert_int_equal(r.status, 405);
    reply_free(&r);
    get(c, port, "OPTIONS", "/api/", &r);
    assert_int_equal(r.status, 204);
    assert_true(has_header(&r, "Access-Control-Allow-Methods: GET"));
    reply_free(&r);
    get(c, port, "GET", "/api/?results=abc", &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body.data, "{\"error\":\"results:"));
    reply_free(&r);
    get(c, port, "GET", "/api/?results=2&format=csv&dl", &r);
    assert_int_equal(r.status, 200);
    assert_true(has_header(&r, "Content-Type: text/csv"));
    assert_true(has_header(&r, "Content-Disposition: attachment; filename=\"users.csv\""));
    reply_free(&r);
    get(c, port, "GET", "/api/?format=xml", &r);
    assert_true(has_header(&r, "Content-Type: text/xml"));
    reply_free(&r);
    get(c, port, "GET", "/api/?format=yaml", &r);
    assert_true(has_header(&r, "Content-Type: text/x-yaml"));
    reply_free(&r);
    get(c, port, "HEAD", "/api/?results=2", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body.len, 0);
    reply_free(&r);
    /* a hostile query string costs a 400, nothing more */
    char big[12000] = "/api/?seed=";
    memset(big + 11, 'a', 10000);
    big[10011] = '\0';
    get(c, port, "GET", big, &r);
    assert_int_equal(r.status, 400);
    reply_free(&r);
    curl_easy_cleanup(c);
    up_api_server_stop(s);
}

static void test_rate_limit(void **state)
{
    (void)state;
    struct up_api_server_config cfg = {
        .threads = 1, .rate_limit_users = 10, .rate_window_ms = 300000};
    struct up_api_server *s = start(&cfg);
    uint16_t port = up_api_server_port(s);
    CURL *c = curl_easy_init();
    struct reply r;
    get(c, port, "GET", "/api/?results=6", &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    get(c, port, "GET", "/api/?results=6", &r); /* 6 < 10: served, now 12 */
    assert_int_equal(r.status, 200);
    reply_free(&r);
    get(c, port, "GET", "/api/?results=1", &r);
    assert_int_equal(r.status, 429);
    assert_true(has_header(&r, "Retry-After: "));
    long retry = atol(strcasestr(r.headers.data, "Retry-After: ") + 13);
    assert_true(retry >= 1 && retry <= 300);
    assert_non_null(strstr(r.body.data, "{\"error\":\"rate limit"));
    reply_free(&r);
    /* errors cost nothing from the budget, and 404s are not limited */
    get(c, port, "GET", "/nowhere", &r);
    assert_int_equal(r.status, 404);
    reply_free(&r);
    curl_easy_cleanup(c);
    up_api_server_stop(s);

    /* a new window gives a new budget */
    cfg.rate_limit_users = 2;
    cfg.rate_window_ms = 1000;
    s = start(&cfg);
    c = curl_easy_init();
    /* two users fit in a window, the third request is refused; a window edge
     * falling between the requests restarts the count, so try a few windows */
    int first_429 = -1;
    for (int attempt = 0; attempt < 3 && first_429 < 0; attempt++) {
        up_sleep_ms(1000 - up_wall_ms() % 1000 + 20); /* start just after an edge */
        for (int i = 0; i < 3; i++) {
            get(c, up_api_server_port(s), "GET", "/api/?results=1", &r);
            if (r.status == 429 && first_429 < 0)
                first_429 = i;
            reply_free(&r);
        }
    }
    assert_int_equal(first_429, 2);
    up_sleep_ms(1100);
    get(c, up_api_server_port(s), "GET", "/api/?results=1", &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    curl_easy_cleanup(c);
    up_api_server_stop(s);

    uint64_t users;
    int64_t window;
    assert_int_equal(up_api_parse_rate_limit("20000/5m", &users, &window), 0);
    assert_true(users == 20000 && window == 300000);
    assert_int_equal(up_api_parse_rate_limit("100", &users, &window), 0);
    assert_true(users == 100 && window == 300000);
    assert_int_equal(up_api_parse_rate_limit("5/30s", &users, &window), 0);
    assert_true(users == 5 && window == 30000);
    assert_int_equal(up_api_parse_rate_limit("0", &users, &window), 0);
    assert_true(users == 0);
    assert_int_equal(up_api_parse_rate_limit("x/5m", &users, &window), -1);
    assert_int_equal(up_api_parse_rate_limit("10/", &users, &window), -1);
    assert_int_equal(up_api_parse_rate_limit("10/10ms", &users, &window), -1);
    assert_int_equal(up_api_parse_rate_limit("-5/5m", &users, &window), -1);
    assert_int_equal(up_api_parse_rate_limit("10:5m", &users, &window), -1);
}

static void test_fault_injection(void **state)
{
    (void)state;
    struct up_api_server_config cfg = {.threads = 2, .fail_rate = 1.0, .slow_ms = 150};
    struct up_api_server *s = start(&cfg);
    uint16_t port = up_api_server_port(s);
    CURL *c = curl_easy_init();
    int e500 = 0, e503 = 0, html200 = 0, slow = 0;
    for (int i = 0; i < 48; i++) {
        struct reply r;
        get(c, port, "GET", "/api/?results=2&seed=f", &r);
        if (r.status == 500) {
            assert_non_null(strstr(r.body.data, "{\"error\":"));
            e500++;
        } else if (r.status == 503) {
            assert_true(has_header(&r, "Content-Type: text/html"));
            e503++;
        } else if (r.status == 200 && has_header(&r, "Content-Type: text/html")) {
            assert_null(json_loads(r.body.data, 0, NULL));
            html200++;
        } else {
            assert_int_equal(r.status, 200);
            assert_true(r.seconds >= 0.14);
            json_t *doc = json_loads(r.body.data, 0, NULL);
            assert_non_null(doc);
            json_decref(doc);
            slow++;
        }
        reply_free(&r);
    }
    assert_true(e500 > 0 && e503 > 0 && html200 > 0 && slow > 0);
    curl_easy_cleanup(c);
    up_api_server_stop(s);

    /* no faults at 0 */
    cfg.fail_rate = 0;
    s = start(&cfg);
    c = curl_easy_init();
    for (int i = 0; i < 20; i++) {
        struct reply r;
        get(c, up_api_server_port(s), "GET", "/api/?results=1", &r);
        assert_int_equal(r.status, 200);
        assert_true(has_header(&r, "application/json"));
        reply_free(&r);
    }
    curl_easy_cleanup(c);
    up_api_server_stop(s);
}

static void test_slow_responses_survive_stop(void **state)
{
    (void)state;
    /* a server stopped while responses are parked must not hang or leak */
    struct up_api_server_config cfg = {.threads = 1, .fail_rate = 1.0, .slow_ms = 60000};
    struct up_api_server *s = start(&cfg);
    CURLM *m = curl_multi_init();
    CURL *handles[8];
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/api/", up_api_server_port(s));
    for (int i = 0; i < 8; i++) {
        handles[i] = curl_easy_init();
        curl_easy_setopt(handles[i], CURLOPT_URL, url);
        curl_easy_setopt(handles[i], CURLOPT_WRITEFUNCTION, collect);
        struct up_buf *sink = up_xcalloc(1, sizeof *sink);
        curl_easy_setopt(handles[i], CURLOPT_WRITEDATA, sink);
        curl_easy_setopt(handles[i], CURLOPT_PRIVATE, sink);
        curl_multi_add_handle(m, handles[i]);
    }
    int running = 1;
    int64_t until = up_mono_ms() + 500;
    while (running && up_mono_ms() < until) {
        curl_multi_perform(m, &running);
        curl_multi_poll(m, NULL, 0, 50, NULL);
    }
    int64_t t0 = up_mono_ms();
    up_api_server_stop(s);
    assert_true(up_mono_ms() - t0 < 10000);
    for (int i = 0; i < 8; i++) {
        struct up_buf *sink;
        curl_easy_getinfo(handles[i], CURLINFO_PRIVATE, (char **)&sink);
        curl_multi_remove_handle(m, handles[i]);
        curl_easy_cleanup(handles[i]);
        up_buf_free(sink);
        free(sink);
    }
    curl_multi_cleanup(m);
}

static void test_metrics(void **state)
{
    (void)state;
    struct up_registry *reg = up_registry_new();
    struct up_api_server_config cfg = {.threads = 1, .metrics = reg};
    struct up_api_server *s = start(&cfg);
    CURL *c = curl_easy_init();
    struct reply r;
    for (int i = 0; i < 3; i++) {
        get(c, up_api_server_port(s), "GET", "/api/?results=5", &r);
        reply_free(&r);
    }
    get(c, up_api_server_port(s), "GET", "/api/?results=0", &r);
    reply_free(&r);
    curl_easy_cleanup(c);
    up_api_server_stop(s);
    struct up_buf text = UP_BUF_INIT;
    up_metrics_render(reg, &text);
    assert_non_null(strstr(text.data, "userpipe_api_requests_total{status=\"200\"} 3"));
    assert_non_null(strstr(text.data, "userpipe_api_requests_total{status=\"400\"} 1"));
    assert_non_null(strstr(text.data, "userpipe_api_users_total 15"));
    assert_non_null(strstr(text.data, "userpipe_api_request_duration_seconds_count 4"));
    up_buf_free(&text);
    up_registry_free(reg);
}

static void test_bad_listen(void **state)
{
    (void)state;
    char err[256];
    struct up_api_server_config cfg = {.listen = "nocolon", .handler = generate};
    assert_null(up_api_server_start(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "HOST:PORT"));
    cfg.listen = "127.0.0.1:0";
    struct up_api_server *a = up_api_server_start(&cfg, err, sizeof err);
    assert_non_null(a);
    char taken[64];
    snprintf(taken, sizeof taken, "127.0.0.1:%u", up_api_server_port(a));
    cfg.listen = taken;
    assert_null(up_api_server_start(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "cannot listen"));
    up_api_server_stop(a);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes_and_headers),
        cmocka_unit_test(test_rate_limit),
        cmocka_unit_test(test_fault_injection),
        cmocka_unit_test(test_slow_responses_survive_stop),
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_bad_listen),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
