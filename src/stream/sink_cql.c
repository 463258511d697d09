/* stream/sink_cql: rows -> async prepared INSERTs on a cql session. */
#include "stream/sink_cql.h"

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "stream/schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One Cassandra node's series and the counts already added to them. */
struct host_metrics {
    char host[64];
    struct up_series *requests, *errors, *up, *reprepares, *suspect;
    uint64_t requests_seen, errors_seen, reprepares_seen;
};

/* The session's failover counters (cql_stats), one series each of
 * userpipe_cql_failover_total{event}. */
#define FAILOVER_EVENTS 7
static const char *const failover_names[FAILOVER_EVENTS] = {
    "attempt_timeout", "speculative_sent", "speculative_won", "suspect",
    "moved",           "prepare_on_up",    "prepare_wait"};

static void failover_counts(const struct cql_stats *st, uint64_t out[FAILOVER_EVENTS])
{
    const uint64_t v[FAILOVER_EVENTS] = {
        st->attempt_timeouts, st->speculative_sent, st->speculative_won, st->suspects, st->moved,
        st->prepares_on_up,   st->prepare_waits};
    memcpy(out, v, sizeof v);
}

#define METRICS_EVERY_MS 1000

struct up_cql_sink {
    cql_session *session;
    struct up_metric *requests_family, *errors_family, *up_family; /* NULL: no metrics */
    struct up_metric *reprepares_family, *suspect_family;
    struct up_series *failover[FAILOVER_EVENTS];
    uint64_t failover_seen[FAILOVER_EVENTS];
    struct host_metrics *hosts;
    size_t nhosts;
    int64_t metrics_at; /* next refresh (monotonic ms) */
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

static void metrics_init(struct up_cql_sink *s, struct up_registry *r)
{
    if (!r)
        return;
    s->requests_family = up_metric_new(
        r, UP_METRIC_COUNTER, "userpipe_cql_requests_total",
        "Requests sent to each Cassandra node (writes, their retries, prepares).", "host", NULL, 0);
    s->errors_family = up_metric_new(r, UP_METRIC_COUNTER, "userpipe_cql_errors_total",
                                     "ERROR answers from each Cassandra node.", "host", NULL, 0);
    s->up_family =
        up_metric_new(r, UP_METRIC_GAUGE, "userpipe_cql_host_up",
                      "1 while the client has a ready connection to the node.", "host", NULL, 0);
    s->reprepares_family = up_metric_new(
        r, UP_METRIC_COUNTER, "userpipe_cql_reprepares_total",
        "PREPAREs sent to a node that forgot a statement or came up.", "host", NULL, 0);
    s->suspect_family = up_metric_new(
        r, UP_METRIC_GAUGE, "userpipe_cql_host_suspect",
        "1 while the node is out of query plans for not answering in time.", "host", NULL, 0);
    struct up_metric *f = up_metric_new(
        r, UP_METRIC_COUNTER, "userpipe_cql_failover_total",
        "The CQL client's failover events: attempts timed out, speculative attempts sent and "
        "won, nodes turned suspect, requests moved off them, prepares on nodes coming up, "
        "requests that waited on a PREPARE in flight.",
        "event", NULL, 0);
    for (int i = 0; i < FAILOVER_EVENTS; i++)
        s->failover[i] = up_metric_labels(f, &failover_names[i]);
}

static struct host_metrics *host_metrics(struct up_cql_sink *s, const char *host)
{
    for (size_t i = 0; i < s->nhosts; i++)
        if (strcmp(s->hosts[i].host, host) == 0)
            return &s->hosts[i];
    s->hosts = up_xrealloc(s->hosts, (s->nhosts + 1) * sizeof *s->hosts);
    struct host_metrics *m = &s->hosts[s->nhosts++];
    memset(m, 0, sizeof *m);
    snprintf(m->host, sizeof m->host, "%.63s", host);
    const char *label = m->host;
    m->requests = up_metric_labels(s->requests_family, &label);
    m->errors = up_metric_labels(s->errors_family, &label);
    m->up = up_metric_labels(s->up_family, &label);
    m->reprepares = up_metric_labels(s->reprepares_family, &label);
    m->suspect = up_metric_labels(s->suspect_family, &label);
    return m;
}

/* Adds what each node's counters grew by since the last refresh (a counter never goes back). */
static void metrics_refresh(struct up_cql_sink *s)
{
    if (!s->requests_family)
        return;
    struct cql_host_info hs[64];
    size_t n = cql_session_hosts(s->session, hs, sizeof hs / sizeof hs[0]);
    if (n > sizeof hs / sizeof hs[0])
        n = sizeof hs / sizeof hs[0];
    for (size_t i = 0; i < s->nhosts; i++)
        up_series_set(s->hosts[i].up, 0); /* a node gone from the cluster is not up */
    for (size_t i = 0; i < n; i++) {
        struct host_metrics *m = host_metrics(s, hs[i].address);
        if (hs[i].requests > m->requests_seen)
            up_series_add(m->requests, (double)(hs[i].requests - m->requests_seen));
        if (hs[i].errors > m->errors_seen)
            up_series_add(m->errors, (double)(hs[i].errors - m->errors_seen));
        if (hs[i].reprepares > m->reprepares_seen)
            up_series_add(m->reprepares, (double)(hs[i].reprepares - m->reprepares_seen));
        m->requests_seen = hs[i].requests;
        m->errors_seen = hs[i].errors;
        m->reprepares_seen = hs[i].reprepares;
        up_series_set(m->up, hs[i].up ? 1 : 0);
        up_series_set(m->suspect, hs[i].suspect ? 1 : 0);
    }
    struct cql_stats st;
    uint64_t now[FAILOVER_EVENTS];
    cql_session_stats(s->session, &st);
    failover_counts(&st, now);
    for (int i = 0; i < FAILOVER_EVENTS; i++) {
        if (now[i] > s->failover_seen[i])
            up_series_add(s->failover[i], (double)(now[i] - s->failover_seen[i]));
        s->failover_seen[i] = now[i];
    }
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
    struct cql_config cc = *cfg->session;
    cc.consistency = cfg->consistency;
    cc.speculative_delay_ms = 200; /* the INSERTs are idempotent: a silent replica costs 0.2 s */
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
    metrics_init(sink, cfg->metrics);
    metrics_refresh(sink);
    sink->row_insert = cql_prepared_bind(sink->insert);
    cql_statement_set_consistency(sink->row_insert, cfg->consistency);
    cql_statement_set_idempotent(sink->row_insert, true); /* fixed values at a fixed time */
    return sink;
}

void up_cql_sink_free(struct up_cql_sink *s)
{
    if (!s)
        return;
    metrics_refresh(s); /* the last writes count too */
    free(s->hosts);
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

static void on_result(void *opaque, cql_result *result, const struct cql_error *e)
{
    struct write_ctx *w = opaque;
    if (result) {
        w->done(w->opaque, true, NULL);
    } else {
        char why[640];
        cql_error_format(e, why, sizeof why);
        w->done(w->opaque, false, why);
    }
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
    int64_t now = up_mono_ms();
    if (now >= s->metrics_at) {
        s->metrics_at = now + METRICS_EVERY_MS;
        metrics_refresh(s);
    }
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
