/* web/ui_health: pollers for the dashboard's health view. */
#include "web/ui_health.h"

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "web/listen.h"
#include "kafka/inspect.h"
#include "kafka/quorum.h"
#include "kafka/tail.h"
#include "web/ui_cluster.h"
#include "web/ui_mappings.h"
#include "web/ui_sse.h"
#include "web/ui_stats.h"

#include <curl/curl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define KAFKA_TIMEOUT_MS   2000
#define QUORUM_TIMEOUT_MS  1000
#define HTTP_TIMEOUT_MS    900
#define MAX_REASONS        32
#define RECENT_DLQ         20
#define REASON_HEADER      "userpipe.error.reason"
#define SLOW_EVERY_TICKS   5  /* group state, topic list and retention */
#define PROBE_EVERY_TICKS  10 /* Airflow */
#define STREAM_ROWS_METRIC "userpipe_stream_records_stored_total"
#define STREAM_SEEN_METRIC "userpipe_stream_records_consumed_total"

struct part_state {
    int32_t partition;
    int64_t low, high, committed;
    double lag_seconds;
    bool lag_lower_bound;
    struct up_sample_ring high_history;
};

struct service {
    int up; /* 1 up, 0 down, -1 not watched */
    char detail[256];
};

struct reason_count {
    char name[64];
    uint64_t n;
};

struct dlq_record {
    int32_t partition;
    int64_t offset, timestamp_ms;
    char reason[64];
    char *key, *value; /* value cut to a preview */
};

struct up_ui_health {
    struct up_ui_health_config cfg; /* strings below are our copies */
    struct up_str_list props;
    pthread_t poll_thread, dlq_thread;
    bool poll_started, dlq_started; /* only a created thread is joined */
    pthread_mutex_t sleep_mu;
    pthread_cond_t sleep_cv;
    atomic_bool stop;

    pthread_mutex_t mu; /* the JSON documents and the DLQ counts */
    char *health_json, *history_json, *topics_json, *cluster_json;
    struct reason_count reasons[MAX_REASONS];
    size_t nreasons;
    uint64_t reasons_other, dlq_counted;
    struct dlq_record recent[RECENT_DLQ];
    size_t recent_head, recent_count;
    char dlq_error[256];

    /* The poll thread's own state. */
    struct up_inspector *ins;
    struct part_state *parts;
    size_t nparts;
    int64_t dlq_messages; /* -1: no such topic */
    struct up_group_info group;
    char group_error[256];
    struct service kafka, stream, cassandra, airflow;
    struct ui_brokers brokers;
    char brokers_error[256];
    int32_t controller; /* the KRaft quorum's leader; -1 unknown */
    char controller_source[320];
    bool plaintext;                  /* DescribeQuorum can be asked over a raw socket */
    double rows_stored, stream_seen; /* NAN: unknown */
    int64_t rows_estimate;           /* -1: unknown */
    struct up_sample_ring produced, consumed, rows;
    struct up_mapping_scrape *scrape; /* this tick's userpipe_mapping_* sums */
    struct up_ui_mappings *mappings;  /* the "Mappings" panel */
    struct up_sample_ring hist_produce, hist_consume, hist_store, hist_lag;
    double rate_produce, rate_consume, rate_store;
    unsigned long tick;

    struct up_metric *m_up, *m_lag, *m_lag_seconds;
};

/* ------------------------------------------------------------------------ JSON helpers */

static void json_service(struct up_buf *b, const char *name, const struct service *s)
{
    up_buf_printf(b, "\"%s\":{\"up\":%s,\"detail\":", name,
                  s->up < 0 ? "null"
                  : s->up   ? "true"
                            : "false");
    up_buf_json_cstring(b, s->detail);
    up_buf_putc(b, '}');
}

/* ------------------------------------------------------------------------------- HTTP */

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
    struct up_buf *b = ud;
    if (b->len + size * n > (8u << 20))
        return 0; /* a metrics page over 8 MiB is not a metrics page */
    up_buf_append(b, p, size * n);
    return size * n;
}

/* GET url; the HTTP status, or -1 with err when nothing answered. */
static long http_get(const char *url, struct up_buf *body, char *err, size_t errlen)
{
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(err, errlen, "curl: cannot initialise");
        return -1;
    }
    char why[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)HTTP_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, why);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    long status = -1;
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    else
        snprintf(err, errlen, "%s", why[0] ? why : curl_easy_strerror(rc));
    curl_easy_cleanup(c);
    return status;
}

/* ------------------------------------------------------------------------------ Kafka */

