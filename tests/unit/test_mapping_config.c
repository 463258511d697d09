/* Unit tests for mapping/props and mapping/config: the properties syntax, every setting, and
 * the file:line:col of each refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mapping/mapping.h"
#include "mapping/props.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_props_syntax(void **state)
{
    (void)state;
    const char *text = "# comment\n"
                       "! another\n"
                       "  a = 1\n"
                       "b: two words  \n"
                       "c\tthree\n"
                       "d=long \\\n"
                       "    value \\\n"
                       "\tend\r\n"
                       "e\\ f=g\\=h\\u00e9\\n\n"
                       "empty=\n"
                       "last=x\\";
    struct up_props p;
    char err[256];
    assert_int_equal(up_props_parse(text, strlen(text), &p, err, sizeof err), 0);
    assert_int_equal(p.n, 7);
    assert_string_equal(up_props_get(&p, "a")->value, "1");
    assert_string_equal(up_props_get(&p, "b")->value, "two words  ");
    assert_string_equal(up_props_get(&p, "c")->value, "three");
    const struct up_props_entry *d = up_props_get(&p, "d");
    assert_string_equal(d->value, "long value end");
    int line, col;
    up_props_position(d, 0, &line, &col);
    assert_int_equal(line, 6);
    assert_int_equal(col, 3);
    up_props_position(d, strlen("long value e"), &line, &col);
    assert_int_equal(line, 8);
    assert_int_equal(col, 3);
    assert_string_equal(up_props_get(&p, "e f")->value, "g=h\xc3\xa9\n");
    assert_string_equal(up_props_get(&p, "empty")->value, "");
    assert_string_equal(up_props_get(&p, "last")->value, "x");
    assert_int_equal(up_props_get(&p, "a")->line, 3);
    assert_int_equal(up_props_get(&p, "a")->col, 3);
    assert_null(up_props_get(&p, "zz"));
    up_props_free(&p);
}

static void expect_props_error(const char *text, size_t len, const char *want)
{
    struct up_props p;
    char err[256] = "";
    assert_int_equal(up_props_parse(text, len, &p, err, sizeof err), -1);
    if (!strstr(err, want))
        fail_msg("error '%s' lacks '%s'", err, want);
    assert_int_equal(p.n, 0);
}

static void test_props_errors(void **state)
{
    (void)state;
    expect_props_error("a=1\na=2\n", 8, "2:1: 'a' is set twice (first on line 1)");
    expect_props_error("a=\\u12\n", 7, "1:3: \\u needs four hex digits");
    expect_props_error("a=\\ud800\n", 9, "1:3: \\uD800 is not allowed");
    expect_props_error("a=b\nc=\xff\n", 7, "2:3: bytes that are not UTF-8");
    expect_props_error("a=b\0c", 5, "1:4: a NUL byte");
    expect_props_error("=x\n", 3, "1:1: a setting with an empty name");
}

#define HEAD                                                                                       \
    "name=orders-sink\n"                                                                           \
    "connector.class=com.datastax.oss.kafka.sink.CassandraSinkConnector\n"                         \
    "tasks.max=1\n"

static int parse(const char *text, struct up_mapping *m, char *err, size_t errlen)
{
    return up_mapping_parse("f.properties", text, strlen(text), m, err, errlen);
}

static void test_full_file(void **state)
{
    (void)state;
    const char *text =
        HEAD "topics=orders, cdc.events\n"
             "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
             "value.converter.schemas.enable=false\n"
             "contactPoints=10.0.0.1,10.0.0.2\n"
             "port=9043\n"
             "loadBalancing.localDc=dc1\n"
             "auth.provider=PLAIN\n"
             "auth.username=app\n"
             "auth.password=s3cret\n"
             "ssl.provider=OpenSSL\n"
             "ssl.hostnameValidation=false\n"
             "maxConcurrentRequests=300\n"
             "queryExecutionTimeout=20\n"
             "compression=LZ4\n"
             "ignoreErrors=None\n"
             "topic.orders.shop.orders_by_id.mapping='id=key, total=value.total, "
             "\"Items\"=value.lines.items, src=header.source, ts=now(), __ttl=value.keep, "
             "__timestamp=value.at'\n"
             "topic.orders.shop.orders_by_id.consistencyLevel=LOCAL_QUORUM\n"
             "topic.orders.shop.orders_by_id.ttlTimeUnit=HOURS\n"
             "topic.orders.shop.orders_by_id.timestampTimeUnit=MILLISECONDS\n"
             "topic.orders.shop.orders_by_id.nullToUnset=false\n"
             "topic.orders.Shop.Totals.mapping=id=key,total=value.total\n"
             "topic.orders.Shop.Totals.ttl=3600\n"
             "topic.orders.codec.timestamp=ISO_LOCAL_DATE_TIME\n"
             "topic.orders.codec.timeZone=+05:30\n"
             "topic.orders.codec.unit=SECONDS\n"
             "topic.orders.codec.locale=en_US\n"
             "topic.cdc.events.cdc.rows.mapping=pk=key.id, v=value.v\n"
             "topic.cdc.events.cdc.rows.deletesEnabled=false\n";
    struct up_mapping m;
    char err[UP_MAP_ERR_LEN];
    if (parse(text, &m, err, sizeof err) != 0)
        fail_msg("%s", err);
    assert_string_equal(m.name, "orders-sink");
    assert_int_equal(m.ntopics, 2);
    assert_string_equal(m.topics[1].name, "cdc.events");
    assert_int_equal(m.key_format, UP_MAP_STRING);
    assert_int_equal(m.value_format, UP_MAP_JSON);
    assert_false(m.value_envelope);
    assert_string_equal(m.conn.contact_points, "10.0.0.1,10.0.0.2");
    assert_int_equal(m.conn.port, 9043);
    assert_string_equal(m.conn.local_dc, "dc1");
    assert_string_equal(m.conn.user, "app");
    assert_string_equal(m.conn.password, "s3cret");
    assert_int_equal(m.conn.tls, 1);
    assert_int_equal(m.conn.tls_verify, 0);
    assert_int_equal(m.conn.max_concurrent, 300);
    assert_int_equal(m.conn.request_timeout_ms, 20000);
    assert_int_equal(m.conn.compression, 1);

    assert_int_equal(m.ntables, 3);
    const struct up_map_table *t = &m.tables[0];
    assert_string_equal(t->topic, "orders");
    assert_string_equal(t->keyspace, "shop");
    assert_string_equal(t->table, "orders_by_id");
    assert_int_equal(t->ncols, 7);
    assert_string_equal(t->cols[0].column, "id");
    assert_int_equal(t->cols[0].source, UP_MAP_KEY);
    assert_int_equal(t->cols[0].npath, 0);
    assert_string_equal(t->cols[2].column, "Items");
    assert_int_equal(t->cols[2].source, UP_MAP_VALUE);
    assert_int_equal(t->cols[2].npath, 2);
    assert_string_equal(t->cols[2].path[0], "lines");
    assert_string_equal(t->cols[2].path[1], "items");
    assert_int_equal(t->cols[3].source, UP_MAP_HEADER);
    assert_string_equal(t->cols[3].path[0], "source");
    assert_int_equal(t->cols[4].source, UP_MAP_NOW);
    assert_int_equal(t->ttl_col, 5);
    assert_int_equal(t->cols[5].role, UP_MAP_TTL);
    assert_int_equal(t->timestamp_col, 6);
    assert_int_equal(t->consistency, CQL_LOCAL_QUORUM);
    assert_int_equal(t->ttl_unit, UP_UNIT_HOURS);
    assert_int_equal(t->timestamp_unit, UP_UNIT_MILLISECONDS);
    assert_false(t->null_to_unset);
    assert_true(t->deletes_enabled);
    assert_int_equal(t->line, 20);
    /* "total" sits at column 41 of line 20: after "topic....mapping='id=key, " */
    assert_int_equal(t->cols[1].line, 20);
    assert_int_equal(t->cols[1].col,
                     (int)strlen("topic.orders.shop.orders_by_id.mapping='id=key, ") + 1);

    t = &m.tables[1];
    assert_string_equal(t->keyspace, "shop");
    assert_string_equal(t->table, "totals");
    assert_int_equal(t->ttl, 3600);
    assert_true(t->null_to_unset);
    assert_int_equal(t->consistency, CQL_LOCAL_ONE);

    t = &m.tables[2];
    assert_string_equal(t->topic, "cdc.events");
    assert_string_equal(t->keyspace, "cdc");
    assert_false(t->deletes_enabled);
    assert_int_equal(t->cols[0].source, UP_MAP_KEY);
    assert_string_equal(t->cols[0].path[0], "id");

    const struct up_map_topic *o = up_mapping_topic(&m, "orders");
    assert_int_equal(o->codec.timestamp, UP_TS_ISO_LOCAL);
    assert_int_equal(o->codec.tz_offset_s, 5 * 3600 + 30 * 60);
    assert_int_equal(o->codec.unit, UP_UNIT_SECONDS);
    assert_int_equal(up_mapping_topic(&m, "cdc.events")->codec.unit, UP_UNIT_MILLISECONDS);
    up_mapping_free(&m);
}

