/* Unit tests for cql/message and friends: RESULT bodies of every kind written by hand from
 * the spec, ERROR bodies with their details, EVENTs, SUPPORTED, response prefixes, hostile
 * counts; the error table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cql_bodies.h"
#include "cql/message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void expect_malformed(const struct up_buf *b)
{
    struct cql_result *r;
    struct cql_error err;
    assert_int_equal(cql_result_parse((const uint8_t *)b->data, b->len, 0, &r, &err), -1);
    assert_int_equal(err.code, CQL_ERR_PROTOCOL);
    assert_null(r);
}

static void test_rows(void **state)
{
    (void)state;
    struct up_buf b = UP_BUF_INIT;
    rows_body(&b, true, 2);
    struct cql_result *r = parse_ok(&b, 0);
    assert_int_equal(cql_result_kind(r), CQL_RESULT_ROWS);
    assert_int_equal(cql_result_column_count(r), 2);
    assert_string_equal(cql_result_column_name(r, 1), "name");
    assert_int_equal(cql_data_type_id(cql_result_column_type(r, 0)), CQL_TYPE_INT);
    assert_int_equal(cql_result_row_count(r), 2);
    assert_true(cql_result_has_more_pages(r));
    struct cql_value v = cql_result_cell(r, 1, 0);
    int32_t id;
    assert_int_equal(cql_value_get_int32(&v, &id), CQL_OK);
    assert_int_equal(id, 2);
    v = cql_result_cell(r, 1, 1);
    assert_true(cql_value_is_null(&v));
    v = cql_result_cell(r, 5, 0); /* out of range: null, no crash */
    assert_true(cql_value_is_null(&v));
    /* the paging state goes into the next request */
    cql_statement *st = cql_statement_new("SELECT", 0);
    cql_statement_set_paging_state(st, r);
    assert_int_equal(st->paging_len, 3);
    assert_memory_equal(st->paging_state, "\x01\x02\x03", 3);
    cql_result_free(r);
    up_buf_clear(&b);
    rows_body(&b, false, 0);
    r = parse_ok(&b, 0);
    assert_false(cql_result_has_more_pages(r));
    cql_statement_set_paging_state(st, r); /* last page: back to the start */
    assert_int_equal(st->paging_len, 0);
    cql_result_free(r);
    cql_statement_free(st);
    up_buf_free(&b);
}

static void test_rows_hostile(void **state)
{
    (void)state;
    struct up_buf b = UP_BUF_INIT;
    /* every truncation of a valid body is refused */
    rows_body(&b, true, 3);
    for (size_t cut = 0; cut < b.len; cut++) {
        struct up_buf t = UP_BUF_INIT;
        up_buf_append(&t, b.data, cut);
        expect_malformed(&t);
        up_buf_free(&t);
    }
    /* 2^31-1 rows announced with no bytes behind them: refused before allocating */
    up_buf_clear(&b);
    rows_body(&b, false, 0);
    cql_store_u32((uint8_t *)b.data + b.len - 4, 0x7FFFFFFF);
    expect_malformed(&b);
    /* negative column count */
    up_buf_clear(&b);
    cql_put_int(&b, CQL_RESULT_ROWS);
    cql_put_int(&b, 0);
    cql_put_int(&b, -1);
    expect_malformed(&b);
    /* a million columns claimed by a 20-byte body */
    up_buf_clear(&b);
    cql_put_int(&b, CQL_RESULT_ROWS);
    cql_put_int(&b, 0x0001);
    cql_put_int(&b, 1000000);
    put_str(&b, "k");
    put_str(&b, "t");
    expect_malformed(&b);
    /* unknown result kind */
    up_buf_clear(&b);
    cql_put_int(&b, 9);
    expect_malformed(&b);
    up_buf_free(&b);
}

static void test_rows_no_metadata_and_prefixes(void **state)
{
    (void)state;
    struct up_buf b = UP_BUF_INIT;
    /* tracing id, then warnings, then the body (flags 0x02 | 0x08) */
    for (int i = 0; i < 16; i++)
        cql_put_byte(&b, (uint8_t)i);
    cql_put_short(&b, 1);
    put_str(&b, "Batch is large");
    cql_put_int(&b, CQL_RESULT_ROWS);
    cql_put_int(&b, 0x0004); /* No_metadata */
    cql_put_int(&b, 1);
    cql_put_int(&b, 1);
    cql_put_bytes(&b, (const uint8_t *)"\xAB", 1);
    struct cql_result *r = parse_ok(&b, CQL_FLAG_TRACING | CQL_FLAG_WARNING);
    assert_int_equal(cql_result_warning_count(r), 1);
    assert_string_equal(cql_result_warning(r, 0), "Batch is large");
    assert_int_equal(cql_result_row_count(r), 1);
    struct cql_value v = cql_result_cell(r, 0, 0);
    struct up_buf out = UP_BUF_INIT;
    cql_value_print(&v, CQL_PRINT_CQLSH, &out);
    assert_string_equal(out.data, "0xab"); /* no types: shown as bytes */
    up_buf_free(&out);
    cql_result_free(r);
    up_buf_free(&b);
}

