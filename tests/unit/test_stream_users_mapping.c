/* Unit tests for stream/users_mapping: the built-in mapping's columns, and its rules giving the
 * users record's verdicts (stream/validate.h) on the same inputs: the same reason, the same
 * detail line, and for a good record the same id and dates as the validator's row. The rules
 * are run here as mapping/plan runs them (bytes, then the value read once for the columns'
 * names, then each column with a rule, in column order). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/record.h"
#include "stream/users_mapping.h"
#include "stream/validate.h"
#include "users_record_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct up_users_mapping users;

static int setup(void **state)
{
    (void)state;
    struct up_users_mapping_config cfg = {.topic = "users_queue",
                                          .keyspace = "profiles",
                                          .table = "users",
                                          .consistency = CQL_LOCAL_QUORUM,
                                          .max_record_bytes = 4096};
    up_users_mapping_init(&users, &cfg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    up_users_mapping_free(&users);
    return 0;
}

/* What the mapping path makes of key/value: the reason (UP_REJECT_NONE when stored), the detail,
 * and the id and dates its rules serialized. */
struct verdict {
    enum up_reject reason;
    char detail[256];
    uint8_t id[16];
    int64_t dob_ms, registered_ms;
};

static int64_t be64(const char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | (unsigned char)p[i];
    return (int64_t)v;
}

static struct verdict run_rules(const char *key, const char *value, size_t len)
{
    const struct up_map_rules *rules = users.mapping.rules;
    const struct up_map_table *t = &users.mapping.tables[0];
    struct up_map_record r = {.topic = "users_queue",
                              .key = key,
                              .key_len = key ? strlen(key) : 0,
                              .value = value,
                              .value_len = len,
                              .timestamp_ms = 1};
    struct verdict out = {.reason = UP_REJECT_NONE};
    struct up_map_reject rej = {0};
    const char *names[UP_RECORD_NFIELDS];
    size_t n = 0;
    for (size_t i = 0; i < t->ncols; i++)
        if (t->cols[i].source == UP_MAP_VALUE)
            names[n++] = t->cols[i].path[0];
    struct up_rj_field fields[UP_RECORD_NFIELDS];
    struct up_buf text = UP_BUF_INIT, bytes = UP_BUF_INIT;
    char why[200] = "";
    int rc = rules->record(rules->ctx, &r, &rej);
    if (rc == 0) {
        enum up_rj_status st = up_rj_parse(value, len, names, n, fields, &text, why, sizeof why);
        rc = rules->value(rules->ctx, st, why, names, fields, n, &rej);
    }
    for (size_t i = 0, f = 0; rc == 0 && i < t->ncols; i++) {
        if (t->cols[i].source != UP_MAP_VALUE)
            continue;
        size_t k = f++;
        if (!t->cols[i].rule)
            continue;
        struct up_jv v = {
            .kind = UP_JV_STRING, .s = text.data + fields[k].offset, .len = fields[k].length};
        up_buf_clear(&bytes);
        rc = rules->column(rules->ctx, t->cols[i].rule, &v, &r, &bytes, &rej);
        if (rc == 0 && strcmp(names[k], "id") == 0) {
            assert_int_equal(bytes.len, 16);
            memcpy(out.id, bytes.data, 16);
        } else if (rc == 0) {
            assert_int_equal(bytes.len, 8);
            *(strcmp(names[k], "dob") == 0 ? &out.dob_ms : &out.registered_ms) = be64(bytes.data);
        }
    }
    if (rc != 0) {
        out.reason = (enum up_reject)rej.code;
        assert_string_equal(rej.reason, up_reject_name(out.reason));
        snprintf(out.detail, sizeof out.detail, "%s", rej.detail);
    }
    up_buf_free(&text);
    up_buf_free(&bytes);
    return out;
}

/* The mapping's verdict equals the validator's on key/value. */
static void assert_same(const char *key, const char *value, size_t len)
{
    struct up_row row;
    char detail[UP_REJECT_DETAIL_LEN + 80];
    enum up_reject want = up_validate_record(key, key ? strlen(key) : 0, value, len, 4096, &row,
                                             detail, sizeof detail);
    struct verdict got = run_rules(key, value, len);
    assert_string_equal(up_reject_name(got.reason), up_reject_name(want));
    if (want != UP_REJECT_NONE) {
        assert_string_equal(got.detail, detail);
        return;
    }
    assert_memory_equal(got.id, row.id, 16);
    assert_int_equal(got.dob_ms, row.dob_ms);
    assert_int_equal(got.registered_ms, row.registered_ms);
    up_row_free(&row);
}

