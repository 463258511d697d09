/* stream/redrive: DLQ records -> the mapping's table or the source topic, once each per group
 * (redrive.h). One record at a time: a DLQ holds few records, and the order keeps the
 * committed offset an exact bookmark. */
#include "stream/redrive.h"

#include "core/backoff.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/signals.h"
#include "kafka/config.h"
#include "kafka/partitions.h"
#include "kafka/producer.h"
#include "mapping/plan.h"
#include "stream/cql_client.h"
#include "stream/dlq.h"
#include "stream/write_class.h"

#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WAIT_ACK_MS     30000 /* a DLQ or source copy not acknowledged by then: exit 1 */
#define TRANSIENT_TRIES 6     /* writes of one record before a transient failure stops the run */

/* One DLQ record's headers, read once. */
struct dead {
    char stage[16], reason[64], topic[256], target[130], run[48];
    int32_t partition;
    int64_t offset, timestamp_ms;
    unsigned attempts;
};

struct redrive {
    const struct up_redrive_config *cfg;
    struct up_redrive_totals *t;
    rd_kafka_t *consumer;
    struct up_partition_offsets *parts; /* high: the end as of the start */
    size_t nparts;
    int64_t *next;      /* per part: the next offset to read (everything below is done) */
    int64_t *committed; /* per part: the offset the group has committed */
    int64_t next_flush_ms;
    cql_session *session;
    struct up_map_plan *plan;
    struct up_map_writes writes;
    struct up_dlq *dlq;
    struct up_producer *producer;
    char run_id[48];
    bool acked;        /* the last DLQ or source send completed ... */
    bool ack_ok;       /* ... and was acknowledged */
    char ack_why[256]; /* ... or why not */
    int64_t next_progress_ms;
};

/* ------------------------------------------------------------------------ headers */

static bool header(rd_kafka_headers_t *h, const char *name, char *out, size_t outlen)
{
    const void *v;
    size_t len;
    out[0] = '\0';
    if (!h || rd_kafka_header_get_last(h, name, &v, &len) != RD_KAFKA_RESP_ERR_NO_ERROR || !v)
        return false;
    if (len >= outlen)
        len = outlen - 1;
    memcpy(out, v, len);
    out[len] = '\0';
    return true;
}

static int64_t header_int(rd_kafka_headers_t *h, const char *name, int64_t absent)
{
    char buf[32], *end;
    if (!header(h, name, buf, sizeof buf) || !buf[0])
        return absent;
    long long v = strtoll(buf, &end, 10);
    return *end ? absent : (int64_t)v;
}

static void read_dead(const rd_kafka_message_t *m, rd_kafka_headers_t *h, struct dead *d)
{
    header(h, UP_DLQ_HEADER_STAGE, d->stage, sizeof d->stage);
    header(h, UP_DLQ_HEADER_REASON, d->reason, sizeof d->reason);
    header(h, UP_DLQ_HEADER_TOPIC, d->topic, sizeof d->topic);
    header(h, UP_DLQ_HEADER_TARGET, d->target, sizeof d->target);
    header(h, UP_DLQ_HEADER_REDRIVE, d->run, sizeof d->run);
    d->partition = (int32_t)header_int(h, UP_DLQ_HEADER_PARTITION, -1);
    d->offset = header_int(h, UP_DLQ_HEADER_OFFSET, -1);
    d->timestamp_ms = header_int(h, UP_DLQ_HEADER_TIMESTAMP, -1);
    if (d->timestamp_ms < 0) /* none on the source record: the DLQ copy's time */
        d->timestamp_ms = rd_kafka_message_timestamp(m, NULL);
    int64_t attempts = header_int(h, UP_DLQ_HEADER_ATTEMPTS, 1); /* the stream's one attempt */
    d->attempts = attempts > 0 && attempts < 1000000 ? (unsigned)attempts : 1;
}

static bool matches(const struct up_redrive_filter *f, const struct dead *d)
{
    return (!f->stage || strcmp(f->stage, d->stage) == 0) &&
           (!f->reason || strcmp(f->reason, d->reason) == 0) &&
           (!f->source_topic || strcmp(f->source_topic, d->topic) == 0) &&
           (f->source_partition < 0 || f->source_partition == d->partition) &&
           (f->since_ms < 0 || d->timestamp_ms >= f->since_ms) &&
           (f->until_ms < 0 || d->timestamp_ms < f->until_ms);
}

/* ------------------------------------------------------------------- acknowledged sends */

