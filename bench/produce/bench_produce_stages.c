/* bench_produce_stages: the stages of `userpipe produce` measured alone, to see which
 * one bounds the whole.
 *   bench_produce_stages fetch URL USERS BATCH WORKERS   API -> parsed, transformed batches
 *   bench_produce_stages transform FILE ROUNDS           one saved page, parse + transform
 *   bench_produce_stages kafka BROKERS TOPIC USERS       fixed ~600 B records -> Kafka, acked
 *   bench_produce_stages kafka-file BROKERS TOPIC FILE   the "key<TAB>value" lines of FILE ->
 * Kafka, acked (bench/produce/kafka-peers: the records its peers send); the topic is kept Prints
 * one JSON line: {"stage":..,"users":..,"seconds":..,"users_per_second":.., "cpu_seconds":..}. */
#include "core/clock.h"
#include "kafka/admin.h"
#include "kafka/producer.h"
#include "source/batch.h"
#include "source/fetcher.h"
#include "source/json_arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(const char *stage, long long users, int64_t t0_us, double cpu0)
{
    double secs = (double)(up_mono_us() - t0_us) / 1e6;
    printf("{\"stage\":\"%s\",\"users\":%lld,\"seconds\":%.3f,\"users_per_second\":%.0f,"
           "\"cpu_seconds\":%.3f}\n",
           stage, users, secs, secs > 0 ? (double)users / secs : 0, cpu_seconds() - cpu0);
}

static int bench_fetch(const char *url, long long users, int batch, int workers)
{
    struct up_fetcher_config cfg = {
        .client = {.url = url, .timeout_ms = 30000, .max_retries = 3},
        .seed = "bench",
        .batch = batch,
        .count = users,
        .workers = workers,
    };
    char err[1024];
    int64_t t0 = up_mono_us();
    double c0 = cpu_seconds();
    struct up_fetcher *f = up_fetcher_start(&cfg, err, sizeof err);
    if (!f) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    long long got = 0;
    for (;;) {
        struct up_batch *b;
        enum up_fetch_status st = up_fetcher_next(f, 1000, &b, err, sizeof err);
        if (st == UP_FETCH_BATCH) {
            got += (long long)up_batch_users(b);
            up_fetcher_release(f, b);
        } else if (st == UP_FETCH_END) {
            break;
        } else if (st == UP_FETCH_ERROR) {
            fprintf(stderr, "%s\n", err);
            up_fetcher_free(f);
            return 1;
        }
    }
    up_fetcher_free(f);
    report("fetch", got, t0, c0);
    return 0;
}

static int bench_transform(const char *file, int rounds)
{
    FILE *fp = fopen(file, "rb");
    if (!fp) {
        perror(file);
        return 1;
    }
    struct up_buf text = UP_BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        up_buf_append(&text, chunk, n);
    fclose(fp);
    struct up_batch b;
    up_batch_init(&b);
    long long users = 0;
    up_json_arena_install();
    struct up_json_arena *arena = up_json_arena_new((size_t)512 << 20);
    int64_t t0 = up_mono_us();
    double c0 = cpu_seconds();
    for (int r = 0; r < rounds; r++) {
        up_json_arena_begin(arena);
        json_error_t e;
        json_t *root = json_loadb(text.data, text.len, 0, &e);
        if (!root) {
            fprintf(stderr, "%s: %s\n", file, e.text);
            return 1;
        }
        up_batch_reset(&b);
        up_batch_add_results(&b, json_object_get(root, "results"), (size_t)-1);
        users += (long long)up_batch_users(&b);
        up_json_arena_end();
        up_json_arena_reset(arena);
    }
    up_json_arena_free(arena);
    report("transform", users, t0, c0);
    up_batch_free(&b);
    up_buf_free(&text);
    return 0;
}

