/* stream/watermark: one partition's records in flight and the offset that is safe to
 * commit. Records enter in offset order (as Kafka delivers them) and finish in any
 * order (writes complete out of order); the committable offset is one past the last
 * record of the finished prefix, so it never passes a record that is still in flight.
 * Offsets may have gaps (compaction, transaction markers): a gap is not a record and
 * never holds the watermark back. */
#ifndef UP_STREAM_WATERMARK_H
#define UP_STREAM_WATERMARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct up_watermark {
    int64_t *offsets; /* ring, submission (= offset) order */
    bool *done;
    size_t cap, head, count; /* count: entries in the ring, finished or not */
    size_t pending;          /* entries not finished */
    int64_t last_submitted;  /* -1: nothing submitted since init/reset */
    int64_t committable;     /* -1: nothing finished yet */
};

void up_watermark_init(struct up_watermark *w);
void up_watermark_free(struct up_watermark *w);
/* Forgets everything (partition revoked, or re-assigned at a new position). */
void up_watermark_reset(struct up_watermark *w);

/* Enters offset as in flight. False (and nothing changes) when offset is not above the
 * last one entered: a redelivery of a record already tracked or already finished. */
bool up_watermark_submit(struct up_watermark *w, int64_t offset);
/* Marks offset finished (stored or dead-lettered). False when it is not in flight
 * (already finished, or entered before a reset). */
bool up_watermark_complete(struct up_watermark *w, int64_t offset);

/* The offset to hand to rd_kafka_offsets_store (the next one to consume, i.e. "+1"
 * already applied): every record below it is finished. -1 when nothing is. */
int64_t up_watermark_committable(const struct up_watermark *w);
size_t up_watermark_in_flight(const struct up_watermark *w);
/* Oldest offset still in flight, or -1. */
int64_t up_watermark_oldest(const struct up_watermark *w);

#endif
