/* web/ui_feed: shared and dedicated live tails fanned out to bounded browser queues. */
#include "web/ui_feed.h"

#include "core/clock.h"
#include "core/log.h"
#include "web/ui_sse.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ui_feed;

struct up_ui_client {
    struct up_ui_hub *hub;
    struct ui_feed *feed;
    struct up_ui_client *next; /* in the feed's list, under feed->mu */
    char *filter;              /* applied at fan-out; NULL when the tail filters itself */
    size_t filter_len;
    struct up_sse_queue q;
    uint64_t matched; /* under feed->mu */
    int64_t next_progress_ms;
    struct up_buf pending; /* progress/stats bytes not yet handed out */
    size_t pending_off;
};

struct ui_feed {
    struct up_ui_hub *hub;
    char *topic;
    bool shared;
    struct up_tail *tail;
    pthread_t thread;
    bool running; /* thread was created: only then is it joined */
    pthread_mutex_t mu;
    struct up_ui_client *clients;
    size_t nclients;
    uint64_t scanned; /* under mu */
    atomic_bool stop;
    bool failed;  /* under hub->mu: no new browser may join */
    bool opening; /* under hub->mu: its tail is being opened; live browsers wait for it */
    struct up_buf cursor;
    struct up_buf json;
    struct ui_feed *next; /* in the hub's list */
};

struct up_ui_hub {
    char *brokers;
    struct up_str_list props;
    struct up_ui_limits lim;
    pthread_mutex_t mu;
    pthread_cond_t opened; /* a feed finished opening (or failed to) */
    struct ui_feed *feeds;
    size_t nclients, nfeeds;
    bool shutting_down;
    up_ui_stats_fn stats_fn;
    void *stats_ctx;
    struct up_series *m_clients, *m_feeds, *m_events, *m_scanned;
    struct up_metric *m_dropped_family;
    struct up_series *m_dropped;
};

/* ------------------------------------------------------------------------- rendering */

void up_ui_render_record(const struct up_tail_msg *m, size_t max_value_bytes, struct up_buf *out)
{
    bool cut = m->value && m->value_len > max_value_bytes;
    up_buf_puts(out, "{\"topic\":");
    up_buf_json_string(out, m->topic, strlen(m->topic));
    up_buf_printf(out,
                  ",\"partition\":%d,\"offset\":%lld,\"timestamp\":%lld,\"key\":", m->partition,
                  (long long)m->offset, (long long)m->timestamp_ms);
    up_buf_json_string(out, m->key, m->key_len);
    up_buf_puts(out, ",\"value\":");
    up_buf_json_string(out, m->value, cut ? max_value_bytes : m->value_len);
    up_buf_puts(out, ",\"headers\":[");
    for (size_t i = 0; i < m->nheaders; i++) {
        up_buf_puts(out, i ? ",[" : "[");
        up_buf_json_string(out, m->headers[i].name, strlen(m->headers[i].name));
        up_buf_putc(out, ',');
        up_buf_json_string(out, m->headers[i].value, m->headers[i].value_len);
        up_buf_putc(out, ']');
    }
    up_buf_printf(out, "],\"size\":%zu,\"truncated\":%s}", m->key_len + m->value_len,
                  cut ? "true" : "false");
}

/* ------------------------------------------------------------------------------ feeds */

static bool client_wants(const struct up_ui_client *c, const struct up_tail_msg *m)
{
    if (!c->filter)
        return true;
    return up_tail_contains(m->key, m->key_len, c->filter, c->filter_len) ||
           up_tail_contains(m->value, m->value_len, c->filter, c->filter_len);
}

