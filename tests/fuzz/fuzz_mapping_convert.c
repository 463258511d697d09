/* libFuzzer target for mapping/convert and the text readers behind it (timestamps, dates,
 * times, durations, varints, decimals, base64). Input: one byte choosing the codec, a CQL type
 * [option] as the protocol writes it (so any nesting of lists, maps, tuples and UDTs), then a
 * JSON text. A conversion either fails with a one-line message and leaves the buffer as it
 * was, or yields bytes the CQL client's own decoder walks to the end: a collection's count of
 * elements, each within the value. */
#include "cql/types.h"
#include "mapping/convert.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct cql_value *v, unsigned depth)
{
    struct cql_iter it;
    if (depth > 20 || cql_value_iter_init(v, &it) != CQL_OK)
        return;
    struct cql_value e;
    while (cql_iter_next(&it, &e))
        if (e.type && !cql_value_is_null(&e))
            walk(&e, depth + 1);
    if (it.index != it.count || it.pos != it.end)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    struct up_map_codec codec;
    up_map_codec_default(&codec);
    codec.timestamp = (enum up_ts_format)(data[0] % 3);
    codec.unit = (enum up_time_unit)((data[0] >> 2) % 7);
    codec.tz_offset_s = (int32_t)((data[0] >> 5) * 1800) - 3600;
    struct cql_cursor c;
    cql_cursor_init(&c, data + 1, size - 1);
    struct cql_data_type *t = cql_data_type_parse(&c, 0);
    if (!t)
        return 0;
    size_t left = cql_cursor_left(&c);
    const char *json = (const char *)data + size - left;
    json_error_t jerr;
    json_t *v = json_loadb(json, left, JSON_DECODE_ANY, &jerr);
    if (v) {
        struct up_buf out = UP_BUF_INIT;
        up_buf_puts(&out, "x");
        char err[UP_CONV_ERR_LEN] = "";
        enum up_conv r = up_convert_json(v, t, &codec, &out, err, sizeof err);
        if (r == UP_CONV_OK) {
            struct cql_value cv = {t, (const uint8_t *)out.data + 1, (int32_t)(out.len - 1)};
            walk(&cv, 0);
            struct up_buf printed = UP_BUF_INIT;
            cql_value_print(&cv, CQL_PRINT_CQLSH, &printed);
            up_buf_free(&printed);
        } else if (out.len != 1 || (r == UP_CONV_ERROR && !err[0])) {
            abort();
        }
        up_buf_free(&out);
        json_decref(v);
    }
    char why[128];
    (void)up_convert_supported(t, why, sizeof why);
    cql_data_type_free(t);
    return 0;
}