static void reset_parts(struct up_ui_health *h, const struct up_topic_info *t)
{
    free(h->parts);
    h->nparts = t->npartitions;
    h->parts = up_xcalloc(h->nparts ? h->nparts : 1, sizeof *h->parts);
    for (size_t i = 0; i < h->nparts; i++)
        h->parts[i].partition = t->partitions[i].partition;
}

/* Records not yet committed; with no commit at all, every record retained waits. */
static int64_t partition_lag(const struct part_state *p)
{
    return p->committed >= 0 ? p->high - p->committed : p->high - p->low;
}

static void publish_lag_metrics(struct up_ui_health *h, const struct part_state *p)
{
    char part[16];
    snprintf(part, sizeof part, "%d", p->partition);
    const char *labels[] = {h->cfg.group, h->cfg.topic, part};
    int64_t lag = partition_lag(p);
    up_series_set(up_metric_labels(h->m_lag, labels), (double)lag);
    up_series_set(up_metric_labels(h->m_lag_seconds, labels), p->lag_seconds);
}

/* Watermarks and committed offsets of the pipeline's topic; lag per partition. */
static void poll_topic(struct up_ui_health *h, int64_t now)
{
    char err[512];
    struct up_topic_info t;
    if (up_inspector_topic(h->ins, h->cfg.topic, KAFKA_TIMEOUT_MS, &t, err, sizeof err) != 0) {
        h->kafka.up = strstr(err, "does not exist") ? 1 : 0;
        snprintf(h->kafka.detail, sizeof h->kafka.detail, "%.250s", err);
        return;
    }
    h->kafka.up = 1;
    snprintf(h->kafka.detail, sizeof h->kafka.detail, "%.200s: %zu partition%s", h->cfg.topic,
             t.npartitions, t.npartitions == 1 ? "" : "s");
    if (t.npartitions != h->nparts)
        reset_parts(h, &t);
    h->group_error[0] = '\0';
    if (up_inspector_committed(h->ins, h->cfg.group, &t, KAFKA_TIMEOUT_MS, h->group_error,
                               sizeof h->group_error) != 0)
        UP_DEBUG("%s", h->group_error);
    double sum_high = 0, sum_committed = 0;
    for (size_t i = 0; i < t.npartitions; i++) {
        struct part_state *p = &h->parts[i];
        const struct up_partition_offsets *o = &t.partitions[i];
        p->low = o->low;
        p->high = o->high;
        p->committed = o->committed;
        up_ring_push(&p->high_history, now, (double)o->high);
        int64_t waiting_from = o->committed >= 0 ? o->committed : o->low;
        p->lag_seconds = up_lag_seconds(&p->high_history, waiting_from, now, &p->lag_lower_bound);
        sum_high += (double)o->high;
        if (o->committed >= 0)
            sum_committed += (double)o->committed;
        publish_lag_metrics(h, p);
    }
    up_ring_push(&h->produced, now, sum_high);
    up_ring_push(&h->consumed, now, sum_committed);
    up_topic_info_clear(&t);

    h->dlq_messages = -1;
    if (h->cfg.dlq &&
        up_inspector_topic(h->ins, h->cfg.dlq, KAFKA_TIMEOUT_MS, &t, err, sizeof err) == 0) {
        h->dlq_messages = 0;
        for (size_t i = 0; i < t.npartitions; i++)
            h->dlq_messages += t.partitions[i].high - t.partitions[i].low;
        up_topic_info_clear(&t);
    }
}

static void poll_topics_list(struct up_ui_health *h)
{
    char err[512];
    struct up_topic_info *topics = NULL;
    size_t n = 0;
    struct up_buf b = UP_BUF_INIT;
    if (up_inspector_topics(h->ins, KAFKA_TIMEOUT_MS, &topics, &n, err, sizeof err) != 0) {
        up_buf_puts(&b, "{\"error\":");
        up_buf_json_cstring(&b, err);
        up_buf_puts(&b, ",\"topics\":[]}");
    } else {
        if (up_inspector_retention(h->ins, topics, n, KAFKA_TIMEOUT_MS, err, sizeof err) != 0)
            UP_DEBUG("retention: %s", err);
        up_buf_puts(&b, "{\"topics\":[");
        for (size_t i = 0; i < n; i++) {
            const struct up_topic_info *t = &topics[i];
            int64_t msgs = 0;
            for (size_t k = 0; k < t->npartitions; k++)
                msgs += t->partitions[k].high - t->partitions[k].low;
            up_buf_puts(&b, i ? ",{\"name\":" : "{\"name\":");
            up_buf_json_cstring(&b, t->name);
            up_buf_printf(&b,
                          ",\"partitions\":%zu,\"messages\":%lld,\"bytes\":null,"
                          "\"retention_ms\":%lld,\"retention_bytes\":%lld,\"offsets\":[",
                          t->npartitions, (long long)msgs, (long long)t->retention_ms,
                          (long long)t->retention_bytes);
            for (size_t k = 0; k < t->npartitions; k++)
                up_buf_printf(&b, "%s{\"partition\":%d,\"low\":%lld,\"high\":%lld}", k ? "," : "",
                              t->partitions[k].partition, (long long)t->partitions[k].low,
                              (long long)t->partitions[k].high);
            up_buf_puts(&b, "]}");
        }
        up_buf_puts(&b, "]}");
        up_topic_info_free(topics, n);
    }
    pthread_mutex_lock(&h->mu);
    free(h->topics_json);
    h->topics_json = up_buf_steal(&b);
    pthread_mutex_unlock(&h->mu);
}

