/* mapping/convert: JSON -> CQL serialized values (convert.h). One function per family of
 * types; collections, tuples and UDTs recurse with a length prefix per element. The recursion
 * follows the column's type, whose nesting the CQL client bounds (CQL_MAX_TYPE_DEPTH). */
#include "mapping/convert.h"

#include "core/json.h"
#include "mapping/mapping_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct conv {
    const struct up_map_codec *codec;
    char *err;
    size_t errlen;
};

static enum up_conv convert(struct conv *c, const struct up_jv *v, const cql_data_type *t,
                            struct up_buf *out);

static enum up_conv fail(struct conv *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum up_conv fail(struct conv *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
    return UP_CONV_ERROR;
}

/* The type's id, with protocol v4's spelling of duration (a custom type) read as duration. */
static enum cql_type_id type_id(const cql_data_type *t)
{
    const char *custom = cql_data_type_custom(t);
    if (cql_data_type_id(t) == CQL_TYPE_CUSTOM && custom &&
        strcmp(custom, "org.apache.cassandra.db.marshal.DurationType") == 0)
        return CQL_TYPE_DURATION;
    return cql_data_type_id(t);
}

static const char *type_name(const cql_data_type *t)
{
    static const struct {
        enum cql_type_id id;
        const char *name;
    } names[] = {{CQL_TYPE_ASCII, "ascii"},     {CQL_TYPE_BIGINT, "bigint"},
                 {CQL_TYPE_BLOB, "blob"},       {CQL_TYPE_BOOLEAN, "boolean"},
                 {CQL_TYPE_COUNTER, "counter"}, {CQL_TYPE_DECIMAL, "decimal"},
                 {CQL_TYPE_DOUBLE, "double"},   {CQL_TYPE_FLOAT, "float"},
                 {CQL_TYPE_INT, "int"},         {CQL_TYPE_TIMESTAMP, "timestamp"},
                 {CQL_TYPE_UUID, "uuid"},       {CQL_TYPE_VARCHAR, "text"},
                 {CQL_TYPE_VARINT, "varint"},   {CQL_TYPE_TIMEUUID, "timeuuid"},
                 {CQL_TYPE_INET, "inet"},       {CQL_TYPE_DATE, "date"},
                 {CQL_TYPE_TIME, "time"},       {CQL_TYPE_SMALLINT, "smallint"},
                 {CQL_TYPE_TINYINT, "tinyint"}, {CQL_TYPE_DURATION, "duration"},
                 {CQL_TYPE_LIST, "list"},       {CQL_TYPE_MAP, "map"},
                 {CQL_TYPE_SET, "set"},         {CQL_TYPE_UDT, "user type"},
                 {CQL_TYPE_TUPLE, "tuple"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].id == type_id(t))
            return names[i].name;
    return "custom type";
}

static const char *jv_kind(const struct up_jv *v)
{
    static const json_type types[] = {[UP_JV_NULL] = JSON_NULL,
                                      [UP_JV_BOOL] = JSON_TRUE,
                                      [UP_JV_STRING] = JSON_STRING,
                                      [UP_JV_INTEGER] = JSON_INTEGER,
                                      [UP_JV_REAL] = JSON_REAL};
    return v->kind == UP_JV_TREE ? up_json_kind(v->tree) : up_json_type_kind(types[v->kind]);
}

static enum up_conv wrong_kind(struct conv *c, const struct up_jv *v, const cql_data_type *t)
{
    return fail(c, "%s cannot fill a %s", jv_kind(v), type_name(t));
}

static enum up_conv wrong_tree(struct conv *c, const json_t *v, const cql_data_type *t)
{
    return fail(c, "%s cannot fill a %s", up_json_kind(v), type_name(t));
}

/* A new jansson value for v (a reference more for a tree), for what only jansson writes. */
static json_t *jv_to_json(const struct up_jv *v)
{
    switch (v->kind) {
    case UP_JV_BOOL:
        return json_boolean(v->b);
    case UP_JV_STRING:
        return json_stringn_nocheck(v->s, v->len);
    case UP_JV_INTEGER:
        return json_integer(v->i);
    case UP_JV_REAL:
        return json_real(v->d);
    case UP_JV_TREE:
        return json_incref((json_t *)v->tree);
    default:
        return json_null();
    }
}

static void put_be(struct up_buf *out, uint64_t v, int bytes)
{
    uint8_t b[8];
    for (int i = bytes - 1; i >= 0; i--) {
        b[i] = (uint8_t)v;
        v >>= 8;
    }
    up_buf_append(out, b, (size_t)bytes);
}

/* ---- text -------------------------------------------------------------------------------- */

static enum up_conv text(struct conv *c, const struct up_jv *v, const cql_data_type *t,
                         struct up_buf *out)
{
    bool ascii = cql_data_type_id(t) == CQL_TYPE_ASCII;
    size_t start = out->len;
    if (v->kind == UP_JV_STRING) {
        up_buf_append(out, v->s, v->len);
    } else { /* any other value as its compact JSON text, as jansson writes it */
        json_t *j = jv_to_json(v);
        char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        up_buf_puts(out, s);
        free(s);
        json_decref(j);
    }
    for (size_t i = start; ascii && i < out->len; i++)
        if ((unsigned char)out->data[i] >= 0x80)
            return fail(c, "not ASCII: byte %zu is 0x%02x", i - start, (unsigned char)out->data[i]);
    return UP_CONV_OK;
}

/* ---- numbers ----------------------------------------------------------------------------- */

/* An integral JSON number or numeric string -> int64. */
static enum up_conv get_int64(struct conv *c, const struct up_jv *v, const cql_data_type *t,
                              int64_t *out)
{
    if (v->kind == UP_JV_INTEGER) {
        *out = v->i;
        return UP_CONV_OK;
    }
    if (v->kind == UP_JV_REAL) {
        double d = v->d;
        if (d != floor(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0)
            return fail(c, "%.17g is not a whole number a %s can hold", d, type_name(t));
        *out = (int64_t)d;
        return UP_CONV_OK;
    }
    if (v->kind == UP_JV_STRING) {
        const char *s = v->s;
        char *end;
        errno = 0;
        long long n = strtoll(s, &end, 10);
        if (errno || end == s || *end || (size_t)(end - s) != v->len)
            return fail(c, "'%.64s' is not a whole number a %s can hold", s, type_name(t));
        *out = n;
        return UP_CONV_OK;
    }
    return wrong_kind(c, v, t);
}

static enum up_conv integer(struct conv *c, const struct up_jv *v, const cql_data_type *t,
                            struct up_buf *out)
{
    static const struct {
        enum cql_type_id id;
        int bytes;
    } widths[] = {
        {CQL_TYPE_TINYINT, 1}, {CQL_TYPE_SMALLINT, 2}, {CQL_TYPE_INT, 4}, {CQL_TYPE_BIGINT, 8}};
    int bytes = 8;
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++)
        if (widths[i].id == cql_data_type_id(t))
            bytes = widths[i].bytes;
    int64_t n;
    if (get_int64(c, v, t, &n) != UP_CONV_OK)
        return UP_CONV_ERROR;
    int64_t lim = bytes == 8 ? INT64_MAX : (INT64_C(1) << (bytes * 8 - 1)) - 1;
    if (n > lim || n < -lim - 1)
        return fail(c, "%lld is out of range for a %s", (long long)n, type_name(t));
    put_be(out, (uint64_t)n, bytes);
    return UP_CONV_OK;
}

/* varint and decimal read the number's text, so no digit is lost to int64 or double. */
static enum up_conv big_number(struct conv *c, const struct up_jv *v, const cql_data_type *t,
                               struct up_buf *out)
{
    char buf[40];
    const char *s;
    size_t len;
    if (v->kind == UP_JV_STRING) {
        s = v->s;
        len = v->len;
    } else if (v->kind == UP_JV_INTEGER) {
        len = (size_t)snprintf(buf, sizeof buf, "%lld", (long long)v->i);
        s = buf;
    } else if (v->kind == UP_JV_REAL && cql_data_type_id(t) == CQL_TYPE_DECIMAL) {
        if (!isfinite(v->d))
            return fail(c, "a decimal cannot be infinite");
        up_num_shortest(v->d, buf, sizeof buf);
        s = buf;
        len = strlen(buf);
    } else if (v->kind == UP_JV_REAL) {
        int64_t n;
        if (get_int64(c, v, t, &n) != UP_CONV_OK)
            return UP_CONV_ERROR;
        len = (size_t)snprintf(buf, sizeof buf, "%lld", (long long)n);
        s = buf;
    } else {
        return wrong_kind(c, v, t);
    }
    bool ok = cql_data_type_id(t) == CQL_TYPE_DECIMAL
                  ? up_num_decimal(s, len, out, c->err, c->errlen)
                  : up_num_varint(s, len, out, c->err, c->errlen);
    return ok ? UP_CONV_OK : UP_CONV_ERROR;
}

static enum up_conv floating(struct conv *c, const struct up_jv *v, const cql_data_type *t,
                             struct up_buf *out)
{
    double d;
    if (v->kind == UP_JV_INTEGER || v->kind == UP_JV_REAL) {
        d = v->kind == UP_JV_INTEGER ? (double)v->i : v->d;
    } else if (v->kind == UP_JV_STRING) {
        const char *s = v->s;
        char *end;
        d = strtod(s, &end);
        if (end == s || *end || (size_t)(end - s) != v->len)
            return fail(c, "'%.64s' is not a number", s);
    } else {
        return wrong_kind(c, v, t);
    }
    if (cql_data_type_id(t) == CQL_TYPE_DOUBLE) {
        uint64_t bits;
        memcpy(&bits, &d, 8);
        put_be(out, bits, 8);
        return UP_CONV_OK;
    }
    if (isfinite(d) && (d > FLT_MAX || d < -FLT_MAX))
        return fail(c, "%.17g is out of range for a float", d);
    float f = (float)d;
    uint32_t bits;
    memcpy(&bits, &f, 4);
    put_be(out, bits, 4);
    return UP_CONV_OK;
}

static enum up_conv boolean(struct conv *c, const struct up_jv *v, const cql_data_type *t,
                            struct up_buf *out)
{
    bool b;
    bool is_string = v->kind == UP_JV_STRING;
    if (v->kind == UP_JV_BOOL)
        b = v->b;
    else if (is_string && strcasecmp(v->s, "true") == 0)
        b = true;
    else if (is_string && strcasecmp(v->s, "false") == 0)
        b = false;
    else
        return is_string ? fail(c, "'%.64s' is not true or false", v->s) : wrong_kind(c, v, t);
    up_buf_putc(out, b ? 1 : 0);
    return UP_CONV_OK;
}

/* ---- strings with a syntax --------------------------------------------------------------- */

static enum up_conv uuid(struct conv *c, const struct up_jv *v, const cql_data_type *t,
                         struct up_buf *out)
{
    if (v->kind != UP_JV_STRING)
        return wrong_kind(c, v, t);
    struct cql_uuid u;
    if (!cql_uuid_parse(v->s, v->len, &u))
        return fail(c, "'%.64s' is not a UUID", v->s);
    if (cql_data_type_id(t) == CQL_TYPE_TIMEUUID && (u.bytes[6] >> 4) != 1)
        return fail(c, "'%.64s' is not a time-based (version 1) UUID", v->s);
    up_buf_append(out, u.bytes, 16);
    return UP_CONV_OK;
}

static enum up_conv inet(struct conv *c, const struct up_jv *v, const cql_data_type *t,
                         struct up_buf *out)
{
    if (v->kind != UP_JV_STRING)
        return wrong_kind(c, v, t);
    uint8_t addr[16];
    const char *s = v->s;
    if (inet_pton(AF_INET, s, addr) == 1)
        up_buf_append(out, addr, 4);
    else if (inet_pton(AF_INET6, s, addr) == 1)
        up_buf_append(out, addr, 16);
    else
        return fail(c, "'%.64s' is not an IPv4 or IPv6 address", s);
    return UP_CONV_OK;
}

static int base64_value(char ch)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = ch ? strchr(alphabet, ch) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

/* Standard base64 (RFC 4648 §4) with its padding, as the connector reads blobs. */
static enum up_conv blob(struct conv *c, const struct up_jv *v, const cql_data_type *t,
                         struct up_buf *out)
{
    if (v->kind != UP_JV_STRING)
        return wrong_kind(c, v, t);
    const char *s = v->s;
    size_t len = v->len;
    if (len % 4)
        return fail(c, "a blob is base64 text: its length must be a multiple of 4");
    for (size_t i = 0; i < len; i += 4) {
        int q[4], pad = 0;
        for (int k = 0; k < 4; k++) {
            bool last_group = i + 4 == len;
            q[k] = (last_group && k >= 2 && s[i + k] == '=' && (k == 3 || s[i + 3] == '='))
                       ? (pad++, 0)
                       : base64_value(s[i + k]);
            if (q[k] < 0)
                return fail(c, "a blob is base64 text: byte %zu is not base64", i + (size_t)k);
        }
        uint32_t n = (uint32_t)(q[0] << 18 | q[1] << 12 | q[2] << 6 | q[3]);
        uint8_t b[3] = {(uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
        up_buf_append(out, b, (size_t)(3 - pad));
    }
    return UP_CONV_OK;
}

/* ---- time -------------------------------------------------------------------------------- */

/* A JSON integer (or integral string) in the codec's unit -> microseconds. */
static bool numeric_time(struct conv *c, const struct up_jv *v, const cql_data_type *t,
                         int64_t *micros)
{
    int64_t n;
    if (v->kind == UP_JV_STRING) {
        size_t i = v->len && v->s[0] == '-' ? 1 : 0;
        if (i == v->len)
            return false;
        for (; i < v->len; i++) /* stops at a date's first '-': no scan of the whole text */
            if (v->s[i] < '0' || v->s[i] > '9')
                return false;
    } else if (v->kind != UP_JV_INTEGER) {
        return false;
    }
    if (get_int64(c, v, t, &n) != UP_CONV_OK)
        return false;
    return up_time_unit_to_micros(n, c->codec->unit, micros);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static enum up_conv temporal(struct conv *c, const struct up_jv *v, const cql_data_type *t,
                             struct up_buf *out)
{
    enum cql_type_id id = cql_data_type_id(t);
    int64_t micros, n;
    bool numeric = numeric_time(c, v, t, &micros);
    if (!numeric && v->kind != UP_JV_STRING)
        return v->kind == UP_JV_INTEGER ? fail(c, "%lld %s overflows a %s", (long long)v->i,
                                               up_time_unit_name(c->codec->unit), type_name(t))
                                        : wrong_kind(c, v, t);
    const char *s = v->kind == UP_JV_STRING ? v->s : NULL;
    size_t len = s ? v->len : 0;
    if (id == CQL_TYPE_TIMESTAMP) {
        if (numeric)
            n = floor_div(micros, 1000);
        else if (!up_tm_timestamp(s, len, c->codec, &n, c->err, c->errlen))
            return UP_CONV_ERROR;
        put_be(out, (uint64_t)n, 8);
        return UP_CONV_OK;
    }
    if (id == CQL_TYPE_DATE) {
        if (numeric)
            n = floor_div(micros, 86400000000LL);
        else if (!up_tm_date(s, len, &n, c->err, c->errlen))
            return UP_CONV_ERROR;
        if (n < INT32_MIN || n > INT32_MAX)
            return fail(c, "the date is out of CQL's range");
        put_be(out, (uint64_t)(n + (INT64_C(1) << 31)), 4);
        return UP_CONV_OK;
    }
    /* time of day */
    if (numeric && (micros < 0 || micros >= 86400000000LL))
        return fail(c, "a time of day is from 0 to 24 hours");
    if (numeric)
        n = micros * 1000;
    else if (!up_tm_time(s, len, &n, c->err, c->errlen))
        return UP_CONV_ERROR;
    put_be(out, (uint64_t)n, 8);
    return UP_CONV_OK;
}

static enum up_conv duration(struct conv *c, const struct up_jv *v, const cql_data_type *t,
                             struct up_buf *out)
{
    if (v->kind != UP_JV_STRING)
        return wrong_kind(c, v, t);
    int32_t months, days;
    int64_t nanos;
    if (!up_tm_duration(v->s, v->len, &months, &days, &nanos, c->err, c->errlen))
        return UP_CONV_ERROR;
    up_tm_put_vint(out, months);
    up_tm_put_vint(out, days);
    up_tm_put_vint(out, nanos);
    return UP_CONV_OK;
}

/* ---- nested values ----------------------------------------------------------------------- */

/* [int length][bytes] of one element; null elements as length -1 when allowed. */
static enum up_conv element(struct conv *c, const struct up_jv *v, const cql_data_type *t,
                            bool null_ok, struct up_buf *out)
{
    size_t at = out->len;
    put_be(out, 0, 4);
    enum up_conv r = v->kind == UP_JV_NULL ? UP_CONV_NULL : convert(c, v, t, out);
    if (r == UP_CONV_ERROR)
        return r;
    if (r == UP_CONV_NULL && !null_ok)
        return fail(c, "a %s cannot hold null", type_name(t));
    size_t len = out->len - at - 4;
    if (len > INT32_MAX)
        return fail(c, "a value larger than 2 GiB");
    uint32_t n = r == UP_CONV_NULL ? UINT32_MAX : (uint32_t)len;
    uint8_t be[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    memcpy(out->data + at, be, 4);
    return UP_CONV_OK;
}

static enum up_conv tree_element(struct conv *c, const json_t *v, const cql_data_type *t,
                                 bool null_ok, struct up_buf *out)
{
    struct up_jv jv;
    up_jv_of_json(v, &jv);
    return element(c, &jv, t, null_ok, out);
}

/* Prefixes an error from inside a nested value with where it happened. */
static enum up_conv nested_fail(struct conv *c, const char *fmt, const char *where)
{
    char inner[UP_CONV_ERR_LEN];
    snprintf(inner, sizeof inner, "%s", c->err);
    char place[96];
    snprintf(place, sizeof place, fmt, where);
    return fail(c, "%s: %s", place, inner);
}

static enum up_conv index_fail(struct conv *c, const char *what, size_t i)
{
    char idx[24];
    snprintf(idx, sizeof idx, "%zu", i);
    char fmt[48];
    snprintf(fmt, sizeof fmt, "%s %%s", what);
    return nested_fail(c, fmt, idx);
}

static enum up_conv list_or_set(struct conv *c, const json_t *v, const cql_data_type *t,
                                struct up_buf *out)
{
    if (!json_is_array(v))
        return wrong_tree(c, v, t);
    put_be(out, json_array_size(v), 4);
    for (size_t i = 0; i < json_array_size(v); i++)
        if (tree_element(c, json_array_get(v, i), cql_data_type_sub(t, 0), false, out) !=
            UP_CONV_OK)
            return index_fail(c, "element", i);
    return UP_CONV_OK;
}

static enum up_conv map(struct conv *c, const json_t *v, const cql_data_type *t, struct up_buf *out)
{
    if (!json_is_object(v))
        return wrong_tree(c, v, t);
    put_be(out, json_object_size(v), 4);
    const char *k;
    json_t *val;
    json_object_foreach((json_t *)v, k, val)
    {
        struct up_jv key = {.kind = UP_JV_STRING, .s = k, .len = strlen(k)};
        if (element(c, &key, cql_data_type_sub(t, 0), false, out) != UP_CONV_OK)
            return nested_fail(c, "key '%.40s'", k);
        if (tree_element(c, val, cql_data_type_sub(t, 1), false, out) != UP_CONV_OK)
            return nested_fail(c, "at key '%.40s'", k);
    }
    return UP_CONV_OK;
}

static enum up_conv tuple(struct conv *c, const json_t *v, const cql_data_type *t,
                          struct up_buf *out)
{
    size_t n = cql_data_type_sub_count(t);
    if (!json_is_array(v))
        return wrong_tree(c, v, t);
    if (json_array_size(v) != n)
        return fail(c, "a tuple of %zu needs an array of %zu, not %zu", n, n, json_array_size(v));
    for (size_t i = 0; i < n; i++)
        if (tree_element(c, json_array_get(v, i), cql_data_type_sub(t, i), true, out) != UP_CONV_OK)
            return index_fail(c, "tuple field", i);
    return UP_CONV_OK;
}

static enum up_conv udt(struct conv *c, const json_t *v, const cql_data_type *t, struct up_buf *out)
{
    if (!json_is_object(v))
        return wrong_tree(c, v, t);
    size_t n = cql_data_type_sub_count(t);
    const char *k;
    json_t *val;
    json_object_foreach((json_t *)v, k, val)
    {
        size_t i = 0;
        while (i < n && strcmp(cql_data_type_field_name(t, i), k) != 0)
            i++;
        if (i == n)
            return fail(c, "%.60s has no field '%.40s'", cql_data_type_custom(t), k);
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = cql_data_type_field_name(t, i);
        json_t *f = json_object_get(v, name);
        if (tree_element(c, f ? f : json_null(), cql_data_type_sub(t, i), true, out) != UP_CONV_OK)
            return nested_fail(c, "field '%.40s'", name);
    }
    return UP_CONV_OK;
}

/* A collection, tuple or UDT may come as a string holding its JSON (a text-encoded record). */
static enum up_conv nested(struct conv *c, const struct up_jv *v, const cql_data_type *t,
                           struct up_buf *out)
{
    json_t *parsed = NULL;
    const json_t *tree = v->tree;
    if (v->kind == UP_JV_STRING) {
        json_error_t jerr;
        parsed = json_loadb(v->s, v->len, JSON_DECODE_ANY, &jerr);
        if (!parsed)
            return fail(c, "a string for a %s must hold its JSON: %s", type_name(t), jerr.text);
        tree = parsed;
    } else if (v->kind != UP_JV_TREE) {
        return wrong_kind(c, v, t);
    }
    enum up_conv r;
    switch (cql_data_type_id(t)) {
    case CQL_TYPE_LIST:
    case CQL_TYPE_SET:
        r = list_or_set(c, tree, t, out);
        break;
    case CQL_TYPE_MAP:
        r = map(c, tree, t, out);
        break;
    case CQL_TYPE_TUPLE:
        r = tuple(c, tree, t, out);
        break;
    default:
        r = udt(c, tree, t, out);
        break;
    }
    json_decref(parsed);
    return r;
}

/* ---- dispatch ---------------------------------------------------------------------------- */

typedef enum up_conv (*converter)(struct conv *c, const struct up_jv *v, const cql_data_type *t,
                                  struct up_buf *out);

static converter converter_for(enum cql_type_id id)
{
    switch (id) {
    case CQL_TYPE_ASCII:
    case CQL_TYPE_VARCHAR:
        return text;
    case CQL_TYPE_TINYINT:
    case CQL_TYPE_SMALLINT:
    case CQL_TYPE_INT:
    case CQL_TYPE_BIGINT:
        return integer;
    case CQL_TYPE_VARINT:
    case CQL_TYPE_DECIMAL:
        return big_number;
    case CQL_TYPE_FLOAT:
    case CQL_TYPE_DOUBLE:
        return floating;
    case CQL_TYPE_BOOLEAN:
        return boolean;
    case CQL_TYPE_UUID:
    case CQL_TYPE_TIMEUUID:
        return uuid;
    case CQL_TYPE_TIMESTAMP:
    case CQL_TYPE_DATE:
    case CQL_TYPE_TIME:
        return temporal;
    case CQL_TYPE_DURATION:
        return duration;
    case CQL_TYPE_INET:
        return inet;
    case CQL_TYPE_BLOB:
        return blob;
    case CQL_TYPE_LIST:
    case CQL_TYPE_SET:
    case CQL_TYPE_MAP:
    case CQL_TYPE_TUPLE:
    case CQL_TYPE_UDT:
        return nested;
    default:
        return NULL; /* counter, custom */
    }
}

static enum up_conv convert(struct conv *c, const struct up_jv *v, const cql_data_type *t,
                            struct up_buf *out)
{
    if (v->kind == UP_JV_NULL)
        return UP_CONV_NULL;
    converter fn = converter_for(type_id(t));
    if (!fn)
        return fail(c, "a %s column cannot be written by a mapping", type_name(t));
    return fn(c, v, t, out);
}

void up_jv_of_json(const json_t *v, struct up_jv *out)
{
    *out = (struct up_jv){.kind = UP_JV_TREE, .tree = v};
    switch (json_typeof(v)) {
    case JSON_NULL:
        out->kind = UP_JV_NULL;
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        out->kind = UP_JV_BOOL;
        out->b = json_is_true(v);
        break;
    case JSON_STRING:
        out->kind = UP_JV_STRING;
        out->s = json_string_value(v);
        out->len = json_string_length(v);
        break;
    case JSON_INTEGER:
        out->kind = UP_JV_INTEGER;
        out->i = json_integer_value(v);
        break;
    case JSON_REAL:
        out->kind = UP_JV_REAL;
        out->d = json_real_value(v);
        break;
    default:
        break;
    }
}

bool up_jv_scalar(const char *s, size_t len, struct up_jv *out, const char **why)
{
    if (s[0] == 'n' || s[0] == 't' || s[0] == 'f') {
        *out = (struct up_jv){.kind = s[0] == 'n' ? UP_JV_NULL : UP_JV_BOOL, .b = s[0] == 't'};
        return true;
    }
    char small[64]; /* every int64 and nearly every real: no allocation */
    char *text = len < sizeof small ? small : up_xmalloc(len + 1);
    memcpy(text, s, len);
    text[len] = '\0';
    bool integral = !strpbrk(text, ".eE");
    errno = 0;
    *out = (struct up_jv){.kind = integral ? UP_JV_INTEGER : UP_JV_REAL};
    if (integral)
        out->i = strtoll(text, NULL, 10);
    else
        out->d = strtod(text, NULL);
    bool ok = !(errno == ERANGE && (integral || !isfinite(out->d)));
    if (!ok)
        *why = integral ? "too big integer" : "real number overflow";
    if (text != small)
        free(text);
    return ok;
}

enum up_conv up_convert_json(const json_t *v, const cql_data_type *t,
                             const struct up_map_codec *codec, struct up_buf *out, char *err,
                             size_t errlen)
{
    struct up_jv jv;
    up_jv_of_json(v, &jv);
    return up_convert_value(&jv, t, codec, out, err, errlen);
}

enum up_conv up_convert_value(const struct up_jv *v, const cql_data_type *t,
                              const struct up_map_codec *codec, struct up_buf *out, char *err,
                              size_t errlen)
{
    struct conv c = {codec, err, errlen};
    size_t at = out->len;
    enum up_conv r = convert(&c, v, t, out);
    if (r != UP_CONV_OK)
        out->len = at; /* nothing half-written stays behind */
    if (out->data)
        out->data[out->len] = '\0';
    return r;
}

enum up_conv up_convert_text(const char *s, size_t len, const cql_data_type *t,
                             const struct up_map_codec *codec, struct up_buf *out, char *err,
                             size_t errlen)
{
    json_t *v = json_stringn(s, len); /* a copy: the converters read NUL-terminated text */
    if (!v) {
        snprintf(err, errlen, "the text is not UTF-8 or holds a NUL byte");
        return UP_CONV_ERROR;
    }
    enum up_conv r = up_convert_json(v, t, codec, out, err, errlen);
    json_decref(v);
    return r;
}

bool up_convert_supported(const cql_data_type *t, char *why, size_t whylen)
{
    if (!converter_for(type_id(t))) {
        snprintf(why, whylen, "a %s column cannot be written by a mapping%s", type_name(t),
                 cql_data_type_id(t) == CQL_TYPE_COUNTER ? " (counters are updated, not set)" : "");
        return false;
    }
    for (size_t i = 0; i < cql_data_type_sub_count(t); i++)
        if (!up_convert_supported(cql_data_type_sub(t, i), why, whylen))
            return false;
    return true;
}

void up_map_codec_default(struct up_map_codec *c)
{
    *c = (struct up_map_codec){.timestamp = UP_TS_CQL_TIMESTAMP, .unit = UP_UNIT_MILLISECONDS};
}