static void on_ack(struct redrive *r, bool ok, const char *why)
{
    r->acked = true;
    r->ack_ok = ok;
    snprintf(r->ack_why, sizeof r->ack_why, "%s", why ? why : "");
}

static void on_dlq_done(void *opaque, enum up_dlq_outcome outcome, const char *error)
{
    on_ack(opaque, outcome == UP_DLQ_DELIVERED, error);
}

static void on_source_delivery(void *ctx, const struct up_delivery *d)
{
    on_ack(ctx, d->err == RD_KAFKA_RESP_ERR_NO_ERROR, d->err ? rd_kafka_err2str(d->err) : NULL);
}

/* Waits for the send in flight; 0 when acknowledged. */
static int wait_ack(struct redrive *r, const char *what, char *err, size_t errlen)
{
    int64_t deadline = up_mono_ms() + WAIT_ACK_MS;
    while (!r->acked && up_mono_ms() < deadline) {
        if (r->dlq)
            up_dlq_poll(r->dlq, 100);
        if (r->producer)
            up_producer_poll(r->producer, r->dlq ? 0 : 100);
    }
    if (r->acked && r->ack_ok)
        return 0;
    snprintf(err, errlen, "%s: %s", what, r->acked ? r->ack_why : "not acknowledged in 30 s");
    return -1;
}

/* The record back in the DLQ, one attempt more, with why it failed this time. */
static int send_back(struct redrive *r, const rd_kafka_message_t *m, rd_kafka_headers_t *h,
                     const struct dead *d, const char *stage, const char *reason,
                     const char *detail, const char *target, uint32_t code, char *err,
                     size_t errlen)
{
    struct up_dlq_record rec = {
        .key = m->key,
        .key_len = m->key_len,
        .value = m->payload,
        .value_len = m->len,
        .source_topic = d->topic,
        .source_partition = d->partition,
        .source_offset = d->offset,
        .source_timestamp_ms = d->timestamp_ms,
        .reason = reason,
        .detail = detail,
        .stage = stage,
        .target = target,
        .code = code,
        .attempts = d->attempts + 1,
        .redrive = r->run_id,
        .own = h,
    };
    r->acked = false;
    char why[512];
    if (up_dlq_send(r->dlq, &rec, r, why, sizeof why) != UP_DLQ_DELIVERED) {
        snprintf(err, errlen, "sending a record back to %s: %s", r->cfg->dlq_topic, why);
        return -1;
    }
    if (wait_ack(r, "sending a record back to the DLQ", err, errlen) != 0)
        return -1;
    r->t->failed_again++;
    UP_WARN("%s/%d/%" PRId64 " failed again (%s: %s); back in %s with attempts=%u", d->topic,
            d->partition, d->offset, stage, detail, r->cfg->dlq_topic, d->attempts + 1);
    return 0;
}

/* ------------------------------------------------------------------ the two replays */

static int to_source(struct redrive *r, const rd_kafka_message_t *m, rd_kafka_headers_t *h,
                     const struct dead *d, char *err, size_t errlen)
{
    struct up_header keep[UP_DLQ_MAX_OWN_HEADERS];
    size_t n = up_dlq_own_headers(h, keep, UP_DLQ_MAX_OWN_HEADERS);
    r->acked = false;
    char why[512];
    if (up_producer_send(r->producer, d->topic, m->key, m->key_len, m->payload, m->len, keep, n,
                         NULL, why, sizeof why) != UP_SEND_OK) {
        snprintf(err, errlen, "producing to %s: %s", d->topic, why);
        return -1;
    }
    if (wait_ack(r, d->topic, err, errlen) != 0)
        return -1;
    r->t->to_source++;
    return 0;
}

struct header_ctx {
    rd_kafka_headers_t *h;
};

