/* stream/validate: strict decoding of one users_queue record (Kafka key + JSON value)
 * into the typed row the sink writes, or a reject reason for the DLQ. Pure function of
 * its input: no I/O, no globals, so it is unit-tested and fuzzed on byte buffers.
 *
 * Rules (docs/design.md "The record on the topic"): the value is at most max_bytes, valid
 * UTF-8, one JSON object (core/record_json.h) in which no field appears twice; every field of
 * core/record.h is present and a string; id is a canonical lowercase UUID equal to the Kafka key;
 * dob and registered_date are ISO 8601 date-times. Unknown extra fields are ignored so a newer
 * producer that adds a field does not send every record to the DLQ. */
#ifndef UP_STREAM_VALIDATE_H
#define UP_STREAM_VALIDATE_H

#include "core/record.h"
#include "core/record_json.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One table: enum constant, the reason string written to the DLQ header
 * userpipe.error.reason (and the metrics label), and what it means. */
#define UP_REJECT_REASONS(X)                                                                       \
    X(UP_REJECT_NONE, "none", "the record is valid")                                               \
    X(UP_REJECT_EMPTY, "empty_value", "the message has no value (null or zero bytes)")             \
    X(UP_REJECT_OVERSIZE, "oversize", "the value is larger than --max-record-bytes")               \
    X(UP_REJECT_INVALID_UTF8, "invalid_utf8", "the value is not valid UTF-8")                      \
    X(UP_REJECT_MALFORMED_JSON, "malformed_json", "the value is not one well-formed JSON text")    \
    X(UP_REJECT_NOT_OBJECT, "not_object", "the JSON value is not an object")                       \
    X(UP_REJECT_MISSING_FIELD, "missing_field", "a field of the record is absent")                 \
    X(UP_REJECT_WRONG_TYPE, "wrong_type", "a field is not a JSON string")                          \
    X(UP_REJECT_BAD_UUID, "bad_uuid", "id is not a canonical lowercase UUID")                      \
    X(UP_REJECT_KEY_MISMATCH, "key_mismatch", "the Kafka key is absent or differs from id")        \
    X(UP_REJECT_BAD_DATE, "bad_date", "dob or registered_date is not an ISO 8601 date-time")       \
    X(UP_REJECT_PARSE, "parse",                                                                    \
      "--mapping: the key or value cannot be read as its converter says")                          \
    X(UP_REJECT_MAPPING, "mapping", "--mapping: a field cannot fill its column, or a key is null") \
    X(UP_REJECT_WRITE, "write", "Cassandra refused the record's values at write time")

enum up_reject {
#define UP_REJECT_ENUM(name, text, desc) name,
    UP_REJECT_REASONS(UP_REJECT_ENUM)
#undef UP_REJECT_ENUM
        UP_REJECT_COUNT
};

/* "missing_field", ...; "unknown" outside the table. */
const char *up_reject_name(enum up_reject r);
const char *up_reject_description(enum up_reject r);

/* A record that passed validation: the text fields plus the decoded typed values. */
struct up_row {
    struct up_record rec; /* the text fields, wire order; they point into storage */
    char *storage;        /* one block for every field: free with up_row_free, not
                             up_record_free */
    uint8_t id[16];       /* the uuid, big-endian bytes as CQL sends them */
    int64_t dob_ms;       /* ms since the epoch, UTC */
    int64_t registered_ms;
};

#define UP_REJECT_DETAIL_LEN 160

/* Validates key/value (key may be NULL). On UP_REJECT_NONE, *out owns its strings (free
 * with up_row_free). Otherwise *out is untouched and detail holds one line naming the
 * field or the parser's position, safe to log and to put in a header (printable ASCII). */
enum up_reject up_validate_record(const void *key, size_t key_len, const void *value,
                                  size_t value_len, size_t max_bytes, struct up_row *out,
                                  char *detail, size_t detail_len);
void up_row_free(struct up_row *row);

/* The rules up_validate_record applies, one at a time, for the built-in users mapping
 * (stream/users_mapping.h), which applies them to what the mapping reads: the same reasons,
 * the same detail lines. */
/* Null or empty, larger than max_bytes, not UTF-8. */
enum up_reject up_validate_bytes(const char *value, size_t len, size_t max_bytes, char *detail,
                                 size_t dl);
/* The reader's verdict (st, its message why), then each of names present and a string. */
enum up_reject up_validate_shape(enum up_rj_status st, const char *why, const char *const *names,
                                 const struct up_rj_field *fields, size_t n, char *detail,
                                 size_t dl);
/* id: a canonical lowercase UUID (into out) equal to the Kafka key. */
enum up_reject up_validate_id(const char *id, size_t len, const char *key, size_t key_len,
                              uint8_t out[16], char *detail, size_t dl);
/* The field name's value: an ISO 8601 date-time (into *ms). */
enum up_reject up_validate_date(const char *name, const char *s, size_t len, int64_t *ms,
                                char *detail, size_t dl);

/* Parses a canonical lowercase UUID ("8-4-4-4-12" hex) into 16 bytes. */
bool up_uuid_parse_canonical(const char *s, size_t len, uint8_t out[16]);

#endif
