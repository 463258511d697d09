/* Unit tests for stream/validate: one good record, then every reject reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "stream/validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "users_record_fixture.h"

static enum up_reject check(const char *key, const char *value, size_t len, char *detail)
{
    struct up_row row;
    enum up_reject r = up_validate_record(key, key ? strlen(key) : 0, value, len, 4096, &row,
                                          detail, UP_REJECT_DETAIL_LEN);
    if (r == UP_REJECT_NONE)
        up_row_free(&row);
    return r;
}

static enum up_reject check_field(const char *field, const char *json, char *detail)
{
    char *v = record_with(field, json);
    enum up_reject r = check(ID, v, strlen(v), detail);
    free(v);
    return r;
}

static void test_good_record(void **state)
{
    (void)state;
    char *v = record_with(NULL, NULL);
    struct up_row row;
    char detail[UP_REJECT_DETAIL_LEN] = "x";
    assert_int_equal(up_validate_record(ID, 36, v, strlen(v), 4096, &row, detail, sizeof detail),
                     UP_REJECT_NONE);
    assert_string_equal(detail, "");
    assert_string_equal(row.rec.fields[UP_FIELD_id], ID);
    assert_string_equal(row.rec.fields[UP_FIELD_first_name], "Zoë");
    assert_string_equal(row.rec.fields[UP_FIELD_address],
                        "12 Rue d'Alésia, Paris, Île-de-France, France");
    assert_int_equal(row.id[0], 0x0b);
    assert_int_equal(row.id[15], 0x6b);
    assert_int_equal(row.dob_ms, 476251506789LL);
    assert_int_equal(row.registered_ms, 1433664550111LL);
    up_row_free(&row);

    /* Extra fields are ignored; escapes decode (a surrogate pair to one 4-byte sequence). */
    char *extra = record_with("nat", "\"F\\u0052\",\"future_field\":[1,2]");
    assert_int_equal(up_validate_record(ID, 36, extra, strlen(extra), 4096, &row, NULL, 0),
                     UP_REJECT_NONE);
    assert_string_equal(row.rec.fields[UP_FIELD_nat], "FR");
    up_row_free(&row);
    free(extra);
    char *emoji = record_with("last_name", "\"\\ud83d\\ude00 \\\"q\\\" \\/\\t\"");
    assert_int_equal(up_validate_record(ID, 36, emoji, strlen(emoji), 4096, &row, NULL, 0),
                     UP_REJECT_NONE);
    assert_string_equal(row.rec.fields[UP_FIELD_last_name], "\xF0\x9F\x98\x80 \"q\" /\t");
    up_row_free(&row);
    free(emoji);
    free(v);
}

static void test_size_and_encoding(void **state)
{
    (void)state;
    char detail[UP_REJECT_DETAIL_LEN];
    assert_int_equal(check(ID, NULL, 0, detail), UP_REJECT_EMPTY);
    assert_int_equal(check(ID, "", 0, detail), UP_REJECT_EMPTY);

    char *v = record_with(NULL, NULL);
    size_t len = strlen(v);
    struct up_row row;
    assert_int_equal(up_validate_record(ID, 36, v, len, len - 1, &row, detail, sizeof detail),
                     UP_REJECT_OVERSIZE);
    assert_non_null(strstr(detail, "limit"));
    assert_int_equal(up_validate_record(ID, 36, v, len, len, &row, detail, sizeof detail),
                     UP_REJECT_NONE);
    up_row_free(&row);
    free(v);

    assert_int_equal(check_field("last_name", "\"O\xC0\xAFN\"", detail), UP_REJECT_INVALID_UTF8);
    assert_int_equal(check_field("last_name", "\"\xED\xA0\x80\"", detail), UP_REJECT_INVALID_UTF8);
    assert_int_equal(check_field("last_name", "\"a\xFF\"", detail), UP_REJECT_INVALID_UTF8);
    assert_non_null(strstr(detail, "byte"));
}

