/* web/ui_cassandra: version probe and size estimate over the CQL client. */
#include "web/ui_cassandra.h"

#include "core/buf.h"
#include "core/log.h"
#include "cql/cql.h"
#include "web/ui_auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_MS     2000
#define ESTIMATE_EVERY 3 /* probes: the estimate changes every few minutes at most */

struct ui_cassandra {
    char *contact_points, *user, *password, *keyspace, *table;
    cql_session *session;
    unsigned probes;
    int64_t estimate;
};

struct ui_cassandra *ui_cassandra_new(const char *contact_points, const char *user,
                                      const char *password, const char *keyspace, const char *table)
{
    struct ui_cassandra *c = up_xcalloc(1, sizeof *c);
    c->contact_points = up_xstrdup(contact_points);
    c->user = up_xstrdup_or_null(user);
    c->password = up_xstrdup_or_null(password);
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
    up_ui_secret_free(c->password);
    free(c->keyspace);
    free(c->table);
    free(c);
}

static int connect_session(struct ui_cassandra *c, struct cql_error *e)
{
    struct cql_config cfg;
    cql_config_init(&cfg);
    cfg.contact_points = c->contact_points;
    cfg.user = c->user;
    cfg.password = c->password;
    cfg.connect_timeout_ms = TIMEOUT_MS;
    cfg.request_timeout_ms = TIMEOUT_MS;
    cfg.max_retries = 0;
    cfg.discover_peers = false; /* one node answering is what "up" means here */
    return cql_session_connect(&cfg, &c->session, e);
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
        *up = 0;
        snprintf(detail, detail_len, "%s", msg);
        cql_session_free(c->session); /* reconnect at the next probe */
        c->session = NULL;
        return;
    }
    const char *ver = "";
    size_t vlen = 0;
    struct cql_value v = cql_result_cell(r, 0, 0);
    cql_value_get_text(&v, &ver, &vlen);
    *up = 1;
    snprintf(detail, detail_len, "Cassandra %.*s at %s", (int)vlen, ver, cql_result_host(r));
    cql_result_free(r);
    if (c->probes++ % ESTIMATE_EVERY == 0)
        c->estimate = size_estimate(c);
    *rows_estimate = c->estimate;
}
