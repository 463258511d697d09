/* it_cql: what the integration tests need from the cql library that `userpipe query` cannot
 * show: binding every type, async prepared loads, re-prepare after a schema change,
 * writes across a connection cut, and our Murmur3 against the node's token().
 *
 *   it_cql CONTACT types KS          prepared insert of row k=2 with every bindable type
 *   it_cql CONTACT load KS TABLE N W  N async prepared inserts, W in flight
 *   it_cql CONTACT reprepare KS       a prepared SELECT survives ALTER and DROP/CREATE
 *   it_cql CONTACT soak KS N          N idempotent inserts while the test cuts the proxy
 *   it_cql CONTACT tokens KS          cql_murmur3_token(id) == token(id) for 300 uuids
 * and on the 3-node ring (tests/integration/test_cluster_cql_*.sh):
 *   it_cql CONTACT discover - N       the session knows N nodes, all up, from this contact
 *   it_cql CONTACT route KS TABLE N   N writes (k = 0..N-1), one at a time; each must go to the
 *                                     node owning its token (the ring read from system.local
 *                                     and system.peers_v2), and each node's own count of the
 *                                     writes it coordinated must agree
 *   it_cql CONTACT failover KS TABLE SECONDS STOPFILE
 *                                     idempotent writes at ONE, 50/s, until STOPFILE exists
 *                                     or SECONDS pass; a status line every 250 ms (per node:
 *                                     up, requests, re-prepares; writes ok/failed, slowest)
 *   it_cql CONTACT ddl KS TABLE       CREATE TABLE through the sync helper: it returns once
 *                                     every live node has the table (checked on each node)
 *   it_cql CONTACT forget - -         TRUNCATE system.prepared_statements on the contact only
 *
 * Credentials: user cassandra (or USERPIPE_CASSANDRA_USER) and the password rule of
 * cmd/cql_cli.h. Prints one result line
 * (key=value ...) on stdout; exits 0 when the check holds, 1 otherwise. */
#include "core/buf.h"
#include "core/clock.h"
#include "cmd/cql_cli.h"
#include "cql/cql.h"
#include "cql/types.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static cql_session *session;

static void die(const char *what, const struct cql_error *e)
{
    char msg[1024];
    cql_error_format(e, msg, sizeof msg);
    fprintf(stderr, "it_cql: %s: %s\n", what, msg);
    exit(1);
}

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void run(const char *fmt, ...)
{
    char q[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q, sizeof q, fmt, ap);
    va_end(ap);
    struct cql_error e;
    if (cql_session_query_sync(session, q, NULL, &e) != 0)
        die(q, &e);
}

static cql_prepared *prepare(const char *fmt, const char *ks)
{
    char q[1024];
    snprintf(q, sizeof q, fmt, ks);
    cql_prepared *p;
    struct cql_error e;
    if (cql_session_prepare_sync(session, q, &p, &e) != 0)
        die(q, &e);
    return p;
}

static void check(enum cql_error_code rc, const char *what)
{
    if (rc != CQL_OK) {
        fprintf(stderr, "it_cql: bind %s: %s\n", what, cql_error_name(rc));
        exit(1);
    }
}

/* ---- types: row k=2 bound value by value (row k=1 is written by the test with literals) -- */

