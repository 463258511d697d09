/* Unit tests for stream/watermark and stream/window: hand cases, then a property test
 * against a reference model: for random offset gaps and random completion orders the
 * committable offset is exactly one past the last record of the finished prefix, and
 * never passes a record still in flight. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stream/watermark.h"
#include "stream/window.h"

#include <stdlib.h>
#include <string.h>

static void test_in_order_and_out_of_order(void **state)
{
    (void)state;
    struct up_watermark w;
    up_watermark_init(&w);
    assert_int_equal(up_watermark_committable(&w), -1);
    for (int64_t o = 10; o < 15; o++)
        assert_true(up_watermark_submit(&w, o));
    assert_int_equal(up_watermark_in_flight(&w), 5);
    assert_true(up_watermark_complete(&w, 12));
    assert_int_equal(up_watermark_committable(&w), -1); /* 10 and 11 still in flight */
    assert_true(up_watermark_complete(&w, 10));
    assert_int_equal(up_watermark_committable(&w), 11);
    assert_true(up_watermark_complete(&w, 11));
    assert_int_equal(up_watermark_committable(&w), 13); /* 12 was already finished */
    assert_int_equal(up_watermark_oldest(&w), 13);
    assert_false(up_watermark_complete(&w, 12)); /* twice */
    assert_false(up_watermark_complete(&w, 99)); /* never entered */
    assert_true(up_watermark_complete(&w, 14));
    assert_true(up_watermark_complete(&w, 13));
    assert_int_equal(up_watermark_committable(&w), 15);
    assert_int_equal(up_watermark_in_flight(&w), 0);
    assert_int_equal(up_watermark_oldest(&w), -1);
    up_watermark_free(&w);
}

static void test_redelivery_gaps_and_reset(void **state)
{
    (void)state;
    struct up_watermark w;
    up_watermark_init(&w);
    assert_true(up_watermark_submit(&w, 5));
    assert_false(up_watermark_submit(&w, 5)); /* redelivered while in flight */
    assert_false(up_watermark_submit(&w, 3)); /* older than the last entered */
    assert_false(up_watermark_submit(&w, -1));
    assert_true(up_watermark_submit(&w, 9)); /* gap 6..8: compacted away */
    assert_true(up_watermark_complete(&w, 5));
    assert_int_equal(up_watermark_committable(&w), 6);
    assert_true(up_watermark_complete(&w, 9));
    assert_int_equal(up_watermark_committable(&w), 10);
    up_watermark_reset(&w);
    assert_int_equal(up_watermark_committable(&w), -1);
    assert_false(up_watermark_complete(&w, 9));
    assert_true(up_watermark_submit(&w, 2)); /* re-assigned at an older position */
    assert_true(up_watermark_complete(&w, 2));
    assert_int_equal(up_watermark_committable(&w), 3);
    up_watermark_free(&w);
}

/* Reference model: one past the last finished record before the first unfinished one. */
static int64_t model_committable(const int64_t *offsets, const bool *done, size_t n, int64_t before)
{
    int64_t c = before;
    for (size_t i = 0; i < n && done[i]; i++)
        c = offsets[i] + 1;
    return c;
}

static void test_property_random(void **state)
{
    (void)state;
    srand(12345);
    enum { N = 1500 };
    int64_t *offsets = malloc(N * sizeof *offsets);
    bool *done = calloc(N, sizeof *done);
    for (int round = 0; round < 20; round++) {
        struct up_watermark w;
        up_watermark_init(&w);
        memset(done, 0, N * sizeof *done);
        size_t submitted = 0, finished = 0;
        int64_t next = rand() % 1000;
        int64_t prev_committable = -1;
        size_t window = 1 + (size_t)(rand() % 700); /* in-flight depth of this round */
        while (finished < N) {
            /* Submit while the window has room, then finish a random in-flight record. */
            while (submitted < N && submitted - finished < window) {
                next += 1 + (rand() % 4 == 0 ? rand() % 5 : 0);
                offsets[submitted] = next;
                assert_true(up_watermark_submit(&w, next));
                submitted++;
            }
            size_t pick;
            do {
                pick = (size_t)rand() % submitted;
            } while (done[pick]);
            done[pick] = true;
            finished++;
            assert_true(up_watermark_complete(&w, offsets[pick]));
            int64_t c = up_watermark_committable(&w);
            assert_int_equal(c, model_committable(offsets, done, submitted, -1));
            /* The invariant: nothing below c is still in flight, and c never goes back. */
            for (size_t i = 0; i < submitted; i++)
                if (!done[i])
                    assert_true(c <= offsets[i]);
            assert_true(c >= prev_committable);
            prev_committable = c;
            assert_int_equal(up_watermark_in_flight(&w), submitted - finished);
        }
        assert_int_equal(up_watermark_committable(&w), offsets[N - 1] + 1);
        up_watermark_free(&w);
    }
    free(offsets);
    free(done);
}

static void test_window(void **state)
{
    (void)state;
    struct up_window w;
    up_window_init(&w, 4, 100);
    for (int i = 0; i < 4; i++) {
        assert_true(up_window_has_room(&w));
        up_window_acquire(&w, 1000);
    }
    assert_false(up_window_has_room(&w));
    assert_int_equal(up_window_decide(&w, 1050, false), UP_WINDOW_KEEP); /* full, not long */
    assert_int_equal(up_window_decide(&w, 1100, false), UP_WINDOW_PAUSE);
    assert_int_equal(up_window_decide(&w, 1101, false), UP_WINDOW_KEEP);
    up_window_release(&w);
    assert_true(up_window_has_room(&w));
    assert_int_equal(up_window_decide(&w, 1200, false), UP_WINDOW_KEEP); /* 3 > 4/2 */
    up_window_release(&w);
    assert_int_equal(up_window_decide(&w, 1200, true), UP_WINDOW_KEEP); /* sink failing */
    assert_int_equal(up_window_decide(&w, 1200, false), UP_WINDOW_RESUME);
    /* Briefly full then drained: no pause. */
    up_window_acquire(&w, 2000);
    up_window_acquire(&w, 2000);
    up_window_release(&w);
    assert_int_equal(up_window_decide(&w, 5000, false), UP_WINDOW_KEEP);
    /* A failing sink pauses at once, even with room. */
    assert_int_equal(up_window_decide(&w, 5000, true), UP_WINDOW_PAUSE);
    assert_int_equal(up_window_decide(&w, 5001, false), UP_WINDOW_KEEP); /* 3 > 4/2 */
    up_window_release(&w);
    assert_int_equal(up_window_decide(&w, 5002, false), UP_WINDOW_RESUME);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order_and_out_of_order),
        cmocka_unit_test(test_redelivery_gaps_and_reset),
        cmocka_unit_test(test_property_random),
        cmocka_unit_test(test_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
