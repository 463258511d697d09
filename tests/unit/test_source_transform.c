/* Unit tests for source/transform: every shape of "Things a client meets in the wild"
 * (docs/randomuser-api.md) on hand-written RandomUser 1.4 results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "source/transform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A complete US user as the API sends it (keys in upstream order). */
static const char us_user[] =
    "{\"gender\":\"female\",\"name\":{\"title\":\"Ms\",\"first\":\"Jennie\",\"last\":\"Nichols\"},"
    "\"location\":{\"street\":{\"number\":8929,\"name\":\"Valwood Pkwy\"},\"city\":\"Billings\","
    "\"state\":\"Michigan\",\"country\":\"United States\",\"postcode\":63104,"
    "\"coordinates\":{\"latitude\":\"-69.8246\",\"longitude\":\"134.8719\"},"
    "\"timezone\":{\"offset\":\"+9:30\",\"description\":\"Adelaide, Darwin\"}},"
    "\"email\":\"jennie.nichols@example.com\",\"login\":{\"uuid\":"
    "\"7a0eed16-9430-4d68-901f-c0d4c1c3bf00\",\"username\":\"yellowpeacock117\","
    "\"password\":\"addison\",\"salt\":\"sld1yGtd\",\"md5\":\"ab54ac4c0be9480ae8fa5e9e2a5196a3\","
    "\"sha1\":\"edcf2ce613cbdea349133c52dc2f3b83168dc51b\",\"sha256\":"
    "\"48df5229235ada28389b91e60a935e4f9b73eb4bdb855ef9258a1751f10bdc5d\"},"
    "\"dob\":{\"date\":\"1992-03-08T15:13:16.688Z\",\"age\":30},"
    "\"registered\":{\"date\":\"2007-07-09T05:51:59.390Z\",\"age\":14},"
    "\"phone\":\"(272) 790-0888\",\"cell\":\"(489) 330-2385\","
    "\"id\":{\"name\":\"SSN\",\"value\":\"405-88-3636\"},"
    "\"picture\":{\"large\":\"https://randomuser.me/api/portraits/women/75.jpg\","
    "\"medium\":\"https://randomuser.me/api/portraits/med/women/75.jpg\","
    "\"thumbnail\":\"https://randomuser.me/api/portraits/thumb/women/75.jpg\"},\"nat\":\"US\"}";

static json_t *load(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &e);
    if (!v)
        fail_msg("fixture is not JSON: %s (line %d col %d)", e.text, e.line, e.column);
    return v;
}

/* The US user with one member replaced: path "a.b", value as JSON text ("null" too;
 * NULL deletes the member). */
static json_t *us_with(const char *path, const char *value_json)
{
    json_t *root = load(us_user);
    json_t *parent = root;
    char key[64];
    const char *p = path;
    const char *dot;
    while ((dot = strchr(p, '.'))) {
        snprintf(key, sizeof key, "%.*s", (int)(dot - p), p);
        parent = json_object_get(parent, key);
        assert_non_null(parent);
        p = dot + 1;
    }
    if (value_json)
        json_object_set_new(parent, p, load(value_json));
    else
        json_object_del(parent, p);
    return root;
}

static enum up_transform_reason run(json_t *v, struct up_record *r, char *why, size_t n)
{
    memset(r, 0, sizeof *r);
    enum up_transform_reason res = up_transform_result(v, r, why, n);
    json_decref(v);
    return res;
}

static void expect_ok(json_t *v, struct up_record *r)
{
    char why[256];
    enum up_transform_reason res = run(v, r, why, sizeof why);
    if (res != UP_TRANSFORM_OK)
        fail_msg("rejected (%s): %s", up_transform_reason_code(res), why);
    for (int i = 0; i < UP_RECORD_NFIELDS; i++)
        assert_non_null(r->fields[i]);
}

/* Asserts a rejection with the given reason and a sentence mentioning `mention`. */
static void expect_reject(json_t *v, enum up_transform_reason want, const char *mention)
{
    struct up_record r;
    char why[256];
    enum up_transform_reason res = run(v, &r, why, sizeof why);
    assert_int_equal(res, want);
    for (int i = 0; i < UP_RECORD_NFIELDS; i++)
        assert_null(r.fields[i]);
    if (!strstr(why, mention))
        fail_msg("reason \"%s\" does not mention \"%s\"", why, mention);
}

static void expect_field(json_t *v, enum up_record_field f, const char *want)
{
    struct up_record r;
    expect_ok(v, &r);
    assert_string_equal(r.fields[f], want);
    up_record_free(&r);
}

