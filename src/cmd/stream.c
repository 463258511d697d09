/* stream: `userpipe stream` — Kafka users_queue -> Cassandra profiles.users.
 * Parses flags, opens the Cassandra sink (waiting for the node if it is not up yet),
 * runs the loop (stream/loop.h) and prints one JSON summary line on stdout. */
#include "cmd/commands.h"
#include "core/backoff.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/flags.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/signals.h"
#include "cmd/cql_cli.h"
#include "cmd/kafka_cli.h"
#include "cql/cql.h"
#include "kafka/config.h"
#include "mapping/mapping.h"
#include "stream/loop.h"
#include "stream/schema.h"
#include "stream/sink_map.h"
#include "stream/users_mapping.h"
#include "web/metrics_server.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct stream_opts {
    struct up_common_opts common;
    struct cql_cli_opts cql;
    char *topic;
    char *group;
    char *keyspace;
    char *table;
    char *dlq;
    long long dlq_partitions;
    long long in_flight;
    char *consistency;
    char *replication;
    bool create_schema;
    int64_t exit_when_idle_ms;
    int64_t max_record_bytes;
    int64_t drain_timeout_ms;
    int64_t progress_ms;
    char *mapping;
};

#define OPT(field) offsetof(struct stream_opts, field)

static const struct up_flag stream_flags[] = {
    {.name = "topic",
     .short_name = 't',
     .type = UP_FLAG_STRING,
     .value_name = "TOPIC",
     .def = "users_queue",
     .help = "Kafka topic to consume",
     .offset = OPT(topic),
     .check = kafka_cli_topic_check},
    {.name = "group",
     .short_name = 'g',
     .type = UP_FLAG_STRING,
     .value_name = "GROUP",
     .def = "userpipe-stream",
     .help = "consumer group; more processes in the same group share the partitions",
     .offset = OPT(group)},
    {.name = "keyspace",
     .short_name = 'k',
     .type = UP_FLAG_STRING,
     .value_name = "NAME",
     .def = "profiles",
     .help = "Cassandra keyspace",
     .offset = OPT(keyspace)},
    {.name = "table",
     .type = UP_FLAG_STRING,
     .value_name = "NAME",
     .def = "users",
     .help = "Cassandra table",
     .offset = OPT(table)},
    {.name = "dlq",
     .type = UP_FLAG_STRING,
     .value_name = "TOPIC",
     .def = "users_queue.dlq",
     .help = "topic for records that fail validation (reason and source in headers)",
     .offset = OPT(dlq),
     .check = kafka_cli_topic_check},
    {.name = "dlq-partitions",
     .type = UP_FLAG_INT,
     .value_name = "N",
     .def = "1",
     .help = "partitions of the DLQ topic when it is created",
     .offset = OPT(dlq_partitions),
     .min = 1,
     .max = 100000},
    {.name = "in-flight",
     .short_name = 'n',
     .type = UP_FLAG_INT,
     .value_name = "N",
     .def = "512",
     .help = "records being written at most; when full, consumption pauses",
     .offset = OPT(in_flight),
     .min = 1,
     .max = 32768},
    {.name = "consistency",
     .type = UP_FLAG_STRING,
     .value_name = "LEVEL",
     .def = "local_quorum",
     .help = "write consistency level",
     .offset = OPT(consistency),
     .choices = CQL_CONSISTENCY_CHOICES},
    {.name = "replication",
     .type = UP_FLAG_STRING,
     .value_name = "SPEC",
     .def = "SimpleStrategy:1",
     .help = "keyspace replication when it is created: SimpleStrategy:RF or "
             "NetworkTopologyStrategy:DC=RF[,DC=RF..]",
     .offset = OPT(replication)},
    {.name = "create-schema",
     .type = UP_FLAG_BOOL,
     .def = "true",
     .help = "create the keyspace and table if absent (--no-create-schema to skip)",
     .offset = OPT(create_schema)},
    {.name = "exit-when-idle",
     .type = UP_FLAG_DURATION,
     .value_name = "TIME",
     .def = "0",
     .help = "exit once nothing arrived for this long and everything is stored (batch runs; 0 = "
             "never)",
     .offset = OPT(exit_when_idle_ms)},
    {.name = "max-record-bytes",
     .type = UP_FLAG_SIZE,
     .value_name = "SIZE",
     .def = "1MiB",
     .help = "larger record values go to the DLQ as oversize",
     .offset = OPT(max_record_bytes),
     .min = 64,
     .max = 1 << 30},
    {.name = "drain-timeout",
     .type = UP_FLAG_DURATION,
     .value_name = "TIME",
     .def = "30s",
     .help = "on stop and on partition revoke: how long to wait for writes in flight",
     .offset = OPT(drain_timeout_ms)},
    {.name = "progress-interval",
     .type = UP_FLAG_DURATION,
     .value_name = "TIME",
     .def = "5s",
     .help = "period of the progress log line (0 = none)",
     .offset = OPT(progress_ms)},
    {.name = "mapping",
     .type = UP_FLAG_STRING,
     .value_name = "FILE",
     .help = "store the topics of a DataStax Kafka connector properties file into the tables "
             "it maps (docs/mapping.md); replaces --topic, --keyspace, --table, --consistency "
             "and the schema flags",
     .offset = OPT(mapping)},
    CQL_FLAGS_CASSANDRA(struct stream_opts, cql),
    UP_FLAGS_KAFKA(struct stream_opts),
    UP_FLAGS_METRICS(struct stream_opts),
    UP_FLAGS_LOG(struct stream_opts),
};

