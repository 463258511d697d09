/* verify: `userpipe verify` — is every record of a topic in its table, and is each row at least
 * as new as its record? Reads the topic once as it stands (verify/reader.h), keeps the record
 * that decides each primary key (verify/index.h), looks every key up (verify/lookup.h) and
 * prints what it found (verify/report.h). Exit 0 when all is as the topic says, 1 otherwise. */
#include "cmd/commands.h"
#include "cmd/cql_cli.h"
#include "cmd/kafka_cli.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/flags.h"
#include "core/log.h"
#include "core/signals.h"
#include "cql/cql.h"
#include "verify/index.h"
#include "verify/lookup.h"
#include "verify/reader.h"
#include "verify/report.h"
#include "verify/target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct verify_opts {
    struct up_common_opts common;
    struct cql_cli_opts cql;
    char *topic;
    char *keyspace;
    char *table;
    char *mapping;
    long long partition;
    long long from_offset;
    long long to_offset;
    char *since;
    char *until;
    long long samples;
    bool json;
    long long concurrency;
    char *consistency;
    int64_t max_record_bytes;
    int64_t progress_ms;
};

#define OPT(field) offsetof(struct verify_opts, field)

static const struct up_flag verify_flags[] = {
    {.name = "topic",
     .short_name = 't',
     .type = UP_FLAG_STRING,
     .value_name = "TOPIC",
     .help = "topic to verify (default users_queue; with --mapping, the file's only topic)",
     .offset = OPT(topic),
     .check = kafka_cli_optional_topic_check},
    {.name = "keyspace",
     .short_name = 'k',
     .type = UP_FLAG_STRING,
     .value_name = "NAME",
     .def = "profiles",
     .help = "keyspace of the users table (not with --mapping)",
     .offset = OPT(keyspace)},
    {.name = "table",
     .type = UP_FLAG_STRING,
     .value_name = "NAME",
     .help = "the users table (default users); with --mapping, KS.TABLE when the topic feeds "
             "several",
     .offset = OPT(table)},
    {.name = "mapping",
     .type = UP_FLAG_STRING,
     .value_name = "FILE",
     .help = "the DataStax connector properties file the stream runs with (docs/mapping.md)",
     .offset = OPT(mapping)},
    {.name = "partition",
     .short_name = 'p',
     .type = UP_FLAG_INT,
     .value_name = "N",
     .def = "-1",
     .help = "only this partition (-1: every one)",
     .offset = OPT(partition),
     .min = -1,
     .max = 1000000},
    {.name = "from-offset",
     .type = UP_FLAG_INT,
     .value_name = "N",
     .def = "-1",
     .help = "first offset read in each partition (-1: the oldest retained)",
     .offset = OPT(from_offset),
     .min = -1,
     .max = 9e18},
    {.name = "to-offset",
     .type = UP_FLAG_INT,
     .value_name = "N",
     .def = "-1",
     .help = "last offset read in each partition (-1: up to the high watermark at start)",
     .offset = OPT(to_offset),
     .min = -1,
     .max = 9e18},
    {.name = "since",
     .type = UP_FLAG_STRING,
     .value_name = "TIME",
     .help = "only records with a timestamp at or after TIME (ISO 8601, or ms since the epoch)",
     .offset = OPT(since),
     .check = up_flag_time_check},
    {.name = "until",
     .type = UP_FLAG_STRING,
     .value_name = "TIME",
     .help = "only records with a timestamp at or before TIME",
     .offset = OPT(until),
     .check = up_flag_time_check},
    {.name = "samples",
     .type = UP_FLAG_INT,
     .value_name = "N",
     .def = "10",
     .help = "examples shown of each kind of difference (partition, offset, key)",
     .offset = OPT(samples),
     .min = 0,
     .max = 100000},
    {.name = "json",
     .type = UP_FLAG_BOOL,
     .help = "print the report as one JSON object instead of a table",
     .offset = OPT(json)},
    {.name = "concurrency",
     .type = UP_FLAG_INT,
     .value_name = "N",
     .def = "256",
     .help = "row lookups in flight",
     .offset = OPT(concurrency),
     .min = 1,
     .max = 4096},
    {.name = "consistency",
     .short_name = 'c',
     .type = UP_FLAG_STRING,
     .value_name = "LEVEL",
     .def = "local_quorum",
     .help = "consistency of the lookups",
     .offset = OPT(consistency),
     .choices = CQL_CONSISTENCY_CHOICES},
    {.name = "max-record-bytes",
     .type = UP_FLAG_SIZE,
     .value_name = "SIZE",
     .def = "1MiB",
     .help = "the stream's --max-record-bytes: larger users records are dead-lettered",
     .offset = OPT(max_record_bytes),
     .min = 1,
     .max = 1 << 30},
    {.name = "progress-interval",
     .type = UP_FLAG_DURATION,
     .value_name = "DURATION",
     .def = "5s",
     .help = "a progress line this often when stderr is not a terminal (a bar when it is)",
     .offset = OPT(progress_ms),
     .min = 100,
     .max = 3600000},
    CQL_FLAGS_CASSANDRA(struct verify_opts, cql),
    UP_FLAGS_KAFKA(struct verify_opts),
    UP_FLAGS_LOG(struct verify_opts),
};

