/* Unit tests for web/ui_sse: the event wire format and the bounded drop-oldest queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "web/ui_sse.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static void test_event_format(void **state)
{
    (void)state;
    struct up_sse_event *e = up_sse_event_new("message", "0:5,1:7", "{\"a\":1}", 7);
    assert_string_equal(e->data, "event: message\nid: 0:5,1:7\ndata: {\"a\":1}\n\n");
    assert_int_equal(e->len, strlen(e->data));
    up_sse_event_unref(e);

    /* Each line of data is its own data: field; CRLF and CR end lines too. */
    e = up_sse_event_new(NULL, NULL, "a\nb\r\nc\rd", 8);
    assert_string_equal(e->data, "data: a\ndata: b\ndata: c\ndata: d\n\n");
    up_sse_event_unref(e);

    /* An id (or type) can never smuggle in a second field. */
    e = up_sse_event_new("x\ny", "1\r\nevent: evil", "", 0);
    assert_string_equal(e->data, "event: xy\nid: 1event: evil\ndata: \n\n");
    up_sse_event_unref(e);

    e = up_sse_comment_new("keepalive");
    assert_string_equal(e->data, ": keepalive\n\n");
    up_sse_event_unref(e);
}

static struct up_sse_event *numbered(int i)
{
    char d[32];
    int n = snprintf(d, sizeof d, "%d", i);
    return up_sse_event_new(NULL, NULL, d, (size_t)n);
}

static void test_queue_drops_oldest(void **state)
{
    (void)state;
    struct up_sse_queue q;
    up_sse_queue_init(&q, 3, 1 << 20);
    for (int i = 0; i < 5; i++) {
        struct up_sse_event *e = numbered(i);
        up_sse_queue_push(&q, e);
        up_sse_event_unref(e); /* the queue holds its own reference */
    }
    assert_int_equal(up_sse_queue_dropped(&q), 2);
    assert_int_equal(up_sse_queue_length(&q), 3);
    char buf[256];
    long n = up_sse_queue_read(&q, buf, sizeof buf, 0);
    buf[n] = '\0';
    assert_string_equal(buf, "data: 2\n\ndata: 3\n\ndata: 4\n\n");
    assert_int_equal(up_sse_queue_read(&q, buf, sizeof buf, 10), 0); /* empty: waits, then 0 */
    up_sse_queue_close(&q);
    assert_int_equal(up_sse_queue_read(&q, buf, sizeof buf, 10), -1);
    up_sse_queue_destroy(&q);
}

static void test_queue_byte_bound_and_partial_reads(void **state)
{
    (void)state;
    struct up_sse_queue q;
    up_sse_queue_init(&q, 100, 20); /* each event below is 9 bytes: two fit */
    for (int i = 10; i < 13; i++) {
        struct up_sse_event *e = numbered(i);
        up_sse_queue_push(&q, e);
        up_sse_event_unref(e);
    }
    assert_int_equal(up_sse_queue_dropped(&q), 1);
    /* A reader with a tiny buffer gets the events in pieces, in order, nothing lost. */
    char out[64] = "";
    size_t got = 0;
    char piece[4];
    long n;
    while ((n = up_sse_queue_read(&q, piece, sizeof piece, 0)) > 0) {
        memcpy(out + got, piece, (size_t)n);
        got += (size_t)n;
    }
    out[got] = '\0';
    assert_string_equal(out, "data: 11\n\ndata: 12\n\n");

    /* An event bigger than the byte bound still goes through when alone. */
    struct up_sse_event *big = up_sse_event_new(NULL, NULL, "0123456789012345678901234", 25);
    up_sse_queue_push(&q, big);
    up_sse_event_unref(big);
    assert_int_equal(up_sse_queue_length(&q), 1);
    up_sse_queue_destroy(&q); /* frees what is still queued */
}

struct waiter {
    struct up_sse_queue *q;
    long n;
    char buf[64];
};

static void *wait_read(void *arg)
{
    struct waiter *w = arg;
    w->n = up_sse_queue_read(w->q, w->buf, sizeof w->buf - 1, 5000);
    return NULL;
}

static void test_reader_wakes_on_push(void **state)
{
    (void)state;
    struct up_sse_queue q;
    up_sse_queue_init(&q, 4, 1 << 20);
    struct waiter w = {.q = &q};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, wait_read, &w), 0);
    struct up_sse_event *e = numbered(42);
    up_sse_queue_push(&q, e);
    up_sse_event_unref(e);
    pthread_join(th, NULL);
    assert_true(w.n > 0);
    w.buf[w.n] = '\0';
    assert_string_equal(w.buf, "data: 42\n\n");
    up_sse_queue_destroy(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_format),
        cmocka_unit_test(test_queue_drops_oldest),
        cmocka_unit_test(test_queue_byte_bound_and_partial_reads),
        cmocka_unit_test(test_reader_wakes_on_push),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
