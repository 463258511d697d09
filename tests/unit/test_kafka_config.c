/* Unit tests for kafka/config's properties files (parse, load: mode rule, librdkafka's check,
 * file:line in errors, no value in any message) and cmd/kafka_cli's merge with -X. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cmd/kafka_cli.h"
#include "core/buf.h"
#include "kafka/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int parse(const char *text, struct up_kafka_properties *p, char *err, size_t errlen)
{
    return up_kafka_properties_parse(text, strlen(text), p, err, errlen);
}

static void test_parse_lines(void **state)
{
    (void)state;
    struct up_kafka_properties p;
    char err[256] = "";
    const char *text = "\xEF\xBB\xBF# a comment\n"
                       "! also a comment\n"
                       "\n"
                       "  security.protocol = SASL_SSL  \r\n"
                       "sasl.mechanism=SCRAM-SHA-512\n"
                       "\tsasl.password= p=a#ss word \n"
                       "client.id=\n"
                       "client.id=last";
    assert_int_equal(parse(text, &p, err, sizeof err), 0);
    assert_int_equal(p.len, 5);
    assert_string_equal(p.items[0].key, "security.protocol");
    assert_string_equal(p.items[0].value, "SASL_SSL");
    assert_int_equal(p.items[0].line, 4);
    assert_string_equal(p.items[1].key, "sasl.mechanism");
    assert_string_equal(p.items[2].value, "p=a#ss word"); /* literal: '=' and '#' kept */
    assert_int_equal(p.items[2].line, 6);
    assert_string_equal(p.items[3].value, "");
    assert_string_equal(p.items[4].value, "last");
    assert_int_equal(p.items[4].line, 8);
    up_kafka_properties_free(&p);

    assert_int_equal(parse("", &p, err, sizeof err), 0);
    assert_int_equal(p.len, 0);
    up_kafka_properties_free(&p);
}

static void expect_parse_error(const char *text, size_t len, const char *want)
{
    struct up_kafka_properties p;
    char err[256] = "";
    assert_int_equal(up_kafka_properties_parse(text, len, &p, err, sizeof err), -1);
    assert_string_equal(err, want);
    assert_int_equal(p.len, 0);
}

static void test_parse_errors(void **state)
{
    (void)state;
    /* the line is never quoted: a password written without its key stays unprinted */
    expect_parse_error("a=1\nhunter2\n", 12, "2: expected key=value");
    expect_parse_error(" = x\n", 5, "1: a value without a property name");
    expect_parse_error("sasl.mechanism SCRAM=x\n", 23,
                       "1: white space inside the property name (expected key=value)");
    expect_parse_error("a=1\nb=\0x\n", 9, "2: a NUL byte");
    char key[300];
    memset(key, 'k', 256);
    memcpy(key + 256, "=1", 3);
    expect_parse_error(key, strlen(key), "1: property name longer than 255 bytes");
    expect_parse_error("a=1", UP_KAFKA_PROPERTIES_MAX_BYTES + 1, "larger than 1048576 bytes");
}

