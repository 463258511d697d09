/* Unit tests for cql/codec: golden request frames written by hand from the v4 spec, the
 * frame reader on whole, split, truncated, corrupt and oversized input, LZ4 round trips,
 * the bounded cursor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cql/codec.h"
#include "cql/message.h"

#include <stdlib.h>
#include <string.h>

#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

static void assert_bytes(const struct up_buf *b, const uint8_t *want, size_t len)
{
    assert_int_equal(b->len, len);
    assert_memory_equal(b->data, want, len);
}

/* ---- request frames ---------------------------------------------------------------------- */

static void test_options_frame(void **state)
{
    (void)state;
    struct up_buf out = UP_BUF_INIT, scratch = UP_BUF_INIT;
    /* spec §2: version 0x04, flags 0, stream 1, opcode OPTIONS 0x05, length 0 */
    cql_frame_write(&out, CQL_OP_OPTIONS, 1, NULL, 0, false, &scratch);
    assert_bytes(&out, BYTES(0x04, 0x00, 0x00, 0x01, 0x05, 0x00, 0x00, 0x00, 0x00));
    up_buf_free(&out);
    up_buf_free(&scratch);
}

static void test_startup_frame(void **state)
{
    (void)state;
    struct up_buf body = UP_BUF_INIT, out = UP_BUF_INIT, scratch = UP_BUF_INIT;
    cql_encode_startup(&body, false);
    /* [string map] of one pair: n=1, "CQL_VERSION", "3.0.0" */
    const uint8_t want_body[] = {0x00, 0x01, 0x00, 0x0B, 'C',  'Q',  'L', '_', 'V', 'E', 'R',
                                 'S',  'I',  'O',  'N',  0x00, 0x05, '3', '.', '0', '.', '0'};
    assert_bytes(&body, want_body, sizeof want_body);
    cql_frame_write(&out, CQL_OP_STARTUP, 0, (const uint8_t *)body.data, body.len, false, &scratch);
    const uint8_t want_head[] = {0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x16};
    assert_memory_equal(out.data, want_head, 9);
    assert_memory_equal(out.data + 9, want_body, sizeof want_body);
    up_buf_clear(&body);
    cql_encode_startup(&body, true);
    assert_int_equal(cql_load_u16((const uint8_t *)body.data), 2);
    assert_non_null(memmem(body.data, body.len,
                           "\x00\x0B"
                           "COMPRESSION\x00\x03lz4",
                           18));
    up_buf_free(&body);
    up_buf_free(&out);
    up_buf_free(&scratch);
}

static void test_auth_plain(void **state)
{
    (void)state;
    struct up_buf body = UP_BUF_INIT;
    cql_encode_auth_plain(&body, "bob", "pw");
    /* [bytes] token "\0bob\0pw" (SASL PLAIN with an empty authzid) */
    assert_bytes(&body, BYTES(0x00, 0x00, 0x00, 0x07, 0x00, 'b', 'o', 'b', 0x00, 'p', 'w'));
    up_buf_free(&body);
}

static void test_register_body(void **state)
{
    (void)state;
    struct up_buf body = UP_BUF_INIT;
    cql_encode_register(&body);
    struct cql_cursor c;
    cql_cursor_init(&c, (const uint8_t *)body.data, body.len);
    char **items;
    size_t n;
    assert_true(cql_get_string_list(&c, &items, &n));
    assert_int_equal(n, 3);
    assert_string_equal(items[0], "TOPOLOGY_CHANGE");
    assert_string_equal(items[1], "STATUS_CHANGE");
    assert_string_equal(items[2], "SCHEMA_CHANGE");
    assert_int_equal(cql_cursor_left(&c), 0);
    cql_strings_free(items, n);
    up_buf_free(&body);
}