static void expect_refused(const char *text, const char *want)
{
    struct up_mapping m;
    char err[UP_MAP_ERR_LEN] = "";
    assert_int_equal(parse(text, &m, err, sizeof err), -1);
    if (!strstr(err, want))
        fail_msg("error '%s' lacks '%s'", err, want);
    assert_null(m.tables);
}

#define ONE "topics=t\ntopic.t.ks.tb.mapping=id=key\n"

static void test_refusals(void **state)
{
    (void)state;
    expect_refused("a=b\n", "f.properties:1:1: no topics= setting");
    expect_refused("topics=t\n", "f.properties:1:8: topics: a listed topic has no");
    expect_refused("topics=t,b@d\n", "f.properties:1:10: 'b@d' is not a Kafka topic name");
    expect_refused("topics=t, t\n", "f.properties:1:11: topic 't' is listed twice");
    expect_refused(ONE "bogus.key=1\n", "f.properties:3:1: unknown setting 'bogus.key'");
    expect_refused(ONE "maxNumberOfRecordsInBatch=32\n",
                   "3:1: 'maxNumberOfRecordsInBatch' is not supported: userpipe writes one row");
    expect_refused(ONE "ssl.keystore.path=/k.jks\n", "3:1: 'ssl.keystore.path' is not supported");
    expect_refused(ONE "errors.tolerance=all\n", "'errors.tolerance' is not supported");
    expect_refused(ONE "connector.class=io.connect.scylladb.ScyllaDbSinkConnector\n",
                   "3:17: connector.class: userpipe reads the DataStax");
    expect_refused(ONE "value.converter=io.confluent.connect.avro.AvroConverter\n",
                   "3:17: value.converter: userpipe reads JSON");
    expect_refused(ONE "port=70000\n", "3:6: port: a whole number from 1 to 65535 expected");
    expect_refused(ONE "auth.provider=GSSAPI\n", "3:15: auth.provider: userpipe authenticates");
    expect_refused(ONE "ignoreErrors=All\n", "ignoreErrors: userpipe never ignores a record");
    expect_refused(ONE "topic.u.ks.tb.ttl=3\n", "3:1: 'topic.u.ks.tb.ttl' names a topic that");
    expect_refused(ONE "topic.t.ks.tb.query=INSERT\n",
                   "3:1: 'topic.t.ks.tb.query' is not supported");
    expect_refused(ONE "topic.t.ks.tb.ttl=x\n", "3:19: topic.t.ks.tb.ttl: a whole number");
    expect_refused(ONE "topic.t.ks.tb.nullToUnset=yes\n", "true or false expected");
    expect_refused(ONE "topic.t.ks.tb.consistencyLevel=MOST\n", "a consistency level expected");
    expect_refused(ONE "topic.t.ks.tb.ttlTimeUnit=FORTNIGHTS\n", "a time unit expected");
    expect_refused(ONE "topic.t.ks.tb.color=red\n", "3:1: unknown setting 'topic.t.ks.tb.color'");
    expect_refused(ONE "topic.t.KS.tb.mapping=x=key\n", "3:1: ks.tb is mapped from topic t twice");
    expect_refused(ONE "topic.t.k-s.tb.mapping=x=key\n", "keyspace and table names are 1 to 48");
    expect_refused(ONE "topic.t.tb.mapping=x=key\n", "write topic.<topic>.<keyspace>.<table>");
    expect_refused(ONE "topic.t.ks.t2.ttl=5\n", "topic t -> ks.t2 has settings but no .mapping");
    expect_refused(ONE "topic.t.codec.timestamp=yyyy-MM-dd\n", "date-time patterns are not");
    expect_refused(ONE "topic.t.codec.timeZone=Europe/Paris\n", "no time zone database");
    expect_refused(ONE "topic.t.codec.date=BASIC_ISO_DATE\n", "ISO_LOCAL_DATE");
    expect_refused(ONE "topic.t.codec.foo=1\n", "unknown setting 'topic.t.codec.foo'");
}

