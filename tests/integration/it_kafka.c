/* it_kafka: the Kafka side of the integration tests, the stress test and the benchmarks, over
 * src/kafka (librdkafka, no JVM). BROKERS is a bootstrap list; exit 0 on success, 1 on a Kafka
 * error or a failed check (the reason on stderr), 2 on a usage error.
 * Topics and groups:
 *   it_kafka create BROKERS TOPIC PARTITIONS [RF]
 *       create a topic (exists: fine) at replication factor RF (default 1)
 *   it_kafka delete BROKERS TOPIC...           delete topics (absent: fine)
 *   it_kafka partitions BROKERS TOPIC          print the partition count (0 = absent)
 *   it_kafka leaders BROKERS TOPIC             per partition "<partition> <leader id> <in-sync
 *       replicas> <end offset>" (leader -1 while there is none): the fault tests pick the
 *       leader to kill from it
 *   it_kafka delete-groups BROKERS GROUP...    delete consumer groups (without members)
 *   it_kafka members BROKERS GROUP             the client.id of every member of GROUP, one a
 *       line (what the broker was told: the --kafka-config test reads it)
 *   it_kafka acl BROKERS add|delete allow|deny PRINCIPAL OPERATION RESOURCE NAME
 *       an ACL (host *) on a secured cluster (run it as a super user): OPERATION as Kafka names
 *       it (Read, Write, Describe, Create, All, ...); RESOURCE topic, group, topic-prefix or
 *       group-prefix (a PREFIXED pattern); delete removes exactly that ACL
 *   it_kafka commit BROKERS GROUP TOPIC PARTITION OFFSET
 *       commit OFFSET for GROUP without joining it
 *   it_kafka committed BROKERS GROUP TOPIC
 *       prints "<partition> <committed> <end>" per partition (committed -1 = none)
 *   it_kafka join BROKERS GROUP TOPIC MS
 *       a consumer-group member that joins, consumes for MS ms and leaves (group churn for
 *       tests/stress/kafka_delivery)
 * Records (idempotent producer, acks=all; exit 1 unless every record is acknowledged):
 *   it_kafka produce BROKERS TOPIC TAG FROM TO [RATE]
 *       good records FROM..TO-1 of the deterministic set TAG (key = id), at most RATE/s
 *       (0 = as fast as possible)
 *   it_kafka produce-bad BROKERS TOPIC TAG
 *       one bad record of every kind, each between two good ones (TAG's indexes
 *       1000000..); prints "<reason> <key>" per bad record on stdout. The oversize one
 *       is 16 KiB: run the stream with --max-record-bytes 8KiB
 *   it_kafka users BROKERS TOPIC COUNT [RATE]
 *       the dashboard tests' users (first name Ana, user<N>@example.com, key = id, headers
 *       source: it_kafka and content-type), at most RATE/s
 *   it_kafka xss BROKERS TOPIC                one such user whose key and first name are markup
 *   it_kafka dlq BROKERS TOPIC REASON COUNT   users with the header userpipe.error.reason: REASON
 *   it_kafka send BROKERS TOPIC < FILE
 *       one record per line of FILE, a JSON object {"key", "value", "headers"}: a string key
 *       or value is sent as its bytes, any other JSON as its compact text, null (or absent) as
 *       no key / a tombstone; headers an object of strings. In order, as the lines come
 * Reading:
 *   it_kafka dump BROKERS TOPIC IDLE_MS
 *       every message from the beginning of every partition, one JSON object per line:
 *       {"partition","offset","timestamp","key","value","headers"} (timestamp in ms, -1 if
 *       none); ends when all partitions reached their end and nothing came for IDLE_MS
 *   it_kafka audit BROKERS TOPIC TAG FROM TO
 *       reads every partition of TOPIC to its end and sets what it holds against records
 *       FROM..TO-1 of TAG: one line "audit: records= distinct= missing= duplicated=
 *       foreign=", the first few missing and duplicated ones named; exit 1 unless the topic
 *       holds each record exactly once and nothing else
 *   it_kafka latency BROKERS TOPIC N
 *       reads N records of TOPIC from its beginning with no group and no work per record
 *       (Kafka alone: bench/stream/run's floor for the stream's end-to-end latency); prints
 *       one JSON line with record timestamp -> received p50/p99/p99.9/max in ms
 * The same TAG and index always give the same record, so tests and the checker agree.
 * IT_KAFKA_CONFIG=FILE: a librdkafka properties file (what userpipe --kafka-config reads) for
 * every client, to talk to a secured cluster. */
#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/record.h"
#include "kafka/admin.h"
#include "kafka/config.h"
#include "kafka/producer.h"

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void die(const char *what, const char *why)
{
    fprintf(stderr, "it_kafka: %s: %s\n", what, why);
    exit(1);
}

/* IT_KAFKA_CONFIG's properties, as "key=value" items of out (none when it is unset). */
static void config_file_props(struct up_str_list *out)
{
    const char *path = getenv("IT_KAFKA_CONFIG");
    if (!path || !*path)
        return;
    struct up_kafka_properties props;
    char err[512];
    if (up_kafka_properties_load(path, &props, err, sizeof err) != 0)
        die("IT_KAFKA_CONFIG", err);
    for (size_t i = 0; i < props.len; i++) {
        struct up_buf kv = UP_BUF_INIT;
        up_buf_printf(&kv, "%s=%s", props.items[i].key, props.items[i].value);
        up_str_list_push(out, kv.data);
        up_buf_free(&kv);
    }
    up_kafka_properties_free(&props);
}

/* A client of the given type; group (may be NULL) and the NULL-terminated key, value pairs
 * in extra (may be NULL) set on top of bootstrap.servers. */
static rd_kafka_t *new_handle(rd_kafka_type_t type, const char *brokers, const char *group,
                              const char *const *extra)
{
    char err[512];
    struct up_str_list props = {0};
    config_file_props(&props);
    rd_kafka_conf_t *conf = up_kafka_conf_new(brokers, &props, extra, err, sizeof err);
    up_str_list_free(&props);
    if (!conf || (group && up_kafka_conf_set(conf, "group.id", group, err, sizeof err) != 0))
        die("config", err);
    rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof err);
    if (!rk)
        die("client", err);
    return rk;
}

