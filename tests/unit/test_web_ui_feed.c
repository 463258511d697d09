/* Unit tests for web/ui_feed on librdkafka's mock cluster: the event stream stays well formed
 * however small the reads (progress never lands inside a half-written record), live browsers
 * share one consumer with their own filters, a browser that does not read loses its oldest
 * records (counted) while the others get everything, and values are cut at the limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "web/ui_feed.h"

#include "web_ui_mock.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void produce(struct mock *m, int n, int first, size_t value_len, const char *needle)
{
    char *value = malloc(value_len + 64);
    for (int i = first; i < first + n; i++) {
        int h = snprintf(value, value_len + 64, "{\"n\":%d,\"name\":\"%s\",\"pad\":\"", i,
                         needle && i % 3 == 0 ? needle : "plain");
        size_t len = (size_t)h;
        while (len < value_len)
            value[len++] = 'x';
        memcpy(value + len, "\"}", 2);
        len += 2;
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(
            rd_kafka_producev(m->rk, RD_KAFKA_V_TOPIC("users"), RD_KAFKA_V_KEY(key, strlen(key)),
                              RD_KAFKA_V_VALUE(value, len),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
            0);
    }
    free(value);
    assert_int_equal(rd_kafka_flush(m->rk, 10000), 0);
}

static char *stats(void *ctx)
{
    (void)ctx;
    return strdup("{\"services\":{}}");
}

static struct up_ui_hub *hub_new(const struct mock *m, size_t queue_events, int progress_ms,
                                 struct up_registry **reg)
{
    struct up_ui_limits lim = {.queue_events = queue_events,
                               .queue_bytes = 1 << 20,
                               .max_value_bytes = 64,
                               .progress_ms = progress_ms};
    *reg = up_registry_new();
    struct up_ui_hub *hub = up_ui_hub_new(m->brokers, NULL, &lim, *reg);
    up_ui_hub_set_stats(hub, stats, NULL);
    return hub;
}

static struct up_ui_client *attach(struct up_ui_hub *hub, const char *from, const char *filter)
{
    struct up_tail_start *st = malloc(sizeof *st);
    char err[512];
    bool not_found;
    assert_int_equal(up_tail_start_parse(from, st, err, sizeof err), 0);
    struct up_ui_client *c =
        up_ui_hub_attach(hub, "users", st, filter, &not_found, err, sizeof err);
    free(st);
    if (!c)
        fail_msg("attach: %s", err);
    return c;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay ? hay : ""; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

/* Reads `chunk` bytes at a time until `want` more message events arrived (or 30 s); counts
 * only in what each read added (plus a marker's length before it, for one split in two). */
static size_t read_messages(struct up_ui_client *c, size_t chunk, size_t want, struct up_buf *out,
                            int pause_ms)
{
    static const char marker[] = "event: message\n";
    char buf[64];
    size_t messages = 0;
    int64_t end = up_mono_ms() + (want ? 30000 : 1000);
    while ((want == 0 || messages < want) && up_mono_ms() < end) {
        long n = up_ui_client_read(c, buf, chunk, 50);
        assert_true(n >= 0);
        size_t from = out->len >= sizeof marker - 2 ? out->len - (sizeof marker - 2) : 0;
        up_buf_append(out, buf, (size_t)n);
        if (n > 0)
            messages += count(out->data + from, marker);
        if (pause_ms)
            up_sleep_ms(pause_ms); /* a slow reader: progress falls due mid-record */
    }
    return messages;
}

/* Every event is well formed: known type, data lines that hold whole JSON objects. */
static void assert_well_formed(const char *stream, size_t *messages, size_t *truncated)
{
    *messages = *truncated = 0;
    const char *p = stream;
    while (*p) {
        const char *end = strstr(p, "\n\n");
        if (!end)
            break; /* the last event may be unfinished when we stopped reading */
        size_t len = (size_t)(end - p);
        char *event = strndup(p, len);
        if (strncmp(event, "event: message\nid: ", 19) == 0) {
            const char *data = strstr(event, "\ndata: {");
            if (!data || event[len - 1] != '}' || strchr(data + 1, '\n'))
                fail_msg("bad message event: %s", event);
            (*messages)++;
            if (strstr(event, "\"truncated\":true"))
                (*truncated)++;
        } else if (strncmp(event, "event: progress\ndata: {", 23) != 0 &&
                   strncmp(event, "event: stats\ndata: {", 20) != 0 &&
                   strncmp(event, "retry: ", 7) != 0) {
            fail_msg("unexpected event: %s", event);
        }
        free(event);
        p = end + 2;
    }
}

