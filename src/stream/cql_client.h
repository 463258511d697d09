/* stream/cql_client: what the stream's Cassandra sink (stream/sink_map, for the built-in users
 * mapping or a --mapping file) needs about its CQL session: its policy (speculative execution
 * of idempotent writes) and the client's metrics.
 *
 * Metrics, per Cassandra node, refreshed at most once a second (up_cql_metrics_tick):
 *   userpipe_cql_requests_total{host}, userpipe_cql_errors_total{host},
 *   userpipe_cql_host_up{host}, userpipe_cql_reprepares_total{host},
 *   userpipe_cql_host_suspect{host} (cql_session_hosts), and
 *   userpipe_cql_failover_total{event} (cql_session_stats). */
#ifndef UP_STREAM_CQL_CLIENT_H
#define UP_STREAM_CQL_CLIENT_H

#include "core/metrics.h"
#include "cql/cql.h"

/* Delay before a speculative attempt of an idempotent write on the next node. */
#define UP_STREAM_SPECULATIVE_DELAY_MS 200

/* The session configuration a sink connects with: base (contact points, credentials, TLS,
 * timeouts, as the flags give them) plus the stream's policy. */
struct cql_config up_stream_cql_config(const struct cql_config *base);

struct up_cql_metrics;

/* NULL when r is NULL (no metrics); the families are registered once per registry. */
struct up_cql_metrics *up_cql_metrics_new(struct up_registry *r);
/* Adds what the session's counters grew by since the last refresh; at most once a second
 * unless force. m may be NULL. */
void up_cql_metrics_tick(struct up_cql_metrics *m, cql_session *s, bool force);
void up_cql_metrics_free(struct up_cql_metrics *m);

#endif
