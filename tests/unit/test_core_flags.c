/* Unit tests for core/flags: precedence, types, bounds, errors, help. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/flags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct demo_opts {
    struct up_common_opts common;
    char *source;
    long long count;
    double ratio;
    int64_t duration_ms;
    int64_t max_bytes;
    bool verbose;
    char *name;
};

/* A .check rule: no spaces. */
static int no_spaces(const char *value, char *err, size_t errlen)
{
    if (!strchr(value, ' '))
        return 0;
    snprintf(err, errlen, "'%s' has a space", value);
    return -1;
}

static const struct up_flag demo_flags[] = {
    {.name = "source",
     .short_name = 's',
     .type = UP_FLAG_STRING,
     .value_name = "URL",
     .def = "http://x/",
     .help = "where",
     .offset = offsetof(struct demo_opts, source)},
    {.name = "count",
     .short_name = 'n',
     .type = UP_FLAG_INT,
     .value_name = "N",
     .def = "10",
     .help = "how many",
     .offset = offsetof(struct demo_opts, count),
     .min = 1,
     .max = 1000},
    {.name = "ratio",
     .type = UP_FLAG_DOUBLE,
     .value_name = "R",
     .def = "0.5",
     .help = "share",
     .offset = offsetof(struct demo_opts, ratio)},
    {.name = "duration",
     .type = UP_FLAG_DURATION,
     .value_name = "D",
     .def = "60s",
     .help = "how long",
     .offset = offsetof(struct demo_opts, duration_ms)},
    {.name = "max-bytes",
     .type = UP_FLAG_SIZE,
     .value_name = "SIZE",
     .def = "1MiB",
     .help = "cap",
     .offset = offsetof(struct demo_opts, max_bytes)},
    {.name = "verbose",
     .short_name = 'v',
     .type = UP_FLAG_BOOL,
     .help = "talk",
     .offset = offsetof(struct demo_opts, verbose)},
    {.name = "name",
     .type = UP_FLAG_STRING,
     .value_name = "NAME",
     .def = "plain",
     .help = "a checked string",
     .offset = offsetof(struct demo_opts, name),
     .check = no_spaces},
    UP_FLAGS_LOG(struct demo_opts),
    UP_FLAGS_KAFKA(struct demo_opts),
};

static const struct up_command_spec demo_spec = {
    "demo", "[FILE]", "A demo command.", NULL, demo_flags, UP_NFLAGS(demo_flags), 0, 1};

static int parse(struct demo_opts *o, int argc, char **argv, char ***args, int *nargs)
{
    memset(o, 0, sizeof *o);
    return up_flags_parse(&demo_spec, o, argc, argv, args, nargs);
}

static void test_defaults(void **state)
{
    (void)state;
    struct demo_opts o;
    char *argv[] = {"demo"};
    char **args;
    int n;
    assert_int_equal(parse(&o, 1, argv, &args, &n), UP_FLAGS_OK);
    assert_string_equal(o.source, "http://x/");
    assert_int_equal(o.count, 10);
    assert_int_equal(o.duration_ms, 60000);
    assert_int_equal(o.max_bytes, 1048576);
    assert_false(o.verbose);
    assert_string_equal(o.common.brokers, "127.0.0.1:9092");
    assert_string_equal(o.common.log_format, "text");
    assert_int_equal(n, 0);
    free(args);
    up_flags_free(&demo_spec, &o);
}

static void test_env_then_argv(void **state)
{
    (void)state;
    setenv("USERPIPE_COUNT", "20", 1);
    setenv("USERPIPE_MAX_BYTES", "64k", 1);
    setenv("USERPIPE_KAFKA_PROPERTY", "a=1;b=2", 1);
    struct demo_opts o;
    char *argv[] = {"demo", "--count=30", "-X", "c=3", "--verbose", "file.txt", "-sfoo"};
    char **args;
    int n;
    assert_int_equal(parse(&o, 7, argv, &args, &n), UP_FLAGS_OK);
    assert_int_equal(o.count, 30);                 /* argv beats env */
    assert_int_equal(o.max_bytes, 65536);          /* env beats default */
    assert_int_equal(o.common.kafka_props.len, 1); /* argv list replaces env list */
    assert_string_equal(o.common.kafka_props.items[0], "c=3");
    assert_true(o.verbose);
    assert_string_equal(o.source, "foo");
    assert_int_equal(n, 1);
    assert_string_equal(args[0], "file.txt");
    free(args);
    up_flags_free(&demo_spec, &o);
    unsetenv("USERPIPE_COUNT");
    unsetenv("USERPIPE_MAX_BYTES");

    char *argv2[] = {"demo"};
    assert_int_equal(parse(&o, 1, argv2, &args, &n), UP_FLAGS_OK);
    assert_int_equal(o.common.kafka_props.len, 2);
    assert_string_equal(o.common.kafka_props.items[1], "b=2");
    free(args);
    up_flags_free(&demo_spec, &o);
    unsetenv("USERPIPE_KAFKA_PROPERTY");
}

