/* Unit tests for kafka/topic: Kafka's topic name rule, and how a refused name is shown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kafka/topic.h"

#include <string.h>

static int check(const char *name, char *err, size_t errlen)
{
    return up_kafka_topic_name_check(name, strlen(name), err, errlen);
}

static void test_legal(void **state)
{
    (void)state;
    char err[256];
    const char *ok[] = {"users_queue", "users_queue.dlq", "a", "A-Z.0_9", "...", ".a", "__x"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (check(ok[i], err, sizeof err) != 0)
            fail_msg("'%s' refused: %s", ok[i], err);
    char longest[UP_KAFKA_TOPIC_MAX + 1];
    memset(longest, 'x', UP_KAFKA_TOPIC_MAX);
    longest[UP_KAFKA_TOPIC_MAX] = '\0';
    assert_int_equal(check(longest, err, sizeof err), 0);
}

static void test_refused(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(check("", err, sizeof err), -1);
    assert_string_equal(err, "a topic name cannot be empty");
    assert_int_equal(check(".", err, sizeof err), -1);
    assert_string_equal(err, "'.' cannot be a topic name");
    assert_int_equal(check("..", err, sizeof err), -1);
    assert_int_equal(check("users queue", err, sizeof err), -1);
    assert_string_equal(err, "topic name 'users\\x20queue' has a character Kafka does not allow "
                             "at byte 6 (legal: a-z A-Z 0-9 . _ -)");
    assert_int_equal(check("a/b", err, sizeof err), -1);
    assert_int_equal(check("caf\xc3\xa9", err, sizeof err), -1);
    assert_non_null(strstr(err, "'caf\\xc3\\xa9'"));
    assert_int_equal(up_kafka_topic_name_check("a\0b", 3, err, sizeof err), -1);
    assert_non_null(strstr(err, "at byte 2"));

    char name[514];
    memset(name, 'a', 513);
    name[513] = '\0';
    assert_int_equal(check(name, err, sizeof err), -1);
    assert_string_equal(err, "topic name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is 513 "
                             "bytes, longer than 249 (Kafka's limit)");
    name[250] = '\0';
    assert_int_equal(check(name, err, sizeof err), -1);
    /* markup from the network is quoted escaped, never as it came */
    assert_int_equal(check("<script>", err, sizeof err), -1);
    assert_null(strchr(err, '<'));
    /* a short error buffer is not overrun */
    char small[16];
    assert_int_equal(check(name, small, sizeof small), -1);
    assert_int_equal(strlen(small), sizeof small - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_legal),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