static void test_stream_well_formed_with_tiny_reads(void **state)
{
    (void)state;
    struct mock m;
    mock_up(&m);
    produce(&m, 40, 0, 100, NULL);
    struct up_registry *reg;
    struct up_ui_hub *hub = hub_new(&m, 1000, 2, &reg);
    struct up_ui_client *c = attach(hub, "beginning", NULL);
    struct up_buf out = UP_BUF_INIT;
    up_buf_puts(&out, "retry: 2000\n\n"); /* as the server greets */
    read_messages(c, 7, 40, &out, 1);
    char buf[8];
    for (int i = 0; i < 10000 && !(out.len >= 2 && out.data[out.len - 2] == '\n' &&
                                   out.data[out.len - 1] == '\n');
         i++) { /* finish the event in progress */
        long n = up_ui_client_read(c, buf, 7, 10);
        up_buf_append(&out, buf, (size_t)(n > 0 ? n : 0));
    }
    size_t messages, truncated;
    assert_well_formed(out.data, &messages, &truncated);
    assert_int_equal(messages, 40);
    assert_int_equal(truncated, 40); /* 100-byte values, 64-byte limit */
    assert_non_null(strstr(out.data, "event: progress\n"));
    assert_non_null(strstr(out.data, "event: stats\ndata: {\"services\":{}}\n"));
    up_buf_free(&out);
    up_ui_client_detach(c);
    assert_int_equal(up_ui_hub_feeds(hub), 0); /* the last browser gone, the consumer too */
    up_ui_hub_free(hub);
    up_registry_free(reg);
    rd_kafka_destroy(m.rk);
}

static void test_live_browsers_share_one_feed(void **state)
{
    (void)state;
    struct mock m;
    mock_up(&m);
    produce(&m, 5, 0, 10, NULL); /* old records: a live tail does not show them */
    struct up_registry *reg;
    struct up_ui_hub *hub = hub_new(&m, 1000, 1, &reg);
    struct up_ui_client *all = attach(hub, "end", NULL);
    struct up_ui_client *some = attach(hub, "end", "NEEDLE");
    struct up_ui_client *stuck = attach(hub, "end", NULL);
    assert_int_equal(up_ui_hub_feeds(hub), 1);
    assert_int_equal(up_ui_hub_clients(hub), 3);
    up_sleep_ms(300); /* the shared feed is positioned at the end */
    produce(&m, 30, 100, 10, "needle");
    struct up_buf a = UP_BUF_INIT, s = UP_BUF_INIT;
    assert_int_equal(read_messages(all, 64, 30, &a, 0), 30);
    assert_int_equal(read_messages(some, 64, 10, &s, 0), 10); /* n % 3 == 0 of 100..129 */
    up_buf_clear(&s);
    assert_int_equal(read_messages(some, 64, 0, &s, 0), 0); /* and nothing else, for 1 s */
    assert_null(strstr(a.data, "\"key\":\"k0\""));
    up_buf_free(&a);
    up_buf_free(&s);
    /* `stuck` never read: with room for 1000 it lost nothing yet. */
    up_ui_client_detach(stuck);
    up_ui_client_detach(all);
    up_ui_client_detach(some);
    assert_int_equal(up_ui_hub_clients(hub), 0);
    up_ui_hub_free(hub);
    up_registry_free(reg);
    rd_kafka_destroy(m.rk);
}

static void test_slow_browser_drops_oldest(void **state)
{
    (void)state;
    struct mock m;
    mock_up(&m);
    struct up_registry *reg;
    struct up_ui_hub *hub = hub_new(&m, 16, 1, &reg);
    struct up_ui_client *slow = attach(hub, "beginning", NULL);
    produce(&m, 100, 0, 10, NULL);
    up_sleep_ms(1500); /* the feed reads all 100 while nobody reads the browser's queue */
    struct up_buf out = UP_BUF_INIT;
    assert_int_equal(read_messages(slow, 64, 0, &out, 0), 16); /* the newest 16 */
    assert_non_null(strstr(out.data, "\"dropped\":84"));       /* said in a progress event */
    struct up_buf metrics = UP_BUF_INIT;
    up_metrics_render(reg, &metrics);
    assert_non_null(strstr(metrics.data, "userpipe_ui_sse_dropped_events_total 84\n"));
    up_buf_free(&metrics);
    up_buf_free(&out);
    up_ui_client_detach(slow);
    up_ui_hub_free(hub);
    up_registry_free(reg);
    rd_kafka_destroy(m.rk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_well_formed_with_tiny_reads),
        cmocka_unit_test(test_live_browsers_share_one_feed),
        cmocka_unit_test(test_slow_browser_drops_oldest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
