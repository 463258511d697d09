/* kafka/inspect: topics, retention and a group's offsets and state, over admin requests. */
#include "kafka/inspect.h"

#include "core/buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct up_inspector {
    rd_kafka_t *rk; /* a consumer-type handle: admin requests and metadata; unlike a
                     * producer's, its metadata requests never auto-create topics */
    char *group;    /* group.id of rk (NULL: none) */
};

struct up_inspector *up_inspector_new(const char *brokers, const struct up_str_list *props,
                                      const char *group, char *err, size_t errlen)
{
    /* group.id, though the handle never subscribes (so never joins or rebalances anyone):
     * when an OffsetFetch answer says the coordinator moved or is still loading, librdkafka
     * (2.14.2 as every version before) asks the handle's own consumer group to look the
     * coordinator up again, and dereferences NULL on a handle that has none (librdkafka
     * #5040, seen here as the dashboard dying on a freshly started cluster). The group it
     * reads is one its user may describe, so that lookup is allowed under ACLs; without
     * one, up_inspector_committed refuses rather than risk the crash. */
    const char *defaults[] = {"client.id", "userpipe-inspect", "log_level", "7", NULL, NULL, NULL};
    if (group && *group) {
        defaults[4] = "group.id";
        defaults[5] = group;
    }
    rd_kafka_t *rk = up_partitions_handle_new(brokers, props, defaults, err, errlen);
    if (!rk)
        return NULL;
    struct up_inspector *ins = up_xcalloc(1, sizeof *ins);
    ins->rk = rk;
    ins->group = group && *group ? up_xstrdup(group) : NULL;
    return ins;
}

void up_inspector_free(struct up_inspector *ins)
{
    if (!ins)
        return;
    rd_kafka_destroy(ins->rk);
    free(ins->group);
    free(ins);
}

void up_topic_info_clear(struct up_topic_info *t)
{
    free(t->name);
    free(t->partitions);
    memset(t, 0, sizeof *t);
}

void up_topic_info_free(struct up_topic_info *topics, size_t n)
{
    for (size_t i = 0; topics && i < n; i++)
        up_topic_info_clear(&topics[i]);
    free(topics);
}

static int cmp_topic(const void *a, const void *b)
{
    return strcmp(((const struct up_topic_info *)a)->name, ((const struct up_topic_info *)b)->name);
}

static void topic_from_metadata(const struct rd_kafka_metadata_topic *mt, struct up_topic_info *t)
{
    memset(t, 0, sizeof *t);
    t->name = up_xstrdup(mt->topic);
    t->npartitions = (size_t)(mt->partition_cnt > 0 ? mt->partition_cnt : 0);
    t->partitions = up_xcalloc(t->npartitions ? t->npartitions : 1, sizeof *t->partitions);
    for (size_t i = 0; i < t->npartitions; i++) {
        t->partitions[i].partition = mt->partitions[i].id;
        t->partitions[i].committed = -1;
    }
    up_partitions_sort(t->partitions, t->npartitions);
    t->retention_ms = t->retention_bytes = -2;
}

int up_inspector_topics(struct up_inspector *ins, int timeout_ms, struct up_topic_info **out,
                        size_t *n, char *err, size_t errlen)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(ins->rk, 1, NULL, &md, timeout_ms);
    if (e) {
        snprintf(err, errlen, "cluster metadata: %s (are the brokers up?)", rd_kafka_err2str(e));
        return -1;
    }
    struct up_topic_info *topics = up_xcalloc((size_t)md->topic_cnt + 1, sizeof *topics);
    size_t cnt = 0;
    for (int i = 0; i < md->topic_cnt; i++) {
        const struct rd_kafka_metadata_topic *mt = &md->topics[i];
        if (mt->err || mt->topic[0] == '_' || mt->partition_cnt <= 0)
            continue; /* internal (__consumer_offsets) or being deleted */
        topic_from_metadata(mt, &topics[cnt++]);
    }
    rd_kafka_metadata_destroy(md);
    qsort(topics, cnt, sizeof *topics, cmp_topic);
    for (size_t i = 0; i < cnt; i++)
        if (up_partitions_watermarks(ins->rk, topics[i].name, topics[i].partitions,
                                     topics[i].npartitions, timeout_ms, err, errlen) != 0) {
            up_topic_info_free(topics, cnt);
            return -1;
        }
    *out = topics;
    *n = cnt;
    return 0;
}

static int cmp_broker(const void *a, const void *b)
{
    int32_t x = ((const struct up_broker_info *)a)->id, y = ((const struct up_broker_info *)b)->id;
    return (x > y) - (x < y);
}