static int cmd_types(const char *ks)
{
    cql_prepared *p = prepare("INSERT INTO %s.all_types (k, a, bi, bl, bo, da, de, db, fl, ine, i, "
                              "sm, te, ti, ts, tu, ty, u, vc, vi, li, se, ma, tup) VALUES "
                              "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                              "?, ?)",
                              ks);
    cql_statement *st = cql_prepared_bind(p);
    struct cql_uuid tu, u;
    cql_uuid_parse("5a0d6f4e-1d7b-11ef-9262-0242ac120002", 36, &tu);
    cql_uuid_parse("0b5d2e2a-9c4e-4c1b-8e0a-1f2d3c4b5a69", 36, &u);
    check(cql_statement_bind_int(st, 0, 2), "k");
    check(cql_statement_bind_text(st, 1, "plain ascii", 11), "ascii");
    check(cql_statement_bind_bigint(st, 2, -9223372036854775807LL - 1), "bigint");
    check(cql_statement_bind_blob(st, 3, "\x00\xff\x10", 3), "blob");
    check(cql_statement_bind_bool(st, 4, true), "boolean");
    check(cql_statement_bind_date(st, 5, 19844), "date"); /* 2024-05-01 */
    /* decimal 123.45: scale 2, unscaled 12345 */
    check(cql_statement_bind_raw(st, 6, "\x00\x00\x00\x02\x30\x39", 6), "decimal");
    check(cql_statement_bind_double(st, 7, 3.25), "double");
    check(cql_statement_bind_float(st, 8, -1.5f), "float");
    check(cql_statement_bind_inet(st, 9, (const uint8_t *)"\xc0\xa8\x01\x02", 4), "inet");
    check(cql_statement_bind_int(st, 10, -42), "int");
    check(cql_statement_bind_smallint(st, 11, 32767), "smallint");
    check(cql_statement_bind_text(st, 12, "h\xc3\xa9llo \xe4\xb8\x96\xe7\x95\x8c", 13), "text");
    check(cql_statement_bind_time(st, 13, 45296789000000LL), "time"); /* 12:34:56.789 */
    check(cql_statement_bind_timestamp(st, 14, 1714564800123LL), "timestamp");
    check(cql_statement_bind_uuid(st, 15, &tu), "timeuuid");
    check(cql_statement_bind_tinyint(st, 16, -7), "tinyint");
    check(cql_statement_bind_uuid(st, 17, &u), "uuid");
    check(cql_statement_bind_text(st, 18, "varchar", 7), "varchar");
    check(cql_statement_bind_bigint(st, 19, 1234567890123LL), "varint");
    /* list<text> ['x', 'y'], set<int> {1, 2}, map<text, int> {'k': 7}, tuple<int, text> */
    check(cql_statement_bind_raw(st, 20, "\0\0\0\2\0\0\0\1x\0\0\0\1y", 14), "list");
    check(cql_statement_bind_raw(st, 21, "\0\0\0\2\0\0\0\4\0\0\0\1\0\0\0\4\0\0\0\2", 20), "set");
    check(cql_statement_bind_raw(st, 22, "\0\0\0\1\0\0\0\1k\0\0\0\4\0\0\0\7", 17), "map");
    check(cql_statement_bind_raw(st, 23, "\0\0\0\4\0\0\0\5\0\0\0\3abc", 15), "tuple");
    /* binding the wrong C type is caught before anything is sent */
    if (cql_statement_bind_text(st, 10, "x", 1) != CQL_ERR_TYPE_MISMATCH) {
        fprintf(stderr, "it_cql: a text bound to an int variable was accepted\n");
        return 1;
    }
    struct cql_error e;
    if (cql_session_execute_sync(session, st, NULL, &e) != 0)
        die("insert k=2", &e);
    /* row k=3: nulls and unset values */
    cql_statement_free(st);
    st = cql_prepared_bind(p);
    check(cql_statement_bind_int(st, 0, 3), "k");
    check(cql_statement_bind_null(st, 12), "null text");
    if (cql_session_execute_sync(session, st, NULL, &e) != 0)
        die("insert k=3", &e);
    cql_statement_free(st);
    cql_prepared_free(p);
    printf("types inserted=2\n");
    return 0;
}

/* ---- load: async prepared inserts with a bounded window ---------------------------------- */

struct window {
    long done, failed, in_flight;
};

static void load_done(void *opaque, cql_result *r, const struct cql_error *e)
{
    struct window *w = opaque;
    w->done++;
    w->in_flight--;
    if (!r) {
        w->failed++;
        if (w->failed <= 5) {
            char msg[1024];
            cql_error_format(e, msg, sizeof msg);
            fprintf(stderr, "it_cql: insert failed: %s\n", msg);
        }
    }
}

