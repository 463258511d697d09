/* libFuzzer target: the RESULT / ERROR / EVENT body parsers and the value printers.
 * Input: one flags byte (tracing/warning/payload prefixes), then a message body. Every
 * parsed cell is decoded and printed in every style; collections are walked. A second pass
 * reads the input as a type [option] followed by a value of that type. */
#include "cql/message.h"
#include "cmd/cql_printer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static void exercise_value(const struct cql_value *v, struct up_buf *out, unsigned depth)
{
    static const enum cql_print_style styles[] = {CQL_PRINT_CQLSH, CQL_PRINT_JSON, CQL_PRINT_TEXT};
    for (size_t s = 0; s < 3; s++) {
        up_buf_clear(out);
        cql_value_print(v, styles[s], out);
    }
    int64_t i64;
    double d;
    struct cql_uuid u;
    uint8_t addr[16];
    size_t alen;
    (void)cql_value_get_int64(v, &i64);
    (void)cql_value_get_double(v, &d);
    (void)cql_value_get_uuid(v, &u);
    (void)cql_value_get_inet(v, addr, &alen);
    struct cql_iter it;
    struct cql_value e;
    if (depth < 4 && cql_value_iter_init(v, &it) == CQL_OK)
        while (cql_iter_next(&it, &e))
            exercise_value(&e, out, depth + 1);
}

static void exercise_result(const struct cql_result *r, struct up_buf *out)
{
    for (size_t row = 0; row < cql_result_row_count(r); row++)
        for (size_t col = 0; col < cql_result_column_count(r); col++) {
            struct cql_value v = cql_result_cell(r, row, col);
            exercise_value(&v, out, 0);
        }
    for (size_t col = 0; col < cql_result_column_count(r); col++) {
        up_buf_clear(out);
        cql_data_type_format(cql_result_column_type(r, col), out);
    }
    FILE *sink = fopen("/dev/null", "w");
    if (sink) {
        struct cql_printer *p = cql_printer_new(CQL_OUTPUT_TABLE, sink);
        cql_printer_add(p, r);
        cql_printer_finish(p);
        cql_printer_free(p);
        fclose(sink);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t flags = data[0];
    const uint8_t *body = data + 1;
    size_t len = size - 1;
    struct up_buf out = UP_BUF_INIT;
    struct cql_result *r;
    struct cql_error err;
    if (cql_result_parse(body, len, flags, &r, &err) == 0) {
        exercise_result(r, &out);
        cql_result_free(r);
    }
    const uint8_t *id;
    size_t id_len;
    (void)cql_error_parse(body, len, flags, &err, &id, &id_len);
    struct cql_event_msg ev;
    if (cql_event_parse(body, len, flags, &ev) == 0)
        cql_event_msg_free(&ev);
    (void)cql_supported_has(body, len, flags, "COMPRESSION", "lz4");
    /* a type, then a value of it */
    struct cql_cursor c;
    cql_cursor_init(&c, body, len);
    struct cql_data_type *t = cql_data_type_parse(&c, 0);
    if (t) {
        struct cql_value v = {t, c.p, (int32_t)cql_cursor_left(&c)};
        exercise_value(&v, &out, 0);
        cql_data_type_free(t);
    }
    up_buf_free(&out);
    return 0;
}
