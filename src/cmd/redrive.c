/* redrive: `userpipe redrive` — replays DLQ records after their cause is fixed, through the
 * current mapping into Cassandra or back to their source topic (stream/redrive.h), and prints
 * one JSON summary line on stdout. */
#include "cmd/commands.h"
#include "cmd/cql_cli.h"
#include "cmd/kafka_cli.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/flags.h"
#include "core/log.h"
#include "core/signals.h"
#include "mapping/mapping.h"
#include "stream/redrive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct redrive_opts {
    struct up_common_opts common;
    struct cql_cli_opts cql;
    char *dlq_topic;
    char *group;
    char *stage;
    char *reason;
    char *source_topic;
    long long source_partition;
    char *since;
    char *until;
    char *mapping;
    bool to_source;
    bool dry_run;
    bool follow;
    int64_t progress_ms;
};

#define OPT(field) offsetof(struct redrive_opts, field)

static const struct up_flag redrive_flags[] = {
    {.name = "dlq-topic",
     .type = UP_FLAG_STRING,
     .value_name = "TOPIC",
     .def = "users_queue.dlq",
     .help = "the dead-letter topic to replay",
     .offset = OPT(dlq_topic),
     .check = kafka_cli_topic_check},
    {.name = "group",
     .short_name = 'g',
     .type = UP_FLAG_STRING,
     .value_name = "GROUP",
     .def = "userpipe-redrive",
     .help = "consumer group whose committed offsets remember what was replayed: each DLQ "
             "record at most once per group (a new group replays everything again)",
     .offset = OPT(group)},
    {.name = "stage",
     .type = UP_FLAG_STRING,
     .value_name = "STAGE",
     .help = "only records of this userpipe.error.stage (parse, mapping, write)",
     .offset = OPT(stage)},
    {.name = "reason",
     .type = UP_FLAG_STRING,
     .value_name = "REASON",
     .help = "only records of this userpipe.error.reason (conversion, rejected_data, ...)",
     .offset = OPT(reason)},
    {.name = "source-topic",
     .type = UP_FLAG_STRING,
     .value_name = "TOPIC",
     .help = "only records read from this topic (userpipe.source.topic)",
     .offset = OPT(source_topic)},
    {.name = "source-partition",
     .type = UP_FLAG_INT,
     .value_name = "N",
     .def = "-1",
     .help = "only records read from this partition (-1 = any)",
     .offset = OPT(source_partition),
     .min = -1,
     .max = 1000000},
    {.name = "since",
     .type = UP_FLAG_STRING,
     .value_name = "TIME",
     .help = "only records whose source timestamp is at or after TIME (ISO 8601, e.g. "
             "2026-12-07T17:00:00Z, or ms since the epoch)",
     .offset = OPT(since),
     .check = up_flag_time_check},
    {.name = "until",
     .type = UP_FLAG_STRING,
     .value_name = "TIME",
     .help = "only records whose source timestamp is before TIME (ISO 8601, or ms)",
     .offset = OPT(until),
     .check = up_flag_time_check},
    {.name = "mapping",
     .type = UP_FLAG_STRING,
     .value_name = "FILE",
     .help = "replay through this mapping file (docs/mapping.md) straight into its tables "
             "(the default way; give the file as it is now, after the fix)",
     .offset = OPT(mapping)},
    {.name = "to-source",
     .type = UP_FLAG_BOOL,
     .help = "produce each record back to its source topic instead (key, value and headers "
             "without the userpipe.* ones), for the stream to read again",
     .offset = OPT(to_source)},
    {.name = "dry-run",
     .type = UP_FLAG_BOOL,
     .help = "print one JSON line per record saying what would happen (store, fail_again, "
             "to_source, skip); write, produce and commit nothing",
     .offset = OPT(dry_run)},
    {.name = "follow",
     .type = UP_FLAG_BOOL,
     .help = "keep replaying records as they arrive, until SIGINT/SIGTERM (default: stop at "
             "the end of the DLQ as of the start)",
     .offset = OPT(follow)},
    {.name = "progress-interval",
     .type = UP_FLAG_DURATION,
     .value_name = "TIME",
     .def = "5s",
     .help = "period of the counts line on stderr (0 = at the end only)",
     .offset = OPT(progress_ms)},
    CQL_FLAGS_CASSANDRA(struct redrive_opts, cql),
    UP_FLAGS_KAFKA(struct redrive_opts),
    UP_FLAGS_LOG(struct redrive_opts),
};

