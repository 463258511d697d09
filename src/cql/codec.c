/* codec: CQL v4 frames and primitive types, bytes in and bytes out. */
#include "cql/codec.h"

#include <arpa/inet.h>
#include <lz4.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cql_opcode_name(uint8_t opcode)
{
    static const char *const names[] = {
        [CQL_OP_ERROR] = "ERROR",
        [CQL_OP_STARTUP] = "STARTUP",
        [CQL_OP_READY] = "READY",
        [CQL_OP_AUTHENTICATE] = "AUTHENTICATE",
        [CQL_OP_OPTIONS] = "OPTIONS",
        [CQL_OP_SUPPORTED] = "SUPPORTED",
        [CQL_OP_QUERY] = "QUERY",
        [CQL_OP_RESULT] = "RESULT",
        [CQL_OP_PREPARE] = "PREPARE",
        [CQL_OP_EXECUTE] = "EXECUTE",
        [CQL_OP_REGISTER] = "REGISTER",
        [CQL_OP_EVENT] = "EVENT",
        [CQL_OP_BATCH] = "BATCH",
        [CQL_OP_AUTH_CHALLENGE] = "AUTH_CHALLENGE",
        [CQL_OP_AUTH_RESPONSE] = "AUTH_RESPONSE",
        [CQL_OP_AUTH_SUCCESS] = "AUTH_SUCCESS",
    };
    if (opcode < sizeof names / sizeof names[0] && names[opcode])
        return names[opcode];
    return "UNKNOWN";
}

/* ---- big-endian helpers ------------------------------------------------------------------ */

void cql_store_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

void cql_store_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

void cql_store_u64(uint8_t *p, uint64_t v)
{
    cql_store_u32(p, (uint32_t)(v >> 32));
    cql_store_u32(p + 4, (uint32_t)v);
}

uint16_t cql_load_u16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

uint32_t cql_load_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

uint64_t cql_load_u64(const uint8_t *p)
{
    return ((uint64_t)cql_load_u32(p) << 32) | cql_load_u32(p + 4);
}

/* ---- reader ------------------------------------------------------------------------------ */

void cql_reader_init(struct cql_reader *r, size_t max_frame)
{
    memset(r, 0, sizeof *r);
    r->max_frame = max_frame ? max_frame : CQL_DEFAULT_MAX_FRAME;
    if (r->max_frame > CQL_SPEC_MAX_FRAME)
        r->max_frame = CQL_SPEC_MAX_FRAME;
}

void cql_reader_free(struct cql_reader *r)
{
    up_buf_free(&r->in);
    up_buf_free(&r->plain);
    r->start = 0;
}

/* Moves unconsumed bytes to the front once the consumed prefix dominates, so the buffer
 * stays about one frame long instead of growing with everything ever received. */
static void reader_compact(struct cql_reader *r)
{
    if (r->start == 0)
        return;
    size_t left = r->in.len - r->start;
    if (left == 0 && r->in.cap > ((size_t)4 << 20)) {
        up_buf_free(&r->in); /* a big page has gone: give its memory back */
        r->start = 0;
    } else if (left == 0) {
        r->in.len = 0;
        r->start = 0;
    } else if (r->start >= left) {
        memmove(r->in.data, r->in.data + r->start, left);
        r->in.len = left;
        r->start = 0;
    }
}

uint8_t *cql_reader_space(struct cql_reader *r, size_t want)
{
    reader_compact(r);
    up_buf_reserve(&r->in, want);
    return (uint8_t *)r->in.data + r->in.len;
}

void cql_reader_commit(struct cql_reader *r, size_t n)
{
    r->in.len += n;
    r->in.data[r->in.len] = '\0';
}

void cql_reader_feed(struct cql_reader *r, const void *data, size_t len)
{
    uint8_t *p = cql_reader_space(r, len);
    if (len)
        memcpy(p, data, len);
    cql_reader_commit(r, len);
}

size_t cql_reader_pending(const struct cql_reader *r)
{
    return r->in.len - r->start;
}

