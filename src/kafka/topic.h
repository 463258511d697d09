/* kafka/topic: Kafka's rule for a topic name, checked before a name from a flag or the
 * network reaches librdkafka or a broker. librdkafka makes no topic handle for a name over
 * 512 bytes (rd_kafka_topic_new returns NULL) and the broker refuses what Kafka's
 * org.apache.kafka.common.internals.Topic.validate refuses; this says so first, in words. */
#ifndef UP_KAFKA_TOPIC_H
#define UP_KAFKA_TOPIC_H

#include <stdbool.h>
#include <stddef.h>

#define UP_KAFKA_TOPIC_MAX 249

/* 0 when name is a legal topic name: 1..249 characters of [a-zA-Z0-9._-], not "." or "..".
 * Otherwise -1 and err says why, quoting at most the first 40 bytes of the name (escaped:
 * the name may come from the network). len is the name's length in bytes (it may hold a
 * NUL, which is refused). */
int up_kafka_topic_name_check(const char *name, size_t len, char *err, size_t errlen);

#endif
