/* message: the bodies of CQL messages. Parses responses (RESULT of every kind, ERROR with
 * its details, EVENT, SUPPORTED, AUTHENTICATE) and builds requests (QUERY, EXECUTE, BATCH,
 * STARTUP, ...) from statements. Bytes in, structures out: no I/O here either. */
#ifndef UP_CQL_MESSAGE_H
#define UP_CQL_MESSAGE_H

#include "cql/codec.h"
#include "cql/cql.h"
#include "cql/types.h"

/* A prepared id is an MD5 (16 bytes) in Cassandra; anything longer than this is refused. */
#define CQL_MAX_PREPARED_ID 64

struct cql_column {
    char *keyspace, *table, *name;
    struct cql_data_type *type;
};

/* Rows metadata (spec §4.2.5.2), also the result metadata of a Prepared result. */
struct cql_rows_meta {
    int32_t flags;
    size_t ncols;
    struct cql_column *cols;
    uint8_t *paging_state;
    size_t paging_len;
    bool has_more;
};

/* The bound-variable metadata of a Prepared result (spec §4.2.5.4). */
struct cql_prepared_meta {
    uint8_t id[CQL_MAX_PREPARED_ID];
    size_t id_len;
    size_t nparams;
    struct cql_column *params;
    size_t npk;
    uint16_t *pk;
};

struct cql_cell {
    uint32_t off; /* into body */
    int32_t len;  /* < 0: null */
};

struct cql_result {
    int refs;
    enum cql_result_kind kind;
    uint8_t *body; /* owned copy of the message body; cells point into it */
    size_t body_len;
    struct cql_rows_meta meta;
    size_t nrows;
    struct cql_cell *cells;                        /* nrows * meta.ncols */
    char *keyspace;                                /* SET_KEYSPACE */
    char *change, *target, *sc_keyspace, *sc_name; /* SCHEMA_CHANGE */
    struct cql_prepared_meta *prepared;            /* PREPARED */
    char **warnings;
    size_t nwarnings;
    char host[64];
};

/* Parses a RESULT body (frame flags say which prefixes come first). 0, or -1 with err
 * (CQL_ERR_PROTOCOL and what was wrong). Every count is checked against the bytes left
 * before anything is allocated. */
int cql_result_parse(const uint8_t *body, size_t len, uint8_t flags, struct cql_result **out,
                     struct cql_error *err);
void cql_rows_meta_free(struct cql_rows_meta *m);
void cql_columns_free(struct cql_column *cols, size_t n);

/* Parses an ERROR body into err (code, message, details). If the error is UNPREPARED and
 * id is non-NULL, *id / *id_len point at the unknown id inside body. 0, or -1 when the body
 * itself is malformed (err then says so, code CQL_ERR_PROTOCOL). */
int cql_error_parse(const uint8_t *body, size_t len, uint8_t flags, struct cql_error *err,
                    const uint8_t **id, size_t *id_len);

/* An EVENT with its strings owned. */
struct cql_event_msg {
    struct cql_event ev;
    char *strings[5];
    uint8_t addr[16];
    size_t addr_len;
    int32_t port;
};
int cql_event_parse(const uint8_t *body, size_t len, uint8_t flags, struct cql_event_msg *out);
void cql_event_msg_free(struct cql_event_msg *m);

/* SUPPORTED: true when key lists value (e.g. COMPRESSION / lz4). */
bool cql_supported_has(const uint8_t *body, size_t len, uint8_t flags, const char *key,
                       const char *value);

/* ---- statements, as the session and the encoders see them -------------------------------- */

struct cql_prepared {
    int refs;
    char *query;
    struct cql_prepared_meta meta; /* meta.id changes if a re-prepare returns another id */
};

struct cql_slot {
    int32_t len; /* >= 0: bytes at data + off; -1 null; -2 unset */
    uint32_t off;
};

struct cql_statement {
    char *query; /* simple statements */
    size_t query_len;
    struct cql_prepared *prepared; /* bound statements (one reference) */
    size_t nvalues;
    struct cql_slot *slots;
    struct up_buf data;
    int consistency; /* -1: the session's */
    int serial_consistency;
    int64_t timestamp; /* < 0: none */
    int32_t page_size;
    uint8_t *paging_state;
    size_t paging_len;
    bool idempotent;
    int timeout_ms; /* 0: the session's */
};

struct cql_batch {
    enum cql_batch_type type;
    struct cql_statement **entries;
    size_t n, cap;
    int consistency, serial_consistency;
    int64_t timestamp;
    bool idempotent;
    int timeout_ms;
};

struct cql_prepared *cql_prepared_ref(struct cql_prepared *p);

/* An encoded request body plus where prepared ids sit in it, so an id that changes after a
 * re-prepare can be spliced in without re-encoding the values. Holds a reference to each
 * prepared statement it names. */
struct cql_id_ref {
    size_t off, len;
    struct cql_prepared *prepared;
};

struct cql_encoded {
    uint8_t opcode;
    struct up_buf body;
    struct cql_id_ref *ids;
    size_t nids, cap;
};

struct cql_defaults {
    enum cql_consistency consistency, serial_consistency;
};

/* QUERY or EXECUTE for st. 0, or -1 with err (BAD_PARAMS: query too long, ...). */
int cql_encode_statement(const struct cql_statement *st, const struct cql_defaults *d,
                         struct cql_encoded *out, struct cql_error *err);
int cql_encode_batch(const struct cql_batch *b, const struct cql_defaults *d,
                     struct cql_encoded *out, struct cql_error *err);
int cql_encode_prepare(const char *query, struct cql_encoded *out, struct cql_error *err);
/* Re-writes ids that changed since encoding (after a re-prepare). */
void cql_encoded_refresh_ids(struct cql_encoded *e);
/* Drops the body and the references; the struct can be reused. */
void cql_encoded_reset(struct cql_encoded *e);
void cql_encoded_free(struct cql_encoded *e);

/* The routing key of a bound statement (spec: the partition key components in pk order,
 * composite keys as <short len><bytes><0x00> each). false when not all are bound. */
bool cql_statement_routing_key(const struct cql_statement *st, struct up_buf *key);
struct cql_statement *cql_statement_clone(const struct cql_statement *st);

/* STARTUP {CQL_VERSION: 3.0.0[, COMPRESSION: lz4]}, AUTH_RESPONSE (SASL PLAIN), REGISTER. */
void cql_encode_startup(struct up_buf *body, bool lz4);
void cql_encode_auth_plain(struct up_buf *body, const char *user, const char *password);
void cql_encode_register(struct up_buf *body);

#endif
