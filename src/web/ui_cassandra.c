/* web/ui_cassandra: version probe and size estimate over the CQL client. */
#include "web/ui_cassandra.h"

#include "core/buf.h"
#include "core/log.h"
#include "cql/cql.h"
#include "core/clock.h"
#include "web/ui_auth.h"
#include "web/ui_cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_MS     2000
#define ESTIMATE_EVERY 3 /* probes: the estimate changes every few minutes at most */
#define MAX_NODES      64
#define PUMP_MS        50 /* per call of ui_cassandra_nodes: lets closes and reconnects happen */

/* The last STATUS_CHANGE the cluster pushed about an address. */
struct status_event {
    char address[64];
    char change[8];
};

struct ui_cassandra {
    char *contact_points, *user, *password, *keyspace, *table;
    bool tls, tls_verify;
    char *tls_ca_file;
    cql_session *session;
    unsigned probes;
    int64_t estimate;
    char error[768]; /* why the last connect failed; "" after one succeeded */
    /* the nodes as last seen, shown (down) while no session is open */
    struct cql_host_info nodes[MAX_NODES];
    size_t nnodes;
    struct status_event events[MAX_NODES];
    size_t nevents;
};

struct ui_cassandra *ui_cassandra_new(const char *contact_points, const char *user,
                                      const char *password, const struct ui_cassandra_tls *tls,
                                      const char *keyspace, const char *table)
{
    struct ui_cassandra *c = up_xcalloc(1, sizeof *c);
    c->contact_points = up_xstrdup(contact_points);
    c->user = up_xstrdup_or_null(user);
    c->password = up_xstrdup_or_null(password);
    c->tls = tls && tls->on;
    c->tls_verify = !tls || tls->verify;
    c->tls_ca_file = up_xstrdup_or_null(tls ? tls->ca_file : NULL);
    c->keyspace = up_xstrdup(keyspace);
    c->table = up_xstrdup(table);
    c->estimate = -1;
    return c;
}

void ui_cassandra_free(struct ui_cassandra *c)
{
    if (!c)
        return;
    cql_session_free(c->session);
    free(c->contact_points);
    free(c->user);
    free(c->tls_ca_file);
    up_ui_secret_free(c->password);
    free(c->keyspace);
    free(c->table);
    free(c);
}

static void on_event(void *opaque, const struct cql_event *ev)
{
    struct ui_cassandra *c = opaque;
    if (ev->type != CQL_EVENT_STATUS_CHANGE || !ev->address)
        return;
    size_t i = 0;
    while (i < c->nevents && strcmp(c->events[i].address, ev->address) != 0)
        i++;
    if (i == c->nevents) {
        if (c->nevents == MAX_NODES)
            return;
        c->nevents++;
    }
    snprintf(c->events[i].address, sizeof c->events[i].address, "%s", ev->address);
    snprintf(c->events[i].change, sizeof c->events[i].change, "%s", ev->change);
    UP_INFO("cassandra: the cluster reports %s %s", ev->address, ev->change);
}

static int connect_session(struct ui_cassandra *c, struct cql_error *e)
{
    struct cql_config cfg;
    cql_config_init(&cfg);
    cfg.contact_points = c->contact_points;
    cfg.user = c->user;
    cfg.password = c->password;
    cfg.tls = c->tls;
    cfg.tls_ca_file = c->tls_ca_file;
    cfg.tls_verify = c->tls_verify;
    cfg.connect_timeout_ms = TIMEOUT_MS;
    cfg.request_timeout_ms = TIMEOUT_MS;
    cfg.max_retries = 0;
    cfg.discover_peers = true; /* every node is shown, with its own state */
    cfg.event_cb = on_event;
    cfg.event_opaque = c;
    c->nevents = 0; /* a new control connection: old pushes may be stale */
    int rc = cql_session_connect(&cfg, &c->session, e);
    if (rc != 0)
        cql_error_format(e, c->error, sizeof c->error);
    else
        c->error[0] = '\0';
    return rc;
}

/* Sum of the table's partition estimates over the node's token ranges (one partition is
 * one user: id is the whole primary key). -1 when unknown. */
