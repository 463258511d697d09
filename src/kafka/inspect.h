/* kafka/inspect: an admin/metadata handle that looks at the cluster for a dashboard: topics
 * with partitions and watermarks, retention (DescribeConfigs), a group's committed offsets
 * (ListConsumerGroupOffsets) and state (DescribeConsumerGroups). It never joins the group it
 * inspects, so the stream's consumers are not rebalanced by someone opening a dashboard. */
#ifndef UP_KAFKA_INSPECT_H
#define UP_KAFKA_INSPECT_H

#include "core/flags.h"
#include "kafka/partitions.h"

#include <stddef.h>
#include <stdint.h>

struct up_topic_info {
    char *name;
    size_t npartitions;
    struct up_partition_offsets *partitions; /* sorted by partition id */
    int64_t retention_ms;                    /* -1 = unlimited, -2 = not known (yet) */
    int64_t retention_bytes;                 /* -1 = unlimited, -2 = not known */
};

struct up_group_info {
    char state[32]; /* "Stable", "Empty", "PreparingRebalance", "Dead", "Unknown", ... */
    size_t members;
};

/* A broker as the cluster's metadata lists it: registered and, under KRaft, not fenced. */
struct up_broker_info {
    int32_t id;
    char host[256];
    int port;
};

struct up_inspector;

/* group: the consumer group whose offsets up_inspector_committed reads (NULL: none). The
 * handle takes it as group.id but never subscribes, so it never joins the group. */
struct up_inspector *up_inspector_new(const char *brokers, const struct up_str_list *props,
                                      const char *group, char *err, size_t errlen);
void up_inspector_free(struct up_inspector *ins);

/* Every topic the cluster lists (internal ones such as __consumer_offsets left out), sorted
 * by name, with partitions and watermarks (retention left at -2). *out is an array of *n;
 * free with up_topic_info_free. */
int up_inspector_topics(struct up_inspector *ins, int timeout_ms, struct up_topic_info **out,
                        size_t *n, char *err, size_t errlen);
/* One topic; -1 + "topic 'x' does not exist" when it is missing. */
int up_inspector_topic(struct up_inspector *ins, const char *topic, int timeout_ms,
                       struct up_topic_info *out, char *err, size_t errlen);
void up_topic_info_free(struct up_topic_info *topics, size_t n);
void up_topic_info_clear(struct up_topic_info *t);

/* Fills retention_ms / retention_bytes of each topic with one DescribeConfigs request. */
int up_inspector_retention(struct up_inspector *ins, struct up_topic_info *topics, size_t n,
                           int timeout_ms, char *err, size_t errlen);
/* Sets partitions[i].committed from the group's committed offsets (-1 where it has none).
 * group must be the one up_inspector_new was given (-1 + err otherwise). */
int up_inspector_committed(struct up_inspector *ins, const char *group, struct up_topic_info *topic,
                           int timeout_ms, char *err, size_t errlen);
/* The brokers of the metadata, sorted by id; *out is an array of *n (free() it). */
int up_inspector_brokers(struct up_inspector *ins, int timeout_ms, struct up_broker_info **out,
                         size_t *n, char *err, size_t errlen);
int up_inspector_group(struct up_inspector *ins, const char *group, struct up_group_info *out,
                       int timeout_ms, char *err, size_t errlen);

#endif
