/* Unit tests for web/ui_cluster: the broker list merged from the bootstrap list and the
 * metadata (down when gone, ids remembered), and the JSON of brokers and Cassandra nodes,
 * parsed back with jansson. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "web/ui_cluster.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static json_t *parse(struct up_buf *b)
{
    json_error_t e;
    json_t *j = json_loadb(b->data, b->len, 0, &e);
    if (!j)
        fail_msg("not JSON (%s): %.*s", e.text, (int)b->len, b->data);
    up_buf_free(b);
    return j;
}

static json_t *brokers_doc(const struct ui_brokers *b, int32_t controller)
{
    struct up_buf out = UP_BUF_INIT;
    ui_brokers_json(b, controller, "test", NULL, &out);
    return parse(&out);
}

/* "id|address|up|controller|bootstrap;..." of the rendered list, for compact assertions. */
static void summary(json_t *doc, char *out, size_t size)
{
    out[0] = '\0';
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(doc, "brokers"), i, x)
    {
        json_t *id = json_object_get(x, "id");
        char idtxt[16];
        if (json_is_null(id))
            snprintf(idtxt, sizeof idtxt, "-");
        else
            snprintf(idtxt, sizeof idtxt, "%lld", (long long)json_integer_value(id));
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s%s|%s|%d|%d|%d", i ? ";" : "", idtxt,
                 json_string_value(json_object_get(x, "address")),
                 json_is_true(json_object_get(x, "up")),
                 json_is_true(json_object_get(x, "controller")),
                 json_is_true(json_object_get(x, "bootstrap")));
    }
}

static void test_bootstrap_list_parsed(void **state)
{
    (void)state;
    struct ui_brokers b;
    ui_brokers_init(&b, "PLAINTEXT://127.0.0.2:9092, 127.0.0.3:9093,127.0.0.4,,[::1]:9095");
    assert_int_equal(b.n, 4);
    assert_string_equal(b.v[0].address, "127.0.0.2:9092");
    assert_string_equal(b.v[1].address, "127.0.0.3:9093");
    assert_string_equal(b.v[2].address, "127.0.0.4:9092"); /* Kafka's default port */
    assert_string_equal(b.v[3].address, "[::1]:9095");
    for (size_t i = 0; i < b.n; i++) {
        assert_int_equal(b.v[i].id, -1);
        assert_false(b.v[i].up); /* nothing is up before the metadata says so */
    }
    ui_brokers_free(&b);
}

static void test_brokers_follow_the_metadata(void **state)
{
    (void)state;
    struct ui_brokers b;
    ui_brokers_init(&b, "127.0.0.2:9092,127.0.0.3:9092,127.0.0.4:9092");
    struct up_broker_info all[] = {
        {1, "127.0.0.2", 9092}, {2, "127.0.0.3", 9092}, {3, "127.0.0.4", 9092}};
    char s[512];

    ui_brokers_update(&b, all, 3);
    json_t *doc = brokers_doc(&b, 2);
    summary(doc, s, sizeof s);
    assert_string_equal(s, "1|127.0.0.2:9092|1|0|1;2|127.0.0.3:9092|1|1|1;3|127.0.0.4:9092|1|0|1");
    assert_int_equal(json_integer_value(json_object_get(doc, "controller_id")), 2);
    json_decref(doc);

    /* broker 2 leaves the metadata: still listed, by its id, down */
    struct up_broker_info two[] = {{1, "127.0.0.2", 9092}, {3, "127.0.0.4", 9092}};
    ui_brokers_update(&b, two, 2);
    doc = brokers_doc(&b, 3);
    summary(doc, s, sizeof s);
    assert_string_equal(s, "1|127.0.0.2:9092|1|0|1;2|127.0.0.3:9092|0|0|1;3|127.0.0.4:9092|1|1|1");
    json_decref(doc);

    /* the metadata request fails: nobody is known up; no controller shown */
    ui_brokers_update(&b, NULL, 0);
    doc = brokers_doc(&b, -1);
    summary(doc, s, sizeof s);
    assert_string_equal(s, "1|127.0.0.2:9092|0|0|1;2|127.0.0.3:9092|0|0|1;3|127.0.0.4:9092|0|0|1");
    assert_true(json_is_null(json_object_get(doc, "controller_id")));
    json_decref(doc);

    /* back, and the same three entries, not new ones */
    ui_brokers_update(&b, all, 3);
    assert_int_equal(b.n, 3);
    ui_brokers_free(&b);
}

static void test_unknown_and_unlisted_brokers(void **state)
{
    (void)state;
    struct ui_brokers b;
    /* one bootstrap address that never answers, one broker found only through the metadata */
    ui_brokers_init(&b, "127.0.0.1:1,127.0.0.2:9092");
    struct up_broker_info md[] = {{7, "127.0.0.9", 9092}, {1, "127.0.0.2", 9092}};
    ui_brokers_update(&b, md, 2);
    json_t *doc = brokers_doc(&b, 7);
    char s[512];
    summary(doc, s, sizeof s);
    /* by id, the never-seen address last */
    assert_string_equal(s, "1|127.0.0.2:9092|1|0|1;7|127.0.0.9:9092|1|1|0;-|127.0.0.1:1|0|0|1");
    json_decref(doc);
    ui_brokers_free(&b);
}

