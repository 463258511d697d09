/* kafka/tail: a group-less consumer and an admin/metadata inspector. */
#include "kafka/tail.h"

#include "core/clock.h"
#include "core/log.h"
#include "kafka/config.h"

#include <ctype.h>
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT_MS 10000

/* ------------------------------------------------------------------ start positions */

static bool parse_i64(const char *s, int64_t *out)
{
    if (!*s)
        return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

static int parse_cursor(const char *s, struct up_tail_start *out, char *err, size_t errlen)
{
    out->from = UP_TAIL_CURSOR;
    out->ncursor = 0;
    const char *p = s;
    while (*p) {
        if (out->ncursor == UP_TAIL_MAX_PARTITIONS) {
            snprintf(err, errlen, "cursor names more than %d partitions", UP_TAIL_MAX_PARTITIONS);
            return -1;
        }
        char *end;
        errno = 0;
        long part = strtol(p, &end, 10);
        if (errno || end == p || *end != ':' || part < 0 || part > INT32_MAX)
            goto bad;
        p = end + 1;
        long long off = strtoll(p, &end, 10);
        if (errno || end == p || off < 0 || (*end && *end != ','))
            goto bad;
        out->cursor_partition[out->ncursor] = (int32_t)part;
        out->cursor_offset[out->ncursor] = off;
        out->ncursor++;
        p = end;
        if (*p == ',' && !*++p)
            goto bad; /* a trailing comma */
    }
    if (out->ncursor > 0)
        return 0;
bad:
    snprintf(err, errlen, "start '%.64s': a cursor is PARTITION:OFFSET[,PARTITION:OFFSET..]", s);
    return -1;
}

int up_tail_start_parse(const char *s, struct up_tail_start *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!s || !*s || strcmp(s, "end") == 0 || strcmp(s, "latest") == 0) {
        out->from = UP_TAIL_END;
        return 0;
    }
    if (strcmp(s, "beginning") == 0 || strcmp(s, "earliest") == 0) {
        out->from = UP_TAIL_BEGINNING;
        return 0;
    }
    if (s[0] == '@') {
        out->from = UP_TAIL_TIME;
        if (parse_i64(s + 1, &out->value) && out->value >= 0)
            return 0;
        if (up_iso8601_parse(s + 1, strlen(s + 1), &out->value))
            return 0;
        snprintf(err, errlen,
                 "start '%.64s': after '@' give an ISO 8601 time (2024-05-01T12:00:00Z) or ms "
                 "since the epoch",
                 s);
        return -1;
    }
    if (strchr(s, ':'))
        return parse_cursor(s, out, err, errlen);
    int64_t v;
    if (parse_i64(s, &v)) {
        out->from = v < 0 ? UP_TAIL_LAST : UP_TAIL_OFFSET;
        out->value = v < 0 ? -v : v;
        return 0;
    }
    snprintf(err, errlen,
             "start '%.64s': expected end, beginning, an offset, -N (last N), @TIME or "
             "PARTITION:OFFSET,..",
             s);
    return -1;
}

/* ------------------------------------------------------------------------- offsets */

static int cmp_partition(const void *a, const void *b)
{
    const struct up_partition_offsets *x = a, *y = b;
    return (x->partition > y->partition) - (x->partition < y->partition);
}