static void test_full_record_json(void **state)
{
    (void)state;
    struct up_record r;
    expect_ok(load(us_user), &r);
    struct up_buf out = UP_BUF_INIT;
    up_record_to_json(&r, &out);
    assert_string_equal(
        out.data,
        "{\"id\":\"7a0eed16-9430-4d68-901f-c0d4c1c3bf00\",\"first_name\":\"Jennie\","
        "\"last_name\":\"Nichols\",\"gender\":\"female\",\"address\":\"8929 Valwood Pkwy, "
        "Billings, Michigan, United States\",\"post_code\":\"63104\",\"email\":"
        "\"jennie.nichols@example.com\",\"username\":\"yellowpeacock117\",\"dob\":"
        "\"1992-03-08T15:13:16.688Z\",\"registered_date\":\"2007-07-09T05:51:59.390Z\","
        "\"phone\":\"(272) 790-0888\",\"picture\":"
        "\"https://randomuser.me/api/portraits/med/women/75.jpg\",\"nat\":\"US\"}");
    up_buf_free(&out);
    up_record_free(&r);
}

static void test_postcode_number_or_string(void **state)
{
    (void)state;
    expect_field(us_with("location.postcode", "2600"), UP_FIELD_post_code, "2600"); /* AU */
    expect_field(us_with("location.postcode", "200"), UP_FIELD_post_code, "200");   /* AU 3 */
    expect_field(us_with("location.postcode", "\"CE2 7FA\""), UP_FIELD_post_code, "CE2 7FA");
    expect_field(us_with("location.postcode", "\"K1A 0B1\""), UP_FIELD_post_code, "K1A 0B1");
    expect_field(us_with("location.postcode", "\"0150\""), UP_FIELD_post_code, "0150"); /* NO */
    expect_field(us_with("location.postcode", "\"4642 RG\""), UP_FIELD_post_code, "4642 RG");
    expect_field(us_with("location.postcode", "79704"), UP_FIELD_post_code, "79704"); /* NL */
    expect_field(us_with("location.postcode", "12345.0"), UP_FIELD_post_code, "12345");
    expect_field(us_with("location.postcode", "null"), UP_FIELD_post_code, "");
    expect_reject(us_with("location.postcode", "[1]"), UP_TRANSFORM_WRONG_TYPE,
                  "location.postcode");
}

static void test_id_value_never_trusted(void **state)
{
    (void)state;
    /* IR, NZ, TR, UA: {"name": "", "value": null}; FI: garbage; or no id at all. */
    expect_field(us_with("id", "{\"name\":\"\",\"value\":null}"), UP_FIELD_id,
                 "7a0eed16-9430-4d68-901f-c0d4c1c3bf00");
    expect_field(us_with("id", "{\"name\":\"HETU\",\"value\":\"NaNNA573undefined\"}"), UP_FIELD_id,
                 "7a0eed16-9430-4d68-901f-c0d4c1c3bf00");
    expect_field(us_with("id", "{\"name\":\"X\",\"value\":6353291855}"), UP_FIELD_id,
                 "7a0eed16-9430-4d68-901f-c0d4c1c3bf00");
    expect_field(us_with("id", NULL), UP_FIELD_nat, "US");
}

static void test_fields_missing_under_inc_exc(void **state)
{
    (void)state;
    /* inc=login,name,dob,registered: the text fields absent -> "" (the record always has
     * every field). */
    struct up_record r;
    expect_ok(load("{\"name\":{\"first\":\"Ada\",\"last\":\"Byron\"},"
                   "\"login\":{\"uuid\":\"1ECF3DC9-0F4E-4C54-9D69-2B0B7E3B4A1C\"},"
                   "\"dob\":{\"date\":\"1944-08-25T00:00:00.000Z\"},"
                   "\"registered\":{\"date\":\"2022-05-23T22:16:29.000Z\"}}"),
              &r);
    assert_string_equal(r.fields[UP_FIELD_id], "1ecf3dc9-0f4e-4c54-9d69-2b0b7e3b4a1c");
    assert_string_equal(r.fields[UP_FIELD_first_name], "Ada");
    assert_string_equal(r.fields[UP_FIELD_address], "");
    assert_string_equal(r.fields[UP_FIELD_post_code], "");
    assert_string_equal(r.fields[UP_FIELD_dob], "1944-08-25T00:00:00.000Z");
    assert_string_equal(r.fields[UP_FIELD_email], "");
    assert_string_equal(r.fields[UP_FIELD_picture], "");
    assert_string_equal(r.fields[UP_FIELD_nat], "");
    up_record_free(&r);
    /* exc=location parts: the address keeps what is there. */
    expect_field(us_with("location.street", NULL), UP_FIELD_address,
                 "Billings, Michigan, United States");
    expect_field(us_with("location.state", NULL), UP_FIELD_address,
                 "8929 Valwood Pkwy, Billings, United States");
    expect_field(us_with("location.street.number", NULL), UP_FIELD_address,
                 "Valwood Pkwy, Billings, Michigan, United States");
    expect_field(us_with("location", NULL), UP_FIELD_address, "");
    /* The dates are timestamps downstream: without them the result is dead-lettered. */
    expect_reject(us_with("dob", NULL), UP_TRANSFORM_MISSING_FIELD, "dob.date");
    expect_reject(us_with("registered.date", "null"), UP_TRANSFORM_MISSING_FIELD,
                  "registered.date");
    expect_field(us_with("name.first", "null"), UP_FIELD_first_name, "");
}

