/* libFuzzer target for mapping/convert and the text readers behind it (timestamps, dates,
 * times, durations, varints, decimals, base64). Input: one byte choosing the codec, a CQL type
 * [option] as the protocol writes it (so any nesting of lists, maps, tuples and UDTs), then a
 * JSON text. A conversion either fails with a one-line message and leaves the buffer as it
 * was, or yields bytes the CQL client's own decoder walks to the end: a collection's count of
 * elements, each within the value. The same text read in place, as the mapping path reads a
 * record's members (core/record_json, up_jv_scalar), must convert to the same bytes. */
#include "core/record_json.h"
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

/* The view the mapping path makes of member "v" of {"v": json}: a decoded string, a scalar
 * read where it lies, or the tree; false when the in-place reader refuses the text. */
static bool in_place(const char *json, size_t len, const json_t *tree, struct up_buf *text,
                     struct up_jv *out)
{
    struct up_buf doc = UP_BUF_INIT;
    up_buf_puts(&doc, "{\"v\":");
    up_buf_append(&doc, json, len);
    up_buf_puts(&doc, "}");
    const char *name = "v";
    struct up_rj_field f;
    char err[160];
    const char *why;
    bool ok = up_rj_parse(doc.data, doc.len, &name, 1, &f, text, err, sizeof err) == UP_RJ_OK;
    const char *raw = ok ? doc.data + f.raw_offset : "";
    if (!ok) {
    } else if (f.state == UP_RJ_STRING) {
        *out = (struct up_jv){.kind = UP_JV_STRING, .s = text->data + f.offset, .len = f.length};
    } else if (raw[0] == '{' || raw[0] == '[') {
        up_jv_of_json(tree, out);
    } else {
        ok = up_jv_scalar(raw, f.raw_length, out, &why);
    }
    up_buf_free(&doc);
    return ok;
}

/* Both views of the same JSON convert alike: the same verdict, the same bytes. */
static void check_in_place(const char *json, size_t len, const json_t *v, const cql_data_type *t,
                           const struct up_map_codec *codec, enum up_conv r,
                           const struct up_buf *out)
{
    struct up_buf text = UP_BUF_INIT, out2 = UP_BUF_INIT;
    struct up_jv jv;
    if (json_is_object(v) || json_is_array(v) || !in_place(json, len, v, &text, &jv)) {
        up_buf_free(&text);
        return; /* trees are converted alike by construction; a refusal is jansson's too */
    }
    up_buf_puts(&out2, "x");
    char err[UP_CONV_ERR_LEN] = "";
    enum up_conv r2 = up_convert_value(&jv, t, codec, &out2, err, sizeof err);
    if (r2 != r || out2.len != out->len || memcmp(out2.data, out->data, out->len) != 0)
        abort();
    up_buf_free(&text);
    up_buf_free(&out2);
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
        check_in_place(json, left, v, t, &codec, r, &out);
        up_buf_free(&out);
        json_decref(v);
    }
    char why[128];
    (void)up_convert_supported(t, why, sizeof why);
    cql_data_type_free(t);
    return 0;
}
