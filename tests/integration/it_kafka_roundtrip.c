/* it_kafka_roundtrip: produces one message with librdkafka to a fresh topic on the
 * real broker and reads it back, proving the C toolchain and the stack talk.
 * Usage: it_kafka_roundtrip BROKERS TOPIC. Exit 0 when the same key and value come back. */
#include "core/clock.h"
#include "kafka/config.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <string.h>

static int produce_one(const char *brokers, const char *topic, const char *key, const char *value)
{
    char err[512];
    static const char *const defaults[] = {"enable.idempotence", "true", "acks", "all", NULL};
    rd_kafka_conf_t *conf = up_kafka_conf_new(brokers, NULL, defaults, err, sizeof err);
    if (!conf) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "producer: %s\n", err);
        return 1;
    }
    rd_kafka_resp_err_t e =
        rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
                          RD_KAFKA_V_VALUE((void *)value, strlen(value)),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (e) {
        fprintf(stderr, "produce: %s\n", rd_kafka_err2str(e));
        rd_kafka_destroy(rk);
        return 1;
    }
    e = rd_kafka_flush(rk, 30000);
    rd_kafka_destroy(rk);
    if (e) {
        fprintf(stderr, "flush: %s\n", rd_kafka_err2str(e));
        return 1;
    }
    return 0;
}

static int consume_one(const char *brokers, const char *topic, const char *key, const char *value)
{
    char err[512];
    char group[128];
    snprintf(group, sizeof group, "it-roundtrip-%lld", (long long)up_wall_ms());
    const char *const defaults[] = {"group.id", group, "auto.offset.reset", "earliest", NULL};
    rd_kafka_conf_t *conf = up_kafka_conf_new(brokers, NULL, defaults, err, sizeof err);
    if (!conf) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "consumer: %s\n", err);
        return 1;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(subs, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk, subs);
    rd_kafka_topic_partition_list_destroy(subs);
    int rc = 1;
    int64_t deadline = up_mono_ms() + 60000;
    while (up_mono_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 500);
        if (!m)
            continue;
        if (!m->err && m->key_len == strlen(key) && memcmp(m->key, key, m->key_len) == 0 &&
            m->len == strlen(value) && memcmp(m->payload, value, m->len) == 0)
            rc = 0;
        else if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            fprintf(stderr, "consume: %s\n", rd_kafka_message_errstr(m));
        rd_kafka_message_destroy(m);
        if (rc == 0)
            break;
    }
    if (rc)
        fprintf(stderr, "consume: the message did not come back within 60 s\n");
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: it_kafka_roundtrip BROKERS TOPIC\n");
        return 2;
    }
    const char *key = "3f1c2b9e-5a4d-4c8e-9b7a-0d2e6f8a1b3c";
    const char *value = "{\"first_name\":\"Jörg\",\"note\":\"round trip\"}";
    if (produce_one(argv[1], argv[2], key, value) != 0)
        return 1;
    if (consume_one(argv[1], argv[2], key, value) != 0)
        return 1;
    printf("kafka round trip on %s via %s: ok\n", argv[2], argv[1]);
    return 0;
}