static void test_query_body(void **state)
{
    (void)state;
    cql_statement *st = cql_statement_new("SELECT 1", 0);
    struct cql_defaults d = {CQL_LOCAL_ONE, CQL_SERIAL};
    struct cql_encoded enc = {0};
    struct cql_error err;
    assert_int_equal(cql_encode_statement(st, &d, &enc, &err), 0);
    assert_int_equal(enc.opcode, CQL_OP_QUERY);
    /* <query>[long string] <consistency=LOCAL_ONE> <flags=0x04 page size> <page size 5000> */
    assert_bytes(&enc.body, BYTES(0x00, 0x00, 0x00, 0x08, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '1',
                                  0x00, 0x0A, 0x04, 0x00, 0x00, 0x13, 0x88));
    cql_statement_set_page_size(st, 0);
    cql_statement_set_consistency(st, CQL_QUORUM);
    assert_int_equal(cql_statement_set_timestamp(st, 0x0102030405060708LL), CQL_OK);
    cql_statement_set_serial_consistency(st, CQL_LOCAL_SERIAL);
    assert_int_equal(cql_statement_set_paging_state_raw(st, BYTES(0xAA, 0xBB)), CQL_OK);
    assert_int_equal(cql_encode_statement(st, &d, &enc, &err), 0);
    /* flags: paging state 0x08 | serial 0x10 | timestamp 0x20 = 0x38 */
    assert_bytes(&enc.body, BYTES(0x00, 0x00, 0x00, 0x08, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '1',
                                  0x00, 0x04, 0x38, 0x00, 0x00, 0x00, 0x02, 0xAA, 0xBB, 0x00, 0x09,
                                  0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08));
    assert_int_equal(cql_statement_set_timestamp(st, -1), CQL_ERR_BAD_PARAMS);
    cql_encoded_free(&enc);
    cql_statement_free(st);
}

static void test_query_values_null_unset(void **state)
{
    (void)state;
    cql_statement *st = cql_statement_new("INSERT INTO t (a, b, c) VALUES (?, ?, ?)", 3);
    cql_statement_set_page_size(st, 0);
    assert_int_equal(cql_statement_bind_int(st, 0, 7), CQL_OK);
    assert_int_equal(cql_statement_bind_null(st, 1), CQL_OK);
    /* index 2 stays unset */
    assert_int_equal(cql_statement_bind_int(st, 3, 1), CQL_ERR_BAD_PARAMS);
    struct cql_defaults d = {CQL_ONE, CQL_SERIAL};
    struct cql_encoded enc = {0};
    struct cql_error err;
    assert_int_equal(cql_encode_statement(st, &d, &enc, &err), 0);
    const uint8_t *p = (const uint8_t *)enc.body.data + 4 + strlen(st->query);
    /* ONE, flags=values, n=3, [value] 4 bytes 7, null (-1), not set (-2) */
    const uint8_t want[] = {0x00, 0x01, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00,
                            0x00, 0x07, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE};
    assert_int_equal(enc.body.len - (size_t)(p - (const uint8_t *)enc.body.data), sizeof want);
    assert_memory_equal(p, want, sizeof want);
    cql_encoded_free(&enc);
    cql_statement_free(st);
}

static struct cql_prepared *fake_prepared(const char *query, const uint8_t *id, size_t id_len,
                                          size_t nparams, const enum cql_type_id *types)
{
    struct cql_prepared *p = calloc(1, sizeof *p);
    p->refs = 1;
    p->query = strdup(query);
    memcpy(p->meta.id, id, id_len);
    p->meta.id_len = id_len;
    p->meta.nparams = nparams;
    p->meta.params = calloc(nparams ? nparams : 1, sizeof *p->meta.params);
    for (size_t i = 0; i < nparams; i++) {
        p->meta.params[i].name = strdup("v");
        p->meta.params[i].type = cql_data_type_new(types[i]);
    }
    return p;
}

