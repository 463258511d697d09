/* Unit tests for verify/index, verify/lookup's verdict, verify/target's key split and
 * verify/report: which record decides a key, what a row's state is called, and what the report
 * counts and samples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "verify/index.h"
#include "verify/lookup.h"
#include "verify/report.h"
#include "verify/target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct up_vindex_entry *find(const struct up_vindex *ix, const char *key)
{
    return up_vindex_find(ix, key, strlen(key));
}

static void test_same_partition_later_offset_wins(void **state)
{
    (void)state;
    struct up_vindex *ix = up_vindex_new();
    assert_int_equal(up_vindex_add(ix, "a", 1, 0, 5, 2000, false), UP_VINDEX_NEW);
    /* a later offset decides even with an older write time: the stream applies in order */
    assert_int_equal(up_vindex_add(ix, "a", 1, 0, 9, 1000, true), UP_VINDEX_REPLACED);
    assert_int_equal(up_vindex_add(ix, "a", 1, 0, 7, 3000, false), UP_VINDEX_KEPT);
    const struct up_vindex_entry *e = find(ix, "a");
    assert_non_null(e);
    assert_int_equal(e->offset, 9);
    assert_int_equal(e->write_us, 1000);
    assert_true(e->deletes);
    assert_int_equal(up_vindex_count(ix), 1);
    up_vindex_free(ix);
}

static void test_across_partitions_later_time_wins(void **state)
{
    (void)state;
    struct up_vindex *ix = up_vindex_new();
    up_vindex_add(ix, "k", 1, 0, 100, 5000, false);
    assert_int_equal(up_vindex_add(ix, "k", 1, 1, 3, 4000, true), UP_VINDEX_KEPT);
    assert_int_equal(up_vindex_add(ix, "k", 1, 1, 4, 5000, true), UP_VINDEX_KEPT); /* a tie */
    assert_int_equal(up_vindex_add(ix, "k", 1, 2, 1, 6000, false), UP_VINDEX_REPLACED);
    const struct up_vindex_entry *e = find(ix, "k");
    assert_int_equal(e->partition, 2);
    assert_int_equal(e->offset, 1);
    assert_false(e->deletes);
    /* keys differ by their bytes, the empty key included */
    assert_null(find(ix, "K"));
    assert_int_equal(up_vindex_add(ix, "", 0, 0, 1, 1, false), UP_VINDEX_NEW);
    assert_non_null(up_vindex_find(ix, "", 0));
    up_vindex_free(ix);
}

/* Past many slot-table growths every key is still found, in first-seen order, and the memory
 * stays inside the bound docs/verify.md states (a 20-byte key: under 100 bytes each). */
static void test_many_keys_and_memory(void **state)
{
    (void)state;
    struct up_vindex *ix = up_vindex_new();
    enum { N = 200000 };
    uint8_t key[20] = {0, 0, 0, 16};
    for (uint32_t i = 0; i < N; i++) {
        memcpy(key + 4, &i, sizeof i);
        assert_int_equal(up_vindex_add(ix, key, sizeof key, (int32_t)(i % 7), i, i, false),
                         UP_VINDEX_NEW);
    }
    for (uint32_t i = 0; i < N; i += 997) {
        memcpy(key + 4, &i, sizeof i);
        const struct up_vindex_entry *e = up_vindex_find(ix, key, sizeof key);
        assert_non_null(e);
        assert_int_equal(e->offset, i);
        assert_ptr_equal(up_vindex_at(ix, i), e);
        assert_memory_equal(up_vindex_key(ix, e), key, sizeof key);
    }
    assert_int_equal(up_vindex_count(ix), N);
    assert_true(up_vindex_bytes(ix) / N < 100);
    up_vindex_free(ix);
}

