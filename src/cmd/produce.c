/* produce: `userpipe produce` — RandomUser API -> flat records -> Kafka users_queue.
 * Parses flags, wires the pipeline (source/pipeline.h) to progress output, metrics and
 * the one-line JSON summary on stdout that the Airflow task keeps as its result. */
#include "cmd/commands.h"
#include "cmd/kafka_cli.h"
#include "core/buf.h"
#include "core/flags.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/signals.h"
#include "source/pipeline.h"
#include "web/metrics_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct produce_opts {
    struct up_common_opts common;
    char *source;
    char *topic;
    char *dlq;
    long long count;
    int64_t duration_ms;
    long long batch;
    double rate;
    char *seed;
    char *nat;
    long long partitions;
    long long replication;
    long long max_retries;
    int64_t max_rate_limit_wait_ms;
    int64_t timeout_ms;
    int64_t kafka_timeout_ms;
    int64_t flush_timeout_ms;
    long long fetchers;
};

#define OPT(field) offsetof(struct produce_opts, field)

static const struct up_flag produce_flags[] = {
    {.name = "source",
     .type = UP_FLAG_STRING,
     .value_name = "URL",
     .def = "https://randomuser.me/api/",
     .help = "RandomUser API to fetch from (`userpipe api` serves one offline)",
     .offset = OPT(source)},
    {.name = "topic",
     .short_name = 't',
     .type = UP_FLAG_STRING,
     .value_name = "TOPIC",
     .def = "users_queue",
     .help = "Kafka topic for the records",
     .offset = OPT(topic),
     .check = kafka_cli_topic_check},
    {.name = "dlq",
     .type = UP_FLAG_STRING,
     .value_name = "TOPIC",
     .def = "users_queue.dlq",
     .help = "topic for results that cannot be transformed (reason in headers)",
     .offset = OPT(dlq),
     .check = kafka_cli_topic_check},
    {.name = "count",
     .short_name = 'n',
     .type = UP_FLAG_INT,
     .value_name = "N",
     .def = "0",
     .help = "stop after N users (0 = no limit)",
     .offset = OPT(count),
     .max = 1e15},
    {.name = "duration",
     .short_name = 'd',
     .type = UP_FLAG_DURATION,
     .value_name = "TIME",
     .def = "0",
     .help = "stop after this long, e.g. 60s (0 = no limit)",
     .offset = OPT(duration_ms)},
    {.name = "batch",
     .type = UP_FLAG_INT,
     .value_name = "N",
     .def = "500",
     .help = "users per API request (1-5000)",
     .offset = OPT(batch),
     .min = 1,
     .max = 5000},
    {.name = "rate",
     .type = UP_FLAG_DOUBLE,
     .value_name = "N",
     .def = "0",
     .help = "at most N users per second (0 = as fast as possible)",
     .offset = OPT(rate),
     .max = 1e9},
    {.name = "seed",
     .type = UP_FLAG_STRING,
     .value_name = "SEED",
     .help = "API seed; pages advance from it, so the same seed gives the same users and ids "
             "(default: a random one, printed in the summary)",
     .offset = OPT(seed)},
    {.name = "nat",
     .type = UP_FLAG_STRING,
     .value_name = "LIST",
     .help = "nationalities, e.g. US,GB (default: all)",
     .offset = OPT(nat)},
    {.name = "partitions",
     .type = UP_FLAG_INT,
     .value_name = "N",
     .def = "6",
     .help = "partitions of the topics when they are created",
     .offset = OPT(partitions),
     .min = 1,
     .max = 100000},
    {.name = "replication-factor",
     .type = UP_FLAG_INT,
     .value_name = "N",
     .def = "1",
     .help = "replication factor of the topics when they are created",
     .offset = OPT(replication),
     .min = 1,
     .max = 100},
    {.name = "max-retries",
     .type = UP_FLAG_INT,
     .value_name = "N",
     .def = "5",
     .help = "retries of one API request on 5xx, timeouts and bodies that are not JSON (429 waits "
             "as long as the API asks, up to --max-rate-limit-wait)",
     .offset = OPT(max_retries),
     .max = 1000},
    {.name = "max-rate-limit-wait",
     .type = UP_FLAG_DURATION,
     .value_name = "TIME",
     .def = "15m",
     .help = "give up when one API request has waited out 429s this long in total (0 = no limit)",
     .offset = OPT(max_rate_limit_wait_ms)},
    {.name = "timeout",
     .type = UP_FLAG_DURATION,
     .value_name = "TIME",
     .def = "30s",
     .help = "limit for one API request",
     .offset = OPT(timeout_ms)},
    {.name = "kafka-timeout",
     .type = UP_FLAG_DURATION,
     .value_name = "TIME",
     .def = "30s",
     .help = "how long the start waits for Kafka (metadata, topic creation) before giving up",
     .offset = OPT(kafka_timeout_ms)},
    {.name = "flush-timeout",
     .type = UP_FLAG_DURATION,
     .value_name = "TIME",
     .def = "30s",
     .help = "at the end, how long to wait for Kafka to acknowledge what is queued",
     .offset = OPT(flush_timeout_ms)},
    {.name = "fetchers",
     .type = UP_FLAG_INT,
     .value_name = "N",
     .def = "2",
     .help = "API requests in flight at once",
     .offset = OPT(fetchers),
     .min = 1,
     .max = 32},
    UP_FLAGS_KAFKA(struct produce_opts),
    UP_FLAGS_METRICS(struct produce_opts),
    UP_FLAGS_LOG(struct produce_opts),
};