static void test_bootstrap_host_name_matches_its_address(void **state)
{
    (void)state;
    struct ui_brokers b;
    ui_brokers_init(&b, "localhost:9092");
    struct up_broker_info md[] = {{1, "127.0.0.1", 9092}};
    ui_brokers_update(&b, md, 1);
    assert_int_equal(b.n, 1); /* localhost is 127.0.0.1: the same broker, not a second one */
    assert_int_equal(b.v[0].id, 1);
    assert_true(b.v[0].up);
    assert_string_equal(b.v[0].address, "127.0.0.1:9092"); /* as the broker advertises it */
    ui_brokers_free(&b);
}

static void test_brokers_json_escapes_and_error(void **state)
{
    (void)state;
    struct ui_brokers b;
    ui_brokers_init(&b, "");
    struct up_buf out = UP_BUF_INIT;
    ui_brokers_json(&b, -1, NULL, "cluster metadata: \"timed out\"\n", &out);
    json_t *doc = parse(&out);
    assert_int_equal(json_array_size(json_object_get(doc, "brokers")), 0);
    assert_string_equal(json_string_value(json_object_get(doc, "error")),
                        "cluster metadata: \"timed out\"\n");
    assert_true(json_is_null(json_object_get(doc, "controller_source")));
    json_decref(doc);
    ui_brokers_free(&b);
}

static struct cql_host_info host(const char *address, bool up, const char *err)
{
    struct cql_host_info h;
    memset(&h, 0, sizeof h);
    snprintf(h.address, sizeof h.address, "%s", address);
    snprintf(h.dc, sizeof h.dc, "datacenter1");
    snprintf(h.rack, sizeof h.rack, "rack1");
    h.up = up;
    h.ntokens = 1;
    if (err) {
        h.failures = 3;
        snprintf(h.last_error, sizeof h.last_error, "%s", err);
    }
    return h;
}

static void test_nodes_json(void **state)
{
    (void)state;
    struct cql_host_info hosts[] = {
        host("127.0.0.10:9042", true, NULL),
        host("127.0.0.3:9042", false, "127.0.0.3:9042: connect: Connection refused"),
        host("127.0.0.2:9042", true, NULL),
        host("127.0.0.4:9042", true, NULL),
    };
    hosts[2].control = true;
    /* the cluster reported .4 DOWN while our connection to it still looks fine (isolated) */
    const char *status[] = {"UP", NULL, NULL, "DOWN"};
    struct up_buf out = UP_BUF_INIT;
    ui_nodes_json(hosts, status, 4, NULL, &out);
    json_t *doc = parse(&out);
    json_t *nodes = json_object_get(doc, "nodes");
    assert_int_equal(json_array_size(nodes), 4);
    const char *order[] = {"127.0.0.2:9042", "127.0.0.3:9042", "127.0.0.4:9042",
                           "127.0.0.10:9042"}; /* numeric, not text order */
    const bool up[] = {true, false, false, true};
    for (size_t i = 0; i < 4; i++) {
        json_t *n = json_array_get(nodes, i);
        assert_string_equal(json_string_value(json_object_get(n, "address")), order[i]);
        assert_int_equal(json_is_true(json_object_get(n, "up")), up[i]);
        assert_string_equal(json_string_value(json_object_get(n, "dc")), "datacenter1");
    }
    assert_true(json_is_true(json_object_get(json_array_get(nodes, 0), "control")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(nodes, 1), "detail")),
                        "no connection: 127.0.0.3:9042: connect: Connection refused");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(nodes, 2), "status_event")), "DOWN");
    assert_string_equal(json_string_value(json_object_get(json_array_get(nodes, 2), "detail")),
                        "the cluster reports it DOWN");
    assert_int_equal(json_integer_value(json_object_get(doc, "up")), 2);
    assert_int_equal(json_integer_value(json_object_get(doc, "known")), 4);
    assert_true(json_is_null(json_object_get(doc, "error")));
    json_decref(doc);

    out = (struct up_buf)UP_BUF_INIT;
    ui_nodes_json(NULL, NULL, 0, "127.0.0.2:9042: connect: Connection refused", &out);
    doc = parse(&out);
    assert_int_equal(json_array_size(json_object_get(doc, "nodes")), 0);
    assert_string_equal(json_string_value(json_object_get(doc, "error")),
                        "127.0.0.2:9042: connect: Connection refused");
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bootstrap_list_parsed),
        cmocka_unit_test(test_brokers_follow_the_metadata),
        cmocka_unit_test(test_unknown_and_unlisted_brokers),
        cmocka_unit_test(test_bootstrap_host_name_matches_its_address),
        cmocka_unit_test(test_brokers_json_escapes_and_error),
        cmocka_unit_test(test_nodes_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
