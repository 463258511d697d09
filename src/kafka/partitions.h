/* kafka/partitions: what the group-less readers of kafka/tail.h and kafka/inspect.h share: a
 * consumer-type handle without group.id (it never joins a group, and unlike a producer's its
 * metadata requests never create topics), a topic's partitions from the metadata, and their
 * offsets (watermarks, offsets for a time) in one ListOffsets request each. */
#ifndef UP_KAFKA_PARTITIONS_H
#define UP_KAFKA_PARTITIONS_H

#include "core/flags.h"

#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>

/* Topics with more partitions than this are refused (every array here is bounded). */
#define UP_PARTITIONS_MAX 1024

struct up_partition_offsets {
    int32_t partition;
    int64_t low;       /* oldest retained offset */
    int64_t high;      /* next offset to be written; high - low = records retained */
    int64_t committed; /* the inspected group's committed offset; -1 = none */
};

/* A consumer-type handle (no group.id unless defaults give one), with defaults then -X
 * props applied. Its
 * connection errors are debug lines (a dashboard reports broker outages itself). NULL + err
 * on a bad property. */
rd_kafka_t *up_partitions_handle_new(const char *brokers, const struct up_str_list *props,
                                     const char *const *defaults, char *err, size_t errlen);

/* The partitions of topic from the metadata, sorted, committed = -1, offsets not read. *out is
 * an array of *n (free() it). -1 + err when the topic does not exist or has more than
 * UP_PARTITIONS_MAX partitions. */
int up_partitions_of_topic(rd_kafka_t *rk, const char *topic, int timeout_ms,
                           struct up_partition_offsets **out, size_t *n, char *err, size_t errlen);
/* ListOffsets for n partitions in one request into out[n]: a "timestamp" ts of -2 asks for
 * the oldest offset, -1 for the next one to be written, anything else for the first at or
 * after it (-1 where there is none yet). */
int up_partitions_offsets_for(rd_kafka_t *rk, const char *topic, struct up_partition_offsets *parts,
                              size_t n, int64_t ts, int64_t *out, int timeout_ms, char *err,
                              size_t errlen);
/* Fills low and high of every partition (two requests). */
int up_partitions_watermarks(rd_kafka_t *rk, const char *topic, struct up_partition_offsets *parts,
                             size_t n, int timeout_ms, char *err, size_t errlen);
/* Sorts by partition id. */
void up_partitions_sort(struct up_partition_offsets *parts, size_t n);

#endif