static int reader_fail(struct cql_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int reader_fail(struct cql_reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
    r->failed = true;
    return -1;
}

int cql_reader_next(struct cql_reader *r, struct cql_frame *out)
{
    if (r->failed)
        return -1;
    size_t avail = r->in.len - r->start;
    if (avail < CQL_HEADER_LEN)
        return 0;
    const uint8_t *h = (const uint8_t *)r->in.data + r->start;
    if (h[0] != CQL_VERSION_RESPONSE)
        return reader_fail(r,
                           "unexpected protocol version byte 0x%02x (want 0x84, a v4 response); "
                           "is this a Cassandra native-protocol port?",
                           h[0]);
    int32_t len = (int32_t)cql_load_u32(h + 5);
    if (len < 0)
        return reader_fail(r, "negative frame length %d", len);
    if ((size_t)len > r->max_frame)
        return reader_fail(r, "frame body of %d bytes exceeds the %zu-byte limit (max_frame_bytes)",
                           len, r->max_frame);
    if (avail < CQL_HEADER_LEN + (size_t)len)
        return 0;
    out->version = h[0];
    out->flags = h[1];
    out->stream = (int16_t)cql_load_u16(h + 2);
    out->opcode = h[4];
    out->body = h + CQL_HEADER_LEN;
    out->len = (size_t)len;
    r->start += CQL_HEADER_LEN + (size_t)len;
    if (out->flags & CQL_FLAG_COMPRESSION) {
        if (!r->compression)
            return reader_fail(r, "compressed frame received but no compression was negotiated");
        char err[128];
        if (cql_lz4_decompress(out->body, out->len, r->max_frame, &r->plain, err, sizeof err) != 0)
            return reader_fail(r, "%s", err);
        out->body = (const uint8_t *)r->plain.data;
        out->len = r->plain.len;
        out->flags &= (uint8_t)~CQL_FLAG_COMPRESSION;
    }
    return 1;
}

/* ---- LZ4 --------------------------------------------------------------------------------- */

void cql_lz4_compress(const uint8_t *src, size_t len, struct up_buf *out)
{
    int bound = LZ4_compressBound((int)len);
    up_buf_reserve(out, 4 + (size_t)bound);
    uint8_t *dst = (uint8_t *)out->data + out->len;
    cql_store_u32(dst, (uint32_t)len);
    int n = LZ4_compress_default((const char *)src, (char *)dst + 4, (int)len, bound);
    /* With a bound-sized destination LZ4 cannot fail; a 0 here is a broken library. */
    if (n <= 0)
        abort();
    out->len += 4 + (size_t)n;
    out->data[out->len] = '\0';
}

int cql_lz4_decompress(const uint8_t *src, size_t len, size_t max_len, struct up_buf *out,
                       char *err, size_t errsize)
{
    up_buf_clear(out);
    if (len < 4) {
        snprintf(err, errsize, "compressed body of %zu bytes lacks its 4-byte length", len);
        return -1;
    }
    uint32_t plain = cql_load_u32(src);
    if (plain > max_len || plain > (uint32_t)INT32_MAX) {
        snprintf(err, errsize, "uncompressed length %u exceeds the %zu-byte limit", plain, max_len);
        return -1;
    }
    if (len - 4 > (size_t)INT32_MAX) {
        snprintf(err, errsize, "compressed body too large");
        return -1;
    }
    up_buf_reserve(out, plain);
    int n = LZ4_decompress_safe((const char *)src + 4, out->data, (int)(len - 4), (int)plain);
    if (n < 0 || (uint32_t)n != plain) {
        snprintf(err, errsize,
                 "LZ4 block is corrupt or its length (%d) differs from the %u announced", n, plain);
        return -1;
    }
    out->len = plain;
    out->data[plain] = '\0';
    return 0;
}

/* ---- writers ----------------------------------------------------------------------------- */

size_t cql_frame_write(struct up_buf *out, uint8_t opcode, int16_t stream, const uint8_t *body,
                       size_t len, bool compress, struct up_buf *scratch)
{
    size_t at = out->len;
    up_buf_reserve(out, CQL_HEADER_LEN + len);
    uint8_t *h = (uint8_t *)out->data + at;
    h[0] = CQL_VERSION_REQUEST;
    h[1] = compress ? CQL_FLAG_COMPRESSION : 0;
    cql_store_u16(h + 2, (uint16_t)stream);
    h[4] = opcode;
    out->len += CQL_HEADER_LEN;
    if (compress) {
        up_buf_clear(scratch);
        cql_lz4_compress(body, len, scratch);
        up_buf_append(out, scratch->data, scratch->len);
    } else {
        up_buf_append(out, body, len);
    }
    size_t body_len = out->len - at - CQL_HEADER_LEN;
    cql_store_u32((uint8_t *)out->data + at + 5, (uint32_t)body_len);
    return out->len - at;
}

void cql_put_byte(struct up_buf *b, uint8_t v)
{
    up_buf_append(b, &v, 1);
}

void cql_put_short(struct up_buf *b, uint16_t v)
{
    uint8_t p[2];
    cql_store_u16(p, v);
    up_buf_append(b, p, 2);
}

void cql_put_int(struct up_buf *b, int32_t v)
{
    uint8_t p[4];
    cql_store_u32(p, (uint32_t)v);
    up_buf_append(b, p, 4);
}

void cql_put_long(struct up_buf *b, int64_t v)
{
    uint8_t p[8];
    cql_store_u64(p, (uint64_t)v);
    up_buf_append(b, p, 8);
}

int cql_put_string(struct up_buf *b, const char *s, size_t len)
{
    if (len > UINT16_MAX)
        return -1;
    cql_put_short(b, (uint16_t)len);
    up_buf_append(b, s, len);
    return 0;
}

int cql_put_long_string(struct up_buf *b, const char *s, size_t len)
{
    if (len > INT32_MAX)
        return -1;
    cql_put_int(b, (int32_t)len);
    up_buf_append(b, s, len);
    return 0;
}

int cql_put_short_bytes(struct up_buf *b, const uint8_t *p, size_t len)
{
    return cql_put_string(b, (const char *)p, len);
}

void cql_put_bytes(struct up_buf *b, const uint8_t *p, int32_t len)
{
    cql_put_int(b, len);
    if (len > 0)
        up_buf_append(b, p, (size_t)len);
}

int cql_put_string_list(struct up_buf *b, const char *const *items, size_t n)
{
    if (n > UINT16_MAX)
        return -1;
    size_t mark = b->len;
    cql_put_short(b, (uint16_t)n);
    for (size_t i = 0; i < n; i++) {
        if (cql_put_string(b, items[i], strlen(items[i])) != 0) {
            b->len = mark;
            return -1;
        }
    }
    return 0;
}

int cql_put_string_map(struct up_buf *b, const char *const *keys, const char *const *values,
                       size_t n)
{
    if (n > UINT16_MAX)
        return -1;
    size_t mark = b->len;
    cql_put_short(b, (uint16_t)n);
    for (size_t i = 0; i < n; i++) {
        if (cql_put_string(b, keys[i], strlen(keys[i])) != 0 ||
            cql_put_string(b, values[i], strlen(values[i])) != 0) {
            b->len = mark;
            return -1;
        }
    }
    return 0;
}

/* ---- cursor ------------------------------------------------------------------------------ */

void cql_cursor_init(struct cql_cursor *c, const uint8_t *p, size_t len)
{
    c->p = p;
    c->end = p + len;
    c->failed = false;
}

size_t cql_cursor_left(const struct cql_cursor *c)
{
    return c->failed ? 0 : (size_t)(c->end - c->p);
}

bool cql_get_raw(struct cql_cursor *c, size_t n, const uint8_t **p)
{
    if (c->failed || (size_t)(c->end - c->p) < n) {
        c->failed = true;
        return false;
    }
    *p = c->p;
    c->p += n;
    return true;
}

bool cql_get_byte(struct cql_cursor *c, uint8_t *v)
{
    const uint8_t *p;
    if (!cql_get_raw(c, 1, &p))
        return false;
    *v = p[0];
    return true;
}

bool cql_get_short(struct cql_cursor *c, uint16_t *v)
{
    const uint8_t *p;
    if (!cql_get_raw(c, 2, &p))
        return false;
    *v = cql_load_u16(p);
    return true;
}

bool cql_get_int(struct cql_cursor *c, int32_t *v)
{
    const uint8_t *p;
    if (!cql_get_raw(c, 4, &p))
        return false;
    *v = (int32_t)cql_load_u32(p);
    return true;
}

bool cql_get_long(struct cql_cursor *c, int64_t *v)
{
    const uint8_t *p;
    if (!cql_get_raw(c, 8, &p))
        return false;
    *v = (int64_t)cql_load_u64(p);
    return true;
}

bool cql_get_string(struct cql_cursor *c, const char **s, size_t *len)
{
    uint16_t n;
    const uint8_t *p;
    if (!cql_get_short(c, &n) || !cql_get_raw(c, n, &p))
        return false;
    *s = (const char *)p;
    *len = n;
    return true;
}

bool cql_get_long_string(struct cql_cursor *c, const char **s, size_t *len)
{
    int32_t n;
    const uint8_t *p;
    if (!cql_get_int(c, &n))
        return false;
    if (n < 0) {
        c->failed = true;
        return false;
    }
    if (!cql_get_raw(c, (size_t)n, &p))
        return false;
    *s = (const char *)p;
    *len = (size_t)n;
    return true;
}

bool cql_get_string_dup(struct cql_cursor *c, char **out)
{
    const char *s;
    size_t len;
    if (!cql_get_string(c, &s, &len))
        return false;
    *out = up_xstrndup(s, len);
    return true;
}

bool cql_get_bytes(struct cql_cursor *c, const uint8_t **p, int32_t *len)
{
    if (!cql_get_int(c, len))
        return false;
    if (*len < 0) {
        *p = NULL;
        return true;
    }
    return cql_get_raw(c, (size_t)*len, p);
}

bool cql_get_short_bytes(struct cql_cursor *c, const uint8_t **p, size_t *len)
{
    uint16_t n;
    if (!cql_get_short(c, &n) || !cql_get_raw(c, n, p))
        return false;
    *len = n;
    return true;
}

bool cql_get_inet(struct cql_cursor *c, uint8_t addr[16], size_t *addr_len, int32_t *port)
{
    uint8_t n;
    const uint8_t *p;
    if (!cql_get_byte(c, &n))
        return false;
    if (n != 4 && n != 16) {
        c->failed = true;
        return false;
    }
    if (!cql_get_raw(c, n, &p) || !cql_get_int(c, port))
        return false;
    memcpy(addr, p, n);
    *addr_len = n;
    return true;
}

bool cql_get_string_list(struct cql_cursor *c, char ***items, size_t *n)
{
    uint16_t count;
    *items = NULL;
    *n = 0;
    if (!cql_get_short(c, &count))
        return false;
    /* each [string] takes at least its 2-byte length: bound the array by what is left */
    if ((size_t)count * 2 > cql_cursor_left(c)) {
        c->failed = true;
        return false;
    }
    char **list = up_xcalloc(count ? count : 1, sizeof *list);
    for (size_t i = 0; i < count; i++) {
        if (!cql_get_string_dup(c, &list[i])) {
            cql_strings_free(list, i);
            return false;
        }
    }
    *items = list;
    *n = count;
    return true;
}

void cql_strings_free(char **items, size_t n)
{
    if (!items)
        return;
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    free(items);
}

static bool skip_bytes_map(struct cql_cursor *c)
{
    uint16_t n;
    if (!cql_get_short(c, &n))
        return false;
    for (size_t i = 0; i < n; i++) {
        const char *k;
        size_t klen;
        const uint8_t *v;
        int32_t vlen;
        if (!cql_get_string(c, &k, &klen) || !cql_get_bytes(c, &v, &vlen))
            return false;
    }
    return true;
}

bool cql_skip_response_prefix(struct cql_cursor *c, uint8_t flags, char ***warnings,
                              size_t *nwarnings)
{
    const uint8_t *p;
    if (warnings) {
        *warnings = NULL;
        *nwarnings = 0;
    }
    if ((flags & CQL_FLAG_TRACING) && !cql_get_raw(c, 16, &p))
        return false;
    if (flags & CQL_FLAG_WARNING) {
        char **list;
        size_t n;
        if (!cql_get_string_list(c, &list, &n))
            return false;
        if (warnings) {
            *warnings = list;
            *nwarnings = n;
        } else {
            cql_strings_free(list, n);
        }
    }
    if ((flags & CQL_FLAG_CUSTOM_PAYLOAD) && !skip_bytes_map(c)) {
        if (warnings) {
            cql_strings_free(*warnings, *nwarnings);
            *warnings = NULL;
            *nwarnings = 0;
        }
        return false;
    }
    return true;
}

void cql_format_inet(const uint8_t *addr, size_t len, int32_t port, char *out, size_t size)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    if (len == 4)
        inet_ntop(AF_INET, addr, ip, sizeof ip);
    else if (len == 16)
        inet_ntop(AF_INET6, addr, ip, sizeof ip);
    if (len == 16)
        snprintf(out, size, "[%s]:%d", ip, (int)port);
    else
        snprintf(out, size, "%s:%d", ip, (int)port);
}
