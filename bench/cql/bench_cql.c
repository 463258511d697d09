/* bench_cql: async prepared INSERTs of profiles.users-shaped rows through our CQL client,
 * with a fixed number in flight; reports rows/s, per-request latency percentiles and the CPU
 * the process used while inserting.
 *
 *   bench_cql CONTACT KEYSPACE TABLE ROWS IN_FLIGHT [--compression] [--connections N]
 *             [--samples FILE] [--seed S] [--rate R]
 *
 * The table must exist with userpipe's shape (docs/design.md "The table"). The statement is the
 * stream's: INSERT ... USING TIMESTAMP ?, idempotent. Latency is submit -> callback, per
 * request. --rate R offers R rows/s instead (open loop, still at most IN_FLIGHT out): row i is
 * due at start + i/R and its latency runs from that due time, so a row that waited for a free
 * slot or for the process to wake counts its wait, as the stream's end-to-end latency does
 * (bench/stream/run compares the two at the same rate). CPU is getrusage() over the insert window
 * only (connect and prepare excluded), the same window the Python peer measures. Prints one JSON
 * object on stdout. Credentials: user cassandra (or USERPIPE_CASSANDRA_USER) and the password rule
 * of cmd/cql_cli.h. */
#include "core/buf.h"
#include "core/clock.h"
#include "cmd/cql_cli.h"
#include "cql/cql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static const char *const columns[] = {
    "id",       "first_name", "last_name",       "gender", "address", "post_code", "email",
    "username", "dob",        "registered_date", "phone",  "picture", "nat",       "ingested_at"};
#define NCOLS (sizeof columns / sizeof columns[0])

struct bench {
    cql_session *s;
    cql_prepared *insert;
    long rows, depth, submitted, done, failed;
    double rate;      /* rows/s offered; 0 = keep IN_FLIGHT out all the time */
    int64_t start_us; /* rate mode: row i is due at start_us + i * 1e6 / rate */
    uint32_t *lat_us; /* per request, indexed by row */
    int64_t *sent_us;
    uint64_t seed;
};

struct slot {
    struct bench *b;
    long row;
};

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

/* The row the Python peer builds too (bench/cql/peer_python.py): same fields, same sizes. */
static void bind_row(cql_statement *st, uint64_t seed, long i)
{
    static const char *const first[] = {"Jennifer", "Mehmet", "Aino", "Lucas", "Sofia", "Noah"};
    static const char *const last[] = {"Lambert", "Yilmaz", "Korhonen", "Moreau", "Rossi", "Berg"};
    static const char *const nat[] = {"US", "TR", "FI", "FR", "IT", "NO"};
    char buf[160];
    struct cql_uuid id;
    uint64_t a = seed * 0x9E3779B97F4A7C15ULL + (uint64_t)i,
             b = (uint64_t)i * 0xBF58476D1CE4E5B9ULL;
    for (int k = 0; k < 8; k++) {
        id.bytes[k] = (uint8_t)(a >> (56 - 8 * k));
        id.bytes[8 + k] = (uint8_t)(b >> (56 - 8 * k));
    }
    id.bytes[6] = (uint8_t)((id.bytes[6] & 0x0F) | 0x40);
    id.bytes[8] = (uint8_t)((id.bytes[8] & 0x3F) | 0x80);
    int f = (int)(i % 6), l = (int)(i / 6 % 6);
    cql_statement_bind_uuid(st, 0, &id);
    cql_statement_bind_text(st, 1, first[f], strlen(first[f]));
    cql_statement_bind_text(st, 2, last[l], strlen(last[l]));
    cql_statement_bind_text(st, 3, i % 2 ? "female" : "male", i % 2 ? 6 : 4);
    int n = snprintf(buf, sizeof buf, "%ld Main Street, Springfield, Illinois, United States",
                     1000 + i % 9000);
    cql_statement_bind_text(st, 4, buf, (size_t)n);
    n = snprintf(buf, sizeof buf, "%05ld", i % 100000);
    cql_statement_bind_text(st, 5, buf, (size_t)n);
    n = snprintf(buf, sizeof buf, "%s.%s%ld@example.com", first[f], last[l], i);
    cql_statement_bind_text(st, 6, buf, (size_t)n);
    n = snprintf(buf, sizeof buf, "bluebird%ld", i);
    cql_statement_bind_text(st, 7, buf, (size_t)n);
    cql_statement_bind_timestamp(st, 8, 315532800000LL + i * 86400000LL % 946684800000LL);
    cql_statement_bind_timestamp(st, 9, 1262304000000LL + i * 3600000LL % 441504000000LL);
    n = snprintf(buf, sizeof buf, "(555) %03ld-%04ld", i / 10000 % 1000, i % 10000);
    cql_statement_bind_text(st, 10, buf, (size_t)n);
    n = snprintf(buf, sizeof buf, "https://randomuser.me/api/portraits/med/%s/%ld.jpg",
                 i % 2 ? "women" : "men", i % 100);
    cql_statement_bind_text(st, 11, buf, (size_t)n);
    cql_statement_bind_text(st, 12, nat[f], 2);
    cql_statement_bind_timestamp(st, 13, 1735689600000LL + i);
    cql_statement_bind_bigint(st, 14, (1735689600000LL + i) * 1000);
}