/* Inserts rows 0..n-1 with at most window in flight; rate > 0 paces them (rows/s). */
static void insert_rows(cql_prepared *p, long n, long window, long rate, bool idempotent,
                        struct window *w, void (*between)(long written))
{
    struct cql_error e;
    char text[64];
    int64_t t0 = up_mono_ms();
    for (long k = 0; k < n;) {
        long allowed = rate > 0 ? (long)((up_mono_ms() - t0) * rate / 1000) + 1 : n;
        while (w->in_flight < window && k < n && k < allowed) {
            cql_statement *st = cql_prepared_bind(p);
            int len = snprintf(text, sizeof text, "row %ld", k);
            cql_statement_bind_int(st, 0, (int32_t)k);
            cql_statement_bind_text(st, 1, text, (size_t)len);
            cql_statement_set_idempotent(st, idempotent);
            if (cql_session_execute(session, st, load_done, w, &e) != 0)
                die("submit", &e);
            cql_statement_free(st);
            w->in_flight++;
            k++;
        }
        cql_session_poll(session, rate > 0 ? 5 : 100);
        if (between)
            between(w->done);
    }
    while (w->in_flight > 0)
        cql_session_poll(session, 100);
}

static int cmd_load(const char *ks, const char *table, long n, long window)
{
    char q[512];
    snprintf(q, sizeof q, "INSERT INTO %s.%s (k, v) VALUES (?, ?)", ks, table);
    cql_prepared *p = prepare("%s", q);
    struct window w = {0};
    int64_t t0 = up_mono_ms();
    insert_rows(p, n, window, 0, false, &w, NULL);
    printf("load rows=%ld failed=%ld ms=%lld\n", w.done - w.failed, w.failed,
           (long long)(up_mono_ms() - t0));
    cql_prepared_free(p);
    return w.failed == 0 ? 0 : 1;
}

/* ---- reprepare: the schema changes under a prepared statement ---------------------------- */

static size_t select_columns(cql_statement *st, const char *when)
{
    cql_result *r;
    struct cql_error e;
    if (cql_session_execute_sync(session, st, &r, &e) != 0)
        die(when, &e);
    size_t n = cql_result_column_count(r);
    if (cql_result_row_count(r) != 1) {
        fprintf(stderr, "it_cql: %s: %zu rows, want 1\n", when, cql_result_row_count(r));
        exit(1);
    }
    cql_result_free(r);
    return n;
}

static int cmd_reprepare(const char *ks)
{
    run("CREATE TABLE %s.rp (k int PRIMARY KEY, a text)", ks);
    run("INSERT INTO %s.rp (k, a) VALUES (1, 'one')", ks);
    cql_prepared *p = prepare("SELECT * FROM %s.rp WHERE k = ?", ks);
    cql_statement *st = cql_prepared_bind(p);
    cql_statement_bind_int(st, 0, 1);
    size_t before = select_columns(st, "select before");
    struct cql_stats s0, s1, s2;
    cql_session_stats(session, &s0);
    run("ALTER TABLE %s.rp ADD b text", ks);
    size_t after_alter = select_columns(st, "select after ALTER");
    cql_session_stats(session, &s1);
    run("DROP TABLE %s.rp", ks);
    run("CREATE TABLE %s.rp (k int PRIMARY KEY, a text, b text, c int)", ks);
    run("INSERT INTO %s.rp (k, a, c) VALUES (1, 'again', 3)", ks);
    size_t after_recreate = select_columns(st, "select after DROP/CREATE");
    cql_session_stats(session, &s2);
    printf("reprepare columns_before=%zu columns_after_alter=%zu columns_after_recreate=%zu "
           "reprepares_after_alter=%llu reprepares_after_recreate=%llu\n",
           before, after_alter, after_recreate, (unsigned long long)(s1.reprepares - s0.reprepares),
           (unsigned long long)(s2.reprepares - s1.reprepares));
    cql_statement_free(st);
    cql_prepared_free(p);
    return after_recreate == 4 && s2.reprepares > s1.reprepares ? 0 : 1;
}

