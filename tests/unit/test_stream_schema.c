/* Unit tests for stream/schema: names, replication specs, the exact CQL produced. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stream/schema.h"

#include <string.h>

static void test_names(void **state)
{
    (void)state;
    assert_true(up_schema_name_valid("profiles"));
    assert_true(up_schema_name_valid("Users_2"));
    assert_true(up_schema_name_valid("a23456789012345678901234567890123456789012345678"));
    assert_false(up_schema_name_valid("a234567890123456789012345678901234567890123456789"));
    assert_false(up_schema_name_valid(""));
    assert_false(up_schema_name_valid(NULL));
    assert_false(up_schema_name_valid("pro files"));
    assert_false(up_schema_name_valid("x\";DROP"));
    assert_false(up_schema_name_valid("a.b"));
}

static void expect_map(const char *spec, const char *cql)
{
    struct up_buf b = UP_BUF_INIT;
    char err[256];
    assert_int_equal(up_schema_replication_map(spec, &b, err, sizeof err), 0);
    assert_string_equal(b.data, cql);
    up_buf_free(&b);
}

static void expect_bad(const char *spec)
{
    struct up_buf b = UP_BUF_INIT;
    char err[256] = "";
    assert_int_equal(up_schema_replication_map(spec, &b, err, sizeof err), -1);
    assert_true(strlen(err) > 0);
    assert_int_equal(b.len, 0);
    up_buf_free(&b);
}

static void test_replication(void **state)
{
    (void)state;
    expect_map("SimpleStrategy:1", "{'class': 'SimpleStrategy', 'replication_factor': 1}");
    expect_map("simple:3", "{'class': 'SimpleStrategy', 'replication_factor': 3}");
    expect_map("NetworkTopologyStrategy:dc1=3,dc-2=2",
               "{'class': 'NetworkTopologyStrategy', 'dc1': 3, 'dc-2': 2}");
    expect_map("nts:datacenter1=1", "{'class': 'NetworkTopologyStrategy', 'datacenter1': 1}");
    expect_bad("SimpleStrategy");
    expect_bad("SimpleStrategy:0");
    expect_bad("SimpleStrategy:101");
    expect_bad("SimpleStrategy:x");
    expect_bad("Simple:1,2");
    expect_bad("nts:");
    expect_bad("nts:dc1");
    expect_bad("nts:dc1=3,");
    expect_bad("nts:dc'1=3");
    expect_bad("LocalStrategy:1");
    expect_bad(NULL);
}

static void test_statements(void **state)
{
    (void)state;
    struct up_buf ks = UP_BUF_INIT, tb = UP_BUF_INIT;
    char err[256];
    assert_int_equal(up_schema_create_statements("profiles", "users", "SimpleStrategy:1", &ks, &tb,
                                                 err, sizeof err),
                     0);
    assert_string_equal(ks.data, "CREATE KEYSPACE IF NOT EXISTS \"profiles\" WITH replication = "
                                 "{'class': 'SimpleStrategy', 'replication_factor': 1}");
    assert_string_equal(
        tb.data, "CREATE TABLE IF NOT EXISTS \"profiles\".\"users\" (id uuid PRIMARY KEY, "
                 "first_name text, last_name text, gender text, address text, post_code text, "
                 "email text, username text, dob timestamp, registered_date timestamp, phone "
                 "text, picture text, nat text, ingested_at timestamp)");
    up_buf_clear(&ks);
    up_buf_clear(&tb);
    assert_int_equal(
        up_schema_create_statements("bad name", "users", "simple:1", &ks, &tb, err, sizeof err),
        -1);
    assert_non_null(strstr(err, "bad name"));
    assert_int_equal(
        up_schema_create_statements("profiles", "users", "nope:1", &ks, &tb, err, sizeof err), -1);
    up_buf_free(&ks);
    up_buf_free(&tb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_replication),
        cmocka_unit_test(test_statements),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