static void test_execute_and_batch(void **state)
{
    (void)state;
    const enum cql_type_id types[] = {CQL_TYPE_INT, CQL_TYPE_VARCHAR};
    struct cql_prepared *p = fake_prepared("INSERT ...", BYTES(0xCA, 0xFE), 2, types);
    cql_statement *st = cql_prepared_bind(p);
    cql_statement_set_page_size(st, 0);
    assert_int_equal(cql_statement_bind_int(st, 0, 1), CQL_OK);
    assert_int_equal(cql_statement_bind_text(st, 1, "hi", 2), CQL_OK);
    assert_int_equal(cql_statement_bind_bigint(st, 0, 1), CQL_ERR_TYPE_MISMATCH);
    struct cql_defaults d = {CQL_ONE, CQL_SERIAL};
    struct cql_encoded enc = {0};
    struct cql_error err;
    assert_int_equal(cql_encode_statement(st, &d, &enc, &err), 0);
    assert_int_equal(enc.opcode, CQL_OP_EXECUTE);
    /* <id>[short bytes] <ONE> <flags=values> n=2 [00000001] ["hi"] */
    assert_bytes(&enc.body,
                 BYTES(0x00, 0x02, 0xCA, 0xFE, 0x00, 0x01, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x04,
                       0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 'h', 'i'));
    /* a re-prepare that returns a longer id is spliced into the encoded body */
    p->meta.id_len = 3;
    memcpy(p->meta.id, "\x01\x02\x03", 3);
    cql_encoded_refresh_ids(&enc);
    assert_int_equal(enc.body.len, 24);
    assert_memory_equal(enc.body.data, "\x00\x03\x01\x02\x03\x00\x01\x01", 8);

    cql_batch *b = cql_batch_new(CQL_BATCH_UNLOGGED);
    cql_statement *q = cql_statement_new("DELETE FROM t WHERE k = 1", 0);
    assert_int_equal(cql_batch_add(b, st), CQL_OK);
    assert_int_equal(cql_batch_add(b, q), CQL_OK);
    assert_int_equal(cql_batch_set_timestamp(b, 5), CQL_OK);
    assert_int_equal(cql_encode_batch(b, &d, &enc, &err), 0);
    assert_int_equal(enc.opcode, CQL_OP_BATCH);
    struct up_buf want = UP_BUF_INIT;
    /* <type=1><n=2> <kind=1><id><n=2><values> <kind=0><query><n=0> <ONE><flags=0x20><ts> */
    up_buf_append(&want, "\x01\x00\x02\x01\x00\x03\x01\x02\x03\x00\x02", 11);
    up_buf_append(&want, "\x00\x00\x00\x04\x00\x00\x00\x01\x00\x00\x00\x02hi", 14);
    up_buf_append(&want, "\x00\x00\x00\x00\x19", 5);
    up_buf_puts(&want, "DELETE FROM t WHERE k = 1");
    up_buf_append(&want, "\x00\x00\x00\x01\x20\x00\x00\x00\x00\x00\x00\x00\x05", 13);
    assert_bytes(&enc.body, (const uint8_t *)want.data, want.len);
    cql_batch *empty = cql_batch_new(CQL_BATCH_LOGGED);
    assert_int_equal(cql_encode_batch(empty, &d, &enc, &err), -1);
    assert_int_equal(err.code, CQL_ERR_BAD_PARAMS);
    cql_batch_free(empty);
    up_buf_free(&want);
    cql_batch_free(b);
    cql_statement_free(q);
    cql_encoded_free(&enc);
    cql_statement_free(st);
    cql_prepared_free(p);
}

/* One statement bound again per row (the stream's writer): after a clear every value is
 * unset, the options stay, and binding the same values again encodes the same bytes from
 * the same buffer. */
