/* stream/users_mapping: the users pipeline as the built-in mapping, which `userpipe stream`
 * runs when no --mapping file is given: TOPIC -> KEYSPACE.TABLE (users_queue ->
 * profiles.users by default), every field of the record (core/record.h) into the column of
 * its name, ingested_at from the Kafka record's timestamp, the write time from it too (the
 * mapping's default), so a replay writes identical cells.
 *
 * Beside the columns, the users record's strict rules (stream/validate.h, docs/design.md "The
 * record on the topic"), applied by the mapping's plan to what it reads once: a value that is
 * empty, larger than max_record_bytes, not UTF-8, not a JSON object, a field absent or not a
 * string, an id that is not a canonical lowercase UUID or differs from the key, a date that is
 * not ISO 8601. A record that breaks one is refused with that rule's reason (enum up_reject in
 * the plan's reject code), as the DLQ headers and the metrics have always named them. */
#ifndef UP_STREAM_USERS_MAPPING_H
#define UP_STREAM_USERS_MAPPING_H

#include "cql/cql.h"
#include "mapping/mapping.h"
#include "mapping/plan.h"

#include <stddef.h>

struct up_users_mapping_config {
    const char *topic, *keyspace, *table; /* names checked by the caller (up_schema_name_valid) */
    enum cql_consistency consistency;
    size_t max_record_bytes; /* larger values are refused as oversize */
};

/* The mapping and its rules. It refers to itself: keep it where it was built. */
struct up_users_mapping {
    struct up_mapping mapping;
    struct up_map_rules rules;
    size_t max_record_bytes;
};

void up_users_mapping_init(struct up_users_mapping *um, const struct up_users_mapping_config *cfg);
void up_users_mapping_free(struct up_users_mapping *um);

#endif
