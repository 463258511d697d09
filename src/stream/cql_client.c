/* stream/cql_client: the sinks' CQL session policy and the client's metrics (cql_client.h). */
#include "stream/cql_client.h"

#include "core/buf.h"
#include "core/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define METRICS_EVERY_MS 1000

/* The session's failover counters (cql_stats), one series each of
 * userpipe_cql_failover_total{event}. */
#define FAILOVER_EVENTS 7
static const char *const failover_names[FAILOVER_EVENTS] = {
    "attempt_timeout", "speculative_sent", "speculative_won", "suspect",
    "moved",           "prepare_on_up",    "prepare_wait"};

static void failover_counts(const struct cql_stats *st, uint64_t out[FAILOVER_EVENTS])
{
    const uint64_t v[FAILOVER_EVENTS] = {
        st->attempt_timeouts, st->speculative_sent, st->speculative_won, st->suspects, st->moved,
        st->prepares_on_up,   st->prepare_waits};
    memcpy(out, v, sizeof v);
}

/* One Cassandra node's series and the counts already added to them. */
struct host_metrics {
    char host[64];
    struct up_series *requests, *errors, *up, *reprepares, *suspect;
    uint64_t requests_seen, errors_seen, reprepares_seen;
};

struct up_cql_metrics {
    struct up_metric *requests_family, *errors_family, *up_family;
    struct up_metric *reprepares_family, *suspect_family;
    struct up_series *failover[FAILOVER_EVENTS];
    uint64_t failover_seen[FAILOVER_EVENTS];
    struct host_metrics *hosts;
    size_t nhosts;
    int64_t next_ms; /* next refresh (monotonic ms) */
};

struct cql_config up_stream_cql_config(const struct cql_config *base)
{
    struct cql_config cc = *base;
    /* The sinks' writes are idempotent (fixed values at a fixed write time; a statement with
     * now() is marked otherwise and never sent twice): a silent replica costs 0.2 s. */
    cc.speculative_delay_ms = UP_STREAM_SPECULATIVE_DELAY_MS;
    return cc;
}

struct up_cql_metrics *up_cql_metrics_new(struct up_registry *r)
{
    if (!r)
        return NULL;
    struct up_cql_metrics *m = up_xcalloc(1, sizeof *m);
    m->requests_family = up_metric_new(
        r, UP_METRIC_COUNTER, "userpipe_cql_requests_total",
        "Requests sent to each Cassandra node (writes, their retries, prepares).", "host", NULL, 0);
    m->errors_family = up_metric_new(r, UP_METRIC_COUNTER, "userpipe_cql_errors_total",
                                     "ERROR answers from each Cassandra node.", "host", NULL, 0);
    m->up_family =
        up_metric_new(r, UP_METRIC_GAUGE, "userpipe_cql_host_up",
                      "1 while the client has a ready connection to the node.", "host", NULL, 0);
    m->reprepares_family = up_metric_new(
        r, UP_METRIC_COUNTER, "userpipe_cql_reprepares_total",
        "PREPAREs sent to a node that forgot a statement or came up.", "host", NULL, 0);
    m->suspect_family = up_metric_new(
        r, UP_METRIC_GAUGE, "userpipe_cql_host_suspect",
        "1 while the node is out of query plans for not answering in time.", "host", NULL, 0);
    struct up_metric *f = up_metric_new(
        r, UP_METRIC_COUNTER, "userpipe_cql_failover_total",
        "The CQL client's failover events: attempts timed out, speculative attempts sent and "
        "won, nodes turned suspect, requests moved off them, prepares on nodes coming up, "
        "requests that waited on a PREPARE in flight.",
        "event", NULL, 0);
    for (int i = 0; i < FAILOVER_EVENTS; i++)
        m->failover[i] = up_metric_labels(f, &failover_names[i]);
    return m;
}

static struct host_metrics *host_metrics(struct up_cql_metrics *m, const char *host)
{
    for (size_t i = 0; i < m->nhosts; i++)
        if (strcmp(m->hosts[i].host, host) == 0)
            return &m->hosts[i];
    m->hosts = up_xrealloc(m->hosts, (m->nhosts + 1) * sizeof *m->hosts);
    struct host_metrics *h = &m->hosts[m->nhosts++];
    memset(h, 0, sizeof *h);
    snprintf(h->host, sizeof h->host, "%.63s", host);
    const char *label = h->host;
    h->requests = up_metric_labels(m->requests_family, &label);
    h->errors = up_metric_labels(m->errors_family, &label);
    h->up = up_metric_labels(m->up_family, &label);
    h->reprepares = up_metric_labels(m->reprepares_family, &label);
    h->suspect = up_metric_labels(m->suspect_family, &label);
    return h;
}

static void add_growth(struct up_series *s, uint64_t now, uint64_t *seen)
{
    if (now > *seen)
        up_series_add(s, (double)(now - *seen));
    *seen = now;
}

/* Adds what each node's counters grew by since the last refresh (a counter never goes back). */
static void refresh(struct up_cql_metrics *m, cql_session *s)
{
    struct cql_host_info hs[64];
    size_t n = cql_session_hosts(s, hs, sizeof hs / sizeof hs[0]);
    if (n > sizeof hs / sizeof hs[0])
        n = sizeof hs / sizeof hs[0];
    for (size_t i = 0; i < m->nhosts; i++)
        up_series_set(m->hosts[i].up, 0); /* a node gone from the cluster is not up */
    for (size_t i = 0; i < n; i++) {
        struct host_metrics *h = host_metrics(m, hs[i].address);
        add_growth(h->requests, hs[i].requests, &h->requests_seen);
        add_growth(h->errors, hs[i].errors, &h->errors_seen);
        add_growth(h->reprepares, hs[i].reprepares, &h->reprepares_seen);
        up_series_set(h->up, hs[i].up ? 1 : 0);
        up_series_set(h->suspect, hs[i].suspect ? 1 : 0);
    }
    struct cql_stats st;
    uint64_t now[FAILOVER_EVENTS];
    cql_session_stats(s, &st);
    failover_counts(&st, now);
    for (int i = 0; i < FAILOVER_EVENTS; i++)
        add_growth(m->failover[i], now[i], &m->failover_seen[i]);
}

void up_cql_metrics_tick(struct up_cql_metrics *m, cql_session *s, bool force)
{
    if (!m || !s)
        return;
    int64_t now = up_mono_ms();
    if (!force && now < m->next_ms)
        return;
    m->next_ms = now + METRICS_EVERY_MS;
    refresh(m, s);
}

void up_cql_metrics_free(struct up_cql_metrics *m)
{
    if (!m)
        return;
    free(m->hosts);
    free(m);
}
