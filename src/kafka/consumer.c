/* kafka/consumer: group membership, manual offset store, rebalance hooks. */
#include "kafka/consumer.h"

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "kafka/config.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct up_consumer {
    rd_kafka_t *rk;
    rd_kafka_queue_t *queue; /* the consumer queue, for the wakeup fd */
    struct up_consumer_hooks hooks;
    bool manual_commit; /* the user turned enable.auto.commit off: we commit each second */
    int64_t last_commit_ms;
    char fatal[1024]; /* non-empty once librdkafka reported a fatal error, or a refused login */
    /* the fetcher kicker (up_consumer_kick_fetcher): a thread that makes one request */
    pthread_mutex_t kick_lock;
    pthread_cond_t kick_cond;
    pthread_t kicker;
    bool kick_started, kick_pending, kick_stop;
    char kick_topic[256];
    int32_t kick_partition;
    rd_kafka_resp_err_t last_logged_err;
    int64_t last_logged_ms;
    /* the watchdog of assigned partitions that are not fetched (on_stats): since when each
     * one has been seen without a fetcher (in .offset, ms), and those to assign again */
    rd_kafka_topic_partition_list_t *unfetched, *stuck;
};

/* An assigned partition whose fetcher has not started for this long is assigned again. A
 * fetcher starts once the group coordinator answered the committed-offset query, which
 * takes milliseconds; a coordinator that moves or loads can make it take seconds. */
#define STUCK_AFTER_MS 10000

/* Defaults tuned for a bounded, low-latency at-least-once consumer; -X overrides all but
 * enable.auto.offset.store.
 * Prefetch: librdkafka 2.0 stops fetching once its queue holds queued.max.messages.kbytes
 * (or queued.min.messages) and looks again only after up to a second, whatever the
 * application drains meanwhile (see up_consumer_kick_fetcher). 6 MiB with 1 MiB fetches
 * keeps the process under 30 MB RSS; raise it with -X for a faster cluster.
 * Group session and broker failure (docs/cluster.md, "Kafka failover"): a member that was
 * killed holds its partitions until its session expires, so the session should be short
 * (librdkafka's default is 45 s). But it must outlast the move of the group's coordinator:
 * a silent broker is fenced only after broker.session.timeout.ms (Kafka's 9 s, plus an
 * election when it was the controller), and until then a coordinator on it does not answer,
 * while a coordinator elsewhere holds its answers until the __consumer_offsets ISR drops the
 * silent follower. At 10 s each such fault expired both members' sessions and cost a full
 * rejoin (30-49 s without a row on the 3-broker cluster); 15 s measured no expiry.
 * socket.timeout.ms (60 s) and api.version.request.timeout.ms (10 s) bound how long one
 * request to a silent coordinator holds the connection; shorter, the client asks which
 * broker coordinates now while its session still holds.
 * cooperative-sticky: a rebalance moves only the partitions that change owner; the others
 * are read on without a pause. All members of a group must use the same kind of assignor.
 * With -X group.instance.id (static membership) a restart takes over at once. */
/* clang-format off */
static const char *const consumer_defaults[] = { /* key, value pairs */
    "enable.auto.offset.store",       "false",
    "enable.auto.commit",             "true",
    "auto.commit.interval.ms",        "1000",
    "auto.offset.reset",              "earliest",
    "enable.partition.eof",           "false",
    "queued.min.messages",            "50000",
    "queued.max.messages.kbytes",     "6144",
    "fetch.max.bytes",                "1048576",
    "max.partition.fetch.bytes",      "262144",
    "receive.message.max.bytes",      "2097152",
    "fetch.wait.max.ms",              "100",
    "fetch.queue.backoff.ms",         "10", /* librdkafka's 1000: a one-second gap after a full queue */
    "session.timeout.ms",             "15000",
    "heartbeat.interval.ms",          "2000",
    "socket.timeout.ms",              "5000",
    "api.version.request.timeout.ms", "3000",
    "partition.assignment.strategy",  "cooperative-sticky",
    "statistics.interval.ms",         "2000", /* the stuck-partition watchdog (on_stats) */
    NULL,
};
/* clang-format on */