static void expect_usage(int argc, char **argv)
{
    struct demo_opts o;
    char **args;
    int n;
    assert_int_equal(parse(&o, argc, argv, &args, &n), UP_FLAGS_USAGE);
    free(args);
    up_flags_free(&demo_spec, &o);
}

static void test_errors(void **state)
{
    (void)state;
    expect_usage(2, (char *[]){"demo", "--nope"});
    expect_usage(2, (char *[]){"demo", "-q"});
    expect_usage(2, (char *[]){"demo", "--count"});
    expect_usage(2, (char *[]){"demo", "--count=abc"});
    expect_usage(2, (char *[]){"demo", "--count=0"});    /* below min */
    expect_usage(2, (char *[]){"demo", "--count=5000"}); /* above max */
    expect_usage(2, (char *[]){"demo", "--duration=soon"});
    expect_usage(2, (char *[]){"demo", "--max-bytes=-1"});
    expect_usage(2, (char *[]){"demo", "--log-format=xml"});
    expect_usage(2, (char *[]){"demo", "--verbose=maybe"});
    expect_usage(3, (char *[]){"demo", "a", "b"}); /* too many args */
    setenv("USERPIPE_RATIO", "lots", 1);
    expect_usage(1, (char *[]){"demo"});
    unsetenv("USERPIPE_RATIO");
    /* a .check rule, from argv and from the environment */
    expect_usage(2, (char *[]){"demo", "--name=a b"});
    setenv("USERPIPE_NAME", "a b", 1);
    expect_usage(1, (char *[]){"demo"});
    unsetenv("USERPIPE_NAME");
    struct demo_opts o;
    char **args;
    int n;
    assert_int_equal(parse(&o, 2, (char *[]){"demo", "--name=ab"}, &args, &n), UP_FLAGS_OK);
    assert_string_equal(o.name, "ab");
    free(args);
    up_flags_free(&demo_spec, &o);
}

static void test_help_and_negation(void **state)
{
    (void)state;
    struct demo_opts o;
    char **args;
    int n;
    char *argv[] = {"demo", "--count=3", "--help"};
    assert_int_equal(parse(&o, 3, argv, &args, &n), UP_FLAGS_HELP);
    free(args);
    up_flags_free(&demo_spec, &o);
    char *argv2[] = {"demo", "-v", "--no-verbose", "--", "--count"};
    assert_int_equal(parse(&o, 5, argv2, &args, &n), UP_FLAGS_OK);
    assert_false(o.verbose);
    assert_int_equal(n, 1);
    assert_string_equal(args[0], "--count");
    free(args);
    up_flags_free(&demo_spec, &o);
}

/* --since / --until of verify and redrive: a bad time is a usage error when parsed. */
static void test_time(void **state)
{
    (void)state;
    int64_t ms;
    char err[160];
    assert_true(up_parse_time_ms("1796669828000", &ms));
    assert_int_equal(ms, 1796669828000LL);
    assert_true(up_parse_time_ms("2026-12-07T17:00:00Z", &ms));
    assert_int_equal(ms, 1796662800000LL);
    assert_false(up_parse_time_ms("yesterday", &ms));
    assert_false(up_parse_time_ms("-5", &ms));
    assert_false(up_parse_time_ms("2026-13-01T00:00:00Z", &ms));
    assert_int_equal(up_flag_time_check("yesterday", err, sizeof err), -1);
    assert_non_null(strstr(err, "'yesterday' is not an ISO 8601 date-time"));
    assert_int_equal(up_flag_time_check("2026-12-07T17:00:00+01:00", err, sizeof err), 0);
    assert_int_equal(up_flag_time_value(NULL), -1);
    assert_int_equal(up_flag_time_value(""), -1);
    assert_int_equal(up_flag_time_value("42"), 42);
}

static void test_duration_and_size(void **state)
{
    (void)state;
    int64_t v;
    assert_true(up_parse_duration_ms("250ms", &v));
    assert_int_equal(v, 250);
    assert_true(up_parse_duration_ms("1.5s", &v));
    assert_int_equal(v, 1500);
    assert_true(up_parse_duration_ms("5m", &v));
    assert_int_equal(v, 300000);
    assert_true(up_parse_duration_ms("2", &v));
    assert_int_equal(v, 2000);
    assert_false(up_parse_duration_ms("", &v));
    assert_false(up_parse_duration_ms("5 parsecs", &v));
    assert_false(up_parse_duration_ms("-1s", &v));
    assert_true(up_parse_size("16MiB", &v));
    assert_int_equal(v, 16 * 1048576);
    assert_true(up_parse_size("512", &v));
    assert_int_equal(v, 512);
    assert_false(up_parse_size("1Q", &v));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_env_then_argv),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_help_and_negation),
        cmocka_unit_test(test_duration_and_size),
        cmocka_unit_test(test_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
