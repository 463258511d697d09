/* stream/schema: the profiles table (docs/design.md "The table"): CREATE KEYSPACE /
 * CREATE TABLE IF NOT EXISTS with a configurable replication, as CQL text and run on the
 * node when absent. Column names and types come from the record's field table, so the table,
 * the built-in mapping (stream/users_mapping.h) and the validator cannot disagree. Names from
 * flags are validated, then quoted. */
#ifndef UP_STREAM_SCHEMA_H
#define UP_STREAM_SCHEMA_H

#include "core/buf.h"
#include "core/record.h"
#include "cql/cql.h"

#include <stdbool.h>
#include <stddef.h>

/* Cassandra's own rule for keyspace and table names: 1-48 of [A-Za-z0-9_]. */
bool up_schema_name_valid(const char *name);

/* "SimpleStrategy:RF" or "NetworkTopologyStrategy:DC=RF[,DC=RF..]" (also "simple:1",
 * "nts:dc1=3,dc2=3", case-insensitive) -> the CQL replication map
 * "{'class': 'SimpleStrategy', 'replication_factor': 1}". -1 + err on anything else. */
int up_schema_replication_map(const char *spec, struct up_buf *out, char *err, size_t errlen);

/* The CREATE KEYSPACE and CREATE TABLE statements (IF NOT EXISTS). */
int up_schema_create_statements(const char *keyspace, const char *table, const char *replication,
                                struct up_buf *create_keyspace, struct up_buf *create_table,
                                char *err, size_t errlen);

/* Creates the keyspace and the table unless they exist (a role without CREATE may own
 * neither and still write: docs/security.md). -1 + err; *retryable when waiting for the node
 * may help. */
int up_schema_ensure(cql_session *s, const char *keyspace, const char *table,
                     const char *replication, bool *retryable, char *err, size_t errlen);

#endif
