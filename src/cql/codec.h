/* codec: the CQL v4 frame layer, bytes only (no sockets, no clocks). Feed received bytes
 * to a cql_reader and pull complete frames out (LZ4 bodies decompressed); encode requests
 * into a core/buf with the primitive writers; read bodies with a bounded cursor whose error
 * is sticky. Every length that comes off the wire is checked before it is used. */
#ifndef UP_CQL_CODEC_H
#define UP_CQL_CODEC_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CQL_HEADER_LEN        9
#define CQL_VERSION_REQUEST   0x04
#define CQL_VERSION_RESPONSE  0x84
#define CQL_MAX_STREAMS       32768
#define CQL_DEFAULT_MAX_FRAME (16 * 1024 * 1024)
/* The spec's own ceiling ("currently a frame is limited to 256MB"). */
#define CQL_SPEC_MAX_FRAME (256 * 1024 * 1024)

enum cql_opcode {
    CQL_OP_ERROR = 0x00,
    CQL_OP_STARTUP = 0x01,
    CQL_OP_READY = 0x02,
    CQL_OP_AUTHENTICATE = 0x03,
    CQL_OP_OPTIONS = 0x05,
    CQL_OP_SUPPORTED = 0x06,
    CQL_OP_QUERY = 0x07,
    CQL_OP_RESULT = 0x08,
    CQL_OP_PREPARE = 0x09,
    CQL_OP_EXECUTE = 0x0A,
    CQL_OP_REGISTER = 0x0B,
    CQL_OP_EVENT = 0x0C,
    CQL_OP_BATCH = 0x0D,
    CQL_OP_AUTH_CHALLENGE = 0x0E,
    CQL_OP_AUTH_RESPONSE = 0x0F,
    CQL_OP_AUTH_SUCCESS = 0x10,
};

enum cql_frame_flag {
    CQL_FLAG_COMPRESSION = 0x01,
    CQL_FLAG_TRACING = 0x02,
    CQL_FLAG_CUSTOM_PAYLOAD = 0x04,
    CQL_FLAG_WARNING = 0x08,
};

/* "QUERY", "RESULT", ...; "UNKNOWN" otherwise. */
const char *cql_opcode_name(uint8_t opcode);

/* ---- receiving ---------------------------------------------------------------------------- */

/* One decoded frame. body points into the reader (or its decompression buffer) and stays
 * valid until the next call on that reader. */
struct cql_frame {
    uint8_t version;
    uint8_t flags; /* as received; the body is already decompressed */
    int16_t stream;
    uint8_t opcode;
    const uint8_t *body;
    size_t len;
};

struct cql_reader {
    struct up_buf in;    /* received bytes; in.data[start..in.len) not yet consumed */
    size_t start;        /* consumed prefix, reclaimed lazily */
    size_t max_frame;    /* cap on a body, compressed or not */
    bool compression;    /* LZ4 negotiated: bodies with flag 0x01 are decompressed */
    struct up_buf plain; /* decompression output */
    bool failed;         /* sticky: once set, every call fails */
    char error[160];
};

void cql_reader_init(struct cql_reader *r, size_t max_frame);
void cql_reader_free(struct cql_reader *r);
/* Zero-copy receive: space for at least want bytes (read() into it), then commit n. */
uint8_t *cql_reader_space(struct cql_reader *r, size_t want);
void cql_reader_commit(struct cql_reader *r, size_t n);
/* Copying receive, for tests and fuzzers. */
void cql_reader_feed(struct cql_reader *r, const void *data, size_t len);
/* 1: *out holds the next frame; 0: more bytes needed; -1: the stream is broken (r->error says
 * why: bad version, negative or oversized length, LZ4 failure); the connection must close. */
int cql_reader_next(struct cql_reader *r, struct cql_frame *out);
/* Bytes received but not yet returned as frames. */
size_t cql_reader_pending(const struct cql_reader *r);

/* LZ4 block with the 4-byte big-endian uncompressed length in front (spec §5 as Cassandra
 * implements it). decompress: 0, or -1 with a message (length above max, corrupt block,
 * length mismatch). */
void cql_lz4_compress(const uint8_t *src, size_t len, struct up_buf *out);
int cql_lz4_decompress(const uint8_t *src, size_t len, size_t max_len, struct up_buf *out,
                       char *err, size_t errsize);

