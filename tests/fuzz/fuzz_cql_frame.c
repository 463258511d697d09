/* libFuzzer target: the frame reader (header checks, length caps, LZ4 bodies) fed in
 * chunks, with each frame's body handed to the parser its opcode calls for.
 * Input: byte 0 picks the chunk size and whether LZ4 was negotiated; the rest is the
 * byte stream a server would send. */
#include "cql/codec.h"
#include "cql/message.h"

#include <stdint.h>
#include <stdlib.h>

static void parse_body(const struct cql_frame *f)
{
    struct cql_result *r;
    struct cql_error err;
    struct cql_event_msg ev;
    switch (f->opcode) {
    case CQL_OP_RESULT:
        if (cql_result_parse(f->body, f->len, f->flags, &r, &err) == 0)
            cql_result_free(r);
        break;
    case CQL_OP_ERROR:
        (void)cql_error_parse(f->body, f->len, f->flags, &err, NULL, NULL);
        break;
    case CQL_OP_EVENT:
        if (cql_event_parse(f->body, f->len, f->flags, &ev) == 0)
            cql_event_msg_free(&ev);
        break;
    case CQL_OP_SUPPORTED:
        (void)cql_supported_has(f->body, f->len, f->flags, "COMPRESSION", "lz4");
        break;
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t chunk = (size_t)(data[0] & 0x3F) + 1;
    struct cql_reader r;
    cql_reader_init(&r, 1 << 20); /* a small cap so the fuzzer reaches it */
    r.compression = data[0] & 0x80;
    struct cql_frame f;
    int rc = 0;
    for (size_t off = 1; off < size && rc >= 0; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        cql_reader_feed(&r, data + off, n);
        while ((rc = cql_reader_next(&r, &f)) == 1)
            parse_body(&f);
    }
    cql_reader_free(&r);
    return 0;
}