/* Partition ids of a topic from the metadata. -1 + err when it does not exist. */
static int topic_partitions(rd_kafka_t *rk, const char *topic, int timeout_ms,
                            struct up_partition_offsets **out, size_t *n, char *err, size_t errlen)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
    rd_kafka_topic_destroy(rkt);
    if (e) {
        snprintf(err, errlen, "metadata for '%s': %s (are the brokers up?)", topic,
                 rd_kafka_err2str(e));
        return -1;
    }
    int rc = -1;
    if (md->topic_cnt != 1 || md->topics[0].err || md->topics[0].partition_cnt <= 0) {
        rd_kafka_resp_err_t te =
            md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR_NO_ERROR;
        snprintf(err, errlen, "topic '%s' does not exist%s%s", topic, te ? ": " : "",
                 te ? rd_kafka_err2str(te) : "");
    } else if (md->topics[0].partition_cnt > UP_TAIL_MAX_PARTITIONS) {
        snprintf(err, errlen, "topic '%s' has more than %d partitions", topic,
                 UP_TAIL_MAX_PARTITIONS);
    } else {
        const struct rd_kafka_metadata_topic *mt = &md->topics[0];
        *n = (size_t)mt->partition_cnt;
        *out = up_xcalloc(*n, sizeof **out);
        for (size_t i = 0; i < *n; i++) {
            (*out)[i].partition = mt->partitions[i].id;
            (*out)[i].committed = -1;
        }
        qsort(*out, *n, sizeof **out, cmp_partition);
        rc = 0;
    }
    rd_kafka_metadata_destroy(md);
    return rc;
}

/* ListOffsets for many partitions in one request: a "timestamp" of -2 asks for the oldest
 * offset, -1 for the next one to be written, anything else for the first at or after it. */
static int list_offsets(rd_kafka_t *rk, const char *topic, struct up_partition_offsets *parts,
                        size_t n, int64_t ts, int64_t *out, int timeout_ms, char *err,
                        size_t errlen)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)n);
    for (size_t i = 0; i < n; i++)
        rd_kafka_topic_partition_list_add(l, topic, parts[i].partition)->offset = ts;
    rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(rk, l, timeout_ms);
    int rc = 0;
    if (e) {
        snprintf(err, errlen, "offsets of '%s': %s", topic, rd_kafka_err2str(e));
        rc = -1;
    }
    for (int i = 0; rc == 0 && i < l->cnt; i++) {
        if (l->elems[i].err) {
            snprintf(err, errlen, "offsets of '%s' [%d]: %s", topic, l->elems[i].partition,
                     rd_kafka_err2str(l->elems[i].err));
            rc = -1;
        }
        out[i] = l->elems[i].offset;
    }
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}

static int fill_watermarks(rd_kafka_t *rk, const char *topic, struct up_partition_offsets *parts,
                           size_t n, int timeout_ms, char *err, size_t errlen)
{
    int64_t *v = up_xcalloc(n ? n : 1, sizeof *v);
    int rc =
        list_offsets(rk, topic, parts, n, RD_KAFKA_OFFSET_BEGINNING, v, timeout_ms, err, errlen);
    for (size_t i = 0; rc == 0 && i < n; i++)
        parts[i].low = v[i];
    if (rc == 0)
        rc = list_offsets(rk, topic, parts, n, RD_KAFKA_OFFSET_END, v, timeout_ms, err, errlen);
    for (size_t i = 0; rc == 0 && i < n; i++)
        parts[i].high = v[i];
    free(v);
    return rc;
}

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Turns the requested start into one absolute offset per partition (in parts[i].committed's
 * place: the `next` array). Absolute offsets make the cursor meaningful from the first event. */
