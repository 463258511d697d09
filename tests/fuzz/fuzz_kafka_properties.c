/* Fuzz target for kafka/config's properties-file parser (--kafka-config): whatever the bytes,
 * it returns every property with a name of 1..255 bytes free of '=' and white space at its
 * ends, a value without white space at its ends, lines in order, or an error; nothing leaks. */
#include "kafka/config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int is_blank_end(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && (strchr(" \t\f\v", s[0]) || strchr(" \t\f\v", s[n - 1]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct up_kafka_properties p;
    char err[256];
    if (up_kafka_properties_parse((const char *)data, size, &p, err, sizeof err) != 0) {
        if (p.len != 0 || err[0] == '\0')
            abort();
        return 0;
    }
    int last = 0;
    for (size_t i = 0; i < p.len; i++) {
        const struct up_kafka_property *q = &p.items[i];
        size_t klen = strlen(q->key);
        if (klen == 0 || klen > UP_KAFKA_PROPERTY_NAME_MAX || strchr(q->key, '=') ||
            is_blank_end(q->key) || is_blank_end(q->value) || q->line <= last ||
            strchr(q->value, '\n'))
            abort();
        last = q->line;
    }
    up_kafka_properties_free(&p);
    return 0;
}