int up_inspector_brokers(struct up_inspector *ins, int timeout_ms, struct up_broker_info **out,
                         size_t *n, char *err, size_t errlen)
{
    const struct rd_kafka_metadata *md = NULL;
    /* no topics asked for: the answer is the broker list */
    rd_kafka_resp_err_t e = rd_kafka_metadata(ins->rk, 0, NULL, &md, timeout_ms);
    if (e) {
        snprintf(err, errlen, "cluster metadata: %s (are the brokers up?)", rd_kafka_err2str(e));
        return -1;
    }
    size_t cnt = md->broker_cnt > 0 ? (size_t)md->broker_cnt : 0;
    struct up_broker_info *b = up_xcalloc(cnt ? cnt : 1, sizeof *b);
    for (size_t i = 0; i < cnt; i++) {
        b[i].id = md->brokers[i].id;
        snprintf(b[i].host, sizeof b[i].host, "%s", md->brokers[i].host);
        b[i].port = md->brokers[i].port;
    }
    rd_kafka_metadata_destroy(md);
    qsort(b, cnt, sizeof *b, cmp_broker);
    *out = b;
    *n = cnt;
    return 0;
}

int up_inspector_topic(struct up_inspector *ins, const char *topic, int timeout_ms,
                       struct up_topic_info *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (up_partitions_of_topic(ins->rk, topic, timeout_ms, &out->partitions, &out->npartitions, err,
                               errlen) != 0)
        return -1;
    out->name = up_xstrdup(topic);
    out->retention_ms = out->retention_bytes = -2;
    if (up_partitions_watermarks(ins->rk, topic, out->partitions, out->npartitions, timeout_ms, err,
                                 errlen) != 0) {
        up_topic_info_clear(out);
        return -1;
    }
    return 0;
}

/* One admin request: the queue its result comes back on, and its options (the timeout). */
struct admin_req {
    rd_kafka_queue_t *q;
    rd_kafka_AdminOptions_t *o;
    int timeout_ms;
};

static struct admin_req admin_begin(rd_kafka_t *rk, rd_kafka_admin_op_t op, int timeout_ms)
{
    struct admin_req r = {rd_kafka_queue_new(rk), rd_kafka_AdminOptions_new(rk, op), timeout_ms};
    char why[256];
    rd_kafka_AdminOptions_set_request_timeout(r.o, timeout_ms, why, sizeof why);
    return r;
}

/* The result event of the request sent with r (or NULL + err). */
static rd_kafka_event_t *admin_wait(const struct admin_req *r, rd_kafka_event_type_t type,
                                    const char *what, char *err, size_t errlen)
{
    rd_kafka_event_t *ev = rd_kafka_queue_poll(r->q, r->timeout_ms + 1000);
    if (!ev) {
        snprintf(err, errlen, "%s: no answer in %d ms", what, r->timeout_ms);
        return NULL;
    }
    if (rd_kafka_event_type(ev) != type || rd_kafka_event_error(ev)) {
        snprintf(err, errlen, "%s: %s", what, rd_kafka_event_error_string(ev));
        rd_kafka_event_destroy(ev);
        return NULL;
    }
    return ev;
}

static void admin_end(struct admin_req *r, rd_kafka_event_t *ev)
{
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(r->o);
    rd_kafka_queue_destroy(r->q);
}

/* A numeric topic config ("604800000", "-1"); -2 when absent or not a number. */
static int64_t config_number(const char *v)
{
    if (!v || !*v)
        return -2;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    return errno || *end ? -2 : n;
}

/* Sets the retention of each of topics[0..n) that the DescribeConfigs result describes. */
static void retention_from(const rd_kafka_DescribeConfigs_result_t *res,
                           struct up_topic_info *topics, size_t n)
{
    size_t cnt;
    const rd_kafka_ConfigResource_t **rs = rd_kafka_DescribeConfigs_result_resources(res, &cnt);
    for (size_t r = 0; r < cnt; r++) {
        const char *name = rd_kafka_ConfigResource_name(rs[r]);
        for (size_t i = 0; i < n; i++) {
            if (strcmp(topics[i].name, name) != 0 || rd_kafka_ConfigResource_error(rs[r]))
                continue;
            size_t ne;
            const rd_kafka_ConfigEntry_t **es = rd_kafka_ConfigResource_configs(rs[r], &ne);
            for (size_t k = 0; k < ne; k++) {
                const char *key = rd_kafka_ConfigEntry_name(es[k]);
                const char *val = rd_kafka_ConfigEntry_value(es[k]);
                if (strcmp(key, "retention.ms") == 0)
                    topics[i].retention_ms = config_number(val);
                else if (strcmp(key, "retention.bytes") == 0)
                    topics[i].retention_bytes = config_number(val);
            }
        }
    }
}