static void test_other_results(void **state)
{
    (void)state;
    struct up_buf b = UP_BUF_INIT;
    cql_put_int(&b, CQL_RESULT_VOID);
    struct cql_result *r = parse_ok(&b, 0);
    assert_int_equal(cql_result_kind(r), CQL_RESULT_VOID);
    assert_int_equal(cql_result_row_count(r), 0);
    cql_result_free(r);

    up_buf_clear(&b);
    cql_put_int(&b, CQL_RESULT_SET_KEYSPACE);
    put_str(&b, "profiles");
    r = parse_ok(&b, 0);
    assert_string_equal(cql_result_keyspace(r), "profiles");
    cql_result_free(r);

    up_buf_clear(&b);
    cql_put_int(&b, CQL_RESULT_SCHEMA_CHANGE);
    put_str(&b, "CREATED");
    put_str(&b, "TABLE");
    put_str(&b, "ks");
    put_str(&b, "users");
    r = parse_ok(&b, 0);
    const char *change, *target, *ks, *name;
    assert_true(cql_result_schema_change(r, &change, &target, &ks, &name));
    assert_string_equal(change, "CREATED");
    assert_string_equal(target, "TABLE");
    assert_string_equal(ks, "ks");
    assert_string_equal(name, "users");
    cql_result_free(r);

    up_buf_clear(&b);
    cql_put_int(&b, CQL_RESULT_SCHEMA_CHANGE);
    put_str(&b, "DROPPED");
    put_str(&b, "KEYSPACE");
    put_str(&b, "old");
    r = parse_ok(&b, 0);
    assert_true(cql_result_schema_change(r, &change, &target, &ks, &name));
    assert_string_equal(name, "");
    cql_result_free(r);
    up_buf_free(&b);
}

static void test_prepared_result(void **state)
{
    (void)state;
    struct up_buf b = UP_BUF_INIT;
    cql_put_int(&b, CQL_RESULT_PREPARED);
    cql_put_short_bytes(&b, (const uint8_t *)"0123456789abcdef", 16);
    cql_put_int(&b, 0x0001); /* global table spec */
    cql_put_int(&b, 2);      /* two variables */
    cql_put_int(&b, 1);      /* one partition key component: variable 1 */
    cql_put_short(&b, 1);
    put_str(&b, "ks");
    put_str(&b, "t");
    put_str(&b, "name");
    cql_put_short(&b, CQL_TYPE_VARCHAR);
    put_str(&b, "id");
    cql_put_short(&b, CQL_TYPE_UUID);
    cql_put_int(&b, 0x0004); /* result metadata: none (an INSERT) */
    cql_put_int(&b, 0);
    struct cql_result *r = parse_ok(&b, 0);
    assert_int_equal(cql_result_kind(r), CQL_RESULT_PREPARED);
    struct cql_prepared_meta *m = r->prepared;
    assert_int_equal(m->id_len, 16);
    assert_int_equal(m->nparams, 2);
    assert_string_equal(m->params[1].name, "id");
    assert_int_equal(m->npk, 1);
    assert_int_equal(m->pk[0], 1);
    cql_result_free(r);
    /* a pk index beyond the variables is refused */
    cql_store_u16((uint8_t *)b.data + 4 + 18 + 12, 7);
    expect_malformed(&b);
    /* an id longer than any real one is refused */
    up_buf_clear(&b);
    cql_put_int(&b, CQL_RESULT_PREPARED);
    cql_put_short(&b, 200);
    for (int i = 0; i < 200; i++)
        cql_put_byte(&b, 1);
    cql_put_int(&b, 0);
    cql_put_int(&b, 0);
    cql_put_int(&b, 0);
    cql_put_int(&b, 4);
    cql_put_int(&b, 0);
    expect_malformed(&b);
    up_buf_free(&b);
}

static void error_body(struct up_buf *b, int32_t code, const char *msg)
{
    up_buf_clear(b);
    cql_put_int(b, code);
    put_str(b, msg);
}