/* ---- soak: writes while the proxy in front of the node is cut and restored --------------- */

static void progress(long written)
{
    static long last = -1;
    /* tell the test (it reads stdout) how far we are, about every 500 rows */
    if (written / 500 != last / 500) {
        printf("progress %ld\n", written);
        fflush(stdout);
    }
    last = written;
}

static int cmd_soak(const char *ks, long n)
{
    run("CREATE TABLE IF NOT EXISTS %s.soak (k int PRIMARY KEY, v text)", ks);
    cql_prepared *p = prepare("INSERT INTO %s.soak (k, v) VALUES (?, ?)", ks);
    struct window w = {0};
    int64_t t0 = up_mono_ms();
    /* a paced trickle (2000 rows/s) so the cut lands mid-run */
    insert_rows(p, n, 64, 2000, true, &w, progress);
    struct cql_stats st;
    cql_session_stats(session, &st);
    printf("soak rows=%ld failed=%ld ms=%lld connections_lost=%llu reconnects=%llu retries=%llu "
           "hosts_up=%d\n",
           w.done - w.failed, w.failed, (long long)(up_mono_ms() - t0),
           (unsigned long long)st.connections_lost, (unsigned long long)st.reconnects,
           (unsigned long long)st.retries, st.hosts_up);
    cql_prepared_free(p);
    return w.failed == 0 && st.reconnects >= 1 ? 0 : 1;
}

/* ---- tokens: our Murmur3 against the node's ---------------------------------------------- */

static int cmd_tokens(const char *ks)
{
    run("CREATE TABLE %s.tok (id uuid PRIMARY KEY)", ks);
    cql_prepared *p = prepare("INSERT INTO %s.tok (id) VALUES (?)", ks);
    uint64_t x = (uint64_t)up_wall_us() | 1;
    for (int i = 0; i < 300; i++) {
        struct cql_uuid u;
        for (int b = 0; b < 16; b++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            u.bytes[b] = (uint8_t)x;
        }
        cql_statement *st = cql_prepared_bind(p);
        cql_statement_bind_uuid(st, 0, &u);
        struct cql_error e;
        if (cql_session_execute_sync(session, st, NULL, &e) != 0)
            die("insert uuid", &e);
        cql_statement_free(st);
    }
    cql_prepared_free(p);
    char q[256];
    snprintf(q, sizeof q, "SELECT id, token(id) FROM %s.tok", ks);
    cql_result *r;
    struct cql_error e;
    if (cql_session_query_sync(session, q, &r, &e) != 0)
        die(q, &e);
    size_t rows = cql_result_row_count(r), bad = 0;
    for (size_t i = 0; i < rows; i++) {
        struct cql_value id = cql_result_cell(r, i, 0), tok = cql_result_cell(r, i, 1);
        int64_t want;
        if (cql_value_get_int64(&tok, &want) != CQL_OK ||
            cql_murmur3_token(id.data, (size_t)id.len) != want)
            bad++;
    }
    cql_result_free(r);
    printf("tokens checked=%zu mismatched=%zu\n", rows, bad);
    return rows == 300 && bad == 0 ? 0 : 1;
}

/* ---- the ring: discovery, routing, failover, schema agreement -------------------------- */

static struct cql_config base_cfg; /* credentials and timeouts of the main session */

/* A session on one node only (no discovery): what that node says about itself. */
static cql_session *node_session(const char *node)
{
    struct cql_config cfg = base_cfg;
    cfg.contact_points = node;
    cfg.discover_peers = false;
    cql_session *s;
    struct cql_error e;
    if (cql_session_connect(&cfg, &s, &e) != 0)
        die(node, &e);
    return s;
}

static void run_on(cql_session *s, const char *q)
{
    struct cql_error e;
    if (cql_session_query_sync(s, q, NULL, &e) != 0)
        die(q, &e);
}