/* Runs on the feed's thread for every record the tail lets through. */
static bool on_record(void *ctx, const struct up_tail_msg *m)
{
    struct ui_feed *f = ctx;
    up_buf_clear(&f->cursor);
    up_tail_cursor(f->tail, &f->cursor);
    struct up_sse_event *ev = NULL;
    size_t delivered = 0;
    pthread_mutex_lock(&f->mu);
    for (struct up_ui_client *c = f->clients; c; c = c->next) {
        if (!client_wants(c, m))
            continue;
        if (!ev) {
            up_buf_clear(&f->json);
            up_ui_render_record(m, f->hub->lim.max_value_bytes, &f->json);
            ev = up_sse_event_new("message", f->cursor.data, f->json.data, f->json.len);
        }
        uint64_t before = c->q.dropped;
        up_sse_queue_push(&c->q, ev);
        if (c->q.dropped != before)
            up_series_add(f->hub->m_dropped, (double)(c->q.dropped - before));
        c->matched++;
        delivered++;
    }
    pthread_mutex_unlock(&f->mu);
    up_sse_event_unref(ev);
    up_series_add(f->hub->m_events, (double)delivered);
    return true;
}

/* The feed failed for good (topic deleted, say): tell its browsers and end their streams. */
static void feed_fail(struct ui_feed *f, const char *why)
{
    struct up_buf b = UP_BUF_INIT;
    up_buf_puts(&b, "{\"error\":");
    up_buf_json_cstring(&b, why);
    up_buf_puts(&b, "}");
    struct up_sse_event *ev = up_sse_event_new("tail-error", NULL, b.data, b.len);
    up_buf_free(&b);
    pthread_mutex_lock(&f->hub->mu);
    f->failed = true;
    pthread_mutex_unlock(&f->hub->mu);
    pthread_mutex_lock(&f->mu);
    for (struct up_ui_client *c = f->clients; c; c = c->next) {
        up_sse_queue_push(&c->q, ev);
        up_sse_queue_close(&c->q);
    }
    pthread_mutex_unlock(&f->mu);
    up_sse_event_unref(ev);
}

static void *feed_main(void *arg)
{
    struct ui_feed *f = arg;
    char err[512];
    while (!atomic_load(&f->stop)) {
        int n = up_tail_poll(f->tail, 100, 1000, on_record, f, err, sizeof err);
        if (n < 0) {
            UP_WARN("tail of '%s' ended: %s", f->topic, err);
            feed_fail(f, err);
            break;
        }
        up_series_add(f->hub->m_scanned, n);
        pthread_mutex_lock(&f->mu);
        f->scanned = up_tail_counts(f->tail).scanned;
        pthread_mutex_unlock(&f->mu);
    }
    return NULL;
}

/* A feed that never got a thread (its tail failed to open). */
static void feed_discard(struct ui_feed *f)
{
    up_tail_close(f->tail);
    pthread_mutex_destroy(&f->mu);
    up_buf_free(&f->cursor);
    up_buf_free(&f->json);
    free(f->topic);
    free(f);
}

static void feed_free(struct ui_feed *f)
{
    atomic_store(&f->stop, true);
    if (f->running)
        pthread_join(f->thread, NULL);
    feed_discard(f);
}

static struct ui_feed *feed_new(struct up_ui_hub *hub, const char *topic, bool shared)
{
    struct ui_feed *f = up_xcalloc(1, sizeof *f);
    f->hub = hub;
    f->topic = up_xstrdup(topic);
    f->shared = shared;
    f->opening = true;
    pthread_mutex_init(&f->mu, NULL);
    atomic_init(&f->stop, false);
    return f;
}

static struct up_tail *open_tail(struct up_ui_hub *hub, const char *topic,
                                 const struct up_tail_start *start, const char *tail_filter,
                                 char *err, size_t errlen)
{
    struct up_tail_config cfg = {
        .brokers = hub->brokers,
        .props = &hub->props,
        .topic = topic,
        .start = *start,
        .filter = tail_filter,
        .timeout_ms = hub->lim.open_timeout_ms > 0 ? hub->lim.open_timeout_ms : 5000};
    return up_tail_open(&cfg, err, errlen);
}

/* ------------------------------------------------------------------------------- hub */

