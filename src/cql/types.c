/* types: CQL data types and values: parse, encode, decode, print. */
#include "core/hex.h"
#include "cql/types.h"

#include "core/utf8.h"

#include <arpa/inet.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- data types -------------------------------------------------------------------------- */

const char *cql_type_name(enum cql_type_id id)
{
    switch (id) {
    case CQL_TYPE_CUSTOM:
        return "custom";
    case CQL_TYPE_ASCII:
        return "ascii";
    case CQL_TYPE_BIGINT:
        return "bigint";
    case CQL_TYPE_BLOB:
        return "blob";
    case CQL_TYPE_BOOLEAN:
        return "boolean";
    case CQL_TYPE_COUNTER:
        return "counter";
    case CQL_TYPE_DECIMAL:
        return "decimal";
    case CQL_TYPE_DOUBLE:
        return "double";
    case CQL_TYPE_FLOAT:
        return "float";
    case CQL_TYPE_INT:
        return "int";
    case CQL_TYPE_TIMESTAMP:
        return "timestamp";
    case CQL_TYPE_UUID:
        return "uuid";
    case CQL_TYPE_VARCHAR:
        return "text";
    case CQL_TYPE_VARINT:
        return "varint";
    case CQL_TYPE_TIMEUUID:
        return "timeuuid";
    case CQL_TYPE_INET:
        return "inet";
    case CQL_TYPE_DATE:
        return "date";
    case CQL_TYPE_TIME:
        return "time";
    case CQL_TYPE_SMALLINT:
        return "smallint";
    case CQL_TYPE_TINYINT:
        return "tinyint";
    case CQL_TYPE_DURATION:
        return "duration";
    case CQL_TYPE_LIST:
        return "list";
    case CQL_TYPE_MAP:
        return "map";
    case CQL_TYPE_SET:
        return "set";
    case CQL_TYPE_UDT:
        return "udt";
    case CQL_TYPE_TUPLE:
        return "tuple";
    }
    return "unknown";
}

static bool known_simple_type(uint16_t id)
{
    return (id >= CQL_TYPE_ASCII && id <= CQL_TYPE_INT) ||
           (id >= CQL_TYPE_TIMESTAMP && id <= CQL_TYPE_DURATION);
}

struct cql_data_type *cql_data_type_new(enum cql_type_id id)
{
    struct cql_data_type *t = up_xcalloc(1, sizeof *t);
    t->id = id;
    return t;
}

void cql_data_type_free(struct cql_data_type *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nsub; i++) {
        cql_data_type_free(t->sub[i]);
        if (t->fields)
            free(t->fields[i]);
    }
    free(t->sub);
    free(t->fields);
    free(t->name);
    free(t);
}

static struct cql_data_type *parse_fail(struct cql_cursor *c, struct cql_data_type *t)
{
    c->failed = true;
    cql_data_type_free(t);
    return NULL;
}

/* Reads n sub-types (and, for UDTs, a name before each). Each needs at least 2 bytes, so n
 * is bounded by the bytes left before anything is allocated. */
static bool parse_subtypes(struct cql_cursor *c, struct cql_data_type *t, size_t n, bool named,
                           unsigned depth)
{
    if (n * 2 > cql_cursor_left(c))
        return false;
    t->sub = up_xcalloc(n ? n : 1, sizeof *t->sub);
    if (named)
        t->fields = up_xcalloc(n ? n : 1, sizeof *t->fields);
    for (size_t i = 0; i < n; i++) {
        if (named && !cql_get_string_dup(c, &t->fields[i]))
            return false;
        t->sub[i] = cql_data_type_parse(c, depth + 1);
        t->nsub = i + 1;
        if (!t->sub[i])
            return false;
    }
    return true;
}

struct cql_data_type *cql_data_type_parse(struct cql_cursor *c, unsigned depth)
{
    uint16_t id;
    if (depth > CQL_MAX_TYPE_DEPTH || !cql_get_short(c, &id))
        return parse_fail(c, NULL);
    struct cql_data_type *t = cql_data_type_new((enum cql_type_id)id);
    switch (id) {
    case CQL_TYPE_CUSTOM:
        if (!cql_get_string_dup(c, &t->name))
            return parse_fail(c, t);
        return t;
    case CQL_TYPE_LIST:
    case CQL_TYPE_SET:
        return parse_subtypes(c, t, 1, false, depth) ? t : parse_fail(c, t);
    case CQL_TYPE_MAP:
        return parse_subtypes(c, t, 2, false, depth) ? t : parse_fail(c, t);
    case CQL_TYPE_TUPLE: {
        uint16_t n;
        if (!cql_get_short(c, &n) || !parse_subtypes(c, t, n, false, depth))
            return parse_fail(c, t);
        return t;
    }
    case CQL_TYPE_UDT: {
        const char *ks, *name;
        size_t kslen, namelen;
        uint16_t n;
        if (!cql_get_string(c, &ks, &kslen) || !cql_get_string(c, &name, &namelen))
            return parse_fail(c, t);
        t->name = up_xmalloc(kslen + namelen + 2);
        memcpy(t->name, ks, kslen);
        t->name[kslen] = '.';
        memcpy(t->name + kslen + 1, name, namelen);
        t->name[kslen + namelen + 1] = '\0';
        if (!cql_get_short(c, &n) || !parse_subtypes(c, t, n, true, depth))
            return parse_fail(c, t);
        return t;
    }
    default:
        if (!known_simple_type(id))
            return parse_fail(c, t);
        return t;
    }
}