static void test_errors(void **state)
{
    (void)state;
    struct up_buf b = UP_BUF_INIT;
    struct cql_error e;
    const uint8_t *id;
    size_t id_len;

    error_body(&b, 0x1000, "Cannot achieve consistency level QUORUM");
    cql_put_short(&b, CQL_QUORUM);
    cql_put_int(&b, 2);
    cql_put_int(&b, 1);
    assert_int_equal(cql_error_parse((const uint8_t *)b.data, b.len, 0, &e, NULL, NULL), 0);
    assert_int_equal(e.code, CQL_ERR_UNAVAILABLE);
    assert_int_equal(e.consistency, CQL_QUORUM);
    assert_int_equal(e.required, 2);
    assert_int_equal(e.received, 1);

    error_body(&b, 0x1100, "Operation timed out");
    cql_put_short(&b, CQL_ONE);
    cql_put_int(&b, 0);
    cql_put_int(&b, 1);
    put_str(&b, "BATCH_LOG");
    assert_int_equal(cql_error_parse((const uint8_t *)b.data, b.len, 0, &e, NULL, NULL), 0);
    assert_int_equal(e.code, CQL_ERR_WRITE_TIMEOUT);
    assert_int_equal(e.required, 1);
    assert_string_equal(e.write_type, "BATCH_LOG");
    assert_true(cql_error_is_retryable(e.code));

    error_body(&b, 0x1200, "Read timed out");
    cql_put_short(&b, CQL_LOCAL_QUORUM);
    cql_put_int(&b, 1);
    cql_put_int(&b, 2);
    cql_put_byte(&b, 1);
    assert_int_equal(cql_error_parse((const uint8_t *)b.data, b.len, 0, &e, NULL, NULL), 0);
    assert_int_equal(e.code, CQL_ERR_READ_TIMEOUT);
    assert_true(e.data_present);
    assert_int_equal(e.consistency, CQL_LOCAL_QUORUM);

    error_body(&b, 0x1500, "Write failed");
    cql_put_short(&b, CQL_ALL);
    cql_put_int(&b, 1);
    cql_put_int(&b, 3);
    cql_put_int(&b, 2);
    put_str(&b, "SIMPLE");
    assert_int_equal(cql_error_parse((const uint8_t *)b.data, b.len, 0, &e, NULL, NULL), 0);
    assert_int_equal(e.failures, 2);
    assert_string_equal(e.write_type, "SIMPLE");

    error_body(&b, 0x2400, "Cannot add already existing table");
    put_str(&b, "ks");
    put_str(&b, "users");
    assert_int_equal(cql_error_parse((const uint8_t *)b.data, b.len, 0, &e, NULL, NULL), 0);
    assert_int_equal(e.code, CQL_ERR_ALREADY_EXISTS);
    assert_string_equal(e.keyspace, "ks");
    assert_string_equal(e.table, "users");

    error_body(&b, 0x2500, "Prepared query with ID 0a0b not found");
    cql_put_short_bytes(&b, (const uint8_t *)"\x0a\x0b", 2);
    assert_int_equal(cql_error_parse((const uint8_t *)b.data, b.len, 0, &e, &id, &id_len), 0);
    assert_int_equal(e.code, CQL_ERR_UNPREPARED);
    assert_int_equal(id_len, 2);
    assert_memory_equal(id, "\x0a\x0b", 2);
    assert_false(cql_error_is_retryable(e.code));

    /* details missing: the code and message survive */
    error_body(&b, 0x1001, "Overloaded");
    assert_int_equal(cql_error_parse((const uint8_t *)b.data, b.len, 0, &e, NULL, NULL), 0);
    assert_int_equal(e.code, CQL_ERR_OVERLOADED);
    assert_string_equal(e.message, "Overloaded");

    /* an unknown server code keeps its number in the message */
    error_body(&b, 0x7777, "new");
    assert_int_equal(cql_error_parse((const uint8_t *)b.data, b.len, 0, &e, NULL, NULL), 0);
    assert_int_equal(e.code, CQL_ERR_SERVER_ERROR);
    assert_non_null(strstr(e.message, "0x7777"));

    /* no message at all */
    up_buf_clear(&b);
    cql_put_int(&b, 0x2200);
    assert_int_equal(cql_error_parse((const uint8_t *)b.data, b.len, 0, &e, NULL, NULL), -1);
    assert_int_equal(e.code, CQL_ERR_PROTOCOL);
    up_buf_free(&b);
}

