/* Unit tests for gen/query: every parameter, percent-decoding, bounds and the
 * 400 cases where upstream is silently lenient. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gen/gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse(const char *q, struct up_gen_params *p, char *err)
{
    err[0] = '\0';
    return up_gen_query_parse(q, strlen(q), p, err, 256);
}

static void expect_ok(const char *q, struct up_gen_params *p)
{
    char err[256];
    if (parse(q, p, err) != 0)
        fail_msg("'%s' rejected: %s", q, err);
}

static void expect_error(const char *q, const char *mentions)
{
    struct up_gen_params p;
    char err[256];
    if (parse(q, &p, err) == 0)
        fail_msg("'%s' accepted", q);
    if (!strstr(err, mentions))
        fail_msg("'%s': error '%s' does not mention '%s'", q, err, mentions);
}

static void test_defaults(void **state)
{
    (void)state;
    struct up_gen_params p;
    expect_ok("", &p);
    assert_int_equal(p.results, 1);
    assert_int_equal(p.page, 1);
    assert_string_equal(p.seed, "");
    assert_int_equal(p.gender, UP_GEN_ANY);
    assert_int_equal(p.nats, 0);
    assert_int_equal(p.fields, UP_GEN_FIELDS_ALL);
    assert_int_equal(p.format, UP_GEN_JSON);
    assert_int_equal(p.password.charsets, 0);
    assert_false(p.noinfo);
    assert_false(p.dl);
    assert_string_equal(p.callback, "");
}

static void test_every_parameter(void **state)
{
    (void)state;
    struct up_gen_params p;
    expect_ok("results=5000&page=10000&seed=my%20seed%C3%A9&gender=FEMALE&nat=us,GB,%20fr&"
              "inc=name,email,nat&exc=email&password=upper,number,6-12&format=YAML&noinfo&dl",
              &p);
    assert_int_equal(p.results, 5000);
    assert_int_equal(p.page, 10000);
    assert_string_equal(p.seed, "my seedé");
    assert_int_equal(p.gender, UP_GEN_FEMALE);
    assert_int_equal(p.nats, (1u << UP_NAT_US) | (1u << UP_NAT_GB) | (1u << UP_NAT_FR));
    assert_int_equal(p.fields, UP_GEN_F(NAME) | UP_GEN_F(NAT));
    assert_int_equal(p.password.charsets, UP_GEN_PW_UPPER | UP_GEN_PW_NUMBER);
    assert_int_equal(p.password.min_len, 6);
    assert_int_equal(p.password.max_len, 12);
    assert_int_equal(p.format, UP_GEN_YAML);
    assert_true(p.noinfo);
    assert_true(p.dl);

    expect_ok("callback=jQuery123_cb.done&format=pretty&password=special,20&seed=a+b", &p);
    assert_string_equal(p.callback, "jQuery123_cb.done");
    assert_int_equal(p.format, UP_GEN_PRETTY);
    assert_int_equal(p.password.charsets, UP_GEN_PW_SPECIAL);
    assert_int_equal(p.password.min_len, 20);
    assert_int_equal(p.password.max_len, 20);
    assert_string_equal(p.seed, "a b");

    expect_ok("password=lower&fmt=csv&gender=male", &p);
    assert_int_equal(p.password.charsets, UP_GEN_PW_LOWER);
    assert_int_equal(p.password.min_len, 8);
    assert_int_equal(p.password.max_len, 64);
    assert_int_equal(p.format, UP_GEN_CSV);
    assert_int_equal(p.gender, UP_GEN_MALE);

    /* the 21 nationalities, any case */
    expect_ok("nat=au,br,ca,ch,de,dk,es,fi,fr,gb,ie,in,ir,mx,nl,no,nz,rs,tr,ua,us", &p);
    assert_int_equal(p.nats, (1u << UP_NAT_COUNT) - 1);
}

