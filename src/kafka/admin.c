/* kafka/admin: topic lookup, creation and deletion through the Admin API. */
#include "kafka/admin.h"

#include "core/clock.h"
#include "kafka/config.h"

#include <stdio.h>
#include <string.h>

int up_kafka_topic_partitions(rd_kafka_t *rk, const char *topic, int timeout_ms, int *partitions,
                              char *err, size_t errlen)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 1, NULL, &md, timeout_ms);
    if (e) {
        snprintf(err, errlen, "no answer from the Kafka cluster within %d ms (%s)", timeout_ms,
                 rd_kafka_err2str(e));
        return -1;
    }
    *partitions = 0;
    for (int i = 0; i < md->topic_cnt; i++) {
        const struct rd_kafka_metadata_topic *t = &md->topics[i];
        if (strcmp(t->topic, topic) == 0 && t->err == RD_KAFKA_RESP_ERR_NO_ERROR)
            *partitions = t->partition_cnt;
    }
    rd_kafka_metadata_destroy(md);
    return 0;
}

/* The per-topic result code of a CreateTopics or DeleteTopics answer (err set if any; a
 * refusal names the login and the ACL it lacks). */
static rd_kafka_resp_err_t topic_result(rd_kafka_t *rk, rd_kafka_event_t *ev, bool create,
                                        const char *topic, char *err, size_t errlen)
{
    size_t n = 0;
    const rd_kafka_topic_result_t **res =
        create ? rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n)
               : rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
    if (n == 0)
        return RD_KAFKA_RESP_ERR_NO_ERROR;
    rd_kafka_resp_err_t e = rd_kafka_topic_result_error(res[0]);
    if (e == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
        char login[400];
        up_kafka_login(rk, login, sizeof login);
        snprintf(err, errlen,
                 "topic '%s' is not visible to %s, who may not %s it either (%s): the ACLs "
                 "it needs are DESCRIBE and WRITE on the topic%s",
                 topic, login, create ? "create" : "delete", rd_kafka_err2name(e),
                 create ? ", or CREATE to make it" : "");
    } else if (e) {
        const char *msg = rd_kafka_topic_result_error_string(res[0]);
        snprintf(err, errlen, "topic '%s': %s", topic, msg ? msg : rd_kafka_err2str(e));
    }
    return e;
}

/* Sends one CreateTopics (partitions > 0) or DeleteTopics request for topic and waits
 * for the answer: -1 + err when none came, else 0 and the topic's own result code. */
static int admin_request(rd_kafka_t *rk, const char *topic, int partitions, int replication,
                         int timeout_ms, rd_kafka_resp_err_t *topic_err, char *err, size_t errlen)
{
    bool create = partitions > 0;
    char why[512];
    rd_kafka_NewTopic_t *nt = NULL;
    rd_kafka_DeleteTopic_t *dt = NULL;
    if (create && !(nt = rd_kafka_NewTopic_new(topic, partitions, replication, why, sizeof why))) {
        snprintf(err, errlen, "topic '%s': %s", topic, why);
        return -1;
    }
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(
        rk, create ? RD_KAFKA_ADMIN_OP_CREATETOPICS : RD_KAFKA_ADMIN_OP_DELETETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(o, timeout_ms, why, sizeof why);
    rd_kafka_AdminOptions_set_operation_timeout(o, timeout_ms, why, sizeof why);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    if (create) {
        rd_kafka_CreateTopics(rk, &nt, 1, o, q);
    } else {
        dt = rd_kafka_DeleteTopic_new(topic);
        rd_kafka_DeleteTopics(rk, &dt, 1, o, q);
    }
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, timeout_ms + 1000);
    int rc = 0;
    *topic_err = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (!ev) {
        snprintf(err, errlen, "no answer from the Kafka cluster within %d ms", timeout_ms);
        rc = -1;
    } else if (rd_kafka_event_error(ev)) {
        snprintf(err, errlen, "%s", rd_kafka_event_error_string(ev));
        rc = -1;
    } else {
        *topic_err = topic_result(rk, ev, create, topic, err, errlen);
    }
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_AdminOptions_destroy(o);
    if (nt)
        rd_kafka_NewTopic_destroy(nt);
    if (dt)
        rd_kafka_DeleteTopic_destroy(dt);
    return rc;
}

/* Polls metadata until the topic is visible. */
static int wait_visible(rd_kafka_t *rk, const char *topic, int timeout_ms, char *err, size_t errlen)
{
    int64_t deadline = up_mono_ms() + timeout_ms;
    for (;;) {
        int parts = 0;
        int64_t left = deadline - up_mono_ms();
        if (up_kafka_topic_partitions(rk, topic, left > 100 ? (int)left : 100, &parts, err,
                                      errlen) == 0 &&
            parts > 0)
            return 0;
        if (up_mono_ms() >= deadline) {
            snprintf(err, errlen, "topic '%s' still absent from the metadata after %d ms", topic,
                     timeout_ms);
            return -1;
        }
        up_sleep_ms(100);
    }
}

int up_kafka_ensure_topic(rd_kafka_t *rk, const char *topic, int partitions, int replication_factor,
                          int timeout_ms, bool *created, char *err, size_t errlen)
{
    if (created)
        *created = false;
    int existing = 0;
    if (up_kafka_topic_partitions(rk, topic, timeout_ms, &existing, err, errlen) != 0)
        return -1;
    if (existing > 0)
        return 0;
    if (partitions <= 0) {
        snprintf(err, errlen, "topic '%s': partitions must be at least 1", topic);
        return -1;
    }
    rd_kafka_resp_err_t topic_err;
    if (admin_request(rk, topic, partitions, replication_factor, timeout_ms, &topic_err, err,
                      errlen) != 0)
        return -1;
    if (topic_err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        return 0; /* created meanwhile by someone else: fine */
    if (topic_err)
        return -1;
    if (created)
        *created = true;
    return wait_visible(rk, topic, timeout_ms, err, errlen);
}

int up_kafka_delete_topic(rd_kafka_t *rk, const char *topic, int timeout_ms, char *err,
                          size_t errlen)
{
    rd_kafka_resp_err_t topic_err;
    if (admin_request(rk, topic, 0, 0, timeout_ms, &topic_err, err, errlen) != 0)
        return -1;
    if (topic_err && topic_err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        return -1;
    return 0;
}