static int bench_kafka(const char *brokers, const char *topic, long long users)
{
    struct up_producer_config cfg = {.brokers = brokers};
    char err[1024];
    struct up_producer *p = up_producer_new(&cfg, err, sizeof err);
    if (!p || up_kafka_ensure_topic(up_producer_handle(p), topic, 6, 1, 10000, NULL, err,
                                    sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    char value[640];
    int64_t t0 = up_mono_us();
    double c0 = cpu_seconds();
    for (long long i = 0; i < users; i++) {
        char key[40];
        int klen = snprintf(key, sizeof key, "%08llx-0000-4000-8000-000000000000", i);
        int vlen = snprintf(value, sizeof value,
                            "{\"id\":\"%s\",\"first_name\":\"Marco\",\"last_name\":\"Dubois\","
                            "\"gender\":\"male\",\"address\":\"3709 Seestrasse, Carouge, Genève, "
                            "Switzerland\",\"post_code\":\"1360\",\"email\":\"marco.dubois@example"
                            ".com\",\"username\":\"redladybug105\",\"dob\":\"1977-12-31T04:48:24.2"
                            "03Z\",\"registered_date\":\"2017-09-19T14:12:55.497Z\",\"phone\":\"0"
                            "81 482 74 99\",\"picture\":\"https://randomuser.me/api/portraits/med/"
                            "men/41.jpg\",\"nat\":\"CH\"}",
                            key);
        if (up_producer_send(p, topic, key, (size_t)klen, value, (size_t)vlen, NULL, 0, NULL, err,
                             sizeof err) != UP_SEND_OK) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        if ((i & 1023) == 0)
            up_producer_poll(p, 0);
    }
    long left = up_producer_flush(p, 60000);
    struct up_producer_counts c;
    up_producer_counts(p, &c);
    report("kafka", (long long)c.delivered, t0, c0);
    up_kafka_delete_topic(up_producer_handle(p), topic, 10000, err, sizeof err);
    up_producer_free(p);
    return left == 0 && c.failed == 0 ? 0 : 1;
}

/* The lines of FILE ("key\tvalue\n"), read before the clock starts, sent in order. */
static int bench_kafka_file(const char *brokers, const char *topic, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    char *data = malloc((size_t)size + 1);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "%s: read failed\n", path);
        return 1;
    }
    fclose(f);
    data[size] = '\0';
    struct up_producer_config cfg = {.brokers = brokers};
    char err[1024];
    struct up_producer *p = up_producer_new(&cfg, err, sizeof err);
    if (!p) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    long long sent = 0;
    int64_t t0 = up_mono_us();
    double c0 = cpu_seconds();
    for (char *line = data; *line;) {
        char *end = strchr(line, '\n');
        if (!end)
            end = data + size;
        char *tab = memchr(line, '\t', (size_t)(end - line));
        if (tab &&
            up_producer_send(p, topic, line, (size_t)(tab - line), tab + 1, (size_t)(end - tab - 1),
                             NULL, 0, NULL, err, sizeof err) != UP_SEND_OK) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        if ((++sent & 1023) == 0)
            up_producer_poll(p, 0);
        line = *end ? end + 1 : end;
    }
    long left = up_producer_flush(p, 60000);
    struct up_producer_counts c;
    up_producer_counts(p, &c);
    report("kafka-file", (long long)c.delivered, t0, c0);
    up_producer_free(p);
    free(data);
    return left == 0 && c.failed == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "kafka-file") == 0)
        return bench_kafka_file(argv[2], argv[3], argv[4]);
    if (argc == 6 && strcmp(argv[1], "fetch") == 0)
        return bench_fetch(argv[2], atoll(argv[3]), atoi(argv[4]), atoi(argv[5]));
    if (argc == 4 && strcmp(argv[1], "transform") == 0)
        return bench_transform(argv[2], atoi(argv[3]));
    if (argc == 5 && strcmp(argv[1], "kafka") == 0)
        return bench_kafka(argv[2], argv[3], atoll(argv[4]));
    fprintf(stderr, "usage: bench_produce_stages fetch URL USERS BATCH WORKERS | kafka-file "
                    "BROKERS TOPIC FILE | transform FILE "
                    "ROUNDS | kafka BROKERS TOPIC USERS\n");
    return 2;
}