static bool map_header(void *ctx, const char *name, const void **value, size_t *len)
{
    struct header_ctx *c = ctx;
    return c->h && rd_kafka_header_get_last(c->h, name, value, len) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

/* The record through the mapping as the stream read it: from its source topic, with the write
 * time of its source record (so the cells are those the stream would have written). */
static int bind_record(struct redrive *r, const rd_kafka_message_t *m, rd_kafka_headers_t *h,
                       const struct dead *d, struct up_map_reject *rej)
{
    struct header_ctx hc = {h};
    struct up_map_record rec = {.topic = d->topic,
                                .key = m->key,
                                .key_len = m->key_len,
                                .value = m->payload,
                                .value_len = m->len,
                                .timestamp_ms = d->timestamp_ms,
                                .header = map_header,
                                .header_ctx = &hc};
    return up_map_plan_bind(r->plan, &rec, &r->writes, rej);
}

/* Writes every row; 0, or the first failure in *e and the row's table in *table. */
static int write_rows(struct redrive *r, struct cql_error *e, size_t *table)
{
    for (size_t i = 0; i < r->writes.n; i++) {
        cql_result *res = NULL;
        if (cql_session_execute_sync(r->session, r->writes.stmts[i], &res, e) != 0) {
            *table = r->writes.tables[i];
            return -1;
        }
        cql_result_free(res);
    }
    return 0;
}

static int store(struct redrive *r, const rd_kafka_message_t *m, rd_kafka_headers_t *h,
                 const struct dead *d, char *err, size_t errlen)
{
    struct up_map_reject rej;
    if (bind_record(r, m, h, d, &rej) != 0)
        return send_back(r, m, h, d, rej.stage == UP_MAP_STAGE_PARSE ? "parse" : "mapping",
                         rej.reason, rej.detail, rej.target, 0, err, errlen);
    struct up_backoff bo;
    up_backoff_init(&bo, 500, 5000);
    for (int attempt = 1;; attempt++) {
        struct cql_error e;
        size_t table = 0;
        if (write_rows(r, &e, &table) == 0) {
            r->t->stored++;
            return 0;
        }
        char why[640];
        cql_error_format(&e, why, sizeof why);
        const char *target = up_map_plan_target(r->plan, table);
        enum up_write_class cls = up_write_classify(e.code, e.message);
        if (cls == UP_WRITE_DATA) {
            int32_t code = cql_error_server_code(e.code);
            return send_back(r, m, h, d, "write", "rejected_data", why, target,
                             code > 0 ? (uint32_t)code : 0, err, errlen);
        }
        if (cls == UP_WRITE_OPERATOR || attempt >= TRANSIENT_TRIES || up_stop_requested()) {
            snprintf(err, errlen, "%s: %s%s%s", target, why,
                     cls == UP_WRITE_OPERATOR ? "; to fix: " : "",
                     cls == UP_WRITE_OPERATOR ? up_write_operator_hint(e.code, e.message) : "");
            return -1;
        }
        int64_t wait = up_backoff_next_ms(&bo);
        UP_WARN("%s: %s; trying again in %lld ms", target, why, (long long)wait);
        up_sleep_ms(wait);
    }
}

/* ------------------------------------------------------------------------- the DLQ */

static const char *const consumer_defaults[] = {
    "enable.auto.commit", "false",     "enable.auto.offset.store", "false", "auto.offset.reset",
    "earliest",           "client.id", "userpipe-redrive",         NULL};

/* The consumer, the partitions, their end as of now and where the group left off. */
static int open_dlq(struct redrive *r, char *err, size_t errlen)
{
    const struct up_redrive_config *cfg = r->cfg;
    rd_kafka_conf_t *conf =
        up_kafka_conf_new(cfg->brokers, cfg->kafka_props, consumer_defaults, err, errlen);
    if (!conf || up_kafka_conf_set(conf, "group.id", cfg->group, err, errlen) != 0) {
        if (conf)
            rd_kafka_conf_destroy(conf);
        return -1;
    }
    char why[512];
    r->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    if (!r->consumer) {
        rd_kafka_conf_destroy(conf);
        snprintf(err, errlen, "Kafka consumer: %s", why);
        return -1;
    }
    if (up_partitions_of_topic(r->consumer, cfg->dlq_topic, 30000, &r->parts, &r->nparts, err,
                               errlen) != 0 ||
        up_partitions_watermarks(r->consumer, cfg->dlq_topic, r->parts, r->nparts, 30000, err,
                                 errlen) != 0)
        return -1;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)r->nparts);
    for (size_t i = 0; i < r->nparts; i++)
        rd_kafka_topic_partition_list_add(l, cfg->dlq_topic, r->parts[i].partition);
    rd_kafka_resp_err_t e = rd_kafka_committed(r->consumer, l, 30000);
    r->next = up_xcalloc(r->nparts, sizeof *r->next);
    r->committed = up_xcalloc(r->nparts, sizeof *r->committed);
    for (size_t i = 0; e == RD_KAFKA_RESP_ERR_NO_ERROR && i < r->nparts; i++) {
        int64_t c = l->elems[i].offset;
        r->next[i] = c >= r->parts[i].low ? c : r->parts[i].low;
        r->committed[i] = r->next[i];
        l->elems[i].offset = r->next[i];
    }
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
        e = rd_kafka_assign(r->consumer, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(err, errlen, "reading %s as group %s: %s", cfg->dlq_topic, cfg->group,
                 rd_kafka_err2str(e));
        return -1;
    }
    return 0;
}