/* Logs a librdkafka error, at most once per 5 s for the same code (a broker that is
 * down makes librdkafka report every reconnect attempt). */
static void log_kafka_error(struct up_consumer *c, rd_kafka_resp_err_t err, const char *what)
{
    int64_t now = up_mono_ms();
    if (err == c->last_logged_err && now - c->last_logged_ms < 5000)
        return;
    c->last_logged_err = err;
    c->last_logged_ms = now;
    UP_WARN("kafka consumer: %s (%s); librdkafka keeps retrying", what, rd_kafka_err2name(err));
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    struct up_consumer *c = opaque;
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char why[400];
        rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, why, sizeof why);
        snprintf(c->fatal, sizeof c->fatal, "fatal Kafka error %s: %s", rd_kafka_err2name(orig),
                 why);
        UP_ERROR("kafka consumer: %s", c->fatal);
        return;
    }
    /* a refused login or a certificate that does not verify: retrying cannot help */
    if (!c->fatal[0] && up_kafka_config_error(rk, err, reason, false, c->fatal, sizeof c->fatal)) {
        UP_ERROR("kafka consumer: %s", c->fatal);
        return;
    }
    log_kafka_error(c, (rd_kafka_resp_err_t)err, reason);
}

static void on_commit(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
    (void)rk;
    (void)opaque;
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
        UP_WARN("kafka consumer: offset commit failed: %s (retried at the next commit)",
                rd_kafka_err2str(err));
        return;
    }
    for (int i = 0; offsets && i < offsets->cnt; i++)
        if (offsets->elems[i].err)
            UP_WARN("kafka consumer: commit of %s [%d] failed: %s", offsets->elems[i].topic,
                    offsets->elems[i].partition, rd_kafka_err2str(offsets->elems[i].err));
}

static bool cooperative(rd_kafka_t *rk)
{
    return strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
}

static void log_assignment_error(rd_kafka_error_t *error, rd_kafka_resp_err_t err, const char *what)
{
    if (error) {
        UP_ERROR("kafka consumer: %s failed: %s", what, rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
    } else if (err) {
        UP_ERROR("kafka consumer: %s failed: %s", what, rd_kafka_err2str(err));
    }
}

static void assign(struct up_consumer *c, rd_kafka_topic_partition_list_t *parts)
{
    if (cooperative(c->rk))
        log_assignment_error(rd_kafka_incremental_assign(c->rk, parts), 0, "assign");
    else
        log_assignment_error(NULL, rd_kafka_assign(c->rk, parts), "assign");
    UP_INFO("kafka consumer: assigned %d partition(s)", parts->cnt);
    if (c->hooks.assigned)
        c->hooks.assigned(c->hooks.ctx, parts);
}

static void revoke(struct up_consumer *c, rd_kafka_topic_partition_list_t *parts)
{
    bool lost = rd_kafka_assignment_lost(c->rk);
    UP_INFO("kafka consumer: %s %d partition(s)", lost ? "lost" : "revoking", parts->cnt);
    if (c->hooks.revoking)
        c->hooks.revoking(c->hooks.ctx, parts, lost);
    if (!lost) {
        char err[256];
        if (up_consumer_commit(c, err, sizeof err) != 0)
            UP_WARN("kafka consumer: commit on revoke: %s", err);
    }
    if (cooperative(c->rk))
        log_assignment_error(rd_kafka_incremental_unassign(c->rk, parts), 0, "unassign");
    else
        log_assignment_error(NULL, rd_kafka_assign(c->rk, NULL), "unassign");
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    struct up_consumer *c = opaque;
    (void)rk;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        assign(c, parts);
    } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
        revoke(c, parts);
    } else {
        UP_WARN("kafka consumer: rebalance error: %s", rd_kafka_err2str(err));
        if (c->hooks.revoking)
            c->hooks.revoking(c->hooks.ctx, parts, true);
        rd_kafka_assign(c->rk, NULL);
    }
}

