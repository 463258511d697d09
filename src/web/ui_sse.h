/* web/ui_sse: the Server-Sent Events plumbing of the dashboard. An event is formatted once
 * (WHATWG "event:", "id:", "data:" lines) and shared by reference among every browser that
 * wants it; each browser has a bounded queue that drops its OLDEST events when the browser
 * reads slower than records arrive, counting what it dropped. A writer never waits for a
 * reader, so a slow or vanished browser cannot hold up the consumer feeding the others. */
#ifndef UP_WEB_UI_SSE_H
#define UP_WEB_UI_SSE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct up_sse_event {
    atomic_size_t refs;
    size_t len;
    char data[]; /* the whole wire form, ending in a blank line */
};

/* type and id may be NULL (then those lines are left out). Newlines inside data become
 * separate "data:" lines, as the format requires; CR and NUL in type/id are dropped. */
struct up_sse_event *up_sse_event_new(const char *type, const char *id, const char *data,
                                      size_t data_len);
/* A comment line (": text"), which browsers ignore: the heartbeat. */
struct up_sse_event *up_sse_comment_new(const char *text);
void up_sse_event_ref(struct up_sse_event *e);
void up_sse_event_unref(struct up_sse_event *e);

/* The CLOCK_MONOTONIC time ms from now, for pthread_cond_timedwait on a condition
 * variable set to that clock (as the queue's and the health poller's are). */
void up_deadline_after_ms(struct timespec *ts, int ms);

struct up_sse_queue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct up_sse_event **ring;
    size_t cap, head, count;
    size_t bytes, max_bytes;
    struct up_sse_event *cur; /* being copied out, possibly across several reads */
    size_t cur_off;
    uint64_t pushed, dropped;
    size_t wake_bytes; /* a push wakes the reader once this many bytes are queued */
    bool closed;
};

/* cap: most events held; max_bytes: most bytes held (an event larger than that alone is
 * still accepted once the queue is empty, so nothing is unsendable). */
void up_sse_queue_init(struct up_sse_queue *q, size_t cap, size_t max_bytes);
void up_sse_queue_destroy(struct up_sse_queue *q);
/* Takes a reference of e. Never blocks beyond the queue's own short lock. */
void up_sse_queue_push(struct up_sse_queue *q, struct up_sse_event *e);
/* Copies whole or partial events into buf; waits up to wait_ms when there is nothing.
 * Returns bytes copied: 0 after the wait with nothing, -1 once closed and drained. */
long up_sse_queue_read(struct up_sse_queue *q, char *buf, size_t max, int wait_ms);
/* Waits up to wait_ms until at least min_bytes are queued (or the queue closes), so that a
 * busy stream is written in large pieces instead of one record at a time. */
void up_sse_queue_gather(struct up_sse_queue *q, size_t min_bytes, int wait_ms);
/* Readers see the end of the stream after what is queued. */
void up_sse_queue_close(struct up_sse_queue *q);
uint64_t up_sse_queue_dropped(struct up_sse_queue *q);
/* True while an event has been handed out only in part: nothing else may be written to the
 * stream until it is finished. */
bool up_sse_queue_mid_event(struct up_sse_queue *q);
size_t up_sse_queue_length(struct up_sse_queue *q);

#endif