static cql_result *query_on(cql_session *s, const char *q)
{
    cql_result *r;
    struct cql_error e;
    if (cql_session_query_sync(s, q, &r, &e) != 0)
        die(q, &e);
    return r;
}

static size_t host_stats(struct cql_host_info *hs, size_t max)
{
    size_t n = cql_session_hosts(session, hs, max);
    return n < max ? n : max;
}

static int cmd_discover(long want)
{
    struct cql_host_info hs[16];
    size_t n = host_stats(hs, 16);
    int up = 0;
    printf("discover hosts=%zu", n);
    for (size_t i = 0; i < n; i++) {
        printf(" %s%s", hs[i].address, hs[i].up ? "" : "(down)");
        up += hs[i].up;
    }
    printf(" up=%d\n", up);
    return (long)n == want && up == want ? 0 : 1;
}

struct owner {
    int64_t token;
    char host[64];
};

static int owner_cmp(const void *a, const void *b)
{
    const struct owner *x = a, *y = b;
    return x->token < y->token ? -1 : x->token > y->token;
}

/* Adds every token of every row (columns: the node's address, its tokens, its CQL port). */
static size_t add_owners(const cql_result *r, struct owner *o, size_t n, size_t max)
{
    for (size_t row = 0; row < cql_result_row_count(r); row++) {
        struct cql_value addr = cql_result_cell(r, row, 0), toks = cql_result_cell(r, row, 1);
        struct cql_value portv = cql_result_cell(r, row, 2);
        int32_t port = 0;
        uint8_t a[16];
        size_t alen;
        char ip[INET_ADDRSTRLEN];
        if (cql_value_get_inet(&addr, a, &alen) != CQL_OK || alen != 4 ||
            cql_value_get_int32(&portv, &port) != CQL_OK)
            continue;
        inet_ntop(AF_INET, a, ip, sizeof ip);
        struct cql_iter it;
        struct cql_value tok;
        if (cql_value_iter_init(&toks, &it) != CQL_OK)
            continue;
        while (cql_iter_next(&it, &tok) && n < max) {
            const char *s;
            size_t len;
            if (cql_value_get_text(&tok, &s, &len) != CQL_OK)
                continue;
            o[n].token = strtoll(s, NULL, 10); /* ends at the set element's end: a digit run */
            snprintf(o[n].host, sizeof o[n].host, "%s:%d", ip, (int)port);
            n++;
        }
    }
    return n;
}

/* The ring as the cluster describes it: system.local + system.peers_v2 of ONE node (asked
 * through the session, the two queries could go to two nodes: one listed twice, one never). */
static size_t read_ring(struct owner *o, size_t max)
{
    cql_session *s = node_session(base_cfg.contact_points);
    cql_result *local =
        query_on(s, "SELECT rpc_address, tokens, rpc_port FROM system.local WHERE key = 'local'");
    cql_result *peers =
        query_on(s, "SELECT native_address, tokens, native_port FROM system.peers_v2");
    cql_session_free(s);
    size_t n = add_owners(local, o, 0, max);
    n = add_owners(peers, o, n, max);
    cql_result_free(local);
    cql_result_free(peers);
    qsort(o, n, sizeof *o, owner_cmp);
    return n;
}

/* The node owning a token: the first whose token is >= it, wrapping. */
static const char *owner_of(const struct owner *o, size_t n, int64_t token)
{
    for (size_t i = 0; i < n; i++)
        if (token <= o[i].token)
            return o[i].host;
    return o[0].host;
}

static uint64_t requests_of(const char *host)
{
    struct cql_host_info hs[16];
    size_t n = host_stats(hs, 16);
    for (size_t i = 0; i < n; i++)
        if (strcmp(hs[i].address, host) == 0)
            return hs[i].requests;
    return 0;
}

