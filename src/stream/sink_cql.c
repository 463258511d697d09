/* stream/sink_cql: rows -> async prepared INSERTs on a cql session. */
#include "stream/sink_cql.h"

#include "core/buf.h"
#include "core/log.h"
#include "stream/cql_client.h"
#include "stream/schema.h"
#include "stream/write_class.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct up_cql_sink {
    cql_session *session;
    char target[130];               /* keyspace.table, for the DLQ's userpipe.target.table */
    struct up_cql_metrics *metrics; /* NULL: no metrics */
    cql_prepared *insert;
    cql_statement *row_insert; /* bound again for every row: no allocation per write */
    struct write_ctx *spare;   /* finished contexts, reused: no allocation per write either */
};

/* What a write needs back in its completion. */
struct write_ctx {
    up_sink_done_fn done;
    void *opaque;
    struct up_cql_sink *sink;
    struct write_ctx *next; /* on sink->spare */
};

static struct write_ctx *write_ctx_get(struct up_cql_sink *s)
{
    struct write_ctx *w = s->spare;
    if (w)
        s->spare = w->next;
    else
        w = up_xmalloc(sizeof *w);
    w->sink = s;
    return w;
}

static void write_ctx_put(struct write_ctx *w)
{
    w->next = w->sink->spare;
    w->sink->spare = w;
}

static int run_ddl(cql_session *s, const char *cql, bool *retryable, char *err, size_t errlen)
{
    struct cql_error e;
    if (cql_session_query_sync(s, cql, NULL, &e) == 0)
        return 0;
    *retryable = cql_error_is_retryable(e.code);
    char why[640];
    cql_error_format(&e, why, sizeof why);
    snprintf(err, errlen, "%.80s...: %s", cql, why);
    return -1;
}

/* *exists: system_schema has the keyspace (table NULL) or the table. The names were validated
 * (up_schema_name_valid: letters, digits, '_'), so they can stand in the literal. */
static int schema_has(cql_session *s, const char *keyspace, const char *table, bool *exists,
                      bool *retryable, char *err, size_t errlen)
{
    char cql[256];
    if (table)
        snprintf(cql, sizeof cql,
                 "SELECT table_name FROM system_schema.tables WHERE keyspace_name = '%s' AND "
                 "table_name = '%s'",
                 keyspace, table);
    else
        snprintf(cql, sizeof cql,
                 "SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = '%s'",
                 keyspace);
    cql_result *r = NULL;
    struct cql_error e;
    if (cql_session_query_sync(s, cql, &r, &e) != 0) {
        *retryable = cql_error_is_retryable(e.code);
        char why[640];
        cql_error_format(&e, why, sizeof why);
        snprintf(err, errlen, "%.80s...: %s", cql, why);
        return -1;
    }
    *exists = cql_result_row_count(r) > 0;
    cql_result_free(r);
    return 0;
}

/* Runs the DDL unless what it creates exists: CREATE ... IF NOT EXISTS asks for the CREATE
 * permission even when there is nothing to create, and a least-privilege role (docs/security.md)
 * has MODIFY on a table someone else made, not CREATE. */
static int create_unless_exists(cql_session *s, const char *keyspace, const char *table,
                                const char *ddl, bool *retryable, char *err, size_t errlen)
{
    bool exists = false;
    if (schema_has(s, keyspace, table, &exists, retryable, err, errlen) != 0)
        return -1;
    return exists ? 0 : run_ddl(s, ddl, retryable, err, errlen);
}

static int create_schema(struct up_cql_sink *sink, const struct up_cql_sink_config *cfg,
                         bool *retryable, char *err, size_t errlen)
{
    struct up_buf ks = UP_BUF_INIT, table = UP_BUF_INIT;
    int rc = up_schema_create_statements(cfg->keyspace, cfg->table, cfg->replication, &ks, &table,
                                         err, errlen);
    if (rc == 0)
        rc = create_unless_exists(sink->session, cfg->keyspace, NULL, ks.data, retryable, err,
                                  errlen);
    if (rc == 0)
        rc = create_unless_exists(sink->session, cfg->keyspace, cfg->table, table.data, retryable,
                                  err, errlen);
    up_buf_free(&ks);
    up_buf_free(&table);
    return rc;
}

static int prepare_insert(struct up_cql_sink *sink, const struct up_cql_sink_config *cfg,
                          bool *retryable, char *err, size_t errlen)
{
    struct up_buf cql = UP_BUF_INIT;
    up_schema_insert_statement(cfg->keyspace, cfg->table, &cql);
    struct cql_error e;
    int rc = cql_session_prepare_sync(sink->session, cql.data, &sink->insert, &e);
    if (rc != 0) {
        *retryable = cql_error_is_retryable(e.code);
        char why[640];
        cql_error_format(&e, why, sizeof why);
        snprintf(err, errlen,
                 "preparing the INSERT into %s.%s: %s (does the table have the "
                 "columns of docs/design.md \"The table\"?)",
                 cfg->keyspace, cfg->table, why);
    }
    up_buf_free(&cql);
    return rc;
}

