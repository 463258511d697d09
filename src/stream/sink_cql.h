/* stream/sink_cql: the Cassandra sink. Connects a cql session, creates the keyspace and
 * table if absent (stream/schema), prepares the INSERT once and writes each row as an
 * async EXECUTE: idempotent, at the configured consistency, USING TIMESTAMP and with
 * ingested_at both taken from the Kafka record, so a replay writes identical cells. */
#ifndef UP_STREAM_SINK_CQL_H
#define UP_STREAM_SINK_CQL_H

#include "core/metrics.h"
#include "cql/cql.h"
#include "stream/sink.h"

#include <stdbool.h>
#include <stddef.h>

struct up_cql_sink_config {
    const struct cql_config *session; /* contact points, credentials, TLS, timeouts */
    const char *keyspace;
    const char *table;
    const char *replication; /* see up_schema_replication_map */
    enum cql_consistency consistency;
    bool create_schema; /* CREATE ... IF NOT EXISTS at open */
    /* NULL: no metrics. Else the CQL client's (stream/cql_client.h), refreshed about once a
     * second from poll(). */
    struct up_registry *metrics;
};

struct up_cql_sink;

/* Connects, creates the schema, prepares the INSERT. NULL + err on failure; *retryable
 * tells whether trying again later may help (node down or starting) or not (bad
 * credentials, bad names, a table whose columns do not fit). */
struct up_cql_sink *up_cql_sink_open(const struct up_cql_sink_config *cfg, bool *retryable,
                                     char *err, size_t errlen);
/* The hooks the loop drives; the loop calls close, which frees the sink. */
struct up_sink up_cql_sink_interface(struct up_cql_sink *s);
/* For a sink that never reached the loop. */
void up_cql_sink_free(struct up_cql_sink *s);

#endif