static void test_mapping_expressions(void **state)
{
    (void)state;
    expect_refused("topics=t\ntopic.t.ks.tb.mapping=\n", "2:23: the mapping is empty");
    expect_refused("topics=t\ntopic.t.ks.tb.mapping=id\n", "2:25: '=' expected after the column");
    expect_refused("topics=t\ntopic.t.ks.tb.mapping=id=kee\n", "2:26: a value must be key");
    expect_refused("topics=t\ntopic.t.ks.tb.mapping=id=key,id=value\n",
                   "2:30: column 'id' is mapped twice (first at 2:23)");
    expect_refused("topics=t\ntopic.t.ks.tb.mapping=ID=key,id=value\n", "mapped twice");
    expect_refused("topics=t\ntopic.t.ks.tb.mapping=id=key,\n", "2:30: a column name expected");
    expect_refused("topics=t\ntopic.t.ks.tb.mapping=id=key value\n", "2:30: ',' or the end");
    expect_refused("topics=t\ntopic.t.ks.tb.mapping=id=value.\n", "2:32: a field name expected");
    expect_refused("topics=t\ntopic.t.ks.tb.mapping=id=header\n", "header.<name>");
    expect_refused("topics=t\ntopic.t.ks.tb.mapping=id=now\n", "now must be written now()");
    expect_refused("topics=t\ntopic.t.ks.tb.mapping=__ttl=now()\n", "__ttl cannot be now()");
    expect_refused("topics=t\ntopic.t.ks.tb.mapping=__foo=key\n", "only special names are");
    expect_refused("topics=t\ntopic.t.ks.tb.mapping=__ttl=__offset\n",
                   "__ttl cannot be a provenance name");
    expect_refused("topics=t\ntopic.t.ks.tb.mapping=id=__offsets\n", "2:26: a value must be");
    expect_refused("topics=t\ntopic.t.ks.tb.mapping='id=key\n", "the single quote is not closed");
    expect_refused("topics=t\ntopic.t.ks.tb.mapping=\"id=key\n", "the quote is not closed");
    /* A continuation: the error points at the second physical line. */
    expect_refused("topics=t\ntopic.t.ks.tb.mapping=a=key, \\\n    b=kez\n",
                   "3:7: a value must be");

    struct up_mapping m;
    char err[UP_MAP_ERR_LEN];
    const char *ok = "topics=t\ntopic.t.ks.tb.mapping = ' a = key ,\"B\"\"q\"=value.\"x y\".z,"
                     " c=value, d = header.h-1 '\n";
    if (parse(ok, &m, err, sizeof err) != 0)
        fail_msg("%s", err);
    const struct up_map_table *t = &m.tables[0];
    assert_int_equal(t->ncols, 4);
    assert_string_equal(t->cols[0].column, "a");
    assert_string_equal(t->cols[1].column, "B\"q");
    assert_string_equal(t->cols[1].path[0], "x y");
    assert_string_equal(t->cols[1].path[1], "z");
    assert_int_equal(t->cols[2].npath, 0);
    assert_string_equal(t->cols[3].path[0], "h-1");
    up_mapping_free(&m);

    /* provenance: where the record came from */
    const char *prov = "topics=t\ntopic.t.ks.tb.mapping=id=key, a=__topic, b=__partition, "
                       "c=__offset, d = __RECORD_TIMESTAMP\n";
    if (parse(prov, &m, err, sizeof err) != 0)
        fail_msg("%s", err);
    t = &m.tables[0];
    assert_int_equal(t->ncols, 5);
    assert_int_equal(t->cols[1].source, UP_MAP_TOPIC);
    assert_int_equal(t->cols[2].source, UP_MAP_PARTITION);
    assert_int_equal(t->cols[3].source, UP_MAP_OFFSET);
    assert_int_equal(t->cols[4].source, UP_MAP_RECORD_TIMESTAMP);
    assert_int_equal(t->cols[4].npath, 0);
    up_mapping_free(&m);
}