/* ---------------------------------------------------------- the deterministic records */

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static uint64_t tag_hash(const char *tag)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = tag; *p; p++)
        h = (h ^ (uint8_t)*p) * 1099511628211ULL;
    return h;
}

/* A version-4-shaped uuid from (tag, index). */
static void make_id(const char *tag, long i, char out[37])
{
    uint64_t a = mix(tag_hash(tag) ^ (uint64_t)i), b = mix(a ^ 0x9e3779b97f4a7c15ULL);
    snprintf(out, 37, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
             (unsigned)(0x8000 | ((b >> 48) & 0x3fff)),
             (unsigned long long)(b & 0xffffffffffffULL));
}

static const char *const first_names[] = {"Zoë",   "Jörg",  "Đorđe",     "Siobhán",
                                          "Ørjan", "Çağla", "Ana María", "Jean-Luc",
                                          "Mia",   "Ваня",  "آرش"};
static const char *const last_names[] = {"O'Brien",  "Müller", "Østergård", "Nguyễn",
                                         "D'Angelo", "Smith",  "Şahin",     "van der Berg"};

/* Fills r (strings owned by the caller's buffers) with record i of the set. */
static void make_record(const char *tag, long i, char id[37], char bufs[6][160],
                        struct up_record *r)
{
    uint64_t h = mix(tag_hash(tag) + (uint64_t)i * 7919);
    make_id(tag, i, id);
    memset(r, 0, sizeof *r);
    r->fields[UP_FIELD_id] = id;
    r->fields[UP_FIELD_first_name] = (char *)first_names[h % 11];
    r->fields[UP_FIELD_last_name] = (char *)last_names[(h >> 8) % 8];
    r->fields[UP_FIELD_gender] = (char *)((h >> 16) & 1 ? "female" : "male");
    snprintf(bufs[0], 160, "%ld Rue d'Alésia, Paris, Île-de-France, France", i % 9000 + 1);
    r->fields[UP_FIELD_address] = bufs[0];
    snprintf(bufs[1], 160, "%05lu", (unsigned long)(h % 100000));
    r->fields[UP_FIELD_post_code] = bufs[1];
    snprintf(bufs[2], 160, "user%ld.%s@example.com", i, tag);
    r->fields[UP_FIELD_email] = bufs[2];
    snprintf(bufs[3], 160, "user%ld", i);
    r->fields[UP_FIELD_username] = bufs[3];
    char iso[UP_ISO8601_LEN];
    up_iso8601_format(-631152000000LL + (int64_t)(h % 1500000000000ULL), iso);
    snprintf(bufs[4], 160, "%s", iso);
    r->fields[UP_FIELD_dob] = bufs[4];
    up_iso8601_format(1000000000000LL + (int64_t)((h >> 3) % 700000000000ULL), iso);
    snprintf(bufs[5], 160, "%s", iso);
    r->fields[UP_FIELD_registered_date] = bufs[5];
    r->fields[UP_FIELD_phone] = (char *)"(272) 790-0888";
    r->fields[UP_FIELD_picture] = (char *)"https://randomuser.me/api/portraits/med/men/1.jpg";
    r->fields[UP_FIELD_nat] = (char *)"FR";
}

/* ---------------------------------------------------------------------- producing */

/* What the broker acknowledged, per partition, logged when producing ends: a test that finds
 * fewer records in the topic than it produced sets these against the partitions' ends. The
 * offsets seen tell the two ways a topic can end short apart: acknowledged offsets past the
 * end are records the broker dropped after acknowledging them; an offset acknowledged twice is
 * a record the broker took for a duplicate it does not hold. Reports without a real offset
 * (librdkafka's guess after a 'duplicate sequence number' answer) never get here: the
 * producer (kafka/producer.h, as `userpipe produce` uses it) sends those again. */
#define MAX_PARTITIONS 64
static struct acked {
    long count, offset_again;
    int64_t next_offset;
    uint8_t *seen; /* one bit per offset */
    size_t seen_bytes;
} acked[MAX_PARTITIONS];

static void note_offset(struct acked *a, int64_t offset)
{
    size_t byte = (size_t)(offset >> 3);
    if (byte >= a->seen_bytes) {
        size_t grown = a->seen_bytes ? a->seen_bytes : 4096;
        while (grown <= byte)
            grown *= 2;
        uint8_t *seen = realloc(a->seen, grown);
        if (!seen)
            die("memory", "offset bitmap");
        memset(seen + a->seen_bytes, 0, grown - a->seen_bytes);
        a->seen = seen;
        a->seen_bytes = grown;
    }
    uint8_t bit = (uint8_t)(1u << (offset & 7));
    if (a->seen[byte] & bit)
        a->offset_again++;
    a->seen[byte] |= bit;
    if (offset + 1 > a->next_offset)
        a->next_offset = offset + 1;
}

static void on_delivery(void *ctx, const struct up_delivery *d)
{
    long *failed = ctx;
    if (d->err) {
        (*failed)++;
    } else if (d->partition >= 0 && d->partition < MAX_PARTITIONS && d->offset >= 0) {
        acked[d->partition].count++;
        note_offset(&acked[d->partition], d->offset);
    }
}

static void print_acked(void)
{
    for (int p = 0; p < MAX_PARTITIONS; p++) {
        struct acked *a = &acked[p];
        if (a->count)
            fprintf(stderr,
                    "it_kafka: partition %d: %ld acknowledged, last offset %lld, %ld at "
                    "an offset acknowledged before\n",
                    p, a->count, (long long)a->next_offset - 1, a->offset_again);
        free(a->seen);
    }
}

static void send_with(struct up_producer *p, const char *topic, const char *key, const void *value,
                      size_t len, const struct up_header *headers, size_t nheaders)
{
    char err[512];
    if (up_producer_send(p, topic, key, key ? strlen(key) : 0, value, len, headers, nheaders, NULL,
                         err, sizeof err) != UP_SEND_OK)
        die("produce", err);
}