static const struct up_command_spec produce_spec = {
    "produce",
    NULL,
    "fetch users from the RandomUser API and produce them to Kafka",
    "Fetches --batch users per request from --source (keep-alive, the next pages fetched\n"
    "while the previous ones are produced), turns each into the flat record of the topic\n"
    "(key = id = login.uuid) and produces it with an idempotent producer (acks=all, lz4).\n"
    "Results that cannot be transformed go to --dlq with the reason in headers.\n"
    "Runs until --count users, --duration, or SIGINT/SIGTERM; then flushes and prints one\n"
    "JSON summary line on stdout. Exit status 1 if the API failed for good or any\n"
    "message could not be delivered.\n\n"
    "Examples:\n"
    "  userpipe produce --source http://127.0.0.1:8000/api/ --count 20000 --seed demo\n"
    "  userpipe produce --duration 60s --rate 500 -X linger.ms=10\n",
    produce_flags,
    UP_NFLAGS(produce_flags),
    0,
    0,
};

/* Progress: a live line on a terminal, a log line now and then otherwise. */
struct progress {
    bool tty;
    uint64_t last_users;
    double last_elapsed;
};

static void on_tick(void *ctx, const struct up_produce_stats *s)
{
    struct progress *pr = ctx;
    uint64_t users = s->produced + s->dead_lettered;
    double dt = s->elapsed_s - pr->last_elapsed;
    double rate = dt > 0 ? (double)(users - pr->last_users) / dt : 0;
    pr->last_users = users;
    pr->last_elapsed = s->elapsed_s;
    if (pr->tty) {
        fprintf(stderr,
                "\r\033[Kfetched %llu  produced %llu  delivered %llu  failed %llu  dlq %llu  "
                "%.0f users/s",
                (unsigned long long)s->fetched, (unsigned long long)s->produced,
                (unsigned long long)s->delivered, (unsigned long long)s->failed,
                (unsigned long long)s->dead_lettered, rate);
        fflush(stderr);
    } else {
        UP_INFO("fetched %llu, produced %llu, delivered %llu, failed %llu, dead-lettered %llu, "
                "%.0f users/s",
                (unsigned long long)s->fetched, (unsigned long long)s->produced,
                (unsigned long long)s->delivered, (unsigned long long)s->failed,
                (unsigned long long)s->dead_lettered, rate);
    }
}

static void json_field(struct up_buf *b, const char *name, const char *value)
{
    up_buf_printf(b, ",\"%s\":", name);
    up_buf_json_cstring(b, value);
}

static const char *end_name(enum up_pipeline_end end, uint64_t failed)
{
    if (end == UP_PIPELINE_FAILED || failed > 0)
        return "failed";
    return end == UP_PIPELINE_INTERRUPTED ? "interrupted" : "completed";
}

static void print_summary(const struct produce_opts *o, const char *seed,
                          const struct up_produce_stats *s, enum up_pipeline_end end,
                          const char *err)
{
    struct up_buf b = UP_BUF_INIT;
    up_buf_printf(&b, "{\"status\":\"%s\"", end_name(end, s->failed));
    json_field(&b, "topic", o->topic);
    json_field(&b, "dlq", o->dlq);
    json_field(&b, "seed", seed);
    double users = (double)(s->produced + s->dead_lettered);
    up_buf_printf(&b,
                  ",\"fetched\":%llu,\"produced\":%llu,\"delivered\":%llu,\"dead_lettered\":%llu,"
                  "\"dlq_delivered\":%llu,\"failed\":%llu,\"unconfirmed\":%llu,\"pages\":%llu,"
                  "\"http_retries\":%llu,"
                  "\"seconds\":%.3f,\"users_per_second\":%.0f",
                  (unsigned long long)s->fetched, (unsigned long long)s->produced,
                  (unsigned long long)s->delivered, (unsigned long long)s->dead_lettered,
                  (unsigned long long)s->dlq_delivered, (unsigned long long)s->failed,
                  (unsigned long long)s->unconfirmed, (unsigned long long)s->pages,
                  (unsigned long long)s->http_retries, s->elapsed_s,
                  s->elapsed_s > 0 ? users / s->elapsed_s : 0);
    if (err && *err)
        json_field(&b, "error", err);
    up_buf_puts(&b, "}\n");
    fputs(b.data, stdout);
    fflush(stdout);
    up_buf_free(&b);
}

