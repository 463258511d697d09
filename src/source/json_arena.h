/* source/json_arena: bump allocation for jansson while one API page is parsed and
 * transformed. A page of 5,000 users is ~200,000 small jansson allocations; through
 * malloc their frees cost more than the parse (glibc consolidating fastbins). Inside
 * an arena they are pointer bumps, and the whole tree goes at once with a reset.
 *
 * up_json_arena_install() routes jansson's allocator through here (json_set_alloc_funcs,
 * process-wide, once). Outside an active arena it is plain malloc/free, and a free of
 * memory that is not inside any arena goes to free(), so trees made before or without
 * an arena work as usual. A tree made inside an arena must not be used after the
 * arena's reset (json_decref on it is a no-op and may be skipped). Each arena belongs
 * to one thread at a time. */
#ifndef UP_SOURCE_JSON_ARENA_H
#define UP_SOURCE_JSON_ARENA_H

#include <stdbool.h>
#include <stddef.h>

struct up_json_arena;

void up_json_arena_install(void);
/* reserve: address space to reserve (only what is used becomes resident); allocations
 * that do not fit fall back to malloc. NULL if the reservation fails. */
struct up_json_arena *up_json_arena_new(size_t reserve);
void up_json_arena_free(struct up_json_arena *a);
/* Makes a the allocator of this thread's jansson calls until up_json_arena_end(). */
void up_json_arena_begin(struct up_json_arena *a);
void up_json_arena_end(void);
/* Forgets everything allocated in a (not active in any thread). */
void up_json_arena_reset(struct up_json_arena *a);
size_t up_json_arena_used(const struct up_json_arena *a);
/* True when an allocation did not fit since the last reset and went to malloc: a tree
 * made then must be json_decref'd before the reset, or its heap part leaks. */
bool up_json_arena_spilled(const struct up_json_arena *a);

#endif
