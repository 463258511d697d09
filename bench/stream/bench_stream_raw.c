/* bench_stream_raw: the database's own rate for the stream's writes, without Kafka: the same
 * rows, the same prepared INSERT ... USING TIMESTAMP, the same client and sink
 * (stream/sink_cql) at the same in-flight depth. bench/stream/run compares `userpipe stream`
 * against this: what the pipeline costs over the database itself.
 *   bench_stream_raw CASSANDRA KEYSPACE TABLE ROWS IN_FLIGHT
 * Credentials: USERPIPE_CASSANDRA_USER / USERPIPE_CASSANDRA_PASSWORD (default cassandra).
 * Prints one JSON line: {"rows", "seconds", "rows_per_second", "p50_ms", "p99_ms"}. */
#include "core/buf.h"
#include "core/clock.h"
#include "stream/sink_cql.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bench;

struct slot { /* one write: who, and when it started */
    struct bench *b;
    int64_t started_us;
};

struct bench {
    struct up_sink sink;
    long next, total, done, failed;
    struct slot *slots;
    double *latency_ms;
    struct up_row row; /* one template; the id changes per row */
};

static void submit_next(struct bench *b);

static void on_done(void *opaque, const struct up_sink_failure *f)
{
    struct slot *w = opaque;
    struct bench *b = w->b;
    if (f)
        b->failed++;
    b->latency_ms[b->done++] = (double)(up_mono_us() - w->started_us) / 1000.0;
    submit_next(b);
}

/* Each write carries its index in the row id, so every row is a new partition. */
static void submit_next(struct bench *b)
{
    if (b->next >= b->total)
        return;
    long i = b->next++;
    memcpy(b->row.id + 8, &i, sizeof i);
    struct slot *w = &b->slots[i];
    w->b = b;
    w->started_us = up_mono_us();
    char err[256];
    if (b->sink.write(b->sink.ctx, &b->row, up_wall_us(), on_done, w, err, sizeof err) != 0) {
        fprintf(stderr, "bench_stream_raw: %s\n", err);
        exit(1);
    }
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, c = *(const double *)y;
    return (a > c) - (a < c);
}

static void fill_template(struct up_row *row)
{
    static const char *const text[UP_RECORD_NFIELDS] = {
        "",
        "Zoë",
        "O'Brien",
        "female",
        "12 Rue d'Alésia, Paris, Île-de-France, France",
        "75014",
        "zoe.obrien@example.com",
        "bluebird42",
        "",
        "",
        "(272) 790-0888",
        "https://randomuser.me/api/portraits/med/women/1.jpg",
        "FR"};
    struct up_buf storage = UP_BUF_INIT; /* as stream/validate builds rows: one block */
    size_t offset[UP_RECORD_NFIELDS];
    for (int f = 0; f < UP_RECORD_NFIELDS; f++) {
        offset[f] = storage.len;
        up_buf_append(&storage, text[f], strlen(text[f]) + 1);
    }
    row->storage = up_buf_steal(&storage);
    for (int f = 0; f < UP_RECORD_NFIELDS; f++)
        row->rec.fields[f] = row->storage + offset[f];
    memset(row->id, 0x5a, sizeof row->id);
    row->id[6] = 0x40;
    row->dob_ms = 476251506789LL;
    row->registered_ms = 1433664550111LL;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: bench_stream_raw CASSANDRA KEYSPACE TABLE ROWS IN_FLIGHT\n");
        return 2;
    }
    const char *user = getenv("USERPIPE_CASSANDRA_USER");
    const char *password = getenv("USERPIPE_CASSANDRA_PASSWORD");
    struct cql_config session;
    cql_config_init(&session);
    session.contact_points = argv[1];
    session.user = user ? user : "cassandra";
    session.password = password ? password : "cassandra";
    struct up_cql_sink_config cfg = {
        .session = &session,
        .keyspace = argv[2],
        .table = argv[3],
        .replication = "SimpleStrategy:1",
        .consistency = CQL_LOCAL_QUORUM,
        .create_schema = true,
    };
    char err[1024];
    bool retryable;
    struct up_cql_sink *s = up_cql_sink_open(&cfg, &retryable, err, sizeof err);
    if (!s) {
        fprintf(stderr, "bench_stream_raw: %s\n", err);
        return 1;
    }
    struct bench b = {.sink = up_cql_sink_interface(s), .total = atol(argv[4])};
    long in_flight = atol(argv[5]);
    b.slots = calloc((size_t)b.total, sizeof *b.slots);
    b.latency_ms = calloc((size_t)b.total, sizeof *b.latency_ms);
    fill_template(&b.row);
    int64_t t0 = up_mono_us();
    for (long k = 0; k < in_flight; k++)
        submit_next(&b);
    while (b.done < b.total)
        b.sink.poll(b.sink.ctx, 100);
    double secs = (double)(up_mono_us() - t0) / 1e6;
    qsort(b.latency_ms, (size_t)b.total, sizeof *b.latency_ms, cmp_double);
    printf("{\"rows\":%ld,\"failed\":%ld,\"in_flight\":%ld,\"seconds\":%.3f,"
           "\"rows_per_second\":%.0f,\"p50_ms\":%.2f,\"p99_ms\":%.2f}\n",
           b.total, b.failed, in_flight, secs, (double)b.total / secs, b.latency_ms[b.total / 2],
           b.latency_ms[(long)floor((double)b.total * 0.99)]);
    b.sink.close(b.sink.ctx);
    up_row_free(&b.row);
    free(b.slots);
    free(b.latency_ms);
    return b.failed ? 1 : 0;
}