/* ------------------------------------------------------------------------ the nodes */

static bool controller_up(const struct up_ui_health *h)
{
    for (size_t i = 0; i < h->brokers.n; i++)
        if (h->brokers.v[i].id == h->controller)
            return h->brokers.v[i].up;
    return false;
}

/* Asks the brokers that are up, then the others, who leads the controller quorum. */
static void poll_controller(struct up_ui_health *h)
{
    char err[256] = "no broker to ask";
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < h->brokers.n; i++) {
            const struct ui_broker *b = &h->brokers.v[i];
            char host[280];
            uint16_t port;
            if (b->up != (pass == 0) || !up_parse_host_port(b->address, host, sizeof host, &port))
                continue;
            struct up_quorum q;
            if (up_quorum_describe(host, port, QUORUM_TIMEOUT_MS, &q, err, sizeof err) == 0) {
                h->controller = q.leader_id;
                snprintf(h->controller_source, sizeof h->controller_source,
                         "KRaft quorum leader (DescribeQuorum via %.200s, epoch %d, %zu voters)",
                         b->address, q.leader_epoch, q.nvoters);
                return;
            }
        }
    h->controller = -1;
    snprintf(h->controller_source, sizeof h->controller_source, "unknown: %.140s", err);
}

static void poll_brokers(struct up_ui_health *h)
{
    char err[512];
    struct up_broker_info *md = NULL;
    size_t n = 0;
    if (up_inspector_brokers(h->ins, KAFKA_TIMEOUT_MS, &md, &n, err, sizeof err) != 0) {
        ui_brokers_update(&h->brokers, NULL, 0);
        snprintf(h->brokers_error, sizeof h->brokers_error, "%.250s", err);
    } else {
        ui_brokers_update(&h->brokers, md, n);
        h->brokers_error[0] = '\0';
    }
    free(md);
    if (!h->plaintext)
        return;
    /* the leader moves only when a controller fails: asking every 5 s is enough, unless the
     * one known has just gone */
    if (h->tick % SLOW_EVERY_TICKS == 0 || !controller_up(h))
        poll_controller(h);
}

/* The "cluster" document; h->cassandra_nodes runs here, on the poll thread. */
static void build_cluster(struct up_ui_health *h)
{
    struct up_buf b = UP_BUF_INIT;
    up_buf_puts(&b, "{\"kafka\":");
    ui_brokers_json(&h->brokers, h->controller, h->controller_source,
                    h->brokers_error[0] ? h->brokers_error : NULL, &b);
    up_buf_puts(&b, ",\"cassandra\":");
    if (h->cfg.cassandra_nodes)
        h->cfg.cassandra_nodes(h->cfg.cassandra_ctx, &b);
    else
        up_buf_puts(&b, "null");
    up_buf_putc(&b, '}');
    pthread_mutex_lock(&h->mu);
    free(h->cluster_json);
    h->cluster_json = up_buf_steal(&b);
    pthread_mutex_unlock(&h->mu);
}

static void poll_group(struct up_ui_health *h)
{
    char err[512];
    if (up_inspector_group(h->ins, h->cfg.group, &h->group, KAFKA_TIMEOUT_MS, err, sizeof err) != 0)
        UP_DEBUG("%s", err);
}

/* ----------------------------------------------------------------- stream and Airflow */

/* One stream's metrics page: rows stored and records consumed added to *rows and *seen,
 * its per-mapping series into *scrape. false with detail set when it does not answer as a
 * stream. */