static int64_t size_estimate(struct ui_cassandra *c)
{
    cql_statement *st = cql_statement_new("SELECT partitions_count FROM system.size_estimates "
                                          "WHERE keyspace_name = ? AND table_name = ?",
                                          2);
    cql_statement_bind_text(st, 0, c->keyspace, strlen(c->keyspace));
    cql_statement_bind_text(st, 1, c->table, strlen(c->table));
    cql_statement_set_timeout_ms(st, TIMEOUT_MS);
    cql_result *r = NULL;
    struct cql_error e;
    int64_t total = -1;
    if (cql_session_execute_sync(c->session, st, &r, &e) == 0) {
        total = 0;
        for (size_t i = 0; i < cql_result_row_count(r); i++) {
            struct cql_value v = cql_result_cell(r, i, 0);
            int64_t n;
            if (cql_value_get_int64(&v, &n) == CQL_OK && n > 0)
                total += n;
        }
        cql_result_free(r);
    } else {
        UP_DEBUG("cassandra size estimate: %s", e.message);
    }
    cql_statement_free(st);
    return total;
}

void ui_cassandra_probe(void *ctx, int *up, char *detail, size_t detail_len, int64_t *rows_estimate)
{
    struct ui_cassandra *c = ctx;
    struct cql_error e;
    char msg[768];
    if (!c->session && connect_session(c, &e) != 0) {
        cql_error_format(&e, msg, sizeof msg);
        *up = 0;
        snprintf(detail, detail_len, "%s", msg);
        *rows_estimate = -1;
        return;
    }
    cql_result *r = NULL;
    if (cql_session_query_sync(c->session, "SELECT release_version FROM system.local", &r, &e) !=
        0) {
        cql_error_format(&e, msg, sizeof msg);
        struct cql_stats st;
        cql_session_stats(c->session, &st);
        *up = st.hosts_up > 0; /* one node failing one probe is not Cassandra down */
        snprintf(detail, detail_len, "%s", msg);
        if (!st.hosts_up) {
            snprintf(c->error, sizeof c->error, "%s", msg);
            cql_session_free(c->session); /* reconnect at the next probe */
            c->session = NULL;
        }
        return;
    }
    const char *ver = "";
    size_t vlen = 0;
    struct cql_value v = cql_result_cell(r, 0, 0);
    cql_value_get_text(&v, &ver, &vlen);
    *up = 1;
    struct cql_stats st;
    cql_session_stats(c->session, &st);
    snprintf(detail, detail_len, "Cassandra %.*s at %s; %d of %d node%s connected", (int)vlen, ver,
             cql_result_host(r), st.hosts_up, st.hosts_known, st.hosts_known == 1 ? "" : "s");
    cql_result_free(r);
    if (c->probes++ % ESTIMATE_EVERY == 0)
        c->estimate = size_estimate(c);
    *rows_estimate = c->estimate;
}

/* Lets the session notice closed sockets, run reconnects and read pushed events: between
 * probes nothing else polls it. */
static void pump(cql_session *s)
{
    int64_t until = up_mono_ms() + PUMP_MS;
    for (int64_t left = PUMP_MS; left > 0; left = until - up_mono_ms())
        if (cql_session_poll(s, (int)left) < 0)
            break;
}

static const char *status_of(const struct ui_cassandra *c, const char *address)
{
    for (size_t i = 0; i < c->nevents; i++)
        if (strcmp(c->events[i].address, address) == 0)
            return c->events[i].change;
    return NULL;
}

void ui_cassandra_nodes(void *ctx, struct up_buf *out)
{
    struct ui_cassandra *c = ctx;
    if (c->session) {
        pump(c->session);
        size_t n = cql_session_hosts(c->session, c->nodes, MAX_NODES);
        c->nnodes = n < MAX_NODES ? n : MAX_NODES;
    } else {
        for (size_t i = 0; i < c->nnodes; i++)
            c->nodes[i].up = c->nodes[i].control = false;
    }
    const char *status[MAX_NODES];
    for (size_t i = 0; i < c->nnodes; i++)
        status[i] = c->session ? status_of(c, c->nodes[i].address) : NULL;
    ui_nodes_json(c->nodes, status, c->nnodes,
                  c->session    ? NULL
                  : c->error[0] ? c->error
                                : NULL,
                  out);
}
