/* Unit tests for source/json_arena: jansson trees in a bump arena, heap trees beside
 * them, spilling past the reservation without leaking (ASan's leak check runs these). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "source/json_arena.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static char *big_array(int n)
{
    struct up_buf b = UP_BUF_INIT;
    up_buf_putc(&b, '[');
    for (int i = 0; i < n; i++)
        up_buf_printf(&b, "%s{\"k%d\":\"value %d\"}", i ? "," : "", i, i);
    up_buf_putc(&b, ']');
    return up_buf_steal(&b);
}

static void test_arena_and_heap_trees(void **state)
{
    (void)state;
    json_t *before = json_loads("{\"made\":\"before install\"}", 0, NULL); /* plain malloc */
    up_json_arena_install();
    struct up_json_arena *a = up_json_arena_new((size_t)1 << 20);
    assert_non_null(a);

    up_json_arena_begin(a);
    json_t *in = json_loads("{\"a\":[1,2,3],\"b\":{\"c\":\"d\"}}", 0, NULL);
    up_json_arena_end();
    assert_non_null(in);
    assert_true(up_json_arena_used(a) > 0);
    assert_false(up_json_arena_spilled(a));
    assert_string_equal(json_string_value(json_object_get(json_object_get(in, "b"), "c")), "d");
    json_decref(in); /* a no-op in the arena, harmless */
    up_json_arena_reset(a);
    assert_int_equal(up_json_arena_used(a), 0);

    json_t *outside = json_loads("[\"heap\"]", 0, NULL); /* no arena active: malloc */
    json_decref(outside);
    json_decref(before);
    up_json_arena_free(a);
}

static void test_spill_is_freed_by_decref(void **state)
{
    (void)state;
    up_json_arena_install();
    struct up_json_arena *a = up_json_arena_new(4096);
    char *text = big_array(2000);
    up_json_arena_begin(a);
    json_t *tree = json_loads(text, 0, NULL);
    up_json_arena_end();
    assert_non_null(tree);
    assert_int_equal(json_array_size(tree), 2000);
    assert_true(up_json_arena_spilled(a));
    json_decref(tree); /* frees the heap part (else LeakSanitizer complains) */
    up_json_arena_reset(a);
    assert_false(up_json_arena_spilled(a));
    free(text);
    up_json_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_and_heap_trees),
        cmocka_unit_test(test_spill_is_freed_by_decref),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
