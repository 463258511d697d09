/* kafka/config: builds librdkafka configurations from --brokers and -X key=value,
 * failing on the first unknown or invalid property with librdkafka's own words
 * (a usage error for the caller), never logging a secret's value. */
#ifndef UP_KAFKA_CONFIG_H
#define UP_KAFKA_CONFIG_H

#include "core/flags.h"

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>

/* Sets key=value on conf: 0, or -1 with "Kafka property 'k': <reason>" in err. */
int up_kafka_conf_set(rd_kafka_conf_t *conf, const char *key, const char *value, char *err,
                      size_t errlen);
/* A new conf with bootstrap.servers = brokers and every "key=value" of props applied
 * after the caller's defaults (so -X always wins). NULL + err on a bad property. */
rd_kafka_conf_t *up_kafka_conf_new(const char *brokers, const struct up_str_list *props,
                                   const char *const *defaults, char *err, size_t errlen);
/* True for property names whose values must never be printed. */
bool up_kafka_property_is_secret(const char *key);

#endif
