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

/* Who this client logs in as, for error messages: "user 'u' (SASL SCRAM-SHA-512 over
 * SASL_SSL)", or "no SASL login (security.protocol ssl)". Never the password. */
void up_kafka_login(const rd_kafka_t *rk, char *out, size_t outlen);

/* Whether an error librdkafka reports (error callback: err, reason) and keeps retrying can only
 * be cured by changing the client's settings: a login the broker refused, or a broker
 * certificate that does not verify; with connecting set (the first contact), also a TLS
 * client on a plaintext listener and the other way round. Then true, with the cause and the
 * login in out. */
bool up_kafka_config_error(const rd_kafka_t *rk, int err, const char *reason, bool connecting,
                           char *out, size_t outlen);

#endif
