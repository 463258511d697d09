/* it_stream_check: the stream integration tests' oracle, reading back with our CQL client.
 *   it_stream_check rows BROKERS TOPIC CASSANDRA KEYSPACE TABLE
 *       reads every record of TOPIC from the beginning (the truth), then every row of
 *       KEYSPACE.TABLE, and compares: one row per distinct valid id, no other row, every
 *       column equal to the record (text byte for byte, dates as instants), ingested_at =
 *       the record's Kafka timestamp and WRITETIME = that timestamp in microseconds.
 *       Prints one line "records=.. distinct=.. rows=.. missing=.. extra=.. mismatched=..";
 *       exit 0 only when missing, extra and mismatched are all 0.
 *   it_stream_check exec CASSANDRA 'CQL'      runs one statement (cleanup: DROP KEYSPACE)
 * Credentials: USERPIPE_CASSANDRA_USER / USERPIPE_CASSANDRA_PASSWORD (default cassandra); TLS
 * with the node verified against USERPIPE_CASSANDRA_TLS_CA_FILE when that is set.
 * IT_KAFKA_CONFIG: a librdkafka properties file for the Kafka side (a secured cluster).
 * IT_CONSISTENCY: the consistency of every statement (default ONE; the cluster's fault tests
 * read at ALL, so that a row on one replica only is not taken for stored).
 * IT_MAX_RECORD_BYTES: the --max-record-bytes the stream ran with (default 1 MiB): larger
 * records are expected in the DLQ, not in the table. */
#include "core/buf.h"
#include "core/clock.h"
#include "cql/cql.h"
#include "kafka/admin.h"
#include "kafka/config.h"
#include "stream/validate.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *what, const char *why)
{
    fprintf(stderr, "it_stream_check: %s: %s\n", what, why);
    exit(1);
}

/* ------------------------------------------------------------ expected rows by id */

struct expected {
    bool used;
    bool seen; /* a row with this id came back */
    struct up_row row;
    int64_t ts_ms;
};

struct table {
    struct expected *slots;
    size_t cap, n;
};

static size_t hash_id(const uint8_t id[16])
{
    size_t h;
    memcpy(&h, id + 8, sizeof h); /* v4 uuids: random bits */
    return h;
}

static struct expected *lookup(struct table *t, const uint8_t id[16], bool insert)
{
    if (insert && (t->n + 1) * 2 > t->cap) {
        struct table bigger = {calloc(t->cap ? t->cap * 2 : 1024, sizeof *t->slots),
                               t->cap ? t->cap * 2 : 1024, 0};
        for (size_t i = 0; i < t->cap; i++)
            if (t->slots[i].used)
                *lookup(&bigger, t->slots[i].row.id, true) = t->slots[i];
        free(t->slots);
        *t = bigger;
    }
    if (!t->cap)
        return NULL;
    for (size_t i = hash_id(id) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        struct expected *e = &t->slots[i];
        if (!e->used) {
            if (!insert)
                return NULL;
            e->used = true;
            memcpy(e->row.id, id, 16);
            t->n++;
            return e;
        }
        if (memcmp(e->row.id, id, 16) == 0)
            return e;
    }
}

