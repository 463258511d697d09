#include "kafka/version.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>

#if RD_KAFKA_VERSION < UP_LIBRDKAFKA_MIN
#error "librdkafka >= 2.14.2 is needed: build with scripts/build (scripts/librdkafka makes it)"
#endif

bool up_kafka_library_ok(char *err, size_t errlen)
{
    /* A shared librdkafka can be swapped under a binary built against a newer one. */
    if (((unsigned)rd_kafka_version() & 0xffffff00u) >= UP_LIBRDKAFKA_MIN)
        return true;
    snprintf(err, errlen,
             "librdkafka %s is loaded, userpipe needs %s or newer (it was built against "
             "%d.%d.%d): rebuild with scripts/build, which links the one scripts/librdkafka makes",
             rd_kafka_version_str(), UP_LIBRDKAFKA_MIN_STR, (RD_KAFKA_VERSION >> 24) & 0xff,
             (RD_KAFKA_VERSION >> 16) & 0xff, (RD_KAFKA_VERSION >> 8) & 0xff);
    return false;
}
