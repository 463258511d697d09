/* web/ui_feed: live tails for the dashboard's browsers.
 *
 * A feed is one group-less consumer (kafka/tail) on its own thread. Every browser that
 * follows a topic from its end shares that topic's one live feed, so twenty open tabs cost
 * one consumer, and each record is rendered to JSON once; a browser that asks for another
 * start (beginning, an offset, a time, or a resume cursor from Last-Event-ID) gets a feed of
 * its own. Records reach a browser through its bounded up_sse_queue; the text filter is
 * applied on the server, per browser on a shared feed and inside the consumer otherwise.
 * Event ids are cursors ("p:o,p:o": the next offset of every partition after the record),
 * so a reconnecting EventSource resumes exactly where it stopped. */
#ifndef UP_WEB_UI_FEED_H
#define UP_WEB_UI_FEED_H

#include "core/flags.h"
#include "core/metrics.h"
#include "kafka/tail.h"

#include <stddef.h>
#include <stdint.h>

struct up_ui_limits {
    size_t queue_events;    /* per browser; oldest dropped beyond */
    size_t queue_bytes;     /* per browser */
    size_t max_value_bytes; /* values longer than this are cut (and marked) in events */
    int progress_ms;        /* "progress" and "stats" events this often (they double as the
                               heartbeat that finds out a browser has gone) */
    int open_timeout_ms;    /* how long opening a tail may wait for Kafka; 0 = 5000 */
};

/* Returns a NUL-terminated JSON object (malloc'ed) describing pipeline health, sent to every
 * browser as the "stats" event; NULL when there is none yet. */
typedef char *(*up_ui_stats_fn)(void *ctx);

struct up_ui_hub;
struct up_ui_client;

struct up_ui_hub *up_ui_hub_new(const char *brokers, const struct up_str_list *props,
                                const struct up_ui_limits *limits, struct up_registry *reg);
void up_ui_hub_set_stats(struct up_ui_hub *hub, up_ui_stats_fn fn, void *ctx);
/* Ends every stream (readers see the end) and stops the feeds; call before freeing. */
void up_ui_hub_shutdown(struct up_ui_hub *hub);
void up_ui_hub_free(struct up_ui_hub *hub);
size_t up_ui_hub_clients(struct up_ui_hub *hub);
size_t up_ui_hub_feeds(struct up_ui_hub *hub);

/* A new browser on topic from start, with an optional filter. NULL + err (and *not_found
 * set when the topic does not exist) when the feed cannot be opened. */
struct up_ui_client *up_ui_hub_attach(struct up_ui_hub *hub, const char *topic,
                                      const struct up_tail_start *start, const char *filter,
                                      bool *not_found, char *err, size_t errlen);
/* Next bytes of this browser's event stream, waiting at most wait_ms. Returns the count,
 * 0 if nothing yet, -1 at the end of the stream (shutdown or the feed failed). */
long up_ui_client_read(struct up_ui_client *c, char *buf, size_t max, int wait_ms);
/* Waits up to wait_ms for min_bytes of records to be queued for this browser. */
void up_ui_client_gather(struct up_ui_client *c, size_t min_bytes, int wait_ms);
void up_ui_client_detach(struct up_ui_client *c);

/* The JSON form of one record as the "message" event carries it (exposed for tests). */
void up_ui_render_record(const struct up_tail_msg *m, size_t max_value_bytes, struct up_buf *out);

#endif