/* Reads TOPIC from the beginning to its current end; keeps the newest record per id. */
static size_t read_topic(const char *brokers, const char *topic, struct table *t)
{
    const char *max_env = getenv("IT_MAX_RECORD_BYTES");
    size_t max_bytes = max_env ? (size_t)atol(max_env) : 1 << 20;
    char err[512], group[64];
    snprintf(group, sizeof group, "it-stream-check-%lld", (long long)up_wall_us());
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers, err, sizeof err) ||
        rd_kafka_conf_set(conf, "group.id", group, err, sizeof err) ||
        rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err))
        die("config", err);
    /* IT_KAFKA_CONFIG=FILE: librdkafka properties (a secured cluster's login), as it_kafka */
    const char *config = getenv("IT_KAFKA_CONFIG");
    struct up_kafka_properties props = {0};
    if (config && *config && up_kafka_properties_load(config, &props, err, sizeof err) != 0)
        die("IT_KAFKA_CONFIG", err);
    for (size_t i = 0; i < props.len; i++)
        if (up_kafka_conf_set(conf, props.items[i].key, props.items[i].value, err, sizeof err))
            die("IT_KAFKA_CONFIG", err);
    up_kafka_properties_free(&props);
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!c)
        die("consumer", err);
    int parts = 0;
    if (up_kafka_topic_partitions(c, topic, 10000, &parts, err, sizeof err))
        die("metadata", err);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(parts);
    int64_t *end = calloc((size_t)parts, sizeof *end), remaining = 0;
    for (int p = 0; p < parts; p++) {
        int64_t lo;
        if (rd_kafka_query_watermark_offsets(c, topic, p, &lo, &end[p], 10000))
            die("watermarks", topic);
        remaining += end[p] - lo;
        rd_kafka_topic_partition_list_add(l, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    rd_kafka_assign(c, l);
    rd_kafka_topic_partition_list_destroy(l);
    size_t records = 0;
    int64_t deadline = up_mono_ms() + 120000;
    while (remaining > 0 && up_mono_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 200);
        if (!m)
            continue;
        if (!m->err && m->offset < end[m->partition]) {
            remaining--;
            records++;
            struct up_row row;
            if (up_validate_record(m->key, m->key_len, m->payload, m->len, max_bytes, &row, NULL,
                                   0) == UP_REJECT_NONE) {
                struct expected *e = lookup(t, row.id, true);
                int64_t ts = rd_kafka_message_timestamp(m, NULL);
                if (e->row.rec.fields[0] && e->ts_ms > ts) {
                    up_row_free(&row);
                } else {
                    if (e->row.rec.fields[0])
                        up_row_free(&e->row);
                    e->row = row;
                    e->ts_ms = ts;
                }
            }
        }
        rd_kafka_message_destroy(m);
    }
    if (remaining > 0)
        die("reading the topic", "did not reach its end within 120 s");
    free(end);
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
    return records;
}

/* ------------------------------------------------------------------- Cassandra side */

static cql_session *connect_to(const char *contact_points)
{
    struct cql_config cc;
    cql_config_init(&cc);
    cc.contact_points = contact_points;
    const char *user = getenv("USERPIPE_CASSANDRA_USER");
    const char *password = getenv("USERPIPE_CASSANDRA_PASSWORD");
    cc.user = user ? user : "cassandra";
    cc.password = password ? password : "cassandra";
    /* the secured stack (scripts/stack env --secure): TLS, the node verified against this CA */
    const char *ca = getenv("USERPIPE_CASSANDRA_TLS_CA_FILE");
    if (ca && *ca) {
        cc.tls = true;
        cc.tls_ca_file = ca;
        cc.tls_verify = true;
    }
    cc.consistency = CQL_ONE;
    const char *cl = getenv("IT_CONSISTENCY");
    if (cl && !cql_consistency_parse(cl, &cc.consistency))
        die("IT_CONSISTENCY", cl);
    cql_session *s;
    struct cql_error e;
    if (cql_session_connect(&cc, &s, &e) != 0) {
        char why[700];
        cql_error_format(&e, why, sizeof why);
        die("connect", why);
    }
    return s;
}

static bool text_equal(const struct cql_value *v, const char *want)
{
    const char *s;
    size_t len;
    return cql_value_get_text(v, &s, &len) == CQL_OK && len == strlen(want) &&
           memcmp(s, want, len) == 0;
}

static bool ts_equal(const struct cql_value *v, int64_t want)
{
    int64_t ms;
    return cql_value_get_timestamp(v, &ms) == CQL_OK && ms == want;
}