static const struct up_command_spec verify_spec = {
    "verify",
    NULL,
    "check that every record of a topic is in its table, and each row as new as its record",
    "Reads the topic (every partition, or --partition; an offset or time range) as it stands\n"
    "at start: up to the high watermarks read then, never what is produced afterwards. No\n"
    "consumer group is joined. For each primary key the record that decides its row is kept:\n"
    "within a partition the last by offset; across partitions the later write time. A\n"
    "tombstone (null value) expects no row when the table deletes on tombstones; a record the\n"
    "stream dead-letters expects none either (it is counted, with samples). Then every key\n"
    "is looked up with SELECT WRITETIME(col) ... WHERE key = ?, token-aware, --concurrency\n"
    "at a time, and each row is\n"
    "  present     there, WRITETIME at or after the record's write time\n"
    "  missing     not there\n"
    "  stale       there, but WRITETIME before the record's write time\n"
    "  unexpected  there, although the record is a tombstone\n"
    "  deleted     not there, and the record is a tombstone\n"
    "The record's write time is the stream's: its Kafka timestamp in microseconds, or the\n"
    "mapping's __timestamp. Memory: about 80 bytes per distinct key (1 M keys: ~80 MB).\n\n"
    "The table: the built-in users pipeline (--topic users_queue --keyspace profiles\n"
    "--table users: id = the Kafka key), or --mapping FILE, the connector file the stream\n"
    "runs with (its Cassandra settings are not read: use the --cassandra flags).\n\n"
    "Output: a table per partition on stdout (or --json), then up to --samples examples of\n"
    "each difference with partition, offset and key; progress on stderr.\n"
    "Exit status: 0 every row present and as new as its record; 1 a row missing, stale or\n"
    "unexpected, a lookup that failed, or a runtime error; 2 a usage error.\n\n"
    "Examples:\n"
    "  userpipe verify\n"
    "  userpipe verify --topic users_queue --keyspace profiles --partition 3 --samples 50\n"
    "  userpipe verify --mapping orders.properties --since 2026-12-07T00:00:00Z --json\n",
    verify_flags,
    UP_NFLAGS(verify_flags),
    0,
    0,
};

/* ---- progress on stderr ------------------------------------------------------------------ */

struct progress {
    bool tty;
    int64_t every_ms, last_ms, start_ms;
    const char *phase;
    uint64_t total;
};

static void progress_start(struct progress *p, const char *phase, uint64_t total)
{
    p->phase = phase;
    p->total = total;
    p->start_ms = up_mono_ms();
    p->last_ms = p->start_ms;
}

