/* Unit tests for kafka/config's error classification: which errors librdkafka keeps retrying
 * only new settings can cure (a refused login, a certificate that does not verify, a TLS or
 * plaintext client on the other kind of listener), and that the message names the login
 * without its password. No broker: a handle is created and never connects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kafka/config.h"

#include <string.h>

static rd_kafka_t *handle(const char *const *props)
{
    char err[512];
    rd_kafka_conf_t *conf = up_kafka_conf_new("127.0.0.1:1", NULL, props, err, sizeof err);
    assert_non_null(conf);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    assert_non_null(rk);
    return rk;
}

static const char *const sasl_props[] = {
    "security.protocol",
    "SASL_SSL",
    "sasl.mechanisms",
    "SCRAM-SHA-512",
    "sasl.username",
    "produce",
    "sasl.password",
    "s3cret-do-not-print",
    NULL,
};

static void test_refused_login_names_user_and_mechanism(void **state)
{
    (void)state;
    rd_kafka_t *rk = handle(sasl_props);
    char out[1024];
    assert_true(up_kafka_config_error(rk, RD_KAFKA_RESP_ERR__AUTHENTICATION,
                                      "SASL authentication error: invalid credentials", false, out,
                                      sizeof out));
    assert_non_null(strstr(out, "user 'produce'"));
    assert_non_null(strstr(out, "SCRAM-SHA-512"));
    assert_non_null(strstr(out, "invalid credentials"));
    assert_null(strstr(out, "s3cret"));
    /* the connection lost during the exchange: retried like any transport error */
    assert_false(up_kafka_config_error(rk, RD_KAFKA_RESP_ERR__AUTHENTICATION,
                                       "SASL authentication error: SaslAuthenticateRequest failed: "
                                       "Local: Broker transport failure",
                                       false, out, sizeof out));
    rd_kafka_destroy(rk);
}

static void test_certificate_errors_are_config_errors(void **state)
{
    (void)state;
    rd_kafka_t *rk = handle(sasl_props);
    char out[1024];
    assert_true(up_kafka_config_error(rk, RD_KAFKA_RESP_ERR__SSL,
                                      "SSL handshake failed: certificate verify failed", false, out,
                                      sizeof out));
    assert_non_null(strstr(out, "TLS with Kafka failed"));
    /* an SSL error that is not about the certificate may be a broker going away */
    assert_false(up_kafka_config_error(rk, RD_KAFKA_RESP_ERR__SSL,
                                       "SSL transport error: Connection reset by peer", false, out,
                                       sizeof out));
    rd_kafka_destroy(rk);
}

static void test_listener_mismatch_only_while_connecting(void **state)
{
    (void)state;
    rd_kafka_t *rk = handle(sasl_props);
    char out[1024];
    const char *why = "SSL handshake failed: Disconnected: SSL connection closed by peer: "
                      "connecting to a PLAINTEXT broker listener?";
    assert_true(up_kafka_config_error(rk, RD_KAFKA_RESP_ERR__SSL, why, true, out, sizeof out));
    assert_false(
        up_kafka_config_error(rk, RD_KAFKA_RESP_ERR__TRANSPORT, why, false, out, sizeof out));
    rd_kafka_destroy(rk);
}

static void test_transport_errors_are_retried(void **state)
{
    (void)state;
    rd_kafka_t *rk = handle(NULL);
    char out[1024];
    assert_false(up_kafka_config_error(rk, RD_KAFKA_RESP_ERR__TRANSPORT,
                                       "Connect to ipv4#127.0.0.1:1 failed: Connection refused",
                                       true, out, sizeof out));
    assert_false(up_kafka_config_error(rk, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
                                       "1/1 brokers are down", true, out, sizeof out));
    up_kafka_login(rk, out, sizeof out);
    assert_string_equal(out, "no SASL login (security.protocol plaintext)");
    rd_kafka_destroy(rk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_login_names_user_and_mechanism),
        cmocka_unit_test(test_certificate_errors_are_config_errors),
        cmocka_unit_test(test_listener_mismatch_only_while_connecting),
        cmocka_unit_test(test_transport_errors_are_retried),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