static bool poll_one_stream(const char *url, double *rows, double *seen,
                            struct up_mapping_scrape *scrape, char *detail, size_t detail_len)
{
    struct up_buf body = UP_BUF_INIT;
    char err[256];
    long status = http_get(url, &body, err, sizeof err);
    double r = NAN, c = NAN;
    if (status == 200) {
        up_prom_sum(body.data ? body.data : "", body.len, STREAM_ROWS_METRIC, NULL, NULL, &r);
        up_prom_sum(body.data ? body.data : "", body.len, STREAM_SEEN_METRIC, NULL, NULL, &c);
        up_mapping_scrape_add(scrape, body.data ? body.data : "", body.len);
    }
    up_buf_free(&body);
    if (status < 0)
        snprintf(detail, detail_len, "%.120s: %.120s", url, err);
    else if (status != 200)
        snprintf(detail, detail_len, "%.200s: HTTP %ld", url, status);
    else if (isnan(r))
        snprintf(detail, detail_len, "%.120s answers, but without %s", url, STREAM_ROWS_METRIC);
    *rows += r;
    *seen += c;
    return status == 200 && !isnan(r);
}

/* --stream-metrics may list one URL per stream process: the sums count only when every one
 * answered (a missing process would look like rows un-stored). */
static void poll_stream(struct up_ui_health *h, int64_t now)
{
    if (!h->cfg.stream_metrics_url)
        return;
    double rows = 0, seen = 0;
    size_t n = 0, ok = 0;
    char failure[256] = "";
    char *list = up_xstrdup(h->cfg.stream_metrics_url), *save = NULL;
    up_mapping_scrape_reset(h->scrape);
    for (char *url = strtok_r(list, ",", &save); url; url = strtok_r(NULL, ",", &save)) {
        char detail[256];
        n++;
        if (poll_one_stream(url, &rows, &seen, h->scrape, detail, sizeof detail))
            ok++;
        else if (!failure[0])
            snprintf(failure, sizeof failure, "%s", detail);
    }
    free(list);
    h->stream.up = n && ok == n;
    if (ok == n && n == 1)
        snprintf(h->stream.detail, sizeof h->stream.detail, "metrics at %.200s",
                 h->cfg.stream_metrics_url);
    else if (ok == n)
        snprintf(h->stream.detail, sizeof h->stream.detail, "%zu stream processes answer", n);
    else if (n == 1)
        snprintf(h->stream.detail, sizeof h->stream.detail, "%s", failure);
    else
        snprintf(h->stream.detail, sizeof h->stream.detail, "%zu of %zu answer; %.200s", ok, n,
                 failure);
    h->rows_stored = n && ok == n ? rows : NAN;
    h->stream_seen = n && ok == n ? seen : NAN;
    if (!isnan(h->rows_stored))
        up_ring_push(&h->rows, now, h->rows_stored);
    if (n && ok == n) /* the panel is the poll thread's own, like the partitions */
        up_ui_mappings_update(h->mappings, h->scrape, now);
    else
        up_ui_mappings_mark_stale(h->mappings);
}

static void poll_airflow(struct up_ui_health *h)
{
    if (!h->cfg.airflow_url)
        return;
    struct up_buf body = UP_BUF_INIT;
    char err[256];
    long status = http_get(h->cfg.airflow_url, &body, err, sizeof err);
    up_buf_free(&body);
    h->airflow.up = status > 0 && status < 500;
    if (status < 0)
        snprintf(h->airflow.detail, sizeof h->airflow.detail, "%.250s", err);
    else
        snprintf(h->airflow.detail, sizeof h->airflow.detail, "HTTP %ld", status);
}

static void poll_cassandra(struct up_ui_health *h)
{
    if (!h->cfg.cassandra_probe)
        return;
    h->cfg.cassandra_probe(h->cfg.cassandra_ctx, &h->cassandra.up, h->cassandra.detail,
                           sizeof h->cassandra.detail, &h->rows_estimate);
}

/* ------------------------------------------------------------------------------- DLQ */

static void count_reason_locked(struct up_ui_health *h, const char *reason)
{
    for (size_t i = 0; i < h->nreasons; i++)
        if (strcmp(h->reasons[i].name, reason) == 0) {
            h->reasons[i].n++;
            return;
        }
    if (h->nreasons == MAX_REASONS) {
        h->reasons_other++; /* reasons come from data: their number is bounded here */
        return;
    }
    snprintf(h->reasons[h->nreasons].name, sizeof h->reasons[0].name, "%s", reason);
    h->reasons[h->nreasons++].n = 1;
}

static char *preview(const char *s, size_t len, size_t max)
{
    return s ? up_xstrndup(s, len < max ? len : max) : NULL;
}

