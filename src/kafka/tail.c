/* kafka/tail: a group-less consumer of one topic, and where it starts. */
#include "kafka/tail.h"

#include "core/clock.h"

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
    if (up_partitions_watermarks(rk, topic, parts, n, timeout_ms, err, errlen) != 0)
        return -1;
    if (st->from == UP_TAIL_TIME && up_partitions_offsets_for(rk, topic, parts, n, st->value, next,
                                                              timeout_ms, err, errlen) != 0)
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
    rd_kafka_t *rk = up_partitions_handle_new(cfg->brokers, cfg->props, tail_defaults, err, errlen);
    if (!rk)
        return NULL;
    struct up_partition_offsets *parts = NULL;
    size_t n = 0;
    if (up_partitions_of_topic(rk, cfg->topic, timeout_ms, &parts, &n, err, errlen) != 0) {
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
    if (rc == 0 && !t->rkt) { /* the name passed up_partitions_of_topic: not expected */
        snprintf(err, errlen, "topic '%.40s': %s", cfg->topic,
                 rd_kafka_err2str(rd_kafka_last_error()));
        rc = -1;
    }
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