static const struct up_command_spec stream_spec = {
    "stream",
    NULL,
    "consume users_queue and upsert every record into Cassandra (at-least-once, one row per "
    "user)",
    "Consumes --topic as consumer group --group, validates each record (JSON object, every\n"
    "field a string, canonical UUID id equal to the key, ISO 8601 dates, UTF-8, size) and\n"
    "writes it with an async prepared INSERT ... USING TIMESTAMP <record timestamp>, with\n"
    "ingested_at = the record timestamp too, so a replay writes identical cells. Records that\n"
    "fail validation go to --dlq with the reason in headers. Offsets are committed only up to\n"
    "the highest offset below which every record is stored or dead-lettered.\n"
    "Cassandra failures are retried with backoff while consumption pauses; nothing is\n"
    "skipped. SIGINT/SIGTERM stops polling, drains, commits and exits 0. One JSON summary\n"
    "line is printed on stdout at exit.\n\n"
    "Examples:\n"
    "  userpipe stream --cassandra-user app --cassandra-password-file ~/.cassandra-pw\n"
    "  userpipe stream --exit-when-idle 5s --in-flight 1024 --metrics 127.0.0.1:9464\n",
    stream_flags,
    UP_NFLAGS(stream_flags),
    0,
    0,
};

/* Usage checks that need no network: names, replication, the Cassandra
 * flags and password (cmd/cql_cli.h). */
static int check_options(const struct stream_opts *o, enum cql_consistency *cl,
                         struct cql_config *session, char *password, size_t pwlen, char *err,
                         size_t errlen)
{
    struct up_buf a = UP_BUF_INIT, b = UP_BUF_INIT;
    int rc =
        up_schema_create_statements(o->keyspace, o->table, o->replication, &a, &b, err, errlen);
    up_buf_free(&a);
    up_buf_free(&b);
    if (rc != 0)
        return -1;
    if (!cql_consistency_parse(o->consistency, cl)) {
        snprintf(err, errlen, "--consistency %s: unknown level", o->consistency);
        return -1;
    }
    return cql_cli_config(&o->cql, session, password, pwlen, err, errlen);
}

/* Sleeps ms unless a stop is requested first; false when it was. */
static bool sleep_unless_stopped(int64_t ms)
{
    struct pollfd p = {.fd = up_stop_fd(), .events = POLLIN};
    if (p.fd >= 0)
        poll(&p, 1, (int)ms);
    else
        up_sleep_ms(ms);
    return !up_stop_requested();
}

/* --mapping: the file's connection settings, where the flags were left at their defaults
 * (a flag given on the command line wins; one given with its default value cannot be told
 * apart and lets the file's setting stand). contact holds the rebuilt contact point list. */
static void apply_file_connection(const struct up_mapping *m, const struct stream_opts *o,
                                  struct cql_config *cc, struct up_buf *contact)
{
    const struct up_map_connection *f = &m->conn;
    if (f->contact_points && strcmp(o->cql.cassandra, "127.0.0.1:9042") == 0) {
        char *list = up_xstrdup(f->contact_points), *save = NULL;
        for (char *h = strtok_r(list, ", ", &save); h; h = strtok_r(NULL, ", ", &save)) {
            up_buf_puts(contact, contact->len ? "," : "");
            if (strchr(h, ':')) /* host:port, or an IPv6 address: as given */
                up_buf_puts(contact, h);
            else
                up_buf_printf(contact, "%s:%d", h, f->port > 0 ? f->port : 9042);
        }
        free(list);
        cc->contact_points = contact->data;
    }
    bool password_flag =
        (o->cql.password_file && o->cql.password_file[0]) ||
        (getenv("USERPIPE_CASSANDRA_PASSWORD") && getenv("USERPIPE_CASSANDRA_PASSWORD")[0]);
    if (f->user && strcmp(o->cql.user, "cassandra") == 0 && f->password && !password_flag) {
        cc->user = f->user;
        cc->password = f->password;
    }
    if (f->tls == 1 && !o->cql.tls)
        cc->tls = true;
    if (f->tls_verify == 0)
        cc->tls_verify = false;
    cc->tls_cert_file = f->tls_cert_file;
    cc->tls_key_file = f->tls_key_file;
    if (f->compression == 1)
        cc->compression = true;
    if (f->request_timeout_ms > 0 && o->cql.request_timeout_ms <= 0)
        cc->request_timeout_ms = (int)f->request_timeout_ms;
    if (f->connections_per_host > 0)
        cc->connections_per_host = (int)f->connections_per_host;
    if (f->local_dc)
        UP_INFO("%s: loadBalancing.localDc=%s: userpipe sends each row to a replica of its "
                "partition (token-aware) in any data center",
                m->file, f->local_dc);
}

