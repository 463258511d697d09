/* Unit tests for the command side of Cassandra: cmd/cql_printer (cqlsh table, NDJSON, CSV,
 * display widths) on hand-written RESULT bodies, and the password rule of cmd/cql_cli. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cmd/cql_cli.h"
#include "cmd/cql_printer.h"
#include "cql_bodies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- printer ----------------------------------------------------------------------------- */

static char *print_rows(enum cql_output_format fmt, int pages)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    struct cql_printer *p = cql_printer_new(fmt, f);
    for (int i = 0; i < pages; i++) {
        struct up_buf b = UP_BUF_INIT;
        rows_body(&b, i + 1 < pages, 2);
        struct cql_result *r = parse_ok(&b, 0);
        cql_printer_add(p, r);
        cql_result_free(r);
        up_buf_free(&b);
    }
    cql_printer_finish(p);
    cql_printer_free(p);
    fclose(f);
    return text;
}

static void test_printer(void **state)
{
    (void)state;
    char *t = print_rows(CQL_OUTPUT_TABLE, 2);
    assert_string_equal(t, "\n"
                           " id | name\n"
                           "----+------\n"
                           "  1 |  bob\n"
                           "  2 | null\n"
                           "  1 |  bob\n"
                           "  2 | null\n"
                           "\n"
                           "(4 rows)\n");
    free(t);
    t = print_rows(CQL_OUTPUT_JSON, 1);
    assert_string_equal(t, "{\"id\":1,\"name\":\"bob\"}\n{\"id\":2,\"name\":null}\n");
    free(t);
    t = print_rows(CQL_OUTPUT_CSV, 1);
    assert_string_equal(t, "id,name\n1,bob\n2,\n");
    free(t);
    /* no rows: cqlsh still shows the header */
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    struct cql_printer *p = cql_printer_new(CQL_OUTPUT_TABLE, f);
    struct up_buf b = UP_BUF_INIT;
    rows_body(&b, false, 0);
    struct cql_result *r = parse_ok(&b, 0);
    cql_printer_add(p, r);
    cql_printer_finish(p);
    fclose(f);
    assert_string_equal(text, "\n id | name\n----+------\n\n(0 rows)\n");
    free(text);
    cql_result_free(r);
    cql_printer_free(p);
    up_buf_free(&b);
    assert_int_equal(cql_display_width("h\xC3\xA9llo", 6), 5);
    assert_int_equal(cql_display_width("\xE6\x97\xA5\xE6\x9C\xAC", 6), 4); /* 日本 */
}

/* ---- password rule ----------------------------------------------------------------------- */

static void test_password_rule(void **state)
{
    (void)state;
    char pw[CQL_PASSWORD_MAX], err[512];
    char path[] = "/tmp/test_cql_pwXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "s3cret\nignored\n", 15), 15);
    close(fd);
    chmod(path, 0600);
    unsetenv("USERPIPE_CASSANDRA_PASSWORD");
    assert_int_equal(cql_cli_password("app", path, pw, sizeof pw, err, sizeof err), 0);
    assert_string_equal(pw, "s3cret");
    chmod(path, 0640);
    assert_int_equal(cql_cli_password("app", path, pw, sizeof pw, err, sizeof err), -1);
    assert_non_null(strstr(err, "chmod 600"));
    chmod(path, 0604);
    assert_int_equal(cql_cli_password("app", path, pw, sizeof pw, err, sizeof err), -1);
    unlink(path);
    assert_int_equal(cql_cli_password("app", path, pw, sizeof pw, err, sizeof err), -1);
    setenv("USERPIPE_CASSANDRA_PASSWORD", "fromenv", 1);
    assert_int_equal(cql_cli_password("app", NULL, pw, sizeof pw, err, sizeof err), 0);
    assert_string_equal(pw, "fromenv");
    unsetenv("USERPIPE_CASSANDRA_PASSWORD");
    assert_int_equal(cql_cli_password("cassandra", NULL, pw, sizeof pw, err, sizeof err), 0);
    assert_string_equal(pw, "cassandra");
    assert_int_equal(cql_cli_password("app", NULL, pw, sizeof pw, err, sizeof err), 0);
    assert_string_equal(pw, "");
    /* no password: no credentials are offered at all */
    struct cql_cli_opts o = {.cassandra = "127.0.0.1:9042", .user = "app"};
    struct cql_config cfg;
    assert_int_equal(cql_cli_config(&o, &cfg, pw, sizeof pw, err, sizeof err), 0);
    assert_null(cfg.user);
    assert_null(cfg.password);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_printer),
        cmocka_unit_test(test_password_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