struct up_cql_sink *up_cql_sink_open(const struct up_cql_sink_config *cfg, bool *retryable,
                                     char *err, size_t errlen)
{
    *retryable = false;
    struct cql_config cc = up_stream_cql_config(cfg->session);
    cc.consistency = cfg->consistency;
    struct up_cql_sink *sink = up_xcalloc(1, sizeof *sink);
    struct cql_error e;
    if (cql_session_connect(&cc, &sink->session, &e) != 0) {
        *retryable = cql_error_is_retryable(e.code);
        cql_error_format(&e, err, errlen);
        free(sink);
        return NULL;
    }
    if ((cfg->create_schema && create_schema(sink, cfg, retryable, err, errlen) != 0) ||
        prepare_insert(sink, cfg, retryable, err, errlen) != 0) {
        up_cql_sink_free(sink);
        return NULL;
    }
    sink->metrics = up_cql_metrics_new(cfg->metrics);
    up_cql_metrics_tick(sink->metrics, sink->session, true);
    snprintf(sink->target, sizeof sink->target, "%s.%s", cfg->keyspace, cfg->table);
    sink->row_insert = cql_prepared_bind(sink->insert);
    cql_statement_set_consistency(sink->row_insert, cfg->consistency);
    cql_statement_set_idempotent(sink->row_insert, true); /* fixed values at a fixed time */
    return sink;
}

void up_cql_sink_free(struct up_cql_sink *s)
{
    if (!s)
        return;
    up_cql_metrics_tick(s->metrics, s->session, true); /* the last writes count too */
    up_cql_metrics_free(s->metrics);
    cql_statement_free(s->row_insert);
    if (s->insert)
        cql_prepared_free(s->insert);
    cql_session_free(s->session); /* runs the last callbacks, which return their contexts */
    while (s->spare) {
        struct write_ctx *w = s->spare;
        s->spare = w->next;
        free(w);
    }
    free(s);
}

/* The sink's answer for a failed write: its class and what to say (stream/write_class.h). */
static void write_failed(struct write_ctx *w, const struct cql_error *e)
{
    char why[640];
    cql_error_format(e, why, sizeof why);
    int32_t code = cql_error_server_code(e->code);
    struct up_sink_failure f = {
        .cls = up_write_classify(e->code, e->message),
        .code = code > 0 ? (uint32_t)code : 0,
        .message = why,
        .target = w->sink->target,
        .hint = up_write_operator_hint(e->code, e->message),
    };
    w->done(w->opaque, &f);
}

static void on_result(void *opaque, cql_result *result, const struct cql_error *e)
{
    struct write_ctx *w = opaque;
    if (result)
        w->done(w->opaque, NULL);
    else
        write_failed(w, e);
    write_ctx_put(w);
}

/* Binds the row in column order: the record's fields, ingested_at, the write time. */
static enum cql_error_code bind_row(cql_statement *st, const struct up_row *row,
                                    int64_t timestamp_us)
{
    enum cql_error_code rc = CQL_OK;
    for (int i = 0; i < UP_RECORD_NFIELDS && rc == CQL_OK; i++) {
        if (i == UP_FIELD_id) {
            struct cql_uuid id;
            memcpy(id.bytes, row->id, sizeof id.bytes);
            rc = cql_statement_bind_uuid(st, (size_t)i, &id);
        } else if (i == UP_FIELD_dob) {
            rc = cql_statement_bind_timestamp(st, (size_t)i, row->dob_ms);
        } else if (i == UP_FIELD_registered_date) {
            rc = cql_statement_bind_timestamp(st, (size_t)i, row->registered_ms);
        } else {
            const char *v = row->rec.fields[i];
            rc = cql_statement_bind_text(st, (size_t)i, v, strlen(v));
        }
    }
    if (rc == CQL_OK)
        rc = cql_statement_bind_timestamp(st, UP_SCHEMA_BIND_INGESTED_AT, timestamp_us / 1000);
    if (rc == CQL_OK)
        rc = cql_statement_bind_bigint(st, UP_SCHEMA_BIND_TIMESTAMP, timestamp_us);
    return rc;
}

static int sink_write(void *ctx, const struct up_row *row, int64_t timestamp_us,
                      up_sink_done_fn done, void *opaque, char *err, size_t errlen)
{
    struct up_cql_sink *s = ctx;
    cql_statement *st = s->row_insert;
    cql_statement_clear_values(st);
    enum cql_error_code bc = bind_row(st, row, timestamp_us);
    if (bc != CQL_OK) {
        snprintf(err, errlen, "binding the row: %s", cql_error_desc(bc));
        return -1;
    }
    struct write_ctx *w = write_ctx_get(s);
    w->done = done;
    w->opaque = opaque;
    struct cql_error e;
    int rc = cql_session_execute(s->session, st, on_result, w, &e);
    if (rc != 0) {
        cql_error_format(&e, err, errlen);
        write_ctx_put(w);
        return -1;
    }
    return 0;
}

static void sink_poll(void *ctx, int timeout_ms)
{
    struct up_cql_sink *s = ctx;
    cql_session_poll(s->session, timeout_ms);
    up_cql_metrics_tick(s->metrics, s->session, false);
}

static int sink_fd(void *ctx)
{
    return cql_session_fd(((struct up_cql_sink *)ctx)->session);
}

static size_t sink_in_flight(void *ctx)
{
    return cql_session_in_flight(((struct up_cql_sink *)ctx)->session);
}

static void sink_close(void *ctx)
{
    up_cql_sink_free(ctx);
}

struct up_sink up_cql_sink_interface(struct up_cql_sink *s)
{
    return (struct up_sink){
        .ctx = s,
        .write = sink_write,
        .poll = sink_poll,
        .fd = sink_fd,
        .in_flight = sink_in_flight,
        .close = sink_close,
    };
}