enum cql_type_id cql_data_type_id(const cql_data_type *t)
{
    return t->id;
}

size_t cql_data_type_sub_count(const cql_data_type *t)
{
    return t->nsub;
}

const cql_data_type *cql_data_type_sub(const cql_data_type *t, size_t i)
{
    return i < t->nsub ? t->sub[i] : NULL;
}

const char *cql_data_type_field_name(const cql_data_type *t, size_t i)
{
    return t->fields && i < t->nsub ? t->fields[i] : NULL;
}

const char *cql_data_type_custom(const cql_data_type *t)
{
    return t->name;
}

void cql_data_type_format(const cql_data_type *t, struct up_buf *out)
{
    switch (t->id) {
    case CQL_TYPE_CUSTOM:
        up_buf_printf(out, "'%s'", t->name ? t->name : "");
        return;
    case CQL_TYPE_UDT:
        up_buf_printf(out, "frozen<%s>", t->name ? t->name : "");
        return;
    case CQL_TYPE_LIST:
    case CQL_TYPE_SET:
    case CQL_TYPE_MAP:
    case CQL_TYPE_TUPLE:
        up_buf_puts(out, cql_type_name(t->id));
        up_buf_putc(out, '<');
        for (size_t i = 0; i < t->nsub; i++) {
            if (i)
                up_buf_puts(out, ", ");
            cql_data_type_format(t->sub[i], out);
        }
        up_buf_putc(out, '>');
        return;
    default:
        up_buf_puts(out, cql_type_name(t->id));
    }
}

/* ---- uuid -------------------------------------------------------------------------------- */

bool cql_uuid_parse(const char *s, size_t len, struct cql_uuid *out)
{
    return up_uuid_parse(s, len, out->bytes, false);
}

void cql_uuid_format(const struct cql_uuid *u, char out[37])
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[u->bytes[i] >> 4];
        out[o++] = hex[u->bytes[i] & 15];
    }
    out[o] = '\0';
}

/* ---- varint ------------------------------------------------------------------------------ */

void cql_encode_varint(int64_t v, struct up_buf *out)
{
    uint8_t b[8];
    cql_store_u64(b, (uint64_t)v);
    size_t i = 0;
    /* drop leading bytes that only repeat the sign of the next one */
    while (i < 7 && ((b[i] == 0x00 && !(b[i + 1] & 0x80)) || (b[i] == 0xFF && (b[i + 1] & 0x80))))
        i++;
    up_buf_append(out, b + i, 8 - i);
}

bool cql_decode_varint(const uint8_t *p, size_t len, int64_t *out)
{
    if (len == 0)
        return false;
    size_t skip = 0;
    /* sign-extension bytes beyond 8 are allowed if they are redundant */
    while (len - skip > 8) {
        uint8_t fill = (p[skip + 1] & 0x80) ? 0xFF : 0x00;
        if (p[skip] != fill)
            return false;
        skip++;
    }
    uint64_t v = (p[skip] & 0x80) ? UINT64_MAX : 0;
    for (size_t i = skip; i < len; i++)
        v = (v << 8) | p[i];
    *out = (int64_t)v;
    return true;
}

/* Varints longer than this print as hex: decimal conversion is quadratic in the length. */
#define VARINT_MAX_DECIMAL_BYTES 1024

