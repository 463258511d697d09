/* it_ui_kafka: the Kafka chores of the dashboard's tests and benchmark, with librdkafka only.
 *
 *   it_ui_kafka create  BROKERS TOPIC PARTITIONS
 *   it_ui_kafka delete  BROKERS TOPIC [TOPIC..]
 *   it_ui_kafka delete-groups BROKERS GROUP [GROUP..]   (groups with no members)
 *   it_ui_kafka produce BROKERS TOPIC COUNT [RATE]   user-shaped JSON records, key = id;
 *                                                    RATE records/s (0 = as fast as possible)
 *   it_ui_kafka xss     BROKERS TOPIC                one record named <script>alert(1)</script>
 *   it_ui_kafka dlq     BROKERS TOPIC REASON COUNT   records with userpipe.error.reason: REASON
 *   it_ui_kafka commit  BROKERS GROUP TOPIC PARTITION OFFSET
 *                                                    commits for GROUP without joining it
 * Exits 0 when every record was acknowledged (acks=all). */
#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int fail(const char *what, const char *why)
{
    fprintf(stderr, "it_ui_kafka: %s: %s\n", what, why);
    return 1;
}

static int failures;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    (void)opaque;
    if (m->err) {
        failures++;
        fprintf(stderr, "it_ui_kafka: delivery: %s\n", rd_kafka_err2str(m->err));
    }
}

static rd_kafka_t *handle(rd_kafka_type_t type, const char *brokers, const char *group)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers, err, sizeof err) ||
        rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err) ||
        (type == RD_KAFKA_PRODUCER &&
         (rd_kafka_conf_set(conf, "acks", "all", err, sizeof err) ||
          rd_kafka_conf_set(conf, "linger.ms", "5", err, sizeof err))) ||
        (group && rd_kafka_conf_set(conf, "group.id", group, err, sizeof err))) {
        fprintf(stderr, "it_ui_kafka: %s\n", err);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    if (type == RD_KAFKA_PRODUCER)
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof err);
    if (!rk)
        fprintf(stderr, "it_ui_kafka: %s\n", err);
    return rk;
}

static int admin_wait(rd_kafka_t *rk, rd_kafka_queue_t *q, const char *what)
{
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 20000);
    int rc = 0;
    if (!ev)
        return fail(what, "no answer in 20 s");
    if (rd_kafka_event_error(ev)) {
        rc = fail(what, rd_kafka_event_error_string(ev));
    } else {
        size_t n = 0;
        const rd_kafka_topic_result_t **res = NULL;
        if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_CREATETOPICS_RESULT)
            res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        else
            res = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
        for (size_t i = 0; i < n; i++) {
            rd_kafka_resp_err_t e = rd_kafka_topic_result_error(res[i]);
            if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS &&
                e != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
                rc = fail(rd_kafka_topic_result_name(res[i]), rd_kafka_err2str(e));
        }
    }
    rd_kafka_event_destroy(ev);
    (void)rk;
    return rc;
}

static int create_topic(const char *brokers, const char *topic, int partitions)
{
    rd_kafka_t *rk = handle(RD_KAFKA_PRODUCER, brokers, NULL);
    if (!rk)
        return 1;
    char err[512];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, partitions, 1, err, sizeof err);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
    int rc = admin_wait(rk, q, "create");
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
    return rc;
}