struct up_ui_hub *up_ui_hub_new(const char *brokers, const struct up_str_list *props,
                                const struct up_ui_limits *limits, struct up_registry *reg)
{
    struct up_ui_hub *hub = up_xcalloc(1, sizeof *hub);
    hub->brokers = up_xstrdup(brokers);
    for (size_t i = 0; props && i < props->len; i++)
        up_str_list_push(&hub->props, props->items[i]);
    hub->lim = *limits;
    pthread_mutex_init(&hub->mu, NULL);
    pthread_cond_init(&hub->opened, NULL);
    hub->m_clients =
        up_metric_series(up_metric_new(reg, UP_METRIC_GAUGE, "userpipe_ui_sse_clients",
                                       "Browsers following a live tail.", NULL, NULL, 0));
    hub->m_feeds =
        up_metric_series(up_metric_new(reg, UP_METRIC_GAUGE, "userpipe_ui_tail_feeds",
                                       "Kafka consumers open for live tails.", NULL, NULL, 0));
    hub->m_events = up_metric_series(up_metric_new(
        reg, UP_METRIC_COUNTER, "userpipe_ui_sse_events_total",
        "Record events queued to browsers (one per browser per record).", NULL, NULL, 0));
    hub->m_dropped = up_metric_series(
        up_metric_new(reg, UP_METRIC_COUNTER, "userpipe_ui_sse_dropped_events_total",
                      "Record events dropped because a browser read slower than records arrived.",
                      NULL, NULL, 0));
    hub->m_scanned = up_metric_series(up_metric_new(
        reg, UP_METRIC_COUNTER, "userpipe_ui_tail_records_scanned_total",
        "Records read from Kafka by the live tails, before filtering.", NULL, NULL, 0));
    return hub;
}

void up_ui_hub_set_stats(struct up_ui_hub *hub, up_ui_stats_fn fn, void *ctx)
{
    pthread_mutex_lock(&hub->mu);
    hub->stats_fn = fn;
    hub->stats_ctx = ctx;
    pthread_mutex_unlock(&hub->mu);
}

void up_ui_hub_shutdown(struct up_ui_hub *hub)
{
    pthread_mutex_lock(&hub->mu);
    hub->shutting_down = true;
    pthread_cond_broadcast(&hub->opened);
    for (struct ui_feed *f = hub->feeds; f; f = f->next) {
        pthread_mutex_lock(&f->mu);
        for (struct up_ui_client *c = f->clients; c; c = c->next)
            up_sse_queue_close(&c->q);
        pthread_mutex_unlock(&f->mu);
    }
    pthread_mutex_unlock(&hub->mu);
}

void up_ui_hub_free(struct up_ui_hub *hub)
{
    if (!hub)
        return;
    /* Browsers detach before this; a feed left here has no browser and is just stopped. */
    while (hub->feeds) {
        struct ui_feed *f = hub->feeds;
        hub->feeds = f->next;
        feed_free(f);
    }
    pthread_cond_destroy(&hub->opened);
    pthread_mutex_destroy(&hub->mu);
    up_str_list_free(&hub->props);
    free(hub->brokers);
    free(hub);
}

size_t up_ui_hub_clients(struct up_ui_hub *hub)
{
    pthread_mutex_lock(&hub->mu);
    size_t n = hub->nclients;
    pthread_mutex_unlock(&hub->mu);
    return n;
}

size_t up_ui_hub_feeds(struct up_ui_hub *hub)
{
    pthread_mutex_lock(&hub->mu);
    size_t n = hub->nfeeds;
    pthread_mutex_unlock(&hub->mu);
    return n;
}

static void hub_counts_locked(struct up_ui_hub *hub)
{
    up_series_set(hub->m_clients, (double)hub->nclients);
    up_series_set(hub->m_feeds, (double)hub->nfeeds);
}

static struct up_ui_client *client_new(struct up_ui_hub *hub, const char *filter)
{
    struct up_ui_client *c = up_xcalloc(1, sizeof *c);
    c->hub = hub;
    if (filter && *filter) {
        c->filter = up_xstrdup(filter);
        c->filter_len = strlen(filter);
    }
    up_sse_queue_init(&c->q, hub->lim.queue_events, hub->lim.queue_bytes);
    c->next_progress_ms = 0; /* the first read sends progress + stats at once */
    return c;
}