static int resolve_start(rd_kafka_t *rk, const char *topic, const struct up_tail_start *st,
                         struct up_partition_offsets *parts, size_t n, int64_t *next,
                         int timeout_ms, char *err, size_t errlen)
{
    if (fill_watermarks(rk, topic, parts, n, timeout_ms, err, errlen) != 0)
        return -1;
    if (st->from == UP_TAIL_TIME &&
        list_offsets(rk, topic, parts, n, st->value, next, timeout_ms, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const struct up_partition_offsets *p = &parts[i];
        switch (st->from) {
        case UP_TAIL_END:
            next[i] = p->high;
            break;
        case UP_TAIL_BEGINNING:
            next[i] = p->low;
            break;
        case UP_TAIL_OFFSET:
            next[i] = clamp64(st->value, p->low, p->high);
            break;
        case UP_TAIL_LAST:
            next[i] = clamp64(p->high - st->value, p->low, p->high);
            break;
        case UP_TAIL_TIME: /* -1: nothing at or after the time yet */
            next[i] = next[i] < 0 ? p->high : clamp64(next[i], p->low, p->high);
            break;
        case UP_TAIL_CURSOR:
            next[i] = p->high;
            for (size_t c = 0; c < st->ncursor; c++)
                if (st->cursor_partition[c] == p->partition)
                    next[i] = clamp64(st->cursor_offset[c], p->low, p->high);
            break;
        }
    }
    return 0;
}

/* Looking is secondary: a dashboard has many handles that all see the same broker outage,
 * which the dashboard reports itself. Their connection errors are debug lines here; only
 * critical ones (syslog 0-2) are warnings. */
static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    enum up_log_level l = level <= 2 ? UP_LOG_WARN : UP_LOG_DEBUG;
    if (up_log_enabled(l))
        up_log(l, "librdkafka %s: %s", fac, buf);
}

/* A consumer-type handle without group.id: both the tail and the inspector are one. */
static rd_kafka_t *new_handle(const char *brokers, const struct up_str_list *props,
                              const char *const *defaults, char *err, size_t errlen)
{
    rd_kafka_conf_t *conf = up_kafka_conf_new(brokers, props, defaults, err, errlen);
    if (!conf)
        return NULL;
    rd_kafka_conf_set_log_cb(conf, on_log);
    char why[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    if (!rk) {
        snprintf(err, errlen, "kafka client: %s", why);
        rd_kafka_conf_destroy(conf);
    }
    return rk;
}

/* ---------------------------------------------------------------------------- the tail */

struct up_tail {
    rd_kafka_t *rk;
    rd_kafka_topic_t *rkt;
    rd_kafka_queue_t *queue; /* every partition's fetches land here */
    char *topic;
    char *filter;
    size_t filter_len;
    size_t n, started;
    int32_t *partition;
    int64_t *next; /* next offset per partition, the cursor */
    struct up_tail_counts counts;
};

static const char *const tail_defaults[] = {
    "client.id",
    "userpipe-tail",
    "enable.partition.eof",
    "false",
    "fetch.wait.max.ms",
    "100",
    /* prefetch at most 8 MiB per partition: a dashboard never needs more in memory */
    "queued.max.messages.kbytes",
    "8192",
    "log_level",
    "4",
    NULL,
};

bool up_tail_contains(const char *hay, size_t hay_len, const char *needle, size_t needle_len)
{
    if (needle_len == 0)
        return true;
    if (!hay || hay_len < needle_len)
        return false;
    int first = tolower((unsigned char)needle[0]);
    for (size_t i = 0; i + needle_len <= hay_len; i++) {
        if (tolower((unsigned char)hay[i]) != first)
            continue;
        size_t k = 1;
        while (k < needle_len &&
               tolower((unsigned char)hay[i + k]) == tolower((unsigned char)needle[k]))
            k++;
        if (k == needle_len)
            return true;
    }
    return false;
}

struct up_tail *up_tail_open(const struct up_tail_config *cfg, char *err, size_t errlen)
{
    int timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS;
    rd_kafka_t *rk = new_handle(cfg->brokers, cfg->props, tail_defaults, err, errlen);
    if (!rk)
        return NULL;
    struct up_partition_offsets *parts = NULL;
    size_t n = 0;
    if (topic_partitions(rk, cfg->topic, timeout_ms, &parts, &n, err, errlen) != 0) {
        rd_kafka_destroy(rk);
        return NULL;
    }
    struct up_tail *t = up_xcalloc(1, sizeof *t);
    t->rk = rk;
    t->topic = up_xstrdup(cfg->topic);
    t->filter = up_xstrdup(cfg->filter ? cfg->filter : "");
    t->filter_len = strlen(t->filter);
    t->n = n;
    t->partition = up_xcalloc(n, sizeof *t->partition);
    t->next = up_xcalloc(n, sizeof *t->next);
    for (size_t i = 0; i < n; i++)
        t->partition[i] = parts[i].partition;
    int rc = resolve_start(rk, cfg->topic, &cfg->start, parts, n, t->next, timeout_ms, err, errlen);
    free(parts);
    /* The simple (legacy) consumer API: fetches per partition with no group at all, so no
     * group.id is needed (rd_kafka_assign wants one) and no coordinator is ever asked. */
    t->rkt = rd_kafka_topic_new(rk, t->topic, NULL);
    t->queue = rd_kafka_queue_new(rk);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (rd_kafka_consume_start_queue(t->rkt, t->partition[i], t->next[i], t->queue) != 0) {
            snprintf(err, errlen, "start fetching '%s' [%d]: %s", cfg->topic, t->partition[i],
                     rd_kafka_err2str(rd_kafka_last_error()));
            rc = -1;
        } else {
            t->started = i + 1;
        }
    }
    if (rc != 0) {
        up_tail_close(t);
        return NULL;
    }
    return t;
}