/* ------------------------------------------------------- the stuck-partition watchdog */

/* librdkafka 2.0 starts a partition's fetcher only once the group coordinator answered the
 * query for its committed offset. When that query fails for the whole request (the
 * coordinator moved: NOT_COORDINATOR; found on the cluster while __consumer_offsets was
 * still being placed), it is neither retried nor reported per partition: the partition
 * stays assigned without a fetcher until the next rebalance, which in a stable group never
 * comes (confluentinc/librdkafka#5586, still open). Its records are then never read, the
 * group's lag grows, and nothing says why. The statistics name each partition's fetch
 * state; a partition of the assignment whose fetcher has not started ("none", "stopping",
 * "stopped") for STUCK_AFTER_MS is assigned again, through the same revoke and assign
 * steps as a rebalance, which queries its committed offset anew. */

/* The fetch state of topic [partition] in librdkafka's statistics, or NULL. */
static const char *fetch_state(json_t *stats, const char *topic, int32_t partition)
{
    char key[16];
    snprintf(key, sizeof key, "%d", (int)partition);
    json_t *p = json_object_get(
        json_object_get(json_object_get(json_object_get(stats, "topics"), topic), "partitions"),
        key);
    return json_string_value(json_object_get(p, "fetch_state"));
}

static bool fetcher_started(const char *state)
{
    return !state || (strcmp(state, "none") != 0 && strcmp(state, "stopping") != 0 &&
                      strcmp(state, "stopped") != 0);
}

static int on_stats(rd_kafka_t *rk, char *json, size_t len, void *opaque)
{
    struct up_consumer *c = opaque;
    json_t *stats = json_loadb(json, len, 0, NULL);
    rd_kafka_topic_partition_list_t *assigned = NULL;
    if (!stats || rd_kafka_assignment(rk, &assigned) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        json_decref(stats);
        return 0;
    }
    int64_t now = up_mono_ms();
    rd_kafka_topic_partition_list_t *unfetched = rd_kafka_topic_partition_list_new(0);
    for (int i = 0; i < assigned->cnt; i++) {
        const rd_kafka_topic_partition_t *a = &assigned->elems[i];
        if (fetcher_started(fetch_state(stats, a->topic, a->partition)))
            continue;
        rd_kafka_topic_partition_t *before =
            c->unfetched ? rd_kafka_topic_partition_list_find(c->unfetched, a->topic, a->partition)
                         : NULL;
        int64_t since = before ? before->offset : now;
        rd_kafka_topic_partition_list_add(unfetched, a->topic, a->partition)->offset = since;
        if (now - since >= STUCK_AFTER_MS) {
            if (!c->stuck)
                c->stuck = rd_kafka_topic_partition_list_new(1);
            if (!rd_kafka_topic_partition_list_find(c->stuck, a->topic, a->partition))
                rd_kafka_topic_partition_list_add(c->stuck, a->topic, a->partition);
        }
    }
    if (c->unfetched)
        rd_kafka_topic_partition_list_destroy(c->unfetched);
    c->unfetched = unfetched;
    rd_kafka_topic_partition_list_destroy(assigned);
    json_decref(stats);
    return 0; /* librdkafka frees json */
}

/* Assigns the stuck partitions again: with the cooperative protocol those alone; with the
 * eager one the whole assignment (it cannot change in part). Called from up_consumer_poll,
 * where rebalances are served too, so the hooks run on the caller's thread as always. */