static void test_statement_clear_values(void **state)
{
    (void)state;
    const enum cql_type_id types[] = {CQL_TYPE_INT, CQL_TYPE_VARCHAR};
    struct cql_prepared *p = fake_prepared("INSERT ...", BYTES(0xCA, 0xFE), 2, types);
    p->meta.npk = 1;
    p->meta.pk = calloc(1, sizeof *p->meta.pk);
    cql_statement *st = cql_prepared_bind(p);
    cql_statement_set_page_size(st, 0);
    cql_statement_set_consistency(st, CQL_QUORUM);
    struct cql_defaults d = {CQL_ONE, CQL_SERIAL};
    struct cql_error err;
    struct cql_encoded first = {0}, cleared = {0}, again = {0};
    assert_int_equal(cql_statement_bind_int(st, 0, 1), CQL_OK);
    assert_int_equal(cql_statement_bind_text(st, 1, "hi", 2), CQL_OK);
    assert_int_equal(cql_encode_statement(st, &d, &first, &err), 0);

    cql_statement_clear_values(st);
    assert_int_equal(st->data.len, 0);
    struct up_buf key = UP_BUF_INIT;
    assert_false(cql_statement_routing_key(st, &key)); /* the key is unset again */
    assert_int_equal(cql_encode_statement(st, &d, &cleared, &err), 0);
    /* <id> <QUORUM kept> <flags=values> n=2 not set (-2) twice */
    assert_bytes(&cleared.body, BYTES(0x00, 0x02, 0xCA, 0xFE, 0x00, 0x04, 0x01, 0x00, 0x02, 0xFF,
                                      0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFE));

    assert_int_equal(cql_statement_bind_int(st, 0, 1), CQL_OK);
    assert_int_equal(cql_statement_bind_text(st, 1, "hi", 2), CQL_OK);
    assert_int_equal(st->data.len, 6); /* not appended after the first row's values */
    assert_int_equal(cql_encode_statement(st, &d, &again, &err), 0);
    assert_bytes(&again.body, (const uint8_t *)first.body.data, first.body.len);
    up_buf_free(&key);
    cql_encoded_free(&first);
    cql_encoded_free(&cleared);
    cql_encoded_free(&again);
    cql_statement_free(st);
    cql_prepared_free(p);
}

static void test_routing_key(void **state)
{
    (void)state;
    const enum cql_type_id types[] = {CQL_TYPE_INT, CQL_TYPE_VARCHAR, CQL_TYPE_INT};
    struct cql_prepared *p = fake_prepared("q", BYTES(0x01), 3, types);
    struct up_buf key = UP_BUF_INIT;
    cql_statement *st = cql_prepared_bind(p);
    assert_false(cql_statement_routing_key(st, &key)); /* no pk indexes */
    p->meta.npk = 2;
    p->meta.pk = malloc(2 * sizeof *p->meta.pk);
    p->meta.pk[0] = 1;
    p->meta.pk[1] = 0;
    assert_false(cql_statement_routing_key(st, &key)); /* not bound yet */
    cql_statement_bind_int(st, 0, 258);
    cql_statement_bind_text(st, 1, "ab", 2);
    assert_true(cql_statement_routing_key(st, &key));
    /* composite: <len><bytes><0> per component, in pk order (index 1, then 0) */
    assert_bytes(&key, BYTES(0x00, 0x02, 'a', 'b', 0x00, 0x00, 0x04, 0x00, 0x00, 0x01, 0x02, 0x00));
    p->meta.npk = 1;
    assert_true(cql_statement_routing_key(st, &key));
    assert_bytes(&key, BYTES('a', 'b'));
    up_buf_free(&key);
    cql_statement_free(st);
    cql_prepared_free(p);
}

/* ---- response frames --------------------------------------------------------------------- */

static const uint8_t ready_frame[] = {0x84, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00};
static const uint8_t void_frame[] = {0x84, 0x00, 0x00, 0x02, 0x08, 0x00, 0x00,
                                     0x00, 0x04, 0x00, 0x00, 0x00, 0x01};

