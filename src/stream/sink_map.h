/* stream/sink_map: the stream's sink, for a --mapping file or the built-in users mapping
 * (stream/users_mapping.h). Connects a cql session, checks the mapping against the live schema
 * and prepares its statements (mapping/plan.h), then stores each
 * Kafka record as the rows its mapping gives: one INSERT (or, for a tombstone, one DELETE)
 * per table its topic feeds. A record counts as written only when every one of its rows is
 * acknowledged, so the loop's offset watermark stays behind every table's row. A record that
 * cannot be read or mapped is refused to the loop, which dead-letters it with the stage, the
 * reason and the table in headers; so is one whose row Cassandra refuses for its values (stage
 * write, stream/write_class.h), while a row that must wait makes the whole record wait. A
 * schema change event on a mapped keyspace makes the sink check the mapping again (from poll,
 * outside callbacks) and log whether it still fits.
 *
 * Metrics, per topic -> table, when a registry is given:
 *   userpipe_mapping_records_total{topic}                records handed to the mapping
 *   userpipe_mapping_rows_total{topic,table,op}          rows acknowledged (op insert|delete)
 *   userpipe_mapping_e2e_latency_seconds{topic,table}    record timestamp -> row acknowledged
 *                                                        (a file's tables only)
 *   userpipe_mapping_rejected_total{topic,table,stage}   records refused (stage
 * parse|mapping|write; table "" when none was reached; a users record refused by a rule of the
 * built-in mapping counts at the stage of that rule) and the CQL client's
 * (stream/cql_client.h). */
#ifndef UP_STREAM_SINK_MAP_H
#define UP_STREAM_SINK_MAP_H

#include "core/metrics.h"
#include "cql/cql.h"
#include "mapping/mapping.h"
#include "mapping/plan.h"
#include "stream/sink.h"

#include <stdbool.h>
#include <stddef.h>

struct up_map_sink_config {
    const struct cql_config *session;
    const struct up_mapping *mapping; /* must outlive the sink */
    struct up_registry *metrics;      /* NULL: none */
    /* Values larger than this are refused before they are read (oversize): by the mapping's
     * rules when it has them, else here (stage parse). 0: no bound. */
    size_t max_record_bytes;
    /* The built-in users table: create its keyspace (with this replication, stream/schema.h)
     * and the table when absent, before the mapping is checked against them. NULL: a file's
     * tables must exist. */
    const char *create_replication;
};

struct up_map_sink;

/* NULL + err on failure: *usage when the file must change (exit 2), else *retryable says
 * whether waiting for Cassandra may help. */
struct up_map_sink *up_map_sink_open(const struct up_map_sink_config *cfg, bool *usage,
                                     bool *retryable, char *err, size_t errlen);
/* The hooks the loop drives; close frees the sink. */
struct up_sink up_map_sink_interface(struct up_map_sink *s);
void up_map_sink_free(struct up_map_sink *s);

/* The mapping's view of a Kafka record: coordinates, key, value, the given timestamp, and its
 * headers read from m when a column asks (m must outlive the record). The stream's sink and
 * userpipe verify read records the same way. */
struct up_map_record up_map_record_of(const rd_kafka_message_t *m, int64_t timestamp_ms);

#endif
