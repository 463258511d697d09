/* web/ui_sse: shared SSE events and bounded per-browser queues. */
#include "web/ui_sse.h"

#include "core/buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Appends "name: value\n" with CR, LF and NUL removed from value (ids and types are ours,
 * but a cursor or a type must never be able to start a second field). */
static void put_field(struct up_buf *b, const char *name, const char *value)
{
    up_buf_puts(b, name);
    up_buf_puts(b, ": ");
    for (const char *p = value; *p; p++)
        if (*p != '\r' && *p != '\n')
            up_buf_putc(b, *p);
    up_buf_putc(b, '\n');
}

static struct up_sse_event *event_from_buf(struct up_buf *b)
{
    struct up_sse_event *e = up_xmalloc(sizeof *e + b->len + 1);
    atomic_init(&e->refs, 1);
    e->len = b->len;
    memcpy(e->data, b->data, b->len + 1);
    up_buf_free(b);
    return e;
}

struct up_sse_event *up_sse_event_new(const char *type, const char *id, const char *data,
                                      size_t data_len)
{
    struct up_buf b = UP_BUF_INIT;
    up_buf_reserve(&b, data_len + 64);
    if (type)
        put_field(&b, "event", type);
    if (id)
        put_field(&b, "id", id);
    /* One "data:" line per line of data; CRLF, CR and LF all end a line in the format. */
    size_t start = 0;
    for (size_t i = 0; i <= data_len; i++) {
        if (i < data_len && data[i] != '\n' && data[i] != '\r')
            continue;
        up_buf_puts(&b, "data: ");
        up_buf_append(&b, data + start, i - start);
        up_buf_putc(&b, '\n');
        if (i + 1 < data_len && data[i] == '\r' && data[i + 1] == '\n')
            i++;
        start = i + 1;
    }
    up_buf_putc(&b, '\n');
    return event_from_buf(&b);
}

struct up_sse_event *up_sse_comment_new(const char *text)
{
    struct up_buf b = UP_BUF_INIT;
    put_field(&b, "", text);
    up_buf_putc(&b, '\n');
    return event_from_buf(&b);
}

void up_sse_event_ref(struct up_sse_event *e)
{
    atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed);
}

void up_sse_event_unref(struct up_sse_event *e)
{
    if (e && atomic_fetch_sub_explicit(&e->refs, 1, memory_order_acq_rel) == 1)
        free(e);
}

void up_sse_queue_init(struct up_sse_queue *q, size_t cap, size_t max_bytes)
{
    memset(q, 0, sizeof *q);
    pthread_mutex_init(&q->mu, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&q->cv, &attr);
    pthread_condattr_destroy(&attr);
    q->cap = cap ? cap : 1;
    q->max_bytes = max_bytes;
    q->ring = up_xcalloc(q->cap, sizeof *q->ring);
    q->wake_bytes = 1;
}

static struct up_sse_event *pop_locked(struct up_sse_queue *q)
{
    struct up_sse_event *e = q->ring[q->head];
    q->ring[q->head] = NULL;
    q->head = (q->head + 1) % q->cap;
    q->count--;
    q->bytes -= e->len;
    return e;
}

void up_sse_queue_destroy(struct up_sse_queue *q)
{
    while (q->count)
        up_sse_event_unref(pop_locked(q));
    up_sse_event_unref(q->cur);
    free(q->ring);
    pthread_cond_destroy(&q->cv);
    pthread_mutex_destroy(&q->mu);
}

void up_sse_queue_push(struct up_sse_queue *q, struct up_sse_event *e)
{
    pthread_mutex_lock(&q->mu);
    if (q->closed) {
        pthread_mutex_unlock(&q->mu);
        return;
    }
    while (q->count && (q->count == q->cap || q->bytes + e->len > q->max_bytes)) {
        up_sse_event_unref(pop_locked(q));
        q->dropped++;
    }
    up_sse_event_ref(e);
    q->ring[(q->head + q->count) % q->cap] = e;
    q->count++;
    q->bytes += e->len;
    q->pushed++;
    if (q->bytes >= q->wake_bytes)
        pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

void up_deadline_after_ms(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Waits until min_bytes are queued, the queue closes or wait_ms pass; q->mu held. */
static void wait_locked(struct up_sse_queue *q, size_t min_bytes, int wait_ms)
{
    struct timespec ts;
    up_deadline_after_ms(&ts, wait_ms);
    q->wake_bytes = min_bytes;
    while (q->bytes < min_bytes && !q->closed)
        if (pthread_cond_timedwait(&q->cv, &q->mu, &ts) == ETIMEDOUT)
            break;
    q->wake_bytes = 1;
}

void up_sse_queue_gather(struct up_sse_queue *q, size_t min_bytes, int wait_ms)
{
    pthread_mutex_lock(&q->mu);
    if (wait_ms > 0)
        wait_locked(q, min_bytes ? min_bytes : 1, wait_ms);
    pthread_mutex_unlock(&q->mu);
}

long up_sse_queue_read(struct up_sse_queue *q, char *buf, size_t max, int wait_ms)
{
    pthread_mutex_lock(&q->mu);
    if (!q->cur && !q->count && wait_ms > 0)
        wait_locked(q, 1, wait_ms);
    size_t n = 0;
    while (n < max) {
        if (!q->cur) {
            if (!q->count)
                break;
            q->cur = pop_locked(q);
            q->cur_off = 0;
        }
        size_t take = q->cur->len - q->cur_off;
        if (take > max - n)
            take = max - n;
        memcpy(buf + n, q->cur->data + q->cur_off, take);
        n += take;
        q->cur_off += take;
        if (q->cur_off == q->cur->len) {
            up_sse_event_unref(q->cur);
            q->cur = NULL;
        }
    }
    bool ended = n == 0 && q->closed && !q->count && !q->cur;
    pthread_mutex_unlock(&q->mu);
    return ended ? -1 : (long)n;
}

void up_sse_queue_close(struct up_sse_queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = true;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

uint64_t up_sse_queue_dropped(struct up_sse_queue *q)
{
    pthread_mutex_lock(&q->mu);
    uint64_t d = q->dropped;
    pthread_mutex_unlock(&q->mu);
    return d;
}

bool up_sse_queue_mid_event(struct up_sse_queue *q)
{
    pthread_mutex_lock(&q->mu);
    bool mid = q->cur != NULL;
    pthread_mutex_unlock(&q->mu);
    return mid;
}

size_t up_sse_queue_length(struct up_sse_queue *q)
{
    pthread_mutex_lock(&q->mu);
    size_t n = q->count;
    pthread_mutex_unlock(&q->mu);
    return n;
}