static bool on_dlq_record(void *ctx, const struct up_tail_msg *m)
{
    struct up_ui_health *h = ctx;
    char reason[64] = "(no reason header)";
    for (size_t i = 0; i < m->nheaders; i++)
        if (strcmp(m->headers[i].name, REASON_HEADER) == 0 && m->headers[i].value) {
            size_t n = m->headers[i].value_len < sizeof reason - 1 ? m->headers[i].value_len
                                                                   : sizeof reason - 1;
            memcpy(reason, m->headers[i].value, n);
            reason[n] = '\0';
        }
    pthread_mutex_lock(&h->mu);
    count_reason_locked(h, reason);
    h->dlq_counted++;
    struct dlq_record *r = &h->recent[(h->recent_head + h->recent_count) % RECENT_DLQ];
    if (h->recent_count == RECENT_DLQ) {
        r = &h->recent[h->recent_head];
        h->recent_head = (h->recent_head + 1) % RECENT_DLQ;
    } else {
        h->recent_count++;
    }
    free(r->key);
    free(r->value);
    r->partition = m->partition;
    r->offset = m->offset;
    r->timestamp_ms = m->timestamp_ms;
    snprintf(r->reason, sizeof r->reason, "%s", reason);
    r->key = preview(m->key, m->key_len, 200);
    r->value = preview(m->value, m->value_len, 2000);
    pthread_mutex_unlock(&h->mu);
    return true;
}

static bool sleep_ms(struct up_ui_health *h, int ms)
{
    struct timespec ts;
    up_deadline_after_ms(&ts, ms);
    pthread_mutex_lock(&h->sleep_mu);
    while (!atomic_load(&h->stop))
        if (pthread_cond_timedwait(&h->sleep_cv, &h->sleep_mu, &ts) != 0)
            break;
    pthread_mutex_unlock(&h->sleep_mu);
    return !atomic_load(&h->stop);
}

static void *dlq_main(void *arg)
{
    struct up_ui_health *h = arg;
    char err[512];
    while (!atomic_load(&h->stop)) {
        struct up_tail_config cfg = {.brokers = h->cfg.brokers,
                                     .props = &h->props,
                                     .topic = h->cfg.dlq,
                                     .timeout_ms = KAFKA_TIMEOUT_MS};
        cfg.start.from = UP_TAIL_BEGINNING;
        struct up_tail *t = up_tail_open(&cfg, err, sizeof err);
        if (!t) {
            pthread_mutex_lock(&h->mu);
            snprintf(h->dlq_error, sizeof h->dlq_error, "%.250s", err);
            pthread_mutex_unlock(&h->mu);
            if (!sleep_ms(h, 5000))
                break;
            continue;
        }
        pthread_mutex_lock(&h->mu);
        h->dlq_error[0] = '\0';
        h->nreasons = 0; /* counting again from the beginning */
        h->reasons_other = h->dlq_counted = 0;
        pthread_mutex_unlock(&h->mu);
        while (!atomic_load(&h->stop))
            if (up_tail_poll(t, 200, 5000, on_dlq_record, h, err, sizeof err) < 0)
                break;
        up_tail_close(t);
    }
    return NULL;
}

/* "counted":N,"by_reason":{...},"error":.. of the DLQ reader; h->mu held. */
static void json_dlq_counts_locked(const struct up_ui_health *h, struct up_buf *b)
{
    up_buf_printf(b, "\"counted\":%llu,\"by_reason\":{", (unsigned long long)h->dlq_counted);
    for (size_t i = 0; i < h->nreasons; i++) {
        up_buf_puts(b, i ? "," : "");
        up_buf_json_cstring(b, h->reasons[i].name);
        up_buf_printf(b, ":%llu", (unsigned long long)h->reasons[i].n);
    }
    if (h->reasons_other)
        up_buf_printf(b, "%s\"(other)\":%llu", h->nreasons ? "," : "",
                      (unsigned long long)h->reasons_other);
    up_buf_puts(b, "},\"error\":");
    up_buf_json_cstring(b, h->dlq_error[0] ? h->dlq_error : NULL);
}

/* --------------------------------------------------------------------------- snapshot */