static const struct up_command_spec redrive_spec = {
    "redrive",
    NULL,
    "replay dead-lettered records once their cause is fixed (into the table, or back to the "
    "source topic)",
    "Reads --dlq-topic as consumer group --group without joining it, from the group's committed\n"
    "offsets up to the end of each partition as of the start (--follow: on and on). Each record\n"
    "that passes the filters (--stage, --reason, --source-topic, --source-partition, --since,\n"
    "--until) is either written through --mapping FILE straight into its tables, with the write\n"
    "time of its source record (the cells the stream would have written), or, with --to-source,\n"
    "produced back to its source topic. A record that fails again for its data or its mapping\n"
    "goes back to the DLQ with userpipe.error.attempts one higher. A record's offset is committed\n"
    "once it is done, so a killed redrive resumes where it stopped and a second run does nothing\n"
    "(use a new --group to replay again). A failure that needs an operator (no such table,\n"
    "unauthorized) or a Cassandra outage longer than a few retries stops the run with exit 1\n"
    "before that record. Counts on stderr every --progress-interval; one JSON summary line on\n"
    "stdout: {\"read\",\"matched\",\"stored\",\"to_source\",\"failed_again\",\"skipped\"}.\n"
    "Exit 0 done, 1 runtime failure, 2 usage. docs/dlq.md.\n\n"
    "Examples:\n"
    "  userpipe redrive --dlq-topic orders.dlq --mapping orders.properties --stage write\n"
    "  userpipe redrive --dlq-topic users_queue.dlq --to-source --reason bad_date --dry-run\n",
    redrive_flags,
    UP_NFLAGS(redrive_flags),
    0,
    0,
};

/* Usage checks that need no network; fills the filter. */
static int check_options(const struct redrive_opts *o, struct up_redrive_filter *f, char *err,
                         size_t errlen)
{
    if (!o->mapping == !o->to_source) {
        snprintf(err, errlen, "give either --mapping FILE (into the table) or --to-source");
        return -1;
    }
    *f = (struct up_redrive_filter){.stage = o->stage,
                                    .reason = o->reason,
                                    .source_topic = o->source_topic,
                                    .source_partition = (int32_t)o->source_partition,
                                    .since_ms = up_flag_time_value(o->since),
                                    .until_ms = up_flag_time_value(o->until)};
    return 0;
}

static void print_summary(const struct up_redrive_totals *t, const char *status, const char *err)
{
    struct up_buf b = UP_BUF_INIT;
    up_buf_printf(&b,
                  "{\"status\":\"%s\",\"read\":%llu,\"matched\":%llu,\"stored\":%llu,"
                  "\"to_source\":%llu,\"failed_again\":%llu,\"skipped\":%llu",
                  status, (unsigned long long)t->read, (unsigned long long)t->matched,
                  (unsigned long long)t->stored, (unsigned long long)t->to_source,
                  (unsigned long long)t->failed_again, (unsigned long long)t->skipped);
    if (err && *err) {
        up_buf_puts(&b, ",\"error\":");
        up_buf_json_cstring(&b, err);
    }
    up_buf_puts(&b, "}\n");
    fputs(b.data, stdout);
    fflush(stdout);
    up_buf_free(&b);
}

static int run(const struct redrive_opts *o)
{
    char err[2048] = "";
    struct up_redrive_config cfg = {.brokers = o->common.brokers,
                                    .kafka_props = &o->common.kafka_props,
                                    .dlq_topic = o->dlq_topic,
                                    .group = o->group,
                                    .to_source = o->to_source,
                                    .dry_run = o->dry_run,
                                    .follow = o->follow,
                                    .out = stdout,
                                    .progress_ms = o->progress_ms};
    char password[CQL_PASSWORD_MAX];
    struct cql_config session;
    struct up_mapping mapping = {0};
    if (check_options(o, &cfg.filter, err, sizeof err) != 0 ||
        cql_cli_config(&o->cql, &session, password, sizeof password, err, sizeof err) != 0 ||
        (o->mapping && up_mapping_load(o->mapping, &mapping, err, sizeof err) != 0)) {
        fprintf(stderr, "userpipe redrive: %s\n", err);
        up_mapping_free(&mapping);
        return 2;
    }
    cfg.mapping = o->mapping ? &mapping : NULL;
    cfg.session = &session;
    up_signals_install();
    struct up_redrive_totals totals;
    int rc = up_redrive_run(&cfg, &totals, err, sizeof err);
    memset(password, 0, sizeof password);
    if (rc != 0)
        UP_ERROR("%s", err);
    print_summary(&totals, rc == 0 ? (up_stop_requested() ? "interrupted" : "completed") : "failed",
                  err);
    up_mapping_free(&mapping);
    return rc == 0 ? 0 : 1;
}

int cmd_redrive(int argc, char **argv)
{
    struct redrive_opts o;
    memset(&o, 0, sizeof o);
    char **args = NULL;
    int nargs = 0;
    enum up_flags_result fr = up_flags_parse(&redrive_spec, &o, argc, argv, &args, &nargs);
    free(args);
    int rc;
    if (fr != UP_FLAGS_OK)
        rc = fr == UP_FLAGS_HELP ? 0 : 2;
    else if (!up_common_apply(&o.common, "redrive") || !kafka_cli_apply(&o.common, "redrive"))
        rc = 2;
    else
        rc = run(&o);
    up_flags_free(&redrive_spec, &o);
    return rc;
}