static size_t part_index(const struct redrive *r, int32_t partition)
{
    size_t i = 0;
    while (i < r->nparts && r->parts[i].partition != partition)
        i++;
    return i;
}

/* Every partition read up to its end as of the start. */
static bool at_end(const struct redrive *r)
{
    for (size_t i = 0; i < r->nparts; i++)
        if (r->next[i] < r->parts[i].high)
            return false;
    return true;
}

/* Commits every partition read past its committed offset, in one synchronous request. A
 * replayed record is committed at once (commit_now); skipped ones only here, about once a
 * second and at the end: skipping one again after a kill changes nothing. */
static int flush_commits(struct redrive *r, char *err, size_t errlen)
{
    if (r->cfg->dry_run)
        return 0;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)r->nparts);
    for (size_t i = 0; i < r->nparts; i++)
        if (r->next[i] > r->committed[i])
            rd_kafka_topic_partition_list_add(l, r->cfg->dlq_topic, r->parts[i].partition)->offset =
                r->next[i];
    rd_kafka_resp_err_t e =
        l->cnt ? rd_kafka_commit(r->consumer, l, 0) : RD_KAFKA_RESP_ERR_NO_ERROR;
    rd_kafka_topic_partition_list_destroy(l);
    r->next_flush_ms = up_mono_ms() + 1000;
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(err, errlen, "committing %s for group %s: %s", r->cfg->dlq_topic, r->cfg->group,
                 rd_kafka_err2str(e));
        return -1;
    }
    for (size_t i = 0; i < r->nparts; i++)
        r->committed[i] = r->next[i];
    return 0;
}

static void dry_run_line(struct redrive *r, const rd_kafka_message_t *m, const struct dead *d,
                         const char *action, const char *why)
{
    struct up_buf b = UP_BUF_INIT;
    up_buf_printf(&b, "{\"dlq_partition\":%d,\"dlq_offset\":%" PRId64 ",\"source\":", m->partition,
                  m->offset);
    char source[300];
    snprintf(source, sizeof source, "%s/%d/%" PRId64, d->topic, d->partition, d->offset);
    up_buf_json_cstring(&b, source);
    up_buf_puts(&b, ",\"stage\":");
    up_buf_json_cstring(&b, d->stage);
    up_buf_puts(&b, ",\"reason\":");
    up_buf_json_cstring(&b, d->reason);
    up_buf_puts(&b, ",\"action\":");
    up_buf_json_cstring(&b, action);
    if (why) {
        up_buf_puts(&b, ",\"why\":");
        up_buf_json_cstring(&b, why);
    }
    up_buf_puts(&b, "}\n");
    fputs(b.data, r->cfg->out);
    up_buf_free(&b);
}

/* What a dry run says would happen to a matched record: its mapping is tried, nothing sent. */
static void dry_run(struct redrive *r, const rd_kafka_message_t *m, rd_kafka_headers_t *h,
                    const struct dead *d)
{
    if (r->cfg->to_source) {
        dry_run_line(r, m, d, "to_source", NULL);
        return;
    }
    struct up_map_reject rej;
    if (bind_record(r, m, h, d, &rej) == 0)
        dry_run_line(r, m, d, "store", NULL);
    else
        dry_run_line(r, m, d, "fail_again", rej.detail);
}

/* *acted: the record was replayed (its offset must be committed before the next one). */
static int handle(struct redrive *r, const rd_kafka_message_t *m, bool *acted, char *err,
                  size_t errlen)
{
    *acted = false;
    rd_kafka_headers_t *h = NULL;
    if (rd_kafka_message_headers(m, &h) != RD_KAFKA_RESP_ERR_NO_ERROR)
        h = NULL;
    struct dead d;
    read_dead(m, h, &d);
    r->t->read++;
    bool ours = r->cfg->follow && strcmp(d.run, r->run_id) == 0; /* sent back by this run */
    if (ours || !d.topic[0] || !matches(&r->cfg->filter, &d)) {
        r->t->skipped++;
        if (r->cfg->dry_run)
            dry_run_line(r, m, &d, "skip", NULL);
        return 0;
    }
    r->t->matched++;
    if (r->cfg->dry_run) {
        dry_run(r, m, h, &d);
        return 0;
    }
    *acted = true;
    return r->cfg->to_source ? to_source(r, m, h, &d, err, errlen)
                             : store(r, m, h, &d, err, errlen);
}