static void client_free(struct up_ui_client *c)
{
    up_sse_queue_destroy(&c->q);
    up_buf_free(&c->pending);
    free(c->filter);
    free(c);
}

/* Adds c to f; both locks are the caller's to take (hub->mu held). */
static void join_locked(struct ui_feed *f, struct up_ui_client *c)
{
    pthread_mutex_lock(&f->mu);
    c->feed = f;
    c->next = f->clients;
    f->clients = c;
    f->nclients++;
    pthread_mutex_unlock(&f->mu);
    f->hub->nclients++;
    hub_counts_locked(f->hub);
}

/* The live feed of topic, or one being opened (f->opening). */
static struct ui_feed *find_shared_locked(struct up_ui_hub *hub, const char *topic)
{
    for (struct ui_feed *f = hub->feeds; f; f = f->next)
        if (f->shared && !f->failed && strcmp(f->topic, topic) == 0)
            return f;
    return NULL;
}

static void link_locked(struct up_ui_hub *hub, struct ui_feed *f)
{
    f->next = hub->feeds;
    hub->feeds = f;
    hub->nfeeds++;
    hub_counts_locked(hub);
}

static void unlink_locked(struct up_ui_hub *hub, struct ui_feed *f)
{
    for (struct ui_feed **pp = &hub->feeds; *pp; pp = &(*pp)->next)
        if (*pp == f) {
            *pp = f->next;
            hub->nfeeds--;
            break;
        }
    hub_counts_locked(hub);
}

struct up_ui_client *up_ui_hub_attach(struct up_ui_hub *hub, const char *topic,
                                      const struct up_tail_start *start, const char *filter,
                                      bool *not_found, char *err, size_t errlen)
{
    *not_found = false;
    bool shared = start->from == UP_TAIL_END;
    /* On a shared feed every browser has its own filter; a dedicated tail filters itself. */
    struct up_ui_client *c = client_new(hub, shared ? filter : NULL);
    pthread_mutex_lock(&hub->mu);
    struct ui_feed *f = NULL;
    /* Another browser is opening this topic's live feed: wait and join it, rather than open
     * a second consumer on the same topic. */
    while (shared && !hub->shutting_down && (f = find_shared_locked(hub, topic)) && f->opening)
        pthread_cond_wait(&hub->opened, &hub->mu);
    if (hub->shutting_down) {
        pthread_mutex_unlock(&hub->mu);
        snprintf(err, errlen, "the dashboard is shutting down");
        client_free(c);
        return NULL;
    }
    if (f) {
        join_locked(f, c);
        pthread_mutex_unlock(&hub->mu);
        return c;
    }
    f = feed_new(hub, topic, shared);
    link_locked(hub, f);
    pthread_mutex_unlock(&hub->mu);

    /* Opening resolves offsets over the network: not while holding the hub's lock. */
    struct up_tail *t = open_tail(hub, topic, start, shared ? NULL : filter, err, errlen);
    pthread_mutex_lock(&hub->mu);
    f->opening = false;
    pthread_cond_broadcast(&hub->opened);
    if (!t) {
        unlink_locked(hub, f);
        pthread_mutex_unlock(&hub->mu);
        *not_found = strstr(err, "does not exist") != NULL; /* up_tail_open's wording */
        feed_discard(f);
        client_free(c);
        return NULL;
    }
    f->tail = t;
    join_locked(f, c);
    if (hub->shutting_down)
        up_sse_queue_close(&c->q);
    int rc = pthread_create(&f->thread, NULL, feed_main, f);
    if (rc != 0) {
        /* Out of threads (a busy machine): this browser gets a 503, the server goes on. c is
         * the feed's only browser: the others that wanted it wait for hub->mu, still held. */
        f->clients = NULL;
        f->nclients = 0;
        hub->nclients--;
        unlink_locked(hub, f);
        pthread_mutex_unlock(&hub->mu);
        snprintf(err, errlen, "cannot start a thread for the tail of '%s': %s", topic,
                 strerror(rc));
        UP_WARN("%s", err);
        feed_discard(f);
        client_free(c);
        return NULL;
    }
    f->running = true;
    pthread_mutex_unlock(&hub->mu);
    return c;
}