void up_tail_close(struct up_tail *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->started; i++)
        rd_kafka_consume_stop(t->rkt, t->partition[i]);
    if (t->queue)
        rd_kafka_queue_destroy(t->queue);
    if (t->rkt)
        rd_kafka_topic_destroy(t->rkt);
    rd_kafka_destroy(t->rk);
    free(t->topic);
    free(t->filter);
    free(t->partition);
    free(t->next);
    free(t);
}

static void advance(struct up_tail *t, int32_t partition, int64_t offset)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->partition[i] == partition) {
            if (offset + 1 > t->next[i])
                t->next[i] = offset + 1;
            return;
        }
}

static void fill_msg(const struct up_tail *t, const rd_kafka_message_t *m, struct up_tail_msg *out)
{
    out->topic = t->topic;
    out->partition = m->partition;
    out->offset = m->offset;
    rd_kafka_timestamp_type_t tstype;
    out->timestamp_ms = rd_kafka_message_timestamp(m, &tstype);
    out->key = m->key;
    out->key_len = m->key ? m->key_len : 0;
    out->value = m->payload;
    out->value_len = m->payload ? m->len : 0;
    out->nheaders = 0;
    rd_kafka_headers_t *hdrs = NULL;
    if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR || !hdrs)
        return;
    for (size_t i = 0; i < UP_TAIL_MAX_HEADERS; i++) {
        struct up_tail_header *h = &out->headers[i];
        const void *v;
        if (rd_kafka_header_get_all(hdrs, i, &h->name, &v, &h->value_len))
            break;
        h->value = v;
        out->nheaders++;
    }
}