/* Writes this node coordinated into ks.table, as the node counts them. */
static long coordinated_on(const char *node, const char *ks, const char *table)
{
    cql_session *s = node_session(node);
    char q[512];
    snprintf(q, sizeof q,
             "SELECT count FROM system_views.coordinator_write_latency WHERE keyspace_name = "
             "'%s' AND table_name = '%s'",
             ks, table);
    cql_result *r = query_on(s, q);
    int64_t count = -1;
    struct cql_value v = cql_result_cell(r, 0, 0);
    if (cql_result_row_count(r) != 1 || cql_value_get_int64(&v, &count) != CQL_OK)
        count = -1;
    cql_result_free(r);
    cql_session_free(s);
    return (long)count;
}

static int cmd_route(const char *ks, const char *table, long n)
{
    struct owner ring[64];
    size_t nring = read_ring(ring, 64);
    if (nring == 0) {
        fprintf(stderr, "it_cql: no tokens in system.local/system.peers\n");
        return 1;
    }
    char q[512];
    snprintf(q, sizeof q, "INSERT INTO %s.%s (k, v) VALUES (?, ?)", ks, table);
    cql_prepared *p = prepare("%s", q);
    struct cql_host_info before[16];
    size_t nhosts = host_stats(before, 16);
    long owned[16] = {0}, misrouted = 0;
    for (long k = 0; k < n; k++) {
        uint8_t key[4];
        cql_store_u32(key, (uint32_t)k);
        const char *owner = owner_of(ring, nring, cql_murmur3_token(key, 4));
        for (size_t i = 0; i < nhosts; i++)
            owned[i] += strcmp(before[i].address, owner) == 0;
        uint64_t was = requests_of(owner);
        cql_statement *st = cql_prepared_bind(p);
        cql_statement_bind_int(st, 0, (int32_t)k);
        cql_statement_bind_text(st, 1, "r", 1);
        struct cql_error e;
        if (cql_session_execute_sync(session, st, NULL, &e) != 0)
            die("routed insert", &e);
        cql_statement_free(st);
        /* one request, or two when the owner first answered UNPREPARED (then re-sent) */
        uint64_t now = requests_of(owner);
        if (now == was) {
            misrouted++;
            if (misrouted <= 5)
                fprintf(stderr, "it_cql: key %ld (owner %s) went elsewhere\n", k, owner);
        }
    }
    struct cql_host_info after[16];
    host_stats(after, 16);
    long total_server = 0, mismatched = 0;
    for (size_t i = 0; i < nhosts; i++) {
        /* the writes, their re-sends after UNPREPARED, and re-prepares: writes alone are
         * requests - 2 x re-prepares (each re-prepare is a PREPARE plus the write again) */
        uint64_t reprep = after[i].reprepares - before[i].reprepares;
        uint64_t writes = after[i].requests - before[i].requests - 2 * reprep;
        long server = coordinated_on(after[i].address, ks, table);
        total_server += server;
        mismatched += (long)writes != owned[i] || server != owned[i];
        printf("route host=%s owned=%ld writes=%llu coordinated=%ld share=%.1f%% reprepares=%llu\n",
               after[i].address, owned[i], (unsigned long long)writes, server,
               100.0 * (double)writes / (double)n, (unsigned long long)reprep);
    }
    printf("route writes=%ld misrouted=%ld mismatched_hosts=%ld coordinated_total=%ld\n", n,
           misrouted, mismatched, total_server);
    cql_prepared_free(p);
    return misrouted == 0 && mismatched == 0 && total_server == n ? 0 : 1;
}

struct failover {
    long ok, failed, in_flight;
    int64_t slowest_ms;
};

struct write_at {
    struct failover *f;
    int64_t sent_ms;
};

static void failover_done(void *opaque, cql_result *r, const struct cql_error *e)
{
    struct write_at *w = opaque;
    int64_t took = up_mono_ms() - w->sent_ms;
    if (took > w->f->slowest_ms)
        w->f->slowest_ms = took;
    w->f->in_flight--;
    if (r) {
        w->f->ok++;
    } else {
        w->f->failed++;
        char msg[1024];
        cql_error_format(e, msg, sizeof msg);
        fprintf(stderr, "it_cql: write failed: %s\n", msg);
    }
    free(w);
}

