/* transform: one RandomUser result (jansson) -> the flat record of docs/design.md.
 * Pure and I/O-free, so the unit tests and the fuzzer drive it with hand-made JSON.
 * Lenient where the real API varies (postcode number|string, street as object or
 * string, id.value ignored, text fields absent under inc/exc become ""), strict where
 * a guess would corrupt data (no or bad login.uuid, wrong types, absent or unparseable
 * dates, which the table types as timestamps): those results are rejected with a
 * reason so the caller can dead-letter them. The reason codes match the stream's
 * validator (stream/validate.h) where the two overlap. */
#ifndef UP_SOURCE_TRANSFORM_H
#define UP_SOURCE_TRANSFORM_H

#include "core/record.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Longest value accepted for one record field, in bytes (an address included). */
#define UP_TRANSFORM_MAX_FIELD 4096

/* Why a result could not be transformed: a fixed set, so it can label metrics and
 * travel as the DLQ reason header. X(enum suffix, code). */
#define UP_TRANSFORM_REASONS(X)                                                                    \
    X(NOT_OBJECT, "not_object")                                                                    \
    X(MISSING_ID, "missing_id")                                                                    \
    X(BAD_ID, "bad_uuid")                                                                          \
    X(MISSING_FIELD, "missing_field")                                                              \
    X(WRONG_TYPE, "wrong_type")                                                                    \
    X(BAD_DATE, "bad_date")                                                                        \
    X(TOO_LONG, "field_too_long")

enum up_transform_reason {
    UP_TRANSFORM_OK = 0,
#define UP_TRANSFORM_ENUM(name, code) UP_TRANSFORM_##name,
    UP_TRANSFORM_REASONS(UP_TRANSFORM_ENUM)
#undef UP_TRANSFORM_ENUM
        UP_TRANSFORM_NREASONS
};

/* "missing_id", ...; "ok" for UP_TRANSFORM_OK. */
const char *up_transform_reason_code(enum up_transform_reason reason);

/* Fills out (which must be empty: all fields NULL) from result. On success every
 * field is set (possibly to "") and UP_TRANSFORM_OK is returned; otherwise out is
 * left empty and detail holds a sentence naming the field, e.g.
 * "login.uuid is not a UUID: \"abc\"". */
enum up_transform_reason up_transform_result(const json_t *result, struct up_record *out,
                                             char *detail, size_t detail_len);

/* Canonical lowercase 8-4-4-4-12 form of a UUID given with or without hyphens, in any
 * case, optionally in braces. False when s is not a UUID. */
bool up_uuid_canonical(const char *s, size_t len, char out[37]);

#endif
