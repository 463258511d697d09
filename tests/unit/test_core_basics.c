/* Unit tests for core/buf, core/utf8, core/clock and core/backoff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/backoff.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/utf8.h"

#include <stdlib.h>
#include <string.h>

static void test_buf_json_escape(void **state)
{
    (void)state;
    struct up_buf b = UP_BUF_INIT;
    const char in[] = "a\"b\\c\n\x01 é \xff!";
    up_buf_json_escape(&b, in, sizeof in - 1);
    assert_string_equal(b.data, "a\\\"b\\\\c\\n\\u0001 é \xEF\xBF\xBD!");
    up_buf_clear(&b);
    up_buf_printf(&b, "%d-%s", 42, "x");
    assert_string_equal(b.data, "42-x");
    assert_int_equal(b.len, 4);
    up_buf_free(&b);
}

/* Optional text: a JSON string or null; a copy or NULL, with "" kept as it is. */
static void test_buf_optional_strings(void **state)
{
    (void)state;
    struct up_buf b = UP_BUF_INIT;
    up_buf_json_cstring(&b, NULL);
    up_buf_putc(&b, ',');
    up_buf_json_cstring(&b, "a\"b");
    up_buf_putc(&b, ',');
    up_buf_json_string(&b, "xyz", 2);
    up_buf_putc(&b, ',');
    up_buf_json_string(&b, NULL, 5);
    assert_string_equal(b.data, "null,\"a\\\"b\",\"xy\",null");
    up_buf_free(&b);
    assert_null(up_xstrdup_or_null(NULL));
    char *s = up_xstrdup_or_null("");
    assert_string_equal(s, "");
    free(s);
}

static void test_utf8(void **state)
{
    (void)state;
    assert_true(up_utf8_valid("plain", 5));
    assert_true(up_utf8_valid("Jörg ğ đ 😀", strlen("Jörg ğ đ 😀")));
    assert_false(up_utf8_valid("\xC0\xAF", 2));         /* overlong */
    assert_false(up_utf8_valid("\xED\xA0\x80", 3));     /* surrogate */
    assert_false(up_utf8_valid("\xF4\x90\x80\x80", 4)); /* > U+10FFFF */
    assert_false(up_utf8_valid("\xE2\x82", 2));         /* truncated */
    /* the 8-byte ASCII steps: a bad byte in any position after or inside a clean word, and a
     * sequence that straddles a word boundary */
    char text[40];
    for (size_t at = 0; at < 24; at++) {
        memset(text, 'a', sizeof text);
        text[at] = (char)0xFF;
        assert_false(up_utf8_valid(text, sizeof text));
        memcpy(text + at, "\xC3\xA9", 2); /* é */
        assert_true(up_utf8_valid(text, sizeof text));
        memcpy(text + at,
               "\xC3"
               "a",
               2); /* lead byte without its continuation */
        assert_false(up_utf8_valid(text, sizeof text));
    }
}

static void test_iso8601(void **state)
{
    (void)state;
    char out[UP_ISO8601_LEN];
    up_iso8601_format(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00.000Z");
    up_iso8601_format(743161458674LL, out);
    assert_string_equal(out, "1993-07-20T09:44:18.674Z");
    up_iso8601_format(-1, out);
    assert_string_equal(out, "1969-12-31T23:59:59.999Z");
    int64_t ms;
    assert_true(up_iso8601_parse("1993-07-20T09:44:18.674Z", 24, &ms));
    assert_int_equal(ms, 743161458674LL);
    assert_true(up_iso8601_parse("1993-07-20T11:44:18.6744+02:00", 30, &ms));
    assert_int_equal(ms, 743161458674LL);
    assert_true(up_iso8601_parse("2000-02-29T00:00:00Z", 20, &ms));
    assert_false(up_iso8601_parse("2001-02-29T00:00:00Z", 20, &ms));
    assert_false(up_iso8601_parse("1993-07-20 09:44:18Z", 20, &ms));
    assert_false(up_iso8601_parse("1993-07-20T09:44:18", 19, &ms));
    assert_false(up_iso8601_parse("1993-13-20T09:44:18Z", 20, &ms));
    assert_false(up_iso8601_parse("1993-07-20T09:44:18.Z", 21, &ms));
    assert_false(up_iso8601_parse("1993-07-20T09:44:18ZZ", 21, &ms));
}

static void test_backoff(void **state)
{
    (void)state;
    struct up_backoff b;
    up_backoff_init(&b, 100, 1000);
    int64_t prev_cap = 100;
    for (int i = 0; i < 10; i++) {
        int64_t d = up_backoff_next_ms(&b);
        assert_true(d >= prev_cap / 2 && d <= prev_cap);
        prev_cap = prev_cap * 2 > 1000 ? 1000 : prev_cap * 2;
    }
    up_backoff_reset(&b);
    assert_true(up_backoff_next_ms(&b) <= 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_json_escape),
        cmocka_unit_test(test_buf_optional_strings),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_iso8601),
        cmocka_unit_test(test_backoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
