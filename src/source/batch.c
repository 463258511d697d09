/* source/batch: a page of results -> encoded records and DLQ rejects. */
#include "source/batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void up_batch_init(struct up_batch *b)
{
    memset(b, 0, sizeof *b);
}

void up_batch_reset(struct up_batch *b)
{
    up_buf_clear(&b->data);
    b->nrecords = 0;
    b->nrejects = 0;
    b->page = 0;
    b->asked = 0;
}

void up_batch_free(struct up_batch *b)
{
    up_buf_free(&b->data);
    free(b->records);
    free(b->rejects);
    up_batch_init(b);
}

size_t up_batch_users(const struct up_batch *b)
{
    return b->nrecords + b->nrejects;
}

static void add_record(struct up_batch *b, const struct up_record *r)
{
    if (b->nrecords == b->records_cap) {
        b->records_cap = b->records_cap ? b->records_cap * 2 : 64;
        b->records = up_xrealloc(b->records, b->records_cap * sizeof *b->records);
    }
    struct up_batch_record *e = &b->records[b->nrecords++];
    e->key_off = b->data.len;
    e->key_len = strlen(r->fields[UP_FIELD_id]);
    up_buf_append(&b->data, r->fields[UP_FIELD_id], e->key_len);
    e->value_off = b->data.len;
    up_record_to_json(r, &b->data);
    e->value_len = b->data.len - e->value_off;
}

static int dump_to_buf(const char *chunk, size_t size, void *arg)
{
    up_buf_append(arg, chunk, size);
    return 0;
}

static void add_reject(struct up_batch *b, const json_t *result, enum up_transform_reason why,
                       const char *detail)
{
    if (b->nrejects == b->rejects_cap) {
        b->rejects_cap = b->rejects_cap ? b->rejects_cap * 2 : 8;
        b->rejects = up_xrealloc(b->rejects, b->rejects_cap * sizeof *b->rejects);
    }
    struct up_batch_reject *e = &b->rejects[b->nrejects++];
    e->reason = why;
    /* The detail travels as a header: one printable ASCII line. */
    size_t n = 0;
    for (; detail[n] && n + 1 < sizeof e->detail; n++) {
        unsigned char c = (unsigned char)detail[n];
        e->detail[n] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    e->detail[n] = '\0';
    e->value_off = b->data.len;
    if (!result ||
        json_dump_callback(result, dump_to_buf, &b->data, JSON_COMPACT | JSON_ENCODE_ANY) != 0)
        up_buf_puts(&b->data, "null");
    e->value_len = b->data.len - e->value_off;
}

void up_batch_add_results(struct up_batch *b, const json_t *results, size_t limit)
{
    size_t n = json_array_size(results);
    if (n > limit)
        n = limit;
    for (size_t i = 0; i < n; i++) {
        const json_t *item = json_array_get(results, i);
        struct up_record rec = {{0}};
        char detail[200];
        enum up_transform_reason why = up_transform_result(item, &rec, detail, sizeof detail);
        if (why == UP_TRANSFORM_OK)
            add_record(b, &rec);
        else
            add_reject(b, item, why, detail);
        up_record_free(&rec);
    }
}