/* ---- sending ------------------------------------------------------------------------------ */

/* Appends a whole request frame: header, then the body (LZ4-compressed when compress is
 * true; scratch is reused working space). Returns the bytes appended. */
size_t cql_frame_write(struct up_buf *out, uint8_t opcode, int16_t stream, const uint8_t *body,
                       size_t len, bool compress, struct up_buf *scratch);

/* Primitive writers (spec §3), big-endian. String writers return -1 (writing nothing) when
 * the length does not fit the length prefix. */
void cql_put_byte(struct up_buf *b, uint8_t v);
void cql_put_short(struct up_buf *b, uint16_t v);
void cql_put_int(struct up_buf *b, int32_t v);
void cql_put_long(struct up_buf *b, int64_t v);
int cql_put_string(struct up_buf *b, const char *s, size_t len);
int cql_put_long_string(struct up_buf *b, const char *s, size_t len);
int cql_put_short_bytes(struct up_buf *b, const uint8_t *p, size_t len);
/* [bytes]/[value]: len >= 0 data; -1 null; -2 unset (values only). */
void cql_put_bytes(struct up_buf *b, const uint8_t *p, int32_t len);
int cql_put_string_list(struct up_buf *b, const char *const *items, size_t n);
/* [string map] of n pairs keys[i] -> values[i]. */
int cql_put_string_map(struct up_buf *b, const char *const *keys, const char *const *values,
                       size_t n);

/* Big-endian stores and loads on raw memory. */
void cql_store_u16(uint8_t *p, uint16_t v);
void cql_store_u32(uint8_t *p, uint32_t v);
void cql_store_u64(uint8_t *p, uint64_t v);
uint16_t cql_load_u16(const uint8_t *p);
uint32_t cql_load_u32(const uint8_t *p);
uint64_t cql_load_u64(const uint8_t *p);

/* ---- reading bodies ----------------------------------------------------------------------- */

/* A bounded cursor over a body. Any read past the end sets failed and every later read
 * returns false, so a parser can check once at the end. Strings are not NUL-terminated. */
struct cql_cursor {
    const uint8_t *p, *end;
    bool failed;
};

void cql_cursor_init(struct cql_cursor *c, const uint8_t *p, size_t len);
size_t cql_cursor_left(const struct cql_cursor *c);
bool cql_get_byte(struct cql_cursor *c, uint8_t *v);
bool cql_get_short(struct cql_cursor *c, uint16_t *v);
bool cql_get_int(struct cql_cursor *c, int32_t *v);
bool cql_get_long(struct cql_cursor *c, int64_t *v);
bool cql_get_raw(struct cql_cursor *c, size_t n, const uint8_t **p);
bool cql_get_string(struct cql_cursor *c, const char **s, size_t *len);
bool cql_get_long_string(struct cql_cursor *c, const char **s, size_t *len);
/* [string] copied into a NUL-terminated heap string (free()). */
bool cql_get_string_dup(struct cql_cursor *c, char **out);
/* [bytes]: *len < 0 means null (then *p is NULL). */
bool cql_get_bytes(struct cql_cursor *c, const uint8_t **p, int32_t *len);
bool cql_get_short_bytes(struct cql_cursor *c, const uint8_t **p, size_t *len);
/* [inet]: 4 or 16 address bytes, then the port. */
bool cql_get_inet(struct cql_cursor *c, uint8_t addr[16], size_t *addr_len, int32_t *port);
/* [string list] into a heap array of heap strings (free with cql_strings_free). */
bool cql_get_string_list(struct cql_cursor *c, char ***items, size_t *n);
void cql_strings_free(char **items, size_t n);

/* Response prefixes (spec §2.2): skips the tracing id and the custom payload and collects the
 * warnings (may be NULL to skip them). Leaves c at the message proper. */
bool cql_skip_response_prefix(struct cql_cursor *c, uint8_t flags, char ***warnings,
                              size_t *nwarnings);

/* Formats "ip:port" for a 4- or 16-byte address. */
void cql_format_inet(const uint8_t *addr, size_t len, int32_t port, char *out, size_t size);

#endif