static void test_error_table(void **state)
{
    (void)state;
    assert_int_equal(CQL_ERR_UNPREPARED, 0x01002500);
    assert_int_equal(CQL_ERR_SERVER_ERROR, 0x01000000);
    assert_int_equal(cql_error_from_server(0x2500), CQL_ERR_UNPREPARED);
    assert_int_equal(cql_error_from_server(0x000A), CQL_ERR_PROTOCOL_ERROR);
    assert_int_equal(cql_error_server_code(CQL_ERR_OVERLOADED), 0x1001);
    assert_int_equal(cql_error_server_code(CQL_ERR_TIMEOUT), -1);
    assert_true(cql_error_is_server(CQL_ERR_SYNTAX_ERROR));
    assert_false(cql_error_is_server(CQL_ERR_CONNECT));
    assert_string_equal(cql_error_name(CQL_ERR_UNPREPARED), "UNPREPARED");
    assert_string_equal(cql_error_name(CQL_OK), "OK");
    assert_string_equal(cql_error_name((enum cql_error_code)12345), "UNKNOWN");
    assert_string_equal(cql_error_desc((enum cql_error_code)12345), "unknown error");
    assert_true(cql_error_is_retryable(CQL_ERR_OVERLOADED));
    assert_true(cql_error_is_retryable(CQL_ERR_CONNECTION_CLOSED));
    assert_false(cql_error_is_retryable(CQL_ERR_SYNTAX_ERROR));
    assert_false(cql_error_is_retryable(CQL_ERR_BAD_CREDENTIALS));
    struct cql_error e;
    cql_error_clear(&e);
    e.code = CQL_ERR_INVALID;
    snprintf(e.message, sizeof e.message, "unconfigured table nope");
    snprintf(e.host, sizeof e.host, "127.0.0.1:9042");
    char line[256];
    cql_error_format(&e, line, sizeof line);
    assert_string_equal(
        line, "INVALID (server code 0x2200) from 127.0.0.1:9042: unconfigured table nope");
    enum cql_consistency cl;
    assert_true(cql_consistency_parse("local_quorum", &cl));
    assert_int_equal(cl, CQL_LOCAL_QUORUM);
    assert_false(cql_consistency_parse("most", &cl));
    assert_string_equal(cql_consistency_name(CQL_EACH_QUORUM), "EACH_QUORUM");
}

static void test_events_and_supported(void **state)
{
    (void)state;
    struct up_buf b = UP_BUF_INIT;
    struct cql_event_msg m;
    put_str(&b, "STATUS_CHANGE");
    put_str(&b, "UP");
    cql_put_byte(&b, 4);
    up_buf_append(&b, "\x0a\x00\x00\x02", 4);
    cql_put_int(&b, 9042);
    assert_int_equal(cql_event_parse((const uint8_t *)b.data, b.len, 0, &m), 0);
    assert_int_equal(m.ev.type, CQL_EVENT_STATUS_CHANGE);
    assert_string_equal(m.ev.change, "UP");
    assert_string_equal(m.ev.address, "10.0.0.2:9042");
    cql_event_msg_free(&m);

    up_buf_clear(&b);
    put_str(&b, "SCHEMA_CHANGE");
    put_str(&b, "UPDATED");
    put_str(&b, "TABLE");
    put_str(&b, "ks");
    put_str(&b, "t");
    assert_int_equal(cql_event_parse((const uint8_t *)b.data, b.len, 0, &m), 0);
    assert_int_equal(m.ev.type, CQL_EVENT_SCHEMA_CHANGE);
    assert_string_equal(m.ev.name, "t");
    cql_event_msg_free(&m);

    up_buf_clear(&b);
    put_str(&b, "TOPOLOGY_CHANGE");
    put_str(&b, "NEW_NODE");
    cql_put_byte(&b, 7); /* not an address size */
    assert_int_equal(cql_event_parse((const uint8_t *)b.data, b.len, 0, &m), -1);

    up_buf_clear(&b);
    cql_put_short(&b, 2);
    put_str(&b, "CQL_VERSION");
    cql_put_short(&b, 1);
    put_str(&b, "3.4.7");
    put_str(&b, "COMPRESSION");
    cql_put_short(&b, 2);
    put_str(&b, "snappy");
    put_str(&b, "lz4");
    assert_true(cql_supported_has((const uint8_t *)b.data, b.len, 0, "COMPRESSION", "lz4"));
    assert_false(cql_supported_has((const uint8_t *)b.data, b.len, 0, "COMPRESSION", "zstd"));
    assert_false(cql_supported_has((const uint8_t *)b.data, b.len - 2, 0, "COMPRESSION", "lz4"));
    up_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_rows_hostile),
        cmocka_unit_test(test_rows_no_metadata_and_prefixes),
        cmocka_unit_test(test_other_results),
        cmocka_unit_test(test_prepared_result),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_error_table),
        cmocka_unit_test(test_events_and_supported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
