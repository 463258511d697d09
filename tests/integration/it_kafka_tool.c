/* it_kafka_tool: the integration tests' window on the real broker (librdkafka, no JVM).
 *   it_kafka_tool dump BROKERS TOPIC IDLE_MS   every message from the beginning of every
 *       partition, one JSON object per line:
 *       {"partition","offset","timestamp","key","value","headers"} (timestamp in ms, -1 if none);
 *       ends when all partitions reached their end and nothing came for IDLE_MS
 *   it_kafka_tool delete BROKERS TOPIC...      deletes topics (absent ones are fine)
 *   it_kafka_tool partitions BROKERS TOPIC     prints the partition count (0 = absent)
 *   it_kafka_tool leaders BROKERS TOPIC        per partition "<partition> <leader id> <in-sync
 *       replicas> <end offset>" (leader -1 while there is none): the fault tests pick the
 *       leader to kill from it
 * Exit 0 on success, 1 on a Kafka error (message on stderr). */
#include "core/buf.h"
#include "core/clock.h"
#include "kafka/admin.h"

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static rd_kafka_t *new_handle(rd_kafka_type_t type, const char *brokers)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char group[64];
    snprintf(group, sizeof group, "it-kafka-tool-%lld", (long long)up_wall_us());
    if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers, err, sizeof err) ||
        (type == RD_KAFKA_CONSUMER &&
         (rd_kafka_conf_set(conf, "group.id", group, err, sizeof err) ||
          rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err) ||
          rd_kafka_conf_set(conf, "enable.partition.eof", "true", err, sizeof err)))) {
        fprintf(stderr, "it_kafka_tool: %s\n", err);
        exit(1);
    }
    rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "it_kafka_tool: %s\n", err);
        exit(1);
    }
    return rk;
}

static void put_json_string(struct up_buf *b, const void *p, size_t len)
{
    up_buf_putc(b, '"');
    up_buf_json_escape(b, p, len);
    up_buf_putc(b, '"');
}

static void print_message(const rd_kafka_message_t *m)
{
    struct up_buf b = UP_BUF_INIT;
    up_buf_printf(
        &b, "{\"partition\":%d,\"offset\":%lld,\"timestamp\":%lld,\"key\":", (int)m->partition,
        (long long)m->offset, (long long)rd_kafka_message_timestamp(m, NULL));
    if (m->key)
        put_json_string(&b, m->key, m->key_len);
    else
        up_buf_puts(&b, "null");
    up_buf_puts(&b, ",\"value\":");
    if (m->payload)
        put_json_string(&b, m->payload, m->len);
    else
        up_buf_puts(&b, "null");
    up_buf_puts(&b, ",\"headers\":{");
    rd_kafka_headers_t *hdrs = NULL;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char *name;
        const void *val;
        size_t len;
        for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &val, &len) == 0; i++) {
            if (i)
                up_buf_putc(&b, ',');
            put_json_string(&b, name, strlen(name));
            up_buf_putc(&b, ':');
            put_json_string(&b, val ? val : "", val ? len : 0);
        }
    }
    up_buf_puts(&b, "}}\n");
    fputs(b.data, stdout);
    up_buf_free(&b);
}

static int dump(const char *brokers, const char *topic, int idle_ms)
{
    rd_kafka_t *rk = new_handle(RD_KAFKA_CONSUMER, brokers);
    char err[512];
    int parts = 0;
    if (up_kafka_topic_partitions(rk, topic, 10000, &parts, err, sizeof err) != 0 || parts == 0) {
        fprintf(stderr, "it_kafka_tool: topic %s: %s\n", topic, parts ? err : "absent");
        rd_kafka_destroy(rk);
        return 1;
    }
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(parts);
    for (int p = 0; p < parts; p++)
        rd_kafka_topic_partition_list_add(list, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    /* Done when every partition is at its end and nothing came for idle_ms. */
    bool *at_end = calloc((size_t)parts, sizeof *at_end);
    int64_t last = up_mono_ms();
    int rc = 0;
    for (;;) {
        bool all = true;
        for (int p = 0; p < parts; p++)
            all = all && at_end[p];
        if (all && up_mono_ms() - last >= idle_ms)
            break;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            at_end[m->partition] = true;
        } else if (m->err) {
            fprintf(stderr, "it_kafka_tool: %s\n", rd_kafka_message_errstr(m));
            rc = 1;
        } else {
            at_end[m->partition] = false;
            print_message(m);
            last = up_mono_ms();
        }
        rd_kafka_message_destroy(m);
        if (rc)
            break;
    }
    free(at_end);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc;
}

/* Leader and end offset of every partition of TOPIC, from one metadata request. */
static int leaders(const char *brokers, const char *topic)
{
    rd_kafka_t *rk = new_handle(RD_KAFKA_CONSUMER, brokers);
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, t, &md, 10000);
    int rc = 0;
    if (err || md->topic_cnt != 1 || md->topics[0].err) {
        fprintf(stderr, "it_kafka_tool: metadata of %s: %s\n", topic,
                rd_kafka_err2str(err             ? err
                                 : md->topic_cnt ? md->topics[0].err
                                                 : err));
        rc = 1;
    } else {
        for (int i = 0; i < md->topics[0].partition_cnt; i++) {
            const rd_kafka_metadata_partition_t *p = &md->topics[0].partitions[i];
            int64_t lo = -1, hi = -1;
            if (rd_kafka_query_watermark_offsets(rk, topic, p->id, &lo, &hi, 10000))
                rc = 1;
            printf("%d %d %d %lld\n", (int)p->id, (int)p->leader, p->isr_cnt, (long long)hi);
        }
    }
    if (md)
        rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(t);
    rd_kafka_destroy(rk);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "leaders") == 0)
        return leaders(argv[2], argv[3]);
    if (argc >= 5 && strcmp(argv[1], "dump") == 0)
        return dump(argv[2], argv[3], atoi(argv[4]));
    if (argc >= 4 && strcmp(argv[1], "delete") == 0) {
        rd_kafka_t *rk = new_handle(RD_KAFKA_PRODUCER, argv[2]);
        int rc = 0;
        for (int i = 3; i < argc; i++) {
            char err[512];
            if (up_kafka_delete_topic(rk, argv[i], 10000, err, sizeof err) != 0) {
                fprintf(stderr, "it_kafka_tool: delete %s: %s\n", argv[i], err);
                rc = 1;
            }
        }
        rd_kafka_destroy(rk);
        return rc;
    }
    if (argc == 4 && strcmp(argv[1], "partitions") == 0) {
        rd_kafka_t *rk = new_handle(RD_KAFKA_PRODUCER, argv[2]);
        char err[512];
        int parts = 0;
        int rc = up_kafka_topic_partitions(rk, argv[3], 10000, &parts, err, sizeof err);
        if (rc == 0)
            printf("%d\n", parts);
        else
            fprintf(stderr, "it_kafka_tool: %s\n", err);
        rd_kafka_destroy(rk);
        return rc ? 1 : 0;
    }
    fprintf(stderr, "usage: it_kafka_tool dump BROKERS TOPIC IDLE_MS | delete BROKERS TOPIC... | "
                    "partitions BROKERS TOPIC | leaders BROKERS TOPIC\n");
    return 2;
}