static void reassign_stuck(struct up_consumer *c)
{
    rd_kafka_topic_partition_list_t *stuck = c->stuck, *parts = NULL;
    c->stuck = NULL;
    if (c->unfetched) {
        rd_kafka_topic_partition_list_destroy(c->unfetched);
        c->unfetched = NULL;
    }
    UP_WARN("kafka consumer: %d assigned partition(s) (%s [%d]%s) not fetched for %d s: the "
            "query for their committed offsets was lost; assigning them again",
            stuck->cnt, stuck->elems[0].topic, stuck->elems[0].partition,
            stuck->cnt > 1 ? ", ..." : "", STUCK_AFTER_MS / 1000);
    if (cooperative(c->rk))
        parts = rd_kafka_topic_partition_list_copy(stuck);
    else if (rd_kafka_assignment(c->rk, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR)
        parts = NULL;
    rd_kafka_topic_partition_list_destroy(stuck);
    if (!parts)
        return;
    for (int i = 0; i < parts->cnt; i++)
        parts->elems[i].offset = RD_KAFKA_OFFSET_INVALID; /* from the committed offset */
    if (parts->cnt > 0) {
        revoke(c, parts);
        assign(c, parts);
    }
    rd_kafka_topic_partition_list_destroy(parts);
}

static bool conf_is(rd_kafka_conf_t *conf, const char *key, const char *value)
{
    char buf[64];
    size_t size = sizeof buf;
    return rd_kafka_conf_get(conf, key, buf, &size) == RD_KAFKA_CONF_OK && strcmp(buf, value) == 0;
}

/* The classic group protocol's settings, which librdkafka refuses once -X group.protocol=consumer
 * (KIP-848) is given: that protocol takes the session, the heartbeat and the assignor from the
 * broker (group.consumer.* in stack/kafka/server.properties). */
static const char *const classic_protocol_only[] = {
    "session.timeout.ms",
    "heartbeat.interval.ms",
    "partition.assignment.strategy",
    NULL,
};

static bool is_classic_protocol_only(const char *key)
{
    for (size_t i = 0; classic_protocol_only[i]; i++)
        if (strcmp(key, classic_protocol_only[i]) == 0)
            return true;
    return false;
}

/* Whether props (applied in order, so the last one counts) choose group.protocol=consumer. */
static bool uses_consumer_protocol(const struct up_str_list *props)
{
    static const char key[] = "group.protocol=";
    bool consumer = false;
    for (size_t i = 0; props && i < props->len; i++)
        if (strncmp(props->items[i], key, sizeof key - 1) == 0)
            consumer = strcasecmp(props->items[i] + sizeof key - 1, "consumer") == 0;
    return consumer;
}

/* consumer_defaults, without the classic protocol's settings when props choose the consumer
 * protocol. out holds as many entries as consumer_defaults. */
static void choose_defaults(const struct up_str_list *props, const char **out)
{
    bool drop_classic = uses_consumer_protocol(props);
    size_t n = 0;
    for (size_t i = 0; consumer_defaults[i]; i += 2) {
        if (drop_classic && is_classic_protocol_only(consumer_defaults[i]))
            continue;
        out[n++] = consumer_defaults[i];
        out[n++] = consumer_defaults[i + 1];
    }
    out[n] = NULL;
}

static rd_kafka_conf_t *build_conf(const struct up_consumer_config *cfg, struct up_consumer *c,
                                   char *err, size_t errlen)
{
    const char *defaults[sizeof consumer_defaults / sizeof consumer_defaults[0]];
    choose_defaults(cfg->props, defaults);
    rd_kafka_conf_t *conf = up_kafka_conf_new(cfg->brokers, cfg->props, defaults, err, errlen);
    if (!conf)
        return NULL;
    if (conf_is(conf, "enable.auto.offset.store", "true")) {
        snprintf(err, errlen,
                 "Kafka property 'enable.auto.offset.store' must stay false: "
                 "offsets are stored only once their records are durable");
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    if (up_kafka_conf_set(conf, "group.id", cfg->group, err, errlen) != 0) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    c->manual_commit = conf_is(conf, "enable.auto.commit", "false");
    rd_kafka_conf_set_opaque(conf, c);
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    rd_kafka_conf_set_offset_commit_cb(conf, on_commit);
    rd_kafka_conf_set_stats_cb(conf, on_stats);
    return conf;
}

static int subscribe(struct up_consumer *c, const struct up_consumer_config *cfg, char *err,
                     size_t errlen)
{
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new((int)cfg->ntopics);
    for (size_t i = 0; i < cfg->ntopics; i++)
        rd_kafka_topic_partition_list_add(topics, cfg->topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(c->rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (e) {
        snprintf(err, errlen, "subscribing: %s", rd_kafka_err2str(e));
        return -1;
    }
    return 0;
}

static void free_consumer(struct up_consumer *c)
{
    if (c->unfetched)
        rd_kafka_topic_partition_list_destroy(c->unfetched);
    if (c->stuck)
        rd_kafka_topic_partition_list_destroy(c->stuck);
    pthread_mutex_destroy(&c->kick_lock);
    pthread_cond_destroy(&c->kick_cond);
    free(c);
}

/* The kicker thread: waits for a request, runs the (blocking) watermark query, repeats. */
static void *kicker_main(void *arg)
{
    struct up_consumer *c = arg;
    pthread_mutex_lock(&c->kick_lock);
    for (;;) {
        while (!c->kick_pending && !c->kick_stop)
            pthread_cond_wait(&c->kick_cond, &c->kick_lock);
        if (c->kick_stop)
            break;
        char topic[256];
        snprintf(topic, sizeof topic, "%s", c->kick_topic);
        int32_t partition = c->kick_partition;
        pthread_mutex_unlock(&c->kick_lock);
        int64_t lo, hi;
        rd_kafka_query_watermark_offsets(c->rk, topic, partition, &lo, &hi, 1000);
        pthread_mutex_lock(&c->kick_lock);
        c->kick_pending = false;
    }
    pthread_mutex_unlock(&c->kick_lock);
    return NULL;
}

void up_consumer_kick_fetcher(struct up_consumer *c, const char *topic, int32_t partition)
{
    pthread_mutex_lock(&c->kick_lock);
    if (!c->kick_started) {
        c->kick_started = pthread_create(&c->kicker, NULL, kicker_main, c) == 0;
        if (!c->kick_started) {
            pthread_mutex_unlock(&c->kick_lock);
            return;
        }
    }
    if (!c->kick_pending) {
        snprintf(c->kick_topic, sizeof c->kick_topic, "%s", topic);
        c->kick_partition = partition;
        c->kick_pending = true;
        pthread_cond_signal(&c->kick_cond);
    }
    pthread_mutex_unlock(&c->kick_lock);
}

static void stop_kicker(struct up_consumer *c)
{
    pthread_mutex_lock(&c->kick_lock);
    c->kick_stop = true;
    pthread_cond_signal(&c->kick_cond);
    bool started = c->kick_started;
    pthread_mutex_unlock(&c->kick_lock);
    if (started)
        pthread_join(c->kicker, NULL);
}

struct up_consumer *up_consumer_new(const struct up_consumer_config *cfg, char *err, size_t errlen)
{
    struct up_consumer *c = up_xcalloc(1, sizeof *c);
    c->hooks = cfg->hooks;
    pthread_mutex_init(&c->kick_lock, NULL);
    pthread_cond_init(&c->kick_cond, NULL);
    rd_kafka_conf_t *conf = build_conf(cfg, c, err, errlen);
    if (!conf) {
        free_consumer(c);
        return NULL;
    }
    char why[512];
    c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    if (!c->rk) {
        snprintf(err, errlen, "creating the Kafka consumer: %s", why);
        rd_kafka_conf_destroy(conf);
        free_consumer(c);
        return NULL;
    }
    rd_kafka_poll_set_consumer(c->rk); /* errors and rebalances come through one queue */
    c->queue = rd_kafka_queue_get_consumer(c->rk);
    c->last_commit_ms = up_mono_ms();
    if (subscribe(c, cfg, err, errlen) != 0) {
        up_consumer_close(c);
        return NULL;
    }
    return c;
}

void up_consumer_close(struct up_consumer *c)
{
    if (!c)
        return;
    stop_kicker(c);
    rd_kafka_consumer_close(c->rk); /* runs the revoke hook, commits */
    if (c->queue)
        rd_kafka_queue_destroy(c->queue);
    rd_kafka_destroy(c->rk);
    free_consumer(c);
}

static void commit_if_manual(struct up_consumer *c)
{
    if (!c->manual_commit)
        return;
    int64_t now = up_mono_ms();
    if (now - c->last_commit_ms < 1000)
        return;
    c->last_commit_ms = now;
    rd_kafka_commit(c->rk, NULL, 1);
}

rd_kafka_message_t *up_consumer_poll(struct up_consumer *c, int timeout_ms)
{
    commit_if_manual(c);
    rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, timeout_ms);
    if (c->stuck)
        reassign_stuck(c); /* found by on_stats, served by the poll above */
    if (!m || !m->err)
        return m;
    if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        char what[512];
        snprintf(what, sizeof what, "%s%s%s", m->rkt ? rd_kafka_topic_name(m->rkt) : "",
                 m->rkt ? ": " : "", rd_kafka_message_errstr(m));
        log_kafka_error(c, m->err, what);
    }
    rd_kafka_message_destroy(m);
    return NULL;
}

bool up_consumer_failed(const struct up_consumer *c, char *err, size_t errlen)
{
    if (!c->fatal[0])
        return false;
    snprintf(err, errlen, "%s", c->fatal);
    return true;
}

int up_consumer_store(struct up_consumer *c, const char *topic, int32_t partition,
                      int64_t next_offset, char *err, size_t errlen)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, partition)->offset = next_offset;
    rd_kafka_resp_err_t e = rd_kafka_offsets_store(c->rk, l);
    if (!e)
        e = l->elems[0].err;
    rd_kafka_topic_partition_list_destroy(l);
    if (e) {
        snprintf(err, errlen, "storing offset %lld of %s [%d]: %s", (long long)next_offset, topic,
                 partition, rd_kafka_err2str(e));
        return -1;
    }
    return 0;
}