static void send_one(struct up_producer *p, const char *topic, const char *key, const void *value,
                     size_t len)
{
    send_with(p, topic, key, value, len, NULL, 0);
}

static void send_good(struct up_producer *p, const char *topic, const char *tag, long i)
{
    char id[37], bufs[6][160];
    struct up_record r;
    make_record(tag, i, id, bufs, &r);
    struct up_buf b = UP_BUF_INIT;
    up_record_to_json(&r, &b);
    send_one(p, topic, id, b.data, b.len);
    up_buf_free(&b);
}

/* The producer `userpipe produce` uses (idempotent, acks=all), batching for 5 ms as the tests
 * have always produced. IT_KAFKA_DEBUG=eos,topic,...: librdkafka's own account of a run;
 * IT_KAFKA_PROPS: librdkafka properties on top (the stress compares settings with it). */
static struct up_producer *new_producer(const char *brokers, long *failed)
{
    struct up_str_list props = {0};
    up_str_list_push(&props, "linger.ms=5");
    const char *debug = getenv("IT_KAFKA_DEBUG");
    char kv[256], err[512];
    if (debug && *debug) {
        snprintf(kv, sizeof kv, "debug=%s", debug);
        up_str_list_push(&props, kv);
    }
    config_file_props(&props);
    /* IT_KAFKA_PROPS="k=v k=v": more producer properties, as -X gives them to userpipe */
    char *extra = up_xstrdup(getenv("IT_KAFKA_PROPS") ? getenv("IT_KAFKA_PROPS") : ""), *save;
    for (char *kv2 = strtok_r(extra, " ", &save); kv2; kv2 = strtok_r(NULL, " ", &save))
        up_str_list_push(&props, kv2);
    free(extra);
    up_log_setup("it_kafka", UP_LOG_TEXT, debug && *debug ? UP_LOG_DEBUG : UP_LOG_WARN);
    struct up_producer_config cfg = {.brokers = brokers,
                                     .props = &props,
                                     .client_id = "it_kafka",
                                     .on_delivery = on_delivery,
                                     .ctx = failed};
    struct up_producer *p = up_producer_new(&cfg, err, sizeof err);
    up_str_list_free(&props); /* applied to librdkafka's configuration by now */
    if (!p)
        die("producer", err);
    return p;
}

static int finish(struct up_producer *p, long *failed, long n)
{
    if (up_producer_flush(p, 60000) != 0)
        die("flush", "timed out");
    struct up_producer_counts c;
    up_producer_counts(p, &c);
    up_producer_free(p);
    print_acked();
    if (c.unconfirmed)
        fprintf(stderr,
                "it_kafka: %llu reported delivered without an offset (not confirmed in the "
                "log: counted as not delivered)\n",
                (unsigned long long)c.unconfirmed);
    if (*failed) {
        fprintf(stderr, "it_kafka: %ld of %ld not delivered\n", *failed, n);
        return 1;
    }
    /* every message must have had its delivery report, and a good one */
    long acked_total = 0, offset_again = 0;
    for (int part = 0; part < MAX_PARTITIONS; part++) {
        acked_total += acked[part].count;
        offset_again += acked[part].offset_again;
    }
    if (acked_total != n) {
        fprintf(stderr, "it_kafka: %ld of %ld acknowledged\n", acked_total, n);
        return 1;
    }
    if (offset_again) {
        fprintf(stderr,
                "it_kafka: %ld acknowledged at an offset another record had: "
                "the log does not hold them\n",
                offset_again);
        return 1;
    }
    return 0;
}

/* Record n of a run that started at t0 (monotonic us) is due n/rate s later: serve delivery
 * reports until then (rate <= 0: at once). */
static void pace(struct up_producer *p, int64_t t0, long n, double rate)
{
    if (rate <= 0)
        return;
    int64_t due = t0 + (int64_t)((double)n * 1e6 / rate);
    int64_t now = up_mono_us();
    if (due > now)
        up_producer_poll(p, (int)((due - now) / 1000));
}

static int cmd_produce(const char *brokers, const char *topic, const char *tag, long from, long to,
                       double rate)
{
    long failed = 0;
    struct up_producer *p = new_producer(brokers, &failed);
    /* A paced run measures latency from each record's timestamp: connect and learn the
     * leaders first, so that the first records do not carry the producer's start-up. */
    int parts;
    char err[512];
    if (rate > 0 && up_kafka_topic_partitions(up_producer_handle(p), topic, 10000, &parts, err,
                                              sizeof err) != 0)
        die("metadata", err);
    int64_t t0 = up_mono_us();
    for (long i = from; i < to; i++) {
        pace(p, t0, i - from, rate);
        send_good(p, topic, tag, i);
        up_producer_poll(p, 0);
    }
    return finish(p, &failed, to - from);
}

/* A good record's JSON with one field replaced by raw JSON text (NULL: removed). */
static char *good_json_with(const char *tag, long i, const char *field, const char *raw,
                            char id[37])
{
    char bufs[6][160];
    struct up_record r;
    make_record(tag, i, id, bufs, &r);
    struct up_buf b = UP_BUF_INIT;
    up_buf_putc(&b, '{');
    bool first = true;
    for (int f = 0; f < UP_RECORD_NFIELDS; f++) {
        bool replaced = field && strcmp(field, up_record_field_names[f]) == 0;
        if (replaced && !raw)
            continue;
        up_buf_printf(&b, "%s\"%s\":", first ? "" : ",", up_record_field_names[f]);
        first = false;
        if (replaced) {
            up_buf_puts(&b, raw);
        } else {
            up_buf_putc(&b, '"');
            up_buf_json_escape(&b, r.fields[f], strlen(r.fields[f]));
            up_buf_putc(&b, '"');
        }
    }
    up_buf_putc(&b, '}');
    return up_buf_steal(&b);
}