static void test_reader_whole_and_split(void **state)
{
    (void)state;
    struct cql_reader r;
    struct cql_frame f;
    cql_reader_init(&r, 0);
    assert_int_equal(cql_reader_next(&r, &f), 0);
    /* two frames in one read */
    cql_reader_feed(&r, ready_frame, sizeof ready_frame);
    cql_reader_feed(&r, void_frame, sizeof void_frame);
    assert_int_equal(cql_reader_next(&r, &f), 1);
    assert_int_equal(f.opcode, CQL_OP_READY);
    assert_int_equal(f.stream, 1);
    assert_int_equal(f.len, 0);
    assert_int_equal(cql_reader_next(&r, &f), 1);
    assert_int_equal(f.opcode, CQL_OP_RESULT);
    assert_int_equal(f.stream, 2);
    assert_int_equal(f.len, 4);
    assert_memory_equal(f.body, "\x00\x00\x00\x01", 4);
    assert_int_equal(cql_reader_next(&r, &f), 0);
    /* one byte at a time: nothing until the last byte */
    for (size_t i = 0; i < sizeof void_frame; i++) {
        assert_int_equal(cql_reader_next(&r, &f), 0);
        cql_reader_feed(&r, void_frame + i, 1);
    }
    assert_int_equal(cql_reader_next(&r, &f), 1);
    assert_int_equal(f.len, 4);
    assert_int_equal(cql_reader_pending(&r), 0);
    /* an event frame: stream -1 */
    const uint8_t ev[] = {0x84, 0x00, 0xFF, 0xFF, 0x0C, 0x00, 0x00, 0x00, 0x00};
    cql_reader_feed(&r, ev, sizeof ev);
    assert_int_equal(cql_reader_next(&r, &f), 1);
    assert_int_equal(f.stream, -1);
    cql_reader_free(&r);
}

static void test_reader_truncated(void **state)
{
    (void)state;
    struct cql_reader r;
    struct cql_frame f;
    cql_reader_init(&r, 0);
    /* a header announcing 4 bytes, only 3 arrive: still waiting, not an error */
    cql_reader_feed(&r, void_frame, sizeof void_frame - 1);
    assert_int_equal(cql_reader_next(&r, &f), 0);
    assert_int_equal(cql_reader_pending(&r), sizeof void_frame - 1);
    cql_reader_free(&r);
    /* a truncated RESULT body is refused by the parser, with a protocol error */
    struct cql_result *res;
    struct cql_error err;
    assert_int_equal(cql_result_parse(BYTES(0x00, 0x00, 0x00), 0, &res, &err), -1);
    assert_int_equal(err.code, CQL_ERR_PROTOCOL);
    assert_null(res);
}

static void test_reader_rejects(void **state)
{
    (void)state;
    struct cql_reader r;
    struct cql_frame f;
    /* wrong version (a v3 response) */
    cql_reader_init(&r, 0);
    cql_reader_feed(&r, BYTES(0x83, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00));
    assert_int_equal(cql_reader_next(&r, &f), -1);
    assert_non_null(strstr(r.error, "version"));
    assert_int_equal(cql_reader_next(&r, &f), -1); /* sticky */
    cql_reader_free(&r);
    /* a request frame coming back (version 0x04) */
    cql_reader_init(&r, 0);
    cql_reader_feed(&r, BYTES(0x04, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00));
    assert_int_equal(cql_reader_next(&r, &f), -1);
    cql_reader_free(&r);
    /* negative length */
    cql_reader_init(&r, 0);
    cql_reader_feed(&r, BYTES(0x84, 0x00, 0x00, 0x01, 0x08, 0x80, 0x00, 0x00, 0x00));
    assert_int_equal(cql_reader_next(&r, &f), -1);
    assert_non_null(strstr(r.error, "negative"));
    cql_reader_free(&r);
    /* oversized: refused from the header alone, before the body is buffered */
    cql_reader_init(&r, 1024);
    cql_reader_feed(&r, BYTES(0x84, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x04, 0x01));
    assert_int_equal(cql_reader_next(&r, &f), -1);
    assert_non_null(strstr(r.error, "exceeds the 1024-byte limit"));
    cql_reader_free(&r);
    /* the default cap is 16 MiB: 16 MiB + 1 is refused */
    cql_reader_init(&r, 0);
    cql_reader_feed(&r, BYTES(0x84, 0x00, 0x00, 0x01, 0x08, 0x01, 0x00, 0x00, 0x01));
    assert_int_equal(cql_reader_next(&r, &f), -1);
    cql_reader_free(&r);
    /* a compressed frame without negotiated compression */
    cql_reader_init(&r, 0);
    cql_reader_feed(&r, BYTES(0x84, 0x01, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00));
    assert_int_equal(cql_reader_next(&r, &f), -1);
    assert_non_null(strstr(r.error, "compress"));
    cql_reader_free(&r);
}

/* ---- LZ4 --------------------------------------------------------------------------------- */

