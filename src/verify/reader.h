/* verify/reader: reads a range of a topic once, as it stands when the read starts: every
 * partition (or one) from its oldest retained offset, an offset or a time, up to the high
 * watermark read at open (or an offset), and never follows what is produced afterwards. No
 * consumer group: nobody's committed offsets move, nobody is rebalanced. */
#ifndef UP_VERIFY_READER_H
#define UP_VERIFY_READER_H

#include "core/flags.h"

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct up_vreader_config {
    const char *brokers;
    const struct up_str_list *props; /* -X key=value, applied last */
    const char *topic;
    int32_t partition;   /* -1: every partition */
    int64_t from_offset; /* -1: the oldest retained */
    int64_t to_offset;   /* the last offset read (inclusive); -1: up to the high watermark */
    int64_t since_ms;    /* -1: no bound; else records with a timestamp before it are skipped,
                          * and each partition starts at the first offset at or after it */
    int64_t until_ms;    /* -1: no bound; else records with a later timestamp are skipped */
    int timeout_ms;      /* metadata and offset lookups: 0 = 10 s */
};

/* One partition's range: [start, end) and how far the read got. */
struct up_vreader_range {
    int32_t partition;
    int64_t start, end;
    int64_t next;
    bool done;
};

struct up_vreader;

/* Resolves the ranges and starts fetching. NULL + err when the topic or the partition does not
 * exist, the brokers do not answer in time or a property is bad. */
struct up_vreader *up_vreader_open(const struct up_vreader_config *cfg, char *err, size_t errlen);
void up_vreader_close(struct up_vreader *r);

size_t up_vreader_ranges(const struct up_vreader *r);
const struct up_vreader_range *up_vreader_range(const struct up_vreader *r, size_t i);
/* Records in the ranges (the sum of end - start): what progress counts towards. */
uint64_t up_vreader_total(const struct up_vreader *r);
/* Every range read to its end. */
bool up_vreader_done(const struct up_vreader *r);

/* Called for each record in range and inside the time bounds; valid during the call. */
typedef void (*up_vreader_fn)(void *ctx, const rd_kafka_message_t *m);
/* Waits up to timeout_ms for records, then hands over those already fetched (at most
 * max_records). Returns the records scanned (in or out of the time bounds), or -1 + err on
 * an error that ends the read (topic deleted, authorisation). */
int up_vreader_poll(struct up_vreader *r, int timeout_ms, int max_records, up_vreader_fn fn,
                    void *ctx, char *err, size_t errlen);

#endif