static void failover_status(const struct failover *f, int64_t t0)
{
    struct cql_host_info hs[16];
    size_t n = host_stats(hs, 16);
    printf("status t=%.2f ok=%ld failed=%ld slowest_ms=%lld", (double)(up_mono_ms() - t0) / 1e3,
           f->ok, f->failed, (long long)f->slowest_ms);
    for (size_t i = 0; i < n; i++)
        printf(" %s=%d/%llu/%llu", hs[i].address, hs[i].up, (unsigned long long)hs[i].requests,
               (unsigned long long)hs[i].reprepares);
    printf("\n");
    fflush(stdout);
}

static int cmd_failover(const char *ks, const char *table, long seconds, const char *stopfile)
{
    char q[512];
    snprintf(q, sizeof q, "INSERT INTO %s.%s (k, v) VALUES (?, ?)", ks, table);
    cql_prepared *p = prepare("%s", q);
    struct failover f = {0};
    int64_t t0 = up_mono_ms(), next_write = t0, next_status = t0;
    uint32_t k = 0;
    while (up_mono_ms() - t0 < seconds * 1000 && access(stopfile, F_OK) != 0) {
        int64_t now = up_mono_ms();
        if (now >= next_write) {
            next_write += 20;
            cql_statement *st = cql_prepared_bind(p);
            cql_statement_bind_int(st, 0, (int32_t)(k++ % 3000));
            cql_statement_bind_text(st, 1, "f", 1);
            cql_statement_set_consistency(st, CQL_ONE);
            cql_statement_set_idempotent(st, true);
            struct write_at *w = up_xmalloc(sizeof *w);
            *w = (struct write_at){&f, now};
            struct cql_error e;
            if (cql_session_execute(session, st, failover_done, w, &e) != 0)
                die("submit", &e);
            f.in_flight++;
            cql_statement_free(st);
        }
        if (now >= next_status) {
            next_status += 250;
            failover_status(&f, t0);
        }
        cql_session_poll(session, 5);
    }
    while (f.in_flight > 0)
        cql_session_poll(session, 100);
    failover_status(&f, t0);
    cql_prepared_free(p);
    return f.failed == 0 ? 0 : 1;
}

/* After the sync helper returns, every live node has the table (its own schema says so),
 * whichever node ran the DDL. DDL_TABLES tables in a row: round-robin sends them to every node,
 * so some run on a node other than the control node, which may not have the change yet (the
 * stream's PREPARE right after CREATE TABLE once failed so). Each node is asked at once, on a
 * session opened before, as the next statement of a real client would be. */
#define DDL_TABLES 6
static int cmd_ddl(const char *ks, const char *table)
{
    struct cql_host_info hs[16];
    size_t n = host_stats(hs, 16);
    cql_session *on[16] = {0};
    int live = 0;
    for (size_t i = 0; i < n; i++)
        if (hs[i].up) {
            on[i] = node_session(hs[i].address);
            live++;
        }
    int missing = 0, ran_elsewhere = 0;
    long worst_ms = 0;
    for (int t = 0; t < DDL_TABLES; t++) {
        char q[512];
        snprintf(q, sizeof q, "CREATE TABLE %s.%s%d (k int PRIMARY KEY, v text)", ks, table, t);
        int64_t t0 = up_mono_ms();
        cql_result *created = query_on(session, q);
        long ms = (long)(up_mono_ms() - t0);
        worst_ms = ms > worst_ms ? ms : worst_ms;
        snprintf(q, sizeof q,
                 "SELECT table_name FROM system_schema.tables WHERE keyspace_name = '%s' AND "
                 "table_name = '%s%d'",
                 ks, table, t);
        printf("ddl table=%s.%s%d ran_on=%s ms=%ld missing_on=", ks, table, t,
               cql_result_host(created), ms);
        int missing_here = 0;
        for (size_t i = 0; i < n; i++) {
            if (!on[i])
                continue;
            cql_result *r = query_on(on[i], q);
            if (cql_result_row_count(r) != 1)
                printf("%s%s", missing_here++ ? "," : "", hs[i].address);
            cql_result_free(r);
        }
        printf("%s\n", missing_here ? "" : "none");
        missing += missing_here;
        ran_elsewhere += strcmp(cql_result_host(created), hs[0].address) != 0;
        cql_result_free(created);
    }
    for (size_t i = 0; i < n; i++)
        if (on[i])
            cql_session_free(on[i]);
    printf("ddl tables=%d live_nodes=%d ran_off_first_node=%d worst_ms=%ld missing=%d\n",
           DDL_TABLES, live, ran_elsewhere, worst_ms, missing);
    return missing == 0 && live > 1 && ran_elsewhere > 0 ? 0 : 1;
}