static void round_trip(const uint8_t *data, size_t len)
{
    struct up_buf z = UP_BUF_INIT, plain = UP_BUF_INIT;
    char err[128];
    cql_lz4_compress(data, len, &z);
    assert_int_equal(cql_load_u32((const uint8_t *)z.data), len); /* big-endian prefix */
    assert_int_equal(
        cql_lz4_decompress((const uint8_t *)z.data, z.len, len, &plain, err, sizeof err), 0);
    assert_int_equal(plain.len, len);
    if (len)
        assert_memory_equal(plain.data, data, len);
    /* one byte short of the announced size is refused */
    if (len > 0)
        assert_int_equal(
            cql_lz4_decompress((const uint8_t *)z.data, z.len, len - 1, &plain, err, sizeof err),
            -1);
    up_buf_free(&z);
    up_buf_free(&plain);
}

static void test_lz4_round_trips(void **state)
{
    (void)state;
    round_trip(NULL, 0);
    round_trip((const uint8_t *)"a", 1);
    uint8_t *big = malloc(1 << 20);
    for (size_t i = 0; i < (1 << 20); i++)
        big[i] = (uint8_t)(i % 251 < 200 ? 'x' : i * 7919);
    round_trip(big, 1 << 20);
    uint64_t x = 88172645463325252ULL;
    for (size_t i = 0; i < 70000; i++) { /* incompressible */
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        big[i] = (uint8_t)x;
    }
    round_trip(big, 70000);
    free(big);
}

static void test_lz4_corrupt(void **state)
{
    (void)state;
    struct up_buf z = UP_BUF_INIT, plain = UP_BUF_INIT;
    char err[128];
    const char *text = "hello hello hello hello hello hello hello";
    cql_lz4_compress((const uint8_t *)text, strlen(text), &z);
    /* announced length larger than the data */
    cql_store_u32((uint8_t *)z.data, (uint32_t)strlen(text) + 5);
    assert_int_equal(
        cql_lz4_decompress((const uint8_t *)z.data, z.len, 1 << 20, &plain, err, sizeof err), -1);
    assert_non_null(strstr(err, "differs"));
    /* garbage block */
    cql_store_u32((uint8_t *)z.data, (uint32_t)strlen(text));
    memset(z.data + 4, 0xF0, z.len - 4);
    assert_int_equal(
        cql_lz4_decompress((const uint8_t *)z.data, z.len, 1 << 20, &plain, err, sizeof err), -1);
    /* too short for the prefix */
    assert_int_equal(cql_lz4_decompress(BYTES(0x00, 0x01), 100, &plain, err, sizeof err), -1);
    up_buf_free(&z);
    up_buf_free(&plain);
}

static void test_compressed_frames(void **state)
{
    (void)state;
    /* a request frame compresses its body and says so in the flags */
    struct up_buf out = UP_BUF_INIT, scratch = UP_BUF_INIT;
    char body[600];
    memset(body, 'q', sizeof body);
    cql_frame_write(&out, CQL_OP_QUERY, 3, (const uint8_t *)body, sizeof body, true, &scratch);
    assert_int_equal((uint8_t)out.data[1], CQL_FLAG_COMPRESSION);
    assert_true(out.len < 9 + sizeof body);
    /* the reader decompresses a compressed response (rewrite the header as a response) */
    out.data[0] = (char)CQL_VERSION_RESPONSE;
    struct cql_reader r;
    struct cql_frame f;
    cql_reader_init(&r, 0);
    r.compression = true;
    cql_reader_feed(&r, out.data, out.len);
    assert_int_equal(cql_reader_next(&r, &f), 1);
    assert_int_equal(f.flags & CQL_FLAG_COMPRESSION, 0);
    assert_int_equal(f.len, sizeof body);
    assert_memory_equal(f.body, body, sizeof body);
    assert_int_equal(f.stream, 3);
    /* uncompressed frames still pass on a compressing connection */
    cql_reader_feed(&r, ready_frame, sizeof ready_frame);
    assert_int_equal(cql_reader_next(&r, &f), 1);
    assert_int_equal(f.opcode, CQL_OP_READY);
    cql_reader_free(&r);
    /* a compressed body announcing more than the cap is refused */
    cql_reader_init(&r, 64);
    r.compression = true;
    up_buf_clear(&out);
    cql_frame_write(&out, CQL_OP_QUERY, 3, (const uint8_t *)body, 100, true, &scratch);
    out.data[0] = (char)CQL_VERSION_RESPONSE;
    cql_reader_feed(&r, out.data, out.len);
    assert_int_equal(cql_reader_next(&r, &f), -1);
    assert_non_null(strstr(r.error, "limit"));
    cql_reader_free(&r);
    up_buf_free(&out);
    up_buf_free(&scratch);
}

