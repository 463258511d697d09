/* libFuzzer target for stream/validate and core/record_json.
 * 1. up_validate_record on any key and value gives either a row whose fields are valid
 *    UTF-8 and whose id equals the key, or a known reject reason with a printable detail.
 * 2. Differential: up_rj_parse must agree with jansson (JSON_DECODE_ANY |
 *    JSON_REJECT_DUPLICATES) on every valid-UTF-8 input: the same verdict (object / other
 *    value / malformed) and, for an object, the same state and bytes for every record field,
 *    and a span (raw_offset, raw_length) that jansson reads as the same value.
 *    Known, documented differences are allowed: we refuse nesting beyond 128 levels (jansson
 *    allows 2048); jansson refuses integers and reals that overflow its C types and duplicate
 *    keys in members we do not read, which we accept. Inputs with a NUL byte are not
 *    compared: jansson ends the text there.
 * Input layout: first byte = key length (mod 64, capped at what remains), key, value. */
#include "core/buf.h"
#include "core/utf8.h"
#include "core/record_json.h"
#include "stream/validate.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_validate(const uint8_t *key, size_t key_len, const uint8_t *value,
                           size_t value_len)
{
    struct up_row row;
    char detail[UP_REJECT_DETAIL_LEN];
    enum up_reject r =
        up_validate_record(key, key_len, value, value_len, 16384, &row, detail, sizeof detail);
    if (r == UP_REJECT_NONE) {
        if (key_len != 36 || memcmp(key, row.rec.fields[UP_FIELD_id], 36) != 0)
            abort();
        for (int i = 0; i < UP_RECORD_NFIELDS; i++)
            if (!up_utf8_valid(row.rec.fields[i], strlen(row.rec.fields[i])))
                abort();
        up_row_free(&row);
        return;
    }
    if (r >= UP_REJECT_COUNT)
        abort();
    for (const char *p = detail; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            abort();
}

/* jansson's verdict is allowed to be stricter than ours only for these reasons. */
static bool jansson_only_strictness(const char *why)
{
    return strstr(why, "duplicate") || strstr(why, "too big") || strstr(why, "overflow");
}

/* A member's span (what the mapping path reads further) is exactly its value's JSON text. */
static void check_span(const char *s, const struct up_rj_field *f, const json_t *v)
{
    json_error_t jerr;
    json_t *again = json_loadb(s + f->raw_offset, f->raw_length, JSON_DECODE_ANY, &jerr);
    if (!again || !json_equal(again, v))
        abort();
    json_decref(again);
}

static void check_against_jansson(const char *s, size_t len)
{
    struct up_rj_field f[UP_RECORD_NFIELDS];
    struct up_buf text = UP_BUF_INIT;
    char why[200] = "";
    enum up_rj_status ours =
        up_rj_parse(s, len, up_record_field_names, UP_RECORD_NFIELDS, f, &text, why, sizeof why);
    json_error_t jerr;
    json_t *j = json_loadb(s, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    if (!j) {
        if (ours != UP_RJ_MALFORMED && !jansson_only_strictness(jerr.text))
            abort();
    } else if (ours == UP_RJ_MALFORMED) {
        if (!strstr(why, "nesting"))
            abort();
    } else if ((ours == UP_RJ_OK) != json_is_object(j)) {
        abort();
    } else if (ours == UP_RJ_OK) {
        for (int i = 0; i < UP_RECORD_NFIELDS; i++) {
            json_t *v = json_object_get(j, up_record_field_names[i]);
            enum up_rj_member want = !v                  ? UP_RJ_ABSENT
                                     : json_is_string(v) ? UP_RJ_STRING
                                                         : UP_RJ_OTHER;
            if (f[i].state != want)
                abort();
            if (want == UP_RJ_STRING &&
                (f[i].length != json_string_length(v) ||
                 memcmp(text.data + f[i].offset, json_string_value(v), f[i].length) != 0))
                abort();
            if (want != UP_RJ_ABSENT)
                check_span(s, &f[i], v);
        }
    }
    json_decref(j);
    up_buf_free(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t key_len = data[0] % 64;
    if (key_len > size - 1)
        key_len = size - 1;
    const uint8_t *key = data + 1;
    size_t value_len = size - 1 - key_len;
    /* Copy the value so ASan catches any read past its end. */
    uint8_t *value = malloc(value_len ? value_len : 1);
    memcpy(value, key + key_len, value_len);
    check_validate(key, key_len, value, value_len);
    /* jansson stops reading at a NUL byte (it reads "3<NUL>" as 3): no oracle for those. */
    if (up_utf8_valid((const char *)value, value_len) && !memchr(value, 0, value_len))
        check_against_jansson((const char *)value, value_len);
    free(value);
    return 0;
}