int up_tail_poll(struct up_tail *t, int timeout_ms, int max_records, up_tail_fn fn, void *ctx,
                 char *err, size_t errlen)
{
    int scanned = 0;
    bool go_on = true;
    struct up_tail_msg msg;
    while (go_on && scanned < max_records) {
        rd_kafka_message_t *m = rd_kafka_consume_queue(t->queue, scanned == 0 ? timeout_ms : 0);
        if (!m)
            break;
        if (m->err) {
            rd_kafka_resp_err_t e = m->err;
            bool fatal = e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                         e == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
                         e == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
                         e == RD_KAFKA_RESP_ERR__FATAL;
            if (fatal)
                snprintf(err, errlen, "tail '%s': %s", t->topic, rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            if (fatal)
                return -1;
            continue; /* partition EOF or a transient error librdkafka retries */
        }
        scanned++;
        t->counts.scanned++;
        t->counts.bytes += m->len + (m->key ? m->key_len : 0);
        advance(t, m->partition, m->offset);
        bool match =
            up_tail_contains(m->key, m->key ? m->key_len : 0, t->filter, t->filter_len) ||
            up_tail_contains(m->payload, m->payload ? m->len : 0, t->filter, t->filter_len);
        if (match) {
            t->counts.matched++;
            fill_msg(t, m, &msg);
            go_on = fn(ctx, &msg);
        }
        rd_kafka_message_destroy(m);
    }
    return scanned;
}

void up_tail_cursor(const struct up_tail *t, struct up_buf *out)
{
    for (size_t i = 0; i < t->n; i++)
        up_buf_printf(out, "%s%d:%lld", i ? "," : "", t->partition[i], (long long)t->next[i]);
}

size_t up_tail_partition_count(const struct up_tail *t)
{
    return t->n;
}

struct up_tail_counts up_tail_counts(const struct up_tail *t)
{
    return t->counts;
}

/* ------------------------------------------------------------------------- inspection */

struct up_inspector {
    rd_kafka_t *rk; /* a consumer-type handle without group.id: admin requests and metadata;
                     * unlike a producer's, its metadata requests never auto-create topics */
};

struct up_inspector *up_inspector_new(const char *brokers, const struct up_str_list *props,
                                      char *err, size_t errlen)
{
    static const char *const defaults[] = {"client.id", "userpipe-inspect", "log_level", "7", NULL};
    rd_kafka_t *rk = new_handle(brokers, props, defaults, err, errlen);
    if (!rk)
        return NULL;
    struct up_inspector *ins = up_xcalloc(1, sizeof *ins);
    ins->rk = rk;
    return ins;
}

void up_inspector_free(struct up_inspector *ins)
{
    if (!ins)
        return;
    rd_kafka_destroy(ins->rk);
    free(ins);
}

void up_topic_info_clear(struct up_topic_info *t)
{
    free(t->name);
    free(t->partitions);
    memset(t, 0, sizeof *t);
}

void up_topic_info_free(struct up_topic_info *topics, size_t n)
{
    for (size_t i = 0; topics && i < n; i++)
        up_topic_info_clear(&topics[i]);
    free(topics);
}

static int cmp_topic(const void *a, const void *b)
{
    return strcmp(((const struct up_topic_info *)a)->name, ((const struct up_topic_info *)b)->name);
}

static void topic_from_metadata(const struct rd_kafka_metadata_topic *mt, struct up_topic_info *t)
{
    memset(t, 0, sizeof *t);
    t->name = up_xstrdup(mt->topic);
    t->npartitions = (size_t)(mt->partition_cnt > 0 ? mt->partition_cnt : 0);
    t->partitions = up_xcalloc(t->npartitions ? t->npartitions : 1, sizeof *t->partitions);
    for (size_t i = 0; i < t->npartitions; i++) {
        t->partitions[i].partition = mt->partitions[i].id;
        t->partitions[i].committed = -1;
    }
    qsort(t->partitions, t->npartitions, sizeof *t->partitions, cmp_partition);
    t->retention_ms = t->retention_bytes = -2;
}

int up_inspector_topics(struct up_inspector *ins, int timeout_ms, struct up_topic_info **out,
                        size_t *n, char *err, size_t errlen)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(ins->rk, 1, NULL, &md, timeout_ms);
    if (e) {
        snprintf(err, errlen, "cluster metadata: %s (are the brokers up?)", rd_kafka_err2str(e));
        return -1;
    }
    struct up_topic_info *topics = up_xcalloc((size_t)md->topic_cnt + 1, sizeof *topics);
    size_t cnt = 0;
    for (int i = 0; i < md->topic_cnt; i++) {
        const struct rd_kafka_metadata_topic *mt = &md->topics[i];
        if (mt->err || mt->topic[0] == '_' || mt->partition_cnt <= 0)
            continue; /* internal (__consumer_offsets) or being deleted */
        topic_from_metadata(mt, &topics[cnt++]);
    }
    rd_kafka_metadata_destroy(md);
    qsort(topics, cnt, sizeof *topics, cmp_topic);
    for (size_t i = 0; i < cnt; i++)
        if (fill_watermarks(ins->rk, topics[i].name, topics[i].partitions, topics[i].npartitions,
                            timeout_ms, err, errlen) != 0) {
            up_topic_info_free(topics, cnt);
            return -1;
        }
    *out = topics;
    *n = cnt;
    return 0;
}

