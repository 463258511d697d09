/* mapping/plan: a mapping checked against the live schema and turned into prepared statements,
 * then each Kafka record turned into the bound statements that store it.
 *
 * At start (up_map_plan_open), for every topic -> table of the file: the table's columns are
 * read from system_schema.columns; a keyspace or table that does not exist, a mapped column the
 * table lacks, a primary key column left unmapped, a column whose type no conversion produces
 * (counter), now() on a column that is not a timeuuid: each is refused with the file, line and
 * column of the offending text. Then the INSERT (... USING TTL ? AND TIMESTAMP ?) and the
 * DELETE (by primary key, for Kafka tombstones) are prepared; the types the node reports for
 * their markers drive the conversion (mapping/convert.h).
 *
 * Per record (up_map_plan_bind): the key and value are read once (JSON or text, as the file's
 * converters say), then one statement per table the topic feeds. Write time: __timestamp in
 * timestampTimeUnit, else the Kafka record's timestamp in microseconds, so a replay writes
 * identical cells. TTL: __ttl in ttlTimeUnit, else the table's ttl setting, else the table's
 * default. A null or absent field is left unset (nullToUnset, the default) or written as null. */
#ifndef UP_MAPPING_PLAN_H
#define UP_MAPPING_PLAN_H

#include "core/buf.h"
#include "cql/cql.h"
#include "core/record_json.h"
#include "mapping/convert.h"
#include "mapping/mapping.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct up_map_plan;

/* Opens the plan for every table of m (which must outlive it). 0, or -1 with err and *usage:
 * true when the file must change (exit 2), false for a runtime failure such as Cassandra being
 * unreachable (exit 1; *retryable says whether waiting may help). */
int up_map_plan_open(cql_session *s, const struct up_mapping *m, struct up_map_plan **out,
                     bool *usage, bool *retryable, char *err, size_t errlen);
void up_map_plan_free(struct up_map_plan *p);

/* Tables the plan writes, and how each is named in logs, metrics and DLQ headers. */
size_t up_map_plan_tables(const struct up_map_plan *p);
const char *up_map_plan_target(const struct up_map_plan *p, size_t table); /* "ks.table" */
const char *up_map_plan_topic(const struct up_map_plan *p, size_t table);

/* A Kafka header by name (the last one of that name), for header.<name>. */
typedef bool (*up_map_header_fn)(void *ctx, const char *name, const void **value, size_t *len);

struct up_map_record {
    const char *topic;
    int32_t partition; /* for __partition and __offset (provenance) */
    int64_t offset;
    const void *key; /* NULL: no key */
    size_t key_len;
    const void *value; /* NULL: a tombstone */
    size_t value_len;
    int64_t timestamp_ms;
    up_map_header_fn header;
    void *header_ctx;
};

enum up_map_stage { UP_MAP_STAGE_PARSE, UP_MAP_STAGE_MAPPING };

/* Why a record cannot be stored: for the DLQ headers. */
struct up_map_reject {
    enum up_map_stage stage;
    const char *reason; /* "malformed_json", "not_object", "conversion", "missing_key", ... */
    int code;           /* 0, or the reason code of the mapping's rules (below) that refused it */
    char detail[256];   /* one printable line naming the column and the value's problem */
    char target[128];   /* "ks.table" ("" when the whole record failed before any table) */
};

/* The statements that store one record: one per table the topic feeds (a table may get a
 * DELETE for a tombstone). tables[i] is the plan's table index of stmts[i]. Statements past
 * n are kept for the next record that binds w: bound again, not allocated again. */
struct up_map_writes {
    cql_statement **stmts;
    size_t *tables;
    size_t n, cap;
    bool *is_delete;   /* is_delete[i]: stmts[i] is a DELETE */
    cql_prepared **of; /* of[i]: what stmts[i] was bound from */
    size_t kept;       /* statements held, n of them in use */
};

/* Checks a mapping may carry beside its columns, stricter than its own reading: the built-in
 * users mapping's (stream/users_mapping.h). The plan calls them with what it has read, so a
 * record is still read once. Each returns 0, or -1 with rej filled, rej->code set (the rules'
 * own reason code, which their owner reads) and rej->reason its name. */
struct up_map_rules {
    void *ctx;
    /* The record's bytes, before anything is read (a tombstone: value NULL). When set, it
     * refuses a value that is not UTF-8: the plan does not check it again. */
    int (*record)(void *ctx, const struct up_map_record *r, struct up_map_reject *rej);
    /* The value as read (JSON): the reader's status and message, and per name the value's
     * mapped columns read (in the order the mapping first names them) what was found. */
    int (*value)(void *ctx, enum up_rj_status st, const char *why, const char *const *names,
                 const struct up_rj_field *fields, size_t n, struct up_map_reject *rej);
    /* A column whose entry has a rule (up_map_column.rule != 0), with its value: the rule
     * appends the column's serialized value to out, which is bound as it is. */
    int (*column)(void *ctx, int rule, const struct up_jv *v, const struct up_map_record *r,
                  struct up_buf *out, struct up_map_reject *rej);
};

/* Fills w (cleared first; reuse it across records) or returns -1 with rej. */
int up_map_plan_bind(struct up_map_plan *p, const struct up_map_record *r, struct up_map_writes *w,
                     struct up_map_reject *rej);
void up_map_writes_clear(struct up_map_writes *w);
void up_map_writes_free(struct up_map_writes *w);

/* A CQL identifier double-quoted, any '"' doubled: the name exactly as stored. */
void up_map_put_ident(struct up_buf *b, const char *name);

/* What `userpipe verify` asks of a table (src/verify): its primary key columns, in the order
 * up_map_plan_key writes their values, with their types (owned by the plan). */
size_t up_map_plan_key_count(const struct up_map_plan *p, size_t table);
const char *up_map_plan_key_name(const struct up_map_plan *p, size_t table, size_t i);
const cql_data_type *up_map_plan_key_type(const struct up_map_plan *p, size_t table, size_t i);
/* A regular column the INSERT sets from the record, not a collection nor a user type, so that
 * WRITETIME() of it is one number; NULL when there is none. */
const char *up_map_plan_writetime_column(const struct up_map_plan *p, size_t table);
/* What storing r does to table, without building a statement: the primary key appended to key
 * (each column's serialized value as a 4-byte big-endian length then the bytes, in
 * up_map_plan_key_name order), the write time in microseconds, and *deletes when it is a
 * DELETE (a tombstone with deletesEnabled). Only the key columns and __timestamp are read.
 * -1 with rej when the stream would dead-letter the record for this table's key or time. */
int up_map_plan_key(struct up_map_plan *p, size_t table, const struct up_map_record *r,
                    struct up_buf *key, int64_t *write_us, bool *deletes,
                    struct up_map_reject *rej);

#endif