static int cmd_produce_bad(const char *brokers, const char *topic, const char *tag)
{
    long failed = 0, n = 0, good = 1000000;
    struct up_producer *p = new_producer(brokers, &failed);
    struct bad {
        const char *reason;
        const char *field, *raw; /* a replaced field, or */
        const char *value;       /* a whole raw value */
        bool key_differs, no_value;
    } bads[] = {
        {"malformed_json", NULL, NULL, "{\"id\": \"x\", ", false, false},
        {"not_object", NULL, NULL, "[\"a\", \"b\"]", false, false},
        {"missing_field", "email", NULL, NULL, false, false},
        {"wrong_type", "post_code", "75014", NULL, false, false},
        {"bad_uuid", "id", "\"NOT-A-UUID\"", NULL, false, false},
        {"key_mismatch", NULL, NULL, NULL, true, false},
        {"bad_date", "dob", "\"1990-02-30T00:00:00.000Z\"", NULL, false, false},
        {"invalid_utf8", "first_name", "\"Zo\xC3\"", NULL, false, false},
        {"oversize", "address", NULL, NULL, false, false}, /* built below */
        {"empty_value", NULL, NULL, NULL, false, true},
    };
    for (size_t k = 0; k < sizeof bads / sizeof bads[0]; k++) {
        send_good(p, topic, tag, good++);
        n++;
        char id[37], key[64];
        char *value = NULL;
        struct bad *b = &bads[k];
        long i = good++;
        if (strcmp(b->reason, "oversize") == 0) {
            /* 16 KiB of valid text: the tests run stream with --max-record-bytes 8KiB */
            size_t big = 16u << 10;
            char *raw = malloc(big + 3);
            raw[0] = '"';
            memset(raw + 1, 'a', big);
            raw[big + 1] = '"';
            raw[big + 2] = '\0';
            value = good_json_with(tag, i, "address", raw, id);
            free(raw);
        } else if (b->value) {
            make_id(tag, i, id);
            value = strdup(b->value);
        } else if (!b->no_value) {
            value = good_json_with(tag, i, b->field, b->field ? b->raw : NULL, id);
        } else {
            make_id(tag, i, id);
        }
        snprintf(key, sizeof key, "%s", b->key_differs ? "0000-not-the-id" : id);
        send_one(p, topic, key, value, value ? strlen(value) : 0);
        printf("%s %s\n", b->reason, key);
        free(value);
        n++;
    }
    send_good(p, topic, tag, good++);
    n++;
    return finish(p, &failed, n);
}

/* ------------------------------------------------------------- records from a file */

/* The bytes a "key" or "value" member stands for; NULL for null or absent. */
static char *record_bytes(json_t *v, size_t *len)
{
    if (!v || json_is_null(v)) {
        *len = 0;
        return NULL;
    }
    if (json_is_string(v)) {
        *len = json_string_length(v);
        return up_xstrndup(json_string_value(v), *len);
    }
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    *len = strlen(s);
    return s;
}

static int cmd_send(const char *brokers, const char *topic)
{
    long failed = 0, n = 0;
    struct up_producer *p = new_producer(brokers, &failed);
    char line[65536];
    while (fgets(line, sizeof line, stdin)) {
        json_error_t e;
        json_t *rec = json_loads(line, 0, &e);
        if (!json_is_object(rec))
            die("send: a line is not a JSON object", e.text);
        size_t klen, vlen;
        char *key = record_bytes(json_object_get(rec, "key"), &klen);
        char *value = record_bytes(json_object_get(rec, "value"), &vlen);
        struct up_header hs[16];
        size_t nh = 0;
        const char *name;
        json_t *hv;
        json_object_foreach(json_object_get(rec, "headers"), name, hv)
        {
            if (nh < 16 && json_is_string(hv))
                hs[nh++] = (struct up_header){name, json_string_value(hv), json_string_length(hv)};
        }
        char err[512];
        if (up_producer_send(p, topic, key, klen, value, vlen, hs, nh, NULL, err, sizeof err) !=
            UP_SEND_OK)
            die("produce", err);
        free(key);
        free(value);
        json_decref(rec);
        n++;
    }
    return finish(p, &failed, n);
}

/* ---------------------------------------------------------- the dashboard's users */

static void user_json(char *out, size_t len, const char *id, long n, const char *first)
{
    static const char *const lasts[] = {"Garcia", "Müller", "Smith", "Dubois", "Rossi", "Novak"};
    static const char *const nats[] = {"ES", "DE", "US", "FR", "IT", "CZ"};
    snprintf(
        out, len,
        "{\"id\":\"%s\",\"first_name\":\"%s\",\"last_name\":\"%s\",\"gender\":\"%s\","
        "\"address\":\"%ld Main Street, Springfield, Oregon, United States\","
        "\"post_code\":\"%05ld\",\"email\":\"user%ld@example.com\",\"username\":\"user%ld\","
        "\"dob\":\"1990-01-%02ldT10:00:00.000Z\",\"registered_date\":\"2015-06-01T08:30:00.000Z\","
        "\"phone\":\"(555) 01%02ld\",\"picture\":\"https://example.com/p/%ld.jpg\","
        "\"nat\":\"%s\"}",
        id, first, lasts[n % 6], n % 2 ? "female" : "male", n, n % 100000, n, n, 1 + n % 28,
        n % 100, n % 100, nats[n % 6]);
}

/* count users at most rate/s; reason (may be NULL) goes into userpipe.error.reason (a DLQ
 * record), xss makes the key and the first name markup. */
static int cmd_users(const char *brokers, const char *topic, long count, double rate,
                     const char *reason, bool xss)
{
    long failed = 0;
    struct up_producer *p = new_producer(brokers, &failed);
    long seed = (long)(up_wall_ms() / 1000 % 100000);
    const char *kind = reason ? "userpipe.error.reason" : "content-type";
    const char *kind_value = reason ? reason : "application/json";
    const struct up_header headers[] = {{"source", "it_kafka", strlen("it_kafka")},
                                        {kind, kind_value, strlen(kind_value)}};
    int64_t t0 = up_mono_us();
    for (long i = 0; i < count; i++) {
        char id[64], value[1024];
        snprintf(id, sizeof id, "%08lx-0000-4000-8000-%012lx", seed, i);
        user_json(value, sizeof value, id, i, xss ? "<script>alert(1)</script>" : "Ana");
        pace(p, t0, i, rate);
        send_with(p, topic, xss ? "<img src=x onerror=alert(2)>" : id, value, strlen(value),
                  headers, 2);
        up_producer_poll(p, 0);
    }
    return finish(p, &failed, count);
}

