/* Unit tests for kafka/quorum: the DescribeQuorum v0 request byte for byte, and the parser of
 * its answer: a well-formed answer (with tagged fields where the protocol allows them), every
 * truncation, absurd counts, another correlation id and error codes all handled. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kafka/quorum.h"

#include <stdlib.h>
#include <string.h>

static void test_request_bytes(void **state)
{
    (void)state;
    static const uint8_t want[] = {
        0,   0,   0,    54,   /* size of what follows: header 26 + body 28 */
        0,   55,  0,    0,    /* DescribeQuorum, version 0 */
        0,   0,   0x01, 0x02, /* correlation id 258 */
        0,   15,              /* client id, int16 length */
        'u', 's', 'e',  'r',  'p', 'i', 'p', 'e', '-', 'q', 'u', 'o', 'r', 'u', 'm', 0, /* header
                                                                                           tags */
        2,  /* one topic */
        19, /* "__cluster_metadata" (18) + 1 */
        '_', '_', 'c',  'l',  'u', 's', 't', 'e', 'r', '_', 'm', 'e', 't', 'a', 'd', 'a', 't',
        'a', 2,            /* one partition */
        0,   0,   0,    0, /* index 0 */
        0,   0,   0,       /* partition, topic, body tags */
    };
    uint8_t got[64];
    size_t n = up_quorum_request(got, sizeof got, 258);
    assert_int_equal(n, sizeof want);
    assert_memory_equal(got, want, sizeof want);
    /* too small a buffer: the length is still reported, nothing written past cap */
    uint8_t small[8] = {0};
    assert_int_equal(up_quorum_request(small, sizeof small, 258), sizeof want);
}

struct w {
    uint8_t b[256];
    size_t n;
};

static void be(struct w *w, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--)
        w->b[w->n++] = (uint8_t)(v >> (8 * i));
}

static void u8(struct w *w, uint8_t v)
{
    w->b[w->n++] = v;
}

/* An answer as Kafka 4.1 sends it: 3 voters (1, 2, 3), one observer, leader 2 in epoch 5. */
static struct w answer(int32_t corr, int16_t code, int16_t pcode)
{
    struct w w = {.n = 0};
    be(&w, (uint32_t)corr, 4);
    u8(&w, 1); /* one tagged field in the response header, skipped */
    u8(&w, 0); /* tag 0 */
    u8(&w, 2); /* 2 bytes */
    u8(&w, 0xAA);
    u8(&w, 0xBB);
    be(&w, (uint16_t)code, 2);
    u8(&w, 2); /* one topic */
    u8(&w, 19);
    memcpy(w.b + w.n, "__cluster_metadata", 18);
    w.n += 18;
    u8(&w, 2);    /* one partition */
    be(&w, 0, 4); /* index */
    be(&w, (uint16_t)pcode, 2);
    be(&w, 2, 4);    /* leader */
    be(&w, 5, 4);    /* epoch */
    be(&w, 1234, 8); /* high watermark */
    u8(&w, 4);       /* 3 voters */
    for (int id = 1; id <= 3; id++) {
        be(&w, (uint32_t)id, 4);
        be(&w, (uint64_t)(1230 + id), 8);
        u8(&w, 0);
    }
    u8(&w, 2); /* 1 observer */
    be(&w, 9, 4);
    be(&w, 7, 8);
    u8(&w, 0);
    u8(&w, 0); /* partition tags */
    u8(&w, 0); /* topic tags */
    u8(&w, 0); /* body tags */
    return w;
}

static void test_parse_answer(void **state)
{
    (void)state;
    struct w w = answer(42, 0, 0);
    struct up_quorum q;
    char err[256] = "";
    assert_int_equal(up_quorum_parse(w.b, w.n, 42, &q, err, sizeof err), 0);
    assert_int_equal(q.leader_id, 2);
    assert_int_equal(q.leader_epoch, 5);
    assert_int_equal(q.high_watermark, 1234);
    assert_int_equal(q.nvoters, 3); /* the observer is not a voter */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(q.voters[i], i + 1);
        assert_int_equal(q.voter_end_offsets[i], 1231 + i);
    }
}

static void test_parse_refuses(void **state)
{
    (void)state;
    struct up_quorum q;
    char err[256];
    struct w w = answer(42, 0, 0);
    assert_int_equal(up_quorum_parse(w.b, w.n, 43, &q, err, sizeof err), -1);
    assert_non_null(strstr(err, "not 43"));
    w = answer(42, 29, 0); /* CLUSTER_AUTHORIZATION_FAILED */
    assert_int_equal(up_quorum_parse(w.b, w.n, 42, &q, err, sizeof err), -1);
    assert_non_null(strstr(err, "error code 29"));
    w = answer(42, 0, 6); /* NOT_LEADER_OR_FOLLOWER on the partition */
    assert_int_equal(up_quorum_parse(w.b, w.n, 42, &q, err, sizeof err), -1);
    assert_non_null(strstr(err, "partition error code 6"));
    assert_int_equal(q.leader_id, -1);
}

static void test_parse_every_truncation(void **state)
{
    (void)state;
    struct w w = answer(42, 0, 0);
    struct up_quorum q;
    char err[256];
    for (size_t len = 0; len < w.n; len++) {
        /* a copy of exactly len bytes, so that ASan sees any read past it */
        uint8_t *p = malloc(len ? len : 1);
        memcpy(p, w.b, len);
        assert_int_equal(up_quorum_parse(p, len, 42, &q, err, sizeof err), -1);
        free(p);
    }
}

static void test_parse_absurd_counts(void **state)
{
    (void)state;
    struct up_quorum q;
    char err[256];
    /* corr, no header tags, no error, then a topic count of 2^28 in a 5-byte varint */
    static const uint8_t huge[] = {0, 0, 0, 42, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x01};
    assert_int_equal(up_quorum_parse(huge, sizeof huge, 42, &q, err, sizeof err), -1);
    /* a varint that never ends */
    static const uint8_t endless[] = {0, 0, 0, 42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(up_quorum_parse(endless, sizeof endless, 42, &q, err, sizeof err), -1);
    /* no topic at all: nothing to report */
    static const uint8_t none[] = {0, 0, 0, 42, 0, 0, 0, 1, 0};
    assert_int_equal(up_quorum_parse(none, sizeof none, 42, &q, err, sizeof err), -1);
    assert_non_null(strstr(err, "no partition"));
}

static void test_describe_unreachable(void **state)
{
    (void)state;
    struct up_quorum q;
    char err[256] = "";
    /* port 1 on loopback: refused at once, named in the error */
    assert_int_equal(up_quorum_describe("127.0.0.1", 1, 1000, &q, err, sizeof err), -1);
    assert_non_null(strstr(err, "127.0.0.1:1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_bytes),       cmocka_unit_test(test_parse_answer),
        cmocka_unit_test(test_parse_refuses),       cmocka_unit_test(test_parse_every_truncation),
        cmocka_unit_test(test_parse_absurd_counts), cmocka_unit_test(test_describe_unreachable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
