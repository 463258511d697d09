/* mapping: `userpipe stream --mapping FILE`, the DataStax Apache Kafka Connector's standalone
 * properties file read as userpipe's description of which topics go into which tables
 * (docs/mapping.md). This header owns the model of such a file: the topics, each
 * topic -> keyspace.table with its column expressions and settings, the per-topic codecs, and
 * the connection settings the file carries. Loading checks the file on its own (every key
 * known, every value well-formed); checking it against the live schema is mapping/schema.h,
 * turning a record into bound values is mapping/convert.h.
 *
 * Every key the file may hold is either honoured or refused by name with file:line:col, never
 * ignored: a migrating user learns at start, not in production, what does not carry over. */
#ifndef UP_MAPPING_MAPPING_H
#define UP_MAPPING_MAPPING_H

#include "cql/cql.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a column's value comes from. */
enum up_map_source {
    UP_MAP_KEY,    /* the Kafka key, or a field of it (path) */
    UP_MAP_VALUE,  /* the Kafka value, or a field of it (path) */
    UP_MAP_HEADER, /* the Kafka header named path[0], its bytes as text */
    UP_MAP_NOW,    /* now(): a fresh timeuuid per row (the server computes it) */
    /* Provenance (userpipe's, not the connector's): where the record came from, so "which
     * message produced this row?" is a query. */
    UP_MAP_TOPIC,            /* __topic: the record's topic, as text */
    UP_MAP_PARTITION,        /* __partition: its partition, a number */
    UP_MAP_OFFSET,           /* __offset: its offset, a number */
    UP_MAP_RECORD_TIMESTAMP, /* __record_timestamp: its Kafka timestamp (ms; a timestamp
                              * column gets the instant whatever codec.unit says) */
};

/* What the column entry is for. */
enum up_map_role {
    UP_MAP_COLUMN,    /* a column of the table */
    UP_MAP_TTL,       /* __ttl: the row's TTL, in the table's ttlTimeUnit */
    UP_MAP_TIMESTAMP, /* __timestamp: the write time, in the table's timestampTimeUnit */
};

#define UP_MAP_MAX_PATH   16 /* value.a.b...: at most this many fields deep */
#define UP_MAP_MAX_TOPICS 64 /* topics= lists at most this many */

struct up_map_column {
    char *column; /* the CQL name as stored (unquoted names folded to lowercase) */
    enum up_map_role role;
    enum up_map_source source;
    char *path[UP_MAP_MAX_PATH]; /* field names under key/value; header name */
    size_t npath;
    int line, col; /* of the column name in the file */
    int rule;      /* 0, or the mapping's rules check and serialize this column (plan.h) */
};

enum up_time_unit {
    UP_UNIT_NANOSECONDS,
    UP_UNIT_MICROSECONDS,
    UP_UNIT_MILLISECONDS,
    UP_UNIT_SECONDS,
    UP_UNIT_MINUTES,
    UP_UNIT_HOURS,
    UP_UNIT_DAYS,
};
/* Java's TimeUnit names, "SECONDS" ...; false on anything else. */
bool up_time_unit_parse(const char *s, enum up_time_unit *out);
const char *up_time_unit_name(enum up_time_unit u);
/* v in unit -> the same span in microseconds; false on overflow. */
bool up_time_unit_to_micros(int64_t v, enum up_time_unit unit, int64_t *out);

/* One topic -> keyspace.table. */
struct up_map_table {
    char *topic, *keyspace, *table; /* names as the file gives them (folded unless quoted) */
    struct up_map_column *cols;
    size_t ncols;
    int ttl_col, timestamp_col;       /* index into cols of __ttl / __timestamp, or -1 */
    enum cql_consistency consistency; /* LOCAL_ONE */
    int64_t ttl;                      /* seconds; -1: none (the table's default) */
    enum up_time_unit ttl_unit;       /* of __ttl: SECONDS */
    enum up_time_unit timestamp_unit; /* of __timestamp: MICROSECONDS */
    bool null_to_unset;               /* true */
    bool deletes_enabled;             /* true */
    int line, col;                    /* of the .mapping key */
};

enum up_ts_format {
    UP_TS_CQL_TIMESTAMP, /* any ISO 8601 date-time, with or without zone; or a number */
    UP_TS_ISO_OFFSET,    /* ISO_OFFSET_DATE_TIME / ISO_ZONED_DATE_TIME / ISO_INSTANT */
    UP_TS_ISO_LOCAL,     /* ISO_LOCAL_DATE_TIME: no zone, timeZone applies */
};

/* codec.* of one topic: how text and numbers become timestamps, dates and times. */
struct up_map_codec {
    enum up_ts_format timestamp; /* CQL_TIMESTAMP */
    enum up_time_unit unit;      /* numbers given for timestamp/date/time: MILLISECONDS */
    int32_t tz_offset_s;         /* timeZone: UTC (fixed offsets only) */
};

struct up_map_topic {
    char *name;
    struct up_map_codec codec;
};

/* Connection settings the file carries; NULL / -1 where the file does not set them. */
struct up_map_connection {
    char *contact_points; /* "h1,h2" as given */
    int port;             /* -1 */
    char *local_dc;
    char *user;
    char *password; /* never logged */
    int tls;        /* -1 unset, 0 ssl.provider=None, 1 JDK/OpenSSL */
    int tls_verify; /* ssl.hostnameValidation; -1 unset */
    char *tls_cert_file, *tls_key_file;
    int compression;           /* -1 unset, 0 None, 1 LZ4 */
    long max_concurrent;       /* maxConcurrentRequests; -1 */
    long connections_per_host; /* connectionPoolLocalSize; -1 */
    long request_timeout_ms;   /* queryExecutionTimeout (seconds in the file); -1 */
};

enum up_map_format { UP_MAP_JSON, UP_MAP_STRING };

struct up_map_rules;

struct up_mapping {
    char *file;
    char *name; /* the connector's name, "" when absent */
    struct up_map_topic *topics;
    size_t ntopics;
    struct up_map_table *tables;
    size_t ntables;
    struct up_map_connection conn;
    enum up_map_format key_format, value_format; /* key.converter / value.converter */
    bool key_envelope, value_envelope; /* *.converter.schemas.enable: {"schema","payload"} */
    /* NULL for a file; the built-in users mapping's strict checks (mapping/plan.h) */
    const struct up_map_rules *rules;
};

#define UP_MAP_ERR_LEN 512

/* An empty mapping named file (in messages) and name: no topics, no tables, every connection
 * setting unset (what a file that sets none gives). */
void up_mapping_init(struct up_mapping *m, const char *file, const char *name);
/* Parses text (the file's contents; file names it in messages). 0, or -1 with
 * "FILE:LINE:COL: what is wrong and what to change" in err. *out is freed on failure. */
int up_mapping_parse(const char *file, const char *text, size_t len, struct up_mapping *out,
                     char *err, size_t errlen);
/* Reads the file and parses it; an unreadable file says so. */
int up_mapping_load(const char *file, struct up_mapping *out, char *err, size_t errlen);
void up_mapping_free(struct up_mapping *m);
/* The topic's entry, or NULL. */
const struct up_map_topic *up_mapping_topic(const struct up_mapping *m, const char *topic);

#endif