int up_consumer_commit(struct up_consumer *c, char *err, size_t errlen)
{
    rd_kafka_resp_err_t e = rd_kafka_commit(c->rk, NULL, 0);
    if (e && e != RD_KAFKA_RESP_ERR__NO_OFFSET) {
        snprintf(err, errlen, "committing offsets: %s", rd_kafka_err2str(e));
        return -1;
    }
    return 0;
}

/* Applies pause or resume to parts, or to the current assignment. */
static int pause_resume(struct up_consumer *c, const rd_kafka_topic_partition_list_t *parts,
                        bool pause)
{
    rd_kafka_topic_partition_list_t *l = NULL;
    if (parts) {
        l = rd_kafka_topic_partition_list_copy(parts);
    } else if (rd_kafka_assignment(c->rk, &l) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return -1;
    }
    rd_kafka_resp_err_t e =
        pause ? rd_kafka_pause_partitions(c->rk, l) : rd_kafka_resume_partitions(c->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    return e ? -1 : 0;
}

int up_consumer_pause(struct up_consumer *c, const rd_kafka_topic_partition_list_t *parts)
{
    return pause_resume(c, parts, true);
}

int up_consumer_resume(struct up_consumer *c, const rd_kafka_topic_partition_list_t *parts)
{
    return pause_resume(c, parts, false);
}

int64_t up_consumer_high_watermark(struct up_consumer *c, const char *topic, int32_t partition)
{
    int64_t lo, hi;
    if (rd_kafka_get_watermark_offsets(c->rk, topic, partition, &lo, &hi) != 0 || hi < 0)
        return -1;
    return hi;
}

int64_t up_consumer_committed(struct up_consumer *c, const char *topic, int32_t partition,
                              int timeout_ms)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, partition);
    int64_t off = -1;
    if (rd_kafka_committed(c->rk, l, timeout_ms) == 0 && !l->elems[0].err &&
        l->elems[0].offset >= 0)
        off = l->elems[0].offset;
    rd_kafka_topic_partition_list_destroy(l);
    return off;
}

void up_consumer_wakeup_fd(struct up_consumer *c, int fd)
{
    static const uint64_t one = 1; /* 8 bytes: what an eventfd accepts; fine for a pipe */
    rd_kafka_queue_io_event_enable(c->queue, fd, &one, sizeof one);
}

rd_kafka_t *up_consumer_handle(struct up_consumer *c)
{
    return c->rk;
}
