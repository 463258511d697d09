/* source/batch: one page of RandomUser results turned into Kafka messages. Each
 * result becomes either a record (key = id, value = the record's JSON) or a reject
 * (the result's own compact JSON plus the reason) bound for the dead-letter topic.
 * Keys and values live back to back in one buffer, so a page of 5,000 users is a
 * few allocations, not tens of thousands. */
#ifndef UP_SOURCE_BATCH_H
#define UP_SOURCE_BATCH_H

#include "core/buf.h"
#include "source/transform.h"

#include <jansson.h>
#include <stddef.h>

struct up_batch_record {
    size_t key_off, value_off; /* into data */
    size_t key_len, value_len;
};

struct up_batch_reject {
    size_t value_off, value_len; /* the result as the API sent it (compact JSON) */
    enum up_transform_reason reason;
    char detail[200]; /* printable ASCII, for a header */
};

struct up_batch {
    long page;    /* the API page it came from */
    size_t asked; /* results requested */
    struct up_buf data;
    struct up_batch_record *records;
    size_t nrecords, records_cap;
    struct up_batch_reject *rejects;
    size_t nrejects, rejects_cap;
};

void up_batch_init(struct up_batch *b);
/* Empties b, keeping its memory for the next page. */
void up_batch_reset(struct up_batch *b);
void up_batch_free(struct up_batch *b);

/* Transforms the first `limit` elements of the results array into b. */
void up_batch_add_results(struct up_batch *b, const json_t *results, size_t limit);

/* Users in the batch: records and rejects. */
size_t up_batch_users(const struct up_batch *b);

static inline const char *up_batch_ptr(const struct up_batch *b, size_t off)
{
    return b->data.data + off;
}

#endif