int up_inspector_topic(struct up_inspector *ins, const char *topic, int timeout_ms,
                       struct up_topic_info *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (topic_partitions(ins->rk, topic, timeout_ms, &out->partitions, &out->npartitions, err,
                         errlen) != 0)
        return -1;
    out->name = up_xstrdup(topic);
    out->retention_ms = out->retention_bytes = -2;
    if (fill_watermarks(ins->rk, topic, out->partitions, out->npartitions, timeout_ms, err,
                        errlen) != 0) {
        up_topic_info_clear(out);
        return -1;
    }
    return 0;
}

/* Runs one admin request already sent on q and returns its result event (or NULL + err). */
static rd_kafka_event_t *admin_wait(rd_kafka_queue_t *q, rd_kafka_event_type_t type, int timeout_ms,
                                    const char *what, char *err, size_t errlen)
{
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, timeout_ms + 1000);
    if (!ev) {
        snprintf(err, errlen, "%s: no answer in %d ms", what, timeout_ms);
        return NULL;
    }
    if (rd_kafka_event_type(ev) != type || rd_kafka_event_error(ev)) {
        snprintf(err, errlen, "%s: %s", what, rd_kafka_event_error_string(ev));
        rd_kafka_event_destroy(ev);
        return NULL;
    }
    return ev;
}

static rd_kafka_AdminOptions_t *admin_options(rd_kafka_t *rk, rd_kafka_admin_op_t op,
                                              int timeout_ms)
{
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, op);
    char why[256];
    rd_kafka_AdminOptions_set_request_timeout(o, timeout_ms, why, sizeof why);
    return o;
}

static int64_t config_number(const char *v)
{
    int64_t n;
    return v && parse_i64(v, &n) ? n : -2;
}