bool cql_varint_to_text(const uint8_t *p, size_t len, struct up_buf *out)
{
    int64_t small;
    if (cql_decode_varint(p, len, &small)) {
        up_buf_printf(out, "%lld", (long long)small);
        return true;
    }
    if (len == 0 || len > VARINT_MAX_DECIMAL_BYTES)
        return false;
    bool negative = p[0] & 0x80;
    uint8_t *mag = up_xmalloc(len);
    memcpy(mag, p, len);
    if (negative) { /* magnitude = two's complement negation */
        for (size_t i = 0; i < len; i++)
            mag[i] = (uint8_t)~mag[i];
        for (size_t i = len; i-- > 0;)
            if (++mag[i] != 0)
                break;
    }
    /* repeated division by 10^9 gives base-1e9 limbs, least significant first */
    uint32_t *limbs = up_xmalloc((len * 8 / 29 + 2) * sizeof *limbs);
    size_t nlimbs = 0, start = 0;
    while (start < len) {
        uint64_t rem = 0;
        for (size_t i = start; i < len; i++) {
            uint64_t cur = (rem << 8) | mag[i];
            mag[i] = (uint8_t)(cur / 1000000000u);
            rem = cur % 1000000000u;
        }
        limbs[nlimbs++] = (uint32_t)rem;
        while (start < len && mag[start] == 0)
            start++;
    }
    if (negative)
        up_buf_putc(out, '-');
    up_buf_printf(out, "%u", limbs[nlimbs - 1]);
    for (size_t i = nlimbs - 1; i-- > 0;)
        up_buf_printf(out, "%09u", limbs[i]);
    free(limbs);
    free(mag);
    return true;
}

/* ---- calendar ---------------------------------------------------------------------------- */

/* Howard Hinnant's days <-> civil algorithms (public domain descriptions), in int64. */
void cql_civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *year = y + (*month <= 2);
}