/* ------------------------------------------------------------------- Kafka alone */

static int cmp_long(const void *x, const void *y)
{
    long a = *(const long *)x, b = *(const long *)y;
    return a < b ? -1 : a > b;
}

/* The stream's consumer settings that shape latency (kafka/consumer.c), nothing else. */
static rd_kafka_t *new_probe(const char *brokers)
{
    static const char *const extra[] = {"enable.auto.commit", "false", "fetch.wait.max.ms", "100",
                                        NULL};
    rd_kafka_t *rk = new_handle(RD_KAFKA_CONSUMER, brokers, "it-kafka-latency", extra);
    rd_kafka_poll_set_consumer(rk);
    return rk;
}

static int cmd_latency(const char *brokers, const char *topic, long n)
{
    if (n <= 0)
        die("latency", "N must be positive");
    rd_kafka_t *c = new_probe(brokers);
    int parts = 0;
    char err[512];
    if (up_kafka_topic_partitions(c, topic, 10000, &parts, err, sizeof err) != 0)
        die("metadata", err);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(parts);
    for (int i = 0; i < parts; i++) /* assign, not subscribe: no group join to wait for */
        rd_kafka_topic_partition_list_add(l, topic, i)->offset = RD_KAFKA_OFFSET_BEGINNING;
    if (rd_kafka_assign(c, l))
        die("assign", "refused");
    rd_kafka_topic_partition_list_destroy(l);
    long *ms = calloc((size_t)n, sizeof *ms), got = 0;
    if (!ms)
        die("latency", "out of memory");
    int quiet_s = 0;
    while (got < n) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 1000);
        if (!m) {
            if (++quiet_s >= 60)
                die("latency", "no record for 60 s");
            continue;
        }
        quiet_s = 0;
        if (m->err)
            fprintf(stderr, "it_kafka: %s\n", rd_kafka_message_errstr(m));
        else
            ms[got++] = (long)(up_wall_ms() - rd_kafka_message_timestamp(m, NULL));
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
    qsort(ms, (size_t)n, sizeof *ms, cmp_long);
    printf("{\"records\": %ld, \"latency_p50_ms\": %ld, \"latency_p99_ms\": %ld, "
           "\"latency_p999_ms\": %ld, \"latency_max_ms\": %ld}\n",
           n, ms[(n - 1) / 2], ms[(long)(0.99 * (double)(n - 1))],
           ms[(long)(0.999 * (double)(n - 1))], ms[n - 1]);
    free(ms);
    return 0;
}

/* -------------------------------------------------------------------------- dump */

static void put_json_string(struct up_buf *b, const void *p, size_t len)
{
    up_buf_putc(b, '"');
    up_buf_json_escape(b, p, len);
    up_buf_putc(b, '"');
}

static void put_json_string_or_null(struct up_buf *b, const void *p, size_t len)
{
    if (p)
        put_json_string(b, p, len);
    else
        up_buf_puts(b, "null");
}

static void print_message(const rd_kafka_message_t *m)
{
    struct up_buf b = UP_BUF_INIT;
    up_buf_printf(
        &b, "{\"partition\":%d,\"offset\":%lld,\"timestamp\":%lld,\"key\":", (int)m->partition,
        (long long)m->offset, (long long)rd_kafka_message_timestamp(m, NULL));
    put_json_string_or_null(&b, m->key, m->key_len);
    up_buf_puts(&b, ",\"value\":");
    put_json_string_or_null(&b, m->payload, m->len);
    up_buf_puts(&b, ",\"headers\":{");
    rd_kafka_headers_t *hdrs = NULL;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char *name;
        const void *val;
        size_t len;
        for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &val, &len) == 0; i++) {
            if (i)
                up_buf_putc(&b, ',');
            put_json_string(&b, name, strlen(name));
            up_buf_putc(&b, ':');
            put_json_string(&b, val ? val : "", val ? len : 0);
        }
    }
    up_buf_puts(&b, "}}\n");
    fputs(b.data, stdout);
    up_buf_free(&b);
}

static int cmd_dump(const char *brokers, const char *topic, int idle_ms)
{
    static const char *const extra[] = {"enable.auto.commit", "false", "enable.partition.eof",
                                        "true", NULL};
    char group[64], err[512];
    snprintf(group, sizeof group, "it-kafka-dump-%lld", (long long)up_wall_us());
    rd_kafka_t *rk = new_handle(RD_KAFKA_CONSUMER, brokers, group, extra);
    int parts = 0;
    if (up_kafka_topic_partitions(rk, topic, 10000, &parts, err, sizeof err) != 0 || parts == 0)
        die(topic, parts ? err : "absent");
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(parts);
    for (int p = 0; p < parts; p++)
        rd_kafka_topic_partition_list_add(list, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    /* Done when every partition is at its end and nothing came for idle_ms. */
    bool *at_end = up_xcalloc((size_t)parts, sizeof *at_end);
    int64_t last = up_mono_ms();
    for (;;) {
        bool all = true;
        for (int p = 0; p < parts; p++)
            all = all && at_end[p];
        if (all && up_mono_ms() - last >= idle_ms)
            break;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            at_end[m->partition] = true;
        } else if (m->err) {
            die("dump", rd_kafka_message_errstr(m));
        } else {
            at_end[m->partition] = false;
            print_message(m);
            last = up_mono_ms();
        }
        rd_kafka_message_destroy(m);
    }
    free(at_end);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return 0;
}

/* ------------------------------------------------------------------- the topic audit */

/* Record indexes by id: open addressing over the ids of FROM..TO-1, compared by
 * regenerating the id (records are deterministic, so nothing but the index is stored). */
struct id_index {
    const char *tag;
    long from;
    size_t mask;
    int32_t *slot; /* index - from, or -1 */
};

static size_t id_hash(const char *id, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)id[i]) * 1099511628211ULL;
    return (size_t)mix(h);
}