static void test_malformed(void **state)
{
    (void)state;
    char detail[UP_REJECT_DETAIL_LEN];
    const char *bad[] = {"{",
                         "{\"id\":}",
                         "not json",
                         "{\"id\":\"x\"} trailing",
                         "{'id':1}",
                         "{\"a\":1,}",
                         "[1,]",
                         "   ",
                         "{\"a\":01}",
                         "{\"a\":-}",
                         "{\"a\":1.}",
                         "{\"a\":1e}",
                         "{\"a\":tru}",
                         "{\"a\":\"x\\q\"}",
                         "{\"a\":\"\x01\"}",
                         "{\"a\":\"\\udc00\"}",
                         "{\"a\":\"\\ud800x\"}",
                         "{\"a\" 1}",
                         "{\"a\":1 \"b\":2}",
                         "\"unterminated",
                         "{\"id\":\"x\",\"id\":\"y\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(check(ID, bad[i], strlen(bad[i]), detail), UP_REJECT_MALFORMED_JSON);
    assert_non_null(strstr(detail, "duplicate"));
    /* Deeply nested values in an unknown member: fine up to 128 levels, refused beyond. */
    char deep[600];
    for (int depth = 100; depth <= 200; depth += 100) {
        int n = snprintf(deep, sizeof deep, "{\"x\":");
        for (int i = 0; i < depth; i++)
            deep[n++] = '[';
        for (int i = 0; i < depth; i++)
            deep[n++] = ']';
        deep[n++] = '}';
        assert_int_equal(check(ID, deep, (size_t)n, detail),
                         depth == 100 ? UP_REJECT_MISSING_FIELD : UP_REJECT_MALFORMED_JSON);
    }
    /* Duplicates among members nobody reads do not matter; any JSON may sit in them. */
    const char *fine = "{\"a\":1,\"a\":[true,false,null,-0.5e+3,{\"b\":\"\\ud83d\\ude00\"}]}";
    assert_int_equal(check(ID, fine, strlen(fine), detail), UP_REJECT_MISSING_FIELD);
    /* An escaped NUL or a lone surrogate is not a usable string. */
    assert_int_equal(check_field("email", "\"a\\u0000b\"", detail), UP_REJECT_MALFORMED_JSON);
    assert_int_equal(check_field("email", "\"\\ud800\"", detail), UP_REJECT_MALFORMED_JSON);
    /* Duplicate of a record field. */
    char *dup = record_with("nat", "\"FR\",\"id\":\"" ID "\"");
    assert_int_equal(check(ID, dup, strlen(dup), detail), UP_REJECT_MALFORMED_JSON);
    free(dup);

    const char *shapes[] = {"[]", "\"str\"", "42", "null", "true"};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        assert_int_equal(check(ID, shapes[i], strlen(shapes[i]), detail), UP_REJECT_NOT_OBJECT);
}

static void test_every_field_required_and_string(void **state)
{
    (void)state;
    char detail[UP_REJECT_DETAIL_LEN];
    for (int i = 0; i < UP_RECORD_NFIELDS; i++) {
        const char *name = up_record_field_names[i];
        assert_int_equal(check_field(name, NULL, detail), UP_REJECT_MISSING_FIELD);
        assert_non_null(strstr(detail, name));
        const char *wrong[] = {"null", "42", "{}", "[\"x\"]", "false"};
        for (size_t k = 0; k < sizeof wrong / sizeof wrong[0]; k++) {
            assert_int_equal(check_field(name, wrong[k], detail), UP_REJECT_WRONG_TYPE);
            assert_non_null(strstr(detail, name));
        }
    }
}

static void test_uuid_and_key(void **state)
{
    (void)state;
    char detail[UP_REJECT_DETAIL_LEN];
    const char *bad[] = {
        "\"0B6D3C52-4F3E-4E0A-9A52-1C2D3E4F5A6B\"", /* upper case */
        "\"0b6d3c524f3e4e0a9a521c2d3e4f5a6b\"",     /* no dashes */
        "\"{0b6d3c52-4f3e-4e0a-9a52-1c2d3e4f5a6b}\"",
        "\"0b6d3c52-4f3e-4e0a-9a52-1c2d3e4f5a6\"",   /* short */
        "\"0b6d3c52-4f3e-4e0a-9a52-1c2d3e4f5a6bb\"", /* long */
        "\"0b6d3c52-4f3e-4e0a-9a52+1c2d3e4f5a6b\"",  /* wrong separator */
        "\"0b6d3c52-4f3e-4e0a-9a5g-1c2d3e4f5a6b\"",  /* not hex */
        "\"\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(check_field("id", bad[i], detail), UP_REJECT_BAD_UUID);

    char *v = record_with(NULL, NULL);
    assert_int_equal(check(NULL, v, strlen(v), detail), UP_REJECT_KEY_MISMATCH);
    assert_non_null(strstr(detail, "no key"));
    assert_int_equal(check("0b6d3c52-4f3e-4e0a-9a52-1c2d3e4f5a6c", v, strlen(v), detail),
                     UP_REJECT_KEY_MISMATCH);
    assert_int_equal(check("", v, strlen(v), detail), UP_REJECT_KEY_MISMATCH);
    assert_int_equal(check("k\x01\xff", v, strlen(v), detail), UP_REJECT_KEY_MISMATCH);
    for (const char *p = detail; *p; p++) /* details stay printable */
        assert_true(*p >= 0x20 && *p <= 0x7e);
    free(v);

    uint8_t id[16];
    assert_true(up_uuid_parse_canonical("00000000-0000-0000-0000-000000000000", 36, id));
    assert_true(up_uuid_parse_canonical("ffffffff-ffff-ffff-ffff-ffffffffffff", 36, id));
    assert_int_equal(id[7], 0xff);
    const uint8_t want[16] = {0x0b, 0x6d, 0x3c, 0x52, 0x4f, 0x3e, 0x4e, 0x0a,
                              0x9a, 0x52, 0x1c, 0x2d, 0x3e, 0x4f, 0x5a, 0x6c};
    assert_true(up_uuid_parse_canonical("0b6d3c52-4f3e-4e0a-9a52-1c2d3e4f5a6c", 36, id));
    assert_memory_equal(id, want, 16);
    const char *bad_ids[] = {
        "0B6d3c52-4f3e-4e0a-9a52-1c2d3e4f5a6c", /* uppercase */
        "0b6d3c52-4f3e-4e0a-9a52-1c2d3e4f5a6C", /* uppercase, last digit */
        "0b6d3c524-f3e-4e0a-9a52-1c2d3e4f5a6c", /* dash moved */
        "0b6d3c52-4f3e-4e0a-9a52-1c2d3e4f5a6g", /* not hex */
        "0b6d3c52-4f3e-4e0a-9a52_1c2d3e4f5a6c", /* not a dash */
        "0b6d3c52-4f3e-4e0a-9a52-1c2d3e4f5a6",  /* short */
        "0b6d3c52-4f3e-4e0a-9a52-1c2d3e4f"
        "\x00"
        "5a6c", /* NUL */
    };
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++)
        assert_false(up_uuid_parse_canonical(bad_ids[i], 36, id));
}

static void test_dates(void **state)
{
    (void)state;
    char detail[UP_REJECT_DETAIL_LEN];
    const char *bad[] = {"\"1985-02-30T00:00:00.000Z\"", "\"1985-02-03\"", "\"yesterday\"",
                         "\"1985-02-03T04:05:06.789\"", "\"\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(check_field("dob", bad[i], detail), UP_REJECT_BAD_DATE);
        assert_non_null(strstr(detail, "dob"));
        assert_int_equal(check_field("registered_date", bad[i], detail), UP_REJECT_BAD_DATE);
    }
    struct up_row row;
    char *v = record_with("dob", "\"1985-02-03T06:05:06.789+02:00\"");
    assert_int_equal(up_validate_record(ID, 36, v, strlen(v), 4096, &row, NULL, 0), UP_REJECT_NONE);
    assert_int_equal(row.dob_ms, 476251506789LL);
    up_row_free(&row);
    free(v);
}

static void test_reason_table(void **state)
{
    (void)state;
    assert_string_equal(up_reject_name(UP_REJECT_MISSING_FIELD), "missing_field");
    assert_string_equal(up_reject_name(UP_REJECT_COUNT), "unknown");
    for (int i = 0; i < UP_REJECT_COUNT; i++) {
        assert_non_null(up_reject_description((enum up_reject)i));
        for (int k = 0; k < i; k++)
            assert_string_not_equal(up_reject_name((enum up_reject)i),
                                    up_reject_name((enum up_reject)k));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_record),  cmocka_unit_test(test_size_and_encoding),
        cmocka_unit_test(test_malformed),    cmocka_unit_test(test_every_field_required_and_string),
        cmocka_unit_test(test_uuid_and_key), cmocka_unit_test(test_dates),
        cmocka_unit_test(test_reason_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
