/* kafka/version: the librdkafka userpipe needs, checked where it is compiled and where it
 * runs. 2.14.2 is the first version the Kafka side was proved on (docs/kafka-delivery.md);
 * bookworm's 2.0.2 joins groups on Kafka 4.x only through protocol versions the broker kept
 * for old clients, and carries the fetch back-off and producer bugs that needed workarounds. */
#ifndef UP_KAFKA_VERSION_H
#define UP_KAFKA_VERSION_H

#include <stdbool.h>
#include <stddef.h>

/* rd_kafka_version()'s format: 0xMMmmrrpp; the pre-release byte is ignored in comparisons. */
#define UP_LIBRDKAFKA_MIN     0x020e0200
#define UP_LIBRDKAFKA_MIN_STR "2.14.2"

/* True when the librdkafka userpipe runs with is UP_LIBRDKAFKA_MIN or newer; false with a
 * message that names both versions and what to do in err. */
bool up_kafka_library_ok(char *err, size_t errlen);

#endif