int64_t cql_days_from_civil(int64_t year, unsigned month, unsigned day)
{
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t yoe = year - era * 400;
    int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* ---- murmur3 ----------------------------------------------------------------------------- */

static uint64_t rotl64(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t fmix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

static uint64_t load_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* Java reads tail bytes as signed: (long) key.get(i) sign-extends before the shift. */
static uint64_t tail_byte(const uint8_t *p, size_t i, int shift)
{
    return (uint64_t)(int64_t)(int8_t)p[i] << shift;
}

int64_t cql_murmur3_token(const uint8_t *key, size_t len)
{
    const uint64_t c1 = 0x87c37b91114253d5ULL, c2 = 0x4cf5ad432745937fULL;
    uint64_t h1 = 0, h2 = 0;
    size_t nblocks = len / 16;
    for (size_t i = 0; i < nblocks; i++) {
        uint64_t k1 = load_le64(key + i * 16), k2 = load_le64(key + i * 16 + 8);
        k1 *= c1;
        k1 = rotl64(k1, 31);
        k1 *= c2;
        h1 ^= k1;
        h1 = rotl64(h1, 27);
        h1 += h2;
        h1 = h1 * 5 + 0x52dce729;
        k2 *= c2;
        k2 = rotl64(k2, 33);
        k2 *= c1;
        h2 ^= k2;
        h2 = rotl64(h2, 31);
        h2 += h1;
        h2 = h2 * 5 + 0x38495ab5;
    }
    const uint8_t *tail = key + nblocks * 16;
    size_t rest = len & 15;
    uint64_t k1 = 0, k2 = 0;
    for (size_t i = rest; i > 8; i--)
        k2 ^= tail_byte(tail, i - 1, (int)(i - 9) * 8);
    if (rest > 8) {
        k2 *= c2;
        k2 = rotl64(k2, 33);
        k2 *= c1;
        h2 ^= k2;
    }
    for (size_t i = rest < 8 ? rest : 8; i > 0; i--)
        k1 ^= tail_byte(tail, i - 1, (int)(i - 1) * 8);
    if (rest > 0) {
        k1 *= c1;
        k1 = rotl64(k1, 31);
        k1 *= c2;
        h1 ^= k1;
    }
    h1 ^= len;
    h2 ^= len;
    h1 += h2;
    h2 += h1;
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 += h2;
    int64_t token = (int64_t)h1;
    return token == INT64_MIN ? INT64_MAX : token;
}

/* ---- value accessors --------------------------------------------------------------------- */

bool cql_value_is_null(const struct cql_value *v)
{
    return v->len < 0 || !v->type;
}

static enum cql_error_code want_type(const struct cql_value *v, enum cql_type_id a,
                                     enum cql_type_id b)
{
    if (cql_value_is_null(v) || (v->type->id != a && v->type->id != b))
        return CQL_ERR_TYPE_MISMATCH;
    return CQL_OK;
}

static enum cql_error_code want_size(const struct cql_value *v, int32_t n)
{
    return v->len == n ? CQL_OK : CQL_ERR_PROTOCOL;
}

enum cql_error_code cql_value_get_bool(const struct cql_value *v, bool *out)
{
    enum cql_error_code e = want_type(v, CQL_TYPE_BOOLEAN, CQL_TYPE_BOOLEAN);
    if (e == CQL_OK && (e = want_size(v, 1)) == CQL_OK)
        *out = v->data[0] != 0;
    return e;
}

/* Fixed-width signed integers of 1, 2, 4 or 8 bytes. */
static int64_t load_signed(const uint8_t *p, int32_t len)
{
    switch (len) {
    case 1:
        return (int8_t)p[0];
    case 2:
        return (int16_t)cql_load_u16(p);
    case 4:
        return (int32_t)cql_load_u32(p);
    default:
        return (int64_t)cql_load_u64(p);
    }
}

static int32_t integer_width(enum cql_type_id id)
{
    switch (id) {
    case CQL_TYPE_TINYINT:
        return 1;
    case CQL_TYPE_SMALLINT:
        return 2;
    case CQL_TYPE_INT:
        return 4;
    case CQL_TYPE_BIGINT:
    case CQL_TYPE_COUNTER:
    case CQL_TYPE_TIMESTAMP:
    case CQL_TYPE_TIME:
        return 8;
    default:
        return 0;
    }
}

enum cql_error_code cql_value_get_int32(const struct cql_value *v, int32_t *out)
{
    if (cql_value_is_null(v))
        return CQL_ERR_TYPE_MISMATCH;
    int32_t w = integer_width(v->type->id);
    if (w == 0 || w > 4)
        return CQL_ERR_TYPE_MISMATCH;
    if (v->len != w)
        return CQL_ERR_PROTOCOL;
    *out = (int32_t)load_signed(v->data, w);
    return CQL_OK;
}

enum cql_error_code cql_value_get_int64(const struct cql_value *v, int64_t *out)
{
    if (cql_value_is_null(v))
        return CQL_ERR_TYPE_MISMATCH;
    if (v->type->id == CQL_TYPE_VARINT)
        return cql_decode_varint(v->data, (size_t)v->len, out) ? CQL_OK : CQL_ERR_TYPE_MISMATCH;
    int32_t w = integer_width(v->type->id);
    if (w == 0)
        return CQL_ERR_TYPE_MISMATCH;
    if (v->len != w)
        return CQL_ERR_PROTOCOL;
    *out = load_signed(v->data, w);
    return CQL_OK;
}

enum cql_error_code cql_value_get_double(const struct cql_value *v, double *out)
{
    if (cql_value_is_null(v))
        return CQL_ERR_TYPE_MISMATCH;
    if (v->type->id == CQL_TYPE_FLOAT) {
        float f;
        enum cql_error_code e = cql_value_get_float(v, &f);
        if (e == CQL_OK)
            *out = f;
        return e;
    }
    enum cql_error_code e = want_type(v, CQL_TYPE_DOUBLE, CQL_TYPE_DOUBLE);
    if (e == CQL_OK && (e = want_size(v, 8)) == CQL_OK) {
        uint64_t bits = cql_load_u64(v->data);
        memcpy(out, &bits, 8);
    }
    return e;
}

enum cql_error_code cql_value_get_float(const struct cql_value *v, float *out)
{
    enum cql_error_code e = want_type(v, CQL_TYPE_FLOAT, CQL_TYPE_FLOAT);
    if (e == CQL_OK && (e = want_size(v, 4)) == CQL_OK) {
        uint32_t bits = cql_load_u32(v->data);
        memcpy(out, &bits, 4);
    }
    return e;
}

enum cql_error_code cql_value_get_text(const struct cql_value *v, const char **s, size_t *len)
{
    enum cql_error_code e = want_type(v, CQL_TYPE_VARCHAR, CQL_TYPE_ASCII);
    if (e == CQL_OK) {
        *s = (const char *)v->data;
        *len = (size_t)v->len;
    }
    return e;
}

enum cql_error_code cql_value_get_bytes(const struct cql_value *v, const uint8_t **p, size_t *len)
{
    if (cql_value_is_null(v))
        return CQL_ERR_TYPE_MISMATCH;
    *p = v->data;
    *len = (size_t)v->len;
    return CQL_OK;
}

enum cql_error_code cql_value_get_uuid(const struct cql_value *v, struct cql_uuid *out)
{
    enum cql_error_code e = want_type(v, CQL_TYPE_UUID, CQL_TYPE_TIMEUUID);
    if (e == CQL_OK && (e = want_size(v, 16)) == CQL_OK)
        memcpy(out->bytes, v->data, 16);
    return e;
}

enum cql_error_code cql_value_get_timestamp(const struct cql_value *v, int64_t *ms)
{
    enum cql_error_code e = want_type(v, CQL_TYPE_TIMESTAMP, CQL_TYPE_TIMESTAMP);
    if (e == CQL_OK && (e = want_size(v, 8)) == CQL_OK)
        *ms = (int64_t)cql_load_u64(v->data);
    return e;
}

enum cql_error_code cql_value_get_date(const struct cql_value *v, int64_t *days)
{
    enum cql_error_code e = want_type(v, CQL_TYPE_DATE, CQL_TYPE_DATE);
    if (e == CQL_OK && (e = want_size(v, 4)) == CQL_OK)
        *days = (int64_t)cql_load_u32(v->data) - ((int64_t)1 << 31);
    return e;
}

enum cql_error_code cql_value_get_time(const struct cql_value *v, int64_t *ns)
{
    enum cql_error_code e = want_type(v, CQL_TYPE_TIME, CQL_TYPE_TIME);
    if (e == CQL_OK && (e = want_size(v, 8)) == CQL_OK)
        *ns = (int64_t)cql_load_u64(v->data);
    return e;
}

enum cql_error_code cql_value_get_inet(const struct cql_value *v, uint8_t addr[16], size_t *len)
{
    enum cql_error_code e = want_type(v, CQL_TYPE_INET, CQL_TYPE_INET);
    if (e != CQL_OK)
        return e;
    if (v->len != 4 && v->len != 16)
        return CQL_ERR_PROTOCOL;
    memcpy(addr, v->data, (size_t)v->len);
    *len = (size_t)v->len;
    return CQL_OK;
}

/* ---- collections ------------------------------------------------------------------------- */

enum cql_error_code cql_value_iter_init(const struct cql_value *v, struct cql_iter *it)
{
    memset(it, 0, sizeof *it);
    if (cql_value_is_null(v))
        return CQL_ERR_TYPE_MISMATCH;
    it->parent = v;
    it->pos = v->data;
    it->end = v->data + v->len;
    switch (v->type->id) {
    case CQL_TYPE_LIST:
    case CQL_TYPE_SET:
    case CQL_TYPE_MAP: {
        if (v->len < 4)
            return CQL_ERR_PROTOCOL;
        int32_t n = (int32_t)cql_load_u32(v->data);
        it->pos += 4;
        /* each element is at least a 4-byte length: bound n by the bytes present */
        size_t per = v->type->id == CQL_TYPE_MAP ? 2 : 1;
        if (n < 0 || (size_t)n * per > (size_t)(it->end - it->pos) / 4)
            return CQL_ERR_PROTOCOL;
        it->count = (size_t)n * per;
        return CQL_OK;
    }
    case CQL_TYPE_TUPLE:
    case CQL_TYPE_UDT:
        it->count = v->type->nsub;
        return CQL_OK;
    default:
        return CQL_ERR_TYPE_MISMATCH;
    }
}

bool cql_iter_next(struct cql_iter *it, struct cql_value *elem)
{
    if (!it->parent || it->index >= it->count)
        return false;
    const struct cql_data_type *t = it->parent->type;
    const struct cql_data_type *et;
    if (t->id == CQL_TYPE_MAP)
        et = t->sub[it->index % 2];
    else if (t->id == CQL_TYPE_LIST || t->id == CQL_TYPE_SET)
        et = t->sub[0];
    else
        et = t->sub[it->index];
    /* a UDT value may carry fewer fields than its type: the missing ones are null */
    if (t->id == CQL_TYPE_UDT && it->pos == it->end) {
        *elem = (struct cql_value){et, NULL, -1};
        it->index++;
        return true;
    }
    if (it->end - it->pos < 4)
        return false;
    int32_t len = (int32_t)cql_load_u32(it->pos);
    it->pos += 4;
    if (len >= 0 && len > it->end - it->pos)
        return false;
    *elem = (struct cql_value){et, len >= 0 ? it->pos : NULL, len < 0 ? -1 : len};
    if (len > 0)
        it->pos += len;
    it->index++;
    return true;
}

/* ---- printing ---------------------------------------------------------------------------- */

static void print_hex(const uint8_t *p, size_t len, struct up_buf *out)
{
    static const char hex[] = "0123456789abcdef";
    up_buf_reserve(out, 2 + len * 2);
    up_buf_puts(out, "0x");
    for (size_t i = 0; i < len; i++) {
        char two[2] = {hex[p[i] >> 4], hex[p[i] & 15]};
        up_buf_append(out, two, 2);
    }
}

/* Text for a terminal: control characters and invalid UTF-8 become escapes; quote doubles
 * the given quote character (cqlsh's '' inside collections). */
static void print_text_escaped(const char *s, size_t len, char quote, struct up_buf *out)
{
    size_t i = 0;
    while (i < len) {
        unsigned char ch = (unsigned char)s[i];
        size_t n = up_utf8_sequence_len((const unsigned char *)s + i, len - i);
        if (n == 0) {
            up_buf_printf(out, "\\x%02x", ch);
            i++;
        } else if (n > 1) {
            up_buf_append(out, s + i, n);
            i += n;
        } else {
            if (ch == '\n')
                up_buf_puts(out, "\\n");
            else if (ch == '\t')
                up_buf_puts(out, "\\t");
            else if (ch == '\r')
                up_buf_puts(out, "\\r");
            else if (ch < 0x20 || ch == 0x7f)
                up_buf_printf(out, "\\x%02x", ch);
            else if (quote && ch == (unsigned char)quote) {
                up_buf_putc(out, quote);
                up_buf_putc(out, quote);
            } else
                up_buf_putc(out, (char)ch);
            i++;
        }
    }
}

/* cqlsh's rule (formatting.py, format_floating_point_type): 5 significant digits, widened
 * by the integer digits when %g would not switch to an exponent, so 3.14159265 prints
 * 3.14159 and 123.45 stays 123.45. JSON gets round-trip precision. */
#define CQLSH_FLOAT_PRECISION 5

static void print_double(double d, bool single, enum cql_print_style style, struct up_buf *out)
{
    const char *special = NULL;
    if (isnan(d))
        special = "NaN";
    else if (isinf(d))
        special = d > 0 ? "Infinity" : "-Infinity";
    if (special) {
        up_buf_printf(out, style == CQL_PRINT_JSON ? "\"%s\"" : "%s", special);
        return;
    }
    if (style == CQL_PRINT_JSON) {
        up_buf_printf(out, "%.*g", single ? 9 : 17, d);
        return;
    }
    int precision = CQLSH_FLOAT_PRECISION;
    if (fabs(d) > DBL_EPSILON) {
        int exponent = (int)log10(fabs(d)); /* truncated toward zero, as Python's int() */
        if (exponent >= -4 && exponent < precision)
            precision += exponent + 1;
    }
    up_buf_printf(out, "%.*g", precision, d);
}

static void print_timestamp(int64_t ms, enum cql_print_style style, struct up_buf *out)
{
    int64_t days = floor_div(ms, 86400000), rem = ms - days * 86400000;
    int64_t year;
    unsigned month, day;
    cql_civil_from_days(days, &year, &month, &day);
    if (year < 1 || year > 9999) { /* cqlsh prints the raw number outside datetime's range */
        up_buf_printf(out, "%lld", (long long)ms);
        return;
    }
    unsigned h = (unsigned)(rem / 3600000), mi = (unsigned)(rem / 60000 % 60),
             sec = (unsigned)(rem / 1000 % 60), msec = (unsigned)(rem % 1000);
    if (style == CQL_PRINT_JSON)
        up_buf_printf(out, "\"%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ\"", (long long)year, month, day,
                      h, mi, sec, msec);
    else
        up_buf_printf(out, "%04lld-%02u-%02u %02u:%02u:%02u.%03u000+0000", (long long)year, month,
                      day, h, mi, sec, msec);
}

static void print_date(uint32_t raw, enum cql_print_style style, struct up_buf *out)
{
    int64_t days = (int64_t)raw - ((int64_t)1 << 31);
    int64_t year;
    unsigned month, day;
    cql_civil_from_days(days, &year, &month, &day);
    const char *q = style == CQL_PRINT_JSON ? "\"" : "";
    if (year < 1 || year > 9999)
        up_buf_printf(out, "%s%lld%s", q, (long long)days, q);
    else
        up_buf_printf(out, "%s%04lld-%02u-%02u%s", q, (long long)year, month, day, q);
}

static bool print_time(int64_t ns, enum cql_print_style style, struct up_buf *out)
{
    if (ns < 0 || ns > 86399999999999LL)
        return false;
    const char *q = style == CQL_PRINT_JSON ? "\"" : "";
    up_buf_printf(out, "%s%02lld:%02lld:%02lld.%09lld%s", q, (long long)(ns / 3600000000000LL),
                  (long long)(ns / 60000000000LL % 60), (long long)(ns / 1000000000LL % 60),
                  (long long)(ns % 1000000000LL), q);
    return true;
}

/* Cassandra's unsigned vint: the count of leading 1 bits in the first byte says how many
 * extra bytes follow; signed values are zig-zag encoded. */
static bool read_vint(const uint8_t **p, const uint8_t *end, int64_t *out)
{
    if (*p >= end)
        return false;
    uint8_t first = **p;
    int extra = 0;
    while (extra < 8 && (first & (0x80 >> extra)))
        extra++;
    if (end - *p < 1 + extra)
        return false;
    uint64_t v = extra == 8 ? 0 : (first & (0xFF >> (extra + 1)));
    for (int i = 1; i <= extra; i++)
        v = (v << 8) | (*p)[i];
    *p += 1 + extra;
    *out = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
    return true;
}

static bool print_duration(const struct cql_value *v, enum cql_print_style style,
                           struct up_buf *out)
{
    const uint8_t *p = v->data, *end = v->data + v->len;
    int64_t months, days, nanos;
    if (!read_vint(&p, end, &months) || !read_vint(&p, end, &days) || !read_vint(&p, end, &nanos) ||
        p != end)
        return false;
    const char *q = style == CQL_PRINT_JSON ? "\"" : "";
    up_buf_printf(out, "%s%lldmo%lldd%lldns%s", q, (long long)months, (long long)days,
                  (long long)nanos, q);
    return true;
}

static bool print_decimal(const struct cql_value *v, enum cql_print_style style, struct up_buf *out)
{
    if (v->len < 5)
        return false;
    int32_t scale = (int32_t)cql_load_u32(v->data);
    struct up_buf digits = UP_BUF_INIT;
    if (!cql_varint_to_text(v->data + 4, (size_t)v->len - 4, &digits)) {
        up_buf_free(&digits);
        return false;
    }
    const char *d = digits.data;
    bool neg = d[0] == '-';
    if (neg)
        d++;
    size_t n = strlen(d);
    (void)style; /* a decimal's text is a valid JSON number in every form below */
    if (neg)
        up_buf_putc(out, '-');
    if (scale <= 0) {
        up_buf_puts(out, d);
        if (scale < 0)
            up_buf_printf(out, "E+%lld", -(long long)scale);
    } else if ((size_t)scale < n) {
        up_buf_append(out, d, n - (size_t)scale);
        up_buf_putc(out, '.');
        up_buf_puts(out, d + n - (size_t)scale);
    } else if (scale - (int64_t)n <= 32) {
        up_buf_puts(out, "0.");
        for (int64_t i = 0; i < scale - (int64_t)n; i++)
            up_buf_putc(out, '0');
        up_buf_puts(out, d);
    } else {
        up_buf_printf(out, "%sE-%d", d, scale);
    }
    up_buf_free(&digits);
    return true;
}

static bool print_value(const struct cql_value *v, enum cql_print_style style, bool nested,
                        struct up_buf *out);

static bool print_collection(const struct cql_value *v, enum cql_print_style style,
                             struct up_buf *out)
{
    struct cql_iter it;
    if (cql_value_iter_init(v, &it) != CQL_OK)
        return false;
    enum cql_type_id id = v->type->id;
    bool json = style == CQL_PRINT_JSON;
    bool as_object = id == CQL_TYPE_UDT || (id == CQL_TYPE_MAP);
    const char *open, *close;
    if (json) {
        open = as_object ? "{" : "[";
        close = as_object ? "}" : "]";
    } else {
        open = id == CQL_TYPE_LIST ? "[" : id == CQL_TYPE_TUPLE ? "(" : "{";
        close = id == CQL_TYPE_LIST ? "]" : id == CQL_TYPE_TUPLE ? ")" : "}";
    }
    up_buf_puts(out, open);
    struct cql_value elem;
    while (cql_iter_next(&it, &elem)) {
        size_t i = it.index - 1;
        bool is_key = id == CQL_TYPE_MAP && i % 2 == 0;
        if (i > 0 && json)
            up_buf_putc(out, id == CQL_TYPE_MAP && !is_key ? ':' : ',');
        else if (i > 0)
            up_buf_puts(out, id == CQL_TYPE_MAP && !is_key ? ": " : ", ");
        if (id == CQL_TYPE_UDT) {
            const char *name = v->type->fields[i];
            if (json) {
                up_buf_putc(out, '"');
                up_buf_json_escape(out, name, strlen(name));
                up_buf_puts(out, "\":");
            } else {
                up_buf_printf(out, "%s: ", name);
            }
        }
        if (json && is_key) { /* JSON object keys must be strings */
            bool textual = elem.type->id == CQL_TYPE_VARCHAR || elem.type->id == CQL_TYPE_ASCII;
            if (textual && !cql_value_is_null(&elem)) {
                if (!print_value(&elem, style, true, out))
                    return false;
            } else {
                struct up_buf key = UP_BUF_INIT;
                bool ok = print_value(&elem, CQL_PRINT_TEXT, true, &key);
                up_buf_putc(out, '"');
                up_buf_json_escape(out, key.data ? key.data : "", key.len);
                up_buf_putc(out, '"');
                up_buf_free(&key);
                if (!ok)
                    return false;
            }
        } else if (!print_value(&elem, style, true, out)) {
            return false;
        }
    }
    if (it.index != it.count || (id != CQL_TYPE_UDT && it.pos != it.end))
        return false;
    up_buf_puts(out, close);
    return true;
}

static bool print_text(const struct cql_value *v, enum cql_print_style style, bool nested,
                       struct up_buf *out)
{
    const char *s = (const char *)v->data;
    size_t len = (size_t)v->len;
    if (v->type->id == CQL_TYPE_ASCII) {
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)s[i] > 127)
                return false;
    }
    if (style == CQL_PRINT_JSON) {
        up_buf_putc(out, '"');
        up_buf_json_escape(out, s, len);
        up_buf_putc(out, '"');
    } else if (nested) {
        up_buf_putc(out, '\'');
        print_text_escaped(s, len, '\'', out);
        up_buf_putc(out, '\'');
    } else if (style == CQL_PRINT_TEXT) {
        up_buf_append(out, s, len);
    } else {
        print_text_escaped(s, len, 0, out);
    }
    return true;
}

