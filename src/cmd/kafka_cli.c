/* kafka_cli: --kafka-config merged with -X. */
#include "cmd/kafka_cli.h"

#include "core/buf.h"
#include "kafka/config.h"
#include "kafka/topic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void merge_file(struct up_common_opts *c, const struct up_kafka_properties *file)
{
    struct up_str_list merged = {0};
    struct up_buf kv = UP_BUF_INIT;
    for (size_t i = 0; i < file->len; i++) {
        up_buf_clear(&kv);
        up_buf_printf(&kv, "%s=%s", file->items[i].key, file->items[i].value);
        up_str_list_push(&merged, kv.data);
    }
    explicit_bzero(kv.data, kv.len);
    up_buf_free(&kv);
    for (size_t i = 0; i < c->kafka_props.len; i++)
        up_str_list_push(&merged, c->kafka_props.items[i]);
    up_str_list_free(&c->kafka_props);
    c->kafka_props = merged;
}

/* The last bootstrap.servers of the list, the one librdkafka keeps, so that what the
 * commands log is where they connect. */
static void effective_brokers(struct up_common_opts *c)
{
    static const char key[] = "bootstrap.servers=";
    for (size_t i = c->kafka_props.len; i-- > 0;) {
        const char *kv = c->kafka_props.items[i];
        if (strncmp(kv, key, sizeof key - 1) == 0) {
            free(c->brokers);
            c->brokers = up_xstrdup(kv + sizeof key - 1);
            return;
        }
    }
}

int kafka_cli_props(struct up_common_opts *c, char *err, size_t errlen)
{
    if (c->kafka_config && c->kafka_config[0]) {
        struct up_kafka_properties file;
        char why[1024];
        if (up_kafka_properties_load(c->kafka_config, &file, why, sizeof why) != 0) {
            snprintf(err, errlen, "--kafka-config %s", why);
            return -1;
        }
        merge_file(c, &file);
        up_kafka_properties_free(&file);
    }
    effective_brokers(c);
    rd_kafka_conf_t *conf = up_kafka_conf_new(c->brokers, &c->kafka_props, NULL, err, errlen);
    if (!conf)
        return -1;
    rd_kafka_conf_destroy(conf);
    return 0;
}

bool kafka_cli_apply(struct up_common_opts *c, const char *command)
{
    char err[2048];
    if (kafka_cli_props(c, err, sizeof err) == 0)
        return true;
    fprintf(stderr, "userpipe %s: %s\n", command, err);
    return false;
}

int kafka_cli_topic_check(const char *value, char *err, size_t errlen)
{
    return up_kafka_topic_name_check(value, strlen(value), err, errlen);
}

int kafka_cli_optional_topic_check(const char *value, char *err, size_t errlen)
{
    return value[0] ? kafka_cli_topic_check(value, err, errlen) : 0;
}