void up_ui_client_detach(struct up_ui_client *c)
{
    struct up_ui_hub *hub = c->hub;
    struct ui_feed *f = c->feed;
    pthread_mutex_lock(&hub->mu);
    pthread_mutex_lock(&f->mu);
    for (struct up_ui_client **pp = &f->clients; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    bool last = --f->nclients == 0;
    pthread_mutex_unlock(&f->mu);
    if (last)
        unlink_locked(hub, f);
    hub->nclients--;
    hub_counts_locked(hub);
    pthread_mutex_unlock(&hub->mu);
    if (last)
        feed_free(f);
    client_free(c);
}

/* Queues the once-a-period "progress" (this browser's counters) and "stats" events. */
static void make_progress(struct up_ui_client *c)
{
    struct up_ui_hub *hub = c->hub;
    struct ui_feed *f = c->feed;
    pthread_mutex_lock(&f->mu);
    uint64_t scanned = f->scanned, matched = c->matched;
    pthread_mutex_unlock(&f->mu);
    struct up_buf data = UP_BUF_INIT;
    up_buf_printf(&data,
                  "{\"scanned\":%llu,\"matched\":%llu,\"dropped\":%llu,\"queued\":%zu,"
                  "\"shared\":%s}",
                  (unsigned long long)scanned, (unsigned long long)matched,
                  (unsigned long long)up_sse_queue_dropped(&c->q), up_sse_queue_length(&c->q),
                  f->shared ? "true" : "false");
    struct up_sse_event *ev = up_sse_event_new("progress", NULL, data.data, data.len);
    up_buf_clear(&c->pending);
    c->pending_off = 0;
    up_buf_append(&c->pending, ev->data, ev->len);
    up_sse_event_unref(ev);
    pthread_mutex_lock(&hub->mu);
    up_ui_stats_fn fn = hub->stats_fn;
    void *ctx = hub->stats_ctx;
    pthread_mutex_unlock(&hub->mu);
    char *stats = fn ? fn(ctx) : NULL;
    if (stats) {
        ev = up_sse_event_new("stats", NULL, stats, strlen(stats));
        up_buf_append(&c->pending, ev->data, ev->len);
        up_sse_event_unref(ev);
        free(stats);
    }
    up_buf_free(&data);
}

static long take_pending(struct up_ui_client *c, char *buf, size_t max)
{
    size_t n = c->pending.len - c->pending_off;
    if (n > max)
        n = max;
    memcpy(buf, c->pending.data + c->pending_off, n);
    c->pending_off += n;
    if (c->pending_off == c->pending.len) {
        up_buf_clear(&c->pending);
        c->pending_off = 0;
        /* The period starts when the browser has taken our events, so however slowly it
         * reads, records get their turn between two progress events. */
        c->next_progress_ms = up_mono_ms() + c->hub->lim.progress_ms;
    }
    return (long)n;
}

long up_ui_client_read(struct up_ui_client *c, char *buf, size_t max, int wait_ms)
{
    if (c->pending_off < c->pending.len)
        return take_pending(c, buf, max);
    int64_t now = up_mono_ms();
    /* Our own events go between records, never inside one that is half written. */
    if (c->hub->lim.progress_ms > 0 && now >= c->next_progress_ms &&
        !up_sse_queue_mid_event(&c->q)) {
        c->next_progress_ms = now + c->hub->lim.progress_ms;
        make_progress(c);
        return take_pending(c, buf, max);
    }
    int64_t until = c->next_progress_ms - now;
    if (c->hub->lim.progress_ms > 0 && until < wait_ms)
        wait_ms = (int)(until > 0 ? until : 0);
    return up_sse_queue_read(&c->q, buf, max, wait_ms);
}

void up_ui_client_gather(struct up_ui_client *c, size_t min_bytes, int wait_ms)
{
    up_sse_queue_gather(&c->q, min_bytes, wait_ms);
}
