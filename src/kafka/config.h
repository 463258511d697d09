/* kafka/config: builds librdkafka configurations from --brokers, a properties file and
 * -X key=value, failing on the first unknown or invalid property with librdkafka's own words
 * (a usage error for the caller), never logging or printing a secret's value. */
#ifndef UP_KAFKA_CONFIG_H
#define UP_KAFKA_CONFIG_H

#include "core/flags.h"

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>

/* Sets key=value on conf: 0, or -1 with "Kafka property 'k': <reason>" in err (a secret's
 * value, should librdkafka quote it, replaced by "[redacted]"). */
int up_kafka_conf_set(rd_kafka_conf_t *conf, const char *key, const char *value, char *err,
                      size_t errlen);
/* A new conf with bootstrap.servers = brokers and every "key=value" of props applied
 * after the caller's defaults (so -X always wins). NULL + err on a bad property. */
rd_kafka_conf_t *up_kafka_conf_new(const char *brokers, const struct up_str_list *props,
                                   const char *const *defaults, char *err, size_t errlen);
/* True for property names whose values must never be printed: passwords, secrets, keys. */
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

/* A properties file: `key=value` lines as kcat -F and the Java clients' client.properties
 * write them. '#' and '!' start a comment line; blank lines are skipped; white space around
 * the key and the value is dropped; the value is literal (no escapes, no continuation lines),
 * so a password needs no quoting. A later line for the same key wins. */
#define UP_KAFKA_PROPERTIES_MAX_BYTES (1024 * 1024)
#define UP_KAFKA_PROPERTY_NAME_MAX    255

struct up_kafka_property {
    char *key;
    char *value;
    int line;
};

struct up_kafka_properties {
    struct up_kafka_property *items;
    size_t len;
};

/* Parses len bytes of text (at most UP_KAFKA_PROPERTIES_MAX_BYTES). 0, or -1 with
 * "LINE: reason" in err; err never quotes a value. Pure: no librdkafka, no I/O. */
int up_kafka_properties_parse(const char *text, size_t len, struct up_kafka_properties *out,
                              char *err, size_t errlen);
/* Reads and parses the file at path, then checks every property against librdkafka.
 * Refused (-1, err names "path:line" and the property, never its value): unreadable, too
 * large, malformed, an unknown or invalid property, or a secret (see
 * up_kafka_property_is_secret) in a file that group or others may read. */
int up_kafka_properties_load(const char *path, struct up_kafka_properties *out, char *err,
                             size_t errlen);
/* Wipes every value (they may be secrets) and frees. */
void up_kafka_properties_free(struct up_kafka_properties *p);

#endif