static void test_lenient_cases_we_keep(void **state)
{
    (void)state;
    struct up_gen_params p;
    /* unknown parameters, empty values and repeated parameters */
    expect_ok("results=3&_=1699999999&utm_source=x&&gender=&nat=&format=&seed=", &p);
    assert_int_equal(p.results, 3);
    assert_int_equal(p.gender, UP_GEN_ANY);
    assert_int_equal(p.nats, 0);
    expect_ok("results=3&results=7", &p);
    assert_int_equal(p.results, 7);
    expect_ok("noinfo=0&dl=false", &p); /* presence is what counts, as upstream */
    assert_true(p.noinfo && p.dl);
    expect_ok("inc=", &p);
    assert_int_equal(p.fields, UP_GEN_FIELDS_ALL);
    expect_ok("inc=Name,GENDER", &p);
    assert_int_equal(p.fields, UP_GEN_F(NAME) | UP_GEN_F(GENDER));
    /* a parameter name longer than any known one is skipped, not an error */
    char longkey[200];
    memset(longkey, 'k', 100);
    snprintf(longkey + 100, 100, "=1&results=2");
    expect_ok(longkey, &p);
    assert_int_equal(p.results, 2);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("results=0", "results");
    expect_error("results=5001", "results");
    expect_error("results=abc", "results");
    expect_error("results=-1", "results");
    expect_error("results=", "results");
    expect_error("results=99999999999999999999", "results");
    expect_error("page=0", "page");
    expect_error("page=10001", "page");
    expect_error("gender=other", "gender");
    expect_error("nat=xx", "nat");
    expect_error("nat=us,usa", "nat");
    expect_error("inc=name,age", "age");
    expect_error("exc=foo", "foo");
    expect_error("inc=name&exc=name", "no field");
    expect_error("password=upper,0", "password");
    expect_error("password=upper,65", "password");
    expect_error("password=upper,10-5", "minimum");
    expect_error("password=digits,8", "digits");
    expect_error("password=8-10", "password");
    expect_error("format=html", "format");
    expect_error("callback=alert(1)", "callback");
    expect_error("callback=1abc", "callback");
    expect_error("callback=cb&format=csv", "JSON only");
    expect_error("seed=%00", "NUL");
    expect_error("seed=%01abc", "seed");
    expect_error("seed=%C2%85", "seed");    /* C1 control */
    expect_error("seed=%FF%FE", "seed");    /* not UTF-8 */
    expect_error("seed=%EF%BF%BF", "seed"); /* U+FFFF */
    expect_error("seed=%zz", "percent");
    expect_error("seed=%4", "percent");
    expect_error("results=1%", "percent");
    expect_error("re%G1ults=1", "percent");
}

static void test_bounds(void **state)
{
    (void)state;
    struct up_gen_params p;
    char q[9000];
    /* a 256-byte seed is fine, 257 is not */
    memcpy(q, "seed=", 5);
    memset(q + 5, 's', 256);
    q[5 + 256] = '\0';
    expect_ok(q, &p);
    assert_int_equal(strlen(p.seed), 256);
    q[5 + 256] = 's';
    q[5 + 257] = '\0';
    expect_error(q, "seed");
    /* a value past the decode buffer */
    memset(q + 5, 'v', 2000);
    q[2005] = '\0';
    expect_error(q, "longer");
    /* the whole query string */
    memset(q, 'x', 8500);
    q[8500] = '\0';
    expect_error(q, "query string");
    /* the parser never reads past len: a query cut in the middle of an escape */
    char err[256];
    const char *cut = "results=2&seed=%41%42";
    assert_int_equal(up_gen_query_parse(cut, strlen(cut) - 1, &p, err, sizeof err), -1);
    assert_int_equal(up_gen_query_parse(cut, 17, &p, err, sizeof err), -1); /* "...=%4" */
    assert_int_equal(up_gen_query_parse(cut, 18, &p, err, sizeof err), 0);  /* "...=%41" */
    assert_string_equal(p.seed, "A");
    assert_int_equal(up_gen_query_parse(cut, 9, &p, err, sizeof err), 0); /* "results=2" */
    assert_int_equal(p.results, 2);
}

static void test_respond_errors_are_json(void **state)
{
    (void)state;
    struct up_buf body = UP_BUF_INIT;
    struct up_gen_reply r;
    const char *q = "results=9999";
    up_gen_respond(q, strlen(q), 0, &body, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.content_type, "application/json; charset=utf-8");
    assert_int_equal(r.users, 0);
    assert_memory_equal(body.data, "{\"error\":\"results: expected", 27);
    up_buf_free(&body);
    q = "results=2&dl&format=xml";
    up_gen_respond(q, strlen(q), 0, &body, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.filename, "users.xml");
    assert_int_equal(r.users, 2);
    up_buf_free(&body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_parameter),
        cmocka_unit_test(test_lenient_cases_we_keep),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_respond_errors_are_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