static void test_time_units(void **state)
{
    (void)state;
    enum up_time_unit u;
    assert_true(up_time_unit_parse("seconds", &u));
    assert_int_equal(u, UP_UNIT_SECONDS);
    assert_false(up_time_unit_parse("SECOND", &u));
    int64_t us;
    assert_true(up_time_unit_to_micros(3, UP_UNIT_MILLISECONDS, &us));
    assert_int_equal(us, 3000);
    assert_true(up_time_unit_to_micros(2500, UP_UNIT_NANOSECONDS, &us));
    assert_int_equal(us, 2);
    assert_false(up_time_unit_to_micros(INT64_MAX / 2, UP_UNIT_DAYS, &us));
    assert_string_equal(up_time_unit_name(UP_UNIT_HOURS), "HOURS");
}

static void test_load(void **state)
{
    (void)state;
    struct up_mapping m;
    char err[UP_MAP_ERR_LEN];
    assert_int_equal(up_mapping_load("/nonexistent/x.properties", &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/x.properties: cannot read the mapping file"));
    char path[512];
    snprintf(path, sizeof path, "%s/mapping/users.properties", getenv("USERPIPE_TEST_DATA"));
    if (up_mapping_load(path, &m, err, sizeof err) != 0)
        fail_msg("%s", err);
    assert_int_equal(m.ntables, 1);
    assert_string_equal(m.tables[0].table, "users");
    up_mapping_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_props_syntax),
        cmocka_unit_test(test_props_errors),
        cmocka_unit_test(test_full_file),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_mapping_expressions),
        cmocka_unit_test(test_time_units),
        cmocka_unit_test(test_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
