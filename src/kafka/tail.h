/* kafka/tail: look at a topic without touching anyone's consumer group.
 *
 * Two handles live here:
 *   - up_tail, a group-less consumer (kcat -C semantics): it fetches every partition of one
 *     topic itself with librdkafka's simple consumer API (no group.id at all), starts from the end,
 * the beginning, an offset or a time, filters records by a substring of key or value, and can say
 * where it is as a cursor "p:o,p:o" (the next offset per partition) that a later tail resumes from
 * exactly;
 *   - up_inspector, an admin/metadata handle: topics with partitions and watermarks, retention
 *     (DescribeConfigs), a group's committed offsets (ListConsumerGroupOffsets) and state
 *     (DescribeConsumerGroups). It never joins the group it inspects, so the stream's
 *     consumers are not rebalanced by someone opening a dashboard.
 * Neither knows what the records mean. */
#ifndef UP_KAFKA_TAIL_H
#define UP_KAFKA_TAIL_H

#include "core/buf.h"
#include "core/flags.h"

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

#define UP_TAIL_MAX_PARTITIONS 1024

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

/* ------------------------------------------------------------------------- inspection */

struct up_partition_offsets {
    int32_t partition;
    int64_t low;       /* oldest retained offset */
    int64_t high;      /* next offset to be written; high - low = records retained */
    int64_t committed; /* the inspected group's committed offset; -1 = none */
};

struct up_topic_info {
    char *name;
    size_t npartitions;
    struct up_partition_offsets *partitions; /* sorted by partition id */
    int64_t retention_ms;                    /* -1 = unlimited, -2 = not known (yet) */
    int64_t retention_bytes;                 /* -1 = unlimited, -2 = not known */
};

struct up_group_info {
    char state[32]; /* "Stable", "Empty", "PreparingRebalance", "Dead", "Unknown", ... */
    size_t members;
};

struct up_inspector;

struct up_inspector *up_inspector_new(const char *brokers, const struct up_str_list *props,
                                      char *err, size_t errlen);
void up_inspector_free(struct up_inspector *ins);

/* Every topic the cluster lists (internal ones such as __consumer_offsets left out), sorted
 * by name, with partitions and watermarks (retention left at -2). *out is an array of *n;
 * free with up_topic_info_free. */
int up_inspector_topics(struct up_inspector *ins, int timeout_ms, struct up_topic_info **out,
                        size_t *n, char *err, size_t errlen);
/* One topic; -1 + "topic 'x' does not exist" when it is missing. */
int up_inspector_topic(struct up_inspector *ins, const char *topic, int timeout_ms,
                       struct up_topic_info *out, char *err, size_t errlen);
void up_topic_info_free(struct up_topic_info *topics, size_t n);
void up_topic_info_clear(struct up_topic_info *t);

/* Fills retention_ms / retention_bytes of each topic with one DescribeConfigs request. */
int up_inspector_retention(struct up_inspector *ins, struct up_topic_info *topics, size_t n,
                           int timeout_ms, char *err, size_t errlen);
/* Sets partitions[i].committed from the group's committed offsets (-1 where it has none). */
int up_inspector_committed(struct up_inspector *ins, const char *group, struct up_topic_info *topic,
                           int timeout_ms, char *err, size_t errlen);
int up_inspector_group(struct up_inspector *ins, const char *group, struct up_group_info *out,
                       int timeout_ms, char *err, size_t errlen);

#endif