static void build_health(struct up_ui_health *h, int64_t now)
{
    struct up_buf b = UP_BUF_INIT;
    up_buf_printf(&b, "{\"time\":%lld,\"topic\":", (long long)now);
    up_buf_json_cstring(&b, h->cfg.topic);
    up_buf_puts(&b, ",\"group\":");
    up_buf_json_cstring(&b, h->cfg.group);
    up_buf_puts(&b, ",\"dlq\":");
    up_buf_json_cstring(&b, h->cfg.dlq);
    up_buf_puts(&b, ",\"airflow_url\":");
    up_buf_json_cstring(&b, h->cfg.airflow_url);
    up_buf_puts(&b, ",\"services\":{");
    json_service(&b, "kafka", &h->kafka);
    up_buf_putc(&b, ',');
    json_service(&b, "cassandra", &h->cassandra);
    up_buf_putc(&b, ',');
    json_service(&b, "stream", &h->stream);
    up_buf_putc(&b, ',');
    json_service(&b, "airflow", &h->airflow);
    up_buf_puts(&b, "},\"rates\":{\"produce\":");
    up_json_num(&b, h->rate_produce);
    up_buf_puts(&b, ",\"consume\":");
    up_json_num(&b, h->rate_consume);
    up_buf_puts(&b, ",\"store\":");
    up_json_num(&b, h->rate_store);
    up_buf_puts(&b, "},\"rows_stored\":");
    up_json_num(&b, h->rows_stored);
    up_buf_puts(&b, ",\"stream_records_consumed\":");
    up_json_num(&b, h->stream_seen);
    up_buf_puts(&b, ",\"rows_estimate\":");
    up_json_num(&b, h->rows_estimate >= 0 ? (double)h->rows_estimate : NAN);
    up_buf_puts(&b, ",\"group_state\":{\"state\":");
    up_buf_json_cstring(&b, h->group.state);
    up_buf_printf(&b, ",\"members\":%zu,\"error\":", h->group.members);
    up_buf_json_cstring(&b, h->group_error[0] ? h->group_error : NULL);
    int64_t total = 0, messages = 0;
    double max_seconds = 0;
    up_buf_puts(&b, "},\"partitions\":[");
    for (size_t i = 0; i < h->nparts; i++) {
        const struct part_state *p = &h->parts[i];
        int64_t lag = partition_lag(p);
        total += lag;
        messages += p->high - p->low;
        if (p->lag_seconds > max_seconds)
            max_seconds = p->lag_seconds;
        up_buf_printf(&b,
                      "%s{\"partition\":%d,\"low\":%lld,\"high\":%lld,\"committed\":%lld,"
                      "\"lag\":%lld,\"lag_seconds\":",
                      i ? "," : "", p->partition, (long long)p->low, (long long)p->high,
                      (long long)p->committed, (long long)lag);
        up_json_num(&b, p->lag_seconds);
        up_buf_printf(&b, ",\"lag_seconds_lower_bound\":%s}",
                      p->lag_lower_bound ? "true" : "false");
    }
    up_buf_printf(&b, "],\"messages\":%lld,\"lag\":%lld,\"lag_seconds\":", (long long)messages,
                  (long long)total);
    up_json_num(&b, max_seconds);
    pthread_mutex_lock(&h->mu);
    up_buf_puts(&b, ",\"cluster\":");
    up_buf_puts(&b, h->cluster_json);
    up_buf_printf(&b, ",\"dlq_stats\":{\"messages\":%lld,", (long long)h->dlq_messages);
    json_dlq_counts_locked(h, &b);
    up_buf_puts(&b, "},\"mappings\":");
    up_ui_mappings_json(h->mappings, &b);
    up_buf_putc(&b, '}');
    free(h->health_json);
    h->health_json = up_buf_steal(&b);
    pthread_mutex_unlock(&h->mu);
}

static void append_history(struct up_buf *b, const char *name, const struct up_sample_ring *r)
{
    up_buf_printf(b, "\"%s\":[", name);
    for (size_t i = 0; i < r->count; i++) {
        int64_t t;
        double v;
        up_ring_get(r, i, &t, &v);
        up_buf_printf(b, "%s[%lld,", i ? "," : "", (long long)t);
        up_json_num(b, v);
        up_buf_putc(b, ']');
    }
    up_buf_putc(b, ']');
}

static void build_history(struct up_ui_health *h)
{
    struct up_buf b = UP_BUF_INIT;
    up_buf_putc(&b, '{');
    append_history(&b, "produce", &h->hist_produce);
    up_buf_putc(&b, ',');
    append_history(&b, "consume", &h->hist_consume);
    up_buf_putc(&b, ',');
    append_history(&b, "store", &h->hist_store);
    up_buf_putc(&b, ',');
    append_history(&b, "lag", &h->hist_lag);
    up_buf_putc(&b, '}');
    pthread_mutex_lock(&h->mu);
    free(h->history_json);
    h->history_json = up_buf_steal(&b);
    pthread_mutex_unlock(&h->mu);
}

static void set_up_metric(struct up_ui_health *h, const char *name, const struct service *s)
{
    const char *labels[] = {name};
    if (s->up >= 0)
        up_series_set(up_metric_labels(h->m_up, labels), s->up);
}

