/* kafka/tail: read a topic without touching anyone's consumer group. up_tail is a group-less
 * consumer (kcat -C semantics): it fetches every partition of one topic itself with librdkafka's
 * simple consumer API (no group.id at all), starts from the end, the beginning, an offset or a
 * time, filters records by a substring of key or value, and can say where it is as a cursor
 * "p:o,p:o" (the next offset per partition) that a later tail resumes from exactly. It does not
 * know what the records mean. Its sibling kafka/inspect.h looks at topics and groups. */
#ifndef UP_KAFKA_TAIL_H
#define UP_KAFKA_TAIL_H

#include "core/buf.h"
#include "core/flags.h"
#include "kafka/partitions.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ where a tail starts */

enum up_tail_from {
    UP_TAIL_END,       /* only records produced from now on */
    UP_TAIL_BEGINNING, /* the oldest record still retained */
    UP_TAIL_OFFSET,    /* the same offset on every partition, clamped to what is retained */
    UP_TAIL_LAST,      /* the last N records of every partition (kcat -o -N) */
    UP_TAIL_TIME,      /* the first record at or after a time (offsets_for_times) */
    UP_TAIL_CURSOR,    /* exact per-partition positions from up_tail_cursor() */
};

#define UP_TAIL_MAX_PARTITIONS UP_PARTITIONS_MAX

struct up_tail_start {
    enum up_tail_from from;
    int64_t value; /* OFFSET: the offset; LAST: N; TIME: ms since the epoch */
    /* CURSOR: next offset per partition; partitions not named start from the end. */
    size_t ncursor;
    int32_t cursor_partition[UP_TAIL_MAX_PARTITIONS];
    int64_t cursor_offset[UP_TAIL_MAX_PARTITIONS];
};

/* Parses "end" | "beginning" | "<offset>" | "-<n>" | "@<ISO 8601 or ms>" | "p:o,p:o,..".
 * 0, or -1 with a message in err when the text is none of those. */
int up_tail_start_parse(const char *s, struct up_tail_start *out, char *err, size_t errlen);

/* ---------------------------------------------------------------------------- the tail */

#define UP_TAIL_MAX_HEADERS 32

struct up_tail_header {
    const char *name;
    const char *value; /* NULL for a null header value */
    size_t value_len;
};

/* A record as the callback sees it: every pointer is valid only during the call. */
struct up_tail_msg {
    const char *topic;
    int32_t partition;
    int64_t offset;
    int64_t timestamp_ms; /* -1 when the record has none */
    const char *key;      /* NULL for a null key */
    size_t key_len;
    const char *value; /* NULL for a null value (a tombstone) */
    size_t value_len;
    size_t nheaders;
    struct up_tail_header headers[UP_TAIL_MAX_HEADERS];
};

struct up_tail_config {
    const char *brokers;
    const struct up_str_list *props; /* -X key=value, applied last */
    const char *topic;
    struct up_tail_start start;
    const char *filter; /* case-insensitive substring of key or value; NULL/"" = all */
    int timeout_ms;     /* for the metadata and offset lookups at open; 0 = 10 s */
};

struct up_tail_counts {
    uint64_t scanned; /* records read from Kafka */
    uint64_t matched; /* records that passed the filter and were handed to the callback */
    uint64_t bytes;   /* key + value bytes scanned */
};

struct up_tail;

/* Resolves the start to absolute offsets and starts fetching every partition. NULL + err when the
 * topic does not exist, the brokers do not answer in time or a property is bad. */
struct up_tail *up_tail_open(const struct up_tail_config *cfg, char *err, size_t errlen);
void up_tail_close(struct up_tail *t);

/* Called once per matching record; return false to stop this poll early. */
typedef bool (*up_tail_fn)(void *ctx, const struct up_tail_msg *msg);

/* Waits up to timeout_ms for records, then hands over at most max_records of them without
 * waiting further. Returns how many were scanned, or -1 + err on an error that ends the tail
 * (topic deleted, authorisation); transient broker trouble is retried by librdkafka. */
int up_tail_poll(struct up_tail *t, int timeout_ms, int max_records, up_tail_fn fn, void *ctx,
                 char *err, size_t errlen);

/* The position after the last record scanned: "p:o,p:o" with every assigned partition. */
void up_tail_cursor(const struct up_tail *t, struct up_buf *out);
size_t up_tail_partition_count(const struct up_tail *t);
struct up_tail_counts up_tail_counts(const struct up_tail *t);

/* Case-insensitive (ASCII) substring search; an empty needle matches everything. */
bool up_tail_contains(const char *hay, size_t hay_len, const char *needle, size_t needle_len);

#endif
