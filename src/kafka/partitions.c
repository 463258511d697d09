/* kafka/partitions: a topic's partitions and their offsets, and the group-less handle that
 * reads them. */
#include "kafka/partitions.h"

#include "core/buf.h"
#include "core/log.h"
#include "kafka/config.h"
#include "kafka/topic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Looking is secondary: a dashboard has many handles that all see the same broker outage,
 * which the dashboard reports itself. Their connection errors are debug lines here; only
 * critical ones (syslog 0-2) are warnings. */
static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    enum up_log_level l = level <= 2 ? UP_LOG_WARN : UP_LOG_DEBUG;
    if (up_log_enabled(l))
        up_log(l, "librdkafka %s: %s", fac, buf);
}

rd_kafka_t *up_partitions_handle_new(const char *brokers, const struct up_str_list *props,
                                     const char *const *defaults, char *err, size_t errlen)
{
    rd_kafka_conf_t *conf = up_kafka_conf_new(brokers, props, defaults, err, errlen);
    if (!conf)
        return NULL;
    rd_kafka_conf_set_log_cb(conf, on_log);
    char why[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    if (!rk) {
        snprintf(err, errlen, "kafka client: %s", why);
        rd_kafka_conf_destroy(conf);
    }
    return rk;
}

static int cmp_partition(const void *a, const void *b)
{
    const struct up_partition_offsets *x = a, *y = b;
    return (x->partition > y->partition) - (x->partition < y->partition);
}

void up_partitions_sort(struct up_partition_offsets *parts, size_t n)
{
    qsort(parts, n, sizeof *parts, cmp_partition);
}

int up_partitions_of_topic(rd_kafka_t *rk, const char *topic, int timeout_ms,
                           struct up_partition_offsets **out, size_t *n, char *err, size_t errlen)
{
    if (up_kafka_topic_name_check(topic, strlen(topic), err, errlen) != 0)
        return -1;
    /* NULL for a name librdkafka refuses (over 512 bytes, say): metadata with a NULL topic
     * would ask for every known topic instead, so it is an error here whatever the check
     * above lets through. */
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    if (!rkt) {
        snprintf(err, errlen, "topic '%.40s': %s", topic, rd_kafka_err2str(rd_kafka_last_error()));
        return -1;
    }
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
    rd_kafka_topic_destroy(rkt);
    if (e) {
        snprintf(err, errlen, "metadata for '%s': %s (are the brokers up?)", topic,
                 rd_kafka_err2str(e));
        return -1;
    }
    int rc = -1;
    if (md->topic_cnt != 1 || md->topics[0].err || md->topics[0].partition_cnt <= 0) {
        rd_kafka_resp_err_t te =
            md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR_NO_ERROR;
        snprintf(err, errlen, "topic '%s' does not exist%s%s", topic, te ? ": " : "",
                 te ? rd_kafka_err2str(te) : "");
    } else if (md->topics[0].partition_cnt > UP_PARTITIONS_MAX) {
        snprintf(err, errlen, "topic '%s' has more than %d partitions", topic, UP_PARTITIONS_MAX);
    } else {
        const struct rd_kafka_metadata_topic *mt = &md->topics[0];
        *n = (size_t)mt->partition_cnt;
        *out = up_xcalloc(*n, sizeof **out);
        for (size_t i = 0; i < *n; i++) {
            (*out)[i].partition = mt->partitions[i].id;
            (*out)[i].committed = -1;
        }
        up_partitions_sort(*out, *n);
        rc = 0;
    }
    rd_kafka_metadata_destroy(md);
    return rc;
}

int up_partitions_offsets_for(rd_kafka_t *rk, const char *topic, struct up_partition_offsets *parts,
                              size_t n, int64_t ts, int64_t *out, int timeout_ms, char *err,
                              size_t errlen)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)n);
    for (size_t i = 0; i < n; i++)
        rd_kafka_topic_partition_list_add(l, topic, parts[i].partition)->offset = ts;
    rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(rk, l, timeout_ms);
    int rc = 0;
    if (e) {
        snprintf(err, errlen, "offsets of '%s': %s", topic, rd_kafka_err2str(e));
        rc = -1;
    }
    for (int i = 0; rc == 0 && i < l->cnt; i++) {
        if (l->elems[i].err) {
            snprintf(err, errlen, "offsets of '%s' [%d]: %s", topic, l->elems[i].partition,
                     rd_kafka_err2str(l->elems[i].err));
            rc = -1;
        }
        out[i] = l->elems[i].offset;
    }
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}

int up_partitions_watermarks(rd_kafka_t *rk, const char *topic, struct up_partition_offsets *parts,
                             size_t n, int timeout_ms, char *err, size_t errlen)
{
    int64_t *v = up_xcalloc(n ? n : 1, sizeof *v);
    int rc = up_partitions_offsets_for(rk, topic, parts, n, RD_KAFKA_OFFSET_BEGINNING, v,
                                       timeout_ms, err, errlen);
    for (size_t i = 0; rc == 0 && i < n; i++)
        parts[i].low = v[i];
    if (rc == 0)
        rc = up_partitions_offsets_for(rk, topic, parts, n, RD_KAFKA_OFFSET_END, v, timeout_ms, err,
                                       errlen);
    for (size_t i = 0; rc == 0 && i < n; i++)
        parts[i].high = v[i];
    free(v);
    return rc;
}