/* Opens the mapping sink, waiting (with backoff) while Cassandra is down or starting.
 * *usage: the file does not fit the schema (exit 2). */
static struct up_map_sink *open_map_sink(const struct up_map_sink_config *sc, const char *where,
                                         bool *usage)
{
    struct up_backoff bo;
    up_backoff_init(&bo, 500, 10000);
    for (;;) {
        char err[1024];
        bool retryable;
        struct up_map_sink *s = up_map_sink_open(sc, usage, &retryable, err, sizeof err);
        if (s)
            return s;
        if (*usage) {
            fprintf(stderr, "userpipe stream: %s\n", err);
            return NULL;
        }
        if (!retryable) {
            UP_ERROR("Cassandra at %s: %s", where, err);
            return NULL;
        }
        int64_t wait = up_backoff_next_ms(&bo);
        UP_WARN("Cassandra at %s not ready: %s; trying again in %lld ms", where, err,
                (long long)wait);
        if (!sleep_unless_stopped(wait))
            return NULL;
    }
}

static void print_summary(const char *status, const struct up_stream_totals *t, const char *err)
{
    struct up_buf b = UP_BUF_INIT;
    up_buf_printf(&b,
                  "{\"status\":\"%s\",\"consumed\":%llu,\"stored\":%llu,\"dead_lettered\":%llu,"
                  "\"redeliveries_skipped\":%llu,\"write_retries\":%llu,\"dlq_retries\":%llu,"
                  "\"abandoned\":%llu,\"seconds\":%.3f,\"active_seconds\":%.3f,"
                  "\"rows_per_second\":%.0f",
                  status, (unsigned long long)t->consumed, (unsigned long long)t->stored,
                  (unsigned long long)t->dead_lettered, (unsigned long long)t->redeliveries,
                  (unsigned long long)t->write_retries, (unsigned long long)t->dlq_retries,
                  (unsigned long long)t->abandoned, t->seconds, t->active_seconds,
                  t->active_seconds > 0 ? (double)t->stored / t->active_seconds : 0);
    if (err && *err) {
        up_buf_puts(&b, ",\"error\":");
        up_buf_json_cstring(&b, err);
    }
    up_buf_puts(&b, "}\n");
    fputs(b.data, stdout);
    fflush(stdout);
    up_buf_free(&b);
}

static int run_with(const struct stream_opts *o, const struct up_mapping *mapping,
                    const struct cql_config *session, char *password, size_t pwlen);

/* --mapping FILE: read and check it on its own, and merge its connection settings. */
static int load_mapping(const struct stream_opts *o, struct up_mapping *m, struct cql_config *cc,
                        struct up_buf *contact, char *err, size_t errlen)
{
    if (up_mapping_load(o->mapping, m, err, errlen) != 0)
        return -1;
    apply_file_connection(m, o, cc, contact);
    return 0;
}

static int run(const struct stream_opts *o)
{
    char err[2048] = "";
    char password[CQL_PASSWORD_MAX];
    enum cql_consistency cl;
    struct cql_config session;
    if (check_options(o, &cl, &session, password, sizeof password, err, sizeof err) != 0) {
        fprintf(stderr, "userpipe stream: %s\n", err);
        return 2;
    }
    struct up_mapping mapping = {0};
    struct up_buf contact = UP_BUF_INIT;
    if (o->mapping && load_mapping(o, &mapping, &session, &contact, err, sizeof err) != 0) {
        fprintf(stderr, "userpipe stream: %s\n", err);
        up_buf_free(&contact);
        return 2;
    }
    /* Without a file, the users pipeline: the built-in mapping from the flags. */
    struct up_users_mapping users;
    struct up_users_mapping_config uc = {.topic = o->topic,
                                         .keyspace = o->keyspace,
                                         .table = o->table,
                                         .consistency = cl,
                                         .max_record_bytes = (size_t)o->max_record_bytes};
    up_users_mapping_init(&users, &uc);
    int rc =
        run_with(o, o->mapping ? &mapping : &users.mapping, &session, password, sizeof password);
    up_users_mapping_free(&users);
    up_mapping_free(&mapping);
    up_buf_free(&contact);
    return rc;
}