/* Truncating the table is not enough by itself: a node keeps its cache until it restarts,
 * then reloads what the table holds. */
static int cmd_forget(const char *node)
{
    cql_session *s = node_session(node);
    run_on(s, "TRUNCATE system.prepared_statements");
    cql_session_free(s);
    printf("forget node=%s\n", node);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: it_cql CONTACT types|load|reprepare|soak|tokens|discover|route|"
                        "failover|ddl|forget KS ...\n");
        return 2;
    }
    /* the user as `userpipe query` takes it from the environment (a cluster test logs in as its
     * own role: the stock superuser is read at QUORUM, so it cannot log in with 2 nodes down) */
    const char *user = getenv("USERPIPE_CASSANDRA_USER");
    struct cql_cli_opts o = {.cassandra = argv[1],
                             .user = user && *user ? (char *)user : "cassandra"};
    struct cql_config cfg;
    char password[CQL_PASSWORD_MAX], err[512];
    if (cql_cli_config(&o, &cfg, password, sizeof password, err, sizeof err) != 0) {
        fprintf(stderr, "it_cql: %s\n", err);
        return 2;
    }
    const char *cmd = argv[2], *ks = argv[3];
    base_cfg = cfg;
    if (strcmp(cmd, "soak") == 0) { /* outlast a cut of a few seconds */
        cfg.reconnect_base_ms = 100;
        cfg.reconnect_max_ms = 1000;
        cfg.max_retries = 20;
    }
    struct cql_error e;
    if (cql_session_connect(&cfg, &session, &e) != 0)
        die("connect", &e);
    int rc = 2;
    if (strcmp(cmd, "types") == 0)
        rc = cmd_types(ks);
    else if (strcmp(cmd, "load") == 0 && argc >= 7)
        rc = cmd_load(ks, argv[4], atol(argv[5]), atol(argv[6]));
    else if (strcmp(cmd, "reprepare") == 0)
        rc = cmd_reprepare(ks);
    else if (strcmp(cmd, "soak") == 0 && argc >= 5)
        rc = cmd_soak(ks, atol(argv[4]));
    else if (strcmp(cmd, "tokens") == 0)
        rc = cmd_tokens(ks);
    else if (strcmp(cmd, "discover") == 0 && argc >= 5)
        rc = cmd_discover(atol(argv[4]));
    else if (strcmp(cmd, "route") == 0 && argc >= 6)
        rc = cmd_route(ks, argv[4], atol(argv[5]));
    else if (strcmp(cmd, "failover") == 0 && argc >= 7)
        rc = cmd_failover(ks, argv[4], atol(argv[5]), argv[6]);
    else if (strcmp(cmd, "ddl") == 0 && argc >= 5)
        rc = cmd_ddl(ks, argv[4]);
    else if (strcmp(cmd, "forget") == 0)
        rc = cmd_forget(argv[1]);
    else
        fprintf(stderr, "it_cql: unknown command or missing arguments: %s\n", cmd);
    cql_session_free(session);
    return rc;
}
