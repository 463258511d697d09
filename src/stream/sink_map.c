/* stream/sink_map: Kafka records -> the mapping's rows, async on a cql session (sink_map.h). */
#include "stream/sink_map.h"

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "mapping/plan.h"
#include "stream/cql_client.h"
#include "stream/schema.h"
#include "stream/write_class.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct table_series {
    struct up_series *inserts, *deletes, *rejected_mapping, *rejected_write, *e2e_latency;
};

struct topic_series {
    const char *topic;
    struct up_series *records, *rejected_parse;
};

struct item_pool;

struct up_map_sink {
    cql_session *session;
    struct item_pool *pool;
    struct up_cql_metrics *cql_metrics; /* NULL: no metrics */
    bool schema_changed; /* a mapped keyspace changed: check the mapping again from poll() */
    const struct up_mapping *mapping;
    size_t max_record_bytes; /* 0: none */
    struct up_map_plan *plan;
    struct table_series *tables; /* per plan table; NULL without metrics */
    struct topic_series *topics; /* per topic of the file */
};

struct map_item;

/* A row's completion knows its record, which row it was and where it is counted: all in the
 * line the callback already reads (the item's arrays are cold by the time a row completes). */
struct row_ref {
    struct map_item *item;
    struct table_series *series; /* NULL without metrics */
    uint32_t row;
    bool is_delete;
};

#define CACHE_LINE 64

/* One record's rows, from prepare to the last row's acknowledgement. What a completion of a
 * record of one row reads is its first line: the row's reference (the callback's opaque), the
 * count and whom to tell (the item is cold by then: one cache miss, not three). The error
 * text, written only on failure, comes last. */
struct map_item {
    struct row_ref first; /* row 0's reference; rows 1.. in more */
    size_t pending;
    up_sink_done_fn done;
    void *opaque;
    bool failed;
    struct up_map_sink *sink; /* set while rows are in flight */
    int64_t timestamp_ms;     /* the Kafka record's, for the end-to-end latency */
    struct row_ref *more;     /* rows 1..: their references */
    size_t nmore;
    struct item_pool *pool;
    struct map_item *next; /* among the pool's spares */
    struct up_map_writes writes;
    struct {                     /* the worst failure of the record's rows (sink.h) */
        enum up_write_class cls; /* operator, then transient, then data */
        uint32_t code;
        size_t table;
        const char *hint;
    } worst;
    char error[512];
};

_Static_assert(offsetof(struct map_item, failed) < CACHE_LINE,
               "a completion reads the item's first cache line only");

/* Finished items kept for the next records: an item, its row references and its statements
 * are bound again instead of allocated (malloc and free per record were a sixth of the
 * mapping path's CPU). The pool outlives the sink while the loop still holds items, since
 * the loop may free queued items after close. */
struct item_pool {
    struct map_item *spare;
    size_t nspare, out; /* kept; handed to the loop and not freed yet */
    bool closed;
};

#define MAX_SPARE_ITEMS 1024

static void item_destroy(struct map_item *it)
{
    up_map_writes_free(&it->writes);
    free(it->more);
    free(it);
}

/* Row i's reference. */
static struct row_ref *item_ref(struct map_item *it, size_t i)
{
    return i == 0 ? &it->first : &it->more[i - 1];
}

