/* kafka/config: librdkafka configuration from flags. */
#include "kafka/config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

bool up_kafka_property_is_secret(const char *key)
{
    return strstr(key, "password") || strstr(key, "secret") ||
           strcmp(key, "sasl.oauthbearer.config") == 0 || strcmp(key, "sasl.jaas.config") == 0 ||
           strstr(key, ".key.pem");
}

/* The value of property key ("" when unset or unreadable). */
static void conf_value(const rd_kafka_t *rk, const char *key, char *out, size_t outlen)
{
    size_t size = outlen;
    if (rd_kafka_conf_get(rd_kafka_conf((rd_kafka_t *)rk), key, out, &size) != RD_KAFKA_CONF_OK)
        out[0] = '\0';
}

void up_kafka_login(const rd_kafka_t *rk, char *out, size_t outlen)
{
    char protocol[32], mechanism[64], user[256];
    conf_value(rk, "security.protocol", protocol, sizeof protocol);
    conf_value(rk, "sasl.mechanisms", mechanism, sizeof mechanism);
    conf_value(rk, "sasl.username", user, sizeof user);
    if (strncasecmp(protocol, "sasl", 4) != 0)
        snprintf(out, outlen, "no SASL login (security.protocol %s)", protocol);
    else
        snprintf(out, outlen, "user '%s' (SASL %s over %s)", user, mechanism, protocol);
}

bool up_kafka_config_error(const rd_kafka_t *rk, int err, const char *reason, bool connecting,
                           char *out, size_t outlen)
{
    char login[400];
    up_kafka_login(rk, login, sizeof login);
    if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION) {
        snprintf(out, outlen, "Kafka refused the login of %s: %s", login, reason);
        return true;
    }
    /* librdkafka's own guesses when the peer hangs up during the first exchange */
    bool tls_mismatch = strstr(reason, "PLAINTEXT broker listener?") ||
                        strstr(reason, "connecting to a SSL listener?");
    if ((err == RD_KAFKA_RESP_ERR__SSL && strstr(reason, "certificate")) ||
        (connecting && tls_mismatch)) {
        snprintf(out, outlen, "TLS with Kafka failed for %s: %s", login, reason);
        return true;
    }
    return false;
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
