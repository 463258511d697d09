/* stream/validate: key + JSON value -> struct up_row, or the reason it is rejected. */
#include "stream/validate.h"

#include "core/clock.h"
#include "core/utf8.h"
#include "core/hex.h"
#include "core/record_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    const char *description;
} reject_table[UP_REJECT_COUNT] = {
#define UP_REJECT_ROW(name, text, desc) {text, desc},
    UP_REJECT_REASONS(UP_REJECT_ROW)
#undef UP_REJECT_ROW
};

const char *up_reject_name(enum up_reject r)
{
    return (unsigned)r < UP_REJECT_COUNT ? reject_table[r].name : "unknown";
}

const char *up_reject_description(enum up_reject r)
{
    return (unsigned)r < UP_REJECT_COUNT ? reject_table[r].description : "unknown reason";
}

/* Writes a detail line; returns r so callers can `return reject(...)`. */
__attribute__((format(printf, 4, 5))) static enum up_reject
reject(enum up_reject r, char *detail, size_t detail_len, const char *fmt, ...)
{
    if (detail && detail_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, detail_len, fmt, ap);
        va_end(ap);
        /* Details may quote input: keep them printable ASCII for logs and headers. */
        for (char *p = detail; *p; p++)
            if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
                *p = '?';
    }
    return r;
}

/* An excerpt of untrusted text for a detail line: at most 40 bytes. */
static int excerpt_len(size_t len)
{
    return len > 40 ? 40 : (int)len;
}

bool up_uuid_parse_canonical(const char *s, size_t len, uint8_t out[16])
{
    return up_uuid_parse(s, len, out, true);
}

enum up_reject up_validate_bytes(const char *value, size_t len, size_t max_bytes, char *detail,
                                 size_t dl)
{
    if (!value || len == 0)
        return reject(UP_REJECT_EMPTY, detail, dl, "message value is null or empty");
    if (len > max_bytes)
        return reject(UP_REJECT_OVERSIZE, detail, dl, "value is %zu bytes, limit %zu", len,
                      max_bytes);
    if (!up_utf8_valid(value, len)) {
        size_t at = 0;
        while (at < len) {
            size_t n = up_utf8_sequence_len((const unsigned char *)value + at, len - at);
            if (n == 0)
                break;
            at += n;
        }
        return reject(UP_REJECT_INVALID_UTF8, detail, dl, "invalid UTF-8 at byte %zu", at);
    }
    return UP_REJECT_NONE;
}

enum up_reject up_validate_shape(enum up_rj_status st, const char *why, const char *const *names,
                                 const struct up_rj_field *fields, size_t n, char *detail,
                                 size_t dl)
{
    switch (st) {
    case UP_RJ_MALFORMED:
        return reject(UP_REJECT_MALFORMED_JSON, detail, dl, "%s", why);
    case UP_RJ_NOT_OBJECT:
        return reject(UP_REJECT_NOT_OBJECT, detail, dl, "top-level JSON value is not an object");
    case UP_RJ_OK:
        break;
    }
    for (size_t i = 0; i < n; i++) {
        if (fields[i].state == UP_RJ_ABSENT)
            return reject(UP_REJECT_MISSING_FIELD, detail, dl, "field '%s' is missing", names[i]);
        if (fields[i].state == UP_RJ_OTHER)
            return reject(UP_REJECT_WRONG_TYPE, detail, dl, "field '%s' is not a string", names[i]);
    }
    return UP_REJECT_NONE;
}

/* The JSON shape: one object, every field present and a string. */
static enum up_reject check_json(const char *value, size_t len, struct up_rj_field *fields,
                                 struct up_buf *text, char *detail, size_t dl)
{
    char why[UP_REJECT_DETAIL_LEN];
    enum up_rj_status st = up_rj_parse(value, len, up_record_field_names, UP_RECORD_NFIELDS, fields,
                                       text, why, sizeof why);
    return up_validate_shape(st, why, up_record_field_names, fields, UP_RECORD_NFIELDS, detail, dl);
}

enum up_reject up_validate_id(const char *s, size_t len, const char *key, size_t key_len,
                              uint8_t out[16], char *detail, size_t dl)
{
    if (!up_uuid_parse_canonical(s, len, out))
        return reject(UP_REJECT_BAD_UUID, detail, dl, "id '%.*s' is not a canonical lowercase UUID",
                      excerpt_len(len), s);
    if (!key)
        return reject(UP_REJECT_KEY_MISMATCH, detail, dl, "message has no key; id is '%s'", s);
    if (key_len != len || memcmp(key, s, len) != 0)
        return reject(UP_REJECT_KEY_MISMATCH, detail, dl, "key '%.*s' differs from id '%s'",
                      excerpt_len(key_len), key, s);
    return UP_REJECT_NONE;
}

enum up_reject up_validate_date(const char *name, const char *s, size_t len, int64_t *ms,
                                char *detail, size_t dl)
{
    if (!up_iso8601_parse(s, len, ms))
        return reject(UP_REJECT_BAD_DATE, detail, dl, "%s '%.*s' is not an ISO 8601 date-time",
                      name, excerpt_len(len), s);
    return UP_REJECT_NONE;
}

enum up_reject up_validate_record(const void *key, size_t key_len, const void *value,
                                  size_t value_len, size_t max_bytes, struct up_row *out,
                                  char *detail, size_t detail_len)
{
    struct up_rj_field f[UP_RECORD_NFIELDS];
    struct up_buf text = UP_BUF_INIT; /* every field, NUL-terminated, back to back */
    struct up_row row;
    memset(&row, 0, sizeof row);
    enum up_reject r = up_validate_bytes(value, value_len, max_bytes, detail, detail_len);
    if (r == UP_REJECT_NONE) {
        /* Decoded fields are never longer than the JSON they come from: one allocation for a
         * typical record instead of a realloc per doubling; capped, as the block lives as long
         * as the record is in flight. */
        up_buf_reserve(&text, value_len < 2048 ? value_len : 2048);
        r = check_json(value, value_len, f, &text, detail, detail_len);
    }
    if (r == UP_REJECT_NONE) {
        for (int i = 0; i < UP_RECORD_NFIELDS; i++)
            row.rec.fields[i] = text.data + f[i].offset;
        const char *const *v = (const char *const *)row.rec.fields;
        r = up_validate_id(v[UP_FIELD_id], f[UP_FIELD_id].length, key, key_len, row.id, detail,
                           detail_len);
        if (r == UP_REJECT_NONE)
            r = up_validate_date("dob", v[UP_FIELD_dob], f[UP_FIELD_dob].length, &row.dob_ms,
                                 detail, detail_len);
        if (r == UP_REJECT_NONE)
            r = up_validate_date("registered_date", v[UP_FIELD_registered_date],
                                 f[UP_FIELD_registered_date].length, &row.registered_ms, detail,
                                 detail_len);
    }
    if (r != UP_REJECT_NONE) {
        up_buf_free(&text);
        return r;
    }
    row.storage = text.data; /* the fields point into it; up_row_free frees it once */
    *out = row;
    if (detail && detail_len)
        detail[0] = '\0';
    return UP_REJECT_NONE;
}

void up_row_free(struct up_row *row)
{
    free(row->storage);
    memset(row, 0, sizeof *row);
}
