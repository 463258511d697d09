/* kafka/config: librdkafka configuration from flags. */
#include "kafka/config.h"

#include <stdio.h>
#include <string.h>

bool up_kafka_property_is_secret(const char *key)
{
    return strstr(key, "password") || strstr(key, "secret") ||
           strcmp(key, "sasl.oauthbearer.config") == 0 || strcmp(key, "sasl.jaas.config") == 0 ||
           strstr(key, ".key.pem");
}

int up_kafka_conf_set(rd_kafka_conf_t *conf, const char *key, const char *value, char *err,
                      size_t errlen)
{
    char why[512];
    if (rd_kafka_conf_set(conf, key, value, why, sizeof why) == RD_KAFKA_CONF_OK)
        return 0;
    snprintf(err, errlen, "Kafka property '%s': %s", key, why);
    return -1;
}

rd_kafka_conf_t *up_kafka_conf_new(const char *brokers, const struct up_str_list *props,
                                   const char *const *defaults, char *err, size_t errlen)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (brokers && up_kafka_conf_set(conf, "bootstrap.servers", brokers, err, errlen) != 0)
        goto fail;
    for (size_t i = 0; defaults && defaults[i]; i += 2)
        if (up_kafka_conf_set(conf, defaults[i], defaults[i + 1], err, errlen) != 0)
            goto fail;
    for (size_t i = 0; props && i < props->len; i++) {
        const char *kv = props->items[i];
        const char *eq = strchr(kv, '=');
        if (!eq || eq == kv) {
            snprintf(err, errlen, "-X '%s': expected KEY=VALUE", kv);
            goto fail;
        }
        char key[256];
        size_t klen = (size_t)(eq - kv);
        if (klen >= sizeof key) {
            snprintf(err, errlen, "-X: property name too long");
            goto fail;
        }
        memcpy(key, kv, klen);
        key[klen] = '\0';
        if (up_kafka_conf_set(conf, key, eq + 1, err, errlen) != 0)
            goto fail;
    }
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}
