/* mapping/convert: one JSON value -> one bound CQL value, in the native protocol's
 * serialization (spec §6), for any type a prepared statement reports: ascii/text, the
 * integers, varint, float/double/decimal, boolean, uuid/timeuuid, timestamp/date/time/duration
 * (read with the topic's codec settings), inet, blob (base64), list/set/map, tuple and UDT,
 * frozen or not. Counters and custom types are refused. Every number is range-checked against
 * its column; nothing is truncated or rounded silently (a JSON real for an integer column must
 * be integral, a float column refuses a double it cannot hold).
 *
 * Text is accepted where the connector accepts it: a JSON string "42" fills an int column, a
 * string holding a JSON array fills a list, any JSON value fills a text column as its compact
 * JSON text. Pure: no I/O, so it is unit-tested and fuzzed on bytes. */
#ifndef UP_MAPPING_CONVERT_H
#define UP_MAPPING_CONVERT_H

#include "core/buf.h"
#include "cql/cql.h"
#include "mapping/mapping.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum up_conv {
    UP_CONV_OK,    /* the value's bytes were appended to out */
    UP_CONV_NULL,  /* JSON null: the caller binds null or unset (nullToUnset) */
    UP_CONV_ERROR, /* err says why, in one printable line */
};

#define UP_CONV_ERR_LEN 256

/* A JSON value as the converters read it: a scalar read in place from the record's text
 * (mapping/plan reads records with core/record_json, so the common columns need no tree),
 * or an object or array as a jansson tree. */
enum up_jv_kind { UP_JV_NULL, UP_JV_BOOL, UP_JV_STRING, UP_JV_INTEGER, UP_JV_REAL, UP_JV_TREE };

struct up_jv {
    enum up_jv_kind kind;
    const char *s; /* STRING: the decoded text, valid UTF-8, followed by a NUL */
    size_t len;
    int64_t i;          /* INTEGER */
    double d;           /* REAL */
    bool b;             /* BOOL */
    const json_t *tree; /* TREE: an object or an array */
};

/* The view of a jansson node (borrowed: v must outlive it). */
void up_jv_of_json(const json_t *v, struct up_jv *out);
/* A JSON literal or number, already checked against RFC 8259 (core/record_json), read as
 * jansson reads it: null, true, false; a number is an integer when it has no fraction or
 * exponent, else a real. False when a number does not fit (jansson refuses such a text:
 * "too big integer", "real number overflow"); why says which. */
bool up_jv_scalar(const char *s, size_t len, struct up_jv *out, const char **why);

/* Appends the serialized value of v (no length prefix) for a column of type t. */
enum up_conv up_convert_value(const struct up_jv *v, const cql_data_type *t,
                              const struct up_map_codec *codec, struct up_buf *out, char *err,
                              size_t errlen);
/* The same for a jansson node. */
enum up_conv up_convert_json(const json_t *v, const cql_data_type *t,
                             const struct up_map_codec *codec, struct up_buf *out, char *err,
                             size_t errlen);
/* The same for text that is not JSON (a plain Kafka key, a header): read as a JSON string. */
enum up_conv up_convert_text(const char *s, size_t len, const cql_data_type *t,
                             const struct up_map_codec *codec, struct up_buf *out, char *err,
                             size_t errlen);
/* Whether a column of type t can be written at all (false: counter, custom, or a collection
 * of them); why names the type. */
bool up_convert_supported(const cql_data_type *t, char *why, size_t whylen);

/* The codec every topic starts with (CQL_TIMESTAMP, MILLISECONDS, UTC). */
void up_map_codec_default(struct up_map_codec *c);

#endif