/* mapping: the file's, or the built-in users mapping (o->mapping NULL). */
static int run_with(const struct stream_opts *o, const struct up_mapping *mapping,
                    const struct cql_config *session, char *password, size_t pwlen)
{
    char err[2048] = "";
    struct up_registry *reg = up_registry_default();
    up_registry_add_process_metrics(reg);
    struct up_metrics_server *ms = NULL;
    if (o->common.metrics) {
        ms = up_metrics_server_start(o->common.metrics, reg, err, sizeof err);
        if (!ms) {
            fprintf(stderr, "userpipe stream: --metrics %s: %s\n", o->common.metrics, err);
            return 1;
        }
    }
    up_signals_install();
    struct up_stream_totals totals = {0};
    struct up_sink sink = {0};
    bool usage = false, file = o->mapping != NULL;
    struct up_map_sink_config mc = {
        .session = session,
        .mapping = mapping,
        .metrics = reg,
        .max_record_bytes = (size_t)o->max_record_bytes,
        .create_replication = !file && o->create_schema ? o->replication : NULL,
    };
    struct up_map_sink *msink = open_map_sink(&mc, session->contact_points, &usage);
    if (msink)
        sink = up_map_sink_interface(msink);
    memset(password, 0, pwlen); /* the session keeps its own copy */
    if (usage) {
        up_metrics_server_stop(ms);
        return 2;
    }
    if (!sink.ctx) {
        bool stopped = up_stop_requested();
        print_summary(stopped ? "interrupted" : "failed", &totals,
                      stopped ? "" : "could not open Cassandra (see the log)");
        up_metrics_server_stop(ms);
        return stopped ? 0 : 1;
    }
    struct up_stream_config cfg;
    up_stream_config_init(&cfg);
    cfg.brokers = o->common.brokers;
    cfg.kafka_props = &o->common.kafka_props;
    cfg.topic = mapping->topics[0].name;
    const char *topics[UP_MAP_MAX_TOPICS];
    if (file) { /* every topic of the file, in one subscription */
        cfg.ntopics = mapping->ntopics;
        for (size_t i = 0; i < cfg.ntopics; i++)
            topics[i] = mapping->topics[i].name;
        cfg.topics = topics;
    }
    cfg.group = o->group;
    char dlq[300];
    /* With a mapping the default DLQ follows the topic: <topic>.dlq. */
    snprintf(dlq, sizeof dlq, "%s.dlq", cfg.topic);
    cfg.dlq_topic = file && strcmp(o->dlq, "users_queue.dlq") == 0 ? dlq : o->dlq;
    cfg.dlq_partitions = (int)o->dlq_partitions;
    cfg.sink = sink;
    cfg.in_flight = (size_t)o->in_flight;
    if (file && mapping->conn.max_concurrent > 0 && o->in_flight == 512)
        cfg.in_flight =
            (size_t)(mapping->conn.max_concurrent > 32768 ? 32768 : mapping->conn.max_concurrent);
    cfg.exit_when_idle_ms = o->exit_when_idle_ms;
    cfg.drain_timeout_ms = o->drain_timeout_ms;
    cfg.progress_ms = o->progress_ms;
    cfg.metrics = reg;
    enum up_stream_result res = up_stream_run(&cfg, &totals, err, sizeof err);
    if (res == UP_STREAM_FAILED)
        UP_ERROR("%s", err);
    print_summary(res == UP_STREAM_DONE          ? "completed"
                  : res == UP_STREAM_NOT_DRAINED ? "not_drained"
                                                 : "failed",
                  &totals, err);
    up_metrics_server_stop(ms);
    return res == UP_STREAM_DONE ? 0 : 1;
}

int cmd_stream(int argc, char **argv)
{
    struct stream_opts o;
    memset(&o, 0, sizeof o);
    char **args = NULL;
    int nargs = 0;
    enum up_flags_result fr = up_flags_parse(&stream_spec, &o, argc, argv, &args, &nargs);
    free(args);
    int rc;
    if (fr != UP_FLAGS_OK)
        rc = fr == UP_FLAGS_HELP ? 0 : 2;
    else if (!up_common_apply(&o.common, "stream") || !kafka_cli_apply(&o.common, "stream"))
        rc = 2;
    else
        rc = run(&o);
    up_flags_free(&stream_spec, &o);
    return rc;
}
