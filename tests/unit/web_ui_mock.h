/* web_ui_mock: a one-broker librdkafka mock cluster with a 2-partition topic "users", for the
 * dashboard's unit tests (test_web_ui_tail.c, test_web_ui_feed.c). Include after cmocka.h. */
#ifndef UP_TESTS_WEB_UI_MOCK_H
#define UP_TESTS_WEB_UI_MOCK_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>

struct mock {
    rd_kafka_t *rk; /* owns the mock cluster; also our producer */
    char brokers[256];
};

static void mock_up(struct mock *m)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(rd_kafka_conf_set(conf, "test.mock.num.brokers", "1", err, sizeof err),
                     RD_KAFKA_CONF_OK);
    rd_kafka_conf_set(conf, "log_level", "2", err, sizeof err);
    m->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    assert_non_null(m->rk);
    rd_kafka_mock_cluster_t *mc = rd_kafka_handle_mock_cluster(m->rk);
    snprintf(m->brokers, sizeof m->brokers, "%s", rd_kafka_mock_cluster_bootstraps(mc));
    assert_int_equal(rd_kafka_mock_topic_create(mc, "users", 2, 1), 0);
}

#endif