static void id_index_build(struct id_index *x, const char *tag, long from, long to)
{
    size_t n = (size_t)(to - from), size = 1024;
    while (size < 2 * n)
        size *= 2;
    x->tag = tag;
    x->from = from;
    x->mask = size - 1;
    x->slot = malloc(size * sizeof *x->slot);
    if (!x->slot)
        die("audit", "out of memory");
    memset(x->slot, 0xff, size * sizeof *x->slot);
    char id[37];
    for (long i = from; i < to; i++) {
        make_id(tag, i, id);
        size_t h = id_hash(id, 36) & x->mask;
        while (x->slot[h] >= 0)
            h = (h + 1) & x->mask;
        x->slot[h] = (int32_t)(i - from);
    }
}

/* The record index of a key, or -1 for a key outside the set. */
static long id_index_find(const struct id_index *x, const void *key, size_t len)
{
    if (len != 36)
        return -1;
    char id[37];
    for (size_t h = id_hash(key, len) & x->mask; x->slot[h] >= 0; h = (h + 1) & x->mask) {
        make_id(x->tag, x->from + x->slot[h], id);
        if (memcmp(id, key, 36) == 0)
            return x->from + x->slot[h];
    }
    return -1;
}

struct audit {
    long records, distinct, duplicated, foreign, shown_dup;
    uint16_t *copies;      /* per record index - from */
    int64_t *first_offset; /* partition << 48 | offset of the first copy */
};

static void audit_message(struct audit *a, const struct id_index *x, const rd_kafka_message_t *m)
{
    a->records++;
    long i = m->key ? id_index_find(x, m->key, m->key_len) : -1;
    if (i < 0) {
        a->foreign++;
        return;
    }
    long k = i - x->from;
    if (a->copies[k]++ == 0) {
        a->distinct++;
        a->first_offset[k] = ((int64_t)m->partition << 48) | m->offset;
        return;
    }
    a->duplicated++;
    if (a->shown_dup++ < 5)
        fprintf(stderr,
                "it_kafka: audit: record %ld again at partition %d offset %lld (first at "
                "partition %d offset %lld)\n",
                i, (int)m->partition, (long long)m->offset, (int)(a->first_offset[k] >> 48),
                (long long)(a->first_offset[k] & ((INT64_C(1) << 48) - 1)));
}

/* Reads every partition from its beginning up to the high watermark seen at the start. */
static void audit_read(rd_kafka_t *c, const char *topic, struct audit *a, const struct id_index *x)
{
    int parts = 0;
    char err[512];
    if (up_kafka_topic_partitions(c, topic, 10000, &parts, err, sizeof err) != 0)
        die("metadata", err);
    if (parts <= 0 || parts > MAX_PARTITIONS)
        die("audit", "the topic does not exist or has too many partitions");
    int64_t end[MAX_PARTITIONS], lo;
    int open = 0;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(parts);
    for (int p = 0; p < parts; p++) {
        if (rd_kafka_query_watermark_offsets(c, topic, p, &lo, &end[p], 10000))
            die("watermarks", "query failed");
        if (end[p] > lo) {
            rd_kafka_topic_partition_list_add(l, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
            open++;
        }
    }
    if (open && rd_kafka_assign(c, l))
        die("assign", "refused");
    rd_kafka_topic_partition_list_destroy(l);
    int quiet_s = 0;
    while (open > 0) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 1000);
        if (!m) {
            if (++quiet_s >= 60)
                die("audit", "no record for 60 s before the partitions' ends");
            continue;
        }
        quiet_s = 0;
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                die("audit", rd_kafka_message_errstr(m));
        } else if (m->partition >= 0 && m->partition < parts && m->offset < end[m->partition]) {
            audit_message(a, x, m);
            if (m->offset + 1 == end[m->partition])
                open--;
        }
        rd_kafka_message_destroy(m);
    }
}

static int cmd_audit(const char *brokers, const char *topic, const char *tag, long from, long to)
{
    if (from < 0 || to <= from || to - from > INT32_MAX / 4)
        die("audit", "FROM..TO must be a non-empty range of at most 500M records");
    struct id_index x;
    id_index_build(&x, tag, from, to);
    struct audit a = {.copies = calloc((size_t)(to - from), sizeof *a.copies),
                      .first_offset = calloc((size_t)(to - from), sizeof *a.first_offset)};
    if (!a.copies || !a.first_offset)
        die("audit", "out of memory");
    rd_kafka_t *c = new_probe(brokers);
    audit_read(c, topic, &a, &x);
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
    long missing = 0;
    for (long k = 0; k < to - from; k++)
        if (!a.copies[k] && missing++ < 5)
            fprintf(stderr, "it_kafka: audit: record %ld is not in the topic\n", from + k);
    printf("audit: records=%ld distinct=%ld missing=%ld duplicated=%ld foreign=%ld\n", a.records,
           a.distinct, missing, a.duplicated, a.foreign);
    free(a.copies);
    free(a.first_offset);
    free(x.slot);
    return missing || a.duplicated || a.foreign ? 1 : 0;
}

/* A group member for MS ms: joins (a rebalance for everyone in the group), reads, leaves. */
static int cmd_join(const char *brokers, const char *group, const char *topic, long ms)
{
    rd_kafka_t *c = new_handle(RD_KAFKA_CONSUMER, brokers, group, NULL);
    rd_kafka_poll_set_consumer(c);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(c, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (e)
        die("subscribe", rd_kafka_err2str(e));
    int64_t until = up_mono_ms() + ms;
    long got = 0;
    while (up_mono_ms() < until) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 200);
        if (m) {
            got += !m->err;
            rd_kafka_message_destroy(m);
        }
    }
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
    printf("joined %s for %ld ms, read %ld\n", group, ms, got);
    return 0;
}

/* ------------------------------------------------------------------- housekeeping */