static void test_names_and_places_kept(void **state)
{
    (void)state;
    expect_field(us_with("name.first", "\"Hans J\\u00f6rg\""), UP_FIELD_first_name, "Hans Jörg");
    expect_field(us_with("name.last", "\"O'Connor\""), UP_FIELD_last_name, "O'Connor");
    expect_field(us_with("name.last", "\"van 't Hek\""), UP_FIELD_last_name, "van 't Hek");
    expect_field(us_with("name.first", "\"\xd9\x86\xd8\xa7\xd8\xb2\xd9\x86\xdb\x8c\xd9\x86\""),
                 UP_FIELD_first_name, "نازنین");
    expect_field(us_with("location.city", "\"Đakovica\""), UP_FIELD_address,
                 "8929 Valwood Pkwy, Đakovica, Michigan, United States");
    /* Upstream street names can end in a space; the address does not carry it. */
    expect_field(us_with("location.street.name", "\"Rua Sete de Setembro \""), UP_FIELD_address,
                 "8929 Rua Sete de Setembro, Billings, Michigan, United States");
    expect_field(us_with("location.street.number", "\"12b\""), UP_FIELD_address,
                 "12b Valwood Pkwy, Billings, Michigan, United States");
    /* API 1.0-1.2: street was one string. */
    expect_field(us_with("location.street", "\"8929 valwood pkwy\""), UP_FIELD_address,
                 "8929 valwood pkwy, Billings, Michigan, United States");
    /* CA and UA phones carry capital letters upstream. */
    expect_field(us_with("phone", "\"H47 X86-2452\""), UP_FIELD_phone, "H47 X86-2452");
    expect_field(us_with("phone", "\"(099) R90-8000\""), UP_FIELD_phone, "(099) R90-8000");
    /* Titles are not part of the record: CH French titles change nothing. */
    expect_field(us_with("name.title", "\"Mademoiselle\""), UP_FIELD_first_name, "Jennie");
}

static void test_dates_normalised(void **state)
{
    (void)state;
    expect_field(us_with("dob.date", "\"1993-07-20T09:44:18Z\""), UP_FIELD_dob,
                 "1993-07-20T09:44:18.000Z");
    expect_field(us_with("dob.date", "\"1993-07-20T11:44:18.674+02:00\""), UP_FIELD_dob,
                 "1993-07-20T09:44:18.674Z");
    expect_field(us_with("dob.date", "\"1993-07-20T09:44:18.6749Z\""), UP_FIELD_dob,
                 "1993-07-20T09:44:18.674Z");
    expect_field(us_with("registered.date", "\"2002-03-21T00:00:00.000-0500\""),
                 UP_FIELD_registered_date, "2002-03-21T05:00:00.000Z");
    expect_reject(us_with("dob.date", "\"20/07/1993\""), UP_TRANSFORM_BAD_DATE, "dob.date");
    expect_reject(us_with("registered.date", "\"2002-13-01T00:00:00Z\""), UP_TRANSFORM_BAD_DATE,
                  "registered.date");
    expect_reject(us_with("dob.date", "743161458674"), UP_TRANSFORM_WRONG_TYPE, "dob.date");
    expect_reject(us_with("dob", "\"1993\""), UP_TRANSFORM_WRONG_TYPE, "dob is a string");
}