static int delete_topics(const char *brokers, char **topics, int n)
{
    rd_kafka_t *rk = handle(RD_KAFKA_PRODUCER, brokers, NULL);
    if (!rk)
        return 1;
    rd_kafka_DeleteTopic_t **dt = calloc((size_t)n, sizeof *dt);
    for (int i = 0; i < n; i++)
        dt[i] = rd_kafka_DeleteTopic_new(topics[i]);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_DeleteTopics(rk, dt, (size_t)n, NULL, q);
    int rc = admin_wait(rk, q, "delete");
    rd_kafka_DeleteTopic_destroy_array(dt, (size_t)n);
    free(dt);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
    return rc;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void user_json(char *out, size_t len, const char *id, long n, const char *first)
{
    static const char *const lasts[] = {"Garcia", "Müller", "Smith", "Dubois", "Rossi", "Novak"};
    static const char *const nats[] = {"ES", "DE", "US", "FR", "IT", "CZ"};
    snprintf(
        out, len,
        "{\"id\":\"%s\",\"first_name\":\"%s\",\"last_name\":\"%s\",\"gender\":\"%s\","
        "\"address\":\"%ld Main Street, Springfield, Oregon, United States\","
        "\"post_code\":\"%05ld\",\"email\":\"user%ld@example.com\",\"username\":\"user%ld\","
        "\"dob\":\"1990-01-%02ldT10:00:00.000Z\",\"registered_date\":\"2015-06-01T08:30:00.000Z\","
        "\"phone\":\"(555) 01%02ld\",\"picture\":\"https://example.com/p/%ld.jpg\","
        "\"nat\":\"%s\"}",
        id, first, lasts[n % 6], n % 2 ? "female" : "male", n, n % 100000, n, n, 1 + n % 28,
        n % 100, n % 100, nats[n % 6]);
}

static int produce(const char *brokers, const char *topic, long count, double rate,
                   const char *reason, bool xss)
{
    rd_kafka_t *rk = handle(RD_KAFKA_PRODUCER, brokers, NULL);
    if (!rk)
        return 1;
    double start = now_s();
    long seed = (long)time(NULL) % 100000;
    for (long i = 0; i < count; i++) {
        char id[64], value[1024];
        snprintf(id, sizeof id, "%08lx-0000-4000-8000-%012lx", seed, i);
        user_json(value, sizeof value, id, i, xss ? "<script>alert(1)</script>" : "Ana");
        const char *key = xss ? "<img src=x onerror=alert(2)>" : id;
        rd_kafka_resp_err_t e;
        do {
            e = rd_kafka_producev(
                rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
                RD_KAFKA_V_VALUE(value, strlen(value)), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_HEADER("source", "it_ui_kafka", -1),
                RD_KAFKA_V_HEADER(reason ? "userpipe.error.reason" : "content-type",
                                  reason ? reason : "application/json", -1),
                RD_KAFKA_V_END);
            if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                rd_kafka_poll(rk, 10);
        } while (e == RD_KAFKA_RESP_ERR__QUEUE_FULL);
        if (e) {
            rd_kafka_destroy(rk);
            return fail("produce", rd_kafka_err2str(e));
        }
        rd_kafka_poll(rk, 0);
        if (rate > 0) { /* pace: sleep until record i is due */
            double due = start + (double)(i + 1) / rate;
            double wait = due - now_s();
            if (wait > 0.0005) {
                struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
                nanosleep(&ts, NULL);
            }
        }
    }
    rd_kafka_flush(rk, 30000);
    int left = rd_kafka_outq_len(rk);
    rd_kafka_destroy(rk);
    if (left || failures)
        return fail("produce", "some records were not acknowledged");
    return 0;
}

static int commit(const char *brokers, const char *group, const char *topic, int partition,
                  long long offset)
{
    rd_kafka_t *rk = handle(RD_KAFKA_CONSUMER, brokers, group);
    if (!rk)
        return 1;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, partition)->offset = offset;
    rd_kafka_resp_err_t e = rd_kafka_commit(rk, l, 0);
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return e ? fail("commit", rd_kafka_err2str(e)) : 0;
}

static int delete_groups(const char *brokers, char **groups, int n)
{
    rd_kafka_t *rk = handle(RD_KAFKA_PRODUCER, brokers, NULL);
    if (!rk)
        return 1;
    rd_kafka_DeleteGroup_t **dg = calloc((size_t)n, sizeof *dg);
    for (int i = 0; i < n; i++)
        dg[i] = rd_kafka_DeleteGroup_new(groups[i]);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_DeleteGroups(rk, dg, (size_t)n, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 20000);
    int rc = ev && !rd_kafka_event_error(ev)
                 ? 0
                 : fail("delete groups", ev ? rd_kafka_event_error_string(ev) : "no answer");
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_DeleteGroup_destroy_array(dg, (size_t)n);
    free(dg);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: it_ui_kafka create|delete|produce|xss|dlq|commit BROKERS ...\n");
        return 2;
    }
    const char *cmd = argv[1], *brokers = argv[2];
    if (strcmp(cmd, "create") == 0 && argc == 5)
        return create_topic(brokers, argv[3], atoi(argv[4]));
    if (strcmp(cmd, "delete") == 0)
        return delete_topics(brokers, argv + 3, argc - 3);
    if (strcmp(cmd, "delete-groups") == 0)
        return delete_groups(brokers, argv + 3, argc - 3);
    if (strcmp(cmd, "produce") == 0 && (argc == 5 || argc == 6))
        return produce(brokers, argv[3], atol(argv[4]), argc == 6 ? atof(argv[5]) : 0, NULL, false);
    if (strcmp(cmd, "xss") == 0 && argc == 4)
        return produce(brokers, argv[3], 1, 0, NULL, true);
    if (strcmp(cmd, "dlq") == 0 && argc == 6)
        return produce(brokers, argv[3], atol(argv[5]), 0, argv[4], false);
    if (strcmp(cmd, "commit") == 0 && argc == 7)
        return commit(brokers, argv[3], argv[4], atoi(argv[5]), atoll(argv[6]));
    fprintf(stderr, "it_ui_kafka: bad arguments for '%s'\n", cmd);
    return 2;
}