static struct map_item *item_take(struct item_pool *pool)
{
    struct map_item *it = pool->spare;
    if (it) {
        pool->spare = it->next;
        pool->nspare--;
    } else {
        size_t size = (sizeof *it + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
        it = aligned_alloc(CACHE_LINE, size); /* the completion's line is the item's first */
        if (!it)
            abort();
        memset(it, 0, size);
        it->pool = pool;
    }
    pool->out++;
    return it;
}

static void pool_free_spares(struct item_pool *pool)
{
    while (pool->spare) {
        struct map_item *it = pool->spare;
        pool->spare = it->next;
        item_destroy(it);
    }
    pool->nspare = 0;
}

static void item_release(struct map_item *it)
{
    struct item_pool *pool = it->pool;
    pool->out--;
    if (!pool->closed && pool->nspare < MAX_SPARE_ITEMS) {
        it->next = pool->spare;
        pool->spare = it;
        pool->nspare++;
    } else {
        item_destroy(it);
    }
    if (pool->closed && pool->out == 0)
        free(pool);
}

static void pool_close(struct item_pool *pool)
{
    if (!pool)
        return;
    pool->closed = true;
    pool_free_spares(pool);
    if (pool->out == 0)
        free(pool);
}

static void metrics_init(struct up_map_sink *s, struct up_registry *r)
{
    if (!r)
        return;
    struct up_metric *rows = up_metric_new(r, UP_METRIC_COUNTER, "userpipe_mapping_rows_total",
                                           "Rows acknowledged by Cassandra, per topic -> table.",
                                           "topic,table,op", NULL, 0);
    struct up_metric *rejected = up_metric_new(
        r, UP_METRIC_COUNTER, "userpipe_mapping_rejected_total",
        "Records refused to the DLQ, per topic -> table and stage (parse, mapping, write).",
        "topic,table,stage", NULL, 0);
    /* The built-in users table has one row per record: the stream's own
     * userpipe_stream_e2e_latency_seconds is its latency, so it is not measured twice (a clock
     * read and a histogram per row). */
    struct up_metric *e2e =
        s->mapping->rules
            ? NULL
            : up_metric_new(r, UP_METRIC_HISTOGRAM, "userpipe_mapping_e2e_latency_seconds",
                            "From the Kafka record timestamp to the acknowledgement "
                            "of its row, per topic -> table.",
                            "topic,table", NULL, 0);
    size_t n = up_map_plan_tables(s->plan);
    s->tables = up_xcalloc(n, sizeof *s->tables);
    for (size_t i = 0; i < n; i++) {
        const char *topic = up_map_plan_topic(s->plan, i), *table = up_map_plan_target(s->plan, i);
        const char *ins[] = {topic, table, "insert"}, *del[] = {topic, table, "delete"},
                   *rej[] = {topic, table, "mapping"}, *wrej[] = {topic, table, "write"};
        s->tables[i].inserts = up_metric_labels(rows, ins);
        s->tables[i].deletes = up_metric_labels(rows, del);
        s->tables[i].rejected_mapping = up_metric_labels(rejected, rej);
        s->tables[i].rejected_write = up_metric_labels(rejected, wrej);
        s->tables[i].e2e_latency = e2e ? up_metric_labels(e2e, rej) : NULL; /* topic, table */
    }
    struct up_metric *records =
        up_metric_new(r, UP_METRIC_COUNTER, "userpipe_mapping_records_total",
                      "Records read and handed to the mapping, per topic.", "topic", NULL, 0);
    s->topics = up_xcalloc(s->mapping->ntopics, sizeof *s->topics);
    for (size_t i = 0; i < s->mapping->ntopics; i++) {
        const char *labels[] = {s->mapping->topics[i].name, "", "parse"};
        s->topics[i] = (struct topic_series){.topic = s->mapping->topics[i].name,
                                             .records = up_metric_labels(records, labels),
                                             .rejected_parse = up_metric_labels(rejected, labels)};
    }
}

static struct topic_series *topic_series(struct up_map_sink *s, const char *topic)
{
    for (size_t i = 0; s->topics && i < s->mapping->ntopics; i++)
        if (strcmp(s->topics[i].topic, topic) == 0)
            return &s->topics[i];
    return NULL;
}

static void count_rejected(struct up_map_sink *s, const char *topic,
                           const struct up_map_reject *rej)
{
    if (!s->tables)
        return;
    if (rej->stage == UP_MAP_STAGE_MAPPING) {
        for (size_t i = 0; i < up_map_plan_tables(s->plan); i++)
            if (strcmp(up_map_plan_target(s->plan, i), rej->target) == 0 &&
                strcmp(up_map_plan_topic(s->plan, i), topic) == 0)
                up_series_add(s->tables[i].rejected_mapping, 1);
        return;
    }
    struct topic_series *ts = topic_series(s, topic);
    if (ts)
        up_series_add(ts->rejected_parse, 1);
}

/* A schema change event (from the session's poll): only a flag, a callback may not query. */
static void on_event(void *opaque, const struct cql_event *ev)
{
    struct up_map_sink *s = opaque;
    if (ev->type != CQL_EVENT_SCHEMA_CHANGE || !ev->keyspace)
        return;
    for (size_t i = 0; i < s->mapping->ntables; i++)
        if (strcmp(s->mapping->tables[i].keyspace, ev->keyspace) == 0)
            s->schema_changed = true;
}

/* After a change to a mapped keyspace, the whole check of start again (outside any callback).
 * The verdict goes to the log: a mapping that no longer fits makes its writes fail, and they
 * are retried, never skipped, until the table or the file is fixed. */
static void recheck_schema(struct up_map_sink *s)
{
    s->schema_changed = false;
    struct up_map_plan *p;
    bool usage, retryable;
    char err[1024];
    if (up_map_plan_open(s->session, s->mapping, &p, &usage, &retryable, err, sizeof err) == 0) {
        UP_INFO("%s: the mapping still fits the schema after a schema change", s->mapping->file);
        up_map_plan_free(p);
    } else if (usage) {
        UP_ERROR("the mapping no longer fits the schema: %s; its writes fail and are retried "
                 "until the table or the file is fixed",
                 err);
    } else {
        UP_WARN("re-checking the mapping after a schema change: %s", err);
    }
}

/* The built-in table's keyspace and table, created unless they exist. */
static int create_tables(struct up_map_sink *s, const char *replication, bool *retryable, char *err,
                         size_t errlen)
{
    for (size_t i = 0; i < s->mapping->ntables; i++) {
        const struct up_map_table *t = &s->mapping->tables[i];
        if (up_schema_ensure(s->session, t->keyspace, t->table, replication, retryable, err,
                             errlen) != 0)
            return -1;
    }
    return 0;
}

struct up_map_sink *up_map_sink_open(const struct up_map_sink_config *cfg, bool *usage,
                                     bool *retryable, char *err, size_t errlen)
{
    *usage = *retryable = false;
    struct up_map_sink *s = up_xcalloc(1, sizeof *s);
    s->mapping = cfg->mapping;
    s->max_record_bytes = cfg->max_record_bytes;
    s->pool = up_xcalloc(1, sizeof *s->pool);
    struct cql_config cc = up_stream_cql_config(cfg->session);
    cc.event_cb = on_event;
    cc.event_opaque = s;
    struct cql_error e;
    if (cql_session_connect(&cc, &s->session, &e) != 0) {
        *retryable = cql_error_is_retryable(e.code);
        cql_error_format(&e, err, errlen);
        pool_close(s->pool);
        free(s);
        return NULL;
    }
    if (cfg->create_replication &&
        create_tables(s, cfg->create_replication, retryable, err, errlen) != 0) {
        up_map_sink_free(s);
        return NULL;
    }
    if (up_map_plan_open(s->session, cfg->mapping, &s->plan, usage, retryable, err, errlen) != 0) {
        up_map_sink_free(s);
        return NULL;
    }
    metrics_init(s, cfg->metrics);
    s->cql_metrics = up_cql_metrics_new(cfg->metrics);
    up_cql_metrics_tick(s->cql_metrics, s->session, true);
    return s;
}

void up_map_sink_free(struct up_map_sink *s)
{
    if (!s)
        return;
    up_cql_metrics_tick(s->cql_metrics, s->session, true); /* the last writes count too */
    up_cql_metrics_free(s->cql_metrics);
    cql_session_free(s->session); /* the last callbacks run here, while the plan lives */
    pool_close(s->pool);
    up_map_plan_free(s->plan);
    free(s->tables);
    free(s->topics);
    free(s);
}

/* ---- the hooks --------------------------------------------------------------------------- */

static bool header_get(void *ctx, const char *name, const void **value, size_t *len)
{
    rd_kafka_headers_t *h = NULL; /* librdkafka parses them once per message */
    if (rd_kafka_message_headers(ctx, &h) != RD_KAFKA_RESP_ERR_NO_ERROR || !h)
        return false;
    return rd_kafka_header_get_last(h, name, value, len) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

struct up_map_record up_map_record_of(const rd_kafka_message_t *m, int64_t timestamp_ms)
{
    return (struct up_map_record){.topic = rd_kafka_topic_name(m->rkt),
                                  .partition = m->partition,
                                  .offset = m->offset,
                                  .key = m->key,
                                  .key_len = m->key_len,
                                  .value = m->payload,
                                  .value_len = m->len,
                                  .timestamp_ms = timestamp_ms,
                                  .header = header_get,
                                  .header_ctx = (void *)m};
}

static int sink_prepare(void *ctx, const rd_kafka_message_t *m, int64_t timestamp_ms, void **item,
                        struct up_sink_reject *rej)
{
    struct up_map_sink *s = ctx;
    struct up_map_record r = up_map_record_of(m, timestamp_ms);
    const char *topic = r.topic;
    struct topic_series *ts = topic_series(s, topic);
    if (ts)
        up_series_add(ts->records, 1);
    if (!s->mapping->rules && s->max_record_bytes && m->len > s->max_record_bytes) {
        struct up_map_reject mr = {.stage = UP_MAP_STAGE_PARSE, .reason = "oversize"};
        count_rejected(s, topic, &mr);
        rej->reason = UP_REJECT_PARSE;
        snprintf(rej->why, sizeof rej->why, "%s", up_reject_name(UP_REJECT_OVERSIZE));
        snprintf(rej->detail, sizeof rej->detail, "the value is %zu bytes, above %zu", m->len,
                 s->max_record_bytes);
        rej->target[0] = '\0';
        return -1;
    }
    struct map_item *it = item_take(s->pool);
    it->timestamp_ms = timestamp_ms;
    struct up_map_reject mr;
    if (up_map_plan_bind(s->plan, &r, &it->writes, &mr) != 0) {
        count_rejected(s, topic, &mr);
        rej->reason = mr.code                          ? (enum up_reject)mr.code
                      : mr.stage == UP_MAP_STAGE_PARSE ? UP_REJECT_PARSE
                                                       : UP_REJECT_MAPPING;
        snprintf(rej->why, sizeof rej->why, "%s", mr.reason);
        snprintf(rej->detail, sizeof rej->detail, "%s", mr.detail);
        snprintf(rej->target, sizeof rej->target, "%s", mr.target);
        item_release(it);
        return -1;
    }
    if (it->nmore + 1 < it->writes.n) {
        it->nmore = it->writes.n - 1;
        it->more = up_xrealloc(it->more, it->nmore * sizeof *it->more);
    }
    for (size_t i = 0; i < it->writes.n; i++)
        *item_ref(it, i) = (struct row_ref){
            .item = it,
            .row = (uint32_t)i,
            .series = s->tables ? &s->tables[it->writes.tables[i]] : NULL,
            .is_delete = it->writes.is_delete[i],
        };
    *item = it;
    return 0;
}

/* How bad a failure is for its record: one row that must wait keeps the whole record waiting,
 * and a record goes to the DLQ only when every failed row was refused for its data. */
static int severity(enum up_write_class c)
{
    return c == UP_WRITE_OPERATOR ? 2 : c == UP_WRITE_TRANSIENT ? 1 : 0;
}

static void row_failed(struct map_item *it, size_t row, const struct cql_error *e)
{
    enum up_write_class cls = up_write_classify(e->code, e->message);
    if (it->failed && severity(cls) <= severity(it->worst.cls))
        return;
    it->failed = true;
    int32_t code = cql_error_server_code(e->code);
    it->worst.cls = cls;
    it->worst.code = code > 0 ? (uint32_t)code : 0;
    it->worst.table = it->writes.tables[row];
    it->worst.hint = up_write_operator_hint(e->code, e->message);
    char why[640];
    cql_error_format(e, why, sizeof why);
    snprintf(it->error, sizeof it->error, "%.120s: %.380s",
             up_map_plan_target(it->sink->plan, it->worst.table), why);
}

static void item_done(struct map_item *it)
{
    struct up_map_sink *s = it->sink;
    if (!it->failed) {
        it->done(it->opaque, NULL);
        return;
    }
    if (it->worst.cls == UP_WRITE_DATA && s->tables)
        up_series_add(s->tables[it->worst.table].rejected_write, 1);
    struct up_sink_failure f = {.cls = it->worst.cls,
                                .code = it->worst.code,
                                .message = it->error,
                                .target = up_map_plan_target(s->plan, it->worst.table),
                                .hint = it->worst.hint};
    it->done(it->opaque, &f);
}

static void row_done(const struct row_ref *ref, const struct cql_error *e)
{
    struct map_item *it = ref->item;
    if (!e && ref->series) {
        const struct table_series *ts = ref->series;
        up_series_add(ref->is_delete ? ts->deletes : ts->inserts, 1);
        if (ts->e2e_latency) {
            int64_t waited_ms = up_wall_ms() - it->timestamp_ms;
            up_series_observe(ts->e2e_latency, waited_ms > 0 ? (double)waited_ms / 1e3 : 0);
        }
    }
    if (e)
        row_failed(it, ref->row, e);
    if (--it->pending == 0)
        item_done(it);
}

static void on_result(void *opaque, cql_result *result, const struct cql_error *e)
{
    row_done(opaque, result ? NULL : e);
}

static int sink_write_item(void *ctx, void *item, up_sink_done_fn done, void *opaque, char *err,
                           size_t errlen)
{
    struct up_map_sink *s = ctx;
    struct map_item *it = item;
    it->sink = s;
    it->done = done;
    it->opaque = opaque;
    it->failed = false;
    it->pending = 0;
    for (size_t i = 0; i < it->writes.n; i++) {
        struct cql_error e;
        if (cql_session_execute(s->session, it->writes.stmts[i], on_result, item_ref(it, i), &e) !=
            0) {
            if (it->pending == 0) {
                cql_error_format(&e, err, errlen);
                return -1;
            }
            /* Rows already sent finish first; the record then fails as a whole and the
             * loop writes every row again (the same cells: fixed values, fixed times). */
            row_failed(it, i, &e);
            break;
        }
        it->pending++;
    }
    return 0;
}

static void sink_free_item(void *ctx, void *item)
{
    (void)ctx; /* may run after close: the item's pool outlives the sink */
    item_release(item);
}

static void sink_poll(void *ctx, int timeout_ms)
{
    struct up_map_sink *s = ctx;
    cql_session_poll(s->session, timeout_ms);
    up_cql_metrics_tick(s->cql_metrics, s->session, false);
    if (s->schema_changed)
        recheck_schema(s);
}

static int sink_fd(void *ctx)
{
    return cql_session_fd(((struct up_map_sink *)ctx)->session);
}

static size_t sink_in_flight(void *ctx)
{
    return cql_session_in_flight(((struct up_map_sink *)ctx)->session);
}

static void sink_close(void *ctx)
{
    up_map_sink_free(ctx);
}

struct up_sink up_map_sink_interface(struct up_map_sink *s)
{
    return (struct up_sink){
        .ctx = s,
        .poll = sink_poll,
        .fd = sink_fd,
        .in_flight = sink_in_flight,
        .close = sink_close,
        .prepare = sink_prepare,
        .write_item = sink_write_item,
        .free_item = sink_free_item,
    };
}