int up_inspector_retention(struct up_inspector *ins, struct up_topic_info *topics, size_t n,
                           int timeout_ms, char *err, size_t errlen)
{
    if (n == 0)
        return 0;
    rd_kafka_ConfigResource_t **res = up_xcalloc(n, sizeof *res);
    for (size_t i = 0; i < n; i++)
        res[i] = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topics[i].name);
    struct admin_req r = admin_begin(ins->rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout_ms);
    rd_kafka_DescribeConfigs(ins->rk, res, n, r.o, r.q);
    rd_kafka_event_t *ev =
        admin_wait(&r, RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT, "DescribeConfigs", err, errlen);
    if (ev)
        retention_from(rd_kafka_event_DescribeConfigs_result(ev), topics, n);
    admin_end(&r, ev);
    rd_kafka_ConfigResource_destroy_array(res, n);
    free(res);
    return ev ? 0 : -1;
}

/* The committed offsets of topic's partitions from the group's one result. */
static int committed_from(const rd_kafka_ListConsumerGroupOffsets_result_t *res, const char *group,
                          struct up_topic_info *topic, char *err, size_t errlen)
{
    size_t cnt;
    const rd_kafka_group_result_t **gs = rd_kafka_ListConsumerGroupOffsets_result_groups(res, &cnt);
    const rd_kafka_error_t *ge = cnt == 1 ? rd_kafka_group_result_error(gs[0]) : NULL;
    if (cnt != 1 || ge) {
        snprintf(err, errlen, "offsets of group '%s': %s", group,
                 ge ? rd_kafka_error_string(ge) : "no result");
        return -1;
    }
    const rd_kafka_topic_partition_list_t *l = rd_kafka_group_result_partitions(gs[0]);
    for (int k = 0; l && k < l->cnt; k++)
        for (size_t i = 0; i < topic->npartitions; i++)
            if (topic->partitions[i].partition == l->elems[k].partition && !l->elems[k].err &&
                l->elems[k].offset >= 0)
                topic->partitions[i].committed = l->elems[k].offset;
    return 0;
}

int up_inspector_committed(struct up_inspector *ins, const char *group, struct up_topic_info *topic,
                           int timeout_ms, char *err, size_t errlen)
{
    for (size_t i = 0; i < topic->npartitions; i++)
        topic->partitions[i].committed = -1;
    if (!ins->group || strcmp(ins->group, group) != 0) {
        snprintf(err, errlen, "offsets of group '%s': this inspector was made for group '%s'",
                 group, ins->group ? ins->group : "(none)");
        return -1;
    }
    rd_kafka_topic_partition_list_t *want =
        rd_kafka_topic_partition_list_new((int)topic->npartitions);
    for (size_t i = 0; i < topic->npartitions; i++)
        rd_kafka_topic_partition_list_add(want, topic->name, topic->partitions[i].partition);
    rd_kafka_ListConsumerGroupOffsets_t *req = rd_kafka_ListConsumerGroupOffsets_new(group, want);
    rd_kafka_topic_partition_list_destroy(want);
    struct admin_req r =
        admin_begin(ins->rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, timeout_ms);
    rd_kafka_ListConsumerGroupOffsets(ins->rk, &req, 1, r.o, r.q);
    char what[160];
    snprintf(what, sizeof what, "offsets of group '%.100s' (ListConsumerGroupOffsets)", group);
    rd_kafka_event_t *ev =
        admin_wait(&r, RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT, what, err, errlen);
    int rc = ev ? committed_from(rd_kafka_event_ListConsumerGroupOffsets_result(ev), group, topic,
                                 err, errlen)
                : -1;
    admin_end(&r, ev);
    rd_kafka_ListConsumerGroupOffsets_destroy(req);
    return rc;
}

/* The group's state and member count from its one description. */
static int group_from(const rd_kafka_DescribeConsumerGroups_result_t *res, const char *group,
                      struct up_group_info *out, char *err, size_t errlen)
{
    size_t cnt;
    const rd_kafka_ConsumerGroupDescription_t **gs =
        rd_kafka_DescribeConsumerGroups_result_groups(res, &cnt);
    const rd_kafka_error_t *ge = cnt == 1 ? rd_kafka_ConsumerGroupDescription_error(gs[0]) : NULL;
    if (cnt != 1 || ge) {
        snprintf(err, errlen, "group '%s': %s", group,
                 ge ? rd_kafka_error_string(ge) : "no result");
        return -1;
    }
    snprintf(out->state, sizeof out->state, "%s",
             rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(gs[0])));
    out->members = rd_kafka_ConsumerGroupDescription_member_count(gs[0]);
    return 0;
}

int up_inspector_group(struct up_inspector *ins, const char *group, struct up_group_info *out,
                       int timeout_ms, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    snprintf(out->state, sizeof out->state, "Unknown");
    struct admin_req r = admin_begin(ins->rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, timeout_ms);
    const char *groups[] = {group};
    rd_kafka_DescribeConsumerGroups(ins->rk, groups, 1, r.o, r.q);
    rd_kafka_event_t *ev = admin_wait(&r, RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT,
                                      "DescribeConsumerGroups", err, errlen);
    int rc =
        ev ? group_from(rd_kafka_event_DescribeConsumerGroups_result(ev), group, out, err, errlen)
           : -1;
    admin_end(&r, ev);
    return rc;
}