static void progress_show(struct progress *p, uint64_t done, bool final)
{
    int64_t now = up_mono_ms();
    if (!final && now - p->last_ms < (p->tty ? 200 : p->every_ms))
        return;
    p->last_ms = now;
    double pct = p->total ? 100.0 * (double)done / (double)p->total : 100.0;
    double secs = (double)(now - p->start_ms) / 1000.0;
    double rate = secs > 0 ? (double)done / secs : 0;
    if (p->tty) {
        char bar[31];
        int fill = (int)(pct * 30 / 100);
        for (int i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\r\033[K%-8s [%s] %5.1f%% %llu/%llu %.0f/s", p->phase, bar, pct,
                (unsigned long long)done, (unsigned long long)p->total, rate);
        if (final)
            fputc('\n', stderr);
        fflush(stderr);
    } else {
        UP_INFO("%s: %llu of %llu (%.1f%%), %.0f/s", p->phase, (unsigned long long)done,
                (unsigned long long)p->total, pct, rate);
    }
}

/* ---- the run ----------------------------------------------------------------------------- */

struct run {
    struct up_vtarget *target;
    struct up_vindex *index;
    struct up_vreport *report;
    struct up_buf key;
    uint64_t read, checked;
    struct progress progress;
};

static void on_record(void *ctx, const rd_kafka_message_t *m)
{
    struct run *r = ctx;
    r->read++;
    up_vreport_record(r->report, m->partition);
    up_buf_clear(&r->key);
    int64_t write_us;
    bool deletes;
    const char *reason;
    if (up_vtarget_record(r->target, m, &r->key, &write_us, &deletes, &reason) != 0)
        up_vreport_dead_letter(r->report, m->partition, m->offset, m->key, m->key ? m->key_len : 0,
                               reason);
    else
        up_vindex_add(r->index, r->key.data, r->key.len, m->partition, m->offset, write_us,
                      deletes);
}

static void on_checked(void *ctx, const struct up_vindex_entry *e, enum up_vcheck c, int64_t row_us,
                       const struct cql_error *err)
{
    struct run *r = ctx;
    r->checked++;
    struct up_buf key = UP_BUF_INIT;
    char detail[700] = "";
    if (c != UP_VCHECK_PRESENT && c != UP_VCHECK_ABSENT)
        up_vtarget_key_text(r->target, up_vindex_key(r->index, e), e->key_len, &key);
    if (err)
        cql_error_format(err, detail, sizeof detail);
    up_vreport_check(r->report, e, c, key.data ? key.data : "", row_us, err ? detail : NULL);
    up_buf_free(&key);
    progress_show(&r->progress, r->checked, false);
}

static bool stop_requested(void)
{
    return up_stop_requested();
}

static int read_topic(struct run *r, struct up_vreader *reader, cql_session *s)
{
    progress_start(&r->progress, "reading", up_vreader_total(reader));
    char err[512];
    while (!up_vreader_done(reader)) {
        if (up_stop_requested()) {
            UP_ERROR("stopped while reading the topic");
            return -1;
        }
        if (up_vreader_poll(reader, 200, 10000, on_record, r, err, sizeof err) < 0) {
            UP_ERROR("%s", err);
            return -1;
        }
        cql_session_poll(s, 0); /* keeps the session's heartbeats answered while reading */
        progress_show(&r->progress, r->read, false);
    }
    progress_show(&r->progress, r->read, true);
    return 0;
}

static int check_rows(struct run *r, const struct verify_opts *o, cql_session *s)
{
    size_t n = up_vindex_count(r->index);
    for (size_t i = 0; i < n; i++)
        up_vreport_key(r->report, up_vindex_at(r->index, i)->partition);
    UP_INFO("%zu records read, %zu distinct keys (index: %.1f MB); looking the rows up",
            (size_t)r->read, n, (double)up_vindex_bytes(r->index) / 1e6);
    enum cql_consistency cl = CQL_LOCAL_QUORUM;
    cql_consistency_parse(o->consistency, &cl);
    struct up_vlookup_config lc = {.session = s,
                                   .select = up_vtarget_select(r->target),
                                   .compares_time = up_vtarget_compares_time(r->target),
                                   .concurrency = (size_t)o->concurrency,
                                   .consistency = cl,
                                   .fn = on_checked,
                                   .ctx = r,
                                   .stop = stop_requested};
    progress_start(&r->progress, "checking", n);
    char err[1024];
    int rc = up_vlookup_run(&lc, r->index, err, sizeof err);
    progress_show(&r->progress, r->checked, true);
    if (rc != 0)
        UP_ERROR("%s", err);
    return rc;
}

static int open_reader(const struct verify_opts *o, const char *topic, struct up_vreader **out)
{
    struct up_vreader_config rc = {.brokers = o->common.brokers,
                                   .props = &o->common.kafka_props,
                                   .topic = topic,
                                   .partition = (int32_t)o->partition,
                                   .from_offset = o->from_offset,
                                   .to_offset = o->to_offset,
                                   .since_ms = up_flag_time_value(o->since),
                                   .until_ms = up_flag_time_value(o->until)};
    char err[512];
    *out = up_vreader_open(&rc, err, sizeof err);
    if (!*out) {
        fprintf(stderr, "userpipe verify: %s\n", err);
        return 1;
    }
    return 0;
}

static struct up_vreport *new_report(const struct verify_opts *o, const struct up_vtarget *t,
                                     const struct up_vreader *reader)
{
    size_t n = up_vreader_ranges(reader);
    int32_t *ids = up_xcalloc(n ? n : 1, sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = up_vreader_range(reader, i)->partition;
    struct up_vreport *rep =
        up_vreport_new(up_vtarget_topic(t), up_vtarget_name(t), ids, n, (size_t)o->samples);
    free(ids);
    return rep;
}

static int verify(const struct verify_opts *o, cql_session *s, struct up_vtarget *t)
{
    struct up_vreader *reader;
    int status = open_reader(o, up_vtarget_topic(t), &reader);
    if (status != 0)
        return status;
    struct run r = {.target = t, .index = up_vindex_new(), .key = UP_BUF_INIT};
    r.report = new_report(o, t, reader);
    r.progress = (struct progress){.tty = isatty(STDERR_FILENO) == 1, .every_ms = o->progress_ms};
    UP_INFO("verifying topic %s (%zu partitions, %llu records) against %s", up_vtarget_topic(t),
            up_vreader_ranges(reader), (unsigned long long)up_vreader_total(reader),
            up_vtarget_name(t));
    status = read_topic(&r, reader, s);
    up_vreader_close(reader); /* its fetch buffers are not needed while looking up */
    if (status == 0)
        status = check_rows(&r, o, s) == 0 ? 0 : 1;
    else
        status = 1;
    if (status == 0) {
        if (o->json)
            up_vreport_print_json(r.report, stdout);
        else
            up_vreport_print_text(r.report, stdout);
        status = up_vreport_ok(r.report) ? 0 : 1;
    }
    up_vreport_free(r.report);
    up_vindex_free(r.index);
    up_buf_free(&r.key);
    return status;
}

static int run(const struct verify_opts *o, const struct cql_config *cfg)
{
    bool builtin = !o->mapping || !*o->mapping;
    struct up_vtarget_config tc = {
        .mapping_file = builtin ? NULL : o->mapping,
        .topic = o->topic && *o->topic ? o->topic : (builtin ? "users_queue" : NULL),
        .keyspace = o->keyspace,
        .table = o->table && *o->table ? o->table : (builtin ? "users" : NULL),
        .max_record_bytes = (size_t)o->max_record_bytes,
    };
    cql_session *s;
    struct cql_error e;
    if (cql_session_connect(cfg, &s, &e) != 0) {
        char msg[1024];
        cql_error_format(&e, msg, sizeof msg);
        fprintf(stderr, "userpipe verify: cannot connect to Cassandra: %s\n", msg);
        return 1;
    }
    struct up_vtarget *t;
    bool usage;
    char err[1024];
    int status;
    if (up_vtarget_open(s, &tc, &t, &usage, err, sizeof err) != 0) {
        fprintf(stderr, "userpipe verify: %s\n", err);
        status = usage ? 2 : 1;
    } else {
        status = verify(o, s, t);
        up_vtarget_free(t);
    }
    cql_session_free(s);
    return status;
}

int cmd_verify(int argc, char **argv)
{
    struct verify_opts o = {0};
    char **args = NULL;
    int nargs = 0;
    enum up_flags_result fr = up_flags_parse(&verify_spec, &o, argc, argv, &args, &nargs);
    free(args);
    if (fr != UP_FLAGS_OK) {
        up_flags_free(&verify_spec, &o);
        return fr == UP_FLAGS_HELP ? 0 : 2;
    }
    int status = 2;
    char password[CQL_PASSWORD_MAX], err[512];
    struct cql_config cfg;
    if (!up_common_apply(&o.common, "verify") || !kafka_cli_apply(&o.common, "verify")) {
        /* message printed */
    } else if (cql_cli_config(&o.cql, &cfg, password, sizeof password, err, sizeof err) != 0) {
        fprintf(stderr, "userpipe verify: %s\n", err);
    } else {
        up_signals_install();
        status = run(&o, &cfg);
    }
    explicit_bzero(password, sizeof password);
    up_flags_free(&verify_spec, &o);
    return status;
}
