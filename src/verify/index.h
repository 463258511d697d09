/* verify/index: what a topic says a table should hold: one entry per primary key with the record
 * that decides the key's row (partition, offset, write time, whether it deletes the row).
 *
 * Which record decides (docs/verify.md): within a partition the later offset wins, as the stream
 * applies a partition in order; across partitions the later write time wins, as Cassandra keeps
 * the cell with the higher timestamp; equal write times keep the record seen first.
 *
 * Memory, the bound `userpipe verify` states: keys are copied into one arena (their serialized
 * primary key, 20 bytes for a uuid), an entry is 40 bytes, and the open-addressing table holds a
 * 4-byte slot per entry at a load factor of 1/4 to 1/2 (8 to 16 bytes per key). A users key costs
 * 68 to 76 bytes: 1 M keys about 76 MB, with the arena and the entries grown by doubling. */
#ifndef UP_VERIFY_INDEX_H
#define UP_VERIFY_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct up_vindex_entry {
    uint64_t key_off; /* into the arena (up_vindex_key) */
    uint32_t key_len;
    int32_t partition;
    int64_t offset;
    int64_t write_us; /* the write time the stream gives the row; -1: the record has none */
    bool deletes;     /* a tombstone: no row expected */
};

enum up_vindex_add {
    UP_VINDEX_NEW,      /* the first record of this key */
    UP_VINDEX_REPLACED, /* this record decides the key now */
    UP_VINDEX_KEPT,     /* an earlier record still decides it */
};

struct up_vindex;

struct up_vindex *up_vindex_new(void);
void up_vindex_free(struct up_vindex *ix);
/* Adds one record of key (len bytes, at most UINT32_MAX). Aborts on out-of-memory, as
 * up_xmalloc does. */
enum up_vindex_add up_vindex_add(struct up_vindex *ix, const void *key, size_t len,
                                 int32_t partition, int64_t offset, int64_t write_us, bool deletes);
/* The entry of key, or NULL. */
const struct up_vindex_entry *up_vindex_find(const struct up_vindex *ix, const void *key,
                                             size_t len);
size_t up_vindex_count(const struct up_vindex *ix);
/* Entries in the order their keys were first seen. */
const struct up_vindex_entry *up_vindex_at(const struct up_vindex *ix, size_t i);
const uint8_t *up_vindex_key(const struct up_vindex *ix, const struct up_vindex_entry *e);
/* Bytes allocated for keys, entries and slots. */
size_t up_vindex_bytes(const struct up_vindex *ix);

#endif