static int cmd_committed(const char *brokers, const char *group, const char *topic)
{
    rd_kafka_t *c = new_handle(RD_KAFKA_CONSUMER, brokers, group, NULL);
    int parts = 0;
    char err[512];
    if (up_kafka_topic_partitions(c, topic, 10000, &parts, err, sizeof err) != 0)
        die("metadata", err);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(parts);
    for (int i = 0; i < parts; i++)
        rd_kafka_topic_partition_list_add(l, topic, i);
    rd_kafka_resp_err_t e = rd_kafka_committed(c, l, 10000);
    if (e)
        die("committed", rd_kafka_err2str(e));
    for (int i = 0; i < parts; i++) {
        int64_t lo, hi;
        if (rd_kafka_query_watermark_offsets(c, topic, i, &lo, &hi, 10000))
            die("watermarks", "query failed");
        int64_t committed = l->elems[i].offset >= 0 ? l->elems[i].offset : -1;
        printf("%d %lld %lld\n", i, (long long)committed, (long long)hi);
    }
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(c);
    return 0;
}

static int cmd_commit(const char *brokers, const char *group, const char *topic, int partition,
                      long long offset)
{
    rd_kafka_t *rk = new_handle(RD_KAFKA_CONSUMER, brokers, group, NULL);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, partition)->offset = offset;
    rd_kafka_resp_err_t e = rd_kafka_commit(rk, l, 0);
    rd_kafka_topic_partition_list_destroy(l);
    if (e)
        die("commit", rd_kafka_err2str(e));
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return 0;
}

/* kafka/admin.h has no group deletion (the application never deletes a group). */
static int cmd_delete_groups(const char *brokers, char **groups, int n)
{
    rd_kafka_t *rk = new_handle(RD_KAFKA_PRODUCER, brokers, NULL, NULL);
    rd_kafka_DeleteGroup_t **dg = up_xcalloc((size_t)n, sizeof *dg);
    for (int i = 0; i < n; i++)
        dg[i] = rd_kafka_DeleteGroup_new(groups[i]);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_DeleteGroups(rk, dg, (size_t)n, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 20000);
    if (!ev || rd_kafka_event_error(ev))
        die("delete groups", ev ? rd_kafka_event_error_string(ev) : "no answer in 20 s");
    rd_kafka_event_destroy(ev);
    rd_kafka_DeleteGroup_destroy_array(dg, (size_t)n);
    free(dg);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
    return 0;
}

/* Kafka's name of an ACL operation ("Write", "describe", ...), or UNKNOWN. */
static rd_kafka_AclOperation_t acl_operation(const char *name)
{
    for (int op = RD_KAFKA_ACL_OPERATION_ANY; op < RD_KAFKA_ACL_OPERATION__CNT; op++)
        if (strcasecmp(rd_kafka_AclOperation_name((rd_kafka_AclOperation_t)op), name) == 0)
            return (rd_kafka_AclOperation_t)op;
    return RD_KAFKA_ACL_OPERATION_UNKNOWN;
}

/* acl BROKERS add|delete allow|deny PRINCIPAL OPERATION topic|group|topic-prefix NAME */
static int cmd_acl(const char *brokers, char **a)
{
    bool add = strcmp(a[0], "add") == 0;
    rd_kafka_AclPermissionType_t perm = strcmp(a[1], "deny") == 0
                                            ? RD_KAFKA_ACL_PERMISSION_TYPE_DENY
                                            : RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW;
    rd_kafka_AclOperation_t op = acl_operation(a[3]);
    rd_kafka_ResourceType_t type =
        strncmp(a[4], "group", 5) == 0 ? RD_KAFKA_RESOURCE_GROUP : RD_KAFKA_RESOURCE_TOPIC;
    rd_kafka_ResourcePatternType_t pattern = strstr(a[4], "-prefix")
                                                 ? RD_KAFKA_RESOURCE_PATTERN_PREFIXED
                                                 : RD_KAFKA_RESOURCE_PATTERN_LITERAL;
    if ((!add && strcmp(a[0], "delete") != 0) || op == RD_KAFKA_ACL_OPERATION_UNKNOWN)
        die("acl", "usage: acl BROKERS add|delete allow|deny PRINCIPAL OPERATION RESOURCE NAME");
    rd_kafka_t *rk = new_handle(RD_KAFKA_PRODUCER, brokers, NULL, NULL);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    char why[512];
    rd_kafka_AclBinding_t *b = NULL;
    rd_kafka_AclBindingFilter_t *f = NULL;
    if (add) {
        b = rd_kafka_AclBinding_new(type, a[5], pattern, a[2], "*", op, perm, why, sizeof why);
        if (!b)
            die("acl", why);
        rd_kafka_CreateAcls(rk, &b, 1, NULL, q);
    } else {
        f = rd_kafka_AclBindingFilter_new(type, a[5], pattern, a[2], "*", op, perm, why,
                                          sizeof why);
        if (!f)
            die("acl", why);
        rd_kafka_DeleteAcls(rk, &f, 1, NULL, q);
    }
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 20000);
    if (!ev || rd_kafka_event_error(ev))
        die("acl", ev ? rd_kafka_event_error_string(ev) : "no answer in 20 s");
    const rd_kafka_error_t *e = NULL;
    if (add) {
        size_t n;
        const rd_kafka_acl_result_t **r =
            rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(ev), &n);
        e = n ? rd_kafka_acl_result_error(r[0]) : NULL;
    } else {
        size_t n;
        const rd_kafka_DeleteAcls_result_response_t **r =
            rd_kafka_DeleteAcls_result_responses(rd_kafka_event_DeleteAcls_result(ev), &n);
        e = n ? rd_kafka_DeleteAcls_result_response_error(r[0]) : NULL;
    }
    if (e)
        die("acl", rd_kafka_error_string(e));
    rd_kafka_event_destroy(ev);
    if (b)
        rd_kafka_AclBinding_destroy(b);
    if (f)
        rd_kafka_AclBinding_destroy(f);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
    return 0;
}