static void progress(struct redrive *r, bool force)
{
    int64_t now = up_mono_ms();
    if (!force && (r->cfg->progress_ms <= 0 || now < r->next_progress_ms))
        return;
    r->next_progress_ms = now + r->cfg->progress_ms;
    const struct up_redrive_totals *t = r->t;
    UP_INFO("read=%" PRIu64 " matched=%" PRIu64 " stored=%" PRIu64 " to_source=%" PRIu64
            " failed_again=%" PRIu64 " skipped=%" PRIu64,
            t->read, t->matched, t->stored, t->to_source, t->failed_again, t->skipped);
}

/* One message from the DLQ consumer: 0, or -1 when the run must stop before it. */
static int take(struct redrive *r, const rd_kafka_message_t *m, char *err, size_t errlen)
{
    if (m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            UP_WARN("%s", rd_kafka_message_errstr(m));
        return 0;
    }
    size_t i = part_index(r, m->partition);
    if (i == r->nparts)
        return 0;
    if (!r->cfg->follow && m->offset >= r->parts[i].high)
        return 0; /* beyond the end as of the start */
    bool acted;
    if (handle(r, m, &acted, err, errlen) != 0)
        return -1;
    r->next[i] = m->offset + 1;
    return acted ? flush_commits(r, err, errlen) : 0;
}

static int run(struct redrive *r, char *err, size_t errlen)
{
    int rc = 0;
    while (rc == 0 && !up_stop_requested() && (r->cfg->follow || !at_end(r))) {
        progress(r, false);
        rd_kafka_message_t *m = rd_kafka_consumer_poll(r->consumer, 200);
        if (m) {
            rc = take(r, m, err, errlen);
            rd_kafka_message_destroy(m);
        }
        if (rc == 0 && up_mono_ms() >= r->next_flush_ms)
            rc = flush_commits(r, err, errlen);
    }
    char why[512];
    if (flush_commits(r, why, sizeof why) != 0 && rc == 0) { /* what was done before a failure */
        snprintf(err, errlen, "%s", why);
        rc = -1;
    }
    return rc;
}

/* ------------------------------------------------------------------------ open, close */

static int open_targets(struct redrive *r, char *err, size_t errlen)
{
    const struct up_redrive_config *cfg = r->cfg;
    if (!cfg->to_source) { /* a dry run reads the records through the mapping too */
        struct cql_config cc = up_stream_cql_config(cfg->session);
        struct cql_error e;
        if (cql_session_connect(&cc, &r->session, &e) != 0) {
            cql_error_format(&e, err, errlen);
            return -1;
        }
        bool usage, retryable;
        if (up_map_plan_open(r->session, cfg->mapping, &r->plan, &usage, &retryable, err, errlen) !=
            0)
            return -1;
    }
    if (cfg->dry_run)
        return 0;
    if (cfg->to_source) {
        struct up_producer_config pc = {.brokers = cfg->brokers,
                                        .props = cfg->kafka_props,
                                        .client_id = "userpipe-redrive",
                                        .on_delivery = on_source_delivery,
                                        .ctx = r};
        r->producer = up_producer_new(&pc, err, errlen);
        return r->producer ? 0 : -1;
    }
    r->dlq =
        up_dlq_new(cfg->brokers, cfg->kafka_props, cfg->dlq_topic, 1, on_dlq_done, err, errlen);
    return r->dlq ? 0 : -1;
}

static void close_all(struct redrive *r)
{
    if (r->consumer) {
        rd_kafka_consumer_close(r->consumer);
        rd_kafka_destroy(r->consumer);
    }
    up_dlq_free(r->dlq, 5000);
    if (r->producer) {
        up_producer_flush(r->producer, 5000);
        up_producer_free(r->producer);
    }
    up_map_writes_free(&r->writes);
    up_map_plan_free(r->plan);
    cql_session_free(r->session);
    free(r->parts);
    free(r->next);
    free(r->committed);
}

int up_redrive_run(const struct up_redrive_config *cfg, struct up_redrive_totals *totals, char *err,
                   size_t errlen)
{
    struct redrive r = {.cfg = cfg, .t = totals};
    memset(totals, 0, sizeof *totals);
    snprintf(r.run_id, sizeof r.run_id, "%s/%d/%" PRId64, cfg->group, (int)getpid(), up_wall_ms());
    r.next_progress_ms = up_mono_ms() + cfg->progress_ms;
    int rc = open_targets(&r, err, errlen);
    if (rc == 0)
        rc = open_dlq(&r, err, errlen);
    if (rc == 0)
        rc = run(&r, err, errlen);
    progress(&r, true);
    close_all(&r);
    return rc;
}