static void assert_same_field(const char *key, const char *field, const char *json)
{
    char *v = record_with(field, json);
    assert_same(key, v, strlen(v));
    free(v);
}

static void test_columns(void **state)
{
    (void)state;
    const struct up_mapping *m = &users.mapping;
    assert_int_equal(m->ntopics, 1);
    assert_string_equal(m->topics[0].name, "users_queue");
    assert_int_equal(m->ntables, 1);
    const struct up_map_table *t = &m->tables[0];
    assert_string_equal(t->keyspace, "profiles");
    assert_string_equal(t->table, "users");
    assert_int_equal(t->consistency, CQL_LOCAL_QUORUM);
    assert_int_equal(t->ncols, UP_RECORD_NFIELDS + 1);
    for (int i = 0; i < UP_RECORD_NFIELDS; i++) {
        assert_string_equal(t->cols[i].column, up_record_field_names[i]);
        assert_int_equal(t->cols[i].source, UP_MAP_VALUE);
        assert_string_equal(t->cols[i].path[0], up_record_field_names[i]);
        bool checked = i == UP_FIELD_id || i == UP_FIELD_dob || i == UP_FIELD_registered_date;
        assert_int_equal(t->cols[i].rule != 0, checked);
    }
    assert_string_equal(t->cols[UP_RECORD_NFIELDS].column, "ingested_at");
    assert_int_equal(t->cols[UP_RECORD_NFIELDS].source, UP_MAP_RECORD_TIMESTAMP);
    assert_int_equal(t->timestamp_col, -1); /* the write time is the record's */
    assert_false(t->deletes_enabled);
}

static void test_good(void **state)
{
    (void)state;
    assert_same_field(ID, NULL, NULL);
    assert_same_field(ID, "gender", "\"f\\u00e9\\n\"");
    assert_same_field(ID, "registered_date", "\"2015-06-07T08:09:10.111+02:00\"");
}

static void test_bytes(void **state)
{
    (void)state;
    assert_same(ID, NULL, 0);
    assert_same(ID, "", 0);
    char big[5000];
    memset(big, ' ', sizeof big);
    assert_same(ID, big, sizeof big);
    assert_same_field(ID, "last_name", "\"O\xC0\xAFN\"");
    assert_same_field(ID, "last_name", "\"a\xFF\"");
}

static void test_shape(void **state)
{
    (void)state;
    const char *bad[] = {"{",  "not json", "{\"id\":\"x\"} trailing",     "[1,]", "[]",
                         "42", "null",     "{\"id\":\"x\",\"id\":\"y\"}", "{}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_same(ID, bad[i], strlen(bad[i]));
    for (int i = 0; i < UP_RECORD_NFIELDS; i++) {
        assert_same_field(ID, up_record_field_names[i], NULL);
        assert_same_field(ID, up_record_field_names[i], "null");
        assert_same_field(ID, up_record_field_names[i], "42");
        assert_same_field(ID, up_record_field_names[i], "{}");
    }
    assert_same_field(ID, "nat", "\"FR\",\"id\":\"" ID "\"");
}

static void test_id_key_dates(void **state)
{
    (void)state;
    assert_same_field(ID, "id", "\"0B6D3C52-4F3E-4E0A-9A52-1C2D3E4F5A6B\"");
    assert_same_field(ID, "id", "\"\"");
    assert_same_field(NULL, NULL, NULL);
    assert_same_field("", NULL, NULL);
    assert_same_field("0b6d3c52-4f3e-4e0a-9a52-1c2d3e4f5a6c", NULL, NULL);
    assert_same_field(ID, "dob", "\"yesterday\"");
    assert_same_field(ID, "registered_date", "\"2015-13-07T08:09:10Z\"");
    assert_same_field(ID, "dob", "\"1985-02-03\"");
    /* Two bad fields: the first rule in the record's order names it, as the validator does. */
    char *v = record_with("dob", "\"x\",\"zz\":1");
    assert_same("0b6d3c52-4f3e-4e0a-9a52-1c2d3e4f5a6c", v, strlen(v));
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns),      cmocka_unit_test(test_good),
        cmocka_unit_test(test_bytes),        cmocka_unit_test(test_shape),
        cmocka_unit_test(test_id_key_dates),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
