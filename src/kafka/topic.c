/* kafka/topic: the topic name rule. */
#include "kafka/topic.h"

#include <stdio.h>
#include <string.h>

static bool legal_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

/* The start of name as printable text: legal characters as they are, others as \xHH. */
static void quote(const char *name, size_t len, char *out, size_t size)
{
    size_t n = 0, shown = len < 40 ? len : 40;
    for (size_t i = 0; i < shown && n + 5 < size; i++) {
        unsigned char c = (unsigned char)name[i];
        n += (size_t)(legal_char(c) ? snprintf(out + n, size - n, "%c", c)
                                    : snprintf(out + n, size - n, "\\x%02x", c));
    }
    if (shown < len && n + 4 < size)
        n += (size_t)snprintf(out + n, size - n, "...");
    out[n < size ? n : size - 1] = '\0';
}

int up_kafka_topic_name_check(const char *name, size_t len, char *err, size_t errlen)
{
    char shown[200];
    if (len == 0) {
        snprintf(err, errlen, "a topic name cannot be empty");
        return -1;
    }
    quote(name, len, shown, sizeof shown);
    if (len > UP_KAFKA_TOPIC_MAX) {
        snprintf(err, errlen, "topic name '%s' is %zu bytes, longer than %d (Kafka's limit)", shown,
                 len, UP_KAFKA_TOPIC_MAX);
        return -1;
    }
    if ((len == 1 && name[0] == '.') || (len == 2 && memcmp(name, "..", 2) == 0)) {
        snprintf(err, errlen, "'%s' cannot be a topic name", shown);
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        if (!legal_char((unsigned char)name[i])) {
            snprintf(err, errlen,
                     "topic name '%s' has a character Kafka does not allow at byte %zu "
                     "(legal: a-z A-Z 0-9 . _ -)",
                     shown, i + 1);
            return -1;
        }
    }
    return 0;
}