static bool print_fixed(const struct cql_value *v, enum cql_print_style style, struct up_buf *out)
{
    bool json = style == CQL_PRINT_JSON;
    const uint8_t *p = v->data;
    switch (v->type->id) {
    case CQL_TYPE_BOOLEAN:
        if (v->len != 1)
            return false;
        up_buf_puts(out, json ? (p[0] ? "true" : "false") : (p[0] ? "True" : "False"));
        return true;
    case CQL_TYPE_FLOAT: {
        float f;
        if (cql_value_get_float(v, &f) != CQL_OK)
            return false;
        print_double(f, true, style, out);
        return true;
    }
    case CQL_TYPE_DOUBLE: {
        double d;
        if (cql_value_get_double(v, &d) != CQL_OK)
            return false;
        print_double(d, false, style, out);
        return true;
    }
    case CQL_TYPE_TIMESTAMP:
        if (v->len != 8)
            return false;
        print_timestamp((int64_t)cql_load_u64(p), style, out);
        return true;
    case CQL_TYPE_DATE:
        if (v->len != 4)
            return false;
        print_date(cql_load_u32(p), style, out);
        return true;
    case CQL_TYPE_TIME:
        return v->len == 8 && print_time((int64_t)cql_load_u64(p), style, out);
    case CQL_TYPE_UUID:
    case CQL_TYPE_TIMEUUID: {
        struct cql_uuid u;
        char text[37];
        if (v->len != 16)
            return false;
        memcpy(u.bytes, p, 16);
        cql_uuid_format(&u, text);
        up_buf_printf(out, json ? "\"%s\"" : "%s", text);
        return true;
    }
    case CQL_TYPE_INET: {
        char ip[INET6_ADDRSTRLEN];
        if (v->len != 4 && v->len != 16)
            return false;
        inet_ntop(v->len == 4 ? AF_INET : AF_INET6, p, ip, sizeof ip);
        up_buf_printf(out, json ? "\"%s\"" : "%s", ip);
        return true;
    }
    default: {
        int64_t n;
        if (cql_value_get_int64(v, &n) != CQL_OK)
            return false;
        up_buf_printf(out, "%lld", (long long)n);
        return true;
    }
    }
}

