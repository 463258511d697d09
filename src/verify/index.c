/* verify/index: primary key -> the record that decides its row (index.h). */
#include "verify/index.h"

#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

struct up_vindex {
    uint8_t *arena;
    size_t arena_len, arena_cap;
    struct up_vindex_entry *entries;
    size_t n, cap;
    uint32_t *slots; /* entry index + 1; 0 = empty */
    size_t nslots;   /* a power of two */
};

/* FNV-1a, 64 bits: keys are short and mostly random already (uuids). */
static uint64_t hash_key(const void *key, size_t len)
{
    const uint8_t *p = key;
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

struct up_vindex *up_vindex_new(void)
{
    struct up_vindex *ix = up_xcalloc(1, sizeof *ix);
    ix->nslots = 1024;
    ix->slots = up_xcalloc(ix->nslots, sizeof *ix->slots);
    return ix;
}

void up_vindex_free(struct up_vindex *ix)
{
    if (!ix)
        return;
    free(ix->arena);
    free(ix->entries);
    free(ix->slots);
    free(ix);
}

const uint8_t *up_vindex_key(const struct up_vindex *ix, const struct up_vindex_entry *e)
{
    return ix->arena + e->key_off;
}

/* The slot holding key, or the empty slot where it goes. */
static size_t slot_of(const struct up_vindex *ix, const void *key, size_t len)
{
    size_t mask = ix->nslots - 1, i = hash_key(key, len) & mask;
    for (;; i = (i + 1) & mask) {
        uint32_t s = ix->slots[i];
        if (s == 0)
            return i;
        const struct up_vindex_entry *e = &ix->entries[s - 1];
        if (e->key_len == len && memcmp(ix->arena + e->key_off, key, len) == 0)
            return i;
    }
}

static void grow_slots(struct up_vindex *ix)
{
    free(ix->slots);
    ix->nslots *= 2;
    ix->slots = up_xcalloc(ix->nslots, sizeof *ix->slots);
    for (size_t i = 0; i < ix->n; i++) {
        const struct up_vindex_entry *e = &ix->entries[i];
        ix->slots[slot_of(ix, ix->arena + e->key_off, e->key_len)] = (uint32_t)(i + 1);
    }
}

static bool decides(const struct up_vindex_entry *old, int32_t partition, int64_t offset,
                    int64_t write_us)
{
    if (old->partition == partition)
        return offset > old->offset;
    return write_us > old->write_us;
}

enum up_vindex_add up_vindex_add(struct up_vindex *ix, const void *key, size_t len,
                                 int32_t partition, int64_t offset, int64_t write_us, bool deletes)
{
    size_t slot = slot_of(ix, key, len);
    if (ix->slots[slot]) {
        struct up_vindex_entry *e = &ix->entries[ix->slots[slot] - 1];
        if (!decides(e, partition, offset, write_us))
            return UP_VINDEX_KEPT;
        e->partition = partition;
        e->offset = offset;
        e->write_us = write_us;
        e->deletes = deletes;
        return UP_VINDEX_REPLACED;
    }
    if (ix->n == UINT32_MAX - 1 || len > UINT32_MAX)
        abort(); /* far beyond any memory this runs in */
    if (ix->arena_len + len > ix->arena_cap) {
        ix->arena_cap = ix->arena_cap ? ix->arena_cap * 2 : 65536;
        while (ix->arena_len + len > ix->arena_cap)
            ix->arena_cap *= 2;
        ix->arena = up_xrealloc(ix->arena, ix->arena_cap);
    }
    if (ix->n == ix->cap) {
        ix->cap = ix->cap ? ix->cap * 2 : 1024;
        ix->entries = up_xrealloc(ix->entries, ix->cap * sizeof *ix->entries);
    }
    if (len)
        memcpy(ix->arena + ix->arena_len, key, len);
    ix->entries[ix->n] = (struct up_vindex_entry){.key_off = ix->arena_len,
                                                  .key_len = (uint32_t)len,
                                                  .partition = partition,
                                                  .offset = offset,
                                                  .write_us = write_us,
                                                  .deletes = deletes};
    ix->arena_len += len;
    ix->slots[slot] = (uint32_t)++ix->n;
    if (ix->n * 2 > ix->nslots)
        grow_slots(ix);
    return UP_VINDEX_NEW;
}

const struct up_vindex_entry *up_vindex_find(const struct up_vindex *ix, const void *key,
                                             size_t len)
{
    uint32_t s = ix->slots[slot_of(ix, key, len)];
    return s ? &ix->entries[s - 1] : NULL;
}

size_t up_vindex_count(const struct up_vindex *ix)
{
    return ix->n;
}

const struct up_vindex_entry *up_vindex_at(const struct up_vindex *ix, size_t i)
{
    return &ix->entries[i];
}

size_t up_vindex_bytes(const struct up_vindex *ix)
{
    return ix->arena_cap + ix->cap * sizeof *ix->entries + ix->nslots * sizeof *ix->slots;
}