static bool row_matches(const cql_result *r, size_t row, const struct expected *e)
{
    for (int f = 1; f < UP_RECORD_NFIELDS; f++) {
        struct cql_value v = cql_result_cell(r, row, (size_t)f);
        bool ok = f == UP_FIELD_dob               ? ts_equal(&v, e->row.dob_ms)
                  : f == UP_FIELD_registered_date ? ts_equal(&v, e->row.registered_ms)
                                                  : text_equal(&v, e->row.rec.fields[f]);
        if (!ok) {
            fprintf(stderr, "it_stream_check: %s: column %s differs\n",
                    e->row.rec.fields[UP_FIELD_id], up_record_field_names[f]);
            return false;
        }
    }
    struct cql_value ingested = cql_result_cell(r, row, UP_RECORD_NFIELDS);
    struct cql_value writetime = cql_result_cell(r, row, UP_RECORD_NFIELDS + 1);
    int64_t wt;
    if (!ts_equal(&ingested, e->ts_ms) || cql_value_get_int64(&writetime, &wt) != CQL_OK ||
        wt != e->ts_ms * 1000) {
        fprintf(stderr, "it_stream_check: %s: ingested_at/WRITETIME is not the record timestamp\n",
                e->row.rec.fields[UP_FIELD_id]);
        return false;
    }
    return true;
}

static int cmd_rows(char **argv)
{
    const char *brokers = argv[2], *topic = argv[3], *cassandra = argv[4], *ks = argv[5],
               *table = argv[6];
    struct table t = {0};
    size_t records = read_topic(brokers, topic, &t);
    cql_session *s = connect_to(cassandra);
    struct up_buf q = UP_BUF_INIT;
    up_buf_puts(&q, "SELECT ");
    for (int f = 0; f < UP_RECORD_NFIELDS; f++)
        up_buf_printf(&q, "%s, ", up_record_field_names[f]);
    up_buf_printf(&q, "ingested_at, WRITETIME(first_name) FROM \"%s\".\"%s\"", ks, table);
    cql_statement *st = cql_statement_new(q.data, 0);
    cql_statement_set_page_size(st, 5000);
    size_t rows = 0, extra = 0, mismatched = 0, dup = 0;
    for (;;) {
        cql_result *r;
        struct cql_error e;
        if (cql_session_execute_sync(s, st, &r, &e) != 0) {
            char why[700];
            cql_error_format(&e, why, sizeof why);
            die("select", why);
        }
        for (size_t i = 0; i < cql_result_row_count(r); i++) {
            rows++;
            struct cql_value idv = cql_result_cell(r, i, 0);
            struct cql_uuid id;
            struct expected *x = NULL;
            if (cql_value_get_uuid(&idv, &id) == CQL_OK)
                x = lookup(&t, id.bytes, false);
            if (!x) {
                extra++;
                continue;
            }
            dup += x->seen;
            x->seen = true;
            mismatched += !row_matches(r, i, x);
        }
        bool more = cql_result_has_more_pages(r);
        if (more)
            cql_statement_set_paging_state(st, r);
        cql_result_free(r);
        if (!more)
            break;
    }
    size_t missing = 0;
    for (size_t i = 0; i < t.cap; i++)
        if (t.slots[i].used) {
            if (!t.slots[i].seen && missing++ < 5)
                fprintf(stderr, "it_stream_check: missing %s\n",
                        t.slots[i].row.rec.fields[UP_FIELD_id]);
            up_row_free(&t.slots[i].row);
        }
    printf("records=%zu distinct=%zu rows=%zu missing=%zu extra=%zu mismatched=%zu\n", records, t.n,
           rows, missing, extra + dup, mismatched);
    free(t.slots);
    cql_statement_free(st);
    up_buf_free(&q);
    cql_session_free(s);
    return missing || extra || dup || mismatched ? 1 : 0;
}

static int cmd_exec(const char *cassandra, const char *cql)
{
    cql_session *s = connect_to(cassandra);
    struct cql_error e;
    int rc = cql_session_query_sync(s, cql, NULL, &e);
    if (rc != 0) {
        char why[700];
        cql_error_format(&e, why, sizeof why);
        fprintf(stderr, "it_stream_check: %s\n", why);
    }
    cql_session_free(s);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 7 && strcmp(argv[1], "rows") == 0)
        return cmd_rows(argv);
    if (argc == 4 && strcmp(argv[1], "exec") == 0)
        return cmd_exec(argv[2], argv[3]);
    fprintf(stderr, "usage: see the comment at the top of tests/integration/it_stream_check.c\n");
    return 2;
}