static void test_uuid_rules(void **state)
{
    (void)state;
    expect_field(us_with("login.uuid", "\"7A0EED16-9430-4D68-901F-C0D4C1C3BF00\""), UP_FIELD_id,
                 "7a0eed16-9430-4d68-901f-c0d4c1c3bf00");
    expect_field(us_with("login.uuid", "\"7a0eed1694304d68901fc0d4c1c3bf00\""), UP_FIELD_id,
                 "7a0eed16-9430-4d68-901f-c0d4c1c3bf00");
    expect_field(us_with("login.uuid", "\"{7a0eed16-9430-4d68-901f-c0d4c1c3bf00}\""), UP_FIELD_id,
                 "7a0eed16-9430-4d68-901f-c0d4c1c3bf00");
    expect_reject(us_with("login.uuid", NULL), UP_TRANSFORM_MISSING_ID, "login.uuid");
    expect_reject(us_with("login", NULL), UP_TRANSFORM_MISSING_ID, "login.uuid");
    expect_reject(us_with("login.uuid", "\"\""), UP_TRANSFORM_MISSING_ID, "login.uuid");
    expect_reject(us_with("login.uuid", "\"not-a-uuid\""), UP_TRANSFORM_BAD_ID, "not-a-uuid");
    expect_reject(us_with("login.uuid", "\"7a0eed16-9430-4d68-901f-c0d4c1c3bf0g\""),
                  UP_TRANSFORM_BAD_ID, "login.uuid");
    expect_reject(us_with("login.uuid", "\"7a0eed16a9430-4d68-901f-c0d4c1c3bf00\""),
                  UP_TRANSFORM_BAD_ID, "login.uuid");
    expect_reject(us_with("login.uuid", "42"), UP_TRANSFORM_WRONG_TYPE, "login.uuid");
    expect_reject(us_with("login", "\"x\""), UP_TRANSFORM_WRONG_TYPE, "login is a string");
}

static void test_wrong_types(void **state)
{
    (void)state;
    expect_reject(load("[1,2]"), UP_TRANSFORM_NOT_OBJECT, "an array");
    expect_reject(load("\"user\""), UP_TRANSFORM_NOT_OBJECT, "a string");
    expect_reject(us_with("name", "\"Jennie Nichols\""), UP_TRANSFORM_WRONG_TYPE, "name");
    expect_reject(us_with("name.first", "7"), UP_TRANSFORM_WRONG_TYPE, "name.first");
    expect_reject(us_with("gender", "true"), UP_TRANSFORM_WRONG_TYPE, "gender");
    expect_reject(us_with("phone", "5551234"), UP_TRANSFORM_WRONG_TYPE, "phone");
    expect_reject(us_with("picture", "[]"), UP_TRANSFORM_WRONG_TYPE, "picture");
    expect_reject(us_with("location.street.number", "{}"), UP_TRANSFORM_WRONG_TYPE,
                  "location.street.number");
    expect_reject(us_with("location.street", "17"), UP_TRANSFORM_WRONG_TYPE, "location.street");
    struct up_record r;
    memset(&r, 0, sizeof r);
    assert_int_equal(up_transform_result(NULL, &r, NULL, 0), UP_TRANSFORM_NOT_OBJECT);
}

static void test_oversize_field(void **state)
{
    (void)state;
    size_t n = UP_TRANSFORM_MAX_FIELD + 1;
    char *big = malloc(n + 3);
    big[0] = '"';
    memset(big + 1, 'a', n);
    big[n + 1] = '"';
    big[n + 2] = '\0';
    expect_reject(us_with("email", big), UP_TRANSFORM_TOO_LONG, "email");
    big[n] = '"';
    big[n + 1] = '\0'; /* exactly the limit: accepted */
    expect_field(us_with("email", big), UP_FIELD_nat, "US");
    /* Each part within the limit, the address over it. */
    expect_reject(us_with("location.city", big), UP_TRANSFORM_TOO_LONG, "address");
    free(big);
}

static void test_reason_codes(void **state)
{
    (void)state;
    assert_string_equal(up_transform_reason_code(UP_TRANSFORM_OK), "ok");
    assert_string_equal(up_transform_reason_code(UP_TRANSFORM_MISSING_ID), "missing_id");
    assert_string_equal(up_transform_reason_code(UP_TRANSFORM_BAD_ID), "bad_uuid");
    assert_string_equal(up_transform_reason_code(UP_TRANSFORM_TOO_LONG), "field_too_long");
    assert_string_equal(up_transform_reason_code(UP_TRANSFORM_NREASONS), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_record_json),
        cmocka_unit_test(test_postcode_number_or_string),
        cmocka_unit_test(test_id_value_never_trusted),
        cmocka_unit_test(test_fields_missing_under_inc_exc),
        cmocka_unit_test(test_names_and_places_kept),
        cmocka_unit_test(test_dates_normalised),
        cmocka_unit_test(test_uuid_rules),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_oversize_field),
        cmocka_unit_test(test_reason_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
