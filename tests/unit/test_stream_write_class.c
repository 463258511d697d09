/* Unit tests for stream/write_class: every CQL error code has its class, and InvalidRequest is
 * data only for the value refusals Cassandra words that way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stream/write_class.h"

#include <string.h>

static void test_every_code_has_a_class(void **state)
{
    (void)state;
    static const struct {
        enum cql_error_code code;
        enum up_write_class cls;
    } want[] = {
        {CQL_ERR_SERVER_ERROR, UP_WRITE_TRANSIENT},
        {CQL_ERR_PROTOCOL_ERROR, UP_WRITE_OPERATOR},
        {CQL_ERR_BAD_CREDENTIALS, UP_WRITE_OPERATOR},
        {CQL_ERR_UNAVAILABLE, UP_WRITE_TRANSIENT},
        {CQL_ERR_OVERLOADED, UP_WRITE_TRANSIENT},
        {CQL_ERR_IS_BOOTSTRAPPING, UP_WRITE_TRANSIENT},
        {CQL_ERR_TRUNCATE_ERROR, UP_WRITE_TRANSIENT},
        {CQL_ERR_WRITE_TIMEOUT, UP_WRITE_TRANSIENT},
        {CQL_ERR_READ_TIMEOUT, UP_WRITE_TRANSIENT},
        {CQL_ERR_READ_FAILURE, UP_WRITE_TRANSIENT},
        {CQL_ERR_FUNCTION_FAILURE, UP_WRITE_DATA},
        {CQL_ERR_WRITE_FAILURE, UP_WRITE_TRANSIENT},
        {CQL_ERR_CDC_WRITE_FAILURE, UP_WRITE_TRANSIENT},
        {CQL_ERR_CAS_WRITE_UNKNOWN, UP_WRITE_TRANSIENT},
        {CQL_ERR_SYNTAX_ERROR, UP_WRITE_OPERATOR},
        {CQL_ERR_UNAUTHORIZED, UP_WRITE_OPERATOR},
        {CQL_ERR_INVALID, UP_WRITE_OPERATOR}, /* unless its message refuses a value (below) */
        {CQL_ERR_CONFIG_ERROR, UP_WRITE_OPERATOR},
        {CQL_ERR_ALREADY_EXISTS, UP_WRITE_OPERATOR},
        {CQL_ERR_UNPREPARED, UP_WRITE_TRANSIENT},
        {CQL_ERR_BAD_PARAMS, UP_WRITE_OPERATOR},
        {CQL_ERR_TYPE_MISMATCH, UP_WRITE_OPERATOR},
        {CQL_ERR_CONNECT, UP_WRITE_TRANSIENT},
        {CQL_ERR_CONNECTION_CLOSED, UP_WRITE_TRANSIENT},
        {CQL_ERR_TIMEOUT, UP_WRITE_TRANSIENT},
        {CQL_ERR_NO_HOSTS, UP_WRITE_TRANSIENT},
        {CQL_ERR_PROTOCOL, UP_WRITE_OPERATOR},
        {CQL_ERR_FRAME_TOO_LARGE, UP_WRITE_OPERATOR},
        {CQL_ERR_COMPRESSION, UP_WRITE_TRANSIENT},
        {CQL_ERR_AUTH, UP_WRITE_OPERATOR},
        {CQL_ERR_TLS, UP_WRITE_OPERATOR},
        {CQL_ERR_QUEUE_FULL, UP_WRITE_TRANSIENT},
        {CQL_ERR_SHUTDOWN, UP_WRITE_TRANSIENT},
        {CQL_ERR_NOT_ALLOWED, UP_WRITE_OPERATOR},
        {CQL_ERR_REPREPARE_FAILED, UP_WRITE_OPERATOR},
        {CQL_ERR_RETRIES_EXHAUSTED, UP_WRITE_TRANSIENT},
        {CQL_ERR_SCHEMA_AGREEMENT, UP_WRITE_TRANSIENT},
    };
#define COUNT_CODE_(src, name, code, desc) +1
    const size_t ncodes = 0 CQL_ERROR_TABLE(COUNT_CODE_);
#undef COUNT_CODE_
    assert_int_equal(sizeof want / sizeof want[0], ncodes); /* a new code needs its class here */
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        enum up_write_class got = up_write_classify(want[i].code, "whatever");
        if (got != want[i].cls)
            fail_msg("%s: %s, want %s", cql_error_name(want[i].code), up_write_class_name(got),
                     up_write_class_name(want[i].cls));
    }
}

static void test_invalid_request_by_message(void **state)
{
    (void)state;
    static const char *const data[] = {
        "Key length of 70000 is longer than maximum of 65535",
        "Key may not be empty",
        "The sum of all clustering columns is too long (70000 > 65535)",
        "Invalid null value for partition key part id",
        "Invalid version for TimeUUID type.",
        "String didn't validate.",
        "Guardrail column_value_size violated: Value of column 'b' has size 2.0MiB",
        "Rejected an oversized mutation (20000000/16777216) for keyspace: ks. Top keys are: t.k",
        "ttl is too large. requested (900000000) maximum (630720000)",
    };
    for (size_t i = 0; i < sizeof data / sizeof data[0]; i++)
        if (up_write_classify(CQL_ERR_INVALID, data[i]) != UP_WRITE_DATA)
            fail_msg("'%s' is not data", data[i]);
    static const char *const operator[] = {
        "unconfigured table users",
        "Keyspace ks does not exist",
        "Undefined column name b in table ks.t",
        "Guardrail write_consistency_levels violated: Provided values [ANY] are not allowed",
        "something Cassandra 6 says",
        "",
    };
    for (size_t i = 0; i < sizeof operator/ sizeof operator[0]; i++)
        if (up_write_classify(CQL_ERR_INVALID, operator[i]) != UP_WRITE_OPERATOR)
            fail_msg("'%s' is not operator", operator[i]);
    assert_int_equal(up_write_classify(CQL_ERR_INVALID, NULL), UP_WRITE_OPERATOR);
}

static void test_operator_hints(void **state)
{
    (void)state;
    assert_non_null(strstr(up_write_operator_hint(CQL_ERR_REPREPARE_FAILED,
                                                  "re-preparing failed: unconfigured table t"),
                           "create the table"));
    assert_non_null(strstr(up_write_operator_hint(CQL_ERR_UNAUTHORIZED, "User x has no MODIFY"),
                           "GRANT MODIFY"));
    assert_non_null(strstr(up_write_operator_hint(CQL_ERR_INVALID, "Undefined column name b"),
                           "add the column"));
    assert_non_null(up_write_operator_hint(CQL_ERR_PROTOCOL_ERROR, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_has_a_class),
        cmocka_unit_test(test_invalid_request_by_message),
        cmocka_unit_test(test_operator_hints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