static void fill_config(const struct produce_opts *o, const char *seed,
                        struct up_pipeline_config *c)
{
    memset(c, 0, sizeof *c);
    c->fetch.client.url = o->source;
    c->fetch.client.nat = o->nat;
    c->fetch.client.timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 30000;
    c->fetch.client.max_retries = (int)o->max_retries;
    c->fetch.client.rate_limited_max_ms = o->max_rate_limit_wait_ms;
    c->fetch.seed = seed;
    c->fetch.batch = (int)o->batch;
    c->fetch.count = o->count;
    c->fetch.workers = (int)o->fetchers;
    c->brokers = o->common.brokers;
    c->kafka_props = &o->common.kafka_props;
    c->topic = o->topic;
    c->dlq = o->dlq;
    c->partitions = (int)o->partitions;
    c->replication_factor = (int)o->replication;
    c->kafka_timeout_ms = o->kafka_timeout_ms > 0 ? o->kafka_timeout_ms : 30000;
    c->duration_ms = o->duration_ms;
    c->rate = o->rate;
    c->flush_timeout_ms = o->flush_timeout_ms;
}

static int run(const struct produce_opts *o)
{
    char seed[512];
    if (o->seed && *o->seed)
        snprintf(seed, sizeof seed, "%s", o->seed);
    else
        up_pipeline_random_seed(seed);

    struct up_registry *reg = up_registry_default();
    up_registry_add_process_metrics(reg);
    struct progress pr = {.tty = isatty(STDERR_FILENO) == 1};
    struct up_pipeline_config cfg;
    fill_config(o, seed, &cfg);
    cfg.metrics = reg;
    cfg.on_tick = on_tick;
    cfg.ctx = &pr;
    cfg.tick_ms = pr.tty ? 250 : 5000;

    char err[2048];
    struct up_pipeline *p = up_pipeline_new(&cfg, err, sizeof err);
    if (!p) {
        fprintf(stderr, "userpipe produce: %s\n", err);
        return 2;
    }
    struct up_metrics_server *ms = NULL;
    if (o->common.metrics) {
        ms = up_metrics_server_start(o->common.metrics, reg, err, sizeof err);
        if (!ms) {
            fprintf(stderr, "userpipe produce: --metrics %s: %s\n", o->common.metrics, err);
            up_pipeline_free(p);
            return 1;
        }
    }
    up_signals_install();
    UP_INFO("producing to %s on %s from %s (seed %s, batch %lld%s)", o->topic, o->common.brokers,
            o->source, seed, o->batch, o->count ? "" : ", no count limit");
    enum up_pipeline_end end = up_pipeline_run(p, err, sizeof err);
    struct up_produce_stats s;
    up_pipeline_stats(p, &s);
    if (pr.tty)
        fputc('\n', stderr);
    if (err[0])
        UP_ERROR("%s", err);
    else if (end == UP_PIPELINE_INTERRUPTED)
        UP_INFO("stopped by a signal after %llu users; everything produced was flushed",
                (unsigned long long)(s.produced + s.dead_lettered));
    print_summary(o, seed, &s, end, err);
    up_metrics_server_stop(ms);
    up_pipeline_free(p);
    return end == UP_PIPELINE_FAILED || s.failed > 0 ? 1 : 0;
}

int cmd_produce(int argc, char **argv)
{
    struct produce_opts o;
    memset(&o, 0, sizeof o);
    char **args = NULL;
    int nargs = 0;
    enum up_flags_result fr = up_flags_parse(&produce_spec, &o, argc, argv, &args, &nargs);
    free(args);
    int rc;
    if (fr != UP_FLAGS_OK)
        rc = fr == UP_FLAGS_HELP ? 0 : 2;
    else if (!up_common_apply(&o.common, "produce") || !kafka_cli_apply(&o.common, "produce"))
        rc = 2;
    else
        rc = run(&o);
    up_flags_free(&produce_spec, &o);
    return rc;
}