static void test_verdicts(void **state)
{
    (void)state;
    assert_int_equal(up_vcheck_classify(false, true, 1000, 1000), UP_VCHECK_PRESENT);
    assert_int_equal(up_vcheck_classify(false, true, 1001, 1000), UP_VCHECK_PRESENT);
    assert_int_equal(up_vcheck_classify(false, true, 999, 1000), UP_VCHECK_STALE);
    assert_int_equal(up_vcheck_classify(false, true, -1, 1000), UP_VCHECK_PRESENT); /* null */
    assert_int_equal(up_vcheck_classify(false, true, 5, -1), UP_VCHECK_PRESENT);    /* unknown */
    assert_int_equal(up_vcheck_classify(false, false, -1, 1000), UP_VCHECK_MISSING);
    assert_int_equal(up_vcheck_classify(true, false, -1, 1000), UP_VCHECK_ABSENT);
    assert_int_equal(up_vcheck_classify(true, true, 10, 1000), UP_VCHECK_UNEXPECTED);
    assert_string_equal(up_vcheck_name(UP_VCHECK_STALE), "stale");
    assert_string_equal(up_vcheck_name(UP_VCHECK_COUNT), "unknown");
}

static void test_key_split(void **state)
{
    (void)state;
    const uint8_t two[] = {0, 0, 0, 2, 'a', 'b', 0, 0, 0, 0, 0, 0, 0, 1, 'c'};
    const uint8_t *v[4];
    int32_t len[4];
    assert_int_equal(up_vtarget_key_split(two, sizeof two, v, len, 4), 3);
    assert_int_equal(len[0], 2);
    assert_memory_equal(v[0], "ab", 2);
    assert_int_equal(len[1], 0);
    assert_int_equal(len[2], 1);
    assert_int_equal(up_vtarget_key_split(two, sizeof two, v, len, 2), 2); /* at most max */
    const uint8_t bad[] = {0, 0, 0, 9, 'x'}; /* a length past the end */
    assert_int_equal(up_vtarget_key_split(bad, sizeof bad, v, len, 4), 1);
    assert_int_equal(len[0], -1);
    assert_int_equal(up_vtarget_key_split(bad, 3, v, len, 4), 0); /* a short length */
}

static void test_report(void **state)
{
    (void)state;
    const int32_t parts[] = {0, 1};
    struct up_vreport *r = up_vreport_new("t", "ks.tb", parts, 2, 1);
    for (int i = 0; i < 3; i++)
        up_vreport_record(r, 1);
    up_vreport_record(r, 0);
    up_vreport_dead_letter(r, 0, 7, "k\x01y", 3, "empty_value");
    up_vreport_key(r, 1);
    up_vreport_key(r, 1);
    assert_true(up_vreport_ok(r));
    struct up_vindex_entry e1 = {.partition = 1, .offset = 4, .write_us = 10};
    struct up_vindex_entry e2 = {.partition = 1, .offset = 5, .write_us = 10};
    up_vreport_check(r, &e1, UP_VCHECK_MISSING, "a", -1, NULL);
    up_vreport_check(r, &e2, UP_VCHECK_MISSING, "b", -1, NULL); /* counted, not sampled */
    assert_false(up_vreport_ok(r));
    const struct up_vcounts *p1 = up_vreport_partition(r, 1), *t = up_vreport_total(r);
    assert_int_equal(p1->records, 3);
    assert_int_equal(p1->keys, 2);
    assert_int_equal(p1->checks[UP_VCHECK_MISSING], 2);
    assert_int_equal(t->records, 4);
    assert_int_equal(t->dead_lettered, 1);
    const struct up_vsample *s;
    assert_int_equal(up_vreport_samples(r, UP_VCHECK_MISSING, &s), 1);
    assert_string_equal(s[0].key, "a");
    assert_int_equal(s[0].offset, 4);
    assert_int_equal(up_vreport_samples(r, UP_VCHECK_COUNT, &s), 1);
    assert_string_equal(s[0].key, "k?y"); /* unprintable bytes of a Kafka key */
    assert_string_equal(s[0].detail, "empty_value");

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    up_vreport_print_json(r, f);
    fclose(f);
    assert_non_null(strstr(text, "\"ok\":false"));
    assert_non_null(strstr(text, "\"missing\":[{\"partition\":1,\"offset\":4,\"key\":\"a\""));
    assert_non_null(strstr(text, "{\"partition\":1,\"records\":3,\"dead_lettered\":0,\"keys\":2"));
    free(text);
    up_vreport_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_partition_later_offset_wins),
        cmocka_unit_test(test_across_partitions_later_time_wins),
        cmocka_unit_test(test_many_keys_and_memory),
        cmocka_unit_test(test_verdicts),
        cmocka_unit_test(test_key_split),
        cmocka_unit_test(test_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