static void tick(struct up_ui_health *h)
{
    int64_t now = up_wall_ms();
    poll_topic(h, now);
    if (h->tick % SLOW_EVERY_TICKS == 0) {
        poll_group(h);
        poll_topics_list(h);
    }
    if (h->tick % PROBE_EVERY_TICKS == 0) {
        poll_airflow(h);
        poll_cassandra(h);
    }
    poll_stream(h, now);
    poll_brokers(h);
    build_cluster(h);
    /* Commits come in bursts (every few seconds): a wider window keeps the rate smooth. */
    h->rate_produce = up_ring_rate(&h->produced, 5000);
    h->rate_consume = up_ring_rate(&h->consumed, 10000);
    h->rate_store = up_ring_rate(&h->rows, 5000);
    up_ring_push(&h->hist_produce, now, h->rate_produce);
    up_ring_push(&h->hist_consume, now, h->rate_consume);
    up_ring_push(&h->hist_store, now, h->rate_store);
    int64_t lag = 0;
    for (size_t i = 0; i < h->nparts; i++)
        lag += partition_lag(&h->parts[i]);
    up_ring_push(&h->hist_lag, now, (double)lag);
    set_up_metric(h, "kafka", &h->kafka);
    set_up_metric(h, "stream", &h->stream);
    set_up_metric(h, "cassandra", &h->cassandra);
    set_up_metric(h, "airflow", &h->airflow);
    build_health(h, now);
    build_history(h);
    h->tick++;
}

static void *poll_main(void *arg)
{
    struct up_ui_health *h = arg;
    do {
        int64_t started = up_mono_ms();
        tick(h);
        int64_t spent = up_mono_ms() - started;
        int wait = h->cfg.interval_ms - (int)spent;
        if (!sleep_ms(h, wait > 50 ? wait : 50))
            break;
    } while (true);
    return NULL;
}

/* ------------------------------------------------------------------------- lifecycle */

static void init_service(struct service *s, bool watched, const char *how)
{
    s->up = watched ? 0 : -1;
    snprintf(s->detail, sizeof s->detail, "%s", watched ? "not checked yet" : how);
}

struct up_ui_health *up_ui_health_start(const struct up_ui_health_config *cfg, char *err,
                                        size_t errlen)
{
    struct up_ui_health *h = up_xcalloc(1, sizeof *h);
    h->cfg = *cfg;
    h->cfg.brokers = up_xstrdup(cfg->brokers);
    h->cfg.topic = up_xstrdup(cfg->topic);
    h->cfg.group = up_xstrdup(cfg->group);
    h->cfg.dlq = up_xstrdup_or_null(cfg->dlq);
    h->cfg.stream_metrics_url = up_xstrdup_or_null(cfg->stream_metrics_url);
    h->cfg.airflow_url = up_xstrdup_or_null(cfg->airflow_url);
    if (h->cfg.interval_ms <= 0)
        h->cfg.interval_ms = 1000;
    for (size_t i = 0; cfg->props && i < cfg->props->len; i++)
        up_str_list_push(&h->props, cfg->props->items[i]);
    pthread_mutex_init(&h->mu, NULL);
    pthread_mutex_init(&h->sleep_mu, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&h->sleep_cv, &attr);
    pthread_condattr_destroy(&attr);
    atomic_init(&h->stop, false);
    h->rows_stored = h->stream_seen = NAN;
    h->rate_produce = h->rate_consume = h->rate_store = NAN;
    h->rows_estimate = -1;
    h->dlq_messages = -1;
    h->scrape = up_xcalloc(1, sizeof *h->scrape);
    h->mappings = up_ui_mappings_new();
    snprintf(h->group.state, sizeof h->group.state, "Unknown");
    init_service(&h->kafka, true, "");
    init_service(&h->stream, h->cfg.stream_metrics_url, "not watched: give --stream-metrics");
    init_service(&h->cassandra, cfg->cassandra_probe, "not watched: give --cassandra");
    init_service(&h->airflow, h->cfg.airflow_url, "not watched: give --airflow-url");
    h->health_json = up_xstrdup("{}");
    h->history_json = up_xstrdup("{}");
    h->topics_json = up_xstrdup("{\"topics\":[]}");
    h->cluster_json = up_xstrdup("{\"kafka\":null,\"cassandra\":null}");
    ui_brokers_init(&h->brokers, h->cfg.brokers);
    h->controller = -1;
    snprintf(h->controller_source, sizeof h->controller_source, "not asked yet");
    h->plaintext = true;
    for (size_t i = 0; i < h->props.len; i++)
        if (strncmp(h->props.items[i], "security.protocol=", 18) == 0 &&
            strcasecmp(h->props.items[i] + 18, "plaintext") != 0) {
            h->plaintext = false; /* the quorum request speaks neither TLS nor SASL */
            snprintf(h->controller_source, sizeof h->controller_source,
                     "unknown: DescribeQuorum is asked over PLAINTEXT only");
        }
    h->m_up = up_metric_new(cfg->reg, UP_METRIC_GAUGE, "userpipe_ui_service_up",
                            "1 when the service answered the dashboard's last probe.", "service",
                            NULL, 0);
    h->m_lag = up_metric_new(cfg->reg, UP_METRIC_GAUGE, "userpipe_ui_consumergroup_lag",
                             "Records the group has not committed yet, per partition.",
                             "group,topic,partition", NULL, 0);
    h->m_lag_seconds = up_metric_new(
        cfg->reg, UP_METRIC_GAUGE, "userpipe_ui_consumergroup_lag_seconds",
        "Estimated age of the oldest record the group has not committed, per partition.",
        "group,topic,partition", NULL, 0);

    char why[512];
    h->ins = up_inspector_new(h->cfg.brokers, &h->props, h->cfg.group, why, sizeof why);
    if (!h->ins)
        UP_WARN("kafka inspector: %s", why); /* -X errors are caught before; keep serving */
    int rc = 0;
    if (h->ins) {
        rc = pthread_create(&h->poll_thread, NULL, poll_main, h);
        h->poll_started = rc == 0;
    }
    if (rc == 0 && h->cfg.dlq && h->ins) {
        rc = pthread_create(&h->dlq_thread, NULL, dlq_main, h);
        h->dlq_started = rc == 0;
    }
    if (rc != 0) {
        snprintf(err, errlen, "cannot start the health poller's threads: %s", strerror(rc));
        up_ui_health_stop(h);
        return NULL;
    }
    return h;
}

