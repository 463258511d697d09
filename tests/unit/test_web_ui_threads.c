/* Unit tests for the dashboard when a thread cannot be created (a busy machine out of
 * threads): a live tail's attach fails with a clear error and leaves no feed behind, the next
 * attach works; the health pollers' start fails with a clear error, joining only the threads
 * that were created (issue #34: a failed pthread_create used to be joined later). Our code's
 * pthread_create is interposed here; librdkafka creates its threads through thrd_create and is
 * not affected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/metrics.h"
#include "web/ui_feed.h"
#include "web/ui_health.h"

#include "web_ui_mock.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_int creates_before_failure = -1; /* -1: never fail */
static atomic_int creates;

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    typedef int (*create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
    static create_fn real;
    if (!real)
        real = (create_fn)dlsym(RTLD_NEXT, "pthread_create");
    int left = atomic_load(&creates_before_failure);
    if (left == 0)
        return EAGAIN;
    if (left > 0)
        atomic_fetch_sub(&creates_before_failure, 1);
    atomic_fetch_add(&creates, 1);
    return real(thread, attr, fn, arg);
}

static struct up_ui_client *attach(struct up_ui_hub *hub, char *err, size_t errlen)
{
    struct up_tail_start st;
    assert_int_equal(up_tail_start_parse("end", &st, err, errlen), 0);
    bool not_found;
    return up_ui_hub_attach(hub, "users", &st, NULL, &not_found, err, errlen);
}

static void test_feed_thread_refused(void **state)
{
    (void)state;
    struct mock m;
    mock_up(&m);
    struct up_registry *reg = up_registry_new();
    struct up_ui_limits lim = {.queue_events = 16, .queue_bytes = 1 << 16, .max_value_bytes = 64};
    struct up_ui_hub *hub = up_ui_hub_new(m.brokers, NULL, &lim, reg);
    char err[512] = "";

    atomic_store(&creates_before_failure, 0);
    assert_null(attach(hub, err, sizeof err));
    atomic_store(&creates_before_failure, -1);
    assert_non_null(strstr(err, "cannot start a thread for the tail of 'users'"));
    assert_int_equal(up_ui_hub_feeds(hub), 0);
    assert_int_equal(up_ui_hub_clients(hub), 0);

    /* Threads are back: the same browser gets its tail. */
    int before = atomic_load(&creates);
    struct up_ui_client *c = attach(hub, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(atomic_load(&creates), before + 1);
    assert_int_equal(up_ui_hub_feeds(hub), 1);
    up_ui_client_detach(c);
    up_ui_hub_shutdown(hub);
    up_ui_hub_free(hub);
    up_registry_free(reg);
    rd_kafka_destroy(m.rk);
}

static void test_health_thread_refused(void **state)
{
    (void)state;
    /* Nothing listens there: the pollers only fail their probes, which is not the point. */
    struct up_ui_health_config cfg = {.brokers = "127.0.0.1:1",
                                      .topic = "users",
                                      .dlq = "users.dlq",
                                      .group = "g",
                                      .interval_ms = 50};
    char err[512] = "";
    for (int ok_creates = 0; ok_creates < 2; ok_creates++) {
        /* 0: the poll thread fails; 1: the poll thread runs, the DLQ reader's fails */
        struct up_registry *reg = up_registry_new();
        cfg.reg = reg;
        atomic_store(&creates_before_failure, ok_creates);
        assert_null(up_ui_health_start(&cfg, err, sizeof err));
        atomic_store(&creates_before_failure, -1);
        assert_non_null(strstr(err, "cannot start the health poller's threads"));
        up_registry_free(reg);
    }
    struct up_registry *reg = up_registry_new();
    cfg.reg = reg;
    struct up_ui_health *h = up_ui_health_start(&cfg, err, sizeof err);
    assert_non_null(h);
    up_ui_health_stop(h);
    up_registry_free(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_feed_thread_refused),
        cmocka_unit_test(test_health_thread_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
