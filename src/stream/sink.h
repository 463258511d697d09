/* stream/sink: how records become rows and where they go, as a struct of hooks plus its own
 * context (the shape of a Fluent Bit output plugin). The loop only knows this interface, so it
 * is unit-tested with a fake sink, and a new database would be one more implementation beside
 * sink_map.c. A write either stores the row or fails with a class (below) and a message: the
 * loop writes transient and operator failures again with backoff until they succeed (nothing
 * is skipped) and dead-letters a record the database refuses for its data. Completions run
 * only from poll(), on the loop's thread. */
#ifndef UP_STREAM_SINK_H
#define UP_STREAM_SINK_H

#include "stream/validate.h"

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a failed write means for its record (stream/write_class.h for the CQL errors). */
enum up_write_class {
    UP_WRITE_TRANSIENT, /* the database cannot take it now: write it again later */
    UP_WRITE_DATA,      /* the database refuses this record's values: the DLQ, move on */
    UP_WRITE_OPERATOR,  /* the table, the grants or the mapping must change: pause, retry */
};
#define UP_WRITE_CLASSES 3
static inline const char *up_write_class_name(enum up_write_class c)
{
    return c == UP_WRITE_DATA ? "data" : c == UP_WRITE_OPERATOR ? "operator" : "transient";
}

struct up_sink_failure {
    enum up_write_class cls;
    uint32_t code;       /* the database's error code (CQL: 0x2200), 0 when none */
    const char *message; /* one line, for the log and the DLQ detail */
    const char *target;  /* the table the refused write was for ("ks.table"), or "" */
    const char *hint;    /* UP_WRITE_OPERATOR: what to change, or NULL */
};

/* f NULL: the row is durable as far as the sink can tell (acknowledged at the configured
 * consistency); otherwise f says why and what it means. f lives only during the call. */
typedef void (*up_sink_done_fn)(void *opaque, const struct up_sink_failure *f);

/* Why the sink refuses a record (prepare below): for the DLQ headers. */
struct up_sink_reject {
    /* UP_REJECT_PARSE or UP_REJECT_MAPPING: a mapping's stage (the metric's reason and the
     * stage header), why the finer reason and target the table. Any other: a rule of the
     * users record (missing_field, ...), the reason itself; why and target unused. */
    enum up_reject reason;
    char why[32];     /* the finer reason for the header: "malformed_json", "conversion" */
    char detail[256]; /* one printable line */
    char target[128]; /* the table the record was headed for ("" when none yet) */
};

struct up_sink {
    void *ctx;
    /* The sink decides how a Kafka record becomes rows (stream/sink_map: by a mapping, the
     * built-in users one or a file's): 0 and *item (the rows to write, opaque to the loop); or
     * -1 and rej filled, and the record goes to the DLQ. write_item then stores every row of
     * item (done runs once: f NULL when all are stored, else the worst failure: operator, then
     * transient, then data); 0: accepted, done will run from poll(); -1: refused right now
     * (queue full, shutting down: transient), err says why, done never runs. On failure the
     * loop calls write_item again with the same item, which must write the same cells (fixed
     * values at a fixed write time: idempotent upserts). free_item ends an item; it may run
     * after close (the loop frees queued retries last), so it must not use ctx. */
    int (*prepare)(void *ctx, const rd_kafka_message_t *m, int64_t timestamp_ms, void **item,
                   struct up_sink_reject *rej);
    int (*write_item)(void *ctx, void *item, up_sink_done_fn done, void *opaque, char *err,
                      size_t errlen);
    void (*free_item)(void *ctx, void *item);
    /* Runs completions; waits up to timeout_ms for the first one (0: no wait). */
    void (*poll)(void *ctx, int timeout_ms);
    /* A descriptor that is readable when poll() has work, or -1. */
    int (*fd)(void *ctx);
    /* Writes submitted and not completed yet. */
    size_t (*in_flight)(void *ctx);
    /* Ends the sink: writes still pending complete (done runs, not ok) inside this call.
     * The loop calls it once at the end, so no completion can outlive the loop. */
    void (*close)(void *ctx);
};

#endif