static char *write_file(const char *text, mode_t mode)
{
    char *path = strdup("/tmp/test_kafka_configXXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    assert_int_equal(chmod(path, mode), 0);
    return path;
}

/* Loads text from a file of that mode: the result, and the message (path replaced by FILE). */
static int load(const char *text, mode_t mode, struct up_kafka_properties *p, char *err,
                size_t errlen)
{
    char *path = write_file(text, mode);
    char raw[1024] = "";
    int rc = up_kafka_properties_load(path, p, raw, sizeof raw);
    struct up_buf b = UP_BUF_INIT;
    const char *at, *s = raw;
    while ((at = strstr(s, path)) != NULL) {
        up_buf_append(&b, s, (size_t)(at - s));
        up_buf_puts(&b, "FILE");
        s = at + strlen(path);
    }
    up_buf_puts(&b, s);
    snprintf(err, errlen, "%s", b.data);
    up_buf_free(&b);
    unlink(path);
    free(path);
    return rc;
}

static void test_load(void **state)
{
    (void)state;
    struct up_kafka_properties p;
    char err[1024];
    /* no secret: any mode will do */
    assert_int_equal(load("client.id=x\nsocket.timeout.ms=5000\n", 0644, &p, err, sizeof err), 0);
    assert_int_equal(p.len, 2);
    up_kafka_properties_free(&p);
    /* a secret: only the owner may read the file */
    const char *secret = "client.id=x\nsasl.password=Hunter2\n";
    assert_int_equal(load(secret, 0640, &p, err, sizeof err), -1);
    assert_string_equal(err, "FILE:2 holds sasl.password but the file is accessible by group or "
                             "others (mode 640); refusing it: run chmod 600 FILE");
    assert_int_equal(load(secret, 0600, &p, err, sizeof err), 0);
    up_kafka_properties_free(&p);
    assert_int_equal(load("ssl.key.pem=PEM\n", 0604, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "holds ssl.key.pem"));
    assert_null(strstr(err, "PEM\n"));
    /* what librdkafka refuses, with the line and the property */
    assert_int_equal(load("client.id=x\n\nno.such.thing=1\n", 0600, &p, err, sizeof err), -1);
    assert_string_equal(err, "FILE:3: Kafka property 'no.such.thing': No such configuration "
                             "property: \"no.such.thing\"");
    assert_int_equal(load("security.protocol=bogus\n", 0600, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "FILE:1: Kafka property 'security.protocol': Invalid value"));
    assert_int_equal(load("ssl.truststore.location=/x.jks\n", 0600, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "librdkafka takes ssl.ca.location"));
    /* malformed lines keep the file:line form */
    assert_int_equal(load("a=1\nsecretword\n", 0600, &p, err, sizeof err), -1);
    assert_string_equal(err, "FILE:2: expected key=value");
    assert_int_equal(up_kafka_properties_load("/nonexistent/x", &p, err, sizeof err), -1);
    assert_string_equal(err, "/nonexistent/x: No such file or directory");
    assert_int_equal(up_kafka_properties_load("/tmp", &p, err, sizeof err), -1);
    assert_string_equal(err, "/tmp: not a regular file");
}

static void test_secret_names(void **state)
{
    (void)state;
    const char *secret[] = {"sasl.password",
                            "ssl.key.password",
                            "ssl.keystore.password",
                            "ssl.key.pem",
                            "sasl.oauthbearer.client.secret",
                            "sasl.oauthbearer.config",
                            "some.api.key"};
    for (size_t i = 0; i < sizeof secret / sizeof secret[0]; i++)
        assert_true(up_kafka_property_is_secret(secret[i]));
    const char *plain[] = {"sasl.username", "ssl.key.location", "ssl.ca.location", "client.id",
                           "security.protocol"};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        assert_false(up_kafka_property_is_secret(plain[i]));
}

static void test_cli_merge(void **state)
{
    (void)state;
    char *path = write_file("bootstrap.servers=file:9092\nclient.id=from-file\n"
                            "socket.timeout.ms=7000\n",
                            0600);
    struct up_common_opts c = {.brokers = strdup("127.0.0.1:9092"), .kafka_config = path};
    up_str_list_push(&c.kafka_props, "client.id=from-x");
    char err[1024] = "";
    assert_int_equal(kafka_cli_props(&c, err, sizeof err), 0);
    assert_int_equal(c.kafka_props.len, 4);
    assert_string_equal(c.kafka_props.items[0], "bootstrap.servers=file:9092");
    assert_string_equal(c.kafka_props.items[3], "client.id=from-x"); /* -X last: it wins */
    assert_string_equal(c.brokers, "file:9092");

    /* the merged list gives librdkafka what the precedence says */
    rd_kafka_conf_t *conf = up_kafka_conf_new(c.brokers, &c.kafka_props, NULL, err, sizeof err);
    assert_non_null(conf);
    char v[64];
    size_t vlen = sizeof v;
    assert_int_equal(rd_kafka_conf_get(conf, "client.id", v, &vlen), RD_KAFKA_CONF_OK);
    assert_string_equal(v, "from-x");
    vlen = sizeof v;
    assert_int_equal(rd_kafka_conf_get(conf, "socket.timeout.ms", v, &vlen), RD_KAFKA_CONF_OK);
    assert_string_equal(v, "7000");
    rd_kafka_conf_destroy(conf);
    up_str_list_free(&c.kafka_props);

    /* a bad -X is refused by the same call, the file's name not involved */
    up_str_list_push(&c.kafka_props, "acks=sometimes");
    assert_int_equal(kafka_cli_props(&c, err, sizeof err), -1);
    assert_non_null(strstr(err, "Kafka property 'acks'"));
    up_str_list_free(&c.kafka_props);

    /* without a file, -X alone; a missing file is named after the flag */
    c.kafka_config = "/nonexistent/kafka.properties";
    assert_int_equal(kafka_cli_props(&c, err, sizeof err), -1);
    assert_string_equal(err,
                        "--kafka-config /nonexistent/kafka.properties: No such file or directory");
    free(c.brokers);
    unlink(path);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_lines), cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_load),        cmocka_unit_test(test_secret_names),
        cmocka_unit_test(test_cli_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
