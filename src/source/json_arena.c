/* source/json_arena: a bump allocator for jansson with a malloc fallback. */
#include "source/json_arena.h"

#include "core/buf.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define MAX_ARENAS 64

struct up_json_arena {
    char *base;
    size_t size, used;
    int slot;
    bool spilled; /* something did not fit and went to malloc since the last reset */
};

/* Every live arena's range, so free() can tell arena memory from heap memory
 * whichever thread frees it. A slot is NULL when unused. */
static _Atomic(struct up_json_arena *) arenas[MAX_ARENAS];
static _Thread_local struct up_json_arena *current;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;

static void *arena_malloc(size_t n)
{
    struct up_json_arena *a = current;
    if (a) {
        size_t need = (n + 15) & ~(size_t)15;
        if (need >= n && a->size - a->used >= need) {
            void *p = a->base + a->used;
            a->used += need;
            return p;
        }
        a->spilled = true;
    }
    return malloc(n);
}

static void arena_free(void *p)
{
    if (!p)
        return;
    for (int i = 0; i < MAX_ARENAS; i++) {
        struct up_json_arena *a = atomic_load_explicit(&arenas[i], memory_order_acquire);
        if (a && (char *)p >= a->base && (char *)p < a->base + a->size)
            return; /* released all at once by up_json_arena_reset */
    }
    free(p);
}

static void install(void)
{
    json_set_alloc_funcs(arena_malloc, arena_free);
}

void up_json_arena_install(void)
{
    pthread_once(&install_once, install);
}

struct up_json_arena *up_json_arena_new(size_t reserve)
{
    void *base = mmap(NULL, reserve, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    struct up_json_arena *a = up_xcalloc(1, sizeof *a);
    a->base = base;
    a->size = reserve;
    a->slot = -1;
    for (int i = 0; i < MAX_ARENAS && a->slot < 0; i++) {
        struct up_json_arena *expected = NULL;
        if (atomic_compare_exchange_strong(&arenas[i], &expected, a))
            a->slot = i;
    }
    if (a->slot < 0) { /* too many arenas: frees could not be recognised */
        munmap(base, reserve);
        free(a);
        return NULL;
    }
    return a;
}

void up_json_arena_free(struct up_json_arena *a)
{
    if (!a)
        return;
    atomic_store(&arenas[a->slot], NULL);
    munmap(a->base, a->size);
    free(a);
}

void up_json_arena_begin(struct up_json_arena *a)
{
    current = a;
}

void up_json_arena_end(void)
{
    current = NULL;
}

void up_json_arena_reset(struct up_json_arena *a)
{
    a->used = 0;
    a->spilled = false;
}

bool up_json_arena_spilled(const struct up_json_arena *a)
{
    return a->spilled;
}

size_t up_json_arena_used(const struct up_json_arena *a)
{
    return a->used;
}
