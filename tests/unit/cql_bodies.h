/* cql_bodies: RESULT bodies written by hand from the spec, for the tests of the cql library
 * (test_cql_message.c) and of what prints its results (test_cmd_cql.c). Include after
 * cmocka.h. */
#ifndef UP_TESTS_CQL_BODIES_H
#define UP_TESTS_CQL_BODIES_H

#include "cql/message.h"

#include <string.h>

static void put_str(struct up_buf *b, const char *s)
{
    cql_put_string(b, s, strlen(s));
}

/* A Rows body: global table spec ks.t, columns (id int, name text), the given rows. */
static void rows_body(struct up_buf *b, bool more, int nrows)
{
    cql_put_int(b, CQL_RESULT_ROWS);
    cql_put_int(b, 0x0001 | (more ? 0x0002 : 0));
    cql_put_int(b, 2);
    if (more)
        cql_put_bytes(b, (const uint8_t *)"\x01\x02\x03", 3);
    put_str(b, "ks");
    put_str(b, "t");
    put_str(b, "id");
    cql_put_short(b, CQL_TYPE_INT);
    put_str(b, "name");
    cql_put_short(b, CQL_TYPE_VARCHAR);
    cql_put_int(b, nrows);
    for (int i = 0; i < nrows; i++) {
        cql_put_bytes(b, (const uint8_t *)"\x00\x00\x00\x00", 4);
        b->data[b->len - 1] = (char)(i + 1);
        if (i == 1)
            cql_put_bytes(b, NULL, -1);
        else
            cql_put_bytes(b, (const uint8_t *)"bob", 3);
    }
}

static struct cql_result *parse_ok(const struct up_buf *b, uint8_t flags)
{
    struct cql_result *r;
    struct cql_error err;
    assert_int_equal(cql_result_parse((const uint8_t *)b->data, b->len, flags, &r, &err), 0);
    return r;
}

#endif