static bool print_value(const struct cql_value *v, enum cql_print_style style, bool nested,
                        struct up_buf *out)
{
    bool json = style == CQL_PRINT_JSON;
    if (cql_value_is_null(v)) {
        if (json || style == CQL_PRINT_CQLSH || nested)
            up_buf_puts(out, "null");
        return true;
    }
    switch (v->type->id) {
    case CQL_TYPE_ASCII:
    case CQL_TYPE_VARCHAR:
        return print_text(v, style, nested, out);
    case CQL_TYPE_BLOB:
    case CQL_TYPE_CUSTOM:
        if (json)
            up_buf_putc(out, '"');
        print_hex(v->data, (size_t)v->len, out);
        if (json)
            up_buf_putc(out, '"');
        return true;
    case CQL_TYPE_VARINT:
        return cql_varint_to_text(v->data, (size_t)v->len, out);
    case CQL_TYPE_DECIMAL:
        return print_decimal(v, style, out);
    case CQL_TYPE_DURATION:
        return print_duration(v, style, out);
    case CQL_TYPE_LIST:
    case CQL_TYPE_SET:
    case CQL_TYPE_MAP:
    case CQL_TYPE_TUPLE:
    case CQL_TYPE_UDT:
        return print_collection(v, style, out);
    default:
        return print_fixed(v, style, out);
    }
}

void cql_value_print(const struct cql_value *v, enum cql_print_style style, struct up_buf *out)
{
    size_t mark = out->len;
    if (print_value(v, style, false, out))
        return;
    /* malformed bytes for the type: show them rather than fail */
    out->len = mark;
    if (out->data)
        out->data[mark] = '\0';
    if (style == CQL_PRINT_JSON)
        up_buf_putc(out, '"');
    print_hex(v->data, v->len > 0 ? (size_t)v->len : 0, out);
    if (style == CQL_PRINT_JSON)
        up_buf_putc(out, '"');
}
