/* verify/target: the table a topic is checked against, and what each of the topic's records
 * means for it, decided exactly as the stream decides: for the built-in users pipeline, the
 * stream's own validator (stream/validate.h; id = the Kafka key, table users); for a mapping
 * file, the mapping's own binding (mapping/plan.h), which dead-letters the same records the
 * stream would. It also prepares the lookup of one row by its primary key:
 *   SELECT WRITETIME("c") FROM "ks"."t" WHERE "k1" = ? AND "k2" = ?
 * with c a regular column the record sets (or the first key column when there is none, and no
 * write time is compared). */
#ifndef UP_VERIFY_TARGET_H
#define UP_VERIFY_TARGET_H

#include "core/buf.h"
#include "cql/cql.h"

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UP_VTARGET_MAX_KEYS 64 /* primary key columns a table may have here */

struct up_vtarget_config {
    const char *mapping_file; /* NULL: the built-in users pipeline */
    const char *topic;    /* built-in: required; mapping: one of its topics (NULL: its only one) */
    const char *keyspace; /* built-in: the keyspace */
    const char *table;    /* built-in: the table; mapping: "ks.table" among the topic's
                           * tables (NULL: its only one) */
    size_t max_record_bytes; /* built-in: the stream's --max-record-bytes */
};

struct up_vtarget;

/* Loads what cfg names and prepares the lookup. -1 + err, *usage true when the flags or the
 * file must change (exit 2), false for a runtime failure (Cassandra). */
int up_vtarget_open(cql_session *s, const struct up_vtarget_config *cfg, struct up_vtarget **out,
                    bool *usage, char *err, size_t errlen);
void up_vtarget_free(struct up_vtarget *t);

const char *up_vtarget_topic(const struct up_vtarget *t);
const char *up_vtarget_name(const struct up_vtarget *t); /* "ks.table" */
cql_prepared *up_vtarget_select(const struct up_vtarget *t);
/* Whether the SELECT's column is a WRITETIME to compare. */
bool up_vtarget_compares_time(const struct up_vtarget *t);

/* What storing m does to the table: 0 with its primary key appended to key (each column as a
 * 4-byte big-endian length then its bytes), the write time in microseconds (-1 when the record
 * has no timestamp) and *deletes for a tombstone that deletes the row; 1 when the stream
 * dead-letters the record (*reason names why). */
int up_vtarget_record(struct up_vtarget *t, const rd_kafka_message_t *m, struct up_buf *key,
                      int64_t *write_us, bool *deletes, const char **reason);
/* A key as people read it: each column's value (uuid, number, text as is), comma-separated. */
void up_vtarget_key_text(const struct up_vtarget *t, const uint8_t *key, size_t len,
                         struct up_buf *out);
/* Splits a key into its columns: the i-th value's bytes (len -1 for a malformed key). */
size_t up_vtarget_key_split(const uint8_t *key, size_t len, const uint8_t **values, int32_t *lens,
                            size_t max);

#endif
