/* types: CQL data types (the [option] trees of spec §4.2.5.2) and values (spec §6):
 * parse a type from a body, serialize C values for binding, decode and print cells.
 * The public accessors and printers are declared in cql.h; this header adds what the
 * other layers of the library share. */
#ifndef UP_CQL_TYPES_H
#define UP_CQL_TYPES_H

#include "cql/codec.h"
#include "cql/cql.h"

/* Nested types deeper than this are refused (a fuzzer-proof bound on recursion). */
#define CQL_MAX_TYPE_DEPTH 16

struct cql_data_type {
    enum cql_type_id id;
    char *name; /* CUSTOM: class name; UDT: "keyspace.type" */
    size_t nsub;
    struct cql_data_type **sub;
    char **fields; /* UDT field names, nsub of them */
};

/* Reads one [option] type. NULL when the cursor runs out, the id is unknown or the
 * nesting is too deep (the cursor is then marked failed). */
struct cql_data_type *cql_data_type_parse(struct cql_cursor *c, unsigned depth);
void cql_data_type_free(struct cql_data_type *t);
/* A simple (non-nested) type, for tests and callers that build metadata by hand. */
struct cql_data_type *cql_data_type_new(enum cql_type_id id);
const char *cql_type_name(enum cql_type_id id);

/* The serialized form of C values (spec §6), appended to out. */
void cql_encode_varint(int64_t v, struct up_buf *out);
/* Two's complement big-endian bytes -> int64; false if it does not fit. */
bool cql_decode_varint(const uint8_t *p, size_t len, int64_t *out);
/* Arbitrary-size varint as decimal text (false above the size we print as digits). */
bool cql_varint_to_text(const uint8_t *p, size_t len, struct up_buf *out);

/* Calendar helpers (proleptic Gregorian, UTC). */
void cql_civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day);
int64_t cql_days_from_civil(int64_t year, unsigned month, unsigned day);

/* Murmur3 x64-128 as Cassandra's Murmur3Partitioner computes tokens (h1, with tail bytes
 * sign-extended as Java does, and Long.MIN_VALUE mapped to Long.MAX_VALUE). */
int64_t cql_murmur3_token(const uint8_t *key, size_t len);

#endif