int up_inspector_retention(struct up_inspector *ins, struct up_topic_info *topics, size_t n,
                           int timeout_ms, char *err, size_t errlen)
{
    if (n == 0)
        return 0;
    rd_kafka_ConfigResource_t **res = up_xcalloc(n, sizeof *res);
    for (size_t i = 0; i < n; i++)
        res[i] = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topics[i].name);
    rd_kafka_queue_t *q = rd_kafka_queue_new(ins->rk);
    rd_kafka_AdminOptions_t *o =
        admin_options(ins->rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout_ms);
    rd_kafka_DescribeConfigs(ins->rk, res, n, o, q);
    rd_kafka_event_t *ev = admin_wait(q, RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT, timeout_ms,
                                      "DescribeConfigs", err, errlen);
    int rc = ev ? 0 : -1;
    if (ev) {
        size_t cnt;
        const rd_kafka_ConfigResource_t **rs = rd_kafka_DescribeConfigs_result_resources(
            rd_kafka_event_DescribeConfigs_result(ev), &cnt);
        for (size_t r = 0; r < cnt; r++) {
            const char *name = rd_kafka_ConfigResource_name(rs[r]);
            for (size_t i = 0; i < n; i++) {
                if (strcmp(topics[i].name, name) != 0 || rd_kafka_ConfigResource_error(rs[r]))
                    continue;
                size_t ne;
                const rd_kafka_ConfigEntry_t **es = rd_kafka_ConfigResource_configs(rs[r], &ne);
                for (size_t k = 0; k < ne; k++) {
                    const char *key = rd_kafka_ConfigEntry_name(es[k]);
                    const char *val = rd_kafka_ConfigEntry_value(es[k]);
                    if (strcmp(key, "retention.ms") == 0)
                        topics[i].retention_ms = config_number(val);
                    else if (strcmp(key, "retention.bytes") == 0)
                        topics[i].retention_bytes = config_number(val);
                }
            }
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    rd_kafka_ConfigResource_destroy_array(res, n);
    free(res);
    return rc;
}

int up_inspector_committed(struct up_inspector *ins, const char *group, struct up_topic_info *topic,
                           int timeout_ms, char *err, size_t errlen)
{
    for (size_t i = 0; i < topic->npartitions; i++)
        topic->partitions[i].committed = -1;
    rd_kafka_topic_partition_list_t *want =
        rd_kafka_topic_partition_list_new((int)topic->npartitions);
    for (size_t i = 0; i < topic->npartitions; i++)
        rd_kafka_topic_partition_list_add(want, topic->name, topic->partitions[i].partition);
    rd_kafka_ListConsumerGroupOffsets_t *req = rd_kafka_ListConsumerGroupOffsets_new(group, want);
    rd_kafka_topic_partition_list_destroy(want);
    rd_kafka_queue_t *q = rd_kafka_queue_new(ins->rk);
    rd_kafka_AdminOptions_t *o =
        admin_options(ins->rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, timeout_ms);
    rd_kafka_ListConsumerGroupOffsets(ins->rk, &req, 1, o, q);
    rd_kafka_event_t *ev = admin_wait(q, RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT, timeout_ms,
                                      "ListConsumerGroupOffsets", err, errlen);
    int rc = ev ? 0 : -1;
    if (ev) {
        size_t cnt;
        const rd_kafka_group_result_t **gs = rd_kafka_ListConsumerGroupOffsets_result_groups(
            rd_kafka_event_ListConsumerGroupOffsets_result(ev), &cnt);
        const rd_kafka_error_t *ge = cnt == 1 ? rd_kafka_group_result_error(gs[0]) : NULL;
        if (cnt != 1 || ge) {
            snprintf(err, errlen, "offsets of group '%s': %s", group,
                     ge ? rd_kafka_error_string(ge) : "no result");
            rc = -1;
        } else {
            const rd_kafka_topic_partition_list_t *l = rd_kafka_group_result_partitions(gs[0]);
            for (int k = 0; l && k < l->cnt; k++)
                for (size_t i = 0; i < topic->npartitions; i++)
                    if (topic->partitions[i].partition == l->elems[k].partition &&
                        !l->elems[k].err && l->elems[k].offset >= 0)
                        topic->partitions[i].committed = l->elems[k].offset;
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    rd_kafka_ListConsumerGroupOffsets_destroy(req);
    return rc;
}

int up_inspector_group(struct up_inspector *ins, const char *group, struct up_group_info *out,
                       int timeout_ms, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    snprintf(out->state, sizeof out->state, "Unknown");
    rd_kafka_queue_t *q = rd_kafka_queue_new(ins->rk);
    rd_kafka_AdminOptions_t *o =
        admin_options(ins->rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, timeout_ms);
    const char *groups[] = {group};
    rd_kafka_DescribeConsumerGroups(ins->rk, groups, 1, o, q);
    rd_kafka_event_t *ev = admin_wait(q, RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT, timeout_ms,
                                      "DescribeConsumerGroups", err, errlen);
    int rc = ev ? 0 : -1;
    if (ev) {
        size_t cnt;
        const rd_kafka_ConsumerGroupDescription_t **gs =
            rd_kafka_DescribeConsumerGroups_result_groups(
                rd_kafka_event_DescribeConsumerGroups_result(ev), &cnt);
        const rd_kafka_error_t *ge =
            cnt == 1 ? rd_kafka_ConsumerGroupDescription_error(gs[0]) : NULL;
        if (cnt != 1 || ge) {
            snprintf(err, errlen, "group '%s': %s", group,
                     ge ? rd_kafka_error_string(ge) : "no result");
            rc = -1;
        } else {
            snprintf(
                out->state, sizeof out->state, "%s",
                rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(gs[0])));
            out->members = rd_kafka_ConsumerGroupDescription_member_count(gs[0]);
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    return rc;
}