/* What the broker knows of the group's members: their client.id. */
static int cmd_members(const char *brokers, const char *group)
{
    rd_kafka_t *rk = new_handle(RD_KAFKA_PRODUCER, brokers, NULL, NULL);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    const char *groups[] = {group};
    rd_kafka_DescribeConsumerGroups(rk, groups, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 20000);
    if (!ev || rd_kafka_event_error(ev))
        die("describe group", ev ? rd_kafka_event_error_string(ev) : "no answer in 20 s");
    const rd_kafka_DescribeConsumerGroups_result_t *res =
        rd_kafka_event_DescribeConsumerGroups_result(ev);
    size_t n;
    const rd_kafka_ConsumerGroupDescription_t **d =
        rd_kafka_DescribeConsumerGroups_result_groups(res, &n);
    for (size_t i = 0; i < n; i++) {
        const rd_kafka_error_t *ge = rd_kafka_ConsumerGroupDescription_error(d[i]);
        if (ge)
            die("describe group", rd_kafka_error_string(ge));
        size_t m = rd_kafka_ConsumerGroupDescription_member_count(d[i]);
        for (size_t j = 0; j < m; j++)
            printf("%s\n", rd_kafka_MemberDescription_client_id(
                               rd_kafka_ConsumerGroupDescription_member(d[i], j)));
    }
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
    return 0;
}

/* Leader, in-sync replica count and end offset of every partition of TOPIC. */
static int cmd_leaders(const char *brokers, const char *topic)
{
    rd_kafka_t *rk = new_handle(RD_KAFKA_CONSUMER, brokers, NULL, NULL);
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, t, &md, 10000);
    if (!e && md->topic_cnt != 1)
        e = RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    if (!e)
        e = md->topics[0].err;
    int rc = 0;
    if (e) {
        fprintf(stderr, "it_kafka: metadata of %s: %s\n", topic, rd_kafka_err2str(e));
        rc = 1;
    } else {
        for (int i = 0; i < md->topics[0].partition_cnt; i++) {
            const rd_kafka_metadata_partition_t *p = &md->topics[0].partitions[i];
            int64_t lo = -1, hi = -1;
            if (rd_kafka_query_watermark_offsets(rk, topic, p->id, &lo, &hi, 10000))
                rc = 1;
            printf("%d %d %d %lld\n", (int)p->id, (int)p->leader, p->isr_cnt, (long long)hi);
        }
    }
    if (md)
        rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(t);
    rd_kafka_destroy(rk);
    return rc;
}

/* create TOPIC PARTITIONS [RF] | partitions TOPIC | delete TOPIC... */
static int cmd_topics(const char *cmd, const char *brokers, char **topics, int n)
{
    char err[512];
    rd_kafka_t *rk = new_handle(RD_KAFKA_PRODUCER, brokers, NULL, NULL);
    if (strcmp(cmd, "create") == 0) {
        int rf = n > 2 ? atoi(topics[2]) : 1;
        if (up_kafka_ensure_topic(rk, topics[0], atoi(topics[1]), rf, 30000, NULL, err, sizeof err))
            die("create", err);
    } else if (strcmp(cmd, "partitions") == 0) {
        int parts = 0;
        if (up_kafka_topic_partitions(rk, topics[0], 10000, &parts, err, sizeof err) != 0)
            die("partitions", err);
        printf("%d\n", parts);
    } else {
        for (int i = 0; i < n; i++)
            if (up_kafka_delete_topic(rk, topics[i], 30000, err, sizeof err))
                die("delete", err);
    }
    rd_kafka_destroy(rk);
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    if (((argc == 5 || argc == 6) && strcmp(cmd, "create") == 0) ||
        (argc >= 4 && strcmp(cmd, "delete") == 0) || (argc == 4 && strcmp(cmd, "partitions") == 0))
        return cmd_topics(cmd, argv[2], argv + 3, argc - 3);
    if (argc == 4 && strcmp(cmd, "leaders") == 0)
        return cmd_leaders(argv[2], argv[3]);
    if (argc >= 4 && strcmp(cmd, "delete-groups") == 0)
        return cmd_delete_groups(argv[2], argv + 3, argc - 3);
    if (argc == 4 && strcmp(cmd, "members") == 0)
        return cmd_members(argv[2], argv[3]);
    if (argc == 7 && strcmp(cmd, "commit") == 0)
        return cmd_commit(argv[2], argv[3], argv[4], atoi(argv[5]), atoll(argv[6]));
    if (argc == 5 && strcmp(cmd, "committed") == 0)
        return cmd_committed(argv[2], argv[3], argv[4]);
    if (argc == 6 && strcmp(cmd, "join") == 0)
        return cmd_join(argv[2], argv[3], argv[4], atol(argv[5]));
    if ((argc == 7 || argc == 8) && strcmp(cmd, "produce") == 0)
        return cmd_produce(argv[2], argv[3], argv[4], atol(argv[5]), atol(argv[6]),
                           argc > 7 ? atof(argv[7]) : 0);
    if (argc == 5 && strcmp(cmd, "produce-bad") == 0)
        return cmd_produce_bad(argv[2], argv[3], argv[4]);
    if ((argc == 5 || argc == 6) && strcmp(cmd, "users") == 0)
        return cmd_users(argv[2], argv[3], atol(argv[4]), argc == 6 ? atof(argv[5]) : 0, NULL,
                         false);
    if (argc == 4 && strcmp(cmd, "xss") == 0)
        return cmd_users(argv[2], argv[3], 1, 0, NULL, true);
    if (argc == 6 && strcmp(cmd, "dlq") == 0)
        return cmd_users(argv[2], argv[3], atol(argv[5]), 0, argv[4], false);
    if (argc == 4 && strcmp(cmd, "send") == 0)
        return cmd_send(argv[2], argv[3]);
    if (argc == 5 && strcmp(cmd, "dump") == 0)
        return cmd_dump(argv[2], argv[3], atoi(argv[4]));
    if (argc == 7 && strcmp(cmd, "audit") == 0)
        return cmd_audit(argv[2], argv[3], argv[4], atol(argv[5]), atol(argv[6]));
    if (argc == 5 && strcmp(cmd, "latency") == 0)
        return cmd_latency(argv[2], argv[3], atol(argv[4]));
    if (argc == 9 && strcmp(cmd, "acl") == 0)
        return cmd_acl(argv[2], argv + 3);
    fprintf(stderr, "usage: see the comment at the top of tests/integration/it_kafka.c\n");
    return 2;
}