static void on_done(void *opaque, cql_result *result, const struct cql_error *err);

static int64_t due_us(const struct bench *b, long row)
{
    return b->start_us + (int64_t)((double)row * 1e6 / b->rate);
}

static void submit(struct bench *b)
{
    long row = b->submitted++;
    cql_statement *st = cql_prepared_bind(b->insert);
    bind_row(st, b->seed, row);
    cql_statement_set_idempotent(st, true);
    struct cql_error e;
    b->sent_us[row] = b->rate > 0 ? due_us(b, row) : up_mono_us();
    if (cql_session_execute(b->s, st, on_done, (void *)(intptr_t)row, &e) != 0) {
        fprintf(stderr, "bench_cql: submit: %s\n", e.message);
        exit(1);
    }
    cql_statement_free(st);
}

static struct bench *the_bench;

static void on_done(void *opaque, cql_result *result, const struct cql_error *err)
{
    struct bench *b = the_bench;
    long row = (long)(intptr_t)opaque;
    int64_t us = up_mono_us() - b->sent_us[row];
    b->lat_us[row] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
    b->done++;
    if (!result) {
        if (b->failed++ < 5)
            fprintf(stderr, "bench_cql: insert failed: %s\n", err->message);
    }
    if (b->rate <= 0 &&
        b->submitted < b->rows) /* keep the window full, as execute_concurrent does */
        submit(b);
}

/* Open loop: whatever is due goes out (as far as IN_FLIGHT allows), then the session is
 * served for up to a millisecond. Sleeping to the exact due time would spin at 13k rows/s;
 * a row sent up to 1 ms late carries that millisecond in its latency. */
static void offer_at_rate(struct bench *b, int64_t t0)
{
    b->start_us = t0;
    while (b->done < b->rows) {
        long due = (long)((double)(up_mono_us() - t0) * b->rate / 1e6) + 1;
        while (b->submitted < b->rows && b->submitted < due && b->submitted - b->done < b->depth)
            submit(b);
        cql_session_poll(b->s, 1);
    }
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, c = *(const uint32_t *)y;
    return a < c ? -1 : a > c;
}

