/* kafka/admin: topic housekeeping on any librdkafka handle (producer or consumer):
 * find a topic, create it when absent (users_queue, its DLQ), delete it (tests).
 * Existence is checked with a metadata request for all topics, so asking never
 * auto-creates a topic with the broker's defaults. */
#ifndef UP_KAFKA_ADMIN_H
#define UP_KAFKA_ADMIN_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>

#define UP_KAFKA_DEFAULT_PARTITIONS 6

/* *partitions = the topic's partition count, or 0 when it does not exist.
 * -1 + err when the cluster did not answer within timeout_ms. */
int up_kafka_topic_partitions(rd_kafka_t *rk, const char *topic, int timeout_ms, int *partitions,
                              char *err, size_t errlen);

/* Creates topic with partitions and replication_factor unless it exists (then its
 * settings are left alone). *created (may be NULL) tells which happened. Waits until
 * the topic shows in the metadata, so producing right after finds it. */
int up_kafka_ensure_topic(rd_kafka_t *rk, const char *topic, int partitions, int replication_factor,
                          int timeout_ms, bool *created, char *err, size_t errlen);

/* Deletes topic; an absent topic is not an error. */
int up_kafka_delete_topic(rd_kafka_t *rk, const char *topic, int timeout_ms, char *err,
                          size_t errlen);

#endif