/* ---- cursor ------------------------------------------------------------------------------ */

static void test_cursor_bounds(void **state)
{
    (void)state;
    struct cql_cursor c;
    const char *s;
    size_t len;
    const uint8_t *p;
    int32_t n;
    cql_cursor_init(&c, BYTES(0x00, 0x05, 'a', 'b'));
    assert_false(cql_get_string(&c, &s, &len)); /* claims 5, has 2 */
    assert_true(c.failed);
    uint8_t b;
    assert_false(cql_get_byte(&c, &b)); /* sticky */
    cql_cursor_init(&c, BYTES(0xFF, 0xFF, 0xFF, 0xFF));
    assert_true(cql_get_bytes(&c, &p, &n)); /* -1 = null */
    assert_int_equal(n, -1);
    assert_null(p);
    cql_cursor_init(&c, BYTES(0x7F, 0xFF, 0xFF, 0xFF, 0x00));
    assert_false(cql_get_bytes(&c, &p, &n)); /* 2 GiB announced */
    cql_cursor_init(&c, BYTES(0x80, 0x00, 0x00, 0x00));
    assert_false(cql_get_long_string(&c, &s, &len)); /* negative long string */
    uint8_t addr[16];
    size_t alen;
    int32_t port;
    cql_cursor_init(&c, BYTES(0x04, 127, 0, 0, 1, 0x00, 0x00, 0x23, 0x52));
    assert_true(cql_get_inet(&c, addr, &alen, &port));
    assert_int_equal(alen, 4);
    assert_int_equal(port, 9042);
    char label[64];
    cql_format_inet(addr, alen, port, label, sizeof label);
    assert_string_equal(label, "127.0.0.1:9042");
    cql_cursor_init(&c, BYTES(0x05, 1, 2, 3, 4, 5, 0, 0, 0, 0));
    assert_false(cql_get_inet(&c, addr, &alen, &port)); /* 5-byte address */
    /* a string list claiming 60000 entries in 4 bytes is refused before allocating */
    char **items;
    size_t count;
    cql_cursor_init(&c, BYTES(0xEA, 0x60, 0x00, 0x00));
    assert_false(cql_get_string_list(&c, &items, &count));
    assert_null(items);
}

static void test_opcode_names(void **state)
{
    (void)state;
    assert_string_equal(cql_opcode_name(CQL_OP_EXECUTE), "EXECUTE");
    assert_string_equal(cql_opcode_name(0x04), "UNKNOWN");
    assert_string_equal(cql_opcode_name(0xEE), "UNKNOWN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_frame),     cmocka_unit_test(test_startup_frame),
        cmocka_unit_test(test_auth_plain),        cmocka_unit_test(test_register_body),
        cmocka_unit_test(test_query_body),        cmocka_unit_test(test_query_values_null_unset),
        cmocka_unit_test(test_execute_and_batch), cmocka_unit_test(test_statement_clear_values),
        cmocka_unit_test(test_routing_key),       cmocka_unit_test(test_reader_whole_and_split),
        cmocka_unit_test(test_reader_truncated),  cmocka_unit_test(test_reader_rejects),
        cmocka_unit_test(test_lz4_round_trips),   cmocka_unit_test(test_lz4_corrupt),
        cmocka_unit_test(test_compressed_frames), cmocka_unit_test(test_cursor_bounds),
        cmocka_unit_test(test_opcode_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