void up_ui_health_stop(struct up_ui_health *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->sleep_mu);
    atomic_store(&h->stop, true);
    pthread_cond_broadcast(&h->sleep_cv);
    pthread_mutex_unlock(&h->sleep_mu);
    if (h->poll_started)
        pthread_join(h->poll_thread, NULL);
    if (h->dlq_started)
        pthread_join(h->dlq_thread, NULL);
    up_inspector_free(h->ins);
    for (size_t i = 0; i < RECENT_DLQ; i++) {
        free(h->recent[i].key);
        free(h->recent[i].value);
    }
    free(h->parts);
    free(h->scrape);
    up_ui_mappings_free(h->mappings);
    free(h->health_json);
    free(h->history_json);
    free(h->topics_json);
    free(h->cluster_json);
    ui_brokers_free(&h->brokers);
    free((char *)h->cfg.brokers);
    free((char *)h->cfg.topic);
    free((char *)h->cfg.group);
    free((char *)h->cfg.dlq);
    free((char *)h->cfg.stream_metrics_url);
    free((char *)h->cfg.airflow_url);
    up_str_list_free(&h->props);
    pthread_cond_destroy(&h->sleep_cv);
    pthread_mutex_destroy(&h->sleep_mu);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

static char *copy_locked(struct up_ui_health *h, char *const *doc)
{
    pthread_mutex_lock(&h->mu);
    char *s = up_xstrdup(*doc);
    pthread_mutex_unlock(&h->mu);
    return s;
}

char *up_ui_health_json(struct up_ui_health *h)
{
    return copy_locked(h, &h->health_json);
}

char *up_ui_health_history_json(struct up_ui_health *h)
{
    return copy_locked(h, &h->history_json);
}

char *up_ui_health_topics_json(struct up_ui_health *h)
{
    return copy_locked(h, &h->topics_json);
}

char *up_ui_health_cluster_json(struct up_ui_health *h)
{
    return copy_locked(h, &h->cluster_json);
}

char *up_ui_health_dlq_json(struct up_ui_health *h)
{
    struct up_buf b = UP_BUF_INIT;
    pthread_mutex_lock(&h->mu);
    up_buf_puts(&b, "{\"topic\":");
    up_buf_json_cstring(&b, h->cfg.dlq);
    up_buf_putc(&b, ',');
    json_dlq_counts_locked(h, &b);
    up_buf_puts(&b, ",\"recent\":[");
    for (size_t k = 0; k < h->recent_count; k++) {
        /* newest first */
        const struct dlq_record *r =
            &h->recent[(h->recent_head + h->recent_count - 1 - k) % RECENT_DLQ];
        up_buf_printf(&b, "%s{\"partition\":%d,\"offset\":%lld,\"timestamp\":%lld,\"reason\":",
                      k ? "," : "", r->partition, (long long)r->offset, (long long)r->timestamp_ms);
        up_buf_json_cstring(&b, r->reason);
        up_buf_puts(&b, ",\"key\":");
        up_buf_json_cstring(&b, r->key);
        up_buf_puts(&b, ",\"value\":");
        up_buf_json_cstring(&b, r->value);
        up_buf_putc(&b, '}');
    }
    up_buf_puts(&b, "]}");
    pthread_mutex_unlock(&h->mu);
    return up_buf_steal(&b);
}