static double percentile_ms(const uint32_t *sorted, long n, double p)
{
    long i = (long)(p * (double)(n - 1) + 0.5);
    return sorted[i] / 1000.0;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: bench_cql CONTACT KEYSPACE TABLE ROWS IN_FLIGHT [--compression] "
                        "[--connections N] [--samples FILE] [--seed S] [--rate R] "
                        "[--consistency CL] [--speculative-delay MS]\n");
        return 2;
    }
    struct bench b = {0};
    the_bench = &b;
    b.rows = atol(argv[4]);
    b.depth = atol(argv[5]);
    b.seed = 1;
    const char *samples = NULL;
    struct cql_cli_opts o = {.cassandra = argv[1], .user = getenv("USERPIPE_CASSANDRA_USER")};
    if (!o.user)
        o.user = "cassandra";
    o.password_file = getenv("USERPIPE_CASSANDRA_PASSWORD_FILE");
    int connections = 1, speculative_delay_ms = 0;
    const char *consistency = NULL;
    for (int i = 6; i < argc; i++) {
        if (strcmp(argv[i], "--compression") == 0)
            o.compression = true;
        else if (strcmp(argv[i], "--connections") == 0 && i + 1 < argc)
            connections = atoi(argv[++i]);
        else if (strcmp(argv[i], "--samples") == 0 && i + 1 < argc)
            samples = argv[++i];
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            b.seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--rate") == 0 && i + 1 < argc)
            b.rate = atof(argv[++i]);
        else if (strcmp(argv[i], "--consistency") == 0 && i + 1 < argc)
            consistency = argv[++i];
        else if (strcmp(argv[i], "--speculative-delay") == 0 && i + 1 < argc)
            speculative_delay_ms = atoi(argv[++i]);
    }
    if (b.rows <= 0 || b.depth <= 0 || b.rate < 0) {
        fprintf(stderr, "bench_cql: ROWS and IN_FLIGHT must be positive, RATE not negative\n");
        return 2;
    }
    struct cql_config cfg;
    char password[CQL_PASSWORD_MAX], err[512];
    if (cql_cli_config(&o, &cfg, password, sizeof password, err, sizeof err) != 0) {
        fprintf(stderr, "bench_cql: %s\n", err);
        return 2;
    }
    cfg.connections_per_host = connections;
    /* the stream's policy is 200 ms (stream/cql_client.h): what it costs is attempts per row */
    cfg.speculative_delay_ms = speculative_delay_ms;
    if (consistency && !cql_consistency_parse(consistency, &cfg.consistency)) {
        fprintf(stderr, "bench_cql: unknown consistency '%s'\n", consistency);
        return 2;
    }
    cfg.max_requests_per_connection = b.depth > 32768 ? 32768 : (int)b.depth;
    struct cql_error e;
    if (cql_session_connect(&cfg, &b.s, &e) != 0) {
        fprintf(stderr, "bench_cql: connect: %s\n", e.message);
        return 1;
    }
    struct up_buf q = UP_BUF_INIT;
    up_buf_printf(&q, "INSERT INTO %s.%s (", argv[2], argv[3]);
    for (size_t i = 0; i < NCOLS; i++)
        up_buf_printf(&q, "%s%s", i ? ", " : "", columns[i]);
    up_buf_puts(&q, ") VALUES (");
    for (size_t i = 0; i < NCOLS; i++)
        up_buf_puts(&q, i ? ", ?" : "?");
    up_buf_puts(&q, ") USING TIMESTAMP ?");
    if (cql_session_prepare_sync(b.s, q.data, &b.insert, &e) != 0) {
        fprintf(stderr, "bench_cql: prepare: %s\n", e.message);
        return 1;
    }
    b.lat_us = up_xcalloc((size_t)b.rows, sizeof *b.lat_us);
    b.sent_us = up_xcalloc((size_t)b.rows, sizeof *b.sent_us);

    double cpu0 = cpu_seconds();
    int64_t t0 = up_mono_us();
    if (b.rate > 0)
        offer_at_rate(&b, t0);
    else {
        for (long i = 0; i < b.depth && b.submitted < b.rows; i++)
            submit(&b);
        while (b.done < b.rows)
            cql_session_poll(b.s, 1000);
    }
    double seconds = (double)(up_mono_us() - t0) / 1e6;
    double cpu = cpu_seconds() - cpu0;

    if (samples) { /* every 10th latency, in ms, for the report's CDF */
        FILE *f = fopen(samples, "w");
        for (long i = 0; f && i < b.rows; i += 10)
            fprintf(f, "%.3f\n", b.lat_us[i] / 1000.0);
        if (f)
            fclose(f);
    }
    qsort(b.lat_us, (size_t)b.rows, sizeof *b.lat_us, cmp_u32);
    struct cql_stats st;
    cql_session_stats(b.s, &st);
    printf("{\"rows\": %ld, \"failed\": %ld, \"in_flight\": %ld, \"seconds\": %.3f, "
           "\"rows_per_s\": %.1f, \"latency_p50_ms\": %.3f, \"latency_p99_ms\": %.3f, "
           "\"latency_p999_ms\": %.3f, \"cpu_s\": %.3f, \"cpu_s_per_100k\": %.3f, "
           "\"retries\": %llu, \"speculative_sent\": %llu, \"speculative_won\": %llu, "
           "\"bytes_sent\": %llu, \"offered_per_s\": %.0f}\n",
           b.rows - b.failed, b.failed, b.depth, seconds, (double)b.rows / seconds,
           percentile_ms(b.lat_us, b.rows, 0.50), percentile_ms(b.lat_us, b.rows, 0.99),
           percentile_ms(b.lat_us, b.rows, 0.999), cpu, cpu * 100000.0 / (double)b.rows,
           (unsigned long long)st.retries, (unsigned long long)st.speculative_sent,
           (unsigned long long)st.speculative_won, (unsigned long long)st.bytes_sent, b.rate);
    free(b.lat_us);
    free(b.sent_us);
    up_buf_free(&q);
    cql_prepared_free(b.insert);
    cql_session_free(b.s);
    explicit_bzero(password, sizeof password);
    return b.failed == 0 ? 0 : 1;
}
